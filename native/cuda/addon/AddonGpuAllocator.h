// NativeGpuAllocator: a built-in GpuAllocator (default, pool, unified or tracking) seen from JS.
// The C++ object is shared with every allocation it made, so it outlives them, and engines on
// other threads may use it (its methods are thread-safe); only this wrapper is JS-thread bound.
#pragma once

#include <napi.h>

#include <memory>

#include "../GpuAllocator.h"

namespace trtn::cuda::addon {

class AddonGpuAllocator : public Napi::ObjectWrap<AddonGpuAllocator> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit AddonGpuAllocator(const Napi::CallbackInfo& info);
  const std::shared_ptr<GpuAllocator>& allocator() const { return allocator_; }

 private:
  Napi::Value Allocate(const Napi::CallbackInfo& info);
  Napi::Value Deallocate(const Napi::CallbackInfo& info);
  Napi::Value Reallocate(const Napi::CallbackInfo& info);
  Napi::Value LastRefusal(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  void ResetPeak(const Napi::CallbackInfo& info);
  Napi::Value Usage(const Napi::CallbackInfo& info);
  void TrimTo(const Napi::CallbackInfo& info);

  // Memory for `p` that gives itself back to this allocator in the order of `stream`.
  std::shared_ptr<CudaMemory> own(void* p, uint64_t size, std::shared_ptr<CudaStream> stream);

  std::shared_ptr<GpuAllocator> allocator_;
};

}  // namespace trtn::cuda::addon
