// MATRIX_MULTIPLY through cuBLASLt. Row-major Y = op(A)·op(B) is computed as the column-major
// Yᵀ = op(B)ᵀ·op(A)ᵀ (cuda-libs-api.md 1.5): B's buffer is the library's "A", A's its "B", and no
// data moves. FP32 uses CUBLAS_COMPUTE_32F (no TF32), FP16/BF16 accumulate in FP32. The builder's
// fused bias (one value per output column) and RELU / GELU_TANH run in the cuBLASLt epilogue;
// other activations and a scalar bias run in one kernel after the product.
#include <algorithm>
#include <cstring>
#include <tuple>

#include "CudaIntegerGemm.h"
#include "CudaLibraries.h"
#include "CudaLtMatmul.h"
#include "CudaOpsCommon.h"

namespace trtn::cuda {

namespace {

using namespace lt;

enum Epilogue : uint32_t { kDefault = 1, kRelu = 2, kBias = 4, kReluBias = 6, kGelu = 32, kGeluBias = 36 };
enum MatrixOp : int64_t { kNone = 0, kTranspose = 1, kVector = 2 };
constexpr size_t kWorkspaceBytes = 8u << 20;

int cudaTypeOf(DataType t) {
  switch (t) {
    case DataType::kFLOAT: return CUDA_R_32F;
    case DataType::kHALF: return CUDA_R_16F;
    default: return CUDA_R_16BF;
  }
}

struct Key {
  int64_t m, n, k, batch, strideA, strideB;
  uint32_t epilogue, align;
  size_t workspace;
  bool operator<(const Key& o) const {
    return std::tie(m, n, k, batch, strideA, strideB, epilogue, align, workspace) <
           std::tie(o.m, o.n, o.k, o.batch, o.strideA, o.strideB, o.epilogue, o.align, o.workspace);
  }
};

class GemmKernel : public CudaKernel {
 public:
  explicit GemmKernel(const Node& n)
      : name_(n.name),
        opA_(n.getInt("op0", kNone)),
        opB_(n.getInt("op1", kNone)),
        act_(static_cast<int>(n.getInt("fusedActivation", -1))),
        alpha_(static_cast<float>(n.getFloat("fusedAlpha", 0.0))),
        beta_(static_cast<float>(n.getFloat("fusedBeta", 0.0))) {}

  size_t workspaceBytes(const std::vector<Dims>&, const std::vector<Dims>&) const override { return kWorkspaceBytes; }

  void run(CudaKernelIO& io) override {
    const TensorRef& a = io.in[0];
    const TensorRef& b = io.in[1];
    const TensorRef* bias = io.in.size() > 2 && io.in[2].data ? &io.in[2] : nullptr;
    const TensorRef& y = io.out[0];
    cudaStream_t stream = streamOf(io);
    if (y.count() <= 0) return;
    // Matrix dims of op(A) [M,K] and op(B) [K,N], and the batch dims.
    const size_t ra = a.dims.size(), rb = b.dims.size();
    const size_t ma = opA_ == kVector ? 1 : 2, mb = opB_ == kVector ? 1 : 2;
    const int64_t M = opA_ == kVector ? 1 : opA_ == kNone ? a.dims[ra - 2] : a.dims[ra - 1];
    const int64_t K = opA_ == kTranspose ? a.dims[ra - 2] : a.dims[ra - 1];
    const int64_t N = opB_ == kVector ? 1 : opB_ == kNone ? b.dims[rb - 1] : b.dims[rb - 2];
    Dims batchA(a.dims.begin(), a.dims.end() - static_cast<std::ptrdiff_t>(ma));
    Dims batchB(b.dims.begin(), b.dims.end() - static_cast<std::ptrdiff_t>(mb));
    Dims batch(batchA.size());
    for (size_t i = 0; i < batch.size(); ++i) batch[i] = std::max(batchA[i], batchB[i]);
    const int64_t batches = volume(batch);
    const int64_t biasLen = bias ? bias->count() : 0;
    const bool fuseBias = bias && biasLen == N;
    const size_t elem = dataTypeSize(y.type);

    if (K == 0) {
      check(cudaMemsetAsync(y.data, 0, static_cast<size_t>(y.count()) * elem, stream), "cudaMemsetAsync");
      epilogue(io, bias, N, true);
      return;
    }
    uint32_t epi = kDefault;
    if (fuseBias) epi = act_ == 0 ? kReluBias : act_ == 13 ? kGeluBias : kBias;
    const bool actFused = fuseBias && (act_ == 0 || act_ == 13);

    // One strided-batched call when each operand is either whole per batch or shared by all.
    const int64_t volA = volume(batchA), volB = volume(batchB);
    const bool uniformA = batchA == batch || volA == 1, uniformB = batchB == batch || volB == 1;
    const int64_t matA = M * K, matB = K * N, matY = M * N;
    if (uniformA && uniformB) {
      launch(io, a.data, b.data, y.data, M, N, K, batches, volA == 1 ? 0 : matA, volB == 1 ? 0 : matB, matY,
             fuseBias ? bias->data : nullptr, epi, stream);
    } else {
      // Broadcast batch dims: one call per output matrix.
      std::vector<int64_t> sa(batch.size()), sb(batch.size());
      int64_t ca = matA, cb = matB;
      for (size_t i = batch.size(); i-- > 0;) {
        sa[i] = batchA[i] == 1 ? 0 : ca;
        sb[i] = batchB[i] == 1 ? 0 : cb;
        ca *= batchA[i];
        cb *= batchB[i];
      }
      for (int64_t bi = 0; bi < batches; ++bi) {
        int64_t rest = bi, offA = 0, offB = 0;
        for (size_t i = batch.size(); i-- > 0;) {
          int64_t c = rest % batch[i];
          rest /= batch[i];
          offA += c * sa[i];
          offB += c * sb[i];
        }
        launch(io, static_cast<const uint8_t*>(a.data) + offA * elem, static_cast<const uint8_t*>(b.data) + offB * elem,
               static_cast<uint8_t*>(y.data) + bi * matY * elem, M, N, K, 1, 0, 0, 0, fuseBias ? bias->data : nullptr, epi,
               stream);
      }
    }
    if (!actFused || (bias && !fuseBias)) epilogue(io, fuseBias ? nullptr : bias, N, !actFused);
  }

  const char* implementation() const override { return "cublasLt"; }

 private:
  // Bias (when not fused) and activation (when not fused) in one pass over Y.
  void epilogue(CudaKernelIO& io, const TensorRef* bias, int64_t, bool withActivation) {
    const TensorRef& y = io.out[0];
    const int act = withActivation ? act_ : -1;
    if (!bias && act < 0) return;
    kernels::biasActivation(y.data, y.data, y.count(), y.type, bias ? bias->data : nullptr, bias ? bias->count() : 1, 1, act,
                            alpha_, beta_, streamOf(io));
  }

  void launch(CudaKernelIO& io, const void* A, const void* B, void* Y, int64_t M, int64_t N, int64_t K, int64_t batches,
              int64_t strideA, int64_t strideB, int64_t strideY, const void* bias, uint32_t epi, cudaStream_t stream) {
    const TensorRef& y = io.out[0];
    const int type = cudaTypeOf(y.type);
    const size_t elem = dataTypeSize(y.type);
    const size_t workspace = io.workspace ? io.workspaceBytes : 0;
    const uint32_t align = alignmentOf({reinterpret_cast<uintptr_t>(A), reinterpret_cast<uintptr_t>(B),
                                        reinterpret_cast<uintptr_t>(Y), reinterpret_cast<uintptr_t>(bias),
                                        static_cast<uint64_t>(strideA * elem), static_cast<uint64_t>(strideB * elem),
                                        static_cast<uint64_t>(strideY * elem)});
    Call o;
    const CublasLt& api = o.api;
    // Library A = op(B)ᵀ as stored: row-major B [K,N] is column-major N×K (OP_N); B [N,K] (TRANSPOSE)
    // is column-major K×N (OP_T). Library B likewise from A.
    const int32_t transA = opB_ == kTranspose ? OP_T : OP_N, transB = opA_ == kTranspose ? OP_T : OP_N;
    o.createOp(transA, transB);
    checkCublas(api.descSet(o.op, kEpilogue, &epi, sizeof epi), "cublasLtMatmulDescSetAttribute(EPILOGUE)");
    if (bias) checkCublas(api.descSet(o.op, kBiasPointer, &bias, sizeof bias), "cublasLtMatmulDescSetAttribute(BIAS_POINTER)");
    const uint64_t rowsA = transA == OP_N ? N : K, colsA = transA == OP_N ? K : N;
    const uint64_t rowsB = transB == OP_N ? K : M, colsB = transB == OP_N ? M : K;
    checkCublas(api.layoutCreate(&o.layouts[0], type, rowsA, colsA, static_cast<int64_t>(std::max<uint64_t>(rowsA, 1))),
                "cublasLtMatrixLayoutCreate(A)");
    checkCublas(api.layoutCreate(&o.layouts[1], type, rowsB, colsB, static_cast<int64_t>(std::max<uint64_t>(rowsB, 1))),
                "cublasLtMatrixLayoutCreate(B)");
    checkCublas(api.layoutCreate(&o.layouts[2], type, N, M, N), "cublasLtMatrixLayoutCreate(D)");
    if (batches > 1) o.setBatches(static_cast<int32_t>(batches), {strideB, strideA, strideY});
    const Key key{M, N, K, batches, strideA, strideB, epi, align, workspace};
    const LtHeuristic chosen = cache_.get(key, [&] {
      return o.firstAlgorithm(io.libs->cublasLt(), workspace, align, "layer '", name_,
                              "' (MATRIX_MULTIPLY): cuBLASLt has no algorithm for ", M, "x", K, " by ", K, "x", N, " (",
                              batches, " batches, ", dataTypeName(y.type), ")");
    });
    o.matmul(io.libs->cublasLt(), B, A, Y, chosen.algo, io.workspace, chosen.workspaceSize, stream);
  }

  std::string name_;
  int64_t opA_, opB_;
  int act_;
  float alpha_, beta_;
  AlgorithmCache<Key> cache_;
};

}  // namespace

std::unique_ptr<CudaKernel> makeMatrixMultiply(const Node& n, const std::vector<DataType>& in,
                                               const std::vector<DataType>& out) {
  if (in[0] == DataType::kINT32) return makeIntegerMatrixMultiply(n, in, out);
  requireFloat(n, in[0]);
  if (n.input(1) < 0) unsupported(n, "a right operand given only as constantB");
  if (in.size() > 1 && in[1] != in[0]) unsupported(n, "operands of different types");
  return std::make_unique<GemmKernel>(n);
}

}  // namespace trtn::cuda
