/**
 * CPU benchmark: tensorrt-node's built-in CPU engine against onnxruntime-node (CPU EP) on the
 * same networks with the same weights. Checks that outputs agree, times both, prints a table,
 * writes bench/results/cpu-latest.json and the figures section of bench/README.md.
 *
 *   npm run bench                      all networks, results written
 *   npm run bench -- --only=resnet     one network, nothing written (for quick looks)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as trt from '../../lib/index.js';
import { encodeOnnxModel } from '../../test/helpers/onnx.js';
import { CaseResult, DEFAULT_TIMING, REL_TOL, benchCase, buildEngine, cell, createSession, pct } from './harness.js';
import { benchNetworks } from './networks.js';

// bench/.build/bench/cpu/run.js -> repository root.
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const BUILD_DIR = path.join(ROOT, 'bench', '.build');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'cpu-latest.json');
const README_FILE = path.join(ROOT, 'bench', 'README.md');
const MARK_START = '<!-- cpu-results:start -->';
const MARK_END = '<!-- cpu-results:end -->';

const BATCHES = [1, 16];
const TARGET_RATIO = 2.0;

interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  onnxruntime: string;
  gemmKernel: string;
  trtnThreads: number;
  ortIntraOpThreads: number;
  os: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // Not Linux: fall through to what Node reports.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function ortVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function gemmKernel(): string {
  const cpu = trt.getBackends().find((b) => b.name === 'cpu');
  return /GEMM micro-kernel:\s*([^)]+)/.exec(cpu?.reason ?? '')?.[1] ?? cpu?.reason ?? 'unknown';
}

function parseArgs(argv: string[]): { only?: string } {
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  return only ? { only } : {};
}

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

function markdownTable(results: CaseResult[]): string {
  const rows = [
    '| network | batch | ours async ms | ours sync ms | ORT ms | ours/ORT (async, median) | other load |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const flag = r.ratio <= TARGET_RATIO ? '' : ' ⚠';
    rows.push(`| ${r.network} | ${r.batch} | ${cell(r.oursAsync)} | ${cell(r.oursSync)} | ${cell(r.ort)} | ${r.ratio.toFixed(2)}${flag} | ${pct(r.otherLoad)} |`);
  }
  return rows.join('\n');
}

function printTable(results: CaseResult[]): void {
  const header = ['network', 'batch', 'ours async', 'ours sync', 'ORT', 'ours/ORT', 'other load'];
  const body = results.map((r) => [
    r.network,
    String(r.batch),
    cell(r.oursAsync),
    cell(r.oursSync),
    cell(r.ort),
    r.ratio.toFixed(2) + (r.ratio <= TARGET_RATIO ? '' : ' !'),
    pct(r.otherLoad),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
  console.log('latency in ms: median (p90); ratio = ours async median / ORT median; target <= 2.0');
  console.log('other load: share of all cores used by other processes while the case was timed');
}

function readmeSection(date: string, machine: MachineInfo, load: { start: number[]; end: number[] }, results: CaseResult[]): string {
  const loadStr = (l: number[]): string => l.map((x) => x.toFixed(2)).join(', ');
  return [
    MARK_START,
    `Run on ${date} with \`npm run bench\`.`,
    '',
    `- CPU: ${machine.cpu}, ${machine.cores} cores (${machine.os})`,
    `- Node ${machine.node}, onnxruntime-node ${machine.onnxruntime}, tensorrt-node GEMM kernel ${machine.gemmKernel}`,
    `- Threads: tensorrt-node pool ${machine.trtnThreads}, ORT intraOpNumThreads ${machine.ortIntraOpThreads}`,
    `- Load average (1, 5, 15 min) at start: ${loadStr(load.start)}; at end: ${loadStr(load.end)}`,
    '',
    'Latency in ms, median (p90). Ratio: ours async median / ORT median (target ≤ 2.0; ⚠ marks a miss).',
    'Other load: share of all cores used by other processes while the case was timed (high values mean noisy figures).',
    '',
    markdownTable(results),
    MARK_END,
  ].join('\n');
}

function writeReadme(section: string): void {
  const text = fs.readFileSync(README_FILE, 'utf8');
  const start = text.indexOf(MARK_START);
  const end = text.indexOf(MARK_END);
  if (start < 0 || end < start) throw new Error(`${README_FILE}: markers ${MARK_START} / ${MARK_END} not found`);
  fs.writeFileSync(README_FILE, text.slice(0, start) + section + text.slice(end + MARK_END.length));
}

/** Writes via a temporary file (git-ignored) so an interrupted run never leaves half a file. */
function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cores = os.availableParallelism();
  // Same thread count on both sides; configure() is false if TRTN_NUM_THREADS chose another size.
  if (!trt.ThreadPool.configure(cores)) console.warn(`warning: tensorrt-node thread pool already sized ${trt.ThreadPool.stats().threads}`);

  const machine: MachineInfo = {
    cpu: cpuModel(),
    cores,
    node: process.version,
    onnxruntime: ortVersion(),
    gemmKernel: gemmKernel(),
    trtnThreads: trt.ThreadPool.stats().threads,
    ortIntraOpThreads: cores,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
  const loadStart = os.loadavg();
  console.log(`CPU: ${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; onnxruntime-node ${machine.onnxruntime}; GEMM kernel ${machine.gemmKernel}`);
  console.log(`threads: ours ${machine.trtnThreads}, ORT ${machine.ortIntraOpThreads}; load average ${loadStart.map((x) => x.toFixed(2)).join(', ')}`);
  if (loadStart[0]! > cores) console.warn(`warning: 1-min load average ${loadStart[0]!.toFixed(2)} exceeds ${cores} cores; figures will be noisy`);

  const networks = benchNetworks().filter((n) => !args.only || n.name === args.only);
  if (networks.length === 0) throw new Error(`--only=${args.only}: no such network (mlp, cnn, resnet)`);
  fs.mkdirSync(BUILD_DIR, { recursive: true });

  const results: CaseResult[] = [];
  for (const network of networks) {
    const model = encodeOnnxModel(network.onnx());
    fs.writeFileSync(path.join(BUILD_DIR, `${network.name}.onnx`), model);
    const session = await createSession(model);
    const engine = await buildEngine(network);
    try {
      for (const batch of BATCHES) {
        const r = await benchCase(network, engine, session, batch);
        console.log(
          `${network.name} b${batch}: ours async ${cell(r.oursAsync)}, sync ${cell(r.oursSync)}, ORT ${cell(r.ort)} ms; ` +
            `ratio ${r.ratio.toFixed(2)} (max |diff| ${r.maxAbsDiff.toExponential(2)}; other load ${pct(r.otherLoad)})`,
        );
        results.push(r);
      }
    } finally {
      engine.dispose();
      await session.release();
    }
  }
  const loadEnd = os.loadavg();

  console.log('');
  printTable(results);

  if (args.only) {
    console.log('\n(--only: results and README not written)');
    return;
  }
  const date = new Date().toISOString();
  writeJsonAtomic(RESULTS_FILE, {
    date,
    command: 'npm run bench',
    machine,
    loadAverage: { start: loadStart, end: loadEnd },
    timing: { ...DEFAULT_TIMING, batches: BATCHES, relativeTolerance: REL_TOL, ortGraphOptimizationLevel: 'all' },
    networks: networks.map((n) => ({ name: n.name, description: n.description, inputDims: n.inputDims, outputDims: n.outputDims })),
    results,
  });
  writeReadme(readmeSection(date.slice(0, 10), machine, { start: loadStart, end: loadEnd }, results));
  console.log(`\nwrote ${path.relative(ROOT, RESULTS_FILE)} and the figures in ${path.relative(ROOT, README_FILE)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
