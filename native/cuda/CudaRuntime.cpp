#include "CudaRuntime.h"

#include <mutex>

namespace trtn::cuda {

static StatusCode codeOf(cudaError_t err) {
  switch (err) {
    case cudaErrorMemoryAllocation: return StatusCode::kOutOfMemory;
    case cudaErrorInvalidValue:
    case cudaErrorInvalidDevicePointer:
    case cudaErrorInvalidDevice: return StatusCode::kInvalidArgument;
    case cudaErrorInsufficientDriver:
    case cudaErrorNoDevice:
    case cudaErrorInitializationError:
    case cudaErrorDevicesUnavailable:
    case cudaErrorCallRequiresNewerDriver:
    case cudaErrorSystemDriverMismatch:
    case cudaErrorCompatNotSupportedOnDevice: return StatusCode::kCudaUnavailable;
    case cudaErrorNotSupported: return StatusCode::kUnsupported;
    default: return StatusCode::kCudaError;
  }
}

Status statusOf(cudaError_t err, const char* call) {
  if (err == cudaSuccess) return Status::Ok();
  cudaGetLastError();
  return Status{codeOf(err), concat(call, " failed: ", cudaGetErrorName(err), " (", cudaGetErrorString(err), ")")};
}

void check(cudaError_t err, const char* call) {
  if (err == cudaSuccess) return;
  Status s = statusOf(err, call);
  throw EngineError(s.code, s.message);
}

const DeviceProbe& probe() {
  static DeviceProbe result;
  static std::once_flag once;
  std::call_once(once, [] {
    cudaRuntimeGetVersion(&result.runtimeVersion);
    cudaDriverGetVersion(&result.driverVersion);
    result.error = cudaGetDeviceCount(&result.count);
    if (result.error != cudaSuccess) result.count = 0;
    cudaGetLastError();
    std::string call = concat("cudaGetDeviceCount: ", cudaGetErrorName(result.error));
    if (result.error == cudaErrorInsufficientDriver && result.driverVersion == 0) {
      result.reason = concat("no CUDA driver (", call, ")");
    } else if (result.error == cudaErrorInsufficientDriver) {
      result.reason = concat("the CUDA driver ", result.driverVersion / 1000, ".", result.driverVersion % 1000 / 10,
                             " is older than this build's runtime ", result.runtimeVersion / 1000, ".",
                             result.runtimeVersion % 1000 / 10, " (", call, ")");
    } else if (result.error == cudaErrorNoDevice || (result.error == cudaSuccess && result.count == 0)) {
      result.reason = concat("no CUDA device (", call, ")");
    } else if (result.error != cudaSuccess) {
      result.reason = concat("CUDA is not usable (", call, ": ", cudaGetErrorString(result.error), ")");
    } else {
      result.reason = concat(result.count, " CUDA device", result.count == 1 ? "" : "s", ", driver ",
                             result.driverVersion / 1000, ".", result.driverVersion % 1000 / 10, ", runtime ",
                             result.runtimeVersion / 1000, ".", result.runtimeVersion % 1000 / 10);
    }
  });
  return result;
}

void requireDevice(int ordinal) {
  const DeviceProbe& p = probe();
  if (p.count == 0) fail(StatusCode::kCudaUnavailable, "CUDA is unavailable: ", p.reason);
  if (ordinal >= p.count) fail(StatusCode::kInvalidArgument, "device ", ordinal, " does not exist (", p.count, " CUDA devices)");
}

DeviceInfo deviceInfo(int ordinal) {
  requireDevice(ordinal);
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, ordinal), "cudaGetDeviceProperties");
  DeviceInfo d;
  d.ordinal = ordinal;
  d.name = prop.name;
  d.major = prop.major;
  d.minor = prop.minor;
  d.totalMemory = prop.totalGlobalMem;
  d.multiProcessorCount = prop.multiProcessorCount;
  int v = 0;
  if (cudaDeviceGetAttribute(&v, cudaDevAttrManagedMemory, ordinal) == cudaSuccess) d.managedMemory = v != 0;
  if (cudaDeviceGetAttribute(&v, cudaDevAttrConcurrentManagedAccess, ordinal) == cudaSuccess) d.concurrentManagedAccess = v != 0;
  if (cudaDeviceGetAttribute(&v, cudaDevAttrMemoryPoolsSupported, ordinal) == cudaSuccess) d.memoryPools = v != 0;
  char bus[32] = {0};
  if (cudaDeviceGetPCIBusId(bus, sizeof bus, ordinal) == cudaSuccess) d.pciBusId = bus;
  cudaGetLastError();
  return d;
}

std::pair<uint64_t, uint64_t> memoryInfo(int ordinal) {
  requireDevice(ordinal);
  DeviceGuard guard(ordinal);
  size_t freeBytes = 0, total = 0;
  check(cudaMemGetInfo(&freeBytes, &total), "cudaMemGetInfo");
  return {freeBytes, total};
}

int currentDevice() {
  requireDevice();
  int d = 0;
  check(cudaGetDevice(&d), "cudaGetDevice");
  return d;
}

DeviceGuard::DeviceGuard(int ordinal) {
  int current = 0;
  check(cudaGetDevice(&current), "cudaGetDevice");
  if (current != ordinal) {
    check(cudaSetDevice(ordinal), "cudaSetDevice");
    previous_ = current;
  }
}

DeviceGuard::~DeviceGuard() {
  if (previous_ >= 0) cudaSetDevice(previous_);
}

}  // namespace trtn::cuda
