/**
 * InferRunner inside worker_threads: each worker loads the compiled package (dist/), runs tagged
 * requests through its own runner and pools, and disposes; the process then exits on its own
 * (no handle left open), also when a worker is terminated with requests in flight. Also the
 * TRTN_NUM_THREADS load-time setting, which needs a fresh process.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const pkg = path.join(root, 'dist/cjs/index.js');

function runScript(source: string): { status: number | null; stdout: string; stderr: string } {
  const file = path.join(root, 'test', `.tmp-runner-${process.pid}-${Math.random().toString(36).slice(2)}.cjs`);
  fs.writeFileSync(file, source.replaceAll('PKG', JSON.stringify(pkg)));
  try {
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const worker = `
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const trt = require(PKG);
async function planBytes() {
  const builder = new trt.Builder(new trt.Logger(trt.Severity.ERROR, () => {}), { backend: 'cpu' });
  const net = builder.createNetworkV2();
  const x = net.addInput('x', trt.DataType.FLOAT, [-1, 4]);
  const two = net.addConstant([1, 4], new Float32Array(4).fill(2)).getOutput(0);
  const y = net.addElementWise(x, two, trt.ElementWiseOperation.PROD).getOutput(0);
  y.name = 'y';
  net.markOutput(y);
  const config = builder.createBuilderConfig();
  const profile = builder.createOptimizationProfile();
  profile.setShape('x', [1, 4], [4, 4], [16, 4]);
  config.addOptimizationProfile(profile);
  const plan = await builder.buildSerializedNetwork(net, config);
  builder.dispose();
  return new Uint8Array(plan.data);
}
async function serve(bytes, seed, count, batching) {
  const runner = await trt.InferRunner.create(bytes, { backend: 'cpu', contexts: 2, batching: batching ? { maxBatch: 8 } : undefined });
  const calls = [];
  for (let i = 0; i < count; i++) {
    const tag = seed * 10000 + i;
    calls.push(runner.infer({ x: new Float32Array([tag, tag, tag, tag]) }).then((o) => o.y[0] === 2 * tag && o.y[3] === 2 * tag));
  }
  const ok = (await Promise.all(calls)).filter(Boolean).length;
  const s = runner.stats();
  await runner.dispose();
  return { ok, back: s.contexts.available === 2 && s.staging.inUse === 0 };
}
`;

describe('InferRunner in worker_threads', () => {
  it('runs in several workers at once, results matched per worker, and the process exits cleanly', () => {
    const r = runScript(`${worker}
if (isMainThread) {
  (async () => {
    const bytes = await planBytes();
    const runs = [1, 2, 3].map((seed) => new Promise((resolve, reject) => {
      const w = new Worker(__filename, { workerData: { seed, bytes } });
      w.on('message', resolve); w.on('error', reject);
      w.on('exit', (code) => code !== 0 && reject(new Error('worker exit ' + code)));
    }));
    const results = await Promise.all(runs);
    const main = await serve(bytes, 9, 300, false);
    console.log('results:', JSON.stringify([...results, main]));
  })().catch((e) => { console.error(e); process.exit(1); });
} else {
  serve(workerData.bytes, workerData.seed, 500, workerData.seed === 2).then((r) => parentPort.postMessage(r));
}
`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('results: [{"ok":500,"back":true},{"ok":500,"back":true},{"ok":500,"back":true},{"ok":300,"back":true}]');
  });

  it('a worker terminated with requests in flight and the process exiting with a busy runner do not crash', () => {
    const r = runScript(`${worker}
if (isMainThread) {
  (async () => {
    const bytes = await planBytes();
    const w = new Worker(__filename, { workerData: { bytes } });
    await new Promise((resolve) => w.on('message', resolve));
    await w.terminate();
    const runner = await trt.InferRunner.create(bytes, { backend: 'cpu', contexts: 2 });
    for (let i = 0; i < 200; i++) runner.infer({ x: new Float32Array(64) }).catch(() => {});
    console.log('exiting with work queued');
    process.exit(0);
  })().catch((e) => { console.error(e); process.exit(1); });
} else {
  (async () => {
    const runner = await trt.InferRunner.create(workerData.bytes, { backend: 'cpu', contexts: 2 });
    for (let i = 0; i < 1000; i++) runner.infer({ x: new Float32Array(64) }).catch(() => {});
    parentPort.postMessage('busy');
  })();
}
`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('exiting with work queued');
  });

  it('TRTN_NUM_THREADS sizes the process-wide kernel pool at load; ThreadPool instances are separate', () => {
    const file = path.join(root, 'test', `.tmp-threads-${process.pid}.cjs`);
    fs.writeFileSync(file, `const trt = require(${JSON.stringify(pkg)});
const pool = new trt.ThreadPool(2);
console.log(JSON.stringify({ global: trt.ThreadPool.stats().threads, own: pool.stats().threads, again: trt.ThreadPool.configure(5) }));`);
    try {
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, TRTN_NUM_THREADS: '3' } });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ global: 3, own: 2, again: false });
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
