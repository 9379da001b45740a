// Shared by the device, pinned and unified buffer classes (each an ObjectWrap of its own).
#pragma once

#include <napi.h>

#include <memory>

#include "../../addon/NativeBuffer.h"
#include "../CudaOwners.h"

namespace trtn::cuda::addon {

// The memory of a CUDA buffer object, shared by the device, pinned and unified classes: the
// allocation, and for host-accessible memory an external ArrayBuffer over it that dispose()
// detaches (stale views become empty instead of reading freed memory).
class CudaBufferCore {
 public:
  void init(Napi::Env env, std::shared_ptr<CudaMemory> memory, bool withView);
  ~CudaBufferCore();
  trtn::addon::BufferMemory memory() const;
  const std::shared_ptr<CudaMemory>& allocation() const { return memory_; }
  Napi::Value arrayBuffer(Napi::Env env) const;
  Napi::Value byteLength(Napi::Env env) const;
  // Drops this object's hold; the memory is freed once work in flight lets go of it.
  void dispose(Napi::Env env);

 private:
  std::shared_ptr<CudaMemory> memory_;
  Napi::Reference<Napi::ArrayBuffer> view_;
  // The view's own reference to the memory (owned by its finalizer). dispose() empties it: the
  // view is detached then, so GPU memory is returned at once instead of when V8 collects it.
  std::shared_ptr<CudaMemory>* viewHold_ = nullptr;
  int64_t reported_ = 0;
  napi_env env_ = nullptr;
};

// Reads a constructor argument of the buffer classes: an External carrying memory an allocator
// made, else allocates through `make(bytes)`.
std::shared_ptr<CudaMemory> memoryFromArgs(const Napi::CallbackInfo& info,
                                           std::shared_ptr<CudaMemory> (*make)(const Napi::CallbackInfo&, uint64_t));

}  // namespace trtn::cuda::addon
