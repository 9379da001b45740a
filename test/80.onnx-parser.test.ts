/**
 * OnnxParser: the TensorRT parser surface (parse, parseFromFile, errors, flags, support
 * queries), external data, symbolic dimensions, and bad ONNX input, including a mutation fuzz.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { ParserErrorCode } from '../lib/index.js';
import { buildEngine, quietLogger, runEngine } from './helpers/engine.js';
import { OnnxDataType, OnnxGraph, encodeOnnxModel, floatTensor } from './helpers/onnx.js';
import { mulberry32 } from './helpers/random.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trtn-onnx-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function parseInto(bytes: Uint8Array, modelPath?: string): { network: trt.NetworkDefinition; parser: trt.OnnxParser; ok: boolean; builder: trt.Builder } {
  const builder = new trt.Builder(quietLogger);
  const network = builder.createNetworkV2();
  const parser = new trt.OnnxParser(network, quietLogger);
  const ok = parser.parse(bytes, modelPath);
  return { network, parser, ok, builder };
}

/** y = relu(x * w + b) over a [batch, 4] input; w, b initializers. */
function affineRelu(batch: number | string = 2): OnnxGraph {
  return {
    nodes: [
      { opType: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'], name: 'matmul' },
      { opType: 'Add', inputs: ['xw', 'b'], outputs: ['pre'], name: 'add' },
      { opType: 'Relu', inputs: ['pre'], outputs: ['y'], name: 'relu' },
    ],
    inputs: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: [batch, 4] }],
    outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: [batch, 3] }],
    initializers: [
      floatTensor('w', [4, 3], Array.from({ length: 12 }, (_, i) => (i % 5) - 2)),
      floatTensor('b', [3], [0.5, -1, 2]),
    ],
  };
}

function affineReluReference(x: number[], batch: number): number[] {
  const w = Array.from({ length: 12 }, (_, i) => (i % 5) - 2);
  const b = [0.5, -1, 2];
  const out: number[] = [];
  for (let n = 0; n < batch; n += 1) {
    for (let j = 0; j < 3; j += 1) {
      let s = b[j]!;
      for (let k = 0; k < 4; k += 1) s += x[n * 4 + k]! * w[k * 3 + j]!;
      out.push(Math.max(s, 0));
    }
  }
  return out;
}

function firstError(parser: trt.OnnxParser): trt.ParserError {
  expect(parser.numErrors).toBeGreaterThan(0);
  return parser.getError(0)!;
}

describe('OnnxParser API', () => {
  it('parses a model into layers named after its nodes, with ONNX tensor names as I/O names', () => {
    const { network, parser, ok, builder } = parseInto(encodeOnnxModel(affineRelu()));
    try {
      expect(ok).toBe(true);
      expect(parser.numErrors).toBe(0);
      expect(network.numInputs).toBe(1);
      expect(network.getInput(0).name).toBe('x');
      expect(network.getInput(0).shape).toEqual([2, 4]);
      expect(network.numOutputs).toBe(1);
      expect(network.getOutput(0).name).toBe('y');
      const names = Array.from({ length: network.numLayers }, (_, i) => network.getLayer(i).name);
      expect(names).toContain('relu');
      expect(parser.getLayerOutputTensor('relu', 0)?.name).toBe('y');
      expect(parser.getLayerOutputTensor('nope', 0)).toBeNull();
    } finally {
      builder.dispose();
    }
  });

  it('builds and runs a parsed model, matching a plain-TS reference', async () => {
    const bytes = encodeOnnxModel(affineRelu());
    const engine = await buildEngine((network) => {
      const parser = new trt.OnnxParser(network, quietLogger);
      expect(parser.parse(bytes)).toBe(true);
    });
    try {
      const x = [1, -2, 3, 0.5, -1, 4, 2, -3];
      const out = await runEngine(engine, { x: { ref: { dims: [2, 4], data: Float64Array.from(x) } } });
      const expected = affineReluReference(x, 2);
      expect(out['y']!.dims).toEqual([2, 3]);
      out['y']!.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    } finally {
      engine.dispose();
    }
  });

  it('turns symbolic dimensions into dynamic ones that a profile resolves, at two batch sizes', async () => {
    const bytes = encodeOnnxModel(affineRelu('batch'));
    let inputShape: number[] = [];
    let dimName: string | null = null;
    const engine = await buildEngine(
      (network) => {
        expect(new trt.OnnxParser(network, quietLogger).parse(bytes)).toBe(true);
        inputShape = network.getInput(0).shape;
        dimName = network.getInput(0).getDimensionName(0);
      },
      { profiles: [{ x: [[1, 4], [4, 4], [8, 4]] }] },
    );
    try {
      expect(inputShape).toEqual([-1, 4]);
      expect(dimName).toBe('batch');
      for (const batch of [1, 7]) {
        const x = Array.from({ length: batch * 4 }, (_, i) => Math.sin(i) * 3);
        const out = await runEngine(engine, { x: { ref: { dims: [batch, 4], data: Float64Array.from(x) } } });
        const expected = affineReluReference(x, batch);
        expect(out['y']!.dims).toEqual([batch, 3]);
        out['y']!.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
      }
    } finally {
      engine.dispose();
    }
  });

  it('expands local functions with the rules of the opset they import', async () => {
    // Softmax without an axis: opset 11 normalizes over the flattened dims from axis 1 on,
    // opset 13 over the last dim only. The function imports opset 11 inside an opset-18 model.
    const bytes = encodeOnnxModel({
      opset: 18,
      nodes: [{ opType: 'OldSoftmax', domain: 'local', inputs: ['x'], outputs: ['y'], name: 'call' }],
      inputs: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: [2, 3, 4] }],
      outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: [2, 3, 4] }],
      extraOpsets: [{ domain: 'local', version: 1 }],
      functions: [{ name: 'OldSoftmax', domain: 'local', inputs: ['a'], outputs: ['b'], nodes: [{ opType: 'Softmax', inputs: ['a'], outputs: ['b'] }], opset: 11 }],
    });
    const engine = await buildEngine((network) => {
      const parser = new trt.OnnxParser(network, quietLogger);
      expect(parser.parse(bytes)).toBe(true);
    });
    try {
      const x = Array.from({ length: 24 }, (_, i) => Math.sin(i));
      const out = await runEngine(engine, { x: { ref: { dims: [2, 3, 4], data: Float64Array.from(x) } } });
      for (let n = 0; n < 2; n += 1) {
        const row = x.slice(n * 12, n * 12 + 12);
        const total = row.reduce((a, v) => a + Math.exp(v), 0);
        row.forEach((v, i) => expect(out['y']!.data[n * 12 + i]).toBeCloseTo(Math.exp(v) / total, 6));
      }
    } finally {
      engine.dispose();
    }
  });

  it('answers supportsOperator, reports the operators a model uses, and keeps flags', () => {
    const { parser, builder } = parseInto(encodeOnnxModel(affineRelu()));
    try {
      expect(parser.supportsOperator('Relu')).toBe(true);
      expect(parser.supportsOperator('NoSuchOp')).toBe(false);
      expect(parser.getOperatorReport()).toEqual([
        { domain: '', opType: 'Add', count: 1, supported: true },
        { domain: '', opType: 'MatMul', count: 1, supported: true },
        { domain: '', opType: 'Relu', count: 1, supported: true },
      ]);
      expect(parser.getFlags()).toBe(0);
      parser.setFlag(trt.OnnxParserFlag.NATIVE_INSTANCENORM);
      expect(parser.getFlag(trt.OnnxParserFlag.NATIVE_INSTANCENORM)).toBe(true);
      parser.clearFlag(trt.OnnxParserFlag.NATIVE_INSTANCENORM);
      expect(parser.getFlags()).toBe(0);
      expect(() => parser.setFlag(99 as trt.OnnxParserFlag)).toThrow(RangeError);
    } finally {
      builder.dispose();
    }
  });

  it('supportsModelV2 checks without touching the network and splits unsupported nodes out', () => {
    const g = affineRelu();
    g.nodes.splice(2, 0, { opType: 'NoSuchOp', inputs: ['pre'], outputs: ['odd'], name: 'odd' });
    g.outputs.push({ name: 'odd', dataType: OnnxDataType.FLOAT, dims: [2, 3] });
    const { network, parser, builder } = parseInto(new Uint8Array(0));
    try {
      parser.clearErrors();
      const layersBefore = network.numLayers;
      expect(parser.supportsModelV2(encodeOnnxModel(g))).toBe(false);
      expect(network.numLayers).toBe(layersBefore);
      const unsupported = Array.from({ length: parser.numSubgraphs }, (_, i) => i).filter((i) => !parser.isSubgraphSupported(i));
      expect(unsupported.flatMap((i) => parser.getSubgraphNodes(i))).toContain(2);
      expect(parser.supportsModelV2(encodeOnnxModel(affineRelu()))).toBe(true);
      expect(parser.numSubgraphs).toBe(1);
      expect(parser.getSubgraphNodes(0)).toEqual([0, 1, 2]);
    } finally {
      builder.dispose();
    }
  });

  it('parses one model per parser, as TensorRT does', () => {
    const { parser, ok, builder } = parseInto(encodeOnnxModel(affineRelu()));
    try {
      expect(ok).toBe(true);
      expect(parser.parse(encodeOnnxModel(affineRelu()))).toBe(false);
      expect(firstError(parser).desc()).toMatch(/already parsed/);
      parser.clearErrors();
      expect(parser.numErrors).toBe(0);
    } finally {
      builder.dispose();
    }
  });

  it('rejects wrong argument types with TypeErrors naming the argument', () => {
    const builder = new trt.Builder(quietLogger);
    try {
      expect(() => new trt.OnnxParser({} as trt.NetworkDefinition, quietLogger)).toThrow(/network/);
      const parser = new trt.OnnxParser(builder.createNetworkV2(), quietLogger);
      expect(() => parser.parse('model.onnx' as unknown as Uint8Array)).toThrow(TypeError);
      expect(() => parser.getError(-1)).toThrow(RangeError);
      expect(parser.getError(5)).toBeNull();
    } finally {
      builder.dispose();
    }
  });
});

describe('OnnxParser on models older than opset 6', () => {
  /** Builds `g`, runs it on `feeds` and returns output `name`. */
  async function run(g: OnnxGraph, feeds: Parameters<typeof runEngine>[1], name: string): Promise<{ dims: number[]; data: ArrayLike<number> }> {
    const bytes = encodeOnnxModel(g);
    const engine = await buildEngine((network) => {
      const parser = new trt.OnnxParser(network, quietLogger);
      if (!parser.parse(bytes)) throw new Error(parser.getError(0)!.desc());
    });
    try {
      return (await runEngine(engine, feeds))[name]!;
    } finally {
      engine.dispose();
    }
  }

  it('imports and runs an opset-1 Not (one definition since opset 1)', async () => {
    const x = [1, 0, 0, 1, 1, 0];
    const y = await run(
      {
        opset: 1,
        nodes: [{ opType: 'Not', inputs: ['x'], outputs: ['y'], name: 'not' }],
        inputs: [{ name: 'x', dataType: OnnxDataType.BOOL, dims: [2, 3] }],
        outputs: [{ name: 'y', dataType: OnnxDataType.BOOL, dims: [2, 3] }],
      },
      { x: { ref: { dims: [2, 3], data: Float64Array.from(x) } } },
      'y',
    );
    expect(y.dims).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual(x.map((v) => 1 - v));
  });

  it('imports opset-5 MatMul/Add/Relu, whose definitions opset 6 did not change in substance', async () => {
    const x = [1, -2, 3, 0.5, -1, 4, 2, -3];
    const y = await run({ ...affineRelu(), opset: 5 }, { x: { ref: { dims: [2, 4], data: Float64Array.from(x) } } }, 'y');
    const expected = affineReluReference(x, 2);
    Array.from(y.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('applies the pre-opset-7 broadcast/axis rule (Add, Pow), also to constants folded at parse time', async () => {
    // B [2] broadcast along axis 0 of A [2, 2]: numpy alignment would pair it with axis 1 instead.
    const a = [1, 2, 3, 4];
    const b = [10, 20];
    const y = await run(
      {
        opset: 1,
        nodes: [
          { opType: 'Add', inputs: ['a', 'b'], outputs: ['folded'], attributes: { broadcast: 1, axis: 0 } },
          { opType: 'Add', inputs: ['x', 'b'], outputs: ['sum'], attributes: { broadcast: 1, axis: 0, consumed_inputs: [0, 0] } },
          { opType: 'Mul', inputs: ['sum', 'folded'], outputs: ['product'] },
          { opType: 'Pow', inputs: ['product', 'e'], outputs: ['y'], attributes: { broadcast: 1, axis: 0 } },
        ],
        inputs: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: [2, 2] }],
        outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: [2, 2] }],
        initializers: [floatTensor('a', [2, 2], a), floatTensor('b', [2], b), floatTensor('e', [2], [1, 2])],
      },
      { x: { ref: { dims: [2, 2], data: Float64Array.from(a) } } },
      'y',
    );
    const folded = a.map((v, i) => v + b[Math.floor(i / 2)]!);
    // Row 0 to the power 1, row 1 to the power 2.
    expect(Array.from(y.data)).toEqual(folded.map((v, i) => (v * v) ** (i < 2 ? 1 : 2)));
  });

  it('refuses an operator whose definition changed since the model\'s opset, naming the node', () => {
    const g: OnnxGraph = {
      opset: 3,
      nodes: [
        { opType: 'Not', inputs: ['x'], outputs: ['n'], name: 'not' },
        { opType: 'Concat', inputs: ['x', 'n'], outputs: ['y'], name: 'concat_v1' },
      ],
      inputs: [{ name: 'x', dataType: OnnxDataType.BOOL, dims: [2, 3] }],
      outputs: [{ name: 'y', dataType: OnnxDataType.BOOL, dims: [4, 3] }],
    };
    const { parser, ok, builder } = parseInto(encodeOnnxModel(g));
    try {
      expect(ok).toBe(false);
      const e = firstError(parser);
      expect(ParserErrorCode[e.code()]).toBe('UNSUPPORTED_NODE');
      expect(e.nodeName()).toBe('concat_v1');
      expect(e.nodeOperator()).toBe('Concat');
      expect(e.desc()).toMatch(/node "concat_v1": operator Concat at opset 3 .*changed at opset 4/);
      expect(parser.getOperatorReport()).toEqual([
        { domain: '', opType: 'Concat', count: 1, supported: false },
        { domain: '', opType: 'Not', count: 1, supported: true },
      ]);
    } finally {
      builder.dispose();
    }
    // Operators with no pre-opset-6 definition the importer implements: refused the same way.
    const cast: OnnxGraph = { ...g, opset: 1, nodes: [{ opType: 'Cast', inputs: ['x'], outputs: ['y'], name: 'cast_v1', attributes: { to: 'FLOAT' } }] };
    const refused = parseInto(encodeOnnxModel(cast));
    try {
      expect(refused.ok).toBe(false);
      expect(firstError(refused.parser).desc()).toMatch(/node "cast_v1": operator Cast at opset 1 .*STRING/);
    } finally {
      refused.builder.dispose();
    }
  });
});

describe('OnnxParser files and external data', () => {
  it('parseFromFile loads initializers kept in a sidecar file next to the model', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'ext-'));
    const w = Float32Array.from({ length: 12 }, (_, i) => (i % 5) - 2);
    const b = Float32Array.from([0.5, -1, 2]);
    const sidecar = new Uint8Array(64 + w.byteLength + b.byteLength);
    sidecar.set(new Uint8Array(w.buffer), 64);
    sidecar.set(new Uint8Array(b.buffer), 64 + w.byteLength);
    fs.writeFileSync(path.join(dir, 'weights.bin'), sidecar);
    const bytes = withExternalInitializers(encodeOnnxModel({ ...affineRelu(), initializers: [] }), [
      { name: 'w', dims: [4, 3], offset: 64, length: w.byteLength },
      { name: 'b', dims: [3], offset: 64 + w.byteLength, length: b.byteLength },
    ]);
    const file = path.join(dir, 'model.onnx');
    fs.writeFileSync(file, bytes);
    const engine = await buildEngine((network) => {
      const parser = new trt.OnnxParser(network, quietLogger);
      expect(parser.parseFromFile(file, trt.Severity.ERROR)).toBe(true);
    });
    try {
      const x = [1, 2, 3, 4, -1, -2, -3, -4];
      const out = await runEngine(engine, { x: { ref: { dims: [2, 4], data: Float64Array.from(x) } } });
      const expected = affineReluReference(x, 2);
      out['y']!.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    } finally {
      engine.dispose();
    }
  });

  it('names the problem when external data is missing, outside the model folder, or too short', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'ext-bad-'));
    fs.writeFileSync(path.join(dir, 'short.bin'), new Uint8Array(8));
    const cases: Array<[string, RegExp]> = [
      ['missing.bin', /cannot open external data file/],
      ['../escape.bin', /not a path inside the model's folder/],
      ['short.bin', /lies outside/],
    ];
    for (const [location, message] of cases) {
      const bytes = withExternalInitializers(encodeOnnxModel({ ...affineRelu(), initializers: [floatTensor('b', [3], [0, 0, 0])] }), [
        { name: 'w', dims: [4, 3], offset: 0, length: 48, location },
      ]);
      const { parser, ok, builder } = parseInto(bytes, path.join(dir, 'model.onnx'));
      try {
        expect(ok).toBe(false);
        expect(firstError(parser).code()).toBe(ParserErrorCode.INVALID_VALUE);
        expect(firstError(parser).desc()).toMatch(message);
      } finally {
        builder.dispose();
      }
    }
    const { parser, ok, builder } = parseInto(
      withExternalInitializers(encodeOnnxModel({ ...affineRelu(), initializers: [] }), [{ name: 'w', dims: [4, 3], offset: 0, length: 48 }]),
    );
    try {
      expect(ok).toBe(false);
      expect(firstError(parser).desc()).toMatch(/pass the model's path/);
    } finally {
      builder.dispose();
    }
  });

  it('parseFromFile on a missing file records MODEL_DESERIALIZE_FAILED with the path', () => {
    const builder = new trt.Builder(quietLogger);
    try {
      const parser = new trt.OnnxParser(builder.createNetworkV2(), quietLogger);
      const file = path.join(tmp, 'does-not-exist.onnx');
      expect(parser.parseFromFile(file)).toBe(false);
      expect(firstError(parser).code()).toBe(ParserErrorCode.MODEL_DESERIALIZE_FAILED);
      expect(firstError(parser).file()).toBe(file);
    } finally {
      builder.dispose();
    }
  });
});

describe('OnnxParser on bad ONNX input', () => {
  const expectFailure = (bytes: Uint8Array, code: ParserErrorCode, message: RegExp, node?: { name: string; op: string }) => {
    const { parser, ok, builder } = parseInto(bytes);
    try {
      expect(ok).toBe(false);
      const e = firstError(parser);
      expect(ParserErrorCode[e.code()]).toBe(ParserErrorCode[code]);
      expect(e.desc()).toMatch(message);
      if (node) {
        expect(e.nodeName()).toBe(node.name);
        expect(e.nodeOperator()).toBe(node.op);
        expect(e.node()).toBeGreaterThanOrEqual(0);
      }
    } finally {
      builder.dispose();
    }
  };

  it('rejects empty, truncated and non-ONNX bytes as MODEL_DESERIALIZE_FAILED', () => {
    const good = encodeOnnxModel(affineRelu());
    expectFailure(new Uint8Array(0), ParserErrorCode.MODEL_DESERIALIZE_FAILED, /empty/);
    expectFailure(good.subarray(0, Math.floor(good.length / 2)), ParserErrorCode.MODEL_DESERIALIZE_FAILED, /runs past the end|truncated/);
    expectFailure(new TextEncoder().encode('PK\u0003\u0004 this is a zip file, not a model'), ParserErrorCode.MODEL_DESERIALIZE_FAILED, /not an ONNX ModelProto/);
    expectFailure(Uint8Array.from([0x08, 0x07]), ParserErrorCode.MODEL_DESERIALIZE_FAILED, /no graph/);
  });

  it('names the node on a cycle and on a dangling input', () => {
    const cyclic = affineRelu();
    cyclic.nodes[0]!.inputs = ['y', 'w'];
    expectFailure(encodeOnnxModel(cyclic), ParserErrorCode.INVALID_GRAPH, /cycle/);
    const dangling = affineRelu();
    dangling.nodes[1]!.inputs = ['xw', 'nowhere'];
    expectFailure(encodeOnnxModel(dangling), ParserErrorCode.INVALID_GRAPH, /"nowhere" is not produced/, { name: 'add', op: 'Add' });
  });

  it('rejects initializers whose data does not match their dims', () => {
    // The test writer validates sizes, so the bad initializer is appended as raw protobuf.
    const g = affineRelu();
    g.initializers!.splice(0, 1);
    const bytes = withExternalInitializers(encodeOnnxModel(g), [{ name: 'w', dims: [4, 3], offset: 0, length: 0, raw: new Uint8Array(40) }]);
    expectFailure(bytes, ParserErrorCode.INVALID_VALUE, /initializer w has 40 bytes of data but dims \[4, 3\] of FLOAT need 48/);
  });

  it('rejects unknown domains and unknown operators, naming the node', () => {
    const foreign = affineRelu();
    foreign.nodes[2] = { opType: 'Relu', domain: 'com.example', inputs: ['pre'], outputs: ['y'], name: 'custom_relu' };
    expectFailure(encodeOnnxModel(foreign), ParserErrorCode.UNSUPPORTED_NODE, /domain "com.example"/, { name: 'custom_relu', op: 'Relu' });
    const unknown = affineRelu();
    unknown.nodes[2] = { opType: 'FancyOp', inputs: ['pre'], outputs: ['y'], name: 'fancy' };
    expectFailure(encodeOnnxModel(unknown), ParserErrorCode.UNSUPPORTED_NODE, /FancyOp is not supported/, { name: 'fancy', op: 'FancyOp' });
  });

  it('rejects opsets below 1 and graph inputs of types TensorRT lacks', () => {
    expectFailure(encodeOnnxModel({ ...affineRelu(), opset: 0 }), ParserErrorCode.INVALID_GRAPH, /opsets start at 1/);
    const g = affineRelu();
    g.inputs[0]!.dataType = OnnxDataType.INT16;
    expectFailure(encodeOnnxModel(g), ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, /INT16/);
  });

  it('reports wrong operator inputs as a node error, not a crash', () => {
    const g = affineRelu();
    g.initializers![0] = floatTensor('w', [5, 3], new Float32Array(15));
    const { parser, ok, builder } = parseInto(encodeOnnxModel(g));
    try {
      expect(ok).toBe(false);
      expect(firstError(parser).nodeName()).toBe('matmul');
    } finally {
      builder.dispose();
    }
  });

  it('survives 1,000 mutated models: parse returns a boolean, and models that still parse build or fail cleanly', async () => {
    const seedModel = encodeOnnxModel(convModel());
    const random = mulberry32(1234);
    let parsed = 0;
    let built = 0;
    for (let i = 0; i < 1000; i += 1) {
      const bytes = mutate(seedModel, random);
      const builder = new trt.Builder(quietLogger);
      try {
        const network = builder.createNetworkV2();
        const parser = new trt.OnnxParser(network, quietLogger);
        const ok = parser.parse(bytes);
        expect(typeof ok).toBe('boolean');
        if (!ok) {
          expect(parser.numErrors).toBeGreaterThan(0);
          expect(parser.getError(0)!.desc().length).toBeGreaterThan(0);
          continue;
        }
        parsed += 1;
        // Mutations can produce huge dimensions: a clean TrtError is fine, a crash is not.
        try {
          const plan = builder.buildSerializedNetworkSync(network, builder.createBuilderConfig());
          plan.dispose();
          built += 1;
        } catch (err) {
          expect(err).toBeInstanceOf(trt.TrtError);
        }
      } finally {
        builder.dispose();
      }
    }
    // The mutation mix keeps a share of models valid, so the build path is exercised too.
    expect(parsed).toBeGreaterThan(20);
    expect(built).toBeGreaterThan(0);
  }, 120_000);
});

/** Conv → Relu → MaxPool → Flatten → Gemm: a seed with many fields for the fuzz to hit. */
function convModel(): OnnxGraph {
  const random = mulberry32(7);
  const values = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5);
  return {
    nodes: [
      { opType: 'Conv', inputs: ['x', 'cw', 'cb'], outputs: ['c'], name: 'conv', attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] } },
      { opType: 'Relu', inputs: ['c'], outputs: ['r'], name: 'relu' },
      { opType: 'MaxPool', inputs: ['r'], outputs: ['p'], name: 'pool', attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { opType: 'Flatten', inputs: ['p'], outputs: ['f'], name: 'flatten', attributes: { axis: 1 } },
      { opType: 'Gemm', inputs: ['f', 'gw', 'gb'], outputs: ['y'], name: 'gemm', attributes: { transB: 1 } },
    ],
    inputs: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: [1, 2, 6, 6] }],
    outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: [1, 5] }],
    initializers: [floatTensor('cw', [4, 2, 3, 3], values(72)), floatTensor('cb', [4], values(4)), floatTensor('gw', [5, 36], values(180)), floatTensor('gb', [5], values(5))],
    opset: 13,
  };
}

/** Bit flips, byte overwrites, deletions, insertions, truncation and duplicated spans. */
function mutate(seed: Uint8Array, random: () => number): Uint8Array {
  const bytes = Array.from(seed);
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e += 1) {
    const at = Math.floor(random() * bytes.length);
    switch (Math.floor(random() * 6)) {
      case 0:
        bytes[at] = bytes[at]! ^ (1 << Math.floor(random() * 8));
        break;
      case 1:
        bytes[at] = Math.floor(random() * 256);
        break;
      case 2:
        bytes.splice(at, 1 + Math.floor(random() * 4));
        break;
      case 3:
        bytes.splice(at, 0, Math.floor(random() * 256));
        break;
      case 4:
        bytes.length = Math.max(1, at);
        break;
      default: {
        const len = 1 + Math.floor(random() * 16);
        bytes.splice(at, 0, ...bytes.slice(at, at + len));
      }
    }
  }
  return Uint8Array.from(bytes);
}

/**
 * Appends FLOAT initializers to an encoded model's graph: with `raw`, inline raw_data of any size;
 * otherwise data in an external file (TensorProto.data_location = EXTERNAL). Written by hand
 * because the test writer has neither form.
 */
function withExternalInitializers(model: Uint8Array, entries: Array<{ name: string; dims: number[]; offset: number; length: number; location?: string; raw?: Uint8Array }>): Uint8Array {
  const enc = new TextEncoder();
  const varint = (v: number): number[] => {
    const out: number[] = [];
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    return out;
  };
  const field = (num: number, payload: number[]): number[] => [...varint(num * 8 + 2), ...varint(payload.length), ...payload];
  const str = (num: number, s: string): number[] => field(num, Array.from(enc.encode(s)));
  const tensors: number[] = [];
  for (const e of entries) {
    const t: number[] = [];
    for (const d of e.dims) t.push(...varint(1 * 8), ...varint(d));
    t.push(...varint(2 * 8), ...varint(OnnxDataType.FLOAT));
    t.push(...str(8, e.name));
    if (e.raw) {
      t.push(...field(9, Array.from(e.raw)));
    } else {
      const kv = (k: string, v: string) => field(13, [...str(1, k), ...str(2, v)]);
      t.push(...kv('location', e.location ?? 'weights.bin'), ...kv('offset', String(e.offset)), ...kv('length', String(e.length)));
      t.push(...varint(14 * 8), ...varint(1));
    }
    tensors.push(...field(5, t));
  }
  // Re-encode ModelProto field 7 (graph) with the extra initializers appended.
  const out: number[] = [];
  let pos = 0;
  const readVarint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = model[pos++]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  };
  while (pos < model.length) {
    const start = pos;
    const key = readVarint();
    const wire = key & 7;
    if (wire === 2) {
      const len = readVarint();
      const payload = Array.from(model.subarray(pos, pos + len));
      pos += len;
      if (key >> 3 === 7) out.push(...field(7, [...payload, ...tensors]));
      else out.push(...Array.from(model.subarray(start, pos)));
    } else {
      readVarint();
      out.push(...Array.from(model.subarray(start, pos)));
    }
  }
  return Uint8Array.from(out);
}
