// One nvinfer1::IExecutionContext of a TrtEngine (held through a shared_ptr: the engine outlives
// its contexts), with its output allocators. Every method runs on the JS thread: enqueue() only
// launches work on the caller's stream (enqueueV3); the addon settles the run from a stream
// callback. Failures throw EngineError with TensorRT's recorded error.
#pragma once

#include <cuda_runtime_api.h>

#include <map>
#include <memory>
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
  nvinfer1::IExecutionContext& context() const { return *context_; }
  bool userManagedMemory() const { return strategy_ == 2; }

  // setOptimizationProfileAsync on the context's own stream, then waits for it, so no stream of
  // the caller needs ordering against it.
  void setOptimizationProfile(int32_t index);
  int32_t optimizationProfile() const { return context_->getOptimizationProfile(); }
  void setInputShape(const std::string& name, const std::vector<int64_t>& dims);
  std::vector<int64_t> tensorShape(const std::string& name) const;
  bool allInputDimensionsSpecified() const { return context_->allInputDimensionsSpecified(); }
  // Names of the inputs still insufficiently specified (empty: every shape is known).
  std::vector<std::string> inferShapes();
  void setTensorAddress(const std::string& name, void* data);
  // USER_MANAGED contexts only; `size` must cover updateDeviceMemorySizeForShapes() once shapes are known.
  void setDeviceMemory(void* memory, int64_t size);
  int64_t updateDeviceMemorySizeForShapes();
  void setOutputAllocator(const std::string& name, bool enabled);
  int64_t maxOutputSize(const std::string& name) const;

  // An output an output allocator received in a run: its memory (held), dims and byte size.
  struct AllocatedOutput {
    std::string name;
    std::vector<int64_t> dims;
    int64_t bytes = 0;
    std::shared_ptr<cuda::CudaMemory> memory;
  };
  // Checks what TensorRT does not (USER_MANAGED memory set and large enough), then enqueueV3 on
  // `stream`. Returns the outputs that went to output allocators (values valid once the stream
  // has run this far).
  std::vector<AllocatedOutput> enqueue(cudaStream_t stream);
  // The context's own stream (created on first use), for execute() and profile switches.
  cudaStream_t ownStream();

  // The names of every I/O tensor, and whether `name` is one.
  bool isIOTensor(const std::string& name) const;
  bool isShapeInferenceIO(const std::string& name) const;
  bool isInput(const std::string& name) const;

 private:
  void check(bool ok, uint64_t mark, const std::string& what) const;
  void requireIOTensor(const std::string& name, const char* call) const;

  std::shared_ptr<TrtEngine> engine_;
  int32_t strategy_;
  // Allocators TensorRT points to outlive the context (declared before it).
  std::map<std::string, std::unique_ptr<TrtOutputAllocator>> outputAllocators_;
  std::unique_ptr<cuda::CudaStream> ownStream_;
  TrtUnique<nvinfer1::IExecutionContext> context_;
  void* deviceMemory_ = nullptr;
  int64_t deviceMemorySize_ = 0;
};

}  // namespace trtn::trt
