#include "TrtExecutionContext.h"

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

}  // namespace

TrtExecutionContext::TrtExecutionContext(std::shared_ptr<TrtEngine> engine, int32_t strategy)
    : engine_(std::move(engine)), strategy_(strategy) {
  TrtErrorRecorder& recorder = engine_->runtime().recorder();
  uint64_t mark = recorder.mark();
  cuda::DeviceGuard guard(engine_->runtime().device());
  context_.reset(engine_->engine().createExecutionContext(static_cast<nvinfer1::ExecutionContextAllocationStrategy>(strategy)));
  if (!context_) recorder.fail(mark, "createExecutionContext failed");
}

TrtExecutionContext::~TrtExecutionContext() {
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
  if (!ownStream_) ownStream_ = std::make_unique<cuda::CudaStream>(engine_->runtime().device(), cudaStreamNonBlocking, 0);
  return ownStream_->get();
}

void TrtExecutionContext::setOptimizationProfile(int32_t index) {
  int32_t count = engine_->engine().getNbOptimizationProfiles();
  if (index < 0 || index >= count)
    fail(StatusCode::kInvalidArgument, "setOptimizationProfileAsync: profile ", index, " does not exist (the engine has ", count, ")");
  uint64_t mark = engine_->runtime().recorder().mark();
  cudaStream_t s = ownStream();
  check(context_->setOptimizationProfileAsync(index, s), mark, "setOptimizationProfileAsync failed");
  cuda::check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
}

void TrtExecutionContext::setInputShape(const std::string& name, const std::vector<int64_t>& dims) {
  requireIOTensor(name, "setInputShape");
  uint64_t mark = engine_->runtime().recorder().mark();
  check(context_->setInputShape(name.c_str(), toDims(dims, name)), mark,
        "setInputShape('" + name + "', " + dimsToString(dims) + ") failed");
}

std::vector<int64_t> TrtExecutionContext::tensorShape(const std::string& name) const {
  requireIOTensor(name, "getTensorShape");
  nvinfer1::Dims d = context_->getTensorShape(name.c_str());
  if (d.nbDims < 0) return {};
  return std::vector<int64_t>(d.d, d.d + d.nbDims);
}

std::vector<std::string> TrtExecutionContext::inferShapes() {
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

void TrtExecutionContext::setTensorAddress(const std::string& name, void* data) {
  requireIOTensor(name, "setTensorAddress");
  // TensorRT wants 256-byte aligned device addresses; say so instead of its generic refusal.
  if (data && !isShapeInferenceIO(name) && reinterpret_cast<uintptr_t>(data) % 256 != 0)
    fail(StatusCode::kInvalidArgument, "setTensorAddress: the memory for '", name, "' is not 256-byte aligned, as TensorRT requires");
  uint64_t mark = engine_->runtime().recorder().mark();
  check(context_->setTensorAddress(name.c_str(), data), mark, "setTensorAddress('" + name + "') failed");
}

void TrtExecutionContext::setDeviceMemory(void* memory, int64_t size) {
  if (!userManagedMemory())
    fail(StatusCode::kInvalidState, "setDeviceMemoryV2: the context was not created with ExecutionContextAllocationStrategy.USER_MANAGED");
  if (memory && reinterpret_cast<uintptr_t>(memory) % 256 != 0)
    fail(StatusCode::kInvalidArgument, "setDeviceMemoryV2: the memory is not 256-byte aligned, as TensorRT requires");
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
  if (!context_->allInputDimensionsSpecified())
    fail(StatusCode::kInvalidState, "updateDeviceMemorySizeForShapes: input shapes are not all specified");
  return static_cast<int64_t>(context_->updateDeviceMemorySizeForShapes());
}

void TrtExecutionContext::setOutputAllocator(const std::string& name, bool enabled) {
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
  outputAllocators_[name] = std::move(allocator);  // replaces (and frees) an earlier one only now
}

int64_t TrtExecutionContext::maxOutputSize(const std::string& name) const {
  requireIOTensor(name, "getMaxOutputSize");
  return context_->getMaxOutputSize(name.c_str());
}

std::vector<TrtExecutionContext::AllocatedOutput> TrtExecutionContext::enqueue(cudaStream_t stream) {
  if (userManagedMemory()) {
    if (!deviceMemory_)
      fail(StatusCode::kInvalidState, "enqueueV3: a USER_MANAGED context needs setDeviceMemoryV2() first");
    int64_t need = updateDeviceMemorySizeForShapes();
    if (deviceMemorySize_ < need)
      fail(StatusCode::kInvalidArgument, "enqueueV3: the memory given to setDeviceMemoryV2 has ", deviceMemorySize_,
           " bytes but the current shapes need ", need, " (updateDeviceMemorySizeForShapes)");
  }
  TrtErrorRecorder& recorder = engine_->runtime().recorder();
  uint64_t mark = recorder.mark();
  cuda::DeviceGuard guard(engine_->runtime().device());
  if (!context_->enqueueV3(stream)) {
    std::string allocatorFailure;
    for (auto& [name, allocator] : outputAllocators_) {
      std::string why = allocator->lastFailure();
      if (!why.empty()) allocatorFailure += (allocatorFailure.empty() ? "" : "; ") + why;
    }
    if (!allocatorFailure.empty()) fail(StatusCode::kOutOfMemory, "enqueueV3: an output allocator got no memory: ", allocatorFailure);
    recorder.fail(mark, "enqueueV3 failed");
  }
  std::vector<AllocatedOutput> outputs;
  for (auto& [name, allocator] : outputAllocators_) {
    TrtOutputAllocator::Result r = allocator->takeResult();
    if (!r.shaped) continue;  // TensorRT did not use it in this run
    AllocatedOutput o;
    o.name = name;
    o.dims = r.dims;
    auto type = static_cast<DataType>(engine_->engine().getTensorDataType(name.c_str()));
    o.bytes = byteSizeOf(type, volume(r.dims));
    o.memory = std::move(r.memory);
    outputs.push_back(std::move(o));
  }
  return outputs;
}

}  // namespace trtn::trt
