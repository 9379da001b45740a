// Per-context execution state: the selected optimization profile, input shapes, tensor
// addresses and activation memory. prepare() validates everything and snapshots it into an
// ExecutionSnapshot, so a queued run is unaffected by later changes to the context.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "Engine.h"
#include "Inference.h"

namespace trtn {

// A network output the run reports: one whose dims were learned while the engine ran, or one
// that goes to an output allocator.
struct RunOutput {
  std::string name;
  DataType type = DataType::kFLOAT;
  Dims dims;
  int64_t bytes = 0;
  // The values, when the output goes to an output allocator; null when they were written into
  // the output's bound buffer.
  std::shared_ptr<const void> data;
};

// Memory that a context's runs size while they run on a device backend (tensors with
// data-dependent dims, their layers' scratch, outputs for output allocators, loop bodies). A
// block is reused by a later run once every holder of the run that used it has let go (after its
// work completed), so repeated runs allocate nothing; blocks go with the context.
class RunMemoryPool {
 public:
  using AllocateFn = std::function<std::shared_ptr<void>(int64_t bytes)>;
  explicit RunMemoryPool(AllocateFn allocate) : allocate_(std::move(allocate)) {}
  // A block of at least `bytes` that nobody else holds; the caller holds it while its work may
  // use it. Throws EngineError when no memory can be had.
  std::shared_ptr<void> acquire(int64_t bytes);

 private:
  std::mutex mutex_;
  AllocateFn allocate_;
  std::vector<std::pair<int64_t, std::shared_ptr<void>>> blocks_;
};

struct ExecutionSnapshot {
  std::shared_ptr<const Engine> engine;
  int32_t profile = 0;
  // Shared with the context's cache: a run snapshots it without copying every tensor's dims.
  std::shared_ptr<const ShapeState> shapesPtr;
  const ShapeState& shapes() const { return *shapesPtr; }
  std::vector<void*> tensorData;  // per tensor id
  uint8_t* arena = nullptr;
  // The activation plan for these shapes: the engine's for the profile, or one made for them
  // (engines with shape tensor inputs).
  std::shared_ptr<const MemoryPlan> plan;
  // Keeps memory the snapshot points into alive while it runs (owned arena, bound buffers).
  std::vector<std::shared_ptr<const void>> holds;
  // Per tensor id, for network outputs with data-dependent dims: the bound buffer's capacity,
  // and whether the output is handed to an output allocator after the run instead.
  std::vector<int64_t> capacity;
  std::vector<uint8_t> viaOutputAllocator;
  // Outputs of known dims that go to an output allocator: written to memory the run owns.
  std::vector<RunOutput> allocatorOutputs;
  uint64_t shapeGeneration = 0;  // the context's, when snapshotted
  // Device backends: where the run's run-time sized memory comes from (null for the CPU).
  std::shared_ptr<RunMemoryPool> runMemory;
};

struct RunResult {
  std::vector<RunOutput> outputs;
  uint64_t shapeGeneration = 0;
};

// One layer as the shared run loop (runLayers) hands it to a backend.
struct LayerRun {
  size_t position = 0;  // in the engine's execution order
  const Node* node = nullptr;
  std::vector<TensorRef> in;   // data == nullptr for absent optional inputs
  std::vector<TensorRef> out;  // data == nullptr for outputs the kernel sizes (allocateOutput)
  // Planned scratch (all the plan gives the layer), or scratch sized for a data-dependent layer.
  void* workspace = nullptr;
  size_t workspaceBytes = 0;
  // Set for data-dependent layers (KernelIO::allocateOutput).
  std::function<void*(size_t output, const Dims& dims)> allocateOutput;
};

// What the shared run loop needs from a backend: the CPU backend runs kernels on the calling
// thread; the cuda backend launches them on a stream.
class RunBackend {
 public:
  virtual ~RunBackend() = default;
  // Memory for a tensor or scratch sized while the engine runs, valid until the run's work has
  // completed (the backend holds it).
  virtual void* allocate(int64_t bytes, const std::string& what) = 0;
  // Memory for an output handed to its output allocator after the run (RunOutput::data).
  virtual std::shared_ptr<void> allocateOutput(int64_t bytes, const std::string& what) = 0;
  // Copies tensor bytes to the host once the work computing them has run (cuda: waits).
  virtual void readToHost(void* host, const void* data, int64_t bytes) = 0;
  // Runs (or launches) one layer.
  virtual void runLayer(LayerRun& layer) = 0;
};

// Runs every layer of `snapshot` through `backend`, in execution order: layers of planned shapes
// with their planned memory; layers whose output dims depend on values computed earlier in the
// run are inferred from the dims and values found so far, and their outputs get memory then
// (network outputs: their bound buffer, which must be large enough, or memory handed to the
// output allocator). Returns the data-dependent outputs and those for output allocators.
RunResult runLayers(const ExecutionSnapshot& snapshot, RunBackend& backend);

class ExecutionContext {
 public:
  ExecutionContext(std::shared_ptr<const Engine> engine, AllocationStrategy strategy);

  const Engine& engine() const { return *engine_; }
  std::shared_ptr<const Engine> enginePtr() const { return engine_; }
  AllocationStrategy strategy() const { return strategy_; }

  int32_t optimizationProfile() const { return profile_; }
  void setOptimizationProfile(int32_t profile);

  void setInputShape(const std::string& name, const Dims& dims);
  // Current dims: inputs as set (or -1 when unset), outputs as inferred from the inputs.
  Dims tensorShape(const std::string& name);
  bool allInputDimensionsSpecified() const;
  // Names of inputs whose dims are still unspecified; throws if inference fails.
  std::vector<std::string> inferShapes();

  // Binds `data` (at least `capacity` bytes) to an IO tensor; null unbinds.
  void setTensorAddress(const std::string& name, void* data, int64_t capacity);
  void* tensorAddress(const std::string& name) const;

  // Activation memory for USER_MANAGED contexts.
  void setDeviceMemory(void* memory, int64_t size);
  // The profile's activation memory size (for engines with shape tensor inputs, at the profile's
  // largest corner; runs need updateDeviceMemorySizeForShapes()).
  int64_t requiredMemory() const { return engine_->deviceMemorySizeForProfile(profile_); }
  bool hasMemory() const { return memory_ != nullptr; }
  // Activation bytes the current shapes need (IExecutionContext::updateDeviceMemorySizeForShapes):
  // the profile's size, or for engines with shape tensor inputs the size planned for the current
  // dims and shape values. Throws INVALID_STATE while shapes are unresolved.
  int64_t updateDeviceMemorySizeForShapes();

  // Output allocators (IExecutionContext::setOutputAllocator), meant for data-dependent outputs:
  // with one, the run keeps the output's values and hands them over afterwards (the allocator
  // itself lives in JS, which calls it on the JS thread); without one they go into the bound
  // buffer, which must be large enough.
  void setOutputAllocator(const std::string& name, bool enabled);
  bool hasOutputAllocator(const std::string& name) const;
  // Upper bound of an output's byte size at the current shapes (getMaxOutputSize); -1 while
  // input shapes or shape values are unset, or when no bound is known (a size computed from
  // tensor values).
  int64_t maxOutputSize(const std::string& name);
  // Remembers the dims the last run found for data-dependent outputs (getTensorShape).
  void recordOutputShapes(const RunResult& result);

  // Validates that the context can run and snapshots its state. Throws EngineError.
  ExecutionSnapshot prepare();
  // Runs a snapshot of a CPU engine on the calling thread (kernels use the current pool).
  static RunResult run(const ExecutionSnapshot& snapshot);

 private:
  int32_t ioTensorOrThrow(const std::string& name, const char* what) const;
  // Owned arena of at least the profile's size (STATIC: every profile's) and `atLeast` bytes.
  void allocateOwnedMemory(int64_t atLeast = 0);
  // Reads the values of shape tensor inputs from their buffers (host memory), checks them
  // against the profile and invalidates the resolved shapes when they changed. Returns the name
  // of the first shape tensor input without a buffer, or an empty string.
  std::string readShapeValues(const char* what);
  // Resolved shapes (and, with shape tensor inputs, their memory plan); readShapeValues first.
  const ShapeState& resolvedShapes();
  // A copy of shape tensor input `t`'s values (`bytes` bytes, as resolved by readShapeValues),
  // owned by `snap`, for the run to read instead of the caller's buffer.
  void* snapshotShapeValues(ExecutionSnapshot& snap, int32_t t, int64_t bytes) const;

  std::shared_ptr<const Engine> engine_;
  AllocationStrategy strategy_;
  int32_t profile_ = 0;
  std::vector<Dims> inputDims_;  // per network input
  std::vector<void*> address_;   // per IO index
  std::vector<int64_t> capacity_;
  uint8_t* memory_ = nullptr;
  int64_t memorySize_ = 0;
  std::shared_ptr<const void> owned_;
  std::shared_ptr<const ShapeState> resolved_;
  std::shared_ptr<const MemoryPlan> resolvedPlan_;  // engines with shape tensor inputs
  bool resolvedValid_ = false;
  InputValues shapeValues_;  // per network input: last values read from shape tensor inputs
  std::vector<uint8_t> outputAllocator_;  // per IO index
  std::vector<Dims> lastRunDims_;         // per IO index: data-dependent dims of the last run
  uint64_t shapeGeneration_ = 0;          // bumped whenever input shapes or the profile change
  std::shared_ptr<RunMemoryPool> runMemory_;  // device backends
};

}  // namespace trtn
