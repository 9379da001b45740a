import type { NativeThreadPool } from '../typings/native.js';
import { Resource } from './Disposable.js';
import { native } from './native.js';
import { assertInteger } from './validate.js';

/** Counters of a kernel thread pool. */
export interface ThreadPoolStats {
  /** Threads that run kernels, including the calling stream thread. */
  threads: number;
  /** Tasks waiting for a worker. */
  queued: number;
  /** Tasks running now. */
  active: number;
  /** Tasks finished since the pool started. */
  completed: number;
}

/**
 * The threads the CPU backend's kernels run on (never the libuv pool, so fs and dns are not
 * starved). Every kernel splits its work over a pool, with the stream thread that runs the
 * inference taking part.
 *
 * - The process-wide pool: {@link ThreadPool.stats}, sized by {@link ThreadPool.configure} before
 *   first use or by the `TRTN_NUM_THREADS` environment variable at load (default: the number of
 *   hardware threads).
 * - Pools of their own: `new ThreadPool(threads)`, given to streams (`new Stream({ threadPool })`)
 *   or to an {@link InferRunner}, so one model's runs do not compete with another's for workers.
 *
 * @example
 * ThreadPool.configure(4);                 // before anything runs
 * const pool = new ThreadPool(2);          // a pool of its own for one runner
 * const runner = await InferRunner.create(engineBytes, { contexts: 2, threadPool: pool });
 * console.log(ThreadPool.stats(), pool.stats());
 */
export class ThreadPool extends Resource {
  /** Threads of this pool, counting the stream thread that takes part. */
  readonly threads: number;
  /** @internal */
  readonly nativeHandle: NativeThreadPool;

  /**
   * A pool of `threads` threads (the stream thread plus `threads - 1` workers, at least one).
   * Streams made with it keep its workers alive until they are collected, even after dispose().
   *
   * @throws RangeError unless 1 <= threads <= 1024
   */
  constructor(threads: number) {
    assertInteger(threads, 'threads', 1, 1024);
    const handle = new (native().NativeThreadPool)(threads);
    super('ThreadPool', handle);
    this.nativeHandle = handle;
    this.threads = threads;
  }

  /**
   * This pool's counters.
   *
   * @throws TrtError DISPOSED
   */
  stats(): ThreadPoolStats {
    this.check();
    return this.nativeHandle.stats();
  }

  /**
   * Sizes the process-wide pool; returns false if it already runs with another size (its size
   * is fixed at first use).
   *
   * @throws RangeError unless 1 <= threads <= 1024
   * @example
   * if (!ThreadPool.configure(2)) console.warn('the engine pool was already running');
   */
  static configure(threads: number): boolean {
    assertInteger(threads, 'threads', 1, 1024);
    return native().configureThreadPool(threads);
  }

  /** Counters of the process-wide pool (starting it if it is not running yet). */
  static stats(): ThreadPoolStats {
    return native().threadPoolStats();
  }

  protected release(): void {
    this.nativeHandle.dispose();
  }
}

const fromEnv = process.env['TRTN_NUM_THREADS'];
if (fromEnv !== undefined && /^\d+$/.test(fromEnv) && Number(fromEnv) > 0) {
  native().configureThreadPool(Number(fromEnv));
}
