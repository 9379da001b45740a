// NON_ZERO and NMS: a first launch finds the output's row count on the device, the host reads it
// (CudaKernelIO::readToHost waits for the stream), sizes the output (allocateOutput) and a second
// launch writes the rows. LOOP: ops/Loop.cpp's loop::Runner with the body's CUDA kernels, body
// memory from the planned workspace (or, in runs with host synchronization, run memory) and the
// loop's copies queued on the stream.
#include "CudaDataDependentOps.h"

#include <climits>

#include "../../engine/ops/Loop.h"
#include "CudaDataDependentKernels.h"
#include "CudaOpsCommon.h"

namespace trtn::cuda {

namespace {

void requireHostSync(const CudaKernelIO& io, const char* layer) {
  if (!io.readToHost || !io.allocate)
    fail(StatusCode::kInternal, layer, " reads values on the host, but the run was launched without host synchronization");
}

int64_t scalarInt(const CudaKernelIO& io, const TensorRef& t) {
  if (t.values) return t.values->at(0);
  int64_t host = 0;
  io.readToHost(&host, t.data, byteSizeOf(t.type, 1));
  return loadAsInt64(&host, t.type, 0);
}

float scalarFloat(const CudaKernelIO& io, const TensorRef& t) {
  float host = 0;
  io.readToHost(&host, t.data, sizeof(float));
  return host;
}

DataType indicesTypeOf(const Node& n, DataType fallback) {
  return static_cast<DataType>(n.getInt("indicesType", static_cast<int64_t>(fallback)));
}

// ---- NON_ZERO ------------------------------------------------------------------------------

class NonZeroKernel : public CudaKernel {
 public:
  explicit NonZeroKernel(const Node& n) : indexType_(indicesTypeOf(n, DataType::kINT64)) {}

  size_t workspaceBytes(const std::vector<Dims>& inDims, const std::vector<Dims>&) const override {
    const int64_t n = volume(inDims.at(0));
    return n > 0 ? kernels::nonZeroScratchBytes(n) : 0;
  }

  void run(CudaKernelIO& io) override {
    const TensorRef& in = io.in[0];
    const int64_t n = in.count();
    const int64_t rank = static_cast<int64_t>(in.dims.size());
    if (io.out[0].data || n == 0) {  // nothing can be non-zero: [rank, 0] was known from shapes
      if (!io.out[0].data && io.allocateOutput) io.allocateOutput(0, Dims{rank, 0});
      return;
    }
    requireHostSync(io, "NonZero");
    kernels::nonZeroCount(in.data, in.type, n, io.workspace, io.workspaceBytes, streamOf(io));
    int64_t found = 0;
    io.readToHost(&found, kernels::nonZeroFound(io.workspace, n), sizeof(found));
    void* out = io.allocateOutput(0, Dims{rank, found});
    kernels::nonZeroWrite(in.data, in.type, contiguousView(in.dims), io.workspace, found, out, indexType_, streamOf(io));
  }
  const char* implementation() const override { return "cuda-non-zero"; }

 private:
  DataType indexType_;
};

// ---- NMS -----------------------------------------------------------------------------------

constexpr int64_t kCenterSizes = 1;
constexpr int64_t kDefaultTopKBoxLimit = 5000;

class NmsKernel : public CudaKernel {
 public:
  explicit NmsKernel(const Node& n)
      : centerSizes_(n.getInt("boundingBoxFormat", 0) == kCenterSizes),
        topK_(n.getInt("topKBoxLimit", kDefaultTopKBoxLimit)),
        indexType_(indicesTypeOf(n, DataType::kINT32)) {}

  size_t workspaceBytes(const std::vector<Dims>& inDims, const std::vector<Dims>&) const override {
    return kernels::nmsScratchBytes(shapeOf(inDims[0], inDims[1]));
  }

  void run(CudaKernelIO& io) override {
    requireHostSync(io, "NMS");
    const TensorRef& boxes = io.in[0];
    const TensorRef& scores = io.in[1];
    const kernels::NmsShape s = shapeOf(boxes.dims, scores.dims);
    const int64_t maxPerClass = std::max<int64_t>(scalarInt(io, io.in[2]), 0);
    const float iouThreshold = io.in.size() > 3 && io.in[3].data ? scalarFloat(io, io.in[3]) : 0.f;
    const float scoreThreshold = io.in.size() > 4 && io.in[4].data ? scalarFloat(io, io.in[4]) : 0.f;
    kernels::nmsSelect(s, boxes.data, scores.data, boxes.type, maxPerClass, iouThreshold, scoreThreshold, io.workspace,
                       io.workspaceBytes, io.out[1].data, streamOf(io));
    int64_t found = 0;
    io.readToHost(&found, kernels::nmsFound(io.workspace, s), sizeof(found));
    void* out = io.out[0].data ? io.out[0].data : io.allocateOutput(0, Dims{found, 3});
    kernels::nmsWrite(s, io.workspace, out, indexType_, streamOf(io));
  }
  const char* implementation() const override { return "cuda-nms"; }

 private:
  kernels::NmsShape shapeOf(const Dims& boxes, const Dims& scores) const {
    kernels::NmsShape s;
    s.batch = scores.at(0);
    s.boxes = scores.at(1);
    s.classes = scores.at(2);
    s.topK = topK_;
    s.boxesPerClass = boxes.size() == 4;
    s.centerSizes = centerSizes_;
    return s;
  }

  bool centerSizes_;
  int64_t topK_;
  DataType indexType_;
};

// ---- LOOP ----------------------------------------------------------------------------------

// loop::Device on the stream of the run.
class StreamDevice final : public loop::Device {
 public:
  StreamDevice(const loop::Runner& runner, const CudaKernelIO& io, const std::vector<void*>& constants)
      : runner_(runner), io_(io), constants_(constants) {}

  void* allocate(int64_t bytes) override {
    if (io_.allocate) return io_.allocate(bytes, "a loop body");
    // Launched without host synchronization: the body lives in the planned workspace
    // (workspaceBytes asked for exactly what run() allocates).
    const int64_t size = alignUp(std::max<int64_t>(bytes, 1), kArenaAlignment);
    if (used_ + size > static_cast<int64_t>(io_.workspaceBytes))
      fail(StatusCode::kInternal, "a loop body needs more memory than its workspace of ", io_.workspaceBytes, " bytes");
    void* p = static_cast<uint8_t*>(io_.workspace) + used_;
    used_ += size;
    return p;
  }
  void copy(void* dst, const void* src, int64_t bytes) override { copyDevice(dst, src, bytes, streamOf(io_)); }
  void copyRows(void* dst, int64_t dstStride, const void* src, int64_t srcStride, int64_t rows, int64_t rowBytes) override {
    if (rows <= 0 || rowBytes <= 0) return;
    if (rows == 1) return copy(dst, src, rowBytes);
    if (dstStride < INT_MAX && srcStride < INT_MAX) {
      check(cudaMemcpy2DAsync(dst, static_cast<size_t>(dstStride), src, static_cast<size_t>(srcStride),
                              static_cast<size_t>(rowBytes), static_cast<size_t>(rows), cudaMemcpyDefault, streamOf(io_)),
            "cudaMemcpy2DAsync");
      return;
    }
    for (int64_t r = 0; r < rows; ++r)
      copy(static_cast<uint8_t*>(dst) + r * dstStride, static_cast<const uint8_t*>(src) + r * srcStride, rowBytes);
  }
  void zero(void* dst, int64_t bytes) override {
    if (bytes > 0) check(cudaMemsetAsync(dst, 0, static_cast<size_t>(bytes), streamOf(io_)), "cudaMemsetAsync");
  }
  void readToHost(void* host, const void* src, int64_t bytes) override {
    if (!io_.readToHost)
      fail(StatusCode::kInternal, "a loop reads values on the host, but the run was launched without host synchronization");
    io_.readToHost(host, src, bytes);
  }
  void runLayer(size_t position, std::vector<TensorRef>& in, std::vector<TensorRef>& out, void* workspace,
                size_t workspaceBytes) override {
    const Node& node = runner_.layer(position);
    if (node.type == LayerType::kCONSTANT) {  // a body output: copied from the device copy
      const TensorRef& o = out[0];
      const void* source = constants_[node.outputs[0]];
      if (o.data && source) copyDevice(o.data, source, byteSizeOf(o.type, o.count()), streamOf(io_));
      return;
    }
    CudaKernelIO k;
    k.stream = io_.stream;
    k.libs = io_.libs;
    k.allocate = io_.allocate;
    k.readToHost = io_.readToHost;
    k.in.swap(in);
    k.out.swap(out);
    k.workspace = workspace;
    k.workspaceBytes = workspaceBytes;
    Status st = captureStatus([&] { static_cast<CudaKernel&>(runner_.kernel(position)).run(k); });
    k.in.swap(in);
    k.out.swap(out);
    if (!st.ok()) {
      if (st.message.find("layer '") != std::string::npos) throw EngineError(st.code, st.message);
      fail(st.code, "layer '", node.name, "' (", layerTypeName(node.type), "): ", st.message);
    }
  }
  void* constantData(int32_t tensor) override { return constants_.at(static_cast<size_t>(tensor)); }

 private:
  const loop::Runner& runner_;
  const CudaKernelIO& io_;
  const std::vector<void*>& constants_;
  int64_t used_ = 0;
};

class LoopKernel : public CudaKernel {
 public:
  explicit LoopKernel(const Node& n) : runner_(n, BackendKind::kCuda) {
    for (size_t pos = 0; pos < runner_.numLayers(); ++pos)
      nested_ = nested_ || runner_.layer(pos).type == LayerType::kLOOP;
  }

  size_t workspaceBytes(const std::vector<Dims>& inDims, const std::vector<Dims>&) const override {
    const int64_t bytes = runner_.memoryBytes(inDims);
    return bytes > 0 ? static_cast<size_t>(bytes) : 0;
  }

  bool needsHostSync(const std::vector<TensorRef>& in) const override {
    // Nested loops are not asked separately: runs with them synchronize to be safe.
    if (nested_ || runner_.needsHostValues(in)) return true;
    std::vector<Dims> dims;
    for (const TensorRef& r : in) dims.push_back(r.dims);
    return runner_.memoryBytes(dims) < 0;
  }

  void uploadWeights(DeviceWeights& to) override {
    const Graph& b = runner_.body();
    constants_.assign(b.tensors.size(), nullptr);
    for (size_t t = 0; t < b.tensors.size(); ++t) {
      const int32_t p = b.tensors[t].producer;
      if (p < 0 || b.nodes[p].type != LayerType::kCONSTANT) continue;
      if (const Weights* w = b.nodes[p].getWeights("weights")) constants_[t] = to.upload(*w, w->type);
    }
    for (size_t pos = 0; pos < runner_.numLayers(); ++pos) static_cast<CudaKernel&>(runner_.kernel(pos)).uploadWeights(to);
  }

  void run(CudaKernelIO& io) override {
    StreamDevice device(runner_, io, constants_);
    runner_.run(io.in, io.out, device);
  }
  const char* implementation() const override { return "cuda-loop"; }

 private:
  loop::Runner runner_;
  std::vector<void*> constants_;  // per body tensor: the device copy of a constant
  bool nested_ = false;
};

}  // namespace

std::unique_ptr<CudaKernel> makeNonZero(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  const DataType t = in.at(0);
  if (!isSupportedDataType(t) || isNarrowFloatType(t))
    fail(StatusCode::kUnsupported, "layer '", n.name, "' (NonZero): the cuda backend does not support ", dataTypeName(t),
         " inputs");
  return std::make_unique<NonZeroKernel>(n);
}

std::unique_ptr<CudaKernel> makeNms(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>&) {
  const DataType t = in.at(0);
  if (t != DataType::kFLOAT && t != DataType::kHALF && t != DataType::kBF16)
    fail(StatusCode::kUnsupported, "layer '", n.name, "' (NMS): the cuda backend does not support ", dataTypeName(t), " boxes");
  return std::make_unique<NmsKernel>(n);
}

std::unique_ptr<CudaKernel> makeLoop(const Node& n, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<LoopKernel>(n);
}

}  // namespace trtn::cuda
