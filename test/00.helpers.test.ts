/**
 * Proves the test helpers themselves: models written by encodeOnnxModel are loaded and run by
 * onnxruntime-node, and their outputs match values computed here in plain TypeScript.
 */
import { describe, it, expect } from 'vitest';
import {
  OnnxDataType,
  encodeOnnxModel,
  encodeVarint,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  floatTensor,
  fromBfloat16Bits,
  fromFloat16Bits,
  int64Tensor,
  toBfloat16Bits,
  toFloat16Bits,
  type OnnxGraph,
} from './helpers/onnx.js';
import { createOrtSession, runOrt, runOrtSession } from './helpers/ort.js';
import { mulberry32, numel, randomBool, randomFloat32, randomInt32, randomInt64, randomNormal } from './helpers/random.js';

const F = OnnxDataType.FLOAT;

/** Asserts two float arrays have equal length and agree within atol + rtol*|expected|. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`mismatch at ${i}: got ${a}, expected ${e}`);
    }
  }
}

/** Runs a single-output float model and returns the output. */
async function runSingle(g: OnnxGraph, feeds: Parameters<typeof runOrt>[1]): Promise<{ dims: number[]; data: Float32Array }> {
  const out = await runOrt(encodeOnnxModel(g), feeds, { graphOptimizationLevel: 'disabled' });
  const first = out[g.outputs[0].name];
  expect(first.data).toBeInstanceOf(Float32Array);
  return { dims: first.dims, data: first.data as Float32Array };
}

/** Naive NCHW grouped convolution with bias, the reference for the Conv test. */
function naiveConv2d(
  x: Float32Array, [n, c, h, w]: number[],
  wt: Float32Array, [m, cg, kh, kw]: number[],
  bias: Float32Array,
  { stride = [1, 1], pad = [0, 0, 0, 0], dilation = [1, 1], group = 1 } = {},
): { dims: number[]; data: Float32Array } {
  const oh = Math.floor((h + pad[0] + pad[2] - dilation[0] * (kh - 1) - 1) / stride[0]) + 1;
  const ow = Math.floor((w + pad[1] + pad[3] - dilation[1] * (kw - 1) - 1) / stride[1]) + 1;
  const out = new Float32Array(n * m * oh * ow);
  const mPerGroup = m / group;
  expect(cg * group).toBe(c);
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < m; oc++) {
      const g = Math.floor(oc / mPerGroup);
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let acc = bias[oc];
          for (let ic = 0; ic < cg; ic++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * stride[0] - pad[0] + ky * dilation[0];
                const ix = ox * stride[1] - pad[1] + kx * dilation[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const xv = x[((b * c + g * cg + ic) * h + iy) * w + ix];
                const wv = wt[((oc * cg + ic) * kh + ky) * kw + kx];
                acc += xv * wv;
              }
          out[((b * m + oc) * oh + oy) * ow + ox] = acc;
        }
    }
  return { dims: [n, m, oh, ow], data: out };
}

/** Row-major matmul [M,K] x [K,N] (or [N,K] when transB). */
function matmul(a: Float32Array, b: Float32Array, M: number, K: number, N: number, transB = false): Float32Array {
  const out = new Float32Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += a[i * K + k] * (transB ? b[j * K + k] : b[k * N + j]);
      out[i * N + j] = acc;
    }
  return out;
}

describe('random helpers', () => {
  it('are deterministic per seed and within range', () => {
    expect(randomFloat32(16, 7)).toEqual(randomFloat32(16, 7));
    expect(randomFloat32(16, 7)).not.toEqual(randomFloat32(16, 8));
    const f = randomFloat32(1000, 1, 2, 3);
    expect(Math.min(...f)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...f)).toBeLessThan(3);
    const ints = randomInt32(1000, 3, -2, 2);
    expect(new Set(ints)).toEqual(new Set([-2, -1, 0, 1, 2]));
    const n = randomNormal(20000, 5, 1, 2);
    const mean = n.reduce((a, v) => a + v, 0) / n.length;
    const std = Math.sqrt(n.reduce((a, v) => a + (v - mean) ** 2, 0) / n.length);
    expect(Math.abs(mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(std - 2)).toBeLessThan(0.05);
    expect(mulberry32(42)()).toBe(mulberry32(42)());
  });
});

describe('protobuf / numeric encoders', () => {
  it('encodes varints, including negative int64 as 10 bytes', () => {
    expect([...encodeVarint(0)]).toEqual([0]);
    expect([...encodeVarint(1)]).toEqual([1]);
    expect([...encodeVarint(300)]).toEqual([0xac, 0x02]);
    expect([...encodeVarint(2 ** 32)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
    expect([...encodeVarint(-1)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect([...encodeVarint(-2n)]).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('converts fp16 and bf16 bit patterns', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // rounds up to inf
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // tie → even (0)
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN)))).toBe(true);
    // every finite fp16 value (±0 and subnormals included) round-trips exactly
    const bad: number[] = [];
    for (let b = 0; b < 0x10000; b++) {
      if ((b & 0x7c00) !== 0x7c00 && float32ToFloat16Bits(float16BitsToFloat32(b)) !== b) bad.push(b);
    }
    expect(bad).toEqual([]);
    expect([...toBfloat16Bits([1, -2, 3.140625])]).toEqual([0x3f80, 0xc000, 0x4049]);
    expectClose(fromBfloat16Bits(toBfloat16Bits([0.5, 100, -7])), [0.5, 100, -7], 0, 0);
  });

  it('rejects initializers whose data does not match dtype or dims', () => {
    const g = (data: Float32Array | Int32Array, dims: number[]): OnnxGraph => ({
      nodes: [{ opType: 'Identity', inputs: ['w'], outputs: ['y'] }],
      inputs: [],
      outputs: [{ name: 'y', dataType: F, dims }],
      initializers: [{ name: 'w', dataType: F, dims, data }],
    });
    expect(() => encodeOnnxModel(g(new Int32Array(4), [4]))).toThrow(/Float32Array/);
    expect(() => encodeOnnxModel(g(new Float32Array(3), [4]))).toThrow(/need 4 elements/);
  });
});

describe('ONNX writer, checked through onnxruntime-node', () => {
  it('Add with broadcasting', async () => {
    const a = randomFloat32(2 * 3 * 4, 1);
    const b = randomFloat32(4, 2);
    const c = randomFloat32(3, 3);
    const g: OnnxGraph = {
      nodes: [
        { opType: 'Add', inputs: ['a', 'b'], outputs: ['ab'] },
        { opType: 'Add', inputs: ['ab', 'c'], outputs: ['y'] },
      ],
      inputs: [
        { name: 'a', dataType: F, dims: [2, 3, 4] },
        { name: 'b', dataType: F, dims: [4] },
      ],
      outputs: [{ name: 'y', dataType: F, dims: [2, 3, 4] }],
      initializers: [floatTensor('c', [3, 1], c)],
    };
    const y = await runSingle(g, { a: { dims: [2, 3, 4], data: a }, b: { dims: [4], data: b } });
    const expected = new Float32Array(24);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 4; k++) expected[(i * 3 + j) * 4 + k] = a[(i * 3 + j) * 4 + k] + b[k] + c[j];
    expect(y.dims).toEqual([2, 3, 4]);
    expectClose(y.data, expected);
  });

  it('MatMul with an initializer weight', async () => {
    const [M, K, N] = [3, 5, 4];
    const a = randomFloat32(M * K, 10);
    const w = randomFloat32(K * N, 11);
    const g: OnnxGraph = {
      nodes: [{ opType: 'MatMul', inputs: ['a', 'w'], outputs: ['y'] }],
      inputs: [{ name: 'a', dataType: F, dims: [M, K] }],
      outputs: [{ name: 'y', dataType: F, dims: [M, N] }],
      initializers: [floatTensor('w', [K, N], w)],
    };
    const y = await runSingle(g, { a: { dims: [M, K], data: a } });
    expect(y.dims).toEqual([M, N]);
    expectClose(y.data, matmul(a, w, M, K, N));
  });

  it('Conv with bias, strides, pads, dilations and groups, then Relu', async () => {
    const xDims = [2, 4, 9, 8];
    const wDims = [6, 2, 3, 3]; // group = 2
    const x = randomFloat32(numel(xDims), 20);
    const w = randomFloat32(numel(wDims), 21);
    const bias = randomFloat32(6, 22);
    const attrs = { stride: [2, 1], pad: [1, 0, 1, 2], dilation: [1, 2], group: 2 };
    const ref = naiveConv2d(x, xDims, w, wDims, bias, attrs);
    const g: OnnxGraph = {
      nodes: [
        {
          opType: 'Conv',
          inputs: ['x', 'w', 'b'],
          outputs: ['conv'],
          attributes: { kernel_shape: [3, 3], strides: attrs.stride, pads: attrs.pad, dilations: attrs.dilation, group: 2 },
        },
        { opType: 'Relu', inputs: ['conv'], outputs: ['y'] },
      ],
      inputs: [{ name: 'x', dataType: F, dims: xDims }],
      outputs: [{ name: 'y', dataType: F, dims: ref.dims }],
      initializers: [floatTensor('w', wDims, w), floatTensor('b', [6], bias)],
    };
    const y = await runSingle(g, { x: { dims: xDims, data: x } });
    expect(y.dims).toEqual(ref.dims);
    expectClose(y.data, ref.data.map((v) => Math.max(0, v)), 1e-5, 1e-4);
  });

  it('Gemm with transB, float alpha and forced-float beta', async () => {
    const [M, K, N] = [4, 6, 3];
    const a = randomFloat32(M * K, 30);
    const b = randomFloat32(N * K, 31); // [N, K], transposed by transB
    const c = randomFloat32(N, 32);
    const g: OnnxGraph = {
      nodes: [{ opType: 'Gemm', inputs: ['a', 'b', 'c'], outputs: ['y'], attributes: { transB: 1, alpha: 0.5, beta: { f: 2 } } }],
      inputs: [{ name: 'a', dataType: F, dims: [M, K] }],
      outputs: [{ name: 'y', dataType: F, dims: [M, N] }],
      initializers: [floatTensor('b', [N, K], b), floatTensor('c', [N], c)],
    };
    const y = await runSingle(g, { a: { dims: [M, K], data: a } });
    const ab = matmul(a, b, M, K, N, true);
    expectClose(y.data, ab.map((v, i) => 0.5 * v + 2 * c[i % N]));
  });

  it('Reshape with an INT64 shape initializer (0 and -1 entries)', async () => {
    const x = randomFloat32(2 * 3 * 4, 40);
    const g: OnnxGraph = {
      nodes: [{ opType: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
      inputs: [{ name: 'x', dataType: F, dims: [2, 3, 4] }],
      outputs: [{ name: 'y', dataType: F, dims: [2, 2, 6] }],
      initializers: [int64Tensor('shape', [0, 2, -1])],
    };
    const y = await runSingle(g, { x: { dims: [2, 3, 4], data: x } });
    expect(y.dims).toEqual([2, 2, 6]);
    expectClose(y.data, x, 0, 0);
  });

  it('symbolic batch dim (dim_param) and unnamed dynamic dim (-1) run at two batch sizes', async () => {
    const g: OnnxGraph = {
      nodes: [
        { opType: 'Mul', inputs: ['x', 's'], outputs: ['y'] },
        { opType: 'ReduceSum', inputs: ['y', 'axes'], outputs: ['z'], attributes: { keepdims: 0 } },
      ],
      inputs: [{ name: 'x', dataType: F, dims: ['batch', -1] }],
      outputs: [
        { name: 'y', dataType: F, dims: ['batch', -1] },
        { name: 'z', dataType: F, dims: ['batch'] },
      ],
      initializers: [floatTensor('s', [1], [3]), int64Tensor('axes', [1])],
    };
    const session = await createOrtSession(encodeOnnxModel(g));
    try {
      const meta = session.inputMetadata[0];
      expect(meta.isTensor && meta.shape).toEqual(['batch', expect.anything()]);
      for (const [n, w] of [[1, 5], [7, 2]]) {
        const x = randomFloat32(n * w, n);
        const out = await runOrtSession(session, { x: { dims: [n, w], data: x } });
        expect(out.y.dims).toEqual([n, w]);
        expect(out.z.dims).toEqual([n]);
        expectClose(out.y.data as Float32Array, x.map((v) => 3 * v));
        const sums = Array.from({ length: n }, (_, i) => x.slice(i * w, (i + 1) * w).reduce((a, v) => a + 3 * v, 0));
        expectClose(out.z.data as Float32Array, sums);
      }
    } finally {
      await session.release();
    }
  });

  it('float16 input through Cast, and float → float16 output', async () => {
    const values = randomFloat32(12, 50, -4, 4);
    const bits = toFloat16Bits(values);
    const g: OnnxGraph = {
      nodes: [
        { opType: 'Cast', inputs: ['h'], outputs: ['f'], attributes: { to: OnnxDataType.FLOAT } },
        { opType: 'Mul', inputs: ['f', 'two'], outputs: ['f2'] },
        { opType: 'Cast', inputs: ['f2'], outputs: ['h2'], attributes: { to: OnnxDataType.FLOAT16 } },
      ],
      inputs: [{ name: 'h', dataType: OnnxDataType.FLOAT16, dims: [3, 4] }],
      outputs: [
        { name: 'f', dataType: F, dims: [3, 4] },
        { name: 'h2', dataType: OnnxDataType.FLOAT16, dims: [3, 4] },
      ],
      initializers: [floatTensor('two', [], [2])],
    };
    const out = await runOrt(encodeOnnxModel(g), { h: { dims: [3, 4], data: bits } });
    expect(out.f.type).toBe('float32');
    expectClose(out.f.data as Float32Array, fromFloat16Bits(bits), 0, 0);
    expect(out.h2.type).toBe('float16');
    expectClose(fromFloat16Bits(out.h2.data as Uint16Array), fromFloat16Bits(bits).map((v) => 2 * v), 0, 0);
  });

  it('FLOAT16, BFLOAT16, DOUBLE, INT8 and UINT8 initializers decode to the right values', async () => {
    const v = [1.5, -2.25, 0.125, 1000];
    const casts = ['h', 'bf', 'd', 'i8', 'u8'];
    const g: OnnxGraph = {
      nodes: casts.map((n) => ({ opType: 'Cast', inputs: [n], outputs: [`${n}_f`], attributes: { to: OnnxDataType.FLOAT } })),
      inputs: [],
      outputs: casts.map((n) => ({ name: `${n}_f`, dataType: F, dims: [4] })),
      initializers: [
        { name: 'h', dataType: OnnxDataType.FLOAT16, dims: [4], data: toFloat16Bits(v) },
        { name: 'bf', dataType: OnnxDataType.BFLOAT16, dims: [4], data: toBfloat16Bits(v) },
        { name: 'd', dataType: OnnxDataType.DOUBLE, dims: [4], data: Float64Array.from(v) },
        { name: 'i8', dataType: OnnxDataType.INT8, dims: [4], data: Int8Array.from([-128, -1, 0, 127]) },
        { name: 'u8', dataType: OnnxDataType.UINT8, dims: [4], data: Uint8Array.from([0, 1, 128, 255]) },
      ],
    };
    const out = await runOrt(encodeOnnxModel(g), {});
    expectClose(out.h_f.data as Float32Array, v, 0, 0);
    expectClose(out.bf_f.data as Float32Array, [1.5, -2.25, 0.125, 1000], 0, 0);
    expectClose(out.d_f.data as Float32Array, v, 0, 0);
    expectClose(out.i8_f.data as Float32Array, [-128, -1, 0, 127], 0, 0);
    expectClose(out.u8_f.data as Float32Array, [0, 1, 128, 255], 0, 0);
  });

  it('INT64 and BOOL inputs: Gather with int64 indices, Where with a bool mask', async () => {
    const data = randomFloat32(5 * 3, 60);
    const idx = randomInt64(4, 61, -5, 4); // negative indices count from the end
    const mask = randomBool(4 * 3, 62);
    const g: OnnxGraph = {
      nodes: [
        { opType: 'Gather', inputs: ['data', 'idx'], outputs: ['g'], attributes: { axis: 0 } },
        { opType: 'Where', inputs: ['mask', 'g', 'zero'], outputs: ['y'] },
        { opType: 'Cast', inputs: ['g'], outputs: ['gi'], attributes: { to: OnnxDataType.INT64 } },
      ],
      inputs: [
        { name: 'data', dataType: F, dims: [5, 3] },
        { name: 'idx', dataType: OnnxDataType.INT64, dims: [4] },
        { name: 'mask', dataType: OnnxDataType.BOOL, dims: [4, 3] },
      ],
      outputs: [
        { name: 'y', dataType: F, dims: [4, 3] },
        { name: 'gi', dataType: OnnxDataType.INT64, dims: [4, 3] },
      ],
      initializers: [floatTensor('zero', [], [0])],
    };
    const out = await runOrt(encodeOnnxModel(g), {
      data: { dims: [5, 3], data },
      idx: { dims: [4], data: idx },
      mask: { dims: [4, 3], data: mask }, // Uint8Array; 'bool' is taken from the model
    });
    const gathered = new Float32Array(12);
    for (let i = 0; i < 4; i++) {
      const r = Number(idx[i] < 0n ? idx[i] + 5n : idx[i]);
      for (let j = 0; j < 3; j++) gathered[i * 3 + j] = data[r * 3 + j];
    }
    expectClose(out.y.data as Float32Array, gathered.map((v, i) => (mask[i] ? v : 0)), 0, 0);
    expect(out.gi.data).toBeInstanceOf(BigInt64Array);
    expect([...(out.gi.data as BigInt64Array)]).toEqual([...gathered].map((v) => BigInt(Math.trunc(v))));
  });

  it('encodes every attribute kind: INT, FLOAT, STRING, TENSOR, INTS, FLOATS (and negative ints)', async () => {
    const x = randomFloat32(2 * 3 * 4, 70, -3, 3);
    const tensorVal = randomFloat32(4, 71);
    const g: OnnxGraph = {
      opset: 17,
      nodes: [
        // INTS: Transpose perm
        { opType: 'Transpose', inputs: ['x'], outputs: ['xt'], attributes: { perm: [0, 2, 1] } },
        // FLOAT (non-integer number): LeakyRelu alpha
        { opType: 'LeakyRelu', inputs: ['x'], outputs: ['leaky'], attributes: { alpha: 0.25 } },
        // FLOAT forced with {f} for an integral value: Elu alpha = 2
        { opType: 'Elu', inputs: ['x'], outputs: ['elu'], attributes: { alpha: { f: 2 } } },
        // INT, negative: Softmax axis = -1
        { opType: 'Softmax', inputs: ['x'], outputs: ['sm'], attributes: { axis: -1 } },
        // STRING: Pad mode
        { opType: 'Pad', inputs: ['x', 'pads'], outputs: ['padded'], attributes: { mode: 'edge' } },
        // TENSOR: Constant value
        {
          opType: 'Constant', inputs: [], outputs: ['ct'],
          attributes: { value: { tensor: { name: 'ct_value', dataType: F, dims: [2, 2], data: tensorVal } } },
        },
        // FLOATS forced for integral values, FLOATS from a Float32Array, and non-integral number[]
        { opType: 'Constant', inputs: [], outputs: ['cf'], attributes: { value_floats: { floats: [1, 2, 3] } } },
        { opType: 'Constant', inputs: [], outputs: ['cf32'], attributes: { value_floats: Float32Array.of(0.5, -1) } },
        { opType: 'Constant', inputs: [], outputs: ['cfl'], attributes: { value_floats: [0.5, 2] } },
        // INTS forced ({ints}) with negative and large values, INT forced with {i}, INT from a bigint
        { opType: 'Constant', inputs: [], outputs: ['ci'], attributes: { value_ints: { ints: [-1, 2 ** 40, -(2n ** 62n)] } } },
        { opType: 'Constant', inputs: [], outputs: ['c1'], attributes: { value_int: { i: -7 } } },
        { opType: 'Constant', inputs: [], outputs: ['c2'], attributes: { value_int: 9007199254740993n } },
        { opType: 'Constant', inputs: [], outputs: ['cfs'], attributes: { value_float: 1.25 } },
      ],
      inputs: [{ name: 'x', dataType: F, dims: [2, 3, 4] }],
      outputs: [
        { name: 'xt', dataType: F, dims: [2, 4, 3] },
        { name: 'leaky', dataType: F, dims: [2, 3, 4] },
        { name: 'elu', dataType: F, dims: [2, 3, 4] },
        { name: 'sm', dataType: F, dims: [2, 3, 4] },
        { name: 'padded', dataType: F, dims: [2, 3, 6] },
        { name: 'ct', dataType: F, dims: [2, 2] },
        { name: 'cf', dataType: F, dims: [3] },
        { name: 'cf32', dataType: F, dims: [2] },
        { name: 'cfl', dataType: F, dims: [2] },
        { name: 'ci', dataType: OnnxDataType.INT64, dims: [3] },
        { name: 'c1', dataType: OnnxDataType.INT64, dims: [] },
        { name: 'c2', dataType: OnnxDataType.INT64, dims: [] },
        { name: 'cfs', dataType: F, dims: [] },
      ],
      initializers: [int64Tensor('pads', [0, 0, 1, 0, 0, 1])], // pad last axis by 1 on each side
    };
    const out = await runOrt(encodeOnnxModel(g), { x: { dims: [2, 3, 4], data: x } }, { graphOptimizationLevel: 'disabled' });
    const at = (i: number, j: number, k: number): number => x[(i * 3 + j) * 4 + k];

    const xt: number[] = [];
    for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) xt.push(at(i, j, k));
    expect(out.xt.dims).toEqual([2, 4, 3]);
    expectClose(out.xt.data as Float32Array, xt, 0, 0);

    expectClose(out.leaky.data as Float32Array, x.map((v) => (v < 0 ? 0.25 * v : v)));
    expectClose(out.elu.data as Float32Array, x.map((v) => (v < 0 ? 2 * (Math.exp(v) - 1) : v)), 1e-6, 1e-5);

    const sm: number[] = [];
    for (let r = 0; r < 6; r++) {
      const row = x.slice(r * 4, r * 4 + 4);
      const mx = Math.max(...row);
      const ex = [...row].map((v) => Math.exp(v - mx));
      const s = ex.reduce((a, v) => a + v, 0);
      sm.push(...ex.map((v) => v / s));
    }
    expectClose(out.sm.data as Float32Array, sm, 1e-6, 1e-5);

    const padded: number[] = [];
    for (let r = 0; r < 6; r++) {
      const row = [...x.slice(r * 4, r * 4 + 4)];
      padded.push(row[0], ...row, row[3]);
    }
    expect(out.padded.dims).toEqual([2, 3, 6]);
    expectClose(out.padded.data as Float32Array, padded, 0, 0);

    expect(out.ct.dims).toEqual([2, 2]);
    expectClose(out.ct.data as Float32Array, tensorVal, 0, 0);
    expectClose(out.cf.data as Float32Array, [1, 2, 3], 0, 0);
    expectClose(out.cf32.data as Float32Array, [0.5, -1], 0, 0);
    expectClose(out.cfl.data as Float32Array, [0.5, 2], 0, 0);
    expect([...(out.ci.data as BigInt64Array)]).toEqual([-1n, 2n ** 40n, -(2n ** 62n)]);
    expect(out.c1.dims).toEqual([]);
    expect([...(out.c1.data as BigInt64Array)]).toEqual([-7n]);
    expect([...(out.c2.data as BigInt64Array)]).toEqual([9007199254740993n]);
    expectClose(out.cfs.data as Float32Array, [1.25], 0, 0);
  });

  it('writes node domains and custom opset imports (com.microsoft Gelu)', async () => {
    const x = randomFloat32(8, 80, -3, 3);
    const g: OnnxGraph = {
      nodes: [{ opType: 'Gelu', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'] }],
      inputs: [{ name: 'x', dataType: F, dims: [8] }],
      outputs: [{ name: 'y', dataType: F, dims: [8] }],
    };
    const y = await runSingle(g, { x: { dims: [8], data: x } });
    // exact GELU: 0.5 x (1 + erf(x / sqrt 2)); erf via Abramowitz–Stegun 7.1.26 (|err| < 1.5e-7)
    const erf = (z: number): number => {
      const s = Math.sign(z);
      const a = Math.abs(z);
      const t = 1 / (1 + 0.3275911 * a);
      const p = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
      return s * (1 - p * Math.exp(-a * a));
    };
    expectClose(y.data, x.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))), 1e-5, 1e-5);
  });

  it('handles a larger model with a big initializer (reused session)', async () => {
    const [M, K, N] = [8, 256, 512];
    const w = randomNormal(K * N, 90, 0, 0.05);
    const g: OnnxGraph = {
      nodes: [{ opType: 'MatMul', inputs: ['a', 'w'], outputs: ['y'] }],
      inputs: [{ name: 'a', dataType: F, dims: ['M', K] }],
      outputs: [{ name: 'y', dataType: F, dims: ['M', N] }],
      initializers: [floatTensor('w', [K, N], w)],
    };
    const bytes = encodeOnnxModel(g);
    expect(bytes.length).toBeGreaterThan(K * N * 4);
    const session = await createOrtSession(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 2 });
    try {
      for (const seed of [1, 2]) {
        const a = randomFloat32(M * K, seed);
        const out = await runOrtSession(session, { a: { dims: [M, K], data: a } });
        expectClose(out.y.data as Float32Array, matmul(a, w, M, K, N), 1e-4, 1e-4);
      }
    } finally {
      await session.release();
    }
  });
});
