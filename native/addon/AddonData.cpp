#include "AddonData.h"

namespace trtn::addon {

// Random 128-bit values; they only need to differ from tags other addons use.
const napi_type_tag kNetworkTag = {0x7a1c3e5f2b9d4a61ULL, 0x9e8f7d6c5b4a3921ULL};
const napi_type_tag kEngineTag = {0x3d5b7f9a1c2e4f60ULL, 0x1a2b3c4d5e6f7082ULL};
const napi_type_tag kContextTag = {0x5c7e9a1b3d5f7092ULL, 0x2b4d6f8a0c1e3f51ULL};
const napi_type_tag kHostBufferTag = {0x6e8a0c2d4f6b8d13ULL, 0x3c5e7a9b1d3f5a72ULL};
const napi_type_tag kStreamTag = {0x7f9b1d3e5a7c9e24ULL, 0x4d6f8b0c2e4a6c93ULL};

Napi::Error makeError(Napi::Env env, StatusCode code, const std::string& message) {
  AddonData* data = env.GetInstanceData<AddonData>();
  if (data && !data->trtErrorCtor.IsEmpty()) {
    Napi::Object err = data->trtErrorCtor.New({Napi::String::New(env, message), Napi::String::New(env, toString(code))});
    return Napi::Error(env, err);
  }
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, toString(code)));
  return err;
}

Napi::Error makeError(Napi::Env env, const Status& status) { return makeError(env, status.code, status.message); }

void throwError(Napi::Env env, StatusCode code, const std::string& message) { throw makeError(env, code, message); }

int64_t argInt(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber())
    throwError(info.Env(), StatusCode::kInvalidArgument, std::string("Expected a number for ") + name);
  return info[i].As<Napi::Number>().Int64Value();
}

double argNumber(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber())
    throwError(info.Env(), StatusCode::kInvalidArgument, std::string("Expected a number for ") + name);
  return info[i].As<Napi::Number>().DoubleValue();
}

std::string argString(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString())
    throwError(info.Env(), StatusCode::kInvalidArgument, std::string("Expected a string for ") + name);
  return info[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> toInts(Napi::Env env, Napi::Value v, const char* name) {
  if (!v.IsArray()) throwError(env, StatusCode::kInvalidArgument, std::string("Expected an array of integers for ") + name);
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber()) throwError(env, StatusCode::kInvalidArgument, std::string("Expected an array of integers for ") + name);
    out[k] = e.As<Napi::Number>().Int64Value();
  }
  return out;
}

std::vector<int64_t> argInts(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return toInts(info.Env(), info[i], name);
}

Napi::Array fromInts(Napi::Env env, const std::vector<int64_t>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(v[i])));
  return a;
}

}  // namespace trtn::addon
