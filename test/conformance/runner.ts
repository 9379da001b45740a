/**
 * ONNX backend conformance runner: every case of ../shared/onnx-conformance goes through
 * OnnxParser → build → run on a backend, and each output is compared with the stored expected
 * output. Cases outside an inference engine's scope are classified, never dropped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as trt from '../../lib/index.js';
import { ConstTensor, bf16ToFloat, constFromProto, e8m0ToFloat, engineType, fp4ToFloat, fp8ToFloat, halfToFloat, unpackNibbles } from '../../lib/onnx/ConstTensor.js';
import { OnnxModel, OnnxType, decodeModel, decodeTensor } from '../../lib/onnx/model.js';

/**
 * Where the conformance data is: $TRTN_ONNX_CONFORMANCE, else the nearest shared/onnx-conformance
 * beside the checkout or one of its parent folders.
 */
export function findConformanceRoot(start: string): string | undefined {
  const fromEnv = process.env['TRTN_ONNX_CONFORMANCE'];
  if (fromEnv) return fromEnv;
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, 'shared', 'onnx-conformance');
    if (fs.existsSync(path.join(candidate, 'node'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export const SUITES = ['node', 'simple', 'pytorch-converted', 'pytorch-operator'] as const;
export type Suite = (typeof SUITES)[number];

export type CaseStatus = 'pass' | 'fail' | 'unsupported' | 'out-of-scope';

export interface CaseResult {
  suite: Suite;
  name: string;
  /** Operators of the main graph (domain-qualified when not the default domain). */
  ops: string[];
  status: CaseStatus;
  /** Why the case did not pass (or why it is out of scope). */
  reason?: string;
}

export interface RunOptions {
  root: string;
  backend?: trt.BackendName;
  suites?: readonly Suite[];
  /** Only cases whose name contains this (or matches, for a RegExp). */
  filter?: string | RegExp;
  /** Seconds per case before it counts as a failure. */
  timeoutSeconds?: number;
  onCase?: (result: CaseResult, index: number, total: number) => void;
}

/** Tolerances: numpy.testing.assert_allclose as the ONNX backend tests use it. */
export const TOLERANCE = {
  rtol: 1e-3,
  atol: 1e-7,
  /** FP16 outputs: the engine computes in FP32 and rounds once, the reference rounds per op; one FP16 ulp is 9.8e-4. */
  halfRtol: 4e-3,
  halfAtol: 1e-4,
  /** BF16 has an 8-bit mantissa: one ulp is 7.8e-3. */
  bf16Rtol: 2e-2,
  bf16Atol: 1e-3,
};

/** Per-case tolerance overrides, each with the documented reason (listed in docs/onnx-support.md). */
export const CASE_TOLERANCES: Record<string, { atol: number; reason: string }> = {
  test_dft_inverse: { atol: 1e-6, reason: 'the expected imaginary parts that are exactly 0 carry float32 FFT rounding noise of up to 1.9e-7' },
  test_dft_inverse_opset19: { atol: 1e-6, reason: 'the expected imaginary parts that are exactly 0 carry float32 FFT rounding noise of up to 1.9e-7' },
};

// --- scope --------------------------------------------------------------------------------------

const TRAINING_OPS = new Set(['Adagrad', 'Adam', 'Momentum', 'Gradient']);
const RANDOM_OPS = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Bernoulli', 'Multinomial']);
const STRING_OPS = new Set(['StringNormalizer', 'StringSplit', 'StringConcat', 'RegexFullMatch', 'TfIdfVectorizer']);
const IMAGE_OPS = new Set(['ImageDecoder']);
/** ONNX element types TensorRT has no DataType for. */
const NON_TENSORRT_TYPES = new Set<OnnxType>([
  OnnxType.INT16,
  OnnxType.UINT16,
  OnnxType.UINT32,
  OnnxType.UINT64,
  OnnxType.COMPLEX64,
  OnnxType.COMPLEX128,
  OnnxType.FLOAT8E4M3FNUZ,
  OnnxType.FLOAT8E5M2,
  OnnxType.FLOAT8E5M2FNUZ,
  OnnxType.UINT4,
  OnnxType.UINT2,
  OnnxType.INT2,
]);

function typeName(t: number): string {
  return OnnxType[t] ?? `element type ${t}`;
}

/** The reason a case is out of scope, or undefined when it is in scope. */
export function outOfScopeReason(model: OnnxModel): string | undefined {
  const ops = model.graph.nodes;
  const domains = new Set(ops.map((n) => n.domain));
  if (domains.has('ai.onnx.preview.training') || ops.some((n) => TRAINING_OPS.has(n.opType))) return 'training operator';
  // Dropout given a training_mode input is the training form (random masks).
  if (ops.some((n) => n.opType === 'Dropout' && (n.inputs[2] ?? '') !== '')) return 'training mode (Dropout with a training_mode input)';
  if (ops.some((n) => n.opType === 'BatchNormalization' && n.attributes.some((a) => a.name === 'training_mode' && a.i === 1))) {
    return 'training mode (BatchNormalization with training_mode=1)';
  }
  const io = [...model.graph.inputs, ...model.graph.outputs];
  if (io.some((v) => v.kind === 'sequence' || v.kind === 'optional' || v.kind === 'map')) return 'sequence/optional/map values';
  if (ops.some((n) => n.opType.startsWith('Sequence') || n.opType.startsWith('Optional') || n.opType === 'SplitToSequence' || n.opType === 'ConcatFromSequence')) {
    return 'sequence/optional operator';
  }
  const random = ops.find((n) => RANDOM_OPS.has(n.opType));
  if (random) return `random generator (${random.opType})`;
  if (io.some((v) => v.elemType === OnnxType.STRING) || ops.some((n) => STRING_OPS.has(n.opType))) return 'string values';
  if (ops.some((n) => IMAGE_OPS.has(n.opType))) return 'image decoder';
  const foreign = io.find((v) => NON_TENSORRT_TYPES.has(v.elemType));
  if (foreign) return `data type ${typeName(foreign.elemType)} (TensorRT has no such DataType)`;
  return undefined;
}

// --- running ------------------------------------------------------------------------------------

const quiet = new trt.Logger(trt.Severity.INTERNAL_ERROR, () => {});

interface DataSet {
  inputs: ConstTensor[];
  outputs: ConstTensor[];
}

function readDataSets(dir: string, numInputs: number, numOutputs: number): DataSet[] {
  const sets: DataSet[] = [];
  for (const entry of fs.readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort()) {
    const folder = path.join(dir, entry);
    const read = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, k) => {
        const proto = decodeTensor(fs.readFileSync(path.join(folder, `${prefix}_${k}.pb`)));
        return constFromProto(proto, folder, `${entry}/${prefix}_${k}.pb`);
      });
    sets.push({ inputs: read('input', numInputs), outputs: read('output', numOutputs) });
  }
  return sets;
}

function toNumbers(data: trt.TypedArray, dtype: trt.DataType, count: number): number[] {
  if (trt.isPackedDataType(dtype)) {
    // Packed two per byte: INT4 values and FP4 codes decode exactly.
    const codes = unpackNibbles(data as Uint8Array, count);
    return Array.from(codes, (c) => (dtype === trt.DataType.INT4 ? (c ^ 8) - 8 : fp4ToFloat(c)));
  }
  const out = new Array<number>(count);
  for (let i = 0; i < count; i += 1) {
    const v = data[i]!;
    out[i] =
      dtype === trt.DataType.HALF ? halfToFloat(v as number)
      : dtype === trt.DataType.BF16 ? bf16ToFloat(v as number)
      : dtype === trt.DataType.FP8 ? fp8ToFloat(v as number)
      : dtype === trt.DataType.E8M0 ? e8m0ToFloat(v as number)
      : Number(v);
  }
  return out;
}

/** Compares actual with expected; returns a description of the first mismatch, or undefined. */
export function compare(actual: number[], expected: ConstTensor, dtype: trt.DataType, name: string, atolOverride?: number): string | undefined {
  const want = expected.toNumbers();
  if (actual.length !== want.length) return `${name}: ${actual.length} values, expected ${want.length}`;
  const isHalf = dtype === trt.DataType.HALF;
  const isBf16 = dtype === trt.DataType.BF16;
  const rtol = isHalf ? TOLERANCE.halfRtol : isBf16 ? TOLERANCE.bf16Rtol : TOLERANCE.rtol;
  const atol = atolOverride ?? (isHalf ? TOLERANCE.halfAtol : isBf16 ? TOLERANCE.bf16Atol : TOLERANCE.atol);
  const exact = dtype !== trt.DataType.FLOAT && !isHalf && !isBf16;
  let bad = 0;
  let first = -1;
  for (let i = 0; i < want.length; i += 1) {
    const a = actual[i]!;
    const b = want[i]!;
    let ok: boolean;
    if (Number.isNaN(b)) ok = Number.isNaN(a);
    else if (exact) ok = a === b;
    else if (!Number.isFinite(b)) ok = a === b;
    else ok = Math.abs(a - b) <= atol + rtol * Math.abs(b);
    if (!ok) {
      bad += 1;
      if (first < 0) first = i;
    }
  }
  if (bad === 0) return undefined;
  return `${name}: ${bad} of ${want.length} values differ; first at ${first}: got ${actual[first]}, expected ${want[first]}`;
}

/** INT64 outputs compare as bigints: values beyond 2^53 must match in every bit. */
function compareInt64(actual: BigInt64Array, expected: ConstTensor, name: string): string | undefined {
  const want = expected.data;
  if (!(want instanceof BigInt64Array)) return `${name}: INT64 output, expected ${typeName(expected.type)}`;
  if (actual.length !== want.length) return `${name}: ${actual.length} values, expected ${want.length}`;
  let bad = 0;
  let first = -1;
  for (let i = 0; i < want.length; i += 1) {
    if (actual[i] !== want[i]) {
      bad += 1;
      if (first < 0) first = i;
    }
  }
  if (bad === 0) return undefined;
  return `${name}: ${bad} of ${want.length} values differ; first at ${first}: got ${actual[first]}, expected ${want[first]}`;
}

function withTimeout<T>(p: Promise<T>, seconds: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${what} took longer than ${seconds} s`));
    }, seconds * 1000);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Runs one case folder. */
export async function runCase(suite: Suite, dir: string, backend: trt.BackendName, timeoutSeconds = 60): Promise<CaseResult> {
  const name = path.basename(dir);
  const bytes = fs.readFileSync(path.join(dir, 'model.onnx'));
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    return { suite, name, ops: [], status: 'fail', reason: `model does not decode: ${(err as Error).message}` };
  }
  const ops = [...new Set(model.graph.nodes.map((n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}:${n.opType}` : n.opType)))].sort();
  const result = (status: CaseStatus, reason?: string): CaseResult => ({ suite, name, ops, status, ...(reason !== undefined ? { reason } : {}) });
  const scope = outOfScopeReason(model);
  if (scope) return result('out-of-scope', scope);

  const builder = new trt.Builder(quiet, { backend });
  let runtime: trt.Runtime | undefined;
  let engine: trt.CudaEngine | undefined;
  try {
    const network = builder.createNetworkV2();
    const parser = new trt.OnnxParser(network, quiet);
    if (!parser.parse(bytes, path.join(dir, 'model.onnx'))) {
      const e = parser.getError(0)!;
      const code = e.code();
      const unsupported = code >= trt.ParserErrorCode.UNSUPPORTED_GRAPH && code <= trt.ParserErrorCode.UNSUPPORTED_NODE_SHAPE;
      const where = e.node() >= 0 ? `${e.nodeOperator()} node ${e.node()}: ` : '';
      return result(unsupported ? 'unsupported' : 'fail', `parse: ${where}${e.desc()}`);
    }
    const initializerNames = new Set(model.graph.initializers.map((i) => i.name));
    const graphInputs = model.graph.inputs.filter((i) => !initializerNames.has(i.name));
    const sets = readDataSets(dir, graphInputs.length, model.graph.outputs.length);
    if (sets.length === 0) return result('fail', 'the case has no test_data_set folders');

    const config = builder.createBuilderConfig();
    const dynamic = graphInputs.filter((_, k) => {
      const t = network.getInput(k);
      return t.shape.some((d) => d < 0);
    });
    // Shape tensor inputs (what the engine will report as shape inference I/O): INT32/INT64
    // inputs of rank 0 or 1 whose values decide dimensions. Their profile values span the data
    // sets' values (OPT: the first set's); the values themselves go through the input buffer.
    const shapeInputs = graphInputs.filter((_, k) => network.getInput(k).isShapeTensor);
    if (dynamic.length > 0 || shapeInputs.length > 0) {
      const profile = builder.createOptimizationProfile();
      graphInputs.forEach((input, k) => {
        if (dynamic.includes(input)) {
          const shapes = sets.map((s) => s.inputs[k]!.dims);
          const min = shapes[0]!.map((_, d) => Math.min(...shapes.map((s) => s[d]!)));
          const max = shapes[0]!.map((_, d) => Math.max(...shapes.map((s) => s[d]!)));
          profile.setShape(input.name, min, shapes[0]!, max);
        }
        if (shapeInputs.includes(input)) {
          const values = sets.map((s) => Array.from(s.inputs[k]!.data as ArrayLike<number | bigint>, (v) => Number(v)));
          const min = values[0]!.map((_, i) => Math.min(...values.map((v) => v[i]!)));
          const max = values[0]!.map((_, i) => Math.max(...values.map((v) => v[i]!)));
          profile.setShapeInput(input.name, min, values[0]!, max);
        }
      });
      config.addOptimizationProfile(profile);
    }
    let plan: trt.HostMemory;
    try {
      // On timeout the build is cancelled, so it does not run on into the next case.
      const abort = new AbortController();
      plan = await withTimeout(builder.buildSerializedNetwork(network, config, { signal: abort.signal }), timeoutSeconds, 'build', () => abort.abort());
    } catch (err) {
      const e = err as trt.TrtError;
      return result(e.code === 'UNSUPPORTED' ? 'unsupported' : 'fail', `build: ${e.message}`);
    }
    runtime = new trt.Runtime(quiet, { backend });
    engine = runtime.deserializeCudaEngine(plan);
    plan.dispose();
    for (let s = 0; s < sets.length; s += 1) {
      const mismatch = await runDataSet(engine, model, graphInputs.map((i) => i.name), sets[s]!, timeoutSeconds, CASE_TOLERANCES[name]?.atol);
      if (mismatch) return result('fail', sets.length > 1 ? `data set ${s}: ${mismatch}` : mismatch);
    }
    return result('pass');
  } catch (err) {
    return result('fail', `error: ${(err as Error).message}`);
  } finally {
    engine?.dispose();
    runtime?.dispose();
    builder.dispose();
  }
}

async function runDataSet(engine: trt.CudaEngine, model: OnnxModel, inputNames: string[], set: DataSet, timeoutSeconds: number, atol: number | undefined): Promise<string | undefined> {
  const context = engine.createExecutionContext();
  const buffers: trt.HostBuffer[] = [];
  const dataDependent = new trt.HostOutputAllocator();
  try {
    inputNames.forEach((name, k) => {
      const value = set.inputs[k]!;
      const dtype = engine.getTensorDataType(name);
      // DOUBLE data feeds the FLOAT input the parser made of a DOUBLE graph input.
      const data = value.type === OnnxType.DOUBLE && dtype === trt.DataType.FLOAT ? Float32Array.from(value.data as Float64Array) : value.engineData();
      const fedType = value.type === OnnxType.DOUBLE ? trt.DataType.FLOAT : engineType(value.type);
      if (fedType !== dtype) throw new Error(`input ${name} data has type ${typeName(value.type)} but the engine expects ${trt.DataType[dtype]}`);
      context.setInputShape(name, value.dims);
      const buf = trt.HostBuffer.from(data.byteLength > 0 ? (data as trt.TypedArray) : new Uint8Array(1));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    });
    const inputSet = new Set(inputNames);
    const outputs = model.graph.outputs.map((o, k) => {
      const name = inputSet.has(o.name) ? `__${o.name}` : o.name;
      const dims = context.getTensorShape(name);
      const dtype = engine.getTensorDataType(name);
      const out = { name, dims, dtype, count: dims.reduce((a, b) => a * b, 1), buf: undefined as trt.HostBuffer | undefined, expected: set.outputs[k]! };
      if (dims.some((d) => d < 0)) {
        // Data-dependent dims (NonZero, NMS, ...): the engine asks for memory once it knows them.
        context.setOutputAllocator(name, dataDependent);
        return out;
      }
      out.buf = new trt.HostBuffer(Math.max(trt.byteSizeOf(dtype, out.count), 1));
      buffers.push(out.buf);
      context.setTensorAddress(name, out.buf);
      return out;
    });
    await withTimeout(context.enqueueV3(), timeoutSeconds, 'run');
    for (const o of outputs) {
      if (!o.buf) {
        o.buf = dataDependent.buffer(o.name);
        o.dims = dataDependent.shape(o.name) ?? o.dims;
        o.count = o.dims.reduce((a, b) => a * b, 1);
      }
      if (!o.buf) return `${o.name}: the run produced no data-dependent output`;
      const want = o.expected;
      if (o.dims.length !== want.dims.length || o.dims.some((d, i) => d !== want.dims[i])) {
        return `${o.name}: shape [${o.dims.join(', ')}], expected [${want.dims.join(', ')}]`;
      }
      const wantType = want.type === OnnxType.DOUBLE ? trt.DataType.FLOAT : engineType(want.type);
      if (wantType !== o.dtype) return `${o.name}: type ${trt.DataType[o.dtype]}, expected ${typeName(want.type)}`;
      const Ctor = trt.typedArrayFor(o.dtype);
      const data = new Ctor(o.buf.arrayBuffer, 0, trt.isPackedDataType(o.dtype) ? trt.byteSizeOf(o.dtype, o.count) : o.count);
      const mismatch = o.dtype === trt.DataType.INT64 ? compareInt64(data as BigInt64Array, want, o.name) : compare(toNumbers(data, o.dtype, o.count), want, o.dtype, o.name, atol);
      if (mismatch) return mismatch;
    }
    return undefined;
  } finally {
    context.dispose();
    for (const b of buffers) b.dispose();
    dataDependent.dispose();
  }
}

/** Runs every case of the chosen suites, in name order. */
export async function runConformance(opts: RunOptions): Promise<CaseResult[]> {
  const suites = opts.suites ?? SUITES;
  const cases: Array<{ suite: Suite; dir: string }> = [];
  for (const suite of suites) {
    const base = path.join(opts.root, suite);
    if (!fs.existsSync(base)) throw new Error(`conformance suite folder ${base} is missing`);
    for (const name of fs.readdirSync(base).sort()) {
      const dir = path.join(base, name);
      if (!fs.statSync(dir).isDirectory()) continue;
      if (opts.filter !== undefined && !(typeof opts.filter === 'string' ? name.includes(opts.filter) : opts.filter.test(name))) continue;
      cases.push({ suite, dir });
    }
  }
  const results: CaseResult[] = [];
  for (let i = 0; i < cases.length; i += 1) {
    const c = cases[i]!;
    // A case folder without its model still counts, as a failure.
    const r = fs.existsSync(path.join(c.dir, 'model.onnx'))
      ? await runCase(c.suite, c.dir, opts.backend ?? 'cpu', opts.timeoutSeconds)
      : { suite: c.suite, name: path.basename(c.dir), ops: [], status: 'fail' as const, reason: 'the case folder has no model.onnx' };
    results.push(r);
    opts.onCase?.(r, i, cases.length);
  }
  return results;
}
