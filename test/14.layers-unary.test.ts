/**
 * UNARY: every UnaryOperation x FLOAT/HALF/BF16 on inputs in the op's domain, the integer forms of
 * ABS/NEG/SIGN, NOT on BOOL, ISINF/ISNAN giving BOOL, ROUND half to even; against the TS
 * reference.
 *
 * Tolerances are checkLayer's per-dtype defaults throughout (no toleranceScale anywhere):
 *   FLOAT rtol 1e-5 / atol 1e-6, HALF rtol 2e-3 / atol 1e-3, BF16 rtol 1.6e-2 / atol 1e-2,
 *   integer and BOOL outputs exact.
 * Engine and reference evaluate the function on the same stored input (the engine in float, the
 * reference in double) and round once to the output type, so ill-conditioned regions (TAN near
 * pi/2, ACOS near 1) do not widen the difference: it stays within float's own ~1 ulp libm error
 * plus one rounding of the output type.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { DataType, UnaryOperation } from '../lib/index.js';
import { expectLayerError, newNetwork, runRaw } from './helpers/layer-checks.js';
import { checkLayer, floatTypes, randomRef } from './helpers/layers.js';
import * as R from './reference/index.js';

const U = UnaryOperation;
const allOps = Object.values(UnaryOperation).filter((v): v is UnaryOperation => typeof v === 'number');
const allTypes = [DataType.FLOAT, DataType.HALF, DataType.BF16, DataType.INT8, DataType.UINT8, DataType.INT32, DataType.INT64, DataType.BOOL];

/** Input domain [lo, hi] per op, plus values every case includes (edges, zeros, ties). */
const domain: Record<UnaryOperation, { lo: number; hi: number; extra?: number[] }> = {
  [U.EXP]: { lo: -5, hi: 5, extra: [0, -0, 1, -10] },
  [U.LOG]: { lo: 0.01, hi: 10, extra: [1, 2.718281828459045, 1000, 1e-3] },
  [U.SQRT]: { lo: 0, hi: 10, extra: [0, 1, 4, 1e4, 2.25] },
  [U.RECIP]: { lo: 0.1, hi: 5, extra: [1, -1, 0.5, -4, 3] }, // sign flipped on alternate elements below
  [U.ABS]: { lo: -5, hi: 5, extra: [0, -0, -1e4, 1e4] },
  [U.NEG]: { lo: -5, hi: 5, extra: [0, -0, -1e4] },
  [U.SIN]: { lo: -6.5, hi: 6.5, extra: [0, Math.PI / 2, -Math.PI, 100] },
  [U.COS]: { lo: -6.5, hi: 6.5, extra: [0, Math.PI, -Math.PI / 3, 100] },
  [U.TAN]: { lo: -1.4, hi: 1.4, extra: [0, Math.PI / 4, -1] },
  [U.SINH]: { lo: -4, hi: 4, extra: [0, 1e-3, -8] },
  [U.COSH]: { lo: -4, hi: 4, extra: [0, 1e-3, -8] },
  [U.ASIN]: { lo: -0.99, hi: 0.99, extra: [-1, 1, 0, 0.5] },
  [U.ACOS]: { lo: -0.99, hi: 0.99, extra: [-1, 1, 0, -0.5] },
  [U.ATAN]: { lo: -10, hi: 10, extra: [0, 1, -1, 1e4] },
  [U.ASINH]: { lo: -10, hi: 10, extra: [0, 1, -1e3] },
  [U.ACOSH]: { lo: 1, hi: 10, extra: [1, 1.5, 1e3] },
  [U.ATANH]: { lo: -0.95, hi: 0.95, extra: [0, 0.5, -0.75] },
  [U.CEIL]: { lo: -5, hi: 5, extra: [-2, 2, -0.5, 0.5, -0, 1e6 + 0.5] },
  [U.FLOOR]: { lo: -5, hi: 5, extra: [-2, 2, -0.5, 0.5, -0, 1e6 + 0.5] },
  [U.ERF]: { lo: -3, hi: 3, extra: [0, 0.5, -5, 5] },
  [U.NOT]: { lo: 0, hi: 1 }, // BOOL only
  [U.SIGN]: { lo: -3, hi: 3, extra: [0, -0, 1e-3, -1e-3, 1e4] },
  // Ties in every float type: n + 0.5 for small n, and their negatives.
  [U.ROUND]: { lo: -5, hi: 5, extra: [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 0.49, -0.51, 7, 100.5, 101.5] },
  [U.ISINF]: { lo: -1e5, hi: 1e5, extra: [Infinity, -Infinity, NaN, 0, 1e38, 70000] },
  [U.ISNAN]: { lo: -1e5, hi: 1e5, extra: [NaN, -NaN, Infinity, -Infinity, 0] },
};

/** What the engine accepts (docs/layers.md). */
function supports(op: UnaryOperation, dtype: DataType): boolean {
  if (op === U.NOT) return dtype === DataType.BOOL;
  if (op === U.ABS || op === U.NEG || op === U.SIGN) return dtype !== DataType.BOOL && dtype !== DataType.UINT8;
  return floatTypes.includes(dtype as (typeof floatTypes)[number]);
}
const outputType = (op: UnaryOperation, dtype: DataType): DataType => (op === U.ISINF || op === U.ISNAN ? DataType.BOOL : dtype);

function inputFor(op: UnaryOperation, dims: number[], seed: number): R.Ref {
  const d = domain[op];
  const x = randomRef(dims, seed, d.lo, d.hi);
  if (op === U.RECIP) for (let i = 1; i < x.data.length; i += 2) x.data[i] = -x.data[i]!;
  (d.extra ?? []).forEach((v, i) => {
    if (i < x.data.length) x.data[i] = v;
  });
  return x;
}

async function checkUnary(op: UnaryOperation, dtype: DataType, x: R.Ref, dynamic = false): Promise<void> {
  await checkLayer({
    inputs: { x: { ref: x, dtype } },
    define: (net, t) => net.addUnary(t['x']!, op).getOutput(0),
    reference: (s) => R.unary(s['x']!, { op }),
    outputTypes: [outputType(op, dtype)],
    dynamic,
  });
}

describe('UNARY: every operation x FLOAT/HALF/BF16 (default per-dtype tolerances)', () => {
  const shapes = [[29], [2, 3, 7], [1, 3, 16, 16]];
  for (const op of allOps) {
    if (op === U.NOT) continue;
    for (const dtype of floatTypes) {
      it(`${U[op]} ${DataType[dtype]}`, async () => {
        for (const [i, dims] of shapes.entries()) await checkUnary(op, dtype, inputFor(op, dims, 31 * op + 7 * dtype + i));
      });
    }
  }

  it('ROUND rounds every .5 tie to even (exact in all three types)', async () => {
    const ties = [-4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 126.5, 127.5];
    const x = R.ref([ties.length], ties);
    for (const dtype of floatTypes) {
      const out = await checkUnary2(U.ROUND, dtype, x);
      expect(Array.from(out.data)).toEqual([-4, -4, -2, -2, -0, 0, 2, 2, 4, 4, 6, 6, 126, 128]);
    }
  });

  it('infinities, NaN and out-of-domain inputs follow IEEE (inf, -inf, NaN results)', async () => {
    const special = R.ref([6], [Infinity, -Infinity, NaN, 0, -0, -1]);
    for (const dtype of floatTypes) {
      for (const op of [U.EXP, U.LOG, U.SQRT, U.RECIP, U.ABS, U.NEG, U.SINH, U.COSH, U.ATAN, U.ASINH, U.CEIL, U.FLOOR, U.ERF, U.SIGN, U.ROUND]) {
        await checkUnary(op, dtype, special);
      }
      // Outside the real domain: NaN; at the poles: ±inf.
      await checkUnary(U.ASIN, dtype, R.ref([3], [1.5, -2, 1]));
      await checkUnary(U.ACOS, dtype, R.ref([3], [1.5, -2, -1]));
      await checkUnary(U.ACOSH, dtype, R.ref([3], [0.5, -1, 1]));
      await checkUnary(U.ATANH, dtype, R.ref([4], [1, -1, 2, Infinity]));
    }
  });

  it('ISINF / ISNAN see values that overflow the storage type as infinite', async () => {
    // 70000 and 1e5 overflow HALF (max 65504) when stored; 1e39 overflows FLOAT and BF16 alike.
    const x = R.ref([5], [70000, 1e5, -1e39, 65504, NaN]);
    for (const dtype of floatTypes) {
      await checkUnary(U.ISINF, dtype, x);
      await checkUnary(U.ISNAN, dtype, x);
    }
  });

  it('a dynamic-shape input gives the same results as a static one', async () => {
    await checkUnary(U.SIN, DataType.FLOAT, inputFor(U.SIN, [3, 17], 5), true);
    await checkUnary(U.ISNAN, DataType.HALF, inputFor(U.ISNAN, [4, 5], 6), true);
    await checkUnary(U.NOT, DataType.BOOL, R.ref([2, 3], [0, 1, 1, 0, 0, 1]), true);
  });

  it('a large tensor (split across threads) matches', async () => {
    await checkUnary(U.EXP, DataType.HALF, inputFor(U.EXP, [8, 64, 130], 77));
    await checkUnary(U.ERF, DataType.FLOAT, inputFor(U.ERF, [8, 64, 130], 78));
  });
});

/** checkUnary that also returns the engine output. */
async function checkUnary2(op: UnaryOperation, dtype: DataType, x: R.Ref): Promise<R.Ref> {
  const [out] = await checkLayer({
    inputs: { x: { ref: x, dtype } },
    define: (net, t) => net.addUnary(t['x']!, op).getOutput(0),
    reference: (s) => R.unary(s['x']!, { op }),
    outputTypes: [outputType(op, dtype)],
  });
  return out!;
}

describe('UNARY: integer and BOOL forms (exact)', () => {
  const intRange: Record<number, [number, number, number[]]> = {
    // [lo, hi, extras]: the minimum value wraps (ABS and NEG of it give itself).
    [DataType.INT8]: [-128, 127, [-128, 127, 0, -1, 1]],
    [DataType.INT32]: [-1e6, 1e6, [-2147483648, 2147483647, 0, -1, 1]],
    [DataType.INT64]: [-(2 ** 50), 2 ** 50, [-(2 ** 52), 2 ** 52, 0, -1, 1]],
  };
  for (const op of [U.ABS, U.NEG, U.SIGN]) {
    for (const dtype of [DataType.INT8, DataType.INT32, DataType.INT64]) {
      it(`${U[op]} ${DataType[dtype]}`, async () => {
        const [lo, hi, extra] = intRange[dtype]!;
        for (const [i, dims] of [[17], [2, 3, 4]].entries()) {
          const x = R.map(randomRef(dims, 10 * dtype + i, lo, hi), Math.round);
          extra.forEach((v, j) => (x.data[j] = v));
          await checkUnary(op, dtype, x);
        }
      });
    }
  }

  it('ABS and NEG of INT64_MIN give INT64_MIN (two-complement wrap); SIGN gives -1', async () => {
    const MIN = -(2n ** 63n);
    const x = BigInt64Array.from([MIN, MIN + 1n, 2n ** 63n - 1n, -5n]);
    const ops = [U.ABS, U.NEG, U.SIGN];
    const out = await runRaw(
      (net) => {
        const t = net.addInput('x', DataType.INT64, [4]);
        ops.forEach((op, i) => {
          const y = net.addUnary(t, op).getOutput(0);
          y.name = `o${i}`;
          net.markOutput(y);
        });
      },
      { x: { dims: [4], data: x } },
    );
    expect(Array.from(out['o0']!.data as BigInt64Array)).toEqual([MIN, 2n ** 63n - 1n, 2n ** 63n - 1n, 5n]);
    expect(Array.from(out['o1']!.data as BigInt64Array)).toEqual([MIN, 2n ** 63n - 1n, MIN + 1n, 5n]);
    expect(Array.from(out['o2']!.data as BigInt64Array)).toEqual([-1n, -1n, 1n, -1n]);
  });

  it('NOT BOOL', async () => {
    await checkUnary(U.NOT, DataType.BOOL, R.ref([2, 5], [0, 1, 1, 0, 0, 1, 0, 1, 1, 1]));
  });

  it('NOT treats any non-zero byte as true and writes canonical 0/1', async () => {
    const out = await runRaw(
      (net) => {
        const y = net.addUnary(net.addInput('x', DataType.BOOL, [6]), U.NOT).getOutput(0);
        y.name = 'y';
        net.markOutput(y);
      },
      { x: { dims: [6], data: Uint8Array.from([0, 1, 2, 255, 128, 0]) } },
    );
    expect(Array.from(out['y']!.data as Uint8Array)).toEqual([1, 0, 0, 0, 0, 1]);
  });
});

describe('UNARY: every unsupported operation x type is refused with INVALID_ARGUMENT naming the layer', () => {
  for (const op of allOps) {
    for (const dtype of allTypes) {
      if (supports(op, dtype)) continue;
      it(`${U[op]} ${DataType[dtype]}: refused with INVALID_ARGUMENT`, () => {
        const { builder, net } = newNetwork();
        const x = net.addInput('x', dtype, [2, 3]);
        expectLayerError(() => net.addUnary(x, op), 'INVALID_ARGUMENT', 'UNARY', new RegExp(`${U[op]}.*${DataType[dtype]}`));
        expect(net.numLayers).toBe(0);
        builder.dispose();
      });
    }
  }
});

describe('BAD CALL', () => {
  it('UNARY: NOT on FLOAT, math on integers, ABS/NEG/SIGN on UINT8 or BOOL', () => {
    const { builder, net } = newNetwork();
    const f = net.addInput('f', DataType.FLOAT, [2]);
    const i = net.addInput('i', DataType.INT32, [2]);
    const u = net.addInput('u', DataType.UINT8, [2]);
    const b = net.addInput('b', DataType.BOOL, [2]);
    expectLayerError(() => net.addUnary(f, U.NOT), 'INVALID_ARGUMENT', 'UNARY', /NOT needs a BOOL input, got FLOAT/);
    expectLayerError(() => net.addUnary(i, U.NOT), 'INVALID_ARGUMENT', 'UNARY', /NOT needs a BOOL input, got INT32/);
    expectLayerError(() => net.addUnary(i, U.EXP), 'INVALID_ARGUMENT', 'UNARY', /EXP does not support INT32/);
    expectLayerError(() => net.addUnary(i, U.ROUND), 'INVALID_ARGUMENT', 'UNARY', /ROUND does not support INT32/);
    expectLayerError(() => net.addUnary(i, U.ISNAN), 'INVALID_ARGUMENT', 'UNARY', /ISNAN does not support INT32/);
    expectLayerError(() => net.addUnary(u, U.ABS), 'INVALID_ARGUMENT', 'UNARY', /ABS does not support UINT8/);
    expectLayerError(() => net.addUnary(b, U.NEG), 'INVALID_ARGUMENT', 'UNARY', /NEG does not support BOOL/);
    expectLayerError(() => net.addUnary(b, U.SQRT), 'INVALID_ARGUMENT', 'UNARY', /SQRT does not support BOOL/);
    expect(net.numLayers).toBe(0);
    builder.dispose();
  });

  it('UNARY: an out-of-range op is a RangeError naming the argument', () => {
    const { builder, net } = newNetwork();
    const f = net.addInput('f', DataType.FLOAT, [2]);
    expect(() => net.addUnary(f, 25 as UnaryOperation)).toThrow(RangeError);
    expect(() => net.addUnary(f, -1 as UnaryOperation)).toThrow(/UnaryOperation/);
    builder.dispose();
  });

  it('UNARY: changing the op to one the input type does not support fails validation, naming the layer', () => {
    const { builder, net } = newNetwork();
    const layer = net.addUnary(net.addInput('x', DataType.FLOAT, [2]), U.EXP);
    layer.name = 'my_exp';
    net.markOutput(layer.getOutput(0));
    layer.op = U.NOT;
    let caught: unknown;
    try {
      net.validate();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(trt.TrtError);
    expect((caught as trt.TrtError).code).toBe('INVALID_ARGUMENT');
    expect((caught as Error).message).toMatch(/my_exp/);
    expect((caught as Error).message).toMatch(/NOT needs a BOOL input/);
    builder.dispose();
  });
});
