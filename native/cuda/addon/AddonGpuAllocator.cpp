#include "AddonGpuAllocator.h"

#include "../../addon/AddonData.h"
#include "../CudaRuntime.h"
#include "AddonCudaStream.h"
#include "AddonDeviceBuffer.h"
#include "AddonUnifiedBuffer.h"
#include "cudaModule.h"

namespace trtn::cuda::addon {

using trtn::addon::argInt;
using trtn::addon::throwError;

Napi::Function AddonGpuAllocator::Init(Napi::Env env) {
  return DefineClass(env, "NativeGpuAllocator",
                     {
                         InstanceMethod<&AddonGpuAllocator::Allocate>("allocate"),
                         InstanceMethod<&AddonGpuAllocator::Deallocate>("deallocate"),
                         InstanceMethod<&AddonGpuAllocator::Reallocate>("reallocate"),
                         InstanceMethod<&AddonGpuAllocator::LastRefusal>("lastRefusal"),
                         InstanceMethod<&AddonGpuAllocator::Stats>("stats"),
                         InstanceMethod<&AddonGpuAllocator::ResetPeak>("resetPeak"),
                         InstanceMethod<&AddonGpuAllocator::Usage>("usage"),
                         InstanceMethod<&AddonGpuAllocator::TrimTo>("trimTo"),
                     });
}

// new NativeGpuAllocator('default' | 'unified', device) | ('pool', device, releaseThreshold)
//   | ('tracking', device, inner: NativeGpuAllocator)
AddonGpuAllocator::AddonGpuAllocator(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AddonGpuAllocator>(info) {
  Napi::Env env = info.Env();
  info.This().As<Napi::Object>().TypeTag(&kGpuAllocatorTag);
  std::string kind = trtn::addon::argString(info, 0, "kind");
  int device = static_cast<int>(argInt(info, 1, "device"));
  allocator_ = trtn::addon::callEngine(env, [&]() -> std::shared_ptr<GpuAllocator> {
    requireDevice(device);
    if (kind == "default") return std::make_shared<DefaultAllocator>(device);
    if (kind == "unified") return std::make_shared<UnifiedAllocator>(device);
    if (kind == "pool") return std::make_shared<PoolAllocator>(device, static_cast<uint64_t>(info[2].As<Napi::Number>().DoubleValue()));
    if (kind == "tracking") {
      auto* inner = trtn::addon::unwrapTagged<AddonGpuAllocator>(info[2], kGpuAllocatorTag, "a built-in GPU allocator");
      return std::make_shared<TrackingAllocator>(inner->allocator());
    }
    fail(StatusCode::kInvalidArgument, "unknown allocator kind '", kind, "'");
  });
}

std::shared_ptr<CudaMemory> AddonGpuAllocator::own(void* p, uint64_t size, std::shared_ptr<CudaStream> stream) {
  std::shared_ptr<GpuAllocator> a = allocator_;
  auto mem = std::make_shared<CudaMemory>(
      p, size, a->kind(), a->device(), [a](void* q, cudaStream_t s) { a->deallocateAsync(q, s); }, std::move(stream));
  mem->allocator = a.get();
  return mem;
}

// allocate(size, alignment, flags, tag, stream | null) -> buffer | null. With a stream this is
// allocateAsync: the memory is usable in that stream's order, and freed in it by default.
Napi::Value AddonGpuAllocator::Allocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t size = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
  uint64_t alignment = static_cast<uint64_t>(argInt(info, 1, "alignment"));
  uint32_t flags = static_cast<uint32_t>(argInt(info, 2, "flags"));
  std::string tag = info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : std::string("untagged");
  std::shared_ptr<CudaStream> stream;
  if (!info[4].IsNull() && !info[4].IsUndefined())
    stream = trtn::addon::unwrapTagged<AddonCudaStream>(info[4], kCudaStreamTag, "a cuda.Stream")->stream(env);
  void* p = allocator_->allocateAsync(size, alignment, flags, stream ? stream->get() : nullptr, tag.c_str());
  if (!p) return env.Null();
  return wrapMemory(env, own(p, size, std::move(stream)));
}

static const std::shared_ptr<CudaMemory>* memoryOf(Napi::Env env, Napi::Value v, void (**release)(Napi::Value, Napi::Env)) {
  if (v.IsObject()) {
    Napi::Object o = v.As<Napi::Object>();
    if (o.CheckTypeTag(&kDeviceBufferTag)) {
      *release = [](Napi::Value b, Napi::Env e) { AddonDeviceBuffer::Unwrap(b.As<Napi::Object>())->release(e); };
      return &AddonDeviceBuffer::Unwrap(o)->live(env);
    }
    if (o.CheckTypeTag(&kUnifiedBufferTag)) {
      *release = [](Napi::Value b, Napi::Env e) { AddonUnifiedBuffer::Unwrap(b.As<Napi::Object>())->release(e); };
      return &AddonUnifiedBuffer::Unwrap(o)->live(env);
    }
  }
  throwError(env, StatusCode::kInvalidArgument, "Expected a cuda.DeviceBuffer or cuda.UnifiedBuffer from this allocator");
}

// deallocate(buffer, stream | null) -> boolean: false when the buffer is not this allocator's.
// The buffer is disposed; work in flight that still holds it delays the free until it is done.
Napi::Value AddonGpuAllocator::Deallocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void (*release)(Napi::Value, Napi::Env) = nullptr;
  std::shared_ptr<CudaMemory> mem = *memoryOf(env, info[0], &release);
  if (mem->allocator != allocator_.get()) return Napi::Boolean::New(env, false);
  if (!info[1].IsNull() && !info[1].IsUndefined()) {
    // Later frees of this memory are ordered on the given stream instead of the allocation's.
    auto s = trtn::addon::unwrapTagged<AddonCudaStream>(info[1], kCudaStreamTag, "a cuda.Stream")->stream(env);
    std::shared_ptr<GpuAllocator> a = allocator_;
    mem->release = [a](void* q, cudaStream_t st) { a->deallocateAsync(q, st); };
    mem->stream = s;
  }
  release(info[0], env);
  return Napi::Boolean::New(env, true);
}

// reallocate(buffer, alignment, newSize) -> buffer | null. On success the old buffer is disposed
// (its memory now lives in the new one); on refusal it is untouched.
Napi::Value AddonGpuAllocator::Reallocate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void (*release)(Napi::Value, Napi::Env) = nullptr;
  std::shared_ptr<CudaMemory> mem = *memoryOf(env, info[0], &release);
  if (mem->allocator != allocator_.get()) return env.Null();
  uint64_t alignment = static_cast<uint64_t>(argInt(info, 1, "alignment"));
  uint64_t newSize = static_cast<uint64_t>(info[2].As<Napi::Number>().DoubleValue());
  void* p = allocator_->reallocate(mem->ptr, alignment, newSize);
  if (!p) return env.Null();
  mem->detach();
  release(info[0], env);
  return wrapMemory(env, own(p, newSize, nullptr));
}

Napi::Value AddonGpuAllocator::LastRefusal(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), GpuAllocator::lastRefusal());
}

Napi::Value AddonGpuAllocator::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* tracking = dynamic_cast<TrackingAllocator*>(allocator_.get());
  if (!tracking) return env.Null();
  TrackingAllocator::Stats s = tracking->stats();
  Napi::Object o = Napi::Object::New(env);
  o.Set("liveBytes", static_cast<double>(s.liveBytes));
  o.Set("peakBytes", static_cast<double>(s.peakBytes));
  o.Set("liveAllocations", static_cast<double>(s.liveAllocations));
  o.Set("allocations", static_cast<double>(s.allocations));
  o.Set("deallocations", static_cast<double>(s.deallocations));
  o.Set("refusals", static_cast<double>(s.refusals));
  Napi::Object tags = Napi::Object::New(env);
  for (const auto& [tag, t] : s.byTag) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("allocations", static_cast<double>(t.allocations));
    e.Set("deallocations", static_cast<double>(t.deallocations));
    e.Set("refusals", static_cast<double>(t.refusals));
    e.Set("liveBytes", static_cast<double>(t.liveBytes));
    tags.Set(tag, e);
  }
  o.Set("byTag", tags);
  return o;
}

void AddonGpuAllocator::ResetPeak(const Napi::CallbackInfo&) {
  if (auto* tracking = dynamic_cast<TrackingAllocator*>(allocator_.get())) tracking->resetPeak();
}

Napi::Value AddonGpuAllocator::Usage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* pool = dynamic_cast<PoolAllocator*>(allocator_.get());
  if (!pool) return env.Null();
  PoolAllocator::Usage u = pool->usage();
  Napi::Object o = Napi::Object::New(env);
  o.Set("reservedBytes", static_cast<double>(u.reservedCurrent));
  o.Set("reservedHighBytes", static_cast<double>(u.reservedHigh));
  o.Set("usedBytes", static_cast<double>(u.usedCurrent));
  o.Set("usedHighBytes", static_cast<double>(u.usedHigh));
  o.Set("releaseThreshold", static_cast<double>(pool->releaseThreshold()));
  return o;
}

void AddonGpuAllocator::TrimTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* pool = dynamic_cast<PoolAllocator*>(allocator_.get());
  if (!pool) return;
  uint64_t keep = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
  trtn::addon::callEngine(env, [&] { pool->trimTo(keep); });
}

}  // namespace trtn::cuda::addon
