#include "Builder.h"

#include <chrono>
#include <set>

#include "Autotuner.h"
#include "Inference.h"
#include "Ops.h"
#include "Passes.h"

namespace trtn {

namespace {

void checkProgress(const ProgressFn& progress, const CancelFn& cancelled, const std::string& phase, int step, int total) {
  if (cancelled && cancelled()) fail(StatusCode::kCancelled, "build cancelled before ", phase);
  if (progress) progress(phase, step, total);
}

std::vector<ProfileShapes> resolveProfiles(const Graph& g, const BuildConfig& config) {
  std::vector<std::string> dynamicInputs;
  for (int32_t t : g.inputs)
    if (!isFullyKnown(g.tensors[t].dims)) dynamicInputs.push_back(g.tensors[t].name);
  std::vector<ProfileShapes> result;
  if (config.profiles.empty()) {
    if (!dynamicInputs.empty())
      fail(StatusCode::kInvalidArgument, "network input '", dynamicInputs[0], "' has dynamic dimensions ",
           dimsToString(g.tensors[g.findTensor(dynamicInputs[0])].dims),
           " but the builder config has no optimization profile; add one with config.addOptimizationProfile()");
    ProfileShapes p;
    for (int32_t t : g.inputs) {
      p.min.push_back(g.tensors[t].dims);
      p.opt.push_back(g.tensors[t].dims);
      p.max.push_back(g.tensors[t].dims);
    }
    result.push_back(std::move(p));
    return result;
  }
  for (size_t pi = 0; pi < config.profiles.size(); ++pi) {
    const ProfileSpec& spec = config.profiles[pi];
    for (const auto& [name, _] : spec.shapes)
      if (g.findTensor(name) < 0 || !g.tensors[g.findTensor(name)].isInput)
        fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " names '", name, "', which is not a network input");
    ProfileShapes p;
    for (int32_t t : g.inputs) {
      const TensorDesc& in = g.tensors[t];
      auto it = spec.shapes.find(in.name);
      if (it == spec.shapes.end()) {
        if (!isFullyKnown(in.dims))
          fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " has no dimensions for dynamic input '",
               in.name, "' ", dimsToString(in.dims));
        p.min.push_back(in.dims);
        p.opt.push_back(in.dims);
        p.max.push_back(in.dims);
        continue;
      }
      const auto& [mn, op, mx] = it->second;
      const char* names[3] = {"MIN", "OPT", "MAX"};
      const Dims* sets[3] = {&mn, &op, &mx};
      for (int k = 0; k < 3; ++k) {
        const Dims& d = *sets[k];
        if (d.size() != in.dims.size())
          fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " ", names[k], " dimensions ", dimsToString(d),
               " for input '", in.name, "' have rank ", d.size(), " but the input has rank ", in.dims.size());
        for (size_t i = 0; i < d.size(); ++i) {
          if (d[i] < 0)
            fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " ", names[k], " dimensions ",
                 dimsToString(d), " for input '", in.name, "' must not be negative");
          if (in.dims[i] >= 0 && in.dims[i] != d[i])
            fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " ", names[k], " dimensions ",
                 dimsToString(d), " for input '", in.name, "' differ from its fixed dimensions ", dimsToString(in.dims));
        }
      }
      for (size_t i = 0; i < mn.size(); ++i)
        if (!(mn[i] <= op[i] && op[i] <= mx[i]))
          fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " for input '", in.name,
               "' needs MIN <= OPT <= MAX in every dimension but has ", dimsToString(mn), ", ", dimsToString(op), ", ",
               dimsToString(mx));
      p.min.push_back(mn);
      p.opt.push_back(op);
      p.max.push_back(mx);
    }
    result.push_back(std::move(p));
  }
  return result;
}

int64_t tensorBytes(DataType t, const Dims& d) { return volume(d) * static_cast<int64_t>(dataTypeSize(t)); }

}  // namespace

EngineDesc buildEngine(Graph g, const BuildConfig& config, const LogFn& log, const ProgressFn& progress,
                       const CancelFn& cancelled) {
  auto started = std::chrono::steady_clock::now();
  auto say = [&](int sev, const std::string& msg) {
    if (log) log(sev, msg);
  };
  checkProgress(progress, cancelled, "Validating network", 0, 1);
  if (g.outputs.empty()) fail(StatusCode::kInvalidArgument, "network has no outputs; call network.markOutput()");
  for (const Node& n : g.nodes)
    if (!findOpDef(n.type))
      fail(StatusCode::kUnsupported, "layer '", n.name, "' has type ", layerTypeName(n.type),
           ", which the built-in engine does not implement");
  Status s = inferInPlace(g);
  if (!s.ok()) throw EngineError(s.code, s.message);
  for (const TensorDesc& t : g.tensors)
    if (!isSupportedDataType(t.type))
      fail(StatusCode::kUnsupported, "tensor '", t.name, "' has data type ", dataTypeName(t.type),
           ", which the built-in engine does not store");
  std::vector<ProfileShapes> profiles = resolveProfiles(g, config);

  checkProgress(progress, cancelled, "Optimizing graph", 0, 1);
  PassContext pctx;
  pctx.optimizationLevel = config.optimizationLevel;
  pctx.log = log;
  pctx.cancelled = cancelled;
  std::vector<std::string> passLog = runPasses(g, pctx);
  for (const auto& line : passLog) say(kSevVerbose, "pass " + line);

  EngineDesc desc;
  desc.backend = config.backend;
  desc.order = g.topologicalOrder();
  desc.roles.assign(g.tensors.size(), TensorRole::kActivation);
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    const TensorDesc& d = g.tensors[t];
    if (d.isInput) desc.roles[t] = TensorRole::kNetworkInput;
    else if (d.isOutput) desc.roles[t] = TensorRole::kNetworkOutput;
    else if (d.producer >= 0 && g.nodes[d.producer].type == LayerType::kCONSTANT) desc.roles[t] = TensorRole::kConstant;
  }

  if (config.optimizationLevel >= 1) {
    checkProgress(progress, cancelled, "Autotuning", 0, 1);
    for (const AutotuneChoice& c : autotune(g, desc.order, profiles[0].opt, config.avgTimingIterations, cancelled)) {
      std::string line = "autotune '" + c.layer + "':";
      for (const auto& [name, ms] : c.timingsMs) line += " " + name + " " + std::to_string(ms) + " ms;";
      say(kSevVerbose, line + " chose " + c.chosen);
    }
  }

  // Kernels are made once here only to learn their scratch needs; engines make their own.
  std::vector<std::unique_ptr<CpuKernel>> kernels(desc.order.size());
  for (size_t i = 0; i < desc.order.size(); ++i) {
    const Node& n = g.nodes[desc.order[i]];
    std::vector<DataType> inT, outT;
    for (int32_t t : n.inputs) inT.push_back(t >= 0 ? g.tensors[t].type : DataType::kFLOAT);
    for (int32_t t : n.outputs) outT.push_back(g.tensors[t].type);
    kernels[i] = opDef(n.type).createCpu(n, inT, outT);
  }

  int totalProfiles = static_cast<int>(profiles.size());
  for (int pi = 0; pi < totalProfiles; ++pi) {
    checkProgress(progress, cancelled, "Planning memory", pi, totalProfiles);
    const ProfileShapes& p = profiles[pi];
    // Every profile corner must infer; the largest sizes plan the memory.
    inferShapes(g, desc.order, p.min, true);
    inferShapes(g, desc.order, p.opt, true);
    ShapeState st = inferShapes(g, desc.order, p.max, true);
    LivenessInput live;
    live.order = desc.order;
    live.roles = desc.roles;
    live.tensorBytes.resize(g.tensors.size(), 0);
    for (size_t t = 0; t < g.tensors.size(); ++t) live.tensorBytes[t] = tensorBytes(st.types[t], st.dims[t]);
    live.workspaceBytes.resize(desc.order.size(), 0);
    for (size_t i = 0; i < desc.order.size(); ++i) {
      const Node& n = g.nodes[desc.order[i]];
      std::vector<Dims> inD, outD;
      for (int32_t t : n.inputs) inD.push_back(t >= 0 ? st.dims[t] : Dims{});
      for (int32_t t : n.outputs) outD.push_back(st.dims[t]);
      live.workspaceBytes[i] = static_cast<int64_t>(kernels[i]->workspaceBytes(inD, outD));
    }
    MemoryPlan plan = planMemory(g, live);
    // The plan is indexed by node id for workspaces; convert from execution positions.
    std::vector<int64_t> wsOff(g.nodes.size(), -1), wsBytes(g.nodes.size(), 0);
    for (size_t i = 0; i < desc.order.size(); ++i) {
      wsOff[desc.order[i]] = plan.workspaceOffset[i];
      wsBytes[desc.order[i]] = plan.workspaceBytes[i];
    }
    plan.workspaceOffset = std::move(wsOff);
    plan.workspaceBytes = std::move(wsBytes);
    if (config.workspaceLimit >= 0) {
      int64_t scratch = 0;
      for (int64_t b : plan.workspaceBytes) scratch = std::max(scratch, b);
      if (scratch > config.workspaceLimit)
        fail(StatusCode::kOutOfMemory, "a layer needs ", scratch, " bytes of workspace but MemoryPoolType.WORKSPACE is limited to ",
             config.workspaceLimit, " bytes");
    }
    say(kSevInfo, "profile " + std::to_string(pi) + ": activation memory " + std::to_string(plan.arenaBytes) + " bytes");
    desc.memory.push_back(std::move(plan));
  }
  desc.graph = std::move(g);
  desc.profiles = std::move(profiles);
  desc.optimizationLevel = config.optimizationLevel;
  desc.profilingVerbosity = config.profilingVerbosity;
  desc.passLog = std::move(passLog);
  checkProgress(progress, cancelled, "Serializing", 1, 1);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  say(kSevInfo, "engine built in " + std::to_string(ms) + " ms: " + std::to_string(desc.graph.nodes.size()) + " layers");
  return desc;
}

}  // namespace trtn
