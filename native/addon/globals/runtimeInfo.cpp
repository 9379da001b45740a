// [sync] Process-wide facts and settings: the engine thread pool and the backends this build of
// the addon can offer.
#include <napi.h>

#include "../../engine/ThreadPool.h"
#include "../../engine/cpu/Gemm.h"
#include "../../tensorrt/common/TrtAvailability.h"
#include "../AddonData.h"
#include "globals.h"
#ifdef TRTN_WITH_CUDA
#include "../../cuda/CudaRuntime.h"
#endif

namespace trtn::addon {

Napi::Value ConfigureThreadPool(const Napi::CallbackInfo& info) {
  int64_t threads = argInt(info, 0, "threads");
  if (threads < 1 || threads > 1024)
    throwError(info.Env(), StatusCode::kInvalidArgument, "threads must be between 1 and 1024");
  return Napi::Boolean::New(info.Env(), ThreadPool::configure(static_cast<int>(threads)));
}

Napi::Value ThreadPoolStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThreadPool& pool = ThreadPool::global();
  Napi::Object o = Napi::Object::New(env);
  // The pool's helpers plus the calling thread, which always works too.
  o.Set("threads", Napi::Number::New(env, pool.size() + 1));
  o.Set("queued", Napi::Number::New(env, static_cast<double>(pool.queued())));
  o.Set("active", Napi::Number::New(env, static_cast<double>(pool.active())));
  o.Set("completed", Napi::Number::New(env, static_cast<double>(pool.completed())));
  return o;
}

// The CUDA runtime (the cuda module: devices, buffers, streams, allocators) and the engine's
// CUDA backend are separate facts: the runtime can be usable while the backend is not built yet.
static std::string cudaRuntimeReason(bool* usable) {
#ifdef TRTN_WITH_CUDA
  const cuda::DeviceProbe& p = cuda::probe();
  *usable = p.count > 0;
  return p.reason;
#else
  *usable = false;
  return "this build has no CUDA support (no CUDA compiler was found when the addon was built)";
#endif
}

// The built-in engine's CUDA backend is usable exactly when the CUDA runtime is (cuBLASLt and
// cuDNN are loaded when a layer first needs them, and their absence is reported then).
static std::string cudaBackendReason(bool* usable) {
  std::string runtime = cudaRuntimeReason(usable);
  if (!*usable) return runtime;
  return "built-in engine on the GPU (" + runtime + "; GEMM through cuBLASLt, convolution through cuDNN)";
}

Napi::Value CudaRuntimeInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  bool usable = false;
  std::string reason = cudaRuntimeReason(&usable);
#ifdef TRTN_WITH_CUDA
  const cuda::DeviceProbe& p = cuda::probe();
  o.Set("built", true);
  o.Set("deviceCount", p.count);
  o.Set("driverVersion", p.driverVersion);
  o.Set("runtimeVersion", p.runtimeVersion);
  o.Set("error", p.error == cudaSuccess ? env.Null() : Napi::String::New(env, cudaGetErrorName(p.error)));
#else
  o.Set("built", false);
  o.Set("deviceCount", 0);
  o.Set("driverVersion", 0);
  o.Set("runtimeVersion", 0);
  o.Set("error", env.Null());
#endif
  o.Set("available", usable);
  o.Set("reason", reason);
  return o;
}

Napi::Value GetBackends(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array list = Napi::Array::New(env);
  Napi::Object cpu = Napi::Object::New(env);
  cpu.Set("name", "cpu");
  cpu.Set("available", true);
  cpu.Set("reason", std::string("built-in engine on the CPU (GEMM micro-kernel: ") + cpu::gemmKernelName() + ")");
  list.Set(0u, cpu);
  Napi::Object cuda = Napi::Object::New(env);
  cuda.Set("name", "cuda");
  bool cudaUsable = false;
  std::string cudaReason = cudaBackendReason(&cudaUsable);
  cuda.Set("available", cudaUsable);
  cuda.Set("reason", cudaReason);
  list.Set(1u, cuda);
  Napi::Object trt = Napi::Object::New(env);
  trt.Set("name", "tensorrt");
  trt::BackendAvailability tensorrt = trt::tensorrtAvailability();
  trt.Set("available", tensorrt.available);
  trt.Set("reason", tensorrt.reason);
  list.Set(2u, trt);
  return list;
}

}  // namespace trtn::addon
