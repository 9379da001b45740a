// Standalone correctness test and timing driver for trtn::cpu::gemm.
//
// Build (from the repository root), all on one line:
//   g++ -O3 -std=c++17 -pthread -Inative/engine native/tests/gemm_test.cpp native/engine/cpu/Gemm.cpp
//       native/engine/ThreadPool.cpp native/engine/cpu/KernelUtil.cpp native/engine/DataType.cpp
//       native/engine/Status.cpp native/engine/Graph.cpp -o /tmp/gemm_test
// Add -DTRTN_GEMM_FORCE_SCALAR to test the portable kernels, -fsanitize=address,undefined for UB.
// Run: /tmp/gemm_test [--quick] [--no-bench] [--bench-only] [--cpu-time]
// Exit status is non-zero when any result exceeds the error tolerance or touches memory outside C.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ThreadPool.h"
#include "cpu/Gemm.h"
#include "cpu/KernelUtil.h"

// KernelUtil.cpp references layerTypeName (defined in OpRegistry.cpp with all the ops); a weak
// stand-in keeps this test's link small and yields to the real one when that is linked too.
namespace trtn {
__attribute__((weak)) const char* layerTypeName(LayerType) { return "?"; }
}  // namespace trtn

using trtn::ThreadPool;
using namespace trtn::cpu;

namespace {

constexpr float kCanary = -12345.f;

struct Shape {
  int64_t M, N, K;
};

struct EpiCase {
  const char* name;
  BiasKind bias;
  int32_t act;
  float alpha, beta;
  bool accumulate;
};

const EpiCase kEpilogues[] = {
    {"plain", BiasKind::kNone, -1, 0.f, 0.f, false},
    {"rowbias+relu", BiasKind::kPerRow, 0, 0.f, 0.f, false},
    {"colbias+clip", BiasKind::kPerColumn, 8, -0.5f, 0.75f, false},
    {"acc", BiasKind::kNone, -1, 0.f, 0.f, true},
    {"acc+colbias+relu", BiasKind::kPerColumn, 0, 0.f, 0.f, true},
    {"acc+rowbias+clip", BiasKind::kPerRow, 8, 0.f, 6.f, true},
    {"rowbias+sigmoid", BiasKind::kPerRow, 1, 0.f, 0.f, false},
    {"colbias+leaky", BiasKind::kPerColumn, 3, 0.1f, 0.f, false},
};

// Logical operands op(A) (M x K) and op(B) (K x N) with a double-precision reference product.
struct Problem {
  Shape s;
  std::vector<float> A, B;           // row-major logical
  std::vector<double> P, absP;       // A*B and |A|*|B|
  std::vector<float> biasM, biasN, C0;
};

Problem makeProblem(Shape s, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  Problem p;
  p.s = s;
  p.A.resize(s.M * s.K);
  p.B.resize(s.K * s.N);
  for (auto& x : p.A) x = d(rng);
  for (auto& x : p.B) x = d(rng);
  p.biasM.resize(s.M);
  p.biasN.resize(s.N);
  for (auto& x : p.biasM) x = d(rng);
  for (auto& x : p.biasN) x = d(rng);
  p.C0.resize(s.M * s.N);
  for (auto& x : p.C0) x = d(rng);
  p.P.assign(s.M * s.N, 0.0);
  p.absP.assign(s.M * s.N, 0.0);
  for (int64_t i = 0; i < s.M; ++i)
    for (int64_t k = 0; k < s.K; ++k) {
      const double a = p.A[i * s.K + k];
      for (int64_t j = 0; j < s.N; ++j) {
        const double b = p.B[k * s.N + j];
        p.P[i * s.N + j] += a * b;
        p.absP[i * s.N + j] += std::fabs(a * b);
      }
    }
  return p;
}

// Stores a logical rows x cols matrix, transposed or not, with a padded leading dimension.
std::vector<float> store(const std::vector<float>& logical, int64_t rows, int64_t cols, bool trans, int64_t& ld) {
  const int64_t sr = trans ? cols : rows, sc = trans ? rows : cols;
  ld = sc + 3;
  std::vector<float> out(sr * ld + 1, std::nanf(""));  // padding is NaN: reading it poisons results
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const float v = logical[r * cols + c];
      if (trans) out[c * ld + r] = v;
      else out[r * ld + c] = v;
    }
  return out;
}

struct Result {
  double maxErr = 0;
  bool outOfBounds = false;
};

// Error per element is |got - expected| / (sum_k |a_ik * b_kj| + |C0| + |bias|): relative to the
// magnitudes summed, so cancellation in the reference cannot inflate it.
Result check(const Problem& p, const EpiCase& e, const std::vector<float>& C, int64_t ldc) {
  Result res;
  const Shape& s = p.s;
  for (int64_t i = 0; i < s.M; ++i) {
    for (int64_t j = 0; j < s.N; ++j) {
      double ref = p.P[i * s.N + j];
      double scale = p.absP[i * s.N + j];
      if (e.accumulate) {
        ref += p.C0[i * s.N + j];
        scale += std::fabs(p.C0[i * s.N + j]);
      }
      if (e.bias == BiasKind::kPerRow) {
        ref += p.biasM[i];
        scale += std::fabs(p.biasM[i]);
      }
      if (e.bias == BiasKind::kPerColumn) {
        ref += p.biasN[j];
        scale += std::fabs(p.biasN[j]);
      }
      const double expect = applyActivation(e.act, static_cast<float>(ref), e.alpha, e.beta);
      const double got = C[i * ldc + j];
      const double err = std::fabs(got - expect) / std::max(scale, 1e-30);
      if (!(err <= res.maxErr)) res.maxErr = std::isnan(err) ? INFINITY : std::max(res.maxErr, err);
    }
    for (int64_t j = s.N; j < ldc; ++j)
      if (C[i * ldc + j] != kCanary) res.outOfBounds = true;
  }
  return res;
}

int failures = 0;
int64_t runs = 0;

// Runs every layout x packing x epilogue combination of one shape; returns the worst error.
double testShape(Shape s, std::mt19937& rng, ThreadPool* pool, bool allEpilogues) {
  Problem p = makeProblem(s, rng);
  double worst = 0;
  const double tol = 1e-5 * std::max(1.0, std::sqrt(static_cast<double>(s.K)) / 4);
  for (int layout = 0; layout < 4; ++layout) {
    const bool ta = layout & 1, tb = layout & 2;
    int64_t lda, ldb;
    auto As = store(p.A, s.M, s.K, ta, lda);
    auto Bs = store(p.B, s.K, s.N, tb, ldb);
    MatrixView av{As.data(), lda, ta}, bv{Bs.data(), ldb, tb};
    auto pa = PackedMatrix::packA(av, s.M, s.K);
    auto pb = PackedMatrix::packB(bv, s.K, s.N);
    for (int packing = 0; packing < 4; ++packing) {
      const PackedMatrix* pA = (packing & 1) ? pa.get() : nullptr;
      const PackedMatrix* pB = (packing & 2) ? pb.get() : nullptr;
      // A prepacked operand's view is ignored: pass garbage to prove it.
      MatrixView aUse = pA ? MatrixView{nullptr, 0, false} : av;
      MatrixView bUse = pB ? MatrixView{nullptr, 0, false} : bv;
      for (const EpiCase& e : kEpilogues) {
        if (!allEpilogues && e.act != -1 && e.act != 0 && e.act != 8) continue;
        const int64_t ldc = s.N + 5;
        std::vector<float> C(s.M * ldc, kCanary);
        for (int64_t i = 0; i < s.M; ++i)
          for (int64_t j = 0; j < s.N; ++j) C[i * ldc + j] = e.accumulate ? p.C0[i * s.N + j] : std::nanf("");
        GemmEpilogue ep;
        ep.biasKind = e.bias;
        ep.bias = e.bias == BiasKind::kPerRow ? p.biasM.data() : e.bias == BiasKind::kPerColumn ? p.biasN.data() : nullptr;
        ep.activation = e.act;
        ep.alpha = e.alpha;
        ep.beta = e.beta;
        ep.accumulate = e.accumulate;
        gemm(s.M, s.N, s.K, aUse, pA, bUse, pB, C.data(), ldc, ep, pool);
        ++runs;
        Result r = check(p, e, C, ldc);
        worst = std::max(worst, r.maxErr);
        if (r.maxErr > tol || r.outOfBounds) {
          ++failures;
          if (failures < 30)
            std::printf("FAIL %lldx%lldx%lld transA=%d transB=%d packA=%d packB=%d %s threads=%d: err=%.3g%s\n",
                        (long long)s.M, (long long)s.N, (long long)s.K, ta, tb, !!pA, !!pB, e.name,
                        pool ? pool->size() + 1 : 1, r.maxErr, r.outOfBounds ? " (wrote outside C)" : "");
        }
      }
    }
  }
  return worst;
}

// Several threads call gemm at once with their own outputs, sharing one pool.
bool concurrencyTest(ThreadPool* pool, std::mt19937& rng) {
  const Shape shapes[] = {{37, 71, 300}, {64, 500, 200}, {1, 300, 257}, {130, 40, 90}};
  std::vector<Problem> probs;
  for (auto s : shapes) probs.push_back(makeProblem(s, rng));
  std::atomic<bool> ok{true};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const Problem& p = probs[t];
      const EpiCase& e = kEpilogues[1];
      for (int it = 0; it < 20; ++it) {
        std::vector<float> C(p.s.M * p.s.N);
        GemmEpilogue ep;
        ep.bias = p.biasM.data();
        ep.biasKind = BiasKind::kPerRow;
        ep.activation = 0;
        gemm(p.s.M, p.s.N, p.s.K, {p.A.data(), p.s.K, false}, nullptr, {p.B.data(), p.s.N, false}, nullptr, C.data(),
             p.s.N, ep, pool);
        if (check(p, e, C, p.s.N).maxErr > 1e-4) ok = false;
      }
    });
  }
  for (auto& th : threads) th.join();
  return ok;
}

// --cpu-time: single-thread timings use this thread's CPU time, which a busy shared machine
// disturbs far less than wall time (2-thread timings stay wall time).
bool gCpuTime = false;

double now(bool threadTime) {
  if (threadTime) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Best-of GFLOP/s for one configuration.
double bench(Shape s, bool prepackA, bool prepackB, bool transB, const GemmEpilogue& ep, ThreadPool* pool) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> A(s.M * s.K), B(s.K * s.N), C(s.M * s.N), bias(std::max(s.M, s.N));
  for (auto& x : A) x = d(rng);
  for (auto& x : B) x = d(rng);
  for (auto& x : bias) x = d(rng);
  GemmEpilogue e = ep;
  if (e.biasKind != BiasKind::kNone) e.bias = bias.data();
  MatrixView av{A.data(), s.K, false};
  MatrixView bv{B.data(), transB ? s.K : s.N, transB};
  auto pa = prepackA ? PackedMatrix::packA(av, s.M, s.K) : nullptr;
  auto pb = prepackB ? PackedMatrix::packB(bv, s.K, s.N) : nullptr;
  const double flops = 2.0 * s.M * s.N * s.K;
  const int64_t iters = std::max<int64_t>(3, static_cast<int64_t>(1e8 / flops));
  for (int64_t i = 0; i < std::min<int64_t>(iters, 20); ++i)
    gemm(s.M, s.N, s.K, av, pa.get(), bv, pb.get(), C.data(), s.N, e, pool);
  double best = 1e30;
  for (int rep = 0; rep < 25; ++rep) {  // best of many short trials: robust on a shared machine
    const bool cpu = gCpuTime && !pool;
    const double t0 = now(cpu);
    for (int64_t i = 0; i < iters; ++i) gemm(s.M, s.N, s.K, av, pa.get(), bv, pb.get(), C.data(), s.N, e, pool);
    best = std::min(best, (now(cpu) - t0) / iters);
  }
  return flops / best * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, doBench = true, doTest = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    if (!std::strcmp(argv[i], "--no-bench")) doBench = false;
    if (!std::strcmp(argv[i], "--bench-only")) doTest = false;
    if (!std::strcmp(argv[i], "--cpu-time")) gCpuTime = true;
  }
  std::printf("kernel: %s\n", gemmKernelName());
  ThreadPool pool1(1);  // caller + 1 worker = 2 threads
  ThreadPool pool3(3);  // more threads than cores: exercises finer tiling

  if (doTest) {
    std::mt19937 rng(1234);
    std::vector<Shape> shapes = {{1, 1, 1},     {1, 1, 7},      {1, 7, 1},      {7, 1, 1},     {1, 17, 33},
                                 {33, 1, 17},   {2, 3, 4},      {5, 5, 5},      {6, 16, 1},    {7, 13, 5},
                                 {6, 16, 256},  {7, 17, 257},   {13, 31, 513},  {12, 32, 64},  {25, 47, 300},
                                 {1, 1000, 512}, {16, 1000, 512}, {128, 128, 128}, {121, 130, 260}, {3, 2100, 40},
                                 {250, 3, 600}, {130, 2057, 20}, {7, 3000, 300}, {12, 2000, 100}, {13, 777, 64},
                                 {4, 4100, 96}};
    if (!quick) {
      shapes.push_back({64, 3136, 576});
      for (int i = 0; i < 25; ++i) {
        std::uniform_int_distribution<int> dm(1, 150), dk(1, 700);
        shapes.push_back({dm(rng), dm(rng) * (i % 3 == 0 ? 7 : 1), dk(rng)});
      }
    }
    for (Shape s : shapes) {
      const bool big = s.M * s.N * s.K > 20000000;
      double e1 = testShape(s, rng, nullptr, !big);
      double e2 = testShape(s, rng, &pool1, !big);
      char e4[32] = "skipped";  // big shapes: 1 and 2 threads only, to keep the run short
      if (!big) std::snprintf(e4, sizeof e4, "%.2e", testShape(s, rng, &pool3, true));
      std::printf("%5lldx%5lldx%4lld  max rel err: 1 thread %.2e, 2 threads %.2e, 4 threads %s\n", (long long)s.M,
                  (long long)s.N, (long long)s.K, e1, e2, e4);
    }
    // K == 0: only the epilogue remains.
    {
      std::vector<float> C(6, 1.f), bias = {1.f, -2.f, 3.f};
      GemmEpilogue ep;
      ep.bias = bias.data();
      ep.biasKind = BiasKind::kPerColumn;
      ep.activation = 0;
      ep.accumulate = true;
      gemm(2, 3, 0, {}, nullptr, {}, nullptr, C.data(), 3, ep, &pool1);
      const float want[6] = {2.f, 0.f, 4.f, 2.f, 0.f, 4.f};
      if (std::memcmp(C.data(), want, sizeof want) != 0) {
        ++failures;
        std::printf("FAIL K=0 epilogue\n");
      }
    }
    if (!concurrencyTest(&pool1, rng)) {
      ++failures;
      std::printf("FAIL concurrent gemm calls\n");
    }
    std::printf("%lld gemm calls checked, %d failures\n", (long long)runs, failures);
  }

  if (doBench) {
    struct BenchCase {
      Shape s;
      bool packA, packB, transB;
      BiasKind bias;
      int32_t act;
      const char* what;
    };
    const BenchCase cases[] = {
        {{64, 3136, 576}, true, false, false, BiasKind::kPerRow, 0, "conv: packed A, im2col B, bias+relu"},
        {{64, 3136, 576}, false, false, false, BiasKind::kNone, -1, "plain"},
        {{1, 1000, 512}, false, true, false, BiasKind::kPerColumn, -1, "fc: packed B, bias"},
        {{1, 1000, 512}, false, false, false, BiasKind::kNone, -1, "plain"},
        {{1, 1000, 512}, false, false, true, BiasKind::kNone, -1, "B transposed"},
        {{16, 1000, 512}, false, true, false, BiasKind::kPerColumn, -1, "fc: packed B, bias"},
        {{16, 1000, 512}, false, false, false, BiasKind::kNone, -1, "plain"},
        {{16, 1000, 512}, false, false, true, BiasKind::kNone, -1, "B transposed"},
        {{128, 128, 128}, false, false, false, BiasKind::kNone, -1, "plain"},
        {{128, 128, 128}, false, true, false, BiasKind::kNone, -1, "packed B"},
        {{256, 256, 256}, false, false, false, BiasKind::kNone, -1, "plain"},
        {{512, 512, 512}, false, false, false, BiasKind::kNone, -1, "plain"},
        {{512, 512, 512}, false, false, true, BiasKind::kNone, -1, "B transposed"},
        {{7, 13, 5}, false, false, false, BiasKind::kNone, -1, "plain"},
    };
    std::printf("\n%-16s %-40s %12s %12s\n", "shape MxNxK", "variant", "1 thr GF/s", "2 thr GF/s");
    for (const auto& c : cases) {
      GemmEpilogue ep;
      ep.biasKind = c.bias;
      ep.activation = c.act;
      const double g1 = bench(c.s, c.packA, c.packB, c.transB, ep, nullptr);
      const double g2 = bench(c.s, c.packA, c.packB, c.transB, ep, &pool1);
      char shape[64];
      std::snprintf(shape, sizeof shape, "%lldx%lldx%lld", (long long)c.s.M, (long long)c.s.N, (long long)c.s.K);
      std::printf("%-16s %-40s %12.1f %12.1f\n", shape, c.what, g1, g2);
    }
  }
  return failures == 0 ? 0 : 1;
}
