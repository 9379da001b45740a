/**
 * Reference RESIZE, following ONNX Resize (opset 11+) with TensorRT's option names:
 * separable per-dim interpolation, edge padding (clamped indices) unless excludeOutside.
 */
import { type Ref, ref, get } from './ndarray';
import { InterpolationMode, ResizeCoordinateTransformation, ResizeSelector, ResizeRoundMode } from './enums';

export interface ResizeParams {
  /** output dims (full rank); give this or `scales` */
  shape?: number[];
  /** per-dim scales (full rank); output dim = floor(in * scale) */
  scales?: number[];
  /** InterpolationMode, default NEAREST */
  resizeMode?: number;
  /** ResizeCoordinateTransformation, default ASYMMETRIC */
  coordinateTransformation?: number;
  /** ResizeSelector, default FORMULA; UPPER maps every dim whose output length is 1 to input coordinate 0 */
  selectorForSinglePixel?: number;
  /** ResizeRoundMode for NEAREST, default FLOOR */
  nearestRounding?: number;
  /** default -0.75 */
  cubicCoeff?: number;
  /** default false: taps outside the input get weight 0 and the weights are renormalised */
  excludeOutside?: boolean | number;
  /**
   * Scale used by the coordinate transformation when `scales` is given: 'scales' (ONNX: x/scale,
   * the default) or 'shape' (x * in/out, as the TensorRT enum comment writes it). With `shape`
   * the ratio in/out is always used. Identical whenever in*scale is an integer.
   */
  coordinateScaleFrom?: 'scales' | 'shape';
}

/** Cubic convolution weight for distance x with coefficient A (TensorRT / ONNX). */
export function cubicWeight(x: number, A: number): number {
  const a = Math.abs(x);
  if (a <= 1) return ((A + 2) * a - (A + 3)) * a * a + 1;
  if (a < 2) return ((A * a - 5 * A) * a + 8 * A) * a - 4 * A;
  return 0;
}

/** Output dims of a resize. */
export function resizeOutputDims(inDims: readonly number[], p: ResizeParams): number[] {
  if (p.shape) {
    if (p.shape.length !== inDims.length) throw new Error('resize: shape rank != input rank');
    return [...p.shape];
  }
  if (p.scales) {
    if (p.scales.length !== inDims.length) throw new Error('resize: scales rank != input rank');
    return inDims.map((d, i) => Math.floor(d * p.scales![i]));
  }
  throw new Error('resize: give shape or scales');
}

type Tap = [index: number, weight: number];

/**
 * Source coordinate of output index `o` along a dim with input length I and output length O.
 * `scale` is null when the in/out ratio is used (x*I/O, computed as a ratio of integers).
 */
export function resizeSourceCoordinate(
  o: number,
  I: number,
  O: number,
  scale: number | null,
  coordinateTransformation: number,
  selector: number,
): number {
  if (O === 1 && selector === ResizeSelector.UPPER) return 0;
  const div = (x: number): number => (scale === null ? (x * I) / O : x / scale);
  switch (coordinateTransformation) {
    case ResizeCoordinateTransformation.ALIGN_CORNERS: {
      // With scales, the unrounded I * scale stands for O (ONNX).
      const resized = scale === null ? O : I * scale;
      return resized <= 1 ? 0 : (o * (I - 1)) / (resized - 1);
    }
    case ResizeCoordinateTransformation.ASYMMETRIC:
      return div(o);
    case ResizeCoordinateTransformation.HALF_PIXEL:
      return div(o + 0.5) - 0.5;
    default:
      throw new Error(`unknown ResizeCoordinateTransformation ${coordinateTransformation}`);
  }
}

function taps1d(x: number, I: number, p: ResizeParams): Tap[] {
  const mode = p.resizeMode ?? InterpolationMode.NEAREST;
  const x0 = Math.floor(x);
  const t = x - x0;
  let raw: Tap[];
  switch (mode) {
    case InterpolationMode.NEAREST: {
      const r = p.nearestRounding ?? ResizeRoundMode.FLOOR;
      let i: number;
      if (t === 0) i = x0;
      else if (r === ResizeRoundMode.HALF_DOWN) i = t <= 0.5 ? x0 : x0 + 1;
      else if (r === ResizeRoundMode.HALF_UP) i = t < 0.5 ? x0 : x0 + 1;
      else if (r === ResizeRoundMode.FLOOR) i = x0;
      else if (r === ResizeRoundMode.CEIL) i = x0 + 1;
      else throw new Error(`unknown ResizeRoundMode ${r}`);
      return [[Math.min(Math.max(i, 0), I - 1), 1]];
    }
    case InterpolationMode.LINEAR:
      raw = [
        [x0, 1 - t],
        [x0 + 1, t],
      ];
      break;
    case InterpolationMode.CUBIC: {
      const A = p.cubicCoeff ?? -0.75;
      raw = [
        [x0 - 1, cubicWeight(t + 1, A)],
        [x0, cubicWeight(t, A)],
        [x0 + 1, cubicWeight(1 - t, A)],
        [x0 + 2, cubicWeight(2 - t, A)],
      ];
      break;
    }
    default:
      throw new Error(`unknown InterpolationMode ${mode}`);
  }
  if (p.excludeOutside) {
    const inside = raw.filter(([i]) => i >= 0 && i < I);
    const s = inside.reduce((acc, [, w]) => acc + w, 0);
    return inside.map(([i, w]) => [i, w / s]);
  }
  return raw.map(([i, w]) => [Math.min(Math.max(i, 0), I - 1), w]);
}

export function resize(input: Ref, p: ResizeParams): Ref {
  const inDims = input.dims;
  const outDims = resizeOutputDims(inDims, p);
  const rank = inDims.length;
  if (inDims.some((d, i) => d === 0 && outDims[i] !== 0)) throw new Error('resize: cannot resize an empty dim');
  const ct = p.coordinateTransformation ?? ResizeCoordinateTransformation.ASYMMETRIC;
  const sel = p.selectorForSinglePixel ?? ResizeSelector.FORMULA;
  const useScales = p.scales !== undefined && p.shape === undefined && (p.coordinateScaleFrom ?? 'scales') === 'scales';
  // taps per dim per output index
  const taps: Tap[][][] = inDims.map((I, d) => {
    const O = outDims[d];
    const list: Tap[][] = [];
    for (let o = 0; o < O; o++) {
      const x = resizeSourceCoordinate(o, I, O, useScales ? p.scales![d] : null, ct, sel);
      list.push(taps1d(x, I, p));
    }
    return list;
  });
  return ref(outDims, (idx) => {
    let acc = 0;
    const rec = (d: number, src: number[], w: number): void => {
      if (d === rank) {
        acc += w * get(input, src);
        return;
      }
      for (const [i, wi] of taps[d][idx[d]]) {
        if (wi === 0) continue;
        rec(d + 1, [...src, i], w * wi);
      }
    };
    rec(0, [], 1);
    return acc;
  });
}
