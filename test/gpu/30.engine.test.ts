/**
 * The built-in engine's cuda backend: every CUDA kernel against the CPU backend on the same
 * network and inputs (tolerances in ./compare.ts), then device memory, streams, allocators and
 * plans.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../../lib/index.js';
import { buildEngine, runEngine } from '../helpers/engine.js';
import type { BuildOptions } from '../helpers/engine.js';
import type { Ref } from '../reference/ndarray.js';
import type { Define } from './compare.js';
import { FP32, GEMM32, compare, expectClose, floatTypes, randomRef, randomWeights, runCuda } from './compare.js';
import { cuda, gpuTitle, skipReason } from './gpu.js';

const { DataType, ActivationType, ElementWiseOperation, UnaryOperation, MatrixOperation, PoolingType, ReduceOperation, ScaleMode } = trt;

describe.skipIf(!!skipReason)(gpuTitle('cuda backend kernels vs the cpu backend'), () => {
  it('reports the cuda backend available and auto prefers it over cpu', () => {
    const b = trt.getBackends().find((x) => x.name === 'cuda')!;
    expect(b.available).toBe(true);
    expect(trt.resolveBackend('auto').name).toBe('cuda');
  });

  it('ELEMENTWISE: every op with broadcasting, FP32/FP16/BF16, INT32, BOOL', async () => {
    const arith = [ElementWiseOperation.SUM, ElementWiseOperation.PROD, ElementWiseOperation.MAX, ElementWiseOperation.MIN, ElementWiseOperation.SUB, ElementWiseOperation.DIV, ElementWiseOperation.POW, ElementWiseOperation.FLOOR_DIV];
    const compares = [ElementWiseOperation.EQUAL, ElementWiseOperation.GREATER, ElementWiseOperation.LESS];
    for (const [label, dtype, tol] of floatTypes) {
      await compare(`elementwise ${label}`, (net) => {
        const a = net.addInput('a', dtype, [2, 3, 4]);
        const b = net.addInput('b', dtype, [1, 3, 1]);
        for (const op of [...arith, ...compares]) net.markOutput(net.addElementWise(a, b, op).getOutput(0));
      }, { a: randomRef([2, 3, 4], 1, 0.5, 2), b: randomRef([1, 3, 1], 2, 0.5, 2) }, tol);
    }
    const ints = { a: { dims: [2, 5], data: Float64Array.from([7, -7, 3, 0, 100, -5, 9, 1, -1, 4]) }, b: { dims: [1, 5], data: Float64Array.from([2, 3, -2, 5, -1]) } };
    await compare('elementwise INT32', (net) => {
      const a = net.addInput('a', DataType.INT32, [2, 5]);
      const b = net.addInput('b', DataType.INT32, [1, 5]);
      for (const op of [...arith.filter((o) => o !== ElementWiseOperation.POW), ...compares]) net.markOutput(net.addElementWise(a, b, op).getOutput(0));
      const gt = net.addElementWise(a, b, ElementWiseOperation.GREATER).getOutput(0);
      const lt = net.addElementWise(a, b, ElementWiseOperation.LESS).getOutput(0);
      for (const op of [ElementWiseOperation.AND, ElementWiseOperation.OR, ElementWiseOperation.XOR, ElementWiseOperation.EQUAL]) net.markOutput(net.addElementWise(gt, lt, op).getOutput(0));
    }, ints, { rtol: 0, atol: 0 });
  });

  it('UNARY: every float op, FP32 and FP16', async () => {
    const ops = Object.values(UnaryOperation).filter((v): v is trt.UnaryOperation => typeof v === 'number' && v !== UnaryOperation.NOT && v !== UnaryOperation.ACOSH);
    for (const [label, dtype, tol] of floatTypes.slice(0, 2)) {
      await compare(`unary ${label}`, (net) => {
        const x = net.addInput('x', dtype, [3, 17]);
        const big = net.addInput('big', dtype, [3, 17]);
        for (const op of ops) net.markOutput(net.addUnary(x, op).getOutput(0));
        net.markOutput(net.addUnary(big, UnaryOperation.ACOSH).getOutput(0));
      }, { x: randomRef([3, 17], 3, 0.05, 0.95), big: randomRef([3, 17], 4, 1.1, 3) }, { rtol: tol.rtol, atol: tol.atol });
    }
  });

  it('ACTIVATION: every type, FP32/FP16/BF16', async () => {
    const types = Object.values(ActivationType).filter((v): v is trt.ActivationType => typeof v === 'number');
    for (const [label, dtype, tol] of floatTypes) {
      await compare(`activation ${label}`, (net) => {
        const x = net.addInput('x', dtype, [4, 33]);
        for (const t of types) {
          const l = net.addActivation(x, t);
          l.alpha = 0.3;
          l.beta = 0.7;
          net.markOutput(l.getOutput(0));
        }
      }, { x: randomRef([4, 33], 5, -3, 3) }, tol);
    }
  });

  it('IDENTITY, CAST, SHAPE and CONSTANT', async () => {
    await compare('cast', (net) => {
      const x = net.addInput('x', DataType.FLOAT, [2, 8]);
      net.markOutput(net.addIdentity(x).getOutput(0));
      const h = net.addCast(x, DataType.HALF).getOutput(0);
      net.markOutput(net.addCast(h, DataType.FLOAT).getOutput(0));
      net.markOutput(net.addCast(x, DataType.BF16).getOutput(0));
      net.markOutput(net.addCast(x, DataType.INT32).getOutput(0));
      net.markOutput(net.addCast(net.addCast(x, DataType.INT32).getOutput(0), DataType.FLOAT).getOutput(0));
      net.markOutput(net.addShape(x).getOutput(0));
      const c = net.addConstant([2, 8], randomWeights(16, 6)).getOutput(0);
      net.markOutput(net.addElementWise(x, c, ElementWiseOperation.SUM).getOutput(0));
      net.markOutput(c);
    }, { x: randomRef([2, 8], 7, -40, 40) }, FP32);
  });

  it('SHUFFLE, CONCATENATION, SLICE, PADDING and GATHER', async () => {
    await compare('data movement', (net) => {
      const x = net.addInput('x', DataType.FLOAT, [2, 3, 4, 5]);
      const s1 = net.addShuffle(x);
      s1.firstTranspose = [0, 2, 3, 1];
      s1.reshapeDims = [2, 20, 3];
      s1.secondTranspose = [2, 0, 1];
      net.markOutput(s1.getOutput(0));
      const s2 = net.addShuffle(x);
      s2.reshapeDims = [6, 20];
      net.markOutput(s2.getOutput(0));
      const s3 = net.addShuffle(x);
      s3.firstTranspose = [3, 1, 2, 0];
      net.markOutput(s3.getOutput(0));
      const c = net.addConcatenation([x, x, net.addUnary(x, UnaryOperation.NEG).getOutput(0)]);
      c.axis = 2;
      net.markOutput(c.getOutput(0));
      net.markOutput(net.addSlice(x, [1, 0, 1, 0], [1, 3, 2, 3], [1, 1, 2, 2]).getOutput(0));
      net.markOutput(net.addPaddingNd(x, [1, 2], [2, 0]).getOutput(0));
      net.markOutput(net.addPaddingNd(x, [-1, 1], [0, -2]).getOutput(0));
      const idx = net.addConstant([2, 2], new Int32Array([3, 0, 2, 1])).getOutput(0);
      net.markOutput(net.addGather(x, idx, 2).getOutput(0));
    }, { x: randomRef([2, 3, 4, 5], 8) }, { rtol: 0, atol: 0 });
  });

  it('SELECT, PARAMETRIC_RELU, ONE_HOT, REVERSE_SEQUENCE and CUMULATIVE: broadcasting, out-of-range indices and lengths, FP32/FP16/BF16, INT32/INT64', async () => {
    const { CumulativeOperation } = trt;
    const i32 = (net: trt.NetworkDefinition, dims: number[], v: number[]) => net.addConstant(dims, new trt.Weights(Int32Array.from(v))).getOutput(0);
    const i64 = (net: trt.NetworkDefinition, dims: number[], v: number[]) => net.addConstant(dims, new trt.Weights(BigInt64Array.from(v, (x) => BigInt(x)))).getOutput(0);
    // Every CUMULATIVE variant: SUM/PROD, inclusive/exclusive, forwards/reversed, positive and negative axes.
    const cumulatives = (net: trt.NetworkDefinition, x: trt.ITensor) => {
      for (const op of [CumulativeOperation.SUM, CumulativeOperation.PROD])
        for (const exclusive of [false, true])
          for (const reverse of [false, true]) {
            net.markOutput(net.addCumulative(x, i32(net, [], [1]), op, exclusive, reverse).getOutput(0));
            net.markOutput(net.addCumulative(x, i64(net, [], [-1]), op, exclusive, reverse).getOutput(0));
          }
      net.markOutput(net.addCumulative(x, i32(net, [1], [0]), CumulativeOperation.SUM, false, false).getOutput(0));
    };
    // lens: [2, 9 (clamped to 4), -1 (clamped to 0)] along batch axis 1, sequence axis 0.
    const reverses = (net: trt.NetworkDefinition, x: trt.ITensor, lens: trt.ITensor) => {
      net.markOutput(net.addReverseSequence(x, lens).getOutput(0));
      const r = net.addReverseSequence(x, net.addCast(i32(net, [5], [0, 1, 3, 2, 7]), DataType.INT64).getOutput(0));
      r.batchAxis = 2;
      r.sequenceAxis = -2;
      net.markOutput(r.getOutput(0));
    };
    // indices [2, 3] with -1 (wraps), 4 and -5 (out of range: all-off rows); depth 4; every axis.
    const oneHots = (net: trt.NetworkDefinition, idx: trt.ITensor, values: trt.ITensor) => {
      for (const axis of [-1, 0, 1, 2]) net.markOutput(net.addOneHot(idx, values, i32(net, [], [4]), axis).getOutput(0));
      net.markOutput(net.addOneHot(net.addCast(idx, DataType.INT64).getOutput(0), values, i64(net, [1], [3]), 1).getOutput(0));
    };
    const indices = { dims: [2, 3], data: Float64Array.from([0, -1, 3, 4, -5, 2]) };
    const lens = { dims: [3], data: Float64Array.from([2, 9, -1]) };
    for (const [label, dtype, tol] of floatTypes) {
      await compare(`select/prelu/one-hot/reverse/cumulative ${label}`, (net) => {
        const a = net.addInput('a', dtype, [2, 3, 4]);
        const b = net.addInput('b', dtype, [1, 3, 1]);
        const c = net.addInput('c', dtype, [2, 1, 4]);
        const cond = net.addElementWise(c, net.addInput('d', dtype, [1, 1, 4]), ElementWiseOperation.GREATER).getOutput(0);
        net.markOutput(net.addSelect(cond, a, b).getOutput(0));
        net.markOutput(net.addSelect(cond, b, c).getOutput(0));
        net.markOutput(net.addParametricReLU(a, b).getOutput(0));
        net.markOutput(net.addParametricReLU(b, a).getOutput(0));
        const offOn = net.addConstant([2], new trt.Weights(Float32Array.from([-0.5, 2.25]))).getOutput(0);
        oneHots(net, net.addInput('idx', DataType.INT32, [2, 3]), dtype === DataType.FLOAT ? offOn : net.addCast(offOn, dtype).getOutput(0));
        const x = net.addInput('x', dtype, [4, 3, 5]);
        reverses(net, x, net.addInput('lens', DataType.INT32, [3]));
        cumulatives(net, x);
      }, {
        a: randomRef([2, 3, 4], 70), b: randomRef([1, 3, 1], 71), c: randomRef([2, 1, 4], 72), d: randomRef([1, 1, 4], 73),
        idx: indices, x: randomRef([4, 3, 5], 74, 0.5, 1.5), lens,
      }, tol);
    }
    for (const dtype of [DataType.INT32, DataType.INT64]) {
      await compare(`select/one-hot/reverse/cumulative ${dtype === DataType.INT32 ? 'INT32' : 'INT64'}`, (net) => {
        const x32 = net.addInput('x', DataType.INT32, [4, 3, 5]);
        const x = dtype === DataType.INT32 ? x32 : net.addCast(x32, DataType.INT64).getOutput(0);
        const y = net.addSlice(x, [0, 0, 0], [1, 3, 5], [1, 1, 1]).getOutput(0);
        const cond = net.addElementWise(x, y, ElementWiseOperation.GREATER).getOutput(0);
        net.markOutput(net.addSelect(cond, x, y).getOutput(0));
        const offOn = dtype === DataType.INT32 ? i32(net, [2], [3, -7]) : i64(net, [2], [3, -7]);
        oneHots(net, net.addInput('idx', DataType.INT32, [2, 3]), offOn);
        reverses(net, x, net.addInput('lens', DataType.INT32, [3]));
        cumulatives(net, x);
      }, { x: { dims: [4, 3, 5], data: randomRef([4, 3, 5], 75, -60000, 60000).data.map(Math.round) }, idx: indices, lens }, { rtol: 0, atol: 0 });
    }
  });

  it('SOFTMAX, REDUCE, NORMALIZATION and SCALE, FP32 and FP16', async () => {
    for (const [label, dtype, tol] of floatTypes.slice(0, 2)) {
      await compare(`reductions ${label}`, (net) => {
        const x = net.addInput('x', dtype, [2, 4, 6, 8]);
        for (const axes of [1 << 3, 1 << 1]) {
          const s = net.addSoftMax(x);
          s.axes = axes;
          net.markOutput(s.getOutput(0));
        }
        for (const op of [ReduceOperation.SUM, ReduceOperation.PROD, ReduceOperation.MAX, ReduceOperation.MIN, ReduceOperation.AVG]) {
          net.markOutput(net.addReduce(x, op, 0b1010, true).getOutput(0));
          net.markOutput(net.addReduce(x, op, 0b0101, false).getOutput(0));
        }
        const lnScale = net.addConstant([1, 1, 1, 8], randomWeights(8, 9)).getOutput(0);
        const lnBias = net.addConstant([1, 1, 1, 8], randomWeights(8, 10)).getOutput(0);
        const castTo = (t: trt.ITensor) => (dtype === DataType.FLOAT ? t : net.addCast(t, dtype).getOutput(0));
        net.markOutput(net.addNormalization(x, castTo(lnScale), castTo(lnBias), 1 << 3).getOutput(0));
        const gScale = net.addConstant([1, 4, 1, 1], randomWeights(4, 11)).getOutput(0);
        const gBias = net.addConstant([1, 4, 1, 1], randomWeights(4, 12)).getOutput(0);
        const gn = net.addNormalization(x, castTo(gScale), castTo(gBias), 0b1100);
        gn.numGroups = 2;
        net.markOutput(gn.getOutput(0));
        net.markOutput(net.addScale(x, ScaleMode.CHANNEL, randomWeights(4, 13), randomWeights(4, 14), new Float32Array([1, 2, 1, 2])).getOutput(0));
        net.markOutput(net.addScale(x, ScaleMode.UNIFORM, new Float32Array([0.5]), new Float32Array([2])).getOutput(0));
      }, { x: randomRef([2, 4, 6, 8], 15, 0.5, 1.5) }, tol);
    }
  });

  it('MATRIX_MULTIPLY (cuBLASLt): transposes, vectors, batches with broadcast, fused bias and activations, FP32/FP16/BF16', async () => {
    for (const [label, dtype, t] of floatTypes) {
      const tol = dtype === DataType.FLOAT ? GEMM32 : t;
      await compare(`matmul ${label}`, (net) => {
        const a = net.addInput('a', dtype, [2, 3, 16, 24]);
        const b = net.addInput('b', dtype, [2, 3, 24, 8]);
        const bt = net.addInput('bt', dtype, [1, 3, 8, 24]);
        const v = net.addInput('v', dtype, [2, 3, 24]);
        net.markOutput(net.addMatrixMultiply(a, MatrixOperation.NONE, b, MatrixOperation.NONE).getOutput(0));
        net.markOutput(net.addMatrixMultiply(a, MatrixOperation.NONE, bt, MatrixOperation.TRANSPOSE).getOutput(0));
        net.markOutput(net.addMatrixMultiply(b, MatrixOperation.TRANSPOSE, a, MatrixOperation.TRANSPOSE).getOutput(0));
        net.markOutput(net.addMatrixMultiply(a, MatrixOperation.NONE, v, MatrixOperation.VECTOR).getOutput(0));
        // Linear layers: constant weights, bias add and activation (fused by the builder).
        const x = net.addInput('x', dtype, [5, 24]);
        const toType = (tensor: trt.ITensor) => (dtype === DataType.FLOAT ? tensor : net.addCast(tensor, dtype).getOutput(0));
        for (const [i, act] of [ActivationType.RELU, ActivationType.GELU_TANH, ActivationType.SIGMOID, null].entries()) {
          const w = toType(net.addConstant([32, 24], randomWeights(32 * 24, 20 + i)).getOutput(0));
          const bias = toType(net.addConstant([1, 32], randomWeights(32, 30 + i)).getOutput(0));
          const y = net.addMatrixMultiply(x, MatrixOperation.NONE, w, MatrixOperation.TRANSPOSE).getOutput(0);
          const z = net.addElementWise(y, bias, ElementWiseOperation.SUM).getOutput(0);
          net.markOutput(act === null ? z : net.addActivation(z, act).getOutput(0));
        }
      }, {
        a: randomRef([2, 3, 16, 24], 40), b: randomRef([2, 3, 24, 8], 41), bt: randomRef([1, 3, 8, 24], 42), v: randomRef([2, 3, 24], 43), x: randomRef([5, 24], 44),
      }, tol);
    }
  });

  it('CONVOLUTION (cuDNN): padding, stride, dilation, groups, depthwise, asymmetric SAME padding, fused bias and activation, 1-D/3-D, FP32/FP16', async () => {
    for (const [label, dtype, t] of floatTypes.slice(0, 2)) {
      const tol = dtype === DataType.FLOAT ? GEMM32 : t;
      await compare(`convolution ${label}`, (net) => {
        const x = net.addInput('x', dtype, [2, 8, 13, 11]);
        const weights = (n: number, seed: number) => randomWeights(n, seed, 0.3);
        const plain = net.addConvolutionNd(x, 16, [3, 3], weights(16 * 8 * 9, 50), weights(16, 51));
        plain.paddingNd = [1, 1];
        net.markOutput(net.addActivation(plain.getOutput(0), ActivationType.RELU).getOutput(0));
        const strided = net.addConvolutionNd(x, 6, [3, 3], weights(6 * 8 * 9, 52));
        strided.strideNd = [2, 2];
        strided.dilationNd = [2, 2];
        strided.paddingNd = [1, 1];
        net.markOutput(strided.getOutput(0));
        const grouped = net.addConvolutionNd(x, 8, [3, 3], weights(8 * 2 * 9, 53), weights(8, 54));
        grouped.numGroups = 4;
        net.markOutput(net.addActivation(grouped.getOutput(0), ActivationType.SIGMOID).getOutput(0));
        const depthwise = net.addConvolutionNd(x, 8, [3, 3], weights(8 * 9, 55), weights(8, 56));
        depthwise.numGroups = 8;
        depthwise.paddingNd = [1, 1];
        net.markOutput(depthwise.getOutput(0));
        const same = net.addConvolutionNd(x, 4, [2, 4], weights(4 * 8 * 8, 57));
        same.paddingMode = trt.PaddingMode.SAME_UPPER;
        same.strideNd = [2, 1];
        net.markOutput(same.getOutput(0));
        const x1 = net.addInput('x1', dtype, [2, 4, 19]);
        const c1 = net.addConvolutionNd(x1, 5, [5], weights(5 * 4 * 5, 58), weights(5, 59));
        c1.paddingNd = [2];
        net.markOutput(c1.getOutput(0));
        const x3 = net.addInput('x3', dtype, [1, 3, 6, 7, 5]);
        net.markOutput(net.addConvolutionNd(x3, 4, [3, 3, 3], weights(4 * 3 * 27, 60), weights(4, 61)).getOutput(0));
      }, { x: randomRef([2, 8, 13, 11], 62), x1: randomRef([2, 4, 19], 63), x3: randomRef([1, 3, 6, 7, 5], 64) }, tol);
    }
  });

  it('POOLING: MAX, AVERAGE (with and without padding in the count), blend, 2-D and 3-D', async () => {
    for (const [label, dtype, tol] of floatTypes.slice(0, 2)) {
      await compare(`pooling ${label}`, (net) => {
        const x = net.addInput('x', dtype, [2, 3, 9, 10]);
        const mx = net.addPoolingNd(x, PoolingType.MAX, [3, 3]);
        mx.strideNd = [2, 2];
        mx.paddingNd = [1, 1];
        net.markOutput(mx.getOutput(0));
        for (const exclude of [true, false]) {
          const avg = net.addPoolingNd(x, PoolingType.AVERAGE, [3, 2]);
          avg.paddingNd = [1, 1];
          avg.averageCountExcludesPadding = exclude;
          net.markOutput(avg.getOutput(0));
        }
        const blend = net.addPoolingNd(x, PoolingType.MAX_AVERAGE_BLEND, [2, 2]);
        blend.blendFactor = 0.25;
        net.markOutput(blend.getOutput(0));
        const x3 = net.addInput('x3', dtype, [1, 2, 4, 6, 6]);
        net.markOutput(net.addPoolingNd(x3, PoolingType.AVERAGE, [2, 3, 3]).getOutput(0));
      }, { x: randomRef([2, 3, 9, 10], 70), x3: randomRef([1, 2, 4, 6, 6], 71) }, tol);
    }
  });

  it('a small CNN and a transformer block end to end', async () => {
    await compare('cnn', (net) => {
      const x = net.addInput('x', DataType.FLOAT, [2, 3, 16, 16]);
      const c = net.addConvolutionNd(x, 8, [3, 3], randomWeights(8 * 27, 80, 0.3), randomWeights(8, 81));
      c.paddingNd = [1, 1];
      const r = net.addActivation(c.getOutput(0), ActivationType.RELU).getOutput(0);
      const pool = net.addPoolingNd(r, PoolingType.MAX, [2, 2]);
      pool.strideNd = [2, 2];
      const p = pool.getOutput(0);
      const f = net.addShuffle(p);
      f.reshapeDims = [2, 8 * 8 * 8];
      const w = net.addConstant([8 * 8 * 8, 10], randomWeights(512 * 10, 82, 0.1)).getOutput(0);
      const logits = net.addMatrixMultiply(f.getOutput(0), MatrixOperation.NONE, w, MatrixOperation.NONE).getOutput(0);
      const sm = net.addSoftMax(logits);
      sm.axes = 2;
      net.markOutput(sm.getOutput(0));
    }, { x: randomRef([2, 3, 16, 16], 83) }, GEMM32);
    await compare('attention', (net) => {
      const x = net.addInput('x', DataType.FLOAT, [2, 12, 16]);
      const proj = (seed: number) => net.addMatrixMultiply(x, MatrixOperation.NONE, net.addConstant([1, 16, 16], randomWeights(256, seed, 0.3)).getOutput(0), MatrixOperation.NONE).getOutput(0);
      const scores = net.addMatrixMultiply(proj(90), MatrixOperation.NONE, proj(91), MatrixOperation.TRANSPOSE).getOutput(0);
      const sm = net.addSoftMax(scores);
      sm.axes = 1 << 2;
      const attn = net.addMatrixMultiply(sm.getOutput(0), MatrixOperation.NONE, proj(92), MatrixOperation.NONE).getOutput(0);
      const sum = net.addElementWise(attn, x, ElementWiseOperation.SUM).getOutput(0);
      const g = net.addConstant([1, 1, 16], new Float32Array(16).fill(1)).getOutput(0);
      const b = net.addConstant([1, 1, 16], new Float32Array(16)).getOutput(0);
      net.markOutput(net.addNormalization(sum, g, b, 1 << 2).getOutput(0));
    }, { x: randomRef([2, 12, 16], 93) }, GEMM32);
  });
});

// ---- Contexts, memory, streams and plans -------------------------------------------------------

async function buildMlp(opts: BuildOptions = {}, runtime?: trt.Runtime): Promise<trt.CudaEngine> {
  const define: Define = (net) => {
    const x = net.addInput('x', DataType.FLOAT, [-1, 32]);
    const w1 = net.addConstant([32, 64], randomWeights(32 * 64, 100, 0.2)).getOutput(0);
    const h = net.addActivation(net.addMatrixMultiply(x, MatrixOperation.NONE, w1, MatrixOperation.NONE).getOutput(0), ActivationType.RELU).getOutput(0);
    const w2 = net.addConstant([64, 8], randomWeights(64 * 8, 101, 0.2)).getOutput(0);
    net.markOutput(net.addMatrixMultiply(h, MatrixOperation.NONE, w2, MatrixOperation.NONE).getOutput(0));
  };
  const profiles = opts.profiles ?? [{ x: [[1, 32], [4, 32], [8, 32]] }, { x: [[16, 32], [32, 32], [64, 32]] }];
  if (!runtime) return buildEngine(define, { ...opts, profiles, backend: 'cuda' });
  const builder = new trt.Builder(undefined, { backend: 'cuda' });
  const network = builder.createNetworkV2();
  define(network);
  const config = builder.createBuilderConfig();
  for (const p of profiles) {
    const profile = builder.createOptimizationProfile();
    for (const [name, [mn, op, mx]] of Object.entries(p)) profile.setShape(name, mn, op, mx);
    config.addOptimizationProfile(profile);
  }
  const plan = await builder.buildSerializedNetwork(network, config);
  builder.dispose();
  return runtime.deserializeCudaEngine(plan);
}

async function mlpReference(batch: number, seed: number): Promise<{ x: Ref; y: Ref }> {
  const x = randomRef([batch, 32], seed);
  const cpu = await buildEngine((net) => {
    const xi = net.addInput('x', DataType.FLOAT, [-1, 32]);
    const w1 = net.addConstant([32, 64], randomWeights(32 * 64, 100, 0.2)).getOutput(0);
    const h = net.addActivation(net.addMatrixMultiply(xi, MatrixOperation.NONE, w1, MatrixOperation.NONE).getOutput(0), ActivationType.RELU).getOutput(0);
    const w2 = net.addConstant([64, 8], randomWeights(64 * 8, 101, 0.2)).getOutput(0);
    net.markOutput(net.addMatrixMultiply(h, MatrixOperation.NONE, w2, MatrixOperation.NONE).getOutput(0));
  }, { backend: 'cpu', profiles: [{ x: [[1, 32], [32, 32], [64, 32]] }] });
  const out = await runEngine(cpu, { x: { ref: x } });
  cpu.dispose();
  return { x, y: Object.values(out)[0]! };
}

describe.skipIf(!!skipReason)(gpuTitle('cuda backend contexts, memory and streams'), () => {
  it('dynamic shapes with two profiles', async () => {
    const engine = await buildMlp();
    for (const [profile, batch] of [[0, 3], [0, 8], [1, 16], [1, 50]] as const) {
      const { x, y } = await mlpReference(batch, 200 + batch);
      const context = engine.createExecutionContext();
      context.setOptimizationProfileAsync(profile);
      const got = await runCuda(engine, { x }, { context });
      expectClose(Object.values(got)[0]!, y, GEMM32, `profile ${profile} batch ${batch}`);
      context.dispose();
    }
    engine.dispose();
  });

  it('all three allocation strategies; USER_MANAGED takes a DeviceBuffer', async () => {
    const engine = await buildMlp();
    const { x, y } = await mlpReference(20, 300);
    const S = trt.ExecutionContextAllocationStrategy;
    for (const strategy of [S.STATIC, S.ON_PROFILE_CHANGE, S.USER_MANAGED]) {
      const context = engine.createExecutionContext(strategy);
      context.setOptimizationProfileAsync(1);
      let memory: trt.cuda.DeviceBuffer | undefined;
      if (strategy === S.USER_MANAGED) {
        await expect(runCuda(engine, { x }, { context, keep: true })).rejects.toMatchObject({ code: 'INVALID_STATE' });
        const bytes = engine.getDeviceMemorySizeForProfileV2(1);
        memory = new cuda.DeviceBuffer(bytes);
        context.setDeviceMemoryV2(memory, bytes);
      }
      expectClose(Object.values(await runCuda(engine, { x }, { context, keep: true }))[0]!, y, GEMM32, `strategy ${strategy}`);
      context.dispose();
      memory?.dispose();
    }
    engine.dispose();
  });

  it('N USER_MANAGED contexts share one DeviceBuffer, run one after another', async () => {
    const engine = await buildMlp();
    const bytes = engine.getDeviceMemorySizeV2();
    const shared = new cuda.DeviceBuffer(bytes);
    const contexts = Array.from({ length: 4 }, () => engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.USER_MANAGED));
    for (const c of contexts) c.setDeviceMemoryV2(shared, bytes);
    for (const [i, c] of contexts.entries()) {
      const { x, y } = await mlpReference(2 + i, 400 + i);
      expectClose(Object.values(await runCuda(engine, { x }, { context: c, keep: true }))[0]!, y, GEMM32, `context ${i}`);
    }
    for (const c of contexts) c.dispose();
    shared.dispose();
    engine.dispose();
  });

  it('two contexts on two streams run concurrently with correct results; enqueueV3 does not block the event loop', async () => {
    const engine = await buildMlp();
    const streams = [new cuda.Stream({ nonBlocking: true }), new cuda.Stream({ nonBlocking: true })];
    const refs = await Promise.all([mlpReference(7, 500), mlpReference(6, 501)]);
    const results = await Promise.all(refs.map(({ x }, i) => {
      const context = engine.createExecutionContext();
      return runCuda(engine, { x }, { context, stream: streams[i] }).finally(() => context.dispose());
    }));
    results.forEach((r, i) => expectClose(Object.values(r)[0]!, refs[i]!.y, GEMM32, `stream ${i}`));
    // A CPU Stream is refused for a cuda engine.
    const context = engine.createExecutionContext();
    await expect(context.enqueueV3(new trt.Stream() as unknown as trt.cuda.Stream)).rejects.toThrow(/Expected a cuda.Stream/);
    context.dispose();
    for (const s of streams) s.dispose();
    engine.dispose();
  });

  it('a TrackingAllocator on the runtime sees every byte returned once the engine and its contexts are disposed', async () => {
    const tracking = new cuda.TrackingAllocator(new cuda.DefaultAllocator());
    const runtime = new trt.Runtime(undefined, { backend: 'cuda' });
    runtime.setGpuAllocator(tracking);
    const engine = await buildMlp({}, runtime);
    const weights = tracking.stats().liveBytes;
    expect(weights).toBeGreaterThanOrEqual((32 * 64 + 64 * 8) * 4);
    const contexts = [engine.createExecutionContext(), engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.ON_PROFILE_CHANGE)];
    expect(tracking.stats().liveBytes).toBeGreaterThan(weights);
    const { x, y } = await mlpReference(5, 600);
    expectClose(Object.values(await runCuda(engine, { x }, { context: contexts[0]! }))[0]!, y, GEMM32, 'tracked');
    for (const c of contexts) c.dispose();
    expect(tracking.stats().liveBytes).toBe(weights);
    engine.dispose();
    const s = tracking.stats();
    expect(s.liveBytes).toBe(0);
    expect(s.allocations).toBe(s.deallocations);
    runtime.dispose();
    tracking.dispose();
  });

  it('an allocator that refuses gives a clean OUT_OF_MEMORY, and the engine stays usable', async () => {
    const tracking = new cuda.TrackingAllocator(new cuda.DefaultAllocator());
    const runtime = new trt.Runtime(undefined, { backend: 'cuda' });
    runtime.setGpuAllocator(tracking);
    const builder = new trt.Builder(undefined, { backend: 'cuda' });
    const network = builder.createNetworkV2();
    // 2 TiB of activations: every device refuses.
    const x = network.addInput('x', DataType.FLOAT, [1 << 19, 1 << 20]);
    const h = network.addActivation(x, ActivationType.RELU).getOutput(0);
    network.markOutput(network.addActivation(h, ActivationType.RELU).getOutput(0));
    const engine = runtime.deserializeCudaEngine(await builder.buildSerializedNetwork(network, builder.createBuilderConfig()));
    expect(() => engine.createExecutionContext()).toThrow(expect.objectContaining({ name: 'TrtError', code: 'OUT_OF_MEMORY', message: expect.stringMatching(/refused \d+ bytes for activations/) }));
    expect(tracking.stats().refusals).toBe(1);
    const user = engine.createExecutionContext(trt.ExecutionContextAllocationStrategy.USER_MANAGED);
    user.dispose();
    engine.dispose();
    builder.dispose();
    expect(tracking.stats().liveBytes).toBe(0);
    runtime.dispose();
    tracking.dispose();
  });

  it('plans of the cuda backend save and load', async () => {
    const engine = await buildMlp();
    const plan = engine.serialize();
    const runtime = new trt.Runtime(undefined, { backend: 'cuda' });
    const again = runtime.deserializeCudaEngine(plan);
    expect(again.backend).toBe('cuda');
    expect(again.inspect().layers.every((l) => l.type === 'CONSTANT' || ['cublasLt', 'cuda-map'].includes(l.implementation))).toBe(true);
    const { x, y } = await mlpReference(4, 700);
    expectClose(Object.values(await runCuda(again, { x }))[0]!, y, GEMM32, 'reloaded');
    const async = await runtime.deserializeCudaEngineAsync(plan);
    expectClose(Object.values(await runCuda(async, { x }))[0]!, y, GEMM32, 'reloaded async');
    for (const e of [engine, again, async]) e.dispose();
    runtime.dispose();
  });

  it('refuses plain host memory, naming the tensor', async () => {
    const engine = await buildMlp();
    const context = engine.createExecutionContext();
    const host = new trt.HostBuffer(4 * 32);
    expect(() => context.setTensorAddress('x', host)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/'x' is host memory \(a HostBuffer\), which the cuda backend cannot read or write/) }));
    expect(() => context.setDeviceMemoryV2(host, 16)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    // Pinned and unified memory are device-accessible.
    const pinned = new cuda.HostBuffer(4 * 32);
    context.setTensorAddress('x', pinned);
    context.dispose();
    engine.dispose();
    pinned.dispose();
  });
});
