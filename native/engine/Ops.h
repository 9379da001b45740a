// The op registry: for each LayerType, how many inputs and outputs it takes, how its output
// types and dimensions follow from its inputs, and how to make its CPU kernel. One file per op
// under ops/ defines these.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Graph.h"
#include "ThreadPool.h"

namespace trtn {

// What shape inference sees of one node.
struct InferIO {
  const Node& node;
  std::vector<DataType> inTypes;
  std::vector<Dims> inDims;  // empty Dims with present=false for absent inputs
  std::vector<bool> present;
  std::vector<const std::vector<int64_t>*> inValues;  // known values of small integer inputs
  bool runtime = false;  // true when every input dimension is concrete (execution time)
  // With runtime: ops whose output dims depend on input values they cannot see here
  // (OpDef::dataDependentOutputs) report upper bounds instead of -1 (getMaxOutputSize).
  bool upperBounds = false;
  // True while the layer is being added (network.addX): settings that TensorRT lets callers
  // change after the add (a convolution's numGroups, its kernel/bias tensors set with setInput)
  // are not final yet, so checks that depend on them wait for the build.
  bool addTime = false;

  std::vector<DataType> outTypes;
  std::vector<Dims> outDims;
  std::vector<std::optional<std::vector<int64_t>>> outValues;  // an op may set these directly

  explicit InferIO(const Node& n) : node(n) {}
  size_t numInputs() const { return inTypes.size(); }
  bool has(size_t i) const { return i < present.size() && present[i]; }
  const Dims& dims(size_t i) const { return inDims.at(i); }
  DataType type(size_t i) const { return inTypes.at(i); }
  const std::vector<int64_t>* value(size_t i) const { return i < inValues.size() ? inValues[i] : nullptr; }
  // Throws INVALID_ARGUMENT naming the layer.
  template <typename... Parts>
  [[noreturn]] void error(const Parts&... parts) const {
    fail(StatusCode::kInvalidArgument, "layer '", node.name, "' (", layerTypeName(node.type), "): ", parts...);
  }
  void require(bool cond, const char* what) const {
    if (!cond) error(what);
  }
  void setOutput(size_t i, DataType t, Dims d) {
    if (outTypes.size() <= i) {
      outTypes.resize(i + 1, DataType::kFLOAT);
      outDims.resize(i + 1);
      outValues.resize(i + 1);
    }
    outTypes[i] = t;
    outDims[i] = std::move(d);
  }
};

struct TensorRef {
  void* data = nullptr;
  DataType type = DataType::kFLOAT;
  Dims dims;
  // The values shape inference resolved for this tensor (small integer tensors whose values are
  // known from shapes, such as shape tensors), or null. Kernels that read values which decided
  // output dims use these, so they agree with the dims the run was planned with.
  const std::vector<int64_t>* values = nullptr;
  int64_t count() const { return volume(dims); }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data);
  }
};

struct KernelIO {
  std::vector<TensorRef> in;  // data == nullptr for absent optional inputs
  std::vector<TensorRef> out;
  void* workspace = nullptr;
  size_t workspaceBytes = 0;
  ThreadPool* pool = nullptr;
  // Set for layers whose output dims are learned while running (OpDef::dataDependentOutputs):
  // the kernel calls it once per such output with the dims it found, and writes to the memory
  // it returns (out[i] is updated too). Throws EngineError when no memory can be had.
  std::function<void*(size_t output, const Dims& dims)> allocateOutput;
};

// What every backend's kernel tells the builder and the memory planner.
class Kernel {
 public:
  virtual ~Kernel() = default;
  // Scratch bytes needed for these shapes; planned into the context's activation memory.
  virtual size_t workspaceBytes(const std::vector<Dims>& inDims, const std::vector<Dims>& outDims) const {
    (void)inDims;
    (void)outDims;
    return 0;
  }
  // Name of the implementation chosen (reported in engine inspection and build logs).
  virtual const char* implementation() const { return "reference"; }
};

class CpuKernel : public Kernel {
 public:
  virtual void run(KernelIO& io) = 0;
};

// Per-context library handles of the CUDA backend (cuBLASLt, cuDNN); defined under native/cuda.
struct CudaLibraries;

// What a CUDA kernel runs with: tensors in device memory (shape tensor inputs excepted: their
// values are in TensorRef::values, their data in host memory), scratch in the context's device
// arena, the stream to launch on and the context's library handles. Kernels only launch work;
// they never synchronize the host with the stream.
struct CudaKernelIO {
  std::vector<TensorRef> in;  // data == nullptr for absent optional inputs
  std::vector<TensorRef> out;
  void* workspace = nullptr;
  size_t workspaceBytes = 0;
  void* stream = nullptr;  // cudaStream_t
  CudaLibraries* libs = nullptr;
  // Set only in runs launched from a host thread that may wait for the stream (runs with
  // data-dependent shapes, or a kernel whose needsHostSync() is true); null otherwise, e.g. in
  // runs captured into CUDA graphs.
  // Device memory that stays valid until the run's work has completed (throws EngineError).
  std::function<void*(int64_t bytes, const char* what)> allocate;
  // Copies `bytes` from device memory to the host once the work queued so far has run.
  std::function<void(void* host, const void* device, int64_t bytes)> readToHost;
  // For layers with data-dependent outputs, as KernelIO::allocateOutput.
  std::function<void*(size_t output, const Dims& dims)> allocateOutput;
};

// Device copies of a node's attribute weights (convolution kernels and biases, scale
// parameters), made once per engine through the runtime's allocator and shared by its contexts.
class DeviceWeights {
 public:
  virtual ~DeviceWeights() = default;
  // Device memory holding `w` converted to `as` (null for empty weights).
  virtual void* upload(const Weights& w, DataType as) = 0;
};

class CudaKernel : public Kernel {
 public:
  virtual void run(CudaKernelIO& io) = 0;
  // Called once when an engine is created, before any run.
  virtual void uploadWeights(DeviceWeights& to) { (void)to; }
  // (optional) Whether a run with these inputs reads device values on the host while it runs (a
  // loop's WHILE condition or a trip count computed on the device): such runs launch from a host
  // thread and get CudaKernelIO::allocate/readToHost, and are never captured into CUDA graphs.
  virtual bool needsHostSync(const std::vector<TensorRef>& in) const {
    (void)in;
    return false;
  }
  // (optional) Called by the builder at the first profile's OPT shapes: times this kernel's
  // implementations on the device and records the fastest in `node`'s attributes, so plans keep
  // the choice (kernels made from the node honour it). workspaceLimit: the scratch a choice may
  // use (-1: the kernel's own cap). Returns a line for the build log, empty when nothing was timed.
  virtual std::string tune(Node& node, const std::vector<Dims>& inDims, const std::vector<Dims>& outDims,
                           int64_t workspaceLimit) {
    (void)node;
    (void)inDims;
    (void)outDims;
    (void)workspaceLimit;
    return {};
  }
};

using InferFn = void (*)(InferIO&);
using CreateCpuKernelFn = std::unique_ptr<CpuKernel> (*)(const Node&, const std::vector<DataType>& inTypes,
                                                        const std::vector<DataType>& outTypes);
// Throws UNSUPPORTED naming the layer for configurations the CUDA kernel does not cover.
using CreateCudaKernelFn = std::unique_ptr<CudaKernel> (*)(const Node&, const std::vector<DataType>& inTypes,
                                                          const std::vector<DataType>& outTypes);

struct OpDef {
  LayerType type;
  const char* name;
  int minInputs;
  int maxInputs;
  int numOutputs;
  InferFn infer;
  CreateCpuKernelFn createCpu;
  // Inputs whose values (not only shapes) decide output dimensions; they must be computable
  // from shapes alone when the engine runs.
  std::vector<int> shapeInputs;
  // (optional) Implementations worth timing for this node; the builder's autotuner runs each,
  // keeps the fastest in the node's "implementation" attribute, and createCpu honours it.
  std::vector<std::string> (*candidates)(const Node&, const std::vector<DataType>& inTypes) = nullptr;
  // Some output dims depend on the input values (NonZero, NMS): inference leaves them -1 even at
  // run time, and the kernel sizes those outputs through KernelIO::allocateOutput.
  bool dataDependentOutputs = false;
  // The CUDA backend's kernel; null while the layer has none (builds for 'cuda' then fail).
  CreateCudaKernelFn createCuda = nullptr;
};

// Null if the layer type has no implementation in the built-in engine.
const OpDef* findOpDef(LayerType type);
const OpDef& opDef(LayerType type);  // throws UNSUPPORTED

void registerOp(OpDef def);
// Attaches a CUDA kernel to a registered op (native/cuda/engine registers them).
void setCudaKernel(LayerType type, CreateCudaKernelFn create);

}  // namespace trtn
