// UNARY: the 25 UnaryOperation values.
//
// Math ops take FLOAT, HALF or BF16 (16-bit types compute in float). ABS, NEG and SIGN also take
// INT8, INT32 and INT64 (wrapping: ABS and NEG of the minimum value give the minimum value).
// NOT needs BOOL. ISINF and ISNAN take float types and give BOOL. ROUND rounds half to even.
#include <cmath>

#include "ElementwiseOps.h"

namespace trtn {

namespace {

enum Op : int32_t {
  kEXP = 0,
  kLOG = 1,
  kSQRT = 2,
  kRECIP = 3,
  kABS = 4,
  kNEG = 5,
  kSIN = 6,
  kCOS = 7,
  kTAN = 8,
  kSINH = 9,
  kCOSH = 10,
  kASIN = 11,
  kACOS = 12,
  kATAN = 13,
  kASINH = 14,
  kACOSH = 15,
  kATANH = 16,
  kCEIL = 17,
  kFLOOR = 18,
  kERF = 19,
  kNOT = 20,
  kSIGN = 21,
  kROUND = 22,
  kISINF = 23,
  kISNAN = 24,
};

const char* opName(int64_t op) {
  static const char* names[] = {"EXP",  "LOG",   "SQRT",  "RECIP", "ABS",  "NEG",   "SIN",   "COS",  "TAN",
                                "SINH", "COSH",  "ASIN",  "ACOS",  "ATAN", "ASINH", "ACOSH", "ATANH", "CEIL",
                                "FLOOR", "ERF",  "NOT",   "SIGN",  "ROUND", "ISINF", "ISNAN"};
  return (op >= 0 && op < 25) ? names[op] : "UNKNOWN";
}

void inferUnary(InferIO& io) {
  int64_t op = io.node.getInt("op", 0);
  if (op < 0 || op > 24) io.error("unknown UnaryOperation ", op);
  DataType t = io.type(0);
  const std::initializer_list<DataType> floats = {DataType::kFLOAT, DataType::kHALF, DataType::kBF16};
  const std::initializer_list<DataType> signedTypes = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                                                       DataType::kINT8,  DataType::kINT32, DataType::kINT64};
  DataType out = t;
  if (op == kNOT) {
    if (t != DataType::kBOOL) io.error("NOT needs a BOOL input, got ", dataTypeName(t));
  } else if (op == kABS || op == kNEG || op == kSIGN) {
    if (!ew::oneOf(t, signedTypes))
      io.error(opName(op), " does not support ", dataTypeName(t), " input; expected ", ew::typeNames(signedTypes));
  } else {
    if (!ew::oneOf(t, floats))
      io.error(opName(op), " does not support ", dataTypeName(t), " input; expected ", ew::typeNames(floats));
    if (op == kISINF || op == kISNAN) out = DataType::kBOOL;
  }
  io.setOutput(0, out, io.dims(0));
}

class UnaryKernel : public CpuKernel {
 public:
  explicit UnaryKernel(const Node& node) : op_(static_cast<int32_t>(node.getInt("op", 0))) {}

  void run(KernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    const int64_t n = x.count();
    ThreadPool* pool = io.pool;
    switch (x.type) {
      case DataType::kBOOL:
        ew::mapParallel(pool, x.as<uint8_t>(), y.as<bool>(), n, 1, [](uint8_t v) { return v == 0; });
        return;
      case DataType::kINT8: applyInt(pool, x.as<int8_t>(), y.as<int8_t>(), n); return;
      case DataType::kINT32: applyInt(pool, x.as<int32_t>(), y.as<int32_t>(), n); return;
      case DataType::kINT64: applyInt(pool, x.as<int64_t>(), y.as<int64_t>(), n); return;
      default:
        cpu::dispatchFloat(x.type, [&](auto tag) {
          using T = decltype(tag);
          applyFloat(pool, x.as<T>(), y, n);
        });
    }
  }
  const char* implementation() const override { return "elementwise"; }

 private:
  template <typename T>
  void applyInt(ThreadPool* pool, const T* x, T* y, int64_t n) const {
    switch (op_) {
      case kABS: ew::mapParallel(pool, x, y, n, 1, [](T v) { return v < 0 ? ew::wrapNeg(v) : v; }); return;
      case kNEG: ew::mapParallel(pool, x, y, n, 1, [](T v) { return ew::wrapNeg(v); }); return;
      case kSIGN:
        ew::mapParallel(pool, x, y, n, 1, [](T v) { return static_cast<T>((v > 0) - (v < 0)); });
        return;
      default: fail(StatusCode::kInvalidArgument, "UnaryOperation ", opName(op_), " does not apply to integers");
    }
  }

  template <typename T>
  void applyFloat(ThreadPool* pool, const T* x, const TensorRef& out, int64_t n) const {
    if (op_ == kISINF) {
      ew::mapParallel(pool, x, out.as<bool>(), n, 1, [](float v) { return std::isinf(v); });
      return;
    }
    if (op_ == kISNAN) {
      ew::mapParallel(pool, x, out.as<bool>(), n, 1, [](float v) { return v != v; });
      return;
    }
    T* y = out.as<T>();
    auto go = [&](int64_t cost, const auto& f) { ew::mapParallel(pool, x, y, n, cost, f); };
    switch (op_) {
      case kEXP: go(10, [](float v) { return std::exp(v); }); return;
      case kLOG: go(10, [](float v) { return std::log(v); }); return;
      case kSQRT: go(4, [](float v) { return std::sqrt(v); }); return;
      case kRECIP: go(2, [](float v) { return 1.f / v; }); return;
      case kABS: go(1, [](float v) { return std::fabs(v); }); return;
      case kNEG: go(1, [](float v) { return -v; }); return;
      case kSIN: go(12, [](float v) { return std::sin(v); }); return;
      case kCOS: go(12, [](float v) { return std::cos(v); }); return;
      case kTAN: go(16, [](float v) { return std::tan(v); }); return;
      case kSINH: go(16, [](float v) { return std::sinh(v); }); return;
      case kCOSH: go(16, [](float v) { return std::cosh(v); }); return;
      case kASIN: go(16, [](float v) { return std::asin(v); }); return;
      case kACOS: go(16, [](float v) { return std::acos(v); }); return;
      case kATAN: go(16, [](float v) { return std::atan(v); }); return;
      case kASINH: go(16, [](float v) { return std::asinh(v); }); return;
      case kACOSH: go(16, [](float v) { return std::acosh(v); }); return;
      case kATANH: go(16, [](float v) { return std::atanh(v); }); return;
      case kCEIL: go(1, [](float v) { return std::ceil(v); }); return;
      case kFLOOR: go(1, [](float v) { return std::floor(v); }); return;
      case kERF: go(16, [](float v) { return std::erf(v); }); return;
      case kSIGN:  // 1, -1 or 0 (a zero keeps its sign); NaN stays NaN
        go(1, [](float v) { return v > 0.f ? 1.f : (v < 0.f ? -1.f : v); });
        return;
      case kROUND: go(2, [](float v) { return std::nearbyint(v); }); return;  // ties to even (default mode)
      default: fail(StatusCode::kInvalidArgument, "UnaryOperation ", opName(op_), " does not apply to floats");
    }
  }

  int32_t op_;
};

std::unique_ptr<CpuKernel> createUnary(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<UnaryKernel>(node);
}

}  // namespace

void registerUnary() { registerOp({LayerType::kUNARY, "Unary", 1, 1, 1, inferUnary, createUnary, {}}); }

}  // namespace trtn
