// NORMALIZATION: y = (x - mean) / sqrt(var + epsilon) * scale + bias, with mean and (biased)
// variance over the axes of the `axes` bitmask. scale and bias have the input's rank and
// broadcast to it. With numGroups G > 1, the channel dim 1 is split into G groups and the
// statistics also run over the channels of a group (GroupNorm); scale and bias still broadcast
// to the input, so [1, C, 1, ...] is per channel. Statistics accumulate in double (float lanes
// flushed into a double every 1024 elements on contiguous runs), on data shifted by one of its
// own elements, and the output subtracts the mean as float high + low parts, so data far from
// zero (mean 100, std 0.6) keep float32 accuracy in the normalized values.
#include <cmath>

#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

// Sum of (x - pivot) over n contiguous elements, in 8 float lanes flushed into a double every
// 1024 elements (as sumRun). With the pivot a sample of the data the partial sums stay near
// zero; summing x itself in float would lose ~1e-5 of a mean of 100 over 4096 elements.
template <typename T>
double sumShiftedRun(const T* x, int64_t off, int64_t n, float pivot) {
  using C = cpu::Compute<T>;
  double total = 0;
  for (int64_t c0 = 0; c0 < n; c0 += 1024) {
    const int64_t c1 = std::min<int64_t>(n, c0 + 1024);
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = c0;
    for (; i + 8 <= c1; i += 8)
      for (int k = 0; k < 8; ++k) lane[k] += static_cast<float>(C::load(x, off + i + k)) - pivot;
    for (; i < c1; ++i) lane[0] += static_cast<float>(C::load(x, off + i)) - pivot;
    total += ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  }
  return total;
}

void inferNormalization(InferIO& io) {
  const Dims& x = io.dims(0);
  const int64_t rank = static_cast<int64_t>(x.size());
  DataType t = io.type(0);
  if (!isFloatType(t)) io.error("input type ", dataTypeName(t), " is not supported (FLOAT, HALF or BF16 only)");
  if (rank < 1) io.error("the input must have at least one dimension");
  for (size_t i = 1; i <= 2; ++i) {
    const char* what = i == 1 ? "scale" : "bias";
    if (!io.has(i)) io.error("the ", what, " input (", i, ") is missing");
    if (!isFloatType(io.type(i))) io.error(what, " has type ", dataTypeName(io.type(i)), "; a float type is needed");
    const Dims& d = io.dims(i);
    if (d.size() != x.size())
      io.error(what, " dims ", dimsToString(d), " must have the input's rank ", rank, " (input dims ", dimsToString(x),
               ")");
    for (int64_t k = 0; k < rank; ++k)
      if (d[k] != 1 && d[k] >= 0 && x[k] >= 0 && d[k] != x[k])
        io.error(what, " dims ", dimsToString(d), " do not broadcast to the input dims ", dimsToString(x));
  }
  std::vector<bool> axes = axesFromMask(io, io.node.getInt("axes", 0), rank, "axes");
  int64_t groups = io.node.getInt("numGroups", 1);
  if (groups < 1) io.error("numGroups ", groups, " must be at least 1");
  if (groups > 1) {
    if (rank < 2)
      io.error("numGroups ", groups, " needs a channel dimension (dim 1), but the input has dims ", dimsToString(x));
    if (axes[1]) io.error("with numGroups ", groups, " the axes must not include the channel dimension 1");
    if (x[1] >= 0 && x[1] % groups != 0)
      io.error("numGroups ", groups, " does not divide the ", x[1], " channels of input ", dimsToString(x));
  }
  io.setOutput(0, t, x);
}

class NormalizationKernel : public CpuKernel {
 public:
  explicit NormalizationKernel(const Node& node)
      : epsilon_(node.getFloat("epsilon", 1e-5)), mask_(node.getInt("axes", 0)), groups_(node.getInt("numGroups", 1)) {}

  size_t workspaceBytes(const std::vector<Dims>& inDims, const std::vector<Dims>&) const override {
    int64_t n = std::max<int64_t>(volume(inDims.at(1)), 0) + std::max<int64_t>(volume(inDims.at(2)), 0);
    return static_cast<size_t>(n) * sizeof(float) + 64;
  }

  void run(KernelIO& io) override {
    const TensorRef& x = io.in[0];
    const TensorRef& sc = io.in[1];
    const TensorRef& bi = io.in[2];
    if (x.count() <= 0) return;
    const int64_t ns = sc.count(), nb = bi.count();
    TRTN_CHECK(io.workspace && io.workspaceBytes >= static_cast<size_t>(ns + nb) * sizeof(float), StatusCode::kInternal,
               "normalization: workspace too small");
    float* scale = static_cast<float*>(io.workspace);
    float* bias = scale + ns;
    cpu::convertToFloat(sc.data, sc.type, scale, ns);
    cpu::convertToFloat(bi.data, bi.type, bias, nb);

    const Dims& X = x.dims;
    const size_t rank = X.size();
    std::vector<bool> red(rank);
    for (size_t d = 0; d < rank; ++d) red[d] = ((mask_ >> d) & 1) != 0;
    std::vector<int64_t> xs = cpu::stridesOf(X);
    std::vector<int64_t> ss = cpu::broadcastStrides(sc.dims, X);
    std::vector<int64_t> bs = cpu::broadcastStrides(bi.dims, X);
    Dims view = X;
    if (groups_ > 1) {
      // [N, C, ...] -> [N, G, C/G, ...], reducing over C/G as well.
      const int64_t G = groups_, cg = X[1] / groups_;
      TRTN_CHECK(X[1] % G == 0, StatusCode::kInvalidArgument, "normalization: ", G, " groups do not divide ", X[1],
                 " channels");
      view.insert(view.begin() + 2, cg);
      view[1] = G;
      red.insert(red.begin() + 2, true);
      red[1] = false;
      for (auto* s : {&xs, &ss, &bs}) {
        int64_t s1 = (*s)[1];
        s->insert(s->begin() + 2, s1);
        (*s)[1] = s1 * cg;
      }
    }
    AxisGroups g = groupAxes(view, red, {xs, ss, bs});
    const int64_t L = g.redDims.empty() ? 1 : g.redDims.back();
    const int64_t outerRed = L > 0 ? g.redCount / L : 0;
    const int64_t lx = g.redDims.empty() ? 0 : g.redStrides[0].back();
    const int64_t ls = g.redDims.empty() ? 0 : g.redStrides[1].back();
    const int64_t lb = g.redDims.empty() ? 0 : g.redStrides[2].back();
    Dims orDims = g.redDims.empty() ? Dims{} : Dims(g.redDims.begin(), g.redDims.end() - 1);
    std::vector<std::vector<int64_t>> orStr(3);
    for (int k = 0; k < 3; ++k)
      if (!g.redDims.empty()) orStr[k].assign(g.redStrides[k].begin(), g.redStrides[k].end() - 1);
    const double eps = epsilon_;
    const double count = static_cast<double>(g.redCount);

    cpu::dispatchFloat(x.type, [&](auto tag) {
      using T = decltype(tag);
      using C = cpu::Compute<T>;
      const T* xp = x.as<const T>();
      T* yp = io.out[0].as<T>();
      parallelFor(io.pool, g.keptCount, cpu::grainFor(g.redCount * 4), [&](int64_t begin, int64_t end) {
        cpu::MultiIndex ki(g.keptDims, g.keptStrides);
        cpu::MultiIndex ri(orDims, orStr);
        ki.seek(begin);
        for (int64_t k = begin; k < end; ++k, ki.next()) {
          const int64_t kx = ki.offsets[0], ks = ki.offsets[1], kb = ki.offsets[2];
          // Shifted by the group's first element (kx is its offset).
          const float pivot = static_cast<float>(C::load(xp, kx));
          double sum = 0;
          ri.seek(0);
          for (int64_t r = 0; r < outerRed; ++r, ri.next()) {
            const int64_t o = kx + ri.offsets[0];
            if (lx == 1) sum += sumShiftedRun(xp, o, L, pivot);
            else
              for (int64_t j = 0; j < L; ++j) sum += static_cast<double>(C::load(xp, o + j * lx)) - pivot;
          }
          const double mean = pivot + sum / count;
          const float m = static_cast<float>(mean);
          const float mLo = static_cast<float>(mean - static_cast<double>(m));  // m + mLo ~ mean
          double sq = 0;
          ri.seek(0);
          for (int64_t r = 0; r < outerRed; ++r, ri.next()) {
            const int64_t o = kx + ri.offsets[0];
            if (lx == 1) {
              sq += sumSqDevRun(xp, o, L, m);
            } else {
              for (int64_t j = 0; j < L; ++j) {
                double dv = C::load(xp, o + j * lx) - mean;
                sq += dv * dv;
              }
            }
          }
          const float rstd = static_cast<float>(1.0 / std::sqrt(sq / count + eps));
          ri.seek(0);
          for (int64_t r = 0; r < outerRed; ++r, ri.next()) {
            const int64_t o = kx + ri.offsets[0];
            const float* sp = scale + ks + ri.offsets[1];
            const float* bp = bias + kb + ri.offsets[2];
            for (int64_t j = 0; j < L; ++j)
              C::store(yp, o + j * lx, ((C::load(xp, o + j * lx) - m) - mLo) * rstd * sp[j * ls] + bp[j * lb]);
          }
        }
      });
    });
  }
  const char* implementation() const override { return "normalization"; }

 private:
  double epsilon_;
  int64_t mask_, groups_;
};

std::unique_ptr<CpuKernel> createNormalization(const Node& node, const std::vector<DataType>&,
                                               const std::vector<DataType>&) {
  return std::make_unique<NormalizationKernel>(node);
}

}  // namespace

void registerNormalization() {
  registerOp({LayerType::kNORMALIZATION, "Normalization", 3, 3, 1, inferNormalization, createNormalization, {}});
}

}  // namespace trtn
