// Launchers of the CUDA kernels of DECONVOLUTION (col2im), RESIZE, TOPK, FILL, GRID_SAMPLE and
// LRN (CudaSpatialKernels.cu). As in CudaKernels.h: launchers only queue work on `stream`, shapes
// and parameters travel as kernel arguments, and a failed launch throws EngineError (CUDA_ERROR).
// Formulas, rounding and summation orders follow the CPU kernels in native/engine/ops.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "CudaKernels.h"

namespace trtn::cuda::kernels {

// ---- DECONVOLUTION ----------------------------------------------------------------------------

// Geometry of one transposed window over 3 spatial axes (leading axes of size 1 for 1-D/2-D).
struct DeconvGeometry {
  int64_t in[3], out[3], kernel[3], stride[3], dilation[3], pre[3];
};

// One image: out[k, o] = bias[k] + sum over kernel positions p (ascending) whose input position
// i satisfies o = i*stride - pre + p*dilation of col[(k*prod(kernel) + p)*inVolume + i], written
// as `outType` (FLOAT, HALF, BF16). col and bias (null: none) are float.
void col2im(const float* col, int64_t channels, const DeconvGeometry& g, const float* bias, void* out,
            DataType outType, cudaStream_t stream);

// ---- RESIZE -----------------------------------------------------------------------------------

struct ResizeParams {
  int rank = 0;
  int mode = 0;       // InterpolationMode: NEAREST, LINEAR, CUBIC
  int transform = 1;  // ResizeCoordinateTransformation: ALIGN_CORNERS, ASYMMETRIC, HALF_PIXEL
  int selector = 0;   // ResizeSelector: FORMULA, UPPER
  int rounding = 2;   // ResizeRoundMode: HALF_UP, HALF_DOWN, FLOOR, CEIL
  bool excludeOutside = false;
  double cubicA = -0.75;
  int64_t in[kMaxDims] = {}, out[kMaxDims] = {};
  double scale[kMaxDims] = {};  // 0: no scale given for the dim (the mapping uses out/in)
};

// Scratch the tap tables of `p` take (the launcher's `workspace`).
size_t resizeWorkspaceBytes(const ResizeParams& p);

// y (dims p.out) from x (dims p.in, contiguous). runtimeScales (device, FLOAT [rank], or null)
// replace p.scale when given; a non-positive one maps as if no scale were given. NEAREST moves
// elements of elementBytes (any whole-byte type); LINEAR and CUBIC need FLOAT, HALF or BF16.
void resize(const void* x, void* y, DataType type, const ResizeParams& p, const float* runtimeScales, void* workspace,
            size_t workspaceBytes, cudaStream_t stream);

// ---- TOPK -------------------------------------------------------------------------------------

// x viewed as [outer, axisLen, inner]: the k best (largest for `max`, else smallest) of each line
// into values/indices [outer, k, inner], best first, ties by lower index, NaN above every number.
// Types: FLOAT, HALF, BF16, INT32, INT64; indices INT32 or INT64.
void topK(const void* x, DataType type, void* values, void* indices, DataType indexType, int64_t outer, int64_t axisLen,
          int64_t inner, int64_t k, bool max, cudaStream_t stream);

// ---- FILL -------------------------------------------------------------------------------------

// One FILL parameter: a device tensor (data != null, FLOAT/HALF/BF16/INT8/UINT8/INT32/INT64,
// `count` values) or the attribute values.
struct FillParam {
  const void* data = nullptr;
  DataType type = DataType::kFLOAT;
  int count = 0;
  double values[kMaxDims] = {};
};

// op: FillOperation (LINSPACE, RANDOM_UNIFORM, RANDOM_NORMAL); out contiguous of `dims` (rank
// <= kMaxDims) and `outType` (LINSPACE: FLOAT, INT32, INT64; random: FLOAT, HALF).
void fill(void* out, DataType outType, int rank, const int64_t* dims, int op, const FillParam& alpha,
          const FillParam& beta, uint64_t seed, cudaStream_t stream);

// ---- GRID_SAMPLE ------------------------------------------------------------------------------

struct GridSampleParams {
  int spatial = 2;  // 2 or 3
  int64_t batch = 0, channels = 0;
  int64_t in[3] = {}, out[3] = {};  // spatial dims of the input and of the output
  int mode = 1;                     // InterpolationMode
  int sampleMode = 3;               // SampleMode: CLAMP 2, FILL 3, REFLECT 4
  bool alignCorners = false;
};

// x [N, C, in...], grid [N, out..., spatial] -> y [N, C, out...]; FLOAT, HALF, BF16.
void gridSample(const void* x, const void* grid, void* y, DataType type, const GridSampleParams& p,
                cudaStream_t stream);

// ---- LRN --------------------------------------------------------------------------------------

// Cross-channel LRN of x [N, C, inner]: y = x * (k + alpha / window * sum of squares over the
// window of channels)^-beta; FLOAT, HALF, BF16.
void lrn(const void* x, void* y, DataType type, int64_t batch, int64_t channels, int64_t inner, int64_t window,
         float alpha, float beta, float k, cudaStream_t stream);

}  // namespace trtn::cuda::kernels
