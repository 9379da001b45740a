// Free functions of the `cuda` export: device queries and the copies and fills every buffer
// class shares. [sync] unless noted; all run on the JS thread.
#pragma once

#include <napi.h>

namespace trtn::cuda::addon {

Napi::Value DeviceInfoFn(const Napi::CallbackInfo& info);
Napi::Value MemoryInfoFn(const Napi::CallbackInfo& info);
void SetDeviceFn(const Napi::CallbackInfo& info);
Napi::Value GetDeviceFn(const Napi::CallbackInfo& info);
void SynchronizeDeviceFn(const Napi::CallbackInfo& info);
// memcpy(dst, dstOffset, src, srcOffset, byteLength, stream | null): with a stream [async]
// returns a Promise, else copies before returning.
Napi::Value MemcpyFn(const Napi::CallbackInfo& info);
// fill(dst, byteOffset, byteLength, patternLow32, patternHigh32, width, stream | null): likewise.
Napi::Value FillFn(const Napi::CallbackInfo& info);

}  // namespace trtn::cuda::addon
