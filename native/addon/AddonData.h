// Per-environment addon state (one per main thread or worker): class constructors, the TrtError
// constructor handed over from TypeScript, and type tags. Kept in env instance data, never in
// statics, so the addon works in worker_threads.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "../engine/Status.h"
#include "NativeBuffer.h"

namespace trtn::addon {

struct AddonData {
  Napi::FunctionReference trtErrorCtor;
  Napi::FunctionReference networkCtor;
  Napi::FunctionReference engineCtor;
  Napi::FunctionReference contextCtor;
  Napi::FunctionReference hostBufferCtor;
  Napi::FunctionReference streamCtor;
  // Optional modules' buffer classes (see NativeBuffer.h) and constructors they need at hand.
  std::vector<BufferResolver> bufferResolvers;
  Napi::FunctionReference cudaDeviceBufferCtor;
  Napi::FunctionReference cudaUnifiedBufferCtor;
  // The tensorrt backend's classes (native/tensorrt/backend/addon); empty in builds without it.
  Napi::FunctionReference trtEngineCtor;
  Napi::FunctionReference trtContextCtor;
  Napi::FunctionReference trtRefitterCtor;

  static AddonData& of(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
};

// Type tags, so an object of the wrong class passed from JS is refused instead of reinterpreted.
extern const napi_type_tag kNetworkTag;
extern const napi_type_tag kEngineTag;
extern const napi_type_tag kContextTag;
extern const napi_type_tag kHostBufferTag;
extern const napi_type_tag kStreamTag;

// A TrtError (the TypeScript class) with `code` set; plain Error before init().
Napi::Error makeError(Napi::Env env, StatusCode code, const std::string& message);
Napi::Error makeError(Napi::Env env, const Status& status);
[[noreturn]] void throwError(Napi::Env env, StatusCode code, const std::string& message);
inline void throwIfFailed(Napi::Env env, const Status& s) {
  if (!s.ok()) throwError(env, s.code, s.message);
}

// Runs engine code and rethrows its failure as a TrtError.
template <typename Fn>
auto callEngine(Napi::Env env, Fn&& fn) -> decltype(fn()) {
  Status status;
  if constexpr (std::is_void_v<decltype(fn())>) {
    status = captureStatus([&] { fn(); });
    throwIfFailed(env, status);
  } else {
    decltype(fn()) result{};
    status = captureStatus([&] { result = fn(); });
    throwIfFailed(env, status);
    return result;
  }
}

// Argument helpers: native checks stay cheap because TypeScript validated already.
int64_t argInt(const Napi::CallbackInfo& info, size_t i, const char* name);
double argNumber(const Napi::CallbackInfo& info, size_t i, const char* name);
std::string argString(const Napi::CallbackInfo& info, size_t i, const char* name);
std::vector<int64_t> argInts(const Napi::CallbackInfo& info, size_t i, const char* name);
std::vector<int64_t> toInts(Napi::Env env, Napi::Value v, const char* name);
Napi::Array fromInts(Napi::Env env, const std::vector<int64_t>& v);

template <typename T>
T* unwrapTagged(Napi::Value v, const napi_type_tag& tag, const char* what) {
  Napi::Env env = v.Env();
  if (!v.IsObject() || !v.As<Napi::Object>().CheckTypeTag(&tag))
    throwError(env, StatusCode::kInvalidArgument, std::string("Expected ") + what + " but received another value");
  return T::Unwrap(v.As<Napi::Object>());
}

}  // namespace trtn::addon
