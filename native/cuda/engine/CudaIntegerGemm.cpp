// MATRIX_MULTIPLY with INT32 operands on the cuda backend: the CPU backend's semantics (products
// and sums wrap around as two's-complement int32, an optional bias input added the same way),
// with NONE/TRANSPOSE/VECTOR operands and broadcast batch dims read in place through strides.
#include "CudaIntegerGemm.h"

#include <algorithm>
#include <string>

#include "CudaOpsCommon.h"

namespace trtn::cuda {

namespace {

enum MatrixOp : int64_t { kNone = 0, kTranspose = 1, kVector = 2 };

class IntegerGemmKernel : public CudaKernel {
 public:
  explicit IntegerGemmKernel(const Node& n)
      : name_(n.name), opA_(n.getInt("op0", kNone)), opB_(n.getInt("op1", kNone)) {}

  void run(CudaKernelIO& io) override {
    const TensorRef& a = io.in[0];
    const TensorRef& b = io.in[1];
    const TensorRef* bias = io.in.size() > 2 && io.in[2].data ? &io.in[2] : nullptr;
    const TensorRef& y = io.out[0];
    if (y.count() <= 0) return;
    const size_t ra = a.dims.size(), rb = b.dims.size();
    const size_t ma = opA_ == kVector ? 1 : 2, mb = opB_ == kVector ? 1 : 2;
    kernels::IntegerGemmShape s;
    s.M = opA_ == kVector ? 1 : opA_ == kNone ? a.dims[ra - 2] : a.dims[ra - 1];
    s.K = opA_ == kTranspose ? a.dims[ra - 2] : a.dims[ra - 1];
    s.N = opB_ == kVector ? 1 : opB_ == kNone ? b.dims[rb - 1] : b.dims[rb - 2];
    const int64_t kb = opB_ == kTranspose ? b.dims[rb - 1] : opB_ == kVector ? b.dims[rb - 1] : b.dims[rb - 2];
    if (kb != s.K) error("inner dimensions differ (" + std::to_string(s.K) + " vs " + std::to_string(kb) + ")");
    // A(m,k) and B(k,n) inside one matrix (a VECTOR operand is a single row / column).
    s.aRow = opA_ == kTranspose ? 1 : s.K;
    s.aCol = opA_ == kTranspose ? s.M : 1;
    s.bRow = opB_ == kNone ? s.N : 1;
    s.bCol = opB_ == kTranspose ? s.K : opB_ == kNone ? 1 : 0;
    const Dims batchA(a.dims.begin(), a.dims.end() - static_cast<std::ptrdiff_t>(ma));
    const Dims batchB(b.dims.begin(), b.dims.end() - static_cast<std::ptrdiff_t>(mb));
    if (batchA.size() != batchB.size() || batchA.size() > static_cast<size_t>(kernels::kMaxDims))
      error("operand batch ranks do not match or exceed " + std::to_string(kernels::kMaxDims));
    const int rank = static_cast<int>(batchA.size());
    s.aBatch.rank = s.bBatch.rank = rank;
    int64_t strideA = s.M * s.K, strideB = s.K * s.N;
    s.batches = 1;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t out = std::max(batchA[d], batchB[d]);
      s.aBatch.dims[d] = s.bBatch.dims[d] = out;
      s.aBatch.stride[d] = batchA[d] == 1 ? 0 : strideA;
      s.bBatch.stride[d] = batchB[d] == 1 ? 0 : strideB;
      strideA *= batchA[d];
      strideB *= batchB[d];
      s.batches *= out;
    }
    const int64_t lastDim = y.dims.empty() ? 1 : y.dims.back();
    if (bias && bias->count() != 1 && bias->count() != lastDim)
      error("bias has " + std::to_string(bias->count()) + " values; expected 1 or " + std::to_string(lastDim));
    kernels::integerGemm(a.as<const int32_t>(), b.as<const int32_t>(), bias ? bias->as<const int32_t>() : nullptr,
                         bias ? bias->count() : 0, lastDim, y.as<int32_t>(), s, streamOf(io));
  }

  const char* implementation() const override { return "cuda-int32"; }

 private:
  [[noreturn]] void error(const std::string& m) const {
    fail(StatusCode::kInvalidArgument, "layer '", name_, "' (MATRIX_MULTIPLY): ", m);
  }

  std::string name_;
  int64_t opA_, opB_;
};

}  // namespace

std::unique_ptr<CudaKernel> makeIntegerMatrixMultiply(const Node& n, const std::vector<DataType>& in,
                                                      const std::vector<DataType>&) {
  if (in.at(0) != DataType::kINT32) unsupported(n, "data type ", dataTypeName(in[0]));
  if (n.input(1) < 0) unsupported(n, "a right operand given only as constantB");
  if (in.size() < 2 || in[1] != in[0]) unsupported(n, "operands of different types");
  if (n.input(2) >= 0 && (in.size() < 3 || in[2] != in[0])) unsupported(n, "a bias of another type than the operands");
  // The builder fuses activations into float products only.
  if (n.getInt("fusedActivation", -1) >= 0) unsupported(n, "a fused activation on INT32 operands");
  return std::make_unique<IntegerGemmKernel>(n);
}

}  // namespace trtn::cuda
