// NativeExecutionContext for engines of the tensorrt backend (typings/native.d.ts). Holds its
// engine's JS object (parent outlives child) and the buffers bound to its tensors (their memory
// too, so a disposed buffer is never freed while TensorRT may still read it). Every method runs on
// the JS thread. enqueue() launches enqueueV3 on the caller's cuda.Stream and returns a Promise
// settled from a stream host callback through the stream's thread-safe function (the same
// completion the cuda backend uses); outputs that went to output allocators are copied to pinned
// memory in stream order and handed to JS when it settles. Runs with data-dependent output dims,
// for which TensorRT waits for the GPU inside enqueueV3, are launched from the context's host
// thread instead (the SerialQueue the cuda backend's data-dependent runs use), and later runs of
// the context follow them there until they have launched, so the stream sees every run in order;
// meanwhile setters only record their values (TrtExecutionContext.h) and a run requested then is
// checked on the host thread, rejecting its Promise when refused.
#pragma once

#include <napi.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../../../addon/NativeBuffer.h"
#include "../../../engine/ThreadPool.h"
#include "../TrtExecutionContext.h"

namespace trtn::trt::addon {

class AddonTrtEngine;
extern const napi_type_tag kTrtContextTag;

class AddonTrtExecutionContext : public Napi::ObjectWrap<AddonTrtExecutionContext> {
 public:
  static Napi::Function Init(Napi::Env env);
  // new NativeTrtExecutionContext(engine, strategy): made by NativeTrtEngine.createExecutionContext.
  explicit AddonTrtExecutionContext(const Napi::CallbackInfo& info);
  // Throws INVALID_ARGUMENT for anything but a live NativeTrtExecutionContext.
  static TrtExecutionContext* unwrapContext(Napi::Value value);

  // Outputs of a run that went to output allocators, copied to pinned host memory in stream order.
  struct StagedOutput {
    std::string name;
    std::vector<int64_t> dims;
    int64_t bytes = 0;
    std::shared_ptr<cuda::CudaMemory> host;
    // The output allocator's memory the copy reads, held until the run settles.
    std::shared_ptr<cuda::CudaMemory> device;
  };

 private:
  Napi::Value SetOptimizationProfile(const Napi::CallbackInfo& info);
  Napi::Value GetOptimizationProfile(const Napi::CallbackInfo& info);
  void SetInputShape(const Napi::CallbackInfo& info);
  Napi::Value GetTensorShape(const Napi::CallbackInfo& info);
  Napi::Value AllInputDimensionsSpecified(const Napi::CallbackInfo& info);
  Napi::Value InferShapes(const Napi::CallbackInfo& info);
  void SetTensorAddress(const Napi::CallbackInfo& info);
  Napi::Value GetTensorAddress(const Napi::CallbackInfo& info);
  void SetDeviceMemory(const Napi::CallbackInfo& info);
  Napi::Value UpdateDeviceMemorySizeForShapes(const Napi::CallbackInfo& info);
  void SetOutputAllocator(const Napi::CallbackInfo& info);
  Napi::Value GetMaxOutputSize(const Napi::CallbackInfo& info);
  Napi::Value Enqueue(const Napi::CallbackInfo& info);
  Napi::Value Execute(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);

  TrtExecutionContext& context(Napi::Env env);
  // Holds on every bound buffer and the device memory (DISPOSED when one was disposed).
  std::vector<std::shared_ptr<const void>> holds(Napi::Env env);
  // enqueueV3 on `stream`, then the stream-ordered copies of allocator outputs into `staged`.
  // Any thread. `launched` is set once the stream holds work of the run (it must then be waited
  // for before the run's memory is released, whatever the returned status says).
  static Status launch(TrtExecutionContext& ctx, cudaStream_t stream, const TrtExecutionContext::RunState& state,
                       std::vector<StagedOutput>& staged, bool& launched);
  static Napi::Value toJs(Napi::Env env, const std::vector<StagedOutput>& outputs);
  void flushLog(Napi::Env env);

  // Shared with runs in flight, which keep the IExecutionContext (and its memory) alive until they
  // settle, even when the context is disposed meanwhile.
  std::shared_ptr<TrtExecutionContext> context_;
  AddonTrtEngine* engine_ = nullptr;
  Napi::Reference<Napi::Value> engineRef_;
  std::map<std::string, Napi::Reference<Napi::Value>> boundBuffers_;
  // A bound buffer and a hold on its memory: TensorRT keeps the address (and reads host shape
  // tensor values from it outside runs), so disposing the buffer must not free it while bound.
  struct Bound {
    trtn::addon::NativeBuffer* buffer = nullptr;
    std::shared_ptr<const void> hold;
  };
  std::map<std::string, Bound> boundNative_;
  Napi::Reference<Napi::Value> memoryRef_;
  Bound memory_;
  // Runs with data-dependent outputs launch from this thread; created on first use.
  std::shared_ptr<SerialQueue> hostQueue_;
};

}  // namespace trtn::trt::addon
