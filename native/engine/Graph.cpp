#include "Graph.h"

#include <cstring>
#include <limits>
#include <set>

namespace trtn {

std::string dimsToString(const Dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(d[i]);
  }
  return s + "]";
}

int64_t volume(const Dims& d) {
  bool empty = false;
  for (int64_t x : d) {
    if (x < 0) return -1;
    empty = empty || x == 0;
  }
  if (empty) return 0;
  int64_t v = 1;
  for (int64_t x : d)
    // Saturates instead of wrapping (absurd dims from malformed input): sizes that large are
    // refused as too large downstream rather than wrapping to small or negative counts.
    if (__builtin_mul_overflow(v, x, &v)) return std::numeric_limits<int64_t>::max();
  return v;
}

bool isFullyKnown(const Dims& d) {
  for (int64_t x : d)
    if (x < 0) return false;
  return true;
}

Weights Weights::owned(DataType type, int64_t count, const void* src) {
  Weights w;
  w.type = type;
  w.count = count;
  size_t bytes = static_cast<size_t>(byteSizeOf(type, count));
  if (count > 0) {
    // 64-byte alignment lets kernels use aligned vector loads on weights.
    void* p = ::operator new(bytes == 0 ? 1 : bytes, std::align_val_t(64));
    if (src) std::memcpy(p, src, bytes);
    else std::memset(p, 0, bytes);
    w.data = std::shared_ptr<const void>(p, [](const void* q) { ::operator delete(const_cast<void*>(q), std::align_val_t(64)); });
  }
  return w;
}

int64_t Node::getInt(const std::string& key, int64_t fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto p = std::get_if<int64_t>(&it->second)) return *p;
  if (auto p = std::get_if<double>(&it->second)) return static_cast<int64_t>(*p);
  return fallback;
}

double Node::getFloat(const std::string& key, double fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto p = std::get_if<double>(&it->second)) return *p;
  if (auto p = std::get_if<int64_t>(&it->second)) return static_cast<double>(*p);
  return fallback;
}

std::vector<int64_t> Node::getInts(const std::string& key, const std::vector<int64_t>& fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto p = std::get_if<std::vector<int64_t>>(&it->second)) return *p;
  if (auto p = std::get_if<std::vector<double>>(&it->second)) {
    std::vector<int64_t> r;
    for (double v : *p) r.push_back(static_cast<int64_t>(v));
    return r;
  }
  if (auto p = std::get_if<int64_t>(&it->second)) return {*p};
  return fallback;
}

std::vector<double> Node::getFloats(const std::string& key, const std::vector<double>& fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto p = std::get_if<std::vector<double>>(&it->second)) return *p;
  if (auto p = std::get_if<std::vector<int64_t>>(&it->second)) return std::vector<double>(p->begin(), p->end());
  if (auto p = std::get_if<double>(&it->second)) return {*p};
  return fallback;
}

std::string Node::getString(const std::string& key, const std::string& fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto p = std::get_if<std::string>(&it->second)) return *p;
  return fallback;
}

const Weights* Node::getWeights(const std::string& key) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return nullptr;
  auto p = std::get_if<Weights>(&it->second);
  if (!p || p->empty()) return nullptr;
  return p;
}

int32_t Graph::addTensor(TensorDesc t) {
  tensors.push_back(std::move(t));
  return static_cast<int32_t>(tensors.size() - 1);
}

int32_t Graph::findTensor(const std::string& n) const {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == n) return static_cast<int32_t>(i);
  return -1;
}

std::string Graph::uniqueTensorName(const std::string& base) const {
  if (findTensor(base) < 0) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (findTensor(candidate) < 0) return candidate;
  }
}

int32_t Graph::addNode(Node node, int numOutputs) {
  int32_t id = static_cast<int32_t>(nodes.size());
  node.outputs.clear();
  for (int i = 0; i < numOutputs; ++i) {
    TensorDesc t;
    t.name = uniqueTensorName(node.name + "_output_" + std::to_string(i));
    t.producer = id;
    t.producerOutput = i;
    node.outputs.push_back(addTensor(std::move(t)));
  }
  nodes.push_back(std::move(node));
  return id;
}

std::vector<int32_t> Graph::topologicalOrder() const {
  // Kahn's algorithm over node dependencies, stable in insertion order.
  size_t n = nodes.size();
  std::vector<std::vector<int32_t>> consumers(n);
  std::vector<int32_t> pending(n, 0);
  for (size_t i = 0; i < n; ++i) {
    std::set<int32_t> deps;
    for (size_t k = 0; k < nodes[i].inputs.size(); ++k) {
      int32_t t = nodes[i].inputs[k];
      if (t < 0 || (k == 1 && nodes[i].type == LayerType::kRECURRENCE)) continue;
      int32_t p = tensors[t].producer;
      if (p >= 0) deps.insert(p);
    }
    pending[i] = static_cast<int32_t>(deps.size());
    for (int32_t p : deps) consumers[p].push_back(static_cast<int32_t>(i));
  }
  std::vector<int32_t> order;
  std::set<int32_t> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.insert(static_cast<int32_t>(i));
  while (!ready.empty()) {
    int32_t i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (int32_t c : consumers[i])
      if (--pending[c] == 0) ready.insert(c);
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i)
      if (pending[i] > 0) fail(StatusCode::kInvalidArgument, "network has a cycle through layer '", nodes[i].name, "'");
  }
  return order;
}

void Graph::materialize() {
  for (auto& node : nodes) {
    if (node.body) node.body->materialize();
    for (auto& [key, value] : node.attrs)
      if (auto w = std::get_if<Weights>(&value))
        if (!w->empty()) *w = Weights::owned(w->type, w->count, w->data.get());
  }
}

}  // namespace trtn
