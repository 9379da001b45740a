#include "AddonTrtOnnxParser.h"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "../../../addon/AddonData.h"
#include "../../../addon/AddonNetwork.h"

namespace trtn::trt::addon {

using trtn::addon::AddonNetwork;
using trtn::addon::argInt;
using trtn::addon::argString;
using trtn::addon::kNetworkTag;
using trtn::addon::throwError;
using trtn::addon::unwrapTagged;

namespace {

// What TensorRT logs during one call, delivered to the JS log function after it returns (TensorRT
// may log from its own threads, where JS cannot be called).
class CollectedLog {
 public:
  LogFn sink() {
    return [this](int severity, const std::string& message) {
      std::lock_guard<std::mutex> lock(mutex_);
      messages_.emplace_back(severity, message);
    };
  }
  void deliver(Napi::Env env, Napi::Value log) {
    if (!log.IsFunction()) return;
    Napi::Function fn = log.As<Napi::Function>();
    for (auto& [severity, message] : messages_) fn.Call({Napi::Number::New(env, severity), Napi::String::New(env, message)});
    messages_.clear();
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<int, std::string>> messages_;
};

}  // namespace

Napi::Function AddonTrtOnnxParser::Init(Napi::Env env) {
  return DefineClass(env, "NativeTrtOnnxParser",
                     {
                         InstanceMethod<&AddonTrtOnnxParser::Parse>("parse"),
                         InstanceMethod<&AddonTrtOnnxParser::ParseFromFile>("parseFromFile"),
                         InstanceMethod<&AddonTrtOnnxParser::SupportsOperator>("supportsOperator"),
                         InstanceMethod<&AddonTrtOnnxParser::Errors>("errors"),
                         InstanceMethod<&AddonTrtOnnxParser::ClearErrors>("clearErrors"),
                         InstanceMethod<&AddonTrtOnnxParser::GetFlags>("getFlags"),
                         InstanceMethod<&AddonTrtOnnxParser::SetFlags>("setFlags"),
                         InstanceMethod<&AddonTrtOnnxParser::Dispose>("dispose"),
                     });
}

AddonTrtOnnxParser::AddonTrtOnnxParser(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonTrtOnnxParser>(info) {
  Napi::Env env = info.Env();
  unwrapTagged<AddonNetwork>(info[0], kNetworkTag, "a NetworkDefinition");
  networkRef_ = Napi::Persistent(info[0]);
  checkNetworkEmpty(env);
  CollectedLog log;
  Status s = captureStatus([&] { parser_ = TrtOnnxNetwork::create(log.sink()); });
  log.deliver(env, info[1]);
  trtn::addon::throwIfFailed(env, s);
}

TrtOnnxNetwork& AddonTrtOnnxParser::parser(Napi::Env env) {
  if (!parser_) throwError(env, StatusCode::kDisposed, "the ONNX parser has been disposed");
  return *parser_;
}

void AddonTrtOnnxParser::checkNetworkEmpty(Napi::Env env) {
  AddonNetwork* network = AddonNetwork::Unwrap(networkRef_.Value().As<Napi::Object>());
  if (network->tensorrtNetwork())
    throwError(env, StatusCode::kInvalidState, "the network was already imported by nvonnxparser; create a new network for another model");
  if (!network->isEmpty())
    throwError(env, StatusCode::kInvalidState,
               "nvonnxparser imports into an empty network, and this one already has inputs or layers; create a new network");
}

Napi::Value AddonTrtOnnxParser::finishParse(Napi::Env env, bool ok) {
  if (ok) {
    // The JS network now describes TensorRT's: its inputs and outputs as TensorRT has them.
    TrtOnnxNetwork::Interface io = trtn::addon::callEngine(env, [&] { return parser_->describe(); });
    AddonNetwork* network = AddonNetwork::Unwrap(networkRef_.Value().As<Napi::Object>());
    network->adoptTensorRTNetwork(parser_, std::move(io.io), std::move(io.shapeInputs), io.numLayers);
  }
  return Napi::Boolean::New(env, ok);
}

Napi::Value AddonTrtOnnxParser::Parse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TrtOnnxNetwork& p = parser(env);
  if (!info[0].IsTypedArray()) throwError(env, StatusCode::kInvalidArgument, "Expected a Uint8Array (ONNX model bytes) for model");
  Napi::TypedArray bytes = info[0].As<Napi::TypedArray>();
  const auto* data = static_cast<const uint8_t*>(bytes.ArrayBuffer().Data()) + bytes.ByteOffset();
  std::string modelPath;
  bool hasPath = info[1].IsString();
  if (hasPath) modelPath = info[1].As<Napi::String>().Utf8Value();
  if (!p.parsed()) checkNetworkEmpty(env);
  CollectedLog log;
  bool ok = false;
  // The parser reads the bytes during the call only (the caller's buffer may be reused after).
  Status s = captureStatus([&] { ok = p.parse(data, bytes.ByteLength(), hasPath ? &modelPath : nullptr, log.sink()); });
  log.deliver(env, info[2]);
  trtn::addon::throwIfFailed(env, s);
  return finishParse(env, ok);
}

Napi::Value AddonTrtOnnxParser::ParseFromFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TrtOnnxNetwork& p = parser(env);
  std::string path = argString(info, 0, "onnxModelFile");
  auto verbosity = static_cast<int32_t>(argInt(info, 1, "verbosity"));
  if (!p.parsed()) checkNetworkEmpty(env);
  CollectedLog log;
  bool ok = false;
  Status s = captureStatus([&] { ok = p.parseFromFile(path, verbosity, log.sink()); });
  log.deliver(env, info[2]);
  trtn::addon::throwIfFailed(env, s);
  return finishParse(env, ok);
}

Napi::Value AddonTrtOnnxParser::SupportsOperator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string op = argString(info, 0, "opName");
  return Napi::Boolean::New(env, parser(env).supportsOperator(op));
}

Napi::Value AddonTrtOnnxParser::Errors(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::vector<OnnxParserErrorInfo>& errors = parser(env).errors();
  Napi::Array out = Napi::Array::New(env, errors.size());
  for (size_t i = 0; i < errors.size(); ++i) {
    const OnnxParserErrorInfo& e = errors[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("code", e.code);
    o.Set("desc", e.desc);
    o.Set("file", e.file);
    o.Set("line", e.line);
    o.Set("func", e.func);
    o.Set("node", e.node);
    o.Set("nodeName", e.nodeName);
    o.Set("nodeOperator", e.nodeOperator);
    Napi::Array stack = Napi::Array::New(env, e.localFunctionStack.size());
    for (size_t k = 0; k < e.localFunctionStack.size(); ++k) stack.Set(static_cast<uint32_t>(k), e.localFunctionStack[k]);
    o.Set("localFunctionStack", stack);
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

void AddonTrtOnnxParser::ClearErrors(const Napi::CallbackInfo& info) { parser(info.Env()).clearErrors(); }

Napi::Value AddonTrtOnnxParser::GetFlags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::Number::New(env, parser(env).flags());
}

void AddonTrtOnnxParser::SetFlags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t flags = argInt(info, 0, "flags");
  if (flags < 0 || flags > 0x1f) throwError(env, StatusCode::kInvalidArgument, "Expected OnnxParserFlags (bits 0 to 4) for flags");
  // TensorRT's parser needs an IBuilderConfig (IParser::setBuilderConfig) with this flag, which
  // this binding never gives it: parsing would fail on DLA checks it cannot make.
  constexpr int64_t kReportCapabilityDla = int64_t{1} << static_cast<int32_t>(nvonnxparser::OnnxParserFlag::kREPORT_CAPABILITY_DLA);
  if (flags & kReportCapabilityDla)
    throwError(env, StatusCode::kUnsupported,
               "OnnxParserFlag.REPORT_CAPABILITY_DLA needs a builder config given to TensorRT's parser (IParser::setBuilderConfig), "
               "which the nvonnxparser implementation does not pass; leave the flag unset");
  parser(env).setFlags(static_cast<uint32_t>(flags));
}

void AddonTrtOnnxParser::Dispose(const Napi::CallbackInfo&) {
  // The network keeps TensorRT's objects while it describes them; they go with the last holder.
  parser_.reset();
  networkRef_.Reset();
}

}  // namespace trtn::trt::addon
