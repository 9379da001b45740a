// FILL: LINSPACE, RANDOM_UNIFORM, RANDOM_NORMAL.
//
// Inputs (all optional): 0 shape (1-D INT32/INT64, value needed to size the output), 1 alpha
// (one value), 2 beta. Attributes: shape, operation, alpha (0), beta (1), toType (FLOAT), seed (0).
//
// LINSPACE (FLOAT, INT32, INT64): out[i_0..i_{r-1}] = alpha + sum_d beta_d * i_d. beta holds
//   either one value per dimension, or a single value that applies to the last dimension
//   (ILayer doc: "a static beta b is implicitly a 1D tensor [b]"; for rank 1 both agree).
//   Integer outputs use exact int64 arithmetic when alpha and beta are integers, otherwise the
//   double result truncated toward zero.
// RANDOM_UNIFORM (FLOAT, HALF): uniform in [alpha, beta).
// RANDOM_NORMAL (FLOAT, HALF): mean alpha, standard deviation beta (Box-Muller).
//   Random values come from a counter-based SplitMix64 stream keyed by `seed`: element i uses
//   stream positions i (uniform) or 2i, 2i+1 (normal), so results are reproducible and do not
//   depend on the thread split.
#include <cmath>

#include "ElementwiseOps.h"

namespace trtn {

namespace {

using cpu::Compute;

const char* fillName(int64_t op) {
  switch (op) {
    case 0: return "LINSPACE";
    case 1: return "RANDOM_UNIFORM";
    case 2: return "RANDOM_NORMAL";
    default: return "UNKNOWN";
  }
}

// The beta attribute: one value (int or float) or a list.
std::vector<double> betaAttr(const Node& n) {
  auto it = n.attrs.find("beta");
  if (it == n.attrs.end()) return {1.0};
  if (std::holds_alternative<int64_t>(it->second) || std::holds_alternative<double>(it->second))
    return {n.getFloat("beta", 1.0)};
  return n.getFloats("beta", {1.0});
}

void requireNonNegative(const InferIO& io, const Dims& d) {
  for (int64_t x : d)
    if (x < 0) io.error("output shape ", dimsToString(d), " has a negative dimension");
}

void inferFill(InferIO& io) {
  const int64_t op = io.node.getInt("operation", 0);
  if (op < 0 || op > 2) io.error("unknown FillOperation ", op);
  const auto to = static_cast<DataType>(io.node.getInt("toType", static_cast<int64_t>(DataType::kFLOAT)));
  if (op == 0) {
    if (!ew::oneOf(to, {DataType::kFLOAT, DataType::kINT32, DataType::kINT64}))
      io.error("LINSPACE output type ", dataTypeName(to), " is not valid; expected FLOAT, INT32 or INT64");
  } else if (!ew::oneOf(to, {DataType::kFLOAT, DataType::kHALF})) {
    io.error(fillName(op), " output type ", dataTypeName(to), " is not valid; expected FLOAT or HALF");
  }

  Dims out;
  if (io.has(0)) {
    const DataType st = io.type(0);
    const Dims& sd = io.dims(0);
    if (st != DataType::kINT32 && st != DataType::kINT64)
      io.error("shape input must be INT32 or INT64, got ", dataTypeName(st));
    if (sd.size() != 1) io.error("shape input must be 1-D, got dimensions ", dimsToString(sd));
    if (sd[0] < 0) io.error("shape input has an unknown length; the output rank must be known when building");
    if (const std::vector<int64_t>* v = io.value(0)) {
      if (static_cast<int64_t>(v->size()) != sd[0])
        io.error("internal: shape input value has ", v->size(), " elements for dimensions ", dimsToString(sd));
      out.assign(v->begin(), v->end());
      requireNonNegative(io, out);
    } else {
      out.assign(static_cast<size_t>(sd[0]), -1);
    }
  } else {
    out = io.node.getInts("shape");
    requireNonNegative(io, out);
  }
  const int64_t rank = static_cast<int64_t>(out.size());

  if (io.has(1)) {
    if (io.type(1) == DataType::kBOOL) io.error("alpha input must be numeric, got BOOL");
    const int64_t n = volume(io.dims(1));
    if (io.dims(1).size() > 1 || (n >= 0 && n != 1))
      io.error("alpha input must hold one value, got dimensions ", dimsToString(io.dims(1)));
  }
  if (io.has(2)) {
    if (io.type(2) == DataType::kBOOL) io.error("beta input must be numeric, got BOOL");
    const Dims& bd = io.dims(2);
    const int64_t n = volume(bd);
    if (bd.size() > 1) io.error("beta input must be a scalar or 1-D, got dimensions ", dimsToString(bd));
    if (op == 0) {
      if (n >= 0 && n != 1 && n != rank)
        io.error("LINSPACE beta input has ", n, " values; expected 1 or one per output dimension (", rank, ")");
    } else if (n >= 0 && n != 1) {
      io.error(fillName(op), " beta input must hold one value, got dimensions ", dimsToString(bd));
    }
  } else {
    const size_t n = betaAttr(io.node).size();
    if (op == 0 ? (n != 1 && static_cast<int64_t>(n) != rank) : n != 1)
      io.error("beta attribute has ", n, " values; expected 1", op == 0 ? " or one per output dimension" : "");
  }
  io.setOutput(0, to, std::move(out));
}

// ---- Random numbers -----------------------------------------------------------------------

inline uint64_t splitmix64At(uint64_t seed, uint64_t position) {
  uint64_t z = seed + (position + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline double unitInterval(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }  // [0, 1)

// ---- Kernel -------------------------------------------------------------------------------

struct Param {
  std::vector<double> values;
  bool integral = true;  // every value is an integer that fits int64 (exact LINSPACE on ints)
  std::vector<int64_t> ints;
};

Param readParam(const TensorRef* t, const std::vector<double>& fallback) {
  Param p;
  if (t && t->data) {
    const int64_t n = t->count();
    for (int64_t i = 0; i < n; ++i) {
      if (isFloatType(t->type)) {
        p.values.push_back(loadAsDouble(t->data, t->type, i));
      } else {
        int64_t v = loadAsInt64(t->data, t->type, i);
        p.values.push_back(static_cast<double>(v));
        p.ints.push_back(v);
      }
    }
    if (!isFloatType(t->type)) return p;
  } else {
    p.values = fallback;
  }
  p.ints.clear();
  for (double v : p.values) {
    if (!(std::floor(v) == v && std::fabs(v) < 9.0e15)) {
      p.integral = false;
      break;
    }
    p.ints.push_back(static_cast<int64_t>(v));
  }
  return p;
}

class FillKernel : public CpuKernel {
 public:
  explicit FillKernel(const Node& node)
      : op_(node.getInt("operation", 0)),
        alpha_(node.getFloat("alpha", 0.0)),
        beta_(betaAttr(node)),
        seed_(static_cast<uint64_t>(node.getInt("seed", 0))) {}

  void run(KernelIO& io) override {
    const TensorRef& out = io.out[0];
    const TensorRef* alphaIn = io.in.size() > 1 && io.in[1].data ? &io.in[1] : nullptr;
    const TensorRef* betaIn = io.in.size() > 2 && io.in[2].data ? &io.in[2] : nullptr;
    Param alpha = readParam(alphaIn, {alpha_});
    Param beta = readParam(betaIn, beta_);
    if (alpha.values.size() != 1) fail(StatusCode::kInvalidArgument, "FILL alpha must hold one value");
    if (op_ == 0) {
      linspace(io.pool, out, alpha, beta);
      return;
    }
    if (beta.values.size() != 1) fail(StatusCode::kInvalidArgument, "FILL beta must hold one value");
    const double a = alpha.values[0], b = beta.values[0];
    switch (out.type) {
      case DataType::kFLOAT: random(io.pool, out.as<float>(), out.count(), a, b); return;
      case DataType::kHALF: random(io.pool, out.as<Half>(), out.count(), a, b); return;
      default: fail(StatusCode::kUnsupported, "FILL ", fillName(op_), " cannot produce ", dataTypeName(out.type));
    }
  }
  const char* implementation() const override { return op_ == 0 ? "linspace" : "splitmix64"; }

 private:
  void linspace(ThreadPool* pool, const TensorRef& out, const Param& alpha, const Param& beta) const {
    const Dims& d = out.dims;
    const int64_t rank = static_cast<int64_t>(d.size());
    const int64_t total = out.count();
    if (total <= 0) return;
    // Per-dimension deltas.
    std::vector<double> bd(static_cast<size_t>(rank), 0.0);
    std::vector<int64_t> bi(static_cast<size_t>(rank), 0);
    const int64_t nb = static_cast<int64_t>(beta.values.size());
    if (nb == rank) {
      bd = beta.values;
      if (beta.integral) bi = beta.ints;
    } else if (nb == 1) {
      if (rank > 0) {
        bd[rank - 1] = beta.values[0];
        if (beta.integral) bi[rank - 1] = beta.ints[0];
      }
    } else {
      fail(StatusCode::kInvalidArgument, "FILL LINSPACE beta has ", nb, " values for output rank ", rank);
    }
    const int64_t inner = rank > 0 ? d[rank - 1] : 1;
    const int64_t rows = total / inner;
    const bool exactInt = out.type != DataType::kFLOAT && alpha.integral && beta.integral;
    // Start value of row `row` (all indices but the last): alpha + sum_{d < rank-1} beta_d * i_d.
    auto rowBaseInt = [&](int64_t row) {
      int64_t base = alpha.ints[0];
      for (int64_t dd = rank - 2; dd >= 0; --dd) {
        base = ew::wrapAdd(base, ew::wrapMul(bi[dd], row % d[dd]));
        row /= d[dd];
      }
      return base;
    };
    auto rowBaseDouble = [&](int64_t row) {
      double base = alpha.values[0];
      for (int64_t dd = rank - 2; dd >= 0; --dd) {
        base += bd[dd] * static_cast<double>(row % d[dd]);
        row /= d[dd];
      }
      return base;
    };
    ew::parallel(pool, rows, cpu::grainFor(inner), [&](int64_t rb, int64_t re) {
      for (int64_t row = rb; row < re; ++row) {
        const int64_t o = row * inner;
        if (exactInt) {
          const int64_t base = rowBaseInt(row);
          const int64_t step = rank > 0 ? bi[rank - 1] : 0;
          if (out.type == DataType::kINT32) {
            auto* p = out.as<int32_t>() + o;
            for (int64_t j = 0; j < inner; ++j) p[j] = static_cast<int32_t>(ew::wrapAdd(base, ew::wrapMul(step, j)));
          } else {
            auto* p = out.as<int64_t>() + o;
            for (int64_t j = 0; j < inner; ++j) p[j] = ew::wrapAdd(base, ew::wrapMul(step, j));
          }
        } else {
          const double base = rowBaseDouble(row);
          const double step = rank > 0 ? bd[rank - 1] : 0.0;
          for (int64_t j = 0; j < inner; ++j) {
            const double v = base + step * static_cast<double>(j);
            if (out.type == DataType::kFLOAT) out.as<float>()[o + j] = static_cast<float>(v);
            else storeInt(out, o + j, v);
          }
        }
      }
    });
  }

  // Double to INT32/INT64, truncating toward zero and saturating (NaN gives 0).
  static void storeInt(const TensorRef& out, int64_t i, double v) {
    if (!(v == v)) v = 0.0;
    if (out.type == DataType::kINT32) {
      v = std::min(std::max(v, -2147483648.0), 2147483647.0);
      out.as<int32_t>()[i] = static_cast<int32_t>(v);
    } else {
      v = std::min(std::max(v, -9223372036854775808.0), 9223372036854774784.0);
      out.as<int64_t>()[i] = static_cast<int64_t>(v);
    }
  }

  template <typename T>
  void random(ThreadPool* pool, T* out, int64_t n, double a, double b) const {
    const uint64_t seed = seed_;
    const int64_t op = op_;
    const float fa = static_cast<float>(a), fb = static_cast<float>(b);
    ew::parallel(pool, n, cpu::grainFor(op == 1 ? 8 : 40), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float v;
        if (op == 1) {
          const double u = unitInterval(splitmix64At(seed, static_cast<uint64_t>(i)));
          v = static_cast<float>(a + (b - a) * u);
          if (fb > fa && v >= fb) v = std::nextafter(fb, fa);  // keep the upper bound exclusive
        } else {
          const uint64_t p = static_cast<uint64_t>(i) * 2;
          const double u1 = 1.0 - unitInterval(splitmix64At(seed, p));  // (0, 1]
          const double u2 = unitInterval(splitmix64At(seed, p + 1));
          const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
          v = static_cast<float>(a + b * z);
        }
        Compute<T>::store(out, i, v);
      }
    });
  }

  int64_t op_;
  double alpha_;
  std::vector<double> beta_;
  uint64_t seed_;
};

std::unique_ptr<CpuKernel> createFill(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<FillKernel>(node);
}

}  // namespace

void registerFill() { registerOp({LayerType::kFILL, "Fill", 0, 3, 1, inferFill, createFill, {0}}); }

}  // namespace trtn
