import type { NativeEngine, NativeEngineInfo, NativeTrtEngine } from '../typings/native.js';
import { EngineInspector } from './EngineInspector.js';
import type { GpuAllocator } from './cuda/allocators.js';
import { Resource } from './Disposable.js';
import { DataType, ExecutionContextAllocationStrategy, OptProfileSelector, TensorIOMode } from './enums.js';
import { invalidValue } from './errors.js';
import { ExecutionContext } from './ExecutionContext.js';
import { HostMemory } from './HostMemory.js';
import { assertEnum, assertInteger, assertString } from './validate.js';
import type { ThreadPool } from './threadPool.js';

/**
 * A built engine (nvinfer1::ICudaEngine): named I/O tensors, optimization profiles, activation
 * memory sizes, and a factory for execution contexts (disposed with the engine).
 */
export class CudaEngine extends Resource {
  /** @internal */
  readonly nativeHandle: NativeEngine;
  private readonly meta: NativeEngineInfo;
  /** @internal The runtime's GPU allocator at deserialization (InferRunner allocates its device tensors through it too). */
  readonly _gpuAllocator: GpuAllocator | null;

  /** @internal The runtime's thread pool (RuntimeOptions.threadPool) for contexts' default streams. */
  readonly _threadPool: ThreadPool | null;

  /** @internal Use Runtime.deserializeCudaEngine(). */
  constructor(handle: NativeEngine, gpuAllocator: GpuAllocator | null = null, threadPool: ThreadPool | null = null) {
    super('CudaEngine', handle);
    this.nativeHandle = handle;
    this.meta = handle.info();
    this._gpuAllocator = gpuAllocator;
    this._threadPool = threadPool;
  }

  get name(): string {
    return this.meta.name;
  }

  /** The backend the plan was built for. */
  get backend(): string {
    return this.meta.backend;
  }

  /** @internal Runs on the GPU (cuda and tensorrt backends): tensors in device memory, cuda.Streams. */
  get _onDevice(): boolean {
    return this.meta.backend === 'cuda' || this.meta.backend === 'tensorrt';
  }

  /** @internal The TensorRT engine's extras, or null for engines of the built-in backends. */
  get _tensorrt(): NativeTrtEngine | null {
    return this.meta.backend === 'tensorrt' ? (this.nativeHandle as NativeTrtEngine) : null;
  }

  private readonly contexts = new Set<ExecutionContext>();

  /** @internal Whether a context of this engine has a run in flight (refitting must wait). */
  _hasRunsInFlight(): boolean {
    for (const c of this.contexts) {
      if (c.disposed) this.contexts.delete(c);
      else if (c.pendingCount > 0) return true;
    }
    return false;
  }

  /**
   * An inspector of this engine's layers (ICudaEngine::createEngineInspector). On the tensorrt
   * backend it is TensorRT's IEngineInspector (its detail follows the build's profilingVerbosity);
   * on the built-in backends it reports {@link inspect}'s layers.
   *
   * @example
   * const json = JSON.parse(engine.createEngineInspector().getEngineInformation(LayerInformationFormat.JSON));
   */
  createEngineInspector(): EngineInspector {
    this.check();
    return new EngineInspector(this);
  }

  get numIOTensors(): number {
    return this.meta.io.length;
  }

  get numLayers(): number {
    return this.meta.layers.length;
  }

  get numOptimizationProfiles(): number {
    return this.meta.profiles.length;
  }

  getIOTensorName(index: number): string {
    assertInteger(index, 'index', 0, this.meta.io.length - 1);
    return this.meta.io[index]!.name;
  }

  private io(name: string) {
    assertString(name, 'name');
    const t = this.meta.io.find((x) => x.name === name);
    if (!t) throw invalidValue(`the name of an I/O tensor (${this.meta.io.map((x) => `'${x.name}'`).join(', ')})`, 'name', name);
    return t;
  }

  /** Build-time dimensions; -1 for dynamic ones. */
  getTensorShape(name: string): number[] {
    return [...this.io(name).dims];
  }

  getTensorDataType(name: string): DataType {
    return this.io(name).type;
  }

  /** Python API spelling of {@link getTensorDataType}. */
  getTensorDtype(name: string): DataType {
    return this.getTensorDataType(name);
  }

  getTensorIOMode(name: string): TensorIOMode {
    return this.io(name).mode;
  }

  /** Python API spelling of {@link getTensorIOMode}. */
  getTensorMode(name: string): TensorIOMode {
    return this.getTensorIOMode(name);
  }

  /**
   * MIN/OPT/MAX dims of input `name` in profile `profileIndex`: all three (Python API), or the one
   * chosen by `select` (C++ API).
   */
  getProfileShape(name: string, profileIndex: number): [number[], number[], number[]];
  getProfileShape(name: string, profileIndex: number, select: OptProfileSelector): number[];
  getProfileShape(name: string, profileIndex: number, select?: OptProfileSelector): number[] | [number[], number[], number[]] {
    assertInteger(profileIndex, 'profileIndex', 0, this.meta.profiles.length - 1);
    if (this.io(name).mode !== TensorIOMode.INPUT) throw invalidValue('the name of an input tensor', 'name', name);
    const triple = this.meta.profiles[profileIndex]!.shapes[name]!;
    if (select === undefined) return [[...triple[0]], [...triple[1]], [...triple[2]]];
    assertEnum(select, 'select', OptProfileSelector, 'OptProfileSelector');
    return [...triple[select]];
  }

  /**
   * True for shape tensor inputs ("shape inference I/O"): INT32/INT64 inputs of rank 0 or 1
   * whose values decide other tensors' dimensions. A context reads their values from the
   * buffer bound with setTensorAddress (host memory) whenever it resolves shapes.
   *
   * @throws RangeError when `name` is not an I/O tensor
   * @example
   * if (engine.isShapeInferenceIO('k')) context.setTensorAddress('k', HostBuffer.from(new Int32Array([5])));
   */
  isShapeInferenceIO(name: string): boolean {
    return this.io(name).isShapeInferenceIO;
  }

  /**
   * MIN, OPT or MAX values of shape tensor input `name` in profile `profileIndex`
   * (TensorRT 11 getProfileTensorValuesV2).
   *
   * @throws RangeError when `name` is not a shape tensor input or the index is out of range
   * @example
   * engine.getProfileTensorValuesV2('k', 0, OptProfileSelector.MAX); // e.g. [10]
   */
  getProfileTensorValuesV2(name: string, profileIndex: number, select: OptProfileSelector): number[] {
    assertInteger(profileIndex, 'profileIndex', 0, this.meta.profiles.length - 1);
    assertEnum(select, 'select', OptProfileSelector, 'OptProfileSelector');
    if (!this.io(name).isShapeInferenceIO) throw invalidValue('the name of a shape tensor input', 'name', name);
    return [...this.meta.profiles[profileIndex]!.values[name]![select]];
  }

  /** Python API spelling (get_tensor_profile_values): [MIN, OPT, MAX] values of a shape tensor input. */
  getTensorProfileValues(profileIndex: number, name: string): [number[], number[], number[]] {
    return [
      this.getProfileTensorValuesV2(name, profileIndex, OptProfileSelector.MIN),
      this.getProfileTensorValuesV2(name, profileIndex, OptProfileSelector.OPT),
      this.getProfileTensorValuesV2(name, profileIndex, OptProfileSelector.MAX),
    ];
  }

  /**
   * Activation memory a context needs: the maximum over profiles. For engines with shape tensor
   * inputs, the size at each profile's largest MIN/OPT/MAX corner: other values can need more
   * (shapes need not grow with the values), so USER_MANAGED contexts ask
   * `context.updateDeviceMemorySizeForShapes()` once their inputs are set.
   */
  getDeviceMemorySizeV2(): number {
    return this.meta.deviceMemorySize;
  }

  getDeviceMemorySizeForProfileV2(profileIndex: number): number {
    assertInteger(profileIndex, 'profileIndex', 0, this.meta.profiles.length - 1);
    return this.meta.profiles[profileIndex]!.deviceMemorySize;
  }

  /** Python API spelling of getDeviceMemorySizeV2(). */
  get deviceMemorySizeV2(): number {
    return this.getDeviceMemorySizeV2();
  }

  /**
   * A new execution context. STATIC (default) allocates memory for the largest profile;
   * ON_PROFILE_CHANGE reallocates per profile; USER_MANAGED needs setDeviceMemoryV2().
   */
  createExecutionContext(strategy: ExecutionContextAllocationStrategy = ExecutionContextAllocationStrategy.STATIC): ExecutionContext {
    this.check();
    assertEnum(strategy, 'strategy', ExecutionContextAllocationStrategy, 'ExecutionContextAllocationStrategy');
    const context = this.adopt(new ExecutionContext(this, this.nativeHandle.createExecutionContext(strategy), strategy));
    this.contexts.add(context);
    return context;
  }

  /** The plan bytes (the same format deserializeCudaEngine reads). */
  serialize(): HostMemory {
    this.check();
    return new HostMemory(this.nativeHandle.serialize());
  }

  /**
   * A JSON description of the engine (layers in execution order with the kernel chosen for each,
   * fusions, I/O, profiles and memory), in the spirit of IEngineInspector.
   */
  inspect(): NativeEngineInfo {
    this.check();
    return JSON.parse(JSON.stringify(this.meta)) as NativeEngineInfo;
  }

  protected release(): void {
    this.nativeHandle.dispose();
  }
}
