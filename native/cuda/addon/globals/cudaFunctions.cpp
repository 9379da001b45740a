#include "cudaFunctions.h"

#include <cstring>

#include "../../../addon/AddonData.h"
#include "../../CudaRuntime.h"
#include "../../Fill.h"
#include "../AddonCudaStream.h"
#include "../cudaModule.h"

namespace trtn::cuda::addon {

using trtn::addon::argInt;
using trtn::addon::callEngine;
using trtn::addon::throwError;
using trtn::addon::throwIfFailed;

Napi::Value DeviceInfoFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ordinal = static_cast<int>(argInt(info, 0, "ordinal"));
  DeviceInfo d = callEngine(env, [&] { return deviceInfo(ordinal); });
  Napi::Object o = Napi::Object::New(env);
  o.Set("ordinal", d.ordinal);
  o.Set("name", d.name);
  o.Set("major", d.major);
  o.Set("minor", d.minor);
  o.Set("totalMemory", static_cast<double>(d.totalMemory));
  o.Set("multiProcessorCount", d.multiProcessorCount);
  o.Set("managedMemory", d.managedMemory);
  o.Set("concurrentManagedAccess", d.concurrentManagedAccess);
  o.Set("memoryPools", d.memoryPools);
  o.Set("pciBusId", d.pciBusId);
  return o;
}

Napi::Value MemoryInfoFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ordinal = static_cast<int>(argInt(info, 0, "ordinal"));
  auto [freeBytes, total] = callEngine(env, [&] { return memoryInfo(ordinal); });
  Napi::Object o = Napi::Object::New(env);
  o.Set("free", static_cast<double>(freeBytes));
  o.Set("total", static_cast<double>(total));
  return o;
}

void SetDeviceFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ordinal = static_cast<int>(argInt(info, 0, "ordinal"));
  callEngine(env, [&] {
    requireDevice(ordinal);
    check(cudaSetDevice(ordinal), "cudaSetDevice");
  });
}

Napi::Value GetDeviceFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::Number::New(env, callEngine(env, [] { return currentDevice(); }));
}

void SynchronizeDeviceFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  callEngine(env, [] {
    requireDevice();
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  });
}

namespace {

// One side of a copy: a native buffer (any location) or JS memory (ArrayBuffer or a view).
struct Endpoint {
  uint8_t* ptr = nullptr;
  size_t bytes = 0;
  bool pageable = false;  // ordinary host memory: JS memory or a HostBuffer
  bool deviceWritable = true;
  std::shared_ptr<const void> hold;
};

bool jsMemory(Napi::Value v, Endpoint& e) {
  napi_env env = v.Env();
  void* data = nullptr;
  size_t length = 0;
  if (v.IsArrayBuffer()) {
    napi_get_arraybuffer_info(env, v, &data, &length);
  } else if (v.IsTypedArray()) {
    napi_typedarray_type type;
    size_t count = 0, offset = 0;
    napi_value ab;
    napi_get_typedarray_info(env, v, &type, &count, &data, &ab, &offset);
    length = v.As<Napi::TypedArray>().ByteLength();
  } else if (v.IsDataView()) {
    napi_value ab;
    size_t offset = 0;
    napi_get_dataview_info(env, v, &length, &data, &ab, &offset);
  } else {
    return false;
  }
  e.ptr = static_cast<uint8_t*>(data);
  e.bytes = length;
  e.pageable = true;
  e.deviceWritable = false;
  return true;
}

Endpoint endpoint(Napi::Env env, Napi::Value v, const char* name) {
  Endpoint e;
  if (jsMemory(v, e)) return e;
  trtn::addon::NativeBuffer* b = trtn::addon::unwrapBuffer(v, "a buffer, TypedArray, Buffer, ArrayBuffer or DataView");
  trtn::addon::BufferMemory m = b->memory();
  if (!m.hold) throwError(env, StatusCode::kDisposed, std::string("the ") + name + " buffer has been disposed");
  e.ptr = m.data;
  e.bytes = m.bytes;
  e.pageable = std::strcmp(m.location, "host") == 0;
  e.deviceWritable = !e.pageable;
  e.hold = m.hold;
  return e;
}

std::shared_ptr<CudaMemory> stagingFor(uint64_t bytes) {
  void* p = nullptr;
  check(cudaMallocHost(&p, bytes ? bytes : 1), "cudaMallocHost (staging)");
  return std::make_shared<CudaMemory>(p, bytes, MemoryKind::kPinned, 0, [](void* q, cudaStream_t) { cudaFreeHost(q); });
}

}  // namespace

Napi::Value MemcpyFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  callEngine(env, [] { requireDevice(); });
  Endpoint dst = endpoint(env, info[0], "destination");
  size_t dstOffset = static_cast<size_t>(argInt(info, 1, "dstOffset"));
  Endpoint src = endpoint(env, info[2], "source");
  size_t srcOffset = static_cast<size_t>(argInt(info, 3, "srcOffset"));
  size_t bytes = static_cast<size_t>(argInt(info, 4, "byteLength"));
  if (dstOffset + bytes > dst.bytes || srcOffset + bytes > src.bytes)
    throwError(env, StatusCode::kInvalidArgument, "memcpy range exceeds a buffer");
  uint8_t* to = dst.ptr + dstOffset;
  const uint8_t* from = src.ptr + srcOffset;
  if (info[5].IsNull() || info[5].IsUndefined()) {
    if (bytes) throwIfFailed(env, statusOf(cudaMemcpy(to, from, bytes, cudaMemcpyDefault), "cudaMemcpy"));
    return env.Undefined();
  }
  AddonCudaStream* stream = trtn::addon::unwrapTagged<AddonCudaStream>(info[5], kCudaStreamTag, "a cuda.Stream");
  cudaStream_t s = stream->stream(env)->get();
  std::vector<Napi::Reference<Napi::Value>> keep;
  keep.push_back(Napi::Persistent(info[0]));
  keep.push_back(Napi::Persistent(info[2]));
  std::vector<std::shared_ptr<const void>> holds{dst.hold, src.hold};
  std::function<Status(Napi::Env)> then;
  if (dst.pageable && !src.pageable && bytes) {
    // cudaMemcpyAsync into pageable memory returns only when the copy is done, blocking the JS
    // thread: copy into pinned staging memory instead, and out of it once the stream gets there.
    std::shared_ptr<CudaMemory> staging = callEngine(env, [&] { return stagingFor(bytes); });
    throwIfFailed(env, statusOf(cudaMemcpyAsync(staging->ptr, from, bytes, cudaMemcpyDefault, s), "cudaMemcpyAsync"));
    holds.push_back(staging);
    then = [staging, dstValue = std::make_shared<Napi::Reference<Napi::Value>>(Napi::Persistent(info[0])), dstOffset,
            bytes](Napi::Env e) -> Status {
      // The destination is looked up again: JS memory may have been detached meanwhile.
      Endpoint now;
      Napi::Value v = dstValue->Value();
      if (!jsMemory(v, now)) {
        trtn::addon::BufferMemory m;
        trtn::addon::NativeBuffer* b = nullptr;
        Status s = captureStatus([&] { b = trtn::addon::unwrapBuffer(v, "a buffer"); });
        if (!s.ok() || !b) return Status{StatusCode::kInvalidState, "the copy's destination is no longer a buffer"};
        m = b->memory();
        if (!m.hold) return Status{StatusCode::kDisposed, "the copy's destination was disposed before the copy finished"};
        now.ptr = m.data;
        now.bytes = m.bytes;
      }
      if (dstOffset + bytes > now.bytes)
        return Status{StatusCode::kInvalidState, "the copy's destination was detached or shrank before the copy finished"};
      std::memcpy(now.ptr + dstOffset, staging->ptr, bytes);
      return Status::Ok();
    };
  } else if (bytes) {
    throwIfFailed(env, statusOf(cudaMemcpyAsync(to, from, bytes, cudaMemcpyDefault, s), "cudaMemcpyAsync"));
  }
  return stream->completion(env, std::move(keep), std::move(holds), std::move(then));
}

Napi::Value FillFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  callEngine(env, [] { requireDevice(); });
  Endpoint dst = endpoint(env, info[0], "destination");
  if (!dst.deviceWritable) throwError(env, StatusCode::kInvalidArgument, "fill on the GPU needs a device, pinned or unified buffer");
  size_t offset = static_cast<size_t>(argInt(info, 1, "byteOffset"));
  size_t bytes = static_cast<size_t>(argInt(info, 2, "byteLength"));
  uint64_t lo = static_cast<uint32_t>(argInt(info, 3, "patternLow"));
  uint64_t hi = static_cast<uint32_t>(argInt(info, 4, "patternHigh"));
  int width = static_cast<int>(argInt(info, 5, "width"));
  if (offset + bytes > dst.bytes || bytes % width != 0 || offset % width != 0)
    throwError(env, StatusCode::kInvalidArgument, "fill range exceeds the buffer or is not a multiple of the element size");
  uint64_t pattern = lo | (hi << 32);
  bool sync = info[6].IsNull() || info[6].IsUndefined();
  AddonCudaStream* stream = sync ? nullptr : trtn::addon::unwrapTagged<AddonCudaStream>(info[6], kCudaStreamTag, "a cuda.Stream");
  cudaStream_t s = stream ? stream->stream(env)->get() : nullptr;
  throwIfFailed(env, statusOf(fillAsync(dst.ptr + offset, bytes, pattern, width, s), "fill"));
  if (sync) {
    throwIfFailed(env, statusOf(cudaStreamSynchronize(nullptr), "cudaStreamSynchronize"));
    return env.Undefined();
  }
  std::vector<Napi::Reference<Napi::Value>> keep;
  keep.push_back(Napi::Persistent(info[0]));
  return stream->completion(env, std::move(keep), {dst.hold});
}

}  // namespace trtn::cuda::addon
