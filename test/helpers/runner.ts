/**
 * Shared by the InferRunner suites (test/46 on the CPU backend, test/gpu/40 on cuda): plans for a
 * tag-preserving network and a slow one, tagged request data and its check, pool bookkeeping.
 */
import { expect } from 'vitest';
import * as trt from '../../lib/index.js';
import { DataType, ElementWiseOperation, InferRunner } from '../../lib/index.js';
import { quietLogger } from './engine.js';

export const F = 8; // features per row

export type Profiles = Array<Record<string, [number[], number[], number[]]>>;

export async function buildPlan(backend: trt.BackendName, define: (net: trt.NetworkDefinition) => void, profiles: Profiles = []): Promise<Uint8Array> {
  const builder = new trt.Builder(quietLogger, { backend });
  try {
    const net = builder.createNetworkV2();
    define(net);
    const config = builder.createBuilderConfig();
    for (const p of profiles) {
      const profile = builder.createOptimizationProfile();
      for (const [name, [min, opt, max]] of Object.entries(p)) profile.setShape(name, min, opt, max);
      config.addOptimizationProfile(profile);
    }
    return new Uint8Array((await builder.buildSerializedNetwork(net, config)).data);
  } finally {
    builder.dispose();
  }
}

/** y = x * 2 and z = x + 1, row-wise: a tag in x survives into both outputs. */
export function tagNetwork(net: trt.NetworkDefinition, batch = -1): void {
  const x = net.addInput('x', DataType.FLOAT, [batch, F]);
  const two = net.addConstant([1, F], new Float32Array(F).fill(2)).getOutput(0);
  const one = net.addConstant([1, F], new Float32Array(F).fill(1)).getOutput(0);
  const y = net.addElementWise(x, two, ElementWiseOperation.PROD).getOutput(0);
  y.name = 'y';
  const z = net.addElementWise(x, one, ElementWiseOperation.SUM).getOutput(0);
  z.name = 'z';
  net.markOutput(y);
  net.markOutput(z);
}

/** A slow network for timing-dependent tests: a chain of `depth` n×n matmuls (a·a = a for a = 1/n). */
export function slowNetwork(net: trt.NetworkDefinition, n: number, depth: number): void {
  const a = net.addInput('a', DataType.FLOAT, [n, n]);
  let t = a;
  for (let i = 0; i < depth; i += 1) t = net.addMatrixMultiply(t, trt.MatrixOperation.NONE, a, trt.MatrixOperation.NONE).getOutput(0);
  t.name = 'out';
  net.markOutput(t);
}

export const dynamicProfile: Profiles = [{ x: [[1, F], [8, F], [64, F]] }];

export function rowsFor(tag: number, rows: number): Float32Array {
  const x = new Float32Array(rows * F);
  for (let r = 0; r < rows; r += 1) for (let j = 0; j < F; j += 1) x[r * F + j] = tag + r * 0.25 + j / 64;
  return x;
}

export function checkTagged(tag: number, rows: number, out: Record<string, trt.TypedArray>): boolean {
  const { y, z } = out as { y: Float32Array; z: Float32Array };
  if (y.length !== rows * F || z.length !== rows * F) return false;
  for (let i = 0; i < rows * F; i += 1) {
    const x = tag + Math.floor(i / F) * 0.25 + (i % F) / 64;
    if (Math.abs(y[i]! - 2 * x) > 1e-3 * Math.abs(x) + 1e-6 || Math.abs(z[i]! - (x + 1)) > 1e-3 * Math.abs(x) + 1e-6) return false;
  }
  return true;
}

/** Every context and buffer is back in its pool; `pinned`: the runner must have a pinned pool. */
export function expectAllBack(runner: InferRunner, contexts: number, pinned = false): void {
  const s = runner.stats();
  expect(s.queued).toBe(0);
  expect(s.running).toBe(0);
  expect(s.contexts).toMatchObject({ size: contexts, available: contexts, inUse: 0, waiting: 0 });
  expect(s.staging.inUse).toBe(0);
  expect(s.staging.available).toBe(s.staging.buffers);
  if (pinned) expect(s.pinned).not.toBeNull();
  if (s.memory) expect(s.memory).toMatchObject({ inUse: 0, available: s.memory.size });
  if (s.pinned) expect(s.pinned).toMatchObject({ inUse: 0, available: s.pinned.buffers });
}

export async function settle<T>(promises: Array<Promise<T>>): Promise<Array<{ ok: true; value: T } | { ok: false; code: string }>> {
  return Promise.all(promises.map((p) => p.then((value) => ({ ok: true as const, value }), (e: trt.TrtError) => ({ ok: false as const, code: e.code ?? e.name }))));
}
