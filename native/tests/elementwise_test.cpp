// Standalone test of the elementwise op family (ops/ElementwiseOps.cpp and friends): builds nodes
// by hand, runs shape inference and the CPU kernels through the op registry, and compares with
// naive double-precision loops.
//
//   g++ -O1 -std=c++17 -pthread -Inative/engine -o /tmp/elementwise_test native/tests/elementwise_test.cpp
//       native/engine/{Status,DataType,Graph,ThreadPool,Inference,OpRegistry}.cpp native/engine/cpu/KernelUtil.cpp
//       native/engine/ops/{Basic,ElementwiseOps,Activation,ElementWise,Unary,Quantize,Fill,Select}.cpp
//
// OpRegistry.cpp calls every op family's register function; the families not linked here get
// the weak no-op stand-ins below.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "Inference.h"
#include "Ops.h"
#include "cpu/KernelUtil.h"
#include "ops/Registration.h"

namespace trtn {
__attribute__((weak)) void registerConvolution() {}
__attribute__((weak)) void registerDeconvolution() {}
__attribute__((weak)) void registerPooling() {}
__attribute__((weak)) void registerTensorOps() {}
}  // namespace trtn

using namespace trtn;

namespace {

int gChecks = 0;
int gFailures = 0;

#define EXPECT(cond, ...)                                        \
  do {                                                           \
    ++gChecks;                                                   \
    if (!(cond)) {                                               \
      ++gFailures;                                               \
      if (gFailures <= 60) {                                     \
        std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        std::printf("     %s\n", concat(__VA_ARGS__).c_str());   \
      }                                                          \
    }                                                            \
  } while (0)

ThreadPool& pool() {
  static ThreadPool p(4);
  return p;
}

std::mt19937_64& rng() {
  static std::mt19937_64 r(12345);
  return r;
}
double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng()); }
int64_t uniformInt(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng()); }

// ---- Tensors ------------------------------------------------------------------------------

struct Tensor {
  DataType type = DataType::kFLOAT;
  Dims dims;
  std::vector<uint8_t> bytes;
  Tensor() = default;
  Tensor(DataType t, Dims d) : type(t), dims(std::move(d)) {
    bytes.assign(static_cast<size_t>(byteSizeOf(t, std::max<int64_t>(volume(dims), 0))) + 8, 0);
  }
  int64_t count() const { return volume(dims); }
  void* data() { return bytes.data(); }
  const void* data() const { return bytes.data(); }
  double get(int64_t i) const { return loadAsDouble(bytes.data(), type, i); }
  int64_t geti(int64_t i) const { return loadAsInt64(bytes.data(), type, i); }
  void set(int64_t i, double v) { storeFromDouble(bytes.data(), type, i, v); }
  void seti(int64_t i, int64_t v) { storeFromInt64(bytes.data(), type, i, v); }
};

// Rounds v to the storage precision of t (double -> float -> 16-bit, as the kernels do).
double roundTo(DataType t, double v) {
  Tensor x(t, {1});
  x.set(0, v);
  return x.get(0);
}

// Unit in the last place of `v` in float type t.
double ulpOf(DataType t, double v) {
  int mant = t == DataType::kFLOAT ? 23 : t == DataType::kHALF ? 10 : 7;
  double minNormalExp = t == DataType::kHALF ? -14 : -126;
  double a = std::fabs(v);
  double e = a > 0 ? std::floor(std::log2(a)) : minNormalExp;
  if (e < minNormalExp) e = minNormalExp;
  return std::ldexp(1.0, static_cast<int>(e) - mant);
}

Tensor randomFloat(DataType t, Dims d, double lo, double hi) {
  Tensor x(t, std::move(d));
  for (int64_t i = 0; i < x.count(); ++i) x.set(i, uniform(lo, hi));
  return x;
}

Tensor fromValues(DataType t, Dims d, const std::vector<double>& v) {
  Tensor x(t, std::move(d));
  for (int64_t i = 0; i < x.count(); ++i) x.set(i, v[static_cast<size_t>(i)]);
  return x;
}

Tensor fromInts(DataType t, Dims d, const std::vector<int64_t>& v) {
  Tensor x(t, std::move(d));
  for (int64_t i = 0; i < x.count(); ++i) x.seti(i, v[static_cast<size_t>(i)]);
  return x;
}

// ---- Nodes, inference, kernels ------------------------------------------------------------

Node makeNode(LayerType type, int numInputs, std::map<std::string, AttrValue> attrs = {}) {
  Node n;
  n.name = "n";
  n.type = type;
  for (int i = 0; i < numInputs; ++i) n.inputs.push_back(i);
  n.outputs = {100};
  n.attrs = std::move(attrs);
  return n;
}

struct Inferred {
  DataType type;
  Dims dims;
};

Inferred inferNode(const Node& n, const std::vector<DataType>& types, const std::vector<Dims>& dims,
                   const std::vector<const std::vector<int64_t>*>& values = {}, bool runtime = false) {
  const OpDef& def = opDef(n.type);
  InferIO io(n);
  io.runtime = runtime;
  int numIn = static_cast<int>(n.inputs.size());
  if (numIn < def.minInputs || numIn > def.maxInputs) fail(StatusCode::kInvalidArgument, "input count");
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    bool present = n.inputs[i] >= 0;
    io.present.push_back(present);
    io.inTypes.push_back(present ? types[i] : DataType::kFLOAT);
    io.inDims.push_back(present ? dims[i] : Dims{});
    io.inValues.push_back(i < values.size() ? values[i] : nullptr);
  }
  def.infer(io);
  return {io.outTypes.at(0), io.outDims.at(0)};
}

struct ErrorInfo {
  bool thrown = false;
  StatusCode code = StatusCode::kOk;
  std::string message;
};

ErrorInfo inferError(const Node& n, const std::vector<DataType>& types, const std::vector<Dims>& dims,
                     const std::vector<const std::vector<int64_t>*>& values = {}) {
  ErrorInfo e;
  try {
    inferNode(n, types, dims, values);
  } catch (const EngineError& err) {
    e.thrown = true;
    e.code = err.code();
    e.message = err.message();
  }
  return e;
}

// Runs inference (runtime) and the kernel. ins[i] == nullptr for absent optional inputs.
Tensor runNode(Node n, const std::vector<const Tensor*>& ins, ThreadPool* p = &pool()) {
  std::vector<DataType> types;
  std::vector<Dims> dims;
  std::vector<std::vector<int64_t>> valueStore(ins.size());
  std::vector<const std::vector<int64_t>*> values;
  n.inputs.clear();
  for (size_t i = 0; i < ins.size(); ++i) {
    n.inputs.push_back(ins[i] ? static_cast<int32_t>(i) : -1);
    types.push_back(ins[i] ? ins[i]->type : DataType::kFLOAT);
    dims.push_back(ins[i] ? ins[i]->dims : Dims{});
    if (ins[i] && (ins[i]->type == DataType::kINT32 || ins[i]->type == DataType::kINT64)) {
      for (int64_t k = 0; k < ins[i]->count(); ++k) valueStore[i].push_back(ins[i]->geti(k));
      values.push_back(&valueStore[i]);
    } else {
      values.push_back(nullptr);
    }
  }
  Inferred inf = inferNode(n, types, dims, values, true);
  Tensor out(inf.type, inf.dims);
  const OpDef& def = opDef(n.type);
  auto kernel = def.createCpu(n, types, {inf.type});
  KernelIO io;
  io.pool = p;
  for (size_t i = 0; i < ins.size(); ++i) {
    TensorRef r;
    r.type = types[i];
    r.dims = dims[i];
    r.data = ins[i] ? const_cast<void*>(ins[i]->data()) : nullptr;
    io.in.push_back(r);
  }
  TensorRef o;
  o.type = out.type;
  o.dims = out.dims;
  o.data = out.data();
  io.out.push_back(o);
  std::vector<uint8_t> ws(kernel->workspaceBytes(dims, {out.dims}) + 64);
  io.workspace = ws.data();
  io.workspaceBytes = ws.size() - 64;
  kernel->run(io);
  return out;
}

bool sameValue(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// got vs reference (already exact in double), within `ulps` of the output type (0 = exact
// after rounding the reference to the type) plus `absTol`.
void compare(const std::string& what, const Tensor& got, const std::vector<double>& ref, double ulps,
             double absTol = 0.0) {
  EXPECT(got.count() == static_cast<int64_t>(ref.size()), what, ": count ", got.count(), " vs ", ref.size());
  int shown = 0;
  for (int64_t i = 0; i < got.count() && i < static_cast<int64_t>(ref.size()); ++i) {
    double g = got.get(i);
    double r = ref[static_cast<size_t>(i)];
    bool ok;
    if (!isFloatType(got.type)) {
      ok = g == r;
    } else if (ulps == 0) {
      ok = sameValue(g, roundTo(got.type, r));
    } else if (std::isnan(r) || std::isinf(roundTo(got.type, r))) {
      ok = sameValue(g, roundTo(got.type, r));
    } else {
      ok = std::fabs(g - r) <= ulps * ulpOf(got.type, r) + absTol;
    }
    ++gChecks;
    if (!ok) {
      ++gFailures;
      if (shown++ < 4 && gFailures <= 400)
        std::printf("FAIL %s [%s] element %lld: got %.9g, expected %.9g\n", what.c_str(), dataTypeName(got.type),
                    static_cast<long long>(i), g, r);
    }
  }
}

// Index of input element for output linear index `o` under broadcasting.
int64_t bcastIndex(const Dims& out, const Dims& in, int64_t o) {
  int64_t idx = 0, stride = 1;
  for (int64_t d = static_cast<int64_t>(out.size()) - 1; d >= 0; --d) {
    int64_t i = o % out[d];
    o /= out[d];
    if (in[d] != 1) idx += i * stride;
    stride *= in[d];
  }
  return idx;
}

Dims bcast(const Dims& a, const Dims& b) {
  Dims o(a.size());
  for (size_t i = 0; i < a.size(); ++i) o[i] = a[i] == 1 ? b[i] : a[i];
  return o;
}

const DataType kF = DataType::kFLOAT, kH = DataType::kHALF, kB = DataType::kBF16;
const std::vector<DataType> kFloatTypes = {kF, kH, kB};

// ---- ACTIVATION ---------------------------------------------------------------------------

double refActivation(int t, double x, double a, double b) {
  switch (t) {
    case 0: return std::isnan(x) ? x : std::max(0.0, x);
    case 1: return 1 / (1 + std::exp(-x));
    case 2: return std::tanh(x);
    case 3: return x >= 0 ? x : a * x;
    case 4: return x >= 0 ? x : a * std::expm1(x);
    case 5: return x >= 0 ? b * x : b * (a * std::expm1(x));
    case 6: return x / (1 + std::fabs(x));
    case 7: return a * std::log1p(std::exp(b * x));
    case 8: return std::isnan(x) ? x : std::max(a, std::min(b, x));
    case 9: return std::isnan(x) ? x : std::max(0.0, std::min(1.0, a * x + b));
    case 10: return a * std::tanh(b * x);
    case 11: return x > a ? x : 0;
    // 1 + erf(z) == erfc(-z) and 1 + tanh(u) == 2 / (1 + exp(-2u)): the same functions without
    // the cancellation that the textbook forms suffer in double for large negative x.
    case 12: return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
    case 13: return x / (1 + std::exp(-2 * std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  }
  return 0;
}

void testActivation() {
  const double alphas[14] = {0, 0, 0, 0.1, 1.3, 1.6733, 0, 1.5, -1, 0.2, 1.7, 0.5, 0, 0};
  const double betas[14] = {0, 0, 0, 0, 0, 1.0507, 0, 0.7, 2, 0.5, 0.66, 0, 0, 0};
  std::vector<double> special = {0, -0.0, 1e-4, -1e-4, 1e-6, 0.5, -0.5, 0.625, -0.625, 3, -3, 9, -9,
                                 20, -20, 40, -40, 87, -87, 100, -100, 1e-30, -1e-30};
  for (DataType t : kFloatTypes) {
    for (int type = 0; type < 14; ++type) {
      Tensor x(t, {3, 7, 53});
      for (int64_t i = 0; i < x.count(); ++i)
        x.set(i, i < static_cast<int64_t>(special.size()) ? special[static_cast<size_t>(i)] : uniform(-8, 8));
      Node n = makeNode(LayerType::kACTIVATION, 1,
                        {{"type", int64_t{type}}, {"alpha", alphas[type]}, {"beta", betas[type]}});
      Tensor y = runNode(n, {&x});
      EXPECT(y.type == t && y.dims == x.dims, "activation output type/dims");
      std::vector<double> ref;
      // Alpha/beta are float attributes in the kernel: use their float values in the reference.
      double a = static_cast<float>(alphas[type]), b = static_cast<float>(betas[type]);
      for (int64_t i = 0; i < x.count(); ++i) ref.push_back(refActivation(type, x.get(i), a, b));
      // float: a few ulps (approximations and float libm) plus the conditioning of exp() on an
      // argument computed in float (|arg| * 2^-24 relative); 16-bit: one ulp of the type.
      auto argOf = [&](double v) {
        switch (type) {
          case 7: return std::fabs(b * v);
          case 12: return 0.5 * v * v;
          case 13: return std::fabs(1.6 * (v + 0.044715 * v * v * v));
          default: return 0.0;
        }
      };
      if (t == kF) {
        for (int64_t i = 0; i < x.count(); ++i) {
          Tensor one(kF, {1}), refOne;
          one.set(0, y.get(i));
          compare(concat("activation ", type, " x=", x.get(i)), one, {ref[static_cast<size_t>(i)]},
                  (type == 12 ? 16 : 8) + (type == 12 ? 4 : 2) * argOf(x.get(i)), type == 9 ? 2e-7 : 1e-37);
        }
      } else {
        compare(concat("activation ", type), y, ref, 1, 1e-37);
      }
      if (t == kF) {  // agrees with the fused-epilogue definition
        std::vector<double> fused;
        for (int64_t i = 0; i < x.count(); ++i)
          fused.push_back(cpu::applyActivation(type, static_cast<float>(x.get(i)), static_cast<float>(a),
                                               static_cast<float>(b)));
        compare(concat("activation vs applyActivation ", type), y, fused, 64, 1e-6);
      }
    }
  }
  // NaN propagates (as in TensorRT's formulas; THRESHOLDED_RELU's `x > alpha ? x : 0` gives 0).
  for (int type : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13}) {
    Tensor x = fromValues(kF, {2}, {std::nan(""), 1.0});
    Tensor y = runNode(makeNode(LayerType::kACTIVATION, 1, {{"type", int64_t{type}}, {"alpha", 1.0}, {"beta", 1.0}}), {&x});
    EXPECT(std::isnan(y.get(0)), "activation ", type, " NaN");
  }
  // CLIP with alpha > beta: max(alpha, min(beta, x)) == alpha.
  {
    Tensor x = fromValues(kF, {3}, {-5, 0, 5});
    Tensor y = runNode(makeNode(LayerType::kACTIVATION, 1, {{"type", int64_t{8}}, {"alpha", 2.0}, {"beta", 1.0}}), {&x});
    compare("clip alpha > beta", y, {2, 2, 2}, 0);
  }
  // RELU on integers.
  for (DataType t : {DataType::kINT32, DataType::kINT64}) {
    Tensor x = fromInts(t, {5}, {-5, 0, 7, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()});
    Tensor y = runNode(makeNode(LayerType::kACTIVATION, 1, {{"type", int64_t{0}}}), {&x});
    compare("int relu", y, {0, 0, 7, 0, 2147483647.0}, 0);
  }
  // Large tensor through the pool (chunking), checked against a serial run.
  {
    Tensor x = randomFloat(kF, {1000, 517}, -6, 6);
    for (int type : {0, 1, 2, 12, 13}) {
      Node n = makeNode(LayerType::kACTIVATION, 1, {{"type", int64_t{type}}});
      Tensor a = runNode(n, {&x});
      Tensor b = runNode(n, {&x}, nullptr);
      EXPECT(a.bytes == b.bytes, "parallel activation ", type, " differs from serial");
    }
  }
  // Errors.
  Node sig = makeNode(LayerType::kACTIVATION, 1, {{"type", int64_t{1}}});
  ErrorInfo e = inferError(sig, {DataType::kINT32}, {{2}});
  EXPECT(e.thrown && e.message.find("SIGMOID") != std::string::npos && e.message.find("INT32") != std::string::npos,
         e.message);
  e = inferError(makeNode(LayerType::kACTIVATION, 1, {{"type", int64_t{14}}}), {kF}, {{2}});
  EXPECT(e.thrown && e.message.find("unknown ActivationType 14") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kACTIVATION, 1, {{"type", int64_t{0}}}), {DataType::kBOOL}, {{2}});
  EXPECT(e.thrown, "relu on BOOL should fail");
  Inferred inf = inferNode(sig, {kH}, {{-1, 3}});
  EXPECT(inf.type == kH && inf.dims == (Dims{-1, 3}), "activation -1 dims");
}

// ---- ELEMENTWISE --------------------------------------------------------------------------

template <typename T>
T wrapTo(__int128 v) {
  return static_cast<T>(static_cast<uint64_t>(static_cast<unsigned __int128>(v)));
}

// Reference integer op in exact arithmetic, wrapped to the storage type's width.
int64_t refIntOp(int op, DataType t, int64_t a, int64_t b) {
  __int128 r = 0;
  switch (op) {
    case 0: r = static_cast<__int128>(a) + b; break;
    case 1: r = static_cast<__int128>(a) * b; break;
    case 2: r = std::max(a, b); break;
    case 3: r = std::min(a, b); break;
    case 4: r = static_cast<__int128>(a) - b; break;
    case 5: r = b == 0 ? 0 : static_cast<__int128>(a) / b; break;
    case 6: {
      if (b < 0) {
        r = a == 1 ? 1 : a == -1 ? (b % 2 == 0 ? 1 : -1) : 0;
      } else {
        uint64_t p = 1;
        for (int64_t k = 0; k < b; ++k) p *= static_cast<uint64_t>(a);
        r = static_cast<int64_t>(p);
      }
      break;
    }
    case 7: {
      if (b == 0) {
        r = 0;
      } else {
        __int128 q = static_cast<__int128>(a) / b, rem = static_cast<__int128>(a) % b;
        if (rem != 0 && ((rem < 0) != (b < 0))) --q;
        r = q;
      }
      break;
    }
    case 11: return a == b;
    case 12: return a > b;
    case 13: return a < b;
  }
  switch (t) {
    case DataType::kINT8: return wrapTo<int8_t>(r);
    case DataType::kUINT8: return wrapTo<uint8_t>(r);
    case DataType::kINT32: return wrapTo<int32_t>(r);
    default: return wrapTo<int64_t>(r);
  }
}

double refFloatOp(int op, DataType t, double a, double b) {
  switch (op) {
    case 0: return a + b;
    case 1: return a * b;
    case 2: return a > b ? a : b;
    case 3: return a < b ? a : b;
    case 4: return a - b;
    case 5: return a / b;
    case 6: return std::pow(a, b);
    case 7: return std::floor(static_cast<float>(a / b));  // the quotient is a float first
    case 11: return a == b;
    case 12: return a > b;
    case 13: return a < b;
  }
  (void)t;
  return 0;
}

Tensor randomInts(DataType t, Dims d, int op, bool isExponent) {
  Tensor x(t, std::move(d));
  int64_t lo, hi;
  switch (t) {
    case DataType::kINT8: lo = -128; hi = 127; break;
    case DataType::kUINT8: lo = 0; hi = 255; break;
    case DataType::kINT32: lo = std::numeric_limits<int32_t>::min(); hi = std::numeric_limits<int32_t>::max(); break;
    default: lo = std::numeric_limits<int64_t>::min(); hi = std::numeric_limits<int64_t>::max(); break;
  }
  for (int64_t i = 0; i < x.count(); ++i) {
    int64_t v;
    int64_t pick = uniformInt(0, 9);
    if (op == 6 && isExponent) v = uniformInt(t == DataType::kUINT8 ? 0 : -3, 20);
    else if (pick < 5) v = uniformInt(std::max<int64_t>(lo, -50), std::min<int64_t>(hi, 50));
    else if (pick < 7) v = uniformInt(lo, hi);
    else if (pick == 7) v = lo;
    else if (pick == 8) v = t == DataType::kUINT8 ? 0 : -1;
    else v = 0;
    x.seti(i, v);
  }
  return x;
}

void testElementWise() {
  const std::vector<std::pair<Dims, Dims>> shapes = {
      {{3, 4, 5}, {3, 4, 5}}, {{3, 4, 5}, {1, 1, 1}}, {{1, 1, 1}, {3, 4, 5}}, {{3, 4, 5}, {1, 1, 5}},
      {{3, 4, 5}, {1, 4, 1}}, {{3, 1, 5}, {1, 4, 1}}, {{3, 4, 1}, {3, 1, 5}}, {{2, 3, 4, 5}, {1, 3, 1, 1}},
      {{}, {}},               {{0, 3}, {1, 3}},       {{7}, {1}}};
  const std::vector<DataType> types = {kF, kH, kB, DataType::kINT8, DataType::kUINT8, DataType::kINT32,
                                       DataType::kINT64};
  const std::vector<int> ops = {0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13};
  for (DataType t : types) {
    for (int op : ops) {
      for (const auto& [da, db] : shapes) {
        Tensor a, b;
        if (isFloatType(t)) {
          a = randomFloat(t, da, -10, 10);
          b = randomFloat(t, db, -10, 10);
          if (op == 6) b = randomFloat(t, db, -3, 3);
          // Some exact ties and equal values for the comparisons, zeros for the divisions.
          for (int64_t i = 0; i < std::min<int64_t>(a.count(), b.count()); i += 5) b.set(i, a.get(i));
          if (b.count() > 3 && (op == 5 || op == 7)) b.set(3, 0.0);
        } else {
          a = randomInts(t, da, op, false);
          b = randomInts(t, db, op, true);
          if (op != 6)  // equal operands for the comparisons (not for POW: the exponent stays small)
            for (int64_t i = 0; i < std::min<int64_t>(a.count(), b.count()); i += 7) b.seti(i, a.geti(i));
        }
        Node n = makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{op}}});
        Tensor o = runNode(n, {&a, &b});
        Dims od = bcast(da, db);
        bool cmp = op >= 11;
        EXPECT(o.dims == od, "elementwise dims ", dimsToString(o.dims), " vs ", dimsToString(od));
        EXPECT(o.type == (cmp ? DataType::kBOOL : t), "elementwise output type");
        std::vector<double> ref;
        int64_t total = volume(od);
        for (int64_t i = 0; i < total; ++i) {
          int64_t ia = bcastIndex(od, da, i), ib = bcastIndex(od, db, i);
          if (isFloatType(t)) ref.push_back(refFloatOp(op, t, a.get(ia), b.get(ib)));
          else ref.push_back(static_cast<double>(refIntOp(op, t, a.geti(ia), b.geti(ib))));
        }
        if (!isFloatType(t) && t == DataType::kINT64 && !cmp) {
          // Exact int64 comparison (doubles lose bits).
          for (int64_t i = 0; i < total; ++i) {
            int64_t ia = bcastIndex(od, da, i), ib = bcastIndex(od, db, i);
            int64_t r = refIntOp(op, t, a.geti(ia), b.geti(ib));
            EXPECT(o.geti(i) == r, "int64 op ", op, " ", a.geti(ia), " ", b.geti(ib), " got ", o.geti(i), " want ", r);
          }
        } else {
          compare(concat("elementwise op ", op, " ", dimsToString(da), "x", dimsToString(db)), o, ref,
                  op == 6 ? 2 : 0);
        }
      }
    }
  }
  // Specific integer semantics.
  {
    Tensor a = fromInts(DataType::kINT32, {6}, {7, -7, 7, -7, std::numeric_limits<int32_t>::min(), 5});
    Tensor b = fromInts(DataType::kINT32, {6}, {2, 2, -2, -2, -1, 0});
    compare("int DIV", runNode(makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{5}}}), {&a, &b}),
            {3, -3, -3, 3, static_cast<double>(std::numeric_limits<int32_t>::min()), 0}, 0);
    compare("int FLOOR_DIV", runNode(makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{7}}}), {&a, &b}),
            {3, -4, -4, 3, static_cast<double>(std::numeric_limits<int32_t>::min()), 0}, 0);
    Tensor fa = fromValues(kF, {4}, {7, -7, 7, -7});
    Tensor fb = fromValues(kF, {4}, {2, 2, -2, -2});
    compare("float FLOOR_DIV", runNode(makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{7}}}), {&fa, &fb}),
            {3, -4, -4, 3}, 0);
    Tensor pa = fromInts(DataType::kINT64, {5}, {2, 3, -2, 2, 0});
    Tensor pb = fromInts(DataType::kINT64, {5}, {10, 3, 3, -1, -2});
    compare("int POW", runNode(makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{6}}}), {&pa, &pb}),
            {1024, 27, -8, 0, 0}, 0);
  }
  // BOOL logic, with a non-canonical true byte (2).
  for (int op : {8, 9, 10, 11}) {
    Tensor a(DataType::kBOOL, {2, 2}), b(DataType::kBOOL, {2, 1});
    uint8_t av[4] = {0, 1, 2, 0}, bv[2] = {1, 0};
    std::memcpy(a.data(), av, 4);
    std::memcpy(b.data(), bv, 2);
    Tensor o = runNode(makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{op}}}), {&a, &b});
    std::vector<double> ref;
    for (int i = 0; i < 4; ++i) {
      bool x = av[i] != 0, y = bv[i / 2] != 0;
      ref.push_back(op == 8 ? (x && y) : op == 9 ? (x || y) : op == 10 ? (x != y) : (x == y));
    }
    compare(concat("bool op ", op), o, ref, 0);
    EXPECT(o.type == DataType::kBOOL, "bool op type");
    for (int i = 0; i < 4; ++i) EXPECT(o.bytes[static_cast<size_t>(i)] <= 1, "bool output byte is 0 or 1");
  }
  // Large broadcasts through the pool, chunk boundaries inside rows; checked against serial runs
  // and the reference.
  {
    const std::vector<std::pair<Dims, Dims>> big = {{{3, 100003}, {3, 1}},
                                                    {{64, 96, 49}, {1, 96, 1}},
                                                    {{257, 1031}, {1, 1031}},
                                                    {{1, 300001}, {1, 300001}},
                                                    {{2000, 3}, {2000, 1}}};
    for (const auto& [da, db] : big) {
      Tensor a = randomFloat(kF, da, -1, 1), b = randomFloat(kF, db, -1, 1);
      Node n = makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{0}}});
      Tensor o = runNode(n, {&a, &b});
      Tensor s = runNode(n, {&a, &b}, nullptr);
      EXPECT(o.bytes == s.bytes, "parallel vs serial ", dimsToString(da));
      std::vector<double> ref;
      for (int64_t i = 0; i < volume(da); ++i) ref.push_back(a.get(i) + b.get(bcastIndex(da, db, i)));
      compare(concat("big SUM ", dimsToString(da)), o, ref, 0);
    }
  }
  // Inference: errors and -1 propagation.
  Node sum = makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{0}}});
  ErrorInfo e = inferError(sum, {kF, kH}, {{2, 3}, {2, 3}});
  EXPECT(e.thrown && e.message.find("inputs have different types: FLOAT and HALF") != std::string::npos, e.message);
  e = inferError(sum, {kF, kF}, {{2, 3}, {4, 3}});
  EXPECT(e.thrown && e.message.find("dimensions [2,3] and [4,3] cannot be broadcast") != std::string::npos, e.message);
  e = inferError(sum, {kF, kF}, {{2, 3}, {3}});
  EXPECT(e.thrown && e.message.find("different ranks") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{8}}}), {kF, kF}, {{2}, {2}});
  EXPECT(e.thrown && e.message.find("AND needs BOOL inputs, got FLOAT") != std::string::npos, e.message);
  e = inferError(sum, {DataType::kBOOL, DataType::kBOOL}, {{2}, {2}});
  EXPECT(e.thrown && e.message.find("SUM does not support BOOL") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{12}}}), {DataType::kBOOL, DataType::kBOOL},
                 {{2}, {2}});
  EXPECT(e.thrown, "GREATER on BOOL should fail");
  e = inferError(makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{14}}}), {kF, kF}, {{2}, {2}});
  EXPECT(e.thrown && e.message.find("unknown ElementWiseOperation 14") != std::string::npos, e.message);
  EXPECT(e.message.find("layer 'n' (ELEMENTWISE)") != std::string::npos, e.message);
  Inferred inf = inferNode(sum, {kF, kF}, {{-1, 3}, {1, 3}});
  EXPECT(inf.dims == (Dims{-1, 3}), dimsToString(inf.dims));
  inf = inferNode(sum, {kF, kF}, {{-1, 1}, {4, -1}});
  EXPECT(inf.dims == (Dims{4, -1}), dimsToString(inf.dims));
  inf = inferNode(makeNode(LayerType::kELEMENTWISE, 2, {{"op", int64_t{11}}}), {DataType::kBOOL, DataType::kBOOL},
                  {{2}, {2}});
  EXPECT(inf.type == DataType::kBOOL, "EQUAL on BOOL");
}

// ---- UNARY --------------------------------------------------------------------------------

double refUnary(int op, double x) {
  switch (op) {
    case 0: return std::exp(x);
    case 1: return std::log(x);
    case 2: return std::sqrt(x);
    case 3: return 1 / x;
    case 4: return std::fabs(x);
    case 5: return -x;
    case 6: return std::sin(x);
    case 7: return std::cos(x);
    case 8: return std::tan(x);
    case 9: return std::sinh(x);
    case 10: return std::cosh(x);
    case 11: return std::asin(x);
    case 12: return std::acos(x);
    case 13: return std::atan(x);
    case 14: return std::asinh(x);
    case 15: return std::acosh(x);
    case 16: return std::atanh(x);
    case 17: return std::ceil(x);
    case 18: return std::floor(x);
    case 19: return std::erf(x);
    case 21: return x > 0 ? 1 : x < 0 ? -1 : 0;
    case 22: return std::nearbyint(x);
    case 23: return std::isinf(x);
    case 24: return std::isnan(x);
  }
  return 0;
}

void testUnary() {
  for (DataType t : kFloatTypes) {
    for (int op = 0; op < 25; ++op) {
      if (op == 20) continue;
      double lo = -5, hi = 5;
      if (op == 1 || op == 2) lo = 1e-3, hi = 100;
      if (op == 8) lo = -1.4, hi = 1.4;
      if (op == 11 || op == 12 || op == 16) lo = -0.999, hi = 0.999;
      if (op == 15) lo = 1, hi = 50;
      Tensor x = randomFloat(t, {4, 33}, lo, hi);
      if (op == 22) {
        const double halves[] = {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, -3.5, 4.5, 0.49, -0.51};
        for (int i = 0; i < 11; ++i) x.set(i, halves[i]);
      }
      if (op == 23 || op == 24) {
        const double sp[] = {INFINITY, -INFINITY, NAN, 0, 1, -1, 1e30};
        for (int i = 0; i < 7; ++i) x.set(i, sp[i]);
      }
      if (op == 21) x.set(0, 0.0);
      Tensor y = runNode(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{op}}}), {&x});
      EXPECT(y.type == ((op == 23 || op == 24) ? DataType::kBOOL : t), "unary type");
      std::vector<double> ref;
      for (int64_t i = 0; i < x.count(); ++i) ref.push_back(refUnary(op, x.get(i)));
      compare(concat("unary op ", op), y, ref, t == kF ? 2 : 1, 1e-30);
    }
  }
  // ROUND ties to even, exactly.
  {
    Tensor x = fromValues(kF, {6}, {0.5, 1.5, 2.5, -0.5, -2.5, 1e7 + 0.5});
    compare("round half even", runNode(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{22}}}), {&x}),
            {0, 2, 2, -0.0, -2, 1e7}, 0);
  }
  // Integer ABS / NEG / SIGN, with wrapping at the minimum.
  for (DataType t : {DataType::kINT8, DataType::kINT32, DataType::kINT64}) {
    int64_t mn = t == DataType::kINT8    ? -128
                 : t == DataType::kINT32 ? std::numeric_limits<int32_t>::min()
                                         : std::numeric_limits<int64_t>::min();
    Tensor x = fromInts(t, {5}, {-5, 0, 9, mn, -1});
    Tensor a = runNode(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{4}}}), {&x});
    Tensor n = runNode(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{5}}}), {&x});
    Tensor s = runNode(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{21}}}), {&x});
    std::vector<int64_t> ea = {5, 0, 9, mn, 1}, en = {5, 0, -9, mn, 1}, es = {-1, 0, 1, -1, -1};
    for (int i = 0; i < 5; ++i) {
      EXPECT(a.geti(i) == ea[static_cast<size_t>(i)], "int ABS ", dataTypeName(t), " ", i);
      EXPECT(n.geti(i) == en[static_cast<size_t>(i)], "int NEG ", dataTypeName(t), " ", i);
      EXPECT(s.geti(i) == es[static_cast<size_t>(i)], "int SIGN ", dataTypeName(t), " ", i);
    }
  }
  // NOT.
  {
    Tensor x(DataType::kBOOL, {3});
    uint8_t v[3] = {0, 1, 2};
    std::memcpy(x.data(), v, 3);
    compare("NOT", runNode(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{20}}}), {&x}), {1, 0, 0}, 0);
  }
  // Errors.
  ErrorInfo e = inferError(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{20}}}), {kF}, {{2}});
  EXPECT(e.thrown && e.message.find("NOT needs a BOOL input, got FLOAT") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{0}}}), {DataType::kINT32}, {{2}});
  EXPECT(e.thrown && e.message.find("EXP does not support INT32") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{24}}}), {DataType::kINT32}, {{2}});
  EXPECT(e.thrown, "ISNAN on INT32 should fail");
  e = inferError(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{4}}}), {DataType::kUINT8}, {{2}});
  EXPECT(e.thrown, "ABS on UINT8 should fail");
  e = inferError(makeNode(LayerType::kUNARY, 1, {{"op", int64_t{25}}}), {kF}, {{2}});
  EXPECT(e.thrown && e.message.find("unknown UnaryOperation 25") != std::string::npos, e.message);
}

// ---- PARAMETRIC_RELU, SELECT --------------------------------------------------------------

void testParametricRelu() {
  for (DataType t : kFloatTypes) {
    for (const auto& [dx, ds] : std::vector<std::pair<Dims, Dims>>{{{2, 3, 4, 5}, {1, 3, 1, 1}},
                                                                    {{2, 3, 4, 5}, {2, 3, 4, 5}},
                                                                    {{4, 6}, {1, 1}}}) {
      Tensor x = randomFloat(t, dx, -4, 4), s = randomFloat(t, ds, -1, 1);
      Tensor y = runNode(makeNode(LayerType::kPARAMETRIC_RELU, 2), {&x, &s});
      std::vector<double> ref;
      for (int64_t i = 0; i < x.count(); ++i) {
        double v = x.get(i);
        ref.push_back(v >= 0 ? v : s.get(bcastIndex(dx, ds, i)) * v);
      }
      compare("prelu", y, ref, 0);
    }
  }
  ErrorInfo e = inferError(makeNode(LayerType::kPARAMETRIC_RELU, 2), {kF, kH}, {{2}, {2}});
  EXPECT(e.thrown && e.message.find("different types: FLOAT and HALF") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kPARAMETRIC_RELU, 2), {DataType::kINT32, DataType::kINT32}, {{2}, {2}});
  EXPECT(e.thrown, "prelu on INT32 should fail");
}

void testSelect() {
  const Dims dc = {2, 1, 4}, dt = {1, 3, 4}, de = {2, 3, 1}, od = {2, 3, 4};
  for (DataType t : {kF, kH, DataType::kINT64, DataType::kINT8, DataType::kBOOL}) {
    Tensor c(DataType::kBOOL, dc);
    for (int64_t i = 0; i < c.count(); ++i) c.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(uniformInt(0, 2));
    Tensor a(t, dt), b(t, de);
    for (int64_t i = 0; i < a.count(); ++i) a.seti(i, uniformInt(-100, 100));
    for (int64_t i = 0; i < b.count(); ++i) b.seti(i, uniformInt(-100, 100));
    if (t == DataType::kINT64) a.seti(0, std::numeric_limits<int64_t>::max());
    Tensor o = runNode(makeNode(LayerType::kSELECT, 3), {&c, &a, &b});
    EXPECT(o.dims == od && o.type == t, "select dims/type");
    for (int64_t i = 0; i < volume(od); ++i) {
      bool cv = c.bytes[static_cast<size_t>(bcastIndex(od, dc, i))] != 0;
      int64_t want = cv ? a.geti(bcastIndex(od, dt, i)) : b.geti(bcastIndex(od, de, i));
      EXPECT(o.geti(i) == want, "select element ", i);
    }
  }
  // Same-shape and scalar-condition cases.
  {
    Tensor c(DataType::kBOOL, {1, 1});
    c.bytes[0] = 1;
    Tensor a = randomFloat(kF, {5, 7}, -1, 1), b = randomFloat(kF, {5, 7}, -1, 1);
    Tensor o = runNode(makeNode(LayerType::kSELECT, 3), {&c, &a, &b});
    EXPECT(o.bytes == a.bytes, "select scalar true");
  }
  ErrorInfo e = inferError(makeNode(LayerType::kSELECT, 3), {kF, kF, kF}, {{2}, {2}, {2}});
  EXPECT(e.thrown && e.message.find("condition must be BOOL, got FLOAT") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kSELECT, 3), {DataType::kBOOL, kF, DataType::kINT32}, {{2}, {2}, {2}});
  EXPECT(e.thrown && e.message.find("then and else inputs have different types: FLOAT and INT32") != std::string::npos,
         e.message);
  e = inferError(makeNode(LayerType::kSELECT, 3), {DataType::kBOOL, kF, kF}, {{2, 1}, {1, 3}, {4, 1}});
  EXPECT(e.thrown && e.message.find("cannot be broadcast") != std::string::npos, e.message);
  Inferred inf = inferNode(makeNode(LayerType::kSELECT, 3), {DataType::kBOOL, kF, kF}, {{-1, 1}, {1, 3}, {1, 1}});
  EXPECT(inf.dims == (Dims{-1, 3}), dimsToString(inf.dims));
}

// ---- QUANTIZE / DEQUANTIZE ----------------------------------------------------------------

double refQuant(double x, double s, double z) {
  float q = static_cast<float>(x) / static_cast<float>(s);
  double r = std::nearbyint(static_cast<double>(q)) + z;
  if (std::isnan(r)) r = z;
  return std::min(127.0, std::max(-128.0, r));
}

void testQuantize() {
  // Ties, clamping, NaN.
  {
    Tensor x = fromValues(kF, {10}, {1.25, 1.75, -1.25, -0.75, 100, -100, 0.24, -0.26, 63.75, NAN});
    Tensor s = fromValues(kF, {}, {0.5});
    Tensor y = runNode(makeNode(LayerType::kQUANTIZE, 2), {&x, &s});
    EXPECT(y.type == DataType::kINT8, "quantize type");
    compare("quantize ties", y, {2, 4, -2, -2, 127, -128, 0, -1, 127, 0}, 0);
  }
  for (DataType t : kFloatTypes) {
    for (DataType st : {kF, t}) {
      // Per-tensor.
      Tensor x = randomFloat(t, {3, 5, 7}, -40, 40);
      Tensor s = fromValues(st, {1}, {0.173});
      Tensor y = runNode(makeNode(LayerType::kQUANTIZE, 2), {&x, &s});
      std::vector<double> ref;
      for (int64_t i = 0; i < x.count(); ++i) ref.push_back(refQuant(x.get(i), s.get(0), 0));
      compare("quantize per-tensor", y, ref, 0);
      // Per-axis along each dimension, with and without a zero point.
      for (int64_t axis = 0; axis < 3; ++axis) {
        Dims d = {3, 5, 7};
        Tensor sc = randomFloat(st, {d[axis]}, 0.05, 0.5);
        Tensor zp(DataType::kINT8, {d[axis]});
        for (int64_t i = 0; i < zp.count(); ++i) zp.seti(i, uniformInt(-3, 3));
        for (bool withZero : {false, true}) {
          Node n = makeNode(LayerType::kQUANTIZE, withZero ? 3 : 2, {{"axis", axis}});
          std::vector<const Tensor*> ins = {&x, &sc};
          if (withZero) ins.push_back(&zp);
          Tensor q = runNode(n, ins);
          std::vector<double> r;
          for (int64_t i = 0; i < x.count(); ++i) {
            int64_t idx[3] = {i / 35, (i / 7) % 5, i % 7};
            r.push_back(refQuant(x.get(i), sc.get(idx[axis]), withZero ? zp.get(idx[axis]) : 0));
          }
          compare(concat("quantize axis ", axis, withZero ? " zp" : ""), q, r, 0);
          // Dequantize back.
          Node dn = makeNode(LayerType::kDEQUANTIZE, withZero ? 3 : 2, {{"axis", axis}, {"toType", int64_t(t)}});
          std::vector<const Tensor*> dins = {&q, &sc};
          if (withZero) dins.push_back(&zp);
          Tensor dq = runNode(dn, dins);
          EXPECT(dq.type == t, "dequantize type");
          std::vector<double> dr;
          for (int64_t i = 0; i < x.count(); ++i) {
            int64_t idx[3] = {i / 35, (i / 7) % 5, i % 7};
            float z = withZero ? static_cast<float>(zp.get(idx[axis])) : 0.f;
            dr.push_back((static_cast<float>(q.get(i)) - z) * static_cast<float>(sc.get(idx[axis])));
          }
          compare(concat("dequantize axis ", axis), dq, dr, 0);
        }
      }
    }
  }
  // Dequantize all int8 values, per-tensor, default FLOAT output.
  {
    Tensor x(DataType::kINT8, {256});
    for (int i = 0; i < 256; ++i) x.seti(i, i - 128);
    Tensor s = fromValues(kF, {}, {0.037});
    Tensor y = runNode(makeNode(LayerType::kDEQUANTIZE, 2), {&x, &s});
    std::vector<double> ref;
    for (int i = 0; i < 256; ++i) ref.push_back(static_cast<float>(i - 128) * 0.037f);
    EXPECT(y.type == kF, "dequantize default FLOAT");
    compare("dequantize all", y, ref, 0);
  }
  // Errors.
  ErrorInfo e = inferError(makeNode(LayerType::kQUANTIZE, 2, {{"toType", int64_t(DataType::kFP4)}}), {kF, kF},
                           {{2, 3}, {}});
  EXPECT(e.thrown && e.code == StatusCode::kUnsupported && e.message.find("FP4") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kQUANTIZE, 2), {DataType::kINT32, kF}, {{2, 3}, {}});
  EXPECT(e.thrown && e.code == StatusCode::kInvalidArgument && e.message.find("INT32") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kQUANTIZE, 2), {kF, kF}, {{2, 3}, {3}});
  EXPECT(e.thrown && e.message.find("needs a quantization axis") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kQUANTIZE, 2, {{"axis", int64_t{0}}}), {kF, kF}, {{2, 3}, {3}});
  EXPECT(e.thrown && e.message.find("scale has 3 values but dimension 0") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kQUANTIZE, 2), {kF, kF}, {{2, 4}, {2, 1}});
  EXPECT(e.thrown && e.code == StatusCode::kUnsupported, e.message);
  e = inferError(makeNode(LayerType::kQUANTIZE, 2), {kH, kB}, {{2, 4}, {}});
  EXPECT(e.thrown && e.message.find("scale type BF16 must be FLOAT, E8M0 or HALF") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kDEQUANTIZE, 2), {DataType::kINT4, kF}, {{2}, {}});
  EXPECT(e.thrown && e.code == StatusCode::kUnsupported, e.message);
  e = inferError(makeNode(LayerType::kDEQUANTIZE, 2), {kF, kF}, {{2}, {}});
  EXPECT(e.thrown && e.code == StatusCode::kInvalidArgument, e.message);
  e = inferError(makeNode(LayerType::kDEQUANTIZE, 2, {{"toType", int64_t(DataType::kINT32)}}),
                 {DataType::kINT8, kF}, {{2}, {}});
  EXPECT(e.thrown && e.message.find("toType INT32") != std::string::npos, e.message);
  Inferred inf = inferNode(makeNode(LayerType::kQUANTIZE, 2, {{"axis", int64_t{1}}}), {kF, kF}, {{-1, 4}, {-1}});
  EXPECT(inf.dims == (Dims{-1, 4}) && inf.type == DataType::kINT8, "quantize -1 dims");
}

// ---- FILL ---------------------------------------------------------------------------------

void testFill() {
  // The IFillLayer documentation example: dims [3,4], alpha 1, beta [100, 10].
  {
    Node n = makeNode(LayerType::kFILL, 0,
                      {{"shape", std::vector<int64_t>{3, 4}}, {"alpha", 1.0}, {"beta", std::vector<double>{100, 10}}});
    Tensor y = runNode(n, {});
    compare("linspace doc example", y, {1, 11, 21, 31, 101, 111, 121, 131, 201, 211, 221, 231}, 0);
  }
  // Scalar beta applies to the last dimension; integer outputs.
  for (DataType t : {kF, DataType::kINT32, DataType::kINT64}) {
    Node n = makeNode(LayerType::kFILL, 0,
                      {{"shape", std::vector<int64_t>{2, 3}}, {"alpha", 5.0}, {"beta", 2.0}, {"toType", int64_t(t)}});
    Tensor y = runNode(n, {});
    EXPECT(y.type == t, "linspace type");
    compare("linspace scalar beta", y, {5, 7, 9, 5, 7, 9}, 0);
  }
  // An integer-valued beta attribute is accepted like a float one.
  {
    Node n = makeNode(LayerType::kFILL, 0, {{"shape", std::vector<int64_t>{4}}, {"beta", int64_t{3}}, {"toType", int64_t(DataType::kINT32)}});
    compare("linspace int beta attr", runNode(n, {}), {0, 3, 6, 9}, 0);
  }
  // Non-integral parameters on an integer output: double arithmetic truncated toward zero.
  {
    Node n = makeNode(LayerType::kFILL, 0,
                      {{"shape", std::vector<int64_t>{5}}, {"alpha", -1.5}, {"beta", 0.75}, {"toType", int64_t(DataType::kINT32)}});
    compare("linspace truncation", runNode(n, {}), {-1, 0, 0, 0, 1}, 0);
  }
  // Shape, alpha and beta from tensors (exact int64 arithmetic beyond 2^53).
  {
    Tensor shape = fromInts(DataType::kINT64, {2}, {2, 3});
    Tensor alpha = fromInts(DataType::kINT64, {}, {(int64_t{1} << 60) + 1});
    Tensor beta = fromInts(DataType::kINT32, {2}, {3, -1});
    Node n = makeNode(LayerType::kFILL, 3, {{"toType", int64_t(DataType::kINT64)}});
    Tensor y = runNode(n, {&shape, &alpha, &beta});
    EXPECT(y.dims == (Dims{2, 3}), dimsToString(y.dims));
    int64_t a = (int64_t{1} << 60) + 1;
    std::vector<int64_t> want = {a, a - 1, a - 2, a + 3, a + 2, a + 1};
    for (int i = 0; i < 6; ++i) EXPECT(y.geti(i) == want[static_cast<size_t>(i)], "linspace int64 ", i);
  }
  // Shape from a tensor: build-time (value unknown) and known.
  {
    Node n = makeNode(LayerType::kFILL, 1);
    Inferred inf = inferNode(n, {DataType::kINT32}, {{3}});
    EXPECT(inf.dims == (Dims{-1, -1, -1}) && inf.type == kF, dimsToString(inf.dims));
    std::vector<int64_t> v = {4, 0, 2};
    inf = inferNode(n, {DataType::kINT32}, {{3}}, {&v});
    EXPECT(inf.dims == (Dims{4, 0, 2}), dimsToString(inf.dims));
    EXPECT(opDef(LayerType::kFILL).shapeInputs == std::vector<int>{0}, "FILL shapeInputs");
  }
  // Random uniform: range, moments, reproducibility, seed sensitivity, thread independence.
  for (DataType t : {kF, kH}) {
    Node n = makeNode(LayerType::kFILL, 0,
                      {{"shape", std::vector<int64_t>{400, 250}}, {"operation", int64_t{1}}, {"alpha", -2.0},
                       {"beta", 3.0}, {"toType", int64_t(t)}});
    Tensor y = runNode(n, {});
    Tensor y2 = runNode(n, {}, nullptr);
    EXPECT(y.bytes == y2.bytes, "random uniform reproducible and thread-independent");
    double sum = 0, sq = 0, mn = 1e9, mx = -1e9;
    for (int64_t i = 0; i < y.count(); ++i) {
      double v = y.get(i);
      sum += v;
      sq += v * v;
      mn = std::min(mn, v);
      mx = std::max(mx, v);
    }
    double mean = sum / y.count(), var = sq / y.count() - mean * mean;
    EXPECT(mn >= -2 && (t == kH ? mx <= 3 : mx < 3), "uniform range ", mn, " ", mx);
    EXPECT(std::fabs(mean - 0.5) < 0.02 && std::fabs(var - 25.0 / 12) < 0.05, "uniform moments ", mean, " ", var);
    n.attrs["seed"] = int64_t{7};
    Tensor y3 = runNode(n, {});
    EXPECT(y3.bytes != y.bytes, "seed changes the stream");
  }
  // Random normal from alpha/beta tensors.
  {
    Tensor alpha = fromValues(kF, {}, {1.0}), beta = fromValues(kF, {}, {2.0});
    Node n = makeNode(LayerType::kFILL, 3, {{"shape", std::vector<int64_t>{200000}}, {"operation", int64_t{2}}});
    n.inputs[0] = -1;
    Tensor y = runNode(n, {nullptr, &alpha, &beta});
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < y.count(); ++i) {
      sum += y.get(i);
      sq += y.get(i) * y.get(i);
    }
    double mean = sum / y.count(), sd = std::sqrt(sq / y.count() - mean * mean);
    EXPECT(std::fabs(mean - 1) < 0.02 && std::fabs(sd - 2) < 0.02, "normal moments ", mean, " ", sd);
  }
  // Errors.
  ErrorInfo e = inferError(makeNode(LayerType::kFILL, 0, {{"toType", int64_t(DataType::kHALF)}}), {}, {});
  EXPECT(e.thrown && e.message.find("LINSPACE output type HALF") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kFILL, 0, {{"operation", int64_t{1}}, {"toType", int64_t(DataType::kINT32)}}), {},
                 {});
  EXPECT(e.thrown && e.message.find("RANDOM_UNIFORM output type INT32") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kFILL, 1), {kF}, {{2}});
  EXPECT(e.thrown && e.message.find("shape input must be INT32 or INT64") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kFILL, 1), {DataType::kINT32}, {{-1}});
  EXPECT(e.thrown && e.message.find("unknown length") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kFILL, 0, {{"shape", std::vector<int64_t>{2, -3}}}), {}, {});
  EXPECT(e.thrown && e.message.find("negative") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kFILL, 0, {{"shape", std::vector<int64_t>{2, 3, 4}}, {"beta", std::vector<double>{1, 2}}}),
                 {}, {});
  EXPECT(e.thrown && e.message.find("beta attribute has 2 values") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kFILL, 0, {{"operation", int64_t{3}}}), {}, {});
  EXPECT(e.thrown && e.message.find("unknown FillOperation 3") != std::string::npos, e.message);
}

// ---- LRN ----------------------------------------------------------------------------------

void testLrn() {
  // The TensorRT operator reference example.
  {
    Tensor x(kF, {1, 5, 2, 2});
    for (int c = 0; c < 5; ++c)
      for (int j = 0; j < 4; ++j) x.set(c * 4 + j, c);
    Node n = makeNode(LayerType::kLRN, 1, {{"windowSize", int64_t{3}}, {"alpha", 1.0}, {"beta", 1.0}, {"k", 0.1}});
    Tensor y = runNode(n, {&x});
    const double expect[5] = {0.0, 0.56603765, 0.4195804, 0.3071672, 0.47430828};
    for (int c = 0; c < 5; ++c)
      for (int j = 0; j < 4; ++j)
        EXPECT(std::fabs(y.get(c * 4 + j) - expect[c]) < 1e-6, "LRN doc example c=", c, " got ", y.get(c * 4 + j));
  }
  for (DataType t : kFloatTypes) {
    for (int64_t w : {1, 5, 15}) {
      Dims d = {2, 7, 3, 3};
      Tensor x = randomFloat(t, d, -3, 3);
      const double alpha = 0.3, beta = 0.75, k = 1.5;
      Node n = makeNode(LayerType::kLRN, 1, {{"windowSize", w}, {"alpha", alpha}, {"beta", beta}, {"k", k}});
      Tensor y = runNode(n, {&x});
      std::vector<double> ref;
      for (int64_t i = 0; i < x.count(); ++i) {
        int64_t s = i % 9, c = (i / 9) % 7, b = i / 63;
        double sum = 0;
        for (int64_t cc = std::max<int64_t>(0, c - w / 2); cc <= std::min<int64_t>(6, c + w / 2); ++cc) {
          double v = x.get(b * 63 + cc * 9 + s);
          sum += v * v;
        }
        ref.push_back(x.get(i) / std::pow(k + alpha / w * sum, beta));
      }
      compare(concat("LRN window ", w), y, ref, t == kF ? 8 : 1, 1e-7);
    }
  }
  ErrorInfo e = inferError(makeNode(LayerType::kLRN, 1, {{"windowSize", int64_t{4}}}), {kF}, {{1, 3, 2, 2}});
  EXPECT(e.thrown && e.message.find("windowSize must be odd and in [1, 15], got 4") != std::string::npos, e.message);
  e = inferError(makeNode(LayerType::kLRN, 1, {{"windowSize", int64_t{3}}}), {kF}, {{3}});
  EXPECT(e.thrown && e.message.find("rank") != std::string::npos, e.message);
}

// ---- Whole-graph inference: value tracking through the kernels ----------------------------

void testGraph() {
  Graph g;
  TensorDesc in;
  in.name = "x";
  in.type = kF;
  in.dims = {-1, 3};
  in.isInput = true;
  int32_t x = g.addTensor(in);
  g.inputs.push_back(x);

  Node shape;
  shape.name = "shape";
  shape.type = LayerType::kSHAPE;
  shape.inputs = {x};
  int32_t shapeOut = g.nodes[g.addNode(shape, 1)].outputs[0];

  Node c;
  c.name = "two_one";
  c.type = LayerType::kCONSTANT;
  int64_t cv[2] = {2, 1};
  c.attrs["weights"] = Weights::owned(DataType::kINT64, 2, cv);
  c.attrs["shape"] = std::vector<int64_t>{2};
  int32_t constOut = g.nodes[g.addNode(c, 1)].outputs[0];

  Node prod;
  prod.name = "prod";
  prod.type = LayerType::kELEMENTWISE;
  prod.inputs = {shapeOut, constOut};
  prod.attrs["op"] = int64_t{1};
  int32_t prodOut = g.nodes[g.addNode(prod, 1)].outputs[0];

  Node fill;
  fill.name = "fill";
  fill.type = LayerType::kFILL;
  fill.inputs = {prodOut};
  fill.attrs["toType"] = int64_t(DataType::kINT32);
  fill.attrs["alpha"] = 1.0;
  fill.attrs["beta"] = std::vector<double>{10, 1};
  int32_t fillOut = g.nodes[g.addNode(fill, 1)].outputs[0];

  Node neg;
  neg.name = "neg";
  neg.type = LayerType::kUNARY;
  neg.inputs = {fillOut};
  neg.attrs["op"] = int64_t{5};
  int32_t negOut = g.nodes[g.addNode(neg, 1)].outputs[0];

  std::vector<int32_t> order = g.topologicalOrder();
  ShapeState build = inferShapes(g, order, {}, false);
  EXPECT(build.dims[fillOut] == (Dims{-1, -1}), "build-time fill dims ", dimsToString(build.dims[fillOut]));
  ShapeState run = inferShapes(g, order, {{5, 3}}, true);
  EXPECT(run.dims[prodOut] == (Dims{2}) && run.values[prodOut] && *run.values[prodOut] == (std::vector<int64_t>{10, 3}),
         "shape arithmetic value");
  EXPECT(run.dims[fillOut] == (Dims{10, 3}), "runtime fill dims ", dimsToString(run.dims[fillOut]));
  bool valueOk = run.values[negOut].has_value() && run.values[negOut]->size() == 30;
  if (valueOk)
    for (int64_t i = 0; i < 30; ++i) valueOk = valueOk && (*run.values[negOut])[i] == -(1 + 10 * (i / 3) + i % 3);
  EXPECT(valueOk, "value tracked through FILL and UNARY");
  // A fill whose shape depends on runtime data must fail at execution-time inference.
  Graph g2;
  TensorDesc s;
  s.name = "s";
  s.type = DataType::kINT32;
  s.dims = {2};
  s.isInput = true;
  int32_t sid = g2.addTensor(s);
  g2.inputs.push_back(sid);
  Node f2;
  f2.name = "fill2";
  f2.type = LayerType::kFILL;
  f2.inputs = {sid};
  g2.addNode(f2, 1);
  Status st = captureStatus([&] { inferShapes(g2, g2.topologicalOrder(), {{2}}, true); });
  EXPECT(!st.ok() && st.message.find("decides output dimensions") != std::string::npos, st.message);
}

}  // namespace

int main() {
  testActivation();
  testElementWise();
  testUnary();
  testParametricRelu();
  testSelect();
  testQuantize();
  testFill();
  testLrn();
  testGraph();
  std::printf("%d checks, %d failures\n", gChecks, gFailures);
  return gFailures == 0 ? 0 : 1;
}
