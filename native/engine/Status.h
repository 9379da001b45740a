// Status codes and the engine's error type.
//
// The engine throws EngineError internally; every entry point the addon calls converts it to a
// Status (see Result below), so no exception crosses the engine/addon boundary.
#pragma once

#include <cstdint>
#include <exception>
#include <sstream>
#include <string>
#include <utility>

namespace trtn {

// Grouped by category; the string form is the JS-visible `code` of TrtError.
enum class StatusCode : int32_t {
  kOk = 0,
  // argument
  kInvalidArgument = 10,
  // state
  kInvalidState = 20,
  kDisposed = 21,
  kCancelled = 22,
  // resource
  kOutOfMemory = 30,
  // plan compatibility
  kPlanCorrupt = 40,
  kPlanIncompatible = 41,
  // capability
  kUnsupported = 50,
  // device (CUDA)
  kCudaUnavailable = 55,
  kCudaError = 56,
  // TensorRT (the tensorrt backend)
  kTensorRTUnavailable = 57,
  kTensorRTError = 58,
  // everything else
  kInternal = 60,
};

const char* toString(StatusCode code);

class EngineError : public std::exception {
 public:
  EngineError(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code() const noexcept { return code_; }
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const noexcept { return message_; }

 private:
  StatusCode code_;
  std::string message_;
};

struct Status {
  StatusCode code = StatusCode::kOk;
  std::string message;
  bool ok() const { return code == StatusCode::kOk; }
  static Status Ok() { return {}; }
};

// Runs `fn` and converts any exception into a Status. Used at every engine entry point.
template <typename Fn>
Status captureStatus(Fn&& fn) noexcept {
  try {
    fn();
    return Status::Ok();
  } catch (const EngineError& e) {
    return Status{e.code(), e.message()};
  } catch (const std::bad_alloc&) {
    return Status{StatusCode::kOutOfMemory, "host memory allocation failed"};
  } catch (const std::exception& e) {
    return Status{StatusCode::kInternal, e.what()};
  } catch (...) {
    return Status{StatusCode::kInternal, "unknown internal error"};
  }
}

namespace detail {
inline void appendAll(std::ostringstream&) {}
template <typename T, typename... Rest>
void appendAll(std::ostringstream& os, const T& v, const Rest&... rest) {
  os << v;
  appendAll(os, rest...);
}
}  // namespace detail

template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream os;
  detail::appendAll(os, parts...);
  return os.str();
}

template <typename... Parts>
[[noreturn]] void fail(StatusCode code, const Parts&... parts) {
  throw EngineError(code, concat(parts...));
}

}  // namespace trtn

#define TRTN_CHECK(cond, code, ...)                 \
  do {                                              \
    if (!(cond)) ::trtn::fail((code), __VA_ARGS__); \
  } while (0)

#define TRTN_CHECK_ARG(cond, ...) TRTN_CHECK(cond, ::trtn::StatusCode::kInvalidArgument, __VA_ARGS__)
