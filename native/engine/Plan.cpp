#include "Plan.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "ByteStream.h"
#include "Inference.h"
#include "Ops.h"

namespace trtn {

const char* backendName(BackendKind b) {
  switch (b) {
    case BackendKind::kCpu: return "cpu";
    case BackendKind::kCuda: return "cuda";
    case BackendKind::kTensorRT: return "tensorrt";
  }
  return "unknown";
}

uint64_t fnv1a64(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  // Eight independent lanes keep the multiply chain from bounding throughput on large plans.
  uint64_t lanes[8];
  for (auto& l : lanes) l = h;
  size_t i = 0;
  for (; i + 8 <= size; i += 8)
    for (int k = 0; k < 8; ++k) lanes[k] = (lanes[k] ^ data[i + k]) * 1099511628211ull;
  for (int k = 0; k < 8; ++k) h = (h ^ lanes[k]) * 1099511628211ull;
  for (; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

namespace {

class Writer : public ByteWriter {
 public:
  void str(const std::string& s) {
    pod<uint32_t>(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  template <typename T>
  void vec(const std::vector<T>& v) {
    pod<uint32_t>(static_cast<uint32_t>(v.size()));
    for (const T& x : v) pod<T>(x);
  }
  void dims(const Dims& d) { vec<int64_t>(d); }
};

class Reader : public ByteReader {
 public:
  Reader(const uint8_t* p, size_t n) : ByteReader(p, n, "plan payload") {}
  std::string str() {
    uint32_t n = pod<uint32_t>();
    const uint8_t* r = raw(n);
    return std::string(reinterpret_cast<const char*>(r), n);
  }
  template <typename T>
  std::vector<T> vec() {
    uint32_t n = pod<uint32_t>();
    need(static_cast<size_t>(n) * sizeof(T));  // bound the allocation by the bytes present
    std::vector<T> v(n);
    for (uint32_t i = 0; i < n; ++i) v[i] = pod<T>();
    return v;
  }
  Dims dims() {
    Dims d = vec<int64_t>();
    if (d.size() > 8) corrupt("a tensor has rank ", d.size());
    for (int64_t x : d)
      if (x < -1) corrupt("a dimension is ", x);
    return d;
  }
  uint32_t count(size_t minBytesEach) {
    uint32_t n = pod<uint32_t>();
    need(static_cast<size_t>(n) * minBytesEach);
    return n;
  }
  template <typename... Parts>
  [[noreturn]] static void corrupt(const Parts&... parts) {
    fail(StatusCode::kPlanCorrupt, "plan payload is corrupt: ", parts...);
  }
};

enum AttrKind : uint8_t { kInt = 0, kFloat = 1, kInts = 2, kFloats = 3, kString = 4, kWeights = 5 };

void writeAttr(Writer& w, const AttrValue& v) {
  if (auto p = std::get_if<int64_t>(&v)) {
    w.pod<uint8_t>(kInt);
    w.pod<int64_t>(*p);
  } else if (auto p = std::get_if<double>(&v)) {
    w.pod<uint8_t>(kFloat);
    w.pod<double>(*p);
  } else if (auto p = std::get_if<std::vector<int64_t>>(&v)) {
    w.pod<uint8_t>(kInts);
    w.vec<int64_t>(*p);
  } else if (auto p = std::get_if<std::vector<double>>(&v)) {
    w.pod<uint8_t>(kFloats);
    w.vec<double>(*p);
  } else if (auto p = std::get_if<std::string>(&v)) {
    w.pod<uint8_t>(kString);
    w.str(*p);
  } else if (auto p = std::get_if<Weights>(&v)) {
    w.pod<uint8_t>(kWeights);
    w.pod<int32_t>(static_cast<int32_t>(p->type));
    w.pod<int64_t>(p->count);
    w.raw(p->data.get(), p->byteSize());
  }
}

AttrValue readAttr(Reader& r) {
  uint8_t kind = r.pod<uint8_t>();
  switch (kind) {
    case kInt: return r.pod<int64_t>();
    case kFloat: return r.pod<double>();
    case kInts: return r.vec<int64_t>();
    case kFloats: return r.vec<double>();
    case kString: return r.str();
    case kWeights: {
      auto type = static_cast<DataType>(r.pod<int32_t>());
      int64_t count = r.pod<int64_t>();
      if (!isSupportedDataType(type)) Reader::corrupt("weights have data type ", static_cast<int32_t>(type));
      if (count < 0 || count > (int64_t(1) << 40)) Reader::corrupt("weights have ", count, " values");
      size_t bytes = static_cast<size_t>(byteSizeOf(type, count));
      const uint8_t* src = r.raw(bytes);
      return Weights::owned(type, count, src);
    }
    default: Reader::corrupt("unknown attribute kind ", int(kind));
  }
}

// Name, tensors and layers of a graph (the top-level layout since version 1).
void writeGraphCore(Writer& w, const Graph& g) {
  w.str(g.name);
  w.pod<uint32_t>(static_cast<uint32_t>(g.tensors.size()));
  for (const TensorDesc& t : g.tensors) {
    w.str(t.name);
    w.pod<int32_t>(static_cast<int32_t>(t.type));
    w.dims(t.dims);
    w.pod<int32_t>(t.producer);
    w.pod<int32_t>(t.producerOutput);
    w.pod<uint8_t>(t.isInput);
    w.pod<uint8_t>(t.isOutput);
    w.pod<uint32_t>(t.allowedFormats);
    w.pod<uint32_t>(static_cast<uint32_t>(t.dimNames.size()));
    for (const auto& n : t.dimNames) w.str(n);
  }
  w.pod<uint32_t>(static_cast<uint32_t>(g.nodes.size()));
  for (const Node& n : g.nodes) {
    w.str(n.name);
    w.pod<int32_t>(static_cast<int32_t>(n.type));
    w.vec<int32_t>(n.inputs);
    w.vec<int32_t>(n.outputs);
    w.str(n.metadata);
    w.pod<uint32_t>(static_cast<uint32_t>(n.attrs.size()));
    for (const auto& [key, value] : n.attrs) {
      w.str(key);
      writeAttr(w, value);
    }
  }
}

void readGraphCore(Reader& r, Graph& g) {
  g.name = r.str();
  uint32_t nt = r.count(32);
  g.tensors.resize(nt);
  for (TensorDesc& t : g.tensors) {
    t.name = r.str();
    t.type = static_cast<DataType>(r.pod<int32_t>());
    if (!isSupportedDataType(t.type)) Reader::corrupt("tensor '", t.name, "' has data type ", static_cast<int32_t>(t.type));
    t.dims = r.dims();
    t.producer = r.pod<int32_t>();
    t.producerOutput = r.pod<int32_t>();
    t.isInput = r.pod<uint8_t>() != 0;
    t.isOutput = r.pod<uint8_t>() != 0;
    t.allowedFormats = r.pod<uint32_t>();
    uint32_t nn = r.count(4);
    for (uint32_t i = 0; i < nn; ++i) t.dimNames.push_back(r.str());
  }
  uint32_t nn = r.count(24);
  g.nodes.resize(nn);
  for (Node& n : g.nodes) {
    n.name = r.str();
    n.type = static_cast<LayerType>(r.pod<int32_t>());
    n.inputs = r.vec<int32_t>();
    n.outputs = r.vec<int32_t>();
    n.metadata = r.str();
    uint32_t na = r.count(5);
    for (uint32_t i = 0; i < na; ++i) {
      std::string key = r.str();
      n.attrs[key] = readAttr(r);
    }
  }
}

// Version 3: loop bodies (LayerType::kLOOP nodes made by the builder), after everything else:
// a count, then per body its node's index and the body graph, which may hold bodies itself.
void writeBodies(Writer& w, const Graph& g, int depth = 0) {
  uint32_t n = 0;
  for (const Node& node : g.nodes) n += node.body ? 1 : 0;
  w.pod<uint32_t>(n);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!g.nodes[i].body) continue;
    const Graph& b = *g.nodes[i].body;
    w.pod<uint32_t>(static_cast<uint32_t>(i));
    writeGraphCore(w, b);
    w.vec<int32_t>(b.inputs);
    w.vec<int32_t>(b.outputs);
    writeBodies(w, b, depth + 1);
  }
}

void readBodies(Reader& r, Graph& g, int depth = 0) {
  if (depth > 16) Reader::corrupt("loop bodies are nested more than 16 deep");
  uint32_t n = r.count(8);
  for (uint32_t k = 0; k < n; ++k) {
    uint32_t i = r.pod<uint32_t>();
    if (i >= g.nodes.size() || g.nodes[i].body) Reader::corrupt("a loop body belongs to layer ", i);
    auto b = std::make_shared<Graph>();
    readGraphCore(r, *b);
    b->inputs = r.vec<int32_t>();
    b->outputs = r.vec<int32_t>();
    readBodies(r, *b, depth + 1);
    g.nodes[i].body = std::move(b);
  }
}

void writePayload(Writer& w, const EngineDesc& d) {
  w.str(d.name);
  w.pod<uint32_t>(static_cast<uint32_t>(d.backend));
  w.pod<int32_t>(d.optimizationLevel);
  w.pod<int32_t>(d.profilingVerbosity);
  const Graph& g = d.graph;
  writeGraphCore(w, g);
  w.vec<int32_t>(g.inputs);
  w.vec<int32_t>(g.outputs);
  w.vec<int32_t>(d.order);
  std::vector<uint8_t> roles;
  for (TensorRole r : d.roles) roles.push_back(static_cast<uint8_t>(r));
  w.vec<uint8_t>(roles);
  w.pod<uint32_t>(static_cast<uint32_t>(d.profiles.size()));
  for (const ProfileShapes& p : d.profiles)
    for (const auto* set : {&p.min, &p.opt, &p.max}) {
      w.pod<uint32_t>(static_cast<uint32_t>(set->size()));
      for (const Dims& dims : *set) w.dims(dims);
    }
  for (const MemoryPlan& m : d.memory) {
    w.pod<int64_t>(m.arenaBytes);
    w.vec<int64_t>(m.tensorOffset);
    w.vec<int64_t>(m.tensorBytes);
    w.vec<int64_t>(m.workspaceOffset);
    w.vec<int64_t>(m.workspaceBytes);
  }
  w.pod<uint32_t>(static_cast<uint32_t>(d.passLog.size()));
  for (const auto& s : d.passLog) w.str(s);
  // Version 2: shape tensor inputs and, per profile, their MIN/OPT/MAX values.
  std::vector<uint8_t> flags(g.inputs.size(), 0);
  for (size_t i = 0; i < flags.size(); ++i) flags[i] = d.isShapeTensorInput(i) ? 1 : 0;
  w.vec<uint8_t>(flags);
  for (const ProfileShapes& p : d.profiles)
    for (const auto* set : {&p.minValues, &p.optValues, &p.maxValues}) {
      w.pod<uint32_t>(static_cast<uint32_t>(set->size()));
      for (const auto& values : *set) w.vec<int64_t>(values);
    }
  writeBodies(w, g);
}

void checkTensorId(int32_t id, size_t n, bool allowAbsent, const char* what) {
  if ((allowAbsent && id == -1)) return;
  if (id < 0 || static_cast<size_t>(id) >= n) Reader::corrupt(what, " refers to tensor ", id, " of ", n);
}

EngineDesc readPayload(Reader& r, uint32_t formatVersion) {
  EngineDesc d;
  d.name = r.str();
  uint32_t backend = r.pod<uint32_t>();
  if (backend > 2) Reader::corrupt("unknown backend ", backend);
  d.backend = static_cast<BackendKind>(backend);
  d.optimizationLevel = r.pod<int32_t>();
  d.profilingVerbosity = r.pod<int32_t>();
  Graph& g = d.graph;
  readGraphCore(r, g);
  g.inputs = r.vec<int32_t>();
  g.outputs = r.vec<int32_t>();
  d.order = r.vec<int32_t>();
  for (uint8_t role : r.vec<uint8_t>()) {
    if (role > 3) Reader::corrupt("unknown tensor role ", int(role));
    d.roles.push_back(static_cast<TensorRole>(role));
  }
  uint32_t np = r.count(12);
  d.profiles.resize(np);
  for (ProfileShapes& p : d.profiles)
    for (auto* set : {&p.min, &p.opt, &p.max}) {
      uint32_t ni = r.count(4);
      for (uint32_t i = 0; i < ni; ++i) set->push_back(r.dims());
    }
  d.memory.resize(np);
  for (MemoryPlan& m : d.memory) {
    m.arenaBytes = r.pod<int64_t>();
    m.tensorOffset = r.vec<int64_t>();
    m.tensorBytes = r.vec<int64_t>();
    m.workspaceOffset = r.vec<int64_t>();
    m.workspaceBytes = r.vec<int64_t>();
  }
  uint32_t nl = r.count(4);
  for (uint32_t i = 0; i < nl; ++i) d.passLog.push_back(r.str());
  if (formatVersion >= 2) {
    d.shapeTensorInputs = r.vec<uint8_t>();
    for (ProfileShapes& p : d.profiles)
      for (auto* set : {&p.minValues, &p.optValues, &p.maxValues}) {
        uint32_t ni = r.count(4);
        for (uint32_t i = 0; i < ni; ++i) {
          set->push_back(r.vec<int64_t>());
          if (set->back().size() > static_cast<size_t>(kMaxTrackedValueElements))
            Reader::corrupt("a shape tensor input has ", set->back().size(), " values");
        }
      }
  } else {
    // Version 1 plans predate shape tensor inputs.
    d.shapeTensorInputs.assign(d.graph.inputs.size(), 0);
    for (ProfileShapes& p : d.profiles)
      for (auto* set : {&p.minValues, &p.optValues, &p.maxValues}) set->assign(d.graph.inputs.size(), {});
  }
  if (formatVersion >= 3) readBodies(r, d.graph);
  if (!r.atEnd()) Reader::corrupt("trailing bytes after the payload");
  return d;
}

// Ids inside one graph (the top level or a loop body).
void validateGraph(const Graph& g) {
  size_t nt = g.tensors.size(), nn = g.nodes.size();
  for (size_t i = 0; i < nt; ++i) {
    const TensorDesc& t = g.tensors[i];
    if (t.producer < -1 || t.producer >= static_cast<int32_t>(nn)) Reader::corrupt("tensor '", t.name, "' has producer ", t.producer);
  }
  for (size_t i = 0; i < nn; ++i) {
    const Node& n = g.nodes[i];
    const OpDef* def = findOpDef(n.type);
    if (!def)
      fail(StatusCode::kPlanIncompatible, "plan uses layer type ", static_cast<int32_t>(n.type),
           " which this version of tensorrt-node does not implement");
    if (!def->createCpu)
      Reader::corrupt("layer '", n.name, "' has type ", layerTypeName(n.type), ", which built engines do not contain");
    for (int32_t t : n.inputs) checkTensorId(t, nt, true, "a layer input");
    // numOutputs -1: as many as the layer says (a loop: one per loop output).
    if (def->numOutputs >= 0 && static_cast<int>(n.outputs.size()) != def->numOutputs)
      Reader::corrupt("layer '", n.name, "' has ", n.outputs.size(), " outputs");
    if ((n.type == LayerType::kLOOP) != (n.body != nullptr)) Reader::corrupt("layer '", n.name, "' has a body that does not match its type");
    if (n.body) validateGraph(*n.body);
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      checkTensorId(n.outputs[o], nt, false, "a layer output");
      if (g.tensors[n.outputs[o]].producer != static_cast<int32_t>(i)) Reader::corrupt("layer '", n.name, "' output producer mismatch");
    }
  }
  for (int32_t t : g.inputs) checkTensorId(t, nt, false, "a network input");
  for (int32_t t : g.outputs) checkTensorId(t, nt, false, "a network output");
}

// Structural checks, so that no id or offset read from a file is trusted.
void validate(const EngineDesc& d) {
  const Graph& g = d.graph;
  size_t nt = g.tensors.size(), nn = g.nodes.size();
  validateGraph(g);
  std::set<int32_t> seen(d.order.begin(), d.order.end());
  if (d.order.size() != nn || seen.size() != nn || (nn && (*seen.begin() < 0 || *seen.rbegin() >= static_cast<int32_t>(nn))))
    Reader::corrupt("execution order is not a permutation of the layers");
  if (d.roles.size() != nt) Reader::corrupt("tensor roles do not match the tensors");
  if (d.profiles.empty()) Reader::corrupt("no optimization profile");
  for (const ProfileShapes& p : d.profiles)
    if (p.min.size() != g.inputs.size() || p.opt.size() != g.inputs.size() || p.max.size() != g.inputs.size())
      Reader::corrupt("profile shapes do not match the inputs");
  if (d.shapeTensorInputs.size() != g.inputs.size()) Reader::corrupt("shape tensor input flags do not match the inputs");
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    uint8_t flag = d.shapeTensorInputs[i];
    const TensorDesc& in = g.tensors[g.inputs[i]];
    if (flag > 1 || (flag && !canBeShapeTensorInput(in)))
      Reader::corrupt("input '", in.name, "' is marked as a shape tensor input");
    for (const ProfileShapes& p : d.profiles) {
      if (p.minValues.size() != g.inputs.size() || p.optValues.size() != g.inputs.size() ||
          p.maxValues.size() != g.inputs.size())
        Reader::corrupt("profile shape values do not match the inputs");
      size_t count = flag ? static_cast<size_t>(std::max<int64_t>(volume(p.max[i]), 0)) : 0;
      if (p.minValues[i].size() != count || p.optValues[i].size() != count || p.maxValues[i].size() != count ||
          (flag && p.min[i] != p.max[i]))
        Reader::corrupt("profile shape values for input '", in.name, "' do not match its dimensions");
      for (size_t j = 0; j < count; ++j)
        if (!(p.minValues[i][j] <= p.optValues[i][j] && p.optValues[i][j] <= p.maxValues[i][j]))
          Reader::corrupt("profile shape values for input '", in.name, "' are not ordered MIN <= OPT <= MAX");
    }
  }
  for (const MemoryPlan& m : d.memory) {
    if (m.arenaBytes < 0 || m.tensorOffset.size() != nt || m.tensorBytes.size() != nt || m.workspaceOffset.size() != nn ||
        m.workspaceBytes.size() != nn)
      Reader::corrupt("memory plan does not match the graph");
    for (size_t t = 0; t < nt; ++t)
      if (m.tensorOffset[t] >= 0 && (m.tensorBytes[t] < 0 || m.tensorOffset[t] + m.tensorBytes[t] > m.arenaBytes))
        Reader::corrupt("tensor '", g.tensors[t].name, "' lies outside the activation memory");
    for (size_t i = 0; i < nn; ++i)
      if (m.workspaceOffset[i] >= 0 && (m.workspaceBytes[i] < 0 || m.workspaceOffset[i] + m.workspaceBytes[i] > m.arenaBytes))
        Reader::corrupt("a layer workspace lies outside the activation memory");
  }
}

}  // namespace

PlanKind sniffPlan(const uint8_t* data, size_t size) {
  if (size < 8) return PlanKind::kTooShort;
  return std::memcmp(data, kPlanMagic, 8) == 0 ? PlanKind::kTensorRTNode : PlanKind::kForeign;
}

PlanHeader readPlanHeader(const uint8_t* data, size_t size) {
  if (size == 0) fail(StatusCode::kPlanCorrupt, "plan is empty");
  if (sniffPlan(data, size) != PlanKind::kTensorRTNode)
    fail(StatusCode::kPlanCorrupt, "not a tensorrt-node plan (wrong magic bytes)");
  if (size < kPlanHeaderSize) fail(StatusCode::kPlanCorrupt, "plan is truncated: ", size, " bytes is shorter than the header");
  PlanHeader h;
  std::memcpy(&h.formatVersion, data + 8, 4);
  std::memcpy(&h.headerSize, data + 12, 4);
  uint32_t backend;
  std::memcpy(&backend, data + 16, 4);
  h.backend = static_cast<BackendKind>(backend);
  std::memcpy(&h.producerVersion, data + 20, 4);
  std::memcpy(&h.payloadSize, data + 24, 8);
  std::memcpy(&h.checksum, data + 32, 8);
  std::memcpy(&h.flags, data + 40, 4);
  std::memcpy(&h.minReaderVersion, data + 44, 4);
  if (h.formatVersion > kPlanFormatVersion || h.minReaderVersion > kPlanFormatVersion)
    fail(StatusCode::kPlanIncompatible, "plan format version ", h.formatVersion,
         " is newer than this tensorrt-node reads (", kPlanFormatVersion, "); rebuild the engine or upgrade");
  if (h.formatVersion == 0) fail(StatusCode::kPlanCorrupt, "plan format version 0 is invalid");
  if (h.headerSize < kPlanHeaderSize || h.headerSize > size)
    fail(StatusCode::kPlanCorrupt, "plan header size ", h.headerSize, " is invalid");
  if (h.payloadSize != size - h.headerSize)
    fail(StatusCode::kPlanCorrupt, "plan is truncated or padded: header says ", h.payloadSize, " payload bytes, found ",
         size - h.headerSize);
  if (fnv1a64(data + h.headerSize, h.payloadSize) != h.checksum)
    fail(StatusCode::kPlanCorrupt, "plan checksum mismatch: the file is damaged");
  if (backend > 2) fail(StatusCode::kPlanIncompatible, "plan was built for unknown backend ", backend);
  return h;
}

std::vector<uint8_t> planWithHeader(BackendKind backend, const std::vector<uint8_t>& payload) {
  ByteWriter out;
  out.bytes.reserve(kPlanHeaderSize + payload.size());
  out.raw(kPlanMagic, 8);
  out.pod<uint32_t>(kPlanFormatVersion);
  out.pod<uint32_t>(kPlanHeaderSize);
  out.pod<uint32_t>(static_cast<uint32_t>(backend));
  out.pod<uint32_t>(kProducerVersion);
  out.pod<uint64_t>(payload.size());
  out.pod<uint64_t>(fnv1a64(payload.data(), payload.size()));
  out.pod<uint32_t>(0);                   // flags
  out.pod<uint32_t>(kPlanFormatVersion);  // minReaderVersion
  out.bytes.resize(kPlanHeaderSize, 0);   // reserved
  out.raw(payload.data(), payload.size());
  return std::move(out.bytes);
}

uint32_t peekPlanBackend(const uint8_t* data, size_t size) {
  if (size < kPlanHeaderSize) readPlanHeader(data, size);  // throws PLAN_CORRUPT: too short to say
  uint32_t backend = 0;
  std::memcpy(&backend, data + 16, sizeof(backend));
  return backend;
}

std::vector<uint8_t> serializePlan(const EngineDesc& desc) {
  Writer payload;
  writePayload(payload, desc);
  return planWithHeader(desc.backend, payload.bytes);
}

EngineDesc deserializePlan(const uint8_t* data, size_t size) {
  PlanHeader h = readPlanHeader(data, size);
  // A wrapped TensorRT engine (native/tensorrt/common/TrtPlan.h) has a payload of its own.
  if (h.backend == BackendKind::kTensorRT)
    fail(StatusCode::kPlanIncompatible,
         "plan holds a TensorRT engine (tensorrt backend), which the built-in engine cannot run; deserialize it where the "
         "tensorrt backend is available");
  Reader r(data + h.headerSize, h.payloadSize);
  EngineDesc d = readPayload(r, h.formatVersion);
  if (d.backend != h.backend) Reader::corrupt("payload backend differs from the header");
  validate(d);
  return d;
}

}  // namespace trtn
