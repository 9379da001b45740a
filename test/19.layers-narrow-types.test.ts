/**
 * FP8 (E4M3FN) and E8M0 in the built-in engine: CAST to and from FLOAT/HALF/BF16, QUANTIZE to
 * and DEQUANTIZE from FP8 (scales FLOAT or E8M0), and data movement of FP8 tensors, against a
 * plain-TS reference that works from value tables (the nearest representable value by search),
 * not from bit manipulation like the engine.
 *
 * All checks are bit-exact: every conversion here is a single correctly rounded step.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { DataType } from '../lib/index.js';
import { errorFromDefineOrBuild, expectLayerError, newNetwork, runRaw } from './helpers/layer-checks.js';
import * as R from './reference/index.js';
import { decodeFloat, encodeFloat, expectSameValues, floatTypes } from './helpers/floats.js';

// ---- reference -------------------------------------------------------------------------------

/** Value of every FP8 E4M3FN bit pattern (bias 7, 0x7f/0xff NaN, no infinities). */
const FP8: number[] = Array.from({ length: 256 }, (_, b) => {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const mant = b & 7;
  if (exp === 15 && mant === 7) return NaN;
  return sign * (exp === 0 ? (mant / 8) * 2 ** -6 : (1 + mant / 8) * 2 ** (exp - 7));
});

/** Value of every E8M0 bit pattern: 2^(b - 127), 0xff NaN. */
const E8M0: number[] = Array.from({ length: 256 }, (_, b) => (b === 255 ? NaN : 2 ** (b - 127)));

/** FP8 encoding: nearest of the 127 non-negative finite values (ties to the even pattern), saturating at 448. */
function fp8Ref(x: number): number {
  if (Number.isNaN(x)) return 0x7f;
  const sign = x < 0 || Object.is(x, -0) ? 0x80 : 0;
  const a = Math.min(Math.abs(x), 448);
  let best = 0;
  for (let k = 1; k <= 0x7e; k += 1) {
    const d = Math.abs(FP8[k]! - a) - Math.abs(FP8[best]! - a);
    if (d < 0 || (d === 0 && k % 2 === 0)) best = k;
  }
  return sign | best;
}

/** E8M0 encoding: the smallest power of two at least |x|, saturating at 2^127. */
function e8m0Ref(x: number): number {
  if (Number.isNaN(x)) return 0xff;
  const a = Math.abs(x);
  for (let k = 0; k <= 0xfe; k += 1) if (E8M0[k]! >= a) return k;
  return 0xfe;
}


function expectSameBytes(got: trt.TypedArray, want: number[], what: string, inputs: number[]): void {
  const bad = want.map((w, i) => [i, inputs[i]!, (got as Uint8Array)[i]!, w] as const).filter(([, , g, w]) => g !== w);
  expect(bad.slice(0, 5), `${what}: [index, input, got, want]`).toEqual([]);
}

/** Inputs that probe FP8 rounding: every value, every midpoint and its neighbours, saturation, NaN. */
function fp8Probes(): number[] {
  const out: number[] = [];
  for (let k = 0; k < 0x7e; k += 1) {
    const lo = FP8[k]!;
    const hi = FP8[k + 1]!;
    const mid = (lo + hi) / 2;
    out.push(lo, mid, mid + (hi - lo) / 64, mid - (hi - lo) / 64);
  }
  out.push(448, 456, 460, 463.9, 464, 464.1, 470, 480, 500, 1e6, 3e38, Infinity, NaN, 2 ** -10, 2 ** -11, 1e-30, 0);
  return [...out, ...out.map((v) => -v)];
}

// ---- CAST ------------------------------------------------------------------------------------

describe('CAST FP8 (E4M3FN)', () => {
  for (const dtype of floatTypes) {
    it(`FP8 -> ${DataType[dtype]}: all 256 bit patterns decode exactly`, async () => {
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const out = await runRaw(
        (net) => {
          const y = net.addCast(net.addInput('x', DataType.FP8, [256]), dtype).getOutput(0);
          y.name = 'y';
          net.markOutput(y);
        },
        { x: { dims: [256], data: bytes } },
      );
      expectSameValues(decodeFloat(out['y']!.data, dtype), FP8, `FP8 -> ${DataType[dtype]}`);
    });

    it(`${DataType[dtype]} -> FP8: round trip of every value, ties to even, saturation at +-448, NaN 0x7f`, async () => {
      // The probes as the source type stores them (HALF/BF16 round some probes, and 3e38 to inf in HALF).
      const values = fp8Probes().map((v) => (Number.isNaN(v) ? NaN : R.storeAs(v, dtype)));
      const out = await runRaw(
        (net) => {
          const y = net.addCast(net.addInput('x', dtype, [values.length]), DataType.FP8).getOutput(0);
          y.name = 'y';
          net.markOutput(y);
        },
        { x: { dims: [values.length], data: encodeFloat(values, dtype) } },
      );
      expect(out['y']!.data).toBeInstanceOf(Uint8Array);
      expectSameBytes(out['y']!.data, values.map(fp8Ref), `${DataType[dtype]} -> FP8`, values);
    });
  }

  it('FLOAT -> FP8 -> FLOAT: each of the 256 patterns survives (NaN patterns stay NaN)', async () => {
    const out = await runRaw(
      (net) => {
        const x = net.addInput('x', DataType.FP8, [256]);
        const f = net.addCast(x, DataType.FLOAT).getOutput(0);
        const back = net.addCast(f, DataType.FP8).getOutput(0);
        back.name = 'y';
        net.markOutput(back);
      },
      { x: { dims: [256], data: Uint8Array.from({ length: 256 }, (_, i) => i) } },
    );
    const got = Array.from(out['y']!.data as Uint8Array);
    // NaN keeps its sign: 0x7f and 0xff map to themselves.
    expect(got).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });
});

describe('CAST E8M0', () => {
  for (const dtype of floatTypes) {
    it(`E8M0 -> ${DataType[dtype]}: all 256 bit patterns (rounded to ${DataType[dtype]})`, async () => {
      const out = await runRaw(
        (net) => {
          const y = net.addCast(net.addInput('x', DataType.E8M0, [256]), dtype).getOutput(0);
          y.name = 'y';
          net.markOutput(y);
        },
        { x: { dims: [256], data: Uint8Array.from({ length: 256 }, (_, i) => i) } },
      );
      expectSameValues(decodeFloat(out['y']!.data, dtype), E8M0.map((v) => (Number.isNaN(v) ? NaN : R.storeAs(v, dtype))), `E8M0 -> ${DataType[dtype]}`);
    });

    it(`${DataType[dtype]} -> E8M0: rounds the magnitude up to a power of two, saturating at 2^127`, async () => {
      const probes = [0, -0, 1, 1.1, 2, 3, 4, 0.124, 0.125, 0.3, -0.3, -5, 1000, 65504, 2 ** -14, 2 ** -14 * 1.5, 2 ** -24, 1e-30, 2 ** -126, 2 ** -127, 2 ** -127 * 1.5, 2 ** -140, 2 ** 127, 2 ** 127 * 1.5, 3e38, Infinity, -Infinity, NaN];
      const values = probes.map((v) => (Number.isNaN(v) ? NaN : R.storeAs(v, dtype)));
      const out = await runRaw(
        (net) => {
          const y = net.addCast(net.addInput('x', dtype, [values.length]), DataType.E8M0).getOutput(0);
          y.name = 'y';
          net.markOutput(y);
        },
        { x: { dims: [values.length], data: encodeFloat(values, dtype) } },
      );
      expectSameBytes(out['y']!.data, values.map(e8m0Ref), `${DataType[dtype]} -> E8M0`, values);
    });
  }

  it('FLOAT -> E8M0 -> FLOAT: each of the 256 patterns survives', async () => {
    const out = await runRaw(
      (net) => {
        const f = net.addCast(net.addInput('x', DataType.E8M0, [256]), DataType.FLOAT).getOutput(0);
        const back = net.addCast(f, DataType.E8M0).getOutput(0);
        back.name = 'y';
        net.markOutput(back);
      },
      { x: { dims: [256], data: Uint8Array.from({ length: 256 }, (_, i) => i) } },
    );
    expect(Array.from(out['y']!.data as Uint8Array)).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });
});

// ---- QUANTIZE / DEQUANTIZE ---------------------------------------------------------------------

/** Scales as constants: FLOAT values or E8M0 patterns. */
function scaleTensor(net: trt.NetworkDefinition, scaleType: DataType, scales: number[]): trt.ITensor {
  const dims = scales.length === 1 ? [] : [scales.length];
  if (scaleType === DataType.E8M0) return net.addConstant(dims, new trt.Weights(DataType.E8M0, Uint8Array.from(scales.map(e8m0Ref)))).getOutput(0);
  return net.addConstant(dims, new trt.Weights(Float32Array.from(scales))).getOutput(0);
}

describe('QUANTIZE to FP8 / DEQUANTIZE from FP8', () => {
  for (const dtype of floatTypes) {
    for (const scaleType of [DataType.FLOAT, DataType.E8M0]) {
      it(`QUANTIZE ${DataType[dtype]} -> FP8, ${DataType[scaleType]} scale, per-tensor and per-axis: fp8(x / scale), saturating`, async () => {
        const dims = [4, 30];
        const x = R.map(R.ref(dims, (_i, f) => ((f * 7919) % 1201) - 600 + (f % 3) * 0.37), (v) => R.storeAs(v, dtype));
        x.data[0] = NaN;
        x.data[1] = Infinity;
        for (const [scales, axis] of [
          [[0.5], -1],
          [[2], -1],
          [[0.25, 1, 4, 0.125], 0],
        ] as Array<[number[], number]>) {
          const out = await runRaw(
            (net) => {
              const q = net.addQuantize(net.addInput('x', dtype, dims), scaleTensor(net, scaleType, scales), DataType.FP8);
              if (axis >= 0) q.axis = axis;
              const y = q.getOutput(0);
              y.name = 'y';
              net.markOutput(y);
            },
            { x: { dims, data: encodeFloat(Array.from(x.data), dtype) } },
          );
          expect(out['y']!.data).toBeInstanceOf(Uint8Array);
          const want = Array.from(x.data, (v, f) => fp8Ref(Math.fround(v / scales[axis < 0 ? 0 : Math.floor(f / dims[1]!)]!)));
          expectSameBytes(out['y']!.data, want, `quantize scales ${scales}`, Array.from(x.data));
        }
      });

      it(`DEQUANTIZE FP8 -> ${DataType[dtype]}, ${DataType[scaleType]} scale: all 256 patterns times the scale`, async () => {
        const dims = [16, 16];
        for (const [scales, axis] of [
          [[0.5], -1],
          [Array.from({ length: 16 }, (_, i) => 2 ** (i - 8)), 0],
        ] as Array<[number[], number]>) {
          const out = await runRaw(
            (net) => {
              const d = net.addDequantize(net.addInput('x', DataType.FP8, dims), scaleTensor(net, scaleType, scales), dtype);
              if (axis >= 0) d.axis = axis;
              const y = d.getOutput(0);
              y.name = 'y';
              net.markOutput(y);
            },
            { x: { dims, data: Uint8Array.from({ length: 256 }, (_, i) => i) } },
          );
          const want = FP8.map((v, b) => (Number.isNaN(v) ? NaN : R.storeAs(Math.fround(v * scales[axis < 0 ? 0 : b >> 4]!), dtype)));
          expectSameValues(decodeFloat(out['y']!.data, dtype), want, `dequantize scales ${scales.length}`);
        }
      });
    }
  }
});

// ---- data movement ---------------------------------------------------------------------------

describe('FP8 and E8M0 data movement', () => {
  for (const dtype of [DataType.FP8, DataType.E8M0]) {
    it(`${DataType[dtype]}: IDENTITY, SHUFFLE, CONCATENATION with a CONSTANT, SLICE and GATHER move the bytes`, async () => {
      const x = Uint8Array.from({ length: 24 }, (_, i) => (i * 37 + 5) & 0xff);
      const c = Uint8Array.from({ length: 6 }, (_, i) => 0x40 + i);
      const out = await runRaw(
        (net) => {
          const input = net.addInput('x', dtype, [2, 3, 4]);
          const id = net.addIdentity(input).getOutput(0);
          const sh = net.addShuffle(id);
          sh.firstTranspose = [2, 0, 1]; // [4, 2, 3]
          const k = net.addConstant([1, 2, 3], new trt.Weights(dtype, c)).getOutput(0);
          const cat = net.addConcatenation([sh.getOutput(0), k]); // [5, 2, 3]
          cat.axis = 0;
          const sl = net.addSlice(cat.getOutput(0), [1, 0, 0], [2, 2, 3], [3, 1, 1]).getOutput(0); // rows 1 and 4
          const g = net.addGather(sl, net.addConstant([2], new Int32Array([2, 0])).getOutput(0), 2).getOutput(0); // [2, 2, 2]
          g.name = 'y';
          net.markOutput(g);
        },
        { x: { dims: [2, 3, 4], data: x } },
      );
      expect(out['y']!.dims).toEqual([2, 2, 2]);
      // transpose: t[d][a][b] = x[a][b][d]; rows 4 of the concat are the constant.
      const row = (r: number, a: number, b: number): number => (r < 4 ? x[a * 12 + b * 4 + r]! : c[a * 3 + b]!);
      const want: number[] = [];
      for (const r of [1, 4]) for (let a = 0; a < 2; a += 1) for (const b of [2, 0]) want.push(row(r, a, b));
      expect(Array.from(out['y']!.data as Uint8Array)).toEqual(want);
    });
  }
});

// ---- BAD CALL --------------------------------------------------------------------------------

describe('BAD CALL', () => {
  it('CAST: FP8 and E8M0 convert to and from float types only', () => {
    const { builder, net } = newNetwork();
    const f8 = net.addInput('f8', DataType.FP8, [2]);
    const i32 = net.addInput('i', DataType.INT32, [2]);
    expectLayerError(() => net.addCast(f8, DataType.INT32), 'INVALID_ARGUMENT', 'CAST', /FP8 to INT32/);
    expectLayerError(() => net.addCast(i32, DataType.E8M0), 'INVALID_ARGUMENT', 'CAST', /INT32 to E8M0/);
    expectLayerError(() => net.addCast(f8, DataType.E8M0), 'INVALID_ARGUMENT', 'CAST', /FP8 to E8M0/);
    builder.dispose();
  });

  it('QUANTIZE: FP8 takes no zero point (refused at the latest by the build); arithmetic on FP8 is refused', async () => {
    const caught = await errorFromDefineOrBuild((net) => {
      const q = net.addQuantize(net.addInput('f', DataType.FLOAT, [2]), net.addConstant([], new Float32Array([0.5])).getOutput(0), DataType.FP8);
      q.setInput(2, net.addConstant([], new Int8Array([0])).getOutput(0));
      return q.getOutput(0);
    });
    expect(caught).toBeInstanceOf(trt.TrtError);
    expect((caught as trt.TrtError).code).toBe('INVALID_ARGUMENT');
    expect((caught as Error).message).toMatch(/\(QUANTIZE\).*zero point is not supported with FP8/);
    const { builder, net } = newNetwork();
    const f8 = net.addInput('f8', DataType.FP8, [2]);
    expectLayerError(() => net.addElementWise(f8, f8, trt.ElementWiseOperation.SUM), 'INVALID_ARGUMENT', 'ELEMENTWISE', /FP8/);
    builder.dispose();
  });
});
