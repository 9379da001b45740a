// Whether the tensorrt backend can run in this process, and why not, in the order a user fixes
// things: the build, the GPU, the library. getBackends() reports it; every path into the
// backend (building, deserializing a TensorRT plan) checks it first.
#pragma once

#include <string>

namespace trtn::trt {

// True when this build of the addon contains the backend (TensorRT 11 headers and CUDA at build time).
bool tensorrtBackendBuilt();

struct BackendAvailability {
  bool available = false;
  // Unavailable: the first reason (not built; no CUDA / no usable GPU; libnvinfer not found or of
  // another major). Available: "TensorRT 11.x.y (path)".
  std::string reason;
};
BackendAvailability tensorrtAvailability();

// Throws EngineError(kTensorRTUnavailable, reason) unless the backend is available.
void requireTensorRTBackend();

}  // namespace trtn::trt
