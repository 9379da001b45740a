#include "TrtOutputAllocator.h"

#include "../../engine/Status.h"

namespace trtn::trt {

std::shared_ptr<cuda::CudaMemory> TrtOutputAllocator::allocate(uint64_t size, uint64_t alignment, cudaStream_t stream) {
  if (!allocator_) return cuda::allocateDevice(size, device_);  // 256-byte aligned, as TensorRT wants
  std::shared_ptr<cuda::GpuAllocator> allocator = allocator_;
  void* p = allocator->allocateAsync(size, alignment, 0, stream, "TensorRT output allocator");
  if (!p) fail(StatusCode::kOutOfMemory, "the runtime's GPU allocator refused ", size, " bytes: ", cuda::GpuAllocator::lastRefusal());
  auto memory = std::make_shared<cuda::CudaMemory>(
      p, size, allocator->kind(), allocator->device(),
      [allocator](void* q, cudaStream_t s) { allocator->deallocateAsync(q, s); });
  memory->allocator = allocator.get();
  return memory;
}

void* TrtOutputAllocator::reallocateOutputAsync(char const* tensorName, void* /*currentMemory*/, uint64_t size,
                                                uint64_t alignment, cudaStream_t stream) {
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    failure_.clear();
    // `size` is always positive (one byte for an empty tensor), so memory is never null here.
    if (memory_ && memory_->ptr && memory_->bytes >= size &&
        (alignment == 0 || reinterpret_cast<uintptr_t>(memory_->ptr) % alignment == 0))
      return memory_->ptr;
    std::shared_ptr<cuda::CudaMemory> grown = allocate(size, alignment, stream);
    // Freed in the order of this run's stream unless an earlier run still holds it (it is then
    // freed when that run's values have been copied out).
    if (memory_ && memory_.use_count() == 1) memory_->free(stream);
    memory_ = std::move(grown);
    return memory_->ptr;
  } catch (const EngineError& e) {
    std::lock_guard<std::mutex> lock(mutex_);
    failure_ = std::string("output '") + (tensorName ? tensorName : "") + "': " + e.message();
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    failure_ = std::string("output '") + (tensorName ? tensorName : "") + "': allocation failed";
  }
  return nullptr;
}

void TrtOutputAllocator::notifyShape(char const* /*tensorName*/, nvinfer1::Dims const& dims) noexcept {
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    dims_.assign(dims.d, dims.d + (dims.nbDims > 0 ? dims.nbDims : 0));
    shaped_ = true;
  } catch (...) {
  }
}

void TrtOutputAllocator::beginRun() {
  std::lock_guard<std::mutex> lock(mutex_);
  dims_.clear();
  shaped_ = false;
  failure_.clear();
}

TrtOutputAllocator::Result TrtOutputAllocator::takeResult() {
  std::lock_guard<std::mutex> lock(mutex_);
  Result r{memory_, dims_, shaped_};
  shaped_ = false;
  failure_.clear();
  return r;
}

std::string TrtOutputAllocator::lastFailure() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failure_;
}

}  // namespace trtn::trt
