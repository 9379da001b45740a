// Shape and type inference over a whole graph, with value tracking for small integer tensors
// (shape arithmetic such as Shape -> Gather -> Concat -> Shuffle). Used by the network API (with
// -1 for dynamic dimensions), by the builder, and by execution contexts with concrete shapes.
#pragma once

#include <optional>
#include <vector>

#include "Graph.h"

namespace trtn {

struct ShapeState {
  std::vector<DataType> types;
  std::vector<Dims> dims;
  std::vector<bool> known;  // the tensor has been inferred
  std::vector<std::optional<std::vector<int64_t>>> values;
  // Run-time inference only: the tensor's dims depend on tensor values known only while the
  // engine runs (a data-dependent shape). Its dims hold -1 where unknown (the network-time dims),
  // it gets no planned memory, and the run resolves it when its producer executes.
  std::vector<bool> dataDependent;
  // upperBounds inference only: the dims are bounds (computed from NonZero/NMS maxima), not
  // values; shape values computed from them bound nothing, so their consumers stay
  // data-dependent.
  std::vector<bool> upperBound;
  bool anyDataDependent() const {
    for (bool d : dataDependent)
      if (d) return true;
    return false;
  }
};

// Largest integer tensor whose value is tracked through inference.
constexpr int64_t kMaxTrackedValueElements = 4096;

// Values of network inputs, indexed like Graph::inputs: set for shape tensor inputs (TensorRT's
// "shape inference I/O"), whose values decide other tensors' dimensions; nullopt for the others.
using InputValues = std::vector<std::optional<std::vector<int64_t>>>;

// Infers every node in `order`. Input tensors take their dims from `inputDims` (indexed like
// graph.inputs) or, if that is empty, from their TensorDesc, and their values from
// `inputValues` where it has one. With `runtime`, every dimension must resolve, and shape inputs
// must have known values; otherwise unknown dims become -1. Throws EngineError naming the
// failing layer. At run time, tensors whose dims depend on values computed by the network (a
// shape input whose value is not known from shapes, or a NonZero/NMS output, and everything
// computed from them) are marked dataDependent instead of failing; with `upperBounds`, NonZero
// and NMS outputs take their largest possible dims instead (for getMaxOutputSize).
ShapeState inferShapes(const Graph& graph, const std::vector<int32_t>& order, const std::vector<Dims>& inputDims,
                       bool runtime, const InputValues& inputValues = {}, bool upperBounds = false);

// Infers one node at run time from concrete input types, dims and values (the run resolving a
// data-dependent layer once its inputs have been computed). Throws EngineError.
void inferNodeAtRunTime(const Node& node, const std::vector<DataType>& inTypes, const std::vector<Dims>& inDims,
                        const std::vector<const std::vector<int64_t>*>& inValues, std::vector<DataType>& outTypes,
                        std::vector<Dims>& outDims);

// Per tensor: whether its values decide some layer's output dimensions (ITensor::isShapeTensor),
// found by walking back from every layer's shape inputs (Shuffle reshape dims, Slice
// start/size/stride, Fill dims, Resize output shape, TopK K, ...) through the layers that
// compute them. A Shape layer ends the walk: its output depends on its input's dims only.
std::vector<bool> findShapeTensors(const Graph& graph);

// Whether network input `tensor` can carry shape values: INT32 or INT64 of rank 0 or 1.
bool canBeShapeTensorInput(const TensorDesc& tensor);

// Per network input (indexed like Graph::inputs): a shape tensor input, i.e. one that
// canBeShapeTensorInput and whose values decide dimensions. Its values come from optimization
// profiles at build time and from its bound buffer at run time.
std::vector<bool> findShapeTensorInputs(const Graph& graph);

// Runs inference and writes types, dims and values back into the graph's tensor descriptors.
// Returns the first error instead of throwing, leaving tensors after it with unknown dims.
Status inferInPlace(Graph& graph);

// Infers one node from the current descriptors of its inputs (which must be inferred) and
// writes its outputs' descriptors. Throws EngineError naming the layer.
void inferNodeInPlace(Graph& graph, int32_t nodeId);

// Evaluates one node on host memory when all its inputs have known values.
std::optional<std::vector<int64_t>> evaluateValue(const Node& node, const std::vector<DataType>& inTypes,
                                                  const std::vector<Dims>& inDims,
                                                  const std::vector<const std::vector<int64_t>*>& inValues,
                                                  DataType outType, const Dims& outDims, size_t outputIndex);

}  // namespace trtn
