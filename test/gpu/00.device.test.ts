import { describe, expect, it } from 'vitest';
import * as trt from '../../lib/index.js';
import { cuda, gpuTitle, skipReason } from './gpu.js';

describe.skipIf(!!skipReason)(gpuTitle('cuda devices'), () => {
  it('reports the runtime as usable and at least one device', () => {
    const info = cuda.runtimeInfo();
    expect(info.built).toBe(true);
    expect(info.available).toBe(true);
    expect(info.deviceCount).toBeGreaterThan(0);
    expect(info.error).toBeNull();
    expect(info.driverVersion).toBeGreaterThanOrEqual(13000);
    expect(cuda.reason()).toMatch(/^\d+ CUDA devices?, driver \d+\.\d+, runtime 13\.\d+$/);
  });

  it('reads device properties', () => {
    const d = cuda.Device.get(0);
    expect(d.ordinal).toBe(0);
    expect(d.name.length).toBeGreaterThan(0);
    expect(d.computeCapability[0]).toBeGreaterThanOrEqual(7);
    expect(d.totalMemory).toBeGreaterThan(1 << 30);
    const free = d.freeMemory;
    expect(free).toBeGreaterThan(0);
    expect(free).toBeLessThanOrEqual(d.totalMemory);
    expect(d.multiProcessorCount).toBeGreaterThan(0);
    expect(d.managedMemory).toBe(true);
    expect(d.memoryPools).toBe(true);
    expect(d.pciBusId).toMatch(/^[0-9a-fA-F:.]+$/);
    console.log(`device 0: ${d.name}, sm_${d.computeCapability.join('')}, ${(d.totalMemory / 2 ** 30).toFixed(1)} GiB, ${d.multiProcessorCount} SMs`);
  });

  it('sets and gets the current device; refuses a missing ordinal', () => {
    cuda.setDevice(0);
    expect(cuda.getDevice()).toBe(0);
    expect(cuda.Device.get().ordinal).toBe(0);
    expect(() => cuda.Device.get(cuda.getDeviceCount())).toThrow(RangeError);
    expect(() => cuda.setDevice(-1)).toThrow(RangeError);
  });

  it('reports the engine\'s cuda backend available with the device, and auto picks it', () => {
    const b = trt.getBackends().find((x) => x.name === 'cuda')!;
    expect(b.available).toBe(true);
    expect(trt.resolveBackend('auto').name).toBe('cuda');
  });
});
