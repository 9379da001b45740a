#include "timingCache.h"

#include <cstring>

#include "../../../addon/AddonData.h"
#include "../TrtTimingCache.h"

namespace trtn::trt::addon {

namespace {

std::vector<uint8_t> bytesOf(Napi::Env env, Napi::Value v, const char* name) {
  if (!v.IsTypedArray()) trtn::addon::throwError(env, StatusCode::kInvalidArgument, std::string("Expected a Uint8Array for ") + name);
  auto ta = v.As<Napi::TypedArray>();
  const auto* p = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return std::vector<uint8_t>(p, p + ta.ByteLength());
}

Napi::Uint8Array toJs(Napi::Env env, const std::vector<uint8_t>& bytes) {
  Napi::Uint8Array out = Napi::Uint8Array::New(env, bytes.size());
  if (!bytes.empty()) std::memcpy(out.Data(), bytes.data(), bytes.size());
  return out;
}

Napi::Value Combine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<uint8_t> into = bytesOf(env, info[0], "into"), from = bytesOf(env, info[1], "from");
  bool ignoreMismatch = info[2].ToBoolean().Value();
  return toJs(env, trtn::addon::callEngine(env, [&] { return combineTimingCaches(into, from, ignoreMismatch); }));
}

Napi::Value Reset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return toJs(env, trtn::addon::callEngine(env, [] { return emptyTimingCache(); }));
}

}  // namespace

Napi::Object TimingCacheOps(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("combine", Napi::Function::New(env, Combine, "combine"));
  o.Set("reset", Napi::Function::New(env, Reset, "reset"));
  return o;
}

}  // namespace trtn::trt::addon
