// TOPK: the K largest (MAX) or smallest (MIN) elements along one axis, sorted best first, with
// ties in the lower index first; output 0 values, output 1 indices (INT32 or INT64). K comes
// from input 1 (a scalar or one-element INT32/INT64 shape tensor) or the `k` attribute. NaN
// ranks above every number (first for MAX, last for MIN). FLOAT, HALF, BF16, INT32, INT64.
#include <algorithm>
#include <numeric>

#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

int64_t defaultTopKMask(int64_t rank) { return int64_t{1} << (rank > 0 ? rank - 1 : 0); }

void inferTopK(InferIO& io) {
  const Dims& in = io.dims(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  DataType t = io.type(0);
  if (!isFloatType(t) && t != DataType::kINT32 && t != DataType::kINT64)
    io.error("input type ", dataTypeName(t), " is not supported (FLOAT, HALF, BF16, INT32, INT64)");
  if (rank < 1) io.error("the input must have at least one dimension");
  const int64_t op = io.node.getInt("op", 0);
  if (op != 0 && op != 1) io.error("op ", op, " is not a TopKOperation (MAX, MIN)");
  const int64_t axis = singleAxisFromMask(io, io.node.getInt("axes", defaultTopKMask(rank)), rank, "axes");
  auto it = static_cast<DataType>(io.node.getInt("indicesType", static_cast<int64_t>(DataType::kINT32)));
  if (it != DataType::kINT32 && it != DataType::kINT64)
    io.error("indicesType ", dataTypeName(it), " must be INT32 or INT64");
  int64_t k = -1;
  if (io.has(1)) {
    bool found = false;
    auto v = shapeInputOrAttr(io, 1, "k", found, "K", true);
    if (volume(io.dims(1)) >= 0 && volume(io.dims(1)) != 1)
      io.error("the K tensor (input 1) must have one element, but has dims ", dimsToString(io.dims(1)));
    if (v) k = v->at(0);
    if (v && k < 0) io.error("k ", k, " must not be negative");
  } else {
    if (!io.node.has("k")) io.error("k is not set (attribute 'k' or input 1)");
    k = io.node.getInt("k", 1);
    if (k < 0) io.error("k ", k, " must not be negative");
  }
  if (k >= 0 && in[axis] >= 0 && k > in[axis])
    io.error("k ", k, " exceeds the size ", in[axis], " of axis ", axis, " of input ", dimsToString(in));
  Dims out = in;
  out[axis] = k;
  io.setOutput(0, t, out);
  io.setOutput(1, it, out);
}

template <typename T, typename I>
void topkImpl(const T* x, T* values, I* indices, int64_t outer, int64_t A, int64_t inner, int64_t K, bool isMax,
              ThreadPool* pool) {
  using C = cpu::Compute<T>;
  using V = typename C::type;
  parallelFor(pool, outer * inner, cpu::grainFor(A * 8), [&](int64_t begin, int64_t end) {
    std::vector<V> v(static_cast<size_t>(A));
    std::vector<int64_t> order(static_cast<size_t>(A));
    auto better = [&](int64_t a, int64_t b) {
      const V va = v[a], vb = v[b];
      if constexpr (std::is_floating_point_v<V>) {
        const bool na = va != va, nb = vb != vb;
        if (na || nb) {
          if (na && nb) return a < b;
          return isMax ? na : nb;
        }
      }
      if (va != vb) return isMax ? va > vb : va < vb;
      return a < b;
    };
    for (int64_t t = begin; t < end; ++t) {
      const int64_t o = t / inner, i = t % inner;
      const int64_t inBase = o * A * inner + i, outBase = o * K * inner + i;
      for (int64_t a = 0; a < A; ++a) v[a] = C::load(x, inBase + a * inner);
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(order.begin(), order.begin() + K, order.end(), better);
      for (int64_t j = 0; j < K; ++j) {
        C::store(values, outBase + j * inner, v[order[j]]);
        indices[outBase + j * inner] = static_cast<I>(order[j]);
      }
    }
  });
}

class TopKKernel : public CpuKernel {
 public:
  explicit TopKKernel(const Node& node)
      : name_(node.name), isMax_(node.getInt("op", 0) == 0), mask_(node.has("axes") ? node.getInt("axes", 0) : -1) {}

  void run(KernelIO& io) override {
    const TensorRef& in = io.in[0];
    const int64_t rank = static_cast<int64_t>(in.dims.size());
    const int64_t mask = mask_ < 0 ? defaultTopKMask(rank) : mask_;
    int64_t axis = 0;
    while (axis < rank && !((mask >> axis) & 1)) ++axis;
    TRTN_CHECK(axis < rank && io.out.size() == 2, StatusCode::kInvalidArgument, "layer '", name_,
               "' (TOPK): invalid axes or outputs");
    const int64_t K = io.out[0].dims[axis];
    const int64_t A = in.dims[axis];
    TRTN_CHECK(K >= 0 && K <= A, StatusCode::kInvalidArgument, "layer '", name_, "' (TOPK): k ", K,
               " exceeds the axis size ", A);
    const int64_t outer = product(in.dims, 0, static_cast<size_t>(axis));
    const int64_t inner = product(in.dims, static_cast<size_t>(axis) + 1, in.dims.size());
    if (outer * inner * K <= 0) return;
    const bool i64 = io.out[1].type == DataType::kINT64;
    auto go = [&](auto tag) {
      using T = decltype(tag);
      if (i64)
        topkImpl<T, int64_t>(in.as<const T>(), io.out[0].as<T>(), io.out[1].as<int64_t>(), outer, A, inner, K, isMax_,
                             io.pool);
      else
        topkImpl<T, int32_t>(in.as<const T>(), io.out[0].as<T>(), io.out[1].as<int32_t>(), outer, A, inner, K, isMax_,
                             io.pool);
    };
    switch (in.type) {
      case DataType::kFLOAT: go(float{}); break;
      case DataType::kHALF: go(Half{}); break;
      case DataType::kBF16: go(BFloat16{}); break;
      case DataType::kINT32: go(int32_t{}); break;
      case DataType::kINT64: go(int64_t{}); break;
      default:
        fail(StatusCode::kUnsupported, "layer '", name_, "' (TOPK): type ", dataTypeName(in.type), " is not supported");
    }
  }
  const char* implementation() const override { return "partial-sort"; }

 private:
  std::string name_;
  bool isMax_;
  int64_t mask_;
};

std::unique_ptr<CpuKernel> createTopK(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<TopKKernel>(node);
}

}  // namespace

void registerTopK() { registerOp({LayerType::kTOPK, "TopK", 1, 2, 2, inferTopK, createTopK, {1}}); }

}  // namespace trtn
