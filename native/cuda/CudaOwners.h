// RAII owners of CUDA streams, events and memory. Destructors ignore errors: they may run at
// process exit after the runtime has unloaded (cudaErrorCudartUnloading).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <functional>
#include <memory>

namespace trtn::cuda {

class CudaStream {
 public:
  // cudaStreamCreateWithPriority on `device`; flags: cudaStreamDefault or cudaStreamNonBlocking.
  CudaStream(int device, unsigned flags, int priority);
  ~CudaStream();
  CudaStream(const CudaStream&) = delete;
  CudaStream& operator=(const CudaStream&) = delete;
  cudaStream_t get() const { return stream_; }
  int device() const { return device_; }
  int priority() const { return priority_; }
  unsigned flags() const { return flags_; }

 private:
  cudaStream_t stream_ = nullptr;
  int device_;
  unsigned flags_;
  int priority_;
};

class CudaEvent {
 public:
  CudaEvent(int device, unsigned flags);
  ~CudaEvent();
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;
  cudaEvent_t get() const { return event_; }
  int device() const { return device_; }
  unsigned flags() const { return flags_; }

 private:
  cudaEvent_t event_ = nullptr;
  int device_;
  unsigned flags_;
};

enum class MemoryKind { kDevice, kPinned, kManaged };
const char* locationName(MemoryKind kind);  // 'device' | 'pinned' | 'unified'
inline bool hostAccessible(MemoryKind kind) { return kind != MemoryKind::kDevice; }

// One allocation and how to give it back. `release(ptr, stream)` frees it in the order of
// `stream` (nullptr: at once); stream-ordered allocations keep their stream alive in `stream`.
struct CudaMemory {
  using Release = std::function<void(void* ptr, cudaStream_t stream)>;
  CudaMemory(void* p, uint64_t n, MemoryKind k, int dev, Release r, std::shared_ptr<CudaStream> s = nullptr)
      : ptr(p), bytes(n), kind(k), device(dev), release(std::move(r)), stream(std::move(s)) {}
  ~CudaMemory();
  CudaMemory(const CudaMemory&) = delete;
  CudaMemory& operator=(const CudaMemory&) = delete;
  // Frees now, in the order of `on` (nullptr: the allocation's own stream, if any). Idempotent.
  void free(cudaStream_t on = nullptr);
  // Gives up ownership without freeing (reallocate moved the memory elsewhere).
  void* detach();

  void* ptr;
  uint64_t bytes;
  MemoryKind kind;
  int device;
  Release release;
  std::shared_ptr<CudaStream> stream;
  const void* allocator = nullptr;  // the GpuAllocator it came from, if any (identity only)
};

// Plain allocations, 256-byte aligned. Throw EngineError (kOutOfMemory when refused).
std::shared_ptr<CudaMemory> allocateDevice(uint64_t bytes, int device);
std::shared_ptr<CudaMemory> allocatePinned(uint64_t bytes, int device, unsigned flags);
std::shared_ptr<CudaMemory> allocateManaged(uint64_t bytes, int device, unsigned flags);

}  // namespace trtn::cuda
