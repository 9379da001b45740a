#include "TrtNetworkTranslator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "../../engine/Inference.h"
#include "TrtEnums.h"
#include "TrtErrorRecorder.h"

namespace trtn::trt {

namespace {

// TensorRT reports failure by returning null; `call` names the call for the message.
template <typename T>
T* nonNull(T* p, const char* call) {
  if (!p) fail(StatusCode::kTensorRTError, call, " returned null");
  return p;
}

int32_t toInt32(int64_t v, const char* what) {
  if (v < INT32_MIN || v > INT32_MAX) fail(StatusCode::kInvalidArgument, what, " ", v, " does not fit TensorRT's int32");
  return static_cast<int32_t>(v);
}

// Axis masks (softmax, reduce, topk, normalization) are uint32_t bitmasks in TensorRT.
uint32_t toMask(int64_t v, const char* what) {
  if (v < 0 || v > UINT32_MAX) fail(StatusCode::kInvalidArgument, what, " ", v, " is not an axes bitmask");
  return static_cast<uint32_t>(v);
}

// A negative axis counted from the end, made non-negative for rank `rank` (TensorRT's axis setters
// take 0..rank-1); out-of-range values pass through for TensorRT to report.
int32_t axisFor(int64_t axis, size_t rank, const char* what) {
  int64_t r = static_cast<int64_t>(rank);
  return toInt32(axis < 0 && axis >= -r ? axis + r : axis, what);
}

// Weights of any numeric type converted to float type `to` (FLOAT, HALF, BF16).
Weights convertWeights(const Weights& w, DataType to) {
  Weights out = Weights::owned(to, w.count);
  for (int64_t i = 0; i < w.count; ++i) storeFromDouble(out.mutableData(), to, i, loadAsDouble(w.data.get(), w.type, i));
  return out;
}

// The `beta` attribute of FILL: one value or one per dimension (ops/Fill.cpp reads it the same way).
std::vector<double> fillBeta(const Node& n) {
  auto it = n.attrs.find("beta");
  if (it == n.attrs.end()) return {1.0};
  if (std::holds_alternative<int64_t>(it->second) || std::holds_alternative<double>(it->second))
    return {n.getFloat("beta", 1.0)};
  return n.getFloats("beta", {1.0});
}

bool isIntegral(double v) { return std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9.2e18; }

std::string layerLabel(const Node& n) { return concat("layer '", n.name, "' (", layerTypeName(n.type), ")"); }

// `d` with `v` appended (a 1-D window as 2-D: a trailing spatial dimension).
Dims appended(Dims d, int64_t v) {
  d.push_back(v);
  return d;
}

class Translator {
 public:
  Translator(const Graph& g, nvinfer1::INetworkDefinition& net, const TrtErrorRecorder& recorder, TranslatedNetwork& out)
      : g_(g), net_(net), recorder_(recorder), out_(out), tensors_(g.tensors.size(), nullptr) {}

  void run() {
    if (!g_.name.empty()) step(concat("network '", g_.name, "'"), [&] { net_.setName(g_.name.c_str()); });
    for (int32_t id : g_.inputs) step(concat("network input '", g_.tensors[id].name, "'"), [&] { addInput(id); });
    for (int32_t id : g_.topologicalOrder()) {
      const Node& n = g_.nodes[id];
      step(layerLabel(n), [&] { translateNode(n); });
    }
    // A recurrence's next value is computed inside the loop, after the recurrence: the back edge.
    for (const auto& [layer, node] : recurrences_) {
      const Node& n = g_.nodes[node];
      step(layerLabel(n), [&, layer = layer] {
        if (n.input(1) < 0) fail(StatusCode::kInvalidArgument, "the next value (input 1) is not set");
        layer->setInput(1, tensor(n.input(1)));
      });
    }
    for (int32_t id : g_.outputs) {
      const TensorDesc& d = g_.tensors[id];
      step(concat("network output '", d.name, "'"), [&] {
        nvinfer1::ITensor& t = tensor(id);
        // Plain markOutput even for shape tensors: the built-in engine's outputs are never shape I/O
        // (engine.isShapeInferenceIO is false for them), so a TensorRT engine must bind them the same way.
        net_.markOutput(t);
        if (!t.isNetworkOutput()) fail(StatusCode::kTensorRTError, "INetworkDefinition::markOutput refused the tensor");
        t.setAllowedFormats(static_cast<nvinfer1::TensorFormats>(d.allowedFormats));
      });
    }
  }

 private:
  const Graph& g_;
  nvinfer1::INetworkDefinition& net_;
  const TrtErrorRecorder& recorder_;
  TranslatedNetwork& out_;
  std::vector<nvinfer1::ITensor*> tensors_;               // by IR tensor id
  std::map<int64_t, nvinfer1::ILoop*> loops_;             // by the boundary layers' `loop` attribute
  std::vector<std::pair<nvinfer1::ILayer*, int32_t>> recurrences_;  // (layer, node): set input 1 last

  // Runs one translation step (a layer, an input, an output) under `where`: every failure names
  // it, and whatever TensorRT reported meanwhile (also from setters that return nothing) fails the
  // step with TensorRT's own description.
  template <typename F>
  void step(const std::string& where, F&& body) {
    const uint64_t mark = recorder_.mark();
    try {
      body();
    } catch (const EngineError& e) {
      const std::string what = where + ": " + e.message();
      if (recorder_.mark() == mark) throw EngineError(e.code(), what);
      const Status reported = recorder_.failure(mark, what);
      // Our own refusals keep their code; a failed TensorRT call takes the code TensorRT reported.
      throw EngineError(e.code() == StatusCode::kTensorRTError ? reported.code : e.code(), reported.message);
    }
    if (recorder_.mark() != mark) recorder_.fail(mark, where + ": TensorRT refused a setting");
  }

  nvinfer1::ITensor& tensor(int32_t id) {
    if (id < 0 || static_cast<size_t>(id) >= tensors_.size() || !tensors_[id])
      fail(StatusCode::kInternal, "tensor ", id,
           id >= 0 && static_cast<size_t>(id) < g_.tensors.size() ? concat(" '", g_.tensors[id].name, "'") : std::string(),
           " has not been translated yet");
    return *tensors_[id];
  }

  nvinfer1::ITensor& input(const Node& n, size_t i) {
    if (n.input(i) < 0) fail(StatusCode::kInvalidArgument, "input ", i, " is not set");
    return tensor(n.input(i));
  }

  nvinfer1::ITensor* optionalInput(const Node& n, size_t i) { return n.input(i) < 0 ? nullptr : &tensor(n.input(i)); }

  const TensorDesc& inputDesc(const Node& n, size_t i) {
    if (n.input(i) < 0) fail(StatusCode::kInvalidArgument, "input ", i, " is not set");
    return g_.tensors[n.input(i)];
  }
  size_t inputRank(const Node& n, size_t i) { return inputDesc(n, i).dims.size(); }

  void keep(const std::shared_ptr<const void>& data) {
    if (data) out_.keepAlive.push_back(data);
  }

  // A weights attribute for a layer computing in float type `as`: converted to `as` when stored
  // otherwise (strongly typed networks take parameters of the layer's type; the built-in engine
  // also takes FLOAT weights for HALF/BF16 layers and integer SCALE weights), else as stored.
  nvinfer1::Weights weightsAttr(const Node& n, const char* key, DataType as) {
    const Weights* w = n.getWeights(key);
    if (!w) return emptyTrtWeights(isFloatType(as) ? as : DataType::kFLOAT);
    Weights use = w->type != as && isFloatType(as) && !isPackedType(w->type) ? convertWeights(*w, as) : *w;
    keep(use.data);
    return toTrtWeights(use);
  }

  // A constant tensor the translation adds (not a node of the graph), named after `n`.
  nvinfer1::ITensor& constant(const Node& n, const char* role, DataType type, const Dims& shape, const std::vector<double>& values) {
    Weights w = Weights::owned(type, static_cast<int64_t>(values.size()));
    for (size_t i = 0; i < values.size(); ++i) {
      if (isFloatType(type)) storeFromDouble(w.mutableData(), type, static_cast<int64_t>(i), values[i]);
      else storeFromInt64(w.mutableData(), type, static_cast<int64_t>(i), static_cast<int64_t>(values[i]));
    }
    keep(w.data);
    nvinfer1::IConstantLayer* c =
        nonNull(net_.addConstant(toTrtDims(shape, std::string(role) + " shape"), toTrtWeights(w)), "INetworkDefinition::addConstant");
    std::string name = n.name + " [" + role + "]";
    c->setName(name.c_str());
    nvinfer1::ITensor* t = nonNull(c->getOutput(0), "IConstantLayer::getOutput(0)");
    t->setName((name + "_output").c_str());
    return *t;
  }

  // The output of a layer the translation adds, named after `n` and `role`.
  nvinfer1::ITensor& helperOutput(const Node& n, nvinfer1::ILayer* layer, const std::string& role) {
    std::string name = n.name + " [" + role + "]";
    layer->setName(name.c_str());
    nvinfer1::ITensor* t = nonNull(layer->getOutput(0), "ILayer::getOutput(0)");
    t->setName((name + "_output").c_str());
    return *t;
  }

  // `t` reshaped to `dims` (0 copies the input's dimension).
  nvinfer1::ITensor& reshaped(const Node& n, nvinfer1::ITensor& t, const Dims& dims, const std::string& role) {
    auto* l = nonNull(net_.addShuffle(t), "INetworkDefinition::addShuffle");
    l->setReshapeDimensions(toTrtDims(dims, role + " dimensions"));
    return helperOutput(n, l, role);
  }

  // `t` of type `from` as type `to` (itself when they agree).
  nvinfer1::ITensor& castTo(const Node& n, nvinfer1::ITensor& t, DataType from, DataType to, const std::string& role) {
    if (from == to) return t;
    return helperOutput(n, nonNull(net_.addCast(t, toTrt(to)), "INetworkDefinition::addCast"), role);
  }

  // Input `i`, a one-value INT32/INT64 tensor (0-D or [1]), as the 0-D tensor of type `type`
  // TensorRT takes for such operands.
  nvinfer1::ITensor& scalarInput(const Node& n, size_t i, DataType type, const char* role) {
    const TensorDesc& d = inputDesc(n, i);
    nvinfer1::ITensor* t = &input(n, i);
    if (!d.dims.empty()) {
      if (d.dims.size() != 1 || d.dims[0] > 1)
        fail(StatusCode::kInvalidArgument, role, " (input ", i, ") must hold one value, got dimensions ", dimsToString(d.dims));
      t = &reshaped(n, *t, {}, std::string(role) + " as 0-D");
    }
    return castTo(n, *t, d.type, type, std::string(role) + " as " + dataTypeName(type));
  }

  nvinfer1::ILoop& loopOf(const Node& n) {
    int64_t id = n.getInt("loop", -1);
    auto it = loops_.find(id);
    if (it != loops_.end()) return *it->second;
    nvinfer1::ILoop* loop = nonNull(net_.addLoop(), "INetworkDefinition::addLoop");
    std::string name = n.getString("loopName");
    if (!name.empty()) loop->setName(name.c_str());
    loops_[id] = loop;
    return *loop;
  }

  void addInput(int32_t id) {
    const TensorDesc& d = g_.tensors[id];
    nvinfer1::ITensor* t = net_.addInput(d.name.c_str(), toTrt(d.type), toTrtDims(d.dims, "dimensions of input '" + d.name + "'"));
    if (!t) fail(StatusCode::kTensorRTError, "INetworkDefinition::addInput returned null for input '", d.name, "'");
    for (size_t i = 0; i < d.dimNames.size(); ++i)
      if (!d.dimNames[i].empty()) t->setDimensionName(static_cast<int32_t>(i), d.dimNames[i].c_str());
    t->setAllowedFormats(static_cast<nvinfer1::TensorFormats>(d.allowedFormats));
    tensors_[id] = t;
  }

  // Graphs the builder's passes rewrote carry forms TensorRT has no layer for.
  static void refuseRewritten(const Node& n) {
    if (n.getInt("fusedActivation", -1) != -1 || n.has("fusedResidual") || n.has("constantB") ||
        (n.type == LayerType::kMATRIX_MULTIPLY && n.input(2) >= 0))
      fail(StatusCode::kInternal,
           "the layer carries a form fused by the builder's passes; translate the network before the builder's passes");
  }

  void translateNode(const Node& n) {
    refuseRewritten(n);
    nvinfer1::ILayer* layer = addLayer(n);
    layer->setName(n.name.c_str());
    if (!n.metadata.empty()) layer->setMetadata(n.metadata.c_str());
    if (static_cast<size_t>(layer->getNbOutputs()) < n.outputs.size())
      fail(StatusCode::kTensorRTError, "the TensorRT layer has ", layer->getNbOutputs(), " outputs, the network's ", n.outputs.size());
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      nvinfer1::ITensor* t = nonNull(layer->getOutput(static_cast<int32_t>(i)), "ILayer::getOutput");
      t->setName(g_.tensors[n.outputs[i]].name.c_str());
      tensors_[n.outputs[i]] = t;
    }
  }

  nvinfer1::ILayer* addLayer(const Node& n) {
    switch (n.type) {
      case LayerType::kCONVOLUTION: return convolution(n);
      case LayerType::kDECONVOLUTION: return deconvolution(n);
      case LayerType::kPOOLING: return pooling(n);
      case LayerType::kACTIVATION: return activation(n);
      case LayerType::kLRN:
        return nonNull(net_.addLRN(input(n, 0), n.getInt("windowSize", 1), static_cast<float>(n.getFloat("alpha", 0)),
                                   static_cast<float>(n.getFloat("beta", 0)), static_cast<float>(n.getFloat("k", 0))),
                       "INetworkDefinition::addLRN");
      case LayerType::kSCALE: return scale(n);
      case LayerType::kSOFTMAX: {
        auto* l = nonNull(net_.addSoftMax(input(n, 0)), "INetworkDefinition::addSoftMax");
        if (n.has("axes")) l->setAxes(toMask(n.getInt("axes", 1), "axes"));
        return l;
      }
      case LayerType::kCONCATENATION: return concatenation(n);
      case LayerType::kELEMENTWISE:
        return nonNull(net_.addElementWise(input(n, 0), input(n, 1),
                                           toTrt(irEnum<ir::ElementWiseOperation>(n.getInt("op", 0)))),
                       "INetworkDefinition::addElementWise");
      case LayerType::kUNARY:
        return nonNull(net_.addUnary(input(n, 0), toTrt(irEnum<ir::UnaryOperation>(n.getInt("op", 0)))),
                       "INetworkDefinition::addUnary");
      case LayerType::kPADDING: return padding(n);
      case LayerType::kSHUFFLE: return shuffle(n);
      case LayerType::kREDUCE: return reduce(n);
      case LayerType::kTOPK: return topK(n);
      case LayerType::kGATHER: return gather(n);
      case LayerType::kMATRIX_MULTIPLY:
        return nonNull(net_.addMatrixMultiply(input(n, 0), toTrt(irEnum<ir::MatrixOperation>(n.getInt("op0", 0))),
                                              input(n, 1), toTrt(irEnum<ir::MatrixOperation>(n.getInt("op1", 0)))),
                       "INetworkDefinition::addMatrixMultiply");
      case LayerType::kCONSTANT: return constantLayer(n);
      case LayerType::kIDENTITY: return nonNull(net_.addIdentity(input(n, 0)), "INetworkDefinition::addIdentity");
      case LayerType::kCAST: return cast(n);
      case LayerType::kSLICE: return slice(n);
      case LayerType::kSHAPE: return nonNull(net_.addShape(input(n, 0)), "INetworkDefinition::addShape");
      case LayerType::kPARAMETRIC_RELU:
        return nonNull(net_.addParametricReLU(input(n, 0), input(n, 1)), "INetworkDefinition::addParametricReLU");
      case LayerType::kRESIZE: return resize(n);
      case LayerType::kSELECT:
        return nonNull(net_.addSelect(input(n, 0), input(n, 1), input(n, 2)), "INetworkDefinition::addSelect");
      case LayerType::kFILL: return fill(n);
      case LayerType::kQUANTIZE: return quantize(n, /*dequantize=*/false);
      case LayerType::kDEQUANTIZE: return quantize(n, /*dequantize=*/true);
      case LayerType::kSCATTER: return scatter(n);
      case LayerType::kONE_HOT: {
        auto* l = nonNull(net_.addOneHot(input(n, 0), input(n, 1), input(n, 2),
                                         axisFor(n.getInt("axis", -1), inputRank(n, 0) + 1, "axis")),
                          "INetworkDefinition::addOneHot");
        return l;
      }
      case LayerType::kNON_ZERO:
        return nonNull(net_.addNonZero(input(n, 0), toTrt(static_cast<DataType>(n.getInt("indicesType", static_cast<int64_t>(DataType::kINT64))))),
                       "INetworkDefinition::addNonZero");
      case LayerType::kNMS: return nms(n);
      case LayerType::kREVERSE_SEQUENCE: {
        auto* l = nonNull(net_.addReverseSequence(input(n, 0), input(n, 1)), "INetworkDefinition::addReverseSequence");
        size_t rank = inputRank(n, 0);
        l->setBatchAxis(axisFor(n.getInt("batchAxis", 1), rank, "batchAxis"));
        l->setSequenceAxis(axisFor(n.getInt("sequenceAxis", 0), rank, "sequenceAxis"));
        return l;
      }
      case LayerType::kNORMALIZATION: {
        // Strongly typed: scale and bias of the input's type (the built-in engine takes any float type).
        const DataType type = inputDesc(n, 0).type;
        nvinfer1::ITensor& scale = castTo(n, input(n, 1), inputDesc(n, 1).type, type, "scale as input type");
        nvinfer1::ITensor& bias = castTo(n, input(n, 2), inputDesc(n, 2).type, type, "bias as input type");
        auto* l = nonNull(net_.addNormalizationV2(input(n, 0), scale, bias, toMask(n.getInt("axes", 0), "axes")),
                          "INetworkDefinition::addNormalizationV2");
        l->setEpsilon(static_cast<float>(n.getFloat("epsilon", 1e-5)));
        l->setNbGroups(n.getInt("numGroups", 1));
        return l;
      }
      case LayerType::kCUMULATIVE: return cumulative(n);
      case LayerType::kGRID_SAMPLE: return gridSample(n);
      case LayerType::kTRIP_LIMIT:
        return nonNull(loopOf(n).addTripLimit(input(n, 0), toTrt(irEnum<ir::TripLimit>(n.getInt("kind", 0)))),
                       "ILoop::addTripLimit");
      case LayerType::kRECURRENCE: {
        auto* l = nonNull(loopOf(n).addRecurrence(input(n, 0)), "ILoop::addRecurrence");
        recurrences_.emplace_back(l, static_cast<int32_t>(&n - g_.nodes.data()));
        return l;
      }
      case LayerType::kITERATOR:
        return nonNull(loopOf(n).addIterator(input(n, 0), axisFor(n.getInt("axis", 0), inputRank(n, 0), "axis"),
                                             n.getInt("reverse", 0) != 0),
                       "ILoop::addIterator");
      case LayerType::kLOOP_OUTPUT: return loopOutput(n);
      case LayerType::kLOOP:
        toTrt(n.type);  // refuses the builder's internal LOOP node
        break;
      default: break;
    }
    fail(StatusCode::kUnsupported, "the tensorrt backend does not translate ", layerTypeName(n.type), " layers");
  }

  // Stride, padding and padding mode, shared by convolution, deconvolution and pooling (defaults
  // as ops/WindowGeometry.cpp reads them: stride 1, padding 0, paddingNd for both sides). `as2d`:
  // a 1-D window run as 2-D, with stride 1 and padding 0 in the added dimension.
  template <typename L>
  void setWindow(L& l, const Node& n, size_t spatial, bool as2d) {
    const Dims ones(spatial, 1), zeros(spatial, 0);
    auto attr = [&](const char* key, const Dims& fallback, int64_t added) {
      Dims d = n.getInts(key, fallback);
      return toTrtDims(as2d ? appended(d, added) : d, key);
    };
    l.setStrideNd(attr("strideNd", ones, 1));
    const Dims symmetric = n.getInts("paddingNd", zeros);
    l.setPrePadding(attr("prePadding", symmetric, 0));
    l.setPostPadding(attr("postPadding", symmetric, 0));
    l.setPaddingMode(toTrt(irEnum<ir::PaddingMode>(n.getInt("paddingMode", 0))));
  }

  // TensorRT convolves, deconvolves and pools 2-D and 3-D windows only ("Only 2D or 3D ... is
  // supported"); the built-in engine also 1-D ones, which run as 2-D on the input with a trailing
  // dimension of 1 added and dropped again afterwards.
  static bool windowAs2d(size_t spatial) {
    if (spatial == 1) return true;
    if (spatial == 2 || spatial == 3) return false;
    fail(StatusCode::kInvalidArgument, "a window of ", spatial, " spatial dimensions (1, 2 or 3 are supported)");
  }

  // The window layer's input, with the trailing dimension of a 1-D window run as 2-D.
  nvinfer1::ITensor& windowInput(const Node& n, bool as2d) {
    nvinfer1::ITensor& in = input(n, 0);
    if (!as2d) return in;
    return reshaped(n, in, appended(Dims(inputRank(n, 0), 0), 1), "input as 2-D");
  }

  // The window layer as the node's layer: itself, or for a 1-D window run as 2-D a Shuffle that
  // drops the added dimension again (the window layer is then named "<layer> [as 2-D]").
  nvinfer1::ILayer* windowResult(const Node& n, nvinfer1::ILayer* core, bool as2d) {
    if (!as2d) return core;
    nvinfer1::ITensor& out = helperOutput(n, core, "as 2-D");
    auto* back = nonNull(net_.addShuffle(out), "INetworkDefinition::addShuffle");
    back->setReshapeDimensions(toTrtDims(Dims(inputRank(n, 0), 0), "1-D window output dimensions"));
    return back;
  }

  // Kernel and bias as weights, or as tensors set with setInput(1/2) (empty weights then), of the
  // input's type (strongly typed; the built-in engine also takes FLOAT ones for HALF/BF16 input).
  template <typename L>
  void setConvolutionCommon(L& l, const Node& n, size_t spatial, bool as2d) {
    setWindow(l, n, spatial, as2d);
    const Dims dilation = n.getInts("dilationNd", Dims(spatial, 1));
    l.setDilationNd(toTrtDims(as2d ? appended(dilation, 1) : dilation, "dilationNd"));
    l.setNbGroups(n.getInt("numGroups", 1));
    const DataType type = inputDesc(n, 0).type;
    if (n.input(1) >= 0) {
      nvinfer1::ITensor* kernel = &castTo(n, input(n, 1), inputDesc(n, 1).type, type, "kernel as input type");
      if (as2d) kernel = &reshaped(n, *kernel, appended(Dims(inputRank(n, 1), 0), 1), "kernel as 2-D");
      l.setInput(1, *kernel);
    }
    if (n.input(2) >= 0) l.setInput(2, castTo(n, input(n, 2), inputDesc(n, 2).type, type, "bias as input type"));
  }

  nvinfer1::ILayer* convolution(const Node& n) {
    const Dims kernel = n.getInts("kernelSizeNd");
    const bool as2d = windowAs2d(kernel.size());
    const DataType type = inputDesc(n, 0).type;
    // Weights keep their layout: [K, C/G, k] and [K, C/G, k, 1] are the same bytes.
    auto* l = nonNull(net_.addConvolutionNd(windowInput(n, as2d), n.getInt("numOutputMaps", 0),
                                            toTrtDims(as2d ? appended(kernel, 1) : kernel, "kernelSizeNd"),
                                            weightsAttr(n, "kernel", type), weightsAttr(n, "bias", type)),
                      "INetworkDefinition::addConvolutionNd");
    setConvolutionCommon(*l, n, kernel.size(), as2d);
    return windowResult(n, l, as2d);
  }

  nvinfer1::ILayer* deconvolution(const Node& n) {
    const Dims kernel = n.getInts("kernelSizeNd");
    const bool as2d = windowAs2d(kernel.size());
    const DataType type = inputDesc(n, 0).type;
    auto* l = nonNull(net_.addDeconvolutionNd(windowInput(n, as2d), n.getInt("numOutputMaps", 0),
                                              toTrtDims(as2d ? appended(kernel, 1) : kernel, "kernelSizeNd"),
                                              weightsAttr(n, "kernel", type), weightsAttr(n, "bias", type)),
                      "INetworkDefinition::addDeconvolutionNd");
    setConvolutionCommon(*l, n, kernel.size(), as2d);
    return windowResult(n, l, as2d);
  }

  nvinfer1::ILayer* pooling(const Node& n) {
    const Dims window = n.getInts("windowSizeNd");
    const bool as2d = windowAs2d(window.size());
    auto* l = nonNull(net_.addPoolingNd(windowInput(n, as2d), toTrt(irEnum<ir::PoolingType>(n.getInt("type", 0))),
                                        toTrtDims(as2d ? appended(window, 1) : window, "windowSizeNd")),
                      "INetworkDefinition::addPoolingNd");
    setWindow(*l, n, window.size(), as2d);
    l->setBlendFactor(static_cast<float>(n.getFloat("blendFactor", 0)));
    l->setAverageCountExcludesPadding(n.getInt("averageCountExcludesPadding", 1) != 0);
    return windowResult(n, l, as2d);
  }

  // Zero padding of the innermost dims (negative values crop). TensorRT's IPaddingLayer pads
  // exactly 2 dims ("Only 2D padding is currently supported"); other counts go through an
  // ISliceLayer in FILL mode (fill value 0) that starts `pre` before each padded dimension.
  nvinfer1::ILayer* padding(const Node& n) {
    const Dims pre = n.getInts("prePaddingNd");
    const Dims post = n.getInts("postPaddingNd");
    const Dims& in = inputDesc(n, 0).dims;
    if (pre.size() == 2 && post.size() == 2 && in.size() >= 4)
      return nonNull(net_.addPaddingNd(input(n, 0), toTrtDims(pre, "prePaddingNd"), toTrtDims(post, "postPaddingNd")),
                     "INetworkDefinition::addPaddingNd");
    if (pre.size() != post.size() || pre.size() > in.size())
      fail(StatusCode::kInvalidArgument, "prePaddingNd ", dimsToString(pre), " and postPaddingNd ", dimsToString(post),
           " do not fit the input ", dimsToString(in));
    const size_t first = in.size() - pre.size();
    Dims start(in.size(), 0), grow(in.size(), 0);
    for (size_t k = 0; k < pre.size(); ++k) {
      start[first + k] = -pre[k];
      grow[first + k] = pre[k] + post[k];
    }
    const Dims& outDims = g_.tensors[n.outputs.at(0)].dims;
    const bool known = isFullyKnown(outDims);
    auto* l = nonNull(net_.addSlice(input(n, 0), toTrtDims(start, "padding start"),
                                    toTrtDims(known ? outDims : Dims(in.size(), 0), "padded size"),
                                    toTrtDims(Dims(in.size(), 1), "padding stride")),
                      "INetworkDefinition::addSlice");
    l->setMode(nvinfer1::SampleMode::kFILL);
    if (!known) {
      // The padded size at run time: the input's shape plus pre + post.
      nvinfer1::ITensor& shape = helperOutput(n, nonNull(net_.addShape(input(n, 0)), "INetworkDefinition::addShape"), "input shape");
      std::vector<double> growValues(grow.begin(), grow.end());
      nvinfer1::ITensor& growth = constant(n, "padding", DataType::kINT64, {static_cast<int64_t>(in.size())}, growValues);
      nvinfer1::ITensor& size = helperOutput(
          n, nonNull(net_.addElementWise(shape, growth, nvinfer1::ElementWiseOperation::kSUM), "INetworkDefinition::addElementWise"),
          "padded size");
      l->setInput(2, size);
    }
    return l;
  }

  nvinfer1::ILayer* activation(const Node& n) {
    auto* l = nonNull(net_.addActivation(input(n, 0), toTrt(irEnum<ir::ActivationType>(n.getInt("type", 0)))),
                      "INetworkDefinition::addActivation");
    // Always set: the IR's defaults (0) are what the built-in engine computes with, whatever
    // TensorRT's per-activation defaults are.
    l->setAlpha(static_cast<float>(n.getFloat("alpha", 0)));
    l->setBeta(static_cast<float>(n.getFloat("beta", 0)));
    return l;
  }

  nvinfer1::ILayer* scale(const Node& n) {
    const DataType type = inputDesc(n, 0).type;
    return nonNull(net_.addScaleNd(input(n, 0), toTrt(irEnum<ir::ScaleMode>(n.getInt("mode", 0))),
                                   weightsAttr(n, "shift", type), weightsAttr(n, "scale", type),
                                   weightsAttr(n, "power", type), toInt32(n.getInt("channelAxis", 1), "channelAxis")),
                   "INetworkDefinition::addScaleNd");
  }

  nvinfer1::ILayer* concatenation(const Node& n) {
    std::vector<nvinfer1::ITensor*> inputs;
    for (size_t i = 0; i < n.inputs.size(); ++i) inputs.push_back(&input(n, i));
    auto* l = nonNull(net_.addConcatenation(inputs.data(), static_cast<int32_t>(inputs.size())),
                      "INetworkDefinition::addConcatenation");
    if (n.has("axis")) l->setAxis(axisFor(n.getInt("axis", 0), inputRank(n, 0), "axis"));
    return l;
  }

  static nvinfer1::Permutation permutation(const std::vector<int64_t>& order, const char* what) {
    if (order.size() > static_cast<size_t>(nvinfer1::Dims::MAX_DIMS))
      fail(StatusCode::kInvalidArgument, what, " ", dimsToString(order), " has more than ", nvinfer1::Dims::MAX_DIMS, " entries");
    nvinfer1::Permutation p{};
    for (int32_t i = 0; i < nvinfer1::Dims::MAX_DIMS; ++i) p.order[i] = i;  // identity past the given entries
    for (size_t i = 0; i < order.size(); ++i) p.order[i] = toInt32(order[i], what);
    return p;
  }

  nvinfer1::ILayer* shuffle(const Node& n) {
    auto* l = nonNull(net_.addShuffle(input(n, 0)), "INetworkDefinition::addShuffle");
    l->setFirstTranspose(permutation(n.getInts("firstTranspose"), "firstTranspose"));
    if (nvinfer1::ITensor* shape = optionalInput(n, 1)) l->setInput(1, *shape);
    else if (n.has("reshapeDims")) l->setReshapeDimensions(toTrtDims(n.getInts("reshapeDims"), "reshapeDims"));
    l->setSecondTranspose(permutation(n.getInts("secondTranspose"), "secondTranspose"));
    l->setZeroIsPlaceholder(n.getInt("zeroIsPlaceholder", 1) != 0);
    return l;
  }

  nvinfer1::ILayer* reduce(const Node& n) {
    if (n.input(1) >= 0)
      fail(StatusCode::kUnsupported, "axes from a tensor (input 1) are an extension of the built-in engine; TensorRT's "
                                     "IReduceLayer takes a build-time axes mask only");
    return nonNull(net_.addReduce(input(n, 0), toTrt(irEnum<ir::ReduceOperation>(n.getInt("op", 0))),
                                  toMask(n.getInt("axes", 0), "axes"), n.getInt("keepDims", 0) != 0),
                   "INetworkDefinition::addReduce");
  }

  nvinfer1::ILayer* topK(const Node& n) {
    // Without `axes` the built-in engine reduces over the last axis (ops/TopK.cpp).
    const size_t rank = inputRank(n, 0);
    const int64_t axes = n.has("axes") ? n.getInt("axes", 0) : int64_t{1} << (rank > 0 ? rank - 1 : 0);
    auto* l = nonNull(net_.addTopK(input(n, 0), toTrt(irEnum<ir::TopKOperation>(n.getInt("op", 0))),
                                   toInt32(n.getInt("k", 1), "k"), toMask(axes, "axes"),
                                   toTrt(static_cast<DataType>(n.getInt("indicesType", static_cast<int64_t>(DataType::kINT32))))),
                      "INetworkDefinition::addTopK");
    // TensorRT takes K as a 0-D INT32 tensor; the built-in engine also as INT64 and as [1].
    if (n.input(1) >= 0) l->setInput(1, scalarInput(n, 1, DataType::kINT32, "K"));
    return l;
  }

  // Indices with negative values wrapped once (i + dim, as ops/Gather.cpp does) in the network:
  // TensorRT wraps them itself only along dimensions of known length ("If an axis of Data has
  // dynamic length, using a negative index for it has undefined behavior").
  nvinfer1::ITensor& wrappedIndices(const Node& n, int32_t axis) {
    const TensorDesc& idx = inputDesc(n, 1);
    nvinfer1::ITensor& indices = input(n, 1);
    const Dims ones(idx.dims.size(), 1);
    nvinfer1::ITensor& shape = helperOutput(n, nonNull(net_.addShape(input(n, 0)), "INetworkDefinition::addShape"), "data shape");
    nvinfer1::ITensor& axisIndex = constant(n, "gather axis", DataType::kINT64, {}, {static_cast<double>(axis)});
    nvinfer1::ITensor& dim0d = helperOutput(n, nonNull(net_.addGather(shape, axisIndex, 0), "INetworkDefinition::addGather"),
                                            "axis length");
    nvinfer1::ITensor& dim = castTo(n, reshaped(n, dim0d, ones, "axis length, broadcast"), DataType::kINT64, idx.type,
                                    "axis length as index type");
    nvinfer1::ITensor& zero = constant(n, "zero index", idx.type, ones, {0.0});
    nvinfer1::ITensor& negative = helperOutput(
        n, nonNull(net_.addElementWise(indices, zero, nvinfer1::ElementWiseOperation::kLESS), "INetworkDefinition::addElementWise"),
        "negative indices");
    nvinfer1::ITensor& shifted = helperOutput(
        n, nonNull(net_.addElementWise(indices, dim, nvinfer1::ElementWiseOperation::kSUM), "INetworkDefinition::addElementWise"),
        "indices + axis length");
    return helperOutput(n, nonNull(net_.addSelect(negative, shifted, indices), "INetworkDefinition::addSelect"), "wrapped indices");
  }

  nvinfer1::ILayer* gather(const Node& n) {
    const auto mode = irEnum<ir::GatherMode>(n.getInt("mode", 0));
    const Dims& data = inputDesc(n, 0).dims;
    nvinfer1::ITensor* indices = &input(n, 1);
    if (mode != ir::GatherMode::kND) {
      const int32_t axis = axisFor(n.getInt("axis", 0), data.size(), "axis");
      if (axis >= 0 && static_cast<size_t>(axis) < data.size() && data[static_cast<size_t>(axis)] < 0)
        indices = &wrappedIndices(n, axis);
    }
    // ND mode on dimensions of dynamic length: negative indices are undefined in TensorRT
    // (docs/layers.md lists it as a known difference).
    auto* l = nonNull(net_.addGatherV2(input(n, 0), *indices, toTrt(mode)), "INetworkDefinition::addGatherV2");
    // TensorRT documents the gather axis as undefined behaviour in ND mode.
    if (mode != ir::GatherMode::kND) l->setGatherAxis(axisFor(n.getInt("axis", 0), inputRank(n, 0), "axis"));
    l->setNbElementWiseDims(toInt32(n.getInt("numElementWiseDims", 0), "numElementWiseDims"));
    return l;
  }

  nvinfer1::ILayer* constantLayer(const Node& n) {
    const Weights* w = n.getWeights("weights");
    const DataType type = w ? w->type : static_cast<DataType>(n.getInt("weightsType", 0));
    const Dims shape = n.getInts("shape");
    // IConstantLayer takes neither BOOL nor UINT8 weights (NvInfer.h), so those values go through
    // a constant of a type that holds them exactly and a cast: BOOL from INT32 (UINT8 may only be
    // cast from FLOAT or HALF, per DataType::kUINT8).
    if (type == DataType::kBOOL || type == DataType::kUINT8) {
      std::vector<double> values(static_cast<size_t>(w ? w->count : 0));
      const auto* bytes = w ? w->as<uint8_t>() : nullptr;
      for (size_t i = 0; i < values.size(); ++i)
        values[i] = type == DataType::kBOOL ? (bytes[i] != 0 ? 1 : 0) : bytes[i];
      nvinfer1::ITensor& carrier =
          constant(n, "values", type == DataType::kBOOL ? DataType::kINT32 : DataType::kFLOAT, shape, values);
      return nonNull(net_.addCast(carrier, toTrt(type)), "INetworkDefinition::addCast");
    }
    nvinfer1::Weights tw = emptyTrtWeights(type);
    if (w) {
      keep(w->data);
      tw = toTrtWeights(*w);
    }
    return nonNull(net_.addConstant(toTrtDims(shape, "shape"), tw), "INetworkDefinition::addConstant");
  }

  nvinfer1::ILayer* cast(const Node& n) {
    const DataType from = inputDesc(n, 0).type;
    const auto to = static_cast<DataType>(n.getInt("toType", 0));
    if (isPackedType(from) || isPackedType(to))
      fail(StatusCode::kUnsupported, "a cast from ", dataTypeName(from), " to ", dataTypeName(to),
           ": casts to and from INT4 and FP4 are an extension of the built-in engine (TensorRT's ICastLayer has "
           "neither; use IQuantizeLayer / IDequantizeLayer)");
    // NvInfer.h, DataType::kUINT8: "kUINT8 conversions are only supported for {kFLOAT, kHALF}".
    auto uint8Pair = [](DataType a, DataType b) {
      return a == DataType::kUINT8 && b != DataType::kUINT8 && b != DataType::kFLOAT && b != DataType::kHALF;
    };
    if (uint8Pair(from, to) || uint8Pair(to, from))
      fail(StatusCode::kUnsupported, "a cast from ", dataTypeName(from), " to ", dataTypeName(to),
           ": TensorRT converts UINT8 only to and from FLOAT and HALF");
    return nonNull(net_.addCast(input(n, 0), toTrt(to)), "INetworkDefinition::addCast");
  }

  nvinfer1::ILayer* slice(const Node& n) {
    // The number of sliced axes: the `axes` attribute's length, else the input rank (inputs 1..3
    // and 5 override what they carry when set, ops/Slice.cpp).
    size_t count = n.has("axes") ? n.getInts("axes").size() : inputRank(n, 0);
    Dims start = n.getInts("start");
    Dims size = n.getInts("shape");
    Dims stride = n.getInts("stride");
    if (!n.has("axes") && n.input(5) >= 0) {
      const Dims& axes = inputDesc(n, 5).dims;
      if (axes.size() == 1 && axes[0] >= 0) {
        count = static_cast<size_t>(axes[0]);
      } else if (!start.empty() || !size.empty() || !stride.empty()) {
        count = !start.empty() ? start.size() : !size.empty() ? size.size() : stride.size();
      } else if (n.input(1) < 0 || n.input(3) < 0) {
        // Default start/stride must have one entry per sliced axis, which is not known here.
        fail(StatusCode::kUnsupported, "axes from input 5 '", inputDesc(n, 5).name, "' of unknown length ",
             dimsToString(axes), " with a default ", n.input(1) < 0 ? "start" : "stride",
             ": TensorRT needs start and stride of one entry per sliced axis; give them as inputs 1 and 3 or as "
             "attributes, or give the axes as an attribute");
      }
    }
    if (start.empty()) start.assign(count, 0);
    if (stride.empty()) stride.assign(count, 1);
    if (size.empty()) size.assign(count, 0);  // only when input 2 supplies the size
    auto* l = nonNull(net_.addSlice(input(n, 0), toTrtDims(start, "start"), toTrtDims(size, "size"),
                                    toTrtDims(stride, "stride")),
                      "INetworkDefinition::addSlice");
    l->setMode(toTrt(irEnum<ir::SampleMode>(n.getInt("mode", 0))));
    if (n.has("axes")) l->setAxes(toTrtDims(n.getInts("axes"), "axes"));
    for (int32_t i = 1; i <= 5; ++i)
      if (nvinfer1::ITensor* t = optionalInput(n, static_cast<size_t>(i))) l->setInput(i, *t);
    return l;
  }

  nvinfer1::ILayer* resize(const Node& n) {
    if (n.input(2) >= 0)
      fail(StatusCode::kUnsupported, "scales read at run time (input 2) are an extension of the built-in engine; "
                                     "TensorRT's IResizeLayer takes output dimensions (input 1) or build-time scales");
    auto* l = nonNull(net_.addResize(input(n, 0)), "INetworkDefinition::addResize");
    // The order ops/Resize.cpp gives them: input 1, then `shape`, then `scales`.
    if (nvinfer1::ITensor* shape = optionalInput(n, 1)) {
      l->setInput(1, *shape);
    } else if (n.has("shape")) {
      l->setOutputDimensions(toTrtDims(n.getInts("shape"), "shape"));
    } else if (n.has("scales")) {
      const std::vector<double> scales = n.getFloats("scales");
      auto floats = std::make_shared<std::vector<float>>(scales.begin(), scales.end());
      out_.keepAlive.push_back(floats);
      l->setScales(floats->data(), static_cast<int32_t>(floats->size()));
    }
    l->setResizeMode(toTrt(irEnum<ir::InterpolationMode>(n.getInt("resizeMode", 0))));
    l->setCoordinateTransformation(toTrt(irEnum<ir::ResizeCoordinateTransformation>(n.getInt("coordinateTransformation", 1))));
    l->setSelectorForSinglePixel(toTrt(irEnum<ir::ResizeSelector>(n.getInt("selectorForSinglePixel", 0))));
    l->setNearestRounding(toTrt(irEnum<ir::ResizeRoundMode>(n.getInt("nearestRounding", 2))));
    l->setCubicCoeff(static_cast<float>(n.getFloat("cubicCoeff", -0.75)));
    l->setExcludeOutside(n.getInt("excludeOutside", 0) != 0);
    return l;
  }

  nvinfer1::ILayer* fill(const Node& n) {
    const auto op = irEnum<ir::FillOperation>(n.getInt("operation", 0));
    const auto to = static_cast<DataType>(n.getInt("toType", 0));
    if (op != ir::FillOperation::kLINSPACE && n.getInt("seed", 0) != 0)
      fail(StatusCode::kUnsupported, "a random fill with a seed is an extension of the built-in engine; TensorRT's "
                                     "random fill is unseeded");
    const Dims shape = n.getInts("shape");
    auto* l = nonNull(net_.addFill(toTrtDims(shape, "shape"), toTrt(op), toTrt(to)), "INetworkDefinition::addFill");
    if (nvinfer1::ITensor* dims = optionalInput(n, 0)) l->setInput(0, *dims);

    const bool linspace = op == ir::FillOperation::kLINSPACE;
    const size_t rank = g_.tensors[n.outputs.at(0)].dims.size();
    const double alpha = n.getFloat("alpha", 0);
    const std::vector<double> beta = fillBeta(n);
    const bool alphaIn = n.input(1) >= 0, betaIn = n.input(2) >= 0;
    const bool integerOut = to == DataType::kINT32 || to == DataType::kINT64;
    if (integerOut) {
      // The built-in engine computes alpha + sum beta_d * i_d in double and truncates the result
      // only; TensorRT computes in the output's integer type, so non-integral parameters cannot be
      // carried over (truncating each on its own gives other values).
      const bool staticIntegral = (alphaIn || isIntegral(alpha)) &&
                                  (betaIn || std::all_of(beta.begin(), beta.end(), [](double b) { return isIntegral(b); }));
      if (!staticIntegral)
        fail(StatusCode::kUnsupported, "a LINSPACE fill to ", dataTypeName(to), " with a non-integral alpha or beta: "
             "the built-in engine truncates alpha + sum(beta_d * i_d) as a whole, TensorRT computes in ", dataTypeName(to));
      for (size_t i = 1; i <= 2; ++i)
        if (n.input(i) >= 0 && isFloatType(inputDesc(n, i).type))
          fail(StatusCode::kUnsupported, "a LINSPACE fill to ", dataTypeName(to), " with a ", dataTypeName(inputDesc(n, i).type),
               " ", i == 1 ? "alpha" : "beta", " input: the built-in engine truncates alpha + sum(beta_d * i_d) as a whole, "
               "TensorRT computes in ", dataTypeName(to));
    }
    // A static beta is one value, which TensorRT reads as [b]; the built-in engine applies a
    // single value to the last dimension and takes one per dimension, so beyond rank 1 a LINSPACE
    // beta goes in as a [rank] tensor: TensorRT then needs alpha as a tensor too.
    const bool tensorParams = alphaIn || betaIn || (linspace && (rank > 1 || beta.size() != 1));
    if (!tensorParams) {
      if (integerOut) {
        l->setAlphaInt64(static_cast<int64_t>(alpha));
        l->setBetaInt64(static_cast<int64_t>(beta[0]));
      } else {
        l->setAlpha(alpha);
        l->setBeta(beta[0]);
      }
      return l;
    }
    // Both are tensors of one type (IFillLayer::setInput): the output's for integer outputs,
    // FLOAT otherwise. Alpha is a scalar; beta a scalar, or for LINSPACE one value per dimension.
    const DataType paramType = integerOut ? to : DataType::kFLOAT;
    nvinfer1::ITensor* alphaTensor = nullptr;
    if (alphaIn) {
      const TensorDesc& d = inputDesc(n, 1);
      alphaTensor = &input(n, 1);
      if (!d.dims.empty()) alphaTensor = &reshaped(n, *alphaTensor, {}, "alpha as 0-D");
      alphaTensor = &castTo(n, *alphaTensor, d.type, paramType, "alpha as parameter type");
    } else {
      alphaTensor = &constant(n, "alpha", paramType, {}, {alpha});
    }
    nvinfer1::ITensor* betaTensor = nullptr;
    if (betaIn) {
      const TensorDesc& d = inputDesc(n, 2);
      betaTensor = &castTo(n, input(n, 2), d.type, paramType, "beta as parameter type");
      if (!linspace) {
        if (!d.dims.empty()) betaTensor = &reshaped(n, *betaTensor, {}, "beta as 0-D");
      } else if (rank == 1) {
        // One value, or one per dimension: [1] either way (the validator saw to it).
        if (d.dims.size() != 1) betaTensor = &reshaped(n, *betaTensor, {1}, "beta as [1]");
      } else if (d.dims.size() == 1 && d.dims[0] == static_cast<int64_t>(rank)) {
        // One value per dimension already.
      } else if (d.dims.empty() || (d.dims.size() == 1 && d.dims[0] == 1)) {
        if (rank == 0)
          fail(StatusCode::kUnsupported, "a 0-D LINSPACE fill with a beta input: TensorRT reads beta per dimension");
        // One value for the last dimension: [0, ..., 0, beta].
        nvinfer1::ITensor* parts[2] = {&constant(n, "beta, leading zeros", paramType, {static_cast<int64_t>(rank - 1)},
                                                 std::vector<double>(rank - 1, 0.0)),
                                       &reshaped(n, *betaTensor, {1}, "beta as [1]")};
        auto* joined = nonNull(net_.addConcatenation(parts, 2), "INetworkDefinition::addConcatenation");
        joined->setAxis(0);
        betaTensor = &helperOutput(n, joined, "beta per dimension");
      } else {
        fail(StatusCode::kUnsupported, "a LINSPACE beta input '", d.name, "' of dimensions ", dimsToString(d.dims),
             " for a rank-", rank, " output: TensorRT needs one value per dimension, and whether it holds one "
             "value or ", rank, " is not known when building");
      }
    } else if (linspace) {
      std::vector<double> perDim(rank, 0.0);
      if (beta.size() == rank) perDim = beta;
      else if (rank > 0) perDim.back() = beta[0];
      betaTensor = &constant(n, "beta", paramType, {static_cast<int64_t>(rank)}, perDim);
    } else {
      betaTensor = &constant(n, "beta", paramType, {}, {beta[0]});
    }
    l->setInput(1, *alphaTensor);
    l->setInput(2, *betaTensor);
    return l;
  }

  // The weights of a constant tensor (one a CONSTANT layer makes), else null.
  const Weights* constantWeights(int32_t id) {
    const TensorDesc& d = g_.tensors[id];
    if (d.producer < 0) return nullptr;
    const Node& p = g_.nodes[d.producer];
    return p.type == LayerType::kCONSTANT ? p.getWeights("weights") : nullptr;
  }

  // Whether tensor `id` is known at build time (a constant, or a value inference tracked).
  bool knownAtBuildTime(int32_t id) {
    const TensorDesc& d = g_.tensors[id];
    return (d.producer >= 0 && g_.nodes[d.producer].type == LayerType::kCONSTANT) || d.value.has_value();
  }

  // Whether tensor `id` is known at build time to hold zeros only. Packed types (INT4, FP4) are
  // read nibble by nibble, `count` of them, so the unused high nibble of an odd count is ignored.
  bool knownZeros(int32_t id) {
    const TensorDesc& d = g_.tensors[id];
    if (d.producer >= 0 && g_.nodes[d.producer].type == LayerType::kCONSTANT) {
      const Weights* w = constantWeights(id);
      if (!w || w->empty()) return true;
      const auto* bytes = w->as<uint8_t>();
      for (int64_t i = 0; i < w->count; ++i) {
        if (isPackedType(w->type)) {
          if (((bytes[i / 2] >> (i % 2 == 0 ? 0 : 4)) & 0xF) != 0) return false;
        } else if (loadAsDouble(bytes, w->type, i) != 0.0) {
          return false;
        }
      }
      return true;
    }
    return d.value && std::all_of(d.value->begin(), d.value->end(), [](int64_t v) { return v == 0; });
  }

  // A quantization scale of one value (0-D, [1], [1, 1], ...): per-tensor, which TensorRT
  // expresses with a 0-D scale ("a scalar for per-tensor quantization") and no axis.
  bool perTensorScale(const Node& n) {
    const Dims& scale = inputDesc(n, 1).dims;
    return isFullyKnown(scale) && volume(scale) == 1;
  }

  nvinfer1::ILayer* quantize(const Node& n, bool dequantize) {
    const auto to = static_cast<DataType>(n.getInt("toType", static_cast<int64_t>(dequantize ? DataType::kFLOAT : DataType::kINT8)));
    const bool perTensor = perTensorScale(n);
    nvinfer1::ITensor* zeroPoint = nullptr;
    if (n.input(2) >= 0) {
      // TensorRT quantizes symmetrically only: its zero point must be "a build-time constant
      // containing only zeros", fed by a constant layer. A fresh zero constant of the zero point's
      // type and shape is that constant.
      const TensorDesc& zp = inputDesc(n, 2);
      if (!knownAtBuildTime(n.input(2)))
        fail(StatusCode::kUnsupported, "a zero point computed at run time (input 2 '", zp.name,
             "'): TensorRT needs a build-time constant zero point of zeros only");
      if (!knownZeros(n.input(2)))
        fail(StatusCode::kUnsupported, "a non-zero zero point (asymmetric quantization) is an extension of the built-in "
                                       "engine; TensorRT quantizes symmetrically only");
      const Dims zpDims = perTensor ? Dims{} : zp.dims;
      if (!isFullyKnown(zpDims))
        fail(StatusCode::kInvalidArgument, "zero point '", zp.name, "' has unknown dimensions ", dimsToString(zp.dims));
      Weights zeros = Weights::owned(zp.type, volume(zpDims));  // zero-filled
      keep(zeros.data);
      auto* c = nonNull(net_.addConstant(toTrtDims(zpDims, "zero point dimensions"), toTrtWeights(zeros)),
                        "INetworkDefinition::addConstant");
      zeroPoint = &helperOutput(n, c, "zero point");
    }
    nvinfer1::ITensor* scale = &input(n, 1);
    if (perTensor && !inputDesc(n, 1).dims.empty()) {
      // A constant scale becomes a 0-D constant of the same values (kept a constant for TensorRT's
      // Q/DQ fusions); a computed one goes through a Shuffle.
      if (const Weights* w = constantWeights(n.input(1)); w && !w->empty()) {
        keep(w->data);
        scale = &helperOutput(n, nonNull(net_.addConstant(toTrtDims({}, "scale dimensions"), toTrtWeights(*w)),
                                         "INetworkDefinition::addConstant"),
                              "scale as 0-D");
      } else {
        scale = &reshaped(n, *scale, {}, "scale as 0-D");
      }
    }
    nvinfer1::ILayer* layer = nullptr;
    if (dequantize) {
      auto* l = nonNull(net_.addDequantize(input(n, 0), *scale, toTrt(to)), "INetworkDefinition::addDequantize");
      if (!perTensor) configureQuantize(*l, n);
      layer = l;
    } else {
      auto* l = nonNull(net_.addQuantize(input(n, 0), *scale, toTrt(to)), "INetworkDefinition::addQuantize");
      if (!perTensor) configureQuantize(*l, n);
      layer = l;
    }
    if (zeroPoint) layer->setInput(2, *zeroPoint);
    return layer;
  }

  // Per-channel and blocked scales: the axis, and for blocked scales (the input's rank, at least
  // 2) the block shape: input dim / scale dim per dimension, set when every dimension is known
  // (otherwise TensorRT derives it from the shapes), with the blocked dimension as the axis.
  template <typename L>
  void configureQuantize(L& l, const Node& n) {
    const Dims& in = inputDesc(n, 0).dims;
    const Dims& scale = inputDesc(n, 1).dims;
    const int64_t axis = n.getInt("axis", -1);
    if (scale.size() == in.size() && in.size() >= 2) {
      Dims block(in.size());
      bool known = true;
      for (size_t i = 0; i < in.size(); ++i) {
        known = known && in[i] >= 0 && scale[i] > 0;
        block[i] = known ? in[i] / scale[i] : -1;
        if (in[i] != scale[i] && in[i] >= 0 && scale[i] >= 0) l.setAxis(static_cast<int32_t>(i));
      }
      if (known && !l.setBlockShape(toTrtDims(block, "block shape")))
        fail(StatusCode::kTensorRTError, "setBlockShape refused the block shape ", dimsToString(block), " (input ",
             dimsToString(in), ", scale ", dimsToString(scale), ")");
    } else {
      l.setAxis(axis == -1 ? -1 : axisFor(axis, in.size(), "axis"));
    }
  }

  nvinfer1::ILayer* scatter(const Node& n) {
    const auto reduction = irEnum<ir::ScatterReduction>(n.getInt("reduction", 0));
    if (reduction != ir::ScatterReduction::kNONE)
      fail(StatusCode::kUnsupported, "scatter reductions (reduction ", static_cast<int32_t>(reduction),
           ") are an extension of the built-in engine; TensorRT's IScatterLayer only overwrites");
    const auto mode = irEnum<ir::ScatterMode>(n.getInt("mode", 0));
    auto* l = nonNull(net_.addScatter(input(n, 0), input(n, 1), input(n, 2), toTrt(mode)), "INetworkDefinition::addScatter");
    // Duplicate indices: the built-in engine's last write wins, TensorRT leaves it undefined
    // (docs/layers.md).
    if (mode == ir::ScatterMode::kELEMENT) l->setAxis(axisFor(n.getInt("axis", 0), inputRank(n, 0), "axis"));
    return l;
  }

  // Known differences (docs/layers.md): TensorRT orders the selected boxes by batch, then
  // decreasing score; the built-in engine by batch, class, then score.
  nvinfer1::ILayer* nms(const Node& n) {
    // MaxOutputBoxesPerClass: TensorRT takes a 0-D INT32 tensor; the built-in engine also INT64 and [1].
    auto* l = nonNull(net_.addNMS(input(n, 0), input(n, 1), scalarInput(n, 2, DataType::kINT32, "MaxOutputBoxesPerClass"),
                                  toTrt(static_cast<DataType>(n.getInt("indicesType", static_cast<int64_t>(DataType::kINT32))))),
                      "INetworkDefinition::addNMS");
    if (nvinfer1::ITensor* iou = optionalInput(n, 3)) l->setInput(3, *iou);
    if (nvinfer1::ITensor* score = optionalInput(n, 4)) l->setInput(4, *score);
    l->setBoundingBoxFormat(toTrt(irEnum<ir::BoundingBoxFormat>(n.getInt("boundingBoxFormat", 0))));
    l->setTopKBoxLimit(toInt32(n.getInt("topKBoxLimit", 5000), "topKBoxLimit"));
    return l;
  }

  nvinfer1::ILayer* cumulative(const Node& n) {
    const nvinfer1::CumulativeOperation op = toTrt(irEnum<ir::CumulativeOperation>(n.getInt("operation", 0)));
    // NvInfer.h, addCumulative: the axis "must be a build-time constant 0D shape tensor".
    const TensorDesc& axis = inputDesc(n, 1);
    if (!knownAtBuildTime(n.input(1)))
      fail(StatusCode::kUnsupported, "an axis computed at run time (input 1 '", axis.name,
           "') is an extension of the built-in engine; TensorRT needs a build-time constant axis");
    // The built-in engine also takes the axis as [1]: a constant one becomes a 0-D constant of
    // the same value, another goes through a Shuffle.
    nvinfer1::ITensor* axisTensor = &input(n, 1);
    if (!axis.dims.empty()) {
      const Weights* w = constantWeights(n.input(1));
      if (w && w->count == 1) {
        keep(w->data);
        axisTensor = &helperOutput(n, nonNull(net_.addConstant(toTrtDims({}, "axis dimensions"), toTrtWeights(*w)),
                                              "INetworkDefinition::addConstant"),
                                   "axis as 0-D");
      } else {
        axisTensor = &reshaped(n, *axisTensor, {}, "axis as 0-D");
      }
    }
    return nonNull(net_.addCumulative(input(n, 0), *axisTensor, op, n.getInt("exclusive", 0) != 0, n.getInt("reverse", 0) != 0),
                   "INetworkDefinition::addCumulative");
  }

  nvinfer1::ILayer* gridSample(const Node& n) {
    if (inputRank(n, 0) != 4)
      fail(StatusCode::kUnsupported, "a ", inputRank(n, 0), "-D input is an extension of the built-in engine; TensorRT's "
                                     "IGridSampleLayer takes 4-D input and grid only");
    auto* l = nonNull(net_.addGridSample(input(n, 0), input(n, 1)), "INetworkDefinition::addGridSample");
    l->setInterpolationMode(toTrt(irEnum<ir::InterpolationMode>(n.getInt("interpolationMode", 1))));
    l->setAlignCorners(n.getInt("alignCorners", 0) != 0);
    const auto mode = irEnum<ir::SampleMode>(n.getInt("sampleMode", 3));
    if (!l->setSampleMode(toTrt(mode)))
      fail(StatusCode::kTensorRTError, "IGridSampleLayer::setSampleMode refused sample mode ", static_cast<int32_t>(mode));
    return l;
  }

  nvinfer1::ILayer* loopOutput(const Node& n) {
    if (n.getInt("strictLength", 0) != 0)
      fail(StatusCode::kUnsupported, "a loop output that requires exactly `length` iterations is an extension of the "
                                     "built-in engine (importers' full-length outputs); TensorRT leaves rows past the "
                                     "last iteration undefined instead");
    const auto kind = irEnum<ir::LoopOutput>(n.getInt("kind", 0));
    const size_t rank = inputRank(n, 0) + (kind == ir::LoopOutput::kLAST_VALUE ? 0 : 1);
    auto* l = nonNull(loopOf(n).addLoopOutput(input(n, 0), toTrt(kind), axisFor(n.getInt("axis", 0), rank, "axis")),
                      "ILoop::addLoopOutput");
    if (nvinfer1::ITensor* length = optionalInput(n, 1)) l->setInput(1, *length);
    return l;
  }
};

}  // namespace

std::unique_ptr<TranslatedNetwork> translateNetwork(const Graph& g, nvinfer1::INetworkDefinition& net, TrtErrorRecorder& recorder) {
  // Inference on a copy: it validates as the builder does and gives every tensor its rank and
  // the known values the translation reads (axes, block shapes, constant operands).
  Graph inferred = g;
  Status s = inferInPlace(inferred);
  if (!s.ok()) throw EngineError(s.code, s.message);
  auto out = std::make_unique<TranslatedNetwork>();
  // The network reports to the build's recorder, so translation failures carry TensorRT's reason.
  net.setErrorRecorder(&recorder);
  Translator(inferred, net, recorder, *out).run();
  return out;
}

void configureBuild(const BuildConfig& c, const Graph& g, nvinfer1::IBuilder& builder, nvinfer1::IBuilderConfig& config) {
  configureBuild(c, g, findShapeTensorInputs(g), builder, config);
}

void configureBuild(const BuildConfig& c, const Graph& g, const std::vector<bool>& shapeInputs, nvinfer1::IBuilder& builder,
                    nvinfer1::IBuilderConfig& config) {
  const char* selectorNames[3] = {"MIN", "OPT", "MAX"};
  const nvinfer1::OptProfileSelector selectors[3] = {nvinfer1::OptProfileSelector::kMIN, nvinfer1::OptProfileSelector::kOPT,
                                                     nvinfer1::OptProfileSelector::kMAX};
  if (c.profiles.empty()) {
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      const TensorDesc& in = g.tensors[g.inputs[i]];
      if (!isFullyKnown(in.dims))
        fail(StatusCode::kInvalidArgument, "network input '", in.name, "' has dynamic dimensions ", dimsToString(in.dims),
             " but the builder config has no optimization profile; add one with config.addOptimizationProfile()");
      if (shapeInputs[i])
        fail(StatusCode::kInvalidArgument, "network input '", in.name,
             "' is a shape tensor input (its values decide other tensors' dimensions) but the builder config has no "
             "optimization profile; call profile.setShapeValuesV2('", in.name,
             "', OptProfileSelector.MIN/OPT/MAX, values) and add the profile with config.addOptimizationProfile()");
    }
  }
  for (size_t pi = 0; pi < c.profiles.size(); ++pi) {
    const ProfileSpec& spec = c.profiles[pi];
    for (const auto& [name, _] : spec.shapes)
      if (g.findTensor(name) < 0 || !g.tensors[g.findTensor(name)].isInput)
        fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " names '", name, "', which is not a network input");
    for (const auto& [name, _] : spec.values) {
      int32_t t = g.findTensor(name);
      size_t index = static_cast<size_t>(std::find(g.inputs.begin(), g.inputs.end(), t) - g.inputs.begin());
      if (t < 0 || index >= g.inputs.size() || !shapeInputs[index])
        fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " sets shape values for '", name,
             "', which is not a shape tensor input (an INT32 or INT64 input of rank 0 or 1 whose values decide other "
             "tensors' dimensions); use setDimensions() for its dimensions");
    }
    nvinfer1::IOptimizationProfile* profile =
        nonNull(builder.createOptimizationProfile(), "IBuilder::createOptimizationProfile");
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      const TensorDesc& in = g.tensors[g.inputs[i]];
      auto dims = spec.shapes.find(in.name);
      if (dims != spec.shapes.end()) {
        for (int k = 0; k < 3; ++k) {
          const Dims& d = dims->second[k];
          if (!profile->setDimensions(in.name.c_str(), selectors[k], toTrtDims(d, "profile dimensions of '" + in.name + "'")))
            fail(StatusCode::kInvalidArgument, "optimization profile ", pi, ": TensorRT refused the ", selectorNames[k],
                 " dimensions ", dimsToString(d), " of input '", in.name, "' ", dimsToString(in.dims));
        }
      } else if (!isFullyKnown(in.dims)) {
        fail(StatusCode::kInvalidArgument, "optimization profile ", pi, " has no dimensions for dynamic input '", in.name,
             "' ", dimsToString(in.dims));
      }
      if (!shapeInputs[i]) continue;
      auto values = spec.values.find(in.name);
      if (values == spec.values.end())
        fail(StatusCode::kInvalidArgument, "network input '", in.name,
             "' is a shape tensor input (its values decide other tensors' dimensions) but optimization profile ", pi,
             " has no values for it; call profile.setShapeValuesV2('", in.name, "', OptProfileSelector.MIN/OPT/MAX, values)");
      for (int k = 0; k < 3; ++k) {
        const std::vector<int64_t>& v = values->second[k];
        if (!profile->setShapeValuesV2(in.name.c_str(), selectors[k], v.data(), toInt32(static_cast<int64_t>(v.size()), "shape value count")))
          fail(StatusCode::kInvalidArgument, "optimization profile ", pi, ": TensorRT refused the ", selectorNames[k],
               " shape values ", dimsToString(Dims(v.begin(), v.end())), " of input '", in.name, "'");
      }
    }
    if (config.addOptimizationProfile(profile) < 0)
      fail(StatusCode::kInvalidArgument, "TensorRT refused optimization profile ", pi,
           " (IBuilderConfig::addOptimizationProfile returned -1: MIN <= OPT <= MAX must hold for every dimension and value)");
  }
  // Exactly BuilderConfig's flags (TF32 is set there by default, as it is in TensorRT): setFlags
  // also clears what TensorRT sets by default and the caller cleared.
  nvinfer1::BuilderFlags flags = 0;
  for (int32_t bit = 0; bit < 64; ++bit)
    if ((c.flags >> bit) & 1u) flags |= nvinfer1::BuilderFlags{1} << static_cast<int32_t>(toTrt(static_cast<ir::BuilderFlag>(bit)));
  config.setFlags(flags);
  if (c.workspaceLimit >= 0)
    config.setMemoryPoolLimit(nvinfer1::MemoryPoolType::kWORKSPACE, static_cast<std::size_t>(c.workspaceLimit));
  config.setBuilderOptimizationLevel(c.optimizationLevel);
  config.setProfilingVerbosity(toTrt(irEnum<ir::ProfilingVerbosity>(c.profilingVerbosity)));
  config.setAvgTimingIterations(c.avgTimingIterations);
}

}  // namespace trtn::trt
