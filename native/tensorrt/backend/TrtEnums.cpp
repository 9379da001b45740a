#include "TrtEnums.h"

#include <iterator>

#include "../../engine/Engine.h"
#include "../../engine/ops/Loop.h"
#include "../../engine/ops/WindowGeometry.h"

namespace trtn::trt {

namespace {

// Every member TensorRT 11 has, per enum, as X(Enum, MEMBER) for nvinfer1::Enum::kMEMBER. From
// these come the enum table, the membership checks and the numbering static_asserts below.
#define TRTN_DATA_TYPE(X) \
  X(DataType, FLOAT) X(DataType, HALF) X(DataType, INT8) X(DataType, INT32) X(DataType, BOOL) \
  X(DataType, UINT8) X(DataType, FP8) X(DataType, BF16) X(DataType, INT64) X(DataType, INT4) \
  X(DataType, FP4) X(DataType, E8M0)
#define TRTN_LAYER_TYPE(X) \
  X(LayerType, CONVOLUTION) X(LayerType, CAST) X(LayerType, ACTIVATION) X(LayerType, POOLING) \
  X(LayerType, LRN) X(LayerType, SCALE) X(LayerType, SOFTMAX) X(LayerType, DECONVOLUTION) \
  X(LayerType, CONCATENATION) X(LayerType, ELEMENTWISE) X(LayerType, PLUGIN) X(LayerType, UNARY) \
  X(LayerType, PADDING) X(LayerType, SHUFFLE) X(LayerType, REDUCE) X(LayerType, TOPK) X(LayerType, GATHER) \
  X(LayerType, MATRIX_MULTIPLY) X(LayerType, RAGGED_SOFTMAX) X(LayerType, CONSTANT) X(LayerType, IDENTITY) \
  X(LayerType, PLUGIN_V2) X(LayerType, SLICE) X(LayerType, SHAPE) X(LayerType, PARAMETRIC_RELU) \
  X(LayerType, RESIZE) X(LayerType, TRIP_LIMIT) X(LayerType, RECURRENCE) X(LayerType, ITERATOR) \
  X(LayerType, LOOP_OUTPUT) X(LayerType, SELECT) X(LayerType, FILL) X(LayerType, QUANTIZE) \
  X(LayerType, DEQUANTIZE) X(LayerType, CONDITION) X(LayerType, CONDITIONAL_INPUT) \
  X(LayerType, CONDITIONAL_OUTPUT) X(LayerType, SCATTER) X(LayerType, EINSUM) X(LayerType, ASSERTION) \
  X(LayerType, ONE_HOT) X(LayerType, NON_ZERO) X(LayerType, GRID_SAMPLE) X(LayerType, NMS) \
  X(LayerType, REVERSE_SEQUENCE) X(LayerType, NORMALIZATION) X(LayerType, PLUGIN_V3) X(LayerType, SQUEEZE) \
  X(LayerType, UNSQUEEZE) X(LayerType, CUMULATIVE) X(LayerType, DYNAMIC_QUANTIZE) \
  X(LayerType, ATTENTION_INPUT) X(LayerType, ATTENTION_OUTPUT) X(LayerType, ROTARY_EMBEDDING) \
  X(LayerType, KVCACHE_UPDATE) X(LayerType, MOE) X(LayerType, DIST_COLLECTIVE)
#define TRTN_ACTIVATION_TYPE(X) \
  X(ActivationType, RELU) X(ActivationType, SIGMOID) X(ActivationType, TANH) X(ActivationType, LEAKY_RELU) \
  X(ActivationType, ELU) X(ActivationType, SELU) X(ActivationType, SOFTSIGN) X(ActivationType, SOFTPLUS) \
  X(ActivationType, CLIP) X(ActivationType, HARD_SIGMOID) X(ActivationType, SCALED_TANH) \
  X(ActivationType, THRESHOLDED_RELU) X(ActivationType, GELU_ERF) X(ActivationType, GELU_TANH)
#define TRTN_PADDING_MODE(X) \
  X(PaddingMode, EXPLICIT_ROUND_DOWN) X(PaddingMode, EXPLICIT_ROUND_UP) X(PaddingMode, SAME_UPPER) \
  X(PaddingMode, SAME_LOWER)
#define TRTN_POOLING_TYPE(X) \
  X(PoolingType, MAX) X(PoolingType, AVERAGE) X(PoolingType, MAX_AVERAGE_BLEND)
#define TRTN_SCALE_MODE(X) \
  X(ScaleMode, UNIFORM) X(ScaleMode, CHANNEL) X(ScaleMode, ELEMENTWISE)
#define TRTN_ELEMENTWISE_OPERATION(X) \
  X(ElementWiseOperation, SUM) X(ElementWiseOperation, PROD) X(ElementWiseOperation, MAX) \
  X(ElementWiseOperation, MIN) X(ElementWiseOperation, SUB) X(ElementWiseOperation, DIV) \
  X(ElementWiseOperation, POW) X(ElementWiseOperation, FLOOR_DIV) X(ElementWiseOperation, AND) \
  X(ElementWiseOperation, OR) X(ElementWiseOperation, XOR) X(ElementWiseOperation, EQUAL) \
  X(ElementWiseOperation, GREATER) X(ElementWiseOperation, LESS)
#define TRTN_UNARY_OPERATION(X) \
  X(UnaryOperation, EXP) X(UnaryOperation, LOG) X(UnaryOperation, SQRT) X(UnaryOperation, RECIP) \
  X(UnaryOperation, ABS) X(UnaryOperation, NEG) X(UnaryOperation, SIN) X(UnaryOperation, COS) \
  X(UnaryOperation, TAN) X(UnaryOperation, SINH) X(UnaryOperation, COSH) X(UnaryOperation, ASIN) \
  X(UnaryOperation, ACOS) X(UnaryOperation, ATAN) X(UnaryOperation, ASINH) X(UnaryOperation, ACOSH) \
  X(UnaryOperation, ATANH) X(UnaryOperation, CEIL) X(UnaryOperation, FLOOR) X(UnaryOperation, ERF) \
  X(UnaryOperation, NOT) X(UnaryOperation, SIGN) X(UnaryOperation, ROUND) X(UnaryOperation, ISINF) \
  X(UnaryOperation, ISNAN)
#define TRTN_REDUCE_OPERATION(X) \
  X(ReduceOperation, SUM) X(ReduceOperation, PROD) X(ReduceOperation, MAX) X(ReduceOperation, MIN) \
  X(ReduceOperation, AVG) X(ReduceOperation, NONE)
#define TRTN_MATRIX_OPERATION(X) \
  X(MatrixOperation, NONE) X(MatrixOperation, TRANSPOSE) X(MatrixOperation, VECTOR)
#define TRTN_SAMPLE_MODE(X) \
  X(SampleMode, STRICT_BOUNDS) X(SampleMode, WRAP) X(SampleMode, CLAMP) X(SampleMode, FILL) \
  X(SampleMode, REFLECT)
#define TRTN_BOUNDING_BOX_FORMAT(X) \
  X(BoundingBoxFormat, CORNER_PAIRS) X(BoundingBoxFormat, CENTER_SIZES)
#define TRTN_GATHER_MODE(X) \
  X(GatherMode, DEFAULT) X(GatherMode, ELEMENT) X(GatherMode, ND)
#define TRTN_TOPK_OPERATION(X) \
  X(TopKOperation, MAX) X(TopKOperation, MIN)
#define TRTN_CUMULATIVE_OPERATION(X) \
  X(CumulativeOperation, SUM)
#define TRTN_SCATTER_MODE(X) \
  X(ScatterMode, ELEMENT) X(ScatterMode, ND)
#define TRTN_INTERPOLATION_MODE(X) \
  X(InterpolationMode, NEAREST) X(InterpolationMode, LINEAR) X(InterpolationMode, CUBIC)
#define TRTN_RESIZE_COORDINATE_TRANSFORMATION(X) \
  X(ResizeCoordinateTransformation, ALIGN_CORNERS) X(ResizeCoordinateTransformation, ASYMMETRIC) \
  X(ResizeCoordinateTransformation, HALF_PIXEL)
#define TRTN_RESIZE_SELECTOR(X) \
  X(ResizeSelector, FORMULA) X(ResizeSelector, UPPER)
#define TRTN_RESIZE_ROUND_MODE(X) \
  X(ResizeRoundMode, HALF_UP) X(ResizeRoundMode, HALF_DOWN) X(ResizeRoundMode, FLOOR) \
  X(ResizeRoundMode, CEIL)
#define TRTN_FILL_OPERATION(X) \
  X(FillOperation, LINSPACE) X(FillOperation, RANDOM_UNIFORM) X(FillOperation, RANDOM_NORMAL)
#define TRTN_TRIP_LIMIT(X) \
  X(TripLimit, COUNT) X(TripLimit, WHILE)
#define TRTN_LOOP_OUTPUT(X) \
  X(LoopOutput, LAST_VALUE) X(LoopOutput, CONCATENATE) X(LoopOutput, REVERSE)
#define TRTN_TENSOR_FORMAT(X) \
  X(TensorFormat, LINEAR) X(TensorFormat, CHW2) X(TensorFormat, HWC8) X(TensorFormat, CHW4) \
  X(TensorFormat, CHW16) X(TensorFormat, CHW32) X(TensorFormat, DHWC8) X(TensorFormat, CDHW32) \
  X(TensorFormat, HWC) X(TensorFormat, DLA_LINEAR) X(TensorFormat, DLA_HWC4) X(TensorFormat, HWC16) \
  X(TensorFormat, DHWC)
#define TRTN_TENSOR_IO_MODE(X) \
  X(TensorIOMode, NONE) X(TensorIOMode, INPUT) X(TensorIOMode, OUTPUT)
#define TRTN_TENSOR_LOCATION(X) \
  X(TensorLocation, DEVICE) X(TensorLocation, HOST)
#define TRTN_OPT_PROFILE_SELECTOR(X) \
  X(OptProfileSelector, MIN) X(OptProfileSelector, OPT) X(OptProfileSelector, MAX)
#define TRTN_PROFILING_VERBOSITY(X) \
  X(ProfilingVerbosity, LAYER_NAMES_ONLY) X(ProfilingVerbosity, NONE) X(ProfilingVerbosity, DETAILED)
#define TRTN_MEMORY_POOL_TYPE(X) \
  X(MemoryPoolType, WORKSPACE) X(MemoryPoolType, DLA_MANAGED_SRAM) X(MemoryPoolType, DLA_LOCAL_DRAM) \
  X(MemoryPoolType, DLA_GLOBAL_DRAM) X(MemoryPoolType, TACTIC_DRAM) \
  X(MemoryPoolType, TACTIC_SHARED_MEMORY)
#define TRTN_BUILDER_FLAG(X) \
  X(BuilderFlag, DEBUG) X(BuilderFlag, GPU_FALLBACK) X(BuilderFlag, REFIT) \
  X(BuilderFlag, DISABLE_TIMING_CACHE) X(BuilderFlag, TF32) X(BuilderFlag, SPARSE_WEIGHTS) \
  X(BuilderFlag, SAFETY_SCOPE) X(BuilderFlag, DIRECT_IO) X(BuilderFlag, VERSION_COMPATIBLE) \
  X(BuilderFlag, EXCLUDE_LEAN_RUNTIME) X(BuilderFlag, ERROR_ON_TIMING_CACHE_MISS) \
  X(BuilderFlag, DISABLE_COMPILATION_CACHE) X(BuilderFlag, STRIP_PLAN) X(BuilderFlag, REFIT_IDENTICAL) \
  X(BuilderFlag, WEIGHT_STREAMING) X(BuilderFlag, REFIT_INDIVIDUAL) X(BuilderFlag, STRICT_NANS) \
  X(BuilderFlag, MONITOR_MEMORY) X(BuilderFlag, EDITABLE_TIMING_CACHE) \
  X(BuilderFlag, DISTRIBUTIVE_INDEPENDENCE)
#define TRTN_NETWORK_DEFINITION_CREATION_FLAG(X) \
  X(NetworkDefinitionCreationFlag, STRONGLY_TYPED) \
  X(NetworkDefinitionCreationFlag, PREFER_JIT_PYTHON_PLUGINS) \
  X(NetworkDefinitionCreationFlag, PREFER_AOT_PYTHON_PLUGINS)
#define TRTN_ENGINE_CAPABILITY(X) \
  X(EngineCapability, STANDARD) X(EngineCapability, SAFETY) X(EngineCapability, DLA_STANDALONE)
#define TRTN_HARDWARE_COMPATIBILITY_LEVEL(X) \
  X(HardwareCompatibilityLevel, NONE) X(HardwareCompatibilityLevel, AMPERE_PLUS) \
  X(HardwareCompatibilityLevel, SAME_COMPUTE_CAPABILITY)
#define TRTN_TACTIC_SOURCE(X) \
  X(TacticSource, EDGE_MASK_CONVOLUTIONS) X(TacticSource, JIT_CONVOLUTIONS)
#define TRTN_SERIALIZATION_FLAG(X) \
  X(SerializationFlag, EXCLUDE_WEIGHTS) X(SerializationFlag, EXCLUDE_LEAN_RUNTIME) \
  X(SerializationFlag, INCLUDE_REFIT)
#define TRTN_TILING_OPTIMIZATION_LEVEL(X) \
  X(TilingOptimizationLevel, NONE) X(TilingOptimizationLevel, FAST) X(TilingOptimizationLevel, MODERATE) \
  X(TilingOptimizationLevel, FULL)
#define TRTN_RUNTIME_PLATFORM(X) \
  X(RuntimePlatform, SAME_AS_BUILD) X(RuntimePlatform, WINDOWS_AMD64)
#define TRTN_PREVIEW_FEATURE(X) \
  X(PreviewFeature, ALIASED_PLUGIN_IO_10_03) X(PreviewFeature, RUNTIME_ACTIVATION_RESIZE_10_10)
#define TRTN_DEVICE_TYPE(X) \
  X(DeviceType, GPU) X(DeviceType, DLA)
#define TRTN_TEMPFILE_CONTROL_FLAG(X) \
  X(TempfileControlFlag, ALLOW_IN_MEMORY_FILES) X(TempfileControlFlag, ALLOW_TEMPORARY_FILES)
#define TRTN_WEIGHTS_ROLE(X) \
  X(WeightsRole, KERNEL) X(WeightsRole, BIAS) X(WeightsRole, SHIFT) X(WeightsRole, SCALE) \
  X(WeightsRole, CONSTANT) X(WeightsRole, ANY)
#define TRTN_ENGINE_STAT(X) \
  X(EngineStat, TOTAL_WEIGHTS_SIZE) X(EngineStat, STRIPPED_WEIGHTS_SIZE)
#define TRTN_ERROR_CODE(X) \
  X(ErrorCode, SUCCESS) X(ErrorCode, UNSPECIFIED_ERROR) X(ErrorCode, INTERNAL_ERROR) \
  X(ErrorCode, INVALID_ARGUMENT) X(ErrorCode, INVALID_CONFIG) X(ErrorCode, FAILED_ALLOCATION) \
  X(ErrorCode, FAILED_INITIALIZATION) X(ErrorCode, FAILED_EXECUTION) X(ErrorCode, FAILED_COMPUTATION) \
  X(ErrorCode, INVALID_STATE) X(ErrorCode, UNSUPPORTED_STATE)
#define TRTN_LAYER_INFORMATION_FORMAT(X) X(LayerInformationFormat, ONELINE) X(LayerInformationFormat, JSON)
#define TRTN_EXECUTION_CONTEXT_ALLOCATION_STRATEGY(X) \
  X(ExecutionContextAllocationStrategy, STATIC) X(ExecutionContextAllocationStrategy, ON_PROFILE_CHANGE) \
  X(ExecutionContextAllocationStrategy, USER_MANAGED)
// The LayerType members the IR has: TensorRT's less the plugin layers.
#define TRTN_IR_LAYER_TYPE(X) \
  X(LayerType, CONVOLUTION) X(LayerType, CAST) X(LayerType, ACTIVATION) X(LayerType, POOLING) \
  X(LayerType, LRN) X(LayerType, SCALE) X(LayerType, SOFTMAX) X(LayerType, DECONVOLUTION) \
  X(LayerType, CONCATENATION) X(LayerType, ELEMENTWISE) X(LayerType, PLUGIN) X(LayerType, UNARY) \
  X(LayerType, PADDING) X(LayerType, SHUFFLE) X(LayerType, REDUCE) X(LayerType, TOPK) X(LayerType, GATHER) \
  X(LayerType, MATRIX_MULTIPLY) X(LayerType, RAGGED_SOFTMAX) X(LayerType, CONSTANT) X(LayerType, IDENTITY) \
  X(LayerType, SLICE) X(LayerType, SHAPE) X(LayerType, PARAMETRIC_RELU) \
  X(LayerType, RESIZE) X(LayerType, TRIP_LIMIT) X(LayerType, RECURRENCE) X(LayerType, ITERATOR) \
  X(LayerType, LOOP_OUTPUT) X(LayerType, SELECT) X(LayerType, FILL) X(LayerType, QUANTIZE) \
  X(LayerType, DEQUANTIZE) X(LayerType, CONDITION) X(LayerType, CONDITIONAL_INPUT) \
  X(LayerType, CONDITIONAL_OUTPUT) X(LayerType, SCATTER) X(LayerType, EINSUM) X(LayerType, ASSERTION) \
  X(LayerType, ONE_HOT) X(LayerType, NON_ZERO) X(LayerType, GRID_SAMPLE) X(LayerType, NMS) \
  X(LayerType, REVERSE_SEQUENCE) X(LayerType, NORMALIZATION) X(LayerType, SQUEEZE) \
  X(LayerType, UNSQUEEZE) X(LayerType, CUMULATIVE) X(LayerType, DYNAMIC_QUANTIZE) \
  X(LayerType, ATTENTION_INPUT) X(LayerType, ATTENTION_OUTPUT) X(LayerType, ROTARY_EMBEDDING) \
  X(LayerType, KVCACHE_UPDATE) X(LayerType, MOE) X(LayerType, DIST_COLLECTIVE)

// Our numbering equals nvinfer1's, member by member and by name.
#define TRTN_SAME_AS_IR(E, m)                                                            \
  static_assert(static_cast<int32_t>(ir::E::k##m) == static_cast<int32_t>(nvinfer1::E::k##m), \
                "trtn::trt::ir::" #E "::k" #m " must equal nvinfer1::" #E "::k" #m);
#define TRTN_SAME_AS_ENGINE(E, m)                                                          \
  static_assert(static_cast<int32_t>(::trtn::E::k##m) == static_cast<int32_t>(nvinfer1::E::k##m), \
                "trtn::" #E "::k" #m " must equal nvinfer1::" #E "::k" #m);
#define TRTN_SAME_AS_OPS(E, m)                                                                  \
  static_assert(static_cast<int32_t>(::trtn::ops::E::k##m) == static_cast<int32_t>(nvinfer1::E::k##m), \
                "trtn::ops::" #E "::k" #m " must equal nvinfer1::" #E "::k" #m);

TRTN_DATA_TYPE(TRTN_SAME_AS_ENGINE)
TRTN_IR_LAYER_TYPE(TRTN_SAME_AS_ENGINE)
TRTN_TENSOR_IO_MODE(TRTN_SAME_AS_ENGINE)
TRTN_PADDING_MODE(TRTN_SAME_AS_OPS)
TRTN_ACTIVATION_TYPE(TRTN_SAME_AS_IR)
TRTN_PADDING_MODE(TRTN_SAME_AS_IR)
TRTN_POOLING_TYPE(TRTN_SAME_AS_IR)
TRTN_SCALE_MODE(TRTN_SAME_AS_IR)
TRTN_ELEMENTWISE_OPERATION(TRTN_SAME_AS_IR)
TRTN_UNARY_OPERATION(TRTN_SAME_AS_IR)
TRTN_REDUCE_OPERATION(TRTN_SAME_AS_IR)
TRTN_MATRIX_OPERATION(TRTN_SAME_AS_IR)
TRTN_SAMPLE_MODE(TRTN_SAME_AS_IR)
TRTN_BOUNDING_BOX_FORMAT(TRTN_SAME_AS_IR)
TRTN_GATHER_MODE(TRTN_SAME_AS_IR)
TRTN_TOPK_OPERATION(TRTN_SAME_AS_IR)
TRTN_CUMULATIVE_OPERATION(TRTN_SAME_AS_IR)
TRTN_SCATTER_MODE(TRTN_SAME_AS_IR)
TRTN_INTERPOLATION_MODE(TRTN_SAME_AS_IR)
TRTN_RESIZE_COORDINATE_TRANSFORMATION(TRTN_SAME_AS_IR)
TRTN_RESIZE_SELECTOR(TRTN_SAME_AS_IR)
TRTN_RESIZE_ROUND_MODE(TRTN_SAME_AS_IR)
TRTN_FILL_OPERATION(TRTN_SAME_AS_IR)
TRTN_TRIP_LIMIT(TRTN_SAME_AS_IR)
TRTN_LOOP_OUTPUT(TRTN_SAME_AS_IR)
TRTN_PROFILING_VERBOSITY(TRTN_SAME_AS_IR)

// The engine's own names for these differ from TensorRT's, so they are compared one by one.
static_assert(static_cast<int32_t>(AllocationStrategy::kSTATIC) ==
              static_cast<int32_t>(nvinfer1::ExecutionContextAllocationStrategy::kSTATIC));
static_assert(static_cast<int32_t>(AllocationStrategy::kON_PROFILE_CHANGE) ==
              static_cast<int32_t>(nvinfer1::ExecutionContextAllocationStrategy::kON_PROFILE_CHANGE));
static_assert(static_cast<int32_t>(AllocationStrategy::kUSER_MANAGED) ==
              static_cast<int32_t>(nvinfer1::ExecutionContextAllocationStrategy::kUSER_MANAGED));
static_assert(loop::kLastValue == static_cast<int64_t>(nvinfer1::LoopOutput::kLAST_VALUE));
static_assert(loop::kConcatenate == static_cast<int64_t>(nvinfer1::LoopOutput::kCONCATENATE));
static_assert(loop::kReverse == static_cast<int64_t>(nvinfer1::LoopOutput::kREVERSE));
static_assert(loop::kCount == static_cast<int64_t>(nvinfer1::TripLimit::kCOUNT));
static_assert(loop::kWhile == static_cast<int64_t>(nvinfer1::TripLimit::kWHILE));
static_assert(nvinfer1::Dims::MAX_DIMS == 8, "the IR caps ranks at 8 (AddonNetwork::AddInput)");

#define TRTN_MEMBER(E, m) TrtEnumMember{#m, static_cast<int32_t>(nvinfer1::E::k##m)},
#define TRTN_TABLE(E, LIST) constexpr TrtEnumMember k##E[] = {LIST(TRTN_MEMBER)};
// Each list has every member: a member TensorRT adds makes EnumMax grow past the list.
#define TRTN_COMPLETE(E)                                                                          \
  static_assert(std::size(k##E) == static_cast<size_t>(nvinfer1::EnumMax<nvinfer1::E>()), \
                "the member list of nvinfer1::" #E " is incomplete");

TRTN_TABLE(DataType, TRTN_DATA_TYPE)
TRTN_TABLE(LayerType, TRTN_LAYER_TYPE)
TRTN_TABLE(ActivationType, TRTN_ACTIVATION_TYPE)
TRTN_TABLE(PaddingMode, TRTN_PADDING_MODE)
TRTN_TABLE(PoolingType, TRTN_POOLING_TYPE)
TRTN_TABLE(ScaleMode, TRTN_SCALE_MODE)
TRTN_TABLE(ElementWiseOperation, TRTN_ELEMENTWISE_OPERATION)
TRTN_TABLE(UnaryOperation, TRTN_UNARY_OPERATION)
TRTN_TABLE(ReduceOperation, TRTN_REDUCE_OPERATION)
TRTN_TABLE(MatrixOperation, TRTN_MATRIX_OPERATION)
TRTN_TABLE(SampleMode, TRTN_SAMPLE_MODE)
TRTN_TABLE(BoundingBoxFormat, TRTN_BOUNDING_BOX_FORMAT)
TRTN_TABLE(GatherMode, TRTN_GATHER_MODE)
TRTN_TABLE(TopKOperation, TRTN_TOPK_OPERATION)
TRTN_TABLE(CumulativeOperation, TRTN_CUMULATIVE_OPERATION)
TRTN_TABLE(ScatterMode, TRTN_SCATTER_MODE)
TRTN_TABLE(InterpolationMode, TRTN_INTERPOLATION_MODE)
TRTN_TABLE(ResizeCoordinateTransformation, TRTN_RESIZE_COORDINATE_TRANSFORMATION)
TRTN_TABLE(ResizeSelector, TRTN_RESIZE_SELECTOR)
TRTN_TABLE(ResizeRoundMode, TRTN_RESIZE_ROUND_MODE)
TRTN_TABLE(FillOperation, TRTN_FILL_OPERATION)
TRTN_TABLE(TripLimit, TRTN_TRIP_LIMIT)
TRTN_TABLE(LoopOutput, TRTN_LOOP_OUTPUT)
TRTN_TABLE(TensorFormat, TRTN_TENSOR_FORMAT)
TRTN_TABLE(TensorIOMode, TRTN_TENSOR_IO_MODE)
TRTN_TABLE(TensorLocation, TRTN_TENSOR_LOCATION)
TRTN_TABLE(OptProfileSelector, TRTN_OPT_PROFILE_SELECTOR)
TRTN_TABLE(ProfilingVerbosity, TRTN_PROFILING_VERBOSITY)
TRTN_TABLE(MemoryPoolType, TRTN_MEMORY_POOL_TYPE)
TRTN_TABLE(ExecutionContextAllocationStrategy, TRTN_EXECUTION_CONTEXT_ALLOCATION_STRATEGY)
TRTN_TABLE(LayerInformationFormat, TRTN_LAYER_INFORMATION_FORMAT)
TRTN_TABLE(EngineCapability, TRTN_ENGINE_CAPABILITY)
TRTN_TABLE(HardwareCompatibilityLevel, TRTN_HARDWARE_COMPATIBILITY_LEVEL)
TRTN_TABLE(TacticSource, TRTN_TACTIC_SOURCE)
TRTN_TABLE(SerializationFlag, TRTN_SERIALIZATION_FLAG)
TRTN_TABLE(TilingOptimizationLevel, TRTN_TILING_OPTIMIZATION_LEVEL)
TRTN_TABLE(RuntimePlatform, TRTN_RUNTIME_PLATFORM)
TRTN_TABLE(PreviewFeature, TRTN_PREVIEW_FEATURE)
TRTN_TABLE(DeviceType, TRTN_DEVICE_TYPE)
TRTN_TABLE(TempfileControlFlag, TRTN_TEMPFILE_CONTROL_FLAG)
TRTN_TABLE(WeightsRole, TRTN_WEIGHTS_ROLE)
TRTN_TABLE(EngineStat, TRTN_ENGINE_STAT)
TRTN_TABLE(ErrorCode, TRTN_ERROR_CODE)
// BuilderFlag::kSAFETY_SCOPE and kDIRECT_IO and NetworkDefinitionCreationFlag::kSTRONGLY_TYPED
// are deprecated, but lib/enums.ts still carries them, so the table lists them too.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
TRTN_TABLE(BuilderFlag, TRTN_BUILDER_FLAG)
TRTN_TABLE(NetworkDefinitionCreationFlag, TRTN_NETWORK_DEFINITION_CREATION_FLAG)
TRTN_BUILDER_FLAG(TRTN_SAME_AS_IR)
#pragma GCC diagnostic pop

TRTN_COMPLETE(DataType)
TRTN_COMPLETE(LayerType)
TRTN_COMPLETE(ActivationType)
TRTN_COMPLETE(PaddingMode)
TRTN_COMPLETE(PoolingType)
TRTN_COMPLETE(ScaleMode)
TRTN_COMPLETE(ElementWiseOperation)
TRTN_COMPLETE(UnaryOperation)
TRTN_COMPLETE(ReduceOperation)
TRTN_COMPLETE(MatrixOperation)
TRTN_COMPLETE(SampleMode)
TRTN_COMPLETE(BoundingBoxFormat)
TRTN_COMPLETE(GatherMode)
TRTN_COMPLETE(TopKOperation)
TRTN_COMPLETE(CumulativeOperation)
TRTN_COMPLETE(ScatterMode)
TRTN_COMPLETE(InterpolationMode)
TRTN_COMPLETE(ResizeCoordinateTransformation)
TRTN_COMPLETE(ResizeSelector)
TRTN_COMPLETE(ResizeRoundMode)
TRTN_COMPLETE(FillOperation)
TRTN_COMPLETE(TripLimit)
TRTN_COMPLETE(LoopOutput)
TRTN_COMPLETE(TensorFormat)
TRTN_COMPLETE(TensorIOMode)
TRTN_COMPLETE(TensorLocation)
TRTN_COMPLETE(OptProfileSelector)
TRTN_COMPLETE(ProfilingVerbosity)
TRTN_COMPLETE(MemoryPoolType)
TRTN_COMPLETE(ExecutionContextAllocationStrategy)
TRTN_COMPLETE(LayerInformationFormat)
TRTN_COMPLETE(EngineCapability)
TRTN_COMPLETE(HardwareCompatibilityLevel)
TRTN_COMPLETE(TacticSource)
TRTN_COMPLETE(SerializationFlag)
TRTN_COMPLETE(TilingOptimizationLevel)
TRTN_COMPLETE(RuntimePlatform)
TRTN_COMPLETE(PreviewFeature)
TRTN_COMPLETE(DeviceType)
TRTN_COMPLETE(TempfileControlFlag)
TRTN_COMPLETE(WeightsRole)
TRTN_COMPLETE(EngineStat)
TRTN_COMPLETE(ErrorCode)
TRTN_COMPLETE(NetworkDefinitionCreationFlag)
// BuilderFlag is not checked this way: its values have gaps where 11.0 removed flags, so EnumMax
// (28) exceeds its member count (20).

template <size_t N>
const char* memberName(const TrtEnumMember (&members)[N], int32_t value) {
  for (const TrtEnumMember& m : members)
    if (m.value == value) return m.name;
  return nullptr;
}

// `value` as nvinfer1 enum Trt after checking that TensorRT has such a member.
template <typename Trt, size_t N>
Trt checkedCast(int32_t value, const TrtEnumMember (&members)[N], const char* enumName) {
  if (!memberName(members, value)) fail(StatusCode::kInvalidArgument, value, " is not a TensorRT 11 ", enumName);
  return static_cast<Trt>(value);
}

}  // namespace

#define TRTN_TO_TRT(Ours, E) \
  nvinfer1::E toTrt(Ours v) { return checkedCast<nvinfer1::E>(static_cast<int32_t>(v), k##E, #E); }

TRTN_TO_TRT(DataType, DataType)
TRTN_TO_TRT(ir::ActivationType, ActivationType)
TRTN_TO_TRT(ir::PaddingMode, PaddingMode)
TRTN_TO_TRT(ir::PoolingType, PoolingType)
TRTN_TO_TRT(ir::ScaleMode, ScaleMode)
TRTN_TO_TRT(ir::ElementWiseOperation, ElementWiseOperation)
TRTN_TO_TRT(ir::UnaryOperation, UnaryOperation)
TRTN_TO_TRT(ir::ReduceOperation, ReduceOperation)
TRTN_TO_TRT(ir::MatrixOperation, MatrixOperation)
TRTN_TO_TRT(ir::SampleMode, SampleMode)
TRTN_TO_TRT(ir::BoundingBoxFormat, BoundingBoxFormat)
TRTN_TO_TRT(ir::GatherMode, GatherMode)
TRTN_TO_TRT(ir::TopKOperation, TopKOperation)
TRTN_TO_TRT(ir::ScatterMode, ScatterMode)
TRTN_TO_TRT(ir::InterpolationMode, InterpolationMode)
TRTN_TO_TRT(ir::ResizeCoordinateTransformation, ResizeCoordinateTransformation)
TRTN_TO_TRT(ir::ResizeSelector, ResizeSelector)
TRTN_TO_TRT(ir::ResizeRoundMode, ResizeRoundMode)
TRTN_TO_TRT(ir::FillOperation, FillOperation)
TRTN_TO_TRT(ir::TripLimit, TripLimit)
TRTN_TO_TRT(ir::LoopOutput, LoopOutput)
TRTN_TO_TRT(ir::ProfilingVerbosity, ProfilingVerbosity)
TRTN_TO_TRT(ir::BuilderFlag, BuilderFlag)

nvinfer1::LayerType toTrt(LayerType v) {
  if (v == LayerType::kLOOP)
    fail(StatusCode::kInternal,
         "LOOP is the builder's outlined form of a loop, not a layer; translate the network before the builder's passes");
  return checkedCast<nvinfer1::LayerType>(static_cast<int32_t>(v), kLayerType, "LayerType");
}

nvinfer1::CumulativeOperation toTrt(ir::CumulativeOperation v) {
  if (v == ir::CumulativeOperation::kPROD)
    fail(StatusCode::kUnsupported,
         "CumulativeOperation.PROD is an extension of the built-in engine; TensorRT 11 has SUM only");
  return checkedCast<nvinfer1::CumulativeOperation>(static_cast<int32_t>(v), kCumulativeOperation,
                                                    "CumulativeOperation");
}

nvinfer1::Dims toTrtDims(const Dims& dims, const std::string& what) {
  if (dims.size() > static_cast<size_t>(nvinfer1::Dims::MAX_DIMS))
    fail(StatusCode::kInvalidArgument, what, " ", dimsToString(dims), " has rank ", dims.size(),
         ", more than TensorRT's maximum of ", nvinfer1::Dims::MAX_DIMS, " (Dims64::MAX_DIMS)");
  nvinfer1::Dims d{};
  d.nbDims = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) d.d[i] = dims[i];
  return d;
}

Dims fromTrtDims(const nvinfer1::Dims& dims) {
  if (dims.nbDims < 0 || dims.nbDims > nvinfer1::Dims::MAX_DIMS)
    fail(StatusCode::kTensorRTError, "TensorRT returned ", dims.nbDims < 0 ? "invalid or unknown-rank" : "malformed",
         " dimensions (nbDims ", dims.nbDims, ")");
  return Dims(dims.d, dims.d + dims.nbDims);
}

nvinfer1::Weights toTrtWeights(const Weights& w) {
  if (w.empty()) return emptyTrtWeights(w.type);
  return nvinfer1::Weights{toTrt(w.type), w.data.get(), w.count};
}

nvinfer1::Weights emptyTrtWeights(DataType type) { return nvinfer1::Weights{toTrt(type), nullptr, 0}; }

const std::vector<TrtEnumTable>& trtEnumTables() {
#define TRTN_ENTRY(E) TrtEnumTable{#E, k##E, std::size(k##E)},
  static const std::vector<TrtEnumTable> tables = {
      TRTN_ENTRY(DataType) TRTN_ENTRY(LayerType) TRTN_ENTRY(ActivationType) TRTN_ENTRY(PaddingMode)
      TRTN_ENTRY(PoolingType) TRTN_ENTRY(ScaleMode) TRTN_ENTRY(ElementWiseOperation) TRTN_ENTRY(UnaryOperation)
      TRTN_ENTRY(ReduceOperation) TRTN_ENTRY(MatrixOperation) TRTN_ENTRY(SampleMode) TRTN_ENTRY(BoundingBoxFormat)
      TRTN_ENTRY(GatherMode) TRTN_ENTRY(TopKOperation) TRTN_ENTRY(CumulativeOperation) TRTN_ENTRY(ScatterMode)
      TRTN_ENTRY(InterpolationMode) TRTN_ENTRY(ResizeCoordinateTransformation) TRTN_ENTRY(ResizeSelector)
      TRTN_ENTRY(ResizeRoundMode) TRTN_ENTRY(FillOperation) TRTN_ENTRY(TripLimit) TRTN_ENTRY(LoopOutput)
      TRTN_ENTRY(TensorFormat) TRTN_ENTRY(TensorIOMode) TRTN_ENTRY(TensorLocation) TRTN_ENTRY(OptProfileSelector)
      TRTN_ENTRY(ProfilingVerbosity) TRTN_ENTRY(MemoryPoolType) TRTN_ENTRY(BuilderFlag)
      TRTN_ENTRY(NetworkDefinitionCreationFlag) TRTN_ENTRY(ExecutionContextAllocationStrategy)
      TRTN_ENTRY(LayerInformationFormat) TRTN_ENTRY(EngineCapability) TRTN_ENTRY(HardwareCompatibilityLevel)
      TRTN_ENTRY(TacticSource) TRTN_ENTRY(SerializationFlag) TRTN_ENTRY(TilingOptimizationLevel)
      TRTN_ENTRY(RuntimePlatform) TRTN_ENTRY(PreviewFeature) TRTN_ENTRY(DeviceType) TRTN_ENTRY(TempfileControlFlag)
      TRTN_ENTRY(WeightsRole) TRTN_ENTRY(EngineStat) TRTN_ENTRY(ErrorCode)};
#undef TRTN_ENTRY
  return tables;
}

}  // namespace trtn::trt
