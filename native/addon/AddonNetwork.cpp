#include "AddonNetwork.h"

#include <cmath>

#include "../engine/Inference.h"
#include "../engine/Ops.h"
#include "AddonData.h"

namespace trtn::addon {

Napi::Function AddonNetwork::Init(Napi::Env env) {
  return DefineClass(env, "NativeNetwork",
                     {
                         InstanceMethod<&AddonNetwork::AddInput>("addInput"),
                         InstanceMethod<&AddonNetwork::AddLayer>("addLayer"),
                         InstanceMethod<&AddonNetwork::SetLayerAttr>("setLayerAttr"),
                         InstanceMethod<&AddonNetwork::GetLayerAttr>("getLayerAttr"),
                         InstanceMethod<&AddonNetwork::SetLayerInput>("setLayerInput"),
                         InstanceMethod<&AddonNetwork::SetLayerName>("setLayerName"),
                         InstanceMethod<&AddonNetwork::SetLayerMetadata>("setLayerMetadata"),
                         InstanceMethod<&AddonNetwork::LayerInfo>("layerInfo"),
                         InstanceMethod<&AddonNetwork::TensorInfo>("tensorInfo"),
                         InstanceMethod<&AddonNetwork::IsShapeTensor>("isShapeTensor"),
                         InstanceMethod<&AddonNetwork::SetTensorName>("setTensorName"),
                         InstanceMethod<&AddonNetwork::SetTensorDims>("setTensorDims"),
                         InstanceMethod<&AddonNetwork::SetTensorFormats>("setTensorFormats"),
                         InstanceMethod<&AddonNetwork::SetDimensionName>("setDimensionName"),
                         InstanceMethod<&AddonNetwork::MarkOutput>("markOutput"),
                         InstanceMethod<&AddonNetwork::UnmarkOutput>("unmarkOutput"),
                         InstanceMethod<&AddonNetwork::Counts>("counts"),
                         InstanceMethod<&AddonNetwork::InputTensor>("inputTensor"),
                         InstanceMethod<&AddonNetwork::OutputTensor>("outputTensor"),
                         InstanceMethod<&AddonNetwork::GetName>("getName"),
                         InstanceMethod<&AddonNetwork::SetName>("setName"),
                         InstanceMethod<&AddonNetwork::Validate>("validate"),
                         InstanceMethod<&AddonNetwork::Dispose>("dispose"),
                     });
}

AddonNetwork::AddonNetwork(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonNetwork>(info) {
  info.This().As<Napi::Object>().TypeTag(&kNetworkTag);
}

int32_t AddonNetwork::layerArg(const Napi::CallbackInfo& info, size_t i) {
#ifdef TRTN_WITH_TENSORRT
  if (tensorrtNetwork_)
    throwError(info.Env(), StatusCode::kUnsupported,
               "the network was imported by nvonnxparser; its layers are TensorRT's and are not visible through this API "
               "(parse with the built-in OnnxParser to inspect or edit layers)");
#endif
  int64_t id = argInt(info, i, "layer");
  if (id < 0 || id >= static_cast<int64_t>(graph_.nodes.size()))
    throwError(info.Env(), StatusCode::kInvalidArgument, "layer " + std::to_string(id) + " does not exist in this network");
  return static_cast<int32_t>(id);
}

void AddonNetwork::refuseIfImported(Napi::Env env, const char* what) const {
#ifdef TRTN_WITH_TENSORRT
  if (tensorrtNetwork_)
    throwError(env, StatusCode::kUnsupported,
               std::string("the network was imported by nvonnxparser; ") + what +
                   " is refused: TensorRT's network is built as the parser made it (parse with the built-in OnnxParser to edit the network)");
#else
  (void)env, (void)what;
#endif
}

#ifdef TRTN_WITH_TENSORRT
void AddonNetwork::adoptTensorRTNetwork(std::shared_ptr<trt::TrtOnnxNetwork> imported, Graph io, std::vector<bool> shapeInputs,
                                        int32_t numLayers) {
  weightRefs_.clear();
  graph_ = std::move(io);
  dirty_ = false;
  tensorrtNetwork_ = std::move(imported);
  tensorrtShapeInputs_ = std::move(shapeInputs);
  tensorrtLayers_ = numLayers;
}
#endif

int32_t AddonNetwork::tensorArg(const Napi::CallbackInfo& info, size_t i) {
  int64_t id = argInt(info, i, "tensor");
  if (id < 0 || id >= static_cast<int64_t>(graph_.tensors.size()))
    throwError(info.Env(), StatusCode::kInvalidArgument, "tensor " + std::to_string(id) + " does not exist in this network");
  return static_cast<int32_t>(id);
}

namespace {

bool isDetached(Napi::Env env, Napi::ArrayBuffer ab) {
  bool detached = false;
  napi_is_detached_arraybuffer(env, ab, &detached);
  return detached;
}

// Address of a typed array's first element; null (with `ok` false) when detached.
const void* typedArrayAddress(Napi::Env env, Napi::TypedArray ta, size_t& byteLength, bool& ok) {
  Napi::ArrayBuffer ab = ta.ArrayBuffer();
  ok = !isDetached(env, ab);
  byteLength = ok ? ta.ByteLength() : 0;
  if (!ok) return nullptr;
  return static_cast<const uint8_t*>(ab.Data()) + ta.ByteOffset();
}

}  // namespace

AttrValue AddonNetwork::toAttr(Napi::Env env, int32_t layer, const std::string& key, Napi::Value v) {
  if (v.IsBoolean()) return static_cast<int64_t>(v.As<Napi::Boolean>().Value() ? 1 : 0);
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.007199254740992e15) return static_cast<int64_t>(d);
    return d;
  }
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  if (v.IsArray()) {
    Napi::Array a = v.As<Napi::Array>();
    std::vector<double> values(a.Length());
    bool integral = true;
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Value e = a.Get(i);
      if (!e.IsNumber()) throwError(env, StatusCode::kInvalidArgument, "Expected an array of numbers for attribute " + key);
      values[i] = e.As<Napi::Number>().DoubleValue();
      integral = integral && std::floor(values[i]) == values[i];
    }
    if (integral) return std::vector<int64_t>(values.begin(), values.end());
    return values;
  }
  if (v.IsObject()) {
    // Weights: { type: DataType, values: TypedArray, count? } (count for the packed 4-bit types)
    Napi::Object o = v.As<Napi::Object>();
    Napi::Value values = o.Get("values");
    Napi::Value type = o.Get("type");
    if (!values.IsTypedArray() || !type.IsNumber())
      throwError(env, StatusCode::kInvalidArgument, "Expected Weights ({ type, values }) for attribute " + key);
    Weights w;
    w.type = static_cast<DataType>(type.As<Napi::Number>().Int32Value());
    size_t elem = dataTypeSize(w.type);
    if (!isSupportedDataType(w.type) || (elem == 0 && !isPackedType(w.type)))
      throwError(env, StatusCode::kUnsupported, "weights of type " + std::string(dataTypeName(w.type)) + " are not supported");
    bool ok = false;
    size_t bytes = 0;
    const void* p = typedArrayAddress(env, values.As<Napi::TypedArray>(), bytes, ok);
    if (!ok) throwError(env, StatusCode::kInvalidArgument, "weights for attribute " + key + " use a detached ArrayBuffer");
    if (isPackedType(w.type)) {
      // Two values a byte: the byte length alone cannot tell an odd count, so Weights passes it.
      const int64_t most = static_cast<int64_t>(bytes) * 2;
      Napi::Value c = o.Get("count");
      w.count = c.IsNumber() ? c.As<Napi::Number>().Int64Value() : most;
      if (w.count > most || w.count < most - 1)
        throwError(env, StatusCode::kInvalidArgument, "weights for attribute " + key + " have " + std::to_string(bytes) +
                                                          " bytes of " + dataTypeName(w.type) + ", which hold " +
                                                          std::to_string(most - 1) + " or " + std::to_string(most) +
                                                          " values, not " + std::to_string(w.count));
    } else {
      if (bytes % elem != 0)
        throwError(env, StatusCode::kInvalidArgument, "weights for attribute " + key + " have " + std::to_string(bytes) +
                                                          " bytes, not a multiple of the element size");
      w.count = static_cast<int64_t>(bytes / elem);
    }
    if (w.count > 0) w.data = std::shared_ptr<const void>(p, [](const void*) {});
    weightRefs_[{layer, key}] = Napi::Persistent(values);
    return w;
  }
  throwError(env, StatusCode::kInvalidArgument, "unsupported value for attribute " + key);
}

void AddonNetwork::refreshWeights(Napi::Env env) {
  for (auto& [slot, ref] : weightRefs_) {
    Node& node = graph_.nodes[slot.first];
    auto it = node.attrs.find(slot.second);
    if (it == node.attrs.end()) continue;
    Weights* w = std::get_if<Weights>(&it->second);
    if (!w) continue;
    bool ok = false;
    size_t bytes = 0;
    const void* p = typedArrayAddress(env, ref.Value().As<Napi::TypedArray>(), bytes, ok);
    if (!ok || bytes < w->byteSize())
      throwError(env, StatusCode::kInvalidArgument,
                 "the weights '" + slot.second + "' of layer '" + node.name +
                     "' were detached or shrunk after they were set; weights must stay alive and unchanged in size until the build");
    w->data = w->count > 0 ? std::shared_ptr<const void>(p, [](const void*) {}) : nullptr;
  }
}

void AddonNetwork::ensureInferred(Napi::Env env) {
  if (!dirty_) return;
  refreshWeights(env);
  inferInPlace(graph_);  // errors stay on the layers; build reports them
  dirty_ = false;
}

Graph AddonNetwork::snapshotForBuild(Napi::Env env) {
  refreshWeights(env);
  Graph copy = graph_;
  copy.materialize();
  return copy;
}

Napi::Value AddonNetwork::AddInput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  refuseIfImported(env, "addInput");
  std::string name = argString(info, 0, "name");
  auto type = static_cast<DataType>(argInt(info, 1, "type"));
  Dims dims = argInts(info, 2, "dims");
  if (graph_.findTensor(name) >= 0) throwError(env, StatusCode::kInvalidArgument, "addInput: a tensor named '" + name + "' already exists");
  if (!isSupportedDataType(type))
    throwError(env, StatusCode::kUnsupported, std::string("addInput: data type ") + dataTypeName(type) + " is not supported");
  if (dims.size() > 8) throwError(env, StatusCode::kInvalidArgument, "addInput: rank " + std::to_string(dims.size()) + " exceeds 8");
  for (int64_t d : dims)
    if (d < -1) throwError(env, StatusCode::kInvalidArgument, "addInput: dimension " + std::to_string(d) + " is invalid (use -1 for dynamic)");
  TensorDesc t;
  t.name = name;
  t.type = type;
  t.dims = dims;
  t.isInput = true;
  int32_t id = graph_.addTensor(std::move(t));
  graph_.inputs.push_back(id);
  dirty_ = true;
  return Napi::Number::New(env, id);
}

Napi::Value AddonNetwork::AddLayer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  refuseIfImported(env, "adding a layer");
  auto type = static_cast<LayerType>(argInt(info, 0, "type"));
  std::string name = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : std::string();
  std::vector<int64_t> inputs = argInts(info, 2, "inputs");
  const OpDef* def = findOpDef(type);
  // LOOP is the builder's outlined form of a loop, not a layer networks contain.
  if (!def || def->numOutputs < 0)
    throwError(env, StatusCode::kUnsupported,
               std::string("layer type ") + layerTypeName(type) + " is not implemented by the built-in engine");
  ensureInferred(env);
  for (int64_t t : inputs)
    if (t < -1 || t >= static_cast<int64_t>(graph_.tensors.size()))
      throwError(env, StatusCode::kInvalidArgument, "input tensor " + std::to_string(t) + " does not belong to this network");
  Node node;
  int32_t id = static_cast<int32_t>(graph_.nodes.size());
  node.name = name.empty() ? std::string("(Unnamed Layer* ") + std::to_string(id) + ") [" + def->name + "]" : name;
  node.type = type;
  node.inputs.assign(inputs.begin(), inputs.end());
  size_t tensorsBefore = graph_.tensors.size();
  // Attributes refer to the layer id, so add the node first and roll back on failure.
  graph_.addNode(std::move(node), def->numOutputs);
  auto rollback = [&] {
    graph_.nodes.pop_back();
    graph_.tensors.resize(tensorsBefore);
    for (auto it = weightRefs_.begin(); it != weightRefs_.end();)
      it = it->first.first == id ? weightRefs_.erase(it) : std::next(it);
  };
  // toAttr reports bad attributes as TrtErrors with their own code (UNSUPPORTED weights type,
  // INVALID_ARGUMENT values); they pass through as they are, not through captureStatus, which
  // would turn them into INTERNAL_ERROR.
  try {
    if (info[3].IsObject()) {
      Napi::Object attrs = info[3].As<Napi::Object>();
      Napi::Array keys = attrs.GetPropertyNames();
      for (uint32_t k = 0; k < keys.Length(); ++k) {
        std::string key = keys.Get(k).As<Napi::String>().Utf8Value();
        Napi::Value v = attrs.Get(key);
        if (v.IsUndefined() || v.IsNull()) continue;
        graph_.nodes[id].attrs[key] = toAttr(env, id, key, v);
      }
    }
  } catch (...) {
    rollback();
    throw;
  }
  Status s = captureStatus([&] { inferNodeInPlace(graph_, id); });
  if (!s.ok()) {
    rollback();
    throwIfFailed(env, s);
  }
  return Napi::Number::New(env, id);
}

void AddonNetwork::SetLayerAttr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t id = layerArg(info, 0);
  std::string key = argString(info, 1, "key");
  if (info[2].IsUndefined() || info[2].IsNull()) {
    graph_.nodes[id].attrs.erase(key);
    weightRefs_.erase({id, key});
  } else {
    graph_.nodes[id].attrs[key] = toAttr(env, id, key, info[2]);
  }
  dirty_ = true;
}

Napi::Value AddonNetwork::GetLayerAttr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t id = layerArg(info, 0);
  std::string key = argString(info, 1, "key");
  const Node& node = graph_.nodes[id];
  auto it = node.attrs.find(key);
  if (it == node.attrs.end()) return env.Undefined();
  const AttrValue& v = it->second;
  if (auto p = std::get_if<int64_t>(&v)) return Napi::Number::New(env, static_cast<double>(*p));
  if (auto p = std::get_if<double>(&v)) return Napi::Number::New(env, *p);
  if (auto p = std::get_if<std::vector<int64_t>>(&v)) return fromInts(env, *p);
  if (auto p = std::get_if<std::vector<double>>(&v)) {
    Napi::Array a = Napi::Array::New(env, p->size());
    for (size_t i = 0; i < p->size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, (*p)[i]));
    return a;
  }
  if (auto p = std::get_if<std::string>(&v)) return Napi::String::New(env, *p);
  if (auto p = std::get_if<Weights>(&v)) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("type", Napi::Number::New(env, static_cast<int32_t>(p->type)));
    auto ref = weightRefs_.find({id, key});
    o.Set("values", ref != weightRefs_.end() ? ref->second.Value() : env.Null());
    o.Set("count", Napi::Number::New(env, static_cast<double>(p->count)));
    return o;
  }
  return env.Undefined();
}

void AddonNetwork::SetLayerInput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t id = layerArg(info, 0);
  int64_t index = argInt(info, 1, "index");
  int32_t tensor = tensorArg(info, 2);
  const OpDef& def = opDef(graph_.nodes[id].type);
  if (index < 0 || index >= def.maxInputs)
    throwError(env, StatusCode::kInvalidArgument, "setInput: index " + std::to_string(index) + " is out of range for layer '" +
                                                      graph_.nodes[id].name + "' (at most " + std::to_string(def.maxInputs) + " inputs)");
  for (int32_t o : graph_.nodes[id].outputs)
    // A recurrence may carry its value unchanged (next = its own output: the back edge).
    if (o == tensor && !(graph_.nodes[id].type == LayerType::kRECURRENCE && index == 1))
      throwError(env, StatusCode::kInvalidArgument, "setInput: a layer cannot read its own output");
  auto& inputs = graph_.nodes[id].inputs;
  if (static_cast<int64_t>(inputs.size()) <= index) inputs.resize(index + 1, -1);
  inputs[index] = tensor;
  dirty_ = true;
}

void AddonNetwork::SetLayerName(const Napi::CallbackInfo& info) {
  int32_t id = layerArg(info, 0);
  graph_.nodes[id].name = argString(info, 1, "name");
}

void AddonNetwork::SetLayerMetadata(const Napi::CallbackInfo& info) {
  int32_t id = layerArg(info, 0);
  graph_.nodes[id].metadata = argString(info, 1, "metadata");
}

Napi::Value AddonNetwork::LayerInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t id = layerArg(info, 0);
  ensureInferred(env);
  const Node& n = graph_.nodes[id];
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", n.name);
  o.Set("type", Napi::Number::New(env, static_cast<int32_t>(n.type)));
  o.Set("inputs", fromInts(env, std::vector<int64_t>(n.inputs.begin(), n.inputs.end())));
  o.Set("outputs", fromInts(env, std::vector<int64_t>(n.outputs.begin(), n.outputs.end())));
  o.Set("metadata", n.metadata);
  return o;
}

Napi::Value AddonNetwork::TensorInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t id = tensorArg(info, 0);
  ensureInferred(env);
  const TensorDesc& t = graph_.tensors[id];
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", t.name);
  o.Set("type", Napi::Number::New(env, static_cast<int32_t>(t.type)));
  // A tensor whose producer failed inference has no dims: report unknown rank as TensorRT does.
  bool inferred = t.isInput || t.inferred;
  o.Set("dims", inferred ? Napi::Value(fromInts(env, t.dims)) : env.Null());
  o.Set("isInput", Napi::Boolean::New(env, t.isInput));
  o.Set("isOutput", Napi::Boolean::New(env, t.isOutput));
  o.Set("allowedFormats", Napi::Number::New(env, t.allowedFormats));
  o.Set("producer", Napi::Number::New(env, t.producer));
  Napi::Array names = Napi::Array::New(env, t.dimNames.size());
  for (size_t i = 0; i < t.dimNames.size(); ++i) names.Set(static_cast<uint32_t>(i), t.dimNames[i]);
  o.Set("dimNames", names);
  return o;
}

Napi::Value AddonNetwork::IsShapeTensor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t id = tensorArg(info, 0);
  ensureInferred(env);
  const TensorDesc& t = graph_.tensors[id];
  // Shape tensors are 0-D or 1-D; a network input must also be INT32 or INT64 to carry values
  // that the context reads when it resolves shapes.
#ifdef TRTN_WITH_TENSORRT
  if (tensorrtNetwork_) {
    // TensorRT decided at parse time (ITensor::isShapeTensor of each input).
    auto at = std::find(graph_.inputs.begin(), graph_.inputs.end(), id);
    size_t index = static_cast<size_t>(at - graph_.inputs.begin());
    return Napi::Boolean::New(env, at != graph_.inputs.end() && index < tensorrtShapeInputs_.size() && tensorrtShapeInputs_[index]);
  }
#endif
  bool shape = findShapeTensors(graph_)[id] && (t.isInput ? canBeShapeTensorInput(t) : t.dims.size() <= 1);
  return Napi::Boolean::New(env, shape);
}

void AddonNetwork::SetTensorName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  refuseIfImported(env, "renaming a tensor");
  int32_t id = tensorArg(info, 0);
  std::string name = argString(info, 1, "name");
  int32_t existing = graph_.findTensor(name);
  if (existing >= 0 && existing != id)
    throwError(env, StatusCode::kInvalidArgument, "setName: another tensor is already named '" + name + "'");
  graph_.tensors[id].name = name;
}

void AddonNetwork::SetTensorDims(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  refuseIfImported(env, "setDimensions");
  int32_t id = tensorArg(info, 0);
  if (!graph_.tensors[id].isInput)
    throwError(env, StatusCode::kInvalidState, "setDimensions: only network inputs can be given dimensions ('" +
                                                   graph_.tensors[id].name + "' is computed by a layer)");
  graph_.tensors[id].dims = argInts(info, 1, "dims");
  dirty_ = true;
}

void AddonNetwork::SetTensorFormats(const Napi::CallbackInfo& info) {
  refuseIfImported(info.Env(), "allowedFormats");
  int32_t id = tensorArg(info, 0);
  graph_.tensors[id].allowedFormats = static_cast<uint32_t>(argInt(info, 1, "formats"));
}

void AddonNetwork::SetDimensionName(const Napi::CallbackInfo& info) {
  refuseIfImported(info.Env(), "setDimensionName");
  int32_t id = tensorArg(info, 0);
  int64_t index = argInt(info, 1, "index");
  auto& names = graph_.tensors[id].dimNames;
  if (index < 0 || index >= 8) throwError(info.Env(), StatusCode::kInvalidArgument, "setDimensionName: index out of range");
  if (static_cast<int64_t>(names.size()) <= index) names.resize(index + 1);
  names[index] = argString(info, 2, "name");
}

void AddonNetwork::MarkOutput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  refuseIfImported(env, "markOutput");
  int32_t id = tensorArg(info, 0);
  TensorDesc& t = graph_.tensors[id];
  if (t.isInput) throwError(env, StatusCode::kInvalidArgument, "markOutput: network input '" + t.name + "' cannot be an output");
  if (t.isOutput) return;
  t.isOutput = true;
  graph_.outputs.push_back(id);
}

void AddonNetwork::UnmarkOutput(const Napi::CallbackInfo& info) {
  refuseIfImported(info.Env(), "unmarkOutput");
  int32_t id = tensorArg(info, 0);
  graph_.tensors[id].isOutput = false;
  auto& outs = graph_.outputs;
  outs.erase(std::remove(outs.begin(), outs.end(), id), outs.end());
}

Napi::Value AddonNetwork::Counts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  double layers = static_cast<double>(graph_.nodes.size());
#ifdef TRTN_WITH_TENSORRT
  if (tensorrtNetwork_) layers = tensorrtLayers_;
#endif
  o.Set("layers", Napi::Number::New(env, layers));
  o.Set("inputs", Napi::Number::New(env, static_cast<double>(graph_.inputs.size())));
  o.Set("outputs", Napi::Number::New(env, static_cast<double>(graph_.outputs.size())));
  o.Set("tensors", Napi::Number::New(env, static_cast<double>(graph_.tensors.size())));
  return o;
}

Napi::Value AddonNetwork::InputTensor(const Napi::CallbackInfo& info) {
  int64_t i = argInt(info, 0, "index");
  if (i < 0 || i >= static_cast<int64_t>(graph_.inputs.size())) return info.Env().Null();
  return Napi::Number::New(info.Env(), graph_.inputs[i]);
}

Napi::Value AddonNetwork::OutputTensor(const Napi::CallbackInfo& info) {
  int64_t i = argInt(info, 0, "index");
  if (i < 0 || i >= static_cast<int64_t>(graph_.outputs.size())) return info.Env().Null();
  return Napi::Number::New(info.Env(), graph_.outputs[i]);
}

Napi::Value AddonNetwork::GetName(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), graph_.name); }

void AddonNetwork::SetName(const Napi::CallbackInfo& info) { graph_.name = argString(info, 0, "name"); }

Napi::Value AddonNetwork::Validate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#ifdef TRTN_WITH_TENSORRT
  if (tensorrtNetwork_) return env.Null();  // TensorRT's parser validated it
#endif
  refreshWeights(env);
  Status s = inferInPlace(graph_);
  dirty_ = false;
  if (s.ok()) return env.Null();
  return makeError(env, s).Value();
}

void AddonNetwork::Dispose(const Napi::CallbackInfo&) {
  weightRefs_.clear();
  graph_ = Graph{};
#ifdef TRTN_WITH_TENSORRT
  tensorrtNetwork_.reset();  // TensorRT's objects go when the parser and running builds let go too
  tensorrtShapeInputs_.clear();
  tensorrtLayers_ = 0;
#endif
}

}  // namespace trtn::addon
