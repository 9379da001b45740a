/**
 * Shared by the GPU kernel suites: build a network for the cpu and cuda backends, run both on the
 * same inputs and compare. Tolerances, as |cuda - cpu| <= atol + rtol * |cpu| per element:
 * - FP32 elementwise, data movement, reductions: rtol 1e-5, atol 1e-5 (transcendental functions
 *   1e-5 relative: CUDA's libdevice and glibc differ by a few ulps);
 * - FP32 GEMM and convolution: 1e-4 (cuBLASLt in CUBLAS_COMPUTE_32F and cuDNN in FMA math, no
 *   TF32; only the summation order differs);
 * - FP16 and BF16: 1e-2 (storage rounding of results and of intermediates).
 */
import { expect } from 'vitest';
import * as trt from '../../lib/index.js';
import { buildEngine, decode, encode, runEngine } from '../helpers/engine.js';
import type { BuildOptions } from '../helpers/engine.js';
import type { Ref } from '../reference/ndarray.js';
import { cuda } from './gpu.js';

const { DataType } = trt;
export type Define = (net: trt.NetworkDefinition) => void;
export type Tolerance = { rtol: number; atol: number };

export const FP32 = { rtol: 1e-5, atol: 1e-5 };
export const GEMM32 = { rtol: 1e-4, atol: 1e-4 };
export const HALF = { rtol: 1e-2, atol: 1e-2 };

export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function randomRef(dims: number[], seed: number, lo = -1, hi = 1): Ref {
  const next = random(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return { dims, data: Float64Array.from({ length: n }, () => lo + (hi - lo) * next()) };
}

export function randomWeights(n: number, seed: number, scale = 0.5): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale);
}

export function storageFor(dtype: trt.DataType, n: number): trt.TypedArray {
  switch (dtype) {
    case DataType.HALF:
    case DataType.BF16:
      return new Uint16Array(n);
    case DataType.INT32:
      return new Int32Array(n);
    case DataType.INT64:
      return new BigInt64Array(n);
    case DataType.INT8:
      return new Int8Array(n);
    case DataType.BOOL:
    case DataType.UINT8:
      return new Uint8Array(n);
    default:
      return new Float32Array(n);
  }
}

export interface CudaRun {
  context?: trt.ExecutionContext;
  stream?: trt.cuda.Stream;
  keep?: boolean; // leave the context undisposed
}

/** Runs a cuda engine with inputs and outputs in DeviceBuffers; returns the outputs. */
export async function runCuda(engine: trt.CudaEngine, feeds: Record<string, Ref>, opts: CudaRun = {}): Promise<Record<string, Ref>> {
  const context = opts.context ?? engine.createExecutionContext();
  const buffers: trt.cuda.DeviceBuffer[] = [];
  try {
    for (const [name, ref] of Object.entries(feeds)) {
      context.setInputShape(name, ref.dims);
      const buf = cuda.DeviceBuffer.from(encode(ref, engine.getTensorDataType(name)));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    }
    const outputs: Array<{ name: string; buf: trt.cuda.DeviceBuffer; dims: number[]; dtype: trt.DataType }> = [];
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) !== trt.TensorIOMode.OUTPUT) continue;
      const dims = context.getTensorShape(name);
      const dtype = engine.getTensorDataType(name);
      const buf = new cuda.DeviceBuffer(Math.max(trt.byteSizeOf(dtype, dims.reduce((a, b) => a * b, 1)), 1));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
      outputs.push({ name, buf, dims, dtype });
    }
    await context.enqueueV3(opts.stream);
    const result: Record<string, Ref> = {};
    for (const o of outputs) {
      const host = storageFor(o.dtype, o.dims.reduce((a, b) => a * b, 1));
      if (host.byteLength > 0) o.buf.copyTo(host);
      result[o.name] = decode(host, o.dims, o.dtype);
    }
    return result;
  } finally {
    if (!opts.keep && !opts.context) context.dispose();
    for (const b of buffers) b.dispose();
  }
}

export function expectClose(got: Ref, want: Ref, tol: { rtol: number; atol: number }, what: string): void {
  expect(got.dims, `${what}: dims`).toEqual(want.dims);
  for (let i = 0; i < want.data.length; i += 1) {
    const g = got.data[i]!;
    const w = want.data[i]!;
    if (g === w || (Number.isNaN(w) && Number.isNaN(g))) continue;
    if (!(Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w))) {
      expect.fail(`${what}: element ${i} is ${g} on cuda but ${w} on cpu (tolerance ${tol.atol} + ${tol.rtol}·|cpu|)`);
    }
  }
}

/** Builds `define` for both backends, runs both on `feeds` and compares every output. */
export async function compare(what: string, define: Define, feeds: Record<string, Ref>, tol: { rtol: number; atol: number }, build: BuildOptions = {}): Promise<void> {
  const cpu = await buildEngine(define, { ...build, backend: 'cpu' });
  const gpu = await buildEngine(define, { ...build, backend: 'cuda' });
  try {
    expect(gpu.backend).toBe('cuda');
    const want = await runEngine(cpu, Object.fromEntries(Object.entries(feeds).map(([k, ref]) => [k, { ref }])));
    const got = await runCuda(gpu, feeds);
    for (const name of Object.keys(want)) expectClose(got[name]!, want[name]!, tol, `${what} '${name}'`);
  } finally {
    cpu.dispose();
    gpu.dispose();
  }
}

export const floatTypes: Array<[string, trt.DataType, { rtol: number; atol: number }]> = [
  ['FP32', DataType.FLOAT, FP32],
  ['FP16', DataType.HALF, HALF],
  ['BF16', DataType.BF16, { rtol: 2e-2, atol: 2e-2 }],
];

