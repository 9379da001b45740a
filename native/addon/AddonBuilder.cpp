#include "AddonBuilder.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "../engine/Builder.h"
#include "../engine/Engine.h"
#include "../engine/Plan.h"
#include "../engine/ThreadPool.h"
#include "AddonData.h"
#include "AddonEngine.h"
#include "AddonNetwork.h"
#ifdef TRTN_WITH_CUDA
#include "../cuda/addon/AddonGpuAllocator.h"
#include "../cuda/addon/cudaModule.h"
#endif

namespace trtn::addon {

namespace {

// Builds and async deserializations run here, one at a time, so a long build never occupies a
// kernel worker or the libuv pool. Process-wide: the queue holds no JS state.
SerialQueue& buildQueue() {
  static SerialQueue* q = new SerialQueue();  // never destroyed: jobs may outlive static teardown order
  return *q;
}

BuildConfig readConfig(Napi::Env env, Napi::Value v) {
  BuildConfig c;
  if (!v.IsObject()) throwError(env, StatusCode::kInvalidArgument, "Expected a builder config object");
  Napi::Object o = v.As<Napi::Object>();
  auto intOr = [&](const char* key, int64_t fallback) {
    Napi::Value x = o.Get(key);
    return x.IsNumber() ? x.As<Napi::Number>().Int64Value() : fallback;
  };
  c.backend = static_cast<BackendKind>(intOr("backend", 0));
  c.optimizationLevel = static_cast<int32_t>(intOr("optimizationLevel", 3));
  c.avgTimingIterations = static_cast<int32_t>(intOr("avgTimingIterations", 1));
  c.profilingVerbosity = static_cast<int32_t>(intOr("profilingVerbosity", 0));
  c.workspaceLimit = intOr("workspaceLimit", -1);
  Napi::Value profiles = o.Get("profiles");
  if (profiles.IsArray()) {
    Napi::Array arr = profiles.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      ProfileSpec spec;
      Napi::Object po = arr.Get(i).As<Napi::Object>();
      Napi::Array names = po.GetPropertyNames();
      for (uint32_t k = 0; k < names.Length(); ++k) {
        std::string name = names.Get(k).As<Napi::String>().Utf8Value();
        Napi::Array triple = po.Get(name).As<Napi::Array>();
        spec.shapes[name] = {toInts(env, triple.Get(0u), "MIN"), toInts(env, triple.Get(1u), "OPT"),
                             toInts(env, triple.Get(2u), "MAX")};
      }
      c.profiles.push_back(std::move(spec));
    }
  }
  // One entry per profile, parallel to `profiles`: shape tensor input name -> [MIN, OPT, MAX]
  // values.
  Napi::Value shapeValues = o.Get("shapeValues");
  if (shapeValues.IsArray()) {
    Napi::Array arr = shapeValues.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length() && i < c.profiles.size(); ++i) {
      if (!arr.Get(i).IsObject()) continue;
      Napi::Object po = arr.Get(i).As<Napi::Object>();
      Napi::Array names = po.GetPropertyNames();
      for (uint32_t k = 0; k < names.Length(); ++k) {
        std::string name = names.Get(k).As<Napi::String>().Utf8Value();
        Napi::Value tv = po.Get(name);
        if (!tv.IsArray()) throwError(env, StatusCode::kInvalidArgument, "Expected [MIN, OPT, MAX] shape values for '" + name + "'");
        Napi::Array triple = tv.As<Napi::Array>();
        c.profiles[i].values[name] = {toInts(env, triple.Get(0u), "MIN"), toInts(env, triple.Get(1u), "OPT"),
                                      toInts(env, triple.Get(2u), "MAX")};
      }
    }
  }
  return c;
}

Napi::Uint8Array toUint8Array(Napi::Env env, std::vector<uint8_t>&& data) {
  auto bytes = std::make_unique<std::vector<uint8_t>>(std::move(data));
  size_t n = bytes->size();
  uint8_t* p = bytes->data();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(
      env, p, n, [](Napi::Env, void*, std::vector<uint8_t>* v) { delete v; }, bytes.release());
  return Napi::Uint8Array::New(env, n, ab, 0);
}

// Events a build sends to the JS thread, in order; the last one settles the promise.
struct BuildEvent {
  enum Kind { kLog, kProgress, kDone } kind;
  int severity = 0;
  std::string text;
  int step = 0, total = 0;
  static BuildEvent* log(int severity, const std::string& text) { return new BuildEvent{kLog, severity, text, 0, 0}; }
  static BuildEvent* progress(const std::string& phase, int step, int total) {
    return new BuildEvent{kProgress, 0, phase, step, total};
  }
  static BuildEvent* done() { return new BuildEvent{kDone, 0, std::string(), 0, 0}; }
};

struct Latch {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  void signal() {
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
    cv.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [this] { return done; });
  }
};

struct BuildState {
  Napi::Promise::Deferred deferred;
  Napi::FunctionReference log;
  Napi::FunctionReference progress;
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  Status status;
  std::vector<uint8_t> plan;
  std::shared_ptr<const Engine> engine;  // for async deserialization
  bool wantEngine = false;
  // Signalled by the job after its last use of the state and the TSFN. The TSFN finalizer waits
  // for it and then deletes the state on the JS thread (its JS handles must die there). At
  // environment teardown Node deletes the TSFN right after finalizing it, so the job must be done
  // with it by then; it is told to stop through `cancelled`.
  std::shared_ptr<Latch> jobDone = std::make_shared<Latch>();
  explicit BuildState(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
};

void finalizeBuild(Napi::Env, void*, BuildState* state) {
  state->cancelled->store(true);
  state->jobDone->wait();
  delete state;
}

void deliverEvent(Napi::Env env, BuildState* state, const BuildEvent& event);

void deliver(Napi::Env env, Napi::Function, BuildState* state, BuildEvent* ev) {
  std::unique_ptr<BuildEvent> owned(ev);
  if (!env) return;  // environment closing
  try {
    deliverEvent(env, state, *ev);
  } catch (const Napi::Error&) {
    // worker.terminate(): JS can no longer run, so N-API calls fail with a pending exception.
    // Nothing can observe the build any more; an exception escaping this callback would abort
    // the whole process.
  }
}

void deliverEvent(Napi::Env env, BuildState* state, const BuildEvent& event) {
  const BuildEvent* ev = &event;
  Napi::HandleScope scope(env);
  switch (ev->kind) {
    case BuildEvent::kLog:
      if (!state->log.IsEmpty())
        state->log.Call({Napi::Number::New(env, ev->severity), Napi::String::New(env, ev->text)});
      break;
    case BuildEvent::kProgress:
      if (!state->progress.IsEmpty())
        state->progress.Call({Napi::String::New(env, ev->text), Napi::Number::New(env, ev->step), Napi::Number::New(env, ev->total)});
      break;
    case BuildEvent::kDone:
      if (!state->status.ok()) {
        state->deferred.Reject(makeError(env, state->status).Value());
      } else if (state->wantEngine) {
        state->deferred.Resolve(AddonEngine::wrap(env, std::move(state->engine)));
      } else {
        state->deferred.Resolve(toUint8Array(env, std::move(state->plan)));
      }
      break;
  }
  // A JS callback that threw must not leave an exception pending across the TSFN boundary.
  if (env.IsExceptionPending()) env.GetAndClearPendingException();
}

using BuildTsfn = Napi::TypedThreadSafeFunction<BuildState, BuildEvent, deliver>;

}  // namespace

Napi::Value AddonBuilder::BuildSerializedNetwork(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonNetwork* network = unwrapTagged<AddonNetwork>(info[0], kNetworkTag, "a NetworkDefinition");
  BuildConfig config = readConfig(env, info[1]);
  Graph graph = callEngine(env, [&] { return network->snapshotForBuild(env); });
  auto* state = new BuildState(env);
  if (info[2].IsFunction()) state->log = Napi::Persistent(info[2].As<Napi::Function>());
  if (info[3].IsFunction()) state->progress = Napi::Persistent(info[3].As<Napi::Function>());
  BuildTsfn tsfn = BuildTsfn::New(env, "tensorrt-node.build", 0, 1, state, finalizeBuild, static_cast<void*>(nullptr));
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", state->deferred.Promise());
  // cancel(): the next progress checkpoint in the build stops it with CANCELLED.
  // The flag is shared, not the state, so cancel() after the build finished is harmless.
  handle.Set("cancel", Napi::Function::New(env, [flag = state->cancelled](const Napi::CallbackInfo& ci) {
               flag->store(true);
               return ci.Env().Undefined();
             }));
  auto sharedGraph = std::make_shared<Graph>(std::move(graph));
  buildQueue().push([state, latch = state->jobDone, tsfn, sharedGraph, config]() mutable {
    LogFn log = [&](int sev, const std::string& msg) {
      tsfn.NonBlockingCall(BuildEvent::log(sev, msg));
    };
    ProgressFn progress = [&](const std::string& phase, int step, int total) {
      tsfn.NonBlockingCall(BuildEvent::progress(phase, step, total));
    };
    CancelFn cancelled = [&] { return state->cancelled->load(); };
    state->status = captureStatus([&] {
      EngineDesc desc = buildEngine(std::move(*sharedGraph), config, log, progress, cancelled);
      state->plan = serializePlan(desc);
    });
    tsfn.NonBlockingCall(BuildEvent::done());
    tsfn.Release();
    latch->signal();  // `state` may be deleted from here on
  });
  return handle;
}

Napi::Value AddonBuilder::BuildSerializedNetworkSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonNetwork* network = unwrapTagged<AddonNetwork>(info[0], kNetworkTag, "a NetworkDefinition");
  BuildConfig config = readConfig(env, info[1]);
  Graph graph = callEngine(env, [&] { return network->snapshotForBuild(env); });
  std::vector<std::pair<int, std::string>> messages;
  LogFn log = [&](int sev, const std::string& msg) { messages.emplace_back(sev, msg); };
  std::vector<uint8_t> plan;
  Status s = captureStatus([&] { plan = serializePlan(buildEngine(std::move(graph), config, log, nullptr)); });
  // The engine may log from its own threads, so messages are delivered after the build.
  if (info[2].IsFunction()) {
    Napi::Function fn = info[2].As<Napi::Function>();
    for (auto& [sev, msg] : messages) fn.Call({Napi::Number::New(env, sev), Napi::String::New(env, msg)});
  }
  throwIfFailed(env, s);
  return toUint8Array(env, std::move(plan));
}

namespace {

// Copies plan bytes out of a JS typed array (the caller may reuse it after the call returns).
std::shared_ptr<std::vector<uint8_t>> readBytes(Napi::Env env, Napi::Value v) {
  if (!v.IsTypedArray() && !v.IsArrayBuffer())
    throwError(env, StatusCode::kInvalidArgument, "Expected plan bytes (Uint8Array, Buffer or ArrayBuffer)");
  const uint8_t* p;
  size_t n;
  if (v.IsArrayBuffer()) {
    auto ab = v.As<Napi::ArrayBuffer>();
    p = static_cast<const uint8_t*>(ab.Data());
    n = ab.ByteLength();
  } else {
    auto ta = v.As<Napi::TypedArray>();
    p = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    n = ta.ByteLength();
  }
  return std::make_shared<std::vector<uint8_t>>(p, p + n);
}

}  // namespace

// deserializeEngine(bytes, allocator | null): the runtime's GPU allocator, for device backends.
static EngineOptions engineOptions(const Napi::CallbackInfo& info) {
  EngineOptions options;
#ifdef TRTN_WITH_CUDA
  if (info.Length() > 1 && info[1].IsObject())
    options.gpuAllocator =
        trtn::addon::unwrapTagged<cuda::addon::AddonGpuAllocator>(info[1], cuda::addon::kGpuAllocatorTag, "a built-in GPU allocator")
            ->allocator();
#else
  (void)info;
#endif
  return options;
}

Napi::Value AddonBuilder::DeserializeEngine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bytes = readBytes(env, info[0]);
  EngineOptions options = engineOptions(info);
  auto engine = callEngine(env, [&] {
    EngineDesc desc = deserializePlan(bytes->data(), bytes->size());
    return std::shared_ptr<const Engine>(Engine::create(std::move(desc), options));
  });
  return AddonEngine::wrap(env, std::move(engine));
}

Napi::Value AddonBuilder::DeserializeEngineAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bytes = readBytes(env, info[0]);
  auto* state = new BuildState(env);
  state->wantEngine = true;
  BuildTsfn tsfn = BuildTsfn::New(env, "tensorrt-node.deserialize", 0, 1, state, finalizeBuild, static_cast<void*>(nullptr));
  Napi::Promise promise = state->deferred.Promise();
  EngineOptions options = engineOptions(info);
  buildQueue().push([state, latch = state->jobDone, tsfn, bytes, options]() mutable {
    state->status = captureStatus([&] {
      EngineDesc desc = deserializePlan(bytes->data(), bytes->size());
      state->engine = Engine::create(std::move(desc), options);
    });
    tsfn.NonBlockingCall(BuildEvent::done());
    tsfn.Release();
    latch->signal();  // `state` may be deleted from here on
  });
  return promise;
}

Napi::Value AddonBuilder::InspectPlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bytes = readBytes(env, info[0]);
  Napi::Object o = Napi::Object::New(env);
  PlanKind kind = sniffPlan(bytes->data(), bytes->size());
  o.Set("kind", kind == PlanKind::kTensorRTNode ? "tensorrt-node" : kind == PlanKind::kForeign ? "foreign" : "too-short");
  if (kind == PlanKind::kTensorRTNode) {
    PlanHeader h = callEngine(env, [&] { return readPlanHeader(bytes->data(), bytes->size()); });
    o.Set("formatVersion", Napi::Number::New(env, h.formatVersion));
    o.Set("backend", backendName(h.backend));
    o.Set("producerVersion", Napi::Number::New(env, h.producerVersion));
    o.Set("payloadSize", Napi::Number::New(env, static_cast<double>(h.payloadSize)));
  }
  return o;
}

}  // namespace trtn::addon
