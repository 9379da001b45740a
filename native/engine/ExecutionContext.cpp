#include "ExecutionContext.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "PoolScope.h"

namespace trtn {

namespace {

// Heap memory for the tensors and scratch a run sizes while it runs (data-dependent shapes, outputs for an output allocator).
std::shared_ptr<void> allocateRunMemory(int64_t bytes, const std::string& what) {
  size_t size = static_cast<size_t>(alignUp(std::max<int64_t>(bytes, 1), kArenaAlignment));
  void* p = std::aligned_alloc(kArenaAlignment, size);
  if (!p) fail(StatusCode::kOutOfMemory, "could not allocate ", size, " bytes for ", what);
  return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
}

}  // namespace

ExecutionContext::ExecutionContext(std::shared_ptr<const Engine> engine, AllocationStrategy strategy)
    : engine_(std::move(engine)), strategy_(strategy) {
  const Graph& g = engine_->graph();
  for (int32_t t : g.inputs) inputDims_.push_back(g.tensors[t].dims);
  address_.assign(engine_->numIOTensors(), nullptr);
  capacity_.assign(engine_->numIOTensors(), 0);
  outputAllocator_.assign(engine_->numIOTensors(), 0);
  lastRunDims_.assign(engine_->numIOTensors(), Dims{});
  shapeValues_.assign(g.inputs.size(), std::nullopt);
  if (engine_->backendState()) {
    // The pool holds the engine, whose backend state allocates.
    std::shared_ptr<const Engine> engine = engine_;
    runMemory_ = std::make_shared<RunMemoryPool>([engine](int64_t bytes) {
      return std::const_pointer_cast<void>(engine->backendState()->allocateActivations(bytes));
    });
  }
  if (strategy_ != AllocationStrategy::kUSER_MANAGED) allocateOwnedMemory();
}

std::shared_ptr<void> RunMemoryPool::acquire(int64_t bytes) {
  bytes = alignUp(std::max<int64_t>(bytes, 1), kArenaAlignment);
  std::lock_guard<std::mutex> lock(mutex_);
  // Best fit among the blocks no run holds (use_count 1: only the pool).
  std::shared_ptr<void>* best = nullptr;
  int64_t bestSize = 0;
  for (auto& [size, block] : blocks_)
    if (size >= bytes && block.use_count() == 1 && (!best || size < bestSize)) {
      best = &block;
      bestSize = size;
    }
  if (best) return *best;
  // Free blocks too small for this request: runs that grow outgrow them.
  blocks_.erase(std::remove_if(blocks_.begin(), blocks_.end(),
                               [&](const auto& b) { return b.first < bytes && b.second.use_count() == 1; }),
                blocks_.end());
  std::shared_ptr<void> block = allocate_(bytes);
  blocks_.emplace_back(bytes, block);
  return block;
}

void ExecutionContext::allocateOwnedMemory(int64_t atLeast) {
  int64_t need = strategy_ == AllocationStrategy::kSTATIC ? engine_->deviceMemorySize() : requiredMemory();
  need = std::max(need, atLeast);
  if (owned_ && memorySize_ >= need) return;
  size_t bytes = static_cast<size_t>(std::max<int64_t>(need, 1));
  bytes = (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
  if (const BackendState* device = engine_->backendState()) {
    // Device memory through the runtime's allocator; the old arena goes when no run holds it.
    owned_.reset();
    memory_ = nullptr;
    owned_ = device->allocateActivations(static_cast<int64_t>(bytes));
    memory_ = static_cast<uint8_t*>(const_cast<void*>(owned_.get()));
    memorySize_ = need;
    return;
  }
  void* p = std::aligned_alloc(kArenaAlignment, bytes);
  if (!p) fail(StatusCode::kOutOfMemory, "could not allocate ", bytes, " bytes of activation memory");
  owned_ = std::shared_ptr<const void>(p, [](const void* q) { std::free(const_cast<void*>(q)); });
  memory_ = static_cast<uint8_t*>(p);
  memorySize_ = need;
}

int32_t ExecutionContext::ioTensorOrThrow(const std::string& name, const char* what) const {
  int32_t idx = engine_->ioIndex(name);
  if (idx < 0) {
    std::string names;
    for (int32_t i = 0; i < engine_->numIOTensors(); ++i)
      names += (i ? ", '" : "'") + engine_->graph().tensors[engine_->ioTensor(i)].name + "'";
    fail(StatusCode::kInvalidArgument, what, ": no input or output tensor is named '", name, "' (the engine has ", names, ")");
  }
  return idx;
}

void ExecutionContext::setOptimizationProfile(int32_t profile) {
  if (profile < 0 || profile >= engine_->numProfiles())
    fail(StatusCode::kInvalidArgument, "optimization profile ", profile, " does not exist; the engine has ",
         engine_->numProfiles());
  profile_ = profile;
  const Graph& g = engine_->graph();
  // As in TensorRT, selecting a profile resets dynamic input shapes.
  for (size_t i = 0; i < g.inputs.size(); ++i) inputDims_[i] = g.tensors[g.inputs[i]].dims;
  resolvedValid_ = false;
  lastRunDims_.assign(lastRunDims_.size(), Dims{});
  ++shapeGeneration_;
  if (strategy_ == AllocationStrategy::kON_PROFILE_CHANGE) {
    owned_.reset();
    memory_ = nullptr;
    allocateOwnedMemory();
  }
}

void ExecutionContext::setInputShape(const std::string& name, const Dims& dims) {
  int32_t idx = ioTensorOrThrow(name, "setInputShape");
  int32_t t = engine_->ioTensor(idx);
  const Graph& g = engine_->graph();
  const TensorDesc& d = g.tensors[t];
  if (!d.isInput) fail(StatusCode::kInvalidArgument, "setInputShape: '", name, "' is an output, not an input");
  if (dims.size() != d.dims.size())
    fail(StatusCode::kInvalidArgument, "setInputShape: '", name, "' has rank ", d.dims.size(), " but ",
         dimsToString(dims), " has rank ", dims.size());
  int32_t in = engine_->inputIndex(t);
  const ProfileShapes& p = engine_->desc().profiles[profile_];
  for (size_t i = 0; i < dims.size(); ++i) {
    if (d.dims[i] >= 0 && dims[i] != d.dims[i])
      fail(StatusCode::kInvalidArgument, "setInputShape: dimension ", i, " of '", name, "' is fixed at ", d.dims[i],
           " but ", dimsToString(dims), " gives ", dims[i]);
    if (dims[i] < p.min[in][i] || dims[i] > p.max[in][i])
      fail(StatusCode::kInvalidArgument, "setInputShape: ", dimsToString(dims), " for '", name,
           "' is outside optimization profile ", profile_, " (MIN ", dimsToString(p.min[in]), ", MAX ",
           dimsToString(p.max[in]), ")");
  }
  if (inputDims_[in] != dims) {
    lastRunDims_.assign(lastRunDims_.size(), Dims{});
    ++shapeGeneration_;
  }
  inputDims_[in] = dims;
  resolvedValid_ = false;
}

bool ExecutionContext::allInputDimensionsSpecified() const {
  for (const Dims& d : inputDims_)
    if (!isFullyKnown(d)) return false;
  return true;
}

std::string ExecutionContext::readShapeValues(const char* what) {
  const Graph& g = engine_->graph();
  const EngineDesc& desc = engine_->desc();
  std::string missing;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    if (!desc.isShapeTensorInput(i)) continue;
    int32_t t = g.inputs[i];
    const TensorDesc& d = g.tensors[t];
    int32_t io = engine_->ioIndex(d.name);
    const uint8_t* data = static_cast<const uint8_t*>(address_[io]);
    if (!data) {
      if (missing.empty()) missing = d.name;
      continue;
    }
    // Shape tensor inputs live in host memory (TensorRT reads them on the host when it resolves
    // shapes); on the CPU backend every buffer is host memory. The values are read each time,
    // since the caller may change them in place between runs.
    const ProfileShapes& p = desc.profiles[profile_];
    int64_t count = volume(p.max[i]);
    int64_t bytes = byteSizeOf(d.type, count);
    if (capacity_[io] < bytes)
      fail(StatusCode::kInvalidArgument, what, ": shape tensor input '", d.name, "' needs ", bytes, " bytes (", count, " ",
           dataTypeName(d.type), " values) but its buffer has ", capacity_[io]);
    std::vector<int64_t> values(static_cast<size_t>(count));
    for (int64_t j = 0; j < count; ++j) values[j] = loadAsInt64(data, d.type, j);
    for (int64_t j = 0; j < count; ++j)
      if (values[j] < p.minValues[i][j] || values[j] > p.maxValues[i][j])
        fail(StatusCode::kInvalidArgument, what, ": shape tensor input '", d.name, "' has values ",
             dimsToString(Dims(values.begin(), values.end())), ", outside optimization profile ", profile_, " (MIN ",
             dimsToString(Dims(p.minValues[i].begin(), p.minValues[i].end())), ", MAX ",
             dimsToString(Dims(p.maxValues[i].begin(), p.maxValues[i].end())), ")");
    if (!shapeValues_[i] || *shapeValues_[i] != values) {
      shapeValues_[i] = std::move(values);
      resolvedValid_ = false;
    }
  }
  return missing;
}

const ShapeState& ExecutionContext::resolvedShapes() {
  if (!resolvedValid_) {
    const Engine& e = *engine_;
    auto shapes = std::make_shared<const ShapeState>(
        trtn::inferShapes(e.graph(), e.desc().order, inputDims_, true, shapeValues_));
    std::shared_ptr<const MemoryPlan> plan;
    if (e.plansMemoryAtRunTime())
      plan = std::make_shared<const MemoryPlan>(planMemoryForShapes(
          e.graph(), e.desc().order, e.desc().roles, *shapes,
          [&e](size_t pos, const std::vector<Dims>& in, const std::vector<Dims>& out) {
            return e.kernelBase(pos).workspaceBytes(in, out);
          }));
    resolved_ = std::move(shapes);
    resolvedPlan_ = std::move(plan);
    resolvedValid_ = true;
  }
  return *resolved_;
}

std::vector<std::string> ExecutionContext::inferShapes() {
  std::vector<std::string> missing;
  const Graph& g = engine_->graph();
  for (size_t i = 0; i < inputDims_.size(); ++i)
    if (!isFullyKnown(inputDims_[i])) missing.push_back(g.tensors[g.inputs[i]].name);
  // As in TensorRT, a shape tensor input whose values are not available yet counts as unset.
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    int32_t t = g.inputs[i];
    if (engine_->desc().isShapeTensorInput(i) && !address_[engine_->ioIndex(g.tensors[t].name)] &&
        std::find(missing.begin(), missing.end(), g.tensors[t].name) == missing.end())
      missing.push_back(g.tensors[t].name);
  }
  if (missing.empty()) {
    readShapeValues("inferShapes");
    resolvedShapes();
  }
  return missing;
}

Dims ExecutionContext::tensorShape(const std::string& name) {
  int32_t idx = ioTensorOrThrow(name, "getTensorShape");
  int32_t t = engine_->ioTensor(idx);
  const Graph& g = engine_->graph();
  if (g.tensors[t].isInput) return inputDims_[engine_->inputIndex(t)];
  if (!allInputDimensionsSpecified()) return Dims(g.tensors[t].dims.size(), -1);
  if (!readShapeValues("getTensorShape").empty()) return Dims(g.tensors[t].dims.size(), -1);
  const ShapeState& shapes = resolvedShapes();
  // Data-dependent dims are -1 until a run has found them.
  if (shapes.dataDependent[t] && !lastRunDims_[idx].empty()) return lastRunDims_[idx];
  return shapes.dims[t];
}

void ExecutionContext::setOutputAllocator(const std::string& name, bool enabled) {
  int32_t idx = ioTensorOrThrow(name, "setOutputAllocator");
  if (engine_->graph().tensors[engine_->ioTensor(idx)].isInput)
    fail(StatusCode::kInvalidArgument, "setOutputAllocator: '", name, "' is an input, not an output");
  outputAllocator_[idx] = enabled ? 1 : 0;
}

bool ExecutionContext::hasOutputAllocator(const std::string& name) const {
  return outputAllocator_[ioTensorOrThrow(name, "getOutputAllocator")] != 0;
}

int64_t ExecutionContext::maxOutputSize(const std::string& name) {
  int32_t idx = ioTensorOrThrow(name, "getMaxOutputSize");
  int32_t t = engine_->ioTensor(idx);
  const Graph& g = engine_->graph();
  if (g.tensors[t].isInput) fail(StatusCode::kInvalidArgument, "getMaxOutputSize: '", name, "' is an input, not an output");
  if (!allInputDimensionsSpecified() || !readShapeValues("getMaxOutputSize").empty()) return -1;
  const ShapeState& shapes = resolvedShapes();
  const ShapeState* st = &shapes;
  ShapeState bounded;
  if (shapes.dataDependent[t]) {
    bounded = trtn::inferShapes(g, engine_->desc().order, inputDims_, true, shapeValues_, /*upperBounds=*/true);
    if (bounded.dataDependent[t]) return -1;
    st = &bounded;
  }
  return byteSizeOf(st->types[t], volume(st->dims[t]));
}

void ExecutionContext::recordOutputShapes(const RunResult& result) {
  // A run enqueued before the input shapes changed says nothing about the new ones.
  if (result.shapeGeneration != shapeGeneration_) return;
  for (const RunOutput& o : result.outputs) {
    int32_t idx = engine_->ioIndex(o.name);
    if (idx >= 0) lastRunDims_[idx] = o.dims;
  }
}

int64_t ExecutionContext::updateDeviceMemorySizeForShapes() {
  if (!engine_->plansMemoryAtRunTime()) return requiredMemory();
  const Graph& g = engine_->graph();
  for (size_t i = 0; i < inputDims_.size(); ++i)
    if (!isFullyKnown(inputDims_[i]))
      fail(StatusCode::kInvalidState, "updateDeviceMemorySizeForShapes: input '", g.tensors[g.inputs[i]].name,
           "' has dynamic dimensions ", dimsToString(inputDims_[i]), "; call setInputShape() first");
  std::string missing = readShapeValues("updateDeviceMemorySizeForShapes");
  if (!missing.empty())
    fail(StatusCode::kInvalidState, "updateDeviceMemorySizeForShapes: shape tensor input '", missing,
         "' has no buffer to read its values from; call setTensorAddress() first");
  resolvedShapes();
  return resolvedPlan_->arenaBytes;
}

void ExecutionContext::setTensorAddress(const std::string& name, void* data, int64_t capacity) {
  int32_t idx = ioTensorOrThrow(name, "setTensorAddress");
  address_[idx] = data;
  capacity_[idx] = data ? capacity : 0;
}

void* ExecutionContext::tensorAddress(const std::string& name) const {
  return address_[ioTensorOrThrow(name, "getTensorAddress")];
}

void ExecutionContext::setDeviceMemory(void* memory, int64_t size) {
  if (strategy_ != AllocationStrategy::kUSER_MANAGED)
    fail(StatusCode::kInvalidState,
         "setDeviceMemoryV2: this context owns its memory (allocation strategy STATIC or ON_PROFILE_CHANGE); "
         "create the context with ExecutionContextAllocationStrategy.USER_MANAGED");
  // With shape tensor inputs the need depends on values that may change until the run, so
  // prepare() checks it against the plan for the run's shapes instead.
  if (memory && !engine_->plansMemoryAtRunTime() && size < requiredMemory())
    fail(StatusCode::kInvalidArgument, "setDeviceMemoryV2: ", size, " bytes is less than the ", requiredMemory(),
         " bytes profile ", profile_, " needs (engine.getDeviceMemorySizeForProfileV2)");
  if (memory && reinterpret_cast<uintptr_t>(memory) % kArenaAlignment != 0)
    fail(StatusCode::kInvalidArgument, "setDeviceMemoryV2: memory must be ", kArenaAlignment, "-byte aligned");
  memory_ = static_cast<uint8_t*>(memory);
  memorySize_ = memory ? size : 0;
}

void* ExecutionContext::snapshotShapeValues(ExecutionSnapshot& snap, int32_t t, int64_t bytes) const {
  // The values the shapes were resolved with, not the caller's buffer: the caller may change it
  // before a worker thread runs the kernels that read it (Reduce axes, Slice start/stride), and
  // those must agree with the dims planned here.
  const std::vector<int64_t>& values = *shapeValues_[engine_->inputIndex(t)];
  const DataType type = snap.shapes().types[t];
  const int64_t count = std::min<int64_t>(bytes / static_cast<int64_t>(dataTypeSize(type)),
                                          static_cast<int64_t>(values.size()));
  auto copy = std::shared_ptr<uint8_t[]>(new uint8_t[static_cast<size_t>(std::max<int64_t>(bytes, 1))]());
  for (int64_t j = 0; j < count; ++j) storeFromInt64(copy.get(), type, j, values[j]);
  snap.holds.push_back(std::shared_ptr<const void>(copy, copy.get()));
  return copy.get();
}

ExecutionSnapshot ExecutionContext::prepare() {
  const Graph& g = engine_->graph();
  for (size_t i = 0; i < inputDims_.size(); ++i)
    if (!isFullyKnown(inputDims_[i]))
      fail(StatusCode::kInvalidState, "input '", g.tensors[g.inputs[i]].name, "' has dynamic dimensions ",
           dimsToString(inputDims_[i]), "; call setInputShape() before enqueueV3()");
  std::string missingValues = readShapeValues("enqueueV3");
  if (!missingValues.empty())
    fail(StatusCode::kInvalidState, "shape tensor input '", missingValues,
         "' has no buffer; call setTensorAddress() before enqueueV3() (its values decide output shapes)");
  if (!memory_)
    fail(StatusCode::kInvalidState,
         "this USER_MANAGED context has no activation memory; call setDeviceMemoryV2() before enqueueV3()");
  if (!engine_->plansMemoryAtRunTime() && memorySize_ < requiredMemory())
    fail(StatusCode::kInvalidState, "activation memory of ", memorySize_, " bytes is less than the ", requiredMemory(),
         " bytes profile ", profile_, " needs");
  ExecutionSnapshot snap;
  snap.engine = engine_;
  snap.runMemory = runMemory_;
  snap.profile = profile_;
  snap.shapeGeneration = shapeGeneration_;
  resolvedShapes();
  if (resolvedPlan_) {
    int64_t need = resolvedPlan_->arenaBytes;
    if (memorySize_ < need) {
      if (strategy_ == AllocationStrategy::kUSER_MANAGED)
        fail(StatusCode::kInvalidState, "activation memory of ", memorySize_, " bytes is less than the ", need,
             " bytes these shapes and shape tensor values need (context.updateDeviceMemorySizeForShapes()); give "
             "the context more with setDeviceMemoryV2()");
      // Owned memory grows to what these shapes need; runs still queued keep the old arena
      // alive through their snapshots.
      allocateOwnedMemory(need);
    }
    snap.plan = resolvedPlan_;
  } else {
    // Aliases the engine, which the snapshot keeps alive anyway.
    snap.plan = std::shared_ptr<const MemoryPlan>(engine_, &engine_->desc().memory[profile_]);
  }
  snap.shapesPtr = resolved_;
  const ShapeState& shapes = *resolved_;
  snap.arena = memory_;
  if (owned_) snap.holds.push_back(owned_);
  snap.tensorData.assign(g.tensors.size(), nullptr);
  const MemoryPlan& plan = *snap.plan;
  for (int32_t i = 0; i < engine_->numIOTensors(); ++i) {
    int32_t t = engine_->ioTensor(i);
    const TensorDesc& d = g.tensors[t];
    if (shapes.dataDependent[t]) {
      // Sized when the run finds its dims (run() checks the buffer then).
      if (snap.capacity.empty()) {
        snap.capacity.assign(g.tensors.size(), 0);
        snap.viaOutputAllocator.assign(g.tensors.size(), 0);
      }
      snap.viaOutputAllocator[t] = outputAllocator_[i];
      snap.capacity[t] = capacity_[i];
      snap.tensorData[t] = address_[i];
      if (!address_[i] && !outputAllocator_[i])
        fail(StatusCode::kInvalidState, "output '", d.name,
             "' has data-dependent dimensions and neither a buffer nor an output allocator; call setTensorAddress() "
             "(with at least getMaxOutputSize() bytes) or setOutputAllocator() before enqueueV3()");
      continue;
    }
    int64_t need = byteSizeOf(shapes.types[t], volume(shapes.dims[t]));
    if (!d.isInput && outputAllocator_[i]) {
      // With an output allocator the run writes to its own memory, handed over afterwards.
      auto memory = runMemory_ ? runMemory_->acquire(need) : allocateRunMemory(need, "output '" + d.name + "'");
      snap.tensorData[t] = memory.get();
      snap.allocatorOutputs.push_back({d.name, shapes.types[t], shapes.dims[t], need, memory});
      snap.holds.push_back(std::move(memory));
      continue;
    }
    if (!address_[i]) {
      if (need == 0) continue;
      fail(StatusCode::kInvalidState, d.isInput ? "input '" : "output '", d.name,
           "' has no buffer; call setTensorAddress() before enqueueV3()");
    }
    if (capacity_[i] < need)
      fail(StatusCode::kInvalidArgument, d.isInput ? "input '" : "output '", d.name, "' needs ", need, " bytes for shape ",
           dimsToString(shapes.dims[t]), " (", dataTypeName(shapes.types[t]), ") but its buffer has ",
           capacity_[i]);
    snap.tensorData[t] = address_[i];
    if (d.isInput && engine_->desc().isShapeTensorInput(static_cast<size_t>(engine_->inputIndex(t))))
      snap.tensorData[t] = snapshotShapeValues(snap, t, need);
  }
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    TensorRole role = engine_->desc().roles[t];
    if (role == TensorRole::kConstant) {
      const Node& c = g.nodes[g.tensors[t].producer];
      const Weights* w = c.getWeights("weights");
      snap.tensorData[t] = w ? w->mutableData() : nullptr;
      if (const BackendState* device = engine_->backendState()) snap.tensorData[t] = device->constantData(static_cast<int32_t>(t));
    } else if (role == TensorRole::kActivation && plan.tensorOffset[t] >= 0) {
      int64_t need = byteSizeOf(shapes.types[t], volume(shapes.dims[t]));
      if (need > plan.tensorBytes[t])
        fail(StatusCode::kUnsupported, "tensor '", g.tensors[t].name, "' needs ", need, " bytes at these shapes but profile ",
             profile_, " planned ", plan.tensorBytes[t], "; its size depends on values beyond the profile's MAX shapes");
      snap.tensorData[t] = memory_ + plan.tensorOffset[t];
    }
  }
  return snap;
}

namespace {

bool isIntegerValueType(DataType t) {
  return t == DataType::kINT32 || t == DataType::kINT64 || t == DataType::kINT8 || t == DataType::kUINT8 ||
         t == DataType::kBOOL;
}

bool isShapeInput(const OpDef& def, size_t input) {
  return std::find(def.shapeInputs.begin(), def.shapeInputs.end(), static_cast<int>(input)) != def.shapeInputs.end();
}

// The CPU backend: kernels run on the calling thread (spreading over the current pool); memory
// sized while running is heap memory owned by the run.
class CpuRunBackend final : public RunBackend {
 public:
  explicit CpuRunBackend(const Engine& engine) : engine_(engine), pool_(currentPool()) {}

  void* allocate(int64_t bytes, const std::string& what) override {
    owned_.push_back(allocateRunMemory(bytes, what));
    return owned_.back().get();
  }
  std::shared_ptr<void> allocateOutput(int64_t bytes, const std::string& what) override {
    return allocateRunMemory(bytes, what);
  }
  void readToHost(void* host, const void* data, int64_t bytes) override {
    if (bytes > 0) std::memcpy(host, data, static_cast<size_t>(bytes));
  }

  void runLayer(LayerRun& layer) override {
    KernelIO io;
    io.pool = &pool_;
    io.in.swap(layer.in);
    io.out.swap(layer.out);
    Status st = captureStatus([&] {
      CpuKernel& k = engine_.kernel(layer.position);
      inDims_.clear();
      outDims_.clear();
      for (const TensorRef& r : io.in) inDims_.push_back(r.dims);
      for (const TensorRef& r : io.out) outDims_.push_back(r.dims);
      const size_t need = k.workspaceBytes(inDims_, outDims_);
      if (need > 0) {
        if (need > layer.workspaceBytes)
          fail(StatusCode::kUnsupported, "layer '", layer.node->name, "' needs ", need,
               " bytes of workspace at these shapes but ", layer.workspaceBytes, " were planned");
        io.workspace = layer.workspace;
        io.workspaceBytes = need;
      }
      if (layer.allocateOutput)
        io.allocateOutput = [&](size_t o, const Dims& dims) {
          void* p = layer.allocateOutput(o, dims);
          io.out[o].dims = dims;
          io.out[o].data = p;
          return p;
        };
      k.run(io);
    });
    io.in.swap(layer.in);
    io.out.swap(layer.out);
    if (!st.ok()) throw EngineError(st.code, st.message);
  }

 private:
  const Engine& engine_;
  ThreadPool& pool_;
  std::vector<std::shared_ptr<void>> owned_;  // run-local tensors and scratch
  std::vector<Dims> inDims_, outDims_;
};

}  // namespace

RunResult runLayers(const ExecutionSnapshot& s, RunBackend& backend) {
  const Engine& e = *s.engine;
  const Graph& g = e.graph();
  const MemoryPlan& plan = *s.plan;
  const auto& order = e.desc().order;
  const ShapeState& planned = s.shapes();
  RunResult result;
  result.shapeGeneration = s.shapeGeneration;
  // Only runs whose shapes depend on tensor values track types, dims and memory as they go.
  const bool dynamic = planned.anyDataDependent();
  std::vector<DataType> foundTypes;
  std::vector<Dims> foundDims;
  std::vector<void*> foundData;
  if (dynamic) {
    foundTypes = planned.types;
    foundDims = planned.dims;
    foundData = s.tensorData;
  }
  const std::vector<DataType>& types = dynamic ? foundTypes : planned.types;
  const std::vector<Dims>& dims = dynamic ? foundDims : planned.dims;
  const std::vector<void*>& data = dynamic ? foundData : s.tensorData;
  std::vector<std::unique_ptr<std::vector<int64_t>>> readValues;  // shape values read from memory

  // Network outputs go into their bound buffer, or memory handed to the output allocator
  // afterwards; other tensors get run memory.
  auto place = [&](int32_t t, DataType type, const Dims& d) -> void* {
    const int64_t bytes = byteSizeOf(type, volume(d));
    const TensorDesc& desc = g.tensors[t];
    if (!desc.isOutput) return backend.allocate(bytes, "tensor '" + desc.name + "'");
    RunOutput out;
    out.name = desc.name;
    out.type = type;
    out.dims = d;
    out.bytes = bytes;
    void* where = nullptr;
    if (s.viaOutputAllocator[t]) {
      std::shared_ptr<void> memory = backend.allocateOutput(bytes, "output '" + desc.name + "'");
      where = memory.get();
      out.data = std::move(memory);
    } else {
      if (s.capacity[t] < bytes)
        fail(StatusCode::kInvalidArgument, "output '", desc.name, "' has data-dependent dimensions ", dimsToString(d),
             " this run, which need ", bytes, " bytes (", dataTypeName(type), ") but its buffer has ", s.capacity[t],
             "; bind at least context.getMaxOutputSize() bytes or use setOutputAllocator()");
      where = s.tensorData[t];
    }
    result.outputs.push_back(std::move(out));
    return where;
  };

  LayerRun layer;  // reused for every layer: its vectors keep their capacity
  std::vector<DataType> inTypes, outTypes;
  std::vector<Dims> inDims, outDims;
  std::vector<const std::vector<int64_t>*> inValues;
  std::vector<uint8_t> deferred, produced;
  for (size_t pos = 0; pos < order.size(); ++pos) {
    const Node& node = g.nodes[order[pos]];
    // Constants are read in place from the engine's weights unless they are network outputs.
    if (node.type == LayerType::kCONSTANT && !g.tensors[node.outputs[0]].isOutput) continue;
    bool dataDependent = false;
    if (dynamic)
      for (int32_t t : node.outputs) dataDependent = dataDependent || planned.dataDependent[t];
    layer.position = pos;
    layer.node = &node;
    layer.in.resize(node.inputs.size());
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const int32_t t = node.inputs[i];
      TensorRef& r = layer.in[i];
      if (t < 0) {
        r = TensorRef{};
        continue;
      }
      r.data = data[t];
      r.type = types[t];
      r.dims = dims[t];
      const auto& v = planned.values[t];
      r.values = v && !planned.dataDependent[t] ? &*v : nullptr;
    }
    layer.out.resize(node.outputs.size());
    layer.allocateOutput = nullptr;
    if (!dataDependent) {
      for (size_t o = 0; o < node.outputs.size(); ++o) {
        const int32_t t = node.outputs[o];
        TensorRef& r = layer.out[o];
        r.data = data[t];
        r.type = types[t];
        r.dims = dims[t];
        r.values = nullptr;
      }
      // Kernels that adapt to their scratch get everything planned for them.
      const int64_t scratch = plan.workspaceBytes[order[pos]];
      layer.workspace = scratch > 0 ? s.arena + plan.workspaceOffset[order[pos]] : nullptr;
      layer.workspaceBytes = scratch > 0 ? static_cast<size_t>(scratch) : 0;
      backend.runLayer(layer);
      continue;
    }

    // A layer whose output dims depend on values computed earlier in this run: inferred from the
    // dims found so far and the values in memory (read to the host where they decide dims).
    const OpDef& def = opDef(node.type);
    const size_t numIn = node.inputs.size();
    inTypes.assign(numIn, DataType::kFLOAT);
    inDims.assign(numIn, Dims{});
    inValues.assign(numIn, nullptr);
    for (size_t i = 0; i < numIn; ++i) {
      const int32_t t = node.inputs[i];
      if (t < 0) continue;
      TensorRef& r = layer.in[i];
      inTypes[i] = r.type;
      inDims[i] = r.dims;
      if (!r.values && isShapeInput(def, i)) {
        const int64_t count = volume(r.dims);
        if (!isIntegerValueType(r.type) || count < 0 || count > kMaxTrackedValueElements)
          fail(StatusCode::kUnsupported, "layer '", node.name, "': input ", i, " ('", g.tensors[t].name,
               "') decides output dimensions, but as a ", dataTypeName(r.type), " tensor of dims ", dimsToString(r.dims),
               " it cannot be read as shape values");
        std::vector<uint8_t> host(static_cast<size_t>(std::max<int64_t>(byteSizeOf(r.type, count), 1)));
        backend.readToHost(host.data(), r.data, byteSizeOf(r.type, count));
        auto values = std::make_unique<std::vector<int64_t>>(static_cast<size_t>(count));
        for (int64_t j = 0; j < count; ++j) (*values)[j] = loadAsInt64(host.data(), r.type, j);
        r.values = values.get();
        readValues.push_back(std::move(values));
      }
      inValues[i] = r.values;
    }
    inferNodeAtRunTime(node, inTypes, inDims, inValues, outTypes, outDims);
    deferred.assign(node.outputs.size(), 0);
    produced.assign(node.outputs.size(), 0);
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      const int32_t t = node.outputs[o];
      TensorRef& r = layer.out[o];
      r.type = outTypes[o];
      r.dims = outDims[o];
      r.values = nullptr;
      r.data = nullptr;
      if (!planned.dataDependent[t]) {
        if (outDims[o] != planned.dims[t])
          fail(StatusCode::kInternal, "layer '", node.name, "' output ", o, " has dims ", dimsToString(outDims[o]),
               " at run time but ", dimsToString(planned.dims[t]), " were planned");
        r.data = s.tensorData[t];
      } else if (isFullyKnown(outDims[o])) {
        r.data = place(t, outTypes[o], outDims[o]);
      } else {
        deferred[o] = 1;  // the kernel sizes it (allocateOutput)
      }
    }
    layer.allocateOutput = [&](size_t o, const Dims& d) -> void* {
      if (o >= deferred.size() || !deferred[o] || produced[o])
        fail(StatusCode::kInternal, "layer '", node.name, "' allocated output ", o, " twice or without data-dependent dims");
      if (!isFullyKnown(d) || d.size() != outDims[o].size())
        fail(StatusCode::kInternal, "layer '", node.name, "' gave output ", o, " dims ", dimsToString(d));
      produced[o] = 1;
      outDims[o] = d;
      return foundData[node.outputs[o]] = place(node.outputs[o], outTypes[o], d);
    };
    const size_t scratch = e.kernelBase(pos).workspaceBytes(inDims, outDims);
    layer.workspace = scratch > 0 ? backend.allocate(static_cast<int64_t>(scratch), "the scratch of layer '" + node.name + "'")
                                  : nullptr;
    layer.workspaceBytes = scratch;
    backend.runLayer(layer);
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      if (deferred[o] && !produced[o]) fail(StatusCode::kInternal, "layer '", node.name, "' did not produce output ", o);
      const int32_t t = node.outputs[o];
      foundTypes[t] = outTypes[o];
      foundDims[t] = outDims[o];
      if (!deferred[o]) foundData[t] = layer.out[o].data;
    }
  }
  result.outputs.insert(result.outputs.end(), s.allocatorOutputs.begin(), s.allocatorOutputs.end());
  return result;
}

RunResult ExecutionContext::run(const ExecutionSnapshot& s) {
  const Engine& e = *s.engine;
  if (e.backend() != BackendKind::kCpu)
    fail(StatusCode::kInternal, "ExecutionContext::run runs CPU engines; this engine is for the ", backendName(e.backend()),
         " backend");
  CpuRunBackend backend(e);
  return runLayers(s, backend);
}

}  // namespace trtn
