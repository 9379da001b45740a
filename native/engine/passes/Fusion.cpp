// Fusion passes: fold per-channel scales (BatchNorm) into convolution weights, absorb bias adds
// into convolution and matmul, fuse a following activation into their epilogue, and (cuda
// backend only) fuse a residual add into a convolution.
#include <cstring>

#include "../Passes.h"

namespace trtn {

namespace {

const Node* constantProducer(const Graph& g, int32_t tensor) {
  if (tensor < 0) return nullptr;
  int32_t p = g.tensors[tensor].producer;
  if (p < 0 || g.nodes[p].type != LayerType::kCONSTANT) return nullptr;
  return &g.nodes[p];
}

// The single layer reading `tensor`, or -1 when there are several readers or it is an output.
int32_t soleConsumer(const Graph& g, int32_t tensor) {
  if (useCount(g, tensor) != 1) return -1;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (int32_t in : g.nodes[i].inputs)
      if (in == tensor) return static_cast<int32_t>(i);
  return -1;
}

std::vector<float> toFloats(const Weights& w) {
  std::vector<float> v(static_cast<size_t>(w.count));
  for (int64_t i = 0; i < w.count; ++i) v[i] = static_cast<float>(loadAsDouble(w.data.get(), w.type, i));
  return v;
}

Weights fromFloats(const std::vector<float>& v, DataType type) {
  Weights w = Weights::owned(type, static_cast<int64_t>(v.size()));
  for (size_t i = 0; i < v.size(); ++i) storeFromDouble(w.mutableData(), type, static_cast<int64_t>(i), v[i]);
  return w;
}

bool isConvLike(const Node& n) {
  return n.type == LayerType::kCONVOLUTION || n.type == LayerType::kDECONVOLUTION;
}

// Per-channel values of a constant that broadcasts along dim `axis` of a rank-`rank` tensor
// with `channels` entries (every other dim 1); empty if it does not have that form.
std::vector<float> perChannel(const Graph& g, const Node& c, int32_t tensor, size_t axis, size_t rank,
                              int64_t channels) {
  const Dims& d = g.tensors[tensor].dims;
  const Weights* w = c.getWeights("weights");
  if (!w || d.size() != rank) return {};
  for (size_t i = 0; i < rank; ++i)
    if (i != axis && d[i] != 1) return {};
  std::vector<float> v = toFloats(*w);
  if (d[axis] == channels) return v;
  if (d[axis] == 1) return std::vector<float>(static_cast<size_t>(channels), v[0]);
  return {};
}

// Moves `from`'s consumers and output status onto `node`'s output; `from` becomes dead.
void absorb(Graph& g, Node& node, int32_t fromNode, std::vector<bool>& dead) {
  int32_t oldOut = node.outputs[0];
  int32_t newOut = g.nodes[fromNode].outputs[0];
  // The fused node now produces the later tensor (keeping its name and output flag).
  g.tensors[newOut].producer = g.tensors[oldOut].producer;
  g.tensors[newOut].producerOutput = 0;
  node.outputs[0] = newOut;
  g.nodes[fromNode].outputs[0] = oldOut;
  g.tensors[oldOut].producer = fromNode;
  dead[fromNode] = true;
}

}  // namespace

// Conv/deconv followed by a per-channel multiply or add with a constant (a decomposed or
// Scale-layer BatchNorm) becomes one convolution with adjusted weights and bias.
PassResult fuseScaleIntoConvolutionPass(Graph& g, const PassContext&) {
  PassResult result;
  std::vector<bool> dead(g.nodes.size(), false);
  for (int32_t id : g.topologicalOrder()) {
    if (dead[id] || !isConvLike(g.nodes[id])) continue;
    for (;;) {
      Node& conv = g.nodes[id];
      const Weights* kernel = conv.getWeights("kernel");
      if (!kernel || conv.input(1) >= 0 || conv.input(2) >= 0 || conv.has("fusedActivation")) break;
      int32_t out = conv.outputs[0];
      int32_t next = soleConsumer(g, out);
      if (next < 0) break;
      const Node& op = g.nodes[next];
      int64_t K = conv.getInt("numOutputMaps", 0);
      size_t rank = g.tensors[out].dims.size();
      std::vector<float> scale, shift;
      if (op.type == LayerType::kELEMENTWISE && (op.getInt("op", -1) == 0 || op.getInt("op", -1) == 1)) {
        int32_t other = op.inputs[0] == out ? op.inputs[1] : op.inputs[0];
        const Node* c = constantProducer(g, other);
        if (!c || op.inputs[0] == op.inputs[1]) break;
        // Result dims must equal the conv output, so the constant only broadcasts.
        if (g.tensors[op.outputs[0]].dims != g.tensors[out].dims) break;
        std::vector<float> v = perChannel(g, *c, other, 1, rank, K);
        if (v.empty()) break;
        if (op.getInt("op", -1) == 1) scale = v;
        else shift = v;
      } else if (op.type == LayerType::kSCALE && op.getInt("mode", -1) == 1 && op.getInt("channelAxis", 1) == 1) {
        if (const Weights* p = op.getWeights("power")) {
          bool unit = true;
          for (float x : toFloats(*p)) unit = unit && x == 1.f;
          if (!unit) break;
        }
        if (const Weights* s = op.getWeights("scale")) scale = toFloats(*s);
        if (const Weights* s = op.getWeights("shift")) shift = toFloats(*s);
        if ((!scale.empty() && static_cast<int64_t>(scale.size()) != K) ||
            (!shift.empty() && static_cast<int64_t>(shift.size()) != K))
          break;
      } else {
        break;
      }
      // Apply: w[k,...] *= s[k]; b[k] = b[k]*s[k] + t[k]. Deconvolution weights are [C, K/g, ...].
      std::vector<float> w = toFloats(*kernel);
      std::vector<float> b;
      if (const Weights* bias = conv.getWeights("bias")) b = toFloats(*bias);
      else b.assign(static_cast<size_t>(K), 0.f);
      if (!scale.empty()) {
        if (conv.type == LayerType::kCONVOLUTION) {
          size_t per = w.size() / static_cast<size_t>(K);
          for (int64_t k = 0; k < K; ++k)
            for (size_t i = 0; i < per; ++i) w[k * per + i] *= scale[k];
        } else {
          // Layout [C, K/g, spatial...]; output channel k of group grp is grp*(K/g) + j.
          int64_t groups = conv.getInt("numGroups", 1);
          int64_t kPerGroup = K / groups;
          int64_t sp = 1;
          for (int64_t d : conv.getInts("kernelSizeNd")) sp *= d;
          int64_t C = static_cast<int64_t>(w.size()) / (kPerGroup * sp);
          int64_t cPerGroup = C / groups;
          for (int64_t c = 0; c < C; ++c) {
            int64_t grp = c / cPerGroup;
            for (int64_t j = 0; j < kPerGroup; ++j)
              for (int64_t s = 0; s < sp; ++s) w[(c * kPerGroup + j) * sp + s] *= scale[grp * kPerGroup + j];
          }
        }
        for (int64_t k = 0; k < K; ++k) b[k] *= scale[k];
      }
      if (!shift.empty())
        for (int64_t k = 0; k < K; ++k) b[k] += shift[k];
      conv.attrs["kernel"] = fromFloats(w, kernel->type);
      conv.attrs["bias"] = fromFloats(b, kernel->type);
      absorb(g, conv, next, dead);
      ++result.changes;
    }
  }
  if (result.changes) compact(g, dead);
  return result;
}

// MatMul followed by an add of a constant that varies only along the last dim becomes a matmul
// with a bias input.
PassResult fuseMatMulBiasPass(Graph& g, const PassContext&) {
  PassResult result;
  std::vector<bool> dead(g.nodes.size(), false);
  for (int32_t id : g.topologicalOrder()) {
    Node& mm = g.nodes[id];
    if (dead[id] || mm.type != LayerType::kMATRIX_MULTIPLY || mm.input(2) >= 0 || mm.has("fusedActivation")) continue;
    if (!isFloatType(g.tensors[mm.outputs[0]].type)) continue;
    int32_t out = mm.outputs[0];
    int32_t next = soleConsumer(g, out);
    if (next < 0) continue;
    const Node& add = g.nodes[next];
    if (add.type != LayerType::kELEMENTWISE || add.getInt("op", -1) != 0 || add.inputs[0] == add.inputs[1]) continue;
    int32_t other = add.inputs[0] == out ? add.inputs[1] : add.inputs[0];
    const Node* c = constantProducer(g, other);
    const Dims& od = g.tensors[out].dims;
    if (!c || od.empty() || g.tensors[add.outputs[0]].dims != od) continue;
    const Dims& cd = g.tensors[other].dims;
    if (cd.size() != od.size() || cd.back() != od.back() || g.tensors[other].type != g.tensors[out].type) continue;
    bool onlyLast = true;
    for (size_t i = 0; i + 1 < cd.size(); ++i) onlyLast = onlyLast && cd[i] == 1;
    if (!onlyLast) continue;
    mm.inputs.resize(3, -1);
    mm.inputs[2] = other;
    absorb(g, mm, next, dead);
    ++result.changes;
  }
  if (result.changes) compact(g, dead);
  return result;
}

// Conv/deconv/matmul followed by an activation runs the activation in its epilogue.
PassResult fuseActivationPass(Graph& g, const PassContext&) {
  PassResult result;
  std::vector<bool> dead(g.nodes.size(), false);
  for (int32_t id : g.topologicalOrder()) {
    Node& node = g.nodes[id];
    if (dead[id] || node.has("fusedActivation")) continue;
    if (!isConvLike(node) && node.type != LayerType::kMATRIX_MULTIPLY) continue;
    if (!isFloatType(g.tensors[node.outputs[0]].type)) continue;
    int32_t next = soleConsumer(g, node.outputs[0]);
    if (next < 0 || g.nodes[next].type != LayerType::kACTIVATION) continue;
    const Node& act = g.nodes[next];
    node.attrs["fusedActivation"] = act.getInt("type", 0);
    node.attrs["fusedAlpha"] = act.getFloat("alpha", 0.0);
    node.attrs["fusedBeta"] = act.getFloat("beta", 0.0);
    absorb(g, node, next, dead);
    ++result.changes;
  }
  if (result.changes) compact(g, dead);
  return result;
}

// cuda backend only (the CPU convolution has no residual input): a convolution without an
// activation whose output only feeds a SUM with another tensor of the same known dims and type,
// optionally followed by RELU, becomes one convolution reading that tensor as input 3:
// y = act(conv(x) + bias + residual), which cuDNN runs in one call (ResNet's block ending).
PassResult fuseConvResidualCudaPass(Graph& g, const PassContext& ctx) {
  PassResult result;
  if (!ctx.cudaBackend) return result;
  std::vector<bool> dead(g.nodes.size(), false);
  for (int32_t id : g.topologicalOrder()) {
    const Node& add = g.nodes[id];
    if (dead[id] || add.type != LayerType::kELEMENTWISE || add.getInt("op", -1) != 0 || add.inputs.size() != 2 ||
        add.inputs[0] == add.inputs[1])
      continue;
    const int32_t out = add.outputs[0];
    const Dims& od = g.tensors[out].dims;
    if (!isFloatType(g.tensors[out].type) || !isFullyKnown(od)) continue;
    for (int side = 0; side < 2; ++side) {
      const int32_t t = add.inputs[side], other = add.inputs[1 - side];
      const int32_t p = g.tensors[t].producer;
      if (p < 0 || dead[p] || soleConsumer(g, t) != id) continue;
      Node& conv = g.nodes[p];
      if (conv.type != LayerType::kCONVOLUTION || conv.has("fusedActivation") || conv.input(1) >= 0 ||
          conv.input(2) >= 0 || conv.input(3) >= 0 || !conv.getWeights("kernel"))
        continue;
      if (g.tensors[t].dims != od || g.tensors[other].dims != od || g.tensors[other].type != g.tensors[t].type) continue;
      conv.inputs.resize(4, -1);
      conv.inputs[3] = other;
      conv.attrs["fusedResidual"] = int64_t{1};
      absorb(g, conv, id, dead);
      const int32_t next = soleConsumer(g, conv.outputs[0]);
      if (next >= 0 && g.nodes[next].type == LayerType::kACTIVATION && g.nodes[next].getInt("type", -1) == 0) {
        conv.attrs["fusedActivation"] = int64_t{0};  // RELU
        conv.attrs["fusedAlpha"] = 0.0;
        conv.attrs["fusedBeta"] = 0.0;
        absorb(g, conv, next, dead);
      }
      ++result.changes;
      break;
    }
  }
  if (result.changes) compact(g, dead);
  return result;
}

// A matmul whose right operand is a constant keeps it as an attribute, so the kernel can pack
// it once at engine load.
PassResult foldMatMulWeightsPass(Graph& g, const PassContext&) {
  PassResult result;
  for (auto& node : g.nodes) {
    if (node.type != LayerType::kMATRIX_MULTIPLY || node.has("constantB")) continue;
    const Node* c = constantProducer(g, node.input(1));
    if (!c || g.tensors[node.inputs[1]].type != DataType::kFLOAT) continue;
    const Weights* w = c->getWeights("weights");
    if (!w) continue;
    const Dims& d = g.tensors[node.inputs[1]].dims;
    node.attrs["constantB"] = *w;
    node.attrs["constantBDims"] = std::vector<int64_t>(d.begin(), d.end());
    ++result.changes;
  }
  return result;
}

}  // namespace trtn
