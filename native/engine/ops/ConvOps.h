// CONVOLUTION, DECONVOLUTION and POOLING: registration functions, and the pieces that the
// convolution and deconvolution files share (attribute reading, shape inference, workspace and
// fp16/bf16 staging helpers). Shared code lives in ops/Convolution.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "../Graph.h"
#include "../Ops.h"
#include "WindowGeometry.h"

namespace trtn {

void registerConvolution();    // ops/Convolution.cpp
void registerDeconvolution();  // ops/Deconvolution.cpp
void registerPooling();        // ops/Pooling.cpp

namespace ops {

// Attributes of a convolution or deconvolution node.
struct ConvAttrs {
  WindowAttrs window;
  int64_t numOutputMaps = 0;
  int64_t numGroups = 1;
  FusedActivation activation;
};

// Reads and validates the attributes (no tensor information needed).
ConvAttrs readConvAttrs(const Node& node);

// Full shape/type inference of CONVOLUTION (op = kForward, kernel [K, C/g, k...]) and
// DECONVOLUTION (op = kTransposed, kernel [C, K/g, k...]).
void inferConvolutionLike(InferIO& io, WindowOp op);

// Kernel weights (attribute) converted to float; empty when the kernel comes from input 1.
std::vector<float> weightsToFloat(const Weights& w);

// Calls fn over [0, n) in chunks, on the pool when there is one and the work is worth splitting.
void parallelRange(ThreadPool* pool, int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Type conversion of large buffers, split over the pool.
void toFloatParallel(ThreadPool* pool, const void* src, DataType t, float* dst, int64_t count);
void fromFloatParallel(ThreadPool* pool, const float* src, void* dst, DataType t, int64_t count);

// Carves 64-byte aligned float buffers out of the kernel workspace. Kernels size their
// workspace as kAlign + sum(bytesFor(count)) so that any base address works.
class WorkspaceArena {
 public:
  static constexpr size_t kAlign = 64;
  static size_t bytesFor(int64_t count) {
    size_t b = static_cast<size_t>(count > 0 ? count : 0) * sizeof(float);
    return (b + kAlign - 1) / kAlign * kAlign;
  }
  WorkspaceArena(void* base, size_t bytes, const Node& node);
  float* floats(int64_t count);

 private:
  char* cur_ = nullptr;
  char* end_ = nullptr;
  const Node& node_;
};

// The node fields kept by kernels for their error messages (no attributes, so no weights are
// kept alive).
Node identityOf(const Node& node);

}  // namespace ops
}  // namespace trtn
