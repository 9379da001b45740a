import { TrtError, atCallSite, captureCallSite, invalidType } from './errors.js';
import { assertInteger, assertNumber } from './validate.js';

/** Options of {@link ResourcePool.acquire}. */
export interface AcquireOptions {
  /** Aborting removes the waiter and rejects with TrtError ABORTED (`cause`: the signal's reason). */
  signal?: AbortSignal;
  /** Rejects with TrtError TIMEOUT when no item is free within this many milliseconds (0: only if one is free now). */
  timeoutMs?: number;
}

/** Options of {@link ResourcePool}. */
export interface ResourcePoolOptions<T> {
  /** Most callers that may wait; one more is rejected with TrtError QUEUE_FULL (default: no limit). */
  maxWaiting?: number;
  /** Frees an item when the pool is disposed (after every lease is back). */
  destroy?: (item: T) => void | Promise<void>;
  /** Used in error messages (default 'ResourcePool'). */
  name?: string;
}

/** Counters of a {@link ResourcePool}. */
export interface ResourcePoolStats {
  /** Items owned by the pool. */
  size: number;
  /** Items free now. */
  available: number;
  /** Items leased now. */
  inUse: number;
  /** Callers waiting for an item. */
  waiting: number;
  /** Leases handed out since creation. */
  acquired: number;
  /** Waits that ended with TIMEOUT. */
  timedOut: number;
  /** Waits that ended with ABORTED. */
  aborted: number;
}

/**
 * One item borrowed from a {@link ResourcePool}. Release it exactly once: `release()`, or let
 * `using` do it (Symbol.dispose). Releasing again does nothing.
 *
 * @example
 * using lease = await pool.acquire();
 * use(lease.value);
 * // released at the end of the block, even on throw
 */
export class Lease<T> {
  /** @internal */
  readonly owner: ResourcePool<T>;
  private item: T;
  private done = false;

  /** @internal Handed out by ResourcePool. */
  constructor(owner: ResourcePool<T>, item: T) {
    this.owner = owner;
    this.item = item;
  }

  /**
   * The borrowed item.
   *
   * @throws TrtError INVALID_STATE once released (so a stale lease cannot touch an item someone else holds)
   */
  get value(): T {
    if (this.done) throw new TrtError('Lease: the item has been released', 'INVALID_STATE');
    return this.item;
  }

  /** True once released. */
  get released(): boolean {
    return this.done;
  }

  /** Returns the item to its pool (the longest-waiting caller gets it first). Idempotent. */
  release(): void {
    if (this.done) return;
    this.done = true;
    this.owner._return(this, this.item);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

interface Waiter<T> {
  resolve(lease: Lease<T>): void;
  reject(err: Error): void;
  settled: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  site: Error;
  next: Waiter<T> | undefined;
}

/**
 * A fixed set of items (execution contexts, buffers, connections) lent out one caller at a time,
 * first come first served: a released item goes to the longest waiter, never to a later caller
 * that happens to ask at the right moment. Waits can be bounded by a timeout, an AbortSignal and
 * a maximum number of waiters.
 *
 * @example
 * const pool = new ResourcePool([ctxA, ctxB], { destroy: (c) => c.dispose() });
 * {
 *   using lease = await pool.acquire({ timeoutMs: 1000 });
 *   await run(lease.value);
 * }
 * await pool.dispose(); // waits for leases, then destroys every item
 */
export class ResourcePool<T> {
  private readonly items: T[];
  private free: T[];
  private readonly leases = new Set<Lease<T>>();
  // Waiters form a singly linked FIFO; aborted or timed-out ones are unlinked lazily (settled).
  private head: Waiter<T> | undefined;
  private tail: Waiter<T> | undefined;
  private waitingCount = 0;
  private readonly maxWaiting: number;
  private readonly destroyItem: ((item: T) => void | Promise<void>) | undefined;
  private readonly name: string;
  private drainers: Array<() => void> = [];
  private disposing: Promise<void> | undefined;
  private counters = { acquired: 0, timedOut: 0, aborted: 0 };

  /**
   * @param items the pooled items (at least one)
   * @throws TypeError / RangeError for bad arguments
   */
  constructor(items: Iterable<T>, options: ResourcePoolOptions<T> = {}) {
    if (items === null || typeof (items as Iterable<T>)?.[Symbol.iterator] !== 'function') throw invalidType('an iterable of items', 'items', items);
    this.items = [...items];
    if (this.items.length === 0) throw new RangeError('Expected at least one item for items but received an empty iterable');
    this.free = [...this.items];
    const maxWaiting = options.maxWaiting ?? Infinity;
    if (maxWaiting !== Infinity) assertInteger(maxWaiting, 'options.maxWaiting', 0);
    this.maxWaiting = maxWaiting;
    if (options.destroy !== undefined && typeof options.destroy !== 'function') throw invalidType('a function', 'options.destroy', options.destroy);
    this.destroyItem = options.destroy;
    this.name = options.name ?? 'ResourcePool';
  }

  /** Items owned by the pool. */
  get size(): number {
    return this.items.length;
  }

  /** Items free now. */
  get available(): number {
    return this.free.length;
  }

  /** Items leased now. */
  get inUse(): number {
    return this.leases.size;
  }

  /** Callers waiting now. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** True once dispose() was called. */
  get disposed(): boolean {
    return this.disposing !== undefined;
  }

  stats(): ResourcePoolStats {
    return { size: this.size, available: this.available, inUse: this.inUse, waiting: this.waiting, ...this.counters };
  }

  /** Every item, leased or not (for inspection; use a lease to work with one). */
  all(): readonly T[] {
    return this.items;
  }

  /**
   * A lease on a free item, or null when none is free or someone is already waiting (FIFO).
   *
   * @throws TrtError DISPOSED
   * @example
   * const lease = pool.tryAcquire();
   * if (!lease) return reply(503);
   */
  tryAcquire(): Lease<T> | null {
    if (this.disposing) throw new TrtError(`${this.name} has been disposed`, 'DISPOSED');
    if (this.waitingCount > 0 || this.free.length === 0) return null;
    return this.lend(this.free.shift()!);
  }

  /**
   * Borrows an item, waiting in line when none is free.
   *
   * @throws TrtError DISPOSED (pool disposed, before or while waiting), TIMEOUT, ABORTED,
   *   QUEUE_FULL (maxWaiting callers already wait)
   * @example
   * using lease = await pool.acquire({ signal: AbortSignal.timeout(500) });
   */
  acquire(options: AcquireOptions = {}): Promise<Lease<T>> {
    const { signal, timeoutMs } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) return Promise.reject(invalidType('an AbortSignal', 'options.signal', signal));
    if (timeoutMs !== undefined) {
      try {
        assertNumber(timeoutMs, 'options.timeoutMs');
        if (timeoutMs < 0) throw new RangeError(`Expected a number >= 0 for options.timeoutMs but received ${timeoutMs}`);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const site = captureCallSite();
    if (this.disposing) return Promise.reject(atCallSite(new TrtError(`${this.name} has been disposed`, 'DISPOSED'), site));
    if (signal?.aborted) {
      this.counters.aborted += 1;
      return Promise.reject(atCallSite(new TrtError(`${this.name}: acquire aborted`, 'ABORTED', { cause: signal.reason }), site));
    }
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    if (timeoutMs === 0) {
      this.counters.timedOut += 1;
      return Promise.reject(atCallSite(new TrtError(`${this.name}: no item is free (timeoutMs 0)`, 'TIMEOUT'), site));
    }
    if (this.waitingCount >= this.maxWaiting) {
      return Promise.reject(atCallSite(new TrtError(`${this.name}: ${this.waitingCount} callers already wait (maxWaiting ${this.maxWaiting})`, 'QUEUE_FULL'), site));
    }
    return new Promise<Lease<T>>((resolve, reject) => {
      const w: Waiter<T> = { resolve, reject, settled: false, timer: undefined, signal, onAbort: undefined, site, next: undefined };
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        w.timer = setTimeout(() => {
          this.counters.timedOut += 1;
          this.fail(w, new TrtError(`${this.name}: no item became free within ${timeoutMs} ms`, 'TIMEOUT'));
        }, timeoutMs);
      }
      if (signal) {
        w.onAbort = () => {
          this.counters.aborted += 1;
          this.fail(w, new TrtError(`${this.name}: acquire aborted`, 'ABORTED', { cause: signal.reason }));
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      if (this.tail) this.tail.next = w;
      else this.head = w;
      this.tail = w;
      this.waitingCount += 1;
    });
  }

  /**
   * Returns a leased item (same as `lease.release()`).
   *
   * @throws TrtError INVALID_STATE for a lease of another pool
   */
  release(lease: Lease<T>): void {
    if (!(lease instanceof Lease) || lease.owner !== this) throw new TrtError(`${this.name}: release() was given a lease of another pool`, 'INVALID_STATE');
    lease.release();
  }

  /**
   * Resolves once every item is back and nobody waits (at once if that is so now). The pool
   * stays usable.
   *
   * @example
   * await pool.drain(); // e.g. before swapping the items' model
   */
  drain(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.drainers.push(resolve));
  }

  /**
   * Rejects every waiter and later acquire() with TrtError DISPOSED, waits for the leases in
   * use to come back, then destroys every item (options.destroy). Idempotent: later calls
   * return the same promise.
   *
   * @example
   * process.once('SIGTERM', () => void pool.dispose());
   */
  dispose(): Promise<void> {
    if (this.disposing) return this.disposing;
    let w = this.head;
    this.head = this.tail = undefined;
    for (; w; w = w.next) {
      if (w.settled) continue;
      this.settle(w);
      w.reject(atCallSite(new TrtError(`${this.name} was disposed while waiting`, 'DISPOSED'), w.site));
    }
    this.waitingCount = 0;
    this.disposing = (async () => {
      await this.drain();
      if (this.destroyItem) for (const item of this.items) await this.destroyItem(item);
      this.free = [];
    })();
    return this.disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** @internal Called by Lease.release(). */
  _return(lease: Lease<T>, item: T): void {
    if (!this.leases.delete(lease)) return;
    // Hand the item straight to the longest waiter, so no later caller can overtake it.
    for (let w = this.head; w; w = this.head) {
      this.head = w.next;
      if (!this.head) this.tail = undefined;
      if (w.settled) continue;
      this.waitingCount -= 1;
      this.settle(w);
      w.resolve(this.lend(item));
      return;
    }
    this.free.push(item);
    this.checkDrained();
  }

  private lend(item: T): Lease<T> {
    const lease = new Lease(this, item);
    this.leases.add(lease);
    this.counters.acquired += 1;
    return lease;
  }

  private idle(): boolean {
    return this.leases.size === 0 && this.waitingCount === 0;
  }

  private checkDrained(): void {
    if (this.drainers.length === 0 || !this.idle()) return;
    const list = this.drainers;
    this.drainers = [];
    for (const resolve of list) resolve();
  }

  private settle(w: Waiter<T>): void {
    w.settled = true;
    if (w.timer !== undefined) clearTimeout(w.timer);
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
  }

  /** Ends a wait with an error; the waiter stays linked until reached (settled marks it dead). */
  private fail(w: Waiter<T>, err: TrtError): void {
    if (w.settled) return;
    this.settle(w);
    this.waitingCount -= 1;
    w.reject(atCallSite(err, w.site));
    this.checkDrained();
  }
}
