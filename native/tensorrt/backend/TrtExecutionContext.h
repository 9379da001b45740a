// One nvinfer1::IExecutionContext of a TrtEngine (held through a shared_ptr: the engine outlives
// its contexts), with its output allocators. Methods run on the JS thread, except enqueue(),
// which also runs on the context's host thread for runs whose outputs have data-dependent dims
// (TensorRT waits for the GPU inside enqueueV3 for those). A mutex serializes every call on the
// IExecutionContext, which is not thread-safe: a JS-thread call made while such a run launches
// waits for enqueueV3 to return. Failures throw EngineError with TensorRT's recorded error.
#pragma once

#include <cuda_runtime_api.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../../cuda/CudaOwners.h"
#include "TrtEngine.h"
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
  // For the engine inspector (which only reads it).
  nvinfer1::IExecutionContext& context() const { return *context_; }
  bool userManagedMemory() const { return strategy_ == 2; }

  // setOptimizationProfileAsync on the context's own stream, then waits for it, so no stream of
  // the caller needs ordering against it.
  void setOptimizationProfile(int32_t index);
  int32_t optimizationProfile() const;
  void setInputShape(const std::string& name, const std::vector<int64_t>& dims);
  std::vector<int64_t> tensorShape(const std::string& name) const;
  bool allInputDimensionsSpecified() const;
  // Names of the inputs still insufficiently specified (empty: every shape is known).
  std::vector<std::string> inferShapes();
  // `bytes`: the size of the memory at `data`, checked against the tensor before each run.
  void setTensorAddress(const std::string& name, void* data, int64_t bytes);
  // USER_MANAGED contexts only; `size` must cover updateDeviceMemorySizeForShapes() once shapes are known.
  void setDeviceMemory(void* memory, int64_t size);
  int64_t updateDeviceMemorySizeForShapes();
  void setOutputAllocator(const std::string& name, bool enabled);
  int64_t maxOutputSize(const std::string& name) const;

  // What enqueueV3 reads from the context besides shape tensor values: captured when a run is
  // requested, so a run launched later (on the host thread) uses what was set then.
  struct RunState {
    std::map<std::string, std::pair<void*, int64_t>> addresses;  // name -> (data, bytes)
    std::map<std::string, std::vector<int64_t>> inputShapes;
    void* deviceMemory = nullptr;
    int64_t deviceMemorySize = 0;
  };
  // Checks what TensorRT does not (every I/O tensor's memory large enough for its shape,
  // data-dependent outputs given an output allocator, USER_MANAGED memory set and large enough)
  // and captures the state of the run. `dataDependent` is set when an output's dims are known
  // only once the run has computed them: enqueue() then waits for the GPU, so it belongs on a
  // host thread.
  RunState prepareRun(bool& dataDependent);

  // An output an output allocator received in a run: its memory (held), dims and byte size.
  struct AllocatedOutput {
    std::string name;
    std::vector<int64_t> dims;
    int64_t bytes = 0;
    std::shared_ptr<cuda::CudaMemory> memory;
  };
  // enqueueV3 on `stream` with `state` (prepareRun's) applied, then the context's own state back.
  // Returns the outputs that went to output allocators (values valid once the stream has run
  // this far). `launched` is set once enqueueV3 has returned true: from then on the stream may
  // hold work that reads the run's memory, even when this throws.
  std::vector<AllocatedOutput> enqueue(cudaStream_t stream, const RunState& state, bool& launched);
  // The context's own stream (created on first use), for execute() and profile switches.
  cudaStream_t ownStream();

  bool isIOTensor(const std::string& name) const;
  bool isShapeInferenceIO(const std::string& name) const;
  bool isInput(const std::string& name) const;

 private:
  void check(bool ok, uint64_t mark, const std::string& what) const;
  void requireIOTensor(const std::string& name, const char* call) const;
  // Bytes the memory bound to `name` must have for `shape`, in the tensor's format.
  int64_t requiredBytes(const std::string& name, const nvinfer1::Dims& shape) const;
  // Puts the addresses, input shapes and activation memory of `state` into the IExecutionContext,
  // which holds those of `from`.
  void apply(const RunState& state, const RunState& from);
  RunState current() const;

  std::shared_ptr<TrtEngine> engine_;
  int32_t strategy_;
  // cudaDeviceProp::textureAlignment (at least 256): what setDeviceMemoryV2 memory must be aligned to.
  int64_t memoryAlignment_ = 256;
  mutable std::recursive_mutex mutex_;
  // Allocators TensorRT points to outlive the context (declared before it).
  std::map<std::string, std::unique_ptr<TrtOutputAllocator>> outputAllocators_;
  std::unique_ptr<cuda::CudaStream> ownStream_;
  TrtUnique<nvinfer1::IExecutionContext> context_;
  std::map<std::string, std::pair<void*, int64_t>> addresses_;
  std::map<std::string, std::vector<int64_t>> inputShapes_;
  void* deviceMemory_ = nullptr;
  int64_t deviceMemorySize_ = 0;
};

}  // namespace trtn::trt
