// NativeCudaEvent: a cudaEvent_t. record() marks a point in a stream, waitEvent() orders another
// stream after it, elapsedTime() measures between two recorded, completed events.
#pragma once

#include <napi.h>

#include <memory>

#include "../CudaOwners.h"

namespace trtn::cuda::addon {

class AddonCudaEvent : public Napi::ObjectWrap<AddonCudaEvent> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit AddonCudaEvent(const Napi::CallbackInfo& info);
  // [JS thread] Throws DISPOSED after dispose().
  const std::shared_ptr<CudaEvent>& event(Napi::Env env) const;

 private:
  void Record(const Napi::CallbackInfo& info);
  void Synchronize(const Napi::CallbackInfo& info);
  Napi::Value Query(const Napi::CallbackInfo& info);
  Napi::Value ElapsedTime(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);

  std::shared_ptr<CudaEvent> event_;
};

}  // namespace trtn::cuda::addon
