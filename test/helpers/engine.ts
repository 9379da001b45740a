/**
 * Test harness: define a network with the public API, build it, deserialize the plan, run it on
 * a backend and return the outputs as reference arrays (doubles), so every layer test compares
 * engine output with the plain-TS reference in test/reference.
 */
import * as trt from '../../lib/index.js';
import { DataType } from '../../lib/index.js';
import type { Ref } from '../reference/ndarray.js';
import { fromBfloat16Bits, fromFloat16Bits, toBfloat16Bits, toFloat16Bits } from './onnx.js';

export const quietLogger = new trt.Logger(trt.Severity.ERROR, () => {});

/** Backend under test: TRTN_TEST_BACKEND (cpu by default; cuda and tensorrt where available). */
export const testBackend = (process.env['TRTN_TEST_BACKEND'] ?? 'cpu') as trt.BackendName;

export interface Feed {
  ref: Ref;
  dtype?: DataType;
}

/** Encodes reference values as the typed array the engine stores for `dtype`. */
export function encode(ref: Ref, dtype: DataType): trt.TypedArray {
  const v = ref.data;
  switch (dtype) {
    case DataType.FLOAT:
      return Float32Array.from(v);
    case DataType.HALF:
      return toFloat16Bits(v);
    case DataType.BF16:
      return toBfloat16Bits(v);
    case DataType.INT8:
      return Int8Array.from(v);
    case DataType.UINT8:
      return Uint8Array.from(v);
    case DataType.BOOL:
      return Uint8Array.from(v, (x) => (x !== 0 ? 1 : 0));
    case DataType.INT32:
      return Int32Array.from(v);
    case DataType.INT64:
      return BigInt64Array.from(Array.from(v, (x) => BigInt(Math.trunc(x))));
    default:
      throw new Error(`encode: unsupported ${DataType[dtype]}`);
  }
}

/** Decodes engine storage into reference values. */
export function decode(data: trt.TypedArray, dims: number[], dtype: DataType): Ref {
  let values: ArrayLike<number>;
  if (dtype === DataType.HALF) values = fromFloat16Bits(data as Uint16Array);
  else if (dtype === DataType.BF16) values = fromBfloat16Bits(data as Uint16Array);
  else if (dtype === DataType.INT64) values = Array.from(data as BigInt64Array, (x) => Number(x));
  else values = data as ArrayLike<number>;
  const n = dims.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 1) out[i] = Number(values[i]);
  return { dims: [...dims], data: out };
}

export interface BuildOptions {
  /** One entry per optimization profile: input name -> [min, opt, max]. */
  profiles?: Array<Record<string, [number[], number[], number[]]>>;
  /** Per profile, like `profiles`: shape tensor input name -> [min, opt, max] values. */
  shapeValues?: Array<Record<string, [number[], number[], number[]]>>;
  optimizationLevel?: number;
  backend?: trt.BackendName;
}

/** Defines, builds and deserializes an engine. */
export async function buildEngine(define: (network: trt.NetworkDefinition) => void, opts: BuildOptions = {}): Promise<trt.CudaEngine> {
  const backend = opts.backend ?? testBackend;
  const builder = new trt.Builder(quietLogger, { backend });
  try {
    const network = builder.createNetworkV2();
    define(network);
    const config = builder.createBuilderConfig();
    if (opts.optimizationLevel !== undefined) config.builderOptimizationLevel = opts.optimizationLevel;
    const numProfiles = Math.max(opts.profiles?.length ?? 0, opts.shapeValues?.length ?? 0);
    for (let i = 0; i < numProfiles; i += 1) {
      const profile = builder.createOptimizationProfile();
      for (const [name, [min, opt, max]] of Object.entries(opts.profiles?.[i] ?? {})) profile.setShape(name, min, opt, max);
      for (const [name, [min, opt, max]] of Object.entries(opts.shapeValues?.[i] ?? {})) profile.setShapeInput(name, min, opt, max);
      config.addOptimizationProfile(profile);
    }
    const plan = await builder.buildSerializedNetwork(network, config);
    const runtime = new trt.Runtime(quietLogger, { backend });
    return runtime.deserializeCudaEngine(plan);
  } finally {
    builder.dispose();
  }
}

/** Tensor memory the tests bind: see {@link tensorBuffer}. */
export type TestBuffer = trt.HostBuffer | trt.cuda.DeviceBuffer;

/**
 * Memory of `byteLength` bytes (at least 1) for tensor `name`, where `engine`'s backend reads it:
 * a HostBuffer on the cpu backend; a cuda.DeviceBuffer on the device backends (cuda, tensorrt),
 * except for shape tensor inputs, whose values are read on the host (a HostBuffer there too).
 */
export function tensorBuffer(engine: trt.CudaEngine, name: string, byteLength: number): TestBuffer {
  const size = Math.max(byteLength, 1);
  if (engine.backend === 'cpu' || engine.isShapeInferenceIO(name)) return new trt.HostBuffer(size);
  return new trt.cuda.DeviceBuffer(size);
}

/** Activation memory for setDeviceMemoryV2: host memory on cpu, device memory on device backends. */
export function activationMemory(engine: trt.CudaEngine, byteLength: number): TestBuffer {
  const size = Math.max(byteLength, 1);
  return engine.backend === 'cpu' ? new trt.HostBuffer(size) : new trt.cuda.DeviceBuffer(size);
}

/** A {@link tensorBuffer} holding a copy of `data`. */
export function tensorBufferFrom(engine: trt.CudaEngine, name: string, data: trt.TypedArray): TestBuffer {
  const buffer = tensorBuffer(engine, name, data.byteLength);
  try {
    if (data.byteLength > 0) buffer.write(data);
  } catch (err) {
    buffer.dispose();
    throw err;
  }
  return buffer;
}

/** Copies the first `byteLength` bytes of `buffer` (host or device memory) to a new ArrayBuffer. */
export function readBytes(buffer: TestBuffer, byteLength: number): ArrayBuffer {
  if (byteLength === 0) return new ArrayBuffer(0);
  return buffer.read(DataType.UINT8, 0, byteLength).buffer as ArrayBuffer;
}

/**
 * An IOutputAllocator for data-dependent outputs in the memory {@link tensorBuffer} picks for the
 * engine's backend; keeps each output's buffer and dims of the last run.
 */
export class TestOutputAllocator implements trt.IOutputAllocator {
  private readonly buffers = new Map<string, TestBuffer>();
  private readonly shapes = new Map<string, number[]>();

  constructor(private readonly engine: trt.CudaEngine) {}

  reallocateOutputAsync(tensorName: string, _current: unknown, size: number): TestBuffer {
    const held = this.buffers.get(tensorName);
    if (held && held.byteLength >= size) return held;
    held?.dispose();
    const grown = tensorBuffer(this.engine, tensorName, size);
    this.buffers.set(tensorName, grown);
    return grown;
  }

  notifyShape(tensorName: string, dims: number[]): void {
    this.shapes.set(tensorName, [...dims]);
  }

  /** Output `tensorName`'s memory in the last run, if it had one. */
  buffer(tensorName: string): TestBuffer | undefined {
    return this.buffers.get(tensorName);
  }

  /** Output `tensorName`'s dims in the last run, if it had one. */
  shape(tensorName: string): number[] | undefined {
    return this.shapes.get(tensorName);
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
    this.shapes.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** A tensor's dims and its values as the engine stores them (INT4 and FP4 packed two a byte). */
export interface TensorBytes {
  dims: number[];
  dtype: DataType;
  bytes: ArrayBuffer;
}

export interface RunOptions {
  profileIndex?: number;
  /** executeV2() instead of enqueueV3(). */
  sync?: boolean;
}

/**
 * Runs an engine once on every backend: each input's bytes and every output are bound in
 * {@link tensorBuffer} memory (data-dependent outputs through a {@link TestOutputAllocator}), and
 * the outputs are copied back to the host after the run.
 */
export async function runEngineBytes(
  engine: trt.CudaEngine,
  inputs: Record<string, { dims: number[]; data: trt.TypedArray }>,
  opts: RunOptions = {},
): Promise<Record<string, TensorBytes>> {
  const context = engine.createExecutionContext();
  const buffers: TestBuffer[] = [];
  const dataDependent = new TestOutputAllocator(engine);
  try {
    if (opts.profileIndex) context.setOptimizationProfileAsync(opts.profileIndex);
    for (const [name, input] of Object.entries(inputs)) {
      context.setInputShape(name, input.dims);
      const buf = tensorBufferFrom(engine, name, input.data);
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    }
    const outputs: Array<{ name: string; buf: TestBuffer | undefined; dims: number[]; dtype: DataType }> = [];
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) !== trt.TensorIOMode.OUTPUT) continue;
      const dims = context.getTensorShape(name);
      const dtype = engine.getTensorDataType(name);
      if (dims.some((d) => d < 0)) {
        // Data-dependent dims: memory and dims come from the run, through an output allocator.
        context.setOutputAllocator(name, dataDependent);
        outputs.push({ name, buf: undefined, dims, dtype });
        continue;
      }
      const buf = tensorBuffer(engine, name, trt.byteSizeOf(dtype, count(dims)));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
      outputs.push({ name, buf, dims, dtype });
    }
    if (opts.sync) context.executeV2();
    else await context.enqueueV3();
    const result: Record<string, TensorBytes> = {};
    for (const o of outputs) {
      const dims = o.buf ? o.dims : (dataDependent.shape(o.name) ?? o.dims);
      const byteLength = trt.byteSizeOf(o.dtype, count(dims));
      const buf = o.buf ?? dataDependent.buffer(o.name);
      result[o.name] = { dims, dtype: o.dtype, bytes: byteLength > 0 ? readBytes(buf!, byteLength) : new ArrayBuffer(0) };
    }
    return result;
  } finally {
    for (const b of buffers) b.dispose();
    dataDependent.dispose();
    context.dispose();
  }
}

function count(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * Runs an engine once on `feeds` (input name -> values) and returns every output, on every
 * backend (see {@link runEngineBytes}).
 */
export async function runEngine(engine: trt.CudaEngine, feeds: Record<string, Feed>, opts: RunOptions = {}): Promise<Record<string, Ref>> {
  const inputs: Record<string, { dims: number[]; data: trt.TypedArray }> = {};
  for (const [name, feed] of Object.entries(feeds)) {
    inputs[name] = { dims: feed.ref.dims, data: encode(feed.ref, feed.dtype ?? engine.getTensorDataType(name)) };
  }
  const outputs = await runEngineBytes(engine, inputs, opts);
  const result: Record<string, Ref> = {};
  for (const [name, o] of Object.entries(outputs)) {
    const Ctor = trt.typedArrayFor(o.dtype);
    result[name] = decode(new Ctor(o.bytes, 0, count(o.dims)), o.dims, o.dtype);
  }
  return result;
}

/** Build + run in one call; returns the outputs in markOutput order as well as by name. */
export async function runNetwork(
  define: (network: trt.NetworkDefinition) => void,
  feeds: Record<string, Feed>,
  opts: BuildOptions & RunOptions = {},
): Promise<Ref[] & { byName: Record<string, Ref> }> {
  const engine = await buildEngine(define, opts);
  try {
    const byName = await runEngine(engine, feeds, opts);
    const list = Object.values(byName) as Ref[] & { byName: Record<string, Ref> };
    list.byName = byName;
    return list;
  } finally {
    engine.dispose();
  }
}
