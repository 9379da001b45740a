/**
 * ONNX operators whose output dims depend on tensor values, against onnxruntime-node on random
 * inputs: NonMaxSuppression (detection post-processing with a GatherND of the selected boxes),
 * NonZero feeding Transpose and GatherND (mask selection), Compress with a computed condition,
 * Range with FLOAT graph inputs, OneHot with a FLOAT depth input, and Resize with run-time scales.
 * Index and integer outputs must match exactly; FLOAT outputs within 1e-6 + 1e-5·|ort|.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { buildEngine, quietLogger, runEngine } from './helpers/engine.js';
import { OnnxDataType, OnnxGraph, encodeOnnxModel, floatTensor, int64Tensor } from './helpers/onnx.js';
import { OrtFeed, runOrt } from './helpers/ort.js';
import { mulberry32, randomFloat32 } from './helpers/random.js';
import type { Ref } from './reference/index.js';

type Feeds = Record<string, { dims: number[]; data: Float32Array | BigInt64Array | Uint8Array }>;

async function compareWithOrt(g: OnnxGraph, feeds: Feeds, profiles: Array<Record<string, [number[], number[], number[]]>> = []): Promise<Record<string, Ref>> {
  const bytes = encodeOnnxModel(g);
  const engine = await buildEngine(
    (network) => {
      const parser = new trt.OnnxParser(network, quietLogger);
      if (!parser.parse(bytes)) throw new Error(parser.getError(0)!.desc());
    },
    { profiles },
  );
  try {
    const engineFeeds: Parameters<typeof runEngine>[1] = {};
    const ortFeeds: Record<string, OrtFeed> = {};
    for (const [name, f] of Object.entries(feeds)) {
      const data = f.data instanceof BigInt64Array ? Float64Array.from(f.data, Number) : Float64Array.from(f.data);
      engineFeeds[name] = { ref: { dims: f.dims, data } };
      ortFeeds[name] = { dims: f.dims, data: f.data, ...(f.data instanceof Uint8Array ? { type: 'bool' as const } : {}) };
    }
    const got = await runEngine(engine, engineFeeds);
    const want = await runOrt(bytes, ortFeeds);
    for (const out of g.outputs) {
      const w = want[out.name]!;
      const gv = got[out.name]!;
      expect(gv.dims, out.name).toEqual(w.dims);
      const wv = Array.from(w.data as ArrayLike<number | bigint>, Number);
      const exact = w.type !== 'float32';
      const bad = Array.from(gv.data).findIndex((v, i) => (exact ? v !== wv[i] : !(Math.abs(v - wv[i]!) <= 1e-6 + 1e-5 * Math.abs(wv[i]!))));
      expect(bad, `${out.name}[${bad}] is ${gv.data[bad]}, onnxruntime gives ${wv[bad]}`).toBe(-1);
    }
    return got;
  } finally {
    engine.dispose();
  }
}

/** Boxes clustered so that suppression happens: [B, N, 4] corners (y1, x1, y2, x2), some flipped. */
function clusteredBoxes(B: number, N: number, seed: number): Float32Array {
  const rnd = mulberry32(seed);
  const out = new Float32Array(B * N * 4);
  for (let i = 0; i < B * N; i += 1) {
    const cy = (i % 4) * 3 + rnd();
    const cx = ((i >> 2) % 3) * 3 + rnd();
    const h = 1 + rnd() * 2;
    const w = 1 + rnd() * 2;
    const flip = i % 7 === 3;
    out.set(flip ? [cy + h, cx + w, cy, cx] : [cy, cx, cy + h, cx + w], i * 4);
  }
  return out;
}

describe('ONNX data-dependent shapes against onnxruntime', () => {
  it('NonMaxSuppression + GatherND of the selected boxes, corner and center formats, dynamic box count', async () => {
    for (const centerPointBox of [0, 1]) {
      const B = 2;
      const C = 3;
      const g: OnnxGraph = {
        opset: 13,
        nodes: [
          { opType: 'NonMaxSuppression', inputs: ['boxes', 'scores', 'max_boxes', 'iou', 'score_threshold'], outputs: ['selected'], attributes: { center_point_box: centerPointBox } },
          // (batch, box) pairs of the selections: columns 0 and 2.
          { opType: 'Gather', inputs: ['selected', 'cols'], outputs: ['batch_box'], attributes: { axis: 1 } },
          { opType: 'GatherND', inputs: ['boxes', 'batch_box'], outputs: ['picked'] },
        ],
        inputs: [
          { name: 'boxes', dataType: OnnxDataType.FLOAT, dims: [B, 'N', 4] },
          { name: 'scores', dataType: OnnxDataType.FLOAT, dims: [B, C, 'N'] },
        ],
        outputs: [
          { name: 'selected', dataType: OnnxDataType.INT64, dims: ['K', 3] },
          { name: 'picked', dataType: OnnxDataType.FLOAT, dims: ['K', 4] },
        ],
        initializers: [int64Tensor('max_boxes', [4], [1]), floatTensor('iou', [1], [0.4]), floatTensor('score_threshold', [1], [0.2]), int64Tensor('cols', [0, 2])],
      };
      for (const [k, N] of [20, 7].entries()) {
        const scores = randomFloat32(B * C * N, 50 + k, 0, 1);
        const got = await compareWithOrt(
          g,
          { boxes: { dims: [B, N, 4], data: clusteredBoxes(B, N, 60 + k) }, scores: { dims: [B, C, N], data: scores } },
          [{ boxes: [[B, 1, 4], [B, 10, 4], [B, 32, 4]], scores: [[B, C, 1], [B, C, 10], [B, C, 32]] }],
        );
        const candidates = Array.from(scores).filter((v) => v > 0.2).length;
        expect(got['selected']!.dims[0], 'some boxes are selected').toBeGreaterThan(0);
        expect(got['selected']!.dims[0], 'and some candidates suppressed or over the limit').toBeLessThan(candidates);
      }
    }
  });

  it('NonZero -> Transpose -> GatherND selects the masked elements', async () => {
    const g: OnnxGraph = {
      opset: 13,
      nodes: [
        { opType: 'Greater', inputs: ['x', 'zero'], outputs: ['mask'] },
        { opType: 'NonZero', inputs: ['mask'], outputs: ['nz'] },
        { opType: 'Transpose', inputs: ['nz'], outputs: ['coords'], attributes: { perm: [1, 0] } },
        { opType: 'GatherND', inputs: ['x', 'coords'], outputs: ['positives'] },
      ],
      inputs: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: ['R', 5] }],
      outputs: [
        { name: 'nz', dataType: OnnxDataType.INT64, dims: [2, 'K'] },
        { name: 'positives', dataType: OnnxDataType.FLOAT, dims: ['K'] },
      ],
      initializers: [floatTensor('zero', [], [0])],
    };
    for (const [k, rows] of [3, 6, 1].entries()) {
      await compareWithOrt(g, { x: { dims: [rows, 5], data: randomFloat32(rows * 5, 70 + k) } }, [{ x: [[1, 5], [4, 5], [8, 5]] }]);
    }
  });

  it('Compress with a computed condition, along an axis and flattened', async () => {
    for (const axis of [1, undefined]) {
      const g: OnnxGraph = {
        opset: 11,
        nodes: [
          { opType: 'ReduceMax', inputs: ['x'], outputs: ['colmax'], attributes: { axes: [0], keepdims: 0 } },
          { opType: 'Greater', inputs: ['colmax', 'half'], outputs: ['keep'] },
          { opType: 'Compress', inputs: ['x', 'keep'], outputs: ['y'], attributes: axis === undefined ? {} : { axis } },
        ],
        inputs: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: [3, 6] }],
        outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: axis === undefined ? ['K'] : [3, 'K'] }],
        initializers: [floatTensor('half', [], [0.5])],
      };
      for (const seed of [80, 81]) await compareWithOrt(g, { x: { dims: [3, 6], data: randomFloat32(18, seed) } });
    }
  });

  it('Range with FLOAT graph inputs and OneHot with a FLOAT depth input', async () => {
    const range: OnnxGraph = {
      opset: 11,
      nodes: [{ opType: 'Range', inputs: ['start', 'limit', 'delta'], outputs: ['r'] }],
      inputs: ['start', 'limit', 'delta'].map((name) => ({ name, dataType: OnnxDataType.FLOAT, dims: [] })),
      outputs: [{ name: 'r', dataType: OnnxDataType.FLOAT, dims: ['K'] }],
    };
    for (const [s, l, d] of [[0.5, 7.25, 0.75], [10, -3, -2.5], [1, 1, 1]]) {
      const one = (v: number) => ({ dims: [], data: Float32Array.from([v]) });
      await compareWithOrt(range, { start: one(s!), limit: one(l!), delta: one(d!) });
    }
    const oneHot: OnnxGraph = {
      opset: 11,
      nodes: [{ opType: 'OneHot', inputs: ['indices', 'depth', 'values'], outputs: ['y'], attributes: { axis: 1 } }],
      inputs: [
        { name: 'indices', dataType: OnnxDataType.INT64, dims: [4] },
        { name: 'depth', dataType: OnnxDataType.FLOAT, dims: [] },
      ],
      outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: [4, 'D'] }],
      initializers: [floatTensor('values', [2], [-1, 3])],
    };
    for (const depth of [5.7, 3]) {
      await compareWithOrt(oneHot, { indices: { dims: [4], data: BigInt64Array.from([0n, 2n, -1n, 4n]) }, depth: { dims: [], data: Float32Array.from([depth]) } });
    }
  });

  it('Resize with run-time scales (linear half_pixel, nearest asymmetric, cubic align_corners)', async () => {
    const modes: Array<Record<string, string>> = [
      { mode: 'linear', coordinate_transformation_mode: 'half_pixel' },
      { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
      { mode: 'cubic', coordinate_transformation_mode: 'align_corners' },
    ];
    for (const attributes of modes) {
      const g: OnnxGraph = {
        opset: 13,
        nodes: [{ opType: 'Resize', inputs: ['x', '', 'scales'], outputs: ['y'], attributes }],
        inputs: [
          { name: 'x', dataType: OnnxDataType.FLOAT, dims: [1, 2, 5, 6] },
          { name: 'scales', dataType: OnnxDataType.FLOAT, dims: [4] },
        ],
        outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: [1, 2, 'H', 'W'] }],
      };
      for (const scales of [[1, 1, 0.6, 1.5], [1, 1, 2, 0.5]]) {
        await compareWithOrt(g, { x: { dims: [1, 2, 5, 6], data: randomFloat32(60, 90) }, scales: { dims: [4], data: Float32Array.from(scales) } });
      }
    }
  });
});
