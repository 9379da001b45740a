/**
 * ONNX tensor-op importers on what the conformance data does not cover: symbolic dims (shape
 * arithmetic built from Shape layers, several optimization profiles), parse-time constant shapes,
 * and the import errors of unsupported forms. Outputs are compared with onnxruntime-node.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { LayerType, ParserErrorCode } from '../lib/index.js';
import { buildEngine, quietLogger, runEngine } from './helpers/engine.js';
import { OnnxDataType, OnnxGraph, OnnxNode, OnnxValueInfo, encodeOnnxModel, int64Tensor } from './helpers/onnx.js';
import { runOrt } from './helpers/ort.js';

type Profile = Record<string, [number[], number[], number[]]>;

interface Run {
  /** Input name → dims; data is generated. */
  shapes: Record<string, number[]>;
  profileIndex?: number;
}

function input(name: string, dims: (number | string)[], dataType: number = OnnxDataType.FLOAT): OnnxValueInfo {
  return { name, dataType: dataType as OnnxValueInfo['dataType'], dims };
}

/** Distinct, sign-mixed values so that any misplaced element shows. */
function data(dims: number[]): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => (i % 7) - 3 + i / 16);
}

function toNumbers(a: ArrayLike<number | bigint>): number[] {
  return Array.from(a, (v) => Number(v));
}

/** Builds the model once (with `profiles`), runs every `run` on the engine and on onnxruntime, and compares. */
async function matchesOrt(graph: OnnxGraph, profiles: Profile[], runs: Run[]): Promise<void> {
  const bytes = encodeOnnxModel(graph);
  const engine = await buildEngine(
    (network) => {
      const parser = new trt.OnnxParser(network, quietLogger);
      const ok = parser.parse(bytes);
      if (!ok) throw new Error(parser.getError(0)!.desc());
    },
    { profiles },
  );
  try {
    for (const run of runs) {
      const feeds = Object.fromEntries(Object.entries(run.shapes).map(([name, dims]) => [name, data(dims)]));
      const actual = await runEngine(
        engine,
        Object.fromEntries(Object.entries(feeds).map(([name, d]) => [name, { ref: { dims: run.shapes[name]!, data: Float64Array.from(d) } }])),
        run.profileIndex !== undefined ? { profileIndex: run.profileIndex } : {},
      );
      const expected = await runOrt(bytes, Object.fromEntries(Object.entries(feeds).map(([name, d]) => [name, { dims: run.shapes[name]!, data: d }])));
      for (const o of graph.outputs) {
        const want = expected[o.name]!;
        const got = actual[o.name]!;
        expect(got.dims, `${o.name} dims at ${JSON.stringify(run.shapes)}`).toEqual(want.dims);
        const w = toNumbers(want.data as ArrayLike<number | bigint>);
        got.data.forEach((v, i) => expect(v, `${o.name}[${i}] at ${JSON.stringify(run.shapes)}`).toBeCloseTo(w[i]!, 5));
      }
    }
  } finally {
    engine.dispose();
  }
}

/** Two profiles over dim 0 of `name` (rest fixed): [1..4] and [5..16]. */
function batchProfiles(name: string, rest: number[]): Profile[] {
  return [{ [name]: [[1, ...rest], [2, ...rest], [4, ...rest]] }, { [name]: [[5, ...rest], [8, ...rest], [16, ...rest]] }];
}

function batchRuns(name: string, rest: number[]): Run[] {
  return [
    { shapes: { [name]: [2, ...rest] }, profileIndex: 0 },
    { shapes: { [name]: [9, ...rest] }, profileIndex: 1 },
  ];
}

function parse(graph: OnnxGraph): { ok: boolean; parser: trt.OnnxParser; network: trt.NetworkDefinition; builder: trt.Builder } {
  const builder = new trt.Builder(quietLogger);
  const network = builder.createNetworkV2();
  const parser = new trt.OnnxParser(network, quietLogger);
  return { ok: parser.parse(encodeOnnxModel(graph)), parser, network, builder };
}

function layerTypes(network: trt.NetworkDefinition): LayerType[] {
  return Array.from({ length: network.numLayers }, (_, i) => network.getLayer(i).type);
}

/** x.view(x.size(0), -1) as PyTorch exports it: Shape → Gather → Unsqueeze → Concat → Reshape. */
function flattenView(batch: number | string): OnnxGraph {
  return {
    opset: 13,
    nodes: [
      { opType: 'Shape', inputs: ['x'], outputs: ['s'] },
      { opType: 'Gather', inputs: ['s', 'zero'], outputs: ['b'], attributes: { axis: 0 } },
      { opType: 'Unsqueeze', inputs: ['b', 'axes0'], outputs: ['b1'] },
      { opType: 'Concat', inputs: ['b1', 'minus1'], outputs: ['shape'], attributes: { axis: 0 } },
      { opType: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
    ],
    inputs: [input('x', [batch, 3, 4])],
    outputs: [input('y', [batch, 12])],
    initializers: [int64Tensor('zero', [0], []), int64Tensor('axes0', [0]), int64Tensor('minus1', [-1])],
  };
}

describe('ONNX tensor ops with symbolic dims', () => {
  it('runs the PyTorch flatten pattern (Shape→Gather→Unsqueeze→Concat→Reshape) with a symbolic batch over two profiles', async () => {
    await matchesOrt(flattenView('batch'), batchProfiles('x', [3, 4]), batchRuns('x', [3, 4]));
  });

  it('folds the same pattern to a static Reshape when the batch is fixed', () => {
    const { ok, network, builder } = parse(flattenView(2));
    try {
      expect(ok).toBe(true);
      expect(layerTypes(network)).not.toContain(LayerType.SHAPE);
      expect(network.getOutput(0).shape).toEqual([2, 12]);
    } finally {
      builder.dispose();
    }
  });

  it('keeps known dims of a partly dynamic shape as constants', () => {
    // Gather(Shape(x), 1) of a [batch, 3, 4] input is the constant 3: the reshape output is [-1, 3, 4].
    const graph: OnnxGraph = {
      opset: 13,
      nodes: [
        { opType: 'Shape', inputs: ['x'], outputs: ['s'] },
        { opType: 'Gather', inputs: ['s', 'idx'], outputs: ['d'], attributes: { axis: 0 } },
        { opType: 'Concat', inputs: ['minus1', 'd'], outputs: ['shape'], attributes: { axis: 0 } },
        { opType: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
      ],
      inputs: [input('x', ['batch', 3, 4])],
      outputs: [input('y', ['n', 4])],
      initializers: [int64Tensor('idx', [2]), int64Tensor('minus1', [-1])],
    };
    const { ok, network, builder } = parse(graph);
    try {
      expect(ok).toBe(true);
      expect(network.getOutput(0).shape).toEqual([-1, 4]);
      expect(layerTypes(network).filter((t) => t === LayerType.GATHER)).toHaveLength(0);
    } finally {
      builder.dispose();
    }
  });

  it('slices a dynamic axis with negative starts, steps and INT64 sentinels', async () => {
    const graph: OnnxGraph = {
      opset: 13,
      nodes: [
        { opType: 'Slice', inputs: ['x', 'starts', 'ends', 'axes', 'steps'], outputs: ['y'] },
        { opType: 'Slice', inputs: ['x', 'rstarts', 'rends', 'raxes', 'rsteps'], outputs: ['r'] },
        // Static axis: out-of-range start with a negative step, and an empty slice.
        { opType: 'Slice', inputs: ['x', 'sstarts', 'sends', 'saxes', 'ssteps'], outputs: ['s'] },
        { opType: 'Slice', inputs: ['x', 'estarts', 'eends', 'saxes'], outputs: ['e'] },
      ],
      inputs: [input('x', ['n', 10])],
      outputs: [input('y', ['a', 'b']), input('r', ['c', 10]), input('s', ['n', 4]), input('e', ['n', 0])],
      initializers: [
        int64Tensor('starts', [-3, 1]),
        int64Tensor('ends', [1000, 8]),
        int64Tensor('axes', [0, -1]),
        int64Tensor('steps', [1, 2]),
        // x[::-1] along the dynamic axis: start -1, end INT64_MIN.
        int64Tensor('rstarts', [-1]),
        { name: 'rends', dataType: OnnxDataType.INT64, dims: [1], data: BigInt64Array.from([-(2n ** 63n)]) },
        int64Tensor('raxes', [0]),
        int64Tensor('rsteps', [-1]),
        int64Tensor('sstarts', [20]),
        int64Tensor('sends', [-100]),
        int64Tensor('saxes', [1]),
        int64Tensor('ssteps', [-3]),
        int64Tensor('estarts', [7]),
        int64Tensor('eends', [2]),
      ],
    };
    await matchesOrt(graph, batchProfiles('x', [10]), batchRuns('x', [10]));
  });

  it('splits, pads, expands and tiles along a dynamic axis', async () => {
    const graph: OnnxGraph = {
      opset: 19,
      nodes: [
        { opType: 'Split', inputs: ['x'], outputs: ['s0', 's1', 's2'], attributes: { axis: 0, num_outputs: 3 } },
        { opType: 'Pad', inputs: ['x', 'pads', 'value'], outputs: ['pc'], attributes: { mode: 'constant' } },
        { opType: 'Pad', inputs: ['x', 'pads'], outputs: ['pr'], attributes: { mode: 'reflect' } },
        { opType: 'Pad', inputs: ['x', 'pads'], outputs: ['pe'], attributes: { mode: 'edge' } },
        { opType: 'Pad', inputs: ['x', 'pads'], outputs: ['pw'], attributes: { mode: 'wrap' } },
        { opType: 'Unsqueeze', inputs: ['x', 'axes1'], outputs: ['xu'] },
        { opType: 'Expand', inputs: ['xu', 'eshape'], outputs: ['e'] },
        { opType: 'Tile', inputs: ['x', 'reps'], outputs: ['t'] },
      ],
      inputs: [input('x', ['n', 4])],
      outputs: ['s0', 's1', 's2', 'pc', 'pr', 'pe', 'pw', 'e', 't'].map((n) => input(n, [-1, -1, -1].slice(0, n === 'e' ? 3 : 2))),
      initializers: [
        int64Tensor('pads', [1, 2, 1, 1]),
        { name: 'value', dataType: OnnxDataType.FLOAT, dims: [], data: Float32Array.from([7.5]) },
        int64Tensor('axes1', [1]),
        int64Tensor('eshape', [1, 3, 1]),
        int64Tensor('reps', [2, 3]),
      ],
    };
    // Batch 3 and 7: even and uneven (3, 3, 1) splits.
    await matchesOrt(graph, [{ x: [[3, 4], [4, 4], [4, 4]] }, { x: [[5, 4], [8, 4], [16, 4]] }], [
      { shapes: { x: [3, 4] }, profileIndex: 0 },
      { shapes: { x: [7, 4] }, profileIndex: 1 },
    ]);
  });

  it('computes Flatten, Size, Shape(start, end), Range and ConstantOfShape from run-time shapes', async () => {
    const graph: OnnxGraph = {
      opset: 15,
      nodes: [
        { opType: 'Flatten', inputs: ['x'], outputs: ['f'], attributes: { axis: 2 } },
        { opType: 'Size', inputs: ['x'], outputs: ['size'] },
        { opType: 'Shape', inputs: ['x'], outputs: ['part'], attributes: { start: 0, end: -1 } },
        { opType: 'Shape', inputs: ['x'], outputs: ['s'] },
        { opType: 'Gather', inputs: ['s', 'zero'], outputs: ['b'], attributes: { axis: 0 } },
        { opType: 'Range', inputs: ['zero', 'b', 'one'], outputs: ['range'] },
        { opType: 'ConstantOfShape', inputs: ['part'], outputs: ['cs'], attributes: { value: { tensor: { name: 'v', dataType: OnnxDataType.INT32, dims: [1], data: Int32Array.from([5]) } } } },
      ],
      inputs: [input('x', ['n', 'c', 3])],
      outputs: [input('f', [-1, -1]), input('size', [], OnnxDataType.INT64), input('part', [2], OnnxDataType.INT64), input('range', [-1], OnnxDataType.INT64), input('cs', [-1, -1], OnnxDataType.INT32)],
      initializers: [int64Tensor('zero', [0], []), int64Tensor('one', [1], [])],
    };
    const profiles: Profile[] = [{ x: [[1, 1, 3], [2, 2, 3], [4, 4, 3]] }, { x: [[5, 1, 3], [8, 4, 3], [16, 8, 3]] }];
    await matchesOrt(graph, profiles, [
      { shapes: { x: [2, 3, 3] }, profileIndex: 0 },
      { shapes: { x: [9, 5, 3] }, profileIndex: 1 },
    ]);
  });

  it('builds Trilu, EyeLike, Where, DepthToSpace and SpaceToDepth for dynamic dims', async () => {
    const graph: OnnxGraph = {
      opset: 14,
      nodes: [
        { opType: 'Trilu', inputs: ['m', 'k'], outputs: ['upper'] },
        { opType: 'Trilu', inputs: ['m'], outputs: ['lower'], attributes: { upper: 0 } },
        { opType: 'EyeLike', inputs: ['m'], outputs: ['eye'], attributes: { k: -1 } },
        { opType: 'Greater', inputs: ['m', 'zerof'], outputs: ['pos'] },
        { opType: 'Where', inputs: ['pos', 'm', 'row'], outputs: ['w'] },
        { opType: 'DepthToSpace', inputs: ['img'], outputs: ['dcr'], attributes: { blocksize: 2 } },
        { opType: 'DepthToSpace', inputs: ['img'], outputs: ['crd'], attributes: { blocksize: 2, mode: 'CRD' } },
        { opType: 'SpaceToDepth', inputs: ['dcr'], outputs: ['s2d'], attributes: { blocksize: 2 } },
      ],
      inputs: [input('m', ['r', 'c']), input('img', ['n', 8, 'h', 'w'])],
      outputs: ['upper', 'lower', 'eye', 'w'].map((n) => input(n, [-1, -1])).concat(['dcr', 'crd', 's2d'].map((n) => input(n, [-1, -1, -1, -1]))),
      initializers: [
        int64Tensor('k', [1], []),
        { name: 'zerof', dataType: OnnxDataType.FLOAT, dims: [], data: Float32Array.from([0]) },
        { name: 'row', dataType: OnnxDataType.FLOAT, dims: [1, 1], data: Float32Array.from([-9]) },
      ],
    };
    const profile: Profile = { m: [[1, 1], [3, 4], [8, 8]], img: [[1, 8, 1, 1], [1, 8, 2, 2], [3, 8, 4, 4]] };
    await matchesOrt(graph, [profile], [
      { shapes: { m: [3, 5], img: [2, 8, 3, 2] } },
      { shapes: { m: [6, 2], img: [1, 8, 1, 4] } },
    ]);
  });

  it('returns an all-true Dropout mask and an identity output at inference', async () => {
    const graph: OnnxGraph = {
      opset: 13,
      nodes: [{ opType: 'Dropout', inputs: ['x', 'ratio'], outputs: ['y', 'mask'] }],
      inputs: [input('x', ['n', 3])],
      outputs: [input('y', ['n', 3]), input('mask', ['n', 3], OnnxDataType.BOOL)],
      initializers: [{ name: 'ratio', dataType: OnnxDataType.FLOAT, dims: [], data: Float32Array.from([0.3]) }],
    };
    await matchesOrt(graph, batchProfiles('x', [3]), batchRuns('x', [3]));
  });
});

describe('ONNX tensor ops with axes from shape tensor inputs', () => {
  type Values = [number[], number[], number[]];

  /** y = op(x, ...extra, axes) with `axes` an INT64 graph input of `n` entries (a shape tensor input); an extra named '' is an absent input. */
  function axesGraph(opType: string, n: number, xDims: number[], outRank: number, extra: Array<{ name: string; values: number[] }> = []): OnnxGraph {
    return {
      opset: 18,
      nodes: [{ opType, inputs: ['x', ...extra.map((e) => e.name), 'axes'], outputs: ['y'] }],
      inputs: [input('x', xDims), input('axes', [n], OnnxDataType.INT64)],
      outputs: [input('y', Array.from({ length: outRank }, (_, i) => `d${i}`))],
      initializers: extra.filter((e) => e.name !== '').map((e) => int64Tensor(e.name, e.values)),
    };
  }

  /** Builds once with `values` for the axes profile, then runs each axes value on the engine and on onnxruntime. */
  async function matchesOrtForAxes(graph: OnnxGraph, xDims: number[], values: Values, runs: number[][]): Promise<void> {
    const bytes = encodeOnnxModel(graph);
    const engine = await buildEngine(
      (network) => {
        const parser = new trt.OnnxParser(network, quietLogger);
        if (!parser.parse(bytes)) throw new Error(parser.getError(0)!.desc());
      },
      { shapeValues: [{ axes: values }] },
    );
    try {
      const x = data(xDims);
      for (const axes of runs) {
        const actual = await runEngine(engine, {
          x: { ref: { dims: xDims, data: Float64Array.from(x) } },
          axes: { ref: { dims: [axes.length], data: Float64Array.from(axes) } },
        });
        const expected = await runOrt(bytes, { x: { dims: xDims, data: x }, axes: { dims: [axes.length], data: BigInt64Array.from(axes.map(BigInt)) } });
        const got = actual['y']!;
        const want = expected['y']!;
        expect(got.dims, `axes [${axes.join(', ')}]`).toEqual(want.dims);
        expect(Array.from(got.data)).toEqual(toNumbers(want.data as ArrayLike<number>));
      }
    } finally {
      engine.dispose();
    }
  }

  it('Unsqueeze and Squeeze: the reshape dims are computed from the axes values', async () => {
    await matchesOrtForAxes(axesGraph('Unsqueeze', 2, [3, 4], 4), [3, 4], [[-4, -4], [0, 1], [3, 3]], [[0, 1], [1, 3], [-1, 0], [2, -4], [3, 1]]);
    await matchesOrtForAxes(axesGraph('Squeeze', 2, [1, 3, 1, 4, 1], 3), [1, 3, 1, 4, 1], [[-5, -5], [0, 2], [4, 4]], [[0, 2], [4, 0], [-1, -3], [2, 4]]);
  });

  it('Slice and Pad over axes given at run time', async () => {
    const xDims = [4, 5, 6];
    const slice = axesGraph('Slice', 2, xDims, 3, [
      { name: 'starts', values: [1, -3] },
      { name: 'ends', values: [3, 100] },
    ]);
    await matchesOrtForAxes(slice, xDims, [[-3, -3], [0, 1], [2, 2]], [[0, 1], [2, 0], [-1, 1]]);
    const pad = axesGraph('Pad', 2, xDims, 3, [
      { name: 'pads', values: [1, 0, 2, 3] },
      { name: '', values: [] }, // no constant_value
    ]);
    await matchesOrtForAxes(pad, xDims, [[-3, -3], [0, 1], [2, 2]], [[0, 1], [2, -3], [1, 2]]);
  });

  it('ReduceSum with run-time axes, and repeated Unsqueeze axes as an error when the values are read', async () => {
    await matchesOrtForAxes({ ...axesGraph('ReduceSum', 1, [2, 3, 4], 2), nodes: [{ opType: 'ReduceSum', inputs: ['x', 'axes'], outputs: ['y'], attributes: { keepdims: 0 } }] }, [2, 3, 4], [[-3], [0], [2]], [[0], [2], [-2]]);
    const bytes = encodeOnnxModel(axesGraph('Unsqueeze', 2, [3, 4], 4));
    const engine = await buildEngine(
      (network) => {
        const parser = new trt.OnnxParser(network, quietLogger);
        if (!parser.parse(bytes)) throw new Error(parser.getError(0)!.desc());
      },
      { shapeValues: [{ axes: [[-4, -4], [0, 1], [3, 3]] }] },
    );
    try {
      const feeds = { x: { ref: { dims: [3, 4], data: new Float64Array(12) } }, axes: { ref: { dims: [2], data: Float64Array.from([1, -3]) } } };
      await expect(runEngine(engine, feeds)).rejects.toThrow(/name dimension 1 twice/);
    } finally {
      engine.dispose();
    }
  });
});

describe('EXPECTED FAILURE: unsupported tensor-op forms', () => {
  function expectError(nodes: OnnxNode[], code: ParserErrorCode, pattern: RegExp, inputs: OnnxValueInfo[] = [input('x', [2, 3])], opset = 13): void {
    const { ok, parser, builder } = parse({ opset, nodes, inputs, outputs: [input('y', [-1])] });
    try {
      expect(ok).toBe(false);
      const e = parser.getError(0)!;
      expect(ParserErrorCode[e.code()]).toBe(ParserErrorCode[code]);
      expect(e.desc()).toMatch(pattern);
    } finally {
      builder.dispose();
    }
  }

  it('rejects repeated Squeeze axes and an Expand to an incompatible size, naming the problem', () => {
    const shape = { name: 'shape', dataType: OnnxDataType.INT64, dims: [2], data: BigInt64Array.from([2n, 4n]) };
    expectError([{ opType: 'Squeeze', inputs: ['x'], outputs: ['y'], attributes: { axes: [0, 0] } }], ParserErrorCode.INVALID_NODE, /repeat an axis/, [input('x', [1, 3])], 11);
    const { ok, parser, builder } = parse({ opset: 13, nodes: [{ opType: 'Expand', inputs: ['x', 'shape'], outputs: ['y'] }], inputs: [input('x', [2, 3])], outputs: [input('y', [-1])], initializers: [shape] });
    try {
      expect(ok).toBe(false);
      expect(parser.getError(0)!.desc()).toMatch(/cannot expand dimension 1 of size 3 to 4/);
    } finally {
      builder.dispose();
    }
  });

  it('rejects string and sparse Constant values', () => {
    expectError([{ opType: 'Constant', inputs: [], outputs: ['y'], attributes: { value_string: 'hi' } }], ParserErrorCode.UNSUPPORTED_NODE_ATTR, /value_string/, []);
  });

  it('rejects Slice axes computed at run time whose length is not known when the network is built', () => {
    expectError(
      [{ opType: 'Slice', inputs: ['x', 'x64', 'x64', 'x64'], outputs: ['y'] }],
      ParserErrorCode.UNSUPPORTED_NODE_DYNAMIC,
      /axes \(input 3\) computed at run time must be 1-D with a length known/,
      [input('x', [2, 3]), input('x64', ['n'], OnnxDataType.INT64)],
    );
  });

  it('rejects GatherND batch_dims above 1 and a Cast to an element type TensorRT lacks', () => {
    expectError(
      [{ opType: 'GatherND', inputs: ['x', 'i'], outputs: ['y'], attributes: { batch_dims: 2 } }],
      ParserErrorCode.UNSUPPORTED_NODE_ATTR,
      /batch_dims/,
      [input('x', [2, 2, 3]), input('i', [2, 2, 1], OnnxDataType.INT64)],
    );
    expectError([{ opType: 'Cast', inputs: ['x'], outputs: ['y'], attributes: { to: 21 } }], ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, /UINT4.*TensorRT has no such type/);
  });

  it('rejects a scatter reduction other than none, add, mul, max and min naming the attribute', () => {
    expectError(
      [{ opType: 'ScatterElements', inputs: ['x', 'i', 'u'], outputs: ['y'], attributes: { reduction: 'mean' } }],
      ParserErrorCode.UNSUPPORTED_NODE_ATTR,
      /reduction="mean".*none, add, mul, max or min/,
      [input('x', [2, 3]), input('i', [1, 3], OnnxDataType.INT64), input('u', [1, 3])],
      18,
    );
  });

  it('rejects Cast to FLOAT8E8M0 with a round_mode other than up, and FP8 QuantizeLinear with saturate=0', () => {
    expectError([{ opType: 'Cast', inputs: ['x'], outputs: ['y'], attributes: { to: 24, round_mode: 'nearest' } }], ParserErrorCode.UNSUPPORTED_NODE_ATTR, /round_mode/, [input('x', [2, 3])], 24);
    expectError(
      [{ opType: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attributes: { saturate: 0 } }],
      ParserErrorCode.UNSUPPORTED_NODE_ATTR,
      /saturate/,
      [input('x', [2, 3]), input('s', []), input('z', [], 17)],
      21,
    );
  });

  it('rejects blocked Q/DQ scales that do not fit the input, and blocks the engine cannot tile', () => {
    expectError(
      [{ opType: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attributes: { axis: 1, block_size: 2 } }],
      ParserErrorCode.INVALID_NODE,
      /scale of the input's rank 2/,
      [input('x', [2, 6]), input('s', [3]), input('z', [3], OnnxDataType.INT8)],
      21,
    );
    expectError(
      [{ opType: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attributes: { axis: 1, block_size: 2 } }],
      ParserErrorCode.INVALID_NODE,
      /scale dims \[2, 2\] do not match input dims \[2, 6\] blocked by 2 along axis 1/,
      [input('x', [2, 6]), input('s', [2, 2]), input('z', [2, 2], OnnxDataType.INT8)],
      21,
    );
    // ONNX allows a short last block; TensorRT's blocked scales tile the axis exactly.
    expectError(
      [{ opType: 'DequantizeLinear', inputs: ['q', 's'], outputs: ['y'], attributes: { axis: 1, block_size: 2 } }],
      ParserErrorCode.UNSUPPORTED_NODE_INPUT,
      /block_size 2 along axis 1 \(extent 5\)/,
      [input('q', [2, 5], OnnxDataType.INT8), input('s', [2, 3])],
      21,
    );
  });

  it('rejects Dropout in training mode', () => {
    expectError(
      [{ opType: 'Dropout', inputs: ['x', '', 't'], outputs: ['y'] }],
      ParserErrorCode.UNSUPPORTED_NODE_INPUT,
      /training_mode/,
      [input('x', [2, 3]), input('t', [], OnnxDataType.BOOL)],
    );
  });
});
