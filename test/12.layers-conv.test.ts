/**
 * CONVOLUTION, DECONVOLUTION and POOLING x FLOAT/HALF/BF16 against the TS reference
 * (test/reference/conv.ts): 1-D, 2-D and 3-D windows, stride, dilation, groups (depthwise
 * included), asymmetric padding, every PaddingMode, bias, batch > 1, dynamic shapes, two
 * optimization profiles, the builder's conv fusions (BatchNorm folding, fused activation), kernel
 * and bias given as tensors, and the BAD CALL cases.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { ActivationType, DataType, ElementWiseOperation, PaddingMode, PoolingType, Weights } from '../lib/index.js';
import { buildEngine, quietLogger, runEngine, runNetwork, testBackend } from './helpers/engine.js';
import { asStored, checkLayer, floatTypes, randomRef, tolerance } from './helpers/layers.js';
import { toBfloat16Bits, toFloat16Bits } from './helpers/onnx.js';
import * as R from './reference/index.js';
import { errorFromDefineOrBuild } from './helpers/layer-checks.js';

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Deterministic float32 values in [lo, hi). */
function randomF32(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from(randomRef([count], seed, lo, hi).data);
}

/**
 * Weights as passed to the layer: FLOAT (the values as they are), or in the network's own type
 * (HALF as fp16 bits, BF16 as bf16 bits). `values` are what the engine sees (the rounded ones for
 * HALF/BF16), for the reference.
 */
function makeWeights(values: Float32Array, type: DataType): { weights: Weights; values: Float64Array } {
  switch (type) {
    case DataType.FLOAT:
      return { weights: new Weights(values), values: Float64Array.from(values) };
    case DataType.HALF:
      return { weights: new Weights(DataType.HALF, toFloat16Bits(values)), values: asStored(R.ref([values.length], values), DataType.HALF).data };
    case DataType.BF16:
      return { weights: new Weights(DataType.BF16, toBfloat16Bits(values)), values: asStored(R.ref([values.length], values), DataType.BF16).data };
    default:
      throw new Error(`makeWeights: ${DataType[type]}`);
  }
}

const typeName = (t: DataType): string => DataType[t];

/** Fails with a readable message unless `got` matches `want` (already rounded to `dtype`). */
function expectClose(got: R.Ref, want: R.Ref, dtype: DataType, scale: number, what: string): void {
  const stored = asStored(want, dtype);
  expect(got.dims, `${what} dims`).toEqual(stored.dims);
  const report = R.compareClose(got, stored, tolerance(dtype, scale));
  expect(report.ok, `${what} (${typeName(dtype)}): ${report.message}`).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// CONVOLUTION / DECONVOLUTION cases

interface ConvSpec {
  name: string;
  /** input dims [N, C, spatial...] */
  x: number[];
  K: number;
  k: number[];
  stride?: number[];
  dilation?: number[];
  pre?: number[];
  post?: number[];
  /** paddingNd: sets pre and post together */
  padding?: number[];
  mode?: PaddingMode;
  groups?: number;
  bias?: boolean;
}

const convCases: ConvSpec[] = [
  // 1-D
  { name: '1-D stride 2, asymmetric padding, bias, batch 2', x: [2, 3, 11], K: 4, k: [3], stride: [2], pre: [1], post: [2], bias: true },
  { name: '1-D dilation 3, 2 groups, EXPLICIT_ROUND_UP', x: [1, 4, 9], K: 6, k: [2], stride: [2], dilation: [3], groups: 2, mode: PaddingMode.EXPLICIT_ROUND_UP },
  { name: '1-D SAME_UPPER, stride 3, even kernel', x: [1, 3, 10], K: 2, k: [4], stride: [3], mode: PaddingMode.SAME_UPPER },
  { name: '1-D depthwise (groups == C), SAME_LOWER, bias, batch 2', x: [2, 5, 8], K: 5, k: [4], groups: 5, mode: PaddingMode.SAME_LOWER, bias: true },
  // 2-D
  { name: '2-D stride [2,1], asymmetric padding, bias, batch 2', x: [2, 3, 7, 6], K: 4, k: [3, 3], stride: [2, 1], pre: [1, 0], post: [0, 2], bias: true },
  {
    name: '2-D dilation [2,3], 2 groups, EXPLICIT_ROUND_UP',
    x: [1, 4, 8, 9],
    K: 6,
    k: [3, 2],
    stride: [2, 3],
    dilation: [2, 3],
    pre: [1, 1],
    post: [0, 1],
    groups: 2,
    mode: PaddingMode.EXPLICIT_ROUND_UP,
  },
  { name: '2-D SAME_UPPER, even kernel, stride [2,3], bias', x: [1, 3, 7, 8], K: 2, k: [4, 3], stride: [2, 3], mode: PaddingMode.SAME_UPPER, bias: true },
  { name: '2-D SAME_LOWER, dilation [1,2], stride [3,2]', x: [1, 3, 7, 8], K: 3, k: [2, 3], stride: [3, 2], dilation: [1, 2], mode: PaddingMode.SAME_LOWER },
  { name: '2-D depthwise (groups == C), stride 2, paddingNd, bias, batch 2', x: [2, 6, 7, 7], K: 6, k: [3, 3], stride: [2, 2], padding: [1, 1], groups: 6, bias: true },
  { name: '2-D depthwise with channel multiplier 2 (groups == C, K == 2C)', x: [1, 4, 6, 5], K: 8, k: [3, 3], padding: [1, 1], groups: 4 },
  { name: '2-D 1x1 (pointwise), bias, batch 3', x: [3, 8, 5, 4], K: 3, k: [1, 1], bias: true },
  { name: '2-D 1x1, stride 2, asymmetric padding', x: [1, 4, 5, 6], K: 5, k: [1, 1], stride: [2, 2], pre: [1, 0], post: [0, 1] },
  { name: '2-D 16 channels 3x3 (144-term sums), bias', x: [1, 16, 9, 9], K: 8, k: [3, 3], padding: [1, 1], bias: true },
  // 3-D
  { name: '3-D stride [1,2,2], asymmetric padding, bias', x: [1, 2, 5, 6, 7], K: 3, k: [3, 2, 3], stride: [1, 2, 2], pre: [1, 0, 1], post: [0, 1, 1], bias: true },
  {
    name: '3-D dilation [2,1,2], 2 groups, EXPLICIT_ROUND_UP, batch 2',
    x: [2, 4, 4, 5, 6],
    K: 4,
    k: [2, 2, 2],
    stride: [2, 2, 3],
    dilation: [2, 1, 2],
    groups: 2,
    mode: PaddingMode.EXPLICIT_ROUND_UP,
  },
  { name: '3-D SAME_UPPER, stride 2, bias', x: [1, 2, 5, 5, 5], K: 2, k: [2, 3, 2], stride: [2, 2, 2], mode: PaddingMode.SAME_UPPER, bias: true },
  { name: '3-D depthwise, SAME_LOWER', x: [1, 3, 4, 5, 6], K: 3, k: [2, 2, 3], stride: [1, 2, 2], groups: 3, mode: PaddingMode.SAME_LOWER },
];

const deconvCases: ConvSpec[] = [
  // 1-D
  { name: '1-D stride 2, cropping pre 1, bias, batch 2', x: [2, 3, 5], K: 4, k: [3], stride: [2], pre: [1], post: [0], bias: true },
  { name: '1-D dilation 2, stride 3, 2 groups, cropping post 2', x: [1, 4, 6], K: 6, k: [3], stride: [3], dilation: [2], post: [2], groups: 2 },
  { name: '1-D SAME_UPPER, odd total padding', x: [1, 3, 6], K: 2, k: [5], stride: [2], mode: PaddingMode.SAME_UPPER },
  { name: '1-D depthwise (groups == C), SAME_LOWER, bias, batch 2', x: [2, 4, 7], K: 4, k: [4], groups: 4, mode: PaddingMode.SAME_LOWER, bias: true },
  // 2-D
  { name: '2-D stride [2,3], asymmetric cropping, bias, batch 2', x: [2, 3, 4, 5], K: 2, k: [3, 4], stride: [2, 3], pre: [1, 0], post: [0, 2], bias: true },
  {
    name: '2-D dilation [2,3], 2 groups, EXPLICIT_ROUND_UP',
    x: [1, 4, 3, 4],
    K: 6,
    k: [3, 2],
    stride: [2, 2],
    dilation: [2, 3],
    pre: [1, 1],
    post: [1, 0],
    groups: 2,
    mode: PaddingMode.EXPLICIT_ROUND_UP,
  },
  { name: '2-D SAME_UPPER, bias', x: [1, 2, 4, 5], K: 3, k: [3, 4], stride: [2, 2], mode: PaddingMode.SAME_UPPER, bias: true },
  { name: '2-D SAME_LOWER, stride larger than the kernel', x: [1, 2, 4, 3], K: 2, k: [2, 5], stride: [3, 2], mode: PaddingMode.SAME_LOWER },
  { name: '2-D depthwise (groups == C), stride 2, paddingNd, bias, batch 2', x: [2, 5, 4, 4], K: 5, k: [3, 3], stride: [2, 2], padding: [1, 1], groups: 5, bias: true },
  { name: '2-D 1x1 (pointwise), bias, batch 2', x: [2, 6, 3, 4], K: 4, k: [1, 1], bias: true },
  { name: '2-D 1x1, stride 2 (gaps hold the bias), bias', x: [1, 3, 3, 3], K: 2, k: [1, 1], stride: [2, 2], bias: true },
  // 3-D
  { name: '3-D stride [2,1,2], asymmetric cropping, bias', x: [1, 2, 3, 4, 3], K: 3, k: [2, 3, 2], stride: [2, 1, 2], pre: [0, 1, 1], post: [1, 0, 0], bias: true },
  { name: '3-D dilation [2,1,1], 2 groups, batch 2', x: [2, 4, 3, 3, 2], K: 2, k: [2, 2, 2], stride: [1, 2, 2], dilation: [2, 1, 1], groups: 2 },
  { name: '3-D SAME_UPPER', x: [1, 2, 3, 3, 3], K: 2, k: [3, 2, 3], stride: [2, 2, 1], mode: PaddingMode.SAME_UPPER },
  { name: '3-D depthwise, SAME_LOWER, bias', x: [1, 3, 3, 4, 2], K: 3, k: [2, 3, 2], stride: [2, 2, 2], groups: 3, mode: PaddingMode.SAME_LOWER, bias: true },
];

/** Number of kernel values: conv [K, C/g, k...], deconv [C, K/g, k...] (both K*C/g*prod(k)). */
function kernelCount(s: ConvSpec): number {
  return (s.K * s.x[1]! * s.k.reduce((a, b) => a * b, 1)) / (s.groups ?? 1);
}

/** Applies the spec's window settings to a conv/deconv layer (only those it sets). */
function applyWindow(layer: trt.IConvolutionLayer, s: ConvSpec): void {
  if (s.stride) layer.strideNd = s.stride;
  if (s.dilation) layer.dilationNd = s.dilation;
  if (s.padding) layer.paddingNd = s.padding;
  if (s.pre) layer.prePadding = s.pre;
  if (s.post) layer.postPadding = s.post;
  if (s.mode !== undefined) layer.paddingMode = s.mode;
  if (s.groups !== undefined) layer.numGroups = s.groups;
}

function refParams(s: ConvSpec, kernel: ArrayLike<number>, bias: ArrayLike<number> | undefined): R.ConvParams {
  return {
    numOutputMaps: s.K,
    kernelSizeNd: s.k,
    kernel,
    bias,
    strideNd: s.stride,
    dilationNd: s.dilation,
    paddingNd: s.padding,
    prePadding: s.pre,
    postPadding: s.post,
    paddingMode: s.mode,
    numGroups: s.groups,
  };
}

/**
 * Builds and checks one conv/deconv case. `weightType` FLOAT passes float32 weights; HALF/BF16
 * pass them in that type (fp16/bf16 bits), and the reference uses the rounded values.
 */
async function checkConv(
  op: 'conv' | 'deconv',
  s: ConvSpec,
  dtype: DataType,
  seed: number,
  opts: { weightType?: DataType; dynamic?: boolean; toleranceScale: number },
): Promise<void> {
  const wt = opts.weightType ?? DataType.FLOAT;
  const kernel = makeWeights(randomF32(kernelCount(s), seed + 1), wt);
  const bias = s.bias ? makeWeights(randomF32(s.K, seed + 2), wt) : undefined;
  await checkLayer({
    inputs: { x: { ref: randomRef(s.x, seed), dtype } },
    define: (net, { x }) => {
      const layer =
        op === 'conv'
          ? net.addConvolutionNd(x!, s.K, s.k, kernel.weights, bias?.weights)
          : net.addDeconvolutionNd(x!, s.K, s.k, kernel.weights, bias?.weights);
      applyWindow(layer, s);
      return layer.getOutput(0);
    },
    reference: ({ x }) => {
      const p = refParams(s, kernel.values, bias?.values);
      return op === 'conv' ? R.convolution(x!, p) : R.deconvolution(x!, p);
    },
    toleranceScale: opts.toleranceScale,
    dynamic: opts.dynamic,
  });
}

/**
 * Tolerance scale for convolution and deconvolution. FLOAT: 4, because each output is a float32
 * sum of up to C/g*prod(k) = 144 products accumulated in GEMM order, compared with a
 * double-precision reference; near-zero sums (cancellation) fall back on atol, and 1e-6 is only
 * ~8 float32 ulp at 1.0, so 4e-6 leaves room for the accumulation-order error of 144 terms of
 * size <= 1 (~144 * 6e-8 worst case) with rtol 4e-5 (at scale 1 the 144-term 32x32 case below
 * does exceed the FLOAT tolerance; at 4 every case passes). HALF/BF16: 1 (the default 2 ulp), because
 * the engine accumulates in float32 and rounds once to the storage type, like the reference, so
 * the results can differ by at most 1 ulp where the float32 sum lands across a rounding boundary.
 */
function convScale(dtype: DataType): number {
  return dtype === DataType.FLOAT ? 4 : 1;
}

describe('CONVOLUTION', () => {
  // Tolerance: checkLayer's per-type defaults x convScale (FLOAT rtol 4e-5 atol 4e-6; HALF rtol
  // 2e-3 atol 1e-3; BF16 rtol 1.6e-2 atol 1e-2), see convScale for why.
  for (const [i, s] of convCases.entries()) {
    for (const dtype of floatTypes) {
      it(`${s.name} ${typeName(dtype)}`, async () => {
        await checkConv('conv', s, dtype, 100 + 10 * i, { toleranceScale: convScale(dtype) });
      });
    }
  }

  for (const dtype of [DataType.HALF, DataType.BF16]) {
    for (const i of [0, 4, 8, 13]) {
      const s = convCases[i]!;
      it(`${s.name} ${typeName(dtype)}, kernel and bias weights in ${typeName(dtype)}`, async () => {
        await checkConv('conv', s, dtype, 500 + 10 * i, { weightType: dtype, toleranceScale: convScale(dtype) });
      });
    }
  }

  for (const dtype of floatTypes) {
    it(`dynamic shapes (all dims -1) ${typeName(dtype)}`, async () => {
      for (const i of [1, 5, 14]) await checkConv('conv', convCases[i]!, dtype, 700 + i, { dynamic: true, toleranceScale: convScale(dtype) });
    });
  }

  it('reads back its settings', () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    try {
      const net = builder.createNetworkV2();
      const x = net.addInput('x', DataType.FLOAT, [1, 4, 8, 8]);
      const layer = net.addConvolutionNd(x, 6, [3, 2], new Float32Array(6 * 2 * 6));
      expect(layer.strideNd).toEqual([1, 1]);
      expect(layer.dilationNd).toEqual([1, 1]);
      expect(layer.prePadding).toEqual([0, 0]);
      expect(layer.paddingMode).toBe(PaddingMode.EXPLICIT_ROUND_DOWN);
      expect(layer.numGroups).toBe(1);
      layer.numGroups = 2;
      layer.strideNd = [2, 1];
      layer.prePadding = [1, 0];
      layer.postPadding = [0, 1];
      layer.dilationNd = [1, 2];
      layer.paddingMode = PaddingMode.SAME_LOWER;
      const again = net.getLayer(0) as trt.IConvolutionLayer;
      expect(again).toBeInstanceOf(trt.IConvolutionLayer);
      expect([again.numOutputMaps, again.kernelSizeNd, again.numGroups, again.strideNd, again.prePadding, again.postPadding, again.dilationNd, again.paddingMode]).toEqual([
        6,
        [3, 2],
        2,
        [2, 1],
        [1, 0],
        [0, 1],
        [1, 2],
        PaddingMode.SAME_LOWER,
      ]);
      expect(again.kernel.count).toBe(72);
      expect(again.bias.count).toBe(0);
    } finally {
      builder.dispose();
    }
  });
});

describe('CONVOLUTION depthwise: both CPU implementations', () => {
  // The builder's autotuner times im2col-gemm against direct-depthwise for FLOAT depthwise convs
  // and keeps the faster, so the normal runs above exercise only one of them. Here each is forced:
  // optimization level 0 skips the autotuner, and the IR attribute "implementation" (what the
  // autotuner itself sets; not public API) selects the kernel. engine.inspect() confirms it.
  // Tolerance: FLOAT defaults x4 (convScale).
  const depthwise = convCases.filter((s) => s.groups !== undefined && s.groups === s.x[1] && s.K === s.x[1]);
  for (const impl of ['im2col-gemm', 'direct-depthwise'] as const) {
    for (const s of depthwise) {
      it.skipIf(testBackend !== 'cpu')(`${s.name}: ${impl} (cpu backend only: forces and checks the CPU kernel choice)`, async () => {
        const seed = 900 + s.x.reduce((a, b) => a + b, 0);
        const kernel = randomF32(kernelCount(s), seed + 1);
        const bias = s.bias ? randomF32(s.K, seed + 2) : undefined;
        const x = randomRef(s.x, seed);
        const engine = await buildEngine(
          (net) => {
            const conv = net.addConvolutionNd(net.addInput('x', DataType.FLOAT, s.x), s.K, s.k, kernel, bias);
            applyWindow(conv, s);
            if (impl === 'direct-depthwise') (conv as unknown as { set_(key: string, value: string): void }).set_('implementation', impl);
            conv.getOutput(0).name = 'y';
            net.markOutput(conv.getOutput(0));
          },
          { optimizationLevel: 0 },
        );
        try {
          expect(engine.inspect().layers.map((l) => [l.type, l.implementation])).toEqual([['CONVOLUTION', impl]]);
          const out = await runEngine(engine, { x: { ref: x } });
          expectClose(out['y']!, R.convolution(x, refParams(s, kernel, bias)), DataType.FLOAT, 4, 'y');
        } finally {
          engine.dispose();
        }
      });
    }
  }
});

describe('CONVOLUTION 3x3 stride 1: winograd CPU implementation', () => {
  // The autotuner times winograd (F(2x2, 3x3)) against im2col-gemm for FLOAT 3x3 stride-1
  // single-group convolutions and keeps the faster, so it is forced here as above (optimization
  // level 0 also skips the activation fusion, so the fused epilogue is set the same way, through
  // the IR attributes fusedActivation/fusedAlpha/fusedBeta that the fusion pass writes). Shapes
  // cover partial 2x2 tiles and 8-column quads, every padding form, batches, and a channel count
  // past the GEMM's K block. Where the CPU lacks AVX2 the kernel falls back to im2col-gemm.
  // Tolerance: as CONVOLUTION FLOAT (defaults x4).
  const cases: Array<ConvSpec & { act?: { type: ActivationType; alpha?: number; beta?: number } }> = [
    { name: '16 -> 64 @16x16, paddingNd 1, bias, batch 2', x: [2, 16, 16, 16], K: 64, k: [3, 3], padding: [1, 1], bias: true },
    { name: '32 -> 32 @32x32, paddingNd 1, bias, fused RELU', x: [1, 32, 32, 32], K: 32, k: [3, 3], padding: [1, 1], bias: true, act: { type: ActivationType.RELU } },
    { name: '3 -> 5 @7x13, no padding (partial tiles and quads)', x: [1, 3, 7, 13], K: 5, k: [3, 3] },
    { name: '16 -> 7 @9x10, asymmetric padding, fused CLIP, batch 3', x: [3, 16, 9, 10], K: 7, k: [3, 3], pre: [2, 0], post: [0, 1], act: { type: ActivationType.CLIP, alpha: -0.5, beta: 0.75 } },
    { name: '4 -> 6 @5x21, SAME_UPPER, bias, fused LEAKY_RELU', x: [1, 4, 5, 21], K: 6, k: [3, 3], mode: PaddingMode.SAME_UPPER, bias: true, act: { type: ActivationType.LEAKY_RELU, alpha: 0.1 } },
    { name: '12 -> 16 @6x6, paddingNd 2, bias', x: [1, 12, 6, 6], K: 16, k: [3, 3], padding: [2, 2], bias: true },
    { name: '2 -> 3 @3x3 (one partial tile), paddingNd 1', x: [1, 2, 3, 3], K: 3, k: [3, 3], padding: [1, 1] },
    { name: '300 -> 8 @6x7, paddingNd 1 (two GEMM K blocks)', x: [1, 300, 6, 7], K: 8, k: [3, 3], padding: [1, 1], bias: true },
  ];
  for (const s of cases) {
    it.skipIf(testBackend !== 'cpu')(`${s.name} (cpu backend only: forces and checks the CPU kernel choice)`, async () => {
      const seed = 950 + s.x.reduce((a, b) => a + b, 0);
      const kernel = randomF32(kernelCount(s), seed + 1);
      const bias = s.bias ? randomF32(s.K, seed + 2) : undefined;
      const x = randomRef(s.x, seed);
      const engine = await buildEngine(
        (net) => {
          const conv = net.addConvolutionNd(net.addInput('x', DataType.FLOAT, s.x), s.K, s.k, kernel, bias);
          applyWindow(conv, s);
          const set = (conv as unknown as { set_(key: string, value: string | number): void }).set_.bind(conv);
          set('implementation', 'winograd');
          if (s.act) {
            set('fusedActivation', s.act.type);
            set('fusedAlpha', s.act.alpha ?? 0);
            set('fusedBeta', s.act.beta ?? 0);
          }
          conv.getOutput(0).name = 'y';
          net.markOutput(conv.getOutput(0));
        },
        { optimizationLevel: 0 },
      );
      try {
        const avx2 = /GEMM micro-kernel: avx2-fma/.test(trt.getBackends().find((b) => b.name === 'cpu')?.reason ?? '');
        const impl = avx2 ? 'winograd' : 'im2col-gemm';
        expect(engine.inspect().layers.map((l) => [l.type, l.implementation])).toEqual([['CONVOLUTION', impl]]);
        const out = await runEngine(engine, { x: { ref: x } });
        let want = R.convolution(x, refParams(s, kernel, bias));
        if (s.act) want = R.activation(want, { type: s.act.type, alpha: s.act.alpha ?? 0, beta: s.act.beta ?? 0 });
        expectClose(out['y']!, want, DataType.FLOAT, 4, 'y');
      } finally {
        engine.dispose();
      }
    });
  }
});

describe('DECONVOLUTION', () => {
  // Tolerance: as CONVOLUTION (convScale): FLOAT x4, HALF/BF16 the defaults.
  for (const [i, s] of deconvCases.entries()) {
    for (const dtype of floatTypes) {
      it(`${s.name} ${typeName(dtype)}`, async () => {
        await checkConv('deconv', s, dtype, 2000 + 10 * i, { toleranceScale: convScale(dtype) });
      });
    }
  }

  for (const dtype of [DataType.HALF, DataType.BF16]) {
    for (const i of [0, 4, 8, 11]) {
      const s = deconvCases[i]!;
      it(`${s.name} ${typeName(dtype)}, kernel and bias weights in ${typeName(dtype)}`, async () => {
        await checkConv('deconv', s, dtype, 2500 + 10 * i, { weightType: dtype, toleranceScale: convScale(dtype) });
      });
    }
  }

  for (const dtype of floatTypes) {
    it(`dynamic shapes (all dims -1) ${typeName(dtype)}`, async () => {
      for (const i of [1, 4, 12]) await checkConv('deconv', deconvCases[i]!, dtype, 2700 + i, { dynamic: true, toleranceScale: convScale(dtype) });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// POOLING

interface PoolSpec {
  name: string;
  x: number[];
  type: PoolingType;
  w: number[];
  stride?: number[];
  pre?: number[];
  post?: number[];
  padding?: number[];
  mode?: PaddingMode;
  blend?: number;
  /** unset: the default (true) */
  excl?: boolean;
}

const poolCases: PoolSpec[] = [
  // 1-D
  { name: 'MAX 1-D stride 2, asymmetric padding, batch 2', x: [2, 3, 10], type: PoolingType.MAX, w: [3], stride: [2], pre: [1], post: [2] },
  { name: 'AVERAGE 1-D EXPLICIT_ROUND_UP, stride 3', x: [1, 2, 9], type: PoolingType.AVERAGE, w: [4], stride: [3], pre: [1], post: [1], mode: PaddingMode.EXPLICIT_ROUND_UP },
  { name: 'AVERAGE 1-D SAME_UPPER, padding counted (excl false), batch 2', x: [2, 3, 9], type: PoolingType.AVERAGE, w: [4], stride: [2], mode: PaddingMode.SAME_UPPER, excl: false },
  // 2-D
  { name: 'AVERAGE 2-D paddingNd, stride 2, excl true, batch 2', x: [2, 3, 7, 8], type: PoolingType.AVERAGE, w: [3, 3], stride: [2, 2], padding: [1, 1], excl: true },
  { name: 'AVERAGE 2-D paddingNd, stride 2, excl false, batch 2', x: [2, 3, 7, 8], type: PoolingType.AVERAGE, w: [3, 3], stride: [2, 2], padding: [1, 1], excl: false },
  {
    name: 'AVERAGE 2-D asymmetric padding, EXPLICIT_ROUND_UP, excl false',
    x: [1, 2, 7, 7],
    type: PoolingType.AVERAGE,
    w: [3, 2],
    stride: [2, 2],
    pre: [1, 0],
    post: [0, 1],
    mode: PaddingMode.EXPLICIT_ROUND_UP,
    excl: false,
  },
  { name: 'MAX_AVERAGE_BLEND 2-D SAME_UPPER, blend 0.3', x: [1, 3, 7, 8], type: PoolingType.MAX_AVERAGE_BLEND, w: [3, 2], stride: [2, 3], mode: PaddingMode.SAME_UPPER, blend: 0.3 },
  {
    name: 'MAX_AVERAGE_BLEND 2-D SAME_LOWER, blend 0.75, excl false, batch 2',
    x: [2, 2, 6, 6],
    type: PoolingType.MAX_AVERAGE_BLEND,
    w: [2, 3],
    stride: [2, 2],
    mode: PaddingMode.SAME_LOWER,
    blend: 0.75,
    excl: false,
  },
  { name: 'MAX 2-D default stride (1), no padding', x: [1, 2, 5, 6], type: PoolingType.MAX, w: [2, 3] },
  { name: 'MAX 2-D EXPLICIT_ROUND_UP, asymmetric padding', x: [1, 2, 8, 7], type: PoolingType.MAX, w: [3, 3], stride: [2, 3], pre: [0, 1], post: [1, 0], mode: PaddingMode.EXPLICIT_ROUND_UP },
  // 3-D
  { name: 'MAX 3-D SAME_UPPER, stride 2', x: [1, 2, 5, 6, 7], type: PoolingType.MAX, w: [2, 3, 2], stride: [2, 2, 2], mode: PaddingMode.SAME_UPPER },
  {
    name: 'AVERAGE 3-D asymmetric padding, excl false, batch 2',
    x: [2, 2, 4, 5, 6],
    type: PoolingType.AVERAGE,
    w: [2, 2, 3],
    stride: [2, 2, 2],
    pre: [1, 0, 1],
    post: [0, 1, 1],
    excl: false,
  },
  { name: 'AVERAGE 3-D SAME_LOWER, excl true', x: [1, 3, 4, 4, 5], type: PoolingType.AVERAGE, w: [3, 2, 2], stride: [1, 2, 2], mode: PaddingMode.SAME_LOWER, excl: true },
  {
    name: 'MAX_AVERAGE_BLEND 3-D EXPLICIT_ROUND_UP, blend 0.5',
    x: [1, 2, 5, 5, 5],
    type: PoolingType.MAX_AVERAGE_BLEND,
    w: [2, 2, 2],
    stride: [2, 2, 2],
    pre: [0, 1, 0],
    mode: PaddingMode.EXPLICIT_ROUND_UP,
    blend: 0.5,
  },
];

function applyPool(layer: trt.IPoolingLayer, s: PoolSpec): void {
  if (s.stride) layer.strideNd = s.stride;
  if (s.padding) layer.paddingNd = s.padding;
  if (s.pre) layer.prePadding = s.pre;
  if (s.post) layer.postPadding = s.post;
  if (s.mode !== undefined) layer.paddingMode = s.mode;
  if (s.blend !== undefined) layer.blendFactor = s.blend;
  if (s.excl !== undefined) layer.averageCountExcludesPadding = s.excl;
}

function poolRef(x: R.Ref, s: PoolSpec): R.Ref {
  const out = R.pooling(x, {
    type: s.type,
    windowSizeNd: s.w,
    strideNd: s.stride,
    paddingNd: s.padding,
    prePadding: s.pre,
    postPadding: s.post,
    paddingMode: s.mode,
    blendFactor: s.blend,
    averageCountExcludesPadding: s.excl,
  });
  // Every case keeps each window partly inside the input (a window entirely in padding has no
  // defined value); guard the case table itself.
  if (!out.data.every(Number.isFinite)) throw new Error(`pooling case "${s.name}" has a window entirely in padding`);
  return out;
}

async function checkPool(s: PoolSpec, dtype: DataType, seed: number, dynamic = false): Promise<void> {
  await checkLayer({
    inputs: { x: { ref: randomRef(s.x, seed, -2, 2), dtype } },
    define: (net, { x }) => {
      const layer = net.addPoolingNd(x!, s.type, s.w);
      applyPool(layer, s);
      return layer.getOutput(0);
    },
    reference: ({ x }) => poolRef(x!, s),
    dynamic,
  });
}

describe('POOLING', () => {
  // Tolerance: checkLayer's per-type defaults (scale 1): MAX is exact, AVERAGE sums at most 18
  // values in float32 and divides once, far below 1 ulp of any tested type's output scale.
  for (const [i, s] of poolCases.entries()) {
    for (const dtype of floatTypes) {
      it(`${s.name} ${typeName(dtype)}`, async () => {
        await checkPool(s, dtype, 3000 + 10 * i);
      });
    }
  }

  for (const dtype of floatTypes) {
    it(`dynamic shapes (all dims -1) ${typeName(dtype)}`, async () => {
      for (const i of [0, 4, 11]) await checkPool(poolCases[i]!, dtype, 3700 + i, true);
    });
  }

  it('reads back its settings; strideNd defaults to 1 as in TensorRT', () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    try {
      const net = builder.createNetworkV2();
      const x = net.addInput('x', DataType.FLOAT, [1, 2, 8, 8]);
      const layer = net.addPoolingNd(x, PoolingType.AVERAGE, [3, 2]);
      expect(layer.strideNd).toEqual([1, 1]);
      expect(layer.getOutput(0).shape).toEqual([1, 2, 6, 7]);
      expect(layer.averageCountExcludesPadding).toBe(true);
      layer.poolingType = PoolingType.MAX_AVERAGE_BLEND;
      layer.blendFactor = 0.25;
      layer.averageCountExcludesPadding = false;
      layer.windowSizeNd = [2, 2];
      const again = net.getLayer(0) as trt.IPoolingLayer;
      expect(again).toBeInstanceOf(trt.IPoolingLayer);
      expect([again.poolingType, again.blendFactor, again.averageCountExcludesPadding, again.windowSizeNd]).toEqual([
        PoolingType.MAX_AVERAGE_BLEND,
        0.25,
        false,
        [2, 2],
      ]);
    } finally {
      builder.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Larger shapes: the kernels split work over the thread pool only above some size

describe('larger shapes (thread-pool paths)', () => {
  // Tolerance: CONVOLUTION/DECONVOLUTION as above (convScale: 144-term sums at most); POOLING
  // the defaults.
  const bigConv: ConvSpec[] = [
    { name: 'conv 2-D 16->32 channels 3x3, 32x32, bias, batch 2', x: [2, 16, 32, 32], K: 32, k: [3, 3], padding: [1, 1], bias: true },
    { name: 'conv 2-D depthwise 32 channels 3x3 stride 2, 28x28', x: [1, 32, 28, 28], K: 32, k: [3, 3], stride: [2, 2], padding: [1, 1], groups: 32, bias: true },
    { name: 'conv 2-D 4 groups 5x5 SAME_UPPER, 24x20', x: [1, 16, 24, 20], K: 8, k: [5, 5], groups: 4, mode: PaddingMode.SAME_UPPER },
  ];
  const bigDeconv: ConvSpec[] = [
    { name: 'deconv 2-D 16->8 channels 4x4 stride 2, 16x16, bias, batch 2', x: [2, 16, 16, 16], K: 8, k: [4, 4], stride: [2, 2], padding: [1, 1], bias: true },
  ];
  const bigPool: PoolSpec[] = [
    { name: 'pool MAX 3x3 stride 2, 32x32, batch 2', x: [2, 16, 32, 32], type: PoolingType.MAX, w: [3, 3], stride: [2, 2], padding: [1, 1] },
    { name: 'pool AVERAGE 3-D 2x3x3, excl false', x: [1, 8, 8, 16, 16], type: PoolingType.AVERAGE, w: [2, 3, 3], stride: [2, 1, 1], padding: [0, 1, 1], excl: false },
  ];
  for (const dtype of [DataType.FLOAT, DataType.HALF]) {
    for (const [i, s] of bigConv.entries()) {
      it(`${s.name} ${typeName(dtype)}`, async () => {
        await checkConv('conv', s, dtype, 8000 + 10 * i, { toleranceScale: convScale(dtype) });
      });
    }
    for (const [i, s] of bigDeconv.entries()) {
      it(`${s.name} ${typeName(dtype)}`, async () => {
        await checkConv('deconv', s, dtype, 8500 + 10 * i, { toleranceScale: convScale(dtype) });
      });
    }
    for (const [i, s] of bigPool.entries()) {
      it(`${s.name} ${typeName(dtype)}`, async () => {
        await checkPool(s, dtype, 8800 + 10 * i);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Two optimization profiles

describe('conv + pooling engine with two optimization profiles', () => {
  // Tolerance: FLOAT defaults x4 (convScale: 27-term float32 sums, then an average of 4).
  const K = 4;
  const kernel = randomF32(K * 3 * 9, 41);
  const bias = randomF32(K, 42);
  const convSpec: ConvSpec = { name: 'profiles', x: [-1, 3, -1, -1], K, k: [3, 3], stride: [2, 2], padding: [1, 1], bias: true };
  const poolSpec: PoolSpec = { name: 'profiles', x: [], type: PoolingType.AVERAGE, w: [2, 2], stride: [1, 1], padding: [1, 0], excl: false };

  it('runs a shape from each profile (and both ends of each range)', async () => {
    const engine = await buildEngine(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [-1, 3, -1, -1]);
        const conv = net.addConvolutionNd(x, K, [3, 3], kernel, bias);
        applyWindow(conv, convSpec);
        const pool = net.addPoolingNd(conv.getOutput(0), poolSpec.type, poolSpec.w);
        applyPool(pool, poolSpec);
        pool.getOutput(0).name = 'y';
        net.markOutput(pool.getOutput(0));
      },
      {
        profiles: [
          { x: [[1, 3, 4, 4], [2, 3, 8, 8], [2, 3, 10, 10]] },
          { x: [[3, 3, 12, 12], [4, 3, 16, 16], [4, 3, 20, 24]] },
        ],
      },
    );
    try {
      expect(engine.numOptimizationProfiles).toBe(2);
      const shapes: Array<[number, number[]]> = [
        [0, [2, 3, 5, 7]],
        [0, [1, 3, 4, 4]],
        [0, [2, 3, 10, 10]],
        [1, [3, 3, 13, 21]],
        [1, [4, 3, 20, 24]],
        [1, [3, 3, 12, 12]],
      ];
      for (const [profileIndex, dims] of shapes) {
        const x = randomRef(dims, 50 + dims.reduce((a, b) => a + b, 0));
        const out = await runEngine(engine, { x: { ref: x } }, { profileIndex });
        const want = poolRef(R.convolution(x, refParams(convSpec, kernel, bias)), poolSpec);
        expectClose(out['y']!, want, DataType.FLOAT, 4, `profile ${profileIndex} x [${dims.join(',')}]`);
      }
    } finally {
      engine.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Builder fusions through conv layers

interface FusionSpec {
  name: string;
  op: 'conv' | 'deconv';
  conv: ConvSpec;
  /** the elementwise ops after the conv, each with a constant of dims `constDims` */
  chain: Array<{ op: ElementWiseOperation; constDims: number[]; constFirst?: boolean }>;
  activation?: { type: ActivationType; alpha?: number; beta?: number };
  /** also mark the conv output as a network output (then nothing may be folded into it) */
  convIsOutput?: boolean;
  /** expected layer types after optimization, in execution order, CONSTANT layers left out */
  layers: string[];
  /** CONSTANT layers left after optimization (the folded ones are removed) */
  constants: number;
  /** expected fusedActivation of the (de)conv layer (undefined: the attribute is absent) */
  fusedActivation?: number;
}

const fusionCases: FusionSpec[] = [
  {
    name: 'conv + PROD + SUM (BatchNorm) + RELU fold into one conv with a fused RELU',
    op: 'conv',
    conv: { name: '', x: [2, 4, 6, 6], K: 6, k: [3, 3], padding: [1, 1], bias: true },
    chain: [
      { op: ElementWiseOperation.PROD, constDims: [1, 6, 1, 1] },
      { op: ElementWiseOperation.SUM, constDims: [1, 6, 1, 1] },
    ],
    activation: { type: ActivationType.RELU },
    layers: ['CONVOLUTION'],
    constants: 0,
    fusedActivation: ActivationType.RELU,
  },
  {
    name: 'conv (no bias) + PROD + SUM with the constant first + CLIP fold into one conv with a fused CLIP',
    op: 'conv',
    conv: { name: '', x: [1, 3, 7, 5], K: 4, k: [3, 2], stride: [2, 1], pre: [1, 0], post: [0, 1] },
    chain: [
      { op: ElementWiseOperation.PROD, constDims: [1, 4, 1, 1], constFirst: true },
      { op: ElementWiseOperation.SUM, constDims: [1, 4, 1, 1], constFirst: true },
    ],
    activation: { type: ActivationType.CLIP, alpha: -0.5, beta: 0.75 },
    layers: ['CONVOLUTION'],
    constants: 0,
    fusedActivation: ActivationType.CLIP,
  },
  {
    name: 'depthwise 1-D conv + PROD by a broadcast scalar + SUM fold into one conv',
    op: 'conv',
    conv: { name: '', x: [2, 5, 9], K: 5, k: [3], groups: 5, mode: PaddingMode.SAME_UPPER, bias: true },
    chain: [
      { op: ElementWiseOperation.PROD, constDims: [1, 1, 1] },
      { op: ElementWiseOperation.SUM, constDims: [1, 5, 1] },
    ],
    layers: ['CONVOLUTION'],
    constants: 0,
  },
  {
    name: '2-D depthwise conv + PROD + SUM + RELU fold into one conv with a fused RELU',
    op: 'conv',
    conv: { name: '', x: [2, 6, 7, 7], K: 6, k: [3, 3], stride: [2, 2], padding: [1, 1], groups: 6, bias: true },
    chain: [
      { op: ElementWiseOperation.PROD, constDims: [1, 6, 1, 1] },
      { op: ElementWiseOperation.SUM, constDims: [1, 6, 1, 1] },
    ],
    activation: { type: ActivationType.RELU },
    layers: ['CONVOLUTION'],
    constants: 0,
    fusedActivation: ActivationType.RELU,
  },
  {
    name: '3-D conv + PROD + SUM + RELU fold into one conv with a fused RELU',
    op: 'conv',
    conv: { name: '', x: [1, 2, 4, 5, 4], K: 3, k: [2, 3, 2], stride: [1, 2, 1], bias: true },
    chain: [
      { op: ElementWiseOperation.PROD, constDims: [1, 3, 1, 1, 1] },
      { op: ElementWiseOperation.SUM, constDims: [1, 3, 1, 1, 1] },
    ],
    activation: { type: ActivationType.RELU },
    layers: ['CONVOLUTION'],
    constants: 0,
    fusedActivation: ActivationType.RELU,
  },
  {
    name: 'grouped deconv + PROD + SUM + RELU fold into one deconv with a fused RELU',
    op: 'deconv',
    conv: { name: '', x: [2, 4, 3, 4], K: 6, k: [3, 3], stride: [2, 2], pre: [1, 0], post: [0, 1], groups: 2, bias: true },
    chain: [
      { op: ElementWiseOperation.PROD, constDims: [1, 6, 1, 1] },
      { op: ElementWiseOperation.SUM, constDims: [1, 6, 1, 1] },
    ],
    activation: { type: ActivationType.RELU },
    layers: ['DECONVOLUTION'],
    constants: 0,
    fusedActivation: ActivationType.RELU,
  },
  {
    name: 'conv + CLIP alone fuses the activation',
    op: 'conv',
    conv: { name: '', x: [1, 3, 6, 6], K: 4, k: [3, 3], bias: true },
    chain: [],
    activation: { type: ActivationType.CLIP, alpha: -0.25, beta: 0.5 },
    layers: ['CONVOLUTION'],
    constants: 0,
    fusedActivation: ActivationType.CLIP,
  },
  {
    name: 'conv + SUB (not a fold) + RELU: the SUB stays, the RELU stays after it',
    op: 'conv',
    conv: { name: '', x: [1, 3, 6, 6], K: 4, k: [3, 3], padding: [1, 1] },
    chain: [{ op: ElementWiseOperation.SUB, constDims: [1, 4, 1, 1] }],
    activation: { type: ActivationType.RELU },
    layers: ['CONVOLUTION', 'ELEMENTWISE', 'ACTIVATION'],
    constants: 1,
  },
  {
    name: 'conv whose output is also a network output: nothing is folded into it',
    op: 'conv',
    conv: { name: '', x: [1, 3, 6, 6], K: 4, k: [3, 3], padding: [1, 1], bias: true },
    chain: [
      { op: ElementWiseOperation.PROD, constDims: [1, 4, 1, 1] },
      { op: ElementWiseOperation.SUM, constDims: [1, 4, 1, 1] },
    ],
    activation: { type: ActivationType.RELU },
    convIsOutput: true,
    layers: ['CONVOLUTION', 'ELEMENTWISE', 'ELEMENTWISE', 'ACTIVATION'],
    constants: 2,
  },
];

describe('conv fusions (BatchNorm folding, fused activation)', () => {
  // Tolerance: FLOAT defaults x4 (convScale). HALF/BF16: defaults x4 — the unfused network
  // rounds the conv output and each elementwise result to the storage type (up to 3 extra
  // roundings of 1/2 ulp) while the fused conv rounds once, and the reference (double, no
  // intermediate rounding) sits between the two; 4x the 2-ulp default covers both forms.
  for (const [ci, f] of fusionCases.entries()) {
    for (const dtype of floatTypes) {
      it(`${f.name} ${typeName(dtype)}`, async () => {
        const s = f.conv;
        const seed = 4000 + 50 * ci;
        const kernel = randomF32(kernelCount(s), seed + 1);
        const bias = s.bias ? randomF32(s.K, seed + 2) : undefined;
        // Constants in the network's type (ElementWise needs equal types); the reference uses
        // the stored (rounded) values. Scales in [0.5, 1.5), shifts in [-0.5, 0.5).
        const consts = f.chain.map((c, j) => {
          const n = c.constDims.reduce((a, b) => a * b, 1);
          const values = c.op === ElementWiseOperation.PROD ? randomF32(n, seed + 10 + j, 0.5, 1.5) : randomF32(n, seed + 10 + j, -0.5, 0.5);
          return { ...c, w: makeWeights(values, dtype) };
        });
        const x = asStored(randomRef(s.x, seed), dtype);
        const act = f.activation;

        const engine = await buildEngine((net) => {
          const xt = net.addInput('x', dtype, s.x);
          const conv = f.op === 'conv' ? net.addConvolutionNd(xt, s.K, s.k, kernel, bias) : net.addDeconvolutionNd(xt, s.K, s.k, kernel, bias);
          applyWindow(conv, s);
          let t = conv.getOutput(0);
          if (f.convIsOutput) {
            t.name = 'convOut';
            net.markOutput(t);
          }
          for (const c of consts) {
            const k = net.addConstant(c.constDims, c.w.weights).getOutput(0);
            t = (c.constFirst ? net.addElementWise(k, t, c.op) : net.addElementWise(t, k, c.op)).getOutput(0);
          }
          if (act) {
            const a = net.addActivation(t, act.type);
            a.alpha = act.alpha ?? 0;
            a.beta = act.beta ?? 0;
            t = a.getOutput(0);
          }
          t.name = 'y';
          net.markOutput(t);
        });
        try {
          // The optimized engine: the expected layers, the activation fused where expected.
          const info = engine.inspect();
          const why = `layers after optimization: ${JSON.stringify(info.layers.map((l) => l.type))} (passes: ${info.passes.join('; ')})`;
          expect(
            info.layers.filter((l) => l.type !== 'CONSTANT').map((l) => l.type),
            why,
          ).toEqual(f.layers);
          expect(info.layers.filter((l) => l.type === 'CONSTANT').length, why).toBe(f.constants);
          const convLayer = info.layers.find((l) => l.type === 'CONVOLUTION' || l.type === 'DECONVOLUTION')!;
          if (f.fusedActivation === undefined) expect(convLayer.fusedActivation ?? -1).toBe(-1);
          else expect(convLayer.fusedActivation).toBe(f.fusedActivation);

          // Numerics: the reference composition conv -> elementwise chain -> activation.
          const out = await runEngine(engine, { x: { ref: x, dtype } });
          const p = refParams(s, kernel, bias);
          const convRef = f.op === 'conv' ? R.convolution(x, p) : R.deconvolution(x, p);
          let want = convRef;
          for (const c of consts) {
            const k = R.ref(c.constDims, c.w.values);
            want = c.constFirst ? R.elementWise(k, want, { op: c.op }) : R.elementWise(want, k, { op: c.op });
          }
          if (act) want = R.activation(want, { type: act.type, alpha: act.alpha ?? 0, beta: act.beta ?? 0 });
          expectClose(out['y']!, want, dtype, 4, 'y');
          if (f.convIsOutput) expectClose(out['convOut']!, convRef, dtype, 4, 'convOut');
        } finally {
          engine.dispose();
        }
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Kernel and bias as tensors

describe('kernel and bias given as tensors (inputs 1 and 2)', () => {
  // Tolerance: as CONVOLUTION (convScale).
  for (const op of ['conv', 'deconv'] as const) {
    for (const dtype of floatTypes) {
      it(`${op === 'conv' ? 'CONVOLUTION' : 'DECONVOLUTION'}: empty Weights, setInput(1, constant kernel), setInput(2, constant bias) ${typeName(dtype)}`, async () => {
        const s: ConvSpec =
          op === 'conv'
            ? { name: '', x: [2, 4, 6, 7], K: 6, k: [3, 2], stride: [2, 1], pre: [1, 0], post: [0, 1], groups: 2, bias: true }
            : { name: '', x: [2, 4, 3, 4], K: 6, k: [3, 2], stride: [2, 2], pre: [1, 0], post: [0, 1], groups: 2, bias: true };
        const seed = op === 'conv' ? 6000 : 6100;
        // Kernel/bias tensors must have the input's type (or FLOAT): use the network's type.
        const kernel = makeWeights(randomF32(kernelCount(s), seed + 1), dtype);
        const bias = makeWeights(randomF32(s.K, seed + 2), dtype);
        const kernelDims = op === 'conv' ? [s.K, s.x[1]! / s.groups!, ...s.k] : [s.x[1]!, s.K / s.groups!, ...s.k];
        await checkLayer({
          inputs: { x: { ref: randomRef(s.x, seed), dtype } },
          define: (net, { x }) => {
            const layer =
              op === 'conv' ? net.addConvolutionNd(x!, s.K, s.k, Weights.empty()) : net.addDeconvolutionNd(x!, s.K, s.k, Weights.empty());
            applyWindow(layer, s);
            layer.setInput(1, net.addConstant(kernelDims, kernel.weights).getOutput(0));
            layer.setInput(2, net.addConstant([s.K], bias.weights).getOutput(0));
            return layer.getOutput(0);
          },
          reference: ({ x }) => {
            const p = refParams(s, kernel.values, bias.values);
            return op === 'conv' ? R.convolution(x!, p) : R.deconvolution(x!, p);
          },
          toleranceScale: convScale(dtype),
        });
      });
    }
  }

  it('a kernel from a network input (not a constant) is read at run time', async () => {
    const s: ConvSpec = { name: '', x: [1, 3, 5, 6], K: 2, k: [2, 3], padding: [1, 1] };
    await checkLayer({
      inputs: {
        x: { ref: randomRef(s.x, 6200), dtype: DataType.FLOAT },
        w: { ref: randomRef([2, 3, 2, 3], 6201), dtype: DataType.FLOAT },
      },
      define: (net, { x, w }) => {
        const layer = net.addConvolutionNd(x!, s.K, s.k, Weights.empty());
        applyWindow(layer, s);
        layer.setInput(1, w!);
        return layer.getOutput(0);
      },
      reference: ({ x, w }) => R.convolution(x!, refParams(s, w!.data, undefined)),
      toleranceScale: convScale(DataType.FLOAT),
    });
  });
});

// ---------------------------------------------------------------------------------------------
// BAD CALL

/**
 * Defines the network and builds it: the TrtError must come from the definition (shape
 * inference at add time) or, for settings changed after the add, from the build; either way it
 * must be INVALID_ARGUMENT and name the layer.
 */
async function expectInvalid(define: (net: trt.NetworkDefinition) => void, message: RegExp): Promise<void> {
  const caught = await errorFromDefineOrBuild(define);
  expect(caught, 'expected a TrtError').toBeInstanceOf(trt.TrtError);
  expect((caught as trt.TrtError).code, (caught as Error).message).toBe('INVALID_ARGUMENT');
  expect((caught as Error).message).toMatch(message);
}

describe('BAD CALL', () => {
  it('CONVOLUTION: kernel weight count mismatch (at add time, naming the layer)', async () => {
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 3, 8, 8]);
      net.addConvolutionNd(x, 4, [3, 3], new Float32Array(4 * 3 * 9 - 1));
    }, /CONVOLUTION.*kernel weights have 107 values/);
  });

  it('DECONVOLUTION: kernel weight count mismatch', async () => {
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 4, 5, 5]);
      net.addDeconvolutionNd(x, 6, [2, 2], new Float32Array(4 * 6 * 4 - 1));
    }, /DECONVOLUTION.*kernel weights have 95 values/);
  });

  it('CONVOLUTION: kernel weights sized for numGroups 2 while numGroups stays 1 (reported by the build)', async () => {
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 4, 5, 5]);
      const conv = net.addConvolutionNd(x, 6, [3, 3], new Float32Array(6 * 2 * 9)); // accepted at add time: numGroups may follow
      conv.name = 'ungrouped';
      net.markOutput(conv.getOutput(0));
    }, /ungrouped.*kernel weights have 108 values but numOutputMaps\*C\/numGroups\*prod\(kernelSizeNd\) = 6\*4\/1\*9 = 216/);
  });

  it('CONVOLUTION: empty kernel weights and no kernel tensor set (reported by the build)', async () => {
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 4, 5, 5]);
      const conv = net.addConvolutionNd(x, 6, [3, 3], Weights.empty()); // accepted at add time: setInput(1) may follow
      conv.name = 'noKernel';
      net.markOutput(conv.getOutput(0));
    }, /noKernel.*kernel weights are empty and no kernel tensor is given as input 1/);
  });

  it('CONVOLUTION: input channels not divisible by numGroups (reported by the build, naming the layer)', async () => {
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 6, 8, 8]);
      const conv = net.addConvolutionNd(x, 4, [3, 3], new Float32Array(4 * 6 * 9));
      conv.name = 'groupedConv';
      conv.numGroups = 4;
      net.markOutput(conv.getOutput(0));
    }, /groupedConv.*not divisible by numGroups 4/);
  });

  it('CONVOLUTION: channel counts so large that the kernel size overflows 64 bits give the count error', async () => {
    // Malformed models carry such dims; the check must not overflow (UBSan runs catch it).
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 2 ** 62, 8, 8]);
      const conv = net.addConvolutionNd(x, 9, [3, 3], new Float32Array(81));
      net.markOutput(conv.getOutput(0));
    }, /kernel weights have 81 values/);
  });

  it('DECONVOLUTION: input channels not divisible by numGroups', async () => {
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 3, 4, 4]);
      const deconv = net.addDeconvolutionNd(x, 4, [2, 2], new Float32Array(3 * 4 * 4));
      deconv.name = 'groupedDeconv';
      deconv.numGroups = 2;
      net.markOutput(deconv.getOutput(0));
    }, /groupedDeconv.*not divisible by numGroups 2/);
  });

  it('CONVOLUTION: kernel larger than the padded input', async () => {
    // Accepted at add time (padding set later could fix it, as in TensorRT); the build reports it.
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 2, 4, 6]);
      net.markOutput(net.addConvolutionNd(x, 2, [5, 3], new Float32Array(2 * 2 * 15)).getOutput(0));
    }, /CONVOLUTION.*padded input size 4.*smaller than the window size 5/);
    // padding set after the add is not enough either (4 + 0 + 0 < dilated 1 + 2*2)
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 2, 4, 6]);
      const conv = net.addConvolutionNd(x, 2, [3, 3], new Float32Array(2 * 2 * 9));
      conv.name = 'dilatedConv';
      conv.dilationNd = [2, 1];
      conv.prePadding = [0, 0];
      net.markOutput(conv.getOutput(0));
    }, /dilatedConv.*smaller than the dilated window size 5/);
  });

  it('POOLING: window larger than the padded input', async () => {
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 2, 3, 6]);
      const pool = net.addPoolingNd(x, PoolingType.MAX, [2, 2]);
      pool.name = 'bigPool';
      pool.windowSizeNd = [5, 2];
      pool.prePadding = [1, 0];
      net.markOutput(pool.getOutput(0));
    }, /bigPool.*padded input size 4.*smaller than the window size 5/);
  });

  it('a window larger than the input is accepted at add time when padding set afterwards makes it fit', async () => {
    const x = { dims: [1, 1, 2, 2], data: Float64Array.from([1, -2, 3, 0.5]) };
    const outputs = await runNetwork(
      (net) => {
        const input = net.addInput('x', DataType.FLOAT, [1, 1, 2, 2]);
        const conv = net.addConvolutionNd(input, 1, [3, 3], new Float32Array(9).fill(1));
        expect(conv.getOutput(0).shape).toEqual([1, 1, -1, -1]);
        conv.paddingNd = [1, 1];
        const pool = net.addPoolingNd(input, PoolingType.MAX, [3, 3]);
        pool.paddingNd = [1, 1];
        conv.getOutput(0).name = 'conv';
        pool.getOutput(0).name = 'pool';
        net.markOutput(conv.getOutput(0));
        net.markOutput(pool.getOutput(0));
      },
      { x: { ref: x } },
    );
    // Every 3x3 window over the 1-padded 2x2 input covers all four values.
    expect(outputs.byName['conv']).toEqual({ dims: [1, 1, 2, 2], data: Float64Array.from([2.5, 2.5, 2.5, 2.5]) });
    expect(outputs.byName['pool']).toEqual({ dims: [1, 1, 2, 2], data: Float64Array.from([3, 3, 3, 3]) });
  });

  it('CONVOLUTION and DECONVOLUTION: wrong input rank', async () => {
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [3, 8, 8]);
      net.addConvolutionNd(x, 2, [3, 3], new Float32Array(2 * 3 * 9));
    }, /CONVOLUTION.*rank 3.*needs rank 4/);
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 2, 3, 8, 8]);
      net.addDeconvolutionNd(x, 2, [3, 3], new Float32Array(2 * 2 * 9));
    }, /DECONVOLUTION.*rank 5.*needs rank 4/);
  });

  it('POOLING: window of the wrong rank', async () => {
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 2, 8, 8]);
      net.addPoolingNd(x, PoolingType.MAX, [2, 2, 2]);
    }, /POOLING.*needs rank 5/);
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 1, 2, 8, 8, 8]);
      net.addPoolingNd(x, PoolingType.AVERAGE, [2, 2, 2, 2]);
    }, /POOLING.*1, 2 or 3 spatial dimensions/);
    // strideNd of the wrong rank, set after the add
    await expectInvalid((net) => {
      const x = net.addInput('x', DataType.FLOAT, [1, 2, 8, 8]);
      const pool = net.addPoolingNd(x, PoolingType.MAX, [2, 2]);
      pool.name = 'strided';
      pool.strideNd = [2, 2, 2];
      net.markOutput(pool.getOutput(0));
    }, /strided.*strideNd has 3 values/);
  });
});
