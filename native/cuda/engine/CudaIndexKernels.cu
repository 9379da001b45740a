// The CUDA kernels of the indexing and conversion layers. Each follows the CPU kernel that is its
// specification (native/engine/ops/Quantize.cpp, Basic.cpp's CAST, Gather.cpp, Scatter.cpp,
// Slice.cpp, Reduce.cpp) operation for operation: float arithmetic goes through the _rn
// intrinsics so that no multiply-add contraction changes a rounding, and the narrow float
// encodings (FP8 E4M3FN, E8M0, FP4 E2M1) are the bit manipulations of native/engine/DataType.cpp.
#include "CudaIndexKernels.h"

// Integer templates also serve unsigned types, where sign tests are constant.
#pragma nv_diag_suppress 186

#include <cub/device/device_radix_sort.cuh>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "CudaDevice.cuh"

namespace trtn::cuda::kernels {

namespace {

// ---- Narrow float encodings (DataType.cpp) ----------------------------------------------------

__device__ __forceinline__ float deviceFp8ToFloat(uint8_t b) {
  const uint32_t sign = static_cast<uint32_t>(b & 0x80u) << 24;
  const uint32_t exp = (b >> 3) & 0xfu;
  const uint32_t mant = b & 0x7u;
  if (exp == 0xfu && mant == 0x7u) return __uint_as_float(sign | 0x7fc00000u);
  if (exp == 0) return __uint_as_float(sign | __float_as_uint(__fmul_rn(static_cast<float>(mant), 0x1p-9f)));
  return __uint_as_float(sign | ((exp - 7 + 127) << 23) | (mant << 20));
}

__device__ __forceinline__ uint8_t deviceFloatToFp8(float f) {
  const uint32_t bits = __float_as_uint(f);
  const uint8_t sign = static_cast<uint8_t>((bits >> 24) & 0x80u);
  const uint32_t absBits = bits & 0x7fffffffu;
  if (absBits > 0x7f800000u) return sign | 0x7fu;
  if (absBits >= 0x43e80000u) return sign | 0x7eu;  // >= 464 (rounds past 448) and infinities
  if (absBits < 0x3c800000u)  // below 2^-6: multiples of 2^-9, scaling by 2^9 is exact
    return sign | static_cast<uint8_t>(rintf(__fmul_rn(__uint_as_float(absBits), 512.f)));
  const uint32_t mant = absBits & 0x7fffffu;
  uint32_t out = ((((absBits >> 23) - 127 + 7) << 3) | (mant >> 20));
  const uint32_t rem = mant & 0xfffffu;
  if (rem > 0x80000u || (rem == 0x80000u && (out & 1u))) ++out;
  return sign | static_cast<uint8_t>(out);
}

__device__ __forceinline__ float deviceFp4ToFloat(uint8_t code) {
  // Magnitudes 0, 0.5, 1, 1.5, 2, 3, 4, 6 of codes 0..7.
  const int c = code & 0x7;
  const float m = c < 4 ? 0.5f * static_cast<float>(c) : static_cast<float>(c < 6 ? c - 2 : 2 * c - 8);
  return (code & 0x8u) ? -m : m;
}

__device__ __forceinline__ uint8_t deviceFloatToFp4(float f) {
  if (f != f) return 0x8u;
  const uint8_t sign = (__float_as_uint(f) >> 31) ? 0x8u : 0u;
  const float a = fabsf(f);
  uint8_t code;
  if (a <= 0.25f) code = 0;
  else if (a < 0.75f) code = 1;
  else if (a <= 1.25f) code = 2;
  else if (a < 1.75f) code = 3;
  else if (a <= 2.5f) code = 4;
  else if (a < 3.5f) code = 5;
  else if (a <= 5.f) code = 6;
  else code = 7;
  return sign | code;
}

__device__ __forceinline__ float deviceE8m0ToFloat(uint8_t b) {
  if (b == 0xffu) return __uint_as_float(0x7fc00000u);
  return __uint_as_float(b == 0 ? 0x00400000u : static_cast<uint32_t>(b) << 23);  // 2^(b - 127)
}

__device__ __forceinline__ uint8_t deviceFloatToE8m0(float f) {
  const uint32_t absBits = __float_as_uint(f) & 0x7fffffffu;
  if (absBits > 0x7f800000u) return 0xffu;
  if (absBits == 0x7f800000u) return 0xfeu;
  const uint32_t exp = absBits >> 23;
  const uint32_t mant = absBits & 0x7fffffu;
  if (exp == 0) return mant > 0x400000u ? 1u : 0u;
  const uint32_t e = exp + (mant != 0 ? 1u : 0u);
  return static_cast<uint8_t>(e >= 0xffu ? 0xfeu : e);
}

__device__ __forceinline__ uint8_t nibble(const void* data, int64_t i) {
  const uint8_t b = static_cast<const uint8_t*>(data)[i >> 1];
  return (i & 1) ? static_cast<uint8_t>(b >> 4) : static_cast<uint8_t>(b & 0xfu);
}
__device__ __forceinline__ int deviceInt4Value(uint8_t code) { return static_cast<int>(code & 0xfu) - ((code & 0x8u) ? 16 : 0); }

// ---- Typed element access by DataType (uniform branches: one type per launch) -----------------

__device__ __forceinline__ bool isFloatish(DataType t) {
  return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16;
}

// Element i of a float-valued type (FLOAT, HALF, BF16, FP8, E8M0, FP4) as float.
__device__ __forceinline__ float loadFloat(const void* p, DataType t, int64_t i) {
  switch (t) {
    case DataType::kHALF: return __half2float(static_cast<const __half*>(p)[i]);
    case DataType::kBF16: return __bfloat162float(static_cast<const bf16*>(p)[i]);
    case DataType::kFP8: return deviceFp8ToFloat(static_cast<const uint8_t*>(p)[i]);
    case DataType::kE8M0: return deviceE8m0ToFloat(static_cast<const uint8_t*>(p)[i]);
    case DataType::kFP4: return deviceFp4ToFloat(nibble(p, i));
    default: return static_cast<const float*>(p)[i];
  }
}

__device__ __forceinline__ void storeFloat(void* p, DataType t, int64_t i, float v) {
  switch (t) {
    case DataType::kHALF: static_cast<__half*>(p)[i] = __float2half_rn(v); break;
    case DataType::kBF16: static_cast<bf16*>(p)[i] = __float2bfloat16_rn(v); break;
    case DataType::kFP8: static_cast<uint8_t*>(p)[i] = deviceFloatToFp8(v); break;
    case DataType::kE8M0: static_cast<uint8_t*>(p)[i] = deviceFloatToE8m0(v); break;
    default: static_cast<float*>(p)[i] = v; break;
  }
}

// DataType.cpp's loadAsDouble, loadAsInt64, storeFromDouble and storeFromInt64 (unpacked types).
__device__ double deviceLoadDouble(const void* p, DataType t, int64_t i) {
  switch (t) {
    case DataType::kINT8: return static_cast<const int8_t*>(p)[i];
    case DataType::kUINT8: return static_cast<const uint8_t*>(p)[i];
    case DataType::kINT32: return static_cast<const int32_t*>(p)[i];
    case DataType::kINT64: return static_cast<double>(static_cast<const int64_t*>(p)[i]);
    case DataType::kBOOL: return static_cast<const uint8_t*>(p)[i] ? 1.0 : 0.0;
    case DataType::kINT4: return deviceInt4Value(nibble(p, i));
    default: return loadFloat(p, t, i);
  }
}

__device__ int64_t deviceLoadInt64(const void* p, DataType t, int64_t i) {
  switch (t) {
    case DataType::kINT64: return static_cast<const int64_t*>(p)[i];
    case DataType::kINT32: return static_cast<const int32_t*>(p)[i];
    case DataType::kINT8: return static_cast<const int8_t*>(p)[i];
    case DataType::kUINT8: return static_cast<const uint8_t*>(p)[i];
    case DataType::kBOOL: return static_cast<const uint8_t*>(p)[i] ? 1 : 0;
    case DataType::kINT4: return deviceInt4Value(nibble(p, i));
    default: return static_cast<int64_t>(deviceLoadDouble(p, t, i));
  }
}

__device__ void deviceStoreDouble(void* p, DataType t, int64_t i, double v) {
  switch (t) {
    case DataType::kINT8: static_cast<int8_t*>(p)[i] = static_cast<int8_t>(static_cast<int64_t>(v)); break;
    case DataType::kUINT8: static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(static_cast<int64_t>(v)); break;
    case DataType::kINT32: static_cast<int32_t*>(p)[i] = static_cast<int32_t>(static_cast<int64_t>(v)); break;
    case DataType::kINT64: static_cast<int64_t*>(p)[i] = static_cast<int64_t>(v); break;
    case DataType::kBOOL: static_cast<uint8_t*>(p)[i] = v != 0.0 ? 1 : 0; break;
    default: storeFloat(p, t, i, static_cast<float>(v)); break;
  }
}

__device__ void deviceStoreInt64(void* p, DataType t, int64_t i, int64_t v) {
  switch (t) {
    case DataType::kINT64: static_cast<int64_t*>(p)[i] = v; break;
    case DataType::kINT32: static_cast<int32_t*>(p)[i] = static_cast<int32_t>(v); break;
    case DataType::kINT8: static_cast<int8_t*>(p)[i] = static_cast<int8_t>(v); break;
    case DataType::kUINT8: static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(v); break;
    case DataType::kBOOL: static_cast<uint8_t*>(p)[i] = v != 0 ? 1 : 0; break;
    default: deviceStoreDouble(p, t, i, static_cast<double>(v)); break;
  }
}

// ---- QUANTIZE, DEQUANTIZE --------------------------------------------------------------------

__device__ __forceinline__ int64_t scaleIndex(int64_t k, const ScaleMap& m) {
  const int64_t row = k / m.inner, i = k % m.inner;
  const int64_t a = row % m.axisExtent, o = row / m.axisExtent;
  return o * m.outerStride + (a / m.block) * m.axisStride + i * m.innerStride;
}

__device__ __forceinline__ float zeroAt(const QuantParams& p, int64_t si) {
  if (!p.zero) return 0.f;
  const int64_t j = p.zeroSingle ? 0 : si;
  if (p.zeroType == DataType::kINT4) return static_cast<float>(deviceInt4Value(nibble(p.zero, j)));
  return static_cast<float>(static_cast<const int8_t*>(p.zero)[j]);
}

// roundHalfEven(q) + zero, NaN to the zero point, clamped to [lo, hi].
__device__ __forceinline__ float roundClamp(float q, float zero, float lo, float hi) {
  float r = __fadd_rn(rintf(q), zero);
  if (r != r) r = zero;
  return r < lo ? lo : (r > hi ? hi : r);
}

// The code of element k: a byte (INT8, FP8) or a nibble (INT4, FP4).
__device__ __forceinline__ uint8_t quantizeCode(const void* x, DataType xType, DataType yType, int64_t k,
                                                const QuantParams& p) {
  const int64_t si = scaleIndex(k, p.map);
  const float q = __fdiv_rn(loadFloat(x, xType, k), loadFloat(p.scale, p.scaleType, si));
  switch (yType) {
    case DataType::kINT8: return static_cast<uint8_t>(static_cast<int8_t>(roundClamp(q, zeroAt(p, si), -128.f, 127.f)));
    case DataType::kINT4: return static_cast<uint8_t>(static_cast<int>(roundClamp(q, zeroAt(p, si), -8.f, 7.f)) & 0xf);
    case DataType::kFP8: return deviceFloatToFp8(q);
    default: return deviceFloatToFp4(q);
  }
}

__global__ void quantizeK(const void* x, DataType xType, uint8_t* y, DataType yType, int64_t count, QuantParams p) {
  if (yType == DataType::kINT4 || yType == DataType::kFP4) {
    TRTN_GRID_LOOP(b, (count + 1) / 2) {
      const uint8_t lo = quantizeCode(x, xType, yType, 2 * b, p);
      const uint8_t hi = 2 * b + 1 < count ? quantizeCode(x, xType, yType, 2 * b + 1, p) : 0;
      y[b] = static_cast<uint8_t>((lo & 0xfu) | (hi << 4));
    }
  } else {
    TRTN_GRID_LOOP(k, count) y[k] = quantizeCode(x, xType, yType, k, p);
  }
}

__global__ void dequantizeK(const void* x, DataType xType, void* y, DataType yType, int64_t count, QuantParams p) {
  TRTN_GRID_LOOP(k, count) {
    const int64_t si = scaleIndex(k, p.map);
    float v;
    switch (xType) {
      case DataType::kINT8: v = __fsub_rn(static_cast<float>(static_cast<const int8_t*>(x)[k]), zeroAt(p, si)); break;
      case DataType::kINT4: v = __fsub_rn(static_cast<float>(deviceInt4Value(nibble(x, k))), zeroAt(p, si)); break;
      case DataType::kFP8: v = deviceFp8ToFloat(static_cast<const uint8_t*>(x)[k]); break;
      default: v = deviceFp4ToFloat(nibble(x, k)); break;
    }
    storeFloat(y, yType, k, __fmul_rn(v, loadFloat(p.scale, p.scaleType, si)));
  }
}

// ---- CAST ---------------------------------------------------------------------------------------

// An integer as a float rounded to odd (Basic.cpp): rounding that once more to HALF or BF16 gives
// the correctly rounded result.
__device__ __forceinline__ float intToFloatRoundToOdd(int64_t v) {
  uint64_t a = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  if (a < (uint64_t{1} << 24)) return static_cast<float>(v);
  int shift = 0;
  bool sticky = false;
  while (a >= (uint64_t{1} << 24)) {
    sticky = sticky || (a & 1u);
    a >>= 1;
    ++shift;
  }
  if (sticky) a |= 1u;
  const float f = ldexpf(static_cast<float>(a), shift);
  return v < 0 ? -f : f;
}

// One element of a cast to an unpacked type.
__device__ void castElement(const void* in, DataType from, void* out, DataType to, int64_t i) {
  if (from == DataType::kINT4) {
    deviceStoreInt64(out, to, i, deviceInt4Value(nibble(in, i)));
  } else if (from == DataType::kFP4 || from == DataType::kFP8 || from == DataType::kE8M0) {
    storeFloat(out, to, i, loadFloat(in, from, i));  // to FLOAT, HALF or BF16
  } else if (to == DataType::kFP8 || to == DataType::kE8M0) {
    storeFloat(out, to, i, loadFloat(in, from, i));  // from FLOAT, HALF or BF16
  } else if (from == DataType::kBOOL) {
    deviceStoreInt64(out, to, i, static_cast<const uint8_t*>(in)[i] != 0 ? 1 : 0);
  } else {
    storeFloat(out, to, i, intToFloatRoundToOdd(deviceLoadInt64(in, from, i)));  // INT32/INT64 to HALF/BF16
  }
}

// One 4-bit code of a cast to INT4 or FP4.
__device__ uint8_t castNibble(const void* in, DataType from, DataType to, int64_t i) {
  if (to == DataType::kFP4) return deviceFloatToFp4(loadFloat(in, from, i));
  if (isFloatish(from)) {
    const double x = loadFloat(in, from, i);
    const double t = x != x ? 0.0 : trunc(x < -8.0 ? -8.0 : (x > 7.0 ? 7.0 : x));
    return static_cast<uint8_t>(static_cast<int>(t) & 0xf);
  }
  return static_cast<uint8_t>(deviceLoadInt64(in, from, i) & 0xf);
}

__global__ void castExactK(const void* in, DataType from, void* out, DataType to, int64_t count) {
  if (to == DataType::kINT4 || to == DataType::kFP4) {
    TRTN_GRID_LOOP(b, (count + 1) / 2) {
      const uint8_t lo = castNibble(in, from, to, 2 * b);
      const uint8_t hi = 2 * b + 1 < count ? castNibble(in, from, to, 2 * b + 1) : 0;
      static_cast<uint8_t*>(out)[b] = static_cast<uint8_t>((lo & 0xfu) | (hi << 4));
    }
  } else {
    TRTN_GRID_LOOP(i, count) castElement(in, from, out, to, i);
  }
}

// ---- GATHER -------------------------------------------------------------------------------------

// Wraps a negative index once; -1 when still out of range.
__device__ __forceinline__ int64_t wrapIndex(int64_t v, int64_t dim) {
  if (v < 0) v += dim;
  return v >= 0 && v < dim ? v : -1;
}

template <typename U, typename I>
__global__ void gatherAxisK(const U* data, U* out, const I* idx, int64_t outer, int64_t A, int64_t inner, int64_t N,
                            int64_t dataB, int64_t idxB, int64_t n) {
  TRTN_GRID_LOOP(t, n) {
    const int64_t in = t % inner, rest = t / inner;
    const int64_t j = rest % N, bo = rest / N;
    const int64_t o = bo % outer, b = bo / outer;
    const int64_t v = wrapIndex(static_cast<int64_t>(idx[b * idxB + j]), A);
    out[t] = v < 0 ? U(0) : data[b * dataB + (o * A + v) * inner + in];
  }
}

template <typename U, typename I>
__global__ void gatherElementsK(const U* data, U* out, const I* idx, Strided iv, int64_t axisStride, int64_t A,
                                int64_t n) {
  TRTN_GRID_LOOP(t, n) {
    const int64_t v = wrapIndex(static_cast<int64_t>(idx[t]), A);
    out[t] = v < 0 ? U(0) : data[offsetOf(t, iv) + v * axisStride];
  }
}

template <typename U, typename I>
__global__ void gatherNdK(const U* data, U* out, const I* idx, Strided tv, int64_t perBatch, int64_t slice,
                          int64_t dataB, int64_t n) {
  TRTN_GRID_LOOP(e, n) {
    const int64_t t = e / slice, s = e % slice;
    int64_t off = (t / perBatch) * dataB;
    bool oob = false;
    for (int c = 0; c < tv.rank; ++c) {
      const int64_t v = wrapIndex(static_cast<int64_t>(idx[t * tv.rank + c]), tv.dims[c]);
      oob = oob || v < 0;
      off += (v < 0 ? 0 : v) * tv.stride[c];
    }
    out[e] = oob ? U(0) : data[off + s];
  }
}

// ---- SCATTER ------------------------------------------------------------------------------------

// Sort keys: the target (element or slice) of each update, `targets` when it writes nothing.
template <typename I>
__global__ void scatterKeysK(const I* idx, ScatterGeometry g, uint64_t* keys, int64_t* order) {
  TRTN_GRID_LOOP(u, g.updates) {
    int64_t off = 0;
    bool oob = false;
    if (!g.nd) {
      int64_t rest = u;
      for (int d = g.indexView.rank - 1; d >= 0; --d) {
        const int64_t c = rest % g.indexView.dims[d];
        rest /= g.indexView.dims[d];
        if (d == g.axis) continue;
        oob = oob || c >= g.dataDims[d];
        off += c * g.indexView.stride[d];
      }
      const int64_t v = wrapIndex(static_cast<int64_t>(idx[u]), g.dataDims[g.axis]);
      oob = oob || v < 0;
      off += v * g.indexView.stride[g.axis];
    } else {
      const int k = g.tupleView.rank;
      for (int c = 0; c < k; ++c) {
        const int64_t v = wrapIndex(static_cast<int64_t>(idx[u * k + c]), g.tupleView.dims[c]);
        oob = oob || v < 0;
        off += (v < 0 ? 0 : v) * g.tupleView.stride[c];
      }
      off /= g.slice;
    }
    keys[u] = static_cast<uint64_t>(oob ? g.targets : off);
    order[u] = u;
  }
}

// Calls fn(position) for each update of the segment that starts at sorted position p (none
// unless p starts a segment of in-range updates), in index order; returns the target.
template <typename Fn>
__device__ __forceinline__ bool forSegment(const uint64_t* keys, int64_t p, int64_t n, int64_t targets, Fn&& fn) {
  const uint64_t key = keys[p];
  if (key >= static_cast<uint64_t>(targets) || (p > 0 && keys[p - 1] == key)) return false;
  for (int64_t j = p; j < n && keys[j] == key; ++j) fn(j);
  return true;
}

template <typename U>
__global__ void scatterCopyK(U* out, const U* upd, const uint64_t* keys, const int64_t* order, int64_t n,
                             int64_t slice, int64_t targets) {
  TRTN_GRID_LOOP(t, n * slice) {
    const int64_t p = t / slice, e = t % slice;
    int64_t last = -1;
    if (forSegment(keys, p, n, targets, [&](int64_t j) { last = order[j]; }))
      out[static_cast<int64_t>(keys[p]) * slice + e] = upd[last * slice + e];
  }
}

// a (op) b for ScatterReduction op (Scatter.cpp's combine): floats computed in float and stored
// (rounded) after each step, integers wrapping, BOOL SUM/MAX as OR and PROD/MIN as AND.
template <typename T>
__device__ __forceinline__ T combineScatter(T a, T b, int op, bool isBool) {
  if constexpr (kIsFloat<T>) {
    const float x = F<T>::load(a), y = F<T>::load(b);
    float v;
    switch (op) {
      case 1: v = __fadd_rn(x, y); break;
      case 2: v = __fmul_rn(x, y); break;
      case 3: v = (y > x || y != y) ? y : x; break;
      default: v = (y < x || y != y) ? y : x; break;
    }
    return F<T>::store(v);
  } else {
    if (isBool) {
      const bool x = a != 0, y = b != 0;
      return static_cast<T>((op == 1 || op == 3) ? (x || y) : (x && y));
    }
    using W = std::make_unsigned_t<T>;
    switch (op) {
      case 1: return static_cast<T>(static_cast<W>(static_cast<W>(a) + static_cast<W>(b)));
      case 2: return static_cast<T>(static_cast<W>(static_cast<W>(a) * static_cast<W>(b)));
      case 3: return b > a ? b : a;
      default: return b < a ? b : a;
    }
  }
}

template <typename T>
__global__ void scatterReduceK(T* out, const T* upd, const uint64_t* keys, const int64_t* order, int64_t n,
                               int64_t slice, int64_t targets, int op, bool isBool) {
  TRTN_GRID_LOOP(t, n * slice) {
    const int64_t p = t / slice, e = t % slice;
    const int64_t key = static_cast<int64_t>(keys[p]);
    if (key >= targets || (p > 0 && static_cast<int64_t>(keys[p - 1]) == key)) continue;
    T acc = out[key * slice + e];
    forSegment(keys, p, n, targets, [&](int64_t j) { acc = combineScatter<T>(acc, upd[order[j] * slice + e], op, isBool); });
    out[key * slice + e] = acc;
  }
}

int bitsFor(int64_t maxValue) {
  int bits = 1;
  while (bits < 64 && (static_cast<uint64_t>(maxValue) >> bits) != 0) ++bits;
  return bits;
}

size_t sortTempBytes(int64_t n) {
  size_t bytes = 0;
  check(cub::DeviceRadixSort::SortPairs(nullptr, bytes, static_cast<const uint64_t*>(nullptr), static_cast<uint64_t*>(nullptr),
                                        static_cast<const int64_t*>(nullptr), static_cast<int64_t*>(nullptr), n),
        "cub::DeviceRadixSort::SortPairs (size query)");
  return bytes;
}

// ---- SLICE --------------------------------------------------------------------------------------

// Slice.cpp's sampleIndex, for coordinates the host checked (STRICT in range, other modes on
// non-empty dims): the source index, or -1 for the fill value.
__device__ __forceinline__ int64_t sampleIndex(int64_t c, int64_t d, int mode) {
  if (c >= 0 && c < d) return c;
  switch (mode) {
    case 1: return ((c % d) + d) % d;
    case 2: return c < 0 ? 0 : d - 1;
    case 4: {
      if (d == 1) return 0;
      const int64_t p = 2 * (d - 1);
      const int64_t m = ((c % p) + p) % p;
      return m < d ? m : p - m;
    }
    default: return -1;
  }
}

template <typename U>
__global__ void sliceK(const U* in, U* out, SliceGeometry g, int mode, const void* fill, DataType fillType,
                       DataType type, int64_t n) {
  // The fill element: Slice.cpp converts through double when either type is a float type (the
  // FLOAT, HALF, BF16 of isFloatType), else through int64.
  U fillValue = U(0);
  if (fill) {
    uint64_t bits = 0;
    if (isFloatish(fillType) || isFloatish(type)) deviceStoreDouble(&bits, type, 0, deviceLoadDouble(fill, fillType, 0));
    else deviceStoreInt64(&bits, type, 0, deviceLoadInt64(fill, fillType, 0));
    fillValue = static_cast<U>(bits);  // little endian: the element's bytes are the low bytes
  }
  TRTN_GRID_LOOP(i, n) {
    int64_t rest = i, off = 0, stride = 1;
    bool inside = true;
    for (int d = g.rank - 1; d >= 0; --d) {
      const int64_t c = g.start[d] + (rest % g.outDims[d]) * g.stride[d];
      rest /= g.outDims[d];
      const int64_t s = sampleIndex(c, g.inDims[d], mode);
      inside = inside && s >= 0;
      off += s * stride;
      stride *= g.inDims[d];
    }
    out[i] = inside ? in[off] : fillValue;
  }
}

// ---- REDUCE (integers) ---------------------------------------------------------------------------

__device__ __forceinline__ int64_t combineInt(int op, int64_t a, int64_t b) {
  switch (op) {
    case 1: return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
    case 2: return b > a ? b : a;
    case 3: return b < a ? b : a;
    default: return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  }
}

// One block per output element; wrap-around sums and products are associative, so the block's
// partial results combine in any order to the CPU's result.
template <typename T>
__global__ void reduceIntK(int op, const T* in, Strided kept, Strided red, T* out, int64_t outCount, int64_t redCount,
                           int64_t identity) {
  __shared__ int64_t partial[kThreads];
  for (int64_t o = blockIdx.x; o < outCount; o += gridDim.x) {
    const int64_t base = offsetOf(o, kept);
    int64_t acc = identity;
    for (int64_t r = threadIdx.x; r < redCount; r += blockDim.x)
      acc = combineInt(op, acc, static_cast<int64_t>(in[base + offsetOf(r, red)]));
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
      if (threadIdx.x < s) partial[threadIdx.x] = combineInt(op, partial[threadIdx.x], partial[threadIdx.x + s]);
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      int64_t v = partial[0];
      if (op == 4) v = redCount > 0 ? v / redCount : 0;
      out[o] = static_cast<T>(v);
    }
    __syncthreads();
  }
}

}  // namespace

// ---- Launchers ------------------------------------------------------------------------------------

void quantize(const void* x, DataType xType, void* y, DataType yType, int64_t count, const QuantParams& p,
              cudaStream_t stream) {
  if (count <= 0) return;
  const int64_t work = (yType == DataType::kINT4 || yType == DataType::kFP4) ? (count + 1) / 2 : count;
  quantizeK<<<blocksFor(work), kThreads, 0, stream>>>(x, xType, static_cast<uint8_t*>(y), yType, count, p);
  checkLaunch("quantize kernel launch");
}

void dequantize(const void* x, DataType xType, void* y, DataType yType, int64_t count, const QuantParams& p,
                cudaStream_t stream) {
  if (count <= 0) return;
  dequantizeK<<<blocksFor(count), kThreads, 0, stream>>>(x, xType, y, yType, count, p);
  checkLaunch("dequantize kernel launch");
}

bool needsExactCast(DataType from, DataType to) {
  if (from == to) return false;
  const auto special = [](DataType t) {
    return t == DataType::kFP8 || t == DataType::kE8M0 || t == DataType::kINT4 || t == DataType::kFP4;
  };
  if (special(from) || special(to) || from == DataType::kBOOL) return true;
  return (from == DataType::kINT32 || from == DataType::kINT64) && (to == DataType::kHALF || to == DataType::kBF16);
}

void castExact(const void* in, DataType inType, void* out, DataType outType, int64_t count, cudaStream_t stream) {
  if (count <= 0) return;
  const int64_t work = (outType == DataType::kINT4 || outType == DataType::kFP4) ? (count + 1) / 2 : count;
  castExactK<<<blocksFor(work), kThreads, 0, stream>>>(in, inType, out, outType, count);
  checkLaunch("cast kernel launch");
}

void gatherAxis(const void* data, void* out, const void* indices, DataType indexType, int64_t batch, int64_t outer,
                int64_t axisLen, int64_t inner, int64_t numIndices, int64_t dataBatch, int64_t indexBatch,
                int elementBytes, cudaStream_t stream) {
  const int64_t n = batch * outer * numIndices * inner;
  if (n <= 0) return;
  dispatchSize(elementBytes, [&](auto tag) {
    using U = decltype(tag);
    dispatchIndex(indexType, [&](auto itag) {
      using I = decltype(itag);
      gatherAxisK<U, I><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const U*>(data), static_cast<U*>(out),
                                                               static_cast<const I*>(indices), outer, axisLen, inner,
                                                               numIndices, dataBatch, indexBatch, n);
    });
  });
  checkLaunch("gather kernel launch");
}

void gatherElements(const void* data, void* out, const void* indices, DataType indexType, const Strided& indexView,
                    int64_t axisStride, int64_t axisLen, int elementBytes, cudaStream_t stream) {
  const int64_t n = volumeOf(indexView);
  if (n <= 0) return;
  dispatchSize(elementBytes, [&](auto tag) {
    using U = decltype(tag);
    dispatchIndex(indexType, [&](auto itag) {
      using I = decltype(itag);
      gatherElementsK<U, I><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const U*>(data), static_cast<U*>(out),
                                                                   static_cast<const I*>(indices), indexView,
                                                                   axisStride, axisLen, n);
    });
  });
  checkLaunch("gather kernel launch");
}

void gatherNd(const void* data, void* out, const void* indices, DataType indexType, int64_t tuples, int64_t perBatch,
              const Strided& tupleView, int64_t slice, int64_t dataBatch, int elementBytes, cudaStream_t stream) {
  const int64_t n = tuples * slice;
  if (n <= 0 || perBatch <= 0) return;
  dispatchSize(elementBytes, [&](auto tag) {
    using U = decltype(tag);
    dispatchIndex(indexType, [&](auto itag) {
      using I = decltype(itag);
      gatherNdK<U, I><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const U*>(data), static_cast<U*>(out),
                                                             static_cast<const I*>(indices), tupleView, perBatch, slice,
                                                             dataBatch, n);
    });
  });
  checkLaunch("gather kernel launch");
}

size_t scatterWorkspaceBytes(int64_t updates) {
  if (updates <= 0) return 0;
  const size_t n = static_cast<size_t>(updates);
  return 4 * alignScratch(8 * n) + alignScratch(sortTempBytes(updates));
}

void scatter(void* out, const void* updates, const void* indices, DataType indexType, DataType type, int reduction,
             const ScatterGeometry& g, void* workspace, size_t workspaceBytes, cudaStream_t stream) {
  const int64_t n = g.updates;
  if (n <= 0 || g.slice <= 0 || g.targets <= 0) return;
  const size_t arrayBytes = alignScratch(8 * static_cast<size_t>(n));
  const size_t tempBytes = sortTempBytes(n);
  TRTN_CHECK(workspace && workspaceBytes >= 4 * arrayBytes + tempBytes, StatusCode::kInternal,
             "scatter: workspace of ", workspaceBytes, " bytes is too small (", 4 * arrayBytes + tempBytes, " needed)");
  auto* base = static_cast<uint8_t*>(workspace);
  auto* keysIn = reinterpret_cast<uint64_t*>(base);
  auto* keysOut = reinterpret_cast<uint64_t*>(base + arrayBytes);
  auto* orderIn = reinterpret_cast<int64_t*>(base + 2 * arrayBytes);
  auto* orderOut = reinterpret_cast<int64_t*>(base + 3 * arrayBytes);
  void* temp = base + 4 * arrayBytes;

  dispatchIndex(indexType, [&](auto itag) {
    using I = decltype(itag);
    scatterKeysK<I><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const I*>(indices), g, keysIn, orderIn);
  });
  checkLaunch("scatter kernel launch");
  // A stable sort by target keeps each target's updates in index order.
  size_t tempUsed = tempBytes;
  check(cub::DeviceRadixSort::SortPairs(temp, tempUsed, keysIn, keysOut, orderIn, orderOut, n, 0, bitsFor(g.targets),
                                        stream),
        "cub::DeviceRadixSort::SortPairs");
  const int64_t threads = n * g.slice;
  if (reduction == 0) {
    dispatchSize(static_cast<int>(dataTypeSize(type)), [&](auto tag) {
      using U = decltype(tag);
      scatterCopyK<U><<<blocksFor(threads), kThreads, 0, stream>>>(static_cast<U*>(out), static_cast<const U*>(updates),
                                                                   keysOut, orderOut, n, g.slice, g.targets);
    });
  } else {
    auto go = [&](auto tag, bool isBool) {
      using T = decltype(tag);
      scatterReduceK<T><<<blocksFor(threads), kThreads, 0, stream>>>(static_cast<T*>(out), static_cast<const T*>(updates),
                                                                     keysOut, orderOut, n, g.slice, g.targets,
                                                                     reduction, isBool);
    };
    switch (type) {
      case DataType::kFLOAT: go(float{}, false); break;
      case DataType::kHALF: go(__half{}, false); break;
      case DataType::kBF16: go(bf16{}, false); break;
      case DataType::kINT8: go(int8_t{}, false); break;
      case DataType::kUINT8: go(uint8_t{}, false); break;
      case DataType::kBOOL: go(uint8_t{}, true); break;
      case DataType::kINT32: go(int32_t{}, false); break;
      case DataType::kINT64: go(int64_t{}, false); break;
      default: fail(StatusCode::kUnsupported, "SCATTER: a reduction over ", dataTypeName(type), " is not supported");
    }
  }
  checkLaunch("scatter kernel launch");
}

void sliceSampled(const void* in, void* out, DataType type, const SliceGeometry& g, int mode, const void* fill,
                  DataType fillType, cudaStream_t stream) {
  int64_t n = 1;
  for (int d = 0; d < g.rank; ++d) n *= g.outDims[d];
  if (n <= 0) return;
  dispatchSize(static_cast<int>(dataTypeSize(type)), [&](auto tag) {
    using U = decltype(tag);
    sliceK<U><<<blocksFor(n), kThreads, 0, stream>>>(static_cast<const U*>(in), static_cast<U*>(out), g, mode, fill,
                                                     fillType, type, n);
  });
  checkLaunch("slice kernel launch");
}

void reduceInteger(int op, const void* in, const Strided& kept, const Strided& reduced, void* out, DataType type,
                   cudaStream_t stream) {
  const int64_t outCount = volumeOf(kept), redCount = volumeOf(reduced);
  if (outCount <= 0) return;
  auto go = [&](auto tag, int64_t lowest, int64_t highest) {
    using T = decltype(tag);
    const int64_t identity = op == 1 ? 1 : op == 2 ? lowest : op == 3 ? highest : 0;
    reduceIntK<T><<<blocksFor(outCount, 1), kThreads, 0, stream>>>(op, static_cast<const T*>(in), kept, reduced,
                                                                   static_cast<T*>(out), outCount, redCount, identity);
  };
  switch (type) {
    case DataType::kINT8: go(int8_t{}, -128, 127); break;
    case DataType::kUINT8: go(uint8_t{}, 0, 255); break;
    case DataType::kINT32: go(int32_t{}, INT32_MIN, INT32_MAX); break;
    case DataType::kINT64: go(int64_t{}, INT64_MIN, INT64_MAX); break;
    default: fail(StatusCode::kUnsupported, "REDUCE: the cuda backend's integer reduction does not take ", dataTypeName(type));
  }
  checkLaunch("reduce kernel launch");
}

}  // namespace trtn::cuda::kernels
