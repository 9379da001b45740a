// The CUDA backend's own kernels: simple grid-stride loops first (correctness before speed),
// 16-bit floats computed in float as the CPU backend does, formulas matching its kernels.
#include "CudaKernels.h"

// Integer templates also serve unsigned types, where sign tests are constant.
#pragma nv_diag_suppress 186

#include <algorithm>
#include <cmath>

#include "CudaDevice.cuh"

namespace trtn::cuda::kernels {

namespace {

// ---- Block reductions ----------------------------------------------------------------------

enum Combine : int { kSum = 0, kProd = 1, kMax = 2, kMin = 3 };

__device__ __forceinline__ float combine(int op, float a, float b) {
  switch (op) {
    case kProd: return a * b;
    case kMax: return (a != a || b != b) ? a + b : fmaxf(a, b);  // NaN propagates
    case kMin: return (a != a || b != b) ? a + b : fminf(a, b);
    default: return a + b;
  }
}

__device__ __forceinline__ float identityOf(int op) {
  switch (op) {
    case kProd: return 1.f;
    case kMax: return -INFINITY;
    case kMin: return INFINITY;
    default: return 0.f;
  }
}

// Reduces v over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
__device__ float blockReduce(float v, int op) {
  __shared__ float partial[32];
  __shared__ float result;
  for (int off = 16; off > 0; off >>= 1) v = combine(op, v, __shfl_xor_sync(0xffffffffu, v, off));
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < static_cast<int>(blockDim.x >> 5) ? partial[lane] : identityOf(op);
    for (int off = 16; off > 0; off >>= 1) v = combine(op, v, __shfl_xor_sync(0xffffffffu, v, off));
    if (lane == 0) result = v;
  }
  __syncthreads();
  float r = result;
  __syncthreads();  // partial and result are reused by the next call
  return r;
}

// ---- Copies ---------------------------------------------------------------------------------

template <typename U>
__global__ void copyStridedK(const U* src, int64_t srcOff, Strided sv, U* dst, int64_t dstOff, Strided dv, int64_t n) {
  TRTN_GRID_LOOP(i, n) dst[dstOff + offsetOf(i, dv)] = src[srcOff + offsetOf(i, sv)];
}

struct Pre {
  int64_t v[kMaxDims];
};

template <typename U>
__global__ void padK(const U* in, Strided iv, U* out, Strided ov, Pre pre, int64_t n) {
  TRTN_GRID_LOOP(i, n) {
    int64_t rest = i, off = 0;
    bool inside = true;
    for (int d = ov.rank - 1; d >= 0; --d) {
      const int64_t c = rest % ov.dims[d] - pre.v[d];
      rest /= ov.dims[d];
      inside = inside && c >= 0 && c < iv.dims[d];
      off += c * iv.stride[d];
    }
    out[i] = inside ? in[off] : U(0);
  }
}

// ---- Cast -----------------------------------------------------------------------------------

// Float to integer as the CPU backend: truncation toward zero, saturating, NaN to 0.
template <typename TO>
__device__ __forceinline__ TO saturate(float v) {
  double lo, hi;
  if constexpr (std::is_same_v<TO, int8_t>) lo = -128.0, hi = 127.0;
  else if constexpr (std::is_same_v<TO, uint8_t>) lo = 0.0, hi = 255.0;
  else if constexpr (std::is_same_v<TO, int32_t>) lo = -2147483648.0, hi = 2147483647.0;
  else lo = -9223372036854775808.0, hi = 9223372036854775807.0;
  const double x = v;
  if (x != x) return TO(0);
  if (x >= hi) return static_cast<TO>(std::is_same_v<TO, int64_t> ? 0x7fffffffffffffffLL : static_cast<long long>(hi));
  if (x <= lo) return static_cast<TO>(std::is_same_v<TO, int64_t> ? (-0x7fffffffffffffffLL - 1) : static_cast<long long>(lo));
  return static_cast<TO>(static_cast<long long>(x));
}

template <typename TI, typename TO>
__global__ void castK(const TI* in, TO* out, int64_t n, bool toBool) {
  TRTN_GRID_LOOP(i, n) {
    if constexpr (kIsFloat<TI>) {
      const float v = F<TI>::load(in[i]);
      if (toBool) out[i] = static_cast<TO>(v != 0.f);
      else if constexpr (kIsFloat<TO>) out[i] = F<TO>::store(v);
      else out[i] = saturate<TO>(v);
    } else {
      if (toBool) out[i] = static_cast<TO>(in[i] != 0);
      else if constexpr (kIsFloat<TO>) out[i] = F<TO>::store(static_cast<float>(in[i]));
      else out[i] = static_cast<TO>(in[i]);
    }
  }
}

// ---- Elementwise ----------------------------------------------------------------------------

enum EwOp : int { kSUM, kPROD, kMAX, kMIN, kSUB, kDIV, kPOW, kFLOOR_DIV, kAND, kOR, kXOR, kEQUAL, kGREATER, kLESS };

template <typename T>
__device__ __forceinline__ T wrapOp(int op, T a, T b) {
  using U = std::make_unsigned_t<T>;
  switch (op) {
    case kSUM: return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
    case kSUB: return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
    case kPROD: return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
    case kMAX: return a > b ? a : b;
    case kMIN: return a < b ? a : b;
    case kDIV:
      if (b == 0) return 0;
      if (std::is_signed_v<T> && b == T(-1)) return static_cast<T>(U(0) - static_cast<U>(a));
      return static_cast<T>(a / b);
    case kFLOOR_DIV: {
      if (b == 0) return 0;
      if (std::is_signed_v<T> && b == T(-1)) return static_cast<T>(U(0) - static_cast<U>(a));
      T q = static_cast<T>(a / b), r = static_cast<T>(a % b);
      return (r != 0 && ((r < 0) != (b < 0))) ? static_cast<T>(q - 1) : q;
    }
    case kPOW: {
      if (std::is_signed_v<T> && b < 0) {
        if (a == 1) return 1;
        if (std::is_signed_v<T> && a == T(-1)) return (b % 2 == 0) ? T(1) : T(-1);
        return 0;
      }
      U result = 1, base = static_cast<U>(a), e = static_cast<U>(b);
      while (e) {
        if (e & 1u) result = static_cast<U>(result * base);
        e = static_cast<U>(e >> 1);
        if (e) base = static_cast<U>(base * base);
      }
      return static_cast<T>(result);
    }
  }
  return 0;
}

__device__ __forceinline__ float floatOp(int op, float a, float b) {
  switch (op) {
    case kSUM: return a + b;
    case kPROD: return a * b;
    case kMAX: return (a != a || b != b) ? a + b : fmaxf(a, b);
    case kMIN: return (a != a || b != b) ? a + b : fminf(a, b);
    case kSUB: return a - b;
    case kDIV: return a / b;
    case kPOW: return powf(a, b);
    case kFLOOR_DIV: return floorf(a / b);
  }
  return 0.f;
}

template <typename T>
__global__ void elementwiseK(int op, const T* a, Strided av, const T* b, Strided bv, void* out, int64_t n,
                             bool boolInputs) {
  TRTN_GRID_LOOP(i, n) {
    T x = a[offsetOf(i, av)];
    T y = b[offsetOf(i, bv)];
    if constexpr (!kIsFloat<T>) {
      // A BOOL byte is true whatever its non-zero value, as on the CPU (EQUAL of 1 and 2 is true).
      if (boolInputs) {
        x = static_cast<T>(x != 0);
        y = static_cast<T>(y != 0);
      }
    }
    if (op >= kAND) {
      bool r;
      if constexpr (kIsFloat<T>) {
        const float fx = F<T>::load(x), fy = F<T>::load(y);
        r = op == kEQUAL ? fx == fy : op == kGREATER ? fx > fy : fx < fy;
      } else {
        switch (op) {
          case kAND: r = (x != 0) && (y != 0); break;
          case kOR: r = (x != 0) || (y != 0); break;
          case kXOR: r = (x != 0) != (y != 0); break;
          case kEQUAL: r = x == y; break;
          case kGREATER: r = x > y; break;
          default: r = x < y; break;
        }
      }
      static_cast<uint8_t*>(out)[i] = r ? 1 : 0;
    } else if constexpr (kIsFloat<T>) {
      static_cast<T*>(out)[i] = F<T>::store(floatOp(op, F<T>::load(x), F<T>::load(y)));
    } else {
      static_cast<T*>(out)[i] = wrapOp<T>(op, x, y);
    }
  }
}

// ---- Unary ----------------------------------------------------------------------------------

enum UnOp : int {
  kEXP, kLOG, kSQRT, kRECIP, kABS, kNEG, kSIN, kCOS, kTAN, kSINH, kCOSH, kASIN, kACOS, kATAN, kASINH, kACOSH, kATANH,
  kCEIL, kFLOOR, kERF, kNOT, kSIGN, kROUND, kISINF, kISNAN
};

__device__ __forceinline__ float unaryFloat(int op, float x) {
  switch (op) {
    case kEXP: return expf(x);
    case kLOG: return logf(x);
    case kSQRT: return sqrtf(x);
    case kRECIP: return 1.f / x;
    case kABS: return fabsf(x);
    case kNEG: return -x;
    case kSIN: return sinf(x);
    case kCOS: return cosf(x);
    case kTAN: return tanf(x);
    case kSINH: return sinhf(x);
    case kCOSH: return coshf(x);
    case kASIN: return asinf(x);
    case kACOS: return acosf(x);
    case kATAN: return atanf(x);
    case kASINH: return asinhf(x);
    case kACOSH: return acoshf(x);
    case kATANH: return atanhf(x);
    case kCEIL: return ceilf(x);
    case kFLOOR: return floorf(x);
    case kERF: return erff(x);
    case kSIGN: return x > 0.f ? 1.f : x < 0.f ? -1.f : x;  // keeps 0, -0 and NaN
    case kROUND: return rintf(x);                           // half to even
  }
  return x;
}

template <typename T>
__global__ void unaryK(int op, const T* in, void* out, int64_t n) {
  TRTN_GRID_LOOP(i, n) {
    const T x = in[i];
    if constexpr (kIsFloat<T>) {
      const float f = F<T>::load(x);
      if (op == kISINF) static_cast<uint8_t*>(out)[i] = isinf(f) ? 1 : 0;
      else if (op == kISNAN) static_cast<uint8_t*>(out)[i] = f != f ? 1 : 0;
      else static_cast<T*>(out)[i] = F<T>::store(unaryFloat(op, f));
    } else {
      using U = std::make_unsigned_t<T>;
      T r = x;
      if (op == kNOT) r = x == 0 ? 1 : 0;
      else if (op == kNEG || (op == kABS && x < 0)) r = static_cast<T>(U(0) - static_cast<U>(x));
      else if (op == kSIGN) r = x > 0 ? 1 : x < 0 ? T(-1) : 0;
      static_cast<T*>(out)[i] = r;
    }
  }
}

// ---- Activations ------------------------------------------------------------------------------

__device__ __forceinline__ float activate(int type, float x, float alpha, float beta) {
  switch (type) {
    case 0: return x < 0.f ? 0.f : x;  // RELU (NaN passes)
    case 1: return 1.f / (1.f + expf(-x));
    case 2: return tanhf(x);
    case 3: return x >= 0.f ? x : alpha * x;
    case 4: return x >= 0.f ? x : alpha * expm1f(x);
    case 5: return x >= 0.f ? beta * x : beta * alpha * expm1f(x);
    case 6: return x / (1.f + fabsf(x));
    case 7: {
      const float z = beta * x;
      return alpha * (z > 0.f ? z + log1pf(expf(-z)) : log1pf(expf(z)));
    }
    case 8: return x != x ? x : fmaxf(alpha, fminf(beta, x));
    case 9: return x != x ? x : fmaxf(0.f, fminf(1.f, alpha * x + beta));
    case 10: return alpha * tanhf(beta * x);
    case 11: return x > alpha ? x : 0.f;
    case 12: return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
    case 13: return 0.5f * x * (1.f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
  }
  return x;
}

// 32-bit indices when the tensor allows: 64-bit division is slow on the GPU.
template <typename T, typename I>
__global__ void biasActivationK(const T* x, T* y, I n, const T* bias, I biasLen, I inner, int act, float alpha,
                                float beta, const T* residual) {
  for (I i = blockIdx.x * static_cast<I>(blockDim.x) + threadIdx.x; i < n; i += static_cast<I>(blockDim.x) * gridDim.x) {
    if constexpr (kIsFloat<T>) {
      float v = F<T>::load(x[i]);
      if (bias) v += F<T>::load(bias[(i / inner) % biasLen]);
      if (residual) v += F<T>::load(residual[i]);
      y[i] = F<T>::store(act >= 0 ? activate(act, v, alpha, beta) : v);
    } else {
      T v = x[i];
      if (bias) v = static_cast<T>(v + bias[(i / inner) % biasLen]);
      if (residual) v = static_cast<T>(v + residual[i]);
      y[i] = (act == 0 && v < 0) ? T(0) : v;  // integers: RELU only
    }
  }
}

// Same-shape arithmetic, V elements per thread (one 8- or 16-byte access).
template <typename T, int V>
struct alignas(sizeof(T) * V) Pack {
  T v[V];
};

template <typename T, int V>
__global__ void elementwiseFlatK(int op, const T* a, const T* b, T* out, int64_t packs) {
  using P = Pack<T, V>;
  TRTN_GRID_LOOP(i, packs) {
    const P x = reinterpret_cast<const P*>(a)[i];
    const P y = reinterpret_cast<const P*>(b)[i];
    P r;
#pragma unroll
    for (int k = 0; k < V; ++k) r.v[k] = F<T>::store(floatOp(op, F<T>::load(x.v[k]), F<T>::load(y.v[k])));
    reinterpret_cast<P*>(out)[i] = r;
  }
}

struct Values {
  int64_t v[8];
};

template <typename T>
__global__ void writeValuesK(T* out, Values values, int count) {
  if (threadIdx.x < count) out[threadIdx.x] = static_cast<T>(values.v[threadIdx.x]);
}

// ---- Softmax, reduce, normalization -------------------------------------------------------------

template <typename T>
__global__ void softmaxK(const T* in, T* out, int64_t outer, int64_t len, int64_t inner) {
  for (int64_t row = blockIdx.x; row < outer * inner; row += gridDim.x) {
    const int64_t o = row / inner, i = row % inner;
    const T* x = in + o * len * inner + i;
    T* y = out + o * len * inner + i;
    float m = -INFINITY;
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x) m = fmaxf(m, F<T>::load(x[j * inner]));
    m = blockReduce(m, kMax);
    float s = 0.f;
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x) s += expf(F<T>::load(x[j * inner]) - m);
    s = blockReduce(s, kSum);
    const float inv = 1.f / s;
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x) y[j * inner] = F<T>::store(expf(F<T>::load(x[j * inner]) - m) * inv);
  }
}

template <typename T>
__global__ void reduceK(int op, const T* in, Strided kept, Strided red, T* out, int64_t outCount, int64_t redCount) {
  const int combineOp = op == 4 ? kSum : op;  // AVG sums
  for (int64_t o = blockIdx.x; o < outCount; o += gridDim.x) {
    const int64_t base = offsetOf(o, kept);
    float acc = identityOf(combineOp);
    for (int64_t r = threadIdx.x; r < redCount; r += blockDim.x) acc = combine(combineOp, acc, F<T>::load(in[base + offsetOf(r, red)]));
    acc = blockReduce(acc, combineOp);
    if (threadIdx.x == 0) out[o] = F<T>::store(op == 4 ? acc / static_cast<float>(redCount) : acc);
  }
}

struct ParamStrides {
  int64_t kept[kMaxDims];
  int64_t red[kMaxDims];
};

__device__ __forceinline__ int64_t paramOffset(int64_t linear, const Strided& v, const int64_t* strides) {
  int64_t off = 0;
  for (int d = v.rank - 1; d >= 0; --d) {
    off += (linear % v.dims[d]) * strides[d];
    linear /= v.dims[d];
  }
  return off;
}

template <typename T, typename P>
__global__ void normalizeK(const T* x, T* y, Strided kept, Strided red, const P* scale, const P* bias, ParamStrides ss,
                           ParamStrides bs, int64_t outCount, int64_t redCount, float eps) {
  for (int64_t o = blockIdx.x; o < outCount; o += gridDim.x) {
    const int64_t base = offsetOf(o, kept);
    const int64_t sBase = paramOffset(o, kept, ss.kept), bBase = paramOffset(o, kept, bs.kept);
    // As the CPU kernel: the sum runs on data shifted by its first element (a float sum of the
    // data itself loses ~1e-5 of a mean of 100 over 4096 elements), the mean is formed in double
    // and subtracted as float high + low parts, so data far from zero keep float accuracy.
    const float pivot = redCount > 0 ? F<T>::load(x[base]) : 0.f;
    float s = 0.f;
    for (int64_t r = threadIdx.x; r < redCount; r += blockDim.x) s += F<T>::load(x[base + offsetOf(r, red)]) - pivot;
    const double meanD = static_cast<double>(pivot) + static_cast<double>(blockReduce(s, kSum)) / static_cast<double>(redCount);
    const float mean = static_cast<float>(meanD);
    const float meanLo = static_cast<float>(meanD - static_cast<double>(mean));
    float v = 0.f;
    for (int64_t r = threadIdx.x; r < redCount; r += blockDim.x) {
      const float d = (F<T>::load(x[base + offsetOf(r, red)]) - mean) - meanLo;
      v += d * d;
    }
    const float rstd = static_cast<float>(1.0 / sqrt(static_cast<double>(blockReduce(v, kSum)) / static_cast<double>(redCount) + eps));
    for (int64_t r = threadIdx.x; r < redCount; r += blockDim.x) {
      const int64_t off = base + offsetOf(r, red);
      const float g = F<P>::load(scale[sBase + paramOffset(r, red, ss.red)]);
      const float b = F<P>::load(bias[bBase + paramOffset(r, red, bs.red)]);
      y[off] = F<T>::store(((F<T>::load(x[off]) - mean) - meanLo) * rstd * g + b);
    }
  }
}

// ---- Pooling, scale --------------------------------------------------------------------------

// I: the index type (32-bit when the tensors allow: 64-bit division is slow on the GPU).
template <typename T, typename I>
__global__ void poolK(const T* in, T* out, int64_t planes, PoolGeometry geom, int type, float blend, bool exclude, I n) {
  I gin[3], gout[3], gk[3], gs[3], gpre[3], gpost[3];
  for (int a = 0; a < 3; ++a) {
    gin[a] = static_cast<I>(geom.in[a]);
    gout[a] = static_cast<I>(geom.out[a]);
    gk[a] = static_cast<I>(geom.kernel[a]);
    gs[a] = static_cast<I>(geom.stride[a]);
    gpre[a] = static_cast<I>(geom.pre[a]);
    gpost[a] = static_cast<I>(geom.post[a]);
  }
  (void)planes;
  for (I i = blockIdx.x * static_cast<I>(blockDim.x) + threadIdx.x; i < n; i += static_cast<I>(blockDim.x) * gridDim.x) {
    I rest = i;
    const I ox = rest % gout[2];
    rest /= gout[2];
    const I oy = rest % gout[1];
    rest /= gout[1];
    const I oz = rest % gout[0];
    const I p = rest / gout[0];
    const I o[3] = {oz, oy, ox};
    I lo[3], hi[3], padded = 1, real = 1;
    for (int a = 0; a < 3; ++a) {
      const I start = o[a] * gs[a] - gpre[a];
      lo[a] = start > 0 ? start : 0;
      const I end = start + gk[a];
      hi[a] = end < gin[a] ? end : gin[a];
      if (hi[a] < lo[a]) hi[a] = lo[a];
      const I pe = (end < gin[a] + gpost[a] ? end : gin[a] + gpost[a]) - start;
      padded *= pe > 0 ? pe : 0;
      real *= hi[a] - lo[a];
    }
    const T* plane = in + static_cast<int64_t>(p) * gin[0] * gin[1] * gin[2];
    float mx = -INFINITY, sum = 0.f;
    bool nan = false;
    for (I z = lo[0]; z < hi[0]; ++z)
      for (I y = lo[1]; y < hi[1]; ++y)
        for (I x = lo[2]; x < hi[2]; ++x) {
          const float v = F<T>::load(plane[(z * gin[1] + y) * gin[2] + x]);
          nan = nan || v != v;
          mx = fmaxf(mx, v);
          sum += v;
        }
    if (nan) mx = NAN;
    float r;
    if (real == 0) {
      r = 0.f;
    } else if (type == 0) {
      r = mx;
    } else {
      const float avg = sum / static_cast<float>(exclude ? real : padded);
      r = type == 1 ? avg : (1.f - blend) * mx + blend * avg;
    }
    out[i] = F<T>::store(r);
  }
}

template <typename T>
__global__ void scaleK(const T* x, T* y, int64_t n, int64_t channels, int64_t inner, int mode, const float* sc,
                       const float* sh, const float* pw) {
  TRTN_GRID_LOOP(i, n) {
    const int64_t c = (i / inner) % channels, in = i % inner;
    const int64_t p = mode == 0 ? 0 : mode == 1 ? c : c * inner + in;
    float v = F<T>::load(x[i]);
    if (sc) v *= sc[p];
    if (sh) v += sh[p];
    if (pw) v = powf(v, pw[p]);
    y[i] = F<T>::store(v);
  }
}

int reduceThreads(int64_t count) { return count >= 256 ? 256 : count >= 64 ? 64 : 32; }

}  // namespace

void copyStrided(const void* src, int64_t srcOff, const Strided& srcView, void* dst, int64_t dstOff,
                 const Strided& dstView, int elementBytes, cudaStream_t stream) {
  const int64_t n = volumeOf(srcView);
  if (n <= 0) return;
  dispatchSize(elementBytes, [&](auto tag) {
    using U = decltype(tag);
    copyStridedK<U><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const U*>(src), srcOff, srcView, static_cast<U*>(dst),
                                                           dstOff, dstView, n);
  });
  checkLaunch("copy kernel launch");
}

void pad(const void* in, const Strided& inDims, void* out, const Strided& outDims, const int64_t* pre, int elementBytes,
         cudaStream_t stream) {
  const int64_t n = volumeOf(outDims);
  if (n <= 0) return;
  Pre p{};
  for (int d = 0; d < outDims.rank; ++d) p.v[d] = pre[d];
  dispatchSize(elementBytes, [&](auto tag) {
    using U = decltype(tag);
    padK<U><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const U*>(in), inDims, static_cast<U*>(out), outDims, p, n);
  });
  checkLaunch("padding kernel launch");
}

void cast(const void* in, DataType inType, void* out, DataType outType, int64_t count, cudaStream_t stream) {
  if (count <= 0) return;
  const bool toBool = outType == DataType::kBOOL;
  dispatchAll(inType, "CAST", [&](auto ti) {
    using TI = decltype(ti);
    dispatchAll(outType, "CAST", [&](auto to) {
      using TO = decltype(to);
      castK<TI, TO><<<blocksFor(count), kThreads, 0, stream>>>(static_cast<const TI*>(in), static_cast<TO*>(out), count, toBool);
    });
  });
  checkLaunch("cast kernel launch");
}

void elementwise(int op, const void* a, const Strided& aView, const void* b, const Strided& bView, void* out,
                 int64_t count, DataType inType, DataType outType, cudaStream_t stream) {
  (void)outType;
  if (count <= 0) return;
  dispatchAll(inType, "ELEMENTWISE", [&](auto tag) {
    using T = decltype(tag);
    elementwiseK<T><<<blocksFor(count), kThreads, 0, stream>>>(op, static_cast<const T*>(a), aView, static_cast<const T*>(b),
                                                               bView, out, count, inType == DataType::kBOOL);
  });
  checkLaunch("elementwise kernel launch");
}

void unary(int op, const void* in, void* out, int64_t count, DataType inType, DataType outType, cudaStream_t stream) {
  (void)outType;
  if (count <= 0) return;
  dispatchAll(inType, "UNARY", [&](auto tag) {
    using T = decltype(tag);
    unaryK<T><<<blocksFor(count), kThreads, 0, stream>>>(op, static_cast<const T*>(in), out, count);
  });
  checkLaunch("unary kernel launch");
}

void biasActivation(const void* x, void* y, int64_t count, DataType type, const void* bias, int64_t biasLen,
                    int64_t inner, int act, float alpha, float beta, cudaStream_t stream, const void* residual) {
  if (count <= 0) return;
  auto launch = [&](auto tag) {
    using T = decltype(tag);
    auto go = [&](auto index) {
      using I = decltype(index);
      biasActivationK<T, I><<<blocksFor(count), kThreads, 0, stream>>>(
          static_cast<const T*>(x), static_cast<T*>(y), static_cast<I>(count), static_cast<const T*>(bias),
          static_cast<I>(std::max<int64_t>(biasLen, 1)), static_cast<I>(std::max<int64_t>(inner, 1)), act, alpha, beta,
          static_cast<const T*>(residual));
    };
    if (count < (int64_t{1} << 31) - 65536LL * 16 * kThreads) go(int32_t{});
    else go(int64_t{});
  };
  if (type == DataType::kINT32) launch(int32_t{});
  else if (type == DataType::kINT64) launch(int64_t{});
  else dispatchFloat(type, "ACTIVATION", launch);
  checkLaunch("activation kernel launch");
}

bool elementwiseSameShape(int op, const void* a, const void* b, void* out, int64_t count, DataType type,
                          cudaStream_t stream) {
  if (count <= 0 || op > kFLOOR_DIV || (type != DataType::kFLOAT && type != DataType::kHALF && type != DataType::kBF16))
    return false;
  constexpr int V = 4;
  const auto aligned = [](const void* p, size_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; };
  const size_t packBytes = dataTypeSize(type) * V;
  if (count % V != 0 || !aligned(a, packBytes) || !aligned(b, packBytes) || !aligned(out, packBytes)) return false;
  const int64_t packs = count / V;
  dispatchFloat(type, "ELEMENTWISE", [&](auto tag) {
    using T = decltype(tag);
    elementwiseFlatK<T, V><<<blocksFor(packs), kThreads, 0, stream>>>(op, static_cast<const T*>(a),
                                                                       static_cast<const T*>(b), static_cast<T*>(out), packs);
  });
  checkLaunch("elementwise kernel launch");
  return true;
}

void writeValues(void* out, DataType type, const int64_t* values, int count, cudaStream_t stream) {
  if (count <= 0) return;
  TRTN_CHECK(count <= 8, StatusCode::kUnsupported, "SHAPE: tensors of rank above 8 are not supported by the cuda backend");
  Values v{};
  for (int i = 0; i < count; ++i) v.v[i] = values[i];
  if (type == DataType::kINT32) writeValuesK<int32_t><<<1, 32, 0, stream>>>(static_cast<int32_t*>(out), v, count);
  else if (type == DataType::kINT64) writeValuesK<int64_t><<<1, 32, 0, stream>>>(static_cast<int64_t*>(out), v, count);
  else fail(StatusCode::kUnsupported, "SHAPE: output type ", dataTypeName(type), " is not supported by the cuda backend");
  checkLaunch("shape kernel launch");
}

void softmax(const void* in, void* out, DataType type, int64_t outer, int64_t len, int64_t inner, cudaStream_t stream) {
  const int64_t rows = outer * inner;
  if (rows <= 0 || len <= 0) return;
  const int threads = reduceThreads(len);
  dispatchFloat(type, "SOFTMAX", [&](auto tag) {
    using T = decltype(tag);
    softmaxK<T><<<blocksFor(rows, 1), threads, 0, stream>>>(static_cast<const T*>(in), static_cast<T*>(out), outer, len, inner);
  });
  checkLaunch("softmax kernel launch");
}

void reduce(int op, const void* in, const Strided& kept, const Strided& reduced, void* out, DataType type,
            cudaStream_t stream) {
  const int64_t outCount = volumeOf(kept), redCount = volumeOf(reduced);
  if (outCount <= 0) return;
  const int threads = reduceThreads(redCount);
  dispatchFloat(type, "REDUCE", [&](auto tag) {
    using T = decltype(tag);
    reduceK<T><<<blocksFor(outCount, 1), threads, 0, stream>>>(op, static_cast<const T*>(in), kept, reduced,
                                                               static_cast<T*>(out), outCount, redCount);
  });
  checkLaunch("reduce kernel launch");
}

void normalize(const void* x, void* y, const Strided& kept, const Strided& reduced, const void* scale,
               const int64_t* scaleKept, const int64_t* scaleRed, const void* bias, const int64_t* biasKept,
               const int64_t* biasRed, DataType type, DataType paramType, float epsilon, cudaStream_t stream) {
  const int64_t outCount = volumeOf(kept), redCount = volumeOf(reduced);
  if (outCount <= 0 || redCount <= 0) return;
  ParamStrides ss{}, bs{};
  for (int d = 0; d < kept.rank; ++d) {
    ss.kept[d] = scaleKept[d];
    bs.kept[d] = biasKept[d];
  }
  for (int d = 0; d < reduced.rank; ++d) {
    ss.red[d] = scaleRed[d];
    bs.red[d] = biasRed[d];
  }
  const int threads = reduceThreads(redCount);
  dispatchFloat(type, "NORMALIZATION", [&](auto tag) {
    using T = decltype(tag);
    dispatchFloat(paramType, "NORMALIZATION scale/bias", [&](auto ptag) {
      using P = decltype(ptag);
      normalizeK<T, P><<<blocksFor(outCount, 1), threads, 0, stream>>>(static_cast<const T*>(x), static_cast<T*>(y), kept,
                                                                        reduced, static_cast<const P*>(scale),
                                                                        static_cast<const P*>(bias), ss, bs, outCount,
                                                                        redCount, epsilon);
    });
  });
  checkLaunch("normalization kernel launch");
}

void pool(const void* in, void* out, DataType type, int64_t planes, const PoolGeometry& g, int poolType, float blend,
          bool excludePadding, cudaStream_t stream) {
  const int64_t n = planes * g.out[0] * g.out[1] * g.out[2];
  if (n <= 0) return;
  dispatchFloat(type, "POOLING", [&](auto tag) {
    using T = decltype(tag);
    int64_t inVolume = planes;
    for (int a = 0; a < 3; ++a) inVolume *= g.in[a] + g.pre[a] + g.post[a] + g.kernel[a];
    const int64_t limit = (int64_t{1} << 31) - 65536LL * 16 * kThreads;
    if (n < limit && inVolume < limit)
      poolK<T, int32_t><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const T*>(in), static_cast<T*>(out), planes, g,
                                                               poolType, blend, excludePadding, static_cast<int32_t>(n));
    else
      poolK<T, int64_t><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const T*>(in), static_cast<T*>(out), planes, g,
                                                               poolType, blend, excludePadding, n);
  });
  checkLaunch("pooling kernel launch");
}

void scale(const void* x, void* y, DataType type, int64_t rows, int64_t channels, int64_t inner, int mode,
           const float* scaleP, const float* shiftP, const float* powerP, cudaStream_t stream) {
  const int64_t n = rows * channels * inner;
  if (n <= 0) return;
  dispatchFloat(type, "SCALE", [&](auto tag) {
    using T = decltype(tag);
    scaleK<T><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const T*>(x), static_cast<T*>(y), n,
                                                     std::max<int64_t>(channels, 1), std::max<int64_t>(inner, 1), mode,
                                                     scaleP, shiftP, powerP);
  });
  checkLaunch("scale kernel launch");
}


// ---- SELECT, PARAMETRIC_RELU, ONE_HOT, REVERSE_SEQUENCE, CUMULATIVE ------------------------------

namespace {

template <typename U>
__global__ void selectK(const uint8_t* cond, Strided cv, const U* t, Strided tv, const U* e, Strided ev, U* out,
                        int64_t n) {
  TRTN_GRID_LOOP(i, n) out[i] = cond[offsetOf(i, cv)] ? t[offsetOf(i, tv)] : e[offsetOf(i, ev)];
}

template <typename T>
__global__ void preluK(const T* x, Strided xv, const T* s, Strided sv, T* out, int64_t n) {
  TRTN_GRID_LOOP(i, n) {
    const float v = F<T>::load(x[offsetOf(i, xv)]);
    const float sl = F<T>::load(s[offsetOf(i, sv)]);
    out[i] = F<T>::store(v >= 0.f ? v : sl * v);
  }
}

template <typename U, typename I>
__global__ void oneHotK(const I* indices, const U* values, U* out, int64_t depth, int64_t inner, int64_t n) {
  TRTN_GRID_LOOP(t, n) {
    const int64_t i = t % inner, rest = t / inner;
    const int64_t d = rest % depth, o = rest / depth;
    int64_t v = static_cast<int64_t>(indices[o * inner + i]);
    if (v < 0) v += depth;
    out[t] = v == d ? values[1] : values[0];
  }
}

template <typename U, typename I>
__global__ void reverseSequenceK(const U* in, U* out, const I* lens, int64_t batchStride, int64_t batchLen,
                                 int64_t seqStride, int64_t seqLen, int64_t n) {
  TRTN_GRID_LOOP(i, n) {
    const int64_t b = (i / batchStride) % batchLen;
    const int64_t s = (i / seqStride) % seqLen;
    int64_t L = static_cast<int64_t>(lens[b]);
    L = L < 0 ? 0 : L > seqLen ? seqLen : L;
    const int64_t from = s < L ? L - 1 - s : s;
    out[i] = in[i + (from - s) * seqStride];
  }
}

// One thread per line along the axis; floats accumulate in double (rounded once per output, via
// float as the CPU backend), integers in int64 with wrap-around.
template <typename T>
__global__ void cumulativeK(const T* x, T* y, int64_t outer, int64_t A, int64_t inner, bool prod, bool exclusive,
                            bool reverse) {
  TRTN_GRID_LOOP(line, outer * inner) {
    const int64_t o = line / inner, in = line % inner;
    if constexpr (kIsFloat<T>) {
      double acc = prod ? 1.0 : 0.0;
      for (int64_t s = 0; s < A; ++s) {
        const int64_t a = reverse ? A - 1 - s : s;
        const int64_t at = (o * A + a) * inner + in;
        const double v = static_cast<double>(F<T>::load(x[at]));
        const double before = acc;
        acc = prod ? before * v : before + v;
        y[at] = F<T>::store(static_cast<float>(exclusive ? before : acc));
      }
    } else {
      uint64_t acc = prod ? 1u : 0u;
      for (int64_t s = 0; s < A; ++s) {
        const int64_t a = reverse ? A - 1 - s : s;
        const int64_t at = (o * A + a) * inner + in;
        const uint64_t v = static_cast<uint64_t>(static_cast<int64_t>(x[at]));
        const uint64_t before = acc;
        acc = prod ? before * v : before + v;
        y[at] = static_cast<T>(static_cast<int64_t>(exclusive ? before : acc));
      }
    }
  }
}

}  // namespace

void select(const void* cond, const Strided& condView, const void* thenData, const Strided& thenView,
            const void* elseData, const Strided& elseView, void* out, int64_t count, int elementBytes,
            cudaStream_t stream) {
  if (count <= 0) return;
  dispatchSize(elementBytes, [&](auto tag) {
    using U = decltype(tag);
    selectK<U><<<blocksFor(count), kThreads, 0, stream>>>(static_cast<const uint8_t*>(cond), condView,
                                                          static_cast<const U*>(thenData), thenView,
                                                          static_cast<const U*>(elseData), elseView,
                                                          static_cast<U*>(out), count);
  });
  checkLaunch("select kernel launch");
}

void parametricRelu(const void* x, const Strided& xView, const void* slope, const Strided& slopeView, void* out,
                    int64_t count, DataType type, cudaStream_t stream) {
  if (count <= 0) return;
  dispatchFloat(type, "PARAMETRIC_RELU", [&](auto tag) {
    using T = decltype(tag);
    preluK<T><<<blocksFor(count), kThreads, 0, stream>>>(static_cast<const T*>(x), xView, static_cast<const T*>(slope),
                                                         slopeView, static_cast<T*>(out), count);
  });
  checkLaunch("parametric relu kernel launch");
}

void oneHot(const void* indices, DataType indexType, const void* values, void* out, int64_t outer, int64_t depth,
            int64_t inner, int elementBytes, cudaStream_t stream) {
  const int64_t n = outer * depth * inner;
  if (n <= 0) return;
  dispatchSize(elementBytes, [&](auto tag) {
    using U = decltype(tag);
    if (indexType == DataType::kINT64)
      oneHotK<U, int64_t><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const int64_t*>(indices),
                                                                 static_cast<const U*>(values), static_cast<U*>(out),
                                                                 depth, inner, n);
    else
      oneHotK<U, int32_t><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const int32_t*>(indices),
                                                                 static_cast<const U*>(values), static_cast<U*>(out),
                                                                 depth, inner, n);
  });
  checkLaunch("one hot kernel launch");
}

void reverseSequence(const void* in, void* out, const void* lens, DataType lensType, int64_t count, int64_t batchStride,
                     int64_t batchLen, int64_t seqStride, int64_t seqLen, int elementBytes, cudaStream_t stream) {
  if (count <= 0) return;
  dispatchSize(elementBytes, [&](auto tag) {
    using U = decltype(tag);
    if (lensType == DataType::kINT64)
      reverseSequenceK<U, int64_t><<<blocksFor(count), kThreads, 0, stream>>>(
          static_cast<const U*>(in), static_cast<U*>(out), static_cast<const int64_t*>(lens), batchStride, batchLen,
          seqStride, seqLen, count);
    else
      reverseSequenceK<U, int32_t><<<blocksFor(count), kThreads, 0, stream>>>(
          static_cast<const U*>(in), static_cast<U*>(out), static_cast<const int32_t*>(lens), batchStride, batchLen,
          seqStride, seqLen, count);
  });
  checkLaunch("reverse sequence kernel launch");
}

void cumulative(const void* x, void* y, DataType type, int64_t outer, int64_t axisLen, int64_t inner, bool prod,
                bool exclusive, bool reverse, cudaStream_t stream) {
  const int64_t lines = outer * inner;
  if (lines <= 0 || axisLen <= 0) return;
  auto go = [&](auto tag) {
    using T = decltype(tag);
    cumulativeK<T><<<blocksFor(lines), kThreads, 0, stream>>>(static_cast<const T*>(x), static_cast<T*>(y), outer,
                                                              axisLen, inner, prod, exclusive, reverse);
  };
  switch (type) {
    case DataType::kFLOAT: go(float{}); break;
    case DataType::kHALF: go(__half{}); break;
    case DataType::kBF16: go(bf16{}); break;
    case DataType::kINT32: go(int32_t{}); break;
    case DataType::kINT64: go(int64_t{}); break;
    default: fail(StatusCode::kUnsupported, "CUMULATIVE: the cuda backend does not support ", dataTypeName(type));
  }
  checkLaunch("cumulative kernel launch");
}

}  // namespace trtn::cuda::kernels
