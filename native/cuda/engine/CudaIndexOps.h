// Factories of the CUDA kernels for indexing and conversion layers (CudaIndexOps.cpp),
// registered in CudaOps.cpp's registerCudaKernels().
#pragma once

#include <memory>
#include <vector>

#include "../../engine/Ops.h"

namespace trtn::cuda {

std::unique_ptr<CudaKernel> makeQuantize(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeDequantize(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeCast(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeGather(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeScatter(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeSlice(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
// REDUCE over INT8, UINT8, INT32 or INT64 (the float types are CudaOps.cpp's).
std::unique_ptr<CudaKernel> makeReduceInteger(const Node& n, const std::vector<DataType>& in,
                                              const std::vector<DataType>& out);

}  // namespace trtn::cuda
