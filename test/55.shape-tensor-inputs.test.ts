/**
 * Shape tensor inputs (TensorRT's "shape inference I/O"): INT32/INT64 inputs of rank 0 or 1 whose
 * values decide other tensors' dimensions. Profiles give their MIN/OPT/MAX values
 * (setShapeValuesV2 / setShapeInput); contexts read the values from the bound buffer whenever
 * they resolve shapes, and plan activation memory for the shapes they get.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { DataType, OptProfileSelector } from '../lib/index.js';
import { decode, quietLogger } from './helpers/engine.js';
import { randomFloat32 } from './helpers/random.js';
import * as R from './reference/index.js';

type Values = [number[], number[], number[]];

interface Spec {
  define: (net: trt.NetworkDefinition) => void;
  /** Per profile: shape tensor input -> [MIN, OPT, MAX] values; absent = no profile. */
  values?: Array<Record<string, Values>>;
  /** Per profile: input -> [MIN, OPT, MAX] dims. */
  shapes?: Array<Record<string, Values>>;
}

async function buildPlan(spec: Spec): Promise<trt.HostMemory> {
  const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
  try {
    const network = builder.createNetworkV2();
    spec.define(network);
    const config = builder.createBuilderConfig();
    const n = Math.max(spec.values?.length ?? 0, spec.shapes?.length ?? 0);
    for (let p = 0; p < n; p += 1) {
      const profile = builder.createOptimizationProfile();
      for (const [name, v] of Object.entries(spec.values?.[p] ?? {})) profile.setShapeInput(name, ...v);
      for (const [name, d] of Object.entries(spec.shapes?.[p] ?? {})) profile.setShape(name, ...d);
      config.addOptimizationProfile(profile);
    }
    return await builder.buildSerializedNetwork(network, config);
  } finally {
    builder.dispose();
  }
}

async function build(spec: Spec): Promise<trt.CudaEngine> {
  const plan = await buildPlan(spec);
  try {
    return new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(plan);
  } finally {
    plan.dispose();
  }
}

/** Binds inputs and outputs (sized for the current shapes), runs, decodes every output. */
async function run(context: trt.ExecutionContext, feeds: Record<string, trt.TypedArray>, sync = false): Promise<Record<string, R.Ref>> {
  const engine = context.engine;
  const buffers: trt.HostBuffer[] = [];
  try {
    for (const [name, data] of Object.entries(feeds)) {
      const buf = trt.HostBuffer.from(data);
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    }
    const outputs: Array<{ name: string; buf: trt.HostBuffer; dims: number[]; dtype: DataType }> = [];
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) !== trt.TensorIOMode.OUTPUT) continue;
      const dims = context.getTensorShape(name);
      const dtype = engine.getTensorDataType(name);
      const buf = new trt.HostBuffer(Math.max(trt.byteSizeOf(dtype, dims.reduce((a, b) => a * b, 1)), 1));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
      outputs.push({ name, buf, dims, dtype });
    }
    if (sync) context.executeV2();
    else await context.enqueueV3();
    const result: Record<string, R.Ref> = {};
    for (const o of outputs) {
      const Ctor = trt.typedArrayFor(o.dtype);
      const count = o.dims.reduce((a, b) => a * b, 1);
      result[o.name] = decode(new Ctor(o.buf.arrayBuffer.slice(0), 0, count), o.dims, o.dtype);
    }
    return result;
  } finally {
    for (const [name] of Object.entries(feeds)) context.setTensorAddress(name, null);
    for (const b of buffers) b.dispose();
  }
}

function expectRef(actual: R.Ref | undefined, expected: R.Ref): void {
  expect(actual).toBeDefined();
  expect(actual!.dims).toEqual(expected.dims);
  const cmp = R.compareClose(actual!, expected, { rtol: 0, atol: 0 });
  expect(cmp.ok, cmp.message).toBe(true);
}

async function expectTrtRejects(p: Promise<unknown>, code: trt.TrtErrorCode, message: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(trt.TrtError);
  expect((err as trt.TrtError).code, (err as Error).message).toBe(code);
  expect((err as Error).message).toMatch(message);
}

function expectTrtThrows(fn: () => unknown, code: trt.TrtErrorCode, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a TrtError').toBeInstanceOf(trt.TrtError);
  expect((caught as trt.TrtError).code, (caught as Error).message).toBe(code);
  expect((caught as Error).message).toMatch(message);
}

// --- Reshape: y = reshape(x[12], s) with s an INT64 [2] shape tensor input ------------------------
const x12 = randomFloat32(12, 55);
function defineReshape(net: trt.NetworkDefinition): void {
  const x = net.addInput('x', DataType.FLOAT, [12]);
  const s = net.addInput('s', DataType.INT64, [2]);
  const shuffle = net.addShuffle(x);
  shuffle.setInput(1, s);
  shuffle.getOutput(0).name = 'y';
  net.markOutput(shuffle.getOutput(0));
}
const reshapeValues: Record<string, Values> = { s: [[1, 1], [3, 4], [12, 12]] };

describe('Reshape with dims from a shape tensor input', () => {
  let engine: trt.CudaEngine;
  beforeAll(async () => {
    engine = await build({ define: defineReshape, values: [reshapeValues] });
  });
  afterAll(() => engine.dispose());

  it('the network and the engine report the shape tensor input', () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    try {
      const net = builder.createNetworkV2();
      defineReshape(net);
      expect(net.getInput(1).isShapeTensor).toBe(true);
      expect(net.getInput(0).isShapeTensor).toBe(false);
    } finally {
      builder.dispose();
    }
    expect(engine.isShapeInferenceIO('s')).toBe(true);
    expect(engine.isShapeInferenceIO('x')).toBe(false);
    expect(engine.isShapeInferenceIO('y')).toBe(false);
    expect(engine.getTensorShape('y')).toEqual([-1, -1]);
    expect(engine.getProfileTensorValuesV2('s', 0, OptProfileSelector.OPT)).toEqual([3, 4]);
    expect(engine.getTensorProfileValues(0, 's')).toEqual(reshapeValues['s']);
    expect(() => engine.getProfileTensorValuesV2('x', 0, OptProfileSelector.MIN)).toThrow(RangeError);
    expect(engine.inspect().io.map((t) => t.isShapeInferenceIO)).toEqual([false, true, false]);
  });

  for (const dims of [
    [3, 4],
    [2, 6],
    [12, 1],
    [1, 12],
    [6, 2],
  ]) {
    it(`s = [${dims.join(', ')}]: the output takes those dims and the reference values`, async () => {
      const ctx = engine.createExecutionContext();
      try {
        const out = await run(ctx, { x: x12, s: BigInt64Array.from(dims.map(BigInt)) });
        expectRef(out['y'], R.reshape(R.ref([12], x12), dims));
      } finally {
        ctx.dispose();
      }
    });
  }

  it('executeV2 reads the values too', async () => {
    const ctx = engine.createExecutionContext();
    try {
      const out = await run(ctx, { x: x12, s: new BigInt64Array([4n, 3n]) }, true);
      expectRef(out['y'], R.reshape(R.ref([12], x12), [4, 3]));
    } finally {
      ctx.dispose();
    }
  });

  it('values changed in place between two enqueues give different output shapes', async () => {
    const ctx = engine.createExecutionContext();
    const x = trt.HostBuffer.from(x12);
    const s = trt.HostBuffer.from(new BigInt64Array([2n, 6n]));
    const y = new trt.HostBuffer(12 * 4);
    try {
      ctx.setTensorAddress('x', x);
      ctx.setTensorAddress('s', s);
      ctx.setTensorAddress('y', y);
      expect(ctx.inferShapes()).toEqual([]);
      expect(ctx.getTensorShape('y')).toEqual([2, 6]);
      await ctx.enqueueV3();
      expectRef(decode(new Float32Array(y.arrayBuffer.slice(0)), [2, 6], DataType.FLOAT), R.reshape(R.ref([12], x12), [2, 6]));
      new BigInt64Array(s.arrayBuffer).set([3n, 4n]); // same address, new values
      expect(ctx.getTensorShape('y')).toEqual([3, 4]);
      await ctx.enqueueV3();
      expectRef(decode(new Float32Array(y.arrayBuffer.slice(0)), [3, 4], DataType.FLOAT), R.reshape(R.ref([12], x12), [3, 4]));
      // Changed again without asking for shapes first: enqueueV3 re-reads them.
      new BigInt64Array(s.arrayBuffer).set([12n, 1n]);
      await ctx.enqueueV3();
      expect(ctx.getTensorShape('y')).toEqual([12, 1]);
    } finally {
      ctx.dispose();
      for (const b of [x, s, y]) b.dispose();
    }
  });

  // BAD CALL / EXPECTED FAILURE
  it('values outside the profile are INVALID_ARGUMENT naming the input', async () => {
    const ctx = engine.createExecutionContext();
    const x = trt.HostBuffer.from(x12);
    const s = trt.HostBuffer.from(new BigInt64Array([13n, 1n]));
    const y = new trt.HostBuffer(12 * 4);
    try {
      ctx.setTensorAddress('x', x);
      ctx.setTensorAddress('s', s);
      ctx.setTensorAddress('y', y);
      expectTrtThrows(() => ctx.getTensorShape('y'), 'INVALID_ARGUMENT', /'s'.*\[13,1\].*outside optimization profile 0 \(MIN \[1,1\], MAX \[12,12\]\)/);
      expectTrtThrows(() => ctx.inferShapes(), 'INVALID_ARGUMENT', /'s'.*outside optimization profile/);
      await expectTrtRejects(ctx.enqueueV3(), 'INVALID_ARGUMENT', /shape tensor input 's'.*outside optimization profile/);
      new BigInt64Array(s.arrayBuffer).set([5n, 5n]); // in range, but 25 != 12 elements
      expectTrtThrows(() => ctx.getTensorShape('y'), 'INVALID_ARGUMENT', /SHUFFLE.*cannot reshape|reshape/i);
    } finally {
      ctx.dispose();
      for (const b of [x, s, y]) b.dispose();
    }
  });

  it('a shape tensor input without a buffer leaves output shapes unknown and refuses to run', async () => {
    const ctx = engine.createExecutionContext();
    const x = trt.HostBuffer.from(x12);
    const y = new trt.HostBuffer(12 * 4);
    try {
      expect(ctx.inferShapes()).toEqual(['s']);
      expect(ctx.getTensorShape('y')).toEqual([-1, -1]);
      ctx.setTensorAddress('x', x);
      ctx.setTensorAddress('y', y);
      await expectTrtRejects(ctx.enqueueV3(), 'INVALID_STATE', /shape tensor input 's' has no buffer/);
      expectTrtThrows(() => ctx.updateDeviceMemorySizeForShapes(), 'INVALID_STATE', /'s'/);
    } finally {
      ctx.dispose();
      x.dispose();
      y.dispose();
    }
  });

  it('a buffer too small for the values is INVALID_ARGUMENT', () => {
    const ctx = engine.createExecutionContext();
    const s = trt.HostBuffer.from(new BigInt64Array([12n]));
    try {
      ctx.setTensorAddress('s', s);
      expectTrtThrows(() => ctx.getTensorShape('y'), 'INVALID_ARGUMENT', /'s' needs 16 bytes/);
    } finally {
      ctx.dispose();
      s.dispose();
    }
  });

  it('plans survive a round trip with the shape tensor inputs and their values', async () => {
    const bytes = engine.serialize();
    const again = new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(bytes);
    try {
      expect(new DataView(bytes.data.buffer, bytes.data.byteOffset).getUint32(8, true)).toBeGreaterThanOrEqual(2);
      expect(again.isShapeInferenceIO('s')).toBe(true);
      expect(again.getTensorProfileValues(0, 's')).toEqual(reshapeValues['s']);
      expect(again.getDeviceMemorySizeV2()).toBe(engine.getDeviceMemorySizeV2());
      const ctx = again.createExecutionContext();
      try {
        const out = await run(ctx, { x: x12, s: new BigInt64Array([6n, 2n]) });
        expectRef(out['y'], R.reshape(R.ref([12], x12), [6, 2]));
      } finally {
        ctx.dispose();
      }
    } finally {
      again.dispose();
      bytes.dispose();
    }
  });
});

// --- Slice with run-time start and size ---------------------------------------------------------
describe('Slice with start and size from shape tensor inputs', () => {
  const x10 = randomFloat32(2 * 10, 56);
  let engine: trt.CudaEngine;
  beforeAll(async () => {
    engine = await build({
      define(net) {
        const x = net.addInput('x', DataType.FLOAT, [2, 10]);
        const start = net.addInput('start', DataType.INT32, [2]);
        const size = net.addInput('size', DataType.INT32, [2]);
        const slice = net.addSlice(x, [0, 0], [1, 1], [1, 1]);
        slice.setInput(1, start);
        slice.setInput(2, size);
        slice.getOutput(0).name = 'y';
        net.markOutput(slice.getOutput(0));
      },
      // The MAX corner (start 9 with size 10) runs past the end: the builder warns, and such
      // values are refused at run time; everything in between that fits works.
      values: [{ start: [[0, 0], [0, 2], [1, 9]], size: [[1, 1], [2, 3], [2, 10]] }],
    });
  });
  afterAll(() => engine.dispose());

  for (const [start, size] of [
    [
      [0, 2],
      [2, 3],
    ],
    [
      [1, 0],
      [1, 10],
    ],
    [
      [0, 9],
      [2, 1],
    ],
    [
      [1, 4],
      [1, 5],
    ],
  ] as const) {
    it(`start [${start.join(', ')}], size [${size.join(', ')}] matches the reference`, async () => {
      const ctx = engine.createExecutionContext();
      try {
        const out = await run(ctx, { x: x10, start: Int32Array.from(start), size: Int32Array.from(size) });
        expectRef(out['y'], R.slice(R.ref([2, 10], x10), { start: [...start], shape: [...size] }));
      } finally {
        ctx.dispose();
      }
    });
  }

  it('values inside the profile that run past the end are refused naming the layer', () => {
    const ctx = engine.createExecutionContext();
    const start = trt.HostBuffer.from(new Int32Array([0, 5]));
    const size = trt.HostBuffer.from(new Int32Array([1, 8]));
    try {
      ctx.setTensorAddress('start', start);
      ctx.setTensorAddress('size', size);
      expectTrtThrows(() => ctx.getTensorShape('y'), 'INVALID_ARGUMENT', /SLICE/);
    } finally {
      ctx.dispose();
      start.dispose();
      size.dispose();
    }
  });
});

// --- Fill from run-time dims (ConstantOfShape / Range style) --------------------------------------
describe('Fill with dims from a shape tensor input', () => {
  let engine: trt.CudaEngine;
  beforeAll(async () => {
    engine = await build({
      define(net) {
        const d = net.addInput('d', DataType.INT64, [2]);
        const fill = net.addFill([], trt.FillOperation.LINSPACE);
        fill.setInput(0, d);
        fill.alpha = 7;
        fill.beta = 0;
        fill.getOutput(0).name = 'c'; // ConstantOfShape(d, 7)
        net.markOutput(fill.getOutput(0));
        const ramp = net.addFill([], trt.FillOperation.LINSPACE);
        ramp.setInput(0, d);
        ramp.alpha = -2;
        ramp.beta = 0.5;
        ramp.getOutput(0).name = 'r';
        net.markOutput(ramp.getOutput(0));
      },
      values: [{ d: [[0, 1], [2, 3], [5, 8]] }],
    });
  });
  afterAll(() => engine.dispose());

  for (const dims of [
    [2, 3],
    [5, 8],
    [0, 4],
    [1, 1],
  ]) {
    it(`d = [${dims.join(', ')}]`, async () => {
      const ctx = engine.createExecutionContext();
      try {
        const out = await run(ctx, { d: BigInt64Array.from(dims.map(BigInt)) });
        expectRef(out['c'], R.fill({ shape: dims, alpha: 7, beta: 0 }));
        expectRef(out['r'], R.fill({ shape: dims, alpha: -2, beta: 0.5 }));
      } finally {
        ctx.dispose();
      }
    });
  }
});

// --- TopK with run-time K -------------------------------------------------------------------------
describe('TopK with K from a shape tensor input', () => {
  const data = randomFloat32(3 * 10, 57);
  let engine: trt.CudaEngine;
  beforeAll(async () => {
    engine = await build({
      define(net) {
        const x = net.addInput('x', DataType.FLOAT, [3, 10]);
        const k = net.addInput('k', DataType.INT32, []);
        const topk = net.addTopK(x, trt.TopKOperation.MAX, 1, 1 << 1);
        topk.setInput(1, k);
        topk.getOutput(0).name = 'values';
        topk.getOutput(1).name = 'indices';
        net.markOutput(topk.getOutput(0));
        net.markOutput(topk.getOutput(1));
      },
      values: [{ k: [[1], [3], [10]] }],
    });
  });
  afterAll(() => engine.dispose());

  it('one context, K changing between runs', async () => {
    const ctx = engine.createExecutionContext();
    try {
      for (const k of [3, 1, 10, 6]) {
        const out = await run(ctx, { x: data, k: new Int32Array([k]) });
        const want = R.topK(R.ref([3, 10], data), { op: R.TopKOperation.MAX, k, axes: 1 << 1 });
        expectRef(out['values'], want.values);
        expectRef(out['indices'], want.indices);
      }
    } finally {
      ctx.dispose();
    }
  });
});

// --- Values changed in place while a run is queued ------------------------------------------------
// enqueueV3 resolves the output shapes from the values in the buffers when it is called; the run
// must use those values too, even if the caller changes the buffer before the kernels that read
// them get to run (a mismatch used to make REDUCE write past its output).
describe('shape tensor values changed right after enqueueV3 (not awaited)', () => {
  const rows = 2000;
  const cols = 4;
  // Small integers: the sums are exact in FLOAT.
  const xData = Float32Array.from({ length: rows * cols }, (_, i) => (i * 7) % 8);
  let engine: trt.CudaEngine;
  beforeAll(async () => {
    engine = await build({
      define(net) {
        const x = net.addInput('x', DataType.FLOAT, [rows, cols]);
        // Busy work first, so that the worker is still on it when the values change.
        const eye = new Float32Array(cols * cols);
        for (let i = 0; i < cols; i += 1) eye[i * cols + i] = 1;
        const w = net.addConstant([cols, cols], eye).getOutput(0);
        let h = x;
        for (let i = 0; i < 100; i += 1) h = net.addMatrixMultiply(h, trt.MatrixOperation.NONE, w, trt.MatrixOperation.NONE).getOutput(0);
        const reduce = net.addReduce(h, trt.ReduceOperation.SUM, 0, false);
        reduce.setInput(1, net.addInput('axes', DataType.INT32, [1]));
        reduce.getOutput(0).name = 'r';
        net.markOutput(reduce.getOutput(0));
        const slice = net.addSlice(h, [0, 0], [1, 1], [1, 1]);
        slice.setInput(1, net.addInput('start', DataType.INT32, [2]));
        slice.setInput(2, net.addInput('size', DataType.INT32, [2]));
        slice.getOutput(0).name = 's';
        net.markOutput(slice.getOutput(0));
      },
      values: [{ axes: [[0], [0], [1]], start: [[0, 0], [0, 0], [rows - 1, cols - 1]], size: [[1, 1], [2, 2], [rows, cols]] }],
    });
  });
  afterAll(() => engine.dispose());

  const at = (r: number, c: number): number => xData[r * cols + c]!;
  function sums(axis: number): number[] {
    const out = new Array<number>(axis === 0 ? cols : rows).fill(0);
    for (let r = 0; r < rows; r += 1) for (let c = 0; c < cols; c += 1) out[axis === 0 ? c : r]! += at(r, c);
    return out;
  }
  function window(start: number[], size: number[]): number[] {
    const out: number[] = [];
    for (let r = 0; r < size[0]!; r += 1) for (let c = 0; c < size[1]!; c += 1) out.push(at(start[0]! + r, start[1]! + c));
    return out;
  }

  it('the run uses the values at enqueue time, for REDUCE axes and SLICE start/size', async () => {
    const ctx = engine.createExecutionContext();
    const x = trt.HostBuffer.from(xData);
    const axes = trt.HostBuffer.from(new Int32Array([0]));
    const start = trt.HostBuffer.from(new Int32Array([10, 1]));
    const size = trt.HostBuffer.from(new Int32Array([3, 2]));
    const r = new trt.HostBuffer(rows * 4);
    const s = new trt.HostBuffer(rows * cols * 4);
    try {
      for (const [name, buf] of Object.entries({ x, axes, start, size, r, s })) ctx.setTensorAddress(name, buf);
      const cases = [
        { axis: 0, start: [10, 1], size: [3, 2], next: { axis: 1, start: [rows - 5, 0], size: [5, 4] } },
        { axis: 1, start: [rows - 5, 0], size: [5, 4], next: { axis: 0, start: [10, 1], size: [3, 2] } },
      ];
      for (const c of cases) {
        new Int32Array(axes.arrayBuffer).set([c.axis]);
        new Int32Array(start.arrayBuffer).set(c.start);
        new Int32Array(size.arrayBuffer).set(c.size);
        expect(ctx.getTensorShape('r')).toEqual([c.axis === 0 ? cols : rows]);
        expect(ctx.getTensorShape('s')).toEqual(c.size);
        const pending = ctx.enqueueV3();
        // Same buffers, other values, before the run has finished (or, likely, reached them).
        new Int32Array(axes.arrayBuffer).set([c.next.axis]);
        new Int32Array(start.arrayBuffer).set(c.next.start);
        new Int32Array(size.arrayBuffer).set(c.next.size);
        await pending;
        const want = sums(c.axis);
        expect(Array.from(new Float32Array(r.arrayBuffer, 0, want.length))).toEqual(want);
        const wantS = window(c.start, c.size);
        expect(Array.from(new Float32Array(s.arrayBuffer, 0, wantS.length))).toEqual(wantS);
        // The context itself now sees the new values.
        expect(ctx.getTensorShape('s')).toEqual(c.next.size);
      }
    } finally {
      ctx.dispose();
      for (const b of [x, axes, start, size, r, s]) b.dispose();
    }
  });
});

// --- Activation memory: sizes that are largest between MIN and MAX ------------------------------
// y = relu(fill([32a, 32(9 - a)])): 8K elements at a = 1 and a = 8, 20K at a = 4 or 5. No profile
// corner bounds the memory, so contexts plan it for each run's values.
describe('activation memory for non-monotonic shapes', () => {
  let engine: trt.CudaEngine;
  const dimsFor = (a: number): number[] => [32 * a, 32 * (9 - a)];
  function expected(a: number): R.Ref {
    return R.activation(R.fill({ shape: dimsFor(a), alpha: 1, beta: [1, -1] }), { type: R.ActivationType.RELU });
  }
  beforeAll(async () => {
    engine = await build({
      define(net) {
        const a = net.addInput('a', DataType.INT32, [1]);
        const nine = net.addConstant([1], new Int32Array([9])).getOutput(0);
        const rest = net.addElementWise(nine, a, trt.ElementWiseOperation.SUB).getOutput(0);
        const both = net.addConcatenation([a, rest]).getOutput(0);
        const k32 = net.addConstant([1], new Int32Array([32])).getOutput(0);
        const dims = net.addElementWise(both, k32, trt.ElementWiseOperation.PROD).getOutput(0);
        const fill = net.addFill([], trt.FillOperation.LINSPACE);
        fill.setInput(0, dims);
        fill.alpha = 1;
        fill.setInput(2, net.addConstant([2], new Float32Array([1, -1])).getOutput(0));
        const y = net.addActivation(fill.getOutput(0), trt.ActivationType.RELU).getOutput(0);
        y.name = 'y';
        net.markOutput(y);
      },
      values: [{ a: [[1], [1], [8]] }],
    });
  });
  afterAll(() => engine.dispose());

  it('owned memory (STATIC, ON_PROFILE_CHANGE) grows to what the values need', async () => {
    for (const strategy of [trt.ExecutionContextAllocationStrategy.STATIC, trt.ExecutionContextAllocationStrategy.ON_PROFILE_CHANGE]) {
      const ctx = engine.createExecutionContext(strategy);
      try {
        for (const a of [1, 4, 8, 5, 2]) {
          const out = await run(ctx, { a: new Int32Array([a]) });
          expectRef(out['y'], expected(a));
        }
      } finally {
        ctx.dispose();
      }
    }
  });

  it('USER_MANAGED: updateDeviceMemorySizeForShapes gives the size for the current values', async () => {
    const ctx = engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.USER_MANAGED);
    const a = trt.HostBuffer.from(new Int32Array([1]));
    const y = new trt.HostBuffer(20 * 1024 * 4);
    const corner = engine.getDeviceMemorySizeV2();
    const small = new trt.HostBuffer(Math.max(corner, 1));
    let big: trt.HostBuffer | undefined;
    try {
      ctx.setTensorAddress('a', a);
      ctx.setTensorAddress('y', y);
      expect(ctx.updateDeviceMemorySizeForShapes()).toBeLessThanOrEqual(corner);
      ctx.setDeviceMemoryV2(small, small.byteLength);
      await ctx.enqueueV3();
      expectRef(decode(new Float32Array(y.arrayBuffer.slice(0, 8 * 1024 * 4)), dimsFor(1), DataType.FLOAT), expected(1));

      new Int32Array(a.arrayBuffer).set([4]);
      const need = ctx.updateDeviceMemorySizeForShapes();
      expect(need).toBeGreaterThan(corner);
      await expectTrtRejects(ctx.enqueueV3(), 'INVALID_STATE', new RegExp(`less than the ${need} bytes.*updateDeviceMemorySizeForShapes`));
      big = new trt.HostBuffer(need);
      ctx.setDeviceMemoryV2(big, need);
      await ctx.enqueueV3();
      expect(ctx.getTensorShape('y')).toEqual(dimsFor(4));
      expectRef(decode(new Float32Array(y.arrayBuffer.slice(0, 20 * 1024 * 4)), dimsFor(4), DataType.FLOAT), expected(4));
    } finally {
      ctx.dispose();
      for (const b of [a, y, small, big]) b?.dispose();
    }
  });
});

// --- Build-time errors ----------------------------------------------------------------------------
describe('profiles for shape tensor inputs (BAD CALL / EXPECTED FAILURE)', () => {
  async function buildError(spec: Spec): Promise<trt.TrtError> {
    const err = await buildPlan(spec).then(
      (plan) => {
        plan.dispose();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err, 'expected the build to fail').toBeInstanceOf(trt.TrtError);
    return err as trt.TrtError;
  }

  it('a shape tensor input without values fails the build, naming it and setShapeValuesV2', async () => {
    for (const spec of [{ define: defineReshape }, { define: defineReshape, values: [{}] }]) {
      const err = await buildError(spec);
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toMatch(/input 's' is a shape tensor input.*setShapeValuesV2\('s'/);
    }
  });

  it('values for an input that is not a shape tensor input', async () => {
    const err = await buildError({ define: defineReshape, values: [{ ...reshapeValues, x: [[1], [1], [1]] }] });
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/input 'x', which is not a shape tensor input/);
  });

  it('a value count that differs from the input volume', async () => {
    const err = await buildError({ define: defineReshape, values: [{ s: [[1], [3], [12]] }] });
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/input 's' have 1 values but the input \[2\] holds 2/);
  });

  it('OPT values that give invalid shapes fail the build naming the layer', async () => {
    const err = await buildError({ define: defineReshape, values: [{ s: [[1, 1], [5, 5], [12, 12]] }] });
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/SHUFFLE/);
  });

  it('the profile checks MIN <= OPT <= MAX and equal counts (RangeError naming the input)', () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    try {
      const config = builder.createBuilderConfig();
      const p = builder.createOptimizationProfile();
      p.setShapeInput('s', [1, 1], [3, 4], [2, 12]);
      expect(p.isValid).toBe(false);
      expect(() => config.addOptimizationProfile(p)).toThrow(/MIN <= OPT <= MAX in value 0.*'s'|'s'.*MIN <= OPT <= MAX/);
      const q = builder.createOptimizationProfile();
      q.setShapeValuesV2('s', OptProfileSelector.MIN, [1, 1]);
      expect(() => config.addOptimizationProfile(q)).toThrow(RangeError);
      q.setShapeValuesV2('s', OptProfileSelector.OPT, [1]);
      q.setShapeValuesV2('s', OptProfileSelector.MAX, [1, 1]);
      expect(() => config.addOptimizationProfile(q)).toThrow(/one count/);
      expect(() => q.setShapeValuesV2('s', OptProfileSelector.MIN, [1.5])).toThrow(TypeError);
      expect(() => q.setShapeValuesV2('', OptProfileSelector.MIN, [1])).toThrow(RangeError);
      expect(() => q.setShapeValuesV2('s', 7 as OptProfileSelector, [1])).toThrow(/select/);
    } finally {
      builder.dispose();
    }
  });

  it('getShapeValuesV2 / getShapeInput / getNbShapeValues return what was set', () => {
    const p = new trt.OptimizationProfile();
    expect(p.getShapeValuesV2('s', OptProfileSelector.MIN)).toEqual([]);
    expect(p.getNbShapeValues('s')).toBe(-1);
    expect(p.setShapeValuesV2('s', OptProfileSelector.OPT, new BigInt64Array([3n, 4n]))).toBe(true);
    expect(p.getShapeValuesV2('s', OptProfileSelector.OPT)).toEqual([3, 4]);
    expect(p.getNbShapeValues('s')).toBe(2);
    p.setShapeInput('s', [1, 1], [3, 4], [12, 12]);
    expect(p.getShapeInput('s')).toEqual([
      [1, 1],
      [3, 4],
      [12, 12],
    ]);
    expect(p.isValid).toBe(true);
  });
});

// --- Profiles and plan compatibility ---------------------------------------------------------------
describe('several profiles; version 1 plans', () => {
  it('each profile checks values against its own range', async () => {
    const engine = await build({ define: defineReshape, values: [reshapeValues, { s: [[1, 1], [2, 6], [2, 12]] }] });
    const ctx = engine.createExecutionContext();
    const x = trt.HostBuffer.from(x12);
    const s = trt.HostBuffer.from(new BigInt64Array([3n, 4n]));
    try {
      expect(engine.getTensorProfileValues(1, 's')).toEqual([
        [1, 1],
        [2, 6],
        [2, 12],
      ]);
      ctx.setTensorAddress('x', x);
      ctx.setTensorAddress('s', s);
      expect(ctx.getTensorShape('y')).toEqual([3, 4]);
      ctx.setOptimizationProfileAsync(1);
      expectTrtThrows(() => ctx.getTensorShape('y'), 'INVALID_ARGUMENT', /outside optimization profile 1/);
      new BigInt64Array(s.arrayBuffer).set([2n, 6n]);
      expect(ctx.getTensorShape('y')).toEqual([2, 6]);
    } finally {
      ctx.dispose();
      x.dispose();
      s.dispose();
      engine.dispose();
    }
  });

  it('a version 1 plan (no shape tensor section) still loads', async () => {
    const engine = await build({
      define(net) {
        const x = net.addInput('x', DataType.FLOAT, [2, 3]);
        const y = net.addActivation(x, trt.ActivationType.RELU).getOutput(0);
        y.name = 'y';
        net.markOutput(y);
      },
    });
    const v2 = engine.serialize();
    try {
      // Section 10 for 1 input and 1 profile: flags (4 + 1 bytes), then MIN, OPT, MAX lists
      // (each 4 + 4 bytes: one empty vector).
      const section10 = 4 + 1 + 3 * (4 + 4);
      const section11 = 4; // version 3: no loop bodies (a zero count)
      const v1 = v2.data.slice(0, v2.data.length - section10 - section11);
      const view = new DataView(v1.buffer);
      view.setUint32(8, 1, true);
      view.setUint32(44, 1, true);
      view.setBigUint64(24, BigInt(v1.length - 64), true);
      view.setBigUint64(32, fnv1a64(v1.subarray(64)), true);
      const old = new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(v1);
      try {
        expect(old.isShapeInferenceIO('x')).toBe(false);
        const ctx = old.createExecutionContext();
        try {
          const out = await run(ctx, { x: new Float32Array([-1, 2, -3, 4, -5, 6]) });
          expect(Array.from(out['y']!.data)).toEqual([0, 2, 0, 4, 0, 6]);
        } finally {
          ctx.dispose();
        }
      } finally {
        old.dispose();
      }
    } finally {
      v2.dispose();
      engine.dispose();
    }
  });
});

/** The plan checksum: FNV-1a-64 in 8 interleaved lanes (docs/plan-format.md). */
function fnv1a64(data: Uint8Array): bigint {
  const mask = (1n << 64n) - 1n;
  const prime = 1099511628211n;
  let h = 1469598103934665603n;
  const lanes = new Array<bigint>(8).fill(h);
  let i = 0;
  for (; i + 8 <= data.length; i += 8) for (let k = 0; k < 8; k += 1) lanes[k] = ((lanes[k]! ^ BigInt(data[i + k]!)) * prime) & mask;
  for (let k = 0; k < 8; k += 1) h = ((h ^ lanes[k]!) * prime) & mask;
  for (; i < data.length; i += 1) h = ((h ^ BigInt(data[i]!)) * prime) & mask;
  return h;
}
