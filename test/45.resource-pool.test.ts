/**
 * ResourcePool: FIFO hand-off, abort, timeout, maxWaiting, drain and dispose, with the counters
 * checked after each, and BufferPool reuse.
 */
import { describe, expect, it } from 'vitest';
import { BufferPool, HostBuffer, Lease, ResourcePool, TrtError } from '../lib/index.js';

const tick = () => new Promise((r) => setImmediate(r));

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TrtError);
  return (err as TrtError).code;
}

describe('ResourcePool', () => {
  it('lends free items at once and hands released ones to waiters in FIFO order', async () => {
    const pool = new ResourcePool(['a', 'b']);
    const l1 = await pool.acquire();
    const l2 = await pool.acquire();
    expect([l1.value, l2.value].sort()).toEqual(['a', 'b']);
    expect(pool.stats()).toMatchObject({ size: 2, available: 0, inUse: 2, waiting: 0 });
    const order: number[] = [];
    const waits = [0, 1, 2, 3].map((i) => pool.acquire().then((lease) => {
      order.push(i);
      return lease;
    }));
    expect(pool.waiting).toBe(4);
    // A caller arriving while others wait never overtakes them, even when an item is free.
    l1.release();
    expect(pool.tryAcquire()).toBeNull();
    const w0 = await waits[0]!;
    l2.release();
    const w1 = await waits[1]!;
    w0.release();
    w1.release();
    const rest = await Promise.all(waits.slice(2));
    expect(order).toEqual([0, 1, 2, 3]);
    for (const l of rest) l.release();
    expect(pool.stats()).toMatchObject({ available: 2, inUse: 0, waiting: 0, acquired: 6 });
  });

  it('releases with `using`, and a lease is released once (value then throws)', async () => {
    const pool = new ResourcePool([1]);
    let kept: Lease<number> | undefined;
    {
      using lease = await pool.acquire();
      kept = lease;
      expect(pool.available).toBe(0);
    }
    expect(pool.available).toBe(1);
    expect(kept.released).toBe(true);
    kept.release(); // idempotent
    expect(pool.available).toBe(1);
    expect(() => kept!.value).toThrow(TrtError);
    // BAD CALL: a lease of another pool
    const other = new ResourcePool([2]);
    const foreign = other.tryAcquire()!;
    expect(() => pool.release(foreign)).toThrow(/another pool/);
  });

  it('abort removes a waiter (ABORTED, cause = reason) and the item goes to the next one', async () => {
    const pool = new ResourcePool(['x']);
    const held = pool.tryAcquire()!;
    const ac = new AbortController();
    const aborted = pool.acquire({ signal: ac.signal });
    const next = pool.acquire();
    ac.abort(new Error('client went away'));
    const err = (await aborted.catch((e: unknown) => e)) as TrtError;
    expect(err.code).toBe('ABORTED');
    expect((err.cause as Error).message).toBe('client went away');
    expect(err.stack).toContain('45.resource-pool.test'); // points at the acquire() call
    expect(pool.waiting).toBe(1);
    held.release();
    (await next).release();
    // Already aborted: rejected at once.
    expect(await codeOf(pool.acquire({ signal: AbortSignal.abort() }))).toBe('ABORTED');
    expect(pool.stats()).toMatchObject({ available: 1, inUse: 0, waiting: 0, aborted: 2 });
  });

  it('timeoutMs rejects with TIMEOUT; 0 means only if free now', async () => {
    const pool = new ResourcePool([1]);
    const held = pool.tryAcquire()!;
    const t0 = performance.now();
    expect(await codeOf(pool.acquire({ timeoutMs: 30 }))).toBe('TIMEOUT');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(await codeOf(pool.acquire({ timeoutMs: 0 }))).toBe('TIMEOUT');
    held.release();
    (await pool.acquire({ timeoutMs: 0 })).release();
    expect(pool.stats()).toMatchObject({ available: 1, waiting: 0, timedOut: 2 });
    // BAD CALL
    await expect(pool.acquire({ timeoutMs: -1 })).rejects.toThrow(RangeError);
    await expect(pool.acquire({ signal: 'no' as unknown as AbortSignal })).rejects.toThrow(/options\.signal/);
  });

  it('maxWaiting bounds the line with QUEUE_FULL', async () => {
    const pool = new ResourcePool([1], { maxWaiting: 1 });
    const held = pool.tryAcquire()!;
    const waiter = pool.acquire();
    expect(await codeOf(pool.acquire())).toBe('QUEUE_FULL');
    held.release();
    (await waiter).release();
  });

  it('drain waits for every lease back and keeps the pool usable', async () => {
    const pool = new ResourcePool([1, 2]);
    const a = pool.tryAcquire()!;
    const b = pool.tryAcquire()!;
    let drained = false;
    const d = pool.drain().then(() => {
      drained = true;
    });
    a.release();
    await tick();
    expect(drained).toBe(false);
    b.release();
    await d;
    expect(drained).toBe(true);
    await pool.drain(); // idle: resolves at once
    (await pool.acquire()).release();
  });

  it('dispose rejects waiters and later calls with DISPOSED, waits for leases, then destroys every item', async () => {
    const destroyed: string[] = [];
    const pool = new ResourcePool(['p', 'q'], { destroy: (x) => void destroyed.push(x) });
    const held = pool.tryAcquire()!;
    pool.tryAcquire()!.release();
    const held2 = pool.tryAcquire()!;
    const waiter = pool.acquire();
    const disposing = pool.dispose();
    expect(pool.dispose()).toBe(disposing); // idempotent
    expect(await codeOf(waiter)).toBe('DISPOSED');
    expect(await codeOf(pool.acquire())).toBe('DISPOSED');
    expect(() => pool.tryAcquire()).toThrow(/disposed/);
    await tick();
    expect(destroyed).toEqual([]); // leases still out
    held.release();
    held2.release();
    await disposing;
    expect(destroyed.sort()).toEqual(['p', 'q']);
    expect(pool.stats()).toMatchObject({ inUse: 0, waiting: 0 });
  });

  it('keeps FIFO under many waiters with random aborts and timeouts', async () => {
    const pool = new ResourcePool([0, 1, 2]);
    const served: number[] = [];
    const jobs: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i += 1) {
      const ac = new AbortController();
      const p = pool.acquire({ signal: ac.signal, timeoutMs: i % 7 === 0 ? 1 : undefined }).then(async (lease) => {
        served.push(i);
        await tick();
        lease.release();
      }, (e: TrtError) => e.code);
      if (i % 5 === 0) setImmediate(() => ac.abort());
      jobs.push(p);
    }
    const results = await Promise.all(jobs);
    const sorted = [...served].sort((a, b) => a - b);
    expect(served).toEqual(sorted); // served in arrival order
    expect(results.filter((r) => r === 'ABORTED' || r === 'TIMEOUT').length + served.length).toBe(300);
    expect(pool.stats()).toMatchObject({ available: 3, inUse: 0, waiting: 0 });
  });

  it('BAD CALL: items must be a non-empty iterable', () => {
    expect(() => new ResourcePool(5 as unknown as number[])).toThrow(TypeError);
    expect(() => new ResourcePool([])).toThrow(RangeError);
    expect(() => new ResourcePool([1], { maxWaiting: -1 })).toThrow(/options\.maxWaiting/);
  });
});

describe('BufferPool', () => {
  it('reuses buffers by power-of-two size class and frees them on dispose', () => {
    const pool = new BufferPool((bytes) => new HostBuffer(bytes));
    const a = pool.acquire(1000);
    expect(a.byteLength).toBe(1024);
    pool.release(a);
    const b = pool.acquire(700);
    expect(b).toBe(a); // same class, reused
    const c = pool.acquire(10);
    expect(c.byteLength).toBe(256);
    expect(pool.stats()).toMatchObject({ buffers: 2, inUse: 2, available: 0, allocations: 2 });
    pool.release(b);
    expect(() => pool.release(b)).toThrow(/not lent out/);
    pool.dispose();
    expect(a.disposed).toBe(true);
    expect(c.disposed).toBe(false);
    pool.release(c); // returned after dispose: freed
    expect(c.disposed).toBe(true);
    expect(pool.stats()).toMatchObject({ buffers: 0, bytes: 0 });
  });
});
