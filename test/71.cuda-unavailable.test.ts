/**
 * The cuda module where no GPU can be used (this CI machine: the addon is built with CUDA, but
 * there is no driver). The GPU paths are in test/gpu, run on the GPU machine.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { native } from '../lib/native.js';
import { buildEngine } from './helpers/engine.js';

const { cuda } = trt;
const noGpu = cuda.getDeviceCount() === 0;
const knownReasons = /^(this build has no CUDA support \(.+\)|no CUDA driver \(cudaGetDeviceCount: cudaError\w+\)|no CUDA device \(cudaGetDeviceCount: \w+\)|the CUDA driver .+ is older than .+|CUDA is not usable \(.+\))$/;

function expectCudaUnavailable(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(trt.TrtError);
  expect((caught as trt.TrtError).code).toBe('CUDA_UNAVAILABLE');
  expect((caught as Error).message).toContain(cuda.reason());
}

describe('cuda module (any machine)', () => {
  it('loads and reports whether this build has CUDA and why a device is (un)usable', () => {
    const info = cuda.runtimeInfo();
    expect(typeof info.built).toBe('boolean');
    expect(info.available).toBe(info.deviceCount > 0);
    expect(info.reason.length).toBeGreaterThan(0);
    expect(cuda.available()).toBe(info.available);
    // The native cuda object exists exactly in CUDA builds.
    expect(native().cuda !== undefined).toBe(info.built);
    if (info.built) expect(info.runtimeVersion).toBeGreaterThanOrEqual(13000);
    for (const name of ['Stream', 'Event', 'DeviceBuffer', 'HostBuffer', 'UnifiedBuffer', 'Device', 'DefaultAllocator', 'PoolAllocator', 'UnifiedAllocator', 'TrackingAllocator', 'memcpy', 'memcpyAsync', 'allocate']) {
      expect(typeof (cuda as unknown as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it("the engine's cuda backend is available exactly when a GPU is usable, with the reason, and auto prefers it then", () => {
    const backend = trt.getBackends().find((b) => b.name === 'cuda')!;
    expect(backend.available).toBe(cuda.available());
    if (cuda.available()) {
      expect(backend.reason).toMatch(/^built-in engine on the GPU/);
      expect(trt.resolveBackend('auto').name).toBe('cuda');
    } else {
      expect(backend.reason).toBe(cuda.reason());
      expect(trt.resolveBackend('auto').name).not.toBe('cuda');
      expect(() => trt.resolveBackend('cuda')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    }
  });

  it('a JS allocator that refuses produces OUT_OF_MEMORY (cuda.allocate calls it on the JS thread)', () => {
    const refusing: trt.cuda.IGpuAllocator = { allocate: () => null, deallocate: () => false };
    expect(() => cuda.allocate(refusing, 1024)).toThrow(expect.objectContaining({ name: 'TrtError', code: 'OUT_OF_MEMORY', message: expect.stringMatching(/refused 1024 bytes/) }));
  });

  // BAD CALL
  it('rejects bad allocator arguments naming them', () => {
    expect(() => cuda.allocate({} as trt.cuda.IGpuAllocator, 16)).toThrow(TypeError);
    const js: trt.cuda.IGpuAllocator = { allocate: () => null, deallocate: () => false };
    expect(() => cuda.allocate(js, 16, { alignment: 3 })).toThrow(/Expected 0 or a power of two up to 256 for alignment/);
    expect(() => cuda.allocate(js, -1)).toThrow(RangeError);
  });

  it('Runtime and Builder take built-in allocators only (they call them off the JS thread)', () => {
    const runtime = new trt.Runtime();
    const builder = new trt.Builder();
    const js: trt.cuda.IGpuAllocator = { allocate: () => null, deallocate: () => false };
    expect(() => runtime.setGpuAllocator(js)).toThrow(/Expected a built-in GPU allocator/);
    expect(() => builder.setGpuAllocator(js)).toThrow(TypeError);
    runtime.setGpuAllocator(null);
    builder.setGpuAllocator(null);
    expect(runtime.gpuAllocator).toBeNull();
    builder.dispose();
    runtime.dispose();
  });

  it('the CPU backend still binds host buffers and refuses objects that are not buffers', async () => {
    const engine = await buildEngine((net) => {
      const x = net.addInput('x', trt.DataType.FLOAT, [4]);
      net.markOutput(net.addActivation(x, trt.ActivationType.RELU).getOutput(0));
    });
    const context = engine.createExecutionContext();
    const fake = { byteLength: 16, location: 'device', disposed: false, nativeHandle: {} } as unknown as trt.TensorBuffer;
    expect(() => context.setTensorAddress('x', fake)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const x = trt.HostBuffer.from(new Float32Array([-1, 2, -3, 4]));
    const y = new trt.HostBuffer(16);
    context.setTensorAddress('x', x);
    context.setTensorAddress(engine.getIOTensorName(1), y);
    await context.enqueueV3();
    expect(Array.from(y.view() as Float32Array)).toEqual([0, 2, 0, 4]);
    engine.dispose();
  });
});

describe.skipIf(!noGpu)(`cuda module without a usable GPU${noGpu ? '' : ' (skipped: this machine has a GPU; see test/gpu)'}`, () => {
  it('getDeviceCount() is 0 and the reason says why', () => {
    expect(cuda.getDeviceCount()).toBe(0);
    expect(cuda.available()).toBe(false);
    expect(cuda.reason()).toMatch(knownReasons);
    const info = cuda.runtimeInfo();
    if (info.built) expect(info.error).toMatch(/^cudaError/);
  });

  // EXPECTED FAILURE
  it('every GPU object throws CUDA_UNAVAILABLE with the reason', () => {
    expectCudaUnavailable(() => new cuda.Stream());
    expectCudaUnavailable(() => new cuda.Event());
    expectCudaUnavailable(() => new cuda.DeviceBuffer(16));
    expectCudaUnavailable(() => cuda.DeviceBuffer.from(new Float32Array(4)));
    expectCudaUnavailable(() => new cuda.HostBuffer(16));
    expectCudaUnavailable(() => new cuda.UnifiedBuffer(16));
    expectCudaUnavailable(() => cuda.Device.get(0));
    expectCudaUnavailable(() => cuda.setDevice(0));
    expectCudaUnavailable(() => cuda.getDevice());
    expectCudaUnavailable(() => new cuda.DefaultAllocator());
    expectCudaUnavailable(() => new cuda.PoolAllocator({ releaseThreshold: 1 << 20 }));
    expectCudaUnavailable(() => new cuda.UnifiedAllocator());
    expectCudaUnavailable(() => cuda.memcpy(new Uint8Array(4), new Uint8Array(4)));
  });

  it('async entry points reject with CUDA_UNAVAILABLE instead of throwing', async () => {
    const p = cuda.memcpyAsync(new Uint8Array(4), new Uint8Array(4), undefined as unknown as trt.cuda.Stream);
    await expect(p).rejects.toMatchObject({ code: 'CUDA_UNAVAILABLE' });
  });

  it("building for the 'cuda' backend fails with the backend's unavailability reason", async () => {
    const reason = trt.getBackends().find((b) => b.name === 'cuda')!.reason;
    expect(reason).toBe(cuda.reason());
    for (const make of [() => new trt.Builder(undefined, { backend: 'cuda' }), () => new trt.Runtime(undefined, { backend: 'cuda' })]) {
      expect(make).toThrow(expect.objectContaining({ name: 'TrtError', code: 'UNSUPPORTED', message: `backend 'cuda' is not available: ${reason}` }));
    }
    await expect(buildEngine((net) => net.markOutput(net.addInput('x', trt.DataType.FLOAT, [2])), { backend: 'cuda' })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining(reason) });
  });

  it('the message names what needed CUDA', () => {
    expect(() => new cuda.DeviceBuffer(16)).toThrow(/^cuda\.DeviceBuffer needs CUDA, which is unavailable: /);
  });
});
