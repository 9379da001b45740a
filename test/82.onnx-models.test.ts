/**
 * Whole models in the shape exporters produce, parsed with OnnxParser, built, run on random
 * inputs and compared with onnxruntime-node (CPU): a CNN (Conv+BatchNormalization+Relu,
 * depthwise and grouped convolutions, HardSigmoid/HardSwish/Clip, pooling), a decoder
 * (ConvTranspose, Resize), a transformer block (MatMul attention, LayerNormalization and its
 * decomposed ReduceMean/Sub/Pow/Sqrt/Div form, Softmax, Gelu and its Erf form), an MLP of Gemms
 * with a symbolic batch dimension run at two batch sizes, and Einsum forms.
 *
 * Tolerances: |engine - ort| <= atol + rtol * |ort| with rtol 1e-4 and atol 1e-5 (CNN, MLP,
 * Einsum) or 5e-5 (transformer block: two LayerNorms and a softmax amplify the float32
 * rounding differences of other summation orders). Values are O(1) throughout.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { ParserErrorCode } from '../lib/index.js';
import { buildEngine, quietLogger, runEngine } from './helpers/engine.js';
import { OnnxDataType, OnnxGraph, OnnxNode, OnnxTensorInit, OnnxValueInfo, encodeOnnxModel, floatTensor, int64Tensor } from './helpers/onnx.js';
import { runOrt } from './helpers/ort.js';
import { randomFloat32 } from './helpers/random.js';

type Profile = Record<string, [number[], number[], number[]]>;

interface Tolerance {
  rtol: number;
  atol: number;
}

const TIGHT: Tolerance = { rtol: 1e-4, atol: 1e-5 };
const TRANSFORMER: Tolerance = { rtol: 1e-4, atol: 5e-5 };

function input(name: string, dims: (number | string)[]): OnnxValueInfo {
  return { name, dataType: OnnxDataType.FLOAT, dims };
}

const volume = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/** Seeded weights in [-scale, scale). */
let seed = 1000;
function weights(name: string, dims: number[], scale = 0.5, offset = 0): OnnxTensorInit {
  seed += 1;
  return floatTensor(name, dims, randomFloat32(volume(dims), seed, offset - scale, offset + scale));
}

/**
 * Builds `graph` once (with `profiles`), runs each input set on the engine and on onnxruntime
 * and compares every output within `tol`.
 */
async function matchesOrt(graph: OnnxGraph, runs: Array<Record<string, number[]>>, tol: Tolerance, profiles: Profile[] = []): Promise<void> {
  const bytes = encodeOnnxModel(graph);
  const engine = await buildEngine(
    (network) => {
      const parser = new trt.OnnxParser(network, quietLogger);
      if (!parser.parse(bytes)) throw new Error(parser.getError(0)!.desc());
    },
    { profiles },
  );
  try {
    for (const [k, shapes] of runs.entries()) {
      const feeds = Object.fromEntries(Object.entries(shapes).map(([name, dims], i) => [name, randomFloat32(volume(dims), 7 + 31 * k + i, -2, 2)]));
      const actual = await runEngine(engine, Object.fromEntries(Object.entries(feeds).map(([name, d]) => [name, { ref: { dims: shapes[name]!, data: Float64Array.from(d) } }])));
      const expected = await runOrt(bytes, Object.fromEntries(Object.entries(feeds).map(([name, d]) => [name, { dims: shapes[name]!, data: d }])));
      for (const o of graph.outputs) {
        const want = expected[o.name]!;
        const got = actual[o.name]!;
        const where = `${o.name} at ${JSON.stringify(shapes)}`;
        expect(got.dims, `${where} dims`).toEqual(want.dims);
        const w = Array.from(want.data as ArrayLike<number>, Number);
        let worst = 0;
        let worstAt = -1;
        got.data.forEach((v, i) => {
          const excess = Math.abs(v - w[i]!) - (tol.atol + tol.rtol * Math.abs(w[i]!));
          if (!(excess <= worst)) {
            worst = Number.isNaN(excess) ? Infinity : excess;
            worstAt = i;
          }
        });
        expect(worstAt, `${where}: element ${worstAt} is ${got.data[worstAt]}, onnxruntime gives ${w[worstAt]}`).toBe(-1);
      }
    }
  } finally {
    engine.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// CNN

/** Conv → BatchNormalization → activation nodes, with their initializers. */
function convBnAct(
  name: string,
  x: string,
  cin: number,
  cout: number,
  opts: { k?: number; stride?: number; group?: number; pad?: number; act?: OnnxNode['opType']; actAttrs?: OnnxNode['attributes']; bias?: boolean },
): { nodes: OnnxNode[]; inits: OnnxTensorInit[]; out: string } {
  const k = opts.k ?? 3;
  const group = opts.group ?? 1;
  const pad = opts.pad ?? Math.floor(k / 2);
  const inits = [
    weights(`${name}.w`, [cout, cin / group, k, k], 0.6),
    weights(`${name}.bn.scale`, [cout], 0.3, 1),
    weights(`${name}.bn.bias`, [cout], 0.2),
    weights(`${name}.bn.mean`, [cout], 0.2),
    weights(`${name}.bn.var`, [cout], 0.4, 1),
  ];
  const convInputs = [x, `${name}.w`];
  if (opts.bias) {
    inits.push(weights(`${name}.b`, [cout], 0.1));
    convInputs.push(`${name}.b`);
  }
  const nodes: OnnxNode[] = [
    { opType: 'Conv', inputs: convInputs, outputs: [`${name}.conv`], attributes: { kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [opts.stride ?? 1, opts.stride ?? 1], group } },
    { opType: 'BatchNormalization', inputs: [`${name}.conv`, `${name}.bn.scale`, `${name}.bn.bias`, `${name}.bn.mean`, `${name}.bn.var`], outputs: [`${name}.bn`], attributes: { epsilon: { f: 1e-5 } } },
  ];
  let out = `${name}.bn`;
  if (opts.act) {
    nodes.push({ opType: opts.act, inputs: [out], outputs: [`${name}.act`], ...(opts.actAttrs ? { attributes: opts.actAttrs } : {}) });
    out = `${name}.act`;
  }
  return { nodes, inits, out };
}

function cnn(): OnnxGraph {
  const stem = convBnAct('stem', 'x', 3, 8, { act: 'Relu', bias: true });
  const dw = convBnAct('dw', stem.out, 8, 8, { group: 8, act: 'HardSwish' });
  const grouped = convBnAct('grp', dw.out, 8, 16, { group: 2, stride: 2, act: 'HardSigmoid', actAttrs: { alpha: { f: 0.2 }, beta: { f: 0.5 } } });
  const pw = convBnAct('pw', grouped.out, 16, 16, { k: 1, pad: 0 });
  return {
    opset: 14,
    nodes: [
      ...stem.nodes,
      ...dw.nodes,
      ...grouped.nodes,
      ...pw.nodes,
      // ReLU6 as exporters write it: Clip with constant min/max inputs.
      { opType: 'Clip', inputs: [pw.out, 'clip.min', 'clip.max'], outputs: ['relu6'] },
      { opType: 'MaxPool', inputs: ['relu6'], outputs: ['pool'], attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
      { opType: 'AveragePool', inputs: ['relu6'], outputs: ['avg'], attributes: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } },
      { opType: 'Add', inputs: ['pool', 'avg'], outputs: ['sum'] },
      { opType: 'GlobalAveragePool', inputs: ['sum'], outputs: ['gap'] },
      { opType: 'Flatten', inputs: ['gap'], outputs: ['flat'], attributes: { axis: 1 } },
      { opType: 'Gemm', inputs: ['flat', 'fc.w', 'fc.b'], outputs: ['logits'], attributes: { transB: 1 } },
    ],
    inputs: [input('x', [2, 3, 15, 15])],
    outputs: [input('logits', [2, 5]), input('relu6', [2, 16, 8, 8])],
    initializers: [...stem.inits, ...dw.inits, ...grouped.inits, ...pw.inits, floatTensor('clip.min', [], [0]), floatTensor('clip.max', [], [6]), weights('fc.w', [5, 16]), weights('fc.b', [5])],
  };
}

function decoder(): OnnxGraph {
  return {
    opset: 13,
    nodes: [
      { opType: 'ConvTranspose', inputs: ['x', 'up.w', 'up.b'], outputs: ['up'], attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } },
      { opType: 'Relu', inputs: ['up'], outputs: ['up.relu'] },
      // Grouped ConvTranspose with dilation, then nearest and bilinear Resize.
      { opType: 'ConvTranspose', inputs: ['up.relu', 'g.w'], outputs: ['g'], attributes: { kernel_shape: [2, 2], group: 2, dilations: [2, 2] } },
      { opType: 'Resize', inputs: ['g', '', 'scales2'], outputs: ['nearest'], attributes: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } },
      { opType: 'Resize', inputs: ['g', '', '', 'sizes'], outputs: ['linear'], attributes: { mode: 'linear', coordinate_transformation_mode: 'half_pixel' } },
      { opType: 'Resize', inputs: ['g', '', 'scales15'], outputs: ['cubic'], attributes: { mode: 'cubic', coordinate_transformation_mode: 'pytorch_half_pixel' } },
    ],
    inputs: [input('x', [1, 4, 5, 6])],
    outputs: [input('up.relu', [1, 6, 10, 12]), input('nearest', [1, 4, 24, 28]), input('linear', [1, 4, 17, 9]), input('cubic', [1, 4, 18, 21])],
    initializers: [
      weights('up.w', [4, 6, 3, 3]),
      weights('up.b', [6], 0.1),
      weights('g.w', [6, 2, 2, 2]),
      floatTensor('scales2', [4], [1, 1, 2, 2]),
      floatTensor('scales15', [4], [1, 1, 1.5, 1.5]),
      int64Tensor('sizes', [1, 4, 17, 9]),
    ],
  };
}

describe('ONNX CNN models against onnxruntime', () => {
  it('Conv+BatchNormalization+Relu, depthwise and grouped convolutions, HardSwish/HardSigmoid/Clip, pooling, Gemm head', async () => {
    await matchesOrt(cnn(), [{ x: [2, 3, 15, 15] }], TIGHT);
  });

  it('ConvTranspose (output_padding, groups, dilation) and Resize (nearest, linear, cubic)', async () => {
    await matchesOrt(decoder(), [{ x: [1, 4, 5, 6] }], TIGHT);
  });
});

// ---------------------------------------------------------------------------------------------
// Transformer block

const D = 16;
const HEADS = 2;
const HD = D / HEADS;
const FF = 32;

/** LayerNormalization written out as exporters did before opset 17. */
function decomposedLayerNorm(x: string, out: string, p: string): { nodes: OnnxNode[]; inits: OnnxTensorInit[] } {
  return {
    nodes: [
      { opType: 'ReduceMean', inputs: [x, `${p}.axes`], outputs: [`${p}.mean`] },
      { opType: 'Sub', inputs: [x, `${p}.mean`], outputs: [`${p}.d`] },
      { opType: 'Pow', inputs: [`${p}.d`, `${p}.two`], outputs: [`${p}.sq`] },
      { opType: 'ReduceMean', inputs: [`${p}.sq`, `${p}.axes`], outputs: [`${p}.var`] },
      { opType: 'Add', inputs: [`${p}.var`, `${p}.eps`], outputs: [`${p}.vare`] },
      { opType: 'Sqrt', inputs: [`${p}.vare`], outputs: [`${p}.std`] },
      { opType: 'Div', inputs: [`${p}.d`, `${p}.std`], outputs: [`${p}.n`] },
      { opType: 'Mul', inputs: [`${p}.n`, `${p}.g`], outputs: [`${p}.ng`] },
      { opType: 'Add', inputs: [`${p}.ng`, `${p}.b`], outputs: [out] },
    ],
    inits: [int64Tensor(`${p}.axes`, [-1]), floatTensor(`${p}.two`, [], [2]), floatTensor(`${p}.eps`, [], [1e-5]), weights(`${p}.g`, [D], 0.2, 1), weights(`${p}.b`, [D], 0.1)],
  };
}

/** x * 0.5 * (1 + erf(x / sqrt(2))), the Gelu form exporters wrote before opset 20. */
function erfGelu(x: string, out: string, p: string): { nodes: OnnxNode[]; inits: OnnxTensorInit[] } {
  return {
    nodes: [
      { opType: 'Div', inputs: [x, `${p}.sqrt2`], outputs: [`${p}.s`] },
      { opType: 'Erf', inputs: [`${p}.s`], outputs: [`${p}.erf`] },
      { opType: 'Add', inputs: [`${p}.erf`, `${p}.one`], outputs: [`${p}.e1`] },
      { opType: 'Mul', inputs: [x, `${p}.e1`], outputs: [`${p}.xe`] },
      { opType: 'Mul', inputs: [`${p}.xe`, `${p}.half`], outputs: [out] },
    ],
    inits: [floatTensor(`${p}.sqrt2`, [], [Math.SQRT2]), floatTensor(`${p}.one`, [], [1]), floatTensor(`${p}.half`, [], [0.5])],
  };
}

function transformerBlock(batch: number | string, seq: number | string): OnnxGraph {
  const ln2 = decomposedLayerNorm('res1', 'ln2', 'ln2');
  const gelu2 = erfGelu('ff1b', 'act2', 'gelu');
  const proj = (name: string, x: string): OnnxNode[] => [
    { opType: 'MatMul', inputs: [x, `${name}.w`], outputs: [`${name}.mm`] },
    { opType: 'Add', inputs: [`${name}.mm`, `${name}.b`], outputs: [`${name}.out`] },
  ];
  const heads = (name: string, perm: number[]): OnnxNode[] => [
    { opType: 'Reshape', inputs: [`${name}.out`, 'headShape'], outputs: [`${name}.h`] },
    { opType: 'Transpose', inputs: [`${name}.h`], outputs: [`${name}.t`], attributes: { perm } },
  ];
  return {
    opset: 20,
    nodes: [
      { opType: 'LayerNormalization', inputs: ['x', 'ln1.g', 'ln1.b'], outputs: ['ln1'], attributes: { axis: -1, epsilon: { f: 1e-5 } } },
      ...proj('q', 'ln1'),
      ...proj('k', 'ln1'),
      ...proj('v', 'ln1'),
      ...heads('q', [0, 2, 1, 3]),
      ...heads('k', [0, 2, 3, 1]),
      ...heads('v', [0, 2, 1, 3]),
      { opType: 'MatMul', inputs: ['q.t', 'k.t'], outputs: ['scores'] },
      { opType: 'Div', inputs: ['scores', 'sqrtHd'], outputs: ['scaled'] },
      { opType: 'Softmax', inputs: ['scaled'], outputs: ['probs'], attributes: { axis: -1 } },
      { opType: 'MatMul', inputs: ['probs', 'v.t'], outputs: ['ctx'] },
      { opType: 'Transpose', inputs: ['ctx'], outputs: ['ctx.t'], attributes: { perm: [0, 2, 1, 3] } },
      { opType: 'Reshape', inputs: ['ctx.t', 'modelShape'], outputs: ['ctx.m'] },
      ...proj('o', 'ctx.m'),
      { opType: 'Add', inputs: ['x', 'o.out'], outputs: ['res1'] },
      ...ln2.nodes,
      ...proj('ff1', 'ln2'),
      // Both Gelu spellings on the two halves of the hidden layer.
      { opType: 'Gelu', inputs: ['ff1.out'], outputs: ['act1'] },
      { opType: 'Identity', inputs: ['ff1.out'], outputs: ['ff1b'] },
      ...gelu2.nodes,
      { opType: 'Add', inputs: ['act1', 'act2'], outputs: ['act'] },
      ...proj('ff2', 'act'),
      { opType: 'Add', inputs: ['res1', 'ff2.out'], outputs: ['y'] },
    ],
    inputs: [input('x', [batch, seq, D])],
    outputs: [input('y', [batch, seq, D]), input('probs', [batch, HEADS, seq, seq])],
    initializers: [
      weights('ln1.g', [D], 0.2, 1),
      weights('ln1.b', [D], 0.1),
      ...['q', 'k', 'v', 'o'].flatMap((n) => [weights(`${n}.w`, [D, D], 0.4), weights(`${n}.b`, [D], 0.1)]),
      weights('ff1.w', [D, FF], 0.4),
      weights('ff1.b', [FF], 0.1),
      weights('ff2.w', [FF, D], 0.3),
      weights('ff2.b', [D], 0.1),
      int64Tensor('headShape', [0, 0, HEADS, HD]),
      int64Tensor('modelShape', [0, 0, D]),
      floatTensor('sqrtHd', [], [Math.sqrt(HD)]),
      ...ln2.inits,
      ...gelu2.inits,
    ],
  };
}

describe('ONNX Resize keep_aspect_ratio_policy against onnxruntime', () => {
  const resize = (policy: string, dims: number[], sizes: number[]): OnnxGraph => ({
    opset: 19,
    nodes: [{ opType: 'Resize', inputs: ['x', '', '', 'sizes'], outputs: ['y'], attributes: { mode: 'linear', keep_aspect_ratio_policy: policy, axes: [2, 3] } }],
    inputs: [input('x', dims)],
    outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: [-1, -1, -1, -1] }],
    initializers: [int64Tensor('sizes', sizes)],
  });

  it('maps coordinates with the one uniform scale (not_larger and not_smaller)', async () => {
    // Chosen so that out/in differs from the uniform scale on one axis:
    // not_larger on 7x10 to [3, 20]: scale 3/7 → [3, 4] (4/10 != 3/7);
    // not_smaller on 7x10 to [10, 5]: scale 10/7 → [10, 14] (14/10 != 10/7).
    await matchesOrt(resize('not_larger', [1, 2, 7, 10], [3, 20]), [{ x: [1, 2, 7, 10] }], TIGHT);
    await matchesOrt(resize('not_smaller', [1, 2, 7, 10], [10, 5]), [{ x: [1, 2, 7, 10] }], TIGHT);
  });

  it('refuses a scale whose sizes round up, naming the attribute', () => {
    // 3/8 = 0.375: 0.375 * 10 = 3.75 rounds to 4, but the layer would floor it to 3.
    const e = parseError(resize('not_larger', [1, 2, 8, 10], [3, 20]));
    expect(e.code()).toBe(ParserErrorCode.UNSUPPORTED_NODE_ATTR);
    expect(e.desc()).toMatch(/keep_aspect_ratio_policy/);
  });
});

describe('ONNX transformer block against onnxruntime', () => {
  it('attention with MatMul/Softmax, LayerNormalization and its decomposed form, Gelu and its Erf form', async () => {
    await matchesOrt(transformerBlock(2, 5), [{ x: [2, 5, D] }], TRANSFORMER);
  });

  it('runs with symbolic batch and sequence dimensions', async () => {
    const profile: Profile = { x: [[1, 1, D], [2, 6, D], [4, 12, D]] };
    await matchesOrt(transformerBlock('batch', 'seq'), [{ x: [1, 3, D] }, { x: [4, 12, D] }], TRANSFORMER, [profile]);
  });
});

// ---------------------------------------------------------------------------------------------
// MLP with a symbolic batch

function mlp(): OnnxGraph {
  return {
    opset: 13,
    nodes: [
      { opType: 'Gemm', inputs: ['x', 'fc1.w', 'fc1.b'], outputs: ['h1'], attributes: { transB: 1 } },
      { opType: 'Relu', inputs: ['h1'], outputs: ['a1'] },
      { opType: 'Gemm', inputs: ['a1', 'fc2.w', 'fc2.b'], outputs: ['h2'], attributes: { alpha: { f: 0.5 }, beta: { f: 2 } } },
      { opType: 'Tanh', inputs: ['h2'], outputs: ['a2'] },
      // A transposed activation operand and a [1, N] bias.
      { opType: 'Transpose', inputs: ['a2'], outputs: ['a2t'], attributes: { perm: [1, 0] } },
      { opType: 'Gemm', inputs: ['a2t', 'fc3.w', 'fc3.b'], outputs: ['logits'], attributes: { transA: 1 } },
      { opType: 'LogSoftmax', inputs: ['logits'], outputs: ['y'], attributes: { axis: 1 } },
    ],
    inputs: [input('x', ['batch', 20])],
    outputs: [input('y', ['batch', 10])],
    initializers: [weights('fc1.w', [32, 20]), weights('fc1.b', [32], 0.1), weights('fc2.w', [32, 24]), weights('fc2.b', [24], 0.1), weights('fc3.w', [24, 10]), weights('fc3.b', [1, 10], 0.1)],
  };
}

describe('ONNX MLP against onnxruntime', () => {
  it('Gemm layers (transA, transB, alpha, beta, bias broadcast) with a symbolic batch, built with a profile and run at two batch sizes', async () => {
    const profile: Profile = { x: [[1, 20], [8, 20], [16, 20]] };
    await matchesOrt(mlp(), [{ x: [3, 20] }, { x: [16, 20] }], TIGHT, [profile]);
  });
});

// ---------------------------------------------------------------------------------------------
// Einsum

describe('ONNX Einsum against onnxruntime', () => {
  const cases: Array<{ equation: string; shapes: number[][]; out: number[] }> = [
    { equation: 'bij,bjk->bik', shapes: [[2, 3, 4], [2, 4, 5]], out: [2, 3, 5] },
    { equation: 'bhqd,bhkd->bhqk', shapes: [[2, 2, 3, 4], [2, 2, 5, 4]], out: [2, 2, 3, 5] },
    { equation: 'ij->ji', shapes: [[3, 4]], out: [4, 3] },
    { equation: 'ij->i', shapes: [[3, 4]], out: [3] },
    { equation: 'i,i', shapes: [[6], [6]], out: [] },
    { equation: 'i,j->ij', shapes: [[3], [4]], out: [3, 4] },
    { equation: '...ij,...jk->...ik', shapes: [[2, 3, 4], [2, 4, 2]], out: [2, 3, 2] },
    { equation: 'ab,bc,cd->ad', shapes: [[2, 3], [3, 4], [4, 5]], out: [2, 5] },
    // Diagonals: a letter repeated within one term.
    { equation: 'ii->i', shapes: [[4, 4]], out: [4] },
    { equation: 'ii', shapes: [[4, 4]], out: [] },
    { equation: '...ii->...i', shapes: [[2, 3, 4, 4]], out: [2, 3, 4] },
    { equation: 'iji->ji', shapes: [[3, 2, 3]], out: [2, 3] },
    { equation: 'ijij->ij', shapes: [[2, 3, 2, 3]], out: [2, 3] },
    { equation: 'bii,bj->bij', shapes: [[2, 3, 3], [2, 4]], out: [2, 3, 4] },
  ];
  for (const c of cases) {
    it(`computes "${c.equation}"`, async () => {
      const names = c.shapes.map((_, i) => `in${i}`);
      const graph: OnnxGraph = {
        opset: 13,
        nodes: [{ opType: 'Einsum', inputs: names, outputs: ['y'], attributes: { equation: c.equation } }],
        inputs: c.shapes.map((s, i) => input(names[i]!, s)),
        outputs: [input('y', c.out)],
      };
      await matchesOrt(graph, [Object.fromEntries(c.shapes.map((s, i) => [names[i]!, s]))], TIGHT);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// EXPECTED FAILURE: unsupported forms fail at parse time with a code naming the cause

function parseError(graph: OnnxGraph): trt.ParserError {
  const builder = new trt.Builder(quietLogger);
  try {
    const parser = new trt.OnnxParser(builder.createNetworkV2(), quietLogger);
    expect(parser.parse(encodeOnnxModel(graph))).toBe(false);
    return parser.getError(0)!;
  } finally {
    builder.dispose();
  }
}

describe('ONNX nn importers: EXPECTED FAILURE', () => {
  it('rejects antialiased Resize with run-time scales (the scales must be known to antialias)', () => {
    const e = parseError({
      opset: 18,
      nodes: [{ opType: 'Resize', inputs: ['x', '', 'scales'], outputs: ['y'], attributes: { mode: 'linear', antialias: 1 } }],
      inputs: [input('x', [1, 1, 2, 2]), input('scales', [4])],
      outputs: [input('y', [-1, -1, -1, -1])],
    });
    expect(e.code()).toBe(ParserErrorCode.UNSUPPORTED_NODE_ATTR);
    expect(e.desc()).toMatch(/antialias.*needs constant scales/);
  });

  it('rejects tf_crop_and_resize naming the attribute', () => {
    const e = parseError({
      opset: 13,
      nodes: [{ opType: 'Resize', inputs: ['x', 'roi', 'scales'], outputs: ['y'], attributes: { coordinate_transformation_mode: 'tf_crop_and_resize' } }],
      inputs: [input('x', [1, 1, 2, 2])],
      outputs: [input('y', [1, 1, 4, 4])],
      initializers: [floatTensor('roi', [8], [0, 0, 0, 0, 1, 1, 1, 1]), floatTensor('scales', [4], [1, 1, 2, 2])],
    });
    expect(e.code()).toBe(ParserErrorCode.UNSUPPORTED_NODE_ATTR);
    expect(e.desc()).toMatch(/coordinate_transformation_mode="tf_crop_and_resize"/);
  });

  it('rejects training-mode BatchNormalization and MaxPool Indices', () => {
    const bn = parseError({
      opset: 15,
      nodes: [{ opType: 'BatchNormalization', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y'], attributes: { training_mode: 1 } }],
      inputs: [input('x', [1, 2, 2, 2])],
      outputs: [input('y', [1, 2, 2, 2])],
      initializers: ['s', 'b', 'm', 'v'].map((n) => floatTensor(n, [2], [1, 1])),
    });
    expect(bn.code()).toBe(ParserErrorCode.UNSUPPORTED_NODE_ATTR);
    expect(bn.desc()).toMatch(/training_mode/);
    const pool = parseError({
      opset: 12,
      nodes: [{ opType: 'MaxPool', inputs: ['x'], outputs: ['y', 'i'], attributes: { kernel_shape: [2, 2] } }],
      inputs: [input('x', [1, 1, 4, 4])],
      outputs: [input('y', [1, 1, 3, 3])],
    });
    expect(pool.code()).toBe(ParserErrorCode.UNSUPPORTED_NODE);
    expect(pool.desc()).toMatch(/Indices/);
  });

  it('rejects an Einsum diagonal over dims of different sizes naming the equation', () => {
    const e = parseError({
      opset: 13,
      nodes: [{ opType: 'Einsum', inputs: ['x'], outputs: ['y'], attributes: { equation: 'ii->i' } }],
      inputs: [input('x', [3, 4])],
      outputs: [input('y', [3])],
    });
    expect(e.code()).toBe(ParserErrorCode.UNSUPPORTED_NODE_ATTR);
    expect(e.desc()).toMatch(/equation="ii->i".*letter i repeated within a term names dims of sizes 3 and 4/);
  });
});
