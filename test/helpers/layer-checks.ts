/**
 * Extras for the layer tests (13.., 14.., 15..): BAD CALL assertions and a raw runner that feeds
 * and returns typed arrays unchanged (exact INT64 values beyond 2^53, non-canonical BOOL bytes),
 * which the Ref-based harness cannot express.
 */
import { expect } from 'vitest';
import * as trt from '../../lib/index.js';
import { buildEngine, quietLogger } from './engine.js';

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
  const context = engine.createExecutionContext();
  const buffers: trt.HostBuffer[] = [];
  try {
    for (const [name, feed] of Object.entries(feeds)) {
      context.setInputShape(name, feed.dims);
      const buf = trt.HostBuffer.from(feed.data);
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    }
    const outs: Array<{ name: string; buf: trt.HostBuffer; dims: number[]; dtype: trt.DataType }> = [];
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) !== trt.TensorIOMode.OUTPUT) continue;
      const dims = context.getTensorShape(name);
      const dtype = engine.getTensorDataType(name);
      const buf = new trt.HostBuffer(Math.max(dims.reduce((a, b) => a * b, 1) * trt.dataTypeSize(dtype), 1));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
      outs.push({ name, buf, dims, dtype });
    }
    await context.enqueueV3();
    const result: Record<string, RawTensor> = {};
    for (const o of outs) {
      const Ctor = trt.typedArrayFor(o.dtype);
      result[o.name] = { dims: o.dims, data: new Ctor(o.buf.arrayBuffer.slice(0), 0, o.dims.reduce((a, b) => a * b, 1)) };
    }
    return result;
  } finally {
    for (const b of buffers) b.dispose();
    context.dispose();
    engine.dispose();
  }
}
