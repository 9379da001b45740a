/** Scalar math used by the references, in double precision. */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * Gauss error function, ~1e-15 relative accuracy.
 * |x| <= 6: erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_{n>=0} (2x^2)^n * x / (1*3*5*...*(2n+1))
 * (all terms positive, so no cancellation); |x| > 6: ±1 (erfc(6) ≈ 2e-17).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === 0) return x; // keeps -0
  const a = Math.abs(x);
  if (a > 6) return x > 0 ? 1 : -1;
  const x2 = a * a;
  let term = a; // n = 0: x / 1
  let sum = term;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  const c = r > 1 ? 1 : r;
  return x > 0 ? c : -c;
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + exp(z)) without overflow. */
export function softplus1(z: number): number {
  if (z > 0) return z + Math.log1p(Math.exp(-z));
  return Math.log1p(Math.exp(z));
}
