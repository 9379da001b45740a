// nvinfer1::ILogger over the addon's LogFn. TensorRT calls log() from any of its threads, with no
// lock held, so the sink must be thread-safe and must never touch JS: the build passes its
// thread-safe-function sink, engines a TrtMessageQueue drained on the JS thread.
#pragma once

#include "TrtObjects.h"

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "../../engine/Builder.h"

namespace trtn::trt {

class TrtLogger final : public nvinfer1::ILogger {
 public:
  // Messages less severe than `minSeverity` (a larger Severity value) are dropped here, before
  // they cost a copy; kVERBOSE passes everything.
  explicit TrtLogger(LogFn sink, Severity minSeverity = Severity::kVERBOSE)
      : sink_(std::move(sink)), minSeverity_(static_cast<int>(minSeverity)) {}
  void log(nvinfer1::ILogger::Severity severity, nvinfer1::AsciiChar const* msg) noexcept override;

 private:
  LogFn sink_;
  int minSeverity_;
};

// A bounded, thread-safe queue of log messages, for loggers whose messages reach JS later (on
// the JS thread, at the next call into the engine or context). When full, the oldest message is
// dropped and counted.
class TrtMessageQueue {
 public:
  explicit TrtMessageQueue(size_t capacity = 256) : capacity_(capacity) {}
  void push(int severity, const std::string& message);
  // Everything queued so far, oldest first, plus a note of how many were dropped.
  std::vector<std::pair<int, std::string>> drain();

 private:
  std::mutex mutex_;
  std::deque<std::pair<int, std::string>> messages_;
  size_t capacity_;
  size_t dropped_ = 0;
};

}  // namespace trtn::trt
