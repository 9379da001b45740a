/** Latency sampling and summary statistics. */

export interface TimingOptions {
  /** Untimed runs before sampling (caches, lazy allocations, thread-pool spin-up). */
  warmup: number;
  /** Sampling stops once both this many ms have passed and minIterations are done. */
  targetMs: number;
  minIterations: number;
  /**
   * Sampling is split into this many rounds, alternating between the methods being compared,
   * so a burst of load from other jobs hits all of them rather than one.
   */
  rounds: number;
}

export interface LatencySummary {
  medianMs: number;
  p90Ms: number;
  minMs: number;
  iterations: number;
}

/** One way of running an inference: sync methods are timed without an await in the loop. */
export type Method = { kind: 'sync'; run: () => unknown } | { kind: 'async'; run: () => Promise<unknown> };

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

async function sampleFor(method: Method, budgetMs: number, minIterations: number, out: number[]): Promise<void> {
  const start = nowMs();
  let n = 0;
  while (n < minIterations || nowMs() - start < budgetMs) {
    const t0 = nowMs();
    if (method.kind === 'sync') method.run();
    else await method.run();
    out.push(nowMs() - t0);
    n += 1;
  }
}

/** Warms up and samples every method, interleaved by rounds; returns per-method latencies (ms). */
export async function measure(methods: Method[], opts: TimingOptions): Promise<number[][]> {
  for (const m of methods) {
    for (let i = 0; i < opts.warmup; i += 1) {
      if (m.kind === 'sync') m.run();
      else await m.run();
    }
  }
  const samples = methods.map((): number[] => []);
  const perRoundMs = opts.targetMs / opts.rounds;
  const perRoundMin = Math.ceil(opts.minIterations / opts.rounds);
  for (let r = 0; r < opts.rounds; r += 1) {
    for (let i = 0; i < methods.length; i += 1) await sampleFor(methods[i]!, perRoundMs, perRoundMin, samples[i]!);
  }
  return samples;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs: median, p90Ms: percentile(sorted, 90), minMs: sorted[0]!, iterations: sorted.length };
}
