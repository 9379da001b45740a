import { DataType, TypedArray, dataTypeSize, isPackedDataType } from './enums.js';
import { invalidType, invalidValue } from './errors.js';

/** Accepted where TensorRT takes Weights. */
export type WeightsLike = Weights | Float32Array | Int32Array | BigInt64Array | Int8Array | Uint8Array | null | undefined;

/**
 * Typed weight values, as nvinfer1::Weights. The library keeps a reference to `values` (no copy)
 * until the engine is built; keep the array unchanged in size until then. INT4 and FP4 values are
 * packed two per byte (element 0 in the low nibble); pass `count` when it is odd.
 *
 * @example
 * const kernel = new Weights(new Float32Array(64 * 3 * 3 * 3));
 * const half = new Weights(DataType.HALF, new Uint16Array(bits));
 * const int4 = new Weights(DataType.INT4, new Uint8Array([0x21, 0x03]), 3); // 1, 2, 3
 */
export class Weights {
  readonly type: DataType;
  readonly values: TypedArray | null;
  private readonly packedCount: number | undefined;

  constructor(values: Float32Array | Int32Array | BigInt64Array | Int8Array | Uint8Array);
  constructor(type: DataType, values: TypedArray | null, count?: number);
  constructor(a: DataType | TypedArray, b?: TypedArray | null, count?: number) {
    if (typeof a === 'number') {
      this.type = a;
      this.values = b ?? null;
      if (this.values !== null && !ArrayBuffer.isView(this.values)) throw invalidType('a TypedArray', 'values', b);
      if (isPackedDataType(a)) {
        const most = this.values ? this.values.byteLength * 2 : 0;
        if (count !== undefined && (!Number.isInteger(count) || count > most || count < most - 1)) {
          throw invalidValue(`${Math.max(most - 1, 0)} or ${most} (the values ${this.values?.byteLength ?? 0} packed bytes hold)`, 'count', count);
        }
        this.packedCount = count ?? most;
      } else {
        if (dataTypeSize(a) === 0) throw invalidValue('a DataType the built-in engine stores', 'type', a);
        if (this.values && this.values.byteLength % dataTypeSize(a) !== 0) {
          throw invalidValue(`a byte length that is a multiple of ${dataTypeSize(a)}`, 'values', this.values);
        }
        if (count !== undefined && count !== this.values!.byteLength / dataTypeSize(a)) {
          throw invalidValue(`${this.values!.byteLength / dataTypeSize(a)} (the number of values)`, 'count', count);
        }
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
    if (this.packedCount !== undefined) return this.packedCount;
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
  toNative(): { type: number; values: ArrayBufferView; count: number } | undefined {
    return this.values && this.values.byteLength > 0 ? { type: this.type, values: this.values, count: this.count } : undefined;
  }
}
