// The CUDA kernels of QUANTIZE, DEQUANTIZE, CAST, GATHER, SCATTER, SLICE and integer REDUCE.
// The CPU kernels in native/engine/ops are the specification: these work out the same geometry
// on the host (and the same run-time checks, with the same messages) and launch one of
// CudaIndexKernels.h's launchers.
#include "CudaIndexOps.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "CudaIndexKernels.h"
#include "CudaOpsCommon.h"

namespace trtn::cuda {

namespace {

using kernels::Strided;

template <typename... Parts>
[[noreturn]] void layerFail(StatusCode code, const std::string& name, LayerType type, const Parts&... parts) {
  fail(code, "layer '", name, "' (", layerTypeName(type), "): ", parts...);
}

// What a kernel keeps of its node: name and type for messages, inputs for the optional ones.
Node identityWithInputsOf(const Node& n) {
  Node id;
  id.name = n.name;
  id.type = n.type;
  id.inputs = n.inputs;
  return id;
}

int64_t normalizedAxis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

int elementBytes(DataType t) { return static_cast<int>(dataTypeSize(t)); }

// The values of a shape input (known on the host when the engine runs).
const std::vector<int64_t>& shapeValues(const TensorRef& t, const Node& n, const char* what) {
  if (!t.values)
    layerFail(StatusCode::kUnsupported, n.name, n.type, "the cuda backend needs the ", what,
              " known from shapes (a constant or shape tensor)");
  return *t.values;
}

// ---- QUANTIZE, DEQUANTIZE -------------------------------------------------------------------

bool isPerTensorScale(const Dims& sd) { return sd.empty() || (sd.size() == 1 && sd[0] == 1); }

// Quantize.cpp's mapScale at run time (every dim known, the axis final).
kernels::ScaleMap scaleMapOf(const Node& n, const Dims& xd, const Dims& sd, int64_t axis) {
  kernels::ScaleMap m;
  const size_t rank = xd.size();
  auto invalid = [&](const auto&... parts) { layerFail(StatusCode::kInvalidArgument, n.name, n.type, parts...); };
  if (isPerTensorScale(sd)) {
    m.inner = product(xd, 0, rank);
    return m;
  }
  if (sd.size() == 1) {
    if (axis < 0 || axis >= static_cast<int64_t>(rank))
      invalid("a 1-D scale of ", sd[0], " values needs a quantization axis in [0, ", rank, "), got axis ", axis);
    if (xd[axis] != sd[0])
      invalid("scale has ", sd[0], " values but dimension ", axis, " of the input ", dimsToString(xd), " has extent ",
              xd[axis]);
    m.outer = product(xd, 0, static_cast<size_t>(axis));
    m.axisExtent = xd[axis];
    m.inner = product(xd, static_cast<size_t>(axis) + 1, rank);
    m.axisStride = 1;
    return m;
  }
  if (sd.size() != rank)
    invalid("a blocked scale must have the input's rank ", rank, ", but scale ", dimsToString(sd), " has rank ",
            sd.size());
  int64_t blockAxis = -1;
  for (size_t d = 0; d < rank; ++d) {
    if (xd[d] == sd[d]) continue;
    if (blockAxis >= 0)
      invalid("a blocked scale may differ from the input in one dimension only, but scale ", dimsToString(sd),
              " differs from input ", dimsToString(xd), " in dimensions ", blockAxis, " and ", d);
    if (sd[d] == 0 || xd[d] % sd[d] != 0)
      invalid("blocked scale dimension ", d, " (", sd[d], ") does not divide the input's (", xd[d], ")");
    blockAxis = static_cast<int64_t>(d);
  }
  if (blockAxis < 0)
    invalid("a blocked scale must differ from the input in exactly one dimension, but scale ", dimsToString(sd),
            " equals input ", dimsToString(xd));
  const size_t b = static_cast<size_t>(blockAxis);
  m.outer = product(xd, 0, b);
  m.axisExtent = xd[b];
  m.inner = product(xd, b + 1, rank);
  m.block = xd[b] / sd[b];
  m.innerStride = 1;
  m.axisStride = m.inner;
  m.outerStride = sd[b] * m.inner;
  return m;
}

class QuantizeKernel : public CudaKernel {
 public:
  QuantizeKernel(const Node& n, bool quantize) : node_(identityWithInputsOf(n)), axis_(n.getInt("axis", -1)), quantize_(quantize) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& scale = io.in[1];
    const TensorRef& y = io.out[0];
    if (x.count() <= 0) return;
    kernels::QuantParams p;
    p.scale = scale.data;
    p.scaleType = scale.type;
    if (io.in.size() > 2 && io.in[2].data) {
      p.zero = io.in[2].data;
      p.zeroType = io.in[2].type;
      p.zeroSingle = io.in[2].count() == 1;
    }
    p.map = scaleMapOf(node_, x.dims, scale.dims, axis_);
    if (quantize_) kernels::quantize(x.data, x.type, y.data, y.type, x.count(), p, streamOf(io));
    else kernels::dequantize(x.data, x.type, y.data, y.type, x.count(), p, streamOf(io));
  }
  const char* implementation() const override { return quantize_ ? "cuda-quantize" : "cuda-dequantize"; }

 private:
  Node node_;
  int64_t axis_;
  bool quantize_;
};

bool isQuantizedType(DataType t) {
  return t == DataType::kINT8 || t == DataType::kFP8 || t == DataType::kINT4 || t == DataType::kFP4;
}

void requireScaleTypes(const Node& n, const std::vector<DataType>& in) {
  const DataType s = in[1];
  if (!isFloatType(s) && s != DataType::kE8M0) unsupported(n, "scale type ", dataTypeName(s));
  if (in.size() > 2 && in[2] != DataType::kINT8 && in[2] != DataType::kINT4)
    unsupported(n, "zero point type ", dataTypeName(in[2]));
}

// ---- CAST ---------------------------------------------------------------------------------------

class CastKernel : public CudaKernel {
 public:
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    // BOOL to BOOL still converts: a source byte other than 0 or 1 becomes 1, as on the CPU.
    if (x.type == y.type && x.type != DataType::kBOOL) copyDevice(y.data, x.data, byteSizeOf(x.type, x.count()), streamOf(io));
    else if (kernels::needsExactCast(x.type, y.type)) kernels::castExact(x.data, x.type, y.data, y.type, x.count(), streamOf(io));
    else kernels::cast(x.data, x.type, y.data, y.type, x.count(), streamOf(io));
  }
  const char* implementation() const override { return "cuda-convert"; }
};

// ---- GATHER -------------------------------------------------------------------------------------

enum GatherMode : int64_t { kGatherDefault = 0, kGatherElement = 1, kGatherNd = 2 };

class GatherKernel : public CudaKernel {
 public:
  explicit GatherKernel(const Node& n)
      : node_(identityWithInputsOf(n)),
        mode_(n.getInt("mode", kGatherDefault)),
        axis_(n.getInt("axis", 0)),
        e_(n.getInt("numElementWiseDims", 0)) {}

  void run(CudaKernelIO& io) override {
    const TensorRef& data = io.in[0];
    const TensorRef& ind = io.in[1];
    const TensorRef& out = io.out[0];
    if (out.count() <= 0) return;
    const Dims& D = data.dims;
    const Dims& I = ind.dims;
    const size_t r = D.size(), q = I.size();
    const int elem = elementBytes(data.type);
    cudaStream_t s = streamOf(io);
    if (mode_ == kGatherDefault) {
      const size_t e = static_cast<size_t>(e_);
      const size_t axis = static_cast<size_t>(normalizedAxis(axis_, r));
      const int64_t batch = e == 1 ? out.dims[0] : 1;
      const int64_t dataBatch = e == 1 && D[0] != 1 ? product(D, 1, r) : 0;
      const int64_t indexBatch = e == 1 && I[0] != 1 ? product(I, 1, q) : 0;
      kernels::gatherAxis(data.data, out.data, ind.data, ind.type, batch, product(D, e, axis), D[axis],
                          product(D, axis + 1, r), product(I, e, q), dataBatch, indexBatch, elem, s);
    } else if (mode_ == kGatherElement) {
      const int64_t axis = normalizedAxis(axis_, r);
      const Strided dataView = contiguousView(D);
      Strided view = contiguousView(I);
      for (int d = 0; d < view.rank; ++d) view.stride[d] = d == axis ? 0 : dataView.stride[d];
      kernels::gatherElements(data.data, out.data, ind.data, ind.type, view, dataView.stride[axis], D[axis], elem, s);
    } else {
      const size_t e = static_cast<size_t>(e_);
      const int64_t k = I[q - 1];
      for (size_t d = 0; d < e; ++d)
        if (I[d] != D[d])
          layerFail(StatusCode::kInvalidArgument, node_.name, node_.type, "batch dim ", d, " of indices ",
                    dimsToString(I), " differs from data ", dimsToString(D));
      if (e + static_cast<size_t>(k) > r)
        layerFail(StatusCode::kInvalidArgument, node_.name, node_.type, "index tuples of length ", k,
                  " do not fit data ", dimsToString(D));
      const Strided dataView = contiguousView(D);
      Strided tuple;
      tuple.rank = static_cast<int>(k);
      for (int c = 0; c < tuple.rank; ++c) {
        tuple.dims[c] = D[e + static_cast<size_t>(c)];
        tuple.stride[c] = dataView.stride[e + static_cast<size_t>(c)];
      }
      const int64_t perBatch = product(I, e, q - 1);
      kernels::gatherNd(data.data, out.data, ind.data, ind.type, product(I, 0, e) * perBatch, perBatch, tuple,
                        product(D, e + static_cast<size_t>(k), r), product(D, e, r), elem, s);
    }
  }
  const char* implementation() const override { return "cuda-gather"; }

 private:
  Node node_;
  int64_t mode_, axis_, e_;
};

// ---- SCATTER ------------------------------------------------------------------------------------

enum ScatterMode : int64_t { kScatterElement = 0, kScatterNd = 1 };

class ScatterKernel : public CudaKernel {
 public:
  explicit ScatterKernel(const Node& n)
      : mode_(n.getInt("mode", kScatterElement)), axis_(n.getInt("axis", 0)), reduction_(n.getInt("reduction", 0)) {}

  size_t workspaceBytes(const std::vector<Dims>& in, const std::vector<Dims>& out) const override {
    (void)out;
    return kernels::scatterWorkspaceBytes(updatesOf(in[1]));
  }

  void run(CudaKernelIO& io) override {
    const TensorRef& data = io.in[0];
    const TensorRef& ind = io.in[1];
    const TensorRef& out = io.out[0];
    if (out.count() <= 0) return;
    cudaStream_t s = streamOf(io);
    if (out.data != data.data) copyDevice(out.data, data.data, byteSizeOf(data.type, data.count()), s);
    const Dims& D = out.dims;
    const Dims& I = ind.dims;
    const Strided dataView = contiguousView(D);
    kernels::ScatterGeometry g;
    g.updates = updatesOf(I);
    if (mode_ == kScatterElement) {
      g.axis = static_cast<int>(normalizedAxis(axis_, D.size()));
      g.indexView = contiguousView(I);
      for (int d = 0; d < g.indexView.rank; ++d) {
        g.indexView.stride[d] = dataView.stride[d];
        g.dataDims[d] = D[d];
      }
      g.slice = 1;
      g.targets = out.count();
    } else {
      const size_t k = static_cast<size_t>(I.back());
      g.nd = true;
      g.tupleView.rank = static_cast<int>(k);
      for (size_t c = 0; c < k; ++c) {
        g.tupleView.dims[c] = D[c];
        g.tupleView.stride[c] = dataView.stride[c];
      }
      g.slice = product(D, k, D.size());
      g.targets = product(D, 0, k);
    }
    kernels::scatter(out.data, io.in[2].data, ind.data, ind.type, out.type, static_cast<int>(reduction_), g,
                     io.workspace, io.workspaceBytes, s);
  }
  const char* implementation() const override { return reduction_ == 0 ? "cuda-scatter" : "cuda-scatter-reduce"; }

 private:
  // ELEMENT: one update per index element; ND: one per index tuple.
  int64_t updatesOf(const Dims& I) const {
    if (mode_ == kScatterElement) return std::max<int64_t>(volume(I), 0);
    return I.empty() ? 0 : std::max<int64_t>(product(I, 0, I.size() - 1), 0);
  }
  int64_t mode_, axis_, reduction_;
};

// ---- SLICE --------------------------------------------------------------------------------------

enum SampleMode : int64_t { kStrict = 0, kWrap = 1, kClamp = 2, kFill = 3, kReflect = 4 };

const char* sampleModeName(int64_t m) {
  switch (m) {
    case kStrict: return "STRICT_BOUNDS";
    case kWrap: return "WRAP";
    case kClamp: return "CLAMP";
    case kFill: return "FILL";
    case kReflect: return "REFLECT";
  }
  return "?";
}

class SliceKernel : public CudaKernel {
 public:
  explicit SliceKernel(const Node& n)
      : node_(identityWithInputsOf(n)),
        mode_(n.getInt("mode", kStrict)),
        hasAxesAttr_(n.has("axes")),
        axesAttr_(n.getInts("axes")),
        startAttr_(n.getInts("start")),
        sizeAttr_(n.getInts("shape")),
        strideAttr_(n.getInts("stride")) {}

  void run(CudaKernelIO& io) override {
    const TensorRef& in = io.in[0];
    const TensorRef& out = io.out[0];
    if (out.count() <= 0) return;
    const int64_t rank = static_cast<int64_t>(in.dims.size());
    auto invalid = [&](const auto&... parts) { layerFail(StatusCode::kInvalidArgument, node_.name, node_.type, parts...); };
    auto input = [&](size_t i, const std::vector<int64_t>& attr, const char* what) -> std::vector<int64_t> {
      return node_.input(i) >= 0 ? shapeValues(io.in[i], node_, what) : attr;
    };
    std::vector<int64_t> axes;
    if (node_.input(5) >= 0 || hasAxesAttr_) {
      axes = input(5, axesAttr_, "axes");
    } else {
      axes.resize(static_cast<size_t>(rank));
      std::iota(axes.begin(), axes.end(), 0);
    }
    std::vector<bool> seen(static_cast<size_t>(rank), false);
    for (int64_t& a : axes) {
      if (a < -rank || a >= rank) invalid("axis ", a, " is out of range for rank ", rank);
      if (a < 0) a += rank;
      if (seen[a]) invalid("axes ", dimsToString(axes), " name dimension ", a, " twice");
      seen[a] = true;
    }
    const size_t n = axes.size();
    std::vector<int64_t> start = input(1, startAttr_, "start");
    std::vector<int64_t> size = input(2, sizeAttr_, "size");
    std::vector<int64_t> stride = input(3, strideAttr_, "stride");
    if (node_.input(1) < 0 && start.empty()) start.assign(n, 0);
    if (node_.input(3) < 0 && stride.empty()) stride.assign(n, 1);
    if (start.size() != n || stride.size() != n)
      invalid("start ", dimsToString(start), " and stride ", dimsToString(stride), " must have one entry per axis (", n,
              ")");
    Dims expected = in.dims;
    if (size.size() == n)
      for (size_t k = 0; k < n; ++k) expected[axes[k]] = size[k];
    if (size.size() != n || expected != out.dims)
      layerFail(StatusCode::kInternal, node_.name, node_.type, "axes ", dimsToString(axes), " and size ",
                dimsToString(size), " slice ", dimsToString(in.dims), " differently from the planned output ",
                dimsToString(out.dims));
    TRTN_CHECK(rank <= kernels::kMaxDims, StatusCode::kUnsupported, "tensors of rank above ", kernels::kMaxDims,
               " are not supported by the cuda backend");
    kernels::SliceGeometry g;
    g.rank = static_cast<int>(rank);
    for (int64_t d = 0; d < rank; ++d) {
      g.inDims[d] = in.dims[d];
      g.outDims[d] = out.dims[d];
      g.stride[d] = 1;
    }
    // The CPU kernel's checks: every sampled coordinate must have a source (or be filled).
    for (size_t k = 0; k < n; ++k) {
      const int64_t a = axes[k], d = in.dims[a];
      g.start[a] = start[k];
      g.stride[a] = stride[k];
      for (int64_t i = 0; i < out.dims[a]; ++i) {
        const int64_t c = start[k] + i * stride[k];
        const bool inside = c >= 0 && c < d;
        if (!inside && (mode_ == kStrict || (mode_ != kFill && d == 0)))
          invalid("slice of axis ", a, " reads index ", c, " (start ", start[k], ", stride ", stride[k],
                  ") outside the input dim ", d, " in ", sampleModeName(mode_), " mode");
      }
    }
    const void* fill = nullptr;
    DataType fillType = DataType::kFLOAT;
    if (mode_ == kFill && node_.input(4) >= 0 && io.in[4].data && io.in[4].count() > 0) {
      fill = io.in[4].data;
      fillType = io.in[4].type;
    }
    kernels::sliceSampled(in.data, out.data, in.type, g, static_cast<int>(mode_), fill, fillType, streamOf(io));
  }
  const char* implementation() const override { return "cuda-sample"; }

 private:
  Node node_;
  int64_t mode_;
  bool hasAxesAttr_;
  std::vector<int64_t> axesAttr_, startAttr_, sizeAttr_, strideAttr_;
};

// ---- REDUCE (integers) ----------------------------------------------------------------------------

class ReduceIntegerKernel : public CudaKernel {
 public:
  explicit ReduceIntegerKernel(const Node& n)
      : node_(identityWithInputsOf(n)), op_(static_cast<int>(n.getInt("op", 0))), mask_(n.getInt("axes", 0)) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const size_t rank = x.dims.size();
    std::vector<bool> reduced(rank, false);
    if (node_.input(1) >= 0) {
      for (int64_t a : shapeValues(io.in[1], node_, "axes")) {
        const int64_t d = normalizedAxis(a, rank);
        if (d < 0 || d >= static_cast<int64_t>(rank))
          layerFail(StatusCode::kInvalidArgument, node_.name, node_.type, "axis ", a, " is out of range for rank ", rank);
        reduced[static_cast<size_t>(d)] = true;
      }
    } else {
      for (size_t d = 0; d < rank; ++d) reduced[d] = ((mask_ >> d) & 1) != 0;
    }
    const Strided all = contiguousView(x.dims);
    Strided kept, red;
    for (size_t d = 0; d < rank; ++d) {
      Strided& v = reduced[d] ? red : kept;
      v.dims[v.rank] = all.dims[d];
      v.stride[v.rank] = all.stride[d];
      ++v.rank;
    }
    kernels::reduceInteger(op_, x.data, kept, red, io.out[0].data, x.type, streamOf(io));
  }
  const char* implementation() const override { return "cuda-block-reduce"; }

 private:
  Node node_;
  int op_;
  int64_t mask_;
};

// Types the data-movement kernels move: whole elements of 1, 2, 4 or 8 bytes.
void requireWholeElements(const Node& n, DataType t) {
  const size_t bytes = dataTypeSize(t);
  if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) unsupported(n, "data type ", dataTypeName(t));
}

void requireIndexType(const Node& n, DataType t) {
  if (t != DataType::kINT32 && t != DataType::kINT64) unsupported(n, "index type ", dataTypeName(t));
}

}  // namespace

std::unique_ptr<CudaKernel> makeQuantize(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out) {
  if (!isFloatType(in[0])) unsupported(n, "input type ", dataTypeName(in[0]));
  if (!isQuantizedType(out[0])) unsupported(n, "output type ", dataTypeName(out[0]));
  requireScaleTypes(n, in);
  return std::make_unique<QuantizeKernel>(n, true);
}

std::unique_ptr<CudaKernel> makeDequantize(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out) {
  if (!isQuantizedType(in[0])) unsupported(n, "input type ", dataTypeName(in[0]));
  if (!isFloatType(out[0])) unsupported(n, "output type ", dataTypeName(out[0]));
  requireScaleTypes(n, in);
  return std::make_unique<QuantizeKernel>(n, false);
}

std::unique_ptr<CudaKernel> makeCast(const Node&, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<CastKernel>();  // every cast the CPU backend's shape inference accepts
}

std::unique_ptr<CudaKernel> makeGather(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireWholeElements(n, in[0]);
  requireIndexType(n, in[1]);
  const int64_t mode = n.getInt("mode", kGatherDefault);
  if (mode < kGatherDefault || mode > kGatherNd) unsupported(n, "GatherMode ", mode);
  return std::make_unique<GatherKernel>(n);
}

std::unique_ptr<CudaKernel> makeScatter(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireWholeElements(n, in[0]);
  requireIndexType(n, in[1]);
  const int64_t mode = n.getInt("mode", kScatterElement);
  if (mode != kScatterElement && mode != kScatterNd) unsupported(n, "ScatterMode ", mode);
  const int64_t reduction = n.getInt("reduction", 0);
  if (reduction < 0 || reduction > 4) unsupported(n, "ScatterReduction ", reduction);
  if (reduction != 0 && isNarrowFloatType(in[0])) unsupported(n, "a reduction over ", dataTypeName(in[0]));
  return std::make_unique<ScatterKernel>(n);
}

std::unique_ptr<CudaKernel> makeSlice(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireWholeElements(n, in[0]);
  const int64_t mode = n.getInt("mode", kStrict);
  if (mode < kStrict || mode > kReflect) unsupported(n, "SampleMode ", mode);
  return std::make_unique<SliceKernel>(n);
}

std::unique_ptr<CudaKernel> makeReduceInteger(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  const DataType t = in[0];
  if (t != DataType::kINT8 && t != DataType::kUINT8 && t != DataType::kINT32 && t != DataType::kINT64)
    unsupported(n, "data type ", dataTypeName(t));
  return std::make_unique<ReduceIntegerKernel>(n);
}

}  // namespace trtn::cuda
