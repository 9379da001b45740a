/**
 * @internal Importers: control flow (If, Loop, Scan) and recurrent operators (RNN, GRU, LSTM).
 * Loops with a short parse-time trip count are unrolled, others become a loop layer (ILoop); If
 * with a run-time condition evaluates both branches and selects, and recurrent operators unroll
 * over their static sequence length.
 */
import { ActivationType, ElementWiseOperation, LayerType, LoopOutput, MatrixOperation, TripLimit } from '../../enums.js';
import type { ITensor } from '../../Tensor.js';
import { ConstTensor } from '../ConstTensor.js';
import { ModelContext, NodeContext, Value, isConst, isFloatType, shapeOf, typeOf } from '../ImportContext.js';
import { OnnxGraph, OnnxType } from '../model.js';
import { ImportError, ParserErrorCode } from '../ParserError.js';
import { Importer, elementwise, normalizeAxis, reshape, scalarLike, transpose, unsqueeze } from './common.js';

/** Loops are unrolled up to this many iterations; longer ones need a loop layer. */
const MAX_UNROLL = 256;
/** Recurrent cells are small per step, so longer sequences still unroll. */
const MAX_RNN_STEPS = 1024;

function requireGraph(ctx: NodeContext, name: string): OnnxGraph {
  const g = ctx.graph(name);
  if (!g) throw new ImportError(ParserErrorCode.INVALID_NODE, `attribute ${name} (a graph) is required`);
  return g;
}

/** The value of a single-element constant as a boolean, or undefined when computed at run time. */
function constBool(v: Value): boolean | undefined {
  if (!isConst(v)) return undefined;
  if (v.size !== 1) throw new ImportError(ParserErrorCode.INVALID_NODE, `a condition must have one element, got dims [${v.dims.join(', ')}]`);
  return v.toNumbers()[0] !== 0;
}

/** Element `index` of `v` along `axis`, with that axis removed. */
function pick(model: ModelContext, v: Value, axis: number, index: number): Value {
  const dims = shapeOf(v);
  if (isConst(v) && dims.slice(0, axis).every((d) => d === 1)) {
    // A contiguous block: a view, so weights stay constants.
    const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    return new ConstTensor(v.type, [...dims.slice(0, axis), ...dims.slice(axis + 1)], v.data.subarray(index * inner, (index + 1) * inner) as ConstTensor['data']);
  }
  const idx = model.tensor(ConstTensor.fromNumbers(OnnxType.INT32, [], [index]));
  return model.network.addGather(model.tensor(v), idx, axis).getOutput(0);
}

/** Reshape to static dims; constants stay constants. */
function reshapeV(model: ModelContext, v: Value, dims: number[]): Value {
  return isConst(v) ? v.reshaped(dims) : reshape(model, v, dims);
}

/** Stacks values of one shape along a new axis `axis`. */
function stack(model: ModelContext, values: Value[], axis: number): ITensor {
  const parts = values.map((v) => model.tensor(unsqueeze(model, v, [axis])));
  const layer = model.network.addConcatenation(parts);
  layer.axis = axis;
  return layer.getOutput(0);
}

function noSteps(ctx: NodeContext, what: string): ImportError {
  return new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `${ctx.node.opType} runs zero iterations, so the shape of ${what} is unknown without a loop layer`);
}

// --- If ------------------------------------------------------------------------------------------

const importIf: Importer = (ctx) => {
  const cond = ctx.input(0);
  const thenGraph = requireGraph(ctx, 'then_branch');
  const elseGraph = requireGraph(ctx, 'else_branch');
  const taken = constBool(cond);
  if (taken !== undefined) {
    ctx.importSubgraph(taken ? thenGraph : elseGraph, () => {}).forEach((v, i) => ctx.setOutput(i, v));
    return;
  }
  const thenOut = ctx.importSubgraph(thenGraph, () => {});
  const elseOut = ctx.importSubgraph(elseGraph, () => {});
  if (thenOut.length !== elseOut.length) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `then_branch has ${thenOut.length} outputs but else_branch has ${elseOut.length}`);
  }
  thenOut.forEach((a, i) => {
    const b = elseOut[i]!;
    const sa = shapeOf(a);
    const sb = shapeOf(b);
    if (typeOf(a) !== typeOf(b)) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE, `output ${i} has type ${OnnxType[typeOf(a)]} in then_branch but ${OnnxType[typeOf(b)]} in else_branch; a run-time condition needs a conditional layer`);
    }
    // Dynamic dims at the same places are checked by the Select layer at run time.
    if (sa.length !== sb.length || sa.some((d, k) => d !== sb[k])) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE, `output ${i} has shape [${sa.join(', ')}] in then_branch but [${sb.join(', ')}] in else_branch; branches of different shapes under a run-time condition need a conditional layer`);
    }
    const c = reshape(ctx.model, cond, new Array<number>(sa.length).fill(1));
    ctx.setOutput(i, ctx.network.addSelect(c, ctx.model.tensor(a), ctx.model.tensor(b)).getOutput(0));
  });
};

// --- Loop ----------------------------------------------------------------------------------------

const importLoop: Importer = (ctx) => {
  const body = requireGraph(ctx, 'body');
  const carriedInit = Array.from({ length: Math.max(ctx.numInputs - 2, 0) }, (_, k) => ctx.input(k + 2));
  const nCarried = carriedInit.length;
  if (body.inputs.length !== nCarried + 2) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `body has ${body.inputs.length} inputs, expected ${nCarried + 2} (iteration number, condition, ${nCarried} loop-carried values)`);
  }
  const nScan = body.outputs.length - 1 - nCarried;
  if (nScan < 0) throw new ImportError(ParserErrorCode.INVALID_NODE, `body has ${body.outputs.length} outputs, expected at least ${nCarried + 1}`);
  // Trip count and condition known at parse time: unroll (faster for the short loops this
  // allows); otherwise, or when the body's condition turns out to depend on run-time values, a
  // loop layer.
  const m = ctx.hasInput(0) ? ctx.constNumbers(0) : undefined;
  const c = ctx.hasInput(1) ? constBool(ctx.input(1)) : true;
  if ((!ctx.hasInput(0) || m !== undefined) && c !== undefined && unrollLoop(ctx, body, carriedInit, nScan, m?.[0] ?? Infinity, c)) return;
  loopLayer(ctx, body, carriedInit, nScan);
};

/** Unrolls a loop with a parse-time trip count and condition; false when it needs a loop layer. */
function unrollLoop(ctx: NodeContext, body: OnnxGraph, carriedInit: Value[], nScan: number, tripCount: number, cond: boolean): boolean {
  const nCarried = carriedInit.length;
  let running = cond;
  let carried: Value[] = carriedInit;
  const scans: Value[][] = Array.from({ length: nScan }, () => []);
  for (let i = 0; running && i < tripCount; i += 1) {
    if (i >= MAX_UNROLL) return false;
    const state = carried;
    const outs = ctx.importSubgraph(body, (scope) => {
      scope.set(body.inputs[0]!.name, ConstTensor.fromNumbers(OnnxType.INT64, [], [i]));
      scope.set(body.inputs[1]!.name, ConstTensor.fromNumbers(OnnxType.BOOL, [], [1]));
      state.forEach((v, k) => scope.set(body.inputs[k + 2]!.name, v));
    });
    const c = constBool(outs[0]!);
    if (c === undefined) return false;
    running = c;
    carried = outs.slice(1, 1 + nCarried);
    outs.slice(1 + nCarried).forEach((v, k) => scans[k]!.push(v));
  }
  // Zero iterations leave scan outputs without a shape; the loop layer gives them one.
  if (scans.some((values, k) => values.length === 0 && ctx.node.outputs[nCarried + k])) return false;
  carried.forEach((v, k) => ctx.setOutput(k, v));
  scans.forEach((values, k) => {
    if (ctx.node.outputs[nCarried + k]) ctx.setOutput(nCarried + k, stack(ctx.model, values, 0));
  });
  return true;
}

/** `t` with Identity layers looked through (a condition passed on unchanged). */
function throughIdentities(ctx: NodeContext, t: ITensor): ITensor {
  for (;;) {
    const producer = ctx.network._native().tensorInfo(t.id).producer;
    if (producer < 0) return t;
    const layer = ctx.network.getLayer(producer);
    if (layer.type !== LayerType.IDENTITY) return t;
    t = layer.getInput(0)!;
  }
}

/** A 0-D tensor from a scalar or one-element value. */
function scalarTensor(ctx: NodeContext, v: Value, what: string): ITensor {
  const dims = shapeOf(v);
  if (dims.length === 0) return ctx.model.tensor(v);
  if (dims.some((d) => d !== 1)) throw new ImportError(ParserErrorCode.INVALID_NODE, `${what} must have one element, got dims [${dims.join(', ')}]`);
  return reshape(ctx.model, v, []);
}

/** A loop layer: ONNX's iteration number and condition become recurrences next to the carried values. */
function loopLayer(ctx: NodeContext, body: OnnxGraph, carriedInit: Value[], nScan: number): void {
  const m = ctx.model;
  const net = ctx.network;
  const nCarried = carriedInit.length;
  const loop = net.addLoop();
  if (ctx.node.name) loop.name = ctx.node.name;
  let tripCount: ITensor | undefined;
  if (ctx.hasInput(0)) {
    tripCount = scalarTensor(ctx, ctx.input(0), 'trip count M (input 0)');
    loop.addTripLimit(tripCount, TripLimit.COUNT);
  }
  const condInit = ctx.hasInput(1) ? ctx.input(1) : ConstTensor.fromNumbers(OnnxType.BOOL, [], [1]);
  const condAlwaysTrueAtStart = constBool(condInit) === true;
  const iteration = loop.addRecurrence(m.tensor(ConstTensor.fromNumbers(OnnxType.INT64, [], [0])));
  const iterationValue = iteration.getOutput(0);
  iteration.setInput(1, net.addElementWise(iterationValue, m.tensor(ConstTensor.fromNumbers(OnnxType.INT64, [], [1])), ElementWiseOperation.SUM).getOutput(0));
  const cond = loop.addRecurrence(scalarTensor(ctx, condInit, 'condition (input 1)'));
  const condValue = cond.getOutput(0);
  const carried = carriedInit.map((v) => loop.addRecurrence(m.tensor(v)));
  const outs = ctx.importSubgraph(body, (scope) => {
    scope.set(body.inputs[0]!.name, iterationValue);
    scope.set(body.inputs[1]!.name, condValue);
    carried.forEach((r, k) => scope.set(body.inputs[k + 2]!.name, r.getOutput(0)));
  });
  // The body's condition: passed on unchanged (or constant true), it never stops the loop once
  // started, so the iterations are M, or none when the initial condition is false.
  const condOut = outs[0]!;
  const condConst = constBool(condOut);
  const condPassedOn = condConst === true || (!isConst(condOut) && throughIdentities(ctx, m.tensor(condOut)) === condValue);
  cond.setInput(1, condPassedOn ? condValue : scalarTensor(ctx, condOut, 'the body\'s condition output'));
  if (!(condPassedOn && condAlwaysTrueAtStart)) loop.addTripLimit(condValue, TripLimit.WHILE);
  else if (!tripCount) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE, 'the loop has no trip count and its condition is always true, so it never ends');
  carried.forEach((r, k) => {
    const next = outs[1 + k]!;
    r.setInput(1, next === r.getOutput(0) ? next : m.tensor(next));
    ctx.setOutput(k, loop.addLoopOutput(r.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
  });
  for (let k = 0; k < nScan; k += 1) {
    if (!ctx.node.outputs[nCarried + k]) continue;
    // Stacked outputs need their length before the loop runs (as in TensorRT's parser).
    if (!condPassedOn || !tripCount) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `scan output ${k} of Loop "${ctx.node.name}": scan output length cannot be dynamic (${tripCount ? 'the body computes the loop condition' : 'the loop has no trip count M'})`);
    }
    const out = loop.addLoopOutput(m.tensor(outs[1 + nCarried + k]!), LoopOutput.CONCATENATE, 0);
    out.setInput(1, tripCount);
    // A false initial condition runs no iteration: the run then fails instead of returning M rows.
    out._requireFullLength();
    ctx.setOutput(nCarried + k, out.getOutput(0));
  }
}

// --- Scan ----------------------------------------------------------------------------------------

interface ScanPlan {
  body: OnnxGraph;
  inAxes: number[];
  inReverse: boolean[];
  outAxes: number[];
  outReverse: boolean[];
}

/** Runs the body over every step of the scan inputs; returns final states and stacked scan outputs. */
function unrollScan(ctx: NodeContext, plan: ScanPlan, states: Value[], scanInputs: Value[]): { states: Value[]; scans: Value[][] } {
  const { body } = plan;
  const nState = states.length;
  if (body.inputs.length !== nState + scanInputs.length) {
    throw new ImportError(ParserErrorCode.INVALID_NODE, `body has ${body.inputs.length} inputs, expected ${nState + scanInputs.length} (${nState} states, ${scanInputs.length} scan inputs)`);
  }
  const axes = scanInputs.map((v, j) => normalizeAxis(plan.inAxes[j] ?? 0, shapeOf(v).length, `scan_input_axes[${j}]`));
  const lengths = scanInputs.map((v, j) => shapeOf(v)[axes[j]!]!);
  if (lengths.some((l) => l < 0)) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'the sequence length of a scan input is dynamic; unrolling needs it at parse time (else a loop layer)');
  const length = lengths[0] ?? 0;
  if (lengths.some((l) => l !== length)) throw new ImportError(ParserErrorCode.INVALID_NODE, `scan inputs have different sequence lengths (${lengths.join(', ')})`);
  if (length > MAX_UNROLL) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `the scan runs ${length} steps, more than ${MAX_UNROLL} to unroll; it needs a loop layer`);
  const nOut = body.outputs.length - nState;
  if (nOut < 0) throw new ImportError(ParserErrorCode.INVALID_NODE, `body has ${body.outputs.length} outputs, expected at least ${nState}`);
  let current = states;
  const scans: Value[][] = Array.from({ length: nOut }, () => []);
  for (let t = 0; t < length; t += 1) {
    const state = current;
    const outs = ctx.importSubgraph(body, (scope) => {
      state.forEach((v, k) => scope.set(body.inputs[k]!.name, v));
      scanInputs.forEach((v, j) => scope.set(body.inputs[nState + j]!.name, pick(ctx.model, v, axes[j]!, plan.inReverse[j] ? length - 1 - t : t)));
    });
    current = outs.slice(0, nState);
    outs.slice(nState).forEach((v, k) => scans[k]!.push(v));
  }
  scans.forEach((values, k) => {
    if (plan.outReverse[k]) values.reverse();
  });
  return { states: current, scans };
}

function stackScanOutput(ctx: NodeContext, plan: ScanPlan, values: Value[], k: number, what: string): ITensor {
  if (values.length === 0) throw noSteps(ctx, what);
  const rank = shapeOf(values[0]!).length + 1;
  return stack(ctx.model, values, normalizeAxis(plan.outAxes[k] ?? 0, rank, `scan_output_axes[${k}]`));
}

function directions(ctx: NodeContext, name: string, count: number): boolean[] {
  const d = ctx.ints(name, []);
  if (d.length !== 0 && d.length !== count) throw new ImportError(ParserErrorCode.INVALID_NODE, `attribute ${name} has ${d.length} entries, expected ${count}`);
  return Array.from({ length: count }, (_, k) => {
    const v = d[k] ?? 0;
    if (v !== 0 && v !== 1) throw ctx.unsupportedAttr(name, d, 'directions are 0 (forward) or 1 (reverse)');
    return v === 1;
  });
}

const importScan: Importer = (ctx) => {
  const body = requireGraph(ctx, 'body');
  const nScanIn = ctx.int('num_scan_inputs');
  if (nScanIn === undefined || nScanIn < 1) throw new ImportError(ParserErrorCode.INVALID_NODE, 'attribute num_scan_inputs (>= 1) is required');
  if (ctx.opset >= 9) {
    const nState = ctx.numInputs - nScanIn;
    if (nState < 0) throw new ImportError(ParserErrorCode.INVALID_NODE, `num_scan_inputs=${nScanIn} exceeds the ${ctx.numInputs} inputs`);
    const nOut = ctx.numOutputs - nState;
    const plan: ScanPlan = {
      body,
      inAxes: ctx.ints('scan_input_axes', []),
      inReverse: directions(ctx, 'scan_input_directions', nScanIn),
      outAxes: ctx.ints('scan_output_axes', []),
      outReverse: directions(ctx, 'scan_output_directions', Math.max(nOut, 0)),
    };
    const states = Array.from({ length: nState }, (_, k) => ctx.input(k));
    const scanInputs = Array.from({ length: nScanIn }, (_, j) => ctx.input(nState + j));
    const r = unrollScan(ctx, plan, states, scanInputs);
    r.states.forEach((v, k) => ctx.setOutput(k, v));
    r.scans.forEach((values, k) => {
      if (ctx.node.outputs[nState + k]) ctx.setOutput(nState + k, stackScanOutput(ctx, plan, values, k, `scan output ${k}`));
    });
    return;
  }
  // Opset 8: input 0 is sequence_lens, every other input has a batch axis 0 and the scan axis 1.
  const nState = ctx.numInputs - 1 - nScanIn;
  if (nState < 0) throw new ImportError(ParserErrorCode.INVALID_NODE, `num_scan_inputs=${nScanIn} exceeds the ${ctx.numInputs - 1} inputs`);
  const states = Array.from({ length: nState }, (_, k) => ctx.input(1 + k));
  const scanInputs = Array.from({ length: nScanIn }, (_, j) => ctx.input(1 + nState + j));
  const all = [...states, ...scanInputs];
  const batch = shapeOf(all[0]!)[0]!;
  if (batch < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, 'the batch size of an opset-8 Scan is dynamic; unrolling needs it at parse time');
  const length = shapeOf(scanInputs[0]!)[1]!;
  if (ctx.hasInput(0)) {
    const lens = ctx.constNumbers(0);
    if (lens === undefined || lens.some((l) => l !== length)) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_INPUT, 'sequence_lens (input 0) must be absent or a constant equal to the sequence length for every batch entry');
    }
  }
  const nOut = ctx.numOutputs - nState;
  const plan: ScanPlan = { body, inAxes: new Array<number>(nScanIn).fill(0), inReverse: directions(ctx, 'directions', nScanIn), outAxes: [], outReverse: new Array<boolean>(Math.max(nOut, 0)).fill(false) };
  const finals: Value[][] = Array.from({ length: nState }, () => []);
  const outs: Value[][] = Array.from({ length: Math.max(nOut, 0) }, () => []);
  for (let b = 0; b < batch; b += 1) {
    const r = unrollScan(ctx, plan, states.map((v) => pick(ctx.model, v, 0, b)), scanInputs.map((v) => pick(ctx.model, v, 0, b)));
    r.states.forEach((v, k) => finals[k]!.push(v));
    r.scans.forEach((values, k) => outs[k]!.push(stackScanOutput(ctx, plan, values, k, `scan output ${k}`)));
  }
  if (batch === 0) throw noSteps(ctx, 'the outputs');
  finals.forEach((values, k) => ctx.setOutput(k, stack(ctx.model, values, 0)));
  outs.forEach((values, k) => {
    if (ctx.node.outputs[nState + k]) ctx.setOutput(nState + k, stack(ctx.model, values, 0));
  });
};

// --- RNN, GRU, LSTM ------------------------------------------------------------------------------

type Cell = 'RNN' | 'GRU' | 'LSTM';

const GATES: Record<Cell, number> = { RNN: 1, GRU: 3, LSTM: 4 };
const DEFAULT_ACTIVATIONS: Record<Cell, string[]> = { RNN: ['Tanh'], GRU: ['Sigmoid', 'Tanh'], LSTM: ['Sigmoid', 'Tanh', 'Tanh'] };

/** Activation functions of the recurrent operators: engine type, and which of alpha/beta they take (with defaults). */
const RNN_ACTIVATIONS: Record<string, { type?: ActivationType; alpha?: number; beta?: number }> = {
  relu: { type: ActivationType.RELU },
  tanh: { type: ActivationType.TANH },
  sigmoid: { type: ActivationType.SIGMOID },
  affine: { alpha: 1, beta: 0 },
  leakyrelu: { type: ActivationType.LEAKY_RELU, alpha: 0.01 },
  thresholdedrelu: { type: ActivationType.THRESHOLDED_RELU, alpha: 1 },
  scaledtanh: { type: ActivationType.SCALED_TANH, alpha: 1, beta: 1 },
  hardsigmoid: { type: ActivationType.HARD_SIGMOID, alpha: 0.2, beta: 0.5 },
  elu: { type: ActivationType.ELU, alpha: 1 },
  softsign: { type: ActivationType.SOFTSIGN },
  softplus: { type: ActivationType.SOFTPLUS },
};

type Activation = (v: Value) => Value;

function activationFunctions(ctx: NodeContext, cell: Cell, numDirections: number): Activation[][] {
  const perDirection = DEFAULT_ACTIVATIONS[cell].length;
  const names = ctx.strings('activations') ?? Array.from({ length: numDirections }, () => DEFAULT_ACTIVATIONS[cell]).flat();
  if (names.length !== perDirection * numDirections) {
    throw ctx.unsupportedAttr('activations', names, `${cell} with ${numDirections} direction(s) needs ${perDirection * numDirections} activation functions`);
  }
  const alphas = ctx.floats('activation_alpha', []);
  const betas = ctx.floats('activation_beta', []);
  let ai = 0;
  let bi = 0;
  const fns = names.map((name): Activation => {
    const key = name.toLowerCase();
    const spec = Object.prototype.hasOwnProperty.call(RNN_ACTIVATIONS, key) ? RNN_ACTIVATIONS[key] : undefined;
    if (!spec) throw ctx.unsupportedAttr('activations', names, `unknown activation function ${name}`);
    // alpha/beta are consumed in order by the functions that take them.
    const alpha = spec.alpha === undefined ? 0 : ai < alphas.length ? alphas[ai++]! : spec.alpha;
    const beta = spec.beta === undefined ? 0 : bi < betas.length ? betas[bi++]! : spec.beta;
    if (spec.type === undefined) {
      return (v) => elementwise(ctx.model, elementwise(ctx.model, v, scalarLike(v, alpha), ElementWiseOperation.PROD), scalarLike(v, beta), ElementWiseOperation.SUM);
    }
    const type = spec.type;
    return (v) => {
      const layer = ctx.network.addActivation(ctx.model.tensor(v), type);
      if (type === ActivationType.SOFTPLUS) [layer.alpha, layer.beta] = [1, 1];
      else [layer.alpha, layer.beta] = [alpha, beta];
      return layer.getOutput(0);
    };
  });
  return Array.from({ length: numDirections }, (_, d) => fns.slice(d * perDirection, (d + 1) * perDirection));
}

function recurrent(cell: Cell): Importer {
  return (ctx) => {
    const m = ctx.model;
    const G = GATES[cell];
    const layout = ctx.int('layout', 0);
    if (layout !== 0 && layout !== 1) throw ctx.unsupportedAttr('layout', layout, 'expected 0 or 1');
    const direction = ctx.string('direction', 'forward');
    if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw ctx.unsupportedAttr('direction', direction, 'expected forward, reverse or bidirectional');
    const D = direction === 'bidirectional' ? 2 : 1;
    let x = ctx.input(0);
    if (!isFloatType(typeOf(x))) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `${cell} input X has type ${OnnxType[typeOf(x)]}; expected a floating-point type`);
    if (shapeOf(x).length !== 3) throw new ImportError(ParserErrorCode.INVALID_NODE, `input X must have rank 3, got [${shapeOf(x).join(', ')}]`);
    if (layout === 1) x = transpose(m, x, [1, 0, 2]);
    const [S, B, I] = shapeOf(x) as [number, number, number];
    if (S < 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `${cell} has a dynamic sequence length; unrolling needs it at parse time (else a loop layer)`);
    if (S === 0) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_SHAPE, `${cell} has sequence length 0`);
    if (S > MAX_RNN_STEPS) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC, `${cell} has sequence length ${S}, too long to unroll; it needs a loop layer`);
    const w = ctx.input(1);
    const r = ctx.input(2);
    const wDims = shapeOf(w);
    const rDims = shapeOf(r);
    const H = ctx.int('hidden_size') ?? rDims[2]!;
    if (wDims.length !== 3 || rDims.length !== 3 || wDims.some((d) => d < 0) || rDims.some((d) => d < 0)) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_SHAPE, `W and R must have static rank-3 shapes, got [${wDims.join(', ')}] and [${rDims.join(', ')}]`);
    }
    if (wDims[0] !== D || wDims[1] !== G * H || rDims[0] !== D || rDims[1] !== G * H || rDims[2] !== H || (I >= 0 && wDims[2] !== I)) {
      throw new ImportError(ParserErrorCode.INVALID_NODE, `W [${wDims.join(', ')}] and R [${rDims.join(', ')}] do not match ${D} direction(s), ${G} gate(s), hidden_size ${H} and input size ${I}`);
    }
    const inputSize = wDims[2]!;
    const acts = activationFunctions(ctx, cell, D);
    const clip = ctx.float('clip');
    const linearBeforeReset = cell === 'GRU' && ctx.int('linear_before_reset', 0) !== 0;
    const inputForget = cell === 'LSTM' && ctx.int('input_forget', 0) !== 0;

    // sequence_lens: constant and all equal to S needs nothing; otherwise steps past a batch entry's length are masked.
    let seqLens: Value | undefined = ctx.optionalInput(4);
    if (seqLens && isConst(seqLens) && seqLens.toNumbers().every((l) => l === S)) seqLens = undefined;

    // Initial states come as [D, B, H] (layout 1: [B, D, H]).
    const initial = (i: number): Value | undefined => {
      const v = ctx.optionalInput(i);
      if (!v) return undefined;
      return layout === 1 ? transpose(m, v, [1, 0, 2]) : v;
    };
    const initialH = initial(5);
    const initialC = cell === 'LSTM' ? initial(6) : undefined;
    const peepholes = cell === 'LSTM' ? ctx.optionalInput(7) : undefined;

    const act = (f: Activation, v: Value): Value => {
      if (clip === undefined) return f(v);
      const c = ctx.network.addActivation(m.tensor(v), ActivationType.CLIP);
      [c.alpha, c.beta] = [-clip, clip];
      return f(c.getOutput(0));
    };
    const add = (a: Value, b: Value): Value => elementwise(m, a, b, ElementWiseOperation.SUM);
    const mul = (a: Value, b: Value): Value => elementwise(m, a, b, ElementWiseOperation.PROD);
    const sub = (a: Value, b: Value): Value => elementwise(m, a, b, ElementWiseOperation.SUB);
    // Rank-2 constants, like the [B, H] states they combine with.
    const floatType = typeOf(x) === OnnxType.DOUBLE ? OnnxType.FLOAT : typeOf(x);
    const zero = ConstTensor.fromNumbers(floatType, [1, 1], [0]);
    const one = ConstTensor.fromNumbers(floatType, [1, 1], [1]);
    // X as [S, 1, B, I], so that one matrix multiply gives every gate's input term: [S, G, B, H].
    // A dynamic batch is the one -1 of each reshape (every other dim is static).
    const x4 = reshape(m, x, [S, 1, B, inputSize]);

    const ys: ITensor[] = [];
    const yh: Value[] = [];
    const yc: Value[] = [];
    for (let d = 0; d < D; d += 1) {
      const reverse = direction === 'reverse' || d === 1;
      const [f, g, h] = acts[d]! as [Activation, Activation | undefined, Activation | undefined];
      const wd = m.tensor(reshapeV(m, pick(m, w, 0, d), [1, G, H, inputSize]));
      let xw: Value = m.network.addMatrixMultiply(m.tensor(x4), MatrixOperation.NONE, wd, MatrixOperation.TRANSPOSE).getOutput(0);
      const rd = pick(m, r, 0, d);
      // GRU's hidden gate: its recurrent bias stays apart under linear_before_reset, and without it the
      // recurrent term multiplies r ⊙ H, so R splits into the z/r gates and Rh.
      let rbh: Value | undefined;
      if (ctx.hasInput(3)) {
        const bDims = shapeOf(ctx.input(3));
        if (bDims.length !== 2 || bDims[0] !== D || bDims[1] !== 2 * G * H) throw new ImportError(ParserErrorCode.INVALID_NODE, `B must have dims [${D}, ${2 * G * H}], got [${bDims.join(', ')}]`);
        const bd = pick(m, ctx.input(3), 0, d);
        const b2 = reshapeV(m, bd, [2, G, H]);
        const wb = pick(m, b2, 0, 0);
        let rb = pick(m, b2, 0, 1);
        if (linearBeforeReset) {
          rbh = reshapeV(m, pick(m, rb, 0, 2), [1, H]);
          rb = mul(rb, ConstTensor.fromNumbers(floatType, [G, 1], [1, 1, 0]));
        }
        xw = add(xw, reshapeV(m, add(wb, rb), [1, G, 1, H]));
      }
      let rGates: ITensor;
      let rh: ITensor | undefined;
      if (cell === 'GRU' && !linearBeforeReset) {
        const r3 = m.tensor(reshapeV(m, rd, [G, H, H]));
        rGates = m.network.addSlice(r3, [0, 0, 0], [2, H, H], [1, 1, 1]).getOutput(0);
        rh = reshape(m, m.network.addSlice(r3, [2, 0, 0], [1, H, H], [1, 1, 1]).getOutput(0), [H, H]);
      } else {
        rGates = m.tensor(reshapeV(m, rd, [G, H, H]));
      }
      let pI: Value | undefined;
      let pO: Value | undefined;
      let pF: Value | undefined;
      if (peepholes) {
        const pd = reshapeV(m, pick(m, peepholes, 0, d), [3, 1, H]);
        [pI, pO, pF] = [pick(m, pd, 0, 0), pick(m, pd, 0, 1), pick(m, pd, 0, 2)];
      }

      let hPrev: Value | undefined = initialH ? pick(m, initialH, 0, d) : undefined;
      let cPrev: Value | undefined = initialC ? pick(m, initialC, 0, d) : undefined;
      const steps: Value[] = new Array<Value>(S);
      for (let s = 0; s < S; s += 1) {
        const t = reverse ? S - 1 - s : s;
        const xt = pick(m, xw, 0, t);
        const xg = (k: number): Value => pick(m, xt, 0, k);
        let rec: Value | undefined;
        if (hPrev !== undefined) {
          const h3 = reshape(m, hPrev, [1, B, H]);
          rec = m.network.addMatrixMultiply(h3, MatrixOperation.NONE, rGates, MatrixOperation.TRANSPOSE).getOutput(0);
        }
        const gate = (k: number): Value => (rec ? add(xg(k), pick(m, rec, 0, k)) : xg(k));
        let hNew: Value;
        let cNew: Value | undefined;
        if (cell === 'RNN') {
          hNew = act(f, gate(0));
        } else if (cell === 'GRU') {
          const z = act(f, gate(0));
          const rr = act(f, gate(1));
          let hh: Value;
          if (linearBeforeReset) {
            let recH: Value | undefined = rec ? pick(m, rec, 0, 2) : undefined;
            if (rbh) recH = recH ? add(recH, rbh) : rbh;
            hh = act(g!, recH ? add(xg(2), mul(rr, recH)) : xg(2));
          } else {
            hh = act(g!, hPrev !== undefined ? add(xg(2), m.network.addMatrixMultiply(m.tensor(mul(rr, hPrev)), MatrixOperation.NONE, rh!, MatrixOperation.TRANSPOSE).getOutput(0)) : xg(2));
          }
          hNew = mul(sub(one, z), hh);
          if (hPrev !== undefined) hNew = add(hNew, mul(z, hPrev));
        } else {
          // Gate order i, o, f, c; peepholes i, o, f.
          let gi = gate(0);
          if (pI && cPrev) gi = add(gi, mul(pI, cPrev));
          const it = act(f, gi);
          let ft: Value;
          if (inputForget) {
            ft = sub(one, it);
          } else {
            let gf = gate(2);
            if (pF && cPrev) gf = add(gf, mul(pF, cPrev));
            ft = act(f, gf);
          }
          const ct = act(g!, gate(3));
          cNew = mul(it, ct);
          if (cPrev) cNew = add(cNew, mul(ft, cPrev));
          let go = gate(1);
          if (pO) go = add(go, mul(pO, cNew));
          hNew = mul(act(f, go), h!(cNew));
        }
        let out = hNew;
        if (seqLens) {
          const lens = m.tensor(seqLens);
          const tConst = m.tensor(ConstTensor.fromNumbers(typeOf(seqLens), [1], [t]));
          const valid = m.network.addElementWise(tConst, lens, ElementWiseOperation.LESS).getOutput(0);
          const mask = reshape(m, valid, [B, 1]);
          const keep = (next: Value, prev: Value | undefined): ITensor => m.network.addSelect(mask, m.tensor(next), m.tensor(prev ?? zero)).getOutput(0);
          out = keep(hNew, undefined);
          hNew = keep(hNew, hPrev);
          if (cNew) cNew = keep(cNew, cPrev);
        }
        steps[t] = out;
        hPrev = hNew;
        cPrev = cNew;
      }
      if (ctx.node.outputs[0]) ys.push(stack(m, steps, 0));
      yh.push(hPrev!);
      if (cPrev) yc.push(cPrev);
    }
    if (ctx.node.outputs[0]) {
      // [S, D, B, H]; layout 1: [B, S, D, H].
      const y = stack(m, ys, 1);
      ctx.setOutput(0, layout === 1 ? transpose(m, y, [2, 0, 1, 3]) : y);
    }
    const finalState = (values: Value[]): ITensor => {
      const v = stack(m, values, 0);
      return layout === 1 ? transpose(m, v, [1, 0, 2]) : v;
    };
    if (ctx.node.outputs[1]) ctx.setOutput(1, finalState(yh));
    if (cell === 'LSTM' && ctx.node.outputs[2]) ctx.setOutput(2, finalState(yc));
  };
}

export const controlFlowImporters: Record<string, Importer> = {
  If: importIf,
  Loop: importLoop,
  Scan: importScan,
  RNN: recurrent('RNN'),
  GRU: recurrent('GRU'),
  LSTM: recurrent('LSTM'),
};
