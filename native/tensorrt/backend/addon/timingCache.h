// [sync, JS thread] TensorRT timing cache operations on serialized caches (NativeTrtTimingCacheOps
// in typings/native.d.ts): combine(into, from, ignoreMismatch) and reset(), each returning the
// new cache bytes. Registered as `tensorrtTimingCache` in builds with the tensorrt backend.
#pragma once

#include <napi.h>

namespace trtn::trt::addon {

Napi::Object TimingCacheOps(Napi::Env env);

}  // namespace trtn::trt::addon
