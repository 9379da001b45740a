#include "AddonTrtRefitter.h"

#include "../../../addon/AddonData.h"
#include "AddonTrtEngine.h"

namespace trtn::trt::addon {

using trtn::addon::argString;
using trtn::addon::callEngine;
using trtn::addon::throwError;
using trtn::addon::unwrapTagged;

Napi::Function AddonTrtRefitter::Init(Napi::Env env) {
  return DefineClass(env, "NativeTrtRefitter",
                     {
                         InstanceMethod<&AddonTrtRefitter::SetNamedWeights>("setNamedWeights"),
                         InstanceMethod<&AddonTrtRefitter::GetMissingWeights>("getMissingWeights"),
                         InstanceMethod<&AddonTrtRefitter::GetAllWeights>("getAllWeights"),
                         InstanceMethod<&AddonTrtRefitter::RefitCudaEngine>("refitCudaEngine"),
                         InstanceMethod<&AddonTrtRefitter::Dispose>("dispose"),
                     });
}

AddonTrtRefitter::AddonTrtRefitter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonTrtRefitter>(info) {
  Napi::Env env = info.Env();
  AddonTrtEngine* engine = unwrapTagged<AddonTrtEngine>(info[0], kTrtEngineTag, "a NativeTrtEngine");
  std::shared_ptr<TrtEngine> e = engine->engine(env);
  engineRef_ = Napi::Persistent(info[0]);
  Status s = captureStatus([&] { refitter_ = std::make_unique<TrtRefitter>(e); });
  engine->flushLog(env);
  trtn::addon::throwIfFailed(env, s);
}

TrtRefitter& AddonTrtRefitter::refitter(Napi::Env env) {
  if (!refitter_) throwError(env, StatusCode::kDisposed, "refitter has been disposed");
  return *refitter_;
}

void AddonTrtRefitter::SetNamedWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  if (!info[1].IsObject()) throwError(env, StatusCode::kInvalidArgument, "Expected { type, values, count } for weights");
  Napi::Object w = info[1].As<Napi::Object>();
  Napi::Value type = w.Get("type"), values = w.Get("values"), count = w.Get("count");
  if (!type.IsNumber() || !values.IsTypedArray() || !count.IsNumber())
    throwError(env, StatusCode::kInvalidArgument, "Expected { type, values, count } for weights");
  Napi::TypedArray ta = values.As<Napi::TypedArray>();
  const uint8_t* data = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  callEngine(env, [&] {
    refitter(env).setNamedWeights(name, type.As<Napi::Number>().Int32Value(), data, ta.ByteLength(), count.As<Napi::Number>().Int64Value());
  });
}

static Napi::Array toArray(Napi::Env env, const std::vector<std::string>& names) {
  Napi::Array a = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); ++i) a.Set(static_cast<uint32_t>(i), names[i]);
  return a;
}

Napi::Value AddonTrtRefitter::GetMissingWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return toArray(env, callEngine(env, [&] { return refitter(env).missingWeights(); }));
}

Napi::Value AddonTrtRefitter::GetAllWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return toArray(env, callEngine(env, [&] { return refitter(env).allWeights(); }));
}

void AddonTrtRefitter::RefitCudaEngine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Status s = captureStatus([&] { refitter(env).refit(); });
  if (!engineRef_.IsEmpty()) AddonTrtEngine::Unwrap(engineRef_.Value().As<Napi::Object>())->flushLog(env);
  trtn::addon::throwIfFailed(env, s);
}

void AddonTrtRefitter::Dispose(const Napi::CallbackInfo&) {
  refitter_.reset();
  engineRef_.Reset();
}

}  // namespace trtn::trt::addon
