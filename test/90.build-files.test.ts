/** Packaging: one source list for both builds, a valid gyp fallback, entry points that load. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { expectedSources } = require('../scripts/sync-sources.js') as { expectedSources(): string[] };

describe('build files', () => {
  it('binding.gyp is strict JSON and lists every CPU source (run scripts/sync-sources.js)', () => {
    const gyp = JSON.parse(fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8')) as { targets: Array<{ sources: string[]; defines: string[] }> };
    expect(gyp.targets[0]!.sources).toEqual(expectedSources());
    const napi = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { binary: { napi_versions: number[] } }).binary.napi_versions;
    expect(gyp.targets[0]!.defines).toContain(`NAPI_VERSION=${napi[0]}`);
  });

  it('CMakeLists.txt reads its sources from binding.gyp', () => {
    const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
    expect(cmake).toMatch(/string\(JSON TRTN_NSOURCES LENGTH "\$\{TRTN_GYP\}" targets 0 sources\)/);
    expect(cmake).toMatch(/\$<CONFIG>/);
  });

  // npm bundles node-gyp; Node installs ship their headers in <prefix>/include/node.
  const npmRoot = path.dirname(path.dirname(fs.realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim())));
  const nodeGyp = path.join(npmRoot, 'node_modules/node-gyp/bin/node-gyp.js');
  const nodedir = path.dirname(path.dirname(process.execPath));
  const gypUsable = fs.existsSync(nodeGyp) && fs.existsSync(path.join(nodedir, 'include/node/node_api.h'));

  it.skipIf(!gypUsable)('node-gyp accepts binding.gyp (configure only, offline; skipped when npm has no node-gyp or Node has no headers)', () => {
    // Configure in a copy so the real build/ directory is untouched.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trtn-gyp-'));
    fs.copyFileSync(path.join(root, 'binding.gyp'), path.join(tmp, 'binding.gyp'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(tmp, 'node_modules'));
    const r = spawnSync(process.execPath, [nodeGyp, 'configure', `--nodedir=${nodedir}`], { cwd: tmp, encoding: 'utf8' });
    fs.rmSync(tmp, { recursive: true, force: true });
    expect(r.status, r.stderr).toBe(0);
  });

  it('the ESM and CommonJS entry points export the same classes (one copy of each)', async () => {
    const cjs = (await import(path.join(root, 'dist/cjs/index.js'))) as Record<string, unknown>;
    const esmPath = path.join(root, 'dist/esm/index.mjs');
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import * as m from ${JSON.stringify(esmPath)}; import { createRequire } from 'node:module'; const c = createRequire(import.meta.url)(${JSON.stringify(path.join(root, 'dist/cjs/index.js'))}); console.log(m.Builder === c.Builder && m.TrtError === c.TrtError, Object.keys(m).length);`],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    const [same, count] = r.stdout.trim().split(' ');
    expect(same).toBe('true');
    expect(Number(count)).toBeGreaterThanOrEqual(Object.keys(cjs).filter((k) => k !== 'default' && k !== '__esModule').length);
  });

  it('the package resolves by name (self-reference through "exports")', () => {
    const r = spawnSync(process.execPath, ['-e', "const t = require('tensorrt-node'); console.log(typeof t.Builder, t.getBackends().map((b) => b.name + ':' + b.available).join(','))"], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function cpu:true,cuda:false,tensorrt:false');
  });
});
