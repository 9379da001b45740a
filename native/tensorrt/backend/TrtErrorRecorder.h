// nvinfer1::IErrorRecorder that keeps what TensorRT reports, so a failed call (null or false)
// becomes an EngineError carrying TensorRT's own code and description instead of log text.
// Thread-safe (TensorRT reports from its build and execution threads). The reference count only
// tracks TensorRT's holds: the recorder is owned by a shared_ptr that every TensorRT object using
// it keeps alive (see TrtRuntime / the build), so it is never destroyed while a hold remains.
#pragma once

#include "TrtObjects.h"

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "../../engine/Status.h"

namespace trtn::trt {

// nvinfer1::ErrorCode -> our StatusCode.
StatusCode statusCodeOf(nvinfer1::ErrorCode code);

class TrtErrorRecorder final : public nvinfer1::IErrorRecorder {
 public:
  // Errors kept; once full, new ones are dropped and not counted (hasOverflowed() then says so),
  // as IErrorRecorder::reportError asks, so getErrorDesc pointers stay valid until clear().
  static constexpr int32_t kCapacity = 64;

  int32_t getNbErrors() const noexcept override;
  nvinfer1::ErrorCode getErrorCode(int32_t errorIdx) const noexcept override;
  ErrorDesc getErrorDesc(int32_t errorIdx) const noexcept override;
  bool hasOverflowed() const noexcept override;
  void clear() noexcept override;
  bool reportError(nvinfer1::ErrorCode val, ErrorDesc desc) noexcept override;
  RefCount incRefCount() noexcept override;
  RefCount decRefCount() noexcept override;

  // Number of errors recorded so far (never decreases; clear() does not reset it). Take it before
  // a TensorRT call, and pass it to failure() after it failed, to see only that call's errors.
  // Clears a full recorder first, so that call's errors are kept.
  uint64_t mark() const noexcept;
  // The errors reported since `since`, as one Status: the first error's code (mapped), every
  // description joined. When TensorRT reported none, `fallback` with kTensorRTError.
  Status failure(uint64_t since, const std::string& what) const;
  // Throws failure(since, what) as EngineError.
  [[noreturn]] void fail(uint64_t since, const std::string& what) const;
  // Whether any error reported since `since` has code `code`.
  bool reported(uint64_t since, nvinfer1::ErrorCode code) const;
  RefCount refCount() const noexcept { return refCount_.load(); }

 private:
  struct Entry {
    uint64_t serial;
    nvinfer1::ErrorCode code;
    std::string desc;
  };
  mutable std::mutex mutex_;
  // Mutable: mark() clears a full recorder, which changes nothing a caller can still ask about.
  mutable std::vector<Entry> errors_;  // oldest first, at most kCapacity (reserved: never reallocated)
  uint64_t reportedTotal_ = 0;
  mutable bool overflowed_ = false;
  std::atomic<RefCount> refCount_{0};
};

}  // namespace trtn::trt
