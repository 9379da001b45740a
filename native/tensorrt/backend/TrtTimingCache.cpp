#include "TrtTimingCache.h"

#include "../../engine/Status.h"
#include "../common/TrtLibrary.h"
#include "TrtErrorRecorder.h"
#include "TrtLogger.h"
#include "TrtObjects.h"

namespace trtn::trt {

namespace {

std::vector<uint8_t> withCaches(const std::vector<uint8_t>& first, const std::vector<uint8_t>* second, bool ignoreMismatch) {
  const TensorRTLibraries& libs = loadTensorRTBackend();
  if (!libs.createInferBuilder)
    fail(StatusCode::kTensorRTUnavailable, "the TensorRT library at ", libs.nvinferPath, " has no builder, which timing caches need");
  TrtLogScope logScope(nullptr);  // nobody listens: failures arrive through the recorder
  TrtErrorRecorder recorder;
  auto createBuilder = reinterpret_cast<void* (*)(void*, int32_t)>(libs.createInferBuilder);
  TrtUnique<nvinfer1::IBuilder> builder(static_cast<nvinfer1::IBuilder*>(createBuilder(&TrtLogger::instance(), NV_TENSORRT_VERSION)));
  if (!builder) fail(StatusCode::kTensorRTError, "createInferBuilder failed");
  builder->setErrorRecorder(&recorder);
  uint64_t mark = recorder.mark();
  TrtUnique<nvinfer1::IBuilderConfig> config(builder->createBuilderConfig());
  if (!config) recorder.fail(mark, "createBuilderConfig failed");
  TrtUnique<nvinfer1::ITimingCache> a(config->createTimingCache(first.empty() ? nullptr : first.data(), first.size()));
  if (!a) recorder.fail(mark, "createTimingCache failed (not a timing cache of this TensorRT version)");
  if (second) {
    TrtUnique<nvinfer1::ITimingCache> b(config->createTimingCache(second->empty() ? nullptr : second->data(), second->size()));
    if (!b) recorder.fail(mark, "createTimingCache failed for the cache to combine (not a timing cache of this TensorRT version)");
    if (!a->combine(*b, ignoreMismatch))
      recorder.fail(mark, "ITimingCache::combine failed (caches of another device or TensorRT version; pass ignoreMismatch to combine anyway)");
  } else if (!a->reset()) {
    recorder.fail(mark, "ITimingCache::reset failed");
  }
  TrtUnique<nvinfer1::IHostMemory> bytes(a->serialize());
  if (!bytes) recorder.fail(mark, "ITimingCache::serialize failed");
  const auto* p = static_cast<const uint8_t*>(bytes->data());
  return std::vector<uint8_t>(p, p + bytes->size());
}

}  // namespace

std::vector<uint8_t> combineTimingCaches(const std::vector<uint8_t>& into, const std::vector<uint8_t>& from, bool ignoreMismatch) {
  return withCaches(into, &from, ignoreMismatch);
}

std::vector<uint8_t> emptyTimingCache() { return withCaches({}, nullptr, false); }

}  // namespace trtn::trt
