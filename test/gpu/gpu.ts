/** Shared by the GPU suites: why they skip, and small helpers. */
import * as trt from '../../lib/index.js';

export const { cuda } = trt;

/** Empty when a GPU is usable, else why every GPU suite skips. */
export const skipReason = cuda.getDeviceCount() === 0 ? `no usable GPU: ${cuda.reason()}` : '';

/** A describe title that states the skip reason when there is one. */
export function gpuTitle(title: string): string {
  return skipReason ? `${title} (skipped: ${skipReason})` : title;
}

export function iota(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i * scale);
}

/** Elements of a number-typed array as a plain array. */
export function nums(a: trt.TypedArray): number[] {
  return Array.from(a as Float32Array);
}
