/** Logging, as nvinfer1::ILogger: severities and a callback. */

/** ILogger::Severity. Lower is more severe. */
export enum Severity {
  INTERNAL_ERROR = 0,
  ERROR = 1,
  WARNING = 2,
  INFO = 3,
  VERBOSE = 4,
}

/**
 * Receives messages from builders and runtimes. Messages from native threads are delivered on
 * the JS thread (through a thread-safe function), in order.
 *
 * @example
 * const logger = new Logger(Severity.INFO, (severity, msg) => console.log(Severity[severity], msg));
 */
export class Logger {
  /** Messages less severe than this are dropped. */
  minSeverity: Severity;
  private readonly sink: ((severity: Severity, message: string) => void) | undefined;

  /**
   * @param minSeverity drop messages less severe than this (default WARNING, as TensorRT's samples)
   * @param sink where messages go (default: console.error with a severity prefix)
   */
  constructor(minSeverity: Severity = Severity.WARNING, sink?: (severity: Severity, message: string) => void) {
    this.minSeverity = minSeverity;
    this.sink = sink;
  }

  /** Called for every message; override in a subclass or pass a sink. */
  log(severity: Severity, message: string): void {
    if (severity > this.minSeverity) return;
    if (this.sink) this.sink(severity, message);
    else console.error(`[tensorrt-node] [${Severity[severity] ?? severity}] ${message}`);
  }
}

let defaultLogger: Logger | undefined;

/** The logger used when none is given: WARNING and above to stderr. */
export function getDefaultLogger(): Logger {
  defaultLogger ??= new Logger(Severity.WARNING);
  return defaultLogger;
}
