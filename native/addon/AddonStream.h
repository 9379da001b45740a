// NativeStream: an ordered work queue with its own thread (the CPU backend's stream). Work is
// submitted from the JS thread; each job's Promise settles on the JS thread through the stream's
// thread-safe function. The TSFN is ref'd only while work is pending, so an idle stream never
// keeps the process alive.
#pragma once

#include <napi.h>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "../engine/Status.h"
#include "../engine/ThreadPool.h"

namespace trtn::addon {

struct StreamJob {
  std::function<Status()> work;                    // runs on the stream thread
  std::function<Napi::Value(Napi::Env)> result;    // runs on the JS thread after success (optional)
  std::vector<Napi::Reference<Napi::Value>> keep;  // JS objects kept alive until settled
};

class AddonStream : public Napi::ObjectWrap<AddonStream> {
 public:
  static Napi::Function Init(Napi::Env env);
  // [sync, JS thread] new NativeStream(pool?): kernels of runs on this stream use `pool` (a
  // NativeThreadPool) instead of the global pool.
  explicit AddonStream(const Napi::CallbackInfo& info);
  ~AddonStream() override;

  // [JS thread] Queues a job and returns its Promise.
  Napi::Promise submit(Napi::Env env, StreamJob job);
  int64_t pending() const { return pending_; }

  struct Completion;

 private:
  Napi::Value Done(const Napi::CallbackInfo& info);
  void Synchronize(const Napi::CallbackInfo& info);
  Napi::Value Query(const Napi::CallbackInfo& info);
  Napi::Value Pending(const Napi::CallbackInfo& info);

  // Shared by the wrapper and the TSFN finalizer: whichever runs last frees it. At environment
  // teardown Node finalizes the TSFN first, and the finalizer must drain the queue so no job
  // touches the TSFN after Node deletes it.
  struct Core {
    // Declared before the queue, so the queue's thread is joined before the pool goes.
    std::shared_ptr<ThreadPool> pool;  // null: kernels use the global pool
    SerialQueue queue;
    std::atomic<bool> tsfnAlive{true};
  };

  static void settle(Napi::Env env, Napi::Function, Core*, Completion* c);
  using Tsfn = Napi::TypedThreadSafeFunction<Core, Completion, &AddonStream::settle>;

  std::shared_ptr<Core> core_;
  Tsfn tsfn_;
  int64_t pending_ = 0;  // JS-thread only
  bool tsfnRefed_ = false;
};

}  // namespace trtn::addon
