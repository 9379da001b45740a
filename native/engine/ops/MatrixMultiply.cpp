// MATRIX_MULTIPLY: batched op(A) x op(B) over the last two dims (VECTOR: the last dim is a
// vector), batch dims broadcast (equal batch ranks). FLOAT runs trtn::cpu::gemm on strided views
// of the inputs; HALF/BF16 stage through float in the workspace; INT32 is a naive loop with
// wrap-around. Builder fusions add: input 2, a bias broadcast over the last output dim (a vector
// of that length, or one value); fusedActivation/fusedAlpha/fusedBeta, run in the GEMM epilogue;
// and `constantB` (Weights) with `constantBDims`, a constant right operand that the kernel
// packs once at creation (input 1 may then be absent; if present it is not read).
#include <algorithm>

#include "../cpu/Gemm.h"
#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

enum MatrixOp : int64_t { kNone = 0, kTranspose = 1, kVector = 2 };

// Shapes of one matmul: batch dims and the matrix dims of op(A) [M,K] and op(B) [K,N].
struct MatmulShape {
  Dims batchA, batchB;
  int64_t M = 1, Ka = 1, Kb = 1, N = 1;
};

MatmulShape splitShape(const Dims& a, int64_t opA, const Dims& b, int64_t opB) {
  MatmulShape s;
  const size_t ra = a.size(), rb = b.size();
  const size_t ma = opA == kVector ? 1 : 2, mb = opB == kVector ? 1 : 2;
  s.batchA.assign(a.begin(), a.end() - ma);
  s.batchB.assign(b.begin(), b.end() - mb);
  if (opA == kVector) {
    s.M = 1;
    s.Ka = a[ra - 1];
  } else if (opA == kNone) {
    s.M = a[ra - 2];
    s.Ka = a[ra - 1];
  } else {
    s.M = a[ra - 1];
    s.Ka = a[ra - 2];
  }
  if (opB == kVector) {
    s.N = 1;
    s.Kb = b[rb - 1];
  } else if (opB == kNone) {
    s.Kb = b[rb - 2];
    s.N = b[rb - 1];
  } else {
    s.Kb = b[rb - 1];
    s.N = b[rb - 2];
  }
  return s;
}

const char* opName(int64_t op) { return op == kNone ? "NONE" : op == kTranspose ? "TRANSPOSE" : "VECTOR"; }

void inferMatrixMultiply(InferIO& io) {
  const Weights* cb = io.node.getWeights("constantB");
  const Dims& a = io.dims(0);
  DataType ta = io.type(0);
  Dims b;
  DataType tb;
  if (io.has(1)) {
    b = io.dims(1);
    tb = io.type(1);
  } else if (cb) {
    b = io.node.getInts("constantBDims");
    tb = cb->type;
  } else {
    io.error("the second operand (input 1) is missing");
  }
  if (cb) {
    Dims cd = io.node.getInts("constantBDims");
    if (volume(cd) != cb->count)
      io.error("constantB has ", cb->count, " values but constantBDims ", dimsToString(cd), " needs ", volume(cd));
    if (io.has(1) && isFullyKnown(b) && b != cd)
      io.error("constantBDims ", dimsToString(cd), " differ from input 1 dims ", dimsToString(b));
    if (!isFloatType(cb->type) && cb->type != DataType::kINT32)
      io.error("constantB has unsupported type ", dataTypeName(cb->type));
  }
  if (!isFloatType(ta) && ta != DataType::kINT32)
    io.error("input type ", dataTypeName(ta), " is not supported (FLOAT, HALF, BF16, INT32)");
  if (tb != ta && !(cb && !io.has(1) && isFloatType(ta) && isFloatType(tb)))
    io.error("operand types differ: input 0 is ", dataTypeName(ta), ", input 1 is ", dataTypeName(tb));
  const int64_t opA = io.node.getInt("op0", kNone), opB = io.node.getInt("op1", kNone);
  for (int64_t op : {opA, opB})
    if (op < 0 || op > 2) io.error("matrix operation ", op, " is not a MatrixOperation (NONE, TRANSPOSE, VECTOR)");
  const size_t minA = opA == kVector ? 1 : 2, minB = opB == kVector ? 1 : 2;
  if (a.size() < minA)
    io.error("input 0 with dims ", dimsToString(a), " needs rank >= ", minA, " for operation ", opName(opA));
  if (b.size() < minB)
    io.error("input 1 with dims ", dimsToString(b), " needs rank >= ", minB, " for operation ", opName(opB));
  MatmulShape s = splitShape(a, opA, b, opB);
  if (s.batchA.size() != s.batchB.size())
    io.error("operands have different numbers of batch dims: ", dimsToString(a), " (", opName(opA), ") and ",
             dimsToString(b), " (", opName(opB), ")");
  if (s.Ka >= 0 && s.Kb >= 0 && s.Ka != s.Kb)
    io.error("inner dimensions differ: op(A) of ", dimsToString(a), " has K=", s.Ka, ", op(B) of ", dimsToString(b),
             " has K=", s.Kb);
  Dims out;
  if (!cpu::broadcastDims(s.batchA, s.batchB, out))
    io.error("batch dims ", dimsToString(s.batchA), " and ", dimsToString(s.batchB), " do not broadcast");
  if (opA != kVector) out.push_back(s.M);
  if (opB != kVector) out.push_back(s.N);
  if (io.has(2)) {
    const Dims& bd = io.dims(2);
    if (io.type(2) != ta)
      io.error("bias (input 2) has type ", dataTypeName(io.type(2)), " but the output has type ", dataTypeName(ta));
    const int64_t last = out.empty() ? 1 : out.back();
    bool ok = bd.size() <= std::max<size_t>(out.size(), 1);
    for (size_t i = 0; ok && i + 1 < bd.size(); ++i) ok = bd[i] == 1 || bd[i] < 0;
    if (ok && !bd.empty() && bd.back() >= 0 && last >= 0) ok = bd.back() == 1 || bd.back() == last;
    if (!ok)
      io.error("bias dims ", dimsToString(bd), " must broadcast along the last output dim only (output dims ",
               dimsToString(out), ")");
  }
  io.setOutput(0, ta, out);
}

// Bias and activation applied after a product whose epilogue could not (K == 0, or a bias
// indexed by a batch dim when both operands are vectors). Bias index: element i % len.
void applyEpilogueLoop(float* c, int64_t count, const float* bias, int64_t biasLen, int32_t act, float alpha,
                       float beta, ThreadPool* pool) {
  parallelFor(pool, count, 16384, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      float v = c[i];
      if (bias) v += bias[i % biasLen];
      c[i] = cpu::applyActivation(act, v, alpha, beta);
    }
  });
}

class MatMulKernel : public CpuKernel {
 public:
  MatMulKernel(const Node& node, DataType type)
      : name_(node.name),
        opA_(node.getInt("op0", kNone)),
        opB_(node.getInt("op1", kNone)),
        hasBias_(nodeHasInput(node, 2)),
        act_(static_cast<int32_t>(node.getInt("fusedActivation", cpu::kNoActivation))),
        alpha_(static_cast<float>(node.getFloat("fusedAlpha", 0.0))),
        beta_(static_cast<float>(node.getFloat("fusedBeta", 0.0))),
        type_(type) {
    if (const Weights* w = node.getWeights("constantB")) {
      constB_ = *w;
      constBDims_ = node.getInts("constantBDims");
      if (isFloatType(type_)) pack();
    }
  }

  size_t workspaceBytes(const std::vector<Dims>& inDims, const std::vector<Dims>& outDims) const override {
    const Dims& out = outDims.at(0);
    int64_t floats = 16 + (out.empty() ? 1 : std::max<int64_t>(out.back(), 1));  // bias staging
    if (type_ == DataType::kHALF || type_ == DataType::kBF16) {
      floats += std::max<int64_t>(volume(inDims.at(0)), 0) + 16;
      if (packed_.empty() && inDims.size() > 1) floats += std::max<int64_t>(volume(inDims[1]), 0) + 16;
      floats += std::max<int64_t>(volume(out), 0) + 16;
    }
    return static_cast<size_t>(floats) * sizeof(float);
  }

  void run(KernelIO& io) override;
  const char* implementation() const override {
    if (type_ == DataType::kINT32) return "naive-int32";
    return packed_.empty() ? "gemm" : "gemm-prepacked";
  }

 private:
  void pack() {
    const Dims& d = constBDims_;
    if (d.size() < (opB_ == kVector ? 1u : 2u) || volume(d) != constB_.count) return;  // inference reports it
    if (constB_.type != DataType::kFLOAT) {
      constBFloat_.resize(static_cast<size_t>(constB_.count));
      cpu::convertToFloat(constB_.data.get(), constB_.type, constBFloat_.data(), constB_.count);
    }
    const float* base = constB_.type == DataType::kFLOAT ? constB_.as<float>() : constBFloat_.data();
    MatmulShape s = splitShape(Dims(2, 1), kNone, d, opB_);
    const int64_t K = s.Kb, N = s.N;
    const int64_t batches = volume(s.batchB);
    for (int64_t b = 0; b < batches; ++b) {
      cpu::MatrixView v{base + b * K * N, opB_ == kNone ? N : opB_ == kTranspose ? K : 1, opB_ == kTranspose};
      packed_.push_back(cpu::PackedMatrix::packB(v, K, N));
    }
    constBFloat_.clear();
    constBFloat_.shrink_to_fit();
  }

  [[noreturn]] void error(const std::string& m) const {
    fail(StatusCode::kInvalidArgument, "layer '", name_, "' (MATRIX_MULTIPLY): ", m);
  }

  std::string name_;
  int64_t opA_, opB_;
  bool hasBias_;
  int32_t act_;
  float alpha_, beta_;
  DataType type_;
  Weights constB_;
  Dims constBDims_;
  std::vector<float> constBFloat_;
  std::vector<std::shared_ptr<cpu::PackedMatrix>> packed_;  // per batch of constant B
};

void MatMulKernel::run(KernelIO& io) {
  const TensorRef& A = io.in[0];
  const TensorRef& out = io.out[0];
  const bool constB = !constB_.empty();
  const Dims& bDims = constB ? constBDims_ : io.in.at(1).dims;
  MatmulShape s = splitShape(A.dims, opA_, bDims, opB_);
  const int64_t M = s.M, N = s.N, K = s.Ka;
  if (s.Kb != K) error(concat("inner dimensions differ (", K, " vs ", s.Kb, ")"));
  if (s.batchA.size() != s.batchB.size() || out.dims.size() < s.batchA.size())
    error(concat("operand ranks do not match: ", dimsToString(A.dims), " and ", dimsToString(bDims)));
  const size_t nb = s.batchA.size();
  const Dims outBatch(out.dims.begin(), out.dims.begin() + nb);
  const int64_t batches = volume(outBatch);
  if (out.count() <= 0) return;
  // Per output batch: the batch index into A and B (broadcast).
  std::vector<int64_t> aIdx(static_cast<size_t>(batches)), bIdx(static_cast<size_t>(batches));
  {
    std::vector<int64_t> sa = cpu::broadcastStrides(s.batchA, outBatch), sb = cpu::broadcastStrides(s.batchB, outBatch);
    cpu::MultiIndex mi(outBatch, {sa, sb});
    for (int64_t b = 0; b < batches; ++b, mi.next()) {
      aIdx[b] = mi.offsets[0];
      bIdx[b] = mi.offsets[1];
    }
  }
  const int64_t lda = opA_ == kTranspose ? M : K;
  const int64_t ldb = opB_ == kNone ? N : opB_ == kTranspose ? K : 1;

  // Bias: per column (N last), per row (B is a vector, M last), or per element of the last batch
  // dim (both vectors; applied after the products).
  const int64_t lastDim = out.dims.empty() ? 1 : out.dims.back();
  cpu::BiasKind biasKind = cpu::BiasKind::kNone;
  if (hasBias_) biasKind = opB_ != kVector ? cpu::BiasKind::kPerColumn : opA_ != kVector ? cpu::BiasKind::kPerRow
                                                                                          : cpu::BiasKind::kNone;
  const bool lateEpilogue = (hasBias_ && biasKind == cpu::BiasKind::kNone) || K == 0;

  if (type_ == DataType::kINT32) {
    const int32_t* a = A.as<const int32_t>();
    const int32_t* bm = constB ? constB_.as<int32_t>() : io.in[1].as<const int32_t>();
    int32_t* c = out.as<int32_t>();
    std::vector<int32_t> bias;
    if (hasBias_) {
      const TensorRef& bt = io.in[2];
      if (bt.count() != 1 && bt.count() != lastDim) error("bias length does not match the last output dim");
      bias.resize(static_cast<size_t>(lastDim));
      for (int64_t i = 0; i < lastDim; ++i) bias[i] = bt.as<const int32_t>()[bt.count() == 1 ? 0 : i];
    }
    const int64_t ar = opA_ == kTranspose ? 1 : K, ac = opA_ == kTranspose ? M : 1;  // A(m,k) = a[m*ar + k*ac]
    const int64_t br = opB_ == kNone ? N : 1, bc = opB_ == kTranspose ? K : opB_ == kNone ? 1 : 0;  // B(k,n)
    parallelFor(io.pool, batches * M, cpu::grainFor(N * K), [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t b = t / M, m = t % M;
        const int32_t* ap = a + aIdx[b] * M * K + m * ar;
        const int32_t* bp = bm + bIdx[b] * K * N;
        int32_t* cp = c + (b * M + m) * N;
        for (int64_t n = 0; n < N; ++n) {
          uint32_t acc = 0;
          for (int64_t k = 0; k < K; ++k)
            acc += static_cast<uint32_t>(ap[k * ac]) * static_cast<uint32_t>(bp[k * br + n * bc]);
          int64_t li = (b * M + m) * N + n;
          if (hasBias_) acc += static_cast<uint32_t>(bias[li % lastDim]);
          int32_t v = static_cast<int32_t>(acc);
          if (act_ != cpu::kNoActivation)
            v = static_cast<int32_t>(cpu::applyActivation(act_, static_cast<float>(v), alpha_, beta_));
          cp[n] = v;
        }
      }
    });
    return;
  }

  // Float path. Staging buffers come from the workspace.
  if (constB && packed_.empty()) error("constantB does not match constantBDims and could not be packed");
  const bool staged = type_ != DataType::kFLOAT;
  float* ws = static_cast<float*>(io.workspace);
  size_t wsUsed = 0;
  auto take = [&](int64_t n) {
    size_t need = static_cast<size_t>(n + 16);
    if (!ws || (wsUsed + need) * sizeof(float) > io.workspaceBytes) error("workspace too small");
    float* p = ws + wsUsed;
    wsUsed += need;
    return p;
  };
  const float* biasPtr = nullptr;
  int64_t biasLen = 0;
  if (hasBias_) {
    const TensorRef& bt = io.in[2];
    biasLen = biasKind == cpu::BiasKind::kPerRow ? M : lastDim;
    if (bt.count() != 1 && bt.count() != biasLen)
      error(concat("bias has ", bt.count(), " values; expected 1 or ", biasLen));
    if (bt.type == DataType::kFLOAT && bt.count() == biasLen) {
      biasPtr = bt.as<const float>();
    } else {
      float* p = take(biasLen);
      if (bt.count() == biasLen) cpu::convertToFloat(bt.data, bt.type, p, biasLen);
      else std::fill(p, p + biasLen, static_cast<float>(loadAsDouble(bt.data, bt.type, 0)));
      biasPtr = p;
    }
  }
  const float* a;
  const float* bm = nullptr;
  float* c;
  if (staged) {
    float* pa = take(A.count());
    cpu::convertToFloat(A.data, A.type, pa, A.count());
    a = pa;
    if (packed_.empty()) {
      const TensorRef& B = io.in.at(1);
      float* pb = take(B.count());
      cpu::convertToFloat(B.data, B.type, pb, B.count());
      bm = pb;
    }
    c = take(out.count());
  } else {
    a = A.as<const float>();
    if (packed_.empty()) bm = constB ? constB_.as<float>() : io.in.at(1).as<const float>();
    c = out.as<float>();
  }
  if (!packed_.empty() && static_cast<int64_t>(packed_.size()) != volume(s.batchB))
    error("constantB packing does not match its dims");

  cpu::GemmEpilogue ep;
  if (!lateEpilogue) {
    ep.bias = biasPtr;
    ep.biasKind = biasPtr ? biasKind : cpu::BiasKind::kNone;
    ep.activation = act_;
    ep.alpha = alpha_;
    ep.beta = beta_;
  }
  if (K == 0) {
    std::fill(c, c + out.count(), 0.f);
  } else {
    const bool bShared = volume(s.batchB) == 1;
    const bool aFull = volume(s.batchA) == batches;
    const bool fold = batches > 1 && bShared && aFull && opA_ != kTranspose && ep.biasKind != cpu::BiasKind::kPerRow;
    if (fold) {
      // One GEMM with the batches stacked along M: A rows and C rows are contiguous.
      cpu::MatrixView av{a, K, false};
      cpu::MatrixView bv{bm, ldb, opB_ == kTranspose};
      cpu::gemm(batches * M, N, K, av, nullptr, bv, packed_.empty() ? nullptr : packed_[0].get(), c, N, ep, io.pool);
    } else {
      auto one = [&](int64_t b, ThreadPool* pool) {
        cpu::MatrixView av{a + aIdx[b] * M * K, lda, opA_ == kTranspose};
        cpu::MatrixView bv{bm ? bm + bIdx[b] * K * N : nullptr, ldb, opB_ == kTranspose};
        const cpu::PackedMatrix* pb = packed_.empty() ? nullptr : packed_[bIdx[b]].get();
        cpu::gemm(M, N, K, av, nullptr, bv, pb, c + b * M * N, N, ep, pool);
      };
      const int64_t work = M * N * K;
      if (batches > 1 && work < (int64_t{1} << 18)) {
        // Many small products: one per task, each single-threaded.
        parallelFor(io.pool, batches, cpu::grainFor(work, 1 << 18), [&](int64_t begin, int64_t end) {
          for (int64_t b = begin; b < end; ++b) one(b, nullptr);
        });
      } else {
        for (int64_t b = 0; b < batches; ++b) one(b, io.pool);
      }
    }
  }
  if (lateEpilogue && (biasPtr || act_ != cpu::kNoActivation)) {
    // Per-row bias (M last) also runs here when K == 0: index by the row within each batch.
    if (biasPtr && biasKind == cpu::BiasKind::kPerRow) {
      parallelFor(io.pool, out.count(), 16384, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i)
          c[i] = cpu::applyActivation(act_, c[i] + biasPtr[(i / N) % M], alpha_, beta_);
      });
    } else {
      applyEpilogueLoop(c, out.count(), biasPtr, std::max<int64_t>(biasLen, 1), act_, alpha_, beta_, io.pool);
    }
  }
  if (staged) cpu::convertFromFloat(c, out.data, out.type, out.count());
}

std::unique_ptr<CpuKernel> createMatrixMultiply(const Node& node, const std::vector<DataType>& inTypes,
                                                const std::vector<DataType>&) {
  return std::make_unique<MatMulKernel>(node, inTypes.at(0));
}

}  // namespace

void registerMatrixMultiply() {
  registerOp({LayerType::kMATRIX_MULTIPLY, "MatrixMultiply", 1, 3, 1, inferMatrixMultiply, createMatrixMultiply, {}});
}

}  // namespace trtn
