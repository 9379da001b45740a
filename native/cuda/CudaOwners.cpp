#include "CudaOwners.h"

#include "../engine/Status.h"
#include "CudaRuntime.h"

namespace trtn::cuda {

CudaStream::CudaStream(int device, unsigned flags, int priority) : device_(device), flags_(flags), priority_(priority) {
  DeviceGuard guard(device);
  check(cudaStreamCreateWithPriority(&stream_, flags, priority), "cudaStreamCreateWithPriority");
}

CudaStream::~CudaStream() {
  if (stream_) cudaStreamDestroy(stream_);
}

CudaEvent::CudaEvent(int device, unsigned flags) : device_(device), flags_(flags) {
  DeviceGuard guard(device);
  check(cudaEventCreateWithFlags(&event_, flags), "cudaEventCreateWithFlags");
}

CudaEvent::~CudaEvent() {
  if (event_) cudaEventDestroy(event_);
}

const char* locationName(MemoryKind kind) {
  switch (kind) {
    case MemoryKind::kDevice: return "device";
    case MemoryKind::kPinned: return "pinned";
    case MemoryKind::kManaged: return "unified";
  }
  return "device";
}

CudaMemory::~CudaMemory() { free(); }

void CudaMemory::free(cudaStream_t on) {
  if (!ptr) return;
  void* p = ptr;
  ptr = nullptr;
  if (release) release(p, on ? on : (stream ? stream->get() : nullptr));
  stream.reset();
}

void* CudaMemory::detach() {
  void* p = ptr;
  ptr = nullptr;
  stream.reset();
  return p;
}

std::shared_ptr<CudaMemory> allocateDevice(uint64_t bytes, int device) {
  requireDevice(device);
  DeviceGuard guard(device);
  void* p = nullptr;
  // cudaMalloc(0) returns null; one byte keeps every buffer a distinct, valid address.
  check(cudaMalloc(&p, bytes ? bytes : 1), "cudaMalloc");
  return std::make_shared<CudaMemory>(p, bytes, MemoryKind::kDevice, device, [device](void* q, cudaStream_t) {
    int current = -1;
    cudaGetDevice(&current);
    if (current != device) cudaSetDevice(device);
    cudaFree(q);
    if (current >= 0 && current != device) cudaSetDevice(current);
  });
}

std::shared_ptr<CudaMemory> allocatePinned(uint64_t bytes, int device, unsigned flags) {
  requireDevice(device);
  DeviceGuard guard(device);
  void* p = nullptr;
  check(cudaHostAlloc(&p, bytes ? bytes : 1, flags), "cudaHostAlloc");
  return std::make_shared<CudaMemory>(p, bytes, MemoryKind::kPinned, device, [](void* q, cudaStream_t) { cudaFreeHost(q); });
}

std::shared_ptr<CudaMemory> allocateManaged(uint64_t bytes, int device, unsigned flags) {
  requireDevice(device);
  DeviceGuard guard(device);
  void* p = nullptr;
  check(cudaMallocManaged(&p, bytes ? bytes : 1, flags), "cudaMallocManaged");
  return std::make_shared<CudaMemory>(p, bytes, MemoryKind::kManaged, device, [](void* q, cudaStream_t) { cudaFree(q); });
}

}  // namespace trtn::cuda
