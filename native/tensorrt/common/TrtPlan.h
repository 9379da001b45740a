// TensorRT engines inside our plan files. A wrapped plan is the 64-byte plan header
// (native/engine/Plan.h, backend = tensorrt) followed by a payload that records what the engine
// was built with (TensorRT version, GPU) and then the raw engine bytes, so an incompatible plan is
// refused with both sides named before TensorRT sees it. Raw TensorRT plans (trtexec, the Python
// API) are accepted as they are. docs/plan-format.md describes the payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace trtn::trt {

// Version of the wrapped payload layout (independent of the plan format version).
constexpr uint32_t kWrappedPayloadVersion = 1;

struct TrtPlanMeta {
  int32_t tensorrtVersion = 0;  // getInferLibVersion() of the builder: major*10000 + minor*100 + patch
  int32_t computeMajor = 0, computeMinor = 0;
  std::string deviceName;
};

std::vector<uint8_t> wrapTensorRTPlan(const uint8_t* engine, size_t size, const TrtPlanMeta& meta);

enum class TrtPlanForm { kWrapped, kRaw, kNotTensorRT };

struct TrtPlanView {
  TrtPlanForm form = TrtPlanForm::kNotTensorRT;
  TrtPlanMeta meta;  // only for kWrapped
  const uint8_t* engine = nullptr;  // points into the viewed bytes
  size_t engineSize = 0;
};

// Classifies and, for a wrapped plan, validates (header, checksum, payload bounds): PLAN_CORRUPT
// for a damaged wrapper. Plans of the other backends and bytes that are no plan at all are
// kNotTensorRT (the built-in reader reports those).
TrtPlanView viewTensorRTPlan(const uint8_t* data, size_t size);

// PLAN_INCOMPATIBLE when a wrapped plan was built with another TensorRT version or for another
// GPU compute capability, naming both sides. Raw plans carry no record; TensorRT refuses those
// itself.
void checkTensorRTPlanCompatible(const TrtPlanView& view, int32_t loadedVersion, int computeMajor, int computeMinor);

}  // namespace trtn::trt
