#include "TrtEnumTable.h"

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

}  // namespace trtn::trt::addon
