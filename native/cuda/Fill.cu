// The one kernel of the cuda module: cudaMemsetAsync covers single bytes only.
#include "Fill.h"

namespace trtn::cuda {

template <typename T>
__global__ void fillKernel(T* dst, uint64_t count, T value) {
  for (uint64_t i = blockIdx.x * uint64_t(blockDim.x) + threadIdx.x; i < count; i += uint64_t(gridDim.x) * blockDim.x)
    dst[i] = value;
}

template <typename T>
static cudaError_t launch(void* dst, uint64_t bytes, uint64_t pattern, cudaStream_t stream) {
  uint64_t count = bytes / sizeof(T);
  if (count == 0) return cudaSuccess;
  unsigned blocks = static_cast<unsigned>(count / 256 + 1 < 4096 ? count / 256 + 1 : 4096);
  fillKernel<T><<<blocks, 256, 0, stream>>>(static_cast<T*>(dst), count, static_cast<T>(pattern));
  return cudaGetLastError();
}

cudaError_t fillAsync(void* dst, uint64_t bytes, uint64_t pattern, int width, cudaStream_t stream) {
  switch (width) {
    case 1: return cudaMemsetAsync(dst, static_cast<int>(pattern & 0xff), bytes, stream);
    case 2: return launch<uint16_t>(dst, bytes, pattern, stream);
    case 4: return launch<uint32_t>(dst, bytes, pattern, stream);
    case 8: return launch<uint64_t>(dst, bytes, pattern, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace trtn::cuda
