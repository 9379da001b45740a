// The library used from worker_threads: the main thread builds the examples' MLP once and hands
// the plan bytes to two workers; each deserializes it into its own InferRunner (with a kernel
// thread pool of its own) and answers requests posted to it. The main thread checks every
// answer against a plain-JS forward pass, then asks the workers to dispose and exit.
//
//   node examples/worker-threads/main.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as trt from 'tensorrt-node';
import { buildMlpPlan, maxAbsDiff, mlpForward, randomFloats } from '../common.mjs';

if (isMainThread) {
  const enginePath = path.join(path.dirname(fileURLToPath(import.meta.url)), '../mlp/mlp.engine');
  const bytes = fs.existsSync(enginePath) ? new Uint8Array(fs.readFileSync(enginePath)) : await buildMlpPlan(trt);
  const workers = [0, 1].map((id) => new Worker(fileURLToPath(import.meta.url), { workerData: { id, bytes } }));
  const pending = new Map();
  for (const w of workers) {
    w.on('message', (msg) => {
      if (msg.id === undefined) return; // the closing stats, awaited below
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error));
      else p.resolve(msg);
    });
    w.on('error', (err) => {
      console.error(err);
      process.exitCode = 1;
    });
  }
  const ask = (i, features, batch) => new Promise((resolve, reject) => {
    pending.set(i, { resolve, reject });
    // The features' memory moves to the worker (transfer list): no copy.
    workers[i % workers.length].postMessage({ id: i, features, batch }, [features.buffer]);
  });
  const n = 400;
  const checks = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const batch = 1 + (i % 3);
    const features = randomFloats(batch * 64, 5000 + i);
    const expected = mlpForward(features, batch);
    const answer = await ask(i, features, batch);
    return { err: maxAbsDiff(answer.probabilities, expected), worker: answer.worker };
  }));
  const worst = Math.max(...checks.map((c) => c.err));
  const perWorker = [0, 1].map((id) => checks.filter((c) => c.worker === id).length);
  if (!(worst < 1e-5)) throw new Error(`worker-threads: output differs from the reference by ${worst}`);
  for (const w of workers) w.postMessage('close');
  const stats = await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  console.log(`worker-threads: ${n} requests over ${workers.length} workers (${perWorker.join(' + ')}), max |error| ${worst.toExponential(2)}; worker p50 latency ${stats.map((s) => s.p50.toFixed(2)).join(' / ')} ms; workers exited`);
} else {
  const pool = new trt.ThreadPool(1);
  const runner = await trt.InferRunner.create(workerData.bytes, { contexts: 2, threadPool: pool });
  parentPort.on('message', async (msg) => {
    if (msg === 'close') {
      const { p50 } = runner.metrics().latencyMs;
      await runner.dispose();
      pool.dispose();
      parentPort.postMessage({ p50 });
      parentPort.close(); // nothing else keeps the worker alive: it exits
      return;
    }
    try {
      const { probabilities } = await runner.infer({ features: { data: msg.features, shape: [msg.batch, 64] } });
      parentPort.postMessage({ id: msg.id, worker: workerData.id, probabilities }, [probabilities.buffer]);
    } catch (err) {
      parentPort.postMessage({ id: msg.id, error: err.message });
    }
  });
}
