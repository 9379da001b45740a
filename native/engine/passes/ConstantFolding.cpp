// constantFolding: a layer whose inputs are all constants (or whose outputs inference already
// knows, such as Shape of a static tensor) is evaluated once at build time with its CPU kernel
// and replaced by a CONSTANT layer.
#include "../Inference.h"
#include "../Ops.h"
#include "../Passes.h"

namespace trtn {

namespace {

// Outputs larger than this stay computed at run time, so plans do not balloon.
constexpr size_t kMaxFoldedBytes = size_t(64) << 20;

bool isConstant(const Graph& g, int32_t tensor) {
  if (tensor < 0) return true;  // absent optional input
  int32_t p = g.tensors[tensor].producer;
  return p >= 0 && g.nodes[p].type == LayerType::kCONSTANT;
}

bool isRandomFill(const Node& n) { return n.type == LayerType::kFILL && n.getInt("operation", 0) != 0; }

Node makeConstant(const std::string& name, const Weights& w, const Dims& dims) {
  Node c;
  c.name = name;
  c.type = LayerType::kCONSTANT;
  c.attrs["weights"] = w;
  c.attrs["shape"] = std::vector<int64_t>(dims.begin(), dims.end());
  c.attrs["weightsType"] = static_cast<int64_t>(w.type);
  return c;
}

// Runs `node` on the weights of its constant inputs.
std::vector<Weights> evaluate(const Graph& g, const Node& node) {
  const OpDef& def = opDef(node.type);
  std::vector<DataType> inTypes, outTypes;
  KernelIO io;
  io.pool = &ThreadPool::global();
  std::vector<Dims> inDims, outDims;
  for (int32_t t : node.inputs) {
    TensorRef r;
    if (t >= 0) {
      const Node& producer = g.nodes[g.tensors[t].producer];
      const Weights* w = producer.getWeights("weights");
      r.data = w ? w->mutableData() : nullptr;
      r.type = g.tensors[t].type;
      r.dims = g.tensors[t].dims;
    }
    inTypes.push_back(r.type);
    inDims.push_back(r.dims);
    io.in.push_back(r);
  }
  std::vector<Weights> results;
  for (int32_t t : node.outputs) {
    const TensorDesc& d = g.tensors[t];
    outTypes.push_back(d.type);
    outDims.push_back(d.dims);
    results.push_back(Weights::owned(d.type, volume(d.dims)));
    TensorRef r;
    r.data = results.back().mutableData();
    r.type = d.type;
    r.dims = d.dims;
    io.out.push_back(r);
  }
  auto kernel = def.createCpu(node, inTypes, outTypes);
  size_t ws = kernel->workspaceBytes(inDims, outDims);
  std::vector<uint8_t> workspace(ws + 64);
  io.workspace = workspace.data();
  io.workspaceBytes = ws;
  kernel->run(io);
  return results;
}

}  // namespace

PassResult constantFoldingPass(Graph& g, const PassContext& ctx) {
  PassResult result;
  for (int32_t id : g.topologicalOrder()) {
    ctx.checkCancelled("constant folding");
    Node& node = g.nodes[id];
    if (node.type == LayerType::kCONSTANT || isRandomFill(node) || node.outputs.size() != 1) continue;
    const TensorDesc& out = g.tensors[node.outputs[0]];
    if (!isFullyKnown(out.dims) || out.isOutput) continue;
    if (static_cast<size_t>(byteSizeOf(out.type, volume(out.dims))) > kMaxFoldedBytes) continue;
    Weights folded;
    if (out.value) {
      folded = Weights::owned(out.type, volume(out.dims));
      for (size_t i = 0; i < out.value->size(); ++i)
        storeFromInt64(folded.mutableData(), out.type, static_cast<int64_t>(i), (*out.value)[i]);
    } else {
      bool allConstant = true;
      for (int32_t t : node.inputs) allConstant = allConstant && isConstant(g, t);
      if (!allConstant || node.inputs.empty()) continue;
      folded = evaluate(g, node)[0];
    }
    Node c = makeConstant(node.name, folded, out.dims);
    c.outputs = node.outputs;
    node = std::move(c);
    ++result.changes;
  }
  return result;
}

}  // namespace trtn
