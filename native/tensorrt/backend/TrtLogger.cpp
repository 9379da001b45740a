#include "TrtLogger.h"

namespace trtn::trt {

// Our Severity values equal nvinfer1::ILogger::Severity's (Builder.h says so); checked here so a
// renumbering in either breaks the build.
static_assert(static_cast<int>(nvinfer1::ILogger::Severity::kINTERNAL_ERROR) == kSevInternalError);
static_assert(static_cast<int>(nvinfer1::ILogger::Severity::kERROR) == kSevError);
static_assert(static_cast<int>(nvinfer1::ILogger::Severity::kWARNING) == kSevWarning);
static_assert(static_cast<int>(nvinfer1::ILogger::Severity::kINFO) == kSevInfo);
static_assert(static_cast<int>(nvinfer1::ILogger::Severity::kVERBOSE) == kSevVerbose);

void TrtLogger::log(nvinfer1::ILogger::Severity severity, nvinfer1::AsciiChar const* msg) noexcept {
  int level = static_cast<int>(severity);
  if (level > minSeverity_ || !sink_) return;
  try {
    sink_(level, msg ? std::string(msg) : std::string());
  } catch (...) {
    // log() is noexcept towards TensorRT: a message that cannot be delivered is dropped.
  }
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
