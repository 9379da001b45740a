// INT32 matrix products with two's-complement wrap-around, as the CPU backend's naive-int32
// kernel: one thread per output element, the K loop in uint32 arithmetic (no overflow UB).
#include "CudaIntegerGemm.h"

#include "CudaDevice.cuh"

namespace trtn::cuda::kernels {

namespace {

__global__ void integerGemmK(const int32_t* a, const int32_t* b, const int32_t* bias, int64_t biasCount, int64_t lastDim,
                             int32_t* y, IntegerGemmShape s, int64_t count) {
  TRTN_GRID_LOOP(i, count) {
    const int64_t n = i % s.N;
    const int64_t m = (i / s.N) % s.M;
    const int64_t batch = i / (s.N * s.M);
    const int32_t* ap = a + offsetOf(batch, s.aBatch) + m * s.aRow;
    const int32_t* bp = b + offsetOf(batch, s.bBatch) + n * s.bCol;
    uint32_t acc = 0;
    for (int64_t k = 0; k < s.K; ++k)
      acc += static_cast<uint32_t>(ap[k * s.aCol]) * static_cast<uint32_t>(bp[k * s.bRow]);
    if (bias) acc += static_cast<uint32_t>(bias[biasCount == 1 ? 0 : i % lastDim]);
    y[i] = static_cast<int32_t>(acc);
  }
}

}  // namespace

void integerGemm(const int32_t* a, const int32_t* b, const int32_t* bias, int64_t biasCount, int64_t lastDim, int32_t* y,
                 const IntegerGemmShape& shape, cudaStream_t stream) {
  const int64_t count = shape.batches * shape.M * shape.N;
  if (count <= 0) return;
  integerGemmK<<<blocksFor(count), kThreads, 0, stream>>>(a, b, bias, biasCount, std::max<int64_t>(lastDim, 1), y, shape,
                                                          count);
  checkLaunch("integer matrix multiply launch");
}

}  // namespace trtn::cuda::kernels
