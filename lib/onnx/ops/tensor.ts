/**
 * @internal Importers for data-movement and shape operators (Constant, Reshape, Slice, Gather,
 * Pad, ...). Shapes known at parse time give constants, so downstream Reshape/Slice read numbers;
 * dynamic ones become Shape layers and INT64 shape arithmetic.
 */
import { DataType, ElementWiseOperation, FillOperation, GatherMode, ReduceOperation, SampleMode, UnaryOperation } from '../../enums.js';
import type { ITensor } from '../../Tensor.js';
import { ConstTensor, engineType, missingTypeReason, onnxTypeName, volume } from '../ConstTensor.js';
import { ModelContext, NodeContext, Value, isConst, isFloatDataType, isFloatType, shapeOf, typeOf } from '../ImportContext.js';
import { OnnxType } from '../model.js';
import { ImportError, ParserErrorCode } from '../ParserError.js';
import {
  Importer,
  axesFromAttrOrInput,
  cast,
  concatShapes,
  elementwise,
  normalizeAxis,
  prependOnes,
  requireEngineType,
  reshape,
  reshapeDynamic,
  scalarLike,
  shapeValue,
  squeeze,
  transpose,
  unary,
  unsqueeze,
} from './common.js';

// --- shape values ------------------------------------------------------------------------------

/** JS-side shape arithmetic stays within ±2^62, so INT64 sentinels (INT64_MAX ends) never wrap. */
const I64_LIMIT = 2 ** 62;

function int64(values: number[], dims: number[] = [values.length]): ConstTensor {
  return ConstTensor.int64(values.map((v) => Math.max(-I64_LIMIT, Math.min(I64_LIMIT, v))), dims);
}

/** Shape-layer outputs → the tensor they measure, so Gather/Slice of known dims fold to constants. */
const shapeSources = new WeakMap<ITensor, ITensor>();
const shapeLayers = new WeakMap<ITensor, ITensor>();

/** The full shape of `v` (1-D INT64): a constant when every dim is known, else one Shape layer per tensor. */
function shapeOfValue(model: ModelContext, v: Value): Value {
  if (isConst(v) || shapeOf(v).every((d) => d >= 0)) return shapeValue(model, v);
  let s = shapeLayers.get(v);
  if (!s) {
    s = model.network.addShape(v).getOutput(0);
    shapeLayers.set(v, s);
    shapeSources.set(s, v);
  }
  return s;
}

/** A value as INT64 (shape arithmetic runs in INT64, as IShapeLayer's output). */
function asInt64(model: ModelContext, v: Value): Value {
  if (isConst(v)) return v.type === OnnxType.INT64 ? v : int64(v.toNumbers(), v.dims);
  return v.dtype === DataType.INT64 ? v : cast(model, v, DataType.INT64);
}

const FOLD_OPS: Partial<Record<ElementWiseOperation, (x: number, y: number) => number>> = {
  [ElementWiseOperation.SUM]: (x, y) => x + y,
  [ElementWiseOperation.SUB]: (x, y) => x - y,
  [ElementWiseOperation.PROD]: (x, y) => x * y,
  [ElementWiseOperation.FLOOR_DIV]: (x, y) => (y === 0 ? 0 : Math.floor(x / y)),
  [ElementWiseOperation.MAX]: Math.max,
  [ElementWiseOperation.MIN]: Math.min,
  [ElementWiseOperation.LESS]: (x, y) => (x < y ? 1 : 0),
  [ElementWiseOperation.GREATER]: (x, y) => (x > y ? 1 : 0),
  [ElementWiseOperation.EQUAL]: (x, y) => (x === y ? 1 : 0),
};

const COMPARISONS = new Set([ElementWiseOperation.LESS, ElementWiseOperation.GREATER, ElementWiseOperation.EQUAL]);

/** Elementwise INT64 math on 1-D shape values (lengths equal or 1); folded when both are constants. */
function shapeOp(model: ModelContext, a: Value, b: Value, op: ElementWiseOperation): Value {
  const x = asInt64(model, a);
  const y = asInt64(model, b);
  const f = FOLD_OPS[op];
  if (isConst(x) && isConst(y) && f && x.dims.length <= 1 && y.dims.length <= 1) {
    const xv = x.toNumbers();
    const yv = y.toNumbers();
    const n = Math.max(xv.length, yv.length);
    if ((xv.length === n || xv.length === 1) && (yv.length === n || yv.length === 1)) {
      const out = Array.from({ length: n }, (_, i) => f(xv[xv.length === 1 ? 0 : i]!, yv[yv.length === 1 ? 0 : i]!));
      const dims = x.dims.length === 0 && y.dims.length === 0 ? [] : [n];
      return COMPARISONS.has(op) ? ConstTensor.fromNumbers(OnnxType.BOOL, dims, out) : int64(out, dims);
    }
  }
  const xt = model.tensor(x);
  const yt = model.tensor(y);
  return model.network.addElementWise(xt, yt, op).getOutput(0);
}

/** cond ? a : b on 1-D shape values; folded when all are constants. */
function shapeSelect(model: ModelContext, cond: Value, a: Value, b: Value): Value {
  const x = asInt64(model, a);
  const y = asInt64(model, b);
  if (isConst(cond) && isConst(x) && isConst(y)) {
    const c = cond.toNumbers();
    const xv = x.toNumbers();
    const yv = y.toNumbers();
    const n = Math.max(c.length, xv.length, yv.length);
    const at = (v: number[], i: number) => v[v.length === 1 ? 0 : i]!;
    return int64(Array.from({ length: n }, (_, i) => (at(c, i) ? at(xv, i) : at(yv, i))));
  }
  return model.network.addSelect(model.tensor(cond), model.tensor(x), model.tensor(y)).getOutput(0);
}

/** Dim `i` of `v` as a 1-element INT64 value. */
function dimValue(model: ModelContext, v: Value, i: number): Value {
  const d = shapeOf(v)[i]!;
  if (d >= 0) return int64([d]);
  return gatherShape(model, shapeOfValue(model, v), [i]);
}

/** Entries `picks` of a 1-D shape value; constant when the picked dims are known. */
function gatherShape(model: ModelContext, shape: Value, picks: number[]): Value {
  if (isConst(shape)) {
    const v = shape.toNumbers();
    return int64(picks.map((p) => v[p]!));
  }
  const source = shapeSources.get(shape);
  if (source) {
    const dims = source.shape;
    if (picks.every((p) => dims[p]! >= 0)) return int64(picks.map((p) => dims[p]!));
  }
  const indices = model.tensor(ConstTensor.fromNumbers(OnnxType.INT32, [picks.length], picks));
  return model.network.addGather(model.tensor(shape), indices, 0).getOutput(0);
}

/** Product of dims [from, to) of `v` as a 1-element INT64 value. */
function dimProduct(model: ModelContext, v: Value, from: number, to: number): Value {
  const dims = shapeOf(v).slice(from, to);
  if (dims.every((d) => d >= 0)) return int64([volume(dims)]);
  const picks = Array.from({ length: to - from }, (_, i) => from + i);
  const part = model.tensor(gatherShape(model, shapeOfValue(model, v), picks));
  return model.network.addReduce(part, ReduceOperation.PROD, 1, true).getOutput(0);
}

/** Reshape to a shape value: static dims when it is a constant. */
function reshapeTo(model: ModelContext, v: Value, shape: Value): Value {
  if (isConst(shape)) {
    const dims = shape.toNumbers();
    if (isConst(v)) return v.reshaped(dims);
    return reshape(model, v, dims);
  }
  return reshapeDynamic(model, v, model.tensor(shape));
}

/** 0, 1, ..., n-1 (plus `from`) as an INT64 constant of `dims`. */
function iota(n: number, from = 0, dims: number[] = [n]): ConstTensor {
  return int64(Array.from({ length: n }, (_, i) => from + i), dims);
}

/** Axes input `i` when it is computed at run time (e.g. a graph input): 1-D INT64 of static length. */
function runtimeAxes(ctx: NodeContext, i: number): ITensor | undefined {
  if (ctx.opset < 10 || ctx.hasAttr('axes') || !ctx.hasInput(i) || isConst(ctx.input(i))) return undefined;
  const v = ctx.input(i) as ITensor;
  if (v.shape.length !== 1 || v.shape[0]! < 0) {
    throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `axes (input ${i}) computed at run time must be 1-D with a length known when the network is built, not of dims [${v.shape.join(', ')}]`);
  }
  return asInt64(ctx.model, v) as ITensor;
}

/**
 * Run-time axes normalized for `rank` (negative ones + rank). The result goes through a Reduce
 * over a [1, ..., 1] constant with these axes, so repeated or out-of-range axes are an error when
 * the values are read instead of a silently wrong shape.
 */
function normalizeRuntimeAxes(model: ModelContext, axes: ITensor, rank: number): ITensor {
  const probe = model.network.addReduce(model.tensor(int64([0], new Array<number>(rank).fill(1))), ReduceOperation.SUM, 0, true);
  probe.setInput(1, axes);
  const zero = reshape(model, probe.getOutput(0), [1]);
  const wrapped = shapeSelect(model, shapeOp(model, axes, int64([0]), ElementWiseOperation.LESS), shapeOp(model, axes, int64([rank]), ElementWiseOperation.SUM), axes);
  return model.tensor(shapeOp(model, wrapped, zero, ElementWiseOperation.SUM));
}

/** Per entry j of 0..len-1 (with `from` added), how many values of `v` ([n]) are below it: [len] INT64. */
function countBelow(model: ModelContext, v: ITensor, len: number, from: number): ITensor {
  const n = v.shape[0]!;
  const less = shapeOp(model, reshape(model, v, [n, 1]), iota(len, from, [1, len]), ElementWiseOperation.LESS);
  return model.network.addReduce(cast(model, less, DataType.INT64), ReduceOperation.SUM, 1, false).getOutput(0);
}

/** The dims of `x` picked by a run-time index vector. */
function gatherDims(model: ModelContext, x: Value, indices: Value): ITensor {
  return model.network.addGather(model.tensor(shapeOfValue(model, x)), model.tensor(indices), 0).getOutput(0);
}

/** Unsqueeze at run-time axes: output dims are 1 at the axes and the input dims, in order, elsewhere. */
function unsqueezeRuntime(model: ModelContext, x: Value, axes: ITensor): ITensor {
  const r = shapeOf(x).length;
  const outRank = r + axes.shape[0]!;
  const norm = normalizeRuntimeAxes(model, axes, outRank);
  // Output dim j is an axis when exactly one axis is <= j but not < j; else it is input dim j - (axes below j).
  const below = countBelow(model, norm, outRank, 0);
  const atOrBelow = countBelow(model, norm, outRank, 1);
  const isAxis = shapeOp(model, below, atOrBelow, ElementWiseOperation.LESS);
  const src = shapeSelect(model, isAxis, int64([r]), shapeOp(model, iota(outRank), below, ElementWiseOperation.SUB));
  const withOne = concatShapes(model, [shapeOfValue(model, x), int64([1])]);
  return reshapeDynamic(model, x, model.network.addGather(model.tensor(withOne), model.tensor(src), 0).getOutput(0));
}

/** Squeeze at run-time axes: the i-th kept dim is the one after i kept dims, found by counting. */
function squeezeRuntime(model: ModelContext, x: Value, axes: ITensor): ITensor {
  const r = shapeOf(x).length;
  const outRank = r - axes.shape[0]!;
  if (outRank < 0) throw new ImportError(ParserErrorCode.INVALID_NODE, `axes (input 1) has ${axes.shape[0]} entries but the input has rank ${r}`);
  const norm = normalizeRuntimeAxes(model, axes, r);
  // kept[j] = kept dims among 0..j; kept dim i is at the number of j with kept[j] <= i.
  const kept = shapeOp(model, iota(r, 1), countBelow(model, norm, r, 1), ElementWiseOperation.SUB) as ITensor;
  const src = countBelow(model, kept, outRank, 1);
  return reshapeDynamic(model, x, gatherDims(model, x, src));
}

/**
 * A Slice layer over `axes` (normalized numbers, or a run-time tensor) with 1-D INT64
 * start/size/stride values; constants become attributes and run-time values layer inputs.
 */
function sliceLayer(model: ModelContext, x: ITensor, axes: number[] | ITensor, start: Value, size: Value, stride: Value, mode = SampleMode.STRICT_BOUNDS, fill?: Value): ITensor {
  const rank = x.shape.length;
  // Placeholder geometry that is valid for any input; the real one is set right after.
  const layer = model.network.addSlice(x, new Array<number>(rank).fill(0), new Array<number>(rank).fill(0), new Array<number>(rank).fill(1));
  layer.mode = mode;
  if (Array.isArray(axes)) layer.axes = axes;
  else layer.setInput(5, axes);
  const set = (value: Value, index: number, attr: (nums: number[]) => void) => {
    const v = asInt64(model, value);
    if (isConst(v)) attr(v.toNumbers());
    else layer.setInput(index, v);
  };
  set(start, 1, (n) => (layer.start = n));
  set(size, 2, (n) => (layer.shape = n));
  set(stride, 3, (n) => (layer.stride = n));
  if (fill !== undefined) layer.setInput(4, model.tensor(fill));
  return layer.getOutput(0);
}

/** A tensor of `shape` filled with `value`: a constant when small and static, else a Fill layer. */
function filled(model: ModelContext, shape: Value, value: number, type: OnnxType): Value {
  if (isConst(shape)) {
    const dims = shape.toNumbers();
    if (volume(dims) <= 1 << 16) return ConstTensor.fromNumbers(type, dims, new Array<number>(volume(dims)).fill(value));
  }
  // LINSPACE with beta 0 is a constant fill; it makes FLOAT, INT32 or INT64, others are cast.
  const fillType = isFloatType(type) ? DataType.FLOAT : type === OnnxType.INT64 ? DataType.INT64 : DataType.INT32;
  const layer = model.network.addFill(isConst(shape) ? shape.toNumbers() : [], FillOperation.LINSPACE, fillType);
  if (!isConst(shape)) layer.setInput(0, model.tensor(shape));
  layer.alpha = value;
  layer.beta = 0;
  return cast(model, layer.getOutput(0), requireEngineType(type === OnnxType.DOUBLE ? OnnxType.FLOAT : type, 'the fill value'));
}

/** Row and column indices (INT64) of a `rows` x `cols` grid, for Trilu and EyeLike masks. */
function gridIndices(model: ModelContext, rows: Value, cols: Value): [ITensor, ITensor] {
  const shape = model.tensor(concatShapes(model, [rows, cols]));
  const grid = (beta: number[]) => {
    const layer = model.network.addFill([0, 0], FillOperation.LINSPACE, DataType.INT64);
    layer.setInput(0, shape);
    layer.setInput(1, model.tensor(ConstTensor.int64([0], [])));
    layer.setInput(2, model.tensor(ConstTensor.int64(beta)));
    return layer.getOutput(0);
  };
  return [grid([1, 0]), grid([0, 1])];
}

function onnxType(code: number, what: string): OnnxType {
  if (!Number.isInteger(code) || code <= 0) throw new ImportError(ParserErrorCode.INVALID_NODE, `${what}=${code} is not an ONNX element type`);
  // Codes newer than this parser's table (INT2, UINT2, ...) are types TensorRT lacks.
  if (OnnxType[code] === undefined) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `${what}=${code} names an element type TensorRT does not support`);
  return code as OnnxType;
}

/** The engine type for an ONNX target type; DOUBLE narrows to FLOAT, as TensorRT's parser does. */
function targetType(ctx: NodeContext, type: OnnxType, what: string): DataType {
  if (type === OnnxType.DOUBLE) {
    ctx.model.warn(`${ctx.node.opType} to DOUBLE is computed as FLOAT: TensorRT has no FP64`);
    return DataType.FLOAT;
  }
  const t = engineType(type);
  if (t === undefined) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `${what} ${onnxTypeName(type)} is not supported: ${missingTypeReason(type)}`);
  return t;
}

// --- Constant, Identity, Cast, Shape, Size --------------------------------------------------------

const constant: Importer = (ctx) => {
  for (const name of ['sparse_value', 'value_string', 'value_strings']) {
    if (ctx.hasAttr(name)) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_ATTR, `attribute ${name} is not supported: TensorRT has ${name === 'sparse_value' ? 'no sparse tensors' : 'no string type'}`);
    }
  }
  let value: ConstTensor | undefined;
  if (ctx.hasAttr('value')) value = ctx.tensorAttr('value');
  else if (ctx.hasAttr('value_float')) value = ConstTensor.fromNumbers(OnnxType.FLOAT, [], [ctx.float('value_float', 0)]);
  else if (ctx.hasAttr('value_floats')) value = ConstTensor.float(ctx.floats('value_floats', []));
  else if (ctx.hasAttr('value_int')) value = ConstTensor.fromNumbers(OnnxType.INT64, [], [ctx.int('value_int', 0)]);
  else if (ctx.hasAttr('value_ints')) value = ConstTensor.int64(ctx.ints('value_ints', []));
  if (!value) throw new ImportError(ParserErrorCode.INVALID_NODE, 'Constant needs one of the attributes value, value_float(s) or value_int(s)');
  ctx.setOutput(0, value);
};

const identity: Importer = (ctx) => {
  ctx.setOutput(0, ctx.network.addIdentity(ctx.tensor(0)).getOutput(0));
};

/** Magnitudes above which a non-saturating conversion to FP8 / E8M0 gives NaN (464 rounds to 448; E8M0 rounds up). */
/** FLOAT Cast outputs → the INT32/INT64 tensors they convert, so that Range can count in integers. */
const intCastSources = new WeakMap<ITensor, ITensor>();

const NARROW_LIMIT = new Map<DataType, number>([
  [DataType.FP8, 464],
  [DataType.E8M0, 2 ** 127],
]);

function castTo(ctx: NodeContext, to: OnnxType): void {
  const x = ctx.input(0);
  const dtype = targetType(ctx, to, 'target type');
  let t = ctx.model.tensor(x);
  const limit = NARROW_LIMIT.get(dtype);
  if (dtype === DataType.E8M0) {
    const mode = ctx.string('round_mode', 'up');
    if (mode !== 'up') throw ctx.unsupportedAttr('round_mode', mode, 'the engine rounds FLOAT8E8M0 up only');
  }
  t = packedCastSource(ctx, t, dtype);
  // FP8 and E8M0 convert to and from the float types only (as in TensorRT): other types go through FLOAT.
  const fromNarrow = NARROW_LIMIT.has(t.dtype);
  if (t.dtype !== dtype && ((limit !== undefined && !isFloatDataType(t.dtype)) || (fromNarrow && !isFloatDataType(dtype)))) {
    t = cast(ctx.model, t, DataType.FLOAT);
  }
  if (limit !== undefined && t.dtype !== dtype && ctx.int('saturate', 1) === 0) {
    // The engine's conversion saturates; saturate=0 wants NaN for out-of-range values and
    // infinities, so those become NaN first (compared in FLOAT, where HALF infinities stay above the limit).
    const f = cast(ctx.model, t, DataType.FLOAT);
    const outside = elementwise(ctx.model, unary(ctx.model, f, UnaryOperation.ABS), scalarLike(f, limit), ElementWiseOperation.GREATER);
    t = ctx.network.addSelect(outside, ctx.model.tensor(scalarLike(f, NaN)), f).getOutput(0);
  }
  // A Cast to the same type still yields a new tensor (a graph output may be the cast).
  const out = t.dtype === dtype ? ctx.network.addIdentity(t).getOutput(0) : ctx.network.addCast(t, dtype).getOutput(0);
  if (dtype === DataType.FLOAT && (t.dtype === DataType.INT32 || t.dtype === DataType.INT64)) intCastSources.set(out, t);
  ctx.setOutput(0, out);
}

const INT4_INT_PARTNERS = new Set<DataType>([DataType.INT8, DataType.INT32, DataType.INT64]);

/**
 * The engine casts INT4 to and from the float types and INT8/INT32/INT64, FP4 to and from the
 * float types: other pairs go through INT32 or FLOAT. ONNX's cast to INT4 truncates and keeps the
 * low 4 bits (-9 becomes 7), which is what a cast through INT32 gives (the engine's float to INT4
 * saturates instead).
 */
function packedCastSource(ctx: NodeContext, t: ITensor, to: DataType): ITensor {
  if (t.dtype === to) return t;
  const viaFloat = (v: ITensor): ITensor => (isFloatDataType(v.dtype) ? v : cast(ctx.model, v, DataType.FLOAT));
  if (t.dtype === DataType.FP4 && !isFloatDataType(to)) t = cast(ctx.model, t, DataType.FLOAT);
  if (t.dtype === DataType.INT4 && !isFloatDataType(to) && !INT4_INT_PARTNERS.has(to)) t = cast(ctx.model, t, DataType.INT32);
  if (to === DataType.FP4) return viaFloat(t);
  if (to === DataType.INT4 && !INT4_INT_PARTNERS.has(t.dtype)) {
    if (NARROW_LIMIT.has(t.dtype) || t.dtype === DataType.FP4) t = cast(ctx.model, t, DataType.FLOAT);
    t = cast(ctx.model, t, DataType.INT32);
  }
  return t;
}

const castOp: Importer = (ctx) => {
  const to = ctx.int('to');
  if (to === undefined) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute to is required');
  castTo(ctx, onnxType(to, 'to'));
};

const castLike: Importer = (ctx) => castTo(ctx, typeOf(ctx.input(1)));

const shape: Importer = (ctx) => {
  const x = ctx.input(0);
  const dims = shapeOf(x);
  const rank = dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(ctx.int('start', 0));
  const end = Math.max(start, ctx.hasAttr('end') ? clamp(ctx.int('end', rank)) : rank);
  const picked = dims.slice(start, end);
  if (picked.every((d) => d >= 0)) return ctx.setOutput(0, int64(picked));
  const full = shapeOfValue(ctx.model, x);
  if (start === 0 && end === rank) return ctx.setOutput(0, full);
  ctx.setOutput(0, ctx.network.addSlice(ctx.model.tensor(full), [start], [end - start], [1]).getOutput(0));
};

const size: Importer = (ctx) => {
  const x = ctx.input(0);
  const n = dimProduct(ctx.model, x, 0, shapeOf(x).length);
  ctx.setOutput(0, isConst(n) ? n.reshaped([]) : reshape(ctx.model, n, []));
};

// --- Reshape family -------------------------------------------------------------------------------

const reshapeOp: Importer = (ctx) => {
  const x = ctx.input(0);
  const allowZero = ctx.int('allowzero', 0) === 1;
  const inDims = shapeOf(x);
  const shapeConst = ctx.constant(1);
  const layer = ctx.network.addShuffle(ctx.model.tensor(x));
  if (shapeConst) {
    if (shapeConst.dims.length !== 1) throw new ImportError(ParserErrorCode.INVALID_NODE, `shape (input 1) must be 1-D, not of dims [${shapeConst.dims.join(', ')}]`);
    let dims = shapeConst.toNumbers();
    if (allowZero && dims.includes(0) && dims.includes(-1)) {
      throw new ImportError(ParserErrorCode.INVALID_NODE, `shape [${dims.join(', ')}] has both 0 and -1, which allowzero=1 forbids`);
    }
    // 0 copies the input dim: resolved here when that dim is known.
    if (!allowZero) dims = dims.map((d, i) => (d === 0 && inDims[i] !== undefined && inDims[i]! >= 0 ? inDims[i]! : d));
    layer.reshapeDims = dims;
    layer.zeroIsPlaceholder = !allowZero && dims.includes(0);
  } else {
    const s = ctx.model.tensor(asInt64(ctx.model, ctx.input(1)));
    if (s.shape.length !== 1 || s.shape[0]! < 0) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `shape (input 1) must be 1-D with a length known when the network is built, not of dims [${s.shape.join(', ')}]`);
    }
    layer.setInput(1, s);
    layer.zeroIsPlaceholder = !allowZero;
  }
  ctx.setOutput(0, layer.getOutput(0));
};

const flatten: Importer = (ctx) => {
  const x = ctx.input(0);
  const rank = shapeOf(x).length;
  let axis = ctx.int('axis', 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) throw new ImportError(ParserErrorCode.INVALID_NODE, `axis ${ctx.int('axis', 1)} is out of range for a tensor of rank ${rank}`);
  const m = ctx.model;
  const outer = dimProduct(m, x, 0, axis);
  const inner = dimProduct(m, x, axis, rank);
  // One unknown side can be left to -1 (a static Shuffle); both need run-time arithmetic.
  let shapeV: Value;
  if (isConst(outer) && !isConst(inner) && outer.toNumbers()[0]! > 0) shapeV = int64([outer.toNumbers()[0]!, -1]);
  else if (isConst(inner) && !isConst(outer) && inner.toNumbers()[0]! > 0) shapeV = int64([-1, inner.toNumbers()[0]!]);
  else shapeV = concatShapes(m, [outer, inner]);
  ctx.setOutput(0, reshapeTo(m, x, shapeV));
};

const squeezeOp: Importer = (ctx) => {
  const x = ctx.input(0);
  const dims = shapeOf(x);
  const axesTensor = runtimeAxes(ctx, 1);
  if (axesTensor) return ctx.setOutput(0, squeezeRuntime(ctx.model, x, axesTensor));
  let axes = axesFromAttrOrInput(ctx, 1);
  if (axes === undefined) {
    if (dims.some((d) => d < 0)) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `Squeeze without axes needs every input dim known when the network is built, not [${dims.join(', ')}]`);
    }
    axes = dims.flatMap((d, i) => (d === 1 ? [i] : []));
  }
  ctx.setOutput(0, squeeze(ctx.model, x, axes));
};

const unsqueezeOp: Importer = (ctx) => {
  const axesTensor = runtimeAxes(ctx, 1);
  if (axesTensor) return ctx.setOutput(0, unsqueezeRuntime(ctx.model, ctx.input(0), axesTensor));
  const axes = axesFromAttrOrInput(ctx, 1);
  if (axes === undefined) throw new ImportError(ParserErrorCode.INVALID_NODE, 'Unsqueeze needs axes (an attribute before opset 13, input 1 from opset 13)');
  ctx.setOutput(0, unsqueeze(ctx.model, ctx.input(0), axes));
};

const transposeOp: Importer = (ctx) => {
  const x = ctx.input(0);
  const rank = shapeOf(x).length;
  const perm = ctx.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const norm = perm.map((p) => normalizeAxis(p, rank, 'perm entry'));
  if (norm.length !== rank || new Set(norm).size !== rank) throw new ImportError(ParserErrorCode.INVALID_NODE, `perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  ctx.setOutput(0, transpose(ctx.model, x, norm));
};

const depthToSpace: Importer = (ctx) => {
  const x = ctx.input(0);
  const b = ctx.int('blocksize');
  if (b === undefined || b < 1) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute blocksize must be a positive integer');
  const mode = ctx.string('mode', 'DCR');
  if (mode !== 'DCR' && mode !== 'CRD') throw ctx.unsupportedAttr('mode', mode, 'expected "DCR" or "CRD"');
  if (shapeOf(x).length !== 4) throw new ImportError(ParserErrorCode.INVALID_NODE, `DepthToSpace needs a 4-D input, not [${shapeOf(x).join(', ')}]`);
  const m = ctx.model;
  const [n, c, h, w] = [0, 1, 2, 3].map((i) => dimValue(m, x, i)) as [Value, Value, Value, Value];
  const bb = int64([b]);
  const cOut = shapeOp(m, c, int64([b * b]), ElementWiseOperation.FLOOR_DIV);
  const split = mode === 'DCR' ? concatShapes(m, [n, bb, bb, cOut, h, w]) : concatShapes(m, [n, cOut, bb, bb, h, w]);
  const perm = mode === 'DCR' ? [0, 3, 4, 1, 5, 2] : [0, 1, 4, 2, 5, 3];
  const moved = transpose(m, reshapeTo(m, x, split), perm);
  const out = concatShapes(m, [n, cOut, shapeOp(m, h, bb, ElementWiseOperation.PROD), shapeOp(m, w, bb, ElementWiseOperation.PROD)]);
  ctx.setOutput(0, reshapeTo(m, moved, out));
};

const spaceToDepth: Importer = (ctx) => {
  const x = ctx.input(0);
  const b = ctx.int('blocksize');
  if (b === undefined || b < 1) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute blocksize must be a positive integer');
  if (shapeOf(x).length !== 4) throw new ImportError(ParserErrorCode.INVALID_NODE, `SpaceToDepth needs a 4-D input, not [${shapeOf(x).join(', ')}]`);
  const m = ctx.model;
  const [n, c, h, w] = [0, 1, 2, 3].map((i) => dimValue(m, x, i)) as [Value, Value, Value, Value];
  const bb = int64([b]);
  const hOut = shapeOp(m, h, bb, ElementWiseOperation.FLOOR_DIV);
  const wOut = shapeOp(m, w, bb, ElementWiseOperation.FLOOR_DIV);
  const split = concatShapes(m, [n, c, hOut, bb, wOut, bb]);
  const moved = transpose(m, reshapeTo(m, x, split), [0, 3, 5, 1, 2, 4]);
  const out = concatShapes(m, [n, shapeOp(m, c, int64([b * b]), ElementWiseOperation.PROD), hOut, wOut]);
  ctx.setOutput(0, reshapeTo(m, moved, out));
};

// --- Concat, Split, Slice ---------------------------------------------------------------------------

const concat: Importer = (ctx) => {
  const inputs: Value[] = [];
  for (let i = 0; i < ctx.numInputs; i += 1) if (ctx.hasInput(i)) inputs.push(ctx.input(i));
  if (inputs.length === 0) throw new ImportError(ParserErrorCode.INVALID_NODE, 'Concat needs at least one input');
  const rank = shapeOf(inputs[0]!).length;
  const axisAttr = ctx.int('axis');
  if (axisAttr === undefined) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute axis is required');
  const axis = normalizeAxis(axisAttr, rank);
  const type = typeOf(inputs[0]!);
  inputs.forEach((v, i) => {
    if (typeOf(v) !== type) throw new ImportError(ParserErrorCode.INVALID_NODE, `Concat input ${i} has type ${onnxTypeName(typeOf(v))}, input 0 has ${onnxTypeName(type)}`);
    if (shapeOf(v).length !== rank) throw new ImportError(ParserErrorCode.INVALID_NODE, `Concat input ${i} has rank ${shapeOf(v).length}, input 0 has rank ${rank}`);
  });
  const layer = ctx.network.addConcatenation(inputs.map((v) => ctx.model.tensor(v)));
  layer.axis = axis;
  ctx.setOutput(0, layer.getOutput(0));
};

const split: Importer = (ctx) => {
  const x = ctx.model.tensor(ctx.input(0));
  const rank = x.shape.length;
  const axis = normalizeAxis(ctx.int('axis', 0), rank);
  const m = ctx.model;
  const count = ctx.numOutputs;
  let sizes: Value[];
  let splitValue: Value | undefined;
  if (ctx.opset < 13) {
    const s = ctx.ints('split');
    if (s) splitValue = int64(s);
  } else if (ctx.hasInput(1)) {
    splitValue = asInt64(m, ctx.input(1));
  }
  if (splitValue !== undefined) {
    const n = shapeOf(splitValue)[0];
    if (shapeOf(splitValue).length !== 1 || n !== count) {
      throw new ImportError(ParserErrorCode.INVALID_NODE, `split has dims [${shapeOf(splitValue).join(', ')}] but the node has ${count} outputs`);
    }
    sizes = Array.from({ length: count }, (_, i) => gatherShape(m, splitValue!, [i]));
  } else {
    const parts = ctx.opset >= 18 ? ctx.int('num_outputs', count) : count;
    if (parts !== count) throw new ImportError(ParserErrorCode.INVALID_NODE, `num_outputs=${parts} but the node has ${count} outputs`);
    const d = dimValue(m, x, axis);
    if (isConst(d) && ctx.opset < 18 && d.toNumbers()[0]! % count !== 0) {
      throw new ImportError(ParserErrorCode.INVALID_NODE, `axis ${axis} of size ${d.toNumbers()[0]} does not split into ${count} equal parts`);
    }
    // ceil(d / n) per part, the last one taking what is left (opset 18 allows uneven splits).
    const chunk = shapeOp(m, shapeOp(m, d, int64([count - 1]), ElementWiseOperation.SUM), int64([count]), ElementWiseOperation.FLOOR_DIV);
    sizes = Array.from({ length: count }, (_, i) => {
      const left = shapeOp(m, d, shapeOp(m, chunk, int64([i]), ElementWiseOperation.PROD), ElementWiseOperation.SUB);
      return shapeOp(m, shapeOp(m, chunk, left, ElementWiseOperation.MIN), int64([0]), ElementWiseOperation.MAX);
    });
  }
  let start: Value = int64([0]);
  sizes.forEach((s, i) => {
    ctx.setOutput(i, sliceLayer(m, x, [axis], start, s, int64([1])));
    start = shapeOp(m, start, s, ElementWiseOperation.SUM);
  });
};

interface SliceParams {
  start: number[];
  size: number[];
  stride: number[];
}

/** ONNX Slice semantics (negative and out-of-range starts/ends clamp per step sign) on known dims. */
function staticSlice(dims: number[], starts: number[], ends: number[], steps: number[]): SliceParams {
  const out: SliceParams = { start: [], size: [], stride: [] };
  dims.forEach((d, k) => {
    const step = steps[k]!;
    let s = starts[k]!;
    let e = ends[k]!;
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    const n = Math.max(0, Math.ceil((e - s) / step));
    out.start.push(n === 0 ? 0 : s);
    out.size.push(n);
    out.stride.push(step);
  });
  return out;
}

const slice: Importer = (ctx) => {
  const data = ctx.input(0);
  const m = ctx.model;
  const rank = shapeOf(data).length;
  let starts: Value;
  let ends: Value;
  let axesList: number[] | undefined;
  let axesTensor: ITensor | undefined;
  let steps: Value | undefined;
  if (ctx.opset < 10) {
    const s = ctx.ints('starts');
    const e = ctx.ints('ends');
    if (!s || !e) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attributes starts and ends are required');
    starts = int64(s);
    ends = int64(e);
    axesList = ctx.ints('axes');
  } else {
    starts = asInt64(m, ctx.input(1));
    ends = asInt64(m, ctx.input(2));
    axesTensor = runtimeAxes(ctx, 3);
    if (ctx.hasInput(3) && !axesTensor) axesList = ctx.requireConstNumbers(3, 'axes');
    if (ctx.hasInput(4)) steps = asInt64(m, ctx.input(4));
  }
  const n = shapeOf(starts)[0]!;
  if (shapeOf(starts).length !== 1 || n < 0 || shapeOf(ends).length !== 1 || shapeOf(ends)[0] !== n) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `starts [${shapeOf(starts).join(', ')}] and ends [${shapeOf(ends).join(', ')}] must be 1-D of one known length`);
  }
  let axes: number[] | ITensor;
  if (axesTensor) {
    if (axesTensor.shape[0] !== n) throw new ImportError(ParserErrorCode.INVALID_NODE, `axes (input 3) has ${axesTensor.shape[0]} entries, starts ${n}`);
    axes = normalizeRuntimeAxes(m, axesTensor, rank);
  } else {
    axes = (axesList ?? Array.from({ length: n }, (_, i) => i)).map((a) => normalizeAxis(a, rank, 'axes'));
    if (axes.length !== n || new Set(axes).size !== n) throw new ImportError(ParserErrorCode.INVALID_NODE, `axes [${axesList?.join(', ')}] must name ${n} distinct axes`);
  }
  const stepValue = steps ?? int64(new Array<number>(n).fill(1));
  if (isConst(stepValue) && stepValue.toNumbers().includes(0)) throw new ImportError(ParserErrorCode.INVALID_NODE, 'steps must not be 0');
  if (n === 0) return ctx.setOutput(0, ctx.network.addIdentity(m.tensor(data)).getOutput(0));
  const dimsV = Array.isArray(axes) ? gatherShape(m, shapeOfValue(m, data), axes) : gatherDims(m, data, axes);
  if (isConst(starts) && isConst(ends) && isConst(stepValue) && isConst(dimsV)) {
    const p = staticSlice(dimsV.toNumbers(), starts.toNumbers(), ends.toNumbers(), stepValue.toNumbers());
    // A slice of a shape whose picked entries are known is a constant (shape arithmetic).
    const source = !isConst(data) ? shapeSources.get(data) : undefined;
    if (source && Array.isArray(axes)) {
      const picks = Array.from({ length: p.size[0]! }, (_, i) => p.start[0]! + i * p.stride[0]!);
      if (picks.every((i) => source.shape[i]! >= 0)) return ctx.setOutput(0, int64(picks.map((i) => source.shape[i]!)));
    }
    return ctx.setOutput(0, sliceLayer(m, m.tensor(data), axes, int64(p.start), int64(p.size), int64(p.stride)));
  }
  // Run-time version of staticSlice in INT64 shape arithmetic.
  const zero = int64([0]);
  const lt = (a: Value, b: Value) => shapeOp(m, a, b, ElementWiseOperation.LESS);
  const negStep = lt(stepValue, zero);
  const negOne = shapeSelect(m, negStep, int64([1]), zero);
  const hi = shapeOp(m, dimsV, negOne, ElementWiseOperation.SUB);
  const loEnd = shapeOp(m, zero, negOne, ElementWiseOperation.SUB);
  const wrap = (v: Value) => shapeSelect(m, lt(v, zero), shapeOp(m, v, dimsV, ElementWiseOperation.SUM), v);
  const clamp = (v: Value, lo: Value) => shapeOp(m, shapeOp(m, v, lo, ElementWiseOperation.MAX), hi, ElementWiseOperation.MIN);
  const s = clamp(wrap(starts), zero);
  const e = clamp(wrap(ends), loEnd);
  // ceil((e - s) / step) = -floor((s - e) / step)
  const q = shapeOp(m, shapeOp(m, s, e, ElementWiseOperation.SUB), stepValue, ElementWiseOperation.FLOOR_DIV);
  const count = shapeOp(m, shapeOp(m, zero, q, ElementWiseOperation.SUB), zero, ElementWiseOperation.MAX);
  ctx.setOutput(0, sliceLayer(m, m.tensor(data), axes, s, count, stepValue));
};

// --- Gather family -----------------------------------------------------------------------------

const gather: Importer = (ctx) => {
  const data = ctx.input(0);
  const indices = ctx.input(1);
  const m = ctx.model;
  const rank = shapeOf(data).length;
  const axis = normalizeAxis(ctx.int('axis', 0), rank);
  // Gathering known dims out of a Shape output gives a constant.
  if (!isConst(data) && isConst(indices) && axis === 0) {
    const source = shapeSources.get(data);
    if (source) {
      const n = source.shape.length;
      const dims = indices.toNumbers().map((i) => source.shape[i < 0 ? i + n : i] ?? -1);
      if (dims.every((d) => d >= 0)) return ctx.setOutput(0, int64(dims, indices.dims));
    }
  }
  const idx = typeOf(indices) === OnnxType.INT32 || typeOf(indices) === OnnxType.INT64 ? indices : asInt64(m, indices);
  ctx.setOutput(0, ctx.network.addGather(m.tensor(data), m.tensor(idx), axis).getOutput(0));
};

const gatherElements: Importer = (ctx) => {
  const data = ctx.tensor(0);
  const axis = normalizeAxis(ctx.int('axis', 0), data.shape.length);
  const layer = ctx.network.addGatherV2(data, ctx.tensor(1), GatherMode.ELEMENT);
  layer.axis = axis;
  ctx.setOutput(0, layer.getOutput(0));
};

const gatherND: Importer = (ctx) => {
  const batchDims = ctx.int('batch_dims', 0);
  if (batchDims < 0 || batchDims > 1) throw ctx.unsupportedAttr('batch_dims', batchDims, 'the network API takes 0 or 1 element-wise dims');
  const layer = ctx.network.addGatherV2(ctx.tensor(0), ctx.tensor(1), GatherMode.ND);
  layer.numElementWiseDims = batchDims;
  ctx.setOutput(0, layer.getOutput(0));
};

// --- Expand, Tile, Where, Pad --------------------------------------------------------------------

const expand: Importer = (ctx) => {
  const m = ctx.model;
  const target = asInt64(m, ctx.input(1));
  const n = shapeOf(target)[0]!;
  if (shapeOf(target).length !== 1 || n < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `shape (input 1) must be 1-D with a known length, not of dims [${shapeOf(target).join(', ')}]`);
  const x0 = ctx.input(0);
  const rank = Math.max(shapeOf(x0).length, n);
  if (rank === 0) return ctx.setOutput(0, m.network.addIdentity(m.tensor(x0)).getOutput(0));
  const x = m.tensor(prependOnes(m, x0, rank));
  const full = n < rank ? concatShapes(m, [int64(new Array<number>(rank - n).fill(1)), target]) : target;
  const inShape = shapeOfValue(m, x);
  if (isConst(full) && isConst(inShape)) {
    const want = full.toNumbers();
    inShape.toNumbers().forEach((d, i) => {
      if (d !== 1 && want[i] !== 1 && want[i] !== d) {
        throw new ImportError(ParserErrorCode.INVALID_NODE, `cannot expand dimension ${i} of size ${d} to ${want[i]} (sizes must be equal or one of them 1)`);
      }
    });
  }
  // Broadcast: a dim of 1 takes the target size (stride 0 repeats it), others stay.
  const isOne = shapeOp(m, inShape, int64([1]), ElementWiseOperation.EQUAL);
  const outShape = shapeSelect(m, isOne, full, inShape);
  const stride = shapeSelect(m, isOne, int64([0]), int64([1]));
  const axes = Array.from({ length: rank }, (_, i) => i);
  ctx.setOutput(0, sliceLayer(m, x, axes, int64(new Array<number>(rank).fill(0)), outShape, stride));
};

const tile: Importer = (ctx) => {
  const m = ctx.model;
  const x = ctx.tensor(0);
  const rank = x.shape.length;
  const repeats = asInt64(m, ctx.input(1));
  if (shapeOf(repeats).length !== 1 || shapeOf(repeats)[0] !== rank) throw new ImportError(ParserErrorCode.INVALID_NODE, `repeats must be 1-D with ${rank} entries, not of dims [${shapeOf(repeats).join(', ')}]`);
  const size = shapeOp(m, shapeOfValue(m, x), repeats, ElementWiseOperation.PROD);
  const axes = Array.from({ length: rank }, (_, i) => i);
  ctx.setOutput(0, sliceLayer(m, x, axes, int64(new Array<number>(rank).fill(0)), size, int64(new Array<number>(rank).fill(1)), SampleMode.WRAP));
};

const where: Importer = (ctx) => {
  const m = ctx.model;
  const [c, a, b] = [ctx.input(0), ctx.input(1), ctx.input(2)];
  if (typeOf(c) !== OnnxType.BOOL) throw new ImportError(ParserErrorCode.INVALID_NODE, `condition (input 0) must be BOOL, not ${onnxTypeName(typeOf(c))}`);
  if (typeOf(a) !== typeOf(b)) throw new ImportError(ParserErrorCode.INVALID_NODE, `X and Y have different types (${onnxTypeName(typeOf(a))} and ${onnxTypeName(typeOf(b))})`);
  const rank = Math.max(shapeOf(c).length, shapeOf(a).length, shapeOf(b).length);
  const [ct, at, bt] = [c, a, b].map((v) => m.tensor(prependOnes(m, v, rank))) as [ITensor, ITensor, ITensor];
  ctx.setOutput(0, ctx.network.addSelect(ct, at, bt).getOutput(0));
};

const PAD_MODES: Record<string, SampleMode> = {
  constant: SampleMode.FILL,
  reflect: SampleMode.REFLECT,
  edge: SampleMode.CLAMP,
  wrap: SampleMode.WRAP,
};

const pad: Importer = (ctx) => {
  const m = ctx.model;
  const x = ctx.tensor(0);
  const rank = x.shape.length;
  const modeName = ctx.string('mode', 'constant');
  const mode = PAD_MODES[modeName];
  if (mode === undefined || (modeName === 'wrap' && ctx.opset < 19)) throw ctx.unsupportedAttr('mode', modeName, 'expected constant, reflect, edge or (from opset 19) wrap');
  let pads: Value;
  let fill: Value | undefined;
  let axesList: number[] | undefined;
  let axesTensor: ITensor | undefined;
  if (ctx.opset < 11) {
    const p = ctx.ints('pads');
    if (!p) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute pads is required');
    pads = int64(p);
    const value = ctx.float('value', 0);
    if (value !== 0) fill = ConstTensor.fromNumbers(typeOf(x) === OnnxType.DOUBLE ? OnnxType.FLOAT : typeOf(x), [], [value]);
  } else {
    pads = asInt64(m, ctx.input(1));
    if (ctx.hasInput(2)) fill = ctx.input(2);
    axesTensor = runtimeAxes(ctx, 3);
    if (ctx.hasInput(3) && !axesTensor) axesList = ctx.requireConstNumbers(3, 'axes');
  }
  const axes = axesTensor ? normalizeRuntimeAxes(m, axesTensor, rank) : (axesList ?? Array.from({ length: rank }, (_, i) => i)).map((a) => normalizeAxis(a, rank, 'axes'));
  const n = Array.isArray(axes) ? axes.length : axes.shape[0]!;
  if (shapeOf(pads).length !== 1 || shapeOf(pads)[0] !== 2 * n) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `pads must be 1-D with ${2 * n} entries (two per padded axis), not of dims [${shapeOf(pads).join(', ')}]`);
  }
  if (mode !== SampleMode.FILL) fill = undefined;
  if (fill !== undefined && isConst(fill)) {
    if (fill.size !== 1) throw new ImportError(ParserErrorCode.INVALID_NODE, 'constant_value must have one element');
    fill = fill.toNumbers()[0] === 0 ? undefined : fill;
  }
  if (n === 0) return ctx.setOutput(0, ctx.network.addIdentity(x).getOutput(0));
  const pre = gatherShape(m, pads, Array.from({ length: n }, (_, i) => i));
  const post = gatherShape(m, pads, Array.from({ length: n }, (_, i) => n + i));
  // Padding is a Slice that starts before the data and samples outside it per mode.
  const start = shapeOp(m, int64([0]), pre, ElementWiseOperation.SUB);
  const dims = Array.isArray(axes) ? gatherShape(m, shapeOfValue(m, x), axes) : gatherDims(m, x, axes);
  const size = shapeOp(m, shapeOp(m, dims, pre, ElementWiseOperation.SUM), post, ElementWiseOperation.SUM);
  ctx.setOutput(0, sliceLayer(m, x, axes, start, size, int64(new Array<number>(n).fill(1)), mode, fill));
};

// --- Generators: ConstantOfShape, Range, EyeLike, Trilu, Dropout ------------------------------------

const constantOfShape: Importer = (ctx) => {
  const value = ctx.tensorAttr('value');
  if (value && value.size !== 1) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute value must have exactly one element');
  const type = value?.type ?? OnnxType.FLOAT;
  const shapeV = asInt64(ctx.model, ctx.input(0));
  if (shapeOf(shapeV).length !== 1 || shapeOf(shapeV)[0]! < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'input must be 1-D with a length known when the network is built');
  ctx.setOutput(0, filled(ctx.model, shapeV, value ? value.toNumbers()[0]! : 0, type));
};

/** A FLOAT Range operand as a 1-element INT64 value when it is known to be an integer (see intCastSources). */
function integerValue(model: ModelContext, v: Value): Value | undefined {
  if (isConst(v)) {
    const n = v.toNumbers();
    return n.length === 1 && Number.isInteger(n[0]) && Math.abs(n[0]!) <= 2 ** 24 ? int64(n) : undefined;
  }
  const source = intCastSources.get(v);
  return source && volume(source.shape) === 1 ? reshape(model, asInt64(model, source), [1]) : undefined;
}

const range: Importer = (ctx) => {
  const m = ctx.model;
  const [start, limit, delta] = [ctx.input(0), ctx.input(1), ctx.input(2)];
  const type = typeOf(start);
  const float = isFloatType(type);
  const fillType = float ? DataType.FLOAT : type === OnnxType.INT64 ? DataType.INT64 : type === OnnxType.INT32 ? DataType.INT32 : undefined;
  if (fillType === undefined) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `Range of ${onnxTypeName(type)} is not supported (FLOAT, FLOAT16, BFLOAT16, INT32 or INT64)`);
  // Scalars (a model may give 1-element 1-D operands).
  const [s, l, d] = [start, limit, delta].map((v) => {
    const t = cast(m, m.tensor(v), fillType);
    return t.shape.length === 0 ? t : reshape(m, t, []);
  }) as [ITensor, ITensor, ITensor];
  // count = max(ceil((limit - start) / delta), 0), as a 1-D INT64 shape.
  const diff = () => m.network.addElementWise(l, s, ElementWiseOperation.SUB).getOutput(0);
  let count: ITensor;
  const ints = float ? [start, limit, delta].map((v) => integerValue(m, v)) : [];
  if (ints.length === 3 && ints.every((v) => v !== undefined)) {
    // FLOAT operands that are integers (constants, or casts of INT32/INT64 such as a window size):
    // count in INT64, which the engine tracks as a shape value; the same count as FLOAT gives
    // while the values stay within 2^24 (beyond, the cast to FLOAT itself rounds).
    const [si, li, di] = ints as Value[];
    const q = shapeOp(m, shapeOp(m, si!, li!, ElementWiseOperation.SUB), di!, ElementWiseOperation.FLOOR_DIV);
    count = m.tensor(shapeOp(m, int64([0]), q, ElementWiseOperation.SUB));
  } else if (float) {
    // A count computed from FLOAT values (e.g. graph inputs) is known only while the engine
    // runs: the Fill's output then has a data-dependent length.
    const q = m.network.addElementWise(diff(), d, ElementWiseOperation.DIV).getOutput(0);
    count = cast(m, unary(m, q, UnaryOperation.CEIL), DataType.INT64);
  } else {
    const negDiff = unary(m, diff(), UnaryOperation.NEG);
    const floor = m.network.addElementWise(negDiff, d, ElementWiseOperation.FLOOR_DIV).getOutput(0);
    count = cast(m, unary(m, floor, UnaryOperation.NEG), DataType.INT64);
  }
  const n = m.tensor(shapeOp(m, reshape(m, count, [1]), int64([0]), ElementWiseOperation.MAX));
  const layer = m.network.addFill([0], FillOperation.LINSPACE, fillType);
  layer.setInput(0, n);
  layer.setInput(1, reshape(m, s, []));
  layer.setInput(2, reshape(m, d, [1]));
  ctx.setOutput(0, cast(m, layer.getOutput(0), requireEngineType(type === OnnxType.DOUBLE ? OnnxType.FLOAT : type, 'Range')));
};

const eyeLike: Importer = (ctx) => {
  const m = ctx.model;
  const x = ctx.input(0);
  const dims = shapeOf(x);
  if (dims.length !== 2) throw new ImportError(ParserErrorCode.INVALID_NODE, `EyeLike needs a 2-D input, not [${dims.join(', ')}]`);
  const type = ctx.hasAttr('dtype') ? onnxType(ctx.int('dtype', 0), 'dtype') : typeOf(x);
  const dtype = targetType(ctx, type, 'dtype');
  const k = ctx.int('k', 0);
  if (dims.every((d) => d >= 0)) {
    const values = Array.from({ length: volume(dims) }, (_, i) => (i % dims[1]! - Math.floor(i / dims[1]!) === k ? 1 : 0));
    return ctx.setOutput(0, ConstTensor.fromNumbers(type === OnnxType.DOUBLE ? OnnxType.FLOAT : type, dims, values));
  }
  const [rows, cols] = gridIndices(m, dimValue(m, x, 0), dimValue(m, x, 1));
  const diff = m.network.addElementWise(cols, rows, ElementWiseOperation.SUB).getOutput(0);
  const eq = m.network.addElementWise(diff, m.tensor(ConstTensor.fromNumbers(OnnxType.INT64, [1, 1], [k])), ElementWiseOperation.EQUAL).getOutput(0);
  ctx.setOutput(0, cast(m, eq, dtype));
};

const trilu: Importer = (ctx) => {
  const m = ctx.model;
  const x = ctx.input(0);
  const dims = shapeOf(x);
  const rank = dims.length;
  if (rank < 2) throw new ImportError(ParserErrorCode.INVALID_NODE, `Trilu needs an input of rank 2 or more, not [${dims.join(', ')}]`);
  const upper = ctx.int('upper', 1) === 1;
  let k: Value = int64([0], []);
  if (ctx.hasInput(1)) k = asInt64(m, ctx.input(1));
  const [r, c] = [dims[rank - 2]!, dims[rank - 1]!];
  let mask: Value;
  if (r >= 0 && c >= 0 && r * c <= 1 << 20 && isConst(k)) {
    const kv = k.toNumbers()[0]!;
    const keep = (i: number, j: number) => (upper ? j - i >= kv : j - i <= kv);
    mask = ConstTensor.fromNumbers(OnnxType.BOOL, [r, c], Array.from({ length: r * c }, (_, i) => (keep(Math.floor(i / c), i % c) ? 1 : 0)));
  } else {
    const [rows, cols] = gridIndices(m, dimValue(m, x, rank - 2), dimValue(m, x, rank - 1));
    const diff = m.network.addElementWise(cols, rows, ElementWiseOperation.SUB).getOutput(0);
    const kk = reshape(m, k, [1, 1]);
    // upper keeps diff >= k, i.e. NOT(diff < k); lower keeps NOT(diff > k).
    const outside = m.network.addElementWise(diff, kk, upper ? ElementWiseOperation.LESS : ElementWiseOperation.GREATER).getOutput(0);
    mask = unary(m, outside, UnaryOperation.NOT);
  }
  const maskR = m.tensor(prependOnes(m, mask, rank));
  ctx.setOutput(0, ctx.network.addSelect(maskR, m.tensor(x), m.tensor(scalarLike(x, 0))).getOutput(0));
};

const dropout: Importer = (ctx) => {
  const m = ctx.model;
  const x = ctx.input(0);
  if (ctx.opset >= 12 && ctx.hasInput(2)) {
    const training = ctx.constNumbers(2);
    if (training === undefined) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_INPUT, 'training_mode (input 2) must be a constant: only inference Dropout is supported');
    const ratio = ctx.hasInput(1) ? ctx.constNumbers(1)?.[0] : 0.5;
    if (training[0] && ratio !== 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_INPUT, 'training_mode=true is not supported: only inference Dropout (an identity) is');
  }
  ctx.setOutput(0, m.network.addIdentity(m.tensor(x)).getOutput(0));
  if (ctx.numOutputs > 1 && ctx.node.outputs[1] !== '') {
    // Inference keeps every element: the mask is all true (BOOL from opset 10, the input type before).
    const maskType = ctx.opset >= 10 ? OnnxType.BOOL : typeOf(x);
    ctx.setOutput(1, filled(m, shapeOfValue(m, x), 1, maskType));
  }
};

export const tensorImporters: Record<string, Importer> = {
  Constant: constant,
  Identity: identity,
  Cast: castOp,
  CastLike: castLike,
  Shape: shape,
  Size: size,
  Reshape: reshapeOp,
  Flatten: flatten,
  Squeeze: squeezeOp,
  Unsqueeze: unsqueezeOp,
  Transpose: transposeOp,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  GatherElements: gatherElements,
  GatherND: gatherND,
  Expand: expand,
  Tile: tile,
  Where: where,
  Pad: pad,
  ConstantOfShape: constantOfShape,
  Range: range,
  EyeLike: eyeLike,
  Trilu: trilu,
  Dropout: dropout,
};
