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
  if (strategy_ != AllocationStrategy::kUSER_MANAGED) allocateOwnedMemory();
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
    if (!d.isInput && outputAllocator_[i] && engine_->backendState())
      fail(StatusCode::kUnsupported, "output '", d.name, "' has an output allocator, which the ", backendName(engine_->backend()),
           " backend does not support yet; bind a buffer with setTensorAddress() instead");
    if (!d.isInput && outputAllocator_[i]) {
      // With an output allocator the run writes to its own memory, handed over afterwards.
      auto memory = allocateRunMemory(need, "output '" + d.name + "'");
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

// The run-time state of tensors with data-dependent dims: their dims as found, their memory.
struct DynamicState {
  std::vector<DataType> types;
  std::vector<Dims> dims;
  std::vector<void*> data;
  std::vector<std::shared_ptr<void>> owned;           // run-local tensors and scratch
  std::vector<std::unique_ptr<std::vector<int64_t>>> values;  // shape values read from memory
};

// Runs a layer whose output dims depend on values computed earlier in this run: infers it from
// the dims found so far and the values in memory, gives its outputs memory, and runs it.
void runDataDependentLayer(const ExecutionSnapshot& s, size_t pos, DynamicState& st, RunResult& result) {
  const Engine& e = *s.engine;
  const Graph& g = e.graph();
  const Node& node = g.nodes[e.desc().order[pos]];
  const OpDef& def = opDef(node.type);
  const ShapeState& planned = s.shapes();
  const size_t numIn = node.inputs.size();
  std::vector<DataType> inTypes(numIn, DataType::kFLOAT);
  std::vector<Dims> inDims(numIn);
  std::vector<const std::vector<int64_t>*> inValues(numIn, nullptr);
  for (size_t i = 0; i < numIn; ++i) {
    int32_t t = node.inputs[i];
    if (t < 0) continue;
    inTypes[i] = st.types[t];
    inDims[i] = st.dims[t];
    if (!planned.dataDependent[t] && planned.values[t]) {
      inValues[i] = &*planned.values[t];
      continue;
    }
    bool shapeInput = std::find(def.shapeInputs.begin(), def.shapeInputs.end(), static_cast<int>(i)) != def.shapeInputs.end();
    if (!shapeInput) continue;
    const int64_t count = volume(inDims[i]);
    if (!isIntegerValueType(inTypes[i]) || count < 0 || count > kMaxTrackedValueElements)
      fail(StatusCode::kUnsupported, "layer '", node.name, "': input ", i, " ('", g.tensors[t].name,
           "') decides output dimensions, but as a ", dataTypeName(inTypes[i]), " tensor of dims ", dimsToString(inDims[i]),
           " it cannot be read as shape values");
    auto values = std::make_unique<std::vector<int64_t>>(static_cast<size_t>(count));
    for (int64_t j = 0; j < count; ++j) (*values)[j] = loadAsInt64(st.data[t], inTypes[i], j);
    inValues[i] = values.get();
    st.values.push_back(std::move(values));
  }
  std::vector<DataType> outTypes;
  std::vector<Dims> outDims;
  inferNodeAtRunTime(node, inTypes, inDims, inValues, outTypes, outDims);

  // Network outputs go into their bound buffer, or run-owned memory handed to the output
  // allocator afterwards; other tensors get run-owned memory.
  auto place = [&](int32_t t, DataType type, const Dims& dims) -> void* {
    int64_t bytes = byteSizeOf(type, volume(dims));
    const TensorDesc& d = g.tensors[t];
    if (!d.isOutput) {
      st.owned.push_back(allocateRunMemory(bytes, "tensor '" + d.name + "'"));
      return st.owned.back().get();
    }
    RunOutput out;
    out.name = d.name;
    out.type = type;
    out.dims = dims;
    out.bytes = bytes;
    void* where = nullptr;
    if (s.viaOutputAllocator[t]) {
      auto memory = allocateRunMemory(bytes, "output '" + d.name + "'");
      where = memory.get();
      out.data = memory;
    } else {
      if (s.capacity[t] < bytes)
        fail(StatusCode::kInvalidArgument, "output '", d.name, "' has data-dependent dimensions ", dimsToString(dims),
             " this run, which need ", bytes, " bytes (", dataTypeName(type), ") but its buffer has ", s.capacity[t],
             "; bind at least context.getMaxOutputSize() bytes or use setOutputAllocator()");
      where = s.tensorData[t];
    }
    result.outputs.push_back(std::move(out));
    return where;
  };

  KernelIO io;
  io.pool = &currentPool();
  for (size_t i = 0; i < numIn; ++i) {
    TensorRef r;
    int32_t t = node.inputs[i];
    if (t >= 0) {
      r.data = st.data[t];
      r.type = inTypes[i];
      r.dims = inDims[i];
      r.values = inValues[i];
    }
    io.in.push_back(std::move(r));
  }
  std::vector<bool> deferred(node.outputs.size(), false);
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    int32_t t = node.outputs[o];
    TensorRef r;
    r.type = outTypes[o];
    r.dims = outDims[o];
    if (!planned.dataDependent[t]) {
      if (outDims[o] != planned.dims[t])
        fail(StatusCode::kInternal, "layer '", node.name, "' output ", o, " has dims ", dimsToString(outDims[o]),
             " at run time but ", dimsToString(planned.dims[t]), " were planned");
      r.data = s.tensorData[t];
    } else if (isFullyKnown(outDims[o])) {
      r.data = place(t, outTypes[o], outDims[o]);
    } else {
      deferred[o] = true;  // the kernel sizes it (allocateOutput)
    }
    io.out.push_back(std::move(r));
  }
  io.allocateOutput = [&](size_t o, const Dims& dims) -> void* {
    if (o >= deferred.size() || !deferred[o] || io.out[o].data)
      fail(StatusCode::kInternal, "layer '", node.name, "' allocated output ", o, " twice or without data-dependent dims");
    if (!isFullyKnown(dims) || dims.size() != outDims[o].size())
      fail(StatusCode::kInternal, "layer '", node.name, "' gave output ", o, " dims ", dimsToString(dims));
    io.out[o].dims = dims;
    io.out[o].data = place(node.outputs[o], outTypes[o], dims);
    return io.out[o].data;
  };
  std::vector<Dims> outDimsForScratch;
  for (const TensorRef& r : io.out) outDimsForScratch.push_back(r.dims);
  CpuKernel& k = e.kernel(pos);
  size_t scratch = k.workspaceBytes(inDims, outDimsForScratch);
  if (scratch > 0) {
    st.owned.push_back(allocateRunMemory(static_cast<int64_t>(scratch), "the scratch of layer '" + node.name + "'"));
    io.workspace = st.owned.back().get();
    io.workspaceBytes = scratch;
  }
  k.run(io);
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    if (deferred[o] && !io.out[o].data)
      fail(StatusCode::kInternal, "layer '", node.name, "' did not produce output ", o);
    int32_t t = node.outputs[o];
    st.types[t] = io.out[o].type;
    st.dims[t] = io.out[o].dims;
    st.data[t] = io.out[o].data;
  }
}

}  // namespace

RunResult ExecutionContext::run(const ExecutionSnapshot& s) {
  const Engine& e = *s.engine;
  if (e.backend() != BackendKind::kCpu)
    fail(StatusCode::kInternal, "ExecutionContext::run runs CPU engines; this engine is for the ", backendName(e.backend()),
         " backend");
  const Graph& g = e.graph();
  const MemoryPlan& plan = *s.plan;
  ThreadPool& pool = currentPool();
  const auto& order = e.desc().order;
  const ShapeState& shapes = s.shapes();
  RunResult result;
  result.shapeGeneration = s.shapeGeneration;
  // Only engines whose shapes depend on tensor values track dims and memory per run.
  std::unique_ptr<DynamicState> dynamic;
  if (shapes.anyDataDependent()) {
    dynamic = std::make_unique<DynamicState>();
    dynamic->types = shapes.types;
    dynamic->dims = shapes.dims;
    dynamic->data = s.tensorData;
  }
  for (size_t pos = 0; pos < order.size(); ++pos) {
    const Node& node = g.nodes[order[pos]];
    // Constants are read in place from the engine's weights unless they are network outputs.
    if (node.type == LayerType::kCONSTANT && !g.tensors[node.outputs[0]].isOutput) continue;
    if (dynamic) {
      bool dataDependent = false;
      for (int32_t t : node.outputs) dataDependent = dataDependent || shapes.dataDependent[t];
      if (dataDependent) {
        runDataDependentLayer(s, pos, *dynamic, result);
        continue;
      }
    }
    KernelIO io;
    io.pool = &pool;
    std::vector<Dims> inDims, outDims;
    for (int32_t t : node.inputs) {
      TensorRef r;
      if (t >= 0) {
        r.data = s.tensorData[t];
        r.type = shapes.types[t];
        r.dims = shapes.dims[t];
        if (const auto& v = shapes.values[t]) r.values = &*v;
      }
      inDims.push_back(r.dims);
      io.in.push_back(std::move(r));
    }
    for (int32_t t : node.outputs) {
      TensorRef r;
      r.data = s.tensorData[t];
      r.type = shapes.types[t];
      r.dims = shapes.dims[t];
      outDims.push_back(r.dims);
      io.out.push_back(std::move(r));
    }
    CpuKernel& k = e.kernel(pos);
    size_t need = k.workspaceBytes(inDims, outDims);
    int64_t planned = plan.workspaceBytes[order[pos]];
    if (need > 0) {
      if (static_cast<int64_t>(need) > planned)
        fail(StatusCode::kUnsupported, "layer '", node.name, "' needs ", need, " bytes of workspace at these shapes but ",
             planned, " were planned");
      io.workspace = s.arena + plan.workspaceOffset[order[pos]];
      io.workspaceBytes = need;
    }
    k.run(io);
  }
  result.outputs.insert(result.outputs.end(), s.allocatorOutputs.begin(), s.allocatorOutputs.end());
  return result;
}

}  // namespace trtn
