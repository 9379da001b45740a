// Module entry: registers the native classes and functions declared in typings/native.d.ts.
#include <napi.h>

#include "AddonBuilder.h"
#include "AddonData.h"
#include "AddonEngine.h"
#include "AddonExecutionContext.h"
#include "AddonHostBuffer.h"
#include "AddonNetwork.h"
#include "AddonStream.h"
#include "AddonThreadPool.h"
#include "globals/globals.h"
#ifdef TRTN_WITH_CUDA
#include "../cuda/addon/cudaModule.h"
#endif
#ifdef TRTN_WITH_TENSORRT
#include "../tensorrt/backend/addon/AddonTrtEngine.h"
#include "../tensorrt/backend/addon/AddonTrtExecutionContext.h"
#include "../tensorrt/backend/addon/AddonTrtOnnxParser.h"
#include "../tensorrt/backend/addon/AddonTrtRefitter.h"
#include "../tensorrt/backend/addon/timingCache.h"
#endif
#ifdef TRTN_WITH_TENSORRT
#include "../tensorrt/backend/addon/TrtEnumTable.h"
#endif

namespace trtn::addon {

// init({ TrtError }): hands the TypeScript error class to native code so every native failure
// is a TrtError with a stable code.
static Napi::Value InitAddon(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throwError(env, StatusCode::kInvalidArgument, "init expects { TrtError }");
  Napi::Value ctor = info[0].As<Napi::Object>().Get("TrtError");
  if (!ctor.IsFunction()) throwError(env, StatusCode::kInvalidArgument, "init expects { TrtError }");
  AddonData::of(env).trtErrorCtor = Napi::Persistent(ctor.As<Napi::Function>());
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData(data);
  Napi::Function network = AddonNetwork::Init(env);
  Napi::Function engine = AddonEngine::Init(env);
  Napi::Function context = AddonExecutionContext::Init(env);
  Napi::Function hostBuffer = AddonHostBuffer::Init(env);
  Napi::Function stream = AddonStream::Init(env);
  data->networkCtor = Napi::Persistent(network);
  data->engineCtor = Napi::Persistent(engine);
  data->contextCtor = Napi::Persistent(context);
  data->hostBufferCtor = Napi::Persistent(hostBuffer);
  data->streamCtor = Napi::Persistent(stream);
#ifdef TRTN_WITH_TENSORRT
  // Made by deserializeEngine() for TensorRT plans; not exported.
  data->trtEngineCtor = Napi::Persistent(trt::addon::AddonTrtEngine::Init(env));
  data->trtContextCtor = Napi::Persistent(trt::addon::AddonTrtExecutionContext::Init(env));
  data->trtRefitterCtor = Napi::Persistent(trt::addon::AddonTrtRefitter::Init(env));
#endif
  exports.Set("NativeNetwork", network);
  exports.Set("NativeEngine", engine);
  exports.Set("NativeExecutionContext", context);
  exports.Set("NativeHostBuffer", hostBuffer);
  exports.Set("NativeStream", stream);
  exports.Set("NativeThreadPool", AddonThreadPool::Init(env));
  exports.Set("init", Napi::Function::New(env, InitAddon, "init"));
  exports.Set("buildSerializedNetwork", Napi::Function::New(env, AddonBuilder::BuildSerializedNetwork, "buildSerializedNetwork"));
  exports.Set("buildSerializedNetworkSync",
              Napi::Function::New(env, AddonBuilder::BuildSerializedNetworkSync, "buildSerializedNetworkSync"));
  exports.Set("deserializeEngine", Napi::Function::New(env, AddonBuilder::DeserializeEngine, "deserializeEngine"));
  exports.Set("deserializeEngineAsync", Napi::Function::New(env, AddonBuilder::DeserializeEngineAsync, "deserializeEngineAsync"));
  exports.Set("inspectPlan", Napi::Function::New(env, AddonBuilder::InspectPlan, "inspectPlan"));
  exports.Set("readBuildConfig", Napi::Function::New(env, AddonBuilder::ReadBuildConfig, "readBuildConfig"));
  exports.Set("configureThreadPool", Napi::Function::New(env, ConfigureThreadPool, "configureThreadPool"));
  exports.Set("threadPoolStats", Napi::Function::New(env, ThreadPoolStats, "threadPoolStats"));
  exports.Set("getBackends", Napi::Function::New(env, GetBackends, "getBackends"));
  exports.Set("cudaRuntimeInfo", Napi::Function::New(env, CudaRuntimeInfo, "cudaRuntimeInfo"));
  exports.Set("tensorrtLibraryInfo", Napi::Function::New(env, TensorRTLibraryInfo, "tensorrtLibraryInfo"));
  exports.Set("tensorrtPlanTools", TensorRTPlanTools(env));
#ifdef TRTN_WITH_TENSORRT
  exports.Set("tensorrtEnumTable", Napi::Function::New(env, trt::addon::TensorrtEnumTable, "tensorrtEnumTable"));
  exports.Set("tensorrtDimsRoundTrip", Napi::Function::New(env, trt::addon::TensorrtDimsRoundTrip, "tensorrtDimsRoundTrip"));
#endif
#ifdef TRTN_WITH_CUDA
  exports.Set("cuda", cuda::addon::registerCudaModule(env));
#endif
#ifdef TRTN_WITH_TENSORRT
  exports.Set("tensorrtTimingCache", trt::addon::TimingCacheOps(env));
  exports.Set("NativeTrtOnnxParser", trt::addon::AddonTrtOnnxParser::Init(env));
#endif
  exports.Set("version", Napi::String::New(env, "0.1.0"));
  return exports;
}

}  // namespace trtn::addon

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return trtn::addon::Init(env, exports); }

NODE_API_MODULE(tensorrt_node, InitModule)
