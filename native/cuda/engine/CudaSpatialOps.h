// Factories of the cuda backend's DECONVOLUTION, RESIZE, TOPK, FILL, GRID_SAMPLE and LRN kernels
// (CudaSpatialOps.cpp), registered in registerCudaKernels().
#pragma once

#include <memory>
#include <vector>

#include "../../engine/Ops.h"

namespace trtn::cuda {

std::unique_ptr<CudaKernel> makeDeconvolution(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeResize(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeTopK(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeFill(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeGridSample(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeLrn(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);

}  // namespace trtn::cuda
