#include "KernelUtil.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TRTN_HAVE_F16C_PATH 1
#endif

namespace trtn::cpu {

#if TRTN_HAVE_F16C_PATH
namespace {
// Hardware binary16 conversion, compiled for F16C only in these functions and used after a
// run-time CPU check, so the addon still runs on CPUs without it.
__attribute__((target("f16c,avx"))) void halfToFloatF16C(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
  for (; i < n; ++i) dst[i] = halfToFloat(src[i]);
}
__attribute__((target("f16c,avx"))) void floatToHalfF16C(const float* src, uint16_t* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
  for (; i < n; ++i) dst[i] = floatToHalf(src[i]);
}
bool hasF16C() {
  static const bool has = __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx");
  return has;
}
}  // namespace
#endif

void convertToFloat(const void* src, DataType t, float* dst, int64_t count) {
  switch (t) {
    case DataType::kFLOAT: std::copy_n(static_cast<const float*>(src), count, dst); return;
    case DataType::kHALF: {
#if TRTN_HAVE_F16C_PATH
      if (hasF16C()) return halfToFloatF16C(static_cast<const uint16_t*>(src), dst, count);
#endif
      auto p = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < count; ++i) dst[i] = halfToFloat(p[i]);
      return;
    }
    case DataType::kBF16: {
      auto p = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < count; ++i) dst[i] = bf16ToFloat(p[i]);
      return;
    }
    default:
      for (int64_t i = 0; i < count; ++i) dst[i] = static_cast<float>(loadAsDouble(src, t, i));
  }
}

void convertFromFloat(const float* src, void* dst, DataType t, int64_t count) {
  switch (t) {
    case DataType::kFLOAT: std::copy_n(src, count, static_cast<float*>(dst)); return;
    case DataType::kHALF: {
#if TRTN_HAVE_F16C_PATH
      if (hasF16C()) return floatToHalfF16C(src, static_cast<uint16_t*>(dst), count);
#endif
      auto p = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < count; ++i) p[i] = floatToHalf(src[i]);
      return;
    }
    case DataType::kBF16: {
      auto p = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < count; ++i) p[i] = floatToBf16(src[i]);
      return;
    }
    default:
      for (int64_t i = 0; i < count; ++i) storeFromDouble(dst, t, i, src[i]);
  }
}

std::vector<int64_t> stridesOf(const Dims& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int64_t d = static_cast<int64_t>(dims.size()) - 2; d >= 0; --d) s[d] = s[d + 1] * dims[d + 1];
  return s;
}

std::vector<int64_t> broadcastStrides(const Dims& in, const Dims& out) {
  std::vector<int64_t> s = stridesOf(in);
  for (size_t d = 0; d < in.size(); ++d)
    if (in[d] == 1 && out[d] != 1) s[d] = 0;
  return s;
}

bool broadcastDims(const Dims& a, const Dims& b, Dims& out) {
  if (a.size() != b.size()) return false;
  out.resize(a.size());
  for (size_t d = 0; d < a.size(); ++d) {
    int64_t x = a[d], y = b[d];
    if (x == y) out[d] = x;
    else if (x == 1) out[d] = y;
    else if (y == 1) out[d] = x;
    else if (x < 0 || y < 0) out[d] = (x < 0 && y < 0) ? -1 : std::max(x, y);
    else return false;
  }
  return true;
}

int64_t normalizeAxis(const InferIO& io, int64_t axis, int64_t rank, const char* what) {
  if (axis < -rank || axis >= rank) io.error(what, " ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

float applyActivation(int32_t type, float x, float alpha, float beta) {
  // Same formulas as the ACTIVATION layer (ops/Activation.cpp), so a fused epilogue gives what
  // the separate layer would: NaN passes through RELU/CLIP/HARD_SIGMOID, CLIP lets alpha win
  // when alpha > beta, ELU/SELU use expm1 and SOFTPLUS cannot overflow.
  switch (type) {
    case kNoActivation: return x;
    case 0: return x < 0.f ? 0.f : x;                                  // RELU
    case 1: return 1.f / (1.f + std::exp(-x));                         // SIGMOID
    case 2: return std::tanh(x);                                       // TANH
    case 3: return x >= 0.f ? x : alpha * x;                           // LEAKY_RELU
    case 4: return x >= 0.f ? x : alpha * std::expm1(x);               // ELU
    case 5: return x >= 0.f ? beta * x : beta * alpha * std::expm1(x);  // SELU
    case 6: return x / (1.f + std::fabs(x));                           // SOFTSIGN
    case 7: {                                                          // SOFTPLUS
      float z = beta * x;
      return alpha * (z > 0.f ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)));
    }
    case 8: return std::max(alpha, std::min(beta, x));                 // CLIP
    case 9: return std::max(0.f, std::min(1.f, alpha * x + beta));     // HARD_SIGMOID
    case 10: return alpha * std::tanh(beta * x);                       // SCALED_TANH
    case 11: return x > alpha ? x : 0.f;                               // THRESHOLDED_RELU
    case 12: return 0.5f * x * (1.f + std::erf(x * 0.70710678118654752f));  // GELU_ERF
    case 13:                                                                 // GELU_TANH
      return 0.5f * x * (1.f + std::tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    default: return x;
  }
}

}  // namespace trtn::cpu
