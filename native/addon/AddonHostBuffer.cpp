#include "AddonHostBuffer.h"

#include <cstdlib>
#include <cstring>

#include "../engine/MemoryPlanner.h"
#include "AddonData.h"

namespace trtn::addon {

HostAllocation::HostAllocation(size_t n) : bytes(n) {
  size_t rounded = (std::max<size_t>(n, 1) + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
  data = static_cast<uint8_t*>(std::aligned_alloc(kArenaAlignment, rounded));
  if (data) std::memset(data, 0, rounded);
}

HostAllocation::~HostAllocation() { std::free(data); }

Napi::Function AddonHostBuffer::Init(Napi::Env env) {
  return DefineClass(env, "NativeHostBuffer",
                     {
                         InstanceMethod<&AddonHostBuffer::ByteLength>("byteLength"),
                         InstanceMethod<&AddonHostBuffer::GetArrayBuffer>("arrayBuffer"),
                         InstanceMethod<&AddonHostBuffer::Location>("location"),
                         InstanceMethod<&AddonHostBuffer::Dispose>("dispose"),
                     });
}

AddonHostBuffer::AddonHostBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonHostBuffer>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  info.This().As<Napi::Object>().TypeTag(&kHostBufferTag);
  double requested = argNumber(info, 0, "byteLength");
  if (!(requested >= 0) || requested > 9.007199254740992e15)
    throwError(env, StatusCode::kInvalidArgument, "byteLength must be a non-negative integer");
  size_t bytes = static_cast<size_t>(requested);
  allocation_ = std::make_shared<HostAllocation>(bytes);
  if (!allocation_->data) throwError(env, StatusCode::kOutOfMemory, "could not allocate " + std::to_string(bytes) + " bytes of host memory");
  // The ArrayBuffer's finalizer holds its own reference, so the memory outlives a GC'd view or
  // a disposed buffer while either is still in use.
  auto* hold = new std::shared_ptr<HostAllocation>(allocation_);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(
      env, allocation_->data, bytes, [](Napi::Env, void*, std::shared_ptr<HostAllocation>* h) { delete h; }, hold);
  view_ = Napi::Persistent(ab);
  reported_ = static_cast<int64_t>(bytes);
  Napi::MemoryManagement::AdjustExternalMemory(env, reported_);
}

AddonHostBuffer::~AddonHostBuffer() {
  // The C call, whose failure is ignored: a destructor may run while the environment shuts
  // down, and the C++ wrapper would throw (and terminate) there.
  int64_t ignored = 0;
  if (reported_ && env_) napi_adjust_external_memory(env_, -reported_, &ignored);
}

Napi::Value AddonHostBuffer::ByteLength(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), allocation_ ? static_cast<double>(allocation_->bytes) : 0.0);
}

BufferMemory AddonHostBuffer::memory() const {
  if (!allocation_) return BufferMemory{};
  return BufferMemory{allocation_->data, allocation_->bytes, true, "host", allocation_};
}

Napi::Value AddonHostBuffer::Location(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), "host"); }

Napi::Value AddonHostBuffer::GetArrayBuffer(const Napi::CallbackInfo& info) {
  if (view_.IsEmpty()) return info.Env().Null();
  return view_.Value();
}

void AddonHostBuffer::Dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!view_.IsEmpty()) {
    Napi::ArrayBuffer ab = view_.Value();
    bool detached = false;
    napi_is_detached_arraybuffer(env, ab, &detached);
    if (!detached) napi_detach_arraybuffer(env, ab);
    view_.Reset();
  }
  allocation_.reset();
  if (reported_) {
    Napi::MemoryManagement::AdjustExternalMemory(env, -reported_);
    reported_ = 0;
  }
}

}  // namespace trtn::addon
