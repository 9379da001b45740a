// Everything a built engine consists of: the optimised graph, its execution order, the
// optimization profiles, the activation-memory plan per profile and the autotuned kernel choices.
// This is what a plan file stores (docs/plan-format.md).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "Graph.h"
#include "MemoryPlanner.h"

namespace trtn {

enum class BackendKind : uint32_t { kCpu = 0, kCuda = 1, kTensorRT = 2 };
const char* backendName(BackendKind b);

struct ProfileShapes {
  std::vector<Dims> min, opt, max;  // indexed like Graph::inputs
};

struct EngineDesc {
  std::string name;
  BackendKind backend = BackendKind::kCpu;
  Graph graph;
  std::vector<int32_t> order;
  std::vector<TensorRole> roles;  // per tensor
  std::vector<ProfileShapes> profiles;
  std::vector<MemoryPlan> memory;  // per profile
  int32_t optimizationLevel = 3;
  int32_t profilingVerbosity = 0;
  std::vector<std::string> passLog;  // what the pass pipeline did
};

}  // namespace trtn
