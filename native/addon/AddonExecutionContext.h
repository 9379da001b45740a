// NativeExecutionContext: an execution context of a NativeEngine. Holds a reference to its
// engine's JS object (parent outlives child) and to the buffers bound to its tensors.
#pragma once

#include <napi.h>

#include <atomic>
#include <map>
#include <memory>

#include "../engine/ExecutionContext.h"
#include "../engine/ThreadPool.h"
#include "NativeBuffer.h"

#ifdef TRTN_WITH_CUDA
namespace trtn {
struct CudaLibraries;
}
namespace trtn::cuda {
class CudaStream;
}
#endif

namespace trtn::addon {

class AddonExecutionContext : public Napi::ObjectWrap<AddonExecutionContext> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit AddonExecutionContext(const Napi::CallbackInfo& info);

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
  // [sync, JS thread] copyOutputs(stream | null, token, names, buffers): copies the outputs of a
  // finished cuda run (those deliver() gave `token`) into the buffers their output allocators
  // returned, device to device on `stream`; returns a Promise settling once copied, or, with no
  // stream (executeV2), copies on the blocking stream and returns undefined. Outputs not named
  // are dropped; the token is spent either way.
  Napi::Value CopyOutputs(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);

  ExecutionContext& context(Napi::Env env);
  // Snapshot plus holds on every buffer it reads or writes.
  ExecutionSnapshot prepare(Napi::Env env);
  // [JS thread] Records a finished run's data-dependent output dims and converts them for JS:
  // null when there are none, else [{ name, dims, data: ArrayBuffer | null }]. On the cuda
  // backend, outputs for output allocators stay in device memory: their entries carry `bytes` and
  // a `token` for CopyOutputs instead of data.
  Napi::Value deliver(Napi::Env env, const RunResult& result);
  // The engine runs on a device backend: tensors and activation memory must be device-accessible.
  bool onDevice() const;
  // Refuses memory the engine's backend cannot use (INVALID_ARGUMENT naming `what`).
  void requireUsable(Napi::Env env, const BufferMemory& mem, const std::string& what) const;
#ifdef TRTN_WITH_CUDA
  Napi::Value EnqueueCuda(const Napi::CallbackInfo& info);
  Napi::Value ExecuteCuda(Napi::Env env);
  std::shared_ptr<CudaLibraries> libraries(int device);
  std::shared_ptr<CudaLibraries> libs_;                  // created on the first run
  std::shared_ptr<cuda::CudaStream> syncStream_;         // executeV2's stream
  // Runs that wait for the GPU while launching (data-dependent shapes, WHILE loops) launch from
  // this thread, in submission order, so the JS thread never blocks; created on first use.
  std::shared_ptr<SerialQueue> hostQueue_;
  // Runs handed to hostQueue_ that have not finished launching: later runs follow them there, so
  // the stream sees every run in submission order.
  std::shared_ptr<std::atomic<int64_t>> hostRunsLaunching_ = std::make_shared<std::atomic<int64_t>>(0);
  // Outputs of finished runs for their output allocators, by token, until CopyOutputs.
  std::map<int64_t, std::vector<RunOutput>> pendingOutputs_;
  int64_t nextOutputsToken_ = 1;
#endif

  std::unique_ptr<ExecutionContext> context_;
  Napi::Reference<Napi::Value> engineRef_;
  std::map<std::string, Napi::Reference<Napi::Value>> boundBuffers_;
  std::map<std::string, NativeBuffer*> boundNative_;
  Napi::Reference<Napi::Value> memoryRef_;
  NativeBuffer* memoryBuffer_ = nullptr;
};

}  // namespace trtn::addon
