// Builds a TensorRT engine from the built-in network IR on the calling (build worker) thread:
// IBuilder -> INetworkDefinition (translated) -> IBuilderConfig -> buildSerializedNetwork, and
// wraps the result in our plan header (TrtPlan.h). Throws EngineError: TENSORRT_UNAVAILABLE when
// libnvinfer cannot be loaded, CANCELLED when CancelFn stopped the build, and TensorRT's recorded
// error (mapped to a StatusCode) when a TensorRT call fails.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "../../cuda/GpuAllocator.h"
#include "../../engine/Builder.h"
#include "../../engine/Graph.h"

namespace trtn::trt {

class TrtOnnxNetwork;

struct TrtBuildOptions {
  // The builder's GPU allocator (IBuilder::setGpuAllocator); null: TensorRT's own.
  std::shared_ptr<cuda::GpuAllocator> gpuAllocator;
  // A timing cache to build with (IBuilderConfig::createTimingCache from these bytes; empty bytes
  // make an empty cache). Without one TensorRT uses a private cache for the build.
  std::optional<std::vector<uint8_t>> timingCache;
  bool ignoreTimingCacheMismatch = false;
  // A network nvonnxparser imported (OnnxParser implementation 'nvonnxparser'): built as it is,
  // with its own builder; `graph` then holds its inputs and outputs only, for the profiles, and
  // `parsedShapeInputs` says which inputs are shape tensors (indexed like graph.inputs).
  std::shared_ptr<TrtOnnxNetwork> parsedNetwork;
  std::vector<bool> parsedShapeInputs;
};

struct TrtBuildResult {
  std::vector<uint8_t> plan;  // wrapped plan
  // The timing cache after the build (serialized), when one was given.
  std::optional<std::vector<uint8_t>> timingCache;
};

TrtBuildResult buildTensorRTPlan(const Graph& graph, const BuildConfig& config, const TrtBuildOptions& options,
                                 const LogFn& log, const ProgressFn& progress, const CancelFn& cancelled);

}  // namespace trtn::trt
