/**
 * @internal Importers: reductions (Reduce*), selection (ArgMax/ArgMin, TopK), scans (CumSum,
 * CumProd), scatters, OneHot, ReverseSequence, NonZero, Compress and NonMaxSuppression.
 */
import { BoundingBoxFormat, CumulativeOperation, DataType, ElementWiseOperation, ReduceOperation, ScatterMode, ScatterReduction, TopKOperation, UnaryOperation } from '../../enums.js';
import type { ITensor } from '../../Tensor.js';
import { ConstTensor } from '../ConstTensor.js';
import { ModelContext, NodeContext, Value, isConst, shapeOf } from '../ImportContext.js';
import { OnnxType } from '../model.js';
import { ImportError, ParserErrorCode } from '../ParserError.js';
import { Importer, axesFromAttrOrInput, axesMask, cast, elementwise, normalizeAxis, reshape, scalarLike, shapeValue, squeeze, unary } from './common.js';

/** Reduction axes: numbers (normalized), or a 1-D tensor whose values are known when shapes are resolved. */
type Axes = number[] | ITensor;

/** The reduction axes of a Reduce* node; null when it reduces nothing (noop_with_empty_axes). */
function reductionAxes(ctx: NodeContext, rank: number): Axes | null {
  const all = () => Array.from({ length: rank }, (_, i) => i);
  const noop = ctx.int('noop_with_empty_axes', 0) === 1;
  if (!ctx.hasAttr('axes') && ctx.hasInput(1) && !isConst(ctx.input(1))) {
    // Axes computed at run time (e.g. a graph input): a shape tensor that the Reduce layer reads.
    const v = ctx.input(1) as ITensor;
    const dims = v.shape;
    if (dims.length !== 1 || dims[0]! < 0) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `axes (input 1) computed at run time must be 1-D with a length known when the network is built, not of dims [${dims.join(', ')}]`);
    }
    if (dims[0] === 0) return noop ? null : all();
    if (v.dtype !== DataType.INT32 && v.dtype !== DataType.INT64) throw new ImportError(ParserErrorCode.INVALID_NODE, `axes (input 1) must be INT64, not ${DataType[v.dtype]}`);
    return v;
  }
  const axes = axesFromAttrOrInput(ctx, 1);
  if (axes === undefined || axes.length === 0) return noop ? null : all();
  const norm = axes.map((a) => normalizeAxis(a, rank, 'axes'));
  if (new Set(norm).size !== norm.length) throw new ImportError(ParserErrorCode.INVALID_NODE, `axes [${axes.join(', ')}] repeat an axis`);
  return norm;
}

/** One Reduce layer; BOOL (ReduceMax/Min from opset 20) goes through INT32. */
function reduceLayer(model: ModelContext, x: ITensor, op: ReduceOperation, axes: Axes, keep: boolean): ITensor {
  if (x.dtype === DataType.BOOL) {
    if (op !== ReduceOperation.MAX && op !== ReduceOperation.MIN) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, 'only ReduceMax and ReduceMin accept BOOL inputs');
    }
    return cast(model, reduceLayer(model, cast(model, x, DataType.INT32), op, axes, keep), DataType.BOOL);
  }
  if (Array.isArray(axes)) return model.network.addReduce(x, op, axesMask(axes), keep).getOutput(0);
  const layer = model.network.addReduce(x, op, 0, keep);
  layer.setInput(1, axes);
  return layer.getOutput(0);
}

/**
 * A reduction as pre-map → Reduce → post-map (ReduceL2 = sqrt(sum(x²)), ...). With
 * noop_with_empty_axes and no axes, only the maps apply (a reduction over no axes).
 */
function reduction(op: ReduceOperation, pre?: (m: ModelContext, x: ITensor) => ITensor, post?: (m: ModelContext, y: ITensor) => ITensor): Importer {
  return (ctx) => {
    const x = ctx.tensor(0);
    const axes = reductionAxes(ctx, x.shape.length);
    const keep = ctx.int('keepdims', 1) === 1;
    let y = pre ? pre(ctx.model, x) : x;
    if (axes !== null) y = reduceLayer(ctx.model, y, op, axes, keep);
    if (post) y = post(ctx.model, y);
    if (y === x) y = ctx.network.addIdentity(x).getOutput(0);
    ctx.setOutput(0, y);
  };
}

const square = (m: ModelContext, x: ITensor): ITensor => elementwise(m, x, x, ElementWiseOperation.PROD);
const unaryMap = (op: UnaryOperation) => (m: ModelContext, x: ITensor): ITensor => unary(m, x, op);

/** log(sum(exp(x - max))) + max, so large inputs do not overflow exp. */
const reduceLogSumExp: Importer = (ctx) => {
  const x = ctx.tensor(0);
  const axes = reductionAxes(ctx, x.shape.length);
  if (axes === null) return ctx.setOutput(0, ctx.network.addIdentity(x).getOutput(0));
  const keep = ctx.int('keepdims', 1) === 1;
  const m = ctx.model;
  const maxKept = reduceLayer(m, x, ReduceOperation.MAX, axes, true);
  // An all -inf slice (or an empty one) has max -inf; subtract 0 there so exp gives 0, not NaN.
  const infinite = unary(m, maxKept, UnaryOperation.ISINF);
  const shift = ctx.network.addSelect(infinite, m.tensor(scalarLike(x, 0)), maxKept).getOutput(0);
  const sum = reduceLayer(m, unary(m, elementwise(m, x, shift, ElementWiseOperation.SUB), UnaryOperation.EXP), ReduceOperation.SUM, axes, keep);
  const shiftOut = keep ? shift : reduceLayer(m, shift, ReduceOperation.MAX, axes, false);
  ctx.setOutput(0, elementwise(m, unary(m, sum, UnaryOperation.LOG), shiftOut, ElementWiseOperation.SUM));
};

/** x reversed along `axis` (a Slice with stride -1); dynamic dims take run-time start/size. */
function reverseAxis(model: ModelContext, x: ITensor, axis: number): ITensor {
  const dims = x.shape;
  const rank = dims.length;
  const stride = dims.map((_, i) => (i === axis ? -1 : 1));
  if (dims.every((d) => d >= 0)) {
    return model.network.addSlice(x, dims.map((d, i) => (i === axis ? d - 1 : 0)), dims, stride).getOutput(0);
  }
  const layer = model.network.addSlice(x, new Array<number>(rank).fill(0), new Array<number>(rank).fill(0), stride);
  const shape = model.tensor(shapeValue(model, x));
  // start = (shape - 1) on the reversed axis, 0 elsewhere.
  const onAxis = ConstTensor.int64(dims.map((_, i) => (i === axis ? 1 : 0)));
  const start = elementwise(model, elementwise(model, shape, ConstTensor.int64(new Array<number>(rank).fill(1)), ElementWiseOperation.SUB), onAxis, ElementWiseOperation.PROD);
  layer.setInput(1, start);
  layer.setInput(2, shape);
  return layer.getOutput(0);
}

/** ArgMax/ArgMin: TopK with k=1 and INT64 indices; select_last_index reverses the axis first. */
function argReduce(op: TopKOperation): Importer {
  return (ctx) => {
    const x = ctx.tensor(0);
    const rank = x.shape.length;
    if (rank === 0) throw new ImportError(ParserErrorCode.INVALID_NODE, `${ctx.node.opType} needs an input of rank 1 or more`);
    const axis = normalizeAxis(ctx.int('axis', 0), rank);
    const keep = ctx.int('keepdims', 1) === 1;
    const selectLast = ctx.int('select_last_index', 0) === 1;
    const m = ctx.model;
    // TopK ranks ties by lower index; on the reversed axis that is the last occurrence.
    const input = selectLast ? reverseAxis(m, x, axis) : x;
    let indices: Value = ctx.network.addTopK(input, op, 1, 1 << axis, DataType.INT64).getOutput(1);
    if (selectLast) {
      const d = x.shape[axis]!;
      let last: Value;
      if (d >= 0) {
        last = ConstTensor.fromNumbers(OnnxType.INT64, new Array<number>(rank).fill(1), [d - 1]);
      } else {
        const dim = ctx.network.addGather(m.tensor(shapeValue(m, x)), m.tensor(ConstTensor.fromNumbers(OnnxType.INT32, [1], [axis])), 0).getOutput(0);
        last = reshape(m, elementwise(m, dim, ConstTensor.int64([1]), ElementWiseOperation.SUB), new Array<number>(rank).fill(1));
      }
      indices = elementwise(m, last, indices, ElementWiseOperation.SUB);
    }
    if (!keep) indices = squeeze(m, indices, [axis]);
    ctx.setOutput(0, indices);
  };
}

/** TopK: k as an attribute (opset < 10) or input 1 (constant or computed at run time). */
const topK: Importer = (ctx) => {
  const x = ctx.tensor(0);
  const rank = x.shape.length;
  const axis = normalizeAxis(ctx.int('axis', -1), rank);
  const largest = ctx.int('largest', 1) === 1;
  // sorted=0 leaves the order unspecified, so the sorted order is a valid result too.
  const op = largest ? TopKOperation.MAX : TopKOperation.MIN;
  let k: number | undefined;
  let kTensor: ITensor | undefined;
  if (ctx.opset < 10) {
    k = ctx.int('k');
    if (k === undefined) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute k is required');
  } else {
    const kv = ctx.constNumbers(1);
    if (kv !== undefined) {
      if (kv.length !== 1) throw new ImportError(ParserErrorCode.INVALID_NODE, `K (input 1) must have one element, not ${kv.length}`);
      k = kv[0]!;
    } else {
      kTensor = ctx.tensor(1);
    }
  }
  if (k !== undefined && k < 1) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_INPUT, `K=${k} is not supported: TensorRT's TopK needs K >= 1`);
  const layer = ctx.network.addTopK(x, op, k ?? 1, 1 << axis, DataType.INT64);
  if (kTensor) {
    // A 1-element K tensor works as a shape input; INT32 is what TensorRT expects.
    layer.setInput(1, cast(ctx.model, kTensor, DataType.INT32));
  }
  ctx.setOutput(0, layer.getOutput(0));
  ctx.setOutput(1, layer.getOutput(1));
};

/** CumSum/CumProd: the axis stays a tensor (constant or computed at run time). */
function cumulative(op: CumulativeOperation): Importer {
  return (ctx) => {
    const axis = ctx.input(1);
    const dims = shapeOf(axis);
    if (dims.length > 1 || (dims.length === 1 && dims[0] !== 1 && dims[0] !== -1)) {
      throw new ImportError(ParserErrorCode.INVALID_NODE, `axis (input 1) must be a scalar, but has dims [${dims.join(', ')}]`);
    }
    const axisTensor = ctx.model.tensor(isConst(axis) ? axis.reshaped([]) : axis);
    const layer = ctx.network.addCumulative(ctx.tensor(0), axisTensor, op, ctx.int('exclusive', 0) === 1, ctx.int('reverse', 0) === 1);
    ctx.setOutput(0, layer.getOutput(0));
  };
}

const scatterReductions: Record<string, ScatterReduction> = {
  none: ScatterReduction.NONE,
  add: ScatterReduction.SUM,
  mul: ScatterReduction.PROD,
  max: ScatterReduction.MAX,
  min: ScatterReduction.MIN,
};

/** The `reduction` attribute of scatters (opset 16+), as the engine's ScatterReduction extension. */
function scatterReduction(ctx: NodeContext): ScatterReduction {
  const reduction = ctx.string('reduction', 'none');
  const value = Object.hasOwn(scatterReductions, reduction) ? scatterReductions[reduction] : undefined;
  if (value === undefined) throw ctx.unsupportedAttr('reduction', reduction, 'expected none, add, mul, max or min');
  return value;
}

const scatterND: Importer = (ctx) => {
  const reduction = scatterReduction(ctx);
  const layer = ctx.network.addScatter(ctx.tensor(0), ctx.tensor(1), ctx.tensor(2), ScatterMode.ND);
  layer.reduction = reduction;
  ctx.setOutput(0, layer.getOutput(0));
};

/** ScatterElements and its deprecated alias Scatter. */
const scatterElements: Importer = (ctx) => {
  const reduction = scatterReduction(ctx);
  const data = ctx.tensor(0);
  const layer = ctx.network.addScatter(data, ctx.tensor(1), ctx.tensor(2), ScatterMode.ELEMENT);
  layer.axis = normalizeAxis(ctx.int('axis', 0), data.shape.length);
  layer.reduction = reduction;
  ctx.setOutput(0, layer.getOutput(0));
};

const oneHot: Importer = (ctx) => {
  // Non-integer indices are cast to INT64 first, as ONNX specifies.
  let indices = ctx.tensor(0);
  if (indices.dtype !== DataType.INT32 && indices.dtype !== DataType.INT64) indices = cast(ctx.model, indices, DataType.INT64);
  const depthValue = ctx.input(1);
  if (shapeOf(depthValue).reduce((a, b) => a * b, 1) !== 1) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `depth (input 1) must have one element, but has dims [${shapeOf(depthValue).join(', ')}]`);
  }
  let depth: ITensor;
  if (isConst(depthValue)) {
    depth = ctx.model.tensor(ConstTensor.fromNumbers(OnnxType.INT64, [], depthValue.toNumbers()));
  } else {
    // INT32/INT64 depths are shape values the engine resolves with the other shapes; a FLOAT
    // depth (cast to INT64 as ONNX specifies) makes the output dims data-dependent.
    depth = reshape(ctx.model, cast(ctx.model, depthValue, DataType.INT64), []);
  }
  const values = ctx.input(2);
  if (shapeOf(values).length !== 1) throw new ImportError(ParserErrorCode.INVALID_NODE, `values (input 2) must be 1-D [off, on], but has dims [${shapeOf(values).join(', ')}]`);
  const layer = ctx.network.addOneHot(indices, ctx.model.tensor(values), depth, ctx.int('axis', -1));
  ctx.setOutput(0, layer.getOutput(0));
};

const reverseSequence: Importer = (ctx) => {
  const x = ctx.tensor(0);
  const layer = ctx.network.addReverseSequence(x, ctx.tensor(1));
  layer.batchAxis = ctx.int('batch_axis', 1);
  layer.sequenceAxis = ctx.int('time_axis', 0);
  ctx.setOutput(0, layer.getOutput(0));
};

/** Coordinates of the non-zero elements of a constant, [rank, count] INT64. */
function nonZeroCoordinates(c: ConstTensor): ConstTensor {
  const values = c.toNumbers();
  const dims = c.dims;
  const rank = dims.length;
  const hits: number[] = [];
  values.forEach((v, i) => {
    if (v !== 0) hits.push(i);
  });
  const out = new Array<number>(rank * hits.length);
  hits.forEach((flat, j) => {
    let rem = flat;
    for (let d = rank - 1; d >= 0; d -= 1) {
      out[d * hits.length + j] = rem % dims[d]!;
      rem = Math.floor(rem / dims[d]!);
    }
  });
  return ConstTensor.fromNumbers(OnnxType.INT64, [rank, hits.length], out);
}

/** NonZero: folded on constants, else an INonZeroLayer (its column count is data-dependent). */
const nonZero: Importer = (ctx) => {
  const x = ctx.input(0);
  if (isConst(x)) {
    ctx.setOutput(0, nonZeroCoordinates(x));
    return;
  }
  ctx.setOutput(0, ctx.network.addNonZero(ctx.tensor(0), DataType.INT64).getOutput(0));
};

/** Compress: a Gather of the indices where the condition holds (a NonZero when it is computed). */
const compress: Importer = (ctx) => {
  const condition = ctx.constant(1);
  let x = ctx.tensor(0);
  let axis = 0;
  if (ctx.hasAttr('axis')) {
    axis = normalizeAxis(ctx.int('axis', 0), x.shape.length);
  } else {
    x = reshape(ctx.model, x, [-1]);
  }
  const extent = x.shape[axis]!;
  if (!condition) {
    const cond = ctx.tensor(1);
    if (cond.shape.length !== 1) throw new ImportError(ParserErrorCode.INVALID_NODE, `condition (input 1) must be 1-D, not of dims [${cond.shape.join(', ')}]`);
    if (extent >= 0 && cond.shape[0]! > extent) {
      throw new ImportError(ParserErrorCode.INVALID_NODE, `condition (input 1) has ${cond.shape[0]} entries but axis ${axis} has ${extent}`);
    }
    const picks = reshape(ctx.model, ctx.network.addNonZero(cond, DataType.INT64).getOutput(0), [-1]);
    ctx.setOutput(0, ctx.network.addGather(x, picks, axis).getOutput(0));
    return;
  }
  const picks = condition.toNumbers().map((v, i) => (v !== 0 ? i : -1)).filter((i) => i >= 0);
  if (extent >= 0 && picks.some((i) => i >= extent)) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `condition (input 1) selects index ${picks[picks.length - 1]} beyond the ${extent} entries of axis ${axis}`);
  }
  const indices = ConstTensor.fromNumbers(OnnxType.INT64, [picks.length], picks);
  ctx.setOutput(0, ctx.network.addGather(x, ctx.model.tensor(indices), axis).getOutput(0));
};

/** A scalar from an optional [1] or 0-D input, or `fallback` (a FLOAT or INT64 constant) when absent. */
function scalarInput(ctx: NodeContext, i: number, type: OnnxType, fallback: number): ITensor {
  if (!ctx.hasInput(i)) return ctx.model.tensor(ConstTensor.fromNumbers(type, [], [fallback]));
  const v = ctx.tensor(i);
  const n = v.shape.reduce((a, b) => a * b, 1);
  if (v.shape.length > 1 || (n >= 0 && n !== 1)) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `input ${i} must hold one value, not have dims [${v.shape.join(', ')}]`);
  }
  return v.shape.length === 0 ? v : reshape(ctx.model, v, []);
}

/**
 * NonMaxSuppression: an INMSLayer over scores transposed to [batch, boxes, classes]. An absent
 * score_threshold means none (-Infinity; TensorRT's default is 0); center_point_box picks
 * CENTER_SIZES.
 */
const nonMaxSuppression: Importer = (ctx) => {
  const boxes = ctx.tensor(0);
  const scores = transposeScores(ctx);
  const centerPointBox = ctx.int('center_point_box', 0);
  if (centerPointBox !== 0 && centerPointBox !== 1) throw ctx.unsupportedAttr('center_point_box', centerPointBox, 'must be 0 or 1');
  const maxPerClass = scalarInput(ctx, 2, OnnxType.INT64, 0);
  const layer = ctx.network.addNMS(boxes, scores, maxPerClass, DataType.INT64);
  layer.setInput(3, scalarInput(ctx, 3, OnnxType.FLOAT, 0));
  layer.setInput(4, scalarInput(ctx, 4, OnnxType.FLOAT, -Infinity));
  if (centerPointBox === 1) layer.boundingBoxFormat = BoundingBoxFormat.CENTER_SIZES;
  ctx.setOutput(0, layer.getOutput(0));
};

function transposeScores(ctx: NodeContext): ITensor {
  const scores = ctx.tensor(1);
  if (scores.shape.length !== 3) throw new ImportError(ParserErrorCode.INVALID_NODE, `scores (input 1) must be [batch, classes, boxes], not [${scores.shape.join(', ')}]`);
  const layer = ctx.network.addShuffle(scores);
  layer.firstTranspose = [0, 2, 1];
  return layer.getOutput(0);
}

export const reduceImporters: Record<string, Importer> = {
  ReduceSum: reduction(ReduceOperation.SUM),
  ReduceMean: reduction(ReduceOperation.AVG),
  ReduceMax: reduction(ReduceOperation.MAX),
  ReduceMin: reduction(ReduceOperation.MIN),
  ReduceProd: reduction(ReduceOperation.PROD),
  ReduceL1: reduction(ReduceOperation.SUM, unaryMap(UnaryOperation.ABS)),
  ReduceL2: reduction(ReduceOperation.SUM, square, unaryMap(UnaryOperation.SQRT)),
  ReduceSumSquare: reduction(ReduceOperation.SUM, square),
  ReduceLogSum: reduction(ReduceOperation.SUM, undefined, unaryMap(UnaryOperation.LOG)),
  ReduceLogSumExp: reduceLogSumExp,
  ArgMax: argReduce(TopKOperation.MAX),
  ArgMin: argReduce(TopKOperation.MIN),
  TopK: topK,
  CumSum: cumulative(CumulativeOperation.SUM),
  CumProd: cumulative(CumulativeOperation.PROD),
  ScatterND: scatterND,
  ScatterElements: scatterElements,
  Scatter: scatterElements,
  OneHot: oneHot,
  ReverseSequence: reverseSequence,
  NonZero: nonZero,
  Compress: compress,
  NonMaxSuppression: nonMaxSuppression,
};
