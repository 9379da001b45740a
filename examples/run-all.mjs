// npm run example: each example is built in one process and loaded and run in a fresh one,
// as an application would at startup.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const steps = [
  'mlp/build.mjs',
  'mlp/run.mjs',
  'cnn/build.mjs',
  'cnn/run.mjs',
  'onnx-to-engine/build.mjs',
  'onnx-to-engine/run.mjs',
  'http-server/server.mjs --self-test',
  'worker-threads/main.mjs',
];
// TRTN_BACKEND (tensorrt, cuda or cpu) pins every example to that backend: the library reads it
// where a backend is left to 'auto' (npm run validate:tensorrt sets it). Unset, each chooses.
if (process.env.TRTN_BACKEND) console.log(`backend: ${process.env.TRTN_BACKEND} (TRTN_BACKEND)`);
for (const step of steps) {
  console.log(`\n> node examples/${step}`);
  const [file, ...args] = step.split(' ');
  const r = spawnSync(process.execPath, [path.join(here, file), ...args], { stdio: 'inherit', timeout: 120_000 });
  if (r.status !== 0) {
    console.error(`example ${step} failed (exit ${r.status})`);
    process.exit(1);
  }
}
console.log('\nall examples passed');
