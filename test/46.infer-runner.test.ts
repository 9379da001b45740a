/**
 * InferRunner: 10,000 concurrent tagged requests over 4 contexts (with and without dynamic
 * batching) each matched to its own result; profiles, data-dependent outputs, caller buffers,
 * shared activation memory, the I/O seam; cancellation, timeout, backpressure and
 * dispose-while-busy, each ending with every context and buffer back in its pool.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { DataType, InferRunner, TrtError } from '../lib/index.js';
import { quietLogger } from './helpers/engine.js';
import { F, Profiles, buildPlan, checkTagged, dynamicProfile, expectAllBack, rowsFor, settle, slowNetwork, tagNetwork } from './helpers/runner.js';

const plan = (define: (net: trt.NetworkDefinition) => void, profiles?: Profiles) => buildPlan('cpu', define, profiles);

describe('InferRunner: 10,000 concurrent requests', () => {
  it('4 contexts: every result matches its own request, none lost or misrouted', async () => {
    const bytes = await plan((net) => tagNetwork(net), dynamicProfile);
    const runner = await InferRunner.create(bytes, { backend: 'cpu', contexts: 4, maxQueue: Infinity });
    const N = 10_000;
    const calls: Array<Promise<boolean>> = [];
    for (let i = 0; i < N; i += 1) {
      const rows = 1 + (i % 3);
      calls.push(runner.infer({ x: rowsFor(i, rows) }).then((out) => checkTagged(i, rows, out)));
    }
    const results = await Promise.all(calls);
    expect(results.filter((ok) => !ok).length).toBe(0);
    const m = runner.metrics();
    expect(m.completed).toBe(N);
    expect(m.failed + m.aborted + m.timedOut + m.rejected).toBe(0);
    expect(m.runs).toBe(N);
    expect(m.maxQueueDepth).toBeGreaterThan(100);
    expect(m.contextUtilisation).toBeGreaterThan(0);
    expect(m.latencyMs.p99).toBeGreaterThanOrEqual(m.latencyMs.p50);
    expectAllBack(runner, 4);
    // Staging memory was reused, not allocated per request.
    expect(runner.stats().staging.allocations).toBeLessThan(64);
    console.log(`10,000 requests, 4 contexts: ${m.throughput.toFixed(0)} req/s, p50 ${m.latencyMs.p50.toFixed(2)} ms, p99 ${m.latencyMs.p99.toFixed(2)} ms, utilisation ${(m.contextUtilisation * 100).toFixed(0)}%`);
    await runner.dispose();
  });

  it('the same with dynamic batching: requests are concatenated, run together and split back', async () => {
    const bytes = await plan((net) => tagNetwork(net), dynamicProfile);
    const runner = await InferRunner.create(bytes, { backend: 'cpu', contexts: 4, maxQueue: Infinity, batching: { maxBatch: 32, maxQueueDelayMs: 1 } });
    const N = 10_000;
    const calls: Array<Promise<boolean>> = [];
    for (let i = 0; i < N; i += 1) {
      const rows = 1 + (i % 3);
      calls.push(runner.infer({ x: rowsFor(i, rows) }).then((out) => checkTagged(i, rows, out)));
    }
    const results = await Promise.all(calls);
    expect(results.filter((ok) => !ok).length).toBe(0);
    const m = runner.metrics();
    expect(m.completed).toBe(N);
    expect(m.failed).toBe(0);
    expect(m.meanBatchSize).toBeGreaterThan(4);
    expect(m.runs).toBeLessThan(N / 4);
    expectAllBack(runner, 4);
    console.log(`10,000 requests, batching (max 32 rows): ${m.runs} runs, mean ${m.meanBatchSize.toFixed(1)} requests per run, ${m.throughput.toFixed(0)} req/s`);
    await runner.dispose();
  });
});

describe('InferRunner: inputs, outputs and profiles', () => {
  it('static shapes, caller-provided outputs (TypedArray copied into, HostBuffer bound: no copy) and HostBuffer inputs', async () => {
    const bytes = await plan((net) => tagNetwork(net, 2));
    const runner = await InferRunner.create(bytes, { backend: 'cpu', contexts: 1 });
    expect(runner.inputNames).toEqual(['x']);
    expect(runner.outputNames).toEqual(['y', 'z']);
    const yOut = new Float32Array(2 * F);
    using zOut = new trt.HostBuffer(2 * F * 4);
    using xIn = trt.HostBuffer.from(rowsFor(5, 2));
    const r = await runner.inferWithShapes({ x: xIn }, { outputs: { y: yOut, z: zOut } });
    expect(r.outputs['y']).toBe(yOut);
    expect(r.outputs['z']!.buffer).toBe(zOut.arrayBuffer); // the bound buffer itself
    expect(r.shapes).toEqual({ y: [2, F], z: [2, F] });
    expect(checkTagged(5, 2, r.outputs)).toBe(true);
    // The staging pool was not touched: input and both outputs were caller memory or copied into.
    expect(runner.stats().staging.allocations).toBe(1); // y staged (a TypedArray cannot be tensor memory)
    // BAD CALL: missing input, unknown name, wrong element count, wrong output type
    await expect(runner.infer({} as Record<string, Float32Array>)).rejects.toThrow(/an input named 'x'/);
    await expect(runner.infer({ x: rowsFor(1, 2), w: rowsFor(1, 2) })).rejects.toThrow(/inputs\.w/);
    await expect(runner.infer({ x: new Float32Array(3) })).rejects.toThrow(RangeError);
    const err = await runner.infer({ x: rowsFor(1, 2) }, { outputs: { y: new Int32Array(16) } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/options\.outputs\.y/);
    expect(err.stack).toContain('46.infer-runner.test'); // the caller's frame
    expectAllBack(runner, 1);
    await runner.dispose();
  });

  it('picks the optimization profile whose MIN/MAX contain the shapes, per request', async () => {
    const bytes = await plan((net) => tagNetwork(net), [{ x: [[1, F], [2, F], [4, F]] }, { x: [[5, F], [16, F], [32, F]] }]);
    const runner = await InferRunner.create(bytes, { backend: 'cpu', contexts: 2 });
    const sizes = [1, 7, 4, 32, 5, 2, 20];
    const outs = await Promise.all(sizes.map((rows, i) => runner.infer({ x: { data: rowsFor(i, rows), shape: [rows, F] } })));
    outs.forEach((o, i) => expect(checkTagged(i, sizes[i]!, o)).toBe(true));
    const err = await runner.infer({ x: rowsFor(0, 33) }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toMatch(/profile 0: x \[1,8\]\.\.\[4,8\]; profile 1: x \[5,8\]\.\.\[32,8\]/);
    expectAllBack(runner, 2);
    await runner.dispose();
  });

  it('data-dependent outputs come back through pooled output allocators, with their shapes', async () => {
    const bytes = await plan((net) => {
      const x = net.addInput('x', DataType.FLOAT, [-1]);
      const nz = net.addNonZero(x, DataType.INT32);
      nz.getOutput(0).name = 'indices';
      net.markOutput(nz.getOutput(0));
    }, [{ x: [[1], [16], [64]] }]);
    const runner = await InferRunner.create(bytes, { backend: 'cpu', contexts: 2 });
    const cases = Array.from({ length: 40 }, (_, i) => Float32Array.from({ length: 1 + (i % 30) }, (_, k) => ((k + i) % 3 === 0 ? 1 : 0)));
    const results = await Promise.all(cases.map((x) => runner.inferWithShapes({ x })));
    results.forEach((r, i) => {
      const expected = [...cases[i]!.keys()].filter((k) => cases[i]![k] !== 0);
      expect(r.shapes['indices']).toEqual([1, expected.length]);
      expect(Array.from(r.outputs['indices'] as Int32Array)).toEqual(expected);
    });
    expectAllBack(runner, 2);
    await runner.dispose();
  });

  it('USER_MANAGED contexts share one activation slot: 4 contexts, runs one at a time', async () => {
    const bytes = await plan((net) => tagNetwork(net), dynamicProfile);
    const engine = new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(bytes);
    const runner = await InferRunner.create(engine, { contexts: 4, sharedMemory: true });
    let maxRunning = 0;
    const calls = Array.from({ length: 200 }, (_, i) => {
      const p = runner.infer({ x: rowsFor(i, 2) }).then((o) => checkTagged(i, 2, o));
      maxRunning = Math.max(maxRunning, runner.stats().running);
      return p;
    });
    expect((await Promise.all(calls)).every(Boolean)).toBe(true);
    expect(maxRunning).toBe(1);
    expect(runner.stats().memory).toMatchObject({ size: 1, available: 1 });
    expectAllBack(runner, 4);
    await runner.dispose();
    expect(engine.disposed).toBe(false); // passed in: not the runner's to dispose
    engine.dispose();
  });

  it('the I/O seam: a backend that stages every copy (as the CUDA one will) gives the same results', async () => {
    const bytes = await plan((net) => tagNetwork(net), dynamicProfile);
    const counts = { allocations: 0, uploads: 0, downloads: 0, streams: 0 };
    const staged: trt.RunnerIo = {
      name: 'staged-host',
      createStream: (pool) => {
        counts.streams += 1;
        return trt.hostRunnerIo.createStream(pool);
      },
      allocateTensorMemory: (n) => {
        counts.allocations += 1;
        return new trt.HostBuffer(n);
      },
      canBind: () => false, // caller memory is never tensor memory, as with device tensors
      upload: (dst, off, src) => {
        counts.uploads += 1;
        return trt.hostRunnerIo.upload(dst, off, src, undefined as unknown as trt.RunnerStream);
      },
      download: async (src, off, dst) => {
        counts.downloads += 1;
        await new Promise((r) => setImmediate(r)); // an async copy, as memcpyAsync would be
        trt.hostRunnerIo.download(src, off, dst, undefined as unknown as trt.RunnerStream);
      },
    };
    const runner = await InferRunner.create(bytes, { backend: 'cpu', contexts: 2, io: staged, sharedMemory: { slots: 2 }, batching: { maxBatch: 8 } });
    expect(runner.io).toBe(staged);
    using xIn = trt.HostBuffer.from(rowsFor(3, 1));
    using zOut = new trt.HostBuffer(F * 4);
    const outs = await Promise.all([
      runner.infer({ x: xIn }, { outputs: { z: zOut } }),
      ...Array.from({ length: 20 }, (_, i) => runner.infer({ x: rowsFor(10 + i, 1) })),
    ]);
    expect(checkTagged(3, 1, outs[0]!)).toBe(true);
    expect(Array.from(zOut.view(DataType.FLOAT) as Float32Array)).toEqual(Array.from(outs[0]!['z'] as Float32Array));
    outs.slice(1).forEach((o, i) => expect(checkTagged(10 + i, 1, o)).toBe(true));
    expect(counts.uploads).toBe(21); // one per request's input, the HostBuffer one included
    expect(counts.downloads).toBe(42); // two outputs per request
    expect(counts.allocations).toBeGreaterThanOrEqual(2); // the memory slots at least
    expect(counts.streams).toBe(2); // one per context
    expectAllBack(runner, 2);
    await runner.dispose();
  });

  it('a stream-ordered io (the cuda one\'s shape): pinned staging, copies queued around the run, batches gathered and split', async () => {
    const bytes = await plan((net) => tagNetwork(net), dynamicProfile);
    const tensorMemory = new Set<trt.TensorBuffer>();
    const counts = { uploads: 0, downloads: 0, uploadBytes: 0 };
    // Uploads run at once (nothing is queued before them); downloads once the stream's run is done.
    const ordered: trt.RunnerIo = {
      ...trt.hostRunnerIo,
      name: 'ordered-host',
      allocateTensorMemory: (n) => {
        const b = new trt.HostBuffer(n);
        tensorMemory.add(b);
        return b;
      },
      canBind: () => false,
      allocateStagingMemory: (n) => new trt.HostBuffer(n),
      copyAsync: async (dst, dstOffset, src, srcOffset, byteLength, stream) => {
        const copy = () => new Uint8Array(dst.nativeHandle.arrayBuffer()!, dstOffset, byteLength).set(new Uint8Array(src.nativeHandle.arrayBuffer()!, srcOffset, byteLength));
        if (tensorMemory.has(dst)) {
          counts.uploads += 1;
          counts.uploadBytes += byteLength;
          copy();
        } else {
          counts.downloads += 1;
          await (stream as trt.Stream).done();
          copy();
        }
      },
    };
    const runner = await InferRunner.create(bytes, { backend: 'cpu', contexts: 2, io: ordered, batching: { maxBatch: 16, maxQueueDelayMs: 1 } });
    using xHost = trt.HostBuffer.from(rowsFor(7, 2));
    using zHost = new trt.HostBuffer(2 * F * 4);
    const yArray = new Float32Array(2 * F);
    const calls = [
      runner.infer({ x: xHost }, { outputs: { z: zHost, y: yArray } }),
      ...Array.from({ length: 40 }, (_, i) => runner.infer({ x: rowsFor(100 + i, 1 + (i % 2)) })),
    ];
    const outs = await Promise.all(calls);
    expect(checkTagged(7, 2, outs[0]!)).toBe(true);
    expect(outs[0]!['y']).toBe(yArray);
    expect(outs[0]!['z']!.buffer).toBe(zHost.arrayBuffer);
    outs.slice(1).forEach((o, i) => expect(checkTagged(100 + i, 1 + (i % 2), o)).toBe(true));
    const m = runner.metrics();
    expect(m.meanBatchSize).toBeGreaterThan(1);
    // One upload per run (host bytes gathered in one pinned buffer), one download per output.
    expect(counts.uploads).toBe(m.runs);
    expect(counts.downloads).toBe(2 * m.runs);
    expect(counts.uploadBytes).toBe((2 + 20 * 1 + 20 * 2) * F * 4);
    expect(runner.stats().pinned!.allocations).toBeGreaterThan(0);
    // A too-small caller buffer fails its own request only.
    using tiny = new trt.HostBuffer(4);
    const r = await settle([runner.infer({ x: rowsFor(1, 1) }, { outputs: { y: tiny } }), runner.infer({ x: rowsFor(2, 1) })]);
    expect(r.map((x) => (x.ok ? 'ok' : x.code))).toEqual(['RangeError', 'ok']);
    expectAllBack(runner, 2);
    await runner.dispose();
    expect(runner.stats().pinned).toMatchObject({ buffers: 0, inUse: 0 });
  });

  it('runs on a thread pool of its own', async () => {
    const bytes = await plan((net) => slowNetwork(net, 192, 2));
    const pool = new trt.ThreadPool(2);
    const runner = await InferRunner.create(bytes, { backend: 'cpu', contexts: 2, threadPool: pool });
    const before = pool.stats().completed;
    const a = new Float32Array(192 * 192).fill(1 / 192);
    await Promise.all([runner.infer({ a }), runner.infer({ a })]);
    // Helper tasks a kernel handed out may still be queued (they find no chunks left and end).
    for (let i = 0; i < 200 && (pool.stats().queued > 0 || pool.stats().active > 0); i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(pool.stats()).toMatchObject({ threads: 2, queued: 0, active: 0 });
    expect(pool.stats().completed).toBeGreaterThan(before); // its worker took part
    await runner.dispose();
    pool.dispose();
    expect(() => pool.stats()).toThrow(/disposed/);
    expect(() => new trt.Stream({ threadPool: pool })).toThrow(/disposed/);
  });

  it('a runtime with its own thread pool runs its engines\' contexts on it (RuntimeOptions.threadPool)', async () => {
    const bytes = await plan((net) => slowNetwork(net, 192, 2));
    const pool = new trt.ThreadPool(2);
    const runtime = new trt.Runtime(quietLogger, { backend: 'cpu', threadPool: pool });
    expect(runtime.threadPool).toBe(pool);
    const engine = runtime.deserializeCudaEngine(bytes);
    const context = engine.createExecutionContext();
    using a = trt.HostBuffer.from(new Float32Array(192 * 192).fill(1 / 192));
    using out = new trt.HostBuffer(trt.byteSizeOf(engine.getTensorDataType(engine.getIOTensorName(1)), context.getTensorShape(engine.getIOTensorName(1)).reduce((x, y) => x * y, 1)));
    context.setTensorAddress(engine.getIOTensorName(0), a);
    context.setTensorAddress(engine.getIOTensorName(1), out);
    const before = pool.stats().completed;
    await context.enqueueV3();
    for (let i = 0; i < 200 && (pool.stats().queued > 0 || pool.stats().active > 0); i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(pool.stats().completed).toBeGreaterThan(before); // its worker took part
    expect(() => new trt.Runtime(quietLogger, { backend: 'cpu', threadPool: {} as trt.ThreadPool })).toThrow(TypeError);
    context.dispose();
    engine.dispose();
    runtime.dispose();
    pool.dispose();
  });

  it('EXPECTED FAILURE: batching needs a dynamic batch dim 0', async () => {
    const bytes = await plan((net) => tagNetwork(net, 2));
    const err = (await InferRunner.create(bytes, { backend: 'cpu', batching: { maxBatch: 4 } }).catch((e: unknown) => e)) as TrtError;
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toMatch(/dynamic dim 0 on every input \('x'/);
    await expect(InferRunner.create(bytes, { backend: 'cpu', contexts: 0 })).rejects.toThrow(/options\.contexts/);
  });
});

describe('InferRunner: cancellation, timeout, backpressure, dispose', () => {
  const slow = () => plan((net) => slowNetwork(net, 256, 24));
  const input = () => ({ a: new Float32Array(256 * 256).fill(1 / 256) });

  it('abort: a queued request is removed; a running one completes with its result discarded', async () => {
    const runner = await InferRunner.create(await slow(), { backend: 'cpu', contexts: 1 });
    const running = new AbortController();
    const queued = new AbortController();
    const p1 = runner.infer(input(), { signal: running.signal });
    const p2 = runner.infer(input(), { signal: queued.signal });
    const p3 = runner.infer(input());
    expect(runner.stats()).toMatchObject({ running: 1, queued: 2 });
    queued.abort();
    expect(runner.stats().queued).toBe(1); // removed at once
    running.abort(new Error('gone'));
    const [r1, r2, r3] = await settle([p1, p2, p3]);
    expect(r1).toEqual({ ok: false, code: 'ABORTED' });
    expect(r2).toEqual({ ok: false, code: 'ABORTED' });
    expect(r3!.ok).toBe(true);
    await runner.drain();
    const m = runner.metrics();
    expect(m.runs).toBe(2); // the aborted queued request never ran
    expect(m.aborted).toBe(2);
    expect(await settle([runner.infer(input(), { signal: AbortSignal.abort() })])).toEqual([{ ok: false, code: 'ABORTED' }]);
    expectAllBack(runner, 1);
    await runner.dispose();
  });

  it('timeout: TIMEOUT for a request waiting too long, and for one running too long', async () => {
    // A run several times longer than slow()'s: on a loaded 2-core machine the event loop's timers
    // can fire tens of ms late, and p1's timeout must still fire while its run is going.
    const runner = await InferRunner.create(await plan((net) => slowNetwork(net, 256, 96)), { backend: 'cpu', contexts: 1 });
    // The fastest of a few runs (the first pays one-time costs): tens of ms here; p1's timeout
    // below scales with it.
    let runMs = Infinity;
    for (let i = 0; i < 3; i += 1) {
      const t0 = performance.now();
      await runner.infer(input());
      runMs = Math.min(runMs, performance.now() - t0);
    }
    runner.resetMetrics();
    const p1 = runner.infer(input(), { timeoutMs: Math.max(1, runMs / 4) }); // starts at once, times out while running
    // Times out while waiting behind p1 (1 ms: long before p1's run ends, however loaded the machine).
    const p2 = runner.infer(input(), { timeoutMs: 1 });
    const p3 = runner.infer(input(), { timeoutMs: 60_000 });
    const r = await settle([p1, p2, p3]);
    expect(r.map((x) => (x.ok ? 'ok' : x.code))).toEqual(['TIMEOUT', 'TIMEOUT', 'ok']);
    await runner.drain();
    expect(runner.metrics()).toMatchObject({ timedOut: 2, completed: 1, runs: 2 });
    expectAllBack(runner, 1);
    await runner.dispose();
  });

  it('backpressure: a full queue rejects with QUEUE_FULL at once; accepted requests still complete', async () => {
    const runner = await InferRunner.create(await slow(), { backend: 'cpu', contexts: 1, maxQueue: 2 });
    const calls = Array.from({ length: 6 }, () => runner.infer(input()));
    const r = await settle(calls);
    expect(r.map((x) => (x.ok ? 'ok' : x.code))).toEqual(['ok', 'ok', 'ok', 'QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL']);
    expect(runner.metrics()).toMatchObject({ rejected: 3, completed: 3, maxQueueDepth: 2 });
    expectAllBack(runner, 1);
    await runner.dispose();
  });

  it('dispose while busy: queued requests get DISPOSED, running ones finish, contexts are disposed', async () => {
    const bytes = await slow();
    const engine = new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(bytes);
    const runner = await InferRunner.create(engine, { contexts: 2 });
    const calls = Array.from({ length: 8 }, () => runner.infer(input()));
    expect(runner.stats()).toMatchObject({ running: 2, queued: 6 });
    const disposing = runner.dispose();
    expect(runner.dispose()).toBe(disposing);
    expect(runner.stats()).toMatchObject({ running: 2, queued: 0 });
    const r = await settle(calls);
    expect(r.map((x) => (x.ok ? 'ok' : x.code))).toEqual(['ok', 'ok', 'DISPOSED', 'DISPOSED', 'DISPOSED', 'DISPOSED', 'DISPOSED', 'DISPOSED']);
    await disposing;
    expect(runner.disposed).toBe(true);
    expect(runner.stats()).toMatchObject({ running: 0, queued: 0, contexts: { inUse: 0, waiting: 0 } });
    expect(runner.stats().staging).toMatchObject({ buffers: 0, inUse: 0 });
    expect(await settle([runner.infer(input())])).toEqual([{ ok: false, code: 'DISPOSED' }]);
    expect(engine.disposed).toBe(false);
    engine.dispose();
  });
});
