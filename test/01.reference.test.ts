/**
 * Sanity tests of the numerical references (test/reference) against small hand-computed values.
 * Expected values are written out literally (worked by hand, transcendental constants from an
 * independent double-precision evaluation), never produced by the functions under test.
 */
import { describe, it, expect } from 'vitest';
import {
  type Ref,
  ref,
  scalar,
  size,
  strides,
  unravel,
  offset,
  broadcastDims,
  transpose,
  fromTyped,
  roundHalfEven,
  roundToHalf,
  roundToBF16,
  roundToFloat,
  wrapInt32,
  wrapInt8,
  storeAs,
  compareClose,
  DataType,
  ActivationType,
  PaddingMode,
  PoolingType,
  ScaleMode,
  ElementWiseOperation as EW,
  GatherMode,
  UnaryOperation as U,
  ReduceOperation,
  SampleMode,
  TopKOperation,
  MatrixOperation,
  InterpolationMode,
  ResizeCoordinateTransformation as CT,
  ResizeSelector,
  ResizeRoundMode,
  FillOperation,
  erf,
  convGeometry,
  deconvGeometry,
  convolution,
  deconvolution,
  pooling,
  activation,
  elementWise,
  unary,
  matrixMultiply,
  shuffle,
  concatenation,
  softMax,
  reduce,
  scale,
  slice,
  gather,
  normalization,
  select,
  resize,
  topK,
  shape,
  padding,
  fill,
  checkRandomFill,
  quantize,
  dequantize,
  parametricReLU,
  lrn,
  cast,
  cubicWeight,
} from './reference';

/** Assert dims and values (|a-e| <= atol + rtol*|e|; NaN matches NaN; -0 == 0). */
function expectRef(actual: Ref, dims: number[], values: number[], atol = 1e-12, rtol = 1e-12): void {
  expect(actual.dims).toEqual(dims);
  const r = compareClose(actual, ref(dims, values), { atol, rtol });
  expect(r.ok, r.message).toBe(true);
}

const iota = (n: number, start = 0): number[] => Array.from({ length: n }, (_v, i) => start + i);

describe('ndarray helpers', () => {
  it('indexing, strides, broadcast, transpose', () => {
    expect(size([2, 3, 4])).toBe(24);
    expect(size([])).toBe(1);
    expect(strides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(unravel(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(offset([2, 3, 4], [1, 0, 2])).toBe(14);
    expect(broadcastDims([2, 1, 3], [1, 4, 3])).toEqual([2, 4, 3]);
    expect(() => broadcastDims([2, 3], [3])).toThrow();
    expect(() => broadcastDims([2, 3], [3, 3])).toThrow();
    // [[0,1,2],[3,4,5]]^T
    expectRef(transpose(ref([2, 3], iota(6)), [1, 0]), [3, 2], [0, 3, 1, 4, 2, 5]);
    expectRef(fromTyped([3], new BigInt64Array([1n, -2n, 3n])), [3], [1, -2, 3]);
    expectRef(fromTyped([2], [true, false]), [2], [1, 0]);
  });

  it('compareClose detects mismatches', () => {
    expect(compareClose(ref([2], [1, 2]), ref([2], [1, 2.1])).ok).toBe(false);
    expect(compareClose(ref([2], [1, 2]), ref([1, 2], [1, 2])).ok).toBe(false);
    expect(compareClose([1, NaN], ref([2], [1, 2])).ok).toBe(false);
    expect(compareClose([1, Infinity], ref([2], [1, -Infinity])).ok).toBe(false);
    expect(compareClose(new Float32Array([0.1, NaN]), ref([2], [0.1, NaN]), { rtol: 1e-6 }).ok).toBe(true);
    expect(compareClose(new BigInt64Array([3n]), ref([1], [3])).ok).toBe(true);
  });

  it('round half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, -2, 2, 3, -3]);
  });

  it('fp16 rounding (RNE, subnormals, overflow)', () => {
    expect(roundToHalf(1 + Math.pow(2, -11))).toBe(1); // tie → even
    expect(roundToHalf(1 + 3 * Math.pow(2, -11))).toBe(1 + Math.pow(2, -9)); // tie → even (up)
    expect(roundToHalf(1 + 1.1 * Math.pow(2, -11))).toBe(1 + Math.pow(2, -10));
    expect(roundToHalf(0.1)).toBe(0.0999755859375);
    expect(roundToHalf(65504)).toBe(65504);
    expect(roundToHalf(65519)).toBe(65504);
    expect(roundToHalf(65520)).toBe(Infinity);
    expect(roundToHalf(-70000)).toBe(-Infinity);
    expect(roundToHalf(Math.pow(2, -24))).toBe(Math.pow(2, -24)); // smallest subnormal
    expect(roundToHalf(Math.pow(2, -25))).toBe(0); // tie → even (0)
    expect(roundToHalf(1.5 * Math.pow(2, -25))).toBe(Math.pow(2, -24));
    expect(roundToHalf(3 * Math.pow(2, -25))).toBe(Math.pow(2, -23)); // 1.5 ulp → 2 ulp
    expect(roundToHalf(2049)).toBe(2048); // ulp 2 above 2048: tie → even
    expect(roundToHalf(2051)).toBe(2052);
    expect(Number.isNaN(roundToHalf(NaN))).toBe(true);
  });

  it('bf16 and fp32 rounding', () => {
    expect(roundToBF16(1 + Math.pow(2, -8))).toBe(1);
    expect(roundToBF16(1 + 3 * Math.pow(2, -8))).toBe(1 + Math.pow(2, -6));
    expect(roundToBF16(Math.PI)).toBe(3.140625);
    expect(roundToBF16(-Math.PI)).toBe(-3.140625);
    expect(roundToBF16(65504)).toBe(65536); // ulp 256 above 32768
    expect(roundToBF16(3e38)).toBe(3.00405527047391e38);
    expect(roundToBF16(1e39)).toBe(Infinity);
    expect(roundToFloat(16777217)).toBe(16777216);
    expect(roundToFloat(0.1)).toBe(0.10000000149011612);
  });

  it('integer storage', () => {
    expect(wrapInt32(2147483648)).toBe(-2147483648);
    expect(wrapInt32(-2147483649)).toBe(2147483647);
    expect(wrapInt8(200)).toBe(-56);
    expect(wrapInt8(-129)).toBe(127);
    expect(storeAs(-2.7, DataType.INT32)).toBe(-2);
    expect(storeAs(5, DataType.BOOL)).toBe(1);
    expect(storeAs(0.1, DataType.HALF)).toBe(0.0999755859375);
  });

  it('erf', () => {
    const xs = [0.5, 1, 2, 3, -1.5, 4.5, 0.01, 0];
    const want = [
      0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999779095030014, -0.9661051464753108,
      0.9999999998033839, 0.011283415555849616, 0,
    ];
    xs.forEach((x, i) => expect(Math.abs(erf(x) - want[i])).toBeLessThan(2e-16 * 8));
    expect(erf(10)).toBe(1);
    expect(erf(-10)).toBe(-1);
  });
});

describe('convolution', () => {
  it('output-size formulas (NvInfer.h examples)', () => {
    // Pooling example 1: I=6, B=3, A=2, S=2, F=3 → O=5 for both explicit modes
    expect(convGeometry(6, 3, 2, 1, 3, 2, PaddingMode.EXPLICIT_ROUND_DOWN).out).toBe(5);
    expect(convGeometry(6, 3, 2, 1, 3, 2, PaddingMode.EXPLICIT_ROUND_UP).out).toBe(5);
    expect(convGeometry(6, 3, 2, 1, 0, 0, PaddingMode.SAME_UPPER)).toEqual({ out: 3, pre: 0, post: 1 });
    expect(convGeometry(6, 3, 2, 1, 0, 0, PaddingMode.SAME_LOWER)).toEqual({ out: 3, pre: 1, post: 0 });
    // ROUND_DOWN floor vs ROUND_UP ceil: in 5, k 2, s 2 → (5-2)/2 = 1.5
    expect(convGeometry(5, 2, 2, 1, 0, 0, PaddingMode.EXPLICIT_ROUND_DOWN).out).toBe(2);
    expect(convGeometry(5, 2, 2, 1, 0, 0, PaddingMode.EXPLICIT_ROUND_UP).out).toBe(3);
    // dilation: DK = 2*(3-1)+1 = 5; (7 + 1 + 1 - 5)/1 + 1 = 5
    expect(convGeometry(7, 3, 1, 2, 1, 1, PaddingMode.EXPLICIT_ROUND_DOWN).out).toBe(5);
    // SAME with stride 1 and k=1 → no padding (max(0, ...))
    expect(convGeometry(6, 1, 2, 1, 0, 0, PaddingMode.SAME_LOWER)).toEqual({ out: 3, pre: 0, post: 0 });
    // SAME with dilation: in 5, k 3, d 2 → DK 5, out 5, P = 4 → 2/2
    expect(convGeometry(5, 3, 1, 2, 0, 0, PaddingMode.SAME_UPPER)).toEqual({ out: 5, pre: 2, post: 2 });
    // deconvolution
    expect(deconvGeometry(2, 2, 2, 1, 0, 0, PaddingMode.EXPLICIT_ROUND_DOWN).out).toBe(4);
    expect(deconvGeometry(2, 3, 2, 1, 0, 0, PaddingMode.SAME_UPPER)).toEqual({ out: 4, pre: 0, post: 1 });
    expect(deconvGeometry(2, 3, 2, 1, 0, 0, PaddingMode.SAME_LOWER)).toEqual({ out: 4, pre: 1, post: 0 });
    expect(deconvGeometry(3, 1, 2, 1, 0, 0, PaddingMode.SAME_UPPER)).toEqual({ out: 5, pre: 0, post: 0 });
  });

  it('2-D basic, bias, stride, padding', () => {
    const x = ref([1, 1, 3, 3], iota(9, 1));
    expectRef(convolution(x, { kernelSizeNd: [2, 2], kernel: [1, 1, 1, 1] }), [1, 1, 2, 2], [12, 16, 24, 28]);
    expectRef(
      convolution(x, { kernelSizeNd: [2, 2], kernel: [1, 1, 1, 1], bias: [1], strideNd: [2, 2], paddingNd: [1, 1] }),
      [1, 1, 2, 2],
      [2, 6, 12, 29],
    );
    // asymmetric kernel checks orientation (cross-correlation, no flip): w = [[1,10],[100,1000]]
    expectRef(
      convolution(x, { kernelSizeNd: [2, 2], kernel: [1, 10, 100, 1000] }),
      [1, 1, 2, 2],
      [1 + 20 + 400 + 5000, 2 + 30 + 500 + 6000, 4 + 50 + 700 + 8000, 5 + 60 + 800 + 9000],
    );
    // pre/post explicit: pre [0,1], post [0,0], 1x2 kernel [1,10] on row-vector [1,2,3]
    expectRef(
      convolution(ref([1, 1, 1, 3], [1, 2, 3]), { kernelSizeNd: [1, 2], kernel: [1, 10], prePadding: [0, 1], postPadding: [0, 0] }),
      [1, 1, 1, 3],
      [10, 21, 32],
    );
  });

  it('1-D padding modes', () => {
    const x = ref([1, 1, 3], [1, 2, 3]);
    expectRef(convolution(x, { kernelSizeNd: [2], kernel: [1, 1], strideNd: [2] }), [1, 1, 1], [3]);
    expectRef(
      convolution(x, { kernelSizeNd: [2], kernel: [1, 1], strideNd: [2], paddingMode: PaddingMode.EXPLICIT_ROUND_UP }),
      [1, 1, 2],
      [3, 3],
    );
    const x4 = ref([1, 1, 4], [1, 2, 3, 4]);
    expectRef(
      convolution(x4, { kernelSizeNd: [2], kernel: [1, 10], paddingMode: PaddingMode.SAME_UPPER }),
      [1, 1, 4],
      [21, 32, 43, 4],
    );
    expectRef(
      convolution(x4, { kernelSizeNd: [2], kernel: [1, 10], paddingMode: PaddingMode.SAME_LOWER }),
      [1, 1, 4],
      [10, 21, 32, 43],
    );
    const x6 = ref([1, 1, 6], iota(6, 1));
    expectRef(
      convolution(x6, { kernelSizeNd: [3], kernel: [1, 1, 1], strideNd: [2], paddingMode: PaddingMode.SAME_UPPER }),
      [1, 1, 3],
      [6, 12, 11],
    );
    expectRef(
      convolution(x6, { kernelSizeNd: [3], kernel: [1, 1, 1], strideNd: [2], paddingMode: PaddingMode.SAME_LOWER }),
      [1, 1, 3],
      [3, 9, 15],
    );
    // paddingMode takes precedence over explicit padding
    expectRef(
      convolution(x6, { kernelSizeNd: [3], kernel: [1, 1, 1], strideNd: [2], paddingNd: [5], paddingMode: PaddingMode.SAME_LOWER }),
      [1, 1, 3],
      [3, 9, 15],
    );
  });

  it('dilation, groups, channels, 3-D', () => {
    expectRef(
      convolution(ref([1, 1, 5], iota(5, 1)), { kernelSizeNd: [2], kernel: [1, 10], dilationNd: [2] }),
      [1, 1, 3],
      [31, 42, 53],
    );
    const x = ref([1, 2, 2], [1, 2, 3, 4]); // ch0 [1,2], ch1 [3,4]
    expectRef(convolution(x, { kernelSizeNd: [1], kernel: [10, 100], numGroups: 2 }), [1, 2, 2], [10, 20, 300, 400]);
    expectRef(convolution(x, { kernelSizeNd: [1], kernel: [1, 1, 1, -1] }), [1, 2, 2], [4, 6, -2, -2]);
    // groups=2, C=4, K=2: out0 = ch0 + 2*ch1, out1 = 3*ch2 + 4*ch3
    const x4 = ref([1, 4, 1], [1, 10, 100, 1000]);
    expectRef(convolution(x4, { kernelSizeNd: [1], kernel: [1, 2, 3, 4], numGroups: 2 }), [1, 2, 1], [21, 4300]);
    expectRef(convolution(ref([1, 1, 2, 2, 2], iota(8, 1)), { kernelSizeNd: [2, 2, 2], kernel: new Array<number>(8).fill(1) }), [1, 1, 1, 1, 1], [36]);
    // batch of 2
    expectRef(convolution(ref([2, 1, 2], [1, 2, 3, 4]), { kernelSizeNd: [2], kernel: [1, 10], bias: [0.5] }), [2, 1, 1], [21.5, 43.5]);
  });
});

describe('deconvolution', () => {
  it('1-D stride, padding, SAME modes, dilation', () => {
    const x = ref([1, 1, 2], [1, 2]);
    expectRef(deconvolution(x, { kernelSizeNd: [2], kernel: [1, 10] }), [1, 1, 3], [1, 12, 20]);
    expectRef(deconvolution(x, { kernelSizeNd: [2], kernel: [1, 10], strideNd: [2] }), [1, 1, 4], [1, 10, 2, 20]);
    expectRef(
      deconvolution(x, { kernelSizeNd: [2], kernel: [1, 10], strideNd: [2], prePadding: [1], postPadding: [0] }),
      [1, 1, 3],
      [10, 2, 20],
    );
    // full = [1, 10, 102, 20, 200]
    expectRef(
      deconvolution(x, { kernelSizeNd: [3], kernel: [1, 10, 100], strideNd: [2], paddingMode: PaddingMode.SAME_UPPER }),
      [1, 1, 4],
      [1, 10, 102, 20],
    );
    expectRef(
      deconvolution(x, { kernelSizeNd: [3], kernel: [1, 10, 100], strideNd: [2], paddingMode: PaddingMode.SAME_LOWER }),
      [1, 1, 4],
      [10, 102, 20, 200],
    );
    expectRef(deconvolution(x, { kernelSizeNd: [2], kernel: [1, 10], dilationNd: [2] }), [1, 1, 4], [1, 2, 10, 20]);
  });

  it('groups, channels, bias, 2-D', () => {
    // groups: kernel [C=2, K/g=1, 1]
    expectRef(deconvolution(ref([1, 2, 1], [1, 2]), { kernelSizeNd: [1], kernel: [3, 5], numGroups: 2, bias: [1, 1] }), [1, 2, 1], [4, 11]);
    // no groups, C=2, K=2: kernel [C, K, 1] = [[1,2],[3,4]] → out_k = sum_c x_c * w[c,k]
    expectRef(deconvolution(ref([1, 2, 1], [1, 10]), { kernelSizeNd: [1], kernel: [1, 2, 3, 4] }), [1, 2, 1], [31, 42]);
    expectRef(
      deconvolution(ref([1, 1, 2, 2], [1, 2, 3, 4]), { kernelSizeNd: [2, 2], kernel: [1, 1, 1, 1], strideNd: [2, 2] }),
      [1, 1, 4, 4],
      [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4],
    );
    // 2-D overlap: kernel [[1,2],[3,4]] stride 1 on [[1,0],[0,1]] → full 3x3
    expectRef(
      deconvolution(ref([1, 1, 2, 2], [1, 0, 0, 1]), { kernelSizeNd: [2, 2], kernel: [1, 2, 3, 4] }),
      [1, 1, 3, 3],
      [1, 2, 0, 3, 4 + 1, 2, 0, 3, 4],
    );
  });
});

describe('pooling', () => {
  const x16 = ref([1, 1, 4, 4], iota(16, 1));
  it('max/avg with stride = window; the default stride is 1 (TensorRT)', () => {
    expectRef(pooling(x16, { type: PoolingType.MAX, windowSizeNd: [2, 2], strideNd: [2, 2] }), [1, 1, 2, 2], [6, 8, 14, 16]);
    expectRef(pooling(x16, { type: PoolingType.AVERAGE, windowSizeNd: [2, 2], strideNd: [2, 2] }), [1, 1, 2, 2], [3.5, 5.5, 11.5, 13.5]);
    expectRef(pooling(x16, { type: PoolingType.MAX, windowSizeNd: [2, 2] }), [1, 1, 3, 3], [6, 7, 8, 10, 11, 12, 14, 15, 16]);
    expectRef(
      pooling(x16, { type: PoolingType.MAX, windowSizeNd: [2, 2], strideNd: [1, 1] }),
      [1, 1, 3, 3],
      [6, 7, 8, 10, 11, 12, 14, 15, 16],
    );
    expectRef(
      pooling(x16, { type: PoolingType.MAX_AVERAGE_BLEND, windowSizeNd: [2, 2], strideNd: [2, 2], blendFactor: 0.25 }),
      [1, 1, 2, 2],
      [0.75 * 6 + 0.25 * 3.5, 0.75 * 8 + 0.25 * 5.5, 0.75 * 14 + 0.25 * 11.5, 0.75 * 16 + 0.25 * 13.5],
    );
  });

  it('average with padding: count excludes / includes padding', () => {
    const x = ref([1, 1, 3, 3], iota(9, 1));
    const p = { type: PoolingType.AVERAGE, windowSizeNd: [3, 3], strideNd: [1, 1], paddingNd: [1, 1] };
    expectRef(pooling(x, p), [1, 1, 3, 3], [12 / 4, 21 / 6, 16 / 4, 27 / 6, 45 / 9, 33 / 6, 24 / 4, 39 / 6, 28 / 4]);
    expectRef(
      pooling(x, { ...p, averageCountExcludesPadding: false }),
      [1, 1, 3, 3],
      [12 / 9, 21 / 9, 16 / 9, 27 / 9, 45 / 9, 33 / 9, 24 / 9, 39 / 9, 28 / 9],
    );
    // padding never contributes to max
    const neg = ref([1, 1, 2, 2], [-1, -2, -3, -4]);
    expectRef(
      pooling(neg, { type: PoolingType.MAX, windowSizeNd: [2, 2], strideNd: [1, 1], paddingNd: [1, 1] }),
      [1, 1, 3, 3],
      [-1, -1, -2, -1, -1, -2, -3, -3, -4],
    );
  });

  it('1-D round up / SAME modes, 3-D', () => {
    const x5 = ref([1, 1, 5], iota(5, 1));
    expectRef(pooling(x5, { type: PoolingType.AVERAGE, windowSizeNd: [2], strideNd: [2] }), [1, 1, 2], [1.5, 3.5]);
    const up = { windowSizeNd: [2], strideNd: [2], paddingMode: PaddingMode.EXPLICIT_ROUND_UP };
    expectRef(pooling(x5, { ...up, type: PoolingType.MAX }), [1, 1, 3], [2, 4, 5]);
    expectRef(pooling(x5, { ...up, type: PoolingType.AVERAGE }), [1, 1, 3], [1.5, 3.5, 5]);
    // cells beyond the padded input (round-up overhang) are not counted even when including padding
    expectRef(pooling(x5, { ...up, type: PoolingType.AVERAGE, averageCountExcludesPadding: false }), [1, 1, 3], [1.5, 3.5, 5]);
    const x6 = ref([1, 1, 6], iota(6, 1));
    const same = { windowSizeNd: [3], strideNd: [2] };
    expectRef(pooling(x6, { ...same, type: PoolingType.MAX, paddingMode: PaddingMode.SAME_UPPER }), [1, 1, 3], [3, 5, 6]);
    expectRef(pooling(x6, { ...same, type: PoolingType.MAX, paddingMode: PaddingMode.SAME_LOWER }), [1, 1, 3], [2, 4, 6]);
    expectRef(pooling(x6, { ...same, type: PoolingType.AVERAGE, paddingMode: PaddingMode.SAME_UPPER }), [1, 1, 3], [2, 4, 5.5]);
    expectRef(pooling(x6, { ...same, type: PoolingType.AVERAGE, paddingMode: PaddingMode.SAME_LOWER }), [1, 1, 3], [1.5, 3, 5]);
    expectRef(
      pooling(x6, { ...same, type: PoolingType.AVERAGE, paddingMode: PaddingMode.SAME_UPPER, averageCountExcludesPadding: false }),
      [1, 1, 3],
      [2, 4, 11 / 3],
    );
    expectRef(
      pooling(x6, { ...same, type: PoolingType.AVERAGE, paddingMode: PaddingMode.SAME_LOWER, averageCountExcludesPadding: 0 }),
      [1, 1, 3],
      [1, 3, 5],
    );
    expectRef(pooling(ref([1, 1, 2, 2, 2], iota(8, 1)), { type: PoolingType.MAX, windowSizeNd: [2, 2, 2], strideNd: [2, 2, 2] }), [1, 1, 1, 1, 1], [8]);
    expectRef(pooling(ref([1, 1, 2, 2, 2], iota(8, 1)), { type: PoolingType.AVERAGE, windowSizeNd: [2, 2, 2], strideNd: [2, 2, 2] }), [1, 1, 1, 1, 1], [4.5]);
  });
});

describe('activation', () => {
  const x = ref([5], [-2, -0.5, 0, 1, 3]);
  const act = (type: number, alpha?: number, beta?: number): Ref => activation(x, { type, alpha, beta });
  it('all 14 types', () => {
    expectRef(act(ActivationType.RELU), [5], [0, 0, 0, 1, 3]);
    expectRef(act(ActivationType.SIGMOID), [5], [0.11920292202211755, 0.3775406687981454, 0.5, 0.7310585786300049, 0.9525741268224334]);
    expectRef(act(ActivationType.TANH), [5], [-0.9640275800758169, -0.46211715726000974, 0, 0.7615941559557649, 0.9950547536867305]);
    expectRef(act(ActivationType.LEAKY_RELU, 0.1), [5], [-0.2, -0.05, 0, 1, 3]);
    expectRef(act(ActivationType.ELU, 1), [5], [-0.8646647167633873, -0.3934693402873666, 0, 1, 3]);
    expectRef(act(ActivationType.ELU, 2), [5], [2 * -0.8646647167633873, 2 * -0.3934693402873666, 0, 1, 3]);
    expectRef(act(ActivationType.SELU, 1.6733, 1.0507), [5], [-1.520198434517577, -0.691772734030965, 0, 1.0507, 3 * 1.0507]);
    expectRef(act(ActivationType.SOFTSIGN), [5], [-2 / 3, -1 / 3, 0, 0.5, 0.75]);
    expectRef(activation(ref([2], [0, 1]), { type: ActivationType.SOFTPLUS, alpha: 1, beta: 1 }), [2], [0.6931471805599453, 1.3132616875182228]);
    expectRef(activation(ref([1], [1]), { type: ActivationType.SOFTPLUS, alpha: 2, beta: 3 }), [1], [6.097174703147484]);
    expectRef(act(ActivationType.CLIP, -1, 2), [5], [-1, -0.5, 0, 1, 2]);
    expectRef(act(ActivationType.HARD_SIGMOID, 0.2, 0.5), [5], [0.1, 0.4, 0.5, 0.7, 1]);
    expectRef(act(ActivationType.SCALED_TANH, 2, 0.5), [5], [2 * -0.7615941559557649, 2 * -0.24491866240370913, 0, 0.9242343145200195, 2 * 0.9051482536448664]);
    expectRef(act(ActivationType.THRESHOLDED_RELU, 1), [5], [0, 0, 0, 0, 3]);
    expectRef(act(ActivationType.GELU_ERF), [5], [-0.04550026389635842, -0.15426876936299344, 0, 0.8413447460685429, 2.99595030590511], 1e-15);
    expectRef(act(ActivationType.GELU_TANH), [5], [-0.04540230591222494, -0.15428599017485606, 0, 0.8411919906082768, 2.996362607918227], 1e-15);
  });
});

describe('elementwise', () => {
  const a = ref([2, 1], [1, -7]);
  const b = ref([1, 3], [2, 3, -2]);
  const ew = (op: number, isInteger?: boolean): Ref => elementWise(a, b, { op, isInteger });
  it('arithmetic with broadcasting', () => {
    expectRef(ew(EW.SUM), [2, 3], [3, 4, -1, -5, -4, -9]);
    expectRef(ew(EW.SUB), [2, 3], [-1, -2, 3, -9, -10, -5]);
    expectRef(ew(EW.PROD), [2, 3], [2, 3, -2, -14, -21, 14]);
    expectRef(ew(EW.MAX), [2, 3], [2, 3, 1, 2, 3, -2]);
    expectRef(ew(EW.MIN), [2, 3], [1, 1, -2, -7, -7, -7]);
    expectRef(ew(EW.DIV), [2, 3], [0.5, 1 / 3, -0.5, -3.5, -7 / 3, 3.5]);
    expectRef(ew(EW.DIV, true), [2, 3], [0, 0, 0, -3, -2, 3]);
    expectRef(ew(EW.FLOOR_DIV), [2, 3], [0, 0, -1, -4, -3, 3]);
    expectRef(ew(EW.FLOOR_DIV, true), [2, 3], [0, 0, -1, -4, -3, 3]);
    expectRef(ew(EW.POW), [2, 3], [1, 1, 1, 49, -343, 1 / 49]);
  });
  it('comparison and logic → 0/1', () => {
    const p = ref([3], [1, 2, 3]);
    const q = ref([3], [1, 0, 4]);
    expectRef(elementWise(p, q, { op: EW.EQUAL }), [3], [1, 0, 0]);
    expectRef(elementWise(p, q, { op: EW.GREATER }), [3], [0, 1, 0]);
    expectRef(elementWise(p, q, { op: EW.LESS }), [3], [0, 0, 1]);
    const l = ref([4], [0, 0, 1, 1]);
    const r = ref([4], [0, 1, 0, 1]);
    expectRef(elementWise(l, r, { op: EW.AND }), [4], [0, 0, 0, 1]);
    expectRef(elementWise(l, r, { op: EW.OR }), [4], [0, 1, 1, 1]);
    expectRef(elementWise(l, r, { op: EW.XOR }), [4], [0, 1, 1, 0]);
    // 3-D two-way broadcast
    expectRef(elementWise(ref([2, 1, 1], [1, 2]), ref([1, 1, 2], [10, 20]), { op: EW.PROD }), [2, 1, 2], [10, 20, 20, 40]);
    expect(() => elementWise(ref([2], [1, 2]), ref([1, 2], [1, 2]), { op: EW.SUM })).toThrow();
  });
});

describe('unary', () => {
  const un = (op: number, xs: number[]): Ref => unary(ref([xs.length], xs), { op });
  it('all 25 ops', () => {
    expectRef(un(U.EXP, [0, 1]), [2], [1, Math.E]);
    expectRef(un(U.LOG, [1, Math.E]), [2], [0, 1]);
    expectRef(un(U.SQRT, [4, 2]), [2], [2, Math.SQRT2]);
    expectRef(un(U.RECIP, [4, -0.5]), [2], [0.25, -2]);
    expectRef(un(U.ABS, [-3, 2]), [2], [3, 2]);
    expectRef(un(U.NEG, [-3, 2]), [2], [3, -2]);
    expectRef(un(U.SIN, [Math.PI / 2, 0]), [2], [1, 0]);
    expectRef(un(U.COS, [0, Math.PI]), [2], [1, -1]);
    expectRef(un(U.TAN, [Math.PI / 4]), [1], [1], 1e-15);
    expectRef(un(U.SINH, [1]), [1], [1.1752011936438014]);
    expectRef(un(U.COSH, [1]), [1], [1.5430806348152437]);
    expectRef(un(U.ASIN, [1]), [1], [Math.PI / 2]);
    expectRef(un(U.ACOS, [1, 0]), [2], [0, Math.PI / 2]);
    expectRef(un(U.ATAN, [1]), [1], [Math.PI / 4]);
    expectRef(un(U.ASINH, [1]), [1], [0.881373587019543]);
    expectRef(un(U.ACOSH, [2]), [1], [1.3169578969248166]);
    expectRef(un(U.ATANH, [0.5]), [1], [0.5493061443340548]);
    expectRef(un(U.CEIL, [-1.5, 1.2]), [2], [-1, 2]);
    expectRef(un(U.FLOOR, [-1.5, 1.2]), [2], [-2, 1]);
    expectRef(un(U.ERF, [1, -1.5]), [2], [0.8427007929497149, -0.9661051464753108], 1e-15);
    expectRef(un(U.NOT, [0, 1]), [2], [1, 0]);
    expectRef(un(U.SIGN, [-3, 0, 2]), [3], [-1, 0, 1]);
    expectRef(un(U.ROUND, [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6]), [8], [0, 2, 2, 0, -2, -2, 2, 3]);
    expectRef(un(U.ISINF, [Infinity, -Infinity, NaN, 1]), [4], [1, 1, 0, 0]);
    expectRef(un(U.ISNAN, [Infinity, -Infinity, NaN, 1]), [4], [0, 0, 1, 0]);
  });
});

describe('matrixMultiply', () => {
  const A = ref([2, 3], [1, 2, 3, 4, 5, 6]);
  const B = ref([3, 2], [7, 8, 9, 10, 11, 12]);
  it('NONE / TRANSPOSE', () => {
    expectRef(matrixMultiply(A, B), [2, 2], [58, 64, 139, 154]);
    expectRef(matrixMultiply(ref([3, 2], [1, 4, 2, 5, 3, 6]), B, { op0: MatrixOperation.TRANSPOSE }), [2, 2], [58, 64, 139, 154]);
    expectRef(matrixMultiply(A, ref([2, 3], [7, 9, 11, 8, 10, 12]), { op1: MatrixOperation.TRANSPOSE }), [2, 2], [58, 64, 139, 154]);
    expectRef(matrixMultiply(B, A), [3, 3], [39, 54, 69, 49, 68, 87, 59, 82, 105]);
  });
  it('VECTOR', () => {
    expectRef(matrixMultiply(ref([3], [1, 2, 3]), B, { op0: MatrixOperation.VECTOR }), [2], [58, 64]);
    expectRef(matrixMultiply(A, ref([3], [1, 1, 1]), { op1: MatrixOperation.VECTOR }), [2], [6, 15]);
    expectRef(
      matrixMultiply(ref([3], [1, 2, 3]), ref([3], [1, 1, 1]), { op0: MatrixOperation.VECTOR, op1: MatrixOperation.VECTOR }),
      [],
      [6],
    );
    // batch of vectors [2,3] · matrices [2,3,1]
    expectRef(
      matrixMultiply(A, ref([2, 3, 1], [1, 0, 0, 0, 0, 1]), { op0: MatrixOperation.VECTOR }),
      [2, 1],
      [1, 6],
    );
  });
  it('batch broadcast', () => {
    expectRef(matrixMultiply(ref([2, 1, 2], [1, 2, 3, 4]), ref([1, 2, 1], [5, 6])), [2, 1, 1], [17, 39]);
    expectRef(
      matrixMultiply(ref([1, 1, 2], [1, 1]), ref([2, 2, 1], [1, 2, 3, 4])),
      [2, 1, 1],
      [3, 7],
    );
    expect(() => matrixMultiply(ref([2, 1, 2], [1, 2, 3, 4]), ref([2, 1], [5, 6]))).toThrow();
  });
});

describe('shuffle / concatenation', () => {
  const x = ref([2, 3], iota(6));
  it('transpose, reshape placeholders, second transpose', () => {
    expectRef(shuffle(x, { firstTranspose: [1, 0] }), [3, 2], [0, 3, 1, 4, 2, 5]);
    expectRef(shuffle(ref([2, 3, 4], iota(24)), { reshapeDims: [0, -1] }), [2, 12], iota(24));
    expectRef(shuffle(ref([2, 3, 4], iota(24)), { reshapeDims: [-1, 0, 2] }), [4, 3, 2], iota(24));
    expectRef(shuffle(x, { firstTranspose: [1, 0], reshapeDims: [2, 3], secondTranspose: [1, 0] }), [3, 2], [0, 4, 3, 2, 1, 5]);
    expectRef(shuffle(ref([0, 3], []), { reshapeDims: [0, 5], zeroIsPlaceholder: false }), [0, 5], []);
    expectRef(shuffle(ref([3, 0], []), { reshapeDims: [0, -1] }), [3, 0], []);
    expect(() => shuffle(x, { reshapeDims: [4, -1] })).toThrow();
    expectRef(shuffle(x), [2, 3], iota(6));
  });
  it('concatenation axis', () => {
    expectRef(concatenation([ref([1, 1, 1, 2], [1, 2]), ref([1, 2, 1, 2], [3, 4, 5, 6])]), [1, 3, 1, 2], [1, 2, 3, 4, 5, 6]);
    expectRef(concatenation([ref([2, 1], [1, 2]), ref([2, 2], [3, 4, 5, 6])], { axis: 1 }), [2, 3], [1, 3, 4, 2, 5, 6]);
    expectRef(concatenation([ref([2], [1, 2]), ref([1], [3])]), [3], [1, 2, 3]);
  });
});

describe('softMax / reduce', () => {
  it('softMax', () => {
    expectRef(softMax(ref([3], [1, 2, 3])), [3], [0.09003057317038046, 0.24472847105479767, 0.6652409557748219], 1e-15);
    expectRef(softMax(ref([2, 2], [0, Math.log(3), 1000, 1000]), { axes: 2 }), [2, 2], [0.25, 0.75, 0.5, 0.5], 1e-15);
    expectRef(softMax(ref([2, 2], [0, Math.log(3), Math.log(3), 0]), { axes: 1 }), [2, 2], [0.25, 0.75, 0.75, 0.25], 1e-15);
    // default axis of a rank-4 tensor is 1
    expectRef(softMax(ref([1, 2, 1, 1], [0, Math.log(3)])), [1, 2, 1, 1], [0.25, 0.75], 1e-15);
  });
  it('reduce', () => {
    const x = ref([2, 3], [1, 2, 3, 4, 5, 6]);
    expectRef(reduce(x, { op: ReduceOperation.SUM, axes: 2 }), [2], [6, 15]);
    expectRef(reduce(x, { op: ReduceOperation.SUM, axes: 2, keepDims: true }), [2, 1], [6, 15]);
    expectRef(reduce(x, { op: ReduceOperation.SUM, axes: 1 }), [3], [5, 7, 9]);
    expectRef(reduce(x, { op: ReduceOperation.PROD, axes: 3 }), [], [720]);
    expectRef(reduce(x, { op: ReduceOperation.MAX, axes: 2 }), [2], [3, 6]);
    expectRef(reduce(x, { op: ReduceOperation.MIN, axes: 2 }), [2], [1, 4]);
    expectRef(reduce(x, { op: ReduceOperation.AVG, axes: 2 }), [2], [2, 5]);
    expectRef(reduce(x, { op: ReduceOperation.AVG, axes: 3, keepDims: 1 }), [1, 1], [3.5]);
    expectRef(reduce(ref([2, 0]), { op: ReduceOperation.MAX, axes: 2 }), [2], [-Infinity, -Infinity]);
    expectRef(reduce(ref([2, 0]), { op: ReduceOperation.PROD, axes: 2 }), [2], [1, 1]);
  });
});

describe('scale', () => {
  const x = ref([1, 2, 1, 2], [1, 2, 3, 4]);
  it('modes and defaults', () => {
    expectRef(scale(x, { mode: ScaleMode.UNIFORM, shift: [1], scale: [2], power: [2] }), [1, 2, 1, 2], [9, 25, 49, 81]);
    expectRef(scale(x, { mode: ScaleMode.CHANNEL, shift: [0, 10] }), [1, 2, 1, 2], [1, 2, 13, 14]);
    expectRef(scale(x, { mode: ScaleMode.CHANNEL, scale: [2, 3], power: [1, 0.5] }), [1, 2, 1, 2], [2, 4, 3, Math.sqrt(12)]);
    expectRef(scale(x, { mode: ScaleMode.ELEMENTWISE, scale: [1, 2, 3, 4] }), [1, 2, 1, 2], [1, 4, 9, 16]);
    expectRef(scale(x, { mode: ScaleMode.CHANNEL, scale: [1, -1], channelAxis: 3 }), [1, 2, 1, 2], [1, -2, 3, -4]);
    expectRef(scale(x, { mode: ScaleMode.ELEMENTWISE, shift: [10, 20], channelAxis: 3 }), [1, 2, 1, 2], [11, 22, 13, 24]);
    expectRef(scale(x, { mode: ScaleMode.UNIFORM }), [1, 2, 1, 2], [1, 2, 3, 4]);
    expect(() => scale(x, { mode: ScaleMode.CHANNEL, scale: [1, 2, 3] })).toThrow();
  });
});

describe('slice', () => {
  const x = ref([2, 3], [0, 2, 4, 1, 3, 5]);
  it('NvInfer.h examples', () => {
    expectRef(slice(x, { start: [1, 0], shape: [1, 2], stride: [1, 2] }), [1, 2], [1, 5]);
    expectRef(slice(x, { start: [1], shape: [2], stride: [1], axes: [1] }), [2, 2], [2, 4, 3, 5]);
    expectRef(slice(x, { start: [1], shape: [2], stride: [1], axes: [-1] }), [2, 2], [2, 4, 3, 5]);
  });
  it('sample modes', () => {
    const v = ref([3], [1, 2, 3]);
    const p = { start: [-2], shape: [7], stride: [1] };
    expect(() => slice(v, p)).toThrow();
    expectRef(slice(v, { ...p, mode: SampleMode.WRAP }), [7], [2, 3, 1, 2, 3, 1, 2]);
    expectRef(slice(v, { ...p, mode: SampleMode.CLAMP }), [7], [1, 1, 1, 2, 3, 3, 3]);
    expectRef(slice(v, { ...p, mode: SampleMode.FILL, fillValue: 9 }), [7], [9, 9, 1, 2, 3, 9, 9]);
    expectRef(slice(v, { ...p, mode: SampleMode.FILL }), [7], [0, 0, 1, 2, 3, 0, 0]);
    expectRef(slice(v, { ...p, mode: SampleMode.REFLECT }), [7], [3, 2, 1, 2, 3, 2, 1]);
    expectRef(slice(ref([1], [7]), { start: [-2], shape: [4], stride: [1], mode: SampleMode.REFLECT }), [4], [7, 7, 7, 7]);
    expectRef(slice(v, { start: [2], shape: [3], stride: [-1] }), [3], [3, 2, 1]);
    expectRef(slice(v, { start: [0], shape: [4], stride: [2], mode: SampleMode.WRAP }), [4], [1, 3, 2, 1]);
  });
});

describe('gather', () => {
  it('DEFAULT (ONNX Gather examples), negative and OOB indices', () => {
    const d = ref([3, 2], [1, 2, 3, 4, 5, 6]);
    expectRef(gather(d, ref([2, 2], [0, 1, 1, 2])), [2, 2, 2], [1, 2, 3, 4, 3, 4, 5, 6]);
    const d3 = ref([3, 3], iota(9, 1));
    expectRef(gather(d3, ref([1, 2], [0, 2]), { axis: 1 }), [3, 1, 2], [1, 3, 4, 6, 7, 9]);
    expectRef(gather(d, ref([2], [-1, -3])), [2, 2], [5, 6, 1, 2]);
    expectRef(gather(d, ref([2], [3, 0])), [2, 2], [0, 0, 1, 2]);
    expectRef(gather(d, scalar(1)), [2], [3, 4]);
    // numElementWiseDims = 1: per-batch indices
    expectRef(gather(ref([2, 3], [1, 2, 3, 4, 5, 6]), ref([2, 1], [2, 0]), { axis: 1, numElementWiseDims: 1 }), [2, 1], [3, 4]);
    expectRef(gather(ref([2, 3], [1, 2, 3, 4, 5, 6]), ref([1, 2], [2, 0]), { axis: 1, numElementWiseDims: 1 }), [2, 2], [3, 1, 6, 4]);
  });
  it('ELEMENT (ONNX GatherElements examples)', () => {
    expectRef(gather(ref([2, 2], [1, 2, 3, 4]), ref([2, 2], [0, 0, 1, 0]), { mode: GatherMode.ELEMENT, axis: 1 }), [2, 2], [1, 1, 4, 3]);
    expectRef(
      gather(ref([3, 3], iota(9, 1)), ref([2, 3], [1, 2, 0, 2, 0, 0]), { mode: GatherMode.ELEMENT, axis: 0 }),
      [2, 3],
      [4, 8, 3, 7, 2, 3],
    );
    expectRef(gather(ref([2, 2], [1, 2, 3, 4]), ref([2, 1], [-1, 0]), { mode: GatherMode.ELEMENT, axis: 1 }), [2, 1], [2, 3]);
  });
  it('ND (ONNX GatherND examples)', () => {
    const d = ref([2, 2], [0, 1, 2, 3]);
    expectRef(gather(d, ref([2, 2], [0, 0, 1, 1]), { mode: GatherMode.ND }), [2], [0, 3]);
    expectRef(gather(d, ref([2, 1], [1, 0]), { mode: GatherMode.ND }), [2, 2], [2, 3, 0, 1]);
    const d3 = ref([2, 2, 2], iota(8));
    expectRef(gather(d3, ref([2, 2], [0, 1, 1, 0]), { mode: GatherMode.ND }), [2, 2], [2, 3, 4, 5]);
    expectRef(gather(d3, ref([2, 1, 1], [1, 0]), { mode: GatherMode.ND }), [2, 1, 2, 2], [4, 5, 6, 7, 0, 1, 2, 3]);
    expectRef(gather(d3, ref([2, 1], [1, 0]), { mode: GatherMode.ND, numElementWiseDims: 1 }), [2, 2], [2, 3, 4, 5]);
  });
});

describe('normalization / select / parametricReLU / lrn', () => {
  it('normalization: layer, group, instance', () => {
    const s = Math.sqrt(1.25);
    const x = ref([1, 1, 1, 4], [1, 2, 3, 4]);
    const ones = ref([1, 1, 1, 1], [1]);
    const zeros = ref([1, 1, 1, 1], [0]);
    expectRef(normalization(x, ones, zeros, { axes: 8, epsilon: 0 }), [1, 1, 1, 4], [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-15);
    expectRef(
      normalization(x, ref([1, 1, 1, 1], [2]), ref([1, 1, 1, 1], [1]), { axes: 8, epsilon: 0 }),
      [1, 1, 1, 4],
      [1 - 3 / s, 1 - 1 / s, 1 + 1 / s, 1 + 3 / s],
      1e-15,
    );
    // eps: var 1.25 + 0.75 = 2
    expectRef(normalization(x, ones, zeros, { axes: 8, epsilon: 0.75 }), [1, 1, 1, 4], [-1.5 / Math.SQRT2, -0.5 / Math.SQRT2, 0.5 / Math.SQRT2, 1.5 / Math.SQRT2], 1e-15);
    // GroupNorm: C=4, 2 groups: {1,3} → [-1,1]; {10,20} → [-1,1]; per-channel scale/bias
    expectRef(
      normalization(ref([1, 4, 1, 1], [1, 3, 10, 20]), ref([1, 4, 1, 1], [1, 2, 3, 4]), ref([1, 4, 1, 1], [0, 0, 0, 10]), {
        axes: 12,
        epsilon: 0,
        numGroups: 2,
      }),
      [1, 4, 1, 1],
      [-1, 2, -3, 14],
    );
    // InstanceNorm with a constant channel (var 0 → 0 with eps)
    expectRef(
      normalization(ref([1, 2, 1, 2], [0, 2, 5, 5]), ref([1, 2, 1, 1], [1, 1]), ref([1, 2, 1, 1], [0, 0]), { axes: 12 }),
      [1, 2, 1, 2],
      [-1 / Math.sqrt(1 + 1e-5), 1 / Math.sqrt(1 + 1e-5), 0, 0],
    );
  });
  it('select', () => {
    expectRef(select(ref([2, 1], [1, 0]), ref([1, 2], [10, 20]), ref([1, 1], [-1])), [2, 2], [10, 20, -1, -1]);
  });
  it('parametricReLU', () => {
    expectRef(parametricReLU(ref([1, 3], [-2, 0, 3]), ref([1, 1], [0.5])), [1, 3], [-1, 0, 3]);
    expectRef(parametricReLU(ref([1, 3], [-2, -1, 3]), ref([1, 3], [0.1, 0.2, 0.3])), [1, 3], [-0.2, -0.2, 3]);
  });
  it('lrn (TensorRT operator documentation example)', () => {
    const x = ref([1, 5, 2, 2], (idx) => idx[1]);
    const per = [0, 30 / 53, 0.4195804195804196, 0.30716723549488056, 0.4743083003952569];
    expectRef(lrn(x, { windowSize: 3, alpha: 1, beta: 1, k: 0.1 }), [1, 5, 2, 2], per.flatMap((v) => [v, v, v, v]), 1e-15);
    // the documented float32 outputs
    expectRef(
      lrn(x, { windowSize: 3, alpha: 1, beta: 1, k: 0.1 }),
      [1, 5, 2, 2],
      [0, 0.56603765, 0.4195804, 0.3071672, 0.47430828].flatMap((v) => [v, v, v, v]),
      0,
      1e-6,
    );
    // window 1, beta 0.5: y = x / sqrt(k + alpha*x^2)
    expectRef(lrn(ref([1, 2, 1, 1], [3, 4]), { windowSize: 1, alpha: 1, beta: 0.5, k: 16 }), [1, 2, 1, 1], [3 / 5, 4 / Math.sqrt(32)], 1e-15);
  });
});

describe('resize', () => {
  const r1 = (xs: number[], out: number, p: Parameters<typeof resize>[1] = {}): Ref => resize(ref([xs.length], xs), { shape: [out], ...p });
  it('nearest: rounding modes and transforms', () => {
    expectRef(resize(ref([2], [1, 2]), { scales: [2] }), [4], [1, 1, 2, 2]);
    expectRef(r1([1, 2, 3], 2, { coordinateTransformation: CT.HALF_PIXEL, nearestRounding: ResizeRoundMode.HALF_UP }), [2], [1, 3]);
    const x = [1, 2, 3, 4];
    const hp = { coordinateTransformation: CT.HALF_PIXEL };
    expectRef(r1(x, 2, { ...hp, nearestRounding: ResizeRoundMode.HALF_UP }), [2], [2, 4]);
    expectRef(r1(x, 2, { ...hp, nearestRounding: ResizeRoundMode.HALF_DOWN }), [2], [1, 3]);
    expectRef(r1(x, 2, { ...hp, nearestRounding: ResizeRoundMode.FLOOR }), [2], [1, 3]);
    expectRef(r1(x, 2, { ...hp, nearestRounding: ResizeRoundMode.CEIL }), [2], [2, 4]);
    // half-pixel upsample: x = -0.25, 0.25, 0.75, 1.25
    expectRef(r1([1, 2], 4, { ...hp, nearestRounding: ResizeRoundMode.FLOOR }), [4], [1, 1, 1, 2]);
    expectRef(r1([1, 2], 4, { ...hp, nearestRounding: ResizeRoundMode.HALF_UP }), [4], [1, 1, 2, 2]);
    expectRef(r1([1, 2], 4, { ...hp, nearestRounding: ResizeRoundMode.CEIL }), [4], [1, 2, 2, 2]);
    // asymmetric 3 → 6: x = 0, 0.5, 1, 1.5, 2, 2.5 (integer coordinates never move, whatever the rounding)
    expectRef(r1([1, 2, 3], 6, { nearestRounding: ResizeRoundMode.CEIL }), [6], [1, 2, 2, 3, 3, 3]);
    expectRef(r1([1, 2, 3], 6, { nearestRounding: ResizeRoundMode.HALF_UP }), [6], [1, 2, 2, 3, 3, 3]);
    expectRef(r1([1, 2, 3], 6, { nearestRounding: ResizeRoundMode.HALF_DOWN }), [6], [1, 1, 2, 2, 3, 3]);
    // align corners 3 → 5: x = 0, 0.5, 1, 1.5, 2
    expectRef(r1([1, 2, 3], 5, { coordinateTransformation: CT.ALIGN_CORNERS, nearestRounding: ResizeRoundMode.HALF_DOWN }), [5], [1, 1, 2, 2, 3]);
    // leading dim resize
    expectRef(resize(ref([2, 1, 2], [1, 2, 3, 4]), { shape: [4, 1, 2] }), [4, 1, 2], [1, 2, 1, 2, 3, 4, 3, 4]);
  });
  it('linear', () => {
    expectRef(r1([1, 2], 3, { resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.ALIGN_CORNERS }), [3], [1, 1.5, 2]);
    expectRef(r1([1, 2], 4, { resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.HALF_PIXEL }), [4], [1, 1.25, 1.75, 2]);
    expectRef(r1([1, 2], 4, { resizeMode: InterpolationMode.LINEAR }), [4], [1, 1.5, 2, 2]);
    expectRef(
      resize(ref([2, 2], [1, 2, 3, 4]), { shape: [3, 3], resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.ALIGN_CORNERS }),
      [3, 3],
      [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4],
    );
    // downsample half-pixel 4 → 2: x = 0.5, 2.5
    expectRef(r1([1, 2, 3, 4], 2, { resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.HALF_PIXEL }), [2], [1.5, 3.5]);
  });
  it('scales vs shape coordinate scale', () => {
    const x = ref([5], [0, 10, 20, 30, 40]);
    const lin = { resizeMode: InterpolationMode.LINEAR };
    const a = resize(x, { scales: [1.5], ...lin }); // x_orig = o / 1.5
    expectRef(a, [7], [0, 20 / 3, 40 / 3, 20, 80 / 3, 100 / 3, 40], 1e-12);
    const b = resize(x, { shape: [7], ...lin }); // x_orig = o * 5/7
    expectRef(b, [7], [0, 50 / 7, 100 / 7, 150 / 7, 200 / 7, 250 / 7, 40], 1e-12);
    expectRef(resize(x, { scales: [1.5], coordinateScaleFrom: 'shape', ...lin }), [7], [0, 50 / 7, 100 / 7, 150 / 7, 200 / 7, 250 / 7, 40], 1e-12);
  });
  it('single-pixel selector', () => {
    const lin = { resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.HALF_PIXEL };
    expectRef(r1([1, 2, 3, 4], 1, lin), [1], [2.5]);
    expectRef(r1([1, 2, 3, 4], 1, { ...lin, selectorForSinglePixel: ResizeSelector.UPPER }), [1], [1]);
    expectRef(r1([1, 2, 3, 4], 1, { resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.ALIGN_CORNERS }), [1], [1]);
  });
  it('cubic', () => {
    expect(cubicWeight(0.5, -0.75)).toBe(0.59375);
    expect(cubicWeight(1.5, -0.75)).toBe(-0.09375);
    expect(cubicWeight(0, -0.75)).toBe(1);
    expect(cubicWeight(1, -0.75)).toBe(0);
    expect(cubicWeight(2, -0.75)).toBe(0);
    const x = [1, 2, 4, 8];
    const cub = { resizeMode: InterpolationMode.CUBIC };
    // asymmetric 4 → 8: x = o/2; o=1 taps {-1→0, 0, 1, 2}, o=3 taps {0,1,2,3}, o=7 taps {2,3,4→3,5→3}
    const o7 = -0.09375 * 4 + 0.59375 * 8 + 0.59375 * 8 - 0.09375 * 8;
    const o5 = -0.09375 * 2 + 0.59375 * 4 + 0.59375 * 8 - 0.09375 * 8;
    expectRef(r1(x, 8, cub), [8], [1, 1.3125, 2, 2.71875, 4, o5, 8, o7], 1e-15);
    const ex = r1(x, 8, { ...cub, excludeOutside: true });
    expect(ex.data[1]).toBeCloseTo(1.40625 / 1.09375, 14);
    expect(ex.data[3]).toBeCloseTo(2.71875, 14);
    expect(ex.data[7]).toBeCloseTo((-0.09375 * 4 + 0.59375 * 8) / 0.5, 14);
    expect(r1(x, 8, { ...cub, cubicCoeff: -0.5 }).data[3]).toBeCloseTo(2.8125, 14);
  });
});

describe('topK / shape / padding / fill', () => {
  it('topK', () => {
    const x = ref([1, 5], [3, 1, 3, 5, 0]);
    const mx = topK(x, { op: TopKOperation.MAX, k: 3, axes: 2 });
    expectRef(mx.values, [1, 3], [5, 3, 3]);
    expectRef(mx.indices, [1, 3], [3, 0, 2]);
    const mn = topK(x, { op: TopKOperation.MIN, k: 2, axes: 2 });
    expectRef(mn.values, [1, 2], [0, 1]);
    expectRef(mn.indices, [1, 2], [4, 1]);
    const y = topK(ref([3, 2], [1, 6, 5, 2, 3, 4]), { op: TopKOperation.MAX, k: 1, axes: 1 });
    expectRef(y.values, [1, 2], [5, 6]);
    expectRef(y.indices, [1, 2], [1, 0]);
  });
  it('shape', () => {
    expectRef(shape(ref([2, 3, 4])), [3], [2, 3, 4]);
    expectRef(shape(scalar(1)), [0], []);
  });
  it('padding', () => {
    const x = ref([1, 1, 2, 2], [1, 2, 3, 4]);
    expectRef(padding(x, { prePadding: [1, 0], postPadding: [0, 1] }), [1, 1, 3, 3], [0, 0, 0, 1, 2, 0, 3, 4, 0]);
    expectRef(padding(x, { prePaddingNd: [0, -1], postPaddingNd: [0, 0] }), [1, 1, 2, 1], [2, 4]);
    expectRef(padding(x, { prePadding: [-1, 1], postPadding: [0, -1] }), [1, 1, 1, 2], [0, 3]);
  });
  it('fill LINSPACE (NvInfer.h example) and random statistics', () => {
    expectRef(fill({ shape: [3, 4], alpha: 1, beta: [100, 10] }), [3, 4], [1, 11, 21, 31, 101, 111, 121, 131, 201, 211, 221, 231]);
    expectRef(fill({ shape: [2, 3], alpha: 5, beta: 2 }), [2, 3], [5, 7, 9, 5, 7, 9]);
    expectRef(fill({ shape: [4], operation: FillOperation.LINSPACE }), [4], [0, 1, 2, 3]);
    // deterministic LCG uniform sample in [0,1) → [-2, 3)
    let s = 12345;
    const u: number[] = [];
    for (let i = 0; i < 20000; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      u.push(-2 + 5 * (s / 4294967296));
    }
    expect(checkRandomFill(u, FillOperation.RANDOM_UNIFORM, -2, 3).ok).toBe(true);
    expect(checkRandomFill(u, FillOperation.RANDOM_UNIFORM, -2, 2).ok).toBe(false);
    expect(checkRandomFill(u.map((v) => v + 0.2), FillOperation.RANDOM_UNIFORM, -2, 3.2).ok).toBe(false); // mean shifted by 0.2
    // Box-Muller normal sample: mean 1, std 2
    const nrm: number[] = [];
    for (let i = 0; i + 1 < u.length; i += 2) {
      const a = (u[i] + 2) / 5;
      const b = (u[i + 1] + 2) / 5;
      const r = Math.sqrt(-2 * Math.log(1 - a));
      nrm.push(1 + 2 * r * Math.cos(2 * Math.PI * b), 1 + 2 * r * Math.sin(2 * Math.PI * b));
    }
    expect(checkRandomFill(nrm, FillOperation.RANDOM_NORMAL, 1, 2).ok).toBe(true);
    expect(checkRandomFill(nrm, FillOperation.RANDOM_NORMAL, 1, 1).ok).toBe(false);
    expect(checkRandomFill(nrm, FillOperation.RANDOM_NORMAL, 0, 2).ok).toBe(false);
  });
});

describe('quantize / dequantize / cast', () => {
  it('quantize', () => {
    expectRef(quantize(ref([7], [-1.5, -0.5, 0.5, 1.5, 2.5, 1000, -1000]), 1), [7], [-2, 0, 0, 2, 2, 127, -128]);
    expectRef(quantize(ref([3], [0.25, 0.75, -0.74]), ref([], [0.5])), [3], [0, 2, -1]);
    expectRef(quantize(ref([2, 2], [1, 2, 3, 4]), ref([2], [1, 2]), { axis: 1 }), [2, 2], [1, 1, 3, 2]);
    expectRef(quantize(ref([2, 2], [1, 2, 3, 4]), ref([2], [1, 2]), { axis: 0 }), [2, 2], [1, 2, 2, 2]);
    expect(() => quantize(ref([2, 2], [1, 2, 3, 4]), ref([2], [1, 2]))).toThrow();
  });
  it('dequantize', () => {
    expectRef(dequantize(ref([2, 2], [1, 2, 3, 4]), ref([2], [2, 3]), { axis: 0 }), [2, 2], [2, 4, 9, 12]);
    expectRef(dequantize(ref([3], [-128, 0, 127]), 0.5), [3], [-64, 0, 63.5]);
  });
  it('cast', () => {
    expectRef(cast(ref([4], [-2.7, 2.7, -0.5, 3]), { toType: DataType.INT32 }), [4], [-2, 2, 0, 3]);
    expectRef(cast(ref([4], [0, -0, 0.1, NaN]), { toType: DataType.BOOL }), [4], [0, 0, 1, 1]);
    expectRef(cast(ref([2], [16777217, -3]), { toType: DataType.FLOAT, fromType: DataType.INT32 }), [2], [16777216, -3]);
    expectRef(cast(ref([1], [0.1]), { toType: DataType.HALF }), [1], [0.0999755859375]);
    expectRef(cast(ref([2], [300, -129]), { toType: DataType.INT8, fromType: DataType.INT32 }), [2], [44, 127]);
    expectRef(cast(ref([2], [300, -129.5]), { toType: DataType.INT8, fromType: DataType.FLOAT }), [2], [127, -128]);
    expectRef(cast(ref([2], [1, 0]), { toType: DataType.INT64, fromType: DataType.BOOL }), [2], [1, 0]);
  });
});
