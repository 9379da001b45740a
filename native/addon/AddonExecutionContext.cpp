#include "AddonExecutionContext.h"

#include "AddonData.h"
#include "AddonEngine.h"
#include "AddonStream.h"

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

// Every engine runs on the CPU backend today, which reads and writes tensors from the host:
// device memory would be dereferenced as a host pointer. Pinned and unified memory are fine.
static void requireHostAccessible(Napi::Env env, const BufferMemory& mem, const std::string& what) {
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
  requireHostAccessible(env, mem, "setTensorAddress: '" + name + "'");
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
  requireHostAccessible(env, mem, "setDeviceMemoryV2: the memory");
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
  for (size_t i = 0; i < result.outputs.size(); ++i) {
    const RunOutput& o = result.outputs[i];
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", o.name);
    entry.Set("dims", fromInts(env, o.dims));
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
  ExecutionSnapshot snap = prepare(env);
  RunResult result = callEngine(env, [&] { return ExecutionContext::run(snap); });
  return deliver(env, result);
}

void AddonExecutionContext::Dispose(const Napi::CallbackInfo&) {
  context_.reset();
  boundBuffers_.clear();
  boundNative_.clear();
  memoryRef_.Reset();
  memoryBuffer_ = nullptr;
  engineRef_.Reset();
}

}  // namespace trtn::addon
