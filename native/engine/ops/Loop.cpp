// Loops (nvinfer1::ILoop). Networks hold a loop as its boundary layers: TRIP_LIMIT (COUNT: a 0-D
// INT32/INT64 tensor from outside the loop; WHILE: a 0-D BOOL tensor computed in the loop, checked
// before each iteration), RECURRENCE (input 0 the initial value, input 1 the next value: the only
// back edge; output 0 the value during the current iteration), ITERATOR (the slice of input 0
// along `axis` for the current iteration, from the end with `reverse`) and LOOP_OUTPUT (LAST_VALUE
// of a recurrence, or each iteration's value stacked along a new axis `axis` of length input 1,
// backwards for REVERSE). Every layer reached from a recurrence or iterator output is inside.
// These are inferred at network time only; the loopOutlining pass replaces each loop by one
// LOOP node (internal type) holding the body as a graph, which this file also runs.
//
// LOOP node layout (written by passes/LoopOutlining.cpp):
//   inputs: [0] COUNT trip limit or -1; [1 + k] the length of output k (CONCATENATE/REVERSE) or
//   -1, for k < kMaxLoopOutputs; then the recurrences' initial values, the iterators' inputs and
//   the loop-invariant tensors read inside.
//   body inputs: recurrence values, iterator slices, loop-invariant tensors (in that order);
//   body outputs: next recurrence values, the WHILE condition (if any), stacked values.
//   attributes: numRecurrences, numIterators, numInvariants, hasWhile, iteratorAxes,
//   iteratorReverse, outputKinds, outputAxes, outputSources (the recurrence of a LAST_VALUE,
//   else the body output), outputStrict (an extension: the loop must run exactly `length`
//   iterations, else the run fails), loopName.
// The body's activations are allocated when the loop runs rather than in the context's arena:
// their sizes can depend on values read inside the loop (a slice at the iteration index), which
// CpuKernel::workspaceBytes does not see.
#include <cstdlib>
#include <cstring>

#include "../Inference.h"
#include "../MemoryPlanner.h"
#include "Loop.h"
#include "Registration.h"
#include "TensorOps.h"

namespace trtn {

namespace loop {

struct Layout {
  int64_t numRecurrences = 0, numIterators = 0, numInvariants = 0;
  bool hasWhile = false;
  std::vector<int64_t> iteratorAxes, iteratorReverse, outputKinds, outputAxes, outputSources, outputStrict;
  size_t numOutputs = 0;

  size_t recurrenceInput(int64_t r) const { return loop::kFirstStateInput + static_cast<size_t>(r); }
  size_t iteratorInput(int64_t i) const { return loop::kFirstStateInput + static_cast<size_t>(numRecurrences + i); }
  size_t invariantInput(int64_t v) const {
    return loop::kFirstStateInput + static_cast<size_t>(numRecurrences + numIterators + v);
  }
  // Body output positions.
  size_t nextOutput(int64_t r) const { return static_cast<size_t>(r); }
  size_t conditionOutput() const { return static_cast<size_t>(numRecurrences); }
};

}  // namespace loop

namespace {

using namespace tensorops;

constexpr int kMaxLoopOutputs = loop::kMaxOutputs;
constexpr int kFirstStateInput = loop::kFirstStateInput;
using loop::kLastValue;
using loop::kReverse;
using LoopLayout = loop::Layout;

bool isCountType(DataType t) { return t == DataType::kINT32 || t == DataType::kINT64; }

std::string loopLabel(const Node& n) {
  std::string name = n.getString("loopName");
  return name.empty() ? std::string("(unnamed loop)") : "'" + name + "'";
}

void requireUnpacked(const InferIO& io, size_t i, const char* what) {
  if (io.has(i) && isPackedType(io.type(i)))
    io.error(what, " has type ", dataTypeName(io.type(i)), ", which loops do not carry (packed 4-bit types)");
}

// --- Boundary layers (network time) -----------------------------------------------------------

void inferTripLimit(InferIO& io) {
  int64_t kind = io.node.getInt("kind", 0);
  if (kind != 0 && kind != 1) io.error("kind ", kind, " is not TripLimit.COUNT (0) or TripLimit.WHILE (1)");
  if (!io.dims(0).empty())
    io.error(kind == 0 ? "a COUNT" : "a WHILE", " trip limit must be a 0-D tensor, but has dims ",
             dimsToString(io.dims(0)));
  if (kind == 0 && !isCountType(io.type(0)))
    io.error("a COUNT trip limit must be INT32 or INT64, not ", dataTypeName(io.type(0)));
  if (kind == 1 && io.type(0) != DataType::kBOOL)
    io.error("a WHILE trip limit must be BOOL, not ", dataTypeName(io.type(0)));
}

bool dimsCompatible(const Dims& a, const Dims& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] >= 0 && b[i] >= 0 && a[i] != b[i]) return false;
  return true;
}

void inferRecurrence(InferIO& io) {
  requireUnpacked(io, 0, "the initial value");
  if (io.has(1)) {
    if (io.type(1) != io.type(0))
      io.error("the next value (input 1) has type ", dataTypeName(io.type(1)), " but the initial value has type ",
               dataTypeName(io.type(0)));
    if (!dimsCompatible(io.dims(0), io.dims(1)))
      io.error("the next value (input 1) has dims ", dimsToString(io.dims(1)), " but the initial value has dims ",
               dimsToString(io.dims(0)), "; a recurrence keeps its dims in every iteration");
  }
  io.setOutput(0, io.type(0), io.dims(0));
}

int64_t iteratorAxis(const InferIO& io, int64_t axis, size_t rank) {
  if (rank == 0) io.error("the iterated tensor must have rank 1 or more");
  int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) io.error("axis ", axis, " is out of range for rank ", r);
  return axis < 0 ? axis + r : axis;
}

void inferIterator(InferIO& io) {
  requireUnpacked(io, 0, "the iterated tensor");
  const Dims& d = io.dims(0);
  int64_t axis = iteratorAxis(io, io.node.getInt("axis", 0), d.size());
  Dims out(d);
  out.erase(out.begin() + axis);
  io.setOutput(0, io.type(0), out);
}

// Output dims of a stacked loop output: `value` with `length` inserted at `axis`.
Dims stackedDims(const InferIO& io, const Dims& value, int64_t axis, int64_t length) {
  int64_t r = static_cast<int64_t>(value.size());
  if (axis < -(r + 1) || axis > r) io.error("axis ", axis, " is out of range for an output of rank ", r + 1);
  if (axis < 0) axis += r + 1;
  Dims out(value);
  out.insert(out.begin() + axis, length);
  return out;
}

// The value of a CONCATENATE/REVERSE length input, or -1 while unknown.
int64_t lengthValue(const InferIO& io, size_t i) {
  if (!io.dims(i).empty()) io.error("the length (input ", i, ") must be a 0-D tensor, but has dims ", dimsToString(io.dims(i)));
  if (!isCountType(io.type(i))) io.error("the length (input ", i, ") must be INT32 or INT64, not ", dataTypeName(io.type(i)));
  const auto* v = io.value(i);
  if (!v) return -1;
  if (v->at(0) < 0) io.error("the length (input ", i, ") is ", v->at(0), "; it must not be negative");
  return v->at(0);
}

void inferLoopOutput(InferIO& io) {
  requireUnpacked(io, 0, "the output value");
  int64_t kind = io.node.getInt("kind", kLastValue);
  if (kind < kLastValue || kind > kReverse)
    io.error("kind ", kind, " is not LoopOutput.LAST_VALUE (0), CONCATENATE (1) or REVERSE (2)");
  if (kind == kLastValue) {
    if (io.has(1)) io.error("a LAST_VALUE loop output takes one input, but input 1 is set");
    io.setOutput(0, io.type(0), io.dims(0));
    return;
  }
  int64_t length = -1;
  if (io.has(1)) length = lengthValue(io, 1);
  else if (!io.addTime)
    io.error("a CONCATENATE or REVERSE loop output needs its length: call setInput(1, length) with a 0-D INT32 or "
             "INT64 shape tensor");
  io.setOutput(0, io.type(0), stackedDims(io, io.dims(0), io.node.getInt("axis", 0), length));
}

// --- LOOP (built) -----------------------------------------------------------------------------


// Reads and checks the LOOP node's attributes against its inputs and body (plans are untrusted).
template <typename Fail>
LoopLayout readLayout(const Node& n, const Fail& error) {
  LoopLayout L;
  L.numRecurrences = n.getInt("numRecurrences", -1);
  L.numIterators = n.getInt("numIterators", -1);
  L.numInvariants = n.getInt("numInvariants", -1);
  L.hasWhile = n.getInt("hasWhile", 0) != 0;
  L.iteratorAxes = n.getInts("iteratorAxes");
  L.iteratorReverse = n.getInts("iteratorReverse");
  L.outputKinds = n.getInts("outputKinds");
  L.outputAxes = n.getInts("outputAxes");
  L.outputSources = n.getInts("outputSources");
  L.outputStrict = n.getInts("outputStrict");
  L.numOutputs = n.outputs.size();
  if (!n.body) error("has no body graph");
  const Graph& body = *n.body;
  if (L.numRecurrences < 0 || L.numIterators < 0 || L.numInvariants < 0 ||
      n.inputs.size() != static_cast<size_t>(kFirstStateInput + L.numRecurrences + L.numIterators + L.numInvariants))
    error("inputs do not match its recurrences, iterators and loop-invariant tensors");
  if (body.inputs.size() != static_cast<size_t>(L.numRecurrences + L.numIterators + L.numInvariants))
    error("body inputs do not match its recurrences, iterators and loop-invariant tensors");
  if (L.iteratorAxes.size() != static_cast<size_t>(L.numIterators) ||
      L.iteratorReverse.size() != static_cast<size_t>(L.numIterators))
    error("iterator attributes do not match its iterators");
  if (L.numOutputs > static_cast<size_t>(kMaxLoopOutputs) || L.outputKinds.size() != L.numOutputs ||
      L.outputAxes.size() != L.numOutputs || L.outputSources.size() != L.numOutputs ||
      L.outputStrict.size() != L.numOutputs)
    error("output attributes do not match its outputs");
  size_t minBodyOutputs = static_cast<size_t>(L.numRecurrences) + (L.hasWhile ? 1 : 0);
  if (body.outputs.size() < minBodyOutputs) error("body has too few outputs");
  for (size_t k = 0; k < L.numOutputs; ++k) {
    int64_t kind = L.outputKinds[k], src = L.outputSources[k];
    if (kind < kLastValue || kind > kReverse) error("output ", k, " has kind ", kind);
    if (kind == kLastValue ? (src < 0 || src >= L.numRecurrences)
                           : (src < static_cast<int64_t>(minBodyOutputs) || src >= static_cast<int64_t>(body.outputs.size())))
      error("output ", k, " reads a value the loop does not have");
    if ((kind == kLastValue) == (n.input(1 + k) >= 0)) error("output ", k, " has a length input that does not match its kind");
  }
  for (size_t k = L.numOutputs; k < static_cast<size_t>(kMaxLoopOutputs); ++k)
    if (n.input(1 + k) >= 0) error("has a length input for output ", k, ", which does not exist");
  return L;
}

// Body input dims and types for the loop node's input dims.
void bodyInputs(const Node& n, const LoopLayout& L, const std::vector<DataType>& inTypes, const std::vector<Dims>& inDims,
                std::vector<DataType>& types, std::vector<Dims>& dims, const std::function<void(const std::string&)>& error) {
  for (int64_t r = 0; r < L.numRecurrences; ++r) {
    types.push_back(inTypes[L.recurrenceInput(r)]);
    dims.push_back(inDims[L.recurrenceInput(r)]);
  }
  for (int64_t i = 0; i < L.numIterators; ++i) {
    const Dims& d = inDims[L.iteratorInput(i)];
    int64_t axis = L.iteratorAxes[i], rank = static_cast<int64_t>(d.size());
    if (rank == 0 || axis < 0 || axis >= rank) error("iterator " + std::to_string(i) + " has an axis out of range");
    Dims s(d);
    s.erase(s.begin() + axis);
    types.push_back(inTypes[L.iteratorInput(i)]);
    dims.push_back(s);
  }
  for (int64_t v = 0; v < L.numInvariants; ++v) {
    types.push_back(inTypes[L.invariantInput(v)]);
    dims.push_back(inDims[L.invariantInput(v)]);
  }
  const Graph& body = *n.body;
  for (size_t b = 0; b < body.inputs.size(); ++b) {
    int32_t t = body.inputs[b];
    if (t < 0 || static_cast<size_t>(t) >= body.tensors.size()) error("body input " + std::to_string(b) + " is invalid");
    if (body.tensors[t].type != types[b])
      error("body input '" + body.tensors[t].name + "' has type " + dataTypeName(body.tensors[t].type) + " but receives " +
            dataTypeName(types[b]));
  }
}

bool isSmallValueType(DataType t) {
  return t == DataType::kINT32 || t == DataType::kINT64 || t == DataType::kBOOL || t == DataType::kINT8 ||
         t == DataType::kUINT8;
}

void inferLoop(InferIO& io) {
  const Node& n = io.node;
  auto fail = [&](const auto&... parts) { io.error(parts...); };
  LoopLayout L = readLayout(n, fail);
  const Graph& body = *n.body;
  if (io.has(0)) {
    if (!io.dims(0).empty() || !isCountType(io.type(0))) io.error("the COUNT trip limit must be a 0-D INT32 or INT64 tensor");
  }
  std::vector<DataType> types;
  std::vector<Dims> dims;
  bodyInputs(n, L, io.inTypes, io.inDims, types, dims, [&](const std::string& m) { io.error(m); });
  for (DataType t : types)
    if (isPackedType(t)) io.error("loops do not carry packed 4-bit types (", dataTypeName(t), ")");
  std::vector<int32_t> order = body.topologicalOrder();
  // Dims must be the same in every iteration, so those of the first iteration are the loop's:
  // infer with the recurrences' initial values and the loop-invariant values where known (a
  // slice at an iteration counter then has concrete dims). If that fails (the loop may run zero
  // times), infer without values.
  InputValues values(body.inputs.size());
  for (int64_t r = 0; r < L.numRecurrences; ++r)
    if (const auto* v = io.value(L.recurrenceInput(r))) values[r] = *v;
  for (int64_t v = 0; v < L.numInvariants; ++v)
    if (const auto* x = io.value(L.invariantInput(v))) values[L.numRecurrences + L.numIterators + v] = *x;
  ShapeState st;
  Status s = captureStatus([&] { st = inferShapes(body, order, dims, false, values); });
  if (!s.ok()) {
    InputValues invariantsOnly(body.inputs.size());
    for (size_t b = static_cast<size_t>(L.numRecurrences + L.numIterators); b < values.size(); ++b) invariantsOnly[b] = values[b];
    s = captureStatus([&] { st = inferShapes(body, order, dims, false, invariantsOnly); });
    if (!s.ok()) io.error("inside loop ", loopLabel(n), ": ", s.message);
  }
  auto outType = [&](size_t b) { return st.types[body.outputs.at(b)]; };
  auto outDims = [&](size_t b) { return st.dims[body.outputs.at(b)]; };
  for (int64_t r = 0; r < L.numRecurrences; ++r) {
    if (outType(L.nextOutput(r)) != types[r])
      io.error("loop ", loopLabel(n), ": the next value of recurrence ", r, " has type ", dataTypeName(outType(L.nextOutput(r))),
               " but its initial value has type ", dataTypeName(types[r]));
    if (!dimsCompatible(outDims(L.nextOutput(r)), dims[r]))
      io.error("loop ", loopLabel(n), ": the next value of recurrence ", r, " has dims ", dimsToString(outDims(L.nextOutput(r))),
               " but its initial value has dims ", dimsToString(dims[r]), "; a recurrence keeps its dims in every iteration");
  }
  if (L.hasWhile && (outType(L.conditionOutput()) != DataType::kBOOL || !outDims(L.conditionOutput()).empty()))
    io.error("loop ", loopLabel(n), ": the WHILE condition must be a 0-D BOOL tensor");
  for (size_t k = 0; k < L.numOutputs; ++k) {
    int64_t src = L.outputSources[k];
    if (L.outputKinds[k] == kLastValue) {
      io.setOutput(k, types[src], dims[src]);
      continue;
    }
    int64_t length = lengthValue(io, 1 + k);
    io.setOutput(k, outType(src), stackedDims(io, outDims(src), L.outputAxes[k], length));
  }
}

// The CPU backend's loop::Device: host memory, body layers run on the calling thread.
class HostDevice final : public loop::Device {
 public:
  HostDevice(const loop::Runner& runner, ThreadPool* pool) : runner_(runner), pool_(pool) {}
  ~HostDevice() override {
    for (void* p : owned_) std::free(p);
  }

  void* allocate(int64_t bytes) override {
    const size_t size = static_cast<size_t>(alignUp(std::max<int64_t>(bytes, 1), kArenaAlignment));
    void* p = std::aligned_alloc(kArenaAlignment, size);
    if (!p) fail(StatusCode::kOutOfMemory, "could not allocate ", size, " bytes for a loop body");
    owned_.push_back(p);
    return p;
  }
  void copy(void* dst, const void* src, int64_t bytes) override {
    if (bytes > 0) std::memcpy(dst, src, static_cast<size_t>(bytes));
  }
  void copyRows(void* dst, int64_t dstStride, const void* src, int64_t srcStride, int64_t rows, int64_t rowBytes) override {
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(static_cast<uint8_t*>(dst) + r * dstStride, static_cast<const uint8_t*>(src) + r * srcStride,
                  static_cast<size_t>(rowBytes));
  }
  void zero(void* dst, int64_t bytes) override {
    if (bytes > 0) std::memset(dst, 0, static_cast<size_t>(bytes));
  }
  void readToHost(void* host, const void* src, int64_t bytes) override { copy(host, src, bytes); }
  void runLayer(size_t position, std::vector<TensorRef>& in, std::vector<TensorRef>& out, void* workspace,
                size_t workspaceBytes) override {
    KernelIO k;
    k.pool = pool_;
    k.in.swap(in);
    k.out.swap(out);
    k.workspace = workspace;
    k.workspaceBytes = workspaceBytes;
    Status st = captureStatus([&] { static_cast<CpuKernel&>(runner_.kernel(position)).run(k); });
    k.in.swap(in);
    k.out.swap(out);
    if (!st.ok()) throw EngineError(st.code, st.message);
  }
  void* constantData(int32_t tensor) override {
    const Graph& b = runner_.body();
    const Weights* w = b.nodes[b.tensors[tensor].producer].getWeights("weights");
    return w ? w->mutableData() : nullptr;
  }

 private:
  const loop::Runner& runner_;
  ThreadPool* pool_;
  std::vector<void*> owned_;
};

// The body's memory is allocated when the loop runs rather than in the context's arena: its sizes
// can depend on values read inside the loop (a slice at the iteration index), which
// CpuKernel::workspaceBytes does not see.
class LoopKernel : public CpuKernel {
 public:
  explicit LoopKernel(const Node& node) : runner_(node, BackendKind::kCpu) {}
  const char* implementation() const override { return "loop"; }
  void run(KernelIO& io) override {
    HostDevice device(runner_, io.pool);
    runner_.run(io.in, io.out, device);
  }

 private:
  loop::Runner runner_;
};

std::unique_ptr<CpuKernel> createLoop(const Node& node, const std::vector<DataType>&, const std::vector<DataType>&) {
  return std::make_unique<LoopKernel>(node);
}

}  // namespace

namespace loop {

Runner::Runner(const Node& node, BackendKind backend) : node_(node), body_(node.body) {
  layout_ = std::make_unique<Layout>(readLayout(node, [&](const auto&... parts) {
    fail(StatusCode::kInvalidArgument, "loop ", loopLabel(node), ": ", parts...);
  }));
  const Graph& b = *body_;
  // With a WHILE condition, the layers it needs run first, so an iteration whose condition is
  // false stops before the rest of the body.
  std::vector<int32_t> order = b.topologicalOrder();
  if (layout_->hasWhile) {
    std::vector<bool> needed(b.nodes.size(), false);
    std::vector<int32_t> work{b.outputs[layout_->conditionOutput()]};
    while (!work.empty()) {
      int32_t t = work.back();
      work.pop_back();
      int32_t p = b.tensors[t].producer;
      if (p < 0 || needed[p]) continue;
      needed[p] = true;
      for (int32_t in : b.nodes[p].inputs)
        if (in >= 0) work.push_back(in);
    }
    std::vector<int32_t> first, rest;
    for (int32_t id : order) (needed[id] ? first : rest).push_back(id);
    conditionPrefix_ = first.size();
    order_ = first;
    order_.insert(order_.end(), rest.begin(), rest.end());
  } else {
    order_ = order;
  }
  roles_.assign(b.tensors.size(), TensorRole::kActivation);
  for (int32_t t : b.inputs) roles_[t] = TensorRole::kNetworkInput;
  for (int32_t t : b.outputs) roles_[t] = TensorRole::kNetworkOutput;
  for (size_t t = 0; t < b.tensors.size(); ++t) {
    int32_t p = b.tensors[t].producer;
    if (p >= 0 && b.nodes[p].type == LayerType::kCONSTANT && roles_[t] == TensorRole::kActivation)
      roles_[t] = TensorRole::kConstant;
  }
  for (int32_t id : order_) {
    const Node& n = b.nodes[id];
    const OpDef& def = opDef(n.type);
    if (def.dataDependentOutputs)
      fail(StatusCode::kUnsupported, "loop ", loopLabel(node), ": layer '", n.name, "' (", layerTypeName(n.type),
           ") has data-dependent output dims, which loop bodies do not support");
    for (int si : def.shapeInputs)
      if (n.input(static_cast<size_t>(si)) >= 0) valueDependent_ = true;
    kernels_.push_back(createKernel(backend, b, n));
  }
}

Runner::~Runner() = default;

void Runner::error(const std::string& message) const {
  fail(StatusCode::kInvalidArgument, "loop ", loopLabel(node_), ": ", message);
}

bool Runner::needsHostValues(const std::vector<TensorRef>& in) const {
  if (layout_->hasWhile || valueDependent_) return true;
  return node_.input(0) >= 0 && !in.at(0).values;
}

MemoryPlan Runner::planBody(const ShapeState& shapes) const {
  return planMemoryForShapes(*body_, order_, roles_, shapes,
                             [&](size_t pos, const std::vector<Dims>& in, const std::vector<Dims>& out) {
                               return kernels_[pos]->workspaceBytes(in, out);
                             });
}

namespace {

int64_t blockBytes(int64_t bytes) { return alignUp(std::max<int64_t>(bytes, 1), kArenaAlignment); }

// Bytes of the body's state: a buffer per recurrence and per iterator slice (with a little slack,
// so that an empty one still has an address).
int64_t stateBytes(const std::vector<DataType>& types, const std::vector<Dims>& dims, size_t count) {
  int64_t total = 0;
  for (size_t b = 0; b < count; ++b) total += blockBytes(byteSizeOf(types[b], volume(dims[b])) + 8);
  return total;
}

}  // namespace

int64_t Runner::memoryBytes(const std::vector<Dims>& inDims) const {
  const Layout& L = *layout_;
  const Graph& b = *body_;
  std::vector<DataType> inTypes(node_.inputs.size(), DataType::kFLOAT);
  // The body's input types are its loop's input types (bodyInputs checks them).
  for (size_t i = 0; i < b.inputs.size(); ++i) inTypes[kFirstStateInput + i] = b.tensors[b.inputs[i]].type;
  std::vector<DataType> types;
  std::vector<Dims> dims;
  int64_t total = -1;
  Status s = captureStatus([&] {
    bodyInputs(node_, L, inTypes, inDims, types, dims, [&](const std::string& m) { error(m); });
    ShapeState shapes = inferShapes(b, order_, dims, true);
    if (shapes.anyDataDependent()) return;
    const MemoryPlan plan = planBody(shapes);
    total = stateBytes(types, dims, static_cast<size_t>(L.numRecurrences + L.numIterators)) + blockBytes(plan.arenaBytes);
    for (int32_t t : b.outputs) total += blockBytes(byteSizeOf(shapes.types[t], volume(shapes.dims[t])) + 64);
  });
  return s.ok() ? total : -1;
}

ShapeState Runner::inferBody(const std::vector<TensorRef>& in, const std::vector<DataType>& types,
                             const std::vector<Dims>& dims, const std::vector<void*>& inputData, Device& device) const {
  const Layout& L = *layout_;
  InputValues values(dims.size());
  for (size_t b = 0; b < dims.size(); ++b) {
    int64_t count = volume(dims[b]);
    bool invariant = b >= static_cast<size_t>(L.numRecurrences + L.numIterators);
    if (invariant) {
      const TensorRef& r = in[L.invariantInput(static_cast<int64_t>(b) - L.numRecurrences - L.numIterators)];
      if (r.values) {
        values[b] = *r.values;
        continue;
      }
    }
    if (!valueDependent_ || !isSmallValueType(types[b]) || count > kMaxTrackedValueElements) continue;
    std::vector<uint8_t> host(static_cast<size_t>(std::max<int64_t>(byteSizeOf(types[b], count), 1)));
    device.readToHost(host.data(), inputData[b], byteSizeOf(types[b], count));
    std::vector<int64_t> v(static_cast<size_t>(count));
    for (int64_t j = 0; j < count; ++j) v[j] = loadAsInt64(host.data(), types[b], j);
    values[b] = std::move(v);
  }
  ShapeState st;
  Status s = captureStatus([&] { st = inferShapes(*body_, order_, dims, true, values); });
  if (!s.ok()) error(s.message);
  for (size_t t = 0; t < st.dataDependent.size(); ++t)
    if (st.dataDependent[t])
      error("tensor '" + body_->tensors[t].name +
            "' inside the loop has dims that depend on values the engine cannot track (a large or floating-point "
            "shape input)");
  return st;
}

void Runner::run(const std::vector<TensorRef>& in, const std::vector<TensorRef>& out, Device& device) const {
  const Layout& L = *layout_;
  const Graph& b = *body_;
  const size_t nb = b.inputs.size();
  int64_t tripCount = -1;
  if (node_.input(0) >= 0) {
    const TensorRef& c = in[0];
    if (c.values) {
      tripCount = c.values->at(0);
    } else {
      int64_t host = 0;
      device.readToHost(&host, c.data, byteSizeOf(c.type, 1));
      tripCount = loadAsInt64(&host, c.type, 0);
    }
    if (tripCount < 0) tripCount = 0;
  }
  // Body input buffers: recurrence state (copied from the initial values), iterator slices;
  // loop-invariant tensors are read in place.
  std::vector<DataType> inTypes;
  std::vector<Dims> inDims;
  for (const TensorRef& r : in) {
    inTypes.push_back(r.type);
    inDims.push_back(r.dims);
  }
  std::vector<DataType> types;
  std::vector<Dims> dims;
  bodyInputs(node_, L, inTypes, inDims, types, dims, [&](const std::string& m) { error(m); });
  std::vector<void*> inputData(nb, nullptr);
  for (int64_t r = 0; r < L.numRecurrences; ++r) {
    const TensorRef& init = in[L.recurrenceInput(r)];
    const int64_t bytes = byteSizeOf(init.type, init.count());
    inputData[r] = device.allocate(bytes + 8);
    device.copy(inputData[r], init.data, bytes);
  }
  for (int64_t i = 0; i < L.numIterators; ++i)
    inputData[L.numRecurrences + i] =
        device.allocate(byteSizeOf(types[L.numRecurrences + i], volume(dims[L.numRecurrences + i])) + 8);
  for (int64_t v = 0; v < L.numInvariants; ++v) inputData[L.numRecurrences + L.numIterators + v] = in[L.invariantInput(v)].data;

  for (size_t k = 0; k < L.numOutputs; ++k)
    if (L.outputKinds[k] != kLastValue) device.zero(out[k].data, byteSizeOf(out[k].type, out[k].count()));

  ShapeState shapes;
  bool haveShapes = false;
  MemoryPlan plan;
  uint8_t* arena = nullptr;
  int64_t arenaCapacity = -1;
  std::vector<void*> outputBuffers(b.outputs.size(), nullptr);
  std::vector<int64_t> outputCapacity(b.outputs.size(), -1);
  std::vector<void*> tensorData(b.tensors.size(), nullptr);
  // Gives the body's tensors memory for `shapes`. Buffers only grow: one outgrown stays valid
  // until the loop's work has completed (the device holds it).
  auto prepareMemory = [&] {
    plan = planBody(shapes);
    if (plan.arenaBytes > arenaCapacity) {
      arena = static_cast<uint8_t*>(device.allocate(plan.arenaBytes));
      arenaCapacity = plan.arenaBytes;
    }
    std::fill(tensorData.begin(), tensorData.end(), nullptr);
    for (size_t i = 0; i < nb; ++i) tensorData[b.inputs[i]] = inputData[i];
    for (size_t o = 0; o < b.outputs.size(); ++o) {
      const int32_t t = b.outputs[o];
      const int64_t bytes = byteSizeOf(shapes.types[t], volume(shapes.dims[t])) + 64;
      if (bytes > outputCapacity[o]) {
        outputBuffers[o] = device.allocate(bytes);
        outputCapacity[o] = bytes;
      }
      tensorData[t] = outputBuffers[o];
    }
    for (size_t t = 0; t < b.tensors.size(); ++t) {
      if (roles_[t] == TensorRole::kConstant) tensorData[t] = device.constantData(static_cast<int32_t>(t));
      else if (roles_[t] == TensorRole::kActivation && plan.tensorOffset[t] >= 0) tensorData[t] = arena + plan.tensorOffset[t];
    }
  };
  std::vector<TensorRef> layerIn, layerOut;
  std::vector<Dims> inD, outD;
  auto runBody = [&](size_t from, size_t to) {
    for (size_t pos = from; pos < to; ++pos) {
      const Node& n = b.nodes[order_[pos]];
      if (n.type == LayerType::kCONSTANT && roles_[n.outputs[0]] != TensorRole::kNetworkOutput) continue;
      layerIn.assign(n.inputs.size(), TensorRef{});
      layerOut.assign(n.outputs.size(), TensorRef{});
      inD.clear();
      outD.clear();
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        const int32_t t = n.inputs[i];
        TensorRef& r = layerIn[i];
        if (t >= 0) {
          r.data = tensorData[t];
          r.type = shapes.types[t];
          r.dims = shapes.dims[t];
          if (const auto& v = shapes.values[t]) r.values = &*v;
        }
        inD.push_back(r.dims);
      }
      for (size_t o = 0; o < n.outputs.size(); ++o) {
        const int32_t t = n.outputs[o];
        TensorRef& r = layerOut[o];
        r.data = tensorData[t];
        r.type = shapes.types[t];
        r.dims = shapes.dims[t];
        outD.push_back(r.dims);
      }
      const size_t need = kernels_[pos]->workspaceBytes(inD, outD);
      void* workspace = nullptr;
      if (need > 0) {
        const int32_t id = order_[pos];
        if (static_cast<int64_t>(need) > plan.workspaceBytes[id])
          error("layer '" + n.name + "' needs more workspace than was planned");
        workspace = arena + plan.workspaceOffset[id];
      }
      device.runLayer(pos, layerIn, layerOut, workspace, need);
    }
  };

  int64_t iterations = 0;
  for (;; ++iterations) {
    if (tripCount >= 0 && iterations >= tripCount) break;
    // The current slices of the iterators.
    for (int64_t i = 0; i < L.numIterators; ++i) {
      const TensorRef& src = in[L.iteratorInput(i)];
      int64_t axis = L.iteratorAxes[i];
      int64_t extent = src.dims[axis];
      int64_t index = iterations;
      if (L.iteratorReverse[i]) index = (tripCount >= 0 ? tripCount : extent) - 1 - iterations;
      if (index < 0 || index >= extent)
        error("iterator " + std::to_string(i) + " reads index " + std::to_string(index) + " in iteration " +
              std::to_string(iterations) + " but its input has " + std::to_string(extent) + " along axis " +
              std::to_string(axis));
      int64_t outer = product(src.dims, 0, static_cast<size_t>(axis));
      int64_t inner = byteSizeOf(src.type, product(src.dims, static_cast<size_t>(axis) + 1, src.dims.size()));
      device.copyRows(inputData[L.numRecurrences + i], inner, static_cast<const uint8_t*>(src.data) + index * inner,
                      extent * inner, outer, inner);
    }
    if (!haveShapes || valueDependent_) {
      ShapeState next = inferBody(in, types, dims, inputData, device);
      if (!haveShapes || next.dims != shapes.dims || next.values != shapes.values) {
        bool replan = !haveShapes || next.dims != shapes.dims;
        shapes = std::move(next);
        haveShapes = true;
        if (replan) prepareMemory();
      }
    }
    runBody(0, conditionPrefix_);
    if (L.hasWhile) {
      uint8_t condition = 0;
      device.readToHost(&condition, tensorData[b.outputs[L.conditionOutput()]], 1);
      if (!loadAsInt64(&condition, DataType::kBOOL, 0)) break;
    }
    runBody(conditionPrefix_, order_.size());
    // Commit the iteration: stacked outputs, then the recurrences' next values.
    for (size_t k = 0; k < L.numOutputs; ++k) {
      if (L.outputKinds[k] == kLastValue) continue;
      const TensorRef& o = out[k];
      int64_t axis = L.outputAxes[k];
      if (axis < 0) axis += static_cast<int64_t>(o.dims.size());
      int64_t length = o.dims[axis];
      if (iterations >= length)
        error("output " + std::to_string(k) + " holds " + std::to_string(length) +
              " iterations (its length input) but the loop runs more");
      int32_t t = b.outputs[L.outputSources[k]];
      const Dims& vd = shapes.dims[t];
      Dims expect(o.dims);
      expect.erase(expect.begin() + axis);
      if (vd != expect)
        error("output " + std::to_string(k) + " stacks values of dims " + dimsToString(expect) + " but iteration " +
              std::to_string(iterations) + " gives " + dimsToString(vd));
      int64_t slot = L.outputKinds[k] == kReverse ? length - 1 - iterations : iterations;
      int64_t outer = product(o.dims, 0, static_cast<size_t>(axis));
      int64_t inner = byteSizeOf(o.type, product(o.dims, static_cast<size_t>(axis) + 1, o.dims.size()));
      device.copyRows(static_cast<uint8_t*>(o.data) + slot * inner, length * inner, tensorData[t], inner, outer, inner);
    }
    for (int64_t r = 0; r < L.numRecurrences; ++r) {
      int32_t t = b.outputs[L.nextOutput(r)];
      if (shapes.dims[t] != dims[r])
        error("recurrence " + std::to_string(r) + " has dims " + dimsToString(dims[r]) + " but its next value in iteration " +
              std::to_string(iterations) + " has dims " + dimsToString(shapes.dims[t]));
      device.copy(inputData[r], tensorData[t], byteSizeOf(types[r], volume(dims[r])));
    }
  }
  for (size_t k = 0; k < L.numOutputs; ++k) {
    const TensorRef& o = out[k];
    if (L.outputKinds[k] == kLastValue) {
      device.copy(o.data, inputData[L.outputSources[k]], byteSizeOf(o.type, o.count()));
    } else if (L.outputStrict[k]) {
      int64_t axis = L.outputAxes[k] < 0 ? L.outputAxes[k] + static_cast<int64_t>(o.dims.size()) : L.outputAxes[k];
      if (o.dims[axis] != iterations)
        error("ran " + std::to_string(iterations) + " iterations but output " + std::to_string(k) + " was sized for " +
              std::to_string(o.dims[axis]) + " (its length input); the stacked output's length depends on values known "
              "only while the loop runs");
    }
  }
}

}  // namespace loop

namespace {

std::vector<int> lengthInputs() {
  std::vector<int> v;
  for (int k = 0; k < kMaxLoopOutputs; ++k) v.push_back(1 + k);
  return v;
}

}  // namespace

void registerLoopOps() {
  // Boundary layers have no kernel: the builder outlines every loop before anything runs.
  registerOp({LayerType::kTRIP_LIMIT, "TripLimit", 1, 1, 0, inferTripLimit, nullptr, {}});
  registerOp({LayerType::kRECURRENCE, "Recurrence", 1, 2, 1, inferRecurrence, nullptr, {}});
  registerOp({LayerType::kITERATOR, "Iterator", 1, 1, 1, inferIterator, nullptr, {}});
  registerOp({LayerType::kLOOP_OUTPUT, "LoopOutput", 1, 2, 1, inferLoopOutput, nullptr, {1}});
  // numOutputs -1: one per loop output.
  registerOp({LayerType::kLOOP, "Loop", kFirstStateInput, 1 << 20, -1, inferLoop, createLoop, lengthInputs()});
}

}  // namespace trtn
