/**
 * GPU allocators with TensorRT's IGpuAllocator / IGpuAsyncAllocator contract. The built-in ones
 * are C++ objects: thread-safe, so engines may call them from build and stream threads. An
 * allocator written in JS may be used only where the library calls it on the JS thread
 * ({@link allocate}); see docs/cuda.md for which calls run where.
 */
import type { NativeGpuAllocator, NativePoolUsage, NativeTrackingStats, NativeUnifiedBuffer } from '../../typings/native.js';
import type { TensorBuffer } from '../buffers.js';
import { isTensorBuffer } from '../buffers.js';
import { Resource } from '../Disposable.js';
import { TrtError, invalidType, invalidValue } from '../errors.js';
import { assertInteger, assertString } from '../validate.js';
import { CudaBuffer, DeviceBuffer, UnifiedBuffer } from './buffers.js';
import { deviceOption } from './Device.js';
import { cudaNative } from './runtime.js';
import { Stream } from './Stream.js';

/** AllocatorFlag bits (TensorRT's AllocatorFlags is a bit mask of 1 << flag). */
export enum AllocatorFlag {
  /** The allocation may later be resized with reallocate(). */
  RESIZABLE = 0,
}

/**
 * TensorRT's IGpuAllocator: returns null when it refuses (never throws for lack of memory).
 * `alignment` is 0 or a power of two of at most 256; `flags` a mask of {@link AllocatorFlag} bits.
 */
export interface IGpuAllocator {
  allocate(size: number, alignment: number, flags: number): TensorBuffer | null;
  /** Optional: memory of `newSize` bytes with the old contents, or null leaving `memory` intact. */
  reallocate?(memory: TensorBuffer, alignment: number, newSize: number): TensorBuffer | null;
  /** False when `memory` is not this allocator's. */
  deallocate(memory: TensorBuffer): boolean;
}

/** TensorRT's IGpuAsyncAllocator: the stream-ordered variants (TensorRT's preferred base). */
export interface IGpuAsyncAllocator extends IGpuAllocator {
  allocateAsync(size: number, alignment: number, flags: number, stream: Stream): TensorBuffer | null;
  deallocateAsync(memory: TensorBuffer, stream: Stream): boolean;
}

function checkRequest(size: unknown, alignment: unknown, flags: unknown): void {
  assertInteger(size, 'size', 0, Number.MAX_SAFE_INTEGER);
  assertInteger(alignment, 'alignment', 0, 256);
  if (alignment !== 0 && (alignment & (alignment - 1)) !== 0) throw invalidValue('0 or a power of two up to 256', 'alignment', alignment);
  assertInteger(flags, 'flags', 0, 0xffffffff);
}

function checkStream(stream: unknown): Stream {
  if (!(stream instanceof Stream)) throw invalidType('a cuda.Stream', 'stream', stream);
  if (stream.disposed) throw new TrtError('the stream has been disposed', 'DISPOSED');
  return stream;
}

/**
 * The built-in allocators' shared behaviour. Buffers they return are children: disposing the
 * allocator disposes them (returning their memory); disposing a buffer returns it too.
 */
export abstract class GpuAllocator extends Resource implements IGpuAsyncAllocator {
  /** @internal */
  readonly nativeHandle: NativeGpuAllocator;
  readonly device: number;

  protected constructor(label: string, handle: NativeGpuAllocator, device: number) {
    super(label);
    this.nativeHandle = handle;
    this.device = device;
  }

  private wrap(raw: ReturnType<NativeGpuAllocator['allocate']>): CudaBuffer | null {
    if (!raw) return null;
    const buffer = raw.location() === 'unified' ? UnifiedBuffer._adopt(raw as NativeUnifiedBuffer) : DeviceBuffer._adopt(raw);
    return this.adopt(buffer);
  }

  /**
   * cudaMalloc-style allocation. `tag` names the call site for {@link TrackingAllocator}.
   * Returns null when refused ({@link lastRefusal} says why).
   */
  allocate(size: number, alignment = 0, flags = 0, tag?: string): CudaBuffer | null {
    this.check();
    checkRequest(size, alignment, flags);
    if (tag !== undefined) assertString(tag, 'tag');
    return this.wrap(this.nativeHandle.allocate(size, alignment, flags, tag ?? null, null));
  }

  /** Stream-ordered allocation: usable in `stream`'s order, freed in it by default. */
  allocateAsync(size: number, alignment: number, flags: number, stream: Stream, tag?: string): CudaBuffer | null {
    this.check();
    checkRequest(size, alignment, flags);
    const s = checkStream(stream);
    if (tag !== undefined) assertString(tag, 'tag');
    return this.wrap(this.nativeHandle.allocate(size, alignment, flags, tag ?? null, s.nativeHandle));
  }

  /** Returns `memory` (and disposes it); false when it is not this allocator's. */
  deallocate(memory: TensorBuffer): boolean {
    return this.free(memory, null);
  }

  /** Returns `memory` in `stream`'s order (and disposes it); false when it is not this allocator's. */
  deallocateAsync(memory: TensorBuffer, stream: Stream): boolean {
    return this.free(memory, checkStream(stream));
  }

  private free(memory: TensorBuffer, stream: Stream | null): boolean {
    this.check();
    if (!(memory instanceof CudaBuffer) || memory.location === 'pinned') return false;
    if (memory.disposed) return false;
    const ok = this.nativeHandle.deallocate(memory.nativeHandle as Parameters<NativeGpuAllocator['deallocate']>[0], stream ? stream.nativeHandle : null);
    if (ok) memory.dispose();
    return ok;
  }

  /**
   * New memory of `newSize` bytes holding the old contents (copied synchronously); `memory` is
   * disposed. Null when refused, leaving `memory` intact. Never while GPU work uses `memory`.
   */
  reallocate(memory: TensorBuffer, alignment: number, newSize: number): CudaBuffer | null {
    this.check();
    checkRequest(newSize, alignment, 0);
    if (!(memory instanceof CudaBuffer) || memory.disposed || memory.location === 'pinned') return null;
    const raw = this.nativeHandle.reallocate(memory.nativeHandle as Parameters<NativeGpuAllocator['reallocate']>[0], alignment, newSize);
    if (!raw) return null;
    memory.dispose();
    return this.wrap(raw);
  }

  /** Why this thread's last refusal happened (e.g. the cudaMalloc error), or ''. */
  get lastRefusal(): string {
    return this.nativeHandle.lastRefusal();
  }

  protected release(): void {
    // Children (the buffers it made) were disposed first; the C++ allocator lives on while
    // anything else (an engine, work in flight) still holds memory from it.
  }
}

/** Options shared by the built-in allocators. */
export interface AllocatorOptions {
  /** Device ordinal; default the current device. */
  device?: number;
}

/**
 * cudaMalloc / cudaFree, like TensorRT's default allocator for synchronous calls. The async
 * variants are accepted but not stream-ordered (cudaFree synchronizes the device).
 *
 * @example
 * const allocator = new cuda.DefaultAllocator();
 * const memory = cuda.allocate(allocator, 1 << 20);
 */
export class DefaultAllocator extends GpuAllocator {
  /** @throws TrtError CUDA_UNAVAILABLE */
  constructor(options: AllocatorOptions = {}) {
    const mod = cudaNative('cuda.DefaultAllocator');
    const device = deviceOption(mod, options.device, 'options.device');
    super('cuda.DefaultAllocator', new mod.NativeGpuAllocator('default', device), device);
  }
}

/** Options of {@link PoolAllocator}. */
export interface PoolAllocatorOptions extends AllocatorOptions {
  /**
   * Bytes the pool keeps reserved across stream synchronizations instead of returning them to
   * the driver (cudaMemPoolAttrReleaseThreshold). Default 0; Infinity keeps everything.
   */
  releaseThreshold?: number;
}

/**
 * Stream-ordered allocations (cudaMallocFromPoolAsync / cudaFreeAsync) from an own memory pool.
 * Memory from allocateAsync(…, stream) is valid in that stream's order; free it on the stream
 * that last used it.
 *
 * @example
 * const pool = new cuda.PoolAllocator({ releaseThreshold: 64 << 20 });
 * const scratch = pool.allocateAsync(1 << 20, 0, 0, stream)!;
 * pool.deallocateAsync(scratch, stream);
 */
export class PoolAllocator extends GpuAllocator {
  readonly releaseThreshold: number;

  /** @throws TrtError CUDA_UNAVAILABLE; UNSUPPORTED when the device has no memory pools */
  constructor(options: PoolAllocatorOptions = {}) {
    const mod = cudaNative('cuda.PoolAllocator');
    const device = deviceOption(mod, options.device, 'options.device');
    const threshold = options.releaseThreshold ?? 0;
    if (threshold !== Infinity) assertInteger(threshold, 'options.releaseThreshold', 0, Number.MAX_SAFE_INTEGER);
    // 2^53 - 1 bytes is beyond any device: keep everything.
    const raw = threshold === Infinity ? Number.MAX_SAFE_INTEGER : threshold;
    super('cuda.PoolAllocator', new mod.NativeGpuAllocator('pool', device, raw), device);
    this.releaseThreshold = threshold;
  }

  /** Bytes reserved from the driver and handed out, now and at their highest. */
  usage(): Omit<NativePoolUsage, 'releaseThreshold'> {
    this.check();
    const { releaseThreshold: _, ...rest } = this.nativeHandle.usage()!;
    return rest;
  }

  /** Returns reserved memory above `minBytesToKeep` to the driver (cudaMemPoolTrimTo). */
  trimTo(minBytesToKeep = 0): void {
    this.check();
    assertInteger(minBytesToKeep, 'minBytesToKeep', 0, Number.MAX_SAFE_INTEGER);
    this.nativeHandle.trimTo(minBytesToKeep);
  }
}

/**
 * Managed memory (cudaMallocManaged): allocations are {@link UnifiedBuffer}s, reachable from JS
 * and the GPU, like the unified-memory allocator of NVIDIA's tensorrt-laboratory.
 */
export class UnifiedAllocator extends GpuAllocator {
  /** @throws TrtError CUDA_UNAVAILABLE */
  constructor(options: AllocatorOptions = {}) {
    const mod = cudaNative('cuda.UnifiedAllocator');
    const device = deviceOption(mod, options.device, 'options.device');
    super('cuda.UnifiedAllocator', new mod.NativeGpuAllocator('unified', device), device);
  }
}

/** What {@link TrackingAllocator.stats} reports. */
export type TrackingStats = NativeTrackingStats;

/**
 * Wraps a built-in allocator and counts: live and peak bytes, and allocations, deallocations and
 * refusals per call-site tag (the `tag` argument; a deallocation counts under its allocation's
 * tag). Thread-safe like the allocator it wraps.
 *
 * @example
 * const tracking = new cuda.TrackingAllocator(new cuda.DefaultAllocator());
 * const a = tracking.allocate(1024, 0, 0, 'weights')!;
 * a.dispose();
 * tracking.stats().liveBytes; // 0
 */
export class TrackingAllocator extends GpuAllocator {
  readonly inner: GpuAllocator;

  /** @throws TypeError unless `inner` is a built-in allocator (JS allocators cannot be wrapped) */
  constructor(inner: GpuAllocator) {
    const mod = cudaNative('cuda.TrackingAllocator');
    if (!(inner instanceof GpuAllocator)) {
      throw invalidType('a built-in allocator (DefaultAllocator, PoolAllocator, UnifiedAllocator or TrackingAllocator)', 'inner', inner);
    }
    if (inner.disposed) throw new TrtError('the inner allocator has been disposed', 'DISPOSED');
    super('cuda.TrackingAllocator', new mod.NativeGpuAllocator('tracking', inner.device, inner.nativeHandle), inner.device);
    this.inner = inner;
  }

  /** The counts so far; still readable after dispose(), to check that every byte came back. */
  stats(): TrackingStats {
    return this.nativeHandle.stats()!;
  }

  /** Starts peak tracking afresh from the live bytes now. */
  resetPeak(): void {
    this.check();
    this.nativeHandle.resetPeak();
  }
}

/** @internal Whether `value` looks like an IGpuAllocator. */
export function isGpuAllocator(value: unknown): value is IGpuAllocator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as IGpuAllocator).allocate === 'function' &&
    typeof (value as IGpuAllocator).deallocate === 'function'
  );
}

/** Options of {@link allocate}. */
export interface AllocateOptions {
  alignment?: number;
  flags?: number;
  /** Stream-ordered: allocateAsync on this stream (the allocator must implement it). */
  stream?: Stream;
  /** Call-site tag, for built-in allocators (TrackingAllocator counts by it). */
  tag?: string;
}

/**
 * Asks `allocator` for memory on the JS thread, as the library's own call sites do, and turns a
 * refusal into an error. Works with built-in allocators and ones written in JS.
 *
 * @throws TrtError OUT_OF_MEMORY when the allocator returns null (the message names the
 *   allocator and, for built-in ones, the CUDA error); TypeError when it returns something else
 * @example
 * const memory = cuda.allocate(new cuda.DefaultAllocator(), 1 << 20, { tag: 'activations' });
 */
export function allocate(allocator: IGpuAllocator, size: number, options: AllocateOptions = {}): TensorBuffer {
  if (!isGpuAllocator(allocator)) throw invalidType('an IGpuAllocator (allocate and deallocate methods)', 'allocator', allocator);
  if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
  const alignment = options.alignment ?? 0;
  const flags = options.flags ?? 0;
  checkRequest(size, alignment, flags);
  let result: TensorBuffer | null | undefined;
  if (allocator instanceof GpuAllocator) {
    result = options.stream
      ? allocator.allocateAsync(size, alignment, flags, options.stream, options.tag)
      : allocator.allocate(size, alignment, flags, options.tag);
  } else if (options.stream) {
    const async = allocator as Partial<IGpuAsyncAllocator>;
    if (typeof async.allocateAsync !== 'function') throw invalidType('an IGpuAsyncAllocator (allocateAsync method)', 'allocator', allocator);
    result = async.allocateAsync(size, alignment, flags, checkStream(options.stream));
  } else {
    result = allocator.allocate(size, alignment, flags);
  }
  const name = (allocator as object).constructor?.name ?? 'the allocator';
  if (result === null || result === undefined) {
    const why = allocator instanceof GpuAllocator && allocator.lastRefusal ? `: ${allocator.lastRefusal}` : '';
    throw new TrtError(`${name} refused ${size} bytes of GPU memory (allocate returned null)${why}`, 'OUT_OF_MEMORY');
  }
  if (!isTensorBuffer(result) || result.disposed) throw invalidType('a live TensorBuffer or null', `${name}.allocate() result`, result);
  if (result.byteLength < size) throw new TrtError(`${name} returned ${result.byteLength} bytes for a request of ${size}`, 'INVALID_ARGUMENT');
  return result;
}
