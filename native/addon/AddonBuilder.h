// buildSerializedNetwork: [async] copies the network on the JS thread, builds on the addon's
// build thread, and streams log and progress events back through a thread-safe function.
// buildSerializedNetworkSync: [sync, JS thread] the same work, blocking; for worker threads.
#pragma once

#include <napi.h>

namespace trtn::addon {

class AddonBuilder {
 public:
  static Napi::Value BuildSerializedNetwork(const Napi::CallbackInfo& info);
  static Napi::Value BuildSerializedNetworkSync(const Napi::CallbackInfo& info);
  // [sync] Plan bytes -> NativeEngine.
  static Napi::Value DeserializeEngine(const Napi::CallbackInfo& info);
  // [async, build thread] Same, off the JS thread.
  static Napi::Value DeserializeEngineAsync(const Napi::CallbackInfo& info);
  // [sync] Header facts of plan bytes without building an engine.
  static Napi::Value InspectPlan(const Napi::CallbackInfo& info);
  // [sync] The build settings a build reads from a NativeBuildConfig (the same parser), as a
  // plain object: for tests that check what reaches native code.
  static Napi::Value ReadBuildConfig(const Napi::CallbackInfo& info);
};

}  // namespace trtn::addon
