#include "TrtEnumTable.h"

#include "../../../addon/AddonData.h"
#include "../TrtEnums.h"

namespace trtn::trt::addon {

Napi::Value TensorrtEnumTable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object table = Napi::Object::New(env);
  for (const TrtEnumTable& e : trtEnumTables()) {
    Napi::Object members = Napi::Object::New(env);
    for (size_t i = 0; i < e.count; ++i) members.Set(e.members[i].name, Napi::Number::New(env, e.members[i].value));
    table.Set(e.name, members);
  }
  return table;
}

Napi::Value TensorrtDimsRoundTrip(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Dims dims = trtn::addon::argInts(info, 0, "dims");
  const Dims back = trtn::addon::callEngine(env, [&] { return fromTrtDims(toTrtDims(dims, "dims")); });
  return trtn::addon::fromInts(env, back);
}

}  // namespace trtn::trt::addon
