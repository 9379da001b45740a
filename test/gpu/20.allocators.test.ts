import { afterAll, describe, expect, it } from 'vitest';
import * as trt from '../../lib/index.js';
import { cuda, gpuTitle, iota, nums, skipReason } from './gpu.js';

const huge = 2 ** 50; // 1 PiB: every device refuses it

describe.skipIf(!!skipReason)(gpuTitle('GPU allocators'), () => {
  const stream = skipReason ? undefined : new cuda.Stream();
  afterAll(() => stream?.dispose());

  it('TrackingAllocator shows every byte returned after dispose, counted per call-site tag', () => {
    const inner = new cuda.DefaultAllocator();
    const tracking = new cuda.TrackingAllocator(inner);
    const weights = tracking.allocate(1 << 20, 256, 0, 'weights')!;
    const act1 = tracking.allocate(3000, 0, 0, 'activations')!;
    const act2 = cuda.allocate(tracking, 5000, { tag: 'activations' });
    expect(weights.location).toBe('device');
    let s = tracking.stats();
    expect(s.liveBytes).toBe((1 << 20) + 8000);
    expect(s.peakBytes).toBe(s.liveBytes);
    expect(s.liveAllocations).toBe(3);
    expect(s.byTag['weights']).toMatchObject({ allocations: 1, liveBytes: 1 << 20 });
    expect(s.byTag['activations']).toMatchObject({ allocations: 2, liveBytes: 8000 });
    // Memory from an allocator is ordinary device memory.
    (weights as trt.cuda.DeviceBuffer).write(iota(4));
    expect(nums((weights as trt.cuda.DeviceBuffer).read(trt.DataType.FLOAT, 0, 16))).toEqual([0, 1, 2, 3]);
    act1.dispose(); // dispose() returns the memory to its allocator
    expect(tracking.deallocate(act2)).toBe(true);
    expect(act2.disposed).toBe(true);
    expect(tracking.deallocate(act2)).toBe(false); // twice
    s = tracking.stats();
    expect(s.liveBytes).toBe(1 << 20);
    expect(s.byTag['activations']).toMatchObject({ allocations: 2, deallocations: 2, liveBytes: 0 });
    // Disposing the allocator disposes what it handed out, returning every byte.
    tracking.dispose();
    expect(weights.disposed).toBe(true);
    s = tracking.stats();
    expect(s).toMatchObject({ liveBytes: 0, liveAllocations: 0, allocations: 3, deallocations: 3, peakBytes: (1 << 20) + 8000 });
    for (const tag of Object.values(s.byTag)) expect(tag.liveBytes).toBe(0);
    inner.dispose();
  });

  it('peak and refusals are tracked; a refusing native allocator gives a clean OUT_OF_MEMORY', () => {
    const tracking = new cuda.TrackingAllocator(new cuda.DefaultAllocator());
    const a = tracking.allocate(1 << 20)!;
    a.dispose();
    expect(tracking.allocate(huge, 0, 0, 'too-big')).toBeNull();
    expect(tracking.lastRefusal).toMatch(/cudaMalloc failed: cudaErrorMemoryAllocation/);
    expect(() => cuda.allocate(tracking, huge, { tag: 'too-big' })).toThrow(
      expect.objectContaining({ name: 'TrtError', code: 'OUT_OF_MEMORY', message: expect.stringMatching(/refused 1125899906842624 bytes.*cudaErrorMemoryAllocation/) }),
    );
    const s = tracking.stats();
    expect(s.peakBytes).toBe(1 << 20);
    expect(s.liveBytes).toBe(0);
    expect(s.refusals).toBe(2);
    expect(s.byTag['too-big']).toMatchObject({ refusals: 2, allocations: 0 });
    tracking.resetPeak();
    expect(tracking.stats().peakBytes).toBe(0);
    // A refusal leaves the device usable.
    using ok = cuda.allocate(tracking, 1024) as trt.cuda.DeviceBuffer;
    ok.fill(1);
    tracking.dispose();
  });

  it('an allocator written in JS that refuses gives OUT_OF_MEMORY; one that allocates works on the JS thread', () => {
    const refusing: trt.cuda.IGpuAllocator = { allocate: () => null, deallocate: () => false };
    expect(() => cuda.allocate(refusing, 1024)).toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
    const calls: string[] = [];
    const jsAllocator: trt.cuda.IGpuAllocator = {
      allocate(size) {
        calls.push(`allocate ${size}`);
        return new cuda.DeviceBuffer(size);
      },
      deallocate(memory) {
        calls.push('deallocate');
        (memory as trt.cuda.DeviceBuffer).dispose();
        return true;
      },
    };
    const m = cuda.allocate(jsAllocator, 512);
    expect(m.byteLength).toBe(512);
    expect(jsAllocator.deallocate(m)).toBe(true);
    expect(calls).toEqual(['allocate 512', 'deallocate']);
    // JS allocators cannot be wrapped or handed to the runtime, which call them off the JS thread.
    expect(() => new cuda.TrackingAllocator(jsAllocator as unknown as trt.cuda.GpuAllocator)).toThrow(TypeError);
    expect(() => new trt.Runtime().setGpuAllocator(jsAllocator)).toThrow(TypeError);
  });

  it('PoolAllocator allocates and frees in stream order', async () => {
    const pool = new cuda.PoolAllocator({ releaseThreshold: 64 << 20 });
    const tracking = new cuda.TrackingAllocator(pool);
    const n = 1 << 20;
    const scratch = tracking.allocateAsync(4 * n, 0, 0, stream!, 'scratch') as trt.cuda.DeviceBuffer;
    expect(scratch).not.toBeNull();
    // Used in the same stream's order before any synchronization.
    const filled = scratch.fillAsync(2.5, stream!);
    const out = new cuda.HostBuffer(4 * n);
    const copied = scratch.copyToAsync(out, stream!);
    expect(tracking.deallocateAsync(scratch, stream!)).toBe(true);
    await Promise.all([filled, copied, stream!.done()]);
    expect(nums(out.view()).every((x) => x === 2.5)).toBe(true);
    expect(tracking.stats()).toMatchObject({ liveBytes: 0, allocations: 1, deallocations: 1 });
    const usage = pool.usage();
    expect(usage.usedBytes).toBe(0);
    expect(usage.reservedHighBytes).toBeGreaterThanOrEqual(4 * n);
    // The release threshold keeps the freed memory reserved for reuse, until trimmed.
    expect(usage.reservedBytes).toBeGreaterThanOrEqual(4 * n);
    // The pool releases memory once a synchronization has shown it the stream-ordered free done.
    stream!.synchronize();
    pool.trimTo(0);
    expect(pool.usage().reservedBytes).toBe(0);
    // Synchronous allocate on a pool orders on the legacy default stream.
    const sync = pool.allocate(4096)!;
    expect(sync.byteLength).toBe(4096);
    sync.dispose();
    out.dispose();
    tracking.dispose();
    pool.dispose();
  });

  it('UnifiedAllocator hands out unified buffers with host views; reallocate keeps contents', () => {
    const unified = new cuda.UnifiedAllocator();
    const u = unified.allocate(16) as trt.cuda.UnifiedBuffer;
    expect(u.location).toBe('unified');
    (u.view() as Float32Array).set([1, 2, 3, 4]);
    const bigger = unified.reallocate(u, 0, 32) as trt.cuda.UnifiedBuffer;
    expect(u.disposed).toBe(true);
    expect(bigger.byteLength).toBe(32);
    expect(nums(bigger.view().subarray(0, 4))).toEqual([1, 2, 3, 4]);
    const device = new cuda.DefaultAllocator();
    const d = device.allocate(8)!;
    expect(unified.deallocate(d)).toBe(false); // not its memory
    expect(device.deallocate(d)).toBe(true);
    unified.dispose();
    expect(bigger.disposed).toBe(true);
    device.dispose();
  });

  // BAD CALL
  it('refuses bad alignments and wrong arguments', () => {
    using allocator = new cuda.DefaultAllocator();
    expect(() => allocator.allocate(16, 3)).toThrow(/Expected 0 or a power of two up to 256 for alignment/);
    expect(() => allocator.allocate(16, 512)).toThrow(RangeError);
    expect(() => allocator.allocateAsync(16, 0, 0, {} as trt.cuda.Stream)).toThrow(TypeError);
    expect(allocator.deallocate(new trt.HostBuffer(4))).toBe(false);
  });

  it('Runtime.setGpuAllocator and Builder.setGpuAllocator store a built-in allocator', () => {
    const tracking = new cuda.TrackingAllocator(new cuda.PoolAllocator());
    const runtime = new trt.Runtime();
    runtime.setGpuAllocator(tracking);
    expect(runtime.gpuAllocator).toBe(tracking);
    const builder = new trt.Builder();
    builder.setGpuAllocator(tracking);
    expect(builder.gpuAllocator).toBe(tracking);
    runtime.setGpuAllocator(null);
    expect(runtime.gpuAllocator).toBeNull();
    builder.dispose();
    runtime.dispose();
    tracking.dispose();
  });
});
