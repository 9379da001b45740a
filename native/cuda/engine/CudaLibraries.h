// cuBLASLt 13 and cuDNN 9, loaded at run time (dlopen) on first use, with only the C functions
// the CUDA backend calls declared here (from ../shared/reference/cuda-libs-api.md), and the
// per-context handles kernels run with.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "../../engine/Ops.h"

namespace trtn::cuda {

// ---- cuBLASLt ----
struct LtAlgo {
  uint64_t data[8];
};
struct LtHeuristic {
  LtAlgo algo;
  size_t workspaceSize;
  int32_t state;
  float wavesCount;
  int32_t reserved[4];
};
static_assert(sizeof(LtHeuristic) == 96, "cublasLtMatmulHeuristicResult_t is 96 bytes");

struct CublasLt {
  int (*create)(void** handle);
  int (*destroy)(void* handle);
  size_t (*getVersion)();
  const char* (*statusString)(int status);
  int (*descCreate)(void** desc, int computeType, int scaleType);
  int (*descDestroy)(void* desc);
  int (*descSet)(void* desc, int attr, const void* buf, size_t bytes);
  int (*layoutCreate)(void** layout, int type, uint64_t rows, uint64_t cols, int64_t ld);
  int (*layoutDestroy)(void* layout);
  int (*layoutSet)(void* layout, int attr, const void* buf, size_t bytes);
  int (*prefCreate)(void** pref);
  int (*prefDestroy)(void* pref);
  int (*prefSet)(void* pref, int attr, const void* buf, size_t bytes);
  int (*heuristic)(void* handle, void* op, void* a, void* b, void* c, void* d, void* pref, int requested,
                   LtHeuristic* results, int* count);
  int (*matmul)(void* handle, void* op, const void* alpha, const void* A, void* Adesc, const void* B, void* Bdesc,
                const void* beta, const void* C, void* Cdesc, void* D, void* Ddesc, const LtAlgo* algo, void* workspace,
                size_t workspaceBytes, cudaStream_t stream);
};
// Loads libcublasLt.so.13 once (throws EngineError CUDA_UNAVAILABLE naming the library and what
// the search found).
const CublasLt& cublasLt();
// Throws CUDA_ERROR naming `call` unless status is 0.
void checkCublas(int status, const char* call);

// ---- cuDNN (legacy convolution API) ----
struct CudnnConvPerf {
  int32_t algo;
  int32_t status;
  float time;
  size_t memory;
  int32_t determinism;
  int32_t mathType;
  int32_t reserved[3];
};
static_assert(sizeof(CudnnConvPerf) == 48, "cudnnConvolutionFwdAlgoPerf_t is 48 bytes");

struct Cudnn {
  int (*create)(void** handle);
  int (*destroy)(void* handle);
  int (*setStream)(void* handle, cudaStream_t stream);
  size_t (*getVersion)();
  const char* (*errorString)(int status);
  int (*createTensor)(void** desc);
  int (*destroyTensor)(void* desc);
  int (*setTensorNd)(void* desc, int dataType, int nbDims, const int* dims, const int* strides);
  int (*createFilter)(void** desc);
  int (*destroyFilter)(void* desc);
  int (*setFilterNd)(void* desc, int dataType, int format, int nbDims, const int* dims);
  int (*createConv)(void** desc);
  int (*destroyConv)(void* desc);
  int (*setConvNd)(void* desc, int arrayLength, const int* pad, const int* stride, const int* dilation, int mode,
                   int computeType);
  int (*setGroupCount)(void* desc, int groups);
  int (*setMathType)(void* desc, int mathType);
  int (*getAlgorithmV7)(void* handle, void* x, void* w, void* conv, void* y, int requested, int* returned,
                        CudnnConvPerf* results);
  int (*getWorkspaceSize)(void* handle, void* x, void* w, void* conv, void* y, int algo, size_t* bytes);
  int (*forward)(void* handle, const void* alpha, void* xDesc, const void* x, void* wDesc, const void* w, void* conv,
                 int algo, void* workspace, size_t workspaceBytes, const void* beta, void* yDesc, void* y);
  // y = act(alpha1 * conv(x) + alpha2 * z + bias)
  int (*forwardBiasActivation)(void* handle, const void* alpha1, void* xDesc, const void* x, void* wDesc, const void* w,
                               void* conv, int algo, void* workspace, size_t workspaceBytes, const void* alpha2,
                               void* zDesc, const void* z, void* biasDesc, const void* bias, void* activationDesc,
                               void* yDesc, void* y);
  int (*createActivation)(void** desc);
  int (*destroyActivation)(void* desc);
  int (*setActivation)(void* desc, int mode, int nanPropagation, double coef);
};
// Loads libcudnn.so.9 once (throws EngineError CUDA_UNAVAILABLE naming the library).
const Cudnn& cudnn();
void checkCudnn(int status, const char* call);

// A process-wide cuDNN handle for queries made outside a run (workspace sizes at build time),
// used under the returned lock.
void* cudnnQueryHandle(std::unique_lock<std::mutex>& lock);

}  // namespace trtn::cuda

namespace trtn {

// Per-context library handles (Ops.h), created on first use on the context's device and
// destroyed with the context, after the work that uses them has finished.
struct CudaLibraries {
  explicit CudaLibraries(int device) : device(device) {}
  ~CudaLibraries();
  CudaLibraries(const CudaLibraries&) = delete;
  CudaLibraries& operator=(const CudaLibraries&) = delete;
  void* cublasLt();                   // cublasLtHandle_t
  void* cudnn(cudaStream_t stream);   // cudnnHandle_t, bound to `stream`

  int device;
  void* lt = nullptr;
  void* dnn = nullptr;

  // The context's runs replayed as one CUDA graph (CudaEngine.cpp, enqueueRun): captured on the
  // second run with the same key (engine, plan, addresses, shapes), launched while it matches.
  cudaGraphExec_t graph = nullptr;
  std::vector<int64_t> graphKey;    // what `graph` was captured for
  std::vector<int64_t> pendingKey;  // the last run's key, not yet captured
  bool graphRefused = false;        // a capture failed: this context launches layer by layer
};

}  // namespace trtn
