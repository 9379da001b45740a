// NativeEngine: a deserialized engine. Created by deserializeEngine(); parent of its execution
// contexts, which hold a reference to it so it outlives them.
#pragma once

#include <napi.h>

#include <memory>

#include "../engine/Engine.h"

namespace trtn::addon {

class AddonEngine : public Napi::ObjectWrap<AddonEngine> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit AddonEngine(const Napi::CallbackInfo& info);
  // [JS thread] Wraps an engine in a new JS object.
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<const Engine> engine);
  std::shared_ptr<const Engine> engine() const { return engine_; }

 private:
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Serialize(const Napi::CallbackInfo& info);
  Napi::Value CreateExecutionContext(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);

  std::shared_ptr<const Engine> engine_;
};

}  // namespace trtn::addon
