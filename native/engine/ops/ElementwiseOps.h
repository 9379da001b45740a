// The elementwise op family: registration entry points of its files and the helpers they share
// (broadcast iteration, contiguous maps with a float tile for 16-bit types, error helpers).
//
//   ops/Activation.cpp  ACTIVATION, PARAMETRIC_RELU, LRN
//   ops/ElementWise.cpp ELEMENTWISE
//   ops/Unary.cpp       UNARY
//   ops/Quantize.cpp    QUANTIZE, DEQUANTIZE
//   ops/Fill.cpp        FILL
//   ops/Select.cpp      SELECT
//   ops/ElementwiseOps.cpp  registerElementwiseOps() and the non-template helpers below
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include "../cpu/KernelUtil.h"
#include "Registration.h"

namespace trtn {

void registerActivation();   // ACTIVATION, PARAMETRIC_RELU, LRN
void registerElementWise();  // ELEMENTWISE
void registerUnary();        // UNARY
void registerQuantize();     // QUANTIZE, DEQUANTIZE
void registerFill();         // FILL
void registerSelect();       // SELECT

namespace ew {

// UNSUPPORTED error naming the layer, in the same form as InferIO::error.
template <typename... Parts>
[[noreturn]] void unsupported(const InferIO& io, const Parts&... parts) {
  fail(StatusCode::kUnsupported, "layer '", io.node.name, "' (", layerTypeName(io.node.type), "): ", parts...);
}

template <typename T>
constexpr bool kHalfLike = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

// "FLOAT, HALF or BF16" style list for messages.
std::string typeNames(std::initializer_list<DataType> types);
bool oneOf(DataType t, std::initializer_list<DataType> types);

// Throws "inputs have different types: FLOAT and HALF" (with `what` replacing "inputs").
void requireSameType(const InferIO& io, DataType a, DataType b, const char* what = "inputs");
// Numpy-style broadcast of equal-rank dims; throws "dimensions [2,3] and [4,3] cannot be broadcast"
// or a rank mismatch message.
Dims broadcastOrFail(const InferIO& io, const Dims& a, const Dims& b);

// Runs fn(begin, end) over [0, n), on the pool when there is enough work.
template <typename Fn>
void parallel(ThreadPool* pool, int64_t n, int64_t grain, Fn&& fn) {
  if (n <= 0) return;
  if (!pool || n <= grain) {
    fn(int64_t{0}, n);
    return;
  }
  pool->parallelFor(n, grain, fn);
}

// ---- Broadcast iteration ------------------------------------------------------------------
//
// The output is contiguous. Dimensions of extent 1 are dropped and adjacent dimensions that
// every operand walks contiguously (or broadcasts along together) are merged, so the common
// cases reduce to one contiguous inner run per outer row: same shape (a single run), scalar
// and bias/row broadcast (inner stride 0 or 1 per operand), NCHW + [1,C,1,1] (outer [N,C],
// inner H*W with the channel operand at stride 0).

constexpr int kMaxOperands = 3;

struct BroadcastPlan {
  int operands = 0;
  Dims outer;                                    // outer dims after merging (may be empty)
  std::vector<std::vector<int64_t>> outerStrides;  // per operand, element strides
  int64_t inner = 1;                             // extent of the innermost merged dim
  std::array<int64_t, kMaxOperands> innerStride{};  // 0 (broadcast) or 1 (contiguous)
  int64_t total = 0;                             // output elements
};

BroadcastPlan makeBroadcastPlan(const Dims& out, const std::vector<Dims>& ins);

// Calls fn(offsets, outPos, n) for contiguous runs of the output: operand k's run starts at
// element offsets[k] and advances by plan.innerStride[k]; the output run is [outPos, outPos+n).
template <typename Fn>
void forEachSegment(ThreadPool* pool, const BroadcastPlan& plan, int64_t costPerElement, Fn&& fn) {
  if (plan.total <= 0) return;
  auto body = [&](int64_t begin, int64_t end) {
    cpu::MultiIndex it(plan.outer, plan.outerStrides);
    const int64_t inner = plan.inner;
    int64_t col = begin % inner;
    it.seek(begin / inner);
    int64_t off[kMaxOperands] = {0, 0, 0};
    for (int64_t pos = begin; pos < end;) {
      int64_t n = std::min(inner - col, end - pos);
      for (int k = 0; k < plan.operands; ++k) off[k] = it.offsets[k] + col * plan.innerStride[k];
      fn(static_cast<const int64_t*>(off), pos, n);
      pos += n;
      col = 0;
      if (pos < end) it.next();
    }
  };
  parallel(pool, plan.total, cpu::grainFor(costPerElement), body);
}

// Calls fn(std::integral_constant<int, 0 or 1>) for a runtime inner stride, so inner loops see
// their strides as constants (and vectorise).
template <typename Fn>
void withStride(int64_t stride, Fn&& fn) {
  if (stride) fn(std::integral_constant<int, 1>{});
  else fn(std::integral_constant<int, 0>{});
}

// out = f(a, b) with a and b broadcast to out.dims (equal ranks). f takes Compute<TA>::type and
// Compute<TB>::type and returns a value stored through Compute<TO>.
template <typename TA, typename TB, typename TO, typename F>
void binaryBroadcast(ThreadPool* pool, const TensorRef& a, const TensorRef& b, const TensorRef& out,
                     int64_t costPerElement, const F& f) {
  BroadcastPlan plan = makeBroadcastPlan(out.dims, {a.dims, b.dims});
  const TA* pa = static_cast<const TA*>(a.data);
  const TB* pb = static_cast<const TB*>(b.data);
  TO* po = static_cast<TO*>(out.data);
  forEachSegment(pool, plan, costPerElement, [&](const int64_t* off, int64_t pos, int64_t n) {
    const TA* x = pa + off[0];
    const TB* y = pb + off[1];
    TO* z = po + pos;
    withStride(plan.innerStride[0], [&](auto sa) {
      withStride(plan.innerStride[1], [&](auto sb) {
        constexpr int64_t SA = decltype(sa)::value;
        constexpr int64_t SB = decltype(sb)::value;
        for (int64_t i = 0; i < n; ++i)
          cpu::Compute<TO>::store(z, i, f(cpu::Compute<TA>::load(x, i * SA), cpu::Compute<TB>::load(y, i * SB)));
      });
    });
  });
}

// ---- Contiguous maps ------------------------------------------------------------------------

// y[i] = f(x[i]) for i in [begin, end), f taking Compute<TI>::type. 16-bit inputs are converted
// through a float tile so that f's loop runs on plain floats (and vectorises).
template <typename TI, typename TO, typename F>
void mapRange(const TI* x, TO* y, int64_t begin, int64_t end, const F& f) {
  if constexpr (kHalfLike<TI>) {
    constexpr int64_t kTile = 256;
    float buf[kTile];
    for (int64_t i = begin; i < end; i += kTile) {
      int64_t m = std::min(kTile, end - i);
      for (int64_t j = 0; j < m; ++j) buf[j] = cpu::Compute<TI>::load(x, i + j);
      if constexpr (std::is_same_v<TI, TO>) {
        for (int64_t j = 0; j < m; ++j) buf[j] = f(buf[j]);
        for (int64_t j = 0; j < m; ++j) cpu::Compute<TO>::store(y, i + j, buf[j]);
      } else {
        for (int64_t j = 0; j < m; ++j) cpu::Compute<TO>::store(y, i + j, f(buf[j]));
      }
    }
  } else {
    for (int64_t i = begin; i < end; ++i) cpu::Compute<TO>::store(y, i, f(cpu::Compute<TI>::load(x, i)));
  }
}

template <typename TI, typename TO, typename F>
void mapParallel(ThreadPool* pool, const TI* x, TO* y, int64_t n, int64_t costPerElement, const F& f) {
  parallel(pool, n, cpu::grainFor(costPerElement), [&](int64_t b, int64_t e) { mapRange(x, y, b, e, f); });
}

// Calls fn(T{}) for the numeric storage types (no BOOL).
template <typename Fn>
void dispatchNumeric(DataType t, Fn&& fn) {
  switch (t) {
    case DataType::kFLOAT: fn(float{}); return;
    case DataType::kHALF: fn(Half{}); return;
    case DataType::kBF16: fn(BFloat16{}); return;
    case DataType::kINT8: fn(int8_t{}); return;
    case DataType::kUINT8: fn(uint8_t{}); return;
    case DataType::kINT32: fn(int32_t{}); return;
    case DataType::kINT64: fn(int64_t{}); return;
    default: fail(StatusCode::kUnsupported, "data type ", dataTypeName(t), " is not supported by this kernel");
  }
}

// Calls fn(U{}) with U an unsigned integer of the element size of `t` (for pure copies).
template <typename Fn>
void dispatchBySize(DataType t, Fn&& fn) {
  switch (dataTypeSize(t)) {
    case 1: fn(uint8_t{}); return;
    case 2: fn(uint16_t{}); return;
    case 4: fn(uint32_t{}); return;
    case 8: fn(uint64_t{}); return;
    default: fail(StatusCode::kUnsupported, "data type ", dataTypeName(t), " is not supported by this kernel");
  }
}

// Branch-free float select: c ? a : b. Under the default -ftrapping-math gcc will not if-convert
// `c ? x : y * x` (the multiply might trap), which keeps such loops scalar; selecting bit
// patterns lets them vectorise.
inline float selectFloat(bool c, float a, float b) {
  uint32_t ua, ub;
  std::memcpy(&ua, &a, sizeof ua);
  std::memcpy(&ub, &b, sizeof ub);
  const uint32_t m = 0u - static_cast<uint32_t>(c);
  const uint32_t r = (ua & m) | (ub & ~m);
  float f;
  std::memcpy(&f, &r, sizeof f);
  return f;
}

// Wrapping integer arithmetic (no signed-overflow UB); plain arithmetic for floats.
template <typename T>
T wrapAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <typename T>
T wrapSub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
  } else {
    return a - b;
  }
}
template <typename T>
T wrapMul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    // Promote through unsigned int at least, so uint16-sized products cannot overflow int.
    using W = std::conditional_t<(sizeof(U) < sizeof(unsigned)), unsigned, U>;
    return static_cast<T>(static_cast<U>(static_cast<W>(static_cast<U>(a)) * static_cast<W>(static_cast<U>(b))));
  } else {
    return a * b;
  }
}
template <typename T>
T wrapNeg(T a) {
  return wrapSub(T(0), a);
}

}  // namespace ew
}  // namespace trtn
