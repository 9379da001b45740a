/**
 * Loops (ILoop: trip limits, recurrences, iterators, loop outputs) against plain-TS references:
 * COUNT and WHILE loops, forward and reverse iterators, LAST_VALUE / CONCATENATE / REVERSE
 * outputs on different axes, an RNN-like recurrence with a matrix multiply, loop-invariant
 * tensors, a run-time trip count from a shape tensor input, plans with loops, and BAD CALLs.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { ActivationType, DataType, ElementWiseOperation, LoopOutput, MatrixOperation, TripLimit } from '../lib/index.js';
import { buildEngine, quietLogger, runEngine, runNetwork } from './helpers/engine.js';
import { errorFromDefineOrBuild, weightsOf } from './helpers/layer-checks.js';
import { randomRef } from './helpers/layers.js';
import type { Ref } from './reference/ndarray.js';

const ref = (dims: number[], data: ArrayLike<number>): Ref => ({ dims, data: Float64Array.from(data) });
const scalar = (net: trt.NetworkDefinition, dtype: DataType, v: number): trt.ITensor => net.addConstant([], weightsOf(dtype, [v])).getOutput(0);
const filled = (net: trt.NetworkDefinition, dtype: DataType, dims: number[], v: number): trt.ITensor =>
  net.addConstant(dims, weightsOf(dtype, new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(v))).getOutput(0);

/** Element [i, j] of a row-major [rows, cols] array. */
function rowsOf(r: Ref, axis: number): number[][] {
  const [a, b] = r.dims as [number, number];
  const out: number[][] = [];
  if (axis === 0) for (let i = 0; i < a; i += 1) out.push(Array.from(r.data.slice(i * b, (i + 1) * b)));
  else for (let j = 0; j < b; j += 1) out.push(Array.from({ length: a }, (_, i) => r.data[i * b + j]!));
  return out;
}

describe('ILoop: COUNT loops', () => {
  for (const dtype of [DataType.FLOAT, DataType.INT32]) {
    it(`running sum over a forward iterator: LAST_VALUE, CONCATENATE on axis 0 and 1, REVERSE (${DataType[dtype]})`, async () => {
      const x = ref([4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      const out = await runNetwork(
        (net) => {
          const xin = net.addInput('x', dtype, [4, 3]);
          const n = scalar(net, DataType.INT32, 4);
          const loop = net.addLoop();
          loop.name = 'cumsum';
          loop.addTripLimit(n, TripLimit.COUNT);
          const xi = loop.addIterator(xin).getOutput(0);
          const sum = loop.addRecurrence(filled(net, dtype, [3], 0));
          const next = net.addElementWise(sum.getOutput(0), xi, ElementWiseOperation.SUM).getOutput(0);
          sum.setInput(1, next);
          const last = loop.addLoopOutput(sum.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0);
          last.name = 'last';
          for (const [name, kind, axis] of [['cat0', LoopOutput.CONCATENATE, 0], ['cat1', LoopOutput.CONCATENATE, 1], ['rev0', LoopOutput.REVERSE, 0]] as const) {
            const o = loop.addLoopOutput(next, kind, axis);
            o.setInput(1, n);
            o.getOutput(0).name = name;
            net.markOutput(o.getOutput(0));
          }
          net.markOutput(last);
        },
        { x: { ref: x } },
      );
      const cums = [[1, 2, 3], [5, 7, 9], [12, 15, 18], [22, 26, 30]];
      expect(Array.from(out.byName['last']!.data)).toEqual([22, 26, 30]);
      expect(out.byName['cat0']!.dims).toEqual([4, 3]);
      expect(rowsOf(out.byName['cat0']!, 0)).toEqual(cums);
      expect(out.byName['cat1']!.dims).toEqual([3, 4]);
      expect(rowsOf(out.byName['cat1']!, 1)).toEqual(cums);
      expect(rowsOf(out.byName['rev0']!, 0)).toEqual([...cums].reverse());
    });
  }

  it('reverse iterator along axis 1 with a running product (x^k style)', async () => {
    const x = ref([2, 3], [1, 2, 3, 4, 5, 6]);
    const out = await runNetwork(
      (net) => {
        const xin = net.addInput('x', DataType.FLOAT, [2, 3]);
        const n = scalar(net, DataType.INT64, 3);
        const loop = net.addLoop();
        loop.addTripLimit(n, TripLimit.COUNT);
        const col = loop.addIterator(xin, 1, true).getOutput(0); // columns 2, 1, 0
        const prod = loop.addRecurrence(filled(net, DataType.FLOAT, [2], 1));
        const next = net.addElementWise(prod.getOutput(0), col, ElementWiseOperation.PROD).getOutput(0);
        prod.setInput(1, next);
        const cols = loop.addLoopOutput(col, LoopOutput.CONCATENATE, 1);
        cols.setInput(1, n);
        net.markOutput(loop.addLoopOutput(prod.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
        net.markOutput(cols.getOutput(0));
      },
      { x: { ref: x } },
    );
    expect(Array.from(out[0]!.data)).toEqual([6, 120]);
    expect(Array.from(out[1]!.data)).toEqual([3, 2, 1, 6, 5, 4]);
  });

  it('an RNN-like recurrence h = tanh(W h + x_t + b) with a loop-invariant weight and bias, used after the loop', async () => {
    const T = 5;
    const H = 4;
    const x = randomRef([T, 1, H], 11);
    const w = randomRef([H, H], 12);
    const b = randomRef([1, H], 13);
    const out = await runNetwork(
      (net) => {
        const xin = net.addInput('x', DataType.FLOAT, [T, 1, H]);
        const bin = net.addInput('b', DataType.FLOAT, [1, H]);
        const W = net.addConstant([H, H], weightsOf(DataType.FLOAT, w.data)).getOutput(0);
        const loop = net.addLoop();
        loop.addTripLimit(scalar(net, DataType.INT32, T), TripLimit.COUNT);
        const xt = loop.addIterator(xin).getOutput(0);
        const h = loop.addRecurrence(filled(net, DataType.FLOAT, [1, H], 0));
        const wh = net.addMatrixMultiply(h.getOutput(0), MatrixOperation.NONE, W, MatrixOperation.TRANSPOSE).getOutput(0);
        const pre = net.addElementWise(net.addElementWise(wh, xt, ElementWiseOperation.SUM).getOutput(0), bin, ElementWiseOperation.SUM).getOutput(0);
        h.setInput(1, net.addActivation(pre, ActivationType.TANH).getOutput(0));
        const last = loop.addLoopOutput(h.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0);
        // Used after the loop.
        net.markOutput(net.addElementWise(last, last, ElementWiseOperation.SUM).getOutput(0));
      },
      { x: { ref: x }, b: { ref: b } },
    );
    let h = new Array<number>(H).fill(0);
    for (let t = 0; t < T; t += 1) {
      h = h.map((_, i) => Math.tanh(h.reduce((acc, hj, j) => acc + w.data[i * H + j]! * hj, 0) + x.data[t * H + i]! + b.data[i]!));
    }
    const got = Array.from(out[0]!.data);
    h.forEach((v, i) => expect(got[i]).toBeCloseTo(2 * v, 5));
  });
});

describe('ILoop: WHILE loops and run-time trip counts', () => {
  it('a WHILE loop (i < limit) with a CONCATENATE output longer than the iterations (zero rows after)', async () => {
    const out = await runNetwork(
      (net) => {
        const limit = net.addInput('limit', DataType.INT32, []);
        const loop = net.addLoop();
        const i = loop.addRecurrence(scalar(net, DataType.INT32, 0));
        const sq = net.addElementWise(i.getOutput(0), i.getOutput(0), ElementWiseOperation.PROD).getOutput(0);
        loop.addTripLimit(net.addElementWise(i.getOutput(0), limit, ElementWiseOperation.LESS).getOutput(0), TripLimit.WHILE);
        i.setInput(1, net.addElementWise(i.getOutput(0), scalar(net, DataType.INT32, 1), ElementWiseOperation.SUM).getOutput(0));
        const squares = loop.addLoopOutput(sq, LoopOutput.CONCATENATE);
        squares.setInput(1, scalar(net, DataType.INT32, 6));
        net.markOutput(loop.addLoopOutput(i.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
        net.markOutput(squares.getOutput(0));
      },
      { limit: { ref: ref([], [4]) } },
    );
    expect(Array.from(out[0]!.data)).toEqual([4]);
    expect(Array.from(out[1]!.data)).toEqual([0, 1, 4, 9, 0, 0]);
  });

  it('a trip count from a shape tensor input changes between runs (and the plan is saved and reloaded)', async () => {
    const engine = await buildEngine(
      (net) => {
        const n = net.addInput('n', DataType.INT32, []);
        const step = net.addInput('step', DataType.FLOAT, [2]);
        const loop = net.addLoop();
        loop.addTripLimit(n, TripLimit.COUNT);
        const acc = loop.addRecurrence(filled(net, DataType.FLOAT, [2], 0));
        const next = net.addElementWise(acc.getOutput(0), step, ElementWiseOperation.SUM).getOutput(0);
        acc.setInput(1, next);
        const all = loop.addLoopOutput(next, LoopOutput.CONCATENATE, 0);
        all.setInput(1, n);
        net.markOutput(all.getOutput(0));
      },
      { shapeValues: [{ n: [[0], [3], [8]] }] },
    );
    try {
      const reloaded = new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(engine.serialize());
      try {
        expect(reloaded.inspect().layers.some((l) => l.type === 'LOOP')).toBe(true);
        for (const e of [engine, reloaded]) {
          for (const n of [3, 1, 0, 5]) {
            const out = await runEngine(e, { n: { ref: ref([], [n]) }, step: { ref: ref([2], [1, 10]) } });
            const r = Object.values(out)[0]!;
            expect(r.dims).toEqual([n, 2]);
            expect(Array.from(r.data)).toEqual(Array.from({ length: n }, (_, k) => [k + 1, 10 * (k + 1)]).flat());
          }
        }
      } finally {
        reloaded.dispose();
      }
    } finally {
      engine.dispose();
    }
  });

  it('a loop with a body slice at an iteration counter (value-dependent body shapes)', async () => {
    const out = await runNetwork(
      (net) => {
        const x = net.addInput('x', DataType.FLOAT, [5]);
        const loop = net.addLoop();
        loop.addTripLimit(scalar(net, DataType.INT32, 5), TripLimit.COUNT);
        const i = loop.addRecurrence(net.addConstant([1], weightsOf(DataType.INT64, [0])).getOutput(0));
        i.setInput(1, net.addElementWise(i.getOutput(0), net.addConstant([1], weightsOf(DataType.INT64, [1])).getOutput(0), ElementWiseOperation.SUM).getOutput(0));
        const slice = net.addSlice(x, [0], [1], [1]);
        slice.setInput(1, i.getOutput(0));
        const acc = loop.addRecurrence(filled(net, DataType.FLOAT, [1], 0));
        acc.setInput(1, net.addElementWise(acc.getOutput(0), slice.getOutput(0), ElementWiseOperation.MAX).getOutput(0));
        net.markOutput(loop.addLoopOutput(acc.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
      },
      { x: { ref: ref([5], [3, -1, 7, 2, 5]) } },
    );
    expect(Array.from(out[0]!.data)).toEqual([7]);
  });
});

describe('ILoop: BAD CALLs', () => {
  const expectError = (err: unknown, code: string, message: RegExp): void => {
    expect(err).toBeInstanceOf(trt.TrtError);
    expect((err as trt.TrtError).code).toBe(code);
    expect((err as Error).message).toMatch(message);
  };

  it('EXPECTED FAILURE: trip limits of the wrong type, rank or number', async () => {
    expectError(await errorFromDefineOrBuild((net) => net.addLoop().addTripLimit(net.addInput('c', DataType.FLOAT, []), TripLimit.WHILE) && undefined), 'INVALID_ARGUMENT', /WHILE trip limit must be BOOL/);
    expectError(await errorFromDefineOrBuild((net) => void net.addLoop().addTripLimit(net.addInput('n', DataType.INT32, [1]), TripLimit.COUNT)), 'INVALID_ARGUMENT', /COUNT trip limit must be a 0-D tensor/);
    expectError(
      await errorFromDefineOrBuild((net) => {
        const loop = net.addLoop();
        loop.addTripLimit(scalar(net, DataType.INT32, 2), TripLimit.COUNT);
        loop.addTripLimit(scalar(net, DataType.INT32, 3), TripLimit.COUNT);
      }),
      'INVALID_ARGUMENT',
      /already has a COUNT trip limit/,
    );
  });

  it('EXPECTED FAILURE: a loop without a trip limit, an unclosed recurrence, a body tensor as a network output', async () => {
    expectError(
      await errorFromDefineOrBuild((net) => {
        const loop = net.addLoop();
        loop.name = 'noLimit';
        const r = loop.addRecurrence(filled(net, DataType.FLOAT, [1], 0));
        r.setInput(1, r.getOutput(0));
        return loop.addLoopOutput(r.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0);
      }),
      'INVALID_ARGUMENT',
      /loop 'noLimit': has no trip limit/,
    );
    expectError(
      await errorFromDefineOrBuild((net) => {
        const loop = net.addLoop();
        loop.addTripLimit(scalar(net, DataType.INT32, 2), TripLimit.COUNT);
        const r = loop.addRecurrence(filled(net, DataType.FLOAT, [1], 0));
        return loop.addLoopOutput(r.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0);
      }),
      'INVALID_ARGUMENT',
      /has no next value; call setInput\(1, next\)/,
    );
    expectError(
      await errorFromDefineOrBuild((net) => {
        const loop = net.addLoop();
        loop.addTripLimit(scalar(net, DataType.INT32, 2), TripLimit.COUNT);
        const r = loop.addRecurrence(filled(net, DataType.FLOAT, [1], 0));
        const next = net.addUnary(r.getOutput(0), trt.UnaryOperation.EXP).getOutput(0);
        r.setInput(1, next);
        net.markOutput(loop.addLoopOutput(r.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
        return next;
      }),
      'INVALID_ARGUMENT',
      /computed inside the loop and cannot be a network output/,
    );
  });

  it('EXPECTED FAILURE: mismatched recurrence, LAST_VALUE of a non-recurrence, stacked output without a length', async () => {
    expectError(
      await errorFromDefineOrBuild((net) => {
        const loop = net.addLoop();
        const r = loop.addRecurrence(filled(net, DataType.FLOAT, [2], 0));
        r.setInput(1, filled(net, DataType.FLOAT, [3], 0));
      }),
      'INVALID_ARGUMENT',
      /keeps its dims in every iteration/,
    );
    expectError(
      await errorFromDefineOrBuild((net) => {
        const loop = net.addLoop();
        const it = loop.addIterator(net.addInput('x', DataType.FLOAT, [3, 2])).getOutput(0);
        loop.addLoopOutput(it, LoopOutput.LAST_VALUE);
      }),
      'INVALID_ARGUMENT',
      /LAST_VALUE output of loop .* must read a recurrence/,
    );
    expectError(
      await errorFromDefineOrBuild((net) => {
        const loop = net.addLoop();
        loop.addTripLimit(scalar(net, DataType.INT32, 3), TripLimit.COUNT);
        const it = loop.addIterator(net.addInput('x', DataType.FLOAT, [3, 2])).getOutput(0);
        return loop.addLoopOutput(it, LoopOutput.CONCATENATE).getOutput(0);
      }),
      'INVALID_ARGUMENT',
      /needs its length: call setInput\(1, length\)/,
    );
  });

  it('EXPECTED FAILURE: an iterator read past its end fails the run', async () => {
    const engine = await buildEngine((net) => {
      const x = net.addInput('x', DataType.FLOAT, [2]);
      const loop = net.addLoop();
      loop.addTripLimit(scalar(net, DataType.INT32, 3), TripLimit.COUNT);
      const xi = loop.addIterator(x).getOutput(0);
      const acc = loop.addRecurrence(scalar(net, DataType.FLOAT, 0));
      acc.setInput(1, net.addElementWise(acc.getOutput(0), xi, ElementWiseOperation.SUM).getOutput(0));
      net.markOutput(loop.addLoopOutput(acc.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0));
    });
    try {
      await expect(runEngine(engine, { x: { ref: ref([2], [1, 2]) } })).rejects.toThrow(/iterator 0 reads index 2 in iteration 2/);
    } finally {
      engine.dispose();
    }
  });
});
