// shuffleSimplification: drops shuffles that change nothing (identity permutation and a reshape
// to the same dims) and merges a reshape-only shuffle into the reshape-only shuffle after it.
#include <numeric>

#include "../Passes.h"

namespace trtn {

namespace {

bool isIdentityPermutation(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

bool isReshapeOnly(const Node& n) {
  return n.type == LayerType::kSHUFFLE && n.input(1) < 0 && isIdentityPermutation(n.getInts("firstTranspose")) &&
         isIdentityPermutation(n.getInts("secondTranspose"));
}

}  // namespace

PassResult shuffleSimplificationPass(Graph& g, const PassContext&) {
  PassResult result;
  std::vector<bool> dead(g.nodes.size(), false);
  for (int32_t id : g.topologicalOrder()) {
    Node& node = g.nodes[id];
    if (!isReshapeOnly(node)) continue;
    int32_t in = node.inputs[0];
    int32_t out = node.outputs[0];
    const TensorDesc& inDesc = g.tensors[in];
    const TensorDesc& outDesc = g.tensors[out];
    // Identity: same static dims in and out.
    if (isFullyKnown(inDesc.dims) && inDesc.dims == outDesc.dims && !outDesc.isOutput) {
      replaceUses(g, out, in);
      dead[id] = true;
      ++result.changes;
      continue;
    }
    // Reshape of a reshape: read the first reshape's input directly, with the final static dims.
    int32_t p = inDesc.producer;
    if (p >= 0 && !dead[p] && isReshapeOnly(g.nodes[p]) && isFullyKnown(outDesc.dims)) {
      node.inputs[0] = g.nodes[p].inputs[0];
      node.attrs["reshapeDims"] = std::vector<int64_t>(outDesc.dims.begin(), outDesc.dims.end());
      node.attrs["zeroIsPlaceholder"] = int64_t{0};
      ++result.changes;
    }
  }
  if (result.changes) compact(g, dead);
  return result;
}

}  // namespace trtn
