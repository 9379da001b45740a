/** Float encodings for the narrow- and packed-type layer tests: FLOAT/HALF/BF16 in and out, exact comparison. */
import { expect } from 'vitest';
import * as trt from '../../lib/index.js';
import { DataType } from '../../lib/index.js';
import { fromBfloat16Bits, fromFloat16Bits, toBfloat16Bits, toFloat16Bits } from './onnx.js';

export const floatTypes = [DataType.FLOAT, DataType.HALF, DataType.BF16] as const;

export function encodeFloat(values: number[], dtype: DataType): trt.TypedArray {
  if (dtype === DataType.HALF) return toFloat16Bits(values);
  if (dtype === DataType.BF16) return toBfloat16Bits(values);
  return Float32Array.from(values);
}

export function decodeFloat(data: trt.TypedArray, dtype: DataType): number[] {
  if (dtype === DataType.HALF) return Array.from(fromFloat16Bits(data as Uint16Array));
  if (dtype === DataType.BF16) return Array.from(fromBfloat16Bits(data as Uint16Array));
  return Array.from(data as Float32Array);
}

/** Same value, NaN equal to NaN and -0 distinct from 0. */
export function expectSameValues(got: number[], want: number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  const bad = got.map((g, i) => [i, g, want[i]!] as const).filter(([, g, w]) => !Object.is(g, w));
  expect(bad.slice(0, 5), `${what}: [index, got, want]`).toEqual([]);
}
