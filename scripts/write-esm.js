'use strict';
// After tsc: writes the ESM entry (re-exporting the CommonJS build, so there is one copy of every
// class and of the native addon whichever way the package is loaded) and copies the native
// typings next to the declarations that import them.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const cjs = require(path.join(root, 'dist/cjs/index.js'));
const names = Object.keys(cjs).filter((n) => n !== 'default' && n !== '__esModule').sort();
const esmDir = path.join(root, 'dist/esm');
fs.mkdirSync(esmDir, { recursive: true });
fs.writeFileSync(
  path.join(esmDir, 'index.mjs'),
  `import cjs from '../cjs/index.js';\n\nexport const {\n${names.map((n) => `  ${n},`).join('\n')}\n} = cjs;\nexport default cjs;\n`,
);
const typingsDir = path.join(root, 'dist/typings');
fs.mkdirSync(typingsDir, { recursive: true });
fs.copyFileSync(path.join(root, 'typings/native.d.ts'), path.join(typingsDir, 'native.d.ts'));
console.log(`dist/esm/index.mjs: ${names.length} exports`);
