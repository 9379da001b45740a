/**
 * Finding and loading libnvinfer.so.11 at run time, with stand-in libraries compiled here (the
 * real TensorRT is not needed: the search only dlopens and resolves the C entry points). Each
 * scenario runs in a child process, because the library is loaded once per process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import type { NativeBackendInfo, NativeCudaRuntimeInfo, NativeTensorRTLibraryInfo } from '../typings/native.js';

const root = path.join(__dirname, '..');
const probeScript = path.join(__dirname, 'fixtures/tensorrt-probe.cjs');

function commandExists(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}
const compiler = process.env.CC ?? 'cc';
const haveCompiler = process.platform === 'linux' && commandExists(compiler);

interface Probe {
  info: NativeTensorRTLibraryInfo;
  tensorrt: NativeBackendInfo;
  cuda: NativeCudaRuntimeInfo;
}

// The child's environment: this one without anything that steers the search, plus `extra`.
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['TENSORRT_LIB_DIR', 'LD_LIBRARY_PATH', 'VIRTUAL_ENV', 'CONDA_PREFIX']) delete env[key];
  return { ...env, ...extra };
}

function probe(extra: Record<string, string> = {}): Probe {
  const r = spawnSync(process.execPath, [probeScript, root], { env: childEnv(extra), encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Probe;
}

let work = '';
// A stand-in libnvinfer.so.11 in `dir` whose getInferLibVersion returns `version`; `symbols` picks
// which TensorRT entry points it exports besides.
function fakeNvinfer(dir: string, version: number, symbols = ['createInferBuilder_INTERNAL', 'createInferRuntime_INTERNAL']): string {
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'nvinfer.c');
  const body = [`int getInferLibVersion(void) { return ${version}; }`, ...symbols.map((s) => `void* ${s}(void* a, int b) { (void)a; (void)b; return 0; }`)];
  fs.writeFileSync(src, body.join('\n') + '\n');
  const lib = path.join(dir, 'libnvinfer.so.11');
  execFileSync(compiler, ['-shared', '-fPIC', '-o', lib, src]);
  return lib;
}
function fakeCompanion(dir: string, soname: string, symbol: string): string {
  const src = path.join(dir, `${soname}.c`);
  fs.writeFileSync(src, `void* ${symbol}(void* a, void* b, int c) { (void)a; (void)b; (void)c; return 0; }\n`);
  const lib = path.join(dir, soname);
  execFileSync(compiler, ['-shared', '-fPIC', '-o', lib, src]);
  return lib;
}

const missingDir = () => path.join(work, 'no-such-dir');
let v11 = '';
let v11b = '';
let v10 = '';
let incomplete = '';

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'trtn-loader-'));
  if (!haveCompiler) return;
  v11 = fakeNvinfer(path.join(work, 'v11'), 110100);
  fakeCompanion(path.join(work, 'v11'), 'libnvonnxparser.so.11', 'createNvOnnxParser_INTERNAL');
  v11b = fakeNvinfer(path.join(work, 'v11b'), 110200);
  v10 = fakeNvinfer(path.join(work, 'v10'), 100100);
  incomplete = fakeNvinfer(path.join(work, 'incomplete'), 110100, ['createInferRefitter_INTERNAL']);
});
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('TensorRT library search (no TensorRT installed)', () => {
  it('nothing found: the message lists every candidate, TENSORRT_LIB_DIR first, each with the loader error', () => {
    const { info } = probe({ TENSORRT_LIB_DIR: missingDir() });
    expect(info.loaded).toBe(false);
    expect(info.version).toBeNull();
    expect(info.path).toBeNull();
    const first = path.join(missingDir(), 'libnvinfer.so.11');
    expect(info.searched[0]).toEqual({ path: first, origin: 'TENSORRT_LIB_DIR', error: expect.stringMatching(/No such file or directory/) });
    expect(info.searched[1]).toMatchObject({ path: 'libnvinfer.so.11', origin: expect.stringMatching(/^loader search path/) });
    const standard = info.searched.slice(2, 7).map((s) => s.origin);
    expect(standard).toEqual(['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/local/tensorrt/lib', '/opt/tensorrt/lib', '/usr/local/cuda/lib64']);
    for (const s of info.searched) expect(s.error, s.path).toBeTruthy();
    expect(info.reason).toMatch(/^libnvinfer\.so\.11 \(TensorRT 11\) was not found\. Tried, in order:/);
    // Every candidate appears in the message, in order.
    let at = 0;
    for (const s of info.searched) {
      const i = info.reason.indexOf(`${s.path} (${s.origin}): ${s.error}`, at);
      expect(i, s.path).toBeGreaterThanOrEqual(at);
      at = i;
    }
    expect(info.onnxParser).toEqual({ loaded: false, path: null, reason: 'libnvinfer.so.11 is not loaded' });
  });

  it('tensorrt.libraryInfo() reports the same search in this process', () => {
    const info = trt.tensorrt.libraryInfo();
    expect(typeof info.loaded).toBe('boolean');
    expect(info.searched.length).toBeGreaterThan(0);
    if (!info.loaded) expect(info.reason).toMatch(/Tried, in order:/);
    else expect(info.reason).toBe(`TensorRT ${info.version} (${info.path})`);
  });

  it.skipIf(!haveCompiler)('a libnvinfer.so.11 of another major is refused, naming the path and the version it reports (needs a C compiler)', () => {
    const { info } = probe({ TENSORRT_LIB_DIR: path.dirname(v10) });
    expect(info.loaded).toBe(false);
    const refusal = `found libnvinfer.so.11 at ${v10} reporting TensorRT 10.1.0; this build needs TensorRT 11`;
    expect(info.reason.startsWith(refusal)).toBe(true);
    expect(info.searched[0]).toEqual({ path: v10, origin: 'TENSORRT_LIB_DIR', error: refusal });
  });

  it.skipIf(!haveCompiler)('a TensorRT 11 library older than the headers the backend was compiled against is refused, naming both versions (needs a C compiler)', () => {
    const older = fakeNvinfer(path.join(work, 'v11-0'), 110000);
    const { info } = probe({ TENSORRT_LIB_DIR: path.dirname(older) });
    if (info.headersVersion === null || info.headersVersion.startsWith('11.0.')) {
      // No backend in this build (or 11.0 headers), so no newer headers: the major is all that counts.
      expect(info).toMatchObject({ loaded: true, version: '11.0.0', path: older });
      return;
    }
    const [major, minor] = info.headersVersion.split('.');
    const refusal = `found libnvinfer.so.11 at ${older} reporting TensorRT 11.0.0; this build was compiled against the TensorRT ${major}.${minor} headers and needs TensorRT ${major}.${minor} or newer`;
    expect(info.loaded).toBe(false);
    expect(info.reason.startsWith(refusal)).toBe(true);
    expect(info.searched[0]).toEqual({ path: older, origin: 'TENSORRT_LIB_DIR', error: refusal });
  });

  it.skipIf(!haveCompiler)('a TensorRT 11 libnvinfer in TENSORRT_LIB_DIR loads: version, path, and the ONNX parser next to it (needs a C compiler)', () => {
    const { info } = probe({ TENSORRT_LIB_DIR: path.dirname(v11) });
    expect(info).toMatchObject({ loaded: true, version: '11.1.0', path: v11, reason: `TensorRT 11.1.0 (${v11})` });
    expect(info.searched).toEqual([{ path: v11, origin: 'TENSORRT_LIB_DIR', error: null }]);
    expect(info.onnxParser).toEqual({ loaded: true, path: path.join(path.dirname(v11), 'libnvonnxparser.so.11'), reason: null });
    // The plugin library is optional: its absence is a reason, not an error.
    expect(info.plugins.loaded).toBe(false);
    expect(info.plugins.reason).toMatch(/^libnvinfer_plugin\.so\.11 was not found; tried:\n {2}\S+libnvinfer_plugin\.so\.11 \(next to libnvinfer\)/);
  });

  it.skipIf(!haveCompiler)('TENSORRT_LIB_DIR (colon-separated, in order) comes before the loader search path (needs a C compiler)', () => {
    const { info } = probe({ TENSORRT_LIB_DIR: `${missingDir()}:${path.dirname(v11)}`, LD_LIBRARY_PATH: path.dirname(v11b) });
    expect(info).toMatchObject({ loaded: true, version: '11.1.0', path: v11 });
    expect(info.searched.map((s) => s.path)).toEqual([path.join(missingDir(), 'libnvinfer.so.11'), v11]);
    // Without it, the loader's own search (LD_LIBRARY_PATH here) finds the other one, by its real path.
    const viaLoader = probe({ LD_LIBRARY_PATH: path.dirname(v11b) }).info;
    expect(viaLoader).toMatchObject({ loaded: true, version: '11.2.0', path: v11b });
    expect(viaLoader.searched).toEqual([{ path: 'libnvinfer.so.11', origin: expect.stringMatching(/^loader search path/), error: null }]);
  });

  it.skipIf(!haveCompiler)('a refused library does not stop the search: a later TensorRT 11 one loads (needs a C compiler)', () => {
    const { info } = probe({ TENSORRT_LIB_DIR: path.dirname(v10), LD_LIBRARY_PATH: path.dirname(v11b) });
    expect(info).toMatchObject({ loaded: true, version: '11.2.0', path: v11b });
    expect(info.searched[0]!.error).toMatch(/reporting TensorRT 10\.1\.0; this build needs TensorRT 11$/);
  });

  it.skipIf(!haveCompiler)('the pip wheel layout: <VIRTUAL_ENV>/lib/python3.X/site-packages/tensorrt_libs (needs a C compiler)', () => {
    const venv = path.join(work, 'venv');
    const wheel = fakeNvinfer(path.join(venv, 'lib/python3.12/site-packages/tensorrt_libs'), 110100);
    const { info } = probe({ VIRTUAL_ENV: venv });
    expect(info).toMatchObject({ loaded: true, version: '11.1.0', path: wheel });
    expect(info.searched.at(-1)).toEqual({ path: wheel, origin: 'pip wheel tensorrt_libs (VIRTUAL_ENV)', error: null });
    // After TENSORRT_LIB_DIR, the loader search path and the five standard directories.
    expect(info.searched.length).toBe(7);
  });

  it.skipIf(!haveCompiler)('a library without the required entry points is refused, naming them (needs a C compiler)', () => {
    const { info } = probe({ TENSORRT_LIB_DIR: path.dirname(incomplete) });
    expect(info.loaded).toBe(false);
    expect(info.reason).toMatch(
      new RegExp(`^found libnvinfer\\.so\\.11 at ${incomplete.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} but it does not export createInferBuilder_INTERNAL, createInferRuntime_INTERNAL`),
    );
  });
});

describe('getBackends().tensorrt', () => {
  // What stops the backend, in order: the build, then the GPU, then the library.
  function expectedReason(p: Probe): RegExp | string {
    if (!p.cuda.built) return /^this build of the addon has no TensorRT backend \(it needs the CUDA build/;
    if (p.info.headersVersion === null)
      return 'this build of the addon has no TensorRT backend (TensorRT 11 headers were not found at build time; set TENSORRT_ROOT or TENSORRT_INCLUDE_DIR and rebuild)';
    if (!p.cuda.available) return `TensorRT needs a CUDA GPU: ${p.cuda.reason}`;
    return p.info.reason;
  }

  it('reports the first thing that stops it on this machine (no TensorRT library here)', () => {
    const p = probe({ TENSORRT_LIB_DIR: missingDir() });
    expect(p.tensorrt.available).toBe(false);
    const want = expectedReason(p);
    if (typeof want === 'string') expect(p.tensorrt.reason).toBe(want);
    else expect(p.tensorrt.reason).toMatch(want);
    if (p.info.headersVersion !== null) expect(p.info.headersVersion).toMatch(/^11\.\d+\.\d+$/);
  });

  it.skipIf(!haveCompiler)('with a TensorRT 11 library present: available only where the backend is built and a GPU is usable (needs a C compiler)', () => {
    const p = probe({ TENSORRT_LIB_DIR: path.dirname(v11) });
    const usable = p.cuda.built && p.info.headersVersion !== null && p.cuda.available;
    expect(p.tensorrt.available).toBe(usable);
    if (usable) expect(p.tensorrt.reason).toBe(`TensorRT 11.1.0 (${v11})`);
    else {
      const want = expectedReason(p);
      if (typeof want === 'string') expect(p.tensorrt.reason).toBe(want);
      else expect(p.tensorrt.reason).toMatch(want);
    }
  });
});

describe('npm run validate:tensorrt', () => {
  const tensorrt = trt.getBackends().find((b) => b.name === 'tensorrt')!;
  it.skipIf(tensorrt.available)(
    `exits 1 naming why where the backend is unavailable, running nothing${tensorrt.available ? ' (skipped: the backend is available here, so the script would run the suites)' : ''}`,
    () => {
      const r = spawnSync(process.execPath, [path.join(root, 'scripts/validate-tensorrt.mjs'), '--no-examples'], { cwd: root, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('the tensorrt backend is not available on this machine, so nothing was run.');
      expect(r.stderr).toContain(`Reason: ${tensorrt.reason}`);
      expect(r.stdout).toBe('');
    },
  );

  it('TRTN_BACKEND (how the script pins the examples) replaces auto, and refuses an unavailable or unknown backend (uses dist/: npm run build:ts)', () => {
    const run = (value: string) =>
      spawnSync(process.execPath, ['-e', "const t = require('./dist/cjs/index.js'); try { console.log(JSON.stringify(t.resolveBackend('auto'))); } catch (e) { console.log(JSON.stringify({ error: e.code ?? e.name, message: e.message })); }"], {
        cwd: root,
        env: { ...process.env, TRTN_BACKEND: value },
        encoding: 'utf8',
      });
    const cpu = JSON.parse(run('cpu').stdout) as { name: string; reason: string };
    expect(cpu.name).toBe('cpu');
    expect(cpu.reason).toMatch(/^TRTN_BACKEND=cpu: /);
    const bogus = JSON.parse(run('gpu').stdout) as { error: string; message: string };
    expect(bogus).toEqual({ error: 'RangeError', message: 'Expected \'tensorrt\', \'cuda\' or \'cpu\' for TRTN_BACKEND but received "gpu" of type string' });
    if (!tensorrt.available) {
      const refused = JSON.parse(run('tensorrt').stdout) as { error: string; message: string };
      expect(refused).toEqual({ error: 'UNSUPPORTED', message: `backend 'tensorrt' (TRTN_BACKEND) is not available: ${tensorrt.reason}` });
    }
  });
});
