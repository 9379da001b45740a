// NativeCudaStream: a cudaStream_t with a priority and flags. Promises for work queued on it
// settle through a host callback (cudaStreamAddCallback, which, unlike cudaLaunchHostFunc, also
// runs when the context has failed, so no Promise hangs) that posts to a thread-safe function;
// the JS thread never blocks. The TSFN is ref'd only while work is pending.
#pragma once

#include <napi.h>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "../../engine/Status.h"
#include "../CudaOwners.h"

namespace trtn::cuda::addon {

class AddonCudaStream : public Napi::ObjectWrap<AddonCudaStream> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit AddonCudaStream(const Napi::CallbackInfo& info);
  ~AddonCudaStream() override;

  // [JS thread] The stream; throws DISPOSED after dispose().
  const std::shared_ptr<CudaStream>& stream(Napi::Env env) const;
  // [JS thread] A Promise that settles when the work queued so far has run, keeping `keep` (JS
  // values) and `holds` (native memory) alive until then. `then` (optional) runs on the JS thread
  // after the work and before the Promise resolves, e.g. to copy a staging buffer out.
  // `result` (optional) gives the value the Promise resolves with (undefined without it).
  Napi::Promise completion(Napi::Env env, std::vector<Napi::Reference<Napi::Value>> keep,
                           std::vector<std::shared_ptr<const void>> holds,
                           std::function<Status(Napi::Env)> then = nullptr,
                           std::function<Napi::Value(Napi::Env)> result = nullptr);
  // Called once, from any thread, after the last launch of work that another thread queues; a
  // failure rejects the Promise with it (still after the work queued so far has run).
  using Arm = std::function<void(Status failure)>;
  // [JS thread] As completion(), for work that another thread queues later: the Promise settles
  // once `arm` has been called and the stream has run everything queued before that call. The
  // caller must call `arm` exactly once, or the Promise never settles.
  Napi::Promise laterCompletion(Napi::Env env, std::vector<Napi::Reference<Napi::Value>> keep,
                                std::vector<std::shared_ptr<const void>> holds,
                                std::function<Napi::Value(Napi::Env)> result, Arm& arm);

  struct Completion;

 private:
  Napi::Value Done(const Napi::CallbackInfo& info);
  void Synchronize(const Napi::CallbackInfo& info);
  Napi::Value Query(const Napi::CallbackInfo& info);
  void WaitEvent(const Napi::CallbackInfo& info);
  Napi::Value Pending(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);

  struct Core {
    std::shared_ptr<CudaStream> stream;
    std::atomic<bool> tsfnAlive{true};
  };
  static void settle(Napi::Env env, Napi::Function, Core*, Completion* c);
  static void CUDART_CB onStream(cudaStream_t, cudaError_t status, void* data);
  using Tsfn = Napi::TypedThreadSafeFunction<Core, Completion, &AddonCudaStream::settle>;

  std::shared_ptr<Core> core_;
  std::shared_ptr<CudaStream> stream_;  // null once disposed; callbacks keep the core's copy
  Tsfn tsfn_;
  int64_t pending_ = 0;  // JS thread only
  bool tsfnRefed_ = false;
};

}  // namespace trtn::cuda::addon
