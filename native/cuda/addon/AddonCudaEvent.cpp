#include "AddonCudaEvent.h"

#include "../../addon/AddonData.h"
#include "../CudaRuntime.h"
#include "AddonCudaStream.h"
#include "cudaModule.h"

namespace trtn::cuda::addon {

using trtn::addon::throwError;
using trtn::addon::throwIfFailed;

Napi::Function AddonCudaEvent::Init(Napi::Env env) {
  return DefineClass(env, "NativeCudaEvent",
                     {
                         InstanceMethod<&AddonCudaEvent::Record>("record"),
                         InstanceMethod<&AddonCudaEvent::Synchronize>("synchronize"),
                         InstanceMethod<&AddonCudaEvent::Query>("query"),
                         InstanceMethod<&AddonCudaEvent::ElapsedTime>("elapsedTime"),
                         InstanceMethod<&AddonCudaEvent::Dispose>("dispose"),
                     });
}

// new NativeCudaEvent(device, flags)
AddonCudaEvent::AddonCudaEvent(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonCudaEvent>(info) {
  Napi::Env env = info.Env();
  info.This().As<Napi::Object>().TypeTag(&kCudaEventTag);
  int device = static_cast<int>(trtn::addon::argInt(info, 0, "device"));
  unsigned flags = static_cast<unsigned>(trtn::addon::argInt(info, 1, "flags"));
  event_ = trtn::addon::callEngine(env, [&] {
    requireDevice(device);
    return std::make_shared<CudaEvent>(device, flags);
  });
}

const std::shared_ptr<CudaEvent>& AddonCudaEvent::event(Napi::Env env) const {
  if (!event_) throwError(env, StatusCode::kDisposed, "the CUDA event has been disposed");
  return event_;
}

// record(stream | null): null records on the legacy default stream.
void AddonCudaEvent::Record(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cudaStream_t s = nullptr;
  if (!info[0].IsNull() && !info[0].IsUndefined())
    s = trtn::addon::unwrapTagged<AddonCudaStream>(info[0], kCudaStreamTag, "a cuda.Stream")->stream(env)->get();
  throwIfFailed(env, statusOf(cudaEventRecord(event(env)->get(), s), "cudaEventRecord"));
}

void AddonCudaEvent::Synchronize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  throwIfFailed(env, statusOf(cudaEventSynchronize(event(env)->get()), "cudaEventSynchronize"));
}

Napi::Value AddonCudaEvent::Query(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cudaError_t err = cudaEventQuery(event(env)->get());
  if (err == cudaErrorNotReady) {
    cudaGetLastError();
    return Napi::Boolean::New(env, false);
  }
  throwIfFailed(env, statusOf(err, "cudaEventQuery"));
  return Napi::Boolean::New(env, true);
}

// elapsedTime(start): milliseconds from `start` to this event.
Napi::Value AddonCudaEvent::ElapsedTime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonCudaEvent* start = trtn::addon::unwrapTagged<AddonCudaEvent>(info[0], kCudaEventTag, "a cuda.Event");
  float ms = 0;
  throwIfFailed(env, statusOf(cudaEventElapsedTime(&ms, start->event(env)->get(), event(env)->get()), "cudaEventElapsedTime"));
  return Napi::Number::New(env, ms);
}

void AddonCudaEvent::Dispose(const Napi::CallbackInfo&) { event_.reset(); }

}  // namespace trtn::cuda::addon
