// Plan files: a fixed 64-byte header (magic, format version, backend, producer version, payload
// length and checksum) followed by the payload. docs/plan-format.md is the prose spec.
#pragma once

#include <cstdint>
#include <vector>

#include "EngineDesc.h"

namespace trtn {

constexpr char kPlanMagic[8] = {'T', 'R', 'T', 'N', 'P', 'L', 'A', 'N'};
// 2: shape tensor inputs and their profile values (docs/plan-format.md, payload section 10).
// 3: loop bodies (payload section 11).
constexpr uint32_t kPlanFormatVersion = 3;
constexpr uint32_t kPlanHeaderSize = 64;
// Producer version: major*10000 + minor*100 + patch of tensorrt-node.
constexpr uint32_t kProducerVersion = 100;

struct PlanHeader {
  uint32_t formatVersion = 0;
  uint32_t headerSize = 0;
  BackendKind backend = BackendKind::kCpu;
  uint32_t producerVersion = 0;
  uint64_t payloadSize = 0;
  uint64_t checksum = 0;
  uint32_t flags = 0;
  uint32_t minReaderVersion = 0;
};

enum class PlanKind { kTensorRTNode, kForeign, kTooShort };

// Classifies bytes without validating them: ours (magic matches), something else, or too short.
PlanKind sniffPlan(const uint8_t* data, size_t size);
// Parses and checks the header and checksum; throws PLAN_CORRUPT / PLAN_INCOMPATIBLE.
PlanHeader readPlanHeader(const uint8_t* data, size_t size);

std::vector<uint8_t> serializePlan(const EngineDesc& desc);
// The 64-byte header (checksum of `payload` included) followed by `payload`: a plan of `backend`
// whose payload format that backend defines (the built-in engine's, or a wrapped TensorRT engine).
std::vector<uint8_t> planWithHeader(BackendKind backend, const std::vector<uint8_t>& payload);
// The backend field of a plan sniffPlan() recognised, read without validating the rest (throws
// PLAN_CORRUPT when the bytes are shorter than the header).
uint32_t peekPlanBackend(const uint8_t* data, size_t size);
// Full validation: header, checksum, every id and size in the payload.
EngineDesc deserializePlan(const uint8_t* data, size_t size);

uint64_t fnv1a64(const uint8_t* data, size_t size);

}  // namespace trtn
