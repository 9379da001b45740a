#include "TrtLogger.h"

#include <mutex>

namespace trtn::trt {

// Our Severity values equal nvinfer1::ILogger::Severity's (Builder.h says so); checked here so a
// renumbering in either breaks the build.
static_assert(static_cast<int>(nvinfer1::ILogger::Severity::kINTERNAL_ERROR) == kSevInternalError);
static_assert(static_cast<int>(nvinfer1::ILogger::Severity::kERROR) == kSevError);
static_assert(static_cast<int>(nvinfer1::ILogger::Severity::kWARNING) == kSevWarning);
static_assert(static_cast<int>(nvinfer1::ILogger::Severity::kINFO) == kSevInfo);
static_assert(static_cast<int>(nvinfer1::ILogger::Severity::kVERBOSE) == kSevVerbose);

namespace {

// The innermost TrtLogScope of this thread (null: none).
thread_local TrtLogScope* currentScope = nullptr;

}  // namespace

TrtLogger& TrtLogger::instance() {
  static TrtLogger* logger = new TrtLogger();  // never deleted: TensorRT keeps the pointer
  return *logger;
}

void TrtLogger::log(nvinfer1::ILogger::Severity severity, nvinfer1::AsciiChar const* msg) noexcept {
  try {
    int level = static_cast<int>(severity);
    std::string text = msg ? std::string(msg) : std::string();
    TrtLogScope* scope = currentScope;
    if (!scope) {
      // Delivered under the lock, so a build's log function is never called after its build ended.
      std::lock_guard<std::mutex> lock(buildsMutex_);
      if (builds_.size() == 1) builds_.begin()->second(level, text);
      else unscoped_.push(level, text);
    } else if (scope->queue_) {
      scope->queue_->push(level, text);
    } else if (scope->sink_) {
      scope->sink_(level, text);
    }
  } catch (...) {
    // log() is noexcept towards TensorRT: a message that cannot be delivered is dropped.
  }
}

TrtLogScope::TrtLogScope(LogFn sink) : sink_(std::move(sink)), previous_(currentScope) { currentScope = this; }

TrtLogScope::TrtLogScope(TrtMessageQueue& queue) : queue_(&queue), previous_(currentScope) { currentScope = this; }

TrtLogScope::~TrtLogScope() { currentScope = previous_; }

TrtBuildLogSink::TrtBuildLogSink(LogFn sink) {
  if (!sink) return;
  TrtLogger& logger = TrtLogger::instance();
  std::lock_guard<std::mutex> lock(logger.buildsMutex_);
  id_ = logger.nextBuild_++;
  logger.builds_.emplace(id_, std::move(sink));
  registered_ = true;
}

TrtBuildLogSink::~TrtBuildLogSink() {
  if (!registered_) return;
  TrtLogger& logger = TrtLogger::instance();
  std::lock_guard<std::mutex> lock(logger.buildsMutex_);
  logger.builds_.erase(id_);
}

const TensorRTLibraries& loadTensorRTBackend() {
  const TensorRTLibraries& libs = loadTensorRT();
  static std::once_flag plugins;
  std::call_once(plugins, [&libs] {
    if (!libs.initLibNvInferPlugins) return;
    // Messages go to whichever scope is current (the first caller's); a refusal only means the
    // plugins are missing, which deserialization then reports for the plan that needs them.
    auto init = reinterpret_cast<bool (*)(void*, char const*)>(libs.initLibNvInferPlugins);
    if (!init(&TrtLogger::instance(), ""))
      TrtLogger::instance().log(nvinfer1::ILogger::Severity::kWARNING,
                                ("initLibNvInferPlugins failed (" + libs.pluginPath + "); plans using its plugins will not load").c_str());
  });
  return libs;
}

void TrtMessageQueue::push(int severity, const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (messages_.size() >= capacity_) {
    messages_.pop_front();
    ++dropped_;
  }
  messages_.emplace_back(severity, message);
}

std::vector<std::pair<int, std::string>> TrtMessageQueue::drain() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::pair<int, std::string>> out(messages_.begin(), messages_.end());
  messages_.clear();
  if (dropped_ > 0) {
    out.emplace(out.begin(), kSevWarning, std::to_string(dropped_) + " earlier TensorRT log messages were dropped");
    dropped_ = 0;
  }
  return out;
}

}  // namespace trtn::trt
