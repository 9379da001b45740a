#include "TrtPlan.h"

#include <cstring>

#include "../../engine/ByteStream.h"
#include "../../engine/Plan.h"
#include "../../engine/Status.h"
#include "TrtLibrary.h"

namespace trtn::trt {

namespace {

// TensorRT's own serialized engines begin with these bytes.
constexpr char kRawPlanMagic[4] = {'f', 't', 'r', 't'};
// Longest device name accepted (cudaDeviceProp::name holds 256 bytes).
constexpr uint32_t kMaxDeviceName = 256;

std::string computeCapability(int major, int minor) { return concat(major, ".", minor); }

}  // namespace

std::vector<uint8_t> wrapTensorRTPlan(const uint8_t* engine, size_t size, const TrtPlanMeta& meta) {
  TRTN_CHECK_ARG(size > 0 && engine != nullptr, "Expected a non-empty TensorRT engine for engine but received 0 bytes");
  TRTN_CHECK_ARG((meta.compatibility & ~kPlanCompatibilityBits) == 0, "Expected bits of ", kPlanCompatibilityBits,
                 " for compatibility but received ", meta.compatibility);
  TRTN_CHECK_ARG(meta.deviceName.size() <= kMaxDeviceName, "Expected at most ", kMaxDeviceName,
                 " bytes for deviceName but received ", meta.deviceName.size());
  ByteWriter payload;
  payload.bytes.reserve(size + 32 + meta.deviceName.size());
  // Version 1 (no compatibility field) when there is nothing to record, so releases that read
  // only version 1 still load plans that need nothing newer.
  uint32_t payloadVersion = meta.compatibility == 0 ? 1 : kWrappedPayloadVersion;
  payload.pod<uint32_t>(payloadVersion);
  payload.pod<int32_t>(meta.tensorrtVersion);
  payload.pod<int32_t>(meta.computeMajor);
  payload.pod<int32_t>(meta.computeMinor);
  if (payloadVersion >= 2) payload.pod<uint32_t>(meta.compatibility);
  payload.pod<uint32_t>(static_cast<uint32_t>(meta.deviceName.size()));
  payload.raw(meta.deviceName.data(), meta.deviceName.size());
  payload.pod<uint64_t>(static_cast<uint64_t>(size));
  payload.raw(engine, size);
  return planWithHeader(BackendKind::kTensorRT, payload.bytes);
}

TrtPlanView viewTensorRTPlan(const uint8_t* data, size_t size) {
  TrtPlanView view;
  if (size >= sizeof(kRawPlanMagic) && std::memcmp(data, kRawPlanMagic, sizeof(kRawPlanMagic)) == 0) {
    view.form = TrtPlanForm::kRaw;
    view.engine = data;
    view.engineSize = size;
    return view;
  }
  if (sniffPlan(data, size) != PlanKind::kTensorRTNode) return view;
  if (peekPlanBackend(data, size) != static_cast<uint32_t>(BackendKind::kTensorRT)) return view;

  PlanHeader header = readPlanHeader(data, size);  // size, checksum: PLAN_CORRUPT / PLAN_INCOMPATIBLE
  ByteReader r(data + header.headerSize, header.payloadSize, "TensorRT plan wrapper");
  uint32_t payloadVersion = r.pod<uint32_t>();
  if (payloadVersion == 0)
    fail(StatusCode::kPlanCorrupt, "TensorRT plan wrapper is corrupt: payload version 0 is invalid");
  if (payloadVersion > kWrappedPayloadVersion)
    fail(StatusCode::kPlanIncompatible, "TensorRT plan wrapper version ", payloadVersion,
         " is newer than this tensorrt-node reads (", kWrappedPayloadVersion, "); upgrade tensorrt-node");
  view.meta.tensorrtVersion = r.pod<int32_t>();
  view.meta.computeMajor = r.pod<int32_t>();
  view.meta.computeMinor = r.pod<int32_t>();
  if (payloadVersion >= 2) {
    view.meta.compatibility = r.pod<uint32_t>();
    if ((view.meta.compatibility & ~kPlanCompatibilityBits) != 0)
      fail(StatusCode::kPlanCorrupt, "TensorRT plan wrapper is corrupt: unknown compatibility bits ", view.meta.compatibility);
  }
  uint32_t nameLength = r.pod<uint32_t>();
  if (nameLength > kMaxDeviceName)
    fail(StatusCode::kPlanCorrupt, "TensorRT plan wrapper is corrupt: device name of ", nameLength, " bytes");
  const uint8_t* name = r.raw(nameLength);
  view.meta.deviceName.assign(reinterpret_cast<const char*>(name), nameLength);
  uint64_t engineSize = r.pod<uint64_t>();
  if (engineSize == 0 || engineSize != r.remaining())
    fail(StatusCode::kPlanCorrupt, "TensorRT plan wrapper is corrupt: it records an engine of ", engineSize, " bytes but holds ",
         r.remaining());
  if (view.meta.tensorrtVersion <= 0 || view.meta.computeMajor < 0 || view.meta.computeMinor < 0)
    fail(StatusCode::kPlanCorrupt, "TensorRT plan wrapper is corrupt: TensorRT version ", view.meta.tensorrtVersion,
         ", compute capability ", computeCapability(view.meta.computeMajor, view.meta.computeMinor));
  view.engine = r.raw(static_cast<size_t>(engineSize));
  view.engineSize = static_cast<size_t>(engineSize);
  view.form = TrtPlanForm::kWrapped;
  return view;
}

void checkTensorRTPlanCompatible(const TrtPlanView& view, int32_t loadedVersion, int computeMajor, int computeMinor) {
  if (view.form != TrtPlanForm::kWrapped) return;
  const TrtPlanMeta& m = view.meta;
  if (m.compatibility & kPlanVersionCompatible) {
    // Version-compatible engines carry their own lean runtime: any newer release of the major.
    if (loadedVersion / 10000 != m.tensorrtVersion / 10000 || loadedVersion < m.tensorrtVersion)
      fail(StatusCode::kPlanIncompatible, "plan was built version-compatible with TensorRT ", formatTensorRTVersion(m.tensorrtVersion),
           ", so it runs on that TensorRT or a newer ", m.tensorrtVersion / 10000, ".x, but TensorRT ",
           formatTensorRTVersion(loadedVersion), " is loaded");
  } else if (m.tensorrtVersion != loadedVersion) {
    // Other TensorRT engines run only on the TensorRT release that built them.
    fail(StatusCode::kPlanIncompatible, "plan was built with TensorRT ", formatTensorRTVersion(m.tensorrtVersion),
         " but TensorRT ", formatTensorRTVersion(loadedVersion),
         " is loaded; rebuild the engine with this TensorRT (or load the TensorRT it was built with)");
  }
  if (m.compatibility & kPlanAmperePlus) {
    if (computeMajor < 8)
      fail(StatusCode::kPlanIncompatible, "plan was built hardware-compatible for Ampere and newer GPUs (compute capability 8.0 or "
           "higher) but this GPU has compute capability ", computeCapability(computeMajor, computeMinor));
    return;
  }
  // Other kernels are compiled for one GPU architecture (SM); SAME_COMPUTE_CAPABILITY engines run
  // on any GPU of that one.
  if (m.computeMajor != computeMajor || m.computeMinor != computeMinor)
    fail(StatusCode::kPlanIncompatible, "plan was built for a GPU of compute capability ",
         computeCapability(m.computeMajor, m.computeMinor), m.deviceName.empty() ? "" : concat(" (", m.deviceName, ")"),
         " but this GPU has compute capability ", computeCapability(computeMajor, computeMinor),
         "; rebuild the engine on this GPU type");
}

}  // namespace trtn::trt
