import type { NativeCudaStream } from '../../typings/native.js';
import { Resource } from '../Disposable.js';
import { invalidType, withCallerStack } from '../errors.js';
import { assertBoolean, assertInteger } from '../validate.js';
import { deviceOption } from './Device.js';
import type { Event } from './Event.js';
import { cudaNative } from './runtime.js';

/** Options of {@link Stream}. */
export interface StreamOptions {
  /**
   * CUDA stream priority: lower numbers run first; the device's range is typically 0 (lowest)
   * to -5 (highest), and values outside it are clamped by CUDA. Default 0.
   */
  priority?: number;
  /** cudaStreamNonBlocking: do not synchronize with the legacy default stream. Default false. */
  nonBlocking?: boolean;
  /** Device ordinal; default the current device. */
  device?: number;
}

/**
 * A CUDA stream (cudaStream_t): work queued on it runs in order; work on different streams may
 * overlap. Async copies, fills and prefetches take a stream and return Promises that settle
 * through a host callback, without blocking the event loop.
 *
 * @example
 * using stream = new cuda.Stream({ priority: -1 });
 * const pending = deviceBuffer.copyFromAsync(input, stream);
 * await stream.done();
 */
export class Stream extends Resource {
  /** @internal */
  readonly nativeHandle: NativeCudaStream;
  readonly device: number;
  readonly priority: number;
  readonly nonBlocking: boolean;

  /** @throws TrtError CUDA_UNAVAILABLE without a usable device */
  constructor(options: StreamOptions = {}) {
    const mod = cudaNative('cuda.Stream');
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const priority = options.priority ?? 0;
    assertInteger(priority, 'options.priority', -1024, 1024);
    const nonBlocking = options.nonBlocking ?? false;
    assertBoolean(nonBlocking, 'options.nonBlocking');
    const device = deviceOption(mod, options.device, 'options.device');
    const handle = new mod.NativeCudaStream(device, nonBlocking ? 1 : 0, priority);
    super('cuda.Stream', handle);
    this.nativeHandle = handle;
    this.device = device;
    this.priority = handle.info().priority;
    this.nonBlocking = nonBlocking;
  }

  /** Resolves when all work queued so far has run; rejects with CUDA_ERROR if it failed. */
  done(): Promise<void> {
    return withCallerStack(() => {
      this.check();
      return this.nativeHandle.done();
    });
  }

  /** Blocks the calling thread until queued work has run. Blocking: prefer `await done()`. */
  synchronize(): void {
    this.check();
    this.nativeHandle.synchronize();
  }

  /** True when all queued work has run. */
  query(): boolean {
    this.check();
    return this.nativeHandle.query();
  }

  /** Makes work queued on this stream from now on wait until `event`'s recorded work has run. */
  waitEvent(event: Event): void {
    this.check();
    if (typeof (event as Partial<Event> | null)?._checkLive !== 'function') throw invalidType('a cuda.Event', 'event', event);
    event._checkLive('waitEvent');
    this.nativeHandle.waitEvent(event.nativeHandle);
  }

  /** Promises from this stream not yet settled. */
  get pending(): number {
    return this.disposed ? 0 : this.nativeHandle.pending();
  }

  protected release(): void {
    // Work in flight keeps the native stream until its callbacks have run.
    this.nativeHandle.dispose();
  }
}
