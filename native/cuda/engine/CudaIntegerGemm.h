// MATRIX_MULTIPLY on INT32 operands (CudaIntegerGemm.cpp, CudaIntegerGemm.cu): the cuBLASLt path
// (CudaGemm.cpp) hands these over, as cuBLASLt has no wrap-around integer GEMM.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "../../engine/Ops.h"
#include "CudaKernels.h"

namespace trtn::cuda {

std::unique_ptr<CudaKernel> makeIntegerMatrixMultiply(const Node& n, const std::vector<DataType>& in,
                                                      const std::vector<DataType>& out);

namespace kernels {

// One product per output batch: op(A) [M,K] and op(B) [K,N] read as A(m,k) = a[aBase + m*aRow +
// k*aCol] and B(k,n) = b[bBase + k*bRow + n*bCol], where aBase/bBase are the offsets of the batch
// coordinate in aBatch/bBatch (output batch dims, broadcast strides of 0). y is contiguous
// [batches, M, N]. Sums wrap around (two's complement, as uint32 arithmetic); bias (optional)
// adds bias[biasCount == 1 ? 0 : i % lastDim] to output element i.
struct IntegerGemmShape {
  int64_t M = 1, N = 1, K = 0;
  int64_t aRow = 0, aCol = 0, bRow = 0, bCol = 0;
  Strided aBatch, bBatch;
  int64_t batches = 1;
};
void integerGemm(const int32_t* a, const int32_t* b, const int32_t* bias, int64_t biasCount, int64_t lastDim, int32_t* y,
                 const IntegerGemmShape& shape, cudaStream_t stream);

}  // namespace kernels

}  // namespace trtn::cuda
