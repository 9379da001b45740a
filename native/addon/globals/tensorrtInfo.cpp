// [sync, JS thread] The TensorRT library search and the TensorRT plan wrapper, exposed for
// tensorrt.libraryInfo() and for tests. Present in every build: loading needs no TensorRT headers.
#include <napi.h>

#include <cstring>

#include "../../engine/Status.h"
#include "../../tensorrt/common/TrtLibrary.h"
#include "../../tensorrt/common/TrtPlan.h"
#include "../AddonData.h"
#include "globals.h"

namespace trtn::addon {

namespace {

Napi::Value stringOrNull(Napi::Env env, const std::string& s) {
  return s.empty() ? env.Null() : Napi::String::New(env, s);
}

Napi::Object companionInfo(Napi::Env env, bool loaded, const std::string& path, const std::string& reason) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("loaded", loaded);
  o.Set("path", stringOrNull(env, path));
  o.Set("reason", stringOrNull(env, reason));
  return o;
}

// A view of JS bytes, valid during the call.
std::pair<const uint8_t*, size_t> bytesOf(Napi::Env env, Napi::Value v, const char* name) {
  if (v.IsArrayBuffer()) {
    auto ab = v.As<Napi::ArrayBuffer>();
    return {static_cast<const uint8_t*>(ab.Data()), ab.ByteLength()};
  }
  if (v.IsTypedArray()) {
    auto ta = v.As<Napi::TypedArray>();
    return {static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), ta.ByteLength()};
  }
  throwError(env, StatusCode::kInvalidArgument, std::string("Expected a Uint8Array or ArrayBuffer for ") + name);
}

Napi::Uint8Array toUint8Array(Napi::Env env, const std::vector<uint8_t>& bytes) {
  Napi::Uint8Array out = Napi::Uint8Array::New(env, bytes.size());
  if (!bytes.empty()) std::memcpy(out.Data(), bytes.data(), bytes.size());
  return out;
}

const char* formName(trt::TrtPlanForm form) {
  switch (form) {
    case trt::TrtPlanForm::kWrapped: return "wrapped";
    case trt::TrtPlanForm::kRaw: return "raw";
    case trt::TrtPlanForm::kNotTensorRT: return "not-tensorrt";
  }
  return "not-tensorrt";
}

trt::TrtPlanMeta readMeta(Napi::Env env, Napi::Value v) {
  if (!v.IsObject()) throwError(env, StatusCode::kInvalidArgument, "Expected an object for meta");
  Napi::Object o = v.As<Napi::Object>();
  trt::TrtPlanMeta meta;
  auto intOf = [&](const char* key) {
    Napi::Value x = o.Get(key);
    if (!x.IsNumber()) throwError(env, StatusCode::kInvalidArgument, std::string("Expected a number for meta.") + key);
    return x.As<Napi::Number>().Int32Value();
  };
  meta.tensorrtVersion = intOf("tensorrtVersion");
  meta.computeMajor = intOf("computeMajor");
  meta.computeMinor = intOf("computeMinor");
  Napi::Value name = o.Get("deviceName");
  if (name.IsString()) meta.deviceName = name.As<Napi::String>().Utf8Value();
  Napi::Value compatibility = o.Get("compatibility");
  if (compatibility.IsNumber()) meta.compatibility = compatibility.As<Napi::Number>().Uint32Value();
  return meta;
}

// tensorrtPlanTools.wrap(engine, meta): a wrapped plan around `engine`.
Napi::Value WrapPlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto [data, size] = bytesOf(env, info[0], "engine");
  trt::TrtPlanMeta meta = readMeta(env, info[1]);
  return toUint8Array(env, callEngine(env, [&] { return trt::wrapTensorRTPlan(data, size, meta); }));
}

// tensorrtPlanTools.view(bytes): the form, the recorded build facts and where the engine lies.
Napi::Value ViewPlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto [data, size] = bytesOf(env, info[0], "bytes");
  trt::TrtPlanView view = callEngine(env, [&] { return trt::viewTensorRTPlan(data, size); });
  Napi::Object o = Napi::Object::New(env);
  o.Set("form", formName(view.form));
  if (view.form == trt::TrtPlanForm::kWrapped) {
    o.Set("tensorrtVersion", view.meta.tensorrtVersion);
    o.Set("computeMajor", view.meta.computeMajor);
    o.Set("computeMinor", view.meta.computeMinor);
    o.Set("deviceName", view.meta.deviceName);
    if (view.meta.compatibility != 0) o.Set("compatibility", view.meta.compatibility);
  }
  if (view.form != trt::TrtPlanForm::kNotTensorRT) {
    o.Set("engineOffset", Napi::Number::New(env, static_cast<double>(view.engine - data)));
    o.Set("engineSize", Napi::Number::New(env, static_cast<double>(view.engineSize)));
  }
  return o;
}

// tensorrtPlanTools.checkCompatible(bytes, loadedVersion, computeMajor, computeMinor): throws
// PLAN_INCOMPATIBLE as deserializing on such a machine would.
Napi::Value CheckPlanCompatible(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto [data, size] = bytesOf(env, info[0], "bytes");
  int32_t version = static_cast<int32_t>(argInt(info, 1, "loadedVersion"));
  int major = static_cast<int>(argInt(info, 2, "computeMajor"));
  int minor = static_cast<int>(argInt(info, 3, "computeMinor"));
  callEngine(env, [&] { trt::checkTensorRTPlanCompatible(trt::viewTensorRTPlan(data, size), version, major, minor); });
  return env.Undefined();
}

}  // namespace

Napi::Value TensorRTLibraryInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
#ifdef TRTN_TENSORRT_HEADERS_VERSION
  o.Set("headersVersion", TRTN_TENSORRT_HEADERS_VERSION);
#else
  o.Set("headersVersion", env.Null());
#endif
  const trt::TensorRTProbe& probe = trt::probeTensorRT();
  o.Set("loaded", probe.loaded);
  o.Set("version", probe.loaded ? Napi::Value(Napi::String::New(env, trt::formatTensorRTVersion(probe.version))) : env.Null());
  o.Set("path", stringOrNull(env, probe.path));
  o.Set("reason", probe.reason);
  Napi::Array searched = Napi::Array::New(env);
  uint32_t i = 0;
  for (const trt::LibraryAttempt& a : trt::tensorrtSearchLog()) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("path", a.path);
    entry.Set("origin", a.origin);
    entry.Set("error", stringOrNull(env, a.error));
    searched.Set(i++, entry);
  }
  o.Set("searched", searched);
  if (probe.loaded) {
    const trt::TensorRTLibraries& libs = trt::loadTensorRT();
    o.Set("onnxParser", companionInfo(env, libs.createOnnxParser != nullptr, libs.onnxParserPath, libs.onnxParserReason));
    o.Set("plugins", companionInfo(env, libs.initLibNvInferPlugins != nullptr, libs.pluginPath, libs.pluginReason));
  } else {
    o.Set("onnxParser", companionInfo(env, false, "", "libnvinfer.so.11 is not loaded"));
    o.Set("plugins", companionInfo(env, false, "", "libnvinfer.so.11 is not loaded"));
  }
  return o;
}

Napi::Object TensorRTPlanTools(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("wrap", Napi::Function::New(env, WrapPlan, "wrap"));
  o.Set("view", Napi::Function::New(env, ViewPlan, "view"));
  o.Set("checkCompatible", Napi::Function::New(env, CheckPlanCompatible, "checkCompatible"));
  return o;
}

}  // namespace trtn::addon
