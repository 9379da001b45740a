/**
 * The CUDA runtime as this process sees it: whether the addon was built with CUDA and a device
 * is usable, and why not. This is separate from the engine's `cuda` backend (see getBackends()):
 * the cuda module can be usable while the built-in engine cannot run on the GPU yet.
 */
import type { NativeCudaModule, NativeCudaRuntimeInfo } from '../../typings/native.js';
import { TrtError } from '../errors.js';
import { native } from '../native.js';

/** What {@link runtimeInfo} reports. */
export interface CudaRuntimeInfo {
  /** Whether this build of the addon has the cuda module. */
  built: boolean;
  /** Whether GPU objects can be created: built, a driver, and at least one device. */
  available: boolean;
  /** CUDA devices; 0 when unavailable. */
  deviceCount: number;
  /**
   * Why the runtime is (un)available: "this build has no CUDA support (...)", "no CUDA driver
   * (cudaGetDeviceCount: cudaErrorInsufficientDriver)", "no CUDA device (...)", or the devices,
   * driver and runtime versions.
   */
  reason: string;
  /** CUDA driver version as an integer (13000 for 13.0), 0 without a driver. */
  driverVersion: number;
  /** CUDA runtime version this build links statically, 0 without CUDA support. */
  runtimeVersion: number;
  /** The error name cudaGetDeviceCount returned, or null. */
  error: string | null;
}

let cached: NativeCudaRuntimeInfo | undefined;

// The driver is probed once per process, as the native side does: a device appearing later
// needs a restart.
function info(): NativeCudaRuntimeInfo {
  return (cached ??= native().cudaRuntimeInfo());
}

/**
 * Whether this build has CUDA and a device is usable, and why (not).
 *
 * @example
 * const { available, reason } = cuda.runtimeInfo();
 * if (!available) console.log(`no GPU: ${reason}`);
 */
export function runtimeInfo(): CudaRuntimeInfo {
  return { ...info() };
}

/** Number of CUDA devices; 0 when there is no CUDA support, driver or device ({@link reason} says which). */
export function getDeviceCount(): number {
  return info().deviceCount;
}

/** True when GPU objects (streams, buffers, allocators) can be created here. */
export function available(): boolean {
  return info().available;
}

/** Why the CUDA runtime is (un)available; see {@link CudaRuntimeInfo.reason}. */
export function reason(): string {
  return info().reason;
}

/**
 * @internal The native cuda module, or a TrtError CUDA_UNAVAILABLE naming `what` and the reason.
 */
export function cudaNative(what: string): NativeCudaModule {
  const i = info();
  const mod = native().cuda;
  if (!i.available || !mod) throw new TrtError(`${what} needs CUDA, which is unavailable: ${i.reason}`, 'CUDA_UNAVAILABLE');
  return mod;
}
