/**
 * InferRunner benchmark: throughput and client-side p50/p99 latency against concurrency (closed
 * loop: N callers each awaiting one request at a time) and pool size (execution contexts), with
 * and without dynamic batching, and the event-loop lag measured alongside
 * (perf_hooks.monitorEventLoopDelay). Also the runner's per-request overhead over a bare
 * enqueueV3 on the same engine. Writes bench/results/runner-<backend>.json and .svg (runner-gpu
 * for the cuda backend) and the figures section of bench/README.md.
 *
 *   npm run bench:runner                 CPU backend, results written
 *   npm run bench:runner -- --quick      shorter sampling, nothing written
 *   ... --overhead-only                  the per-request overhead alone, nothing written
 *   node bench/.build/bench/runner/run.js --backend=cuda --out=DIR
 *                                        cuda backend (GPU machine): JSON, SVG and the README
 *                                        section (runner-gpu.md) written to DIR
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as trt from '../../lib/index.js';
import { OtherLoadMeter } from '../cpu/timing.js';
import { benchNetworks } from '../cpu/networks.js';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const quick = process.argv.includes('--quick');
const overheadOnly = process.argv.includes('--overhead-only');
const backend = (process.argv.find((a) => a.startsWith('--backend='))?.slice(10) ?? 'cpu') as trt.BackendName;
const gpu = backend === 'cuda';
const outArg = process.argv.find((a) => a.startsWith('--out='))?.slice(6);
const RESULTS_DIR = outArg ? path.resolve(outArg) : path.join(ROOT, 'bench', 'results');
const README_FILE = path.join(ROOT, 'bench', 'README.md');
const MARK_START = gpu ? '<!-- runner-gpu-results:start -->' : '<!-- runner-results:start -->';
const MARK_END = gpu ? '<!-- runner-gpu-results:end -->' : '<!-- runner-results:end -->';
const RESULT_NAME = gpu ? 'runner-gpu' : `runner-${backend}`;

const SAMPLE_MS = quick ? 250 : 800;
const CONCURRENCY = gpu ? [1, 2, 4, 8, 16, 32, 64] : [1, 2, 4, 8, 16, 32];
const POOLS = [1, 2, 4];
const logger = new trt.Logger(trt.Severity.WARNING);

interface Point {
  config: string;
  contexts: number;
  batching: boolean;
  concurrency: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  meanBatch: number;
  utilisation: number;
  loopLagMeanMs: number;
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  otherLoad: number | null;
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : 0;
}

async function planFor(define: (net: trt.NetworkDefinition) => void, dims: number[], maxBatch: number): Promise<Uint8Array> {
  const builder = new trt.Builder(logger, { backend });
  try {
    const net = builder.createNetworkV2();
    define(net);
    const config = builder.createBuilderConfig();
    const profile = builder.createOptimizationProfile();
    profile.setShape('x', [1, ...dims], [maxBatch, ...dims], [maxBatch, ...dims]);
    config.addOptimizationProfile(profile);
    return new Uint8Array((await builder.buildSerializedNetwork(net, config)).data);
  } finally {
    builder.dispose();
  }
}

/** A near-empty network (one elementwise op on 16 floats): what is left is the per-request cost. */
function tiny(net: trt.NetworkDefinition): void {
  const x = net.addInput('x', trt.DataType.FLOAT, [-1, 16]);
  const c = net.addConstant([1, 16], new Float32Array(16).fill(2)).getOutput(0);
  const y = net.addElementWise(x, c, trt.ElementWiseOperation.PROD).getOutput(0);
  y.name = 'y';
  net.markOutput(y);
}

/** Closed loop: `concurrency` callers, each awaiting one request after another, for SAMPLE_MS. */
async function sweepPoint(runner: trt.InferRunner, input: Float32Array, concurrency: number, label: string, contexts: number, batching: boolean): Promise<Point> {
  for (let i = 0; i < 20; i += 1) await Promise.all(Array.from({ length: concurrency }, () => runner.infer({ x: input })));
  runner.resetMetrics();
  const lat: number[] = [];
  const lag = monitorEventLoopDelay({ resolution: 1 });
  const load = new OtherLoadMeter();
  load.start();
  lag.enable();
  const t0 = performance.now();
  const end = t0 + SAMPLE_MS;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const s = performance.now();
      await runner.infer({ x: input });
      lat.push(performance.now() - s);
    }
  }));
  const elapsed = performance.now() - t0;
  lag.disable();
  const otherLoad = load.stop();
  lat.sort((a, b) => a - b);
  const m = runner.metrics();
  return {
    config: label,
    contexts,
    batching,
    concurrency,
    throughput: (lat.length * 1000) / elapsed,
    p50Ms: pct(lat, 50),
    p99Ms: pct(lat, 99),
    meanBatch: m.meanBatchSize,
    utilisation: m.contextUtilisation,
    loopLagMeanMs: lag.mean / 1e6,
    loopLagP99Ms: lag.percentile(99) / 1e6,
    loopLagMaxMs: lag.max / 1e6,
    otherLoad,
  };
}

interface Overhead {
  bareP50Us: number;
  runnerP50Us: number;
  runnerBoundP50Us: number;
  overheadP50Us: number;
  overheadBoundP50Us: number;
  /** cuda only: the bare run with the same copies done by hand (pinned in, enqueue, pinned out). */
  bareCopiesP50Us?: number;
  /** cuda only: runner with TypedArrays over bare with copies. */
  overheadCopiesP50Us?: number;
}

/**
 * p50 of one request at a time: the runner against a bare enqueueV3 with buffers bound once.
 * CPU: HostBuffers; cuda: DeviceBuffers (bound: no copies), and a bare run with the copies the
 * runner makes for TypedArrays (pinned H2D, run, D2H pinned, all queued, one await).
 */
async function overhead(bytes: Uint8Array, rowFloats: number): Promise<Overhead> {
  const engine = new trt.Runtime(logger, { backend }).deserializeCudaEngine(bytes);
  const ctx = engine.createExecutionContext();
  const outFloats = engine.getTensorShape('y').slice(1).reduce((a, b) => a * b, 1);
  ctx.setInputShape('x', [1, rowFloats]);
  const fill = new Float32Array(rowFloats).fill(0.5);
  const xb = gpu ? trt.cuda.DeviceBuffer.from(fill) : trt.HostBuffer.from(fill);
  const yb = gpu ? new trt.cuda.DeviceBuffer(outFloats * 4) : new trt.HostBuffer(outFloats * 4);
  ctx.setTensorAddress('x', xb);
  ctx.setTensorAddress('y', yb);
  const stream = gpu ? new trt.cuda.Stream({ nonBlocking: true }) : new trt.Stream();
  const runner = await trt.InferRunner.create(engine, { contexts: 1 });
  const input = new Float32Array(rowFloats).fill(0.5);
  const bare = async () => ctx.enqueueV3(stream);
  const viaRunner = async () => runner.infer({ x: input });
  // Caller memory bound as tensor memory: no staging copies, the runner's bookkeeping alone.
  const viaRunnerBound = async () => runner.infer({ x: xb }, { outputs: { y: yb } });
  const methods = [bare, viaRunner, viaRunnerBound];
  let pinIn: trt.cuda.HostBuffer | undefined;
  let pinOut: trt.cuda.HostBuffer | undefined;
  if (gpu) {
    const cs = stream as trt.cuda.Stream;
    pinIn = new trt.cuda.HostBuffer(rowFloats * 4);
    pinOut = new trt.cuda.HostBuffer(outFloats * 4);
    const pi = pinIn;
    const po = pinOut;
    const out = new Float32Array(outFloats);
    methods.push(async () => {
      new Float32Array(pi.arrayBuffer).set(input);
      const up = trt.cuda.memcpyAsync(xb, pi, cs);
      const run = ctx.enqueueV3(cs);
      const down = trt.cuda.memcpyAsync(po, yb, cs);
      await Promise.all([up, run, down]);
      out.set(new Float32Array(po.arrayBuffer, 0, outFloats));
    });
  }
  const samples: number[][] = methods.map(() => []);
  for (const m of methods) for (let i = 0; i < 200; i += 1) await m();
  // Interleaved rounds, so load from other processes lands on all methods alike.
  const rounds = quick ? 4 : 10;
  for (let r = 0; r < rounds; r += 1) {
    for (let k = 0; k < methods.length; k += 1) {
      const stop = performance.now() + (quick ? 60 : 150);
      while (performance.now() < stop) {
        const s = process.hrtime.bigint();
        await methods[k]!();
        samples[k]!.push(Number(process.hrtime.bigint() - s) / 1e3);
      }
    }
  }
  const [b, rr, rb, bc] = samples.map((s) => pct(s.sort((a, c) => a - c), 50));
  await runner.dispose();
  for (const x of [xb, yb, pinIn, pinOut, stream]) x?.dispose();
  engine.dispose();
  const result: Overhead = { bareP50Us: b!, runnerP50Us: rr!, runnerBoundP50Us: rb!, overheadP50Us: rr! - b!, overheadBoundP50Us: rb! - b! };
  if (bc !== undefined) {
    result.bareCopiesP50Us = bc;
    result.overheadCopiesP50Us = rr! - bc;
  }
  return result;
}

// ---- chart ----------------------------------------------------------------------------------

function svgChart(points: Point[], title: string): string {
  const W = 920;
  const H = 360;
  const panels = [
    { key: 'throughput' as const, label: 'throughput (requests/s)', x0: 60 },
    { key: 'p99Ms' as const, label: 'p99 latency (ms), dashed: p50', x0: 520 },
  ];
  const pw = 360;
  const ph = 240;
  const top = 50;
  const configs = [...new Set(points.map((p) => p.config))];
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];
  const xs = CONCURRENCY;
  const xPos = (x0: number, c: number) => x0 + (Math.log2(c) / Math.log2(xs[xs.length - 1]!)) * pw;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${title}</text>`);
  for (const panel of panels) {
    const values = points.flatMap((p) => (panel.key === 'p99Ms' ? [p.p99Ms, p.p50Ms] : [p.throughput]));
    const max = Math.max(...values) * 1.1 || 1;
    const yPos = (v: number) => top + ph - (v / max) * ph;
    out.push(`<rect x="${panel.x0}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    for (let i = 0; i <= 4; i += 1) {
      const v = (max * i) / 4;
      const y = yPos(v).toFixed(1);
      out.push(`<line x1="${panel.x0}" x2="${panel.x0 + pw}" y1="${y}" y2="${y}" stroke="#eee"/>`);
      out.push(`<text x="${panel.x0 - 6}" y="${(yPos(v) + 4).toFixed(1)}" text-anchor="end">${v === 0 ? '0' : v >= 100 ? v.toFixed(0) : v.toFixed(2)}</text>`);
    }
    for (const c of xs) out.push(`<text x="${xPos(panel.x0, c)}" y="${top + ph + 16}" text-anchor="middle">${c}</text>`);
    out.push(`<text x="${panel.x0 + pw / 2}" y="${top + ph + 34}" text-anchor="middle">concurrent callers</text>`);
    out.push(`<text x="${panel.x0 + pw / 2}" y="${top - 8}" text-anchor="middle">${panel.label}</text>`);
    configs.forEach((cfg, ci) => {
      const series = points.filter((p) => p.config === cfg).sort((a, b) => a.concurrency - b.concurrency);
      const line = (key: 'throughput' | 'p99Ms' | 'p50Ms', dash: string) =>
        out.push(`<polyline fill="none" stroke="${colors[ci % colors.length]}" stroke-width="2"${dash} points="${series.map((p) => `${xPos(panel.x0, p.concurrency).toFixed(1)},${yPos(p[key]).toFixed(1)}`).join(' ')}"/>`);
      line(panel.key, '');
      if (panel.key === 'p99Ms') line('p50Ms', ' stroke-dasharray="4 3"');
    });
  }
  configs.forEach((cfg, ci) => {
    const x = 60 + ci * 170;
    out.push(`<line x1="${x}" x2="${x + 24}" y1="${H - 22}" y2="${H - 22}" stroke="${colors[ci % colors.length]}" stroke-width="3"/>`);
    out.push(`<text x="${x + 30}" y="${H - 18}">${cfg}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

// ---- main -----------------------------------------------------------------------------------

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // Not Linux.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

async function main(): Promise<void> {
  const mlp = benchNetworks().find((n) => n.name === 'mlp')!;
  const rowFloats = mlp.inputDims.reduce((a, b) => a * b, 1);
  const mlpBytes = await planFor((net) => mlp.define(net), mlp.inputDims, 32);
  const tinyBytes = await planFor(tiny, [16], 32);
  const date = new Date().toISOString();
  const loadStart = os.loadavg();
  console.log(`InferRunner bench (${backend}): ${mlp.name} (${mlp.description}); ${os.availableParallelism()} cores; sampling ${SAMPLE_MS} ms per point`);

  const overheadTiny = await overhead(tinyBytes, 16);
  const overheadMlp = await overhead(mlpBytes, rowFloats);
  for (const [name, o] of [['tiny', overheadTiny], ['mlp', overheadMlp]] as const) {
    const copies = o.bareCopiesP50Us === undefined ? '' : `; bare with copies ${o.bareCopiesP50Us.toFixed(1)} us, runner over it +${o.overheadCopiesP50Us!.toFixed(1)}`;
    console.log(`per-request p50, ${name}: bare enqueueV3 ${o.bareP50Us.toFixed(1)} us, runner ${o.runnerP50Us.toFixed(1)} us (+${o.overheadP50Us.toFixed(1)}), runner with bound buffers ${o.runnerBoundP50Us.toFixed(1)} us (+${o.overheadBoundP50Us.toFixed(1)})${copies}`);
  }

  if (overheadOnly) return;
  const input = new Float32Array(rowFloats).map((_, i) => Math.sin(i));
  const points: Point[] = [];
  const configs: Array<{ label: string; contexts: number; batching: boolean }> = [
    ...POOLS.map((c) => ({ label: `${c} context${c > 1 ? 's' : ''}`, contexts: c, batching: false })),
    { label: '2 contexts + batching', contexts: 2, batching: true },
  ];
  for (const cfg of configs) {
    const runner = await trt.InferRunner.create(mlpBytes, { backend, contexts: cfg.contexts, maxQueue: Infinity, batching: cfg.batching ? { maxBatch: 32, maxQueueDelayMs: 0.5 } : undefined });
    for (const c of CONCURRENCY) {
      const p = await sweepPoint(runner, input, c, cfg.label, cfg.contexts, cfg.batching);
      points.push(p);
      console.log(`${cfg.label.padEnd(22)} x${String(c).padEnd(3)} ${p.throughput.toFixed(0).padStart(6)} req/s  p50 ${p.p50Ms.toFixed(2)} ms  p99 ${p.p99Ms.toFixed(2)} ms  batch ${p.meanBatch.toFixed(1)}  util ${(p.utilisation * 100).toFixed(0)}%  loop lag mean ${p.loopLagMeanMs.toFixed(2)} / p99 ${p.loopLagP99Ms.toFixed(2)} / max ${p.loopLagMaxMs.toFixed(1)} ms  other load ${p.otherLoad === null ? '?' : `${Math.round(p.otherLoad * 100)}%`}`);
    }
    await runner.dispose();
  }
  if (quick) return;

  const gpuInfo = gpu ? trt.cuda.Device.get() : null;
  const machine = {
    cpu: cpuModel(), cores: os.availableParallelism(), node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, engineThreads: trt.ThreadPool.stats().threads,
    ...(gpuInfo ? { gpu: gpuInfo.name, computeCapability: gpuInfo.computeCapability.join('.'), cuda: trt.cuda.reason() } : {}),
  };
  const command = gpu ? `node bench/.build/bench/runner/run.js --backend=cuda${outArg ? ' --out=…' : ''}` : 'npm run bench:runner';
  const result = { date, command, backend, network: mlp.name, machine, loadAverage: { start: loadStart, end: os.loadavg() }, sampleMs: SAMPLE_MS, overhead: { tiny: overheadTiny, mlp: overheadMlp }, points };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const json = path.join(RESULTS_DIR, `${RESULT_NAME}.json`);
  fs.writeFileSync(`${json}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  fs.renameSync(`${json}.tmp`, json);
  const svg = path.join(RESULTS_DIR, `${RESULT_NAME}.svg`);
  const where = gpuInfo ? `${gpuInfo.name}, ${machine.cores}-core host` : `${machine.cores}-core ${machine.cpu}`;
  fs.writeFileSync(svg, svgChart(points, `InferRunner on the ${backend} backend: ${mlp.name}, ${where}`));

  const best = (cfg: string) => points.filter((p) => p.config === cfg).reduce((a, b) => (b.throughput > a.throughput ? b : a));
  const rows = points.map((p) => `| ${p.config} | ${p.concurrency} | ${p.throughput.toFixed(0)} | ${p.p50Ms.toFixed(2)} | ${p.p99Ms.toFixed(2)} | ${p.meanBatch.toFixed(1)} | ${Math.round(p.utilisation * 100)}% | ${p.loopLagMeanMs.toFixed(2)} / ${p.loopLagP99Ms.toFixed(2)} / ${p.loopLagMaxMs.toFixed(1)} | ${p.otherLoad === null ? '?' : `${Math.round(p.otherLoad * 100)}%`} |`);
  const section = [
    MARK_START,
    `Run on ${date.slice(0, 10)} with \`npm run bench:runner\` (backend \`${backend}\`).`,
    '',
    gpuInfo
      ? `- Machine: ${gpuInfo.name} (compute ${machine.computeCapability}; ${machine.cuda}), host ${machine.cpu}, ${machine.cores} cores (${machine.os}), Node ${machine.node}.`
      : `- Machine: ${machine.cpu}, ${machine.cores} cores (${machine.os}), Node ${machine.node}; engine pool ${machine.engineThreads} threads.`,
    `- Load average at start / end: ${loadStart.map((x) => x.toFixed(2)).join(' ')} / ${result.loadAverage.end.map((x) => x.toFixed(2)).join(' ')}.`,
    `- Per-request overhead at p50, one request at a time on one context (the figure to compare with the 20 µs GPU target):`,
    `  - near-empty network: bare \`enqueueV3\` ${overheadTiny.bareP50Us.toFixed(1)} µs; \`runner.infer\` ${overheadTiny.runnerP50Us.toFixed(1)} µs (**+${overheadTiny.overheadP50Us.toFixed(1)} µs**, with input/output staging copies); with caller buffers bound (no copies) ${overheadTiny.runnerBoundP50Us.toFixed(1)} µs (**+${overheadTiny.overheadBoundP50Us.toFixed(1)} µs**).`,
    `  - ${mlp.name}: bare ${overheadMlp.bareP50Us.toFixed(1)} µs; runner ${overheadMlp.runnerP50Us.toFixed(1)} µs (+${overheadMlp.overheadP50Us.toFixed(1)} µs); bound ${overheadMlp.runnerBoundP50Us.toFixed(1)} µs (+${overheadMlp.overheadBoundP50Us.toFixed(1)} µs).`,
    ...(gpu
      ? [`  - the same copies by hand (pinned in, \`enqueueV3\`, pinned out, one await): near-empty ${overheadTiny.bareCopiesP50Us!.toFixed(1)} µs, runner with TypedArrays over it **+${overheadTiny.overheadCopiesP50Us!.toFixed(1)} µs**; ${mlp.name} ${overheadMlp.bareCopiesP50Us!.toFixed(1)} µs, **+${overheadMlp.overheadCopiesP50Us!.toFixed(1)} µs**.`]
      : []),
    `- Best throughput: ${configs.map((c) => `${c.label} ${best(c.label).throughput.toFixed(0)} req/s (x${best(c.label).concurrency})`).join('; ')}.`,
    '',
    `![InferRunner throughput and latency](results/${RESULT_NAME}.svg)`,
    '',
    '| config | callers | req/s | p50 ms | p99 ms | mean batch | context util. | loop lag mean / p99 / max ms | other load |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    MARK_END,
  ].join('\n');
  if (outArg) {
    // Elsewhere (the GPU machine's output folder): the section goes next to the JSON, for pasting.
    const md = path.join(RESULTS_DIR, `${RESULT_NAME}.md`);
    fs.writeFileSync(md, `${section}\n`);
    console.log(`wrote ${json}, ${svg} and ${md}`);
    return;
  }
  const text = fs.readFileSync(README_FILE, 'utf8');
  const s = text.indexOf(MARK_START);
  const e = text.indexOf(MARK_END);
  if (s < 0 || e < s) throw new Error(`${README_FILE}: markers ${MARK_START} / ${MARK_END} not found`);
  fs.writeFileSync(README_FILE, text.slice(0, s) + section + text.slice(e + MARK_END.length));
  console.log(`wrote ${path.relative(ROOT, json)}, ${path.relative(ROOT, svg)} and bench/README.md`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
