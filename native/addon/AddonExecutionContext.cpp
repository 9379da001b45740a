#include "AddonExecutionContext.h"

#include <algorithm>

#include "AddonData.h"
#include "AddonEngine.h"
#include "AddonStream.h"
#ifdef TRTN_WITH_CUDA
#include "../cuda/CudaOwners.h"
#include "../cuda/CudaRuntime.h"
#include "../cuda/addon/AddonCudaStream.h"
#include "../cuda/addon/cudaModule.h"
#include "../cuda/engine/CudaEngine.h"
#endif

namespace trtn::addon {

Napi::Function AddonExecutionContext::Init(Napi::Env env) {
  return DefineClass(env, "NativeExecutionContext",
                     {
                         InstanceMethod<&AddonExecutionContext::SetOptimizationProfile>("setOptimizationProfile"),
                         InstanceMethod<&AddonExecutionContext::GetOptimizationProfile>("getOptimizationProfile"),
                         InstanceMethod<&AddonExecutionContext::SetInputShape>("setInputShape"),
                         InstanceMethod<&AddonExecutionContext::GetTensorShape>("getTensorShape"),
                         InstanceMethod<&AddonExecutionContext::AllInputDimensionsSpecified>("allInputDimensionsSpecified"),
                         InstanceMethod<&AddonExecutionContext::InferShapes>("inferShapes"),
                         InstanceMethod<&AddonExecutionContext::SetTensorAddress>("setTensorAddress"),
                         InstanceMethod<&AddonExecutionContext::GetTensorAddress>("getTensorAddress"),
                         InstanceMethod<&AddonExecutionContext::SetDeviceMemory>("setDeviceMemory"),
                         InstanceMethod<&AddonExecutionContext::UpdateDeviceMemorySizeForShapes>(
                             "updateDeviceMemorySizeForShapes"),
                         InstanceMethod<&AddonExecutionContext::SetOutputAllocator>("setOutputAllocator"),
                         InstanceMethod<&AddonExecutionContext::GetMaxOutputSize>("getMaxOutputSize"),
                         InstanceMethod<&AddonExecutionContext::Enqueue>("enqueue"),
                         InstanceMethod<&AddonExecutionContext::Execute>("execute"),
                         InstanceMethod<&AddonExecutionContext::CopyOutputs>("copyOutputs"),
                         InstanceMethod<&AddonExecutionContext::Dispose>("dispose"),
                     });
}

AddonExecutionContext::AddonExecutionContext(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<AddonExecutionContext>(info) {
  Napi::Env env = info.Env();
  info.This().As<Napi::Object>().TypeTag(&kContextTag);
  AddonEngine* engine = unwrapTagged<AddonEngine>(info[0], kEngineTag, "a NativeEngine");
  if (!engine->engine()) throwError(env, StatusCode::kDisposed, "engine has been disposed");
  int64_t strategy = argInt(info, 1, "strategy");
  if (strategy < 0 || strategy > 2) throwError(env, StatusCode::kInvalidArgument, "unknown allocation strategy " + std::to_string(strategy));
  engineRef_ = Napi::Persistent(info[0]);
  context_ = callEngine(env, [&] {
    return std::make_unique<ExecutionContext>(engine->engine(), static_cast<AllocationStrategy>(strategy));
  });
}

bool AddonExecutionContext::onDevice() const { return context_ && context_->engine().backend() != BackendKind::kCpu; }

// The CPU backend reads and writes tensors from the host (device memory would be dereferenced as
// a host pointer); the cuda backend from the GPU (device, unified and pinned memory, which is
// mapped into the device's address space, but not pageable host memory).
void AddonExecutionContext::requireUsable(Napi::Env env, const BufferMemory& mem, const std::string& what) const {
  if (onDevice()) {
    if (std::string(mem.location) == "host")
      throwError(env, StatusCode::kInvalidArgument,
                 what + " is host memory (a HostBuffer), which the cuda backend cannot read or write from the GPU; " +
                     "bind a cuda.DeviceBuffer, a cuda.UnifiedBuffer or a pinned cuda.HostBuffer");
    return;
  }
  if (!mem.hostAccessible)
    throwError(env, StatusCode::kInvalidArgument,
               what + " is " + mem.location + " memory, which the CPU backend cannot use; " +
                   "bind a HostBuffer, a pinned cuda.HostBuffer or a cuda.UnifiedBuffer");
}

ExecutionContext& AddonExecutionContext::context(Napi::Env env) {
  if (!context_) throwError(env, StatusCode::kDisposed, "execution context has been disposed");
  return *context_;
}

Napi::Value AddonExecutionContext::SetOptimizationProfile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t p = argInt(info, 0, "profileIndex");
  callEngine(env, [&] { context(env).setOptimizationProfile(static_cast<int32_t>(p)); });
  return Napi::Boolean::New(env, true);
}

Napi::Value AddonExecutionContext::GetOptimizationProfile(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), context(info.Env()).optimizationProfile());
}

void AddonExecutionContext::SetInputShape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  Dims dims = argInts(info, 1, "dims");
  callEngine(env, [&] { context(env).setInputShape(name, dims); });
}

Napi::Value AddonExecutionContext::GetTensorShape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  return fromInts(env, callEngine(env, [&] { return context(env).tensorShape(name); }));
}

Napi::Value AddonExecutionContext::AllInputDimensionsSpecified(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), context(info.Env()).allInputDimensionsSpecified());
}

Napi::Value AddonExecutionContext::InferShapes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto missing = callEngine(env, [&] { return context(env).inferShapes(); });
  Napi::Array a = Napi::Array::New(env, missing.size());
  for (size_t i = 0; i < missing.size(); ++i) a.Set(static_cast<uint32_t>(i), missing[i]);
  return a;
}

void AddonExecutionContext::SetTensorAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  ExecutionContext& ctx = context(env);
  if (info[1].IsNull() || info[1].IsUndefined()) {
    callEngine(env, [&] { ctx.setTensorAddress(name, nullptr, 0); });
    boundBuffers_.erase(name);
    boundNative_.erase(name);
    return;
  }
  NativeBuffer* buffer = unwrapBuffer(info[1], "a buffer");
  BufferMemory mem = buffer->memory();
  if (!mem.hold) throwError(env, StatusCode::kDisposed, "setTensorAddress: the buffer for '" + name + "' has been disposed");
  // Shape tensor inputs stay in host memory (TensorRT requires kHOST for them).
  bool hostValues = callEngine(env, [&] {
    const Engine& e = ctx.engine();
    int32_t io = e.ioIndex(name);
    return io >= 0 && e.isShapeInferenceIO(e.ioTensor(io));
  });
  if (hostValues) {
    if (!mem.hostAccessible)
      throwError(env, StatusCode::kInvalidArgument,
                 "setTensorAddress: '" + name + "' is a shape tensor input, whose values are read on the host; bind a " +
                     "HostBuffer, a pinned cuda.HostBuffer or a cuda.UnifiedBuffer, not " + mem.location + " memory");
  } else {
    requireUsable(env, mem, "setTensorAddress: '" + name + "'");
  }
  callEngine(env, [&] { ctx.setTensorAddress(name, mem.data, static_cast<int64_t>(mem.bytes)); });
  boundBuffers_[name] = Napi::Persistent(info[1]);
  boundNative_[name] = buffer;
}

Napi::Value AddonExecutionContext::GetTensorAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  callEngine(env, [&] { context(env).tensorAddress(name); });  // validates the name
  auto it = boundBuffers_.find(name);
  return it == boundBuffers_.end() ? env.Null() : it->second.Value();
}

void AddonExecutionContext::SetDeviceMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ExecutionContext& ctx = context(env);
  if (info[0].IsNull() || info[0].IsUndefined()) {
    callEngine(env, [&] { ctx.setDeviceMemory(nullptr, 0); });
    memoryRef_.Reset();
    memoryBuffer_ = nullptr;
    return;
  }
  NativeBuffer* buffer = unwrapBuffer(info[0], "a buffer");
  BufferMemory mem = buffer->memory();
  if (!mem.hold) throwError(env, StatusCode::kDisposed, "setDeviceMemoryV2: the buffer has been disposed");
  requireUsable(env, mem, "setDeviceMemoryV2: the memory");
  double size = argNumber(info, 1, "size");
  if (size > static_cast<double>(mem.bytes))
    throwError(env, StatusCode::kInvalidArgument, "setDeviceMemoryV2: size " + std::to_string(static_cast<int64_t>(size)) +
                                                      " exceeds the buffer's " + std::to_string(mem.bytes) + " bytes");
  callEngine(env, [&] { ctx.setDeviceMemory(mem.data, static_cast<int64_t>(size)); });
  memoryRef_ = Napi::Persistent(info[0]);
  memoryBuffer_ = buffer;
}

Napi::Value AddonExecutionContext::UpdateDeviceMemorySizeForShapes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t bytes = callEngine(env, [&] { return context(env).updateDeviceMemorySizeForShapes(); });
  return Napi::Number::New(env, static_cast<double>(bytes));
}

ExecutionSnapshot AddonExecutionContext::prepare(Napi::Env env) {
  ExecutionContext& ctx = context(env);
  ExecutionSnapshot snap = callEngine(env, [&] { return ctx.prepare(); });
  for (auto& [name, buffer] : boundNative_) {
    auto hold = buffer->memory().hold;
    if (!hold) throwError(env, StatusCode::kDisposed, "the buffer bound to '" + name + "' has been disposed");
    snap.holds.push_back(std::move(hold));
  }
  if (memoryBuffer_) {
    auto hold = memoryBuffer_->memory().hold;
    if (!hold) throwError(env, StatusCode::kDisposed, "the buffer given to setDeviceMemoryV2 has been disposed");
    snap.holds.push_back(std::move(hold));
  }
  return snap;
}

void AddonExecutionContext::SetOutputAllocator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  bool enabled = info[1].ToBoolean().Value();
  callEngine(env, [&] { context(env).setOutputAllocator(name, enabled); });
}

Napi::Value AddonExecutionContext::GetMaxOutputSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  int64_t bytes = callEngine(env, [&] { return context(env).maxOutputSize(name); });
  return Napi::Number::New(env, static_cast<double>(bytes));
}

Napi::Value AddonExecutionContext::deliver(Napi::Env env, const RunResult& result) {
  if (result.outputs.empty()) return env.Null();
  if (context_) context_->recordOutputShapes(result);
  Napi::Array list = Napi::Array::New(env, result.outputs.size());
#ifdef TRTN_WITH_CUDA
  // Device memory stays native until CopyOutputs; a disposed context keeps none.
  int64_t token = 0;
  if (onDevice() && context_)
    for (const RunOutput& o : result.outputs)
      if (o.data) {
        if (!token) token = nextOutputsToken_++;
        pendingOutputs_[token].push_back(o);
      }
#endif
  for (size_t i = 0; i < result.outputs.size(); ++i) {
    const RunOutput& o = result.outputs[i];
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", o.name);
    entry.Set("dims", fromInts(env, o.dims));
#ifdef TRTN_WITH_CUDA
    if (o.data && onDevice()) {
      entry.Set("data", env.Null());
      entry.Set("bytes", Napi::Number::New(env, static_cast<double>(o.bytes)));
      if (token) entry.Set("token", Napi::Number::New(env, static_cast<double>(token)));
      list.Set(static_cast<uint32_t>(i), entry);
      continue;
    }
#endif
    if (o.data) {
      // The run's memory becomes the ArrayBuffer's, freed when JS drops it.
      auto* keep = new std::shared_ptr<const void>(o.data);
      entry.Set("data", Napi::ArrayBuffer::New(
                            env, const_cast<void*>(o.data.get()), static_cast<size_t>(o.bytes),
                            [](Napi::Env, void*, std::shared_ptr<const void>* hold) { delete hold; }, keep));
    } else {
      entry.Set("data", env.Null());
    }
    list.Set(static_cast<uint32_t>(i), entry);
  }
  return list;
}

Napi::Value AddonExecutionContext::Enqueue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#ifdef TRTN_WITH_CUDA
  if (onDevice()) return EnqueueCuda(info);
#endif
  AddonStream* stream = unwrapTagged<AddonStream>(info[0], kStreamTag, "a Stream");
  auto snap = std::make_shared<ExecutionSnapshot>(prepare(env));
  auto result = std::make_shared<RunResult>();
  StreamJob job;
  job.work = [snap, result]() { return captureStatus([&] { *result = ExecutionContext::run(*snap); }); };
  // The wrapper is kept alive by job.keep until the result has been delivered.
  job.result = [this, result](Napi::Env e) { return deliver(e, *result); };
  job.keep.push_back(Napi::Persistent(info.This()));
  for (auto& [name, ref] : boundBuffers_) job.keep.push_back(Napi::Persistent(ref.Value()));
  if (!memoryRef_.IsEmpty()) job.keep.push_back(Napi::Persistent(memoryRef_.Value()));
  return stream->submit(env, std::move(job));
}

Napi::Value AddonExecutionContext::Execute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#ifdef TRTN_WITH_CUDA
  if (onDevice()) return ExecuteCuda(env);
#endif
  ExecutionSnapshot snap = prepare(env);
  RunResult result = callEngine(env, [&] { return ExecutionContext::run(snap); });
  return deliver(env, result);
}

#ifdef TRTN_WITH_CUDA
std::shared_ptr<CudaLibraries> AddonExecutionContext::libraries(int device) {
  if (!libs_ || libs_->device != device) libs_ = std::make_shared<CudaLibraries>(device);
  return libs_;
}

// [JS thread] Launches the run on the caller's cuda.Stream and returns a Promise that a stream
// host callback settles through the stream's thread-safe function; nothing here waits for the
// GPU. The snapshot (arena, bound buffers) and the library handles stay alive until then. Runs
// that need device values on the host while launching (cuda::needsHostSync) are launched from
// the context's host thread instead, which waits for the stream where it must; their Promise
// settles the same way once that thread has queued the last layer.
Napi::Value AddonExecutionContext::EnqueueCuda(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* stream = unwrapTagged<cuda::addon::AddonCudaStream>(info[0], cuda::addon::kCudaStreamTag, "a cuda.Stream");
  const std::shared_ptr<cuda::CudaStream>& s = stream->stream(env);
  auto snap = std::make_shared<ExecutionSnapshot>(prepare(env));
  std::shared_ptr<CudaLibraries> libs = libraries(s->device());
  const bool hostSync = callEngine(env, [&] { return cuda::needsHostSync(*snap); });
  std::vector<Napi::Reference<Napi::Value>> keep;
  keep.push_back(Napi::Persistent(info.This()));
  for (auto& [name, ref] : boundBuffers_) keep.push_back(Napi::Persistent(ref.Value()));
  if (!memoryRef_.IsEmpty()) keep.push_back(Napi::Persistent(memoryRef_.Value()));
  std::vector<std::shared_ptr<const void>> holds{std::shared_ptr<const void>(snap, snap.get()), libs};

  if (!hostSync && hostRunsLaunching_->load(std::memory_order_acquire) == 0) {
    Status launched = captureStatus([&] { cuda::enqueueRun(*snap, s->get(), *libs); });
    // A refused launch still waits for the work queued before it, which reads the held memory.
    std::function<Status(Napi::Env)> then;
    if (!launched.ok()) then = [launched](Napi::Env) { return launched; };
    std::function<Napi::Value(Napi::Env)> result;
    if (!snap->allocatorOutputs.empty())
      result = [this, snap](Napi::Env e) {
        RunResult r;
        r.outputs = snap->allocatorOutputs;
        r.shapeGeneration = snap->shapeGeneration;
        return deliver(e, r);
      };
    return stream->completion(env, std::move(keep), std::move(holds), std::move(then), std::move(result));
  }

  // What the host thread fills in: the outputs it found and the memory its queued work uses.
  struct HostRun {
    RunResult result;
    std::vector<std::shared_ptr<void>> memory;
  };
  auto run = std::make_shared<HostRun>();
  if (!hostQueue_) hostQueue_ = std::make_shared<SerialQueue>();
  holds.push_back(run);
  // Released on the JS thread when the run settles, never by the queue's own thread.
  holds.push_back(hostQueue_);
  cuda::addon::AddonCudaStream::Arm arm;
  Napi::Promise promise = stream->laterCompletion(
      env, std::move(keep), std::move(holds), [this, run](Napi::Env e) { return deliver(e, run->result); }, arm);
  std::shared_ptr<cuda::CudaStream> target = s;
  std::shared_ptr<std::atomic<int64_t>> launching = hostRunsLaunching_;
  launching->fetch_add(1, std::memory_order_acq_rel);
  hostQueue_->push([snap, libs, run, target, arm, launching]() mutable {
    Status st = captureStatus([&] { run->result = cuda::runWithHostSync(*snap, target->get(), *libs, run->memory); });
    // Nothing stays held here once armed: the run may settle and its context be disposed at once
    // (the Promise's holds keep what the queued work uses).
    snap.reset();
    libs.reset();
    run.reset();
    target.reset();
    arm(std::move(st));
    launching->fetch_sub(1, std::memory_order_acq_rel);
  });
  return promise;
}

Napi::Value AddonExecutionContext::ExecuteCuda(Napi::Env env) {
  ExecutionSnapshot snap = prepare(env);
  RunResult result = callEngine(env, [&] {
    if (!syncStream_) syncStream_ = std::make_shared<cuda::CudaStream>(cuda::currentDevice(), cudaStreamNonBlocking, 0);
    std::shared_ptr<CudaLibraries> libs = libraries(syncStream_->device());
    std::vector<std::shared_ptr<void>> memory;  // freed after the stream has run the work
    RunResult r;
    Status launched;
    if (cuda::needsHostSync(snap)) {
      launched = captureStatus([&] { r = cuda::runWithHostSync(snap, syncStream_->get(), *libs, memory); });
    } else {
      launched = captureStatus([&] { cuda::enqueueRun(snap, syncStream_->get(), *libs); });
      r.outputs = snap.allocatorOutputs;
      r.shapeGeneration = snap.shapeGeneration;
    }
    cuda::check(cudaStreamSynchronize(syncStream_->get()), "cudaStreamSynchronize");
    if (!launched.ok()) throw EngineError(launched.code, launched.message);
    return r;
  });
  return deliver(env, result);
}

Napi::Value AddonExecutionContext::CopyOutputs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool blocking = info[0].IsNull() || info[0].IsUndefined();
  cuda::addon::AddonCudaStream* stream =
      blocking ? nullptr : unwrapTagged<cuda::addon::AddonCudaStream>(info[0], cuda::addon::kCudaStreamTag, "a cuda.Stream");
  const int64_t token = argInt(info, 1, "token");
  auto pending = pendingOutputs_.find(token);
  if (pending == pendingOutputs_.end())
    throwError(env, StatusCode::kInvalidState, "copyOutputs: the outputs of this run have already been delivered");
  std::vector<RunOutput> outputs = std::move(pending->second);
  pendingOutputs_.erase(pending);
  if (!info[2].IsArray() || !info[3].IsArray() || info[2].As<Napi::Array>().Length() != info[3].As<Napi::Array>().Length())
    throwError(env, StatusCode::kInvalidArgument, "copyOutputs: expected arrays of names and buffers of one length");
  Napi::Array names = info[2].As<Napi::Array>();
  Napi::Array buffers = info[3].As<Napi::Array>();
  if (names.Length() == 0) return env.Undefined();
  std::shared_ptr<cuda::CudaStream> s;
  if (stream) s = stream->stream(env);
  else
    s = callEngine(env, [&] {
      if (!syncStream_) syncStream_ = std::make_shared<cuda::CudaStream>(cuda::currentDevice(), cudaStreamNonBlocking, 0);
      return syncStream_;
    });
  std::vector<Napi::Reference<Napi::Value>> keep;
  std::vector<std::shared_ptr<const void>> holds;
  for (uint32_t i = 0; i < names.Length(); ++i) {
    const std::string name = names.Get(i).ToString().Utf8Value();
    auto out = std::find_if(outputs.begin(), outputs.end(), [&](const RunOutput& o) { return o.name == name; });
    if (out == outputs.end()) throwError(env, StatusCode::kInvalidArgument, "copyOutputs: the run has no output '" + name + "' for an output allocator");
    NativeBuffer* buffer = unwrapBuffer(buffers.Get(i), "a buffer");
    BufferMemory mem = buffer->memory();
    if (!mem.hold) throwError(env, StatusCode::kDisposed, "the buffer returned for '" + name + "' has been disposed");
    requireUsable(env, mem, "the buffer returned for '" + name + "'");
    if (static_cast<int64_t>(mem.bytes) < out->bytes)
      throwError(env, StatusCode::kInvalidArgument, "the buffer returned for '" + name + "' has " + std::to_string(mem.bytes) +
                                                        " bytes but the output needs " + std::to_string(out->bytes));
    callEngine(env, [&] {
      cuda::DeviceGuard guard(s->device());
      if (out->bytes > 0)
        cuda::check(cudaMemcpyAsync(mem.data, out->data.get(), static_cast<size_t>(out->bytes), cudaMemcpyDefault, s->get()),
                    "cudaMemcpyAsync");
    });
    keep.push_back(Napi::Persistent(buffers.Get(i)));
    holds.push_back(mem.hold);
    holds.push_back(out->data);
  }
  if (blocking) {
    callEngine(env, [&] { cuda::check(cudaStreamSynchronize(s->get()), "cudaStreamSynchronize"); });
    return env.Undefined();
  }
  return stream->completion(env, std::move(keep), std::move(holds));
}
#else
Napi::Value AddonExecutionContext::CopyOutputs(const Napi::CallbackInfo& info) {
  throwError(info.Env(), StatusCode::kCudaUnavailable, "copyOutputs: this build has no CUDA support");
}
#endif

void AddonExecutionContext::Dispose(const Napi::CallbackInfo&) {
#ifdef TRTN_WITH_CUDA
  libs_.reset();  // runs in flight hold their own reference
  syncStream_.reset();
  pendingOutputs_.clear();  // returns their memory to the context's pool, freed with it
  hostQueue_.reset();       // runs in flight hold it until they settle
#endif
  context_.reset();
  boundBuffers_.clear();
  boundNative_.clear();
  memoryRef_.Reset();
  memoryBuffer_ = nullptr;
  engineRef_.Reset();
}

}  // namespace trtn::addon
