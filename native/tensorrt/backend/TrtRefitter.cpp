#include "TrtRefitter.h"

#include "../../engine/DataType.h"
#include "../common/TrtLibrary.h"

namespace trtn::trt {

TrtRefitter::TrtRefitter(std::shared_ptr<TrtEngine> engine) : engine_(std::move(engine)) {
  const TensorRTLibraries& libs = loadTensorRTBackend();
  if (!libs.createInferRefitter)
    fail(StatusCode::kUnsupported, "the TensorRT library at ", libs.nvinferPath, " has no refitter (createInferRefitter_INTERNAL)");
  if (!engine_->engine().isRefittable())
    fail(StatusCode::kUnsupported, "the engine is not refittable: build it with BuilderFlag.REFIT (or REFIT_IDENTICAL / REFIT_INDIVIDUAL)");
  TrtRuntime& runtime = engine_->runtime();
  TrtLogScope logScope(runtime.messages());
  uint64_t mark = runtime.recorder().mark();
  auto create = reinterpret_cast<void* (*)(void*, void*, int32_t)>(libs.createInferRefitter);
  refitter_.reset(static_cast<nvinfer1::IRefitter*>(create(&engine_->engine(), &TrtLogger::instance(), NV_TENSORRT_VERSION)));
  if (!refitter_) runtime.recorder().fail(mark, "createInferRefitter failed");
  refitter_->setErrorRecorder(&runtime.recorder());
}

TrtRefitter::~TrtRefitter() {
  TrtLogScope logScope(engine_->runtime().messages());
  refitter_.reset();
}

void TrtRefitter::setNamedWeights(const std::string& name, int32_t type, const void* data, size_t bytes, int64_t count) {
  // TensorRT reads `count` elements of `type` from the copy: it must hold exactly that many.
  if (type < 0 || type > static_cast<int32_t>(DataType::kE8M0))
    fail(StatusCode::kInvalidArgument, "setNamedWeights('", name, "'): unknown DataType ", type);
  if (count < 0) fail(StatusCode::kInvalidArgument, "setNamedWeights('", name, "'): count ", count, " is negative");
  int64_t need = byteSizeOf(static_cast<DataType>(type), count);
  if (need != static_cast<int64_t>(bytes))
    fail(StatusCode::kInvalidArgument, "setNamedWeights('", name, "'): ", count, " elements of ", dataTypeName(static_cast<DataType>(type)),
         " take ", need, " bytes but the values hold ", bytes);
  TrtLogScope logScope(engine_->runtime().messages());
  std::vector<uint8_t> copy(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + bytes);
  nvinfer1::Weights w{static_cast<nvinfer1::DataType>(type), copy.empty() ? nullptr : copy.data(), count};
  TrtErrorRecorder& recorder = engine_->runtime().recorder();
  uint64_t mark = recorder.mark();
  if (!refitter_->setNamedWeights(name.c_str(), w, nvinfer1::TensorLocation::kHOST))
    recorder.fail(mark, "setNamedWeights('" + name + "') failed");
  weights_[name] = std::move(copy);  // the vector's buffer moves with it, so `w.values` stays valid
}

std::vector<std::string> TrtRefitter::missingWeights() {
  TrtLogScope logScope(engine_->runtime().messages());
  int32_t n = refitter_->getMissingWeights(0, nullptr);
  std::vector<char const*> names(static_cast<size_t>(n > 0 ? n : 0));
  if (n > 0) n = refitter_->getMissingWeights(n, names.data());
  std::vector<std::string> out;
  for (int32_t i = 0; i < n; ++i)
    if (names[static_cast<size_t>(i)]) out.emplace_back(names[static_cast<size_t>(i)]);
  return out;
}

std::vector<std::string> TrtRefitter::allWeights() {
  TrtLogScope logScope(engine_->runtime().messages());
  int32_t n = refitter_->getAllWeights(0, nullptr);
  std::vector<char const*> names(static_cast<size_t>(n > 0 ? n : 0));
  if (n > 0) n = refitter_->getAllWeights(n, names.data());
  std::vector<std::string> out;
  for (int32_t i = 0; i < n; ++i)
    if (names[static_cast<size_t>(i)]) out.emplace_back(names[static_cast<size_t>(i)]);
  return out;
}

void TrtRefitter::refit() {
  TrtLogScope logScope(engine_->runtime().messages());
  TrtErrorRecorder& recorder = engine_->runtime().recorder();
  uint64_t mark = recorder.mark();
  if (!refitter_->refitCudaEngine()) {
    std::vector<std::string> missing = missingWeights();
    if (!missing.empty()) {
      std::string list;
      for (const std::string& m : missing) list += (list.empty() ? "'" : ", '") + m + "'";
      fail(StatusCode::kInvalidState, "refitCudaEngine: weights not set yet: ", list);
    }
    recorder.fail(mark, "refitCudaEngine failed");
  }
  engine_->markRefitted();
}

}  // namespace trtn::trt
