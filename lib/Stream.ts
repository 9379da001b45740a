import type { NativeStream } from '../typings/native.js';
import { Resource } from './Disposable.js';
import { native } from './native.js';

/**
 * An ordered queue of work, as a CUDA stream. On the CPU backend each stream has its own thread;
 * kernels still spread over the engine's thread pool. Work on one stream runs in order; work on
 * different streams runs concurrently.
 *
 * @example
 * const stream = new Stream();
 * await context.enqueueV3(stream);
 */
export class Stream extends Resource {
  /** @internal */
  readonly nativeHandle: NativeStream;

  constructor() {
    const handle = new (native().NativeStream)();
    super('Stream');
    this.nativeHandle = handle;
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
