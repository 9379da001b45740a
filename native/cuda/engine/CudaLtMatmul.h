// One cuBLASLt matmul call as the cuda backend's kernels make it (MATRIX_MULTIPLY, the
// DECONVOLUTION's column GEMM): enum values of cublasLt.h (cuda-libs-api.md), the per-call
// descriptors with RAII, the heuristic's first algorithm, and the launch with alpha 1, beta 0.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <mutex>

#include "../../engine/Status.h"
#include "CudaLibraries.h"

namespace trtn::cuda::lt {

constexpr int CUDA_R_32F = 0, CUDA_R_16F = 2, CUDA_R_16BF = 14;
constexpr int CUBLAS_COMPUTE_32F = 68;
constexpr int32_t OP_N = 0, OP_T = 1;
enum DescAttr : int { kTransA = 3, kTransB = 4, kEpilogue = 7, kBiasPointer = 8 };
enum LayoutAttr : int { kBatchCount = 5, kBatchStride = 6 };
enum PrefAttr : int { kMaxWorkspace = 1, kAlignA = 5, kAlignB = 6, kAlignC = 7, kAlignD = 8 };

// Largest power of two up to 256 dividing every value.
inline uint32_t alignmentOf(std::initializer_list<uint64_t> values) {
  uint32_t a = 256;
  for (uint64_t v : values)
    while (a > 1 && v % a != 0) a >>= 1;
  return a;
}

// The descriptors of one call: layouts[0] the library's A, [1] its B, [2] C and D (one buffer).
struct Call {
  const CublasLt& api = cublasLt();
  void* op = nullptr;
  void* layouts[3] = {nullptr, nullptr, nullptr};
  void* pref = nullptr;
  Call() = default;
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  ~Call() {
    if (op) api.descDestroy(op);
    for (void* l : layouts)
      if (l) api.layoutDestroy(l);
    if (pref) api.prefDestroy(pref);
  }

  // An FP32-accumulating matmul (no TF32) with the given transposes of the library's A and B.
  void createOp(int32_t transA, int32_t transB) {
    checkCublas(api.descCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate");
    checkCublas(api.descSet(op, kTransA, &transA, sizeof transA), "cublasLtMatmulDescSetAttribute(TRANSA)");
    checkCublas(api.descSet(op, kTransB, &transB, sizeof transB), "cublasLtMatmulDescSetAttribute(TRANSB)");
  }

  // `count` strided batches: layouts[i]'s matrices `strides[i]` elements apart.
  void setBatches(int32_t count, const int64_t (&strides)[3]) {
    for (int i = 0; i < 3; ++i) {
      checkCublas(api.layoutSet(layouts[i], kBatchCount, &count, sizeof count), "cublasLtMatrixLayoutSetAttribute(BATCH_COUNT)");
      checkCublas(api.layoutSet(layouts[i], kBatchStride, &strides[i], sizeof strides[i]),
                  "cublasLtMatrixLayoutSetAttribute(STRIDED_BATCH_OFFSET)");
    }
  }

  // The heuristic's first algorithm within `workspaceBytes` for operands aligned to `align` bytes;
  // fails UNSUPPORTED with `problem...` (the layer and the product it could not run) otherwise.
  template <typename... Problem>
  LtHeuristic firstAlgorithm(void* handle, size_t workspaceBytes, uint32_t align, const Problem&... problem) {
    checkCublas(api.prefCreate(&pref), "cublasLtMatmulPreferenceCreate");
    const uint64_t limit = workspaceBytes;
    checkCublas(api.prefSet(pref, kMaxWorkspace, &limit, sizeof limit), "cublasLtMatmulPreferenceSetAttribute");
    for (int attr : {kAlignA, kAlignB, kAlignC, kAlignD})
      checkCublas(api.prefSet(pref, attr, &align, sizeof align), "cublasLtMatmulPreferenceSetAttribute(alignment)");
    LtHeuristic result{};
    int found = 0;
    const int st = api.heuristic(handle, op, layouts[0], layouts[1], layouts[2], layouts[2], pref, 1, &result, &found);
    if (st != 0 || found == 0 || result.state != 0)
      fail(StatusCode::kUnsupported, problem..., ": ", st != 0 ? api.statusString(st) : "no heuristic result");
    return result;
  }

  // D = A·B (alpha 1, beta 0; C is D) on `stream`, with `workspaceBytes` of `workspace` (unused when 0).
  void matmul(void* handle, const void* A, const void* B, void* D, const LtAlgo& algo, void* workspace,
              size_t workspaceBytes, cudaStream_t stream) {
    const float one = 1.f, zero = 0.f;
    checkCublas(api.matmul(handle, op, &one, A, layouts[0], B, layouts[1], &zero, D, layouts[2], D, layouts[2], &algo,
                           workspaceBytes ? workspace : nullptr, workspaceBytes, stream),
                "cublasLtMatmul");
  }
};

// A kernel's heuristic choices per problem `Key` (ordered by <): found once, then reused by every
// run, from any context.
template <typename Key>
class AlgorithmCache {
 public:
  // The choice for `key`, from choose() (called under the lock) the first time.
  template <typename Choose>
  LtHeuristic get(const Key& key, Choose&& choose) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, choose()).first;
    return it->second;
  }

 private:
  std::mutex mutex_;
  std::map<Key, LtHeuristic> cache_;
};

}  // namespace trtn::cuda::lt
