/**
 * REDUCE with its axes from input 1 (an extension of the built-in engine): a 1-D INT32/INT64
 * shape tensor whose values (negative counting from the end) replace the axes mask when shapes
 * are resolved. Compared with the plain-TS reference for every data type the layer supports.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { DataType, ReduceOperation, Weights } from '../lib/index.js';
import { buildEngine, decode, encode, quietLogger, readBytes, runEngine, tensorBuffer, tensorBufferFrom } from './helpers/engine.js';
import { asStored, floatTypes, randomRef, tolerance } from './helpers/layers.js';
import * as R from './reference/index.js';

const ops = [ReduceOperation.SUM, ReduceOperation.PROD, ReduceOperation.MAX, ReduceOperation.MIN, ReduceOperation.AVG];
const allTypes = [...floatTypes, DataType.INT8, DataType.UINT8, DataType.INT32, DataType.INT64];
const dims = [2, 3, 4];

function typeName(t: DataType): string {
  return DataType[t]!;
}

/** Values that neither overflow the type nor lose precision when reduced over up to 24 elements. */
function values(dtype: DataType, op: ReduceOperation, seed: number): R.Ref {
  const u = randomRef(dims, seed);
  if (op === ReduceOperation.PROD) {
    return R.map(u, (v, idx) => {
      const flat = R.offset(dims, idx);
      const mag = R.isFloatType(dtype) ? 0.75 + Math.abs(v) / 2 : flat % 7 === 0 ? 2 : 1;
      return dtype !== DataType.UINT8 && v < 0 ? -mag : mag;
    });
  }
  if (R.isFloatType(dtype)) return R.map(u, (v) => 4 * v);
  if (dtype === DataType.UINT8) return R.map(u, (v) => Math.floor(4 * Math.abs(v)));
  return R.map(u, (v) => Math.floor(4 * v));
}

function maskOf(axes: number[], rank: number): number {
  return axes.reduce((m, a) => m | (1 << (a < 0 ? a + rank : a)), 0);
}

function expected(x: R.Ref, op: ReduceOperation, axes: number[], keepDims: boolean, dtype: DataType): R.Ref {
  return asStored(R.reduce(x, { op, axes: maskOf(axes, x.dims.length), keepDims }), dtype);
}

function expectClose(got: R.Ref | undefined, want: R.Ref, dtype: DataType, what: string): void {
  expect(got, what).toBeDefined();
  expect(got!.dims, `${what} dims`).toEqual(want.dims);
  const report = R.compareClose(got!, want, tolerance(dtype));
  expect(report.ok, `${what}: ${report.message}`).toBe(true);
}

/** x [2, 3, 4] reduced over a shape tensor input `axes` of `n` entries, values in [-3, 2]. */
function buildWithAxesInput(dtype: DataType, op: ReduceOperation, n: number, keepDims: boolean, axesType = DataType.INT64): Promise<trt.CudaEngine> {
  const opt = Array.from({ length: n }, (_, i) => i);
  return buildEngine(
    (net) => {
      const x = net.addInput('x', dtype, dims);
      const axes = net.addInput('axes', axesType, [n]);
      const layer = net.addReduce(x, op, 0, keepDims);
      layer.setInput(1, axes);
      layer.getOutput(0).name = 'y';
      net.markOutput(layer.getOutput(0));
    },
    { shapeValues: [{ axes: [new Array<number>(n).fill(-3), opt, new Array<number>(n).fill(2)] }] },
  );
}

describe('REDUCE with axes from input 1', () => {
  for (const dtype of allTypes) {
    it(`every op, keepDims true/false, several axes values ${typeName(dtype)}`, async () => {
      const cases: number[][][] = [
        [[0], [1], [2], [-1], [-3]],
        [
          [0, 2],
          [2, 0],
          [-1, 1],
          [0, -2],
        ],
        [
          [0, 1, 2],
          [2, -3, 1],
        ],
      ];
      for (const op of ops) {
        for (const keepDims of [true, false]) {
          for (const list of cases) {
            const engine = await buildWithAxesInput(dtype, op, list[0]!.length, keepDims);
            try {
              for (const [i, axes] of list.entries()) {
                const x = asStored(values(dtype, op, 1600 + 10 * op + i), dtype);
                const out = await runEngine(engine, { x: { ref: x, dtype }, axes: { ref: R.ref([axes.length], axes), dtype: DataType.INT64 } });
                expectClose(out['y'], expected(x, op, axes, keepDims, dtype), dtype, `${ReduceOperation[op]} axes [${axes.join(', ')}] keepDims ${keepDims}`);
              }
            } finally {
              engine.dispose();
            }
          }
        }
      }
    });
  }

  it('INT32 axes, and axes from a constant (known when the network is built)', async () => {
    const x = asStored(values(DataType.FLOAT, ReduceOperation.SUM, 1690), DataType.FLOAT);
    const engine = await buildWithAxesInput(DataType.FLOAT, ReduceOperation.SUM, 2, false, DataType.INT32);
    try {
      const out = await runEngine(engine, { x: { ref: x }, axes: { ref: R.ref([2], [2, 0]), dtype: DataType.INT32 } });
      expectClose(out['y'], expected(x, ReduceOperation.SUM, [2, 0], false, DataType.FLOAT), DataType.FLOAT, 'INT32 axes');
    } finally {
      engine.dispose();
    }
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    try {
      const net = builder.createNetworkV2();
      const input = net.addInput('x', DataType.FLOAT, dims);
      const axes = net.addConstant([2], new Weights(DataType.INT64, new BigInt64Array([-1n, 0n]))).getOutput(0);
      const kept = net.addReduce(input, ReduceOperation.MAX, 0, true);
      kept.setInput(1, axes);
      expect(kept.getOutput(0).shape).toEqual([1, 3, 1]);
      const dropped = net.addReduce(input, ReduceOperation.MAX, 0, false);
      dropped.setInput(1, axes);
      expect(dropped.getOutput(0).shape).toEqual([3]);
      // Values known only at run time: the rank is fixed by the static length of the axes.
      const s = net.addInput('s', DataType.INT64, [2]);
      const late = net.addReduce(input, ReduceOperation.MAX, 0, false);
      late.setInput(1, s);
      expect(late.getOutput(0).shape).toEqual([-1]);
      expect(s.isShapeTensor).toBe(true);
    } finally {
      builder.dispose();
    }
  });

  it('values changed in place between two enqueues give different output shapes', async () => {
    const dtype = DataType.FLOAT;
    const op = ReduceOperation.SUM;
    const x = asStored(values(dtype, op, 1695), dtype);
    const engine = await buildWithAxesInput(dtype, op, 1, false);
    const ctx = engine.createExecutionContext();
    const xBuf = tensorBufferFrom(engine, 'x', encode(x, dtype));
    // A shape tensor input: host memory on every backend, so its values can change in place.
    const axesBuf = tensorBufferFrom(engine, 'axes', new BigInt64Array([1n]));
    const yBuf = tensorBuffer(engine, 'y', 12 * 4);
    try {
      expect(axesBuf).toBeInstanceOf(trt.HostBuffer);
      ctx.setTensorAddress('x', xBuf);
      ctx.setTensorAddress('axes', axesBuf);
      ctx.setTensorAddress('y', yBuf);
      for (const axis of [1, 2, -3, 0]) {
        new BigInt64Array((axesBuf as trt.HostBuffer).arrayBuffer).set([BigInt(axis)]); // same address, new value
        const want = expected(x, op, [axis], false, dtype);
        expect(ctx.getTensorShape('y')).toEqual(want.dims);
        await ctx.enqueueV3();
        const got = decode(new Float32Array(readBytes(yBuf, yBuf.byteLength)), want.dims, dtype);
        expectClose(got, want, dtype, `axis ${axis}`);
      }
    } finally {
      ctx.dispose();
      for (const b of [xBuf, axesBuf, yBuf]) b.dispose();
      engine.dispose();
    }
  });

  it('repeated and out-of-range axes are errors when the values are read', async () => {
    const engine = await buildWithAxesInput(DataType.FLOAT, ReduceOperation.SUM, 2, true);
    try {
      const x = { ref: values(DataType.FLOAT, ReduceOperation.SUM, 1699) };
      await expect(runEngine(engine, { x, axes: { ref: R.ref([2], [1, -2]), dtype: DataType.INT64 } })).rejects.toThrow(/name dimension 1 twice/);
    } finally {
      engine.dispose();
    }
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    try {
      const net = builder.createNetworkV2();
      const input = net.addInput('x', DataType.FLOAT, dims);
      const layer = net.addReduce(input, ReduceOperation.SUM, 0, true);
      net.markOutput(layer.getOutput(0));
      const constAxes = (v: bigint[]) => net.addConstant([v.length], new Weights(DataType.INT64, BigInt64Array.from(v))).getOutput(0);
      layer.setInput(1, constAxes([3n]));
      await expect(builder.buildSerializedNetwork(net, builder.createBuilderConfig())).rejects.toThrow(/axis 3 of axes \[3\] is out of range for rank 3/);
      layer.setInput(1, constAxes([0n, 0n]));
      await expect(builder.buildSerializedNetwork(net, builder.createBuilderConfig())).rejects.toThrow(/name dimension 0 twice/);
      layer.setInput(1, net.addConstant([1], new Weights(DataType.FLOAT, new Float32Array([0]))).getOutput(0));
      await expect(builder.buildSerializedNetwork(net, builder.createBuilderConfig())).rejects.toThrow(/axes tensor \(input 1\) must be INT32 or INT64/);
    } finally {
      builder.dispose();
    }
  });
});
