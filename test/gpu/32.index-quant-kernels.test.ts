/**
 * The cuda backend's indexing and conversion kernels against the cpu backend on the same networks
 * and inputs: QUANTIZE and DEQUANTIZE (INT8, FP8, INT4, FP4; per-tensor, per-axis and blocked
 * scales of every scale type; INT8 and INT4 zero points), CAST to and from FP8, E8M0, INT4 and
 * FP4 (and the casts the CPU rounds with care: BOOL sources, wide integers to HALF and BF16),
 * GATHER (DEFAULT with and without a batch dim, ELEMENT, ND), SCATTER (ELEMENT and ND, every
 * reduction), SLICE's sampling modes and tensor inputs, integer REDUCE, and the one-byte types
 * (INT8, UINT8, BOOL, FP8) in the layers that move elements. FP8, E8M0, INT4 and FP4 tensors stay
 * inside the networks (cast to FLOAT for the outputs): the run helpers carry whole-byte numeric
 * types only. Inputs come from network inputs, so no layer under test is folded at build time.
 *
 * Tolerance: none. These kernels move elements, or apply the CPU kernel's float operations in its
 * order with its roundings (quantization divides once and rounds half to even, dequantization
 * subtracts and multiplies once, scatter reductions combine in index order one element at a
 * time), so every output must equal the CPU's exactly (NaN matching NaN).
 */
import { describe, it } from 'vitest';
import * as trt from '../../lib/index.js';
import type { Ref } from '../reference/ndarray.js';
import { encodeFloat } from '../helpers/floats.js';
import { compare, randomRef } from './compare.js';
import { gpuTitle, skipReason } from './gpu.js';

const { DataType, ElementWiseOperation, GatherMode, ReduceOperation, SampleMode, ScatterMode, ScatterReduction, UnaryOperation } = trt;
type Net = trt.NetworkDefinition;
type Tensor = trt.ITensor;

const EXACT = { rtol: 0, atol: 0 };
const name = (t: trt.DataType): string => DataType[t]!;

const i32 = (net: Net, dims: number[], v: number[]): Tensor => net.addConstant(dims, new trt.Weights(Int32Array.from(v))).getOutput(0);
const i64 = (net: Net, dims: number[], v: number[]): Tensor =>
  net.addConstant(dims, new trt.Weights(BigInt64Array.from(v, (x) => BigInt(x)))).getOutput(0);
const f32 = (net: Net, dims: number[], v: number[]): Tensor => net.addConstant(dims, new trt.Weights(Float32Array.from(v))).getOutput(0);
const cast = (net: Net, t: Tensor, to: trt.DataType): Tensor => net.addCast(t, to).getOutput(0);
const asFloat = (net: Net, t: Tensor): Tensor => cast(net, t, DataType.FLOAT);

/** Packs 4-bit codes two a byte, element 0 in the low nibble. */
function pack(values: number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  values.forEach((v, i) => {
    out[i >> 1]! |= (v & 15) << (i % 2 === 0 ? 0 : 4);
  });
  return out;
}

/** `n` values that probe rounding: a grid of 1/16 steps (ties for scales 1/8 and 1/4), specials, then random values in [lo, hi]. */
function probe(dims: number[], seed: number, lo: number, hi: number): Ref {
  const r = randomRef(dims, seed, lo, hi);
  const specials = [NaN, Infinity, -Infinity, -0, 1e30, -1e30, 448, 464, -465, 6, 5, 7, 2.5, 1.75];
  for (let i = 0; i < Math.min(48, r.data.length); i += 1) r.data[i] = (i - 24) / 16;
  specials.forEach((v, k) => {
    if (48 + k < r.data.length) r.data[48 + k] = v;
  });
  return r;
}

/** Random integers in [lo, hi]. */
function ints(dims: number[], seed: number, lo: number, hi: number): Ref {
  const r = randomRef(dims, seed, lo, hi + 1);
  return { dims, data: r.data.map(Math.floor) };
}

/** Sample values of `dtype` (as stored by encode): floats, integers in range, 0/1 for BOOL. */
function sample(dtype: trt.DataType, dims: number[], seed: number): Ref {
  switch (dtype) {
    case DataType.INT8:
      return ints(dims, seed, -128, 127);
    case DataType.UINT8:
      return ints(dims, seed, 0, 255);
    case DataType.BOOL:
      return ints(dims, seed, 0, 1);
    case DataType.INT32:
      return ints(dims, seed, -(2 ** 31), 2 ** 31 - 1);
    case DataType.INT64:
      return ints(dims, seed, -(2 ** 52), 2 ** 52);
    default:
      return randomRef(dims, seed, -3, 3);
  }
}

/**
 * A network input of `dtype` for the tests of data movement; FP8 enters as FLOAT and is cast
 * (inputs and outputs carry no FP8). `output` turns a result back into a type the helpers read.
 */
function typedInput(net: Net, name: string, dtype: trt.DataType, dims: number[]): { x: Tensor; output: (t: Tensor) => void } {
  if (dtype === DataType.FP8) {
    const x = cast(net, net.addInput(name, DataType.FLOAT, dims), DataType.FP8);
    return { x, output: (t) => net.markOutput(asFloat(net, t)) };
  }
  return { x: net.addInput(name, dtype, dims), output: (t) => net.markOutput(t) };
}

function feedType(dtype: trt.DataType): trt.DataType {
  return dtype === DataType.FP8 ? DataType.FLOAT : dtype;
}

// ---- QUANTIZE / DEQUANTIZE -------------------------------------------------------------------------

/** A scale constant of `type` (FLOAT, HALF, BF16 or E8M0; E8M0 values must be powers of two). */
function scaleConst(net: Net, dims: number[], values: number[], type: trt.DataType): Tensor {
  if (type === DataType.E8M0) {
    return net.addConstant(dims, new trt.Weights(DataType.E8M0, Uint8Array.from(values, (v) => Math.log2(v) + 127))).getOutput(0);
  }
  return net.addConstant(dims, new trt.Weights(type, encodeFloat(values, type))).getOutput(0);
}

/** A zero point of the quantized type (INT8 or INT4). */
function zeroConst(net: Net, dims: number[], values: number[], type: trt.DataType): Tensor {
  if (type === DataType.INT4) return net.addConstant(dims, new trt.Weights(DataType.INT4, pack(values), values.length)).getOutput(0);
  return net.addConstant(dims, new trt.Weights(Int8Array.from(values))).getOutput(0);
}

const powersOfTwo = (n: number, from: number): number[] => Array.from({ length: n }, (_, i) => 2 ** (((i * 7) % 6) + from));

describe.skipIf(!!skipReason)(gpuTitle('cuda QUANTIZE and DEQUANTIZE vs the cpu backend (exact)'), () => {
  const dims = [4, 6, 8];
  // [scale dims, axis (-1: none), zero point dims]: per-tensor, per-axis on dims 1 and 2, blocked along dims 2 and 1.
  const layouts: Array<[string, number[], number]> = [
    ['per-tensor', [], -1],
    ['per-axis 1', [6], 1],
    ['per-axis 2', [8], 2],
    ['blocked 4 along dim 2', [4, 6, 2], -1],
    ['blocked 2 along dim 1', [4, 3, 8], -1],
  ];
  for (const xType of [DataType.FLOAT, DataType.HALF, DataType.BF16]) {
    for (const qType of [DataType.INT8, DataType.FP8, DataType.INT4, DataType.FP4]) {
      const withZero = qType === DataType.INT8 || qType === DataType.INT4;
      it(`${name(xType)} -> ${name(qType)} -> FLOAT/HALF/BF16: every layout and scale type${withZero ? ', with and without zero points' : ''}`, async () => {
        // The scale is 1/8 per tensor (x / s lands on ties), powers of two per axis and per block
        // (E8M0 can hold them), and an FP32 scale of arbitrary values per axis.
        await compare(`quantize ${name(xType)} ${name(qType)}`, (net) => {
          const x = net.addInput('x', xType, dims);
          const scaleTypes = [DataType.FLOAT, DataType.E8M0, ...(xType === DataType.FLOAT ? [] : [xType])];
          for (const [label, sd, axis] of layouts) {
            const n = sd.reduce((a, b) => a * b, 1);
            const values = label === 'per-tensor' ? [0.125] : powersOfTwo(n, -4);
            for (const st of scaleTypes) {
              const zeros = withZero ? [undefined, Array.from({ length: n }, (_, i) => ((i * 5) % 9) - 4)] : [undefined];
              for (const z of zeros) {
                const q = net.addQuantize(x, scaleConst(net, sd, values, st), qType);
                if (axis >= 0) q.axis = axis;
                if (z) q.setInput(2, zeroConst(net, sd, z, qType));
                net.markOutput(asFloat(net, q.getOutput(0)));
                for (const to of [DataType.FLOAT, DataType.HALF, DataType.BF16]) {
                  if (to !== xType && st !== DataType.FLOAT && st !== DataType.E8M0) continue; // the scale type is FLOAT, E8M0 or toType
                  const d = net.addDequantize(q.getOutput(0), scaleConst(net, sd, values, st), to);
                  if (axis >= 0) d.axis = axis;
                  if (z) d.setInput(2, zeroConst(net, sd, z, qType));
                  net.markOutput(d.getOutput(0));
                }
              }
            }
          }
          const arbitrary = net.addQuantize(x, f32(net, [6], [0.3, 0.07, 1.1, 0.013, 2.9, 0.5]), qType);
          arbitrary.axis = 1;
          net.markOutput(asFloat(net, arbitrary.getOutput(0)));
          const dq = net.addDequantize(arbitrary.getOutput(0), f32(net, [6], [0.3, 0.07, 1.1, 0.013, 2.9, 0.5]), DataType.FLOAT);
          dq.axis = 1;
          net.markOutput(dq.getOutput(0));
        }, { x: probe(dims, 11 + xType * 7 + qType, -40, 40) }, EXACT);
      });
    }
  }

  it('odd element counts: the packed outputs end in half a byte', async () => {
    await compare('quantize odd', (net) => {
      const x = net.addInput('x', DataType.FLOAT, [3, 5]);
      for (const qType of [DataType.INT4, DataType.FP4]) {
        const q = net.addQuantize(x, f32(net, [], [0.25]), qType);
        net.markOutput(asFloat(net, q.getOutput(0)));
        net.markOutput(net.addDequantize(q.getOutput(0), f32(net, [], [0.25]), DataType.HALF).getOutput(0));
      }
    }, { x: probe([3, 5], 5, -3, 3) }, EXACT);
  });
});

// ---- CAST ----------------------------------------------------------------------------------------

describe.skipIf(!!skipReason)(gpuTitle('cuda CAST to and from FP8, E8M0, INT4 and FP4, BOOL sources, wide integers to HALF/BF16 (exact)'), () => {
  for (const from of [DataType.FLOAT, DataType.HALF, DataType.BF16]) {
    it(`${name(from)} -> FP8, E8M0, INT4, FP4 -> every type they convert to`, async () => {
      await compare(`cast from ${name(from)}`, (net) => {
        const x = net.addInput('x', from, [16, 20]);
        const xe = net.addUnary(x, UnaryOperation.ABS).getOutput(0); // E8M0 drops the sign: test positive values
        for (const [narrow, src] of [[DataType.FP8, x], [DataType.E8M0, xe], [DataType.FP4, x]] as const) {
          const n = cast(net, src, narrow);
          for (const to of [DataType.FLOAT, DataType.HALF, DataType.BF16]) net.markOutput(cast(net, n, to));
        }
        const q4 = cast(net, x, DataType.INT4);
        for (const to of [DataType.FLOAT, DataType.HALF, DataType.BF16, DataType.INT8, DataType.INT32, DataType.INT64]) net.markOutput(cast(net, q4, to));
      }, { x: probe([16, 20], 21 + from, -500, 500) }, EXACT);
    });
  }

  it('INT8, INT32, INT64 -> INT4 (low four bits) -> integers and floats', async () => {
    await compare('cast integers to INT4', (net) => {
      const x = net.addInput('x', DataType.INT32, [5, 7]);
      for (const wide of [DataType.INT8, DataType.INT32, DataType.INT64]) {
        const q4 = cast(net, wide === DataType.INT32 ? x : cast(net, x, wide), DataType.INT4);
        for (const to of [DataType.INT8, DataType.INT32, DataType.INT64, DataType.FLOAT, DataType.BF16]) net.markOutput(cast(net, q4, to));
      }
    }, { x: ints([5, 7], 31, -300, 300) }, EXACT);
  });

  it('INT32 and INT64 -> HALF and BF16 round once (no double rounding through FLOAT)', async () => {
    // 16842753 = 2^24 + 2^16 + 1 rounds to 2^24 + 2^17 in BF16 (through FLOAT it would become 2^24).
    const wide = [16842753, -16842753, 2 ** 31 - 1, -(2 ** 31), 33554435, 65519, 65520, 2049, 4097, 16777217, 0, -1];
    const big = [2 ** 53 - 1, -(2 ** 40 + 2 ** 17 + 1), 2 ** 40 + 2 ** 32 + 1, 123456789012345, -(2 ** 52), 16842753];
    await compare('cast wide integers', (net) => {
      const a = net.addInput('a', DataType.INT32, [wide.length]);
      const b = net.addInput('b', DataType.INT64, [big.length]);
      for (const to of [DataType.HALF, DataType.BF16, DataType.FLOAT]) {
        net.markOutput(cast(net, a, to));
        net.markOutput(cast(net, b, to));
        net.markOutput(cast(net, cast(net, a, DataType.INT64), to));
      }
    }, { a: { dims: [wide.length], data: Float64Array.from(wide) }, b: { dims: [big.length], data: Float64Array.from(big) } }, EXACT);
  });

  it('BOOL -> every numeric type, and numeric -> BOOL', async () => {
    await compare('cast bool', (net) => {
      const x = net.addInput('x', DataType.BOOL, [3, 9]);
      for (const to of [DataType.FLOAT, DataType.HALF, DataType.BF16, DataType.INT8, DataType.UINT8, DataType.INT32, DataType.INT64]) {
        const y = cast(net, x, to);
        net.markOutput(y);
        net.markOutput(cast(net, y, DataType.BOOL));
      }
    }, { x: ints([3, 9], 41, 0, 1) }, EXACT);
  });
});

// ---- GATHER --------------------------------------------------------------------------------------

const movedTypes = [DataType.FLOAT, DataType.HALF, DataType.INT8, DataType.UINT8, DataType.INT64, DataType.BOOL, DataType.FP8];

describe.skipIf(!!skipReason)(gpuTitle('cuda GATHER: DEFAULT (with a batch dim), ELEMENT and ND, out-of-range indices read zeros (exact)'), () => {
  for (const dtype of movedTypes) {
    it(`${name(dtype)}: every mode, INT32 and INT64 indices`, async () => {
      await compare(`gather ${name(dtype)}`, (net) => {
        const { x, output } = typedInput(net, 'x', dtype, [3, 4, 5]);
        const gather = (idx: Tensor, mode: trt.GatherMode, axis: number, batchDims = 0): void => {
          const g = net.addGatherV2(x, idx, mode);
          g.axis = axis;
          if (batchDims) g.numElementWiseDims = batchDims;
          output(g.getOutput(0));
        };
        // DEFAULT: -1 wraps, 4 and -5 are out of range (zero rows).
        gather(i32(net, [2, 3], [-1, 0, 3, 4, -5, 2]), GatherMode.DEFAULT, 1);
        gather(i64(net, [4], [2, -3, 3, 0]), GatherMode.DEFAULT, 0);
        gather(i32(net, [2], [4, -6]), GatherMode.DEFAULT, 2);
        // DEFAULT with one batch dim: per-batch indices [3, 2], broadcast indices [1, 2], broadcast data [1, 4, 5].
        gather(i32(net, [3, 2], [0, -1, 2, 7, 3, 1]), GatherMode.DEFAULT, 1, 1);
        gather(i64(net, [1, 2], [3, -4]), GatherMode.DEFAULT, 2, 1);
        const x1 = net.addSlice(x, [1, 0, 0], [1, 4, 5], [1, 1, 1]).getOutput(0);
        const gb = net.addGatherV2(x1, i32(net, [3, 2], [0, 1, 2, 3, -1, 9]), GatherMode.DEFAULT);
        gb.axis = 1;
        gb.numElementWiseDims = 1;
        output(gb.getOutput(0));
        // ELEMENT along each axis; indices no larger than the data on the other axes.
        gather(i32(net, [2, 4, 5], Array.from({ length: 40 }, (_, i) => ((i * 7) % 9) - 4)), GatherMode.ELEMENT, 0);
        gather(i64(net, [3, 6, 2], Array.from({ length: 36 }, (_, i) => ((i * 5) % 11) - 5)), GatherMode.ELEMENT, 1);
        gather(i32(net, [3, 4, 3], Array.from({ length: 36 }, (_, i) => ((i * 3) % 13) - 6)), GatherMode.ELEMENT, 2);
        // ND: tuples of 2 and 3, one batch dim, out-of-range tuples.
        gather(i32(net, [2, 2], [1, 3, -1, -4]), GatherMode.ND, 0);
        gather(i64(net, [4, 3], [0, 0, 0, 2, 3, 4, -1, -1, -1, 3, 0, 0]), GatherMode.ND, 0);
        gather(i32(net, [2, 2, 1], [2, 0, 5, -3]), GatherMode.ND, 0);
        gather(i32(net, [3, 2, 1], [0, -1, 3, 4, 1, 2]), GatherMode.ND, 0, 1);
        gather(i64(net, [3, 2], [1, 4, 0, 0, 5, 2]), GatherMode.ND, 0, 1);
      }, { x: sample(feedType(dtype), [3, 4, 5], 50 + dtype) }, EXACT);
    });
  }
});

// ---- SCATTER -------------------------------------------------------------------------------------

describe.skipIf(!!skipReason)(gpuTitle('cuda SCATTER: ELEMENT and ND, duplicates in index order, every reduction, out-of-range updates dropped (exact)'), () => {
  // [mode, axis, indices dims, indices, updates dims] on data [4, 5].
  const cases: Array<[trt.ScatterMode, number, number[], number[], number[]]> = [
    [ScatterMode.ELEMENT, 1, [4, 3], [0, 4, 0, -1, 2, -1, 9, 1, 1, 3, 3, 3], [4, 3]],
    [ScatterMode.ELEMENT, 0, [3, 5], [0, 1, 2, 3, -4, 0, 0, 5, 3, 1, -1, 2, 2, -5, 1], [3, 5]],
    [ScatterMode.ELEMENT, -1, [5, 2], [1, 1, 0, -2, 4, 4, 2, 0, 3, 3], [5, 2]], // row 4 of the indices is outside the data
    [ScatterMode.ND, 0, [4, 1], [1, -1, 1, 7], [4, 5]],
    [ScatterMode.ND, 0, [5, 2], [0, 0, 3, 4, 0, 0, -1, -1, 2, 9], [5]],
    [ScatterMode.ND, 0, [2, 2, 1], [2, 2, -4, 2], [2, 2, 5]],
  ];
  const reductions = [ScatterReduction.NONE, ScatterReduction.SUM, ScatterReduction.PROD, ScatterReduction.MAX, ScatterReduction.MIN];
  for (const dtype of [DataType.FLOAT, DataType.HALF, DataType.BF16, DataType.INT8, DataType.UINT8, DataType.INT32, DataType.INT64, DataType.BOOL, DataType.FP8]) {
    const reduce = dtype === DataType.FP8 ? [ScatterReduction.NONE] : reductions;
    it(`${name(dtype)}: ${reduce.map((r) => ScatterReduction[r]).join(', ')}`, async () => {
      const feeds: Record<string, Ref> = { x: sample(feedType(dtype), [4, 5], 60 + dtype) };
      cases.forEach(([, , , , ud], k) => {
        const u = sample(feedType(dtype), ud, 70 + 10 * dtype + k);
        if (dtype === DataType.FLOAT || dtype === DataType.HALF || dtype === DataType.BF16) u.data[1] = NaN; // MAX/MIN propagate NaN
        feeds[`u${k}`] = u;
      });
      await compare(`scatter ${name(dtype)}`, (net) => {
        const { x, output } = typedInput(net, 'x', dtype, [4, 5]);
        cases.forEach(([mode, axis, idims, idx, udims], k) => {
          const { x: u } = typedInput(net, `u${k}`, dtype, udims);
          for (const r of reduce) {
            const indices = k % 2 === 0 ? i32(net, idims, idx) : i64(net, idims, idx);
            const s = net.addScatter(x, indices, u, mode);
            if (mode === ScatterMode.ELEMENT) s.axis = axis;
            s.reduction = r;
            output(s.getOutput(0));
          }
        });
      }, feeds, EXACT);
    });
  }

  it('FLOAT: ND slices of a rank-3 tensor, many duplicates', async () => {
    const idx = Array.from({ length: 64 }, (_, i) => (i * 7) % 3);
    await compare('scatter rank 3', (net) => {
      const x = net.addInput('x', DataType.FLOAT, [3, 4, 5]);
      const u = net.addInput('u', DataType.FLOAT, [64, 4, 5]);
      for (const r of reductions) {
        const s = net.addScatter(x, i32(net, [64, 1], idx), u, ScatterMode.ND);
        s.reduction = r;
        net.markOutput(s.getOutput(0));
      }
      const e = net.addScatter(x, i64(net, [3, 4, 5], Array.from({ length: 60 }, (_, i) => (i * 3) % 5)), net.addInput('v', DataType.FLOAT, [3, 4, 5]), ScatterMode.ELEMENT);
      e.axis = 2;
      e.reduction = ScatterReduction.SUM;
      net.markOutput(e.getOutput(0));
    }, { x: randomRef([3, 4, 5], 80), u: randomRef([64, 4, 5], 81), v: randomRef([3, 4, 5], 82) }, EXACT);
  });
});

// ---- SLICE ---------------------------------------------------------------------------------------

interface SliceCase {
  start: number[];
  shape: number[];
  stride: number[];
  axes?: number[];
}

describe.skipIf(!!skipReason)(gpuTitle('cuda SLICE: WRAP, CLAMP, FILL (with and without a fill tensor), REFLECT, tensor inputs (exact)'), () => {
  const dims = [4, 5, 7];
  const outside: SliceCase[] = [
    { start: [-2, -6, -9], shape: [8, 4, 12], stride: [1, 3, 2] },
    { start: [6, 7, 20], shape: [9, 5, 8], stride: [-1, -2, -3] },
    { start: [0, -1, 3], shape: [3, 13, 5], stride: [2, 1, 0] },
    { axes: [-1, 0], start: [9, -3], shape: [6, 7], stride: [-2, 1] },
  ];
  const addSlice = (net: Net, x: Tensor, c: SliceCase, mode: trt.SampleMode): trt.ISliceLayer => {
    const layer = net.addSlice(x, [0, 0, 0], [1, 1, 1], [1, 1, 1]);
    layer.mode = mode;
    if (c.axes) layer.axes = c.axes;
    layer.start = c.start;
    layer.shape = c.shape;
    layer.stride = c.stride;
    return layer;
  };
  for (const dtype of [...movedTypes, DataType.INT32]) {
    it(`${name(dtype)}: every sampling mode, fill tensors of other types`, async () => {
      await compare(`slice ${name(dtype)}`, (net) => {
        const { x, output } = typedInput(net, 'x', dtype, dims);
        for (const mode of [SampleMode.STRICT_BOUNDS, SampleMode.WRAP, SampleMode.CLAMP, SampleMode.FILL, SampleMode.REFLECT]) {
          const cases = mode === SampleMode.STRICT_BOUNDS ? [{ start: [3, 4, 6], shape: [4, 2, 3], stride: [-1, -3, -2] }] : outside;
          for (const c of cases) output(addSlice(net, x, c, mode).getOutput(0));
        }
        // FILL values of FLOAT (2.5: truncated for integers), INT32 (-3) and the data's own type.
        for (const fill of [f32(net, [], [2.5]), i32(net, [], [-3]), cast(net, f32(net, [], [1]), dtype)]) {
          const layer = addSlice(net, x, outside[0]!, SampleMode.FILL);
          layer.setInput(4, fill);
          output(layer.getOutput(0));
        }
        // REFLECT over a dim of extent 1.
        const x1 = net.addSlice(x, [2, 0, 0], [1, 5, 7], [1, 1, 1]).getOutput(0);
        output(addSlice(net, x1, { start: [-2, 3, -8], shape: [4, 6, 9], stride: [1, 1, 1] }, SampleMode.REFLECT).getOutput(0));
      }, { x: sample(feedType(dtype), dims, 90 + dtype) }, EXACT);
    });
  }

  it('FLOAT: start, size, stride and axes as INT32/INT64 tensors, and a start computed from shapes', async () => {
    await compare('slice inputs', (net) => {
      const x = net.addInput('x', DataType.FLOAT, [-1, 5, 7]);
      const a = addSlice(net, x, { axes: [0, 1, 2], start: [0, 0, 0], shape: [1, 1, 1], stride: [1, 1, 1] }, SampleMode.WRAP);
      a.setInput(1, i32(net, [3], [3, 0, 1]));
      a.setInput(2, i32(net, [3], [2, 3, 3]));
      a.setInput(3, i32(net, [3], [-2, 2, 2]));
      net.markOutput(a.getOutput(0));
      const b = addSlice(net, x, { axes: [0, 1], start: [0, 0], shape: [1, 1], stride: [1, 1] }, SampleMode.CLAMP);
      b.setInput(1, i64(net, [2], [6, 1]));
      b.setInput(2, i64(net, [2], [3, 2]));
      b.setInput(3, i64(net, [2], [-3, 1]));
      b.setInput(5, i64(net, [2], [2, 0]));
      net.markOutput(b.getOutput(0));
      // start = shape(x) - 2 on every axis: read past the end (REFLECT).
      const start = net.addElementWise(net.addShape(x).getOutput(0), i64(net, [3], [2, 2, 2]), ElementWiseOperation.SUB).getOutput(0);
      const c = addSlice(net, x, { start: [0, 0, 0], shape: [5, 4, 9], stride: [1, 1, 1] }, SampleMode.REFLECT);
      c.setInput(1, start);
      net.markOutput(c.getOutput(0));
    }, { x: randomRef([4, 5, 7], 99) }, EXACT, { profiles: [{ x: [[1, 5, 7], [4, 5, 7], [6, 5, 7]] }] });
  });
});

// ---- REDUCE over integers, and one-byte types in the other layers -------------------------------

describe.skipIf(!!skipReason)(gpuTitle('cuda integer REDUCE and one-byte types in ELEMENTWISE, UNARY and data movement (exact)'), () => {
  for (const dtype of [DataType.INT8, DataType.UINT8, DataType.INT32, DataType.INT64]) {
    it(`REDUCE ${name(dtype)}: every op, wrap-around, AVG truncating, axes tensors`, async () => {
      await compare(`reduce ${name(dtype)}`, (net) => {
        const x = net.addInput('x', dtype, [3, 4, 50]);
        for (const op of [ReduceOperation.SUM, ReduceOperation.PROD, ReduceOperation.MAX, ReduceOperation.MIN, ReduceOperation.AVG]) {
          net.markOutput(net.addReduce(x, op, 0b100, false).getOutput(0));
          net.markOutput(net.addReduce(x, op, 0b011, true).getOutput(0));
          net.markOutput(net.addReduce(x, op, 0b111, false).getOutput(0));
          const r = net.addReduce(x, op, 0, true);
          r.setInput(1, i32(net, [2], [-1, 0]));
          net.markOutput(r.getOutput(0));
        }
      }, { x: sample(dtype, [3, 4, 50], 110 + dtype) }, EXACT);
    });
  }

  for (const dtype of [DataType.INT8, DataType.UINT8]) {
    it(`ELEMENTWISE and UNARY ${name(dtype)}: arithmetic wraps, comparisons`, async () => {
      const ops = [ElementWiseOperation.SUM, ElementWiseOperation.PROD, ElementWiseOperation.MAX, ElementWiseOperation.MIN, ElementWiseOperation.SUB,
        ElementWiseOperation.DIV, ElementWiseOperation.POW, ElementWiseOperation.FLOOR_DIV, ElementWiseOperation.EQUAL, ElementWiseOperation.GREATER, ElementWiseOperation.LESS];
      await compare(`elementwise ${name(dtype)}`, (net) => {
        const a = net.addInput('a', dtype, [3, 8]);
        const b = net.addInput('b', dtype, [1, 8]);
        for (const op of ops) net.markOutput(net.addElementWise(a, b, op).getOutput(0));
        if (dtype === DataType.INT8) for (const op of [UnaryOperation.ABS, UnaryOperation.NEG, UnaryOperation.SIGN]) net.markOutput(net.addUnary(a, op).getOutput(0));
      }, { a: sample(dtype, [3, 8], 120), b: { dims: [1, 8], data: Float64Array.from(dtype === DataType.INT8 ? [2, -3, 0, 1, -1, 7, -128, 3] : [2, 3, 0, 1, 255, 7, 128, 3]) } }, EXACT);
    });
  }

  for (const dtype of [DataType.INT8, DataType.UINT8, DataType.BOOL, DataType.FP8]) {
    it(`${name(dtype)}: SHUFFLE, CONCATENATION, PADDING, SELECT, ONE_HOT, REVERSE_SEQUENCE, IDENTITY`, async () => {
      await compare(`data movement ${name(dtype)}`, (net) => {
        const { x, output } = typedInput(net, 'x', dtype, [2, 3, 4]);
        const s = net.addShuffle(x);
        s.firstTranspose = [2, 0, 1];
        s.reshapeDims = [4, 6];
        s.secondTranspose = [1, 0];
        output(s.getOutput(0));
        const c = net.addConcatenation([x, x]);
        c.axis = 1;
        output(c.getOutput(0));
        output(net.addPaddingNd(x, [1, -1], [2, 1]).getOutput(0));
        const cond = net.addInput('cond', DataType.BOOL, [1, 3, 4]);
        output(net.addSelect(cond, x, net.addSlice(x, [1, 0, 0], [1, 3, 4], [1, 1, 1]).getOutput(0)).getOutput(0));
        const offOn = net.addSlice(net.addShuffle(x).getOutput(0), [0, 0, 0], [1, 1, 2], [1, 1, 1]);
        const values = net.addShuffle(offOn.getOutput(0));
        values.reshapeDims = [2];
        output(net.addOneHot(i32(net, [2, 3], [0, -1, 3, 4, -5, 2]), values.getOutput(0), i32(net, [], [4]), 1).getOutput(0));
        output(net.addReverseSequence(x, i32(net, [3], [2, 1, 0])).getOutput(0));
        output(net.addIdentity(x).getOutput(0));
      }, { x: sample(feedType(dtype), [2, 3, 4], 130 + dtype), cond: ints([1, 3, 4], 131, 0, 1) }, EXACT);
    });
  }
});
