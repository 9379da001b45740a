// CUDA kernels of the layers that need values on the host while a run runs: NON_ZERO and NMS
// (data-dependent output shapes) and LOOP (a WHILE condition, a trip count computed on the
// device). They run in runs launched with host synchronization (CudaKernelIO::readToHost), except
// loops whose trip count and body shapes are known from shapes, which launch like any kernel.
#pragma once

#include <memory>
#include <vector>

#include "../../engine/Ops.h"

namespace trtn::cuda {

std::unique_ptr<CudaKernel> makeNonZero(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeNms(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);
std::unique_ptr<CudaKernel> makeLoop(const Node& n, const std::vector<DataType>& in, const std::vector<DataType>& out);

}  // namespace trtn::cuda
