// nvinfer1::IOutputAllocator for one output with data-dependent dims. TensorRT calls it during
// enqueueV3 (reallocateOutputAsync, then notifyShape before enqueueV3 returns), on the thread that
// called enqueueV3 (the context's host thread for such outputs) or one of its own, so it never
// calls into JS: it gets device memory from the runtime's GpuAllocator (cudaMalloc without one)
// and records the dims.
// After the run the context copies the values out and hands them to the JS IOutputAllocator, the
// same contract as the built-in engine's output allocators.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../../cuda/CudaOwners.h"
#include "../../cuda/GpuAllocator.h"
#include "TrtObjects.h"

namespace trtn::trt {

class TrtOutputAllocator final : public nvinfer1::IOutputAllocator {
 public:
  // `allocator` null: cudaMalloc on `device`.
  TrtOutputAllocator(std::shared_ptr<cuda::GpuAllocator> allocator, int device)
      : allocator_(std::move(allocator)), device_(device) {}

  // Not noexcept in the header, but nothing may escape into TensorRT: failures return nullptr,
  // which makes enqueueV3 fail.
  void* reallocateOutputAsync(char const* tensorName, void* currentMemory, uint64_t size, uint64_t alignment,
                              cudaStream_t stream) override;
  void notifyShape(char const* tensorName, nvinfer1::Dims const& dims) noexcept override;

  // What the last enqueueV3 produced: the memory it wrote (held, so a later run that grows the
  // buffer cannot free it before this run's values were copied out) and the dims it notified.
  struct Result {
    std::shared_ptr<cuda::CudaMemory> memory;
    std::vector<int64_t> dims;
    bool shaped = false;
  };
  // Call before enqueueV3: forgets what an earlier run left (dims, failure).
  void beginRun();
  // Call after enqueueV3 returned; resets the "shaped" state and the failure for the next run.
  Result takeResult();
  // Why the last reallocateOutputAsync returned nullptr (empty when it did not).
  std::string lastFailure() const;

 private:
  std::shared_ptr<cuda::CudaMemory> allocate(uint64_t size, uint64_t alignment, cudaStream_t stream);

  std::shared_ptr<cuda::GpuAllocator> allocator_;
  int device_;
  mutable std::mutex mutex_;
  std::shared_ptr<cuda::CudaMemory> memory_;
  std::vector<int64_t> dims_;
  bool shaped_ = false;
  std::string failure_;
};

}  // namespace trtn::trt
