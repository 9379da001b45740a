#include "AddonStream.h"

#include "AddonData.h"
#include "AddonThreadPool.h"
#include "../engine/PoolScope.h"

namespace trtn::addon {

struct AddonStream::Completion {
  Napi::Promise::Deferred deferred;
  StreamJob job;
  Status status;
  AddonStream* stream;
};

Napi::Function AddonStream::Init(Napi::Env env) {
  return DefineClass(env, "NativeStream",
                     {
                         InstanceMethod<&AddonStream::Done>("done"),
                         InstanceMethod<&AddonStream::Synchronize>("synchronize"),
                         InstanceMethod<&AddonStream::Query>("query"),
                         InstanceMethod<&AddonStream::Pending>("pending"),
                     });
}

AddonStream::AddonStream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonStream>(info) {
  Napi::Env env = info.Env();
  info.This().As<Napi::Object>().TypeTag(&kStreamTag);
  core_ = std::make_shared<Core>();
  if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) {
    core_->pool = AddonThreadPool::poolOf(info[0]);
    if (!core_->pool) throwError(env, StatusCode::kInvalidState, "the thread pool has been disposed");
  }
  auto* finalizerHold = new std::shared_ptr<Core>(core_);
  tsfn_ = Tsfn::New(env, "tensorrt-node.stream", 0, 1, core_.get(), [](Napi::Env, std::shared_ptr<Core>* hold, Core*) {
    // Runs on the JS thread when the TSFN is released or the environment shuts down.
    (*hold)->queue.drain();
    (*hold)->tsfnAlive = false;
    delete hold;
  }, finalizerHold);
  tsfn_.Unref(env);
}

AddonStream::~AddonStream() {
  // Finish queued work before the function its jobs report through goes away; if the
  // environment is shutting down, the TSFN finalizer has already drained the queue.
  if (core_->tsfnAlive) {
    core_->queue.drain();
    tsfn_.Release();
  }
}

void AddonStream::settle(Napi::Env env, Napi::Function, Core*, Completion* c) {
  if (!env) {
    // The environment is shutting down: JS handles in the completion are already invalid, so
    // they are left unreleased rather than touched.
    return;
  }
  std::unique_ptr<Completion> owned(c);
  AddonStream* self = c->stream;
  try {
    Napi::HandleScope scope(env);
    if (c->status.ok()) {
      Napi::Value value = env.Undefined();
      if (c->job.result) {
        Status s = captureStatus([&] { value = c->job.result(env); });
        if (!s.ok()) c->status = s;
      }
      if (c->status.ok()) c->deferred.Resolve(value);
    }
    if (!c->status.ok()) c->deferred.Reject(makeError(env, c->status).Value());
    if (--self->pending_ == 0 && self->tsfnRefed_) {
      self->tsfn_.Unref(env);
      self->tsfnRefed_ = false;
    }
  } catch (const Napi::Error&) {
    // worker.terminate(): JS can no longer run, so N-API calls fail with a pending exception.
    // Nothing can observe the promise any more; an exception escaping this callback would abort
    // the whole process.
  }
}

Napi::Promise AddonStream::submit(Napi::Env env, StreamJob job) {
  auto* c = new Completion{Napi::Promise::Deferred::New(env), std::move(job), Status::Ok(), this};
  Napi::Promise promise = c->deferred.Promise();
  c->job.keep.push_back(Napi::Persistent(Value().As<Napi::Value>()));
  if (++pending_ == 1 && !tsfnRefed_) {
    tsfn_.Ref(env);
    tsfnRefed_ = true;
  }
  Tsfn tsfn = tsfn_;
  core_->queue.push([c, tsfn, pool = core_->pool]() mutable {
    PoolScope scope(pool.get());
    if (c->job.work) c->status = c->job.work();
    // The queue size is unbounded, so this only fails while the environment is closing.
    tsfn.NonBlockingCall(c);
  });
  return promise;
}

Napi::Value AddonStream::Done(const Napi::CallbackInfo& info) { return submit(info.Env(), StreamJob{}); }

void AddonStream::Synchronize(const Napi::CallbackInfo&) { core_->queue.drain(); }

Napi::Value AddonStream::Query(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), core_->queue.idle()); }

Napi::Value AddonStream::Pending(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(pending_));
}

}  // namespace trtn::addon
