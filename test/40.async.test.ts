/**
 * Async behaviour: builds and enqueues run off the JS thread, so the event loop keeps ticking.
 * A synchronous run of the same work is the positive control that shows the probe detects a
 * blocked loop.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { buildEngine, quietLogger } from './helpers/engine.js';

/** Largest gap between 2 ms timer ticks while `work` runs, and how long it ran. */
async function measureLag(work: () => Promise<unknown> | unknown): Promise<{ maxLagMs: number; durationMs: number; ticks: number }> {
  let last = performance.now();
  let maxLag = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - 2);
    last = now;
    ticks += 1;
  }, 2);
  const start = performance.now();
  await work();
  const durationMs = performance.now() - start;
  // One more tick so a block at the very end is seen too.
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(timer);
  return { maxLagMs: Math.max(maxLag, performance.now() - last - 2), durationMs, ticks };
}

function heavyNetwork(net: trt.NetworkDefinition, n: number, depth: number): void {
  const a = net.addInput('a', trt.DataType.FLOAT, [n, n]);
  let t = a;
  for (let i = 0; i < depth; i += 1) t = net.addMatrixMultiply(t, trt.MatrixOperation.NONE, a, trt.MatrixOperation.NONE).getOutput(0);
  t.name = 'y';
  net.markOutput(t);
}

describe('event loop liveness', () => {
  it('keeps ticking during a long enqueueV3 (and is blocked by executeV2, the control)', async () => {
    const n = 768;
    const engine = await buildEngine((net) => heavyNetwork(net, n, 12));
    const ctx = engine.createExecutionContext();
    const a = trt.HostBuffer.from(new Float32Array(n * n).fill(1 / n));
    const y = new trt.HostBuffer(n * n * 4);
    ctx.setTensorAddress('a', a);
    ctx.setTensorAddress('y', y);
    const sync = await measureLag(() => ctx.executeV2());
    // Enough back-to-back enqueues to keep the engine busy for at least ~300 ms on any machine.
    const reps = Math.max(1, Math.ceil(300 / Math.max(sync.durationMs, 1)));
    const asyncRun = await measureLag(async () => {
      for (let i = 0; i < reps; i += 1) await ctx.enqueueV3();
    });
    console.log(`enqueueV3 x${reps}: ${asyncRun.durationMs.toFixed(0)} ms, max lag ${asyncRun.maxLagMs.toFixed(1)} ms, ${asyncRun.ticks} ticks; executeV2 (blocking control): ${sync.durationMs.toFixed(0)} ms with max lag ${sync.maxLagMs.toFixed(0)} ms`);
    expect(sync.maxLagMs).toBeGreaterThan(sync.durationMs * 0.8); // the probe sees a blocked loop
    expect(asyncRun.durationMs).toBeGreaterThan(150); // long enough to mean something
    expect(asyncRun.maxLagMs).toBeLessThan(Math.min(50, asyncRun.durationMs / 4));
    expect(asyncRun.ticks).toBeGreaterThan(asyncRun.durationMs / 10);
    expect(y.view(trt.DataType.FLOAT)[0]).toBeCloseTo(1 / n, 6); // (J/n)^k = J/n
    ctx.dispose();
    engine.dispose();
    a.dispose();
    y.dispose();
  });

  it('keeps ticking during a long build (constant folding of large matmuls)', async () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    const config = builder.createBuilderConfig();
    const n = 640;
    // Grow the folded chain until a blocking build takes ~150 ms, so the async build is long
    // enough to measure on fast and slow machines alike.
    let depth = 8;
    let net: trt.NetworkDefinition;
    let syncBuild: Awaited<ReturnType<typeof measureLag>>;
    for (;;) {
      net = builder.createNetworkV2();
      const c = net.addConstant([n, n], new Float32Array(n * n).fill(1 / n)).getOutput(0);
      let t = c;
      for (let i = 0; i < depth; i += 1) t = net.addMatrixMultiply(t, trt.MatrixOperation.NONE, c, trt.MatrixOperation.NONE).getOutput(0);
      const x = net.addInput('x', trt.DataType.FLOAT, [n, n]);
      net.markOutput(net.addElementWise(x, t, trt.ElementWiseOperation.SUM).getOutput(0));
      const candidate = net;
      syncBuild = await measureLag(() => builder.buildSerializedNetworkSync(candidate, config));
      if (syncBuild.durationMs >= 150 || depth >= 256) break;
      depth *= 2;
    }
    const built = net;
    const asyncBuild = await measureLag(() => builder.buildSerializedNetwork(built, config));
    console.log(`build (${depth} folded matmuls): ${asyncBuild.durationMs.toFixed(0)} ms, max lag ${asyncBuild.maxLagMs.toFixed(1)} ms; sync control lag ${syncBuild.maxLagMs.toFixed(0)} ms`);
    expect(syncBuild.maxLagMs).toBeGreaterThan(syncBuild.durationMs * 0.8);
    expect(asyncBuild.durationMs).toBeGreaterThan(100);
    expect(asyncBuild.maxLagMs).toBeLessThan(Math.min(50, asyncBuild.durationMs / 4));
    builder.dispose();
  });
});

describe('build control', () => {
  it('an AbortSignal cancels a build with CANCELLED; progress is reported', async () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    const net = builder.createNetworkV2();
    const x = net.addInput('x', trt.DataType.FLOAT, [4]);
    net.markOutput(net.addIdentity(x).getOutput(0));
    const phases: string[] = [];
    const plan = await builder.buildSerializedNetwork(net, builder.createBuilderConfig(), { onProgress: (p) => phases.push(p) });
    expect(plan.nbytes).toBeGreaterThan(64);
    expect(phases).toContain('Optimizing graph');
    const controller = new AbortController();
    controller.abort();
    const err = await builder.buildSerializedNetwork(net, builder.createBuilderConfig(), { signal: controller.signal }).catch((e: unknown) => e);
    expect((err as trt.TrtError).code).toBe('CANCELLED');
    // Abort while running (during constant folding of a heavy network): cancelled at the next checkpoint.
    const heavy = builder.createNetworkV2();
    const n = 512;
    const c = heavy.addConstant([n, n], new Float32Array(n * n).fill(1 / n)).getOutput(0);
    let t = c;
    for (let i = 0; i < 40; i += 1) t = heavy.addMatrixMultiply(t, trt.MatrixOperation.NONE, c, trt.MatrixOperation.NONE).getOutput(0);
    heavy.markOutput(heavy.addElementWise(heavy.addInput('x', trt.DataType.FLOAT, [n, n]), t, trt.ElementWiseOperation.SUM).getOutput(0));
    const c2 = new AbortController();
    const started = performance.now();
    const running = builder.buildSerializedNetwork(heavy, builder.createBuilderConfig(), { signal: c2.signal });
    setTimeout(() => c2.abort(), 20);
    const err2 = await running.catch((e: unknown) => e);
    expect((err2 as trt.TrtError).code).toBe('CANCELLED');
    expect((err2 as Error).message).toMatch(/cancelled/);
    console.log(`build cancelled after ${(performance.now() - started).toFixed(0)} ms`);
    builder.dispose();
  });

  it('delivers build log messages to the logger on the JS thread', async () => {
    const seen: Array<[trt.Severity, string]> = [];
    const logger = new trt.Logger(trt.Severity.VERBOSE, (s, m) => seen.push([s, m]));
    const builder = new trt.Builder(logger, { backend: 'cpu' });
    const net = builder.createNetworkV2();
    net.markOutput(net.addIdentity(net.addInput('x', trt.DataType.FLOAT, [4])).getOutput(0));
    await builder.buildSerializedNetwork(net, builder.createBuilderConfig());
    expect(seen.some(([s, m]) => s === trt.Severity.INFO && /engine built/.test(m))).toBe(true);
    expect(seen.some(([s, m]) => s === trt.Severity.VERBOSE && /pass constantFolding/.test(m))).toBe(true);
    builder.dispose();
  });
});

describe('streams', () => {
  it('runs two contexts on two streams concurrently, each with correct results', async () => {
    const n = 256;
    const engine = await buildEngine((net) => heavyNetwork(net, n, 6));
    const run = async (value: number) => {
      const ctx = engine.createExecutionContext();
      const a = trt.HostBuffer.from(new Float32Array(n * n).fill(value));
      const y = new trt.HostBuffer(n * n * 4);
      ctx.setTensorAddress('a', a);
      ctx.setTensorAddress('y', y);
      const stream = new trt.Stream();
      await ctx.enqueueV3(stream);
      await stream.done();
      const out = y.view(trt.DataType.FLOAT)[0]!;
      ctx.dispose();
      a.dispose();
      y.dispose();
      return out;
    };
    const [r1, r2] = await Promise.all([run(1 / n), run(2 / n)]);
    expect(r1).toBeCloseTo(1 / n, 6);
    expect(r2).toBeCloseTo((2 / n) * 2 ** 6, 3); // (2J/n)^7 = 2^7 J^7/n^7 = 2^7 * J / n... entry = 2^7/n
    engine.dispose();
  });
});
