#include "DataType.h"

#include <cmath>
#include <limits>

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
    case DataType::kE8M0: return 1;
    default: return 0;
  }
}

int64_t byteSizeOf(DataType t, int64_t count) {
  if (isPackedType(t)) return (count + 1) / 2;
  return count * static_cast<int64_t>(dataTypeSize(t));
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
    case DataType::kBOOL:
    case DataType::kFP8:
    case DataType::kE8M0:
    case DataType::kINT4:
    case DataType::kFP4: return true;
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

float fp8ToFloat(uint8_t b) {
  const float sign = (b & 0x80u) ? -1.f : 1.f;
  const uint32_t exp = (b >> 3) & 0xfu;
  const uint32_t mant = b & 0x7u;
  if (exp == 0xfu && mant == 0x7u) return std::copysign(std::numeric_limits<float>::quiet_NaN(), sign);
  if (exp == 0) return sign * std::ldexp(static_cast<float>(mant), -9);  // subnormal: mant/8 * 2^-6
  return sign * std::ldexp(static_cast<float>(8 + mant), static_cast<int>(exp) - 10);
}

uint8_t floatToFp8(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const uint8_t sign = static_cast<uint8_t>((bits >> 24) & 0x80u);
  const uint32_t absBits = bits & 0x7fffffffu;
  if (absBits > 0x7f800000u) return sign | 0x7fu;
  if (absBits >= 0x43e80000u) return sign | 0x7eu;  // >= 464 (rounds past 448) and infinities
  if (absBits < 0x3c800000u) {
    // Below 2^-6: subnormal, multiples of 2^-9 (scaling by 2^9 is exact); 8 carries into the
    // smallest normal, whose encoding is 8 as well.
    float a;
    std::memcpy(&a, &absBits, 4);
    return sign | static_cast<uint8_t>(std::nearbyint(a * 512.f));
  }
  const uint32_t mant = absBits & 0x7fffffu;
  uint32_t out = ((((absBits >> 23) - 127 + 7) << 3) | (mant >> 20));
  const uint32_t rem = mant & 0xfffffu;
  if (rem > 0x80000u || (rem == 0x80000u && (out & 1u))) ++out;  // a carry moves into the exponent
  return sign | static_cast<uint8_t>(out);
}

float fp4ToFloat(uint8_t code) {
  static const float kMagnitudes[8] = {0.f, 0.5f, 1.f, 1.5f, 2.f, 3.f, 4.f, 6.f};
  const float m = kMagnitudes[code & 0x7u];
  return (code & 0x8u) ? -m : m;
}

uint8_t floatToFp4(float f) {
  if (std::isnan(f)) return 0x8u;
  const uint8_t sign = std::signbit(f) ? 0x8u : 0u;
  const float a = std::fabs(f);
  // Midpoints between neighbours; a tie goes to the even code (<= keeps the lower one when it is
  // even, < when it is odd). Beyond 5 everything saturates to 6.
  uint8_t code;
  if (a <= 0.25f) code = 0;
  else if (a < 0.75f) code = 1;
  else if (a <= 1.25f) code = 2;
  else if (a < 1.75f) code = 3;
  else if (a <= 2.5f) code = 4;
  else if (a < 3.5f) code = 5;
  else if (a <= 5.f) code = 6;
  else code = 7;
  return sign | code;
}

float e8m0ToFloat(uint8_t b) {
  if (b == 0xffu) return std::numeric_limits<float>::quiet_NaN();
  return std::ldexp(1.f, static_cast<int>(b) - 127);
}

uint8_t floatToE8m0(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const uint32_t absBits = bits & 0x7fffffffu;
  if (absBits > 0x7f800000u) return 0xffu;
  if (absBits == 0x7f800000u) return 0xfeu;
  const uint32_t exp = absBits >> 23;
  const uint32_t mant = absBits & 0x7fffffu;
  if (exp == 0) return mant > 0x400000u ? 1u : 0u;  // float subnormals: at most 2^-127 or up to 2^-126
  const uint32_t e = exp + (mant != 0 ? 1u : 0u);
  return static_cast<uint8_t>(e >= 0xffu ? 0xfeu : e);
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
    case DataType::kFP8: return fp8ToFloat(static_cast<const uint8_t*>(data)[i]);
    case DataType::kE8M0: return e8m0ToFloat(static_cast<const uint8_t*>(data)[i]);
    case DataType::kINT4: return int4Value(loadNibble(data, i));
    case DataType::kFP4: return fp4ToFloat(loadNibble(data, i));
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
    case DataType::kINT4: return int4Value(loadNibble(data, i));
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
    case DataType::kFP8: static_cast<uint8_t*>(data)[i] = floatToFp8(static_cast<float>(v)); break;
    case DataType::kE8M0: static_cast<uint8_t*>(data)[i] = floatToE8m0(static_cast<float>(v)); break;
    case DataType::kINT4: storeNibble(data, i, static_cast<uint8_t>(static_cast<int64_t>(v) & 0xf)); break;
    case DataType::kFP4: storeNibble(data, i, floatToFp4(static_cast<float>(v))); break;
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
    case DataType::kINT4: storeNibble(data, i, static_cast<uint8_t>(v & 0xf)); break;
    default: storeFromDouble(data, t, i, static_cast<double>(v)); break;
  }
}

}  // namespace trtn
