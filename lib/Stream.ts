import type { NativeStream } from '../typings/native.js';
import { Resource } from './Disposable.js';
import { TrtError, invalidType } from './errors.js';
import { native } from './native.js';
import { ThreadPool } from './threadPool.js';

/** Options of {@link Stream}. */
export interface StreamOptions {
  /** The pool the kernels of runs on this stream use (default: the process-wide pool). */
  threadPool?: ThreadPool;
}

/**
 * An ordered queue of work, as a CUDA stream. On the CPU backend each stream has its own thread;
 * kernels still spread over a thread pool (the process-wide one, or `options.threadPool`). Work
 * on one stream runs in order; work on different streams runs concurrently.
 *
 * @example
 * const stream = new Stream();
 * await context.enqueueV3(stream);
 */
export class Stream extends Resource {
  /** @internal */
  readonly nativeHandle: NativeStream;
  /** The pool given at construction, if any. */
  readonly threadPool: ThreadPool | undefined;

  /** @throws TypeError for a threadPool that is not a ThreadPool; TrtError DISPOSED for a disposed one */
  constructor(options: StreamOptions = {}) {
    const pool = options?.threadPool;
    if (pool !== undefined && !(pool instanceof ThreadPool)) throw invalidType('a ThreadPool', 'options.threadPool', pool);
    if (pool?.disposed) throw new TrtError('Stream: the thread pool has been disposed', 'DISPOSED');
    const handle = new (native().NativeStream)(pool?.nativeHandle);
    super('Stream');
    this.nativeHandle = handle;
    this.threadPool = pool;
  }

  /** Resolves when all work queued so far has finished. */
  done(): Promise<void> {
    this.check();
    return this.nativeHandle.done();
  }

  /** Blocks the calling thread until queued work has finished. Blocking: prefer `await done()`. */
  synchronize(): void {
    this.check();
    this.nativeHandle.synchronize();
  }

  /** True when no work is queued or running. */
  query(): boolean {
    this.check();
    return this.nativeHandle.query();
  }

  /** Jobs submitted and not yet settled. */
  get pending(): number {
    return this.nativeHandle.pending();
  }

  protected release(): void {
    // The native stream finishes its queued work when collected; nothing to free eagerly.
  }
}
