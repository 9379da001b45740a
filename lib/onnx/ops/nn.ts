/**
 * @internal Importers for neural-network and linear-algebra operators: convolutions, pooling,
 * normalizations, Gemm/MatMul/Einsum, softmax family, Resize, Q/DQ, attention and the activations
 * that need more than one layer.
 */
import {
  ActivationType,
  DataType,
  ElementWiseOperation,
  InterpolationMode,
  MatrixOperation,
  PaddingMode,
  PoolingType,
  ReduceOperation,
  ResizeCoordinateTransformation,
  ResizeRoundMode,
  ResizeSelector,
  SampleMode,
  TopKOperation,
  UnaryOperation,
} from '../../enums.js';
import type { ITensor } from '../../Tensor.js';
import { Weights } from '../../Weights.js';
import { ConstTensor, engineType, missingTypeReason, onnxTypeName, volume } from '../ConstTensor.js';
import { ModelContext, NodeContext, Value, isConst, isFloatDataType, shapeOf, typeOf } from '../ImportContext.js';
import { OnnxType } from '../model.js';
import { ImportError, ParserErrorCode } from '../ParserError.js';
import {
  Importer,
  axesMask,
  broadcastRanks,
  cast,
  concatShapes,
  elementwise,
  normalizeAxis,
  prependOnes,
  reshape,
  reshapeDynamic,
  scalarLike,
  shapeValue,
  squeeze,
  transpose,
  unary,
  unsqueeze,
} from './common.js';

// ---- small helpers ---------------------------------------------------------------------------

const rankOf = (v: Value): number => shapeOf(v).length;

/** Element type of `v` as stored in the network (DOUBLE constants become FLOAT). */
function storedType(v: Value): OnnxType {
  const t = typeOf(v);
  return t === OnnxType.DOUBLE ? OnnxType.FLOAT : t;
}

/** A constant of `like`'s element type. */
function constLike(like: Value, dims: number[], values: ArrayLike<number>): ConstTensor {
  return ConstTensor.fromNumbers(storedType(like), dims, values);
}

/** Weights holding a constant's values (DOUBLE narrowed to FLOAT, as for constants). */
function weightsOf(c: ConstTensor, what: string): Weights {
  let t = c;
  if (t.type === OnnxType.DOUBLE) t = ConstTensor.fromNumbers(OnnxType.FLOAT, t.dims, t.toNumbers());
  const type = engineType(t.type);
  if (type === undefined || !isFloatDataType(type)) {
    throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `${what} has type ${onnxTypeName(c.type)}; weights must be FLOAT, FLOAT16 or BFLOAT16`);
  }
  return new Weights(type, t.data);
}

function requireFloat(ctx: NodeContext, v: Value, what: string): void {
  const t = storedType(v);
  if (t !== OnnxType.FLOAT && t !== OnnxType.FLOAT16 && t !== OnnxType.BFLOAT16) {
    throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `${ctx.node.opType}: ${what} has type ${onnxTypeName(typeOf(v))}; only FLOAT, FLOAT16 and BFLOAT16 are supported`);
  }
}

/** Whether output `i` of the node is used (present and named). */
function wantsOutput(ctx: NodeContext, i: number): boolean {
  const name = ctx.node.outputs[i];
  return name !== undefined && name !== '';
}

function reduce(model: ModelContext, v: Value, op: ReduceOperation, axes: number[], keepDims = true): ITensor {
  return model.network.addReduce(model.tensor(v), op, axesMask(axes), keepDims).getOutput(0);
}

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/** A 1-D value [C] reshaped to [1, C, 1, ...] (rank `rank`) to broadcast over channels. */
function perChannel(model: ModelContext, v: Value, rank: number): Value {
  const dims = shapeOf(v);
  if (dims.length !== 1) throw new ImportError(ParserErrorCode.INVALID_NODE, `expected a 1-D per-channel input, got dims [${dims.join(', ')}]`);
  const out = [1, dims[0]!, ...new Array<number>(Math.max(0, rank - 2)).fill(1)].slice(0, Math.max(rank, 1));
  if (isConst(v)) return v.reshaped(out);
  return reshape(model, v, out.map((d) => (d === -1 ? -1 : d)));
}

/** Reshape to a 2-D [d0*...*d(axis-1), d(axis)*...] (opset < 13 softmax semantics). */
function flatten2d(ctx: NodeContext, x: Value, axis: number): ITensor {
  const dims = shapeOf(x);
  const pre = dims.slice(0, axis);
  const post = dims.slice(axis);
  if (post.every((d) => d >= 0)) return reshape(ctx.model, x, [-1, volume(post)]);
  if (pre.every((d) => d >= 0)) return reshape(ctx.model, x, [volume(pre), -1]);
  throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `${ctx.node.opType} (opset ${ctx.opset}) coerces its input to 2-D at axis ${axis}; dims [${dims.join(', ')}] have dynamic sizes on both sides of the axis`);
}

/** Reshape `v` back to the shape of `like`. */
function reshapeLike(model: ModelContext, v: Value, like: Value): ITensor {
  const shape = shapeValue(model, like);
  if (isConst(shape)) return reshape(model, v, shape.toNumbers());
  return reshapeDynamic(model, v, model.tensor(shape));
}

// ---- convolution -----------------------------------------------------------------------------

interface WindowSpec {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pre: number[];
  post: number[];
  mode: PaddingMode;
  autoPad: string;
}

function windowSpec(ctx: NodeContext, nsp: number, kernel: number[]): WindowSpec {
  const ints = (name: string, fallback: number): number[] => {
    const v = ctx.ints(name);
    if (v === undefined) return new Array<number>(nsp).fill(fallback);
    if (v.length !== nsp) throw new ImportError(ParserErrorCode.INVALID_NODE, `attribute ${name} has ${v.length} values but the node has ${nsp} spatial dimensions`);
    return v;
  };
  const strides = ints('strides', 1);
  const dilations = ints('dilations', 1);
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  let pre = new Array<number>(nsp).fill(0);
  let post = new Array<number>(nsp).fill(0);
  let mode = PaddingMode.EXPLICIT_ROUND_DOWN;
  if (autoPad === 'NOTSET') {
    const pads = ctx.ints('pads');
    if (pads !== undefined) {
      if (pads.length !== 2 * nsp) throw new ImportError(ParserErrorCode.INVALID_NODE, `attribute pads has ${pads.length} values; ${2 * nsp} expected`);
      if (pads.some((p) => p < 0)) throw ctx.unsupportedAttr('pads', pads, 'negative padding');
      pre = pads.slice(0, nsp);
      post = pads.slice(nsp);
    }
  } else if (autoPad === 'SAME_UPPER') {
    mode = PaddingMode.SAME_UPPER;
  } else if (autoPad === 'SAME_LOWER') {
    mode = PaddingMode.SAME_LOWER;
  } else if (autoPad !== 'VALID') {
    throw ctx.unsupportedAttr('auto_pad', autoPad, 'expected NOTSET, SAME_UPPER, SAME_LOWER or VALID');
  }
  return { kernel, strides, dilations, pre, post, mode, autoPad };
}

/** 1-D windows run as 2-D ones with a trailing unit dimension (TensorRT has 2-D/3-D windows). */
function liftSpec(s: WindowSpec): WindowSpec {
  return { ...s, kernel: [...s.kernel, 1], strides: [...s.strides, 1], dilations: [...s.dilations, 1], pre: [...s.pre, 0], post: [...s.post, 0] };
}

function checkWindowRank(ctx: NodeContext, x: Value): number {
  const rank = rankOf(x);
  if (rank < 3 || rank > 5) {
    throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_SHAPE, `${ctx.node.opType} input has rank ${rank}; 1-D, 2-D and 3-D windows ([N, C, spatial...], rank 3 to 5) are supported`);
  }
  return rank - 2;
}

function kernelShapeOf(ctx: NodeContext, w: Value, nsp: number): number[] {
  const wd = shapeOf(w);
  const attr = ctx.ints('kernel_shape');
  const k = attr ?? wd.slice(2);
  if (k.length !== nsp || k.some((d) => d < 1)) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `kernel shape [${k.join(', ')}] does not fit the ${nsp} spatial dimensions (weights [${wd.join(', ')}])`);
  }
  return k;
}

/** Kernel weights: constant → Weights; otherwise the tensor for layer input 1. */
function kernelOf(model: ModelContext, w: Value, lifted: boolean): Weights | ITensor {
  if (isConst(w)) return weightsOf(lifted ? w.reshaped([...w.dims, 1]) : w, 'kernel (input 1)');
  const t = model.tensor(w);
  return lifted ? model.tensor(unsqueeze(model, t, [t.shape.length])) : t;
}

function importConv(ctx: NodeContext): void {
  const xIn = ctx.input(0);
  requireFloat(ctx, xIn, 'input X');
  const nsp = checkWindowRank(ctx, xIn);
  const w = ctx.input(1);
  if (rankOf(w) !== nsp + 2) throw new ImportError(ParserErrorCode.INVALID_NODE, `weights W have rank ${rankOf(w)}; ${nsp + 2} expected for input dims [${shapeOf(xIn).join(', ')}]`);
  if (shapeOf(w)[0]! < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'the number of output channels (dim 0 of W) must be known at parse time');
  const group = ctx.int('group', 1);
  const spec = windowSpec(ctx, nsp, kernelShapeOf(ctx, w, nsp));
  ctx.setOutput(0, convolution(ctx, xIn, w, ctx.optionalInput(2), spec, group));
}

/** A grouped convolution of `xIn` [N, C, spatial...] with weights `w` [M, C/group, k...]. */
function convolution(ctx: NodeContext, xIn: Value, w: Value, bias: Value | undefined, windows: WindowSpec, group: number): Value {
  const M = shapeOf(w)[0]!;
  const lifted = windows.kernel.length === 1;
  let spec = windows;
  let x: Value = xIn;
  if (lifted) {
    x = unsqueeze(ctx.model, x, [3]);
    spec = liftSpec(spec);
  }
  const kernel = kernelOf(ctx.model, w, lifted);
  const layer = ctx.network.addConvolutionNd(
    ctx.model.tensor(x),
    M,
    spec.kernel,
    kernel instanceof Weights ? kernel : undefined,
    bias !== undefined && isConst(bias) ? weightsOf(bias, 'bias (input 2)') : undefined,
  );
  if (!(kernel instanceof Weights)) layer.setInput(1, kernel);
  if (bias !== undefined && !isConst(bias)) layer.setInput(2, ctx.model.tensor(bias));
  layer.strideNd = spec.strides;
  layer.dilationNd = spec.dilations;
  layer.prePadding = spec.pre;
  layer.postPadding = spec.post;
  layer.paddingMode = spec.mode;
  layer.numGroups = group;
  const y: Value = layer.getOutput(0);
  return lifted ? squeeze(ctx.model, y, [3]) : y;
}

/**
 * CausalConvWithState: a depthwise 1-D convolution over [past_state (or zeros) ‖ input] along
 * the length axis, with no padding, so output t sees input t and the k-1 positions before it;
 * present_state is the last k-1 positions of that concatenation.
 */
function importCausalConvWithState(ctx: NodeContext): void {
  const model = ctx.model;
  const x = ctx.input(0);
  requireFloat(ctx, x, 'input');
  const w = ctx.input(1);
  const xd = shapeOf(x);
  const wd = shapeOf(w);
  if (xd.length !== 3) throw new ImportError(ParserErrorCode.INVALID_NODE, `CausalConvWithState input must be 3-D [batch, channels, length], not rank ${xd.length}`);
  if (wd.length !== 3 || wd[1] !== 1) throw new ImportError(ParserErrorCode.INVALID_NODE, `CausalConvWithState weight must be [channels, 1, k], not [${wd.join(', ')}]`);
  const [C, , K] = wd as [number, number, number];
  if (C < 0 || K < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'CausalConvWithState needs static channels and kernel size (weight dims 0 and 2)');
  if (xd[1]! >= 0 && xd[1] !== C) throw new ImportError(ParserErrorCode.INVALID_NODE, `input has ${xd[1]} channels but the weight has ${C}`);
  const act = ctx.string('activation', 'none');
  if (act !== 'none' && act !== 'silu' && act !== 'swish') throw ctx.unsupportedAttr('activation', act, "expected 'silu', 'swish' or 'none'");
  const state = K - 1;
  // The [batch, channels, k-1] shape of the state, and where the new state starts (input length).
  const xShape = shapeValue(model, x);
  const stateShape = isConst(xShape) ? ConstTensor.int64([xd[0]!, C, state]) : concatShapes(model, [ctx.network.addGather(model.tensor(xShape), model.tensor(ConstTensor.int64([0, 1])), 0).getOutput(0), ConstTensor.int64([state])]);
  let padded: Value = x;
  if (state > 0) {
    let past = ctx.optionalInput(3);
    if (past === undefined) {
      // Zeros: a FILL slice that reads only before the start of the input.
      const layer = ctx.network.addSlice(model.tensor(x), [0, 0, 0], [1, 1, 1], [1, 1, 1]);
      layer.mode = SampleMode.FILL;
      layer.start = [0, 0, -state];
      if (isConst(stateShape)) layer.shape = stateShape.toNumbers();
      else layer.setInput(2, model.tensor(stateShape));
      past = layer.getOutput(0);
    } else if (rankOf(past) !== 3) {
      throw new ImportError(ParserErrorCode.INVALID_NODE, `past_state must be 3-D [batch, channels, ${state}]`);
    }
    const cat = ctx.network.addConcatenation([model.tensor(past), model.tensor(x)]);
    cat.axis = 2;
    padded = cat.getOutput(0);
  }
  const zeros = [0];
  const windows: WindowSpec = { kernel: [K], strides: [1], dilations: [1], pre: zeros, post: zeros, mode: PaddingMode.EXPLICIT_ROUND_DOWN, autoPad: 'NOTSET' };
  let y = model.tensor(convolution(ctx, padded, w, ctx.optionalInput(2), windows, C));
  if (act !== 'none') {
    // SiLU in FLOAT, as the function body computes it for narrower types.
    const yf = cast(model, y, DataType.FLOAT);
    y = cast(model, elementwise(model, yf, activation(ctx, yf, ActivationType.SIGMOID), ElementWiseOperation.PROD), y.dtype);
  }
  ctx.setOutput(0, y);
  if (!wantsOutput(ctx, 1)) return;
  // The last k-1 positions of [state ‖ input] start at the input length.
  const layer = ctx.network.addSlice(model.tensor(padded), [0, 0, 0], [1, 1, 1], [1, 1, 1]);
  if (isConst(xShape) && isConst(stateShape)) {
    layer.start = [0, 0, xd[2]!];
    layer.shape = stateShape.toNumbers();
  } else {
    layer.setInput(1, elementwise(model, xShape, ConstTensor.int64([0, 0, 1]), ElementWiseOperation.PROD));
    layer.setInput(2, model.tensor(stateShape));
  }
  ctx.setOutput(1, layer.getOutput(0));
}

function importConvTranspose(ctx: NodeContext): void {
  const xIn = ctx.input(0);
  requireFloat(ctx, xIn, 'input X');
  const nsp = checkWindowRank(ctx, xIn);
  const w = ctx.input(1);
  if (rankOf(w) !== nsp + 2) throw new ImportError(ParserErrorCode.INVALID_NODE, `weights W have rank ${rankOf(w)}; ${nsp + 2} expected`);
  const group = ctx.int('group', 1);
  const perGroup = shapeOf(w)[1]!;
  if (perGroup < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'the output channels per group (dim 1 of W) must be known at parse time');
  const M = perGroup * group;
  const spec = windowSpec(ctx, nsp, kernelShapeOf(ctx, w, nsp));
  const outputPadding = ctx.ints('output_padding', new Array<number>(nsp).fill(0));
  if (outputPadding.length !== nsp) throw new ImportError(ParserErrorCode.INVALID_NODE, `attribute output_padding has ${outputPadding.length} values; ${nsp} expected`);
  const outputShapeAttr = ctx.ints('output_shape');
  const inSpatial = shapeOf(xIn).slice(2);
  // ONNX pads of the full transposed convolution (whose size includes output_padding).
  let pre = spec.pre;
  let post = spec.post;
  if (outputShapeAttr !== undefined || spec.autoPad === 'SAME_UPPER' || spec.autoPad === 'SAME_LOWER') {
    if (inSpatial.some((d) => d < 0)) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'ConvTranspose with output_shape or SAME auto_pad needs static spatial input dimensions');
    }
    const outShape = outputShapeAttr ? outputShapeAttr.slice(-nsp) : inSpatial.map((d, i) => d * spec.strides[i]!);
    pre = [];
    post = [];
    for (let i = 0; i < nsp; i += 1) {
      const dk = spec.dilations[i]! * (spec.kernel[i]! - 1) + 1;
      const total = spec.strides[i]! * (inSpatial[i]! - 1) + outputPadding[i]! + dk - outShape[i]!;
      // A negative total (output_shape past the full size) extends the end with zeros + bias.
      const half = Math.floor(total / 2);
      const head = spec.autoPad === 'SAME_UPPER' ? half : total - half;
      if (head < 0) throw ctx.unsupportedAttr('output_shape', outputShapeAttr, `output size ${outShape[i]} would need negative leading padding`);
      pre.push(head);
      post.push(total - head);
    }
  }
  // The layer has no output_padding: it computes the size without it, and trailing rows past
  // the full output (which only the bias reaches) are added with a zero Padding then the bias.
  const layerPost = post.map((p, i) => p - outputPadding[i]!);
  const extra = layerPost.map((p) => Math.max(0, -p));
  const needsPad = extra.some((e) => e > 0);
  const lifted = nsp === 1;
  let x: Value = xIn;
  let kernelShape = spec.kernel;
  let strides = spec.strides;
  let dilations = spec.dilations;
  let prePad = pre;
  let postPad = layerPost.map((p) => Math.max(0, p));
  if (lifted) {
    x = unsqueeze(ctx.model, x, [3]);
    kernelShape = [...kernelShape, 1];
    strides = [...strides, 1];
    dilations = [...dilations, 1];
    prePad = [...prePad, 0];
    postPad = [...postPad, 0];
  }
  const kernel = kernelOf(ctx.model, w, lifted);
  const bias = ctx.optionalInput(2);
  const biasInLayer = bias !== undefined && !needsPad;
  const layer = ctx.network.addDeconvolutionNd(
    ctx.model.tensor(x),
    M,
    kernelShape,
    kernel instanceof Weights ? kernel : undefined,
    biasInLayer && isConst(bias) ? weightsOf(bias, 'bias (input 2)') : undefined,
  );
  if (!(kernel instanceof Weights)) layer.setInput(1, kernel);
  if (biasInLayer && !isConst(bias)) layer.setInput(2, ctx.model.tensor(bias));
  layer.strideNd = strides;
  layer.dilationNd = dilations;
  layer.prePadding = prePad;
  layer.postPadding = postPad;
  layer.numGroups = group;
  let y: Value = layer.getOutput(0);
  if (needsPad) {
    const padPost = lifted ? [...extra, 0] : extra;
    y = ctx.network.addPaddingNd(ctx.model.tensor(y), padPost.map(() => 0), padPost).getOutput(0);
    if (bias !== undefined) y = elementwise(ctx.model, y, perChannel(ctx.model, bias, nsp + 2 + (lifted ? 1 : 0)), ElementWiseOperation.SUM);
  }
  if (lifted) y = squeeze(ctx.model, y, [3]);
  ctx.setOutput(0, y);
}

// ---- pooling ---------------------------------------------------------------------------------

/** ONNX output size of a pooling window (ceil mode drops a last window that starts in the end padding). */
function onnxPoolSize(inSize: number, spec: WindowSpec, i: number, ceil: boolean): number {
  const dk = spec.dilations[i]! * (spec.kernel[i]! - 1) + 1;
  const s = spec.strides[i]!;
  if (spec.mode === PaddingMode.SAME_UPPER || spec.mode === PaddingMode.SAME_LOWER) return Math.ceil(inSize / s);
  const span = inSize + spec.pre[i]! + spec.post[i]! - dk;
  if (!ceil) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= inSize + spec.pre[i]!) out -= 1;
  return out;
}

/** Resolved explicit pads for SAME modes (as the engine splits them). */
function explicitPads(spec: WindowSpec, inSpatial: number[]): { pre: number[]; post: number[] } {
  if (spec.mode !== PaddingMode.SAME_UPPER && spec.mode !== PaddingMode.SAME_LOWER) return { pre: spec.pre, post: spec.post };
  const pre: number[] = [];
  const post: number[] = [];
  inSpatial.forEach((n, i) => {
    const s = spec.strides[i]!;
    const dk = spec.dilations[i]! * (spec.kernel[i]! - 1) + 1;
    const total = Math.max(0, (Math.ceil(n / s) - 1) * s + dk - n);
    const half = Math.floor(total / 2);
    const head = spec.mode === PaddingMode.SAME_UPPER ? half : total - half;
    pre.push(head);
    post.push(total - head);
  });
  return { pre, post };
}

type PoolKind = 'max' | 'avg' | 'lp';

function poolImporter(kind: PoolKind): Importer {
  return (ctx) => {
    const xIn = ctx.input(0);
    const nsp = checkWindowRank(ctx, xIn);
    if (kind === 'max' && wantsOutput(ctx, 1)) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE, 'MaxPool output 1 (Indices) is not supported');
    }
    const kernel = ctx.ints('kernel_shape');
    if (kernel === undefined || kernel.length !== nsp) throw new ImportError(ParserErrorCode.INVALID_NODE, `attribute kernel_shape must have ${nsp} values`);
    const spec = windowSpec(ctx, nsp, kernel);
    const ceil = ctx.int('ceil_mode', 0) === 1;
    const countIncludePad = ctx.int('count_include_pad', 0) === 1;
    const p = ctx.int('p', 2);
    let x: Value = xIn;
    // Max over 8-bit integers is exact in float.
    const t = storedType(xIn);
    const castBack = kind === 'max' && (t === OnnxType.INT8 || t === OnnxType.UINT8) ? engineType(t) : undefined;
    if (castBack !== undefined) x = cast(ctx.model, x, DataType.FLOAT);
    else requireFloat(ctx, xIn, 'input X');
    if (kind === 'lp') x = lpPower(ctx, x, p);
    const inSpatial = shapeOf(x).slice(2);
    let y: Value;
    if (spec.dilations.some((d) => d !== 1)) {
      y = dilatedPool(ctx, x, spec, kind === 'max' ? 'max' : kind === 'avg' ? 'avg' : 'sum', ceil, inSpatial, countIncludePad);
    } else {
      const lifted = nsp === 1;
      const s = lifted ? liftSpec(spec) : spec;
      const input = lifted ? unsqueeze(ctx.model, x, [3]) : x;
      const layer = ctx.network.addPoolingNd(ctx.model.tensor(input), kind === 'max' ? PoolingType.MAX : PoolingType.AVERAGE, s.kernel);
      layer.strideNd = s.strides;
      layer.prePadding = s.pre;
      layer.postPadding = s.post;
      layer.paddingMode = s.mode === PaddingMode.EXPLICIT_ROUND_DOWN && ceil ? PaddingMode.EXPLICIT_ROUND_UP : s.mode;
      // Lp pooling sums |x|^p: the average over a window that counts padding, times its size.
      layer.averageCountExcludesPadding = kind === 'avg' ? !countIncludePad : false;
      y = layer.getOutput(0);
      if (ceil && s.mode === PaddingMode.EXPLICIT_ROUND_DOWN && inSpatial.every((d) => d >= 0)) {
        // TensorRT's round-up keeps a last window that starts in the end padding; ONNX drops it.
        const want = inSpatial.map((n, i) => onnxPoolSize(n, spec, i, true));
        const got = shapeOf(y);
        const wantFull = [got[0]!, got[1]!, ...want, ...(lifted ? [1] : [])];
        if (wantFull.some((d, i) => d !== got[i] && got[i]! >= 0)) {
          const start = wantFull.map(() => 0);
          const sliceDims = wantFull.map((d, i) => (i < 2 && got[i]! < 0 ? -1 : d));
          if (sliceDims.some((d) => d < 0)) {
            throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'ceil_mode with a window that starts in the padding needs static batch and channel dimensions');
          }
          y = ctx.network.addSlice(ctx.model.tensor(y), start, sliceDims, wantFull.map(() => 1)).getOutput(0);
        }
      }
      if (lifted) y = squeeze(ctx.model, y, [3]);
      if (kind === 'lp') y = elementwise(ctx.model, y, scalarLike(y, volume(spec.kernel)), ElementWiseOperation.PROD);
    }
    if (kind === 'lp') y = elementwise(ctx.model, y, scalarLike(y, 1 / p), ElementWiseOperation.POW);
    if (castBack !== undefined) y = cast(ctx.model, y, castBack);
    ctx.setOutput(0, y);
  };
}

/** |x|^p for Lp pooling and normalization (p = 1 and 2 without Pow). */
function lpPower(ctx: NodeContext, x: Value, p: number): ITensor {
  if (p === 2) return elementwise(ctx.model, x, x, ElementWiseOperation.PROD);
  const abs = unary(ctx.model, x, UnaryOperation.ABS);
  if (p === 1) return abs;
  return elementwise(ctx.model, abs, scalarLike(x, p), ElementWiseOperation.POW);
}

/**
 * A dilated pooling window (TensorRT pooling has no dilation) as one strided Slice per window
 * position, combined with MAX or SUM; positions in the padding read -inf (max) or 0 (sum), and
 * the average divides by the count of real positions.
 */
function dilatedPool(ctx: NodeContext, x: Value, spec: WindowSpec, op: 'max' | 'avg' | 'sum', ceil: boolean, inSpatial: number[], countPad: boolean): ITensor {
  const dims = shapeOf(x);
  if (inSpatial.some((d) => d < 0)) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'pooling with dilations needs static spatial dimensions');
  const nsp = inSpatial.length;
  const outSp = inSpatial.map((n, i) => onnxPoolSize(n, spec, i, ceil));
  const { pre, post } = explicitPads(spec, inSpatial);
  const kvol = volume(spec.kernel);
  if (kvol > 512) throw ctx.unsupportedAttr('kernel_shape', spec.kernel, 'dilated pooling windows above 512 positions');
  const xt = ctx.model.tensor(x);
  const fill = ctx.model.tensor(constLike(x, [], [op === 'max' ? -Infinity : 0]));
  const shape = ctx.network.addShape(xt).getOutput(0);
  const nc = ctx.network.addSlice(shape, [0], [2], [1]).getOutput(0);
  const sizeTensor = ctx.model.tensor(concatShapes(ctx.model, [nc, ConstTensor.int64(outSp)]));
  let acc: ITensor | undefined;
  const count = new Float64Array(volume(outSp));
  for (let k = 0; k < kvol; k += 1) {
    const pos: number[] = [];
    let rem = k;
    for (let i = nsp - 1; i >= 0; i -= 1) {
      pos[i] = rem % spec.kernel[i]!;
      rem = Math.floor(rem / spec.kernel[i]!);
    }
    const start = pos.map((kp, i) => kp * spec.dilations[i]! - pre[i]!);
    // Added in bounds, then switched to FILL mode before reading outside the input.
    const ones = dims.map(() => 1);
    const layer = ctx.network.addSlice(xt, dims.map(() => 0), ones, ones);
    layer.mode = SampleMode.FILL;
    layer.start = [0, 0, ...start];
    layer.shape = [dims[0]! < 0 ? 1 : dims[0]!, dims[1]! < 0 ? 1 : dims[1]!, ...outSp];
    layer.stride = [1, 1, ...spec.strides];
    layer.setInput(2, sizeTensor);
    layer.setInput(4, fill);
    const part = layer.getOutput(0);
    acc = acc === undefined ? part : ctx.network.addElementWise(acc, part, op === 'max' ? ElementWiseOperation.MAX : ElementWiseOperation.SUM).getOutput(0);
    if (op === 'avg') {
      for (let o = 0; o < count.length; o += 1) {
        let r = o;
        let inside = true;
        for (let i = nsp - 1; i >= 0; i -= 1) {
          const oi = r % outSp[i]!;
          r = Math.floor(r / outSp[i]!);
          const c = oi * spec.strides[i]! + start[i]!;
          // count_include_pad counts positions in the padding, not past it (ceil mode).
          const lo = countPad ? -pre[i]! : 0;
          const hi = countPad ? inSpatial[i]! + post[i]! : inSpatial[i]!;
          if (c < lo || c >= hi) inside = false;
        }
        if (inside) count[o] = count[o]! + 1;
      }
    }
  }
  if (op !== 'avg') return acc!;
  const counts = constLike(x, [1, 1, ...outSp], Array.from(count, (c) => Math.max(c, 1)));
  return elementwise(ctx.model, acc!, counts, ElementWiseOperation.DIV);
}

function globalPool(op: ReduceOperation): Importer {
  return (ctx) => {
    const x = ctx.input(0);
    requireFloat(ctx, x, 'input X');
    const rank = rankOf(x);
    if (rank < 3) return ctx.setOutput(0, ctx.network.addIdentity(ctx.model.tensor(x)).getOutput(0));
    ctx.setOutput(0, reduce(ctx.model, x, op, range(2, rank)));
  };
}

// ---- normalization ---------------------------------------------------------------------------

function importBatchNorm(ctx: NodeContext): void {
  if (ctx.int('training_mode', 0) === 1) throw ctx.unsupportedAttr('training_mode', 1, 'only inference BatchNormalization is supported');
  // Before opset 9, spatial=0 meant statistics per activation rather than per channel.
  if (ctx.opset < 9 && ctx.int('spatial', 1) === 0) throw ctx.unsupportedAttr('spatial', 0, 'per-activation statistics are not supported');
  if (ctx.opset < 7 && ctx.int('is_test', 0) === 0) throw ctx.unsupportedAttr('is_test', 0, 'only inference BatchNormalization (is_test=1) is supported');
  for (let i = 1; i < ctx.numOutputs; i += 1) {
    if (wantsOutput(ctx, i)) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE, `BatchNormalization output ${i} (training statistics) is not supported`);
  }
  const x = ctx.input(0);
  requireFloat(ctx, x, 'input X');
  const rank = rankOf(x);
  const eps = ctx.float('epsilon', 1e-5);
  const params = [1, 2, 3, 4].map((i) => ctx.input(i));
  let a: Value;
  let b: Value;
  if (params.every(isConst)) {
    // Folded: y = x * s/sqrt(v+eps) + (bias - m*s/sqrt(v+eps)).
    const [s, bias, m, v] = params.map((p) => (p as ConstTensor).toNumbers()) as [number[], number[], number[], number[]];
    const scale = s.map((si, i) => si / Math.sqrt(v[i]! + eps));
    const shift = bias.map((bi, i) => bi - m[i]! * scale[i]!);
    const dims = [1, s.length, ...new Array<number>(Math.max(0, rank - 2)).fill(1)];
    a = constLike(x, dims, scale);
    b = constLike(x, dims, shift);
  } else {
    const [s, bias, m, v] = params.map((p) => perChannel(ctx.model, p, rank)) as [Value, Value, Value, Value];
    const std = unary(ctx.model, elementwise(ctx.model, v, scalarLike(v, eps), ElementWiseOperation.SUM), UnaryOperation.SQRT);
    a = elementwise(ctx.model, s, std, ElementWiseOperation.DIV);
    b = elementwise(ctx.model, bias, elementwise(ctx.model, m, a, ElementWiseOperation.PROD), ElementWiseOperation.SUB);
  }
  ctx.setOutput(0, elementwise(ctx.model, elementwise(ctx.model, x, a, ElementWiseOperation.PROD), b, ElementWiseOperation.SUM));
}

function normalization(ctx: NodeContext, x: Value, scale: Value, bias: Value, axes: number[], eps: number, groups = 1): ITensor {
  const layer = ctx.network.addNormalizationV2(ctx.model.tensor(x), ctx.model.tensor(scale), ctx.model.tensor(bias), axesMask(axes));
  layer.epsilon = eps;
  if (groups > 1) layer.numGroups = groups;
  return layer.getOutput(0);
}

function importInstanceNorm(ctx: NodeContext): void {
  const x = ctx.input(0);
  requireFloat(ctx, x, 'input');
  const rank = rankOf(x);
  if (rank < 3) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_SHAPE, `InstanceNormalization input has rank ${rank}; at least 3 is needed`);
  const scale = perChannel(ctx.model, ctx.input(1), rank);
  const bias = perChannel(ctx.model, ctx.input(2), rank);
  ctx.setOutput(0, normalization(ctx, x, scale, bias, range(2, rank), ctx.float('epsilon', 1e-5)));
}

function importLayerNorm(ctx: NodeContext): void {
  const x = ctx.input(0);
  requireFloat(ctx, x, 'input X');
  const rank = rankOf(x);
  const axis = normalizeAxis(ctx.int('axis', -1), rank);
  const eps = ctx.float('epsilon', 1e-5);
  const axes = range(axis, rank);
  const scale = prependOnes(ctx.model, ctx.input(1), rank);
  const bias = ctx.hasInput(2) ? prependOnes(ctx.model, ctx.input(2), rank) : constLike(scale, new Array<number>(rank).fill(1), [0]);
  ctx.setOutput(0, normalization(ctx, x, scale, bias, axes, eps));
  if (wantsOutput(ctx, 1) || wantsOutput(ctx, 2)) {
    const mean = reduce(ctx.model, x, ReduceOperation.AVG, axes);
    const d = elementwise(ctx.model, x, mean, ElementWiseOperation.SUB);
    const variance = reduce(ctx.model, elementwise(ctx.model, d, d, ElementWiseOperation.PROD), ReduceOperation.AVG, axes);
    const std = unary(ctx.model, elementwise(ctx.model, variance, scalarLike(variance, eps), ElementWiseOperation.SUM), UnaryOperation.SQRT);
    ctx.setOutput(1, mean);
    ctx.setOutput(2, unary(ctx.model, std, UnaryOperation.RECIP));
  }
}

function importGroupNorm(ctx: NodeContext): void {
  const x = ctx.input(0);
  requireFloat(ctx, x, 'input X');
  const rank = rankOf(x);
  if (rank < 3) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_SHAPE, `GroupNormalization input has rank ${rank}; at least 3 is needed`);
  const groups = ctx.int('num_groups');
  if (groups === undefined || groups < 1) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute num_groups is required and must be positive');
  const C = shapeOf(x)[1]!;
  let scale = ctx.input(1);
  let bias = ctx.input(2);
  // Opset 18 scales per group; opset 21 per channel.
  if (shapeOf(scale)[0] === groups && C !== groups) {
    if (C < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'per-group scale and bias need a static channel count');
    const idx = ConstTensor.fromNumbers(OnnxType.INT32, [C], range(0, C).map((c) => Math.floor(c / (C / groups))));
    const expand = (v: Value): Value => (isConst(v) ? constLike(v, [C], idx.toNumbers().map((i) => v.toNumbers()[i]!)) : ctx.network.addGather(ctx.model.tensor(v), ctx.model.tensor(idx), 0).getOutput(0));
    scale = expand(scale);
    bias = expand(bias);
  }
  const eps = ctx.float('epsilon', 1e-5);
  const s = perChannel(ctx.model, scale, rank);
  const b = perChannel(ctx.model, bias, rank);
  const axes = groups === 1 ? range(1, rank) : range(2, rank);
  ctx.setOutput(0, normalization(ctx, x, s, b, axes, eps, groups));
}

function importRmsNorm(ctx: NodeContext): void {
  const xIn = ctx.input(0);
  requireFloat(ctx, xIn, 'input X');
  const rank = rankOf(xIn);
  const axis = normalizeAxis(ctx.int('axis', -1), rank);
  const eps = ctx.float('epsilon', 1e-5);
  const stashFloat = ctx.int('stash_type', 1) === 1;
  const inType = ctx.model.tensor(xIn).dtype;
  const x: Value = stashFloat ? cast(ctx.model, xIn, DataType.FLOAT) : xIn;
  const meanSq = reduce(ctx.model, elementwise(ctx.model, x, x, ElementWiseOperation.PROD), ReduceOperation.AVG, range(axis, rank));
  const rms = unary(ctx.model, elementwise(ctx.model, meanSq, scalarLike(meanSq, eps), ElementWiseOperation.SUM), UnaryOperation.SQRT);
  const normalized = cast(ctx.model, elementwise(ctx.model, x, rms, ElementWiseOperation.DIV), inType);
  ctx.setOutput(0, elementwise(ctx.model, normalized, ctx.input(1), ElementWiseOperation.PROD));
}

function importLrn(ctx: NodeContext): void {
  const x = ctx.input(0);
  requireFloat(ctx, x, 'input X');
  const size = ctx.int('size');
  if (size === undefined) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute size is required');
  if (size < 1 || size > 15 || size % 2 === 0) throw ctx.unsupportedAttr('size', size, 'the window must be odd and at most 15');
  const layer = ctx.network.addLRN(ctx.model.tensor(x), size, ctx.float('alpha', 1e-4), ctx.float('beta', 0.75), ctx.float('bias', 1));
  ctx.setOutput(0, layer.getOutput(0));
}

function importLpNorm(ctx: NodeContext): void {
  const x = ctx.input(0);
  requireFloat(ctx, x, 'input');
  const axis = normalizeAxis(ctx.int('axis', -1), rankOf(x));
  const p = ctx.int('p', 2);
  if (p !== 1 && p !== 2) throw ctx.unsupportedAttr('p', p, 'expected 1 or 2');
  let norm: ITensor = reduce(ctx.model, lpPower(ctx, x, p), ReduceOperation.SUM, [axis]);
  if (p === 2) norm = unary(ctx.model, norm, UnaryOperation.SQRT);
  // An all-zero slice has norm 0; ONNX gives 0 there, so divide by 1 instead (x is 0 anyway).
  const isZero = elementwise(ctx.model, norm, scalarLike(norm, 0), ElementWiseOperation.EQUAL);
  const safeNorm = ctx.network.addSelect(isZero, ctx.model.tensor(scalarLike(norm, 1)), norm).getOutput(0);
  ctx.setOutput(0, elementwise(ctx.model, x, safeNorm, ElementWiseOperation.DIV));
}

function importMvn(ctx: NodeContext): void {
  const x = ctx.input(0);
  requireFloat(ctx, x, 'input X');
  const rank = rankOf(x);
  const axes = ctx.ints('axes', [0, 2, 3]).map((a) => normalizeAxis(a, rank, 'axes'));
  const mean = reduce(ctx.model, x, ReduceOperation.AVG, axes);
  const d = elementwise(ctx.model, x, mean, ElementWiseOperation.SUB);
  const variance = reduce(ctx.model, elementwise(ctx.model, d, d, ElementWiseOperation.PROD), ReduceOperation.AVG, axes);
  const std = unary(ctx.model, variance, UnaryOperation.SQRT);
  ctx.setOutput(0, elementwise(ctx.model, d, elementwise(ctx.model, std, scalarLike(std, 1e-9), ElementWiseOperation.SUM), ElementWiseOperation.DIV));
}

// ---- matrix products -------------------------------------------------------------------------

function matmul(model: ModelContext, a: Value, b: Value): ITensor {
  const aRank = rankOf(a);
  const bRank = rankOf(b);
  if (aRank === 0 || bRank === 0) throw new ImportError(ParserErrorCode.INVALID_NODE, 'MatMul operands must have rank >= 1');
  // 1-D operands become matrices (a row / a column) and the added dimension is removed after.
  let x: Value = aRank === 1 ? unsqueeze(model, a, [0]) : a;
  let y: Value = bRank === 1 ? unsqueeze(model, b, [1]) : b;
  [x, y] = broadcastRanks(model, [x, y]) as [Value, Value];
  const out = model.network.addMatrixMultiply(model.tensor(x), MatrixOperation.NONE, model.tensor(y), MatrixOperation.NONE).getOutput(0);
  const r = out.shape.length;
  const drop: number[] = [];
  if (aRank === 1) drop.push(r - 2);
  if (bRank === 1) drop.push(r - 1);
  return drop.length ? model.tensor(squeeze(model, out, drop)) : out;
}

function importGemm(ctx: NodeContext): void {
  const a = ctx.input(0);
  let b = ctx.input(1);
  const alpha = ctx.float('alpha', 1);
  const beta = ctx.float('beta', 1);
  const transA = ctx.int('transA', 0) === 1;
  const transB = ctx.int('transB', 0) === 1;
  if (rankOf(a) !== 2 || rankOf(b) !== 2) throw new ImportError(ParserErrorCode.INVALID_NODE, `Gemm needs 2-D A and B (got ranks ${rankOf(a)} and ${rankOf(b)})`);
  let scaled = alpha !== 1;
  if (scaled && isConst(b) && b.size <= 1 << 24) {
    b = constLike(b, b.dims, b.toNumbers().map((v) => v * alpha));
    scaled = false;
  }
  const layer = ctx.network.addMatrixMultiply(ctx.model.tensor(a), transA ? MatrixOperation.TRANSPOSE : MatrixOperation.NONE, ctx.model.tensor(b), transB ? MatrixOperation.TRANSPOSE : MatrixOperation.NONE);
  let y: Value = layer.getOutput(0);
  if (scaled) y = elementwise(ctx.model, y, scalarLike(y, alpha), ElementWiseOperation.PROD);
  if (ctx.hasInput(2) && beta !== 0) {
    let c = ctx.input(2);
    if (beta !== 1) c = isConst(c) ? constLike(c, c.dims, c.toNumbers().map((v) => v * beta)) : elementwise(ctx.model, c, scalarLike(c, beta), ElementWiseOperation.PROD);
    y = elementwise(ctx.model, y, c, ElementWiseOperation.SUM);
  }
  ctx.setOutput(0, y);
}

// ---- einsum ----------------------------------------------------------------------------------

interface EinsumTerm {
  value: Value;
  letters: string[];
}

/** Parses the equation; "..." becomes the letters "@k" (k-th dim from the ellipsis' end). */
function parseEinsum(ctx: NodeContext, equation: string, ranks: number[]): { inputs: string[][]; output: string[] } {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) throw ctx.unsupportedAttr('equation', equation, `it names ${terms.length} operands but the node has ${ranks.length} inputs`);
  let maxEllipsis = 0;
  const inputs = terms.map((t, i) => {
    const parts = t.split('...');
    if (parts.length > 2) throw ctx.unsupportedAttr('equation', equation, 'more than one ellipsis in a term');
    const named = parts.join('').split('');
    if (named.some((c) => !/[a-zA-Z]/.test(c))) throw ctx.unsupportedAttr('equation', equation, 'terms must be letters and "..."');
    if (parts.length === 1) {
      if (named.length !== ranks[i]) throw ctx.unsupportedAttr('equation', equation, `term "${t}" has ${named.length} letters for an input of rank ${ranks[i]}`);
      return named;
    }
    const n = ranks[i]! - named.length;
    if (n < 0) throw ctx.unsupportedAttr('equation', equation, `term "${t}" has more letters than input rank ${ranks[i]}`);
    maxEllipsis = Math.max(maxEllipsis, n);
    return [...parts[0]!.split(''), ...new Array<string>(n).fill('').map((_, k) => `@${n - k}`), ...parts[1]!.split('')];
  });
  // Ellipsis dims align to the right: "@k" is the k-th dim counted from the ellipsis' end.
  const ell = range(0, maxEllipsis).map((k) => `@${maxEllipsis - k}`);
  let output: string[];
  if (rhs === undefined) {
    const counts = new Map<string, number>();
    for (const t of inputs) for (const c of t) if (!c.startsWith('@')) counts.set(c, (counts.get(c) ?? 0) + 1);
    output = [...ell, ...[...counts.keys()].filter((c) => counts.get(c) === 1).sort()];
  } else {
    const parts = rhs.split('...');
    output = parts.length === 2 ? [...parts[0]!.split(''), ...ell, ...parts[1]!.split('')] : rhs.split('');
  }
  return { inputs, output };
}

/**
 * A letter repeated within one term takes the diagonal: the repeated axes move last and flatten
 * into one, and a Gather with constant flat positions picks the diagonal. Letters become
 * [single letters..., repeated letters once each].
 */
function einsumDiagonal(ctx: NodeContext, t: EinsumTerm, equation: string): EinsumTerm {
  const letters = t.letters;
  const repeated = [...new Set(letters.filter((c, i) => letters.indexOf(c) !== i))];
  if (repeated.length === 0) return t;
  const dims = shapeOf(t.value);
  const rest = range(0, letters.length).filter((i) => !repeated.includes(letters[i]!));
  const rep = range(0, letters.length).filter((i) => repeated.includes(letters[i]!));
  const diagDims = repeated.map((c) => dims[letters.indexOf(c)]!);
  for (const i of rep) {
    const d = diagDims[repeated.indexOf(letters[i]!)]!;
    if (dims[i] !== d) throw ctx.unsupportedAttr('equation', equation, `letter ${letters[i]} repeated within a term names dims of sizes ${d} and ${dims[i]}`);
  }
  const restDims = rest.map((i) => dims[i]!);
  const repDims = rep.map((i) => dims[i]!);
  const shuffle = ctx.network.addShuffle(ctx.model.tensor(t.value));
  shuffle.firstTranspose = [...rest, ...rep];
  shuffle.reshapeDims = [...restDims, volume(repDims)];
  shuffle.zeroIsPlaceholder = false;
  // Flat position within the repeated axes of each diagonal element (row-major over diagDims).
  const repStrides = repDims.map((_, k) => volume(repDims.slice(k + 1)));
  const positions = range(0, volume(diagDims)).map((flat) => {
    const coord = diagDims.map((_, j) => Math.floor(flat / volume(diagDims.slice(j + 1))) % diagDims[j]!);
    return rep.reduce((sum, i, k) => sum + coord[repeated.indexOf(letters[i]!)]! * repStrides[k]!, 0);
  });
  const indices = ctx.model.tensor(ConstTensor.int64(positions));
  const gathered = ctx.network.addGather(shuffle.getOutput(0), indices, rest.length).getOutput(0);
  return { value: reshape(ctx.model, gathered, [...restDims, ...diagDims]), letters: [...rest.map((i) => letters[i]!), ...repeated] };
}

/** Sums out letters of `t` that nothing else needs. */
function einsumReduce(ctx: NodeContext, t: EinsumTerm, keep: Set<string>): EinsumTerm {
  const drop = t.letters.map((c, i) => (keep.has(c) ? -1 : i)).filter((i) => i >= 0);
  if (drop.length === 0) return t;
  return { value: reduce(ctx.model, t.value, ReduceOperation.SUM, drop, false), letters: t.letters.filter((c) => keep.has(c)) };
}

/** Contracts two terms into one with letters `out` (as a batched MatMul). */
function einsumPair(ctx: NodeContext, a: EinsumTerm, b: EinsumTerm, out: string[]): EinsumTerm {
  const model = ctx.model;
  const da = shapeOf(a.value);
  const db = shapeOf(b.value);
  const size = (t: EinsumTerm, d: number[], c: string): number => d[t.letters.indexOf(c)]!;
  const batch = out.filter((c) => a.letters.includes(c) && b.letters.includes(c));
  const contract = a.letters.filter((c) => b.letters.includes(c) && !out.includes(c));
  const aOnly = a.letters.filter((c) => !b.letters.includes(c));
  const bOnly = b.letters.filter((c) => !a.letters.includes(c));
  const vol = (t: EinsumTerm, d: number[], cs: string[]): number => cs.reduce((p, c) => p * size(t, d, c), 1);
  const pa = transpose(model, a.value, [...batch, ...aOnly, ...contract].map((c) => a.letters.indexOf(c)));
  const pb = transpose(model, b.value, [...batch, ...contract, ...bOnly].map((c) => b.letters.indexOf(c)));
  const ra = reshape(model, pa, [...batch.map((c) => size(a, da, c)), vol(a, da, aOnly), vol(a, da, contract)]);
  const rb = reshape(model, pb, [...batch.map((c) => size(b, db, c)), vol(b, db, contract), vol(b, db, bOnly)]);
  const product = ctx.network.addMatrixMultiply(ra, MatrixOperation.NONE, rb, MatrixOperation.NONE).getOutput(0);
  const batchDims = product.shape.slice(0, batch.length);
  const letters = [...batch, ...aOnly, ...bOnly];
  const result = reshape(model, product, [...batchDims, ...aOnly.map((c) => size(a, da, c)), ...bOnly.map((c) => size(b, db, c))]);
  return { value: result, letters };
}

function importEinsum(ctx: NodeContext): void {
  const equation = ctx.string('equation');
  if (equation === undefined) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute equation is required');
  const values = range(0, ctx.numInputs).map((i) => ctx.input(i));
  values.forEach((v, i) => {
    if (shapeOf(v).some((d) => d < 0)) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `Einsum input ${i} has dynamic dims; static shapes are required`);
  });
  const { inputs, output } = parseEinsum(ctx, equation, values.map(rankOf));
  const terms: EinsumTerm[] = values.map((v, i) => einsumDiagonal(ctx, { value: v, letters: inputs[i]! }, equation));
  const needed = (from: number): Set<string> => new Set([...output, ...terms.slice(from).flatMap((t) => t.letters)]);
  let acc = einsumReduce(ctx, terms[0]!, needed(1));
  for (let i = 1; i < terms.length; i += 1) {
    const next = einsumReduce(ctx, terms[i]!, new Set([...output, ...acc.letters, ...terms.slice(i + 1).flatMap((t) => t.letters)]));
    const keep = needed(i + 1);
    const out = [...new Set([...acc.letters, ...next.letters])].filter((c) => keep.has(c));
    acc = einsumPair(ctx, acc, next, out);
  }
  acc = einsumReduce(ctx, acc, new Set(output));
  const missing = output.filter((c) => !acc.letters.includes(c));
  if (missing.length) throw ctx.unsupportedAttr('equation', equation, `output letters ${missing.join('')} do not appear in the inputs`);
  const perm = output.map((c) => acc.letters.indexOf(c));
  let y: Value = acc.value;
  if (perm.some((p, i) => p !== i)) y = transpose(ctx.model, y, perm);
  else if (isConst(y) || y === values[0]) y = ctx.network.addIdentity(ctx.model.tensor(y)).getOutput(0);
  ctx.setOutput(0, y);
}

// ---- softmax family --------------------------------------------------------------------------

/** Runs `body` on the axis the opset's semantics name: one axis (>= 13) or the 2-D coercion (< 13). */
function softmaxLike(body: (ctx: NodeContext, x: Value, axis: number) => Value): Importer {
  return (ctx) => {
    const x = ctx.input(0);
    const rank = rankOf(x);
    if (ctx.opset >= 13) {
      const axis = normalizeAxis(ctx.int('axis', -1), rank);
      return ctx.setOutput(0, body(ctx, x, axis));
    }
    const axis = rank === 0 ? 0 : normalizeAxis(ctx.int('axis', 1), rank);
    if (axis === rank - 1) return ctx.setOutput(0, body(ctx, x, axis));
    const flat = flatten2d(ctx, x, axis);
    ctx.setOutput(0, reshapeLike(ctx.model, body(ctx, flat, 1), x));
  };
}

function softmax(ctx: NodeContext, x: Value, axis: number): ITensor {
  requireFloat(ctx, x, 'input');
  const layer = ctx.network.addSoftMax(ctx.model.tensor(x));
  layer.axes = 1 << axis;
  return layer.getOutput(0);
}

/** x - max - log(sum(exp(x - max))): exact where log(softmax) would underflow to -inf. */
function logSoftmax(ctx: NodeContext, x: Value, axis: number): ITensor {
  requireFloat(ctx, x, 'input');
  const m = reduce(ctx.model, x, ReduceOperation.MAX, [axis]);
  const shifted = elementwise(ctx.model, x, m, ElementWiseOperation.SUB);
  const sum = reduce(ctx.model, unary(ctx.model, shifted, UnaryOperation.EXP), ReduceOperation.SUM, [axis]);
  return elementwise(ctx.model, shifted, unary(ctx.model, sum, UnaryOperation.LOG), ElementWiseOperation.SUB);
}

/** One-hot of the first maximum along the axis (TopK picks the lowest index among ties). */
function hardmax(ctx: NodeContext, x: Value, axis: number): ITensor {
  requireFloat(ctx, x, 'input');
  const dims = shapeOf(x);
  const n = dims[axis]!;
  if (n < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `Hardmax needs a static size along axis ${axis}`);
  const xt = ctx.model.tensor(x);
  const top = ctx.network.addTopK(xt, TopKOperation.MAX, 1, 1 << axis, DataType.INT32);
  const iotaDims = dims.map((_, i) => (i === axis ? n : 1));
  const iota = ConstTensor.fromNumbers(OnnxType.INT32, iotaDims, range(0, n));
  const hot = elementwise(ctx.model, iota, top.getOutput(1), ElementWiseOperation.EQUAL);
  return cast(ctx.model, hot, xt.dtype);
}

// ---- resize ----------------------------------------------------------------------------------

function importResize(ctx: NodeContext): void {
  const xv = ctx.input(0);
  const x = ctx.model.tensor(xv);
  const rank = x.shape.length;
  const isUpsample = ctx.node.opType === 'Upsample';
  const legacy = isUpsample || ctx.opset < 11;
  let mode = ctx.string('mode', 'nearest');
  if (mode === 'bilinear' && isUpsample) mode = 'linear';
  const layer = ctx.network.addResize(x);
  if (mode === 'nearest') layer.resizeMode = InterpolationMode.NEAREST;
  else if (mode === 'linear') layer.resizeMode = InterpolationMode.LINEAR;
  else if (mode === 'cubic' && !legacy) layer.resizeMode = InterpolationMode.CUBIC;
  else throw ctx.unsupportedAttr('mode', mode, 'expected nearest, linear or cubic');
  if (mode !== 'nearest') requireFloat(ctx, xv, 'input X');

  let scales: number[] | undefined;
  let scalesTensor: Value | undefined;
  let sizes: Value | undefined;
  const axesAttr = legacy ? undefined : ctx.ints('axes');
  const axes = axesAttr ? axesAttr.map((a) => normalizeAxis(a, rank, 'axes')) : range(0, rank);
  if (legacy) {
    if (isUpsample && ctx.opset < 9) scales = ctx.floats('scales');
    else if (isConst(ctx.input(1))) scales = (ctx.input(1) as ConstTensor).toNumbers();
    else scalesTensor = ctx.input(1);
    if (scales === undefined && scalesTensor === undefined) throw new ImportError(ParserErrorCode.INVALID_NODE, 'scales are required');
    layer.coordinateTransformation = ResizeCoordinateTransformation.ASYMMETRIC;
    layer.nearestRounding = ResizeRoundMode.FLOOR;
  } else {
    const scalesInput = ctx.optionalInput(2);
    if (scalesInput !== undefined && volume(shapeOf(scalesInput)) !== 0) {
      if (isConst(scalesInput)) scales = scalesInput.toNumbers();
      else scalesTensor = scalesInput;
    } else if (ctx.hasInput(3)) {
      sizes = ctx.input(3);
    } else {
      throw new ImportError(ParserErrorCode.INVALID_NODE, 'Resize needs scales (input 2) or sizes (input 3)');
    }
    configureResize(ctx, layer, mode);
  }

  if (scales !== undefined) {
    if (scales.length !== axes.length) throw new ImportError(ParserErrorCode.INVALID_NODE, `scales have ${scales.length} values for ${axes.length} axes`);
    const full = new Array<number>(rank).fill(1);
    axes.forEach((a, i) => (full[a] = scales![i]!));
    checkAntialias(ctx, mode, full);
    layer.scales = full;
  } else if (scalesTensor !== undefined) {
    if (ctx.int('antialias', 0) === 1 && mode !== 'nearest') throw ctx.unsupportedAttr('antialias', 1, 'antialiasing needs constant scales');
    const full = fullScales(ctx, scalesTensor, axes, rank, legacy ? 1 : 2);
    // Output dims floor(in * scale) from FLOAT values known only while the engine runs (a
    // data-dependent shape, as in TensorRT's parser); the scales themselves also go to the layer
    // so coordinates map by them, not by out/in.
    const inDims = cast(ctx.model, ctx.network.addShape(x).getOutput(0), DataType.FLOAT);
    const outDims = unary(ctx.model, elementwise(ctx.model, inDims, full, ElementWiseOperation.PROD), UnaryOperation.FLOOR);
    layer.setInput(1, cast(ctx.model, outDims, DataType.INT64));
    layer.setInput(2, full);
  } else if (sizes !== undefined) {
    setResizeSizes(ctx, layer, x, sizes, axes, mode);
  }
  ctx.setOutput(0, layer.getOutput(0));
}

/** A [rank] FLOAT tensor of run-time scales: the given ones at `axes`, 1 elsewhere. */
function fullScales(ctx: NodeContext, v: Value, axes: number[], rank: number, input: number): ITensor {
  const scales = cast(ctx.model, ctx.model.tensor(v), DataType.FLOAT);
  if (scales.shape.length !== 1 || (scales.shape[0]! >= 0 && scales.shape[0] !== axes.length)) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `scales (input ${input}) must be 1-D with ${axes.length} values, not of dims [${scales.shape.join(', ')}]`);
  }
  if (axes.length === rank && axes.every((a, i) => a === i)) return scales;
  const withOne = ctx.network.addConcatenation([scales, ctx.model.tensor(ConstTensor.fromNumbers(OnnxType.FLOAT, [1], [1]))]).getOutput(0);
  const picks = range(0, rank).map((d) => (axes.includes(d) ? axes.indexOf(d) : axes.length));
  return ctx.network.addGather(withOne, ctx.model.tensor(ConstTensor.fromNumbers(OnnxType.INT64, [rank], picks)), 0).getOutput(0);
}

function checkAntialias(ctx: NodeContext, mode: string, scales: number[]): void {
  if (ctx.int('antialias', 0) === 1 && mode !== 'nearest' && scales.some((s) => s < 1)) {
    throw ctx.unsupportedAttr('antialias', 1, 'antialiased downsampling is not supported');
  }
}

function configureResize(ctx: NodeContext, layer: ReturnType<NodeContext['network']['addResize']>, mode: string): void {
  const ct = ctx.string('coordinate_transformation_mode', 'half_pixel');
  const nearestMode = ctx.string('nearest_mode', 'round_prefer_floor');
  const rounding: Record<string, ResizeRoundMode> = {
    round_prefer_floor: ResizeRoundMode.HALF_DOWN,
    round_prefer_ceil: ResizeRoundMode.HALF_UP,
    floor: ResizeRoundMode.FLOOR,
    ceil: ResizeRoundMode.CEIL,
  };
  if (mode === 'nearest') {
    const r = rounding[nearestMode];
    if (r === undefined) throw ctx.unsupportedAttr('nearest_mode', nearestMode);
    layer.nearestRounding = r;
  }
  switch (ct) {
    case 'half_pixel':
      layer.coordinateTransformation = ResizeCoordinateTransformation.HALF_PIXEL;
      break;
    case 'pytorch_half_pixel':
      layer.coordinateTransformation = ResizeCoordinateTransformation.HALF_PIXEL;
      layer.selectorForSinglePixel = ResizeSelector.UPPER;
      break;
    case 'align_corners':
      layer.coordinateTransformation = ResizeCoordinateTransformation.ALIGN_CORNERS;
      break;
    case 'asymmetric':
      layer.coordinateTransformation = ResizeCoordinateTransformation.ASYMMETRIC;
      break;
    case 'tf_half_pixel_for_nn':
      // (o + 0.5) / scale, floored, is half_pixel rounded half up.
      if (mode !== 'nearest' || nearestMode !== 'floor') throw ctx.unsupportedAttr('coordinate_transformation_mode', ct, 'only with mode nearest and nearest_mode floor');
      layer.coordinateTransformation = ResizeCoordinateTransformation.HALF_PIXEL;
      layer.nearestRounding = ResizeRoundMode.HALF_UP;
      break;
    default:
      throw ctx.unsupportedAttr('coordinate_transformation_mode', ct);
  }
  if (mode === 'cubic') {
    layer.cubicCoeff = ctx.float('cubic_coeff_a', -0.75);
  }
  if (ctx.int('exclude_outside', 0) === 1) layer.excludeOutside = true;
}

function setResizeSizes(ctx: NodeContext, layer: ReturnType<NodeContext['network']['addResize']>, x: ITensor, sizes: Value, axes: number[], mode: string): void {
  const rank = x.shape.length;
  const policy = ctx.string('keep_aspect_ratio_policy', 'stretch');
  if (policy !== 'stretch' && policy !== 'not_larger' && policy !== 'not_smaller') throw ctx.unsupportedAttr('keep_aspect_ratio_policy', policy);
  if (volume(shapeOf(sizes)) !== axes.length && shapeOf(sizes)[0] !== -1) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `sizes have ${volume(shapeOf(sizes))} values for ${axes.length} axes`);
  }
  if (isConst(sizes) && axes.every((a) => x.shape[a]! >= 0)) {
    let wanted = sizes.toNumbers();
    if (policy !== 'stretch') {
      const ratios = axes.map((a, i) => wanted[i]! / x.shape[a]!);
      const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      wanted = axes.map((a) => Math.round(scale * x.shape[a]!));
      // ONNX maps coordinates with the one uniform scale, not with out/in per axis. The layer's
      // scales form does that, and its floor(in * scale) sizes must equal ONNX's rounded ones.
      if (axes.some((a, i) => Math.floor(scale * x.shape[a]!) !== wanted[i])) {
        throw ctx.unsupportedAttr('keep_aspect_ratio_policy', policy, `scale ${scale} gives sizes that round up, which the resize layer's scales form cannot express`);
      }
      checkAntialias(ctx, mode, axes.map(() => scale));
      const scales = new Array<number>(rank).fill(1);
      for (const a of axes) scales[a] = scale;
      layer.scales = scales;
      return;
    }
    checkAntialias(ctx, mode, axes.map((a, i) => wanted[i]! / x.shape[a]!));
    if (axes.length === rank || x.shape.every((d) => d >= 0)) {
      const full = [...x.shape];
      axes.forEach((a, i) => (full[a] = wanted[i]!));
      layer.shape = full;
      return;
    }
    sizes = ConstTensor.int64(wanted);
  } else if (policy !== 'stretch') {
    throw ctx.unsupportedAttr('keep_aspect_ratio_policy', policy, 'needs constant sizes and static input dimensions');
  } else if (ctx.int('antialias', 0) === 1 && mode !== 'nearest') {
    throw ctx.unsupportedAttr('antialias', 1, 'antialiasing needs constant sizes');
  }
  let shape: ITensor = cast(ctx.model, sizes, DataType.INT64);
  if (axes.length !== rank || axes.some((a, i) => a !== i)) {
    // Full output shape: the input's dims with the listed axes replaced.
    const all = concatShapes(ctx.model, [shapeValue(ctx.model, x), shape]);
    const picks = range(0, rank).map((d) => (axes.includes(d) ? rank + axes.indexOf(d) : d));
    shape = ctx.network.addGather(ctx.model.tensor(all), ctx.model.tensor(ConstTensor.fromNumbers(OnnxType.INT32, [rank], picks)), 0).getOutput(0);
  }
  layer.setInput(1, shape);
}

// ---- quantization ----------------------------------------------------------------------------

/** The integer type a QuantizeLinear produces: the zero point's, else output_dtype, else UINT8. */
function quantizedType(ctx: NodeContext): OnnxType {
  if (ctx.hasInput(2)) return typeOf(ctx.input(2));
  const attr = ctx.int('output_dtype', 0);
  return attr !== 0 ? (attr as OnnxType) : OnnxType.UINT8;
}

/** How a Q/DQ node's scale applies: per-tensor, per-axis (1-D along `axis`) or blocked along `axis`. */
interface QdqLayout {
  axis: number;
  perAxis: boolean;
  /** Elements per scale value along `axis` (0 when not blocked). */
  blockSize: number;
  rank: number;
}

/** Per-axis and blocked parameters as FLOAT, shaped to broadcast against the input (blocked ones repeated over their blocks). */
function qdqParam(ctx: NodeContext, v: Value, q: QdqLayout): Value {
  const f: Value = isConst(v) ? ConstTensor.fromNumbers(OnnxType.FLOAT, v.dims, v.toNumbers()) : cast(ctx.model, v, DataType.FLOAT);
  const dims = shapeOf(f);
  if (q.blockSize > 0) return expandBlocks(ctx, f, q.axis, q.blockSize, shapeOf(ctx.input(0))[q.axis]!);
  if (dims.length === 0 || volume(dims) === 1) return prependOnes(ctx.model, isConst(f) ? f.reshaped([]) : f, q.rank);
  const target = new Array<number>(q.rank).fill(1);
  target[q.axis] = dims[0]!;
  return isConst(f) ? f.reshaped(target) : reshape(ctx.model, f, target);
}

/** Repeats each entry of `v` along `axis` `block` times, cut to `extent` (ONNX's last block may be short). */
function expandBlocks(ctx: NodeContext, v: Value, axis: number, block: number, extent: number): Value {
  const pick = Array.from({ length: extent }, (_, i) => Math.floor(i / block));
  if (isConst(v)) {
    const d = v.dims;
    const outer = volume(d.slice(0, axis));
    const inner = volume(d.slice(axis + 1));
    const src = v.toNumbers();
    const out: number[] = [];
    for (let o = 0; o < outer; o += 1) for (const a of pick) for (let i = 0; i < inner; i += 1) out.push(src[(o * d[axis]! + a) * inner + i]!);
    return ConstTensor.fromNumbers(OnnxType.FLOAT, [...d.slice(0, axis), extent, ...d.slice(axis + 1)], out);
  }
  const indices = ConstTensor.fromNumbers(OnnxType.INT32, [extent], pick);
  return ctx.network.addGather(ctx.model.tensor(v), ctx.model.tensor(indices), axis).getOutput(0);
}

function qdqCommon(ctx: NodeContext): QdqLayout {
  const x = ctx.input(0);
  const sd = shapeOf(ctx.input(1));
  const xd = shapeOf(x);
  const rank = xd.length;
  const blockSize = ctx.int('block_size', 0);
  if (blockSize < 0) throw new ImportError(ParserErrorCode.INVALID_NODE, `block_size ${blockSize} must not be negative`);
  if (blockSize > 0) {
    const axis = normalizeAxis(ctx.int('axis', 1), rank);
    if (sd.length !== rank) throw new ImportError(ParserErrorCode.INVALID_NODE, `blocked quantization (block_size ${blockSize}) needs a scale of the input's rank ${rank}, not of dims [${sd.join(', ')}]`);
    for (let d = 0; d < rank; d += 1) {
      if (xd[d]! < 0 || sd[d]! < 0) {
        if (d === axis) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `blocked quantization needs the extent of axis ${axis} known when the network is built`);
        continue;
      }
      const want = d === axis ? Math.ceil(xd[d]! / blockSize) : xd[d]!;
      if (sd[d] !== want) throw new ImportError(ParserErrorCode.INVALID_NODE, `scale dims [${sd.join(', ')}] do not match input dims [${xd.join(', ')}] blocked by ${blockSize} along axis ${axis}`);
    }
    return { axis, perAxis: false, blockSize, rank };
  }
  if (sd.length > 1) throw new ImportError(ParserErrorCode.INVALID_NODE, `scale dims [${sd.join(', ')}]: a scale of rank > 1 needs the block_size attribute`);
  const perAxis = sd.length === 1 && sd[0] !== 1;
  const axis = perAxis ? normalizeAxis(ctx.int('axis', 1), rank) : -1;
  return { axis, perAxis, blockSize: 0, rank };
}

/** ONNX types the engine's Quantize and Dequantize layers handle. */
const ENGINE_QUANTIZED = new Map<OnnxType, DataType>([
  [OnnxType.INT8, DataType.INT8],
  [OnnxType.INT4, DataType.INT4],
  [OnnxType.FLOAT8E4M3FN, DataType.FP8],
  [OnnxType.FLOAT4E2M1, DataType.FP4],
]);

/**
 * Whether the engine's layer can take this layout: TensorRT's blocked scales tile the input
 * exactly (the block divides the axis) and differ from it in that one dimension.
 */
function engineLayout(ctx: NodeContext, q: QdqLayout): boolean {
  if (q.blockSize === 0) return true;
  const extent = shapeOf(ctx.input(0))[q.axis]!;
  if (extent % q.blockSize === 0 && extent / q.blockSize !== extent) return true;
  throw new ImportError(
    ParserErrorCode.UNSUPPORTED_NODE_INPUT,
    `block_size ${q.blockSize} along axis ${q.axis} (extent ${extent}): blocked quantization needs a block size greater than 1 that divides the axis`,
  );
}

/** The scale or zero point as the engine's layer takes it: per-tensor ones as scalars when constant. */
function layerParam(ctx: NodeContext, v: Value, q: QdqLayout): ITensor {
  return ctx.model.tensor(q.perAxis || q.blockSize > 0 ? v : scalarOf(v));
}

function importQuantize(ctx: NodeContext): void {
  const x = ctx.input(0);
  requireFloat(ctx, x, 'input x');
  const q = qdqCommon(ctx);
  const out = quantizedType(ctx);
  const scale = ctx.input(1);
  const dt = ENGINE_QUANTIZED.get(out);
  // FP8 conversion saturates to +-448, as TensorRT's FP8 quantization does.
  if (out === OnnxType.FLOAT8E4M3FN && ctx.int('saturate', 1) === 0) throw ctx.unsupportedAttr('saturate', 0, 'FP8 quantization saturates');
  const integer = out === OnnxType.INT8 || out === OnnxType.INT4;
  const zeroPoint = ctx.hasInput(2) && !isZeroConst(ctx.input(2));
  if (dt !== undefined && (integer || !zeroPoint) && engineLayout(ctx, q)) {
    const layer = ctx.network.addQuantize(ctx.model.tensor(x), layerParam(ctx, scale, q), dt);
    if (q.axis >= 0) layer.axis = q.axis;
    if (integer && ctx.hasInput(2)) layer.setInput(2, layerParam(ctx, ctx.input(2), q));
    return ctx.setOutput(0, layer.getOutput(0));
  }
  if (dt !== undefined) {
    // A float type with a zero point known only at run time: x / scale + zero_point in float, then the conversion.
    let v: Value = elementwise(ctx.model, cast(ctx.model, x, DataType.FLOAT), qdqParam(ctx, scale, q), ElementWiseOperation.DIV);
    v = elementwise(ctx.model, v, qdqParam(ctx, ctx.input(2), q), ElementWiseOperation.SUM);
    return ctx.setOutput(0, cast(ctx.model, v, dt));
  }
  if (out !== OnnxType.UINT8) {
    const why = engineType(out) === undefined ? `: ${missingTypeReason(out)}` : ' (INT8, UINT8, INT4, FLOAT8E4M3FN and FLOAT4E2M1 are)';
    throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `QuantizeLinear to ${onnxTypeName(out)} is not supported${why}`);
  }
  // UINT8: clamp(round(x / scale) + zero_point, 0, 255) in float, then a Cast.
  let v: Value = elementwise(ctx.model, cast(ctx.model, x, DataType.FLOAT), qdqParam(ctx, scale, q), ElementWiseOperation.DIV);
  v = unary(ctx.model, v, UnaryOperation.ROUND);
  if (ctx.hasInput(2)) v = elementwise(ctx.model, v, qdqParam(ctx, ctx.input(2), q), ElementWiseOperation.SUM);
  v = elementwise(ctx.model, v, scalarLike(v, 0), ElementWiseOperation.MAX);
  v = elementwise(ctx.model, v, scalarLike(v, 255), ElementWiseOperation.MIN);
  ctx.setOutput(0, cast(ctx.model, v, DataType.UINT8));
}

/** Whether v is a constant of zeros (a zero point that changes nothing). */
function isZeroConst(v: Value): boolean {
  return isConst(v) && v.toNumbers().every((n) => n === 0);
}

function scalarOf(v: Value): Value {
  if (isConst(v) && v.size === 1) return v.reshaped([]);
  return v;
}

function importDequantize(ctx: NodeContext): void {
  const x = ctx.input(0);
  const q = qdqCommon(ctx);
  const scale = ctx.input(1);
  requireFloat(ctx, scale, 'x_scale');
  const outType = ctx.model.tensor(scale).dtype;
  const inType = storedType(x);
  const dt = ENGINE_QUANTIZED.get(inType);
  const integer = inType === OnnxType.INT8 || inType === OnnxType.INT4;
  const zeroPoint = ctx.hasInput(2) && !isZeroConst(ctx.input(2));
  if (dt !== undefined && (integer || !zeroPoint) && engineLayout(ctx, q)) {
    const layer = ctx.network.addDequantize(ctx.model.tensor(x), layerParam(ctx, scale, q), outType);
    if (q.axis >= 0) layer.axis = q.axis;
    if (integer && ctx.hasInput(2)) layer.setInput(2, layerParam(ctx, ctx.input(2), q));
    return ctx.setOutput(0, layer.getOutput(0));
  }
  if (dt === undefined && inType !== OnnxType.UINT8 && inType !== OnnxType.INT32) {
    throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `DequantizeLinear from ${onnxTypeName(typeOf(x))} is not supported (INT8, UINT8, INT32, INT4, FLOAT8E4M3FN and FLOAT4E2M1 are)`);
  }
  // (x - zero_point) * scale in float: exact for 8-bit and 4-bit values (FP8/FP4 here have a run-time zero point).
  let d: Value = cast(ctx.model, x, DataType.FLOAT);
  if (ctx.hasInput(2)) d = elementwise(ctx.model, d, qdqParam(ctx, ctx.input(2), q), ElementWiseOperation.SUB);
  d = elementwise(ctx.model, d, qdqParam(ctx, scale, q), ElementWiseOperation.PROD);
  ctx.setOutput(0, cast(ctx.model, d, outType));
}

// ---- attention -------------------------------------------------------------------------------

/** Gathers `indices` along the last axis (works with dynamic leading dims). */
function gatherLast(model: ModelContext, v: Value, indices: number[]): ITensor {
  const t = model.tensor(v);
  const idx = ConstTensor.fromNumbers(OnnxType.INT32, [indices.length], indices);
  return model.network.addGather(t, model.tensor(idx), t.shape.length - 1).getOutput(0);
}

/** Reshape with 0 = copy the input dim (dynamic batch and sequence dims pass through). */
function reshapeKeep(model: ModelContext, v: Value, dims: number[]): ITensor {
  const layer = model.network.addShuffle(model.tensor(v));
  layer.reshapeDims = dims;
  layer.zeroIsPlaceholder = true;
  return layer.getOutput(0);
}

/** [B, S, H*h] → [B, H, S, h]. */
function splitHeads(ctx: NodeContext, v: Value, heads: number | undefined, what: string): ITensor {
  const dims = shapeOf(v);
  if (dims.length === 4) return ctx.model.tensor(v);
  if (dims.length !== 3) throw new ImportError(ParserErrorCode.INVALID_NODE, `${what} must be 3-D or 4-D, not rank ${dims.length}`);
  if (heads === undefined || heads < 1) throw new ImportError(ParserErrorCode.INVALID_NODE, `3-D ${what} needs the ${what === 'Q' ? 'q_num_heads' : 'kv_num_heads'} attribute`);
  const hidden = dims[2]!;
  if (hidden < 0 || hidden % heads !== 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_SHAPE, `${what} hidden size ${hidden} must be static and divisible by ${heads} heads`);
  return transpose(ctx.model, reshapeKeep(ctx.model, v, [0, 0, heads, hidden / heads]), [0, 2, 1, 3]);
}

/** A [rows, cols] 0 / -inf constant of `like`'s type: -inf where masked(r, c). */
function maskConstant(like: Value, rows: number, cols: number, masked: (r: number, c: number) => boolean): ConstTensor {
  const values: number[] = [];
  for (let r = 0; r < rows; r += 1) for (let c = 0; c < cols; c += 1) values.push(masked(r, c) ? -Infinity : 0);
  return constLike(like, [1, 1, rows, cols], values);
}

function importAttention(ctx: NodeContext): void {
  const qIn = ctx.input(0);
  requireFloat(ctx, qIn, 'Q');
  const model = ctx.model;
  const qHeadsAttr = ctx.int('q_num_heads');
  const kvHeadsAttr = ctx.int('kv_num_heads');
  const threeD = rankOf(qIn) === 3;
  let q = splitHeads(ctx, qIn, qHeadsAttr, 'Q');
  let k = splitHeads(ctx, ctx.input(1), kvHeadsAttr, 'K');
  let v = splitHeads(ctx, ctx.input(2), kvHeadsAttr, 'V');
  if (ctx.hasInput(4) !== ctx.hasInput(5)) throw new ImportError(ParserErrorCode.INVALID_NODE, 'past_key and past_value must be given together');
  let pastLength = 0;
  if (ctx.hasInput(4)) {
    const concat = (past: Value, cur: ITensor): ITensor => {
      const layer = ctx.network.addConcatenation([model.tensor(past), cur]);
      layer.axis = 2;
      return layer.getOutput(0);
    };
    pastLength = shapeOf(ctx.input(4))[2]!;
    k = concat(ctx.input(4), k);
    v = concat(ctx.input(5), v);
  }
  ctx.setOutput(1, k);
  ctx.setOutput(2, v);
  const qHeads = q.shape[1]!;
  const kvHeads = k.shape[1]!;
  const headSize = q.shape[3]!;
  const S = q.shape[2]!;
  const L = k.shape[2]!;
  if (qHeads < 0 || kvHeads < 0 || headSize < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'Attention needs static head counts and head size');
  k = repeatKvHeads(ctx, k, qHeads);
  v = repeatKvHeads(ctx, v, qHeads);
  // Q and K are each scaled by sqrt(scale), as the reference function does.
  const scale = ctx.float('scale', 1 / Math.sqrt(headSize));
  const rootScale = Math.sqrt(scale);
  const qs = elementwise(model, q, scalarLike(q, rootScale), ElementWiseOperation.PROD);
  const ks = elementwise(model, k, scalarLike(k, rootScale), ElementWiseOperation.PROD);
  const qk = ctx.network.addMatrixMultiply(qs, MatrixOperation.NONE, ks, MatrixOperation.TRANSPOSE).getOutput(0);

  // Additive bias: attn_mask, causal mask, and the opset-24 key padding mask.
  let bias: Value | undefined;
  const addBias = (m: Value): void => {
    bias = bias === undefined ? m : elementwise(model, bias, m, ElementWiseOperation.SUM);
  };
  if (ctx.hasInput(3)) {
    let mask: Value = ctx.input(3);
    if (typeOf(mask) === OnnxType.BOOL) {
      const [cond, zero, ninf] = broadcastRanks(model, [mask, scalarLike(q, 0), scalarLike(q, -Infinity)]) as [Value, Value, Value];
      mask = ctx.network.addSelect(model.tensor(cond), model.tensor(zero), model.tensor(ninf)).getOutput(0);
    }
    const md = shapeOf(mask);
    const last = md[md.length - 1]!;
    if (last >= 0 && L >= 0 && last < L) {
      // A mask shorter than the keys masks the rest (-inf padding).
      const mt = model.tensor(mask);
      const ones = md.map(() => 1);
      const layer = ctx.network.addSlice(mt, md.map(() => 0), ones, ones);
      layer.mode = SampleMode.FILL;
      layer.shape = md.map((d, i) => (i === md.length - 1 ? L : d));
      layer.setInput(4, model.tensor(constLike(q, [], [-Infinity])));
      mask = layer.getOutput(0);
    }
    addBias(prependOnes(model, mask, 4));
  }
  const nonpad = ctx.optionalInput(6);
  const isCausal = ctx.int('is_causal', 0) === 1;
  if ((isCausal || nonpad !== undefined) && (S < 0 || L < 0)) {
    throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'causal and key-padding masks need static query and key lengths');
  }
  const cols = ConstTensor.fromNumbers(OnnxType.INT64, [1, 1, 1, L], range(0, L));
  const maskFrom = (cond: ITensor): ITensor => {
    const [zero, ninf] = [scalarLike(q, 0), scalarLike(q, -Infinity)].map((c) => model.tensor(c)) as [ITensor, ITensor];
    return ctx.network.addSelect(cond, zero, ninf).getOutput(0);
  };
  const nonpad4d = nonpad !== undefined ? reshape(model, cast(model, nonpad, DataType.INT64), [-1, 1, 1, 1]) : undefined;
  if (isCausal) {
    if (nonpad4d === undefined) {
      addBias(maskConstant(q, S, L, (r, c) => r + pastLength < c));
    } else {
      // Row r of batch b sees keys c <= r + nonpad[b] - S.
      const rows = ConstTensor.fromNumbers(OnnxType.INT64, [1, 1, S, 1], range(0, S).map((r) => r - S));
      const limit = elementwise(model, rows, nonpad4d, ElementWiseOperation.SUM);
      const masked = elementwise(model, limit, cols, ElementWiseOperation.LESS);
      addBias(maskFrom(unary(model, masked, UnaryOperation.NOT)));
    }
  }
  if (nonpad4d !== undefined) addBias(maskFrom(elementwise(model, cols, nonpad4d, ElementWiseOperation.LESS)));

  let scores: ITensor = qk;
  const softcap = ctx.float('softcap', 0);
  if (softcap > 0) {
    const t = activation(ctx, elementwise(model, qk, scalarLike(qk, softcap), ElementWiseOperation.DIV), ActivationType.TANH);
    scores = elementwise(model, t, scalarLike(t, softcap), ElementWiseOperation.PROD);
  }
  const softcapped = scores;
  if (bias !== undefined) scores = elementwise(model, scores, bias, ElementWiseOperation.SUM);
  const precision = ctx.int('softmax_precision', 0);
  const softmaxIn = precision === OnnxType.FLOAT ? cast(model, scores, DataType.FLOAT) : scores;
  let probs: ITensor = cast(model, softmax(ctx, softmaxIn, 3), scores.dtype);
  if (bias !== undefined) {
    // Rows whose mask hides every key get zero weights (softmax of all -inf is NaN).
    const rowMax = reduce(model, bias, ReduceOperation.MAX, [3]);
    const allMasked = elementwise(model, rowMax, scalarLike(rowMax, -Infinity), ElementWiseOperation.EQUAL);
    const [cond, zero] = broadcastRanks(model, [allMasked, scalarLike(probs, 0)]) as [Value, Value];
    probs = ctx.network.addSelect(model.tensor(cond), model.tensor(zero), probs).getOutput(0);
  }
  let y: ITensor = ctx.network.addMatrixMultiply(probs, MatrixOperation.NONE, v, MatrixOperation.NONE).getOutput(0);
  if (threeD) y = reshapeKeep(model, transpose(model, y, [0, 2, 1, 3]), [0, 0, -1]);
  ctx.setOutput(0, y);
  if (wantsOutput(ctx, 3)) {
    const mode = ctx.int('qk_matmul_output_mode', 0);
    const outputs = [qk, softcapped, scores, probs];
    if (mode < 0 || mode > 3) throw ctx.unsupportedAttr('qk_matmul_output_mode', mode, 'expected 0..3');
    ctx.setOutput(3, outputs[mode]!);
  }
}

/** Grouped-query attention: query head h reads kv head floor(h / (qHeads / kvHeads)). */
function repeatKvHeads(ctx: NodeContext, kv: ITensor, qHeads: number): ITensor {
  const kvHeads = kv.shape[1]!;
  if (qHeads === kvHeads) return kv;
  if (qHeads % kvHeads !== 0) throw new ImportError(ParserErrorCode.INVALID_NODE, `q heads ${qHeads} are not a multiple of kv heads ${kvHeads}`);
  const group = qHeads / kvHeads;
  const idx = ctx.model.tensor(ConstTensor.fromNumbers(OnnxType.INT32, [qHeads], range(0, qHeads).map((h) => Math.floor(h / group))));
  return ctx.network.addGather(kv, idx, 1).getOutput(0);
}

/**
 * Applies a score_mod / prob_mod subgraph: one rank-4 input bound to `x`, one output of the
 * same shape and element type (masks and biases built from Shape/Range inside it import as usual).
 */
function applyModifier(ctx: NodeContext, name: string, x: ITensor): ITensor {
  const g = ctx.graph(name);
  if (g === undefined) return x;
  if (g.inputs.length !== 1 || g.outputs.length !== 1) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `attribute ${name} must be a graph of one input and one output (it has ${g.inputs.length} and ${g.outputs.length})`);
  }
  const [out] = ctx.importSubgraph(g, (scope) => scope.set(g.inputs[0]!.name, x));
  const y = ctx.model.tensor(out!);
  const same = y.shape.length === x.shape.length && y.shape.every((d, i) => d === x.shape[i] || d < 0 || x.shape[i]! < 0);
  if (!same || y.dtype !== x.dtype) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `attribute ${name}: the subgraph output must keep the input's shape [${x.shape.join(', ')}] and type`);
  }
  return y;
}

/** FlexAttention (ai.onnx.preview): attention whose scores and probabilities pass through subgraphs. */
function importFlexAttention(ctx: NodeContext): void {
  const model = ctx.model;
  const qIn = ctx.input(0);
  requireFloat(ctx, qIn, 'Q');
  for (let i = 0; i < 3; i += 1) {
    if (rankOf(ctx.input(i)) !== 4) throw new ImportError(ParserErrorCode.INVALID_NODE, `FlexAttention input ${i} must be 4-D [batch, heads, sequence, head size], not rank ${rankOf(ctx.input(i))}`);
  }
  const q = model.tensor(qIn);
  const qHeads = q.shape[1]!;
  const headSize = q.shape[3]!;
  if (qHeads < 0 || headSize < 0 || ctx.tensor(1).shape[1]! < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'FlexAttention needs static head counts and head size');
  const k = repeatKvHeads(ctx, ctx.tensor(1), qHeads);
  let v = repeatKvHeads(ctx, ctx.tensor(2), qHeads);
  const precision = ctx.int('softmax_precision', OnnxType.FLOAT);
  const precisionType = precision === OnnxType.FLOAT ? DataType.FLOAT : precision === OnnxType.FLOAT16 ? DataType.HALF : precision === OnnxType.BFLOAT16 ? DataType.BF16 : undefined;
  if (precisionType === undefined) throw ctx.unsupportedAttr('softmax_precision', precision, 'FLOAT (1), FLOAT16 (10) or BFLOAT16 (16) are supported');
  // Q and K are each scaled by sqrt(scale), as the function body does.
  const rootScale = Math.sqrt(ctx.float('scale', 1 / Math.sqrt(headSize)));
  const qs = elementwise(model, q, scalarLike(q, rootScale), ElementWiseOperation.PROD);
  const ks = elementwise(model, k, scalarLike(k, rootScale), ElementWiseOperation.PROD);
  const qk = ctx.network.addMatrixMultiply(qs, MatrixOperation.NONE, ks, MatrixOperation.TRANSPOSE).getOutput(0);
  const scores = applyModifier(ctx, 'score_mod', cast(model, qk, precisionType));
  const probs = applyModifier(ctx, 'prob_mod', softmax(ctx, scores, 3));
  v = cast(model, v, precisionType);
  const y = ctx.network.addMatrixMultiply(probs, MatrixOperation.NONE, v, MatrixOperation.NONE).getOutput(0);
  ctx.setOutput(0, cast(model, y, q.dtype));
}

function importRotaryEmbedding(ctx: NodeContext): void {
  const x = ctx.input(0);
  requireFloat(ctx, x, 'input');
  const model = ctx.model;
  const dims = shapeOf(x);
  const interleaved = ctx.int('interleaved', 0) === 1;
  let x4: ITensor;
  let headAxis: number;
  if (dims.length === 4) {
    x4 = model.tensor(x); // [B, H, S, h]
    headAxis = 1;
  } else if (dims.length === 3) {
    const heads = ctx.int('num_heads');
    if (heads === undefined || dims[2]! < 0 || dims[2]! % heads !== 0) throw new ImportError(ParserErrorCode.INVALID_NODE, '3-D input needs num_heads dividing a static hidden size');
    x4 = reshapeKeep(model, x, [0, 0, heads, dims[2]! / heads]); // [B, S, H, h]
    headAxis = 2;
  } else {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `RotaryEmbedding input must be 3-D or 4-D, not rank ${dims.length}`);
  }
  const headSize = x4.shape[3]!;
  if (headSize < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'RotaryEmbedding needs a static head size');
  const rd = ctx.int('rotary_embedding_dim', 0) || headSize;
  if (rd % 2 !== 0 || rd > headSize) throw ctx.unsupportedAttr('rotary_embedding_dim', rd, `must be even and at most the head size ${headSize}`);
  const half = rd / 2;
  // cos/sin: [B, S, half] (gathered by position_ids, or given so).
  const table = (i: number): ITensor => {
    let c: Value = ctx.input(i);
    if (ctx.hasInput(3)) c = ctx.network.addGather(model.tensor(c), model.tensor(cast(model, ctx.input(3), DataType.INT64)), 0).getOutput(0);
    if (shapeOf(c)[shapeOf(c).length - 1] !== half) c = gatherLast(model, c, range(0, half));
    return model.tensor(unsqueeze(model, c, [headAxis]));
  };
  const cos = table(1);
  const sin = table(2);
  const x1 = gatherLast(model, x4, interleaved ? range(0, half).map((i) => 2 * i) : range(0, half));
  const x2 = gatherLast(model, x4, interleaved ? range(0, half).map((i) => 2 * i + 1) : range(half, rd));
  const mul = (a: Value, b: Value): ITensor => elementwise(model, a, b, ElementWiseOperation.PROD);
  const real = elementwise(model, mul(cos, x1), mul(sin, x2), ElementWiseOperation.SUB);
  const imag = elementwise(model, mul(sin, x1), mul(cos, x2), ElementWiseOperation.SUM);
  const parts = [real, imag];
  if (rd < headSize) parts.push(gatherLast(model, x4, range(rd, headSize)));
  const joined = ctx.network.addConcatenation(parts);
  joined.axis = 3;
  let y: ITensor = joined.getOutput(0);
  if (interleaved) y = gatherLast(model, y, [...range(0, half).flatMap((i) => [i, half + i]), ...range(rd, headSize)]);
  if (dims.length === 3) y = reshapeKeep(model, y, [0, 0, dims[2]!]);
  ctx.setOutput(0, y);
}

// ---- activations -----------------------------------------------------------------------------

function activation(ctx: NodeContext, x: Value, type: ActivationType, alpha = 0, beta = 0): ITensor {
  const layer = ctx.network.addActivation(ctx.model.tensor(x), type);
  layer.alpha = alpha;
  layer.beta = beta;
  return layer.getOutput(0);
}

const activationImporters: Record<string, Importer> = {
  HardSwish: (ctx) => {
    const x = ctx.input(0);
    ctx.setOutput(0, elementwise(ctx.model, x, activation(ctx, x, ActivationType.HARD_SIGMOID, 1 / 6, 0.5), ElementWiseOperation.PROD));
  },
  Mish: (ctx) => {
    const x = ctx.input(0);
    const sp = activation(ctx, x, ActivationType.SOFTPLUS, 1, 1);
    ctx.setOutput(0, elementwise(ctx.model, x, activation(ctx, sp, ActivationType.TANH), ElementWiseOperation.PROD));
  },
  Celu: (ctx) => {
    // alpha * elu(x / alpha).
    const x = ctx.input(0);
    const alpha = ctx.float('alpha', 1);
    if (alpha === 1) return ctx.setOutput(0, activation(ctx, x, ActivationType.ELU, 1));
    const e = activation(ctx, elementwise(ctx.model, x, scalarLike(x, alpha), ElementWiseOperation.DIV), ActivationType.ELU, 1);
    ctx.setOutput(0, elementwise(ctx.model, e, scalarLike(e, alpha), ElementWiseOperation.PROD));
  },
  Swish: (ctx) => {
    const x = ctx.input(0);
    const alpha = ctx.float('alpha', 1);
    const ax = alpha === 1 ? x : elementwise(ctx.model, x, scalarLike(x, alpha), ElementWiseOperation.PROD);
    ctx.setOutput(0, elementwise(ctx.model, x, activation(ctx, ax, ActivationType.SIGMOID), ElementWiseOperation.PROD));
  },
  Shrink: (ctx) => {
    const x = ctx.input(0);
    const lambd = ctx.float('lambd', 0.5);
    const bias = ctx.float('bias', 0);
    const below = elementwise(ctx.model, x, scalarLike(x, -lambd), ElementWiseOperation.LESS);
    const above = elementwise(ctx.model, x, scalarLike(x, lambd), ElementWiseOperation.GREATER);
    const zero = ctx.model.tensor(scalarLike(x, 0));
    const plus = elementwise(ctx.model, x, scalarLike(x, bias), ElementWiseOperation.SUM);
    const minus = elementwise(ctx.model, x, scalarLike(x, bias), ElementWiseOperation.SUB);
    const inner = ctx.network.addSelect(above, minus, zero).getOutput(0);
    ctx.setOutput(0, ctx.network.addSelect(below, plus, inner).getOutput(0));
  },
};

export const nnImporters: Record<string, Importer> = {
  Conv: importConv,
  ConvTranspose: importConvTranspose,
  CausalConvWithState: importCausalConvWithState,
  // Registered by domain: GraphImporter lists the operators of other domains it imports.
  'ai.onnx.preview.FlexAttention': importFlexAttention,
  MaxPool: poolImporter('max'),
  AveragePool: poolImporter('avg'),
  LpPool: poolImporter('lp'),
  GlobalAveragePool: globalPool(ReduceOperation.AVG),
  GlobalMaxPool: globalPool(ReduceOperation.MAX),
  GlobalLpPool: (ctx) => {
    const x = ctx.input(0);
    requireFloat(ctx, x, 'input X');
    const p = ctx.int('p', 2);
    const rank = rankOf(x);
    const sum = reduce(ctx.model, lpPower(ctx, x, p), ReduceOperation.SUM, range(2, rank));
    ctx.setOutput(0, elementwise(ctx.model, sum, scalarLike(sum, 1 / p), ElementWiseOperation.POW));
  },
  BatchNormalization: importBatchNorm,
  InstanceNormalization: importInstanceNorm,
  LayerNormalization: importLayerNorm,
  GroupNormalization: importGroupNorm,
  RMSNormalization: importRmsNorm,
  LRN: importLrn,
  LpNormalization: importLpNorm,
  MeanVarianceNormalization: importMvn,
  Gemm: importGemm,
  Einsum: importEinsum,
  MatMul: (ctx) => ctx.setOutput(0, matmul(ctx.model, ctx.input(0), ctx.input(1))),
  Softmax: softmaxLike(softmax),
  LogSoftmax: softmaxLike(logSoftmax),
  Hardmax: softmaxLike(hardmax),
  Resize: importResize,
  Upsample: importResize,
  Attention: importAttention,
  RotaryEmbedding: importRotaryEmbedding,
  QuantizeLinear: importQuantize,
  DequantizeLinear: importDequantize,
  ...activationImporters,
};
