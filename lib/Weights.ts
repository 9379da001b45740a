import { DataType, TypedArray, dataTypeSize } from './enums.js';
import { invalidType, invalidValue } from './errors.js';

/** Accepted where TensorRT takes Weights. */
export type WeightsLike = Weights | Float32Array | Int32Array | BigInt64Array | Int8Array | Uint8Array | null | undefined;

/**
 * Typed weight values, as nvinfer1::Weights. The library keeps a reference to `values` (no copy)
 * until the engine is built; keep the array unchanged in size until then.
 *
 * @example
 * const kernel = new Weights(new Float32Array(64 * 3 * 3 * 3));
 * const half = new Weights(DataType.HALF, new Uint16Array(bits));
 */
export class Weights {
  readonly type: DataType;
  readonly values: TypedArray | null;

  constructor(values: Float32Array | Int32Array | BigInt64Array | Int8Array | Uint8Array);
  constructor(type: DataType, values: TypedArray | null);
  constructor(a: DataType | TypedArray, b?: TypedArray | null) {
    if (typeof a === 'number') {
      this.type = a;
      this.values = b ?? null;
      if (this.values !== null && !ArrayBuffer.isView(this.values)) throw invalidType('a TypedArray', 'values', b);
      if (dataTypeSize(a) === 0) throw invalidValue('a DataType the built-in engine stores', 'type', a);
      if (this.values && this.values.byteLength % dataTypeSize(a) !== 0) {
        throw invalidValue(`a byte length that is a multiple of ${dataTypeSize(a)}`, 'values', this.values);
      }
    } else {
      this.values = a;
      this.type = Weights.typeOf(a);
    }
  }

  /** Empty weights (count 0), as `trt.Weights()`. */
  static empty(type: DataType = DataType.FLOAT): Weights {
    return new Weights(type, null);
  }

  /** Number of elements. */
  get count(): number {
    return this.values ? this.values.byteLength / dataTypeSize(this.type) : 0;
  }

  /** The DataType a typed array implies. */
  static typeOf(values: TypedArray): DataType {
    if (values instanceof Float32Array) return DataType.FLOAT;
    if (values instanceof Int32Array) return DataType.INT32;
    if (values instanceof BigInt64Array) return DataType.INT64;
    if (values instanceof Int8Array) return DataType.INT8;
    if (values instanceof Uint8Array) return DataType.UINT8;
    throw invalidType('a Float32Array, Int32Array, BigInt64Array, Int8Array or Uint8Array (or pass the DataType explicitly)', 'values', values);
  }

  /** @internal Normalises WeightsLike. */
  static from(w: WeightsLike, name: string): Weights {
    if (w === null || w === undefined) return Weights.empty();
    if (w instanceof Weights) return w;
    if (ArrayBuffer.isView(w)) return new Weights(w);
    throw invalidType('Weights or a TypedArray', name, w);
  }

  /** @internal The native attribute form. */
  toNative(): { type: number; values: ArrayBufferView } | undefined {
    return this.values && this.values.byteLength > 0 ? { type: this.type, values: this.values } : undefined;
  }
}
