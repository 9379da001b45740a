// The process's one nvinfer1::ILogger. TensorRT keeps a single logger pointer for the whole
// process (the first builder, runtime or refitter sets it; later ones are ignored), so every
// createInfer*_INTERNAL call and initLibNvInferPlugins get TrtLogger::instance(), which is created
// once and never deleted. It routes each message by the thread that logs it:
//   - a thread inside a TrtLogScope: to that scope's sink. Every TensorRT call made for a build,
//     an engine, a context or a refitter runs inside one: the build worker's forwards through the
//     build's thread-safe log path, the others queue on their runtime's TrtMessageQueue, drained
//     on the JS thread at the next call into the engine or one of its contexts or refitters;
//   - any other thread (TensorRT's own workers, e.g. the builder's, destructors outside every
//     call): to the log of the one build in progress when exactly one is (TrtBuildLogSink), else
//     to the process queue, unscoped(), which the next JS call into an engine with a log function
//     drains into that log function (so with several builds at once such a message may show in
//     another engine's log).
// log() never touches JS and is thread-safe.
#pragma once

#include "TrtObjects.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "../../engine/Builder.h"
#include "../common/TrtLibrary.h"

namespace trtn::trt {

// A bounded, thread-safe queue of log messages, for messages that reach JS later, on the JS
// thread. When full, the oldest message is dropped and counted.
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

class TrtLogger final : public nvinfer1::ILogger {
 public:
  // Created on first use, never destroyed (TensorRT may log until the process exits).
  static TrtLogger& instance();
  void log(nvinfer1::ILogger::Severity severity, nvinfer1::AsciiChar const* msg) noexcept override;
  // Messages logged on threads outside every TrtLogScope (and no single build to give them to).
  TrtMessageQueue& unscoped() { return unscoped_; }

 private:
  friend class TrtBuildLogSink;
  TrtLogger() = default;
  TrtMessageQueue unscoped_;
  // Log functions of the builds in progress (thread-safe ones), by registration number.
  std::mutex buildsMutex_;
  std::map<uint64_t, LogFn> builds_;
  uint64_t nextBuild_ = 0;
};

// Registers a build's thread-safe log function for the messages TensorRT logs on threads of its
// own during the build (see TrtLogger), until the scope ends.
class TrtBuildLogSink {
 public:
  explicit TrtBuildLogSink(LogFn sink);
  ~TrtBuildLogSink();
  TrtBuildLogSink(const TrtBuildLogSink&) = delete;
  TrtBuildLogSink& operator=(const TrtBuildLogSink&) = delete;

 private:
  uint64_t id_ = 0;
  bool registered_ = false;
};

// Routes what TensorRT logs on the calling thread to a sink until the scope ends; scopes nest
// (the previous sink comes back). Declare one around every TensorRT call made for an object.
class TrtLogScope {
 public:
  // `sink` must be thread-safe only if the scope's thread is not the JS thread; null drops the
  // messages (for calls whose failures arrive through an error recorder and nobody listens).
  explicit TrtLogScope(LogFn sink);
  // Queues the messages on `queue`, which must outlive the scope.
  explicit TrtLogScope(TrtMessageQueue& queue);
  ~TrtLogScope();
  TrtLogScope(const TrtLogScope&) = delete;
  TrtLogScope& operator=(const TrtLogScope&) = delete;

 private:
  friend class TrtLogger;
  LogFn sink_;
  TrtMessageQueue* queue_ = nullptr;
  TrtLogScope* previous_;
};

// loadTensorRT() (TENSORRT_UNAVAILABLE when it cannot), plus the process-wide setup that goes
// with the one logger, done once: the standard plugins of libnvinfer_plugin (when it was found)
// are registered with TensorRT, so plans that use them deserialize. Every backend path into
// TensorRT starts here.
const TensorRTLibraries& loadTensorRTBackend();

}  // namespace trtn::trt
