import { BackendOptions } from './Builder.js';
import { ResolvedBackend, resolveBackend } from './backends.js';
import { CudaEngine } from './CudaEngine.js';
import { GpuAllocator } from './cuda/allocators.js';
import type { IGpuAllocator } from './cuda/allocators.js';
import { Resource } from './Disposable.js';
import { TrtError, invalidType, withCallerStack } from './errors.js';
import { HostMemory } from './HostMemory.js';
import { Logger, Severity, getDefaultLogger } from './Logger.js';
import { native } from './native.js';
import { ThreadPool } from './threadPool.js';

type PlanBytes = Uint8Array | ArrayBuffer | HostMemory;

function planBytes(bytes: PlanBytes): Uint8Array | ArrayBuffer {
  if (bytes instanceof HostMemory) return bytes.data;
  if (bytes instanceof Uint8Array || bytes instanceof ArrayBuffer) return bytes;
  throw invalidType('plan bytes (Uint8Array, Buffer, ArrayBuffer or HostMemory)', 'bytes', bytes);
}

/**
 * Deserializes engines (nvinfer1::IRuntime). Engines outlive the runtime that made them.
 *
 * @example
 * const runtime = new Runtime(logger);
 * const engine = runtime.deserializeCudaEngine(fs.readFileSync('model.engine'));
 */
export interface RuntimeOptions extends BackendOptions {
  /**
   * The pool the CPU kernels of this runtime's engines run on, when their contexts use their
   * default stream (default: the process-wide pool). A stream passed to enqueueV3 brings its own.
   */
  threadPool?: ThreadPool;
}

export class Runtime extends Resource {
  readonly logger: Logger;
  readonly backend: ResolvedBackend;
  /** The thread pool of this runtime's engines (null: the process-wide pool). */
  readonly threadPool: ThreadPool | null;
  private gpuAllocatorValue: GpuAllocator | null = null;

  constructor(logger: Logger = getDefaultLogger(), options: RuntimeOptions = {}) {
    super('Runtime');
    if (!(logger instanceof Logger)) throw invalidType('a Logger', 'logger', logger);
    if (options.threadPool !== undefined && !(options.threadPool instanceof ThreadPool)) {
      throw invalidType('a ThreadPool', 'options.threadPool', options.threadPool);
    }
    this.threadPool = options.threadPool ?? null;
    this.logger = logger;
    this.backend = resolveBackend(options.backend ?? 'auto');
    this.logger.log(Severity.VERBOSE, `runtime backend: ${this.backend.reason}`);
  }

  /**
   * Sets the allocator for the GPU memory of engines this runtime deserializes and their contexts
   * (IRuntime::setGpuAllocator); null restores the default (cudaMalloc). It must be a built-in
   * allocator (cuda.DefaultAllocator, PoolAllocator, UnifiedAllocator or TrackingAllocator): engines
   * allocate on build, stream and worker threads, where an allocator written in JS cannot be called.
   * The CPU backend works in host memory and never calls it; engines of the cuda backend allocate
   * their weights (at deserialization, on the calling or deserialization thread) and their
   * contexts' activation memory (when a context is created, or re-sized on the JS thread) through
   * it, and give every byte back when the engine and its contexts are disposed.
   *
   * @throws TypeError for an allocator written in JS; TrtError DISPOSED
   * @example
   * const tracking = new cuda.TrackingAllocator(new cuda.PoolAllocator());
   * runtime.setGpuAllocator(tracking);
   */
  setGpuAllocator(allocator: IGpuAllocator | null): void {
    this.check();
    if (allocator !== null && !(allocator instanceof GpuAllocator)) {
      throw invalidType('a built-in GPU allocator (cuda.DefaultAllocator, PoolAllocator, UnifiedAllocator, TrackingAllocator) or null', 'allocator', allocator);
    }
    if (allocator?.disposed) throw new TrtError('setGpuAllocator: the allocator has been disposed', 'DISPOSED');
    this.gpuAllocatorValue = allocator;
  }

  /** The allocator set with {@link setGpuAllocator}, or null for the default. */
  get gpuAllocator(): IGpuAllocator | null {
    return this.gpuAllocatorValue;
  }

  /**
   * Checks and loads a plan on the calling thread (weights are unpacked here; use
   * {@link deserializeCudaEngineAsync} for large models on a server's main thread).
   *
   * @throws TrtError PLAN_CORRUPT (truncated, damaged or not a plan), PLAN_INCOMPATIBLE (newer
   *   format or another backend; a TensorRT plan of another TensorRT version or GPU),
   *   TENSORRT_UNAVAILABLE (a TensorRT plan where the tensorrt backend cannot run, naming why), DISPOSED
   */
  deserializeCudaEngine(bytes: PlanBytes): CudaEngine {
    this.check();
    return new CudaEngine(native().deserializeEngine(planBytes(bytes), this.gpuAllocatorValue?.nativeHandle ?? null, this.logFn()), this.gpuAllocatorValue, this.threadPool);
  }

  /** {@link deserializeCudaEngine} off the JS thread. */
  deserializeCudaEngineAsync(bytes: PlanBytes): Promise<CudaEngine> {
    return withCallerStack(async () => {
      this.check();
      const allocator = this.gpuAllocatorValue;
      return new CudaEngine(await native().deserializeEngineAsync(planBytes(bytes), allocator?.nativeHandle ?? null, this.logFn()), allocator, this.threadPool);
    });
  }

  /** TensorRT's messages for engines of the tensorrt backend (delivered on the JS thread). */
  private logFn(): (severity: number, message: string) => void {
    return (severity, message) => this.logger.log(severity, message);
  }

  protected release(): void {
    // Engines are independent of the runtime once created.
  }
}
