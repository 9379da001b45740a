/**
 * DeformConv (opset 19) on random inputs against a plain-TS reference of the ONNX semantics and,
 * for 2-D inputs, against onnxruntime-node: groups, offset groups, mask, bias, stride 2,
 * dilation 2, padding, weights as graph inputs, 1-D inputs, and a dynamic batch run at two sizes.
 * Offsets span [-3, 3] so that many taps fall partly or wholly outside the input.
 *
 * Tolerance: |engine - want| <= 1e-5 + 1e-4 * |want|. The engine samples through GridSample's
 * normalized coordinates, which moves each position by a few float32 ulps.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { ParserErrorCode } from '../lib/index.js';
import { buildEngine, quietLogger, runEngine } from './helpers/engine.js';
import { OnnxDataType, OnnxGraph, OnnxNode, encodeOnnxModel, floatTensor } from './helpers/onnx.js';
import { runOrt } from './helpers/ort.js';
import { randomFloat32 } from './helpers/random.js';

const RTOL = 1e-4;
const ATOL = 1e-5;

interface Case {
  C: number;
  M: number;
  spatial: number[];
  kernel: number[];
  strides?: number[];
  dilations?: number[];
  pads?: number[];
  group?: number;
  offsetGroup?: number;
  mask?: boolean;
  bias?: boolean;
  /** W and B as graph inputs instead of initializers. */
  runtimeWeights?: boolean;
}

interface Geometry {
  out: number[];
  K: number;
  nsp: number;
}

function geometry(c: Case): Geometry {
  const nsp = c.spatial.length;
  const s = c.strides ?? new Array<number>(nsp).fill(1);
  const d = c.dilations ?? new Array<number>(nsp).fill(1);
  const p = c.pads ?? new Array<number>(2 * nsp).fill(0);
  const out = c.spatial.map((x, i) => Math.floor((x + p[i]! + p[i + nsp]! - d[i]! * (c.kernel[i]! - 1) - 1) / s[i]!) + 1);
  return { out, K: c.kernel.reduce((a, b) => a * b, 1), nsp };
}

/** ONNX DeformConv: bilinear sampling with each corner outside the input reading 0. */
function reference(c: Case, n: number, x: Float32Array, w: Float32Array, offset: Float32Array, b?: Float32Array, mask?: Float32Array): Float64Array {
  const { out, K, nsp } = geometry(c);
  const lift = (v: number[], unit: number): [number, number] => (nsp === 2 ? [v[0]!, v[1]!] : [unit, v[0]!]);
  const [H, W] = lift(c.spatial, 1);
  const [kh, kw] = lift(c.kernel, 1);
  const [sh, sw] = lift(c.strides ?? new Array<number>(nsp).fill(1), 1);
  const [dh, dw] = lift(c.dilations ?? new Array<number>(nsp).fill(1), 1);
  const [ph, pw] = lift(c.pads ?? new Array<number>(2 * nsp).fill(0), 0);
  const [oh, ow] = lift(out, 1);
  const group = c.group ?? 1;
  const og = c.offsetGroup ?? 1;
  const Cg = c.C / group;
  const Mg = c.M / group;
  const Cog = c.C / og;
  const pixel = (bi: number, ch: number, y: number, xx: number): number => (y < 0 || y >= H || xx < 0 || xx >= W ? 0 : x[((bi * c.C + ch) * H + y) * W + xx]!);
  const y = new Float64Array(n * c.M * oh * ow);
  for (let bi = 0; bi < n; bi += 1) {
    for (let m = 0; m < c.M; m += 1) {
      for (let i = 0; i < oh; i += 1) {
        for (let j = 0; j < ow; j += 1) {
          let acc = b ? b[m]! : 0;
          for (let cl = 0; cl < Cg; cl += 1) {
            const ch = Math.floor(m / Mg) * Cg + cl;
            const g = Math.floor(ch / Cog);
            for (let a = 0; a < kh; a += 1) {
              for (let bb = 0; bb < kw; bb += 1) {
                const k = a * kw + bb;
                const at = (comp: number): number => offset[((bi * og + g) * K * nsp + k * nsp + comp) * oh * ow + i * ow + j]!;
                const py = i * sh - ph + a * dh + (nsp === 2 ? at(0) : 0);
                const px = j * sw - pw + bb * dw + at(nsp === 2 ? 1 : 0);
                const y0 = Math.floor(py);
                const x0 = Math.floor(px);
                const fy = py - y0;
                const fx = px - x0;
                const v =
                  (1 - fy) * (1 - fx) * pixel(bi, ch, y0, x0) + (1 - fy) * fx * pixel(bi, ch, y0, x0 + 1) + fy * (1 - fx) * pixel(bi, ch, y0 + 1, x0) + fy * fx * pixel(bi, ch, y0 + 1, x0 + 1);
                const mk = mask ? mask[((bi * og + g) * K + k) * oh * ow + i * ow + j]! : 1;
                acc += w[(m * Cg + cl) * K + k]! * v * mk;
              }
            }
          }
          y[((bi * c.M + m) * oh + i) * ow + j] = acc;
        }
      }
    }
  }
  return y;
}

function dimsOf(c: Case, n: number | string): Record<string, (number | string)[]> {
  const { out, K, nsp } = geometry(c);
  const og = c.offsetGroup ?? 1;
  return {
    X: [n, c.C, ...c.spatial],
    W: [c.M, c.C / (c.group ?? 1), ...c.kernel],
    offset: [n, og * K * nsp, ...out],
    B: [c.M],
    mask: [n, og * K, ...out],
    Y: [n, c.M, ...out],
  };
}

function graph(c: Case, weights: { w: Float32Array; b: Float32Array }, extraAttrs: NonNullable<OnnxNode['attributes']> = {}): OnnxGraph {
  const dims = dimsOf(c, 'N');
  const attributes: NonNullable<OnnxNode['attributes']> = { kernel_shape: c.kernel, ...extraAttrs };
  if (c.strides) attributes['strides'] = c.strides;
  if (c.dilations) attributes['dilations'] = c.dilations;
  if (c.pads) attributes['pads'] = c.pads;
  if (c.group) attributes['group'] = c.group;
  if (c.offsetGroup) attributes['offset_group'] = c.offsetGroup;
  const input = (name: string): { name: string; dataType: number; dims: (number | string)[] } => ({ name, dataType: OnnxDataType.FLOAT, dims: dims[name]! });
  const inputs = [input('X'), input('offset')];
  if (c.mask) inputs.push(input('mask'));
  if (c.runtimeWeights) inputs.push(input('W'), ...(c.bias ? [input('B')] : []));
  return {
    opset: 19,
    nodes: [{ opType: 'DeformConv', inputs: ['X', 'W', 'offset', c.bias ? 'B' : '', c.mask ? 'mask' : ''], outputs: ['Y'], attributes }],
    inputs: inputs as OnnxGraph['inputs'],
    outputs: [input('Y')] as OnnxGraph['outputs'],
    initializers: c.runtimeWeights ? [] : [floatTensor('W', dims['W'] as number[], weights.w), ...(c.bias ? [floatTensor('B', [c.M], weights.b)] : [])],
  };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  const bad = Array.from(got).findIndex((v, i) => !(Math.abs(v - want[i]!) <= ATOL + RTOL * Math.abs(want[i]!)));
  expect(bad, `${what}: element ${bad} is ${got[bad]}, expected ${want[bad]}`).toBe(-1);
}

/** Builds once with a dynamic batch (1..4) and checks each batch size against the reference (and onnxruntime in 2-D). */
async function check(c: Case, batches: number[]): Promise<void> {
  const size = (d: (number | string)[], n: number): number[] => d.map((v) => (typeof v === 'string' ? n : v));
  const wDims = dimsOf(c, 1)['W'] as number[];
  const w = randomFloat32(wDims.reduce((a, b) => a * b, 1), 11, -1, 1);
  const b = randomFloat32(c.M, 12, -1, 1);
  const bytes = encodeOnnxModel(graph(c, { w, b }));
  const sym = dimsOf(c, 'N');
  const dyn = ['X', 'offset', ...(c.mask ? ['mask'] : [])];
  const profile: Record<string, [number[], number[], number[]]> = {};
  for (const name of dyn) profile[name] = [size(sym[name]!, 1), size(sym[name]!, 2), size(sym[name]!, 4)];
  const engine = await buildEngine(
    (network) => {
      const parser = new trt.OnnxParser(network, quietLogger);
      if (!parser.parse(bytes)) throw new Error(parser.getError(0)!.desc());
    },
    { profiles: [profile] },
  );
  try {
    for (const [k, n] of batches.entries()) {
      const data: Record<string, Float32Array> = {};
      const lo: Record<string, number> = { X: -2, offset: -3, mask: 0 };
      const hi: Record<string, number> = { X: 2, offset: 3, mask: 1 };
      for (const name of dyn) data[name] = randomFloat32(size(sym[name]!, n).reduce((a, v) => a * v, 1), 100 * k + name.length, lo[name], hi[name]);
      const feeds: Parameters<typeof runEngine>[1] = {};
      const ortFeeds: Parameters<typeof runOrt>[1] = {};
      const all: Record<string, Float32Array> = { ...data, ...(c.runtimeWeights ? { W: w, ...(c.bias ? { B: b } : {}) } : {}) };
      for (const [name, values] of Object.entries(all)) {
        const d = size(sym[name]!, n);
        feeds[name] = { ref: { dims: d, data: Float64Array.from(values) } };
        ortFeeds[name] = { dims: d, data: values };
      }
      const got = (await runEngine(engine, feeds))['Y']!;
      expect(got.dims).toEqual(size(sym['Y']!, n));
      expectClose(got.data, reference(c, n, data['X']!, w, data['offset']!, c.bias ? b : undefined, data['mask']), `batch ${n}, reference`);
      if (c.spatial.length === 2) {
        const want = (await runOrt(bytes, ortFeeds))['Y']!;
        expectClose(got.data, want.data as Float32Array, `batch ${n}, onnxruntime`);
      }
    }
  } finally {
    engine.dispose();
  }
}

function parseError(c: Case, attrs: NonNullable<OnnxNode['attributes']>): trt.ParserError {
  const builder = new trt.Builder(quietLogger);
  try {
    const parser = new trt.OnnxParser(builder.createNetworkV2(), quietLogger);
    const wDims = dimsOf(c, 1)['W'] as number[];
    expect(parser.parse(encodeOnnxModel(graph(c, { w: new Float32Array(wDims.reduce((a, v) => a * v, 1)), b: new Float32Array(c.M) }, attrs)))).toBe(false);
    return parser.getError(0)!;
  } finally {
    builder.dispose();
  }
}

describe('ONNX DeformConv', () => {
  it('2-D, one group, no mask or bias, dynamic batch at 1 and 3', async () => {
    await check({ C: 2, M: 3, spatial: [5, 6], kernel: [3, 3] }, [1, 3]);
  });

  it('2-D with groups, offset groups, mask, bias, stride 2, dilation 2 and padding', async () => {
    await check({ C: 4, M: 6, spatial: [9, 8], kernel: [3, 2], strides: [2, 2], dilations: [2, 2], pads: [2, 1, 2, 1], group: 2, offsetGroup: 2, mask: true, bias: true }, [2, 4]);
    await check({ C: 6, M: 2, spatial: [7, 7], kernel: [2, 3], strides: [1, 2], dilations: [2, 1], pads: [1, 0, 1, 0], offsetGroup: 3, mask: true }, [1, 2]);
  });

  it('weights and bias given at run time', async () => {
    await check({ C: 4, M: 4, spatial: [6, 5], kernel: [3, 3], pads: [1, 1, 1, 1], group: 4, offsetGroup: 4, mask: true, bias: true, runtimeWeights: true }, [3, 1]);
  });

  it('1-D with groups, offset groups, mask, bias, stride 2 and dilation 2', async () => {
    await check({ C: 4, M: 2, spatial: [11], kernel: [3], strides: [2], dilations: [2], pads: [2, 2], group: 2, offsetGroup: 2, mask: true, bias: true }, [2, 1]);
  });

  it('refuses unequal begin and end pads and 3-D inputs', () => {
    const asym = parseError({ C: 1, M: 1, spatial: [5, 5], kernel: [2, 2], pads: [1, 0, 0, 0] }, {});
    expect(ParserErrorCode[asym.code()]).toBe('UNSUPPORTED_NODE_ATTR');
    expect(asym.desc()).toMatch(/pads/);
    const volumetric = parseError({ C: 1, M: 1, spatial: [4, 4, 4], kernel: [2, 2, 2] }, {});
    expect(ParserErrorCode[volumetric.code()]).toBe('UNSUPPORTED_NODE_SHAPE');
    expect(volumetric.desc()).toMatch(/rank 5/);
  });
});
