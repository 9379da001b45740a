// One nvinfer1::IRuntime with the bridges it points to: an error recorder (inherited by the
// engines it deserializes and their contexts), the GPU allocator adapter, and the queue the
// process logger fills for it (TrtLogger.h: TensorRT calls made for its engines, contexts and
// refitters log there, and the JS thread drains it). Each deserialization makes one; engines hold
// it through a shared_ptr, so the IRuntime and everything it points to outlive them (TensorRT
// requires both).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../../cuda/GpuAllocator.h"
#include "TrtErrorRecorder.h"
#include "TrtGpuAllocator.h"
#include "TrtLogger.h"
#include "TrtObjects.h"

namespace trtn::trt {

class TrtEngine;

class TrtRuntime : public std::enable_shared_from_this<TrtRuntime> {
 public:
  // Loads TensorRT (TENSORRT_UNAVAILABLE when it cannot) and creates the IRuntime on the current
  // device. `allocator` null: TensorRT's default allocator.
  static std::shared_ptr<TrtRuntime> create(std::shared_ptr<cuda::GpuAllocator> allocator);
  ~TrtRuntime();
  TrtRuntime(const TrtRuntime&) = delete;
  TrtRuntime& operator=(const TrtRuntime&) = delete;

  // Checks a plan (wrapped or raw TensorRT bytes) and deserializes it. PLAN_INCOMPATIBLE for
  // another TensorRT version or GPU, PLAN_CORRUPT for damaged bytes (from TensorRT's recorded
  // error). `plan` is what engine.serialize() gives back.
  std::shared_ptr<TrtEngine> deserialize(const uint8_t* data, size_t size);

  nvinfer1::IRuntime& runtime() const { return *runtime_; }
  TrtErrorRecorder& recorder() { return recorder_; }
  TrtMessageQueue& messages() { return messages_; }
  // The built-in allocator behind the adapter, or null.
  const std::shared_ptr<cuda::GpuAllocator>& gpuAllocator() const { return gpuAllocator_; }
  int device() const { return device_; }
  int32_t libraryVersion() const { return libraryVersion_; }

 private:
  explicit TrtRuntime(std::shared_ptr<cuda::GpuAllocator> allocator);

  // Members TensorRT points to come first so they are destroyed after the IRuntime.
  TrtMessageQueue messages_;
  TrtErrorRecorder recorder_;
  std::shared_ptr<cuda::GpuAllocator> gpuAllocator_;
  std::unique_ptr<TrtGpuAllocator> allocatorAdapter_;
  TrtUnique<nvinfer1::IRuntime> runtime_;
  int device_ = 0;
  int32_t libraryVersion_ = 0;
};

}  // namespace trtn::trt
