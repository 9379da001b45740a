// The CUDA backend's per-engine state (constants and attribute weights in device memory, made
// once through the runtime's GpuAllocator and shared by every context) and the launch loop of a
// run.
#include "CudaEngine.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "../GpuAllocator.h"
#include "CudaLibraries.h"
#include "CudaOpsCommon.h"

namespace trtn {

namespace {

class CudaEngineState final : public BackendState, public DeviceWeights {
 public:
  CudaEngineState(int device, std::shared_ptr<cuda::GpuAllocator> allocator)
      : device_(device), allocator_(std::move(allocator)) {}

  // Device memory through the allocator (cudaMalloc without one); freed when the last holder lets go.
  std::shared_ptr<void> allocate(int64_t bytes, const char* tag) const {
    const uint64_t size = static_cast<uint64_t>(std::max<int64_t>(bytes, 1));
    cuda::DeviceGuard guard(device_);
    if (allocator_) {
      void* p = allocator_->allocate(size, 256, 0, tag);
      if (!p)
        fail(StatusCode::kOutOfMemory, "the GPU allocator (", allocator_->name(), ") refused ", size, " bytes for ", tag,
             ": ", cuda::GpuAllocator::lastRefusal());
      auto alloc = allocator_;
      return std::shared_ptr<void>(p, [alloc](void* q) { alloc->deallocate(q); });
    }
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, size);
    if (err != cudaSuccess) {
      Status s = cuda::statusOf(err, "cudaMalloc");
      fail(err == cudaErrorMemoryAllocation ? StatusCode::kOutOfMemory : s.code, "could not allocate ", size,
           " bytes of device memory for ", tag, ": ", s.message);
    }
    return std::shared_ptr<void>(p, [](void* q) { cudaFree(q); });
  }

  std::shared_ptr<const void> allocateActivations(int64_t bytes) const override {
    return allocate(bytes, "activations");
  }

  void* constantData(int32_t tensor) const override {
    return static_cast<size_t>(tensor) < constants_.size() ? constants_[tensor] : nullptr;
  }

  void* upload(const Weights& w, DataType as) override {
    if (w.empty()) return nullptr;
    const void* src = w.data.get();
    std::vector<uint8_t> converted;
    if (w.type != as) {
      converted.resize(static_cast<size_t>(byteSizeOf(as, w.count)));
      for (int64_t i = 0; i < w.count; ++i) storeFromDouble(converted.data(), as, i, loadAsDouble(src, w.type, i));
      src = converted.data();
    }
    const int64_t bytes = byteSizeOf(as, w.count);
    std::shared_ptr<void> memory = allocate(bytes, "weights");
    cuda::DeviceGuard guard(device_);
    cuda::check(cudaMemcpy(memory.get(), src, static_cast<size_t>(bytes), cudaMemcpyHostToDevice), "cudaMemcpy (weights)");
    owned_.push_back(memory);
    return memory.get();
  }

  void uploadConstants(const Engine& e) {
    const Graph& g = e.graph();
    constants_.assign(g.tensors.size(), nullptr);
    for (size_t t = 0; t < g.tensors.size(); ++t) {
      // Constants marked as network outputs too: their run copies them into the output.
      const int32_t p = g.tensors[t].producer;
      if (p < 0 || g.nodes[p].type != LayerType::kCONSTANT) continue;
      const Weights* w = g.nodes[p].getWeights("weights");
      if (w) constants_[t] = upload(*w, w->type);
    }
  }

  int device() const { return device_; }

 private:
  int device_;
  std::shared_ptr<cuda::GpuAllocator> allocator_;
  std::vector<void*> constants_;
  std::vector<std::shared_ptr<void>> owned_;
};

}  // namespace

std::unique_ptr<BackendState> createCudaBackendState(const Engine& engine, const EngineOptions& options) {
  cuda::requireDevice();
  auto allocator = std::static_pointer_cast<cuda::GpuAllocator>(options.gpuAllocator);
  const int device = allocator ? allocator->device() : cuda::currentDevice();
  auto state = std::make_unique<CudaEngineState>(device, std::move(allocator));
  state->uploadConstants(engine);
  for (size_t pos = 0; pos < engine.desc().order.size(); ++pos) engine.cudaKernel(pos).uploadWeights(*state);
  return state;
}

namespace cuda {

namespace {

// Input `k` of `node` is a shape tensor input that its kernel reads as data, not only as values:
// such inputs live in host memory (TensorRT's kHOST), so the run copies them to device memory.
bool readsShapeInputAsData(const Engine& e, const Node& node, size_t k) {
  const int32_t t = node.inputs[k];
  if (t < 0 || !e.graph().tensors[t].isInput || !e.isShapeInferenceIO(t)) return false;
  const std::vector<int>& valuesOnly = opDef(node.type).shapeInputs;
  return std::find(valuesOnly.begin(), valuesOnly.end(), static_cast<int>(k)) == valuesOnly.end();
}

// The cuda backend of the shared run loop (runLayers): kernels are launched on a stream. Runs
// that may synchronize the host (hostSync) also get memory sized while they run, from the
// context's pool, and reads of device values on the host; other runs never wait, so that they can
// be captured into CUDA graphs.
class CudaRunBackend final : public RunBackend {
 public:
  CudaRunBackend(const ExecutionSnapshot& s, cudaStream_t stream, CudaLibraries& libs, bool hostSync)
      : s_(s), stream_(stream), hostSync_(hostSync) {
    io_.stream = stream;
    io_.libs = &libs;
    if (hostSync) {
      io_.allocate = [this](int64_t bytes, const char* what) { return allocate(bytes, what); };
      io_.readToHost = [this](void* host, const void* device, int64_t bytes) { readToHost(host, device, bytes); };
    }
  }

  void* allocate(int64_t bytes, const std::string& what) override {
    if (!hostSync_ || !s_.runMemory)
      fail(StatusCode::kInternal, "the run needs memory for ", what, " while it runs, but was launched without host synchronization");
    holds_.push_back(s_.runMemory->acquire(bytes));
    return holds_.back().get();
  }

  std::shared_ptr<void> allocateOutput(int64_t bytes, const std::string& what) override {
    void* p = allocate(bytes, what);
    return std::shared_ptr<void>(holds_.back(), p);
  }

  void readToHost(void* host, const void* data, int64_t bytes) override {
    if (!hostSync_) fail(StatusCode::kInternal, "the run reads device values on the host, but was launched without host synchronization");
    if (bytes <= 0) return;
    check(cudaMemcpyAsync(host, data, static_cast<size_t>(bytes), cudaMemcpyDeviceToHost, stream_), "cudaMemcpyAsync");
    check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }

  void runLayer(LayerRun& layer) override {
    const Engine& e = *s_.engine;
    const Node& node = *layer.node;
    if (node.type == LayerType::kCONSTANT) {
      // Only constants that are network outputs run: copied from the engine's device copy.
      const int32_t t = node.outputs[0];
      const void* source = e.backendState()->constantData(t);
      const TensorRef& out = layer.out[0];
      if (out.data && source) copyDevice(out.data, source, byteSizeOf(out.type, volume(out.dims)), stream_);
      return;
    }
    if (e.desc().hasShapeTensorInputs())
      for (size_t k = 0; k < node.inputs.size(); ++k)
        if (readsShapeInputAsData(e, node, k)) layer.in[k].data = shapeInputOnDevice(node.inputs[k], layer.in[k]);
    io_.in.swap(layer.in);
    io_.out.swap(layer.out);
    io_.workspace = layer.workspace;
    io_.workspaceBytes = layer.workspaceBytes;
    if (layer.allocateOutput)
      io_.allocateOutput = [this, &layer](size_t o, const Dims& dims) {
        void* p = layer.allocateOutput(o, dims);
        io_.out[o].dims = dims;
        io_.out[o].data = p;
        return p;
      };
    else
      io_.allocateOutput = nullptr;
    Status st = captureStatus([&] { e.cudaKernel(layer.position).run(io_); });
    io_.in.swap(layer.in);
    io_.out.swap(layer.out);
    if (!st.ok()) {
      if (st.message.find("layer '") != std::string::npos) throw EngineError(st.code, st.message);
      fail(st.code, "layer '", node.name, "' (", layerTypeName(node.type), "): ", st.message);
    }
  }

  std::vector<std::shared_ptr<void>>& holds() { return holds_; }

 private:
  // A device copy of shape tensor input `t` (host memory), made once per run in run memory.
  void* shapeInputOnDevice(int32_t t, const TensorRef& host) {
    for (const auto& [tensor, copy] : shapeInputCopies_)
      if (tensor == t) return copy;
    const int64_t bytes = byteSizeOf(host.type, volume(host.dims));
    void* copy = allocate(std::max<int64_t>(bytes, 1), "a device copy of shape tensor input '" + s_.engine->graph().tensors[t].name + "'");
    // The snapshot's host copy stays alive until the run's work has completed.
    if (bytes > 0)
      check(cudaMemcpyAsync(copy, host.data, static_cast<size_t>(bytes), cudaMemcpyHostToDevice, stream_), "cudaMemcpyAsync");
    shapeInputCopies_.emplace_back(t, copy);
    return copy;
  }

  const ExecutionSnapshot& s_;
  cudaStream_t stream_;
  bool hostSync_;
  CudaKernelIO io_;  // reused for every layer: its vectors keep their capacity
  std::vector<std::shared_ptr<void>> holds_;
  std::vector<std::pair<int32_t, void*>> shapeInputCopies_;
};

// Launches every layer of a run that never waits for the GPU.
void launchLayers(const ExecutionSnapshot& s, cudaStream_t stream, CudaLibraries& libs) {
  DeviceGuard guard(libs.device);
  CudaRunBackend backend(s, stream, libs, false);
  runLayers(s, backend);
}

}  // namespace

bool needsHostSync(const ExecutionSnapshot& s) {
  const ShapeState& shapes = s.shapes();
  if (shapes.anyDataDependent()) return true;
  const Engine& e = *s.engine;
  const Graph& g = e.graph();
  const auto& order = e.desc().order;
  // Shape tensor inputs read as data are copied to run memory, which only such runs have.
  if (e.desc().hasShapeTensorInputs())
    for (size_t pos = 0; pos < order.size(); ++pos) {
      const Node& node = g.nodes[order[pos]];
      if (node.type == LayerType::kCONSTANT) continue;
      for (size_t k = 0; k < node.inputs.size(); ++k)
        if (readsShapeInputAsData(e, node, k)) return true;
    }
  std::vector<TensorRef> in;
  for (size_t pos = 0; pos < order.size(); ++pos) {
    const Node& node = g.nodes[order[pos]];
    // The only kernels that may read values on the host: a loop's trip count or condition, a
    // CUMULATIVE axis computed while running.
    if (node.type != LayerType::kLOOP && node.type != LayerType::kCUMULATIVE) continue;
    in.assign(node.inputs.size(), TensorRef{});
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      const int32_t t = node.inputs[k];
      if (t < 0) continue;
      in[k].data = s.tensorData[t];
      in[k].type = shapes.types[t];
      in[k].dims = shapes.dims[t];
      const auto& v = shapes.values[t];
      in[k].values = v ? &*v : nullptr;
    }
    if (e.cudaKernel(pos).needsHostSync(in)) return true;
  }
  return false;
}

RunResult runWithHostSync(const ExecutionSnapshot& s, cudaStream_t stream, CudaLibraries& libs,
                          std::vector<std::shared_ptr<void>>& holds) {
  DeviceGuard guard(libs.device);
  CudaRunBackend backend(s, stream, libs, true);
  Status st;
  RunResult result;
  st = captureStatus([&] { result = runLayers(s, backend); });
  // Memory of work already queued stays held even when a later launch failed.
  holds.insert(holds.end(), backend.holds().begin(), backend.holds().end());
  if (!st.ok()) throw EngineError(st.code, st.message);
  return result;
}

bool graphsEnabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("TRTN_CUDA_GRAPHS");
    return !(v && std::string(v) == "0");
  }();
  return enabled;
}

// What a captured graph depends on: the engine and plan, the arena and every tensor's address,
// type and dims. Kernels read nothing else that can change between runs (networks with shape
// tensor inputs, whose values kernels read, are never captured).
std::vector<int64_t> graphKeyOf(const ExecutionSnapshot& s) {
  const ShapeState& shapes = s.shapes();
  std::vector<int64_t> key;
  key.reserve(8 + s.tensorData.size() * 6);
  key.push_back(reinterpret_cast<intptr_t>(s.engine.get()));
  key.push_back(reinterpret_cast<intptr_t>(s.plan.get()));
  key.push_back(reinterpret_cast<intptr_t>(s.arena));
  for (size_t t = 0; t < s.tensorData.size(); ++t) {
    key.push_back(reinterpret_cast<intptr_t>(s.tensorData[t]));
    key.push_back(static_cast<int64_t>(shapes.types[t]));
    key.push_back(static_cast<int64_t>(shapes.dims[t].size()));
    key.insert(key.end(), shapes.dims[t].begin(), shapes.dims[t].end());
  }
  return key;
}

// Per-layer launches cost the host tens of microseconds each (cuDNN's legacy calls most), which
// leaves the GPU idle at small batches. A context that repeats a run (same key) has it captured
// into a CUDA graph on the second run and replayed from then on: one launch per run. The first
// run with a key always goes layer by layer (it also makes library handles and descriptors,
// which must not happen inside a capture); a failed capture falls back to that for good.
// TRTN_CUDA_GRAPHS=0 turns replay off.
void enqueueRun(const ExecutionSnapshot& s, cudaStream_t stream, CudaLibraries& libs) {
  if (!graphsEnabled() || s.engine->desc().hasShapeTensorInputs() || libs.graphRefused) {
    launchLayers(s, stream, libs);
    return;
  }
  cudaStreamCaptureStatus capturing = cudaStreamCaptureStatusNone;
  check(cudaStreamIsCapturing(stream, &capturing), "cudaStreamIsCapturing");
  if (capturing != cudaStreamCaptureStatusNone) {  // the caller is capturing: record the layers into its graph
    launchLayers(s, stream, libs);
    return;
  }
  std::vector<int64_t> key = graphKeyOf(s);
  DeviceGuard guard(libs.device);
  if (libs.graph && key == libs.graphKey) {
    check(cudaGraphLaunch(libs.graph, stream), "cudaGraphLaunch");
    return;
  }
  if (key != libs.pendingKey) {
    libs.pendingKey = std::move(key);
    launchLayers(s, stream, libs);
    return;
  }
  check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
  Status launched = captureStatus([&] { launchLayers(s, stream, libs); });
  cudaGraph_t graph = nullptr;
  const cudaError_t ended = cudaStreamEndCapture(stream, &graph);
  cudaGraphExec_t exec = nullptr;
  const bool ok = launched.ok() && ended == cudaSuccess && graph &&
                  cudaGraphInstantiateWithFlags(&exec, graph, 0) == cudaSuccess;
  if (graph) cudaGraphDestroy(graph);
  if (!ok) {
    cudaGetLastError();  // clear the capture's error; the layers run (and report) directly
    if (exec) cudaGraphExecDestroy(exec);
    libs.graphRefused = true;
    launchLayers(s, stream, libs);
    return;
  }
  if (libs.graph) cudaGraphExecDestroy(libs.graph);
  libs.graph = exec;
  libs.graphKey = std::move(libs.pendingKey);
  libs.pendingKey.clear();
  check(cudaGraphLaunch(libs.graph, stream), "cudaGraphLaunch");
}

}  // namespace cuda
}  // namespace trtn
