/**
 * GPU-side memory: {@link DeviceBuffer} (cudaMalloc), {@link HostBuffer} (pinned, cudaHostAlloc)
 * and {@link UnifiedBuffer} (cudaMallocManaged), and copies between any of them and JS memory.
 * All implement TensorBuffer; the CPU backend binds pinned and unified memory, not device memory.
 */
import type { NativeBufferHandle, NativeCudaModule, NativeDeviceBuffer, NativePinnedBuffer, NativeUnifiedBuffer } from '../../typings/native.js';
import type { ArrayLikeData, MemoryLocation, TensorBuffer } from '../buffers.js';
import { isTensorBuffer } from '../buffers.js';
import { Resource } from '../Disposable.js';
import { DataType, TypedArray, dataTypeSize, typedArrayFor } from '../enums.js';
import { TrtError, invalidType, invalidValue, withCallerStack } from '../errors.js';
import { assertBoolean, assertInteger } from '../validate.js';
import { deviceOption } from './Device.js';
import { cudaNative } from './runtime.js';
import { Stream } from './Stream.js';

/** Anything a copy reads from or writes to: JS memory or any TensorBuffer. */
export type CopyEndpoint = ArrayLikeData | TensorBuffer;

/** Byte ranges of a copy; byteLength defaults to the rest of the source. */
export interface CopyOptions {
  srcOffset?: number;
  dstOffset?: number;
  byteLength?: number;
}

type RawEndpoint = NativeBufferHandle | ArrayBufferView | ArrayBuffer;

function endpoint(value: unknown, name: string): { raw: RawEndpoint; size: number } {
  if (value instanceof ArrayBuffer) return { raw: value, size: value.byteLength };
  if (ArrayBuffer.isView(value)) return { raw: value, size: value.byteLength };
  if (isTensorBuffer(value)) {
    if (value.disposed) throw new TrtError(`the ${name} buffer has been disposed`, 'DISPOSED');
    return { raw: value.nativeHandle, size: value.byteLength };
  }
  throw invalidType('a TensorBuffer, TypedArray, Buffer, ArrayBuffer or DataView', name, value);
}

function copyPlan(dst: unknown, src: unknown, options: CopyOptions) {
  if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
  const d = endpoint(dst, 'destination');
  const s = endpoint(src, 'source');
  const srcOffset = options.srcOffset ?? 0;
  const dstOffset = options.dstOffset ?? 0;
  assertInteger(srcOffset, 'options.srcOffset', 0, s.size);
  assertInteger(dstOffset, 'options.dstOffset', 0, d.size);
  const byteLength = options.byteLength ?? s.size - srcOffset;
  assertInteger(byteLength, 'options.byteLength', 0, s.size - srcOffset);
  if (dstOffset + byteLength > d.size) {
    throw invalidValue(`a copy of at most ${d.size - dstOffset} bytes (the destination's room)`, 'byteLength', byteLength);
  }
  return { d: d.raw, s: s.raw, srcOffset, dstOffset, byteLength };
}

function checkStream(stream: unknown): Stream {
  if (!(stream instanceof Stream)) throw invalidType('a cuda.Stream', 'stream', stream);
  if (stream.disposed) throw new TrtError('the stream has been disposed', 'DISPOSED');
  return stream;
}

/**
 * Copies bytes between any two endpoints (cudaMemcpy with cudaMemcpyDefault), returning once
 * done. It orders with the legacy default stream only; use {@link memcpyAsync} on your streams.
 *
 * @throws TrtError CUDA_UNAVAILABLE, DISPOSED, CUDA_ERROR; RangeError for ranges out of bounds
 * @example
 * cuda.memcpy(deviceBuffer, new Float32Array([1, 2, 3]));
 */
export function memcpy(dst: CopyEndpoint, src: CopyEndpoint, options: CopyOptions = {}): void {
  const mod = cudaNative('cuda.memcpy');
  const p = copyPlan(dst, src, options);
  mod.memcpy(p.d, p.dstOffset, p.s, p.srcOffset, p.byteLength, null);
}

/**
 * Queues a copy on `stream` now and resolves when it has run. The endpoints are kept alive until
 * then; disposing a buffer meanwhile delays freeing it. Copies into ordinary JS memory go
 * through pinned staging memory so the event loop never waits; use a pinned {@link HostBuffer}
 * for the fastest transfers.
 *
 * @throws TrtError (rejects) CUDA_UNAVAILABLE, DISPOSED, CUDA_ERROR
 * @example
 * await cuda.memcpyAsync(deviceBuffer, pinned, stream);
 */
export function memcpyAsync(dst: CopyEndpoint, src: CopyEndpoint, stream: Stream, options: CopyOptions = {}): Promise<void> {
  return withCallerStack(() => {
    const mod = cudaNative('cuda.memcpyAsync');
    const s = checkStream(stream);
    const p = copyPlan(dst, src, options);
    return mod.memcpy(p.d, p.dstOffset, p.s, p.srcOffset, p.byteLength, s.nativeHandle);
  });
}

/** Element type and byte range of a fill. */
export interface FillOptions {
  /** How `value` is stored (FLOAT by default; HALF and BF16 take bit patterns, INT64 a bigint). */
  type?: DataType;
  byteOffset?: number;
  /** Default: the rest of the buffer. A multiple of the type's size. */
  byteLength?: number;
}

function fillPattern(value: number | bigint, type: DataType): { lo: number; hi: number; width: number } {
  const size = dataTypeSize(type);
  if (![1, 2, 4, 8].includes(size)) throw invalidValue('a DataType of 1, 2, 4 or 8 bytes', 'options.type', type);
  const Ctor = typedArrayFor(type);
  const cell = new Ctor(new ArrayBuffer(8), 0, 1);
  if (typeof cell[0] === 'bigint') {
    if (typeof value !== 'bigint') throw invalidType('a bigint', 'value', value);
    (cell as BigInt64Array)[0] = value;
  } else {
    if (typeof value !== 'number') throw invalidType('a number', 'value', value);
    (cell as Float32Array)[0] = value;
  }
  const view = new DataView(cell.buffer);
  return { lo: view.getUint32(0, true), hi: view.getUint32(4, true), width: size };
}

function fillPlan(buffer: CudaBuffer, value: number | bigint, options: FillOptions) {
  if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
  const { lo, hi, width } = fillPattern(value, options.type ?? DataType.FLOAT);
  const byteOffset = options.byteOffset ?? 0;
  assertInteger(byteOffset, 'options.byteOffset', 0, buffer.byteLength);
  const byteLength = options.byteLength ?? buffer.byteLength - byteOffset;
  assertInteger(byteLength, 'options.byteLength', 0, buffer.byteLength - byteOffset);
  if (byteOffset % width || byteLength % width) {
    throw invalidValue(`a byte range aligned to the ${width}-byte element`, 'options', `${byteOffset}+${byteLength}`);
  }
  return { lo, hi, width, byteOffset, byteLength };
}

/** @internal Marks a native handle an allocator made, for the buffer constructors. */
const adopted = Symbol('adopted');
type Adopted<T> = { [adopted]: T };
function isAdopted<T>(value: unknown): value is Adopted<T> {
  return typeof value === 'object' && value !== null && adopted in value;
}

/** What every CUDA buffer offers: size, location, copies and fills. */
export abstract class CudaBuffer extends Resource implements TensorBuffer {
  abstract readonly location: MemoryLocation;
  /** @internal */
  readonly nativeHandle: NativeDeviceBuffer | NativePinnedBuffer | NativeUnifiedBuffer;
  /** The device ordinal the memory belongs to. */
  readonly device: number;
  private readonly size: number;

  protected constructor(label: string, handle: NativeDeviceBuffer | NativePinnedBuffer | NativeUnifiedBuffer) {
    super(label, handle);
    this.nativeHandle = handle;
    this.size = handle.byteLength();
    this.device = handle.device();
  }

  /** Bytes; 0 after dispose(). */
  get byteLength(): number {
    return this.disposed ? 0 : this.size;
  }

  /** Copies `src` in, returning once done. See {@link memcpy}. */
  copyFrom(src: CopyEndpoint, options: CopyOptions = {}): void {
    this.check();
    memcpy(this, src, options);
  }

  /** Copies out to `dst`, returning once done. */
  copyTo(dst: CopyEndpoint, options: CopyOptions = {}): void {
    this.check();
    memcpy(dst, this, options);
  }

  /** Queues a copy of `src` into this buffer on `stream`. See {@link memcpyAsync}. */
  copyFromAsync(src: CopyEndpoint, stream: Stream, options: CopyOptions = {}): Promise<void> {
    return withCallerStack(() => {
      this.check();
      return memcpyAsync(this, src, stream, options);
    });
  }

  /** Queues a copy of this buffer into `dst` on `stream`. */
  copyToAsync(dst: CopyEndpoint, stream: Stream, options: CopyOptions = {}): Promise<void> {
    return withCallerStack(() => {
      this.check();
      return memcpyAsync(dst, this, stream, options);
    });
  }

  /** Copies `data` in at `byteOffset`, returning once done. */
  write(data: ArrayLikeData, byteOffset = 0): void {
    this.check();
    memcpy(this, data, { dstOffset: byteOffset });
  }

  /** Copies `byteLength` bytes from `byteOffset` into a new array of `type` (returns once done). */
  read(type: DataType = DataType.FLOAT, byteOffset = 0, byteLength = this.byteLength - byteOffset): TypedArray {
    this.check();
    const Ctor = typedArrayFor(type);
    assertInteger(byteLength, 'byteLength', 0);
    if (byteLength % Ctor.BYTES_PER_ELEMENT) throw invalidValue(`a multiple of ${Ctor.BYTES_PER_ELEMENT} bytes`, 'byteLength', byteLength);
    const out = new ArrayBuffer(byteLength);
    memcpy(out, this, { srcOffset: byteOffset, byteLength });
    return new Ctor(out);
  }

  /**
   * Sets every element in the range to `value` on the GPU, returning once done.
   *
   * @example
   * buffer.fill(1.5); // FLOAT
   * buffer.fill(0x3c00, { type: DataType.HALF }); // 1.0 in half precision
   */
  fill(value: number | bigint, options: FillOptions = {}): void {
    this.check();
    const mod = cudaNative('fill');
    const f = fillPlan(this, value, options);
    mod.fill(this.nativeHandle, f.byteOffset, f.byteLength, f.lo, f.hi, f.width, null);
  }

  /** {@link fill} queued on `stream`; resolves when it has run. */
  fillAsync(value: number | bigint, stream: Stream, options: FillOptions = {}): Promise<void> {
    return withCallerStack(() => {
      this.check();
      const mod = cudaNative('fillAsync');
      const s = checkStream(stream);
      const f = fillPlan(this, value, options);
      return mod.fill(this.nativeHandle, f.byteOffset, f.byteLength, f.lo, f.hi, f.width, s.nativeHandle);
    });
  }

  protected release(): void {
    // Work in flight holds the memory until it has run; it is freed then.
    this.nativeHandle.dispose();
  }
}

/** Memory the host can also read and write: pinned and unified buffers. */
abstract class HostVisibleBuffer extends CudaBuffer {
  /** The memory as an ArrayBuffer (no copy); detached (length 0) after dispose(). Throws DISPOSED after dispose(). */
  get arrayBuffer(): ArrayBuffer {
    this.check();
    const ab = this.nativeHandle.arrayBuffer();
    if (!ab) throw new TrtError('the buffer has been disposed', 'DISPOSED');
    return ab;
  }

  /** A typed view of the memory without copying (HALF and BF16 as Uint16Array bit patterns). */
  view(type: DataType = DataType.FLOAT): TypedArray {
    const Ctor = typedArrayFor(type);
    return new Ctor(this.arrayBuffer, 0, Math.floor(this.byteLength / Ctor.BYTES_PER_ELEMENT));
  }
}

/** Options of {@link DeviceBuffer}. */
export interface DeviceBufferOptions {
  /** Device ordinal; default the current device. */
  device?: number;
}

/**
 * Device memory from cudaMalloc (256-byte aligned), or from an allocator. The host cannot touch
 * it: move data with the copy methods. The CPU backend refuses it with INVALID_ARGUMENT.
 *
 * @example
 * using input = new cuda.DeviceBuffer(4 * 1024);
 * await input.copyFromAsync(new Float32Array(1024).fill(1), stream);
 */
export class DeviceBuffer extends CudaBuffer {
  readonly location: MemoryLocation = 'device';

  /** @throws TrtError CUDA_UNAVAILABLE, OUT_OF_MEMORY */
  constructor(byteLength: number, options: DeviceBufferOptions = {}) {
    let handle: NativeDeviceBuffer;
    if (isAdopted<NativeDeviceBuffer>(byteLength)) {
      handle = byteLength[adopted];
    } else {
      const mod = cudaNative('cuda.DeviceBuffer');
      assertInteger(byteLength, 'byteLength', 0, Number.MAX_SAFE_INTEGER);
      handle = new mod.NativeDeviceBuffer(byteLength, deviceOption(mod, options.device, 'options.device'));
    }
    super('cuda.DeviceBuffer', handle);
  }

  /** A device buffer holding a copy of `data` (JS memory or any buffer). */
  static from(data: CopyEndpoint, options: DeviceBufferOptions = {}): DeviceBuffer {
    const { size } = endpoint(data, 'data');
    const buffer = new DeviceBuffer(size, options);
    try {
      memcpy(buffer, data);
    } catch (err) {
      buffer.dispose();
      throw err;
    }
    return buffer;
  }

  /** @internal */
  static _adopt(handle: NativeDeviceBuffer): DeviceBuffer {
    return new DeviceBuffer({ [adopted]: handle } as unknown as number);
  }
}

/** Options of the pinned {@link HostBuffer}. */
export interface HostBufferOptions {
  device?: number;
  /** cudaHostAllocPortable: pinned for every CUDA context, not only the current device's. */
  portable?: boolean;
  /** cudaHostAllocMapped: also mapped into the device address space. */
  mapped?: boolean;
  /** cudaHostAllocWriteCombined: faster host-to-device transfers, very slow host reads. */
  writeCombined?: boolean;
}

/**
 * Pinned (page-locked) host memory from cudaHostAlloc: `view()` gives a TypedArray over it
 * without copying, and copies to and from the GPU run asynchronously at full speed. After
 * dispose() every view is detached (length 0). The CPU backend can bind it.
 *
 * @example
 * using staging = new cuda.HostBuffer(4 * 1024);
 * staging.view(DataType.FLOAT).fill(1);
 * await device.copyFromAsync(staging, stream);
 */
export class HostBuffer extends HostVisibleBuffer {
  readonly location: MemoryLocation = 'pinned';

  /** @throws TrtError CUDA_UNAVAILABLE, OUT_OF_MEMORY */
  constructor(byteLength: number, options: HostBufferOptions = {}) {
    const mod = cudaNative('cuda.HostBuffer');
    assertInteger(byteLength, 'byteLength', 0, Number.MAX_SAFE_INTEGER);
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    let flags = 0;
    for (const [key, bit] of [['portable', 1], ['mapped', 2], ['writeCombined', 4]] as const) {
      const v = options[key] ?? false;
      assertBoolean(v, `options.${key}`);
      if (v) flags |= bit;
    }
    super('cuda.HostBuffer', new mod.NativePinnedBuffer(byteLength, deviceOption(mod, options.device, 'options.device'), flags));
  }

  /** A pinned buffer holding a copy of `data`. */
  static from(data: ArrayLikeData, options: HostBufferOptions = {}): HostBuffer {
    const { size } = endpoint(data, 'data');
    const buffer = new HostBuffer(size, options);
    const src = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    new Uint8Array(buffer.arrayBuffer).set(src);
    return buffer;
  }
}

/** cudaMemoryAdvise values for {@link UnifiedBuffer.advise}. */
export enum MemAdvise {
  SET_READ_MOSTLY = 1,
  UNSET_READ_MOSTLY = 2,
  SET_PREFERRED_LOCATION = 3,
  UNSET_PREFERRED_LOCATION = 4,
  SET_ACCESSED_BY = 5,
  UNSET_ACCESSED_BY = 6,
}

/** Options of {@link UnifiedBuffer}. */
export interface UnifiedBufferOptions {
  device?: number;
  /** cudaMemAttachHost instead of cudaMemAttachGlobal: only the host may touch it until attached. */
  attachHost?: boolean;
}

/** Range and device of a prefetch or advice. */
export interface UnifiedRangeOptions {
  /** The device for 'device' locations; default the buffer's. */
  device?: number;
  byteOffset?: number;
  byteLength?: number;
}

/**
 * Unified (managed) memory from cudaMallocManaged: the same bytes are readable and writable from
 * JS through `view()` and from the GPU; pages migrate on demand, or ahead of time with
 * {@link prefetch}. Touch it from JS only while no GPU work using it is in flight (unless the
 * device reports concurrentManagedAccess). The CPU backend can bind it.
 *
 * @example
 * using weights = new cuda.UnifiedBuffer(4 * 1024);
 * weights.view().fill(0.5);
 * await weights.prefetch('device', stream);
 */
export class UnifiedBuffer extends HostVisibleBuffer {
  readonly location: MemoryLocation = 'unified';
  /** @internal */
  declare readonly nativeHandle: NativeUnifiedBuffer;

  /** @throws TrtError CUDA_UNAVAILABLE, OUT_OF_MEMORY */
  constructor(byteLength: number, options: UnifiedBufferOptions = {}) {
    let handle: NativeUnifiedBuffer;
    if (isAdopted<NativeUnifiedBuffer>(byteLength)) {
      handle = byteLength[adopted];
    } else {
      const mod = cudaNative('cuda.UnifiedBuffer');
      assertInteger(byteLength, 'byteLength', 0, Number.MAX_SAFE_INTEGER);
      if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
      const attachHost = options.attachHost ?? false;
      assertBoolean(attachHost, 'options.attachHost');
      handle = new mod.NativeUnifiedBuffer(byteLength, deviceOption(mod, options.device, 'options.device'), attachHost ? 2 : 1);
    }
    super('cuda.UnifiedBuffer', handle);
  }

  private range(mod: NativeCudaModule, options: UnifiedRangeOptions) {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const device = options.device === undefined ? this.device : deviceOption(mod, options.device, 'options.device');
    const byteOffset = options.byteOffset ?? 0;
    assertInteger(byteOffset, 'options.byteOffset', 0, this.byteLength);
    const byteLength = options.byteLength ?? this.byteLength - byteOffset;
    assertInteger(byteLength, 'options.byteLength', 0, this.byteLength - byteOffset);
    return { device, byteOffset, byteLength };
  }

  /**
   * Migrates the pages to the device or the host in `stream`'s order (cudaMemPrefetchAsync) and
   * resolves when they have moved.
   */
  prefetch(location: 'device' | 'host', stream: Stream, options: UnifiedRangeOptions = {}): Promise<void> {
    return withCallerStack(() => {
      this.check();
      const mod = cudaNative('prefetch');
      if (location !== 'device' && location !== 'host') throw invalidValue("'device' or 'host'", 'location', location);
      const s = checkStream(stream);
      const r = this.range(mod, options);
      return this.nativeHandle.prefetch(location, r.device, r.byteOffset, r.byteLength, s.nativeHandle);
    });
  }

  /**
   * Tells the driver how the range is used (cudaMemAdvise): read mostly, preferred location, or
   * accessed by a device (or the host).
   */
  advise(advice: MemAdvise, location: 'device' | 'host', options: UnifiedRangeOptions = {}): void {
    this.check();
    const mod = cudaNative('advise');
    if (!Number.isInteger(advice) || advice < 1 || advice > 6) throw invalidValue('a cuda.MemAdvise value', 'advice', advice);
    if (location !== 'device' && location !== 'host') throw invalidValue("'device' or 'host'", 'location', location);
    const r = this.range(mod, options);
    this.nativeHandle.advise(advice, location, r.device, r.byteOffset, r.byteLength);
  }

  /** @internal */
  static _adopt(handle: NativeUnifiedBuffer): UnifiedBuffer {
    return new UnifiedBuffer({ [adopted]: handle } as unknown as number);
  }
}
