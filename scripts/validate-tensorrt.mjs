// npm run validate:tensorrt: checks the tensorrt backend on this machine against real TensorRT.
// Runs the numerical layer suites on it (TRTN_TEST_BACKEND=tensorrt: every layer test compares
// the engine's output with an independent reference) and the examples pinned to it
// (TRTN_BACKEND=tensorrt), then prints a report: TensorRT version and GPU, per test file
// passed / failed / skipped, each failure with its message, the examples' result.
// Exits 0 when everything passed, 1 otherwise (also when the backend is unavailable, saying why).
//
//   npm run validate:tensorrt [-- test/12.layers-conv.test.ts ...]   (default: test/1*.test.ts)
//   npm run validate:tensorrt -- --json report.json                   (also writes the report)
//   npm run validate:tensorrt -- --no-examples
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonPath = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const runExamples = !args.includes('--no-examples');
const requestedFiles = args.filter((a, i) => !a.startsWith('--') && !(jsonAt >= 0 && i === jsonAt + 1));

// 1. Is the backend usable here? Asked of the addon directly, so this works before build:ts.
let addon;
try {
  addon = require('node-gyp-build')(root);
} catch (err) {
  console.error(`validate:tensorrt: the native addon could not be loaded (${err.message}); build it first: npm run build:native`);
  process.exit(1);
}
const backend = addon.getBackends().find((b) => b.name === 'tensorrt');
const library = addon.tensorrtLibraryInfo();
if (!backend.available) {
  console.error('validate:tensorrt: the tensorrt backend is not available on this machine, so nothing was run.');
  console.error(`Reason: ${backend.reason}`);
  if (library.headersVersion === null) console.error('(The addon was built without TensorRT headers; see docs/backends.md, "Building with TensorRT".)');
  process.exit(1);
}
const device = addon.cuda.deviceInfo(0);
const environment = {
  tensorrt: library.version,
  tensorrtPath: library.path,
  headers: library.headersVersion,
  onnxParser: library.onnxParser.loaded ? library.onnxParser.path : `not loaded (${library.onnxParser.reason.split('\n')[0]})`,
  gpu: `${device.name} (compute capability ${device.major}.${device.minor}, ${(device.totalMemory / 2 ** 30).toFixed(1)} GiB)`,
  node: process.version,
};
console.log(`validate:tensorrt: TensorRT ${environment.tensorrt} (${environment.tensorrtPath}), built against headers ${environment.headers}`);
console.log(`GPU: ${environment.gpu}`);

// 2. The numerical suites on the tensorrt backend, through vitest's JSON reporter.
const testFiles = requestedFiles.length
  ? requestedFiles
  : fs.readdirSync(path.join(root, 'test')).filter((f) => /^1.*\.test\.ts$/.test(f)).sort().map((f) => `test/${f}`);
const vitestJson = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trtn-validate-')), 'vitest.json');
console.log(`\nRunning ${testFiles.length} test files with TRTN_TEST_BACKEND=tensorrt ...`);
const vitest = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...testFiles, '--reporter=json', `--outputFile=${vitestJson}`],
  { cwd: root, env: { ...process.env, TRTN_TEST_BACKEND: 'tensorrt' }, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 },
);
const files = [];
let vitestError = null;
if (fs.existsSync(vitestJson)) {
  const report = JSON.parse(fs.readFileSync(vitestJson, 'utf8'));
  for (const file of report.testResults) {
    const count = (status) => file.assertionResults.filter((t) => t.status === status).length;
    files.push({
      file: path.relative(root, file.name),
      passed: count('passed'),
      failed: count('failed'),
      skipped: file.assertionResults.length - count('passed') - count('failed'),
      // A file that fails to load has no tests, only a message.
      error: file.assertionResults.length === 0 && file.status === 'failed' ? file.message : null,
      failures: file.assertionResults
        .filter((t) => t.status === 'failed')
        .map((t) => ({ test: t.fullName, message: (t.failureMessages[0] ?? '').split('\n').slice(0, 6).join('\n') })),
    });
  }
} else {
  vitestError = `vitest wrote no report (exit ${vitest.status}): ${(vitest.stderr || vitest.stdout).slice(-2000)}`;
}

// 3. The examples pinned to the backend (they import the built package: build:ts first).
let examples = { run: false };
if (runExamples) {
  console.log('Running the examples with TRTN_BACKEND=tensorrt ...');
  const build = spawnSync('npm', ['run', 'build:ts'], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
  if (build.status !== 0) {
    examples = { run: true, passed: false, output: `npm run build:ts failed:\n${(build.stderr || build.stdout).slice(-2000)}` };
  } else {
    const r = spawnSync(process.execPath, [path.join(root, 'examples/run-all.mjs')], {
      cwd: root,
      env: { ...process.env, TRTN_BACKEND: 'tensorrt' },
      encoding: 'utf8',
      timeout: 15 * 60_000,
    });
    const output = `${r.stdout}${r.stderr}`;
    examples = { run: true, passed: r.status === 0, output: r.status === 0 ? '' : output.slice(-4000) };
  }
}

// 4. The report.
const totals = files.reduce((t, f) => ({ passed: t.passed + f.passed, failed: t.failed + f.failed, skipped: t.skipped + f.skipped }), { passed: 0, failed: 0, skipped: 0 });
console.log('\n=== tensorrt backend validation ===');
console.log(`TensorRT ${environment.tensorrt} (${environment.tensorrtPath}); headers ${environment.headers}; ONNX parser: ${environment.onnxParser}`);
console.log(`GPU: ${environment.gpu}; Node ${environment.node}\n`);
const width = Math.max(...files.map((f) => f.file.length), 10);
for (const f of files) {
  const state = f.error ? 'ERROR' : f.failed ? 'FAIL' : 'ok';
  console.log(`${state.padEnd(5)} ${f.file.padEnd(width)}  ${String(f.passed).padStart(4)} passed ${String(f.failed).padStart(4)} failed ${String(f.skipped).padStart(4)} skipped`);
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped in ${files.length} files`);
if (vitestError) console.log(`\n${vitestError}`);
for (const f of files) {
  if (f.error) console.log(`\n--- ${f.file} did not run:\n${f.error}`);
  for (const failure of f.failures) console.log(`\n--- ${f.file} > ${failure.test}\n${failure.message}`);
}
if (examples.run) console.log(`\nexamples: ${examples.passed ? 'all passed' : `FAILED\n${examples.output}`}`);
else console.log('\nexamples: not run (--no-examples)');

const ok = !vitestError && totals.failed === 0 && files.every((f) => !f.error) && files.length > 0 && (!examples.run || examples.passed);
if (jsonPath) fs.writeFileSync(jsonPath, JSON.stringify({ ok, environment, totals, files, examples, vitestError }, null, 2) + '\n');
console.log(`\nvalidate:tensorrt: ${ok ? 'PASSED' : 'FAILED'}`);
process.exit(ok ? 0 : 1);
