// ELEMENTWISE: binary ops with equal-rank broadcasting.
//
// Types: SUM PROD MAX MIN SUB DIV POW FLOOR_DIV on FLOAT HALF BF16 INT8 UINT8 INT32 INT64 (result
// keeps the type; 16-bit floats compute in float); AND OR XOR on BOOL; EQUAL on all of these and
// BOOL; GREATER and LESS on the numeric types. Comparisons and logical ops give BOOL.
// Float MAX and MIN propagate NaN (from either operand), as RELU and CLIP do.
// Integer semantics: arithmetic wraps (two's complement); DIV truncates toward zero; FLOOR_DIV
// floors; x / 0 and x floordiv 0 give 0; POW with a negative exponent gives the truncated
// quotient 1 / x^-e (so 1, -1 or 0), and 0 for a zero base.
#include <cmath>

#include "ElementwiseOps.h"

namespace trtn {

namespace {

enum Op : int32_t {
  kSUM = 0,
  kPROD = 1,
  kMAX = 2,
  kMIN = 3,
  kSUB = 4,
  kDIV = 5,
  kPOW = 6,
  kFLOOR_DIV = 7,
  kAND = 8,
  kOR = 9,
  kXOR = 10,
  kEQUAL = 11,
  kGREATER = 12,
  kLESS = 13,
};

const char* opName(int64_t op) {
  static const char* names[] = {"SUM", "PROD", "MAX", "MIN", "SUB",   "DIV",     "POW",
                                "FLOOR_DIV", "AND", "OR", "XOR", "EQUAL", "GREATER", "LESS"};
  return (op >= 0 && op < 14) ? names[op] : "UNKNOWN";
}

bool isLogical(int64_t op) { return op == kAND || op == kOR || op == kXOR; }
bool isComparison(int64_t op) { return op == kEQUAL || op == kGREATER || op == kLESS; }

void inferElementWise(InferIO& io) {
  int64_t op = io.node.getInt("op", 0);
  if (op < 0 || op > 13) io.error("unknown ElementWiseOperation ", op);
  DataType a = io.type(0), b = io.type(1);
  ew::requireSameType(io, a, b);
  if (isLogical(op)) {
    if (a != DataType::kBOOL) io.error(opName(op), " needs BOOL inputs, got ", dataTypeName(a));
  } else {
    const std::initializer_list<DataType> numeric = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                                                           DataType::kINT8,  DataType::kUINT8, DataType::kINT32,
                                                           DataType::kINT64};
    bool ok = ew::oneOf(a, numeric) || (op == kEQUAL && a == DataType::kBOOL);
    if (!ok)
      io.error(opName(op), " does not support ", dataTypeName(a), " inputs; expected ", ew::typeNames(numeric),
               op == kEQUAL ? " or BOOL" : "");
  }
  Dims out = ew::broadcastOrFail(io, io.dims(0), io.dims(1));
  io.setOutput(0, (isLogical(op) || isComparison(op)) ? DataType::kBOOL : a, std::move(out));
}

// ---- Integer helpers ----------------------------------------------------------------------

template <typename T>
T intDiv(T a, T b) {
  if (b == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return ew::wrapNeg(a);  // avoids MIN / -1
  }
  return static_cast<T>(a / b);
}

template <typename T>
T intFloorDiv(T a, T b) {
  if (b == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return ew::wrapNeg(a);
    T q = static_cast<T>(a / b);
    T r = static_cast<T>(a % b);
    return (r != 0 && ((r < 0) != (b < 0))) ? static_cast<T>(q - 1) : q;
  } else {
    return static_cast<T>(a / b);
  }
}

template <typename T>
T intPow(T base, T exp) {
  if constexpr (std::is_signed_v<T>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp % 2 == 0) ? T(1) : T(-1);
      return 0;
    }
  }
  T result = 1;
  T b = base;
  using U = std::make_unsigned_t<T>;
  U e = static_cast<U>(exp);
  while (e) {
    if (e & 1u) result = ew::wrapMul(result, b);
    e = static_cast<U>(e >> 1);
    if (e) b = ew::wrapMul(b, b);
  }
  return result;
}

// ---- Kernel -------------------------------------------------------------------------------

class ElementWiseKernel : public CpuKernel {
 public:
  explicit ElementWiseKernel(const Node& node) : op_(static_cast<int32_t>(node.getInt("op", 0))) {}

  void run(KernelIO& io) override {
    const TensorRef& a = io.in[0];
    const TensorRef& b = io.in[1];
    const TensorRef& o = io.out[0];
    ThreadPool* pool = io.pool;
    switch (op_) {
      case kAND:
        ew::binaryBroadcast<uint8_t, uint8_t, bool>(pool, a, b, o, 1,
                                                    [](uint8_t x, uint8_t y) { return (x != 0) & (y != 0); });
        return;
      case kOR:
        ew::binaryBroadcast<uint8_t, uint8_t, bool>(pool, a, b, o, 1,
                                                    [](uint8_t x, uint8_t y) { return (x != 0) | (y != 0); });
        return;
      case kXOR:
        ew::binaryBroadcast<uint8_t, uint8_t, bool>(pool, a, b, o, 1,
                                                    [](uint8_t x, uint8_t y) { return (x != 0) != (y != 0); });
        return;
      case kEQUAL:
        if (a.type == DataType::kBOOL) {
          ew::binaryBroadcast<uint8_t, uint8_t, bool>(pool, a, b, o, 1,
                                                      [](uint8_t x, uint8_t y) { return (x != 0) == (y != 0); });
          return;
        }
        ew::dispatchNumeric(a.type, [&](auto tag) {
          using T = decltype(tag);
          ew::binaryBroadcast<T, T, bool>(pool, a, b, o, 1, [](auto x, auto y) { return x == y; });
        });
        return;
      case kGREATER:
        ew::dispatchNumeric(a.type, [&](auto tag) {
          using T = decltype(tag);
          ew::binaryBroadcast<T, T, bool>(pool, a, b, o, 1, [](auto x, auto y) { return x > y; });
        });
        return;
      case kLESS:
        ew::dispatchNumeric(a.type, [&](auto tag) {
          using T = decltype(tag);
          ew::binaryBroadcast<T, T, bool>(pool, a, b, o, 1, [](auto x, auto y) { return x < y; });
        });
        return;
      default:
        ew::dispatchNumeric(a.type, [&](auto tag) {
          using T = decltype(tag);
          if constexpr (std::is_integral_v<T>) arithInt<T>(pool, a, b, o);
          else arithFloat<T>(pool, a, b, o);
        });
    }
  }
  const char* implementation() const override { return "broadcast"; }

 private:
  template <typename T>
  void arithFloat(ThreadPool* pool, const TensorRef& a, const TensorRef& b, const TensorRef& o) const {
    auto go = [&](int64_t cost, const auto& f) { ew::binaryBroadcast<T, T, T>(pool, a, b, o, cost, f); };
    switch (op_) {
      case kSUM: go(1, [](float x, float y) { return x + y; }); return;
      case kPROD: go(1, [](float x, float y) { return x * y; }); return;
      // A NaN operand gives NaN whichever side it is on (x > y alone would drop a NaN x).
      case kMAX: go(1, [](float x, float y) { return (x > y || x != x) ? x : y; }); return;
      case kMIN: go(1, [](float x, float y) { return (x < y || x != x) ? x : y; }); return;
      case kSUB: go(1, [](float x, float y) { return x - y; }); return;
      case kDIV: go(2, [](float x, float y) { return x / y; }); return;
      case kPOW: go(20, [](float x, float y) { return std::pow(x, y); }); return;
      case kFLOOR_DIV: go(4, [](float x, float y) { return std::floor(x / y); }); return;
      default: fail(StatusCode::kInvalidArgument, "ElementWiseOperation ", opName(op_), " does not apply to floats");
    }
  }

  template <typename T>
  void arithInt(ThreadPool* pool, const TensorRef& a, const TensorRef& b, const TensorRef& o) const {
    auto go = [&](int64_t cost, const auto& f) { ew::binaryBroadcast<T, T, T>(pool, a, b, o, cost, f); };
    switch (op_) {
      case kSUM: go(1, [](T x, T y) { return ew::wrapAdd(x, y); }); return;
      case kPROD: go(1, [](T x, T y) { return ew::wrapMul(x, y); }); return;
      case kMAX: go(1, [](T x, T y) { return x > y ? x : y; }); return;
      case kMIN: go(1, [](T x, T y) { return x < y ? x : y; }); return;
      case kSUB: go(1, [](T x, T y) { return ew::wrapSub(x, y); }); return;
      case kDIV: go(4, [](T x, T y) { return intDiv(x, y); }); return;
      case kPOW: go(16, [](T x, T y) { return intPow(x, y); }); return;
      case kFLOOR_DIV: go(4, [](T x, T y) { return intFloorDiv(x, y); }); return;
      default: fail(StatusCode::kInvalidArgument, "ElementWiseOperation ", opName(op_), " does not apply to integers");
    }
  }

  int32_t op_;
};

std::unique_ptr<CpuKernel> createElementWise(const Node& node, const std::vector<DataType>&,
                                             const std::vector<DataType>&) {
  return std::make_unique<ElementWiseKernel>(node);
}

}  // namespace

void registerElementWise() {
  registerOp({LayerType::kELEMENTWISE, "ElementWise", 2, 2, 1, inferElementWise, createElementWise, {}});
}

}  // namespace trtn
