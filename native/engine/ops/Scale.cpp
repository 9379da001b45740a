// SCALE: out = (x * scale + shift) ^ power with UNIFORM (one value), CHANNEL (one per entry of
// `channelAxis`, default 1) or ELEMENTWISE (one per element of dims[channelAxis:]) weights.
// Empty weights are the identity (scale 1, shift 0, power 1). FLOAT/HALF/BF16 inputs; weights of
// any numeric type are converted to float when the kernel is made.
#include <algorithm>
#include <cmath>

#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

enum ScaleMode : int64_t { kUniform = 0, kChannel = 1, kElementwise = 2 };

void inferScale(InferIO& io) {
  DataType t = io.type(0);
  if (!isFloatType(t)) io.error("input type ", dataTypeName(t), " is not supported (FLOAT, HALF or BF16 only)");
  const Dims& in = io.dims(0);
  int64_t rank = static_cast<int64_t>(in.size());
  int64_t mode = io.node.getInt("mode", kUniform);
  if (mode < 0 || mode > 2) io.error("mode ", mode, " is not a ScaleMode (UNIFORM, CHANNEL, ELEMENTWISE)");
  int64_t expected = 1;
  const char* modeName = "UNIFORM";
  if (mode != kUniform) {
    if (rank == 0) io.error("CHANNEL and ELEMENTWISE modes need an input with at least one dimension");
    int64_t axis = cpu::normalizeAxis(io, io.node.getInt("channelAxis", 1), rank, "channelAxis");
    expected = mode == kChannel ? in[axis] : volume(Dims(in.begin() + axis, in.end()));
    modeName = mode == kChannel ? "CHANNEL" : "ELEMENTWISE";
  }
  for (const char* name : {"shift", "scale", "power"}) {
    const Weights* w = io.node.getWeights(name);
    if (!w) continue;
    if (!isFloatType(w->type) && !isIntegerType(w->type))
      io.error(name, " weights have unsupported type ", dataTypeName(w->type));
    if (expected >= 0 && w->count != expected)
      io.error(name, " has ", w->count, " values but ", modeName, " mode on input ", dimsToString(in), " needs ",
               expected);
  }
  io.setOutput(0, t, in);
}

std::vector<float> weightsToFloats(const Node& node, const char* name) {
  std::vector<float> v;
  if (const Weights* w = node.getWeights(name)) {
    v.resize(static_cast<size_t>(w->count));
    for (int64_t i = 0; i < w->count; ++i) v[i] = static_cast<float>(loadAsDouble(w->data.get(), w->type, i));
  }
  return v;
}

class ScaleKernel : public CpuKernel {
 public:
  explicit ScaleKernel(const Node& node)
      : mode_(node.getInt("mode", kUniform)),
        axis_(node.getInt("channelAxis", 1)),
        shift_(weightsToFloats(node, "shift")),
        scale_(weightsToFloats(node, "scale")),
        power_(weightsToFloats(node, "power")) {
    bool unit = true;
    for (float p : power_) unit = unit && p == 1.f;
    if (unit) power_.clear();
  }

  void run(KernelIO& io) override {
    const TensorRef& in = io.in[0];
    int64_t n = in.count();
    if (n <= 0) return;
    int64_t rank = static_cast<int64_t>(in.dims.size());
    int64_t rows = 1, C = 1, inner = n;  // x viewed as [rows, C, inner]; parameters indexed by c (and i)
    if (mode_ != kUniform) {
      int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
      rows = product(in.dims, 0, static_cast<size_t>(axis));
      C = in.dims[axis];
      inner = product(in.dims, static_cast<size_t>(axis) + 1, in.dims.size());
    }
    const bool perElem = mode_ == kElementwise;
    for (const auto* v : {&shift_, &scale_, &power_})
      TRTN_CHECK(v->empty() || static_cast<int64_t>(v->size()) == (mode_ == kUniform ? 1 : perElem ? C * inner : C),
                 StatusCode::kInvalidArgument, "scale: weight count does not match input dims ", dimsToString(in.dims));
    cpu::dispatchFloat(in.type, [&](auto tag) {
      using T = decltype(tag);
      using Cv = cpu::Compute<T>;
      const T* x = in.as<const T>();
      T* y = io.out[0].as<T>();
      // Tasks are blocks of one [row, c] run, so every mode spreads over the pool.
      constexpr int64_t kBlock = 4096;
      const int64_t blocks = (inner + kBlock - 1) / kBlock;
      parallelFor(io.pool, rows * C * blocks, cpu::grainFor(std::min(inner, kBlock) * (power_.empty() ? 2 : 20)),
                  [&](int64_t b, int64_t e) {
                    for (int64_t t = b; t < e; ++t) {
                      const int64_t rc = t / blocks, i0 = (t % blocks) * kBlock;
                      const int64_t i1 = std::min(inner, i0 + kBlock);
                      const int64_t c = rc % C;
                      const int64_t base = rc * inner;
                      for (int64_t i = i0; i < i1; ++i) {
                        const int64_t p = mode_ == kUniform ? 0 : perElem ? c * inner + i : c;
                        float v = Cv::load(x, base + i);
                        if (!scale_.empty()) v *= scale_[p];
                        if (!shift_.empty()) v += shift_[p];
                        if (!power_.empty()) v = std::pow(v, power_[p]);
                        Cv::store(y, base + i, v);
                      }
                    }
                  });
    });
  }
  const char* implementation() const override { return "scale"; }

 private:
  int64_t mode_, axis_;
  std::vector<float> shift_, scale_, power_;
};

std::unique_ptr<CpuKernel> createScale(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<ScaleKernel>(node);
}

}  // namespace

void registerScale() { registerOp({LayerType::kSCALE, "Scale", 1, 1, 1, inferScale, createScale, {}}); }

}  // namespace trtn
