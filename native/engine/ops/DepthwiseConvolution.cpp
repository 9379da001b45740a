// Direct depthwise convolution (numGroups == C == numOutputMaps, FLOAT): one small filter per
// channel, where im2col + GEMM wastes most of its work on a K = 1 product. The builder's
// autotuner picks between this and im2col-gemm by timing both ("implementation" attribute).
#include <algorithm>
#include <cstring>

#include "../cpu/KernelUtil.h"
#include "ConvOps.h"
#include "DepthwiseConvolution.h"

namespace trtn::ops {

namespace {

class DepthwiseKernel final : public CpuKernel {
 public:
  DepthwiseKernel(const Node& node, const Weights& kernel)
      : node_(identityOf(node)), attrs_(readConvAttrs(node)), weights_(weightsToFloat(kernel)) {
    if (const Weights* b = node.getWeights("bias")) bias_ = weightsToFloat(*b);
  }

  const char* implementation() const override { return "direct-depthwise"; }

  void run(KernelIO& io) override {
    const TensorRef& x = io.in.at(0);
    const TensorRef& y = io.out.at(0);
    const Dims& in = x.dims;
    const int64_t N = in[0], C = in[1];
    if (C != attrs_.numOutputMaps) layerError(node_, "depthwise kernel expects ", attrs_.numOutputMaps, " channels, input has ", C);
    const WindowGeometry geo = makeWindowGeometry(node_, attrs_.window, WindowOp::kForward, Dims(in.begin() + 2, in.end()));
    const AxisGeometry &ad = geo.axis[0], &ah = geo.axis[1], &aw = geo.axis[2];
    const int64_t inSp = geo.inVolume(), outSp = geo.outVolume(), kvol = geo.kernelVolume();
    const float* src = x.as<float>();
    float* dst = y.as<float>();
    const FusedActivation act = attrs_.activation;
    io.pool->parallelFor(N * C, cpu::grainFor(outSp * kvol), [&](int64_t begin, int64_t end) {
      for (int64_t nc = begin; nc < end; ++nc) {
        const int64_t c = nc % C;
        const float* xin = src + nc * inSp;
        const float* w = weights_.data() + c * kvol;
        float* out = dst + nc * outSp;
        const float b = bias_.empty() ? 0.f : bias_[c];
        for (int64_t od = 0; od < ad.out; ++od)
          for (int64_t oh = 0; oh < ah.out; ++oh) {
            float* row = out + (od * ah.out + oh) * aw.out;
            for (int64_t ow = 0; ow < aw.out; ++ow) row[ow] = b;
            for (int64_t kd = 0; kd < ad.kernel; ++kd) {
              const int64_t id = od * ad.stride - ad.pre + kd * ad.dilation;
              if (id < 0 || id >= ad.in) continue;
              for (int64_t kh = 0; kh < ah.kernel; ++kh) {
                const int64_t ih = oh * ah.stride - ah.pre + kh * ah.dilation;
                if (ih < 0 || ih >= ah.in) continue;
                const float* xrow = xin + (id * ah.in + ih) * aw.in;
                const float* wrow = w + (kd * ah.kernel + kh) * aw.kernel;
                for (int64_t kw = 0; kw < aw.kernel; ++kw) {
                  const float wv = wrow[kw];
                  int64_t lo, hi;  // output columns whose input column is inside the row
                  validRange(aw.out, aw.in, aw.stride, aw.pre, kw * aw.dilation, lo, hi);
                  const int64_t base = kw * aw.dilation - aw.pre;
                  if (aw.stride == 1) {
                    const float* xs = xrow + base;
                    for (int64_t ow = lo; ow < hi; ++ow) row[ow] += wv * xs[ow];
                  } else {
                    for (int64_t ow = lo; ow < hi; ++ow) row[ow] += wv * xrow[ow * aw.stride + base];
                  }
                }
              }
            }
            if (act.type == 0) {
              for (int64_t ow = 0; ow < aw.out; ++ow) row[ow] = row[ow] > 0.f ? row[ow] : 0.f;
            } else if (act.type != cpu::kNoActivation) {
              for (int64_t ow = 0; ow < aw.out; ++ow) row[ow] = cpu::applyActivation(act.type, row[ow], act.alpha, act.beta);
            }
          }
      }
    });
  }

 private:
  Node node_;
  ConvAttrs attrs_;
  std::vector<float> weights_;
  std::vector<float> bias_;
};

}  // namespace

bool isDepthwiseCandidate(const Node& node, const std::vector<DataType>& inTypes) {
  if (inTypes.empty() || inTypes[0] != DataType::kFLOAT) return false;
  const Weights* k = node.getWeights("kernel");
  if (!k || node.input(1) >= 0 || node.input(2) >= 0) return false;
  int64_t K = node.getInt("numOutputMaps", 0), G = node.getInt("numGroups", 1);
  int64_t kvol = 1;
  for (int64_t d : node.getInts("kernelSizeNd")) kvol *= d;
  return K > 1 && G == K && k->count == K * kvol;
}

std::unique_ptr<CpuKernel> createDepthwiseConvolution(const Node& node, const std::vector<DataType>& inTypes) {
  if (!isDepthwiseCandidate(node, inTypes)) return nullptr;
  return std::make_unique<DepthwiseKernel>(node, *node.getWeights("kernel"));
}

}  // namespace trtn::ops
