// The built-in engine's enums, dims and weights as TensorRT 11 spells them.
//
// The IR numbers every enum as nvinfer1 does (lib/enums.ts carries the same numbers), so each
// mapping is a cast after a membership check; TrtEnums.cpp holds static_asserts, member by member
// and by name, that our numbering equals the header's, so a renumbering on either side breaks the
// build instead of silently changing a layer. Values TensorRT lacks (the built-in engine's
// extensions, e.g. CumulativeOperation PROD) are refused with UNSUPPORTED, other unknown values
// with INVALID_ARGUMENT.
#pragma once

#include <NvInfer.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../../engine/Graph.h"

namespace trtn::trt {

// The numbering of the enums the IR stores as int attributes (node.getInt("op") and the like),
// named here so TrtEnums.cpp can compare it with nvinfer1's by name. lib/enums.ts spells the same
// numbers for JavaScript; test/74.tensorrt-enums.test.ts compares those with tensorrtEnumTable().
namespace ir {

enum class ActivationType : int32_t {
  kRELU = 0,
  kSIGMOID = 1,
  kTANH = 2,
  kLEAKY_RELU = 3,
  kELU = 4,
  kSELU = 5,
  kSOFTSIGN = 6,
  kSOFTPLUS = 7,
  kCLIP = 8,
  kHARD_SIGMOID = 9,
  kSCALED_TANH = 10,
  kTHRESHOLDED_RELU = 11,
  kGELU_ERF = 12,
  kGELU_TANH = 13,
};
enum class PaddingMode : int32_t { kEXPLICIT_ROUND_DOWN = 0, kEXPLICIT_ROUND_UP = 1, kSAME_UPPER = 2, kSAME_LOWER = 3 };
enum class PoolingType : int32_t { kMAX = 0, kAVERAGE = 1, kMAX_AVERAGE_BLEND = 2 };
enum class ScaleMode : int32_t { kUNIFORM = 0, kCHANNEL = 1, kELEMENTWISE = 2 };
enum class ElementWiseOperation : int32_t {
  kSUM = 0,
  kPROD = 1,
  kMAX = 2,
  kMIN = 3,
  kSUB = 4,
  kDIV = 5,
  kPOW = 6,
  kFLOOR_DIV = 7,
  kAND = 8,
  kOR = 9,
  kXOR = 10,
  kEQUAL = 11,
  kGREATER = 12,
  kLESS = 13,
};
enum class UnaryOperation : int32_t {
  kEXP = 0,
  kLOG = 1,
  kSQRT = 2,
  kRECIP = 3,
  kABS = 4,
  kNEG = 5,
  kSIN = 6,
  kCOS = 7,
  kTAN = 8,
  kSINH = 9,
  kCOSH = 10,
  kASIN = 11,
  kACOS = 12,
  kATAN = 13,
  kASINH = 14,
  kACOSH = 15,
  kATANH = 16,
  kCEIL = 17,
  kFLOOR = 18,
  kERF = 19,
  kNOT = 20,
  kSIGN = 21,
  kROUND = 22,
  kISINF = 23,
  kISNAN = 24,
};
enum class ReduceOperation : int32_t { kSUM = 0, kPROD = 1, kMAX = 2, kMIN = 3, kAVG = 4, kNONE = 5 };
enum class MatrixOperation : int32_t { kNONE = 0, kTRANSPOSE = 1, kVECTOR = 2 };
enum class SampleMode : int32_t { kSTRICT_BOUNDS = 0, kWRAP = 1, kCLAMP = 2, kFILL = 3, kREFLECT = 4 };
enum class BoundingBoxFormat : int32_t { kCORNER_PAIRS = 0, kCENTER_SIZES = 1 };
enum class GatherMode : int32_t { kDEFAULT = 0, kELEMENT = 1, kND = 2 };
enum class TopKOperation : int32_t { kMAX = 0, kMIN = 1 };
// kPROD is an extension of the built-in engine (ONNX CumProd); TensorRT 11 has kSUM only.
enum class CumulativeOperation : int32_t { kSUM = 0, kPROD = 1 };
enum class ScatterMode : int32_t { kELEMENT = 0, kND = 1 };
// An extension of the built-in engine (ONNX scatter reductions): TensorRT's scatter only
// overwrites, so only kNONE translates.
enum class ScatterReduction : int32_t { kNONE = 0, kSUM = 1, kPROD = 2, kMAX = 3, kMIN = 4 };
enum class InterpolationMode : int32_t { kNEAREST = 0, kLINEAR = 1, kCUBIC = 2 };
enum class ResizeCoordinateTransformation : int32_t { kALIGN_CORNERS = 0, kASYMMETRIC = 1, kHALF_PIXEL = 2 };
enum class ResizeSelector : int32_t { kFORMULA = 0, kUPPER = 1 };
enum class ResizeRoundMode : int32_t { kHALF_UP = 0, kHALF_DOWN = 1, kFLOOR = 2, kCEIL = 3 };
enum class FillOperation : int32_t { kLINSPACE = 0, kRANDOM_UNIFORM = 1, kRANDOM_NORMAL = 2 };
enum class TripLimit : int32_t { kCOUNT = 0, kWHILE = 1 };
enum class LoopOutput : int32_t { kLAST_VALUE = 0, kCONCATENATE = 1, kREVERSE = 2 };
// BuildConfig::profilingVerbosity.
enum class ProfilingVerbosity : int32_t { kLAYER_NAMES_ONLY = 0, kNONE = 1, kDETAILED = 2 };
// The bit numbers of BuildConfig::flags (lib/enums.ts BuilderFlag; gaps where TensorRT 11.0
// removed flags).
enum class BuilderFlag : int32_t {
  kDEBUG = 2,
  kGPU_FALLBACK = 3,
  kREFIT = 4,
  kDISABLE_TIMING_CACHE = 5,
  kTF32 = 6,
  kSPARSE_WEIGHTS = 7,
  kSAFETY_SCOPE = 8,
  kDIRECT_IO = 11,
  kVERSION_COMPATIBLE = 12,
  kEXCLUDE_LEAN_RUNTIME = 13,
  kERROR_ON_TIMING_CACHE_MISS = 15,
  kDISABLE_COMPILATION_CACHE = 17,
  kSTRIP_PLAN = 18,
  kREFIT_IDENTICAL = 19,
  kWEIGHT_STREAMING = 20,
  kREFIT_INDIVIDUAL = 22,
  kSTRICT_NANS = 23,
  kMONITOR_MEMORY = 24,
  kEDITABLE_TIMING_CACHE = 26,
  kDISTRIBUTIVE_INDEPENDENCE = 27,
};

}  // namespace ir

// One mapping per enum, ours -> nvinfer1. Each throws EngineError: UNSUPPORTED for a value of
// ours that TensorRT lacks, INVALID_ARGUMENT for a value that is no member at all. Messages name
// the enum and the value; the translator prefixes the layer.
nvinfer1::DataType toTrt(DataType v);
nvinfer1::LayerType toTrt(LayerType v);  // LayerType::kLOOP (internal) is refused
nvinfer1::ActivationType toTrt(ir::ActivationType v);
nvinfer1::PaddingMode toTrt(ir::PaddingMode v);
nvinfer1::PoolingType toTrt(ir::PoolingType v);
nvinfer1::ScaleMode toTrt(ir::ScaleMode v);
nvinfer1::ElementWiseOperation toTrt(ir::ElementWiseOperation v);
nvinfer1::UnaryOperation toTrt(ir::UnaryOperation v);
nvinfer1::ReduceOperation toTrt(ir::ReduceOperation v);
nvinfer1::MatrixOperation toTrt(ir::MatrixOperation v);
nvinfer1::SampleMode toTrt(ir::SampleMode v);
nvinfer1::BoundingBoxFormat toTrt(ir::BoundingBoxFormat v);
nvinfer1::GatherMode toTrt(ir::GatherMode v);
nvinfer1::TopKOperation toTrt(ir::TopKOperation v);
nvinfer1::CumulativeOperation toTrt(ir::CumulativeOperation v);
nvinfer1::ScatterMode toTrt(ir::ScatterMode v);
nvinfer1::InterpolationMode toTrt(ir::InterpolationMode v);
nvinfer1::ResizeCoordinateTransformation toTrt(ir::ResizeCoordinateTransformation v);
nvinfer1::ResizeSelector toTrt(ir::ResizeSelector v);
nvinfer1::ResizeRoundMode toTrt(ir::ResizeRoundMode v);
nvinfer1::FillOperation toTrt(ir::FillOperation v);
nvinfer1::TripLimit toTrt(ir::TripLimit v);
nvinfer1::LoopOutput toTrt(ir::LoopOutput v);
nvinfer1::ProfilingVerbosity toTrt(ir::ProfilingVerbosity v);
nvinfer1::BuilderFlag toTrt(ir::BuilderFlag v);

// An int attribute as an ir enum (the IR stores them as int64). Values outside int32 become a
// value no enum has, so toTrt() refuses them.
template <typename IrEnum>
IrEnum irEnum(int64_t value) {
  return static_cast<IrEnum>(value < INT32_MIN || value > INT32_MAX ? INT32_MIN : static_cast<int32_t>(value));
}

// Dims -> nvinfer1::Dims64. Throws INVALID_ARGUMENT, naming `what`, for a rank above
// Dims64::MAX_DIMS (8).
nvinfer1::Dims toTrtDims(const Dims& dims, const std::string& what);
// nvinfer1::Dims64 -> Dims. Throws TENSORRT_ERROR for an invalid or unknown-rank Dims (nbDims
// outside 0..MAX_DIMS), which TensorRT returns where it has no dims to give.
Dims fromTrtDims(const nvinfer1::Dims& dims);

// Weights -> nvinfer1::Weights, borrowing w.data: TensorRT holds weights by reference until the
// build finishes, so the caller keeps w.data alive that long (TranslatedNetwork::keepAlive).
// `count` is the element count for every type; INT4 and FP4 data are packed two elements per
// byte, element 0 in the low nibble, as TensorRT reads them. Empty weights are
// { type, nullptr, 0 }.
nvinfer1::Weights toTrtWeights(const Weights& w);
nvinfer1::Weights emptyTrtWeights(DataType type);

// tensorrtEnumTable(): per enum that lib/enums.ts carries and TensorRT 11 has (and the other
// builder and runtime enums it may come to carry), every member TensorRT has, by name (the Python
// API's spelling, no k prefix) with nvinfer1's value.
struct TrtEnumMember {
  const char* name;
  int32_t value;
};
struct TrtEnumTable {
  const char* name;
  const TrtEnumMember* members;
  size_t count;
};
const std::vector<TrtEnumTable>& trtEnumTables();

}  // namespace trtn::trt
