// CONCATENATION: joins N tensors of one type along `axis` (default rank-3, or 0 below rank 3;
// negative counts from the end), for every element type.
#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

int64_t concatAxis(const InferIO& io, int64_t rank) {
  int64_t axis = io.node.has("axis") ? io.node.getInt("axis", 0) : (rank >= 3 ? rank - 3 : 0);
  return cpu::normalizeAxis(io, axis, rank, "axis");
}

void inferConcatenation(InferIO& io) {
  size_t n = io.numInputs();
  for (size_t i = 0; i < n; ++i)
    if (!io.has(i)) io.error("input ", i, " is missing");
  const Dims& first = io.dims(0);
  int64_t rank = static_cast<int64_t>(first.size());
  if (rank == 0) io.error("cannot concatenate rank-0 tensors");
  int64_t axis = concatAxis(io, rank);
  DataType type = io.type(0);
  for (size_t i = 0; i < n; ++i) {
    const Dims& d = io.dims(i);
    if (io.type(i) != type)
      io.error("input ", i, " has type ", dataTypeName(io.type(i)), " but input 0 has type ", dataTypeName(type));
    if (static_cast<int64_t>(d.size()) != rank)
      io.error("input ", i, " has rank ", d.size(), " (dims ", dimsToString(d), ") but input 0 has rank ", rank);
  }
  // Output dims for concatenation along `a`; false (with the first offending input) if the
  // inputs disagree off that axis.
  auto concatDims = [&](int64_t a, Dims& out, size_t& bad) {
    out = first;
    int64_t axisSum = 0;
    for (size_t i = 0; i < n; ++i) {
      const Dims& d = io.dims(i);
      for (int64_t k = 0; k < rank; ++k) {
        if (k != a && !unifyDim(out[k], d[k], out[k])) {
          bad = i;
          return false;
        }
      }
      if (axisSum >= 0) axisSum = d[a] < 0 ? -1 : axisSum + d[a];
    }
    out[a] = axisSum;
    return true;
  };
  Dims out;
  size_t bad = 0;
  if (!concatDims(axis, out, bad)) {
    // The axis is set after the add (network.addConcatenation takes none, as TensorRT's): at add
    // time only inputs that no axis can join are an error. Until the axis is set, the output
    // dims that depend on it are unknown.
    bool fixable = false;
    Dims other;
    size_t unused = 0;
    for (int64_t k = 0; io.addTime && !fixable && k < rank; ++k) fixable = k != axis && concatDims(k, other, unused);
    if (!fixable)
      io.error("input ", bad, " has dims ", dimsToString(io.dims(bad)), " but input 0 has dims ", dimsToString(first),
               "; they must agree except on axis ", axis);
    out = first;
    for (size_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < rank; ++k)
        if (io.dims(i)[k] != out[k]) out[k] = -1;
    out[axis] = -1;
  }
  io.setOutput(0, type, out);
}

class ConcatKernel : public CpuKernel {
 public:
  ConcatKernel(const Node& node, DataType type) : axisAttr_(node.has("axis") ? node.getInt("axis", 0) : INT64_MIN),
                                                  elemSize_(dataTypeSize(type)) {}

  void run(KernelIO& io) override {
    const TensorRef& out = io.out[0];
    if (out.count() <= 0) return;
    int64_t rank = static_cast<int64_t>(out.dims.size());
    int64_t axis = axisAttr_ == INT64_MIN ? (rank >= 3 ? rank - 3 : 0) : axisAttr_;
    if (axis < 0) axis += rank;
    int64_t outer = product(out.dims, 0, static_cast<size_t>(axis));
    size_t n = io.in.size();
    std::vector<size_t> chunk(n), prefix(n);
    size_t row = 0;
    for (size_t i = 0; i < n; ++i) {
      int64_t c = io.in[i].count();
      chunk[i] = outer > 0 ? static_cast<size_t>(c / outer) * elemSize_ : 0;
      prefix[i] = row;
      row += chunk[i];
    }
    auto* dst = static_cast<uint8_t*>(out.data);
    int64_t tasks = outer * static_cast<int64_t>(n);
    int64_t avg = static_cast<int64_t>(row / (n ? n : 1)) + 1;
    parallelFor(io.pool, tasks, cpu::grainFor(avg, 1 << 16), [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        int64_t o = t / static_cast<int64_t>(n);
        size_t i = static_cast<size_t>(t % static_cast<int64_t>(n));
        if (chunk[i] == 0) continue;
        std::memcpy(dst + o * row + prefix[i], static_cast<const uint8_t*>(io.in[i].data) + o * chunk[i], chunk[i]);
      }
    });
  }
  const char* implementation() const override { return "copy"; }

 private:
  int64_t axisAttr_;
  size_t elemSize_;
};

std::unique_ptr<CpuKernel> createConcatenation(const Node& node, const std::vector<DataType>& inTypes,
                                               const std::vector<DataType>&) {
  return std::make_unique<ConcatKernel>(node, inTypes.at(0));
}

}  // namespace

void registerConcatenation() {
  registerOp({LayerType::kCONCATENATION, "Concatenation", 1, 10000, 1, inferConcatenation, createConcatenation, {}});
}

}  // namespace trtn
