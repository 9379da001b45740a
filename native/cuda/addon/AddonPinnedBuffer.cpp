#include "AddonPinnedBuffer.h"

#include "../../addon/AddonData.h"
#include "../CudaRuntime.h"
#include "AddonCudaStream.h"
#include "cudaModule.h"

namespace trtn::cuda::addon {

using trtn::addon::throwError;
using trtn::addon::throwIfFailed;

Napi::Function AddonPinnedBuffer::Init(Napi::Env env) {
  return DefineClass(env, "NativePinnedBuffer",
                     {
                         InstanceMethod<&AddonPinnedBuffer::ByteLength>("byteLength"),
                         InstanceMethod<&AddonPinnedBuffer::GetArrayBuffer>("arrayBuffer"),
                         InstanceMethod<&AddonPinnedBuffer::Location>("location"),
                         InstanceMethod<&AddonPinnedBuffer::Device>("device"),
                         InstanceMethod<&AddonPinnedBuffer::Dispose>("dispose"),
                     });
}

static std::shared_ptr<CudaMemory> make(const Napi::CallbackInfo& info, uint64_t bytes) {
  int device = static_cast<int>(trtn::addon::argInt(info, 1, "device"));
  unsigned flags = static_cast<unsigned>(trtn::addon::argInt(info, 2, "flags"));
  return allocatePinned(bytes, device, flags);
}

// new NativePinnedBuffer(byteLength, device, flags)
AddonPinnedBuffer::AddonPinnedBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonPinnedBuffer>(info) {
  info.This().As<Napi::Object>().TypeTag(&kPinnedBufferTag);
  core_.init(info.Env(), memoryFromArgs(info, &make), true);
}

const std::shared_ptr<CudaMemory>& AddonPinnedBuffer::live(Napi::Env env) const {
  const auto& m = core_.allocation();
  if (!m || !m->ptr) throwError(env, StatusCode::kDisposed, "the buffer has been disposed");
  return m;
}

Napi::Value AddonPinnedBuffer::Location(const Napi::CallbackInfo& info) {
  const auto& m = core_.allocation();
  return Napi::String::New(info.Env(), m ? locationName(m->kind) : "pinned");
}

Napi::Value AddonPinnedBuffer::Device(const Napi::CallbackInfo& info) {
  const auto& m = core_.allocation();
  return Napi::Number::New(info.Env(), m ? m->device : -1);
}

}  // namespace trtn::cuda::addon
