// Loads the engine saved by build.mjs in a fresh process, runs a batch of 3 and checks the
// output against the plain-JS reference of the model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostBuffer, Runtime, cuda } from 'tensorrt-node';
import { maxAbsDiff, randomFloats } from '../common.mjs';
import { reference } from './model.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const runtime = new Runtime();
const engine = runtime.deserializeCudaEngine(fs.readFileSync(path.join(here, 'model.engine')));
const context = engine.createExecutionContext();
// Tensor memory must be reachable by the engine's backend: host memory on the cpu backend,
// pinned host memory (mapped into the GPU's address space) on the cuda and tensorrt backends.
const TensorMemory = engine.backend === 'cpu' ? HostBuffer : cuda.HostBuffer;

const batch = 3;
const image = randomFloats(batch * 3 * 8 * 8, 21);
context.setInputShape('image', [batch, 3, 8, 8]);
const input = TensorMemory.from(image);
const output = new TensorMemory(batch * 3 * 4);
context.setTensorAddress('image', input);
context.setTensorAddress('probs', output);
await context.enqueueV3();

const probs = new Float32Array(output.arrayBuffer, 0, batch * 3);
const error = maxAbsDiff(probs, reference(image, batch));
console.log(`onnx-to-engine: output shape [${context.getTensorShape('probs').join(', ')}], first row ${Array.from(probs.slice(0, 3), (p) => p.toFixed(4)).join(' ')}`);
console.log(`onnx-to-engine: max abs error vs plain-JS reference ${error.toExponential(2)}`);
for (const r of [input, output, context, engine, runtime]) r.dispose();
if (!(error < 1e-5)) {
  console.error('onnx-to-engine: output does not match the reference');
  process.exit(1);
}
