// Shared by the examples: deterministic weights and a small plain-JS reference to check outputs.

/** Deterministic pseudo-random floats in [-scale, scale). */
export function randomFloats(count, seed, scale = 1) {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 1) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** Largest absolute difference between two arrays. */
export function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i += 1) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export const relu = (x) => (x > 0 ? x : 0);

/** The MLP of examples/mlp (same weights): 64 -> 128 -> 64 -> 10, ReLU between, softmax. */
export const mlpSizes = [64, 128, 64, 10];

/** Defines that MLP on `network` with a dynamic batch: input 'features' [-1, 64], output 'probabilities'. */
export function defineMlp(trt, network) {
  const sizes = mlpSizes;
  let x = network.addInput('features', trt.DataType.FLOAT, [-1, sizes[0]]);
  for (let l = 0; l + 1 < sizes.length; l += 1) {
    const [inF, outF] = [sizes[l], sizes[l + 1]];
    const w = network.addConstant([inF, outF], randomFloats(inF * outF, 100 + l, 1 / Math.sqrt(inF)));
    const b = network.addConstant([1, outF], randomFloats(outF, 200 + l, 0.1));
    const mm = network.addMatrixMultiply(x, trt.MatrixOperation.NONE, w.getOutput(0), trt.MatrixOperation.NONE);
    x = network.addElementWise(mm.getOutput(0), b.getOutput(0), trt.ElementWiseOperation.SUM).getOutput(0);
    if (l + 2 < sizes.length) x = network.addActivation(x, trt.ActivationType.RELU).getOutput(0);
  }
  const scores = network.addSoftMax(x);
  scores.axes = 1 << 1;
  scores.getOutput(0).name = 'probabilities';
  network.markOutput(scores.getOutput(0));
}

/** Builds that MLP (profile: batch 1..64) and returns the plan bytes. */
export async function buildMlpPlan(trt) {
  const builder = new trt.Builder(new trt.Logger(trt.Severity.WARNING));
  const network = builder.createNetworkV2();
  defineMlp(trt, network);
  const config = builder.createBuilderConfig();
  const profile = builder.createOptimizationProfile();
  profile.setShape('features', [1, mlpSizes[0]], [8, mlpSizes[0]], [64, mlpSizes[0]]);
  config.addOptimizationProfile(profile);
  const plan = await builder.buildSerializedNetwork(network, config);
  builder.dispose();
  return new Uint8Array(plan.data);
}

/** Plain-JS forward pass of that MLP for `batch` rows of `features`. */
export function mlpForward(features, batch) {
  const sizes = mlpSizes;
  let act = Array.from({ length: batch }, (_, r) => Array.from(features.subarray(r * sizes[0], (r + 1) * sizes[0])));
  for (let l = 0; l + 1 < sizes.length; l += 1) {
    const [inF, outF] = [sizes[l], sizes[l + 1]];
    const w = randomFloats(inF * outF, 100 + l, 1 / Math.sqrt(inF));
    const b = randomFloats(outF, 200 + l, 0.1);
    act = act.map((row) => Array.from({ length: outF }, (_, j) => {
      let s = b[j];
      for (let i = 0; i < inF; i += 1) s += row[i] * w[i * outF + j];
      return l + 2 < sizes.length ? relu(s) : s;
    }));
  }
  return act.flatMap((row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const z = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / z);
  });
}
