/**
 * Deterministic seeded random data for tests and benchmarks, so failures reproduce exactly
 * and reference outputs do not change from run to run.
 */

/** A generator of uniform floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: a tiny, fast 32-bit PRNG; good enough for test data, not for cryptography. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform floats in [lo, hi), deterministic for a given seed. */
export function randomFloat32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** Uniform integers in [lo, hi] (inclusive both ends), deterministic for a given seed. */
export function randomInt32(n: number, seed: number, lo = -100, hi = 100): Int32Array {
  const rng = mulberry32(seed);
  const out = new Int32Array(n);
  const span = hi - lo + 1;
  for (let i = 0; i < n; i++) out[i] = lo + Math.floor(rng() * span);
  return out;
}

/** Uniform int64 values in [lo, hi] (inclusive), e.g. for indices fed to Gather. */
export function randomInt64(n: number, seed: number, lo = 0, hi = 100): BigInt64Array {
  const ints = randomInt32(n, seed, lo, hi);
  return BigInt64Array.from(ints, (v) => BigInt(v));
}

/** Normally distributed floats (Box–Muller), deterministic for a given seed. */
export function randomNormal(n: number, seed: number, mean = 0, std = 1): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - rng(); // (0, 1], keeps log finite
    const u2 = rng();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Random booleans as 0/1 bytes (the ONNX/ORT BOOL layout), true with probability p. */
export function randomBool(n: number, seed: number, p = 0.5): Uint8Array {
  const rng = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng() < p ? 1 : 0;
  return out;
}

/** Uniform int8 values in [lo, hi] (inclusive), e.g. for quantized weights. */
export function randomInt8(n: number, seed: number, lo = -128, hi = 127): Int8Array {
  return Int8Array.from(randomInt32(n, seed, lo, hi));
}

/** Uniform uint8 values in [lo, hi] (inclusive), e.g. for image-like inputs. */
export function randomUint8(n: number, seed: number, lo = 0, hi = 255): Uint8Array {
  return Uint8Array.from(randomInt32(n, seed, lo, hi));
}

/** Product of dims: the element count of a tensor shape. */
export function numel(dims: readonly number[]): number {
  return dims.reduce((a, d) => a * d, 1);
}
