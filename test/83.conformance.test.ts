/**
 * The ONNX backend conformance suite on the test backend: docs/onnx-support.md must be exactly
 * what the runner produces now, and no case that passed when it was written may fail.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failingByOperator, renderReport, readBaseline, summarize } from './conformance/report.js';
import { unexplainedGaps } from './conformance/tensorrt-support.js';
import { CaseResult, findConformanceRoot, runConformance } from './conformance/runner.js';
import { testBackend } from './helpers/engine.js';

const ROOT = findConformanceRoot(path.resolve(__dirname, '..'));
const REPORT = path.resolve(__dirname, '../docs/onnx-support.md');

/** Case names the committed report lists as not passing. */
function notPassingIn(markdown: string): Set<string> {
  const names = new Set<string>();
  let suite = '';
  for (const line of markdown.split('\n')) {
    const heading = line.match(/^### (\S+)/);
    if (heading) suite = heading[1]!;
    const row = line.match(/^\| (test_\S+|\S+) \| (fail|unsupported|out-of-scope) \|/);
    if (row && suite) names.add(`${suite}/${row[1]}`);
  }
  return names;
}

describe('ONNX backend conformance', () => {
  // The data is not part of the package; where it is absent the test is skipped and says why.
  if (ROOT === undefined) {
    it.skip('skipped: no shared/onnx-conformance data beside the checkout (set TRTN_ONNX_CONFORMANCE)', () => {});
    return;
  }

  it(`matches docs/onnx-support.md and keeps every passing case passing (backend ${testBackend})`, async () => {
    const results: CaseResult[] = await runConformance({ root: ROOT!, backend: testBackend });
    const committed = fs.readFileSync(REPORT, 'utf8');
    const baseline = readBaseline(committed);
    expect(baseline, 'docs/onnx-support.md has no baseline marker').toBeDefined();
    const wasFailing = notPassingIn(committed);
    const regressions = results.filter((r) => r.status !== 'pass' && !wasFailing.has(`${r.suite}/${r.name}`)).map((r) => `${r.suite}/${r.name}: ${r.reason}`);
    expect(regressions, 'cases that passed in docs/onnx-support.md and fail now').toEqual([]);
    // Every operator TensorRT's parser supports passes, but for the parser's own documented restrictions.
    expect(unexplainedGaps(failingByOperator(results)), 'node cases of operators TensorRT\'s parser supports that do not pass').toEqual([]);
    const node = summarize(results.filter((r) => r.suite === 'node'));
    expect(node.pass).toBeGreaterThanOrEqual(baseline!.nodePass);
    expect(summarize(results).pass).toBeGreaterThanOrEqual(baseline!.allPass);
    if (testBackend === 'cpu') {
      // The committed report is the CPU backend's; regenerate it with `npm run conformance -- --write`.
      expect(renderReport(results, 'cpu')).toBe(committed);
    }
  }, 600_000);
});
