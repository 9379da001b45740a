// The CUDA kernels of the layers that move, convert or combine elements, and the registration of
// every CUDA kernel (GEMM and convolution are in CudaGemm.cpp and CudaConvolution.cpp). Kernels
// work out strides on the host and launch one of CudaKernels.h's launchers.
#include <algorithm>
#include <numeric>

#include "../../engine/ops/Registration.h"
#include "../../engine/ops/ConvOps.h"
#include "CudaIndexOps.h"
#include "CudaKernels.h"
#include "CudaOpsCommon.h"
#include "CudaDataDependentOps.h"
#include "CudaSpatialOps.h"

namespace trtn::cuda {

using kernels::Strided;

Strided contiguousView(const Dims& dims) {
  TRTN_CHECK(dims.size() <= static_cast<size_t>(kernels::kMaxDims), StatusCode::kUnsupported,
             "tensors of rank above ", kernels::kMaxDims, " are not supported by the cuda backend");
  Strided v;
  v.rank = static_cast<int>(dims.size());
  int64_t s = 1;
  for (int d = v.rank - 1; d >= 0; --d) {
    v.dims[d] = dims[d];
    v.stride[d] = s;
    s *= dims[d];
  }
  return v;
}

Strided broadcastView(const Dims& in, const Dims& out) {
  Strided v = contiguousView(out);
  Strided src = contiguousView(in);
  for (int d = 0; d < v.rank; ++d) v.stride[d] = in[d] == out[d] ? src.stride[d] : 0;
  return v;
}

cudaStream_t streamOf(const CudaKernelIO& io) { return static_cast<cudaStream_t>(io.stream); }

void copyDevice(void* dst, const void* src, int64_t bytes, cudaStream_t stream) {
  if (bytes > 0) check(cudaMemcpyAsync(dst, src, static_cast<size_t>(bytes), cudaMemcpyDefault, stream), "cudaMemcpyAsync");
}

namespace {

int64_t bytesOf(const TensorRef& t) { return byteSizeOf(t.type, t.count()); }

bool isIdentityPerm(const std::vector<int64_t>& p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// ---- IDENTITY, CAST, SHAPE ------------------------------------------------------------------

class CopyOrCast : public CudaKernel {
 public:
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    if (x.type == y.type) copyDevice(y.data, x.data, bytesOf(x), streamOf(io));
    else kernels::cast(x.data, x.type, y.data, y.type, x.count(), streamOf(io));
  }
  const char* implementation() const override { return "cuda-copy"; }
};

class ShapeKernel : public CudaKernel {
 public:
  void run(CudaKernelIO& io) override {
    const Dims& d = io.in[0].dims;
    kernels::writeValues(io.out[0].data, io.out[0].type, d.data(), static_cast<int>(d.size()), streamOf(io));
  }
  const char* implementation() const override { return "cuda-shape"; }
};

// ---- ELEMENTWISE, UNARY, ACTIVATION ----------------------------------------------------------

class ElementwiseKernel : public CudaKernel {
 public:
  explicit ElementwiseKernel(const Node& n) : op_(static_cast<int>(n.getInt("op", 0))) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& a = io.in[0];
    const TensorRef& b = io.in[1];
    const TensorRef& y = io.out[0];
    if (a.dims == y.dims && b.dims == y.dims && a.type == y.type &&
        kernels::elementwiseSameShape(op_, a.data, b.data, y.data, y.count(), a.type, streamOf(io)))
      return;
    kernels::elementwise(op_, a.data, broadcastView(a.dims, y.dims), b.data, broadcastView(b.dims, y.dims), y.data,
                         y.count(), a.type, y.type, streamOf(io));
  }
  const char* implementation() const override { return "cuda-broadcast"; }

 private:
  int op_;
};

class UnaryKernel : public CudaKernel {
 public:
  explicit UnaryKernel(const Node& n) : op_(static_cast<int>(n.getInt("op", 0))) {}
  void run(CudaKernelIO& io) override {
    kernels::unary(op_, io.in[0].data, io.out[0].data, io.in[0].count(), io.in[0].type, io.out[0].type, streamOf(io));
  }
  const char* implementation() const override { return "cuda-map"; }

 private:
  int op_;
};

class ActivationKernel : public CudaKernel {
 public:
  explicit ActivationKernel(const Node& n)
      : type_(static_cast<int>(n.getInt("type", 0))),
        alpha_(static_cast<float>(n.getFloat("alpha", 0.0))),
        beta_(static_cast<float>(n.getFloat("beta", 0.0))) {}
  void run(CudaKernelIO& io) override {
    kernels::biasActivation(io.in[0].data, io.out[0].data, io.in[0].count(), io.in[0].type, nullptr, 1, 1, type_, alpha_,
                            beta_, streamOf(io));
  }
  const char* implementation() const override { return "cuda-map"; }

 private:
  int type_;
  float alpha_, beta_;
};

// ---- SHUFFLE, CONCATENATION, PADDING (SLICE and GATHER: CudaIndexOps.cpp) ----------------------

class ShuffleKernel : public CudaKernel {
 public:
  explicit ShuffleKernel(const Node& n) : first_(n.getInts("firstTranspose")), second_(n.getInts("secondTranspose")) {}

  size_t workspaceBytes(const std::vector<Dims>& in, const std::vector<Dims>& out) const override {
    if (isIdentityPerm(perm(first_, in[0].size())) || isIdentityPerm(perm(second_, out[0].size()))) return 0;
    return 8 * static_cast<size_t>(std::max<int64_t>(volume(in[0]), 0));  // widest element
  }

  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    if (y.count() <= 0) return;
    const int elem = static_cast<int>(dataTypeSize(x.type));
    const std::vector<int64_t> p1 = perm(first_, x.dims.size()), p2 = perm(second_, y.dims.size());
    const bool id1 = isIdentityPerm(p1), id2 = isIdentityPerm(p2);
    cudaStream_t s = streamOf(io);
    if (id1 && id2) {
      copyDevice(y.data, x.data, bytesOf(x), s);
      return;
    }
    // The reshape dims R: out[i] = R[p2[i]].
    Dims r(y.dims.size());
    for (size_t i = 0; i < p2.size(); ++i) r[p2[i]] = y.dims[i];
    const void* reshaped = x.data;
    if (!id1) {
      // Transposed input written contiguously: T1[i] = in[p1[i]].
      Strided in = contiguousView(x.dims), t1 = in;
      for (size_t i = 0; i < p1.size(); ++i) {
        t1.dims[i] = x.dims[p1[i]];
        t1.stride[i] = in.stride[p1[i]];
      }
      Dims t1dims(t1.dims, t1.dims + t1.rank);
      void* target = id2 ? y.data : io.workspace;
      TRTN_CHECK(id2 || io.workspaceBytes >= static_cast<size_t>(bytesOf(x)), StatusCode::kInternal,
                 "shuffle: workspace too small");
      kernels::copyStrided(x.data, 0, t1, target, 0, contiguousView(t1dims), elem, s);
      if (id2) return;
      reshaped = io.workspace;
    }
    Strided rv = contiguousView(r), src = contiguousView(y.dims);
    for (size_t i = 0; i < p2.size(); ++i) src.stride[i] = rv.stride[p2[i]];
    kernels::copyStrided(reshaped, 0, src, y.data, 0, contiguousView(y.dims), elem, s);
  }
  const char* implementation() const override { return "cuda-strided-copy"; }

 private:
  static std::vector<int64_t> perm(const std::vector<int64_t>& attr, size_t rank) {
    std::vector<int64_t> p(rank);
    std::iota(p.begin(), p.end(), 0);
    if (attr.size() >= rank) std::copy(attr.begin(), attr.begin() + static_cast<std::ptrdiff_t>(rank), p.begin());
    return p;
  }
  std::vector<int64_t> first_, second_;
};

int64_t normalizedAxis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

class ConcatKernel : public CudaKernel {
 public:
  explicit ConcatKernel(const Node& n) : axis_(n.getInt("axis", 0)) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& y = io.out[0];
    const int64_t axis = normalizedAxis(axis_, y.dims.size());
    Strided out = contiguousView(y.dims);
    int64_t at = 0;
    for (const TensorRef& x : io.in) {
      if (!x.data && x.count() != 0) continue;
      if (x.count() > 0) {
        Strided dst = out;
        for (int d = 0; d < dst.rank; ++d) dst.dims[d] = x.dims[d];
        Strided src = contiguousView(x.dims);
        kernels::copyStrided(x.data, 0, src, y.data, at * out.stride[axis], dst, static_cast<int>(dataTypeSize(x.type)),
                             streamOf(io));
      }
      at += x.dims[axis];
    }
  }
  const char* implementation() const override { return "cuda-strided-copy"; }

 private:
  int64_t axis_;
};

class PaddingKernel : public CudaKernel {
 public:
  explicit PaddingKernel(const Node& n) : pre_(n.getInts("prePaddingNd")) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    if (y.count() <= 0) return;
    int64_t pre[kernels::kMaxDims] = {};
    const size_t rank = y.dims.size();
    for (size_t k = 0; k < pre_.size(); ++k) pre[rank - pre_.size() + k] = pre_[k];
    kernels::pad(x.data, contiguousView(x.dims), y.data, contiguousView(y.dims), pre,
                 static_cast<int>(dataTypeSize(x.type)), streamOf(io));
  }
  const char* implementation() const override { return "cuda-pad"; }

 private:
  std::vector<int64_t> pre_;
};

// ---- SOFTMAX, REDUCE, NORMALIZATION ------------------------------------------------------------

class SoftmaxKernel : public CudaKernel {
 public:
  explicit SoftmaxKernel(const Node& n) : mask_(n.getInt("axes", 1)) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    int64_t axis = 0;
    while (axis < 63 && !((mask_ >> axis) & 1)) ++axis;
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.dims[d];
    for (size_t d = static_cast<size_t>(axis) + 1; d < x.dims.size(); ++d) inner *= x.dims[d];
    const int64_t len = x.dims.empty() ? 1 : x.dims[axis];
    kernels::softmax(x.data, io.out[0].data, x.type, outer, len, inner, streamOf(io));
  }
  const char* implementation() const override { return "cuda-block-per-row"; }

 private:
  int64_t mask_;
};

// Splits dims into kept and reduced views with their strides in x.
void splitViews(const Dims& dims, const std::vector<bool>& reduced, const std::vector<int64_t>& strides, Strided& kept,
                Strided& red) {
  kept.rank = red.rank = 0;
  for (size_t d = 0; d < dims.size(); ++d) {
    Strided& v = reduced[d] ? red : kept;
    TRTN_CHECK(v.rank < kernels::kMaxDims, StatusCode::kUnsupported, "too many dims for the cuda backend");
    v.dims[v.rank] = dims[d];
    v.stride[v.rank] = strides[d];
    ++v.rank;
  }
}

class ReduceKernel : public CudaKernel {
 public:
  explicit ReduceKernel(const Node& n) : op_(static_cast<int>(n.getInt("op", 0))), mask_(n.getInt("axes", 0)) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const size_t rank = x.dims.size();
    std::vector<bool> red(rank, false);
    if (io.in.size() > 1 && io.in[1].values) {
      for (int64_t a : *io.in[1].values) red[static_cast<size_t>(normalizedAxis(a, rank))] = true;
    } else {
      for (size_t d = 0; d < rank; ++d) red[d] = ((mask_ >> d) & 1) != 0;
    }
    Strided c = contiguousView(x.dims), kept, reduced;
    splitViews(x.dims, red, std::vector<int64_t>(c.stride, c.stride + c.rank), kept, reduced);
    kernels::reduce(op_, x.data, kept, reduced, io.out[0].data, x.type, streamOf(io));
  }
  const char* implementation() const override { return "cuda-block-reduce"; }

 private:
  int op_;
  int64_t mask_;
};

class NormalizationKernel : public CudaKernel {
 public:
  explicit NormalizationKernel(const Node& n)
      : epsilon_(static_cast<float>(n.getFloat("epsilon", 1e-5))), mask_(n.getInt("axes", 0)), groups_(n.getInt("numGroups", 1)) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& sc = io.in[1];
    const TensorRef& bi = io.in[2];
    Dims view = x.dims;
    const size_t rank = view.size();
    std::vector<bool> red(rank);
    for (size_t d = 0; d < rank; ++d) red[d] = ((mask_ >> d) & 1) != 0;
    auto strides = [](const Strided& v) { return std::vector<int64_t>(v.stride, v.stride + v.rank); };
    std::vector<int64_t> xs = strides(contiguousView(x.dims));
    std::vector<int64_t> ss = strides(broadcastView(sc.dims, x.dims)), bs = strides(broadcastView(bi.dims, x.dims));
    if (groups_ > 1) {
      // [N, C, ...] -> [N, G, C/G, ...], also reducing over C/G (as the CPU kernel).
      const int64_t cg = x.dims[1] / groups_;
      view.insert(view.begin() + 2, cg);
      view[1] = groups_;
      red.insert(red.begin() + 2, true);
      red[1] = false;
      for (auto* s : {&xs, &ss, &bs}) {
        int64_t s1 = (*s)[1];
        s->insert(s->begin() + 2, s1);
        (*s)[1] = s1 * cg;
      }
    }
    Strided kept, reduced, sk, sr, bk, br;
    splitViews(view, red, xs, kept, reduced);
    splitViews(view, red, ss, sk, sr);
    splitViews(view, red, bs, bk, br);
    kernels::normalize(x.data, io.out[0].data, kept, reduced, sc.data, sk.stride, sr.stride, bi.data, bk.stride, br.stride,
                       x.type, sc.type, epsilon_, streamOf(io));
  }
  const char* implementation() const override { return "cuda-block-reduce"; }

 private:
  float epsilon_;
  int64_t mask_, groups_;
};

// ---- POOLING, SCALE ----------------------------------------------------------------------------

class PoolingKernel : public CudaKernel {
 public:
  explicit PoolingKernel(const Node& n)
      : node_(ops::identityOf(n)),
        attrs_(ops::readWindowAttrs(n, "windowSizeNd", false, false)),
        type_(static_cast<int>(n.getInt("type", 0))),
        blend_(static_cast<float>(n.getFloat("blendFactor", 0.0))),
        exclude_(n.getInt("averageCountExcludesPadding", 1) != 0) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const size_t rank = x.dims.size();
    const size_t nsp = static_cast<size_t>(attrs_.nsp);
    Dims spatial(x.dims.end() - static_cast<std::ptrdiff_t>(nsp), x.dims.end());
    ops::WindowGeometry g = ops::makeWindowGeometry(node_, attrs_, ops::WindowOp::kForward, spatial);
    kernels::PoolGeometry pg{};
    for (int a = 0; a < 3; ++a) {
      pg.in[a] = g.axis[a].in;
      pg.out[a] = g.axis[a].out;
      pg.kernel[a] = g.axis[a].kernel;
      pg.stride[a] = g.axis[a].stride;
      pg.pre[a] = g.axis[a].pre;
      pg.post[a] = g.axis[a].post;
    }
    int64_t planes = 1;
    for (size_t d = 0; d + nsp < rank; ++d) planes *= x.dims[d];
    kernels::pool(x.data, io.out[0].data, x.type, planes, pg, type_, blend_, exclude_, streamOf(io));
  }
  const char* implementation() const override { return "cuda-direct"; }

 private:
  Node node_;
  ops::WindowAttrs attrs_;
  int type_;
  float blend_;
  bool exclude_;
};

class ScaleKernel : public CudaKernel {
 public:
  explicit ScaleKernel(const Node& n) : mode_(static_cast<int>(n.getInt("mode", 0))), axis_(n.getInt("channelAxis", 1)) {
    for (const char* key : {"scale", "shift", "power"})
      if (const Weights* w = n.getWeights(key)) weights_.push_back(*w);
      else weights_.emplace_back();
    bool unit = true;
    for (int64_t i = 0; i < weights_[2].count; ++i) unit = unit && loadAsDouble(weights_[2].data.get(), weights_[2].type, i) == 1.0;
    if (unit) weights_[2] = Weights{};
  }
  void uploadWeights(DeviceWeights& to) override {
    for (size_t i = 0; i < 3; ++i) device_[i] = static_cast<const float*>(to.upload(weights_[i], DataType::kFLOAT));
  }
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    int64_t rows = 1, channels = 1, inner = x.count();
    if (mode_ != 0) {
      const int64_t axis = normalizedAxis(axis_, x.dims.size());
      rows = 1;
      inner = 1;
      for (int64_t d = 0; d < axis; ++d) rows *= x.dims[d];
      channels = x.dims[axis];
      for (size_t d = static_cast<size_t>(axis) + 1; d < x.dims.size(); ++d) inner *= x.dims[d];
    }
    kernels::scale(x.data, io.out[0].data, x.type, rows, channels, inner, mode_, device_[0], device_[1], device_[2],
                   streamOf(io));
  }
  const char* implementation() const override { return "cuda-map"; }

 private:
  int mode_;
  int64_t axis_;
  std::vector<Weights> weights_;
  const float* device_[3] = {nullptr, nullptr, nullptr};
};

// ---- SELECT, PARAMETRIC_RELU, ONE_HOT, REVERSE_SEQUENCE, CUMULATIVE ------------------------------

class SelectKernel : public CudaKernel {
 public:
  void run(CudaKernelIO& io) override {
    const TensorRef& y = io.out[0];
    if (y.count() <= 0) return;
    kernels::select(io.in[0].data, broadcastView(io.in[0].dims, y.dims), io.in[1].data,
                    broadcastView(io.in[1].dims, y.dims), io.in[2].data, broadcastView(io.in[2].dims, y.dims), y.data,
                    y.count(), static_cast<int>(dataTypeSize(y.type)), streamOf(io));
  }
  const char* implementation() const override { return "cuda-broadcast"; }
};

class ParametricReluKernel : public CudaKernel {
 public:
  void run(CudaKernelIO& io) override {
    const TensorRef& y = io.out[0];
    if (y.count() <= 0) return;
    kernels::parametricRelu(io.in[0].data, broadcastView(io.in[0].dims, y.dims), io.in[1].data,
                            broadcastView(io.in[1].dims, y.dims), y.data, y.count(), y.type, streamOf(io));
  }
  const char* implementation() const override { return "cuda-broadcast"; }
};

class OneHotKernel : public CudaKernel {
 public:
  explicit OneHotKernel(const Node& n) : axis_(n.getInt("axis", -1)) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& ind = io.in[0];
    const TensorRef& y = io.out[0];
    if (y.count() <= 0) return;
    const int64_t q = static_cast<int64_t>(ind.dims.size());
    const int64_t axis = axis_ < 0 ? axis_ + q + 1 : axis_;
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= ind.dims[d];
    for (int64_t d = axis; d < q; ++d) inner *= ind.dims[d];
    kernels::oneHot(ind.data, ind.type, io.in[1].data, y.data, outer, y.dims[axis], inner,
                    static_cast<int>(dataTypeSize(y.type)), streamOf(io));
  }
  const char* implementation() const override { return "cuda-one-hot"; }

 private:
  int64_t axis_;
};

class ReverseSequenceKernel : public CudaKernel {
 public:
  explicit ReverseSequenceKernel(const Node& n) : batch_(n.getInt("batchAxis", 1)), seq_(n.getInt("sequenceAxis", 0)) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    if (y.count() <= 0) return;
    const int64_t batch = normalizedAxis(batch_, x.dims.size()), seq = normalizedAxis(seq_, x.dims.size());
    Strided v = contiguousView(x.dims);
    kernels::reverseSequence(x.data, y.data, io.in[1].data, io.in[1].type, y.count(), v.stride[batch], x.dims[batch],
                             v.stride[seq], x.dims[seq], static_cast<int>(dataTypeSize(x.type)), streamOf(io));
  }
  const char* implementation() const override { return "cuda-reverse-sequence"; }

 private:
  int64_t batch_, seq_;
};

class CumulativeKernel : public CudaKernel {
 public:
  explicit CumulativeKernel(const Node& n)
      : name_(n.name),
        prod_(n.getInt("operation", 0) == 1),
        exclusive_(n.getInt("exclusive", 0) != 0),
        reverse_(n.getInt("reverse", 0) != 0) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& a = io.in[1];
    const int64_t rank = static_cast<int64_t>(x.dims.size());
    TRTN_CHECK((a.values ? static_cast<int64_t>(a.values->size()) : a.count()) == 1, StatusCode::kInvalidArgument,
               "layer '", name_, "' (CUMULATIVE): the axis tensor must hold one value");
    int64_t given = 0;
    if (a.values) {
      given = a.values->at(0);
    } else {
      // An axis computed while running: runs with one synchronize (needsHostSync) and read it.
      TRTN_CHECK(io.readToHost != nullptr, StatusCode::kInternal, "layer '", name_,
                 "' (CUMULATIVE): the axis is computed at run time, but the run was launched without host synchronization");
      int64_t host = 0;
      io.readToHost(&host, a.data, static_cast<int64_t>(dataTypeSize(a.type)));
      given = loadAsInt64(&host, a.type, 0);
    }
    const int64_t axis = given < 0 ? given + rank : given;
    TRTN_CHECK(axis >= 0 && axis < rank, StatusCode::kInvalidArgument, "layer '", name_, "' (CUMULATIVE): axis ", given,
               " is out of range for rank ", rank);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.dims[d];
    for (int64_t d = axis + 1; d < rank; ++d) inner *= x.dims[d];
    if (outer * x.dims[axis] * inner <= 0) return;
    kernels::cumulative(x.data, io.out[0].data, x.type, outer, x.dims[axis], inner, prod_, exclusive_, reverse_,
                        streamOf(io));
  }
  bool needsHostSync(const std::vector<TensorRef>& in) const override { return in.size() > 1 && !in[1].values; }
  const char* implementation() const override { return "cuda-scan"; }

 private:
  std::string name_;
  bool prod_, exclusive_, reverse_;
};

// ---- Factories ---------------------------------------------------------------------------------

void requireWhole(const Node& n, const std::vector<DataType>& types) {
  for (DataType t : types)
    if (dataTypeSize(t) == 0 || t == DataType::kFP8 || t == DataType::kE8M0) unsupported(n, "data type ", dataTypeName(t));
}

// Kernels that only move elements take every type of whole bytes, FP8 and E8M0 included.
void requireStored(const Node& n, const std::vector<DataType>& types) {
  for (DataType t : types)
    if (dataTypeSize(t) == 0) unsupported(n, "data type ", dataTypeName(t));
}

// IDENTITY and CONSTANT: byte copies of any type, the packed INT4 and FP4 included.
std::unique_ptr<CudaKernel> makeCopy(const Node&, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<CopyOrCast>();
}

std::unique_ptr<CudaKernel> makeShape(const Node&, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<ShapeKernel>();
}

std::unique_ptr<CudaKernel> makeElementwise(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireWhole(n, in);
  return std::make_unique<ElementwiseKernel>(n);
}

std::unique_ptr<CudaKernel> makeUnary(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireWhole(n, in);
  return std::make_unique<UnaryKernel>(n);
}

std::unique_ptr<CudaKernel> makeActivation(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  if (!isFloatType(in[0]) && in[0] != DataType::kINT32 && in[0] != DataType::kINT64) unsupported(n, "data type ", dataTypeName(in[0]));
  return std::make_unique<ActivationKernel>(n);
}

std::unique_ptr<CudaKernel> makeShuffle(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireStored(n, {in[0]});
  return std::make_unique<ShuffleKernel>(n);
}

std::unique_ptr<CudaKernel> makeConcat(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireStored(n, in);
  return std::make_unique<ConcatKernel>(n);
}

std::unique_ptr<CudaKernel> makePadding(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireStored(n, {in[0]});
  return std::make_unique<PaddingKernel>(n);
}

std::unique_ptr<CudaKernel> makeSoftmax(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireFloat(n, in[0]);
  return std::make_unique<SoftmaxKernel>(n);
}

std::unique_ptr<CudaKernel> makeReduce(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out) {
  if (!isFloatType(in[0])) return makeReduceInteger(n, in, out);
  return std::make_unique<ReduceKernel>(n);
}

std::unique_ptr<CudaKernel> makeNormalization(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireFloat(n, in[0]);
  if (in.size() < 3) unsupported(n, "a normalization without scale and bias inputs");
  requireFloat(n, in[1]);
  if (in[1] != in[2]) unsupported(n, "scale and bias of different types");
  return std::make_unique<NormalizationKernel>(n);
}

std::unique_ptr<CudaKernel> makePooling(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireFloat(n, in[0]);
  return std::make_unique<PoolingKernel>(n);
}

std::unique_ptr<CudaKernel> makeScale(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireFloat(n, in[0]);
  if (in.size() > 1) unsupported(n, "scale parameters given as inputs");
  return std::make_unique<ScaleKernel>(n);
}

std::unique_ptr<CudaKernel> makeSelect(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireStored(n, {in[1], in[2]});
  return std::make_unique<SelectKernel>();
}

std::unique_ptr<CudaKernel> makeParametricRelu(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireFloat(n, in[0]);
  return std::make_unique<ParametricReluKernel>();
}

std::unique_ptr<CudaKernel> makeOneHot(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireStored(n, {in[1]});
  return std::make_unique<OneHotKernel>(n);
}

std::unique_ptr<CudaKernel> makeReverseSequence(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireStored(n, {in[0]});
  return std::make_unique<ReverseSequenceKernel>(n);
}

std::unique_ptr<CudaKernel> makeCumulative(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  if (!isFloatType(in[0]) && in[0] != DataType::kINT32 && in[0] != DataType::kINT64) unsupported(n, "data type ", dataTypeName(in[0]));
  return std::make_unique<CumulativeKernel>(n);
}

}  // namespace
}  // namespace trtn::cuda

namespace trtn {

void registerCudaKernels() {
  using namespace trtn::cuda;
  setCudaKernel(LayerType::kCONSTANT, makeCopy);  // runs only for constants that are network outputs
  setCudaKernel(LayerType::kIDENTITY, makeCopy);
  setCudaKernel(LayerType::kCAST, makeCast);
  setCudaKernel(LayerType::kSHAPE, makeShape);
  setCudaKernel(LayerType::kELEMENTWISE, makeElementwise);
  setCudaKernel(LayerType::kUNARY, makeUnary);
  setCudaKernel(LayerType::kACTIVATION, makeActivation);
  setCudaKernel(LayerType::kSHUFFLE, makeShuffle);
  setCudaKernel(LayerType::kCONCATENATION, makeConcat);
  setCudaKernel(LayerType::kSLICE, makeSlice);
  setCudaKernel(LayerType::kPADDING, makePadding);
  setCudaKernel(LayerType::kGATHER, makeGather);
  setCudaKernel(LayerType::kSOFTMAX, makeSoftmax);
  setCudaKernel(LayerType::kREDUCE, makeReduce);
  setCudaKernel(LayerType::kNORMALIZATION, makeNormalization);
  setCudaKernel(LayerType::kPOOLING, makePooling);
  setCudaKernel(LayerType::kSCALE, makeScale);
  setCudaKernel(LayerType::kMATRIX_MULTIPLY, makeMatrixMultiply);
  setCudaKernel(LayerType::kCONVOLUTION, makeConvolution);
  setCudaKernel(LayerType::kSELECT, makeSelect);
  setCudaKernel(LayerType::kPARAMETRIC_RELU, makeParametricRelu);
  setCudaKernel(LayerType::kONE_HOT, makeOneHot);
  setCudaKernel(LayerType::kREVERSE_SEQUENCE, makeReverseSequence);
  setCudaKernel(LayerType::kCUMULATIVE, makeCumulative);
  setCudaKernel(LayerType::kNON_ZERO, makeNonZero);
  setCudaKernel(LayerType::kNMS, makeNms);
  setCudaKernel(LayerType::kLOOP, makeLoop);
  setCudaKernel(LayerType::kDECONVOLUTION, makeDeconvolution);
  setCudaKernel(LayerType::kRESIZE, makeResize);
  setCudaKernel(LayerType::kTOPK, makeTopK);
  setCudaKernel(LayerType::kFILL, makeFill);
  setCudaKernel(LayerType::kGRID_SAMPLE, makeGridSample);
  setCudaKernel(LayerType::kLRN, makeLrn);
  setCudaKernel(LayerType::kQUANTIZE, makeQuantize);
  setCudaKernel(LayerType::kDEQUANTIZE, makeDequantize);
  setCudaKernel(LayerType::kSCATTER, makeScatter);
}

}  // namespace trtn
