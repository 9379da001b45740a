// Launchers of the CUDA backend's own kernels (CudaKernels.cu). Every launcher only queues work
// on `stream`; shapes and strides travel as kernel arguments (no host-to-device copies), so a
// launch never waits for the host. Element types are trtn::DataType values. Throws EngineError
// (CUDA_ERROR) when a launch fails.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "../../engine/DataType.h"

namespace trtn::cuda::kernels {

constexpr int kMaxDims = 10;

// A strided view: `rank` dims and the element strides of one operand over them.
struct Strided {
  int rank = 0;
  int64_t dims[kMaxDims] = {};
  int64_t stride[kMaxDims] = {};
};

// dst[dstOff + sum c_d*dstStride_d] = src[srcOff + sum c_d*srcStride_d] for every coordinate c of
// `shape` (dst and src strides given in `dst`/`src`, which share shape's dims). Whole elements of
// `elementBytes` (1, 2, 4 or 8) are moved, so it serves every type.
void copyStrided(const void* src, int64_t srcOff, const Strided& srcView, void* dst, int64_t dstOff,
                 const Strided& dstView, int elementBytes, cudaStream_t stream);

// out (contiguous, dims of `outDims`) = in[c - pre] where inside `inDims`, else zero bytes.
void pad(const void* in, const Strided& inDims, void* out, const Strided& outDims, const int64_t* pre,
         int elementBytes, cudaStream_t stream);

// Element type conversion of `count` contiguous elements.
void cast(const void* in, DataType inType, void* out, DataType outType, int64_t count, cudaStream_t stream);

// out = a op b over out's dims; `a` and `b` carry broadcast strides (0 where broadcast) over the
// output dims. op: ElementWiseOperation. Types: inType for a and b, outType for out.
void elementwise(int op, const void* a, const Strided& aView, const void* b, const Strided& bView, void* out,
                 int64_t count, DataType inType, DataType outType, cudaStream_t stream);

// UnaryOperation on `count` contiguous elements.
void unary(int op, const void* in, void* out, int64_t count, DataType inType, DataType outType, cudaStream_t stream);

// y = act(x + bias[(i / inner) % biasLen] + residual[i]) (bias and residual optional, of x's
// type; act -1 = none), ActivationType formulas as the CPU backend. In place when x == y.
void biasActivation(const void* x, void* y, int64_t count, DataType type, const void* bias, int64_t biasLen,
                    int64_t inner, int act, float alpha, float beta, cudaStream_t stream,
                    const void* residual = nullptr);

// The fast path of elementwise() for arithmetic ops on float operands of the output's shape
// (no broadcast): vectorized. Returns false, launching nothing, where it does not apply.
bool elementwiseSameShape(int op, const void* a, const void* b, void* out, int64_t count, DataType type,
                          cudaStream_t stream);

// Writes `count` (<= 8) int values of type `type` (INT32 or INT64) from the launch arguments.
void writeValues(void* out, DataType type, const int64_t* values, int count, cudaStream_t stream);

// Softmax over the middle dim of [outer, len, inner].
void softmax(const void* in, void* out, DataType type, int64_t outer, int64_t len, int64_t inner, cudaStream_t stream);

// Reduce (ReduceOperation SUM, PROD, MAX, MIN, AVG) of `in` over the dims of `reduced` (with its
// strides into `in`), for every output element: `kept` holds the output's dims with the input
// strides of its coordinates; the output is contiguous in kept order.
void reduce(int op, const void* in, const Strided& kept, const Strided& reduced, void* out, DataType type,
            cudaStream_t stream);

// Normalization: statistics of x over `reduced`, per coordinate of `kept`; y = (x - mean) /
// sqrt(var + eps) * scale + bias. x and y share strides; scale and bias strides are given per
// dim in scaleKept/scaleRed and biasKept/biasRed (0 where broadcast).
void normalize(const void* x, void* y, const Strided& kept, const Strided& reduced, const void* scale,
               const int64_t* scaleKept, const int64_t* scaleRed, const void* bias, const int64_t* biasKept,
               const int64_t* biasRed, DataType type, DataType paramType, float epsilon, cudaStream_t stream);

// Pooling over 3 spatial axes (leading axes of size 1 for 1-D/2-D) of planes = N*C.
struct PoolGeometry {
  int64_t in[3], out[3], kernel[3], stride[3], pre[3], post[3];
};
void pool(const void* in, void* out, DataType type, int64_t planes, const PoolGeometry& g, int poolType, float blend,
          bool excludePadding, cudaStream_t stream);

// SCALE: x viewed as [rows, C, inner]; parameter p of element (c, i) is [0] (mode 0), [c] (1) or
// [c*inner + i] (2); null parameters are the identity. Parameters are float.
void scale(const void* x, void* y, DataType type, int64_t rows, int64_t channels, int64_t inner, int mode,
           const float* scaleP, const float* shiftP, const float* powerP, cudaStream_t stream);

// SELECT: out (contiguous, `count` elements) = cond ? then : else, each operand read through its
// broadcast view over the output dims; cond is BOOL (uint8, non-zero true).
void select(const void* cond, const Strided& condView, const void* thenData, const Strided& thenView,
            const void* elseData, const Strided& elseView, void* out, int64_t count, int elementBytes,
            cudaStream_t stream);

// PARAMETRIC_RELU: out = x >= 0 ? x : slope * x (computed in float), x and slope broadcast views.
void parametricRelu(const void* x, const Strided& xView, const void* slope, const Strided& slopeView, void* out,
                    int64_t count, DataType type, cudaStream_t stream);

// ONE_HOT: out [outer, depth, inner] = values[1] where indices[o, i] (negative wrapped once by
// depth) equals the depth coordinate, else values[0]; values ([off, on]) in device memory.
void oneHot(const void* indices, DataType indexType, const void* values, void* out, int64_t outer, int64_t depth,
            int64_t inner, int elementBytes, cudaStream_t stream);

// REVERSE_SEQUENCE over a contiguous tensor: the batch and sequence axes given by their
// contiguous strides and lengths; lens (device, INT32/INT64) clamped to [0, seqLen].
void reverseSequence(const void* in, void* out, const void* lens, DataType lensType, int64_t count, int64_t batchStride,
                     int64_t batchLen, int64_t seqStride, int64_t seqLen, int elementBytes, cudaStream_t stream);

// CUMULATIVE (SUM or PROD) along the middle dim of [outer, axisLen, inner]: FLOAT, HALF, BF16
// (double accumulation), INT32, INT64 (int64 wrap-around).
void cumulative(const void* x, void* y, DataType type, int64_t outer, int64_t axisLen, int64_t inner, bool prod,
                bool exclusive, bool reverse, cudaStream_t stream);

}  // namespace trtn::cuda::kernels
