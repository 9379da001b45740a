// Kernels of the layers with data-dependent output shapes. Correctness first: NMS selects with
// one block per batch item, candidate by candidate in score order, as the CPU kernel does, so
// both backends select the same boxes.
#include "CudaDataDependentKernels.h"

#include <cub/device/device_scan.cuh>
#include <cub/device/device_segmented_sort.cuh>

#include <algorithm>
#include <climits>
#include <cmath>

#include "CudaDevice.cuh"

namespace trtn::cuda::kernels {

namespace {

// How an element of a type is tested against zero, on its bits: -0.0 is zero and NaN is not, as
// the CPU's `value != 0.0`.
enum ZeroTest : int { kBits8, kBits16Float, kBits32Float, kBits32, kBits64, kNibble, kNibbleFp4 };

ZeroTest zeroTestOf(DataType t) {
  switch (t) {
    case DataType::kFLOAT: return kBits32Float;
    case DataType::kHALF:
    case DataType::kBF16: return kBits16Float;
    case DataType::kINT8:
    case DataType::kUINT8:
    case DataType::kBOOL: return kBits8;
    case DataType::kINT32: return kBits32;
    case DataType::kINT64: return kBits64;
    case DataType::kINT4: return kNibble;
    case DataType::kFP4: return kNibbleFp4;
    default: fail(StatusCode::kUnsupported, "NonZero: the cuda backend does not support ", dataTypeName(t), " inputs");
  }
}

__device__ __forceinline__ bool isNonZero(const void* data, int test, int64_t i) {
  switch (test) {
    case kBits8: return static_cast<const uint8_t*>(data)[i] != 0;
    case kBits16Float: return (static_cast<const uint16_t*>(data)[i] & 0x7fffu) != 0;
    case kBits32Float: return (static_cast<const uint32_t*>(data)[i] & 0x7fffffffu) != 0;
    case kBits32: return static_cast<const uint32_t*>(data)[i] != 0;
    case kBits64: return static_cast<const uint64_t*>(data)[i] != 0;
    default: {
      const uint8_t byte = static_cast<const uint8_t*>(data)[i / 2];
      const uint8_t nibble = (i & 1) ? (byte >> 4) : (byte & 0xfu);
      return test == kNibble ? nibble != 0 : (nibble & 0x7u) != 0;  // FP4: 0b1000 is -0
    }
  }
}

__global__ void nonZeroFlags(const void* in, int test, int64_t n, int64_t* flags) {
  TRTN_GRID_LOOP(i, n) flags[i] = isNonZero(in, test, i) ? 1 : 0;
}

template <typename I>
__global__ void nonZeroCoordinates(const void* in, int test, int64_t n, Strided dims, const int64_t* positions,
                                   int64_t found, I* out) {
  TRTN_GRID_LOOP(i, n) {
    if (!isNonZero(in, test, i)) continue;
    const int64_t j = positions[i] - 1;
    int64_t rest = i;
    for (int d = dims.rank - 1; d >= 0; --d) {
      const int64_t extent = dims.dims[d];
      out[d * found + j] = static_cast<I>(rest % extent);
      rest /= extent;
    }
  }
}

struct NonZeroLayout {
  size_t flags = 0, positions = 0, temp = 0, tempBytes = 0, total = 0;
};

NonZeroLayout nonZeroLayout(int64_t count) {
  NonZeroLayout l;
  const size_t array = alignScratch(static_cast<size_t>(std::max<int64_t>(count, 1)) * sizeof(int64_t));
  l.positions = array;
  l.temp = 2 * array;
  check(cub::DeviceScan::InclusiveSum(nullptr, l.tempBytes, static_cast<const int64_t*>(nullptr),
                                      static_cast<int64_t*>(nullptr), std::max<int64_t>(count, 1), cudaStream_t{}),
        "cub::DeviceScan::InclusiveSum (scratch size)");
  l.total = l.temp + alignScratch(std::max<size_t>(l.tempBytes, 1));
  return l;
}

}  // namespace

size_t nonZeroScratchBytes(int64_t count) { return nonZeroLayout(count).total; }

void nonZeroCount(const void* in, DataType type, int64_t count, void* scratch, size_t scratchBytes, cudaStream_t stream) {
  if (count <= 0) return;
  const NonZeroLayout l = nonZeroLayout(count);
  TRTN_CHECK(scratchBytes >= l.total, StatusCode::kInternal, "NonZero: scratch of ", scratchBytes, " bytes, ", l.total,
             " needed");
  auto* base = static_cast<uint8_t*>(scratch);
  auto* flags = reinterpret_cast<int64_t*>(base + l.flags);
  auto* positions = reinterpret_cast<int64_t*>(base + l.positions);
  nonZeroFlags<<<blocksFor(count), kThreads, 0, stream>>>(in, zeroTestOf(type), count, flags);
  checkLaunch("NonZero (flags)");
  size_t tempBytes = l.tempBytes;
  check(cub::DeviceScan::InclusiveSum(base + l.temp, tempBytes, flags, positions, count, stream),
        "cub::DeviceScan::InclusiveSum");
}

const int64_t* nonZeroFound(const void* scratch, int64_t count) {
  const NonZeroLayout l = nonZeroLayout(count);
  return reinterpret_cast<const int64_t*>(static_cast<const uint8_t*>(scratch) + l.positions) + (count - 1);
}

void nonZeroWrite(const void* in, DataType type, const Strided& dims, const void* scratch, int64_t found, void* out,
                  DataType indexType, cudaStream_t stream) {
  int64_t count = 1;
  for (int d = 0; d < dims.rank; ++d) count *= dims.dims[d];
  if (found <= 0 || count <= 0 || dims.rank == 0) return;
  const NonZeroLayout l = nonZeroLayout(count);
  const auto* positions = reinterpret_cast<const int64_t*>(static_cast<const uint8_t*>(scratch) + l.positions);
  if (indexType == DataType::kINT32)
    nonZeroCoordinates<<<blocksFor(count), kThreads, 0, stream>>>(in, zeroTestOf(type), count, dims, positions, found,
                                                                   static_cast<int32_t*>(out));
  else
    nonZeroCoordinates<<<blocksFor(count), kThreads, 0, stream>>>(in, zeroTestOf(type), count, dims, positions, found,
                                                                   static_cast<int64_t*>(out));
  checkLaunch("NonZero (coordinates)");
}

// ---- NMS ----------------------------------------------------------------------------------

namespace {

struct NmsLayout {
  int64_t perItem = 0;     // N * C scores per batch item
  int64_t candidates = 0;  // min(topK, perItem): candidates per batch item at most
  size_t keysIn = 0, keysOut = 0, valuesIn = 0, valuesOut = 0, segments = 0, counts = 0, offsets = 0, found = 0;
  size_t candidateBoxes = 0, candidateClasses = 0, selected = 0, slots = 0;
  size_t sortTemp = 0, sortTempBytes = 0, scanTemp = 0, scanTempBytes = 0, total = 0;
};

NmsLayout nmsLayout(const NmsShape& s) {
  NmsLayout l;
  l.perItem = s.boxes * s.classes;
  l.candidates = std::min(s.topK, l.perItem);
  const int64_t scores = s.batch * l.perItem;
  TRTN_CHECK(scores < INT_MAX && s.batch < INT_MAX && s.batch * s.classes < INT_MAX, StatusCode::kUnsupported,
             "NMS: the cuda backend ranks at most 2^31 - 1 scores per layer, not ", scores);
  const size_t n = static_cast<size_t>(std::max<int64_t>(scores, 1));
  const size_t pairs = static_cast<size_t>(std::max<int64_t>(s.batch * s.classes, 1));
  const size_t cands = static_cast<size_t>(std::max<int64_t>(s.batch * l.candidates, 1));
  size_t at = 0;
  auto take = [&](size_t bytes) {
    size_t here = at;
    at += alignScratch(std::max<size_t>(bytes, 1));
    return here;
  };
  l.keysIn = take(n * sizeof(float));
  l.keysOut = take(n * sizeof(float));
  l.valuesIn = take(n * sizeof(int32_t));
  l.valuesOut = take(n * sizeof(int32_t));
  l.segments = take(static_cast<size_t>(s.batch + 1) * sizeof(int32_t));
  l.counts = take(pairs * sizeof(int32_t));
  l.offsets = take(pairs * sizeof(int64_t));
  l.found = take(sizeof(int64_t));
  l.candidateBoxes = take(cands * 5 * sizeof(float));
  l.candidateClasses = take(cands * sizeof(int32_t));
  l.selected = take(cands);
  l.slots = take(cands * sizeof(int32_t));
  check(cub::DeviceSegmentedSort::StableSortPairsDescending(
            nullptr, l.sortTempBytes, static_cast<const float*>(nullptr), static_cast<float*>(nullptr),
            static_cast<const int32_t*>(nullptr), static_cast<int32_t*>(nullptr), static_cast<int>(n),
            static_cast<int>(std::max<int64_t>(s.batch, 1)), static_cast<const int32_t*>(nullptr),
            static_cast<const int32_t*>(nullptr), cudaStream_t{}),
        "cub::DeviceSegmentedSort (scratch size)");
  l.sortTemp = take(l.sortTempBytes);
  check(cub::DeviceScan::ExclusiveSum(nullptr, l.scanTempBytes, static_cast<const int32_t*>(nullptr),
                                      static_cast<int64_t*>(nullptr), static_cast<int>(pairs), cudaStream_t{}),
        "cub::DeviceScan::ExclusiveSum (scratch size)");
  l.scanTemp = take(l.scanTempBytes);
  l.total = at;
  return l;
}

// std::min / std::max exactly (NaN handling included), and no fused multiply-adds, so that IoU
// matches the CPU kernel bit for bit.
__device__ __forceinline__ float minOf(float a, float b) { return b < a ? b : a; }
__device__ __forceinline__ float maxOf(float a, float b) { return a < b ? b : a; }

struct DeviceBox {
  float x1, y1, x2, y2, area;
};

template <typename T>
__device__ DeviceBox loadBox(const T* boxes, int64_t at, bool centerSizes) {
  const float a = F<T>::load(boxes[at]), b = F<T>::load(boxes[at + 1]), c = F<T>::load(boxes[at + 2]),
              d = F<T>::load(boxes[at + 3]);
  DeviceBox box;
  if (centerSizes) {
    box = {__fsub_rn(a, c / 2), __fsub_rn(b, d / 2), __fadd_rn(a, c / 2), __fadd_rn(b, d / 2), 0.f};
  } else {
    box = {minOf(a, c), minOf(b, d), maxOf(a, c), maxOf(b, d), 0.f};
  }
  box.area = __fmul_rn(__fsub_rn(box.x2, box.x1), __fsub_rn(box.y2, box.y1));
  return box;
}

__device__ float iouOf(const DeviceBox& p, const DeviceBox& q) {
  if (p.area <= 0 || q.area <= 0) return 0;
  const float w = __fsub_rn(minOf(p.x2, q.x2), maxOf(p.x1, q.x1));
  const float h = __fsub_rn(minOf(p.y2, q.y2), maxOf(p.y1, q.y1));
  if (w <= 0 || h <= 0) return 0;
  const float inter = __fmul_rn(w, h);
  return __fdiv_rn(inter, __fsub_rn(__fadd_rn(p.area, q.area), inter));
}

// Sort keys: the score for candidates (-0 made +0, as the CPU's comparison treats them equal),
// -inf for the rest, so that candidates come first in descending order. Values: n * C + c, the
// CPU's candidate order, which the stable sort keeps for equal scores.
template <typename T>
__global__ void nmsKeys(const T* scores, int64_t n, int64_t perItem, float scoreThreshold, float* keys, int32_t* values) {
  TRTN_GRID_LOOP(i, n) {
    const float s = F<T>::load(scores[i]);
    keys[i] = s > scoreThreshold ? s + 0.0f : -INFINITY;
    values[i] = static_cast<int32_t>(i % perItem);
  }
}

__global__ void nmsSegments(int32_t* segments, int64_t batch, int64_t perItem) {
  TRTN_GRID_LOOP(i, batch + 1) segments[i] = static_cast<int32_t>(i * perItem);
}

// One block per batch item: candidates in score order, each kept when its class has room and it
// overlaps no box kept for its class by more than the threshold.
template <typename T>
__global__ void nmsSelectKernel(NmsShape s, const T* boxes, const float* keys, const int32_t* values, int64_t perItem,
                                int64_t limit, int64_t maxPerClass, float iouThreshold, int32_t* counts,
                                float* candidateBoxes, int32_t* candidateClasses, uint8_t* selected, int32_t* slots) {
  const int64_t b = blockIdx.x;
  const float* itemKeys = keys + b * perItem;
  const int32_t* itemValues = values + b * perItem;
  float* cb = candidateBoxes + b * limit * 5;
  int32_t* cc = candidateClasses + b * limit;
  uint8_t* sel = selected + b * limit;
  int32_t* slot = slots + b * limit;
  int32_t* classCounts = counts + b * s.classes;
  __shared__ DeviceBox current;
  __shared__ int32_t currentClass;
  __shared__ int skip;
  for (int64_t i = 0; i < limit; ++i) {
    if (threadIdx.x == 0) {
      skip = 0;
      if (!(itemKeys[i] > -INFINITY)) {
        skip = 2;  // no candidates left
      } else {
        const int32_t v = itemValues[i];
        const int64_t n = v / s.classes, c = v % s.classes;
        currentClass = static_cast<int32_t>(c);
        const int64_t at = s.boxesPerClass ? ((b * s.boxes + n) * s.classes + c) * 4 : (b * s.boxes + n) * 4;
        current = loadBox(boxes, at, s.centerSizes);
        cc[i] = currentClass;
        cb[i * 5 + 0] = current.x1;
        cb[i * 5 + 1] = current.y1;
        cb[i * 5 + 2] = current.x2;
        cb[i * 5 + 3] = current.y2;
        cb[i * 5 + 4] = current.area;
        sel[i] = 0;
        if (classCounts[c] >= maxPerClass) skip = 1;
      }
    }
    __syncthreads();
    if (skip == 2) {
      for (int64_t j = i + threadIdx.x; j < limit; j += blockDim.x) sel[j] = 0;
      return;  // uniform across the block
    }
    int suppressed = 0;
    if (!skip) {
      for (int64_t j = threadIdx.x; j < i && !suppressed; j += blockDim.x) {
        if (!sel[j] || cc[j] != currentClass) continue;
        const DeviceBox other{cb[j * 5], cb[j * 5 + 1], cb[j * 5 + 2], cb[j * 5 + 3], cb[j * 5 + 4]};
        if (iouOf(current, other) > iouThreshold) suppressed = 1;
      }
    }
    suppressed = __syncthreads_or(suppressed);
    if (threadIdx.x == 0 && !skip && !suppressed) {
      sel[i] = 1;
      slot[i] = classCounts[currentClass]++;
    }
    __syncthreads();
  }
}

__global__ void nmsTotal(const int32_t* counts, const int64_t* offsets, int64_t pairs, int64_t* found, int32_t* numOutputBoxes) {
  if (blockIdx.x == 0 && threadIdx.x == 0) {
    const int64_t total = pairs > 0 ? offsets[pairs - 1] + counts[pairs - 1] : 0;
    *found = total;
    *numOutputBoxes = static_cast<int32_t>(total);
  }
}

template <typename I>
__global__ void nmsRows(NmsShape s, const float* keys, const int32_t* values, int64_t perItem, int64_t limit,
                        const int32_t* candidateClasses, const uint8_t* selected, const int32_t* slots,
                        const int64_t* offsets, I* out) {
  TRTN_GRID_LOOP(k, s.batch * limit) {
    if (!selected[k]) continue;
    const int64_t b = k / limit, i = k % limit;
    const int64_t c = candidateClasses[k];
    const int64_t n = values[b * perItem + i] / s.classes;
    const int64_t row = offsets[b * s.classes + c] + slots[k];
    out[row * 3 + 0] = static_cast<I>(b);
    out[row * 3 + 1] = static_cast<I>(c);
    out[row * 3 + 2] = static_cast<I>(n);
  }
}

}  // namespace

size_t nmsScratchBytes(const NmsShape& shape) { return nmsLayout(shape).total; }

void nmsSelect(const NmsShape& s, const void* boxes, const void* scores, DataType type, int64_t maxPerClass,
               float iouThreshold, float scoreThreshold, void* scratch, size_t scratchBytes, void* numOutputBoxes,
               cudaStream_t stream) {
  const NmsLayout l = nmsLayout(s);
  TRTN_CHECK(scratchBytes >= l.total, StatusCode::kInternal, "NMS: scratch of ", scratchBytes, " bytes, ", l.total, " needed");
  auto* base = static_cast<uint8_t*>(scratch);
  auto* found = reinterpret_cast<int64_t*>(base + l.found);
  const int64_t scoresCount = s.batch * l.perItem;
  const int64_t pairs = s.batch * s.classes;
  if (scoresCount == 0 || l.candidates == 0) {
    check(cudaMemsetAsync(found, 0, sizeof(int64_t), stream), "cudaMemsetAsync");
    if (numOutputBoxes) check(cudaMemsetAsync(numOutputBoxes, 0, sizeof(int32_t), stream), "cudaMemsetAsync");
    check(cudaMemsetAsync(base + l.selected, 0, static_cast<size_t>(std::max<int64_t>(s.batch * l.candidates, 1)), stream),
          "cudaMemsetAsync");
    return;
  }
  auto* keysIn = reinterpret_cast<float*>(base + l.keysIn);
  auto* keysOut = reinterpret_cast<float*>(base + l.keysOut);
  auto* valuesIn = reinterpret_cast<int32_t*>(base + l.valuesIn);
  auto* valuesOut = reinterpret_cast<int32_t*>(base + l.valuesOut);
  auto* segments = reinterpret_cast<int32_t*>(base + l.segments);
  auto* counts = reinterpret_cast<int32_t*>(base + l.counts);
  auto* offsets = reinterpret_cast<int64_t*>(base + l.offsets);
  dispatchFloat(type, "NMS boxes", [&](auto tag) {
    using T = decltype(tag);
    nmsKeys<<<blocksFor(scoresCount), kThreads, 0, stream>>>(static_cast<const T*>(scores), scoresCount, l.perItem,
                                                            scoreThreshold, keysIn, valuesIn);
  });
  checkLaunch("NMS (keys)");
  nmsSegments<<<blocksFor(s.batch + 1), kThreads, 0, stream>>>(segments, s.batch, l.perItem);
  checkLaunch("NMS (segments)");
  size_t sortBytes = l.sortTempBytes;
  check(cub::DeviceSegmentedSort::StableSortPairsDescending(base + l.sortTemp, sortBytes, keysIn, keysOut, valuesIn,
                                                             valuesOut, static_cast<int>(scoresCount),
                                                             static_cast<int>(s.batch), segments, segments + 1, stream),
        "cub::DeviceSegmentedSort::StableSortPairsDescending");
  check(cudaMemsetAsync(counts, 0, static_cast<size_t>(pairs) * sizeof(int32_t), stream), "cudaMemsetAsync");
  dispatchFloat(type, "NMS boxes", [&](auto tag) {
    using T = decltype(tag);
    nmsSelectKernel<<<static_cast<unsigned>(s.batch), kThreads, 0, stream>>>(
        s, static_cast<const T*>(boxes), keysOut, valuesOut, l.perItem, l.candidates, maxPerClass, iouThreshold, counts,
        reinterpret_cast<float*>(base + l.candidateBoxes), reinterpret_cast<int32_t*>(base + l.candidateClasses),
        base + l.selected, reinterpret_cast<int32_t*>(base + l.slots));
  });
  checkLaunch("NMS (select)");
  size_t scanBytes = l.scanTempBytes;
  check(cub::DeviceScan::ExclusiveSum(base + l.scanTemp, scanBytes, counts, offsets, static_cast<int>(pairs), stream),
        "cub::DeviceScan::ExclusiveSum");
  nmsTotal<<<1, 1, 0, stream>>>(counts, offsets, pairs, found, static_cast<int32_t*>(numOutputBoxes));
  checkLaunch("NMS (total)");
}

const int64_t* nmsFound(const void* scratch, const NmsShape& shape) {
  return reinterpret_cast<const int64_t*>(static_cast<const uint8_t*>(scratch) + nmsLayout(shape).found);
}

void nmsWrite(const NmsShape& s, const void* scratch, void* out, DataType indexType, cudaStream_t stream) {
  const NmsLayout l = nmsLayout(s);
  const int64_t n = s.batch * l.candidates;
  if (n == 0 || !out) return;
  const auto* base = static_cast<const uint8_t*>(scratch);
  auto launch = [&](auto* typed) {
    nmsRows<<<blocksFor(n), kThreads, 0, stream>>>(
        s, reinterpret_cast<const float*>(base + l.keysOut), reinterpret_cast<const int32_t*>(base + l.valuesOut),
        l.perItem, l.candidates, reinterpret_cast<const int32_t*>(base + l.candidateClasses), base + l.selected,
        reinterpret_cast<const int32_t*>(base + l.slots), reinterpret_cast<const int64_t*>(base + l.offsets), typed);
  };
  if (indexType == DataType::kINT32) launch(static_cast<int32_t*>(out));
  else launch(static_cast<int64_t*>(out));
  checkLaunch("NMS (rows)");
}

}  // namespace trtn::cuda::kernels
