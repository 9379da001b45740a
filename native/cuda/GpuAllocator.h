// Native GPU allocators with TensorRT's IGpuAllocator / IGpuAsyncAllocator contract:
// allocate/reallocate/deallocate plus the stream-ordered variants, an alignment (0 or a power of
// two up to the 256 bytes cudaMalloc guarantees) and AllocatorFlags (kRESIZABLE = bit 0). A
// refusal is nullptr (false for deallocate), never an exception. Every method is thread-safe, so
// engines may call them from build and stream threads.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "CudaOwners.h"

namespace trtn::cuda {

class GpuAllocator : public std::enable_shared_from_this<GpuAllocator> {
 public:
  virtual ~GpuAllocator() = default;
  virtual void* allocateAsync(uint64_t size, uint64_t alignment, uint32_t flags, cudaStream_t stream, const char* tag) noexcept = 0;
  virtual bool deallocateAsync(void* ptr, cudaStream_t stream) noexcept = 0;
  // New memory holding the old contents (the old pointer is then freed), or nullptr with the old
  // memory untouched.
  virtual void* reallocate(void* ptr, uint64_t alignment, uint64_t newSize) noexcept = 0;
  void* allocate(uint64_t size, uint64_t alignment, uint32_t flags, const char* tag) noexcept {
    return allocateAsync(size, alignment, flags, nullptr, tag);
  }
  bool deallocate(void* ptr) noexcept { return deallocateAsync(ptr, nullptr); }
  virtual MemoryKind kind() const = 0;
  virtual const char* name() const = 0;
  virtual int device() const = 0;
  // Why the calling thread's last refusal happened (the CUDA error), for the OUT_OF_MEMORY message.
  static std::string lastRefusal();

 protected:
  static void refuse(std::string why);
};

// Bookkeeping shared by the built-in allocators: live pointers and their sizes (reallocate needs
// the old size), under one mutex. Subclasses provide the raw CUDA calls.
class BasicAllocator : public GpuAllocator {
 public:
  explicit BasicAllocator(int device) : device_(device) {}
  void* allocateAsync(uint64_t size, uint64_t alignment, uint32_t flags, cudaStream_t stream, const char* tag) noexcept override;
  bool deallocateAsync(void* ptr, cudaStream_t stream) noexcept override;
  void* reallocate(void* ptr, uint64_t alignment, uint64_t newSize) noexcept override;
  int device() const override { return device_; }

 protected:
  virtual cudaError_t rawAllocate(void** ptr, uint64_t size, cudaStream_t stream) = 0;
  virtual cudaError_t rawFree(void* ptr, cudaStream_t stream) = 0;
  virtual const char* allocateCall() const = 0;

 private:
  int device_;
  std::mutex mutex_;
  std::unordered_map<void*, uint64_t> live_;
};

// cudaMalloc / cudaFree (stream arguments order nothing: cudaFree synchronizes the device).
class DefaultAllocator final : public BasicAllocator {
 public:
  explicit DefaultAllocator(int device) : BasicAllocator(device) {}
  MemoryKind kind() const override { return MemoryKind::kDevice; }
  const char* name() const override { return "DefaultAllocator"; }

 protected:
  cudaError_t rawAllocate(void** ptr, uint64_t size, cudaStream_t) override { return cudaMalloc(ptr, size); }
  cudaError_t rawFree(void* ptr, cudaStream_t) override { return cudaFree(ptr); }
  const char* allocateCall() const override { return "cudaMalloc"; }
};

// cudaMallocManaged(cudaMemAttachGlobal) / cudaFree.
class UnifiedAllocator final : public BasicAllocator {
 public:
  explicit UnifiedAllocator(int device) : BasicAllocator(device) {}
  MemoryKind kind() const override { return MemoryKind::kManaged; }
  const char* name() const override { return "UnifiedAllocator"; }

 protected:
  cudaError_t rawAllocate(void** ptr, uint64_t size, cudaStream_t) override {
    return cudaMallocManaged(ptr, size, cudaMemAttachGlobal);
  }
  cudaError_t rawFree(void* ptr, cudaStream_t) override { return cudaFree(ptr); }
  const char* allocateCall() const override { return "cudaMallocManaged"; }
};

// Stream-ordered cudaMallocFromPoolAsync / cudaFreeAsync on an own memory pool that keeps up to
// `releaseThreshold` bytes reserved across synchronizations.
class PoolAllocator final : public BasicAllocator {
 public:
  PoolAllocator(int device, uint64_t releaseThreshold);  // throws EngineError
  ~PoolAllocator() override;
  MemoryKind kind() const override { return MemoryKind::kDevice; }
  const char* name() const override { return "PoolAllocator"; }
  struct Usage {
    uint64_t reservedCurrent, reservedHigh, usedCurrent, usedHigh;
  };
  Usage usage() const;
  void trimTo(uint64_t minBytesToKeep);
  uint64_t releaseThreshold() const { return threshold_; }

 protected:
  cudaError_t rawAllocate(void** ptr, uint64_t size, cudaStream_t stream) override {
    return cudaMallocFromPoolAsync(ptr, size, pool_, stream);
  }
  cudaError_t rawFree(void* ptr, cudaStream_t stream) override { return cudaFreeAsync(ptr, stream); }
  const char* allocateCall() const override { return "cudaMallocFromPoolAsync"; }

 private:
  cudaMemPool_t pool_ = nullptr;
  uint64_t threshold_;
};

// Wraps another allocator and counts: live and peak bytes, and allocations, deallocations and
// refusals per call-site tag (a deallocation counts under its allocation's tag).
class TrackingAllocator final : public GpuAllocator {
 public:
  explicit TrackingAllocator(std::shared_ptr<GpuAllocator> inner) : inner_(std::move(inner)) {}
  void* allocateAsync(uint64_t size, uint64_t alignment, uint32_t flags, cudaStream_t stream, const char* tag) noexcept override;
  bool deallocateAsync(void* ptr, cudaStream_t stream) noexcept override;
  void* reallocate(void* ptr, uint64_t alignment, uint64_t newSize) noexcept override;
  MemoryKind kind() const override { return inner_->kind(); }
  const char* name() const override { return "TrackingAllocator"; }
  int device() const override { return inner_->device(); }

  struct TagStats {
    uint64_t allocations = 0, deallocations = 0, refusals = 0, liveBytes = 0;
  };
  struct Stats {
    uint64_t liveBytes = 0, peakBytes = 0, allocations = 0, deallocations = 0, refusals = 0, liveAllocations = 0;
    std::map<std::string, TagStats> byTag;
  };
  Stats stats() const;
  void resetPeak();

 private:
  std::shared_ptr<GpuAllocator> inner_;
  mutable std::mutex mutex_;
  struct Entry {
    uint64_t size;
    std::string tag;
  };
  std::unordered_map<void*, Entry> live_;
  Stats stats_;
};

}  // namespace trtn::cuda
