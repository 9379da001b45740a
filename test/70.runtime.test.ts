/** Process-level API: backends and how `auto` decides, the engine thread pool, the logger. */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';

describe('backends', () => {
  it('lists every backend with its availability and a reason', () => {
    const backends = trt.getBackends();
    expect(backends.map((b) => b.name)).toEqual(['cpu', 'cuda', 'tensorrt']);
    for (const b of backends) expect(b.reason.length).toBeGreaterThan(10);
    expect(backends.find((b) => b.name === 'cpu')!.available).toBe(true);
  });

  it('auto prefers tensorrt, then cuda, then cpu, and says why each was passed over', () => {
    const resolved = trt.resolveBackend('auto');
    const available = trt.getBackends().filter((b) => b.available).map((b) => b.name);
    const expected = (['tensorrt', 'cuda', 'cpu'] as const).find((n) => available.includes(n));
    expect(resolved.name).toBe(expected);
    for (const b of trt.getBackends()) {
      if (!b.available) expect(resolved.reason).toContain(`${b.name} unavailable (${b.reason})`);
    }
    expect(new trt.Builder(undefined, { backend: 'auto' }).backend.name).toBe(expected);
  });

  it('naming an unavailable backend throws UNSUPPORTED with the reason; an unknown name is a RangeError', () => {
    for (const b of trt.getBackends().filter((x) => !x.available)) {
      let err: unknown;
      try {
        new trt.Runtime(undefined, { backend: b.name });
      } catch (e) {
        err = e;
      }
      expect((err as trt.TrtError).code).toBe('UNSUPPORTED');
      expect((err as Error).message).toContain(b.reason);
    }
    expect(() => trt.resolveBackend('gpu' as trt.BackendChoice)).toThrow(RangeError);
  });
});

describe('thread pool', () => {
  it('reports its size and counters; the size is fixed after first use', async () => {
    const before = trt.ThreadPool.stats();
    expect(before.threads).toBeGreaterThanOrEqual(1);
    // Run something parallel so the counters move.
    const builder = new trt.Builder(undefined, { backend: 'cpu' });
    const net = builder.createNetworkV2();
    const x = net.addInput('x', trt.DataType.FLOAT, [256, 256]);
    net.markOutput(net.addMatrixMultiply(x, trt.MatrixOperation.NONE, x, trt.MatrixOperation.NONE).getOutput(0));
    const engine = new trt.Runtime(undefined, { backend: 'cpu' }).deserializeCudaEngine(await builder.buildSerializedNetwork(net, builder.createBuilderConfig()));
    const ctx = engine.createExecutionContext();
    const a = trt.HostBuffer.from(new Float32Array(256 * 256).fill(1));
    const y = new trt.HostBuffer(256 * 256 * 4);
    ctx.setTensorAddress(engine.getIOTensorName(0), a);
    ctx.setTensorAddress(engine.getIOTensorName(1), y);
    await ctx.enqueueV3();
    expect(y.view(trt.DataType.FLOAT)[0]).toBe(256);
    // Helper tasks a kernel handed out may still be queued when the run is over (they find no
    // work left); completed counts them once they have run.
    for (let i = 0; i < 200 && trt.ThreadPool.stats().queued + trt.ThreadPool.stats().active > 0; i += 1) await new Promise((r) => setTimeout(r, 5));
    const after = trt.ThreadPool.stats();
    if (after.threads > 1) expect(after.completed).toBeGreaterThan(before.completed);
    expect(trt.ThreadPool.configure(after.threads)).toBe(true); // same size: accepted
    expect(trt.ThreadPool.configure(after.threads + 3)).toBe(false); // already running with another size
    expect(() => trt.ThreadPool.configure(0)).toThrow(RangeError);
    engine.dispose();
    builder.dispose();
    a.dispose();
    y.dispose();
  });
});

describe('logger', () => {
  it('drops messages less severe than minSeverity; the default logger prints WARNING and above', () => {
    const seen: string[] = [];
    const logger = new trt.Logger(trt.Severity.WARNING, (s, m) => seen.push(`${trt.Severity[s]}:${m}`));
    logger.log(trt.Severity.INFO, 'info');
    logger.log(trt.Severity.WARNING, 'warn');
    logger.log(trt.Severity.ERROR, 'error');
    expect(seen).toEqual(['WARNING:warn', 'ERROR:error']);
    expect(trt.getDefaultLogger().minSeverity).toBe(trt.Severity.WARNING);
  });
});
