#include "TrtBuild.h"

#include "../../cuda/CudaRuntime.h"
#include "../common/TrtLibrary.h"
#include "../common/TrtPlan.h"
#include "TrtErrorRecorder.h"
#include "TrtGpuAllocator.h"
#include "TrtLogger.h"
#include "TrtNetworkTranslator.h"
#include "TrtObjects.h"
#include "TrtProgressMonitor.h"

namespace trtn::trt {

namespace {

std::vector<uint8_t> copyOut(const nvinfer1::IHostMemory& memory) {
  const auto* p = static_cast<const uint8_t*>(memory.data());
  return std::vector<uint8_t>(p, p + memory.size());
}

}  // namespace

TrtBuildResult buildTensorRTPlan(const Graph& graph, const BuildConfig& buildConfig, const TrtBuildOptions& options,
                                 const LogFn& log, const ProgressFn& progress, const CancelFn& cancelled) {
  const TensorRTLibraries& libs = loadTensorRT();  // throws TENSORRT_UNAVAILABLE naming every path tried
  if (!libs.createInferBuilder)
    fail(StatusCode::kTensorRTUnavailable, "the TensorRT library at ", libs.nvinferPath,
         " has no builder (createInferBuilder_INTERNAL); a lean or dispatch runtime cannot build engines");
  if (cancelled && cancelled()) fail(StatusCode::kCancelled, "build cancelled");

  int device = cuda::currentDevice();
  cuda::DeviceInfo gpu = cuda::deviceInfo(device);

  // Declaration order is destruction order reversed: everything TensorRT holds a pointer to
  // (logger, recorder, allocator, monitor, timing cache) is declared before the objects using it,
  // and the config and network are deleted before their builder.
  TrtLogger logger(log);
  TrtErrorRecorder recorder;
  std::unique_ptr<TrtGpuAllocator> allocator;
  if (options.gpuAllocator) allocator = std::make_unique<TrtGpuAllocator>(options.gpuAllocator);
  TrtProgressMonitor monitor(progress, cancelled);
  TrtUnique<nvinfer1::ITimingCache> timingCache;  // must outlive the builders that use it

  auto createBuilder = reinterpret_cast<void* (*)(void*, int32_t)>(libs.createInferBuilder);
  TrtUnique<nvinfer1::IBuilder> builder(static_cast<nvinfer1::IBuilder*>(createBuilder(&logger, NV_TENSORRT_VERSION)));
  if (!builder)
    fail(StatusCode::kTensorRTError, "createInferBuilder failed (TensorRT ", libs.version,
         " at ", libs.nvinferPath, "; the log has TensorRT's reason)");
  builder->setErrorRecorder(&recorder);
  if (allocator) builder->setGpuAllocator(allocator.get());

  std::unique_ptr<TranslatedNetwork> translated;  // weights the network points into
  uint64_t mark = recorder.mark();
  // Every TensorRT 11 network is strongly typed; the flag that said so is gone.
  TrtUnique<nvinfer1::INetworkDefinition> network(builder->createNetworkV2(0));
  if (!network) recorder.fail(mark, "createNetworkV2 failed");
  translated = translateNetwork(graph, *network);

  mark = recorder.mark();
  TrtUnique<nvinfer1::IBuilderConfig> config(builder->createBuilderConfig());
  if (!config) recorder.fail(mark, "createBuilderConfig failed");
  configureBuild(buildConfig, graph, *builder, *config);
  config->setProgressMonitor(&monitor);

  if (options.timingCache) {
    mark = recorder.mark();
    const std::vector<uint8_t>& bytes = *options.timingCache;
    timingCache.reset(config->createTimingCache(bytes.empty() ? nullptr : bytes.data(), bytes.size()));
    if (!timingCache) recorder.fail(mark, "createTimingCache failed (the bytes are not a timing cache of this TensorRT version)");
    if (!config->setTimingCache(*timingCache, options.ignoreTimingCacheMismatch))
      recorder.fail(mark, "setTimingCache failed (the cache was made on another device or TensorRT version; pass ignoreMismatch to use it anyway)");
  }

  if (cancelled && cancelled()) fail(StatusCode::kCancelled, "build cancelled");
  mark = recorder.mark();
  TrtUnique<nvinfer1::IHostMemory> serialized(builder->buildSerializedNetwork(*network, *config));
  if (!serialized) {
    if (monitor.stopped() || (cancelled && cancelled())) fail(StatusCode::kCancelled, "build cancelled");
    recorder.fail(mark, "buildSerializedNetwork failed");
  }

  TrtBuildResult result;
  if (timingCache) {
    mark = recorder.mark();
    TrtUnique<nvinfer1::IHostMemory> cacheBytes(timingCache->serialize());
    if (!cacheBytes) recorder.fail(mark, "ITimingCache::serialize failed");
    result.timingCache = copyOut(*cacheBytes);
  }
  TrtPlanMeta meta;
  meta.tensorrtVersion = libs.version;
  meta.computeMajor = gpu.major;
  meta.computeMinor = gpu.minor;
  meta.deviceName = gpu.name;
  result.plan = wrapTensorRTPlan(static_cast<const uint8_t*>(serialized->data()), serialized->size(), meta);
  return result;
}

}  // namespace trtn::trt
