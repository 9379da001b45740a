// A deserialized TensorRT engine: the ICudaEngine, the runtime it came from (kept alive: an
// IRuntime must outlive its engines) and the plan bytes it came from. Execution contexts
// and refitters hold the engine through a shared_ptr, so it outlives them. Methods run on the JS
// thread; the engine itself may be shared by contexts running on several streams.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "../common/TrtPlan.h"
#include "TrtObjects.h"
#include "TrtRuntime.h"

namespace trtn::trt {

class TrtEngine {
 public:
  // `wrapper`: the record of a wrapped plan (serialize() wraps again with it); none for raw plans.
  TrtEngine(std::shared_ptr<TrtRuntime> runtime, TrtUnique<nvinfer1::ICudaEngine> engine, std::vector<uint8_t> plan,
            std::optional<TrtPlanMeta> wrapper)
      : runtime_(std::move(runtime)), engine_(std::move(engine)), plan_(std::move(plan)), wrapper_(std::move(wrapper)) {}
  TrtEngine(const TrtEngine&) = delete;
  TrtEngine& operator=(const TrtEngine&) = delete;

  nvinfer1::ICudaEngine& engine() const { return *engine_; }
  TrtRuntime& runtime() const { return *runtime_; }
  const std::shared_ptr<TrtRuntime>& runtimePtr() const { return runtime_; }
  // The plan of the engine as it is now, in the form it came in (wrapped or raw): the bytes it was
  // deserialized from until a refit changed its weights, then ICudaEngine::serialize(). [JS thread]
  std::vector<uint8_t> serialize();
  // Called after a successful refitCudaEngine: the stored bytes no longer describe the engine.
  void markRefitted() { refitted_ = true; }

  // IEngineInspector output (copied: TensorRT reuses the string on the next call). `context`
  // (optional) makes the inspector report that context's shapes; pass one only under that
  // context's lock (TrtExecutionContext::inspect does). layerIndex < 0: the whole engine.
  std::string inspect(nvinfer1::LayerInformationFormat format, int32_t layerIndex,
                      const nvinfer1::IExecutionContext* context) const;

 private:
  std::shared_ptr<TrtRuntime> runtime_;   // declared first: destroyed after the engine
  TrtUnique<nvinfer1::ICudaEngine> engine_;
  std::vector<uint8_t> plan_;
  std::optional<TrtPlanMeta> wrapper_;
  bool refitted_ = false;
  mutable std::mutex inspectorMutex_;  // inspector strings are not thread-safe
};

}  // namespace trtn::trt
