/**
 * Control-flow and recurrent ONNX importers (If, Loop, Scan, RNN/GRU/LSTM unrolled into layers),
 * compared with onnxruntime-node on seeded random inputs. The unrolled cells sum in another
 * order than onnxruntime's fused kernels: float32 outputs match within atol 1e-5 + rtol 1e-4.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { ParserErrorCode } from '../lib/index.js';
import { buildEngine, quietLogger, runEngine } from './helpers/engine.js';
import {
  OnnxDataType,
  OnnxGraph,
  OnnxNode,
  OnnxTensorInit,
  OnnxValueInfo,
  ProtoWriter,
  floatTensor,
  int64Tensor,
  nodeProto,
  tensorProto,
  valueInfoProto,
} from './helpers/onnx.js';
import { OrtFeed, runOrt } from './helpers/ort.js';
import { randomFloat32 } from './helpers/random.js';

const ATOL = 1e-5;
const RTOL = 1e-4;

/** A node that may carry GRAPH attributes (If branches, Loop/Scan bodies). */
interface CfNode extends OnnxNode {
  graphs?: Record<string, CfGraph>;
}

interface CfGraph extends Omit<OnnxGraph, 'nodes'> {
  nodes: CfNode[];
}

const GRAPH_ATTRIBUTE = 5;

function graphWriter(g: CfGraph): ProtoWriter {
  const w = new ProtoWriter();
  g.nodes.forEach((n, i) => {
    const nw = nodeProto(n, i);
    for (const [name, sub] of Object.entries(n.graphs ?? {})) {
      nw.message(5, new ProtoWriter().string(1, name).message(6, graphWriter(sub)).varint(20, GRAPH_ATTRIBUTE));
    }
    w.message(1, nw);
  });
  w.string(2, g.name ?? 'graph');
  for (const t of g.initializers ?? []) w.message(5, tensorProto(t));
  for (const v of g.inputs) w.message(11, valueInfoProto(v));
  for (const v of g.outputs) w.message(12, valueInfoProto(v));
  return w;
}

function encodeModel(g: CfGraph): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, 8);
  w.string(2, 'tensorrt-node-test');
  w.message(7, graphWriter(g));
  w.message(8, new ProtoWriter().string(1, '').varint(2, g.opset ?? 17));
  return w.finish();
}

function value(name: string, dims: (number | string)[], dataType: number = OnnxDataType.FLOAT): OnnxValueInfo {
  return { name, dataType: dataType as OnnxValueInfo['dataType'], dims };
}

function weights(name: string, dims: number[], seed: number, scale = 0.5): OnnxTensorInit {
  const n = dims.reduce((a, b) => a * b, 1);
  return floatTensor(name, dims, randomFloat32(n, seed, -scale, scale));
}

type Profile = Record<string, [number[], number[], number[]]>;

/** Builds the model, runs each feed set on the engine and on onnxruntime, and compares every output. */
async function matchesOrt(
  graph: CfGraph,
  runs: Array<Record<string, OrtFeed>>,
  profiles: Profile[] = [],
  reference: CfGraph = graph,
  shapeValues: Profile[] = [],
): Promise<void> {
  const bytes = encodeModel(graph);
  const referenceBytes = encodeModel(reference);
  const engine = await buildEngine(
    (network) => {
      const parser = new trt.OnnxParser(network, quietLogger);
      if (!parser.parse(bytes)) throw new Error(parser.getError(0)!.desc());
    },
    { profiles, shapeValues },
  );
  try {
    for (const feeds of runs) {
      const actual = await runEngine(
        engine,
        Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, { ref: { dims: [...f.dims], data: Float64Array.from(f.data as ArrayLike<number>, Number) } }])),
      );
      const expected = await runOrt(referenceBytes, feeds);
      for (const o of graph.outputs) {
        const want = expected[o.name]!;
        const got = actual[o.name]!;
        expect(got.dims, `${o.name} dims`).toEqual(want.dims);
        const w = Array.from(want.data as ArrayLike<number>, Number);
        let worst = 0;
        got.data.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - w[i]!) - (ATOL + RTOL * Math.abs(w[i]!)));
        });
        expect(worst, `${o.name}: largest excess over atol ${ATOL} + rtol ${RTOL}`).toBeLessThanOrEqual(0);
      }
    }
  } finally {
    engine.dispose();
  }
}

function floats(dims: number[], seed: number): OrtFeed {
  return { dims, data: randomFloat32(dims.reduce((a, b) => a * b, 1), seed) };
}

/** Parses `graph` and returns the first error (or undefined on success). */
function parseError(graph: CfGraph): trt.ParserError | undefined {
  const builder = new trt.Builder(quietLogger);
  try {
    const parser = new trt.OnnxParser(builder.createNetworkV2(), quietLogger);
    return parser.parse(encodeModel(graph)) ? undefined : parser.getError(0)!;
  } finally {
    builder.dispose();
  }
}

describe('ONNX recurrent operators', () => {
  const [T, B, I, H] = [5, 3, 4, 6];

  it('unrolls a bidirectional LSTM with peepholes and initial states (outputs Y, Y_h, Y_c)', async () => {
    const graph: CfGraph = {
      opset: 14,
      nodes: [{ opType: 'LSTM', inputs: ['x', 'w', 'r', 'b', '', 'h0', 'c0', 'p'], outputs: ['y', 'yh', 'yc'], attributes: { hidden_size: H, direction: 'bidirectional' } }],
      inputs: [value('x', [T, B, I]), value('h0', [2, B, H]), value('c0', [2, B, H])],
      outputs: [value('y', [T, 2, B, H]), value('yh', [2, B, H]), value('yc', [2, B, H])],
      initializers: [weights('w', [2, 4 * H, I], 1), weights('r', [2, 4 * H, H], 2), weights('b', [2, 8 * H], 3), weights('p', [2, 3 * H], 4)],
    };
    await matchesOrt(graph, [{ x: floats([T, B, I], 10), h0: floats([2, B, H], 11), c0: floats([2, B, H], 12) }]);
  });

  it('unrolls a reverse LSTM with clip, input_forget, custom activations and run-time sequence_lens', async () => {
    const graph: CfGraph = {
      opset: 14,
      nodes: [
        {
          opType: 'LSTM',
          inputs: ['x', 'w', 'r', 'b', 'lens', 'h0'],
          outputs: ['y', 'yh', 'yc'],
          attributes: {
            hidden_size: H,
            direction: 'reverse',
            clip: 0.75,
            input_forget: 1,
            activations: { strings: ['HardSigmoid', 'LeakyRelu', 'Tanh'] },
            activation_alpha: [0.3, 0.05],
            activation_beta: [0.4],
          },
        },
      ],
      inputs: [value('x', [T, B, I]), value('lens', [B], OnnxDataType.INT32), value('h0', [1, B, H])],
      outputs: [value('y', [T, 1, B, H]), value('yh', [1, B, H]), value('yc', [1, B, H])],
      initializers: [weights('w', [1, 4 * H, I], 5, 1.5), weights('r', [1, 4 * H, H], 6, 1.5), weights('b', [1, 8 * H], 7)],
    };
    await matchesOrt(graph, [{ x: floats([T, B, I], 13), lens: { dims: [B], data: Int32Array.from([5, 2, 4]) }, h0: floats([1, B, H], 14) }]);
  });

  it('unrolls a bidirectional GRU with initial state, both linear_before_reset forms and a dynamic batch', async () => {
    const gru = (lbr: number, out: string): CfNode => ({
      opType: 'GRU',
      name: `gru${lbr}`,
      inputs: ['x', `w${lbr}`, `r${lbr}`, `b${lbr}`, '', 'h0'],
      outputs: [`${out}y`, `${out}h`],
      attributes: { hidden_size: H, direction: 'bidirectional', linear_before_reset: lbr },
    });
    const graph: CfGraph = {
      opset: 14,
      nodes: [gru(0, 'a'), gru(1, 'b')],
      inputs: [value('x', [T, 'batch', I]), value('h0', [2, 'batch', H])],
      outputs: [value('ay', [T, 2, 'batch', H]), value('ah', [2, 'batch', H]), value('by', [T, 2, 'batch', H]), value('bh', [2, 'batch', H])],
      initializers: [0, 1].flatMap((k) => [weights(`w${k}`, [2, 3 * H, I], 20 + k), weights(`r${k}`, [2, 3 * H, H], 22 + k), weights(`b${k}`, [2, 6 * H], 24 + k)]),
    };
    const profile: Profile = { x: [[T, 1, I], [T, 3, I], [T, 4, I]], h0: [[2, 1, H], [2, 3, H], [2, 4, H]] };
    await matchesOrt(graph, [
      { x: floats([T, 3, I], 15), h0: floats([2, 3, H], 16) },
      { x: floats([T, 1, I], 17), h0: floats([2, 1, H], 18) },
    ], [profile]);
  });

  it('unrolls a batch-first (layout 1) RNN with an initial state and a GRU without', async () => {
    // onnxruntime runs layout 0 only: the reference transposes around layout-0 nodes.
    const nodes = (layout: number): CfNode[] => [
      { opType: 'RNN', name: 'rnn', inputs: ['x', 'wr', 'rr', 'br', '', 'h0'], outputs: ['ry', 'rh'], attributes: { hidden_size: H, layout, direction: 'bidirectional' } },
      { opType: 'GRU', name: 'gru', inputs: ['x', 'wg', 'rg'], outputs: ['gy', 'gh'], attributes: { hidden_size: H, layout } },
    ];
    const graph: CfGraph = {
      opset: 14,
      nodes: nodes(1),
      inputs: [value('x', [B, T, I]), value('h0', [B, 2, H])],
      outputs: [value('ry', [B, T, 2, H]), value('rh', [B, 2, H]), value('gy', [B, T, 1, H]), value('gh', [B, 1, H])],
      initializers: [weights('wr', [2, H, I], 30), weights('rr', [2, H, H], 31), weights('br', [2, 2 * H], 32), weights('wg', [1, 3 * H, I], 33), weights('rg', [1, 3 * H, H], 34)],
    };
    const t = (input: string, output: string, perm: number[]): CfNode => ({ opType: 'Transpose', name: `t_${output}`, inputs: [input], outputs: [output], attributes: { perm } });
    const rename = (n: CfNode): CfNode => ({ ...n, inputs: n.inputs.map((i) => (i === 'x' || i === 'h0' ? `${i}0` : i)), outputs: n.outputs.map((o) => `${o}0`) });
    const reference: CfGraph = {
      ...graph,
      nodes: [
        t('x', 'x0', [1, 0, 2]),
        t('h0', 'h00', [1, 0, 2]),
        ...nodes(0).map(rename),
        t('ry0', 'ry', [2, 0, 1, 3]),
        t('rh0', 'rh', [1, 0, 2]),
        t('gy0', 'gy', [2, 0, 1, 3]),
        t('gh0', 'gh', [1, 0, 2]),
      ],
    };
    await matchesOrt(graph, [{ x: floats([B, T, I], 19), h0: floats([B, 2, H], 20) }], [], reference);
  });

  it('refuses a dynamic sequence length with UNSUPPORTED_NODE_DYNAMIC', () => {
    const err = parseError({
      nodes: [{ opType: 'RNN', inputs: ['x', 'w', 'r'], outputs: ['y'], attributes: { hidden_size: H } }],
      inputs: [value('x', ['t', B, I])],
      outputs: [value('y', ['t', 1, B, H])],
      initializers: [weights('w', [1, H, I], 1), weights('r', [1, H, H], 2)],
    });
    expect(err?.code()).toBe(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC);
    expect(err?.desc()).toMatch(/dynamic sequence length/);
  });
});

describe('ONNX control flow', () => {
  /** then: x + 1.5, else: x * w (both read the outer scope). */
  const ifGraph = (condInput: boolean, elseDims = [2, 3]): CfGraph => ({
    opset: 13,
    nodes: [
      ...(condInput ? [] : [{ opType: 'Constant', inputs: [], outputs: ['cond'], attributes: { value: { tensor: { name: 'c', dataType: OnnxDataType.BOOL, dims: [], data: Uint8Array.from([0]) } } } }]),
      {
        opType: 'If',
        inputs: ['cond'],
        outputs: ['y'],
        graphs: {
          then_branch: { name: 'then', nodes: [{ opType: 'Add', name: 'then_add', inputs: ['x', 'k'], outputs: ['t'] }], inputs: [], outputs: [value('t', [2, 3])] },
          else_branch: { name: 'else', nodes: [{ opType: 'Mul', name: 'else_mul', inputs: ['x', 'w'], outputs: ['e'] }], inputs: [], outputs: [value('e', elseDims)] },
        },
      },
    ],
    inputs: [...(condInput ? [value('cond', [], OnnxDataType.BOOL)] : []), value('x', [2, 3])],
    outputs: [value('y', [2, 3])],
    initializers: [floatTensor('k', [], [1.5]), weights('w', elseDims[0] === 2 ? [2, 3] : [1, 2, 3], 40)],
  });

  it('selects between both branches of an If with a run-time condition', async () => {
    const x = floats([2, 3], 41);
    await matchesOrt(ifGraph(true), [
      { cond: { dims: [], data: Uint8Array.from([1]), type: 'bool' }, x },
      { cond: { dims: [], data: Uint8Array.from([0]), type: 'bool' }, x },
    ]);
  });

  it('imports only the taken branch of an If with a constant condition', async () => {
    const bytes = encodeModel(ifGraph(false));
    const builder = new trt.Builder(quietLogger);
    try {
      const network = builder.createNetworkV2();
      expect(new trt.OnnxParser(network, quietLogger).parse(bytes)).toBe(true);
      const types = Array.from({ length: network.numLayers }, (_, i) => network.getLayer(i).type);
      expect(types).not.toContain(trt.LayerType.SELECT);
    } finally {
      builder.dispose();
    }
    await matchesOrt(ifGraph(false), [{ x: floats([2, 3], 42) }]);
  });

  it('refuses branches of different shapes under a run-time condition', () => {
    const err = parseError(ifGraph(true, [1, 2, 3]));
    expect(err?.code()).toBe(ParserErrorCode.UNSUPPORTED_NODE);
    expect(err?.desc()).toMatch(/conditional layer/);
  });

  /** y = y + x[i] for M iterations, scan output y * i. */
  const loopGraph = (tripInput: boolean): CfGraph => ({
    opset: 13,
    nodes: [
      {
        opType: 'Loop',
        inputs: ['m', '', 'y0'],
        outputs: ['y', 'ys'],
        graphs: {
          body: {
            name: 'body',
            nodes: [
              { opType: 'Gather', name: 'b_gather', inputs: ['x', 'i'], outputs: ['xi'], attributes: { axis: 0 } },
              { opType: 'Add', name: 'b_add', inputs: ['y_in', 'xi'], outputs: ['y_out'] },
              { opType: 'Cast', name: 'b_cast', inputs: ['i'], outputs: ['fi'], attributes: { to: OnnxDataType.FLOAT } },
              { opType: 'Mul', name: 'b_mul', inputs: ['y_out', 'fi'], outputs: ['s'] },
              { opType: 'Identity', name: 'b_cond', inputs: ['c_in'], outputs: ['c_out'] },
            ],
            inputs: [value('i', [], OnnxDataType.INT64), value('c_in', [], OnnxDataType.BOOL), value('y_in', [3])],
            outputs: [value('c_out', [], OnnxDataType.BOOL), value('y_out', [3]), value('s', [3])],
          },
        },
      },
    ],
    inputs: [...(tripInput ? [value('m', [], OnnxDataType.INT64)] : []), value('x', [4, 3]), value('y0', [3])],
    outputs: [value('y', [3]), value('ys', [tripInput ? 'M' : 4, 3])],
    initializers: tripInput ? [] : [int64Tensor('m', [4], [])],
  });

  it('unrolls a Loop with a constant trip count', async () => {
    await matchesOrt(loopGraph(false), [{ x: floats([4, 3], 43), y0: floats([3], 44) }]);
  });

  it('runs a Loop with a run-time trip count as a loop layer, M changing between runs', async () => {
    const m = (n: number): OrtFeed => ({ dims: [], data: BigInt64Array.from([BigInt(n)]) });
    await matchesOrt(
      loopGraph(true),
      [4, 2, 0].map((n, k) => ({ m: m(n), x: floats([4, 3], 45 + k), y0: floats([3], 50 + k) })),
      [],
      undefined,
      [{ m: [[0], [4], [4]] }],
    );
  });

  /** A while loop: the body computes its condition (y_out.sum < limit); M optional. */
  const whileGraph = (withTrip: boolean, withScan: boolean): CfGraph => ({
    opset: 13,
    nodes: [
      {
        opType: 'Loop',
        inputs: [withTrip ? 'm' : '', 'c0', 'y0'],
        outputs: ['y', ...(withScan ? ['ys'] : [])],
        graphs: {
          body: {
            name: 'body',
            nodes: [
              { opType: 'Add', name: 'b_add', inputs: ['y_in', 'step'], outputs: ['y_out'] },
              { opType: 'ReduceSum', name: 'b_sum', inputs: ['y_out'], outputs: ['total'], attributes: { keepdims: 0 } },
              { opType: 'Less', name: 'b_less', inputs: ['total', 'limit'], outputs: ['c_out'] },
            ],
            inputs: [value('i', [], OnnxDataType.INT64), value('c_in', [], OnnxDataType.BOOL), value('y_in', [3])],
            outputs: [value('c_out', [], OnnxDataType.BOOL), value('y_out', [3]), ...(withScan ? [value('y_out', [3])] : [])],
          },
        },
      },
    ],
    inputs: [...(withTrip ? [value('m', [], OnnxDataType.INT64)] : []), value('c0', [], OnnxDataType.BOOL), value('step', [3]), value('limit', []), value('y0', [3])],
    outputs: [value('y', [3]), ...(withScan ? [value('ys', ['M', 3])] : [])],
  });

  it('runs a while Loop whose body computes the condition (WHILE trip limit), with and without M', async () => {
    const bool = (b: boolean): OrtFeed => ({ dims: [], data: Uint8Array.from([b ? 1 : 0]) });
    const f = (v: number[]): OrtFeed => ({ dims: v.length === 1 ? [] : [v.length], data: Float32Array.from(v) });
    const feeds = [
      { c0: bool(true), step: f([1, 2, 3]), limit: f([40]), y0: f([0, 0, 0]) },
      { c0: bool(false), step: f([1, 2, 3]), limit: f([40]), y0: f([0, 1, 0]) },
      { c0: bool(true), step: f([0.5, 0.5, 0.5]), limit: f([7]), y0: f([1, 1, 1]) },
    ];
    await matchesOrt(whileGraph(false, false), feeds);
    const m = (n: number): OrtFeed => ({ dims: [], data: BigInt64Array.from([BigInt(n)]) });
    await matchesOrt(whileGraph(true, false), feeds.map((x, k) => ({ ...x, m: m(k + 2) })));
  });

  it('refuses a while Loop with scan outputs (their length is only known at run time) with UNSUPPORTED_NODE_DYNAMIC', () => {
    const err = parseError(whileGraph(true, true));
    expect(err?.code()).toBe(ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC);
    expect(err?.desc()).toMatch(/scan output length cannot be dynamic/);
  });

  it('unrolls a Scan with reversed input and output directions and non-zero axes', async () => {
    const graph: CfGraph = {
      opset: 16,
      nodes: [
        {
          opType: 'Scan',
          inputs: ['s0', 'a', 'b'],
          outputs: ['s', 'o1', 'o2'],
          attributes: { num_scan_inputs: 2, scan_input_axes: [1, 0], scan_input_directions: [1, 0], scan_output_axes: [-1, 0], scan_output_directions: [0, 1] },
          graphs: {
            body: {
              name: 'body',
              nodes: [
                { opType: 'Mul', name: 'b_mul', inputs: ['st', 'ai'], outputs: ['m'] },
                { opType: 'Add', name: 'b_add', inputs: ['m', 'bi'], outputs: ['st_out'] },
                { opType: 'Sub', name: 'b_sub', inputs: ['ai', 'bi'], outputs: ['d'] },
              ],
              inputs: [value('st', [2]), value('ai', [2]), value('bi', [2])],
              outputs: [value('st_out', [2]), value('m', [2]), value('d', [2])],
            },
          },
        },
      ],
      inputs: [value('s0', [2]), value('a', [2, 5]), value('b', [5, 2])],
      outputs: [value('s', [2]), value('o1', [2, 5]), value('o2', [5, 2])],
    };
    await matchesOrt(graph, [{ s0: floats([2], 45), a: floats([2, 5], 46), b: floats([5, 2], 47) }]);
  });
});
