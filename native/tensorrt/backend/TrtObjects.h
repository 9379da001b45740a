// The TensorRT headers as the runtime files see them, and owning handles for TensorRT objects.
// TensorRT 11 objects are freed with plain delete; every handle here goes through this one
// deleter so the rule lives in one place.
#pragma once

// The headers' own inline code uses their deprecated V2-plugin and allocator entry points; those
// warnings are TensorRT's, not ours, and would fail a -Werror build when the include directory is
// not a system one.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <NvInfer.h>
#pragma GCC diagnostic pop

#include <memory>

namespace trtn::trt {

struct TrtDelete {
  template <typename T>
  void operator()(T* object) const noexcept {
    delete object;
  }
};

template <typename T>
using TrtUnique = std::unique_ptr<T, TrtDelete>;

}  // namespace trtn::trt
