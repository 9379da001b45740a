/**
 * Data-dependent shapes: layers whose output dims follow from tensor values computed while the
 * engine runs (INonZeroLayer, INMSLayer, and every layer computed from them, including shape
 * arithmetic on their dims). Outputs with such dims go to a bound buffer of getMaxOutputSize()
 * bytes or to an IOutputAllocator; references are plain TS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { DataType } from '../lib/index.js';
import { quietLogger } from './helpers/engine.js';
import { fromFloat16Bits, toFloat16Bits } from './helpers/onnx.js';
import { randomFloat32 } from './helpers/random.js';

async function build(define: (net: trt.NetworkDefinition) => void, shapes?: Record<string, [number[], number[], number[]]>): Promise<trt.CudaEngine> {
  const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
  try {
    const network = builder.createNetworkV2();
    define(network);
    const config = builder.createBuilderConfig();
    if (shapes) {
      const profile = builder.createOptimizationProfile();
      for (const [name, d] of Object.entries(shapes)) profile.setShape(name, ...d);
      config.addOptimizationProfile(profile);
    }
    const plan = await builder.buildSerializedNetwork(network, config);
    try {
      return new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(plan);
    } finally {
      plan.dispose();
    }
  } finally {
    builder.dispose();
  }
}

/** Records what an output allocator was asked and told. */
class RecordingAllocator implements trt.IOutputAllocator {
  readonly requests: Array<{ name: string; size: number; alignment: number; hadCurrent: boolean }> = [];
  readonly shapes = new Map<string, number[]>();
  readonly buffers: trt.HostBuffer[] = [];
  readonly current = new Map<string, trt.HostBuffer>();
  reallocateOutputAsync(name: string, current: trt.TensorBuffer | null, size: number, alignment: number): trt.TensorBuffer | null {
    this.requests.push({ name, size, alignment, hadCurrent: current !== null });
    if (current && current.byteLength >= size) return current;
    const buffer = new trt.HostBuffer(Math.max(size, 1));
    this.buffers.push(buffer);
    this.current.set(name, buffer);
    return buffer;
  }
  notifyShape(name: string, dims: number[]): void {
    this.shapes.set(name, dims);
  }
  dispose(): void {
    for (const b of this.buffers) b.dispose();
  }
}

// Plain-TS references ----------------------------------------------------------------------------

function refNonZero(values: ArrayLike<number | bigint | boolean>, dims: number[]): { dims: number[]; data: number[] } {
  const found: number[] = [];
  for (let i = 0; i < values.length; i += 1) if (Number(values[i]) !== 0 || Number.isNaN(Number(values[i]))) found.push(i);
  const rank = dims.length;
  const data = new Array<number>(rank * found.length);
  found.forEach((flat, j) => {
    let rest = flat;
    for (let d = rank - 1; d >= 0; d -= 1) {
      data[d * found.length + j] = rest % dims[d];
      rest = Math.floor(rest / dims[d]);
    }
  });
  return { dims: [rank, found.length], data };
}

interface NmsCase {
  boxes: Float32Array;
  boxDims: number[]; // [B, N, 4] or [B, N, C, 4]
  scores: Float32Array; // [B, N, C]
  scoreDims: number[];
  maxPerClass: number;
  iou?: number;
  score?: number;
  centerSizes?: boolean;
  topK?: number;
}

function refNms(c: NmsCase): number[][] {
  const [B, N, C] = c.scoreDims;
  const perClass = c.boxDims.length === 4;
  const iouThreshold = c.iou ?? 0;
  const scoreThreshold = c.score ?? 0;
  const f = Math.fround;
  const corners = (b: number, n: number, cls: number): number[] => {
    const at = perClass ? ((b * N + n) * C + cls) * 4 : (b * N + n) * 4;
    const [p, q, r, s] = [c.boxes[at], c.boxes[at + 1], c.boxes[at + 2], c.boxes[at + 3]];
    if (c.centerSizes) return [f(p - f(r / 2)), f(q - f(s / 2)), f(p + f(r / 2)), f(q + f(s / 2))];
    return [Math.min(p, r), Math.min(q, s), Math.max(p, r), Math.max(q, s)];
  };
  const area = (k: number[]): number => f(f(k[2] - k[0]) * f(k[3] - k[1]));
  const iou = (a: number[], b: number[]): number => {
    const aa = area(a);
    const ab = area(b);
    if (aa <= 0 || ab <= 0) return 0;
    const w = f(Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
    const h = f(Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
    if (w <= 0 || h <= 0) return 0;
    const inter = f(w * h);
    return f(inter / f(f(aa + ab) - inter));
  };
  const rows: number[][] = [];
  for (let b = 0; b < B; b += 1) {
    let cands: Array<{ s: number; n: number; cls: number }> = [];
    for (let n = 0; n < N; n += 1) for (let cls = 0; cls < C; cls += 1) {
      const s = c.scores[(b * N + n) * C + cls];
      if (s > scoreThreshold) cands.push({ s, n, cls });
    }
    cands.sort((p, q) => q.s - p.s); // stable in V8: ties keep box-major order
    cands = cands.slice(0, c.topK ?? 5000);
    const kept: Array<Array<{ n: number; k: number[] }>> = Array.from({ length: C }, () => []);
    for (const cand of cands) {
      const mine = kept[cand.cls];
      if (mine.length >= c.maxPerClass) continue;
      const k = corners(b, cand.n, cand.cls);
      if (mine.every((o) => iou(k, o.k) <= iouThreshold)) mine.push({ n: cand.n, k });
    }
    for (let cls = 0; cls < C; cls += 1) for (const o of kept[cls]) rows.push([b, cls, o.n]);
  }
  return rows;
}

// NonZero ---------------------------------------------------------------------------------------

describe('INonZeroLayer', () => {
  const cases: Array<{ dtype: DataType; make: (n: number) => trt.TypedArray }> = [
    { dtype: DataType.FLOAT, make: (n) => Float32Array.from(randomFloat32(n, 3), (v, i) => (i % 3 === 0 ? 0 : i % 7 === 0 ? NaN : v)) },
    { dtype: DataType.INT32, make: (n) => Int32Array.from({ length: n }, (_, i) => (i % 4 === 1 ? 0 : i - 5)) },
    { dtype: DataType.INT64, make: (n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 5 === 0 ? 0 : 1 << 20) * BigInt(i)) },
    { dtype: DataType.BOOL, make: (n) => Uint8Array.from({ length: n }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0) },
    { dtype: DataType.HALF, make: (n) => Uint16Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0x3c00 : i % 3 === 0 ? 0x8000 : 0)) },
  ];
  for (const { dtype, make } of cases) {
    for (const indicesType of [DataType.INT64, DataType.INT32]) {
      it(`${DataType[dtype]} input, ${DataType[indicesType]} indices, through an output allocator and a bound buffer`, async () => {
        const dims = [3, 4, 5];
        const engine = await build((net) => {
          const x = net.addInput('x', dtype, dims);
          const nz = net.addNonZero(x, indicesType);
          nz.getOutput(0).name = 'indices';
          net.markOutput(nz.getOutput(0));
          expect(nz.getOutput(0).shape).toEqual([3, -1]);
        });
        const context = engine.createExecutionContext();
        const values = make(60);
        const expected = refNonZero(dtype === DataType.HALF ? fromFloat16Bits(values as Uint16Array) : (values as ArrayLike<number>), dims);
        using input = trt.HostBuffer.from(values);
        context.setTensorAddress('x', input);
        expect(context.getTensorShape('indices')).toEqual([3, -1]);
        const elem = indicesType === DataType.INT64 ? 8 : 4;
        expect(context.getMaxOutputSize('indices')).toBe(3 * 60 * elem);

        // An output allocator: asked for exactly the run's size, told the dims.
        const allocator = new RecordingAllocator();
        context.setOutputAllocator('indices', allocator);
        expect(context.getOutputAllocator('indices')).toBe(allocator);
        await context.enqueueV3();
        const count = expected.dims[1];
        expect(allocator.shapes.get('indices')).toEqual(expected.dims);
        expect(allocator.requests).toEqual([{ name: 'indices', size: 3 * count * elem, alignment: 256, hadCurrent: false }]);
        const got = trt.typedArrayFor(indicesType);
        const fromAllocator = Array.from(new got(allocator.buffers[0].arrayBuffer, 0, 3 * count) as ArrayLike<number | bigint>, Number);
        expect(fromAllocator).toEqual(expected.data);
        expect(context.getTensorShape('indices')).toEqual(expected.dims);
        // A second run reuses the memory the allocator gave.
        await context.enqueueV3();
        expect(allocator.requests[1].hadCurrent).toBe(true);

        // A bound buffer of getMaxOutputSize() bytes, synchronously.
        context.setOutputAllocator('indices', null);
        using out = new trt.HostBuffer(context.getMaxOutputSize('indices'));
        context.setTensorAddress('indices', out);
        context.executeV2();
        expect(Array.from(new got(out.arrayBuffer, 0, 3 * count) as ArrayLike<number | bigint>, Number)).toEqual(expected.data);
        allocator.dispose();
        context.dispose();
        engine.dispose();
      });
    }
  }

  it('feeds layers computed from its output and from its dims (Compress-style gather, shape arithmetic)', async () => {
    // y = gather(data, nonzero(mask)[0], axis 1); n = shape(y)[1] broadcast into a fill of that length.
    const engine = await build((net) => {
      const data = net.addInput('data', DataType.FLOAT, [2, 6]);
      const mask = net.addInput('mask', DataType.BOOL, [6]);
      const nz = net.addNonZero(mask, DataType.INT32);
      const flat = net.addShuffle(nz.getOutput(0));
      flat.reshapeDims = [-1];
      const gather = net.addGather(data, flat.getOutput(0), 1);
      gather.getOutput(0).name = 'y';
      net.markOutput(gather.getOutput(0));
      const shape = net.addShape(gather.getOutput(0));
      const ones = net.addFill([1], trt.FillOperation.LINSPACE, DataType.INT32);
      ones.setInput(0, net.addSlice(shape.getOutput(0), [1], [1], [1]).getOutput(0));
      ones.alpha = 10;
      ones.beta = 1;
      ones.getOutput(0).name = 'ramp';
      net.markOutput(ones.getOutput(0));
    });
    const context = engine.createExecutionContext();
    const data = Float32Array.from({ length: 12 }, (_, i) => i + 0.5);
    const allocator = new RecordingAllocator();
    context.setOutputAllocator('y', allocator);
    context.setOutputAllocator('ramp', allocator);
    using dataBuf = trt.HostBuffer.from(data);
    context.setTensorAddress('data', dataBuf);
    for (const mask of [[1, 0, 0, 1, 1, 0], [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]]) {
      using maskBuf = trt.HostBuffer.from(Uint8Array.from(mask));
      context.setTensorAddress('mask', maskBuf);
      await context.enqueueV3();
      const cols = mask.flatMap((m, i) => (m ? [i] : []));
      const expectedY = [0, 1].flatMap((r) => cols.map((c) => data[r * 6 + c]));
      expect(allocator.shapes.get('y')).toEqual([2, cols.length]);
      expect(allocator.shapes.get('ramp')).toEqual([cols.length]);
      const yMem = context.getTensorShape('y');
      expect(yMem).toEqual([2, cols.length]);
      // The allocator returns its newest buffer for each name; read through it.
      const yOut = lastBufferFor(allocator, 'y');
      expect(Array.from(new Float32Array(yOut.arrayBuffer, 0, expectedY.length))).toEqual(expectedY);
      const rampOut = lastBufferFor(allocator, 'ramp');
      expect(Array.from(new Int32Array(rampOut.arrayBuffer, 0, cols.length))).toEqual(cols.map((_, i) => 10 + i));
    }
    allocator.dispose();
    context.dispose();
    engine.dispose();
  });

  it('refuses a bound buffer that is too small and an output with neither buffer nor allocator', async () => {
    const engine = await build((net) => {
      const x = net.addInput('x', DataType.FLOAT, [8]);
      const nz = net.addNonZero(x);
      nz.getOutput(0).name = 'i';
      net.markOutput(nz.getOutput(0));
    });
    const context = engine.createExecutionContext();
    using x = trt.HostBuffer.from(Float32Array.from([1, 2, 3, 0, 0, 0, 0, 4]));
    context.setTensorAddress('x', x);
    await expect(context.enqueueV3()).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/output 'i' has data-dependent dimensions and neither a buffer nor an output allocator/) });
    using small = new trt.HostBuffer(16);
    context.setTensorAddress('i', small);
    await expect(context.enqueueV3()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/output 'i' has data-dependent dimensions \[1,4\] this run, which need 32 bytes .* its buffer has 16/) });
    context.setTensorAddress('i', null);
    context.setOutputAllocator('i', { reallocateOutputAsync: () => null, notifyShape: () => undefined });
    await expect(context.enqueueV3()).rejects.toMatchObject({ code: 'OUT_OF_MEMORY', message: expect.stringMatching(/allocator of 'i' returned no memory for 32 bytes/) });
    using tiny = new trt.HostBuffer(8);
    context.setOutputAllocator('i', { reallocateOutputAsync: () => tiny, notifyShape: () => undefined });
    await expect(context.enqueueV3()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/returned 8 bytes but the output needs 32/) });
    expect(() => context.setOutputAllocator('x', null)).toThrow(/'x' is an input, not an output/);
    expect(() => context.setOutputAllocator('i', {} as trt.IOutputAllocator)).toThrow(TypeError);
    expect(() => context.getMaxOutputSize('nope')).toThrow(/no input or output tensor is named 'nope'/);
    // After all that the context still runs.
    const allocator = new RecordingAllocator();
    context.setOutputAllocator('i', allocator);
    await context.enqueueV3();
    expect(allocator.shapes.get('i')).toEqual([1, 4]);
    allocator.dispose();
    context.dispose();
    engine.dispose();
  });

  it('works with dynamic input shapes and a USER_MANAGED context', async () => {
    const engine = await build(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [-1, 3]);
        const relu = net.addActivation(x, trt.ActivationType.RELU);
        const nz = net.addNonZero(relu.getOutput(0));
        nz.getOutput(0).name = 'i';
        net.markOutput(nz.getOutput(0));
      },
      { x: [[1, 3], [4, 3], [8, 3]] },
    );
    const context = engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.USER_MANAGED);
    using memory = new trt.HostBuffer(Math.max(engine.getDeviceMemorySizeForProfileV2(0), 256));
    context.setDeviceMemoryV2(memory, memory.byteLength);
    expect(context.getMaxOutputSize('i')).toBe(-1); // the input shape is not set yet
    for (const rows of [2, 8, 5]) {
      const values = randomFloat32(rows * 3, rows);
      context.setInputShape('x', [rows, 3]);
      expect(context.getTensorShape('i')).toEqual([2, -1]);
      expect(context.getMaxOutputSize('i')).toBe(2 * rows * 3 * 8);
      using x = trt.HostBuffer.from(values);
      using out = new trt.HostBuffer(context.getMaxOutputSize('i'));
      context.setTensorAddress('x', x);
      context.setTensorAddress('i', out);
      await context.enqueueV3();
      const expected = refNonZero(Array.from(values, (v) => Math.max(v, 0)), [rows, 3]);
      expect(context.getTensorShape('i')).toEqual(expected.dims);
      expect(Array.from(new BigInt64Array(out.arrayBuffer, 0, expected.data.length), Number)).toEqual(expected.data);
    }
    context.dispose();
    engine.dispose();
  });
});

describe('output allocators and bounds, edge cases', () => {
  it('sizes a packed (INT4) data-dependent output by its packed bytes', async () => {
    const engine = await build((net) => {
      const x = net.addInput('x', DataType.FLOAT, [41]);
      const nz = net.addNonZero(x, DataType.INT32);
      const asFloat = net.addCast(nz.getOutput(0), DataType.FLOAT);
      const packed = net.addCast(asFloat.getOutput(0), DataType.INT4);
      packed.getOutput(0).name = 'q';
      net.markOutput(packed.getOutput(0));
    });
    const context = engine.createExecutionContext();
    // 39 non-zero values (positions 1..39): [1, 39] INT4 needs 20 bytes.
    using x = trt.HostBuffer.from(Float32Array.from({ length: 41 }, (_, i) => (i === 0 || i === 40 ? 0 : 1)));
    context.setTensorAddress('x', x);
    expect(context.getMaxOutputSize('q')).toBe(21); // 41 INT4 values
    const allocator = new RecordingAllocator();
    context.setOutputAllocator('q', allocator);
    await context.enqueueV3();
    expect(allocator.requests[0]!.size).toBe(20);
    expect(allocator.shapes.get('q')).toEqual([1, 39]);
    // Positions 1..39 as FLOAT saturate to INT4's largest value, 7 (docs/layers.md, CAST).
    const bytes = new Uint8Array(allocator.buffers[0]!.arrayBuffer, 0, 20);
    const nibbles = Array.from({ length: 39 }, (_, j) => (bytes[j >> 1]! >> ((j & 1) * 4)) & 0xf);
    expect(nibbles).toEqual(Array.from({ length: 39 }, (_, j) => Math.min(j + 1, 7)));
    // A bound buffer one byte short is refused, not overrun.
    context.setOutputAllocator('q', null);
    using short = new trt.HostBuffer(19);
    context.setTensorAddress('q', short);
    await expect(context.enqueueV3()).rejects.toThrow(/need 20 bytes \(INT4\) but its buffer has 19/);
    allocator.dispose();
    context.dispose();
    engine.dispose();
  });

  it('asks the allocator for at least one byte when the output is empty', async () => {
    const engine = await build((net) => {
      const nz = net.addNonZero(net.addInput('x', DataType.FLOAT, [5]));
      nz.getOutput(0).name = 'i';
      net.markOutput(nz.getOutput(0));
    });
    const context = engine.createExecutionContext();
    using x = new trt.HostBuffer(20); // all zeros
    context.setTensorAddress('x', x);
    const allocator = new RecordingAllocator();
    context.setOutputAllocator('i', allocator);
    await context.enqueueV3();
    expect(allocator.requests[0]!.size).toBe(1);
    expect(allocator.shapes.get('i')).toEqual([1, 0]);
    allocator.dispose();
    context.dispose();
    engine.dispose();
  });

  it('gives no bound (-1) where a size shrinks as a data-dependent count grows', async () => {
    // y = x[0 : 6 - count(nonzero(x))]: the largest count gives the smallest y.
    const engine = await build((net) => {
      const x = net.addInput('x', DataType.FLOAT, [6]);
      const count = net.addSlice(net.addShape(net.addNonZero(x).getOutput(0)).getOutput(0), [1], [1], [1]).getOutput(0);
      const six = net.addConstant([1], trt.Weights.from(BigInt64Array.from([6n]))).getOutput(0);
      const size = net.addElementWise(six, count, trt.ElementWiseOperation.SUB).getOutput(0);
      const slice = net.addSlice(x, [0], [1], [1]);
      slice.setInput(2, size);
      slice.getOutput(0).name = 'y';
      net.markOutput(slice.getOutput(0));
    });
    const context = engine.createExecutionContext();
    expect(context.getMaxOutputSize('y')).toBe(-1);
    using x = trt.HostBuffer.from(Float32Array.from([0, 0, 0, 0, 1, 0]));
    context.setTensorAddress('x', x);
    const allocator = new RecordingAllocator();
    context.setOutputAllocator('y', allocator);
    await context.enqueueV3();
    expect(allocator.shapes.get('y')).toEqual([5]);
    allocator.dispose();
    context.dispose();
    engine.dispose();
  });

  it('hands a fixed-shape output to its allocator (no bound buffer needed) and notifies its dims', async () => {
    const engine = await build((net) => {
      const x = net.addInput('x', DataType.FLOAT, [2, 3]);
      const nz = net.addNonZero(x);
      nz.getOutput(0).name = 'i';
      net.markOutput(nz.getOutput(0));
      const relu = net.addActivation(x, trt.ActivationType.RELU);
      relu.getOutput(0).name = 'r';
      net.markOutput(relu.getOutput(0));
    });
    const context = engine.createExecutionContext();
    using x = trt.HostBuffer.from(Float32Array.from([1, -2, 0, 3, 0, -1]));
    context.setTensorAddress('x', x);
    const allocator = new RecordingAllocator();
    context.setOutputAllocator('i', allocator);
    context.setOutputAllocator('r', allocator);
    context.executeV2();
    expect(allocator.shapes.get('r')).toEqual([2, 3]);
    expect(Array.from(new Float32Array(allocator.current.get('r')!.arrayBuffer, 0, 6))).toEqual([1, 0, 0, 3, 0, 0]);
    expect(allocator.shapes.get('i')).toEqual([2, 4]);
    allocator.dispose();
    context.dispose();
    engine.dispose();
  });

  it('does not report a run\'s dims after the input shapes changed under it', async () => {
    const engine = await build(
      (net) => {
        const nz = net.addNonZero(net.addInput('x', DataType.FLOAT, [-1]));
        nz.getOutput(0).name = 'i';
        net.markOutput(nz.getOutput(0));
      },
      { x: [[1], [4], [8]] },
    );
    const context = engine.createExecutionContext();
    using x = trt.HostBuffer.from(Float32Array.from([1, 1, 0, 1, 1, 1, 1, 1]));
    using out = new trt.HostBuffer(128);
    context.setTensorAddress('x', x);
    context.setTensorAddress('i', out);
    context.setInputShape('x', [4]);
    const running = context.enqueueV3();
    context.setInputShape('x', [8]);
    await running;
    expect(context.getTensorShape('i')).toEqual([1, -1]);
    await context.enqueueV3();
    expect(context.getTensorShape('i')).toEqual([1, 7]);
    context.dispose();
    engine.dispose();
  });
});

describe('HostOutputAllocator', () => {
  it('keeps one buffer per output, grown only when a run needs more, with the last run\'s dims', async () => {
    const engine = await build((net) => {
      const nz = net.addNonZero(net.addInput('x', DataType.FLOAT, [6]));
      nz.getOutput(0).name = 'i';
      net.markOutput(nz.getOutput(0));
    });
    const context = engine.createExecutionContext();
    using outputs = new trt.HostOutputAllocator();
    context.setOutputAllocator('i', outputs);
    const runWith = async (values: number[]) => {
      using x = trt.HostBuffer.from(Float32Array.from(values));
      context.setTensorAddress('x', x);
      await context.enqueueV3();
      return outputs.buffer('i')!;
    };
    const first = await runWith([1, 1, 0, 0, 0, 0]);
    expect(outputs.shape('i')).toEqual([1, 2]);
    expect(Array.from(new BigInt64Array(first.arrayBuffer, 0, 2), Number)).toEqual([0, 1]);
    expect(await runWith([0, 0, 0, 0, 0, 1])).toBe(first); // fits: reused
    expect(outputs.shape('i')).toEqual([1, 1]);
    const grown = await runWith([1, 1, 1, 1, 0, 1]);
    expect(grown).not.toBe(first);
    expect(first.disposed).toBe(true);
    expect(Array.from(new BigInt64Array(grown.arrayBuffer, 0, 5), Number)).toEqual([0, 1, 2, 3, 5]);
    context.dispose();
    engine.dispose();
  });
});

function lastBufferFor(allocator: RecordingAllocator, name: string): trt.HostBuffer {
  const buffer = allocator.current.get(name);
  if (!buffer) throw new Error(`no buffer was handed out for '${name}'`);
  return buffer;
}

// NMS -------------------------------------------------------------------------------------------

describe('INMSLayer', () => {
  function boxesFor(B: number, N: number, C: number, perClass: boolean, seed: number): Float32Array {
    const rnd = randomFloat32(B * N * (perClass ? C : 1) * 4, seed);
    // Corners around a few clusters so suppression happens.
    return Float32Array.from(rnd, (v, i) => {
      const box = Math.floor(i / 4);
      const base = (box % 3) * 2;
      return i % 4 < 2 ? base + v : base + 1.5 + v;
    });
  }
  const cases: Array<NmsCase & { title: string }> = [];
  {
    const B = 2;
    const N = 12;
    const C = 3;
    const scores = Float32Array.from(randomFloat32(B * N * C, 7), (v) => Math.abs(v));
    cases.push({ title: 'shared corner boxes, IoU 0.3, score 0.1', boxes: boxesFor(B, N, C, false, 1), boxDims: [B, N, 4], scores, scoreDims: [B, N, C], maxPerClass: 4, iou: 0.3, score: 0.1 });
    cases.push({ title: 'per-class boxes, no thresholds given', boxes: boxesFor(B, N, C, true, 2), boxDims: [B, N, C, 4], scores, scoreDims: [B, N, C], maxPerClass: 100 });
    cases.push({ title: 'center-size boxes, top-K limit 5', boxes: boxesFor(B, N, C, false, 3), boxDims: [B, N, 4], scores, scoreDims: [B, N, C], maxPerClass: 3, iou: 0.5, centerSizes: true, topK: 5 });
    cases.push({ title: 'max 0 boxes per class', boxes: boxesFor(B, N, C, false, 4), boxDims: [B, N, 4], scores, scoreDims: [B, N, C], maxPerClass: 0, iou: 0.5 });
    cases.push({ title: 'flipped corners, identical boxes', boxes: Float32Array.from({ length: 1 * 4 * 4 }, (_, i) => [1, 1, 0, 0][i % 4]), boxDims: [1, 4, 4], scores: Float32Array.from([0.9, 0.8, 0.7, 0.6]), scoreDims: [1, 4, 1], maxPerClass: 3, iou: 0.5 });
  }
  for (const c of cases) {
    for (const dtype of [DataType.FLOAT, DataType.HALF]) {
      if (dtype === DataType.HALF && c.title !== cases[0].title) continue;
      it(`${c.title} (${DataType[dtype]})`, async () => {
        const half = dtype === DataType.HALF;
        // HALF inputs: round the values to half first so the FLOAT reference sees the same boxes.
        const boxes = half ? roundToHalf(c.boxes) : c.boxes;
        const scores = half ? roundToHalf(c.scores) : c.scores;
        const engine = await build((net) => {
          const b = net.addInput('boxes', dtype, c.boxDims);
          const s = net.addInput('scores', dtype, c.scoreDims);
          const m = net.addInput('max', DataType.INT32, []);
          const nms = net.addNMS(b, s, m, DataType.INT64);
          if (c.iou !== undefined) nms.setInput(3, net.addConstant([], trt.Weights.from(Float32Array.from([c.iou]))).getOutput(0));
          if (c.score !== undefined) nms.setInput(4, net.addConstant([], trt.Weights.from(Float32Array.from([c.score]))).getOutput(0));
          if (c.centerSizes) nms.boundingBoxFormat = trt.BoundingBoxFormat.CENTER_SIZES;
          if (c.topK !== undefined) nms.topKBoxLimit = c.topK;
          nms.getOutput(0).name = 'selected';
          nms.getOutput(1).name = 'count';
          net.markOutput(nms.getOutput(0));
          net.markOutput(nms.getOutput(1));
        });
        const context = engine.createExecutionContext();
        using bBuf = trt.HostBuffer.from(half ? toHalfBits(boxes) : boxes);
        using sBuf = trt.HostBuffer.from(half ? toHalfBits(scores) : scores);
        using mBuf = trt.HostBuffer.from(Int32Array.from([c.maxPerClass]));
        using countBuf = new trt.HostBuffer(4);
        context.setTensorAddress('boxes', bBuf);
        context.setTensorAddress('scores', sBuf);
        context.setTensorAddress('max', mBuf);
        context.setTensorAddress('count', countBuf);
        const [B, N, C] = c.scoreDims;
        expect(context.getMaxOutputSize('selected')).toBe(B * C * Math.min(N, c.topK ?? 5000) * 3 * 8);
        using out = new trt.HostBuffer(context.getMaxOutputSize('selected'));
        context.setTensorAddress('selected', out);
        await context.enqueueV3();
        const expected = refNms({ ...c, boxes, scores });
        expect(new Int32Array(countBuf.arrayBuffer)[0]).toBe(expected.length);
        expect(context.getTensorShape('selected')).toEqual([expected.length, 3]);
        const got = Array.from(new BigInt64Array(out.arrayBuffer, 0, expected.length * 3), Number);
        expect(got).toEqual(expected.flat());
        context.dispose();
        engine.dispose();
      });
    }
  }

  it('rejects malformed inputs with the layer named', () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    try {
      const net = builder.createNetworkV2();
      const b = net.addInput('b', DataType.FLOAT, [1, 4, 5]);
      const s = net.addInput('s', DataType.FLOAT, [1, 4, 2]);
      const m = net.addInput('m', DataType.INT32, []);
      expect(() => net.addNMS(b, s, m)).toThrow(/boxes \(input 0\) must have 4 coordinates in its last dim, not 5/);
      const b4 = net.addInput('b4', DataType.FLOAT, [1, 3, 4]);
      expect(() => net.addNMS(b4, s, m)).toThrow(/disagree on batch, boxes or classes/);
      const mf = net.addInput('mf', DataType.FLOAT, []);
      const ok = net.addInput('ok', DataType.FLOAT, [1, 4, 4]);
      expect(() => net.addNMS(ok, s, mf)).toThrow(/MaxOutputBoxesPerClass \(input 2\) must be INT32 or INT64, not FLOAT/);
      const layer = net.addNMS(ok, s, m);
      expect(() => {
        layer.topKBoxLimit = 6000;
      }).toThrow(RangeError);
      expect(() => net.addNonZero(ok, DataType.FLOAT)).toThrow(RangeError);
    } finally {
      builder.dispose();
    }
  });
});

function roundToHalf(a: Float32Array): Float32Array {
  return Float32Array.from(fromFloat16Bits(toFloat16Bits(a)));
}
function toHalfBits(a: Float32Array): Uint16Array {
  return toFloat16Bits(a);
}

describe('data-dependent outputs survive a plan round trip', () => {
  let engine: trt.CudaEngine;
  beforeAll(async () => {
    engine = await build((net) => {
      const x = net.addInput('x', DataType.INT32, [10]);
      const nz = net.addNonZero(x, DataType.INT32);
      nz.getOutput(0).name = 'i';
      net.markOutput(nz.getOutput(0));
    });
  });
  afterAll(() => engine.dispose());
  it('the engine reports -1 for the data-dependent dim', () => {
    expect(engine.getTensorShape('i')).toEqual([1, -1]);
  });
});
