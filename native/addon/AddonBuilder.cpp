#include "AddonBuilder.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "../engine/Builder.h"
#include "../engine/Engine.h"
#include "../engine/Plan.h"
#include "../engine/ThreadPool.h"
#include "../tensorrt/common/TrtAvailability.h"
#include "../tensorrt/common/TrtLibrary.h"
#include "../tensorrt/common/TrtPlan.h"
#include "AddonData.h"
#include "AddonEngine.h"
#include "AddonNetwork.h"
#ifdef TRTN_WITH_CUDA
#include "../cuda/CudaRuntime.h"
#include "../cuda/addon/AddonGpuAllocator.h"
#include "../cuda/addon/cudaModule.h"
#endif
#ifdef TRTN_WITH_TENSORRT
#include "../tensorrt/backend/TrtBuild.h"
#include "../tensorrt/backend/TrtEngine.h"
#include "../tensorrt/backend/TrtRuntime.h"
#include "../tensorrt/backend/addon/AddonTrtEngine.h"
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
  // BuilderFlag bitmask (lib/BuilderConfig.ts validates it: 31 bits at most).
  c.flags = static_cast<uint64_t>(intOr("flags", static_cast<int64_t>(c.flags)));
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
#ifdef TRTN_WITH_TENSORRT
  std::shared_ptr<trt::TrtEngine> trtEngine;  // for async deserialization of a TensorRT plan
#endif
  bool wantEngine = false;
  // config.timingCache: the JS box whose `bytes` the build replaces with the updated cache.
  Napi::ObjectReference timingCacheBox;
  std::optional<std::vector<uint8_t>> timingCacheOut;
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
#ifdef TRTN_WITH_TENSORRT
        if (state->trtEngine) {
          Napi::Value log = state->log.IsEmpty() ? env.Null() : state->log.Value().As<Napi::Value>();
          state->deferred.Resolve(trt::addon::AddonTrtEngine::wrap(env, std::move(state->trtEngine), log));
          break;
        }
#endif
        state->deferred.Resolve(AddonEngine::wrap(env, std::move(state->engine)));
      } else {
        if (!state->timingCacheBox.IsEmpty() && state->timingCacheOut)
          state->timingCacheBox.Value().Set("bytes", toUint8Array(env, std::move(*state->timingCacheOut)));
        state->deferred.Resolve(toUint8Array(env, std::move(state->plan)));
      }
      break;
  }
  // A JS callback that threw must not leave an exception pending across the TSFN boundary.
  if (env.IsExceptionPending()) env.GetAndClearPendingException();
}

using BuildTsfn = Napi::TypedThreadSafeFunction<BuildState, BuildEvent, deliver>;

// What a tensorrt build needs besides the BuildConfig: config.timingCache ({ bytes, ignoreMismatch }:
// the TensorRT timing cache to build with; the built-in backends do not consult one) and the
// builder's GPU allocator (5th argument of buildSerializedNetwork, 4th of the sync form).
struct TensorRTBuildInputs {
  bool wanted = false;
  std::optional<std::vector<uint8_t>> timingCache;
  bool ignoreMismatch = false;
  std::shared_ptr<void> gpuAllocator;  // a cuda::GpuAllocator
  int device = 0;
#ifdef TRTN_WITH_TENSORRT
  std::shared_ptr<trt::TrtOnnxNetwork> parsedNetwork;  // imported by nvonnxparser: built as it is
  std::vector<bool> parsedShapeInputs;
#endif
};

TensorRTBuildInputs readTensorRTInputs(Napi::Env env, const BuildConfig& config, Napi::Value configValue, Napi::Value allocator) {
  TensorRTBuildInputs in;
  if (config.backend != BackendKind::kTensorRT) return in;
  // Not built, no GPU or no libnvinfer: TENSORRT_UNAVAILABLE with the reason, before any work.
  callEngine(env, [] { trt::requireTensorRTBackend(); });
  in.wanted = true;
  Napi::Value box = configValue.As<Napi::Object>().Get("timingCache");
  if (box.IsObject()) {
    Napi::Value bytes = box.As<Napi::Object>().Get("bytes");
    std::vector<uint8_t> copy;
    if (bytes.IsTypedArray()) {
      auto ta = bytes.As<Napi::TypedArray>();
      const auto* p = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      copy.assign(p, p + ta.ByteLength());
    }
    in.timingCache = std::move(copy);
    in.ignoreMismatch = box.As<Napi::Object>().Get("ignoreMismatch").ToBoolean().Value();
  }
#ifdef TRTN_WITH_CUDA
  if (allocator.IsObject())
    in.gpuAllocator = unwrapTagged<cuda::addon::AddonGpuAllocator>(allocator, cuda::addon::kGpuAllocatorTag, "a built-in GPU allocator")
                          ->allocator();
  in.device = callEngine(env, [] { return cuda::currentDevice(); });
#else
  (void)allocator;
#endif
  return in;
}

// A network TensorRT's ONNX parser imported is TensorRT's network: only the tensorrt backend
// builds it, as it is.
void takeParsedNetwork(Napi::Env env, const AddonNetwork& network, TensorRTBuildInputs& in) {
#ifdef TRTN_WITH_TENSORRT
  if (!network.tensorrtNetwork()) return;
  if (!in.wanted)
    throwError(env, StatusCode::kUnsupported,
               "the network was imported by nvonnxparser; only a builder of the tensorrt backend can build it");
  in.parsedNetwork = network.tensorrtNetwork();
  in.parsedShapeInputs = network.tensorrtShapeInputs();
#else
  (void)env, (void)network, (void)in;
#endif
}

// Builds on the calling thread for the tensorrt backend (on the device current where the build
// was requested). Sets `timingCacheOut` when a timing cache was given.
std::vector<uint8_t> buildForTensorRT(const Graph& graph, const BuildConfig& config, const TensorRTBuildInputs& in,
                                      const LogFn& log, const ProgressFn& progress, const CancelFn& cancelled,
                                      std::optional<std::vector<uint8_t>>& timingCacheOut) {
#ifdef TRTN_WITH_TENSORRT
  cuda::DeviceGuard device(in.device);
  trt::TrtBuildOptions options;
  options.gpuAllocator = std::static_pointer_cast<cuda::GpuAllocator>(in.gpuAllocator);
  options.timingCache = in.timingCache;
  options.ignoreTimingCacheMismatch = in.ignoreMismatch;
  options.parsedNetwork = in.parsedNetwork;
  options.parsedShapeInputs = in.parsedShapeInputs;
  trt::TrtBuildResult result = trt::buildTensorRTPlan(graph, config, options, log, progress, cancelled);
  timingCacheOut = std::move(result.timingCache);
  return std::move(result.plan);
#else
  (void)graph, (void)config, (void)in, (void)log, (void)progress, (void)cancelled, (void)timingCacheOut;
  trt::requireTensorRTBackend();  // throws: this build has no TensorRT backend
  return {};
#endif
}

}  // namespace

Napi::Value AddonBuilder::BuildSerializedNetwork(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonNetwork* network = unwrapTagged<AddonNetwork>(info[0], kNetworkTag, "a NetworkDefinition");
  BuildConfig config = readConfig(env, info[1]);
  TensorRTBuildInputs trtInputs = readTensorRTInputs(env, config, info[1], info[4]);
  takeParsedNetwork(env, *network, trtInputs);
  Graph graph = callEngine(env, [&] { return network->snapshotForBuild(env); });
  auto* state = new BuildState(env);
  if (info[2].IsFunction()) state->log = Napi::Persistent(info[2].As<Napi::Function>());
  if (info[3].IsFunction()) state->progress = Napi::Persistent(info[3].As<Napi::Function>());
  if (trtInputs.timingCache) state->timingCacheBox = Napi::Persistent(info[1].As<Napi::Object>().Get("timingCache").As<Napi::Object>());
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
  buildQueue().push([state, latch = state->jobDone, tsfn, sharedGraph, config, trtInputs]() mutable {
    LogFn log = [&](int sev, const std::string& msg) {
      tsfn.NonBlockingCall(BuildEvent::log(sev, msg));
    };
    ProgressFn progress = [&](const std::string& phase, int step, int total) {
      tsfn.NonBlockingCall(BuildEvent::progress(phase, step, total));
    };
    CancelFn cancelled = [&] { return state->cancelled->load(); };
    state->status = captureStatus([&] {
      if (trtInputs.wanted) {
        state->plan = buildForTensorRT(*sharedGraph, config, trtInputs, log, progress, cancelled, state->timingCacheOut);
        return;
      }
      EngineDesc desc = buildEngine(std::move(*sharedGraph), config, log, progress, cancelled);
      state->plan = serializePlan(desc);
    });
    tsfn.NonBlockingCall(BuildEvent::done());
    tsfn.Release();
    latch->signal();  // `state` may be deleted from here on
  });
  return handle;
}

Napi::Value AddonBuilder::ReadBuildConfig(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  BuildConfig config = readConfig(env, info[0]);
  Napi::Object o = Napi::Object::New(env);
  o.Set("backend", static_cast<int32_t>(config.backend));
  o.Set("optimizationLevel", config.optimizationLevel);
  o.Set("avgTimingIterations", config.avgTimingIterations);
  o.Set("profilingVerbosity", config.profilingVerbosity);
  o.Set("workspaceLimit", static_cast<double>(config.workspaceLimit));
  o.Set("flags", static_cast<double>(config.flags));  // at most 31 bits (BuilderConfig.setFlags)
  o.Set("profiles", static_cast<uint32_t>(config.profiles.size()));
  return o;
}

Napi::Value AddonBuilder::BuildSerializedNetworkSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonNetwork* network = unwrapTagged<AddonNetwork>(info[0], kNetworkTag, "a NetworkDefinition");
  BuildConfig config = readConfig(env, info[1]);
  TensorRTBuildInputs trtInputs = readTensorRTInputs(env, config, info[1], info[3]);
  takeParsedNetwork(env, *network, trtInputs);
  Graph graph = callEngine(env, [&] { return network->snapshotForBuild(env); });
  std::vector<std::pair<int, std::string>> messages;
  std::mutex messagesMutex;  // TensorRT logs from its own threads too
  LogFn log = [&](int sev, const std::string& msg) {
    std::lock_guard<std::mutex> lock(messagesMutex);
    messages.emplace_back(sev, msg);
  };
  std::vector<uint8_t> plan;
  std::optional<std::vector<uint8_t>> timingCacheOut;
  Status s = captureStatus([&] {
    if (trtInputs.wanted) plan = buildForTensorRT(graph, config, trtInputs, log, nullptr, nullptr, timingCacheOut);
    else plan = serializePlan(buildEngine(std::move(graph), config, log, nullptr));
  });
  // The engine may log from its own threads, so messages are delivered after the build.
  if (info[2].IsFunction()) {
    Napi::Function fn = info[2].As<Napi::Function>();
    for (auto& [sev, msg] : messages) fn.Call({Napi::Number::New(env, sev), Napi::String::New(env, msg)});
  }
  throwIfFailed(env, s);
  if (timingCacheOut) info[1].As<Napi::Object>().Get("timingCache").As<Napi::Object>().Set("bytes", toUint8Array(env, std::move(*timingCacheOut)));
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

// A TensorRT plan (wrapped by us or raw from trtexec / the Python API) goes to the tensorrt
// backend; everything else to the built-in engine. Throws TENSORRT_UNAVAILABLE, naming why, when
// the backend cannot run here.
static bool isTensorRTPlan(Napi::Env env, const std::vector<uint8_t>& bytes) {
  trt::TrtPlanView view = callEngine(env, [&] { return trt::viewTensorRTPlan(bytes.data(), bytes.size()); });
  if (view.form == trt::TrtPlanForm::kNotTensorRT) return false;
  trt::BackendAvailability a = trt::tensorrtAvailability();
  if (!a.available)
    throwError(env, StatusCode::kTensorRTUnavailable,
               std::string("this plan is a TensorRT engine") +
                   (view.form == trt::TrtPlanForm::kRaw ? " (raw, as trtexec writes them)" : "") +
                   ", which only the tensorrt backend runs, and that backend is unavailable: " + a.reason);
  return true;
}

#ifdef TRTN_WITH_TENSORRT
static std::shared_ptr<trt::TrtEngine> deserializeTensorRT(const std::vector<uint8_t>& bytes, const EngineOptions& options, int device) {
  cuda::DeviceGuard guard(device);
  auto runtime = trt::TrtRuntime::create(std::static_pointer_cast<cuda::GpuAllocator>(options.gpuAllocator));
  return runtime->deserialize(bytes.data(), bytes.size());
}
#endif

// deserializeEngine(bytes, allocator | null, log | null)
Napi::Value AddonBuilder::DeserializeEngine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bytes = readBytes(env, info[0]);
  EngineOptions options = engineOptions(info);
  if (isTensorRTPlan(env, *bytes)) {
#ifdef TRTN_WITH_TENSORRT
    int device = callEngine(env, [] { return cuda::currentDevice(); });
    auto engine = callEngine(env, [&] { return deserializeTensorRT(*bytes, options, device); });
    return trt::addon::AddonTrtEngine::wrap(env, std::move(engine), info[2]);
#endif
  }
  auto engine = callEngine(env, [&] {
    EngineDesc desc = deserializePlan(bytes->data(), bytes->size());
    return std::shared_ptr<const Engine>(Engine::create(std::move(desc), options));
  });
  return AddonEngine::wrap(env, std::move(engine));
}

Napi::Value AddonBuilder::DeserializeEngineAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bytes = readBytes(env, info[0]);
  bool tensorrt = isTensorRTPlan(env, *bytes);
  int device = 0;
#ifdef TRTN_WITH_TENSORRT
  if (tensorrt) device = callEngine(env, [] { return cuda::currentDevice(); });
#endif
  auto* state = new BuildState(env);
  state->wantEngine = true;
  if (info.Length() > 2 && info[2].IsFunction()) state->log = Napi::Persistent(info[2].As<Napi::Function>());
  BuildTsfn tsfn = BuildTsfn::New(env, "tensorrt-node.deserialize", 0, 1, state, finalizeBuild, static_cast<void*>(nullptr));
  Napi::Promise promise = state->deferred.Promise();
  EngineOptions options = engineOptions(info);
  buildQueue().push([state, latch = state->jobDone, tsfn, bytes, options, tensorrt, device]() mutable {
    state->status = captureStatus([&] {
#ifdef TRTN_WITH_TENSORRT
      if (tensorrt) {
        state->trtEngine = deserializeTensorRT(*bytes, options, device);
        return;
      }
#else
      (void)tensorrt, (void)device;
#endif
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
  trt::TrtPlanView trtView = callEngine(env, [&] { return trt::viewTensorRTPlan(bytes->data(), bytes->size()); });
  if (trtView.form == trt::TrtPlanForm::kRaw) {
    // A TensorRT engine as trtexec or the Python API write it: no record of what built it.
    o.Set("kind", "tensorrt-raw");
    o.Set("backend", "tensorrt");
    o.Set("engineSize", Napi::Number::New(env, static_cast<double>(trtView.engineSize)));
    return o;
  }
  o.Set("kind", kind == PlanKind::kTensorRTNode ? "tensorrt-node" : kind == PlanKind::kForeign ? "foreign" : "too-short");
  if (kind == PlanKind::kTensorRTNode) {
    PlanHeader h = callEngine(env, [&] { return readPlanHeader(bytes->data(), bytes->size()); });
    o.Set("formatVersion", Napi::Number::New(env, h.formatVersion));
    o.Set("backend", backendName(h.backend));
    o.Set("producerVersion", Napi::Number::New(env, h.producerVersion));
    o.Set("payloadSize", Napi::Number::New(env, static_cast<double>(h.payloadSize)));
  }
  if (trtView.form == trt::TrtPlanForm::kWrapped) {
    o.Set("tensorrtVersion", trt::formatTensorRTVersion(trtView.meta.tensorrtVersion));
    o.Set("computeCapability", std::to_string(trtView.meta.computeMajor) + "." + std::to_string(trtView.meta.computeMinor));
    o.Set("deviceName", trtView.meta.deviceName);
    o.Set("engineSize", Napi::Number::New(env, static_cast<double>(trtView.engineSize)));
  }
  return o;
}

}  // namespace trtn::addon
