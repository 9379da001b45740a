/**
 * INT4 and FP4 (E2M1), packed two elements per byte (element 0 in the low nibble), in the
 * built-in engine: network inputs and outputs, CONSTANT weights, CAST to and from them (an
 * extension), QUANTIZE to and DEQUANTIZE from them, and per-tensor, per-axis and blocked scales
 * for every quantized type (INT8, FP8, INT4, FP4). The reference works from value tables and plain
 * arithmetic (nearest representable value by search), not from the engine's bit manipulation.
 *
 * All checks are exact: every conversion here is a single correctly rounded step.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { DataType } from '../lib/index.js';
import { constFromProto } from '../lib/onnx/ConstTensor.js';
import { OnnxTensorProto, OnnxType } from '../lib/onnx/model.js';
import { quietLogger } from './helpers/engine.js';
import { errorFromDefineOrBuild, expectLayerError, newNetwork, runEngineRaw, runRaw } from './helpers/layer-checks.js';
import * as R from './reference/index.js';
import { decodeFloat, encodeFloat, expectSameValues, floatTypes } from './helpers/floats.js';

// ---- reference -------------------------------------------------------------------------------

/** Value of every FP4 E2M1 code: sign bit 3, exponent bits 2..1 (bias 1), mantissa bit 0. */
const FP4: number[] = Array.from({ length: 16 }, (_, c) => {
  const sign = c & 8 ? -1 : 1;
  const exp = (c >> 1) & 3;
  const mant = c & 1;
  return sign * (exp === 0 ? mant * 0.5 : (1 + mant / 2) * 2 ** (exp - 1));
});

/** FP4 encoding: the nearest of the 8 non-negative values (ties to the even code), so saturating at 6; NaN to 0x8. */
function fp4Ref(x: number): number {
  if (Number.isNaN(x)) return 8;
  const sign = x < 0 || Object.is(x, -0) ? 8 : 0;
  const a = Math.min(Math.abs(x), 6);
  let best = 0;
  for (let k = 1; k < 8; k += 1) {
    const d = Math.abs(FP4[k]! - a) - Math.abs(FP4[best]! - a);
    if (d < 0 || (d === 0 && k % 2 === 0)) best = k;
  }
  return sign | best;
}

/** FP8 E4M3FN values and encoding (saturating at 448, NaN 0x7f), for the FP8 Q/DQ cases. */
const FP8: number[] = Array.from({ length: 256 }, (_, b) => {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const mant = b & 7;
  if (exp === 15 && mant === 7) return NaN;
  return sign * (exp === 0 ? (mant / 8) * 2 ** -6 : (1 + mant / 8) * 2 ** (exp - 7));
});
function fp8Ref(x: number): number {
  if (Number.isNaN(x)) return 0x7f;
  const sign = x < 0 || Object.is(x, -0) ? 0x80 : 0;
  const a = Math.min(Math.abs(x), 448);
  let best = 0;
  for (let k = 1; k <= 0x7e; k += 1) {
    const d = Math.abs(FP8[k]! - a) - Math.abs(FP8[best]! - a);
    if (d < 0 || (d === 0 && k % 2 === 0)) best = k;
  }
  return sign | best;
}

/** Packs 4-bit codes two per byte, element 0 in the low nibble. */
function pack(codes: number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(codes.length / 2));
  codes.forEach((c, i) => {
    out[Math.floor(i / 2)]! += (c & 15) * (i % 2 === 0 ? 1 : 16);
  });
  return out;
}

/** The first `count` 4-bit codes of packed bytes. */
function unpack(bytes: ArrayLike<number>, count: number): number[] {
  return Array.from({ length: count }, (_, i) => {
    const b = bytes[Math.floor(i / 2)]!;
    return i % 2 === 0 ? b % 16 : Math.floor(b / 16);
  });
}

const int4Code = (v: number): number => (v < 0 ? v + 16 : v);
const int4Value = (c: number): number => (c >= 8 ? c - 16 : c);

/** Float to INT4 as the engine's Cast: truncate toward zero, saturate to [-8, 7], NaN 0. */
function int4FromFloat(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.trunc(Math.min(Math.max(x, -8), 7));
}

/** Integer to INT4 as the engine's Cast: the low 4 bits (wrap). */
function int4FromInt(v: number): number {
  const m = ((v % 16) + 16) % 16;
  return int4Value(m);
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}


/** Packed output bytes against reference codes (the pad nibble of an odd count must be 0). */
function expectCodes(got: trt.TypedArray, want: number[], what: string, inputs?: number[]): void {
  expect(got).toBeInstanceOf(Uint8Array);
  expect(got.length, `${what}: bytes`).toBe(Math.ceil(want.length / 2));
  const codes = unpack(got as Uint8Array, want.length);
  const bad = want.map((w, i) => [i, inputs?.[i], codes[i]!, w] as const).filter(([, , g, w]) => g !== w);
  expect(bad.slice(0, 5), `${what}: [index, input, got, want]`).toEqual([]);
  if (want.length % 2 === 1) expect(Math.floor((got as Uint8Array)[got.length - 1]! / 16), `${what}: pad nibble`).toBe(0);
}

/** A one-layer network from input `x` to output `y`. */
function single(dtype: DataType, dims: number[], layer: (net: trt.NetworkDefinition, x: trt.ITensor) => trt.ITensor) {
  return (net: trt.NetworkDefinition): void => {
    const y = layer(net, net.addInput('x', dtype, dims));
    y.name = 'y';
    net.markOutput(y);
  };
}

// ---- the reference itself ------------------------------------------------------------------------

describe('packed reference', () => {
  it('pack/unpack: element 0 in the low nibble, odd counts round up', () => {
    expect(Array.from(pack([1, 2, 3]))).toEqual([0x21, 0x03]);
    expect(unpack([0x21, 0x03], 3)).toEqual([1, 2, 3]);
    expect(trt.byteSizeOf(DataType.INT4, 3)).toBe(2);
    expect(trt.byteSizeOf(DataType.FP4, 4)).toBe(2);
    expect(trt.byteSizeOf(DataType.FLOAT, 3)).toBe(12);
  });

  it('FP4 table and encoding: the 8 magnitudes, ties to even, saturation', () => {
    expect(FP4.slice(0, 8)).toEqual([0, 0.5, 1, 1.5, 2, 3, 4, 6]);
    expect([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5, 7, 1e9, Infinity].map(fp4Ref)).toEqual([0, 2, 2, 4, 4, 6, 6, 7, 7, 7]);
    expect([-0.3, -0, -Infinity].map(fp4Ref)).toEqual([9, 8, 15]);
  });
});

describe('ONNX INT4 / FLOAT4E2M1 tensors', () => {
  const proto = (dataType: OnnxType, dims: number[], fields: Partial<OnnxTensorProto>): OnnxTensorProto => ({
    name: 't', dataType, dims, floatData: [], int32Data: [], int64Data: [], doubleData: [], uint64Data: [], stringData: [], ...fields,
  });

  it('decode packed raw_data and int32_data (one packed byte, or the older one element, per entry); odd counts', () => {
    const values = [-8, 7, -1, 0, 3]; // 5 elements
    const bytes = pack(values.map(int4Code));
    for (const fields of [{ raw: bytes }, { int32Data: Array.from(bytes) }, { int32Data: values }]) {
      const c = constFromProto(proto(OnnxType.INT4, [5], fields), undefined, 'x');
      expect(c.toNumbers()).toEqual(values);
      expect(Array.from(c.engineData() as Uint8Array)).toEqual(Array.from(bytes));
    }
    const f = constFromProto(proto(OnnxType.FLOAT4E2M1, [3], { raw: pack([1, 15, 6]) }), undefined, 'f');
    expect(f.toNumbers()).toEqual([0.5, -6, 4]);
    expect(() => constFromProto(proto(OnnxType.INT4, [5], { raw: new Uint8Array(2) }), undefined, 'x')).toThrow(/2 bytes of data but dims \[5\] of INT4 need 3/);
  });
});

// ---- CAST ------------------------------------------------------------------------------------

/** Inputs that probe FP4 rounding: every value, every midpoint and its neighbours, saturation, NaN, signed zero. */
function fp4Probes(): number[] {
  const out: number[] = [];
  for (let k = 0; k < 7; k += 1) {
    const lo = FP4[k]!;
    const hi = FP4[k + 1]!;
    const mid = (lo + hi) / 2;
    out.push(lo, mid, mid + (hi - lo) / 64, mid - (hi - lo) / 64);
  }
  out.push(6, 6.5, 7, 100, 65504, Infinity, NaN, 1e-3, 0);
  return [...out, ...out.map((v) => -v)];
}

describe('CAST FP4 (E2M1)', () => {
  for (const dtype of floatTypes) {
    it(`FP4 -> ${DataType[dtype]}: all 16 codes (and an odd count) decode exactly`, async () => {
      const codes = [...Array.from({ length: 16 }, (_, i) => i), 7, 9, 5]; // 19 elements
      const out = await runRaw(single(DataType.FP4, [codes.length], (net, x) => net.addCast(x, dtype).getOutput(0)), {
        x: { dims: [codes.length], data: pack(codes) },
      });
      expectSameValues(decodeFloat(out['y']!.data, dtype), codes.map((c) => FP4[c]!), `FP4 -> ${DataType[dtype]}`);
    });

    it(`${DataType[dtype]} -> FP4: nearest even, saturation at +-6, NaN to 0x8`, async () => {
      const values = fp4Probes().map((v) => (Number.isNaN(v) ? NaN : R.storeAs(v, dtype)));
      const out = await runRaw(single(dtype, [values.length], (net, x) => net.addCast(x, DataType.FP4).getOutput(0)), {
        x: { dims: [values.length], data: encodeFloat(values, dtype) },
      });
      expectCodes(out['y']!.data, values.map(fp4Ref), `${DataType[dtype]} -> FP4`, values);
    });
  }
});

describe('CAST INT4', () => {
  const codes = [...Array.from({ length: 16 }, (_, i) => i), 3, 12, 8]; // 19 elements
  for (const dtype of [...floatTypes, DataType.INT8, DataType.INT32, DataType.INT64]) {
    it(`INT4 -> ${DataType[dtype]}: all 16 codes sign-extend (odd count)`, async () => {
      const out = await runRaw(single(DataType.INT4, [codes.length], (net, x) => net.addCast(x, dtype).getOutput(0)), {
        x: { dims: [codes.length], data: pack(codes) },
      });
      const data = out['y']!.data;
      const got = floatTypes.includes(dtype as (typeof floatTypes)[number]) ? decodeFloat(data, dtype) : Array.from(data, Number);
      expect(got).toEqual(codes.map(int4Value));
    });
  }

  for (const dtype of floatTypes) {
    it(`${DataType[dtype]} -> INT4: truncates toward zero and saturates (NaN 0)`, async () => {
      const probes = [-9, -8.5, -8, -7.9, -3.5, -2.5, -0.7, -0, 0, 0.5, 0.99, 1, 2.5, 6.9, 7, 7.5, 8, 100, 65504, Infinity, -Infinity, NaN, 3.2];
      const values = probes.map((v) => (Number.isNaN(v) ? NaN : R.storeAs(v, dtype)));
      const out = await runRaw(single(dtype, [values.length], (net, x) => net.addCast(x, DataType.INT4).getOutput(0)), {
        x: { dims: [values.length], data: encodeFloat(values, dtype) },
      });
      expectCodes(out['y']!.data, values.map((v) => int4Code(int4FromFloat(v))), `${DataType[dtype]} -> INT4`, values);
    });
  }

  for (const dtype of [DataType.INT8, DataType.INT32]) {
    it(`${DataType[dtype]} -> INT4: keeps the low 4 bits (wraps)`, async () => {
      const values = [-128, -17, -9, -8, -1, 0, 1, 7, 8, 9, 15, 16, 100, 127];
      if (dtype === DataType.INT32) values.push(-2147483648, 2147483647, 123456789);
      const data = dtype === DataType.INT8 ? Int8Array.from(values) : Int32Array.from(values);
      const out = await runRaw(single(dtype, [values.length], (net, x) => net.addCast(x, DataType.INT4).getOutput(0)), {
        x: { dims: [values.length], data },
      });
      expectCodes(out['y']!.data, values.map((v) => int4Code(int4FromInt(v))), `${DataType[dtype]} -> INT4`, values);
    });
  }
});

describe('INT4 / FP4 storage', () => {
  for (const dtype of [DataType.INT4, DataType.FP4]) {
    it(`${DataType[dtype]}: an input passes through IDENTITY to an output; an odd-count CONSTANT casts to FLOAT`, async () => {
      const codes = [1, 15, 8, 7, 0, 9, 4]; // 7 elements
      const kCodes = [2, 11, 6, 13, 5]; // 5 elements
      const out = await runRaw(
        (net) => {
          const y = net.addIdentity(net.addInput('x', dtype, [codes.length])).getOutput(0);
          y.name = 'y';
          net.markOutput(y);
          const k = net.addConstant([5], new trt.Weights(dtype, pack(kCodes), 5)).getOutput(0);
          const kf = net.addCast(k, DataType.FLOAT).getOutput(0);
          kf.name = 'k';
          net.markOutput(kf);
        },
        { x: { dims: [codes.length], data: pack(codes) } },
      );
      expectCodes(out['y']!.data, codes, 'identity');
      const decode = (c: number): number => (dtype === DataType.INT4 ? int4Value(c) : FP4[c]!);
      expectSameValues(Array.from(out['k']!.data as Float32Array), kCodes.map(decode), 'constant');
    });
  }

  it('Weights: packed types take an explicit odd count; counts the bytes cannot hold are refused', () => {
    expect(new trt.Weights(DataType.INT4, new Uint8Array(2)).count).toBe(4);
    expect(new trt.Weights(DataType.FP4, new Uint8Array(2), 3).count).toBe(3);
    expect(() => new trt.Weights(DataType.INT4, new Uint8Array(2), 5)).toThrow(RangeError);
    expect(() => new trt.Weights(DataType.INT4, new Uint8Array(2), 2)).toThrow(/count/);
    expect(trt.HostBuffer.forType(DataType.FP4, 5).byteLength).toBe(3);
  });

  it('a saved and reloaded plan keeps INT4 and FP4 weights (odd counts) bit for bit', async () => {
    const i4 = [0, 1, 7, 8, 15, 9, 3, 12, 5]; // 9 elements
    const f4 = [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 14]; // 11 elements
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trtn-packed-'));
    try {
      const net = builder.createNetworkV2();
      const scale = net.addConstant([], new Float32Array([0.5])).getOutput(0);
      const a = net.addDequantize(net.addConstant([3, 3], new trt.Weights(DataType.INT4, pack(i4), 9)).getOutput(0), scale, DataType.FLOAT).getOutput(0);
      a.name = 'a';
      net.markOutput(a);
      const b = net.addConstant([11], new trt.Weights(DataType.FP4, pack(f4), 11)).getOutput(0);
      b.name = 'b';
      net.markOutput(b);
      const plan = await builder.buildSerializedNetwork(net, builder.createBuilderConfig());
      const file = path.join(dir, 'packed.plan');
      fs.writeFileSync(file, plan.data);
      const runtime = new trt.Runtime(quietLogger, { backend: 'cpu' });
      const engine = runtime.deserializeCudaEngine(new Uint8Array(fs.readFileSync(file)));
      try {
        expect(engine.getTensorDataType('b')).toBe(DataType.FP4);
        expect(Buffer.from(engine.serialize().data).equals(Buffer.from(plan.data))).toBe(true);
        const out = await runEngineRaw(engine, {});
        expectSameValues(Array.from(out['a']!.data as Float32Array), i4.map((c) => int4Value(c) * 0.5), 'INT4 weights');
        expectCodes(out['b']!.data, f4, 'FP4 weights');
      } finally {
        engine.dispose();
        runtime.dispose();
      }
    } finally {
      builder.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- QUANTIZE / DEQUANTIZE ---------------------------------------------------------------------

type Layout = { name: string; scaleDims: number[]; axis: number };

/** The scale index of flat element f of an input of dims `dims` (rank 2 here). */
function scaleIndex(layout: Layout, dims: number[], f: number): number {
  const r = Math.floor(f / dims[1]!);
  const c = f % dims[1]!;
  const sd = layout.scaleDims;
  if (sd.length === 0) return 0;
  if (sd.length === 1) return layout.axis === 0 ? r : c;
  const br = dims[0]! / sd[0]!;
  const bc = dims[1]! / sd[1]!;
  return Math.floor(r / br) * sd[1]! + Math.floor(c / bc);
}

/** Layouts over a [4, 6] input (even count) and a [3, 5] input (odd count). */
const LAYOUTS: Array<{ dims: number[]; layouts: Layout[] }> = [
  {
    dims: [4, 6],
    layouts: [
      { name: 'per-tensor', scaleDims: [], axis: -1 },
      { name: 'per-axis 0', scaleDims: [4], axis: 0 },
      { name: 'per-axis 1', scaleDims: [6], axis: 1 },
      { name: 'blocked [4, 2] (blocks of 3 along 1)', scaleDims: [4, 2], axis: 1 },
      { name: 'blocked [2, 6] (blocks of 2 along 0)', scaleDims: [2, 6], axis: 0 },
    ],
  },
  {
    dims: [3, 5],
    layouts: [
      { name: 'per-axis 0', scaleDims: [3], axis: 0 },
      { name: 'blocked [1, 5] (blocks of 3 along 0)', scaleDims: [1, 5], axis: 0 },
    ],
  },
];

const QUANT_TYPES = [DataType.INT8, DataType.FP8, DataType.INT4, DataType.FP4] as const;
const isInteger = (t: DataType): boolean => t === DataType.INT8 || t === DataType.INT4;

/** Quantized code of v (already divided by the scale, as FLOAT) plus zero point z. */
function quantRef(t: DataType, q: number, z: number): number {
  switch (t) {
    case DataType.INT8:
      return Number.isNaN(q) ? z : Math.min(Math.max(roundHalfEven(q) + z, -128), 127);
    case DataType.INT4:
      return Number.isNaN(q) ? z : Math.min(Math.max(roundHalfEven(q) + z, -8), 7);
    case DataType.FP8:
      return fp8Ref(q);
    default:
      return fp4Ref(q);
  }
}

function quantizedBytes(t: DataType, codes: number[]): trt.TypedArray {
  if (t === DataType.INT8) return Int8Array.from(codes);
  if (t === DataType.FP8) return Uint8Array.from(codes);
  return pack(t === DataType.INT4 ? codes.map(int4Code) : codes);
}

function quantizedCodes(t: DataType, data: trt.TypedArray, count: number): number[] {
  if (t === DataType.INT8 || t === DataType.FP8) return Array.from(data, Number);
  const c = unpack(data as Uint8Array, count);
  return t === DataType.INT4 ? c.map(int4Value) : c;
}

function dequantRef(t: DataType, code: number, z: number): number {
  if (t === DataType.FP8) return FP8[code]!;
  if (t === DataType.FP4) return FP4[code]!;
  return code - z;
}

describe('QUANTIZE / DEQUANTIZE: per-tensor, per-axis and blocked, every quantized type', () => {
  for (const quant of QUANT_TYPES) {
    for (const { dims, layouts } of LAYOUTS) {
      const count = dims[0]! * dims[1]!;
      for (const layout of layouts) {
        const scaleCount = layout.scaleDims.reduce((a, b) => a * b, 1);
        const scales = Array.from({ length: scaleCount }, (_, i) => [0.5, 0.25, 2, 1.5, 0.75, 4][i % 6]!);
        // Zero points (INT8 and INT4 only), one per scale value.
        const zeros = isInteger(quant) ? Array.from({ length: scaleCount }, (_, i) => (i % 3) - 1) : undefined;
        const zeroTensor = (net: trt.NetworkDefinition): trt.ITensor =>
          quant === DataType.INT8
            ? net.addConstant(layout.scaleDims, new Int8Array(zeros!)).getOutput(0)
            : net.addConstant(layout.scaleDims, new trt.Weights(DataType.INT4, pack(zeros!.map(int4Code)), scaleCount)).getOutput(0);
        const scaleTensor = (net: trt.NetworkDefinition): trt.ITensor => net.addConstant(layout.scaleDims, new Float32Array(scales)).getOutput(0);

        it(`QUANTIZE FLOAT [${dims}] -> ${DataType[quant]}, ${layout.name}${zeros ? ', with zero points' : ''}`, async () => {
          const x = Array.from({ length: count }, (_, f) => Math.fround(((f * 37) % 29) / 2 - 7 + (f % 4) * 0.125));
          x[1] = NaN;
          x[2] = 300;
          const out = await runRaw(
            single(DataType.FLOAT, dims, (net, input) => {
              const q = net.addQuantize(input, scaleTensor(net), quant);
              if (layout.axis >= 0) q.axis = layout.axis;
              if (zeros) q.setInput(2, zeroTensor(net));
              return q.getOutput(0);
            }),
            { x: { dims, data: Float32Array.from(x) } },
          );
          const want = x.map((v, f) => {
            const s = scaleIndex(layout, dims, f);
            return quantRef(quant, Math.fround(v / scales[s]!), zeros ? zeros[s]! : 0);
          });
          expect(quantizedCodes(quant, out['y']!.data, count), `quantize ${layout.name}`).toEqual(want);
          if (quant === DataType.INT4 || quant === DataType.FP4) expectCodes(out['y']!.data, quant === DataType.INT4 ? want.map(int4Code) : want, 'packed bytes');
        });

        it(`DEQUANTIZE ${DataType[quant]} [${dims}] -> FLOAT, ${layout.name}${zeros ? ', with zero points' : ''}`, async () => {
          const codes = Array.from({ length: count }, (_, f) => {
            if (quant === DataType.INT8) return ((f * 53) % 256) - 128;
            if (quant === DataType.INT4) return ((f * 5) % 16) - 8;
            if (quant === DataType.FP8) return (f * 41 + 3) % 256;
            return (f * 7) % 16;
          });
          const out = await runRaw(
            single(quant, dims, (net, input) => {
              const d = net.addDequantize(input, scaleTensor(net), DataType.FLOAT);
              if (layout.axis >= 0) d.axis = layout.axis;
              if (zeros) d.setInput(2, zeroTensor(net));
              return d.getOutput(0);
            }),
            { x: { dims, data: quantizedBytes(quant, codes) } },
          );
          const want = codes.map((c, f) => {
            const s = scaleIndex(layout, dims, f);
            const v = dequantRef(quant, c, zeros ? zeros[s]! : 0);
            return Number.isNaN(v) ? NaN : Math.fround(v * scales[s]!);
          });
          expectSameValues(Array.from(out['y']!.data as Float32Array), want, `dequantize ${layout.name}`);
        });
      }
    }
  }

  for (const dtype of [DataType.HALF, DataType.BF16]) {
    it(`QUANTIZE ${DataType[dtype]} -> INT4 / FP4 and back, blocked ${DataType[dtype]} scales`, async () => {
      const dims = [2, 8];
      const x = Array.from({ length: 16 }, (_, f) => R.storeAs((f - 8) * 0.75, dtype));
      const scales = [1, 0.5, 2, 0.25];
      for (const quant of [DataType.INT4, DataType.FP4]) {
        const out = await runRaw(
          single(dtype, dims, (net, input) => {
            const s = net.addConstant([2, 2], new trt.Weights(dtype, encodeFloat(scales, dtype))).getOutput(0);
            const q = net.addQuantize(input, s, quant).getOutput(0);
            return net.addDequantize(q, s, dtype).getOutput(0);
          }),
          { x: { dims, data: encodeFloat(x, dtype) } },
        );
        const want = x.map((v, f) => {
          const s = scales[Math.floor(f / 8) * 2 + Math.floor((f % 8) / 4)]!;
          const c = quantRef(quant, Math.fround(v / s), 0);
          return R.storeAs(Math.fround((quant === DataType.INT4 ? c : FP4[c]!) * s), dtype);
        });
        expectSameValues(decodeFloat(out['y']!.data, dtype), want, `${DataType[quant]} round trip`);
      }
    });
  }
});

// ---- BAD CALL --------------------------------------------------------------------------------

describe('BAD CALL', () => {
  const scaleOf = (net: trt.NetworkDefinition, dims: number[]): trt.ITensor =>
    net.addConstant(dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(1)).getOutput(0);

  it('QUANTIZE / DEQUANTIZE: a blocked scale must divide the input in exactly one dimension, at the input rank', () => {
    const { builder, net } = newNetwork();
    const x = net.addInput('x', DataType.FLOAT, [4, 6]);
    expectLayerError(() => net.addQuantize(x, scaleOf(net, [4, 4]), DataType.INT4), 'INVALID_ARGUMENT', 'QUANTIZE', /blocked scale dimension 1 \(4\) does not divide the input's \(6\)/);
    expectLayerError(() => net.addQuantize(x, scaleOf(net, [2, 3]), DataType.FP4), 'INVALID_ARGUMENT', 'QUANTIZE', /one dimension only/);
    expectLayerError(() => net.addQuantize(x, scaleOf(net, [1, 4, 2]), DataType.INT8), 'INVALID_ARGUMENT', 'QUANTIZE', /must have the input's rank 2/);
    expectLayerError(() => net.addQuantize(x, scaleOf(net, [4, 6]), DataType.FP8), 'INVALID_ARGUMENT', 'QUANTIZE', /exactly one dimension/);
    const q = net.addInput('q', DataType.INT4, [4, 6]);
    expectLayerError(() => net.addDequantize(q, scaleOf(net, [4, 5]), DataType.FLOAT), 'INVALID_ARGUMENT', 'DEQUANTIZE', /does not divide/);
    builder.dispose();
  });

  it('QUANTIZE: the zero point has the quantized type; FP4 takes none (refused at the latest by the build)', async () => {
    const cases: Array<[DataType, trt.Weights, RegExp]> = [
      [DataType.INT4, new trt.Weights(new Int8Array([0])), /zero point type INT8 must be INT4/],
      [DataType.FP4, new trt.Weights(DataType.INT4, new Uint8Array(1), 1), /zero point is not supported with FP4/],
    ];
    for (const [quant, zero, message] of cases) {
      const caught = await errorFromDefineOrBuild((n) => {
        const q = n.addQuantize(n.addInput('x', DataType.FLOAT, [2]), scaleOf(n, []), quant);
        q.setInput(2, n.addConstant([], zero).getOutput(0));
        return q.getOutput(0);
      });
      expect(caught).toBeInstanceOf(trt.TrtError);
      expect((caught as trt.TrtError).code).toBe('INVALID_ARGUMENT');
      expect((caught as Error).message).toMatch(/\(QUANTIZE\)/);
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('CAST: FP4 pairs with the float types only, INT4 also with INT8/INT32/INT64', () => {
    const { builder, net } = newNetwork();
    const f4 = net.addInput('f4', DataType.FP4, [3]);
    const i4 = net.addInput('i4', DataType.INT4, [3]);
    expectLayerError(() => net.addCast(f4, DataType.INT32), 'INVALID_ARGUMENT', 'CAST', /FP4 to INT32 is not supported/);
    expectLayerError(() => net.addCast(i4, DataType.FP4), 'INVALID_ARGUMENT', 'CAST', /INT4 to FP4/);
    expectLayerError(() => net.addCast(i4, DataType.BOOL), 'INVALID_ARGUMENT', 'CAST', /INT4 to BOOL/);
    expectLayerError(() => net.addCast(f4, DataType.FP8), 'INVALID_ARGUMENT', 'CAST', /FP4 to FP8/);
    builder.dispose();
  });

  it('layers that move whole bytes refuse INT4 / FP4 by name when the network is built', async () => {
    for (const dtype of [DataType.INT4, DataType.FP4]) {
      const caught = await errorFromDefineOrBuild((net) => {
        const sh = net.addShuffle(net.addInput('x', dtype, [2, 4]));
        sh.firstTranspose = [1, 0];
        return sh.getOutput(0);
      });
      expect(caught).toBeInstanceOf(trt.TrtError);
      expect((caught as trt.TrtError).code).toBe('UNSUPPORTED');
      expect((caught as Error).message).toMatch(new RegExp(`\\(SHUFFLE\\).*type ${DataType[dtype]}`));
    }
  });
});
