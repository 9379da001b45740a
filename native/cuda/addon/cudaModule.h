// The `cuda` object of the addon (typings/native.d.ts NativeCudaModule): its classes, type tags
// and the buffer plumbing they share. Compiled only with TRTN_WITH_CUDA.
#pragma once

#include <napi.h>

#include <memory>

#include "../../addon/NativeBuffer.h"
#include "../CudaOwners.h"

namespace trtn::cuda::addon {

extern const napi_type_tag kCudaStreamTag;
extern const napi_type_tag kCudaEventTag;
extern const napi_type_tag kDeviceBufferTag;
extern const napi_type_tag kPinnedBufferTag;
extern const napi_type_tag kUnifiedBufferTag;
extern const napi_type_tag kGpuAllocatorTag;

// Builds the `cuda` export and registers the buffer classes with the addon's buffer resolver.
Napi::Object registerCudaModule(Napi::Env env);

// Wraps memory in a new JS buffer object of the class matching its kind.
Napi::Object wrapMemory(Napi::Env env, std::shared_ptr<CudaMemory> memory);

}  // namespace trtn::cuda::addon
