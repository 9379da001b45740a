// DECONVOLUTION: 1-D/2-D/3-D grouped, dilated transposed convolution. CPU kernel = GEMM with the
// packed, transposed weights (W^T x) into a column buffer, then a col2im scatter-add that starts
// from the bias and ends with the fused activation. 1x1 stride-1 unpadded: the GEMM writes the
// output directly, with bias and activation in its epilogue.
#include <algorithm>

#include "../cpu/Gemm.h"
#include "../cpu/KernelUtil.h"
#include "ConvOps.h"

namespace trtn {
namespace ops {
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

// out[k, o] = bias[k] + sum over (kpos, i) with o = i*s - pre + kpos*d of col[(k, kpos), i], then the
// activation; `channels` output channels of one image, in parallel (each owns its plane).
void col2im(const float* col, int64_t channels, const WindowGeometry& geo, const float* bias,
            const FusedActivation& act, float* out, ThreadPool* pool) {
  const AxisGeometry &az = geo.axis[0], &ay = geo.axis[1], &ax = geo.axis[2];
  const int64_t kvol = geo.kernelVolume(), inSp = geo.inVolume(), outSp = geo.outVolume();
  const int64_t OH = ay.out, OW = ax.out, IH = ay.in, IW = ax.in;
  parallelRange(pool, channels, cpu::grainFor(kvol * inSp + outSp), [&](int64_t cb, int64_t ce) {
    for (int64_t k = cb; k < ce; ++k) {
      float* plane = out + k * outSp;
      std::fill(plane, plane + outSp, bias ? bias[k] : 0.f);
      for (int64_t kpos = 0; kpos < kvol; ++kpos) {
        const int64_t kx = kpos % ax.kernel;
        const int64_t ky = (kpos / ax.kernel) % ay.kernel;
        const int64_t kz = kpos / (ax.kernel * ay.kernel);
        const float* row = col + (k * kvol + kpos) * inSp;
        int64_t zlo, zhi, ylo, yhi, xlo, xhi;
        validRange(az.in, az.out, az.stride, az.pre, kz * az.dilation, zlo, zhi);
        validRange(ay.in, ay.out, ay.stride, ay.pre, ky * ay.dilation, ylo, yhi);
        validRange(ax.in, ax.out, ax.stride, ax.pre, kx * ax.dilation, xlo, xhi);
        const int64_t xoff = kx * ax.dilation - ax.pre;
        if (xhi <= xlo) continue;
        for (int64_t iz = zlo; iz < zhi; ++iz) {
          const int64_t oz = iz * az.stride - az.pre + kz * az.dilation;
          for (int64_t iy = ylo; iy < yhi; ++iy) {
            const int64_t oy = iy * ay.stride - ay.pre + ky * ay.dilation;
            const float* src = row + (iz * IH + iy) * IW;
            // Output x of input ix is ix*stride + xoff, inside [0, OW) for ix in [xlo, xhi).
            float* dst = plane + (oz * OH + oy) * OW;
            if (ax.stride == 1) {
              float* d = dst + (xlo + xoff);
              for (int64_t ix = xlo; ix < xhi; ++ix) *d++ += src[ix];
            } else {
              for (int64_t ix = xlo; ix < xhi; ++ix) dst[ix * ax.stride + xoff] += src[ix];
            }
          }
        }
      }
      if (act.type == 0) {  // RELU, the common case, inline
        for (int64_t i = 0; i < outSp; ++i) plane[i] = plane[i] > 0.f ? plane[i] : 0.f;
      } else if (act.type != cpu::kNoActivation) {
        for (int64_t i = 0; i < outSp; ++i) plane[i] = cpu::applyActivation(act.type, plane[i], act.alpha, act.beta);
      }
    }
  });
}

class DeconvolutionKernel final : public CpuKernel {
 public:
  DeconvolutionKernel(const Node& node, const std::vector<DataType>& inTypes)
      : node_(identityOf(node)), attrs_(readConvAttrs(node)) {
    type_ = inTypes.at(0);
    if (!isFloatType(type_)) layerError(node, "input type ", dataTypeName(type_), " is not supported");
    K_ = attrs_.numOutputMaps;
    G_ = attrs_.numGroups;
    Kg_ = K_ / G_;
    kvol_ = attrs_.window.kernelVolume();
    Mg_ = Kg_ * kvol_;
    const bool same = attrs_.window.paddingMode == PaddingMode::kSAME_UPPER ||
                      attrs_.window.paddingMode == PaddingMode::kSAME_LOWER;
    pointwise_ = kvol_ == 1 && attrs_.window.allStrideOne() && (same || attrs_.window.zeroExplicitPadding());

    if (const Weights* w = node.getWeights("kernel")) {
      const int64_t C = w->count / Mg_;
      if (w->count % Mg_ != 0 || C < 1 || C % G_ != 0)
        layerError(node, "kernel weights have ", w->count, " values, not C*numOutputMaps/numGroups*prod(kernelSizeNd) (",
                   "a multiple of ", Mg_ * G_, ")");
      Cg_ = C / G_;
      std::vector<float> converted;
      const float* wf;
      if (w->type == DataType::kFLOAT) {
        wf = w->as<float>();
      } else {
        converted = weightsToFloat(*w);
        wf = converted.data();
      }
      // Group g's weights are stored [C/g, K/g*prod(k)]; the GEMM's left operand is their transpose.
      packed_.reserve(static_cast<size_t>(G_));
      for (int64_t g = 0; g < G_; ++g)
        packed_.push_back(PackedMatrix::packA(MatrixView{wf + g * Cg_ * Mg_, Mg_, true}, Mg_, Cg_));
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
    if (!pointwise_) bytes += WorkspaceArena::bytesFor(K_ * kvol_ * inSp);
    if (type_ != DataType::kFLOAT)
      bytes += WorkspaceArena::bytesFor(C * inSp) + WorkspaceArena::bytesFor(K_ * outSp);
    if (kernelFromTensor_ && kernelType_ != DataType::kFLOAT) bytes += WorkspaceArena::bytesFor(C * Mg_);
    if (biasFromTensor_ && biasType_ != DataType::kFLOAT) bytes += WorkspaceArena::bytesFor(K_);
    return bytes ? bytes + WorkspaceArena::kAlign : 0;
  }

  const char* implementation() const override { return pointwise_ ? "gemm-1x1" : "gemm-col2im"; }

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
    const WindowGeometry geo =
        makeWindowGeometry(node_, attrs_.window, WindowOp::kTransposed, Dims(in.begin() + 2, in.end()));
    const int64_t inSp = geo.inVolume(), outSp = geo.outVolume();
    if (y.count() != N * K_ * outSp)
      fail(StatusCode::kInternal, "layer '", node_.name, "': output ", dimsToString(y.dims), " does not hold ", N, "x",
           K_, "x", outSp, " values");
    if (N == 0) return;
    ThreadPool* pool = io.pool;
    WorkspaceArena ws(io.workspace, io.workspaceBytes, node_);
    float* col = pointwise_ ? nullptr : ws.floats(K_ * kvol_ * inSp);
    const bool f32 = type_ == DataType::kFLOAT;
    float* inStage = f32 ? nullptr : ws.floats(C * inSp);
    float* outStage = f32 ? nullptr : ws.floats(K_ * outSp);

    const float* wf = nullptr;  // unpacked float kernel [C, K/g, k...] (from input 1)
    if (kernelFromTensor_) {
      const TensorRef& kt = io.in.at(1);
      if (kt.count() != C * Mg_)
        layerError(node_, "kernel tensor has ", kt.count(), " values ", dimsToString(kt.dims),
                   " but C*numOutputMaps/numGroups*prod(kernelSizeNd) = ", C * Mg_);
      if (kt.type == DataType::kFLOAT) {
        wf = kt.as<float>();
      } else {
        float* t = ws.floats(C * Mg_);
        toFloatParallel(pool, kt.data, kt.type, t, C * Mg_);
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

    const int threads = pool ? pool->size() + 1 : 1;
    const bool groupsParallel = pool && G_ > 1 && (G_ >= threads || Mg_ * inSp * Cg < (int64_t(1) << 20));
    const size_t es = dataTypeSize(type_);

    for (int64_t n = 0; n < N; ++n) {
      const float* xn;
      if (f32) {
        xn = x.as<float>() + n * C * inSp;
      } else {
        toFloatParallel(pool, static_cast<const char*>(x.data) + n * C * inSp * es, type_, inStage, C * inSp);
        xn = inStage;
      }
      float* yn = f32 ? y.as<float>() + n * K_ * outSp : outStage;
      auto runGroup = [&](int64_t g, ThreadPool* gemmPool) {
        MatrixView a{wf ? wf + g * Cg * Mg_ : nullptr, Mg_, true};
        MatrixView b{xn + g * Cg * inSp, inSp, false};
        const PackedMatrix* pa = wf ? nullptr : packed_[g].get();
        GemmEpilogue e;
        if (pointwise_) {
          if (bias) {
            e.bias = bias + g * Kg_;
            e.biasKind = BiasKind::kPerRow;
          }
          e.activation = attrs_.activation.type;
          e.alpha = attrs_.activation.alpha;
          e.beta = attrs_.activation.beta;
          cpu::gemm(Kg_, inSp, Cg, a, pa, b, nullptr, yn + g * Kg_ * outSp, outSp, e, gemmPool);
        } else {
          cpu::gemm(Mg_, inSp, Cg, a, pa, b, nullptr, col + g * Mg_ * inSp, inSp, e, gemmPool);
        }
      };
      if (groupsParallel) {
        parallelRange(pool, G_, 1, [&](int64_t gb, int64_t ge) {
          for (int64_t g = gb; g < ge; ++g) runGroup(g, nullptr);
        });
      } else {
        for (int64_t g = 0; g < G_; ++g) runGroup(g, pool);
      }
      // Group g's column rows start at g*Mg = g*(K/g)*prod(k), so output channel k's rows are at
      // k*prod(k) whatever its group: one scatter over all K channels.
      if (!pointwise_) col2im(col, K_, geo, bias, attrs_.activation, yn, pool);
      if (!f32) fromFloatParallel(pool, outStage, static_cast<char*>(y.data) + n * K_ * outSp * es, type_, K_ * outSp);
    }
  }

 private:
  Node node_;
  ConvAttrs attrs_;
  DataType type_ = DataType::kFLOAT;
  int64_t K_ = 0, G_ = 1, Kg_ = 0, Cg_ = 0, kvol_ = 1, Mg_ = 0;
  bool pointwise_ = false;
  bool kernelFromTensor_ = false, biasFromTensor_ = false;
  DataType kernelType_ = DataType::kFLOAT, biasType_ = DataType::kFLOAT;
  std::vector<std::shared_ptr<PackedMatrix>> packed_;  // per group: [K/g*prod(k), C/g] = W_g^T
  std::vector<float> bias_;
};

void inferDeconvolution(InferIO& io) { inferConvolutionLike(io, WindowOp::kTransposed); }

std::unique_ptr<CpuKernel> createDeconvolution(const Node& node, const std::vector<DataType>& inTypes,
                                               const std::vector<DataType>& outTypes) {
  (void)outTypes;
  return std::make_unique<DeconvolutionKernel>(node, inTypes);
}

}  // namespace
}  // namespace ops

void registerDeconvolution() {
  registerOp(OpDef{LayerType::kDECONVOLUTION, "Deconvolution", 1, 3, 1, &ops::inferDeconvolution,
                   &ops::createDeconvolution, {}});
}

}  // namespace trtn
