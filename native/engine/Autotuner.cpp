#include "Autotuner.h"

#include <chrono>
#include <cstring>
#include <limits>
#include <memory>

#include "Inference.h"
#include "Ops.h"

namespace trtn {

namespace {

constexpr int kRounds = 3;

// Deterministic small values: timing must not depend on denormals or NaNs.
void fillPseudoRandom(void* data, DataType type, int64_t count) {
  uint32_t s = 0x9e3779b9u;
  for (int64_t i = 0; i < count; ++i) {
    s = s * 1664525u + 1013904223u;
    storeFromDouble(data, type, i, (static_cast<double>(s >> 8) / 16777216.0) - 0.5);
  }
}

}  // namespace

std::vector<AutotuneChoice> autotune(Graph& g, const std::vector<int32_t>& order, const std::vector<Dims>& inputDims,
                                     int iterations, const std::function<bool()>& cancelled,
                                     const InputValues& inputValues) {
  std::vector<AutotuneChoice> choices;
  ShapeState st = inferShapes(g, order, inputDims, true, inputValues);
  ThreadPool& pool = ThreadPool::global();
  for (int32_t id : order) {
    Node& node = g.nodes[id];
    const OpDef& def = opDef(node.type);
    if (!def.candidates) continue;
    bool dataDependent = false;
    for (int32_t t : node.inputs) dataDependent = dataDependent || (t >= 0 && st.dataDependent[t]);
    for (int32_t t : node.outputs) dataDependent = dataDependent || st.dataDependent[t];
    if (dataDependent) continue;  // no shapes to time it at; the default implementation runs
    std::vector<DataType> inTypes, outTypes;
    for (int32_t t : node.inputs) inTypes.push_back(t >= 0 ? st.types[t] : DataType::kFLOAT);
    for (int32_t t : node.outputs) outTypes.push_back(st.types[t]);
    std::vector<std::string> candidates = def.candidates(node, inTypes);
    if (candidates.size() < 2) continue;
    if (cancelled && cancelled()) fail(StatusCode::kCancelled, "build cancelled during autotuning");

    // Inputs: real constants where the graph has them, otherwise synthetic data.
    std::vector<std::vector<uint8_t>> storage;
    KernelIO io;
    io.pool = &pool;
    std::vector<Dims> inDims, outDims;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      int32_t t = node.inputs[i];
      TensorRef r;
      if (t >= 0) {
        r.type = st.types[t];
        r.dims = st.dims[t];
        int32_t p = g.tensors[t].producer;
        const Weights* w = p >= 0 && g.nodes[p].type == LayerType::kCONSTANT ? g.nodes[p].getWeights("weights") : nullptr;
        if (w) {
          r.data = w->mutableData();
        } else {
          storage.emplace_back(static_cast<size_t>(byteSizeOf(r.type, volume(r.dims))) + 64);
          fillPseudoRandom(storage.back().data(), r.type, volume(r.dims));
          r.data = storage.back().data();
        }
      }
      inDims.push_back(r.dims);
      io.in.push_back(r);
    }
    for (int32_t t : node.outputs) {
      TensorRef r;
      r.type = st.types[t];
      r.dims = st.dims[t];
      storage.emplace_back(static_cast<size_t>(byteSizeOf(r.type, volume(r.dims))) + 64);
      r.data = storage.back().data();
      outDims.push_back(r.dims);
      io.out.push_back(r);
    }

    AutotuneChoice choice;
    choice.layer = node.name;
    struct Timed {
      std::unique_ptr<CpuKernel> kernel;
      std::vector<uint8_t> workspace;
      size_t workspaceBytes = 0;
      double bestMs = std::numeric_limits<double>::infinity();
    };
    std::vector<Timed> timed(candidates.size());
    for (size_t c = 0; c < candidates.size(); ++c) {
      Node variant = node;
      variant.attrs["implementation"] = candidates[c];
      Timed& t = timed[c];
      t.kernel = def.createCpu(variant, inTypes, outTypes);
      t.workspaceBytes = t.kernel->workspaceBytes(inDims, outDims);
      t.workspace.resize(t.workspaceBytes + 64);
      io.workspace = t.workspace.data();
      io.workspaceBytes = t.workspaceBytes;
      t.kernel->run(io);  // warm-up: caches, page faults, lazily packed data
    }
    // Rounds alternate the candidates and each keeps its fastest round, so a burst of load from
    // other processes (a shared machine) slows one round of one candidate, not the choice.
    const int n = std::max(1, iterations);
    for (int round = 0; round < kRounds; ++round)
      for (Timed& t : timed) {
        io.workspace = t.workspace.data();
        io.workspaceBytes = t.workspaceBytes;
        auto start = std::chrono::steady_clock::now();
        for (int k = 0; k < n; ++k) t.kernel->run(io);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / n;
        t.bestMs = std::min(t.bestMs, ms);
      }
    double best = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < candidates.size(); ++c) {
      choice.timingsMs.emplace_back(timed[c].kernel->implementation(), timed[c].bestMs);
      if (timed[c].bestMs < best) {
        best = timed[c].bestMs;
        choice.chosen = candidates[c];
      }
    }
    node.attrs["implementation"] = choice.chosen;
    choices.push_back(std::move(choice));
  }
  return choices;
}

}  // namespace trtn
