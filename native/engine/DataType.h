// Tensor element types, numbered exactly as nvinfer1::DataType so plans and the TensorRT backend
// agree, plus the 16-bit float storage types the CPU kernels compute through.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace trtn {

enum class DataType : int32_t {
  kFLOAT = 0,
  kHALF = 1,
  kINT8 = 2,
  kINT32 = 3,
  kBOOL = 4,
  kUINT8 = 5,
  kFP8 = 6,
  kBF16 = 7,
  kINT64 = 8,
  kINT4 = 9,
  kFP4 = 10,
  kE8M0 = 11,
};

// Size in bytes of one element; 0 for the packed 4-bit types (INT4, FP4), which have no whole
// byte per element: size buffers with byteSizeOf.
size_t dataTypeSize(DataType t);
// INT4 and FP4 store two elements per byte, element 0 in the low nibble (as ONNX and TensorRT).
inline bool isPackedType(DataType t) { return t == DataType::kINT4 || t == DataType::kFP4; }
// Bytes that `count` elements of type t occupy; an odd count of a packed type rounds up.
int64_t byteSizeOf(DataType t, int64_t count);
const char* dataTypeName(DataType t);
bool isSupportedDataType(DataType t);
bool isFloatType(DataType t);    // FLOAT, HALF, BF16
bool isIntegerType(DataType t);  // INT8, UINT8, INT32, INT64
// FP8 and E8M0: stored one byte an element, but only moved, cast and (de)quantized; no arithmetic.
inline bool isNarrowFloatType(DataType t) { return t == DataType::kFP8 || t == DataType::kE8M0; }

// IEEE binary16 and bfloat16 conversions (round to nearest even).
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
inline float bf16ToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
inline uint16_t floatToBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);  // quiet NaN
  uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

// FP8 E4M3FN: bias 7, no infinities, 0x7f/0xff are NaN, largest finite 448. The conversion from
// float rounds to nearest even and saturates: out-of-range values and infinities become +-448.
float fp8ToFloat(uint8_t b);
uint8_t floatToFp8(float f);
// E8M0: an unsigned power of two 2^(b - 127), 0xff is NaN. The conversion from float rounds the
// magnitude up to the next power of two (the sign is dropped) and saturates at 2^127.
float e8m0ToFloat(uint8_t b);
uint8_t floatToE8m0(float f);

// FP4 E2M1: 1 sign, 2 exponent bits (bias 1), 1 mantissa bit; magnitudes 0, 0.5, 1, 1.5, 2, 3, 4,
// 6; no infinities or NaN. The conversion from float rounds to nearest even and saturates at +-6;
// NaN becomes 0x8 (-0), the encoding ONNX's reference conversion gives it.
float fp4ToFloat(uint8_t code);
uint8_t floatToFp4(float f);

// Element i (a 4-bit code) of a packed buffer. storeNibble reads, modifies and writes the byte, so
// parallel writers must split work at even element indices.
inline uint8_t loadNibble(const void* data, int64_t i) {
  const uint8_t b = static_cast<const uint8_t*>(data)[i >> 1];
  return (i & 1) ? static_cast<uint8_t>(b >> 4) : static_cast<uint8_t>(b & 0xfu);
}
inline void storeNibble(void* data, int64_t i, uint8_t code) {
  uint8_t& b = static_cast<uint8_t*>(data)[i >> 1];
  b = (i & 1) ? static_cast<uint8_t>((b & 0x0fu) | (code << 4)) : static_cast<uint8_t>((b & 0xf0u) | (code & 0xfu));
}
// An INT4 code as its signed value in [-8, 7].
inline int int4Value(uint8_t code) { return static_cast<int>(code & 0xfu) - ((code & 0x8u) ? 16 : 0); }

struct Half {
  uint16_t bits;
};
struct BFloat16 {
  uint16_t bits;
};
struct Fp8 {
  uint8_t bits;
};
struct E8M0 {
  uint8_t bits;
};

// Reads element i of a buffer of type t as double / writes a double into it. Slow path used by
// shape-value evaluation, casts and reference-style kernels; hot kernels are templated instead.
double loadAsDouble(const void* data, DataType t, int64_t i);
void storeFromDouble(void* data, DataType t, int64_t i, double v);
int64_t loadAsInt64(const void* data, DataType t, int64_t i);
void storeFromInt64(void* data, DataType t, int64_t i, int64_t v);

}  // namespace trtn
