#include "ExecutionContext.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace trtn {

ExecutionContext::ExecutionContext(std::shared_ptr<const Engine> engine, AllocationStrategy strategy)
    : engine_(std::move(engine)), strategy_(strategy) {
  const Graph& g = engine_->graph();
  for (int32_t t : g.inputs) inputDims_.push_back(g.tensors[t].dims);
  address_.assign(engine_->numIOTensors(), nullptr);
  capacity_.assign(engine_->numIOTensors(), 0);
  if (strategy_ != AllocationStrategy::kUSER_MANAGED) allocateOwnedMemory();
}

void ExecutionContext::allocateOwnedMemory() {
  int64_t need = strategy_ == AllocationStrategy::kSTATIC ? engine_->deviceMemorySize() : requiredMemory();
  if (owned_ && memorySize_ >= need) return;
  size_t bytes = static_cast<size_t>(std::max<int64_t>(need, 1));
  bytes = (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
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
  inputDims_[in] = dims;
  resolvedValid_ = false;
}

bool ExecutionContext::allInputDimensionsSpecified() const {
  for (const Dims& d : inputDims_)
    if (!isFullyKnown(d)) return false;
  return true;
}

const ShapeState& ExecutionContext::resolvedShapes() {
  if (!resolvedValid_) {
    resolved_ = std::make_shared<const ShapeState>(trtn::inferShapes(engine_->graph(), engine_->desc().order, inputDims_, true));
    resolvedValid_ = true;
  }
  return *resolved_;
}

std::vector<std::string> ExecutionContext::inferShapes() {
  std::vector<std::string> missing;
  const Graph& g = engine_->graph();
  for (size_t i = 0; i < inputDims_.size(); ++i)
    if (!isFullyKnown(inputDims_[i])) missing.push_back(g.tensors[g.inputs[i]].name);
  if (missing.empty()) resolvedShapes();
  return missing;
}

Dims ExecutionContext::tensorShape(const std::string& name) {
  int32_t idx = ioTensorOrThrow(name, "getTensorShape");
  int32_t t = engine_->ioTensor(idx);
  const Graph& g = engine_->graph();
  if (g.tensors[t].isInput) return inputDims_[engine_->inputIndex(t)];
  if (!allInputDimensionsSpecified()) return Dims(g.tensors[t].dims.size(), -1);
  return resolvedShapes().dims[t];
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
  if (memory && size < requiredMemory())
    fail(StatusCode::kInvalidArgument, "setDeviceMemoryV2: ", size, " bytes is less than the ", requiredMemory(),
         " bytes profile ", profile_, " needs (engine.getDeviceMemorySizeForProfileV2)");
  if (memory && reinterpret_cast<uintptr_t>(memory) % kArenaAlignment != 0)
    fail(StatusCode::kInvalidArgument, "setDeviceMemoryV2: memory must be ", kArenaAlignment, "-byte aligned");
  memory_ = static_cast<uint8_t*>(memory);
  memorySize_ = memory ? size : 0;
}

ExecutionSnapshot ExecutionContext::prepare() {
  const Graph& g = engine_->graph();
  for (size_t i = 0; i < inputDims_.size(); ++i)
    if (!isFullyKnown(inputDims_[i]))
      fail(StatusCode::kInvalidState, "input '", g.tensors[g.inputs[i]].name, "' has dynamic dimensions ",
           dimsToString(inputDims_[i]), "; call setInputShape() before enqueueV3()");
  if (!memory_)
    fail(StatusCode::kInvalidState,
         "this USER_MANAGED context has no activation memory; call setDeviceMemoryV2() before enqueueV3()");
  if (memorySize_ < requiredMemory())
    fail(StatusCode::kInvalidState, "activation memory of ", memorySize_, " bytes is less than the ", requiredMemory(),
         " bytes profile ", profile_, " needs");
  ExecutionSnapshot snap;
  snap.engine = engine_;
  snap.profile = profile_;
  resolvedShapes();
  snap.shapesPtr = resolved_;
  const ShapeState& shapes = *resolved_;
  snap.arena = memory_;
  if (owned_) snap.holds.push_back(owned_);
  snap.tensorData.assign(g.tensors.size(), nullptr);
  const MemoryPlan& plan = engine_->desc().memory[profile_];
  for (int32_t i = 0; i < engine_->numIOTensors(); ++i) {
    int32_t t = engine_->ioTensor(i);
    const TensorDesc& d = g.tensors[t];
    int64_t need = volume(shapes.dims[t]) * static_cast<int64_t>(dataTypeSize(shapes.types[t]));
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
  }
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    TensorRole role = engine_->desc().roles[t];
    if (role == TensorRole::kConstant) {
      const Node& c = g.nodes[g.tensors[t].producer];
      const Weights* w = c.getWeights("weights");
      snap.tensorData[t] = w ? w->mutableData() : nullptr;
    } else if (role == TensorRole::kActivation && plan.tensorOffset[t] >= 0) {
      int64_t need = volume(shapes.dims[t]) * static_cast<int64_t>(dataTypeSize(shapes.types[t]));
      if (need > plan.tensorBytes[t])
        fail(StatusCode::kUnsupported, "tensor '", g.tensors[t].name, "' needs ", need, " bytes at these shapes but profile ",
             profile_, " planned ", plan.tensorBytes[t], "; its size depends on values beyond the profile's MAX shapes");
      snap.tensorData[t] = memory_ + plan.tensorOffset[t];
    }
  }
  return snap;
}

void ExecutionContext::run(const ExecutionSnapshot& s) {
  const Engine& e = *s.engine;
  const Graph& g = e.graph();
  const MemoryPlan& plan = e.desc().memory[s.profile];
  ThreadPool& pool = ThreadPool::global();
  const auto& order = e.desc().order;
  for (size_t pos = 0; pos < order.size(); ++pos) {
    const Node& node = g.nodes[order[pos]];
    // Constants are read in place from the engine's weights unless they are network outputs.
    if (node.type == LayerType::kCONSTANT && !g.tensors[node.outputs[0]].isOutput) continue;
    KernelIO io;
    io.pool = &pool;
    std::vector<Dims> inDims, outDims;
    for (int32_t t : node.inputs) {
      TensorRef r;
      if (t >= 0) {
        r.data = s.tensorData[t];
        r.type = s.shapes().types[t];
        r.dims = s.shapes().dims[t];
      }
      inDims.push_back(r.dims);
      io.in.push_back(std::move(r));
    }
    for (int32_t t : node.outputs) {
      TensorRef r;
      r.data = s.tensorData[t];
      r.type = s.shapes().types[t];
      r.dims = s.shapes().dims[t];
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
}

}  // namespace trtn
