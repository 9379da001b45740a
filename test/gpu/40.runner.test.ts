/**
 * InferRunner on the cuda backend (cudaRunnerIo): 10,000 concurrent tagged requests over 4
 * contexts with and without dynamic batching; device and unified buffers bound without copies;
 * cancellation, timeout, backpressure and dispose-while-busy each ending with every context,
 * device buffer and pinned buffer back in its pool; a TrackingAllocator seeing every byte back.
 * Layers: ELEMENTWISE, CONSTANT and MATRIX_MULTIPLY only (all with CUDA kernels).
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../../lib/index.js';
import { DataType, InferRunner } from '../../lib/index.js';
import { quietLogger } from '../helpers/engine.js';
import { F, Profiles, buildPlan, checkTagged, dynamicProfile, expectAllBack as expectAllBackIn, rowsFor, settle, slowNetwork, tagNetwork } from '../helpers/runner.js';
import { cuda, gpuTitle, skipReason } from './gpu.js';

const plan = (define: (net: trt.NetworkDefinition) => void, profiles?: Profiles) => buildPlan('cuda', define, profiles);
const expectAllBack = (runner: InferRunner, contexts: number) => expectAllBackIn(runner, contexts, true);

describe.skipIf(!!skipReason)(gpuTitle('InferRunner on the cuda backend: 10,000 concurrent requests'), () => {
  it('4 contexts, each on its own cuda.Stream: every result matches its own request', async () => {
    const runner = await InferRunner.create(await plan((net) => tagNetwork(net), dynamicProfile), { backend: 'cuda', contexts: 4, maxQueue: Infinity });
    expect(runner.engine.backend).toBe('cuda');
    expect(runner.io.name).toBe('cuda');
    const N = 10_000;
    const calls: Array<Promise<boolean>> = [];
    for (let i = 0; i < N; i += 1) {
      const rows = 1 + (i % 3);
      calls.push(runner.infer({ x: rowsFor(i, rows) }).then((out) => checkTagged(i, rows, out)));
    }
    expect((await Promise.all(calls)).filter((ok) => !ok).length).toBe(0);
    const m = runner.metrics();
    expect(m.completed).toBe(N);
    expect(m.failed + m.aborted + m.timedOut + m.rejected).toBe(0);
    expect(m.runs).toBe(N);
    expectAllBack(runner, 4);
    // Device and pinned staging were reused, not allocated per request.
    expect(runner.stats().staging.allocations).toBeLessThan(64);
    expect(runner.stats().pinned!.allocations).toBeLessThan(64);
    console.log(`cuda, 10,000 requests, 4 contexts: ${m.throughput.toFixed(0)} req/s, p50 ${m.latencyMs.p50.toFixed(2)} ms, p99 ${m.latencyMs.p99.toFixed(2)} ms, utilisation ${(m.contextUtilisation * 100).toFixed(0)}%`);
    await runner.dispose();
    expect(runner.stats().staging).toMatchObject({ buffers: 0, inUse: 0 });
    expect(runner.stats().pinned).toMatchObject({ buffers: 0, inUse: 0 });
  });

  it('the same with dynamic batching', async () => {
    const runner = await InferRunner.create(await plan((net) => tagNetwork(net), dynamicProfile), { backend: 'cuda', contexts: 4, maxQueue: Infinity, batching: { maxBatch: 32, maxQueueDelayMs: 1 } });
    const N = 10_000;
    const calls: Array<Promise<boolean>> = [];
    for (let i = 0; i < N; i += 1) {
      const rows = 1 + (i % 3);
      calls.push(runner.infer({ x: rowsFor(i, rows) }).then((out) => checkTagged(i, rows, out)));
    }
    expect((await Promise.all(calls)).filter((ok) => !ok).length).toBe(0);
    const m = runner.metrics();
    expect(m.completed).toBe(N);
    expect(m.failed).toBe(0);
    expect(m.meanBatchSize).toBeGreaterThan(4);
    expectAllBack(runner, 4);
    console.log(`cuda, 10,000 requests, batching (max 32 rows): ${m.runs} runs, mean ${m.meanBatchSize.toFixed(1)} requests per run, ${m.throughput.toFixed(0)} req/s`);
    await runner.dispose();
  });
});

describe.skipIf(!!skipReason)(gpuTitle('InferRunner on the cuda backend: memory'), () => {
  it('DeviceBuffer / UnifiedBuffer inputs and outputs are bound without copies; TypedArray and pinned targets get the copy', async () => {
    const runner = await InferRunner.create(await plan((net) => tagNetwork(net, 2)), { backend: 'cuda', contexts: 1 });
    using xDev = cuda.DeviceBuffer.from(rowsFor(5, 2));
    using yDev = new cuda.DeviceBuffer(2 * F * 4);
    using zUni = new cuda.UnifiedBuffer(2 * F * 4);
    const r = await runner.inferWithShapes({ x: xDev }, { outputs: { y: yDev, z: zUni } });
    expect(r.shapes).toEqual({ y: [2, F], z: [2, F] });
    expect(r.outputs['y']!.length).toBe(0); // device memory has no host view: the values are in yDev
    expect(r.outputs['z']!.buffer).toBe(zUni.arrayBuffer); // a view of the unified memory itself
    expect(checkTagged(5, 2, { y: yDev.read(DataType.FLOAT), z: r.outputs['z']! })).toBe(true);
    // Nothing was staged: no device staging, no pinned buffer.
    expect(runner.stats().staging.allocations).toBe(0);
    expect(runner.stats().pinned!.allocations).toBe(0);

    // A TypedArray target is copied into (through pinned staging); a pinned target gets the copy directly.
    const yArr = new Float32Array(2 * F);
    using zPin = new cuda.HostBuffer(2 * F * 4);
    const r2 = await runner.infer({ x: rowsFor(9, 2) }, { outputs: { y: yArr, z: zPin } });
    expect(r2['y']).toBe(yArr);
    expect(r2['z']!.buffer).toBe(zPin.arrayBuffer);
    expect(checkTagged(9, 2, r2)).toBe(true);
    // A unified input is bound too.
    using xUni = new cuda.UnifiedBuffer(2 * F * 4);
    (xUni.view(DataType.FLOAT) as Float32Array).set(rowsFor(11, 2));
    expect(checkTagged(11, 2, await runner.infer({ x: xUni }))).toBe(true);

    // BAD CALL: a device target too small fails that request only, and everything comes back.
    using small = new cuda.DeviceBuffer(16);
    const bad = await runner.infer({ x: rowsFor(1, 2) }, { outputs: { y: small } }).catch((e: Error) => e);
    expect(bad).toBeInstanceOf(RangeError);
    expect((bad as Error).message).toMatch(/options\.outputs\.y/);
    expect((bad as Error).stack).toContain('40.runner.test'); // the caller's frame
    expectAllBack(runner, 1);
    await runner.dispose();
  });

  it('batched requests mixing TypedArray, pinned, host, device and unified inputs and targets', async () => {
    const runner = await InferRunner.create(await plan((net) => tagNetwork(net), dynamicProfile), { backend: 'cuda', contexts: 1, batching: { maxBatch: 32, maxQueueDelayMs: 5 } });
    using xDev = cuda.DeviceBuffer.from(rowsFor(1, 2));
    using xPin = cuda.HostBuffer.from(rowsFor(2, 2));
    using xHost = trt.HostBuffer.from(rowsFor(3, 2));
    using xUni = new cuda.UnifiedBuffer(2 * F * 4);
    (xUni.view(DataType.FLOAT) as Float32Array).set(rowsFor(4, 2));
    using yDev = new cuda.DeviceBuffer(2 * F * 4);
    using zPin = new cuda.HostBuffer(2 * F * 4);
    using zHost = new trt.HostBuffer(2 * F * 4);
    const inputs = [xDev, xPin, xHost, xUni, rowsFor(5, 2)];
    const outs = await Promise.all(inputs.map((x, i) => runner.infer({ x }, { outputs: i === 0 ? { y: yDev, z: zPin } : i === 2 ? { z: zHost } : {} })));
    expect(runner.metrics().runs).toBe(1); // all five ran as one batch
    expect(checkTagged(1, 2, { y: yDev.read(DataType.FLOAT), z: outs[0]!['z']! })).toBe(true);
    expect(outs[0]!['z']!.buffer).toBe(zPin.arrayBuffer);
    expect(outs[2]!['z']!.buffer).toBe(zHost.arrayBuffer);
    for (let i = 1; i < 5; i += 1) expect(checkTagged(i + 1, 2, outs[i]!)).toBe(true);
    expectAllBack(runner, 1);
    await runner.dispose();
  });

  it('USER_MANAGED contexts share one device activation slot', async () => {
    const runner = await InferRunner.create(await plan((net) => tagNetwork(net), dynamicProfile), { backend: 'cuda', contexts: 4, sharedMemory: true });
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
  });

  it('a TrackingAllocator sees every byte back after dispose: given to the runner, or set on the runtime', async () => {
    const bytes = await plan((net) => tagNetwork(net), dynamicProfile);
    const tracking = new cuda.TrackingAllocator(new cuda.DefaultAllocator());
    const runner = await InferRunner.create(bytes, { backend: 'cuda', contexts: 4, sharedMemory: { slots: 2 }, gpuAllocator: tracking });
    const outs = await Promise.all(Array.from({ length: 100 }, (_, i) => runner.infer({ x: rowsFor(i, 1 + (i % 4)) })));
    outs.forEach((o, i) => expect(checkTagged(i, 1 + (i % 4), o)).toBe(true));
    const during = tracking.stats();
    expect(during.liveBytes).toBeGreaterThan(0);
    expect(during.byTag['InferRunner']!.liveBytes).toBeGreaterThan(0); // staging and the two slots
    await runner.dispose(); // the runner loaded the engine: it goes too
    const after = tracking.stats();
    expect(after.liveBytes).toBe(0);
    expect(after.allocations).toBe(after.deallocations);

    // The runtime's allocator is picked up from an engine passed in.
    const runtime = new trt.Runtime(quietLogger, { backend: 'cuda' });
    runtime.setGpuAllocator(tracking);
    const engine = runtime.deserializeCudaEngine(bytes);
    const weights = tracking.stats().liveBytes;
    const runner2 = await InferRunner.create(engine, { contexts: 2 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => runner2.infer({ x: rowsFor(i, 3) })));
    expect(tracking.stats().byTag['InferRunner']!.allocations).toBeGreaterThan(after.byTag['InferRunner']!.allocations);
    await runner2.dispose();
    expect(tracking.stats().liveBytes).toBe(weights);
    engine.dispose();
    expect(tracking.stats().liveBytes).toBe(0);
    runtime.dispose();
    tracking.dispose();
  });
});

describe.skipIf(!!skipReason)(gpuTitle('InferRunner on the cuda backend: cancellation, timeout, backpressure, dispose'), () => {
  const N = 2048;
  let slowBytes: Uint8Array | undefined;
  const slow = async () => (slowBytes ??= await plan((net) => slowNetwork(net, N, 32)));
  const input = () => ({ a: new Float32Array(N * N).fill(1 / N) });

  it('abort: a queued request is removed; a running one completes with its result discarded', async () => {
    const runner = await InferRunner.create(await slow(), { backend: 'cuda', contexts: 1 });
    const running = new AbortController();
    const queued = new AbortController();
    const p1 = runner.infer(input(), { signal: running.signal });
    const p2 = runner.infer(input(), { signal: queued.signal });
    const p3 = runner.infer(input());
    expect(runner.stats()).toMatchObject({ running: 1, queued: 2 });
    queued.abort();
    expect(runner.stats().queued).toBe(1);
    running.abort(new Error('gone'));
    const [r1, r2, r3] = await settle([p1, p2, p3]);
    expect(r1).toEqual({ ok: false, code: 'ABORTED' });
    expect(r2).toEqual({ ok: false, code: 'ABORTED' });
    expect(r3!.ok).toBe(true);
    const out = (r3 as { value: Record<string, Float32Array> }).value['out']!;
    expect(Math.abs(out[0]! - 1 / N)).toBeLessThan(1e-6);
    await runner.drain();
    expect(runner.metrics()).toMatchObject({ runs: 2, aborted: 2 });
    expectAllBack(runner, 1);
    await runner.dispose();
  });

  it('timeout: TIMEOUT for a request waiting too long, and for one running too long', async () => {
    const runner = await InferRunner.create(await slow(), { backend: 'cuda', contexts: 1 });
    // Warm-up: cuBLASLt handle, staging buffers, and the CUDA graph the context captures on its
    // second run (later runs replay it, faster); then the fastest of a few runs.
    for (let i = 0; i < 3; i += 1) await runner.infer(input());
    let runMs = Infinity;
    for (let i = 0; i < 3; i += 1) {
      const t0 = performance.now();
      await runner.infer(input());
      runMs = Math.min(runMs, performance.now() - t0);
    }
    runner.resetMetrics();
    // Inputs made first: filling 16 MB arrays between the calls would hold the event loop past
    // the first timeout.
    const [i1, i2, i3] = [input(), input(), input()];
    const p1 = runner.infer(i1, { timeoutMs: Math.max(1, runMs / 4) });
    // p2 waits behind p1, which runs for about runMs: its deadline comes first.
    const p2 = runner.infer(i2, { timeoutMs: Math.max(1, runMs / 8) });
    const p3 = runner.infer(i3, { timeoutMs: 60_000 });
    const r = await settle([p1, p2, p3]);
    expect(r.map((x) => (x.ok ? 'ok' : x.code))).toEqual(['TIMEOUT', 'TIMEOUT', 'ok']);
    await runner.drain();
    expect(runner.metrics()).toMatchObject({ timedOut: 2, completed: 1, runs: 2 });
    expectAllBack(runner, 1);
    console.log(`cuda slow network: ${runMs.toFixed(1)} ms per run`);
    await runner.dispose();
  });

  it('backpressure: a full queue rejects with QUEUE_FULL at once; accepted requests complete', async () => {
    const runner = await InferRunner.create(await slow(), { backend: 'cuda', contexts: 1, maxQueue: 2 });
    const r = await settle(Array.from({ length: 6 }, () => runner.infer(input())));
    expect(r.map((x) => (x.ok ? 'ok' : x.code))).toEqual(['ok', 'ok', 'ok', 'QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL']);
    expect(runner.metrics()).toMatchObject({ rejected: 3, completed: 3, maxQueueDepth: 2 });
    expectAllBack(runner, 1);
    await runner.dispose();
  });

  it('dispose while busy: queued requests get DISPOSED, running ones finish, every buffer and byte is freed', async () => {
    const tracking = new cuda.TrackingAllocator(new cuda.DefaultAllocator());
    const runner = await InferRunner.create(await slow(), { backend: 'cuda', contexts: 2, gpuAllocator: tracking });
    const calls = Array.from({ length: 8 }, () => runner.infer(input()));
    expect(runner.stats()).toMatchObject({ running: 2, queued: 6 });
    const disposing = runner.dispose();
    expect(runner.dispose()).toBe(disposing);
    const r = await settle(calls);
    expect(r.map((x) => (x.ok ? 'ok' : x.code))).toEqual(['ok', 'ok', 'DISPOSED', 'DISPOSED', 'DISPOSED', 'DISPOSED', 'DISPOSED', 'DISPOSED']);
    await disposing;
    expect(runner.stats()).toMatchObject({ running: 0, queued: 0, contexts: { inUse: 0, waiting: 0 } });
    expect(runner.stats().staging).toMatchObject({ buffers: 0, inUse: 0 });
    expect(runner.stats().pinned).toMatchObject({ buffers: 0, inUse: 0 });
    expect(tracking.stats().liveBytes).toBe(0);
    expect(await settle([runner.infer(input())])).toEqual([{ ok: false, code: 'DISPOSED' }]);
    tracking.dispose();
  });

  it('the event loop keeps ticking while the GPU runs', async () => {
    const runner = await InferRunner.create(await slow(), { backend: 'cuda', contexts: 2 });
    // Warm both contexts (library handles, staging, graph capture): one-time costs on the JS
    // thread are not what this measures.
    for (let i = 0; i < 3; i += 1) await Promise.all([runner.infer(input()), runner.infer(input())]);
    // Inputs made before timing: filling 16 MB arrays is this test's own event-loop work.
    const inputs = Array.from({ length: 8 }, () => input());
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks += 1;
    }, 1);
    const t0 = performance.now();
    let ticksAtFirstResult = -1;
    await Promise.all(inputs.map((x) => runner.infer(x).then(() => { if (ticksAtFirstResult < 0) ticksAtFirstResult = ticks; })));
    const ms = performance.now() - t0;
    clearInterval(timer);
    console.log(`8 slow runs on 2 contexts: ${ms.toFixed(0)} ms, ${ticks} ticks (${ticksAtFirstResult} before the first result), max gap ${maxGap.toFixed(1)} ms`);
    // Timers fired while the first runs were still on the GPU: infer() did not hold the JS thread
    // until they finished. (Not a timing bound: how many ticks fit depends on the machine.)
    expect(ticksAtFirstResult).toBeGreaterThan(0);
    expectAllBack(runner, 2);
    await runner.dispose();
  });
});
