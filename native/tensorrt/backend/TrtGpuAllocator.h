// nvinfer1::IGpuAsyncAllocator over a built-in GpuAllocator (native/cuda/GpuAllocator.h).
// TensorRT calls it from the build thread, from deserialization and from enqueueV3's thread, and
// possibly from threads of its own; the built-in allocators are thread-safe C++, which is why only
// they are accepted for the tensorrt backend (an allocator written in JS cannot be called there).
#pragma once

#include <memory>

#include "../../cuda/GpuAllocator.h"
#include "TrtObjects.h"

namespace trtn::trt {

class TrtGpuAllocator final : public nvinfer1::IGpuAsyncAllocator {
 public:
  explicit TrtGpuAllocator(std::shared_ptr<cuda::GpuAllocator> allocator) : allocator_(std::move(allocator)) {}

  void* allocateAsync(uint64_t const size, uint64_t const alignment, nvinfer1::AllocatorFlags const flags,
                      cudaStream_t stream) noexcept override;
  bool deallocateAsync(void* const memory, cudaStream_t stream) noexcept override;
  // Called only for allocations made with AllocatorFlag::kRESIZABLE.
  void* reallocate(void* const baseAddr, uint64_t alignment, uint64_t newSize) noexcept override;

  const std::shared_ptr<cuda::GpuAllocator>& allocator() const { return allocator_; }

 private:
  std::shared_ptr<cuda::GpuAllocator> allocator_;
};

}  // namespace trtn::trt
