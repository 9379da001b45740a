/**
 * Extras for the layer tests (13.., 14.., 15..): BAD CALL assertions and a raw runner that feeds
 * and returns typed arrays unchanged (exact INT64 values beyond 2^53, non-canonical BOOL bytes),
 * which the Ref-based harness cannot express.
 */
import { expect } from 'vitest';
import * as trt from '../../lib/index.js';
import { buildEngine, quietLogger, runEngineBytes } from './engine.js';
import { toBfloat16Bits, toFloat16Bits } from './onnx.js';

/**
 * Asserts that `fn` throws a TrtError with `code` whose message names the layer: its type in the
 * engine's "(ELEMENTWISE)" form and, when given, its name ("(Unnamed Layer* 3) [ElementWise]" by
 * default).
 */
export function expectLayerError(fn: () => unknown, code: trt.TrtErrorCode, layerType: string, message?: RegExp): trt.TrtError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a TrtError').toBeInstanceOf(trt.TrtError);
  const err = caught as trt.TrtError;
  expect(err.code, err.message).toBe(code);
  expect(err.message).toContain(`(${layerType})`);
  expect(err.message).toMatch(/layer '[^']+'/);
  if (message) expect(err.message).toMatch(message);
  return err;
}

/** Async form of {@link expectLayerError} (e.g. for buildSerializedNetwork). */
export async function expectLayerRejects(p: Promise<unknown>, code: trt.TrtErrorCode, layerType: string, message?: RegExp): Promise<trt.TrtError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(trt.TrtError);
  expect((err as trt.TrtError).code, (err as Error).message).toBe(code);
  expect((err as Error).message).toContain(`(${layerType})`);
  if (message) expect((err as Error).message).toMatch(message);
  return err as trt.TrtError;
}

/** A fresh network on the CPU backend; dispose the builder when done. */
export function newNetwork(): { builder: trt.Builder; net: trt.NetworkDefinition } {
  const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
  return { builder, net: builder.createNetworkV2() };
}

export interface RawTensor {
  dims: number[];
  data: trt.TypedArray;
}

/**
 * Builds `define`, runs it once on raw typed arrays (bytes passed as they are) and returns every
 * output as the engine's typed array.
 */
export async function runRaw(
  define: (net: trt.NetworkDefinition) => void,
  feeds: Record<string, RawTensor>,
): Promise<Record<string, RawTensor>> {
  const engine = await buildEngine(define);
  try {
    return await runEngineRaw(engine, feeds);
  } finally {
    engine.dispose();
  }
}

/**
 * Runs a built engine once on raw typed arrays, as {@link runRaw}, on every backend (memory bound
 * by {@link runEngineBytes}); the caller keeps the engine.
 */
export async function runEngineRaw(engine: trt.CudaEngine, feeds: Record<string, RawTensor>): Promise<Record<string, RawTensor>> {
  const outputs = await runEngineBytes(engine, feeds);
  const result: Record<string, RawTensor> = {};
  for (const [name, o] of Object.entries(outputs)) {
    const Ctor = trt.typedArrayFor(o.dtype);
    const count = o.dims.reduce((a, b) => a * b, 1);
    // INT4 and FP4 come back as their packed bytes.
    const length = trt.isPackedDataType(o.dtype) ? trt.byteSizeOf(o.dtype, count) : count;
    result[name] = { dims: o.dims, data: new Ctor(o.bytes, 0, length) };
  }
  return result;
}

/** Weights holding `values` stored as `dtype` (HALF/BF16 as bit patterns, BOOL as 0/1 bytes). */
export function weightsOf(dtype: trt.DataType, values: ArrayLike<number>): trt.Weights {
  const v = Array.from(values);
  switch (dtype) {
    case trt.DataType.FLOAT:
      return new trt.Weights(Float32Array.from(v));
    case trt.DataType.HALF:
      return new trt.Weights(trt.DataType.HALF, toFloat16Bits(v));
    case trt.DataType.BF16:
      return new trt.Weights(trt.DataType.BF16, toBfloat16Bits(v));
    case trt.DataType.INT32:
      return new trt.Weights(Int32Array.from(v));
    case trt.DataType.INT64:
      return new trt.Weights(BigInt64Array.from(v, (x) => BigInt(x)));
    case trt.DataType.INT8:
      return new trt.Weights(Int8Array.from(v));
    case trt.DataType.UINT8:
      return new trt.Weights(Uint8Array.from(v));
    case trt.DataType.BOOL:
      return new trt.Weights(trt.DataType.BOOL, Uint8Array.from(v, (x) => (x ? 1 : 0)));
    default:
      throw new Error(`weightsOf: ${trt.DataType[dtype]}`);
  }
}

/**
 * Defines a network and, if no layer was refused when added, builds it; returns what was thrown
 * or rejected (undefined if both succeeded). A returned tensor is marked as an output. BAD CALL
 * tests use it because TensorRT reports some errors when a layer is added and others at build.
 */
export async function errorFromDefineOrBuild(define: (net: trt.NetworkDefinition) => trt.ITensor | void): Promise<unknown> {
  const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
  try {
    const net = builder.createNetworkV2();
    try {
      const out = define(net);
      if (out) net.markOutput(out);
    } catch (err) {
      return err;
    }
    return await builder.buildSerializedNetwork(net, builder.createBuilderConfig()).then(
      () => undefined,
      (e: unknown) => e,
    );
  } finally {
    builder.dispose();
  }
}
