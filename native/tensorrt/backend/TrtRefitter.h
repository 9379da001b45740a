// nvinfer1::IRefitter of one TrtEngine (held: the engine outlives its refitter). Weights set here
// are copied and kept until the refitter goes, since TensorRT reads them only in refitCudaEngine.
// JS thread only; the caller makes sure no run of the engine is in flight while refitting.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "TrtEngine.h"
#include "TrtLogger.h"

namespace trtn::trt {

class TrtRefitter {
 public:
  explicit TrtRefitter(std::shared_ptr<TrtEngine> engine);
  ~TrtRefitter();
  TrtRefitter(const TrtRefitter&) = delete;
  TrtRefitter& operator=(const TrtRefitter&) = delete;

  // `type`: a DataType value; `data` holds `count` elements (host memory, copied here).
  void setNamedWeights(const std::string& name, int32_t type, const void* data, size_t bytes, int64_t count);
  std::vector<std::string> missingWeights();
  std::vector<std::string> allWeights();
  // refitCudaEngine(); throws TensorRT's recorded error when it fails.
  void refit();

 private:
  std::shared_ptr<TrtEngine> engine_;
  std::map<std::string, std::vector<uint8_t>> weights_;  // what TensorRT points into
  TrtUnique<nvinfer1::IRefitter> refitter_;
};

}  // namespace trtn::trt
