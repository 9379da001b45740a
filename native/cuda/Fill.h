// Fills device-visible memory with a repeated 1, 2, 4 or 8-byte pattern, in stream order.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace trtn::cuda {

// `bytes` must be a multiple of `width`, and `dst` aligned to it. Returns the launch's error.
cudaError_t fillAsync(void* dst, uint64_t bytes, uint64_t pattern, int width, cudaStream_t stream);

}  // namespace trtn::cuda
