import type { NativeCudaModule, NativeDeviceInfo } from '../../typings/native.js';
import { invalidValue } from '../errors.js';
import { assertInteger } from '../validate.js';
import { cudaNative, getDeviceCount } from './runtime.js';

/**
 * A CUDA device and its properties (cudaGetDeviceProperties). Properties are read once;
 * {@link freeMemory} is queried on each access.
 *
 * @example
 * const gpu = cuda.Device.get(0);
 * console.log(gpu.name, gpu.computeCapability, gpu.totalMemory);
 */
export class Device {
  readonly ordinal: number;
  readonly name: string;
  /** [major, minor], e.g. [9, 0] for H100 and H200. */
  readonly computeCapability: readonly [number, number];
  /** Bytes of device memory. */
  readonly totalMemory: number;
  readonly multiProcessorCount: number;
  /** Whether cudaMallocManaged works on this device. */
  readonly managedMemory: boolean;
  /** Whether host and device may touch unified memory at the same time. */
  readonly concurrentManagedAccess: boolean;
  /** Whether stream-ordered memory pools (PoolAllocator) are supported. */
  readonly memoryPools: boolean;
  readonly pciBusId: string;

  private constructor(info: NativeDeviceInfo) {
    this.ordinal = info.ordinal;
    this.name = info.name;
    this.computeCapability = [info.major, info.minor];
    this.totalMemory = info.totalMemory;
    this.multiProcessorCount = info.multiProcessorCount;
    this.managedMemory = info.managedMemory;
    this.concurrentManagedAccess = info.concurrentManagedAccess;
    this.memoryPools = info.memoryPools;
    this.pciBusId = info.pciBusId;
  }

  /**
   * Device `ordinal` (default: the calling thread's current device).
   *
   * @throws TrtError CUDA_UNAVAILABLE without a usable device; RangeError for a missing ordinal
   */
  static get(ordinal?: number): Device {
    const mod = cudaNative('cuda.Device.get');
    const index = ordinal ?? mod.getDevice();
    assertInteger(index, 'ordinal', 0);
    if (index >= getDeviceCount()) throw invalidValue(`a device ordinal below ${getDeviceCount()}`, 'ordinal', index);
    return new Device(mod.deviceInfo(index));
  }

  /** Free device memory in bytes now (cudaMemGetInfo). */
  get freeMemory(): number {
    return cudaNative('cuda.Device.freeMemory').memoryInfo(this.ordinal).free;
  }

  /** Blocks until all work on the current device has finished (cudaDeviceSynchronize). Blocking. */
  static synchronize(): void {
    cudaNative('cuda.Device.synchronize').synchronizeDevice();
  }
}

/**
 * Makes `ordinal` the current device of the JS thread: objects created afterwards without a
 * `device` option live there.
 *
 * @throws TrtError CUDA_UNAVAILABLE; RangeError for a missing ordinal
 */
export function setDevice(ordinal: number): void {
  const mod = cudaNative('cuda.setDevice');
  assertInteger(ordinal, 'ordinal', 0);
  if (ordinal >= getDeviceCount()) throw invalidValue(`a device ordinal below ${getDeviceCount()}`, 'ordinal', ordinal);
  mod.setDevice(ordinal);
}

/** The JS thread's current device. @throws TrtError CUDA_UNAVAILABLE */
export function getDevice(): number {
  return cudaNative('cuda.getDevice').getDevice();
}

/** @internal Resolves a `device` option to an ordinal. */
export function deviceOption(mod: NativeCudaModule, device: number | undefined, name = 'device'): number {
  if (device === undefined) return mod.getDevice();
  assertInteger(device, name, 0);
  if (device >= getDeviceCount()) throw invalidValue(`a device ordinal below ${getDeviceCount()}`, name, device);
  return device;
}
