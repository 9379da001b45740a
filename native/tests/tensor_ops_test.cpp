// Standalone test of the tensor ops (ops/TensorOps.cpp and the files it registers) against naive
// loops in double. Inputs enter the graph through CONSTANT nodes, so shape inputs have known
// values and shape inference runs exactly as at execution time (including value tracking); then
// the op's kernel runs on the global thread pool. Build from the repository root:
//   g++ -O1 -std=c++17 -pthread -Inative/engine native/tests/tensor_ops_test.cpp
//     native/engine/{Status,DataType,Graph,ThreadPool,Inference,OpRegistry}.cpp
//     native/engine/cpu/{KernelUtil,Gemm}.cpp native/engine/ops/Basic.cpp
//     native/engine/ops/{TensorOps,MatrixMultiply,Shuffle,Concatenation,SoftMax,Reduce,Scale,Slice,
//       Gather,Normalization,Resize,TopK,Padding}.cpp -o /tmp/tensor_ops_test
// OpRegistry.cpp calls the registration functions of op families built elsewhere; they are
// stubbed below as no-ops.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "Inference.h"
#include "Ops.h"
#include "cpu/KernelUtil.h"

namespace trtn {
void registerConvolution() {}
void registerDeconvolution() {}
void registerPooling() {}
void registerElementwiseOps() {}
}  // namespace trtn

using namespace trtn;

static int g_failures = 0, g_checks = 0;
#define CHECK(cond, ...)                               \
  do {                                                 \
    ++g_checks;                                        \
    if (!(cond)) {                                     \
      ++g_failures;                                    \
      std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      std::printf(__VA_ARGS__);                        \
      std::printf("\n");                               \
    }                                                  \
  } while (0)

static std::mt19937 rng(1234);

// ---- host tensors ------------------------------------------------------------------------------

struct HT {
  DataType type = DataType::kFLOAT;
  Dims dims;
  std::vector<double> v;  // values exactly representable in `type`
  int64_t n() const { return volume(dims); }
  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> b(static_cast<size_t>(byteSizeOf(type, std::max<int64_t>(n(), 0))));
    for (int64_t i = 0; i < n(); ++i) {
      if (isFloatType(type)) storeFromDouble(b.data(), type, i, v[i]);
      else storeFromInt64(b.data(), type, i, static_cast<int64_t>(v[i]));
    }
    return b;
  }
};

static double roundTo(DataType t, double x) {
  switch (t) {
    case DataType::kFLOAT: return static_cast<float>(x);
    case DataType::kHALF: return halfToFloat(floatToHalf(static_cast<float>(x)));
    case DataType::kBF16: return bf16ToFloat(floatToBf16(static_cast<float>(x)));
    case DataType::kBOOL: return x != 0 ? 1 : 0;
    default: return std::nearbyint(x);
  }
}

static HT make(DataType t, Dims d, std::vector<double> vals) {
  HT h{t, std::move(d), std::move(vals)};
  if (static_cast<int64_t>(h.v.size()) != h.n()) {
    std::printf("test bug: %zu values for dims %s\n", h.v.size(), dimsToString(h.dims).c_str());
    std::abort();
  }
  for (auto& x : h.v) x = roundTo(t, x);
  return h;
}

static HT rnd(DataType t, Dims d, double lo = -2, double hi = 2) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> vals(static_cast<size_t>(volume(d)));
  for (auto& x : vals) {
    x = u(rng);
    if (t == DataType::kBOOL) x = x > (lo + hi) / 2;
    else if (!isFloatType(t)) x = std::floor(x);
  }
  return make(t, std::move(d), std::move(vals));
}

static HT ints(DataType t, std::vector<int64_t> vals, Dims d = {-2}) {
  if (!d.empty() && d[0] == -2) d = {static_cast<int64_t>(vals.size())};
  return make(t, d, std::vector<double>(vals.begin(), vals.end()));
}


static std::vector<int64_t> unravel(int64_t i, const Dims& d) {
  std::vector<int64_t> idx(d.size());
  for (int64_t k = static_cast<int64_t>(d.size()) - 1; k >= 0; --k) {
    idx[k] = i % d[k];
    i /= d[k];
  }
  return idx;
}
static int64_t ravel(const std::vector<int64_t>& idx, const Dims& d) {
  int64_t i = 0;
  for (size_t k = 0; k < d.size(); ++k) i = i * d[k] + idx[k];
  return i;
}

// ---- running one node --------------------------------------------------------------------------

struct Result {
  std::vector<HT> outs;
  std::vector<std::optional<std::vector<int64_t>>> values;  // tracked by inference
  std::string impl;
};

static Node makeNode(LayerType type, std::map<std::string, AttrValue> attrs = {}) {
  Node n;
  n.name = "op";
  n.type = type;
  n.attrs = std::move(attrs);
  return n;
}

static Weights weightsOf(const HT& h) {
  std::vector<uint8_t> b = h.bytes();
  return Weights::owned(h.type, h.n(), b.data());
}

// Builds CONSTANT producers for every present input, infers (runtime mode) and runs the kernel.
static Result run(Node node, const std::vector<const HT*>& ins, int numOutputs = 1) {
  Graph g;
  node.inputs.clear();
  for (size_t i = 0; i < ins.size(); ++i) {
    if (!ins[i]) {
      node.inputs.push_back(-1);
      continue;
    }
    Node c = makeNode(LayerType::kCONSTANT);
    c.name = "const" + std::to_string(i);
    c.attrs["weights"] = weightsOf(*ins[i]);
    c.attrs["shape"] = std::vector<int64_t>(ins[i]->dims.begin(), ins[i]->dims.end());
    c.attrs["weightsType"] = static_cast<int64_t>(ins[i]->type);
    int32_t id = g.addNode(c, 1);
    node.inputs.push_back(g.nodes[id].outputs[0]);
  }
  int32_t nid = g.addNode(node, numOutputs);
  const Node& n = g.nodes[nid];
  ShapeState st = inferShapes(g, g.topologicalOrder(), {}, true);
  const OpDef& def = opDef(n.type);
  std::vector<DataType> inTypes, outTypes;
  std::vector<Dims> inDims, outDims;
  for (size_t i = 0; i < ins.size(); ++i) {
    inTypes.push_back(ins[i] ? ins[i]->type : DataType::kFLOAT);
    inDims.push_back(ins[i] ? ins[i]->dims : Dims{});
  }
  Result r;
  for (int32_t t : n.outputs) {
    outTypes.push_back(st.types[t]);
    outDims.push_back(st.dims[t]);
    r.values.push_back(st.values[t]);
  }
  auto kernel = def.createCpu(n, inTypes, outTypes);
  r.impl = kernel->implementation();
  // Exact-size heap buffers so that AddressSanitizer sees any overrun.
  std::vector<std::unique_ptr<uint8_t[]>> inBuf, outBuf;
  KernelIO io;
  io.pool = &ThreadPool::global();
  for (size_t i = 0; i < ins.size(); ++i) {
    TensorRef ref;
    ref.type = inTypes[i];
    ref.dims = inDims[i];
    if (ins[i]) {
      std::vector<uint8_t> b = ins[i]->bytes();
      inBuf.emplace_back(new uint8_t[b.size() + 1]);
      if (!b.empty()) std::memcpy(inBuf.back().get(), b.data(), b.size());
      ref.data = inBuf.back().get();
    }
    io.in.push_back(ref);
  }
  for (size_t o = 0; o < outTypes.size(); ++o) {
    size_t bytes = static_cast<size_t>(byteSizeOf(outTypes[o], volume(outDims[o])));
    outBuf.emplace_back(new uint8_t[bytes + 1]);
    std::memset(outBuf.back().get(), 0xCD, bytes);
    TensorRef ref;
    ref.type = outTypes[o];
    ref.dims = outDims[o];
    ref.data = outBuf.back().get();
    io.out.push_back(ref);
  }
  size_t ws = kernel->workspaceBytes(inDims, outDims);
  std::unique_ptr<uint8_t[]> wsBuf(ws ? new uint8_t[ws] : nullptr);
  io.workspace = wsBuf.get();
  io.workspaceBytes = ws;
  kernel->run(io);
  for (size_t o = 0; o < outTypes.size(); ++o) {
    HT h;
    h.type = outTypes[o];
    h.dims = outDims[o];
    h.v.resize(static_cast<size_t>(volume(outDims[o])));
    for (int64_t i = 0; i < h.n(); ++i) h.v[i] = loadAsDouble(io.out[o].data, h.type, i);
    r.outs.push_back(std::move(h));
  }
  return r;
}

// Build-time inference with network inputs of the given (possibly -1) dims.
static std::vector<Dims> inferBuild(Node node, const std::vector<std::pair<DataType, Dims>>& ins, int numOutputs = 1) {
  Graph g;
  node.inputs.clear();
  for (size_t i = 0; i < ins.size(); ++i) {
    TensorDesc t;
    t.name = "in" + std::to_string(i);
    t.type = ins[i].first;
    t.dims = ins[i].second;
    t.isInput = true;
    int32_t id = g.addTensor(t);
    g.inputs.push_back(id);
    node.inputs.push_back(id);
  }
  int32_t nid = g.addNode(node, numOutputs);
  ShapeState st = inferShapes(g, g.topologicalOrder(), {}, false);
  std::vector<Dims> out;
  for (int32_t t : g.nodes[nid].outputs) out.push_back(st.dims[t]);
  return out;
}

static std::string expectError(const std::function<void()>& fn, const char* needle, const char* what) {
  try {
    fn();
  } catch (const EngineError& e) {
    CHECK(std::string(e.what()).find(needle) != std::string::npos, "%s: error '%s' lacks '%s'", what, e.what(),
          needle);
    return e.what();
  }
  CHECK(false, "%s: expected an error containing '%s'", what, needle);
  return "";
}

static double tolFor(DataType t) {
  switch (t) {
    case DataType::kHALF: return 1e-2;
    case DataType::kBF16: return 6e-2;
    case DataType::kFLOAT: return 1e-4;
    default: return 0;
  }
}

// Compares against a reference computed in double (rounded to the output type for exact types).
static void expectClose(const HT& got, const Dims& dims, const std::vector<double>& ref, const char* what,
                        double tol = -1) {
  if (tol < 0) tol = tolFor(got.type);
  CHECK(got.dims == dims, "%s: dims %s, expected %s", what, dimsToString(got.dims).c_str(), dimsToString(dims).c_str());
  if (got.dims != dims || static_cast<int64_t>(ref.size()) != got.n()) return;
  double worst = 0;
  int64_t at = -1;
  for (int64_t i = 0; i < got.n(); ++i) {
    double r = ref[i], x = got.v[i];
    if (std::isnan(r) && std::isnan(x)) continue;
    double err = std::fabs(x - r) / std::max(1.0, std::fabs(r));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  CHECK(worst <= tol, "%s: max rel error %g at %lld (got %g, want %g)", what, worst, static_cast<long long>(at),
        at >= 0 ? got.v[at] : 0.0, at >= 0 ? ref[at] : 0.0);
}

static void expectExact(const HT& got, const Dims& dims, const std::vector<double>& ref, const char* what) {
  expectClose(got, dims, ref, what, 0.0);
}

static std::string tag(const char* base, DataType t, const Dims& d) {
  return std::string(base) + " " + dataTypeName(t) + " " + dimsToString(d);
}

static const DataType kAllTypes[] = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16, DataType::kINT8,
                                     DataType::kUINT8, DataType::kINT32, DataType::kINT64, DataType::kBOOL};
static const DataType kFloatTypes[] = {DataType::kFLOAT, DataType::kHALF, DataType::kBF16};

static HT rndFor(DataType t, Dims d) {
  if (t == DataType::kUINT8) return rnd(t, d, 0, 200);
  if (t == DataType::kINT8) return rnd(t, d, -100, 100);
  if (t == DataType::kINT32 || t == DataType::kINT64) return rnd(t, d, -100000, 100000);
  return rnd(t, d);
}

// ================================================================================================
// MATRIX_MULTIPLY

static std::vector<double> refMatmul(const HT& a, int64_t opA, const HT& b, int64_t opB, Dims& outDims,
                                     const HT* bias = nullptr, int act = -1) {
  // Expand vectors to matrices: A [.., K] -> [.., 1, K]; B [.., K] -> [.., K, 1].
  Dims ad = a.dims, bd = b.dims;
  if (opA == 2) ad.insert(ad.end() - 1, 1);
  if (opB == 2) bd.push_back(1);
  size_t r = ad.size();
  bool ta = opA == 1, tb = opB == 1;
  int64_t M = ta ? ad[r - 1] : ad[r - 2], K = ta ? ad[r - 2] : ad[r - 1];
  int64_t N = tb ? bd[r - 2] : bd[r - 1];
  Dims batch;
  for (size_t i = 0; i + 2 < r; ++i) batch.push_back(std::max(ad[i], bd[i]));
  outDims = batch;
  if (opA != 2) outDims.push_back(M);
  if (opB != 2) outDims.push_back(N);
  int64_t nb = volume(batch);
  std::vector<double> out(static_cast<size_t>(nb * M * N));
  for (int64_t bi = 0; bi < nb; ++bi) {
    auto idx = unravel(bi, batch);
    int64_t aOff = 0, bOff = 0;
    for (size_t k = 0; k < batch.size(); ++k) {
      aOff = aOff * ad[k] + (ad[k] == 1 ? 0 : idx[k]);
      bOff = bOff * bd[k] + (bd[k] == 1 ? 0 : idx[k]);
    }
    aOff *= M * K;
    bOff *= K * N;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double s = 0;
        for (int64_t k = 0; k < K; ++k) {
          double x = a.v[aOff + (ta ? k * M + m : m * K + k)];
          double y = b.v[bOff + (tb ? n * K + k : k * N + n)];
          s += x * y;
        }
        out[(bi * M + m) * N + n] = s;
      }
  }
  if (bias || act >= 0) {
    int64_t last = outDims.empty() ? 1 : outDims.back();
    for (size_t i = 0; i < out.size(); ++i) {
      if (bias) out[i] += bias->v[bias->n() == 1 ? 0 : static_cast<int64_t>(i) % last];
      if (act == 0) out[i] = std::max(0.0, out[i]);
    }
  }
  return out;
}

static void testMatmul() {
  struct Case {
    Dims a, b;
    int64_t opA, opB;
  };
  std::vector<Case> cases = {
      {{3, 4}, {4, 5}, 0, 0},          {{2, 3, 4}, {2, 4, 5}, 0, 0},      {{2, 1, 3, 4}, {1, 3, 4, 5}, 0, 0},
      {{4, 3}, {4, 5}, 1, 0},          {{3, 4}, {5, 4}, 0, 1},            {{2, 4, 3}, {2, 5, 4}, 1, 1},
      {{5}, {5, 3}, 2, 0},             {{2, 4}, {4}, 0, 2},               {{3, 4}, {3, 4}, 2, 2},
      {{6, 7}, {1, 3, 7}, 2, 1},         {{37, 61}, {61, 45}, 0, 0},        {{3, 20, 33}, {33, 17}, 0, 0},
      {{4, 1, 8, 16}, {1, 5, 16, 9}, 0, 0}, {{2, 3, 0}, {2, 0, 4}, 0, 0}, {{130, 70}, {50, 70}, 0, 1},
      {{2, 70, 30}, {1, 70, 50}, 1, 0},
  };
  // Rank-2 B with rank-3 A: fix to equal ranks for the broadcast case.
  cases[11].b = {1, 33, 17};
  for (DataType t : {DataType::kFLOAT, DataType::kHALF, DataType::kBF16, DataType::kINT32}) {
    for (const Case& c : cases) {
      HT a = t == DataType::kINT32 ? rnd(t, c.a, -20, 20) : rnd(t, c.a);
      HT b = t == DataType::kINT32 ? rnd(t, c.b, -20, 20) : rnd(t, c.b);
      Node n = makeNode(LayerType::kMATRIX_MULTIPLY, {{"op0", c.opA}, {"op1", c.opB}});
      Dims od;
      std::vector<double> ref = refMatmul(a, c.opA, b, c.opB, od);
      Result r = run(n, {&a, &b});
      double tol = t == DataType::kINT32 ? 0 : tolFor(t) * 4;
      expectClose(r.outs[0], od, ref, tag("matmul", t, c.a).c_str(), tol);
    }
  }
  // Bias (input 2) and fused ReLU; bias of one value; constant B folded into the node.
  for (DataType t : kFloatTypes) {
    HT a = rnd(t, {2, 5, 12}), b = rnd(t, {1, 12, 7});
    HT bias = rnd(t, {1, 1, 7}), bias1 = rnd(t, {1, 1, 1});
    Node n = makeNode(LayerType::kMATRIX_MULTIPLY, {{"fusedActivation", int64_t{0}}});
    Dims od;
    std::vector<double> ref = refMatmul(a, 0, b, 0, od, &bias, 0);
    expectClose(run(n, {&a, &b, &bias}).outs[0], od, ref, tag("matmul bias relu", t, a.dims).c_str(), tolFor(t) * 4);
    ref = refMatmul(a, 0, b, 0, od, &bias1, 0);
    expectClose(run(n, {&a, &b, &bias1}).outs[0], od, ref, tag("matmul scalar bias", t, a.dims).c_str(),
                tolFor(t) * 4);
    // B as constantB (float weights), input 1 absent and present.
    HT bf = rnd(DataType::kFLOAT, {1, 12, 7});
    HT bft = make(t, bf.dims, bf.v);
    Node nc = makeNode(LayerType::kMATRIX_MULTIPLY, {{"constantB", weightsOf(bf)},
                                                     {"constantBDims", std::vector<int64_t>{1, 12, 7}},
                                                     {"fusedActivation", int64_t{0}}});
    std::vector<double> refc = refMatmul(a, 0, bf, 0, od, &bias, 0);
    Result rc = run(nc, {&a, nullptr, &bias});
    expectClose(rc.outs[0], od, refc, tag("matmul constantB absent input", t, a.dims).c_str(), tolFor(t) * 4);
    CHECK(rc.impl == "gemm-prepacked", "constantB impl %s", rc.impl.c_str());
    if (t == DataType::kFLOAT) {
      Result rc2 = run(nc, {&a, &bft, &bias});
      expectClose(rc2.outs[0], od, refc, "matmul constantB with input 1", tolFor(t) * 4);
    }
  }
  // Batched constant B, transposed, with broadcasting A batch.
  {
    HT a = rnd(DataType::kFLOAT, {3, 1, 6, 10}), b = rnd(DataType::kFLOAT, {1, 4, 9, 10});
    Node nc = makeNode(LayerType::kMATRIX_MULTIPLY, {{"op1", int64_t{1}},
                                                     {"constantB", weightsOf(b)},
                                                     {"constantBDims", std::vector<int64_t>{1, 4, 9, 10}}});
    Dims od;
    std::vector<double> ref = refMatmul(a, 0, b, 1, od);
    expectClose(run(nc, {&a, nullptr}).outs[0], od, ref, "matmul batched constantB transposed");
    // Constant vector B.
    HT bv = rnd(DataType::kFLOAT, {10});
    Node nv = makeNode(LayerType::kMATRIX_MULTIPLY, {{"op1", int64_t{2}},
                                                     {"constantB", weightsOf(bv)},
                                                     {"constantBDims", std::vector<int64_t>{10}}});
    HT a2 = rnd(DataType::kFLOAT, {6, 10});
    ref = refMatmul(a2, 0, bv, 2, od);
    expectClose(run(nv, {&a2, nullptr}).outs[0], od, ref, "matmul constant vector B");
  }
  // Per-row bias (B a vector) and bias with both vectors; K == 0 with bias.
  {
    HT a = rnd(DataType::kFLOAT, {3, 4, 6}), b = rnd(DataType::kFLOAT, {3, 6}), bias = rnd(DataType::kFLOAT, {1, 4});
    Node n = makeNode(LayerType::kMATRIX_MULTIPLY, {{"op1", int64_t{2}}});
    Dims od;
    std::vector<double> ref = refMatmul(a, 0, b, 2, od, &bias);
    expectClose(run(n, {&a, &b, &bias}).outs[0], od, ref, "matmul per-row bias");
    HT va = rnd(DataType::kFLOAT, {5, 6}), vb = rnd(DataType::kFLOAT, {5, 6}), vbias = rnd(DataType::kFLOAT, {5});
    Node nvv = makeNode(LayerType::kMATRIX_MULTIPLY, {{"op0", int64_t{2}}, {"op1", int64_t{2}}});
    ref = refMatmul(va, 2, vb, 2, od, &vbias);
    expectClose(run(nvv, {&va, &vb, &vbias}).outs[0], od, ref, "matmul vector.vector bias");
    HT za = rnd(DataType::kFLOAT, {3, 0}), zb = rnd(DataType::kFLOAT, {0, 4}), zbias = rnd(DataType::kFLOAT, {1, 4});
    Node nz = makeNode(LayerType::kMATRIX_MULTIPLY, {{"fusedActivation", int64_t{0}}});
    ref = refMatmul(za, 0, zb, 0, od, &zbias, 0);
    expectClose(run(nz, {&za, &zb, &zbias}).outs[0], od, ref, "matmul K=0 bias relu");
  }
  // Build-time dims and errors.
  {
    Node n = makeNode(LayerType::kMATRIX_MULTIPLY, {{"op0", int64_t{1}}});
    auto d = inferBuild(n, {{DataType::kFLOAT, {-1, 8, 3}}, {DataType::kFLOAT, {1, 8, -1}}});
    CHECK(d[0] == (Dims{-1, 3, -1}), "matmul build dims %s", dimsToString(d[0]).c_str());
    expectError([&] { inferBuild(makeNode(LayerType::kMATRIX_MULTIPLY), {{DataType::kFLOAT, {2, 3}}, {DataType::kFLOAT, {4, 5}}}); },
                "inner dimensions differ", "matmul K mismatch");
    expectError([&] { inferBuild(makeNode(LayerType::kMATRIX_MULTIPLY), {{DataType::kFLOAT, {2, 2, 3}}, {DataType::kFLOAT, {3, 5}}}); },
                "batch dims", "matmul rank mismatch");
    expectError([&] { inferBuild(makeNode(LayerType::kMATRIX_MULTIPLY), {{DataType::kFLOAT, {2, 2, 3}}, {DataType::kFLOAT, {3, 3, 5}}}); },
                "do not broadcast", "matmul batch mismatch");
  }
}

// ================================================================================================
// SHUFFLE

static std::vector<double> refTranspose(const std::vector<double>& x, const Dims& d, const std::vector<int64_t>& p,
                                        Dims& od) {
  od.resize(p.size());
  for (size_t i = 0; i < p.size(); ++i) od[i] = d[p[i]];
  std::vector<double> out(x.size());
  for (int64_t i = 0; i < volume(od); ++i) {
    auto o = unravel(i, od);
    std::vector<int64_t> in(d.size());
    for (size_t k = 0; k < p.size(); ++k) in[p[k]] = o[k];
    out[i] = x[ravel(in, d)];
  }
  return out;
}

static void testShuffle() {
  for (DataType t : kAllTypes) {
    HT x = rndFor(t, {2, 3, 4, 5});
    // Transpose only.
    for (auto p : std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {3, 2, 1, 0}, {0, 2, 3, 1}, {1, 0, 2, 3}, {0, 1, 3, 2}}) {
      Node n = makeNode(LayerType::kSHUFFLE, {{"firstTranspose", p}});
      Dims od;
      auto ref = refTranspose(x.v, x.dims, p, od);
      expectExact(run(n, {&x}).outs[0], od, ref, tag("shuffle transpose", t, x.dims).c_str());
    }
    // Transpose, reshape (0 and -1), transpose.
    Node n = makeNode(LayerType::kSHUFFLE, {{"firstTranspose", std::vector<int64_t>{0, 3, 1, 2}},
                                            {"reshapeDims", std::vector<int64_t>{0, -1, 4}},
                                            {"secondTranspose", std::vector<int64_t>{2, 0, 1}}});
    Dims t1;
    auto r1 = refTranspose(x.v, x.dims, {0, 3, 1, 2}, t1);
    Dims od;
    auto ref = refTranspose(r1, {2, 15, 4}, {2, 0, 1}, od);
    expectExact(run(n, {&x}).outs[0], od, ref, tag("shuffle transpose-reshape-transpose", t, x.dims).c_str());
  }
  // Reshape from a shape tensor (INT64 and INT32), zeroIsPlaceholder, value tracking.
  {
    HT x = rnd(DataType::kFLOAT, {4, 6});
    HT shape = ints(DataType::kINT64, {2, 0, -1});
    Result r = run(makeNode(LayerType::kSHUFFLE), {&x, &shape});
    expectExact(r.outs[0], {2, 6, 2}, x.v, "shuffle reshape tensor");
    HT shape32 = ints(DataType::kINT32, {3, 8});
    r = run(makeNode(LayerType::kSHUFFLE, {{"zeroIsPlaceholder", int64_t{0}}}), {&x, &shape32});
    expectExact(r.outs[0], {3, 8}, x.v, "shuffle reshape tensor int32");
    HT e = rnd(DataType::kFLOAT, {0, 4});
    r = run(makeNode(LayerType::kSHUFFLE, {{"reshapeDims", std::vector<int64_t>{4, 0}}, {"zeroIsPlaceholder", int64_t{0}}}),
            {&e});
    CHECK(r.outs[0].dims == (Dims{4, 0}), "shuffle zero dim %s", dimsToString(r.outs[0].dims).c_str());
    HT iv = ints(DataType::kINT32, {1, 2, 3, 4, 5, 6}, {2, 3});
    r = run(makeNode(LayerType::kSHUFFLE, {{"firstTranspose", std::vector<int64_t>{1, 0}}}), {&iv});
    std::vector<int64_t> want = {1, 4, 2, 5, 3, 6};
    CHECK(r.values[0] && *r.values[0] == want, "shuffle value tracking");
    expectExact(r.outs[0], {3, 2}, {1, 4, 2, 5, 3, 6}, "shuffle int transpose");
    // Scalar <-> [1].
    HT s = make(DataType::kFLOAT, {}, {3.5});
    r = run(makeNode(LayerType::kSHUFFLE, {{"reshapeDims", std::vector<int64_t>{1, 1}}}), {&s});
    expectExact(r.outs[0], {1, 1}, {3.5}, "shuffle scalar to [1,1]");
    // Permutation of MAX_DIMS entries with an identity tail.
    r = run(makeNode(LayerType::kSHUFFLE, {{"firstTranspose", std::vector<int64_t>{1, 0, 2, 3, 4, 5, 6, 7}}}), {&x});
    Dims od;
    expectExact(r.outs[0], {6, 4}, refTranspose(x.v, x.dims, {1, 0}, od), "shuffle long permutation");
    // Large transpose exercising tiles.
    HT big = rnd(DataType::kFLOAT, {3, 77, 129});
    r = run(makeNode(LayerType::kSHUFFLE, {{"firstTranspose", std::vector<int64_t>{2, 0, 1}}}), {&big});
    expectExact(r.outs[0], {129, 3, 77}, refTranspose(big.v, big.dims, {2, 0, 1}, od), "shuffle big transpose");
  }
  // Build-time dims and errors.
  {
    auto d = inferBuild(makeNode(LayerType::kSHUFFLE, {{"reshapeDims", std::vector<int64_t>{0, -1}}}),
                        {{DataType::kFLOAT, {-1, 3, 4}}});
    CHECK(d[0] == (Dims{-1, -1}), "shuffle build dims %s", dimsToString(d[0]).c_str());
    d = inferBuild(makeNode(LayerType::kSHUFFLE, {{"reshapeDims", std::vector<int64_t>{0, 12}}}), {{DataType::kFLOAT, {-1, 3, 4}}});
    CHECK(d[0] == (Dims{-1, 12}), "shuffle build dims 2 %s", dimsToString(d[0]).c_str());
    d = inferBuild(makeNode(LayerType::kSHUFFLE), {{DataType::kFLOAT, {2, 6}}, {DataType::kINT64, {3}}});
    CHECK(d[0] == (Dims{-1, -1, -1}), "shuffle unknown shape tensor %s", dimsToString(d[0]).c_str());
    expectError([&] { inferBuild(makeNode(LayerType::kSHUFFLE, {{"reshapeDims", std::vector<int64_t>{-1, -1}}}), {{DataType::kFLOAT, {2, 6}}}); },
                "more than one -1", "shuffle two -1");
    expectError([&] { inferBuild(makeNode(LayerType::kSHUFFLE, {{"reshapeDims", std::vector<int64_t>{5, 3}}}), {{DataType::kFLOAT, {2, 6}}}); },
                "cannot reshape", "shuffle volume");
    expectError([&] { inferBuild(makeNode(LayerType::kSHUFFLE, {{"firstTranspose", std::vector<int64_t>{0, 0}}}), {{DataType::kFLOAT, {2, 6}}}); },
                "not a permutation", "shuffle bad permutation");
  }
}

// ================================================================================================
// CONCATENATION

static void testConcat() {
  for (DataType t : kAllTypes) {
    for (int64_t axis : {0, 1, 2, -1, 99}) {
      Dims d0 = {2, 3, 4}, d1 = d0, d2 = d0;
      int64_t ax = axis == 99 ? 0 : (axis < 0 ? axis + 3 : axis);  // 99: attribute absent -> rank-3 = 0
      d1[ax] = 5;
      d2[ax] = 1;
      HT a = rndFor(t, d0), b = rndFor(t, d1), c = rndFor(t, d2);
      Node n = makeNode(LayerType::kCONCATENATION);
      if (axis != 99) n.attrs["axis"] = axis;
      Dims od = d0;
      od[ax] = d0[ax] + d1[ax] + d2[ax];
      std::vector<double> ref(static_cast<size_t>(volume(od)));
      for (int64_t i = 0; i < volume(od); ++i) {
        auto idx = unravel(i, od);
        int64_t k = idx[ax];
        const HT* src = &a;
        if (k >= d0[ax]) {
          k -= d0[ax];
          src = &b;
          if (k >= d1[ax]) {
            k -= d1[ax];
            src = &c;
          }
        }
        idx[ax] = k;
        ref[i] = src->v[ravel(idx, src->dims)];
      }
      expectExact(run(n, {&a, &b, &c}).outs[0], od, ref, tag("concat", t, od).c_str());
    }
  }
  {
    HT a = ints(DataType::kINT64, {1, 2}), b = ints(DataType::kINT64, {7});
    Result r = run(makeNode(LayerType::kCONCATENATION, {{"axis", int64_t{0}}}), {&a, &b});
    CHECK(r.values[0] && *r.values[0] == (std::vector<int64_t>{1, 2, 7}), "concat value tracking");
    auto d = inferBuild(makeNode(LayerType::kCONCATENATION, {{"axis", int64_t{1}}}),
                        {{DataType::kFLOAT, {-1, 3, 4}}, {DataType::kFLOAT, {2, -1, 4}}, {DataType::kFLOAT, {2, 5, -1}}});
    CHECK(d[0] == (Dims{2, -1, 4}), "concat build dims %s", dimsToString(d[0]).c_str());
    expectError([&] { inferBuild(makeNode(LayerType::kCONCATENATION, {{"axis", int64_t{1}}}), {{DataType::kFLOAT, {2, 3}}, {DataType::kFLOAT, {3, 3}}}); },
                "must agree", "concat mismatch");
    expectError([&] { inferBuild(makeNode(LayerType::kCONCATENATION, {{"axis", int64_t{2}}}), {{DataType::kFLOAT, {2, 3}}}); },
                "out of range", "concat axis");
    expectError([&] { inferBuild(makeNode(LayerType::kCONCATENATION), {{DataType::kFLOAT, {2, 3}}, {DataType::kINT32, {2, 3}}}); },
                "type", "concat types");
  }
}

// ================================================================================================
// SOFTMAX

static void testSoftmax() {
  for (DataType t : kFloatTypes) {
    for (Dims d : {Dims{7}, Dims{3, 5}, Dims{2, 3, 4}, Dims{2, 3, 70, 5}, Dims{4, 300}}) {
      for (size_t ax = 0; ax < d.size(); ++ax) {
        HT x = rnd(t, d, -8, 8);
        if (ax == 0 && d.size() == 2) x.v[0] = roundTo(t, 1000.0);  // stability
        if (d.size() == 2) x.v[1] = -INFINITY;                        // masked entries give 0
        if (d.size() == 4) x.v[5] = -1000;
        Node n = makeNode(LayerType::kSOFTMAX, {{"axes", int64_t{1} << ax}});
        std::vector<double> ref(x.v.size());
        int64_t A = d[ax], inner = 1;
        for (size_t k = ax + 1; k < d.size(); ++k) inner *= d[k];
        for (int64_t i = 0; i < x.n(); ++i) {
          int64_t a = (i / inner) % A, base = i - a * inner;
          double mx = -INFINITY, s = 0;
          for (int64_t j = 0; j < A; ++j) mx = std::max(mx, x.v[base + j * inner]);
          for (int64_t j = 0; j < A; ++j) s += std::exp(x.v[base + j * inner] - mx);
          ref[i] = std::exp(x.v[i] - mx) / s;
        }
        expectClose(run(n, {&x}).outs[0], d, ref, tag("softmax", t, d).c_str());
      }
    }
  }
  {
    // Default axis: rank-3 for rank >= 3.
    HT x = rnd(DataType::kFLOAT, {2, 3, 4, 5});
    Result r = run(makeNode(LayerType::kSOFTMAX), {&x});
    double s = 0;
    for (int64_t c = 0; c < 3; ++c) s += r.outs[0].v[c * 20 + 7];
    CHECK(std::fabs(s - 1) < 1e-5, "softmax default axis sums to %g", s);
    // A fully masked row (all -inf) gives NaN, like exp(-inf - -inf); a NaN input poisons its row only.
    HT m = make(DataType::kFLOAT, {3, 4}, {-INFINITY, -INFINITY, -INFINITY, -INFINITY, 1, NAN, 2, 3, 0, 0, 0, -INFINITY});
    Result rm = run(makeNode(LayerType::kSOFTMAX, {{"axes", int64_t{2}}}), {&m});
    bool ok = true;
    for (int i = 0; i < 8; ++i) ok = ok && std::isnan(rm.outs[0].v[i]);
    ok = ok && std::fabs(rm.outs[0].v[8] - 1.0 / 3) < 1e-6 && rm.outs[0].v[11] == 0;
    CHECK(ok, "softmax masked rows");
    expectError([&] { inferBuild(makeNode(LayerType::kSOFTMAX, {{"axes", int64_t{3}}}), {{DataType::kFLOAT, {2, 3}}}); },
                "exactly one bit", "softmax two axes");
    expectError([&] { inferBuild(makeNode(LayerType::kSOFTMAX, {{"axes", int64_t{4}}}), {{DataType::kFLOAT, {2, 3}}}); },
                "outside", "softmax axis range");
    expectError([&] { inferBuild(makeNode(LayerType::kSOFTMAX), {{DataType::kINT32, {2, 3}}}); }, "not supported",
                "softmax int");
  }
}

// ================================================================================================
// REDUCE

static void testReduce() {
  const DataType types[] = {DataType::kFLOAT, DataType::kHALF, DataType::kBF16, DataType::kINT32, DataType::kINT64};
  for (DataType t : types) {
    for (Dims d : {Dims{6}, Dims{3, 5}, Dims{2, 3, 4}, Dims{2, 3, 4, 5}, Dims{2, 1, 33, 40}}) {
      int64_t r = static_cast<int64_t>(d.size());
      for (int64_t mask = 0; mask < (int64_t{1} << r); ++mask) {
        if (r == 4 && mask % 3 != 0) continue;  // a sample of the masks for rank 4
        for (int64_t op = 0; op <= 4; ++op) {
          bool keep = (mask + op) % 2 == 0;
          HT x = isFloatType(t) ? rnd(t, d, op == 1 ? 0.5 : -2, op == 1 ? 1.5 : 2) : rnd(t, d, op == 1 ? -3 : -50, op == 1 ? 4 : 50);
          Node n = makeNode(LayerType::kREDUCE, {{"op", op}, {"axes", mask}, {"keepDims", int64_t{keep}}});
          Dims od, kd;
          for (int64_t k = 0; k < r; ++k) {
            bool red = (mask >> k) & 1;
            if (!red) od.push_back(d[k]);
            else if (keep) od.push_back(1);
            kd.push_back(red ? 1 : d[k]);
          }
          int64_t no = volume(kd);
          std::vector<double> acc(static_cast<size_t>(no), op == 1 ? 1 : op == 2 ? -INFINITY : op == 3 ? INFINITY : 0);
          std::vector<int64_t> cnt(static_cast<size_t>(no), 0);
          for (int64_t i = 0; i < x.n(); ++i) {
            auto idx = unravel(i, d);
            for (int64_t k = 0; k < r; ++k)
              if ((mask >> k) & 1) idx[k] = 0;
            int64_t o = ravel(idx, kd);
            double v = x.v[i];
            if (op == 0 || op == 4) acc[o] += v;
            if (op == 1) acc[o] *= v;
            if (op == 2) acc[o] = std::max(acc[o], v);
            if (op == 3) acc[o] = std::min(acc[o], v);
            ++cnt[o];
          }
          for (int64_t o = 0; o < no; ++o)
            if (op == 4) acc[o] = isFloatType(t) ? acc[o] / cnt[o] : std::trunc(acc[o] / cnt[o]);
          std::string w = tag("reduce", t, d) + " op " + std::to_string(op) + " mask " + std::to_string(mask);
          expectClose(run(n, {&x}).outs[0], od, acc, w.c_str(), isFloatType(t) ? tolFor(t) * 4 : 0);
        }
      }
    }
  }
  {
    auto d = inferBuild(makeNode(LayerType::kREDUCE, {{"op", int64_t{0}}, {"axes", int64_t{2}}, {"keepDims", int64_t{1}}}),
                        {{DataType::kFLOAT, {-1, -1, 3}}});
    CHECK(d[0] == (Dims{-1, 1, 3}), "reduce build dims %s", dimsToString(d[0]).c_str());
    HT s = ints(DataType::kINT64, {2, 3, 4});
    Result r = run(makeNode(LayerType::kREDUCE, {{"op", int64_t{1}}, {"axes", int64_t{1}}}), {&s});
    CHECK(r.values[0] && *r.values[0] == (std::vector<int64_t>{24}), "reduce value tracking");
    expectError([&] { inferBuild(makeNode(LayerType::kREDUCE, {{"axes", int64_t{8}}}), {{DataType::kFLOAT, {2, 3}}}); },
                "outside", "reduce axes range");
    expectError([&] { inferBuild(makeNode(LayerType::kREDUCE, {{"op", int64_t{7}}}), {{DataType::kFLOAT, {2, 3}}}); },
                "ReduceOperation", "reduce op");
  }
}

// ================================================================================================
// SCALE

static void testScale() {
  for (DataType t : kFloatTypes) {
    Dims d = {2, 3, 4, 5};
    for (int64_t mode : {0, 1, 2}) {
      for (int64_t axis : {1, 2, -1}) {
        int64_t ax = axis < 0 ? axis + 4 : axis;
        int64_t cnt = mode == 0 ? 1 : mode == 1 ? d[ax] : volume(Dims(d.begin() + ax, d.end()));
        HT x = rnd(t, d, 0.5, 2);
        HT sc = rnd(DataType::kFLOAT, {cnt}, 0.5, 1.5), sh = rnd(DataType::kFLOAT, {cnt}, 0, 1);
        HT pw = rnd(DataType::kFLOAT, {cnt}, 1, 3);
        for (int variant = 0; variant < 3; ++variant) {
          Node n = makeNode(LayerType::kSCALE, {{"mode", mode}, {"channelAxis", axis}});
          if (variant != 1) n.attrs["scale"] = weightsOf(sc);
          if (variant != 2) n.attrs["shift"] = weightsOf(sh);
          if (variant == 0) n.attrs["power"] = weightsOf(pw);
          std::vector<double> ref(x.v.size());
          int64_t inner = volume(Dims(d.begin() + ax + 1, d.end()));
          for (int64_t i = 0; i < x.n(); ++i) {
            int64_t c = (i / inner) % d[ax];
            int64_t p = mode == 0 ? 0 : mode == 1 ? c : c * inner + i % inner;
            double v = x.v[i];
            if (variant != 1) v *= sc.v[p];
            if (variant != 2) v += sh.v[p];
            if (variant == 0) v = std::pow(v, pw.v[p]);
            ref[i] = v;
          }
          std::string w = tag("scale", t, d) + " mode " + std::to_string(mode) + " axis " + std::to_string(axis) +
                          " variant " + std::to_string(variant);
          expectClose(run(n, {&x}).outs[0], d, ref, w.c_str(), tolFor(t) * 2);
        }
      }
    }
  }
  {
    HT sc = rnd(DataType::kFLOAT, {4});
    expectError([&] { inferBuild(makeNode(LayerType::kSCALE, {{"mode", int64_t{1}}, {"scale", weightsOf(sc)}}), {{DataType::kFLOAT, {2, 3, 4, 5}}}); },
                "needs 3", "scale channel count");
    auto d = inferBuild(makeNode(LayerType::kSCALE, {{"mode", int64_t{1}}, {"scale", weightsOf(sc)}}), {{DataType::kFLOAT, {-1, 4, -1, -1}}});
    CHECK(d[0] == (Dims{-1, 4, -1, -1}), "scale build dims");
  }
}

// ================================================================================================
// SLICE

static int64_t refSample(int64_t c, int64_t d, int64_t mode) {
  if (c >= 0 && c < d) return c;
  if (mode == 3) return -1;
  if (mode == 1) {
    int64_t m = c % d;
    return m < 0 ? m + d : m;
  }
  if (mode == 2) return std::min(std::max<int64_t>(c, 0), d - 1);
  if (mode == 4) {
    if (d == 1) return 0;
    // Reflect about edge elements by walking.
    int64_t x = c;
    while (x < 0 || x >= d) {
      if (x < 0) x = -x;
      if (x >= d) x = 2 * (d - 1) - x;
    }
    return x;
  }
  return -2;
}

static std::vector<double> refSlice(const HT& x, const std::vector<int64_t>& axes, const std::vector<int64_t>& start,
                                    const std::vector<int64_t>& size, const std::vector<int64_t>& stride, int64_t mode,
                                    double fill, Dims& od) {
  od = x.dims;
  std::vector<int64_t> st(x.dims.size(), 0), sd(x.dims.size(), 1);
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t a = axes[k] < 0 ? axes[k] + static_cast<int64_t>(x.dims.size()) : axes[k];
    od[a] = size[k];
    st[a] = start[k];
    sd[a] = stride[k];
  }
  std::vector<double> out(static_cast<size_t>(volume(od)));
  for (int64_t i = 0; i < volume(od); ++i) {
    auto o = unravel(i, od);
    bool isFill = false;
    for (size_t k = 0; k < o.size(); ++k) {
      int64_t s = refSample(st[k] + o[k] * sd[k], x.dims[k], mode);
      if (s < 0) isFill = true;
      o[k] = s;
    }
    out[i] = isFill ? fill : x.v[ravel(o, x.dims)];
  }
  return out;
}

static void testSlice() {
  // Static attributes, all types, all modes.
  for (DataType t : kAllTypes) {
    HT x = rndFor(t, {4, 5, 6});
    struct C {
      std::vector<int64_t> start, size, stride;
      int64_t mode;
    };
    std::vector<C> cases = {
        {{0, 0, 0}, {4, 5, 6}, {1, 1, 1}, 0}, {{1, 2, 0}, {2, 3, 3}, {1, 1, 2}, 0}, {{3, 4, 5}, {4, 5, 6}, {-1, -1, -1}, 0},
        {{-3, 2, 7}, {9, 4, 5}, {1, 2, -3}, 1}, {{-3, 2, 7}, {9, 4, 5}, {1, 2, -3}, 2}, {{-3, 2, 7}, {9, 4, 5}, {1, 2, -3}, 3},
        {{-7, 2, 7}, {15, 4, 11}, {1, 2, -3}, 4}, {{0, 0, 0}, {0, 5, 2}, {1, 1, 1}, 0}, {{2, 0, 0}, {3, 1, 6}, {0, 1, 1}, 0},
    };
    for (const C& c : cases) {
      Node n = makeNode(LayerType::kSLICE, {{"start", c.start}, {"shape", c.size}, {"stride", c.stride}, {"mode", c.mode}});
      Dims od;
      auto ref = refSlice(x, {0, 1, 2}, c.start, c.size, c.stride, c.mode, 0, od);
      std::string w = tag("slice", t, x.dims) + " mode " + std::to_string(c.mode) + " start " + dimsToString(c.start);
      expectExact(run(n, {&x}).outs[0], od, ref, w.c_str());
    }
  }
  // Axes attribute (negative), tensors for start/size/stride/axes, fill value tensor.
  {
    HT x = rnd(DataType::kFLOAT, {3, 4, 5, 6});
    Node n = makeNode(LayerType::kSLICE, {{"start", std::vector<int64_t>{1, -2}}, {"shape", std::vector<int64_t>{3, 2}},
                                          {"stride", std::vector<int64_t>{2, 1}}, {"axes", std::vector<int64_t>{-1, 1}},
                                          {"mode", int64_t{3}}});
    Dims od;
    auto ref = refSlice(x, {3, 1}, {1, -2}, {3, 2}, {2, 1}, 3, 0, od);
    expectExact(run(n, {&x}).outs[0], od, ref, "slice axes attr fill");
    HT start = ints(DataType::kINT64, {1, -2}), size = ints(DataType::kINT32, {3, 2}), stride = ints(DataType::kINT64, {2, 1});
    HT axes = ints(DataType::kINT32, {-1, 1});
    HT fill = make(DataType::kFLOAT, {}, {7.25});
    Node nt = makeNode(LayerType::kSLICE, {{"mode", int64_t{3}}});
    ref = refSlice(x, {3, 1}, {1, -2}, {3, 2}, {2, 1}, 3, 7.25, od);
    expectExact(run(nt, {&x, &start, &size, &stride, &fill, &axes}).outs[0], od, ref, "slice tensors fill value");
    // Only the size as a tensor (start and stride from attributes / defaults).
    HT size3 = ints(DataType::kINT64, {2, 3, 4, 5});
    Node ns = makeNode(LayerType::kSLICE, {{"start", std::vector<int64_t>{1, 1, 1, 1}}});
    ref = refSlice(x, {0, 1, 2, 3}, {1, 1, 1, 1}, {2, 3, 4, 5}, {1, 1, 1, 1}, 0, 0, od);
    expectExact(run(ns, {&x, nullptr, &size3}).outs[0], od, ref, "slice size tensor");
    // Value tracking (a slice of a shape tensor).
    HT shp = ints(DataType::kINT64, {8, 16, 32, 64});
    Result r = run(makeNode(LayerType::kSLICE, {{"start", std::vector<int64_t>{1}}, {"shape", std::vector<int64_t>{2}},
                                                {"stride", std::vector<int64_t>{2}}}),
                   {&shp});
    CHECK(r.values[0] && *r.values[0] == (std::vector<int64_t>{16, 64}), "slice value tracking");
    // Fill with an INT32 tensor into an INT64 output.
    HT xi = ints(DataType::kINT64, {1, 2, 3});
    HT fi = ints(DataType::kINT32, {-9}, {});
    r = run(makeNode(LayerType::kSLICE, {{"start", std::vector<int64_t>{-1}}, {"shape", std::vector<int64_t>{5}},
                                         {"stride", std::vector<int64_t>{1}}, {"mode", int64_t{3}}}),
            {&xi, nullptr, nullptr, nullptr, &fi});
    expectExact(r.outs[0], {5}, {-9, 1, 2, 3, -9}, "slice int fill");
  }
  // Errors and build-time dims.
  {
    Node n = makeNode(LayerType::kSLICE, {{"start", std::vector<int64_t>{0, 3}}, {"shape", std::vector<int64_t>{2, 3}},
                                          {"stride", std::vector<int64_t>{1, 1}}});
    std::string m = expectError([&] { inferBuild(n, {{DataType::kFLOAT, {4, 5}}}); }, "STRICT_BOUNDS", "slice strict");
    CHECK(m.find("reads indices 3 to 5") != std::string::npos, "slice strict message: %s", m.c_str());
    auto d = inferBuild(n, {{DataType::kFLOAT, {-1, -1}}});
    CHECK(d[0] == (Dims{2, 3}), "slice build dims %s", dimsToString(d[0]).c_str());
    d = inferBuild(makeNode(LayerType::kSLICE), {{DataType::kFLOAT, {4, 5}}, {DataType::kINT64, {2}}, {DataType::kINT64, {2}}});
    CHECK(d[0] == (Dims{-1, -1}), "slice unknown size dims %s", dimsToString(d[0]).c_str());
    expectError([&] { inferBuild(makeNode(LayerType::kSLICE, {{"shape", std::vector<int64_t>{2}}}), {{DataType::kFLOAT, {4, 5}}}); },
                "entries", "slice size length");
    expectError([&] { inferBuild(makeNode(LayerType::kSLICE, {{"shape", std::vector<int64_t>{2, 2}}, {"axes", std::vector<int64_t>{1, -1}}}), {{DataType::kFLOAT, {4, 5}}}); },
                "twice", "slice duplicate axes");
    expectError([&] { inferBuild(makeNode(LayerType::kSLICE, {{"shape", std::vector<int64_t>{2, 2}}, {"mode", int64_t{2}}}), {{DataType::kFLOAT, {0, 5}}}); },
                "empty", "slice clamp empty");
    // The kernel also rejects out-of-bounds strict reads (STRICT check at run time).
    HT x = rnd(DataType::kFLOAT, {4});
    HT st = ints(DataType::kINT64, {3});
    expectError([&] { run(makeNode(LayerType::kSLICE, {{"shape", std::vector<int64_t>{2}}}), {&x, &st}); }, "STRICT_BOUNDS",
                "slice strict runtime");
  }
}

// ================================================================================================
// GATHER

static void testGather() {
  for (DataType t : kAllTypes) {
    HT data = rndFor(t, {3, 4, 5});
    for (int64_t axis : {0, 1, 2, -1}) {
      int64_t ax = axis < 0 ? axis + 3 : axis;
      int64_t A = data.dims[ax];
      HT idx = ints(DataType::kINT32, {0, A - 1, -1, 1, -A, A, -A - 1, 2}, {2, 4});  // A, -A-1: out of range
      Dims od(data.dims.begin(), data.dims.begin() + ax);
      od.insert(od.end(), idx.dims.begin(), idx.dims.end());
      od.insert(od.end(), data.dims.begin() + ax + 1, data.dims.end());
      std::vector<double> ref(static_cast<size_t>(volume(od)));
      for (int64_t i = 0; i < volume(od); ++i) {
        auto o = unravel(i, od);
        std::vector<int64_t> in(o.begin(), o.begin() + ax);
        int64_t j = o[ax] * 4 + o[ax + 1];
        int64_t v = static_cast<int64_t>(idx.v[j]);
        if (v < 0) v += A;
        in.push_back(v);
        in.insert(in.end(), o.begin() + ax + 2, o.end());
        ref[i] = v >= 0 && v < A ? data.v[ravel(in, data.dims)] : 0;
      }
      Node n = makeNode(LayerType::kGATHER, {{"axis", axis}});
      expectExact(run(n, {&data, &idx}).outs[0], od, ref, (tag("gather", t, data.dims) + " axis " + std::to_string(axis)).c_str());
    }
  }
  // Scalar index; INT64 indices; value tracking (Shape -> Gather).
  {
    HT shp = ints(DataType::kINT64, {2, 3, 224, 224});
    HT i0 = ints(DataType::kINT64, {1}, {});
    Result r = run(makeNode(LayerType::kGATHER), {&shp, &i0});
    CHECK(r.outs[0].dims.empty() && r.outs[0].v[0] == 3, "gather scalar index");
    CHECK(r.values[0] && *r.values[0] == (std::vector<int64_t>{3}), "gather value tracking");
  }
  // numElementWiseDims = 1 (DEFAULT), with broadcast of the elementwise dim.
  for (auto dd : std::vector<std::pair<Dims, Dims>>{{{3, 4, 5}, {3, 2}}, {{1, 4, 5}, {3, 2}}, {{3, 4, 5}, {1, 2}}}) {
    HT data = rnd(DataType::kFLOAT, dd.first);
    HT idx = rnd(DataType::kINT32, dd.second, -5, 5);
    Node n = makeNode(LayerType::kGATHER, {{"axis", int64_t{2}}, {"numElementWiseDims", int64_t{1}}});
    int64_t B = std::max(dd.first[0], dd.second[0]);
    Dims od = {B, 4, dd.second[1]};
    std::vector<double> ref(static_cast<size_t>(volume(od)));
    for (int64_t i = 0; i < volume(od); ++i) {
      auto o = unravel(i, od);
      int64_t bd = dd.first[0] == 1 ? 0 : o[0], bi = dd.second[0] == 1 ? 0 : o[0];
      int64_t v = static_cast<int64_t>(idx.v[bi * dd.second[1] + o[2]]);
      if (v < 0) v += 5;
      ref[i] = v >= 0 && v < 5 ? data.v[(bd * 4 + o[1]) * 5 + v] : 0;
    }
    expectExact(run(n, {&data, &idx}).outs[0], od, ref, ("gather elementwise dim " + dimsToString(dd.first) + dimsToString(dd.second)).c_str());
  }
  // ELEMENT mode.
  for (int64_t axis : {0, 1, 2}) {
    HT data = rnd(DataType::kFLOAT, {3, 4, 5});
    Dims idims = {2, 3, 4};
    idims[axis] = 6;
    HT idx = rnd(DataType::kINT64, idims, -6, 6);
    Node n = makeNode(LayerType::kGATHER, {{"axis", axis}, {"mode", int64_t{1}}});
    std::vector<double> ref(static_cast<size_t>(volume(idims)));
    for (int64_t i = 0; i < volume(idims); ++i) {
      auto o = unravel(i, idims);
      int64_t v = static_cast<int64_t>(idx.v[i]), A = data.dims[axis];
      if (v < 0) v += A;
      o[axis] = v;
      ref[i] = v >= 0 && v < A ? data.v[ravel(o, data.dims)] : 0;
    }
    expectExact(run(n, {&data, &idx}).outs[0], idims, ref, ("gather element axis " + std::to_string(axis)).c_str());
  }
  // ND mode with and without batch dims.
  {
    HT data = rnd(DataType::kFLOAT, {2, 3, 4, 5});
    // e = 0, k = 2: indices [4, 2] -> out [4, 4, 5].
    HT idx = ints(DataType::kINT32, {0, 1, 1, 2, -1, -1, 2, 3}, {4, 2});
    Result r = run(makeNode(LayerType::kGATHER, {{"mode", int64_t{2}}}), {&data, &idx});
    std::vector<double> ref;
    for (int64_t m = 0; m < 4; ++m) {
      int64_t a = static_cast<int64_t>(idx.v[m * 2]), b = static_cast<int64_t>(idx.v[m * 2 + 1]);
      if (a < 0) a += 2;
      if (b < 0) b += 3;
      for (int64_t j = 0; j < 20; ++j) ref.push_back(a < 2 && b < 3 ? data.v[(a * 3 + b) * 20 + j] : 0);
    }
    expectExact(r.outs[0], {4, 4, 5}, ref, "gather ND");
    // e = 1, k = 2: indices [2, 3, 2] -> out [2, 3, 5].
    HT idx2 = ints(DataType::kINT64, {0, 1, 2, 3, 1, -1, 2, 0, 0, 4, 1, 1}, {2, 3, 2});
    r = run(makeNode(LayerType::kGATHER, {{"mode", int64_t{2}}, {"numElementWiseDims", int64_t{1}}}), {&data, &idx2});
    ref.clear();
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t m = 0; m < 3; ++m) {
        int64_t x = static_cast<int64_t>(idx2.v[(b * 3 + m) * 2]), y = static_cast<int64_t>(idx2.v[(b * 3 + m) * 2 + 1]);
        if (x < 0) x += 3;
        if (y < 0) y += 4;
        bool ok = x >= 0 && x < 3 && y >= 0 && y < 4;
        for (int64_t j = 0; j < 5; ++j) ref.push_back(ok ? data.v[((b * 3 + x) * 4 + y) * 5 + j] : 0);
      }
    expectExact(r.outs[0], {2, 3, 5}, ref, "gather ND batch");
    // Full tuples: out [3].
    HT idx3 = ints(DataType::kINT32, {1, 2, 3, 4, 0, 0, 0, 0, 1, 1, 1, 1}, {3, 4});
    r = run(makeNode(LayerType::kGATHER, {{"mode", int64_t{2}}}), {&data, &idx3});
    expectExact(r.outs[0], {3}, {data.v[((1 * 3 + 2) * 4 + 3) * 5 + 4], data.v[0], data.v[((1 * 3 + 1) * 4 + 1) * 5 + 1]},
                "gather ND full tuples");
  }
  {
    auto d = inferBuild(makeNode(LayerType::kGATHER, {{"axis", int64_t{1}}}), {{DataType::kFLOAT, {-1, 7, 3}}, {DataType::kINT32, {-1}}});
    CHECK(d[0] == (Dims{-1, -1, 3}), "gather build dims %s", dimsToString(d[0]).c_str());
    expectError([&] { inferBuild(makeNode(LayerType::kGATHER), {{DataType::kFLOAT, {3}}, {DataType::kFLOAT, {2}}}); },
                "INT32 or INT64", "gather index type");
    expectError([&] { inferBuild(makeNode(LayerType::kGATHER, {{"mode", int64_t{2}}}), {{DataType::kFLOAT, {3, 4}}, {DataType::kINT32, {2, -1}}}); },
                "last dimension", "gather ND unknown k");
    expectError([&] { inferBuild(makeNode(LayerType::kGATHER, {{"mode", int64_t{1}}}), {{DataType::kFLOAT, {3, 4}}, {DataType::kINT32, {2}}}); },
                "rank", "gather element rank");
  }
}

// ================================================================================================
// NORMALIZATION

static void testNormalization() {
  struct C {
    Dims x;
    int64_t axes;
    int64_t groups;
    Dims sc;
  };
  std::vector<C> cases = {
      {{2, 3, 8}, 4, 1, {1, 1, 8}},          // LayerNorm
      {{2, 5, 16}, 6, 1, {1, 5, 16}},        // LayerNorm over two dims
      {{2, 3, 4, 5}, 12, 1, {1, 3, 1, 1}},   // InstanceNorm
      {{2, 6, 4, 5}, 12, 3, {1, 6, 1, 1}},   // GroupNorm
      {{1, 8, 3}, 4, 8, {1, 8, 1}},          // GroupNorm, one channel per group
      {{3, 4, 5}, 1, 1, {1, 4, 5}},          // statistics over the outer dim
      {{2, 3, 4, 5}, 10, 1, {2, 1, 4, 1}},   // non-contiguous reduced axes
      {{2, 3}, 0, 1, {1, 1}},                // no axes: output = bias
      {{4, 3, 64, 33}, 12, 1, {1, 3, 1, 1}}, // bigger
  };
  for (DataType t : kFloatTypes) {
    for (const C& c : cases) {
      HT x = rnd(t, c.x, -3, 3), sc = rnd(t, c.sc, 0.5, 1.5), bi = rnd(t, c.sc, -1, 1);
      Node n = makeNode(LayerType::kNORMALIZATION, {{"axes", c.axes}, {"numGroups", c.groups}, {"epsilon", 1e-3}});
      int64_t r = static_cast<int64_t>(c.x.size());
      auto key = [&](const std::vector<int64_t>& idx) {
        std::vector<int64_t> k = idx;
        for (int64_t d = 0; d < r; ++d)
          if ((c.axes >> d) & 1) k[d] = 0;
        if (c.groups > 1) k[1] = idx[1] / (c.x[1] / c.groups);
        return ravel(k, c.x);
      };
      std::map<int64_t, std::pair<double, int64_t>> sum;
      for (int64_t i = 0; i < x.n(); ++i) {
        auto& s = sum[key(unravel(i, c.x))];
        s.first += x.v[i];
        s.second++;
      }
      std::map<int64_t, double> var;
      for (int64_t i = 0; i < x.n(); ++i) {
        int64_t k = key(unravel(i, c.x));
        double dv = x.v[i] - sum[k].first / sum[k].second;
        var[k] += dv * dv;
      }
      std::vector<double> ref(x.v.size());
      for (int64_t i = 0; i < x.n(); ++i) {
        auto idx = unravel(i, c.x);
        int64_t k = key(idx);
        double mean = sum[k].first / sum[k].second, v = var[k] / sum[k].second;
        std::vector<int64_t> si = idx;
        for (int64_t d = 0; d < r; ++d)
          if (c.sc[d] == 1) si[d] = 0;
        int64_t sIdx = ravel(si, c.sc);
        ref[i] = (x.v[i] - mean) / std::sqrt(v + 1e-3) * sc.v[sIdx] + bi.v[sIdx];
      }
      std::string w = tag("normalization", t, c.x) + " axes " + std::to_string(c.axes) + " groups " + std::to_string(c.groups);
      expectClose(run(n, {&x, &sc, &bi}).outs[0], c.x, ref, w.c_str(), tolFor(t) * 4);
    }
  }
  expectError([&] { inferBuild(makeNode(LayerType::kNORMALIZATION, {{"axes", int64_t{12}}, {"numGroups", int64_t{4}}}),
                               {{DataType::kFLOAT, {2, 6, 3, 3}}, {DataType::kFLOAT, {1, 6, 1, 1}}, {DataType::kFLOAT, {1, 6, 1, 1}}}); },
              "does not divide", "normalization groups");
  expectError([&] { inferBuild(makeNode(LayerType::kNORMALIZATION, {{"axes", int64_t{4}}}),
                               {{DataType::kFLOAT, {2, 6, 3}}, {DataType::kFLOAT, {6, 3}}, {DataType::kFLOAT, {6, 3}}}); },
              "rank", "normalization scale rank");
  expectError([&] { inferBuild(makeNode(LayerType::kNORMALIZATION, {{"axes", int64_t{4}}}),
                               {{DataType::kFLOAT, {2, 6, 3}}, {DataType::kFLOAT, {1, 1, 4}}, {DataType::kFLOAT, {1, 1, 3}}}); },
              "broadcast", "normalization scale dims");
}

// ================================================================================================
// RESIZE

struct ResizeOpts {
  int64_t mode = 0, ct = 1, sel = 0, round = 2;
  double A = -0.75;
  bool exclude = false;
  std::vector<double> scales;  // when non-empty: the coordinate transform uses them
};

// Taps of one output coordinate along one dim, ONNX Resize semantics.
static std::vector<std::pair<int64_t, double>> refTaps(int64_t o, int64_t in, int64_t out, double scale,
                                                       const ResizeOpts& p) {
  if (in == out && (scale == 0 || scale == 1)) return {{o, 1.0}};
  double s = scale > 0 ? scale : static_cast<double>(out) / in;
  double x;
  if (out == 1 && p.sel == 1) x = 0;
  else if (p.ct == 0) x = out > 1 ? o * (in - 1.0) / (out - 1.0) : 0;
  else if (p.ct == 1) x = o / s;
  else x = (o + 0.5) / s - 0.5;
  auto clampI = [&](int64_t i) { return std::min<int64_t>(std::max<int64_t>(i, 0), in - 1); };
  if (p.mode == 0) {
    double r = p.round == 0 ? std::floor(x + 0.5) : p.round == 1 ? std::ceil(x - 0.5) : p.round == 2 ? std::floor(x) : std::ceil(x);
    return {{clampI(static_cast<int64_t>(r)), 1.0}};
  }
  int64_t i0 = static_cast<int64_t>(std::floor(x));
  double f = x - i0;
  std::vector<std::pair<int64_t, double>> taps;
  if (p.mode == 1) {
    taps = {{i0, 1 - f}, {i0 + 1, f}};
  } else {
    double A = p.A;
    auto w = [&](double d) {
      d = std::fabs(d);
      if (d <= 1) return (A + 2) * d * d * d - (A + 3) * d * d + 1;
      if (d < 2) return A * d * d * d - 5 * A * d * d + 8 * A * d - 4 * A;
      return 0.0;
    };
    for (int k = -1; k <= 2; ++k) taps.push_back({i0 + k, w(f - k)});
  }
  if (p.exclude) {
    double s2 = 0;
    for (auto& t : taps) {
      if (t.first < 0 || t.first >= in) t.second = 0;
      s2 += t.second;
    }
    for (auto& t : taps) t.second /= s2;
  }
  for (auto& t : taps) t.first = clampI(t.first);
  return taps;
}

static std::vector<double> refResize(const HT& x, const Dims& od, const ResizeOpts& p) {
  size_t r = x.dims.size();
  std::vector<double> out(static_cast<size_t>(volume(od)));
  for (int64_t i = 0; i < volume(od); ++i) {
    auto o = unravel(i, od);
    std::vector<std::vector<std::pair<int64_t, double>>> taps(r);
    for (size_t d = 0; d < r; ++d) taps[d] = refTaps(o[d], x.dims[d], od[d], p.scales.empty() ? 0 : p.scales[d], p);
    std::function<double(size_t, std::vector<int64_t>&, double)> rec = [&](size_t d, std::vector<int64_t>& idx, double w) {
      if (d == r) return w * x.v[ravel(idx, x.dims)];
      double s = 0;
      for (auto& t : taps[d]) {
        idx[d] = t.first;
        s += rec(d + 1, idx, w * t.second);
      }
      return s;
    };
    std::vector<int64_t> idx(r);
    out[i] = rec(0, idx, 1.0);
  }
  return out;
}

static void testResize() {
  struct C {
    Dims in, out;
    ResizeOpts p;
  };
  std::vector<C> cases;
  for (int64_t mode : {0, 1, 2})
    for (int64_t ct : {0, 1, 2}) {
      ResizeOpts p;
      p.mode = mode;
      p.ct = ct;
      cases.push_back({{1, 2, 5, 6}, {1, 2, 11, 13}, p});  // upsample
      cases.push_back({{1, 2, 9, 8}, {1, 2, 4, 3}, p});    // downsample
      cases.push_back({{2, 7, 5}, {3, 1, 9}, p});          // every dim changes, one to size 1
    }
  for (int64_t round : {0, 1, 2, 3}) {
    ResizeOpts p;
    p.ct = 2;
    p.round = round;
    cases.push_back({{1, 1, 6, 7}, {1, 1, 15, 4}, p});
  }
  {
    ResizeOpts p;
    p.mode = 2;
    p.ct = 2;
    p.exclude = true;
    p.A = -0.5;
    cases.push_back({{1, 1, 6, 7}, {1, 1, 15, 4}, p});
    p.sel = 1;
    cases.push_back({{2, 6, 7}, {2, 1, 1}, p});
    p.mode = 1;
    p.exclude = false;
    cases.push_back({{2, 6, 7}, {2, 1, 1}, p});
    p.sel = 0;
    cases.push_back({{2, 6, 7}, {2, 1, 1}, p});
    p.mode = 1;
    cases.push_back({{2, 3, 4, 5}, {2, 3, 8, 10}, p});  // 3-D n-linear over the last two
    cases.push_back({{2, 3, 4, 5}, {4, 5, 7, 3}, p});   // 4-D n-linear
  }
  for (DataType t : kFloatTypes) {
    for (const C& c : cases) {
      HT x = rnd(t, c.in);
      Node n = makeNode(LayerType::kRESIZE, {{"shape", std::vector<int64_t>(c.out.begin(), c.out.end())},
                                             {"resizeMode", c.p.mode},
                                             {"coordinateTransformation", c.p.ct},
                                             {"selectorForSinglePixel", c.p.sel},
                                             {"nearestRounding", c.p.round},
                                             {"cubicCoeff", c.p.A},
                                             {"excludeOutside", int64_t{c.p.exclude}}});
      auto ref = refResize(x, c.out, c.p);
      std::string w = tag("resize", t, c.in) + " -> " + dimsToString(c.out) + " mode " + std::to_string(c.p.mode) +
                      " ct " + std::to_string(c.p.ct) + " round " + std::to_string(c.p.round) + " sel " +
                      std::to_string(c.p.sel) + " excl " + std::to_string(c.p.exclude);
      expectClose(run(n, {&x}).outs[0], c.out, ref, w.c_str(), tolFor(t) * 4);
    }
  }
  // Scales attribute (ONNX: the transform uses the scale), output-dims tensor, integer NEAREST.
  {
    HT x = rnd(DataType::kFLOAT, {1, 1, 5, 4});
    ResizeOpts p;
    p.mode = 1;
    p.ct = 2;
    p.scales = {1, 1, 1.5, 0.6};
    Node n = makeNode(LayerType::kRESIZE, {{"scales", p.scales}, {"resizeMode", int64_t{1}}, {"coordinateTransformation", int64_t{2}}});
    Dims od = {1, 1, 7, 2};
    expectClose(run(n, {&x}).outs[0], od, refResize(x, od, p), "resize scales half-pixel");
    HT shp = ints(DataType::kINT64, {1, 1, 3, 9});
    ResizeOpts q;
    expectClose(run(makeNode(LayerType::kRESIZE), {&x, &shp}).outs[0], {1, 1, 3, 9}, refResize(x, {1, 1, 3, 9}, q),
                "resize shape tensor nearest");
    for (DataType t : {DataType::kINT8, DataType::kINT32, DataType::kINT64, DataType::kBOOL, DataType::kUINT8}) {
      HT xi = rndFor(t, {2, 3, 4});
      ResizeOpts r;
      r.ct = 2;
      r.round = 0;
      Node ni = makeNode(LayerType::kRESIZE, {{"shape", std::vector<int64_t>{2, 7, 3}}, {"coordinateTransformation", int64_t{2}},
                                              {"nearestRounding", int64_t{0}}});
      expectExact(run(ni, {&xi}).outs[0], {2, 7, 3}, refResize(xi, {2, 7, 3}, r), tag("resize nearest", t, xi.dims).c_str());
    }
  }
  {
    auto d = inferBuild(makeNode(LayerType::kRESIZE, {{"scales", std::vector<double>{1, 2, 0.5}}}), {{DataType::kFLOAT, {-1, 3, 5}}});
    CHECK(d[0] == (Dims{-1, 6, 2}), "resize build dims %s", dimsToString(d[0]).c_str());
    d = inferBuild(makeNode(LayerType::kRESIZE), {{DataType::kFLOAT, {2, 3}}, {DataType::kINT32, {2}}});
    CHECK(d[0] == (Dims{-1, -1}), "resize unknown dims %s", dimsToString(d[0]).c_str());
    expectError([&] { inferBuild(makeNode(LayerType::kRESIZE, {{"shape", std::vector<int64_t>{2}}}), {{DataType::kFLOAT, {2, 3}}}); },
                "rank", "resize shape rank");
    expectError([&] { inferBuild(makeNode(LayerType::kRESIZE), {{DataType::kFLOAT, {2, 3}}}); }, "not set", "resize no size");
    expectError([&] { inferBuild(makeNode(LayerType::kRESIZE, {{"shape", std::vector<int64_t>{2, 3}}, {"resizeMode", int64_t{1}}}), {{DataType::kINT32, {2, 3}}}); },
                "LINEAR", "resize linear int");
  }
}

// ================================================================================================
// TOPK

static void testTopK() {
  const DataType types[] = {DataType::kFLOAT, DataType::kHALF, DataType::kBF16, DataType::kINT32, DataType::kINT64};
  for (DataType t : types) {
    for (Dims d : {Dims{10}, Dims{3, 17}, Dims{4, 9, 5}, Dims{2, 300}}) {
      for (size_t ax = 0; ax < d.size(); ++ax) {
        for (int64_t op : {0, 1}) {
          for (int64_t k : {int64_t{1}, int64_t{3}, d[ax]}) {
            if (k > d[ax]) continue;
            HT x = rnd(t, d, -4, 4);  // coarse values: many ties
            if (isFloatType(t))
              for (auto& v : x.v) v = std::round(v * 2) / 2;
            bool i64 = (k + op) % 2 == 0;
            Node n = makeNode(LayerType::kTOPK, {{"op", op}, {"k", k}, {"axes", int64_t{1} << ax},
                                                 {"indicesType", static_cast<int64_t>(i64 ? DataType::kINT64 : DataType::kINT32)}});
            Dims od = d;
            od[ax] = k;
            int64_t A = d[ax], inner = 1;
            for (size_t q = ax + 1; q < d.size(); ++q) inner *= d[q];
            std::vector<double> rv(static_cast<size_t>(volume(od))), ri(rv.size());
            int64_t outer = x.n() / (A * inner);
            for (int64_t o = 0; o < outer; ++o)
              for (int64_t in = 0; in < inner; ++in) {
                std::vector<std::pair<double, int64_t>> row;
                for (int64_t a = 0; a < A; ++a) row.push_back({x.v[(o * A + a) * inner + in], a});
                std::stable_sort(row.begin(), row.end(), [&](auto& p, auto& q) { return op == 0 ? p.first > q.first : p.first < q.first; });
                for (int64_t j = 0; j < k; ++j) {
                  rv[(o * k + j) * inner + in] = row[j].first;
                  ri[(o * k + j) * inner + in] = static_cast<double>(row[j].second);
                }
              }
            Result r = run(n, {&x}, 2);
            std::string w = tag("topk", t, d) + " axis " + std::to_string(ax) + " op " + std::to_string(op) + " k " + std::to_string(k);
            expectExact(r.outs[0], od, rv, (w + " values").c_str());
            expectExact(r.outs[1], od, ri, (w + " indices").c_str());
            CHECK(r.outs[1].type == (i64 ? DataType::kINT64 : DataType::kINT32), "topk indices type");
          }
        }
      }
    }
  }
  {
    HT x = make(DataType::kFLOAT, {6}, {1, NAN, 3, 3, -1, 2});
    HT k = ints(DataType::kINT32, {3}, {});
    Result r = run(makeNode(LayerType::kTOPK, {{"op", int64_t{0}}, {"axes", int64_t{1}}}), {&x, &k}, 2);
    CHECK(r.outs[0].dims == (Dims{3}) && std::isnan(r.outs[0].v[0]) && r.outs[0].v[1] == 3 && r.outs[1].v[1] == 2 &&
              r.outs[1].v[2] == 3,
          "topk K tensor + NaN first for MAX");
    r = run(makeNode(LayerType::kTOPK, {{"op", int64_t{1}}, {"axes", int64_t{1}}}), {&x, &k}, 2);
    expectExact(r.outs[0], {3}, {-1, 1, 2}, "topk MIN with NaN last");
    auto d = inferBuild(makeNode(LayerType::kTOPK, {{"axes", int64_t{2}}}), {{DataType::kFLOAT, {-1, 8}}, {DataType::kINT32, {}}}, 2);
    CHECK(d[0] == (Dims{-1, -1}) && d[1] == (Dims{-1, -1}), "topk build dims");
    expectError([&] { inferBuild(makeNode(LayerType::kTOPK, {{"k", int64_t{9}}, {"axes", int64_t{2}}}), {{DataType::kFLOAT, {3, 8}}}, 2); },
                "exceeds", "topk k too large");
  }
}

// ================================================================================================
// PADDING

static void testPadding() {
  for (DataType t : kAllTypes) {
    HT x = rndFor(t, {2, 3, 4, 5});
    for (auto pp : std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>>{
             {{1, 2}, {3, 0}}, {{-1, 1}, {2, -2}}, {{0, 0}, {0, 0}}, {{2}, {-3}}, {{1, 1, 1}, {0, -1, 2}}, {{-2, -2}, {-2, -3}}}) {
      Node n = makeNode(LayerType::kPADDING, {{"prePaddingNd", pp.first}, {"postPaddingNd", pp.second}});
      Dims od = x.dims;
      size_t first = od.size() - pp.first.size();
      for (size_t k = 0; k < pp.first.size(); ++k) od[first + k] += pp.first[k] + pp.second[k];
      std::vector<double> ref(static_cast<size_t>(volume(od)));
      for (int64_t i = 0; i < volume(od); ++i) {
        auto o = unravel(i, od);
        bool in = true;
        for (size_t k = 0; k < pp.first.size(); ++k) {
          o[first + k] -= pp.first[k];
          if (o[first + k] < 0 || o[first + k] >= x.dims[first + k]) in = false;
        }
        ref[i] = in ? x.v[ravel(o, x.dims)] : 0;
      }
      expectExact(run(n, {&x}).outs[0], od, ref, (tag("padding", t, x.dims) + " pre " + dimsToString(pp.first)).c_str());
    }
  }
  expectError([&] { inferBuild(makeNode(LayerType::kPADDING, {{"prePaddingNd", std::vector<int64_t>{-3}}, {"postPaddingNd", std::vector<int64_t>{-3}}}),
                               {{DataType::kFLOAT, {2, 5}}}); },
              "negative size", "padding crop too much");
  auto d = inferBuild(makeNode(LayerType::kPADDING, {{"prePaddingNd", std::vector<int64_t>{1, 1}}, {"postPaddingNd", std::vector<int64_t>{1, 1}}}),
                      {{DataType::kFLOAT, {-1, 3, -1, 5}}});
  CHECK(d[0] == (Dims{-1, 3, -1, 7}), "padding build dims %s", dimsToString(d[0]).c_str());
}

int main() {
  struct T {
    const char* name;
    void (*fn)();
  } tests[] = {{"matmul", testMatmul},   {"shuffle", testShuffle}, {"concat", testConcat},
               {"softmax", testSoftmax}, {"reduce", testReduce},   {"scale", testScale},
               {"slice", testSlice},     {"gather", testGather},   {"normalization", testNormalization},
               {"resize", testResize},   {"topk", testTopK},       {"padding", testPadding}};
  for (auto& t : tests) {
    int before = g_failures, checks = g_checks;
    try {
      t.fn();
    } catch (const std::exception& e) {
      ++g_failures;
      std::printf("FAIL %s: unexpected exception: %s\n", t.name, e.what());
    }
    std::printf("%-14s %5d checks, %d failures\n", t.name, g_checks - checks, g_failures - before);
  }
  std::printf("%s: %d checks, %d failures\n", g_failures ? "FAILED" : "OK", g_checks, g_failures);
  return g_failures ? 1 : 0;
}
