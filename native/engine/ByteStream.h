// Little helpers for the binary formats of plan files (Plan.cpp) and wrapped TensorRT engines
// (native/tensorrt/common/TrtPlan.cpp): appending plain values, and reading them back with every
// read bounds-checked against untrusted input.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "Status.h"

namespace trtn {

class ByteWriter {
 public:
  std::vector<uint8_t> bytes;
  template <typename T>
  void pod(T v) {
    raw(&v, sizeof(T));
  }
  void raw(const void* p, size_t n) {
    size_t at = bytes.size();
    bytes.resize(at + n);
    if (n) std::memcpy(bytes.data() + at, p, n);
  }
};

class ByteReader {
 public:
  // `what` names the data in errors: "<what> is corrupt: it ends early (...)".
  ByteReader(const uint8_t* p, size_t n, const char* what) : p_(p), n_(n), what_(what) {}
  template <typename T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p_ + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  const uint8_t* raw(size_t n) {
    need(n);
    const uint8_t* r = p_ + at_;
    at_ += n;
    return r;
  }
  size_t remaining() const { return n_ - at_; }
  bool atEnd() const { return at_ == n_; }

 protected:
  // PLAN_CORRUPT unless `n` more bytes are present.
  void need(size_t n) {
    if (n > n_ - at_)
      fail(StatusCode::kPlanCorrupt, what_, " is corrupt: it ends early (wanted ", n, " more bytes at offset ", at_, " of ", n_,
           ")");
  }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t at_ = 0;
  const char* what_;
};

}  // namespace trtn
