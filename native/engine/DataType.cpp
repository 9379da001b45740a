#include "DataType.h"

#include <cmath>

namespace trtn {

size_t dataTypeSize(DataType t) {
  switch (t) {
    case DataType::kFLOAT: return 4;
    case DataType::kHALF: return 2;
    case DataType::kBF16: return 2;
    case DataType::kINT8: return 1;
    case DataType::kUINT8: return 1;
    case DataType::kINT32: return 4;
    case DataType::kINT64: return 8;
    case DataType::kBOOL: return 1;
    case DataType::kFP8: return 1;
    default: return 0;
  }
}

const char* dataTypeName(DataType t) {
  switch (t) {
    case DataType::kFLOAT: return "FLOAT";
    case DataType::kHALF: return "HALF";
    case DataType::kINT8: return "INT8";
    case DataType::kINT32: return "INT32";
    case DataType::kBOOL: return "BOOL";
    case DataType::kUINT8: return "UINT8";
    case DataType::kFP8: return "FP8";
    case DataType::kBF16: return "BF16";
    case DataType::kINT64: return "INT64";
    case DataType::kINT4: return "INT4";
    case DataType::kFP4: return "FP4";
    case DataType::kE8M0: return "E8M0";
  }
  return "UNKNOWN";
}

bool isSupportedDataType(DataType t) {
  switch (t) {
    case DataType::kFLOAT:
    case DataType::kHALF:
    case DataType::kBF16:
    case DataType::kINT8:
    case DataType::kUINT8:
    case DataType::kINT32:
    case DataType::kINT64:
    case DataType::kBOOL: return true;
    default: return false;
  }
}

bool isFloatType(DataType t) { return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16; }
bool isIntegerType(DataType t) {
  return t == DataType::kINT8 || t == DataType::kUINT8 || t == DataType::kINT32 || t == DataType::kINT64;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ffu;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint32_t sign = (bits >> 16) & 0x8000u;
  uint32_t absBits = bits & 0x7fffffffu;
  if (absBits > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);  // NaN
  if (absBits >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow to inf
  if (absBits < 0x38800000u) {
    // subnormal or zero in half precision
    if (absBits < 0x33000000u) return static_cast<uint16_t>(sign);
    uint32_t exp = absBits >> 23;
    uint32_t mant = (absBits & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126 - exp;  // half subnormal unit is 2^-24; shift lies in [14, 24]
    uint32_t halfMant = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1);
    uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (halfMant & 1u))) ++halfMant;
    return static_cast<uint16_t>(sign | halfMant);
  }
  uint32_t exp = (absBits >> 23) - 127 + 15;
  uint32_t mant = absBits & 0x7fffffu;
  uint32_t halfBits = (exp << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (halfBits & 1u))) ++halfBits;
  return static_cast<uint16_t>(sign | halfBits);
}

double loadAsDouble(const void* data, DataType t, int64_t i) {
  switch (t) {
    case DataType::kFLOAT: return static_cast<const float*>(data)[i];
    case DataType::kHALF: return halfToFloat(static_cast<const uint16_t*>(data)[i]);
    case DataType::kBF16: return bf16ToFloat(static_cast<const uint16_t*>(data)[i]);
    case DataType::kINT8: return static_cast<const int8_t*>(data)[i];
    case DataType::kUINT8: return static_cast<const uint8_t*>(data)[i];
    case DataType::kINT32: return static_cast<const int32_t*>(data)[i];
    case DataType::kINT64: return static_cast<double>(static_cast<const int64_t*>(data)[i]);
    case DataType::kBOOL: return static_cast<const uint8_t*>(data)[i] ? 1.0 : 0.0;
    default: return 0.0;
  }
}

int64_t loadAsInt64(const void* data, DataType t, int64_t i) {
  switch (t) {
    case DataType::kINT64: return static_cast<const int64_t*>(data)[i];
    case DataType::kINT32: return static_cast<const int32_t*>(data)[i];
    case DataType::kINT8: return static_cast<const int8_t*>(data)[i];
    case DataType::kUINT8: return static_cast<const uint8_t*>(data)[i];
    case DataType::kBOOL: return static_cast<const uint8_t*>(data)[i] ? 1 : 0;
    default: return static_cast<int64_t>(loadAsDouble(data, t, i));
  }
}

void storeFromDouble(void* data, DataType t, int64_t i, double v) {
  switch (t) {
    case DataType::kFLOAT: static_cast<float*>(data)[i] = static_cast<float>(v); break;
    case DataType::kHALF: static_cast<uint16_t*>(data)[i] = floatToHalf(static_cast<float>(v)); break;
    case DataType::kBF16: static_cast<uint16_t*>(data)[i] = floatToBf16(static_cast<float>(v)); break;
    case DataType::kINT8: static_cast<int8_t*>(data)[i] = static_cast<int8_t>(v); break;
    case DataType::kUINT8: static_cast<uint8_t*>(data)[i] = static_cast<uint8_t>(v); break;
    case DataType::kINT32: static_cast<int32_t*>(data)[i] = static_cast<int32_t>(v); break;
    case DataType::kINT64: static_cast<int64_t*>(data)[i] = static_cast<int64_t>(v); break;
    case DataType::kBOOL: static_cast<uint8_t*>(data)[i] = v != 0.0 ? 1 : 0; break;
    default: break;
  }
}

void storeFromInt64(void* data, DataType t, int64_t i, int64_t v) {
  switch (t) {
    case DataType::kINT64: static_cast<int64_t*>(data)[i] = v; break;
    case DataType::kINT32: static_cast<int32_t*>(data)[i] = static_cast<int32_t>(v); break;
    case DataType::kINT8: static_cast<int8_t*>(data)[i] = static_cast<int8_t>(v); break;
    case DataType::kUINT8: static_cast<uint8_t*>(data)[i] = static_cast<uint8_t>(v); break;
    case DataType::kBOOL: static_cast<uint8_t*>(data)[i] = v != 0 ? 1 : 0; break;
    default: storeFromDouble(data, t, i, static_cast<double>(v)); break;
  }
}

}  // namespace trtn
