// loopOutlining: replaces each loop of the network (its TRIP_LIMIT, RECURRENCE, ITERATOR and
// LOOP_OUTPUT layers and the layers between them) by one LOOP node that holds the body as a
// graph, so that every later pass, the memory planner and the execution order see an acyclic
// graph. Runs first; also where misuse that needs the whole graph is reported (a body tensor
// used outside the loop, a recurrence never closed, a loop without a trip limit). The rest of the
// pipeline then runs on each body.
#include <algorithm>
#include <map>
#include <set>

#include "../Inference.h"
#include "../Ops.h"
#include "../Passes.h"
#include "../ops/Loop.h"

namespace trtn {

namespace {

bool isBoundary(LayerType t) {
  return t == LayerType::kTRIP_LIMIT || t == LayerType::kRECURRENCE || t == LayerType::kITERATOR ||
         t == LayerType::kLOOP_OUTPUT;
}

struct LoopParts {
  std::string name;
  std::vector<int32_t> tripLimits, recurrences, iterators, outputs;
};

template <typename... Parts>
[[noreturn]] void loopError(const LoopParts& L, const Parts&... parts) {
  fail(StatusCode::kInvalidArgument, "loop '", L.name, "': ", parts...);
}

}  // namespace

PassResult loopOutliningPass(Graph& g, const PassContext& ctx) {
  PassResult result;
  std::map<int64_t, LoopParts> loops;
  std::vector<int64_t> loopOf(g.nodes.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!isBoundary(n.type)) continue;
    int64_t id = n.getInt("loop", -1);
    if (id < 0) fail(StatusCode::kInvalidArgument, "layer '", n.name, "' (", layerTypeName(n.type), ") belongs to no loop");
    loopOf[i] = id;
    LoopParts& L = loops[id];
    if (L.name.empty()) L.name = n.getString("loopName", "(Unnamed Loop " + std::to_string(id) + ")");
    auto& list = n.type == LayerType::kTRIP_LIMIT    ? L.tripLimits
                 : n.type == LayerType::kRECURRENCE ? L.recurrences
                 : n.type == LayerType::kITERATOR   ? L.iterators
                                                     : L.outputs;
    list.push_back(static_cast<int32_t>(i));
  }
  if (loops.empty()) return result;

  std::vector<std::vector<std::pair<int32_t, size_t>>> consumers(g.tensors.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (size_t k = 0; k < g.nodes[i].inputs.size(); ++k)
      if (g.nodes[i].inputs[k] >= 0) consumers[g.nodes[i].inputs[k]].push_back({static_cast<int32_t>(i), k});
  const std::vector<int32_t> order = g.topologicalOrder();
  std::vector<bool> dead(g.nodes.size(), false);
  std::vector<Node> added;

  for (auto& [loopId, L] : loops) {
    ctx.checkCancelled("loop outlining");
    const int64_t id = loopId;
    auto ownBoundary = [&](int32_t node) { return loopOf[node] == id; };
    auto tensorName = [&](int32_t t) { return "'" + g.tensors[t].name + "'"; };
    int32_t count = -1, condition = -1;
    for (int32_t n : L.tripLimits) {
      bool isCount = g.nodes[n].getInt("kind", 0) == loop::kCount;
      int32_t& slot = isCount ? count : condition;
      if (slot >= 0) loopError(L, "has two ", isCount ? "COUNT" : "WHILE", " trip limits; a loop takes at most one of each");
      slot = g.nodes[n].input(0);
    }
    if (count < 0 && condition < 0) loopError(L, "has no trip limit; call loop.addTripLimit(tensor, TripLimit.COUNT or WHILE)");
    for (int32_t r : L.recurrences)
      if (g.nodes[r].input(1) < 0)
        loopError(L, "recurrence '", g.nodes[r].name, "' has no next value; call setInput(1, next) on it");
    if (L.outputs.size() > static_cast<size_t>(loop::kMaxOutputs))
      loopError(L, "has ", L.outputs.size(), " loop outputs; the built-in engine takes at most ", loop::kMaxOutputs);

    // The body: everything reached from the recurrences and iterators, up to this loop's own
    // boundary layers.
    std::vector<bool> inBody(g.nodes.size(), false);
    std::vector<bool> bodyTensor(g.tensors.size(), false);  // computed in the loop (incl. recurrence/iterator outputs)
    std::vector<int32_t> work;
    for (int32_t n : L.recurrences) work.push_back(g.nodes[n].outputs[0]);
    for (int32_t n : L.iterators) work.push_back(g.nodes[n].outputs[0]);
    while (!work.empty()) {
      int32_t t = work.back();
      work.pop_back();
      if (bodyTensor[t]) continue;
      bodyTensor[t] = true;
      if (g.tensors[t].isOutput)
        loopError(L, "tensor ", tensorName(t), " is computed inside the loop and cannot be a network output; read it "
                     "through loop.addLoopOutput()");
      for (auto [c, k] : consumers[t]) {
        const Node& cn = g.nodes[c];
        if (ownBoundary(c)) {
          bool allowed = (cn.type == LayerType::kRECURRENCE && k == 1) || (cn.type == LayerType::kLOOP_OUTPUT && k == 0) ||
                         (cn.type == LayerType::kTRIP_LIMIT && cn.getInt("kind", 0) == loop::kWhile);
          if (!allowed)
            loopError(L, "tensor ", tensorName(t), " is computed inside the loop but layer '", cn.name, "' (",
                      layerTypeName(cn.type), ") reads it as input ", k, ", which must come from outside the loop");
          continue;
        }
        if (isBoundary(cn.type))
          fail(StatusCode::kUnsupported, "loop '", L.name, "' contains layer '", cn.name,
               "' of another loop; the built-in engine does not support nested loops");
        if (!inBody[c]) {
          inBody[c] = true;
          for (int32_t out : cn.outputs) work.push_back(out);
        }
      }
    }
    if (condition >= 0 && !bodyTensor[condition])
      loopError(L, "the WHILE trip limit's condition ", tensorName(condition),
                " is not computed inside the loop, so it would never change; compute it from a recurrence");
    for (int32_t o : L.outputs) {
      const Node& n = g.nodes[o];
      int32_t v = n.input(0);
      if (!bodyTensor[v])
        loopError(L, "loop output '", n.name, "' reads ", tensorName(v), ", which is not computed inside the loop");
      if (n.getInt("kind", 0) == loop::kLastValue) {
        int32_t p = g.tensors[v].producer;
        if (p < 0 || g.nodes[p].type != LayerType::kRECURRENCE || !ownBoundary(p))
          loopError(L, "LAST_VALUE loop output '", n.name, "' must read a recurrence of the loop, not ", tensorName(v));
      } else if (n.input(1) < 0) {
        loopError(L, "loop output '", n.name, "' (CONCATENATE or REVERSE) has no length; call setInput(1, length)");
      }
    }

    // Loop-invariant tensors: read inside but computed outside, in first-use order.
    std::vector<int32_t> invariants;
    std::set<int32_t> seenInvariant;
    auto noteInvariant = [&](int32_t t) {
      if (t >= 0 && !bodyTensor[t] && seenInvariant.insert(t).second) invariants.push_back(t);
    };
    std::vector<int32_t> bodyNodes;
    for (int32_t n : order)
      if (inBody[n]) {
        bodyNodes.push_back(n);
        for (int32_t t : g.nodes[n].inputs) noteInvariant(t);
      }
    for (int32_t r : L.recurrences) noteInvariant(g.nodes[r].input(1));

    // The body graph.
    auto body = std::make_shared<Graph>();
    body->name = L.name;
    std::map<int32_t, int32_t> remap;
    auto addInput = [&](int32_t t) {
      TensorDesc d;
      d.name = g.tensors[t].name;
      d.type = g.tensors[t].type;
      d.dims = g.tensors[t].dims;
      d.isInput = true;
      int32_t b = body->addTensor(std::move(d));
      body->inputs.push_back(b);
      remap[t] = b;
    };
    for (int32_t r : L.recurrences) addInput(g.nodes[r].outputs[0]);
    for (int32_t i : L.iterators) addInput(g.nodes[i].outputs[0]);
    for (int32_t t : invariants) addInput(t);
    for (int32_t n : bodyNodes) {
      Node copy = g.nodes[n];
      for (int32_t& t : copy.inputs)
        if (t >= 0) t = remap.at(t);
      std::vector<int32_t> outs = copy.outputs;
      copy.outputs.clear();
      int32_t bid = static_cast<int32_t>(body->nodes.size());
      for (size_t o = 0; o < outs.size(); ++o) {
        TensorDesc d = g.tensors[outs[o]];
        d.producer = bid;
        d.producerOutput = static_cast<int32_t>(o);
        d.isOutput = false;
        int32_t b = body->addTensor(std::move(d));
        copy.outputs.push_back(b);
        remap[outs[o]] = b;
      }
      body->nodes.push_back(std::move(copy));
    }
    // Body outputs are computed by body layers, so that the kernel owns their buffers; a value
    // that is a body input (a recurrence carried unchanged) is copied by an identity layer.
    auto addOutput = [&](int32_t t) {
      int32_t b = remap.at(t);
      if (body->tensors[b].isInput) {
        Node copy;
        copy.name = body->uniqueTensorName(body->tensors[b].name + " (copy)");
        copy.type = LayerType::kIDENTITY;
        copy.inputs = {b};
        int32_t nid = body->addNode(std::move(copy), 1);
        int32_t out = body->nodes[nid].outputs[0];
        body->tensors[out].type = body->tensors[b].type;
        body->tensors[out].dims = body->tensors[b].dims;
        b = out;
      }
      body->tensors[b].isOutput = true;
      body->outputs.push_back(b);
      return static_cast<int64_t>(body->outputs.size() - 1);
    };
    for (int32_t r : L.recurrences) addOutput(g.nodes[r].input(1));
    if (condition >= 0) addOutput(condition);

    Node loopNode;
    loopNode.name = L.name;
    loopNode.type = LayerType::kLOOP;
    loopNode.inputs.assign(loop::kFirstStateInput, -1);
    loopNode.inputs[0] = count;
    std::vector<int64_t> kinds, axes, sources, strict;
    for (size_t k = 0; k < L.outputs.size(); ++k) {
      const Node& n = g.nodes[L.outputs[k]];
      int64_t kind = n.getInt("kind", 0);
      kinds.push_back(kind);
      axes.push_back(n.getInt("axis", 0));
      strict.push_back(n.getInt("strictLength", 0));
      if (kind == loop::kLastValue) {
        int32_t rec = g.tensors[n.input(0)].producer;
        sources.push_back(static_cast<int64_t>(std::find(L.recurrences.begin(), L.recurrences.end(), rec) - L.recurrences.begin()));
      } else {
        sources.push_back(addOutput(n.input(0)));
        loopNode.inputs[1 + k] = n.input(1);
      }
    }
    std::vector<int64_t> iterAxes, iterReverse;
    for (int32_t i : L.iterators) {
      const Node& n = g.nodes[i];
      int64_t axis = n.getInt("axis", 0);
      int64_t rank = static_cast<int64_t>(g.tensors[n.input(0)].dims.size());
      if (axis < 0) axis += rank;
      iterAxes.push_back(axis);
      iterReverse.push_back(n.getInt("reverse", 0) != 0 ? 1 : 0);
    }
    for (int32_t r : L.recurrences) loopNode.inputs.push_back(g.nodes[r].input(0));
    for (int32_t i : L.iterators) loopNode.inputs.push_back(g.nodes[i].input(0));
    for (int32_t t : invariants) loopNode.inputs.push_back(t);
    // Stacked outputs' axes are kept as given (negative counts from the end of the output).
    loopNode.attrs["numRecurrences"] = static_cast<int64_t>(L.recurrences.size());
    loopNode.attrs["numIterators"] = static_cast<int64_t>(L.iterators.size());
    loopNode.attrs["numInvariants"] = static_cast<int64_t>(invariants.size());
    loopNode.attrs["hasWhile"] = static_cast<int64_t>(condition >= 0 ? 1 : 0);
    loopNode.attrs["iteratorAxes"] = iterAxes;
    loopNode.attrs["iteratorReverse"] = iterReverse;
    loopNode.attrs["outputKinds"] = kinds;
    loopNode.attrs["outputAxes"] = axes;
    loopNode.attrs["outputSources"] = sources;
    loopNode.attrs["outputStrict"] = strict;
    loopNode.attrs["loopName"] = L.name;
    for (int32_t o : L.outputs) loopNode.outputs.push_back(g.nodes[o].outputs[0]);

    Status s = inferInPlace(*body);
    if (!s.ok()) fail(s.code, "inside loop '", L.name, "': ", s.message);
    PassContext inner = ctx;
    runPasses(*body, inner);
    loopNode.body = std::move(body);

    for (int32_t n : bodyNodes) dead[n] = true;
    for (int32_t n : L.tripLimits) dead[n] = true;
    for (int32_t n : L.recurrences) dead[n] = true;
    for (int32_t n : L.iterators) dead[n] = true;
    for (int32_t n : L.outputs) dead[n] = true;
    added.push_back(std::move(loopNode));
    ++result.changes;
  }

  for (Node& n : added) {
    int32_t nid = static_cast<int32_t>(g.nodes.size());
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      g.tensors[n.outputs[o]].producer = nid;
      g.tensors[n.outputs[o]].producerOutput = static_cast<int32_t>(o);
    }
    g.nodes.push_back(std::move(n));
  }
  dead.resize(g.nodes.size(), false);
  // A layer outside every loop that reads a body tensor is caught above; one that reads a
  // recurrence or iterator output directly was taken into the body. What remains outside must
  // not refer to a removed tensor.
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (dead[i]) continue;
    for (int32_t t : g.nodes[i].inputs)
      if (t >= 0 && g.tensors[t].producer >= 0 && dead[g.tensors[t].producer])
        fail(StatusCode::kInvalidArgument, "layer '", g.nodes[i].name, "' reads tensor '", g.tensors[t].name,
             "', which is computed inside a loop; read it through loop.addLoopOutput()");
  }
  compact(g, dead);
  return result;
}

}  // namespace trtn
