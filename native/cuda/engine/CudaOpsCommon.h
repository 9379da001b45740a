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

std::unique_ptr<CudaKernel> makeMatrixMultiply(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeConvolution(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);

}  // namespace trtn::cuda
