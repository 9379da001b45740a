#include "TrtRuntime.h"

#include "../../cuda/CudaRuntime.h"
#include "../common/TrtLibrary.h"
#include "../common/TrtPlan.h"
#include "TrtEngine.h"

namespace trtn::trt {

TrtRuntime::TrtRuntime(std::shared_ptr<cuda::GpuAllocator> allocator) : gpuAllocator_(std::move(allocator)) {
  if (gpuAllocator_) allocatorAdapter_ = std::make_unique<TrtGpuAllocator>(gpuAllocator_);
}

TrtRuntime::~TrtRuntime() {
  // The IRuntime goes before the bridges it points to (member order does the same; explicit for
  // the reader). What it logs now reaches no call: the process queue takes it.
  runtime_.reset();
}

std::shared_ptr<TrtRuntime> TrtRuntime::create(std::shared_ptr<cuda::GpuAllocator> allocator) {
  const TensorRTLibraries& libs = loadTensorRTBackend();  // TENSORRT_UNAVAILABLE naming every path tried
  if (!libs.createInferRuntime)
    fail(StatusCode::kTensorRTUnavailable, "the TensorRT library at ", libs.nvinferPath, " has no createInferRuntime_INTERNAL");
  std::shared_ptr<TrtRuntime> self(new TrtRuntime(std::move(allocator)));
  self->device_ = cuda::currentDevice();
  self->libraryVersion_ = libs.version;
  TrtLogScope logScope(self->messages_);
  auto createRuntime = reinterpret_cast<void* (*)(void*, int32_t)>(libs.createInferRuntime);
  self->runtime_.reset(static_cast<nvinfer1::IRuntime*>(createRuntime(&TrtLogger::instance(), NV_TENSORRT_VERSION)));
  if (!self->runtime_) {
    std::string detail;
    for (const auto& [severity, message] : self->messages_.drain())
      if (severity <= static_cast<int>(nvinfer1::ILogger::Severity::kERROR)) detail += (detail.empty() ? ": " : "; ") + message;
    fail(StatusCode::kTensorRTError, "createInferRuntime failed (TensorRT ", libs.version, " at ", libs.nvinferPath, ")", detail);
  }
  self->runtime_->setErrorRecorder(&self->recorder_);
  if (self->allocatorAdapter_) self->runtime_->setGpuAllocator(self->allocatorAdapter_.get());
  return self;
}

std::shared_ptr<TrtEngine> TrtRuntime::deserialize(const uint8_t* data, size_t size) {
  TrtPlanView view = viewTensorRTPlan(data, size);  // PLAN_CORRUPT for a damaged wrapper
  if (view.form == TrtPlanForm::kNotTensorRT)
    fail(StatusCode::kPlanIncompatible, "the plan is not a TensorRT engine");
  cuda::DeviceInfo gpu = cuda::deviceInfo(device_);
  if (view.form == TrtPlanForm::kWrapped) checkTensorRTPlanCompatible(view, libraryVersion_, gpu.major, gpu.minor);
  TrtLogScope logScope(messages_);
  // A version-compatible engine carries the lean runtime that runs it, as host code; only plans
  // our builder recorded as version-compatible get to load it.
  runtime_->setEngineHostCodeAllowed(view.form == TrtPlanForm::kWrapped && (view.meta.compatibility & kPlanVersionCompatible) != 0);
  uint64_t mark = recorder_.mark();
  TrtUnique<nvinfer1::ICudaEngine> engine(runtime_->deserializeCudaEngine(view.engine, view.engineSize));
  if (!engine) {
    Status s = recorder_.failure(mark, "deserializeCudaEngine failed");
    // TensorRT refuses plans of another version or GPU with a configuration or state error, and
    // damaged bytes with anything else; raw plans were not checked by us, so this is where their
    // version mismatches surface.
    bool incompatible = recorder_.reported(mark, nvinfer1::ErrorCode::kINVALID_CONFIG) ||
                        recorder_.reported(mark, nvinfer1::ErrorCode::kUNSUPPORTED_STATE) ||
                        s.message.find("version") != std::string::npos ||
                        s.message.find("ompatib") != std::string::npos;
    fail(incompatible ? StatusCode::kPlanIncompatible : StatusCode::kPlanCorrupt, s.message,
         " (TensorRT ", libraryVersion_ / 10000, ".", (libraryVersion_ / 100) % 100, ".", libraryVersion_ % 100, " on ",
         gpu.name, ", compute capability ", gpu.major, ".", gpu.minor, ")");
  }
  std::optional<TrtPlanMeta> wrapper;
  if (view.form == TrtPlanForm::kWrapped) wrapper = view.meta;
  return std::make_shared<TrtEngine>(shared_from_this(), std::move(engine), std::vector<uint8_t>(data, data + size),
                                     std::move(wrapper));
}

}  // namespace trtn::trt
