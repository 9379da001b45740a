// A deserialized engine: the plan's description plus the kernels made from it (weights packed
// once here, shared read-only by every execution context).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "EngineDesc.h"
#include "Ops.h"

namespace trtn {

enum class TensorIOMode : int32_t { kNONE = 0, kINPUT = 1, kOUTPUT = 2 };
enum class AllocationStrategy : int32_t { kSTATIC = 0, kON_PROFILE_CHANGE = 1, kUSER_MANAGED = 2 };

// Per-engine state of a device backend (the CUDA backend's is in native/cuda/engine): the
// constants in device memory, shared by every context, and where contexts get their arenas.
class BackendState {
 public:
  virtual ~BackendState() = default;
  // Activation memory for a context (throws EngineError, OUT_OF_MEMORY when refused).
  virtual std::shared_ptr<const void> allocateActivations(int64_t bytes) const = 0;
  // Device address of constant tensor `tensor` (null for an empty one).
  virtual void* constantData(int32_t tensor) const = 0;
};

struct EngineOptions {
  // The runtime's GpuAllocator (a cuda::GpuAllocator, opaque here); null: cudaMalloc.
  std::shared_ptr<void> gpuAllocator;
};

// The kernel of `node` for `backend` (throws UNSUPPORTED naming the layer when that backend has
// none, CUDA_UNAVAILABLE for 'cuda' in a build without CUDA).
std::unique_ptr<Kernel> createKernel(BackendKind backend, const Graph& g, const Node& node);

class Engine {
 public:
  // Throws EngineError.
  static std::shared_ptr<Engine> create(EngineDesc desc, const EngineOptions& options = {});

  const EngineDesc& desc() const { return desc_; }
  const Graph& graph() const { return desc_.graph; }
  int32_t numIOTensors() const { return static_cast<int32_t>(io_.size()); }
  // Tensor id of IO tensor i (inputs first, then outputs, each in network order).
  int32_t ioTensor(int32_t i) const { return io_.at(static_cast<size_t>(i)); }
  // Index into io order, or -1.
  int32_t ioIndex(const std::string& name) const;
  // Position of an input in Graph::inputs, or -1.
  int32_t inputIndex(int32_t tensor) const;
  TensorIOMode ioMode(int32_t tensor) const;
  int32_t numProfiles() const { return static_cast<int32_t>(desc_.profiles.size()); }
  // Max over profiles. For engines with shape tensor inputs, the plan at each profile's largest
  // corner: a run's shapes may need more (ExecutionContext::updateDeviceMemorySizeForShapes).
  int64_t deviceMemorySize() const;
  int64_t deviceMemorySizeForProfile(int32_t profile) const;
  // Network input `tensor` is a shape tensor input (ICudaEngine::isShapeInferenceIO).
  bool isShapeInferenceIO(int32_t tensor) const;
  // Contexts plan activation memory for each resolution of shapes (shape tensor inputs).
  bool plansMemoryAtRunTime() const { return desc_.hasShapeTensorInputs(); }
  BackendKind backend() const { return desc_.backend; }
  Kernel& kernelBase(size_t position) const { return *kernels_[position]; }
  // The CPU kernel; only for engines of the CPU backend.
  CpuKernel& kernel(size_t position) const { return static_cast<CpuKernel&>(*kernels_[position]); }
  // The CUDA kernel; only for engines of the CUDA backend.
  CudaKernel& cudaKernel(size_t position) const { return static_cast<CudaKernel&>(*kernels_[position]); }
  // Null for the CPU backend.
  const BackendState* backendState() const { return backendState_.get(); }

 private:
  explicit Engine(EngineDesc desc) : desc_(std::move(desc)) {}
  EngineDesc desc_;
  std::vector<int32_t> io_;
  std::vector<std::unique_ptr<Kernel>> kernels_;  // per execution position
  std::unique_ptr<BackendState> backendState_;
};

#ifdef TRTN_WITH_CUDA
// native/cuda/engine/CudaEngineState.cpp: uploads the constants (throws EngineError).
std::unique_ptr<BackendState> createCudaBackendState(const Engine& engine, const EngineOptions& options);
#endif

}  // namespace trtn
