#include "AddonUnifiedBuffer.h"

#include "../../addon/AddonData.h"
#include "../CudaRuntime.h"
#include "AddonCudaStream.h"
#include "cudaModule.h"

namespace trtn::cuda::addon {

using trtn::addon::throwError;
using trtn::addon::throwIfFailed;

Napi::Function AddonUnifiedBuffer::Init(Napi::Env env) {
  return DefineClass(env, "NativeUnifiedBuffer",
                     {
                         InstanceMethod<&AddonUnifiedBuffer::ByteLength>("byteLength"),
                         InstanceMethod<&AddonUnifiedBuffer::GetArrayBuffer>("arrayBuffer"),
                         InstanceMethod<&AddonUnifiedBuffer::Location>("location"),
                         InstanceMethod<&AddonUnifiedBuffer::Device>("device"),
                         InstanceMethod<&AddonUnifiedBuffer::Dispose>("dispose"),
                         InstanceMethod<&AddonUnifiedBuffer::Prefetch>("prefetch"),
                         InstanceMethod<&AddonUnifiedBuffer::Advise>("advise"),
                     });
}

static std::shared_ptr<CudaMemory> make(const Napi::CallbackInfo& info, uint64_t bytes) {
  int device = static_cast<int>(trtn::addon::argInt(info, 1, "device"));
  unsigned flags = static_cast<unsigned>(trtn::addon::argInt(info, 2, "flags"));
  return allocateManaged(bytes, device, flags);
}

// new NativeUnifiedBuffer(byteLength, device, flags) | new NativeUnifiedBuffer(External<memory>)
AddonUnifiedBuffer::AddonUnifiedBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonUnifiedBuffer>(info) {
  info.This().As<Napi::Object>().TypeTag(&kUnifiedBufferTag);
  core_.init(info.Env(), memoryFromArgs(info, &make), true);
}

const std::shared_ptr<CudaMemory>& AddonUnifiedBuffer::live(Napi::Env env) const {
  const auto& m = core_.allocation();
  if (!m || !m->ptr) throwError(env, StatusCode::kDisposed, "the buffer has been disposed");
  return m;
}

Napi::Value AddonUnifiedBuffer::Location(const Napi::CallbackInfo& info) {
  const auto& m = core_.allocation();
  return Napi::String::New(info.Env(), m ? locationName(m->kind) : "unified");
}

Napi::Value AddonUnifiedBuffer::Device(const Napi::CallbackInfo& info) {
  const auto& m = core_.allocation();
  return Napi::Number::New(info.Env(), m ? m->device : -1);
}

// Where `target` ('device' | 'host') and `device` point, in CUDA 13's cudaMemLocation terms.
static cudaMemLocation locationOf(Napi::Env env, const std::string& target, int device) {
  cudaMemLocation loc{};
  if (target == "host") {
    loc.type = cudaMemLocationTypeHost;
    loc.id = 0;
  } else if (target == "device") {
    loc.type = cudaMemLocationTypeDevice;
    loc.id = device;
  } else {
    throwError(env, StatusCode::kInvalidArgument, "Expected 'device' or 'host' for location but received '" + target + "'");
  }
  return loc;
}

// prefetch(target, device, byteOffset, byteLength, stream) -> Promise: migrates the pages in
// stream order (cudaMemPrefetchAsync) and settles when they have moved.
Napi::Value AddonUnifiedBuffer::Prefetch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto mem = live(env);
  cudaMemLocation loc = locationOf(env, trtn::addon::argString(info, 0, "location"), static_cast<int>(trtn::addon::argInt(info, 1, "device")));
  uint64_t offset = static_cast<uint64_t>(trtn::addon::argInt(info, 2, "byteOffset"));
  uint64_t length = static_cast<uint64_t>(trtn::addon::argInt(info, 3, "byteLength"));
  if (offset + length > mem->bytes) throwError(env, StatusCode::kInvalidArgument, "prefetch range exceeds the buffer");
  AddonCudaStream* stream = trtn::addon::unwrapTagged<AddonCudaStream>(info[4], kCudaStreamTag, "a cuda.Stream");
  cudaStream_t s = stream->stream(env)->get();
  if (length > 0)
    throwIfFailed(env, statusOf(cudaMemPrefetchAsync(static_cast<uint8_t*>(mem->ptr) + offset, length, loc, 0, s), "cudaMemPrefetchAsync"));
  std::vector<Napi::Reference<Napi::Value>> keep;
  keep.push_back(Napi::Persistent(info.This()));
  return stream->completion(env, std::move(keep), {mem});
}

// advise(advice, target, device, byteOffset, byteLength): cudaMemAdvise with a cudaMemoryAdvise
// value (1 SetReadMostly ... 6 UnsetAccessedBy).
void AddonUnifiedBuffer::Advise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto mem = live(env);
  int64_t advice = trtn::addon::argInt(info, 0, "advice");
  if (advice < 1 || advice > 6) throwError(env, StatusCode::kInvalidArgument, "unknown cudaMemoryAdvise value " + std::to_string(advice));
  cudaMemLocation loc = locationOf(env, trtn::addon::argString(info, 1, "location"), static_cast<int>(trtn::addon::argInt(info, 2, "device")));
  uint64_t offset = static_cast<uint64_t>(trtn::addon::argInt(info, 3, "byteOffset"));
  uint64_t length = static_cast<uint64_t>(trtn::addon::argInt(info, 4, "byteLength"));
  if (offset + length > mem->bytes) throwError(env, StatusCode::kInvalidArgument, "advise range exceeds the buffer");
  if (length == 0) return;
  throwIfFailed(env, statusOf(cudaMemAdvise(static_cast<uint8_t*>(mem->ptr) + offset, length,
                                            static_cast<cudaMemoryAdvise>(advice), loc), "cudaMemAdvise"));
}

}  // namespace trtn::cuda::addon
