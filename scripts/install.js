'use strict';
// npm install hook. Uses a prebuild or an existing build when one loads; otherwise builds the
// addon from source with cmake-js (the build of record) and falls back to node-gyp (CPU only).
// Never downloads anything: cmake-js builds offline through node-api-headers.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function loads() {
  if (process.env.TRTN_FORCE_BUILD) return false;
  try {
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

function run(cmd, args) {
  console.log(`tensorrt-node: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  return r.status === 0;
}

function hasCmake() {
  return spawnSync('cmake', ['--version'], { stdio: 'ignore' }).status === 0;
}

function main() {
  if (loads()) {
    console.log('tensorrt-node: native addon found (prebuild or existing build)');
    return;
  }
  const parallel = String(Math.max(1, require('node:os').availableParallelism?.() ?? 2));
  if (hasCmake()) {
    const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
    const args = [cmakeJs, 'compile', '--directory', root, '--out', path.join(root, 'build'), '--parallel', parallel];
    if (process.env.TRTN_SANITIZE) args.push('--CDTRTN_SANITIZE=ON');
    if (run(process.execPath, args)) return;
    console.error('tensorrt-node: cmake-js build failed; trying node-gyp (CPU backend only)');
  } else {
    console.error('tensorrt-node: cmake not found; building with node-gyp (CPU backend only)');
  }
  const gyp = process.env.npm_config_node_gyp;
  const nodedir = process.env.npm_config_nodedir || path.join(path.dirname(process.execPath), '..');
  const gypArgs = ['rebuild', `--nodedir=${nodedir}`, '-j', parallel];
  const ok = gyp && fs.existsSync(gyp) ? run(process.execPath, [gyp, ...gypArgs]) : run('node-gyp', gypArgs);
  if (!ok) {
    console.error('tensorrt-node: could not build the native addon. Install CMake (>= 3.19) and a C++17 compiler, then run npm rebuild.');
    process.exit(1);
  }
}

main();
