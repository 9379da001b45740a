#include "Inference.h"

#include <cstring>

#include "Ops.h"

namespace trtn {

namespace {

bool isValueType(DataType t) {
  return t == DataType::kINT32 || t == DataType::kINT64 || t == DataType::kBOOL || t == DataType::kINT8 ||
         t == DataType::kUINT8;
}

std::vector<uint8_t> packValue(const std::vector<int64_t>& v, DataType t) {
  std::vector<uint8_t> bytes(static_cast<size_t>(byteSizeOf(t, static_cast<int64_t>(v.size()))) + 8);
  for (size_t i = 0; i < v.size(); ++i) storeFromInt64(bytes.data(), t, static_cast<int64_t>(i), v[i]);
  return bytes;
}

}  // namespace

std::optional<std::vector<int64_t>> evaluateValue(const Node& node, const std::vector<DataType>& inTypes,
                                                  const std::vector<Dims>& inDims,
                                                  const std::vector<const std::vector<int64_t>*>& inValues,
                                                  DataType outType, const Dims& outDims, size_t outputIndex) {
  const OpDef* def = findOpDef(node.type);
  if (!def || !def->createCpu) return std::nullopt;
  int64_t outCount = volume(outDims);
  if (outCount < 0 || outCount > kMaxTrackedValueElements) return std::nullopt;
  std::vector<std::vector<uint8_t>> inBytes(inTypes.size());
  KernelIO io;
  ThreadPool& pool = ThreadPool::global();
  io.pool = &pool;
  for (size_t i = 0; i < inTypes.size(); ++i) {
    TensorRef r;
    r.type = inTypes[i];
    r.dims = inDims[i];
    if (node.input(i) >= 0) {
      if (!inValues[i]) return std::nullopt;
      inBytes[i] = packValue(*inValues[i], inTypes[i]);
      r.data = inBytes[i].data();
    }
    io.in.push_back(r);
  }
  // Only single-output evaluation is needed for shape arithmetic; multi-output ops get every
  // output allocated so the kernel can write them all.
  std::vector<DataType> outTypes;
  std::vector<std::vector<uint8_t>> outBytes;
  (void)outputIndex;
  outTypes.push_back(outType);
  std::unique_ptr<CpuKernel> kernel;
  if (node.outputs.size() != 1) return std::nullopt;
  kernel = def->createCpu(node, inTypes, outTypes);
  outBytes.emplace_back(static_cast<size_t>(byteSizeOf(outType, outCount)) + 8);
  TensorRef o;
  o.type = outType;
  o.dims = outDims;
  o.data = outBytes[0].data();
  io.out.push_back(o);
  std::vector<Dims> outDimsList{outDims};
  size_t ws = kernel->workspaceBytes(inDims, outDimsList);
  std::vector<uint8_t> workspace(ws + 64);
  io.workspace = workspace.data();
  io.workspaceBytes = ws;
  kernel->run(io);
  std::vector<int64_t> result(static_cast<size_t>(outCount));
  for (int64_t i = 0; i < outCount; ++i) result[i] = loadAsInt64(outBytes[0].data(), outType, i);
  return result;
}

namespace {

// Fills `st` node by node, so a failure leaves every earlier result in place.
void inferInto(const Graph& graph, const std::vector<int32_t>& order, const std::vector<Dims>& inputDims,
               bool runtime, ShapeState& st, bool seeded = false, const InputValues& inputValues = {},
               bool upperBounds = false) {
  size_t nt = graph.tensors.size();
  if (!seeded) {
    st.types.assign(nt, DataType::kFLOAT);
    st.dims.assign(nt, Dims{});
    st.known.assign(nt, false);
    st.values.assign(nt, std::nullopt);
  }
  st.dataDependent.resize(nt, false);
  st.upperBound.resize(nt, false);
  for (size_t i = 0; i < (seeded ? 0 : graph.inputs.size()); ++i) {
    int32_t t = graph.inputs[i];
    st.types[t] = graph.tensors[t].type;
    st.dims[t] = inputDims.empty() ? graph.tensors[t].dims : inputDims[i];
    st.known[t] = true;
    if (runtime && !isFullyKnown(st.dims[t]))
      fail(StatusCode::kInvalidState, "input '", graph.tensors[t].name, "' has unresolved dimensions ",
           dimsToString(st.dims[t]));
    if (i < inputValues.size() && inputValues[i]) {
      if (static_cast<int64_t>(inputValues[i]->size()) != volume(st.dims[t]))
        fail(StatusCode::kInvalidArgument, "shape tensor input '", graph.tensors[t].name, "' has ",
             inputValues[i]->size(), " values but its dimensions ", dimsToString(st.dims[t]), " hold ",
             volume(st.dims[t]));
      st.values[t] = inputValues[i];
    }
  }
  for (int32_t nodeId : order) {
    const Node& node = graph.nodes[nodeId];
    const OpDef* def = findOpDef(node.type);
    if (!def)
      fail(StatusCode::kUnsupported, "layer '", node.name, "' has type ", layerTypeName(node.type),
           ", which the built-in engine does not implement");
    InferIO io(node);
    io.runtime = runtime;
    io.addTime = seeded;  // only inferNodeInPlace (network.addX) seeds the state
    int numIn = static_cast<int>(node.inputs.size());
    if (numIn < def->minInputs || numIn > def->maxInputs)
      io.error("expected ", def->minInputs, "..", def->maxInputs, " inputs but received ", numIn);
    for (int i = 0; i < numIn; ++i) {
      int32_t t = node.inputs[i];
      bool present = t >= 0;
      // A recurrence's next value (the loop's back edge) is computed after it; loop outlining
      // checks it against the initial value.
      if (present && i == 1 && node.type == LayerType::kRECURRENCE && !st.known[t]) present = false;
      if (present && !st.known[t])
        io.error("input ", i, " ('", graph.tensors[t].name, "') is not computed before this layer");
      io.present.push_back(present);
      io.inTypes.push_back(present ? st.types[t] : DataType::kFLOAT);
      io.inDims.push_back(present ? st.dims[t] : Dims{});
      io.inValues.push_back(present && st.values[t] ? &*st.values[t] : nullptr);
    }
    bool fromBounds = false;
    if (runtime) {
      // Every input dim and shape tensor input value is concrete now, so a missing input dim or
      // shape value can only come from tensor values computed while the engine runs: the
      // outputs are data-dependent and the run resolves them (ExecutionContext::run).
      bool dataDependent = false;
      for (int i = 0; i < numIn; ++i) {
        if (!io.has(i)) continue;
        if (st.dataDependent[node.inputs[i]]) dataDependent = true;
        if (st.upperBound[node.inputs[i]]) fromBounds = true;
      }
      for (int si : def->shapeInputs)
        if (io.has(si) && (!io.value(si) || st.upperBound[node.inputs[si]])) dataDependent = true;
      if (dataDependent) {
        for (int32_t t : node.outputs) {
          st.types[t] = graph.tensors[t].type;
          st.dims[t] = graph.tensors[t].dims;
          st.known[t] = true;
          st.dataDependent[t] = true;
        }
        continue;
      }
      io.upperBounds = upperBounds;
    }
    def->infer(io);
    if (static_cast<int>(io.outTypes.size()) != static_cast<int>(node.outputs.size()))
      io.error("internal: inference produced ", io.outTypes.size(), " outputs for ", node.outputs.size(), " tensors");
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      int32_t t = node.outputs[o];
      st.types[t] = io.outTypes[o];
      st.dims[t] = io.outDims[o];
      st.known[t] = true;
      if (fromBounds || (upperBounds && def->dataDependentOutputs)) st.upperBound[t] = true;
      if (runtime && !isFullyKnown(st.dims[t])) {
        if (!def->dataDependentOutputs)
          io.error("output ", o, " has unresolved dimensions ", dimsToString(st.dims[t]));
        st.dataDependent[t] = true;
        continue;
      }
      if (io.outValues[o]) {
        st.values[t] = std::move(io.outValues[o]);
        continue;
      }
      // Track the value of small integer tensors whose inputs are all known.
      if (!isValueType(st.types[t]) || !isFullyKnown(st.dims[t]) || volume(st.dims[t]) > kMaxTrackedValueElements)
        continue;
      bool allKnown = true;
      for (int i = 0; i < numIn; ++i)
        if (io.has(i) && (!io.value(i) || !isFullyKnown(io.dims(i)))) allKnown = false;
      if (node.type == LayerType::kCONSTANT) allKnown = true;
      if (!allKnown || (numIn == 0 && node.type != LayerType::kCONSTANT && node.type != LayerType::kFILL)) continue;
      st.values[t] = evaluateValue(node, io.inTypes, io.inDims, io.inValues, st.types[t], st.dims[t], o);
    }
  }
}

}  // namespace

ShapeState inferShapes(const Graph& graph, const std::vector<int32_t>& order, const std::vector<Dims>& inputDims,
                       bool runtime, const InputValues& inputValues, bool upperBounds) {
  ShapeState st;
  inferInto(graph, order, inputDims, runtime, st, false, inputValues, upperBounds);
  return st;
}

void inferNodeAtRunTime(const Node& node, const std::vector<DataType>& inTypes, const std::vector<Dims>& inDims,
                        const std::vector<const std::vector<int64_t>*>& inValues, std::vector<DataType>& outTypes,
                        std::vector<Dims>& outDims) {
  const OpDef& def = opDef(node.type);
  InferIO io(node);
  io.runtime = true;
  for (size_t i = 0; i < inTypes.size(); ++i) {
    io.present.push_back(node.input(i) >= 0);
    io.inTypes.push_back(inTypes[i]);
    io.inDims.push_back(inDims[i]);
    io.inValues.push_back(inValues[i]);
  }
  def.infer(io);
  if (io.outTypes.size() != node.outputs.size())
    io.error("internal: inference produced ", io.outTypes.size(), " outputs for ", node.outputs.size(), " tensors");
  for (size_t o = 0; o < io.outDims.size(); ++o)
    if (!isFullyKnown(io.outDims[o]) && !def.dataDependentOutputs)
      io.error("output ", o, " has unresolved dimensions ", dimsToString(io.outDims[o]), " at run time");
  outTypes = std::move(io.outTypes);
  outDims = std::move(io.outDims);
}

std::vector<bool> findShapeTensors(const Graph& graph) {
  std::vector<bool> marked(graph.tensors.size(), false);
  std::vector<int32_t> work;
  auto mark = [&](int32_t t) {
    if (t < 0 || marked[t]) return;
    marked[t] = true;
    work.push_back(t);
  };
  for (const Node& n : graph.nodes) {
    const OpDef* def = findOpDef(n.type);
    if (!def) continue;
    for (int si : def->shapeInputs) mark(n.input(static_cast<size_t>(si)));
  }
  while (!work.empty()) {
    int32_t t = work.back();
    work.pop_back();
    int32_t p = graph.tensors[t].producer;
    if (p < 0 || graph.nodes[p].type == LayerType::kSHAPE) continue;
    for (int32_t in : graph.nodes[p].inputs) mark(in);
  }
  return marked;
}

bool canBeShapeTensorInput(const TensorDesc& tensor) {
  return tensor.isInput && (tensor.type == DataType::kINT32 || tensor.type == DataType::kINT64) &&
         tensor.dims.size() <= 1;
}

std::vector<bool> findShapeTensorInputs(const Graph& graph) {
  std::vector<bool> shapeTensors = findShapeTensors(graph);
  std::vector<bool> result(graph.inputs.size(), false);
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    int32_t t = graph.inputs[i];
    result[i] = shapeTensors[t] && canBeShapeTensorInput(graph.tensors[t]);
  }
  return result;
}

void inferNodeInPlace(Graph& graph, int32_t nodeId) {
  // A one-node inference over a state seeded from the graph's current descriptors.
  ShapeState st;
  size_t nt = graph.tensors.size();
  st.types.resize(nt, DataType::kFLOAT);
  st.dims.resize(nt);
  st.known.assign(nt, false);
  st.values.resize(nt);
  const Node& node = graph.nodes[nodeId];
  for (int32_t t : node.inputs) {
    if (t < 0) continue;
    const TensorDesc& d = graph.tensors[t];
    st.types[t] = d.type;
    st.dims[t] = d.dims;
    st.known[t] = true;
    st.values[t] = d.value;
  }
  inferInto(graph, {nodeId}, {}, false, st, /*seeded=*/true);
  for (int32_t t : node.outputs) {
    graph.tensors[t].inferred = true;
    graph.tensors[t].type = st.types[t];
    graph.tensors[t].dims = st.dims[t];
    graph.tensors[t].value = st.values[t];
  }
}

Status inferInPlace(Graph& graph) {
  std::vector<int32_t> order;
  Status status = captureStatus([&] { order = graph.topologicalOrder(); });
  if (!status.ok()) return status;
  ShapeState st;
  status = captureStatus([&] { inferInto(graph, order, {}, false, st); });
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    auto& desc = graph.tensors[t];
    if (desc.producer < 0) continue;
    desc.inferred = t < st.known.size() && st.known[t];
    if (desc.inferred) {
      desc.type = st.types[t];
      desc.dims = st.dims[t];
      desc.value = st.values[t];
    } else {
      desc.dims.clear();
      desc.value.reset();
    }
  }
  return status;
}

}  // namespace trtn
