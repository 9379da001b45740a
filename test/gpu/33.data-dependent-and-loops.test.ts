/**
 * The cuda backend on layers that need values on the host while a run runs, against the cpu
 * backend on the same network and inputs: NON_ZERO (every input type but the packed 4-bit ones,
 * both index types), NMS (its options, FP32/FP16/BF16 boxes), layers computed from their outputs
 * and dims, output allocators returning cuda.DeviceBuffers (growing across runs), loops (COUNT
 * and WHILE, every loop output kind, trip counts known from shapes and computed on the device),
 * an event loop that keeps turning while such a run is in flight, and every byte back through a
 * TrackingAllocator after dispose. Tolerances: indices, counts and integer loop results exactly;
 * float loop results as in ./compare.ts (FP32 1e-5).
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../../lib/index.js';
import { buildEngine, decode, encode, runEngine } from '../helpers/engine.js';
import type { BuildOptions } from '../helpers/engine.js';
import type { Ref } from '../reference/ndarray.js';
import type { Define } from './compare.js';
import { FP32, expectClose, random, randomRef, storageFor } from './compare.js';
import { cuda, gpuTitle, skipReason } from './gpu.js';

const { DataType, ElementWiseOperation, LoopOutput, TripLimit } = trt;
const ref = (dims: number[], data: ArrayLike<number>): Ref => ({ dims, data: Float64Array.from(data) });
const volume = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/** An IOutputAllocator handing out cuda.DeviceBuffers, growing only when asked for more. */
class DeviceAllocator implements trt.IOutputAllocator {
  readonly requests: Array<{ name: string; size: number; hadCurrent: boolean }> = [];
  readonly shapes = new Map<string, number[]>();
  readonly current = new Map<string, trt.cuda.DeviceBuffer>();
  readonly made: trt.cuda.DeviceBuffer[] = [];
  reallocateOutputAsync(name: string, current: trt.TensorBuffer | null, size: number): trt.TensorBuffer | null {
    this.requests.push({ name, size, hadCurrent: current !== null });
    if (current && current.byteLength >= size) {
      this.current.set(name, current as trt.cuda.DeviceBuffer);
      return current;
    }
    const buffer = new cuda.DeviceBuffer(size);
    this.made.push(buffer);
    this.current.set(name, buffer);
    return buffer;
  }
  notifyShape(name: string, dims: number[]): void {
    this.shapes.set(name, dims);
  }
  read(name: string, dtype: trt.DataType): Ref {
    const dims = this.shapes.get(name)!;
    const host = storageFor(dtype, volume(dims));
    if (host.byteLength > 0) this.current.get(name)!.copyTo(host, { byteLength: host.byteLength });
    return decode(host, dims, dtype);
  }
  dispose(): void {
    for (const b of this.made) b.dispose();
  }
}

/**
 * Runs a cuda engine with inputs in DeviceBuffers. Outputs of known dims go to DeviceBuffers;
 * data-dependent ones to a buffer of getMaxOutputSize() bytes ('buffer') or to a DeviceAllocator
 * ('allocator'), their dims read back after the run.
 */
async function runCudaDD(
  engine: trt.CudaEngine,
  feeds: Record<string, Ref>,
  mode: 'buffer' | 'allocator',
  opts: { context?: trt.ExecutionContext; allocator?: DeviceAllocator; sync?: boolean } = {},
): Promise<Record<string, Ref>> {
  const context = opts.context ?? engine.createExecutionContext();
  const allocator = opts.allocator ?? new DeviceAllocator();
  const buffers: trt.cuda.DeviceBuffer[] = [];
  try {
    for (const [name, r] of Object.entries(feeds)) {
      context.setInputShape(name, r.dims);
      const buf = cuda.DeviceBuffer.from(encode(r, engine.getTensorDataType(name)));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    }
    const outputs: Array<{ name: string; buf?: trt.cuda.DeviceBuffer; dims: number[]; dtype: trt.DataType }> = [];
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) !== trt.TensorIOMode.OUTPUT) continue;
      const dims = context.getTensorShape(name);
      const dtype = engine.getTensorDataType(name);
      const bytes = dims.some((d) => d < 0) ? context.getMaxOutputSize(name) : trt.byteSizeOf(dtype, volume(dims));
      // Outputs with no size bound (-1) need an allocator in either mode, as on the cpu backend.
      if (context.getOutputAllocator(name) || (dims.some((d) => d < 0) && (mode === 'allocator' || bytes < 0))) {
        // Set once: setOutputAllocator() starts the output over (no current memory).
        if (context.getOutputAllocator(name) !== allocator) context.setOutputAllocator(name, allocator);
        outputs.push({ name, dims, dtype });
        continue;
      }
      const buf = new cuda.DeviceBuffer(Math.max(bytes, 1));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
      outputs.push({ name, buf, dims, dtype });
    }
    if (opts.sync) context.executeV2();
    else await context.enqueueV3();
    const result: Record<string, Ref> = {};
    for (const o of outputs) {
      if (!o.buf) {
        result[o.name] = allocator.read(o.name, o.dtype);
        continue;
      }
      const dims = context.getTensorShape(o.name);
      const host = storageFor(o.dtype, volume(dims));
      if (host.byteLength > 0) o.buf.copyTo(host, { byteLength: host.byteLength });
      result[o.name] = decode(host, dims, o.dtype);
    }
    return result;
  } finally {
    if (!opts.context) context.dispose();
    if (!opts.allocator) allocator.dispose();
    for (const b of buffers) b.dispose();
  }
}

/** Builds `define` for both backends and compares every output (exactly unless `tol`), in both output modes. */
async function compareDD(what: string, define: Define, feeds: Record<string, Ref>, tol?: { rtol: number; atol: number }, build: BuildOptions = {}): Promise<void> {
  const cpu = await buildEngine(define, { ...build, backend: 'cpu' });
  const gpu = await buildEngine(define, { ...build, backend: 'cuda' });
  try {
    const want = await runEngine(cpu, Object.fromEntries(Object.entries(feeds).map(([k, r]) => [k, { ref: r }])));
    for (const mode of ['buffer', 'allocator'] as const) {
      const got = await runCudaDD(gpu, feeds, mode);
      for (const name of Object.keys(want)) {
        if (tol) expectClose(got[name]!, want[name]!, tol, `${what} '${name}' (${mode})`);
        else expect(got[name], `${what} '${name}' (${mode})`).toEqual(want[name]);
      }
    }
  } finally {
    cpu.dispose();
    gpu.dispose();
  }
}

/** Values with zeros (and a -0 for float types, which counts as zero) mixed in. */
function sparse(dims: number[], seed: number, dtype: trt.DataType): Ref {
  const next = random(seed);
  const n = volume(dims);
  const data = Float64Array.from({ length: n }, () => {
    const u = next();
    if (u < 0.4) return 0;
    if (dtype === DataType.BOOL) return 1;
    if (dtype === DataType.UINT8) return Math.floor(u * 200);
    return Math.round((u - 0.7) * 100);
  });
  if (n > 3 && (dtype === DataType.FLOAT || dtype === DataType.HALF || dtype === DataType.BF16)) data[3] = -0;
  return { dims, data };
}

const scalar = (net: trt.NetworkDefinition, dtype: trt.DataType, v: number): trt.ITensor =>
  net.addConstant([], dtype === DataType.INT64 ? new trt.Weights(BigInt64Array.from([BigInt(v)])) : dtype === DataType.INT32 ? new trt.Weights(Int32Array.from([v])) : new trt.Weights(Float32Array.from([v]))).getOutput(0);

describe.skipIf(!!skipReason)(gpuTitle('cuda backend: data-dependent shapes, output allocators and loops vs the cpu backend'), () => {
  describe('NON_ZERO', () => {
    const types = [DataType.FLOAT, DataType.HALF, DataType.BF16, DataType.INT8, DataType.UINT8, DataType.BOOL, DataType.INT32, DataType.INT64];
    for (const dtype of types) {
      it(`${DataType[dtype]} input, INT32 and INT64 indices, ranks 1 to 3`, async () => {
        for (const indicesType of [DataType.INT64, DataType.INT32]) {
          for (const dims of [[17], [4, 5], [2, 3, 7]]) {
            await compareDD(
              `NonZero ${DataType[dtype]} -> ${DataType[indicesType]} ${JSON.stringify(dims)}`,
              (net) => {
                const nz = net.addNonZero(net.addInput('x', dtype, dims), indicesType);
                nz.getOutput(0).name = 'indices';
                net.markOutput(nz.getOutput(0));
              },
              { x: sparse(dims, 3 + dims.length, dtype) },
            );
          }
        }
      });
    }

    it('all zeros (no columns) and all non-zero', async () => {
      for (const fill of [0, 2]) {
        await compareDD(
          `NonZero of all ${fill}`,
          (net) => net.markOutput(net.addNonZero(net.addInput('x', DataType.FLOAT, [3, 4])).getOutput(0)),
          { x: ref([3, 4], new Array<number>(12).fill(fill)) },
        );
      }
    });

    it('feeds a Gather, a Shape and a shape input computed from its count (values read back mid-run)', async () => {
      await compareDD(
        'NonZero -> Gather -> Shape -> Fill',
        (net) => {
          const data = net.addInput('data', DataType.FLOAT, [2, 9]);
          const mask = net.addInput('mask', DataType.BOOL, [9]);
          const flat = net.addShuffle(net.addNonZero(mask, DataType.INT32).getOutput(0));
          flat.reshapeDims = [-1];
          const gather = net.addGather(data, flat.getOutput(0), 1);
          const doubled = net.addElementWise(gather.getOutput(0), gather.getOutput(0), ElementWiseOperation.SUM).getOutput(0);
          doubled.name = 'y';
          net.markOutput(doubled);
          const ramp = net.addFill([1], trt.FillOperation.LINSPACE, DataType.INT32);
          ramp.setInput(0, net.addSlice(net.addShape(gather.getOutput(0)).getOutput(0), [1], [1], [1]).getOutput(0));
          ramp.alpha = 10;
          ramp.beta = 1;
          ramp.getOutput(0).name = 'ramp';
          net.markOutput(ramp.getOutput(0));
        },
        { data: randomRef([2, 9], 5), mask: sparse([9], 6, DataType.BOOL) },
        FP32,
      );
    });
  });

  describe('NMS', () => {
    const B = 2;
    const N = 40;
    const C = 3;
    const boxesFor = (perClass: boolean, seed: number): Ref => {
      const next = random(seed);
      const dims = perClass ? [B, N, C, 4] : [B, N, 4];
      const data = new Float64Array(volume(dims));
      for (let i = 0; i < data.length; i += 4) {
        const x = next() * 10;
        const y = next() * 10;
        data.set([x, y, x + 1 + next() * 3, y + 1 + next() * 3], i);
      }
      return { dims, data };
    };
    const scores = (seed: number): Ref => {
      const r = randomRef([B, N, C], seed, 0, 1);
      r.data[5] = r.data[6]!; // a tie: the lower box index first
      return r;
    };
    const cases: Array<{ title: string; perClass?: boolean; iou?: number; score?: number; centerSizes?: boolean; topK?: number; max: number }> = [
      { title: 'shared corner boxes, IoU 0.3, score 0.2', iou: 0.3, score: 0.2, max: 6 },
      { title: 'per-class boxes, no thresholds given', perClass: true, max: 100 },
      { title: 'center-size boxes, top-K limit 7', iou: 0.5, centerSizes: true, topK: 7, max: 3 },
      { title: 'max 0 boxes per class', iou: 0.5, max: 0 },
    ];
    for (const c of cases) {
      for (const [label, dtype] of [['FP32', DataType.FLOAT], ['FP16', DataType.HALF], ['BF16', DataType.BF16]] as const) {
        it(`${c.title} (${label})`, async () => {
          for (const indicesType of [DataType.INT32, DataType.INT64]) {
            await compareDD(
              `NMS ${c.title} ${label}`,
              (net) => {
                const b = net.addInput('boxes', dtype, c.perClass ? [B, N, C, 4] : [B, N, 4]);
                const s = net.addInput('scores', dtype, [B, N, C]);
                const m = net.addInput('max', DataType.INT32, []);
                const nms = net.addNMS(b, s, m, indicesType);
                if (c.iou !== undefined) nms.setInput(3, scalar(net, DataType.FLOAT, c.iou));
                if (c.score !== undefined) nms.setInput(4, scalar(net, DataType.FLOAT, c.score));
                if (c.centerSizes) nms.boundingBoxFormat = trt.BoundingBoxFormat.CENTER_SIZES;
                if (c.topK !== undefined) nms.topKBoxLimit = c.topK;
                nms.getOutput(0).name = 'selected';
                nms.getOutput(1).name = 'count';
                net.markOutput(nms.getOutput(0));
                net.markOutput(nms.getOutput(1));
              },
              { boxes: boxesFor(!!c.perClass, 9), scores: scores(10), max: ref([], [c.max]) },
            );
          }
        });
      }
    }
  });

  describe('output allocators', () => {
    it('get cuda.DeviceBuffers, grow across runs and are reused when large enough (enqueueV3 and executeV2)', async () => {
      const define: Define = (net) => {
        const nz = net.addNonZero(net.addInput('x', DataType.FLOAT, [-1]), DataType.INT32);
        nz.getOutput(0).name = 'indices';
        net.markOutput(nz.getOutput(0));
        const y = net.addActivation(net.addInput('z', DataType.FLOAT, [4]), trt.ActivationType.RELU).getOutput(0);
        y.name = 'relu';
        net.markOutput(y);
      };
      const build: BuildOptions = { profiles: [{ x: [[1], [8], [64]] }] };
      const cpu = await buildEngine(define, { ...build, backend: 'cpu' });
      const gpu = await buildEngine(define, { ...build, backend: 'cuda' });
      const context = gpu.createExecutionContext();
      const allocator = new DeviceAllocator();
      context.setOutputAllocator('relu', allocator); // an output of known dims through an allocator too
      try {
        const z = ref([4], [-1, 2, -3, 4]);
        for (const [i, n] of [3, 20, 7, 64].entries()) {
          const x = sparse([n], 20 + i, DataType.FLOAT);
          const want = await runEngine(cpu, { x: { ref: x }, z: { ref: z } });
          const got = await runCudaDD(gpu, { x, z }, 'allocator', { context, allocator, sync: i === 2 });
          expect(got['indices'], `run ${i}`).toEqual(want['indices']);
          expect(got['relu'], `run ${i}`).toEqual(want['relu']);
          expect(context.getTensorShape('indices')).toEqual(want['indices']!.dims);
        }
        const sizes = allocator.requests.filter((r) => r.name === 'indices');
        expect(sizes).toHaveLength(4);
        expect(sizes.slice(1).every((r) => r.hadCurrent)).toBe(true);
        // A new buffer only when a run needed more than the last one had.
        const grew = sizes.filter((r, i) => i === 0 || r.size > Math.max(...sizes.slice(0, i).map((s) => s.size))).length;
        expect(grew).toBeGreaterThanOrEqual(2);
        // One buffer for 'relu' (same size every run), and for 'indices' one per growth.
        expect(allocator.made).toHaveLength(grew + 1);
      } finally {
        allocator.dispose();
        context.dispose();
        cpu.dispose();
        gpu.dispose();
      }
    });

    it('refuse host memory (a HostBuffer) on the cuda backend, and null as OUT_OF_MEMORY', async () => {
      const engine = await buildEngine((net) => net.markOutput(net.addNonZero(net.addInput('x', DataType.FLOAT, [5])).getOutput(0)), { backend: 'cuda' });
      const context = engine.createExecutionContext();
      using x = cuda.DeviceBuffer.from(Float32Array.from([0, 1, 0, 2, 3]));
      context.setTensorAddress('x', x);
      const name = engine.getIOTensorName(1);
      using host = new trt.HostBuffer(1024);
      context.setOutputAllocator(name, { reallocateOutputAsync: () => host, notifyShape: () => undefined });
      await expect(context.enqueueV3()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/returned host memory/) });
      context.setOutputAllocator(name, { reallocateOutputAsync: () => null, notifyShape: () => undefined });
      await expect(context.enqueueV3()).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
      const allocator = new DeviceAllocator();
      context.setOutputAllocator(name, allocator);
      await context.enqueueV3();
      expect(allocator.shapes.get(name)).toEqual([1, 3]);
      expect(Array.from(allocator.read(name, DataType.INT64).data)).toEqual([1, 3, 4]);
      allocator.dispose();
      context.dispose();
      engine.dispose();
    });
  });

  describe('loops', () => {
    for (const dtype of [DataType.FLOAT, DataType.INT32]) {
      it(`COUNT loop with a trip count known from shapes: LAST_VALUE, CONCATENATE on axes 0 and 1, REVERSE, reverse iterator (${DataType[dtype]})`, async () => {
        await compareDD(
          `COUNT loop ${DataType[dtype]}`,
          (net) => {
            const xin = net.addInput('x', dtype, [5, 3]);
            const n = scalar(net, DataType.INT32, 5);
            const loop = net.addLoop();
            loop.addTripLimit(n, TripLimit.COUNT);
            const xi = loop.addIterator(xin).getOutput(0);
            const back = loop.addIterator(xin, 0, true).getOutput(0);
            const sum = loop.addRecurrence(net.addConstant([3], dtype === DataType.INT32 ? new trt.Weights(new Int32Array(3)) : new trt.Weights(new Float32Array(3))).getOutput(0));
            const next = net.addElementWise(net.addElementWise(sum.getOutput(0), xi, ElementWiseOperation.SUM).getOutput(0), back, ElementWiseOperation.SUB).getOutput(0);
            sum.setInput(1, next);
            net.markOutput(loop.addLoopOutput(sum.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
            for (const [kind, axis] of [[LoopOutput.CONCATENATE, 0], [LoopOutput.CONCATENATE, 1], [LoopOutput.REVERSE, 0]] as const) {
              const o = loop.addLoopOutput(next, kind, axis);
              o.setInput(1, n);
              net.markOutput(o.getOutput(0));
            }
          },
          { x: dtype === DataType.INT32 ? ref([5, 3], Array.from({ length: 15 }, (_, i) => i * 3 - 7)) : randomRef([5, 3], 31) },
          dtype === DataType.FLOAT ? FP32 : undefined,
        );
      });
    }

    it('a trip count computed on the device (an INT32 input plus one), with a matrix-multiply recurrence', async () => {
      for (const trips of [0, 1, 6]) {
        await compareDD(
          `device trip count ${trips}`,
          (net) => {
            const count = net.addElementWise(net.addInput('n', DataType.INT32, []), scalar(net, DataType.INT32, 1), ElementWiseOperation.SUM).getOutput(0);
            const w = net.addConstant([4, 4], new trt.Weights(Float32Array.from(randomRef([4, 4], 41).data, (v) => v * 0.5))).getOutput(0);
            const loop = net.addLoop();
            loop.addTripLimit(count, TripLimit.COUNT);
            const h = loop.addRecurrence(net.addInput('h0', DataType.FLOAT, [1, 4]));
            const next = net.addActivation(net.addMatrixMultiply(h.getOutput(0), trt.MatrixOperation.NONE, w, trt.MatrixOperation.NONE).getOutput(0), trt.ActivationType.TANH).getOutput(0);
            h.setInput(1, next);
            net.markOutput(loop.addLoopOutput(h.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
          },
          { n: ref([], [trips - 1]), h0: randomRef([1, 4], 42) },
          { rtol: 1e-4, atol: 1e-4 },
        );
      }
    });

    it('a WHILE loop (i < limit) with CONCATENATE and REVERSE outputs longer than its iterations', async () => {
      for (const limit of [0, 3, 6]) {
        await compareDD(
          `WHILE loop, limit ${limit}`,
          (net) => {
            const lim = net.addInput('limit', DataType.INT32, []);
            const loop = net.addLoop();
            const i = loop.addRecurrence(scalar(net, DataType.INT32, 0));
            const sq = net.addElementWise(i.getOutput(0), i.getOutput(0), ElementWiseOperation.PROD).getOutput(0);
            loop.addTripLimit(net.addElementWise(i.getOutput(0), lim, ElementWiseOperation.LESS).getOutput(0), TripLimit.WHILE);
            i.setInput(1, net.addElementWise(i.getOutput(0), scalar(net, DataType.INT32, 1), ElementWiseOperation.SUM).getOutput(0));
            for (const kind of [LoopOutput.CONCATENATE, LoopOutput.REVERSE]) {
              const o = loop.addLoopOutput(sq, kind);
              o.setInput(1, scalar(net, DataType.INT32, 6));
              net.markOutput(o.getOutput(0));
            }
            net.markOutput(loop.addLoopOutput(i.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
          },
          { limit: ref([], [limit]) },
        );
      }
    });
  });

  it('enqueueV3 returns at once and the event loop turns while a run waiting on the GPU is in flight', async () => {
    // A WHILE loop of many iterations reads its condition on the host every iteration.
    const engine = await buildEngine(
      (net) => {
        const lim = net.addInput('limit', DataType.INT32, []);
        const loop = net.addLoop();
        const i = loop.addRecurrence(scalar(net, DataType.INT32, 0));
        loop.addTripLimit(net.addElementWise(i.getOutput(0), lim, ElementWiseOperation.LESS).getOutput(0), TripLimit.WHILE);
        i.setInput(1, net.addElementWise(i.getOutput(0), scalar(net, DataType.INT32, 1), ElementWiseOperation.SUM).getOutput(0));
        net.markOutput(loop.addLoopOutput(i.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
      },
      { backend: 'cuda' },
    );
    const context = engine.createExecutionContext();
    using limit = cuda.DeviceBuffer.from(Int32Array.from([3000]));
    using out = new cuda.DeviceBuffer(4);
    context.setTensorAddress('limit', limit);
    context.setTensorAddress(engine.getIOTensorName(1), out);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    const started = performance.now();
    const run = context.enqueueV3();
    const returnedAfter = performance.now() - started;
    await run;
    const tookMs = performance.now() - started;
    clearInterval(timer);
    const host = new Int32Array(1);
    out.copyTo(host);
    expect(host[0]).toBe(3000);
    expect(returnedAfter).toBeLessThan(tookMs);
    expect(ticks).toBeGreaterThan(0);
    context.dispose();
    engine.dispose();
  });

  it('a TrackingAllocator on the runtime sees every byte back once contexts and engine are disposed', async () => {
    const tracking = new cuda.TrackingAllocator(new cuda.DefaultAllocator());
    const runtime = new trt.Runtime(undefined, { backend: 'cuda' });
    runtime.setGpuAllocator(tracking);
    const builder = new trt.Builder(undefined, { backend: 'cuda' });
    const network = builder.createNetworkV2();
    const x = network.addInput('x', DataType.FLOAT, [64]);
    const nz = network.addNonZero(x, DataType.INT32);
    const flat = network.addShuffle(nz.getOutput(0));
    flat.reshapeDims = [-1];
    const gathered = network.addGather(x, flat.getOutput(0), 0).getOutput(0);
    gathered.name = 'y';
    network.markOutput(gathered);
    const engine = runtime.deserializeCudaEngine(await builder.buildSerializedNetwork(network, builder.createBuilderConfig()));
    builder.dispose();
    const cpu = await buildEngine((net) => {
      const cx = net.addInput('x', DataType.FLOAT, [64]);
      const cflat = net.addShuffle(net.addNonZero(cx, DataType.INT32).getOutput(0));
      cflat.reshapeDims = [-1];
      const cy = net.addGather(cx, cflat.getOutput(0), 0).getOutput(0);
      cy.name = 'y';
      net.markOutput(cy);
    }, { backend: 'cpu' });
    const weights = tracking.stats().liveBytes;
    const contexts = [engine.createExecutionContext(), engine.createExecutionContext()];
    const allocator = new DeviceAllocator();
    for (const [i, context] of contexts.entries()) {
      for (let run = 0; run < 3; run += 1) {
        const x = sparse([64], 50 + run + i, DataType.FLOAT);
        const want = await runEngine(cpu, { x: { ref: x } });
        const got = await runCudaDD(engine, { x }, 'allocator', { context, allocator });
        expect(got['y'], `context ${i} run ${run}`).toEqual(want['y']);
      }
    }
    expect(tracking.stats().liveBytes).toBeGreaterThan(weights);
    for (const c of contexts) c.dispose();
    expect(tracking.stats().liveBytes).toBe(weights);
    engine.dispose();
    const s = tracking.stats();
    expect(s.liveBytes).toBe(0);
    expect(s.allocations).toBe(s.deallocations);
    allocator.dispose();
    cpu.dispose();
    runtime.dispose();
    tracking.dispose();
  });
});
