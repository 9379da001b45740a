#include "TrtOnnxNetwork.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "../common/TrtLibrary.h"
#include "TrtEnums.h"

namespace trtn::trt {

namespace {

// nvonnxparser::ErrorCode values the parser records itself (ParserErrorCode in lib/onnx).
constexpr int32_t kModelDeserializeFailed = static_cast<int32_t>(nvonnxparser::ErrorCode::kMODEL_DESERIALIZE_FAILED);
constexpr int32_t kInvalidGraph = static_cast<int32_t>(nvonnxparser::ErrorCode::kINVALID_GRAPH);
static_assert(kModelDeserializeFailed == 3 && kInvalidGraph == 5, "nvonnxparser::ErrorCode was renumbered");
static_assert(nvonnxparser::EnumMax<nvonnxparser::OnnxParserFlag>() == 4, "OnnxParserFlag gained members");

std::string text(char const* s) { return s ? std::string(s) : std::string(); }

}  // namespace

std::shared_ptr<TrtOnnxNetwork> TrtOnnxNetwork::create(const LogFn& log) {
  const TensorRTLibraries& libs = loadTensorRTBackend();  // throws TENSORRT_UNAVAILABLE naming every path tried
  if (!libs.createOnnxParser)
    fail(StatusCode::kTensorRTUnavailable, "TensorRT's ONNX parser (libnvonnxparser.so.11) is not available: ",
         libs.onnxParserReason);
  if (!libs.createInferBuilder)
    fail(StatusCode::kTensorRTUnavailable, "the TensorRT library at ", libs.nvinferPath,
         " has no builder (createInferBuilder_INTERNAL); a lean or dispatch runtime cannot import networks");

  std::shared_ptr<TrtOnnxNetwork> self(new TrtOnnxNetwork());
  TrtLogScope logScope(log);
  auto createBuilder = reinterpret_cast<void* (*)(void*, int32_t)>(libs.createInferBuilder);
  self->builder_.reset(static_cast<nvinfer1::IBuilder*>(createBuilder(&TrtLogger::instance(), NV_TENSORRT_VERSION)));
  if (!self->builder_)
    fail(StatusCode::kTensorRTError, "createInferBuilder failed (TensorRT ", formatTensorRTVersion(libs.version), " at ",
         libs.nvinferPath, "; the log has TensorRT's reason)");
  self->builder_->setErrorRecorder(&self->recorder_);
  uint64_t mark = self->recorder_.mark();
  // Every TensorRT 11 network is strongly typed; the flag that said so is gone.
  self->network_.reset(self->builder_->createNetworkV2(0));
  if (!self->network_) self->recorder_.fail(mark, "createNetworkV2 failed");
  // nvonnxparser::createParser() is an inline helper calling the library's factory; call the
  // loaded entry point the same way.
  auto createParser = reinterpret_cast<void* (*)(void*, void*, int)>(libs.createOnnxParser);
  self->parser_.reset(static_cast<nvonnxparser::IParser*>(createParser(self->network_.get(), &TrtLogger::instance(), NV_ONNX_PARSER_VERSION)));
  if (!self->parser_)
    fail(StatusCode::kTensorRTError, "createNvOnnxParser failed (", libs.onnxParserPath, "; the log has TensorRT's reason)");
  return self;
}

TrtOnnxNetwork::~TrtOnnxNetwork() {
  // Members go in reverse order (parser, network, builder); the builder still points at the
  // recorder until then, which is declared before it.
}

void TrtOnnxNetwork::record(int32_t code, const std::string& desc, const std::string& file) {
  OnnxParserErrorInfo e;
  e.code = code;
  e.desc = desc;
  e.file = file;
  errors_.push_back(std::move(e));
}

void TrtOnnxNetwork::takeParserErrors(bool parsed, const std::string& file) {
  int count = parser_->getNbErrors();
  if (!parsed && count == 0)
    record(static_cast<int32_t>(nvonnxparser::ErrorCode::kINTERNAL_ERROR),
           "TensorRT's ONNX parser refused the model without recording an error (the log has its messages)", file);
  for (int i = 0; i < count; ++i) {
    const nvonnxparser::IParserError* error = parser_->getError(i);
    if (!error) continue;
    OnnxParserErrorInfo e;
    e.code = static_cast<int32_t>(error->code());
    e.desc = text(error->desc());
    e.file = text(error->file());
    e.line = error->line();
    e.func = text(error->func());
    e.node = error->node();
    e.nodeName = text(error->nodeName());
    e.nodeOperator = text(error->nodeOperator());
    char const* const* stack = error->localFunctionStack();
    int32_t depth = error->localFunctionStackSize();
    for (int32_t k = 0; stack && k < depth; ++k) e.localFunctionStack.push_back(text(stack[k]));
    errors_.push_back(std::move(e));
  }
  // Copied: the parser's own list would otherwise report them again after the next call.
  parser_->clearErrors();
}

bool TrtOnnxNetwork::parse(const uint8_t* model, size_t size, const std::string* modelPath, const LogFn& log) {
  std::string file = modelPath ? *modelPath : std::string();
  if (parsed_) {
    record(kInvalidGraph, "this parser has already parsed a model; create a new parser (and network) for another model", file);
    return false;
  }
  parsed_ = true;
  if (size == 0) {
    // TensorRT's parser reads the buffer's first bytes before it checks the size.
    record(kModelDeserializeFailed, "not an ONNX ModelProto (protobuf bytes): the model is empty (0 bytes)", file);
    return false;
  }
  TrtLogScope logScope(log);
  bool ok = parser_->parse(model, size, modelPath ? modelPath->c_str() : nullptr);
  takeParserErrors(ok, file);
  return ok;
}

bool TrtOnnxNetwork::parseFromFile(const std::string& path, int32_t verbosity, const LogFn& log) {
  if (parsed_) {
    record(kInvalidGraph, "this parser has already parsed a model; create a new parser (and network) for another model", path);
    return false;
  }
  parsed_ = true;
  // TensorRT's parser only logs a file it cannot read; record it, as the built-in parser does.
  std::ifstream probe(path, std::ios::binary);
  if (!probe) {
    record(kModelDeserializeFailed, "cannot read " + path + ": " + std::strerror(errno), path);
    return false;
  }
  probe.close();
  TrtLogScope logScope(log);
  bool ok = parser_->parseFromFile(path.c_str(), verbosity);
  takeParserErrors(ok, path);
  return ok;
}

bool TrtOnnxNetwork::supportsOperator(const std::string& op) const { return parser_->supportsOperator(op.c_str()); }

uint32_t TrtOnnxNetwork::flags() const { return parser_->getFlags(); }

void TrtOnnxNetwork::setFlags(uint32_t flags) { parser_->setFlags(flags); }

TrtOnnxNetwork::Interface TrtOnnxNetwork::describe() const {
  Interface out;
  nvinfer1::INetworkDefinition& net = *network_;
  out.io.name = text(net.getName());
  out.numLayers = net.getNbLayers();
  auto describeTensor = [](const nvinfer1::ITensor& t) {
    TensorDesc d;
    d.name = text(t.getName());
    // Our DataType numbering is nvinfer1's (TrtEnums.cpp checks it member by member).
    d.type = static_cast<DataType>(t.getType());
    d.dims = fromTrtDims(t.getDimensions());
    d.inferred = true;
    return d;
  };
  for (int32_t i = 0; i < net.getNbInputs(); ++i) {
    const nvinfer1::ITensor* t = net.getInput(i);
    if (!t) fail(StatusCode::kTensorRTError, "INetworkDefinition::getInput(", i, ") returned null");
    TensorDesc d = describeTensor(*t);
    d.isInput = true;
    int32_t id = out.io.addTensor(std::move(d));
    out.io.inputs.push_back(id);
    out.shapeInputs.push_back(t->isShapeTensor());
  }
  for (int32_t i = 0; i < net.getNbOutputs(); ++i) {
    const nvinfer1::ITensor* t = net.getOutput(i);
    if (!t) fail(StatusCode::kTensorRTError, "INetworkDefinition::getOutput(", i, ") returned null");
    TensorDesc d = describeTensor(*t);
    int32_t id = out.io.findTensor(d.name);
    if (id < 0) id = out.io.addTensor(std::move(d));
    out.io.tensors[static_cast<size_t>(id)].isOutput = true;
    out.io.outputs.push_back(id);
  }
  return out;
}

TrtOnnxNetwork::BuildLease::BuildLease(TrtOnnxNetwork& owner, const LogFn& log)
    : owner_(owner), lock_(owner.buildMutex_), logScope_(log) {}

TrtOnnxNetwork::BuildLease::~BuildLease() = default;

void TrtOnnxNetwork::BuildLease::useGpuAllocator(std::unique_ptr<TrtGpuAllocator> allocator) {
  owner_.builder_->setGpuAllocator(allocator.get());
  owner_.allocators_.push_back(std::move(allocator));
}

}  // namespace trtn::trt
