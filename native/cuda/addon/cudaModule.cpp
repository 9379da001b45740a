#include "cudaModule.h"

#include "../../addon/AddonData.h"
#include "AddonCudaEvent.h"
#include "AddonCudaStream.h"
#include "AddonDeviceBuffer.h"
#include "AddonGpuAllocator.h"
#include "AddonPinnedBuffer.h"
#include "AddonUnifiedBuffer.h"
#include "globals/cudaFunctions.h"

namespace trtn::cuda::addon {

using trtn::addon::AddonData;

const napi_type_tag kCudaStreamTag = {0x8a0c2e4f6b8d0a35ULL, 0x5e7a9c1b3d5f7b14ULL};
const napi_type_tag kCudaEventTag = {0x9b1d3f5a7c9e1b46ULL, 0x6f8b0d2c4e6a8c25ULL};
const napi_type_tag kDeviceBufferTag = {0xac2e4a6b8d0f2c57ULL, 0x7a9c1e3d5f7b9d36ULL};
const napi_type_tag kPinnedBufferTag = {0xbd3f5b7c9e1a3d68ULL, 0x8b0d2f4e6a8cae47ULL};
const napi_type_tag kUnifiedBufferTag = {0xce4a6c8d0f2b4e79ULL, 0x9c1e3a5f7b9dbf58ULL};
const napi_type_tag kGpuAllocatorTag = {0xdf5b7d9e1a3c5f8aULL, 0xad2f4b6a8caec069ULL};

static trtn::addon::NativeBuffer* resolveCudaBuffer(Napi::Value value) {
  Napi::Object o = value.As<Napi::Object>();
  if (o.CheckTypeTag(&kDeviceBufferTag)) return AddonDeviceBuffer::Unwrap(o);
  if (o.CheckTypeTag(&kPinnedBufferTag)) return AddonPinnedBuffer::Unwrap(o);
  if (o.CheckTypeTag(&kUnifiedBufferTag)) return AddonUnifiedBuffer::Unwrap(o);
  return nullptr;
}

Napi::Object wrapMemory(Napi::Env env, std::shared_ptr<CudaMemory> memory) {
  AddonData& data = AddonData::of(env);
  bool managed = memory->kind == MemoryKind::kManaged;
  auto external = Napi::External<std::shared_ptr<CudaMemory>>::New(
      env, new std::shared_ptr<CudaMemory>(std::move(memory)), [](Napi::Env, std::shared_ptr<CudaMemory>* m) { delete m; });
  return (managed ? data.cudaUnifiedBufferCtor : data.cudaDeviceBufferCtor).New({external});
}

Napi::Object registerCudaModule(Napi::Env env) {
  AddonData& data = AddonData::of(env);
  data.bufferResolvers.push_back(&resolveCudaBuffer);
  Napi::Object cuda = Napi::Object::New(env);
  Napi::Function deviceBuffer = AddonDeviceBuffer::Init(env);
  Napi::Function unifiedBuffer = AddonUnifiedBuffer::Init(env);
  data.cudaDeviceBufferCtor = Napi::Persistent(deviceBuffer);
  data.cudaUnifiedBufferCtor = Napi::Persistent(unifiedBuffer);
  cuda.Set("NativeCudaStream", AddonCudaStream::Init(env));
  cuda.Set("NativeCudaEvent", AddonCudaEvent::Init(env));
  cuda.Set("NativeDeviceBuffer", deviceBuffer);
  cuda.Set("NativePinnedBuffer", AddonPinnedBuffer::Init(env));
  cuda.Set("NativeUnifiedBuffer", unifiedBuffer);
  cuda.Set("NativeGpuAllocator", AddonGpuAllocator::Init(env));
  cuda.Set("deviceInfo", Napi::Function::New(env, DeviceInfoFn, "deviceInfo"));
  cuda.Set("memoryInfo", Napi::Function::New(env, MemoryInfoFn, "memoryInfo"));
  cuda.Set("setDevice", Napi::Function::New(env, SetDeviceFn, "setDevice"));
  cuda.Set("getDevice", Napi::Function::New(env, GetDeviceFn, "getDevice"));
  cuda.Set("synchronizeDevice", Napi::Function::New(env, SynchronizeDeviceFn, "synchronizeDevice"));
  cuda.Set("memcpy", Napi::Function::New(env, MemcpyFn, "memcpy"));
  cuda.Set("fill", Napi::Function::New(env, FillFn, "fill"));
  return cuda;
}

}  // namespace trtn::cuda::addon
