// Launchers of the kernels of the layers with data-dependent output shapes (NON_ZERO, NMS). Each
// layer runs in two launches around a host read: the first finds how many rows the output has
// (on the device), the host reads that count and gives the output memory, the second writes the
// rows. Scratch comes from the caller, sized by the *ScratchBytes functions. Only queue work on
// `stream`; throw EngineError (CUDA_ERROR) when a launch fails.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "../../engine/DataType.h"
#include "CudaKernels.h"

namespace trtn::cuda::kernels {

// ---- NON_ZERO over `count` elements of `type` (any type NonZero takes, packed 4-bit ones too).
size_t nonZeroScratchBytes(int64_t count);
// Numbers the non-zero elements; the number found ends up at nonZeroFound(scratch) (an int64).
void nonZeroCount(const void* in, DataType type, int64_t count, void* scratch, size_t scratchBytes, cudaStream_t stream);
const int64_t* nonZeroFound(const void* scratch, int64_t count);
// Writes the [rank, found] coordinates (row-major element order) of the non-zero elements of
// `in`, whose dims are `dims`, as `indexType` (INT32 or INT64).
void nonZeroWrite(const void* in, DataType type, const Strided& dims, const void* scratch, int64_t found, void* out,
                  DataType indexType, cudaStream_t stream);

// ---- NMS (ops/Nms.cpp describes the semantics) over `batch` items of `boxes` boxes and
// `classes` classes, at most `topK` candidates per item.
struct NmsShape {
  int64_t batch = 0, boxes = 0, classes = 0, topK = 0;
  bool boxesPerClass = false;  // boxes [B, N, C, 4] rather than [B, N, 4]
  bool centerSizes = false;    // (x, y, w, h) rather than corner pairs
};
size_t nmsScratchBytes(const NmsShape& shape);
// Ranks, filters and selects; the number selected ends up at nmsFound(scratch) (an int64) and
// in `numOutputBoxes` (0-D INT32).
void nmsSelect(const NmsShape& shape, const void* boxes, const void* scores, DataType type, int64_t maxPerClass,
               float iouThreshold, float scoreThreshold, void* scratch, size_t scratchBytes, void* numOutputBoxes,
               cudaStream_t stream);
const int64_t* nmsFound(const void* scratch, const NmsShape& shape);
// Writes the [found, 3] rows (batch, class, box) as `indexType`.
void nmsWrite(const NmsShape& shape, const void* scratch, void* out, DataType indexType, cudaStream_t stream);

}  // namespace trtn::cuda::kernels
