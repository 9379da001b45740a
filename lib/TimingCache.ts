import { Disposable } from './Disposable.js';
import { TrtError, invalidType } from './errors.js';
import { HostMemory } from './HostMemory.js';
import { native } from './native.js';

/**
 * A timing cache (nvinfer1::ITimingCache): the kernel timings a build measured, reusable by later
 * builds. Made by {@link BuilderConfig.createTimingCache}.
 *
 * On the tensorrt backend it is TensorRT's own cache: `builder.buildSerializedNetwork` starts from
 * its contents (after `config.setTimingCache(cache)`) and leaves the updated cache in it, and
 * {@link combine} and {@link reset} run TensorRT's. On the built-in backends (cpu, cuda) it is an
 * opaque container the builds do not consult yet: it keeps the bytes it was created from,
 * `serialize()` returns them, `combine()` merges nothing and returns false, `reset()` empties it.
 *
 * @example
 * const cache = config.createTimingCache(fs.existsSync('timing.cache') ? fs.readFileSync('timing.cache') : undefined);
 * config.setTimingCache(cache, false);
 * await builder.buildSerializedNetwork(network, config);
 * fs.writeFileSync('timing.cache', cache.serialize().data);
 */
export class TimingCache implements Disposable {
  /** The backend whose builds use it ('tensorrt', or a built-in one that does not). */
  readonly backend: string;
  private bytes: Uint8Array;
  private isDisposed = false;

  /** @internal Use BuilderConfig.createTimingCache(). */
  constructor(backend: string, bytes: Uint8Array) {
    this.backend = backend;
    this.bytes = bytes;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** The cache's bytes (to store and pass to createTimingCache later). */
  serialize(): HostMemory {
    this.check();
    return new HostMemory(this.bytes.slice());
  }

  /**
   * Adds the entries of `other` (ITimingCache::combine). TensorRT refuses caches of another
   * device or version unless `ignoreMismatch`.
   *
   * @returns true when entries were merged; false on the built-in backends, which keep no timings
   * @throws TrtError TENSORRT_ERROR (TensorRT refused the other cache), TENSORRT_UNAVAILABLE, DISPOSED
   */
  combine(other: TimingCache, ignoreMismatch = false): boolean {
    this.check();
    if (!(other instanceof TimingCache)) throw invalidType('a TimingCache', 'other', other);
    other.check();
    if (typeof ignoreMismatch !== 'boolean') throw invalidType('a boolean', 'ignoreMismatch', ignoreMismatch);
    if (this.backend !== 'tensorrt') return false;
    if (other.backend !== 'tensorrt') throw new TrtError('combine: the other cache belongs to a built-in backend, not to TensorRT', 'INVALID_ARGUMENT');
    this.bytes = tensorrtOps().combine(this.bytes, other.bytes, ignoreMismatch);
    return true;
  }

  /** Empties the cache (ITimingCache::reset). */
  reset(): boolean {
    this.check();
    this.bytes = this.backend === 'tensorrt' ? tensorrtOps().reset() : new Uint8Array(0);
    return true;
  }

  /** @internal The native build config's box; the build writes the updated cache back into it. */
  _box(ignoreMismatch: boolean): { bytes: Uint8Array | null; ignoreMismatch: boolean } {
    this.check();
    return { bytes: this.bytes, ignoreMismatch };
  }

  /** @internal After a build: the cache TensorRT left. */
  _update(bytes: Uint8Array | null): void {
    if (bytes && !this.isDisposed) this.bytes = bytes;
  }

  dispose(): void {
    this.isDisposed = true;
    this.bytes = new Uint8Array(0);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private check(): void {
    if (this.isDisposed) throw new TrtError('TimingCache has been disposed', 'DISPOSED');
  }
}

function tensorrtOps() {
  const ops = native().tensorrtTimingCache;
  if (!ops) throw new TrtError('timing caches of the tensorrt backend need a build of the addon with the tensorrt backend', 'TENSORRT_UNAVAILABLE');
  return ops;
}
