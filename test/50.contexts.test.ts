/** Execution contexts: allocation strategies, profiles and dynamic shapes, shared user memory. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { activationMemory, buildEngine, readBytes, runEngine, tensorBuffer, tensorBufferFrom } from './helpers/engine.js';
import { randomFloat32 } from './helpers/random.js';
import * as R from './reference/index.js';

// x: [B, 16] -> FC(16->32) + ReLU -> FC(32->8) -> softmax over dim 1; B is dynamic.
const w1 = randomFloat32(16 * 32, 1);
const b1 = randomFloat32(32, 2);
const w2 = randomFloat32(32 * 8, 3);

function define(net: trt.NetworkDefinition): void {
  const x = net.addInput('x', trt.DataType.FLOAT, [-1, 16]);
  const h = net.addMatrixMultiply(x, trt.MatrixOperation.NONE, net.addConstant([16, 32], w1).getOutput(0), trt.MatrixOperation.NONE);
  const hb = net.addElementWise(h.getOutput(0), net.addConstant([1, 32], b1).getOutput(0), trt.ElementWiseOperation.SUM);
  const r = net.addActivation(hb.getOutput(0), trt.ActivationType.RELU);
  const o = net.addMatrixMultiply(r.getOutput(0), trt.MatrixOperation.NONE, net.addConstant([32, 8], w2).getOutput(0), trt.MatrixOperation.NONE);
  const s = net.addSoftMax(o.getOutput(0));
  s.axes = 1 << 1;
  s.getOutput(0).name = 'y';
  net.markOutput(s.getOutput(0));
}

function reference(x: R.Ref): R.Ref {
  const h = R.matrixMultiply(x, R.ref([16, 32], w1), {});
  const hb = R.elementWise(h, R.ref([1, 32], b1), { op: R.ElementWiseOperation.SUM });
  const r = R.activation(hb, { type: R.ActivationType.RELU });
  const o = R.matrixMultiply(r, R.ref([32, 8], w2), {});
  return R.softMax(o, { axes: 2 });
}

const profiles = [
  { x: [[1, 16], [4, 16], [8, 16]] as [number[], number[], number[]] },
  { x: [[16, 16], [32, 16], [64, 16]] as [number[], number[], number[]] },
];
let engine: trt.CudaEngine;

beforeAll(async () => {
  engine = await buildEngine(define, { profiles });
});
afterAll(() => engine.dispose());

function expectClose(actual: R.Ref, expected: R.Ref): void {
  expect(actual.dims).toEqual(expected.dims);
  const cmp = R.compareClose(actual, expected, { rtol: 1e-5, atol: 1e-6 });
  expect(cmp.ok, cmp.message).toBe(true);
}

describe('optimization profiles and dynamic shapes', () => {
  it('reports profiles, and per-profile memory that grows with the batch', () => {
    expect(engine.numOptimizationProfiles).toBe(2);
    expect(engine.getTensorShape('x')).toEqual([-1, 16]);
    expect(engine.getProfileShape('x', 1)).toEqual(profiles[1]!.x);
    expect(engine.getProfileShape('x', 0, trt.OptProfileSelector.MAX)).toEqual([8, 16]);
    const m0 = engine.getDeviceMemorySizeForProfileV2(0);
    const m1 = engine.getDeviceMemorySizeForProfileV2(1);
    expect(m1).toBeGreaterThan(m0);
    expect(engine.getDeviceMemorySizeV2()).toBe(Math.max(m0, m1));
  });

  for (const [profileIndex, batches] of [
    [0, [1, 3, 8]],
    [1, [16, 40, 64]],
  ] as const) {
    for (const batch of batches) {
      it(`profile ${profileIndex}, batch ${batch}: matches the reference`, async () => {
        const x = R.ref([batch, 16], randomFloat32(batch * 16, 10 + batch));
        const out = await runEngine(engine, { x: { ref: x } }, { profileIndex });
        expectClose(out['y']!, reference(x));
      });
    }
  }

  it('output shapes follow input shapes; inferShapes lists unset inputs', () => {
    const ctx = engine.createExecutionContext();
    expect(ctx.allInputDimensionsSpecified).toBe(false);
    expect(ctx.inferShapes()).toEqual(['x']);
    expect(ctx.getTensorShape('y')).toEqual([-1, -1]);
    ctx.setInputShape('x', [5, 16]);
    expect(ctx.allInputDimensionsSpecified).toBe(true);
    expect(ctx.inferShapes()).toEqual([]);
    expect(ctx.getTensorShape('y')).toEqual([5, 8]);
    ctx.setOptimizationProfileAsync(1);
    expect(ctx.activeOptimizationProfile).toBe(1);
    expect(ctx.allInputDimensionsSpecified).toBe(false); // profile change resets dynamic shapes
    ctx.dispose();
  });
});

describe('allocation strategies', () => {
  async function runWith(ctx: trt.ExecutionContext, batch: number, seed: number): Promise<void> {
    const x = R.ref([batch, 16], randomFloat32(batch * 16, seed));
    ctx.setInputShape('x', [batch, 16]);
    const xb = tensorBufferFrom(engine, 'x', Float32Array.from(x.data));
    const yb = tensorBuffer(engine, 'y', batch * 8 * 4);
    ctx.setTensorAddress('x', xb);
    ctx.setTensorAddress('y', yb);
    await ctx.enqueueV3();
    expectClose(R.ref([batch, 8], new Float32Array(readBytes(yb, batch * 8 * 4))), reference(x));
    xb.dispose();
    yb.dispose();
  }

  it('STATIC and ON_PROFILE_CHANGE contexts run every profile', async () => {
    for (const strategy of [trt.ExecutionContextAllocationStrategy.STATIC, trt.ExecutionContextAllocationStrategy.ON_PROFILE_CHANGE]) {
      const ctx = engine.createExecutionContext(strategy);
      expect(ctx.allocationStrategy).toBe(strategy);
      await runWith(ctx, 7, 1);
      ctx.setOptimizationProfileAsync(1);
      await runWith(ctx, 50, 2);
      ctx.setOptimizationProfileAsync(0);
      await runWith(ctx, 2, 3);
      ctx.dispose();
    }
  });

  it('USER_MANAGED contexts run entirely in the caller memory; several share one buffer serially', async () => {
    const size = engine.getDeviceMemorySizeV2();
    const shared = activationMemory(engine, size);
    const contexts = Array.from({ length: 4 }, () => engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.USER_MANAGED));
    for (const [i, ctx] of contexts.entries()) {
      ctx.setOptimizationProfileAsync(i % 2);
      ctx.setDeviceMemoryV2(shared, size);
    }
    for (let round = 0; round < 3; round += 1) {
      for (const [i, ctx] of contexts.entries()) await runWith(ctx, i % 2 === 0 ? 1 + round : 16 + 10 * round, 100 + i * 7 + round);
    }
    // A context given less than its profile needs is refused.
    const small = engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.USER_MANAGED);
    small.setOptimizationProfileAsync(1);
    expect(() => small.setDeviceMemoryV2(shared, engine.getDeviceMemorySizeForProfileV2(1) - 1)).toThrow(/less than/);
    // Profile 0 needs less, so a smaller buffer is enough there.
    const small0 = engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.USER_MANAGED);
    const just = activationMemory(engine, engine.getDeviceMemorySizeForProfileV2(0));
    small0.setDeviceMemoryV2(just, just.byteLength);
    await runWith(small0, 8, 9);
    for (const c of [...contexts, small, small0]) c.dispose();
    shared.dispose();
    just.dispose();
  });

  it('sync executeV2 with bindings in I/O order gives the same result as enqueueV3', async () => {
    const ctx = engine.createExecutionContext();
    const x = R.ref([3, 16], randomFloat32(48, 77));
    ctx.setInputShape('x', [3, 16]);
    const xb = tensorBufferFrom(engine, 'x', Float32Array.from(x.data));
    const yb = tensorBuffer(engine, 'y', 3 * 8 * 4);
    expect(engine.getIOTensorName(0)).toBe('x');
    ctx.executeV2([xb, yb]);
    expectClose(R.ref([3, 8], new Float32Array(readBytes(yb, 3 * 8 * 4))), reference(x));
    ctx.dispose();
    xb.dispose();
    yb.dispose();
  });
});
