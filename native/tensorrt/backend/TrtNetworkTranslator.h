// Replays the built-in network IR (native/engine/Graph.h) into a TensorRT INetworkDefinition,
// layer by layer, and carries the builder settings over to IBuilderConfig.
#pragma once

#include <NvInfer.h>

#include <memory>
#include <vector>

#include "../../engine/Builder.h"
#include "../../engine/Graph.h"

namespace trtn::trt {

class TrtErrorRecorder;

// What must outlive the build: TensorRT holds Weights by reference until the engine is built, so
// the data of every Weights handed to it (the graph's, and the converted or synthesised ones the
// translation made) stays here.
struct TranslatedNetwork {
  std::vector<std::shared_ptr<const void>> keepAlive;
};

// Replays `g` (the network as the user defined it, e.g. AddonNetwork::snapshotForBuild(): before
// the builder's passes, loops as their boundary layers) into `net`, which must be empty and created
// with flags 0 (every TensorRT 11 network is strongly typed). Validates `g` first (shape and type
// inference, as the builder does). Throws EngineError:
// - UNSUPPORTED, "layer 'x' (TYPE): ...", for what TensorRT 11 lacks (the built-in engine's
//   extensions: docs/layers.md lists them);
// - TENSORRT_ERROR, naming the layer and the call, when a TensorRT call returns null or refuses a
//   setting;
// - INVALID_ARGUMENT for a network that fails validation;
// - INTERNAL_ERROR for a graph the builder's passes already rewrote (fused or outlined layers).
// `recorder` becomes the network's error recorder; what TensorRT reports while a layer is added
// (setters that return nothing included) fails that layer with TensorRT's description and the
// layer's name, the code mapped from TensorRT's (statusCodeOf).
// [sync] Runs on the calling thread (the build worker); touches no JavaScript.
std::unique_ptr<TranslatedNetwork> translateNetwork(const Graph& g, nvinfer1::INetworkDefinition& net,
                                                    TrtErrorRecorder& recorder);

// Optimization profiles (every input's MIN/OPT/MAX dims; shape tensor inputs' values through
// setShapeValuesV2), the builder flags (BuildConfig::flags, replacing TensorRT's defaults), the
// workspace pool limit, the builder optimization level, profiling verbosity and average timing
// iterations. `g` is the network translateNetwork() was given.
// Throws EngineError: INVALID_ARGUMENT for profiles that do not fit the network (the messages of
// the built-in builder), TENSORRT_ERROR when TensorRT refuses a call.
// [sync] Runs on the calling thread.
void configureBuild(const BuildConfig& c, const Graph& g, nvinfer1::IBuilder& builder, nvinfer1::IBuilderConfig& config);
// The same with the shape tensor inputs given (indexed like g.inputs) instead of found from g's
// layers: for a network TensorRT's ONNX parser built, of which g holds the inputs and outputs only.
void configureBuild(const BuildConfig& c, const Graph& g, const std::vector<bool>& shapeInputs, nvinfer1::IBuilder& builder,
                    nvinfer1::IBuilderConfig& config);

}  // namespace trtn::trt
