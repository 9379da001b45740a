#include "TrtExecutionContext.h"

#include <algorithm>
#include <cstring>

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
  // Creation reports to the engine's recorder (the runtime's; JS thread only), the context's own
  // calls to recorder_ from then on.
  TrtErrorRecorder& runtimeRecorder = engine_->runtime().recorder();
  int device = engine_->runtime().device();
  int textureAlignment = 0;
  cuda::check(cudaDeviceGetAttribute(&textureAlignment, cudaDevAttrTextureAlignment, device), "cudaDeviceGetAttribute");
  if (textureAlignment > memoryAlignment_) memoryAlignment_ = textureAlignment;
  uint64_t mark = runtimeRecorder.mark();
  cuda::DeviceGuard guard(device);
  context_.reset(engine_->engine().createExecutionContext(static_cast<nvinfer1::ExecutionContextAllocationStrategy>(strategy)));
  if (!context_) runtimeRecorder.fail(mark, "createExecutionContext failed");
  context_->setErrorRecorder(&recorder_);
}

TrtExecutionContext::~TrtExecutionContext() {
  TRTN_CONTEXT_CALL();
  // The context goes first: it points to the output allocators and the recorder, and runs on the engine.
  context_.reset();
}

void TrtExecutionContext::check(bool ok, uint64_t mark, const std::string& what) const {
  if (!ok) recorder_.fail(mark, what);
}

// A pending count read as 0 stays 0 (only the JS thread counts runs in) and means the host
// thread is done with the IExecutionContext. One read as more may already be stale: the value is
// then only recorded, and reaches TensorRT at the next run or getter all the same.
template <typename F>
bool TrtExecutionContext::recordIfHostRunsPending(F record) {
  std::lock_guard<std::mutex> lock(stateMutex_);
  if (!hostRunsPending()) return false;
  record();
  return true;
}

void TrtExecutionContext::refuseWhileHostRunsPending(const char* call) const {
  if (hostRunsPending())
    fail(StatusCode::kInvalidState, call, ": runs of this execution context are still launching on its host thread; ",
         "wait for them to settle first");
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

std::string TrtExecutionContext::inspect(nvinfer1::LayerInformationFormat format, int32_t layerIndex) {
  TRTN_CONTEXT_CALL();
  applyShadow();
  return engine_->inspect(format, layerIndex, context_.get());
}

void TrtExecutionContext::setOptimizationProfile(int32_t index) {
  // Queued runs were captured for the current profile; switching under them would change it.
  refuseWhileHostRunsPending("setOptimizationProfileAsync");
  TRTN_CONTEXT_CALL();
  applyShadow();
  int32_t count = engine_->engine().getNbOptimizationProfiles();
  if (index < 0 || index >= count)
    fail(StatusCode::kInvalidArgument, "setOptimizationProfileAsync: profile ", index, " does not exist (the engine has ", count, ")");
  uint64_t mark = recorder_.mark();
  cudaStream_t s = ownStream();
  check(context_->setOptimizationProfileAsync(index, s), mark, "setOptimizationProfileAsync failed");
  cuda::check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
  // A profile switch resets the input shapes.
  std::lock_guard<std::mutex> state(stateMutex_);
  inputShapes_.clear();
}

int32_t TrtExecutionContext::optimizationProfile() const {
  TRTN_CONTEXT_CALL();
  return context_->getOptimizationProfile();
}

bool TrtExecutionContext::allInputDimensionsSpecified() {
  TRTN_CONTEXT_CALL();
  applyShadow();
  return context_->allInputDimensionsSpecified();
}

void TrtExecutionContext::setInputShape(const std::string& name, const std::vector<int64_t>& dims) {
  requireIOTensor(name, "setInputShape");
  nvinfer1::Dims trtDims = toDims(dims, name);
  if (recordIfHostRunsPending([&] { inputShapes_[name] = dims; })) return;
  TRTN_CONTEXT_CALL();
  uint64_t mark = recorder_.mark();
  check(context_->setInputShape(name.c_str(), trtDims), mark, "setInputShape('" + name + "', " + dimsToString(dims) + ") failed");
  std::lock_guard<std::mutex> state(stateMutex_);
  inputShapes_[name] = dims;
}

std::vector<int64_t> TrtExecutionContext::tensorShape(const std::string& name) {
  requireIOTensor(name, "getTensorShape");
  TRTN_CONTEXT_CALL();
  applyShadow();
  return fromDims(context_->getTensorShape(name.c_str()));
}

std::vector<std::string> TrtExecutionContext::inferShapes() {
  TRTN_CONTEXT_CALL();
  applyShadow();
  nvinfer1::ICudaEngine& e = engine_->engine();
  int32_t n = e.getNbIOTensors();
  std::vector<char const*> names(static_cast<size_t>(n > 0 ? n : 1), nullptr);
  uint64_t mark = recorder_.mark();
  int32_t missing = context_->inferShapes(n, names.data());
  if (missing < 0) recorder_.fail(mark, "inferShapes failed");
  std::vector<std::string> out;
  for (int32_t i = 0; i < missing && i < n; ++i)
    if (names[static_cast<size_t>(i)]) out.emplace_back(names[static_cast<size_t>(i)]);
  return out;
}

void TrtExecutionContext::setTensorAddress(const std::string& name, void* data, int64_t bytes) {
  requireIOTensor(name, "setTensorAddress");
  // TensorRT wants 256-byte aligned device addresses; say so instead of its generic refusal.
  if (data && !isShapeInferenceIO(name) && reinterpret_cast<uintptr_t>(data) % 256 != 0)
    fail(StatusCode::kInvalidArgument, "setTensorAddress: the memory for '", name, "' is not 256-byte aligned, as TensorRT requires");
  auto record = [&] {
    if (data) addresses_[name] = {data, bytes};
    else addresses_.erase(name);
  };
  if (recordIfHostRunsPending(record)) return;
  TRTN_CONTEXT_CALL();
  uint64_t mark = recorder_.mark();
  check(context_->setTensorAddress(name.c_str(), data), mark, "setTensorAddress('" + name + "') failed");
  std::lock_guard<std::mutex> state(stateMutex_);
  record();
}

void TrtExecutionContext::setDeviceMemory(void* memory, int64_t size) {
  if (!userManagedMemory())
    fail(StatusCode::kInvalidState, "setDeviceMemoryV2: the context was not created with ExecutionContextAllocationStrategy.USER_MANAGED");
  if (memory && reinterpret_cast<uintptr_t>(memory) % static_cast<uintptr_t>(memoryAlignment_) != 0)
    fail(StatusCode::kInvalidArgument, "setDeviceMemoryV2: the memory is not aligned to ", memoryAlignment_,
         " bytes, the device's texture alignment (cudaDeviceProp::textureAlignment), as TensorRT requires");
  auto record = [&] {
    deviceMemory_ = memory;
    deviceMemorySize_ = memory ? size : 0;
  };
  // The size is checked against the shapes by the next run.
  if (recordIfHostRunsPending(record)) return;
  TRTN_CONTEXT_CALL();
  applyShadow();
  if (memory && context_->allInputDimensionsSpecified()) {
    int64_t need = static_cast<int64_t>(context_->updateDeviceMemorySizeForShapes());
    if (size < need)
      fail(StatusCode::kInvalidArgument, "setDeviceMemoryV2: size ", size, " is less than the ", need,
           " bytes the current shapes need (updateDeviceMemorySizeForShapes)");
  }
  context_->setDeviceMemoryV2(memory, memory ? size : 0);
  appliedDeviceMemory_ = memory;
  std::lock_guard<std::mutex> state(stateMutex_);
  record();
}

int64_t TrtExecutionContext::updateDeviceMemorySizeForShapes() {
  TRTN_CONTEXT_CALL();
  applyShadow();
  if (!context_->allInputDimensionsSpecified())
    fail(StatusCode::kInvalidState, "updateDeviceMemorySizeForShapes: input shapes are not all specified");
  return static_cast<int64_t>(context_->updateDeviceMemorySizeForShapes());
}

void TrtExecutionContext::setOutputAllocator(const std::string& name, bool enabled) {
  requireIOTensor(name, "setOutputAllocator");
  if (isInput(name)) fail(StatusCode::kInvalidArgument, "setOutputAllocator: '", name, "' is an input");
  // A host-thread run uses the allocators of the context as they are when it launches.
  refuseWhileHostRunsPending("setOutputAllocator");
  TRTN_CONTEXT_CALL();
  uint64_t mark = recorder_.mark();
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

int64_t TrtExecutionContext::maxOutputSize(const std::string& name) {
  requireIOTensor(name, "getMaxOutputSize");
  TRTN_CONTEXT_CALL();
  applyShadow();
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

TrtExecutionContext::RunState TrtExecutionContext::shadow() const {
  std::lock_guard<std::mutex> lock(stateMutex_);
  RunState s;
  s.addresses = addresses_;
  s.inputShapes = inputShapes_;
  s.deviceMemory = deviceMemory_;
  s.deviceMemorySize = deviceMemorySize_;
  return s;
}

TrtExecutionContext::RunState TrtExecutionContext::capture() const {
  RunState s = shadow();
  for (const auto& [name, address] : s.addresses) {
    if (address.second <= 0 || !isInput(name) || !isShapeInferenceIO(name)) continue;
    // The whole bound buffer (shape tensors are small): what the run reads, whatever its shape.
    std::vector<int64_t> copy(static_cast<size_t>((address.second + 7) / 8));
    std::memcpy(copy.data(), address.first, static_cast<size_t>(address.second));
    s.shapeValues[name] = std::move(copy);
  }
  return s;
}

void TrtExecutionContext::applyShadow() { apply(shadow()); }

TrtExecutionContext::RunState TrtExecutionContext::prepareRun(bool& dataDependent) {
  TRTN_CONTEXT_CALL();
  // No host run is pending, so the context is the JS thread's: the shadow state applied, the
  // shape values in the bound buffers equal to the copies captured here.
  RunState state = capture();
  applyShadow();
  checkRun(state, dataDependent);
  return state;
}

void TrtExecutionContext::checkRun(const RunState& state, bool& dataDependent) const {
  dataDependent = false;
  if (userManagedMemory()) {
    if (!state.deviceMemory)
      fail(StatusCode::kInvalidState, "enqueueV3: a USER_MANAGED context needs setDeviceMemoryV2() first");
    if (!context_->allInputDimensionsSpecified())
      fail(StatusCode::kInvalidState, "enqueueV3: input shapes are not all specified");
    int64_t need = static_cast<int64_t>(context_->updateDeviceMemorySizeForShapes());
    if (state.deviceMemorySize < need)
      fail(StatusCode::kInvalidArgument, "enqueueV3: the memory given to setDeviceMemoryV2 has ", state.deviceMemorySize,
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
    auto bound = state.addresses.find(name);
    if (bound == state.addresses.end()) {
      if (need > 0) fail(StatusCode::kInvalidState, "enqueueV3: no memory is bound to '", name, "' (setTensorAddress)");
      continue;
    }
    if (bound->second.second < need)
      fail(StatusCode::kInvalidArgument, "enqueueV3: the buffer bound to '", name, "' has ", bound->second.second,
           " bytes but the tensor needs ", need, " (", dataTypeName(static_cast<DataType>(e.getTensorDataType(cname))), " ",
           dimsToString(fromDims(shape)), ")");
  }
}

void TrtExecutionContext::apply(const RunState& state) {
  uint64_t mark = recorder_.mark();
  for (const auto& [name, dims] : state.inputShapes)
    if (fromDims(context_->getTensorShape(name.c_str())) != dims)
      check(context_->setInputShape(name.c_str(), toDims(dims, name)), mark,
            "setInputShape('" + name + "', " + dimsToString(dims) + ") failed");
  nvinfer1::ICudaEngine& e = engine_->engine();
  int32_t n = e.getNbIOTensors();
  for (int32_t i = 0; i < n; ++i) {
    const char* cname = e.getIOTensorName(i);
    if (!cname) continue;
    void* target = nullptr;
    auto bound = state.addresses.find(cname);
    if (bound != state.addresses.end()) target = bound->second.first;
    auto copy = state.shapeValues.find(cname);
    if (copy != state.shapeValues.end()) target = const_cast<int64_t*>(copy->second.data());
    if (context_->getTensorAddress(cname) != target)
      check(context_->setTensorAddress(cname, target), mark, std::string("setTensorAddress('") + cname + "') failed");
  }
  if (userManagedMemory() && state.deviceMemory && state.deviceMemory != appliedDeviceMemory_) {
    context_->setDeviceMemoryV2(state.deviceMemory, state.deviceMemorySize);
    appliedDeviceMemory_ = state.deviceMemory;
  }
}

std::vector<TrtExecutionContext::AllocatedOutput> TrtExecutionContext::enqueue(cudaStream_t stream, const RunState& state,
                                                                                bool& launched) {
  TRTN_CONTEXT_CALL();
  launched = false;
  cuda::DeviceGuard guard(engine_->runtime().device());
  // The run uses what was set when it was requested; the context gets the shadow state (what the
  // JS thread set since, user addresses instead of this run's shape value copies) back after.
  struct Restore {
    TrtExecutionContext& self;
    ~Restore() {
      try {
        self.applyShadow();
      } catch (...) {
        // The next run or getter applies the shadow state again and reports what TensorRT refuses.
      }
    }
  } restore{*this};
  apply(state);
  bool dataDependent = false;
  checkRun(state, dataDependent);
  for (auto& [name, allocator] : outputAllocators_) allocator->beginRun();
  uint64_t mark = recorder_.mark();
  if (!context_->enqueueV3(stream)) {
    // enqueueV3 may fail after queuing kernels (an output allocator refusing memory midway
    // through a data-dependent run): wait for them, so nothing of this run is left on the stream
    // when its memory is released. Failure path only.
    cudaError_t synced = cudaStreamSynchronize(stream);
    std::string allocatorFailure;
    for (auto& [name, allocator] : outputAllocators_) {
      std::string why = allocator->lastFailure();
      if (!why.empty()) allocatorFailure += (allocatorFailure.empty() ? "" : "; ") + why;
    }
    if (synced != cudaSuccess) {
      (void)cudaGetLastError();
      fail(StatusCode::kCudaError, "enqueueV3 failed and waiting for the work it queued failed too: ", cudaGetErrorString(synced),
           allocatorFailure.empty() ? "" : "; " + allocatorFailure);
    }
    if (!allocatorFailure.empty()) fail(StatusCode::kOutOfMemory, "enqueueV3: an output allocator got no memory: ", allocatorFailure);
    recorder_.fail(mark, "enqueueV3 failed");
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
