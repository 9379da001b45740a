// NON_ZERO: the indices of the non-zero elements of `input`, as [rank, count] (one column per
// element, in row-major order) of INT32 or INT64 (`indicesType`, default INT64). `count`
// depends on the input values: a data-dependent output sized by the kernel while it runs.
#include "TensorOps.h"

#include "Registration.h"

namespace trtn {

namespace {

using namespace tensorops;

DataType indicesTypeOf(const Node& node) {
  return static_cast<DataType>(node.getInt("indicesType", static_cast<int64_t>(DataType::kINT64)));
}

void inferNonZero(InferIO& io) {
  const DataType it = indicesTypeOf(io.node);
  if (it != DataType::kINT32 && it != DataType::kINT64)
    io.error("indicesType must be INT32 or INT64, not ", dataTypeName(it));
  const DataType t = io.type(0);
  if (!isSupportedDataType(t) || isNarrowFloatType(t)) io.error("input type ", dataTypeName(t), " is not supported");
  const Dims& in = io.dims(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  int64_t count = -1;
  if (volume(in) == 0) count = 0;  // nothing can be non-zero
  else if (io.upperBounds && isFullyKnown(in)) count = volume(in);
  io.setOutput(0, it, Dims{rank, count});
}

class NonZeroKernel : public CpuKernel {
 public:
  explicit NonZeroKernel(const Node& node) : indicesType_(indicesTypeOf(node)) {}

  void run(KernelIO& io) override {
    const TensorRef& in = io.in[0];
    const int64_t n = in.count();
    const int64_t rank = static_cast<int64_t>(in.dims.size());
    std::vector<int64_t> found;
    for (int64_t i = 0; i < n; ++i)
      if (loadAsDouble(in.data, in.type, i) != 0.0) found.push_back(i);
    const int64_t count = static_cast<int64_t>(found.size());
    void* out = io.out[0].data;
    if (!out) out = io.allocateOutput(0, Dims{rank, count});
    // Column j holds the coordinates of the j-th non-zero element, outermost dim first.
    for (int64_t j = 0; j < count; ++j) {
      int64_t rest = found[j];
      for (int64_t d = rank - 1; d >= 0; --d) {
        const int64_t extent = in.dims[d];
        storeFromInt64(out, indicesType_, d * count + j, rest % extent);
        rest /= extent;
      }
    }
  }
  const char* implementation() const override { return "non-zero"; }

 private:
  DataType indicesType_;
};

std::unique_ptr<CpuKernel> createNonZero(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<NonZeroKernel>(node);
}

}  // namespace

void registerNonZero() {
  OpDef def{LayerType::kNON_ZERO, "NonZero", 1, 1, 1, inferNonZero, createNonZero, {}};
  def.dataDependentOutputs = true;
  registerOp(def);
}

}  // namespace trtn
