// NativePinnedBuffer: page-locked host memory (cudaHostAlloc), seen from JS through an external
// ArrayBuffer that dispose() detaches. Copies from and to it run truly asynchronously.
#pragma once

#include <napi.h>

#include "../../addon/NativeBuffer.h"
#include "CudaBufferCore.h"

namespace trtn::cuda::addon {

class AddonPinnedBuffer : public Napi::ObjectWrap<AddonPinnedBuffer>, public trtn::addon::NativeBuffer {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit AddonPinnedBuffer(const Napi::CallbackInfo& info);
  trtn::addon::BufferMemory memory() const override { return core_.memory(); }
  // [JS thread] The allocation; throws DISPOSED after dispose().
  const std::shared_ptr<CudaMemory>& live(Napi::Env env) const;
  // [JS thread] Disposes without freeing through this object (an allocator took the memory back).
  void release(Napi::Env env) { core_.dispose(env); }

 private:
  Napi::Value ByteLength(const Napi::CallbackInfo& info) { return core_.byteLength(info.Env()); }
  Napi::Value GetArrayBuffer(const Napi::CallbackInfo& info) { return core_.arrayBuffer(info.Env()); }
  Napi::Value Location(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info) { core_.dispose(info.Env()); }

  CudaBufferCore core_;
};

}  // namespace trtn::cuda::addon
