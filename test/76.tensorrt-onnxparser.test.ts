/**
 * OnnxParser({ implementation: 'nvonnxparser' }): TensorRT's own ONNX parser into TensorRT's
 * network. Without TensorRT (CI, this machine): option validation, the refusals of networks the
 * tensorrt backend does not build, and the native parser's refusals with stand-in TensorRT
 * libraries compiled here (each layout in a child process, since TensorRT loads once per
 * process). The last block parses conformance models with TensorRT's parser, builds and runs them
 * against the ONNX suite's expected outputs; it runs where the tensorrt backend is available.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { native } from '../lib/native.js';
import { NetworkDefinition } from '../lib/NetworkDefinition.js';
import { constFromProto, engineType } from '../lib/onnx/ConstTensor.js';
import { OnnxType, decodeModel, decodeTensor } from '../lib/onnx/model.js';
import { compare, findConformanceRoot } from './conformance/runner.js';
import { quietLogger } from './helpers/engine.js';

const { DataType, OnnxParserFlag, ParserErrorCode, Severity } = trt;

const root = path.join(__dirname, '..');
const probeScript = path.join(__dirname, 'fixtures/tensorrt-onnxparser-probe.cjs');
const tensorrt = trt.getBackends().find((b) => b.name === 'tensorrt')!;
const hook = native().NativeTrtOnnxParser;
const conformance = findConformanceRoot(root);

function caught(fn: () => unknown): trt.TrtError {
  try {
    fn();
  } catch (err) {
    return err as trt.TrtError;
  }
  throw new Error('expected a throw');
}

describe('OnnxParser implementation option', () => {
  it("defaults to 'builtin'; 'builtin' may be named", () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    try {
      expect(new trt.OnnxParser(builder.createNetworkV2(), quietLogger).implementation).toBe('builtin');
      expect(new trt.OnnxParser(builder.createNetworkV2(), quietLogger, {}).implementation).toBe('builtin');
      expect(new trt.OnnxParser(builder.createNetworkV2(), quietLogger, { implementation: 'builtin' }).implementation).toBe('builtin');
    } finally {
      builder.dispose();
    }
  });

  it('an unknown implementation or a non-object options argument is refused before anything loads', () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    try {
      const network = builder.createNetworkV2();
      const bad = { implementation: 'onnxruntime' } as unknown as trt.OnnxParserOptions;
      expect(() => new trt.OnnxParser(network, quietLogger, bad)).toThrow(new RangeError(`Expected 'builtin' or 'nvonnxparser' for options.implementation but received "onnxruntime" of type string`));
      expect(() => new trt.OnnxParser(network, quietLogger, null as unknown as trt.OnnxParserOptions)).toThrow(TypeError);
    } finally {
      builder.dispose();
    }
  });

  it("'nvonnxparser' refuses a network of a built-in backend's Builder with UNSUPPORTED, naming why", () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    try {
      const err = caught(() => new trt.OnnxParser(builder.createNetworkV2(), quietLogger, { implementation: 'nvonnxparser' }));
      expect(err).toBeInstanceOf(trt.TrtError);
      expect(err.code).toBe('UNSUPPORTED');
      expect(err.message).toMatch(/^implementation 'nvonnxparser' imports into TensorRT's own network, which only the tensorrt backend builds; this network's Builder uses the 'cpu' backend\./);
    } finally {
      builder.dispose();
    }
  });

  it("'nvonnxparser' refuses a network no Builder created", () => {
    const network = new NetworkDefinition();
    try {
      const err = caught(() => new trt.OnnxParser(network, quietLogger, { implementation: 'nvonnxparser' }));
      expect(err.code).toBe('UNSUPPORTED');
      expect(err.message).toContain('this network was not created by a Builder');
    } finally {
      network.dispose();
    }
  });
});

// The native parser is compiled with the tensorrt backend (TensorRT headers at build time).
describe.skipIf(!hook)(`the native nvonnxparser hook${hook ? '' : ' (skipped: this build of the addon has no tensorrt backend)'}`, () => {
  it('refuses a network that already has inputs with INVALID_STATE, before loading TensorRT', () => {
    const network = new (native().NativeNetwork)();
    network.addInput('x', DataType.FLOAT, [1]);
    const err = caught(() => new hook!(network, null));
    expect(err.code).toBe('INVALID_STATE');
    expect(err.message).toBe('nvonnxparser imports into an empty network, and this one already has inputs or layers; create a new network');
    network.dispose();
  });
});

function commandExists(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}
const compiler = process.env.CC ?? 'cc';
const haveCompiler = process.platform === 'linux' && commandExists(compiler);
const standInsWhy = !hook ? 'this build of the addon has no tensorrt backend' : !haveCompiler ? `no C compiler (${compiler}) to make stand-in libraries` : '';

interface Probe {
  created: boolean;
  error: { code: string; message: string } | null;
  logs: Array<{ severity: number; message: string }>;
  library: { loaded: boolean; path: string | null; reason: string; onnxParser: { loaded: boolean; path: string | null; reason: string | null } };
}

function probe(extra: Record<string, string>): Probe {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['TENSORRT_LIB_DIR', 'LD_LIBRARY_PATH', 'VIRTUAL_ENV', 'CONDA_PREFIX']) delete env[key];
  const r = spawnSync(process.execPath, [probeScript, root], { env: { ...env, ...extra }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Probe;
}

// Stand-in libnvinfer.so.11 (TensorRT 11.1.0) whose factories return null, optionally with a
// stand-in libnvonnxparser.so.11 beside it.
function standIn(dir: string, withParser: boolean): string {
  fs.mkdirSync(dir, { recursive: true });
  const nvinfer = path.join(dir, 'nvinfer.c');
  fs.writeFileSync(
    nvinfer,
    ['int getInferLibVersion(void) { return 110100; }', ...['createInferBuilder_INTERNAL', 'createInferRuntime_INTERNAL'].map((s) => `void* ${s}(void* a, int b) { (void)a; (void)b; return 0; }`)].join('\n') + '\n',
  );
  const lib = path.join(dir, 'libnvinfer.so.11');
  execFileSync(compiler, ['-shared', '-fPIC', '-o', lib, nvinfer]);
  if (withParser) {
    const parser = path.join(dir, 'nvonnxparser.c');
    fs.writeFileSync(parser, 'void* createNvOnnxParser_INTERNAL(void* a, void* b, int c) { (void)a; (void)b; (void)c; return 0; }\nint getNvOnnxParserVersion(void) { return 100; }\n');
    execFileSync(compiler, ['-shared', '-fPIC', '-o', path.join(dir, 'libnvonnxparser.so.11'), parser]);
  }
  return lib;
}

describe.skipIf(standInsWhy !== '')(`the native hook with stand-in TensorRT libraries${standInsWhy ? ` (skipped: ${standInsWhy})` : ''}`, () => {
  let work = '';
  let withoutParser = '';
  let withParser = '';
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'trtn-onnxparser-'));
    withoutParser = standIn(path.join(work, 'no-parser'), false);
    withParser = standIn(path.join(work, 'with-parser'), true);
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('no libnvinfer: TENSORRT_UNAVAILABLE with the loader\'s reason', () => {
    const r = probe({ TENSORRT_LIB_DIR: path.join(work, 'no-such-dir') });
    expect(r.created).toBe(false);
    expect(r.library.loaded).toBe(false);
    expect(r.error).toEqual({ code: 'TENSORRT_UNAVAILABLE', message: r.library.reason });
    expect(r.error!.message).toMatch(/^libnvinfer\.so\.11 \(TensorRT 11\) was not found\. Tried, in order:/);
  });

  it('libnvinfer without libnvonnxparser.so.11: TENSORRT_UNAVAILABLE with the loader\'s reason for the parser', () => {
    const r = probe({ TENSORRT_LIB_DIR: path.dirname(withoutParser) });
    expect(r.library).toMatchObject({ loaded: true, path: withoutParser, onnxParser: { loaded: false, path: null } });
    expect(r.library.onnxParser.reason).toMatch(/^libnvonnxparser\.so\.11 was not found; tried:/);
    expect(r.error).toEqual({
      code: 'TENSORRT_UNAVAILABLE',
      message: `TensorRT's ONNX parser (libnvonnxparser.so.11) is not available: ${r.library.onnxParser.reason}`,
    });
  });

  it('both libraries, but TensorRT makes no builder: TENSORRT_ERROR naming the call and the library', () => {
    const r = probe({ TENSORRT_LIB_DIR: path.dirname(withParser) });
    expect(r.library.onnxParser).toEqual({ loaded: true, path: path.join(path.dirname(withParser), 'libnvonnxparser.so.11'), reason: null });
    expect(r.created).toBe(false);
    expect(r.error).toEqual({ code: 'TENSORRT_ERROR', message: `createInferBuilder failed (TensorRT 11.1.0 at ${withParser}; the log has TensorRT's reason)` });
  });
});

// ---------------------------------------------------------------------------------------------
// On real TensorRT: conformance models through TensorRT's parser, built and run on the GPU.

const realWhy = !tensorrt.available ? tensorrt.reason : conformance === undefined ? 'no shared/onnx-conformance data beside the checkout (set TRTN_ONNX_CONFORMANCE)' : '';
const CASES = ['node/test_add_bcast', 'node/test_softmax_axis_1'];

describe.skipIf(realWhy !== '')(`nvonnxparser on real TensorRT (${realWhy ? `skipped: ${realWhy}` : tensorrt.reason})`, () => {
  const { cuda } = trt;

  function parseCase(name: string): { builder: trt.Builder; network: trt.NetworkDefinition; parser: trt.OnnxParser; dir: string } {
    const dir = path.join(conformance!, name);
    const builder = new trt.Builder(quietLogger, { backend: 'tensorrt' });
    const network = builder.createNetworkV2();
    const parser = new trt.OnnxParser(network, quietLogger, { implementation: 'nvonnxparser' });
    const file = path.join(dir, 'model.onnx');
    const ok = parser.parse(fs.readFileSync(file), file);
    const errors = Array.from({ length: parser.getNbErrors() }, (_, i) => parser.getError(i)!.toString());
    expect(errors).toEqual([]);
    expect(ok).toBe(true);
    return { builder, network, parser, dir };
  }

  for (const name of CASES) {
    it(`${name}: parses, builds and runs within the suite's tolerance (rtol 1e-3, atol 1e-7)`, async () => {
      const { builder, network, dir } = parseCase(name);
      const model = decodeModel(fs.readFileSync(path.join(dir, 'model.onnx')));
      // The network shows TensorRT's inputs and outputs, as the model declares them.
      expect(network.numInputs).toBe(model.graph.inputs.length);
      expect(network.numOutputs).toBe(model.graph.outputs.length);
      expect(network.numLayers).toBeGreaterThan(0);
      model.graph.inputs.forEach((input, k) => expect(network.getInput(k).name).toBe(input.name));
      model.graph.outputs.forEach((output, k) => expect(network.getOutput(k).name).toBe(output.name));

      const plan = await builder.buildSerializedNetwork(network, builder.createBuilderConfig());
      const runtime = new trt.Runtime(quietLogger, { backend: 'tensorrt' });
      const engine = runtime.deserializeCudaEngine(plan);
      const context = engine.createExecutionContext();
      const stream = new cuda.Stream();
      const buffers: trt.cuda.DeviceBuffer[] = [];
      try {
        const set = path.join(dir, 'test_data_set_0');
        const read = (file: string) => constFromProto(decodeTensor(fs.readFileSync(path.join(set, file))), set, file);
        model.graph.inputs.forEach((input, k) => {
          const value = read(`input_${k}.pb`);
          expect(network.getInput(k).shape).toEqual(value.dims);
          expect(network.getInput(k).dtype).toBe(engineType(value.type));
          const buf = cuda.DeviceBuffer.from(value.engineData() as trt.TypedArray);
          buffers.push(buf);
          context.setTensorAddress(input.name, buf);
        });
        const outputs = model.graph.outputs.map((output, k) => {
          const expected = read(`output_${k}.pb`);
          expect(expected.type).toBe(OnnxType.FLOAT);
          const dims = context.getTensorShape(output.name);
          expect(dims).toEqual(expected.dims);
          const buf = new cuda.DeviceBuffer(trt.byteSizeOf(DataType.FLOAT, dims.reduce((a, b) => a * b, 1)));
          buffers.push(buf);
          context.setTensorAddress(output.name, buf);
          return { name: output.name, buf, expected };
        });
        await context.enqueueV3(stream);
        for (const o of outputs) {
          const host = new Float32Array(o.expected.dims.reduce((a, b) => a * b, 1));
          o.buf.copyTo(host);
          expect(compare(Array.from(host), o.expected, DataType.FLOAT, o.name)).toBeUndefined();
        }
      } finally {
        context.dispose();
        for (const b of buffers) b.dispose();
        engine.dispose();
        runtime.dispose();
        plan.dispose();
        builder.dispose();
      }
    });
  }

  it('an imported network refuses edits, layer access and built-in builds with UNSUPPORTED', async () => {
    const { builder, network } = parseCase(CASES[0]!);
    try {
      const imported = /^the network was imported by nvonnxparser; /;
      expect(caught(() => network.addInput('z', DataType.FLOAT, [1]))).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(imported) });
      expect(caught(() => network.markOutput(network.getInput(0)))).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(imported) });
      expect(caught(() => network.addActivation(network.getInput(0), trt.ActivationType.RELU))).toMatchObject({ code: 'UNSUPPORTED' });
      expect(caught(() => network.getLayer(0))).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(imported) });
      const cpu = new trt.Builder(quietLogger, { backend: 'cpu' });
      await expect(cpu.buildSerializedNetwork(network, cpu.createBuilderConfig())).rejects.toMatchObject({
        code: 'UNSUPPORTED',
        message: 'the network was imported by nvonnxparser; only a builder of the tensorrt backend can build it',
      });
      cpu.dispose();
    } finally {
      builder.dispose();
    }
  });

  it('a parser parses once; bad bytes fail with recorded errors; flags and operators are TensorRT\'s', () => {
    const { builder, parser } = parseCase(CASES[0]!);
    try {
      expect(parser.parse(new Uint8Array([1, 2, 3]))).toBe(false);
      expect(parser.getNbErrors()).toBe(1);
      expect(parser.getError(0)!.code()).toBe(ParserErrorCode.INVALID_GRAPH);
      parser.clearErrors();
      expect(parser.numErrors).toBe(0);
      expect(parser.supportsOperator('Conv')).toBe(true);
      expect(parser.supportsOperator('NoSuchOperator')).toBe(false);
      parser.setFlag(OnnxParserFlag.ENABLE_PLUGIN_OVERRIDE);
      expect(parser.getFlag(OnnxParserFlag.ENABLE_PLUGIN_OVERRIDE)).toBe(true);
      parser.clearFlag(OnnxParserFlag.ENABLE_PLUGIN_OVERRIDE);
      expect(parser.getFlag(OnnxParserFlag.ENABLE_PLUGIN_OVERRIDE)).toBe(false);
      expect(() => parser.getOperatorReport()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    } finally {
      builder.dispose();
    }
    const fresh = new trt.Builder(quietLogger, { backend: 'tensorrt' });
    try {
      const garbage = new trt.OnnxParser(fresh.createNetworkV2(), quietLogger, { implementation: 'nvonnxparser' });
      expect(garbage.parse(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe(false);
      expect(garbage.getNbErrors()).toBeGreaterThan(0);
      expect(garbage.getError(0)!.desc().length).toBeGreaterThan(0);
      const empty = new trt.OnnxParser(fresh.createNetworkV2(), quietLogger, { implementation: 'nvonnxparser' });
      expect(empty.parseFromFile(path.join(os.tmpdir(), 'no-such-model.onnx'), Severity.ERROR)).toBe(false);
      expect(empty.getNbErrors()).toBeGreaterThan(0);
    } finally {
      fresh.dispose();
    }
  });
});
