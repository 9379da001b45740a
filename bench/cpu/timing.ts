/** Latency sampling and summary statistics. */
import * as fs from 'node:fs';

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

/**
 * How busy the rest of the machine was: CPU time used by other processes as a fraction of all
 * cores' time, between start() and stop(). Linux only (/proc/stat); null elsewhere.
 */
export class OtherLoadMeter {
  private startTicks: { busy: number; total: number } | null = null;
  private startOwn = process.cpuUsage();
  private static readonly clockTicksPerSec = 100; // USER_HZ, 100 on every mainstream Linux build

  private static ticks(): { busy: number; total: number } | null {
    try {
      const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
      // user nice system idle iowait irq softirq steal; guest time is already inside user/nice.
      const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
      const total = v.reduce((a, b) => a + b, 0);
      const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
      return { busy: total - idle, total };
    } catch {
      return null;
    }
  }

  start(): void {
    this.startTicks = OtherLoadMeter.ticks();
    this.startOwn = process.cpuUsage();
  }

  /** Fraction (0..1) of total CPU capacity used by other processes since start(). */
  stop(): number | null {
    const end = OtherLoadMeter.ticks();
    if (!this.startTicks || !end) return null;
    const own = process.cpuUsage(this.startOwn);
    const ownTicks = ((own.user + own.system) / 1e6) * OtherLoadMeter.clockTicksPerSec;
    const total = end.total - this.startTicks.total;
    if (total <= 0) return null;
    return Math.max(0, (end.busy - this.startTicks.busy - ownTicks) / total);
  }
}
