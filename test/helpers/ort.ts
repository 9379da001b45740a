/**
 * onnxruntime-node (CPU) as the reference implementation: run a model built with
 * encodeOnnxModel and compare its outputs with TensorRT's.
 */
import * as ort from 'onnxruntime-node';

/** Typed arrays that can carry ORT tensor data (Uint16Array doubles as fp16 bits). */
export type OrtTypedArray =
  | Float32Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Float64Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | BigUint64Array;

/** ORT element type names for non-string tensors. */
export type OrtTensorType = Exclude<ort.Tensor.Type, 'string'>;

/** One model input; type overrides the type taken from the model (e.g. 'bool' vs 'uint8'). */
export interface OrtFeed {
  dims: readonly number[];
  data: OrtTypedArray;
  type?: OrtTensorType;
}

/** One model output as plain data. */
export interface OrtOutput {
  dims: number[];
  data: OrtTypedArray;
  type: OrtTensorType;
}

/** Session options for the reference session. */
export interface OrtSessionOpts {
  /** 'disabled' keeps ORT from fusing/rewriting nodes; ORT's default is 'all'. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  intraOpNumThreads?: number;
  /** Anything else passed straight through to InferenceSession.create. */
  extra?: ort.InferenceSession.SessionOptions;
}

/** Default ORT type for each typed-array class when the model does not say (Uint16Array → fp16). */
export function ortTypeOf(data: OrtTypedArray): OrtTensorType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Uint16Array) return 'float16';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint32Array) return 'uint32';
  return 'uint64';
}

/** Creates a reusable CPU InferenceSession from model bytes (benchmarks keep one across runs). */
export async function createOrtSession(model: Uint8Array, opts: OrtSessionOpts = {}): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    ...(opts.graphOptimizationLevel ? { graphOptimizationLevel: opts.graphOptimizationLevel } : {}),
    ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    ...opts.extra,
  };
  return ort.InferenceSession.create(model, options);
}

/** The element type the model declares for an input, if ORT reports one. */
function declaredInputType(session: ort.InferenceSession, name: string): OrtTensorType | undefined {
  const meta = session.inputMetadata.find((m) => m.name === name);
  if (!meta || !meta.isTensor || meta.type === 'string') return undefined;
  return meta.type;
}

/** Wraps feeds as ort.Tensors, taking each element type from the feed, else the model, else the array class. */
export function toOrtFeeds(session: ort.InferenceSession, feeds: Record<string, OrtFeed>): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feeds)) {
    const type = f.type ?? declaredInputType(session, name) ?? ortTypeOf(f.data);
    out[name] = new ort.Tensor(type, f.data, [...f.dims]);
  }
  return out;
}

/** Runs an existing session and returns plain {dims, data, type} outputs (all outputs by default). */
export async function runOrtSession(
  session: ort.InferenceSession,
  feeds: Record<string, OrtFeed>,
  outputNames?: readonly string[],
): Promise<Record<string, OrtOutput>> {
  const results = outputNames
    ? await session.run(toOrtFeeds(session, feeds), outputNames)
    : await session.run(toOrtFeeds(session, feeds));
  const out: Record<string, OrtOutput> = {};
  for (const [name, t] of Object.entries(results)) {
    if (t.type === 'string') throw new Error(`output '${name}' is a string tensor; not supported here`);
    out[name] = { dims: [...t.dims], data: t.data as OrtTypedArray, type: t.type };
  }
  return out;
}

/** One-shot reference run: build a session, run it once, release it. */
export async function runOrt(
  model: Uint8Array,
  feeds: Record<string, OrtFeed>,
  opts: OrtSessionOpts = {},
): Promise<Record<string, OrtOutput>> {
  const session = await createOrtSession(model, opts);
  try {
    return await runOrtSession(session, feeds);
  } finally {
    await session.release();
  }
}
