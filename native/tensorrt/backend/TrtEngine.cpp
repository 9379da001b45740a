#include "TrtEngine.h"

namespace trtn::trt {

std::string TrtEngine::inspect(nvinfer1::LayerInformationFormat format, int32_t layerIndex,
                               const nvinfer1::IExecutionContext* context) const {
  std::lock_guard<std::mutex> lock(inspectorMutex_);
  TrtErrorRecorder& recorder = runtime_->recorder();
  uint64_t mark = recorder.mark();
  TrtUnique<nvinfer1::IEngineInspector> inspector(engine_->createEngineInspector());
  if (!inspector) recorder.fail(mark, "createEngineInspector failed");
  if (context && !inspector->setExecutionContext(context)) recorder.fail(mark, "IEngineInspector::setExecutionContext failed");
  char const* text = layerIndex < 0 ? inspector->getEngineInformation(format) : inspector->getLayerInformation(layerIndex, format);
  if (!text) recorder.fail(mark, layerIndex < 0 ? "getEngineInformation failed" : "getLayerInformation failed");
  return std::string(text);  // copied before the inspector (which owns the string) is deleted
}

}  // namespace trtn::trt
