// Helpers the CUDA kernel files share, and the factories of the kernels in their own files.
#pragma once

#include <cuda_runtime_api.h>

#include <memory>
#include <vector>

#include "../../engine/Ops.h"
#include "../CudaRuntime.h"
#include "CudaKernels.h"

namespace trtn::cuda {

// Contiguous strides of `dims` (throws UNSUPPORTED above kernels::kMaxDims).
kernels::Strided contiguousView(const Dims& dims);
// `in` read over `out`'s dims (equal ranks): stride 0 along broadcast dims.
kernels::Strided broadcastView(const Dims& in, const Dims& out);
cudaStream_t streamOf(const CudaKernelIO& io);
// Copy between device-accessible memory (device, unified, pinned) queued on `stream`.
void copyDevice(void* dst, const void* src, int64_t bytes, cudaStream_t stream);

// Refuses a layer at build: UNSUPPORTED, naming the layer and what of it the cuda backend lacks.
template <typename... Parts>
[[noreturn]] void unsupported(const Node& n, const Parts&... parts) {
  fail(StatusCode::kUnsupported, "layer '", n.name, "' (", layerTypeName(n.type), "): ", parts...,
       " is not supported by the cuda backend yet; build for the 'cpu' backend");
}

// Refuses `t` (named after `what`) unless it is FLOAT, HALF or BF16.
inline void requireFloat(const Node& n, DataType t, const char* what = "data type ") {
  if (!isFloatType(t)) unsupported(n, what, dataTypeName(t));
}

// The product of dims [from, to) of d (those that exist).
inline int64_t product(const Dims& d, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to && i < d.size(); ++i) p *= d[i];
  return p;
}

std::unique_ptr<CudaKernel> makeMatrixMultiply(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeConvolution(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);

}  // namespace trtn::cuda
