// NativeNetwork: the addon-owned graph IR behind a NetworkDefinition. Layers and tensors in JS
// are (network, id) views on it. Weights passed from JS stay JS-owned: the network holds a
// reference to each typed array and re-reads its address on the JS thread before any use, so a
// detached buffer is reported instead of read.
#pragma once

#include <napi.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../engine/Graph.h"

#ifdef TRTN_WITH_TENSORRT
namespace trtn::trt {
class TrtOnnxNetwork;
}
#endif

namespace trtn::addon {

class AddonNetwork : public Napi::ObjectWrap<AddonNetwork> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit AddonNetwork(const Napi::CallbackInfo& info);

  // [sync, JS thread] A copy that owns all its weights, for a build.
  Graph snapshotForBuild(Napi::Env env);
  // No inputs, layers or outputs yet.
  bool isEmpty() const { return graph_.tensors.empty() && graph_.nodes.empty(); }

#ifdef TRTN_WITH_TENSORRT
  // [sync, JS thread] After TensorRT's ONNX parser (OnnxParser implementation 'nvonnxparser')
  // filled `imported`: this network becomes a view of it (`io`: its inputs and outputs; its layer
  // count) and refuses edits; builds use `imported` as it is.
  void adoptTensorRTNetwork(std::shared_ptr<trt::TrtOnnxNetwork> imported, Graph io, std::vector<bool> shapeInputs,
                            int32_t numLayers);
  // The imported network, or null for one defined through this API.
  const std::shared_ptr<trt::TrtOnnxNetwork>& tensorrtNetwork() const { return tensorrtNetwork_; }
  // Per input (indexed like Graph::inputs) of the imported network: a shape tensor input.
  const std::vector<bool>& tensorrtShapeInputs() const { return tensorrtShapeInputs_; }
#endif

 private:
  Napi::Value AddInput(const Napi::CallbackInfo& info);
  Napi::Value AddLayer(const Napi::CallbackInfo& info);
  void SetLayerAttr(const Napi::CallbackInfo& info);
  Napi::Value GetLayerAttr(const Napi::CallbackInfo& info);
  void SetLayerInput(const Napi::CallbackInfo& info);
  void SetLayerName(const Napi::CallbackInfo& info);
  void SetLayerMetadata(const Napi::CallbackInfo& info);
  Napi::Value LayerInfo(const Napi::CallbackInfo& info);
  Napi::Value TensorInfo(const Napi::CallbackInfo& info);
  Napi::Value IsShapeTensor(const Napi::CallbackInfo& info);
  void SetTensorName(const Napi::CallbackInfo& info);
  void SetTensorDims(const Napi::CallbackInfo& info);
  void SetTensorFormats(const Napi::CallbackInfo& info);
  void SetDimensionName(const Napi::CallbackInfo& info);
  void MarkOutput(const Napi::CallbackInfo& info);
  void UnmarkOutput(const Napi::CallbackInfo& info);
  Napi::Value Counts(const Napi::CallbackInfo& info);
  Napi::Value InputTensor(const Napi::CallbackInfo& info);
  Napi::Value OutputTensor(const Napi::CallbackInfo& info);
  Napi::Value GetName(const Napi::CallbackInfo& info);
  void SetName(const Napi::CallbackInfo& info);
  Napi::Value Validate(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);

  AttrValue toAttr(Napi::Env env, int32_t layer, const std::string& key, Napi::Value v);
  void refreshWeights(Napi::Env env);
  void ensureInferred(Napi::Env env);
  int32_t layerArg(const Napi::CallbackInfo& info, size_t i);
  int32_t tensorArg(const Napi::CallbackInfo& info, size_t i);
  // Throws UNSUPPORTED for a network TensorRT's ONNX parser imported (`what` names the edit).
  void refuseIfImported(Napi::Env env, const char* what) const;

  Graph graph_;
  bool dirty_ = false;  // shapes need a full re-inference
  // (layer, attribute) -> the JS typed array holding that weight.
  std::map<std::pair<int32_t, std::string>, Napi::Reference<Napi::Value>> weightRefs_;
#ifdef TRTN_WITH_TENSORRT
  std::shared_ptr<trt::TrtOnnxNetwork> tensorrtNetwork_;
  std::vector<bool> tensorrtShapeInputs_;
  int32_t tensorrtLayers_ = 0;
#endif
};

}  // namespace trtn::addon
