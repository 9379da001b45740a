#pragma once

#include <napi.h>

namespace trtn::addon {

Napi::Value ConfigureThreadPool(const Napi::CallbackInfo& info);
Napi::Value ThreadPoolStats(const Napi::CallbackInfo& info);
Napi::Value GetBackends(const Napi::CallbackInfo& info);
Napi::Value CudaRuntimeInfo(const Napi::CallbackInfo& info);
Napi::Value TensorRTLibraryInfo(const Napi::CallbackInfo& info);
// { wrap, view, checkCompatible }: the TensorRT plan wrapper, for tests.
Napi::Object TensorRTPlanTools(Napi::Env env);

}  // namespace trtn::addon
