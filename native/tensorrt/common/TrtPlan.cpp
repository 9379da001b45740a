#include "TrtPlan.h"

#include <cstring>

#include "../../engine/Plan.h"
#include "../../engine/Status.h"
#include "TrtLibrary.h"

namespace trtn::trt {

namespace {

// TensorRT's own serialized engines begin with these bytes.
constexpr char kRawPlanMagic[4] = {'f', 't', 'r', 't'};
// Offset of the backend field in the plan header (docs/plan-format.md).
constexpr size_t kHeaderBackendOffset = 16;
// Longest device name accepted (cudaDeviceProp::name holds 256 bytes).
constexpr uint32_t kMaxDeviceName = 256;

template <typename T>
void put(std::vector<uint8_t>& out, T v) {
  size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &v, sizeof(T));
}

class PayloadReader {
 public:
  PayloadReader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
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

 private:
  void need(size_t n) {
    if (n > n_ - at_)
      fail(StatusCode::kPlanCorrupt, "TensorRT plan wrapper is corrupt: it ends early (wanted ", n, " more bytes at offset ",
           at_, " of ", n_, ")");
  }
  const uint8_t* p_;
  size_t n_;
  size_t at_ = 0;
};

std::string computeCapability(int major, int minor) { return concat(major, ".", minor); }

}  // namespace

std::vector<uint8_t> wrapTensorRTPlan(const uint8_t* engine, size_t size, const TrtPlanMeta& meta) {
  TRTN_CHECK_ARG(size > 0 && engine != nullptr, "Expected a non-empty TensorRT engine for engine but received 0 bytes");
  TRTN_CHECK_ARG((meta.compatibility & ~kPlanCompatibilityBits) == 0, "Expected bits of ", kPlanCompatibilityBits,
                 " for compatibility but received ", meta.compatibility);
  TRTN_CHECK_ARG(meta.deviceName.size() <= kMaxDeviceName, "Expected at most ", kMaxDeviceName,
                 " bytes for deviceName but received ", meta.deviceName.size());
  std::vector<uint8_t> payload;
  payload.reserve(size + 32 + meta.deviceName.size());
  // Version 1 (no compatibility field) when there is nothing to record, so releases that read
  // only version 1 still load plans that need nothing newer.
  uint32_t payloadVersion = meta.compatibility == 0 ? 1 : kWrappedPayloadVersion;
  put<uint32_t>(payload, payloadVersion);
  put<int32_t>(payload, meta.tensorrtVersion);
  put<int32_t>(payload, meta.computeMajor);
  put<int32_t>(payload, meta.computeMinor);
  if (payloadVersion >= 2) put<uint32_t>(payload, meta.compatibility);
  put<uint32_t>(payload, static_cast<uint32_t>(meta.deviceName.size()));
  payload.insert(payload.end(), meta.deviceName.begin(), meta.deviceName.end());
  put<uint64_t>(payload, static_cast<uint64_t>(size));
  payload.insert(payload.end(), engine, engine + size);

  std::vector<uint8_t> out;
  out.reserve(kPlanHeaderSize + payload.size());
  out.insert(out.end(), kPlanMagic, kPlanMagic + 8);
  put<uint32_t>(out, kPlanFormatVersion);
  put<uint32_t>(out, kPlanHeaderSize);
  put<uint32_t>(out, static_cast<uint32_t>(BackendKind::kTensorRT));
  put<uint32_t>(out, kProducerVersion);
  put<uint64_t>(out, payload.size());
  put<uint64_t>(out, fnv1a64(payload.data(), payload.size()));
  put<uint32_t>(out, 0);                   // flags
  put<uint32_t>(out, kPlanFormatVersion);  // minReaderVersion
  out.resize(kPlanHeaderSize, 0);          // reserved
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
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
  // Too short to say which backend: damaged whatever it was.
  if (size < kPlanHeaderSize) readPlanHeader(data, size);
  uint32_t backend = 0;
  std::memcpy(&backend, data + kHeaderBackendOffset, sizeof(backend));
  if (backend != static_cast<uint32_t>(BackendKind::kTensorRT)) return view;

  PlanHeader header = readPlanHeader(data, size);  // size, checksum: PLAN_CORRUPT / PLAN_INCOMPATIBLE
  PayloadReader r(data + header.headerSize, header.payloadSize);
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
