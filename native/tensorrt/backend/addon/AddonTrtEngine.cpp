#include "AddonTrtEngine.h"

#include <cstring>

#include "../../../addon/AddonData.h"
#include "AddonTrtExecutionContext.h"
#include "AddonTrtRefitter.h"

namespace trtn::trt::addon {

using trtn::addon::AddonData;
using trtn::addon::callEngine;
using trtn::addon::throwError;

// inspect(format, ...) takes lib's LayerInformationFormat values.
static_assert(static_cast<int32_t>(nvinfer1::LayerInformationFormat::kONELINE) == 0);
static_assert(static_cast<int32_t>(nvinfer1::LayerInformationFormat::kJSON) == 1);

const napi_type_tag kTrtEngineTag = {0x2f4a6c8e0b1d3f57ULL, 0x8c0e2a4b6d8f1a39ULL};

namespace {

Napi::Array dimsArray(Napi::Env env, const nvinfer1::Dims& d) {
  Napi::Array a = Napi::Array::New(env, d.nbDims > 0 ? static_cast<size_t>(d.nbDims) : 0);
  for (int32_t i = 0; i < d.nbDims; ++i) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(d.d[i])));
  return a;
}

Napi::Array valuesArray(Napi::Env env, const int64_t* values, int32_t count) {
  Napi::Array a = Napi::Array::New(env, count > 0 ? static_cast<size_t>(count) : 0);
  for (int32_t i = 0; values && i < count; ++i) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(values[i])));
  return a;
}

}  // namespace

Napi::Function AddonTrtEngine::Init(Napi::Env env) {
  return DefineClass(env, "NativeTrtEngine",
                     {
                         InstanceMethod<&AddonTrtEngine::Info>("info"),
                         InstanceMethod<&AddonTrtEngine::Serialize>("serialize"),
                         InstanceMethod<&AddonTrtEngine::CreateExecutionContext>("createExecutionContext"),
                         InstanceMethod<&AddonTrtEngine::Inspect>("inspect"),
                         InstanceMethod<&AddonTrtEngine::CreateRefitter>("createRefitter"),
                         InstanceMethod<&AddonTrtEngine::IsRefittable>("isRefittable"),
                         InstanceMethod<&AddonTrtEngine::Dispose>("dispose"),
                     });
}

AddonTrtEngine::AddonTrtEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonTrtEngine>(info) {
  info.This().As<Napi::Object>().TypeTag(&kTrtEngineTag);
  if (info.Length() >= 1 && info[0].IsExternal())
    engine_ = *info[0].As<Napi::External<std::shared_ptr<TrtEngine>>>().Data();
  else
    throwError(info.Env(), StatusCode::kInvalidState, "NativeTrtEngine is created by deserializeEngine()");
  if (info.Length() >= 2 && info[1].IsFunction()) log_ = Napi::Persistent(info[1].As<Napi::Function>());
}

Napi::Object AddonTrtEngine::wrap(Napi::Env env, std::shared_ptr<TrtEngine> engine, Napi::Value log) {
  auto holder = std::make_unique<std::shared_ptr<TrtEngine>>(std::move(engine));
  auto ext = Napi::External<std::shared_ptr<TrtEngine>>::New(env, holder.get());
  Napi::Object obj = AddonData::of(env).trtEngineCtor.New({ext, log.IsFunction() ? log : env.Null()});
  AddonTrtEngine::Unwrap(obj)->flushLog(env);  // what deserialization logged
  return obj;  // the constructor copied the shared_ptr
}

const std::shared_ptr<TrtEngine>& AddonTrtEngine::engine(Napi::Env env) const {
  if (!engine_) throwError(env, StatusCode::kDisposed, "engine has been disposed");
  return engine_;
}

void AddonTrtEngine::flushLog(Napi::Env env) {
  if (!engine_) return;
  auto messages = engine_->runtime().messages().drain();
  if (log_.IsEmpty()) return;
  // What TensorRT logged outside every call (its own threads) belongs to no engine: the next
  // engine with a log function that is called takes it.
  auto unscoped = TrtLogger::instance().unscoped().drain();
  messages.insert(messages.begin(), unscoped.begin(), unscoped.end());
  for (auto& [severity, message] : messages) {
    log_.Call({Napi::Number::New(env, severity), Napi::String::New(env, message)});
    if (env.IsExceptionPending()) env.GetAndClearPendingException();  // a throwing logger must not break the call
  }
}

Napi::Value AddonTrtEngine::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nvinfer1::ICudaEngine& e = engine(env)->engine();
  TrtLogScope logScope(engine_->runtime().messages());
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", e.getName() ? e.getName() : "");
  o.Set("backend", "tensorrt");
  int32_t nbIO = e.getNbIOTensors();
  Napi::Array io = Napi::Array::New(env);
  std::vector<std::string> inputs, shapeInputs;
  for (int32_t i = 0; i < nbIO; ++i) {
    const char* name = e.getIOTensorName(i);
    Napi::Object t = Napi::Object::New(env);
    t.Set("name", name);
    nvinfer1::TensorIOMode mode = e.getTensorIOMode(name);
    t.Set("mode", Napi::Number::New(env, static_cast<int32_t>(mode)));
    t.Set("type", Napi::Number::New(env, static_cast<int32_t>(e.getTensorDataType(name))));
    t.Set("dims", dimsArray(env, e.getTensorShape(name)));
    bool shapeIO = e.isShapeInferenceIO(name);
    t.Set("isShapeInferenceIO", Napi::Boolean::New(env, shapeIO));
    io.Set(static_cast<uint32_t>(i), t);
    if (mode == nvinfer1::TensorIOMode::kINPUT) {
      inputs.emplace_back(name);
      if (shapeIO) shapeInputs.emplace_back(name);
    }
  }
  o.Set("io", io);
  Napi::Array profiles = Napi::Array::New(env);
  const auto selectors = {nvinfer1::OptProfileSelector::kMIN, nvinfer1::OptProfileSelector::kOPT, nvinfer1::OptProfileSelector::kMAX};
  for (int32_t p = 0; p < e.getNbOptimizationProfiles(); ++p) {
    Napi::Object shapes = Napi::Object::New(env), values = Napi::Object::New(env);
    for (const std::string& name : inputs) {
      Napi::Array triple = Napi::Array::New(env, 3);
      uint32_t k = 0;
      for (auto s : selectors) triple.Set(k++, dimsArray(env, e.getProfileShape(name.c_str(), p, s)));
      shapes.Set(name, triple);
    }
    for (const std::string& name : shapeInputs) {
      // A shape tensor input holds as many values as its (static) shape has elements.
      nvinfer1::Dims d = e.getTensorShape(name.c_str());
      int32_t count = 1;
      for (int32_t i = 0; i < d.nbDims; ++i) count *= static_cast<int32_t>(d.d[i] > 0 ? d.d[i] : 0);
      Napi::Array triple = Napi::Array::New(env, 3);
      uint32_t k = 0;
      for (auto s : selectors) triple.Set(k++, valuesArray(env, e.getProfileTensorValuesV2(name.c_str(), p, s), count));
      values.Set(name, triple);
    }
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("shapes", shapes);
    entry.Set("values", values);
    entry.Set("deviceMemorySize", Napi::Number::New(env, static_cast<double>(e.getDeviceMemorySizeForProfileV2(p))));
    profiles.Set(static_cast<uint32_t>(p), entry);
  }
  o.Set("profiles", profiles);
  o.Set("layers", layersFromInspector(env));
  o.Set("passes", Napi::Array::New(env));
  o.Set("deviceMemorySize", Napi::Number::New(env, static_cast<double>(e.getDeviceMemorySizeV2())));
  o.Set("profilingVerbosity", Napi::Number::New(env, static_cast<int32_t>(e.getProfilingVerbosity())));
  flushLog(env);
  return o;
}

// Layers as IEngineInspector describes them (JSON). Its detail depends on the build's profiling
// verbosity: with LAYER_NAMES_ONLY, "Layers" is a list of names.
Napi::Value AddonTrtEngine::layersFromInspector(Napi::Env env) {
  Napi::Array layers = Napi::Array::New(env);
  std::string json;
  Status s = captureStatus([&] { json = engine_->inspect(nvinfer1::LayerInformationFormat::kJSON, -1, nullptr); });
  if (!s.ok() || json.empty()) return layers;
  Napi::Object JSON = env.Global().Get("JSON").As<Napi::Object>();
  Napi::Value parsed = JSON.Get("parse").As<Napi::Function>().Call(JSON, {Napi::String::New(env, json)});
  if (env.IsExceptionPending()) {
    env.GetAndClearPendingException();
    return layers;
  }
  if (!parsed.IsObject()) return layers;
  Napi::Value list = parsed.As<Napi::Object>().Get("Layers");
  if (!list.IsArray()) return layers;
  Napi::Array arr = list.As<Napi::Array>();
  auto strings = [&](Napi::Value v) {
    Napi::Array out = Napi::Array::New(env);
    if (!v.IsArray()) return out;
    Napi::Array a = v.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Value x = a.Get(i);
      if (x.IsObject()) x = x.As<Napi::Object>().Get("Name");
      if (x.IsString()) out.Set(out.Length(), x);
    }
    return out;
  };
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Value entry = arr.Get(i);
    Napi::Object l = Napi::Object::New(env);
    if (entry.IsString()) {
      l.Set("name", entry);
      l.Set("type", "");
      l.Set("implementation", "");
      l.Set("inputs", Napi::Array::New(env));
      l.Set("outputs", Napi::Array::New(env));
    } else if (entry.IsObject()) {
      Napi::Object x = entry.As<Napi::Object>();
      Napi::Value name = x.Get("Name"), type = x.Get("LayerType"), tactic = x.Get("TacticName");
      l.Set("name", name.IsString() ? name : Napi::String::New(env, ""));
      l.Set("type", type.IsString() ? type : Napi::String::New(env, ""));
      l.Set("implementation", tactic.IsString() ? tactic : Napi::String::New(env, ""));
      l.Set("inputs", strings(x.Get("Inputs")));
      l.Set("outputs", strings(x.Get("Outputs")));
    } else {
      continue;
    }
    layers.Set(layers.Length(), l);
  }
  return layers;
}

Napi::Value AddonTrtEngine::Serialize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::shared_ptr<TrtEngine>& e = engine(env);
  std::vector<uint8_t> plan = callEngine(env, [&] { return e->serialize(); });
  flushLog(env);
  Napi::Uint8Array out = Napi::Uint8Array::New(env, plan.size());
  if (!plan.empty()) std::memcpy(out.Data(), plan.data(), plan.size());
  return out;
}

Napi::Value AddonTrtEngine::CreateExecutionContext(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  engine(env);
  return AddonData::of(env).trtContextCtor.New({info.This(), info[0]});
}

Napi::Value AddonTrtEngine::Inspect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::shared_ptr<TrtEngine>& e = engine(env);
  int64_t format = trtn::addon::argInt(info, 0, "format");
  if (format != 0 && format != 1) throwError(env, StatusCode::kInvalidArgument, "unknown LayerInformationFormat " + std::to_string(format));
  int64_t layer = trtn::addon::argInt(info, 1, "layerIndex");
  if (layer >= e->engine().getNbLayers())
    throwError(env, StatusCode::kInvalidArgument, "layer " + std::to_string(layer) + " does not exist (the engine has " +
                                                      std::to_string(e->engine().getNbLayers()) + ")");
  TrtExecutionContext* context = nullptr;
  if (info.Length() > 2 && info[2].IsObject()) {
    context = AddonTrtExecutionContext::unwrapContext(info[2]);
    if (&context->engine() != e.get())
      throwError(env, StatusCode::kInvalidArgument, "setExecutionContext: the execution context belongs to another engine");
  }
  // With a context: under its lock (TrtExecutionContext::inspect), never beside a host-thread run.
  auto f = static_cast<nvinfer1::LayerInformationFormat>(format);
  std::string text = callEngine(env, [&] {
    return context ? context->inspect(f, static_cast<int32_t>(layer)) : e->inspect(f, static_cast<int32_t>(layer), nullptr);
  });
  flushLog(env);
  return Napi::String::New(env, text);
}

Napi::Value AddonTrtEngine::CreateRefitter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  engine(env);
  return AddonData::of(env).trtRefitterCtor.New({info.This()});
}

Napi::Value AddonTrtEngine::IsRefittable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), engine(info.Env())->engine().isRefittable());
}

void AddonTrtEngine::Dispose(const Napi::CallbackInfo& info) {
  flushLog(info.Env());
  engine_.reset();  // contexts and refitters hold their own reference
}

}  // namespace trtn::trt::addon
