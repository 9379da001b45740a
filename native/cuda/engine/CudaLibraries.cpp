#include "CudaLibraries.h"

#include <dlfcn.h>

#include <string>
#include <vector>

#include "../CudaRuntime.h"

namespace trtn::cuda {

namespace {

// dlopen by soname (LD_LIBRARY_PATH, RUNPATH, the loader cache), then the usual folders.
void* openLibrary(const char* what, const char* soname, const std::vector<std::string>& folders) {
  std::string tried;
  if (void* h = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) return h;
  tried = std::string(soname) + ": " + dlerror();
  for (const std::string& folder : folders) {
    std::string path = folder + "/" + soname;
    if (void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) return h;
    tried += "; " + path + ": " + dlerror();
  }
  fail(StatusCode::kCudaUnavailable, what, " (", soname, ") could not be loaded, which the cuda backend needs (",
       tried, "); install it and add its folder to LD_LIBRARY_PATH");
}

template <typename Fn>
void bind(void* lib, const char* libName, Fn& fn, const char* symbol) {
  void* p = dlsym(lib, symbol);
  if (!p) fail(StatusCode::kCudaUnavailable, libName, " has no symbol ", symbol, " (an unexpected version?)");
  fn = reinterpret_cast<Fn>(p);
}

}  // namespace

const CublasLt& cublasLt() {
  // Loaded once and never unloaded (kernels may run while statics are destroyed at exit).
  static std::once_flag once;
  static CublasLt* api = nullptr;
  static std::string error;
  std::call_once(once, [] {
    Status s = captureStatus([] {
      void* lib = openLibrary("cuBLASLt", "libcublasLt.so.13", {"/usr/local/cuda/lib64", "/usr/local/cuda-13.0/lib64"});
      auto* a = new CublasLt();
      const char* n = "libcublasLt.so.13";
      bind(lib, n, a->create, "cublasLtCreate");
      bind(lib, n, a->destroy, "cublasLtDestroy");
      bind(lib, n, a->getVersion, "cublasLtGetVersion");
      bind(lib, n, a->statusString, "cublasLtGetStatusString");
      bind(lib, n, a->descCreate, "cublasLtMatmulDescCreate");
      bind(lib, n, a->descDestroy, "cublasLtMatmulDescDestroy");
      bind(lib, n, a->descSet, "cublasLtMatmulDescSetAttribute");
      bind(lib, n, a->layoutCreate, "cublasLtMatrixLayoutCreate");
      bind(lib, n, a->layoutDestroy, "cublasLtMatrixLayoutDestroy");
      bind(lib, n, a->layoutSet, "cublasLtMatrixLayoutSetAttribute");
      bind(lib, n, a->prefCreate, "cublasLtMatmulPreferenceCreate");
      bind(lib, n, a->prefDestroy, "cublasLtMatmulPreferenceDestroy");
      bind(lib, n, a->prefSet, "cublasLtMatmulPreferenceSetAttribute");
      bind(lib, n, a->heuristic, "cublasLtMatmulAlgoGetHeuristic");
      bind(lib, n, a->matmul, "cublasLtMatmul");
      size_t v = a->getVersion();
      if (v / 10000 != 13)
        fail(StatusCode::kCudaUnavailable, "libcublasLt.so.13 reports version ", v, "; the cuda backend needs cuBLASLt 13");
      api = a;
    });
    if (!s.ok()) error = s.message;
  });
  if (!api) fail(StatusCode::kCudaUnavailable, error);
  return *api;
}

void checkCublas(int status, const char* call) {
  if (status != 0) fail(StatusCode::kCudaError, call, " failed: ", cublasLt().statusString(status), " (", status, ")");
}

const Cudnn& cudnn() {
  static std::once_flag once;
  static Cudnn* api = nullptr;
  static std::string error;
  std::call_once(once, [] {
    Status s = captureStatus([] {
      void* lib = openLibrary("cuDNN", "libcudnn.so.9",
                              {"/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib", "/usr/lib/x86_64-linux-gnu"});
      auto* a = new Cudnn();
      const char* n = "libcudnn.so.9";
      bind(lib, n, a->create, "cudnnCreate");
      bind(lib, n, a->destroy, "cudnnDestroy");
      bind(lib, n, a->setStream, "cudnnSetStream");
      bind(lib, n, a->getVersion, "cudnnGetVersion");
      bind(lib, n, a->errorString, "cudnnGetErrorString");
      bind(lib, n, a->createTensor, "cudnnCreateTensorDescriptor");
      bind(lib, n, a->destroyTensor, "cudnnDestroyTensorDescriptor");
      bind(lib, n, a->setTensorNd, "cudnnSetTensorNdDescriptor");
      bind(lib, n, a->createFilter, "cudnnCreateFilterDescriptor");
      bind(lib, n, a->destroyFilter, "cudnnDestroyFilterDescriptor");
      bind(lib, n, a->setFilterNd, "cudnnSetFilterNdDescriptor");
      bind(lib, n, a->createConv, "cudnnCreateConvolutionDescriptor");
      bind(lib, n, a->destroyConv, "cudnnDestroyConvolutionDescriptor");
      bind(lib, n, a->setConvNd, "cudnnSetConvolutionNdDescriptor");
      bind(lib, n, a->setGroupCount, "cudnnSetConvolutionGroupCount");
      bind(lib, n, a->setMathType, "cudnnSetConvolutionMathType");
      bind(lib, n, a->getAlgorithmV7, "cudnnGetConvolutionForwardAlgorithm_v7");
      bind(lib, n, a->getWorkspaceSize, "cudnnGetConvolutionForwardWorkspaceSize");
      bind(lib, n, a->forward, "cudnnConvolutionForward");
      bind(lib, n, a->forwardBiasActivation, "cudnnConvolutionBiasActivationForward");
      bind(lib, n, a->createActivation, "cudnnCreateActivationDescriptor");
      bind(lib, n, a->destroyActivation, "cudnnDestroyActivationDescriptor");
      bind(lib, n, a->setActivation, "cudnnSetActivationDescriptor");
      size_t v = a->getVersion();
      if (v / 10000 != 9) fail(StatusCode::kCudaUnavailable, "libcudnn.so.9 reports version ", v, "; the cuda backend needs cuDNN 9");
      api = a;
    });
    if (!s.ok()) error = s.message;
  });
  if (!api) fail(StatusCode::kCudaUnavailable, error);
  return *api;
}

void checkCudnn(int status, const char* call) {
  if (status != 0) fail(StatusCode::kCudaError, call, " failed: ", cudnn().errorString(status), " (", status, ")");
}

void* cudnnQueryHandle(std::unique_lock<std::mutex>& lock) {
  static std::mutex mutex;
  static void* handle = nullptr;  // never destroyed: used until exit
  lock = std::unique_lock<std::mutex>(mutex);
  if (!handle) checkCudnn(cudnn().create(&handle), "cudnnCreate");
  return handle;
}

}  // namespace trtn::cuda

namespace trtn {

CudaLibraries::~CudaLibraries() {
  // Errors ignored: this may run at exit after the runtime has unloaded.
  if (graph) cudaGraphExecDestroy(graph);
  if (lt) cuda::cublasLt().destroy(lt);
  if (dnn) cuda::cudnn().destroy(dnn);
}

void* CudaLibraries::cublasLt() {
  if (!lt) cuda::checkCublas(cuda::cublasLt().create(&lt), "cublasLtCreate");
  return lt;
}

void* CudaLibraries::cudnn(cudaStream_t stream) {
  if (!dnn) {
    cuda::DeviceGuard guard(device);
    cuda::checkCudnn(cuda::cudnn().create(&dnn), "cudnnCreate");
  }
  cuda::checkCudnn(cuda::cudnn().setStream(dnn, stream), "cudnnSetStream");
  return dnn;
}

}  // namespace trtn
