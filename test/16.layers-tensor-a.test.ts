/**
 * MATRIX_MULTIPLY, SHUFFLE, CONCATENATION, SOFTMAX, REDUCE and SCALE against the TS reference,
 * including the builder passes that rewrite them (constant right operands folded into prepacked
 * GEMM weights, matmul + bias add + activation fused into one layer, reshape chains merged), a
 * dynamic reshape driven by a shape tensor (the PyTorch export pattern), dynamic shapes, an engine
 * with two optimization profiles, and the BAD CALL cases.
 *
 * Tolerances are checkLayer's per-dtype defaults (FLOAT rtol 1e-5 / atol 1e-6, HALF 2e-3 / 1e-3,
 * BF16 1.6e-2 / 1e-2, integer and BOOL exact) unless a describe says otherwise; every
 * toleranceScale is justified where it is set. Inputs are rounded to their storage type first,
 * so the reference sees exactly what the engine sees.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { ActivationType, DataType, ElementWiseOperation, MatrixOperation, ReduceOperation, ScaleMode, Weights } from '../lib/index.js';
import { buildEngine, quietLogger, runEngine, testBackend } from './helpers/engine.js';
import { asStored, checkLayer, floatTypes, randomRef, tolerance } from './helpers/layers.js';
import { toBfloat16Bits, toFloat16Bits } from './helpers/onnx.js';
import * as R from './reference/index.js';
import { errorFromDefineOrBuild, weightsOf } from './helpers/layer-checks.js';

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Every stored type (the data-movement ops SHUFFLE and CONCATENATION take all of them). */
const allTypes = [DataType.FLOAT, DataType.HALF, DataType.BF16, DataType.INT8, DataType.UINT8, DataType.INT32, DataType.INT64, DataType.BOOL];
const typeName = (t: DataType): string => DataType[t];
type Profile = [number[], number[], number[]];

/**
 * Deterministic values that exercise the whole range of `dtype`: floats in [-4, 4); INT8 and
 * UINT8 over their full range; INT32 over its full range; INT64 up to ±2^50 (beyond 32 bits and
 * still exact as doubles); BOOL 0/1.
 */
function valuesFor(dtype: DataType, dims: number[], seed: number): R.Ref {
  const floor = (lo: number, hi: number): R.Ref => R.map(randomRef(dims, seed, lo, hi), Math.floor);
  switch (dtype) {
    case DataType.FLOAT:
    case DataType.HALF:
    case DataType.BF16:
      return randomRef(dims, seed, -4, 4);
    case DataType.INT8:
      return floor(-128, 128);
    case DataType.UINT8:
      return floor(0, 256);
    case DataType.INT32:
      return floor(-2147483648, 2147483648);
    case DataType.INT64:
      return floor(-(2 ** 50), 2 ** 50);
    case DataType.BOOL:
      return R.map(randomRef(dims, seed), (v) => (v < 0 ? 0 : 1));
    default:
      throw new Error(`valuesFor: ${typeName(dtype)}`);
  }
}


/** A constant holding `ref` stored as `dtype`; returns the tensor and the values the engine sees. */
function constantOf(net: trt.NetworkDefinition, ref: R.Ref, dtype: DataType): trt.ITensor {
  return net.addConstant(ref.dims, weightsOf(dtype, asStored(ref, dtype).data)).getOutput(0);
}

/** Fails with a readable message unless `got` matches `want` rounded to `dtype`. */
function expectClose(got: R.Ref | undefined, want: R.Ref, dtype: DataType, scale: number, what: string): void {
  expect(got, `${what}: missing output`).toBeDefined();
  const stored = asStored(want, dtype);
  expect(got!.dims, `${what} dims`).toEqual(stored.dims);
  const report = R.compareClose(got!, stored, tolerance(dtype, scale));
  expect(report.ok, `${what} (${typeName(dtype)}): ${report.message}`).toBe(true);
}

/** Layer types left in the optimized engine, CONSTANT layers left out. */
function computeLayers(engine: trt.CudaEngine): string[] {
  return engine
    .inspect()
    .layers.filter((l) => l.type !== 'CONSTANT')
    .map((l) => l.type);
}

/** An INT64 1-D constant (gather indices, shape pieces). */
function int64Constant(net: trt.NetworkDefinition, values: number[]): trt.ITensor {
  return net.addConstant([values.length], new BigInt64Array(values.map((v) => BigInt(v)))).getOutput(0);
}

// ---------------------------------------------------------------------------------------------
// MATRIX_MULTIPLY

const { NONE, TRANSPOSE, VECTOR } = MatrixOperation;
const opName = (op: MatrixOperation): string => MatrixOperation[op];

/** Small integers for the INT32 products (exact, no wrap-around); floats in [-1, 1). */
function matmulValues(dtype: DataType, dims: number[], seed: number): R.Ref {
  return dtype === DataType.INT32 ? R.map(randomRef(dims, seed, -8, 9), Math.floor) : randomRef(dims, seed);
}

/** Operand dims for op(A) = [..batch, M, K] and op(B) = [..batch, K, N]. */
function operandDims(op: MatrixOperation, batch: number[], rows: number, cols: number, isA: boolean): number[] {
  if (op === VECTOR) return [...batch, isA ? cols : rows];
  // A: op(A) is [rows=M, cols=K]; B: op(B) is [rows=K, cols=N]. TRANSPOSE stores the transpose.
  return op === NONE ? [...batch, rows, cols] : [...batch, cols, rows];
}

/**
 * Tolerance: the GEMM accumulates K <= 8 products in float32 in its own (blocked, FMA) order
 * while the reference sums in double, so FLOAT results near cancellation may differ by a few
 * float32 ulp of sum|a*b|: toleranceScale 4 (as the convolution tests). HALF/BF16 stage through
 * float and only round once at the end, well inside 4x their default. INT32 is exact.
 */
const mmScale = 4;
const mmTypes = [...floatTypes, DataType.INT32] as const;

describe('MATRIX_MULTIPLY', () => {
  for (const dtype of mmTypes) {
    it(`every MatrixOperation pair (NONE/TRANSPOSE/VECTOR on each operand), batch [2] ${typeName(dtype)}`, async () => {
      const M = 3;
      const K = 4;
      const N = 5;
      let seed = 100;
      for (const op0 of [NONE, TRANSPOSE, VECTOR]) {
        for (const op1 of [NONE, TRANSPOSE, VECTOR]) {
          const aDims = operandDims(op0, [2], M, K, true);
          const bDims = operandDims(op1, [2], K, N, false);
          await checkLayer({
            inputs: { a: { ref: matmulValues(dtype, aDims, (seed += 1)), dtype }, b: { ref: matmulValues(dtype, bDims, (seed += 1)), dtype } },
            define: (net, { a, b }) => {
              const mm = net.addMatrixMultiply(a!, op0, b!, op1);
              expect([mm.op0, mm.op1], `${opName(op0)} x ${opName(op1)}`).toEqual([op0, op1]);
              return mm.getOutput(0);
            },
            reference: ({ a, b }) => R.matrixMultiply(a!, b!, { op0, op1 }),
            toleranceScale: mmScale,
          });
        }
      }
    });

    it(`2-D, matrix-vector, vector-matrix and vector-vector (rank-0 result) ${typeName(dtype)}`, async () => {
      const cases: Array<[number[], MatrixOperation, number[], MatrixOperation]> = [
        [[3, 4], NONE, [4, 5], NONE],
        [[4, 3], TRANSPOSE, [5, 4], TRANSPOSE],
        [[1, 7], NONE, [7, 1], NONE],
        [[6, 4], NONE, [4], VECTOR], // matrix-vector: [6]
        [[4, 6], TRANSPOSE, [4], VECTOR],
        [[4], VECTOR, [4, 5], NONE], // vector-matrix: [5]
        [[4], VECTOR, [5, 4], TRANSPOSE],
        [[9], VECTOR, [9], VECTOR], // dot product: []
      ];
      for (const [i, [aDims, op0, bDims, op1]] of cases.entries()) {
        await checkLayer({
          inputs: { a: { ref: matmulValues(dtype, aDims, 200 + 2 * i), dtype }, b: { ref: matmulValues(dtype, bDims, 201 + 2 * i), dtype } },
          define: (net, { a, b }) => net.addMatrixMultiply(a!, op0, b!, op1).getOutput(0),
          reference: ({ a, b }) => R.matrixMultiply(a!, b!, { op0, op1 }),
          toleranceScale: mmScale,
        });
      }
    });

    it(`batched with broadcasting: [2,1,3,4] x [1,5,4,6] and transposed / vector forms ${typeName(dtype)}`, async () => {
      const cases: Array<[number[], MatrixOperation, number[], MatrixOperation]> = [
        [[2, 1, 3, 4], NONE, [1, 5, 4, 6], NONE], // -> [2,5,3,6]
        [[2, 1, 4, 3], TRANSPOSE, [1, 5, 6, 4], TRANSPOSE],
        [[1, 3, 4], NONE, [2, 4, 5], NONE], // A broadcast over the batch
        [[2, 3, 4], NONE, [1, 4, 5], NONE], // B shared by the batch (one stacked GEMM)
        [[2, 1, 4], VECTOR, [1, 3, 4, 5], NONE], // -> [2,3,5]
        [[2, 1, 3, 4], NONE, [1, 5, 4], VECTOR], // -> [2,5,3]
        [[3, 4], VECTOR, [1, 4, 5], NONE], // vectors stacked against one shared matrix: [3,5]
      ];
      for (const [i, [aDims, op0, bDims, op1]] of cases.entries()) {
        await checkLayer({
          inputs: { a: { ref: matmulValues(dtype, aDims, 300 + 2 * i), dtype }, b: { ref: matmulValues(dtype, bDims, 301 + 2 * i), dtype } },
          define: (net, { a, b }) => net.addMatrixMultiply(a!, op0, b!, op1).getOutput(0),
          reference: ({ a, b }) => R.matrixMultiply(a!, b!, { op0, op1 }),
          toleranceScale: mmScale,
        });
      }
    });

    it(`dynamic shapes: batched broadcast matmul with every dim -1 ${typeName(dtype)}`, async () => {
      await checkLayer({
        inputs: { a: { ref: matmulValues(dtype, [2, 1, 3, 4], 350), dtype }, b: { ref: matmulValues(dtype, [1, 5, 4, 6], 351), dtype } },
        define: (net, { a, b }) => net.addMatrixMultiply(a!, NONE, b!, NONE).getOutput(0),
        reference: ({ a, b }) => R.matrixMultiply(a!, b!),
        toleranceScale: mmScale,
        dynamic: true,
      });
    });
  }

  for (const dtype of floatTypes) {
    it(`constant right operand (folded into prepacked weights): NONE, TRANSPOSE, VECTOR, batched ${typeName(dtype)}`, async () => {
      const cases: Array<{ x: number[]; op0?: MatrixOperation; w: number[]; op1: MatrixOperation }> = [
        { x: [6, 8], w: [8, 5], op1: NONE },
        { x: [6, 8], w: [5, 8], op1: TRANSPOSE },
        { x: [6, 8], w: [8], op1: VECTOR },
        { x: [8, 6], op0: TRANSPOSE, w: [8, 5], op1: NONE },
        { x: [2, 3, 8], w: [1, 8, 5], op1: NONE }, // shared constant: one stacked GEMM
        { x: [2, 3, 8], w: [2, 5, 8], op1: TRANSPOSE }, // one packed matrix per batch
        { x: [4, 8], op0: VECTOR, w: [1, 8, 5], op1: NONE }, // stacked vectors x shared constant
      ];
      for (const [i, c] of cases.entries()) {
        const x = asStored(randomRef(c.x, 400 + i), dtype);
        const w = asStored(randomRef(c.w, 450 + i), dtype);
        const engine = await buildEngine((net) => {
          const input = net.addInput('x', dtype, c.x);
          const y = net.addMatrixMultiply(input, c.op0 ?? NONE, constantOf(net, w, dtype), c.op1).getOutput(0);
          y.name = 'y';
          net.markOutput(y);
        });
        try {
          const layers = engine.inspect().layers.filter((l) => l.type !== 'CONSTANT');
          expect(layers.map((l) => l.type)).toEqual(['MATRIX_MULTIPLY']);
          // FLOAT constants are packed once at engine load on the cpu backend; HALF/BF16 constants
          // stay tensor operands (foldMatMulWeights only folds FLOAT right operands).
          if (dtype === DataType.FLOAT && testBackend === 'cpu') expect(layers[0]!.implementation).toBe('gemm-prepacked');
          const out = await runEngine(engine, { x: { ref: x, dtype } });
          expectClose(out['y'], R.matrixMultiply(x, w, { op0: c.op0 ?? NONE, op1: c.op1 }), dtype, mmScale, `x[${c.x}] x ${opName(c.op1)} w[${c.w}]`);
        } finally {
          engine.dispose();
        }
      }
    });

    it(`constant + bias add + activation fuse into one MATRIX_MULTIPLY and match the composition ${typeName(dtype)}`, async () => {
      const acts: Array<{ type: ActivationType; alpha?: number; beta?: number }> = [
        { type: ActivationType.RELU },
        { type: ActivationType.LEAKY_RELU, alpha: 0.1 },
        { type: ActivationType.CLIP, alpha: -0.5, beta: 0.75 },
        { type: ActivationType.SIGMOID },
      ];
      const shapes: Array<{ x: number[]; w: number[]; bias: number[]; op1: MatrixOperation }> = [
        { x: [5, 8], w: [8, 6], bias: [1, 6], op1: NONE },
        { x: [2, 3, 8], w: [1, 6, 8], bias: [1, 1, 6], op1: TRANSPOSE },
      ];
      let seed = 500;
      for (const act of acts) {
        for (const s of shapes) {
          seed += 3;
          const x = asStored(randomRef(s.x, seed), dtype);
          const w = asStored(randomRef(s.w, seed + 1), dtype);
          const bias = asStored(randomRef(s.bias, seed + 2), dtype);
          const engine = await buildEngine((net) => {
            const input = net.addInput('x', dtype, s.x);
            const mm = net.addMatrixMultiply(input, NONE, constantOf(net, w, dtype), s.op1).getOutput(0);
            const biased = net.addElementWise(mm, constantOf(net, bias, dtype), ElementWiseOperation.SUM).getOutput(0);
            const a = net.addActivation(biased, act.type);
            a.alpha = act.alpha ?? 0;
            a.beta = act.beta ?? 0;
            a.getOutput(0).name = 'y';
            net.markOutput(a.getOutput(0));
          });
          try {
            const info = engine.inspect();
            const why = `layers: ${JSON.stringify(info.layers.map((l) => [l.type, l.implementation]))} (passes: ${info.passes.join('; ')})`;
            const layers = info.layers.filter((l) => l.type !== 'CONSTANT');
            expect(layers.map((l) => l.type), why).toEqual(['MATRIX_MULTIPLY']);
            expect(layers[0]!.fusedActivation, why).toBe(act.type);
            const out = await runEngine(engine, { x: { ref: x, dtype } });
            const want = R.activation(R.elementWise(R.matrixMultiply(x, w, { op1: s.op1 }), bias, { op: R.ElementWiseOperation.SUM }), {
              type: act.type,
              alpha: act.alpha ?? 0,
              beta: act.beta ?? 0,
            });
            expectClose(out['y'], want, dtype, mmScale, `${ActivationType[act.type]} x[${s.x}]`);
          } finally {
            engine.dispose();
          }
        }
      }
    });

    /**
     * K = 1000. Tolerance: float32 accumulation of 1000 products in blocked order. The rounding
     * error grows like sqrt(K)*eps32*sqrt(sum (a*b)^2) on average (K*eps32*sum|a*b| at worst);
     * measured max abs error ~9e-6 on outputs up to ~29. For outputs near zero only atol
     * counts, and 9e-6 is 9x the FLOAT atol of 1e-6, so toleranceScale 16 (atol 1.6e-5, rtol
     * 1.6e-4) keeps a 2x margin. HALF/BF16 accumulate in float as well and round once at the
     * end: their outputs match the rounded reference exactly here, far inside 16x.
     */
    it(`long K (1000): tensor and constant right operands ${typeName(dtype)}`, async () => {
      const longKScale = 16;
      const a = randomRef([8, 1000], 600);
      const b = randomRef([1000, 16], 601);
      await checkLayer({
        inputs: { a: { ref: a, dtype }, b: { ref: b, dtype } },
        define: (net, t) => net.addMatrixMultiply(t['a']!, NONE, t['b']!, NONE).getOutput(0),
        reference: (t) => R.matrixMultiply(t['a']!, t['b']!),
        toleranceScale: longKScale,
      });
      const wT = asStored(randomRef([16, 1000], 602), dtype);
      await checkLayer({
        inputs: { a: { ref: a, dtype } },
        define: (net, t) => net.addMatrixMultiply(t['a']!, NONE, constantOf(net, wT, dtype), TRANSPOSE).getOutput(0),
        reference: (t) => R.matrixMultiply(t['a']!, wT, { op1: TRANSPOSE }),
        toleranceScale: longKScale,
      });
    });

    it(`fused bias per row (vector right operand), per batch element (both vectors) and added first ${typeName(dtype)}`, async () => {
      // Bias along the last output dim: M when B is a VECTOR, the batch dim when both are.
      const cases: Array<{ x: number[]; op0: MatrixOperation; w: number[]; op1: MatrixOperation; bias: number[]; biasFirst: boolean }> = [
        { x: [6, 8], op0: NONE, w: [8], op1: VECTOR, bias: [6], biasFirst: false },
        { x: [2, 6, 8], op0: NONE, w: [1, 8], op1: VECTOR, bias: [1, 6], biasFirst: true },
        { x: [5, 8], op0: VECTOR, w: [1, 8], op1: VECTOR, bias: [5], biasFirst: false },
        { x: [2, 8, 3], op0: TRANSPOSE, w: [1, 8, 4], op1: NONE, bias: [1, 1, 4], biasFirst: true },
      ];
      for (const [i, c] of cases.entries()) {
        const x = asStored(randomRef(c.x, 560 + i), dtype);
        const w = asStored(randomRef(c.w, 570 + i), dtype);
        const bias = asStored(randomRef(c.bias, 580 + i), dtype);
        const engine = await buildEngine((net) => {
          const input = net.addInput('x', dtype, c.x);
          const mm = net.addMatrixMultiply(input, c.op0, constantOf(net, w, dtype), c.op1).getOutput(0);
          const k = constantOf(net, bias, dtype);
          const sum = (c.biasFirst ? net.addElementWise(k, mm, ElementWiseOperation.SUM) : net.addElementWise(mm, k, ElementWiseOperation.SUM)).getOutput(0);
          const a = net.addActivation(sum, ActivationType.ELU);
          a.alpha = 0.5;
          a.getOutput(0).name = 'y';
          net.markOutput(a.getOutput(0));
        });
        try {
          const layers = engine.inspect().layers.filter((l) => l.type !== 'CONSTANT');
          expect(layers.map((l) => [l.type, l.fusedActivation])).toEqual([['MATRIX_MULTIPLY', ActivationType.ELU]]);
          const out = await runEngine(engine, { x: { ref: x, dtype } });
          const mm = R.matrixMultiply(x, w, { op0: c.op0, op1: c.op1 });
          const want = R.activation(R.elementWise(mm, bias, { op: R.ElementWiseOperation.SUM }), { type: ActivationType.ELU, alpha: 0.5 });
          expectClose(out['y'], want, dtype, mmScale, `case ${i}`);
        } finally {
          engine.dispose();
        }
      }
    });
  }

  it('K = 0 gives zeros (tensor operands), also with a fused bias and activation', async () => {
    for (const dtype of mmTypes) {
      await checkLayer({
        inputs: { a: { ref: R.ref([3, 0], []), dtype }, b: { ref: R.ref([0, 4], []), dtype } },
        define: (net, { a, b }) => net.addMatrixMultiply(a!, NONE, b!, NONE).getOutput(0),
        reference: () => R.ref([3, 4], () => 0),
      });
    }
    for (const dtype of floatTypes) {
      const bias = asStored(randomRef([1, 4], 590), dtype);
      await checkLayer({
        inputs: { a: { ref: R.ref([3, 0], []), dtype }, b: { ref: R.ref([0, 4], []), dtype } },
        define: (net, { a, b }) => {
          const mm = net.addMatrixMultiply(a!, NONE, b!, NONE).getOutput(0);
          const sum = net.addElementWise(mm, constantOf(net, bias, dtype), ElementWiseOperation.SUM).getOutput(0);
          return net.addActivation(sum, ActivationType.RELU).getOutput(0);
        },
        reference: () => R.activation(R.broadcastTo(bias, [3, 4]), { type: ActivationType.RELU }),
      });
    }
  });

  it('INT32 products wrap around like two-complement int32 arithmetic', async () => {
    // 65536 * 65536 = 2^32 wraps to 0; 46341^2 = 2147488281 wraps to -2147479015.
    await checkLayer({
      inputs: { a: { ref: R.ref([2, 2], [65536, 1, 46341, 0]), dtype: DataType.INT32 }, b: { ref: R.ref([2, 1], [65536, 0]), dtype: DataType.INT32 } },
      define: (net, { a, b }) => net.addMatrixMultiply(a!, NONE, b!, NONE).getOutput(0),
      reference: () => R.ref([2, 1], [0, R.wrapInt32(46341 * 65536)]),
    });
    await checkLayer({
      inputs: { a: { ref: R.ref([1, 1], [46341]), dtype: DataType.INT32 }, b: { ref: R.ref([1, 1], [46341]), dtype: DataType.INT32 } },
      define: (net, { a, b }) => net.addMatrixMultiply(a!, NONE, b!, NONE).getOutput(0),
      reference: () => R.ref([1, 1], [-2147479015]),
    });
  });
});

// ---------------------------------------------------------------------------------------------
// SHUFFLE (exact for every type: pure data movement)

describe('SHUFFLE', () => {
  for (const dtype of allTypes) {
    const name = typeName(dtype);

    it(`first transpose only ${name}`, async () => {
      for (const [i, [dims, perm]] of (
        [
          [[2, 3, 4], [2, 0, 1]],
          [[2, 3, 4, 5], [0, 2, 3, 1]],
          [[3, 5], [1, 0]],
          [[2, 1, 3, 1, 2], [4, 3, 2, 1, 0]],
        ] as Array<[number[], number[]]>
      ).entries()) {
        await checkLayer({
          inputs: { x: { ref: valuesFor(dtype, dims, 700 + i), dtype } },
          define: (net, { x }) => {
            const s = net.addShuffle(x!);
            s.firstTranspose = perm;
            expect(s.reshapeDims).toBeNull();
            return s.getOutput(0);
          },
          reference: ({ x }) => R.shuffle(x!, { firstTranspose: perm }),
        });
      }
    });

    it(`reshape only, with 0 placeholders and an inferred -1 ${name}`, async () => {
      for (const [i, [dims, reshape]] of (
        [
          [[2, 3, 4], [0, -1]], // [2,12]
          [[2, 3, 4], [-1, 0, 2]], // [4,3,2]
          [[2, 3, 4, 5], [0, 0, -1]], // [2,3,20]
          [[2, 3, 4], [24]],
          [[2, 3, 4], [1, 2, 1, 12, 1]],
          [[6], [-1, 1]],
          [[1, 1], []], // to a scalar
          [[], [1, -1]], // from a scalar
        ] as Array<[number[], number[]]>
      ).entries()) {
        await checkLayer({
          inputs: { x: { ref: valuesFor(dtype, dims, 720 + i), dtype } },
          define: (net, { x }) => {
            const s = net.addShuffle(x!);
            s.reshapeDims = reshape;
            return s.getOutput(0);
          },
          reference: ({ x }) => R.shuffle(x!, { reshapeDims: reshape }),
        });
      }
    });

    it(`zeroIsPlaceholder=false: 0 is a real (empty) dim ${name}`, async () => {
      // [2,0,3] -> [0,5]: literal 0 (a placeholder would give [2,5], a volume mismatch).
      await checkLayer({
        inputs: { x: { ref: R.ref([2, 0, 3], []), dtype } },
        define: (net, { x }) => {
          const s = net.addShuffle(x!);
          s.reshapeDims = [0, 5];
          s.zeroIsPlaceholder = false;
          expect(s.zeroIsPlaceholder).toBe(false);
          return s.getOutput(0);
        },
        reference: ({ x }) => R.shuffle(x!, { reshapeDims: [0, 5], zeroIsPlaceholder: false }),
      });
      // Without zeros in the spec the flag changes nothing.
      await checkLayer({
        inputs: { x: { ref: valuesFor(dtype, [2, 3, 4], 740), dtype } },
        define: (net, { x }) => {
          const s = net.addShuffle(x!);
          s.reshapeDims = [4, -1];
          s.zeroIsPlaceholder = false;
          return s.getOutput(0);
        },
        reference: ({ x }) => R.shuffle(x!, { reshapeDims: [4, -1], zeroIsPlaceholder: false }),
      });
    });

    it(`first transpose + reshape + second transpose ${name}`, async () => {
      for (const [i, p] of (
        [
          { dims: [2, 3, 4, 5], firstTranspose: [0, 2, 1, 3], reshapeDims: [8, 15], secondTranspose: [1, 0] },
          { dims: [2, 3, 4], firstTranspose: [2, 1, 0], reshapeDims: [0, -1, 2], secondTranspose: [2, 0, 1] },
          { dims: [6, 4], firstTranspose: [1, 0], reshapeDims: [2, 2, 3, 2], secondTranspose: [3, 1, 0, 2] },
          { dims: [2, 3, 4], secondTranspose: [1, 2, 0] }, // second transpose alone
        ] as Array<R.ShuffleParams & { dims: number[] }>
      ).entries()) {
        await checkLayer({
          inputs: { x: { ref: valuesFor(dtype, p.dims, 760 + i), dtype } },
          define: (net, { x }) => {
            const s = net.addShuffle(x!);
            if (p.firstTranspose) s.firstTranspose = p.firstTranspose;
            if (p.reshapeDims) s.reshapeDims = p.reshapeDims;
            if (p.secondTranspose) s.secondTranspose = p.secondTranspose;
            return s.getOutput(0);
          },
          reference: ({ x }) => R.shuffle(x!, p),
        });
      }
    });

    it(`dynamic reshape from SHAPE -> GATHER/ELEMENTWISE/CONCATENATION on a dynamic batch (two batch sizes) ${name}`, async () => {
      // y1 = x.view(x.size(0), x.size(1) * x.size(2)); y2 = x.transpose(1, 2).view(x.size(0), -1).
      const engine = await buildEngine(
        (net) => {
          const x = net.addInput('x', dtype, [-1, 3, 4]);
          const shape = net.addShape(x).getOutput(0);
          const dim = (i: number): trt.ITensor => net.addGather(shape, int64Constant(net, [i]), 0).getOutput(0);
          const inner = net.addElementWise(dim(1), dim(2), ElementWiseOperation.PROD).getOutput(0);
          const s1 = net.addShuffle(x);
          s1.setInput(1, net.addConcatenation([dim(0), inner]).getOutput(0));
          s1.getOutput(0).name = 'y1';
          net.markOutput(s1.getOutput(0));
          const s2 = net.addShuffle(x);
          s2.firstTranspose = [0, 2, 1];
          s2.setInput(1, net.addConcatenation([dim(0), int64Constant(net, [-1])]).getOutput(0));
          s2.getOutput(0).name = 'y2';
          net.markOutput(s2.getOutput(0));
        },
        { profiles: [{ x: [[1, 3, 4], [2, 3, 4], [8, 3, 4]] }] },
      );
      try {
        expect(engine.getTensorShape('y1')).toEqual([-1, -1]);
        for (const batch of [1, 5, 8]) {
          const x = asStored(valuesFor(dtype, [batch, 3, 4], 780 + batch), dtype);
          const out = await runEngine(engine, { x: { ref: x, dtype } });
          expectClose(out['y1'], R.shuffle(x, { reshapeDims: [batch, 12] }), dtype, 1, `y1 batch ${batch}`);
          expectClose(out['y2'], R.shuffle(x, { firstTranspose: [0, 2, 1], reshapeDims: [batch, -1] }), dtype, 1, `y2 batch ${batch}`);
        }
      } finally {
        engine.dispose();
      }
    });

    it(`a chain of reshapes is merged into one SHUFFLE and gives the same values ${name}`, async () => {
      const x = asStored(valuesFor(dtype, [2, 3, 4], 800), dtype);
      const chain: number[][] = [[6, 4], [4, -1], [0, 3, 2], [24], [2, 12]];
      const engine = await buildEngine((net) => {
        let t = net.addInput('x', dtype, [2, 3, 4]);
        for (const dims of chain) {
          const s = net.addShuffle(t);
          s.reshapeDims = dims;
          t = s.getOutput(0);
        }
        t.name = 'y';
        net.markOutput(t);
      });
      try {
        expect(computeLayers(engine)).toEqual(['SHUFFLE']);
        const out = await runEngine(engine, { x: { ref: x, dtype } });
        let want = x;
        for (const dims of chain) want = R.shuffle(want, { reshapeDims: dims });
        expectClose(out['y'], want, dtype, 1, 'merged chain');
      } finally {
        engine.dispose();
      }
    });
  }

  it('a reshape chain with an intermediate output, and one broken by a transpose, keep their values', async () => {
    const dtype = DataType.FLOAT;
    const x = valuesFor(dtype, [2, 3, 4], 820);
    const engine = await buildEngine((net) => {
      const input = net.addInput('x', dtype, [2, 3, 4]);
      const r1 = net.addShuffle(input);
      r1.reshapeDims = [6, 4];
      r1.getOutput(0).name = 'mid';
      net.markOutput(r1.getOutput(0));
      const r2 = net.addShuffle(r1.getOutput(0));
      r2.reshapeDims = [3, 8];
      const t = net.addShuffle(r2.getOutput(0));
      t.firstTranspose = [1, 0]; // [8,3]
      const r3 = net.addShuffle(t.getOutput(0));
      r3.reshapeDims = [4, -1];
      const r4 = net.addShuffle(r3.getOutput(0));
      r4.reshapeDims = [0, 2, 3];
      r4.getOutput(0).name = 'y';
      net.markOutput(r4.getOutput(0));
    });
    try {
      // r1 stays ('mid' is an output); r2 now reads x; the transpose t stays; r4 reads t
      // directly and r3 is gone: 4 of the 5 shuffles remain.
      expect(computeLayers(engine)).toEqual(['SHUFFLE', 'SHUFFLE', 'SHUFFLE', 'SHUFFLE']);
      const out = await runEngine(engine, { x: { ref: x, dtype } });
      const mid = R.shuffle(x, { reshapeDims: [6, 4] });
      const y = R.shuffle(R.shuffle(R.shuffle(R.shuffle(mid, { reshapeDims: [3, 8] }), { firstTranspose: [1, 0] }), { reshapeDims: [4, -1] }), {
        reshapeDims: [0, 2, 3],
      });
      expectClose(out['mid'], mid, dtype, 1, 'mid');
      expectClose(out['y'], y, dtype, 1, 'y');
    } finally {
      engine.dispose();
    }
  });

  it('dynamic shapes: transpose + reshape chain with every dim -1', async () => {
    for (const dtype of [DataType.FLOAT, DataType.INT64]) {
      await checkLayer({
        inputs: { x: { ref: valuesFor(dtype, [2, 3, 4], 830), dtype } },
        define: (net, { x }) => {
          const s = net.addShuffle(x!);
          s.firstTranspose = [0, 2, 1];
          s.reshapeDims = [0, -1];
          const s2 = net.addShuffle(s.getOutput(0));
          s2.reshapeDims = [0, 2, -1];
          return s2.getOutput(0);
        },
        reference: ({ x }) => R.shuffle(R.shuffle(x!, { firstTranspose: [0, 2, 1], reshapeDims: [0, -1] }), { reshapeDims: [0, 2, -1] }),
        dynamic: true,
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// CONCATENATION (exact for every type)

describe('CONCATENATION', () => {
  const base = [2, 3, 4, 5];
  for (const dtype of allTypes) {
    for (const axis of [0, 1, 2, 3, -1, -2, -3, -4]) {
      const n = 2 + ((axis + 4) % 4); // 2..5 inputs
      it(`axis ${axis}, ${n} inputs ${typeName(dtype)}`, async () => {
        const a = axis < 0 ? axis + 4 : axis;
        const inputs: Record<string, { ref: R.Ref; dtype: DataType }> = {};
        for (let i = 0; i < n; i += 1) {
          const dims = [...base];
          dims[a] = 1 + ((i + a) % 3);
          inputs[`x${i}`] = { ref: valuesFor(dtype, dims, 900 + 10 * a + i), dtype };
        }
        await checkLayer({
          inputs,
          define: (net, t) => {
            // addConcatenation takes no axis (TensorRT's neither): the inputs need only agree
            // once the axis is set.
            const c = net.addConcatenation(Object.values(t));
            c.axis = axis;
            expect(c.axis).toBe(axis);
            const dims = [...base];
            dims[a] = Object.values(inputs).reduce((sum, x) => sum + x.ref.dims[a]!, 0);
            expect(c.getOutput(0).shape).toEqual(dims);
            return c.getOutput(0);
          },
          reference: (t) => R.concatenation(Object.values(t), { axis }),
        });
      });
    }
  }

  it('default axis (rank-3, or 0 below rank 3), one input, rank 1 and a zero-length part', async () => {
    const cases: number[][][] = [
      [[3], [4], [1]], // rank 1: axis 0
      [[2, 3], [1, 3]], // rank 2: axis 0
      [[2, 3, 4], [1, 3, 4]], // rank 3: axis 0
      [[2, 3, 4, 5], [2, 1, 4, 5], [2, 2, 4, 5]], // rank 4: axis 1
      [[2, 3, 4, 2, 2], [2, 3, 1, 2, 2]], // rank 5: axis 2
      [[2, 3, 4]], // one input
      [[2, 3, 4, 5], [2, 0, 4, 5], [2, 1, 4, 5]], // an empty part
    ];
    for (const dtype of [DataType.FLOAT, DataType.INT64, DataType.BOOL]) {
      for (const [i, shapes] of cases.entries()) {
        const inputs = Object.fromEntries(shapes.map((d, j) => [`x${j}`, { ref: valuesFor(dtype, d, 980 + 10 * i + j), dtype }]));
        await checkLayer({
          inputs,
          define: (net, t) => net.addConcatenation(Object.values(t)).getOutput(0),
          reference: (t) => R.concatenation(Object.values(t)),
        });
      }
    }
  });

  it('the same tensor more than once', async () => {
    for (const dtype of [DataType.BF16, DataType.UINT8]) {
      await checkLayer({
        inputs: { a: { ref: valuesFor(dtype, [2, 3], 990), dtype }, b: { ref: valuesFor(dtype, [2, 1], 991), dtype } },
        define: (net, { a, b }) => {
          const c = net.addConcatenation([a!, b!, a!, a!]);
          c.axis = -1;
          return c.getOutput(0);
        },
        reference: ({ a, b }) => R.concatenation([a!, b!, a!, a!], { axis: -1 }),
      });
    }
  });

  it('dynamic shapes: three inputs on axis -2 with every dim -1', async () => {
    for (const dtype of [DataType.HALF, DataType.INT8]) {
      await checkLayer({
        inputs: {
          a: { ref: valuesFor(dtype, [2, 3, 4], 1000), dtype },
          b: { ref: valuesFor(dtype, [2, 1, 4], 1001), dtype },
          c: { ref: valuesFor(dtype, [2, 5, 4], 1002), dtype },
        },
        define: (net, { a, b, c }) => {
          const l = net.addConcatenation([a!, b!, c!]);
          l.axis = -2;
          return l.getOutput(0);
        },
        reference: ({ a, b, c }) => R.concatenation([a!, b!, c!], { axis: -2 }),
        dynamic: true,
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// SOFTMAX (default tolerances: float exp and sum of the max-shifted row, one final rounding)

describe('SOFTMAX', () => {
  for (const dtype of floatTypes) {
    it(`each axis of a rank-4 input, and long and strided rows ${typeName(dtype)}`, async () => {
      const cases: Array<[number[], number]> = [
        [[2, 3, 4, 5], 1 << 0],
        [[2, 3, 4, 5], 1 << 1],
        [[2, 3, 4, 5], 1 << 2],
        [[2, 3, 4, 5], 1 << 3],
        [[3, 37], 1 << 1], // contiguous rows longer than the 8 lanes
        [[2, 5, 70], 1 << 1], // strided axis over more than one 64-wide block
        [[3, 1, 4], 1 << 1], // a size-1 axis: all ones
      ];
      for (const [i, [dims, axes]] of cases.entries()) {
        await checkLayer({
          inputs: { x: { ref: randomRef(dims, 1100 + i, -4, 4), dtype } },
          define: (net, { x }) => {
            const s = net.addSoftMax(x!);
            s.axes = axes;
            expect(s.axes).toBe(axes);
            return s.getOutput(0);
          },
          reference: ({ x }) => R.softMax(x!, { axes }),
        });
      }
    });

    it(`default axis (rank-3, or 0 below rank 3) ${typeName(dtype)}`, async () => {
      for (const [i, dims] of [[7], [3, 6], [4, 3, 5], [2, 3, 4, 5], [2, 2, 3, 4, 3]].entries()) {
        await checkLayer({
          inputs: { x: { ref: randomRef(dims, 1150 + i, -3, 3), dtype } },
          define: (net, { x }) => {
            const s = net.addSoftMax(x!);
            expect(s.axes).toBe(1 << (dims.length >= 3 ? dims.length - 3 : 0));
            return s.getOutput(0);
          },
          reference: ({ x }) => R.softMax(x!),
        });
      }
    });

    it(`large-magnitude inputs stay finite and exact (max subtracted first) ${typeName(dtype)}`, async () => {
      // Magnitudes whose exp overflows every float type without the max shift; a row with a
      // large common offset (differences small); and -inf entries (probability 0).
      const big = dtype === DataType.HALF ? 30000 : dtype === DataType.BF16 ? 1e30 : 1e4;
      const wide = randomRef([4, 9], 1200, -big, big);
      const offset = R.map(randomRef([4, 9], 1201, -3, 3), (v) => v + (dtype === DataType.HALF ? 1000 : 200));
      const withInf = R.map(randomRef([4, 9], 1202, -3, 3), (v, idx) => (idx[1] === 2 ? -Infinity : v));
      for (const [i, x] of [wide, offset, withInf].entries()) {
        const got = await checkLayer({
          inputs: { x: { ref: x, dtype } },
          define: (net, t) => {
            const s = net.addSoftMax(t['x']!);
            s.axes = 1 << 1;
            return s.getOutput(0);
          },
          reference: (t) => R.softMax(t['x']!, { axes: 2 }),
        });
        expect(
          got[0]!.data.every((v) => Number.isFinite(v)),
          `case ${i}: all finite`,
        ).toBe(true);
      }
    });
  }

  it('dynamic shapes: axis 2 of a rank-4 input with every dim -1', async () => {
    await checkLayer({
      inputs: { x: { ref: randomRef([2, 3, 4, 5], 1250, -4, 4), dtype: DataType.FLOAT } },
      define: (net, { x }) => {
        const s = net.addSoftMax(x!);
        s.axes = 1 << 2;
        return s.getOutput(0);
      },
      reference: ({ x }) => R.softMax(x!, { axes: 4 }),
      dynamic: true,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// REDUCE (default tolerances: float types accumulate in double and round once; integers exact)

const reduceOps = [ReduceOperation.SUM, ReduceOperation.PROD, ReduceOperation.MAX, ReduceOperation.MIN, ReduceOperation.AVG];
const reduceMasks = [0b0001, 0b0010, 0b0100, 0b1000, 0b0011, 0b0101, 0b1010, 0b0110, 0b1100, 0b1111];

/**
 * Values per op and type. PROD: magnitudes 1 and (rarely) 2 with random signs, so integer
 * products stay far inside int32 (no wrap-around) and float products far from under/overflow.
 * INT32/INT64 SUM and AVG: values whose sums are exact in double; MAX/MIN: the full range.
 */
function reduceValues(dtype: DataType, op: ReduceOperation, dims: number[], seed: number): R.Ref {
  const u = randomRef(dims, seed);
  if (op === ReduceOperation.PROD) {
    const float = R.isFloatType(dtype);
    return R.map(u, (v, idx) => {
      const flat = R.offset(dims, idx);
      const mag = float ? 0.75 + Math.abs(v) / 2 : flat % 9 === 0 ? 2 : 1;
      return v < 0 ? -mag : mag;
    });
  }
  if (dtype === DataType.INT32) return op === ReduceOperation.SUM || op === ReduceOperation.AVG ? R.map(randomRef(dims, seed, -1e6, 1e6), Math.floor) : valuesFor(dtype, dims, seed);
  if (dtype === DataType.INT64) return op === ReduceOperation.SUM || op === ReduceOperation.AVG ? R.map(randomRef(dims, seed, -(2 ** 40), 2 ** 40), Math.floor) : valuesFor(dtype, dims, seed);
  return randomRef(dims, seed, -4, 4);
}

describe('REDUCE', () => {
  for (const dtype of [...floatTypes, DataType.INT32, DataType.INT64]) {
    for (const op of reduceOps) {
      it(`${ReduceOperation[op]} over single and multiple axes, keepDims true/false ${typeName(dtype)}`, async () => {
        const dims = [2, 3, 4, 5];
        for (const [i, axes] of reduceMasks.entries()) {
          for (const keepDims of [true, false]) {
            await checkLayer({
              inputs: { x: { ref: reduceValues(dtype, op, dims, 1300 + 10 * op + i), dtype } },
              define: (net, { x }) => {
                const r = net.addReduce(x!, op, axes, keepDims);
                expect([r.op, r.axes, r.keepDims]).toEqual([op, axes, keepDims]);
                return r.getOutput(0);
              },
              reference: ({ x }) => R.reduce(x!, { op, axes, keepDims }),
            });
          }
        }
      });
    }
  }

  it('dims of size 1 among reduced and kept axes', async () => {
    for (const dtype of [DataType.FLOAT, DataType.INT32]) {
      for (const op of reduceOps) {
        for (const axes of [0b0010, 0b0101, 0b1010, 0b1111, 0b0001]) {
          await checkLayer({
            inputs: { x: { ref: reduceValues(dtype, op, [2, 1, 4, 1], 1380 + op), dtype } },
            define: (net, { x }) => net.addReduce(x!, op, axes, true).getOutput(0),
            reference: ({ x }) => R.reduce(x!, { op, axes, keepDims: true }),
          });
        }
      }
    }
  });

  it('empty reductions give the identity: SUM 0, PROD 1, MAX lowest, MIN highest, AVG NaN (floats) or 0 (integers)', async () => {
    for (const dtype of [...floatTypes, DataType.INT32, DataType.INT64]) {
      const lowest = R.isFloatType(dtype) ? -Infinity : dtype === DataType.INT32 ? R.INT32_MIN : R.INT64_MIN;
      const highest = R.isFloatType(dtype) ? Infinity : dtype === DataType.INT32 ? R.INT32_MAX : R.INT64_MAX;
      const expected: Record<number, number> = {
        [ReduceOperation.SUM]: 0,
        [ReduceOperation.PROD]: 1,
        [ReduceOperation.MAX]: lowest,
        [ReduceOperation.MIN]: highest,
        [ReduceOperation.AVG]: R.isFloatType(dtype) ? NaN : 0,
      };
      for (const op of reduceOps) {
        await checkLayer({
          inputs: { x: { ref: R.ref([2, 0, 3], []), dtype } },
          define: (net, { x }) => net.addReduce(x!, op, 0b010, false).getOutput(0),
          // For floats this is R.reduce's own result; integers have no infinities, so the
          // engine gives the limits of the tensor's type (the reference cannot store -inf).
          reference: () => R.ref([2, 3], () => expected[op]!),
        });
      }
    }
  });

  it('integer AVG truncates toward zero', async () => {
    for (const dtype of [DataType.INT32, DataType.INT64]) {
      await checkLayer({
        inputs: { x: { ref: R.ref([4, 3], [1, 1, 2, -1, -1, -2, 7, 0, 0, -7, 0, 0]), dtype } },
        define: (net, { x }) => net.addReduce(x!, ReduceOperation.AVG, 0b10, false).getOutput(0),
        reference: () => R.ref([4], [1, -1, 2, -2]),
      });
    }
  });

  it('dynamic shapes: SUM and MAX over axes 1 and 3 with every dim -1', async () => {
    for (const [op, dtype] of [
      [ReduceOperation.SUM, DataType.FLOAT],
      [ReduceOperation.MAX, DataType.INT32],
    ] as const) {
      for (const keepDims of [true, false]) {
        await checkLayer({
          inputs: { x: { ref: reduceValues(dtype, op, [2, 3, 4, 5], 1400), dtype } },
          define: (net, { x }) => net.addReduce(x!, op, 0b1010, keepDims).getOutput(0),
          reference: ({ x }) => R.reduce(x!, { op, axes: 0b1010, keepDims }),
          dynamic: true,
        });
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// SCALE (default tolerances: float arithmetic and powf on stored values, one final rounding)

describe('SCALE', () => {
  const dims = [2, 3, 4, 5];
  /** Coefficient counts per mode for channel axis `axis`. */
  const countFor = (mode: ScaleMode, axis: number): number =>
    mode === ScaleMode.UNIFORM ? 1 : mode === ScaleMode.CHANNEL ? dims[axis]! : dims.slice(axis).reduce((a, b) => a * b, 1);

  for (const dtype of floatTypes) {
    for (const mode of [ScaleMode.UNIFORM, ScaleMode.CHANNEL, ScaleMode.ELEMENTWISE]) {
      for (const axis of mode === ScaleMode.UNIFORM ? [1, 2] : [1, 0, 2, 3]) {
        const how = axis === 1 ? 'addScale (channelAxis 1)' : `addScaleNd channelAxis ${axis}`;
        it(`${ScaleMode[mode]}, ${how}, every combination of empty shift/scale/power ${typeName(dtype)}`, async () => {
          const count = countFor(mode, axis);
          for (let combo = 0; combo < 8; combo += 1) {
            const seed = 1500 + 100 * mode + 10 * axis + combo;
            // Positive bases where a power is applied: scale in [0.5, 1.5), shift in [0, 0.5),
            // x in [0.25, 2) (powers in [0.5, 2.5)); otherwise x in [-2, 2).
            const shift = combo & 1 ? Float32Array.from(randomRef([count], seed + 1, 0, 0.5).data) : undefined;
            const scale = combo & 2 ? Float32Array.from(randomRef([count], seed + 2, 0.5, 1.5).data) : undefined;
            const power = combo & 4 ? Float32Array.from(randomRef([count], seed + 3, 0.5, 2.5).data) : undefined;
            const x = power ? randomRef(dims, seed, 0.25, 2) : randomRef(dims, seed, -2, 2);
            await checkLayer({
              inputs: { x: { ref: x, dtype } },
              define: (net, t) => {
                const layer =
                  axis === 1
                    ? net.addScale(t['x']!, mode, shift, scale, power)
                    : net.addScaleNd(t['x']!, mode, shift ?? Weights.empty(), scale ?? Weights.empty(), power ?? Weights.empty(), axis);
                expect([layer.mode, layer.channelAxis, layer.shift.count, layer.scale.count, layer.power.count]).toEqual([
                  mode,
                  axis,
                  shift ? count : 0,
                  scale ? count : 0,
                  power ? count : 0,
                ]);
                return layer.getOutput(0);
              },
              reference: (t) => R.scale(t['x']!, { mode, shift, scale, power, channelAxis: axis }),
            });
          }
        });
      }
    }
  }

  it('weights stored as HALF, BF16 or INT32 (converted to float by the kernel)', async () => {
    for (const [dtype, wType] of [
      [DataType.HALF, DataType.HALF],
      [DataType.BF16, DataType.BF16],
      [DataType.FLOAT, DataType.INT32],
      [DataType.HALF, DataType.FLOAT],
    ] as const) {
      const seed = 1620 + dtype + 10 * wType;
      const raw = (n: number, s: number, lo: number, hi: number): R.Ref =>
        wType === DataType.INT32 ? R.map(randomRef([n], s, lo, hi + 1), Math.floor) : asStored(randomRef([n], s, lo, hi), wType);
      const shift = raw(3, seed + 1, 0, 1); // bases stay positive under the fractional powers
      const scale = raw(3, seed + 2, 1, 2);
      const power = raw(3, seed + 3, 1, 2);
      await checkLayer({
        inputs: { x: { ref: randomRef(dims, seed, 0.25, 1.5), dtype } },
        define: (net, { x }) =>
          net.addScale(x!, ScaleMode.CHANNEL, weightsOf(wType, shift.data), weightsOf(wType, scale.data), weightsOf(wType, power.data)).getOutput(0),
        reference: ({ x }) => R.scale(x!, { mode: ScaleMode.CHANNEL, shift: shift.data, scale: scale.data, power: power.data }),
      });
    }
  });

  it('dynamic shapes: CHANNEL on axis 1 and ELEMENTWISE on axis 2 with every dim -1', async () => {
    const shift = Float32Array.from(randomRef([3], 1600).data);
    const scale = Float32Array.from(randomRef([20], 1601).data);
    await checkLayer({
      inputs: { x: { ref: randomRef(dims, 1602, -2, 2), dtype: DataType.FLOAT } },
      define: (net, { x }) => net.addScale(x!, ScaleMode.CHANNEL, shift).getOutput(0),
      reference: ({ x }) => R.scale(x!, { mode: ScaleMode.CHANNEL, shift }),
      dynamic: true,
    });
    await checkLayer({
      inputs: { x: { ref: randomRef(dims, 1603, -2, 2), dtype: DataType.HALF } },
      define: (net, { x }) => net.addScaleNd(x!, ScaleMode.ELEMENTWISE, Weights.empty(), scale, Weights.empty(), 2).getOutput(0),
      reference: ({ x }) => R.scale(x!, { mode: ScaleMode.ELEMENTWISE, scale, channelAxis: 2 }),
      dynamic: true,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// One engine, two optimization profiles, every op of this file

describe('two optimization profiles', () => {
  // x [B, 4, H, 6] -> matmul (constant [1,1,6,5]) + bias [1,1,1,5] -> LEAKY_RELU (all three fused
  //   into one MATRIX_MULTIPLY) -> softmax(axis 3) -> scale (CHANNEL, axis 1)
  //   -> reduce SUM over axis 2 (keepDims) -> shuffle (transpose [0,2,1,3], reshape [0,-1]) = a [B,20]
  // x -> reduce MAX over axes 1,2 -> shuffle reshape [0,-1] = b [B,6]; y = concat([a, b], axis 1).
  // Tolerance: FLOAT with toleranceScale 4 (a K=6 float GEMM before the rest, as MATRIX_MULTIPLY).
  const w = randomRef([1, 1, 6, 5], 1700);
  const bias = asStored(randomRef([1, 1, 1, 5], 1703), DataType.FLOAT);
  const shift = Float32Array.from(randomRef([4], 1701).data);
  const scale = Float32Array.from(randomRef([4], 1702, 0.5, 1.5).data);
  const profiles: Array<Record<string, Profile>> = [
    {
      x: [
        [1, 4, 1, 6],
        [2, 4, 3, 6],
        [4, 4, 5, 6],
      ],
    },
    {
      x: [
        [8, 4, 2, 6],
        [10, 4, 4, 6],
        [16, 4, 8, 6],
      ],
    },
  ];

  function reference(x: R.Ref): R.Ref {
    const mm = R.matrixMultiply(x, asStored(w, DataType.FLOAT));
    const act = R.activation(R.elementWise(mm, bias, { op: R.ElementWiseOperation.SUM }), { type: ActivationType.LEAKY_RELU, alpha: 0.2 });
    const sm = R.softMax(act, { axes: 1 << 3 });
    const sc = R.scale(sm, { mode: R.ScaleMode.CHANNEL, shift, scale });
    const red = R.reduce(sc, { op: R.ReduceOperation.SUM, axes: 1 << 2, keepDims: true });
    const a = R.shuffle(red, { firstTranspose: [0, 2, 1, 3], reshapeDims: [0, -1] });
    const b = R.shuffle(R.reduce(x, { op: R.ReduceOperation.MAX, axes: 0b110, keepDims: true }), { reshapeDims: [0, -1] });
    return R.concatenation([a, b], { axis: 1 });
  }

  it('builds once; shapes from each profile match the reference', async () => {
    const engine = await buildEngine(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [-1, 4, -1, 6]);
        const mm = net.addMatrixMultiply(x, NONE, constantOf(net, w, DataType.FLOAT), NONE).getOutput(0);
        const biased = net.addElementWise(mm, constantOf(net, bias, DataType.FLOAT), ElementWiseOperation.SUM).getOutput(0);
        const act = net.addActivation(biased, ActivationType.LEAKY_RELU);
        act.alpha = 0.2;
        const sm = net.addSoftMax(act.getOutput(0));
        sm.axes = 1 << 3;
        const sc = net.addScale(sm.getOutput(0), ScaleMode.CHANNEL, shift, scale).getOutput(0);
        const red = net.addReduce(sc, ReduceOperation.SUM, 1 << 2, true).getOutput(0);
        const a = net.addShuffle(red);
        a.firstTranspose = [0, 2, 1, 3];
        a.reshapeDims = [0, -1];
        const mx = net.addReduce(x, ReduceOperation.MAX, 0b110, true).getOutput(0);
        const b = net.addShuffle(mx);
        b.reshapeDims = [0, -1];
        const y = net.addConcatenation([a.getOutput(0), b.getOutput(0)]);
        y.axis = 1;
        y.getOutput(0).name = 'y';
        net.markOutput(y.getOutput(0));
      },
      { profiles },
    );
    try {
      expect(engine.numOptimizationProfiles).toBe(2);
      const mmLayer = engine.inspect().layers.find((l) => l.type === 'MATRIX_MULTIPLY');
      expect(mmLayer?.fusedActivation).toBe(ActivationType.LEAKY_RELU);
      // The CPU kernel choice: the FLOAT constant right operand is prepacked.
      if (testBackend === 'cpu') expect(mmLayer?.implementation).toBe('gemm-prepacked');
      expect(computeLayers(engine)).not.toContain('ACTIVATION');
      // The engine does not track symbolic dims: reshape [0,-1] of a dynamic batch is [-1,-1]
      // until the input shape is known.
      expect(engine.getTensorShape('y')).toEqual([-1, -1]);
      const runs: Array<[number, number[]]> = [
        [0, [1, 4, 1, 6]],
        [0, [3, 4, 5, 6]],
        [1, [8, 4, 2, 6]],
        [1, [16, 4, 7, 6]],
        [0, [4, 4, 2, 6]],
      ];
      for (const [profileIndex, dims] of runs) {
        const x = asStored(randomRef(dims, 1710 + dims[0]! + dims[2]!), DataType.FLOAT);
        const out = await runEngine(engine, { x: { ref: x } }, { profileIndex });
        expectClose(out['y'], reference(x), DataType.FLOAT, 4, `profile ${profileIndex} x[${dims}]`);
      }
    } finally {
      engine.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// BAD CALL

/**
 * Defines the network (marking `out` as output when returned) and builds it: the TrtError must
 * come from the definition (inference at add time) or, for settings changed after the add,
 * from the build; either way INVALID_ARGUMENT, naming the layer type and, when given, its name.
 */
async function expectInvalid(define: (net: trt.NetworkDefinition) => trt.ITensor | void, layerType: string, layerName: string | null, message: RegExp): Promise<void> {
  const caught = await errorFromDefineOrBuild(define);
  expect(caught, 'expected a TrtError').toBeInstanceOf(trt.TrtError);
  const err = caught as trt.TrtError;
  expect(err.code, err.message).toBe('INVALID_ARGUMENT');
  expect(err.message).toContain(`(${layerType})`);
  expect(err.message).toMatch(/layer '[^']+'/);
  if (layerName) expect(err.message).toContain(`'${layerName}'`);
  expect(err.message).toMatch(message);
}

describe('BAD CALL', () => {
  it('MATRIX_MULTIPLY: inner dimensions differ (plain, transposed, vector)', async () => {
    await expectInvalid(
      (net) => net.addMatrixMultiply(net.addInput('a', DataType.FLOAT, [3, 4]), NONE, net.addInput('b', DataType.FLOAT, [5, 6]), NONE).getOutput(0),
      'MATRIX_MULTIPLY',
      null,
      /inner dimensions differ.*K=4.*K=5/,
    );
    await expectInvalid(
      (net) => net.addMatrixMultiply(net.addInput('a', DataType.HALF, [2, 4, 3]), TRANSPOSE, net.addInput('b', DataType.HALF, [2, 6, 5]), TRANSPOSE).getOutput(0),
      'MATRIX_MULTIPLY',
      null,
      /inner dimensions differ/,
    );
    await expectInvalid(
      (net) => net.addMatrixMultiply(net.addInput('a', DataType.FLOAT, [3, 4]), NONE, net.addInput('b', DataType.FLOAT, [7]), VECTOR).getOutput(0),
      'MATRIX_MULTIPLY',
      null,
      /inner dimensions differ/,
    );
  });

  it('MATRIX_MULTIPLY: inner dimensions set mismatched after the add (op changed; reported by the build)', async () => {
    await expectInvalid(
      (net) => {
        const mm = net.addMatrixMultiply(net.addInput('a', DataType.FLOAT, [3, 4]), NONE, net.addInput('b', DataType.FLOAT, [4, 6]), NONE);
        mm.name = 'projection';
        mm.op1 = TRANSPOSE; // op(B) is now [6,4]: K=6 vs 4
        return mm.getOutput(0);
      },
      'MATRIX_MULTIPLY',
      'projection',
      /inner dimensions differ/,
    );
  });

  it('MATRIX_MULTIPLY: unequal batch ranks', async () => {
    await expectInvalid(
      (net) => net.addMatrixMultiply(net.addInput('a', DataType.FLOAT, [2, 3, 4]), NONE, net.addInput('b', DataType.FLOAT, [4, 5]), NONE).getOutput(0),
      'MATRIX_MULTIPLY',
      null,
      /different numbers of batch dims/,
    );
  });

  it('SHUFFLE: reshape volume mismatch', async () => {
    await expectInvalid(
      (net) => {
        const s = net.addShuffle(net.addInput('x', DataType.FLOAT, [2, 3, 4]));
        s.name = 'flatten';
        s.reshapeDims = [5, 5];
        return s.getOutput(0);
      },
      'SHUFFLE',
      'flatten',
      /cannot reshape \[2,3,4\] \(24 elements\)/,
    );
    await expectInvalid(
      (net) => {
        const s = net.addShuffle(net.addInput('x', DataType.INT32, [2, 3, 4]));
        s.name = 'notDivisible';
        s.reshapeDims = [5, -1];
        return s.getOutput(0);
      },
      'SHUFFLE',
      'notDivisible',
      /not divisible by 5/,
    );
  });

  it('SHUFFLE: two -1 in the reshape dims', async () => {
    await expectInvalid(
      (net) => {
        const s = net.addShuffle(net.addInput('x', DataType.FLOAT, [2, 3, 4]));
        s.name = 'twoInferred';
        s.reshapeDims = [-1, 2, -1];
        return s.getOutput(0);
      },
      'SHUFFLE',
      'twoInferred',
      /more than one -1/,
    );
  });

  it('SHUFFLE: 0 placeholder with zeroIsPlaceholder on a zero-volume reshape target', async () => {
    // [2,0,3] -> [0,5] copies the 2 when 0 is a placeholder: 10 elements from 0.
    await expectInvalid(
      (net) => {
        const s = net.addShuffle(net.addInput('x', DataType.FLOAT, [2, 0, 3]));
        s.name = 'placeholder';
        s.reshapeDims = [0, 5];
        return s.getOutput(0);
      },
      'SHUFFLE',
      'placeholder',
      /cannot reshape/,
    );
  });

  it('CONCATENATION: dims differ off the axis, ranks differ, types differ', async () => {
    await expectInvalid(
      (net) => {
        const c = net.addConcatenation([net.addInput('a', DataType.FLOAT, [2, 3, 4]), net.addInput('b', DataType.FLOAT, [2, 3, 5])]);
        c.name = 'joinDims';
        c.axis = 1;
        return c.getOutput(0);
      },
      'CONCATENATION',
      'joinDims',
      /must agree except on axis 1/,
    );
    await expectInvalid(
      (net) => net.addConcatenation([net.addInput('a', DataType.FLOAT, [2, 3]), net.addInput('b', DataType.FLOAT, [2, 3, 1])]).getOutput(0),
      'CONCATENATION',
      null,
      /has rank 3/,
    );
    await expectInvalid(
      (net) => net.addConcatenation([net.addInput('a', DataType.FLOAT, [2, 3]), net.addInput('b', DataType.HALF, [2, 3])]).getOutput(0),
      'CONCATENATION',
      null,
      /input 1 has type HALF but input 0 has type FLOAT/,
    );
    await expectInvalid(
      (net) => net.addConcatenation([net.addInput('a', DataType.INT32, [2]), net.addInput('b', DataType.INT32, [2]), net.addInput('c', DataType.INT64, [2])]).getOutput(0),
      'CONCATENATION',
      null,
      /input 2 has type INT64/,
    );
  });

  it('CONCATENATION: inputs that no axis can join are refused at add time', async () => {
    await expectInvalid(
      (net) => net.addConcatenation([net.addInput('a', DataType.FLOAT, [2, 3, 4]), net.addInput('b', DataType.FLOAT, [2, 5, 6])]).getOutput(0),
      'CONCATENATION',
      null,
      /input 1 has dims \[2,5,6\] but input 0 has dims \[2,3,4\]; they must agree except on axis 0/,
    );
  });

  it('CONCATENATION: axis out of range', async () => {
    await expectInvalid(
      (net) => {
        const c = net.addConcatenation([net.addInput('a', DataType.FLOAT, [2, 3]), net.addInput('b', DataType.FLOAT, [2, 3])]);
        c.name = 'farAxis';
        c.axis = 2;
        return c.getOutput(0);
      },
      'CONCATENATION',
      'farAxis',
      /axis/,
    );
  });

  it('SOFTMAX: two axis bits; a bit beyond the rank', async () => {
    await expectInvalid(
      (net) => {
        const s = net.addSoftMax(net.addInput('x', DataType.FLOAT, [2, 3, 4]));
        s.name = 'twoAxes';
        s.axes = 0b011;
        return s.getOutput(0);
      },
      'SOFTMAX',
      'twoAxes',
      /exactly one bit set/,
    );
    await expectInvalid(
      (net) => {
        const s = net.addSoftMax(net.addInput('x', DataType.FLOAT, [2, 3]));
        s.name = 'beyondRank';
        s.axes = 1 << 2;
        return s.getOutput(0);
      },
      'SOFTMAX',
      'beyondRank',
      /bits outside the 2 dimensions/,
    );
  });

  it('REDUCE: axes out of range', async () => {
    await expectInvalid(
      (net) => net.addReduce(net.addInput('x', DataType.FLOAT, [2, 3]), ReduceOperation.SUM, 0b100, false).getOutput(0),
      'REDUCE',
      null,
      /axes mask 4 has bits outside the 2 dimensions/,
    );
    await expectInvalid(
      (net) => {
        const r = net.addReduce(net.addInput('x', DataType.INT32, [2, 3, 4]), ReduceOperation.MAX, 0b011, true);
        r.name = 'laterAxes';
        r.axes = 0b1001; // set after the add: reported by the build
        return r.getOutput(0);
      },
      'REDUCE',
      'laterAxes',
      /bits outside the 3 dimensions/,
    );
  });

  it('SCALE: coefficient count does not match the mode', async () => {
    await expectInvalid(
      (net) => {
        const s = net.addScale(net.addInput('x', DataType.FLOAT, [2, 3, 4]), ScaleMode.CHANNEL, new Float32Array(4));
        s.name = 'channelShift';
        return s.getOutput(0);
      },
      'SCALE',
      null,
      /shift has 4 values but CHANNEL mode on input \[2,3,4\] needs 3/,
    );
  });
});
