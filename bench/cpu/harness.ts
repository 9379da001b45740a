/**
 * One benchmark case: build both sides of a network, check they agree, time them. Shared by
 * run.ts (the report) and breakdown.ts (per-layer analysis).
 */
import * as os from 'node:os';
import type * as ort from 'onnxruntime-node';
import * as trt from '../../lib/index.js';
import { createOrtSession, runOrtSession, toOrtFeeds } from '../../test/helpers/ort.js';
import { randomFloat32 } from '../../test/helpers/random.js';
import type { BenchNetwork } from './networks.js';
import { LatencySummary, Method, OtherLoadMeter, TimingOptions, measure, summarize } from './timing.js';

export const MAX_BATCH = 16;
/** Outputs must agree to this fraction of the largest reference magnitude. */
export const REL_TOL = 1e-3;
// 10 rounds of ~150 ms per method: short enough that load from other jobs hits every method alike.
export const DEFAULT_TIMING: TimingOptions = { warmup: 10, targetMs: 1500, minIterations: 20, rounds: 10 };

export interface CaseResult {
  network: string;
  batch: number;
  oursAsync: LatencySummary;
  oursSync: LatencySummary;
  ort: LatencySummary;
  /** ours async median / ORT median. */
  ratio: number;
  maxAbsDiff: number;
  maxAbsRef: number;
  /** Share of all cores used by other processes while this case was timed (null: unknown). */
  otherLoad: number | null;
}

const quietLogger = new trt.Logger(trt.Severity.WARNING);

/** Ours: dynamic batch with one profile, min 1 / opt 16 / max 16. */
export async function buildEngine(network: BenchNetwork): Promise<trt.CudaEngine> {
  const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
  try {
    const net = builder.createNetworkV2();
    network.define(net);
    const config = builder.createBuilderConfig();
    const profile = builder.createOptimizationProfile();
    const dims = network.inputDims;
    profile.setShape('x', [1, ...dims], [MAX_BATCH, ...dims], [MAX_BATCH, ...dims]);
    config.addOptimizationProfile(profile);
    const plan = await builder.buildSerializedNetwork(net, config);
    return new trt.Runtime(quietLogger, { backend: 'cpu' }).deserializeCudaEngine(plan);
  } finally {
    builder.dispose();
  }
}

/** ORT with its default graph optimizations ('all') and one intra-op thread per core. */
export function createSession(model: Uint8Array): Promise<ort.InferenceSession> {
  return createOrtSession(model, { graphOptimizationLevel: 'all', intraOpNumThreads: os.availableParallelism() });
}

function compare(ours: Float32Array, ref: Float32Array): { maxAbsDiff: number; maxAbsRef: number } {
  if (ours.length !== ref.length) throw new Error(`output sizes differ: ours ${ours.length}, ORT ${ref.length}`);
  let maxAbsDiff = 0;
  let maxAbsRef = 0;
  for (let i = 0; i < ref.length; i += 1) {
    const d = Math.abs(ours[i]! - ref[i]!);
    // A NaN anywhere must fail the check, so it counts as an infinite difference.
    if (!(d <= maxAbsDiff)) maxAbsDiff = Number.isNaN(d) ? Infinity : d;
    maxAbsRef = Math.max(maxAbsRef, Math.abs(ref[i]!));
  }
  return { maxAbsDiff, maxAbsRef };
}

/** Checks ours (both execution paths) against ORT, then times the three methods. */
export async function benchCase(
  network: BenchNetwork,
  engine: trt.CudaEngine,
  session: ort.InferenceSession,
  batch: number,
  timing: TimingOptions = DEFAULT_TIMING,
): Promise<CaseResult> {
  const inDims = [batch, ...network.inputDims];
  const outCount = batch * network.outputDims.reduce((a, b) => a * b, 1);
  const input = randomFloat32(inDims.reduce((a, b) => a * b, 1), 7 + batch);

  // Ours: buffers bound once, as an app serving requests would.
  const context = engine.createExecutionContext();
  context.setInputShape('x', inDims);
  const inBuf = trt.HostBuffer.from(input);
  const outBuf = trt.HostBuffer.forType(trt.DataType.FLOAT, outCount);
  context.setTensorAddress('x', inBuf);
  context.setTensorAddress('y', outBuf);
  const output = outBuf.view(trt.DataType.FLOAT) as Float32Array;

  // ORT: the feed tensor is created once; ORT allocates outputs on every run.
  const feeds = toOrtFeeds(session, { x: { dims: inDims, data: input } });

  try {
    const ref = (await runOrtSession(session, { x: { dims: inDims, data: input } }))['y'];
    if (!ref) throw new Error('ORT produced no output y');
    const checks: Array<[string, () => Promise<void> | void]> = [
      ['enqueueV3', () => context.enqueueV3()],
      ['executeV2', () => void context.executeV2()],
    ];
    let agreement = { maxAbsDiff: 0, maxAbsRef: 0 };
    for (const [label, run] of checks) {
      output.fill(Number.NaN); // a run that writes nothing must fail
      await run();
      agreement = compare(output, ref.data as Float32Array);
      if (!(agreement.maxAbsDiff <= REL_TOL * agreement.maxAbsRef)) {
        throw new Error(
          `${network.name} batch ${batch} (${label}): outputs disagree with ORT: max |diff| ${agreement.maxAbsDiff} > ` +
            `${REL_TOL} x max |ref| ${agreement.maxAbsRef}`,
        );
      }
    }

    const methods: Method[] = [
      { kind: 'async', run: () => context.enqueueV3() },
      { kind: 'sync', run: () => context.executeV2() },
      { kind: 'async', run: () => session.run(feeds) },
    ];
    const meter = new OtherLoadMeter();
    meter.start();
    const [a, s, o] = (await measure(methods, timing)).map(summarize) as [LatencySummary, LatencySummary, LatencySummary];
    const otherLoad = meter.stop();
    return { network: network.name, batch, oursAsync: a, oursSync: s, ort: o, ratio: a.medianMs / o.medianMs, ...agreement, otherLoad };
  } finally {
    context.dispose();
    inBuf.dispose();
    outBuf.dispose();
  }
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));
/** "median (p90)" in ms. */
export const cell = (s: LatencySummary): string => `${fmt(s.medianMs)} (${fmt(s.p90Ms)})`;
/** Other processes' CPU share as a percentage, or "?". */
export const pct = (x: number | null): string => (x === null ? '?' : `${Math.round(100 * x)}%`);
