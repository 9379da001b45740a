/**
 * Minimal, slow, obviously-correct N-d array helpers for the reference implementations.
 *
 * Every tensor is a `Ref`: row-major (C order) data held as doubles, whatever the engine's
 * data type (float, half, int32, int64, bool...). Booleans are 0/1.
 */

export interface Ref {
  dims: number[];
  data: Float64Array;
}

export type Dims = readonly number[];

/** Product of dims ([] → 1, a scalar). */
export function size(dims: Dims): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid dimension ${d} in [${dims.join(',')}]`);
    n *= d;
  }
  return n;
}

/** Row-major element strides. */
export function strides(dims: Dims): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

/**
 * Build a Ref. `data` may be an array-like (length must match), a function of the index,
 * or omitted (zeros).
 */
export function ref(
  dims: Dims,
  data?: ArrayLike<number> | readonly number[] | ((idx: number[], flat: number) => number),
): Ref {
  const n = size(dims);
  const out: Ref = { dims: [...dims], data: new Float64Array(n) };
  if (data === undefined) return out;
  if (typeof data === 'function') {
    forEachIndex(dims, (idx, flat) => {
      out.data[flat] = data(idx, flat);
    });
    return out;
  }
  if (data.length !== n) throw new Error(`ref: data length ${data.length} != size ${n} of [${dims.join(',')}]`);
  for (let i = 0; i < n; i++) out.data[i] = Number(data[i]);
  return out;
}

/** Scalar (rank-0) Ref. */
export function scalar(v: number): Ref {
  return ref([], [v]);
}

export function clone(a: Ref): Ref {
  return { dims: [...a.dims], data: Float64Array.from(a.data) };
}

export function isRef(x: unknown): x is Ref {
  return (
    typeof x === 'object' &&
    x !== null &&
    'dims' in x &&
    'data' in x &&
    Array.isArray((x as { dims: unknown }).dims) &&
    (x as { data: unknown }).data instanceof Float64Array
  );
}

/** Flat offset of a full index (bounds-checked). */
export function offset(dims: Dims, idx: Dims): number {
  if (idx.length !== dims.length) throw new Error(`index rank ${idx.length} != tensor rank ${dims.length}`);
  let off = 0;
  for (let i = 0; i < dims.length; i++) {
    const v = idx[i];
    if (!Number.isInteger(v) || v < 0 || v >= dims[i]) {
      throw new Error(`index [${idx.join(',')}] out of bounds for [${dims.join(',')}]`);
    }
    off = off * dims[i] + v;
  }
  return off;
}

export function unravel(flat: number, dims: Dims): number[] {
  const idx = new Array<number>(dims.length);
  let r = flat;
  for (let i = dims.length - 1; i >= 0; i--) {
    idx[i] = r % dims[i];
    r = Math.floor(r / dims[i]);
  }
  return idx;
}

export function get(a: Ref, idx: Dims): number {
  return a.data[offset(a.dims, idx)];
}

export function set(a: Ref, idx: Dims, v: number): void {
  a.data[offset(a.dims, idx)] = v;
}

/**
 * Visit every index of `dims` in row-major order. The callback receives a fresh copy of the
 * index (safe to keep) and the flat offset.
 */
export function forEachIndex(dims: Dims, cb: (idx: number[], flat: number) => void): void {
  const n = size(dims);
  if (n === 0) return;
  const idx = new Array<number>(dims.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    cb([...idx], flat);
    for (let d = dims.length - 1; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
}

/** All indices of dims, row-major. */
export function allIndices(dims: Dims): number[][] {
  const out: number[][] = [];
  forEachIndex(dims, (idx) => out.push(idx));
  return out;
}

/** Numpy-style broadcasting of equal-rank dims (a dimension of 1 broadcasts). */
export function broadcastDims(...all: Dims[]): number[] {
  if (all.length === 0) return [];
  const rank = all[0].length;
  for (const d of all) {
    if (d.length !== rank) throw new Error(`broadcast needs equal ranks: ${all.map((x) => `[${x.join(',')}]`).join(' vs ')}`);
  }
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let v = 1;
    for (const d of all) {
      if (d[i] === 1) continue;
      if (v === 1) v = d[i];
      else if (v !== d[i]) {
        throw new Error(`dims not broadcastable at axis ${i}: ${all.map((x) => `[${x.join(',')}]`).join(' vs ')}`);
      }
    }
    // all ones → 1; a 0 among ones → 0
    if (v === 1 && all.some((d) => d[i] === 0)) v = 0;
    out.push(v);
  }
  return out;
}

/** Read `a` at an output index of a broadcast result (dims of size 1 in `a` read index 0). */
export function broadcastGet(a: Ref, outIdx: Dims): number {
  if (outIdx.length !== a.dims.length) throw new Error(`broadcastGet rank mismatch`);
  const idx = outIdx.map((v, i) => (a.dims[i] === 1 ? 0 : v));
  return get(a, idx);
}

/** Materialise `a` broadcast to `dims` (equal rank). */
export function broadcastTo(a: Ref, dims: Dims): Ref {
  const bd = broadcastDims(a.dims, dims);
  if (bd.some((v, i) => v !== dims[i])) throw new Error(`cannot broadcast [${a.dims.join(',')}] to [${dims.join(',')}]`);
  return ref(dims, (idx) => broadcastGet(a, idx));
}

export function map(a: Ref, fn: (x: number, idx: number[]) => number): Ref {
  return ref(a.dims, (idx, flat) => fn(a.data[flat], idx));
}

/** Numpy transpose semantics: out.dims[i] = in.dims[perm[i]]. */
export function transpose(a: Ref, perm: Dims): Ref {
  const r = a.dims.length;
  if (perm.length !== r) throw new Error(`permutation length ${perm.length} != rank ${r}`);
  const seen = new Set(perm);
  if (seen.size !== r || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= r)) {
    throw new Error(`invalid permutation [${perm.join(',')}]`);
  }
  const outDims = perm.map((p) => a.dims[p]);
  return ref(outDims, (idx) => {
    const src = new Array<number>(r);
    for (let i = 0; i < r; i++) src[perm[i]] = idx[i];
    return get(a, src);
  });
}

/** Plain reshape (no placeholders): same data, new dims. */
export function reshape(a: Ref, dims: Dims): Ref {
  if (size(dims) !== a.data.length) throw new Error(`reshape volume mismatch [${a.dims.join(',')}] -> [${dims.join(',')}]`);
  return { dims: [...dims], data: Float64Array.from(a.data) };
}

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

export type TypedLike =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | readonly number[]
  | readonly boolean[];

/** Build a Ref from typed data (BigInt64 → Number, booleans → 0/1). */
export function fromTyped(dims: Dims, typed: TypedLike): Ref {
  const n = size(dims);
  if (typed.length !== n) throw new Error(`fromTyped: length ${typed.length} != size ${n}`);
  const out = ref(dims);
  for (let i = 0; i < n; i++) {
    const v: number | bigint | boolean = typed[i];
    out.data[i] = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
  }
  return out;
}

/** Float32 copy of the data (rounded to nearest float). */
export function toFloat32(a: Ref): Float32Array {
  return Float32Array.from(a.data);
}

export function toArray(a: Ref): number[] {
  return Array.from(a.data);
}

// ---------------------------------------------------------------------------------------------
// Data types and storage rounding
// ---------------------------------------------------------------------------------------------

/** TensorRT DataType enum values. */
export const DataType = {
  FLOAT: 0,
  HALF: 1,
  INT8: 2,
  INT32: 3,
  BOOL: 4,
  UINT8: 5,
  FP8: 6,
  BF16: 7,
  INT64: 8,
  INT4: 9,
  FP4: 10,
  E8M0: 11,
} as const;
export type DataTypeValue = (typeof DataType)[keyof typeof DataType];

/** Round half to even, on doubles (exact for all finite inputs). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f; // exact for |x| < 2^52; for larger x is already an integer (d = 0)
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Exact floor(log2(|a|)) for finite a > 0. */
function exponentOf(a: number): number {
  let e = Math.floor(Math.log2(a));
  while (Math.pow(2, e) > a) e--;
  while (Math.pow(2, e + 1) <= a) e++;
  return e;
}

/**
 * Round a double to the nearest value of a binary floating-point format (round-to-nearest-even),
 * with subnormals and overflow to ±Infinity, rounding directly from the double (no double rounding).
 *  - mantBits: explicit fraction bits (fp16: 10, bf16: 7, fp32: 23)
 *  - minExp: exponent of the smallest normal (fp16: -14, bf16/fp32: -126)
 *  - maxFinite: largest finite value
 */
export function roundToFormat(x: number, mantBits: number, minExp: number, maxFinite: number): number {
  if (Number.isNaN(x) || x === 0 || !Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const e = Math.max(exponentOf(a), minExp);
  const ulp = Math.pow(2, e - mantBits);
  const q = roundHalfEven(a / ulp) * ulp; // a/ulp and the product are exact (power-of-two scaling)
  if (q > maxFinite) return sign * Infinity;
  return q === 0 ? sign * 0 : sign * q;
}

export const HALF_MAX = 65504;
export const BF16_MAX = (2 - Math.pow(2, -7)) * Math.pow(2, 127);

/** fp16 (IEEE binary16) round-to-nearest-even of a double. */
export function roundToHalf(x: number): number {
  return roundToFormat(x, 10, -14, HALF_MAX);
}

/** bfloat16 round-to-nearest-even of a double. */
export function roundToBF16(x: number): number {
  return roundToFormat(x, 7, -126, BF16_MAX);
}

/** fp32 round-to-nearest-even of a double. */
export function roundToFloat(x: number): number {
  return Math.fround(x);
}

/** Two's-complement wrap of an integer-valued double to `bits` bits (signed). */
export function wrapSigned(x: number, bits: number): number {
  if (!Number.isFinite(x)) throw new Error(`wrapSigned: non-finite ${x}`);
  const t = Math.trunc(x);
  if (bits === 32) return t | 0;
  const m = BigInt(1) << BigInt(bits);
  let v = BigInt(t) % m;
  if (v < BigInt(0)) v += m;
  if (v >= m >> BigInt(1)) v -= m;
  return Number(v);
}

export function wrapInt32(x: number): number {
  return wrapSigned(x, 32);
}
export function wrapInt8(x: number): number {
  return wrapSigned(x, 8);
}
export function wrapUint8(x: number): number {
  const t = Math.trunc(x);
  return ((t % 256) + 256) % 256;
}

/** Truncate toward zero and saturate to [lo, hi]; NaN → 0. */
export function truncSaturate(x: number, lo: number, hi: number): number {
  if (Number.isNaN(x)) return 0;
  const t = Math.trunc(x);
  return t < lo ? lo : t > hi ? hi : t === 0 ? 0 : t;
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const INT64_MIN = -Math.pow(2, 63); // as double
export const INT64_MAX = Math.pow(2, 63); // nearest double to 2^63-1

export function isFloatType(t: number): boolean {
  return t === DataType.FLOAT || t === DataType.HALF || t === DataType.BF16;
}

export function isIntegerType(t: number): boolean {
  return t === DataType.INT8 || t === DataType.INT32 || t === DataType.INT64 || t === DataType.UINT8;
}

/**
 * Model storing an arbitrary double in a tensor of the given type:
 * FLOAT/HALF/BF16 round to nearest even; integer types truncate toward zero then wrap
 * (two's complement, as C++ integer narrowing); BOOL is x != 0.
 * (For float → int *casts* use `cast`, which saturates instead of wrapping.)
 */
export function storeAs(x: number, t: number): number {
  switch (t) {
    case DataType.FLOAT:
      return roundToFloat(x);
    case DataType.HALF:
      return roundToHalf(x);
    case DataType.BF16:
      return roundToBF16(x);
    case DataType.INT32:
      return wrapInt32(x);
    case DataType.INT8:
      return wrapInt8(x);
    case DataType.UINT8:
      return wrapUint8(x);
    case DataType.INT64:
      return Math.trunc(x);
    case DataType.BOOL:
      return x !== 0 ? 1 : 0;
    default:
      throw new Error(`storeAs: unsupported DataType ${t}`);
  }
}

/** Apply `storeAs` to every element. */
export function storeRefAs(a: Ref, t: number): Ref {
  return map(a, (x) => storeAs(x, t));
}

// ---------------------------------------------------------------------------------------------
// Comparison helpers for tests
// ---------------------------------------------------------------------------------------------

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  /** treat NaN == NaN as equal (default true) */
  equalNan?: boolean;
}

export interface CloseReport {
  ok: boolean;
  maxAbsErr: number;
  worstIndex: number[] | null;
  message: string;
}

/**
 * Compare actual (any array-like, e.g. engine output) to an expected Ref:
 * |a - e| <= atol + rtol*|e|, elementwise; dims must match when actual is a Ref.
 */
export function compareClose(
  actual: Ref | ArrayLike<number> | BigInt64Array,
  expected: Ref,
  opts: CloseOptions = {},
): CloseReport {
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-6;
  const equalNan = opts.equalNan ?? true;
  let values: ArrayLike<number | bigint>;
  if (isRef(actual)) {
    if (actual.dims.length !== expected.dims.length || actual.dims.some((d, i) => d !== expected.dims[i])) {
      return {
        ok: false,
        maxAbsErr: Infinity,
        worstIndex: null,
        message: `dims [${actual.dims.join(',')}] != expected [${expected.dims.join(',')}]`,
      };
    }
    values = actual.data;
  } else {
    values = actual;
  }
  if (values.length !== expected.data.length) {
    return {
      ok: false,
      maxAbsErr: Infinity,
      worstIndex: null,
      message: `length ${values.length} != expected ${expected.data.length}`,
    };
  }
  let ok = true;
  let maxAbsErr = 0;
  let worst = -1;
  let firstBad = -1;
  for (let i = 0; i < values.length; i++) {
    const a = Number(values[i]);
    const e = expected.data[i];
    let bad: boolean;
    let err: number;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      bad = !(equalNan && Number.isNaN(e) && Number.isNaN(a));
      err = bad ? Infinity : 0;
    } else if (!Number.isFinite(e) || !Number.isFinite(a)) {
      bad = a !== e;
      err = bad ? Infinity : 0;
    } else {
      err = Math.abs(a - e);
      bad = err > atol + rtol * Math.abs(e);
    }
    if (worst < 0 || err > maxAbsErr) {
      maxAbsErr = err;
      worst = i;
    }
    if (bad) {
      ok = false;
      if (firstBad < 0) firstBad = i;
    }
  }
  const worstIndex = worst >= 0 ? unravel(worst, expected.dims) : null;
  const message = ok
    ? `ok (max abs err ${maxAbsErr})`
    : `mismatch: first at [${unravel(firstBad, expected.dims).join(',')}] actual ${Number(values[firstBad])} expected ${expected.data[firstBad]}; max abs err ${maxAbsErr} at [${worstIndex?.join(',') ?? ''}]`;
  return { ok, maxAbsErr, worstIndex, message };
}
