import { promises as fsp } from 'node:fs';
import type { BackendChoice } from './backends.js';
import { BufferPool } from './BufferPool.js';
import type { BufferPoolStats } from './BufferPool.js';
import { HostBuffer, isTensorBuffer } from './buffers.js';
import type { TensorBuffer } from './buffers.js';
import { CudaEngine } from './CudaEngine.js';
import { DataType, ExecutionContextAllocationStrategy, OptProfileSelector, TensorIOMode, byteSizeOf, dataTypeSize, isPackedDataType, typedArrayFor } from './enums.js';
import type { TypedArray } from './enums.js';
import { TrtError, atCallSite, captureCallSite, invalidType, invalidValue } from './errors.js';
import type { ExecutionContext, IOutputAllocator } from './ExecutionContext.js';
import { HostMemory } from './HostMemory.js';
import { Logger, getDefaultLogger } from './Logger.js';
import { ResourcePool } from './ResourcePool.js';
import type { Lease, ResourcePoolStats } from './ResourcePool.js';
import { Runtime } from './Runtime.js';
import { Stream } from './Stream.js';
import { GpuAllocator } from './cuda/allocators.js';
import type { Stream as CudaStream } from './cuda/Stream.js';
import { cudaRunnerIo } from './cudaRunnerIo.js';
import { ThreadPool } from './threadPool.js';
import { assertInteger, assertNumber } from './validate.js';

/**
 * How a runner moves request data into and out of tensor memory: the seam between backends.
 * The CPU backend's tensors live in host memory ({@link hostRunnerIo}); the cuda backend's live
 * in device memory, with uploads and downloads staged through pinned buffers (cuda.HostBuffer)
 * on the context's stream ({@link cudaRunnerIo}).
 */
export interface RunnerIo {
  /** A name for messages, e.g. 'host'. */
  readonly name: string;
  /** The stream of one context: a Stream on the CPU backend (with the runner's thread pool, if any), a cuda.Stream on the CUDA backend. */
  createStream(threadPool: ThreadPool | undefined): RunnerStream;
  /** Tensor memory of exactly `bytes` bytes: bound with setTensorAddress and given to setDeviceMemoryV2. */
  allocateTensorMemory(bytes: number): TensorBuffer;
  /** Whether a caller's buffer can be bound to a tensor as it is (zero copy). */
  canBind(buffer: TensorBuffer): boolean;
  /** Copies request bytes into tensor memory before the run (on `stream`, in order with it). */
  upload(dst: TensorBuffer, dstOffset: number, src: Uint8Array, stream: RunnerStream): void | Promise<void>;
  /** Copies output bytes out of tensor memory after the run. */
  download(src: TensorBuffer, srcOffset: number, dst: Uint8Array, stream: RunnerStream): void | Promise<void>;
  /**
   * (optional) Pinned host memory for staging. An io with it and {@link copyAsync} is
   * stream-ordered: the runner copies request bytes into pooled staging buffers, queues the
   * uploads, the run and the downloads on the context's stream without waiting in between, and
   * awaits them together (upload and download are then unused).
   */
  allocateStagingMemory?(bytes: number): TensorBuffer;
  /** (optional, with allocateStagingMemory) Queues a copy between two buffers on `stream`; resolves once it has run. */
  copyAsync?(dst: TensorBuffer, dstOffset: number, src: TensorBuffer, srcOffset: number, byteLength: number, stream: RunnerStream): Promise<void>;
}

/** A context's stream in a runner: CPU backend Stream or cuda.Stream. */
export type RunnerStream = Stream | CudaStream;

function hostBytes(buffer: TensorBuffer, offset: number, length: number): Uint8Array {
  const ab = buffer.nativeHandle.arrayBuffer();
  if (!ab) throw new TrtError(`a ${buffer.location} buffer is not host-visible (or was disposed)`, 'INVALID_ARGUMENT');
  return new Uint8Array(ab, offset, length);
}

/** The CPU backend's I/O: tensors in host memory, copies with memcpy, host-visible caller buffers bound as they are. */
export const hostRunnerIo: RunnerIo = {
  name: 'host',
  createStream: (threadPool) => new Stream(threadPool ? { threadPool } : {}),
  allocateTensorMemory: (bytes) => new HostBuffer(bytes),
  canBind: (buffer) => buffer.location !== 'device' && !buffer.disposed,
  upload: (dst, dstOffset, src) => {
    hostBytes(dst, dstOffset, src.byteLength).set(src);
  },
  download: (src, srcOffset, dst) => {
    dst.set(hostBytes(src, srcOffset, dst.byteLength));
  },
};

/** One input of {@link InferRunner.infer}: data (with its shape when a dim is dynamic). */
export type InferInput = TypedArray | TensorBuffer | { data: TypedArray | TensorBuffer; shape: readonly number[] };

/** Where an output goes: a TypedArray of the output's type (copied into) or a buffer (bound as tensor memory when possible: no copy). */
export type OutputTarget = TypedArray | TensorBuffer;

/** Options of {@link InferRunner.infer}. */
export interface InferOptions {
  /** Caller-provided output memory by output name; others get new arrays. */
  outputs?: Record<string, OutputTarget>;
  /** Aborting removes a queued request; a running one completes but its result is discarded. Rejects with ABORTED. */
  signal?: AbortSignal;
  /** Rejects with TIMEOUT when the request has not finished this many ms after infer() (queued: removed; running: result discarded). */
  timeoutMs?: number;
}

/** Outputs and their dims, from {@link InferRunner.inferWithShapes}. */
export interface InferResult {
  outputs: Record<string, TypedArray>;
  shapes: Record<string, number[]>;
}

/** Options of {@link InferRunner.create}. */
export interface InferRunnerOptions {
  /** Backend of the runtime that deserializes a file or bytes (default 'auto'; the plan must match it). */
  backend?: BackendChoice;
  logger?: Logger;
  /** Execution contexts, each with its own stream (default 2). */
  contexts?: number;
  /**
   * USER_MANAGED contexts over `slots` shared activation buffers sized for the largest profile
   * (NVIDIA/TensorRT#2040): at most `slots` contexts run at once. `true` means one slot.
   */
  sharedMemory?: boolean | { slots: number };
  /** The kernel pool of the runner's streams (default: the process-wide pool). */
  threadPool?: ThreadPool;
  /** Requests that may wait; one more is rejected with QUEUE_FULL (default 1024). */
  maxQueue?: number;
  /**
   * Dynamic batching, for engines whose inputs all have a dynamic batch dim 0 and whose outputs'
   * dim 0 follows it: queued requests with the same other dims are concatenated (up to
   * `maxBatch` rows), run once and split back. A request waits at most `maxQueueDelayMs`
   * (default 2) for others to join; Node timers fire after 1 ms at the soonest, so shorter delays
   * act as about 1 ms when a batch does not fill up.
   */
  batching?: { maxBatch: number; maxQueueDelayMs?: number };
  /** Tensor memory and copies (default: chosen from the engine's backend: {@link hostRunnerIo} or {@link cudaRunnerIo}). */
  io?: RunnerIo;
  /**
   * cuda backend: the allocator of the runner's device memory (tensors, shared activation
   * slots), and of the runtime that deserializes a file or bytes (weights, context arenas).
   * Default: the engine's runtime allocator, else cudaMalloc.
   */
  gpuAllocator?: GpuAllocator;
}

/** Latency percentiles, throughput and utilisation since creation or {@link InferRunner.resetMetrics}. */
export interface InferRunnerMetrics {
  completed: number;
  failed: number;
  aborted: number;
  timedOut: number;
  /** Rejected with QUEUE_FULL. */
  rejected: number;
  /** End-to-end latency (infer() to settle) of the last 8192 completed requests, in ms. */
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  /** Completed requests per second. */
  throughput: number;
  queueDepth: number;
  maxQueueDepth: number;
  /** Runs in flight. */
  running: number;
  /** Share of context time spent running, 0..1. */
  contextUtilisation: number;
  /** Engine runs and mean requests per run (above 1 only with batching). */
  runs: number;
  meanBatchSize: number;
  elapsedMs: number;
}

/** Pool counters of a runner: all back in their pools when idle. */
export interface InferRunnerStats {
  queued: number;
  running: number;
  contexts: ResourcePoolStats;
  /** Activation memory slots (sharedMemory only). */
  memory: ResourcePoolStats | null;
  /** Tensor memory for staged inputs and outputs (device memory on the cuda backend). */
  staging: BufferPoolStats;
  /** Pinned host staging (cuda backend), null for host tensors. */
  pinned: BufferPoolStats | null;
}

interface IoTensor {
  name: string;
  type: DataType;
  dims: number[];
  shapeInput: boolean;
  /** Per profile: [min, max] dims (inputs) or [min, max] values (shape tensor inputs). */
  ranges: Array<[number[], number[]]>;
}

interface NormalInput {
  shape: number[];
  bytes: Uint8Array | null;
  buffer: TensorBuffer | null;
}

type RequestState = 'queued' | 'running' | 'settled';

interface Request {
  inputs: NormalInput[];
  rows: number;
  key: string;
  profile: number;
  targets: Record<string, OutputTarget> | undefined;
  resolve(result: InferResult): void;
  reject(err: Error): void;
  site: Error;
  state: RequestState;
  start: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface Slot {
  buffer: TensorBuffer;
  size: number;
}

/** Where one output of one request is read from after the run. */
interface OutputSource {
  buffer: TensorBuffer | null;
  offset: number;
  bytes: number;
  dims: number[];
  /** Already in the caller's target (bound to it, or copied there on the stream). */
  written: boolean;
}

interface DataDependent {
  buffer: TensorBuffer | null;
  dims: number[];
}

interface Lane {
  index: number;
  context: ExecutionContext;
  stream: RunnerStream;
  profile: number;
  shapeSig: string;
  outDims: number[][];
  bound: Map<string, TensorBuffer | null>;
  /** The activation buffer last given to setDeviceMemoryV2 (slots may grow, replacing theirs). */
  slotBuffer: TensorBuffer | null;
  allocators: Set<string>;
  dds: Map<string, DataDependent>;
  busyMs: number;
}

const LATENCY_WINDOW = 8192;
const BATCH_SCAN = 256;

function volume(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Serves concurrent inference requests from a pool of execution contexts, each with its own
 * stream: the runner queues requests (bounded, FIFO), picks the optimization profile that fits
 * each request's shapes, stages data through reused buffers, optionally batches requests, and
 * keeps latency and utilisation metrics. Nothing runs on the JS thread but bookkeeping and
 * copies.
 *
 * @example
 * const runner = await InferRunner.create('model.engine', { contexts: 4, batching: { maxBatch: 16 } });
 * const { y } = await runner.infer({ x: new Float32Array(784) }, { timeoutMs: 100 });
 * console.log(runner.metrics().latencyMs.p99);
 * await runner.dispose();
 */
export class InferRunner {
  /** The engine (disposed with the runner unless it was passed in). */
  readonly engine: CudaEngine;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** The I/O seam in use. */
  readonly io: RunnerIo;
  private readonly ownsEngine: boolean;
  private readonly inputs: IoTensor[];
  private readonly outputs: IoTensor[];
  private readonly lanes: ResourcePool<Lane>;
  private readonly slots: ResourcePool<Slot> | null;
  private readonly staging: BufferPool;
  private readonly shapeStaging: BufferPool;
  /** Pinned staging of a stream-ordered io (null otherwise). */
  private readonly pinned: BufferPool | null;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly hasShapeInputs: boolean;
  private readonly ddsOutputs = new Set<string>();
  private queue: Request[] = [];
  private qHead = 0;
  private queued = 0;
  private running = 0;
  private batchTimer: ReturnType<typeof setTimeout> | undefined;
  private idleWaiters: Array<() => void> = [];
  private closing: Promise<void> | undefined;
  private readonly latencies = new Float64Array(LATENCY_WINDOW);
  private m = InferRunner.zeroCounters();

  private static zeroCounters() {
    return { latN: 0, latSum: 0, latMax: 0, completed: 0, failed: 0, aborted: 0, timedOut: 0, rejected: 0, runs: 0, batched: 0, maxQueue: 0, since: performance.now() };
  }

  /**
   * Loads an engine and creates the contexts.
   *
   * @param source an engine file path, plan bytes, or a CudaEngine (which the runner then does not dispose)
   * @throws TypeError / RangeError for bad options; TrtError PLAN_CORRUPT, PLAN_INCOMPATIBLE,
   *   UNSUPPORTED (a backend whose runner I/O is not built yet, or batching on an engine without
   *   a batch dim)
   * @example
   * const runner = await InferRunner.create(fs.readFileSync('mlp.engine'), { backend: 'cpu', contexts: 2 });
   */
  static async create(source: string | Uint8Array | ArrayBuffer | HostMemory | CudaEngine, options: InferRunnerOptions = {}): Promise<InferRunner> {
    let engine: CudaEngine;
    let owns = true;
    if (source instanceof CudaEngine) {
      if (source.disposed) throw new TrtError('InferRunner.create: the engine has been disposed', 'DISPOSED');
      engine = source;
      owns = false;
    } else {
      let bytes: Uint8Array | ArrayBuffer | HostMemory;
      if (typeof source === 'string') bytes = await fsp.readFile(source);
      else if (source instanceof Uint8Array || source instanceof ArrayBuffer || source instanceof HostMemory) bytes = source;
      else throw invalidType('an engine file path, plan bytes or a CudaEngine', 'source', source);
      const runtime = new Runtime(options.logger ?? getDefaultLogger(), { backend: options.backend ?? 'auto' });
      try {
        if (options.gpuAllocator !== undefined) runtime.setGpuAllocator(options.gpuAllocator);
        engine = await runtime.deserializeCudaEngineAsync(bytes);
      } finally {
        runtime.dispose();
      }
    }
    try {
      return new InferRunner(engine, owns, options);
    } catch (err) {
      if (owns) engine.dispose();
      throw err;
    }
  }

  private constructor(engine: CudaEngine, ownsEngine: boolean, options: InferRunnerOptions) {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const contexts = options.contexts ?? 2;
    assertInteger(contexts, 'options.contexts', 1, 256);
    const maxQueue = options.maxQueue ?? 1024;
    if (maxQueue !== Infinity) assertInteger(maxQueue, 'options.maxQueue', 0);
    if (options.threadPool !== undefined && !(options.threadPool instanceof ThreadPool)) throw invalidType('a ThreadPool', 'options.threadPool', options.threadPool);
    let slots = 0;
    if (options.sharedMemory === true) slots = 1;
    else if (typeof options.sharedMemory === 'object' && options.sharedMemory !== null) {
      assertInteger(options.sharedMemory.slots, 'options.sharedMemory.slots', 1, contexts);
      slots = options.sharedMemory.slots;
    } else if (options.sharedMemory !== undefined && options.sharedMemory !== false) {
      throw invalidType('a boolean or { slots }', 'options.sharedMemory', options.sharedMemory);
    }
    this.engine = engine;
    this.ownsEngine = ownsEngine;
    this.maxQueue = maxQueue;
    if (options.gpuAllocator !== undefined && !(options.gpuAllocator instanceof GpuAllocator)) throw invalidType('a built-in GPU allocator', 'options.gpuAllocator', options.gpuAllocator);
    if (options.io !== undefined) {
      const io = options.io;
      if (typeof io !== 'object' || io === null || typeof io.allocateTensorMemory !== 'function' || typeof io.upload !== 'function' || typeof io.download !== 'function' || typeof io.canBind !== 'function' || typeof io.createStream !== 'function') {
        throw invalidType('a RunnerIo', 'options.io', io);
      }
      if ((io.allocateStagingMemory === undefined) !== (io.copyAsync === undefined)) throw invalidType('a RunnerIo with both allocateStagingMemory and copyAsync, or neither', 'options.io', io);
      this.io = io;
    } else if (engine.backend === 'cpu') {
      this.io = hostRunnerIo;
    } else if (engine._onDevice) {
      this.io = cudaRunnerIo({ allocator: options.gpuAllocator ?? engine._gpuAllocator });
    } else {
      throw new TrtError(`InferRunner: runner I/O for the '${engine.backend}' backend is not built yet; pass options.io`, 'UNSUPPORTED');
    }

    const ins: IoTensor[] = [];
    const outs: IoTensor[] = [];
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      const t: IoTensor = { name, type: engine.getTensorDataType(name), dims: engine.getTensorShape(name), shapeInput: false, ranges: [] };
      if (engine.getTensorIOMode(name) === TensorIOMode.INPUT) {
        t.shapeInput = engine.isShapeInferenceIO(name);
        for (let p = 0; p < engine.numOptimizationProfiles; p += 1) {
          t.ranges.push(t.shapeInput
            ? [engine.getProfileTensorValuesV2(name, p, OptProfileSelector.MIN), engine.getProfileTensorValuesV2(name, p, OptProfileSelector.MAX)]
            : [engine.getProfileShape(name, p, OptProfileSelector.MIN), engine.getProfileShape(name, p, OptProfileSelector.MAX)]);
        }
        ins.push(t);
      } else {
        outs.push(t);
      }
    }
    this.inputs = ins;
    this.outputs = outs;
    this.inputNames = ins.map((t) => t.name);
    this.outputNames = outs.map((t) => t.name);
    this.hasShapeInputs = ins.some((t) => t.shapeInput);

    if (options.batching !== undefined) {
      const b = options.batching;
      if (typeof b !== 'object' || b === null) throw invalidType('{ maxBatch, maxQueueDelayMs? }', 'options.batching', b);
      assertInteger(b.maxBatch, 'options.batching.maxBatch', 1);
      const delay = b.maxQueueDelayMs ?? 2;
      assertNumber(delay, 'options.batching.maxQueueDelayMs');
      if (delay < 0) throw invalidValue('a number >= 0', 'options.batching.maxQueueDelayMs', delay);
      this.checkBatchable(b.maxBatch);
      this.maxBatch = b.maxBatch;
      this.maxDelayMs = delay;
    } else {
      this.maxBatch = 0;
      this.maxDelayMs = 0;
    }

    this.staging = new BufferPool((bytes) => this.io.allocateTensorMemory(bytes));
    const stagingMemory = this.io.allocateStagingMemory?.bind(this.io);
    this.pinned = stagingMemory ? new BufferPool(stagingMemory) : null;
    // Shape tensor values are read by the host when shapes are resolved, on every backend.
    this.shapeStaging = new BufferPool((bytes) => new HostBuffer(bytes));
    const strategy = slots > 0 ? ExecutionContextAllocationStrategy.USER_MANAGED : ExecutionContextAllocationStrategy.STATIC;
    const lanes: Lane[] = [];
    try {
      for (let i = 0; i < contexts; i += 1) {
        const context = engine.createExecutionContext(strategy);
        context.name = `InferRunner context ${i}`;
        const stream = this.io.createStream(options.threadPool);
        lanes.push({ index: i, context, stream, profile: 0, shapeSig: '', outDims: [], bound: new Map(), slotBuffer: null, allocators: new Set(), dds: new Map(), busyMs: 0 });
      }
    } catch (err) {
      for (const l of lanes) InferRunner.destroyLane(l);
      throw err;
    }
    this.lanes = new ResourcePool(lanes, { name: 'InferRunner contexts', destroy: InferRunner.destroyLane });
    if (slots > 0) {
      // Sized for the largest profile, so any context can run any request on any slot.
      const size = Math.max(engine.getDeviceMemorySizeV2(), 1);
      const list: Slot[] = [];
      try {
        for (let i = 0; i < slots; i += 1) list.push({ buffer: this.io.allocateTensorMemory(size), size });
      } catch (err) {
        // e.g. OUT_OF_MEMORY from the allocator: give back what was made so far.
        for (const s of list) (s.buffer as TensorBuffer & { dispose?(): void }).dispose?.();
        for (const l of lanes) InferRunner.destroyLane(l);
        throw err;
      }
      this.slots = new ResourcePool(list, { name: 'InferRunner memory slots', destroy: (s) => (s.buffer as TensorBuffer & { dispose?(): void }).dispose?.() });
    } else {
      this.slots = null;
    }
  }

  private static destroyLane(lane: Lane): void {
    lane.context.dispose();
    lane.stream.dispose();
  }

  /** Batching needs every input batched on dim 0 and every output's dim 0 to follow it. */
  private checkBatchable(maxBatch: number): void {
    const refuse = (why: string): never => {
      throw new TrtError(`InferRunner: dynamic batching needs ${why}`, 'UNSUPPORTED');
    };
    if (this.hasShapeInputs) refuse('an engine without shape tensor inputs');
    for (const t of [...this.inputs, ...this.outputs]) {
      if (isPackedDataType(t.type)) refuse(`byte-addressable tensors ('${t.name}' is packed ${DataType[t.type]})`);
      if (t.dims.length === 0) refuse(`a batch dim 0 on every tensor ('${t.name}' is a scalar)`);
    }
    for (const t of this.inputs) if (t.dims[0] !== -1) refuse(`a dynamic dim 0 on every input ('${t.name}' has ${JSON.stringify(t.dims)})`);
    if (!this.inputs.some((t) => t.ranges.some(([, max]) => max[0]! >= maxBatch))) {
      throw invalidValue('a maxBatch within a profile\'s MAX batch', 'options.batching.maxBatch', maxBatch);
    }
    // Outputs must follow the batch dim: probe each profile at its MIN and MAX.
    const probe = this.engine.createExecutionContext(ExecutionContextAllocationStrategy.USER_MANAGED);
    try {
      for (let p = 0; p < this.engine.numOptimizationProfiles; p += 1) {
        probe.setOptimizationProfileAsync(p);
        for (const corner of [0, 1] as const) {
          const rows = this.inputs[0]!.ranges[p]![corner][0]!;
          for (const t of this.inputs) probe.setInputShape(t.name, [rows, ...t.ranges[p]![corner].slice(1)]);
          for (const t of this.outputs) {
            const dims = probe.getTensorShape(t.name);
            if (dims[0] !== rows) refuse(`outputs whose dim 0 is the batch ('${t.name}' has dims ${JSON.stringify(dims)} for a batch of ${rows})`);
          }
        }
      }
    } finally {
      probe.dispose();
    }
  }

  /**
   * Runs one request and resolves with every output (new arrays, or the caller's targets from
   * `options.outputs`).
   *
   * Inputs: a TypedArray (copied into a pooled staging buffer), or a buffer (bound as tensor
   * memory without a copy when the backend can, e.g. a HostBuffer on the CPU backend), or
   * `{ data, shape }` when the engine has dynamic dims (a single dynamic dim is inferred from
   * the element count). The optimization profile whose MIN/MAX contain the shapes is used.
   *
   * After an abort or timeout of a running request, its caller-provided output buffers may
   * still be written until the run finishes (a run cannot be stopped, NVIDIA/TensorRT#1184).
   *
   * @throws TypeError / RangeError (bad inputs, no profile fits); TrtError QUEUE_FULL, ABORTED,
   *   TIMEOUT, DISPOSED, and execution failures
   * @example
   * const { y } = await runner.infer({ x: { data: pixels, shape: [1, 3, 224, 224] } }, { signal: req.signal });
   */
  infer(inputs: Record<string, InferInput>, options: InferOptions = {}): Promise<Record<string, TypedArray>> {
    return this.inferWithShapes(inputs, options).then((r) => r.outputs);
  }

  /**
   * {@link infer}, also giving each output's dims (needed for dynamic and data-dependent outputs).
   *
   * @throws as {@link infer}
   * @example
   * const { outputs, shapes } = await runner.inferWithShapes({ scores });
   * console.log(shapes.indices); // e.g. [17, 3]
   */
  inferWithShapes(inputs: Record<string, InferInput>, options: InferOptions = {}): Promise<InferResult> {
    const site = captureCallSite();
    let req: Request;
    try {
      if (this.closing) throw new TrtError('InferRunner has been disposed', 'DISPOSED');
      req = this.prepare(inputs, options, site);
    } catch (err) {
      return Promise.reject(atCallSite(err as Error, site));
    }
    const { signal, timeoutMs } = options;
    if (signal?.aborted) {
      this.m.aborted += 1;
      return Promise.reject(atCallSite(new TrtError('InferRunner: request aborted', 'ABORTED', { cause: signal.reason }), site));
    }
    const promise = new Promise<InferResult>((resolve, reject) => {
      req.resolve = resolve;
      req.reject = reject;
    });
    this.queue.push(req);
    this.queued += 1;
    this.pump();
    if (req.state === 'queued' && this.queued > this.maxQueue) {
      // It would wait behind maxQueue others: refuse it now (backpressure), not later.
      this.queued -= 1;
      this.m.rejected += 1;
      this.settle(req);
      req.reject(atCallSite(new TrtError(`InferRunner: the queue is full (${this.queued} requests wait, maxQueue ${this.maxQueue}); retry later or add contexts`, 'QUEUE_FULL'), site));
      return promise;
    }
    if (this.queued > this.m.maxQueue) this.m.maxQueue = this.queued;
    if (req.state === 'settled') return promise;
    if (signal) {
      req.signal = signal;
      req.onAbort = () => this.cancel(req, new TrtError('InferRunner: request aborted', 'ABORTED', { cause: signal.reason }), 'aborted');
      signal.addEventListener('abort', req.onAbort, { once: true });
    }
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
      req.timer = setTimeout(() => this.cancel(req, new TrtError(`InferRunner: request did not finish within ${timeoutMs} ms`, 'TIMEOUT'), 'timedOut'), timeoutMs);
    }
    return promise;
  }

  /** Validates and normalises one request (synchronously, so errors name the caller's arguments). */
  private prepare(inputs: Record<string, InferInput>, options: InferOptions, site: Error): Request {
    if (typeof inputs !== 'object' || inputs === null) throw invalidType('an object of inputs by name', 'inputs', inputs);
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalidType('an AbortSignal', 'options.signal', options.signal);
    if (options.timeoutMs !== undefined) {
      assertNumber(options.timeoutMs, 'options.timeoutMs');
      if (options.timeoutMs < 0) throw invalidValue('a number >= 0', 'options.timeoutMs', options.timeoutMs);
    }
    const normal: NormalInput[] = [];
    for (const t of this.inputs) {
      const given = inputs[t.name];
      if (given === undefined) throw invalidValue(`an input named '${t.name}'`, 'inputs', inputs);
      normal.push(this.normaliseInput(t, given));
    }
    for (const name of Object.keys(inputs)) {
      if (!this.inputNames.includes(name)) throw invalidValue(`input names (${this.inputNames.map((n) => `'${n}'`).join(', ')})`, `inputs.${name}`, inputs[name]);
    }
    let targets: Record<string, OutputTarget> | undefined;
    if (options.outputs !== undefined) {
      if (typeof options.outputs !== 'object' || options.outputs === null) throw invalidType('an object of output targets by name', 'options.outputs', options.outputs);
      targets = options.outputs;
      for (const [name, target] of Object.entries(targets)) {
        const t = this.outputs.find((o) => o.name === name);
        if (!t) throw invalidValue(`output names (${this.outputNames.map((n) => `'${n}'`).join(', ')})`, `options.outputs.${name}`, target);
        if (isTensorBuffer(target)) {
          if (target.disposed) throw new TrtError(`options.outputs.${name}: the buffer has been disposed`, 'DISPOSED');
        } else if (!(target instanceof typedArrayFor(t.type))) {
          throw invalidType(`a ${typedArrayFor(t.type).name} or a tensor buffer`, `options.outputs.${name}`, target);
        }
      }
    }
    const shapes = normal.map((n) => n.shape);
    const profile = this.pickProfile(shapes, normal);
    if (profile < 0) {
      throw invalidValue(`input shapes within an optimization profile's MIN/MAX (${this.describeProfiles()})`, 'inputs', Object.fromEntries(this.inputNames.map((n, i) => [n, shapes[i]])));
    }
    let key = '';
    let rows = 1;
    if (this.maxBatch > 0) {
      rows = shapes[0]![0]!;
      for (const s of shapes) {
        if (s[0] !== rows) throw invalidValue(`the same batch dim 0 (${rows}) on every input`, 'inputs', Object.fromEntries(this.inputNames.map((n, i) => [n, shapes[i]])));
        key += `${s.slice(1).join('x')}|`;
      }
    }
    return {
      inputs: normal, rows, key, profile, targets,
      resolve: () => {}, reject: () => {}, site, state: 'queued', start: performance.now(), signal: undefined, onAbort: undefined, timer: undefined,
    };
  }

  private normaliseInput(t: IoTensor, given: InferInput): NormalInput {
    let data: TypedArray | TensorBuffer;
    let shape: number[] | undefined;
    if (ArrayBuffer.isView(given) || isTensorBuffer(given)) {
      data = given;
    } else if (typeof given === 'object' && given !== null && 'data' in given) {
      data = given.data;
      if (!Array.isArray(given.shape) || given.shape.some((d) => !Number.isInteger(d) || d < 0)) throw invalidType('an array of dims >= 0', `inputs.${t.name}.shape`, given.shape);
      shape = [...given.shape];
    } else {
      throw invalidType('a TypedArray, a tensor buffer or { data, shape }', `inputs.${t.name}`, given);
    }
    const isBuffer = isTensorBuffer(data);
    if (!isBuffer && !ArrayBuffer.isView(data)) throw invalidType('a TypedArray or a tensor buffer', `inputs.${t.name}.data`, data);
    if (isTensorBuffer(data) && data.disposed) throw new TrtError(`inputs.${t.name}: the buffer has been disposed`, 'DISPOSED');
    const byteLength = data.byteLength;
    if (!shape) {
      const dynamic = t.dims.filter((d) => d < 0).length;
      if (dynamic === 0) shape = [...t.dims];
      else if (dynamic === 1 && !isPackedDataType(t.type)) {
        const known = volume(t.dims.filter((d) => d >= 0));
        const count = byteLength / dataTypeSize(t.type);
        const missing = known === 0 ? 0 : count / known;
        if (!Number.isInteger(missing)) throw invalidValue(`a whole number of ${JSON.stringify(t.dims)} rows`, `inputs.${t.name}`, data);
        shape = t.dims.map((d) => (d < 0 ? missing : d));
      } else {
        throw invalidValue(`{ data, shape } (input '${t.name}' has dims ${JSON.stringify(t.dims)})`, `inputs.${t.name}`, data);
      }
    } else if (shape.length !== t.dims.length || shape.some((d, i) => t.dims[i]! >= 0 && t.dims[i] !== d)) {
      throw invalidValue(`a shape matching ${JSON.stringify(t.dims)}`, `inputs.${t.name}.shape`, shape);
    }
    const need = byteSizeOf(t.type, volume(shape));
    if (byteLength < need) throw invalidValue(`at least ${need} bytes for shape ${JSON.stringify(shape)} (${DataType[t.type]})`, `inputs.${t.name}`, data);
    if (isBuffer) return { shape, bytes: null, buffer: data as TensorBuffer };
    const view = data as TypedArray;
    return { shape, bytes: new Uint8Array(view.buffer, view.byteOffset, need), buffer: null };
  }

  /** The first profile whose MIN/MAX (and shape tensor value ranges) contain the request; -1 if none. */
  private pickProfile(shapes: number[][], normal?: NormalInput[]): number {
    const profiles = this.engine.numOptimizationProfiles;
    outer: for (let p = 0; p < profiles; p += 1) {
      for (let i = 0; i < this.inputs.length; i += 1) {
        const t = this.inputs[i]!;
        const [min, max] = t.ranges[p]!;
        if (t.shapeInput) {
          const values = normal ? this.shapeValues(t, normal[i]!) : null;
          if (values && values.some((v, k) => v < min[k]! || v > max[k]!)) continue outer;
          continue;
        }
        const s = shapes[i]!;
        for (let d = 0; d < s.length; d += 1) if (s[d]! < min[d]! || s[d]! > max[d]!) continue outer;
      }
      return p;
    }
    return -1;
  }

  private shapeValues(t: IoTensor, input: NormalInput): number[] | null {
    const count = volume(input.shape);
    const bytes = input.bytes ?? (input.buffer && input.buffer.nativeHandle.arrayBuffer() ? hostBytes(input.buffer, 0, byteSizeOf(t.type, count)) : null);
    if (!bytes) return null;
    const copy = bytes.slice();
    if (t.type === DataType.INT64) return Array.from(new BigInt64Array(copy.buffer, 0, count), Number);
    if (t.type === DataType.INT32) return Array.from(new Int32Array(copy.buffer, 0, count));
    return null;
  }

  private describeProfiles(): string {
    const parts: string[] = [];
    for (let p = 0; p < this.engine.numOptimizationProfiles; p += 1) {
      parts.push(`profile ${p}: ${this.inputs.filter((t) => !t.shapeInput).map((t) => `${t.name} ${JSON.stringify(t.ranges[p]![0])}..${JSON.stringify(t.ranges[p]![1])}`).join(', ')}`);
    }
    return parts.join('; ');
  }

  /** Removes a queued request or discards a running one's result. */
  private cancel(req: Request, err: TrtError, counter: 'aborted' | 'timedOut'): void {
    if (req.state === 'settled') return;
    if (req.state === 'queued') {
      this.queued -= 1;
      this.compact();
    }
    this.m[counter] += 1;
    this.settle(req);
    req.reject(atCallSite(err, req.site));
    this.checkIdle();
  }

  private settle(req: Request): void {
    req.state = 'settled';
    if (req.timer !== undefined) clearTimeout(req.timer);
    if (req.signal && req.onAbort) req.signal.removeEventListener('abort', req.onAbort);
  }

  private compact(): void {
    while (this.qHead < this.queue.length && this.queue[this.qHead]!.state !== 'queued') this.qHead += 1;
    if (this.qHead === this.queue.length) {
      this.queue = [];
      this.qHead = 0;
    } else if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
  }

  /** Starts runs while requests wait and a context (and a memory slot) is free. */
  private pump(): void {
    while (this.queued > 0 && this.lanes.available > 0 && (!this.slots || this.slots.available > 0)) {
      this.compact();
      const batch = this.gather();
      if (!batch) return;
      const lane = this.lanes.tryAcquire();
      if (!lane) return;
      let slot: Lease<Slot> | null = null;
      if (this.slots) {
        slot = this.slots.tryAcquire();
        if (!slot) {
          lane.release();
          return;
        }
      }
      for (const r of batch) {
        r.state = 'running';
        this.queued -= 1;
      }
      this.running += 1;
      void this.run(lane, slot, batch);
    }
  }

  /** The next requests to run together, or null to wait for more to join (batching delay). */
  private gather(): Request[] | null {
    const head = this.queue[this.qHead]!;
    if (this.maxBatch === 0) return [head];
    const batch = [head];
    let rows = head.rows;
    const end = Math.min(this.queue.length, this.qHead + BATCH_SCAN);
    const shapes = head.inputs.map((n) => n.shape);
    for (let i = this.qHead + 1; i < end && rows < this.maxBatch; i += 1) {
      const r = this.queue[i]!;
      if (r.state !== 'queued' || r.key !== head.key || rows + r.rows > this.maxBatch) continue;
      if (this.pickProfile(shapes.map((s) => [rows + r.rows, ...s.slice(1)])) < 0) continue;
      batch.push(r);
      rows += r.rows;
    }
    if (rows >= this.maxBatch || this.closing) return batch;
    const waited = performance.now() - head.start;
    if (waited >= this.maxDelayMs) return batch;
    if (this.batchTimer === undefined) {
      this.batchTimer = setTimeout(() => {
        this.batchTimer = undefined;
        this.pump();
      }, Math.max(0, this.maxDelayMs - waited));
    }
    return null;
  }

  private async run(laneLease: Lease<Lane>, slotLease: Lease<Slot> | null, batch: Request[]): Promise<void> {
    const lane = laneLease.value;
    const t0 = performance.now();
    const taken: Array<[BufferPool, TensorBuffer]> = [];
    const take = (pool: BufferPool, bytes: number): TensorBuffer => {
      const b = pool.acquire(Math.max(bytes, 1));
      taken.push([pool, b]);
      return b;
    };
    // Stream-ordered io: copies and the run queued on the lane's stream; every one of them is
    // awaited before any buffer goes back to its pool (a failed run must not free memory a
    // queued copy still uses).
    const ordered = this.pinned !== null;
    const queued: Array<Promise<unknown>> = [];
    try {
      const ctx = lane.context;
      const single = batch.length === 1 ? batch[0]! : null;
      const rows = single ? single.rows : batch.reduce((n, r) => n + r.rows, 0);
      const head = batch[0]!;
      const shapes = single ? head.inputs.map((n) => n.shape) : head.inputs.map((n) => [rows, ...n.shape.slice(1)]);
      const profile = single ? head.profile : this.pickProfile(shapes);
      if (lane.profile !== profile) {
        ctx.setOptimizationProfileAsync(profile);
        lane.profile = profile;
        lane.shapeSig = '';
      }
      let sig = '';
      for (const s of shapes) sig += `${s.join(',')};`;
      if (this.hasShapeInputs) sig = ''; // values, not only dims, decide output shapes
      const shapesChanged = sig === '' || sig !== lane.shapeSig;

      // Inputs: bind the caller's buffer as it is, or stage the bytes of every request.
      for (let i = 0; i < this.inputs.length; i += 1) {
        const t = this.inputs[i]!;
        if (shapesChanged) ctx.setInputShape(t.name, shapes[i]!);
        const given = head.inputs[i]!;
        let mem: TensorBuffer;
        if (single && given.buffer && (t.shapeInput ? given.buffer.nativeHandle.arrayBuffer() !== null : this.io.canBind(given.buffer))) {
          mem = given.buffer;
        } else {
          const total = byteSizeOf(t.type, volume(shapes[i]!));
          mem = take(t.shapeInput ? this.shapeStaging : this.staging, total);
          if (ordered && !t.shapeInput) {
            this.stageInput(mem, batch, i, t.type, total, lane.stream, take, queued);
          } else {
            let offset = 0;
            for (const r of batch) {
              const n = r.inputs[i]!;
              const len = byteSizeOf(t.type, volume(n.shape));
              const src = n.bytes ?? hostBytes(n.buffer!, 0, len);
              if (t.shapeInput) hostBytes(mem, offset, len).set(src);
              else {
                const pending = this.io.upload(mem, offset, src, lane.stream);
                if (pending) await pending;
              }
              offset += len;
            }
          }
        }
        this.bind(lane, t.name, mem);
      }

      // Outputs: sizes follow from the shapes, except data-dependent ones (output allocator).
      if (shapesChanged) {
        lane.outDims = this.outputs.map((t) => ctx.getTensorShape(t.name));
        lane.shapeSig = sig;
      }
      const outMem: Array<TensorBuffer | null> = [];
      const direct: boolean[] = [];
      for (let o = 0; o < this.outputs.length; o += 1) {
        const t = this.outputs[o]!;
        const dims = lane.outDims[o]!;
        if (this.ddsOutputs.has(t.name) || dims.some((d) => d < 0)) {
          this.ddsOutputs.add(t.name);
          this.useAllocator(lane, t.name);
          outMem.push(null);
          direct.push(false);
          continue;
        }
        const bytes = byteSizeOf(t.type, volume(dims));
        const target = single?.targets?.[t.name];
        if (target && isTensorBuffer(target) && !target.disposed && this.io.canBind(target) && target.byteLength >= bytes) {
          this.bind(lane, t.name, target);
          outMem.push(target);
          direct.push(true);
        } else {
          const mem = take(this.staging, bytes);
          this.bind(lane, t.name, mem);
          outMem.push(mem);
          direct.push(false);
        }
      }

      if (slotLease) {
        const slot = slotLease.value;
        const need = this.hasShapeInputs ? ctx.updateDeviceMemorySizeForShapes() : slot.size;
        if (need > slot.buffer.byteLength) {
          (slot.buffer as TensorBuffer & { dispose?(): void }).dispose?.();
          slot.buffer = this.io.allocateTensorMemory(need);
          slot.size = need;
        }
        if (lane.slotBuffer !== slot.buffer || this.hasShapeInputs) {
          ctx.setDeviceMemoryV2(slot.buffer, Math.max(need, slot.size));
          lane.slotBuffer = slot.buffer;
        }
      }

      lane.dds.clear();
      this.m.runs += 1;
      this.m.batched += batch.length;
      // Where each request's outputs come from after the run.
      let sources: Array<Array<OutputSource | Error>>;
      if (ordered) {
        queued.push(ctx._enqueue(lane.stream));
        sources = this.queueDownloads(batch, outMem, direct, lane, take, queued);
        const settled = await Promise.allSettled(queued);
        queued.length = 0;
        for (const s of settled) if (s.status === 'rejected') throw s.reason;
      } else {
        await ctx._enqueue(lane.stream);
        sources = this.hostSources(batch, outMem, direct, lane);
      }

      // Split the outputs back to each request.
      for (let k = 0; k < batch.length; k += 1) {
        const r = batch[k]!;
        if (r.state !== 'running') continue;
        const outputs: Record<string, TypedArray> = {};
        const outShapes: Record<string, number[]> = {};
        try {
          for (let o = 0; o < this.outputs.length; o += 1) {
            const t = this.outputs[o]!;
            const src = sources[k]![o]!;
            if (src instanceof Error) throw src;
            outShapes[t.name] = src.dims;
            outputs[t.name] = await this.deliver(t, r.targets?.[t.name], src, lane.stream);
          }
        } catch (err) {
          this.fail(r, err as Error);
          continue;
        }
        this.complete(r, { outputs, shapes: outShapes });
      }
    } catch (err) {
      lane.shapeSig = ''; // the context's state is unknown: set everything again next time
      for (const r of batch) if (r.state === 'running') this.fail(r, err as Error, batch.length > 1);
    } finally {
      if (queued.length > 0) await Promise.allSettled(queued);
      for (const d of lane.dds.values()) if (d.buffer) taken.push([this.staging, d.buffer]);
      lane.dds.clear();
      // Reverse order: the next run pops the same buffers for the same tensors, so their
      // addresses need not be bound again.
      for (let i = taken.length - 1; i >= 0; i -= 1) taken[i]![0].release(taken[i]![1]);
      lane.busyMs += performance.now() - t0;
      slotLease?.release();
      laneLease.release();
      this.running -= 1;
      this.pump();
      this.checkIdle();
    }
  }

  /**
   * Stream-ordered io: gathers input `i` of every request of `batch` into `mem`. Host bytes go
   * through one pinned staging buffer and one copy per contiguous range; pinned, device and
   * unified buffers are copied on the stream directly.
   */
  private stageInput(mem: TensorBuffer, batch: Request[], i: number, type: DataType, total: number, stream: RunnerStream, take: (pool: BufferPool, bytes: number) => TensorBuffer, queued: Array<Promise<unknown>>): void {
    const copy = this.io.copyAsync!.bind(this.io);
    let pin: Uint8Array | null = null;
    let pinBuffer: TensorBuffer | null = null;
    let rangeStart = -1;
    let offset = 0;
    const flush = () => {
      if (rangeStart >= 0 && offset > rangeStart) queued.push(copy(mem, rangeStart, pinBuffer!, rangeStart, offset - rangeStart, stream));
      rangeStart = -1;
    };
    for (const r of batch) {
      const n = r.inputs[i]!;
      const len = byteSizeOf(type, volume(n.shape));
      if (n.buffer && n.buffer.location !== 'host') {
        flush();
        if (len > 0) queued.push(copy(mem, offset, n.buffer, 0, len, stream));
      } else {
        if (!pin) {
          pinBuffer = take(this.pinned!, total);
          pin = hostBytes(pinBuffer, 0, total);
        }
        pin.set(n.bytes ?? hostBytes(n.buffer!, 0, len), offset);
        if (rangeStart < 0) rangeStart = offset;
      }
      offset += len;
    }
    flush();
  }

  /**
   * Stream-ordered io: queues, right after the run, the copies of every output to where each
   * request wants it: caller device, unified and pinned buffers directly, everything else into
   * one pinned buffer per output that is split on the host once the stream has run.
   */
  private queueDownloads(batch: Request[], outMem: Array<TensorBuffer | null>, direct: boolean[], lane: Lane, take: (pool: BufferPool, bytes: number) => TensorBuffer, queued: Array<Promise<unknown>>): Array<Array<OutputSource | Error>> {
    const copy = this.io.copyAsync!.bind(this.io);
    const sources = this.hostSources(batch, outMem, direct, lane);
    for (let o = 0; o < this.outputs.length; o += 1) {
      const mem = outMem[o];
      if (!mem || direct[o]) continue;
      const t = this.outputs[o]!;
      let lo = Infinity;
      let hi = 0;
      for (let k = 0; k < batch.length; k += 1) {
        const src = sources[k]![o]!;
        if (src instanceof Error || src.bytes === 0) continue;
        const target = batch[k]!.targets?.[t.name];
        if (target && isTensorBuffer(target)) {
          if (target.disposed) {
            sources[k]![o] = new TrtError(`options.outputs.${t.name}: the buffer has been disposed`, 'DISPOSED');
            continue;
          }
          if (target.byteLength < src.bytes) {
            sources[k]![o] = invalidValue(`a buffer of at least ${src.bytes} bytes`, `options.outputs.${t.name}`, target);
            continue;
          }
          if (target.location !== 'host') {
            queued.push(copy(target, 0, mem, src.offset, src.bytes, lane.stream));
            src.written = true;
            continue;
          }
        }
        lo = Math.min(lo, src.offset);
        hi = Math.max(hi, src.offset + src.bytes);
      }
      if (hi <= lo) continue;
      const pinBuffer = take(this.pinned!, hi);
      queued.push(copy(pinBuffer, lo, mem, lo, hi - lo, lane.stream));
      for (const row of sources) {
        const src = row[o]!;
        if (!(src instanceof Error) && !src.written) src.buffer = pinBuffer;
      }
    }
    return sources;
  }

  /** Per request and output: the buffer, byte range and dims its result is read from. */
  private hostSources(batch: Request[], outMem: Array<TensorBuffer | null>, direct: boolean[], lane: Lane): Array<Array<OutputSource | Error>> {
    const single = batch.length === 1;
    const sources: Array<Array<OutputSource | Error>> = [];
    let rowOffset = 0;
    for (const r of batch) {
      const row: Array<OutputSource | Error> = [];
      for (let o = 0; o < this.outputs.length; o += 1) {
        const t = this.outputs[o]!;
        if (outMem[o] === null) {
          const d = lane.dds.get(t.name);
          row.push(d ? { buffer: d.buffer, offset: 0, bytes: byteSizeOf(t.type, volume(d.dims)), dims: d.dims, written: false } : new TrtError(`output '${t.name}' was not delivered by the run`, 'INTERNAL_ERROR'));
          continue;
        }
        const all = lane.outDims[o]!;
        const dims = single ? all : [r.rows, ...all.slice(1)];
        const offset = single ? 0 : byteSizeOf(t.type, rowOffset * volume(all.slice(1)));
        row.push({ buffer: outMem[o]!, offset, bytes: byteSizeOf(t.type, volume(dims)), dims, written: direct[o]! && single });
      }
      sources.push(row);
      rowOffset += r.rows;
    }
    return sources;
  }

  /** Copies (or, for a target already written, views) one output of one request. */
  private async deliver(t: IoTensor, target: OutputTarget | undefined, src: OutputSource, stream: RunnerStream): Promise<TypedArray> {
    const Ctor = typedArrayFor(t.type);
    const { bytes } = src;
    const length = isPackedDataType(t.type) ? bytes : volume(src.dims);
    // After a stream-ordered download, the bytes are in pinned host memory.
    const io = this.pinned ? hostRunnerIo : this.io;
    if (target && isTensorBuffer(target)) {
      if (!src.written) {
        if (target.byteLength < bytes) throw invalidValue(`a buffer of at least ${bytes} bytes`, `options.outputs.${t.name}`, target);
        if (src.buffer && bytes > 0) {
          const dst = hostBytes(target, 0, bytes);
          const pending = io.download(src.buffer, src.offset, dst, stream);
          if (pending) await pending;
        }
      }
      // Device memory has no host view: the result is in the caller's buffer, the array is empty.
      const ab = target.nativeHandle.arrayBuffer();
      return ab ? new Ctor(ab, 0, length) : new Ctor(new ArrayBuffer(0));
    }
    let out: TypedArray;
    if (target) {
      if (target.length < length) throw invalidValue(`a ${Ctor.name} of at least ${length} elements`, `options.outputs.${t.name}`, target);
      out = target.length === length ? target : (target.subarray(0, length) as TypedArray);
    } else {
      out = new Ctor(new ArrayBuffer(Math.max(bytes, length * Ctor.BYTES_PER_ELEMENT)), 0, length);
    }
    if (src.buffer && bytes > 0) {
      const pending = io.download(src.buffer, src.offset, new Uint8Array(out.buffer, out.byteOffset, bytes), stream);
      if (pending) await pending;
    }
    return out;
  }
  private bind(lane: Lane, name: string, buffer: TensorBuffer): void {
    if (lane.bound.get(name) === buffer) return;
    lane.context.setTensorAddress(name, buffer);
    lane.bound.set(name, buffer);
  }

  /** Routes a data-dependent output of this lane through pooled staging memory. */
  private useAllocator(lane: Lane, name: string): void {
    if (lane.allocators.has(name)) return;
    const allocator: IOutputAllocator = {
      reallocateOutputAsync: (tensor, _current, size) => {
        const entry = lane.dds.get(tensor) ?? { buffer: null, dims: [] };
        if (entry.buffer) this.staging.release(entry.buffer);
        entry.buffer = this.staging.acquire(size);
        lane.dds.set(tensor, entry);
        return entry.buffer;
      },
      notifyShape: (tensor, dims) => {
        const entry = lane.dds.get(tensor) ?? { buffer: null, dims: [] };
        entry.dims = [...dims];
        lane.dds.set(tensor, entry);
      },
    };
    lane.context.setOutputAllocator(name, allocator);
    lane.bound.delete(name);
    lane.allocators.add(name);
  }

  private complete(req: Request, result: InferResult): void {
    this.settle(req);
    const ms = performance.now() - req.start;
    this.latencies[this.m.latN % LATENCY_WINDOW] = ms;
    this.m.latN += 1;
    this.m.latSum += ms;
    if (ms > this.m.latMax) this.m.latMax = ms;
    this.m.completed += 1;
    req.resolve(result);
  }

  private fail(req: Request, err: Error, shared = false): void {
    if (req.state === 'settled') return;
    this.settle(req);
    this.m.failed += 1;
    // A batch's error is copied per request, so each one's stack points at its own caller.
    const own = shared ? new TrtError(err.message, ((err as TrtError).code ?? 'INTERNAL_ERROR'), { cause: err }) : err;
    req.reject(atCallSite(own, req.site));
  }

  private checkIdle(): void {
    if (this.queued > 0 || this.running > 0 || this.idleWaiters.length === 0) return;
    const list = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of list) resolve();
  }

  /** Requests waiting to run. */
  get queueDepth(): number {
    return this.queued;
  }

  /** True once dispose() was called. */
  get disposed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Resolves once no request is queued or running (new requests are still accepted).
   *
   * @example
   * server.close();
   * await runner.drain();
   * await runner.dispose();
   */
  drain(): Promise<void> {
    if (this.queued === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Pool counters: with nothing queued or running, every context, slot and buffer is back.
   *
   * @example
   * const { contexts, staging } = runner.stats(); // e.g. contexts.available, staging.bytes
   */
  stats(): InferRunnerStats {
    return { queued: this.queued, running: this.running, contexts: this.lanes.stats(), memory: this.slots?.stats() ?? null, staging: this.staging.stats(), pinned: this.pinned?.stats() ?? null };
  }

  /**
   * Latency percentiles (of the last 8192 completed requests), throughput, queue depth and
   * context utilisation since creation or {@link resetMetrics}.
   *
   * @example
   * setInterval(() => console.log(runner.metrics()), 10_000).unref();
   */
  metrics(): InferRunnerMetrics {
    const n = Math.min(this.m.latN, LATENCY_WINDOW);
    const sorted = this.latencies.slice(0, n).sort();
    const elapsedMs = performance.now() - this.m.since;
    let busy = 0;
    for (const l of this.lanes.all()) busy += l.busyMs;
    return {
      completed: this.m.completed,
      failed: this.m.failed,
      aborted: this.m.aborted,
      timedOut: this.m.timedOut,
      rejected: this.m.rejected,
      latencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), mean: this.m.latN ? this.m.latSum / this.m.latN : 0, max: this.m.latMax },
      throughput: elapsedMs > 0 ? (this.m.completed * 1000) / elapsedMs : 0,
      queueDepth: this.queued,
      maxQueueDepth: this.m.maxQueue,
      running: this.running,
      contextUtilisation: elapsedMs > 0 ? Math.min(1, busy / (elapsedMs * this.lanes.size)) : 0,
      runs: this.m.runs,
      meanBatchSize: this.m.runs ? this.m.batched / this.m.runs : 0,
      elapsedMs,
    };
  }

  /** Starts a new metrics period. */
  resetMetrics(): void {
    this.m = InferRunner.zeroCounters();
    for (const l of this.lanes.all()) l.busyMs = 0;
  }

  /**
   * Rejects queued requests with TrtError DISPOSED, waits for running ones to finish (they
   * resolve normally), then disposes the contexts, memory slots, staging buffers and (if the
   * runner loaded it) the engine. Idempotent.
   *
   * @example
   * process.on('SIGTERM', () => runner.dispose().then(() => process.exit(0)));
   */
  dispose(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.batchTimer !== undefined) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const pending = this.queue.slice(this.qHead).filter((r) => r.state === 'queued');
    this.queue = [];
    this.qHead = 0;
    this.queued = 0;
    for (const r of pending) {
      this.settle(r);
      r.reject(atCallSite(new TrtError('InferRunner was disposed before the request ran', 'DISPOSED'), r.site));
    }
    this.closing = (async () => {
      await this.drain();
      await this.lanes.dispose();
      await this.slots?.dispose();
      this.staging.dispose();
      this.shapeStaging.dispose();
      this.pinned?.dispose();
      if (this.ownsEngine) this.engine.dispose();
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
