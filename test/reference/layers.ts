/**
 * Reference implementations of the TensorRT layers (docs/layers.md), in double precision.
 * Slow and straightforward on purpose: these are the test oracle.
 */
import {
  type Ref,
  ref,
  size,
  get,
  broadcastDims,
  broadcastGet,
  clone,
  transpose,
  forEachIndex,
  offset,
  isRef,
  roundHalfEven,
  storeAs,
  truncSaturate,
  wrapSigned,
  wrapUint8,
  DataType,
  INT32_MIN,
  INT32_MAX,
  INT64_MIN,
  INT64_MAX,
  isIntegerType,
} from './ndarray';
import {
  ActivationType,
  ElementWiseOperation,
  UnaryOperation,
  MatrixOperation,
  ReduceOperation,
  ScaleMode,
  SampleMode,
  GatherMode,
  TopKOperation,
  FillOperation,
} from './enums';
import { erf, sigmoid, softplus1 } from './math';
import { type Weights, weightsData } from './conv';

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/** List of axes set in a bitmask; throws on bits >= rank. */
export function axesFromMask(mask: number, rank: number): number[] {
  if (!Number.isInteger(mask) || mask < 0) throw new Error(`bad axes mask ${mask}`);
  const axes: number[] = [];
  for (let i = 0; i < 32; i++) {
    if ((mask >>> i) & 1) {
      if (i >= rank) throw new Error(`axes mask ${mask} has bit ${i} >= rank ${rank}`);
      axes.push(i);
    }
  }
  return axes;
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** C-like pow: pow(1, y) = 1 and pow(-1, ±inf) = 1 (JS gives NaN there). */
export function cpow(a: number, b: number): number {
  if (a === 1) return 1;
  if (b === 0) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}

const bool = (c: boolean): number => (c ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// ACTIVATION
// ---------------------------------------------------------------------------------------------

export interface ActivationParams {
  /** ActivationType */
  type: number;
  alpha?: number;
  beta?: number;
}

export function activationScalar(x: number, type: number, alpha = 0, beta = 0): number {
  switch (type) {
    case ActivationType.RELU:
      return Number.isNaN(x) ? x : Math.max(0, x);
    case ActivationType.SIGMOID:
      return sigmoid(x);
    case ActivationType.TANH:
      return Math.tanh(x);
    case ActivationType.LEAKY_RELU:
      return x >= 0 ? x : alpha * x;
    case ActivationType.ELU:
      return x >= 0 ? x : alpha * Math.expm1(x);
    case ActivationType.SELU:
      return x > 0 ? beta * x : beta * (alpha * Math.exp(x) - alpha);
    case ActivationType.SOFTSIGN:
      return x / (1 + Math.abs(x));
    case ActivationType.SOFTPLUS:
      return alpha * softplus1(beta * x);
    case ActivationType.CLIP:
      return Math.max(alpha, Math.min(beta, x));
    case ActivationType.HARD_SIGMOID:
      return Math.max(0, Math.min(1, alpha * x + beta));
    case ActivationType.SCALED_TANH:
      return alpha * Math.tanh(beta * x);
    case ActivationType.THRESHOLDED_RELU:
      return x > alpha ? x : 0;
    case ActivationType.GELU_ERF:
      return 0.5 * x * (1 + erf(Math.SQRT1_2 * x));
    case ActivationType.GELU_TANH:
      return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (0.044715 * x * x * x + x)));
    default:
      throw new Error(`unknown ActivationType ${type}`);
  }
}

export function activation(input: Ref, p: ActivationParams): Ref {
  const alpha = p.alpha ?? 0;
  const beta = p.beta ?? 0;
  return ref(input.dims, (_i, f) => activationScalar(input.data[f], p.type, alpha, beta));
}

// ---------------------------------------------------------------------------------------------
// ELEMENTWISE
// ---------------------------------------------------------------------------------------------

export interface ElementWiseParams {
  /** ElementWiseOperation */
  op: number;
  /** integer tensors: DIV truncates toward zero (FLOOR_DIV floors either way); DIV and FLOOR_DIV
   * by 0 give 0; POW with a negative exponent gives the truncated 1 / x^-e (0 for a zero base) */
  isInteger?: boolean;
}

export function elementWiseScalar(a: number, b: number, op: number, isInteger = false): number {
  switch (op) {
    case ElementWiseOperation.SUM:
      return a + b;
    case ElementWiseOperation.PROD:
      return a * b;
    case ElementWiseOperation.MAX:
      return Math.max(a, b);
    case ElementWiseOperation.MIN:
      return Math.min(a, b);
    case ElementWiseOperation.SUB:
      return a - b;
    case ElementWiseOperation.DIV:
      if (isInteger) return b === 0 ? 0 : Math.trunc(a / b);
      return a / b;
    case ElementWiseOperation.POW:
      if (isInteger && b < 0) return a === 0 ? 0 : Math.trunc(cpow(a, b));
      return cpow(a, b);
    case ElementWiseOperation.FLOOR_DIV:
      if (isInteger && b === 0) return 0;
      return Math.floor(a / b);
    case ElementWiseOperation.AND:
      return bool(a !== 0 && b !== 0);
    case ElementWiseOperation.OR:
      return bool(a !== 0 || b !== 0);
    case ElementWiseOperation.XOR:
      return bool(a !== 0 !== (b !== 0));
    case ElementWiseOperation.EQUAL:
      return bool(a === b);
    case ElementWiseOperation.GREATER:
      return bool(a > b);
    case ElementWiseOperation.LESS:
      return bool(a < b);
    default:
      throw new Error(`unknown ElementWiseOperation ${op}`);
  }
}

/** Binary op with equal-rank numpy broadcasting. Comparisons and logical ops give 0/1. */
export function elementWise(a: Ref, b: Ref, p: ElementWiseParams): Ref {
  const dims = broadcastDims(a.dims, b.dims);
  const isInt = p.isInteger ?? false;
  return ref(dims, (idx) => elementWiseScalar(broadcastGet(a, idx), broadcastGet(b, idx), p.op, isInt));
}
export const elementwise = elementWise;

// ---------------------------------------------------------------------------------------------
// UNARY
// ---------------------------------------------------------------------------------------------

export interface UnaryParams {
  /** UnaryOperation */
  op: number;
}

export function unaryScalar(x: number, op: number): number {
  switch (op) {
    case UnaryOperation.EXP:
      return Math.exp(x);
    case UnaryOperation.LOG:
      return Math.log(x);
    case UnaryOperation.SQRT:
      return Math.sqrt(x);
    case UnaryOperation.RECIP:
      return 1 / x;
    case UnaryOperation.ABS:
      return Math.abs(x);
    case UnaryOperation.NEG:
      return -x;
    case UnaryOperation.SIN:
      return Math.sin(x);
    case UnaryOperation.COS:
      return Math.cos(x);
    case UnaryOperation.TAN:
      return Math.tan(x);
    case UnaryOperation.SINH:
      return Math.sinh(x);
    case UnaryOperation.COSH:
      return Math.cosh(x);
    case UnaryOperation.ASIN:
      return Math.asin(x);
    case UnaryOperation.ACOS:
      return Math.acos(x);
    case UnaryOperation.ATAN:
      return Math.atan(x);
    case UnaryOperation.ASINH:
      return Math.asinh(x);
    case UnaryOperation.ACOSH:
      return Math.acosh(x);
    case UnaryOperation.ATANH:
      return Math.atanh(x);
    case UnaryOperation.CEIL:
      return Math.ceil(x);
    case UnaryOperation.FLOOR:
      return Math.floor(x);
    case UnaryOperation.ERF:
      return erf(x);
    case UnaryOperation.NOT:
      return bool(x === 0);
    case UnaryOperation.SIGN:
      return Number.isNaN(x) ? x : x > 0 ? 1 : x < 0 ? -1 : 0;
    case UnaryOperation.ROUND:
      return roundHalfEven(x);
    case UnaryOperation.ISINF:
      return bool(x === Infinity || x === -Infinity);
    case UnaryOperation.ISNAN:
      return bool(Number.isNaN(x));
    default:
      throw new Error(`unknown UnaryOperation ${op}`);
  }
}

export function unary(input: Ref, p: UnaryParams): Ref {
  return ref(input.dims, (_i, f) => unaryScalar(input.data[f], p.op));
}

// ---------------------------------------------------------------------------------------------
// MATRIX_MULTIPLY
// ---------------------------------------------------------------------------------------------

export interface MatrixMultiplyParams {
  /** MatrixOperation for input 0 (default NONE) */
  op0?: number;
  /** MatrixOperation for input 1 (default NONE) */
  op1?: number;
}

/**
 * Batched matmul. NONE: [..., M, K] / [..., K, N]; TRANSPOSE: [..., K, M] / [..., N, K];
 * VECTOR: [..., K] (the last dim is a vector). Batch dims must have equal counts and broadcast.
 * Output: batch + [M if input 0 is a matrix] + [N if input 1 is a matrix].
 */
export function matrixMultiply(a: Ref, b: Ref, p: MatrixMultiplyParams = {}): Ref {
  const op0 = p.op0 ?? MatrixOperation.NONE;
  const op1 = p.op1 ?? MatrixOperation.NONE;
  const ra = a.dims.length;
  const rb = b.dims.length;
  const aVec = op0 === MatrixOperation.VECTOR;
  const bVec = op1 === MatrixOperation.VECTOR;
  const aMat = ra - (aVec ? 1 : 2);
  const bMat = rb - (bVec ? 1 : 2);
  if (aMat < 0 || bMat < 0) throw new Error('matrixMultiply: input rank too small for its MatrixOperation');
  const aBatch = a.dims.slice(0, aMat);
  const bBatch = b.dims.slice(0, bMat);
  if (aBatch.length !== bBatch.length) {
    throw new Error(`matrixMultiply: batch ranks differ ([${aBatch.join(',')}] vs [${bBatch.join(',')}])`);
  }
  const batch = broadcastDims(aBatch, bBatch);
  let M = 1;
  let Ka: number;
  if (op0 === MatrixOperation.NONE) {
    M = a.dims[ra - 2];
    Ka = a.dims[ra - 1];
  } else if (op0 === MatrixOperation.TRANSPOSE) {
    Ka = a.dims[ra - 2];
    M = a.dims[ra - 1];
  } else if (aVec) {
    Ka = a.dims[ra - 1];
  } else throw new Error(`unknown MatrixOperation ${op0}`);
  let N = 1;
  let Kb: number;
  if (op1 === MatrixOperation.NONE) {
    Kb = b.dims[rb - 2];
    N = b.dims[rb - 1];
  } else if (op1 === MatrixOperation.TRANSPOSE) {
    N = b.dims[rb - 2];
    Kb = b.dims[rb - 1];
  } else if (bVec) {
    Kb = b.dims[rb - 1];
  } else throw new Error(`unknown MatrixOperation ${op1}`);
  if (Ka !== Kb) throw new Error(`matrixMultiply: inner dims differ (${Ka} vs ${Kb})`);
  const K = Ka;
  const getA = (bi: number[], m: number, k: number): number => {
    const bb = bi.map((v, i) => (aBatch[i] === 1 ? 0 : v));
    if (op0 === MatrixOperation.NONE) return get(a, [...bb, m, k]);
    if (op0 === MatrixOperation.TRANSPOSE) return get(a, [...bb, k, m]);
    return get(a, [...bb, k]);
  };
  const getB = (bi: number[], k: number, n: number): number => {
    const bb = bi.map((v, i) => (bBatch[i] === 1 ? 0 : v));
    if (op1 === MatrixOperation.NONE) return get(b, [...bb, k, n]);
    if (op1 === MatrixOperation.TRANSPOSE) return get(b, [...bb, n, k]);
    return get(b, [...bb, k]);
  };
  const outDims = [...batch, ...(aVec ? [] : [M]), ...(bVec ? [] : [N])];
  const nb = batch.length;
  return ref(outDims, (idx) => {
    const bi = idx.slice(0, nb);
    const m = aVec ? 0 : idx[nb];
    const n = bVec ? 0 : idx[nb + (aVec ? 0 : 1)];
    let acc = 0;
    for (let k = 0; k < K; k++) acc += getA(bi, m, k) * getB(bi, k, n);
    return acc;
  });
}

// ---------------------------------------------------------------------------------------------
// SHUFFLE
// ---------------------------------------------------------------------------------------------

export interface ShuffleParams {
  /** numpy-style permutation (out.dims[i] = in.dims[perm[i]]); default identity */
  firstTranspose?: number[];
  /** unset = no reshape; 0 copies the (transposed) input dim at that position when
   * zeroIsPlaceholder, one -1 is inferred */
  reshapeDims?: number[];
  /** default true */
  zeroIsPlaceholder?: boolean | number;
  secondTranspose?: number[];
}

/** Resolve reshape dims with 0 placeholders and one -1 against an input shape. */
export function resolveReshape(inDims: readonly number[], reshapeDims: readonly number[], zeroIsPlaceholder = true): number[] {
  const out = reshapeDims.map((d, i) => {
    if (d === 0 && zeroIsPlaceholder) {
      if (i >= inDims.length) throw new Error(`reshape placeholder 0 at ${i} beyond input rank ${inDims.length}`);
      return inDims[i];
    }
    return d;
  });
  const neg = out.map((d, i) => (d === -1 ? i : -1)).filter((i) => i >= 0);
  if (neg.length > 1) throw new Error('reshape: more than one -1');
  if (out.some((d) => d < -1)) throw new Error(`reshape: bad dims [${reshapeDims.join(',')}]`);
  const vol = size(inDims);
  if (neg.length === 1) {
    const rest = out.reduce((acc, d) => (d === -1 ? acc : acc * d), 1);
    if (rest === 0) throw new Error('reshape: -1 is indeterminate with a zero dim');
    if (vol % rest !== 0) throw new Error(`reshape: cannot infer -1 (volume ${vol} / ${rest})`);
    out[neg[0]] = vol / rest;
  }
  if (size(out) !== vol) throw new Error(`reshape volume mismatch [${inDims.join(',')}] -> [${out.join(',')}]`);
  return out;
}

export function shuffle(input: Ref, p: ShuffleParams = {}): Ref {
  let x = input;
  if (p.firstTranspose) x = transpose(x, p.firstTranspose);
  if (p.reshapeDims) {
    const zp = p.zeroIsPlaceholder === undefined ? true : Boolean(p.zeroIsPlaceholder);
    const dims = resolveReshape(x.dims, p.reshapeDims, zp);
    x = { dims, data: Float64Array.from(x.data) };
  } else if (x === input) {
    x = clone(input);
  }
  if (p.secondTranspose) x = transpose(x, p.secondTranspose);
  return x;
}

// ---------------------------------------------------------------------------------------------
// CONCATENATION
// ---------------------------------------------------------------------------------------------

export interface ConcatenationParams {
  /** default rank-3, or 0 when rank < 3 */
  axis?: number;
}

export function defaultChannelAxis(rank: number): number {
  return rank >= 3 ? rank - 3 : 0;
}

export function concatenation(inputs: Ref[], p: ConcatenationParams = {}): Ref {
  if (inputs.length === 0) throw new Error('concatenation of no inputs');
  const rank = inputs[0].dims.length;
  const axis = normAxis(p.axis ?? defaultChannelAxis(rank), rank);
  for (const t of inputs) {
    if (t.dims.length !== rank || t.dims.some((d, i) => i !== axis && d !== inputs[0].dims[i])) {
      throw new Error(`concatenation: incompatible dims [${t.dims.join(',')}] vs [${inputs[0].dims.join(',')}]`);
    }
  }
  const outDims = [...inputs[0].dims];
  outDims[axis] = inputs.reduce((s, t) => s + t.dims[axis], 0);
  return ref(outDims, (idx) => {
    let j = idx[axis];
    for (const t of inputs) {
      if (j < t.dims[axis]) {
        const src = [...idx];
        src[axis] = j;
        return get(t, src);
      }
      j -= t.dims[axis];
    }
    throw new Error('unreachable');
  });
}

// ---------------------------------------------------------------------------------------------
// REDUCE / SOFTMAX
// ---------------------------------------------------------------------------------------------

export interface ReduceParams {
  /** ReduceOperation */
  op: number;
  /** bitmask */
  axes: number;
  keepDims?: boolean | number;
}

/**
 * Reduction over the masked axes. Empty reductions give SUM 0, PROD 1, MAX -inf, MIN +inf, AVG NaN.
 */
export function reduce(input: Ref, p: ReduceParams): Ref {
  const rank = input.dims.length;
  const axes = new Set(axesFromMask(p.axes, rank));
  const keepDims = Boolean(p.keepDims);
  const keptDims = input.dims.map((d, i) => (axes.has(i) ? 1 : d));
  let init: number;
  switch (p.op) {
    case ReduceOperation.SUM:
    case ReduceOperation.AVG:
      init = 0;
      break;
    case ReduceOperation.PROD:
      init = 1;
      break;
    case ReduceOperation.MAX:
      init = -Infinity;
      break;
    case ReduceOperation.MIN:
      init = Infinity;
      break;
    default:
      throw new Error(`unknown ReduceOperation ${p.op}`);
  }
  const acc = ref(keptDims, () => init);
  forEachIndex(input.dims, (idx, flat) => {
    const o = offset(keptDims, idx.map((v, i) => (axes.has(i) ? 0 : v)));
    const x = input.data[flat];
    const cur = acc.data[o];
    switch (p.op) {
      case ReduceOperation.SUM:
      case ReduceOperation.AVG:
        acc.data[o] = cur + x;
        break;
      case ReduceOperation.PROD:
        acc.data[o] = cur * x;
        break;
      case ReduceOperation.MAX:
        acc.data[o] = Math.max(cur, x);
        break;
      case ReduceOperation.MIN:
        acc.data[o] = Math.min(cur, x);
        break;
    }
  });
  if (p.op === ReduceOperation.AVG) {
    // reduced volume is the product of the reduced dims (NaN when it is 0)
    const n = [...axes].reduce((s, a) => s * input.dims[a], 1);
    for (let i = 0; i < acc.data.length; i++) acc.data[i] = acc.data[i] / n;
  }
  if (keepDims) return acc;
  return { dims: input.dims.filter((_d, i) => !axes.has(i)), data: acc.data };
}

export interface SoftMaxParams {
  /** bitmask (one bit); default 1 << (rank-3), or 1 << 0 for rank < 3 */
  axes?: number;
}

export function softMax(input: Ref, p: SoftMaxParams = {}): Ref {
  const rank = input.dims.length;
  const mask = p.axes ?? 1 << defaultChannelAxis(rank);
  const mx = reduce(input, { op: ReduceOperation.MAX, axes: mask, keepDims: true });
  const ex = ref(input.dims, (idx, f) => Math.exp(input.data[f] - broadcastGet(mx, idx)));
  const sm = reduce(ex, { op: ReduceOperation.SUM, axes: mask, keepDims: true });
  return ref(input.dims, (idx, f) => ex.data[f] / broadcastGet(sm, idx));
}
export const softmax = softMax;

// ---------------------------------------------------------------------------------------------
// SCALE
// ---------------------------------------------------------------------------------------------

export interface ScaleParams {
  /** ScaleMode */
  mode: number;
  /** empty/omitted → 0 */
  shift?: Weights;
  /** empty/omitted → 1 */
  scale?: Weights;
  /** empty/omitted → 1 */
  power?: Weights;
  /** default 1 */
  channelAxis?: number;
}

/** out = (in*scale + shift)^power with UNIFORM / CHANNEL / ELEMENTWISE (dims[channelAxis:]) coefficients. */
export function scale(input: Ref, p: ScaleParams): Ref {
  const rank = input.dims.length;
  const ch = normAxis(p.channelAxis ?? 1, rank);
  const tail = input.dims.slice(ch);
  const expected =
    p.mode === ScaleMode.UNIFORM ? 1 : p.mode === ScaleMode.CHANNEL ? input.dims[ch] : p.mode === ScaleMode.ELEMENTWISE ? size(tail) : -1;
  if (expected < 0) throw new Error(`unknown ScaleMode ${p.mode}`);
  const coeff = (name: string, w: Weights | undefined, def: number): ((idx: number[]) => number) => {
    const d = weightsData(w);
    if (d.length === 0) return () => def;
    if (d.length !== expected) throw new Error(`scale: ${name} has ${d.length} values, expected ${expected}`);
    if (p.mode === ScaleMode.UNIFORM) return () => Number(d[0]);
    if (p.mode === ScaleMode.CHANNEL) return (idx) => Number(d[idx[ch]]);
    return (idx) => Number(d[offset(tail, idx.slice(ch))]);
  };
  const sh = coeff('shift', p.shift, 0);
  const sc = coeff('scale', p.scale, 1);
  const pw = coeff('power', p.power, 1);
  return ref(input.dims, (idx, f) => cpow(input.data[f] * sc(idx) + sh(idx), pw(idx)));
}

// ---------------------------------------------------------------------------------------------
// SLICE
// ---------------------------------------------------------------------------------------------

export interface SliceParams {
  start: number[];
  /** output size along each sliced axis */
  shape: number[];
  /** default all 1 */
  stride?: number[];
  /** SampleMode, default STRICT_BOUNDS */
  mode?: number;
  /** FILL mode value (default 0) */
  fillValue?: number;
  /** axes the start/shape/stride entries apply to (negative = from the back); unset = all */
  axes?: number[];
}

/** Map an out-of-range coordinate by SampleMode; returns null for FILL (out of range). */
export function sampleCoordinate(c: number, n: number, mode: number): number | null {
  if (c >= 0 && c < n) return c;
  switch (mode) {
    case SampleMode.STRICT_BOUNDS:
      throw new Error(`slice: coordinate ${c} out of bounds [0, ${n}) in STRICT_BOUNDS mode`);
    case SampleMode.WRAP:
      if (n === 0) throw new Error('slice WRAP on empty dim');
      return ((c % n) + n) % n;
    case SampleMode.CLAMP:
      if (n === 0) throw new Error('slice CLAMP on empty dim');
      return c < 0 ? 0 : n - 1;
    case SampleMode.FILL:
      return null;
    case SampleMode.REFLECT: {
      if (n === 0) throw new Error('slice REFLECT on empty dim');
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      const m = ((c % period) + period) % period;
      return m < n ? m : period - m;
    }
    default:
      throw new Error(`unknown SampleMode ${mode}`);
  }
}

/** out[i] = in[start + i*stride] per axis, with SampleMode handling of out-of-range reads. */
export function slice(input: Ref, p: SliceParams): Ref {
  const rank = input.dims.length;
  const mode = p.mode ?? SampleMode.STRICT_BOUNDS;
  const axes = p.axes ? p.axes.map((a) => normAxis(a, rank)) : input.dims.map((_d, i) => i);
  if (new Set(axes).size !== axes.length) throw new Error('slice: duplicate axes');
  const n = axes.length;
  const stride = p.stride ?? new Array<number>(n).fill(1);
  if (p.start.length !== n || p.shape.length !== n || stride.length !== n) {
    throw new Error(`slice: start/shape/stride must have ${n} entries`);
  }
  const start = new Array<number>(rank).fill(0);
  const outDims = [...input.dims];
  const st = new Array<number>(rank).fill(1);
  axes.forEach((a, j) => {
    start[a] = p.start[j];
    outDims[a] = p.shape[j];
    st[a] = stride[j];
  });
  const fillValue = p.fillValue ?? 0;
  return ref(outDims, (idx) => {
    const src: number[] = [];
    for (let d = 0; d < rank; d++) {
      const c = sampleCoordinate(start[d] + idx[d] * st[d], input.dims[d], mode);
      if (c === null) return fillValue;
      src.push(c);
    }
    return get(input, src);
  });
}

// ---------------------------------------------------------------------------------------------
// GATHER
// ---------------------------------------------------------------------------------------------

export interface GatherParams {
  /** GatherMode, default DEFAULT */
  mode?: number;
  /** DEFAULT and ELEMENT (default 0) */
  axis?: number;
  /** DEFAULT: 0 or 1; ND: batch dims; ELEMENT: 0 */
  numElementWiseDims?: number;
}

/** Resolve an index along a dim of size n: negatives wrap once; out of range → null (reads 0). */
function gatherIndex(v: number, n: number): number | null {
  if (!Number.isInteger(v)) throw new Error(`gather: non-integer index ${v}`);
  const i = v < 0 ? v + n : v;
  return i >= 0 && i < n ? i : null;
}

/**
 * DEFAULT: ONNX Gather (out = data.shape[:axis] + indices.shape + data.shape[axis+1:]); with
 *   numElementWiseDims = 1 the leading dim of data and indices is a shared (broadcast) batch dim.
 * ELEMENT: ONNX GatherElements. ND: ONNX GatherND with batch_dims = numElementWiseDims.
 * Negative indices wrap; out-of-bounds indices produce 0.
 */
export function gather(data: Ref, indices: Ref, p: GatherParams = {}): Ref {
  const mode = p.mode ?? GatherMode.DEFAULT;
  const r = data.dims.length;
  const q = indices.dims.length;
  const nbe = p.numElementWiseDims ?? 0;
  if (mode === GatherMode.DEFAULT) {
    const axis = normAxis(p.axis ?? 0, r);
    if (nbe === 0) {
      const outDims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
      return ref(outDims, (idx) => {
        const j = idx.slice(axis, axis + q);
        const i = gatherIndex(get(indices, j), data.dims[axis]);
        if (i === null) return 0;
        return get(data, [...idx.slice(0, axis), i, ...idx.slice(axis + q)]);
      });
    }
    if (nbe !== 1) throw new Error('gather DEFAULT: numElementWiseDims must be 0 or 1');
    if (axis < 1 || q < 1) throw new Error('gather DEFAULT with numElementWiseDims=1 needs axis >= 1 and rank(indices) >= 1');
    const [batch] = broadcastDims([data.dims[0]], [indices.dims[0]]);
    const qi = q - 1;
    const outDims = [batch, ...data.dims.slice(1, axis), ...indices.dims.slice(1), ...data.dims.slice(axis + 1)];
    return ref(outDims, (idx) => {
      const bD = data.dims[0] === 1 ? 0 : idx[0];
      const bI = indices.dims[0] === 1 ? 0 : idx[0];
      const j = idx.slice(axis, axis + qi);
      const i = gatherIndex(get(indices, [bI, ...j]), data.dims[axis]);
      if (i === null) return 0;
      return get(data, [bD, ...idx.slice(1, axis), i, ...idx.slice(axis + qi)]);
    });
  }
  if (mode === GatherMode.ELEMENT) {
    const axis = normAxis(p.axis ?? 0, r);
    if (q !== r) throw new Error('gather ELEMENT: indices rank must equal data rank');
    return ref(indices.dims, (idx, f) => {
      const i = gatherIndex(indices.data[f], data.dims[axis]);
      if (i === null) return 0;
      const src = [...idx];
      src[axis] = i;
      for (let d = 0; d < r; d++) if (src[d] >= data.dims[d]) return 0;
      return get(data, src);
    });
  }
  if (mode === GatherMode.ND) {
    if (q < 1) throw new Error('gather ND: indices rank must be >= 1');
    const last = indices.dims[q - 1];
    if (nbe < 0 || nbe + last > r) throw new Error(`gather ND: indices last dim ${last} + batch ${nbe} > data rank ${r}`);
    for (let d = 0; d < nbe; d++) {
      if (data.dims[d] !== indices.dims[d]) throw new Error('gather ND: batch dims of data and indices differ');
    }
    const outDims = [...indices.dims.slice(0, q - 1), ...data.dims.slice(nbe + last)];
    return ref(outDims, (idx) => {
      const lead = idx.slice(0, q - 1);
      const src = lead.slice(0, nbe);
      for (let k = 0; k < last; k++) {
        const i = gatherIndex(get(indices, [...lead, k]), data.dims[nbe + k]);
        if (i === null) return 0;
        src.push(i);
      }
      return get(data, [...src, ...idx.slice(q - 1)]);
    });
  }
  throw new Error(`unknown GatherMode ${mode}`);
}

// ---------------------------------------------------------------------------------------------
// NORMALIZATION
// ---------------------------------------------------------------------------------------------

export interface NormalizationParams {
  /** bitmask of reduction axes */
  axes: number;
  /** default 1e-5 */
  epsilon?: number;
  /** default 1; > 1 splits channels (dim 1) into groups (GroupNorm) */
  numGroups?: number;
}

/**
 * y = (x - mean) / sqrt(var + eps) * scale + bias, mean and (population) variance over `axes`
 * (and, with numGroups > 1, over the channels of each group). scale/bias broadcast (equal rank).
 */
export function normalization(input: Ref, scaleT: Ref, biasT: Ref, p: NormalizationParams): Ref {
  const rank = input.dims.length;
  const axes = new Set(axesFromMask(p.axes, rank));
  const eps = p.epsilon ?? 1e-5;
  const G = p.numGroups ?? 1;
  let perGroup = 1;
  if (G > 1) {
    if (rank < 2) throw new Error('normalization: numGroups needs rank >= 2');
    if (input.dims[1] % G !== 0) throw new Error(`normalization: C=${input.dims[1]} not divisible by numGroups=${G}`);
    perGroup = input.dims[1] / G;
  }
  const statDims = input.dims.map((d, i) => (axes.has(i) ? 1 : G > 1 && i === 1 ? G : d));
  const statIdx = (idx: number[]): number[] =>
    idx.map((v, i) => (axes.has(i) ? 0 : G > 1 && i === 1 ? Math.floor(v / perGroup) : v));
  const sum = ref(statDims);
  const cnt = ref(statDims);
  forEachIndex(input.dims, (idx, f) => {
    const o = offset(statDims, statIdx(idx));
    sum.data[o] += input.data[f];
    cnt.data[o] += 1;
  });
  const mean = ref(statDims, (_i, f) => sum.data[f] / cnt.data[f]);
  const sq = ref(statDims);
  forEachIndex(input.dims, (idx, f) => {
    const o = offset(statDims, statIdx(idx));
    const d = input.data[f] - mean.data[o];
    sq.data[o] += d * d;
  });
  const variance = ref(statDims, (_i, f) => sq.data[f] / cnt.data[f]);
  broadcastDims(input.dims, scaleT.dims);
  broadcastDims(input.dims, biasT.dims);
  return ref(input.dims, (idx, f) => {
    const o = offset(statDims, statIdx(idx));
    const y = (input.data[f] - mean.data[o]) / Math.sqrt(variance.data[o] + eps);
    return y * broadcastGet(scaleT, idx) + broadcastGet(biasT, idx);
  });
}

// ---------------------------------------------------------------------------------------------
// SELECT / PARAMETRIC_RELU / IDENTITY / SHAPE
// ---------------------------------------------------------------------------------------------

export function select(cond: Ref, thenT: Ref, elseT: Ref): Ref {
  const dims = broadcastDims(cond.dims, thenT.dims, elseT.dims);
  return ref(dims, (idx) => (broadcastGet(cond, idx) !== 0 ? broadcastGet(thenT, idx) : broadcastGet(elseT, idx)));
}

/** x >= 0 ? x : slope*x; input and slope broadcast both ways (equal rank), as ELEMENTWISE. */
export function parametricReLU(input: Ref, slope: Ref): Ref {
  const dims = broadcastDims(input.dims, slope.dims);
  return ref(dims, (idx) => {
    const x = broadcastGet(input, idx);
    return x >= 0 ? x : broadcastGet(slope, idx) * x;
  });
}

export function identity(input: Ref): Ref {
  return clone(input);
}

/** INT64 1-D tensor of the input's dims. */
export function shape(input: Ref): Ref {
  return ref([input.dims.length], input.dims);
}

// ---------------------------------------------------------------------------------------------
// TOPK
// ---------------------------------------------------------------------------------------------

export interface TopKParams {
  /** TopKOperation */
  op: number;
  k: number;
  /** bitmask, one bit */
  axes: number;
}

/** Values sorted best-first along the axis; ties keep the lower index first. */
export function topK(input: Ref, p: TopKParams): { values: Ref; indices: Ref } {
  const rank = input.dims.length;
  const axes = axesFromMask(p.axes, rank);
  if (axes.length !== 1) throw new Error('topK: exactly one axis');
  const axis = axes[0];
  const n = input.dims[axis];
  if (!Number.isInteger(p.k) || p.k < 0 || p.k > n) throw new Error(`topK: k=${p.k} out of range for axis size ${n}`);
  const outDims = [...input.dims];
  outDims[axis] = p.k;
  const values = ref(outDims);
  const indices = ref(outDims);
  const outerDims = [...input.dims];
  outerDims[axis] = 1;
  forEachIndex(outerDims, (base) => {
    const items: Array<{ v: number; i: number }> = [];
    for (let i = 0; i < n; i++) {
      const src = [...base];
      src[axis] = i;
      items.push({ v: get(input, src), i });
    }
    items.sort((x, y) => {
      if (x.v !== y.v) {
        if (p.op === TopKOperation.MAX) return y.v > x.v ? 1 : -1;
        if (p.op === TopKOperation.MIN) return x.v > y.v ? 1 : -1;
        throw new Error(`unknown TopKOperation ${p.op}`);
      }
      return x.i - y.i;
    });
    for (let j = 0; j < p.k; j++) {
      const dst = [...base];
      dst[axis] = j;
      values.data[offset(outDims, dst)] = items[j].v;
      indices.data[offset(outDims, dst)] = items[j].i;
    }
  });
  return { values, indices };
}

// ---------------------------------------------------------------------------------------------
// PADDING
// ---------------------------------------------------------------------------------------------

export interface PaddingParams {
  /** padding of the innermost prePadding.length dims (negative crops) */
  prePadding?: number[];
  postPadding?: number[];
  /** aliases of prePadding / postPadding (IR attribute names) */
  prePaddingNd?: number[];
  postPaddingNd?: number[];
}

export function padding(input: Ref, p: PaddingParams): Ref {
  const pre = p.prePadding ?? p.prePaddingNd ?? [];
  const post = p.postPadding ?? p.postPaddingNd ?? [];
  if (pre.length !== post.length) throw new Error('padding: pre and post must have equal length');
  const rank = input.dims.length;
  const n = pre.length;
  if (n > rank) throw new Error('padding: more padded dims than the input rank');
  const lead = rank - n;
  const outDims = input.dims.map((d, i) => (i < lead ? d : d + pre[i - lead] + post[i - lead]));
  if (outDims.some((d) => d < 0)) throw new Error(`padding: negative output dims [${outDims.join(',')}]`);
  return ref(outDims, (idx) => {
    const src = idx.map((v, i) => (i < lead ? v : v - pre[i - lead]));
    for (let i = lead; i < rank; i++) if (src[i] < 0 || src[i] >= input.dims[i]) return 0;
    return get(input, src);
  });
}

// ---------------------------------------------------------------------------------------------
// FILL
// ---------------------------------------------------------------------------------------------

export interface FillParams {
  shape: number[];
  /** FillOperation, default LINSPACE (only LINSPACE has an exact reference) */
  operation?: number;
  /** start (default 0) */
  alpha?: number;
  /** delta: one per dim, or a scalar that applies to the last dim (default 1) */
  beta?: number | number[];
}

/** LINSPACE: out[idx] = alpha + sum_i beta_i * idx_i. */
export function fill(p: FillParams): Ref {
  const op = p.operation ?? FillOperation.LINSPACE;
  if (op !== FillOperation.LINSPACE) {
    throw new Error('fill: random operations have no exact reference; use checkRandomFill');
  }
  const rank = p.shape.length;
  const alpha = p.alpha ?? 0;
  const betaIn = p.beta ?? 1;
  let beta: number[];
  if (typeof betaIn === 'number') {
    beta = new Array<number>(rank).fill(0);
    if (rank > 0) beta[rank - 1] = betaIn;
  } else if (betaIn.length === rank) {
    beta = [...betaIn];
  } else if (betaIn.length === 1) {
    beta = new Array<number>(rank).fill(0);
    if (rank > 0) beta[rank - 1] = betaIn[0];
  } else {
    throw new Error(`fill: beta has ${betaIn.length} entries for rank ${rank}`);
  }
  return ref(p.shape, (idx) => idx.reduce((acc, v, i) => acc + beta[i] * v, alpha));
}

export interface SampleStats {
  n: number;
  mean: number;
  variance: number;
  min: number;
  max: number;
}

export function sampleStats(values: ArrayLike<number>): SampleStats {
  const n = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = Number(values[i]);
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = Number(values[i]) - mean;
    sq += d * d;
  }
  return { n, mean, variance: n > 1 ? sq / (n - 1) : 0, min, max };
}

/**
 * Statistical check of RANDOM_UNIFORM ([alpha, beta)) / RANDOM_NORMAL (mean alpha, stddev beta)
 * fill output: finite values, range (uniform), mean and variance within `z` standard errors
 * (default 6). Needs a reasonably large sample (>= 1000 values).
 */
export function checkRandomFill(
  values: ArrayLike<number>,
  operation: number,
  alpha: number,
  beta: number,
  z = 6,
): { ok: boolean; message: string; stats: SampleStats } {
  const stats = sampleStats(values);
  const fail = (m: string): { ok: boolean; message: string; stats: SampleStats } => ({ ok: false, message: m, stats });
  if (stats.n < 2) return fail('too few samples');
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(Number(values[i]))) return fail(`non-finite value at ${i}`);
  let mu: number;
  let sigma2: number;
  let mu4: number;
  if (operation === FillOperation.RANDOM_UNIFORM) {
    if (stats.min < alpha || stats.max > beta) return fail(`value outside [${alpha}, ${beta}]: min ${stats.min} max ${stats.max}`);
    const w = beta - alpha;
    mu = (alpha + beta) / 2;
    sigma2 = (w * w) / 12;
    mu4 = Math.pow(w, 4) / 80;
  } else if (operation === FillOperation.RANDOM_NORMAL) {
    mu = alpha;
    sigma2 = beta * beta;
    mu4 = 3 * sigma2 * sigma2;
  } else {
    return fail(`not a random FillOperation: ${operation}`);
  }
  const seMean = Math.sqrt(sigma2 / stats.n);
  if (Math.abs(stats.mean - mu) > z * seMean) return fail(`mean ${stats.mean} vs expected ${mu} (se ${seMean})`);
  const seVar = Math.sqrt((mu4 - sigma2 * sigma2) / stats.n);
  if (Math.abs(stats.variance - sigma2) > z * seVar) {
    return fail(`variance ${stats.variance} vs expected ${sigma2} (se ${seVar})`);
  }
  return { ok: true, message: 'ok', stats };
}

// ---------------------------------------------------------------------------------------------
// QUANTIZE / DEQUANTIZE
// ---------------------------------------------------------------------------------------------

export interface QuantizeParams {
  /** -1 (default) = per-tensor; otherwise the axis the scale vector runs along */
  axis?: number;
  /** clamp bounds, default INT8 [-128, 127] */
  min?: number;
  max?: number;
}

function scaleAccessor(input: Ref, s: Ref | number | ArrayLike<number>, axis: number): (idx: number[]) => number {
  const d: ArrayLike<number> = typeof s === 'number' ? [s] : isRef(s) ? s.data : s;
  if (d.length === 1 && axis === -1) return () => Number(d[0]);
  if (axis === -1) throw new Error(`quantize: ${d.length} scales need an axis`);
  const a = normAxis(axis, input.dims.length);
  if (d.length === 1) return () => Number(d[0]);
  if (d.length !== input.dims[a]) throw new Error(`quantize: ${d.length} scales for axis of size ${input.dims[a]}`);
  return (idx) => Number(d[idx[a]]);
}

/** clamp(roundHalfEven(x / scale), min, max). */
export function quantize(input: Ref, scaleT: Ref | number | ArrayLike<number>, p: QuantizeParams = {}): Ref {
  const sc = scaleAccessor(input, scaleT, p.axis ?? -1);
  const lo = p.min ?? -128;
  const hi = p.max ?? 127;
  return ref(input.dims, (idx, f) => {
    const q = roundHalfEven(input.data[f] / sc(idx));
    return q < lo ? lo : q > hi ? hi : q;
  });
}

/** x * scale. */
export function dequantize(input: Ref, scaleT: Ref | number | ArrayLike<number>, p: { axis?: number } = {}): Ref {
  const sc = scaleAccessor(input, scaleT, p.axis ?? -1);
  return ref(input.dims, (idx, f) => input.data[f] * sc(idx));
}

// ---------------------------------------------------------------------------------------------
// LRN
// ---------------------------------------------------------------------------------------------

export interface LRNParams {
  windowSize: number;
  alpha: number;
  beta: number;
  k: number;
  /** default 1 (C of [N, C, ...], docs/layers.md; TensorRT documents rank-3, the same for 4-D) */
  channelAxis?: number;
}

/**
 * Cross-channel LRN (TensorRT / ONNX LRN):
 * y = x / (k + alpha/windowSize * sum_{c' in [c - floor((w-1)/2), c + ceil((w-1)/2)]} x[c']^2)^beta
 */
export function lrn(input: Ref, p: LRNParams): Ref {
  const rank = input.dims.length;
  const ch = normAxis(p.channelAxis ?? 1, rank);
  const C = input.dims[ch];
  const lo = Math.floor((p.windowSize - 1) / 2);
  const hi = Math.ceil((p.windowSize - 1) / 2);
  return ref(input.dims, (idx, f) => {
    let sq = 0;
    for (let c = Math.max(0, idx[ch] - lo); c <= Math.min(C - 1, idx[ch] + hi); c++) {
      const src = [...idx];
      src[ch] = c;
      const v = get(input, src);
      sq += v * v;
    }
    return input.data[f] / Math.pow(p.k + (p.alpha / p.windowSize) * sq, p.beta);
  });
}

// ---------------------------------------------------------------------------------------------
// CAST
// ---------------------------------------------------------------------------------------------

export interface CastParams {
  /** DataType to convert to */
  toType: number;
  /** DataType of the input; integer/BOOL sources narrow by wrapping, float (or unknown) sources
   * truncate toward zero and saturate */
  fromType?: number;
}

export function castScalar(x: number, toType: number, fromType?: number): number {
  const fromInt = fromType !== undefined && (isIntegerType(fromType) || fromType === DataType.BOOL);
  switch (toType) {
    case DataType.FLOAT:
    case DataType.HALF:
    case DataType.BF16:
    case DataType.BOOL:
      return storeAs(x, toType);
    case DataType.INT32:
      return fromInt ? wrapSigned(x, 32) : truncSaturate(x, INT32_MIN, INT32_MAX);
    case DataType.INT64:
      return fromInt ? Math.trunc(x) : truncSaturate(x, INT64_MIN, INT64_MAX);
    case DataType.INT8:
      return fromInt ? wrapSigned(x, 8) : truncSaturate(x, -128, 127);
    case DataType.UINT8:
      return fromInt ? wrapUint8(x) : truncSaturate(x, 0, 255);
    default:
      throw new Error(`cast: unsupported toType ${toType}`);
  }
}

/** Float → int truncates toward zero; → BOOL is x != 0; int → float is exact (then rounded to the float type). */
export function cast(input: Ref, p: CastParams): Ref {
  return ref(input.dims, (_i, f) => castScalar(input.data[f], p.toType, p.fromType));
}
