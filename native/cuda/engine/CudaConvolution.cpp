// CONVOLUTION through cuDNN's legacy API (cuda-libs-api.md 2.4 and 2.6: the simplest correct
// path). The builder times the algorithms the v7 heuristic lists (tune(): each run as the layer
// will run it, with CUDA events) and keeps the fastest in the node's "cudnnAlgo"/"cudnnMathType"
// attributes; without them (optimization level 0, or a shape the choice does not fit) the v7
// heuristic's first usable algorithm runs. FP32 runs in CUDNN_FMA_MATH (no TF32, so results match
// the CPU backend); FP16 and BF16 may use tensor cores, accumulating in FP32. Bias, ReLU and the
// residual input the cuda-only fuseConvResidualCuda pass adds run in
// cudnnConvolutionBiasActivationForward where cuDNN allows it (RELU with any algorithm, IDENTITY
// with IMPLICIT_PRECOMP_GEMM only), else in one kernel after the convolution. Descriptors are
// made once per input shape. Groups and depthwise come from the filter shape plus the group
// count; asymmetric padding (SAME_UPPER with an even window, explicit pre != post) and windows
// that run past the padded input (EXPLICIT_ROUND_UP) pad the input with zeros into the
// workspace, so cuDNN sees symmetric zero padding. HALF/BF16 data with FLOAT kernel weights that
// the data type cannot hold exactly run in FP32 (data cast through the workspace), as the CPU
// backend computes with the float weights; weights given in the data type keep tensor cores.
#include <algorithm>
#include <limits>
#include <memory>
#include <mutex>
#include <string>

#include "../../engine/MemoryPlanner.h"
#include "../../engine/ops/ConvOps.h"
#include "CudaLibraries.h"
#include "CudaOpsCommon.h"

namespace trtn::cuda {

namespace {

constexpr int CUDNN_DATA_FLOAT = 0, CUDNN_DATA_HALF = 2, CUDNN_DATA_BFLOAT16 = 9;
constexpr int CUDNN_TENSOR_NCHW = 0, CUDNN_CROSS_CORRELATION = 1;
constexpr int CUDNN_TENSOR_OP_MATH = 1, CUDNN_FMA_MATH = 3;
constexpr int CUDNN_ACTIVATION_RELU = 1, CUDNN_ACTIVATION_IDENTITY = 5, CUDNN_PROPAGATE_NAN = 1;
constexpr int kImplicitPrecompGemm = 1;
constexpr int kRelu = 0;  // ActivationType.RELU
constexpr size_t kMaxWorkspace = 256u << 20;  // PyTorch's benchmark mode allows more

int cudnnTypeOf(DataType t) {
  return t == DataType::kFLOAT ? CUDNN_DATA_FLOAT : t == DataType::kHALF ? CUDNN_DATA_HALF : CUDNN_DATA_BFLOAT16;
}

const char* algoName(int algo) {
  static const char* names[] = {"implicit-gemm", "implicit-precomp-gemm", "gemm", "direct", "fft", "fft-tiling",
                                "winograd", "winograd-nonfused"};
  return algo >= 0 && algo < 8 ? names[algo] : "unknown";
}

struct Descriptors {
  const Cudnn& api = cudnn();
  void* x = nullptr;
  void* y = nullptr;
  void* w = nullptr;
  void* conv = nullptr;
  void* bias = nullptr;
  void* act = nullptr;
  Descriptors() = default;
  Descriptors(const Descriptors&) = delete;
  Descriptors& operator=(const Descriptors&) = delete;
  ~Descriptors() {
    if (x) api.destroyTensor(x);
    if (y) api.destroyTensor(y);
    if (w) api.destroyFilter(w);
    if (conv) api.destroyConv(conv);
    if (bias) api.destroyTensor(bias);
    if (act) api.destroyActivation(act);
  }
};

struct Choice {
  int algo = 0;
  int mathType = CUDNN_FMA_MATH;
  size_t workspace = 0;
};

// What one run needs: the geometry cuDNN sees (at least 2 spatial dims) and whether the input is
// padded into the workspace first.
struct Plan {
  std::vector<int> xDims, wDims, yDims, pad, stride, dilation;
  bool prePad = false;
  Dims paddedDims;   // input dims after explicit padding (prePad)
  int64_t pre[kernels::kMaxDims] = {};
  size_t paddedBytes = 0;
  // FP32 staging: the input and output cast to float, after the padded input in the workspace.
  size_t stageInBytes = 0, stageOutBytes = 0;
  size_t scratchBytes() const { return paddedBytes + stageInBytes + stageOutBytes; }
};

// Everything a run at one input shape and workspace size reuses.
struct Prepared {
  Dims inDims;
  size_t available = 0;
  Plan plan;
  Choice choice;
  bool fused = false;  // cudnnConvolutionBiasActivationForward
  Descriptors d;
};

// The pointers one launch works on.
struct Operands {
  const void* x = nullptr;  // after padding
  const void* w = nullptr;
  const void* bias = nullptr;
  const void* residual = nullptr;
  void* y = nullptr;
  void* workspace = nullptr;
};

class ConvKernel : public CudaKernel {
 public:
  ConvKernel(const Node& n, DataType type)
      : node_(ops::identityOf(n)), attrs_(ops::readConvAttrs(n)), type_(type) {
    if (const Weights* w = n.getWeights("kernel")) kernel_ = *w;
    if (const Weights* b = n.getWeights("bias")) bias_ = *b;
    hasBias_ = !bias_.empty() || n.input(2) >= 0;
    hasResidual_ = n.input(3) >= 0;
    staged_ = type_ != DataType::kFLOAT && kernel_.type == DataType::kFLOAT && !exactIn(kernel_, type_);
    compute_ = staged_ ? DataType::kFLOAT : type_;
    tunedAlgo_ = static_cast<int>(n.getInt("cudnnAlgo", -1));
    tunedMath_ = static_cast<int>(n.getInt("cudnnMathType", -1));
    name_ = tunedAlgo_ >= 0 ? std::string("cudnn-") + algoName(tunedAlgo_) : "cudnn";
  }

  void uploadWeights(DeviceWeights& to) override {
    kernelDevice_ = to.upload(kernel_, compute_);
    biasDevice_ = to.upload(bias_, type_);
    if (staged_) biasFloat_ = to.upload(bias_, DataType::kFLOAT);
  }

  size_t workspaceBytes(const std::vector<Dims>& in, const std::vector<Dims>& out) const override {
    if (volume(out[0]) <= 0) return 0;  // run() launches nothing
    Plan p = plan(in[0], out[0], true);
    std::unique_lock<std::mutex> lock;
    void* handle = cudnnQueryHandle(lock);
    return p.scratchBytes() + choose(handle, p, cap()).workspace;
  }

  std::string tune(Node& node, const std::vector<Dims>& in, const std::vector<Dims>& out, int64_t limit) override {
    if (volume(out[0]) <= 0) return {};
    if (limit >= 0) limit_ = static_cast<size_t>(limit);
    const Plan p = plan(in[0], out[0]);
    if (p.scratchBytes() >= cap()) return {};
    const size_t available = cap() - p.scratchBytes();
    std::vector<Choice> candidates = listed(p, available);
    if (candidates.size() < 2) return {};

    // Scratch buffers of the layer's sizes (contents do not matter for timing).
    auto vol = [](const std::vector<int>& d) {
      int64_t n = 1;
      for (int v : d) n *= v;
      return n;
    };
    const size_t es = dataTypeSize(compute_);
    size_t maxWs = 0;
    for (const Choice& c : candidates) maxWs = std::max(maxWs, c.workspace);
    struct Buffer {
      void* p = nullptr;
      explicit Buffer(size_t bytes) {
        check(cudaMalloc(&p, std::max<size_t>(bytes, 256)), "cudaMalloc (convolution timing)");
        check(cudaMemset(p, 0, std::max<size_t>(bytes, 256)), "cudaMemset (convolution timing)");
      }
      ~Buffer() { cudaFree(p); }
    };
    Buffer x(es * vol(p.xDims)), w(es * vol(p.wDims)), y(es * vol(p.yDims)), bias(es * attrs_.numOutputMaps),
        z(hasResidual_ ? es * vol(p.yDims) : 0), ws(maxWs);
    Operands operands{x.p, w.p, hasBias_ ? bias.p : nullptr, hasResidual_ ? z.p : nullptr, y.p, ws.p};

    struct Stream {
      cudaStream_t s = nullptr;
      cudaEvent_t a = nullptr, b = nullptr;
      Stream() {
        check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreate");
        check(cudaEventCreate(&a), "cudaEventCreate");
        check(cudaEventCreate(&b), "cudaEventCreate");
      }
      ~Stream() {
        cudaEventDestroy(a);
        cudaEventDestroy(b);
        cudaStreamDestroy(s);
      }
    } st;
    std::unique_lock<std::mutex> lock;
    void* handle = cudnnQueryHandle(lock);
    checkCudnn(cudnn().setStream(handle, st.s), "cudnnSetStream");
    struct Unbind {
      void* h;
      ~Unbind() { cudnn().setStream(h, nullptr); }
    } unbind{handle};

    constexpr int kReps = 5, kRounds = 2;
    std::vector<float> best(candidates.size(), std::numeric_limits<float>::infinity());
    std::vector<std::unique_ptr<Prepared>> ready(candidates.size());
    for (size_t c = 0; c < candidates.size(); ++c) {
      auto e = std::make_unique<Prepared>();
      e->plan = p;
      e->choice = candidates[c];
      e->fused = fusable(e->choice.algo);
      describe(*e);
      // Warm-up; a refused algorithm drops out.
      if (!captureStatus([&] { launch(handle, *e, operands, st.s); }).ok() || cudaStreamSynchronize(st.s) != cudaSuccess) {
        cudaGetLastError();
        continue;
      }
      ready[c] = std::move(e);
    }
    for (int round = 0; round < kRounds; ++round)
      for (size_t c = 0; c < candidates.size(); ++c) {
        if (!ready[c]) continue;
        check(cudaEventRecord(st.a, st.s), "cudaEventRecord");
        for (int r = 0; r < kReps; ++r) launch(handle, *ready[c], operands, st.s);
        check(cudaEventRecord(st.b, st.s), "cudaEventRecord");
        check(cudaEventSynchronize(st.b), "cudaEventSynchronize");
        float ms = 0;
        check(cudaEventElapsedTime(&ms, st.a, st.b), "cudaEventElapsedTime");
        best[c] = std::min(best[c], ms / kReps);
      }
    size_t pick = candidates.size();
    std::string line;
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (!ready[c]) continue;
      line += std::string(algoName(candidates[c].algo)) + (candidates[c].mathType == CUDNN_TENSOR_OP_MATH ? "/tc " : " ") +
              std::to_string(best[c]) + " ms; ";
      if (pick == candidates.size() || best[c] < best[pick]) pick = c;
    }
    if (pick == candidates.size()) return {};
    tunedAlgo_ = candidates[pick].algo;
    tunedMath_ = candidates[pick].mathType;
    node.attrs["cudnnAlgo"] = static_cast<int64_t>(tunedAlgo_);
    node.attrs["cudnnMathType"] = static_cast<int64_t>(tunedMath_);
    name_ = std::string("cudnn-") + algoName(tunedAlgo_);
    {
      std::lock_guard<std::mutex> guard(mutex_);
      cache_.clear();
    }
    return line + "chose " + algoName(tunedAlgo_);
  }

  void run(CudaKernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& y = io.out[0];
    if (y.count() <= 0) return;
    cudaStream_t stream = streamOf(io);
    void* handle = io.libs->cudnn(stream);
    const Prepared& e = prepared(handle, x.dims, y.dims, io.workspaceBytes);
    const Plan& p = e.plan;
    TRTN_CHECK(io.workspaceBytes >= p.scratchBytes() + e.choice.workspace, StatusCode::kInternal, "layer '", node_.name,
               "': convolution workspace smaller than planned");
    uint8_t* scratch = static_cast<uint8_t*>(io.workspace);
    Operands o;
    o.x = x.data;
    o.w = io.in.size() > 1 && io.in[1].data ? io.in[1].data : kernelDevice_;
    o.bias = io.in.size() > 2 && io.in[2].data ? io.in[2].data : biasDevice_;
    o.residual = io.in.size() > 3 ? io.in[3].data : nullptr;
    o.y = y.data;
    if (staged_) {
      void* xs = scratch + p.paddedBytes;
      kernels::cast(x.data, x.type, xs, compute_, x.count(), stream);
      o.x = xs;
      o.y = scratch + p.paddedBytes + p.stageInBytes;
    }
    if (p.prePad) {
      kernels::pad(o.x, contiguousView(x.dims), scratch, contiguousView(p.paddedDims), p.pre,
                   static_cast<int>(dataTypeSize(compute_)), stream);
      o.x = scratch;
    }
    o.workspace = e.choice.workspace ? scratch + p.scratchBytes() : nullptr;
    if (!staged_) {
      launch(handle, e, o, stream);
      return;
    }
    // FP32 product; bias and activation in FP32 too (one rounding, as the CPU backend) unless a
    // residual or a bias tensor in the data type joins, which then run after the cast.
    launch(handle, e, o, stream, false);
    const bool biasTensor = io.in.size() > 2 && io.in[2].data;
    if (!o.residual && !biasTensor) {
      epilogue(e.plan, o.y, compute_, biasFloat_, nullptr, stream);
      kernels::cast(o.y, compute_, y.data, y.type, y.count(), stream);
    } else {
      kernels::cast(o.y, compute_, y.data, y.type, y.count(), stream);
      epilogue(e.plan, y.data, type_, o.bias, o.residual, stream);
    }
  }

  const char* implementation() const override { return name_.c_str(); }

 private:
  size_t cap() const { return std::min(kMaxWorkspace, limit_); }

  // Bias + ReLU (+ residual) fuse with every algorithm; bias without an activation only with
  // IMPLICIT_PRECOMP_GEMM (the one cuDNN documents IDENTITY for).
  bool fusable(int algo) const {
    const int act = attrs_.activation.type;
    if (!hasBias_ || staged_) return false;
    return act == kRelu || (act < 0 && algo == kImplicitPrecompGemm);
  }

  // Whether every weight converts to `type` and back unchanged.
  static bool exactIn(const Weights& w, DataType type) {
    std::vector<uint8_t> one(8);
    for (int64_t i = 0; i < w.count; ++i) {
      const double v = loadAsDouble(w.data.get(), w.type, i);
      storeFromDouble(one.data(), type, 0, v);
      const double back = loadAsDouble(one.data(), type, 0);
      if (!(back == v) && !(v != v && back != back)) return false;
    }
    return true;
  }

  // Bias (per output map), activation and residual over y, in place.
  void epilogue(const Plan& p, void* y, DataType type, const void* bias, const void* residual, cudaStream_t stream) const {
    const int act = attrs_.activation.type;
    if (!bias && act < 0 && !residual) return;
    int64_t inner = 1, count = 1;
    for (size_t i = 2; i < p.yDims.size(); ++i) inner *= p.yDims[i];
    for (int v : p.yDims) count *= v;
    kernels::biasActivation(y, y, count, type, bias, attrs_.numOutputMaps, inner, act, attrs_.activation.alpha,
                            attrs_.activation.beta, stream, residual);
  }

  void launch(void* handle, const Prepared& e, const Operands& o, cudaStream_t stream, bool withEpilogue = true) const {
    const Cudnn& api = e.d.api;
    const float one = 1.f, zero = 0.f;
    if (e.fused) {
      const float alpha2 = o.residual ? 1.f : 0.f;
      checkCudnn(api.forwardBiasActivation(handle, &one, e.d.x, o.x, e.d.w, o.w, e.d.conv, e.choice.algo, o.workspace,
                                           e.choice.workspace, &alpha2, e.d.y, o.residual ? o.residual : o.y, e.d.bias,
                                           o.bias, e.d.act, e.d.y, o.y),
                 "cudnnConvolutionBiasActivationForward");
      return;
    }
    checkCudnn(api.forward(handle, &one, e.d.x, o.x, e.d.w, o.w, e.d.conv, e.choice.algo, o.workspace,
                           e.choice.workspace, &zero, e.d.y, o.y),
               "cudnnConvolutionForward");
    if (withEpilogue) epilogue(e.plan, o.y, type_, o.bias, o.residual, stream);
  }

  // The cached state for this shape and workspace, made on first use.
  const Prepared& prepared(void* handle, const Dims& x, const Dims& y, size_t workspaceBytes) const {
    std::lock_guard<std::mutex> guard(mutex_);
    for (const auto& e : cache_)
      if (e->available == workspaceBytes && e->inDims == x) return *e;
    auto e = std::make_unique<Prepared>();
    e->inDims = x;
    e->available = workspaceBytes;
    e->plan = plan(x, y);
    TRTN_CHECK(workspaceBytes >= e->plan.scratchBytes(), StatusCode::kInternal, "layer '", node_.name,
               "': convolution workspace smaller than its padded input");
    e->choice = choose(handle, e->plan, workspaceBytes - e->plan.scratchBytes());
    e->fused = fusable(e->choice.algo);
    describe(*e);
    cache_.push_back(std::move(e));
    return *cache_.back();
  }

  // planning: the workspace is planned at the largest shapes, where SAME and EXPLICIT_ROUND_UP
  // windows may fit without padding while smaller shapes of the profile need it: reserve it then.
  Plan plan(const Dims& x, const Dims& y, bool planning = false) const {
    const int nsp = attrs_.window.nsp;
    Dims spatial(x.end() - nsp, x.end());
    ops::WindowGeometry g = ops::makeWindowGeometry(node_, attrs_.window, ops::WindowOp::kForward, spatial);
    Plan p;
    const int first = nsp == 3 ? 0 : 1;  // cuDNN needs 2 or 3 spatial dims
    const int64_t groups = attrs_.numGroups;
    p.xDims = {static_cast<int>(x[0]), static_cast<int>(x[1])};
    p.wDims = {static_cast<int>(attrs_.numOutputMaps), static_cast<int>(x[1] / groups)};
    p.yDims = {static_cast<int>(y[0]), static_cast<int>(y[1])};
    p.paddedDims = {x[0], x[1]};
    // Trailing padding per axis: as given, unless the last window runs past it (EXPLICIT_ROUND_UP
    // counts such windows; the CPU reads zeros there), then just enough for that window.
    int64_t post[3] = {0, 0, 0};
    for (int a = first; a < 3; ++a) {
      const ops::AxisGeometry& ax = g.axis[a];
      const int64_t eff = (ax.kernel - 1) * ax.dilation + 1, padded = ax.in + ax.pre + ax.post;
      const bool fits = padded >= eff && (padded - eff) / ax.stride + 1 == ax.out;
      post[a] = fits ? ax.post : (ax.out - 1) * ax.stride + eff - ax.in - ax.pre;
      if (ax.pre != post[a]) p.prePad = true;
    }
    for (int a = first; a < 3; ++a) {
      const ops::AxisGeometry& ax = g.axis[a];
      const int64_t padded = ax.in + ax.pre + post[a];
      p.xDims.push_back(static_cast<int>(p.prePad ? padded : ax.in));
      p.paddedDims.push_back(padded);
      p.wDims.push_back(static_cast<int>(ax.kernel));
      p.yDims.push_back(static_cast<int>(ax.out));
      p.pad.push_back(p.prePad ? 0 : static_cast<int>(ax.pre));
      p.stride.push_back(static_cast<int>(ax.stride));
      p.dilation.push_back(static_cast<int>(ax.dilation));
      if (p.prePad) {
        const int64_t eff = (ax.kernel - 1) * ax.dilation + 1;
        if (padded < eff || (padded - eff) / ax.stride + 1 != ax.out)
          fail(StatusCode::kInternal, "layer '", node_.name, "' (CONVOLUTION): the padded input (", padded,
               ") does not give ", ax.out, " outputs along a spatial axis");
      }
    }
    const bool shapeDependent = attrs_.window.paddingMode != ops::PaddingMode::kEXPLICIT_ROUND_DOWN;
    if (p.prePad || (planning && shapeDependent)) {
      // pad() takes the full-rank dims; the leading size-1 axis of a 1-D convolution is not in x.
      Dims full = {x[0], x[1]};
      for (int a = 3 - nsp; a < 3; ++a) full.push_back(g.axis[a].in + g.axis[a].pre + post[a]);
      p.paddedDims = full;
      for (int a = 3 - nsp, i = 2; a < 3; ++a, ++i) p.pre[i] = g.axis[a].pre;
      p.paddedBytes = static_cast<size_t>(alignUp(byteSizeOf(compute_, volume(full)), 256));
    }
    if (staged_) {
      p.stageInBytes = static_cast<size_t>(alignUp(byteSizeOf(compute_, volume(x)), 256));
      p.stageOutBytes = static_cast<size_t>(alignUp(byteSizeOf(compute_, volume(y)), 256));
    }
    return p;
  }

  static std::vector<int> stridesOf(const std::vector<int>& dims) {
    std::vector<int> s(dims.size());
    int acc = 1;
    for (size_t i = dims.size(); i-- > 0;) {
      s[i] = acc;
      acc *= dims[i];
    }
    return s;
  }

  void describeConv(Descriptors& d, const Plan& p, int mathType) const {
    const Cudnn& api = d.api;
    const int type = cudnnTypeOf(compute_);
    const int nd = static_cast<int>(p.xDims.size());
    checkCudnn(api.createTensor(&d.x), "cudnnCreateTensorDescriptor");
    checkCudnn(api.setTensorNd(d.x, type, nd, p.xDims.data(), stridesOf(p.xDims).data()), "cudnnSetTensorNdDescriptor(x)");
    checkCudnn(api.createTensor(&d.y), "cudnnCreateTensorDescriptor");
    checkCudnn(api.setTensorNd(d.y, type, nd, p.yDims.data(), stridesOf(p.yDims).data()), "cudnnSetTensorNdDescriptor(y)");
    checkCudnn(api.createFilter(&d.w), "cudnnCreateFilterDescriptor");
    checkCudnn(api.setFilterNd(d.w, type, CUDNN_TENSOR_NCHW, nd, p.wDims.data()), "cudnnSetFilterNdDescriptor");
    checkCudnn(api.createConv(&d.conv), "cudnnCreateConvolutionDescriptor");
    checkCudnn(api.setConvNd(d.conv, nd - 2, p.pad.data(), p.stride.data(), p.dilation.data(), CUDNN_CROSS_CORRELATION,
                             CUDNN_DATA_FLOAT),
               "cudnnSetConvolutionNdDescriptor");
    checkCudnn(api.setGroupCount(d.conv, static_cast<int>(attrs_.numGroups)), "cudnnSetConvolutionGroupCount");
    checkCudnn(api.setMathType(d.conv, mathType), "cudnnSetConvolutionMathType");
  }

  // Descriptors for e.choice, plus the bias and activation ones when the launch is fused.
  void describe(Prepared& e) const {
    describeConv(e.d, e.plan, e.choice.mathType);
    if (!e.fused) return;
    const Cudnn& api = e.d.api;
    std::vector<int> b(e.plan.yDims.size(), 1);
    b[1] = static_cast<int>(attrs_.numOutputMaps);
    checkCudnn(api.createTensor(&e.d.bias), "cudnnCreateTensorDescriptor");
    checkCudnn(api.setTensorNd(e.d.bias, cudnnTypeOf(type_), static_cast<int>(b.size()), b.data(), stridesOf(b).data()),
               "cudnnSetTensorNdDescriptor(bias)");
    checkCudnn(api.createActivation(&e.d.act), "cudnnCreateActivationDescriptor");
    checkCudnn(api.setActivation(e.d.act, attrs_.activation.type == kRelu ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_IDENTITY,
                                 CUDNN_PROPAGATE_NAN, 0.0),
               "cudnnSetActivationDescriptor");
  }

  // The usable (algorithm, math type) pairs the v7 heuristic lists, best guess first, with the
  // workspace each needs; those needing more than `available` are left out. FP32 keeps FMA math.
  std::vector<Choice> listed(const Plan& p, size_t available) const {
    std::unique_lock<std::mutex> lock;
    void* handle = cudnnQueryHandle(lock);
    const bool fp32 = compute_ == DataType::kFLOAT;
    Descriptors d;
    describeConv(d, p, fp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH);
    CudnnConvPerf perf[16] = {};
    int returned = 0;
    checkCudnn(d.api.getAlgorithmV7(handle, d.x, d.w, d.conv, d.y, 16, &returned, perf),
               "cudnnGetConvolutionForwardAlgorithm_v7");
    std::vector<Choice> out;
    for (int i = 0; i < returned; ++i) {
      const CudnnConvPerf& r = perf[i];
      if (r.status != 0) continue;
      if (fp32 && r.mathType != CUDNN_FMA_MATH && r.mathType != 0) continue;
      Choice c;
      c.algo = r.algo;
      c.mathType = fp32 ? CUDNN_FMA_MATH : r.mathType;
      bool seen = false;
      for (const Choice& o : out) seen = seen || (o.algo == c.algo && o.mathType == c.mathType);
      if (seen) continue;
      Descriptors dc;
      describeConv(dc, p, c.mathType);
      if (dc.api.getWorkspaceSize(handle, dc.x, dc.w, dc.conv, dc.y, c.algo, &c.workspace) != 0) continue;
      if (c.workspace > available) continue;
      out.push_back(c);
    }
    return out;
  }

  // The tuned choice when it fits this geometry and `available`, else the v7 heuristic's first
  // usable algorithm, else IMPLICIT_GEMM (no workspace).
  Choice choose(void* handle, const Plan& p, size_t available) const {
    const bool fp32 = compute_ == DataType::kFLOAT;
    if (tunedAlgo_ >= 0) {
      Choice c;
      c.algo = tunedAlgo_;
      c.mathType = fp32 ? CUDNN_FMA_MATH : (tunedMath_ >= 0 ? tunedMath_ : CUDNN_TENSOR_OP_MATH);
      Descriptors d;
      describeConv(d, p, c.mathType);
      if (d.api.getWorkspaceSize(handle, d.x, d.w, d.conv, d.y, c.algo, &c.workspace) == 0 && c.workspace <= available)
        return c;
    }
    Descriptors d;
    describeConv(d, p, fp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH);
    CudnnConvPerf perf[16] = {};
    int returned = 0;
    checkCudnn(d.api.getAlgorithmV7(handle, d.x, d.w, d.conv, d.y, 16, &returned, perf),
               "cudnnGetConvolutionForwardAlgorithm_v7");
    Choice c;
    bool found = false;
    for (int i = 0; i < returned && !found; ++i) {
      const CudnnConvPerf& r = perf[i];
      if (r.status != 0 || r.memory > available) continue;
      if (fp32 && r.mathType != CUDNN_FMA_MATH && r.mathType != 0) continue;
      c.algo = r.algo;
      c.mathType = fp32 ? CUDNN_FMA_MATH : r.mathType;
      found = true;
    }
    if (!found) {
      c.algo = 0;  // IMPLICIT_GEMM: no workspace
      c.mathType = fp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
    }
    // The workspace the algorithm needs with the math type it will run in.
    Descriptors dc;
    describeConv(dc, p, c.mathType);
    checkCudnn(dc.api.getWorkspaceSize(handle, dc.x, dc.w, dc.conv, dc.y, c.algo, &c.workspace),
               "cudnnGetConvolutionForwardWorkspaceSize");
    if (c.workspace > available) {
      c.algo = 0;
      checkCudnn(dc.api.getWorkspaceSize(handle, dc.x, dc.w, dc.conv, dc.y, 0, &c.workspace),
                 "cudnnGetConvolutionForwardWorkspaceSize");
      if (c.workspace > available)
        fail(StatusCode::kUnsupported, "layer '", node_.name, "' (CONVOLUTION): cuDNN needs ", c.workspace,
             " bytes of workspace but ", available, " were planned");
    }
    return c;
  }

  Node node_;
  ops::ConvAttrs attrs_;
  DataType type_;
  DataType compute_;  // the type cuDNN runs in: type_, or FLOAT when staged_
  bool staged_ = false;
  Weights kernel_, bias_;
  bool hasBias_ = false, hasResidual_ = false;
  int tunedAlgo_ = -1, tunedMath_ = -1;
  std::string name_;
  size_t limit_ = std::numeric_limits<size_t>::max();
  void* kernelDevice_ = nullptr;
  void* biasDevice_ = nullptr;
  void* biasFloat_ = nullptr;  // staged_: the bias weights in FP32
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Prepared>> cache_;
};

}  // namespace

std::unique_ptr<CudaKernel> makeConvolution(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  requireFloat(n, in[0]);
  for (size_t i = 1; i < in.size() && i < 3; ++i)
    if (n.input(i) >= 0 && in[i] != in[0]) unsupported(n, "a kernel or bias input of another type than the data");
  ops::ConvAttrs a = ops::readConvAttrs(n);
  if (a.window.nsp < 1 || a.window.nsp > 3) unsupported(n, "this number of spatial dims");
  return std::make_unique<ConvKernel>(n, in[0]);
}

}  // namespace trtn::cuda
