#include "TrtExecutionContext.h"

#include <algorithm>

#include "../../cuda/CudaRuntime.h"
#include "../../engine/DataType.h"
#include "../../engine/Graph.h"

namespace trtn::trt {

static_assert(static_cast<int32_t>(nvinfer1::ExecutionContextAllocationStrategy::kSTATIC) == 0);
static_assert(static_cast<int32_t>(nvinfer1::ExecutionContextAllocationStrategy::kON_PROFILE_CHANGE) == 1);
static_assert(static_cast<int32_t>(nvinfer1::ExecutionContextAllocationStrategy::kUSER_MANAGED) == 2);
// Output bytes are sized with our DataType (packed INT4/FP4 included), numbered as TensorRT's.
static_assert(static_cast<int32_t>(nvinfer1::DataType::kINT4) == static_cast<int32_t>(DataType::kINT4));
static_assert(static_cast<int32_t>(nvinfer1::DataType::kFP4) == static_cast<int32_t>(DataType::kFP4));
static_assert(static_cast<int32_t>(nvinfer1::DataType::kINT64) == static_cast<int32_t>(DataType::kINT64));

namespace {

nvinfer1::Dims toDims(const std::vector<int64_t>& v, const std::string& name) {
  nvinfer1::Dims d{};
  if (v.size() > static_cast<size_t>(nvinfer1::Dims::MAX_DIMS))
    fail(StatusCode::kInvalidArgument, "'", name, "' has ", v.size(), " dimensions; TensorRT allows at most ", nvinfer1::Dims::MAX_DIMS);
  d.nbDims = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) d.d[i] = v[i];
  return d;
}

std::vector<int64_t> fromDims(const nvinfer1::Dims& d) {
  if (d.nbDims < 0) return {};
  return std::vector<int64_t>(d.d, d.d + d.nbDims);
}

bool hasUnknownDim(const nvinfer1::Dims& d) {
  if (d.nbDims < 0) return true;
  for (int32_t i = 0; i < d.nbDims; ++i)
    if (d.d[i] < 0) return true;
  return false;
}

}  // namespace

// Every call on the IExecutionContext holds the context's lock and logs to its engine's queue.
#define TRTN_CONTEXT_CALL()                            \
  std::lock_guard<std::recursive_mutex> lock(mutex_); \
  TrtLogScope logScope(engine_->runtime().messages())

TrtExecutionContext::TrtExecutionContext(std::shared_ptr<TrtEngine> engine, int32_t strategy)
    : engine_(std::move(engine)), strategy_(strategy) {
  TRTN_CONTEXT_CALL();
  TrtErrorRecorder& recorder = engine_->runtime().recorder();
  int device = engine_->runtime().device();
  int textureAlignment = 0;
  cuda::check(cudaDeviceGetAttribute(&textureAlignment, cudaDevAttrTextureAlignment, device), "cudaDeviceGetAttribute");
  if (textureAlignment > memoryAlignment_) memoryAlignment_ = textureAlignment;
  uint64_t mark = recorder.mark();
  cuda::DeviceGuard guard(device);
  context_.reset(engine_->engine().createExecutionContext(static_cast<nvinfer1::ExecutionContextAllocationStrategy>(strategy)));
  if (!context_) recorder.fail(mark, "createExecutionContext failed");
}

TrtExecutionContext::~TrtExecutionContext() {
  TRTN_CONTEXT_CALL();
  // The context goes first: it points to the output allocators and runs on the engine.
  context_.reset();
}

void TrtExecutionContext::check(bool ok, uint64_t mark, const std::string& what) const {
  if (!ok) engine_->runtime().recorder().fail(mark, what);
}

bool TrtExecutionContext::isIOTensor(const std::string& name) const {
  return engine_->engine().getTensorIOMode(name.c_str()) != nvinfer1::TensorIOMode::kNONE;
}

bool TrtExecutionContext::isShapeInferenceIO(const std::string& name) const {
  return engine_->engine().isShapeInferenceIO(name.c_str());
}

bool TrtExecutionContext::isInput(const std::string& name) const {
  return engine_->engine().getTensorIOMode(name.c_str()) == nvinfer1::TensorIOMode::kINPUT;
}

void TrtExecutionContext::requireIOTensor(const std::string& name, const char* call) const {
  if (!isIOTensor(name)) fail(StatusCode::kInvalidArgument, call, ": '", name, "' is not an I/O tensor of the engine");
}

cudaStream_t TrtExecutionContext::ownStream() {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  if (!ownStream_) ownStream_ = std::make_unique<cuda::CudaStream>(engine_->runtime().device(), cudaStreamNonBlocking, 0);
  return ownStream_->get();
}

void TrtExecutionContext::setOptimizationProfile(int32_t index) {
  TRTN_CONTEXT_CALL();
  int32_t count = engine_->engine().getNbOptimizationProfiles();
  if (index < 0 || index >= count)
    fail(StatusCode::kInvalidArgument, "setOptimizationProfileAsync: profile ", index, " does not exist (the engine has ", count, ")");
  uint64_t mark = engine_->runtime().recorder().mark();
  cudaStream_t s = ownStream();
  check(context_->setOptimizationProfileAsync(index, s), mark, "setOptimizationProfileAsync failed");
  cuda::check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
  // A profile switch resets the input shapes.
  inputShapes_.clear();
}

int32_t TrtExecutionContext::optimizationProfile() const {
  TRTN_CONTEXT_CALL();
  return context_->getOptimizationProfile();
}

bool TrtExecutionContext::allInputDimensionsSpecified() const {
  TRTN_CONTEXT_CALL();
  return context_->allInputDimensionsSpecified();
}

void TrtExecutionContext::setInputShape(const std::string& name, const std::vector<int64_t>& dims) {
  TRTN_CONTEXT_CALL();
  requireIOTensor(name, "setInputShape");
  uint64_t mark = engine_->runtime().recorder().mark();
  check(context_->setInputShape(name.c_str(), toDims(dims, name)), mark,
        "setInputShape('" + name + "', " + dimsToString(dims) + ") failed");
  inputShapes_[name] = dims;
}

std::vector<int64_t> TrtExecutionContext::tensorShape(const std::string& name) const {
  TRTN_CONTEXT_CALL();
  requireIOTensor(name, "getTensorShape");
  return fromDims(context_->getTensorShape(name.c_str()));
}

std::vector<std::string> TrtExecutionContext::inferShapes() {
  TRTN_CONTEXT_CALL();
  nvinfer1::ICudaEngine& e = engine_->engine();
  int32_t n = e.getNbIOTensors();
  std::vector<char const*> names(static_cast<size_t>(n > 0 ? n : 1), nullptr);
  uint64_t mark = engine_->runtime().recorder().mark();
  int32_t missing = context_->inferShapes(n, names.data());
  if (missing < 0) engine_->runtime().recorder().fail(mark, "inferShapes failed");
  std::vector<std::string> out;
  for (int32_t i = 0; i < missing && i < n; ++i)
    if (names[static_cast<size_t>(i)]) out.emplace_back(names[static_cast<size_t>(i)]);
  return out;
}

void TrtExecutionContext::setTensorAddress(const std::string& name, void* data, int64_t bytes) {
  TRTN_CONTEXT_CALL();
  requireIOTensor(name, "setTensorAddress");
  // TensorRT wants 256-byte aligned device addresses; say so instead of its generic refusal.
  if (data && !isShapeInferenceIO(name) && reinterpret_cast<uintptr_t>(data) % 256 != 0)
    fail(StatusCode::kInvalidArgument, "setTensorAddress: the memory for '", name, "' is not 256-byte aligned, as TensorRT requires");
  uint64_t mark = engine_->runtime().recorder().mark();
  check(context_->setTensorAddress(name.c_str(), data), mark, "setTensorAddress('" + name + "') failed");
  if (data) addresses_[name] = {data, bytes};
  else addresses_.erase(name);
}

void TrtExecutionContext::setDeviceMemory(void* memory, int64_t size) {
  TRTN_CONTEXT_CALL();
  if (!userManagedMemory())
    fail(StatusCode::kInvalidState, "setDeviceMemoryV2: the context was not created with ExecutionContextAllocationStrategy.USER_MANAGED");
  if (memory && reinterpret_cast<uintptr_t>(memory) % static_cast<uintptr_t>(memoryAlignment_) != 0)
    fail(StatusCode::kInvalidArgument, "setDeviceMemoryV2: the memory is not aligned to ", memoryAlignment_,
         " bytes, the device's texture alignment (cudaDeviceProp::textureAlignment), as TensorRT requires");
  if (memory && context_->allInputDimensionsSpecified()) {
    int64_t need = static_cast<int64_t>(context_->updateDeviceMemorySizeForShapes());
    if (size < need)
      fail(StatusCode::kInvalidArgument, "setDeviceMemoryV2: size ", size, " is less than the ", need,
           " bytes the current shapes need (updateDeviceMemorySizeForShapes)");
  }
  context_->setDeviceMemoryV2(memory, memory ? size : 0);
  deviceMemory_ = memory;
  deviceMemorySize_ = memory ? size : 0;
}

int64_t TrtExecutionContext::updateDeviceMemorySizeForShapes() {
  TRTN_CONTEXT_CALL();
  if (!context_->allInputDimensionsSpecified())
    fail(StatusCode::kInvalidState, "updateDeviceMemorySizeForShapes: input shapes are not all specified");
  return static_cast<int64_t>(context_->updateDeviceMemorySizeForShapes());
}

void TrtExecutionContext::setOutputAllocator(const std::string& name, bool enabled) {
  TRTN_CONTEXT_CALL();
  requireIOTensor(name, "setOutputAllocator");
  if (isInput(name)) fail(StatusCode::kInvalidArgument, "setOutputAllocator: '", name, "' is an input");
  uint64_t mark = engine_->runtime().recorder().mark();
  if (!enabled) {
    check(context_->setOutputAllocator(name.c_str(), nullptr), mark, "setOutputAllocator('" + name + "', null) failed");
    outputAllocators_.erase(name);
    return;
  }
  auto allocator = std::make_unique<TrtOutputAllocator>(engine_->runtime().gpuAllocator(), engine_->runtime().device());
  check(context_->setOutputAllocator(name.c_str(), allocator.get()), mark, "setOutputAllocator('" + name + "') failed");
  // Replaces an earlier one only now; memory a run still copies from is held by that run.
  outputAllocators_[name] = std::move(allocator);
}

int64_t TrtExecutionContext::maxOutputSize(const std::string& name) const {
  TRTN_CONTEXT_CALL();
  requireIOTensor(name, "getMaxOutputSize");
  return context_->getMaxOutputSize(name.c_str());
}

int64_t TrtExecutionContext::requiredBytes(const std::string& name, const nvinfer1::Dims& shape) const {
  nvinfer1::ICudaEngine& e = engine_->engine();
  auto type = static_cast<DataType>(e.getTensorDataType(name.c_str()));
  int64_t count = 1;
  for (int32_t i = 0; i < shape.nbDims; ++i) count *= shape.d[i];
  if (count == 0) return 0;
  int32_t profile = context_->getOptimizationProfile();
  if (profile < 0) profile = 0;
  if (e.getTensorFormat(name.c_str(), profile) == nvinfer1::TensorFormat::kLINEAR) return byteSizeOf(type, count);
  // Vectorized or padded formats: the extent the strides span (in elements of `components`
  // components each; the vectorized dim counts vectors).
  nvinfer1::Dims strides = context_->getTensorStrides(name.c_str());
  int32_t vectorDim = e.getTensorVectorizedDim(name.c_str(), profile);
  int64_t components = vectorDim >= 0 ? e.getTensorComponentsPerElement(name.c_str(), profile) : 1;
  int64_t componentBytes = vectorDim >= 0 ? e.getTensorBytesPerComponent(name.c_str(), profile)
                                          : static_cast<int64_t>(dataTypeSize(type));
  if (strides.nbDims != shape.nbDims || components <= 0 || componentBytes <= 0) return byteSizeOf(type, count);
  int64_t last = 0;
  for (int32_t i = 0; i < shape.nbDims; ++i) {
    int64_t extent = i == vectorDim ? (shape.d[i] + components - 1) / components : shape.d[i];
    last += (extent - 1) * strides.d[i];
  }
  return std::max((last + 1) * components * componentBytes, byteSizeOf(type, count));
}

TrtExecutionContext::RunState TrtExecutionContext::current() const {
  RunState s;
  s.addresses = addresses_;
  s.inputShapes = inputShapes_;
  s.deviceMemory = deviceMemory_;
  s.deviceMemorySize = deviceMemorySize_;
  return s;
}

TrtExecutionContext::RunState TrtExecutionContext::prepareRun(bool& dataDependent) {
  TRTN_CONTEXT_CALL();
  dataDependent = false;
  if (userManagedMemory()) {
    if (!deviceMemory_)
      fail(StatusCode::kInvalidState, "enqueueV3: a USER_MANAGED context needs setDeviceMemoryV2() first");
    int64_t need = updateDeviceMemorySizeForShapes();
    if (deviceMemorySize_ < need)
      fail(StatusCode::kInvalidArgument, "enqueueV3: the memory given to setDeviceMemoryV2 has ", deviceMemorySize_,
           " bytes but the current shapes need ", need, " (updateDeviceMemorySizeForShapes)");
  }
  nvinfer1::ICudaEngine& e = engine_->engine();
  int32_t n = e.getNbIOTensors();
  for (int32_t i = 0; i < n; ++i) {
    const char* cname = e.getIOTensorName(i);
    if (!cname) continue;
    std::string name = cname;
    bool input = e.getTensorIOMode(cname) == nvinfer1::TensorIOMode::kINPUT;
    nvinfer1::Dims shape = context_->getTensorShape(cname);
    bool allocated = !input && outputAllocators_.count(name) > 0;
    if (hasUnknownDim(shape)) {
      if (input)
        fail(StatusCode::kInvalidState, "enqueueV3: the shape of input '", name, "' is not fully specified (",
             dimsToString(fromDims(shape)), "); call setInputShape() first");
      if (!context_->allInputDimensionsSpecified())
        fail(StatusCode::kInvalidState, "enqueueV3: input shapes are not all specified, so output '", name, "' has no shape yet");
      if (!allocated)
        fail(StatusCode::kInvalidState, "enqueueV3: output '", name, "' has data-dependent dims (", dimsToString(fromDims(shape)),
             "); give it an output allocator (setOutputAllocator)");
      dataDependent = true;
      continue;
    }
    if (allocated) continue;  // a bound buffer is not used
    int64_t need = requiredBytes(name, shape);
    auto bound = addresses_.find(name);
    if (bound == addresses_.end()) {
      if (need > 0) fail(StatusCode::kInvalidState, "enqueueV3: no memory is bound to '", name, "' (setTensorAddress)");
      continue;
    }
    if (bound->second.second < need)
      fail(StatusCode::kInvalidArgument, "enqueueV3: the buffer bound to '", name, "' has ", bound->second.second,
           " bytes but the tensor needs ", need, " (", dataTypeName(static_cast<DataType>(e.getTensorDataType(cname))), " ",
           dimsToString(fromDims(shape)), ")");
  }
  return current();
}

void TrtExecutionContext::apply(const RunState& state, const RunState& from) {
  uint64_t mark = engine_->runtime().recorder().mark();
  for (const auto& [name, dims] : state.inputShapes) {
    auto now = from.inputShapes.find(name);
    if (now == from.inputShapes.end() || now->second != dims)
      check(context_->setInputShape(name.c_str(), toDims(dims, name)), mark, "setInputShape('" + name + "') failed");
  }
  for (const auto& [name, address] : state.addresses)
    if (context_->getTensorAddress(name.c_str()) != address.first)
      check(context_->setTensorAddress(name.c_str(), address.first), mark, "setTensorAddress('" + name + "') failed");
  for (const auto& [name, address] : from.addresses)
    if (state.addresses.count(name) == 0)
      check(context_->setTensorAddress(name.c_str(), nullptr), mark, "setTensorAddress('" + name + "', null) failed");
  if (userManagedMemory() && state.deviceMemory && state.deviceMemory != from.deviceMemory)
    context_->setDeviceMemoryV2(state.deviceMemory, state.deviceMemorySize);
}

std::vector<TrtExecutionContext::AllocatedOutput> TrtExecutionContext::enqueue(cudaStream_t stream, const RunState& state,
                                                                                bool& launched) {
  TRTN_CONTEXT_CALL();
  launched = false;
  TrtErrorRecorder& recorder = engine_->runtime().recorder();
  cuda::DeviceGuard guard(engine_->runtime().device());
  // Calls made on the JS thread since the run was requested belong to later runs: this one runs
  // with what was set when it was requested, and the context gets the newer state back after.
  RunState latest = current();
  apply(state, latest);
  struct Restore {
    TrtExecutionContext& self;
    const RunState& latest;
    const RunState& state;
    ~Restore() {
      try {
        self.apply(latest, state);
      } catch (...) {
        // The next run's prepareRun() reports what could not be set again.
      }
    }
  } restore{*this, latest, state};
  for (auto& [name, allocator] : outputAllocators_) allocator->beginRun();
  uint64_t mark = recorder.mark();
  if (!context_->enqueueV3(stream)) {
    std::string allocatorFailure;
    for (auto& [name, allocator] : outputAllocators_) {
      std::string why = allocator->lastFailure();
      if (!why.empty()) allocatorFailure += (allocatorFailure.empty() ? "" : "; ") + why;
    }
    if (!allocatorFailure.empty()) fail(StatusCode::kOutOfMemory, "enqueueV3: an output allocator got no memory: ", allocatorFailure);
    recorder.fail(mark, "enqueueV3 failed");
  }
  launched = true;
  std::vector<AllocatedOutput> outputs;
  for (auto& [name, allocator] : outputAllocators_) {
    TrtOutputAllocator::Result r = allocator->takeResult();
    if (!r.shaped) continue;  // TensorRT did not use it in this run
    AllocatedOutput o;
    o.name = name;
    o.dims = r.dims;
    auto type = static_cast<DataType>(engine_->engine().getTensorDataType(name.c_str()));
    o.bytes = byteSizeOf(type, volume(r.dims));
    if (o.bytes > 0 && (!r.memory || !r.memory->ptr))
      fail(StatusCode::kTensorRTError, "enqueueV3: TensorRT reported the dims of output '", name,
           "' but never asked its output allocator for memory");
    if (r.memory && static_cast<uint64_t>(o.bytes) > r.memory->bytes)
      fail(StatusCode::kTensorRTError, "enqueueV3: output '", name, "' has ", o.bytes, " bytes for its dims ",
           dimsToString(r.dims), " but TensorRT asked its output allocator for ", r.memory->bytes);
    o.memory = std::move(r.memory);
    outputs.push_back(std::move(o));
  }
  return outputs;
}

#undef TRTN_CONTEXT_CALL

}  // namespace trtn::trt
