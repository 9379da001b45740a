// SOFTMAX over one axis (bitmask `axes` with one bit; default rank-3, or 0 below rank 3), for
// FLOAT/HALF/BF16, computed in float with the row maximum subtracted first.
#include <algorithm>
#include <cmath>

#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

int64_t defaultSoftmaxMask(int64_t rank) { return int64_t{1} << (rank >= 3 ? rank - 3 : 0); }

void inferSoftMax(InferIO& io) {
  DataType t = io.type(0);
  if (!isFloatType(t)) io.error("input type ", dataTypeName(t), " is not supported (FLOAT, HALF or BF16 only)");
  int64_t rank = static_cast<int64_t>(io.dims(0).size());
  if (rank == 0) io.error("the input must have at least one dimension");
  singleAxisFromMask(io, io.node.getInt("axes", defaultSoftmaxMask(rank)), rank, "axes");
  io.setOutput(0, t, io.dims(0));
}

template <typename T>
void softmaxImpl(const T* x, T* y, int64_t outer, int64_t A, int64_t inner, ThreadPool* pool) {
  using C = cpu::Compute<T>;
  constexpr int64_t kBlock = 64;
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
  parallelFor(pool, outer * blocks, cpu::grainFor(A * std::min(inner, kBlock) * 8), [&](int64_t begin, int64_t end) {
    std::vector<float> buf;
    float mx[kBlock], sum[kBlock];
    for (int64_t t = begin; t < end; ++t) {
      int64_t o = t / blocks, i0 = (t % blocks) * kBlock;
      int64_t w = std::min(kBlock, inner - i0);
      buf.resize(static_cast<size_t>(A * w));
      const int64_t base = o * A * inner + i0;
      for (int64_t i = 0; i < w; ++i) {
        mx[i] = -INFINITY;
        sum[i] = 0.f;
      }
      for (int64_t a = 0; a < A; ++a) {
        float* b = buf.data() + a * w;
        for (int64_t i = 0; i < w; ++i) {
          float v = C::load(x, base + a * inner + i);
          b[i] = v;
          mx[i] = std::max(mx[i], v);
        }
      }
      for (int64_t a = 0; a < A; ++a) {
        float* b = buf.data() + a * w;
        for (int64_t i = 0; i < w; ++i) {
          float e = std::exp(b[i] - mx[i]);
          b[i] = e;
          sum[i] += e;
        }
      }
      for (int64_t i = 0; i < w; ++i) sum[i] = 1.f / sum[i];
      for (int64_t a = 0; a < A; ++a) {
        const float* b = buf.data() + a * w;
        for (int64_t i = 0; i < w; ++i) C::store(y, base + a * inner + i, b[i] * sum[i]);
      }
    }
  });
}

class SoftMaxKernel : public CpuKernel {
 public:
  explicit SoftMaxKernel(const Node& node) : mask_(node.has("axes") ? node.getInt("axes", 0) : -1) {}
  void run(KernelIO& io) override {
    const TensorRef& in = io.in[0];
    if (in.count() <= 0) return;
    int64_t rank = static_cast<int64_t>(in.dims.size());
    int64_t mask = mask_ < 0 ? defaultSoftmaxMask(rank) : mask_;
    int64_t axis = 0;
    while (axis < rank && !((mask >> axis) & 1)) ++axis;
    int64_t outer = product(in.dims, 0, axis), A = in.dims[axis], inner = product(in.dims, axis + 1, rank);
    cpu::dispatchFloat(in.type, [&](auto tag) {
      using T = decltype(tag);
      softmaxImpl<T>(in.as<const T>(), io.out[0].as<T>(), outer, A, inner, io.pool);
    });
  }
  const char* implementation() const override { return "softmax"; }

 private:
  int64_t mask_;
};

std::unique_ptr<CpuKernel> createSoftMax(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<SoftMaxKernel>(node);
}

}  // namespace

void registerSoftMax() { registerOp({LayerType::kSOFTMAX, "SoftMax", 1, 1, 1, inferSoftMax, createSoftMax, {}}); }

}  // namespace trtn
