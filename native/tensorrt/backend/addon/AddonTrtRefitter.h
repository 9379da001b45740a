// NativeTrtRefitter: an IRefitter of a NativeTrtEngine (typings/native.d.ts). Holds the engine's
// JS object. JS thread only.
#pragma once

#include <napi.h>

#include <memory>

#include "../TrtRefitter.h"

namespace trtn::trt::addon {

class AddonTrtRefitter : public Napi::ObjectWrap<AddonTrtRefitter> {
 public:
  static Napi::Function Init(Napi::Env env);
  // new NativeTrtRefitter(engine): made by NativeTrtEngine.createRefitter.
  explicit AddonTrtRefitter(const Napi::CallbackInfo& info);

 private:
  // setNamedWeights(name, { type, values, count }): the values are copied.
  void SetNamedWeights(const Napi::CallbackInfo& info);
  Napi::Value GetMissingWeights(const Napi::CallbackInfo& info);
  Napi::Value GetAllWeights(const Napi::CallbackInfo& info);
  // [sync, JS thread] refitCudaEngine(); the caller makes sure no run of the engine is in flight.
  void RefitCudaEngine(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);

  TrtRefitter& refitter(Napi::Env env);

  std::unique_ptr<TrtRefitter> refitter_;
  Napi::Reference<Napi::Value> engineRef_;
};

}  // namespace trtn::trt::addon
