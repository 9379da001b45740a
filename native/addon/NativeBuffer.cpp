#include "NativeBuffer.h"

#include "AddonData.h"
#include "AddonHostBuffer.h"

namespace trtn::addon {

NativeBuffer* unwrapBuffer(Napi::Value value, const char* what) {
  Napi::Env env = value.Env();
  if (value.IsObject()) {
    Napi::Object o = value.As<Napi::Object>();
    if (o.CheckTypeTag(&kHostBufferTag)) return AddonHostBuffer::Unwrap(o);
    for (BufferResolver resolve : AddonData::of(env).bufferResolvers)
      if (NativeBuffer* b = resolve(value)) return b;
  }
  throwError(env, StatusCode::kInvalidArgument, std::string("Expected ") + what + " but received another value");
}

}  // namespace trtn::addon
