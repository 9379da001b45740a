#include <algorithm>

#include "../Passes.h"

namespace trtn {

void replaceUses(Graph& graph, int32_t from, int32_t to) {
  for (auto& node : graph.nodes)
    for (auto& in : node.inputs)
      if (in == from) in = to;
}

int useCount(const Graph& graph, int32_t tensor) {
  int n = 0;
  for (const auto& node : graph.nodes)
    for (int32_t in : node.inputs)
      if (in == tensor) ++n;
  if (std::find(graph.outputs.begin(), graph.outputs.end(), tensor) != graph.outputs.end()) ++n;
  return n;
}

void compact(Graph& graph, const std::vector<bool>& dead) {
  std::vector<Node> nodes;
  std::vector<int32_t> nodeMap(graph.nodes.size(), -1);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (i < dead.size() && dead[i]) continue;
    nodeMap[i] = static_cast<int32_t>(nodes.size());
    nodes.push_back(std::move(graph.nodes[i]));
  }
  // Keep tensors that are network I/O or touched by a live node.
  std::vector<bool> used(graph.tensors.size(), false);
  for (int32_t t : graph.inputs) used[t] = true;
  for (int32_t t : graph.outputs) used[t] = true;
  for (const auto& node : nodes) {
    for (int32_t t : node.inputs)
      if (t >= 0) used[t] = true;
    for (int32_t t : node.outputs) used[t] = true;
  }
  std::vector<int32_t> tensorMap(graph.tensors.size(), -1);
  std::vector<TensorDesc> tensors;
  for (size_t i = 0; i < graph.tensors.size(); ++i) {
    if (!used[i]) continue;
    tensorMap[i] = static_cast<int32_t>(tensors.size());
    TensorDesc t = std::move(graph.tensors[i]);
    if (t.producer >= 0) t.producer = nodeMap[t.producer];
    tensors.push_back(std::move(t));
  }
  for (auto& node : nodes) {
    for (auto& t : node.inputs)
      if (t >= 0) t = tensorMap[t];
    for (auto& t : node.outputs) t = tensorMap[t];
  }
  for (auto& t : graph.inputs) t = tensorMap[t];
  for (auto& t : graph.outputs) t = tensorMap[t];
  graph.nodes = std::move(nodes);
  graph.tensors = std::move(tensors);
}

}  // namespace trtn
