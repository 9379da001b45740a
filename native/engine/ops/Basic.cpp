// CONSTANT, IDENTITY, CAST and SHAPE: the ops every graph (and shape arithmetic) needs.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>

#include "../Inference.h"
#include "../cpu/KernelUtil.h"
#include "Registration.h"

namespace trtn {

namespace {

using cpu::dispatchAll;

// dispatchAll plus the storage types that only casts read and write.
template <typename Fn>
void dispatchCastable(DataType t, Fn&& fn) {
  if (t == DataType::kFP8) return fn(Fp8{});
  if (t == DataType::kE8M0) return fn(E8M0{});
  dispatchAll(t, std::forward<Fn>(fn));
}

// ---- CONSTANT ----------------------------------------------------------------------------

void inferConstant(InferIO& io) {
  const Weights* w = io.node.getWeights("weights");
  Dims shape = io.node.getInts("shape");
  for (int64_t d : shape)
    if (d < 0) io.error("shape ", dimsToString(shape), " has a negative dimension");
  int64_t count = w ? w->count : 0;
  if (volume(shape) != count)
    io.error("weights have ", count, " values but shape ", dimsToString(shape), " needs ", volume(shape));
  DataType t = w ? w->type : static_cast<DataType>(io.node.getInt("weightsType", 0));
  if (!isSupportedDataType(t)) io.error("weights type ", dataTypeName(t), " is not supported");
  io.setOutput(0, t, shape);
  if (w && (t == DataType::kINT32 || t == DataType::kINT64 || t == DataType::kBOOL) &&
      count <= kMaxTrackedValueElements) {
    std::vector<int64_t> v(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) v[i] = loadAsInt64(w->data.get(), t, i);
    io.outValues[0] = std::move(v);
  }
}

class ConstantKernel : public CpuKernel {
 public:
  explicit ConstantKernel(const Node& node) {
    if (const Weights* w = node.getWeights("weights")) weights_ = *w;
  }
  void run(KernelIO& io) override {
    if (weights_.count > 0) std::memcpy(io.out[0].data, weights_.data.get(), weights_.byteSize());
  }
  const char* implementation() const override { return "copy"; }

 private:
  Weights weights_;
};

std::unique_ptr<CpuKernel> createConstant(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<ConstantKernel>(node);
}

// ---- IDENTITY ----------------------------------------------------------------------------

void inferIdentity(InferIO& io) { io.setOutput(0, io.type(0), io.dims(0)); }

class CopyKernel : public CpuKernel {
 public:
  void run(KernelIO& io) override {
    size_t bytes = static_cast<size_t>(byteSizeOf(io.in[0].type, io.in[0].count()));
    if (bytes && io.out[0].data != io.in[0].data) std::memcpy(io.out[0].data, io.in[0].data, bytes);
  }
  const char* implementation() const override { return "copy"; }
};

std::unique_ptr<CpuKernel> createCopy(const Node&, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<CopyKernel>();
}

// ---- CAST --------------------------------------------------------------------------------

void inferCast(InferIO& io) {
  const int64_t toValue = io.node.getInt("toType", 0);
  auto to = static_cast<DataType>(toValue);
  if (!isSupportedDataType(to)) io.error("toType ", toValue, " is not a DataType");
  // FP8 and E8M0 convert to and from the float types only, as in TensorRT.
  const DataType from = io.type(0);
  if (from != to && (isNarrowFloatType(from) || isNarrowFloatType(to)) && !isFloatType(from) && !isFloatType(to))
    io.error("a cast from ", dataTypeName(from), " to ", dataTypeName(to),
             " is not supported; FP8 and E8M0 convert to and from FLOAT, HALF and BF16 only");
  // The packed 4-bit types (an extension: TensorRT's ICastLayer has none) convert to and from the
  // float types; INT4 also to and from the wider integers.
  if (from != to && (isPackedType(from) || isPackedType(to))) {
    const DataType packed = isPackedType(to) ? to : from;
    const DataType other = isPackedType(to) ? from : to;
    const bool intPartner = other == DataType::kINT8 || other == DataType::kINT32 || other == DataType::kINT64;
    if (!isFloatType(other) && !(packed == DataType::kINT4 && intPartner))
      io.error("a cast from ", dataTypeName(from), " to ", dataTypeName(to),
               " is not supported; INT4 converts to and from FLOAT, HALF, BF16, INT8, INT32 and INT64, FP4 to and "
               "from FLOAT, HALF and BF16");
  }
  io.setOutput(0, to, io.dims(0));
}

// An integer as a float rounded to odd: exact when it fits in 24 bits; otherwise the float
// neighbour (toward zero or away) whose last significand bit is 1. Rounding that to HALF or BF16
// (at least two bits narrower) then gives the correctly rounded result, which rounding through
// a round-to-nearest float does not (16842753 = 2^24 + 2^16 + 1 would become 2^24 + 2^16, a BF16
// tie, and then 2^24 instead of 2^24 + 2^17).
inline float intToFloatRoundToOdd(int64_t v) {
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
  const float f = std::ldexp(static_cast<float>(a), shift);  // a < 2^24: exact
  return v < 0 ? -f : f;
}

template <typename Src, typename Dst>
void castLoop(const Src* src, Dst* dst, int64_t begin, int64_t end) {
  using S = typename cpu::Compute<Src>::type;
  using D = typename cpu::Compute<Dst>::type;
  constexpr bool kToHalfLike = std::is_same_v<Dst, Half> || std::is_same_v<Dst, BFloat16>;
  for (int64_t i = begin; i < end; ++i) {
    S v;
    if constexpr (std::is_same_v<Src, bool>) {
      // BOOL storage is one byte and any non-zero byte is true; reading a byte other than 0 or 1
      // through `bool` would be undefined (and in practice passes the byte through).
      v = reinterpret_cast<const uint8_t*>(src)[i] != 0;
    } else {
      v = cpu::Compute<Src>::load(src, i);
    }
    D out;
    if constexpr (std::is_same_v<Dst, bool>) {
      out = v != S(0);
    } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
      // Float to integer truncates toward zero; NaN maps to 0 instead of undefined behaviour.
      double x = static_cast<double>(v);
      if (std::isnan(x)) out = 0;
      else if (x >= static_cast<double>(std::numeric_limits<D>::max())) out = std::numeric_limits<D>::max();
      else if (x <= static_cast<double>(std::numeric_limits<D>::lowest())) out = std::numeric_limits<D>::lowest();
      else out = static_cast<D>(x);
    } else if constexpr (kToHalfLike && std::is_integral_v<S> && !std::is_same_v<S, bool>) {
      out = intToFloatRoundToOdd(static_cast<int64_t>(v));  // then rounded once by the store
    } else {
      out = static_cast<D>(v);
    }
    cpu::Compute<Dst>::store(dst, i, out);
  }
}

// Element i of a cast that reads or writes a packed 4-bit type. Float to INT4 truncates toward
// zero and saturates (NaN -> 0) like float to INT8; integers to INT4 keep the low 4 bits (wrap);
// to FP4 rounds to nearest even and saturates; INT4 and FP4 values convert exactly.
inline void castPackedElement(const TensorRef& in, const TensorRef& out, int64_t i) {
  if (out.type == DataType::kINT4) {
    if (isFloatType(in.type)) {
      const double x = loadAsDouble(in.data, in.type, i);
      const double t = std::isnan(x) ? 0.0 : std::trunc(x < -8.0 ? -8.0 : (x > 7.0 ? 7.0 : x));
      storeNibble(out.data, i, static_cast<uint8_t>(static_cast<int>(t) & 0xf));
    } else {
      storeNibble(out.data, i, static_cast<uint8_t>(loadAsInt64(in.data, in.type, i) & 0xf));
    }
  } else if (out.type == DataType::kFP4) {
    storeNibble(out.data, i, floatToFp4(static_cast<float>(loadAsDouble(in.data, in.type, i))));
  } else if (in.type == DataType::kINT4) {
    storeFromInt64(out.data, out.type, i, int4Value(loadNibble(in.data, i)));
  } else {
    storeFromDouble(out.data, out.type, i, fp4ToFloat(loadNibble(in.data, i)));
  }
}

class CastKernel : public CpuKernel {
 public:
  void run(KernelIO& io) override {
    const TensorRef& in = io.in[0];
    const TensorRef& out = io.out[0];
    int64_t n = in.count();
    if (isPackedType(in.type) || isPackedType(out.type)) {
      if (in.type == out.type) {
        if (n > 0 && out.data != in.data) std::memcpy(out.data, in.data, static_cast<size_t>(byteSizeOf(in.type, n)));
        return;
      }
      // Whole pairs per task, so that no two threads write one byte.
      io.pool->parallelFor((n + 1) / 2, 8192, [&](int64_t b, int64_t e) {
        const int64_t end = std::min(2 * e, n);
        for (int64_t i = 2 * b; i < end; ++i) castPackedElement(in, out, i);
      });
      return;
    }
    dispatchCastable(in.type, [&](auto src) {
      using Src = decltype(src);
      dispatchCastable(out.type, [&](auto dst) {
        using Dst = decltype(dst);
        io.pool->parallelFor(n, 16384, [&](int64_t b, int64_t e) {
          castLoop(static_cast<const Src*>(in.data), static_cast<Dst*>(out.data), b, e);
        });
      });
    });
  }
  const char* implementation() const override { return "convert"; }
};

std::unique_ptr<CpuKernel> createCast(const Node&, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<CastKernel>();
}

// ---- SHAPE -------------------------------------------------------------------------------

void inferShape(InferIO& io) {
  const Dims& d = io.dims(0);
  io.setOutput(0, DataType::kINT64, Dims{static_cast<int64_t>(d.size())});
  if (isFullyKnown(d)) io.outValues[0] = std::vector<int64_t>(d.begin(), d.end());
}

class ShapeKernel : public CpuKernel {
 public:
  void run(KernelIO& io) override {
    auto* out = io.out[0].as<int64_t>();
    const Dims& d = io.in[0].dims;
    for (size_t i = 0; i < d.size(); ++i) out[i] = d[i];
  }
  const char* implementation() const override { return "shape"; }
};

std::unique_ptr<CpuKernel> createShape(const Node&, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<ShapeKernel>();
}

}  // namespace

void registerBasicOps() {
  registerOp({LayerType::kCONSTANT, "Constant", 0, 0, 1, inferConstant, createConstant, {}});
  registerOp({LayerType::kIDENTITY, "Identity", 1, 1, 1, inferIdentity, createCopy, {}});
  registerOp({LayerType::kCAST, "Cast", 1, 1, 1, inferCast, createCast, {}});
  registerOp({LayerType::kSHAPE, "Shape", 1, 1, 1, inferShape, createShape, {}});
}

}  // namespace trtn
