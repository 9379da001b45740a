/**
 * @internal Parse-time evaluation of nodes whose inputs are all constants: shape arithmetic
 * (Shape→Gather→Concat→Reshape chains), attribute-like inputs and weight reshapes. Anything
 * large or not listed here becomes layers, which the builder's constantFolding pass handles.
 */
import { ConstTensor, volume } from '../ConstTensor.js';
import { NodeContext, isConst } from '../ImportContext.js';
import { OnnxType } from '../model.js';
import { normalizeAxis } from './common.js';

/** Elementwise folds stay small: they are for shape math, not for weights. */
const MAX_FOLD_ELEMENTS = 1 << 16;

type Folder = (ctx: NodeContext, inputs: ConstTensor[]) => ConstTensor[] | undefined;

function isIntType(t: OnnxType): boolean {
  return t === OnnxType.INT64 || t === OnnxType.INT32 || t === OnnxType.INT8 || t === OnnxType.UINT8 || t === OnnxType.INT16 || t === OnnxType.UINT16 || t === OnnxType.UINT32 || t === OnnxType.UINT64;
}

function broadcastShape(a: number[], b: number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i += 1) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

function strides(dims: number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i -= 1) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
}

/** Broadcasting binary map over numbers. */
function binary(a: ConstTensor, b: ConstTensor, outType: OnnxType, f: (x: number, y: number) => number): ConstTensor | undefined {
  const shape = broadcastShape(a.dims, b.dims);
  if (!shape) return undefined;
  const n = volume(shape);
  if (n > MAX_FOLD_ELEMENTS) return undefined;
  const av = a.toNumbers();
  const bv = b.toNumbers();
  const rank = shape.length;
  const ad = [...new Array<number>(rank - a.dims.length).fill(1), ...a.dims];
  const bd = [...new Array<number>(rank - b.dims.length).fill(1), ...b.dims];
  const as = strides(ad);
  const bs = strides(bd);
  const os = strides(shape);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i += 1) {
    let ai = 0;
    let bi = 0;
    let rem = i;
    for (let d = 0; d < rank; d += 1) {
      const c = Math.floor(rem / os[d]!);
      rem -= c * os[d]!;
      if (ad[d] !== 1) ai += c * as[d]!;
      if (bd[d] !== 1) bi += c * bs[d]!;
    }
    out[i] = f(av[ai]!, bv[bi]!);
  }
  return ConstTensor.fromNumbers(outType, shape, out);
}

function arithmetic(f: (x: number, y: number, isInt: boolean) => number): Folder {
  return (_ctx, [a, b]) => {
    if (!a || !b || a.type !== b.type) return undefined;
    const isInt = isIntType(a.type);
    return wrap(binary(a, b, a.type, (x, y) => f(x, y, isInt)));
  };
}

function comparison(f: (x: number, y: number) => boolean): Folder {
  return (_ctx, [a, b]) => (a && b ? wrap(binary(a, b, OnnxType.BOOL, (x, y) => (f(x, y) ? 1 : 0))) : undefined);
}

function unaryFold(f: (x: number) => number, intOnly = false): Folder {
  return (_ctx, [a]) => {
    if (!a || a.size > MAX_FOLD_ELEMENTS || (intOnly && !isIntType(a.type))) return undefined;
    return [ConstTensor.fromNumbers(a.type, a.dims, a.toNumbers().map(f))];
  };
}

function wrap(t: ConstTensor | undefined): ConstTensor[] | undefined {
  return t ? [t] : undefined;
}

const FOLDERS: Record<string, Folder> = {
  Identity: (_ctx, [a]) => (a ? [a] : undefined),
  Add: arithmetic((x, y) => x + y),
  Sub: arithmetic((x, y) => x - y),
  Mul: arithmetic((x, y) => x * y),
  Div: arithmetic((x, y, isInt) => (isInt ? (y === 0 ? 0 : Math.trunc(x / y)) : x / y)),
  Equal: comparison((x, y) => x === y),
  Less: comparison((x, y) => x < y),
  Greater: comparison((x, y) => x > y),
  Neg: unaryFold((x) => -x, true),
  Abs: unaryFold((x) => Math.abs(x), true),
  Not: (_ctx, [a]) => (a && a.type === OnnxType.BOOL && a.size <= MAX_FOLD_ELEMENTS ? [ConstTensor.fromNumbers(OnnxType.BOOL, a.dims, a.toNumbers().map((x) => (x ? 0 : 1)))] : undefined),
  Min: (_ctx, ins) => (ins.length === 2 && ins[0]!.type === ins[1]!.type ? wrap(binary(ins[0]!, ins[1]!, ins[0]!.type, Math.min)) : undefined),
  Max: (_ctx, ins) => (ins.length === 2 && ins[0]!.type === ins[1]!.type ? wrap(binary(ins[0]!, ins[1]!, ins[0]!.type, Math.max)) : undefined),
  Cast: (ctx, [a]) => {
    const to = ctx.int('to');
    if (!a || to === undefined || a.size > MAX_FOLD_ELEMENTS) return undefined;
    if (!isIntType(a.type) || !isIntType(to) || to === OnnxType.UINT64 || a.type === OnnxType.UINT64) return undefined;
    return [ConstTensor.fromNumbers(to, a.dims, a.toNumbers())];
  },
  Shape: (ctx, [a]) => {
    if (!a) return undefined;
    const rank = a.dims.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
    const start = clamp(ctx.int('start', 0));
    const end = ctx.hasAttr('end') ? clamp(ctx.int('end', rank)) : rank;
    return [ConstTensor.int64(a.dims.slice(start, Math.max(start, end)))];
  },
  Size: (_ctx, [a]) => (a ? [ConstTensor.fromNumbers(OnnxType.INT64, [], [a.size])] : undefined),
  Gather: (ctx, [data, indices]) => {
    if (!data || !indices || !isIntType(indices.type)) return undefined;
    const axis = normalizeAxis(ctx.int('axis', 0), data.dims.length);
    const outer = volume(data.dims.slice(0, axis));
    const inner = volume(data.dims.slice(axis + 1));
    const extent = data.dims[axis]!;
    const idx = indices.toNumbers();
    const n = outer * idx.length * inner;
    if (n > MAX_FOLD_ELEMENTS) return undefined;
    const values = data.toNumbers();
    const out: number[] = [];
    for (let o = 0; o < outer; o += 1) {
      for (const raw of idx) {
        const k = raw < 0 ? raw + extent : raw;
        if (k < 0 || k >= extent) return undefined;
        for (let i = 0; i < inner; i += 1) out.push(values[(o * extent + k) * inner + i]!);
      }
    }
    return [ConstTensor.fromNumbers(data.type, [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)], out)];
  },
  Concat: (ctx, ins) => {
    if (ins.length === 0 || ins.some((t) => t.type !== ins[0]!.type || t.dims.length !== ins[0]!.dims.length)) return undefined;
    const rank = ins[0]!.dims.length;
    if (rank === 0) return undefined;
    const axis = normalizeAxis(ctx.int('axis', 0), rank);
    const total = ins.reduce((s, t) => s + t.size, 0);
    if (total > MAX_FOLD_ELEMENTS) return undefined;
    const outer = volume(ins[0]!.dims.slice(0, axis));
    const out: number[] = [];
    const values = ins.map((t) => t.toNumbers());
    for (let o = 0; o < outer; o += 1) {
      ins.forEach((t, j) => {
        const chunk = volume(t.dims.slice(axis));
        for (let i = 0; i < chunk; i += 1) out.push(values[j]![o * chunk + i]!);
      });
    }
    const dims = [...ins[0]!.dims];
    dims[axis] = ins.reduce((s, t) => s + t.dims[axis]!, 0);
    return [ConstTensor.fromNumbers(ins[0]!.type, dims, out)];
  },
  ConstantOfShape: (ctx, [shape]) => {
    if (!shape) return undefined;
    const dims = shape.toNumbers();
    const value = ctx.tensorAttr('value');
    const type = value?.type ?? OnnxType.FLOAT;
    const v = value ? value.toNumbers()[0] ?? 0 : 0;
    const n = volume(dims);
    if (n > MAX_FOLD_ELEMENTS || dims.some((d) => d < 0)) return undefined;
    return [ConstTensor.fromNumbers(type, dims, new Array<number>(n).fill(v))];
  },
  Range: (_ctx, [start, limit, delta]) => {
    if (!start || !limit || !delta) return undefined;
    const [s, l, d] = [start.toNumbers()[0]!, limit.toNumbers()[0]!, delta.toNumbers()[0]!];
    if (d === 0) return undefined;
    const n = Math.max(Math.ceil((l - s) / d), 0);
    if (n > MAX_FOLD_ELEMENTS) return undefined;
    return [ConstTensor.fromNumbers(start.type, [n], Array.from({ length: n }, (_, i) => s + i * d))];
  },
  Where: (_ctx, [cond, x, y]) => {
    if (!cond || !x || !y || x.type !== y.type) return undefined;
    const xy = binary(x, y, x.type, (a) => a);
    if (!xy) return undefined;
    const picks = binary(cond, ConstTensor.fromNumbers(OnnxType.FLOAT, xy.dims, new Array<number>(xy.size).fill(0)), OnnxType.FLOAT, (c) => c);
    const xs = binary(x, picks!, x.type, (a) => a);
    const ys = binary(y, picks!, y.type, (a) => a);
    if (!picks || !xs || !ys) return undefined;
    const c = picks.toNumbers();
    const xv = xs.toNumbers();
    const yv = ys.toNumbers();
    return [ConstTensor.fromNumbers(x.type, picks.dims, c.map((ci, i) => (ci ? xv[i]! : yv[i]!)))];
  },
};

/** Zero-copy folds (views with new dims) need no size limit. */
const VIEW_FOLDERS: Record<string, Folder> = {
  Unsqueeze: (ctx, [a, axesInput]) => {
    if (!a) return undefined;
    const axes = ctx.hasAttr('axes') ? ctx.ints('axes', []) : axesInput?.toNumbers();
    if (!axes) return undefined;
    const rank = a.dims.length + axes.length;
    const norm = axes.map((x) => normalizeAxis(x, rank, 'axes'));
    const dims: number[] = [];
    let src = 0;
    for (let i = 0; i < rank; i += 1) dims.push(norm.includes(i) ? 1 : a.dims[src++]!);
    return [a.reshaped(dims)];
  },
  Squeeze: (ctx, [a, axesInput]) => {
    if (!a) return undefined;
    const axes = ctx.hasAttr('axes') ? ctx.ints('axes', []) : axesInput?.toNumbers();
    const norm = axes ? axes.map((x) => normalizeAxis(x, a.dims.length, 'axes')) : a.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
    if (norm.some((i) => a.dims[i] !== 1)) return undefined;
    return [a.reshaped(a.dims.filter((_, i) => !norm.includes(i)))];
  },
  Reshape: (ctx, [a, shape]) => {
    if (!a || !shape) return undefined;
    const allowZero = ctx.int('allowzero', 0) === 1;
    const dims = shape.toNumbers().map((d, i) => (d === 0 && !allowZero ? a.dims[i] ?? 0 : d));
    const known = dims.filter((d) => d !== -1);
    if (dims.length - known.length > 1) return undefined;
    const infer = dims.indexOf(-1);
    if (infer >= 0) {
      const rest = volume(known);
      if (rest === 0 || a.size % rest !== 0) return undefined;
      dims[infer] = a.size / rest;
    }
    if (volume(dims) !== a.size) return undefined;
    return [a.reshaped(dims)];
  },
  Flatten: (ctx, [a]) => {
    if (!a) return undefined;
    const axis = ctx.int('axis', 1);
    const ax = axis < 0 ? axis + a.dims.length : axis;
    if (ax < 0 || ax > a.dims.length) return undefined;
    return [a.reshaped([volume(a.dims.slice(0, ax)), volume(a.dims.slice(ax))])];
  },
};

/**
 * Evaluates the node at parse time when every given input is a constant and a folder applies.
 * Returns true when the node's outputs are bound.
 */
export function tryFold(ctx: NodeContext): boolean {
  const op = ctx.node.opType;
  const folder = VIEW_FOLDERS[op] ?? FOLDERS[op];
  if (!folder || ctx.numInputs === 0) return false;
  // Before opset 7, broadcast=1 aligns B at `axis` of A, which the numpy-style folds do not model.
  if (ctx.opset < 7 && ctx.hasAttr('broadcast') && ctx.int('broadcast', 0) === 1) return false;
  const inputs: ConstTensor[] = [];
  for (let i = 0; i < ctx.numInputs; i += 1) {
    if (!ctx.hasInput(i)) continue;
    const v = ctx.input(i);
    if (!isConst(v)) return false;
    inputs.push(v);
  }
  const outputs = folder(ctx, inputs);
  if (!outputs) return false;
  outputs.forEach((o, i) => ctx.setOutput(i, o));
  return true;
}
