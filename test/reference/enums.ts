/** TensorRT 11 enum values (exactly as in NvInfer.h). */

export { DataType } from './ndarray';

export const ActivationType = {
  RELU: 0,
  SIGMOID: 1,
  TANH: 2,
  LEAKY_RELU: 3,
  ELU: 4,
  SELU: 5,
  SOFTSIGN: 6,
  SOFTPLUS: 7,
  CLIP: 8,
  HARD_SIGMOID: 9,
  SCALED_TANH: 10,
  THRESHOLDED_RELU: 11,
  GELU_ERF: 12,
  GELU_TANH: 13,
} as const;

export const PaddingMode = {
  EXPLICIT_ROUND_DOWN: 0,
  EXPLICIT_ROUND_UP: 1,
  SAME_UPPER: 2,
  SAME_LOWER: 3,
} as const;

export const PoolingType = {
  MAX: 0,
  AVERAGE: 1,
  MAX_AVERAGE_BLEND: 2,
} as const;

export const ScaleMode = {
  UNIFORM: 0,
  CHANNEL: 1,
  ELEMENTWISE: 2,
} as const;

export const ElementWiseOperation = {
  SUM: 0,
  PROD: 1,
  MAX: 2,
  MIN: 3,
  SUB: 4,
  DIV: 5,
  POW: 6,
  FLOOR_DIV: 7,
  AND: 8,
  OR: 9,
  XOR: 10,
  EQUAL: 11,
  GREATER: 12,
  LESS: 13,
} as const;

export const GatherMode = {
  DEFAULT: 0,
  ELEMENT: 1,
  ND: 2,
} as const;

export const UnaryOperation = {
  EXP: 0,
  LOG: 1,
  SQRT: 2,
  RECIP: 3,
  ABS: 4,
  NEG: 5,
  SIN: 6,
  COS: 7,
  TAN: 8,
  SINH: 9,
  COSH: 10,
  ASIN: 11,
  ACOS: 12,
  ATAN: 13,
  ASINH: 14,
  ACOSH: 15,
  ATANH: 16,
  CEIL: 17,
  FLOOR: 18,
  ERF: 19,
  NOT: 20,
  SIGN: 21,
  ROUND: 22,
  ISINF: 23,
  ISNAN: 24,
} as const;

export const ReduceOperation = {
  SUM: 0,
  PROD: 1,
  MAX: 2,
  MIN: 3,
  AVG: 4,
} as const;

export const SampleMode = {
  STRICT_BOUNDS: 0,
  WRAP: 1,
  CLAMP: 2,
  FILL: 3,
  REFLECT: 4,
} as const;

export const TopKOperation = {
  MAX: 0,
  MIN: 1,
} as const;

export const MatrixOperation = {
  NONE: 0,
  TRANSPOSE: 1,
  VECTOR: 2,
} as const;

export const InterpolationMode = {
  NEAREST: 0,
  LINEAR: 1,
  CUBIC: 2,
} as const;

export const ResizeCoordinateTransformation = {
  ALIGN_CORNERS: 0,
  ASYMMETRIC: 1,
  HALF_PIXEL: 2,
} as const;

export const ResizeSelector = {
  FORMULA: 0,
  UPPER: 1,
} as const;

export const ResizeRoundMode = {
  HALF_UP: 0,
  HALF_DOWN: 1,
  FLOOR: 2,
  CEIL: 3,
} as const;

export const FillOperation = {
  LINSPACE: 0,
  RANDOM_UNIFORM: 1,
  RANDOM_NORMAL: 2,
} as const;
