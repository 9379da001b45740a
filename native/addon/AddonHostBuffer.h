// NativeHostBuffer: 256-byte-aligned host memory owned by the addon, seen from JS through an
// external ArrayBuffer. dispose() detaches that ArrayBuffer (views become empty) and drops the
// buffer's hold on the memory; work in flight keeps its own hold until it finishes.
#pragma once

#include <napi.h>

#include <memory>

#include "NativeBuffer.h"

namespace trtn::addon {

struct HostAllocation {
  explicit HostAllocation(size_t bytes);
  ~HostAllocation();
  HostAllocation(const HostAllocation&) = delete;
  HostAllocation& operator=(const HostAllocation&) = delete;
  uint8_t* data = nullptr;
  size_t bytes = 0;
};

class AddonHostBuffer : public Napi::ObjectWrap<AddonHostBuffer>, public NativeBuffer {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit AddonHostBuffer(const Napi::CallbackInfo& info);
  ~AddonHostBuffer() override;

  // Null once disposed.
  std::shared_ptr<HostAllocation> allocation() const { return allocation_; }
  BufferMemory memory() const override;

 private:
  Napi::Value ByteLength(const Napi::CallbackInfo& info);
  Napi::Value GetArrayBuffer(const Napi::CallbackInfo& info);
  Napi::Value Location(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);

  std::shared_ptr<HostAllocation> allocation_;
  Napi::Reference<Napi::ArrayBuffer> view_;
  int64_t reported_ = 0;  // bytes reported to V8 with AdjustExternalMemory
  napi_env env_ = nullptr;
};

}  // namespace trtn::addon
