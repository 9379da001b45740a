#include "Status.h"

namespace trtn {

const char* toString(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kInvalidState: return "INVALID_STATE";
    case StatusCode::kDisposed: return "DISPOSED";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kOutOfMemory: return "OUT_OF_MEMORY";
    case StatusCode::kPlanCorrupt: return "PLAN_CORRUPT";
    case StatusCode::kPlanIncompatible: return "PLAN_INCOMPATIBLE";
    case StatusCode::kUnsupported: return "UNSUPPORTED";
    case StatusCode::kCudaUnavailable: return "CUDA_UNAVAILABLE";
    case StatusCode::kCudaError: return "CUDA_ERROR";
    case StatusCode::kTensorRTUnavailable: return "TENSORRT_UNAVAILABLE";
    case StatusCode::kTensorRTError: return "TENSORRT_ERROR";
    case StatusCode::kInternal: return "INTERNAL_ERROR";
  }
  return "INTERNAL_ERROR";
}

}  // namespace trtn
