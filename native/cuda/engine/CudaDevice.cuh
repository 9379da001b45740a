// Device helpers and launch plumbing that the cuda backend's kernel files (*.cu) share.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../../engine/DataType.h"
#include "../../engine/Status.h"
#include "../CudaRuntime.h"
#include "CudaKernels.h"

namespace trtn::cuda::kernels {

using bf16 = __nv_bfloat16;

inline constexpr int kThreads = 256;

// Grid size of a grid-stride loop over n elements (at least one block; loops cover the rest).
inline unsigned blocksFor(int64_t n, int threads = kThreads) {
  const int64_t b = (n + threads - 1) / threads;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(b, 65535LL * 16)));
}

inline void checkLaunch(const char* what) { check(cudaGetLastError(), what); }

// Pieces of a kernel's scratch start 256 bytes apart, as cub and cuBLASLt want them.
inline size_t alignScratch(size_t bytes) { return (bytes + 255) / 256 * 256; }

#define TRTN_GRID_LOOP(i, n) \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); i += static_cast<int64_t>(blockDim.x) * gridDim.x)

// Storage <-> float (16-bit floats round to nearest even, as the CPU backend).
template <typename T>
struct F {
  static __device__ __forceinline__ float load(T v) { return static_cast<float>(v); }
  static __device__ __forceinline__ T store(float v) { return static_cast<T>(v); }
};
template <>
struct F<__half> {
  static __device__ __forceinline__ float load(__half v) { return __half2float(v); }
  static __device__ __forceinline__ __half store(float v) { return __float2half_rn(v); }
};
template <>
struct F<bf16> {
  static __device__ __forceinline__ float load(bf16 v) { return __bfloat162float(v); }
  static __device__ __forceinline__ bf16 store(float v) { return __float2bfloat16_rn(v); }
};

template <typename T>
constexpr bool kIsFloat = std::is_same_v<T, float> || std::is_same_v<T, __half> || std::is_same_v<T, bf16>;

// Element offset of the linear (row-major over v's dims) coordinate `linear` in the view.
__device__ __forceinline__ int64_t offsetOf(int64_t linear, const Strided& v) {
  int64_t off = 0;
  for (int d = v.rank - 1; d >= 0; --d) {
    const int64_t n = v.dims[d];
    off += (linear % n) * v.stride[d];
    linear /= n;
  }
  return off;
}

inline int64_t volumeOf(const Strided& v) {
  int64_t n = 1;
  for (int d = 0; d < v.rank; ++d) n *= v.dims[d];
  return n;
}

// Calls fn(T{}) for FLOAT, HALF, BF16.
template <typename Fn>
void dispatchFloat(DataType t, const char* what, Fn&& fn) {
  switch (t) {
    case DataType::kFLOAT: fn(float{}); return;
    case DataType::kHALF: fn(__half{}); return;
    case DataType::kBF16: fn(bf16{}); return;
    default: fail(StatusCode::kUnsupported, what, ": the cuda backend does not support ", dataTypeName(t), " here");
  }
}

// Numeric types plus BOOL (stored as uint8).
template <typename Fn>
void dispatchAll(DataType t, const char* what, Fn&& fn) {
  switch (t) {
    case DataType::kFLOAT: fn(float{}); return;
    case DataType::kHALF: fn(__half{}); return;
    case DataType::kBF16: fn(bf16{}); return;
    case DataType::kINT8: fn(int8_t{}); return;
    case DataType::kUINT8:
    case DataType::kBOOL: fn(uint8_t{}); return;
    case DataType::kINT32: fn(int32_t{}); return;
    case DataType::kINT64: fn(int64_t{}); return;
    default: fail(StatusCode::kUnsupported, what, ": the cuda backend does not support ", dataTypeName(t), " here");
  }
}

// Calls fn(U{}) with the unsigned integer of `bytes` bytes: kernels that only move elements.
template <typename Fn>
void dispatchSize(int bytes, Fn&& fn) {
  switch (bytes) {
    case 1: fn(uint8_t{}); return;
    case 2: fn(uint16_t{}); return;
    case 4: fn(uint32_t{}); return;
    case 8: fn(uint64_t{}); return;
    default: fail(StatusCode::kUnsupported, "elements of ", bytes, " bytes are not supported by the cuda backend");
  }
}

// Calls fn(I{}) for INT32 or INT64 indices.
template <typename Fn>
void dispatchIndex(DataType t, Fn&& fn) {
  if (t == DataType::kINT64) fn(int64_t{});
  else if (t == DataType::kINT32) fn(int32_t{});
  else fail(StatusCode::kUnsupported, "indices of type ", dataTypeName(t), " are not supported by the cuda backend");
}

}  // namespace trtn::cuda::kernels
