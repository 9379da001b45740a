#include "AddonDeviceBuffer.h"

#include "../../addon/AddonData.h"
#include "../CudaRuntime.h"
#include "AddonCudaStream.h"
#include "cudaModule.h"

namespace trtn::cuda::addon {

using trtn::addon::throwError;
using trtn::addon::throwIfFailed;

Napi::Function AddonDeviceBuffer::Init(Napi::Env env) {
  return DefineClass(env, "NativeDeviceBuffer",
                     {
                         InstanceMethod<&AddonDeviceBuffer::ByteLength>("byteLength"),
                         InstanceMethod<&AddonDeviceBuffer::GetArrayBuffer>("arrayBuffer"),
                         InstanceMethod<&AddonDeviceBuffer::Location>("location"),
                         InstanceMethod<&AddonDeviceBuffer::Device>("device"),
                         InstanceMethod<&AddonDeviceBuffer::Dispose>("dispose"),
                     });
}

static std::shared_ptr<CudaMemory> make(const Napi::CallbackInfo& info, uint64_t bytes) {
  int device = static_cast<int>(trtn::addon::argInt(info, 1, "device"));
  return allocateDevice(bytes, device);
}

// new NativeDeviceBuffer(byteLength, device) | new NativeDeviceBuffer(External<memory>)
AddonDeviceBuffer::AddonDeviceBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonDeviceBuffer>(info) {
  info.This().As<Napi::Object>().TypeTag(&kDeviceBufferTag);
  core_.init(info.Env(), memoryFromArgs(info, &make), false);
}

const std::shared_ptr<CudaMemory>& AddonDeviceBuffer::live(Napi::Env env) const {
  const auto& m = core_.allocation();
  if (!m || !m->ptr) throwError(env, StatusCode::kDisposed, "the buffer has been disposed");
  return m;
}

Napi::Value AddonDeviceBuffer::Location(const Napi::CallbackInfo& info) {
  const auto& m = core_.allocation();
  return Napi::String::New(info.Env(), m ? locationName(m->kind) : "device");
}

Napi::Value AddonDeviceBuffer::Device(const Napi::CallbackInfo& info) {
  const auto& m = core_.allocation();
  return Napi::Number::New(info.Env(), m ? m->device : -1);
}

}  // namespace trtn::cuda::addon
