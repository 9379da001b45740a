'use strict';
// Rewrites the "sources" list of binding.gyp from the .cpp files under native/ (CPU build).
// binding.gyp is the one source list: CMakeLists.txt reads it too. Run after adding a file;
// test/90.build-files.test.ts fails when the list is stale.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
// GPU sources and the tensorrt backend (it needs the CUDA and TensorRT headers) are compiled by
// CMake only, from their own folders; native/tensorrt/common/ (loading TensorRT at run time)
// needs no headers and is compiled in every build.
const excluded = [/^native\/cuda\//, /^native\/tensorrt\/backend\//, /^native\/tests\//];

function listSources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listSources(rel));
    else if (entry.name.endsWith('.cpp') && !excluded.some((re) => re.test(rel))) out.push(rel);
  }
  return out.sort();
}

function expectedSources() {
  return listSources('native');
}

function main() {
  const gypPath = path.join(root, 'binding.gyp');
  const gyp = JSON.parse(fs.readFileSync(gypPath, 'utf8'));
  gyp.targets[0].sources = expectedSources();
  fs.writeFileSync(gypPath, JSON.stringify(gyp, null, 2) + '\n');
  console.log(`binding.gyp: ${gyp.targets[0].sources.length} sources`);
}

module.exports = { expectedSources };
if (require.main === module) main();
