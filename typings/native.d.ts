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
  setTensorAddress(name: string, buffer: NativeHostBuffer | null): void;
  getTensorAddress(name: string): NativeHostBuffer | null;
  setDeviceMemory(buffer: NativeHostBuffer | null, size: number): void;
  /** [sync] Activation bytes the current shapes (and shape tensor values) need; throws while unresolved. */
  updateDeviceMemorySizeForShapes(): number;
  /** [sync] Whether a data-dependent output is handed to an output allocator after each run. */
  setOutputAllocator(name: string, enabled: boolean): void;
  /** [sync] Upper bound of an output's bytes at the current shapes; -1 while unresolved or unbounded. */
  getMaxOutputSize(name: string): number;
  /**
   * [async, stream thread] Validates synchronously (throws), then runs on the stream. Resolves
   * with the data-dependent outputs the run sized (data: their values when they go to an output
   * allocator, else null), or null when it had none.
   */
  enqueue(stream: NativeStream): Promise<NativeDataDependentOutput[] | null>;
  /** [sync, JS thread] Blocking run; returns what enqueue resolves with. */
  execute(): NativeDataDependentOutput[] | null;
  dispose(): void;
}

export interface NativeDataDependentOutput {
  name: string;
  dims: number[];
  data: ArrayBuffer | null;
}

export interface NativeHostBuffer {
  byteLength(): number;
  /** The external ArrayBuffer over the memory; null after dispose. */
  arrayBuffer(): ArrayBuffer | null;
  dispose(): void;
}

export interface NativeStream {
  /** [async] Resolves when all work queued before it has finished. */
  done(): Promise<void>;
  /** [sync] Blocks until queued work has finished. */
  synchronize(): void;
  query(): boolean;
  pending(): number;
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
  NativeStream: new () => NativeStream;
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
  deserializeEngine(bytes: Uint8Array | ArrayBuffer): NativeEngine;
  /** [async, build thread] */
  deserializeEngineAsync(bytes: Uint8Array | ArrayBuffer): Promise<NativeEngine>;
  inspectPlan(bytes: Uint8Array | ArrayBuffer): NativePlanInfo;
  /** Returns false when the pool already runs with another size. */
  configureThreadPool(threads: number): boolean;
  threadPoolStats(): { threads: number; queued: number; active: number; completed: number };
  getBackends(): NativeBackendInfo[];
}
