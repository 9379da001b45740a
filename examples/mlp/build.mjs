// Defines a 3-layer MLP layer by layer, builds it with a dynamic batch (one optimization profile)
// and saves the engine. Run examples/mlp/run.mjs afterwards, in a fresh process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, DataType, Logger, MatrixOperation, ElementWiseOperation, ActivationType, Severity } from 'tensorrt-node';
import { randomFloats } from '../common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sizes = [64, 128, 64, 10];

const logger = new Logger(Severity.WARNING);
const builder = new Builder(logger);
const network = builder.createNetworkV2();

let x = network.addInput('features', DataType.FLOAT, [-1, sizes[0]]);
for (let l = 0; l + 1 < sizes.length; l += 1) {
  const [inF, outF] = [sizes[l], sizes[l + 1]];
  const w = network.addConstant([inF, outF], randomFloats(inF * outF, 100 + l, 1 / Math.sqrt(inF)));
  const b = network.addConstant([1, outF], randomFloats(outF, 200 + l, 0.1));
  const mm = network.addMatrixMultiply(x, MatrixOperation.NONE, w.getOutput(0), MatrixOperation.NONE);
  mm.name = `fc${l}`;
  const add = network.addElementWise(mm.getOutput(0), b.getOutput(0), ElementWiseOperation.SUM);
  x = add.getOutput(0);
  if (l + 2 < sizes.length) x = network.addActivation(x, ActivationType.RELU).getOutput(0);
}
const scores = network.addSoftMax(x);
scores.axes = 1 << 1;
scores.getOutput(0).name = 'probabilities';
network.markOutput(scores.getOutput(0));

const config = builder.createBuilderConfig();
const profile = builder.createOptimizationProfile();
profile.setShape('features', [1, sizes[0]], [8, sizes[0]], [64, sizes[0]]);
config.addOptimizationProfile(profile);

const plan = await builder.buildSerializedNetwork(network, config);
fs.writeFileSync(path.join(here, 'mlp.engine'), plan.data);
console.log(`mlp: built ${network.numLayers} layers into a ${plan.nbytes}-byte engine (mlp.engine)`);
builder.dispose();
