// The CUDA runtime seen by the rest of the addon: failures become Status (CUDA error name plus
// the call that failed), the one device probe, device properties and a current-device guard.
// Compiled only when CMake finds a CUDA compiler (TRTN_WITH_CUDA).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>

#include "../engine/Status.h"

namespace trtn::cuda {

// Status for `err` from `call`; kOk for cudaSuccess. Clears the runtime's last-error slot so a
// refused call (say cudaMalloc out of memory) does not resurface in an unrelated later check.
Status statusOf(cudaError_t err, const char* call);
// Throws EngineError unless `err` is cudaSuccess.
void check(cudaError_t err, const char* call);

// The device count, probed once per process: a driver or device appearing later needs a restart,
// as for every CUDA application. `reason` explains a count of 0.
struct DeviceProbe {
  int count = 0;
  cudaError_t error = cudaSuccess;
  int driverVersion = 0;   // 0 when no driver
  int runtimeVersion = 0;  // the statically linked runtime
  std::string reason;
};
const DeviceProbe& probe();
// Throws kCudaUnavailable with the probe's reason when there is no usable device, and
// kInvalidArgument for an ordinal out of range.
void requireDevice(int ordinal = -1);

struct DeviceInfo {
  int ordinal = 0;
  std::string name;
  int major = 0;
  int minor = 0;
  uint64_t totalMemory = 0;
  int multiProcessorCount = 0;
  bool managedMemory = false;
  bool concurrentManagedAccess = false;
  bool memoryPools = false;
  std::string pciBusId;
};
DeviceInfo deviceInfo(int ordinal);
// cudaMemGetInfo on `ordinal`: {free, total}.
std::pair<uint64_t, uint64_t> memoryInfo(int ordinal);
int currentDevice();

// Makes `ordinal` current for the calling thread for the guard's lifetime (the current device is
// per host thread, and objects remember the device they were created on).
class DeviceGuard {
 public:
  explicit DeviceGuard(int ordinal);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = -1;
};

}  // namespace trtn::cuda
