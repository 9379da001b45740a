// The cuda backend's DECONVOLUTION, RESIZE, TOPK, FILL, GRID_SAMPLE and LRN kernels: host-side
// geometry and checks, then CudaSpatialKernels.h's launchers. DECONVOLUTION is a cuBLASLt GEMM
// per image (groups batched; FP32 in CUBLAS_COMPUTE_32F, no TF32) into a column buffer, then a
// col2im gather that adds the bias, with the fused activation in one pass after it. HALF and BF16
// deconvolutions stage input, kernel and result in FP32, as the CPU kernel does, so both backends
// round once at the end.
#include <algorithm>
#include <cstring>
#include <tuple>
#include <variant>

#include "../../engine/ops/ConvOps.h"
#include "CudaLibraries.h"
#include "CudaLtMatmul.h"
#include "CudaOpsCommon.h"
#include "CudaSpatialKernels.h"
#include "CudaSpatialOps.h"

namespace trtn::cuda {

namespace {

bool present(const CudaKernelIO& io, size_t i) { return i < io.in.size() && io.in[i].data != nullptr; }

// Hands out 256-byte aligned pieces of a kernel's planned workspace, in the order workspaceBytes
// counted them.
class Carver {
 public:
  static constexpr size_t kAlign = 256;
  static size_t bytesFor(int64_t count, size_t elementBytes) {
    const size_t b = static_cast<size_t>(std::max<int64_t>(count, 0)) * elementBytes;
    return (b + kAlign - 1) / kAlign * kAlign;
  }
  Carver(void* base, size_t bytes, const Node& node) : cur_(static_cast<char*>(base)), left_(bytes), node_(node) {
    const size_t misalign = reinterpret_cast<uintptr_t>(cur_) % kAlign;
    if (cur_ && misalign) skip(kAlign - misalign);
  }
  float* floats(int64_t count) { return static_cast<float*>(take(bytesFor(count, sizeof(float)))); }
  void* take(size_t bytes) {
    if (bytes == 0) return nullptr;
    TRTN_CHECK(cur_ && bytes <= left_, StatusCode::kInternal, "layer '", node_.name, "' (", layerTypeName(node_.type),
               "): the planned workspace is too small");
    void* p = cur_;
    skip(bytes);
    return p;
  }
  void* rest(size_t& bytes) {
    bytes = left_;
    return left_ ? cur_ : nullptr;
  }

 private:
  void skip(size_t bytes) {
    const size_t s = std::min(bytes, left_);
    cur_ += s;
    left_ -= s;
  }
  char* cur_;
  size_t left_;
  const Node& node_;
};

// ---- DECONVOLUTION ----------------------------------------------------------------------------

using namespace lt;

constexpr size_t kGemmWorkspace = 4u << 20;

class DeconvolutionKernel : public CudaKernel {
 public:
  DeconvolutionKernel(const Node& n, const std::vector<DataType>& in)
      : node_(ops::identityOf(n)), attrs_(ops::readConvAttrs(n)), type_(in.at(0)) {
    K_ = attrs_.numOutputMaps;
    G_ = attrs_.numGroups;
    kvol_ = attrs_.window.kernelVolume();
    Mg_ = K_ / G_ * kvol_;
    if (const Weights* w = n.getWeights("kernel")) {
      const int64_t C = w->count / Mg_;
      if (w->count % Mg_ != 0 || C < 1 || C % G_ != 0)
        ops::layerError(n, "kernel weights have ", w->count, " values, not C*numOutputMaps/numGroups*prod(kernelSizeNd) (",
                        "a multiple of ", Mg_ * G_, ")");
      kernel_ = *w;
      Cg_ = C / G_;
    } else {
      if (n.input(1) < 0 || in.size() < 2) ops::layerError(n, "kernel weights are empty and input 1 is absent");
      kernelType_ = in[1];
      kernelFromTensor_ = true;
    }
    if (const Weights* b = n.getWeights("bias")) {
      if (b->count != K_) ops::layerError(n, "bias weights have ", b->count, " values but numOutputMaps = ", K_);
      bias_ = *b;
    } else if (n.input(2) >= 0 && in.size() > 2) {
      biasType_ = in[2];
      biasFromTensor_ = true;
    }
  }

  void uploadWeights(DeviceWeights& to) override {
    kernelDevice_ = static_cast<const float*>(to.upload(kernel_, DataType::kFLOAT));
    biasDevice_ = static_cast<const float*>(to.upload(bias_, DataType::kFLOAT));
  }

  size_t workspaceBytes(const std::vector<Dims>& in, const std::vector<Dims>& out) const override {
    if (in.empty() || out.empty() || in[0].size() < 2) return 0;
    const int64_t N = std::max<int64_t>(in[0][0], 0), C = std::max<int64_t>(in[0][1], 0);
    int64_t inSp = 1, outSp = 1;
    for (size_t d = 2; d < in[0].size(); ++d) inSp *= std::max<int64_t>(in[0][d], 0);
    for (size_t d = 2; d < out[0].size(); ++d) outSp *= std::max<int64_t>(out[0][d], 0);
    size_t bytes = Carver::kAlign + Carver::bytesFor(K_ * kvol_ * inSp, sizeof(float));
    if (type_ != DataType::kFLOAT) bytes += Carver::bytesFor(N * C * inSp, sizeof(float));
    if (kernelFromTensor_ && kernelType_ != DataType::kFLOAT) bytes += Carver::bytesFor(C * Mg_, sizeof(float));
    if (biasFromTensor_ && biasType_ != DataType::kFLOAT) bytes += Carver::bytesFor(K_, sizeof(float));
    if (staged()) bytes += Carver::bytesFor(N * K_ * outSp, sizeof(float));
    return bytes + kGemmWorkspace;
  }

  const char* implementation() const override { return "cublasLt-col2im"; }

  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    const Dims& in = x.dims;
    const int nsp = attrs_.window.nsp;
    if (static_cast<int>(in.size()) != nsp + 2)
      ops::layerError(node_, "input dims ", dimsToString(in), " do not have rank ", nsp + 2);
    const int64_t N = in[0], C = in[1];
    if (C < 1 || C % G_ != 0) ops::layerError(node_, "input channel count ", C, " is not a positive multiple of numGroups ", G_);
    const int64_t Cg = C / G_;
    if (!kernelFromTensor_ && Cg != Cg_)
      ops::layerError(node_, "input has ", C, " channels but the kernel weights are for ", Cg_ * G_, " channels");
    const ops::WindowGeometry geo =
        ops::makeWindowGeometry(node_, attrs_.window, ops::WindowOp::kTransposed, Dims(in.begin() + 2, in.end()));
    const int64_t inSp = geo.inVolume(), outSp = geo.outVolume();
    if (y.count() != N * K_ * outSp)
      fail(StatusCode::kInternal, "layer '", node_.name, "': output ", dimsToString(y.dims), " does not hold ", N, "x", K_,
           "x", outSp, " values");
    if (y.count() == 0) return;
    cudaStream_t stream = streamOf(io);
    Carver ws(io.workspace, io.workspaceBytes, node_);
    float* col = ws.floats(K_ * kvol_ * inSp);
    const float* xf = static_cast<const float*>(x.data);
    if (type_ != DataType::kFLOAT) {
      float* t = ws.floats(N * C * inSp);
      kernels::cast(x.data, type_, t, DataType::kFLOAT, N * C * inSp, stream);
      xf = t;
    }
    const float* wf = kernelDevice_;
    if (kernelFromTensor_) {
      const TensorRef& kt = io.in.at(1);
      if (kt.count() != C * Mg_)
        ops::layerError(node_, "kernel tensor has ", kt.count(), " values ", dimsToString(kt.dims),
                        " but C*numOutputMaps/numGroups*prod(kernelSizeNd) = ", C * Mg_);
      wf = static_cast<const float*>(kt.data);
      if (kt.type != DataType::kFLOAT) {
        float* t = ws.floats(C * Mg_);
        kernels::cast(kt.data, kt.type, t, DataType::kFLOAT, C * Mg_, stream);
        wf = t;
      }
    }
    const float* bias = biasDevice_;
    if (biasFromTensor_ && present(io, 2)) {
      const TensorRef& bt = io.in[2];
      if (bt.count() != K_) ops::layerError(node_, "bias tensor has ", bt.count(), " values but numOutputMaps = ", K_);
      bias = static_cast<const float*>(bt.data);
      if (bt.type != DataType::kFLOAT) {
        float* t = ws.floats(K_);
        kernels::cast(bt.data, bt.type, t, DataType::kFLOAT, K_, stream);
        bias = t;
      }
    }
    float* stage = staged() ? ws.floats(N * K_ * outSp) : nullptr;
    size_t gemmBytes = 0;
    void* gemmWorkspace = ws.rest(gemmBytes);

    kernels::DeconvGeometry g{};
    for (int a = 0; a < 3; ++a) {
      const ops::AxisGeometry& ax = geo.axis[a];
      g.in[a] = ax.in;
      g.out[a] = ax.out;
      g.kernel[a] = ax.kernel;
      g.stride[a] = ax.stride;
      g.dilation[a] = ax.dilation;
      g.pre[a] = ax.pre;
    }
    const size_t es = dataTypeSize(type_);
    for (int64_t img = 0; img < N; ++img) {
      gemm(io, wf, xf + img * C * inSp, col, inSp, Cg, gemmWorkspace, gemmBytes, stream);
      void* target = stage ? static_cast<void*>(stage + img * K_ * outSp)
                           : static_cast<void*>(static_cast<char*>(y.data) + img * K_ * outSp * es);
      kernels::col2im(col, K_, g, bias, target, stage ? DataType::kFLOAT : type_, stream);
    }
    const int act = attrs_.activation.type;
    if (act >= 0) {
      void* v = stage ? static_cast<void*>(stage) : y.data;
      kernels::biasActivation(v, v, y.count(), stage ? DataType::kFLOAT : type_, nullptr, 1, 1, act,
                              attrs_.activation.alpha, attrs_.activation.beta, stream);
    }
    if (stage) kernels::cast(stage, DataType::kFLOAT, y.data, type_, y.count(), stream);
  }

 private:
  // HALF/BF16 with a fused activation: the activation runs on the FP32 result before rounding.
  bool staged() const { return type_ != DataType::kFLOAT && attrs_.activation.type >= 0; }

  // One image, every group: col_g [K/G*prod(k), inSp] = W_gᵀ x_g, with W_g stored [C/G, K/G*prod(k)]
  // and x_g [C/G, inSp], row-major. As column-major: col_gᵀ [inSp x Mg] = x_gᵀ [inSp x Cg] · W_g
  // (W_g read as column-major Mg x Cg, transposed).
  void gemm(CudaKernelIO& io, const float* w, const float* x, float* col, int64_t inSp, int64_t Cg, void* workspace,
            size_t workspaceBytes, cudaStream_t stream) {
    Call o;
    const CublasLt& api = o.api;
    o.createOp(OP_N, OP_T);
    const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
    checkCublas(api.layoutCreate(&o.layouts[0], CUDA_R_32F, u(inSp), u(Cg), inSp), "cublasLtMatrixLayoutCreate(A)");
    checkCublas(api.layoutCreate(&o.layouts[1], CUDA_R_32F, u(Mg_), u(Cg), Mg_), "cublasLtMatrixLayoutCreate(B)");
    checkCublas(api.layoutCreate(&o.layouts[2], CUDA_R_32F, u(inSp), u(Mg_), inSp), "cublasLtMatrixLayoutCreate(D)");
    const int64_t strides[3] = {Cg * inSp, Cg * Mg_, Mg_ * inSp};
    if (G_ > 1) o.setBatches(static_cast<int32_t>(G_), strides);
    const uint32_t align = alignmentOf({reinterpret_cast<uintptr_t>(x), reinterpret_cast<uintptr_t>(w),
                                        reinterpret_cast<uintptr_t>(col), u(strides[0] * 4), u(strides[1] * 4),
                                        u(strides[2] * 4), u(inSp * 4), u(Mg_ * 4)});
    const Key key{inSp, Cg, align, workspaceBytes};
    const LtHeuristic chosen = cache_.get(key, [&] {
      return o.firstAlgorithm(io.libs->cublasLt(), workspaceBytes, align, "layer '", node_.name,
                              "' (DECONVOLUTION): cuBLASLt has no algorithm for ", inSp, "x", Cg, " by ", Cg, "x", Mg_,
                              " (", G_, " groups)");
    });
    o.matmul(io.libs->cublasLt(), x, w, col, chosen.algo, workspace, chosen.workspaceSize, stream);
  }

  struct Key {
    int64_t inSp, cg;
    uint32_t align;
    size_t workspace;
    bool operator<(const Key& o) const {
      return std::tie(inSp, cg, align, workspace) < std::tie(o.inSp, o.cg, o.align, o.workspace);
    }
  };

  Node node_;
  ops::ConvAttrs attrs_;
  DataType type_;
  int64_t K_ = 0, G_ = 1, kvol_ = 1, Mg_ = 0, Cg_ = 0;
  Weights kernel_, bias_;
  bool kernelFromTensor_ = false, biasFromTensor_ = false;
  DataType kernelType_ = DataType::kFLOAT, biasType_ = DataType::kFLOAT;
  const float* kernelDevice_ = nullptr;
  const float* biasDevice_ = nullptr;
  AlgorithmCache<Key> cache_;
};

// ---- RESIZE -----------------------------------------------------------------------------------

class ResizeKernel : public CudaKernel {
 public:
  explicit ResizeKernel(const Node& n) : name_(n.name) {
    p_.mode = static_cast<int>(n.getInt("resizeMode", 0));
    p_.transform = static_cast<int>(n.getInt("coordinateTransformation", 1));
    p_.selector = static_cast<int>(n.getInt("selectorForSinglePixel", 0));
    p_.rounding = static_cast<int>(n.getInt("nearestRounding", 2));
    p_.cubicA = n.getFloat("cubicCoeff", -0.75);
    p_.excludeOutside = n.getInt("excludeOutside", 0) != 0;
    // Scales map coordinates only when they also gave the output size (as the CPU kernel).
    if (n.input(1) < 0 && !n.has("shape") && n.has("scales")) scales_ = n.getFloats("scales");
  }

  size_t workspaceBytes(const std::vector<Dims>& in, const std::vector<Dims>& out) const override {
    if (out.empty() || out[0].size() > static_cast<size_t>(kernels::kMaxDims)) return 0;
    (void)in;
    kernels::ResizeParams p = p_;
    p.rank = static_cast<int>(out[0].size());
    for (int d = 0; d < p.rank; ++d) p.out[d] = out[0][d];
    return kernels::resizeWorkspaceBytes(p);
  }

  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    if (y.count() <= 0) return;
    const size_t rank = x.dims.size();
    TRTN_CHECK(y.dims.size() == rank, StatusCode::kInvalidArgument, "layer '", name_, "' (RESIZE): rank mismatch");
    TRTN_CHECK(rank <= static_cast<size_t>(kernels::kMaxDims), StatusCode::kUnsupported, "layer '", name_,
               "' (RESIZE): rank ", rank, " is above the cuda backend's ", kernels::kMaxDims);
    kernels::ResizeParams p = p_;
    p.rank = static_cast<int>(rank);
    for (size_t d = 0; d < rank; ++d) {
      p.in[d] = x.dims[d];
      p.out[d] = y.dims[d];
      p.scale[d] = d < scales_.size() ? scales_[d] : 0.0;
    }
    const float* runtimeScales = present(io, 2) ? static_cast<const float*>(io.in[2].data) : nullptr;
    kernels::resize(x.data, y.data, x.type, p, runtimeScales, io.workspace, io.workspaceBytes, streamOf(io));
  }
  const char* implementation() const override { return "cuda-resize"; }

 private:
  std::string name_;
  kernels::ResizeParams p_;
  std::vector<double> scales_;
};

// ---- TOPK -------------------------------------------------------------------------------------

class TopKKernel : public CudaKernel {
 public:
  explicit TopKKernel(const Node& n)
      : name_(n.name), isMax_(n.getInt("op", 0) == 0), mask_(n.has("axes") ? n.getInt("axes", 0) : -1) {}

  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const int64_t rank = static_cast<int64_t>(x.dims.size());
    const int64_t mask = mask_ < 0 ? int64_t{1} << (rank > 0 ? rank - 1 : 0) : mask_;
    int64_t axis = 0;
    while (axis < rank && !((mask >> axis) & 1)) ++axis;
    TRTN_CHECK(axis < rank && io.out.size() == 2, StatusCode::kInvalidArgument, "layer '", name_,
               "' (TOPK): invalid axes or outputs");
    const int64_t K = io.out[0].dims[axis];
    const int64_t A = x.dims[axis];
    TRTN_CHECK(K >= 0 && K <= A, StatusCode::kInvalidArgument, "layer '", name_, "' (TOPK): k ", K,
               " exceeds the axis size ", A);
    const int64_t outer = product(x.dims, 0, static_cast<size_t>(axis));
    const int64_t inner = product(x.dims, static_cast<size_t>(axis) + 1, x.dims.size());
    kernels::topK(x.data, x.type, io.out[0].data, io.out[1].data, io.out[1].type, outer, A, inner, K, isMax_,
                  streamOf(io));
  }
  const char* implementation() const override { return "cuda-rank-count"; }

 private:
  std::string name_;
  bool isMax_;
  int64_t mask_;
};

// ---- FILL -------------------------------------------------------------------------------------

// The beta attribute: one value (int or float) or a list (as the CPU kernel reads it).
std::vector<double> fillBetaAttr(const Node& n) {
  auto it = n.attrs.find("beta");
  if (it == n.attrs.end()) return {1.0};
  if (std::holds_alternative<int64_t>(it->second) || std::holds_alternative<double>(it->second))
    return {n.getFloat("beta", 1.0)};
  return n.getFloats("beta", {1.0});
}

class FillKernel : public CudaKernel {
 public:
  explicit FillKernel(const Node& n)
      : name_(n.name),
        op_(static_cast<int>(n.getInt("operation", 0))),
        alpha_(n.getFloat("alpha", 0.0)),
        beta_(fillBetaAttr(n)),
        seed_(static_cast<uint64_t>(n.getInt("seed", 0))) {}

  void run(CudaKernelIO& io) override {
    const TensorRef& y = io.out[0];
    const int rank = static_cast<int>(y.dims.size());
    kernels::FillParam alpha = param(io, 1, {alpha_}, "alpha");
    kernels::FillParam beta = param(io, 2, beta_, "beta");
    TRTN_CHECK(alpha.count == 1, StatusCode::kInvalidArgument, "layer '", name_, "' (FILL): alpha must hold one value");
    if (op_ == 0) {
      TRTN_CHECK(beta.count == 1 || beta.count == rank, StatusCode::kInvalidArgument, "layer '", name_,
                 "' (FILL): LINSPACE beta has ", beta.count, " values for output rank ", rank);
    } else {
      TRTN_CHECK(beta.count == 1, StatusCode::kInvalidArgument, "layer '", name_, "' (FILL): beta must hold one value");
    }
    kernels::fill(y.data, y.type, rank, y.dims.data(), op_, alpha, beta, seed_, streamOf(io));
  }
  const char* implementation() const override { return op_ == 0 ? "cuda-linspace" : "cuda-splitmix64"; }

 private:
  // Input i (device memory) when given, else the attribute values.
  kernels::FillParam param(const CudaKernelIO& io, size_t i, const std::vector<double>& attr, const char* what) const {
    kernels::FillParam p;
    if (present(io, i)) {
      const int64_t count = io.in[i].count();
      TRTN_CHECK(count >= 0 && count <= kernels::kMaxDims, StatusCode::kInvalidArgument, "layer '", name_, "' (FILL): ",
                 what, " has ", count, " values");
      p.data = io.in[i].data;
      p.type = io.in[i].type;
      p.count = static_cast<int>(count);
      return p;
    }
    TRTN_CHECK(attr.size() <= static_cast<size_t>(kernels::kMaxDims), StatusCode::kInvalidArgument, "layer '", name_,
               "' (FILL): ", what, " has ", attr.size(), " values");
    p.count = static_cast<int>(attr.size());
    std::copy(attr.begin(), attr.end(), p.values);
    return p;
  }

  std::string name_;
  int op_;
  double alpha_;
  std::vector<double> beta_;
  uint64_t seed_;
};

// ---- GRID_SAMPLE, LRN -------------------------------------------------------------------------

class GridSampleKernel : public CudaKernel {
 public:
  explicit GridSampleKernel(const Node& n) {
    p_.mode = static_cast<int>(n.getInt("interpolationMode", 1));
    p_.alignCorners = n.getInt("alignCorners", 0) != 0;
    p_.sampleMode = static_cast<int>(n.getInt("sampleMode", 3));
  }
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    if (y.count() <= 0) return;
    kernels::GridSampleParams p = p_;
    p.spatial = static_cast<int>(x.dims.size()) - 2;
    p.batch = x.dims[0];
    p.channels = x.dims[1];
    for (int d = 0; d < p.spatial && d < 3; ++d) {
      p.in[d] = x.dims[2 + d];
      p.out[d] = y.dims[2 + d];
    }
    kernels::gridSample(x.data, io.in[1].data, y.data, x.type, p, streamOf(io));
  }
  const char* implementation() const override { return "cuda-grid-sample"; }

 private:
  kernels::GridSampleParams p_;
};

class LrnKernel : public CudaKernel {
 public:
  explicit LrnKernel(const Node& n)
      : window_(n.getInt("windowSize", 1)),
        alpha_(static_cast<float>(n.getFloat("alpha", 0.0))),
        beta_(static_cast<float>(n.getFloat("beta", 0.0))),
        k_(static_cast<float>(n.getFloat("k", 0.0))) {}
  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const Dims& d = x.dims;
    kernels::lrn(x.data, io.out[0].data, x.type, d[0], d[1], product(d, 2, d.size()), window_, alpha_, beta_, k_,
                 streamOf(io));
  }
  const char* implementation() const override { return "cuda-cross-channel"; }

 private:
  int64_t window_;
  float alpha_, beta_, k_;
};

bool isFillParamType(DataType t) {
  switch (t) {
    case DataType::kFLOAT:
    case DataType::kHALF:
    case DataType::kBF16:
    case DataType::kINT8:
    case DataType::kUINT8:
    case DataType::kINT32:
    case DataType::kINT64: return true;
    default: return false;
  }
}

}  // namespace

std::unique_ptr<CudaKernel> makeDeconvolution(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireFloat(n, in[0]);
  if (n.input(1) >= 0 && in.size() > 1) requireFloat(n, in[1], "a kernel tensor of type ");
  if (n.input(2) >= 0 && in.size() > 2) requireFloat(n, in[2], "a bias tensor of type ");
  return std::make_unique<DeconvolutionKernel>(n, in);
}

std::unique_ptr<CudaKernel> makeResize(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  if (n.getInt("resizeMode", 0) != 0) requireFloat(n, in[0]);
  else if (dataTypeSize(in[0]) == 0) unsupported(n, "data type ", dataTypeName(in[0]));
  return std::make_unique<ResizeKernel>(n);
}

std::unique_ptr<CudaKernel> makeTopK(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  if (!isFloatType(in[0]) && in[0] != DataType::kINT32 && in[0] != DataType::kINT64) unsupported(n, "data type ", dataTypeName(in[0]));
  return std::make_unique<TopKKernel>(n);
}

std::unique_ptr<CudaKernel> makeFill(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out) {
  const DataType t = out.at(0);
  const int64_t op = n.getInt("operation", 0);
  const bool ok = op == 0 ? (t == DataType::kFLOAT || t == DataType::kINT32 || t == DataType::kINT64)
                          : (t == DataType::kFLOAT || t == DataType::kHALF);
  if (!ok) unsupported(n, "output type ", dataTypeName(t));
  for (size_t i = 1; i < 3; ++i)
    if (n.input(i) >= 0 && i < in.size() && !isFillParamType(in[i]))
      unsupported(n, i == 1 ? "an alpha tensor of type " : "a beta tensor of type ", dataTypeName(in[i]));
  return std::make_unique<FillKernel>(n);
}

std::unique_ptr<CudaKernel> makeGridSample(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireFloat(n, in[0]);
  return std::make_unique<GridSampleKernel>(n);
}

std::unique_ptr<CudaKernel> makeLrn(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireFloat(n, in[0]);
  return std::make_unique<LrnKernel>(n);
}

}  // namespace trtn::cuda
