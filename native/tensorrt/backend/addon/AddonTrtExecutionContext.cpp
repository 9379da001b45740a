#include "AddonTrtExecutionContext.h"

#include <cstring>

#include "../../../addon/AddonData.h"
#include "../../../cuda/CudaRuntime.h"
#include "../../../cuda/addon/AddonCudaStream.h"
#include "../../../cuda/addon/cudaModule.h"
#include "AddonTrtEngine.h"

namespace trtn::trt::addon {

using trtn::addon::argInt;
using trtn::addon::argInts;
using trtn::addon::argNumber;
using trtn::addon::argString;
using trtn::addon::BufferMemory;
using trtn::addon::callEngine;
using trtn::addon::fromInts;
using trtn::addon::throwError;
using trtn::addon::unwrapBuffer;
using trtn::addon::unwrapTagged;

const napi_type_tag kTrtContextTag = {0x4b6d8f0a2c4e6a13ULL, 0x9d1f3b5c7e9a0b24ULL};

Napi::Function AddonTrtExecutionContext::Init(Napi::Env env) {
  using C = AddonTrtExecutionContext;
  return DefineClass(env, "NativeTrtExecutionContext",
                     {
                         InstanceMethod<&C::SetOptimizationProfile>("setOptimizationProfile"),
                         InstanceMethod<&C::GetOptimizationProfile>("getOptimizationProfile"),
                         InstanceMethod<&C::SetInputShape>("setInputShape"),
                         InstanceMethod<&C::GetTensorShape>("getTensorShape"),
                         InstanceMethod<&C::AllInputDimensionsSpecified>("allInputDimensionsSpecified"),
                         InstanceMethod<&C::InferShapes>("inferShapes"),
                         InstanceMethod<&C::SetTensorAddress>("setTensorAddress"),
                         InstanceMethod<&C::GetTensorAddress>("getTensorAddress"),
                         InstanceMethod<&C::SetDeviceMemory>("setDeviceMemory"),
                         InstanceMethod<&C::UpdateDeviceMemorySizeForShapes>("updateDeviceMemorySizeForShapes"),
                         InstanceMethod<&C::SetOutputAllocator>("setOutputAllocator"),
                         InstanceMethod<&C::GetMaxOutputSize>("getMaxOutputSize"),
                         InstanceMethod<&C::Enqueue>("enqueue"),
                         InstanceMethod<&C::Execute>("execute"),
                         InstanceMethod<&C::Dispose>("dispose"),
                     });
}

AddonTrtExecutionContext::AddonTrtExecutionContext(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<AddonTrtExecutionContext>(info) {
  Napi::Env env = info.Env();
  info.This().As<Napi::Object>().TypeTag(&kTrtContextTag);
  engine_ = unwrapTagged<AddonTrtEngine>(info[0], kTrtEngineTag, "a NativeTrtEngine");
  std::shared_ptr<TrtEngine> engine = engine_->engine(env);
  int64_t strategy = argInt(info, 1, "strategy");
  if (strategy < 0 || strategy > 2) throwError(env, StatusCode::kInvalidArgument, "unknown allocation strategy " + std::to_string(strategy));
  engineRef_ = Napi::Persistent(info[0]);
  context_ = callEngine(env, [&] { return std::make_shared<TrtExecutionContext>(engine, static_cast<int32_t>(strategy)); });
  flushLog(env);
}

TrtExecutionContext* AddonTrtExecutionContext::unwrapContext(Napi::Value value) {
  AddonTrtExecutionContext* self = unwrapTagged<AddonTrtExecutionContext>(value, kTrtContextTag, "a NativeTrtExecutionContext");
  return &self->context(value.Env());
}

TrtExecutionContext& AddonTrtExecutionContext::context(Napi::Env env) {
  if (!context_) throwError(env, StatusCode::kDisposed, "execution context has been disposed");
  return *context_;
}

void AddonTrtExecutionContext::flushLog(Napi::Env env) {
  if (engine_ && !engineRef_.IsEmpty()) engine_->flushLog(env);
}

Napi::Value AddonTrtExecutionContext::SetOptimizationProfile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t p = argInt(info, 0, "profileIndex");
  callEngine(env, [&] { context(env).setOptimizationProfile(static_cast<int32_t>(p)); });
  flushLog(env);
  return Napi::Boolean::New(env, true);
}

Napi::Value AddonTrtExecutionContext::GetOptimizationProfile(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), context(info.Env()).optimizationProfile());
}

void AddonTrtExecutionContext::SetInputShape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  std::vector<int64_t> dims = argInts(info, 1, "dims");
  callEngine(env, [&] { context(env).setInputShape(name, dims); });
  flushLog(env);
}

Napi::Value AddonTrtExecutionContext::GetTensorShape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  return fromInts(env, callEngine(env, [&] { return context(env).tensorShape(name); }));
}

Napi::Value AddonTrtExecutionContext::AllInputDimensionsSpecified(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), context(info.Env()).allInputDimensionsSpecified());
}

Napi::Value AddonTrtExecutionContext::InferShapes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> missing = callEngine(env, [&] { return context(env).inferShapes(); });
  flushLog(env);
  Napi::Array a = Napi::Array::New(env, missing.size());
  for (size_t i = 0; i < missing.size(); ++i) a.Set(static_cast<uint32_t>(i), missing[i]);
  return a;
}

// Device tensors must be device-accessible (device, unified, or pinned memory mapped into the
// device's address space); shape tensor inputs are read on the host, as TensorRT wants.
void AddonTrtExecutionContext::SetTensorAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  TrtExecutionContext& ctx = context(env);
  if (info[1].IsNull() || info[1].IsUndefined()) {
    callEngine(env, [&] { ctx.setTensorAddress(name, nullptr, 0); });
    boundBuffers_.erase(name);
    boundNative_.erase(name);
    return;
  }
  trtn::addon::NativeBuffer* buffer = unwrapBuffer(info[1], "a buffer");
  BufferMemory mem = buffer->memory();
  if (!mem.hold) throwError(env, StatusCode::kDisposed, "setTensorAddress: the buffer for '" + name + "' has been disposed");
  bool hostValues = callEngine(env, [&] { return ctx.isIOTensor(name) && ctx.isShapeInferenceIO(name); });
  if (hostValues) {
    if (!mem.hostAccessible)
      throwError(env, StatusCode::kInvalidArgument,
                 "setTensorAddress: '" + name + "' is a shape tensor input, whose values TensorRT reads on the host; bind a " +
                     "HostBuffer, a pinned cuda.HostBuffer or a cuda.UnifiedBuffer, not " + mem.location + " memory");
  } else if (std::string(mem.location) == "host") {
    throwError(env, StatusCode::kInvalidArgument,
               "setTensorAddress: '" + name + "' is host memory (a HostBuffer), which TensorRT cannot read or write from the GPU; " +
                   "bind a cuda.DeviceBuffer, a cuda.UnifiedBuffer or a pinned cuda.HostBuffer");
  }
  callEngine(env, [&] { ctx.setTensorAddress(name, mem.data, static_cast<int64_t>(mem.bytes)); });
  flushLog(env);
  boundBuffers_[name] = Napi::Persistent(info[1]);
  boundNative_[name] = Bound{buffer, mem.hold};
}

Napi::Value AddonTrtExecutionContext::GetTensorAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  bool known = context(env).isIOTensor(name);
  if (!known) throwError(env, StatusCode::kInvalidArgument, "'" + name + "' is not an I/O tensor of the engine");
  auto it = boundBuffers_.find(name);
  return it == boundBuffers_.end() ? env.Null() : it->second.Value();
}

void AddonTrtExecutionContext::SetDeviceMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TrtExecutionContext& ctx = context(env);
  if (info[0].IsNull() || info[0].IsUndefined()) {
    callEngine(env, [&] { ctx.setDeviceMemory(nullptr, 0); });
    memoryRef_.Reset();
    memory_ = Bound{};
    return;
  }
  trtn::addon::NativeBuffer* buffer = unwrapBuffer(info[0], "a buffer");
  BufferMemory mem = buffer->memory();
  if (!mem.hold) throwError(env, StatusCode::kDisposed, "setDeviceMemoryV2: the buffer has been disposed");
  if (std::string(mem.location) != "device" && std::string(mem.location) != "unified")
    throwError(env, StatusCode::kInvalidArgument, std::string("setDeviceMemoryV2: the memory is ") + mem.location +
                                                      " memory; TensorRT needs a cuda.DeviceBuffer or a cuda.UnifiedBuffer");
  double size = argNumber(info, 1, "size");
  if (size > static_cast<double>(mem.bytes))
    throwError(env, StatusCode::kInvalidArgument, "setDeviceMemoryV2: size " + std::to_string(static_cast<int64_t>(size)) +
                                                      " exceeds the buffer's " + std::to_string(mem.bytes) + " bytes");
  callEngine(env, [&] { ctx.setDeviceMemory(mem.data, static_cast<int64_t>(size)); });
  memoryRef_ = Napi::Persistent(info[0]);
  memory_ = Bound{buffer, mem.hold};
}

Napi::Value AddonTrtExecutionContext::UpdateDeviceMemorySizeForShapes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t bytes = callEngine(env, [&] { return context(env).updateDeviceMemorySizeForShapes(); });
  return Napi::Number::New(env, static_cast<double>(bytes));
}

void AddonTrtExecutionContext::SetOutputAllocator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  bool enabled = info[1].ToBoolean().Value();
  callEngine(env, [&] { context(env).setOutputAllocator(name, enabled); });
  flushLog(env);
}

Napi::Value AddonTrtExecutionContext::GetMaxOutputSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = argString(info, 0, "name");
  int64_t bytes = callEngine(env, [&] { return context(env).maxOutputSize(name); });
  return Napi::Number::New(env, static_cast<double>(bytes));
}

std::vector<std::shared_ptr<const void>> AddonTrtExecutionContext::holds(Napi::Env env) {
  std::vector<std::shared_ptr<const void>> out;
  // A disposed buffer's memory is still held (and bound); runs refuse it all the same.
  for (auto& [name, bound] : boundNative_) {
    if (!bound.buffer->memory().hold) throwError(env, StatusCode::kDisposed, "the buffer bound to '" + name + "' has been disposed");
    out.push_back(bound.hold);
  }
  if (memory_.buffer) {
    if (!memory_.buffer->memory().hold) throwError(env, StatusCode::kDisposed, "the buffer given to setDeviceMemoryV2 has been disposed");
    out.push_back(memory_.hold);
  }
  return out;
}

Status AddonTrtExecutionContext::launch(TrtExecutionContext& ctx, cudaStream_t stream, const TrtExecutionContext::RunState& state,
                                        std::vector<StagedOutput>& staged, bool& launched) {
  return captureStatus([&] {
    std::vector<TrtExecutionContext::AllocatedOutput> outputs = ctx.enqueue(stream, state, launched);
    // Copied in stream order, so a later run that reuses the allocator's memory cannot overwrite
    // these values before they reach JS; the memory copied from stays held until the run settles.
    for (auto& o : outputs) {
      StagedOutput so{o.name, o.dims, o.bytes, cuda::allocatePinned(static_cast<uint64_t>(o.bytes), ctx.engine().runtime().device(), 0),
                      o.memory};
      if (o.bytes > 0)
        cuda::check(cudaMemcpyAsync(so.host->ptr, o.memory->ptr, static_cast<size_t>(o.bytes), cudaMemcpyDeviceToHost, stream),
                    "cudaMemcpyAsync");
      staged.push_back(std::move(so));
    }
  });
}

Napi::Value AddonTrtExecutionContext::toJs(Napi::Env env, const std::vector<StagedOutput>& outputs) {
  if (outputs.empty()) return env.Null();
  Napi::Array list = Napi::Array::New(env, outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    const StagedOutput& o = outputs[i];
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", o.name);
    entry.Set("dims", fromInts(env, o.dims));
    Napi::ArrayBuffer data = Napi::ArrayBuffer::New(env, static_cast<size_t>(o.bytes));
    if (o.bytes > 0) std::memcpy(data.Data(), o.host->ptr, static_cast<size_t>(o.bytes));
    entry.Set("data", data);
    list.Set(static_cast<uint32_t>(i), entry);
  }
  return list;
}

// [JS thread] Launches the run on the caller's cuda.Stream; the Promise settles from a stream
// host callback (AddonCudaStream::completion) and resolves with the allocator outputs, if any.
// Validation errors throw here; a failure once work may be queued rejects the Promise after the
// stream has run that work, so nothing it reads is released early.
Napi::Value AddonTrtExecutionContext::Enqueue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* stream = unwrapTagged<cuda::addon::AddonCudaStream>(info[0], cuda::addon::kCudaStreamTag, "a cuda.Stream");
  const std::shared_ptr<cuda::CudaStream>& s = stream->stream(env);
  std::vector<std::shared_ptr<const void>> held = holds(env);
  TrtExecutionContext& ctx = context(env);
  // With host runs pending the IExecutionContext is theirs: this run is captured without asking
  // TensorRT and checked on the host thread (failures reject the Promise), behind them.
  bool hostRunsPending = ctx.hostRunsPending();
  bool dataDependent = false;
  auto state = std::make_shared<TrtExecutionContext::RunState>(
      callEngine(env, [&] { return hostRunsPending ? ctx.capture() : ctx.prepareRun(dataDependent); }));
  flushLog(env);
  auto staged = std::make_shared<std::vector<StagedOutput>>();
  held.push_back(context_);  // the IExecutionContext, its engine and runtime
  held.push_back(std::shared_ptr<const void>(staged, staged.get()));
  std::vector<Napi::Reference<Napi::Value>> keep;
  keep.push_back(Napi::Persistent(info.This()));
  for (auto& [name, ref] : boundBuffers_) keep.push_back(Napi::Persistent(ref.Value()));
  if (!memoryRef_.IsEmpty()) keep.push_back(Napi::Persistent(memoryRef_.Value()));
  // Runs on the JS thread (kept alive by `keep` until the run settles).
  std::function<Napi::Value(Napi::Env)> result = [this, staged](Napi::Env e) {
    flushLog(e);
    return toJs(e, *staged);
  };

  if (!hostRunsPending && !dataDependent) {
    bool launched = false;
    Status st = launch(ctx, s->get(), *state, *staged, launched);
    flushLog(env);
    // Refused before anything was queued: nothing to wait for.
    if (!st.ok() && !launched) trtn::addon::throwIfFailed(env, st);
    std::function<Status(Napi::Env)> then;
    if (!st.ok()) then = [st](Napi::Env) { return st; };
    return stream->completion(env, std::move(keep), std::move(held), std::move(then), std::move(result));
  }

  // TensorRT waits for the GPU inside this enqueueV3: launched from the context's host thread.
  if (!hostQueue_) hostQueue_ = std::make_shared<SerialQueue>();
  // Released on the JS thread when the run settles, never by the queue's own thread.
  held.push_back(hostQueue_);
  cuda::addon::AddonCudaStream::Arm arm;
  Napi::Promise promise = stream->laterCompletion(env, std::move(keep), std::move(held), std::move(result), arm);
  std::shared_ptr<TrtExecutionContext> target = context_;
  std::shared_ptr<cuda::CudaStream> onStream = s;
  std::shared_ptr<std::atomic<int64_t>> pending = target->hostRunCounter();
  target->hostRunQueued();
  hostQueue_->push([target, onStream, state, staged, arm, pending]() mutable {
    bool launched = false;
    Status st = launch(*target, onStream->get(), *state, *staged, launched);
    // Nothing stays held here once armed: the run may settle and its context be disposed at once
    // (the Promise's holds keep what the queued work uses).
    target.reset();
    state.reset();
    staged.reset();
    onStream.reset();
    arm(std::move(st));
    // Only now may a later run launch from the JS thread: its completion comes after this one's.
    pending->fetch_sub(1, std::memory_order_acq_rel);
  });
  return promise;
}

// [JS thread] Blocking: the run on the context's own stream, then waits for it (also when the
// run failed after queuing work, which reads the bound memory).
Napi::Value AddonTrtExecutionContext::Execute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::shared_ptr<const void>> held = holds(env);
  TrtExecutionContext& ctx = context(env);
  // Runs of the context still launching on its host thread come first (this call blocks anyway).
  if (hostQueue_) hostQueue_->drain();
  bool dataDependent = false;
  TrtExecutionContext::RunState state = callEngine(env, [&] { return ctx.prepareRun(dataDependent); });
  cudaStream_t stream = callEngine(env, [&] { return ctx.ownStream(); });
  std::vector<StagedOutput> staged;
  bool launched = false;
  Status st = launch(ctx, stream, state, staged, launched);
  Status synced = cuda::statusOf(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  flushLog(env);
  trtn::addon::throwIfFailed(env, st);
  trtn::addon::throwIfFailed(env, synced);
  return toJs(env, staged);
}

void AddonTrtExecutionContext::Dispose(const Napi::CallbackInfo& info) {
  flushLog(info.Env());
  // Runs in flight hold the context (and so the engine and runtime) and the bound memory.
  context_.reset();
  boundBuffers_.clear();
  boundNative_.clear();
  memoryRef_.Reset();
  memory_ = Bound{};
  engineRef_.Reset();
  engine_ = nullptr;
}

}  // namespace trtn::trt::addon
