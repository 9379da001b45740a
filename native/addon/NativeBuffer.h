// What every native buffer object (host, and with CUDA device, pinned and unified) offers the
// rest of the addon: its memory, whether the host can touch it, and a hold that keeps it alive
// while work is in flight. The CPU backend binds only host-accessible memory.
#pragma once

#include <napi.h>

#include <memory>

namespace trtn::addon {

struct BufferMemory {
  uint8_t* data = nullptr;
  size_t bytes = 0;
  bool hostAccessible = true;
  const char* location = "host";  // 'host' | 'device' | 'pinned' | 'unified'
  std::shared_ptr<const void> hold;  // null once the buffer is disposed
};

class NativeBuffer {
 public:
  virtual ~NativeBuffer() = default;
  virtual BufferMemory memory() const = 0;
};

// Recognizes the buffer classes of an optional module (the CUDA module registers one at load).
using BufferResolver = NativeBuffer* (*)(Napi::Value value);

// Any native buffer object; throws INVALID_ARGUMENT naming `what` for anything else.
NativeBuffer* unwrapBuffer(Napi::Value value, const char* what);

}  // namespace trtn::addon
