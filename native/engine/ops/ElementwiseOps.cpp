// registerElementwiseOps() and the non-template helpers shared by the elementwise op family.
#include "ElementwiseOps.h"

namespace trtn {

void registerElementwiseOps() {
  registerActivation();
  registerElementWise();
  registerUnary();
  registerQuantize();
  registerFill();
  registerSelect();
}

namespace ew {

std::string typeNames(std::initializer_list<DataType> types) {
  std::string s;
  size_t i = 0, n = types.size();
  for (DataType t : types) {
    if (i > 0) s += (i + 1 == n) ? " or " : ", ";
    s += dataTypeName(t);
    ++i;
  }
  return s;
}

bool oneOf(DataType t, std::initializer_list<DataType> types) {
  for (DataType u : types)
    if (t == u) return true;
  return false;
}

void requireSameType(const InferIO& io, DataType a, DataType b, const char* what) {
  if (a != b) io.error(what, " have different types: ", dataTypeName(a), " and ", dataTypeName(b));
}

Dims broadcastOrFail(const InferIO& io, const Dims& a, const Dims& b) {
  if (a.size() != b.size())
    io.error("dimensions ", dimsToString(a), " and ", dimsToString(b), " have different ranks (", a.size(), " and ",
             b.size(), "); broadcasting needs equal ranks");
  Dims out;
  if (!cpu::broadcastDims(a, b, out))
    io.error("dimensions ", dimsToString(a), " and ", dimsToString(b), " cannot be broadcast");
  return out;
}

BroadcastPlan makeBroadcastPlan(const Dims& out, const std::vector<Dims>& ins) {
  BroadcastPlan plan;
  const size_t k = ins.size();
  if (k > static_cast<size_t>(kMaxOperands)) fail(StatusCode::kInternal, "broadcast plan with too many operands");
  plan.operands = static_cast<int>(k);
  plan.total = volume(out);
  plan.outerStrides.resize(k);
  if (plan.total <= 0) return plan;

  std::vector<std::vector<int64_t>> strides(k);
  for (size_t i = 0; i < k; ++i) {
    if (ins[i].size() != out.size())
      fail(StatusCode::kInternal, "broadcast operand rank ", ins[i].size(), " differs from output rank ", out.size());
    strides[i] = cpu::broadcastStrides(ins[i], out);
  }
  // Merge from the innermost dimension outwards, skipping extents of 1. Blocks are collected
  // innermost first.
  std::vector<int64_t> ext;
  std::vector<std::vector<int64_t>> blockStrides(k);
  for (int64_t d = static_cast<int64_t>(out.size()) - 1; d >= 0; --d) {
    if (out[d] == 1) continue;
    if (!ext.empty()) {
      bool merge = true;
      for (size_t i = 0; i < k && merge; ++i)
        merge = strides[i][d] == blockStrides[i].back() * ext.back();
      if (merge) {
        ext.back() *= out[d];
        continue;
      }
    }
    ext.push_back(out[d]);
    for (size_t i = 0; i < k; ++i) blockStrides[i].push_back(strides[i][d]);
  }
  if (ext.empty()) {  // every extent is 1: a single element
    plan.inner = 1;
    return plan;
  }
  plan.inner = ext[0];
  for (size_t i = 0; i < k; ++i) {
    // Extents after the innermost kept dimension are all 1, so a walked operand has stride 1.
    if (blockStrides[i][0] != 0 && blockStrides[i][0] != 1)
      fail(StatusCode::kInternal, "broadcast plan: unexpected inner stride ", blockStrides[i][0]);
    plan.innerStride[i] = blockStrides[i][0];
  }
  for (size_t b = ext.size(); b-- > 1;) {
    plan.outer.push_back(ext[b]);
    for (size_t i = 0; i < k; ++i) plan.outerStrides[i].push_back(blockStrides[i][b]);
  }
  return plan;
}

}  // namespace ew
}  // namespace trtn
