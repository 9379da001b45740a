#include "GpuAllocator.h"

#include "../engine/Status.h"
#include "CudaRuntime.h"

namespace trtn::cuda {

static thread_local std::string tlsRefusal;

std::string GpuAllocator::lastRefusal() { return tlsRefusal; }
void GpuAllocator::refuse(std::string why) { tlsRefusal = std::move(why); }

static bool validAlignment(uint64_t a) { return a == 0 || ((a & (a - 1)) == 0 && a <= 256); }

void* BasicAllocator::allocateAsync(uint64_t size, uint64_t alignment, uint32_t, cudaStream_t stream, const char*) noexcept {
  if (!validAlignment(alignment)) {
    refuse(concat("alignment ", alignment, " is not 0 or a power of two up to 256"));
    return nullptr;
  }
  if (probe().count == 0) {
    refuse(probe().reason);
    return nullptr;
  }
  int current = -1;
  cudaGetDevice(&current);
  if (current != device_) cudaSetDevice(device_);
  void* p = nullptr;
  cudaError_t err = rawAllocate(&p, size ? size : 1, stream);
  if (current >= 0 && current != device_) cudaSetDevice(current);
  if (err != cudaSuccess) {
    refuse(statusOf(err, allocateCall()).message);
    return nullptr;
  }
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    live_[p] = size;
  } catch (...) {
    rawFree(p, stream);
    refuse("host memory for the allocator's bookkeeping ran out");
    return nullptr;
  }
  return p;
}

bool BasicAllocator::deallocateAsync(void* ptr, cudaStream_t stream) noexcept {
  if (!ptr) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (live_.erase(ptr) == 0) return false;  // not ours, or freed twice
  }
  int current = -1;
  cudaGetDevice(&current);
  if (current != device_) cudaSetDevice(device_);
  cudaError_t err = rawFree(ptr, stream);
  if (current >= 0 && current != device_) cudaSetDevice(current);
  if (err != cudaSuccess) cudaGetLastError();
  return err == cudaSuccess;
}

void* BasicAllocator::reallocate(void* ptr, uint64_t alignment, uint64_t newSize) noexcept {
  uint64_t oldSize = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(ptr);
    if (it == live_.end()) {
      refuse("reallocate: the pointer was not allocated by this allocator");
      return nullptr;
    }
    oldSize = it->second;
  }
  void* fresh = allocate(newSize, alignment, 0, nullptr);
  if (!fresh) return nullptr;
  // Synchronous copy: reallocate has no stream, and the old memory is freed right after.
  cudaError_t err = cudaMemcpy(fresh, ptr, oldSize < newSize ? oldSize : newSize, cudaMemcpyDefault);
  if (err != cudaSuccess) {
    refuse(statusOf(err, "cudaMemcpy").message);
    deallocate(fresh);
    return nullptr;
  }
  deallocate(ptr);
  return fresh;
}

PoolAllocator::PoolAllocator(int device, uint64_t releaseThreshold) : BasicAllocator(device), threshold_(releaseThreshold) {
  requireDevice(device);
  int supported = 0;
  check(cudaDeviceGetAttribute(&supported, cudaDevAttrMemoryPoolsSupported, device), "cudaDeviceGetAttribute");
  if (!supported) fail(StatusCode::kUnsupported, "device ", device, " does not support memory pools (cudaDevAttrMemoryPoolsSupported is 0)");
  cudaMemPoolProps props{};
  props.allocType = cudaMemAllocationTypePinned;
  props.handleTypes = cudaMemHandleTypeNone;
  props.location.type = cudaMemLocationTypeDevice;
  props.location.id = device;
  check(cudaMemPoolCreate(&pool_, &props), "cudaMemPoolCreate");
  uint64_t t = releaseThreshold;
  Status s = statusOf(cudaMemPoolSetAttribute(pool_, cudaMemPoolAttrReleaseThreshold, &t), "cudaMemPoolSetAttribute");
  if (!s.ok()) {
    cudaMemPoolDestroy(pool_);
    throw EngineError(s.code, s.message);
  }
}

PoolAllocator::~PoolAllocator() {
  // Destruction is deferred by the driver until outstanding allocations are freed.
  if (pool_) cudaMemPoolDestroy(pool_);
}

PoolAllocator::Usage PoolAllocator::usage() const {
  Usage u{};
  uint64_t v = 0;  // the attributes are cuuint64_t (64-bit unsigned)
  if (cudaMemPoolGetAttribute(pool_, cudaMemPoolAttrReservedMemCurrent, &v) == cudaSuccess) u.reservedCurrent = v;
  if (cudaMemPoolGetAttribute(pool_, cudaMemPoolAttrReservedMemHigh, &v) == cudaSuccess) u.reservedHigh = v;
  if (cudaMemPoolGetAttribute(pool_, cudaMemPoolAttrUsedMemCurrent, &v) == cudaSuccess) u.usedCurrent = v;
  if (cudaMemPoolGetAttribute(pool_, cudaMemPoolAttrUsedMemHigh, &v) == cudaSuccess) u.usedHigh = v;
  cudaGetLastError();
  return u;
}

void PoolAllocator::trimTo(uint64_t minBytesToKeep) { check(cudaMemPoolTrimTo(pool_, minBytesToKeep), "cudaMemPoolTrimTo"); }

void* TrackingAllocator::allocateAsync(uint64_t size, uint64_t alignment, uint32_t flags, cudaStream_t stream, const char* tag) noexcept {
  void* p = inner_->allocateAsync(size, alignment, flags, stream, tag);
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string key = tag ? tag : "untagged";
    TagStats& t = stats_.byTag[key];
    if (!p) {
      ++stats_.refusals;
      ++t.refusals;
      return nullptr;
    }
    live_[p] = Entry{size, key};
    ++stats_.allocations;
    ++stats_.liveAllocations;
    ++t.allocations;
    t.liveBytes += size;
    stats_.liveBytes += size;
    if (stats_.liveBytes > stats_.peakBytes) stats_.peakBytes = stats_.liveBytes;
  } catch (...) {
    if (p) inner_->deallocateAsync(p, stream);
    refuse("host memory for the allocator's bookkeeping ran out");
    return nullptr;
  }
  return p;
}

bool TrackingAllocator::deallocateAsync(void* ptr, cudaStream_t stream) noexcept {
  bool ok = inner_->deallocateAsync(ptr, stream);
  if (!ok) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(ptr);
  if (it == live_.end()) return true;
  TagStats& t = stats_.byTag[it->second.tag];
  ++t.deallocations;
  t.liveBytes -= it->second.size;
  ++stats_.deallocations;
  --stats_.liveAllocations;
  stats_.liveBytes -= it->second.size;
  live_.erase(it);
  return true;
}

void* TrackingAllocator::reallocate(void* ptr, uint64_t alignment, uint64_t newSize) noexcept {
  void* fresh = inner_->reallocate(ptr, alignment, newSize);
  if (!fresh) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(ptr);
  if (it == live_.end()) return fresh;
  Entry e = it->second;
  live_.erase(it);
  stats_.liveBytes = stats_.liveBytes - e.size + newSize;
  stats_.byTag[e.tag].liveBytes = stats_.byTag[e.tag].liveBytes - e.size + newSize;
  if (stats_.liveBytes > stats_.peakBytes) stats_.peakBytes = stats_.liveBytes;
  live_[fresh] = Entry{newSize, e.tag};
  return fresh;
}

TrackingAllocator::Stats TrackingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void TrackingAllocator::resetPeak() {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.peakBytes = stats_.liveBytes;
}

}  // namespace trtn::cuda
