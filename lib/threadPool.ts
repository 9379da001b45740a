import { native } from './native.js';
import { assertInteger } from './validate.js';

/** Counters of the engine's thread pool. */
export interface ThreadPoolStats {
  /** Threads that run kernels, including the calling stream thread. */
  threads: number;
  queued: number;
  active: number;
  completed: number;
}

/**
 * The native thread pool the CPU kernels run on (not the libuv pool). Its size is fixed at first
 * use; set it before building or running anything, or with the TRTN_NUM_THREADS environment
 * variable.
 */
export const ThreadPool = {
  /** Sets the pool size; returns false if the pool already runs with another size. */
  configure(threads: number): boolean {
    assertInteger(threads, 'threads', 1, 1024);
    return native().configureThreadPool(threads);
  },
  stats(): ThreadPoolStats {
    return native().threadPoolStats();
  },
};

const fromEnv = process.env['TRTN_NUM_THREADS'];
if (fromEnv !== undefined && /^\d+$/.test(fromEnv) && Number(fromEnv) > 0) {
  native().configureThreadPool(Number(fromEnv));
}
