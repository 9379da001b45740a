#include "Engine.h"

#include <algorithm>

#include "Inference.h"

namespace trtn {

std::unique_ptr<Kernel> createKernel(BackendKind backend, const Graph& g, const Node& n) {
  std::vector<DataType> inT, outT;
  for (int32_t t : n.inputs) inT.push_back(t >= 0 ? g.tensors[t].type : DataType::kFLOAT);
  for (int32_t t : n.outputs) outT.push_back(g.tensors[t].type);
  const OpDef& def = opDef(n.type);
  if (backend == BackendKind::kCpu) return def.createCpu(n, inT, outT);
  if (backend != BackendKind::kCuda)
    fail(StatusCode::kUnsupported, "the built-in engine cannot run plans of backend '", backendName(backend), "'");
#ifdef TRTN_WITH_CUDA
  if (!def.createCuda)
    fail(StatusCode::kUnsupported, "layer '", n.name, "' has type ", layerTypeName(n.type),
         ", which has no CUDA kernel yet (docs/backends.md lists the layers the cuda backend runs); build for the "
         "'cpu' backend");
  return def.createCuda(n, inT, outT);
#else
  fail(StatusCode::kCudaUnavailable,
       "the plan is for the cuda backend, but this build has no CUDA support (no CUDA compiler was found when the "
       "addon was built)");
#endif
}

std::shared_ptr<Engine> Engine::create(EngineDesc desc, const EngineOptions& options) {
  std::shared_ptr<Engine> e(new Engine(std::move(desc)));
  const Graph& g = e->desc_.graph;
  for (int32_t t : g.inputs) e->io_.push_back(t);
  for (int32_t t : g.outputs) e->io_.push_back(t);
  // Types and dims inferred once, so a crafted plan with inconsistent layers is refused here
  // rather than when it runs.
  for (size_t p = 0; p < e->desc_.profiles.size(); ++p) {
    // With shape tensor inputs only OPT is sure to give valid shapes (see buildEngine).
    const ProfileShapes& ps = e->desc_.profiles[p];
    bool atOpt = e->desc_.hasShapeTensorInputs();
    Status s = captureStatus([&] {
      inferShapes(g, e->desc_.order, atOpt ? ps.opt : ps.max, true,
                  e->desc_.inputValues(atOpt ? ps.optValues : ps.maxValues));
    });
    if (!s.ok()) fail(StatusCode::kPlanCorrupt, "plan does not validate: ", s.message);
  }
  for (int32_t id : e->desc_.order) e->kernels_.push_back(createKernel(e->desc_.backend, g, g.nodes[id]));
#ifdef TRTN_WITH_CUDA
  if (e->desc_.backend == BackendKind::kCuda) e->backendState_ = createCudaBackendState(*e, options);
#else
  (void)options;
#endif
  return e;
}

int32_t Engine::ioIndex(const std::string& name) const {
  for (size_t i = 0; i < io_.size(); ++i)
    if (desc_.graph.tensors[io_[i]].name == name) return static_cast<int32_t>(i);
  return -1;
}

int32_t Engine::inputIndex(int32_t tensor) const {
  const auto& in = desc_.graph.inputs;
  auto it = std::find(in.begin(), in.end(), tensor);
  return it == in.end() ? -1 : static_cast<int32_t>(it - in.begin());
}

TensorIOMode Engine::ioMode(int32_t tensor) const {
  const TensorDesc& d = desc_.graph.tensors[tensor];
  if (d.isInput) return TensorIOMode::kINPUT;
  if (d.isOutput) return TensorIOMode::kOUTPUT;
  return TensorIOMode::kNONE;
}

bool Engine::isShapeInferenceIO(int32_t tensor) const {
  int32_t in = inputIndex(tensor);
  return in >= 0 && desc_.isShapeTensorInput(static_cast<size_t>(in));
}

int64_t Engine::deviceMemorySize() const {
  int64_t m = 0;
  for (const auto& plan : desc_.memory) m = std::max(m, plan.arenaBytes);
  return m;
}

int64_t Engine::deviceMemorySizeForProfile(int32_t profile) const {
  return desc_.memory.at(static_cast<size_t>(profile)).arenaBytes;
}

}  // namespace trtn
