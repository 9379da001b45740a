// The built-in engine's graph IR: one node type (an op with inputs, outputs and named
// attributes), tensors with type and dimensions. NetworkDefinition objects in JS are views on a
// Graph owned by the addon; the builder copies it, optimises the copy and serialises it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "DataType.h"
#include "LayerType.h"
#include "Status.h"

namespace trtn {

using Dims = std::vector<int64_t>;

std::string dimsToString(const Dims& d);
// Product of the dimensions; -1 if any is unknown; saturates at INT64_MAX instead of overflowing.
int64_t volume(const Dims& d);
bool isFullyKnown(const Dims& d);

// Weights: typed bytes. `data` may be borrowed (a JS ArrayBuffer kept alive by the network
// wrapper) or owned; Graph::materialize() turns every borrowed weight into an owned copy.
struct Weights {
  DataType type = DataType::kFLOAT;
  int64_t count = 0;
  std::shared_ptr<const void> data;  // null when count == 0

  bool empty() const { return count == 0; }
  size_t byteSize() const { return static_cast<size_t>(byteSizeOf(type, count)); }
  template <typename T>
  const T* as() const {
    return static_cast<const T*>(data.get());
  }
  static Weights owned(DataType type, int64_t count, const void* src = nullptr);
  void* mutableData() const { return const_cast<void*>(data.get()); }
};

using AttrValue = std::variant<int64_t, double, std::vector<int64_t>, std::vector<double>, std::string, Weights>;

struct TensorDesc {
  std::string name;
  DataType type = DataType::kFLOAT;
  Dims dims;
  int32_t producer = -1;  // node index, -1 for network inputs
  int32_t producerOutput = 0;
  bool isInput = false;
  bool isOutput = false;
  uint32_t allowedFormats = 1u;  // bit 0 = LINEAR, the only format the built-in engine stores
  std::vector<std::string> dimNames;
  bool inferred = false;  // set by inference; false when the producer failed validation
  // Set by inference: the statically known value of a small integer tensor (shape arithmetic).
  std::optional<std::vector<int64_t>> value;
};

struct Graph;

struct Node {
  std::string name;
  LayerType type = LayerType::kIDENTITY;
  std::vector<int32_t> inputs;   // tensor ids; -1 = absent optional input
  std::vector<int32_t> outputs;  // tensor ids
  std::map<std::string, AttrValue> attrs;
  std::string metadata;
  // An outlined loop's body (LayerType::kLOOP, made by the loopOutlining pass); null otherwise.
  std::shared_ptr<Graph> body;

  bool has(const std::string& key) const { return attrs.count(key) != 0; }
  int64_t getInt(const std::string& key, int64_t fallback) const;
  double getFloat(const std::string& key, double fallback) const;
  std::vector<int64_t> getInts(const std::string& key, const std::vector<int64_t>& fallback = {}) const;
  std::vector<double> getFloats(const std::string& key, const std::vector<double>& fallback = {}) const;
  std::string getString(const std::string& key, const std::string& fallback = "") const;
  const Weights* getWeights(const std::string& key) const;  // null if absent or empty
  int32_t input(size_t i) const { return i < inputs.size() ? inputs[i] : -1; }
};

struct Graph {
  std::string name;
  std::vector<TensorDesc> tensors;
  std::vector<Node> nodes;
  std::vector<int32_t> inputs;   // tensor ids, in addInput order
  std::vector<int32_t> outputs;  // tensor ids, in markOutput order

  int32_t addTensor(TensorDesc t);
  int32_t findTensor(const std::string& name) const;  // -1 if none
  // Adds a node and one output tensor per `numOutputs`, named "<layer>_output_<i>".
  int32_t addNode(Node node, int numOutputs);
  std::string uniqueTensorName(const std::string& base) const;

  // Node ids in an order where producers come before consumers; throws on cycles. A recurrence's
  // input 1 (its next value, the loop's back edge) is not a dependency.
  std::vector<int32_t> topologicalOrder() const;
  // Copies every borrowed weight into memory the graph owns.
  void materialize();
};

}  // namespace trtn
