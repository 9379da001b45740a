#include "TrtErrorRecorder.h"

namespace trtn::trt {

StatusCode statusCodeOf(nvinfer1::ErrorCode code) {
  switch (code) {
    case nvinfer1::ErrorCode::kSUCCESS:
      return StatusCode::kOk;
    case nvinfer1::ErrorCode::kINVALID_ARGUMENT:
      return StatusCode::kInvalidArgument;
    case nvinfer1::ErrorCode::kFAILED_ALLOCATION:
      return StatusCode::kOutOfMemory;
    case nvinfer1::ErrorCode::kINVALID_STATE:
      return StatusCode::kInvalidState;
    case nvinfer1::ErrorCode::kUNSUPPORTED_STATE:
      return StatusCode::kUnsupported;
    default:
      return StatusCode::kTensorRTError;
  }
}

int32_t TrtErrorRecorder::getNbErrors() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int32_t>(errors_.size());
}

nvinfer1::ErrorCode TrtErrorRecorder::getErrorCode(int32_t errorIdx) const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (errorIdx < 0 || static_cast<size_t>(errorIdx) >= errors_.size()) return nvinfer1::ErrorCode::kUNSPECIFIED_ERROR;
  return errors_[static_cast<size_t>(errorIdx)].code;
}

nvinfer1::IErrorRecorder::ErrorDesc TrtErrorRecorder::getErrorDesc(int32_t errorIdx) const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  // The pointer stays valid until clear() (or mark() on a full recorder, which clears it).
  if (errorIdx < 0 || static_cast<size_t>(errorIdx) >= errors_.size()) return "";
  return errors_[static_cast<size_t>(errorIdx)].desc.c_str();
}

bool TrtErrorRecorder::hasOverflowed() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return overflowed_;
}

void TrtErrorRecorder::clear() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  errors_.clear();
  overflowed_ = false;
}

bool TrtErrorRecorder::reportError(nvinfer1::ErrorCode val, ErrorDesc desc) noexcept {
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    if (errors_.size() >= static_cast<size_t>(kCapacity)) {
      // Full: the new error is dropped and not counted, and earlier descriptions stay where
      // getErrorDesc() pointed.
      overflowed_ = true;
      return true;
    }
    // Room for every entry up front: a push never moves the strings getErrorDesc() handed out.
    if (errors_.capacity() < static_cast<size_t>(kCapacity)) errors_.reserve(static_cast<size_t>(kCapacity));
    // `desc` is only valid during this call: copy it.
    errors_.push_back(Entry{++reportedTotal_, val, desc ? std::string(desc) : std::string()});
  } catch (...) {
    // Out of host memory: the error is lost, but reportError must not throw into TensorRT.
  }
  // Every error ends the call that reported it: failing fast keeps a broken build or run from
  // going on, and the caller turns the recorded error into a TrtError.
  return true;
}

nvinfer1::IErrorRecorder::RefCount TrtErrorRecorder::incRefCount() noexcept { return ++refCount_; }

nvinfer1::IErrorRecorder::RefCount TrtErrorRecorder::decRefCount() noexcept { return --refCount_; }

uint64_t TrtErrorRecorder::mark() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  // A full recorder would drop the errors of the call about to be made: start over, as clear()
  // does (the descriptions of earlier calls were read by their failure(), if at all).
  if (errors_.size() >= static_cast<size_t>(kCapacity)) {
    errors_.clear();
    overflowed_ = false;
  }
  return reportedTotal_;
}

Status TrtErrorRecorder::failure(uint64_t since, const std::string& what) const {
  std::lock_guard<std::mutex> lock(mutex_);
  Status status{StatusCode::kTensorRTError, std::string()};
  bool first = true;
  for (const Entry& e : errors_) {
    if (e.serial <= since) continue;
    if (first) {
      status.code = statusCodeOf(e.code);
      if (status.code == StatusCode::kOk) status.code = StatusCode::kTensorRTError;
      status.message = what + ": ";
    } else {
      status.message += "; ";
    }
    status.message += e.desc;
    first = false;
  }
  if (first) status.message = what + " (TensorRT reported no error description; see the log)";
  return status;
}

void TrtErrorRecorder::fail(uint64_t since, const std::string& what) const {
  Status s = failure(since, what);
  throw EngineError(s.code, s.message);
}

bool TrtErrorRecorder::reported(uint64_t since, nvinfer1::ErrorCode code) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Entry& e : errors_)
    if (e.serial > since && e.code == code) return true;
  return false;
}

}  // namespace trtn::trt
