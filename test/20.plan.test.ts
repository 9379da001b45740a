/** Plan files: round trips, and every kind of damaged or foreign input refused without a crash. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { buildEngine, quietLogger, runEngine } from './helpers/engine.js';
import { mulberry32 } from './helpers/random.js';
import { ref } from './reference/ndarray.js';

let plan: Uint8Array;

function define(net: trt.NetworkDefinition): void {
  const x = net.addInput('x', trt.DataType.FLOAT, [-1, 3, 8, 8]);
  const conv = net.addConvolutionNd(x, 4, [3, 3], new Float32Array(4 * 3 * 9).map((_, i) => Math.sin(i)), new Float32Array([0.1, 0.2, 0.3, 0.4]));
  conv.paddingNd = [1, 1];
  const act = net.addActivation(conv.getOutput(0), trt.ActivationType.RELU);
  const pool = net.addPoolingNd(act.getOutput(0), trt.PoolingType.AVERAGE, [2, 2]);
  pool.strideNd = [2, 2];
  pool.getOutput(0).name = 'y';
  net.markOutput(pool.getOutput(0));
}

const profiles = [{ x: [[1, 3, 8, 8], [2, 3, 8, 8], [4, 3, 8, 8]] as [number[], number[], number[]] }];

function expectPlanError(bytes: Uint8Array, codes: trt.TrtErrorCode[]): trt.TrtError {
  const runtime = new trt.Runtime(quietLogger, { backend: 'cpu' });
  let caught: unknown;
  try {
    runtime.deserializeCudaEngine(bytes).dispose();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(trt.TrtError);
  expect(codes).toContain((caught as trt.TrtError).code);
  return caught as trt.TrtError;
}

beforeAll(async () => {
  const engine = await buildEngine(define, { profiles });
  plan = engine.serialize().data.slice();
  engine.dispose();
});

describe('plan round trip', () => {
  it('serialize(deserialize(plan)) is byte-identical and runs identically', async () => {
    const runtime = new trt.Runtime(quietLogger, { backend: 'cpu' });
    const a = runtime.deserializeCudaEngine(plan);
    const again = a.serialize().data;
    expect(Buffer.from(again).equals(Buffer.from(plan))).toBe(true);
    const b = runtime.deserializeCudaEngine(again);
    const x = ref([2, 3, 8, 8], (_, i) => Math.cos(i * 0.37));
    const ya = (await runEngine(a, { x: { ref: x } }))['y']!;
    const yb = (await runEngine(b, { x: { ref: x } }))['y']!;
    expect(ya.dims).toEqual([2, 4, 4, 4]);
    expect(Array.from(yb.data)).toEqual(Array.from(ya.data));
    expect(a.getProfileShape('x', 0)).toEqual(profiles[0]!.x);
    a.dispose();
    b.dispose();
  });

  it('reports header facts without loading', () => {
    const header = plan.subarray(0, 8);
    expect(Buffer.from(header).toString('ascii')).toBe('TRTNPLAN');
    expect(new DataView(plan.buffer, plan.byteOffset).getUint32(8, true)).toBe(3);
  });

  it('still loads a version 2 plan (no loop section)', async () => {
    // Version 3 appended section 11 (loop bodies): a zero count here.
    const v2 = plan.slice(0, plan.length - 4);
    const view = new DataView(v2.buffer);
    view.setUint32(8, 2, true);
    view.setUint32(44, 2, true);
    view.setBigUint64(24, BigInt(v2.length - 64), true);
    rewriteChecksum(v2);
    const old = new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(v2);
    expect(old.numLayers).toBeGreaterThan(0);
    old.dispose();
  });
});

describe('damaged plans', () => {
  it('rejects an empty plan', () => {
    expect(expectPlanError(new Uint8Array(0), ['PLAN_CORRUPT']).message).toMatch(/empty/);
  });

  it('rejects wrong magic bytes', () => {
    const bad = plan.slice();
    bad[0] = 'X'.charCodeAt(0);
    expect(expectPlanError(bad, ['PLAN_CORRUPT']).message).toMatch(/magic/);
  });

  it('rejects every truncation length it is given', () => {
    for (const len of [4, 8, 40, 63, 64, 65, 100, plan.length >> 1, plan.length - 1]) {
      expectPlanError(plan.subarray(0, len), ['PLAN_CORRUPT']);
    }
  });

  it('rejects a newer format version with PLAN_INCOMPATIBLE', () => {
    const newer = plan.slice();
    new DataView(newer.buffer).setUint32(8, 4, true);
    expect(expectPlanError(newer, ['PLAN_INCOMPATIBLE']).message).toMatch(/newer/);
  });

  it('rejects a plan for an unknown backend with PLAN_INCOMPATIBLE', () => {
    const other = plan.slice();
    new DataView(other.buffer).setUint32(16, 7, true);
    expectPlanError(other, ['PLAN_INCOMPATIBLE']);
  });

  it('rejects flipped payload bits through the checksum', () => {
    const flipped = plan.slice();
    flipped[plan.length - 10]! ^= 0x10;
    expect(expectPlanError(flipped, ['PLAN_CORRUPT']).message).toMatch(/checksum/);
  });

  it('survives 300 random bit flips anywhere: each loads or fails with a plan error code', () => {
    const rand = mulberry32(1234);
    const runtime = new trt.Runtime(quietLogger, { backend: 'cpu' });
    let refused = 0;
    for (let i = 0; i < 300; i += 1) {
      const bad = plan.slice();
      const pos = Math.floor(rand() * bad.length);
      bad[pos]! ^= 1 << Math.floor(rand() * 8);
      try {
        runtime.deserializeCudaEngine(bad).dispose();
      } catch (err) {
        expect(err).toBeInstanceOf(trt.TrtError);
        expect(['PLAN_CORRUPT', 'PLAN_INCOMPATIBLE']).toContain((err as trt.TrtError).code);
        refused += 1;
      }
    }
    // Only flips in the reserved header bytes and informational fields may load.
    expect(refused).toBeGreaterThan(270);
  });

  it('refuses crafted payloads whose checksum was recomputed (structural validation)', () => {
    const rand = mulberry32(99);
    const runtime = new trt.Runtime(quietLogger, { backend: 'cpu' });
    let refused = 0;
    for (let i = 0; i < 300; i += 1) {
      const bad = plan.slice();
      const pos = 64 + Math.floor(rand() * (bad.length - 64));
      bad[pos] = Math.floor(rand() * 256);
      rewriteChecksum(bad);
      try {
        const engine = runtime.deserializeCudaEngine(bad);
        engine.dispose();
      } catch (err) {
        expect(err).toBeInstanceOf(trt.TrtError);
        expect(['PLAN_CORRUPT', 'PLAN_INCOMPATIBLE', 'INVALID_ARGUMENT', 'UNSUPPORTED', 'OUT_OF_MEMORY']).toContain((err as trt.TrtError).code);
        refused += 1;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('rejects non-bytes with a TypeError naming the argument', () => {
    const runtime = new trt.Runtime(quietLogger, { backend: 'cpu' });
    expect(() => runtime.deserializeCudaEngine('model.engine' as unknown as Uint8Array)).toThrow(/bytes/);
  });
});

/** Recomputes the header checksum (FNV-1a-64 in 8 interleaved lanes), as plan-format.md specifies. */
function rewriteChecksum(bytes: Uint8Array): void {
  const prime = 1099511628211n;
  const mask = (1n << 64n) - 1n;
  const payload = bytes.subarray(64);
  let h = 1469598103934665603n;
  const lanes = new Array<bigint>(8).fill(h);
  let i = 0;
  for (; i + 8 <= payload.length; i += 8) {
    for (let k = 0; k < 8; k += 1) lanes[k] = ((lanes[k]! ^ BigInt(payload[i + k]!)) * prime) & mask;
  }
  for (let k = 0; k < 8; k += 1) h = ((h ^ lanes[k]!) * prime) & mask;
  for (; i < payload.length; i += 1) h = ((h ^ BigInt(payload[i]!)) * prime) & mask;
  new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(32, h, true);
}
