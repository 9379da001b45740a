// ITimingCache operations on serialized caches (the JS TimingCache holds bytes; a TensorRT cache
// object lives only inside an IBuilderConfig). Each call loads TensorRT, makes a builder and a
// config on the calling thread, and serializes the result. Throws EngineError.
#pragma once

#include <cstdint>
#include <vector>

namespace trtn::trt {

// ITimingCache::combine: `into` with the entries of `from` added.
std::vector<uint8_t> combineTimingCaches(const std::vector<uint8_t>& into, const std::vector<uint8_t>& from, bool ignoreMismatch);
// ITimingCache::reset: an empty cache of the loaded TensorRT version.
std::vector<uint8_t> emptyTimingCache();

}  // namespace trtn::trt
