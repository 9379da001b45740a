// SELECT: out = condition ? then : else, all three broadcast (equal ranks) to a common shape.
// The condition is BOOL (any non-zero byte is true); then/else share a type, which can be any
// stored type (the kernel copies elements by size).
#include "ElementwiseOps.h"

namespace trtn {

namespace {

void inferSelect(InferIO& io) {
  if (io.type(0) != DataType::kBOOL) io.error("condition must be BOOL, got ", dataTypeName(io.type(0)));
  ew::requireSameType(io, io.type(1), io.type(2), "then and else inputs");
  Dims d = ew::broadcastOrFail(io, io.dims(0), io.dims(1));
  d = ew::broadcastOrFail(io, d, io.dims(2));
  io.setOutput(0, io.type(1), std::move(d));
}

class SelectKernel : public CpuKernel {
 public:
  void run(KernelIO& io) override {
    const TensorRef& out = io.out[0];
    ew::BroadcastPlan plan = ew::makeBroadcastPlan(out.dims, {io.in[0].dims, io.in[1].dims, io.in[2].dims});
    const uint8_t* cond = io.in[0].as<uint8_t>();
    ew::dispatchBySize(out.type, [&](auto tag) {
      using U = decltype(tag);
      const U* pt = io.in[1].as<U>();
      const U* pe = io.in[2].as<U>();
      U* po = out.as<U>();
      ew::forEachSegment(io.pool, plan, 1, [&](const int64_t* off, int64_t pos, int64_t n) {
        const uint8_t* c = cond + off[0];
        const U* t = pt + off[1];
        const U* e = pe + off[2];
        U* o = po + pos;
        ew::withStride(plan.innerStride[0], [&](auto sc) {
          ew::withStride(plan.innerStride[1], [&](auto st) {
            ew::withStride(plan.innerStride[2], [&](auto se) {
              constexpr int64_t SC = decltype(sc)::value, ST = decltype(st)::value, SE = decltype(se)::value;
              for (int64_t i = 0; i < n; ++i) o[i] = c[i * SC] ? t[i * ST] : e[i * SE];
            });
          });
        });
      });
    });
  }
  const char* implementation() const override { return "broadcast"; }
};

std::unique_ptr<CpuKernel> createSelect(const Node&, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<SelectKernel>();
}

}  // namespace

void registerSelect() { registerOp({LayerType::kSELECT, "Select", 3, 3, 1, inferSelect, createSelect, {}}); }

}  // namespace trtn
