/**
 * Tensor memory. A tensor address is always a buffer object, never a raw number: {@link HostBuffer}
 * on the CPU backend; the CUDA module adds device, pinned and unified buffers with the same shape.
 */
import type { NativeBufferHandle, NativeHostBuffer } from '../typings/native.js';
import { Resource } from './Disposable.js';
import { DataType, TypedArray, byteSizeOf, dataTypeSize, isPackedDataType, typedArrayFor } from './enums.js';
import { invalidType, invalidValue } from './errors.js';
import { native } from './native.js';
import { assertInteger } from './validate.js';

/** Where a buffer's memory lives. */
export type MemoryLocation = 'host' | 'device' | 'unified' | 'pinned';

/**
 * Memory that can be bound to a tensor with setTensorAddress() or given to setDeviceMemoryV2():
 * {@link HostBuffer}, and cuda.DeviceBuffer, cuda.HostBuffer (pinned) and cuda.UnifiedBuffer.
 * The CPU backend accepts every location but 'device'.
 */
export interface TensorBuffer {
  readonly byteLength: number;
  readonly location: MemoryLocation;
  readonly disposed: boolean;
  /** @internal */
  readonly nativeHandle: NativeBufferHandle;
}

/** Accepted wherever data is copied into or out of a buffer. */
export type ArrayLikeData = TypedArray | Buffer | ArrayBuffer | DataView;

function bytesOf(data: ArrayLikeData, name: string): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw invalidType('a TypedArray, Buffer, ArrayBuffer or DataView', name, data);
}

/**
 * Host memory owned by the library, 256-byte aligned, usable as tensor memory on the CPU
 * backend. `view(DataType.FLOAT)` gives a typed view without copying; after dispose() every
 * view is detached (length 0), so stale views can never read freed memory.
 *
 * @example
 * using input = new HostBuffer(4 * 3 * 224 * 224);
 * input.view(DataType.FLOAT).set(pixels);
 * context.setTensorAddress('input', input);
 */
export class HostBuffer extends Resource implements TensorBuffer {
  readonly location: MemoryLocation = 'host';
  /** @internal */
  readonly nativeHandle: NativeHostBuffer;
  private readonly size: number;

  /** Allocates `byteLength` zeroed bytes. */
  constructor(byteLength: number) {
    assertInteger(byteLength, 'byteLength', 0, Number.MAX_SAFE_INTEGER);
    const handle = new (native().NativeHostBuffer)(byteLength);
    super('HostBuffer', handle);
    this.nativeHandle = handle;
    this.size = byteLength;
  }

  /** A new buffer holding a copy of `data`. */
  static from(data: ArrayLikeData): HostBuffer {
    const src = bytesOf(data, 'data');
    const buffer = new HostBuffer(src.byteLength);
    new Uint8Array(buffer.arrayBuffer).set(src);
    return buffer;
  }

  /** A buffer sized for `count` elements of `type` (INT4 and FP4: two per byte, rounded up). */
  static forType(type: DataType, count: number): HostBuffer {
    assertInteger(count, 'count', 0);
    if (dataTypeSize(type) === 0 && !isPackedDataType(type)) throw invalidValue('a storable DataType', 'type', type);
    return new HostBuffer(byteSizeOf(type, count));
  }

  get byteLength(): number {
    return this.disposed ? 0 : this.size;
  }

  /** The memory as an ArrayBuffer (no copy). Throws DISPOSED after dispose(). */
  get arrayBuffer(): ArrayBuffer {
    this.check();
    const ab = this.nativeHandle.arrayBuffer();
    if (!ab) throw invalidValue('a live buffer', 'HostBuffer', this);
    return ab;
  }

  /** A typed view of the memory for `type` (HALF and BF16 as Uint16Array bit patterns). */
  view(type: DataType = DataType.FLOAT): TypedArray {
    this.check();
    const Ctor = typedArrayFor(type);
    return new Ctor(this.arrayBuffer, 0, Math.floor(this.size / Ctor.BYTES_PER_ELEMENT));
  }

  /** Copies `data` into the buffer at `byteOffset`. */
  write(data: ArrayLikeData, byteOffset = 0): void {
    this.check();
    const src = bytesOf(data, 'data');
    assertInteger(byteOffset, 'byteOffset', 0);
    if (byteOffset + src.byteLength > this.size) {
      throw invalidValue(`at most ${this.size - byteOffset} bytes`, 'data', data);
    }
    new Uint8Array(this.arrayBuffer, byteOffset, src.byteLength).set(src);
  }

  /** Copies `byteLength` bytes from `byteOffset` into a new array of `type`. */
  read(type: DataType = DataType.FLOAT, byteOffset = 0, byteLength = this.size - byteOffset): TypedArray {
    this.check();
    const Ctor = typedArrayFor(type);
    const copy = this.arrayBuffer.slice(byteOffset, byteOffset + byteLength);
    return new Ctor(copy);
  }

  protected release(): void {
    this.nativeHandle.dispose();
  }
}

/** @internal */
export function isTensorBuffer(value: unknown): value is TensorBuffer {
  return typeof value === 'object' && value !== null && 'nativeHandle' in value && 'location' in value;
}
