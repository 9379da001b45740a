#include "Builder.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "Autotuner.h"
#include "Engine.h"
#include "Inference.h"
#include "Ops.h"
#include "Passes.h"

namespace trtn {

namespace {

void checkProgress(const ProgressFn& progress, const CancelFn& cancelled, const std::string& phase, int step, int total) {
  if (cancelled && cancelled()) fail(StatusCode::kCancelled, "build cancelled before ", phase);
  if (progress) progress(phase, step, total);
}

std::string valuesToString(const std::vector<int64_t>& v) { return dimsToString(Dims(v.begin(), v.end())); }

// Checks a profile's shape values against the network's shape tensor inputs and fills
// p.minValues/optValues/maxValues. Every shape tensor input needs values; other inputs must have
// none.
void resolveShapeValues(const Graph& g, const std::vector<bool>& shapeInputs, const ProfileSpec* spec, size_t pi,
                        ProfileShapes& p) {
  if (spec)
    for (const auto& [name, _] : spec->values) {
      int32_t t = g.findTensor(name);
      if (t < 0 || !g.tensors[t].isInput)
        fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " sets shape values for '", name,
             "', which is not a network input");
      size_t in = static_cast<size_t>(std::find(g.inputs.begin(), g.inputs.end(), t) - g.inputs.begin());
      if (!shapeInputs[in])
        fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " sets shape values for input '", name,
             "', which is not a shape tensor input (an INT32 or INT64 input of rank 0 or 1 whose values decide other "
             "tensors' dimensions); use setDimensions() for its dimensions");
    }
  size_t n = g.inputs.size();
  p.minValues.assign(n, {});
  p.optValues.assign(n, {});
  p.maxValues.assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    if (!shapeInputs[i]) continue;
    const TensorDesc& in = g.tensors[g.inputs[i]];
    const std::array<std::vector<int64_t>, 3>* entry = nullptr;
    if (spec) {
      auto it = spec->values.find(in.name);
      if (it != spec->values.end()) entry = &it->second;
    }
    if (!entry)
      fail(StatusCode::kInvalidArgument, "network input '", in.name,
           "' is a shape tensor input (its values decide other tensors' dimensions) but ",
           spec ? "optimization profile " + std::to_string(pi) + " has no values for it"
                : std::string("the builder config has no optimization profile"),
           "; call profile.setShapeValuesV2('", in.name,
           "', OptProfileSelector.MIN/OPT/MAX, values) (Python: setShapeInput) and add the profile with "
           "config.addOptimizationProfile()");
    if (p.min[i] != p.max[i])
      fail(StatusCode::kInvalidArgument, "shape tensor input '", in.name, "' must have one size in optimization profile ",
           pi, " but its dimensions range from ", dimsToString(p.min[i]), " to ", dimsToString(p.max[i]));
    int64_t count = volume(p.max[i]);
    const auto& [mn, op, mx] = *entry;
    const char* names[3] = {"MIN", "OPT", "MAX"};
    const std::vector<int64_t>* sets[3] = {&mn, &op, &mx};
    for (int k = 0; k < 3; ++k)
      if (static_cast<int64_t>(sets[k]->size()) != count)
        fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " ", names[k], " shape values ",
             valuesToString(*sets[k]), " for input '", in.name, "' have ", sets[k]->size(), " values but the input ",
             dimsToString(p.max[i]), " holds ", count);
    for (int64_t j = 0; j < count; ++j)
      if (!(mn[j] <= op[j] && op[j] <= mx[j]))
        fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " for shape tensor input '", in.name,
             "' needs MIN <= OPT <= MAX in every value but has ", valuesToString(mn), ", ", valuesToString(op), ", ",
             valuesToString(mx));
    p.minValues[i] = mn;
    p.optValues[i] = op;
    p.maxValues[i] = mx;
  }
}

std::vector<ProfileShapes> resolveProfiles(const Graph& g, const BuildConfig& config, const std::vector<bool>& shapeInputs) {
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
    resolveShapeValues(g, shapeInputs, nullptr, 0, p);
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
    resolveShapeValues(g, shapeInputs, &spec, pi, p);
    result.push_back(std::move(p));
  }
  return result;
}

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
  // INT4 and FP4 (two elements a byte) are only stored, cast, quantized and dequantized: the other
  // kernels move whole bytes per element.
  for (const Node& n : g.nodes) {
    const LayerType lt = n.type;
    if (lt == LayerType::kCONSTANT || lt == LayerType::kIDENTITY || lt == LayerType::kCAST ||
        lt == LayerType::kQUANTIZE || lt == LayerType::kDEQUANTIZE)
      continue;
    for (const std::vector<int32_t>* ids : {&n.inputs, &n.outputs})
      for (int32_t t : *ids)
        if (t >= 0 && isPackedType(g.tensors[t].type))
          fail(StatusCode::kUnsupported, "layer '", n.name, "' (", layerTypeName(lt), "): tensor '", g.tensors[t].name,
               "' has type ", dataTypeName(g.tensors[t].type), "; the built-in engine only stores, casts, quantizes "
               "and dequantizes INT4 and FP4 (Cast to a wider type first)");
  }
  std::vector<bool> shapeInputs = findShapeTensorInputs(g);
  std::vector<ProfileShapes> profiles = resolveProfiles(g, config, shapeInputs);

  checkProgress(progress, cancelled, "Optimizing graph", 0, 1);
  PassContext pctx;
  pctx.optimizationLevel = config.optimizationLevel;
  pctx.cudaBackend = config.backend == BackendKind::kCuda;
  pctx.log = log;
  pctx.cancelled = cancelled;
  std::vector<std::string> passLog = runPasses(g, pctx);
  for (const auto& line : passLog) say(kSevVerbose, "pass " + line);

  EngineDesc desc;
  desc.backend = config.backend;
  desc.shapeTensorInputs.assign(shapeInputs.begin(), shapeInputs.end());
  desc.order = g.topologicalOrder();
  desc.roles.assign(g.tensors.size(), TensorRole::kActivation);
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    const TensorDesc& d = g.tensors[t];
    if (d.isInput) desc.roles[t] = TensorRole::kNetworkInput;
    else if (d.isOutput) desc.roles[t] = TensorRole::kNetworkOutput;
    else if (d.producer >= 0 && g.nodes[d.producer].type == LayerType::kCONSTANT) desc.roles[t] = TensorRole::kConstant;
  }

  // The autotuner times CPU implementations; CUDA kernels choose theirs when they run.
  if (config.optimizationLevel >= 1 && config.backend == BackendKind::kCpu) {
    checkProgress(progress, cancelled, "Autotuning", 0, 1);
    for (const AutotuneChoice& c : autotune(g, desc.order, profiles[0].opt, config.avgTimingIterations, cancelled,
                                          desc.inputValues(profiles[0].optValues))) {
      std::string line = "autotune '" + c.layer + "':";
      for (const auto& [name, ms] : c.timingsMs) line += " " + name + " " + std::to_string(ms) + " ms;";
      say(kSevVerbose, line + " chose " + c.chosen);
    }
  }

  // Kernels are made once here to learn their scratch needs (engines make their own), and so
  // that a layer the backend cannot run is reported when building, not when loading.
  if (config.backend == BackendKind::kCuda) checkProgress(progress, cancelled, "Selecting CUDA kernels", 0, 1);
  std::vector<std::unique_ptr<Kernel>> kernels(desc.order.size());
  for (size_t i = 0; i < desc.order.size(); ++i) {
    const Node& n = g.nodes[desc.order[i]];
    kernels[i] = createKernel(config.backend, g, n);
  }

  // CUDA kernels with several implementations (cuDNN convolution algorithms) time them on the
  // device at OPT shapes; the choice lands in the node's attributes, before memory is planned.
  if (config.backend == BackendKind::kCuda && config.optimizationLevel >= 1) {
    checkProgress(progress, cancelled, "Timing CUDA kernels", 0, 1);
    ShapeState st = inferShapes(g, desc.order, profiles[0].opt, true, desc.inputValues(profiles[0].optValues));
    for (size_t i = 0; i < desc.order.size(); ++i) {
      Node& n = g.nodes[desc.order[i]];
      std::vector<Dims> inD, outD;
      bool known = true;
      for (int32_t t : n.inputs) {
        inD.push_back(t >= 0 ? st.dims[t] : Dims{});
        known = known && (t < 0 || !st.dataDependent[t]);
      }
      for (int32_t t : n.outputs) {
        outD.push_back(st.dims[t]);
        known = known && !st.dataDependent[t];
      }
      if (!known) continue;
      if (cancelled && cancelled()) fail(StatusCode::kCancelled, "build cancelled while timing CUDA kernels");
      std::string line;
      Status ts = captureStatus([&] { line = static_cast<CudaKernel&>(*kernels[i]).tune(n, inD, outD, config.workspaceLimit); });
      if (!ts.ok()) say(kSevWarning, "layer '" + n.name + "': timing its CUDA implementations failed (" + ts.message +
                                         "); the library heuristic chooses at run time");
      else if (!line.empty()) say(kSevVerbose, "autotune '" + n.name + "': " + line);
    }
  }

  WorkspaceFn workspaceOf = [&](size_t pos, const std::vector<Dims>& inD, const std::vector<Dims>& outD) {
    return kernels[pos]->workspaceBytes(inD, outD);
  };
  int totalProfiles = static_cast<int>(profiles.size());
  for (int pi = 0; pi < totalProfiles; ++pi) {
    checkProgress(progress, cancelled, "Planning memory", pi, totalProfiles);
    const ProfileShapes& p = profiles[pi];
    // Every profile corner must infer. Without shape tensor inputs sizes grow with the dims, so
    // the MAX corner plans the memory. With them, sizes can shrink as values grow (a reshape to
    // [a, 12/a]): contexts plan at run time (ExecutionContext), and the largest corner plan is
    // kept for getDeviceMemorySizeForProfileV2.
    MemoryPlan plan;
    const std::vector<Dims>* dims[3] = {&p.min, &p.opt, &p.max};
    const std::vector<std::vector<int64_t>>* values[3] = {&p.minValues, &p.optValues, &p.maxValues};
    const char* cornerNames[3] = {"MIN", "OPT", "MAX"};
    for (int k = 0; k < 3; ++k) {
      ShapeState st;
      if (desc.hasShapeTensorInputs() && k != 1) {
        // MIN and MAX values are bounds per value, not a configuration the network must accept
        // (a slice's largest start with its largest size may run past the end). OPT must infer;
        // a corner that does not is reported, and runs with such values are refused when the
        // context resolves their shapes.
        Status cs = captureStatus([&] { st = inferShapes(g, desc.order, *dims[k], true, desc.inputValues(*values[k])); });
        if (!cs.ok()) {
          say(kSevWarning, "profile " + std::to_string(pi) + " " + cornerNames[k] +
                               " shape values do not give valid shapes (" + cs.message +
                               "); runs with such values will be refused");
          continue;
        }
      } else {
        st = inferShapes(g, desc.order, *dims[k], true, desc.inputValues(*values[k]));
      }
      if (k < 2 && !desc.hasShapeTensorInputs()) continue;
      MemoryPlan cornerPlan = planMemoryForShapes(g, desc.order, desc.roles, st, workspaceOf);
      if (config.workspaceLimit >= 0) {
        int64_t scratch = 0;
        for (int64_t b : cornerPlan.workspaceBytes) scratch = std::max(scratch, b);
        if (scratch > config.workspaceLimit)
          fail(StatusCode::kOutOfMemory, "a layer needs ", scratch,
               " bytes of workspace but MemoryPoolType.WORKSPACE is limited to ", config.workspaceLimit, " bytes");
      }
      if (plan.tensorOffset.empty() || cornerPlan.arenaBytes > plan.arenaBytes) plan = std::move(cornerPlan);
    }
    say(kSevInfo, "profile " + std::to_string(pi) + ": activation memory " + std::to_string(plan.arenaBytes) + " bytes" +
                      (desc.hasShapeTensorInputs() ? " at its largest corner (planned again for each run's shapes)" : ""));
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
