// Standalone test of CONVOLUTION, DECONVOLUTION and POOLING (CPU backend) against naive direct
// loops in double. Build (from the repository root, one command line):
//   g++ -O2 -std=c++17 -pthread -Inative/engine native/tests/conv_test.cpp
//     native/engine/{Graph,DataType,Status,ThreadPool}.cpp native/engine/cpu/{KernelUtil,Gemm}.cpp
//     native/engine/ops/{WindowGeometry,Convolution,Deconvolution,Pooling}.cpp -o /tmp/conv_test
// The registry is stubbed here (registerOp / findOpDef / layerTypeName) so that only these ops link.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "Ops.h"
#include "cpu/Gemm.h"
#include "cpu/KernelUtil.h"
#include "ops/ConvOps.h"

// ---- registry stub ----------------------------------------------------------------------------
namespace trtn {
static std::map<int32_t, OpDef>& registry() {
  static std::map<int32_t, OpDef> r;
  return r;
}
void registerOp(OpDef def) { registry()[static_cast<int32_t>(def.type)] = std::move(def); }
const OpDef* findOpDef(LayerType type) {
  auto it = registry().find(static_cast<int32_t>(type));
  return it == registry().end() ? nullptr : &it->second;
}
const OpDef& opDef(LayerType type) { return *findOpDef(type); }
const char* layerTypeName(LayerType t) {
  switch (t) {
    case LayerType::kCONVOLUTION: return "CONVOLUTION";
    case LayerType::kDECONVOLUTION: return "DECONVOLUTION";
    case LayerType::kPOOLING: return "POOLING";
    default: return "OTHER";
  }
}
}  // namespace trtn

using namespace trtn;

static int g_failures = 0, g_checks = 0;
#define CHECK(cond, ...)                                  \
  do {                                                    \
    ++g_checks;                                           \
    if (!(cond)) {                                        \
      ++g_failures;                                       \
      std::printf("FAIL %s:%d: ", __FILE__, __LINE__);    \
      std::printf(__VA_ARGS__);                           \
      std::printf("\n");                                  \
    }                                                     \
  } while (0)

// ---- tensors ---------------------------------------------------------------------------------
struct HostTensor {
  DataType type = DataType::kFLOAT;
  Dims dims;
  std::vector<uint8_t> bytes;
  std::vector<double> values;  // exact values after rounding to `type`
};

static double roundTo(DataType t, double v) {
  float f = static_cast<float>(v);
  if (t == DataType::kHALF) return halfToFloat(floatToHalf(f));
  if (t == DataType::kBF16) return bf16ToFloat(floatToBf16(f));
  return f;
}

static HostTensor makeTensor(DataType t, Dims dims, std::mt19937& rng, double lo = -1, double hi = 1) {
  HostTensor h;
  h.type = t;
  h.dims = dims;
  int64_t n = volume(dims);
  std::uniform_real_distribution<double> u(lo, hi);
  h.bytes.resize(static_cast<size_t>(byteSizeOf(t, n)) + 1);
  h.values.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    double v = roundTo(t, u(rng));
    h.values[i] = v;
    storeFromDouble(h.bytes.data(), t, i, v);
  }
  return h;
}

static Weights toWeights(const HostTensor& h) { return Weights::owned(h.type, volume(h.dims), h.bytes.data()); }

// ---- running an op through its OpDef -----------------------------------------------------------
struct RunResult {
  DataType type;
  Dims dims;
  std::vector<double> values;
  std::string impl;
};

static RunResult runOp(Node node, const std::vector<const HostTensor*>& inputs, ThreadPool* pool) {
  const OpDef* def = findOpDef(node.type);
  node.inputs.clear();
  for (size_t i = 0; i < inputs.size(); ++i) {
    node.inputs.push_back(inputs[i] ? static_cast<int32_t>(i) : -1);
  }
  InferIO io2(node);
  std::vector<DataType> inTypes;
  std::vector<Dims> inDims;
  for (auto* t : inputs) {
    io2.present.push_back(t != nullptr);
    io2.inTypes.push_back(t ? t->type : DataType::kFLOAT);
    io2.inDims.push_back(t ? t->dims : Dims{});
    io2.inValues.push_back(nullptr);
    inTypes.push_back(t ? t->type : DataType::kFLOAT);
    inDims.push_back(t ? t->dims : Dims{});
  }
  io2.runtime = true;
  def->infer(io2);
  RunResult r;
  r.type = io2.outTypes.at(0);
  r.dims = io2.outDims.at(0);
  auto kernel = def->createCpu(node, inTypes, io2.outTypes);
  r.impl = kernel->implementation();
  size_t ws = kernel->workspaceBytes(inDims, {r.dims});
  // Misaligned workspace filled with NaN bytes: catches alignment assumptions and reads of
  // uninitialised scratch.
  std::vector<uint8_t> wsBuf(ws + 128, 0xFF);
  std::vector<uint8_t> outBuf(static_cast<size_t>(byteSizeOf(r.type, volume(r.dims))) + 1, 0xFF);
  KernelIO k;
  for (auto* t : inputs) {
    TensorRef ref;
    if (t) {
      ref.data = const_cast<uint8_t*>(t->bytes.data());
      ref.type = t->type;
      ref.dims = t->dims;
    }
    k.in.push_back(ref);
  }
  TensorRef o;
  o.data = outBuf.data();
  o.type = r.type;
  o.dims = r.dims;
  k.out.push_back(o);
  k.workspace = ws ? wsBuf.data() + 3 : nullptr;
  k.workspaceBytes = ws;
  k.pool = pool;
  kernel->run(k);
  r.values.resize(volume(r.dims));
  for (size_t i = 0; i < r.values.size(); ++i) r.values[i] = loadAsDouble(outBuf.data(), r.type, i);
  return r;
}

// Shape inference only; returns the error message ("" when it succeeded) and the output dims.
static std::string inferOnly(const Node& node, const std::vector<std::pair<DataType, Dims>>& inputs, Dims* out,
                             DataType* outType = nullptr) {
  const OpDef* def = findOpDef(node.type);
  InferIO io(node);
  for (auto& [t, d] : inputs) {
    io.present.push_back(!d.empty());
    io.inTypes.push_back(t);
    io.inDims.push_back(d);
    io.inValues.push_back(nullptr);
  }
  try {
    def->infer(io);
  } catch (const EngineError& e) {
    return e.message();
  }
  if (out) *out = io.outDims.at(0);
  if (outType) *outType = io.outTypes.at(0);
  return "";
}

// ---- reference geometry (written independently of WindowGeometry) -----------------------------
struct Geo {
  std::vector<int64_t> out, pre;
};

static Geo refGeometry(bool transposed, int mode, const Dims& in, const Dims& k, const Dims& s, const Dims& d,
                       const Dims& pre, const Dims& post) {
  Geo g;
  for (size_t i = 0; i < in.size(); ++i) {
    int64_t dk = d[i] * (k[i] - 1) + 1, I = in[i], S = s[i];
    int64_t o, p;
    if (mode <= 1) {
      p = pre[i];
      if (!transposed) {
        double m = double(I + pre[i] + post[i] - dk) / S;
        o = int64_t(mode == 0 ? std::floor(m) : std::ceil(m)) + 1;
      } else {
        o = (I - 1) * S + dk - pre[i] - post[i];
      }
    } else {
      int64_t P;
      if (!transposed) {
        o = (I + S - 1) / S;
        P = std::max<int64_t>(0, ((I - 1) / S) * S + dk - I);
      } else {
        o = std::min(I * S, (I - 1) * S + dk);
        P = std::max<int64_t>(0, dk - S);
      }
      p = mode == 2 ? P / 2 : P - P / 2;
    }
    g.out.push_back(o);
    g.pre.push_back(p);
  }
  return g;
}

// Mixed-radix iteration helpers.
static bool nextIndex(std::vector<int64_t>& idx, const Dims& dims) {
  for (int64_t i = int64_t(idx.size()) - 1; i >= 0; --i) {
    if (++idx[i] < dims[i]) return true;
    idx[i] = 0;
  }
  return false;
}
static int64_t linear(const std::vector<int64_t>& idx, const Dims& dims) {
  int64_t l = 0;
  for (size_t i = 0; i < idx.size(); ++i) l = l * dims[i] + idx[i];
  return l;
}

static double refActivation(int type, double x, double a, double b) {
  switch (type) {
    case -1: return x;
    case 0: return x > 0 ? x : 0;
    case 1: return 1 / (1 + std::exp(-x));
    case 3: return x >= 0 ? x : a * x;
    case 8: return std::min(std::max(x, a), b);
    default: return cpu::applyActivation(type, float(x), float(a), float(b));
  }
}

// ---- convolution / deconvolution -------------------------------------------------------------
struct ConvCase {
  bool deconv = false;
  int64_t N = 1, C = 1, K = 1, G = 1;
  Dims in, k, s, d, pre, post;
  int mode = 0;
  int act = -1;
  double alpha = 0, beta = 0;
  bool bias = true;
  bool kernelTensor = false, biasTensor = false;
  DataType type = DataType::kFLOAT, wtype = DataType::kFLOAT;
  bool setStride = true, setDilation = true, setPadding = true;
};

static std::string describe(const ConvCase& c) {
  return std::string(c.deconv ? "deconv" : "conv") + " N" + std::to_string(c.N) + " C" + std::to_string(c.C) + " K" +
         std::to_string(c.K) + " G" + std::to_string(c.G) + " in" + dimsToString(c.in) + " k" + dimsToString(c.k) +
         " s" + dimsToString(c.s) + " d" + dimsToString(c.d) + " pre" + dimsToString(c.pre) + " post" +
         dimsToString(c.post) + " mode" + std::to_string(c.mode) + " act" + std::to_string(c.act) + " " +
         dataTypeName(c.type) + "/" + dataTypeName(c.wtype) + (c.kernelTensor ? " kT" : "") +
         (c.biasTensor ? " bT" : "") + (c.bias ? "" : " nobias");
}

static void runConvCase(const ConvCase& c, std::mt19937& rng, ThreadPool* pool, std::map<std::string, int>& impls) {
  const size_t nsp = c.k.size();
  const int64_t Cg = c.C / c.G, Kg = c.K / c.G;
  const int64_t kvol = volume(c.k);
  Dims xd{c.N, c.C};
  xd.insert(xd.end(), c.in.begin(), c.in.end());
  Dims wd = c.deconv ? Dims{c.C, Kg} : Dims{c.K, Cg};
  wd.insert(wd.end(), c.k.begin(), c.k.end());
  HostTensor x = makeTensor(c.type, xd, rng);
  HostTensor w = makeTensor(c.wtype, wd, rng);
  HostTensor b = makeTensor(c.wtype, {c.K}, rng);

  Node node;
  node.name = "case";
  node.type = c.deconv ? LayerType::kDECONVOLUTION : LayerType::kCONVOLUTION;
  node.attrs["numOutputMaps"] = c.K;
  node.attrs["kernelSizeNd"] = c.k;
  if (c.setStride) node.attrs["strideNd"] = c.s;
  if (c.setDilation) node.attrs["dilationNd"] = c.d;
  if (c.setPadding) {
    node.attrs["prePadding"] = c.pre;
    node.attrs["postPadding"] = c.post;
  }
  node.attrs["paddingMode"] = int64_t(c.mode);
  node.attrs["numGroups"] = c.G;
  if (c.act != -1) {
    node.attrs["fusedActivation"] = int64_t(c.act);
    node.attrs["fusedAlpha"] = c.alpha;
    node.attrs["fusedBeta"] = c.beta;
  }
  std::vector<const HostTensor*> inputs{&x};
  if (c.kernelTensor) {
    node.attrs["kernel"] = Weights{};
    inputs.push_back(&w);
  } else {
    node.attrs["kernel"] = toWeights(w);
  }
  if (c.bias) {
    if (c.biasTensor) {
      if (inputs.size() == 1) inputs.push_back(nullptr);
      inputs.push_back(&b);
    } else {
      node.attrs["bias"] = toWeights(b);
    }
  }

  RunResult r;
  try {
    r = runOp(node, inputs, pool);
  } catch (const EngineError& e) {
    CHECK(false, "%s threw: %s", describe(c).c_str(), e.what());
    return;
  }
  impls[std::string(c.deconv ? "deconv:" : "conv:") + r.impl]++;

  Geo g = refGeometry(c.deconv, c.mode, c.in, c.k, c.s, c.d, c.pre, c.post);
  Dims od{c.N, c.K};
  od.insert(od.end(), g.out.begin(), g.out.end());
  CHECK(r.dims == od, "%s: dims %s, expected %s", describe(c).c_str(), dimsToString(r.dims).c_str(),
        dimsToString(od).c_str());
  CHECK(r.type == c.type, "%s: output type %s", describe(c).c_str(), dataTypeName(r.type));
  if (r.dims != od) return;

  const int64_t outSp = volume(g.out), inSp = volume(c.in);
  std::vector<double> ref(volume(od), 0.0), mag(volume(od), 0.0);
  for (int64_t n = 0; n < c.N; ++n) {
    for (int64_t kk = 0; kk < c.K; ++kk) {
      const int64_t grp = kk / Kg;
      const double bv = c.bias ? b.values[kk] : 0.0;
      for (int64_t o = 0; o < outSp; ++o) {
        ref[(n * c.K + kk) * outSp + o] = bv;
        mag[(n * c.K + kk) * outSp + o] = std::fabs(bv);
      }
      for (int64_t cc = 0; cc < Cg; ++cc) {
        const int64_t ch = grp * Cg + cc;
        std::vector<int64_t> kp(nsp, 0);
        do {
          const int64_t kl = linear(kp, c.k);
          const double wv = c.deconv ? w.values[(ch * Kg + (kk - grp * Kg)) * kvol + kl]
                                     : w.values[(kk * Cg + cc) * kvol + kl];
          if (!c.deconv) {
            std::vector<int64_t> op(nsp, 0);
            do {
              std::vector<int64_t> ip(nsp);
              bool inside = true;
              for (size_t a = 0; a < nsp; ++a) {
                ip[a] = op[a] * c.s[a] - g.pre[a] + kp[a] * c.d[a];
                if (ip[a] < 0 || ip[a] >= c.in[a]) inside = false;
              }
              if (!inside) continue;
              double xv = x.values[(n * c.C + ch) * inSp + linear(ip, c.in)];
              int64_t oi = (n * c.K + kk) * outSp + linear(op, g.out);
              ref[oi] += xv * wv;
              mag[oi] += std::fabs(xv * wv);
            } while (nextIndex(op, g.out));
          } else {
            std::vector<int64_t> ip(nsp, 0);
            do {
              std::vector<int64_t> op(nsp);
              bool inside = true;
              for (size_t a = 0; a < nsp; ++a) {
                op[a] = ip[a] * c.s[a] - g.pre[a] + kp[a] * c.d[a];
                if (op[a] < 0 || op[a] >= g.out[a]) inside = false;
              }
              if (!inside) continue;
              double xv = x.values[(n * c.C + ch) * inSp + linear(ip, c.in)];
              int64_t oi = (n * c.K + kk) * outSp + linear(op, g.out);
              ref[oi] += xv * wv;
              mag[oi] += std::fabs(xv * wv);
            } while (nextIndex(ip, c.in));
          }
        } while (nextIndex(kp, c.k));
      }
    }
  }
  const double outRel = c.type == DataType::kFLOAT ? 0 : c.type == DataType::kHALF ? 1e-3 : 8e-3;
  int bad = 0;
  double worst = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    double e = refActivation(c.act, ref[i], c.alpha, c.beta);
    double tol = 2e-6 * (mag[i] + 1) + outRel * std::fabs(e) + (c.type == DataType::kFLOAT ? 0 : 1e-6);
    double err = std::fabs(r.values[i] - e);
    if (!(err <= tol)) {
      if (bad < 3)
        std::printf("  [%zu] got %.8g expected %.8g (tol %.3g)\n", i, r.values[i], e, tol);
      ++bad;
    }
    worst = std::max(worst, err);
  }
  CHECK(bad == 0, "%s: %d of %zu values wrong (max err %.3g)", describe(c).c_str(), bad, ref.size(), worst);
}

// ---- pooling -----------------------------------------------------------------------------------
struct PoolCase {
  int64_t N = 1, C = 1;
  Dims in, k, s, pre, post;
  int mode = 0;
  int type = 0;
  double blend = 0;
  bool excludePad = true;
  bool setStride = true;
  DataType dtype = DataType::kFLOAT;
};

static std::string describe(const PoolCase& c) {
  return "pool N" + std::to_string(c.N) + " C" + std::to_string(c.C) + " in" + dimsToString(c.in) + " w" +
         dimsToString(c.k) + " s" + dimsToString(c.s) + " pre" + dimsToString(c.pre) + " post" + dimsToString(c.post) +
         " mode" + std::to_string(c.mode) + " type" + std::to_string(c.type) + " blend" + std::to_string(c.blend) +
         (c.excludePad ? " excl" : " incl") + " " + dataTypeName(c.dtype);
}

static void runPoolCase(const PoolCase& c, std::mt19937& rng, ThreadPool* pool) {
  const size_t nsp = c.k.size();
  Dims xd{c.N, c.C};
  xd.insert(xd.end(), c.in.begin(), c.in.end());
  HostTensor x = makeTensor(c.dtype, xd, rng, -3, 1);  // mostly negative: padding must not win a max
  Node node;
  node.name = "pool";
  node.type = LayerType::kPOOLING;
  node.attrs["type"] = int64_t(c.type);
  node.attrs["windowSizeNd"] = c.k;
  if (c.setStride) node.attrs["strideNd"] = c.s;
  node.attrs["prePadding"] = c.pre;
  node.attrs["postPadding"] = c.post;
  node.attrs["paddingMode"] = int64_t(c.mode);
  node.attrs["blendFactor"] = c.blend;
  node.attrs["averageCountExcludesPadding"] = int64_t(c.excludePad ? 1 : 0);
  RunResult r;
  try {
    r = runOp(node, {&x}, pool);
  } catch (const EngineError& e) {
    CHECK(false, "%s threw: %s", describe(c).c_str(), e.what());
    return;
  }
  Dims ones(nsp, 1);
  Dims stride = c.setStride ? c.s : c.k;
  Geo g = refGeometry(false, c.mode, c.in, c.k, stride, ones, c.pre, c.post);
  // Post padding actually applied (for the include-padding count).
  std::vector<int64_t> post(nsp);
  for (size_t a = 0; a < nsp; ++a) {
    if (c.mode <= 1) {
      post[a] = c.post[a];
    } else {
      int64_t P = std::max<int64_t>(0, ((c.in[a] - 1) / stride[a]) * stride[a] + c.k[a] - c.in[a]);
      post[a] = P - g.pre[a];
    }
  }
  Dims od{c.N, c.C};
  od.insert(od.end(), g.out.begin(), g.out.end());
  CHECK(r.dims == od, "%s: dims %s, expected %s", describe(c).c_str(), dimsToString(r.dims).c_str(),
        dimsToString(od).c_str());
  if (r.dims != od) return;
  const int64_t outSp = volume(g.out), inSp = volume(c.in);
  int bad = 0;
  for (int64_t p = 0; p < c.N * c.C; ++p) {
    std::vector<int64_t> op(nsp, 0);
    do {
      double mx = -INFINITY, sum = 0;
      int64_t real = 0, padded = 0;
      std::vector<int64_t> wp(nsp, 0);
      do {
        bool inside = true, inPadded = true;
        std::vector<int64_t> ip(nsp);
        for (size_t a = 0; a < nsp; ++a) {
          int64_t pc = op[a] * stride[a] + wp[a];  // padded coordinate
          ip[a] = pc - g.pre[a];
          if (ip[a] < 0 || ip[a] >= c.in[a]) inside = false;
          if (pc >= g.pre[a] + c.in[a] + post[a]) inPadded = false;
        }
        if (inPadded) ++padded;
        if (!inside) continue;
        double v = x.values[p * inSp + linear(ip, c.in)];
        mx = std::max(mx, v);
        sum += v;
        ++real;
      } while (nextIndex(wp, c.k));
      double e;
      if (real == 0) {
        e = 0;
      } else {
        double avg = sum / double(c.excludePad ? real : padded);
        e = c.type == 0 ? mx : c.type == 1 ? avg : (1 - c.blend) * mx + c.blend * avg;
      }
      double got = r.values[p * outSp + linear(op, g.out)];
      double tol = c.dtype == DataType::kFLOAT ? 1e-5 : c.dtype == DataType::kHALF ? 2e-3 : 1.6e-2;
      if (!(std::fabs(got - e) <= tol * (1 + std::fabs(e)))) {
        if (bad < 3) std::printf("  plane %lld got %.8g expected %.8g\n", (long long)p, got, e);
        ++bad;
      }
    } while (nextIndex(op, g.out));
  }
  CHECK(bad == 0, "%s: %d values wrong", describe(c).c_str(), bad);
}

// ---- random case generation ----------------------------------------------------------------------
static int64_t pick(std::mt19937& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

static bool validConv(const ConvCase& c) {
  Geo g = refGeometry(c.deconv, c.mode, c.in, c.k, c.s, c.d, c.pre, c.post);
  for (size_t a = 0; a < c.in.size(); ++a) {
    if (!c.deconv && c.mode <= 1 && c.in[a] + c.pre[a] + c.post[a] < c.d[a] * (c.k[a] - 1) + 1) return false;
    if (g.out[a] < 1) return false;
  }
  return true;
}

static ConvCase randomConv(std::mt19937& rng, bool deconv, DataType type) {
  for (;;) {
    ConvCase c;
    c.deconv = deconv;
    c.type = type;
    c.wtype = (type != DataType::kFLOAT && pick(rng, 0, 1)) ? type : DataType::kFLOAT;
    size_t nsp = size_t(pick(rng, 1, 3));
    c.N = pick(rng, 1, 2);
    c.G = std::vector<int64_t>{1, 1, 2, 3}[pick(rng, 0, 3)];
    c.C = c.G * pick(rng, 1, 3);
    c.K = c.G * pick(rng, 1, 3);
    c.mode = int(pick(rng, 0, 3));
    for (size_t a = 0; a < nsp; ++a) {
      int64_t maxIn = nsp == 3 ? 6 : nsp == 2 ? 10 : 17;
      c.in.push_back(pick(rng, 1, maxIn));
      c.k.push_back(pick(rng, 1, nsp == 3 ? 3 : 4));
      c.s.push_back(pick(rng, 1, 3));
      c.d.push_back(pick(rng, 1, 2));
      c.pre.push_back(pick(rng, 0, 2));
      c.post.push_back(pick(rng, 0, 2));
    }
    c.act = std::vector<int>{-1, -1, 0, 3, 8, 1}[pick(rng, 0, 5)];
    c.alpha = c.act == 8 ? -0.5 : 0.1;
    c.beta = c.act == 8 ? 0.7 : 0;
    c.bias = pick(rng, 0, 3) != 0;
    c.kernelTensor = pick(rng, 0, 4) == 0;
    c.biasTensor = c.bias && pick(rng, 0, 4) == 0;
    if (validConv(c)) return c;
  }
}

static PoolCase randomPool(std::mt19937& rng, DataType type) {
  PoolCase c;
  c.dtype = type;
  size_t nsp = size_t(pick(rng, 1, 3));
  c.N = pick(rng, 1, 2);
  c.C = pick(rng, 1, 3);
  c.mode = int(pick(rng, 0, 3));
  c.type = int(pick(rng, 0, 2));
  c.blend = 0.3;
  c.excludePad = pick(rng, 0, 1);
  c.setStride = pick(rng, 0, 3) != 0;
  for (;;) {
    c.in.clear(), c.k.clear(), c.s.clear(), c.pre.clear(), c.post.clear();
    bool ok = true;
    for (size_t a = 0; a < nsp; ++a) {
      int64_t maxIn = nsp == 3 ? 7 : nsp == 2 ? 11 : 19;
      c.in.push_back(pick(rng, 1, maxIn));
      c.k.push_back(pick(rng, 1, 4));
      c.s.push_back(pick(rng, 1, 3));
      c.pre.push_back(pick(rng, 0, c.k.back() - 1));
      c.post.push_back(pick(rng, 0, c.k.back() - 1));
      int64_t s = c.setStride ? c.s.back() : c.k.back();
      if (c.mode <= 1 && c.in.back() + c.pre.back() + c.post.back() < c.k.back()) ok = false;
      (void)s;
    }
    if (ok) return c;
  }
}

// ---- fixed cases and shape inference checks -------------------------------------------------------
static void inferenceChecks() {
  auto conv = [](int64_t K, Dims k) {
    Node n;
    n.name = "c";
    n.type = LayerType::kCONVOLUTION;
    n.attrs["numOutputMaps"] = K;
    n.attrs["kernelSizeNd"] = k;
    return n;
  };
  std::mt19937 rng(1);
  Dims out;
  DataType ot;
  {
    Node n = conv(4, {3, 3});
    HostTensor w = makeTensor(DataType::kFLOAT, {100}, rng);
    n.attrs["kernel"] = toWeights(w);
    std::string e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 8, 8}}}, &out);
    CHECK(e.find("kernel weights have 100 values but numOutputMaps*C/numGroups*prod(kernelSizeNd) = 4*3/1*9 = 108") !=
              std::string::npos,
          "weights count message: %s", e.c_str());
  }
  {
    Node n = conv(4, {3, 3});
    n.attrs["numGroups"] = int64_t(2);
    HostTensor w = makeTensor(DataType::kFLOAT, {4 * 1 * 9}, rng);
    n.attrs["kernel"] = toWeights(w);
    std::string e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 8, 8}}}, &out);
    CHECK(e.find("input channel count 3 is not divisible by numGroups 2") != std::string::npos, "groups: %s",
          e.c_str());
  }
  {
    Node n = conv(4, {3, 3});
    HostTensor w = makeTensor(DataType::kBF16, {4 * 3 * 9}, rng);
    n.attrs["kernel"] = toWeights(w);
    std::string e = inferOnly(n, {{DataType::kHALF, {1, 3, 8, 8}}}, &out);
    CHECK(e.find("kernel weights have type BF16 but the input is HALF") != std::string::npos, "wtype: %s", e.c_str());
    e = inferOnly(n, {{DataType::kBF16, {1, 3, 8, 8}}}, &out, &ot);
    CHECK(e.empty() && ot == DataType::kBF16, "bf16 weights with bf16 input: %s", e.c_str());
  }
  {
    // Dynamic dims propagate.
    Node n = conv(4, {3, 3});
    HostTensor w = makeTensor(DataType::kFLOAT, {4 * 3 * 9}, rng);
    n.attrs["kernel"] = toWeights(w);
    n.attrs["strideNd"] = Dims{2, 2};
    std::string e = inferOnly(n, {{DataType::kHALF, {-1, 3, -1, 9}}}, &out, &ot);
    CHECK(e.empty() && out == (Dims{-1, 4, -1, 4}) && ot == DataType::kHALF, "dynamic: %s %s", e.c_str(),
          dimsToString(out).c_str());
    e = inferOnly(n, {{DataType::kFLOAT, {1, -1, 9, 9}}}, &out);
    CHECK(e.empty() && out == (Dims{1, 4, 4, 4}), "unknown C: %s %s", e.c_str(), dimsToString(out).c_str());
    e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 9}}}, &out);
    CHECK(e.find("needs rank 4") != std::string::npos, "rank: %s", e.c_str());
    e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 2, 9}}}, &out);
    CHECK(e.find("smaller than the window size 3") != std::string::npos, "too small: %s", e.c_str());
    e = inferOnly(n, {{DataType::kINT32, {1, 3, 9, 9}}}, &out);
    CHECK(e.find("INT32 is not supported") != std::string::npos, "int input: %s", e.c_str());
    n.attrs["strideNd"] = Dims{2, 2, 2};
    e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 9, 9}}}, &out);
    CHECK(e.find("strideNd has 3 values [2,2,2] but the window has 2 spatial dimensions") != std::string::npos,
          "stride count: %s", e.c_str());
    n.attrs["strideNd"] = Dims{2, 0};
    e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 9, 9}}}, &out);
    CHECK(e.find("strideNd[1] = 0 must be >= 1") != std::string::npos, "stride 0: %s", e.c_str());
  }
  {
    // Kernel tensor dims, missing kernel, bias count.
    Node n = conv(4, {3, 3});
    n.inputs = {0, 1};
    std::string e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 9, 9}}, {DataType::kFLOAT, {4, 3, 3, 2}}}, &out);
    CHECK(e.find("kernel tensor (input 1) has dims [4,3,3,2]") != std::string::npos, "kernel tensor: %s", e.c_str());
    e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 9, 9}}, {DataType::kFLOAT, {4, -1, 3, 3}}}, &out);
    CHECK(e.empty() && out == (Dims{1, 4, 7, 7}), "kernel tensor ok: %s", e.c_str());
    e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 9, 9}}}, &out);
    CHECK(e.find("kernel weights are empty and no kernel tensor") != std::string::npos, "no kernel: %s", e.c_str());
    HostTensor bw = makeTensor(DataType::kFLOAT, {5}, rng);
    n.attrs["bias"] = toWeights(bw);
    e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 9, 9}}, {DataType::kFLOAT, {4, 3, 3, 3}}}, &out);
    CHECK(e.find("bias weights have 5 values but numOutputMaps = 4") != std::string::npos, "bias: %s", e.c_str());
  }
  {
    Node n;
    n.name = "d";
    n.type = LayerType::kDECONVOLUTION;
    n.attrs["numOutputMaps"] = int64_t(6);
    n.attrs["kernelSizeNd"] = Dims{4};
    n.attrs["numGroups"] = int64_t(3);
    n.attrs["strideNd"] = Dims{2};
    n.attrs["prePadding"] = Dims{1};
    n.attrs["postPadding"] = Dims{1};
    HostTensor w = makeTensor(DataType::kFLOAT, {6 * 2 * 4}, rng);  // [C=6, K/g=2, 4]
    n.attrs["kernel"] = toWeights(w);
    std::string e = inferOnly(n, {{DataType::kFLOAT, {2, 6, 5}}}, &out);
    CHECK(e.empty() && out == (Dims{2, 6, 10}), "deconv dims: %s %s", e.c_str(), dimsToString(out).c_str());
    e = inferOnly(n, {{DataType::kFLOAT, {2, 9, 5}}}, &out);
    CHECK(e.find("kernel weights have 48 values but C*numOutputMaps/numGroups*prod(kernelSizeNd) = 6*9/3*4 = 72") !=
              std::string::npos,
          "deconv count: %s", e.c_str());
    n.attrs["paddingMode"] = int64_t(2);
    e = inferOnly(n, {{DataType::kFLOAT, {2, 6, 5}}}, &out);
    CHECK(e.empty() && out == (Dims{2, 6, 10}), "deconv SAME: %s %s", e.c_str(), dimsToString(out).c_str());
    n.attrs["paddingMode"] = int64_t(7);
    e = inferOnly(n, {{DataType::kFLOAT, {2, 6, 5}}}, &out);
    CHECK(e.find("paddingMode 7 is not a PaddingMode") != std::string::npos, "mode: %s", e.c_str());
  }
  {
    Node n;
    n.name = "p";
    n.type = LayerType::kPOOLING;
    n.attrs["windowSizeNd"] = Dims{2, 2};
    std::string e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 9, -1}}}, &out);
    CHECK(e.empty() && out == (Dims{1, 3, 4, -1}), "pool default stride = window: %s %s", e.c_str(),
          dimsToString(out).c_str());
    n.attrs["type"] = int64_t(5);
    e = inferOnly(n, {{DataType::kFLOAT, {1, 3, 9, 9}}}, &out);
    CHECK(e.find("type 5 is not a PoolingType") != std::string::npos, "pool type: %s", e.c_str());
    // TensorRT's example: I=6, window 3, stride 2, pre 3, post 2.
    n.attrs["type"] = int64_t(0);
    n.attrs["windowSizeNd"] = Dims{3, 3};
    n.attrs["strideNd"] = Dims{2, 2};
    n.attrs["prePadding"] = Dims{3, 3};
    n.attrs["postPadding"] = Dims{2, 2};
    e = inferOnly(n, {{DataType::kFLOAT, {1, 1, 6, 6}}}, &out);
    CHECK(e.empty() && out == (Dims{1, 1, 5, 5}), "pool example: %s", dimsToString(out).c_str());
    n.attrs["paddingMode"] = int64_t(2);
    e = inferOnly(n, {{DataType::kFLOAT, {1, 1, 6, 6}}}, &out);
    CHECK(e.empty() && out == (Dims{1, 1, 3, 3}), "pool SAME example: %s", dimsToString(out).c_str());
  }
}

// MAX and MAX_AVERAGE_BLEND propagate a NaN input to every window that contains it.
static void nanPoolingCheck(ThreadPool* pool) {
  for (int type : {0, 2}) {
    HostTensor x;
    x.type = DataType::kFLOAT;
    x.dims = {1, 1, 1, 6};
    std::vector<float> v{1, 2, NAN, 4, 5, 6};
    x.bytes.resize(v.size() * 4);
    std::memcpy(x.bytes.data(), v.data(), v.size() * 4);
    Node n;
    n.name = "nan";
    n.type = LayerType::kPOOLING;
    n.attrs["type"] = int64_t(type);
    n.attrs["windowSizeNd"] = Dims{1, 2};
    n.attrs["strideNd"] = Dims{1, 2};
    n.attrs["blendFactor"] = 0.5;
    RunResult r = runOp(n, {&x}, pool);
    CHECK(r.values.size() == 3 && !std::isnan(r.values[0]) && std::isnan(r.values[1]) && !std::isnan(r.values[2]),
          "NaN propagation (type %d): %g %g %g", type, r.values[0], r.values[1], r.values[2]);
  }
}

static std::vector<ConvCase> fixedConvCases() {
  std::vector<ConvCase> v;
  auto add = [&](bool deconv, int64_t N, int64_t C, int64_t K, int64_t G, Dims in, Dims k, Dims s, Dims d, Dims pre,
                 Dims post, int mode) {
    ConvCase c;
    c.deconv = deconv;
    c.N = N, c.C = C, c.K = K, c.G = G, c.in = in, c.k = k, c.s = s, c.d = d, c.pre = pre, c.post = post;
    c.mode = mode;
    v.push_back(c);
  };
  // ResNet-ish shapes, big enough to exercise the parallel GEMM and multiple K blocks.
  add(false, 2, 64, 64, 1, {28, 28}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, 0);
  add(false, 1, 32, 48, 1, {17, 19}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, 0);            // gemm-1x1
  add(false, 1, 32, 48, 1, {17, 19}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, 2);            // gemm-1x1 via SAME
  add(false, 1, 32, 48, 1, {17, 19}, {1, 1}, {2, 2}, {1, 1}, {0, 0}, {0, 0}, 0);            // strided 1x1
  add(false, 1, 48, 48, 48, {20, 20}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, 0);           // depthwise
  add(false, 1, 48, 96, 48, {15, 15}, {5, 5}, {2, 2}, {1, 1}, {0, 0}, {0, 0}, 2);           // depthwise x2, SAME
  add(false, 1, 64, 64, 4, {13, 13}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, 0);            // grouped 1x1
  add(false, 1, 3, 16, 1, {33, 31}, {7, 7}, {2, 2}, {1, 1}, {3, 3}, {3, 3}, 0);             // stem
  add(false, 1, 16, 16, 1, {20, 20}, {3, 3}, {1, 1}, {3, 3}, {3, 3}, {3, 3}, 0);            // dilated
  add(false, 1, 8, 8, 2, {6, 7, 8}, {3, 3, 3}, {1, 2, 1}, {1, 1, 2}, {1, 0, 1}, {1, 1, 0}, 1);  // 3-D
  add(false, 2, 4, 6, 2, {40}, {5}, {3}, {2}, {2}, {1}, 3);                                  // 1-D
  add(false, 1, 1, 1, 1, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, 0);                 // trivial
  add(false, 1, 2, 3, 1, {5, 5}, {3, 3}, {4, 4}, {1, 1}, {0, 0}, {0, 0}, 1);                 // ROUND_UP
  add(false, 1, 2, 3, 1, {2, 2}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, 0);                 // window overhangs
  add(true, 2, 32, 16, 1, {12, 12}, {4, 4}, {2, 2}, {1, 1}, {1, 1}, {1, 1}, 0);              // upsample x2
  add(true, 1, 16, 24, 1, {9, 11}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, 0);               // deconv gemm-1x1
  add(true, 1, 16, 16, 16, {10, 10}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {0, 0}, 0);             // depthwise deconv
  add(true, 1, 6, 9, 3, {5, 6}, {3, 2}, {3, 1}, {2, 1}, {0, 1}, {2, 0}, 0);                  // grouped, dilated
  add(true, 1, 4, 4, 1, {5, 6}, {3, 3}, {2, 2}, {1, 1}, {0, 0}, {0, 0}, 2);                  // SAME_UPPER
  add(true, 1, 4, 4, 1, {5, 6}, {1, 2}, {3, 3}, {1, 1}, {0, 0}, {0, 0}, 3);                  // SAME_LOWER, k < s
  add(true, 1, 4, 2, 2, {3, 4, 5}, {2, 3, 2}, {2, 1, 3}, {1, 2, 1}, {0, 1, 0}, {1, 0, 0}, 0);  // 3-D
  add(true, 2, 3, 5, 1, {7}, {3}, {2}, {1}, {1}, {1}, 0);                                      // 1-D
  return v;
}

static std::vector<PoolCase> fixedPoolCases() {
  std::vector<PoolCase> v;
  auto add = [&](Dims in, Dims k, Dims s, Dims pre, Dims post, int mode, int type, bool excl) {
    PoolCase c;
    c.N = 2, c.C = 5, c.in = in, c.k = k, c.s = s, c.pre = pre, c.post = post, c.mode = mode, c.type = type;
    c.excludePad = excl;
    c.blend = 0.25;
    v.push_back(c);
  };
  add({32, 32}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, 0, 0, true);  // ResNet max pool
  add({7, 7}, {7, 7}, {1, 1}, {0, 0}, {0, 0}, 0, 1, true);    // global average
  add({6, 6}, {3, 3}, {2, 2}, {2, 2}, {1, 1}, 1, 1, false);   // ROUND_UP, include padding
  add({6, 6}, {3, 3}, {2, 2}, {0, 0}, {0, 0}, 2, 2, true);    // SAME_UPPER blend
  add({6, 6}, {3, 3}, {2, 2}, {0, 0}, {0, 0}, 3, 1, false);   // SAME_LOWER
  add({5, 1, 9}, {2, 1, 3}, {2, 1, 2}, {1, 0, 1}, {0, 0, 2}, 1, 2, false);  // 3-D
  add({10}, {4}, {3}, {2}, {2}, 1, 0, true);                  // 1-D ROUND_UP
  add({5}, {1}, {3}, {0}, {0}, 1, 1, true);                   // ROUND_UP: last window past the input
  return v;
}

int main() {
  registerConvolution();
  registerDeconvolution();
  registerPooling();
  std::printf("gemm micro-kernel: %s\n", cpu::gemmKernelName());
  ThreadPool pool(4);
  std::mt19937 rng(12345);
  std::map<std::string, int> impls;

  inferenceChecks();
  nanPoolingCheck(&pool);

  int convCases = 0, poolCases = 0;
  const DataType types[] = {DataType::kFLOAT, DataType::kHALF, DataType::kBF16};
  for (ConvCase c : fixedConvCases()) {
    for (DataType t : types) {
      c.type = t;
      c.wtype = t == DataType::kHALF ? DataType::kHALF : DataType::kFLOAT;
      c.act = t == DataType::kFLOAT ? -1 : 0;
      runConvCase(c, rng, &pool, impls);
      ++convCases;
    }
    // Single-threaded, kernel and bias from tensors, default attributes where they are defaults.
    c.type = DataType::kFLOAT;
    c.kernelTensor = c.biasTensor = true;
    c.act = 3;
    c.alpha = 0.2;
    runConvCase(c, rng, nullptr, impls);
    ++convCases;
  }
  {
    // Defaults: no strideNd / dilationNd / padding attributes.
    ConvCase c;
    c.C = 3, c.K = 5, c.in = {9, 8}, c.k = {3, 2}, c.s = {1, 1}, c.d = {1, 1}, c.pre = {0, 0}, c.post = {0, 0};
    c.setStride = c.setDilation = c.setPadding = false;
    runConvCase(c, rng, &pool, impls);
    c.deconv = true;
    runConvCase(c, rng, &pool, impls);
    convCases += 2;
  }
  const int kRandom = 300;
  for (int i = 0; i < kRandom; ++i) {
    DataType t = types[i % 3];
    ConvCase c = randomConv(rng, i % 2 == 1, t);
    runConvCase(c, rng, i % 5 == 0 ? nullptr : &pool, impls);
    ++convCases;
  }
  for (PoolCase c : fixedPoolCases()) {
    for (DataType t : types) {
      c.dtype = t;
      runPoolCase(c, rng, &pool);
      ++poolCases;
    }
  }
  for (int i = 0; i < kRandom; ++i) {
    PoolCase c = randomPool(rng, types[i % 3]);
    runPoolCase(c, rng, i % 4 == 0 ? nullptr : &pool);
    ++poolCases;
  }
  std::printf("conv/deconv cases: %d, pooling cases: %d\n", convCases, poolCases);
  for (auto& [k, n] : impls) std::printf("  %s: %d\n", k.c_str(), n);
  std::printf("%d checks, %d failures\n", g_checks, g_failures);
  return g_failures ? 1 : 0;
}
