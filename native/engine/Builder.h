// Builds an engine from a network: validation, the pass pipeline, per-profile shape resolution,
// autotuning of kernel choices and activation-memory planning.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "EngineDesc.h"

namespace trtn {

struct ProfileSpec {
  // input name -> {min, opt, max}
  std::map<std::string, std::array<Dims, 3>> shapes;
  // shape tensor input name -> {min, opt, max} values (IOptimizationProfile::setShapeValuesV2)
  std::map<std::string, std::array<std::vector<int64_t>, 3>> values;
};

struct BuildConfig {
  BackendKind backend = BackendKind::kCpu;
  std::vector<ProfileSpec> profiles;
  int32_t optimizationLevel = 3;
  int32_t avgTimingIterations = 1;
  int32_t profilingVerbosity = 0;
  int64_t workspaceLimit = -1;  // MemoryPoolType.WORKSPACE; -1 = unlimited
  // BuilderFlag bits (bit k = nvinfer1::BuilderFlag value k; TF32 set by default, as in
  // BuilderConfig). Only the tensorrt backend applies them; the built-in backends ignore them.
  uint64_t flags = uint64_t{1} << 6;
};

using LogFn = std::function<void(int severity, const std::string& message)>;
// Reports (phase, step, total).
using ProgressFn = std::function<void(const std::string& phase, int step, int total)>;
// Polled at checkpoints (between phases, passes and folded layers); true cancels the build.
using CancelFn = std::function<bool()>;

// Severity values, as nvinfer1::ILogger::Severity.
enum Severity : int { kSevInternalError = 0, kSevError = 1, kSevWarning = 2, kSevInfo = 3, kSevVerbose = 4 };

// `network` must already own its weights (Graph::materialize). Throws EngineError.
EngineDesc buildEngine(Graph network, const BuildConfig& config, const LogFn& log, const ProgressFn& progress,
                       const CancelFn& cancelled = nullptr);

}  // namespace trtn
