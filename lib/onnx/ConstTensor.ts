/**
 * @internal Constant tensors of an ONNX model (initializers, Constant nodes, folded values), kept
 * on the JS side until a layer needs them, so that shape arithmetic and attribute-like inputs
 * (Reshape shapes, Slice starts, Pad pads) are read as numbers instead of becoming layers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataType } from '../enums.js';
import { OnnxTensorProto, OnnxType } from './model.js';
import { ImportError, ParserErrorCode } from './ParserError.js';

export type ConstData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** ONNX element types the engine stores, with their DataType. */
const ENGINE_TYPES: Partial<Record<OnnxType, DataType>> = {
  [OnnxType.FLOAT]: DataType.FLOAT,
  [OnnxType.FLOAT16]: DataType.HALF,
  [OnnxType.BFLOAT16]: DataType.BF16,
  [OnnxType.INT8]: DataType.INT8,
  [OnnxType.UINT8]: DataType.UINT8,
  [OnnxType.INT32]: DataType.INT32,
  [OnnxType.INT64]: DataType.INT64,
  [OnnxType.BOOL]: DataType.BOOL,
  [OnnxType.FLOAT8E4M3FN]: DataType.FP8,
  [OnnxType.FLOAT8E8M0]: DataType.E8M0,
  [OnnxType.INT4]: DataType.INT4,
  [OnnxType.FLOAT4E2M1]: DataType.FP4,
};

/** Why an ONNX element type has no engine DataType. */
export function missingTypeReason(_type: OnnxType): string {
  return 'TensorRT has no such type';
}

/** Whether an ONNX element type packs two elements per byte in tensors and engine buffers. */
export function isPackedOnnxType(type: OnnxType): boolean {
  return type === OnnxType.INT4 || type === OnnxType.FLOAT4E2M1;
}

/** The DataType of an ONNX element type, or undefined when the engine has none. */
export function engineType(type: OnnxType): DataType | undefined {
  return ENGINE_TYPES[type];
}

/** The ONNX element type of an engine DataType. */
export function onnxTypeOf(type: DataType): OnnxType {
  for (const [k, v] of Object.entries(ENGINE_TYPES)) if (v === type) return Number(k) as OnnxType;
  return OnnxType.UNDEFINED;
}

export function onnxTypeName(type: OnnxType): string {
  return OnnxType[type] ?? `type ${type}`;
}

/**
 * Element storage per ONNX type; HALF/BF16 keep their bit patterns. INT4 and FLOAT4E2M1 are held
 * unpacked here, one element per entry (INT4 as its value, FLOAT4E2M1 as its 4-bit code), and
 * packed only where bytes leave the parser.
 */
function arrayCtor(type: OnnxType): { new (n: number): ConstData; new (b: ArrayBufferLike, o: number, n: number): ConstData; BYTES_PER_ELEMENT: number } | undefined {
  switch (type) {
    case OnnxType.FLOAT: return Float32Array;
    case OnnxType.DOUBLE: return Float64Array;
    case OnnxType.INT8:
    case OnnxType.INT4:
      return Int8Array;
    case OnnxType.FLOAT4E2M1:
    case OnnxType.UINT8:
    case OnnxType.BOOL:
    case OnnxType.FLOAT8E4M3FN:
    case OnnxType.FLOAT8E8M0:
      return Uint8Array;
    case OnnxType.INT16: return Int16Array;
    case OnnxType.UINT16:
    case OnnxType.FLOAT16:
    case OnnxType.BFLOAT16:
      return Uint16Array;
    case OnnxType.INT32: return Int32Array;
    case OnnxType.UINT32: return Uint32Array;
    case OnnxType.INT64: return BigInt64Array;
    case OnnxType.UINT64: return BigUint64Array;
    default: return undefined;
  }
}

export function volume(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export class ConstTensor {
  constructor(
    readonly type: OnnxType,
    readonly dims: number[],
    readonly data: ConstData,
  ) {}

  get size(): number {
    return this.data.length;
  }

  /** Values as JS numbers (int64 beyond 2^53 lose precision; they only appear as sentinels). */
  toNumbers(): number[] {
    const out = new Array<number>(this.data.length);
    if (this.type === OnnxType.FLOAT16) {
      for (let i = 0; i < out.length; i += 1) out[i] = halfToFloat(this.data[i] as number);
    } else if (this.type === OnnxType.BFLOAT16) {
      for (let i = 0; i < out.length; i += 1) out[i] = bf16ToFloat(this.data[i] as number);
    } else if (this.type === OnnxType.FLOAT8E4M3FN) {
      for (let i = 0; i < out.length; i += 1) out[i] = fp8ToFloat(this.data[i] as number);
    } else if (this.type === OnnxType.FLOAT8E8M0) {
      for (let i = 0; i < out.length; i += 1) out[i] = e8m0ToFloat(this.data[i] as number);
    } else if (this.type === OnnxType.FLOAT4E2M1) {
      for (let i = 0; i < out.length; i += 1) out[i] = fp4ToFloat(this.data[i] as number);
    } else {
      for (let i = 0; i < out.length; i += 1) out[i] = Number(this.data[i]);
    }
    return out;
  }

  /** A new constant of `type` holding `values` (numbers are rounded or truncated as a Cast would). */
  static fromNumbers(type: OnnxType, dims: number[], values: ArrayLike<number>): ConstTensor {
    const Ctor = arrayCtor(type);
    if (!Ctor) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `constants of type ${onnxTypeName(type)} are not supported`);
    const data = new Ctor(values.length);
    for (let i = 0; i < values.length; i += 1) {
      const v = values[i]!;
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
        if (!Number.isFinite(v)) throw new ImportError(ParserErrorCode.INVALID_VALUE, `${v} cannot be stored as an integer of type ${onnxTypeName(type)}`);
        data[i] = BigInt(Math.trunc(v));
      } else if (type === OnnxType.FLOAT16) {
        data[i] = floatToHalf(v);
      } else if (type === OnnxType.BFLOAT16) {
        data[i] = floatToBf16(v);
      } else if (type === OnnxType.FLOAT8E4M3FN) {
        data[i] = floatToFp8(v);
      } else if (type === OnnxType.FLOAT8E8M0) {
        data[i] = floatToE8m0(v);
      } else if (type === OnnxType.FLOAT4E2M1) {
        data[i] = floatToFp4(v);
      } else if (type === OnnxType.INT4) {
        // As ONNX's Cast to INT4 (truncate, keep the low 4 bits), which the Cast importer builds.
        const t = Number.isNaN(v) ? 0 : Math.trunc(v);
        data[i] = ((t & 0xf) ^ 8) - 8;
      } else if (type === OnnxType.BOOL) {
        data[i] = v !== 0 ? 1 : 0;
      } else {
        data[i] = v;
      }
    }
    return new ConstTensor(type, dims, data);
  }

  static int64(values: number[], dims: number[] = [values.length]): ConstTensor {
    return ConstTensor.fromNumbers(OnnxType.INT64, dims, values);
  }

  static float(values: number[], dims: number[] = [values.length]): ConstTensor {
    return ConstTensor.fromNumbers(OnnxType.FLOAT, dims, values);
  }

  /** The values as the engine stores them: INT4 and FLOAT4E2M1 packed two per byte, others as they are. */
  engineData(): ConstData {
    return isPackedOnnxType(this.type) ? packNibbles(this.data) : this.data;
  }

  /** The same values with other dims (no copy). */
  reshaped(dims: number[]): ConstTensor {
    return new ConstTensor(this.type, dims, this.data);
  }
}

/**
 * Decodes a TensorProto's values. Raw bytes are viewed in place when aligned; external data is
 * read from `baseDir`. Throws ImportError on sizes that do not match the dims.
 */
export function constFromProto(proto: OnnxTensorProto, baseDir: string | undefined, what: string): ConstTensor {
  const dims = proto.dims;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new ImportError(ParserErrorCode.INVALID_VALUE, `${what} has a negative or non-integer dimension in [${dims.join(', ')}]`);
  }
  const count = volume(dims);
  const type = proto.dataType;
  if (type === OnnxType.STRING) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `${what} is a STRING tensor; TensorRT has no string type`);
  const Ctor = arrayCtor(type);
  if (!Ctor) throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `${what} has element type ${onnxTypeName(type)}, which cannot be stored: ${missingTypeReason(type)}`);
  const elementBytes = Ctor.BYTES_PER_ELEMENT;
  let raw = proto.raw;
  if (proto.external) raw = readExternal(proto, baseDir, what);
  if (isPackedOnnxType(type)) {
    // Two elements a byte, element 0 in the low nibble; int32_data holds one packed byte per entry
    // (one element per entry, the older form, is accepted too).
    const bytes = Math.ceil(count / 2);
    let codes: ArrayLike<number>;
    if (raw) {
      if (raw.byteLength !== bytes) throw new ImportError(ParserErrorCode.INVALID_VALUE, `${what} has ${raw.byteLength} bytes of data but dims [${dims.join(', ')}] of ${onnxTypeName(type)} need ${bytes}`);
      codes = unpackNibbles(raw, count);
    } else if (proto.int32Data.length === bytes) {
      codes = unpackNibbles(Uint8Array.from(proto.int32Data, (v) => Number(v) & 0xff), count);
    } else if (proto.int32Data.length === count) {
      codes = Array.from(proto.int32Data, (v) => Number(v) & 0xf);
    } else {
      throw new ImportError(ParserErrorCode.INVALID_VALUE, `${what} has ${proto.int32Data.length} int32_data entries but dims [${dims.join(', ')}] of ${onnxTypeName(type)} need ${bytes} (packed)`);
    }
    const data = new Ctor(count);
    for (let i = 0; i < count; i += 1) data[i] = type === OnnxType.INT4 ? (codes[i]! ^ 8) - 8 : codes[i]!;
    return new ConstTensor(type, dims, data);
  }
  if (raw) {
    if (raw.byteLength !== count * elementBytes) {
      throw new ImportError(ParserErrorCode.INVALID_VALUE, `${what} has ${raw.byteLength} bytes of data but dims [${dims.join(', ')}] of ${onnxTypeName(type)} need ${count * elementBytes}`);
    }
    if (raw.byteOffset % elementBytes === 0) return new ConstTensor(type, dims, new Ctor(raw.buffer, raw.byteOffset, count));
    const copy = new Uint8Array(raw);
    return new ConstTensor(type, dims, new Ctor(copy.buffer, 0, count));
  }
  const source: ArrayLike<number | bigint> =
    type === OnnxType.FLOAT ? proto.floatData
    : type === OnnxType.DOUBLE ? proto.doubleData
    : type === OnnxType.INT64 ? proto.int64Data
    : type === OnnxType.UINT32 || type === OnnxType.UINT64 ? proto.uint64Data
    : proto.int32Data;
  if (source.length !== count) {
    throw new ImportError(ParserErrorCode.INVALID_VALUE, `${what} has ${source.length} values but dims [${dims.join(', ')}] need ${count}`);
  }
  const data = new Ctor(count);
  for (let i = 0; i < count; i += 1) {
    const v = source[i]!;
    if (data instanceof BigInt64Array) data[i] = BigInt.asIntN(64, BigInt(v));
    else if (data instanceof BigUint64Array) data[i] = BigInt.asUintN(64, BigInt(v));
    else data[i] = Number(v);
  }
  return new ConstTensor(type, dims, data);
}

function readExternal(proto: OnnxTensorProto, baseDir: string | undefined, what: string): Uint8Array {
  const ext = proto.external!;
  if (baseDir === undefined) {
    throw new ImportError(ParserErrorCode.INVALID_VALUE, `${what} keeps its data in the external file "${ext.location}"; pass the model's path so the parser can find it`);
  }
  if (ext.location === '' || path.isAbsolute(ext.location) || ext.location.split(/[\\/]/).includes('..')) {
    throw new ImportError(ParserErrorCode.INVALID_VALUE, `${what} names external data file "${ext.location}", which is not a path inside the model's folder`);
  }
  const file = path.join(baseDir, ext.location);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new ImportError(ParserErrorCode.INVALID_VALUE, `${what}: cannot open external data file ${file}: ${(err as Error).message}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = ext.length ?? size - ext.offset;
    if (!Number.isInteger(ext.offset) || ext.offset < 0 || length < 0 || ext.offset + length > size) {
      throw new ImportError(ParserErrorCode.INVALID_VALUE, `${what}: external data range offset ${ext.offset} length ${length} lies outside ${file} (${size} bytes)`);
    }
    const out = new Uint8Array(length);
    fs.readSync(fd, out, 0, length, ext.offset);
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

// IEEE half and bfloat16 conversions for constant folding and attribute values.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half += 1;
  return sign | half;
}

export function bf16ToFloat(b: number): number {
  u32[0] = b << 16;
  return f32[0]!;
}

export function floatToBf16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if (Number.isNaN(v)) return (x >>> 16) | 0x40;
  const rounding = 0x7fff + ((x >>> 16) & 1);
  return ((x + rounding) >>> 16) & 0xffff;
}

/** FP8 E4M3FN (bias 7, no infinities, 0x7f/0xff NaN) to a number. */
export function fp8ToFloat(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const mant = b & 0x7;
  if (exp === 0xf && mant === 0x7) return NaN;
  if (exp === 0) return sign * mant * 2 ** -9;
  return sign * (8 + mant) * 2 ** (exp - 10);
}

/** A number (as FLOAT) to FP8 E4M3FN, rounding to nearest even and saturating at +-448, as the engine's Cast does. */
export function floatToFp8(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 24) & 0x80;
  const abs = x & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7f;
  if (abs >= 0x43e80000) return sign | 0x7e; // 464 and up (and infinities) round past 448
  if (abs < 0x3c800000) {
    // Subnormal: multiples of 2^-9, ties to even; 8 carries into the smallest normal (also 8).
    const q = Math.abs(f32[0]!) * 512;
    let r = Math.floor(q);
    const frac = q - r;
    if (frac > 0.5 || (frac === 0.5 && r & 1)) r += 1;
    return sign | r;
  }
  const mant = abs & 0x7fffff;
  let out = ((((abs >>> 23) - 127 + 7) << 3) | (mant >>> 20)) >>> 0;
  const rem = mant & 0xfffff;
  if (rem > 0x80000 || (rem === 0x80000 && out & 1)) out += 1;
  return sign | out;
}

/** Packs 4-bit values (INT4 values or FP4 codes, one per entry) two per byte, element 0 in the low nibble. */
export function packNibbles(values: ArrayLike<number | bigint>): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i += 1) out[i >> 1]! |= (Number(values[i]) & 0xf) << ((i & 1) * 4);
  return out;
}

/** The 4-bit codes (0..15) of the first `count` elements of packed bytes. */
export function unpackNibbles(bytes: ArrayLike<number>, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i += 1) out[i] = (bytes[i >> 1]! >> ((i & 1) * 4)) & 0xf;
  return out;
}

const FP4_MAGNITUDES = [0, 0.5, 1, 1.5, 2, 3, 4, 6];

/** FP4 E2M1 code (1 sign, 2 exponent bits with bias 1, 1 mantissa bit) to a number. */
export function fp4ToFloat(code: number): number {
  const m = FP4_MAGNITUDES[code & 7]!;
  return code & 8 ? -m : m;
}

/** A number (as FLOAT) to FP4 E2M1, rounding to nearest even and saturating at +-6 (NaN to 0x8), as the engine's Cast does. */
export function floatToFp4(v: number): number {
  f32[0] = v;
  const a = Math.abs(f32[0]!);
  if (Number.isNaN(a)) return 8;
  const sign = u32[0]! >>> 31 ? 8 : 0;
  // Midpoints between neighbours; ties go to the even code.
  const code = a <= 0.25 ? 0 : a < 0.75 ? 1 : a <= 1.25 ? 2 : a < 1.75 ? 3 : a <= 2.5 ? 4 : a < 3.5 ? 5 : a <= 5 ? 6 : 7;
  return sign | code;
}

/** E8M0 (2^(b-127), 0xff NaN) to a number. */
export function e8m0ToFloat(b: number): number {
  return b === 0xff ? NaN : 2 ** (b - 127);
}

/** A number (as FLOAT) to E8M0: the magnitude rounded up to a power of two, saturating at 2^127, as the engine's Cast does. */
export function floatToE8m0(v: number): number {
  f32[0] = v;
  const abs = u32[0]! & 0x7fffffff;
  if (abs > 0x7f800000) return 0xff;
  if (abs === 0x7f800000) return 0xfe;
  const exp = abs >>> 23;
  const mant = abs & 0x7fffff;
  if (exp === 0) return mant > 0x400000 ? 1 : 0;
  return Math.min(exp + (mant !== 0 ? 1 : 0), 0xfe);
}
