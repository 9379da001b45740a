#!/usr/bin/env node
'use strict';
// prebuildify calls `<node-gyp> rebuild --target=... --devdir=... --arch=... --release`. This
// shim turns that into a cmake-js build (the build of record) and drops the flags that mean
// nothing for a Node-API build.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const arch = (args.find((a) => a.startsWith('--arch=')) || '').slice('--arch='.length);
const debug = args.includes('--debug');
const cmakeArgs = [require.resolve('cmake-js/bin/cmake-js'), 'rebuild', '--directory', root, '--out', path.join(root, 'build')];
if (arch) cmakeArgs.push('--arch', arch);
if (debug) cmakeArgs.push('--debug');
const r = spawnSync(process.execPath, cmakeArgs, { stdio: 'inherit' });
process.exit(r.status ?? 1);
