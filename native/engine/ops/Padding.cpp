// PADDING: zero padding of the innermost len(prePaddingNd) dims (negative values crop), for
// every element type.
#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

void inferPadding(InferIO& io) {
  const Dims& in = io.dims(0);
  std::vector<int64_t> pre = io.node.getInts("prePaddingNd");
  std::vector<int64_t> post = io.node.getInts("postPaddingNd");
  if (pre.size() != post.size())
    io.error("prePaddingNd ", dimsToString(pre), " and postPaddingNd ", dimsToString(post),
             " must have the same length");
  if (pre.size() > in.size())
    io.error("padding of ", pre.size(), " dims does not fit the input's ", in.size(), " dims ", dimsToString(in));
  Dims out = in;
  const size_t first = in.size() - pre.size();
  for (size_t k = 0; k < pre.size(); ++k) {
    size_t d = first + k;
    if (in[d] < 0) continue;
    out[d] = in[d] + pre[k] + post[k];
    if (out[d] < 0)
      io.error("padding dim ", d, " of size ", in[d], " by ", pre[k], " before and ", post[k],
               " after leaves a negative size ", out[d]);
  }
  io.setOutput(0, io.type(0), out);
}

class PaddingKernel : public CpuKernel {
 public:
  PaddingKernel(const Node& node, DataType type)
      : pre_(node.getInts("prePaddingNd")), elemSize_(dataTypeSize(type)) {}

  void run(KernelIO& io) override {
    const TensorRef& in = io.in[0];
    const TensorRef& out = io.out[0];
    if (out.count() <= 0) return;
    const size_t rank = out.dims.size();
    TRTN_CHECK(pre_.size() <= rank, StatusCode::kInvalidArgument, "padding: rank mismatch");
    const size_t first = rank - pre_.size();
    std::vector<std::vector<int64_t>> maps(rank);
    for (size_t d = 0; d < rank; ++d) {
      int64_t shift = d >= first ? pre_[d - first] : 0;
      maps[d].resize(static_cast<size_t>(out.dims[d]));
      for (int64_t i = 0; i < out.dims[d]; ++i) {
        int64_t src = i - shift;
        maps[d][i] = src >= 0 && src < in.dims[d] ? src : -1;
      }
    }
    mappedCopy(in.data, in.dims, out.data, out.dims, maps, nullptr, elemSize_, io.pool);
  }
  const char* implementation() const override { return "gather-copy"; }

 private:
  std::vector<int64_t> pre_;
  size_t elemSize_;
};

std::unique_ptr<CpuKernel> createPadding(const Node& node, const std::vector<DataType>& inTypes,
                                         const std::vector<DataType>&) {
  return std::make_unique<PaddingKernel>(node, inTypes.at(0));
}

}  // namespace

void registerPadding() { registerOp({LayerType::kPADDING, "Padding", 1, 1, 1, inferPadding, createPadding, {}}); }

}  // namespace trtn
