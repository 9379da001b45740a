#include "CudaBufferCore.h"

#include "../../addon/AddonData.h"

namespace trtn::cuda::addon {

void CudaBufferCore::init(Napi::Env env, std::shared_ptr<CudaMemory> memory, bool withView) {
  memory_ = std::move(memory);
  env_ = env;
  if (!withView) return;
  // The ArrayBuffer's finalizer holds its own reference: a view still in use keeps the memory.
  auto* hold = new std::shared_ptr<CudaMemory>(memory_);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(
      env, memory_->ptr, static_cast<size_t>(memory_->bytes),
      [](Napi::Env, void*, std::shared_ptr<CudaMemory>* h) { delete h; }, hold);
  view_ = Napi::Persistent(ab);
  viewHold_ = hold;
  reported_ = static_cast<int64_t>(memory_->bytes);
  Napi::MemoryManagement::AdjustExternalMemory(env, reported_);
}

CudaBufferCore::~CudaBufferCore() {
  int64_t ignored = 0;
  if (reported_ && env_) napi_adjust_external_memory(env_, -reported_, &ignored);
}

trtn::addon::BufferMemory CudaBufferCore::memory() const {
  if (!memory_ || !memory_->ptr) return trtn::addon::BufferMemory{};
  return trtn::addon::BufferMemory{static_cast<uint8_t*>(memory_->ptr), static_cast<size_t>(memory_->bytes),
                                   hostAccessible(memory_->kind), locationName(memory_->kind), memory_};
}

Napi::Value CudaBufferCore::arrayBuffer(Napi::Env env) const {
  if (view_.IsEmpty()) return env.Null();
  return view_.Value();
}

Napi::Value CudaBufferCore::byteLength(Napi::Env env) const {
  return Napi::Number::New(env, memory_ && memory_->ptr ? static_cast<double>(memory_->bytes) : 0.0);
}

void CudaBufferCore::dispose(Napi::Env env) {
  if (!view_.IsEmpty()) {
    Napi::ArrayBuffer ab = view_.Value();
    bool detached = false;
    napi_is_detached_arraybuffer(env, ab, &detached);
    // While view_ holds the undetached ArrayBuffer its finalizer cannot have run, so viewHold_
    // is valid; once detached elsewhere, the finalizer owns it.
    if (viewHold_ && !detached) viewHold_->reset();
    viewHold_ = nullptr;
    if (!detached) napi_detach_arraybuffer(env, ab);
    view_.Reset();
  }
  memory_.reset();
  if (reported_) {
    Napi::MemoryManagement::AdjustExternalMemory(env, -reported_);
    reported_ = 0;
  }
}

std::shared_ptr<CudaMemory> memoryFromArgs(const Napi::CallbackInfo& info,
                                           std::shared_ptr<CudaMemory> (*make)(const Napi::CallbackInfo&, uint64_t)) {
  Napi::Env env = info.Env();
  if (info[0].IsExternal()) {
    // Moved out: the External lives until V8 collects it, and a copy held there would keep the
    // memory from its allocator until then.
    std::shared_ptr<CudaMemory>* carried = info[0].As<Napi::External<std::shared_ptr<CudaMemory>>>().Data();
    if (!carried || !*carried) trtn::addon::throwError(env, StatusCode::kInvalidArgument, "this memory has already been wrapped");
    return std::move(*carried);
  }
  double requested = trtn::addon::argNumber(info, 0, "byteLength");
  if (!(requested >= 0) || requested > 9.007199254740992e15)
    trtn::addon::throwError(env, StatusCode::kInvalidArgument, "byteLength must be a non-negative integer");
  return trtn::addon::callEngine(env, [&] { return make(info, static_cast<uint64_t>(requested)); });
}

}  // namespace trtn::cuda::addon
