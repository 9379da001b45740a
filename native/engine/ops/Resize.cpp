// RESIZE with ONNX Resize semantics: NEAREST (any element type), LINEAR (n-linear) and CUBIC
// (n-cubic) over every dim whose size changes, for FLOAT/HALF/BF16.
//
// Output dims come from input 1 (a 1-D INT32/INT64 shape tensor), the `shape` attribute, or
// floor(in * scale) with the `scales` attribute. The coordinate transformation maps output
// coordinate o of a dim to the input: ALIGN_CORNERS o*(in-1)/(out-1) (0 when out is 1; with
// scales, in*scale replaces out),
// ASYMMETRIC o/scale, HALF_PIXEL (o+0.5)/scale-0.5, where scale is the `scales` entry when
// scales were given (as ONNX) and out/in otherwise. With selectorForSinglePixel UPPER an output
// dim of size 1 reads coordinate 0. Extension: input 2, a FLOAT [rank] tensor, gives scales
// read when the layer runs (ONNX Resize with run-time scales, whose output dims input 1 carries);
// they replace out/in in the mapping as the `scales` attribute does. NEAREST rounds (HALF_UP, HALF_DOWN, FLOOR, CEIL) and clamps;
// LINEAR and CUBIC read out-of-range neighbours from the edge (ONNX edge padding), or with
// excludeOutside drop them and renormalise the weights.
#include <algorithm>
#include <cmath>

#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

enum InterpolationMode : int64_t { kNearest = 0, kLinear = 1, kCubic = 2 };
enum CoordTransform : int64_t { kAlignCorners = 0, kAsymmetric = 1, kHalfPixel = 2 };
enum RoundMode : int64_t { kHalfUp = 0, kHalfDown = 1, kFloor = 2, kCeil = 3 };

// Scales are used only when the output size comes from them.
bool usesScales(const Node& node) { return node.input(1) < 0 && !node.has("shape") && node.has("scales"); }

void inferResize(InferIO& io) {
  const Dims& in = io.dims(0);
  const size_t rank = in.size();
  DataType t = io.type(0);
  if (rank == 0) io.error("the input must have at least one dimension");
  const int64_t mode = io.node.getInt("resizeMode", kNearest);
  if (mode < 0 || mode > 2) io.error("resizeMode ", mode, " is not an InterpolationMode (NEAREST, LINEAR, CUBIC)");
  if (mode != kNearest && !isFloatType(t))
    io.error(mode == kLinear ? "LINEAR" : "CUBIC", " resize needs a FLOAT, HALF or BF16 input, not ", dataTypeName(t));
  if (!isSupportedDataType(t)) io.error("input type ", dataTypeName(t), " is not supported");
  const int64_t ct = io.node.getInt("coordinateTransformation", kAsymmetric);
  if (ct < 0 || ct > 2)
    io.error("coordinateTransformation ", ct, " is not valid (ALIGN_CORNERS, ASYMMETRIC, HALF_PIXEL)");
  const int64_t sel = io.node.getInt("selectorForSinglePixel", 0);
  if (sel < 0 || sel > 1) io.error("selectorForSinglePixel ", sel, " is not valid (FORMULA, UPPER)");
  const int64_t rm = io.node.getInt("nearestRounding", kFloor);
  if (rm < 0 || rm > 3) io.error("nearestRounding ", rm, " is not valid (HALF_UP, HALF_DOWN, FLOOR, CEIL)");

  Dims out;
  bool explicitDims = false;  // out holds given values (not unknowns derived from unknown inputs)
  if (io.has(1) || io.node.has("shape")) {
    bool found = false;
    auto v = shapeInputOrAttr(io, 1, "shape", found, "output dimensions");
    int64_t len = v ? static_cast<int64_t>(v->size()) : io.dims(1)[0];
    if (len >= 0 && len != static_cast<int64_t>(rank))
      io.error("output dimensions have ", len, " entries but the input ", dimsToString(in), " has rank ", rank);
    out = v ? Dims(v->begin(), v->end()) : unknownDims(rank);
    explicitDims = v.has_value();
  } else if (io.node.has("scales")) {
    std::vector<double> scales = io.node.getFloats("scales");
    if (scales.size() != rank)
      io.error("scales have ", scales.size(), " entries but the input ", dimsToString(in), " has rank ", rank);
    out.resize(rank);
    for (size_t d = 0; d < rank; ++d) {
      if (!(scales[d] > 0)) io.error("scale ", scales[d], " of dim ", d, " must be positive");
      out[d] = in[d] < 0 ? -1 : static_cast<int64_t>(std::floor(static_cast<double>(in[d]) * scales[d]));
    }
  } else {
    io.error("the output size is not set: give 'shape', 'scales' or an output dimensions tensor (input 1)");
  }
  if (io.has(2)) {
    if (!io.has(1)) io.error("run-time scales (input 2) need the output dimensions in input 1");
    if (io.type(2) != DataType::kFLOAT) io.error("scales (input 2) must be FLOAT, not ", dataTypeName(io.type(2)));
    const Dims& sd = io.dims(2);
    if (sd.size() != 1 || (sd[0] >= 0 && sd[0] != static_cast<int64_t>(rank)))
      io.error("scales (input 2) must be 1-D with ", rank, " entries, not of dims ", dimsToString(sd));
  }
  for (size_t d = 0; d < rank; ++d) {
    if (explicitDims && out[d] < 0) io.error("output dimensions ", dimsToString(out), " have a negative entry");
    if (in[d] == 0 && out[d] > 0)
      io.error("cannot resize the empty dim ", d, " of input ", dimsToString(in), " to ", out[d]);
  }
  io.setOutput(0, t, out);
}

// Per output coordinate of one dim: T taps (input index and weight).
struct Taps {
  int64_t count = 1;             // taps per output coordinate
  std::vector<int64_t> index;    // [out * count]
  std::vector<float> weight;     // [out * count]
  bool identity = false;
};

double cubicWeight(double x, double A) {
  x = std::fabs(x);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

class ResizeKernel : public CpuKernel {
 public:
  ResizeKernel(const Node& node, DataType type)
      : mode_(node.getInt("resizeMode", kNearest)),
        transform_(node.getInt("coordinateTransformation", kAsymmetric)),
        selector_(node.getInt("selectorForSinglePixel", 0)),
        rounding_(node.getInt("nearestRounding", kFloor)),
        cubicA_(node.getFloat("cubicCoeff", -0.75)),
        excludeOutside_(node.getInt("excludeOutside", 0) != 0),
        scales_(usesScales(node) ? node.getFloats("scales") : std::vector<double>{}),
        type_(type) {}

  void run(KernelIO& io) override {
    const TensorRef& in = io.in[0];
    const TensorRef& out = io.out[0];
    if (out.count() <= 0) return;
    const size_t rank = in.dims.size();
    TRTN_CHECK(out.dims.size() == rank, StatusCode::kInvalidArgument, "resize: rank mismatch");
    std::vector<double> scales = scales_;
    if (io.in.size() > 2 && io.in[2].data) {
      scales.resize(rank);
      for (size_t d = 0; d < rank; ++d) {
        scales[d] = loadAsDouble(io.in[2].data, DataType::kFLOAT, static_cast<int64_t>(d));
        TRTN_CHECK(scales[d] > 0, StatusCode::kInvalidArgument, "resize: scale ", scales[d], " of dim ", d, " must be positive");
      }
    }
    std::vector<Taps> taps(rank);
    for (size_t d = 0; d < rank; ++d) taps[d] = makeTaps(in.dims[d], out.dims[d], scales.empty() ? 0.0 : scales[d]);
    if (mode_ == kNearest) {
      std::vector<std::vector<int64_t>> maps(rank);
      for (size_t d = 0; d < rank; ++d) maps[d] = taps[d].index;
      mappedCopy(in.data, in.dims, out.data, out.dims, maps, nullptr, dataTypeSize(type_), io.pool);
      return;
    }
    cpu::dispatchFloat(type_, [&](auto tag) { interpolate<decltype(tag)>(in, out, taps, io.pool); });
  }
  const char* implementation() const override { return "resize"; }

 private:
  Taps makeTaps(int64_t inSize, int64_t outSize, double scale) const {
    Taps t;
    const bool unitScale = scale == 0.0 || scale == 1.0;
    if (inSize == outSize && unitScale) {
      t.identity = true;
      t.index.resize(static_cast<size_t>(outSize));
      t.weight.assign(static_cast<size_t>(outSize), 1.f);
      for (int64_t o = 0; o < outSize; ++o) t.index[o] = o;
      return t;
    }
    // Input coordinate of v (an output coordinate): v / scale with scales, else v * in / out. The
    // product by the integer input size is exact and the one division rounds correctly, so exact
    // results (integers and .5 ties, which decide NEAREST rounding) stay exact; multiplying by a
    // rounded in/out ratio could land an ulp off (HALF_PIXEL 15 -> 11 at o = 5 gave 6.999...).
    // ALIGN_CORNERS with scales maps by the unrounded in * scale, as ONNX does.
    const double resized = scale > 0 ? static_cast<double>(inSize) * scale : static_cast<double>(outSize);
    const auto toInput = [&](double v) {
      return scale > 0 ? v / scale : v * static_cast<double>(inSize) / static_cast<double>(outSize);
    };
    t.count = mode_ == kNearest ? 1 : mode_ == kLinear ? 2 : 4;
    t.index.resize(static_cast<size_t>(outSize * t.count));
    t.weight.resize(static_cast<size_t>(outSize * t.count));
    const int64_t last = inSize - 1;
    auto clampIdx = [&](int64_t i) { return i < 0 ? 0 : i > last ? last : i; };
    for (int64_t o = 0; o < outSize; ++o) {
      double x;
      if (outSize == 1 && selector_ == 1) x = 0;
      else if (transform_ == kAlignCorners) x = resized > 1 ? o * static_cast<double>(inSize - 1) / (resized - 1) : 0;
      else if (transform_ == kAsymmetric) x = toInput(static_cast<double>(o));
      else x = toInput(o + 0.5) - 0.5;
      int64_t* idx = &t.index[o * t.count];
      float* w = &t.weight[o * t.count];
      if (mode_ == kNearest) {
        double r;
        switch (rounding_) {
          case kHalfUp: r = std::floor(x + 0.5); break;
          case kHalfDown: r = std::ceil(x - 0.5); break;
          case kCeil: r = std::ceil(x); break;
          default: r = std::floor(x); break;
        }
        idx[0] = clampIdx(static_cast<int64_t>(r));
        w[0] = 1.f;
        continue;
      }
      const double fl = std::floor(x);
      const int64_t i0 = static_cast<int64_t>(fl);
      const double f = x - fl;
      double ws[4];
      int64_t is[4];
      if (mode_ == kLinear) {
        is[0] = i0;
        is[1] = i0 + 1;
        ws[0] = 1 - f;
        ws[1] = f;
      } else {
        for (int k = 0; k < 4; ++k) {
          is[k] = i0 - 1 + k;
          ws[k] = cubicWeight(f - (k - 1), cubicA_);
        }
      }
      if (excludeOutside_) {
        double sum = 0;
        for (int64_t k = 0; k < t.count; ++k) {
          if (is[k] < 0 || is[k] > last) ws[k] = 0;
          sum += ws[k];
        }
        if (sum != 0)
          for (int64_t k = 0; k < t.count; ++k) ws[k] /= sum;
      }
      for (int64_t k = 0; k < t.count; ++k) {
        idx[k] = clampIdx(is[k]);
        w[k] = static_cast<float>(ws[k]);
      }
    }
    return t;
  }

  template <typename T>
  void interpolate(const TensorRef& in, const TensorRef& out, const std::vector<Taps>& taps, ThreadPool* pool) const {
    const Taps& lt = taps.back();
    switch (lt.count) {
      case 1: interpolateRows<T, 1>(in, out, taps, pool); break;
      case 2: interpolateRows<T, 2>(in, out, taps, pool); break;
      default: interpolateRows<T, 4>(in, out, taps, pool); break;
    }
  }

  // Each output row (all dims but the last fixed) is a weighted sum of input rows: the tap
  // combinations over the outer dims; along the last dim every output element reads TL taps.
  template <typename T, int TL>
  void interpolateRows(const TensorRef& in, const TensorRef& out, const std::vector<Taps>& taps,
                       ThreadPool* pool) const {
    using C = cpu::Compute<T>;
    const T* x = in.as<const T>();
    T* y = out.as<T>();
    const size_t rank = in.dims.size();
    const std::vector<int64_t> is = cpu::stridesOf(in.dims);
    const Dims& O = out.dims;
    const int64_t L = O[rank - 1];
    const Taps& lt = taps[rank - 1];
    const int64_t ls = is[rank - 1];
    // Last-dim taps as input offsets.
    std::vector<int64_t> lastOff(lt.index.size());
    for (size_t i = 0; i < lastOff.size(); ++i) lastOff[i] = lt.index[i] * ls;
    const int64_t rows = out.count() / L;
    int64_t outerTaps = 1;
    for (size_t d = 0; d + 1 < rank; ++d) outerTaps *= taps[d].count;
    parallelFor(pool, rows, cpu::grainFor(L * outerTaps * TL), [&](int64_t begin, int64_t end) {
      std::vector<int64_t> idx(rank, 0);
      std::vector<int64_t> cOff, nOff;  // tap combinations over the outer dims: input offset, weight
      std::vector<float> cW, nW, acc(static_cast<size_t>(L));
      cOff.reserve(static_cast<size_t>(outerTaps));
      nOff.reserve(static_cast<size_t>(outerTaps));
      cW.reserve(static_cast<size_t>(outerTaps));
      nW.reserve(static_cast<size_t>(outerTaps));
      {
        int64_t rem = begin;
        for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
          idx[d] = rem % O[d];
          rem /= O[d];
        }
      }
      for (int64_t row = begin; row < end; ++row) {
        cOff.assign(1, 0);
        cW.assign(1, 1.f);
        for (size_t d = 0; d + 1 < rank; ++d) {
          const Taps& t = taps[d];
          if (t.count == 1) {
            const int64_t add = t.index[idx[d]] * is[d];
            for (auto& o : cOff) o += add;
            continue;
          }
          nOff.clear();
          nW.clear();
          for (size_t c = 0; c < cOff.size(); ++c)
            for (int64_t k = 0; k < t.count; ++k) {
              const float w = t.weight[idx[d] * t.count + k];
              if (w == 0.f) continue;
              nOff.push_back(cOff[c] + t.index[idx[d] * t.count + k] * is[d]);
              nW.push_back(cW[c] * w);
            }
          cOff.swap(nOff);
          cW.swap(nW);
        }
        const int64_t* lo = lastOff.data();
        const float* lw = lt.weight.data();
        for (size_t c = 0; c < cOff.size(); ++c) {
          const int64_t base = cOff[c];
          const float cw = cW[c];
          for (int64_t j = 0; j < L; ++j) {
            float part = 0.f;
            for (int k = 0; k < TL; ++k) part += lw[j * TL + k] * C::load(x, base + lo[j * TL + k]);
            acc[j] = c == 0 ? cw * part : acc[j] + cw * part;
          }
        }
        if (cOff.empty()) std::fill(acc.begin(), acc.end(), 0.f);
        for (int64_t j = 0; j < L; ++j) C::store(y, row * L + j, acc[j]);
        for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
          if (++idx[d] < O[d]) break;
          idx[d] = 0;
        }
      }
    });
  }

  int64_t mode_, transform_, selector_, rounding_;
  double cubicA_;
  bool excludeOutside_;
  std::vector<double> scales_;
  DataType type_;
};

std::unique_ptr<CpuKernel> createResize(const Node& node, const std::vector<DataType>& inTypes,
                                        const std::vector<DataType>&) {
  return std::make_unique<ResizeKernel>(node, inTypes.at(0));
}

}  // namespace

void registerResize() { registerOp({LayerType::kRESIZE, "Resize", 1, 3, 1, inferResize, createResize, {1}}); }

}  // namespace trtn
