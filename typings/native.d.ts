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

/** One nvonnxparser::IParserError, copied out of TensorRT's parser. */
export interface NativeOnnxParserError {
  /** nvonnxparser::ErrorCode. */
  code: number;
  desc: string;
  file: string;
  line: number;
  func: string;
  node: number;
  nodeName: string;
  nodeOperator: string;
  localFunctionStack: string[];
}

/**
 * TensorRT's ONNX parser (nvonnxparser::IParser) over a NativeNetwork, for OnnxParser's
 * 'nvonnxparser' implementation. A successful parse turns the network into a view of TensorRT's
 * network (inputs, outputs, layer count; edits refused with UNSUPPORTED), which builds of the
 * tensorrt backend use as it is. [sync, JS thread] throughout; `log` receives what TensorRT logged
 * during the call, after it.
 */
export interface NativeTrtOnnxParser {
  parse(model: Uint8Array, modelPath: string | null, log: ((severity: number, message: string) => void) | null): boolean;
  /** `verbosity`: a Severity; less severe messages are not logged. */
  parseFromFile(path: string, verbosity: number, log: ((severity: number, message: string) => void) | null): boolean;
  supportsOperator(opName: string): boolean;
  /** Errors recorded so far, oldest first (until clearErrors). */
  errors(): NativeOnnxParserError[];
  clearErrors(): void;
  /** OnnxParserFlags bit set, as TensorRT's parser holds it. */
  getFlags(): number;
  setFlags(flags: number): void;
  dispose(): void;
}

export interface NativeBuildConfig {
  backend: number;
  optimizationLevel: number;
  avgTimingIterations: number;
  profilingVerbosity: number;
  workspaceLimit: number;
  /**
   * BuilderFlag bitmask (bit k: BuilderFlag value k, as nvinfer1::BuilderFlag). The tensorrt backend
   * applies it with IBuilderConfig::setFlags; the built-in backends ignore it. Default: TF32 only.
   */
  flags?: number;
  /** One entry per optimization profile: input name -> [MIN, OPT, MAX]. */
  profiles: Array<Record<string, [number[], number[], number[]]>>;
  /** Parallel to `profiles`: shape tensor input name -> [MIN, OPT, MAX] values. */
  shapeValues?: Array<Record<string, [number[], number[], number[]]>>;
  /**
   * The timing cache to build with (tensorrt backend; the built-in backends do not consult one).
   * After a successful tensorrt build, `bytes` is replaced with the updated cache.
   */
  timingCache?: { bytes: Uint8Array | null; ignoreMismatch: boolean };
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

/**
 * An engine of the tensorrt backend (info().backend === 'tensorrt'): the NativeEngine surface plus
 * TensorRT's inspector and refitter. TensorRT log messages reach the log function given to
 * deserializeEngine at the next call on the engine or its contexts. [sync, JS thread] throughout.
 */
export interface NativeTrtEngine extends NativeEngine {
  /** IEngineInspector: format 0 ONELINE, 1 JSON; layerIndex -1 for the whole engine; a context for its shapes. */
  inspect(format: number, layerIndex: number, context: NativeExecutionContext | null): string;
  /** A new IRefitter of this engine (UNSUPPORTED when the engine is not refittable). */
  createRefitter(): NativeTrtRefitter;
  isRefittable(): boolean;
}

/** nvinfer1::IRefitter of a NativeTrtEngine. [sync, JS thread]; weights are copied. */
export interface NativeTrtRefitter {
  setNamedWeights(name: string, weights: { type: number; values: ArrayBufferView; count: number }): void;
  getMissingWeights(): string[];
  getAllWeights(): string[];
  /** Throws INVALID_STATE naming missing weights, or TensorRT's recorded error. */
  refitCudaEngine(): void;
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
   * backend take a NativeCudaStream: the run is launched on it from the JS thread (from the
   * context's host thread when it must wait for device values: data-dependent shapes, WHILE loops)
   * and the Promise settles from a stream host callback, with outputs for output allocators left
   * in device memory (bytes and token: see copyOutputs).
   */
  enqueue(stream: NativeStream | NativeCudaStream): Promise<NativeRunOutput[] | null>;
  /** [sync, JS thread] Blocking run; returns what enqueue resolves with. */
  execute(): NativeRunOutput[] | null;
  /**
   * [sync, JS thread] cuda backend: copies the outputs a run left in device memory (entries with
   * `token`) into the named buffers on `stream`, resolving once copied; with a null stream
   * (executeV2) copies before returning undefined. Spends the token (unnamed outputs are
   * dropped, so empty arrays release them). Throws INVALID_STATE for a spent token.
   */
  copyOutputs(stream: NativeCudaStream | null, token: number, names: string[], buffers: NativeBufferHandle[]): Promise<void> | undefined;
  dispose(): void;
}

export interface NativeRunOutput {
  name: string;
  dims: number[];
  data: ArrayBuffer | null;
  /** cuda backend, outputs for an output allocator: their size, the values staying in device memory. */
  bytes?: number;
  /** cuda backend: the run's token for copyOutputs (set with bytes). */
  token?: number;
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
  /** 'tensorrt-raw': a TensorRT engine as trtexec or TensorRT's Python API write it (starts with "ftrt"). */
  kind: 'tensorrt-node' | 'tensorrt-raw' | 'foreign' | 'too-short';
  formatVersion?: number;
  backend?: string;
  producerVersion?: number;
  payloadSize?: number;
  /** Wrapped TensorRT plans: the TensorRT that built the engine ("11.1.0"). */
  tensorrtVersion?: string;
  /** Wrapped TensorRT plans: the compute capability of the GPU it was built on ("9.0"). */
  computeCapability?: string;
  deviceName?: string;
  /** TensorRT plans (wrapped or raw): bytes of the TensorRT engine itself. */
  engineSize?: number;
}

/** One place the TensorRT library search looked, in order. */
export interface NativeTensorRTLibraryAttempt {
  path: string;
  /** "TENSORRT_LIB_DIR", "loader search path: ...", a standard directory, "pip wheel tensorrt_libs (VIRTUAL_ENV)". */
  origin: string;
  /** dlopen's message or why the library was refused; null for the one that loaded. */
  error: string | null;
}

/** libnvonnxparser.so.11 or libnvinfer_plugin.so.11 (optional companions of libnvinfer). */
export interface NativeTensorRTCompanionInfo {
  loaded: boolean;
  path: string | null;
  /** Why it is not loaded; null when loaded. */
  reason: string | null;
}

export interface NativeTensorRTLibraryInfo {
  /** TensorRT headers the addon was built against ("11.1.0"); null when the backend is not built. */
  headersVersion: string | null;
  loaded: boolean;
  /** The loaded library's version ("11.1.0"), null when none loaded. */
  version: string | null;
  path: string | null;
  /** "TensorRT 11.x.y (path)" or why nothing loaded, listing every path tried. */
  reason: string;
  searched: NativeTensorRTLibraryAttempt[];
  onnxParser: NativeTensorRTCompanionInfo;
  plugins: NativeTensorRTCompanionInfo;
}

/** @internal What built a wrapped TensorRT plan. */
export interface NativeTensorRTPlanMeta {
  /** major*10000 + minor*100 + patch */
  tensorrtVersion: number;
  computeMajor: number;
  computeMinor: number;
  deviceName?: string;
  /** Bits: 1 version-compatible, 2 hardware-compatible AMPERE_PLUS, 4 SAME_COMPUTE_CAPABILITY (TrtPlan.h). */
  compatibility?: number;
}

/** @internal */
export interface NativeTensorRTPlanView {
  form: 'wrapped' | 'raw' | 'not-tensorrt';
  tensorrtVersion?: number;
  computeMajor?: number;
  computeMinor?: number;
  deviceName?: string;
  /** Present when nonzero: NativeTensorRTPlanMeta.compatibility. */
  compatibility?: number;
  /** Where the TensorRT engine lies in the viewed bytes (wrapped and raw). */
  engineOffset?: number;
  engineSize?: number;
}

/** @internal [sync] The TensorRT plan wrapper (native/tensorrt/common/TrtPlan.h), for tests. */
export interface NativeTensorRTPlanTools {
  wrap(engine: Uint8Array, meta: NativeTensorRTPlanMeta): Uint8Array;
  /** PLAN_CORRUPT for a damaged wrapper. */
  view(bytes: Uint8Array): NativeTensorRTPlanView;
  /** PLAN_INCOMPATIBLE when the plan was built with another TensorRT or for another GPU type. */
  checkCompatible(bytes: Uint8Array, loadedVersion: number, computeMajor: number, computeMinor: number): void;
}

export interface NativeAddon {
  version: string;
  init(options: { TrtError: new (message: string, code: string) => Error }): void;
  NativeNetwork: new () => NativeNetwork;
  NativeHostBuffer: new (byteLength: number) => NativeHostBuffer;
  /** With a pool, the kernels of runs on the stream use it instead of the global pool. */
  NativeStream: new (pool?: NativeThreadPool) => NativeStream;
  NativeThreadPool: new (threads: number) => NativeThreadPool;
  /**
   * [async, build thread] `allocator`: the builder's GPU allocator (tensorrt backend: TensorRT
   * allocates through it on its build threads, hence built-in allocators only).
   */
  buildSerializedNetwork(
    network: NativeNetwork,
    config: NativeBuildConfig,
    log: ((severity: number, message: string) => void) | null,
    progress: ((phase: string, step: number, total: number) => void) | null,
    allocator?: NativeGpuAllocator | null,
  ): NativeBuildHandle;
  /** [sync, JS thread] */
  buildSerializedNetworkSync(
    network: NativeNetwork,
    config: NativeBuildConfig,
    log: ((severity: number, message: string) => void) | null,
    allocator?: NativeGpuAllocator | null,
  ): Uint8Array;
  /** [sync] */
  /**
   * `allocator`: the runtime's GPU allocator (device backends allocate weights and activations
   * through it). TensorRT plans (wrapped or raw) give a NativeTrtEngine, whose TensorRT log
   * messages go to `log`; they throw TENSORRT_UNAVAILABLE, naming why, where the backend cannot run.
   */
  deserializeEngine(bytes: Uint8Array | ArrayBuffer, allocator?: NativeGpuAllocator | null, log?: ((severity: number, message: string) => void) | null): NativeEngine;
  /** [async, build thread] */
  deserializeEngineAsync(bytes: Uint8Array | ArrayBuffer, allocator?: NativeGpuAllocator | null, log?: ((severity: number, message: string) => void) | null): Promise<NativeEngine>;
  inspectPlan(bytes: Uint8Array | ArrayBuffer): NativePlanInfo;
  /**
   * [sync] The settings a build reads from `config` (the builds' own parser), for tests that check
   * what reaches native code.
   */
  readBuildConfig(config: NativeBuildConfig): {
    backend: number;
    optimizationLevel: number;
    avgTimingIterations: number;
    profilingVerbosity: number;
    workspaceLimit: number;
    flags: number;
    profiles: number;
  };
  /** Returns false when the pool already runs with another size. */
  configureThreadPool(threads: number): boolean;
  threadPoolStats(): { threads: number; queued: number; active: number; completed: number };
  getBackends(): NativeBackendInfo[];
  /** [sync] Always present: whether the cuda module was built and a device is usable. */
  cudaRuntimeInfo(): NativeCudaRuntimeInfo;
  /**
   * [sync] Always present: the TensorRT library search (loads libnvinfer.so.11 once per process on
   * first call, also in builds without the tensorrt backend).
   */
  tensorrtLibraryInfo(): NativeTensorRTLibraryInfo;
  /** @internal */
  tensorrtPlanTools: NativeTensorRTPlanTools;
  /** Present only in builds with CUDA (TRTN_WITH_CUDA). */
  cuda?: NativeCudaModule;
  /**
   * [sync, JS thread] Present only in builds with the tensorrt backend: ITimingCache combine and
   * reset on serialized caches (each loads TensorRT; TENSORRT_UNAVAILABLE when it cannot).
   */
  tensorrtTimingCache?: {
    combine(into: Uint8Array, from: Uint8Array, ignoreMismatch: boolean): Uint8Array;
    reset(): Uint8Array;
  };
  /**
   * [sync] Present only in builds with the tensorrt backend (TRTN_WITH_TENSORRT): per enum that
   * lib/enums.ts carries and TensorRT 11 has, every member TensorRT has (Python spelling, no `k`)
   * with its value in the headers the addon was built against.
   */
  tensorrtEnumTable?(): Record<string, Record<string, number>>;
  /** @internal [sync] Test hook (tensorrt builds only): dims through the backend's Dims64 conversion and back. */
  tensorrtDimsRoundTrip?(dims: number[]): number[];
  /**
   * [sync, JS thread] Present only in builds with the tensorrt backend. Loads TensorRT and creates
   * a builder, a network and TensorRT's ONNX parser for the (empty) network: TENSORRT_UNAVAILABLE
   * when libnvinfer or libnvonnxparser cannot be loaded (the loader's reason), TENSORRT_ERROR when
   * TensorRT creates no builder, network or parser, INVALID_STATE for a network that is not empty.
   */
  NativeTrtOnnxParser?: new (network: NativeNetwork, log: ((severity: number, message: string) => void) | null) => NativeTrtOnnxParser;
}
