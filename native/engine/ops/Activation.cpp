// ACTIVATION, PARAMETRIC_RELU and LRN.
//
// Activations follow cpu::applyActivation (the fused-epilogue definition), evaluated with
// branch-free float approximations for SIGMOID, TANH, SCALED_TANH and the two GELUs so the
// per-type loops vectorise; the approximations are accurate to a few float ulps. Differences
// from applyActivation, all following TensorRT's ActivationType formulas: RELU, CLIP and
// HARD_SIGMOID propagate NaN; CLIP is max(alpha, min(beta, x)) (alpha wins when alpha > beta);
// ELU/SELU use expm1 and SOFTPLUS a form that does not overflow for large beta*x.
#include <cmath>
#include <cstring>

#include "ElementwiseOps.h"

namespace trtn {

namespace {

using cpu::Compute;
using ew::selectFloat;
inline float sel(bool c, float a, float b) { return selectFloat(c, a, b); }

// ---- Vectorisable float math ----------------------------------------------------------------

// exp(x), Cephes expf style: x = n*ln2 + r with |r| <= ln2/2, a degree-5 polynomial, 2^n built
// in the exponent bits. Below -87.33 the result flushes to 0 (the true values are subnormal);
// above 88.37 it saturates at exp(88.37) (callers only pass larger values where that does not
// matter). NaN is not propagated: callers that must keep NaN do so themselves.
inline float expApprox(float x0) {
  float x = sel(x0 > 88.37f, 88.37f, x0);
  x = sel(x > -87.33f, x, -87.33f);  // also maps NaN to the lower bound
  float fx = x * 1.44269504088896341f;
  int32_t n = static_cast<int32_t>(fx + std::copysign(0.5f, fx));  // round half away from zero
  float nf = static_cast<float>(n);
  float r = x - nf * 0.693359375f;
  r = r - nf * -2.12194440e-4f;
  float z = r * r;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * z + r + 1.f;
  int32_t bits = (n + 127) << 23;  // n in [-126, 127]
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return sel(x0 < -87.33f, 0.f, y * scale);
}

// 1 / (1 + exp(-x)), accurate in relative terms for all x (no overflow, no cancellation).
inline float sigmoidApprox(float x) {
  float e = expApprox(-std::fabs(x));  // (0, 1]
  float s = 1.f / (1.f + e);
  float r = sel(x >= 0.f, s, e * s);
  return sel(x == x, r, x);
}

inline float tanhApprox(float x) {
  float ax = std::fabs(x);
  float z = x * x;
  // Cephes tanhf polynomial for |x| < 0.625.
  float p = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z -
             3.33332819422e-1f) *
                z * x +
            x;
  float l = 1.f - 2.f / (expApprox(2.f * ax) + 1.f);
  l = std::copysign(l, x);
  float r = sel(ax < 0.625f, p, l);
  return sel(x == x, r, x);
}

// 0.5 * x * (1 + erf(x / sqrt(2))). 1 + erf is taken as erfc(|z|) or 2 - erfc(|z|) with the
// Numerical Recipes erfc (fractional error < 1.2e-7 everywhere), so negative x keep their
// relative accuracy instead of cancelling.
inline float geluErfApprox(float x) {
  float z = std::fabs(x) * 0.70710678118654752f;
  float t = 1.f / (1.f + 0.5f * z);
  float poly =
      -z * z - 1.26551223f +
      t * (1.00002368f +
           t * (0.37409196f +
                t * (0.09678418f +
                     t * (-0.18628806f +
                          t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
  float c = t * expApprox(poly);  // erfc(z)
  float f = sel(x >= 0.f, 2.f - c, c);
  float r = 0.5f * x * f;
  return sel(x == x, r, x);
}

// 0.5 * x * (1 + tanh(u)) == x * sigmoid(2u), u = sqrt(2/pi) * (x + 0.044715 x^3).
inline float geluTanhApprox(float x) {
  float u2 = 1.5957691216057308f * (x + 0.044715f * x * x * x);
  return x * sigmoidApprox(u2);
}

inline float softplusStable(float z) {  // log(1 + exp(z)) == max(z, 0) + log1p(exp(-|z|))
  return std::max(z, 0.f) + std::log1p(std::exp(-std::fabs(z)));
}

// ---- ACTIVATION ---------------------------------------------------------------------------

const char* activationName(int64_t t) {
  static const char* names[] = {"RELU",     "SIGMOID",      "TANH",        "LEAKY_RELU",       "ELU",
                                "SELU",     "SOFTSIGN",     "SOFTPLUS",    "CLIP",             "HARD_SIGMOID",
                                "SCALED_TANH", "THRESHOLDED_RELU", "GELU_ERF", "GELU_TANH"};
  return (t >= 0 && t < 14) ? names[t] : "UNKNOWN";
}

void inferActivation(InferIO& io) {
  int64_t type = io.node.getInt("type", 0);
  if (type < 0 || type > 13) io.error("unknown ActivationType ", type);
  DataType t = io.type(0);
  if (!isFloatType(t)) {
    if (t == DataType::kINT32 || t == DataType::kINT64) {
      if (type != 0)
        io.error("activation ", activationName(type), " needs a FLOAT, HALF or BF16 input, got ", dataTypeName(t),
                 " (INT32 and INT64 support only RELU)");
    } else {
      io.error("input type ", dataTypeName(t), " is not supported; expected FLOAT, HALF or BF16");
    }
  }
  io.setOutput(0, t, io.dims(0));
}

class ActivationKernel : public CpuKernel {
 public:
  explicit ActivationKernel(const Node& node)
      : type_(static_cast<int32_t>(node.getInt("type", 0))),
        alpha_(static_cast<float>(node.getFloat("alpha", 0.0))),
        beta_(static_cast<float>(node.getFloat("beta", 0.0))) {}

  void run(KernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    int64_t n = x.count();
    if (x.type == DataType::kINT32) {
      ew::mapParallel(io.pool, x.as<int32_t>(), y.as<int32_t>(), n, 1, [](int32_t v) { return v > 0 ? v : 0; });
      return;
    }
    if (x.type == DataType::kINT64) {
      ew::mapParallel(io.pool, x.as<int64_t>(), y.as<int64_t>(), n, 1,
                      [](int64_t v) { return v > 0 ? v : int64_t{0}; });
      return;
    }
    cpu::dispatchFloat(x.type, [&](auto tag) {
      using T = decltype(tag);
      apply(io.pool, x.as<T>(), y.as<T>(), n);
    });
  }
  const char* implementation() const override { return "activation-vectorized"; }

 private:
  template <typename T>
  void apply(ThreadPool* pool, const T* x, T* y, int64_t n) const {
    const float a = alpha_, b = beta_;
    auto go = [&](int64_t cost, const auto& f) { ew::mapParallel(pool, x, y, n, cost, f); };
    switch (type_) {
      case 0: go(1, [](float v) { return v < 0.f ? 0.f : v; }); return;  // NaN stays NaN
      case 1: go(8, [](float v) { return sigmoidApprox(v); }); return;
      case 2: go(8, [](float v) { return tanhApprox(v); }); return;
      case 3: go(1, [a](float v) { return sel(v >= 0.f, v, a * v); }); return;
      case 4: go(16, [a](float v) { return sel(v >= 0.f, v, a * std::expm1(v)); }); return;
      case 5: go(16, [a, b](float v) { return sel(v >= 0.f, b * v, b * (a * std::expm1(v))); }); return;
      case 6: go(2, [](float v) { return v / (1.f + std::fabs(v)); }); return;
      case 7: go(24, [a, b](float v) { return a * softplusStable(b * v); }); return;
      case 8: go(1, [a, b](float v) { return std::max(std::min(v, b), a); }); return;  // NaN stays NaN
      case 9: go(1, [a, b](float v) { return std::max(std::min(a * v + b, 1.f), 0.f); }); return;
      case 10: go(8, [a, b](float v) { return a * tanhApprox(b * v); }); return;
      case 11: go(1, [a](float v) { return v > a ? v : 0.f; }); return;
      case 12: go(10, [](float v) { return geluErfApprox(v); }); return;
      case 13: go(10, [](float v) { return geluTanhApprox(v); }); return;
      default: fail(StatusCode::kInvalidArgument, "unknown ActivationType ", type_);
    }
  }

  int32_t type_;
  float alpha_, beta_;
};

std::unique_ptr<CpuKernel> createActivation(const Node& node, const std::vector<DataType>&,
                                            const std::vector<DataType>&) {
  return std::make_unique<ActivationKernel>(node);
}

// ---- PARAMETRIC_RELU ----------------------------------------------------------------------

void inferParametricRelu(InferIO& io) {
  DataType t = io.type(0);
  if (!isFloatType(t)) io.error("input type ", dataTypeName(t), " is not supported; expected FLOAT, HALF or BF16");
  ew::requireSameType(io, t, io.type(1), "input and slope");
  io.setOutput(0, t, ew::broadcastOrFail(io, io.dims(0), io.dims(1)));
}

class ParametricReluKernel : public CpuKernel {
 public:
  void run(KernelIO& io) override {
    cpu::dispatchFloat(io.in[0].type, [&](auto tag) {
      using T = decltype(tag);
      ew::binaryBroadcast<T, T, T>(io.pool, io.in[0], io.in[1], io.out[0], 1,
                                   [](float x, float s) { return ew::selectFloat(x >= 0.f, x, s * x); });
    });
  }
  const char* implementation() const override { return "broadcast"; }
};

std::unique_ptr<CpuKernel> createParametricRelu(const Node&, const std::vector<DataType>&,
                                                const std::vector<DataType>&) {
  return std::make_unique<ParametricReluKernel>();
}

// ---- LRN ----------------------------------------------------------------------------------
//
// Cross-channel over dimension 1 of [N, C, ...]:
//   y = x / (k + alpha / windowSize * sum_{c' in [c - w/2, c + w/2] ∩ [0, C)} x[c']^2)^beta
// (the ILRNLayer operator reference's example confirms the alpha / windowSize scaling).

void inferLrn(InferIO& io) {
  DataType t = io.type(0);
  if (!isFloatType(t)) io.error("input type ", dataTypeName(t), " is not supported; expected FLOAT, HALF or BF16");
  const Dims& d = io.dims(0);
  if (d.size() < 2) io.error("input ", dimsToString(d), " needs rank >= 2 ([N, C, ...])");
  int64_t w = io.node.getInt("windowSize", 1);
  if (w < 1 || w > 15 || w % 2 == 0) io.error("windowSize must be odd and in [1, 15], got ", w);
  io.setOutput(0, t, d);
}

class LrnKernel : public CpuKernel {
 public:
  explicit LrnKernel(const Node& node)
      : window_(node.getInt("windowSize", 1)),
        alpha_(static_cast<float>(node.getFloat("alpha", 0.0))),
        beta_(static_cast<float>(node.getFloat("beta", 0.0))),
        k_(static_cast<float>(node.getFloat("k", 0.0))) {}

  void run(KernelIO& io) override {
    cpu::dispatchFloat(io.in[0].type, [&](auto tag) {
      using T = decltype(tag);
      apply(io.pool, io.in[0], io.out[0], static_cast<const T*>(io.in[0].data), static_cast<T*>(io.out[0].data));
    });
  }
  const char* implementation() const override { return "cross-channel"; }

 private:
  template <typename T>
  void apply(ThreadPool* pool, const TensorRef& in, const TensorRef&, const T* x, T* y) const {
    const Dims& d = in.dims;
    const int64_t N = d[0], C = d[1];
    int64_t inner = 1;
    for (size_t i = 2; i < d.size(); ++i) inner *= d[i];
    if (N * C * inner <= 0) return;
    const int64_t half = window_ / 2;
    const float scale = alpha_ / static_cast<float>(window_);
    const float k = k_, negBeta = -beta_;
    ew::parallel(pool, N * C, cpu::grainFor(inner * (window_ + 20)), [&](int64_t b, int64_t e) {
      constexpr int64_t kTile = 256;
      float acc[kTile];
      for (int64_t row = b; row < e; ++row) {
        const int64_t n = row / C, c = row % C;
        const int64_t lo = std::max<int64_t>(0, c - half), hi = std::min<int64_t>(C - 1, c + half);
        const int64_t base = n * C * inner;
        for (int64_t j0 = 0; j0 < inner; j0 += kTile) {
          const int64_t m = std::min(kTile, inner - j0);
          for (int64_t j = 0; j < m; ++j) acc[j] = 0.f;
          for (int64_t cc = lo; cc <= hi; ++cc) {
            const int64_t off = base + cc * inner + j0;
            for (int64_t j = 0; j < m; ++j) {
              float v = Compute<T>::load(x, off + j);
              acc[j] += v * v;
            }
          }
          const int64_t off = base + c * inner + j0;
          for (int64_t j = 0; j < m; ++j) {
            float v = Compute<T>::load(x, off + j);
            Compute<T>::store(y, off + j, v * std::pow(k + scale * acc[j], negBeta));
          }
        }
      }
    });
  }

  int64_t window_;
  float alpha_, beta_, k_;
};

std::unique_ptr<CpuKernel> createLrn(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<LrnKernel>(node);
}

}  // namespace

void registerActivation() {
  registerOp({LayerType::kACTIVATION, "Activation", 1, 1, 1, inferActivation, createActivation, {}});
  registerOp({LayerType::kPARAMETRIC_RELU, "ParametricReLU", 2, 2, 1, inferParametricRelu, createParametricRelu, {}});
  registerOp({LayerType::kLRN, "LRN", 1, 1, 1, inferLrn, createLrn, {}});
}

}  // namespace trtn
