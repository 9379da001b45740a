// Loads the engine saved by build.mjs, runs a batch asynchronously and checks the result against
// a plain-JS forward pass with the same weights.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataType, HostBuffer, Runtime, cuda } from 'tensorrt-node';
import { maxAbsDiff, randomFloats, relu } from '../common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const sizes = [64, 128, 64, 10];
const batch = 5;

const runtime = new Runtime();
const engine = runtime.deserializeCudaEngine(fs.readFileSync(path.join(here, 'mlp.engine')));
const context = engine.createExecutionContext();
// Tensor memory must be reachable by the engine's backend: host memory on the cpu backend,
// pinned host memory (mapped into the GPU's address space) on the cuda and tensorrt backends.
const TensorMemory = engine.backend === 'cpu' ? HostBuffer : cuda.HostBuffer;
context.setInputShape('features', [batch, sizes[0]]);

const features = randomFloats(batch * sizes[0], 7);
const input = TensorMemory.from(features);
const output = new TensorMemory(batch * sizes.at(-1) * 4);
context.setTensorAddress('features', input);
context.setTensorAddress('probabilities', output);
await context.enqueueV3();
const got = output.view(DataType.FLOAT);

// Reference forward pass.
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
const expected = act.flatMap((row) => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const z = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / z);
});
const err = maxAbsDiff(got, expected);
console.log(`mlp: batch ${batch}, first row ${Array.from(got.subarray(0, 4), (v) => v.toFixed(4)).join(' ')} ..., max |error| ${err.toExponential(2)}`);
if (!(err < 1e-5)) throw new Error(`mlp: output differs from the reference by ${err}`);
input.dispose();
output.dispose();
engine.dispose(); // also disposes the context
