// A network TensorRT's own ONNX parser (nvonnxparser) imports: an IBuilder, the INetworkDefinition
// it made and the IParser filling it, owned together because TensorRT ties their lifetimes (the
// network and the parser's weights must live until every build of the network returns, and the
// network must go before its builder). A NetworkDefinition parsed with
// OnnxParser({ implementation: 'nvonnxparser' }) holds one; its builds use this builder and
// network as they are, instead of translating the built-in IR.
#pragma once

#include "TrtObjects.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <NvOnnxParser.h>
#pragma GCC diagnostic pop

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "../../engine/Builder.h"
#include "../../engine/Graph.h"
#include "TrtErrorRecorder.h"
#include "TrtGpuAllocator.h"
#include "TrtLogger.h"

namespace trtn::trt {

// One nvonnxparser::IParserError, copied out of the parser (its strings live only until the
// parser's next call).
struct OnnxParserErrorInfo {
  int32_t code = 0;  // nvonnxparser::ErrorCode
  std::string desc;
  std::string file;
  int32_t line = 0;
  std::string func;
  int32_t node = -1;
  std::string nodeName;
  std::string nodeOperator;
  std::vector<std::string> localFunctionStack;
};

class TrtOnnxNetwork {
 public:
  // Loads TensorRT and creates the builder, an empty network (flags 0: strongly typed) and the
  // parser over it. Throws EngineError: TENSORRT_UNAVAILABLE when libnvinfer or libnvonnxparser
  // cannot be loaded (the loader's reason), TENSORRT_ERROR when TensorRT returns no object.
  // `log` receives what TensorRT logs meanwhile (on the calling thread).
  static std::shared_ptr<TrtOnnxNetwork> create(const LogFn& log);
  ~TrtOnnxNetwork();
  TrtOnnxNetwork(const TrtOnnxNetwork&) = delete;
  TrtOnnxNetwork& operator=(const TrtOnnxNetwork&) = delete;

  // IParser::parse / parseFromFile. False when the model is refused: the parser's errors are then
  // in errors(). A parser parses one model, once; a second call records an error and returns
  // false. `log` receives the parser's messages (on the calling thread). [sync]
  bool parse(const uint8_t* model, size_t size, const std::string* modelPath, const LogFn& log);
  bool parseFromFile(const std::string& path, int32_t verbosity, const LogFn& log);
  bool parsed() const { return parsed_; }

  bool supportsOperator(const std::string& op) const;
  const std::vector<OnnxParserErrorInfo>& errors() const { return errors_; }
  void clearErrors() { errors_.clear(); }
  // OnnxParserFlags as a bit set (bit i = OnnxParserFlag value i).
  uint32_t flags() const;
  void setFlags(uint32_t flags);

  // The imported network's inputs and outputs as the built-in IR describes tensors (no layers),
  // in TensorRT's order, and which inputs are shape tensors (indexed like Graph::inputs). Only
  // after a successful parse. [sync]
  struct Interface {
    Graph io;
    std::vector<bool> shapeInputs;
    int32_t numLayers = 0;
  };
  Interface describe() const;

  // Exclusive use of the builder and network for one build (TensorRT's builder takes one thread
  // at a time), with TensorRT's messages routed to `log` and its errors to recorder() meanwhile.
  class BuildLease {
   public:
    BuildLease(TrtOnnxNetwork& owner, const LogFn& log);
    ~BuildLease();
    BuildLease(const BuildLease&) = delete;
    BuildLease& operator=(const BuildLease&) = delete;
    nvinfer1::IBuilder& builder() { return *owner_.builder_; }
    nvinfer1::INetworkDefinition& network() { return *owner_.network_; }
    TrtErrorRecorder& recorder() { return owner_.recorder_; }
    // Gives the builder `allocator` for this build. The network keeps it until it is destroyed
    // (after its builder): TensorRT wants a builder's allocator to live as long as the builder.
    void useGpuAllocator(std::unique_ptr<TrtGpuAllocator> allocator);

   private:
    TrtOnnxNetwork& owner_;
    std::unique_lock<std::mutex> lock_;
    TrtLogScope logScope_;  // TensorRT's one logger routes by thread (TrtLogger.h)
  };

 private:
  TrtOnnxNetwork() = default;
  // Copies the parser's errors out (and clears its list); a failed call that recorded none gets one.
  void takeParserErrors(bool parsed, const std::string& file);
  void record(int32_t code, const std::string& desc, const std::string& file);

  // Declaration order is the reverse of destruction: the recorder and the allocators of builds
  // outlive every TensorRT object using them; the parser goes first, then the network, then the
  // builder.
  TrtErrorRecorder recorder_;
  std::vector<std::unique_ptr<TrtGpuAllocator>> allocators_;  // under buildMutex_
  TrtUnique<nvinfer1::IBuilder> builder_;
  TrtUnique<nvinfer1::INetworkDefinition> network_;
  TrtUnique<nvonnxparser::IParser> parser_;
  std::mutex buildMutex_;
  std::vector<OnnxParserErrorInfo> errors_;
  bool parsed_ = false;
};

}  // namespace trtn::trt
