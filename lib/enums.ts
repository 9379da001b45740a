/**
 * TensorRT 11 enums, with TensorRT's numeric values (so plans and the TensorRT backend agree) and
 * the TensorRT Python API's member names (`DataType.FLOAT`, `ActivationType.RELU`).
 */

/** Element types (nvinfer1::DataType). */
export enum DataType {
  FLOAT = 0,
  HALF = 1,
  INT8 = 2,
  INT32 = 3,
  BOOL = 4,
  UINT8 = 5,
  FP8 = 6,
  BF16 = 7,
  INT64 = 8,
  INT4 = 9,
  FP4 = 10,
  E8M0 = 11,
}

/** Layer kinds (nvinfer1::LayerType). */
export enum LayerType {
  CONVOLUTION = 0,
  CAST = 1,
  ACTIVATION = 2,
  POOLING = 3,
  LRN = 4,
  SCALE = 5,
  SOFTMAX = 6,
  DECONVOLUTION = 7,
  CONCATENATION = 8,
  ELEMENTWISE = 9,
  PLUGIN = 10,
  UNARY = 11,
  PADDING = 12,
  SHUFFLE = 13,
  REDUCE = 14,
  TOPK = 15,
  GATHER = 16,
  MATRIX_MULTIPLY = 17,
  RAGGED_SOFTMAX = 18,
  CONSTANT = 19,
  IDENTITY = 20,
  SLICE = 22,
  SHAPE = 23,
  PARAMETRIC_RELU = 24,
  RESIZE = 25,
  TRIP_LIMIT = 26,
  RECURRENCE = 27,
  ITERATOR = 28,
  LOOP_OUTPUT = 29,
  SELECT = 30,
  FILL = 31,
  QUANTIZE = 32,
  DEQUANTIZE = 33,
  CONDITION = 34,
  CONDITIONAL_INPUT = 35,
  CONDITIONAL_OUTPUT = 36,
  SCATTER = 37,
  EINSUM = 38,
  ASSERTION = 39,
  ONE_HOT = 40,
  NON_ZERO = 41,
  GRID_SAMPLE = 42,
  NMS = 43,
  REVERSE_SEQUENCE = 44,
  NORMALIZATION = 45,
  SQUEEZE = 47,
  UNSQUEEZE = 48,
  CUMULATIVE = 49,
  DYNAMIC_QUANTIZE = 50,
  ATTENTION_INPUT = 51,
  ATTENTION_OUTPUT = 52,
  ROTARY_EMBEDDING = 53,
  KVCACHE_UPDATE = 54,
  MOE = 55,
  DIST_COLLECTIVE = 56,
}

export enum ActivationType {
  RELU = 0,
  SIGMOID = 1,
  TANH = 2,
  LEAKY_RELU = 3,
  ELU = 4,
  SELU = 5,
  SOFTSIGN = 6,
  SOFTPLUS = 7,
  CLIP = 8,
  HARD_SIGMOID = 9,
  SCALED_TANH = 10,
  THRESHOLDED_RELU = 11,
  GELU_ERF = 12,
  GELU_TANH = 13,
}

export enum PaddingMode {
  EXPLICIT_ROUND_DOWN = 0,
  EXPLICIT_ROUND_UP = 1,
  SAME_UPPER = 2,
  SAME_LOWER = 3,
}

export enum PoolingType {
  MAX = 0,
  AVERAGE = 1,
  MAX_AVERAGE_BLEND = 2,
}

export enum ScaleMode {
  UNIFORM = 0,
  CHANNEL = 1,
  ELEMENTWISE = 2,
}

export enum ElementWiseOperation {
  SUM = 0,
  PROD = 1,
  MAX = 2,
  MIN = 3,
  SUB = 4,
  DIV = 5,
  POW = 6,
  FLOOR_DIV = 7,
  AND = 8,
  OR = 9,
  XOR = 10,
  EQUAL = 11,
  GREATER = 12,
  LESS = 13,
}

export enum UnaryOperation {
  EXP = 0,
  LOG = 1,
  SQRT = 2,
  RECIP = 3,
  ABS = 4,
  NEG = 5,
  SIN = 6,
  COS = 7,
  TAN = 8,
  SINH = 9,
  COSH = 10,
  ASIN = 11,
  ACOS = 12,
  ATAN = 13,
  ASINH = 14,
  ACOSH = 15,
  ATANH = 16,
  CEIL = 17,
  FLOOR = 18,
  ERF = 19,
  NOT = 20,
  SIGN = 21,
  ROUND = 22,
  ISINF = 23,
  ISNAN = 24,
}

export enum ReduceOperation {
  SUM = 0,
  PROD = 1,
  MAX = 2,
  MIN = 3,
  AVG = 4,
  NONE = 5,
}

export enum MatrixOperation {
  NONE = 0,
  TRANSPOSE = 1,
  VECTOR = 2,
}

export enum SampleMode {
  STRICT_BOUNDS = 0,
  WRAP = 1,
  CLAMP = 2,
  FILL = 3,
  REFLECT = 4,
}

/** nvinfer1::BoundingBoxFormat (INMSLayer). */
export enum BoundingBoxFormat {
  /** (x1, y1, x2, y2): any two diagonal corners. */
  CORNER_PAIRS = 0,
  /** (x_center, y_center, width, height). */
  CENTER_SIZES = 1,
}

export enum GatherMode {
  DEFAULT = 0,
  ELEMENT = 1,
  ND = 2,
}

export enum TopKOperation {
  MAX = 0,
  MIN = 1,
}

/** ICumulativeLayer operations. PROD is an addition of this engine (ONNX CumProd). */
export enum CumulativeOperation {
  SUM = 0,
  PROD = 1,
}

export enum ScatterMode {
  ELEMENT = 0,
  ND = 1,
}

/**
 * How IScatterLayer combines an update with the element it lands on. An addition of this
 * engine (ONNX scatter reductions): TensorRT's scatter only overwrites (NONE).
 */
export enum ScatterReduction {
  NONE = 0,
  SUM = 1,
  PROD = 2,
  MAX = 3,
  MIN = 4,
}

export enum InterpolationMode {
  NEAREST = 0,
  LINEAR = 1,
  CUBIC = 2,
}

export enum ResizeCoordinateTransformation {
  ALIGN_CORNERS = 0,
  ASYMMETRIC = 1,
  HALF_PIXEL = 2,
}

export enum ResizeSelector {
  FORMULA = 0,
  UPPER = 1,
}

export enum ResizeRoundMode {
  HALF_UP = 0,
  HALF_DOWN = 1,
  FLOOR = 2,
  CEIL = 3,
}

export enum FillOperation {
  LINSPACE = 0,
  RANDOM_UNIFORM = 1,
  RANDOM_NORMAL = 2,
}

/** How a loop's trip count is limited (nvinfer1::TripLimit). */
export enum TripLimit {
  /** A 0-D INT32/INT64 shape tensor from outside the loop: the number of iterations. */
  COUNT = 0,
  /** A 0-D BOOL tensor computed inside the loop, checked before each iteration. */
  WHILE = 1,
}

/** What a loop output gives (nvinfer1::LoopOutput). */
export enum LoopOutput {
  /** The recurrence's value after the last iteration. */
  LAST_VALUE = 0,
  /** Every iteration's value, stacked along a new axis. */
  CONCATENATE = 1,
  /** Every iteration's value, stacked along a new axis in reverse order. */
  REVERSE = 2,
}

export enum TensorFormat {
  LINEAR = 0,
  CHW2 = 1,
  HWC8 = 2,
  CHW4 = 3,
  CHW16 = 4,
  CHW32 = 5,
  DHWC8 = 6,
  CDHW32 = 7,
  HWC = 8,
  DLA_LINEAR = 9,
  DLA_HWC4 = 10,
  HWC16 = 11,
  DHWC = 12,
}

export enum TensorIOMode {
  NONE = 0,
  INPUT = 1,
  OUTPUT = 2,
}

export enum TensorLocation {
  DEVICE = 0,
  HOST = 1,
}

export enum OptProfileSelector {
  MIN = 0,
  OPT = 1,
  MAX = 2,
}

export enum ProfilingVerbosity {
  LAYER_NAMES_ONLY = 0,
  NONE = 1,
  DETAILED = 2,
}

export enum MemoryPoolType {
  WORKSPACE = 0,
  DLA_MANAGED_SRAM = 1,
  DLA_LOCAL_DRAM = 2,
  DLA_GLOBAL_DRAM = 3,
  TACTIC_DRAM = 4,
  TACTIC_SHARED_MEMORY = 5,
}

/** The TensorRT 11 builder flags (the precision flags were removed in 11.0: use typed tensors). */
export enum BuilderFlag {
  DEBUG = 2,
  GPU_FALLBACK = 3,
  REFIT = 4,
  DISABLE_TIMING_CACHE = 5,
  TF32 = 6,
  SPARSE_WEIGHTS = 7,
  SAFETY_SCOPE = 8,
  DIRECT_IO = 11,
  VERSION_COMPATIBLE = 12,
  EXCLUDE_LEAN_RUNTIME = 13,
  ERROR_ON_TIMING_CACHE_MISS = 15,
  DISABLE_COMPILATION_CACHE = 17,
  STRIP_PLAN = 18,
  REFIT_IDENTICAL = 19,
  WEIGHT_STREAMING = 20,
  REFIT_INDIVIDUAL = 22,
  STRICT_NANS = 23,
  MONITOR_MEMORY = 24,
  EDITABLE_TIMING_CACHE = 26,
  DISTRIBUTIVE_INDEPENDENCE = 27,
}

export enum NetworkDefinitionCreationFlag {
  /** Deprecated and ignored in TensorRT 11: every network is strongly typed. */
  STRONGLY_TYPED = 0,
  PREFER_JIT_PYTHON_PLUGINS = 1,
  PREFER_AOT_PYTHON_PLUGINS = 2,
}

export enum ExecutionContextAllocationStrategy {
  /** Memory for the largest profile, allocated with the context (the default). */
  STATIC = 0,
  /** Memory reallocated for each selected profile. */
  ON_PROFILE_CHANGE = 1,
  /** The caller supplies memory with setDeviceMemoryV2() before enqueueV3(). */
  USER_MANAGED = 2,
}

/**
 * Bytes per element of the types the built-in engine stores with whole bytes per element (0 for
 * other types, including INT4 and FP4, which pack two elements per byte: size those with
 * {@link byteSizeOf}).
 */
export function dataTypeSize(type: DataType): number {
  switch (type) {
    case DataType.FLOAT:
    case DataType.INT32:
      return 4;
    case DataType.HALF:
    case DataType.BF16:
      return 2;
    case DataType.INT8:
    case DataType.UINT8:
    case DataType.BOOL:
    case DataType.FP8:
    case DataType.E8M0:
      return 1;
    case DataType.INT64:
      return 8;
    default:
      return 0;
  }
}

/** Whether a DataType packs two elements per byte (INT4, FP4; element 0 in the low nibble). */
export function isPackedDataType(type: DataType): boolean {
  return type === DataType.INT4 || type === DataType.FP4;
}

/**
 * Bytes that `count` elements of `type` occupy: INT4 and FP4 pack two per byte, so an odd count
 * rounds up; 0 for a type the built-in engine does not store.
 *
 * @example
 * byteSizeOf(DataType.FLOAT, 3); // 12
 * byteSizeOf(DataType.INT4, 3); // 2
 */
export function byteSizeOf(type: DataType, count: number): number {
  return isPackedDataType(type) ? Math.ceil(count / 2) : count * dataTypeSize(type);
}

/** TypedArray classes that hold each DataType (HALF, BF16, FP8 and E8M0 as raw bit patterns; INT4 and FP4 as packed bytes). */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** The TypedArray constructor matching a DataType. */
export function typedArrayFor(type: DataType): { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray; BYTES_PER_ELEMENT: number } {
  switch (type) {
    case DataType.FLOAT:
      return Float32Array;
    case DataType.HALF:
    case DataType.BF16:
      return Uint16Array;
    case DataType.INT8:
      return Int8Array;
    case DataType.UINT8:
    case DataType.BOOL:
    case DataType.FP8:
    case DataType.E8M0:
    case DataType.INT4:
    case DataType.FP4:
      return Uint8Array;
    case DataType.INT32:
      return Int32Array;
    case DataType.INT64:
      return BigInt64Array;
    default:
      throw new RangeError(`Expected a storable DataType but received ${DataType[type] ?? type}`);
  }
}
