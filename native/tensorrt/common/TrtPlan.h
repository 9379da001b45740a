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

// Version of the wrapped payload layout (independent of the plan format version). 2 added the
// compatibility bits; version 1 payloads are still read (as bits 0), and still written when no
// bit is set.
constexpr uint32_t kWrappedPayloadVersion = 2;

// TrtPlanMeta::compatibility bits: what the engine was built to tolerate.
// BuilderFlag.VERSION_COMPATIBLE: runs on the TensorRT that built it or a newer one of the same major.
constexpr uint32_t kPlanVersionCompatible = 1u << 0;
// HardwareCompatibilityLevel.AMPERE_PLUS: runs on any GPU of compute capability 8.0 or newer.
constexpr uint32_t kPlanAmperePlus = 1u << 1;
// HardwareCompatibilityLevel.SAME_COMPUTE_CAPABILITY: any GPU of the building GPU's compute capability.
constexpr uint32_t kPlanSameComputeCapability = 1u << 2;
constexpr uint32_t kPlanCompatibilityBits = kPlanVersionCompatible | kPlanAmperePlus | kPlanSameComputeCapability;

struct TrtPlanMeta {
  int32_t tensorrtVersion = 0;  // getInferLibVersion() of the builder: major*10000 + minor*100 + patch
  int32_t computeMajor = 0, computeMinor = 0;
  std::string deviceName;
  uint32_t compatibility = 0;  // kPlan* bits
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
// GPU compute capability, naming both sides; a version-compatible plan accepts a newer TensorRT
// of its major, a hardware-compatible one the GPUs its level covers. Raw plans carry no record;
// TensorRT refuses those itself.
void checkTensorRTPlanCompatible(const TrtPlanView& view, int32_t loadedVersion, int computeMajor, int computeMinor);

}  // namespace trtn::trt
