// The LOOP node's input layout, shared by the loop kernels (ops/Loop.cpp for the CPU,
// native/cuda/engine for CUDA) and the pass that makes LOOP nodes (passes/LoopOutlining.cpp);
// ops/Loop.cpp describes the whole layout. loop::Runner runs a LOOP node on either backend.
#pragma once

#include <memory>
#include <vector>

#include "../Engine.h"
#include "../MemoryPlanner.h"

namespace trtn::loop {

// Stacked (CONCATENATE/REVERSE) outputs per loop: their lengths have fixed input slots, so that
// OpDef::shapeInputs can name them.
constexpr int kMaxOutputs = 32;
// Input 0 is the COUNT trip limit, inputs 1..kMaxOutputs the output lengths, then the state.
constexpr int kFirstStateInput = 1 + kMaxOutputs;

enum OutputKind : int64_t { kLastValue = 0, kConcatenate = 1, kReverse = 2 };
enum TripLimitKind : int64_t { kCount = 0, kWhile = 1 };

// What running a loop needs from its backend: memory operations on the backend's tensors (host
// memory for the CPU, device memory on a stream for CUDA) and running the body's layers.
class Device {
 public:
  virtual ~Device() = default;
  // Memory valid until the loop's work has completed (throws EngineError).
  virtual void* allocate(int64_t bytes) = 0;
  virtual void copy(void* dst, const void* src, int64_t bytes) = 0;
  // `rows` rows of `rowBytes` bytes from `src` (rows `srcStride` bytes apart) to `dst` (rows
  // `dstStride` bytes apart).
  virtual void copyRows(void* dst, int64_t dstStride, const void* src, int64_t srcStride, int64_t rows,
                        int64_t rowBytes) = 0;
  virtual void zero(void* dst, int64_t bytes) = 0;
  // Copies to the host once the work computing `src` has run.
  virtual void readToHost(void* host, const void* src, int64_t bytes) = 0;
  // Runs body layer `position` (Runner::kernel(position)) on these tensors.
  virtual void runLayer(size_t position, std::vector<TensorRef>& in, std::vector<TensorRef>& out, void* workspace,
                        size_t workspaceBytes) = 0;
  // Where the body's constant tensor `tensor` lives.
  virtual void* constantData(int32_t tensor) = 0;
};

struct Layout;  // the LOOP node's attributes, read and checked (ops/Loop.cpp)

// A LOOP node made ready to run on one backend: its layout, the body's execution order (a WHILE
// condition's layers first) and the body's kernels for that backend.
class Runner {
 public:
  Runner(const Node& node, BackendKind backend);  // throws EngineError
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Runs the loop; `in` and `out` are the LOOP node's tensors. Throws EngineError.
  void run(const std::vector<TensorRef>& in, const std::vector<TensorRef>& out, Device& device) const;

  const Graph& body() const { return *body_; }
  size_t numLayers() const { return order_.size(); }
  const Node& layer(size_t position) const { return body_->nodes[order_[position]]; }
  Kernel& kernel(size_t position) const { return *kernels_[position]; }
  TensorRole role(int32_t tensor) const { return roles_[tensor]; }

  // Whether a run with these inputs reads values on the host while it runs: a WHILE condition, a
  // trip count not known from shapes, or body dims that follow from values computed in the loop.
  bool needsHostValues(const std::vector<TensorRef>& in) const;
  // The bytes run() allocates, for LOOP input dims `inDims`, when needsHostValues() is false; -1
  // when the body's dims cannot be inferred from them alone.
  int64_t memoryBytes(const std::vector<Dims>& inDims) const;

 private:
  [[noreturn]] void error(const std::string& message) const;
  ShapeState inferBody(const std::vector<TensorRef>& in, const std::vector<DataType>& types, const std::vector<Dims>& dims,
                       const std::vector<void*>& inputData, Device& device) const;
  MemoryPlan planBody(const ShapeState& shapes) const;

  Node node_;
  std::shared_ptr<Graph> body_;
  std::unique_ptr<Layout> layout_;
  std::vector<int32_t> order_;
  size_t conditionPrefix_ = 0;
  std::vector<TensorRole> roles_;
  std::vector<std::unique_ptr<Kernel>> kernels_;  // per position in order_
  bool valueDependent_ = false;
};

}  // namespace trtn::loop
