import type { TensorBuffer } from './buffers.js';
import { TrtError } from './errors.js';

/** Counters of a {@link BufferPool}. */
export interface BufferPoolStats {
  /** Buffers allocated and not freed. */
  buffers: number;
  /** Of those, free for reuse. */
  available: number;
  /** Of those, lent out now. */
  inUse: number;
  /** Bytes of every buffer allocated and not freed. */
  bytes: number;
  /** Buffers allocated since creation (a steady value under load means they are being reused). */
  allocations: number;
}

/**
 * Reusable tensor memory in power-of-two size classes (256 bytes and up): an InferRunner stages
 * request data through it, so steady traffic allocates nothing. Never waits: a request for a
 * class with no free buffer allocates one, and the pool keeps it afterwards.
 *
 * @example
 * const pool = new BufferPool((bytes) => new HostBuffer(bytes));
 * const b = pool.acquire(1000); // a 1024-byte buffer
 * pool.release(b);
 */
export class BufferPool {
  private readonly allocate: (bytes: number) => TensorBuffer;
  private readonly free = new Map<number, TensorBuffer[]>();
  private readonly lent = new Set<TensorBuffer>();
  private readonly owned = new Set<TensorBuffer & { dispose?(): void }>();
  private totalBytes = 0;
  private allocations = 0;
  private closed = false;

  /** @param allocate makes a buffer of exactly `bytes` bytes (host, pinned or device memory) */
  constructor(allocate: (bytes: number) => TensorBuffer) {
    this.allocate = allocate;
  }

  /** The size class holding `bytes`: the next power of two, at least 256. */
  static sizeClass(bytes: number): number {
    return bytes <= 256 ? 256 : 2 ** Math.ceil(Math.log2(bytes));
  }

  /**
   * A buffer of at least `bytes` bytes (its whole size class).
   *
   * @throws TrtError DISPOSED after dispose()
   */
  acquire(bytes: number): TensorBuffer {
    if (this.closed) throw new TrtError('BufferPool has been disposed', 'DISPOSED');
    const size = BufferPool.sizeClass(bytes);
    const list = this.free.get(size);
    let buffer = list?.pop();
    if (!buffer) {
      buffer = this.allocate(size);
      this.owned.add(buffer);
      this.totalBytes += size;
      this.allocations += 1;
    }
    this.lent.add(buffer);
    return buffer;
  }

  /** Returns a buffer from {@link acquire}; after dispose() it is freed instead. */
  release(buffer: TensorBuffer): void {
    if (!this.lent.delete(buffer)) throw new TrtError('BufferPool.release() was given a buffer that is not lent out', 'INVALID_STATE');
    if (this.closed) {
      this.destroy(buffer);
      return;
    }
    const size = BufferPool.sizeClass(buffer.byteLength);
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buffer);
  }

  stats(): BufferPoolStats {
    let available = 0;
    for (const list of this.free.values()) available += list.length;
    return { buffers: this.owned.size, available, inUse: this.lent.size, bytes: this.totalBytes, allocations: this.allocations };
  }

  /** Frees every free buffer now and each lent one when it comes back. Idempotent. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const list of this.free.values()) for (const b of list) this.destroy(b);
    this.free.clear();
  }

  private destroy(buffer: TensorBuffer & { dispose?(): void }): void {
    this.owned.delete(buffer);
    this.totalBytes -= BufferPool.sizeClass(buffer.byteLength);
    buffer.dispose?.();
  }
}
