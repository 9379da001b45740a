/**
 * The cuda backend's DECONVOLUTION, RESIZE, TOPK, FILL, GRID_SAMPLE and LRN kernels against the
 * cpu backend on the same networks and inputs: every mode and attribute the CPU kernels take, at
 * every type they support. Tolerances, as |cuda - cpu| <= atol + rtol·|cpu| per element:
 * - DECONVOLUTION FP32: 1e-4 (GEMM32; cuBLASLt in CUBLAS_COMPUTE_32F, no TF32: only the GEMM's
 *   summation order differs; col2im adds in the CPU's order). FP16/BF16: compare.ts's (both
 *   backends compute in FP32 and round once).
 * - RESIZE (LINEAR, CUBIC), GRID_SAMPLE, LRN FP32: 1e-5 (taps and weights computed in double and
 *   summed in float in the CPU's order; LRN's powf differs from glibc's by ulps). FP16/BF16:
 *   compare.ts's.
 * - RESIZE NEAREST (any type), TOPK values and indices, FILL LINSPACE: exact.
 * - FILL RANDOM_UNIFORM / RANDOM_NORMAL: both backends draw from the same counter-based SplitMix64
 *   stream, but the normal transform's double log/cos come from libdevice on the GPU and glibc on
 *   the CPU, so bit equality is not promised: outputs are compared at FP32 tolerance (HALF:
 *   compare.ts's), and the cuda output alone is checked for range and moments (mean and variance
 *   within 6 standard errors, test/reference's checkRandomFill).
 * Every configuration the CPU kernels accept has a CUDA kernel, so no build-time refusal is left
 * to test here.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../../lib/index.js';
import { buildEngine, runEngine } from '../helpers/engine.js';
import { checkRandomFill } from '../reference/layers.js';
import type { Ref } from '../reference/ndarray.js';
import type { Define, Tolerance } from './compare.js';
import { FP32, GEMM32, HALF, compare, expectClose, floatTypes, randomRef, randomWeights, runCuda } from './compare.js';
import { gpuTitle, skipReason } from './gpu.js';

const { DataType, ActivationType, InterpolationMode, SampleMode, FillOperation, TopKOperation, PaddingMode } = trt;
const CT = trt.ResizeCoordinateTransformation;
const EXACT: Tolerance = { rtol: 0, atol: 0 };

const ints = (net: trt.NetworkDefinition, dims: number[], values: number[], type = DataType.INT32): trt.ITensor =>
  net.addConstant(dims, new trt.Weights(type === DataType.INT64 ? BigInt64Array.from(values, (v) => BigInt(v)) : Int32Array.from(values))).getOutput(0);

/** `t` converted to `dtype` (FLOAT tensors stay as they are). */
const as = (net: trt.NetworkDefinition, t: trt.ITensor, dtype: trt.DataType): trt.ITensor => (dtype === DataType.FLOAT ? t : net.addCast(t, dtype).getOutput(0));

/** Values on a 1/4 grid (ties for TOPK), with NaN at `nanAt`. */
function quantized(dims: number[], seed: number, nanAt: number[] = []): Ref {
  const r = randomRef(dims, seed, -3, 3);
  const data = r.data.map((v) => Math.round(v * 4) / 4);
  for (const i of nanAt) data[i] = Number.NaN;
  return { dims, data };
}

/** Builds for both backends, compares every output, and returns the cuda outputs. */
async function compareAndGet(what: string, define: Define, feeds: Record<string, Ref>, tol: Tolerance): Promise<Record<string, Ref>> {
  const cpu = await buildEngine(define, { backend: 'cpu' });
  const gpu = await buildEngine(define, { backend: 'cuda' });
  try {
    expect(gpu.backend).toBe('cuda');
    const want = await runEngine(cpu, Object.fromEntries(Object.entries(feeds).map(([k, ref]) => [k, { ref }])));
    const got = await runCuda(gpu, feeds);
    for (const name of Object.keys(want)) expectClose(got[name]!, want[name]!, tol, `${what} '${name}'`);
    return got;
  } finally {
    cpu.dispose();
    gpu.dispose();
  }
}

interface DeconvCase {
  x: number[];
  K: number;
  k: number[];
  stride?: number[];
  dilation?: number[];
  padding?: number[];
  pre?: number[];
  post?: number[];
  mode?: trt.PaddingMode;
  groups?: number;
  bias?: boolean;
  activation?: trt.ActivationType;
}

const deconvCases: DeconvCase[] = [
  { x: [2, 4, 5, 6], K: 6, k: [3, 3], stride: [2, 2], padding: [1, 1], bias: true },
  { x: [1, 4, 4, 5], K: 4, k: [3, 2], stride: [2, 3], dilation: [2, 1], pre: [1, 0], post: [0, 2], groups: 2, bias: true },
  { x: [2, 3, 5, 4], K: 5, k: [4, 3], stride: [2, 2], mode: PaddingMode.SAME_UPPER, bias: true },
  { x: [1, 2, 5, 5], K: 3, k: [3, 3], stride: [3, 2], mode: PaddingMode.SAME_LOWER },
  { x: [2, 8, 3, 4], K: 6, k: [1, 1], bias: true, activation: ActivationType.RELU }, // pointwise, fused RELU
  { x: [1, 6, 4, 4], K: 6, k: [2, 2], stride: [2, 2], groups: 6, bias: true, activation: ActivationType.SIGMOID }, // depthwise, fused SIGMOID
  { x: [2, 3, 9], K: 6, k: [4], stride: [3], padding: [1], groups: 3, bias: true }, // 1-D
  { x: [1, 2, 3, 4, 3], K: 4, k: [2, 3, 2], stride: [2, 1, 2], dilation: [1, 2, 1], padding: [0, 1, 1], bias: true }, // 3-D
];

function addDeconv(net: trt.NetworkDefinition, x: trt.ITensor, c: DeconvCase, seed: number): trt.ITensor {
  const C = x.shape[1]!;
  const G = c.groups ?? 1;
  const n = (C * c.K) / G * c.k.reduce((a, b) => a * b, 1);
  const layer = net.addDeconvolutionNd(x, c.K, c.k, randomWeights(n, seed, 0.3), c.bias ? randomWeights(c.K, seed + 1) : undefined);
  if (c.stride) layer.strideNd = c.stride;
  if (c.dilation) layer.dilationNd = c.dilation;
  if (c.padding) layer.paddingNd = c.padding;
  if (c.pre) layer.prePadding = c.pre;
  if (c.post) layer.postPadding = c.post;
  if (c.mode !== undefined) layer.paddingMode = c.mode;
  if (c.groups !== undefined) layer.numGroups = c.groups;
  const y = layer.getOutput(0);
  return c.activation === undefined ? y : net.addActivation(y, c.activation).getOutput(0);
}

describe.skipIf(!!skipReason)(gpuTitle('cuda backend DECONVOLUTION, RESIZE, TOPK, FILL, GRID_SAMPLE and LRN vs the cpu backend'), () => {
  it('DECONVOLUTION (cuBLASLt + col2im): stride, dilation, explicit/asymmetric/SAME padding, groups, depthwise, pointwise, bias, fused activations, 1-D/2-D/3-D, FP32/FP16/BF16', async () => {
    for (const [label, dtype, t] of floatTypes) {
      const tol = dtype === DataType.FLOAT ? GEMM32 : t;
      const feeds: Record<string, Ref> = {};
      deconvCases.forEach((c, i) => (feeds[`x${i}`] = randomRef(c.x, 300 + i)));
      await compare(`deconvolution ${label}`, (net) => {
        deconvCases.forEach((c, i) => net.markOutput(addDeconv(net, net.addInput(`x${i}`, dtype, c.x), c, 400 + 10 * i)));
      }, feeds, tol);
    }
  });

  it('DECONVOLUTION: kernel and bias from network inputs (read at run time), FP32/FP16/BF16', async () => {
    for (const [label, dtype, t] of floatTypes) {
      const tol = dtype === DataType.FLOAT ? GEMM32 : t;
      await compare(`deconvolution tensor weights ${label}`, (net) => {
        const x = net.addInput('x', dtype, [2, 4, 3, 4]);
        const layer = net.addDeconvolutionNd(x, 6, [3, 2], trt.Weights.empty());
        layer.strideNd = [2, 2];
        layer.prePadding = [1, 0];
        layer.postPadding = [0, 1];
        layer.numGroups = 2;
        layer.setInput(1, net.addInput('w', dtype, [4, 3, 3, 2]));
        layer.setInput(2, net.addInput('b', dtype, [6]));
        net.markOutput(layer.getOutput(0));
      }, { x: randomRef([2, 4, 3, 4], 500), w: randomRef([4, 3, 3, 2], 501, -0.5, 0.5), b: randomRef([6], 502) }, tol);
    }
  });

  it('RESIZE NEAREST: every rounding mode and coordinate transformation, UPPER selector, up and down, FP32/FP16/INT32/INT64/UINT8 (exact)', async () => {
    const types: Array<[string, trt.DataType]> = [['FP32', DataType.FLOAT], ['FP16', DataType.HALF], ['INT32', DataType.INT32], ['INT64', DataType.INT64], ['UINT8', DataType.UINT8]];
    for (const [label, dtype] of types) {
      const x = randomRef([2, 3, 5, 7], 600, 0, 100);
      await compare(`resize nearest ${label}`, (net) => {
        const input = net.addInput('x', dtype, [2, 3, 5, 7]);
        for (const transform of [CT.ALIGN_CORNERS, CT.ASYMMETRIC, CT.HALF_PIXEL]) {
          for (const rounding of [trt.ResizeRoundMode.HALF_UP, trt.ResizeRoundMode.HALF_DOWN, trt.ResizeRoundMode.FLOOR, trt.ResizeRoundMode.CEIL]) {
            for (const shape of [[2, 3, 9, 4], [1, 3, 1, 15]]) {
              const r = net.addResize(input);
              r.shape = shape;
              r.coordinateTransformation = transform;
              r.nearestRounding = rounding;
              net.markOutput(r.getOutput(0));
            }
          }
          const up = net.addResize(input);
          up.shape = [2, 1, 1, 11];
          up.coordinateTransformation = transform;
          up.selectorForSinglePixel = trt.ResizeSelector.UPPER;
          net.markOutput(up.getOutput(0));
          const scaled = net.addResize(input);
          scaled.scales = [1, 1, 1.5, 0.6];
          scaled.coordinateTransformation = transform;
          scaled.nearestRounding = trt.ResizeRoundMode.HALF_UP;
          net.markOutput(scaled.getOutput(0));
        }
      }, { x: { dims: x.dims, data: x.data.map(Math.round) } }, EXACT);
    }
  });

  it('RESIZE LINEAR and CUBIC: every coordinate transformation, shape and scales, excludeOutside, cubicCoeff, UPPER selector, 1-D to 5-D, FP32/FP16/BF16', async () => {
    for (const [label, dtype, tol] of floatTypes) {
      await compare(`resize interpolate ${label}`, (net) => {
        const x = net.addInput('x', dtype, [2, 3, 5, 6]);
        for (const mode of [InterpolationMode.LINEAR, InterpolationMode.CUBIC]) {
          for (const transform of [CT.ALIGN_CORNERS, CT.ASYMMETRIC, CT.HALF_PIXEL]) {
            for (const exclude of [false, true]) {
              const r = net.addResize(x);
              r.shape = [2, 3, 9, 4];
              r.resizeMode = mode;
              r.coordinateTransformation = transform;
              r.excludeOutside = exclude;
              if (mode === InterpolationMode.CUBIC && exclude) r.cubicCoeff = -0.5;
              net.markOutput(r.getOutput(0));
              const s = net.addResize(x);
              s.scales = [1, 1, 2.5, 0.7];
              s.resizeMode = mode;
              s.coordinateTransformation = transform;
              s.excludeOutside = exclude;
              net.markOutput(s.getOutput(0));
            }
          }
          // Every dim resized (the batch and channel dims too), and an output dim of 1 with UPPER.
          const all = net.addResize(x);
          all.shape = [3, 2, 7, 11];
          all.resizeMode = mode;
          all.coordinateTransformation = CT.HALF_PIXEL;
          net.markOutput(all.getOutput(0));
          const single = net.addResize(x);
          single.shape = [2, 3, 1, 9];
          single.resizeMode = mode;
          single.coordinateTransformation = CT.ALIGN_CORNERS;
          single.selectorForSinglePixel = trt.ResizeSelector.UPPER;
          net.markOutput(single.getOutput(0));
        }
        const one = net.addResize(net.addInput('v', dtype, [9]));
        one.shape = [20];
        one.resizeMode = InterpolationMode.CUBIC;
        one.coordinateTransformation = CT.HALF_PIXEL;
        net.markOutput(one.getOutput(0));
        const five = net.addResize(net.addInput('z', dtype, [1, 2, 3, 4, 5]));
        five.scales = [1, 1, 2, 1.5, 0.8];
        five.resizeMode = InterpolationMode.LINEAR;
        five.coordinateTransformation = CT.HALF_PIXEL;
        net.markOutput(five.getOutput(0));
      }, { x: randomRef([2, 3, 5, 6], 610), v: randomRef([9], 611), z: randomRef([1, 2, 3, 4, 5], 612) }, tol);
    }
  });

  it('RESIZE: output dims from a shape tensor that follows a dynamic input, and run-time scales (input 2) read on the device', async () => {
    for (const [label, dtype, tol] of floatTypes) {
      await compare(`resize shape tensor ${label}`, (net) => {
        const x = net.addInput('x', dtype, [1, 2, -1, -1]);
        const outDims = net.addElementWise(net.addShape(x).getOutput(0), ints(net, [4], [1, 1, 2, 3], DataType.INT64), trt.ElementWiseOperation.PROD).getOutput(0);
        const r = net.addResize(x);
        r.setInput(1, outDims);
        r.resizeMode = InterpolationMode.LINEAR;
        r.coordinateTransformation = CT.HALF_PIXEL;
        net.markOutput(r.getOutput(0));
      }, { x: randomRef([1, 2, 3, 5], 620) }, tol, { profiles: [{ x: [[1, 2, 1, 1], [1, 2, 4, 4], [1, 2, 8, 8]] }] });
      await compare(`resize run-time scales ${label}`, (net) => {
        const x = net.addInput('x', dtype, [1, 2, 4, 5]);
        const scales = net.addInput('scales', DataType.FLOAT, [4]);
        for (const [mode, transform] of [
          [InterpolationMode.LINEAR, CT.ALIGN_CORNERS],
          [InterpolationMode.CUBIC, CT.HALF_PIXEL],
          [InterpolationMode.NEAREST, CT.ASYMMETRIC],
        ] as const) {
          const r = net.addResize(x);
          r.setInput(1, ints(net, [4], [1, 2, 6, 12], DataType.INT64));
          r.setInput(2, scales);
          r.resizeMode = mode;
          r.coordinateTransformation = transform;
          net.markOutput(r.getOutput(0));
        }
      }, { x: randomRef([1, 2, 4, 5], 621), scales: { dims: [4], data: Float64Array.from([1, 1, 1.7, 2.4]) } }, tol);
    }
  });

  it('TOPK: MAX and MIN on every axis, K = 1 / some / all, ties and NaN, INT32 and INT64 indices, FP32/FP16/BF16 (exact)', async () => {
    for (const [label, dtype] of floatTypes) {
      await compare(`topk ${label}`, (net) => {
        const x = net.addInput('x', dtype, [3, 17, 5]);
        for (const op of [TopKOperation.MAX, TopKOperation.MIN]) {
          for (const [axis, ks] of [[0, [1, 3]], [1, [1, 6, 17]], [2, [2, 5]]] as const) {
            for (const k of ks) {
              const t = net.addTopK(x, op, k, 1 << axis, k === 6 ? DataType.INT64 : DataType.INT32);
              net.markOutput(t.getOutput(0));
              net.markOutput(t.getOutput(1));
            }
          }
        }
      }, { x: quantized([3, 17, 5], 700, [4, 40, 41, 77, 200]) }, EXACT);
    }
  });

  it('TOPK: INT32 and INT64 with many ties, a long axis (no shared-memory copy), and K from constants and from a shape tensor (exact)', async () => {
    for (const dtype of [DataType.INT32, DataType.INT64]) {
      const x = randomRef([4, 50], 710, -6, 6);
      await compare(`topk ${dtype === DataType.INT32 ? 'INT32' : 'INT64'}`, (net) => {
        const xi = as(net, net.addInput('x', DataType.INT32, [4, 50]), dtype);
        for (const op of [TopKOperation.MAX, TopKOperation.MIN]) {
          for (const [k, axis] of [[7, 1], [50, 1], [4, 0]] as const) {
            const t = net.addTopK(xi, op, k, 1 << axis);
            net.markOutput(t.getOutput(0));
            net.markOutput(t.getOutput(1));
          }
        }
      }, { x: { dims: x.dims, data: x.data.map(Math.round) } }, EXACT);
    }
    await compare('topk long axis and run-time K', (net) => {
      const long = net.addInput('long', DataType.FLOAT, [2, 20000]);
      for (const op of [TopKOperation.MAX, TopKOperation.MIN]) {
        const t = net.addTopK(long, op, 10, 1 << 1, DataType.INT64);
        net.markOutput(t.getOutput(0));
        net.markOutput(t.getOutput(1));
      }
      const x = net.addInput('x', DataType.FLOAT, [3, 17]);
      const constK = net.addTopK(x, TopKOperation.MAX, 1, 1 << 1);
      constK.setInput(1, ints(net, [], [4]));
      net.markOutput(constK.getOutput(0));
      net.markOutput(constK.getOutput(1));
      // K = the length of input 'n' (dynamic): a shape tensor computed from shapes.
      const shapeK = net.addTopK(x, TopKOperation.MIN, 1, 1 << 1);
      shapeK.setInput(1, net.addShape(net.addInput('n', DataType.FLOAT, [-1])).getOutput(0));
      net.markOutput(shapeK.getOutput(0));
      net.markOutput(shapeK.getOutput(1));
    }, { long: quantized([2, 20000], 720, [5, 30000]), x: quantized([3, 17], 721), n: randomRef([6], 722) }, EXACT, { profiles: [{ n: [[1], [3], [17]] }] });
  });

  it('FILL LINSPACE: FLOAT/INT32/INT64, alpha and beta from attributes and from inputs (scalar or per dim, integer or fractional, INT32/HALF/FLOAT), shape from a shape tensor (exact)', async () => {
    await compare('linspace', (net) => {
      const alpha = net.addInput('alpha', DataType.FLOAT, []);
      const betaPerDim = net.addInput('betaPerDim', DataType.FLOAT, [3]);
      const betaOne = net.addInput('betaOne', DataType.FLOAT, [1]);
      const alphaInt = net.addInput('alphaInt', DataType.INT32, [1]);
      const betaInt = net.addInput('betaInt', DataType.INT32, [3]);
      const alphaHalf = net.addInput('alphaHalf', DataType.HALF, []);
      const fill = (type: trt.DataType, a: trt.ITensor, b?: trt.ITensor, shape = [2, 3, 4]): void => {
        const f = net.addFill(shape, FillOperation.LINSPACE, type);
        f.setInput(1, a);
        if (b) f.setInput(2, b);
        net.markOutput(f.getOutput(0));
      };
      for (const type of [DataType.FLOAT, DataType.INT32, DataType.INT64]) {
        fill(type, alpha, betaPerDim); // fractional: the double path (truncated for integers)
        fill(type, alpha, betaOne);
        fill(type, alphaInt, betaInt); // integers: exact int64 arithmetic
        fill(type, alphaInt, betaOne, [5]);
        fill(type, alphaHalf); // beta from the attribute (1)
      }
      const attr = net.addFill([3, 5], FillOperation.LINSPACE, DataType.INT64);
      attr.alpha = -4;
      attr.beta = 3;
      net.markOutput(attr.getOutput(0));
      const shaped = net.addFill([], FillOperation.LINSPACE, DataType.FLOAT);
      shaped.setInput(0, net.addShape(net.addInput('like', DataType.FLOAT, [-1, 4])).getOutput(0));
      shaped.setInput(1, alpha);
      shaped.setInput(2, net.addInput('betaTwo', DataType.FLOAT, [2]));
      net.markOutput(shaped.getOutput(0));
    }, {
      alpha: { dims: [], data: Float64Array.from([-2.5]) },
      betaPerDim: { dims: [3], data: Float64Array.from([0.5, -1.25, 2.75]) },
      betaOne: { dims: [1], data: Float64Array.from([3]) },
      alphaInt: { dims: [1], data: Float64Array.from([-7]) },
      betaInt: { dims: [3], data: Float64Array.from([100, -3, 2]) },
      alphaHalf: { dims: [], data: Float64Array.from([1.5]) },
      like: randomRef([3, 4], 800),
      betaTwo: { dims: [2], data: Float64Array.from([10, 0.25]) },
    }, EXACT, { profiles: [{ like: [[1, 4], [3, 4], [6, 4]] }] });
  });

  it('FILL RANDOM_UNIFORM and RANDOM_NORMAL: FLOAT and HALF, seeds, alpha/beta from attributes and inputs; same stream as the cpu backend and the right range and moments', async () => {
    const dims = [64, 1000];
    for (const [label, type, tol] of [['FLOAT', DataType.FLOAT, FP32], ['HALF', DataType.HALF, HALF]] as const) {
      const got = await compareAndGet(`random fill ${label}`, (net) => {
        const u = net.addFill(dims, FillOperation.RANDOM_UNIFORM, type);
        u.alpha = -2;
        u.beta = 3;
        u.seed = 17;
        u.getOutput(0).name = 'uniform';
        net.markOutput(u.getOutput(0));
        const n = net.addFill(dims, FillOperation.RANDOM_NORMAL, type);
        n.alpha = 1;
        n.beta = 2;
        n.seed = 99;
        n.getOutput(0).name = 'normal';
        net.markOutput(n.getOutput(0));
        const un = net.addFill(dims, FillOperation.RANDOM_UNIFORM, type);
        un.setInput(1, net.addInput('lo', DataType.FLOAT, []));
        un.setInput(2, net.addInput('hi', DataType.FLOAT, []));
        un.getOutput(0).name = 'uniformInputs';
        net.markOutput(un.getOutput(0));
        const nn = net.addFill(dims, FillOperation.RANDOM_NORMAL, type);
        nn.setInput(1, net.addInput('mean', DataType.INT32, [1]));
        nn.setInput(2, net.addInput('std', DataType.FLOAT, [1]));
        nn.seed = 12345;
        nn.getOutput(0).name = 'normalInputs';
        net.markOutput(nn.getOutput(0));
      }, {
        lo: { dims: [], data: Float64Array.from([0.5]) },
        hi: { dims: [], data: Float64Array.from([0.75]) },
        mean: { dims: [1], data: Float64Array.from([-3]) },
        std: { dims: [1], data: Float64Array.from([0.5]) },
      }, tol);
      const checks: Array<[string, number, number, number]> = [
        ['uniform', FillOperation.RANDOM_UNIFORM, -2, 3],
        ['normal', FillOperation.RANDOM_NORMAL, 1, 2],
        ['uniformInputs', FillOperation.RANDOM_UNIFORM, 0.5, 0.75],
        ['normalInputs', FillOperation.RANDOM_NORMAL, -3, 0.5],
      ];
      for (const [name, op, a, b] of checks) {
        const r = checkRandomFill(got[name]!.data, op, a, b);
        expect(r.ok, `${label} ${name}: ${r.message}`).toBe(true);
      }
    }
  });

  it('GRID_SAMPLE 4-D: NEAREST/LINEAR/CUBIC x CLAMP/FILL/REFLECT x alignCorners, grid far outside the input, FP32/FP16/BF16', async () => {
    for (const [label, dtype, tol] of floatTypes) {
      await compare(`grid sample 4-D ${label}`, (net) => {
        const x = net.addInput('x', dtype, [2, 3, 5, 6]);
        const grid = net.addInput('grid', dtype, [2, 4, 7, 2]);
        const far = net.addInput('far', dtype, [2, 3, 2, 2]);
        for (const mode of [InterpolationMode.NEAREST, InterpolationMode.LINEAR, InterpolationMode.CUBIC]) {
          for (const sampleMode of [SampleMode.CLAMP, SampleMode.FILL, SampleMode.REFLECT]) {
            for (const alignCorners of [false, true]) {
              for (const g of [grid, far]) {
                const layer = net.addGridSample(x, g);
                layer.interpolationMode = mode;
                layer.sampleMode = sampleMode;
                layer.alignCorners = alignCorners;
                net.markOutput(layer.getOutput(0));
              }
            }
          }
        }
      }, { x: randomRef([2, 3, 5, 6], 900, -4, 4), grid: randomRef([2, 4, 7, 2], 901, -1.6, 1.6), far: randomRef([2, 3, 2, 2], 902, -6, 6) }, tol);
    }
  });

  it('GRID_SAMPLE 5-D: NEAREST/LINEAR x CLAMP/FILL/REFLECT x alignCorners, FP32/FP16/BF16', async () => {
    for (const [label, dtype, tol] of floatTypes) {
      await compare(`grid sample 5-D ${label}`, (net) => {
        const x = net.addInput('x', dtype, [2, 2, 3, 4, 5]);
        const grid = net.addInput('grid', dtype, [2, 3, 2, 4, 3]);
        for (const mode of [InterpolationMode.NEAREST, InterpolationMode.LINEAR]) {
          for (const sampleMode of [SampleMode.CLAMP, SampleMode.FILL, SampleMode.REFLECT]) {
            for (const alignCorners of [false, true]) {
              const layer = net.addGridSample(x, grid);
              layer.interpolationMode = mode;
              layer.sampleMode = sampleMode;
              layer.alignCorners = alignCorners;
              net.markOutput(layer.getOutput(0));
            }
          }
        }
      }, { x: randomRef([2, 2, 3, 4, 5], 910, -4, 4), grid: randomRef([2, 3, 2, 4, 3], 911, -1.5, 1.5) }, tol);
    }
  });

  it('LRN: window sizes 1 to 15 (wider than the channels), ranks 2 to 5, FP32/FP16/BF16', async () => {
    for (const [label, dtype, tol] of floatTypes) {
      await compare(`lrn ${label}`, (net) => {
        const x = net.addInput('x', dtype, [2, 8, 5, 6]);
        for (const [window, alpha, beta, k] of [[1, 0.5, 0.75, 1], [3, 1e-4, 0.75, 2], [5, 0.3, 0.5, 1.5], [15, 2, 1.2, 0.8]] as const) {
          net.markOutput(net.addLRN(x, window, alpha, beta, k).getOutput(0));
        }
        net.markOutput(net.addLRN(net.addInput('m', dtype, [3, 7]), 3, 0.4, 0.6, 1).getOutput(0));
        net.markOutput(net.addLRN(net.addInput('l', dtype, [2, 5, 9]), 5, 0.4, 0.6, 1).getOutput(0));
        net.markOutput(net.addLRN(net.addInput('v', dtype, [1, 6, 2, 3, 4]), 3, 0.4, 0.6, 1).getOutput(0));
      }, { x: randomRef([2, 8, 5, 6], 1000, -2, 2), m: randomRef([3, 7], 1001, -2, 2), l: randomRef([2, 5, 9], 1002, -2, 2), v: randomRef([1, 6, 2, 3, 4], 1003, -2, 2) }, tol);
    }
  });
});
