// NativeThreadPool: a kernel thread pool of its own, for streams created with it (the JS
// ThreadPool class). Streams hold the pool by shared_ptr, so dispose() only drops this wrapper's
// hold: the workers exit once no stream that uses them is left.
#pragma once

#include <napi.h>

#include <memory>

#include "../engine/ThreadPool.h"

namespace trtn::addon {

class AddonThreadPool : public Napi::ObjectWrap<AddonThreadPool> {
 public:
  static Napi::Function Init(Napi::Env env);
  // [sync, JS thread] new NativeThreadPool(threads): threads counts the calling stream thread.
  explicit AddonThreadPool(const Napi::CallbackInfo& info);

  // The pool behind a NativeThreadPool value (null once disposed); throws for other values.
  static std::shared_ptr<ThreadPool> poolOf(Napi::Value value);

 private:
  // [sync, JS thread] { threads, queued, active, completed }.
  Napi::Value Stats(const Napi::CallbackInfo& info);
  // [sync, JS thread] Drops this wrapper's hold on the pool.
  void Dispose(const Napi::CallbackInfo& info);

  std::shared_ptr<ThreadPool> pool_;
  int threads_ = 0;
};

// { threads, queued, active, completed } of a pool; threads counts the calling thread too.
Napi::Object poolStats(Napi::Env env, const ThreadPool& pool);

}  // namespace trtn::addon
