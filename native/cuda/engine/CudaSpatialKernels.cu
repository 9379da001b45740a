// Kernels of DECONVOLUTION (col2im), RESIZE, TOPK, FILL, GRID_SAMPLE and LRN: grid-stride loops
// that follow the CPU kernels' formulas, rounding and summation orders (16-bit floats computed
// in float, sample positions and random numbers in double), so results match the cpu backend to
// a few ulps. Where a multiply-add decides a rounding or tie (sample coordinates, LINSPACE, the
// random transforms) it is written with __dmul_rn/__dadd_rn, which nvcc does not contract into
// an FMA, so it rounds as the CPU's separate operations.
#include "CudaSpatialKernels.h"

// Integer templates also serve unsigned types, where sign tests are constant.
#pragma nv_diag_suppress 186

#include <algorithm>
#include <cmath>

#include "CudaDevice.cuh"

namespace trtn::cuda::kernels {

namespace {

// ---- DECONVOLUTION: col2im ------------------------------------------------------------------

// The input position i along axis `a` that kernel tap `kk` scatters to output position o, if any.
__device__ __forceinline__ bool deconvSource(const DeconvGeometry& g, int a, int64_t o, int64_t kk, int64_t& i) {
  const int64_t num = o + g.pre[a] - kk * g.dilation[a];
  if (num < 0 || num % g.stride[a] != 0) return false;
  i = num / g.stride[a];
  return i < g.in[a];
}

// One thread per output element gathers its taps in the order the CPU's scatter adds them
// (kernel position ascending, after the bias), so no atomics and the same float sums.
template <typename T>
__global__ void col2imK(const float* col, DeconvGeometry g, const float* bias, T* out, int64_t n) {
  const int64_t outSp = g.out[0] * g.out[1] * g.out[2];
  const int64_t inSp = g.in[0] * g.in[1] * g.in[2];
  const int64_t kvol = g.kernel[0] * g.kernel[1] * g.kernel[2];
  TRTN_GRID_LOOP(t, n) {
    const int64_t k = t / outSp, o = t % outSp;
    const int64_t ox = o % g.out[2], oy = (o / g.out[2]) % g.out[1], oz = o / (g.out[2] * g.out[1]);
    const float* rows = col + k * kvol * inSp;
    float acc = bias ? bias[k] : 0.f;
    for (int64_t kz = 0; kz < g.kernel[0]; ++kz) {
      int64_t iz;
      if (!deconvSource(g, 0, oz, kz, iz)) continue;
      for (int64_t ky = 0; ky < g.kernel[1]; ++ky) {
        int64_t iy;
        if (!deconvSource(g, 1, oy, ky, iy)) continue;
        for (int64_t kx = 0; kx < g.kernel[2]; ++kx) {
          int64_t ix;
          if (!deconvSource(g, 2, ox, kx, ix)) continue;
          const int64_t kpos = (kz * g.kernel[1] + ky) * g.kernel[2] + kx;
          acc += rows[kpos * inSp + (iz * g.in[1] + iy) * g.in[2] + ix];
        }
      }
    }
    out[t] = F<T>::store(acc);
  }
}

// ---- RESIZE ---------------------------------------------------------------------------------

constexpr int kTapsPerCoord = 4;  // the widest filter (CUBIC); tables keep 4 slots per coordinate
constexpr size_t kCountsBytes = 64;

// Where each dim's taps start in the tables (prefix sums of the output dims), plus the strides.
struct ResizeLayout {
  int rank;
  int64_t out[kMaxDims];
  int64_t inStride[kMaxDims];
  int64_t start[kMaxDims + 1];
};

__device__ __forceinline__ double cubicWeight(double x, double A) {
  x = fabs(x);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

// One thread per (dim, output coordinate): its input indices and weights, as the CPU's makeTaps;
// each dim's first coordinate also records how many taps the dim uses (1 where it is unchanged).
__global__ void resizeTapsK(ResizeParams p, const float* runtimeScales, ResizeLayout l, int* counts, int64_t* index,
                            float* weight, int64_t n) {
  TRTN_GRID_LOOP(t, n) {
    int d = 0;
    while (t >= l.start[d + 1]) ++d;
    const int64_t o = t - l.start[d];
    const int64_t inSize = p.in[d], outSize = p.out[d];
    double scale = runtimeScales ? static_cast<double>(runtimeScales[d]) : p.scale[d];
    if (!(scale > 0)) scale = 0;
    int64_t* idx = index + t * kTapsPerCoord;
    float* w = weight + t * kTapsPerCoord;
    if (inSize == outSize && (scale == 0.0 || scale == 1.0)) {
      if (o == 0) counts[d] = 1;
      idx[0] = o;
      w[0] = 1.f;
      continue;
    }
    const int count = p.mode == 0 ? 1 : p.mode == 1 ? 2 : 4;
    if (o == 0) counts[d] = count;
    // The input coordinate with one division, as the CPU kernel (exact ties stay exact).
    const double resized = scale > 0 ? __dmul_rn(static_cast<double>(inSize), scale) : static_cast<double>(outSize);
    auto toInput = [&](double v) {
      return scale > 0 ? v / scale : v * static_cast<double>(inSize) / static_cast<double>(outSize);
    };
    double x;
    if (outSize == 1 && p.selector == 1) x = 0;
    else if (p.transform == 0) x = resized > 1 ? static_cast<double>(o) * static_cast<double>(inSize - 1) / (resized - 1) : 0;
    else if (p.transform == 1) x = toInput(static_cast<double>(o));
    else x = toInput(static_cast<double>(o) + 0.5) - 0.5;
    const int64_t last = inSize - 1;
    auto clampIdx = [&](int64_t i) { return i < 0 ? 0 : i > last ? last : i; };
    if (p.mode == 0) {
      double r;
      switch (p.rounding) {
        case 0: r = floor(x + 0.5); break;
        case 1: r = ceil(x - 0.5); break;
        case 3: r = ceil(x); break;
        default: r = floor(x); break;
      }
      idx[0] = clampIdx(static_cast<int64_t>(r));
      w[0] = 1.f;
      continue;
    }
    const double fl = floor(x);
    const int64_t i0 = static_cast<int64_t>(fl);
    const double f = x - fl;
    double ws[4];
    int64_t is[4];
    if (p.mode == 1) {
      is[0] = i0;
      is[1] = i0 + 1;
      ws[0] = 1 - f;
      ws[1] = f;
    } else {
      for (int k = 0; k < 4; ++k) {
        is[k] = i0 - 1 + k;
        ws[k] = cubicWeight(f - (k - 1), p.cubicA);
      }
    }
    if (p.excludeOutside) {
      double sum = 0;
      for (int k = 0; k < count; ++k) {
        if (is[k] < 0 || is[k] > last) ws[k] = 0;
        sum += ws[k];
      }
      if (sum != 0)
        for (int k = 0; k < count; ++k) ws[k] /= sum;
    }
    for (int k = 0; k < count; ++k) {
      idx[k] = clampIdx(is[k]);
      w[k] = static_cast<float>(ws[k]);
    }
  }
}

template <typename U>
__global__ void resizeNearestK(const U* x, U* y, ResizeLayout l, const int64_t* index, int64_t n) {
  TRTN_GRID_LOOP(t, n) {
    int64_t rest = t, off = 0;
    for (int d = l.rank - 1; d >= 0; --d) {
      const int64_t c = rest % l.out[d];
      rest /= l.out[d];
      off += index[(l.start[d] + c) * kTapsPerCoord] * l.inStride[d];
    }
    y[t] = x[off];
  }
}

// Each output element: the tap combinations over the outer dims in the CPU's order (first dim
// slowest; combinations with a zero outer weight dropped), each a weighted row of last-dim taps.
template <typename T>
__global__ void resizeInterpolateK(const T* x, T* y, ResizeLayout l, const int* counts, const int64_t* index,
                                   const float* weight, int64_t n) {
  TRTN_GRID_LOOP(t, n) {
    const int last = l.rank - 1;
    int64_t coord[kMaxDims];
    int64_t rest = t;
    for (int d = last; d >= 0; --d) {
      coord[d] = rest % l.out[d];
      rest /= l.out[d];
    }
    const int64_t lastTaps = (l.start[last] + coord[last]) * kTapsPerCoord;
    const int lastCount = counts[last];
    int k[kMaxDims] = {};
    float acc = 0.f;
    bool first = true;
    for (;;) {
      int64_t off = 0;
      float cw = 1.f;
      bool dropped = false;
      for (int d = 0; d < last; ++d) {
        const int64_t e = (l.start[d] + coord[d]) * kTapsPerCoord + k[d];
        if (counts[d] > 1) {
          const float w = weight[e];
          if (w == 0.f) {
            dropped = true;
            break;
          }
          cw = cw * w;
        }
        off += index[e] * l.inStride[d];
      }
      if (!dropped) {
        float part = 0.f;
        for (int j = 0; j < lastCount; ++j)
          part += weight[lastTaps + j] * F<T>::load(x[off + index[lastTaps + j] * l.inStride[last]]);
        acc = first ? cw * part : acc + cw * part;
        first = false;
      }
      int d = last - 1;
      for (; d >= 0; --d) {
        if (++k[d] < counts[d]) break;
        k[d] = 0;
      }
      if (d < 0) break;
    }
    y[t] = F<T>::store(acc);
  }
}

// ---- TOPK -----------------------------------------------------------------------------------

template <typename T>
struct Ranked {
  using type = T;  // integers compare as stored
  static __device__ __forceinline__ T load(T v) { return v; }
};
template <>
struct Ranked<__half> {
  using type = float;
  static __device__ __forceinline__ float load(__half v) { return __half2float(v); }
};
template <>
struct Ranked<bf16> {
  using type = float;
  static __device__ __forceinline__ float load(bf16 v) { return __bfloat162float(v); }
};

// Whether element a (value va) ranks before element b: the CPU kernel's order.
template <typename V>
__device__ __forceinline__ bool ranksBefore(V va, int64_t a, V vb, int64_t b, bool isMax) {
  if constexpr (std::is_floating_point_v<V>) {
    const bool na = va != va, nb = vb != vb;
    if (na || nb) {
      if (na && nb) return a < b;
      return isMax ? na : nb;
    }
  }
  if (va != vb) return isMax ? va > vb : va < vb;
  return a < b;
}

// One block per line: each element's rank is the number of elements ranked before it (a strict
// total order, so ranks are distinct); the k of rank below k go to their place. The line sits in
// shared memory when it fits.
template <typename T, typename I>
__global__ void topKK(const T* x, T* values, I* indices, int64_t lines, int64_t A, int64_t inner, int64_t K, bool isMax,
                      bool cached) {
  using R = Ranked<T>;
  using V = typename R::type;
  extern __shared__ __align__(16) unsigned char topKShared[];
  V* line = reinterpret_cast<V*>(topKShared);
  for (int64_t row = blockIdx.x; row < lines; row += gridDim.x) {
    const int64_t o = row / inner, i = row % inner;
    const int64_t inBase = o * A * inner + i, outBase = o * K * inner + i;
    if (cached) {
      for (int64_t a = threadIdx.x; a < A; a += blockDim.x) line[a] = R::load(x[inBase + a * inner]);
      __syncthreads();
    }
    for (int64_t a = threadIdx.x; a < A; a += blockDim.x) {
      const V va = cached ? line[a] : R::load(x[inBase + a * inner]);
      int64_t rank = 0;
      for (int64_t b = 0; b < A && rank < K; ++b) {
        if (b == a) continue;
        const V vb = cached ? line[b] : R::load(x[inBase + b * inner]);
        if (ranksBefore(vb, b, va, a, isMax)) ++rank;
      }
      if (rank < K) {
        values[outBase + rank * inner] = x[inBase + a * inner];
        indices[outBase + rank * inner] = static_cast<I>(a);
      }
    }
    __syncthreads();  // the next line reuses the shared copy
  }
}

// ---- FILL -----------------------------------------------------------------------------------

struct ParamValue {
  double value;
  int64_t exact;  // the integer value when `integral`
  bool integral;  // an integer that fits int64 exactly (exact LINSPACE on integer outputs)
};

__device__ __forceinline__ ParamValue intParam(int64_t v) { return {static_cast<double>(v), v, true}; }

// Value i of a FILL parameter as the CPU's readParam sees it: integer tensors are always
// integral; float values when they are whole and below 9e15 in magnitude.
__device__ ParamValue paramAt(const FillParam& p, int i) {
  double v;
  if (p.data) {
    switch (p.type) {
      case DataType::kINT8: return intParam(static_cast<const int8_t*>(p.data)[i]);
      case DataType::kUINT8: return intParam(static_cast<const uint8_t*>(p.data)[i]);
      case DataType::kINT32: return intParam(static_cast<const int32_t*>(p.data)[i]);
      case DataType::kINT64: return intParam(static_cast<const int64_t*>(p.data)[i]);
      case DataType::kHALF: v = __half2float(static_cast<const __half*>(p.data)[i]); break;
      case DataType::kBF16: v = __bfloat162float(static_cast<const bf16*>(p.data)[i]); break;
      default: v = static_cast<const float*>(p.data)[i]; break;
    }
  } else {
    v = p.values[i];
  }
  const bool integral = floor(v) == v && fabs(v) < 9.0e15;
  return {v, integral ? static_cast<int64_t>(v) : 0, integral};
}

__device__ __forceinline__ int64_t wrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
__device__ __forceinline__ int64_t wrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

struct FillShape {
  int rank;
  int64_t dims[kMaxDims];
};

// LINSPACE: out[i] = alpha + sum_d beta_d * i_d (one beta: the last dim's step). Integer outputs
// use wrapping int64 arithmetic when alpha and every beta are integers, else the double value
// truncated toward zero and saturated (NaN gives 0).
template <typename T>
__global__ void linspaceK(T* out, FillShape s, FillParam alphaP, FillParam betaP, int64_t n) {
  const int rank = s.rank;
  const ParamValue alpha = paramAt(alphaP, 0);
  double bd[kMaxDims] = {};
  int64_t bi[kMaxDims] = {};
  bool betaIntegral = true;
  const int nb = betaP.count;
  for (int j = 0; j < nb; ++j) betaIntegral = betaIntegral && paramAt(betaP, j).integral;
  for (int j = 0; j < nb; ++j) {
    const ParamValue b = paramAt(betaP, j);
    const int d = nb == rank ? j : rank - 1;
    if (d < 0) break;
    bd[d] = b.value;
    if (betaIntegral) bi[d] = b.exact;
  }
  const bool exactInt = !std::is_same_v<T, float> && alpha.integral && betaIntegral;
  const int64_t inner = rank > 0 ? s.dims[rank - 1] : 1;
  TRTN_GRID_LOOP(t, n) {
    int64_t row = t / inner;
    const int64_t j = t % inner;
    if (exactInt) {
      int64_t base = alpha.exact;
      for (int d = rank - 2; d >= 0; --d) {
        base = wrapAdd(base, wrapMul(bi[d], row % s.dims[d]));
        row /= s.dims[d];
      }
      const int64_t v = wrapAdd(base, wrapMul(rank > 0 ? bi[rank - 1] : 0, j));
      out[t] = static_cast<T>(v);
    } else {
      double base = alpha.value;
      for (int d = rank - 2; d >= 0; --d) {
        base = __dadd_rn(base, __dmul_rn(bd[d], static_cast<double>(row % s.dims[d])));
        row /= s.dims[d];
      }
      double v = __dadd_rn(base, __dmul_rn(rank > 0 ? bd[rank - 1] : 0.0, static_cast<double>(j)));
      if constexpr (std::is_same_v<T, float>) {
        out[t] = static_cast<float>(v);
      } else if constexpr (std::is_same_v<T, int32_t>) {
        if (!(v == v)) v = 0.0;
        out[t] = static_cast<int32_t>(fmin(fmax(v, -2147483648.0), 2147483647.0));
      } else {
        if (!(v == v)) v = 0.0;
        out[t] = static_cast<int64_t>(fmin(fmax(v, -9223372036854775808.0), 9223372036854774784.0));
      }
    }
  }
}

// The CPU kernel's counter-based SplitMix64 stream: element i uses position i (uniform) or
// 2i, 2i+1 (normal), so both backends draw the same numbers.
__device__ __forceinline__ uint64_t splitmix64At(uint64_t seed, uint64_t position) {
  uint64_t z = seed + (position + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

__device__ __forceinline__ double unitInterval(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

template <typename T>
__global__ void randomK(T* out, bool normal, FillParam alphaP, FillParam betaP, uint64_t seed, int64_t n) {
  const double a = paramAt(alphaP, 0).value, b = paramAt(betaP, 0).value;
  const float fa = static_cast<float>(a), fb = static_cast<float>(b);
  TRTN_GRID_LOOP(i, n) {
    float v;
    if (!normal) {
      const double u = unitInterval(splitmix64At(seed, static_cast<uint64_t>(i)));
      v = static_cast<float>(__dadd_rn(a, __dmul_rn(b - a, u)));
      if (fb > fa && v >= fb) v = nextafterf(fb, fa);  // keep the upper bound exclusive
    } else {
      const uint64_t p = static_cast<uint64_t>(i) * 2;
      const double u1 = 1.0 - unitInterval(splitmix64At(seed, p));  // (0, 1]
      const double u2 = unitInterval(splitmix64At(seed, p + 1));
      const double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
      v = static_cast<float>(__dadd_rn(a, __dmul_rn(b, z)));
    }
    out[i] = F<T>::store(v);
  }
}

// ---- GRID_SAMPLE ----------------------------------------------------------------------------

// Reflects x into [lo, hi] by its nearer border, as often as needed (span 0 gives lo).
__device__ double reflectInto(double x, double lo, double hi) {
  const double span = hi - lo;
  if (!(span > 0)) return lo;
  if (x >= lo && x <= hi) return x;
  const double d = x < lo ? lo - x : x - hi;
  const double m = fmod(d, 2 * span);
  const double near = x < lo ? lo : hi, far = x < lo ? hi : lo;
  const double dir = x < lo ? 1 : -1;
  return m <= span ? __dadd_rn(near, __dmul_rn(dir, m)) : __dsub_rn(far, __dmul_rn(dir, m - span));
}

// The taps of normalised coordinate g along a dim of `size` (index -1 reads zero), in double as
// the CPU kernel.
__device__ int gridTaps(const GridSampleParams& p, double g, int64_t size, int64_t* idx, float* w) {
  const double D = static_cast<double>(size);
  double x = p.alignCorners ? (g + 1) / 2 * (D - 1) : __dsub_rn(__dmul_rn(g + 1, D), 1) / 2;
  const double lo = p.alignCorners ? 0 : -0.5, hi = p.alignCorners ? D - 1 : D - 0.5;
  const int count = p.mode == 0 ? 1 : p.mode == 1 ? 2 : 4;
  if (isnan(x)) {
    for (int k = 0; k < count; ++k) idx[k] = -1, w[k] = 0;
    return count;
  }
  if (p.mode == 0) x = rint(x);  // half to even
  if (x < lo || x > hi) {
    if (p.sampleMode == 2) x = fmin(fmax(x, 0.0), D - 1);
    else if (p.sampleMode == 4) x = isfinite(x) ? reflectInto(x, lo, hi) : lo;
    else x = fmin(fmax(x, -16.0), D + 16);
  }
  const double fl = floor(x);
  const int64_t i0 = static_cast<int64_t>(fl);
  const double f = x - fl;
  if (p.mode == 0) {
    idx[0] = i0;
    w[0] = 1;
  } else if (p.mode == 1) {
    idx[0] = i0, idx[1] = i0 + 1;
    w[0] = static_cast<float>(1 - f), w[1] = static_cast<float>(f);
  } else {
    constexpr double A = -0.75;
    const double a = f + 1, b = f, c = 1 - f, d = 2 - f;
    for (int k = 0; k < 4; ++k) idx[k] = i0 - 1 + k;
    w[0] = static_cast<float>(((A * a - 5 * A) * a + 8 * A) * a - 4 * A);
    w[1] = static_cast<float>(((A + 2) * b - (A + 3)) * b * b + 1);
    w[2] = static_cast<float>(((A + 2) * c - (A + 3)) * c * c + 1);
    w[3] = static_cast<float>(((A * d - 5 * A) * d + 8 * A) * d - 4 * A);
  }
  for (int k = 0; k < count; ++k) {
    int64_t i = idx[k];
    if (i >= 0 && i < size) continue;
    if (p.sampleMode == 2) i = i < 0 ? 0 : size - 1;
    else if (p.sampleMode == 4) i = static_cast<int64_t>(reflectInto(static_cast<double>(i), lo, hi));
    else i = -1;
    idx[k] = i;
  }
  return count;
}

constexpr int kMaxGridCombos = 16;  // CUBIC in 2-D; LINEAR in 3-D needs 8

// One thread per (image, output point): its tap combinations once, then every channel.
template <typename T>
__global__ void gridSampleK(const T* x, const T* grid, T* y, GridSampleParams p, int64_t points, int64_t n) {
  const int S = p.spatial;
  int64_t xs[3];
  int64_t plane = 1;
  for (int d = S - 1; d >= 0; --d) {
    xs[d] = plane;
    plane *= p.in[d];
  }
  TRTN_GRID_LOOP(t, n) {
    const int64_t img = t / points, pt = t % points;
    int64_t idx[3][4];
    float w[3][4];
    int count = 1;
    for (int d = 0; d < S; ++d)
      count = gridTaps(p, static_cast<double>(F<T>::load(grid[t * S + (S - 1 - d)])), p.in[d], idx[d], w[d]);
    int combos = 1;
    for (int d = 0; d < S; ++d) combos *= count;
    int64_t off[kMaxGridCombos];
    float wt[kMaxGridCombos];
    int m = 0;
    for (int c = 0; c < combos; ++c) {
      int64_t o = 0;
      int rem = c;
      float wc = 1;
      bool valid = true;
      for (int d = S - 1; d >= 0; --d) {
        const int k = rem % count;
        rem /= count;
        if (idx[d][k] < 0) {
          valid = false;
          break;
        }
        o += idx[d][k] * xs[d];
        wc *= w[d][k];
      }
      if (!valid) continue;
      off[m] = o;
      wt[m] = wc;
      ++m;
    }
    const T* xb = x + img * p.channels * plane;
    T* yb = y + img * p.channels * points + pt;
    for (int64_t ch = 0; ch < p.channels; ++ch) {
      float acc = 0;
      for (int k = 0; k < m; ++k) acc += wt[k] * F<T>::load(xb[ch * plane + off[k]]);
      yb[ch * points] = F<T>::store(acc);
    }
  }
}

// ---- LRN ------------------------------------------------------------------------------------

template <typename T>
__global__ void lrnK(const T* x, T* y, int64_t channels, int64_t inner, int64_t half, float scale, float k,
                     float negBeta, int64_t n) {
  TRTN_GRID_LOOP(t, n) {
    const int64_t c = (t / inner) % channels;
    const int64_t base = t - c * inner;  // channel 0 of this point
    const int64_t lo = c - half < 0 ? 0 : c - half, hi = c + half > channels - 1 ? channels - 1 : c + half;
    float acc = 0.f;
    for (int64_t cc = lo; cc <= hi; ++cc) {
      const float v = F<T>::load(x[base + cc * inner]);
      acc = __fadd_rn(acc, __fmul_rn(v, v));
    }
    const float v = F<T>::load(x[t]);
    y[t] = F<T>::store(v * powf(__fadd_rn(k, __fmul_rn(scale, acc)), negBeta));
  }
}

}  // namespace

// ---- Launchers ------------------------------------------------------------------------------

void col2im(const float* col, int64_t channels, const DeconvGeometry& g, const float* bias, void* out,
            DataType outType, cudaStream_t stream) {
  const int64_t n = channels * g.out[0] * g.out[1] * g.out[2];
  if (n <= 0) return;
  dispatchFloat(outType, "DECONVOLUTION", [&](auto tag) {
    using T = decltype(tag);
    col2imK<T><<<blocksFor(n), kThreads, 0, stream>>>(col, g, bias, static_cast<T*>(out), n);
  });
  checkLaunch("deconvolution col2im kernel launch");
}

namespace {

ResizeLayout layoutOf(const ResizeParams& p) {
  ResizeLayout l{};
  l.rank = p.rank;
  int64_t stride = 1;
  for (int d = p.rank - 1; d >= 0; --d) {
    l.out[d] = p.out[d];
    l.inStride[d] = stride;
    stride *= p.in[d];
  }
  l.start[0] = 0;
  for (int d = 0; d < p.rank; ++d) l.start[d + 1] = l.start[d] + p.out[d];
  for (int d = p.rank + 1; d <= kMaxDims; ++d) l.start[d] = l.start[p.rank];
  return l;
}

}  // namespace

size_t resizeWorkspaceBytes(const ResizeParams& p) {
  int64_t coords = 0;
  for (int d = 0; d < p.rank; ++d) coords += std::max<int64_t>(p.out[d], 0);
  const size_t entries = static_cast<size_t>(coords) * kTapsPerCoord;
  return kCountsBytes + alignScratch(entries * sizeof(int64_t)) + alignScratch(entries * sizeof(float));
}

void resize(const void* x, void* y, DataType type, const ResizeParams& p, const float* runtimeScales, void* workspace,
            size_t workspaceBytes, cudaStream_t stream) {
  TRTN_CHECK(p.rank >= 1 && p.rank <= kMaxDims, StatusCode::kUnsupported, "RESIZE: rank ", p.rank,
             " is not supported by the cuda backend (1 to ", kMaxDims, ")");
  int64_t n = 1;
  for (int d = 0; d < p.rank; ++d) n *= p.out[d];
  if (n <= 0) return;
  TRTN_CHECK(workspace && workspaceBytes >= resizeWorkspaceBytes(p), StatusCode::kInternal,
             "RESIZE: the workspace is smaller than the tap tables");
  const ResizeLayout l = layoutOf(p);
  const int64_t coords = l.start[p.rank];
  const size_t entries = static_cast<size_t>(coords) * kTapsPerCoord;
  char* base = static_cast<char*>(workspace);
  int* counts = reinterpret_cast<int*>(base);
  int64_t* index = reinterpret_cast<int64_t*>(base + kCountsBytes);
  float* weight = reinterpret_cast<float*>(base + kCountsBytes + alignScratch(entries * sizeof(int64_t)));
  resizeTapsK<<<blocksFor(coords), kThreads, 0, stream>>>(p, runtimeScales, l, counts, index, weight, coords);
  checkLaunch("resize taps kernel launch");
  if (p.mode == 0) {
    dispatchSize(static_cast<int>(dataTypeSize(type)), [&](auto tag) {
      using U = decltype(tag);
      resizeNearestK<U><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const U*>(x), static_cast<U*>(y), l, index, n);
    });
  } else {
    dispatchFloat(type, "RESIZE", [&](auto tag) {
      using T = decltype(tag);
      resizeInterpolateK<T><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const T*>(x), static_cast<T*>(y), l, counts,
                                                                    index, weight, n);
    });
  }
  checkLaunch("resize kernel launch");
}

void topK(const void* x, DataType type, void* values, void* indices, DataType indexType, int64_t outer, int64_t axisLen,
          int64_t inner, int64_t k, bool max, cudaStream_t stream) {
  const int64_t lines = outer * inner;
  if (lines <= 0 || k <= 0 || axisLen <= 0) return;
  const int threads = static_cast<int>(std::min<int64_t>(kThreads, (axisLen + 31) / 32 * 32));
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(lines, 65535LL * 16));
  auto launch = [&](auto valueTag, size_t valueBytes) {
    using T = decltype(valueTag);
    const size_t lineBytes = static_cast<size_t>(axisLen) * valueBytes;
    const bool cached = lineBytes <= 32768;
    const size_t shared = cached ? lineBytes : 0;
    auto go = [&](auto indexTag) {
      using I = decltype(indexTag);
      topKK<T, I><<<blocks, threads, shared, stream>>>(static_cast<const T*>(x), static_cast<T*>(values),
                                                       static_cast<I*>(indices), lines, axisLen, inner, k, max, cached);
    };
    if (indexType == DataType::kINT64) go(int64_t{});
    else go(int32_t{});
  };
  switch (type) {
    case DataType::kFLOAT: launch(float{}, sizeof(float)); break;
    case DataType::kHALF: launch(__half{}, sizeof(float)); break;
    case DataType::kBF16: launch(bf16{}, sizeof(float)); break;
    case DataType::kINT32: launch(int32_t{}, sizeof(int32_t)); break;
    case DataType::kINT64: launch(int64_t{}, sizeof(int64_t)); break;
    default: fail(StatusCode::kUnsupported, "TOPK: the cuda backend does not support ", dataTypeName(type));
  }
  checkLaunch("topk kernel launch");
}

void fill(void* out, DataType outType, int rank, const int64_t* dims, int op, const FillParam& alpha,
          const FillParam& beta, uint64_t seed, cudaStream_t stream) {
  TRTN_CHECK(rank >= 0 && rank <= kMaxDims, StatusCode::kUnsupported, "FILL: output rank ", rank,
             " is not supported by the cuda backend (at most ", kMaxDims, ")");
  FillShape s{};
  s.rank = rank;
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) {
    s.dims[d] = dims[d];
    n *= dims[d];
  }
  if (n <= 0) return;
  if (op == 0) {
    switch (outType) {
      case DataType::kFLOAT: linspaceK<float><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<float*>(out), s, alpha, beta, n); break;
      case DataType::kINT32: linspaceK<int32_t><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<int32_t*>(out), s, alpha, beta, n); break;
      case DataType::kINT64: linspaceK<int64_t><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<int64_t*>(out), s, alpha, beta, n); break;
      default: fail(StatusCode::kUnsupported, "FILL LINSPACE cannot produce ", dataTypeName(outType));
    }
  } else {
    const bool normal = op == 2;
    switch (outType) {
      case DataType::kFLOAT: randomK<float><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<float*>(out), normal, alpha, beta, seed, n); break;
      case DataType::kHALF: randomK<__half><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<__half*>(out), normal, alpha, beta, seed, n); break;
      default: fail(StatusCode::kUnsupported, "FILL random operations cannot produce ", dataTypeName(outType));
    }
  }
  checkLaunch("fill kernel launch");
}

void gridSample(const void* x, const void* grid, void* y, DataType type, const GridSampleParams& p,
                cudaStream_t stream) {
  TRTN_CHECK(p.spatial == 2 || p.spatial == 3, StatusCode::kInvalidArgument, "GRID_SAMPLE: ", p.spatial,
             " spatial dims (2 or 3 expected)");
  TRTN_CHECK(p.mode != 2 || p.spatial == 2, StatusCode::kUnsupported, "GRID_SAMPLE: CUBIC needs 2 spatial dims");
  int64_t points = 1;
  for (int d = 0; d < p.spatial; ++d) points *= p.out[d];
  const int64_t n = p.batch * points;
  if (n <= 0 || p.channels <= 0) return;
  dispatchFloat(type, "GRID_SAMPLE", [&](auto tag) {
    using T = decltype(tag);
    gridSampleK<T><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const T*>(x), static_cast<const T*>(grid),
                                                          static_cast<T*>(y), p, points, n);
  });
  checkLaunch("grid sample kernel launch");
}

void lrn(const void* x, void* y, DataType type, int64_t batch, int64_t channels, int64_t inner, int64_t window,
         float alpha, float beta, float k, cudaStream_t stream) {
  const int64_t n = batch * channels * inner;
  if (n <= 0) return;
  const float scale = alpha / static_cast<float>(window);
  dispatchFloat(type, "LRN", [&](auto tag) {
    using T = decltype(tag);
    lrnK<T><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const T*>(x), static_cast<T*>(y), channels, inner,
                                                   window / 2, scale, k, -beta, n);
  });
  checkLaunch("lrn kernel launch");
}

}  // namespace trtn::cuda::kernels
