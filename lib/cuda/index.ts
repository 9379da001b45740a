/**
 * The `cuda` namespace: devices, streams, events, device / pinned / unified buffers, copies and
 * GPU allocators over the CUDA runtime. Present in every build; without CUDA support, a driver
 * or a device, {@link getDeviceCount} is 0, {@link reason} says why, and constructing GPU objects
 * throws TrtError CUDA_UNAVAILABLE. See docs/cuda.md.
 *
 * @example
 * import { cuda } from 'tensorrt-node';
 * if (cuda.available()) {
 *   using stream = new cuda.Stream();
 *   using gpu = cuda.DeviceBuffer.from(new Float32Array([1, 2, 3]));
 *   console.log(gpu.read());
 * }
 */
export { available, getDeviceCount, reason, runtimeInfo } from './runtime.js';
export type { CudaRuntimeInfo } from './runtime.js';
export { Device, getDevice, setDevice } from './Device.js';
export { Stream } from './Stream.js';
export type { StreamOptions } from './Stream.js';
export { Event } from './Event.js';
export type { EventOptions } from './Event.js';
export { CudaBuffer, DeviceBuffer, HostBuffer, MemAdvise, UnifiedBuffer, memcpy, memcpyAsync } from './buffers.js';
export type {
  CopyEndpoint,
  CopyOptions,
  DeviceBufferOptions,
  FillOptions,
  HostBufferOptions,
  UnifiedBufferOptions,
  UnifiedRangeOptions,
} from './buffers.js';
export {
  AllocatorFlag,
  DefaultAllocator,
  GpuAllocator,
  PoolAllocator,
  TrackingAllocator,
  UnifiedAllocator,
  allocate,
} from './allocators.js';
export type {
  AllocateOptions,
  AllocatorOptions,
  IGpuAllocator,
  IGpuAsyncAllocator,
  PoolAllocatorOptions,
  TrackingStats,
} from './allocators.js';
