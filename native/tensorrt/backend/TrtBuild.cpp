#include "TrtBuild.h"

#include "../../cuda/CudaRuntime.h"
#include "../../engine/Inference.h"
#include "../common/TrtLibrary.h"
#include "../common/TrtPlan.h"
#include "TrtErrorRecorder.h"
#include "TrtGpuAllocator.h"
#include "TrtLogger.h"
#include "TrtNetworkTranslator.h"
#include "TrtOnnxNetwork.h"
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
  const TensorRTLibraries& libs = loadTensorRTBackend();  // throws TENSORRT_UNAVAILABLE naming every path tried
  if (!libs.createInferBuilder)
    fail(StatusCode::kTensorRTUnavailable, "the TensorRT library at ", libs.nvinferPath,
         " has no builder (createInferBuilder_INTERNAL); a lean or dispatch runtime cannot build engines");
  if (cancelled && cancelled()) fail(StatusCode::kCancelled, "build cancelled");

  int device = cuda::currentDevice();
  cuda::DeviceInfo gpu = cuda::deviceInfo(device);

  // Declaration order is destruction order reversed: everything TensorRT holds a pointer to
  // (recorder, allocator, monitor, timing cache) is declared before the objects using it,
  // and the config and network are deleted before their builder.
  // What TensorRT logs on this thread goes to the build's (thread-safe) log until the build ends.
  TrtLogScope logScope(log);
  // ... and what it logs on threads of its own, while this is the only build in progress.
  TrtBuildLogSink buildLog(log);
  TrtErrorRecorder ownRecorder;
  std::unique_ptr<TrtGpuAllocator> allocator;
  if (options.gpuAllocator) allocator = std::make_unique<TrtGpuAllocator>(options.gpuAllocator);
  TrtProgressMonitor monitor(progress, cancelled);
  TrtUnique<nvinfer1::ITimingCache> timingCache;  // must outlive the builders that use it

  // A network nvonnxparser imported is built as TensorRT's parser made it, by the builder that
  // owns it (held for this build alone; its messages and errors come here meanwhile).
  std::optional<TrtOnnxNetwork::BuildLease> parsed;
  if (options.parsedNetwork) parsed.emplace(*options.parsedNetwork, log);
  TrtErrorRecorder& recorder = parsed ? parsed->recorder() : ownRecorder;
  TrtUnique<nvinfer1::IBuilder> ownBuilder;
  nvinfer1::IBuilder* builder = nullptr;
  if (parsed) {
    builder = &parsed->builder();
  } else {
    auto createBuilder = reinterpret_cast<void* (*)(void*, int32_t)>(libs.createInferBuilder);
    ownBuilder.reset(static_cast<nvinfer1::IBuilder*>(createBuilder(&TrtLogger::instance(), NV_TENSORRT_VERSION)));
    if (!ownBuilder)
      fail(StatusCode::kTensorRTError, "createInferBuilder failed (TensorRT ", libs.version,
           " at ", libs.nvinferPath, "; the log has TensorRT's reason)");
    builder = ownBuilder.get();
    builder->setErrorRecorder(&recorder);
  }
  // The imported network's builder outlives this build: the network keeps the allocator as long
  // as that builder (TensorRT wants it to live as long as the builder), and later builds without
  // one get TensorRT's default again.
  struct AllocatorReset {
    nvinfer1::IBuilder* builder;
    ~AllocatorReset() {
      if (builder) builder->setGpuAllocator(nullptr);
    }
  } allocatorReset{parsed && allocator ? builder : nullptr};
  if (allocator && parsed) parsed->useGpuAllocator(std::move(allocator));
  else if (allocator) builder->setGpuAllocator(allocator.get());

  std::unique_ptr<TranslatedNetwork> translated;  // weights the network points into
  uint64_t mark = recorder.mark();
  TrtUnique<nvinfer1::INetworkDefinition> ownNetwork;
  nvinfer1::INetworkDefinition* network = nullptr;
  std::vector<bool> shapeInputs;
  if (parsed) {
    network = &parsed->network();
    shapeInputs = options.parsedShapeInputs;
  } else {
    // Every TensorRT 11 network is strongly typed; the flag that said so is gone.
    ownNetwork.reset(builder->createNetworkV2(0));
    if (!ownNetwork) recorder.fail(mark, "createNetworkV2 failed");
    network = ownNetwork.get();
    translated = translateNetwork(graph, *network, recorder);  // fails naming the layer and TensorRT's reason
    shapeInputs = findShapeTensorInputs(graph);
  }

  mark = recorder.mark();
  TrtUnique<nvinfer1::IBuilderConfig> config(builder->createBuilderConfig());
  if (!config) recorder.fail(mark, "createBuilderConfig failed");
  configureBuild(buildConfig, graph, shapeInputs, *builder, *config);
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
  // What the engine tolerates, so loading it elsewhere is checked by the right rule.
  // A version-compatible plan built with EXCLUDE_LEAN_RUNTIME carries no runtime of its own and
  // loads only through IRuntime::loadRuntime, which this backend does not do: it stays bound to
  // the TensorRT that built it.
  if (config->getFlag(nvinfer1::BuilderFlag::kVERSION_COMPATIBLE) && !config->getFlag(nvinfer1::BuilderFlag::kEXCLUDE_LEAN_RUNTIME))
    meta.compatibility |= kPlanVersionCompatible;
  if (config->getHardwareCompatibilityLevel() == nvinfer1::HardwareCompatibilityLevel::kAMPERE_PLUS)
    meta.compatibility |= kPlanAmperePlus;
  else if (config->getHardwareCompatibilityLevel() == nvinfer1::HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY)
    meta.compatibility |= kPlanSameComputeCapability;
  result.plan = wrapTensorRTPlan(static_cast<const uint8_t*>(serialized->data()), serialized->size(), meta);
  return result;
}

}  // namespace trtn::trt
