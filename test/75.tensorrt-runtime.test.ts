/**
 * The tensorrt backend's engine, context and bridges. Without libnvinfer (CI, this machine) the
 * error paths: requesting the backend, TensorRT plans where it cannot run, and what the TensorRT
 * extras (timing cache, inspector, refitter) do on the built-in backends. The last block runs on
 * real TensorRT (a GPU machine with TensorRT 11) and skips elsewhere, naming why.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { native } from '../lib/native.js';
import { quietLogger } from './helpers/engine.js';

const { DataType, ActivationType, ElementWiseOperation, LayerInformationFormat, TensorIOMode } = trt;

const tensorrt = trt.getBackends().find((b) => b.name === 'tensorrt')!;
const planTools = (native() as unknown as { tensorrtPlanTools?: { wrap(engine: Uint8Array, meta: object): Uint8Array } }).tensorrtPlanTools;

function define(net: trt.NetworkDefinition): void {
  const x = net.addInput('x', DataType.FLOAT, [2, 3]);
  const bias = net.addConstant([1, 3], new trt.Weights(new Float32Array([0.5, -1, 2])));
  bias.name = 'bias';
  const sum = net.addElementWise(x, bias.getOutput(0), ElementWiseOperation.SUM);
  const relu = net.addActivation(sum.getOutput(0), ActivationType.RELU);
  relu.getOutput(0).name = 'y';
  net.markOutput(relu.getOutput(0));
}

async function buildOn(backend: trt.BackendName, setup?: (config: trt.BuilderConfig) => void): Promise<{ plan: trt.HostMemory; config: trt.BuilderConfig }> {
  const builder = new trt.Builder(quietLogger, { backend });
  const net = builder.createNetworkV2();
  define(net);
  const config = builder.createBuilderConfig();
  setup?.(config);
  const plan = await builder.buildSerializedNetwork(net, config);
  builder.dispose();
  return { plan, config };
}

function caught(fn: () => unknown): trt.TrtError {
  try {
    fn();
  } catch (err) {
    return err as trt.TrtError;
  }
  throw new Error('expected a throw');
}

describe.skipIf(tensorrt.available)('tensorrt backend where it cannot run (EXPECTED FAILURE)', () => {
  it('naming the backend throws UNSUPPORTED with the reason', () => {
    const err = caught(() => new trt.Builder(quietLogger, { backend: 'tensorrt' }));
    expect(err).toBeInstanceOf(trt.TrtError);
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toContain(tensorrt.reason);
    expect(() => new trt.Runtime(quietLogger, { backend: 'tensorrt' })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('a build for the tensorrt backend reaching native code fails with TENSORRT_UNAVAILABLE and the reason', () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    const net = builder.createNetworkV2();
    define(net);
    const nativeConfig = builder.createBuilderConfig()._toNative(2);
    const err = caught(() => native().buildSerializedNetworkSync(net._native(), nativeConfig, null));
    expect(err.code).toBe('TENSORRT_UNAVAILABLE');
    expect(err.message).toContain(tensorrt.reason);
    builder.dispose();
  });

  it('a raw TensorRT plan (as trtexec writes it) is refused with TENSORRT_UNAVAILABLE naming why', async () => {
    const raw = new Uint8Array(64);
    raw.set([0x66, 0x74, 0x72, 0x74]); // "ftrt"
    const runtime = new trt.Runtime(quietLogger, { backend: 'cpu' });
    const err = caught(() => runtime.deserializeCudaEngine(raw));
    expect(err.code).toBe('TENSORRT_UNAVAILABLE');
    expect(err.message).toMatch(/^this plan is a TensorRT engine \(raw/);
    expect(err.message).toContain(tensorrt.reason);
    await expect(runtime.deserializeCudaEngineAsync(raw)).rejects.toMatchObject({ code: 'TENSORRT_UNAVAILABLE' });
  });

  it.skipIf(!planTools)('a wrapped TensorRT plan is refused with TENSORRT_UNAVAILABLE naming why', async () => {
    const wrapped = planTools!.wrap(new Uint8Array([0x66, 0x74, 0x72, 0x74, 1, 2, 3, 4]), { tensorrtVersion: 110100, computeMajor: 9, computeMinor: 0, deviceName: 'NVIDIA H100' });
    const runtime = new trt.Runtime(quietLogger, { backend: 'cpu' });
    const err = caught(() => runtime.deserializeCudaEngine(wrapped));
    expect(err.code).toBe('TENSORRT_UNAVAILABLE');
    expect(err.message).toMatch(/^this plan is a TensorRT engine, which only the tensorrt backend runs/);
    expect(err.message).toContain(tensorrt.reason);
    await expect(runtime.deserializeCudaEngineAsync(wrapped)).rejects.toMatchObject({ code: 'TENSORRT_UNAVAILABLE' });
  });
});

describe('TensorRT extras on engines of the built-in backends', () => {
  it('new Refitter(engine) refuses a cpu engine with UNSUPPORTED, saying why (BAD CALL)', async () => {
    const { plan } = await buildOn('cpu');
    const engine = new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(plan);
    const err = caught(() => new trt.Refitter(engine, quietLogger));
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toMatch(/engines of the 'cpu' backend cannot be refitted/);
    expect(() => new trt.Refitter({} as trt.CudaEngine)).toThrow(TypeError);
    engine.dispose();
    expect(() => new trt.Refitter(engine)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });

  it('a timing cache is an opaque container the built-in builds keep unchanged', async () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5]);
    let cache: trt.TimingCache | undefined;
    const { config } = await buildOn('cpu', (c) => {
      cache = c.createTimingCache(bytes);
      expect(c.setTimingCache(cache, false)).toBe(true);
    });
    expect(config.getTimingCache()).toBe(cache);
    expect(Array.from(cache!.serialize().data)).toEqual([1, 2, 3, 4, 5]);
    bytes[0] = 9; // the cache copied its bytes
    expect(cache!.serialize().data[0]).toBe(1);
    const other = config.createTimingCache();
    expect(other.serialize().data.length).toBe(0);
    expect(cache!.combine(other, false)).toBe(false);
    expect(Array.from(cache!.serialize().data)).toEqual([1, 2, 3, 4, 5]);
    expect(cache!.reset()).toBe(true);
    expect(cache!.serialize().data.length).toBe(0);
    cache!.dispose();
    expect(() => cache!.serialize()).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    expect(() => config.setTimingCache(cache!, false)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });

  it('BAD CALL: timing cache arguments are checked', () => {
    const config = new trt.Builder(quietLogger, { backend: 'cpu' }).createBuilderConfig();
    expect(() => config.createTimingCache('abc' as unknown as Uint8Array)).toThrow(/Expected a Uint8Array, Buffer or ArrayBuffer for bytes/);
    expect(() => config.setTimingCache({} as trt.TimingCache, false)).toThrow(/Expected a TimingCache for cache/);
    const cache = config.createTimingCache();
    expect(() => config.setTimingCache(cache, 1 as unknown as boolean)).toThrow(/Expected a boolean for ignoreMismatch/);
    const foreign = new trt.BuilderConfig('cuda').createTimingCache();
    expect(() => config.setTimingCache(foreign, false)).toThrow(RangeError);
  });

  it("the engine inspector reports a cpu engine's layers as JSON and one line per layer", async () => {
    const { plan } = await buildOn('cpu');
    const engine = new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(plan);
    const inspector = engine.createEngineInspector();
    const info = JSON.parse(inspector.getEngineInformation(LayerInformationFormat.JSON)) as { Layers: Array<{ Name: string; Outputs: string[] }>; Bindings: string[] };
    expect(info.Layers.map((l) => l.Name)).toEqual(engine.inspect().layers.map((l) => l.name));
    expect(info.Bindings).toEqual(['x', 'y']);
    expect(info.Layers.at(-1)!.Outputs).toContain('y');
    const lines = inspector.getEngineInformation(LayerInformationFormat.ONELINE).split('\n');
    expect(lines.length).toBe(engine.numLayers);
    expect(inspector.getLayerInformation(0, LayerInformationFormat.ONELINE)).toBe(lines[0]);
    expect(JSON.parse(inspector.getLayerInformation(0, LayerInformationFormat.JSON))).toEqual(info.Layers[0]);
    expect(() => inspector.getLayerInformation(engine.numLayers, LayerInformationFormat.JSON)).toThrow(RangeError);
    expect(() => inspector.getEngineInformation(7 as trt.LayerInformationFormat)).toThrow(RangeError);
    const context = engine.createExecutionContext();
    inspector.executionContext = context;
    expect(inspector.executionContext).toBe(context);
    expect(() => inspector.setExecutionContext({} as trt.ExecutionContext)).toThrow(TypeError);
    engine.dispose();
    expect(() => inspector.getEngineInformation(LayerInformationFormat.JSON)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });
});

describe('an execution context with a run in flight', () => {
  it('BAD CALL: setOutputAllocator is refused with INVALID_STATE until the run settles (the run copies out of the current allocator)', async () => {
    const { plan } = await buildOn('cpu');
    const engine = new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(plan);
    const context = engine.createExecutionContext();
    context.setTensorAddress('x', trt.HostBuffer.from(new Float32Array(6)));
    context.setTensorAddress('y', new trt.HostBuffer(24));
    const run = context.enqueueV3();
    expect(() => context.setOutputAllocator('y', new trt.HostOutputAllocator())).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE', message: 'setOutputAllocator: the context is running; await enqueueV3() first' }),
    );
    await run;
    expect(context.setOutputAllocator('y', new trt.HostOutputAllocator())).toBe(true);
    engine.dispose();
  });
});

describe.skipIf(!tensorrt.available)(`on real TensorRT (${tensorrt.available ? tensorrt.reason : `skipped: ${tensorrt.reason}`})`, () => {
  const { cuda } = trt;
  const x = Float32Array.from([-1, 0.25, -3, 2, -0.5, 1]);
  const expected = (bias: number[]) => Array.from(x, (v, i) => Math.max(v + bias[i % 3]!, 0));

  async function run(engine: trt.CudaEngine, context = engine.createExecutionContext()): Promise<number[]> {
    const input = cuda.DeviceBuffer.from(x);
    const output = new cuda.DeviceBuffer(x.byteLength);
    context.setTensorAddress('x', input);
    context.setTensorAddress('y', output);
    await context.enqueueV3(new cuda.Stream());
    const host = new Float32Array(6);
    output.copyTo(host);
    return Array.from(host);
  }

  it('builds (with a timing cache), serializes, deserializes and runs; FP32 within 1e-6 of the reference', async () => {
    let cache: trt.TimingCache | undefined;
    const { plan } = await buildOn('tensorrt', (c) => {
      cache = c.createTimingCache();
      c.setTimingCache(cache, false);
    });
    expect(native().inspectPlan(plan.data).backend).toBe('tensorrt');
    expect(cache!.serialize().data.length).toBeGreaterThan(0); // TensorRT left its timings
    const runtime = new trt.Runtime(quietLogger, { backend: 'tensorrt' });
    const engine = await runtime.deserializeCudaEngineAsync(plan);
    expect(engine.backend).toBe('tensorrt');
    expect(engine.getTensorIOMode('y')).toBe(TensorIOMode.OUTPUT);
    expect(engine.getTensorShape('x')).toEqual([2, 3]);
    const got = await run(engine);
    expected([0.5, -1, 2]).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    const again = runtime.deserializeCudaEngine(engine.serialize());
    expect(await run(again)).toEqual(got);
    expect(cache!.combine(new trt.BuilderConfig('tensorrt').createTimingCache(cache!.serialize().data), false)).toBe(true);
    engine.dispose();
    again.dispose();
  });

  it("the inspector gives TensorRT's JSON, the context's output allocator gets data-dependent-style outputs", async () => {
    const { plan } = await buildOn('tensorrt');
    const engine = new trt.Runtime(quietLogger, { backend: 'tensorrt' }).deserializeCudaEngine(plan);
    const json = JSON.parse(engine.createEngineInspector().getEngineInformation(LayerInformationFormat.JSON)) as { Layers: unknown[] };
    expect(Array.isArray(json.Layers)).toBe(true);
    const context = engine.createExecutionContext();
    const shapes: Record<string, number[]> = {};
    const allocator = new trt.HostOutputAllocator();
    context.setOutputAllocator('y', {
      reallocateOutputAsync: (name, current, size) => allocator.reallocateOutputAsync(name, current, size),
      notifyShape: (name, dims) => {
        shapes[name] = dims;
        allocator.notifyShape(name, dims);
      },
    });
    context.setTensorAddress('x', cuda.DeviceBuffer.from(x));
    await context.enqueueV3(new cuda.Stream());
    expect(shapes['y']).toEqual([2, 3]);
    const out = new Float32Array(allocator.buffer('y')!.nativeHandle.arrayBuffer()!, 0, 6);
    expected([0.5, -1, 2]).forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
    engine.dispose();
  });

  it('refits a refittable engine, or refuses a non-refittable one with UNSUPPORTED', async () => {
    const { plan } = await buildOn('tensorrt', (c) => c.setFlag(trt.BuilderFlag.REFIT));
    const engine = new trt.Runtime(quietLogger, { backend: 'tensorrt' }).deserializeCudaEngine(plan);
    if (!engine._tensorrt!.isRefittable()) {
      expect(() => new trt.Refitter(engine, quietLogger)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
      return;
    }
    const refitter = new trt.Refitter(engine, quietLogger);
    const names = refitter.getAllWeights();
    expect(names.length).toBeGreaterThan(0);
    refitter.setNamedWeights(names[0]!, new trt.Weights(new Float32Array([1, 1, 1])));
    expect(refitter.getMissingWeights()).toEqual([]);
    expect(refitter.refitCudaEngine()).toBe(true);
    const got = await run(engine);
    expected([1, 1, 1]).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    // serialize() gives the refitted engine (ICudaEngine::serialize), still wrapped with its build record.
    const refitted = engine.serialize().data.slice();
    expect(Buffer.from(refitted).equals(Buffer.from(plan.data))).toBe(false);
    expect(native().inspectPlan(refitted)).toMatchObject({ kind: 'tensorrt-node', backend: 'tensorrt' });
    const reloaded = new trt.Runtime(quietLogger, { backend: 'tensorrt' }).deserializeCudaEngine(refitted);
    const fromPlan = await run(reloaded);
    expected([1, 1, 1]).forEach((v, i) => expect(fromPlan[i]).toBeCloseTo(v, 6));
    reloaded.dispose();
    refitter.dispose();
    engine.dispose();
  });
  it('BAD CALL: a bound buffer smaller than its tensor is refused before TensorRT sees it (INVALID_ARGUMENT naming tensor, need and have); an unbound one is INVALID_STATE', async () => {
    const { plan } = await buildOn('tensorrt');
    const engine = new trt.Runtime(quietLogger, { backend: 'tensorrt' }).deserializeCudaEngine(plan);
    const context = engine.createExecutionContext();
    context.setTensorAddress('x', cuda.DeviceBuffer.from(x));
    context.setTensorAddress('y', new cuda.DeviceBuffer(12));
    const stream = new cuda.Stream();
    await expect(context.enqueueV3(stream)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: "enqueueV3: the buffer bound to 'y' has 12 bytes but the tensor needs 24 (FLOAT [2,3])",
    });
    expect(() => context.executeV2()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    context.setTensorAddress('x', new cuda.DeviceBuffer(8));
    context.setTensorAddress('y', new cuda.DeviceBuffer(24));
    await expect(context.enqueueV3(stream)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/'x' has 8 bytes but the tensor needs 24/) });
    context.setTensorAddress('x', null);
    await expect(context.enqueueV3(stream)).rejects.toMatchObject({ code: 'INVALID_STATE', message: "enqueueV3: no memory is bound to 'x' (setTensorAddress)" });
    // Nothing ran: the context still works with the right buffers.
    expect(await run(engine, context)).toEqual(await run(engine));
    engine.dispose();
  });

  it('a run with data-dependent outputs (NonZero) launches from the context host thread: enqueueV3 returns while earlier work still occupies the stream, and the values are right', async () => {
    const builder = new trt.Builder(quietLogger, { backend: 'tensorrt' });
    const net = builder.createNetworkV2();
    const input = net.addInput('v', DataType.FLOAT, [6]);
    const nz = net.addNonZero(input, DataType.INT64);
    nz.getOutput(0).name = 'idx';
    net.markOutput(nz.getOutput(0));
    const plan = await builder.buildSerializedNetwork(net, builder.createBuilderConfig());
    builder.dispose();
    const engine = new trt.Runtime(quietLogger, { backend: 'tensorrt' }).deserializeCudaEngine(plan);
    const context = engine.createExecutionContext();
    context.setTensorAddress('v', cuda.DeviceBuffer.from(Float32Array.from([0, 1.5, 0, -2, 0, 3])));
    const allocator = new trt.HostOutputAllocator();
    context.setOutputAllocator('idx', allocator);
    const stream = new cuda.Stream();
    // Tens of milliseconds of copies ahead of the run on the same stream: TensorRT waits for them
    // inside enqueueV3 (it needs the count of nonzero values), which must not be the JS thread.
    const a = new cuda.DeviceBuffer(1 << 30);
    const b = new cuda.DeviceBuffer(1 << 30);
    const copies: Array<Promise<void>> = [];
    for (let i = 0; i < 40; i += 1) copies.push(cuda.memcpyAsync(b, a, stream));
    const done = context.enqueueV3(stream);
    // Had enqueueV3 waited on the JS thread, the stream would be drained by now.
    const busyAtReturn = !stream.query();
    await done;
    await Promise.all(copies);
    expect(busyAtReturn).toBe(true);
    expect(allocator.shape('idx')).toEqual([1, 3]);
    expect(Array.from(new BigInt64Array(allocator.buffer('idx')!.nativeHandle.arrayBuffer()!, 0, 3))).toEqual([1n, 3n, 5n]);
    a.dispose();
    b.dispose();
    engine.dispose();
  });

  it('while a run launches on the host thread, JS-thread calls do not wait for it, and each run uses the shape tensor values it was requested with (the HostBuffer rewritten in between)', async () => {
    // r = reshape(v, s) with s a shape tensor input; idx = NonZero(v) makes every run data-dependent.
    const builder = new trt.Builder(quietLogger, { backend: 'tensorrt' });
    const net = builder.createNetworkV2();
    const v = net.addInput('v', DataType.FLOAT, [6]);
    const s = net.addInput('s', DataType.INT64, [2]);
    const shuffle = net.addShuffle(v);
    shuffle.setInput(1, s);
    shuffle.getOutput(0).name = 'r';
    net.markOutput(shuffle.getOutput(0));
    const nz = net.addNonZero(v, DataType.INT64);
    nz.getOutput(0).name = 'idx';
    net.markOutput(nz.getOutput(0));
    const config = builder.createBuilderConfig();
    const profile = builder.createOptimizationProfile();
    profile.setShapeInput('s', [1, 1], [2, 3], [6, 6]);
    config.addOptimizationProfile(profile);
    const plan = await builder.buildSerializedNetwork(net, config);
    builder.dispose();
    const engine = new trt.Runtime(quietLogger, { backend: 'tensorrt' }).deserializeCudaEngine(plan);
    const context = engine.createExecutionContext();
    const values = Float32Array.from([0, 1.5, 0, -2, 0, 3]);
    context.setTensorAddress('v', cuda.DeviceBuffer.from(values));
    const shape = trt.HostBuffer.from(new BigInt64Array([2n, 3n]));
    context.setTensorAddress('s', shape);
    const shapesOfR: number[][] = [];
    const rAllocator = new trt.HostOutputAllocator();
    context.setOutputAllocator('r', {
      reallocateOutputAsync: (name, current, size) => rAllocator.reallocateOutputAsync(name, current, size),
      notifyShape: (name, dims) => {
        shapesOfR.push([...dims]);
        rAllocator.notifyShape(name, dims);
      },
    });
    const idxAllocator = new trt.HostOutputAllocator();
    context.setOutputAllocator('idx', idxAllocator);
    const stream = new cuda.Stream();
    // Tens of milliseconds of copies ahead: the first run's enqueueV3 waits for them on the host thread.
    const a = new cuda.DeviceBuffer(1 << 30);
    const b = new cuda.DeviceBuffer(1 << 30);
    const copies: Array<Promise<void>> = [];
    for (let i = 0; i < 40; i += 1) copies.push(cuda.memcpyAsync(b, a, stream));
    const first = context.enqueueV3(stream);
    // Rewritten in place right after: only the second run may see [3, 2].
    new BigInt64Array(shape.arrayBuffer).set([3n, 2n]);
    const second = context.enqueueV3(stream);
    // A setter made now is recorded for later runs without waiting for the first run's enqueueV3.
    const again = cuda.DeviceBuffer.from(values);
    context.setTensorAddress('v', again);
    // Had any of these waited for the GPU on the JS thread, the stream would be drained by now.
    const busyAfterCalls = !stream.query();
    await Promise.all([first, second]);
    await Promise.all(copies);
    expect(busyAfterCalls).toBe(true);
    expect(shapesOfR).toEqual([
      [2, 3],
      [3, 2],
    ]);
    expect(Array.from(new Float32Array(rAllocator.buffer('r')!.nativeHandle.arrayBuffer()!, 0, 6))).toEqual(Array.from(values));
    expect(Array.from(new BigInt64Array(idxAllocator.buffer('idx')!.nativeHandle.arrayBuffer()!, 0, 3))).toEqual([1n, 3n, 5n]);
    // Getters see what the JS thread set last.
    expect(context.getTensorShape('r')).toEqual([3, 2]);
    expect(context.getTensorAddress('v')).toBe(again);
    a.dispose();
    b.dispose();
    engine.dispose();
  });

  // Asked only where the backend runs (libraryInfo loads libnvinfer).
  const onnxParserLoaded = tensorrt.available && trt.tensorrt.libraryInfo().onnxParser.loaded;
  it.skipIf(!onnxParserLoaded)(
    `BAD CALL: OnnxParserFlag.REPORT_CAPABILITY_DLA is refused with UNSUPPORTED (TensorRT's parser would need a builder config)${
      onnxParserLoaded ? '' : ' (skipped: libnvonnxparser.so.11 is not loaded)'
    }`,
    () => {
      const builder = new trt.Builder(quietLogger, { backend: 'tensorrt' });
      try {
        const parser = new trt.OnnxParser(builder.createNetworkV2(), quietLogger, { implementation: 'nvonnxparser' });
        const before = parser.getFlags();
        expect(() => parser.setFlag(trt.OnnxParserFlag.REPORT_CAPABILITY_DLA)).toThrow(
          expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringMatching(/^OnnxParserFlag\.REPORT_CAPABILITY_DLA needs a builder config/) }),
        );
        expect(parser.getFlags()).toBe(before);
      } finally {
        builder.dispose();
      }
    },
  );
});
