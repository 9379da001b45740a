import { BackendChoice, ResolvedBackend, resolveBackend } from './backends.js';
import { BuilderConfig } from './BuilderConfig.js';
import { GpuAllocator } from './cuda/allocators.js';
import type { IGpuAllocator } from './cuda/allocators.js';
import { Resource } from './Disposable.js';
import { TrtError, invalidType, withCallerStack } from './errors.js';
import { HostMemory } from './HostMemory.js';
import { Logger, Severity, getDefaultLogger } from './Logger.js';
import { native } from './native.js';
import { NetworkDefinition } from './NetworkDefinition.js';
import { OptimizationProfile } from './OptimizationProfile.js';
import { assertInteger } from './validate.js';

/** Options of {@link Builder.buildSerializedNetwork}. */
export interface BuildOptions {
  /** Aborting cancels the build at its next checkpoint (rejects with code CANCELLED). */
  signal?: AbortSignal;
  /** Called on the JS thread as the build moves through its phases. */
  onProgress?: (phase: string, step: number, total: number) => void;
}

/** Options of the {@link Builder} and {@link Runtime} constructors. */
export interface BackendOptions {
  /** Which engine builds and runs: 'auto' (default) prefers tensorrt, then cuda, then cpu. */
  backend?: BackendChoice;
}

/**
 * Builds engines (nvinfer1::IBuilder). Networks and configs it creates are disposed with it.
 *
 * @example
 * const builder = new Builder(logger);
 * const network = builder.createNetworkV2();
 * // ... add layers ...
 * const plan = await builder.buildSerializedNetwork(network, builder.createBuilderConfig());
 */
export class Builder extends Resource {
  readonly logger: Logger;
  /** The backend engines are built for, and why it was chosen. */
  readonly backend: ResolvedBackend;
  private maxThreadsValue = 1;
  private gpuAllocatorValue: GpuAllocator | null = null;

  constructor(logger: Logger = getDefaultLogger(), options: BackendOptions = {}) {
    super('Builder');
    if (!(logger instanceof Logger)) throw invalidType('a Logger', 'logger', logger);
    this.logger = logger;
    this.backend = resolveBackend(options.backend ?? 'auto');
    this.logger.log(Severity.VERBOSE, `builder backend: ${this.backend.reason}`);
  }

  /**
   * Sets the allocator for the GPU memory of engines this builder makes, and for its timing runs
   * (IBuilder::setGpuAllocator); null restores the default (cudaMalloc). It must be a built-in
   * allocator (cuda.DefaultAllocator, PoolAllocator, UnifiedAllocator or TrackingAllocator): builds
   * run on a build thread, where an allocator written in JS cannot be called. The CPU backend works
   * in host memory and never calls it; the CUDA backend will; the tensorrt backend hands it to
   * TensorRT (IBuilder::setGpuAllocator), which allocates through it on its build threads.
   *
   * @throws TypeError for an allocator written in JS; TrtError DISPOSED
   * @example
   * const tracking = new cuda.TrackingAllocator(new cuda.PoolAllocator());
   * builder.setGpuAllocator(tracking);
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

  /** A new, empty network. `flags` is accepted for TensorRT parity; every network is strongly typed. */
  createNetworkV2(flags = 0): NetworkDefinition {
    this.check();
    assertInteger(flags, 'flags', 0);
    return this.adopt(new NetworkDefinition(flags, this.backend.name));
  }

  /** Python API spelling of {@link createNetworkV2}. */
  createNetwork(flags = 0): NetworkDefinition {
    return this.createNetworkV2(flags);
  }

  createBuilderConfig(): BuilderConfig {
    this.check();
    return new BuilderConfig(this.backend.name);
  }

  createOptimizationProfile(): OptimizationProfile {
    this.check();
    return new OptimizationProfile();
  }

  /** Accepted for TensorRT parity; the built-in engine builds on its own thread. */
  get maxThreads(): number {
    return this.maxThreadsValue;
  }

  set maxThreads(n: number) {
    assertInteger(n, 'maxThreads', 1);
    this.maxThreadsValue = n;
  }

  /**
   * Builds and serializes an engine off the JS thread. The network is copied when the call is
   * made, so it may be changed or disposed while the build runs.
   *
   * @throws TrtError INVALID_ARGUMENT (invalid network or profile, naming the layer or input),
   *   UNSUPPORTED, OUT_OF_MEMORY, CANCELLED, DISPOSED
   */
  buildSerializedNetwork(network: NetworkDefinition, config: BuilderConfig, options: BuildOptions = {}): Promise<HostMemory> {
    return withCallerStack(async () => {
      const nativeConfig = this.prepare(network, config);
      const { signal, onProgress } = options;
      if (signal?.aborted) throw new TrtError('build aborted before it started', 'CANCELLED');
      const handle = native().buildSerializedNetwork(
        network._native(),
        nativeConfig,
        (severity, message) => this.logger.log(severity, message),
        onProgress ? (phase, step, total) => onProgress(phase, step, total) : null,
        this.gpuAllocatorValue?.nativeHandle ?? null,
      );
      const onAbort = (): void => handle.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const plan = new HostMemory(await handle.promise);
        config._afterBuild(nativeConfig);
        return plan;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    });
  }

  /**
   * The same as {@link buildSerializedNetwork}, blocking the calling thread. For worker threads
   * and scripts; never call it on a server's main thread.
   */
  buildSerializedNetworkSync(network: NetworkDefinition, config: BuilderConfig): HostMemory {
    const nativeConfig = this.prepare(network, config);
    const plan = new HostMemory(native().buildSerializedNetworkSync(network._native(), nativeConfig, (s, m) => this.logger.log(s, m), this.gpuAllocatorValue?.nativeHandle ?? null));
    config._afterBuild(nativeConfig);
    return plan;
  }

  private prepare(network: NetworkDefinition, config: BuilderConfig) {
    this.check();
    if (!(network instanceof NetworkDefinition)) throw invalidType('a NetworkDefinition', 'network', network);
    if (!(config instanceof BuilderConfig)) throw invalidType('a BuilderConfig', 'config', config);
    network._assertBuildable();
    return config._toNative(this.backend.id);
  }

  protected release(): void {
    // Networks are disposed as children; the builder holds no native state of its own.
  }
}
