// CONVOLUTION: 1-D/2-D/3-D grouped, dilated cross-correlation. CPU kernel = im2col + packed-weight
// GEMM (gemm-1x1 skips im2col), bias and fused activation in the GEMM epilogue; the autotuner may
// pick direct-depthwise or winograd instead where they apply. Also holds the helpers shared with
// Deconvolution.cpp (declared in ConvOps.h).
#include <algorithm>
#include <cstring>

#include "../cpu/Gemm.h"
#include "../cpu/KernelUtil.h"
#include "ConvOps.h"
#include "DepthwiseConvolution.h"
#include "WinogradConvolution.h"

namespace trtn {
namespace ops {

// ---------------------------------------------------------------------------------------------
// Shared helpers

Node identityOf(const Node& node) {
  Node n;
  n.name = node.name;
  n.type = node.type;
  return n;
}

ConvAttrs readConvAttrs(const Node& node) {
  ConvAttrs a;
  a.window = readWindowAttrs(node, "kernelSizeNd", /*hasDilation=*/true, /*strideDefaultsToWindow=*/false);
  if (!node.has("numOutputMaps")) layerError(node, "numOutputMaps is not set");
  a.numOutputMaps = node.getInt("numOutputMaps", 0);
  if (a.numOutputMaps < 1) layerError(node, "numOutputMaps ", a.numOutputMaps, " must be >= 1");
  a.numGroups = node.getInt("numGroups", 1);
  if (a.numGroups < 1) layerError(node, "numGroups ", a.numGroups, " must be >= 1");
  if (a.numOutputMaps % a.numGroups != 0)
    layerError(node, "numOutputMaps ", a.numOutputMaps, " is not divisible by numGroups ", a.numGroups);
  a.activation = readFusedActivation(node);
  return a;
}

namespace {

void checkWeightType(const InferIO& io, const char* what, DataType wt, DataType inType) {
  if (wt != inType && wt != DataType::kFLOAT)
    io.error(what, " have type ", dataTypeName(wt), " but the input is ", dataTypeName(inType),
             "; weights must be FLOAT or the input type");
}

}  // namespace

void inferConvolutionLike(InferIO& io, WindowOp op) {
  const Node& node = io.node;
  const bool deconv = op == WindowOp::kTransposed;
  ConvAttrs a = readConvAttrs(node);
  const WindowAttrs& w = a.window;
  if (!io.has(0)) io.error("input 0 (data) is missing");
  DataType t = io.type(0);
  if (!isFloatType(t))
    io.error("input type ", dataTypeName(t), " is not supported; expected FLOAT, HALF or BF16");
  const Dims& in = io.dims(0);
  const int rank = w.nsp + 2;
  if (static_cast<int>(in.size()) != rank)
    io.error("input has dims ", dimsToString(in), " (rank ", in.size(), ") but kernelSizeNd ", dimsToString(w.kernel),
             " needs rank ", rank, " ([N, C, spatial...])");
  const int64_t K = a.numOutputMaps, G = a.numGroups, C = in[1];
  const int64_t kvol = w.kernelVolume();
  if (C == 0) io.error("input has 0 channels (dims ", dimsToString(in), ")");
  if (C > 0 && C % G != 0) io.error("input channel count ", C, " is not divisible by numGroups ", G);

  // Kernel: the `kernel` weights or input 1.
  const char* formula =
      deconv ? "C*numOutputMaps/numGroups*prod(kernelSizeNd)" : "numOutputMaps*C/numGroups*prod(kernelSizeNd)";
  const Weights* kw = node.getWeights("kernel");
  const bool kTensor = io.has(1);
  if (kw && kTensor) io.error("kernel weights are set and a kernel tensor is given as input 1; use one of them");
  // As in TensorRT, the kernel may come later (empty weights, then setInput(1, tensor)), and
  // numGroups is set after the add: at add time only what no later setting can fix is an error.
  if (!kw && !kTensor && !io.addTime) io.error("kernel weights are empty and no kernel tensor is given as input 1");
  if (kw) {
    checkWeightType(io, "kernel weights", kw->type, t);
    if (C > 0) {
      // Products of absurd dims (malformed models) must not overflow: -1 never matches a count.
      const auto product = [](int64_t a, int64_t b, int64_t c) {
        int64_t ab = 0, abc = 0;
        return __builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, &abc) ? int64_t{-1} : abc;
      };
      int64_t expected = product(K, C / G, kvol);  // equals C * (K / G) * kvol for deconvolution
      bool fixable = false;  // some numGroups dividing C and numOutputMaps gives this count
      for (int64_t g = 1; io.addTime && !fixable && g <= std::min(C, K); ++g)
        fixable = C % g == 0 && K % g == 0 && product(K, C / g, kvol) == kw->count;
      if (kw->count != expected && !fixable)
        io.error("kernel weights have ", kw->count, " values but ", formula, " = ", K, "*", C, "/", G, "*", kvol, " = ",
                 expected, io.addTime ? " (and no numGroups dividing C and numOutputMaps gives that count)" : "");
    } else {
      // Unknown C: the count must still be a whole number of channels.
      int64_t unit = 0;
      if (__builtin_mul_overflow(deconv ? K / G : K, kvol, &unit) || unit <= 0 || kw->count % unit != 0)
        io.error("kernel weights have ", kw->count, " values, which is not a multiple of ",
                 deconv ? "numOutputMaps/numGroups*prod(kernelSizeNd) = " : "numOutputMaps*prod(kernelSizeNd) = ", unit);
    }
  } else if (kTensor) {  // neither: only at add time (see above)
    checkWeightType(io, "kernel tensor (input 1) values", io.type(1), t);
    const Dims& kd = io.dims(1);
    Dims expect(rank);
    expect[0] = deconv ? C : K;
    expect[1] = deconv ? K / G : (C > 0 ? C / G : -1);
    for (int i = 0; i < w.nsp; ++i) expect[2 + i] = w.kernel[i];
    bool ok = static_cast<int>(kd.size()) == rank;
    for (int i = 0; ok && i < rank; ++i)
      if (kd[i] >= 0 && expect[i] >= 0 && kd[i] != expect[i]) ok = false;
    if (!ok)
      io.error("kernel tensor (input 1) has dims ", dimsToString(kd), " but ",
               deconv ? "[C, numOutputMaps/numGroups, kernelSizeNd...] = " : "[numOutputMaps, C/numGroups, kernelSizeNd...] = ",
               dimsToString(expect), " is expected (-1 = not yet known)");
  }

  // Bias: the `bias` weights (empty = none) or input 2.
  const Weights* bw = node.getWeights("bias");
  const bool bTensor = io.has(2);
  if (bw && bTensor) io.error("bias weights are set and a bias tensor is given as input 2; use one of them");
  if (bw) {
    checkWeightType(io, "bias weights", bw->type, t);
    if (bw->count != K) io.error("bias weights have ", bw->count, " values but numOutputMaps = ", K);
  } else if (bTensor) {
    checkWeightType(io, "bias tensor (input 2) values", io.type(2), t);
    int64_t bv = volume(io.dims(2));
    if (bv >= 0 && bv != K)
      io.error("bias tensor (input 2) has dims ", dimsToString(io.dims(2)), " (", bv, " values) but numOutputMaps = ", K);
  }

  Dims spatial(in.begin() + 2, in.end());
  Dims outSpatial = windowOutputDims(node, w, op, spatial, io.addTime);
  Dims out{in[0], K};
  out.insert(out.end(), outSpatial.begin(), outSpatial.end());
  // Input 3: the residual added before the fused activation (passes/Fusion.cpp,
  // fuseConvResidualCuda); only that pass sets it.
  if (io.numInputs() > 3 && io.has(3)) {
    if (deconv || !node.has("fusedResidual"))
      io.error("input 3 is reserved for the residual that the cuda backend's fusion adds");
    if (io.type(3) != t || io.dims(3) != out)
      io.error("residual (input 3) has dims ", dimsToString(io.dims(3)), " of type ", dataTypeName(io.type(3)),
               " but the output has ", dimsToString(out), " of type ", dataTypeName(t));
  }
  io.setOutput(0, t, out);
}

std::vector<float> weightsToFloat(const Weights& w) {
  std::vector<float> f(static_cast<size_t>(w.count));
  if (w.count > 0) cpu::convertToFloat(w.data.get(), w.type, f.data(), w.count);
  return f;
}

void parallelRange(ThreadPool* pool, int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (!pool || pool->size() == 0 || n <= grain) {
    fn(0, n);
    return;
  }
  pool->parallelFor(n, grain, fn);
}

void toFloatParallel(ThreadPool* pool, const void* src, DataType t, float* dst, int64_t count) {
  const size_t es = dataTypeSize(t);
  parallelRange(pool, count, 1 << 15, [&](int64_t b, int64_t e) {
    cpu::convertToFloat(static_cast<const char*>(src) + b * es, t, dst + b, e - b);
  });
}

void fromFloatParallel(ThreadPool* pool, const float* src, void* dst, DataType t, int64_t count) {
  const size_t es = dataTypeSize(t);
  parallelRange(pool, count, 1 << 15, [&](int64_t b, int64_t e) {
    cpu::convertFromFloat(src + b, static_cast<char*>(dst) + b * es, t, e - b);
  });
}

WorkspaceArena::WorkspaceArena(void* base, size_t bytes, const Node& node) : node_(node) {
  if (!base) bytes = 0;
  uintptr_t p = reinterpret_cast<uintptr_t>(base);
  uintptr_t aligned = (p + kAlign - 1) / kAlign * kAlign;
  size_t skip = static_cast<size_t>(aligned - p);
  cur_ = static_cast<char*>(base) + (skip <= bytes ? skip : bytes);
  end_ = static_cast<char*>(base) + bytes;
}

float* WorkspaceArena::floats(int64_t count) {
  size_t need = bytesFor(count);
  if (static_cast<size_t>(end_ - cur_) < need)
    fail(StatusCode::kInternal, "layer '", node_.name, "' (", layerTypeName(node_.type), "): workspace too small (",
         end_ - cur_, " bytes left, ", need, " needed)");
  float* r = reinterpret_cast<float*>(cur_);
  cur_ += need;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Convolution kernel

namespace {

using cpu::BiasKind;
using cpu::GemmEpilogue;
using cpu::MatrixView;
using cpu::PackedMatrix;

int64_t knownProduct(const Dims& d, size_t from) {
  int64_t p = 1;
  for (size_t i = from; i < d.size(); ++i) p *= d[i] > 0 ? d[i] : 0;
  return p;
}

// col[(c, kz, ky, kx), (oz, oy, ox)] = x[c, oz*s - pre + kz*d, ...] (0 outside the input), for
// `channels` channels of one image; rows are filled in parallel.
void im2col(const float* x, int64_t channels, const WindowGeometry& geo, float* col, ThreadPool* pool) {
  const AxisGeometry &az = geo.axis[0], &ay = geo.axis[1], &ax = geo.axis[2];
  const int64_t kvol = geo.kernelVolume(), inSp = geo.inVolume(), outSp = geo.outVolume();
  const int64_t OW = ax.out, OH = ay.out, OD = az.out;
  parallelRange(pool, channels * kvol, cpu::grainFor(outSp), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; ++r) {
      const int64_t c = r / kvol;
      int64_t k = r % kvol;
      const int64_t kx = k % ax.kernel;
      k /= ax.kernel;
      const int64_t ky = k % ay.kernel;
      const int64_t kz = k / ay.kernel;
      const float* src = x + c * inSp;
      float* dst = col + r * outSp;
      int64_t zlo, zhi, ylo, yhi, xlo, xhi;
      validRange(OD, az.in, az.stride, az.pre, kz * az.dilation, zlo, zhi);
      validRange(OH, ay.in, ay.stride, ay.pre, ky * ay.dilation, ylo, yhi);
      validRange(OW, ax.in, ax.stride, ax.pre, kx * ax.dilation, xlo, xhi);
      const int64_t xoff = kx * ax.dilation - ax.pre;
      for (int64_t oz = 0; oz < OD; ++oz) {
        float* plane = dst + oz * OH * OW;
        if (oz < zlo || oz >= zhi) {
          std::fill(plane, plane + OH * OW, 0.f);
          continue;
        }
        const int64_t iz = oz * az.stride - az.pre + kz * az.dilation;
        for (int64_t oy = 0; oy < OH; ++oy) {
          float* row = plane + oy * OW;
          if (oy < ylo || oy >= yhi) {
            std::fill(row, row + OW, 0.f);
            continue;
          }
          const int64_t iy = oy * ay.stride - ay.pre + ky * ay.dilation;
          const float* srow = src + (iz * ay.in + iy) * ax.in;
          std::fill(row, row + xlo, 0.f);
          if (ax.stride == 1) {
            if (xhi > xlo) std::memcpy(row + xlo, srow + xlo + xoff, static_cast<size_t>(xhi - xlo) * sizeof(float));
          } else {
            for (int64_t ox = xlo; ox < xhi; ++ox) row[ox] = srow[ox * ax.stride + xoff];
          }
          std::fill(row + xhi, row + OW, 0.f);
        }
      }
    }
  });
}

// Implicit im2col: the GEMM's B panels packed straight from one image's channels (one group),
// without the [C*kvol, outSp] matrix. Row r = (c, kz, ky, kx), column n = (oz, oy, ox) shifted by
// colOffset (absolute = n + colOffset); values as im2col() writes them.
class Im2colPanelSource final : public cpu::BPanelSource {
 public:
  Im2colPanelSource(const float* x, const WindowGeometry& geo, int64_t colOffset)
      : x_(x), geo_(geo), colOffset_(colOffset) {
    const AxisGeometry &az = geo.axis[0], &ay = geo.axis[1], &ax = geo.axis[2];
    taps_.resize(static_cast<size_t>(geo.kernelVolume()));
    size_t i = 0;
    for (int64_t kz = 0; kz < az.kernel; ++kz)
      for (int64_t ky = 0; ky < ay.kernel; ++ky)
        for (int64_t kx = 0; kx < ax.kernel; ++kx, ++i) {
          Tap& t = taps_[i];
          validRange(az.out, az.in, az.stride, az.pre, kz * az.dilation, t.zlo, t.zhi);
          validRange(ay.out, ay.in, ay.stride, ay.pre, ky * ay.dilation, t.ylo, t.yhi);
          validRange(ax.out, ax.in, ax.stride, ax.pre, kx * ax.dilation, t.xlo, t.xhi);
          t.zoff = kz * az.dilation - az.pre;
          t.yoff = ky * ay.dilation - ay.pre;
          t.xoff = kx * ax.dilation - ax.pre;
        }
  }

  void pack(int64_t k0, int64_t kc, int64_t n0, int64_t nc, float* dst) const override {
    constexpr int64_t P = 16;     // panel width of the GEMM's packed B
    constexpr int64_t CH = 8 * P;  // columns gathered per pass: one im2col row piece in L1
    const AxisGeometry &az = geo_.axis[0], &ay = geo_.axis[1], &ax = geo_.axis[2];
    const int64_t kvol = static_cast<int64_t>(taps_.size()), inSp = geo_.inVolume();
    const int64_t OW = ax.out, OH = ay.out;
    const int64_t sx = ax.stride;
    const int64_t panelStride = kc * P;
    alignas(64) float row[CH];
    for (int64_t cb = 0; cb < nc; cb += CH) {
      const int64_t cn = std::min(CH, nc - cb);
      const int64_t a0 = n0 + cb + colOffset_;
      const int64_t line0 = a0 / OW, ox0 = a0 % OW;
      const int64_t oy0 = line0 % OH, oz0 = line0 / OH;
      float* dblock = dst + (cb / P) * panelStride;
      int64_t c = k0 / kvol, tapIdx = k0 % kvol;
      for (int64_t k = 0; k < kc; ++k) {
        const Tap& t = taps_[static_cast<size_t>(tapIdx)];
        const float* src = x_ + c * inSp;
        if (++tapIdx == kvol) {
          tapIdx = 0;
          ++c;
        }
        // The row's columns [cb, cb+cn) as im2col would hold them.
        int64_t oz = oz0, oy = oy0, ox = ox0, rel = 0;
        while (rel < cn) {
          const int64_t cnt = std::min(OW - ox, cn - rel);
          float* d = row + rel;
          if (oz < t.zlo || oz >= t.zhi || oy < t.ylo || oy >= t.yhi) {
            std::fill(d, d + cnt, 0.f);
          } else {
            const float* srow = src + ((oz * az.stride + t.zoff) * ay.in + oy * ay.stride + t.yoff) * ax.in + t.xoff;
            const int64_t lo = std::min(std::max(t.xlo - ox, int64_t(0)), cnt);
            const int64_t hi = std::max(std::min(t.xhi - ox, cnt), lo);
            std::fill(d, d + lo, 0.f);
            if (sx == 1) {
              if (hi > lo) std::memcpy(d + lo, srow + ox + lo, static_cast<size_t>(hi - lo) * sizeof(float));
            } else {
              for (int64_t j = lo; j < hi; ++j) d[j] = srow[(ox + j) * sx];
            }
            std::fill(d + hi, d + cnt, 0.f);
          }
          rel += cnt;
          ox = 0;
          if (++oy == OH) {
            oy = 0;
            ++oz;
          }
        }
        // Scatter into the panels.
        const int64_t full = cn / P;
        for (int64_t q = 0; q < full; ++q)
          std::memcpy(dblock + q * panelStride + k * P, row + q * P, P * sizeof(float));
        if (const int64_t tail = cn - full * P) {
          float* d = dblock + full * panelStride + k * P;
          std::memcpy(d, row + full * P, static_cast<size_t>(tail) * sizeof(float));
          std::fill(d + tail, d + P, 0.f);
        }
      }
    }
  }

 private:
  struct Tap {
    int64_t zlo, zhi, ylo, yhi, xlo, xhi;  // valid output ranges for this kernel offset
    int64_t zoff, yoff, xoff;              // input index = out * stride + off
  };
  const float* x_;
  WindowGeometry geo_;
  int64_t colOffset_;
  std::vector<Tap> taps_;
};

class ConvolutionKernel final : public CpuKernel {
 public:
  ConvolutionKernel(const Node& node, const std::vector<DataType>& inTypes)
      : node_(identityOf(node)), attrs_(readConvAttrs(node)) {
    type_ = inTypes.at(0);
    if (!isFloatType(type_)) layerError(node, "input type ", dataTypeName(type_), " is not supported");
    K_ = attrs_.numOutputMaps;
    G_ = attrs_.numGroups;
    Kg_ = K_ / G_;
    kvol_ = attrs_.window.kernelVolume();
    const bool same = attrs_.window.paddingMode == PaddingMode::kSAME_UPPER ||
                      attrs_.window.paddingMode == PaddingMode::kSAME_LOWER;
    // k = 1 and stride 1: SAME gives no padding, explicit padding must be zero.
    pointwise_ = kvol_ == 1 && attrs_.window.allStrideOne() && (same || attrs_.window.zeroExplicitPadding());

    if (const Weights* w = node.getWeights("kernel")) {
      if (w->count % (K_ * kvol_) != 0 || (w->count / (K_ * kvol_)) < 1)
        layerError(node, "kernel weights have ", w->count, " values, not a multiple of numOutputMaps*prod(kernelSizeNd) = ",
                   K_ * kvol_);
      Cg_ = w->count / (K_ * kvol_);
      const int64_t rows = Cg_ * kvol_;
      std::vector<float> converted;
      const float* wf;
      if (w->type == DataType::kFLOAT) {
        wf = w->as<float>();
      } else {
        converted = weightsToFloat(*w);
        wf = converted.data();
      }
      packed_.reserve(static_cast<size_t>(G_));
      for (int64_t g = 0; g < G_; ++g)
        packed_.push_back(PackedMatrix::packA(MatrixView{wf + g * Kg_ * rows, rows, false}, Kg_, rows));
    } else {
      if (node.input(1) < 0 || inTypes.size() < 2) layerError(node, "kernel weights are empty and input 1 is absent");
      kernelFromTensor_ = true;
      kernelType_ = inTypes[1];
    }
    if (const Weights* b = node.getWeights("bias")) {
      if (b->count != K_) layerError(node, "bias weights have ", b->count, " values but numOutputMaps = ", K_);
      bias_ = weightsToFloat(*b);
    } else if (node.input(2) >= 0 && inTypes.size() > 2) {
      biasFromTensor_ = true;
      biasType_ = inTypes[2];
    }
  }

  size_t workspaceBytes(const std::vector<Dims>& inDims, const std::vector<Dims>& outDims) const override {
    if (inDims.empty() || outDims.empty() || inDims[0].size() < 2) return 0;
    const int64_t C = std::max<int64_t>(inDims[0][1], 0);
    const int64_t inSp = knownProduct(inDims[0], 2), outSp = knownProduct(outDims[0], 2);
    size_t bytes = 0;
    const int64_t N = std::max<int64_t>(inDims[0][0], 1);
    if (!pointwise_) bytes += static_cast<size_t>(imageChunks(N, C * kvol_ * outSp)) * WorkspaceArena::bytesFor(C * kvol_ * outSp);
    if (type_ != DataType::kFLOAT)
      bytes += WorkspaceArena::bytesFor(C * inSp) + WorkspaceArena::bytesFor(K_ * outSp);
    if (kernelFromTensor_ && kernelType_ != DataType::kFLOAT)
      bytes += WorkspaceArena::bytesFor(K_ * (C / G_) * kvol_);
    if (biasFromTensor_ && biasType_ != DataType::kFLOAT) bytes += WorkspaceArena::bytesFor(K_);
    return bytes ? bytes + WorkspaceArena::kAlign : 0;
  }

  // Batches run as up to kMaxImageChunks contiguous runs of images, one pool task per run, each
  // with its own im2col buffer and a single-threaded GEMM: no fork/join per image, hot caches.
  // Deterministic in the shape (the memory planner sizes the workspace with it at build time).
  static constexpr int64_t kMaxImageChunks = 8;
  static constexpr int64_t kImageChunkBudgetBytes = int64_t(32) << 20;  // all im2col buffers together
  static constexpr int64_t kImageParallelMaxBytes = int64_t(2) << 20;  // per-image im2col matrix
  int64_t imageChunks(int64_t N, int64_t colFloats) const {
    if (type_ != DataType::kFLOAT || N <= 1) return 1;
    if (static_cast<int64_t>(colFloats) * static_cast<int64_t>(sizeof(float)) > kImageParallelMaxBytes) return 1;
    int64_t b = std::min<int64_t>(N, kMaxImageChunks);
    const int64_t colBytes = static_cast<int64_t>(WorkspaceArena::bytesFor(colFloats));
    if (colBytes > 0) b = std::min<int64_t>(b, std::max<int64_t>(1, kImageChunkBudgetBytes / colBytes));
    return b;
  }

  const char* implementation() const override { return pointwise_ ? "gemm-1x1" : "im2col-gemm"; }

  void run(KernelIO& io) override {
    const TensorRef& x = io.in.at(0);
    const TensorRef& y = io.out.at(0);
    const Dims& in = x.dims;
    const int nsp = attrs_.window.nsp;
    if (static_cast<int>(in.size()) != nsp + 2)
      layerError(node_, "input dims ", dimsToString(in), " do not have rank ", nsp + 2);
    const int64_t N = in[0], C = in[1];
    if (C < 1 || C % G_ != 0) layerError(node_, "input channel count ", C, " is not a positive multiple of numGroups ", G_);
    const int64_t Cg = C / G_;
    if (!kernelFromTensor_ && Cg != Cg_)
      layerError(node_, "input has ", C, " channels but the kernel weights are for ", Cg_ * G_, " channels");
    const WindowGeometry geo = makeWindowGeometry(node_, attrs_.window, WindowOp::kForward, Dims(in.begin() + 2, in.end()));
    const int64_t inSp = geo.inVolume(), outSp = geo.outVolume(), rows = Cg * kvol_;
    if (y.count() != N * K_ * outSp)
      fail(StatusCode::kInternal, "layer '", node_.name, "': output ", dimsToString(y.dims), " does not hold ", N, "x",
           K_, "x", outSp, " values");
    if (N == 0) return;
    ThreadPool* pool = io.pool;
    WorkspaceArena ws(io.workspace, io.workspaceBytes, node_);
    const bool f32 = type_ == DataType::kFLOAT;
    const int threads = pool ? pool->size() + 1 : 1;
    const int64_t colFloats = pointwise_ ? 0 : C * kvol_ * outSp;
    // Image-parallel when there are at least as many runs of images as threads; the run count is
    // clamped to what the workspace holds (it was sized for the largest batch).
    int64_t chunks = pool && pool->size() > 0 ? imageChunks(N, colFloats) : 1;
    if (chunks > 1 && colFloats > 0) {
      size_t avail = io.workspace ? io.workspaceBytes : 0;
      size_t extras = WorkspaceArena::kAlign;
      if (kernelFromTensor_ && kernelType_ != DataType::kFLOAT) extras += WorkspaceArena::bytesFor(K_ * rows);
      if (biasFromTensor_ && biasType_ != DataType::kFLOAT) extras += WorkspaceArena::bytesFor(K_);
      avail = avail > extras ? avail - extras : 0;
      const int64_t fit = static_cast<int64_t>(avail / WorkspaceArena::bytesFor(colFloats));
      chunks = std::min(chunks, std::max<int64_t>(fit, 1));
    }
    // Large per-image operands stream from memory either way; there two threads on one GEMM
    // (sharing its packed panels) measured faster than one GEMM per thread.
    const bool smallImage = static_cast<int64_t>(rows * G_ * outSp * sizeof(float)) <= kImageParallelMaxBytes;
    const bool imageParallel = f32 && smallImage && chunks > 1 && chunks >= threads;
    if (!imageParallel) chunks = 1;
    std::vector<float*> cols(static_cast<size_t>(chunks), nullptr);
    if (!pointwise_)
      for (auto& c : cols) c = ws.floats(colFloats);
    float* col = cols[0];
    float* inStage = f32 ? nullptr : ws.floats(C * inSp);
    float* outStage = f32 ? nullptr : ws.floats(K_ * outSp);

    const float* wf = nullptr;  // unpacked float kernel (from input 1)
    if (kernelFromTensor_) {
      const TensorRef& kt = io.in.at(1);
      if (kt.count() != K_ * rows)
        layerError(node_, "kernel tensor has ", kt.count(), " values ", dimsToString(kt.dims),
                   " but numOutputMaps*C/numGroups*prod(kernelSizeNd) = ", K_ * rows);
      if (kt.type == DataType::kFLOAT) {
        wf = kt.as<float>();
      } else {
        float* t = ws.floats(K_ * rows);
        toFloatParallel(pool, kt.data, kt.type, t, K_ * rows);
        wf = t;
      }
    }
    const float* bias = bias_.empty() ? nullptr : bias_.data();
    if (biasFromTensor_) {
      const TensorRef& bt = io.in.at(2);
      if (bt.count() != K_) layerError(node_, "bias tensor has ", bt.count(), " values but numOutputMaps = ", K_);
      if (bt.type == DataType::kFLOAT) {
        bias = bt.as<float>();
      } else {
        float* t = ws.floats(K_);
        cpu::convertToFloat(bt.data, bt.type, t, K_);
        bias = t;
      }
    }

    // Many small groups (depthwise and the like): one single-threaded GEMM per group, groups in
    // parallel. Otherwise the GEMM spreads each group over the pool.
    const bool groupsParallel = pool && G_ > 1 && (G_ >= threads || Kg_ * outSp * rows < (int64_t(1) << 20));
    const size_t es = dataTypeSize(type_);

    if (imageParallel) {
      // f32 only: no staging buffers.
      parallelRange(pool, chunks, 1, [&](int64_t cb, int64_t ce) {
        for (int64_t ci = cb; ci < ce; ++ci) {
          float* colc = cols[static_cast<size_t>(ci)];
          const int64_t n0 = N * ci / chunks, n1 = N * (ci + 1) / chunks;
          for (int64_t n = n0; n < n1; ++n) {
            const float* xn = x.as<float>() + n * C * inSp;
            float* yn = y.as<float>() + n * K_ * outSp;
            if (!pointwise_) im2col(xn, C, geo, colc, nullptr);
            for (int64_t g = 0; g < G_; ++g) {
              MatrixView b{pointwise_ ? xn + g * Cg * inSp : colc + g * rows * outSp, outSp, false};
              MatrixView a{wf ? wf + g * Kg_ * rows : nullptr, rows, false};
              GemmEpilogue e;
              if (bias) {
                e.bias = bias + g * Kg_;
                e.biasKind = BiasKind::kPerRow;
              }
              e.activation = attrs_.activation.type;
              e.alpha = attrs_.activation.alpha;
              e.beta = attrs_.activation.beta;
              cpu::gemm(Kg_, outSp, rows, a, wf ? nullptr : packed_[g].get(), b, nullptr, yn + g * Kg_ * outSp, outSp,
                        e, nullptr);
            }
          }
        }
      });
      return;
    }

    // One image at a time, its output lines split over the pool: each task builds the im2col
    // columns of its lines and runs a single-threaded GEMM on them (one fork/join per image, and
    // each task's slice of the im2col matrix stays in its own cache).
    const int64_t lines = geo.axis[0].out * geo.axis[1].out, OW = geo.axis[2].out;
    const bool spatialSplit =
        f32 && smallImage && !pointwise_ && !groupsParallel && threads > 1 && lines >= threads;
    if (spatialSplit) {
      const int64_t tasks = threads;
      for (int64_t n = 0; n < N; ++n) {
        const float* xn = x.as<float>() + n * C * inSp;
        float* yn = y.as<float>() + n * K_ * outSp;
        parallelRange(pool, tasks, 1, [&](int64_t tb, int64_t te) {
          for (int64_t t = tb; t < te; ++t) {
            const int64_t l0 = lines * t / tasks, l1 = lines * (t + 1) / tasks;
            if (l1 <= l0) continue;
            for (int64_t g = 0; g < G_; ++g) {
              const Im2colPanelSource b(xn + g * Cg * inSp, geo, l0 * OW);
              MatrixView a{wf ? wf + g * Kg_ * rows : nullptr, rows, false};
              GemmEpilogue e;
              if (bias) {
                e.bias = bias + g * Kg_;
                e.biasKind = BiasKind::kPerRow;
              }
              e.activation = attrs_.activation.type;
              e.alpha = attrs_.activation.alpha;
              e.beta = attrs_.activation.beta;
              cpu::gemm(Kg_, (l1 - l0) * OW, rows, a, wf ? nullptr : packed_[g].get(), b,
                        yn + g * Kg_ * outSp + l0 * OW, outSp, e, nullptr);
            }
          }
        });
      }
      return;
    }

    for (int64_t n = 0; n < N; ++n) {
      const float* xn;
      if (f32) {
        xn = x.as<float>() + n * C * inSp;
      } else {
        toFloatParallel(pool, static_cast<const char*>(x.data) + n * C * inSp * es, type_, inStage, C * inSp);
        xn = inStage;
      }
      float* yn = f32 ? y.as<float>() + n * K_ * outSp : outStage;
      // FLOAT input: B panels packed straight from the image (implicit im2col).
      const bool implicit = f32 && !pointwise_;
      if (!pointwise_ && !implicit) im2col(xn, C, geo, col, pool);
      auto runGroup = [&](int64_t g, ThreadPool* gemmPool) {
        MatrixView b{pointwise_ ? xn + g * Cg * inSp : col + g * rows * outSp, outSp, false};
        MatrixView a{wf ? wf + g * Kg_ * rows : nullptr, rows, false};
        GemmEpilogue e;
        if (bias) {
          e.bias = bias + g * Kg_;
          e.biasKind = BiasKind::kPerRow;
        }
        e.activation = attrs_.activation.type;
        e.alpha = attrs_.activation.alpha;
        e.beta = attrs_.activation.beta;
        if (implicit) {
          const Im2colPanelSource src(xn + g * Cg * inSp, geo, 0);
          cpu::gemm(Kg_, outSp, rows, a, wf ? nullptr : packed_[g].get(), src, yn + g * Kg_ * outSp, outSp, e,
                    gemmPool);
          return;
        }
        cpu::gemm(Kg_, outSp, rows, a, wf ? nullptr : packed_[g].get(), b, nullptr, yn + g * Kg_ * outSp, outSp, e,
                  gemmPool);
      };
      if (groupsParallel) {
        parallelRange(pool, G_, 1, [&](int64_t gb, int64_t ge) {
          for (int64_t g = gb; g < ge; ++g) runGroup(g, nullptr);
        });
      } else {
        for (int64_t g = 0; g < G_; ++g) runGroup(g, pool);
      }
      if (!f32) fromFloatParallel(pool, outStage, static_cast<char*>(y.data) + n * K_ * outSp * es, type_, K_ * outSp);
    }
  }

 private:
  Node node_;
  ConvAttrs attrs_;
  DataType type_ = DataType::kFLOAT;
  int64_t K_ = 0, G_ = 1, Kg_ = 0, Cg_ = 0, kvol_ = 1;
  bool pointwise_ = false;
  bool kernelFromTensor_ = false, biasFromTensor_ = false;
  DataType kernelType_ = DataType::kFLOAT, biasType_ = DataType::kFLOAT;
  std::vector<std::shared_ptr<PackedMatrix>> packed_;  // one [K/g, C/g*prod(k)] panel set per group
  std::vector<float> bias_;
};

void inferConvolution(InferIO& io) { inferConvolutionLike(io, WindowOp::kForward); }

std::unique_ptr<CpuKernel> createConvolution(const Node& node, const std::vector<DataType>& inTypes,
                                             const std::vector<DataType>& outTypes) {
  (void)outTypes;
  if (node.input(3) >= 0)
    fail(StatusCode::kUnsupported, "layer '", node.name, "' (CONVOLUTION) has a fused residual input, which only the "
         "cuda backend runs; build the plan for the 'cpu' backend");
  const std::string impl = node.getString("implementation");
  if (impl == "direct-depthwise")
    if (auto k = createDepthwiseConvolution(node, inTypes)) return k;
  // A plan made where the CPU has AVX2 may run where it has not: im2col-gemm then.
  if (impl == "winograd")
    if (auto k = createWinogradConvolution(node, inTypes)) return k;
  return std::make_unique<ConvolutionKernel>(node, inTypes);
}

// Implementations the builder's autotuner times for this node.
std::vector<std::string> convolutionCandidates(const Node& node, const std::vector<DataType>& inTypes) {
  if (isDepthwiseCandidate(node, inTypes)) return {"im2col-gemm", "direct-depthwise"};
  if (isWinogradCandidate(node, inTypes)) return {"im2col-gemm", "winograd"};
  return {};
}

}  // namespace
}  // namespace ops

void registerConvolution() {
  registerOp(OpDef{LayerType::kCONVOLUTION, "Convolution", 1, 4, 1, &ops::inferConvolution, &ops::createConvolution, {},
                   &ops::convolutionCandidates});
}

}  // namespace trtn
