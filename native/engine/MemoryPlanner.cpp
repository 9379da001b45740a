#include "MemoryPlanner.h"

#include <algorithm>

namespace trtn {

int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

namespace {

struct Block {
  int64_t first, last;  // positions in the execution order during which the block is live
  int64_t bytes;
  int32_t tensor;     // >= 0: a tensor
  int32_t workspace;  // >= 0: scratch of the layer at this position
};

}  // namespace

MemoryPlan planMemory(const Graph& graph, const LivenessInput& in) {
  size_t nt = graph.tensors.size();
  MemoryPlan plan;
  plan.tensorOffset.assign(nt, -1);
  plan.tensorBytes.assign(nt, 0);
  plan.workspaceOffset.assign(in.order.size(), -1);
  plan.workspaceBytes.assign(in.order.size(), 0);

  std::vector<int64_t> firstUse(nt, -1), lastUse(nt, -1);
  for (size_t i = 0; i < in.order.size(); ++i) {
    const Node& node = graph.nodes[in.order[i]];
    for (int32_t t : node.outputs)
      if (firstUse[t] < 0) firstUse[t] = static_cast<int64_t>(i);
    for (int32_t t : node.inputs)
      if (t >= 0) lastUse[t] = std::max(lastUse[t], static_cast<int64_t>(i));
  }
  std::vector<Block> blocks;
  for (size_t t = 0; t < nt; ++t) {
    if (in.roles[t] != TensorRole::kActivation || firstUse[t] < 0 || in.tensorBytes[t] < 0) continue;
    int64_t last = std::max(lastUse[t], firstUse[t]);
    blocks.push_back({firstUse[t], last, alignUp(std::max<int64_t>(in.tensorBytes[t], 1), kArenaAlignment),
                      static_cast<int32_t>(t), -1});
  }
  for (size_t i = 0; i < in.workspaceBytes.size(); ++i)
    if (in.workspaceBytes[i] > 0)
      blocks.push_back({static_cast<int64_t>(i), static_cast<int64_t>(i), alignUp(in.workspaceBytes[i], kArenaAlignment),
                        -1, static_cast<int32_t>(i)});
  std::stable_sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.bytes > b.bytes; });

  struct Placed {
    int64_t offset, bytes, first, last;
  };
  std::vector<Placed> placed;
  for (const Block& b : blocks) {
    // Collect placed blocks whose lifetimes overlap, then take the smallest gap that fits.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (const Placed& p : placed)
      if (p.first <= b.last && b.first <= p.last) busy.emplace_back(p.offset, p.offset + p.bytes);
    std::sort(busy.begin(), busy.end());
    int64_t best = -1, bestGap = INT64_MAX, cursor = 0;
    for (const auto& [start, end] : busy) {
      if (start - cursor >= b.bytes && start - cursor < bestGap) {
        best = cursor;
        bestGap = start - cursor;
      }
      cursor = std::max(cursor, end);
    }
    if (best < 0) best = cursor;
    placed.push_back({best, b.bytes, b.first, b.last});
    plan.arenaBytes = std::max(plan.arenaBytes, best + b.bytes);
    if (b.tensor >= 0) {
      plan.tensorOffset[b.tensor] = best;
      plan.tensorBytes[b.tensor] = b.bytes;
    } else {
      plan.workspaceOffset[b.workspace] = best;
      plan.workspaceBytes[b.workspace] = b.bytes;
    }
  }
  return plan;
}

MemoryPlan planMemoryForShapes(const Graph& graph, const std::vector<int32_t>& order, const std::vector<TensorRole>& roles,
                               const ShapeState& shapes, const WorkspaceFn& workspaceBytes) {
  LivenessInput live;
  live.order = order;
  live.roles = roles;
  live.tensorBytes.resize(graph.tensors.size(), 0);
  auto dataDependent = [&](int32_t t) { return t >= 0 && t < static_cast<int32_t>(shapes.dataDependent.size()) && shapes.dataDependent[t]; };
  // Data-dependent tensors are sized while the engine runs and get memory then (-1 here).
  for (size_t t = 0; t < graph.tensors.size(); ++t)
    live.tensorBytes[t] = dataDependent(static_cast<int32_t>(t))
                              ? -1
                              : byteSizeOf(shapes.types[t], volume(shapes.dims[t]));
  live.workspaceBytes.resize(order.size(), 0);
  for (size_t i = 0; i < order.size(); ++i) {
    const Node& n = graph.nodes[order[i]];
    bool touchesDataDependent = false;
    for (int32_t t : n.inputs) touchesDataDependent = touchesDataDependent || dataDependent(t);
    for (int32_t t : n.outputs) touchesDataDependent = touchesDataDependent || dataDependent(t);
    if (touchesDataDependent) continue;  // its scratch is allocated when it runs
    std::vector<Dims> inD, outD;
    for (int32_t t : n.inputs) inD.push_back(t >= 0 ? shapes.dims[t] : Dims{});
    for (int32_t t : n.outputs) outD.push_back(shapes.dims[t]);
    live.workspaceBytes[i] = static_cast<int64_t>(workspaceBytes(i, inD, outD));
  }
  MemoryPlan plan = planMemory(graph, live);
  // planMemory indexes workspaces by execution position; engines look them up by node id.
  std::vector<int64_t> wsOff(graph.nodes.size(), -1), wsBytes(graph.nodes.size(), 0);
  for (size_t i = 0; i < order.size(); ++i) {
    wsOff[order[i]] = plan.workspaceOffset[i];
    wsBytes[order[i]] = plan.workspaceBytes[i];
  }
  plan.workspaceOffset = std::move(wsOff);
  plan.workspaceBytes = std::move(wsBytes);
  return plan;
}

}  // namespace trtn
