// QUANTIZE and DEQUANTIZE (INT8, FP8, INT4 or FP4; per-tensor, per-axis or blocked scales).
//
//   QUANTIZE:   y = clamp(roundHalfEven(x / scale) + zeroPt, -128, 127)   x FLOAT/HALF/BF16 -> INT8
//               y = clamp(roundHalfEven(x / scale) + zeroPt, -8, 7)       x FLOAT/HALF/BF16 -> INT4
//               y = fp8(x / scale), fp4(x / scale)  (nearest even, saturating)     -> FP8, FP4
//   DEQUANTIZE: y = (x - zeroPt) * scale                                   x INT8/FP8/INT4/FP4 -> toType
//
// Input 1 is the scale, in one of three layouts, as in TensorRT:
//   - per-tensor: a scalar (or one value);
//   - per-axis: a 1-D tensor of C values along attribute `axis`, which then must name a dimension
//     of extent C (-1, the default, means per-tensor; checked when the network is built, since
//     callers set the axis after adding the layer);
//   - blocked: a tensor of the input's rank (at least 2) whose dimensions equal the input's but
//     for exactly one, which divides the input's: each scale value covers a block of
//     input / scale consecutive elements along that dimension (`axis` is not used).
// Its type is FLOAT, E8M0 or the layer's float type. Optional input 2 is the zero point (INT8 and
// INT4 only, of the quantized type, with the scale's dims, or one value for a per-tensor scale).
// The division is done in float; a NaN quotient quantizes to the zero point (integers), NaN (FP8)
// or 0x8 (FP4, which has no NaN).

#include <algorithm>
#include <cmath>
#include <utility>

#include "ElementwiseOps.h"

namespace trtn {

namespace {

using cpu::Compute;

const char* implName(DataType t) {
  switch (t) {
    case DataType::kFP8: return "fp8";
    case DataType::kINT4: return "int4";
    case DataType::kFP4: return "fp4";
    default: return "int8";
  }
}

bool isQuantizedType(DataType t) {
  return t == DataType::kINT8 || t == DataType::kFP8 || t == DataType::kINT4 || t == DataType::kFP4;
}

// dispatchFloat plus E8M0, the power-of-two scale type.
template <typename Fn>
void dispatchScale(DataType t, Fn&& fn) {
  if (t == DataType::kE8M0) return fn(E8M0{});
  cpu::dispatchFloat(t, std::forward<Fn>(fn));
}

// Where the scale value of each input element lies. The input is viewed as [outer, axisExtent,
// inner] around the quantization axis; element (o, a, i) uses scale value
// o * outerStride + (a / block) * axisStride + i * innerStride.
struct ScaleMap {
  int64_t outer = 1, axisExtent = 1, inner = 1, block = 1;
  int64_t outerStride = 0, axisStride = 0, innerStride = 0;
  bool blocked = false;
  bool perTensor = true;
};

bool isPerTensorScale(const Dims& sd) { return sd.empty() || (sd.size() == 1 && sd[0] == 1); }

// Checks the scale dims against the input dims and maps them. Unknown (-1) dims skip the checks
// that need them; the map is only complete when every dim is known. `err` does not return.
template <typename Err>
ScaleMap mapScale(const Dims& xd, const Dims& sd, int64_t axis, bool checkAxis, const Err& err) {
  ScaleMap m;
  const int64_t rank = static_cast<int64_t>(xd.size());
  auto extent = [&](int64_t from, int64_t to) {
    int64_t n = 1;
    for (int64_t d = from; d < to; ++d) n *= xd[d];
    return n;
  };
  if (isPerTensorScale(sd)) {
    m.inner = extent(0, rank);
    return m;
  }
  m.perTensor = false;
  if (sd.size() == 1) {
    if (!checkAxis) return m;
    if (axis < 0 || axis >= rank)
      err("a 1-D scale of ", sd[0], " values needs a quantization axis in [0, ", rank, "), got axis ", axis);
    if (xd[axis] >= 0 && sd[0] >= 0 && xd[axis] != sd[0])
      err("scale has ", sd[0], " values but dimension ", axis, " of the input ", dimsToString(xd), " has extent ",
          xd[axis]);
    m.outer = extent(0, axis);
    m.axisExtent = xd[axis];
    m.inner = extent(axis + 1, rank);
    m.axisStride = 1;
    return m;
  }
  m.blocked = true;
  if (static_cast<int64_t>(sd.size()) != rank)
    err("a blocked scale must have the input's rank ", rank, ", but scale ", dimsToString(sd), " has rank ",
        sd.size(), " (input ", dimsToString(xd), ")");
  int64_t blockAxis = -1;
  bool unknown = false;
  for (int64_t d = 0; d < rank; ++d) {
    if (xd[d] < 0 || sd[d] < 0) {
      unknown = true;
      continue;
    }
    if (xd[d] == sd[d]) continue;
    if (blockAxis >= 0)
      err("a blocked scale may differ from the input in one dimension only, but scale ", dimsToString(sd),
          " differs from input ", dimsToString(xd), " in dimensions ", blockAxis, " and ", d);
    if (sd[d] == 0 || xd[d] % sd[d] != 0)
      err("blocked scale dimension ", d, " (", sd[d], ") does not divide the input's (", xd[d], "); scale ",
          dimsToString(sd), ", input ", dimsToString(xd));
    blockAxis = d;
  }
  if (blockAxis < 0) {
    if (unknown) return m;  // decided once the dims are known
    err("a blocked scale must differ from the input in exactly one dimension, but scale ", dimsToString(sd),
        " equals input ", dimsToString(xd));
  }
  m.outer = extent(0, blockAxis);
  m.axisExtent = xd[blockAxis];
  m.inner = extent(blockAxis + 1, rank);
  m.block = xd[blockAxis] / sd[blockAxis];
  m.innerStride = 1;
  m.axisStride = m.inner;
  m.outerStride = sd[blockAxis] * m.inner;
  return m;
}

// Validates scale (input 1) and zero point (input 2) against the data input (input 0).
void checkScale(const InferIO& io, DataType floatType, DataType quantType) {
  DataType st = io.type(1);
  if (st != DataType::kFLOAT && st != DataType::kE8M0 && st != floatType)
    io.error("scale type ", dataTypeName(st), " must be FLOAT, E8M0 or ", dataTypeName(floatType));
  const Dims& sd = io.dims(1);
  // TensorRT sets the quantization axis after addQuantize / addDequantize (layer.axis), so the
  // axis checks wait for the build.
  mapScale(io.dims(0), sd, io.node.getInt("axis", -1), !io.addTime,
           [&](const auto&... parts) { io.error(parts...); });
  if (io.has(2)) {
    if (quantType != DataType::kINT8 && quantType != DataType::kINT4)
      io.error("a zero point is not supported with ", dataTypeName(quantType));
    if (io.type(2) != quantType)
      io.error("zero point type ", dataTypeName(io.type(2)), " must be ", dataTypeName(quantType));
    const Dims& zd = io.dims(2);
    const bool single = isPerTensorScale(sd) && (zd.empty() || (zd.size() == 1 && zd[0] == 1));
    if (zd != sd && !single)
      io.error("zero point dimensions ", dimsToString(zd), " differ from scale dimensions ", dimsToString(sd));
  }
}

ScaleMap runtimeMap(const TensorRef& x, const TensorRef& scale, int64_t axis) {
  return mapScale(x.dims, scale.dims, axis, true,
                  [](const auto&... parts) { fail(StatusCode::kInvalidArgument, parts...); });
}

// Runs fn(k, scaleIndex) over every element k, in parallel over whole pairs of elements (so that
// packed outputs never have two threads writing one byte).
template <typename Fn>
void forEachScaled(ThreadPool* pool, const ScaleMap& m, int64_t n, int64_t cost, Fn&& fn) {
  if (n <= 0) return;
  ew::parallel(pool, (n + 1) / 2, cpu::grainFor(cost * 2), [&](int64_t b, int64_t e) {
    const int64_t first = 2 * b, last = std::min(2 * e, n);
    if (first >= last) return;
    const int64_t row = first / m.inner;
    int64_t i = first % m.inner, a = row % m.axisExtent, o = row / m.axisExtent;
    int64_t base = o * m.outerStride + (a / m.block) * m.axisStride;
    for (int64_t k = first; k < last; ++k) {
      fn(k, base + i * m.innerStride);
      if (++i == m.inner) {
        i = 0;
        if (++a == m.axisExtent) {
          a = 0;
          ++o;
        }
        base = o * m.outerStride + (a / m.block) * m.axisStride;
      }
    }
  });
}

// The zero point of scale value si (0 when absent; one value for a per-tensor scale).
inline float zeroAt(const TensorRef* zero, int64_t si) {
  if (!zero) return 0.f;
  const int64_t j = zero->count() == 1 ? 0 : si;
  if (zero->type == DataType::kINT4) return static_cast<float>(int4Value(loadNibble(zero->data, j)));
  return static_cast<float>(static_cast<const int8_t*>(zero->data)[j]);
}

// The fast path (whole-byte types, per-tensor or per-axis): x as [outer, C, inner] around the
// quantization axis; C == 1 for per-tensor.
struct AxisSplit {
  int64_t outer = 1, channels = 1, inner = 1;
};

AxisSplit splitOf(const ScaleMap& m) {
  AxisSplit s;
  if (m.perTensor) {
    s.inner = m.inner;
    return s;
  }
  s.outer = m.outer;
  s.channels = m.axisExtent;
  s.inner = m.inner;
  return s;
}

// Runs fn(channel, begin, end) over rows of `inner` elements (row = outer * C + channel), in
// parallel.
template <typename Fn>
void forEachChannelRow(ThreadPool* pool, const AxisSplit& s, int64_t cost, Fn&& fn) {
  if (s.channels == 1) {
    ew::parallel(pool, s.outer * s.inner, cpu::grainFor(cost),
                 [&](int64_t b, int64_t e) { fn(int64_t{0}, b, e); });
    return;
  }
  ew::parallel(pool, s.outer * s.channels, cpu::grainFor(cost * s.inner), [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) fn(row % s.channels, row * s.inner, (row + 1) * s.inner);
  });
}

// ---- QUANTIZE -----------------------------------------------------------------------------

void inferQuantize(InferIO& io) {
  DataType t = io.type(0);
  if (!isFloatType(t)) io.error("input type ", dataTypeName(t), " is not supported; expected FLOAT, HALF or BF16");
  auto to = static_cast<DataType>(io.node.getInt("toType", static_cast<int64_t>(DataType::kINT8)));
  if (!isQuantizedType(to)) io.error("output type ", dataTypeName(to), " is not valid; expected INT8, FP8, INT4 or FP4");
  checkScale(io, t, to);
  io.setOutput(0, to, io.dims(0));
}

inline float roundClamp(float q, float zero, float lo, float hi) {
  float r = std::nearbyint(q) + zero;  // ties to even in the default rounding mode
  if (!(r == r)) r = zero;
  return r < lo ? lo : (r > hi ? hi : r);
}

inline int8_t quantizeValue(float v, float scale, float zero) {
  return static_cast<int8_t>(roundClamp(v / scale, zero, -128.f, 127.f));
}

class QuantizeKernel : public CpuKernel {
 public:
  QuantizeKernel(const Node& node, DataType to) : axis_(node.getInt("axis", -1)), to_(to) {}
  void run(KernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& scale = io.in[1];
    const bool hasZero = io.in.size() > 2 && io.in[2].data;
    const ScaleMap map = runtimeMap(x, scale, axis_);
    if (map.blocked || isPackedType(to_)) return runGeneric(io, map, hasZero ? &io.in[2] : nullptr);
    const int8_t* zero = hasZero ? io.in[2].as<int8_t>() : nullptr;
    const bool fp8 = to_ == DataType::kFP8;
    int8_t* y = static_cast<int8_t*>(io.out[0].data);
    Fp8* y8 = static_cast<Fp8*>(io.out[0].data);
    const AxisSplit split = splitOf(map);
    cpu::dispatchFloat(x.type, [&](auto xt) {
      using TX = decltype(xt);
      dispatchScale(scale.type, [&](auto st) {
        using TS = decltype(st);
        const TX* px = x.as<TX>();
        const TS* ps = scale.as<TS>();
        forEachChannelRow(io.pool, split, 4, [&](int64_t c, int64_t b, int64_t e) {
          const float s = Compute<TS>::load(ps, c);
          if (fp8) {
            for (int64_t i = b; i < e; ++i) y8[i].bits = floatToFp8(static_cast<float>(Compute<TX>::load(px, i)) / s);
            return;
          }
          const float z = zero ? static_cast<float>(zero[c]) : 0.f;
          ew::mapRange(px + b, y + b, 0, e - b, [s, z](float v) { return quantizeValue(v, s, z); });
        });
      });
    });
  }
  const char* implementation() const override { return implName(to_); }

 private:
  // Blocked scales and the packed types: element by element through the scale map.
  void runGeneric(KernelIO& io, const ScaleMap& map, const TensorRef* zero) const {
    const TensorRef& x = io.in[0];
    const TensorRef& scale = io.in[1];
    void* out = io.out[0].data;
    const DataType to = to_;
    cpu::dispatchFloat(x.type, [&](auto xt) {
      using TX = decltype(xt);
      dispatchScale(scale.type, [&](auto st) {
        using TS = decltype(st);
        const TX* px = x.as<TX>();
        const TS* ps = scale.as<TS>();
        forEachScaled(io.pool, map, x.count(), 6, [&](int64_t k, int64_t si) {
          const float q = static_cast<float>(Compute<TX>::load(px, k)) / static_cast<float>(Compute<TS>::load(ps, si));
          switch (to) {
            case DataType::kINT8:
              static_cast<int8_t*>(out)[k] = static_cast<int8_t>(roundClamp(q, zeroAt(zero, si), -128.f, 127.f));
              break;
            case DataType::kINT4:
              storeNibble(out, k, static_cast<uint8_t>(static_cast<int>(roundClamp(q, zeroAt(zero, si), -8.f, 7.f)) & 0xf));
              break;
            case DataType::kFP8: static_cast<uint8_t*>(out)[k] = floatToFp8(q); break;
            default: storeNibble(out, k, floatToFp4(q)); break;
          }
        });
      });
    });
  }

  int64_t axis_;
  DataType to_;
};

std::unique_ptr<CpuKernel> createQuantize(const Node& node, const std::vector<DataType>&,
                                          const std::vector<DataType>& outTypes) {
  return std::make_unique<QuantizeKernel>(node, outTypes[0]);
}

// ---- DEQUANTIZE ---------------------------------------------------------------------------

void inferDequantize(InferIO& io) {
  DataType t = io.type(0);
  if (!isQuantizedType(t)) io.error("input type ", dataTypeName(t), " is not valid; expected INT8, FP8, INT4 or FP4");
  auto to = static_cast<DataType>(io.node.getInt("toType", static_cast<int64_t>(DataType::kFLOAT)));
  if (!isFloatType(to)) io.error("toType ", dataTypeName(to), " is not valid; expected FLOAT, HALF or BF16");
  checkScale(io, to, t);
  io.setOutput(0, to, io.dims(0));
}

class DequantizeKernel : public CpuKernel {
 public:
  DequantizeKernel(const Node& node, DataType from) : axis_(node.getInt("axis", -1)), from_(from) {}
  void run(KernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& scale = io.in[1];
    const TensorRef& out = io.out[0];
    const bool hasZero = io.in.size() > 2 && io.in[2].data;
    const ScaleMap map = runtimeMap(x, scale, axis_);
    if (map.blocked || isPackedType(from_)) return runGeneric(io, map, hasZero ? &io.in[2] : nullptr);
    const int8_t* zero = hasZero ? io.in[2].as<int8_t>() : nullptr;
    const bool fp8 = from_ == DataType::kFP8;
    const int8_t* px = static_cast<const int8_t*>(x.data);
    const Fp8* px8 = static_cast<const Fp8*>(x.data);
    const AxisSplit split = splitOf(map);
    cpu::dispatchFloat(out.type, [&](auto ot) {
      using TO = decltype(ot);
      dispatchScale(scale.type, [&](auto st) {
        using TS = decltype(st);
        const TS* ps = scale.as<TS>();
        TO* py = out.as<TO>();
        forEachChannelRow(io.pool, split, 1, [&](int64_t c, int64_t b, int64_t e) {
          const float s = Compute<TS>::load(ps, c);
          if (fp8) {
            for (int64_t i = b; i < e; ++i) Compute<TO>::store(py, i, fp8ToFloat(px8[i].bits) * s);
            return;
          }
          const float z = zero ? static_cast<float>(zero[c]) : 0.f;
          ew::mapRange(px + b, py + b, 0, e - b, [s, z](int8_t v) { return (static_cast<float>(v) - z) * s; });
        });
      });
    });
  }
  const char* implementation() const override { return implName(from_); }

 private:
  void runGeneric(KernelIO& io, const ScaleMap& map, const TensorRef* zero) const {
    const TensorRef& x = io.in[0];
    const TensorRef& scale = io.in[1];
    const TensorRef& out = io.out[0];
    const DataType from = from_;
    cpu::dispatchFloat(out.type, [&](auto ot) {
      using TO = decltype(ot);
      dispatchScale(scale.type, [&](auto st) {
        using TS = decltype(st);
        const TS* ps = scale.as<TS>();
        TO* py = out.as<TO>();
        forEachScaled(io.pool, map, x.count(), 4, [&](int64_t k, int64_t si) {
          float v;
          switch (from) {
            case DataType::kINT8: v = static_cast<float>(static_cast<const int8_t*>(x.data)[k]) - zeroAt(zero, si); break;
            case DataType::kINT4: v = static_cast<float>(int4Value(loadNibble(x.data, k))) - zeroAt(zero, si); break;
            case DataType::kFP8: v = fp8ToFloat(static_cast<const uint8_t*>(x.data)[k]); break;
            default: v = fp4ToFloat(loadNibble(x.data, k)); break;
          }
          Compute<TO>::store(py, k, v * static_cast<float>(Compute<TS>::load(ps, si)));
        });
      });
    });
  }

  int64_t axis_;
  DataType from_;
};

std::unique_ptr<CpuKernel> createDequantize(const Node& node, const std::vector<DataType>& inTypes,
                                            const std::vector<DataType>&) {
  return std::make_unique<DequantizeKernel>(node, inTypes[0]);
}

}  // namespace

void registerQuantize() {
  registerOp({LayerType::kQUANTIZE, "Quantize", 2, 3, 1, inferQuantize, createQuantize, {}});
  registerOp({LayerType::kDEQUANTIZE, "Dequantize", 2, 3, 1, inferDequantize, createDequantize, {}});
}

}  // namespace trtn
