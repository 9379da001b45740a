// The builder's optimisation pipeline: named passes run in a fixed order, each a function over
// the graph, with shape inference re-run between passes so a broken rewrite is caught at the
// pass that made it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "Graph.h"

namespace trtn {

struct PassContext {
  int optimizationLevel = 3;  // BuilderConfig.builderOptimizationLevel; 0 disables fusions
  bool cudaBackend = false;   // the engine is built for the cuda backend (enables its own fusions)
  std::function<void(int severity, const std::string&)> log;
  // Returns true when the build was cancelled; passes with long loops check it.
  std::function<bool()> cancelled;
  void checkCancelled(const char* where) const {
    if (cancelled && cancelled()) fail(StatusCode::kCancelled, "build cancelled during ", where);
  }
};

struct PassResult {
  int changes = 0;  // rewrites made (for the build log)
};

struct Pass {
  const char* name;
  int minOptimizationLevel;  // skipped below this level
  PassResult (*run)(Graph&, const PassContext&);
};

// The pipeline, in execution order.
const std::vector<Pass>& passPipeline();

// Runs every pass enabled at ctx.optimizationLevel; returns "name: changes" lines for the log.
std::vector<std::string> runPasses(Graph& graph, const PassContext& ctx);

// Graph surgery shared by passes.
// Consumers of `from` read `to` instead. Network outputs are never redirected.
void replaceUses(Graph& graph, int32_t from, int32_t to);
// Number of node inputs reading `tensor` (+1 if it is a network output).
int useCount(const Graph& graph, int32_t tensor);
// Removes nodes flagged in `dead` and tensors nothing refers to; renumbers ids.
void compact(Graph& graph, const std::vector<bool>& dead);

}  // namespace trtn
