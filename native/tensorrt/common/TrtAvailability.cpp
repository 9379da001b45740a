#include "TrtAvailability.h"

#include "../../engine/Status.h"
#include "TrtLibrary.h"
#ifdef TRTN_WITH_CUDA
#include "../../cuda/CudaRuntime.h"
#endif

namespace trtn::trt {

bool tensorrtBackendBuilt() {
#ifdef TRTN_WITH_TENSORRT
  return true;
#else
  return false;
#endif
}

BackendAvailability tensorrtAvailability() {
#ifndef TRTN_WITH_CUDA
  return {false,
          "this build of the addon has no TensorRT backend (it needs the CUDA build and TensorRT 11 headers, and no CUDA "
          "compiler was found at build time; install the CUDA toolkit, set TENSORRT_ROOT or TENSORRT_INCLUDE_DIR and rebuild)"};
#else
  if (!tensorrtBackendBuilt())
    return {false,
            "this build of the addon has no TensorRT backend (TensorRT 11 headers were not found at build time; set "
            "TENSORRT_ROOT or TENSORRT_INCLUDE_DIR and rebuild)"};
  const cuda::DeviceProbe& device = cuda::probe();
  if (device.count == 0) return {false, concat("TensorRT needs a CUDA GPU: ", device.reason)};
  const TensorRTProbe& library = probeTensorRT();
  return {library.loaded, library.reason};
#endif
}

void requireTensorRTBackend() {
  BackendAvailability a = tensorrtAvailability();
  if (!a.available) fail(StatusCode::kTensorRTUnavailable, "the tensorrt backend is not available: ", a.reason);
}

}  // namespace trtn::trt
