/**
 * One error class family for everything the library reports. Native failures arrive as
 * {@link TrtError} with a stable string `code`; bad arguments are `TypeError` / `RangeError`
 * naming the argument, in the grammar "Expected {expected} for {name} but received {value}".
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export type TrtErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_STATE'
  | 'DISPOSED'
  | 'CANCELLED'
  | 'OUT_OF_MEMORY'
  | 'PLAN_CORRUPT'
  | 'PLAN_INCOMPATIBLE'
  | 'UNSUPPORTED'
  | 'CUDA_UNAVAILABLE'
  | 'CUDA_ERROR'
  | 'TENSORRT_UNAVAILABLE'
  | 'TENSORRT_ERROR'
  | 'TIMEOUT'
  | 'QUEUE_FULL'
  | 'ABORTED'
  | 'INTERNAL_ERROR';

/** An error from tensorrt-node. Check `code`, not the message. */
export class TrtError extends Error {
  readonly code: TrtErrorCode;

  constructor(message: string, code: TrtErrorCode = 'INTERNAL_ERROR', options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
Object.defineProperty(TrtError.prototype, 'name', { value: 'TrtError', enumerable: false, configurable: true, writable: true });

/** @internal */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}" of type string`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${String(value)} of type ${typeof value}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.byteLength} bytes`;
  if (typeof value === 'function') return 'a function';
  const name = (value as object).constructor?.name;
  return name ? `an instance of ${name}` : 'an object';
}

/** @internal Wrong type: "Expected {expected} for {name} but received {value}". */
export function invalidType(expected: string, name: string, value: unknown): TypeError {
  return new TypeError(`Expected ${expected} for ${name} but received ${describeValue(value)}`);
}

/** @internal Right type, bad value. */
export function invalidValue(expected: string, name: string, value: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${describeValue(value)}`);
}

/** @internal */
export function disposedError(what: string): TrtError {
  return new TrtError(`${what} has been disposed`, 'DISPOSED');
}

/**
 * @internal Captures the caller's frames now, for an error that is raised later (from a timer,
 * a queue or a native callback), so that it still points at user code.
 */
export function captureCallSite(): Error {
  return new Error();
}

/** @internal Gives `err` the frames captured by {@link captureCallSite}; returns `err`. */
export function atCallSite<E extends Error>(err: E, site: Error | undefined): E {
  if (site?.stack) err.stack = `${err.name}: ${err.message}\n${site.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

/**
 * @internal Runs a native async call so that a rejection carries the caller's stack: the stack
 * is captured here, synchronously, and the native message and code are moved onto it.
 */
export function withCallerStack<T>(start: () => Promise<T>): Promise<T> {
  const holder = new Error();
  const rethrow = (err: unknown): never => {
    if (err instanceof Error && holder.stack) {
      const header = `${err.name}: ${err.message}`;
      const frames = holder.stack.split('\n').slice(1).join('\n');
      err.stack = `${header}\n${frames}`;
    }
    throw err;
  };
  let promise: Promise<T>;
  try {
    promise = start();
  } catch (err) {
    return Promise.reject(err as Error).catch(rethrow);
  }
  return promise.catch(rethrow);
}
