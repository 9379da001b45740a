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

/** Host storage for `n` elements of `dtype` (what decode() reads). */
function hostStorage(dtype: DataType, n: number): trt.TypedArray {
  const Ctor = trt.typedArrayFor(dtype);
  return new Ctor(new ArrayBuffer(Ctor.BYTES_PER_ELEMENT * n), 0, n);
}

/** An IOutputAllocator in device memory, for data-dependent outputs of the device backends. */
class DeviceOutputAllocator implements trt.IOutputAllocator {
  readonly buffers = new Map<string, trt.cuda.DeviceBuffer>();
  readonly shapes = new Map<string, number[]>();

  reallocateOutputAsync(tensorName: string, _current: unknown, size: number): trt.cuda.DeviceBuffer {
    const held = this.buffers.get(tensorName);
    if (held && held.byteLength >= size) return held;
    held?.dispose();
    const grown = new trt.cuda.DeviceBuffer(Math.max(size, 1));
    this.buffers.set(tensorName, grown);
    return grown;
  }

  notifyShape(tensorName: string, dims: number[]): void {
    this.shapes.set(tensorName, [...dims]);
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}

/**
 * Runs an engine of a device backend (cuda, tensorrt) once: inputs and outputs in
 * cuda.DeviceBuffers, outputs copied back to the host after the run.
 */
async function runOnDevice(
  engine: trt.CudaEngine,
  feeds: Record<string, Feed>,
  opts: { profileIndex?: number; sync?: boolean },
): Promise<Record<string, Ref>> {
  const context = engine.createExecutionContext();
  const buffers: trt.cuda.DeviceBuffer[] = [];
  const dataDependent = new DeviceOutputAllocator();
  try {
    if (opts.profileIndex) context.setOptimizationProfileAsync(opts.profileIndex);
    for (const [name, feed] of Object.entries(feeds)) {
      const dtype = feed.dtype ?? engine.getTensorDataType(name);
      context.setInputShape(name, feed.ref.dims);
      const host = encode(feed.ref, dtype);
      const buf = host.byteLength > 0 ? trt.cuda.DeviceBuffer.from(host) : new trt.cuda.DeviceBuffer(1);
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    }
    const outputs: Array<{ name: string; buf: trt.cuda.DeviceBuffer | undefined; dims: number[]; dtype: DataType }> = [];
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) !== trt.TensorIOMode.OUTPUT) continue;
      const dims = context.getTensorShape(name);
      const dtype = engine.getTensorDataType(name);
      if (dims.some((d) => d < 0)) {
        context.setOutputAllocator(name, dataDependent);
        outputs.push({ name, buf: undefined, dims, dtype });
        continue;
      }
      const buf = new trt.cuda.DeviceBuffer(Math.max(trt.byteSizeOf(dtype, dims.reduce((a, b) => a * b, 1)), 1));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
      outputs.push({ name, buf, dims, dtype });
    }
    if (opts.sync) context.executeV2();
    else await context.enqueueV3();
    const result: Record<string, Ref> = {};
    for (const o of outputs) {
      const buf = o.buf ?? dataDependent.buffers.get(o.name);
      const dims = o.buf ? o.dims : (dataDependent.shapes.get(o.name) ?? o.dims);
      const host = hostStorage(o.dtype, dims.reduce((a, b) => a * b, 1));
      if (host.byteLength > 0) buf!.copyTo(host, { byteLength: host.byteLength });
      result[o.name] = decode(host, dims, o.dtype);
    }
    return result;
  } finally {
    for (const b of buffers) b.dispose();
    dataDependent.dispose();
    context.dispose();
  }
}

/**
 * Runs an engine once on `feeds` (input name -> values) and returns every output. Engines of the
 * device backends (cuda, tensorrt) run with their tensors in device memory.
 */
export async function runEngine(
  engine: trt.CudaEngine,
  feeds: Record<string, Feed>,
  opts: { profileIndex?: number; sync?: boolean } = {},
): Promise<Record<string, Ref>> {
  if (engine.backend !== 'cpu') return runOnDevice(engine, feeds, opts);
  const context = engine.createExecutionContext();
  const buffers: trt.HostBuffer[] = [];
  const dataDependent = new trt.HostOutputAllocator();
  try {
    if (opts.profileIndex) context.setOptimizationProfileAsync(opts.profileIndex);
    for (const [name, feed] of Object.entries(feeds)) {
      const dtype = feed.dtype ?? engine.getTensorDataType(name);
      context.setInputShape(name, feed.ref.dims);
      const buf = trt.HostBuffer.from(encode(feed.ref, dtype));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    }
    const outputs: Array<{ name: string; buf: trt.HostBuffer; dims: number[]; dtype: DataType }> = [];
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) !== trt.TensorIOMode.OUTPUT) continue;
      const dims = context.getTensorShape(name);
      const dtype = engine.getTensorDataType(name);
      if (dims.some((d) => d < 0)) {
        // Data-dependent dims: memory and dims come from the run, through an output allocator.
        context.setOutputAllocator(name, dataDependent);
        outputs.push({ name, buf: undefined as unknown as trt.HostBuffer, dims, dtype });
        continue;
      }
      const bytes = trt.byteSizeOf(dtype, dims.reduce((a, b) => a * b, 1));
      const buf = new trt.HostBuffer(Math.max(bytes, 1));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
      outputs.push({ name, buf, dims, dtype });
    }
    if (opts.sync) context.executeV2();
    else await context.enqueueV3();
    const result: Record<string, Ref> = {};
    for (const o of outputs) {
      if (!o.buf) {
        o.buf = dataDependent.buffer(o.name)!;
        o.dims = dataDependent.shape(o.name)!;
      }
      const Ctor = trt.typedArrayFor(o.dtype);
      const count = o.dims.reduce((a, b) => a * b, 1);
      result[o.name] = decode(new Ctor(o.buf.arrayBuffer.slice(0), 0, count), o.dims, o.dtype);
    }
    return result;
  } finally {
    for (const b of buffers) b.dispose();
    dataDependent.dispose();
    context.dispose();
  }
}

/** Build + run in one call; returns the outputs in markOutput order as well as by name. */
export async function runNetwork(
  define: (network: trt.NetworkDefinition) => void,
  feeds: Record<string, Feed>,
  opts: BuildOptions & { profileIndex?: number; sync?: boolean } = {},
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
