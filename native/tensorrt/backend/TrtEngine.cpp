#include "TrtEngine.h"

namespace trtn::trt {

std::string TrtEngine::inspect(nvinfer1::LayerInformationFormat format, int32_t layerIndex,
                               const nvinfer1::IExecutionContext* context) const {
  std::lock_guard<std::mutex> lock(inspectorMutex_);
  TrtLogScope logScope(runtime_->messages());
  TrtErrorRecorder& recorder = runtime_->recorder();
  uint64_t mark = recorder.mark();
  TrtUnique<nvinfer1::IEngineInspector> inspector(engine_->createEngineInspector());
  if (!inspector) recorder.fail(mark, "createEngineInspector failed");
  if (context && !inspector->setExecutionContext(context)) recorder.fail(mark, "IEngineInspector::setExecutionContext failed");
  char const* text = layerIndex < 0 ? inspector->getEngineInformation(format) : inspector->getLayerInformation(layerIndex, format);
  if (!text) recorder.fail(mark, layerIndex < 0 ? "getEngineInformation failed" : "getLayerInformation failed");
  return std::string(text);  // copied before the inspector (which owns the string) is deleted
}

std::vector<uint8_t> TrtEngine::serialize() {
  if (!refitted_) return plan_;
  TrtLogScope logScope(runtime_->messages());
  TrtErrorRecorder& recorder = runtime_->recorder();
  uint64_t mark = recorder.mark();
  TrtUnique<nvinfer1::IHostMemory> bytes(engine_->serialize());
  if (!bytes || !bytes->data() || bytes->size() == 0) recorder.fail(mark, "ICudaEngine::serialize failed");
  const auto* p = static_cast<const uint8_t*>(bytes->data());
  // Kept as the engine's plan until the next refit.
  plan_ = wrapper_ ? wrapTensorRTPlan(p, bytes->size(), *wrapper_) : std::vector<uint8_t>(p, p + bytes->size());
  refitted_ = false;
  return plan_;
}

}  // namespace trtn::trt
