// NativeEngine for plans of the tensorrt backend (typings/native.d.ts: NativeEngine plus the
// TensorRT extras of NativeTrtEngine). Wraps a TrtEngine; its execution contexts and refitters
// hold this object (and through it the engine) until they are disposed. JS thread only. TensorRT
// log messages queue up in the engine's runtime and reach the JS log function at the next call.
#pragma once

#include <napi.h>

#include <memory>

#include "../TrtEngine.h"

namespace trtn::trt::addon {

extern const napi_type_tag kTrtEngineTag;

class AddonTrtEngine : public Napi::ObjectWrap<AddonTrtEngine> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit AddonTrtEngine(const Napi::CallbackInfo& info);
  // [JS thread] A new NativeEngine object for `engine`; `log` (may be empty) receives TensorRT's
  // messages.
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<TrtEngine> engine, Napi::Value log);

  // Throws DISPOSED after dispose().
  const std::shared_ptr<TrtEngine>& engine(Napi::Env env) const;
  // [JS thread] Hands queued TensorRT log messages to the log function.
  void flushLog(Napi::Env env);

 private:
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Serialize(const Napi::CallbackInfo& info);
  Napi::Value CreateExecutionContext(const Napi::CallbackInfo& info);
  // inspect(format, layerIndex, context | null): IEngineInspector text (layerIndex -1: the engine).
  Napi::Value Inspect(const Napi::CallbackInfo& info);
  // createRefitter(): a NativeTrtRefitter of this engine.
  Napi::Value CreateRefitter(const Napi::CallbackInfo& info);
  Napi::Value IsRefittable(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);
  Napi::Value layersFromInspector(Napi::Env env);

  std::shared_ptr<TrtEngine> engine_;
  Napi::FunctionReference log_;
};

}  // namespace trtn::trt::addon
