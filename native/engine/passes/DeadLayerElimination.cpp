// deadLayerElimination: removes layers none of whose outputs reach a network output.
#include "../Passes.h"

namespace trtn {

PassResult deadLayerEliminationPass(Graph& g, const PassContext&) {
  std::vector<bool> liveTensor(g.tensors.size(), false);
  for (int32_t t : g.outputs) liveTensor[t] = true;
  std::vector<bool> dead(g.nodes.size(), true);
  auto order = g.topologicalOrder();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node& node = g.nodes[*it];
    bool live = false;
    for (int32_t t : node.outputs) live = live || liveTensor[t];
    if (!live) continue;
    dead[*it] = false;
    for (int32_t t : node.inputs)
      if (t >= 0) liveTensor[t] = true;
  }
  PassResult result;
  for (bool d : dead) result.changes += d ? 1 : 0;
  if (result.changes) compact(g, dead);
  return result;
}

}  // namespace trtn
