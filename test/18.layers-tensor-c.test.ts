/**
 * Tensor layers, part C: CUMULATIVE, SCATTER, ONE_HOT and REVERSE_SEQUENCE against the TS
 * reference (test/reference/tensor-c.ts), through checkLayer (inputs rounded to their storage
 * type first).
 *
 * Tolerances:
 * - SCATTER, ONE_HOT and REVERSE_SEQUENCE move elements without arithmetic: compared EXACTLY for
 *   every type (toleranceScale 0).
 * - CUMULATIVE: checkLayer's per-dtype defaults; the engine accumulates in double and rounds each
 *   output once, the reference is exact in double. Integer inputs stay small enough that sums and
 *   products are exact, so integer types compare exactly.
 *
 * - SCATTER reductions (an extension): integer and BOOL types exactly (the reference wraps or
 *   maps to BOOL after each step, as the engine does); float types at checkLayer's per-dtype
 *   defaults (16-bit types round after each step in both).
 *
 * Engine semantics relied on: CUMULATIVE reads its axis (input 1) as a value, constant or
 * computed at run time; SCATTER wraps negative indices once and skips indices still out of
 * range, and applies reductions in index order (duplicates accumulate); ONE_HOT wraps negative indices once and gives all-off rows outside [-depth, depth-1];
 * REVERSE_SEQUENCE clamps lengths to [0, sequence size].
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { CumulativeOperation, DataType, ScatterMode, ScatterReduction } from '../lib/index.js';
import { buildEngine, readBytes, tensorBuffer, tensorBufferFrom } from './helpers/engine.js';
import { checkLayer, floatTypes, randomInts, randomRef, sampleValues } from './helpers/layers.js';
import { errorFromDefineOrBuild, weightsOf } from './helpers/layer-checks.js';
import * as R from './reference/index.js';
import * as C from './reference/tensor-c.js';

const allTypes = [DataType.FLOAT, DataType.HALF, DataType.BF16, DataType.INT8, DataType.UINT8, DataType.INT32, DataType.INT64, DataType.BOOL];
const T = (t: DataType): string => DataType[t];
const EXACT = 0;

function constant(net: trt.NetworkDefinition, dtype: DataType, dims: number[], values: number[]): trt.ITensor {
  return net.addConstant(dims, weightsOf(dtype, values)).getOutput(0);
}

/** A deterministic permutation of 0..n-1. */
function permutation(n: number, seed: number): number[] {
  const keys = randomRef([n], seed).data;
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
}

async function expectInvalid(define: (net: trt.NetworkDefinition) => void, layerType: string, message: RegExp): Promise<void> {
  const caught = await errorFromDefineOrBuild(define);
  expect(caught, 'expected a TrtError').toBeInstanceOf(trt.TrtError);
  const err = caught as trt.TrtError;
  expect(err.code, err.message).toBe('INVALID_ARGUMENT');
  expect(err.message).toContain(`(${layerType})`);
  expect(err.message).toMatch(message);
}

// ---------------------------------------------------------------------------------------------
// CUMULATIVE

describe('CUMULATIVE', () => {
  const dims = [3, 4, 5];
  const types = [...floatTypes, DataType.INT32, DataType.INT64];

  function values(dtype: DataType, op: CumulativeOperation, seed: number): R.Ref {
    if (op === CumulativeOperation.PROD) {
      // Factors near 1 (floats) or in -2..2 (integers) keep products finite and exact.
      return dtype === DataType.INT32 || dtype === DataType.INT64 ? randomInts(dims, seed, -2, 2) : randomRef(dims, seed, 0.5, 1.5);
    }
    return dtype === DataType.INT32 || dtype === DataType.INT64 ? randomInts(dims, seed, -100000, 100000) : randomRef(dims, seed, -4, 4);
  }

  for (const dtype of types) {
    for (const op of [CumulativeOperation.SUM, CumulativeOperation.PROD]) {
      it(`${T(dtype)} ${CumulativeOperation[op]}: every axis, exclusive and reverse`, async () => {
        let seed = 10;
        for (const axis of [0, 1, 2, -1]) {
          for (const exclusive of [false, true]) {
            for (const reverse of [false, true]) {
              seed += 1;
              const axisType = seed % 2 === 0 ? DataType.INT32 : DataType.INT64;
              await checkLayer({
                inputs: { x: { ref: values(dtype, op, seed), dtype } },
                define: (net, { x }) => {
                  const layer = net.addCumulative(x!, constant(net, axisType, [], [axis]), op, exclusive, reverse);
                  expect(layer.operation).toBe(op);
                  expect(layer.exclusive).toBe(exclusive);
                  expect(layer.reverse).toBe(reverse);
                  return layer.getOutput(0);
                },
                reference: ({ x }) => C.cumulative(x!, { axis, op, exclusive, reverse }),
              });
            }
          }
        }
      });
    }
  }

  it('the axis may be computed at run time (a network input)', async () => {
    for (const axis of [0, 2, -2]) {
      await checkLayer({
        inputs: { x: { ref: randomRef(dims, 50 + axis, -2, 2), dtype: DataType.FLOAT }, a: { ref: R.ref([], [axis]), dtype: DataType.INT32 } },
        define: (net, { x, a }) => net.addCumulative(x!, a!, CumulativeOperation.SUM, false, false).getOutput(0),
        reference: ({ x }) => C.cumulative(x!, { axis, op: CumulativeOperation.SUM }),
      });
    }
  });

  it('settings changed after the add (operation, exclusive, reverse) take effect', async () => {
    await checkLayer({
      inputs: { x: { ref: randomRef(dims, 60, 0.5, 1.5), dtype: DataType.FLOAT } },
      define: (net, { x }) => {
        const layer = net.addCumulative(x!, constant(net, DataType.INT32, [], [1]), CumulativeOperation.SUM, false, false);
        layer.operation = CumulativeOperation.PROD;
        layer.exclusive = true;
        layer.reverse = true;
        return layer.getOutput(0);
      },
      reference: ({ x }) => C.cumulative(x!, { axis: 1, op: CumulativeOperation.PROD, exclusive: true, reverse: true }),
    });
  });

  it('BAD CALL: unsupported input type, non-scalar or out-of-range axis', async () => {
    await expectInvalid(
      (net) => net.addCumulative(net.addInput('x', DataType.BOOL, [2, 3]), constant(net, DataType.INT32, [], [0]), CumulativeOperation.SUM, false, false),
      'CUMULATIVE',
      /input type BOOL is not supported/,
    );
    await expectInvalid(
      (net) => net.addCumulative(net.addInput('x', DataType.FLOAT, [2, 3]), constant(net, DataType.INT32, [2], [0, 1]), CumulativeOperation.SUM, false, false),
      'CUMULATIVE',
      /axis \(input 1\) must be a scalar/,
    );
    await expectInvalid(
      (net) => net.addCumulative(net.addInput('x', DataType.FLOAT, [2, 3]), constant(net, DataType.INT64, [], [2]), CumulativeOperation.SUM, false, false),
      'CUMULATIVE',
      /axis 2 is out of range/,
    );
    expect(() => {
      const builder = new trt.Builder(new trt.Logger(trt.Severity.ERROR, () => {}), { backend: 'cpu' });
      const net = builder.createNetworkV2();
      const x = net.addInput('x', DataType.FLOAT, [2]);
      net.addCumulative(x, x, CumulativeOperation.SUM, 1 as unknown as boolean, false);
    }).toThrow(/exclusive/);
  });
});

// ---------------------------------------------------------------------------------------------
// SCATTER

describe('SCATTER (every type, exact)', () => {
  const dims = [4, 5, 6];

  /** ELEMENT indices [3, 4, 5] along `axis`: distinct along the axis, some written negative. */
  function elementIndices(axis: number, idxDims: number[], seed: number): R.Ref {
    const extent = dims[axis]!;
    const out = R.ref(idxDims);
    const strides = R.strides(idxDims);
    R.forEachIndex(idxDims, (idx, flat) => {
      if (idx[axis] !== 0) return;
      const perm = permutation(extent, seed + flat);
      for (let j = 0; j < idxDims[axis]!; j += 1) {
        const v = perm[j]!;
        out.data[flat + j * strides[axis]!] = (flat + j) % 3 === 0 ? v - extent : v;
      }
    });
    return out;
  }

  for (const dtype of allTypes) {
    for (const indexType of [DataType.INT32, DataType.INT64]) {
      it(`${T(dtype)} ELEMENT, ${T(indexType)} indices: every axis, negative indices`, async () => {
        for (const axis of [0, 1, 2]) {
          const idxDims = [3, 4, 5];
          const indices = elementIndices(axis, idxDims, 100 + axis);
          await checkLayer({
            inputs: {
              data: { ref: sampleValues(dtype, dims, 200 + axis), dtype },
              indices: { ref: indices, dtype: indexType },
              updates: { ref: sampleValues(dtype, idxDims, 300 + axis), dtype },
            },
            define: (net, t) => {
              const layer = net.addScatter(t['data']!, t['indices']!, t['updates']!, ScatterMode.ELEMENT);
              layer.axis = axis === 2 ? -1 : axis;
              expect(layer.mode).toBe(ScatterMode.ELEMENT);
              return layer.getOutput(0);
            },
            reference: (r) => C.scatterElements(r['data']!, r['indices']!, r['updates']!, axis),
            outputTypes: [dtype],
            toleranceScale: EXACT,
          });
        }
      });

      it(`${T(dtype)} ND, ${T(indexType)} indices: tuples of length 1, 2 and 3`, async () => {
        for (const k of [1, 2, 3]) {
          // Distinct tuples: a permutation of every tuple of the first k dims, some negative.
          const tuples = dims.slice(0, k).reduce((a, b) => a * b, 1);
          const pick = permutation(tuples, 400 + k).slice(0, Math.min(tuples, 7));
          const coords: number[] = [];
          for (const [n, flat] of pick.entries()) {
            const c = R.unravel(flat, dims.slice(0, k));
            coords.push(...c.map((v, d) => ((n + d) % 2 === 1 ? v - dims[d]! : v)));
          }
          const indices = R.ref([pick.length, k], coords);
          const updDims = [pick.length, ...dims.slice(k)];
          await checkLayer({
            inputs: {
              data: { ref: sampleValues(dtype, dims, 500 + k), dtype },
              indices: { ref: indices, dtype: indexType },
              updates: { ref: sampleValues(dtype, updDims, 600 + k), dtype },
            },
            define: (net, t) => net.addScatter(t['data']!, t['indices']!, t['updates']!, ScatterMode.ND).getOutput(0),
            reference: (r) => C.scatterND(r['data']!, r['indices']!, r['updates']!),
            outputTypes: [dtype],
            toleranceScale: EXACT,
          });
        }
      });
    }
  }

  it('out-of-range indices write nothing', async () => {
    const data = randomRef([3, 4], 700, -1, 1);
    await checkLayer({
      inputs: {
        data: { ref: data, dtype: DataType.FLOAT },
        indices: { ref: R.ref([1, 4], [0, 3, -4, 9]), dtype: DataType.INT32 },
        updates: { ref: R.ref([1, 4], [5, 6, 7, 8]), dtype: DataType.FLOAT },
      },
      define: (net, t) => {
        const layer = net.addScatter(t['data']!, t['indices']!, t['updates']!, ScatterMode.ELEMENT);
        return layer.getOutput(0);
      },
      reference: (r) => C.scatterElements(r['data']!, r['indices']!, r['updates']!, 0),
      toleranceScale: EXACT,
    });
  });

  it('BAD CALL: updates of another type or shape, ND tuples too long', async () => {
    await expectInvalid(
      (net) => net.addScatter(net.addInput('d', DataType.FLOAT, [3, 4]), net.addInput('i', DataType.INT32, [3, 4]), net.addInput('u', DataType.HALF, [3, 4]), ScatterMode.ELEMENT),
      'SCATTER',
      /updates \(input 2\) have type HALF but data \(input 0\) has FLOAT/,
    );
    await expectInvalid(
      (net) => net.addScatter(net.addInput('d', DataType.FLOAT, [3, 4]), net.addInput('i', DataType.INT32, [2, 4]), net.addInput('u', DataType.FLOAT, [3, 4]), ScatterMode.ELEMENT),
      'SCATTER',
      /updates \(input 2\) have dims \[3,4\]/,
    );
    await expectInvalid(
      (net) => net.addScatter(net.addInput('d', DataType.FLOAT, [3, 4]), net.addInput('i', DataType.INT64, [2, 3]), net.addInput('u', DataType.FLOAT, [2]), ScatterMode.ND),
      'SCATTER',
      /index tuples of length 3 do not fit/,
    );
    await expectInvalid(
      (net) => net.addScatter(net.addInput('d', DataType.FLOAT, [3, 4]), net.addInput('i', DataType.FLOAT, [3, 4]), net.addInput('u', DataType.FLOAT, [3, 4]), ScatterMode.ELEMENT),
      'SCATTER',
      /indices \(input 1\) must be INT32 or INT64/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// SCATTER reductions (extension of the built-in engine)

describe('SCATTER reductions (every type, duplicate indices)', () => {
  const dims = [4, 5, 6];
  const reductions = [ScatterReduction.SUM, ScatterReduction.PROD, ScatterReduction.MAX, ScatterReduction.MIN];

  /** Values whose sums/products stay exact in double, yet wrap the narrow integer types. */
  function reductionValues(dtype: DataType, reduction: ScatterReduction, dims: number[], seed: number): R.Ref {
    if (reduction === ScatterReduction.MAX || reduction === ScatterReduction.MIN) return sampleValues(dtype, dims, seed);
    switch (dtype) {
      case DataType.FLOAT:
      case DataType.HALF:
      case DataType.BF16:
        return randomRef(dims, seed, -2, 2);
      case DataType.INT32:
        return reduction === ScatterReduction.PROD ? randomInts(dims, seed, -(2 ** 20), 2 ** 20) : sampleValues(dtype, dims, seed);
      case DataType.INT64:
        return reduction === ScatterReduction.PROD ? randomInts(dims, seed, -60, 60) : randomInts(dims, seed, -(2 ** 48), 2 ** 48);
      default:
        return sampleValues(dtype, dims, seed);
    }
  }

  const exact = (dtype: DataType): number | undefined => ([DataType.FLOAT, DataType.HALF, DataType.BF16].includes(dtype) ? undefined : EXACT);

  for (const dtype of allTypes) {
    for (const reduction of reductions) {
      const indexType = reduction % 2 === 0 ? DataType.INT32 : DataType.INT64;
      const store = (v: number): number => R.storeAs(v, dtype);

      it(`${T(dtype)} ${ScatterReduction[reduction]} ELEMENT, ${T(indexType)} indices: every axis, duplicates and negative indices`, async () => {
        for (const axis of [0, 1, 2]) {
          const idxDims = [3, 4, 5];
          idxDims[axis] = 7; // more updates than the axis has elements: duplicates for sure
          const extent = dims[axis]!;
          const indices = randomInts(idxDims, 800 + axis, -extent, extent - 1);
          await checkLayer({
            inputs: {
              data: { ref: reductionValues(dtype, reduction, dims, 810 + axis), dtype },
              indices: { ref: indices, dtype: indexType },
              updates: { ref: reductionValues(dtype, reduction, idxDims, 820 + axis), dtype },
            },
            define: (net, t) => {
              const layer = net.addScatter(t['data']!, t['indices']!, t['updates']!, ScatterMode.ELEMENT);
              layer.axis = axis;
              expect(layer.reduction).toBe(ScatterReduction.NONE);
              layer.reduction = reduction;
              expect(layer.reduction).toBe(reduction);
              return layer.getOutput(0);
            },
            reference: (r) => C.scatterElements(r['data']!, r['indices']!, r['updates']!, axis, reduction, store),
            outputTypes: [dtype],
            toleranceScale: exact(dtype),
          });
        }
      });

      it(`${T(dtype)} ${ScatterReduction[reduction]} ND, ${T(indexType)} indices: tuples of length 1 and 2 with duplicates`, async () => {
        for (const k of [1, 2]) {
          // Tuples drawn from only 3 distinct targets, some written negative.
          const targets = [0, 1, 2].map((i) => R.unravel(permutation(dims.slice(0, k).reduce((a, b) => a * b, 1), 900 + k)[i]!, dims.slice(0, k)));
          const count = 6;
          const coords: number[] = [];
          for (let n = 0; n < count; n += 1) {
            const c = targets[(n * 5 + k) % 3]!;
            coords.push(...c.map((v, d) => ((n + d) % 2 === 1 ? v - dims[d]! : v)));
          }
          const updDims = [count, ...dims.slice(k)];
          await checkLayer({
            inputs: {
              data: { ref: reductionValues(dtype, reduction, dims, 910 + k), dtype },
              indices: { ref: R.ref([count, k], coords), dtype: indexType },
              updates: { ref: reductionValues(dtype, reduction, updDims, 920 + k), dtype },
            },
            define: (net, t) => {
              const layer = net.addScatter(t['data']!, t['indices']!, t['updates']!, ScatterMode.ND);
              layer.reduction = reduction;
              return layer.getOutput(0);
            },
            reference: (r) => C.scatterND(r['data']!, r['indices']!, r['updates']!, reduction, store),
            outputTypes: [dtype],
            toleranceScale: exact(dtype),
          });
        }
      });
    }
  }

  it('integer SUM and PROD wrap; MAX and MIN propagate NaN', async () => {
    const cases: [DataType, ScatterReduction, number[], number[], number[]][] = [
      // dtype, reduction, data, updates (all at index 0), expected
      [DataType.INT8, ScatterReduction.SUM, [100, 1], [100, 100], [44, 1]],
      [DataType.UINT8, ScatterReduction.PROD, [16, 1], [16, 2], [0, 1]],
      [DataType.INT32, ScatterReduction.SUM, [2147483647, 1], [1, 1], [-2147483647, 1]],
      [DataType.FLOAT, ScatterReduction.MAX, [1, 1], [NaN, 5], [NaN, 1]],
      [DataType.FLOAT, ScatterReduction.MIN, [NaN, 1], [-5, -7], [NaN, 1]],
    ];
    for (const [dtype, reduction, data, updates, expected] of cases) {
      const out = await checkLayer({
        inputs: {
          data: { ref: R.ref([2], data), dtype },
          indices: { ref: R.ref([2], [0, 0]), dtype: DataType.INT32 },
          updates: { ref: R.ref([2], updates), dtype },
        },
        define: (net, t) => {
          const layer = net.addScatter(t['data']!, t['indices']!, t['updates']!, ScatterMode.ELEMENT);
          layer.reduction = reduction;
          return layer.getOutput(0);
        },
        reference: (r) => C.scatterElements(r['data']!, r['indices']!, r['updates']!, 0, reduction, (v) => R.storeAs(v, dtype)),
        toleranceScale: EXACT,
      });
      expect(Array.from(out[0]!.data)).toEqual(expected);
    }
  });

  it('BAD CALL: a reduction that is not a ScatterReduction, or data of a type without arithmetic', async () => {
    const builder = new trt.Builder(undefined, { backend: 'cpu' });
    const net = builder.createNetworkV2();
    const layer = net.addScatter(net.addInput('d', DataType.FLOAT, [3]), net.addInput('i', DataType.INT32, [3]), net.addInput('u', DataType.FLOAT, [3]), ScatterMode.ELEMENT);
    expect(() => {
      layer.reduction = 7 as ScatterReduction;
    }).toThrow(/ScatterReduction/);
    builder.dispose();
    await expectInvalid(
      (net) => {
        const fp8 = net.addScatter(net.addInput('d', DataType.FP8, [3]), net.addInput('i', DataType.INT32, [3]), net.addInput('u', DataType.FP8, [3]), ScatterMode.ELEMENT);
        fp8.reduction = ScatterReduction.SUM;
        net.markOutput(fp8.getOutput(0));
      },
      'SCATTER',
      /a reduction needs FLOAT, HALF, BF16, INT8, UINT8, INT32, INT64 or BOOL data, not FP8/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// ONE_HOT

describe('ONE_HOT (every value type, exact)', () => {
  const idxDims = [2, 3];
  const depth = 5;
  // In range, negative (wrapping) and out of range ([-depth, depth-1] is valid).
  const indexValues = [0, 4, -1, -5, 5, -6];

  for (const dtype of allTypes) {
    for (const indexType of [DataType.INT32, DataType.INT64]) {
      it(`${T(dtype)} values, ${T(indexType)} indices and depth: every axis`, async () => {
        const offOn = R.storeRefAs(sampleValues(dtype, [2], 800 + dtype), dtype);
        for (const axis of [0, 1, 2, -1, -3]) {
          await checkLayer({
            inputs: { indices: { ref: R.ref(idxDims, indexValues), dtype: indexType }, values: { ref: offOn, dtype } },
            define: (net, t) => {
              const layer = net.addOneHot(t['indices']!, t['values']!, constant(net, indexType, [], [depth]), axis);
              expect(layer.axis).toBe(axis);
              return layer.getOutput(0);
            },
            reference: (r) => C.oneHot(r['indices']!, [r['values']!.data[0]!, r['values']!.data[1]!], depth, axis),
            outputTypes: [dtype],
            toleranceScale: EXACT,
          });
        }
      });
    }
  }

  it('BAD CALL: values without two elements, negative depth', async () => {
    await expectInvalid(
      (net) => net.addOneHot(net.addInput('i', DataType.INT32, [3]), net.addInput('v', DataType.FLOAT, [3]), constant(net, DataType.INT32, [], [4]), -1),
      'ONE_HOT',
      /values \(input 1\) must be 1-D with two elements/,
    );
    await expectInvalid(
      (net) => net.addOneHot(net.addInput('i', DataType.INT32, [3]), net.addInput('v', DataType.FLOAT, [2]), constant(net, DataType.INT64, [], [-2]), -1),
      'ONE_HOT',
      /depth -2 must not be negative/,
    );
  });
});

describe('ONE_HOT with a depth computed from tensor values (data-dependent dims)', () => {
  it('sizes the output when it runs, and fails the run for a negative depth', async () => {
    const engine = await buildEngine((net) => {
      // A FLOAT input cast to INT32: an INT32 scalar input would be a shape tensor input instead.
      const depth = net.addCast(net.addInput('d', DataType.FLOAT, []), DataType.INT32).getOutput(0);
      const layer = net.addOneHot(net.addInput('i', DataType.INT32, [3]), constant(net, DataType.FLOAT, [2], [0, 1]), depth, -1);
      layer.getOutput(0).name = 'y';
      net.markOutput(layer.getOutput(0));
    });
    const context = engine.createExecutionContext();
    try {
      expect(context.getTensorShape('y')).toEqual([3, -1]);
      expect(context.getMaxOutputSize('y')).toBe(-1); // no bound follows from the shapes
      using indices = tensorBufferFrom(engine, 'i', Int32Array.from([2, 0, -1]));
      using y = tensorBuffer(engine, 'y', 64);
      context.setTensorAddress('i', indices);
      context.setTensorAddress('y', y);
      for (const [depth, want] of [[4.9, [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]], [2, [0, 0, 1, 0, 0, 1]]] as Array<[number, number[]]>) {
        using d = tensorBufferFrom(engine, 'd', Float32Array.from([depth]));
        context.setTensorAddress('d', d);
        await context.enqueueV3();
        expect(context.getTensorShape('y')).toEqual([3, want.length / 3]);
        expect(Array.from(new Float32Array(readBytes(y, 4 * want.length)))).toEqual(want);
      }
      using negative = tensorBufferFrom(engine, 'd', Float32Array.from([-2]));
      context.setTensorAddress('d', negative);
      await expect(context.enqueueV3()).rejects.toThrow(/depth -2 must not be negative/);
    } finally {
      context.dispose();
      engine.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// REVERSE_SEQUENCE

describe('REVERSE_SEQUENCE (every type, exact)', () => {
  const dims = [4, 3, 5];
  const axesCases: Array<{ batchAxis: number; sequenceAxis: number }> = [
    { batchAxis: 1, sequenceAxis: 0 },
    { batchAxis: 0, sequenceAxis: 1 },
    { batchAxis: 0, sequenceAxis: 2 },
    { batchAxis: 2, sequenceAxis: 1 },
  ];

  for (const dtype of allTypes) {
    for (const lensType of [DataType.INT32, DataType.INT64]) {
      it(`${T(dtype)}, ${T(lensType)} lengths: batch/sequence axis pairs, lengths 0 to full (and beyond)`, async () => {
        for (const [n, { batchAxis, sequenceAxis }] of axesCases.entries()) {
          const B = dims[batchAxis]!;
          const S = dims[sequenceAxis]!;
          const lens = R.ref([B], (_, b) => [0, 1, S, S + 2, 2][b % 5]!);
          await checkLayer({
            inputs: { x: { ref: sampleValues(dtype, dims, 900 + n), dtype }, lens: { ref: lens, dtype: lensType } },
            define: (net, t) => {
              const layer = net.addReverseSequence(t['x']!, t['lens']!);
              layer.batchAxis = batchAxis;
              layer.sequenceAxis = sequenceAxis;
              expect([layer.batchAxis, layer.sequenceAxis]).toEqual([batchAxis, sequenceAxis]);
              return layer.getOutput(0);
            },
            reference: (r) => C.reverseSequence(r['x']!, r['lens']!, batchAxis, sequenceAxis),
            outputTypes: [dtype],
            toleranceScale: EXACT,
          });
        }
      });
    }
  }

  it('BAD CALL: equal axes, lengths of the wrong size', async () => {
    await expectInvalid(
      (net) => {
        const layer = net.addReverseSequence(net.addInput('x', DataType.FLOAT, [4, 3]), net.addInput('l', DataType.INT32, [3]));
        layer.name = 'sameAxes';
        layer.batchAxis = 0;
        net.markOutput(layer.getOutput(0));
      },
      'REVERSE_SEQUENCE',
      /sameAxes.*batchAxis and sequenceAxis must differ/,
    );
    await expectInvalid(
      (net) => {
        const layer = net.addReverseSequence(net.addInput('x', DataType.FLOAT, [4, 3]), net.addInput('l', DataType.INT32, [4]));
        net.markOutput(layer.getOutput(0));
      },
      'REVERSE_SEQUENCE',
      /sequenceLens \(input 1\) must be 1-D with one entry per batch entry \(3\)/,
    );
  });
});
