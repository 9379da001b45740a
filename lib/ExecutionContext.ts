import type { NativeRunOutput, NativeExecutionContext } from '../typings/native.js';
import type { CudaEngine } from './CudaEngine.js';
import { Resource } from './Disposable.js';
import { ExecutionContextAllocationStrategy } from './enums.js';
import { TrtError, invalidType, invalidValue, withCallerStack } from './errors.js';
import { TensorBuffer, isTensorBuffer } from './buffers.js';
import { Stream } from './Stream.js';
import { Stream as CudaStream } from './cuda/Stream.js';
import { memcpy } from './cuda/buffers.js';
import { assertDims, assertInteger, assertString, toDims } from './validate.js';

/**
 * nvinfer1::IOutputAllocator: memory for outputs whose dims are known only once the engine has
 * run (data-dependent shapes, e.g. NonZero or NMS outputs). Both methods are called on the JS
 * thread, after the run's kernels finished and before enqueueV3() settles.
 *
 * @example
 * context.setOutputAllocator('indices', {
 *   reallocateOutputAsync: (name, current, size) => (current && current.byteLength >= size ? current : new HostBuffer(size)),
 *   notifyShape: (name, dims) => { shapes[name] = dims; },
 * });
 */
export interface IOutputAllocator {
  /**
   * Returns a buffer of at least `size` bytes for output `tensorName` (`currentMemory` is the
   * one returned last time, or null), or null when none can be had (the run then fails with
   * OUT_OF_MEMORY). The values are copied into it. On the cuda backend `stream` is the run's
   * cuda.Stream and the buffer must be device-accessible (a cuda.DeviceBuffer, a
   * cuda.UnifiedBuffer or a pinned cuda.HostBuffer): the values are copied device to device on
   * that stream, and enqueueV3() settles once they have been.
   */
  reallocateOutputAsync(tensorName: string, currentMemory: TensorBuffer | null, size: number, alignment: number, stream: Stream | CudaStream): TensorBuffer | null;
  /** The output's dims for this run. */
  notifyShape(tensorName: string, dims: number[]): void;
}

/**
 * Runs an engine (nvinfer1::IExecutionContext). One context runs one inference at a time; use
 * several contexts for concurrency. The context keeps its engine alive.
 *
 * @example
 * const context = engine.createExecutionContext();
 * context.setInputShape('x', [8, 16]);
 * context.setTensorAddress('x', input);
 * context.setTensorAddress('y', output);
 * await context.enqueueV3();
 */
export class ExecutionContext extends Resource {
  /** The engine this context runs. */
  readonly engine: CudaEngine;
  readonly allocationStrategy: ExecutionContextAllocationStrategy;
  private readonly handle: NativeExecutionContext;
  private defaultStream: Stream | undefined;
  private defaultCudaStream: CudaStream | undefined;
  private inflightStream: Stream | CudaStream | undefined;
  private inflightCount = 0;
  /** A name for logs and profiling. */
  name = '';

  /** @internal Use engine.createExecutionContext(). */
  constructor(engine: CudaEngine, handle: NativeExecutionContext, strategy: ExecutionContextAllocationStrategy) {
    super('ExecutionContext', handle);
    this.engine = engine;
    this.handle = handle;
    this.allocationStrategy = strategy;
  }

  /** Selects an optimization profile; input shapes must be set again afterwards (as TensorRT). */
  setOptimizationProfileAsync(profileIndex: number, stream?: Stream): boolean {
    this.check();
    assertInteger(profileIndex, 'profileIndex', 0);
    if (stream !== undefined && !(stream instanceof Stream)) throw invalidType('a Stream', 'stream', stream);
    this.assertIdle('setOptimizationProfileAsync');
    return this.handle.setOptimizationProfile(profileIndex);
  }

  get activeOptimizationProfile(): number {
    this.check();
    return this.handle.getOptimizationProfile();
  }

  /** C++ spelling of {@link activeOptimizationProfile}. */
  getOptimizationProfile(): number {
    return this.activeOptimizationProfile;
  }

  /** Sets the runtime dimensions of a dynamic input (within the active profile). */
  setInputShape(name: string, shape: number[]): boolean {
    this.check();
    assertString(name, 'name');
    assertDims(shape, 'shape', 0);
    this.handle.setInputShape(name, toDims(shape));
    return true;
  }

  /**
   * Inputs: as set; outputs: inferred from the inputs (-1 while inputs are unspecified). Shape
   * tensor inputs' values are read from their buffers now (outputs stay -1 while one has none).
   * Data-dependent dims (NonZero, NMS and what is computed from them) are -1 until a run has
   * found them, then those of the last run (until input shapes change).
   *
   * @throws TrtError INVALID_ARGUMENT for shape tensor values outside the active profile
   */
  getTensorShape(name: string): number[] {
    this.check();
    assertString(name, 'name');
    return this.handle.getTensorShape(name);
  }

  get allInputDimensionsSpecified(): boolean {
    this.check();
    return this.handle.allInputDimensionsSpecified();
  }

  /**
   * Runs shape inference; returns the names of inputs whose shapes are still unset, and of shape
   * tensor inputs that have no buffer to read their values from.
   */
  inferShapes(): string[] {
    this.check();
    return this.handle.inferShapes();
  }

  /** Binds memory to an input or output tensor; null unbinds. */
  setTensorAddress(name: string, buffer: TensorBuffer | null): boolean {
    this.check();
    assertString(name, 'name');
    if (buffer !== null && !isTensorBuffer(buffer)) throw invalidType('a TensorBuffer (e.g. HostBuffer) or null', 'buffer', buffer);
    if (buffer && buffer.disposed) throw new TrtError(`setTensorAddress: the buffer for '${name}' has been disposed`, 'DISPOSED');
    this.handle.setTensorAddress(name, buffer ? buffer.nativeHandle : null);
    this.buffers.set(name, buffer);
    return true;
  }

  private readonly buffers = new Map<string, TensorBuffer | null>();
  private readonly outputAllocators = new Map<string, IOutputAllocator>();
  private readonly allocatedOutputs = new Map<string, TensorBuffer>();

  /**
   * Sets (or with null removes) the allocator of an output; meant for outputs with
   * data-dependent dims, allowed for any. With one, the output needs no bound buffer (a bound one
   * is not used): after each run the allocator is asked for memory of the run's size, the values
   * are copied into it and notifyShape() reports the dims.
   */
  setOutputAllocator(name: string, allocator: IOutputAllocator | null): boolean {
    this.check();
    assertString(name, 'name');
    // A run in flight copies its outputs out of the current allocator's memory.
    this.assertIdle('setOutputAllocator');
    if (allocator !== null) {
      if (typeof allocator !== 'object' || typeof allocator.reallocateOutputAsync !== 'function' || typeof allocator.notifyShape !== 'function') {
        throw invalidType('an IOutputAllocator (reallocateOutputAsync and notifyShape methods) or null', 'allocator', allocator);
      }
    }
    this.handle.setOutputAllocator(name, allocator !== null);
    if (allocator) this.outputAllocators.set(name, allocator);
    else this.outputAllocators.delete(name);
    this.allocatedOutputs.delete(name);
    return true;
  }

  getOutputAllocator(name: string): IOutputAllocator | null {
    this.check();
    assertString(name, 'name');
    this.handle.getTensorAddress(name); // validates the name
    return this.outputAllocators.get(name) ?? null;
  }

  /**
   * Upper bound, in bytes, of output `name` at the current input shapes: its exact size unless
   * its dims are data-dependent. -1 while input shapes (or shape tensor values) are unset, and
   * for outputs whose size follows from computed values with no known bound (use an output
   * allocator for those).
   */
  getMaxOutputSize(name: string): number {
    this.check();
    assertString(name, 'name');
    return this.handle.getMaxOutputSize(name);
  }

  /**
   * Hands data-dependent outputs to their allocators (JS thread, after the run). `stream`: the
   * run's stream (none for executeV2: the context's default one of the engine's kind).
   */
  private deliverOutputs(outputs: NativeRunOutput[] | null, stream: Stream | CudaStream | undefined): void {
    if (!outputs) return;
    for (const out of outputs) {
      if (out.data) {
        const size = out.data.byteLength;
        const runStream = stream ?? (this.engine._onDevice ? (this.defaultCudaStream ??= new CudaStream()) : this.cpuStream());
        const { allocator, target } = this.reallocateOutput(out.name, size, runStream);
        if (target.location === 'device') {
          if (!this.engine._onDevice) throw new TrtError(`the output allocator of '${out.name}' returned device memory, which the CPU backend cannot write`, 'INVALID_ARGUMENT');
          // Device backends: the run has finished, so a blocking copy waits for nothing else.
          memcpy(target, new Uint8Array(out.data), { byteLength: size });
          this.allocatedOutputs.set(out.name, target);
          allocator.notifyShape(out.name, out.dims);
          continue;
        }
        const memory = target.nativeHandle.arrayBuffer();
        if (!memory) throw new TrtError(`the buffer returned for '${out.name}' has been disposed`, 'DISPOSED');
        new Uint8Array(memory, 0, size).set(new Uint8Array(out.data));
        this.allocatedOutputs.set(out.name, target);
        allocator.notifyShape(out.name, out.dims);
      }
    }
  }

  /** Asks output `name`'s allocator for `size` bytes (at least one, as TensorRT) and checks what it returned. */
  private reallocateOutput(name: string, size: number, stream: Stream | CudaStream): { allocator: IOutputAllocator; target: TensorBuffer } {
    const allocator = this.outputAllocators.get(name);
    if (!allocator) throw new TrtError(`output '${name}' lost its output allocator during the run`, 'INVALID_STATE');
    const current = this.allocatedOutputs.get(name) ?? null;
    const target = allocator.reallocateOutputAsync(name, current, Math.max(size, 1), 256, stream);
    if (target === null || target === undefined) {
      throw new TrtError(`the output allocator of '${name}' returned no memory for ${size} bytes`, 'OUT_OF_MEMORY');
    }
    if (!isTensorBuffer(target) || target.disposed) throw invalidType('a live TensorBuffer or null', `reallocateOutputAsync('${name}') result`, target);
    if (target.byteLength < Math.max(size, 1)) {
      throw new TrtError(`the output allocator of '${name}' returned ${target.byteLength} bytes but the output needs ${Math.max(size, 1)}`, 'INVALID_ARGUMENT');
    }
    return { allocator, target };
  }

  /**
   * Hands the outputs a cuda-backend run left in device memory (entries with a token) to their
   * allocators (JS thread, after the run): the values are copied device to device on `stream`,
   * and the returned Promise settles once they have been; with no stream (executeV2) they are
   * copied before this returns. On failure the run's memory is released.
   */
  private deliverDeviceOutputs(outputs: NativeRunOutput[] | null, stream: CudaStream | null): Promise<void> | undefined {
    const token = outputs?.find((out) => out.token !== undefined)?.token;
    if (!outputs || token === undefined) return undefined;
    const delivered: Array<{ out: NativeRunOutput; allocator: IOutputAllocator; target: TensorBuffer }> = [];
    let copied: Promise<void> | undefined;
    try {
      for (const out of outputs) {
        if (out.token === undefined) continue;
        const { allocator, target } = this.reallocateOutput(out.name, out.bytes ?? 0, stream ?? (this.defaultCudaStream ??= new CudaStream()));
        if (target.location === 'host') {
          throw new TrtError(
            `the output allocator of '${out.name}' returned host memory (a HostBuffer), which the cuda backend cannot write from the GPU; return a cuda.DeviceBuffer, a cuda.UnifiedBuffer or a pinned cuda.HostBuffer`,
            'INVALID_ARGUMENT',
          );
        }
        delivered.push({ out, allocator, target });
      }
    } catch (err) {
      this.handle.copyOutputs(null, token, [], []); // releases the run's memory
      throw err;
    }
    copied = this.handle.copyOutputs(
      stream ? stream.nativeHandle : null,
      token,
      delivered.map((d) => d.out.name),
      delivered.map((d) => d.target.nativeHandle),
    );
    try {
      for (const { out, allocator, target } of delivered) {
        this.allocatedOutputs.set(out.name, target);
        allocator.notifyShape(out.name, out.dims);
      }
    } catch (err) {
      copied?.catch(() => undefined); // settles on its own; the allocator's error is the one reported
      throw err;
    }
    return copied;
  }

  getTensorAddress(name: string): TensorBuffer | null {
    this.check();
    assertString(name, 'name');
    this.handle.getTensorAddress(name); // validates the name
    return this.buffers.get(name) ?? null;
  }

  /**
   * Gives a USER_MANAGED context its activation memory: at least
   * engine.getDeviceMemorySizeForProfileV2(profile) bytes. Several contexts may share one buffer
   * if they never run at the same time.
   */
  setDeviceMemoryV2(buffer: TensorBuffer, size: number): void {
    this.check();
    if (!isTensorBuffer(buffer)) throw invalidType('a TensorBuffer (e.g. HostBuffer)', 'buffer', buffer);
    assertInteger(size, 'size', 0, Number.MAX_SAFE_INTEGER);
    if (buffer.disposed) throw new TrtError('setDeviceMemoryV2: the buffer has been disposed', 'DISPOSED');
    if (size > buffer.byteLength) throw invalidValue(`a size of at most the buffer's ${buffer.byteLength} bytes`, 'size', size);
    this.handle.setDeviceMemory(buffer.nativeHandle, size);
  }

  /**
   * Activation memory the current input shapes and shape tensor values need, in bytes
   * (IExecutionContext::updateDeviceMemorySizeForShapes). For engines without shape tensor
   * inputs this is engine.getDeviceMemorySizeForProfileV2(profile). With them, shapes may not
   * grow with the values, so the need is planned for the values now in the shape tensor inputs'
   * buffers: a USER_MANAGED context must get at least this much with setDeviceMemoryV2() before
   * enqueueV3(); owned memory (STATIC, ON_PROFILE_CHANGE) grows by itself.
   *
   * @throws TrtError INVALID_STATE while an input shape or a shape tensor input's buffer is unset;
   *   INVALID_ARGUMENT for shape values outside the profile
   * @example
   * context.setTensorAddress('newShape', HostBuffer.from(new BigInt64Array([3n, 4n])));
   * const bytes = context.updateDeviceMemorySizeForShapes();
   * context.setDeviceMemoryV2(new HostBuffer(bytes), bytes);
   */
  updateDeviceMemorySizeForShapes(): number {
    this.check();
    return this.handle.updateDeviceMemorySizeForShapes();
  }

  /**
   * Runs inference asynchronously on `stream` (a per-context stream when omitted): a Stream for
   * engines of the cpu backend, a cuda.Stream for the cuda backend (the kernels are launched on it
   * from the calling thread, and the Promise settles from a stream callback). Validation
   * errors (missing shapes, addresses or memory; buffers too small) reject immediately with the
   * caller's stack; the work itself never blocks the event loop.
   *
   * @throws TrtError INVALID_STATE, INVALID_ARGUMENT, DISPOSED; execution failures reject likewise
   */
  enqueueV3(stream?: Stream | CudaStream): Promise<void> {
    return withCallerStack(async () => {
      this.check();
      let target: Stream | CudaStream;
      if (this.engine._onDevice) {
        // Launched on the cuda.Stream from this thread; settles from a stream host callback.
        if (stream !== undefined && !(stream instanceof CudaStream)) throw invalidType(`a cuda.Stream (the engine runs on the ${this.engine.backend} backend)`, 'stream', stream);
        target = stream ?? (this.defaultCudaStream ??= new CudaStream());
      } else {
        if (stream !== undefined && !(stream instanceof Stream)) throw invalidType('a Stream', 'stream', stream);
        target = stream ?? this.cpuStream();
      }
      if (target.disposed) throw new TrtError('enqueueV3: the stream has been disposed', 'DISPOSED');
      return this.launch(target);
    });
  }

  /**
   * @internal enqueueV3 for InferRunner: no stack capture (the runner keeps its caller's) and no
   * stream checks (its streams come from its RunnerIo, of the engine's kind). Throws
   * synchronously for validation errors.
   */
  _enqueue(stream: Stream | CudaStream): Promise<void> {
    this.check();
    return this.launch(stream);
  }

  private launch(target: Stream | CudaStream): Promise<void> {
    if (this.inflightCount > 0 && this.inflightStream !== target) {
      throw new TrtError(
        'enqueueV3: this context is still running on another stream; a context runs one inference at a time (use one context per stream)',
        'INVALID_STATE',
      );
    }
    const promise = this.handle.enqueue(target.nativeHandle);
    this.inflightStream = target;
    this.inflightCount += 1;
    return promise.then(
      async (outputs) => {
        try {
          if (outputs && !this.disposed) {
            // Device-resident outputs (cuda backend) first: on failure their memory is released.
            if (target instanceof CudaStream) await this.deliverDeviceOutputs(outputs, target);
            this.deliverOutputs(outputs, target);
          }
        } finally {
          this.endRun();
        }
      },
      (err: unknown) => {
        this.endRun();
        throw err;
      },
    );
  }

  private endRun(): void {
    this.inflightCount -= 1;
    if (this.inflightCount === 0) this.inflightStream = undefined;
  }

  /** The context's default CPU-backend stream, on its runtime's thread pool when it has one. */
  private cpuStream(): Stream {
    return (this.defaultStream ??= new Stream(this.engine._threadPool ? { threadPool: this.engine._threadPool } : {}));
  }

  /** Python API spelling of {@link enqueueV3}. */
  executeAsyncV3(stream?: Stream | CudaStream): Promise<void> {
    return this.enqueueV3(stream);
  }

  /**
   * Runs inference synchronously on the calling thread. With `bindings` (buffers in
   * getIOTensorName order), binds them first. Blocking: for worker threads and scripts.
   */
  executeV2(bindings?: Array<TensorBuffer | null>): boolean {
    this.check();
    if (bindings !== undefined) {
      if (!Array.isArray(bindings) || bindings.length !== this.engine.numIOTensors) {
        throw invalidValue(`an array of ${this.engine.numIOTensors} buffers in I/O tensor order`, 'bindings', bindings);
      }
      bindings.forEach((b, i) => this.setTensorAddress(this.engine.getIOTensorName(i), b));
    }
    this.assertIdle('executeV2');
    const outputs = this.handle.execute();
    void this.deliverDeviceOutputs(outputs, null);
    this.deliverOutputs(outputs, undefined);
    return true;
  }

  /** @internal The native context (for the engine inspector). */
  get _nativeHandle(): NativeExecutionContext {
    return this.handle;
  }

  /** Number of enqueueV3 calls not yet settled. */
  get pendingCount(): number {
    return this.inflightCount;
  }

  private assertIdle(what: string): void {
    if (this.inflightCount > 0) throw new TrtError(`${what}: the context is running; await enqueueV3() first`, 'INVALID_STATE');
  }

  protected release(): void {
    // Work in flight holds its own references; it completes and settles normally.
    this.handle.dispose();
    // Pending callbacks keep the CUDA stream itself alive until they have run.
    this.defaultCudaStream?.dispose();
    this.buffers.clear();
    this.outputAllocators.clear();
    this.allocatedOutputs.clear();
  }
}
