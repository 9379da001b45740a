/**
 * Tensor layers, part B: SLICE, GATHER, NORMALIZATION, RESIZE, TOPK and PADDING against the TS
 * reference (test/reference), through checkLayer (inputs rounded to their storage type first).
 *
 * Tolerances (each describe repeats its own):
 * - SLICE, GATHER, PADDING, RESIZE NEAREST and the TOPK values/indices move elements without
 *   arithmetic, so they are compared EXACTLY for every type (toleranceScale 0: rtol = atol = 0).
 * - RESIZE LINEAR/CUBIC: checkLayer's per-dtype defaults (FLOAT rtol 1e-5/atol 1e-6, HALF
 *   2e-3/1e-3, BF16 1.6e-2/1e-2): at most 4^3 = 64 taps of weights <= 1.25 in magnitude,
 *   accumulated in float32 and rounded once to the output type.
 * - NORMALIZATION: checkLayer's per-dtype defaults too (measured margin of 4; see its describe).
 *
 * Engine semantics relied on (docs/layers.md and the op authors' notes): SLICE start defaults to
 * 0 and stride to 1, negative axes count from the back, REFLECT has period 2(d-1), the fill value
 * (input 4) is only allowed in FILL mode, STRICT_BOUNDS is also checked at inference; GATHER
 * negative indices wrap once and anything still out of range reads zeros; NORMALIZATION scale
 * and bias broadcast to x (equal rank) and numGroups > 1 splits channel dim 1; RESIZE follows
 * ONNX; TOPK puts ties lower index first and NaN above every number; PADDING pads the innermost
 * dims and negative values crop.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import {
  DataType,
  ElementWiseOperation,
  GatherMode,
  InterpolationMode,
  ResizeCoordinateTransformation,
  ResizeRoundMode,
  ResizeSelector,
  SampleMode,
  TopKOperation,
  UnaryOperation,
} from '../lib/index.js';
import { TestOutputAllocator, buildEngine, quietLogger, readBytes, runEngine, tensorBufferFrom } from './helpers/engine.js';
import { checkLayer, floatTypes, randomInts, randomRef, sampleValues } from './helpers/layers.js';
import { toBfloat16Bits, toFloat16Bits } from './helpers/onnx.js';
import * as R from './reference/index.js';
import { errorFromDefineOrBuild, weightsOf } from './helpers/layer-checks.js';

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Every storage type the data-movement layers must handle. */
const allTypes = [DataType.FLOAT, DataType.HALF, DataType.BF16, DataType.INT8, DataType.UINT8, DataType.INT32, DataType.INT64, DataType.BOOL];
const T = (t: DataType): string => DataType[t];
const isFloat = (t: DataType): boolean => t === DataType.FLOAT || t === DataType.HALF || t === DataType.BF16;

/** Copies compare exactly: toleranceScale 0 makes checkLayer's rtol and atol 0. */
const EXACT = 0;


/** A 1-D INT32/INT64 constant (a shape tensor). */
function ints(net: trt.NetworkDefinition, values: number[], type: DataType = DataType.INT32): trt.ITensor {
  return net.addConstant([values.length], weightsOf(type, values)).getOutput(0);
}

/**
 * Defines the network and builds it: the TrtError must come from the definition (shape inference
 * at add time) or, for settings changed after the add, from the build; either way it must be
 * INVALID_ARGUMENT and name the layer ("layer '<name>' (<TYPE>)").
 */
async function expectInvalid(define: (net: trt.NetworkDefinition) => void, layerType: string, message: RegExp): Promise<trt.TrtError> {
  const caught = await errorFromDefineOrBuild(define);
  expect(caught, 'expected a TrtError').toBeInstanceOf(trt.TrtError);
  const err = caught as trt.TrtError;
  expect(err.code, err.message).toBe('INVALID_ARGUMENT');
  expect(err.message).toContain(`(${layerType})`);
  expect(err.message).toMatch(/layer '[^']+'/);
  expect(err.message).toMatch(message);
  return err;
}

// ---------------------------------------------------------------------------------------------
// SLICE

describe('SLICE (every type, exact)', () => {
  // A slice copies elements: compared exactly for every type (toleranceScale 0).
  const dims = [4, 5, 7];

  interface SliceCase {
    start: number[];
    shape: number[];
    stride: number[];
    mode?: SampleMode;
    axes?: number[];
  }

  async function checkSlice(dtype: DataType, c: SliceCase, seed: number, dynamic = false): Promise<void> {
    await checkLayer({
      inputs: { x: { ref: sampleValues(dtype, dims, seed), dtype } },
      define: (net, { x }) => {
        const rank = x!.shape.length;
        // Added with one entry per dim; axes, and the real start/shape/stride, follow as settings.
        const layer = net.addSlice(x!, new Array<number>(rank).fill(0), [...dims], new Array<number>(rank).fill(1));
        if (c.axes) layer.axes = c.axes;
        layer.start = c.start;
        layer.shape = c.shape;
        layer.stride = c.stride;
        if (c.mode !== undefined) layer.mode = c.mode;
        return layer.getOutput(0);
      },
      reference: ({ x }) => R.slice(x!, { start: c.start, shape: c.shape, stride: c.stride, mode: c.mode, axes: c.axes }),
      toleranceScale: EXACT,
      dynamic,
    });
  }

  const strictCases: SliceCase[] = [
    { start: [0, 0, 0], shape: [4, 5, 7], stride: [1, 1, 1] }, // the whole tensor
    { start: [1, 0, 1], shape: [2, 3, 2], stride: [2, 2, 3] },
    { start: [3, 4, 6], shape: [4, 2, 3], stride: [-1, -3, -2] }, // negative strides
    { start: [2, 1, 5], shape: [1, 0, 2], stride: [1, 1, -4] }, // an empty output
    { start: [1, 2, 0], shape: [3, 2, 7], stride: [1, 1, 1] },
  ];

  // Every SampleMode reads outside the input here, through positive and negative strides.
  const outOfRangeCases: SliceCase[] = [
    { start: [-2, -6, -9], shape: [8, 4, 12], stride: [1, 3, 2] },
    { start: [6, 7, 20], shape: [9, 5, 8], stride: [-1, -2, -3] },
    { start: [0, -1, 3], shape: [3, 13, 5], stride: [2, 1, 0] }, // stride 0 repeats one element
  ];

  for (const dtype of allTypes) {
    it(`${T(dtype)}: STRICT_BOUNDS with positive, negative and mixed strides`, async () => {
      for (const [i, c] of strictCases.entries()) await checkSlice(dtype, c, 100 + i);
    });

    for (const mode of [SampleMode.WRAP, SampleMode.CLAMP, SampleMode.FILL, SampleMode.REFLECT]) {
      it(`${T(dtype)}: ${SampleMode[mode]} reads outside the input`, async () => {
        for (const [i, c] of outOfRangeCases.entries()) await checkSlice(dtype, { ...c, mode }, 200 + 10 * mode + i);
      });
    }

    it(`${T(dtype)}: FILL takes its value from a fill-value tensor (input 4)`, async () => {
      const fill = dtype === DataType.BOOL ? 1 : dtype === DataType.UINT8 ? 201 : -7;
      const c = outOfRangeCases[0]!;
      await checkLayer({
        inputs: { x: { ref: sampleValues(dtype, dims, 300), dtype }, f: { ref: R.ref([], [fill]), dtype } },
        define: (net, { x, f }) => {
          // Added in range (STRICT_BOUNDS is checked at the add), then switched to FILL.
          const layer = net.addSlice(x!, [0, 0, 0], [1, 1, 1], [1, 1, 1]);
          layer.mode = SampleMode.FILL;
          layer.start = c.start;
          layer.shape = c.shape;
          layer.stride = c.stride;
          layer.setInput(4, f!);
          return layer.getOutput(0);
        },
        reference: ({ x, f }) => R.slice(x!, { ...c, mode: SampleMode.FILL, fillValue: f!.data[0] }),
        toleranceScale: EXACT,
      });
    });

    it(`${T(dtype)}: a subset of axes (attribute, negative axes, any order)`, async () => {
      const cases: SliceCase[] = [
        { axes: [2], start: [1], shape: [3], stride: [2] },
        { axes: [-1, 0], start: [6, 3], shape: [4, 2], stride: [-2, -2] },
        { axes: [1], start: [-3], shape: [9], stride: [1], mode: SampleMode.REFLECT },
        { axes: [-3, -2], start: [5, 0], shape: [6, 5], stride: [1, 1], mode: SampleMode.WRAP },
      ];
      for (const [i, c] of cases.entries()) await checkSlice(dtype, c, 400 + i);
    });
  }

  for (const dtype of [DataType.FLOAT, DataType.HALF, DataType.INT64, DataType.BOOL]) {
    it(`${T(dtype)}: start, size, stride and axes as INT32 / INT64 tensors (setInput 1, 2, 3, 5)`, async () => {
      const variants: Array<{ which: number[]; type: DataType; c: SliceCase & { axes: number[] } }> = [
        { which: [1, 2, 3], type: DataType.INT32, c: { axes: [0, 1, 2], start: [3, 0, 1], shape: [2, 3, 3], stride: [-2, 2, 2] } },
        { which: [1, 2, 3, 5], type: DataType.INT64, c: { axes: [2, 0], start: [6, 1], shape: [3, 2], stride: [-3, 1] } },
        { which: [2], type: DataType.INT64, c: { axes: [0, 1, 2], start: [1, 1, 1], shape: [3, 4, 6], stride: [1, 1, 1] } },
        { which: [1, 5], type: DataType.INT32, c: { axes: [-1], start: [-3], shape: [10], stride: [1], mode: SampleMode.CLAMP } },
      ];
      for (const [i, { which, type, c }] of variants.entries()) {
        await checkLayer({
          inputs: { x: { ref: sampleValues(dtype, dims, 500 + i), dtype } },
          define: (net, { x }) => {
            // Attributes hold placeholders where a tensor is given, so the tensor must win.
            const layer = net.addSlice(x!, [0, 0, 0], [1, 1, 1], [1, 1, 1]);
            const n = c.axes.length;
            if (!which.includes(5)) layer.axes = c.axes;
            else layer.axes = [0, 1, 2].slice(0, n);
            if (!which.includes(1)) layer.start = c.start;
            else layer.start = new Array<number>(n).fill(0);
            if (!which.includes(2)) layer.shape = c.shape;
            else layer.shape = new Array<number>(n).fill(1);
            if (!which.includes(3)) layer.stride = c.stride;
            else layer.stride = new Array<number>(n).fill(1);
            if (c.mode !== undefined) layer.mode = c.mode;
            if (which.includes(1)) layer.setInput(1, ints(net, c.start, type));
            if (which.includes(2)) layer.setInput(2, ints(net, c.shape, type));
            if (which.includes(3)) layer.setInput(3, ints(net, c.stride, type));
            if (which.includes(5)) layer.setInput(5, ints(net, c.axes, type));
            const out = layer.getOutput(0);
            expect(out.shape).toEqual(R.slice(R.ref(dims), c).dims);
            return out;
          },
          reference: ({ x }) => R.slice(x!, c),
          toleranceScale: EXACT,
        });
      }
    });
  }

  it('dynamic input dims (every mode)', async () => {
    for (const dtype of [DataType.FLOAT, DataType.INT8]) {
      await checkSlice(dtype, strictCases[2]!, 600, true);
      for (const mode of [SampleMode.WRAP, SampleMode.CLAMP, SampleMode.FILL, SampleMode.REFLECT]) {
        await checkSlice(dtype, { ...outOfRangeCases[1]!, mode }, 610 + mode, true);
      }
    }
  });

  it('size computed from SHAPE of a dynamic input follows the run-time shape (one profile, two shapes)', async () => {
    // out = x[1 : d0-1, 2 : d1 : 2]: start [1, 2] (tensor), size [d0 - 2, floor((d1 - 2 + 1) / 2)]
    // computed from SHAPE(x) with INT64 elementwise ops, stride [1, 2] (attribute).
    const engine = await buildEngine(
      (net) => {
        const x = net.addInput('x', DataType.HALF, [-1, -1]);
        const s = net.addShape(x).getOutput(0);
        const minus = net.addElementWise(s, ints(net, [2, 1], DataType.INT64), ElementWiseOperation.SUB).getOutput(0);
        const size = net.addElementWise(minus, ints(net, [1, 2], DataType.INT64), ElementWiseOperation.FLOOR_DIV).getOutput(0);
        const layer = net.addSlice(x, [0, 0], [1, 1], [1, 2]);
        layer.setInput(1, ints(net, [1, 2], DataType.INT64));
        layer.setInput(2, size);
        expect(layer.getOutput(0).shape).toEqual([-1, -1]);
        layer.getOutput(0).name = 'y';
        net.markOutput(layer.getOutput(0));
      },
      { profiles: [{ x: [[3, 3], [5, 8], [9, 16]] }] },
    );
    try {
      for (const [i, d] of [
        [5, 8],
        [9, 13],
        [3, 3],
      ].entries()) {
        const x = R.storeRefAs(randomRef(d, 700 + i, -2, 2), DataType.HALF);
        const out = await runEngine(engine, { x: { ref: x } });
        const want = R.slice(x, { start: [1, 2], shape: [d[0]! - 2, Math.floor((d[1]! - 1) / 2)], stride: [1, 2] });
        expect(out['y']!.dims).toEqual(want.dims);
        expect(Array.from(out['y']!.data)).toEqual(Array.from(want.data));
      }
    } finally {
      engine.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// GATHER

describe('GATHER (every type, exact)', () => {
  // A gather copies elements: compared exactly for every type (toleranceScale 0).
  const dataDims = [3, 4, 5];

  async function checkGather(
    dtype: DataType,
    indices: R.Ref,
    indexType: DataType,
    p: { mode: GatherMode; axis?: number; numElementWiseDims?: number },
    seed: number,
    opts: { dims?: number[]; dynamic?: boolean; viaAddGather?: boolean } = {},
  ): Promise<R.Ref> {
    const [out] = await checkLayer({
      inputs: { data: { ref: sampleValues(dtype, opts.dims ?? dataDims, seed), dtype }, idx: { ref: indices, dtype: indexType } },
      define: (net, { data, idx }) => {
        let layer: trt.IGatherLayer;
        if (p.mode === GatherMode.DEFAULT) layer = net.addGather(data!, idx!, p.axis ?? 0);
        else if (opts.viaAddGather) {
          // The other spelling: addGather with the axis, then the mode.
          layer = net.addGather(data!, idx!, p.axis ?? 0);
          layer.mode = p.mode;
        } else layer = net.addGatherV2(data!, idx!, p.mode); // TensorRT's order: mode at add, axis after
        if (p.axis !== undefined) layer.axis = p.axis;
        if (p.numElementWiseDims !== undefined) layer.numElementWiseDims = p.numElementWiseDims;
        return layer.getOutput(0);
      },
      reference: ({ data, idx }) => R.gather(data!, idx!, p),
      toleranceScale: EXACT,
      dynamic: opts.dynamic,
    });
    return out!;
  }

  for (const dtype of allTypes) {
    for (const indexType of [DataType.INT32, DataType.INT64]) {
      it(`${T(dtype)}, ${T(indexType)} indices: DEFAULT on every axis (negative indices, negative axis, scalar and 2-D indices)`, async () => {
        const cases: Array<[number, R.Ref]> = [
          [0, R.ref([4], [2, 0, -1, -3])],
          [1, R.ref([2, 3], [3, -4, 0, -1, 1, 1])],
          [2, R.ref([3], [4, -5, 2])],
          [-1, R.ref([2, 2], [-2, 0, 4, -1])],
          [-3, R.ref([], [-2])], // scalar index: the axis disappears
          [1, R.ref([2, 1, 2], [0, 3, -2, 1])],
        ];
        for (const [i, [axis, idx]] of cases.entries()) await checkGather(dtype, idx, indexType, { mode: GatherMode.DEFAULT, axis }, 800 + i);
      });
    }

    it(`${T(dtype)}: DEFAULT with numElementWiseDims 1 (shared, broadcast leading dim)`, async () => {
      await checkGather(dtype, R.ref([3, 2], [0, -1, 2, 1, -4, 3]), DataType.INT32, { mode: GatherMode.DEFAULT, axis: 1, numElementWiseDims: 1 }, 850);
      await checkGather(dtype, R.ref([1, 3], [4, -5, 0]), DataType.INT64, { mode: GatherMode.DEFAULT, axis: 2, numElementWiseDims: 1 }, 851);
    });

    it(`${T(dtype)}: ELEMENT on each axis (negative indices, indices smaller than the data)`, async () => {
      const cases: Array<[number, number[], number, DataType]> = [
        [0, [3, 4, 5], 3, DataType.INT32],
        [1, [3, 2, 5], 4, DataType.INT64],
        [2, [2, 4, 3], 5, DataType.INT32],
        [-1, [3, 4, 6], 5, DataType.INT64], // indices longer than the data along the gather axis
        [0, [5, 2, 2], 3, DataType.INT32], // the same along axis 0
      ];
      for (const [i, [axis, idxDims, n, indexType]] of cases.entries()) {
        const idx = randomInts(idxDims, 870 + i, -n, n - 1);
        await checkGather(dtype, idx, indexType, { mode: GatherMode.ELEMENT, axis }, 860 + i);
        if (i === 3) await checkGather(dtype, idx, indexType, { mode: GatherMode.ELEMENT, axis }, 860 + i, { viaAddGather: true });
      }
    });

    it(`${T(dtype)}: ND with numElementWiseDims 0 and 1`, async () => {
      const cases: Array<[number, R.Ref, DataType]> = [
        [0, R.ref([2, 2], [2, -1, 0, 1]), DataType.INT32], // tuples (i, j): out [2, 5]
        [0, R.ref([2, 3, 1], [0, 2, -1, -3, 1, 1]), DataType.INT64], // (i): out [2, 3, 4, 5]
        [0, R.ref([4, 3], [0, 0, 0, 2, 3, 4, -1, -1, -1, 1, -4, 2]), DataType.INT32], // full tuples: out [4]
        [1, R.ref([3, 2, 1], [0, 3, -1, 2, 1, -4]), DataType.INT64], // batch dim 0, (j): out [3, 2, 5]
        [1, R.ref([3, 2], [3, 4, -4, -5, 0, 2]), DataType.INT32], // batch dim 0, (j, k): out [3]
        [1, R.ref([3, 2, 2], [0, 0, 1, 1, 2, 2, 3, 3, -1, -1, -2, -2]), DataType.INT64],
      ];
      for (const [i, [nbe, idx, indexType]] of cases.entries()) {
        await checkGather(dtype, idx, indexType, { mode: GatherMode.ND, numElementWiseDims: nbe }, 880 + i);
      }
    });

    it(`${T(dtype)}: out-of-range indices (after one negative wrap) give zeros`, async () => {
      // Data without zeros, so a zero in the output can only come from the zero fill.
      const nonZero = (seed: number): R.Ref =>
        R.map(sampleValues(dtype, dataDims, seed), (v) => (R.storeAs(v, dtype) === 0 ? (dtype === DataType.UINT8 ? 200 : 1) : v));
      const run = async (idx: R.Ref, indexType: DataType, p: { mode: GatherMode; axis?: number; numElementWiseDims?: number }, seed: number): Promise<R.Ref> => {
        const [out] = await checkLayer({
          inputs: { data: { ref: nonZero(seed), dtype }, idx: { ref: idx, dtype: indexType } },
          define: (net, { data, idx: ix }) => {
            const layer = net.addGatherV2(data!, ix!, p.mode);
            layer.axis = p.axis ?? 0;
            layer.numElementWiseDims = p.numElementWiseDims ?? 0;
            return layer.getOutput(0);
          },
          reference: ({ data, idx: ix }) => R.gather(data!, ix!, p),
          toleranceScale: EXACT,
        });
        return out!;
      };
      // DEFAULT axis 1 (size 4): indices 4 and -5 are out of range, -4 wraps to 0.
      const d = await run(R.ref([4], [4, -4, -5, 1]), DataType.INT32, { mode: GatherMode.DEFAULT, axis: 1 }, 900);
      R.forEachIndex(d.dims, (idx, f) => {
        const zero = idx[1] === 0 || idx[1] === 2;
        if (zero) expect(d.data[f], `DEFAULT output [${idx.join(',')}]`).toBe(0);
        else expect(d.data[f], `DEFAULT output [${idx.join(',')}]`).not.toBe(0);
      });
      // ELEMENT axis 2 (size 5): 5, -6 and a huge INT64 are out of range.
      const e = await run(R.ref([1, 1, 4], [5, -6, 2 ** 40, -5]), DataType.INT64, { mode: GatherMode.ELEMENT, axis: 2 }, 901);
      expect(Array.from(e.data.slice(0, 3))).toEqual([0, 0, 0]);
      expect(e.data[3]).not.toBe(0);
      // ND: a tuple with one bad coordinate zero-fills its whole slice.
      const n = await run(R.ref([3, 2], [0, 4, -3, 1, 3, 0]), DataType.INT32, { mode: GatherMode.ND }, 902); // (0, 4) and (3, 0) are out of range
      expect(n.dims).toEqual([3, 5]);
      expect(Array.from(n.data.slice(0, 5))).toEqual([0, 0, 0, 0, 0]);
      expect(Array.from(n.data.slice(10, 15))).toEqual([0, 0, 0, 0, 0]);
      expect(Array.from(n.data.slice(5, 10)).every((v) => v !== 0)).toBe(true);
    });
  }

  it('dynamic data and indices dims (DEFAULT and ELEMENT)', async () => {
    for (const dtype of [DataType.FLOAT, DataType.BF16, DataType.UINT8, DataType.INT64]) {
      await checkGather(dtype, R.ref([2, 2], [3, -1, 0, -4]), DataType.INT32, { mode: GatherMode.DEFAULT, axis: 1 }, 950, { dynamic: true });
      await checkGather(dtype, randomInts([3, 2, 5], 951, -4, 3), DataType.INT64, { mode: GatherMode.ELEMENT, axis: 1 }, 952, { dynamic: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// NORMALIZATION

describe('NORMALIZATION (FLOAT/HALF/BF16, per-dtype default tolerance)', () => {
  // Tolerance: checkLayer's per-dtype defaults, no toleranceScale, also for the long (4096- and
  // 512-element) reductions. The engine accumulates mean and variance in double with a second
  // pass over (x - mean) (no E[x^2] - E[x]^2 cancellation, which the mean-100 case would expose)
  // and forms (x - mean) * rstd * scale + bias in float32: a few float32 roundings against the
  // reference's single rounding to the output type. Measured on these cases, every output stays
  // within a quarter of the default tolerance for all three types (FLOAT fails only at a tenth),
  // so the defaults leave a margin of 4. (The mean-100 case failed the FLOAT default by 2x before
  // the engine summed shifted data and subtracted the mean in two float parts: the float lanes
  // had lost ~1e-5 of the mean.)
  interface NormCase {
    x: number[];
    axes: number;
    scale: number[];
    bias: number[];
    numGroups?: number;
    epsilon?: number;
    /** input value range (default [-1.5, 4.5]) */
    range?: [number, number];
    what: string;
  }

  const cases: NormCase[] = [
    { what: 'LayerNorm, last axis', x: [2, 3, 64], axes: 1 << 2, scale: [1, 1, 64], bias: [1, 1, 64] },
    { what: 'LayerNorm, last two axes', x: [2, 4, 6, 8], axes: (1 << 2) | (1 << 3), scale: [1, 1, 6, 8], bias: [1, 1, 6, 8] },
    { what: 'LayerNorm, 2-D input, epsilon 1e-3', x: [5, 33], axes: 1 << 1, scale: [1, 33], bias: [1, 33], epsilon: 1e-3 },
    { what: 'InstanceNorm, spatial axes of NCHW', x: [2, 3, 5, 7], axes: (1 << 2) | (1 << 3), scale: [1, 3, 1, 1], bias: [1, 3, 1, 1] },
    { what: 'InstanceNorm, spatial axes of NCDHW', x: [1, 2, 3, 4, 5], axes: 0b11100, scale: [1, 2, 1, 1, 1], bias: [1, 2, 1, 1, 1] },
    { what: 'GroupNorm, 2 groups', x: [2, 8, 4, 4], axes: 0b1100, scale: [1, 8, 1, 1], bias: [1, 8, 1, 1], numGroups: 2 },
    { what: 'GroupNorm, 4 groups', x: [2, 8, 4, 4], axes: 0b1100, scale: [1, 8, 1, 1], bias: [1, 8, 1, 1], numGroups: 4 },
    { what: 'GroupNorm, 4 groups, 3-D input', x: [3, 12, 10], axes: 0b100, scale: [1, 12, 1], bias: [1, 12, 1], numGroups: 4 },
    { what: 'scale and bias broadcast differently (all-ones scale dims, per-batch bias)', x: [2, 3, 16], axes: 1 << 2, scale: [1, 1, 1], bias: [2, 1, 1] },
    { what: 'full-shape scale, per-row bias', x: [3, 4, 6], axes: (1 << 1) | (1 << 2), scale: [3, 4, 6], bias: [3, 1, 1] },
    { what: 'normalization over a leading axis', x: [6, 5], axes: 1 << 0, scale: [1, 5], bias: [1, 1] },
    { what: 'long reduction (512 elements)', x: [2, 512], axes: 1 << 1, scale: [1, 512], bias: [1, 512] },
    { what: 'long reduction with a large mean (4096 elements around 100)', x: [2, 4, 32, 32], axes: 0b1100, scale: [1, 4, 1, 1], bias: [1, 4, 1, 1], range: [99, 101] },
  ];

  async function checkNorm(dtype: DataType, c: NormCase, seed: number, dynamic = false): Promise<void> {
    // Offset data (mean ~1.5) so the mean matters; scale in [-2, 2], bias in [-1, 1].
    const [lo, hi] = c.range ?? [-1.5, 4.5];
    await checkLayer({
      inputs: {
        x: { ref: randomRef(c.x, seed, lo, hi), dtype },
        scale: { ref: randomRef(c.scale, seed + 1, -2, 2), dtype },
        bias: { ref: randomRef(c.bias, seed + 2, -1, 1), dtype },
      },
      define: (net, { x, scale, bias }) => {
        const layer = net.addNormalizationV2(x!, scale!, bias!, c.axes);
        if (c.numGroups !== undefined) layer.numGroups = c.numGroups;
        if (c.epsilon !== undefined) layer.epsilon = c.epsilon;
        return layer.getOutput(0);
      },
      reference: ({ x, scale, bias }) => R.normalization(x!, scale!, bias!, { axes: c.axes, numGroups: c.numGroups, epsilon: c.epsilon }),
      dynamic,
    });
  }

  for (const dtype of floatTypes) {
    for (const [i, c] of cases.entries()) {
      it(`${T(dtype)}: ${c.what}`, async () => {
        await checkNorm(dtype, c, 1000 + 10 * i);
      });
    }
    it(`${T(dtype)}: a constant input normalizes to the bias (variance 0, epsilon only)`, async () => {
      await checkLayer({
        inputs: { x: { ref: R.ref([2, 3, 8], () => 0.75), dtype }, scale: { ref: randomRef([1, 1, 8], 1200), dtype }, bias: { ref: randomRef([1, 3, 1], 1201), dtype } },
        define: (net, { x, scale, bias }) => net.addNormalizationV2(x!, scale!, bias!, 1 << 2).getOutput(0),
        reference: ({ x, scale, bias }) => R.normalization(x!, scale!, bias!, { axes: 1 << 2 }),
      });
    });
  }

  it('dynamic input, scale and bias dims (LayerNorm and GroupNorm)', async () => {
    for (const dtype of floatTypes) {
      await checkNorm(dtype, cases[0]!, 1300, true);
      await checkNorm(dtype, cases[6]!, 1310, true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// RESIZE

const CT = ResizeCoordinateTransformation;
const allTransforms = [CT.ALIGN_CORNERS, CT.ASYMMETRIC, CT.HALF_PIXEL];
const allRoundings = [ResizeRoundMode.HALF_UP, ResizeRoundMode.HALF_DOWN, ResizeRoundMode.FLOOR, ResizeRoundMode.CEIL];

interface ResizeCase {
  x: number[];
  /** output dims (attribute, or input 1 with `shapeTensor`) */
  shape?: number[];
  /** per-dim scales; every in*scale is an integer (the configuration resize.ts flags is avoided) */
  scales?: number[];
  resizeMode?: InterpolationMode;
  coordinateTransformation?: ResizeCoordinateTransformation;
  selectorForSinglePixel?: ResizeSelector;
  nearestRounding?: ResizeRoundMode;
  cubicCoeff?: number;
  excludeOutside?: boolean;
  shapeTensor?: DataType;
}

function describeResize(c: ResizeCase): string {
  const parts = [`[${c.x.join(',')}] -> ${c.shape ? `[${c.shape.join(',')}]` : `scales [${c.scales!.join(',')}]`}`];
  if (c.coordinateTransformation !== undefined) parts.push(CT[c.coordinateTransformation]);
  if (c.nearestRounding !== undefined) parts.push(ResizeRoundMode[c.nearestRounding]);
  if (c.selectorForSinglePixel !== undefined) parts.push(ResizeSelector[c.selectorForSinglePixel]);
  if (c.cubicCoeff !== undefined) parts.push(`A=${c.cubicCoeff}`);
  if (c.excludeOutside) parts.push('excludeOutside');
  return parts.join(' ');
}

async function checkResize(dtype: DataType, c: ResizeCase, seed: number, dynamic = false): Promise<void> {
  const mode = c.resizeMode ?? InterpolationMode.NEAREST;
  const exact = mode === InterpolationMode.NEAREST;
  await checkLayer({
    inputs: { x: { ref: sampleValues(dtype, c.x, seed), dtype } },
    define: (net, { x }) => {
      const layer = net.addResize(x!);
      if (c.shapeTensor !== undefined) layer.setInput(1, ints(net, c.shape!, c.shapeTensor));
      else if (c.shape) layer.shape = c.shape;
      else layer.scales = c.scales!;
      layer.resizeMode = mode;
      if (c.coordinateTransformation !== undefined) layer.coordinateTransformation = c.coordinateTransformation;
      if (c.selectorForSinglePixel !== undefined) layer.selectorForSinglePixel = c.selectorForSinglePixel;
      if (c.nearestRounding !== undefined) layer.nearestRounding = c.nearestRounding;
      if (c.cubicCoeff !== undefined) layer.cubicCoeff = c.cubicCoeff;
      if (c.excludeOutside !== undefined) layer.excludeOutside = c.excludeOutside;
      return layer.getOutput(0);
    },
    reference: ({ x }) =>
      R.resize(x!, {
        shape: c.shape,
        scales: c.shape ? undefined : c.scales,
        resizeMode: mode,
        coordinateTransformation: c.coordinateTransformation,
        selectorForSinglePixel: c.selectorForSinglePixel,
        nearestRounding: c.nearestRounding,
        cubicCoeff: c.cubicCoeff,
        excludeOutside: c.excludeOutside,
      }),
    // NEAREST copies elements (exact); LINEAR/CUBIC at the per-dtype defaults (see the header).
    toleranceScale: exact ? EXACT : 1,
    dynamic,
  });
}

/**
 * Geometries: upsample and downsample with exact ties for the rounding modes (x2 HALF_PIXEL
 * downsampling lands on .5; ASYMMETRIC x2 upsampling too; 6 -> 4 gives thirds and halves), 1-D,
 * 2-D and 3-D resized dims, shape vs scales.
 */
const geometries: ResizeCase[] = [
  { x: [2, 3, 4, 6], shape: [2, 3, 8, 9] }, // 2-D upsample (x2, x1.5)
  { x: [2, 3, 4, 6], shape: [2, 3, 2, 4] }, // 2-D downsample (x0.5, x2/3)
  { x: [1, 2, 7], shape: [1, 2, 3] }, // 1-D downsample, uneven
  { x: [1, 2, 5], shape: [1, 2, 12] }, // 1-D upsample, uneven
  { x: [1, 2, 3, 4, 5], shape: [1, 2, 5, 2, 10] }, // 3-D: up, down, up
  { x: [3, 4, 6], shape: [6, 4, 3] }, // leading dim resized
  { x: [2, 3, 4, 6], scales: [1, 1, 2, 1.5] }, // scales, upsample
  { x: [2, 3, 4, 6], scales: [1, 1, 0.5, 0.5] }, // scales, downsample
  { x: [1, 2, 3, 4, 4], scales: [1, 1, 2, 0.75, 3] }, // scales, 3-D
  // Sizes whose exact source coordinates are integers or .5 ties that o * (in/out) misses by an
  // ulp (e.g. HALF_PIXEL 15 -> 11 at o = 5 is exactly 7; ASYMMETRIC 15 -> 22 at o = 11 is 7.5).
  { x: [2, 15, 14], shape: [2, 11, 25] },
  { x: [1, 15, 14], shape: [1, 22, 50] },
];

describe('RESIZE NEAREST (every rounding mode and transformation; exact)', () => {
  // NEAREST copies input elements: compared exactly (toleranceScale 0).
  for (const dtype of floatTypes) {
    for (const ct of allTransforms) {
      for (const rounding of allRoundings) {
        it(`${T(dtype)}: ${CT[ct]}, ${ResizeRoundMode[rounding]}`, async () => {
          for (const [i, g] of geometries.entries()) {
            await checkResize(dtype, { ...g, coordinateTransformation: ct, nearestRounding: rounding }, 2000 + i);
          }
        });
      }
    }
  }

  it('every stored type (NEAREST moves elements of any type)', async () => {
    for (const dtype of allTypes) {
      await checkResize(dtype, { ...geometries[0]!, coordinateTransformation: CT.HALF_PIXEL, nearestRounding: ResizeRoundMode.HALF_DOWN }, 2100);
      await checkResize(dtype, { ...geometries[7]!, coordinateTransformation: CT.ASYMMETRIC, nearestRounding: ResizeRoundMode.CEIL }, 2101);
    }
  });

  it('single-pixel outputs: FORMULA vs UPPER selector', async () => {
    for (const dtype of [DataType.FLOAT, DataType.INT32]) {
      for (const sel of [ResizeSelector.FORMULA, ResizeSelector.UPPER]) {
        for (const ct of allTransforms) {
          for (const rounding of allRoundings) {
            // H 5 -> 1 (HALF_PIXEL formula reads 2), W 4 -> 1 (reads 1.5: rounding matters), C kept
            await checkResize(dtype, { x: [1, 3, 5, 4], shape: [1, 3, 1, 1], coordinateTransformation: ct, selectorForSinglePixel: sel, nearestRounding: rounding }, 2200);
            await checkResize(dtype, { x: [2, 4, 6], shape: [1, 4, 1], coordinateTransformation: ct, selectorForSinglePixel: sel, nearestRounding: rounding }, 2201);
          }
        }
      }
    }
  });
});

describe('RESIZE LINEAR and CUBIC (FLOAT/HALF/BF16, per-dtype default tolerance)', () => {
  // Tolerance: checkLayer's defaults (see the file header).
  for (const dtype of floatTypes) {
    for (const ct of allTransforms) {
      it(`${T(dtype)}: LINEAR, ${CT[ct]} (with and without excludeOutside)`, async () => {
        for (const [i, g] of geometries.entries()) {
          for (const excludeOutside of [false, true]) {
            await checkResize(dtype, { ...g, resizeMode: InterpolationMode.LINEAR, coordinateTransformation: ct, excludeOutside }, 3000 + i);
          }
        }
      });
      for (const cubicCoeff of [-0.5, -0.75]) {
        it(`${T(dtype)}: CUBIC A=${cubicCoeff}, ${CT[ct]} (with and without excludeOutside)`, async () => {
          for (const [i, g] of geometries.entries()) {
            for (const excludeOutside of [false, true]) {
              await checkResize(dtype, { ...g, resizeMode: InterpolationMode.CUBIC, coordinateTransformation: ct, cubicCoeff, excludeOutside }, 3100 + i);
            }
          }
        });
      }
    }
  }

  it('single-pixel outputs: FORMULA vs UPPER selector (LINEAR and CUBIC)', async () => {
    for (const dtype of floatTypes) {
      for (const resizeMode of [InterpolationMode.LINEAR, InterpolationMode.CUBIC]) {
        for (const sel of [ResizeSelector.FORMULA, ResizeSelector.UPPER]) {
          for (const ct of allTransforms) {
            await checkResize(dtype, { x: [1, 2, 5, 4], shape: [1, 2, 1, 1], resizeMode, coordinateTransformation: ct, selectorForSinglePixel: sel }, 3200);
          }
        }
      }
    }
  });

  it('output dims from an INT32 / INT64 tensor (setInput 1)', async () => {
    for (const dtype of floatTypes) {
      for (const shapeTensor of [DataType.INT32, DataType.INT64]) {
        await checkResize(dtype, { x: [1, 2, 4, 6], shape: [1, 2, 7, 3], shapeTensor, resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.HALF_PIXEL }, 3300);
        await checkResize(dtype, { x: [1, 2, 4, 6], shape: [2, 2, 8, 12], shapeTensor, resizeMode: InterpolationMode.CUBIC, coordinateTransformation: CT.ASYMMETRIC }, 3301);
        await checkResize(dtype, { x: [1, 2, 4, 6], shape: [1, 3, 5, 5], shapeTensor, coordinateTransformation: CT.ALIGN_CORNERS, nearestRounding: ResizeRoundMode.HALF_UP }, 3302);
      }
    }
  });

  it('dynamic input dims with scales', async () => {
    for (const dtype of floatTypes) {
      await checkResize(dtype, { x: [2, 3, 4, 6], scales: [1, 1, 2, 0.5], resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.HALF_PIXEL }, 3400, true);
      await checkResize(dtype, { x: [1, 2, 5, 4], scales: [1, 1, 0.4, 2.5], resizeMode: InterpolationMode.CUBIC, coordinateTransformation: CT.ALIGN_CORNERS }, 3401, true);
      await checkResize(dtype, { x: [2, 3, 4, 6], scales: [1, 1, 1.5, 2], coordinateTransformation: CT.ASYMMETRIC, nearestRounding: ResizeRoundMode.FLOOR }, 3402, true);
    }
  });

  it('output dims computed from SHAPE of a dynamic input (x2 spatially) follow the run-time shape', async () => {
    const engine = await buildEngine(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [1, 2, -1, -1]);
        const outDims = net.addElementWise(net.addShape(x).getOutput(0), ints(net, [1, 1, 2, 2], DataType.INT64), ElementWiseOperation.PROD).getOutput(0);
        const layer = net.addResize(x);
        layer.setInput(1, outDims);
        layer.resizeMode = InterpolationMode.LINEAR;
        layer.coordinateTransformation = CT.HALF_PIXEL;
        layer.getOutput(0).name = 'y';
        net.markOutput(layer.getOutput(0));
      },
      { profiles: [{ x: [[1, 2, 1, 1], [1, 2, 4, 4], [1, 2, 8, 8]] }] },
    );
    try {
      for (const [i, d] of [
        [1, 2, 3, 5],
        [1, 2, 8, 2],
      ].entries()) {
        const x = randomRef(d, 3500 + i);
        const out = await runEngine(engine, { x: { ref: x } });
        const want = R.resize(R.storeRefAs(x, DataType.FLOAT), { shape: [1, 2, 2 * d[2]!, 2 * d[3]!], resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.HALF_PIXEL });
        expect(out['y']!.dims).toEqual(want.dims);
        const cmp = R.compareClose(out['y']!, R.storeRefAs(want, DataType.FLOAT), { rtol: 1e-5, atol: 1e-6 });
        expect(cmp.ok, cmp.message).toBe(true);
      }
    } finally {
      engine.dispose();
    }
  });
});

describe('RESIZE with run-time scales (input 2, extension)', () => {
  it('sizes floor(in * scale) found while running and maps coordinates by the scales', async () => {
    // As the ONNX parser builds it: out = floor(float(shape(x)) * scales), data-dependent.
    const engine = await buildEngine(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [1, 1, -1, -1]);
        const scales = net.addInput('scales', DataType.FLOAT, [4]);
        const inDims = net.addCast(net.addShape(x).getOutput(0), DataType.FLOAT).getOutput(0);
        const prod = net.addElementWise(inDims, scales, ElementWiseOperation.PROD).getOutput(0);
        const outDims = net.addCast(net.addUnary(prod, UnaryOperation.FLOOR).getOutput(0), DataType.INT64).getOutput(0);
        const layer = net.addResize(x);
        layer.setInput(1, outDims);
        layer.setInput(2, scales);
        layer.resizeMode = InterpolationMode.LINEAR;
        layer.coordinateTransformation = CT.ALIGN_CORNERS;
        layer.getOutput(0).name = 'y';
        net.markOutput(layer.getOutput(0));
      },
      { profiles: [{ x: [[1, 1, 1, 1], [1, 1, 4, 4], [1, 1, 8, 8]] }] },
    );
    const context = engine.createExecutionContext();
    try {
      for (const [i, [dims, scales]] of ([
        [[1, 1, 2, 4], [1, 1, 0.6, 0.6]],
        [[1, 1, 3, 5], [1, 1, 1.7, 2]],
        [[1, 1, 4, 4], [1, 1, 0.5, 2.5]],
      ] as Array<[number[], number[]]>).entries()) {
        const x = randomRef(dims, 3600 + i);
        context.setInputShape('x', dims);
        expect(context.getTensorShape('y')).toEqual([-1, -1, -1, -1]);
        using xBuf = tensorBufferFrom(engine, 'x', new Float32Array(x.data));
        using sBuf = tensorBufferFrom(engine, 'scales', Float32Array.from(scales));
        context.setTensorAddress('x', xBuf);
        context.setTensorAddress('scales', sBuf);
        using out = new TestOutputAllocator(engine);
        context.setOutputAllocator('y', out);
        await context.enqueueV3();
        const f32 = (v: number): number => Math.fround(v);
        const want = R.resize(R.storeRefAs(x, DataType.FLOAT), { scales: scales.map(f32), resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.ALIGN_CORNERS });
        const found = out.shape('y');
        expect(found).toEqual(want.dims);
        const got = { dims: found!, data: Float64Array.from(new Float32Array(readBytes(out.buffer('y')!, 4 * want.data.length))) };
        const cmp = R.compareClose(got, R.storeRefAs(want, DataType.FLOAT), { rtol: 1e-5, atol: 1e-6 });
        expect(cmp.ok, cmp.message).toBe(true);
      }
    } finally {
      context.dispose();
      engine.dispose();
    }
  });

  it('refuses run-time scales without output dims and of the wrong type or length', async () => {
    const cases: Array<[(net: trt.NetworkDefinition, layer: trt.IResizeLayer) => void, RegExp]> = [
      [(net, layer) => layer.setInput(2, net.addInput('s', DataType.FLOAT, [4])), /run-time scales \(input 2\) need the output dimensions in input 1/],
      [(net, layer) => { layer.setInput(1, ints(net, [1, 1, 8, 8], DataType.INT64)); layer.setInput(2, net.addInput('s', DataType.FLOAT, [3])); }, /scales \(input 2\) must be 1-D with 4 entries/],
      [(net, layer) => { layer.setInput(1, ints(net, [1, 1, 8, 8], DataType.INT64)); layer.setInput(2, net.addInput('s', DataType.INT32, [4])); }, /scales \(input 2\) must be FLOAT, not INT32/],
    ];
    for (const [wire, message] of cases) {
      const err = await errorFromDefineOrBuild((net) => {
        const layer = net.addResize(net.addInput('x', DataType.FLOAT, [1, 1, 4, 4]));
        layer.scales = [1, 1, 2, 2];
        wire(net, layer);
        return layer.getOutput(0);
      });
      expect(err).toBeInstanceOf(trt.TrtError);
      expect((err as Error).message).toMatch(message);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// TOPK

describe('TOPK (exact values and indices)', () => {
  // TOPK selects elements: values and indices compared exactly (toleranceScale 0).
  const topkTypes = [...floatTypes, DataType.INT32, DataType.INT64];
  const dims = [3, 4, 7];
  const configs: Array<{ axis: number; ks: number[] }> = [
    { axis: 0, ks: [1, 3] },
    { axis: 1, ks: [2, 4] },
    { axis: 2, ks: [1, 5, 7] },
  ];

  async function checkTopK(dtype: DataType, x: R.Ref, op: TopKOperation, k: number, axes: number, indicesType: DataType, dynamic = false): Promise<void> {
    await checkLayer({
      inputs: { x: { ref: x, dtype } },
      define: (net, { x: t }) => {
        const layer = net.addTopK(t!, op, k, axes, indicesType);
        expect(layer.getOutput(1).dtype).toBe(indicesType);
        return [layer.getOutput(0), layer.getOutput(1)];
      },
      reference: ({ x: v }) => {
        const r = R.topK(v!, { op, k, axes });
        return [r.values, r.indices];
      },
      outputTypes: [dtype, indicesType],
      toleranceScale: EXACT,
      dynamic,
    });
  }

  for (const dtype of topkTypes) {
    for (const op of [TopKOperation.MAX, TopKOperation.MIN]) {
      for (const indicesType of [DataType.INT32, DataType.INT64]) {
        it(`${T(dtype)} ${TopKOperation[op]}, ${T(indicesType)} indices: several k and axes`, async () => {
          const distinct = isFloat(dtype) ? randomRef(dims, 4000 + op, -50, 50) : randomInts(dims, 4000 + op, -100000, 100000);
          for (const { axis, ks } of configs) for (const k of ks) await checkTopK(dtype, distinct, op, k, 1 << axis, indicesType);
        });
      }
      it(`${T(dtype)} ${TopKOperation[op]}: ties keep the lower index first`, async () => {
        // Values from {-1, -0.5, 0, 0.5, 1} (integers -2..2 for integer types): many ties.
        const tied = R.map(randomInts(dims, 4100 + op, -2, 2), (v) => (isFloat(dtype) ? v / 2 : v));
        for (const { axis, ks } of configs) for (const k of ks) await checkTopK(dtype, tied, op, k, 1 << axis, DataType.INT32);
        // All equal: indices 0..k-1 in order.
        const same = R.ref([2, 6], () => 3);
        await checkTopK(dtype, same, op, 4, 1 << 1, DataType.INT64);
      });
    }
  }

  it('NaN ranks above every number (first for MAX, last for MIN; ties among NaN by index)', async () => {
    const x = R.ref([1, 6], [1, NaN, Infinity, NaN, -Infinity, 3]);
    for (const [op, values, indices] of [
      [TopKOperation.MAX, [NaN, NaN, Infinity, 3, 1, -Infinity], [1, 3, 2, 5, 0, 4]],
      [TopKOperation.MIN, [-Infinity, 1, 3, Infinity, NaN, NaN], [4, 0, 5, 2, 1, 3]],
    ] as Array<[TopKOperation, number[], number[]]>) {
      const engine = await buildEngine((net) => {
        const layer = net.addTopK(net.addInput('x', DataType.FLOAT, [1, 6]), op, 6, 1 << 1);
        layer.getOutput(0).name = 'v';
        layer.getOutput(1).name = 'i';
        net.markOutput(layer.getOutput(0));
        net.markOutput(layer.getOutput(1));
      });
      try {
        const out = await runEngine(engine, { x: { ref: x } });
        expect(Array.from(out['v']!.data)).toEqual(values);
        expect(Array.from(out['i']!.data)).toEqual(indices);
      } finally {
        engine.dispose();
      }
    }
  });

  it('dynamic input dims', async () => {
    for (const dtype of [DataType.FLOAT, DataType.HALF, DataType.INT32]) {
      const x = randomInts([3, 9], 4200, -3, 3); // many ties
      await checkTopK(dtype, x, TopKOperation.MAX, 4, 1 << 1, DataType.INT64, true);
      await checkTopK(dtype, x, TopKOperation.MIN, 2, 1 << 0, DataType.INT32, true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// PADDING

describe('PADDING (every type, exact)', () => {
  // Padding copies elements and writes zeros: compared exactly (toleranceScale 0).
  const cases: Array<{ x: number[]; pre: number[]; post: number[]; what: string }> = [
    { what: '1-D innermost, pre and post', x: [2, 3, 5], pre: [2], post: [3] },
    { what: '1-D innermost, pre only', x: [4, 6], pre: [3], post: [0] },
    { what: '1-D innermost, crop both sides', x: [2, 3, 7], pre: [-2], post: [-3] },
    { what: '2-D innermost, pre and post', x: [1, 2, 3, 4], pre: [1, 2], post: [2, 1] },
    { what: '2-D innermost, crop and pad mixed', x: [2, 2, 5, 6], pre: [-1, 2], post: [3, -4] },
    { what: '2-D innermost, crop to an empty dim', x: [2, 3, 4], pre: [-2, 0], post: [-1, 1] },
    { what: '2-D over the whole (2-D) tensor', x: [3, 4], pre: [0, -1], post: [2, 0] },
    { what: '3-D innermost', x: [1, 2, 3, 4], pre: [1, 0, 1], post: [0, 2, -2] },
  ];

  for (const dtype of allTypes) {
    it(`${T(dtype)}: pre/post, negative cropping, 1-D, 2-D and 3-D innermost`, async () => {
      for (const [i, c] of cases.entries()) {
        await checkLayer({
          inputs: { x: { ref: sampleValues(dtype, c.x, 5000 + i), dtype } },
          define: (net, { x }) => net.addPaddingNd(x!, c.pre, c.post).getOutput(0),
          reference: ({ x }) => R.padding(x!, { prePadding: c.pre, postPadding: c.post }),
          toleranceScale: EXACT,
        });
      }
    });
  }

  it('settings changed after the add take effect', async () => {
    await checkLayer({
      inputs: { x: { ref: sampleValues(DataType.INT32, [2, 5, 5], 5100), dtype: DataType.INT32 } },
      define: (net, { x }) => {
        const layer = net.addPaddingNd(x!, [0, 0], [0, 0]);
        layer.prePaddingNd = [-1, 3];
        layer.postPaddingNd = [2, -2];
        return layer.getOutput(0);
      },
      reference: ({ x }) => R.padding(x!, { prePadding: [-1, 3], postPadding: [2, -2] }),
      toleranceScale: EXACT,
    });
  });

  it('dynamic input dims', async () => {
    for (const dtype of [DataType.FLOAT, DataType.BF16, DataType.INT8, DataType.BOOL]) {
      await checkLayer({
        inputs: { x: { ref: sampleValues(dtype, [2, 3, 4, 5], 5200), dtype } },
        define: (net, { x }) => net.addPaddingNd(x!, [2, -1], [-1, 3]).getOutput(0),
        reference: ({ x }) => R.padding(x!, { prePadding: [2, -1], postPadding: [-1, 3] }),
        toleranceScale: EXACT,
        dynamic: true,
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// One engine, two optimization profiles, every op of this file

describe('two optimization profiles (all six layers in one engine)', () => {
  // x: [N, 4, L] FLOAT with N and L dynamic. Exact ops compared exactly; NORMALIZATION and RESIZE
  // LINEAR at the FLOAT default tolerance (rtol 1e-5, atol 1e-6), as in their own describes.
  const profiles = [{ x: [[1, 4, 2], [2, 4, 5], [3, 4, 8]] as [number[], number[], number[]] }, { x: [[4, 4, 9], [6, 4, 16], [8, 4, 32]] as [number[], number[], number[]] }];
  const scale = randomRef([1, 4, 1], 6000, 0.5, 1.5);
  const bias = randomRef([1, 4, 1], 6001);

  function define(net: trt.NetworkDefinition): void {
    const x = net.addInput('x', DataType.FLOAT, [-1, 4, -1]);
    const mark = (t: trt.ITensor, name: string): void => {
      t.name = name;
      net.markOutput(t);
    };
    // SLICE: x[:, 1:3, 1:L-1] with the size from SHAPE(x) - [0, 2, 2].
    const size = net.addElementWise(net.addShape(x).getOutput(0), ints(net, [0, 2, 2], DataType.INT64), ElementWiseOperation.SUB).getOutput(0);
    const slice = net.addSlice(x, [0, 1, 1], [1, 1, 1], [1, 1, 1]);
    slice.setInput(2, size);
    mark(slice.getOutput(0), 'slice');
    // GATHER: columns 0, L-1 and 1 (negative index wraps).
    mark(net.addGather(x, ints(net, [0, -1, 1]), 2).getOutput(0), 'gather');
    // NORMALIZATION: LayerNorm over L with per-channel scale/bias.
    const norm = net.addNormalizationV2(x, net.addConstant([1, 4, 1], new Float32Array(scale.data)).getOutput(0), net.addConstant([1, 4, 1], new Float32Array(bias.data)).getOutput(0), 1 << 2);
    mark(norm.getOutput(0), 'norm');
    // RESIZE: L x2, LINEAR HALF_PIXEL.
    const resize = net.addResize(x);
    resize.scales = [1, 1, 2];
    resize.resizeMode = InterpolationMode.LINEAR;
    resize.coordinateTransformation = CT.HALF_PIXEL;
    mark(resize.getOutput(0), 'resize');
    // TOPK: the 2 largest along L.
    const topk = net.addTopK(x, TopKOperation.MAX, 2, 1 << 2, DataType.INT64);
    mark(topk.getOutput(0), 'topkValues');
    mark(topk.getOutput(1), 'topkIndices');
    // PADDING: 2 before, 1 cropped after along L.
    mark(net.addPaddingNd(x, [2], [-1]).getOutput(0), 'pad');
  }

  function expected(x: R.Ref): Record<string, { ref: R.Ref; tol: number }> {
    const L = x.dims[2]!;
    const t = R.topK(x, { op: TopKOperation.MAX, k: 2, axes: 1 << 2 });
    return {
      slice: { ref: R.slice(x, { start: [0, 1, 1], shape: [x.dims[0]!, 2, L - 2] }), tol: 0 },
      gather: { ref: R.gather(x, R.ref([3], [0, -1, 1]), { axis: 2 }), tol: 0 },
      norm: { ref: R.normalization(x, R.storeRefAs(scale, DataType.FLOAT), R.storeRefAs(bias, DataType.FLOAT), { axes: 1 << 2 }), tol: 1 },
      resize: { ref: R.resize(x, { scales: [1, 1, 2], resizeMode: InterpolationMode.LINEAR, coordinateTransformation: CT.HALF_PIXEL }), tol: 1 },
      topkValues: { ref: t.values, tol: 0 },
      topkIndices: { ref: t.indices, tol: 0 },
      pad: { ref: R.padding(x, { prePadding: [2], postPadding: [-1] }), tol: 0 },
    };
  }

  it('builds once and runs at shapes from each profile', async () => {
    const engine = await buildEngine(define, { profiles });
    try {
      expect(engine.numOptimizationProfiles).toBe(2);
      for (const [profileIndex, shapes] of [
        [0, [[1, 4, 2], [3, 4, 7], [2, 4, 8]]],
        [1, [[4, 4, 9], [8, 4, 32], [5, 4, 20]]],
      ] as Array<[number, number[][]]>) {
        for (const [i, d] of shapes.entries()) {
          const x = R.storeRefAs(randomRef(d, 6100 + 10 * profileIndex + i, -3, 3), DataType.FLOAT);
          const out = await runEngine(engine, { x: { ref: x } }, { profileIndex });
          for (const [name, { ref: want, tol }] of Object.entries(expected(x))) {
            const got = out[name]!;
            const stored = R.storeRefAs(want, name === 'topkIndices' ? DataType.INT64 : DataType.FLOAT);
            expect(got.dims, `${name} dims at [${d.join(',')}] (profile ${profileIndex})`).toEqual(stored.dims);
            const cmp = R.compareClose(got, stored, { rtol: 1e-5 * tol, atol: 1e-6 * tol });
            expect(cmp.ok, `${name} at [${d.join(',')}] (profile ${profileIndex}): ${cmp.message}`).toBe(true);
          }
        }
      }
    } finally {
      engine.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// BAD CALL

describe('BAD CALL', () => {
  it('SLICE: STRICT_BOUNDS reading outside the input (static dims: at definition)', async () => {
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [4, 5]);
        net.addSlice(x, [0, 2], [4, 3], [1, 2]); // reads columns 2, 4, 6
      },
      'SLICE',
      /\[Slice\]' \(SLICE\): slice of axis 1 reads indices 2 to 6.*STRICT_BOUNDS/, // at the add, before a name can be set
    );
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.INT8, [4, 5]);
        const s = net.addSlice(x, [0, 0], [2, 2], [1, 1]);
        s.name = 'negativeStart';
        s.start = [-1, 0];
        net.markOutput(s.getOutput(0));
      },
      'SLICE',
      /negativeStart.*STRICT_BOUNDS/,
    );
  });

  it('SLICE: STRICT_BOUNDS reading outside a dynamic input (checked by the build, then at inference)', async () => {
    // The builder checks the profile's shapes: a min of 1 element cannot be sliced at [2, 5).
    const rejected = await buildEngine(
      (net) => {
        const s = net.addSlice(net.addInput('x', DataType.FLOAT, [-1]), [2], [3], [1]);
        s.name = 'profileStrict';
        net.markOutput(s.getOutput(0));
      },
      { profiles: [{ x: [[1], [6], [8]] }] },
    ).then(
      (e) => {
        e.dispose();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(rejected).toBeInstanceOf(trt.TrtError);
    expect((rejected as trt.TrtError).code).toBe('INVALID_ARGUMENT');
    expect((rejected as Error).message).toMatch(/layer 'profileStrict' \(SLICE\).*STRICT_BOUNDS/);

    // Size from SHAPE(n): in bounds at the profile's min (x 4, n 1) and max (x 8, n 4) shapes,
    // out of bounds at run time with x 4, n 4 (reads [2, 6) of 4 elements).
    const engine = await buildEngine(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [-1]);
        const n = net.addInput('n', DataType.FLOAT, [-1]);
        const s = net.addSlice(x, [2], [1], [1]);
        s.setInput(2, net.addShape(n).getOutput(0));
        s.name = 'runtimeStrict';
        s.getOutput(0).name = 'y';
        net.markOutput(s.getOutput(0));
      },
      { profiles: [{ x: [[4], [6], [8]], n: [[1], [2], [4]] }] },
    );
    try {
      const ok = await runEngine(engine, { x: { ref: R.ref([6], [0, 1, 2, 3, 4, 5]) }, n: { ref: R.ref([4], [0, 0, 0, 0]) } });
      expect(Array.from(ok['y']!.data)).toEqual([2, 3, 4, 5]);
      const bad = await runEngine(engine, { x: { ref: R.ref([4], [0, 1, 2, 3]) }, n: { ref: R.ref([4], [0, 0, 0, 0]) } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(bad, 'expected a TrtError').toBeInstanceOf(trt.TrtError);
      expect((bad as trt.TrtError).code, (bad as Error).message).toBe('INVALID_ARGUMENT');
      expect((bad as Error).message).toMatch(/layer 'runtimeStrict' \(SLICE\).*reads indices 2 to 5.*STRICT_BOUNDS/);
    } finally {
      engine.dispose();
    }
  });

  it('SLICE: a fill value outside FILL mode', async () => {
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [4]);
        const s = net.addSlice(x, [0], [2], [1]);
        s.name = 'clampWithFill';
        s.mode = SampleMode.CLAMP;
        s.setInput(4, net.addConstant([], new Float32Array([1])).getOutput(0));
        net.markOutput(s.getOutput(0));
      },
      'SLICE',
      /clampWithFill.*only allowed in FILL mode/,
    );
  });

  it('GATHER: axis out of range', async () => {
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [2, 3, 4]);
        net.addGather(x, ints(net, [0]), 3);
      },
      'GATHER',
      /axis/,
    );
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [2, 3, 4]);
        const g = net.addGather(x, ints(net, [0]), 0);
        g.name = 'farAxis';
        g.axis = -4;
        net.markOutput(g.getOutput(0));
      },
      'GATHER',
      /farAxis.*axis/,
    );
  });

  it('GATHER: float indices', async () => {
    for (const t of [DataType.FLOAT, DataType.HALF]) {
      await expectInvalid(
        (net) => {
          const x = net.addInput('x', DataType.FLOAT, [2, 3]);
          net.addGather(x, net.addInput('i', t, [2]), 1);
        },
        'GATHER',
        /indices.*must be INT32 or INT64/,
      );
    }
  });

  it('NORMALIZATION: scale dims that do not broadcast, or of another rank', async () => {
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [2, 4, 5]);
        const s = net.addInput('s', DataType.FLOAT, [1, 3, 1]);
        const b = net.addInput('b', DataType.FLOAT, [1, 4, 1]);
        net.addNormalizationV2(x, s, b, 1 << 2);
      },
      'NORMALIZATION',
      /scale dims \[1,\s*3,\s*1\] do not broadcast/,
    );
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.HALF, [2, 4, 5]);
        const s = net.addInput('s', DataType.HALF, [5]);
        const b = net.addInput('b', DataType.HALF, [1, 1, 5]);
        net.addNormalizationV2(x, s, b, 1 << 2);
      },
      'NORMALIZATION',
      /scale dims.*must have the input's rank/,
    );
  });

  it('NORMALIZATION: numGroups that does not divide the channels', async () => {
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [2, 6, 5]);
        const n = net.addNormalizationV2(x, net.addInput('s', DataType.FLOAT, [1, 6, 1]), net.addInput('b', DataType.FLOAT, [1, 6, 1]), 1 << 2);
        n.name = 'badGroups';
        n.numGroups = 4;
        net.markOutput(n.getOutput(0));
      },
      'NORMALIZATION',
      /badGroups.*numGroups 4 does not divide/,
    );
  });

  it('RESIZE: scales of the wrong rank', async () => {
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [1, 2, 4, 4]);
        const r = net.addResize(x);
        r.name = 'shortScales';
        r.scales = [2, 2];
        net.markOutput(r.getOutput(0));
      },
      'RESIZE',
      /shortScales.*scales have 2 entries.*rank 4/,
    );
  });

  it('RESIZE: an output-shape tensor of the wrong length, and LINEAR on integers', async () => {
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [1, 2, 4, 4]);
        const r = net.addResize(x);
        r.name = 'shortShape';
        r.setInput(1, ints(net, [8, 8]));
        net.markOutput(r.getOutput(0));
      },
      'RESIZE',
      /shortShape.*2 entries.*rank 4/,
    );
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.INT32, [1, 4]);
        const r = net.addResize(x);
        r.name = 'intLinear';
        r.shape = [1, 8];
        r.resizeMode = InterpolationMode.LINEAR;
        net.markOutput(r.getOutput(0));
      },
      'RESIZE',
      /intLinear.*LINEAR.*FLOAT, HALF or BF16/,
    );
  });

  it('TOPK: k larger than the axis', async () => {
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [2, 5]);
        net.addTopK(x, TopKOperation.MAX, 6, 1 << 1);
      },
      'TOPK',
      /k 6 exceeds the size 5 of axis 1/,
    );
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [2, 5]);
        const t = net.addTopK(x, TopKOperation.MIN, 2, 1 << 1);
        t.name = 'bigK';
        t.axes = 1 << 0;
        t.k = 3;
        net.markOutput(t.getOutput(0));
      },
      'TOPK',
      /bigK.*k 3 exceeds the size 2 of axis 0/,
    );
  });

  it('PADDING: cropping below zero size', async () => {
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [2, 3, 4]);
        net.addPaddingNd(x, [-3], [-2]);
      },
      'PADDING',
      /negative size -1/,
    );
    await expectInvalid(
      (net) => {
        const x = net.addInput('x', DataType.UINT8, [2, 3, 4]);
        const p = net.addPaddingNd(x, [0, 0], [0, 0]);
        p.name = 'overCrop';
        p.prePaddingNd = [-2, 1];
        p.postPaddingNd = [-2, 1];
        net.markOutput(p.getOutput(0));
      },
      'PADDING',
      /overCrop.*negative size -1/,
    );
  });
});
