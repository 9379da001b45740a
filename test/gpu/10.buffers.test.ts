import { afterAll, describe, expect, it } from 'vitest';
import * as trt from '../../lib/index.js';
import { buildEngine } from '../helpers/engine.js';
import { cuda, gpuTitle, iota, nums, skipReason } from './gpu.js';

const { DataType } = trt;

async function countTicksWhile(promise: Promise<unknown>): Promise<number> {
  let ticks = 0;
  let done = false;
  void promise.finally(() => (done = true)).catch(() => {});
  while (!done) {
    await new Promise((r) => setImmediate(r));
    ticks += 1;
  }
  await promise;
  return ticks;
}

describe.skipIf(!!skipReason)(gpuTitle('cuda streams and events'), () => {
  it('creates streams with priority and flags; done(), query() and synchronize() agree', async () => {
    const high = new cuda.Stream({ priority: -1, nonBlocking: true });
    expect(high.nonBlocking).toBe(true);
    expect(high.priority).toBeLessThanOrEqual(0);
    expect(high.device).toBe(cuda.getDevice());
    const done = high.done();
    expect(high.pending).toBe(1);
    await done;
    expect(high.pending).toBe(0);
    expect(high.query()).toBe(true);
    high.synchronize();
    high.dispose();
    expect(() => high.query()).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    await expect(high.done()).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it('times work between two events', async () => {
    const stream = new cuda.Stream();
    const big = new cuda.DeviceBuffer(256 << 20);
    const start = new cuda.Event();
    const end = new cuda.Event({ blockingSync: true });
    start.record(stream);
    for (let i = 0; i < 20; i += 1) void big.fillAsync(i, stream);
    end.record(stream);
    await stream.done();
    expect(end.query()).toBe(true);
    end.synchronize();
    const ms = end.elapsedTime(start);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(10_000);
    // EXPECTED FAILURE: events without timing cannot be measured.
    const untimed = new cuda.Event({ timing: false });
    untimed.record(stream);
    await stream.done();
    expect(() => untimed.elapsedTime(start)).toThrow(expect.objectContaining({ code: 'CUDA_ERROR', message: expect.stringMatching(/cudaEventElapsedTime failed: cudaError/) }));
    // Recording on the legacy default stream.
    const legacy = new cuda.Event();
    legacy.record();
    legacy.synchronize();
    for (const r of [big, start, end, untimed, legacy, stream]) r.dispose();
  });
});

describe.skipIf(!!skipReason)(gpuTitle('cuda.DeviceBuffer'), () => {
  const stream = skipReason ? undefined : new cuda.Stream();
  afterAll(() => stream?.dispose());

  it('round-trips synchronously from TypedArrays, Buffers, ArrayBuffers and DataViews', () => {
    const src = iota(1024, 0.5);
    using d = cuda.DeviceBuffer.from(src);
    expect(d.location).toBe('device');
    expect(d.byteLength).toBe(4096);
    expect(d.read()).toEqual(src);
    d.write(new Float32Array([7, 8]), 8);
    expect(nums(d.read(DataType.FLOAT, 0, 16))).toEqual([0, 0.5, 7, 8]);
    const asBuffer = Buffer.from(new Uint8Array(iota(4).buffer));
    d.copyFrom(asBuffer);
    expect(nums(d.read(DataType.FLOAT, 0, 16))).toEqual([0, 1, 2, 3]);
    d.copyFrom(new DataView(new Float32Array([9, 9]).buffer), { dstOffset: 8 });
    const out = new ArrayBuffer(16);
    d.copyTo(out, { byteLength: 16 });
    expect(nums(new Float32Array(out))).toEqual([0, 1, 9, 9]);
    // device to device
    using e = new cuda.DeviceBuffer(16);
    cuda.memcpy(e, d, { byteLength: 16 });
    expect(nums(e.read())).toEqual([0, 1, 9, 9]);
  });

  it('round-trips asynchronously, pageable destinations included (staged, never blocking)', async () => {
    const n = 1 << 20;
    const src = iota(n);
    using d = new cuda.DeviceBuffer(4 * n);
    await d.copyFromAsync(src, stream!);
    const back = new Float32Array(n);
    await d.copyToAsync(back, stream!);
    expect(back).toEqual(src);
    const partial = new Float32Array(4);
    await d.copyToAsync(partial, stream!, { srcOffset: 400, byteLength: 16 });
    expect(nums(partial)).toEqual([100, 101, 102, 103]);
  });

  it('orders copies on two streams with an event', async () => {
    const n = 4 << 20;
    const src = iota(n, 0.25);
    const s1 = new cuda.Stream();
    const s2 = new cuda.Stream({ nonBlocking: true });
    const a = new cuda.DeviceBuffer(4 * n);
    const b = new cuda.DeviceBuffer(4 * n);
    const pinnedIn = cuda.HostBuffer.from(src);
    const pinnedOut = new cuda.HostBuffer(4 * n);
    const written = new cuda.Event({ timing: false });
    // s1 is kept busy first so that, without the event, s2 would read `a` too early.
    const busy = new cuda.DeviceBuffer(512 << 20);
    for (let i = 0; i < 10; i += 1) void busy.fillAsync(i, s1);
    const p1 = a.copyFromAsync(pinnedIn, s1);
    written.record(s1);
    s2.waitEvent(written);
    const p2 = b.copyFromAsync(a, s2);
    const p3 = b.copyToAsync(pinnedOut, s2);
    await Promise.all([p1, p2, p3]);
    expect(pinnedOut.view()).toEqual(src);
    for (const r of [s1, s2, a, b, pinnedIn, pinnedOut, written, busy]) r.dispose();
  });

  it('keeps the event loop running while a copy waits behind GPU work', async () => {
    const busy = new cuda.DeviceBuffer(1 << 30);
    const out = new cuda.HostBuffer(16);
    for (let i = 0; i < 100; i += 1) void busy.fillAsync(i, stream!);
    const ticks = await countTicksWhile(busy.copyToAsync(out, stream!, { byteLength: 16 }));
    expect(ticks).toBeGreaterThan(0);
    expect(nums(out.view())).toEqual([99, 99, 99, 99]);
    busy.dispose();
    out.dispose();
  });

  it('fills elements of 1, 2, 4 and 8 bytes, whole or in part, synchronously or on a stream', async () => {
    using d = new cuda.DeviceBuffer(64);
    d.fill(1.5);
    expect(nums(d.read())).toEqual(new Array(16).fill(1.5));
    d.fill(0x3c00, { type: DataType.HALF, byteOffset: 0, byteLength: 8 });
    expect(nums(d.read(DataType.HALF, 0, 8))).toEqual([0x3c00, 0x3c00, 0x3c00, 0x3c00]);
    await d.fillAsync(2n ** 40n + 3n, stream!, { type: DataType.INT64 });
    expect(Array.from(d.read(DataType.INT64) as BigInt64Array)).toEqual(new Array(8).fill(2n ** 40n + 3n));
    await d.fillAsync(7, stream!, { type: DataType.UINT8, byteOffset: 3, byteLength: 5 });
    const bytes = d.read(DataType.UINT8, 0, 9);
    expect(nums(bytes.subarray(3, 8))).toEqual([7, 7, 7, 7, 7]);
    expect(bytes[2]).not.toBe(7);
    // BAD CALL
    expect(() => d.fill(1, { type: DataType.INT32, byteOffset: 2 })).toThrow(RangeError);
    expect(() => d.fill(1n as unknown as number)).toThrow(TypeError);
  });

  // BAD CALL
  it('refuses ranges out of bounds, disposed buffers and disposed streams', async () => {
    const d = new cuda.DeviceBuffer(16);
    expect(() => d.copyFrom(new Float32Array(5))).toThrow(/Expected a copy of at most 16 bytes/);
    expect(() => d.copyTo(new Float32Array(4), { srcOffset: 20 })).toThrow(RangeError);
    const s = new cuda.Stream();
    s.dispose();
    await expect(d.copyFromAsync(new Float32Array(4), s)).rejects.toMatchObject({ code: 'DISPOSED' });
    d.dispose();
    expect(d.byteLength).toBe(0);
    expect(() => d.read()).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    expect(() => cuda.memcpy(new Float32Array(4), d)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });

  it('a buffer disposed while a copy is in flight is freed only after the copy', async () => {
    const src = cuda.HostBuffer.from(iota(1 << 20));
    const d = new cuda.DeviceBuffer(4 << 20);
    const p = d.copyFromAsync(src, stream!);
    src.dispose();
    d.dispose();
    await p;
    expect(d.disposed && src.disposed).toBe(true);
  });
});

describe.skipIf(!!skipReason)(gpuTitle('cuda.HostBuffer (pinned)'), () => {
  it('gives a TypedArray view without copying, detached after dispose', () => {
    const h = new cuda.HostBuffer(16, { portable: true });
    expect(h.location).toBe('pinned');
    const v = h.view() as Float32Array;
    v.set([1, 2, 3, 4]);
    expect(h.view()[2]).toBe(3);
    expect(new Float32Array(h.arrayBuffer)[3]).toBe(4);
    using d = new cuda.DeviceBuffer(16);
    d.copyFrom(h);
    expect(nums(d.read())).toEqual([1, 2, 3, 4]);
    h.dispose();
    expect(v.length).toBe(0);
    expect(v.buffer.byteLength).toBe(0);
    expect(h.byteLength).toBe(0);
    expect(() => h.arrayBuffer).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    expect(() => h.view()).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });

  it('mapped and write-combined pinned memory round-trip through the device', () => {
    for (const options of [{ mapped: true }, { writeCombined: true }]) {
      using h = cuda.HostBuffer.from(iota(256), options);
      using d = cuda.DeviceBuffer.from(h);
      using back = new cuda.HostBuffer(1024);
      d.copyTo(back);
      expect(back.view()).toEqual(iota(256));
    }
  });
});

describe.skipIf(!!skipReason)(gpuTitle('cuda.UnifiedBuffer'), () => {
  const stream = skipReason ? undefined : new cuda.Stream();
  afterAll(() => stream?.dispose());

  it('is read and written from JS and by copies and fills on the device', async () => {
    const n = 1 << 16;
    const u = new cuda.UnifiedBuffer(4 * n);
    expect(u.location).toBe('unified');
    (u.view() as Float32Array).set(iota(n));
    using d = new cuda.DeviceBuffer(4 * n);
    await d.copyFromAsync(u, stream!);
    expect(d.read()).toEqual(iota(n));
    d.fill(3);
    await u.copyFromAsync(d, stream!);
    expect(nums(u.view().subarray(0, 4))).toEqual([3, 3, 3, 3]);
    await u.fillAsync(7, stream!);
    expect(nums(u.view()).every((x) => x === 7)).toBe(true);
    const v = u.view();
    u.dispose();
    expect(v.length).toBe(0);
  });

  it('prefetches to the device and back and takes memory advice', async () => {
    const n = 1 << 20;
    using u = new cuda.UnifiedBuffer(4 * n);
    (u.view() as Float32Array).fill(2);
    u.advise(cuda.MemAdvise.SET_PREFERRED_LOCATION, 'device');
    u.advise(cuda.MemAdvise.SET_ACCESSED_BY, 'device');
    await u.prefetch('device', stream!);
    await u.fillAsync(4, stream!, { byteOffset: 0, byteLength: 4 * 16 });
    await u.prefetch('host', stream!, { byteOffset: 0, byteLength: 4 * 1024 });
    expect(nums(u.view().subarray(14, 18))).toEqual([4, 4, 2, 2]);
    u.advise(cuda.MemAdvise.SET_READ_MOSTLY, 'device');
    u.advise(cuda.MemAdvise.UNSET_READ_MOSTLY, 'device');
    u.advise(cuda.MemAdvise.UNSET_PREFERRED_LOCATION, 'device');
    // BAD CALL
    expect(() => u.advise(9 as trt.cuda.MemAdvise, 'device')).toThrow(RangeError);
    await expect(u.prefetch('gpu' as 'device', stream!)).rejects.toThrow(RangeError);
  });
});

describe.skipIf(!!skipReason)(gpuTitle('the CPU backend and CUDA buffers'), () => {
  async function reluEngine() {
    return buildEngine((net) => {
      const x = net.addInput('x', DataType.FLOAT, [4]);
      const y = net.addActivation(x, trt.ActivationType.RELU).getOutput(0);
      y.name = 'y';
      net.markOutput(y);
    });
  }

  // EXPECTED FAILURE
  it('refuses device memory with INVALID_ARGUMENT, for tensors and for context memory', async () => {
    const engine = await reluEngine();
    const context = engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.USER_MANAGED);
    using d = new cuda.DeviceBuffer(256);
    expect(() => context.setTensorAddress('x', d)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/'x' is device memory, which the CPU backend cannot use/) }),
    );
    expect(() => context.setDeviceMemoryV2(d, 0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    engine.dispose();
  });

  it('runs on pinned and unified memory', async () => {
    const engine = await reluEngine();
    const context = engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.USER_MANAGED);
    using x = cuda.HostBuffer.from(new Float32Array([-1, 2, -3, 4]));
    using y = new cuda.UnifiedBuffer(16);
    const size = Math.max(engine.getDeviceMemorySizeV2(), 256);
    using scratch = new cuda.UnifiedBuffer(size);
    context.setDeviceMemoryV2(scratch, size);
    context.setTensorAddress('x', x);
    context.setTensorAddress('y', y);
    await context.enqueueV3();
    expect(nums(y.view())).toEqual([0, 2, 0, 4]);
    engine.dispose();
  });
});
