/** BAD CALL regions: every misuse gives a typed error naming the problem, never a crash. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { buildEngine, quietLogger } from './helpers/engine.js';

function expectTrtError(fn: () => unknown, code: trt.TrtErrorCode, message?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a TrtError').toBeInstanceOf(trt.TrtError);
  expect((caught as trt.TrtError).code).toBe(code);
  expect((caught as trt.TrtError).name).toBe('TrtError');
  if (message) expect((caught as Error).message).toMatch(message);
}

async function expectRejects(p: Promise<unknown>, code: trt.TrtErrorCode, message?: RegExp): Promise<trt.TrtError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(trt.TrtError);
  expect((err as trt.TrtError).code).toBe(code);
  if (message) expect((err as Error).message).toMatch(message);
  return err as trt.TrtError;
}

let engine: trt.CudaEngine;

beforeAll(async () => {
  engine = await buildEngine(
    (net) => {
      const x = net.addInput('x', trt.DataType.FLOAT, [-1, 4]);
      const y = net.addActivation(x, trt.ActivationType.RELU).getOutput(0);
      y.name = 'y';
      net.markOutput(y);
    },
    { profiles: [{ x: [[1, 4], [2, 4], [8, 4]] }] },
  );
});

afterAll(() => engine.dispose());

describe('network definition: BAD CALL', () => {
  const builder = new trt.Builder(quietLogger, { backend: 'cpu' });

  it('names the argument in TypeErrors and RangeErrors', () => {
    const net = builder.createNetworkV2();
    expect(() => net.addInput(42 as unknown as string, trt.DataType.FLOAT, [1])).toThrow(TypeError);
    expect(() => net.addInput(42 as unknown as string, trt.DataType.FLOAT, [1])).toThrow(/for name but received 42 of type number/);
    expect(() => net.addInput('x', 99 as trt.DataType, [1])).toThrow(RangeError);
    expect(() => net.addInput('x', trt.DataType.FLOAT, [1, -3])).toThrow(/shape\[1\]/);
    expect(() => net.addInput('x', trt.DataType.FLOAT, [1, 1, 1, 1, 1, 1, 1, 1, 1])).toThrow(/at most 8 dimensions/);
    const x = net.addInput('x', trt.DataType.FLOAT, [2, 3]);
    expect(() => net.addActivation(x, 77 as trt.ActivationType)).toThrow(/ActivationType/);
    expect(() => net.addActivation({} as trt.ITensor, trt.ActivationType.RELU)).toThrow(/Expected an ITensor for input/);
  });

  it('rejects duplicate input names and tensors of another network', () => {
    const a = builder.createNetworkV2();
    const b = builder.createNetworkV2();
    a.addInput('x', trt.DataType.FLOAT, [2]);
    expectTrtError(() => a.addInput('x', trt.DataType.FLOAT, [2]), 'INVALID_ARGUMENT', /already exists/);
    const bx = b.addInput('x', trt.DataType.FLOAT, [2]);
    expect(() => a.addActivation(bx, trt.ActivationType.RELU)).toThrow(/ITensor of this network/);
  });

  it('reports shape errors at add time, naming the layer', () => {
    const net = builder.createNetworkV2();
    const a = net.addInput('a', trt.DataType.FLOAT, [2, 3]);
    const b = net.addInput('b', trt.DataType.FLOAT, [4, 3]);
    expectTrtError(() => net.addElementWise(a, b, trt.ElementWiseOperation.SUM), 'INVALID_ARGUMENT', /ElementWise|ELEMENTWISE/);
    const h = net.addInput('h', trt.DataType.HALF, [2, 3]);
    expectTrtError(() => net.addElementWise(a, h, trt.ElementWiseOperation.SUM), 'INVALID_ARGUMENT', /FLOAT|HALF/);
    expectTrtError(() => net.addConvolutionNd(a, 4, [3, 3], new Float32Array(5)), 'INVALID_ARGUMENT');
    expect(net.numLayers).toBe(0); // failed adds leave nothing behind
  });

  it('rejects weights of the wrong size for a constant', () => {
    const net = builder.createNetworkV2();
    expect(() => net.addConstant([2, 2], new Float32Array(3))).toThrow(/4 values/);
  });

  it('refuses to build a network without outputs, or with a dynamic input and no profile', async () => {
    const net = builder.createNetworkV2();
    const x = net.addInput('x', trt.DataType.FLOAT, [-1, 2]);
    const config = builder.createBuilderConfig();
    await expectRejects(Promise.resolve().then(() => builder.buildSerializedNetwork(net, config)), 'INVALID_ARGUMENT', /no outputs/);
    net.markOutput(net.addIdentity(x).getOutput(0));
    await expectRejects(builder.buildSerializedNetwork(net, config), 'INVALID_ARGUMENT', /optimization profile/);
  });

  it('validates profiles: MIN <= OPT <= MAX, matching rank, fixed dims, known names', async () => {
    const profile = builder.createOptimizationProfile();
    profile.setShape('x', [4, 2], [2, 2], [8, 2]);
    const config = builder.createBuilderConfig();
    expect(() => config.addOptimizationProfile(profile)).toThrow(/MIN <= OPT <= MAX/);
    const net = builder.createNetworkV2();
    const x = net.addInput('x', trt.DataType.FLOAT, [-1, 2]);
    net.markOutput(net.addIdentity(x).getOutput(0));
    const wrong = builder.createOptimizationProfile();
    wrong.setShape('x', [1, 3], [1, 3], [1, 3]);
    const c2 = builder.createBuilderConfig();
    c2.addOptimizationProfile(wrong);
    await expectRejects(builder.buildSerializedNetwork(net, c2), 'INVALID_ARGUMENT', /fixed dimensions/);
    const unknown = builder.createOptimizationProfile();
    unknown.setShape('nope', [1, 2], [1, 2], [1, 2]);
    const c3 = builder.createBuilderConfig();
    c3.addOptimizationProfile(unknown);
    await expectRejects(builder.buildSerializedNetwork(net, c3), 'INVALID_ARGUMENT', /'nope'/);
  });
});

describe('execution context: BAD CALL', () => {
  it('rejects unknown tensor names, listing the real ones', () => {
    const ctx = engine.createExecutionContext();
    expectTrtError(() => ctx.setInputShape('z', [1, 4]), 'INVALID_ARGUMENT', /no input or output tensor is named 'z'.*'x', 'y'/);
    expect(() => engine.getTensorShape('z')).toThrow(/'x', 'y'/);
    ctx.dispose();
  });

  it('rejects shapes outside the profile, wrong rank, and changes to fixed dims', () => {
    const ctx = engine.createExecutionContext();
    expectTrtError(() => ctx.setInputShape('x', [9, 4]), 'INVALID_ARGUMENT', /outside optimization profile 0/);
    expectTrtError(() => ctx.setInputShape('x', [2, 4, 1]), 'INVALID_ARGUMENT', /rank/);
    expectTrtError(() => ctx.setInputShape('x', [2, 5]), 'INVALID_ARGUMENT', /fixed at 4/);
    expectTrtError(() => ctx.setInputShape('y', [2, 4]), 'INVALID_ARGUMENT', /output/);
    expectTrtError(() => ctx.setOptimizationProfileAsync(3), 'INVALID_ARGUMENT', /profile 3 does not exist/);
    ctx.dispose();
  });

  it('rejects enqueue before shapes, before addresses, and with buffers too small', async () => {
    const ctx = engine.createExecutionContext();
    await expectRejects(ctx.enqueueV3(), 'INVALID_STATE', /setInputShape/);
    ctx.setInputShape('x', [2, 4]);
    await expectRejects(ctx.enqueueV3(), 'INVALID_STATE', /input 'x' has no buffer/);
    const small = new trt.HostBuffer(16);
    const out = new trt.HostBuffer(32);
    ctx.setTensorAddress('x', small);
    ctx.setTensorAddress('y', out);
    await expectRejects(ctx.enqueueV3(), 'INVALID_ARGUMENT', /input 'x' needs 32 bytes .* but its buffer has 16/);
    small.dispose();
    out.dispose();
    ctx.dispose();
  });

  it('the rejection carries the caller stack', async () => {
    const ctx = engine.createExecutionContext();
    const err = await expectRejects(ctx.enqueueV3(), 'INVALID_STATE');
    expect(err.stack).toMatch(/30\.misuse\.test\.ts/);
    ctx.dispose();
  });

  it('USER_MANAGED contexts need device memory, and enough of it', async () => {
    const ctx = engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.USER_MANAGED);
    ctx.setInputShape('x', [2, 4]);
    const x = trt.HostBuffer.from(new Float32Array(8));
    const y = new trt.HostBuffer(32);
    ctx.setTensorAddress('x', x);
    ctx.setTensorAddress('y', y);
    await expectRejects(ctx.enqueueV3(), 'INVALID_STATE', /setDeviceMemoryV2/);
    const need = engine.getDeviceMemorySizeV2();
    const mem = new trt.HostBuffer(need + 256);
    if (need > 0) expectTrtError(() => ctx.setDeviceMemoryV2(mem, need - 1), 'INVALID_ARGUMENT', /less than/);
    expect(() => ctx.setDeviceMemoryV2(mem, need + 1024)).toThrow(RangeError);
    ctx.setDeviceMemoryV2(mem, need);
    await ctx.enqueueV3();
    const staticCtx = engine.createExecutionContext();
    expectTrtError(() => staticCtx.setDeviceMemoryV2(mem, need), 'INVALID_STATE', /USER_MANAGED/);
    for (const b of [x, y, mem]) b.dispose();
    ctx.dispose();
    staticCtx.dispose();
  });

  it('rejects a second stream while the context is running', async () => {
    const ctx = engine.createExecutionContext();
    ctx.setInputShape('x', [2, 4]);
    const x = trt.HostBuffer.from(new Float32Array(8));
    const y = new trt.HostBuffer(32);
    ctx.setTensorAddress('x', x);
    ctx.setTensorAddress('y', y);
    const s1 = new trt.Stream();
    const s2 = new trt.Stream();
    const first = ctx.enqueueV3(s1);
    await expectRejects(ctx.enqueueV3(s2), 'INVALID_STATE', /another stream/);
    await first;
    await ctx.enqueueV3(s2); // fine once idle
    ctx.dispose();
    x.dispose();
    y.dispose();
  });
});

describe('disposal: BAD CALL', () => {
  it('use after dispose throws DISPOSED on every object kind', async () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    const net = builder.createNetworkV2();
    const x = net.addInput('x', trt.DataType.FLOAT, [2]);
    builder.dispose(); // disposes its networks
    expect(net.disposed).toBe(true);
    expectTrtError(() => net.addIdentity(x), 'DISPOSED', /NetworkDefinition/);
    expectTrtError(() => x.shape, 'DISPOSED');
    expectTrtError(() => builder.createNetworkV2(), 'DISPOSED', /Builder/);

    const buf = new trt.HostBuffer(64);
    const view = buf.view(trt.DataType.FLOAT);
    buf.dispose();
    expect(view.length).toBe(0); // detached: a stale view can never read freed memory
    expectTrtError(() => buf.view(), 'DISPOSED', /HostBuffer/);

    const e2 = await buildEngine((n) => n.markOutput(n.addIdentity(n.addInput('x', trt.DataType.FLOAT, [2])).getOutput(0)));
    const ctx = e2.createExecutionContext();
    e2.dispose(); // disposes its contexts
    expect(ctx.disposed).toBe(true);
    expectTrtError(() => ctx.setInputShape('x', [2]), 'DISPOSED', /ExecutionContext/);
    await expectRejects(ctx.enqueueV3(), 'DISPOSED');
    expectTrtError(() => e2.createExecutionContext(), 'DISPOSED', /CudaEngine/);
    const ctx2 = engine.createExecutionContext();
    const dead = new trt.HostBuffer(32);
    dead.dispose();
    expectTrtError(() => ctx2.setTensorAddress('x', dead), 'DISPOSED');
    ctx2.dispose();
  });

  it('disposing a buffer bound to a context makes the next enqueue fail cleanly', async () => {
    const ctx = engine.createExecutionContext();
    ctx.setInputShape('x', [2, 4]);
    const x = trt.HostBuffer.from(new Float32Array(8));
    const y = new trt.HostBuffer(32);
    ctx.setTensorAddress('x', x);
    ctx.setTensorAddress('y', y);
    x.dispose();
    await expectRejects(ctx.enqueueV3(), 'DISPOSED', /'x'/);
    ctx.dispose();
    y.dispose();
  });

  it('dispose during in-flight work: the work completes with correct output, later calls throw DISPOSED', async () => {
    const big = await buildEngine((n) => {
      const a = n.addInput('a', trt.DataType.FLOAT, [512, 512]);
      let t = a;
      for (let i = 0; i < 4; i += 1) t = n.addMatrixMultiply(t, trt.MatrixOperation.NONE, a, trt.MatrixOperation.NONE).getOutput(0);
      const y = n.addReduce(t, trt.ReduceOperation.MAX, 3, false).getOutput(0);
      y.name = 'y';
      n.markOutput(y);
    });
    const ctx = big.createExecutionContext();
    const a = trt.HostBuffer.from(new Float32Array(512 * 512).fill(0.001));
    const y = new trt.HostBuffer(4);
    ctx.setTensorAddress('a', a);
    ctx.setTensorAddress('y', y);
    const running = ctx.enqueueV3();
    ctx.dispose();
    a.dispose();
    big.dispose();
    await running;
    // (0.001*512)^4 * 0.001 = 0.512^4 * 1e-3
    expect(y.view(trt.DataType.FLOAT)[0]).toBeCloseTo(0.512 ** 4 * 0.001, 6);
    expectTrtError(() => ctx.getTensorShape('y'), 'DISPOSED');
    y.dispose();
  });
});
