// NativeTrtOnnxParser: TensorRT's ONNX parser (nvonnxparser::IParser) over a NativeNetwork
// (typings/native.d.ts), behind OnnxParser({ implementation: 'nvonnxparser' }). Creating one loads
// TensorRT and makes the builder, network and parser (TrtOnnxNetwork); a successful parse hands
// them to the NativeNetwork, which from then on describes TensorRT's network and builds it as it
// is. Holds the network's JS object. JS thread only; parsing is synchronous, as TensorRT's is.
#pragma once

#include <napi.h>

#include <memory>

#include "../TrtOnnxNetwork.h"

namespace trtn::trt::addon {

class AddonTrtOnnxParser : public Napi::ObjectWrap<AddonTrtOnnxParser> {
 public:
  static Napi::Function Init(Napi::Env env);
  // new NativeTrtOnnxParser(network, log | null): the network must be empty. Throws
  // TENSORRT_UNAVAILABLE (no libnvinfer or no libnvonnxparser: the loader's reason), TENSORRT_ERROR
  // (TensorRT made no builder, network or parser), INVALID_STATE (the network is not empty).
  explicit AddonTrtOnnxParser(const Napi::CallbackInfo& info);

 private:
  // parse(bytes, modelPath | null, log | null) -> boolean
  Napi::Value Parse(const Napi::CallbackInfo& info);
  // parseFromFile(path, verbosity, log | null) -> boolean
  Napi::Value ParseFromFile(const Napi::CallbackInfo& info);
  Napi::Value SupportsOperator(const Napi::CallbackInfo& info);
  // errors() -> [{ code, desc, file, line, func, node, nodeName, nodeOperator, localFunctionStack }]
  Napi::Value Errors(const Napi::CallbackInfo& info);
  void ClearErrors(const Napi::CallbackInfo& info);
  Napi::Value GetFlags(const Napi::CallbackInfo& info);
  void SetFlags(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);

  TrtOnnxNetwork& parser(Napi::Env env);
  // Checks the network can still take the model; after a successful parse, hands it TensorRT's.
  void checkNetworkEmpty(Napi::Env env);
  Napi::Value finishParse(Napi::Env env, bool ok);

  std::shared_ptr<TrtOnnxNetwork> parser_;
  Napi::Reference<Napi::Value> networkRef_;
};

}  // namespace trtn::trt::addon
