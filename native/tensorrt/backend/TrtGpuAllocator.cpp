#include "TrtGpuAllocator.h"

namespace trtn::trt {

// AllocatorFlags bits are passed through unchanged: GpuAllocator.h uses TensorRT's numbering.
static_assert(static_cast<uint32_t>(nvinfer1::AllocatorFlag::kRESIZABLE) == 0, "kRESIZABLE is bit 0 in GpuAllocator.h");

void* TrtGpuAllocator::allocateAsync(uint64_t const size, uint64_t const alignment, nvinfer1::AllocatorFlags const flags,
                                     cudaStream_t stream) noexcept {
  // The interface asks for nullptr on a size-0 request.
  if (size == 0) return nullptr;
  return allocator_->allocateAsync(size, alignment, flags, stream, "TensorRT");
}

bool TrtGpuAllocator::deallocateAsync(void* const memory, cudaStream_t stream) noexcept {
  if (memory == nullptr) return true;
  return allocator_->deallocateAsync(memory, stream);
}

void* TrtGpuAllocator::reallocate(void* const baseAddr, uint64_t alignment, uint64_t newSize) noexcept {
  return allocator_->reallocate(baseAddr, alignment, newSize);
}

}  // namespace trtn::trt
