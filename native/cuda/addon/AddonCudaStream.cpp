#include "AddonCudaStream.h"

#include "../../addon/AddonData.h"
#include "../CudaRuntime.h"
#include "AddonCudaEvent.h"
#include "cudaModule.h"

namespace trtn::cuda::addon {

using trtn::addon::makeError;
using trtn::addon::throwError;
using trtn::addon::throwIfFailed;

struct AddonCudaStream::Completion {
  Napi::Promise::Deferred deferred;
  std::vector<Napi::Reference<Napi::Value>> keep;
  std::vector<std::shared_ptr<const void>> holds;
  std::function<Status(Napi::Env)> then;
  std::function<Napi::Value(Napi::Env)> result;
  Status status;
  AddonCudaStream* owner;
  Tsfn tsfn;
};

Napi::Function AddonCudaStream::Init(Napi::Env env) {
  return DefineClass(env, "NativeCudaStream",
                     {
                         InstanceMethod<&AddonCudaStream::Done>("done"),
                         InstanceMethod<&AddonCudaStream::Synchronize>("synchronize"),
                         InstanceMethod<&AddonCudaStream::Query>("query"),
                         InstanceMethod<&AddonCudaStream::WaitEvent>("waitEvent"),
                         InstanceMethod<&AddonCudaStream::Pending>("pending"),
                         InstanceMethod<&AddonCudaStream::Info>("info"),
                         InstanceMethod<&AddonCudaStream::Dispose>("dispose"),
                     });
}

// new NativeCudaStream(device, flags, priority)
AddonCudaStream::AddonCudaStream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonCudaStream>(info) {
  Napi::Env env = info.Env();
  info.This().As<Napi::Object>().TypeTag(&kCudaStreamTag);
  int device = static_cast<int>(trtn::addon::argInt(info, 0, "device"));
  unsigned flags = static_cast<unsigned>(trtn::addon::argInt(info, 1, "flags"));
  int priority = static_cast<int>(trtn::addon::argInt(info, 2, "priority"));
  stream_ = trtn::addon::callEngine(env, [&] {
    requireDevice(device);
    return std::make_shared<CudaStream>(device, flags, priority);
  });
  core_ = std::make_shared<Core>();
  core_->stream = stream_;
  auto* hold = new std::shared_ptr<Core>(core_);
  tsfn_ = Tsfn::New(env, "tensorrt-node.cuda-stream", 0, 1, core_.get(), [](Napi::Env, std::shared_ptr<Core>* h, Core*) {
    // Environment teardown or release: every callback must have posted before the TSFN goes.
    if ((*h)->stream) cudaStreamSynchronize((*h)->stream->get());
    (*h)->tsfnAlive = false;
    delete h;
  }, hold);
  tsfn_.Unref(env);
}

AddonCudaStream::~AddonCudaStream() {
  if (core_ && core_->tsfnAlive) tsfn_.Release();
}

const std::shared_ptr<CudaStream>& AddonCudaStream::stream(Napi::Env env) const {
  if (!stream_) throwError(env, StatusCode::kDisposed, "the CUDA stream has been disposed");
  return stream_;
}

void CUDART_CB AddonCudaStream::onStream(cudaStream_t, cudaError_t status, void* data) {
  // A CUDA thread: no CUDA calls allowed here, and nothing that blocks the stream.
  auto* c = static_cast<Completion*>(data);
  if (status != cudaSuccess) c->status = statusOf(status, "work queued on the stream");
  c->tsfn.NonBlockingCall(c);
}

void AddonCudaStream::settle(Napi::Env env, Napi::Function, Core* core, Completion* c) {
  if (!env) return;  // shutting down: JS handles are invalid, leave them
  std::unique_ptr<Completion> owned(c);
  try {
    Napi::HandleScope scope(env);
    if (c->status.ok() && c->then) c->status = c->then(env);
    if (c->status.ok()) c->deferred.Resolve(c->result ? c->result(env) : env.Undefined());
    else c->deferred.Reject(makeError(env, c->status).Value());
  } catch (const Napi::Error&) {
    // worker.terminate(): JS can no longer run; an exception escaping this callback would abort
    // the whole process. The bookkeeping below still runs.
  }
  c->holds.clear();  // frees disposed buffers' memory here, on the JS thread
  AddonCudaStream* self = c->owner;
  if (--self->pending_ == 0) {
    if (self->tsfnRefed_) {
      self->tsfn_.Unref(env);
      self->tsfnRefed_ = false;
    }
    if (!self->stream_) core->stream.reset();  // disposed while work was pending
  }
}

Napi::Promise AddonCudaStream::laterCompletion(Napi::Env env, std::vector<Napi::Reference<Napi::Value>> keep,
                                               std::vector<std::shared_ptr<const void>> holds,
                                               std::function<Napi::Value(Napi::Env)> result, Arm& arm) {
  std::shared_ptr<CudaStream> s = stream(env);
  auto* c = new Completion{Napi::Promise::Deferred::New(env), std::move(keep), std::move(holds), nullptr, std::move(result),
                           Status::Ok(), this, tsfn_};
  c->keep.push_back(Napi::Persistent(Value().As<Napi::Value>()));
  Napi::Promise promise = c->deferred.Promise();
  arm = [c, s](Status failure) {
    if (!failure.ok()) c->status = std::move(failure);
    const cudaError_t err = cudaStreamAddCallback(s->get(), &AddonCudaStream::onStream, c, 0);
    if (err != cudaSuccess) {
      if (c->status.ok()) c->status = statusOf(err, "cudaStreamAddCallback");
      // No callback will say when the queued work is done: wait for it here (a host thread)
      // before the holds are released.
      cudaStreamSynchronize(s->get());
      c->tsfn.NonBlockingCall(c);
    }
  };
  if (++pending_ == 1 && !tsfnRefed_) {
    tsfn_.Ref(env);
    tsfnRefed_ = true;
  }
  return promise;
}

Napi::Promise AddonCudaStream::completion(Napi::Env env, std::vector<Napi::Reference<Napi::Value>> keep,
                                          std::vector<std::shared_ptr<const void>> holds,
                                          std::function<Status(Napi::Env)> then,
                                          std::function<Napi::Value(Napi::Env)> result) {
  cudaStream_t s = stream(env)->get();
  auto* c = new Completion{Napi::Promise::Deferred::New(env), std::move(keep), std::move(holds), std::move(then),
                           std::move(result), Status::Ok(), this, tsfn_};
  c->keep.push_back(Napi::Persistent(Value().As<Napi::Value>()));
  Napi::Promise promise = c->deferred.Promise();
  cudaError_t err = cudaStreamAddCallback(s, &AddonCudaStream::onStream, c, 0);
  if (err != cudaSuccess) {
    Status st = statusOf(err, "cudaStreamAddCallback");
    // No callback will say when the queued work is done, and it may read the held memory: wait
    // for it before releasing them (a failure path; the JS thread blocks only here).
    cudaStreamSynchronize(s);
    c->deferred.Reject(makeError(env, st).Value());
    delete c;
    return promise;
  }
  if (++pending_ == 1 && !tsfnRefed_) {
    tsfn_.Ref(env);
    tsfnRefed_ = true;
  }
  return promise;
}

Napi::Value AddonCudaStream::Done(const Napi::CallbackInfo& info) { return completion(info.Env(), {}, {}); }

void AddonCudaStream::Synchronize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  throwIfFailed(env, statusOf(cudaStreamSynchronize(stream(env)->get()), "cudaStreamSynchronize"));
}

Napi::Value AddonCudaStream::Query(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cudaError_t err = cudaStreamQuery(stream(env)->get());
  if (err == cudaErrorNotReady) {
    cudaGetLastError();
    return Napi::Boolean::New(env, false);
  }
  throwIfFailed(env, statusOf(err, "cudaStreamQuery"));
  return Napi::Boolean::New(env, true);
}

// waitEvent(event): later work on this stream waits for the event's recorded work.
void AddonCudaStream::WaitEvent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonCudaEvent* event = trtn::addon::unwrapTagged<AddonCudaEvent>(info[0], kCudaEventTag, "a cuda.Event");
  throwIfFailed(env, statusOf(cudaStreamWaitEvent(stream(env)->get(), event->event(env)->get(), 0), "cudaStreamWaitEvent"));
}

Napi::Value AddonCudaStream::Pending(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(pending_));
}

Napi::Value AddonCudaStream::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& s = stream(env);
  Napi::Object o = Napi::Object::New(env);
  o.Set("device", s->device());
  o.Set("flags", static_cast<double>(s->flags()));
  o.Set("priority", s->priority());
  return o;
}

void AddonCudaStream::Dispose(const Napi::CallbackInfo&) {
  // Pending callbacks keep the core's stream alive; cudaStreamDestroy then waits for nothing.
  stream_.reset();
  if (pending_ == 0 && core_) core_->stream.reset();
}

}  // namespace trtn::cuda::addon
