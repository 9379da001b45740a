// The whole native surface of the addon, declared once. Only lib/native.ts touches the raw
// module; everything else goes through these types. [sync] methods run on the calling JS
// thread; [async] ones run on the addon's threads and settle on the JS thread.

/** Attribute values stored on IR nodes. */
export type NativeAttrValue = number | boolean | string | number[] | NativeWeights;

export interface NativeWeights {
  /** DataType value. */
  type: number;
  values: ArrayBufferView;
  count?: number;
}

export interface NativeLayerInfo {
  name: string;
  type: number;
  inputs: number[];
  outputs: number[];
  metadata: string;
}

export interface NativeTensorInfo {
  name: string;
  type: number;
  /** null when the producing layer failed validation (unknown rank). */
  dims: number[] | null;
  isInput: boolean;
  isOutput: boolean;
  allowedFormats: number;
  producer: number;
  dimNames: string[];
}

export interface NativeNetwork {
  /** [sync] Returns the new tensor id. */
  addInput(name: string, type: number, dims: number[]): number;
  /** [sync] Adds a layer, infers its outputs; throws TrtError naming the layer. Returns its id. */
  addLayer(type: number, name: string | null, inputs: number[], attrs: Record<string, NativeAttrValue | undefined>): number;
  setLayerAttr(layer: number, key: string, value: NativeAttrValue | null | undefined): void;
  getLayerAttr(layer: number, key: string): NativeAttrValue | { type: number; values: ArrayBufferView | null; count: number } | undefined;
  setLayerInput(layer: number, index: number, tensor: number): void;
  setLayerName(layer: number, name: string): void;
  setLayerMetadata(layer: number, metadata: string): void;
  layerInfo(layer: number): NativeLayerInfo;
  tensorInfo(tensor: number): NativeTensorInfo;
  /** [sync] Whether the tensor's values decide other tensors' dimensions (ITensor::isShapeTensor). */
  isShapeTensor(tensor: number): boolean;
  setTensorName(tensor: number, name: string): void;
  setTensorDims(tensor: number, dims: number[]): void;
  setTensorFormats(tensor: number, formats: number): void;
  setDimensionName(tensor: number, index: number, name: string): void;
  markOutput(tensor: number): void;
  unmarkOutput(tensor: number): void;
  counts(): { layers: number; inputs: number; outputs: number; tensors: number };
  inputTensor(index: number): number | null;
  outputTensor(index: number): number | null;
  getName(): string;
  setName(name: string): void;
  /** [sync] Re-infers the whole graph; returns the first error or null. */
  validate(): Error | null;
  dispose(): void;
}

export interface NativeBuildConfig {
  backend: number;
  optimizationLevel: number;
  avgTimingIterations: number;
  profilingVerbosity: number;
  workspaceLimit: number;
  /** One entry per optimization profile: input name -> [MIN, OPT, MAX]. */
  profiles: Array<Record<string, [number[], number[], number[]]>>;
  /** Parallel to `profiles`: shape tensor input name -> [MIN, OPT, MAX] values. */
  shapeValues?: Array<Record<string, [number[], number[], number[]]>>;
}

export interface NativeBuildHandle {
  promise: Promise<Uint8Array>;
  /** Stops the build at its next checkpoint; the promise rejects with CANCELLED. */
  cancel(): void;
}

export interface NativeEngineInfo {
  name: string;
  backend: string;
  io: Array<{ name: string; mode: number; type: number; dims: number[]; isShapeInferenceIO: boolean }>;
  profiles: Array<{
    shapes: Record<string, [number[], number[], number[]]>;
    /** Shape tensor inputs only: [MIN, OPT, MAX] values. */
    values: Record<string, [number[], number[], number[]]>;
    deviceMemorySize: number;
  }>;
  layers: Array<{ name: string; type: string; implementation: string; inputs: string[]; outputs: string[]; fusedActivation?: number }>;
  passes: string[];
  deviceMemorySize: number;
  profilingVerbosity: number;
}

export interface NativeEngine {
  info(): NativeEngineInfo;
  /** [sync] Plan bytes. */
  serialize(): Uint8Array;
  createExecutionContext(strategy: number): NativeExecutionContext;
  dispose(): void;
}

export interface NativeExecutionContext {
  setOptimizationProfile(index: number): boolean;
  getOptimizationProfile(): number;
  setInputShape(name: string, dims: number[]): void;
  getTensorShape(name: string): number[];
  allInputDimensionsSpecified(): boolean;
  inferShapes(): string[];
  /** [sync] Any buffer; the CPU backend refuses device memory, the cuda backend plain host memory (INVALID_ARGUMENT). */
  setTensorAddress(name: string, buffer: NativeBufferHandle | null): void;
  getTensorAddress(name: string): NativeBufferHandle | null;
  /** [sync] Any buffer; the CPU backend refuses device memory with INVALID_ARGUMENT. */
  setDeviceMemory(buffer: NativeBufferHandle | null, size: number): void;
  /** [sync] Activation bytes the current shapes (and shape tensor values) need; throws while unresolved. */
  updateDeviceMemorySizeForShapes(): number;
  /** [sync] Whether an output is handed to an output allocator after each run. */
  setOutputAllocator(name: string, enabled: boolean): void;
  /** [sync] Upper bound of an output's bytes at the current shapes; -1 while unresolved or unbounded. */
  getMaxOutputSize(name: string): number;
  /**
   * [async, stream thread] Validates synchronously (throws), then runs on the stream. Resolves
   * with the outputs the run sized or wrote for an output allocator (data: their values when they
   * go to an output allocator, else null), or null when it had none. Engines of the cuda
   * backend take a NativeCudaStream: the run is launched on it from the JS thread and the Promise
   * settles from a stream host callback (resolving with nothing).
   */
  enqueue(stream: NativeStream | NativeCudaStream): Promise<NativeRunOutput[] | null>;
  /** [sync, JS thread] Blocking run; returns what enqueue resolves with. */
  execute(): NativeRunOutput[] | null;
  dispose(): void;
}

export interface NativeRunOutput {
  name: string;
  dims: number[];
  data: ArrayBuffer | null;
}

/** Where a native buffer's memory lives; every location but 'device' is host-accessible. */
export type NativeMemoryLocation = 'host' | 'device' | 'pinned' | 'unified';

/** What every native buffer offers (the handle behind a TensorBuffer). */
export interface NativeBufferHandle {
  /** [sync] 0 after dispose. */
  byteLength(): number;
  location(): NativeMemoryLocation;
  /** The external ArrayBuffer over host-accessible memory; null for device memory and after dispose. */
  arrayBuffer(): ArrayBuffer | null;
  dispose(): void;
}

export interface NativeHostBuffer extends NativeBufferHandle {
  location(): 'host';
}

// ---- CUDA (present only when the addon was built with CUDA: NativeAddon.cuda) ----

export interface NativeCudaRuntimeInfo {
  /** Whether this build has the cuda module. */
  built: boolean;
  /** Whether a device is usable (built, driver present, at least one device). */
  available: boolean;
  deviceCount: number;
  /** Why it is (un)available, e.g. "no CUDA driver (cudaGetDeviceCount: cudaErrorInsufficientDriver)". */
  reason: string;
  driverVersion: number;
  runtimeVersion: number;
  /** The cudaGetDeviceCount error name, or null. */
  error: string | null;
}

export interface NativeDeviceInfo {
  ordinal: number;
  name: string;
  major: number;
  minor: number;
  totalMemory: number;
  multiProcessorCount: number;
  managedMemory: boolean;
  concurrentManagedAccess: boolean;
  memoryPools: boolean;
  pciBusId: string;
}

export interface NativeCudaStream {
  /** [async, CUDA callback thread -> JS thread] Resolves when the work queued so far has run. */
  done(): Promise<void>;
  /** [sync] Blocks the calling thread. */
  synchronize(): void;
  query(): boolean;
  waitEvent(event: NativeCudaEvent): void;
  pending(): number;
  info(): { device: number; flags: number; priority: number };
  dispose(): void;
}

export interface NativeCudaEvent {
  /** [sync] null: the legacy default stream. */
  record(stream: NativeCudaStream | null): void;
  synchronize(): void;
  query(): boolean;
  /** [sync] Milliseconds from `start` to this event. */
  elapsedTime(start: NativeCudaEvent): number;
  dispose(): void;
}

export interface NativeDeviceBuffer extends NativeBufferHandle {
  location(): 'device' | 'unified';
  device(): number;
}

export interface NativePinnedBuffer extends NativeBufferHandle {
  location(): 'pinned';
  device(): number;
}

export interface NativeUnifiedBuffer extends NativeBufferHandle {
  location(): 'unified';
  device(): number;
  /** [async] cudaMemPrefetchAsync in stream order; resolves once the pages have moved. */
  prefetch(location: 'device' | 'host', device: number, byteOffset: number, byteLength: number, stream: NativeCudaStream): Promise<void>;
  /** [sync] cudaMemAdvise (advice: a cudaMemoryAdvise value). */
  advise(advice: number, location: 'device' | 'host', device: number, byteOffset: number, byteLength: number): void;
}

export interface NativeTrackingStats {
  liveBytes: number;
  peakBytes: number;
  liveAllocations: number;
  allocations: number;
  deallocations: number;
  refusals: number;
  byTag: Record<string, { allocations: number; deallocations: number; refusals: number; liveBytes: number }>;
}

export interface NativePoolUsage {
  reservedBytes: number;
  reservedHighBytes: number;
  usedBytes: number;
  usedHighBytes: number;
  releaseThreshold: number;
}

/** A built-in allocator: thread-safe C++, usable by engines on any thread. */
export interface NativeGpuAllocator {
  /** [sync] null when refused (see lastRefusal()); with a stream, stream-ordered (allocateAsync). */
  allocate(size: number, alignment: number, flags: number, tag: string | null, stream: NativeCudaStream | null): NativeDeviceBuffer | NativeUnifiedBuffer | null;
  /** [sync] Disposes the buffer; false when it is not this allocator's. */
  deallocate(buffer: NativeDeviceBuffer | NativeUnifiedBuffer, stream: NativeCudaStream | null): boolean;
  reallocate(buffer: NativeDeviceBuffer | NativeUnifiedBuffer, alignment: number, newSize: number): NativeDeviceBuffer | NativeUnifiedBuffer | null;
  /** Why the last refusal on this thread happened. */
  lastRefusal(): string;
  /** TrackingAllocator only; null for the others. */
  stats(): NativeTrackingStats | null;
  resetPeak(): void;
  /** PoolAllocator only; null for the others. */
  usage(): NativePoolUsage | null;
  trimTo(minBytesToKeep: number): void;
}

export interface NativeCudaModule {
  NativeCudaStream: new (device: number, flags: number, priority: number) => NativeCudaStream;
  NativeCudaEvent: new (device: number, flags: number) => NativeCudaEvent;
  NativeDeviceBuffer: new (byteLength: number, device: number) => NativeDeviceBuffer;
  NativePinnedBuffer: new (byteLength: number, device: number, flags: number) => NativePinnedBuffer;
  NativeUnifiedBuffer: new (byteLength: number, device: number, flags: number) => NativeUnifiedBuffer;
  NativeGpuAllocator: {
    new (kind: 'default' | 'unified', device: number): NativeGpuAllocator;
    new (kind: 'pool', device: number, releaseThreshold: number): NativeGpuAllocator;
    new (kind: 'tracking', device: number, inner: NativeGpuAllocator): NativeGpuAllocator;
  };
  deviceInfo(ordinal: number): NativeDeviceInfo;
  memoryInfo(ordinal: number): { free: number; total: number };
  setDevice(ordinal: number): void;
  getDevice(): number;
  synchronizeDevice(): void;
  /** [sync] without a stream; [async] with one (resolves when the copy has run). */
  memcpy(dst: NativeBufferHandle | ArrayBufferView | ArrayBuffer, dstOffset: number, src: NativeBufferHandle | ArrayBufferView | ArrayBuffer, srcOffset: number, byteLength: number, stream: null): void;
  memcpy(dst: NativeBufferHandle | ArrayBufferView | ArrayBuffer, dstOffset: number, src: NativeBufferHandle | ArrayBufferView | ArrayBuffer, srcOffset: number, byteLength: number, stream: NativeCudaStream): Promise<void>;
  /** [sync] without a stream; [async] with one. `width` 1, 2, 4 or 8 bytes of the 64-bit pattern. */
  fill(dst: NativeBufferHandle, byteOffset: number, byteLength: number, patternLow: number, patternHigh: number, width: number, stream: null): void;
  fill(dst: NativeBufferHandle, byteOffset: number, byteLength: number, patternLow: number, patternHigh: number, width: number, stream: NativeCudaStream): Promise<void>;
}

export interface NativeStream {
  /** [async] Resolves when all work queued before it has finished. */
  done(): Promise<void>;
  /** [sync] Blocks until queued work has finished. */
  synchronize(): void;
  query(): boolean;
  pending(): number;
}

/** A kernel thread pool of its own, for streams created with it. */
export interface NativeThreadPool {
  /** [sync] Throws INVALID_STATE once disposed. */
  stats(): { threads: number; queued: number; active: number; completed: number };
  /** [sync] Drops this handle's hold; the workers exit when no stream uses them. */
  dispose(): void;
}

export interface NativeBackendInfo {
  name: 'cpu' | 'cuda' | 'tensorrt';
  available: boolean;
  reason: string;
}

export interface NativePlanInfo {
  kind: 'tensorrt-node' | 'foreign' | 'too-short';
  formatVersion?: number;
  backend?: string;
  producerVersion?: number;
  payloadSize?: number;
}

export interface NativeAddon {
  version: string;
  init(options: { TrtError: new (message: string, code: string) => Error }): void;
  NativeNetwork: new () => NativeNetwork;
  NativeHostBuffer: new (byteLength: number) => NativeHostBuffer;
  /** With a pool, the kernels of runs on the stream use it instead of the global pool. */
  NativeStream: new (pool?: NativeThreadPool) => NativeStream;
  NativeThreadPool: new (threads: number) => NativeThreadPool;
  /** [async, build thread] */
  buildSerializedNetwork(
    network: NativeNetwork,
    config: NativeBuildConfig,
    log: ((severity: number, message: string) => void) | null,
    progress: ((phase: string, step: number, total: number) => void) | null,
  ): NativeBuildHandle;
  /** [sync, JS thread] */
  buildSerializedNetworkSync(network: NativeNetwork, config: NativeBuildConfig, log: ((severity: number, message: string) => void) | null): Uint8Array;
  /** [sync] */
  /** `allocator`: the runtime's GPU allocator (device backends allocate weights and activations through it). */
  deserializeEngine(bytes: Uint8Array | ArrayBuffer, allocator?: NativeGpuAllocator | null): NativeEngine;
  /** [async, build thread] */
  deserializeEngineAsync(bytes: Uint8Array | ArrayBuffer, allocator?: NativeGpuAllocator | null): Promise<NativeEngine>;
  inspectPlan(bytes: Uint8Array | ArrayBuffer): NativePlanInfo;
  /** Returns false when the pool already runs with another size. */
  configureThreadPool(threads: number): boolean;
  threadPoolStats(): { threads: number; queued: number; active: number; completed: number };
  getBackends(): NativeBackendInfo[];
  /** [sync] Always present: whether the cuda module was built and a device is usable. */
  cudaRuntimeInfo(): NativeCudaRuntimeInfo;
  /** Present only in builds with CUDA (TRTN_WITH_CUDA). */
  cuda?: NativeCudaModule;
}
