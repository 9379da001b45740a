import type { NativeCudaEvent } from '../../typings/native.js';
import { Resource } from '../Disposable.js';
import { TrtError, invalidType } from '../errors.js';
import { assertBoolean } from '../validate.js';
import { deviceOption } from './Device.js';
import { cudaNative } from './runtime.js';
import { Stream } from './Stream.js';

/** Options of {@link Event}. */
export interface EventOptions {
  /** Record timestamps for {@link Event.elapsedTime} (off: cudaEventDisableTiming, cheaper). Default true. */
  timing?: boolean;
  /** synchronize() sleeps instead of spinning (cudaEventBlockingSync). Default false. */
  blockingSync?: boolean;
  /** Device ordinal; default the current device. */
  device?: number;
}

/**
 * A CUDA event: a point in a stream. Record it, make other streams wait for it
 * ({@link Stream.waitEvent}), or time the work between two events.
 *
 * @example
 * const start = new cuda.Event(), end = new cuda.Event();
 * start.record(stream); await buffer.copyFromAsync(data, stream); end.record(stream);
 * end.synchronize();
 * console.log(`${end.elapsedTime(start)} ms`);
 */
export class Event extends Resource {
  /** @internal */
  readonly nativeHandle: NativeCudaEvent;
  readonly timing: boolean;

  /** @throws TrtError CUDA_UNAVAILABLE without a usable device */
  constructor(options: EventOptions = {}) {
    const mod = cudaNative('cuda.Event');
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const timing = options.timing ?? true;
    assertBoolean(timing, 'options.timing');
    const blockingSync = options.blockingSync ?? false;
    assertBoolean(blockingSync, 'options.blockingSync');
    const device = deviceOption(mod, options.device, 'options.device');
    const handle = new mod.NativeCudaEvent(device, (blockingSync ? 1 : 0) | (timing ? 0 : 2));
    super('cuda.Event', handle);
    this.nativeHandle = handle;
    this.timing = timing;
  }

  /** Marks the current end of `stream`'s queue (the legacy default stream when omitted). */
  record(stream?: Stream): void {
    this.check();
    if (stream !== undefined && !(stream instanceof Stream)) throw invalidType('a cuda.Stream', 'stream', stream);
    if (stream?.disposed) throw new TrtError('record: the stream has been disposed', 'DISPOSED');
    this.nativeHandle.record(stream ? stream.nativeHandle : null);
  }

  /** Blocks until the recorded work has run. Blocking: prefer `await stream.done()`. */
  synchronize(): void {
    this.check();
    this.nativeHandle.synchronize();
  }

  /** True when the recorded work has run (or nothing was recorded). */
  query(): boolean {
    this.check();
    return this.nativeHandle.query();
  }

  /**
   * Milliseconds from `start` to this event; both recorded, completed and created with timing.
   *
   * @throws TrtError CUDA_ERROR (cudaErrorNotReady, cudaErrorInvalidResourceHandle) otherwise
   */
  elapsedTime(start: Event): number {
    this.check();
    if (!(start instanceof Event)) throw invalidType('a cuda.Event', 'start', start);
    start._checkLive('elapsedTime');
    return this.nativeHandle.elapsedTime(start.nativeHandle);
  }

  /** @internal */
  _checkLive(what: string): void {
    if (this.disposed) throw new TrtError(`${what}: the event has been disposed`, 'DISPOSED');
  }

  protected release(): void {
    this.nativeHandle.dispose();
  }
}
