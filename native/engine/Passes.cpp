#include "Passes.h"

#include "Inference.h"

namespace trtn {

PassResult loopOutliningPass(Graph&, const PassContext&);
PassResult constantFoldingPass(Graph&, const PassContext&);
PassResult deadLayerEliminationPass(Graph&, const PassContext&);
PassResult shuffleSimplificationPass(Graph&, const PassContext&);
PassResult fuseScaleIntoConvolutionPass(Graph&, const PassContext&);
PassResult fuseMatMulBiasPass(Graph&, const PassContext&);
PassResult fuseActivationPass(Graph&, const PassContext&);
PassResult foldMatMulWeightsPass(Graph&, const PassContext&);
PassResult fuseConvResidualCudaPass(Graph&, const PassContext&);

const std::vector<Pass>& passPipeline() {
  // Leaked on purpose: a build may still be running on the build thread at process exit.
  static const auto& pipeline = *new std::vector<Pass>{
      // First: every later pass sees an acyclic graph with each loop as one node.
      {"loopOutlining", 0, loopOutliningPass},
      {"deadLayerElimination", 0, deadLayerEliminationPass},
      {"constantFolding", 0, constantFoldingPass},
      {"shuffleSimplification", 1, shuffleSimplificationPass},
      {"fuseScaleIntoConvolution", 1, fuseScaleIntoConvolutionPass},
      {"fuseMatMulBias", 1, fuseMatMulBiasPass},
      {"fuseActivation", 1, fuseActivationPass},
      {"fuseConvResidualCuda", 1, fuseConvResidualCudaPass},
      {"foldMatMulWeights", 1, foldMatMulWeightsPass},
      {"deadLayerElimination", 0, deadLayerEliminationPass},
  };
  return pipeline;
}

std::vector<std::string> runPasses(Graph& graph, const PassContext& ctx) {
  std::vector<std::string> report;
  for (const Pass& pass : passPipeline()) {
    if (ctx.optimizationLevel < pass.minOptimizationLevel) continue;
    ctx.checkCancelled(pass.name);
    PassResult r = pass.run(graph, ctx);
    // Re-validate after every rewrite so a broken pass is caught where it happened.
    Status s = inferInPlace(graph);
    if (!s.ok()) fail(StatusCode::kInternal, "pass ", pass.name, " produced an invalid graph: ", s.message);
    report.push_back(std::string(pass.name) + ": " + std::to_string(r.changes) + " change(s)");
  }
  return report;
}

}  // namespace trtn
