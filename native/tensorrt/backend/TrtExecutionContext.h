// One nvinfer1::IExecutionContext of a TrtEngine (held through a shared_ptr: the engine outlives
// its contexts), with its output allocators and its own error recorder (errors of one context's
// calls never mix with another's, whichever thread makes them). Methods run on the JS thread,
// except enqueue(), which also runs on the context's host thread for runs whose outputs have
// data-dependent dims (TensorRT waits for the GPU inside enqueueV3 for those).
//
// The IExecutionContext is not thread-safe: a mutex serializes every call on it, and a host-thread
// run holds it across enqueueV3 (so across a GPU wait). JS-thread calls therefore never take it
// while host runs are pending: setInputShape, setTensorAddress and setDeviceMemory then only
// record the new value in the context's shadow state, which TensorRT sees (and checks) when the
// next run or getter pushes it; setOptimizationProfile and setOutputAllocator are refused
// (INVALID_STATE). The getters that must ask TensorRT (optimizationProfile, tensorShape,
// allInputDimensionsSpecified, inferShapes, updateDeviceMemorySizeForShapes, maxOutputSize,
// inspect) take the mutex and may wait for a host run's enqueueV3. Failures throw EngineError
// with TensorRT's recorded error.
#pragma once

#include <cuda_runtime_api.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../../cuda/CudaOwners.h"
#include "TrtEngine.h"
#include "TrtErrorRecorder.h"
#include "TrtOutputAllocator.h"

namespace trtn::trt {

class TrtExecutionContext {
 public:
  // strategy: an ExecutionContextAllocationStrategy value (0 STATIC, 1 ON_PROFILE_CHANGE, 2 USER_MANAGED).
  TrtExecutionContext(std::shared_ptr<TrtEngine> engine, int32_t strategy);
  ~TrtExecutionContext();
  TrtExecutionContext(const TrtExecutionContext&) = delete;
  TrtExecutionContext& operator=(const TrtExecutionContext&) = delete;

  TrtEngine& engine() const { return *engine_; }
  // IEngineInspector output with this context's shapes (TrtEngine::inspect), under the context's
  // lock so it never reads the context while a host-thread run uses it.
  std::string inspect(nvinfer1::LayerInformationFormat format, int32_t layerIndex);
  bool userManagedMemory() const { return strategy_ == 2; }

  // setOptimizationProfileAsync on the context's own stream, then waits for it, so no stream of
  // the caller needs ordering against it.
  void setOptimizationProfile(int32_t index);
  int32_t optimizationProfile() const;
  void setInputShape(const std::string& name, const std::vector<int64_t>& dims);
  std::vector<int64_t> tensorShape(const std::string& name);
  bool allInputDimensionsSpecified();
  // Names of the inputs still insufficiently specified (empty: every shape is known).
  std::vector<std::string> inferShapes();
  // `bytes`: the size of the memory at `data`, checked against the tensor before each run.
  void setTensorAddress(const std::string& name, void* data, int64_t bytes);
  // USER_MANAGED contexts only; `size` must cover updateDeviceMemorySizeForShapes() once shapes are known.
  void setDeviceMemory(void* memory, int64_t size);
  int64_t updateDeviceMemorySizeForShapes();
  void setOutputAllocator(const std::string& name, bool enabled);
  int64_t maxOutputSize(const std::string& name);

  // What enqueueV3 reads from the context: captured when a run is requested, so a run launched
  // later (on the host thread) uses what was set then. The values of host shape tensor inputs
  // are copied too (TensorRT reads them only inside enqueueV3, and the caller may rewrite the
  // buffer meanwhile): the run points TensorRT at its copy.
  struct RunState {
    std::map<std::string, std::pair<void*, int64_t>> addresses;  // name -> (data, bytes)
    std::map<std::string, std::vector<int64_t>> inputShapes;
    void* deviceMemory = nullptr;
    int64_t deviceMemorySize = 0;
    // Host shape tensor input -> a copy of its whole bound buffer (int64_t storage: aligned for
    // any element type).
    std::map<std::string, std::vector<int64_t>> shapeValues;
  };
  // [JS thread, no host runs pending] Checks what TensorRT does not (every I/O tensor's memory
  // large enough for its shape, data-dependent outputs given an output allocator, USER_MANAGED
  // memory set and large enough) and captures the state of the run. `dataDependent` is set when
  // an output's dims are known only once the run has computed them: enqueue() then waits for the
  // GPU, so it belongs on a host thread.
  RunState prepareRun(bool& dataDependent);
  // [JS thread] The state of a run without asking TensorRT (never waits): for runs requested while
  // host runs are pending, which enqueue() checks on the host thread.
  RunState capture() const;

  // Host-thread runs: the JS thread counts one in before queuing it; the host thread counts it out
  // (through the counter, which outlives the context) once the run is armed, after its enqueue()
  // has returned. While any is pending the JS thread leaves the IExecutionContext alone (see the
  // top of this file) and later runs follow on the host thread.
  void hostRunQueued() { hostRuns_->fetch_add(1, std::memory_order_acq_rel); }
  const std::shared_ptr<std::atomic<int64_t>>& hostRunCounter() const { return hostRuns_; }
  bool hostRunsPending() const { return hostRuns_->load(std::memory_order_acquire) > 0; }

  // An output an output allocator received in a run: its memory (held), dims and byte size.
  struct AllocatedOutput {
    std::string name;
    std::vector<int64_t> dims;
    int64_t bytes = 0;
    std::shared_ptr<cuda::CudaMemory> memory;
  };
  // enqueueV3 on `stream` with `state` (prepareRun's or capture's) applied and checked as
  // prepareRun does, then the context's shadow state back. Returns the outputs that went to
  // output allocators (values valid once the stream has run this far). `launched` is set once
  // enqueueV3 has returned true: from then on the stream may hold work that reads the run's
  // memory, even when this throws. When enqueueV3 fails it may have queued kernels already: the
  // stream is then waited for before this throws, so a run that throws with `launched` false has
  // nothing left on the stream.
  std::vector<AllocatedOutput> enqueue(cudaStream_t stream, const RunState& state, bool& launched);
  // The context's own stream (created on first use), for execute() and profile switches.
  cudaStream_t ownStream();

  bool isIOTensor(const std::string& name) const;
  bool isShapeInferenceIO(const std::string& name) const;
  bool isInput(const std::string& name) const;

 private:
  void check(bool ok, uint64_t mark, const std::string& what) const;
  // Runs `record` (an update of the shadow state) and returns true when host runs are pending;
  // otherwise returns false and the caller applies the change to TensorRT itself, then records it.
  template <typename F>
  bool recordIfHostRunsPending(F record);
  // Fails with INVALID_STATE naming `call` while host runs are pending.
  void refuseWhileHostRunsPending(const char* call) const;
  // The checks of prepareRun against the IExecutionContext as it is (`state` applied).
  void checkRun(const RunState& state, bool& dataDependent) const;
  // Pushes the shadow state into the IExecutionContext (under the context's lock).
  void applyShadow();
  void requireIOTensor(const std::string& name, const char* call) const;
  // Bytes the memory bound to `name` must have for `shape`, in the tensor's format.
  int64_t requiredBytes(const std::string& name, const nvinfer1::Dims& shape) const;
  // Puts the addresses (shape values' copies for host shape tensors), input shapes and activation
  // memory of `state` into the IExecutionContext, changing only what differs. Under the lock.
  void apply(const RunState& state);
  // The shadow state (under stateMutex_), without shape value copies.
  RunState shadow() const;

  std::shared_ptr<TrtEngine> engine_;
  int32_t strategy_;
  // cudaDeviceProp::textureAlignment (at least 256): what setDeviceMemoryV2 memory must be aligned to.
  int64_t memoryAlignment_ = 256;
  // Serializes every call on the IExecutionContext. Lock order: mutex_, then stateMutex_.
  mutable std::recursive_mutex mutex_;
  // What TensorRT points to outlives the context (declared before it).
  TrtErrorRecorder recorder_;
  std::map<std::string, std::unique_ptr<TrtOutputAllocator>> outputAllocators_;
  std::unique_ptr<cuda::CudaStream> ownStream_;
  TrtUnique<nvinfer1::IExecutionContext> context_;
  // Activation memory last given to TensorRT (setDeviceMemoryV2); under mutex_.
  void* appliedDeviceMemory_ = nullptr;
  // The shadow state: what the JS thread set, which the next run captures. Guarded by
  // stateMutex_ (never held across a TensorRT call).
  mutable std::mutex stateMutex_;
  std::map<std::string, std::pair<void*, int64_t>> addresses_;
  std::map<std::string, std::vector<int64_t>> inputShapes_;
  void* deviceMemory_ = nullptr;
  int64_t deviceMemorySize_ = 0;
  std::shared_ptr<std::atomic<int64_t>> hostRuns_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace trtn::trt
