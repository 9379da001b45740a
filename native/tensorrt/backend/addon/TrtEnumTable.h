// tensorrtEnumTable(): the values of TensorRT's enums as the headers this addon was built against
// define them, so tests can compare lib/enums.ts with TensorRT member by member.
#pragma once

#include <napi.h>

namespace trtn::trt::addon {

// [sync] { DataType: { FLOAT: 0, ... }, LayerType: { ... }, ... }: per enum that lib/enums.ts
// carries and TensorRT 11 has, every member TensorRT has (Python API spelling) with its value.
// Exported only by builds with the tensorrt backend (TRTN_WITH_TENSORRT).
Napi::Value TensorrtEnumTable(const Napi::CallbackInfo& info);

// [sync, internal] tensorrtDimsRoundTrip(dims): dims -> nvinfer1::Dims64 -> dims through the
// backend's own conversions, so tests can check them (rank limit, -1 kept) without libnvinfer.
Napi::Value TensorrtDimsRoundTrip(const Napi::CallbackInfo& info);

}  // namespace trtn::trt::addon
