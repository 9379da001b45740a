#include "AddonEngine.h"

#include "../engine/Plan.h"
#include "AddonData.h"

namespace trtn::addon {

Napi::Function AddonEngine::Init(Napi::Env env) {
  return DefineClass(env, "NativeEngine",
                     {
                         InstanceMethod<&AddonEngine::Info>("info"),
                         InstanceMethod<&AddonEngine::Serialize>("serialize"),
                         InstanceMethod<&AddonEngine::CreateExecutionContext>("createExecutionContext"),
                         InstanceMethod<&AddonEngine::Dispose>("dispose"),
                     });
}

AddonEngine::AddonEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonEngine>(info) {
  info.This().As<Napi::Object>().TypeTag(&kEngineTag);
  if (info.Length() == 1 && info[0].IsExternal())
    engine_ = *info[0].As<Napi::External<std::shared_ptr<const Engine>>>().Data();
  else
    throwError(info.Env(), StatusCode::kInvalidState, "NativeEngine is created by deserializeEngine()");
}

Napi::Object AddonEngine::wrap(Napi::Env env, std::shared_ptr<const Engine> engine) {
  auto holder = std::make_unique<std::shared_ptr<const Engine>>(std::move(engine));
  Napi::External<std::shared_ptr<const Engine>> ext = Napi::External<std::shared_ptr<const Engine>>::New(env, holder.get());
  Napi::Object obj = AddonData::of(env).engineCtor.New({ext});
  return obj;  // the constructor copied the shared_ptr; holder is released here
}

Napi::Value AddonEngine::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!engine_) throwError(env, StatusCode::kDisposed, "engine has been disposed");
  const EngineDesc& d = engine_->desc();
  const Graph& g = d.graph;
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", d.name.empty() ? g.name : d.name);
  o.Set("backend", backendName(d.backend));
  Napi::Array io = Napi::Array::New(env);
  for (int32_t i = 0; i < engine_->numIOTensors(); ++i) {
    int32_t t = engine_->ioTensor(i);
    const TensorDesc& td = g.tensors[t];
    Napi::Object e = Napi::Object::New(env);
    e.Set("name", td.name);
    e.Set("mode", Napi::Number::New(env, static_cast<int32_t>(engine_->ioMode(t))));
    e.Set("type", Napi::Number::New(env, static_cast<int32_t>(td.type)));
    e.Set("dims", fromInts(env, td.dims));
    e.Set("isShapeInferenceIO", Napi::Boolean::New(env, engine_->isShapeInferenceIO(t)));
    io.Set(static_cast<uint32_t>(i), e);
  }
  o.Set("io", io);
  Napi::Array profiles = Napi::Array::New(env);
  for (size_t p = 0; p < d.profiles.size(); ++p) {
    Napi::Object po = Napi::Object::New(env);
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      Napi::Array triple = Napi::Array::New(env, 3);
      triple.Set(0u, fromInts(env, d.profiles[p].min[i]));
      triple.Set(1u, fromInts(env, d.profiles[p].opt[i]));
      triple.Set(2u, fromInts(env, d.profiles[p].max[i]));
      po.Set(g.tensors[g.inputs[i]].name, triple);
    }
    Napi::Object values = Napi::Object::New(env);
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      if (!d.isShapeTensorInput(i)) continue;
      Napi::Array triple = Napi::Array::New(env, 3);
      triple.Set(0u, fromInts(env, d.profiles[p].minValues[i]));
      triple.Set(1u, fromInts(env, d.profiles[p].optValues[i]));
      triple.Set(2u, fromInts(env, d.profiles[p].maxValues[i]));
      values.Set(g.tensors[g.inputs[i]].name, triple);
    }
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("shapes", po);
    entry.Set("values", values);
    entry.Set("deviceMemorySize", Napi::Number::New(env, static_cast<double>(d.memory[p].arenaBytes)));
    profiles.Set(static_cast<uint32_t>(p), entry);
  }
  o.Set("profiles", profiles);
  Napi::Array layers = Napi::Array::New(env);
  for (size_t pos = 0; pos < d.order.size(); ++pos) {
    const Node& n = g.nodes[d.order[pos]];
    Napi::Object l = Napi::Object::New(env);
    l.Set("name", n.name);
    l.Set("type", layerTypeName(n.type));
    l.Set("implementation", engine_->kernelBase(pos).implementation());
    Napi::Array ins = Napi::Array::New(env), outs = Napi::Array::New(env);
    for (int32_t t : n.inputs)
      if (t >= 0) ins.Set(ins.Length(), g.tensors[t].name);
    for (int32_t t : n.outputs) outs.Set(outs.Length(), g.tensors[t].name);
    l.Set("inputs", ins);
    l.Set("outputs", outs);
    if (n.has("fusedActivation")) l.Set("fusedActivation", Napi::Number::New(env, static_cast<double>(n.getInt("fusedActivation", -1))));
    layers.Set(static_cast<uint32_t>(pos), l);
  }
  o.Set("layers", layers);
  Napi::Array passLog = Napi::Array::New(env);
  for (const auto& s : d.passLog) passLog.Set(passLog.Length(), s);
  o.Set("passes", passLog);
  o.Set("deviceMemorySize", Napi::Number::New(env, static_cast<double>(engine_->deviceMemorySize())));
  o.Set("profilingVerbosity", Napi::Number::New(env, d.profilingVerbosity));
  return o;
}

Napi::Value AddonEngine::Serialize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!engine_) throwError(env, StatusCode::kDisposed, "engine has been disposed");
  auto bytes = std::make_unique<std::vector<uint8_t>>(callEngine(env, [&] { return serializePlan(engine_->desc()); }));
  size_t n = bytes->size();
  uint8_t* p = bytes->data();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(
      env, p, n, [](Napi::Env, void*, std::vector<uint8_t>* v) { delete v; }, bytes.release());
  return Napi::Uint8Array::New(env, n, ab, 0);
}

Napi::Value AddonEngine::CreateExecutionContext(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!engine_) throwError(env, StatusCode::kDisposed, "engine has been disposed");
  return AddonData::of(env).contextCtor.New({info.This(), info[0]});
}

void AddonEngine::Dispose(const Napi::CallbackInfo&) { engine_.reset(); }

}  // namespace trtn::addon
