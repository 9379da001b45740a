#include "AddonThreadPool.h"

#include <algorithm>

#include "AddonData.h"

namespace trtn::addon {

namespace {
const napi_type_tag kThreadPoolTag = {0x2b4d6f8a1c3e5b79ULL, 0x5a7c9e1b3d5f7a28ULL};
}  // namespace

Napi::Object poolStats(Napi::Env env, const ThreadPool& pool) {
  Napi::Object o = Napi::Object::New(env);
  // The pool's helpers plus the calling (stream) thread, which always works too.
  o.Set("threads", Napi::Number::New(env, pool.size() + 1));
  o.Set("queued", Napi::Number::New(env, static_cast<double>(pool.queued())));
  o.Set("active", Napi::Number::New(env, static_cast<double>(pool.active())));
  o.Set("completed", Napi::Number::New(env, static_cast<double>(pool.completed())));
  return o;
}

Napi::Function AddonThreadPool::Init(Napi::Env env) {
  return DefineClass(env, "NativeThreadPool",
                     {
                         InstanceMethod<&AddonThreadPool::Stats>("stats"),
                         InstanceMethod<&AddonThreadPool::Dispose>("dispose"),
                     });
}

AddonThreadPool::AddonThreadPool(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonThreadPool>(info) {
  int64_t threads = argInt(info, 0, "threads");
  if (threads < 1 || threads > 1024)
    throwError(info.Env(), StatusCode::kInvalidArgument, "threads must be between 1 and 1024");
  info.This().As<Napi::Object>().TypeTag(&kThreadPoolTag);
  threads_ = static_cast<int>(threads);
  // As the global pool: the stream thread takes part, so threads-1 helpers (at least one).
  pool_ = std::make_shared<ThreadPool>(std::max(1, threads_ - 1));
}

std::shared_ptr<ThreadPool> AddonThreadPool::poolOf(Napi::Value value) {
  return unwrapTagged<AddonThreadPool>(value, kThreadPoolTag, "a NativeThreadPool")->pool_;
}

Napi::Value AddonThreadPool::Stats(const Napi::CallbackInfo& info) {
  if (!pool_) throwError(info.Env(), StatusCode::kInvalidState, "the thread pool has been disposed");
  return poolStats(info.Env(), *pool_);
}

void AddonThreadPool::Dispose(const Napi::CallbackInfo&) { pool_.reset(); }

}  // namespace trtn::addon
