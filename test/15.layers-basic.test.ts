/**
 * CAST (every pair of stored types), IDENTITY, CONSTANT, SHAPE, QUANTIZE/DEQUANTIZE, FILL and LRN,
 * against the TS reference.
 *
 * Tolerances are checkLayer's per-dtype defaults throughout (no toleranceScale anywhere):
 *   FLOAT rtol 1e-5 / atol 1e-6, HALF rtol 2e-3 / atol 1e-3, BF16 rtol 1.6e-2 / atol 1e-2,
 *   integer and BOOL outputs exact.
 * CAST, IDENTITY, CONSTANT, SHAPE, QUANTIZE and integer FILL are exact by construction (a float
 * output of a cast is compared after the reference rounds to the output type, so rounding must
 * match to within the default tolerance; the CAST cases below are in fact checked bit-exactly as
 * well). RANDOM_* fills are checked statistically (mean and variance within 6 standard errors).
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { DataType, FillOperation } from '../lib/index.js';
import { buildEngine, runEngine, runNetwork } from './helpers/engine.js';
import { expectLayerError, expectLayerRejects, newNetwork, runRaw, weightsOf } from './helpers/layer-checks.js';
import { asStored, checkLayer, floatTypes, randomRef } from './helpers/layers.js';
import { toBfloat16Bits, toFloat16Bits } from './helpers/onnx.js';
import * as R from './reference/index.js';

const storedTypes = [DataType.FLOAT, DataType.HALF, DataType.BF16, DataType.INT32, DataType.INT64, DataType.INT8, DataType.UINT8, DataType.BOOL];
const isFloat = (t: DataType): boolean => t === DataType.FLOAT || t === DataType.HALF || t === DataType.BF16;


// ---------------------------------------------------------------------------------------------
// CAST
// ---------------------------------------------------------------------------------------------

/**
 * Source values per type: truncation toward zero, values beyond every narrower range (saturation
 * for float sources, wrap-around for integer sources), negatives to UINT8, NaN and infinities,
 * and integers above 2^24 whose rounding to BF16 must not go through a rounded float first.
 */
const castSources: Record<number, number[]> = {
  [DataType.FLOAT]: [
    -3e9, -70000, -300.7, -255.9, -129.5, -128.9, -128, -2.5, -1.7, -0.4, -0, 0, 0.3, 1.5, 2.9, 127.6, 128.2, 255.9, 256.5, 70000.7, 3e9, 1e20,
    -1e20, 1e38, NaN, Infinity, -Infinity, 16777216, 0.1, 65519, 65520, 2049,
  ],
  [DataType.INT32]: [
    -2147483648, -16842753, -70000, -300, -256, -129, -128, -1, 0, 1, 2, 127, 128, 255, 256, 300, 2049, 65519, 65520, 70000, 16777217, 16842753,
    2147483647,
  ],
  [DataType.INT64]: [
    -(2 ** 53) + 1, -1103806595073, -2147483649, -2147483648, -16842753, -300, -129, -1, 0, 1, 255, 256, 2147483647, 2147483648, 4294967301,
    16842753, 1103806595073, 2 ** 53 - 1,
  ],
  [DataType.INT8]: [-128, -127, -100, -2, -1, 0, 1, 2, 100, 127],
  [DataType.UINT8]: [0, 1, 2, 100, 127, 128, 200, 254, 255],
  [DataType.BOOL]: [0, 1, 1, 0, 1],
};
castSources[DataType.HALF] = castSources[DataType.FLOAT]!;
castSources[DataType.BF16] = castSources[DataType.FLOAT]!;

describe('CAST: every pair of stored types (exact: every value equal to the reference)', () => {
  for (const from of storedTypes) {
    for (const to of storedTypes) {
      it(`${DataType[from]} -> ${DataType[to]}`, async () => {
        const values = castSources[from]!;
        const [out] = await checkLayer({
          inputs: { x: { ref: R.ref([values.length], values), dtype: from } },
          define: (net, t) => net.addCast(t['x']!, to).getOutput(0),
          reference: (s) => R.cast(s['x']!, { toType: to, fromType: from }),
          outputTypes: [to],
        });
        // Stronger than the default float tolerance: casts round once, so the result is exact.
        const want = asStored(R.cast(asStored(R.ref([values.length], values), from), { toType: to, fromType: from }), to);
        const bad = Array.from(out!.data)
          .map((g, i) => ({ g, w: want.data[i]!, v: values[i]! }))
          .filter(({ g, w }) => !(g === w || (Number.isNaN(g) && Number.isNaN(w))));
        expect(bad.map(({ g, w, v }) => `${v} -> ${g} (want ${w})`)).toEqual([]);
      });
    }
  }

  it('a BOOL source treats any non-zero byte as true', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 255, 128, 0]);
    const targets = storedTypes.filter((t) => t !== DataType.HALF && t !== DataType.BF16);
    const out = await runRaw(
      (net) => {
        const x = net.addInput('x', DataType.BOOL, [6]);
        targets.forEach((to, i) => {
          const y = net.addCast(x, to).getOutput(0);
          y.name = `o${i}`;
          net.markOutput(y);
        });
        // 16-bit float outputs read back through a FLOAT cast of their value.
        [DataType.HALF, DataType.BF16].forEach((to, i) => {
          const y = net.addCast(net.addCast(x, to).getOutput(0), DataType.FLOAT).getOutput(0);
          y.name = `f${i}`;
          net.markOutput(y);
        });
      },
      { x: { dims: [6], data: bytes } },
    );
    targets.forEach((to, i) => {
      expect(Array.from(out[`o${i}`]!.data, Number), `BOOL -> ${DataType[to]}`).toEqual([0, 1, 1, 1, 1, 0]);
    });
    for (const i of [0, 1]) expect(Array.from(out[`f${i}`]!.data as Float32Array)).toEqual([0, 1, 1, 1, 1, 0]);
  });

  it('INT64 beyond 2^53 casts exactly (wrap to INT32/INT8, rounding to FLOAT)', async () => {
    const x = BigInt64Array.from([2n ** 63n - 1n, -(2n ** 63n), 2n ** 62n + 2n ** 32n + 7n, -(2n ** 60n) - 1n]);
    const out = await runRaw(
      (net) => {
        const t = net.addInput('x', DataType.INT64, [4]);
        [DataType.INT32, DataType.INT8, DataType.UINT8, DataType.FLOAT].forEach((to, i) => {
          const y = net.addCast(t, to).getOutput(0);
          y.name = `o${i}`;
          net.markOutput(y);
        });
      },
      { x: { dims: [4], data: x } },
    );
    expect(Array.from(out['o0']!.data as Int32Array)).toEqual(Array.from(x, (v) => Number(BigInt.asIntN(32, v))));
    expect(Array.from(out['o1']!.data as Int8Array)).toEqual(Array.from(x, (v) => Number(BigInt.asIntN(8, v))));
    expect(Array.from(out['o2']!.data as Uint8Array)).toEqual(Array.from(x, (v) => Number(BigInt.asUintN(8, v))));
    expect(Array.from(out['o3']!.data as Float32Array)).toEqual(Array.from(x, (v) => Math.fround(Number(v))));
  });

  it('float to INT64 saturates at the INT64 limits', async () => {
    const out = await runRaw(
      (net) => {
        const y = net.addCast(net.addInput('x', DataType.FLOAT, [5]), DataType.INT64).getOutput(0);
        y.name = 'y';
        net.markOutput(y);
      },
      { x: { dims: [5], data: Float32Array.from([1e20, -1e20, Infinity, -Infinity, NaN]) } },
    );
    expect(Array.from(out['y']!.data as BigInt64Array)).toEqual([2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n - 1n, -(2n ** 63n), 0n]);
  });

  it('a dynamic-shape input gives the same results as a static one', async () => {
    await checkLayer({
      inputs: { x: { ref: randomRef([3, 7], 3, -300, 300), dtype: DataType.FLOAT } },
      define: (net, t) => net.addCast(t['x']!, DataType.INT8).getOutput(0),
      reference: (s) => R.cast(s['x']!, { toType: DataType.INT8, fromType: DataType.FLOAT }),
      outputTypes: [DataType.INT8],
      dynamic: true,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// IDENTITY / CONSTANT / SHAPE
// ---------------------------------------------------------------------------------------------

function sampleValues(dtype: DataType, dims: number[], seed: number): R.Ref {
  switch (dtype) {
    case DataType.BOOL:
      return R.map(randomRef(dims, seed, 0, 2), Math.floor);
    case DataType.UINT8:
      return R.map(randomRef(dims, seed, 0, 256), Math.floor);
    case DataType.INT8:
      return R.map(randomRef(dims, seed, -128, 128), Math.floor);
    case DataType.INT32:
      return R.map(randomRef(dims, seed, -(2 ** 31), 2 ** 31), Math.floor);
    case DataType.INT64:
      return R.map(randomRef(dims, seed, -(2 ** 52), 2 ** 52), Math.floor);
    default: {
      const x = randomRef(dims, seed, -1000, 1000);
      [NaN, Infinity, -Infinity, -0, 1e-7].forEach((v, i) => (x.data[i] = v));
      return x;
    }
  }
}

describe('IDENTITY: every stored type (exact)', () => {
  for (const dtype of storedTypes) {
    it(`${DataType[dtype]}`, async () => {
      for (const [i, dims] of [[13], [2, 3, 4], [1, 2, 3, 4, 5]].entries()) {
        await checkLayer({
          inputs: { x: { ref: sampleValues(dtype, dims, 10 * dtype + i), dtype } },
          define: (net, t) => net.addIdentity(t['x']!).getOutput(0),
          reference: (s) => R.identity(s['x']!),
        });
      }
    });
  }

  it('copies every bit pattern (NaN payloads, -0, subnormals) of 16-bit floats', async () => {
    const bits = Uint16Array.from([0x7e01, 0xfc00, 0x8000, 0x0001, 0x7bff, 0xffff, 0x7fc1, 0x3c00]);
    for (const dtype of [DataType.HALF, DataType.BF16]) {
      const out = await runRaw(
        (net) => {
          const y = net.addIdentity(net.addInput('x', dtype, [8])).getOutput(0);
          y.name = 'y';
          net.markOutput(y);
        },
        { x: { dims: [8], data: bits } },
      );
      expect(Array.from(out['y']!.data as Uint16Array)).toEqual(Array.from(bits));
    }
  });

  it('dynamic shapes', async () => {
    await checkLayer({
      inputs: { x: { ref: sampleValues(DataType.INT64, [4, 5], 1), dtype: DataType.INT64 } },
      define: (net, t) => net.addIdentity(t['x']!).getOutput(0),
      reference: (s) => R.identity(s['x']!),
      dynamic: true,
    });
  });
});

describe('CONSTANT: every stored type (exact)', () => {
  for (const dtype of storedTypes) {
    it(`${DataType[dtype]}: a network whose only output is a constant`, async () => {
      for (const dims of [[2, 3], [], [1, 4, 1, 2]]) {
        const values = asStored(sampleValues(dtype, dims, dtype), dtype);
        const out = await runNetwork(
          (net) => {
            const c = net.addConstant(dims, weightsOf(dtype, values.data));
            expect(c.getOutput(0).dtype).toBe(dtype);
            expect(c.getOutput(0).shape).toEqual(dims);
            c.getOutput(0).name = 'y';
            net.markOutput(c.getOutput(0));
          },
          {},
        );
        const cmp = R.compareClose(out.byName['y']!, values, { rtol: 0, atol: 0 });
        expect(cmp.ok, `${DataType[dtype]} [${dims.join(',')}]: ${cmp.message}`).toBe(true);
      }
    });

    it(`${DataType[dtype]}: a constant feeding other layers (CAST to FLOAT, then SUM with an input)`, async () => {
      const cv = asStored(sampleValues(dtype, [1, 4], 3 * dtype), dtype);
      await checkLayer({
        inputs: { x: { ref: randomRef([3, 4], 5), dtype: DataType.FLOAT } },
        define: (net, t) => {
          const c = net.addConstant([1, 4], weightsOf(dtype, cv.data)).getOutput(0);
          const f = net.addCast(c, DataType.FLOAT).getOutput(0);
          return [net.addElementWise(t['x']!, f, trt.ElementWiseOperation.SUM).getOutput(0), f];
        },
        reference: (s) => {
          const f = R.cast(cv, { toType: DataType.FLOAT, fromType: dtype });
          return [R.elementWise(s['x']!, f, { op: R.ElementWiseOperation.SUM }), f];
        },
        outputTypes: [DataType.FLOAT, DataType.FLOAT],
      });
    });
  }

  it('constants of the input type feed ELEMENTWISE directly (HALF, BF16, INT32, INT64, INT8, UINT8)', async () => {
    for (const dtype of [DataType.HALF, DataType.BF16, DataType.INT32, DataType.INT64, DataType.INT8, DataType.UINT8]) {
      const cv = asStored(isFloat(dtype) ? randomRef([1, 3, 1], 9) : R.ref([1, 3, 1], dtype === DataType.UINT8 ? [3, 0, 5] : [1, -2, 3]), dtype);
      const x = isFloat(dtype) ? randomRef([2, 3, 4], 8, -100, 100) : dtype === DataType.INT64 ? R.map(sampleValues(dtype, [2, 3, 4], 8), (v) => Math.trunc(v / 4)) : sampleValues(dtype, [2, 3, 4], 8);
      await checkLayer({
        inputs: { x: { ref: x, dtype } },
        define: (net, t) => net.addElementWise(t['x']!, net.addConstant([1, 3, 1], weightsOf(dtype, cv.data)).getOutput(0), trt.ElementWiseOperation.PROD).getOutput(0),
        reference: (s) => R.elementWise(s['x']!, cv, { op: R.ElementWiseOperation.PROD, isInteger: !isFloat(dtype) }),
      });
    }
  });

  it('a BOOL constant drives SELECT', async () => {
    const cond = [1, 0, 1, 1, 0, 0];
    await checkLayer({
      inputs: { a: { ref: randomRef([2, 3], 1), dtype: DataType.FLOAT }, b: { ref: randomRef([2, 3], 2), dtype: DataType.FLOAT } },
      define: (net, t) => net.addSelect(net.addConstant([2, 3], weightsOf(DataType.BOOL, cond)).getOutput(0), t['a']!, t['b']!).getOutput(0),
      reference: (s) => R.select(R.ref([2, 3], cond), s['a']!, s['b']!),
    });
  });
});

describe('SHAPE (exact INT64 output)', () => {
  it('static inputs of several types and ranks', async () => {
    for (const [dtype, dims] of [
      [DataType.FLOAT, [2, 3, 4]],
      [DataType.HALF, [7]],
      [DataType.INT8, [1, 1, 5, 1]],
      [DataType.BOOL, [3, 0, 2]],
      [DataType.INT64, []],
    ] as Array<[DataType, number[]]>) {
      const n = dims.reduce((a, b) => a * b, 1);
      await checkLayer({
        inputs: { x: { ref: R.ref(dims, new Array<number>(n).fill(1)), dtype } },
        define: (net, t) => {
          const s = net.addShape(t['x']!).getOutput(0);
          expect(s.dtype).toBe(DataType.INT64);
          expect(s.shape).toEqual([dims.length]);
          return s;
        },
        reference: (s) => R.shape(s['x']!),
        outputTypes: [DataType.INT64],
      });
    }
  });

  it('with a dynamic input the value follows the run-time shape (and drives a FILL)', async () => {
    const engine = await buildEngine(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [-1, 3, -1]);
        const s = net.addShape(x).getOutput(0);
        s.name = 'shape';
        net.markOutput(s);
        const fill = net.addFill([], FillOperation.LINSPACE, DataType.INT32);
        fill.setInput(0, s);
        fill.alpha = 5;
        fill.beta = 2;
        fill.getOutput(0).name = 'fill';
        net.markOutput(fill.getOutput(0));
      },
      { profiles: [{ x: [[1, 3, 1], [2, 3, 4], [8, 3, 10]] }] },
    );
    try {
      for (const dims of [
        [2, 3, 5],
        [7, 3, 1],
        [1, 3, 10],
      ]) {
        const out = await runEngine(engine, { x: { ref: R.ref(dims, new Array<number>(dims[0]! * 3 * dims[2]!).fill(0)) } });
        expect(Array.from(out['shape']!.data)).toEqual(dims);
        expect(out['fill']!.dims).toEqual(dims);
        expect(Array.from(out['fill']!.data)).toEqual(Array.from(R.fill({ shape: dims, alpha: 5, beta: 2 }).data));
      }
    } finally {
      engine.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// QUANTIZE / DEQUANTIZE
// ---------------------------------------------------------------------------------------------

/**
 * Inputs whose quotients x / scale are either exact (scale a power of two: exact .5 ties, which
 * round half to even) or at least 1e-3 away from a tie, so float division rounds like double.
 */
function quantInput(dims: number[], seed: number, scales: ArrayLike<number>, axis: number, dtype: DataType): R.Ref {
  const x = randomRef(dims, seed, -45, 45);
  return R.ref(dims, (idx, f) => {
    const s = scales.length === 1 ? scales[0]! : scales[idx[axis]!]!;
    let v = x.data[f]!;
    if (f % 5 === 0) v = (Math.round(v / s) + 0.5) * s; // a tie (exact when s is a power of two)
    v = R.storeAs(v, dtype);
    for (let k = 0; k < 20 && R.roundHalfEven(Math.fround(v / s)) !== R.roundHalfEven(v / s); k += 1) v = R.storeAs(v * 1.01 + 0.01, dtype);
    return v;
  });
}

describe('QUANTIZE / DEQUANTIZE (INT8 exact; dequantized floats at the default tolerances)', () => {
  for (const dtype of floatTypes) {
    for (const scaleType of [DataType.FLOAT, dtype].filter((t, i, a) => a.indexOf(t) === i)) {
      it(`QUANTIZE ${DataType[dtype]}, ${DataType[scaleType]} scale, per-tensor (scale a constant or an input)`, async () => {
        for (const scale of [0.25, 0.3, 2]) {
          const s = asStored(R.ref([], [scale]), scaleType).data[0]!;
          const x = quantInput([2, 3, 7], 10 * scale, [s], 0, dtype);
          await checkLayer({
            inputs: { x: { ref: x, dtype } },
            define: (net, t) => net.addQuantize(t['x']!, net.addConstant([], weightsOf(scaleType, [s])).getOutput(0)).getOutput(0),
            reference: (st) => R.quantize(st['x']!, s),
            outputTypes: [DataType.INT8],
          });
          await checkLayer({
            inputs: { x: { ref: x, dtype }, s: { ref: R.ref([], [s]), dtype: scaleType } },
            define: (net, t) => net.addQuantize(t['x']!, t['s']!).getOutput(0),
            reference: (st) => R.quantize(st['x']!, s),
            outputTypes: [DataType.INT8],
          });
        }
      });

      it(`QUANTIZE ${DataType[dtype]}, ${DataType[scaleType]} scale, per-axis (axis 0, 1 and last)`, async () => {
        for (const [dims, axis] of [
          [[4, 5], 0],
          [[2, 4, 3], 1],
          [[2, 3, 5], 2],
        ] as Array<[number[], number]>) {
          const scales = asStored(R.ref([dims[axis]!], (_i, f) => [0.25, 0.3, 0.5, 0.125, 1.7][f % 5]!), scaleType).data;
          const x = quantInput(dims, axis + 1, scales, axis, dtype);
          await checkLayer({
            inputs: { x: { ref: x, dtype } },
            define: (net, t) => {
              const q = net.addQuantize(t['x']!, net.addConstant([scales.length], weightsOf(scaleType, scales)).getOutput(0));
              q.axis = axis;
              return q.getOutput(0);
            },
            reference: (st) => R.quantize(st['x']!, scales, { axis }),
            outputTypes: [DataType.INT8],
          });
        }
      });

      it(`DEQUANTIZE INT8 -> ${DataType[dtype]}, ${DataType[scaleType]} scale, per-tensor and per-axis`, async () => {
        const x = R.map(randomRef([2, 4, 3], 7, -128, 128), Math.floor);
        x.data[0] = -128;
        x.data[1] = 127;
        const s = asStored(R.ref([], [0.37]), scaleType).data[0]!;
        await checkLayer({
          inputs: { x: { ref: x, dtype: DataType.INT8 } },
          define: (net, t) => net.addDequantize(t['x']!, net.addConstant([], weightsOf(scaleType, [s])).getOutput(0), dtype).getOutput(0),
          reference: (st) => R.dequantize(st['x']!, s),
          outputTypes: [dtype],
        });
        const scales = asStored(R.ref([4], [0.5, 0.01, 3, 0.37]), scaleType).data;
        await checkLayer({
          inputs: { x: { ref: x, dtype: DataType.INT8 } },
          define: (net, t) => {
            const d = net.addDequantize(t['x']!, net.addConstant([4], weightsOf(scaleType, scales)).getOutput(0), dtype);
            d.axis = 1;
            return d.getOutput(0);
          },
          reference: (st) => R.dequantize(st['x']!, scales, { axis: 1 }),
          outputTypes: [dtype],
        });
      });
    }

    it(`QUANTIZE -> DEQUANTIZE round trip, ${DataType[dtype]}: within scale/2 of the input where it does not clamp`, async () => {
      const scales = [0.05, 0.1, 0.2];
      const x = quantInput([2, 3, 16], 3, scales.map(Math.fround), 1, dtype);
      const [q, rt] = await checkLayer({
        inputs: { x: { ref: x, dtype } },
        define: (net, t) => {
          const s = net.addConstant([3], weightsOf(DataType.FLOAT, scales)).getOutput(0);
          const ql = net.addQuantize(t['x']!, s);
          ql.axis = 1;
          const dl = net.addDequantize(ql.getOutput(0), s, dtype);
          dl.axis = 1;
          return [ql.getOutput(0), dl.getOutput(0)];
        },
        reference: (st) => {
          const fs = scales.map(Math.fround);
          const qr = R.quantize(st['x']!, fs, { axis: 1 });
          return [qr, R.dequantize(qr, fs, { axis: 1 })];
        },
        outputTypes: [DataType.INT8, dtype],
      });
      const xs = asStored(x, dtype);
      R.forEachIndex(x.dims, (idx, f) => {
        const s = scales[idx[1]!]!;
        if (Math.abs(q!.data[f]!) < 127) expect(Math.abs(rt!.data[f]! - xs.data[f]!)).toBeLessThanOrEqual(s / 2 + Math.abs(xs.data[f]!) * 1e-2);
      });
    });
  }

  it('NaN quantizes to 0 and infinities clamp', async () => {
    await checkLayer({
      inputs: { x: { ref: R.ref([4], [NaN, Infinity, -Infinity, 1e30]), dtype: DataType.FLOAT } },
      define: (net, t) => net.addQuantize(t['x']!, net.addConstant([], new Float32Array([0.5])).getOutput(0)).getOutput(0),
      reference: () => R.ref([4], [0, 127, -128, 127]),
      outputTypes: [DataType.INT8],
    });
  });

  it('dynamic shapes', async () => {
    const x = quantInput([3, 4], 2, [0.25], 0, DataType.FLOAT);
    await checkLayer({
      inputs: { x: { ref: x, dtype: DataType.FLOAT } },
      define: (net, t) => net.addQuantize(t['x']!, net.addConstant([], new Float32Array([0.25])).getOutput(0)).getOutput(0),
      reference: (st) => R.quantize(st['x']!, 0.25),
      outputTypes: [DataType.INT8],
      dynamic: true,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// FILL
// ---------------------------------------------------------------------------------------------

describe('FILL LINSPACE (FLOAT at the default tolerance, INT32/INT64 exact)', () => {
  const linspaceTypes = [DataType.FLOAT, DataType.INT32, DataType.INT64];
  for (const dtype of linspaceTypes) {
    it(`${DataType[dtype]}: scalar alpha and beta (beta steps the last dimension)`, async () => {
      for (const [shape, alpha, beta] of [
        [[2, 3, 4], -3, 2],
        [[7], 10, -3],
        [[2, 5], 0.5, 1.25],
        [[3, 2], -2.75, 0.5],
        [[], 4, 1],
        [[2, 0, 3], 1, 1],
      ] as Array<[number[], number, number]>) {
        await checkLayer({
          inputs: {},
          define: (net) => {
            const f = net.addFill(shape, FillOperation.LINSPACE, dtype);
            f.alpha = alpha;
            f.beta = beta;
            expect(f.getOutput(0).shape).toEqual(shape);
            return f.getOutput(0);
          },
          reference: () => R.fill({ shape, alpha, beta }),
          outputTypes: [dtype],
        });
      }
    });

    it(`${DataType[dtype]}: alpha and per-dimension beta from tensors`, async () => {
      const paramType = dtype === DataType.FLOAT ? DataType.FLOAT : dtype;
      for (const [shape, alpha, beta] of [
        [[2, 3, 4], 7, [100, 10, 1]],
        [[3, 5], -4, [-6, 2]],
        [[4], 1, [3]],
        [[2, 3, 4], 0, [5]], // one beta value for a rank-3 output steps the last dimension
      ] as Array<[number[], number, number[]]>) {
        await checkLayer({
          inputs: {},
          define: (net) => {
            const f = net.addFill(shape, FillOperation.LINSPACE, dtype);
            f.setInput(1, net.addConstant([], weightsOf(paramType, [alpha])).getOutput(0));
            f.setInput(2, net.addConstant([beta.length], weightsOf(paramType, beta)).getOutput(0));
            return f.getOutput(0);
          },
          reference: () => R.fill({ shape, alpha, beta }),
          outputTypes: [dtype],
        });
      }
    });

    it(`${DataType[dtype]}: the shape from an INT32 / INT64 shape tensor`, async () => {
      for (const shapeType of [DataType.INT32, DataType.INT64]) {
        await checkLayer({
          inputs: {},
          define: (net) => {
            const f = net.addFill([], FillOperation.LINSPACE, dtype);
            f.setInput(0, net.addConstant([2], weightsOf(shapeType, [3, 4])).getOutput(0));
            f.alpha = 1;
            f.beta = 3;
            return f.getOutput(0);
          },
          reference: () => R.fill({ shape: [3, 4], alpha: 1, beta: 3 }),
          outputTypes: [dtype],
        });
      }
    });
  }

  it('FLOAT with fractional per-dimension beta', async () => {
    const shape = [3, 4, 5];
    const beta = [0.5, -0.25, 0.125];
    await checkLayer({
      inputs: {},
      define: (net) => {
        const f = net.addFill(shape, FillOperation.LINSPACE, DataType.FLOAT);
        f.alpha = -1.5;
        f.setInput(2, net.addConstant([3], new Float32Array(beta)).getOutput(0));
        return f.getOutput(0);
      },
      reference: () => R.fill({ shape, alpha: -1.5, beta }),
      outputTypes: [DataType.FLOAT],
    });
  });
});

describe('FILL RANDOM_UNIFORM / RANDOM_NORMAL (statistical: mean and variance within 6 standard errors)', () => {
  /** IFillLayer.seed is this library's extension (TensorRT's random fill is unseeded). */
  function setSeed(layer: trt.IFillLayer, seed: number): void {
    layer.seed = seed;
    expect(layer.seed).toBe(seed);
  }

  async function randomFill(op: FillOperation, dtype: DataType, shape: number[], alpha: number, beta: number, seed?: number): Promise<R.Ref> {
    const out = await runNetwork((net) => {
      const f = net.addFill(shape, op, dtype);
      f.alpha = alpha;
      f.beta = beta;
      if (seed !== undefined) setSeed(f, seed);
      f.getOutput(0).name = 'y';
      net.markOutput(f.getOutput(0));
    }, {});
    return out.byName['y']!;
  }

  for (const op of [FillOperation.RANDOM_UNIFORM, FillOperation.RANDOM_NORMAL]) {
    for (const dtype of [DataType.FLOAT, DataType.HALF]) {
      it(`${FillOperation[op]} ${DataType[dtype]}: statistics, determinism and seeds`, async () => {
        const [alpha, beta] = op === FillOperation.RANDOM_UNIFORM ? [-2, 3] : [1.5, 2];
        const a = await randomFill(op, dtype, [50, 400], alpha, beta);
        expect(a.dims).toEqual([50, 400]);
        const stats = R.checkRandomFill(a.data, op, alpha, beta);
        expect(stats.ok, stats.message).toBe(true);
        // Same seed (the default, 0) -> the same values; another seed -> other values, same law.
        const again = await randomFill(op, dtype, [50, 400], alpha, beta);
        expect(Array.from(again.data)).toEqual(Array.from(a.data));
        const seeded = await randomFill(op, dtype, [50, 400], alpha, beta, 12345);
        const seededAgain = await randomFill(op, dtype, [50, 400], alpha, beta, 12345);
        expect(Array.from(seededAgain.data)).toEqual(Array.from(seeded.data));
        const same = seeded.data.filter((v, i) => v === a.data[i]).length;
        expect(same).toBeLessThan(seeded.data.length / 20);
        const s2 = R.checkRandomFill(seeded.data, op, alpha, beta);
        expect(s2.ok, s2.message).toBe(true);
        // Element i depends only on (seed, i): a smaller fill is a prefix of a larger one.
        const small = await randomFill(op, dtype, [1000], alpha, beta);
        expect(Array.from(small.data)).toEqual(Array.from(a.data.slice(0, 1000)));
      });
    }
  }

  it('RANDOM_UNIFORM stays inside [alpha, beta) for a narrow range', async () => {
    const a = await randomFill(FillOperation.RANDOM_UNIFORM, DataType.FLOAT, [20000], 1, 1.0001);
    expect(Math.min(...a.data)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...a.data)).toBeLessThan(Math.fround(1.0001));
  });
});

// ---------------------------------------------------------------------------------------------
// LRN
// ---------------------------------------------------------------------------------------------

describe('LRN across channels (dim 1; default per-dtype tolerances)', () => {
  const shapes = [
    [2, 7, 3, 3],
    [1, 3, 4, 2], // window wider than C
    [2, 6, 5], // rank 3: still dim 1
    [1, 4, 2, 2, 2], // rank 5
    [1, 5, 15, 20], // H*W = 300 spans more than one 256-element tile
  ];
  for (const dtype of floatTypes) {
    for (const windowSize of [1, 3, 5, 7, 15]) {
      it(`${DataType[dtype]} window ${windowSize}`, async () => {
        for (const [i, dims] of shapes.entries()) {
          const [alpha, beta, k] = ([[0.8, 0.75, 1.5], [2, 0.5, 1], [1e-4, 0.75, 2]] as const)[i % 3]!;
          await checkLayer({
            inputs: { x: { ref: randomRef(dims, 100 * windowSize + i, -3, 3), dtype } },
            define: (net, t) => net.addLRN(t['x']!, windowSize, alpha, beta, k).getOutput(0),
            reference: (s) => R.lrn(s['x']!, { windowSize, alpha, beta, k, channelAxis: 1 }),
          });
        }
      });
    }
  }

  it('reads back its settings, and a dynamic-shape input gives the same results', async () => {
    const { builder, net } = newNetwork();
    const l = net.addLRN(net.addInput('x', DataType.FLOAT, [1, 3, 2, 2]), 5, 0.5, 0.75, 2);
    expect([l.windowSize, l.alpha, l.beta, l.k]).toEqual([5, 0.5, 0.75, 2]);
    builder.dispose();
    await checkLayer({
      inputs: { x: { ref: randomRef([2, 6, 3, 3], 4, -3, 3), dtype: DataType.FLOAT } },
      define: (n, t) => n.addLRN(t['x']!, 3, 0.5, 0.75, 1).getOutput(0),
      reference: (s) => R.lrn(s['x']!, { windowSize: 3, alpha: 0.5, beta: 0.75, k: 1, channelAxis: 1 }),
      dynamic: true,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// BAD CALL
// ---------------------------------------------------------------------------------------------

describe('BAD CALL', () => {
  it('CAST: an unknown type is a RangeError (INT4 and FP4: test/19.layers-packed-types)', () => {
    const { builder, net } = newNetwork();
    const x = net.addInput('x', DataType.FLOAT, [2]);
    expect(() => net.addCast(x, 42 as DataType)).toThrow(RangeError);
    expect(net.numLayers).toBe(0);
    builder.dispose();
  });

  it('CONSTANT: weights that do not fill the shape', () => {
    const { builder, net } = newNetwork();
    expect(() => net.addConstant([2, 3], new Float32Array(5))).toThrow(RangeError);
    const c = net.addConstant([2, 3], new Float32Array(6));
    c.name = 'my_const';
    net.markOutput(c.getOutput(0));
    c.shape = [4, 2];
    let caught: unknown;
    try {
      net.validate();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(trt.TrtError);
    expect((caught as trt.TrtError).code).toBe('INVALID_ARGUMENT');
    expect((caught as Error).message).toMatch(/my_const.*\(CONSTANT\).*6 values/);
    builder.dispose();
  });

  it('CONSTANT: packed INT4 weights must hold the element count of the shape', () => {
    const { builder, net } = newNetwork();
    // Two bytes hold 4 INT4 values (or 3, given the count); a shape of 2 needs one byte.
    expect(() => net.addConstant([2], new trt.Weights(DataType.INT4, new Uint8Array(2)))).toThrow(RangeError);
    expect(net.numLayers).toBe(0);
    builder.dispose();
  });

  it('QUANTIZE: non-float input, an output type other than INT8/FP8/INT4/FP4, bad scale type or dims', () => {
    const { builder, net } = newNetwork();
    const f = net.addInput('f', DataType.FLOAT, [2, 3]);
    const h = net.addInput('h', DataType.HALF, [2, 3]);
    const i = net.addInput('i', DataType.INT32, [2, 3]);
    const s = net.addConstant([], new Float32Array([0.5])).getOutput(0);
    const bfs = net.addConstant([], weightsOf(DataType.BF16, [0.5])).getOutput(0);
    const is = net.addConstant([], new Int32Array([1])).getOutput(0);
    const s2d = net.addConstant([2, 3], new Float32Array(6).fill(1)).getOutput(0);
    expectLayerError(() => net.addQuantize(i, s), 'INVALID_ARGUMENT', 'QUANTIZE', /INT32/);
    for (const to of [DataType.INT32, DataType.UINT8]) {
      expectLayerError(() => net.addQuantize(f, s, to), 'INVALID_ARGUMENT', 'QUANTIZE', new RegExp(`${DataType[to]}`));
    }
    expectLayerError(() => net.addQuantize(f, is), 'INVALID_ARGUMENT', 'QUANTIZE', /scale type INT32/);
    expectLayerError(() => net.addQuantize(h, bfs), 'INVALID_ARGUMENT', 'QUANTIZE', /scale type BF16 must be FLOAT, E8M0 or HALF/);
    expectLayerError(() => net.addQuantize(f, s2d), 'INVALID_ARGUMENT', 'QUANTIZE', /blocked scale must differ from the input in exactly one dimension/);
    builder.dispose();
  });

  it('QUANTIZE / DEQUANTIZE: a per-axis scale that matches no axis, or no axis set, fails validation, naming the layer', () => {
    const cases: Array<[string, (n: trt.NetworkDefinition) => trt.ILayer, RegExp]> = [
      ['QUANTIZE', (n) => n.addQuantize(n.addInput('x', DataType.FLOAT, [2, 3]), n.addConstant([4], new Float32Array(4).fill(1)).getOutput(0)), /scale has 4 values/],
      [
        'QUANTIZE',
        (n) => {
          const q = n.addQuantize(n.addInput('x', DataType.FLOAT, [2, 3]), n.addConstant([3], new Float32Array(3).fill(1)).getOutput(0));
          q.axis = -1;
          return q;
        },
        /needs a quantization axis/,
      ],
      ['DEQUANTIZE', (n) => n.addDequantize(n.addInput('x', DataType.INT8, [2, 3]), n.addConstant([5], new Float32Array(5).fill(1)).getOutput(0)), /scale has 5 values/],
    ];
    for (const [type, make, msg] of cases) {
      const { builder, net } = newNetwork();
      const layer = make(net);
      layer.name = 'my_qdq';
      net.markOutput(layer.getOutput(0));
      const err = expectLayerError(() => net.validate(), 'INVALID_ARGUMENT', type, msg);
      expect(err.message).toMatch(/my_qdq/);
      builder.dispose();
    }
  });

  it('QUANTIZE: an axis set after creation that does not match the scale fails the build, naming the layer', async () => {
    const { builder, net } = newNetwork();
    const x = net.addInput('x', DataType.FLOAT, [2, 3]);
    const q = net.addQuantize(x, net.addConstant([3], new Float32Array([1, 2, 3])).getOutput(0));
    q.name = 'my_q';
    q.axis = 0; // the default for a 1-D scale; the scale runs along axis 1
    net.markOutput(q.getOutput(0));
    const err = await expectLayerRejects(builder.buildSerializedNetwork(net, builder.createBuilderConfig()), 'INVALID_ARGUMENT', 'QUANTIZE', /3 values/);
    expect(err.message).toMatch(/my_q/);
    builder.dispose();
  });

  it('DEQUANTIZE: non-INT8 input, non-float output, bad scale type', () => {
    const { builder, net } = newNetwork();
    const f = net.addInput('f', DataType.FLOAT, [2, 3]);
    const q = net.addInput('q', DataType.INT8, [2, 3]);
    const u = net.addInput('u', DataType.UINT8, [2, 3]);
    const s = net.addConstant([], new Float32Array([0.5])).getOutput(0);
    const is = net.addConstant([], new Int32Array([1])).getOutput(0);
    expectLayerError(() => net.addDequantize(f, s), 'INVALID_ARGUMENT', 'DEQUANTIZE', /input type FLOAT/);
    expectLayerError(() => net.addDequantize(u, s), 'INVALID_ARGUMENT', 'DEQUANTIZE', /input type UINT8/);
    expectLayerError(() => net.addDequantize(q, s, DataType.INT32), 'INVALID_ARGUMENT', 'DEQUANTIZE', /toType INT32/);
    expectLayerError(() => net.addDequantize(q, is), 'INVALID_ARGUMENT', 'DEQUANTIZE', /scale type INT32/);
    builder.dispose();
  });

  it('FILL: output types, parameter tensors and shape tensors it cannot use', () => {
    const { builder, net } = newNetwork();
    for (const to of [DataType.HALF, DataType.BF16, DataType.BOOL, DataType.INT8]) {
      expectLayerError(() => net.addFill([2], FillOperation.LINSPACE, to), 'INVALID_ARGUMENT', 'FILL', new RegExp(`LINSPACE output type ${DataType[to]}`));
    }
    for (const to of [DataType.INT32, DataType.INT64, DataType.BF16]) {
      expectLayerError(() => net.addFill([2], FillOperation.RANDOM_NORMAL, to), 'INVALID_ARGUMENT', 'FILL', new RegExp(`RANDOM_NORMAL output type ${DataType[to]}`));
    }
    builder.dispose();
    // Tensors given with setInput are checked when the network is validated (or built).
    const cases: Array<[number, (n: trt.NetworkDefinition) => trt.ITensor, RegExp]> = [
      [2, (n) => n.addConstant([4], new Float32Array(4)).getOutput(0), /beta input has 4 values/],
      [2, (n) => n.addConstant([2, 3], new Float32Array(6)).getOutput(0), /beta input must be a scalar or 1-D/],
      [1, (n) => n.addConstant([2], new Float32Array(2)).getOutput(0), /alpha input must hold one value/],
      [1, (n) => n.addConstant([1], weightsOf(DataType.BOOL, [1])).getOutput(0), /alpha input must be numeric/],
      [0, (n) => n.addConstant([2], new Float32Array([2, 3])).getOutput(0), /shape input must be INT32 or INT64/],
      [0, (n) => n.addConstant([1, 2], new Int32Array([2, 3])).getOutput(0), /shape input must be 1-D/],
      [0, (n) => n.addConstant([2], new Int32Array([2, -3])).getOutput(0), /negative dimension/],
    ];
    for (const [index, make, msg] of cases) {
      const { builder: b, net: n } = newNetwork();
      const fill = n.addFill([2, 3], FillOperation.LINSPACE, DataType.FLOAT);
      fill.name = 'my_fill';
      fill.setInput(index, make(n));
      n.markOutput(fill.getOutput(0));
      const err = expectLayerError(() => n.validate(), 'INVALID_ARGUMENT', 'FILL', msg);
      expect(err.message).toMatch(/my_fill/);
      b.dispose();
    }
  });

  it('FILL: RANDOM_* with a beta that is not one value', () => {
    const { builder, net } = newNetwork();
    const fill = net.addFill([4], FillOperation.RANDOM_UNIFORM, DataType.FLOAT);
    fill.setInput(2, net.addConstant([2], new Float32Array([1, 2])).getOutput(0));
    net.markOutput(fill.getOutput(0));
    expectLayerError(() => net.validate(), 'INVALID_ARGUMENT', 'FILL', /RANDOM_UNIFORM beta input must hold one value/);
    builder.dispose();
  });

  it('LRN: even or out-of-range windows, integer input, rank below 2', () => {
    const { builder, net } = newNetwork();
    const x = net.addInput('x', DataType.FLOAT, [1, 4, 2, 2]);
    expectLayerError(() => net.addLRN(x, 4, 1, 0.75, 1), 'INVALID_ARGUMENT', 'LRN', /windowSize must be odd/);
    expect(() => net.addLRN(x, 17, 1, 0.75, 1)).toThrow(RangeError);
    expect(() => net.addLRN(x, 0, 1, 0.75, 1)).toThrow(/window/);
    expectLayerError(() => net.addLRN(net.addInput('i', DataType.INT32, [1, 4, 2, 2]), 3, 1, 0.75, 1), 'INVALID_ARGUMENT', 'LRN', /INT32/);
    expectLayerError(() => net.addLRN(net.addInput('r', DataType.FLOAT, [4]), 3, 1, 0.75, 1), 'INVALID_ARGUMENT', 'LRN', /rank >= 2/);
    expect(net.numLayers).toBe(0);
    builder.dispose();
  });
});
