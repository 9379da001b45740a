// A plain node:http inference server: deserializes an engine at startup (the examples' MLP is
// built when no file is given), serves POST /infer through an InferRunner and shuts down
// gracefully on SIGINT/SIGTERM (stop accepting, finish running requests, free the engine).
//
//   node examples/http-server/server.mjs [model.engine] [--port=8080]
//   node examples/http-server/server.mjs --self-test   (what `npm run example` runs)
//
// POST /infer, binary: body = little-endian tensor bytes of the first input,
//   x-shape: 2,64 (comma-separated dims); answer: the first output's bytes, with x-shape and
//   x-output-name headers (x-output: <name> picks another output).
// POST /infer, JSON: {"inputs": {"features": {"shape": [2, 64], "data": [...]}}};
//   answer {"outputs": {"probabilities": {"shape": [2, 10], "data": [...]}}}.
// GET /metrics: latency percentiles, throughput, queue depth, context utilisation.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as trt from 'tensorrt-node';
import { buildMlpPlan, maxAbsDiff, mlpForward, randomFloats } from '../common.mjs';

const args = process.argv.slice(2);
const selfTest = args.includes('--self-test');
const enginePath = args.find((a) => !a.startsWith('--'));
const port = Number(args.find((a) => a.startsWith('--port='))?.slice(7) ?? (selfTest ? 0 : 8080));

const bytes = enginePath ? fs.readFileSync(enginePath) : await buildMlpPlan(trt);
const runner = await trt.InferRunner.create(bytes, {
  contexts: 2,
  maxQueue: 256,
  batching: enginePath ? undefined : { maxBatch: 32, maxQueueDelayMs: 1 },
});
const inputName = runner.inputNames[0];
let closing = false;
const inputType = runner.engine.getTensorDataType(inputName);

// Error codes map to HTTP statuses; clients can retry QUEUE_FULL after a short pause.
function statusFor(err) {
  if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError) return 400;
  switch (err.code) {
    case 'QUEUE_FULL':
    case 'DISPOSED':
      return 503;
    case 'TIMEOUT':
      return 504;
    default:
      return 500;
  }
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function handleInfer(req, res) {
  // A client that goes away cancels its request (removed from the queue if not started yet).
  const controller = new AbortController();
  res.on('close', () => !res.writableFinished && controller.abort());
  const body = await readBody(req);
  const options = { signal: controller.signal, timeoutMs: 5000 };
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) {
    const msg = JSON.parse(body.toString('utf8'));
    const inputs = {};
    for (const [name, { shape, data }] of Object.entries(msg.inputs ?? {})) {
      const Ctor = trt.typedArrayFor(runner.engine.getTensorDataType(name));
      inputs[name] = { data: Ctor.from(data), shape };
    }
    const { outputs, shapes } = await runner.inferWithShapes(inputs, options);
    const out = {};
    for (const [name, data] of Object.entries(outputs)) out[name] = { shape: shapes[name], data: Array.from(data) };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ outputs: out }));
    return;
  }
  const shape = String(req.headers['x-shape'] ?? '').split(',').filter(Boolean).map(Number);
  const Ctor = trt.typedArrayFor(inputType);
  // Copy into an aligned array: a Buffer's bytes may sit at any offset of Node's slab.
  const data = new Ctor(body.byteLength / Ctor.BYTES_PER_ELEMENT);
  new Uint8Array(data.buffer).set(body);
  const { outputs, shapes } = await runner.inferWithShapes({ [inputName]: shape.length ? { data, shape } : data }, options);
  const name = String(req.headers['x-output'] ?? runner.outputNames[0]);
  if (!(name in outputs)) throw new RangeError(`unknown output '${name}'`);
  const out = outputs[name];
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-shape': shapes[name].join(','), 'x-output-name': name });
  res.end(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
}

// Requests accepted and not yet answered: shutdown waits for them all.
let open = 0;
let received = 0;
let onAllAnswered = null;
let sigtermAtRequest = 0; // self-test: 'SIGTERM' when this request arrives

const server = http.createServer((req, res) => {
  open += 1;
  received += 1;
  res.on('close', () => {
    open -= 1;
    if (open === 0) onAllAnswered?.();
  });
  if (closing) res.setHeader('connection', 'close');
  // The SIGTERM listener runs now, with requests open (a real signal arrives a loop turn later).
  if (received === sigtermAtRequest) process.emit('SIGTERM', 'SIGTERM');
  const route = `${req.method} ${req.url}`;
  const work =
    route === 'POST /infer' ? handleInfer(req, res)
    : route === 'GET /metrics' ? Promise.resolve(res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...runner.metrics(), pools: runner.stats() })))
    : Promise.resolve(res.writeHead(404).end());
  work.catch((err) => {
    if (err.code === 'ABORTED') return; // the client left; nobody to answer
    if (res.headersSent) return res.destroy(err);
    const status = statusFor(err);
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 503 ? { 'retry-after': '1' } : {}) });
    res.end(JSON.stringify({ error: err.message, code: err.code ?? err.name }));
  });
});

async function shutdown(signal) {
  if (closing) return;
  closing = true;
  console.log(`${signal}: closing with ${open} requests open (${runner.queueDepth} queued, ${runner.stats().running} running)`);
  const closed = new Promise((resolve) => server.close(resolve)); // stop accepting
  server.closeIdleConnections();
  // Requests already accepted still get their answers (sent with connection: close).
  if (open > 0) await new Promise((resolve) => (onAllAnswered = resolve));
  await runner.drain();
  await runner.dispose();
  await closed;
  console.log('http-server: stopped cleanly');
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => shutdown(signal).catch((e) => { console.error(e); process.exitCode = 1; }));

await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const { port: bound } = server.address();
console.log(`http-server: ${runner.engine.name || 'engine'} (${runner.inputNames.join(', ')} -> ${runner.outputNames.join(', ')}) on http://127.0.0.1:${bound}`);

if (selfTest) {
  // Concurrent binary and JSON requests, each checked against a plain-JS forward pass, then a
  // SIGTERM to ourselves while requests are open: all of them must still be answered.
  const url = `http://127.0.0.1:${bound}/infer`;
  const call = async (i) => {
    const batch = 1 + (i % 4);
    const features = randomFloats(batch * 64, 1000 + i);
    const expected = mlpForward(features, batch);
    let got;
    if (i % 2 === 0) {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-shape': `${batch},64` }, body: Buffer.from(features.buffer) });
      if (r.status !== 200) throw new Error(`binary request ${i}: HTTP ${r.status} ${await r.text()}`);
      if (r.headers.get('x-shape') !== `${batch},10`) throw new Error(`binary request ${i}: shape ${r.headers.get('x-shape')}`);
      got = new Float32Array(await r.arrayBuffer());
    } else {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { features: { shape: [batch, 64], data: Array.from(features) } } }) });
      if (r.status !== 200) throw new Error(`JSON request ${i}: HTTP ${r.status} ${await r.text()}`);
      got = (await r.json()).outputs.probabilities.data;
    }
    const err = maxAbsDiff(got, expected);
    if (!(err < 1e-5)) throw new Error(`request ${i}: output differs from the reference by ${err}`);
  };
  const first = await Promise.all(Array.from({ length: 200 }, (_, i) => call(i)));
  const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-shape': '2,63' }, body: Buffer.alloc(2 * 63 * 4) });
  if (bad.status !== 400) throw new Error(`a bad shape gave HTTP ${bad.status}`);
  const metrics = await (await fetch(`http://127.0.0.1:${bound}/metrics`)).json();
  console.log(`http-server: ${first.length} requests checked; p50 ${metrics.latencyMs.p50.toFixed(2)} ms, p99 ${metrics.latencyMs.p99.toFixed(2)} ms, ${metrics.runs} runs (mean batch ${metrics.meanBatchSize.toFixed(1)})`);
  sigtermAtRequest = received + 50;
  await Promise.all(Array.from({ length: 50 }, (_, i) => call(500 + i)));
  console.log('http-server: requests in flight at SIGTERM were all answered');
}
