/**
 * The cuda backend on configurations its first kernels refused or computed less accurately than
 * the cpu backend, against the cpu backend on the same network and inputs: MATRIX_MULTIPLY on
 * INT32 (every operand operation, broadcast batches, wrap-around, K = 0), CONVOLUTION geometries
 * whose windows run past the padded input (EXPLICIT_ROUND_UP, 1-D/2-D/3-D with groups and
 * dilation, fused bias and activation, dynamic shapes) and HALF/BF16 data with FLOAT weights, a
 * LOOP and an ELEMENTWISE reading a shape tensor input as data, CUMULATIVE with its axis computed
 * at run time, and NORMALIZATION of data far from zero.
 * Tolerances (|cuda - cpu| <= atol + rtol * |cpu|): INT32 and CUMULATIVE on integers exactly;
 * FP32 convolution 1e-4 (GEMM32 in ./compare.ts: only the summation order differs); FP32
 * NORMALIZATION and loops 1e-5 (FP32); HALF/BF16 convolution with FLOAT weights rtol 2e-3 / atol
 * 1e-3 (HALF) and rtol 1.6e-2 / atol 1e-2 (BF16): both backends sum in float with the float
 * weights and round once, so results differ by at most an ulp or two of the storage type (much
 * tighter than compare.ts's 16-bit defaults, which would not notice weights rounded to the data
 * type); other 16-bit results as in ./compare.ts.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../../lib/index.js';
import { buildEngine, decode, encode, runEngine } from '../helpers/engine.js';
import type { BuildOptions } from '../helpers/engine.js';
import type { Ref } from '../reference/ndarray.js';
import type { Define, Tolerance } from './compare.js';
import { FP32, GEMM32, compare, expectClose, floatTypes, randomRef, randomWeights, storageFor } from './compare.js';
import { cuda, gpuTitle, skipReason } from './gpu.js';

const { DataType, ActivationType, CumulativeOperation, ElementWiseOperation, LoopOutput, MatrixOperation, PaddingMode, TripLimit } = trt;
const EXACT: Tolerance = { rtol: 0, atol: 0 };
const ref = (dims: number[], data: ArrayLike<number>): Ref => ({ dims, data: Float64Array.from(data) });
const volume = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);
const intRef = (dims: number[], seed: number, lo: number, hi: number): Ref => {
  const r = randomRef(dims, seed, lo, hi);
  return { dims, data: r.data.map((v) => Math.round(v)) };
};

/**
 * Runs a cuda engine: inputs in cuda.DeviceBuffers, except shape tensor inputs, whose values are
 * read on the host (HostBuffers, as TensorRT's kHOST); outputs copied back.
 */
async function runCudaEngine(engine: trt.CudaEngine, feeds: Record<string, Ref>): Promise<Record<string, Ref>> {
  const context = engine.createExecutionContext();
  const buffers: Array<trt.cuda.DeviceBuffer | trt.HostBuffer> = [];
  try {
    for (const [name, r] of Object.entries(feeds)) {
      if (!engine.isShapeInferenceIO(name)) context.setInputShape(name, r.dims);
      const bytes = encode(r, engine.getTensorDataType(name));
      const buf = engine.isShapeInferenceIO(name) ? trt.HostBuffer.from(bytes) : cuda.DeviceBuffer.from(bytes);
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    }
    const outputs: Array<{ name: string; buf: trt.cuda.DeviceBuffer; dims: number[]; dtype: trt.DataType }> = [];
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) !== trt.TensorIOMode.OUTPUT) continue;
      const dims = context.getTensorShape(name);
      const dtype = engine.getTensorDataType(name);
      const buf = new cuda.DeviceBuffer(Math.max(trt.byteSizeOf(dtype, volume(dims)), 1));
      buffers.push(buf);
      context.setTensorAddress(name, buf);
      outputs.push({ name, buf, dims, dtype });
    }
    await context.enqueueV3();
    const result: Record<string, Ref> = {};
    for (const o of outputs) {
      const host = storageFor(o.dtype, volume(o.dims));
      if (host.byteLength > 0) o.buf.copyTo(host);
      result[o.name] = decode(host, o.dims, o.dtype);
    }
    return result;
  } finally {
    context.dispose();
    for (const b of buffers) b.dispose();
  }
}

/** compare() for networks with shape tensor inputs: several runs of the same two engines. */
async function compareRuns(what: string, define: Define, runs: Array<Record<string, Ref>>, tol: Tolerance, build: BuildOptions = {}): Promise<void> {
  const cpu = await buildEngine(define, { ...build, backend: 'cpu' });
  const gpu = await buildEngine(define, { ...build, backend: 'cuda' });
  try {
    expect(gpu.backend).toBe('cuda');
    for (const [i, feeds] of runs.entries()) {
      const want = await runEngine(cpu, Object.fromEntries(Object.entries(feeds).map(([k, r]) => [k, { ref: r }])));
      const got = await runCudaEngine(gpu, feeds);
      for (const name of Object.keys(want)) expectClose(got[name]!, want[name]!, tol, `${what} run ${i} '${name}'`);
    }
  } finally {
    cpu.dispose();
    gpu.dispose();
  }
}

interface Conv {
  name: string;
  x: number[];
  K: number;
  k: number[];
  stride?: number[];
  dilation?: number[];
  pre?: number[];
  post?: number[];
  mode?: trt.PaddingMode;
  groups?: number;
  bias?: boolean;
  act?: trt.ActivationType;
}

const roundUpCases: Conv[] = [
  { name: '1-D dilation 3, 2 groups', x: [1, 4, 9], K: 6, k: [2], stride: [2], dilation: [3], groups: 2, mode: PaddingMode.EXPLICIT_ROUND_UP },
  { name: '2-D dilation [2,3], 2 groups, asymmetric padding, bias', x: [1, 4, 8, 9], K: 6, k: [3, 2], stride: [2, 3], dilation: [2, 3], pre: [1, 1], post: [0, 1], groups: 2, mode: PaddingMode.EXPLICIT_ROUND_UP, bias: true },
  { name: '2-D stride 2, symmetric padding, bias, fused RELU', x: [2, 3, 6, 6], K: 4, k: [3, 3], stride: [2, 2], pre: [1, 1], post: [1, 1], mode: PaddingMode.EXPLICIT_ROUND_UP, bias: true, act: ActivationType.RELU },
  { name: '3-D dilation [2,1,2], 2 groups, batch 2, fused LEAKY_RELU', x: [2, 4, 4, 5, 6], K: 4, k: [2, 2, 2], stride: [2, 2, 3], dilation: [2, 1, 2], groups: 2, mode: PaddingMode.EXPLICIT_ROUND_UP, act: ActivationType.LEAKY_RELU },
  { name: '2-D depthwise, stride 3, bias', x: [1, 5, 10, 11], K: 5, k: [3, 3], stride: [3, 3], groups: 5, mode: PaddingMode.EXPLICIT_ROUND_UP, bias: true },
];

function defineConv(c: Conv, dtype: trt.DataType, seed: number, weights: 'float' | 'data', dynamic = false): Define {
  const count = c.K * (c.x[1]! / (c.groups ?? 1)) * volume(c.k);
  const kernel = randomWeights(count, seed + 1);
  const bias = c.bias ? randomWeights(c.K, seed + 2) : undefined;
  // Weights in the data type: HALF/BF16 values given as such (exactly representable).
  const asData = (w: Float32Array): trt.WeightsLike => {
    if (weights === 'float' || dtype === DataType.FLOAT) return w;
    return new trt.Weights(dtype, encode(ref([w.length], w), dtype));
  };
  return (net) => {
    const x = net.addInput('x', dtype, dynamic ? c.x.map(() => -1) : c.x);
    const layer = net.addConvolutionNd(x, c.K, c.k, asData(kernel), bias ? asData(bias) : undefined);
    if (c.stride) layer.strideNd = c.stride;
    if (c.dilation) layer.dilationNd = c.dilation;
    if (c.pre) layer.prePadding = c.pre;
    if (c.post) layer.postPadding = c.post;
    if (c.groups) layer.numGroups = c.groups;
    if (c.mode !== undefined) layer.paddingMode = c.mode;
    let y = layer.getOutput(0);
    if (c.act !== undefined) {
      const a = net.addActivation(y, c.act);
      a.alpha = 0.1;
      y = a.getOutput(0);
    }
    net.markOutput(y);
  };
}

/** Storage-type tolerances of the cpu suites (see the header). */
const tightTol = (dtype: trt.DataType): Tolerance =>
  dtype === DataType.FLOAT ? GEMM32 : dtype === DataType.HALF ? { rtol: 2e-3, atol: 1e-3 } : { rtol: 1.6e-2, atol: 1e-2 };

describe.skipIf(!!skipReason)(gpuTitle('cuda kernel gaps vs the cpu backend'), () => {
  it('MATRIX_MULTIPLY INT32: every NONE/TRANSPOSE/VECTOR pair, broadcast batches (exact)', async () => {
    const ops = [MatrixOperation.NONE, MatrixOperation.TRANSPOSE, MatrixOperation.VECTOR];
    // op(A) [.., M=3, K=4], op(B) [.., K=4, N=5]; batches [2,1] x [1,3] broadcast to [2,3].
    const dimsA = (op: trt.MatrixOperation): number[] => (op === MatrixOperation.NONE ? [2, 1, 3, 4] : op === MatrixOperation.TRANSPOSE ? [2, 1, 4, 3] : [2, 1, 4]);
    const dimsB = (op: trt.MatrixOperation): number[] => (op === MatrixOperation.NONE ? [1, 3, 4, 5] : op === MatrixOperation.TRANSPOSE ? [1, 3, 5, 4] : [1, 3, 4]);
    for (const opA of ops) {
      for (const opB of ops) {
        const a = intRef(dimsA(opA), 10 + opA * 3 + opB, -50, 50);
        const b = intRef(dimsB(opB), 20 + opA * 3 + opB, -50, 50);
        await compare(`int32 matmul ${MatrixOperation[opA]} x ${MatrixOperation[opB]}`, (net) => {
          const ta = net.addInput('a', DataType.INT32, a.dims);
          const tb = net.addInput('b', DataType.INT32, b.dims);
          net.markOutput(net.addMatrixMultiply(ta, opA, tb, opB).getOutput(0));
        }, { a, b }, EXACT);
      }
    }
  });

  it('MATRIX_MULTIPLY INT32: 2-D, vectors (rank-0 result), wrap-around, K = 0, dynamic shapes (exact)', async () => {
    await compare('int32 matmul 2-D and vectors', (net) => {
      const a = net.addInput('a', DataType.INT32, [7, 9]);
      const b = net.addInput('b', DataType.INT32, [9, 11]);
      const v = net.addInput('v', DataType.INT32, [9]);
      net.markOutput(net.addMatrixMultiply(a, MatrixOperation.NONE, b, MatrixOperation.NONE).getOutput(0));
      net.markOutput(net.addMatrixMultiply(a, MatrixOperation.NONE, v, MatrixOperation.VECTOR).getOutput(0));
      net.markOutput(net.addMatrixMultiply(v, MatrixOperation.VECTOR, b, MatrixOperation.NONE).getOutput(0));
      net.markOutput(net.addMatrixMultiply(v, MatrixOperation.VECTOR, v, MatrixOperation.VECTOR).getOutput(0));
    }, { a: intRef([7, 9], 1, -1000, 1000), b: intRef([9, 11], 2, -1000, 1000), v: intRef([9], 3, -1000, 1000) }, EXACT);
    // 65536 * 65536 wraps to 0; 46341^2 wraps to -2147479015; large sums wrap too.
    await compare('int32 matmul wrap-around', (net) => {
      const a = net.addInput('a', DataType.INT32, [2, 3]);
      const b = net.addInput('b', DataType.INT32, [3, 2]);
      net.markOutput(net.addMatrixMultiply(a, MatrixOperation.NONE, b, MatrixOperation.NONE).getOutput(0));
    }, { a: ref([2, 3], [65536, 46341, 2147483647, -2147483648, 3, 46341]), b: ref([3, 2], [65536, 46341, 46341, 2, 2147483647, -7]) }, EXACT);
    await compare('int32 matmul K = 0', (net) => {
      const a = net.addInput('a', DataType.INT32, [3, 0]);
      const b = net.addInput('b', DataType.INT32, [0, 4]);
      net.markOutput(net.addMatrixMultiply(a, MatrixOperation.NONE, b, MatrixOperation.NONE).getOutput(0));
    }, { a: ref([3, 0], []), b: ref([0, 4], []) }, EXACT);
    await compare('int32 matmul dynamic', (net) => {
      const a = net.addInput('a', DataType.INT32, [-1, -1, -1, -1]);
      const b = net.addInput('b', DataType.INT32, [-1, -1, -1, -1]);
      net.markOutput(net.addMatrixMultiply(a, MatrixOperation.TRANSPOSE, b, MatrixOperation.NONE).getOutput(0));
    }, { a: intRef([2, 1, 6, 3], 4, -9, 9), b: intRef([1, 4, 6, 5], 5, -9, 9) }, EXACT, {
      profiles: [{ a: [[1, 1, 1, 1], [2, 1, 6, 3], [2, 4, 8, 8]], b: [[1, 1, 1, 1], [1, 4, 6, 5], [2, 4, 8, 8]] }],
    });
  });

  it('CONVOLUTION EXPLICIT_ROUND_UP (windows past the padded input): 1-D/2-D/3-D, groups, dilation, bias, fused activations', async () => {
    for (const [ci, c] of roundUpCases.entries()) {
      for (const [label, dtype] of floatTypes) {
        await compare(`conv ${c.name} ${label}`, defineConv(c, dtype, 100 + ci, 'data'), { x: randomRef(c.x, 200 + ci) }, tightTol(dtype));
      }
    }
  });

  it('CONVOLUTION EXPLICIT_ROUND_UP with every dim dynamic', async () => {
    for (const [ci, c] of roundUpCases.entries()) {
      const profiles = [{ x: [c.x, c.x, c.x.map((v, i) => (i < 2 ? v : v + 3))] as [number[], number[], number[]] }];
      await compare(`conv dynamic ${c.name}`, defineConv(c, DataType.FLOAT, 300 + ci, 'data', true), { x: randomRef(c.x, 400 + ci) }, GEMM32, { profiles });
    }
  });

  it('CONVOLUTION HALF/BF16 data with FLOAT weights computes with the float weights (144-term sums, bias, activation)', async () => {
    const cases: Conv[] = [
      { name: '16 channels 3x3, bias', x: [1, 16, 9, 9], K: 8, k: [3, 3], pre: [1, 1], post: [1, 1], bias: true },
      { name: '16 -> 32 channels 3x3, 32x32, bias, batch 2', x: [2, 16, 32, 32], K: 32, k: [3, 3], pre: [1, 1], post: [1, 1], bias: true },
      { name: '4 groups 5x5 SAME_UPPER, fused RELU', x: [1, 8, 24, 20], K: 8, k: [5, 5], groups: 4, mode: PaddingMode.SAME_UPPER, act: ActivationType.RELU },
      { name: '1-D asymmetric padding, bias, no activation', x: [2, 6, 17], K: 5, k: [4], pre: [2], post: [1], bias: true },
    ];
    for (const [ci, c] of cases.entries()) {
      for (const dtype of [DataType.HALF, DataType.BF16]) {
        await compare(`conv float weights ${c.name} ${DataType[dtype]}`, defineConv(c, dtype, 500 + ci, 'float'), { x: randomRef(c.x, 600 + ci) }, tightTol(dtype));
      }
    }
  });

  it('LOOP: a trip count from a shape tensor input, changing between runs', async () => {
    await compareRuns('loop shape-tensor trip count', (net) => {
      const n = net.addInput('n', DataType.INT32, []);
      const step = net.addInput('step', DataType.FLOAT, [2]);
      const loop = net.addLoop();
      loop.addTripLimit(n, TripLimit.COUNT);
      const acc = loop.addRecurrence(net.addConstant([2], new Float32Array([0.5, -1])).getOutput(0));
      const next = net.addElementWise(acc.getOutput(0), step, ElementWiseOperation.SUM).getOutput(0);
      acc.setInput(1, next);
      const all = loop.addLoopOutput(next, LoopOutput.CONCATENATE, 0);
      all.setInput(1, n);
      net.markOutput(all.getOutput(0));
      net.markOutput(loop.addLoopOutput(acc.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
    }, [3, 1, 0, 8, 5].map((n) => ({ n: ref([], [n]), step: ref([2], [1.25, 10]) })), FP32, { shapeValues: [{ n: [[0], [3], [8]] }] });
  });

  it('a shape tensor input read as data by ELEMENTWISE and as a SHUFFLE shape', async () => {
    await compareRuns('shape tensor input as data', (net) => {
      const s = net.addInput('s', DataType.INT32, [2]);
      const x = net.addInput('x', DataType.INT32, [6]);
      const shuffle = net.addShuffle(x);
      shuffle.setInput(1, s);
      net.markOutput(shuffle.getOutput(0));
      net.markOutput(net.addElementWise(s, net.addConstant([2], new Int32Array([10, 100])).getOutput(0), ElementWiseOperation.PROD).getOutput(0));
    }, [[2, 3], [3, 2], [6, 1]].map((v) => ({ s: ref([2], v), x: ref([6], [1, 2, 3, 4, 5, 6]) })), EXACT, { shapeValues: [{ s: [[1, 1], [2, 3], [6, 6]] }] });
  });

  it('CUMULATIVE with a run-time axis (a network input): every axis, SUM/PROD, exclusive, reverse, float and integer types', async () => {
    const dims = [3, 4, 5];
    const types: Array<[string, trt.DataType, Tolerance]> = [...floatTypes, ['INT32', DataType.INT32, EXACT], ['INT64', DataType.INT64, EXACT]];
    for (const [label, dtype, tol] of types) {
      const x = dtype === DataType.INT32 || dtype === DataType.INT64 ? intRef(dims, 7, -3, 3) : randomRef(dims, 7, 0.5, 1.5);
      for (const axis of [0, 1, 2, -1, -3]) {
        await compare(`cumulative ${label} axis ${axis}`, (net) => {
          const tx = net.addInput('x', dtype, dims);
          const ta = net.addInput('a', DataType.INT32, []);
          net.markOutput(net.addCumulative(tx, ta, CumulativeOperation.SUM, false, false).getOutput(0));
          net.markOutput(net.addCumulative(tx, ta, CumulativeOperation.PROD, true, true).getOutput(0));
          net.markOutput(net.addCumulative(tx, ta, CumulativeOperation.SUM, true, false).getOutput(0));
        }, { x, a: ref([], [axis]) }, tol);
      }
    }
  });

  it('CUMULATIVE with a run-time axis out of range fails the run naming the layer', async () => {
    const engine = await buildEngine((net) => {
      const x = net.addInput('x', DataType.FLOAT, [2, 3]);
      const a = net.addInput('a', DataType.INT64, []);
      const layer = net.addCumulative(x, a, CumulativeOperation.SUM, false, false);
      layer.name = 'scan';
      net.markOutput(layer.getOutput(0));
    }, { backend: 'cuda' });
    try {
      await expect(runCudaEngine(engine, { x: randomRef([2, 3], 1), a: ref([], [2]) })).rejects.toThrow(/scan.*axis 2 is out of range/);
    } finally {
      engine.dispose();
    }
  });

  it('NORMALIZATION FP32 of data far from zero (4096 elements around 100) keeps float accuracy', async () => {
    const dims = [2, 4, 32, 32];
    await compare('normalization large mean', (net) => {
      const x = net.addInput('x', DataType.FLOAT, dims);
      const scale = net.addInput('scale', DataType.FLOAT, [1, 4, 1, 1]);
      const bias = net.addInput('bias', DataType.FLOAT, [1, 4, 1, 1]);
      net.markOutput(net.addNormalizationV2(x, scale, bias, 0b1100).getOutput(0));
    }, { x: randomRef(dims, 11, 99, 101), scale: randomRef([1, 4, 1, 1], 12, -2, 2), bias: randomRef([1, 4, 1, 1], 13, -1, 1) }, FP32);
  });
});
