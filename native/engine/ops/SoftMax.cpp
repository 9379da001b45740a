// SOFTMAX over one axis (bitmask `axes` with one bit; default rank-3, or 0 below rank 3), for
// FLOAT/HALF/BF16, computed in float with the row maximum subtracted first. An all -inf row
// gives NaN (as 0/0 in exact arithmetic); NaN inputs propagate.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "TensorOps.h"

namespace trtn {

namespace {

using namespace tensorops;

int64_t defaultSoftmaxMask(int64_t rank) { return int64_t{1} << (rank >= 3 ? rank - 3 : 0); }

void inferSoftMax(InferIO& io) {
  DataType t = io.type(0);
  if (!isFloatType(t)) io.error("input type ", dataTypeName(t), " is not supported (FLOAT, HALF or BF16 only)");
  int64_t rank = static_cast<int64_t>(io.dims(0).size());
  if (rank == 0) io.error("the input must have at least one dimension");
  singleAxisFromMask(io, io.node.getInt("axes", defaultSoftmaxMask(rank)), rank, "axes");
  io.setOutput(0, t, io.dims(0));
}

// exp(x), branch-free so that loops over it vectorise (Cephes expf: range reduction by ln 2, a
// degree-6 polynomial, 2^n through the exponent bits; under 1 ulp on [-87.3, 88], checked over
// every float there). Inputs below
// -87.3 (and -inf) give exactly 0, inputs above 88 give exp(88), NaN propagates. The clamps and
// selects work on integer keys of the float bits and masks: with GCC's default -ftrapping-math,
// float compares in ?: would keep the loop from being vectorised.
inline float expApprox(float x) {
  constexpr int32_t kKeyLo = -1118743633;  // key of -87.3365447504f (bits 0xc2aeac50)
  constexpr int32_t kKeyHi = 1118830592;   // key of 88.0f (bits 0x42b00000)
  int32_t xi;
  std::memcpy(&xi, &x, sizeof xi);
  // Order-preserving integer key: negative floats have their magnitude bits flipped.
  const int32_t key = xi ^ ((xi >> 31) & 0x7fffffff);
  const int32_t mLo = -static_cast<int32_t>(key < kKeyLo), mHi = -static_cast<int32_t>(key > kKeyHi);
  int32_t kc = (kKeyLo & mLo) | (key & ~mLo);
  kc = (kKeyHi & mHi) | (kc & ~mHi);
  const int32_t ci = kc ^ ((kc >> 31) & 0x7fffffff);
  float xc;
  std::memcpy(&xc, &ci, sizeof xc);
  // n = round(xc / ln 2) through the 1.5 * 2^23 trick (no libm call).
  const float n = (xc * 1.44269504088896341f + 12582912.f) - 12582912.f;
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.f;
  const int32_t sbits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &sbits, sizeof scale);
  const float e = y * scale;
  int32_t eb;
  std::memcpy(&eb, &e, sizeof eb);
  const int32_t mNan = -static_cast<int32_t>((xi & 0x7fffffff) > 0x7f800000);
  int32_t ob = eb & ~mLo;
  ob = (xi & mNan) | (ob & ~mNan);
  float out;
  std::memcpy(&out, &ob, sizeof out);
  return out;
}

// One contiguous row: buf holds the row in float on entry and its softmax on exit.
inline void softmaxRow(float* buf, int64_t n) {
  float lane[8];
  for (float& l : lane) l = -INFINITY;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) lane[k] = buf[i + k] > lane[k] ? buf[i + k] : lane[k];
  float mx = -INFINITY;
  for (; i < n; ++i) mx = buf[i] > mx ? buf[i] : mx;
  for (float l : lane) mx = l > mx ? l : mx;
  if (mx == -INFINITY) mx = 0.f;  // an all -inf row gives NaN below, as exp(-inf - -inf) would
  for (int64_t j = 0; j < n; ++j) buf[j] = expApprox(buf[j] - mx);
  for (float& l : lane) l = 0.f;
  i = 0;
  float sum = 0.f;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) lane[k] += buf[i + k];
  for (; i < n; ++i) sum += buf[i];
  sum += ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  const float inv = 1.f / sum;
  for (int64_t j = 0; j < n; ++j) buf[j] *= inv;
}

template <typename T>
void softmaxImpl(const T* x, T* y, int64_t outer, int64_t A, int64_t inner, ThreadPool* pool) {
  using C = cpu::Compute<T>;
  if (inner == 1) {
    // Softmax over the innermost axis: whole contiguous rows.
    parallelFor(pool, outer, cpu::grainFor(A * 8), [&](int64_t begin, int64_t end) {
      std::vector<float> buf(std::is_same_v<T, float> ? 0 : static_cast<size_t>(A));
      for (int64_t o = begin; o < end; ++o) {
        if constexpr (std::is_same_v<T, float>) {
          float* row = y + o * A;
          if (row != x + o * A) std::memcpy(row, x + o * A, static_cast<size_t>(A) * sizeof(float));
          softmaxRow(row, A);
        } else {
          for (int64_t a = 0; a < A; ++a) buf[a] = C::load(x, o * A + a);
          softmaxRow(buf.data(), A);
          for (int64_t a = 0; a < A; ++a) C::store(y, o * A + a, buf[a]);
        }
      }
    });
    return;
  }
  // A strided axis: blocks of up to 64 inner positions side by side.
  constexpr int64_t kBlock = 64;
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
  parallelFor(pool, outer * blocks, cpu::grainFor(A * std::min(inner, kBlock) * 8), [&](int64_t begin, int64_t end) {
    std::vector<float> buf;
    float mx[kBlock], sum[kBlock];
    for (int64_t t = begin; t < end; ++t) {
      int64_t o = t / blocks, i0 = (t % blocks) * kBlock;
      int64_t w = std::min(kBlock, inner - i0);
      buf.resize(static_cast<size_t>(A * w));
      const int64_t base = o * A * inner + i0;
      for (int64_t i = 0; i < w; ++i) {
        mx[i] = -INFINITY;
        sum[i] = 0.f;
      }
      for (int64_t a = 0; a < A; ++a) {
        float* b = buf.data() + a * w;
        for (int64_t i = 0; i < w; ++i) {
          float v = C::load(x, base + a * inner + i);
          b[i] = v;
          mx[i] = v > mx[i] ? v : mx[i];
        }
      }
      for (int64_t i = 0; i < w; ++i)
        if (mx[i] == -INFINITY) mx[i] = 0.f;
      for (int64_t a = 0; a < A; ++a) {
        float* b = buf.data() + a * w;
        for (int64_t i = 0; i < w; ++i) {
          float e = expApprox(b[i] - mx[i]);
          b[i] = e;
          sum[i] += e;
        }
      }
      for (int64_t i = 0; i < w; ++i) sum[i] = 1.f / sum[i];
      for (int64_t a = 0; a < A; ++a) {
        const float* b = buf.data() + a * w;
        for (int64_t i = 0; i < w; ++i) C::store(y, base + a * inner + i, b[i] * sum[i]);
      }
    }
  });
}

class SoftMaxKernel : public CpuKernel {
 public:
  explicit SoftMaxKernel(const Node& node) : mask_(node.has("axes") ? node.getInt("axes", 0) : -1) {}
  void run(KernelIO& io) override {
    const TensorRef& in = io.in[0];
    if (in.count() <= 0) return;
    int64_t rank = static_cast<int64_t>(in.dims.size());
    int64_t mask = mask_ < 0 ? defaultSoftmaxMask(rank) : mask_;
    int64_t axis = 0;
    while (axis < rank && !((mask >> axis) & 1)) ++axis;
    int64_t outer = product(in.dims, 0, axis), A = in.dims[axis], inner = product(in.dims, axis + 1, rank);
    cpu::dispatchFloat(in.type, [&](auto tag) {
      using T = decltype(tag);
      softmaxImpl<T>(in.as<const T>(), io.out[0].as<T>(), outer, A, inner, io.pool);
    });
  }
  const char* implementation() const override { return "softmax"; }

 private:
  int64_t mask_;
};

std::unique_ptr<CpuKernel> createSoftMax(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<SoftMaxKernel>(node);
}

}  // namespace

void registerSoftMax() { registerOp({LayerType::kSOFTMAX, "SoftMax", 1, 1, 1, inferSoftMax, createSoftMax, {}}); }

}  // namespace trtn
