/** @internal Importers for elementwise, comparison, logical and unary math operators. */
import { ActivationType, DataType, ElementWiseOperation, UnaryOperation } from '../../enums.js';
import { NodeContext, Value, isConst, shapeOf, typeOf } from '../ImportContext.js';
import { OnnxType } from '../model.js';
import { ImportError, ParserErrorCode } from '../ParserError.js';
import { Importer, cast, elementwise, normalizeAxis, prependOnes, scalarLike, unary } from './common.js';

function binaryOp(op: ElementWiseOperation): Importer {
  return (ctx) => {
    checkSameType(ctx, ctx.input(0), ctx.input(1));
    ctx.setOutput(0, elementwise(ctx.model, ctx.input(0), legacyBroadcast(ctx, ctx.input(0), ctx.input(1)), op));
  };
}

/**
 * Before opset 7, binary ops broadcast only with broadcast=1, placing B's dims at `axis` of A
 * (default: trailing). Reshaping B to A's rank with ones around gives the numpy equivalent.
 */
function legacyBroadcast(ctx: NodeContext, a: Value, b: Value): Value {
  if (ctx.opset >= 7 || ctx.int('broadcast', 0) !== 1) return b;
  const rankA = shapeOf(a).length;
  const axis = ctx.hasAttr('axis') ? normalizeAxis(ctx.int('axis', 0), rankA) : rankA - shapeOf(b).length;
  return legacyBroadcastTo(ctx, b, rankA, axis);
}

/** Reshapes `b` to rank `rankA` with its dims starting at `axis` and ones around them. */
function legacyBroadcastTo(ctx: NodeContext, b: Value, rankA: number, axis: number): Value {
  const dimsB = shapeOf(b);
  if (axis < 0 || axis + dimsB.length > rankA) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `broadcast axis ${axis} does not fit input B of rank ${dimsB.length} into input A of rank ${rankA}`);
  }
  const dims = [...new Array<number>(axis).fill(1), ...dimsB.map((d) => (d < 0 ? 0 : d)), ...new Array<number>(rankA - axis - dimsB.length).fill(1)];
  if (isConst(b)) return b.reshaped(dims);
  // 0 copies B's own (possibly dynamic) dim at the same position only when axis is 0.
  if (dimsB.some((d) => d < 0) && axis !== 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'legacy broadcasting of a dynamic input B at a non-zero axis');
  const layer = ctx.network.addShuffle(ctx.model.tensor(b));
  layer.reshapeDims = dims;
  layer.zeroIsPlaceholder = dimsB.some((d) => d < 0);
  return layer.getOutput(0);
}

function checkSameType(ctx: NodeContext, a: Value, b: Value): void {
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta !== tb) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `${ctx.node.opType} inputs have different types (${OnnxType[ta]} and ${OnnxType[tb]})`);
  }
}

/** Variadic Sum/Max/Min/Mean fold pairwise. */
function variadic(op: ElementWiseOperation, mean = false): Importer {
  return (ctx) => {
    let acc: Value = ctx.input(0);
    for (let i = 1; i < ctx.numInputs; i += 1) acc = elementwise(ctx.model, acc, ctx.input(i), op);
    if (ctx.numInputs === 1) acc = ctx.network.addIdentity(ctx.model.tensor(acc)).getOutput(0);
    if (mean) acc = elementwise(ctx.model, acc, scalarLike(acc, ctx.numInputs), ElementWiseOperation.DIV);
    ctx.setOutput(0, acc);
  };
}

function unaryOp(op: UnaryOperation): Importer {
  return (ctx) => ctx.setOutput(0, unary(ctx.model, ctx.input(0), op));
}

/** a OP b, then NOT (for the comparisons TensorRT spells as negations). */
function negated(op: ElementWiseOperation): Importer {
  return (ctx) => ctx.setOutput(0, unary(ctx.model, elementwise(ctx.model, ctx.input(0), ctx.input(1), op), UnaryOperation.NOT));
}

/** a <= b as (a < b) OR (a == b), so NaN compares false as ONNX requires. */
function orEqual(op: ElementWiseOperation): Importer {
  return (ctx) => {
    const strict = elementwise(ctx.model, ctx.input(0), ctx.input(1), op);
    const equal = elementwise(ctx.model, ctx.input(0), ctx.input(1), ElementWiseOperation.EQUAL);
    ctx.setOutput(0, elementwise(ctx.model, strict, equal, ElementWiseOperation.OR));
  };
}

export const elementwiseImporters: Record<string, Importer> = {
  Add: binaryOp(ElementWiseOperation.SUM),
  Sub: binaryOp(ElementWiseOperation.SUB),
  Mul: binaryOp(ElementWiseOperation.PROD),
  Div: binaryOp(ElementWiseOperation.DIV),
  Pow: (ctx) => {
    // ONNX lets the exponent have another type; TensorRT needs one type.
    const base = ctx.input(0);
    const exponent = ctx.model.tensor(legacyBroadcast(ctx, base, ctx.input(1)));
    const baseTensor = ctx.model.tensor(base);
    ctx.setOutput(0, elementwise(ctx.model, baseTensor, cast(ctx.model, exponent, baseTensor.dtype), ElementWiseOperation.POW));
  },
  And: binaryOp(ElementWiseOperation.AND),
  Or: binaryOp(ElementWiseOperation.OR),
  Xor: binaryOp(ElementWiseOperation.XOR),
  Equal: binaryOp(ElementWiseOperation.EQUAL),
  Greater: binaryOp(ElementWiseOperation.GREATER),
  Less: binaryOp(ElementWiseOperation.LESS),
  GreaterOrEqual: orEqual(ElementWiseOperation.GREATER),
  LessOrEqual: orEqual(ElementWiseOperation.LESS),
  Sum: variadic(ElementWiseOperation.SUM),
  Max: variadic(ElementWiseOperation.MAX),
  Min: variadic(ElementWiseOperation.MIN),
  Mean: variadic(ElementWiseOperation.SUM, true),
  Mod: (ctx) => {
    const a = ctx.model.tensor(ctx.input(0));
    const b = ctx.model.tensor(ctx.input(1));
    const fmod = ctx.int('fmod', 0) === 1;
    const isFloat = a.dtype === DataType.FLOAT || a.dtype === DataType.HALF || a.dtype === DataType.BF16;
    if (isFloat && !fmod) throw ctx.unsupportedAttr('fmod', 0, 'floating-point Mod requires fmod=1 (ONNX rule)');
    // fmod: a - trunc(a/b)*b; integer Mod: a - floor(a/b)*b (sign of the divisor).
    let quotient: Value = elementwise(ctx.model, a, b, fmod ? ElementWiseOperation.DIV : ElementWiseOperation.FLOOR_DIV);
    if (fmod && isFloat) quotient = truncate(ctx, quotient);
    const product = elementwise(ctx.model, quotient, b, ElementWiseOperation.PROD);
    ctx.setOutput(0, elementwise(ctx.model, a, product, ElementWiseOperation.SUB));
  },
  Abs: unaryOp(UnaryOperation.ABS),
  Neg: unaryOp(UnaryOperation.NEG),
  Exp: unaryOp(UnaryOperation.EXP),
  Log: unaryOp(UnaryOperation.LOG),
  Sqrt: unaryOp(UnaryOperation.SQRT),
  Reciprocal: unaryOp(UnaryOperation.RECIP),
  Sin: unaryOp(UnaryOperation.SIN),
  Cos: unaryOp(UnaryOperation.COS),
  Tan: unaryOp(UnaryOperation.TAN),
  Sinh: unaryOp(UnaryOperation.SINH),
  Cosh: unaryOp(UnaryOperation.COSH),
  Asin: unaryOp(UnaryOperation.ASIN),
  Acos: unaryOp(UnaryOperation.ACOS),
  Atan: unaryOp(UnaryOperation.ATAN),
  Asinh: unaryOp(UnaryOperation.ASINH),
  Acosh: unaryOp(UnaryOperation.ACOSH),
  Atanh: unaryOp(UnaryOperation.ATANH),
  Ceil: unaryOp(UnaryOperation.CEIL),
  Floor: unaryOp(UnaryOperation.FLOOR),
  Erf: unaryOp(UnaryOperation.ERF),
  Not: unaryOp(UnaryOperation.NOT),
  Sign: unaryOp(UnaryOperation.SIGN),
  Round: unaryOp(UnaryOperation.ROUND),
  IsNaN: unaryOp(UnaryOperation.ISNAN),
  IsInf: (ctx) => {
    const detectPositive = ctx.int('detect_positive', 1) === 1;
    const detectNegative = ctx.int('detect_negative', 1) === 1;
    const x = ctx.input(0);
    const inf = unary(ctx.model, x, UnaryOperation.ISINF);
    if (detectPositive && detectNegative) return ctx.setOutput(0, inf);
    if (!detectPositive && !detectNegative) {
      return ctx.setOutput(0, elementwise(ctx.model, inf, unary(ctx.model, inf, UnaryOperation.NOT), ElementWiseOperation.AND));
    }
    const sideTest = elementwise(ctx.model, x, scalarLike(x, 0), detectPositive ? ElementWiseOperation.GREATER : ElementWiseOperation.LESS);
    ctx.setOutput(0, elementwise(ctx.model, inf, sideTest, ElementWiseOperation.AND));
  },
};

/** trunc(x) = sign(x) * floor(|x|). */
function truncate(ctx: NodeContext, x: Value): Value {
  const floorAbs = unary(ctx.model, unary(ctx.model, x, UnaryOperation.ABS), UnaryOperation.FLOOR);
  return elementwise(ctx.model, unary(ctx.model, x, UnaryOperation.SIGN), floorAbs, ElementWiseOperation.PROD);
}

function activation(type: ActivationType, params?: (ctx: NodeContext) => [number, number]): Importer {
  return (ctx) => {
    const layer = ctx.network.addActivation(ctx.tensor(0), type);
    if (params) [layer.alpha, layer.beta] = params(ctx);
    ctx.setOutput(0, layer.getOutput(0));
  };
}

export const activationImporters: Record<string, Importer> = {
  Relu: activation(ActivationType.RELU),
  Sigmoid: activation(ActivationType.SIGMOID),
  Tanh: activation(ActivationType.TANH),
  LeakyRelu: activation(ActivationType.LEAKY_RELU, (ctx) => [ctx.float('alpha', 0.01), 0]),
  Elu: activation(ActivationType.ELU, (ctx) => [ctx.float('alpha', 1), 0]),
  Selu: activation(ActivationType.SELU, (ctx) => [ctx.float('alpha', 1.67326319217681884765625), ctx.float('gamma', 1.05070102214813232421875)]),
  Softsign: activation(ActivationType.SOFTSIGN),
  Softplus: activation(ActivationType.SOFTPLUS, () => [1, 1]),
  HardSigmoid: activation(ActivationType.HARD_SIGMOID, (ctx) => [ctx.float('alpha', 0.2), ctx.float('beta', 0.5)]),
  ThresholdedRelu: activation(ActivationType.THRESHOLDED_RELU, (ctx) => [ctx.float('alpha', 1), 0]),
  Gelu: (ctx) => {
    const approximate = ctx.string('approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh') throw ctx.unsupportedAttr('approximate', approximate, 'expected "none" or "tanh"');
    const layer = ctx.network.addActivation(ctx.tensor(0), approximate === 'tanh' ? ActivationType.GELU_TANH : ActivationType.GELU_ERF);
    ctx.setOutput(0, layer.getOutput(0));
  },
  Clip: (ctx) => {
    // Opset < 11: min/max attributes; later: optional inputs 1 and 2 (constants or tensors).
    const x = ctx.input(0);
    if (ctx.opset < 11) {
      const layer = ctx.network.addActivation(ctx.model.tensor(x), ActivationType.CLIP);
      layer.alpha = ctx.float('min', -3.4028234663852886e38);
      layer.beta = ctx.float('max', 3.4028234663852886e38);
      return ctx.setOutput(0, layer.getOutput(0));
    }
    let out: Value = x;
    if (ctx.hasInput(1)) out = elementwise(ctx.model, out, ctx.input(1), ElementWiseOperation.MAX);
    if (ctx.hasInput(2)) out = elementwise(ctx.model, out, ctx.input(2), ElementWiseOperation.MIN);
    if (out === x) out = ctx.network.addIdentity(ctx.model.tensor(x)).getOutput(0);
    ctx.setOutput(0, out);
  },
  PRelu: (ctx) => {
    const x = ctx.model.tensor(ctx.input(0));
    let slopeInput = ctx.input(1);
    const slopeDims = shapeOf(slopeInput);
    // Before opset 7 a 1-D slope of size C holds one value per channel (dim 1), not per last dim.
    if (ctx.opset < 7 && slopeDims.length === 1 && slopeDims[0] !== 1 && x.shape.length >= 2) {
      slopeInput = legacyBroadcastTo(ctx, slopeInput, x.shape.length, 1);
    }
    const slope = prependOnes(ctx.model, slopeInput, x.shape.length);
    ctx.setOutput(0, ctx.network.addParametricReLU(x, ctx.model.tensor(slope)).getOutput(0));
  },
};
