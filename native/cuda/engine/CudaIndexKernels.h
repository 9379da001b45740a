// Launchers of the CUDA kernels for indexing and conversion layers (CudaIndexKernels.cu):
// QUANTIZE/DEQUANTIZE, the casts that involve FP8, E8M0, INT4 or FP4, GATHER, SCATTER, SLICE and
// integer REDUCE. Conventions as in CudaKernels.h: launches only queue work on `stream`, shapes
// travel as kernel arguments, element types are trtn::DataType values, formulas are the CPU
// kernels' (native/engine/ops), and a failed launch throws EngineError (CUDA_ERROR).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "CudaKernels.h"

namespace trtn::cuda::kernels {

// ---- QUANTIZE, DEQUANTIZE -------------------------------------------------------------------

// Where each element's scale value lies: element k, seen as (o, a, i) in [outer, axisExtent,
// inner], uses scale o * outerStride + (a / block) * axisStride + i * innerStride.
struct ScaleMap {
  int64_t outer = 1, axisExtent = 1, inner = 1, block = 1;
  int64_t outerStride = 0, axisStride = 0, innerStride = 0;
};

// The scale (FLOAT, HALF, BF16 or E8M0) and the optional zero point (INT8 or INT4; null when
// absent; zeroSingle when it holds one value for every element) of a (de)quantization.
struct QuantParams {
  const void* scale = nullptr;
  DataType scaleType = DataType::kFLOAT;
  const void* zero = nullptr;
  DataType zeroType = DataType::kINT8;
  bool zeroSingle = false;
  ScaleMap map;
};

// y (INT8, FP8, INT4 or FP4) = quantized x (FLOAT, HALF or BF16), `count` elements: integers
// round half to even then add the zero point and saturate (NaN gives the zero point), FP8 and
// FP4 round to nearest even and saturate.
void quantize(const void* x, DataType xType, void* y, DataType yType, int64_t count, const QuantParams& p,
              cudaStream_t stream);
// y (FLOAT, HALF or BF16) = (x - zero) * scale for x INT8, FP8, INT4 or FP4.
void dequantize(const void* x, DataType xType, void* y, DataType yType, int64_t count, const QuantParams& p,
                cudaStream_t stream);

// ---- CAST -------------------------------------------------------------------------------------

// The casts that castExact handles: those the plain cast() launcher does not round as the CPU
// backend (FP8, E8M0, INT4, FP4 on either side, BOOL sources, wide integers to HALF or BF16).
bool needsExactCast(DataType from, DataType to);
// Element type conversion of `count` contiguous elements, rounding and saturating exactly as the
// CPU backend's CAST (packed outputs are written a byte, two elements, per thread).
void castExact(const void* in, DataType inType, void* out, DataType outType, int64_t count, cudaStream_t stream);

// ---- GATHER -----------------------------------------------------------------------------------

// DEFAULT mode: out [B, outer, N, inner] from data [B?, outer, A, inner] and indices [B?, N];
// dataBatch/indexBatch are the element strides of the batch dim (0 where broadcast). Negative
// indices wrap once; indices still out of range give zero bytes.
void gatherAxis(const void* data, void* out, const void* indices, DataType indexType, int64_t batch, int64_t outer,
                int64_t axisLen, int64_t inner, int64_t numIndices, int64_t dataBatch, int64_t indexBatch,
                int elementBytes, cudaStream_t stream);
// ELEMENT mode: out[t] = data[offsetOf(t, indexView) + idx[t] * axisStride], where indexView
// has the indices' dims and the data's strides (0 along the axis).
void gatherElements(const void* data, void* out, const void* indices, DataType indexType, const Strided& indexView,
                    int64_t axisStride, int64_t axisLen, int elementBytes, cudaStream_t stream);
// ND mode: `tuples` index tuples of `tupleView.rank` entries (their dims and data strides in
// tupleView), `perBatch` tuples per batch of `dataBatch` data elements; each selects a slice of
// `slice` elements.
void gatherNd(const void* data, void* out, const void* indices, DataType indexType, int64_t tuples, int64_t perBatch,
              const Strided& tupleView, int64_t slice, int64_t dataBatch, int elementBytes, cudaStream_t stream);

// ---- SCATTER ----------------------------------------------------------------------------------

// Which updates go where. ELEMENT mode (slice == 1): update t, at coordinate c of the indices'
// dims (indexView.dims), targets the output element sum_{d != axis} c_d * stride_d + idx[t] *
// stride_axis (strides in indexView.stride, limits in dataDims). ND mode: tuple t (tupleView
// holds the data dims and strides of the first k dims) targets a slice of `slice` elements.
struct ScatterGeometry {
  bool nd = false;
  int axis = 0;
  Strided indexView;
  int64_t dataDims[kMaxDims] = {};
  Strided tupleView;
  int64_t updates = 0;  // ELEMENT: index elements; ND: tuples
  int64_t slice = 1;
  int64_t targets = 0;  // output elements (ELEMENT) or slices (ND)
};

// Scratch scatter() needs for `updates` updates.
size_t scatterWorkspaceBytes(int64_t updates);
// out (already holding the data) receives the updates in index order: the last write to an
// element wins, or with `reduction` (1 SUM, 2 PROD, 3 MAX, 4 MIN) each update combines with the
// element in index order, exactly as the CPU backend's sequential loop.
void scatter(void* out, const void* updates, const void* indices, DataType indexType, DataType type,
             int reduction, const ScatterGeometry& g, void* workspace, size_t workspaceBytes, cudaStream_t stream);

// ---- SLICE ------------------------------------------------------------------------------------

// out[c] = in[s(start_d + c_d * stride_d)] per dim, s the SampleMode's index rule (0 STRICT, 1
// WRAP, 2 CLAMP, 3 FILL, 4 REFLECT); FILL writes `fill` (device, of fillType, converted to `type`
// as the CPU backend; zero bytes when null) where a coordinate falls outside.
struct SliceGeometry {
  int rank = 0;
  int64_t inDims[kMaxDims] = {}, outDims[kMaxDims] = {}, start[kMaxDims] = {}, stride[kMaxDims] = {};
};
void sliceSampled(const void* in, void* out, DataType type, const SliceGeometry& g, int mode, const void* fill,
                  DataType fillType, cudaStream_t stream);

// ---- REDUCE (integers) -----------------------------------------------------------------------

// REDUCE of INT8, UINT8, INT32 or INT64 (ReduceOperation 0..4): int64 accumulation with
// wrap-around, AVG truncating toward zero, empty reductions giving the identity of the type.
void reduceInteger(int op, const void* in, const Strided& kept, const Strided& reduced, void* out, DataType type,
                   cudaStream_t stream);

}  // namespace trtn::cuda::kernels
