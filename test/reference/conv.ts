/**
 * Reference convolution, deconvolution and pooling (TensorRT semantics, see docs/layers.md and
 * the PaddingMode comment in NvInfer.h).
 */
import { type Ref, ref, size, get, forEachIndex, isRef } from './ndarray';
import { PaddingMode, PoolingType } from './enums';

export type Weights = Ref | ArrayLike<number>;

export function weightsData(w: Weights | undefined): ArrayLike<number> {
  if (w === undefined) return [];
  return isRef(w) ? w.data : w;
}

export interface SpatialGeometry {
  /** output spatial size */
  out: number;
  /** effective padding before (SAME modes: computed) */
  pre: number;
  /** effective padding after */
  post: number;
}

function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/**
 * Output size and effective padding of one spatial dim of a convolution or pooling window.
 *  - EXPLICIT_ROUND_DOWN: out = floor((in + pre + post - DK) / s) + 1
 *  - EXPLICIT_ROUND_UP:   out = ceil((in + pre + post - DK) / s) + 1
 *  - SAME_UPPER / SAME_LOWER: out = ceil(in / s), total pad P = max(0, (out-1)*s + DK - in);
 *    SAME_UPPER: pre = floor(P/2), post = P - pre (extra at the end);
 *    SAME_LOWER: post = floor(P/2), pre = P - post (extra at the beginning).
 * DK = dilation*(k-1) + 1 (pooling: dilation 1).
 */
export function convGeometry(
  inSize: number,
  k: number,
  stride: number,
  dilation: number,
  pre: number,
  post: number,
  mode: number,
): SpatialGeometry {
  const dk = dilation * (k - 1) + 1;
  switch (mode) {
    case PaddingMode.EXPLICIT_ROUND_DOWN:
      return { out: Math.floor((inSize + pre + post - dk) / stride) + 1, pre, post };
    case PaddingMode.EXPLICIT_ROUND_UP:
      return { out: ceilDiv(inSize + pre + post - dk, stride) + 1, pre, post };
    case PaddingMode.SAME_UPPER:
    case PaddingMode.SAME_LOWER: {
      const out = ceilDiv(inSize, stride);
      const total = Math.max(0, (out - 1) * stride + dk - inSize);
      const half = Math.floor(total / 2);
      if (mode === PaddingMode.SAME_UPPER) return { out, pre: half, post: total - half };
      return { out, pre: total - half, post: half };
    }
    default:
      throw new Error(`unknown PaddingMode ${mode}`);
  }
}

/**
 * Output size and effective (cropping) padding of one spatial dim of a deconvolution.
 *  - EXPLICIT_*: out = (in-1)*s + DK - pre - post
 *  - SAME_*: out = min(in*s, (in-1)*s + DK), P = max(DK - s, 0);
 *    SAME_UPPER: pre = floor(P/2), post = P - pre; SAME_LOWER: post = floor(P/2), pre = P - post.
 */
export function deconvGeometry(
  inSize: number,
  k: number,
  stride: number,
  dilation: number,
  pre: number,
  post: number,
  mode: number,
): SpatialGeometry {
  const dk = dilation * (k - 1) + 1;
  switch (mode) {
    case PaddingMode.EXPLICIT_ROUND_DOWN:
    case PaddingMode.EXPLICIT_ROUND_UP:
      return { out: (inSize - 1) * stride + dk - pre - post, pre, post };
    case PaddingMode.SAME_UPPER:
    case PaddingMode.SAME_LOWER: {
      const out = Math.min(inSize * stride, (inSize - 1) * stride + dk);
      const total = Math.max(dk - stride, 0);
      const half = Math.floor(total / 2);
      if (mode === PaddingMode.SAME_UPPER) return { out, pre: half, post: total - half };
      return { out, pre: total - half, post: half };
    }
    default:
      throw new Error(`unknown PaddingMode ${mode}`);
  }
}

export interface ConvParams {
  /** K; inferred from the kernel size when omitted */
  numOutputMaps?: number;
  kernelSizeNd: number[];
  /** convolution: [K, C/g, k...]; deconvolution: [C, K/g, k...] (flattened or a Ref) */
  kernel: Weights;
  /** [K]; empty or omitted = no bias */
  bias?: Weights;
  /** default all 1 */
  strideNd?: number[];
  /** default paddingNd, else 0 */
  prePadding?: number[];
  /** default paddingNd, else 0 */
  postPadding?: number[];
  /** sets both pre and post where those are not given */
  paddingNd?: number[];
  /** PaddingMode, default EXPLICIT_ROUND_DOWN; SAME_* ignore pre/post */
  paddingMode?: number;
  /** default all 1 */
  dilationNd?: number[];
  /** default 1 */
  numGroups?: number;
}

interface ResolvedConv {
  nsp: number;
  cAxis: number;
  batchDims: number[];
  C: number;
  inSp: number[];
  kernelSize: number[];
  kVol: number;
  stride: number[];
  dilation: number[];
  pre: number[];
  post: number[];
  mode: number;
  groups: number;
  kernel: ArrayLike<number>;
  bias: ArrayLike<number>;
}

function fill(n: number, v: number): number[] {
  return new Array<number>(n).fill(v);
}

function resolveConv(input: Ref, p: ConvParams): ResolvedConv {
  const nsp = p.kernelSizeNd.length;
  if (nsp < 1) throw new Error('kernelSizeNd must have at least one dim');
  const r = input.dims.length;
  if (r < nsp + 1) throw new Error(`input rank ${r} too small for ${nsp}-D kernel`);
  const cAxis = r - nsp - 1;
  const chk = (name: string, v: number[] | undefined, def: number): number[] => {
    const out = v ?? fill(nsp, def);
    if (out.length !== nsp) throw new Error(`${name} has ${out.length} dims, expected ${nsp}`);
    return [...out];
  };
  const groups = p.numGroups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`bad numGroups ${groups}`);
  return {
    nsp,
    cAxis,
    batchDims: input.dims.slice(0, cAxis),
    C: input.dims[cAxis],
    inSp: input.dims.slice(cAxis + 1),
    kernelSize: [...p.kernelSizeNd],
    kVol: size(p.kernelSizeNd),
    stride: chk('strideNd', p.strideNd, 1),
    dilation: chk('dilationNd', p.dilationNd, 1),
    pre: chk('prePadding', p.prePadding ?? p.paddingNd, 0),
    post: chk('postPadding', p.postPadding ?? p.paddingNd, 0),
    mode: p.paddingMode ?? PaddingMode.EXPLICIT_ROUND_DOWN,
    groups,
    kernel: weightsData(p.kernel),
    bias: weightsData(p.bias),
  };
}

/** N-D cross-correlation (1-D, 2-D, 3-D...). Input [batch..., C, spatial...]. */
export function convolution(input: Ref, p: ConvParams): Ref {
  const g = resolveConv(input, p);
  const { C, groups, kVol } = g;
  if (C % groups !== 0) throw new Error(`C=${C} not divisible by numGroups=${groups}`);
  const Cg = C / groups;
  const K = p.numOutputMaps ?? g.kernel.length / (Cg * kVol);
  if (!Number.isInteger(K) || K * Cg * kVol !== g.kernel.length) {
    throw new Error(`kernel has ${g.kernel.length} values, expected K*C/g*kvol = ${K}*${Cg}*${kVol}`);
  }
  if (K % groups !== 0) throw new Error(`K=${K} not divisible by numGroups=${groups}`);
  const Kg = K / groups;
  if (g.bias.length !== 0 && g.bias.length !== K) throw new Error(`bias has ${g.bias.length} values, expected ${K}`);
  const geo = g.inSp.map((I, d) => convGeometry(I, g.kernelSize[d], g.stride[d], g.dilation[d], g.pre[d], g.post[d], g.mode));
  const outSp = geo.map((x) => x.out);
  if (outSp.some((o) => o < 0)) throw new Error(`negative output size [${outSp.join(',')}]`);
  const outDims = [...g.batchDims, K, ...outSp];
  return ref(outDims, (idx) => {
    const b = idx.slice(0, g.cAxis);
    const k = idx[g.cAxis];
    const o = idx.slice(g.cAxis + 1);
    const grp = Math.floor(k / Kg);
    let acc = g.bias.length ? Number(g.bias[k]) : 0;
    for (let c = 0; c < Cg; c++) {
      forEachIndex(g.kernelSize, (kr, kflat) => {
        const pos = o.map((oi, d) => oi * g.stride[d] - geo[d].pre + kr[d] * g.dilation[d]);
        for (let d = 0; d < pos.length; d++) if (pos[d] < 0 || pos[d] >= g.inSp[d]) return;
        const x = get(input, [...b, grp * Cg + c, ...pos]);
        const w = Number(g.kernel[(k * Cg + c) * kVol + kflat]);
        acc += x * w;
      });
    }
    return acc;
  });
}

/** N-D transposed convolution. Input [batch..., C, spatial...], kernel [C, K/g, k...]. */
export function deconvolution(input: Ref, p: ConvParams): Ref {
  const g = resolveConv(input, p);
  const { C, groups, kVol } = g;
  if (C % groups !== 0) throw new Error(`C=${C} not divisible by numGroups=${groups}`);
  const Cg = C / groups;
  const Kg = g.kernel.length / (C * kVol);
  if (!Number.isInteger(Kg)) throw new Error(`kernel has ${g.kernel.length} values, not a multiple of C*kvol=${C * kVol}`);
  const K = Kg * groups;
  if (p.numOutputMaps !== undefined && p.numOutputMaps !== K) {
    throw new Error(`numOutputMaps ${p.numOutputMaps} inconsistent with kernel (K=${K})`);
  }
  if (g.bias.length !== 0 && g.bias.length !== K) throw new Error(`bias has ${g.bias.length} values, expected ${K}`);
  const geo = g.inSp.map((I, d) =>
    deconvGeometry(I, g.kernelSize[d], g.stride[d], g.dilation[d], g.pre[d], g.post[d], g.mode),
  );
  const outSp = geo.map((x) => x.out);
  if (outSp.some((o) => o < 0)) throw new Error(`negative output size [${outSp.join(',')}]`);
  const outDims = [...g.batchDims, K, ...outSp];
  return ref(outDims, (idx) => {
    const b = idx.slice(0, g.cAxis);
    const k = idx[g.cAxis];
    const o = idx.slice(g.cAxis + 1);
    const grp = Math.floor(k / Kg);
    const kk = k - grp * Kg;
    let acc = g.bias.length ? Number(g.bias[k]) : 0;
    for (let c = 0; c < Cg; c++) {
      const cin = grp * Cg + c;
      forEachIndex(g.kernelSize, (kr, kflat) => {
        // output o (uncropped position o + pre) receives input i where i*s + kr*dil == o + pre
        const pos: number[] = [];
        for (let d = 0; d < o.length; d++) {
          const full = o[d] + geo[d].pre - kr[d] * g.dilation[d];
          if (full < 0 || full % g.stride[d] !== 0) return;
          const i = full / g.stride[d];
          if (i >= g.inSp[d]) return;
          pos.push(i);
        }
        const x = get(input, [...b, cin, ...pos]);
        const w = Number(g.kernel[(cin * Kg + kk) * kVol + kflat]);
        acc += x * w;
      });
    }
    return acc;
  });
}

export interface PoolingParams {
  /** PoolingType */
  type: number;
  windowSizeNd: number[];
  /** default = windowSizeNd (docs/layers.md) */
  strideNd?: number[];
  prePadding?: number[];
  postPadding?: number[];
  paddingNd?: number[];
  /** PaddingMode, default EXPLICIT_ROUND_DOWN */
  paddingMode?: number;
  /** MAX_AVERAGE_BLEND: (1-blend)*max + blend*avg; default 0 */
  blendFactor?: number;
  /** default true: the average divides by the window's overlap with the unpadded input;
   * false: by its overlap with the padded input */
  averageCountExcludesPadding?: boolean | number;
}

/**
 * Pooling over the trailing windowSizeNd.length dims. Padding never contributes to max.
 * A window that has no cell inside the input gives max = -Infinity and (exclusive) avg = NaN.
 */
export function pooling(input: Ref, p: PoolingParams): Ref {
  const nsp = p.windowSizeNd.length;
  const r = input.dims.length;
  if (r < nsp) throw new Error(`input rank ${r} < window rank ${nsp}`);
  const lead = r - nsp;
  const inSp = input.dims.slice(lead);
  const win = [...p.windowSizeNd];
  const stride = p.strideNd ?? win.map(() => 1); // TensorRT default: 1
  const pre = p.prePadding ?? p.paddingNd ?? fill(nsp, 0);
  const post = p.postPadding ?? p.paddingNd ?? fill(nsp, 0);
  for (const [n, v] of [
    ['strideNd', stride],
    ['prePadding', pre],
    ['postPadding', post],
  ] as const) {
    if (v.length !== nsp) throw new Error(`${n} has ${v.length} dims, expected ${nsp}`);
  }
  const mode = p.paddingMode ?? PaddingMode.EXPLICIT_ROUND_DOWN;
  const geo = inSp.map((I, d) => convGeometry(I, win[d], stride[d], 1, pre[d], post[d], mode));
  const outDims = [...input.dims.slice(0, lead), ...geo.map((x) => x.out)];
  const excl = p.averageCountExcludesPadding === undefined ? true : Boolean(p.averageCountExcludesPadding);
  const blend = p.blendFactor ?? 0;
  if (p.type !== PoolingType.MAX && p.type !== PoolingType.AVERAGE && p.type !== PoolingType.MAX_AVERAGE_BLEND) {
    throw new Error(`unknown PoolingType ${p.type}`);
  }
  return ref(outDims, (idx) => {
    const b = idx.slice(0, lead);
    const o = idx.slice(lead);
    let mx = -Infinity;
    let sum = 0;
    let countIn = 0; // cells inside the unpadded input
    let countPadded = 0; // cells inside the padded input
    forEachIndex(win, (w) => {
      const pos = o.map((oi, d) => oi * stride[d] - geo[d].pre + w[d]);
      let inside = true;
      let insidePadded = true;
      for (let d = 0; d < nsp; d++) {
        if (pos[d] < 0 || pos[d] >= inSp[d]) inside = false;
        if (pos[d] < -geo[d].pre || pos[d] >= inSp[d] + geo[d].post) insidePadded = false;
      }
      if (insidePadded) countPadded++;
      if (!inside) return;
      countIn++;
      const x = get(input, [...b, ...pos]);
      sum += x;
      mx = Math.max(mx, x); // NaN propagates
    });
    const avg = sum / (excl ? countIn : countPadded);
    if (p.type === PoolingType.MAX) return mx;
    if (p.type === PoolingType.AVERAGE) return avg;
    return (1 - blend) * mx + blend * avg;
  });
}
