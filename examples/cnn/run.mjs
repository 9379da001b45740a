// Loads cnn.engine in a fresh process, runs it, and checks the logits against plain JS loops.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataType, HostBuffer, Runtime, Stream, cuda } from 'tensorrt-node';
import { maxAbsDiff, randomFloats, relu } from '../common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const runtime = new Runtime();
const engine = await runtime.deserializeCudaEngineAsync(fs.readFileSync(path.join(here, 'cnn.engine')));
const context = engine.createExecutionContext();
// Tensor memory must be reachable by the engine's backend: host memory on the cpu backend,
// pinned host memory (mapped into the GPU's address space) on the cuda and tensorrt backends.
const TensorMemory = engine.backend === 'cpu' ? HostBuffer : cuda.HostBuffer;
const pixels = randomFloats(3 * 16 * 16, 42);
const input = TensorMemory.from(pixels);
const output = new TensorMemory(5 * 4);
context.setTensorAddress('image', input);
context.setTensorAddress('logits', output);
// A stream of the engine's backend: its own thread on the cpu, a CUDA stream on the GPU.
const stream = engine.backend === 'cpu' ? new Stream() : new cuda.Stream();
await context.enqueueV3(stream);
const got = output.view(DataType.FLOAT);

// Reference: direct loops over [C, H, W] arrays.
function conv(x, C, H, W, K, w, b, stride, pad) {
  const Ho = Math.floor((H + 2 * pad - 3) / stride) + 1;
  const Wo = Math.floor((W + 2 * pad - 3) / stride) + 1;
  const y = new Float64Array(K * Ho * Wo);
  for (let k = 0; k < K; k += 1)
    for (let i = 0; i < Ho; i += 1)
      for (let j = 0; j < Wo; j += 1) {
        let s = b[k];
        for (let c = 0; c < C; c += 1)
          for (let u = 0; u < 3; u += 1)
            for (let v = 0; v < 3; v += 1) {
              const r = i * stride - pad + u;
              const q = j * stride - pad + v;
              if (r >= 0 && r < H && q >= 0 && q < W) s += x[(c * H + r) * W + q] * w[((k * C + c) * 3 + u) * 3 + v];
            }
        y[(k * Ho + i) * Wo + j] = relu(s);
      }
  return { y, Ho, Wo };
}
const c1 = conv(pixels, 3, 16, 16, 8, randomFloats(216, 1, 0.3), randomFloats(8, 2, 0.1), 1, 1);
const pooled = new Float64Array(8 * 8 * 8);
for (let c = 0; c < 8; c += 1)
  for (let i = 0; i < 8; i += 1)
    for (let j = 0; j < 8; j += 1) {
      let m = -Infinity;
      for (let u = 0; u < 2; u += 1) for (let v = 0; v < 2; v += 1) m = Math.max(m, c1.y[(c * 16 + 2 * i + u) * 16 + 2 * j + v]);
      pooled[(c * 8 + i) * 8 + j] = m;
    }
const c2 = conv(pooled, 8, 8, 8, 16, randomFloats(16 * 72, 3, 0.2), randomFloats(16, 4, 0.1), 2, 1);
const gap = Array.from({ length: 16 }, (_, k) => {
  let s = 0;
  for (let p = 0; p < c2.Ho * c2.Wo; p += 1) s += c2.y[k * c2.Ho * c2.Wo + p];
  return s / (c2.Ho * c2.Wo);
});
const wfc = randomFloats(80, 5, 0.5);
const bfc = randomFloats(5, 6, 0.1);
const expected = Array.from({ length: 5 }, (_, j) => gap.reduce((s, g, i) => s + g * wfc[i * 5 + j], bfc[j]));
const err = maxAbsDiff(got, expected);
console.log(`cnn: logits ${Array.from(got, (v) => v.toFixed(4)).join(' ')}, max |error| ${err.toExponential(2)}`);
console.log(`cnn: layers as built: ${engine.inspect().layers.filter((l) => l.type !== 'CONSTANT').map((l) => `${l.type}(${l.implementation})`).join(' -> ')}`);
if (!(err < 1e-4)) throw new Error(`cnn: output differs from the reference by ${err}`);
input.dispose();
output.dispose();
engine.dispose();
