// A small CNN defined layer by layer: conv(3x3) + ReLU -> max pool -> conv(3x3, stride 2) + ReLU
// -> global average pool -> fully connected. Built for a fixed 1x3x16x16 input and saved.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActivationType, Builder, DataType, ElementWiseOperation, MatrixOperation, PoolingType, ReduceOperation } from 'tensorrt-node';
import { randomFloats } from '../common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const builder = new Builder();
const network = builder.createNetworkV2();

const image = network.addInput('image', DataType.FLOAT, [1, 3, 16, 16]);
const conv1 = network.addConvolutionNd(image, 8, [3, 3], randomFloats(8 * 3 * 9, 1, 0.3), randomFloats(8, 2, 0.1));
conv1.paddingNd = [1, 1];
const relu1 = network.addActivation(conv1.getOutput(0), ActivationType.RELU);
const pool = network.addPoolingNd(relu1.getOutput(0), PoolingType.MAX, [2, 2]);
pool.strideNd = [2, 2];
const conv2 = network.addConvolutionNd(pool.getOutput(0), 16, [3, 3], randomFloats(16 * 8 * 9, 3, 0.2), randomFloats(16, 4, 0.1));
conv2.strideNd = [2, 2];
conv2.paddingNd = [1, 1];
const relu2 = network.addActivation(conv2.getOutput(0), ActivationType.RELU);
const gap = network.addReduce(relu2.getOutput(0), ReduceOperation.AVG, (1 << 2) | (1 << 3), false); // [1, 16]
const fc = network.addMatrixMultiply(gap.getOutput(0), MatrixOperation.NONE, network.addConstant([16, 5], randomFloats(80, 5, 0.5)).getOutput(0), MatrixOperation.NONE);
const logits = network.addElementWise(fc.getOutput(0), network.addConstant([1, 5], randomFloats(5, 6, 0.1)).getOutput(0), ElementWiseOperation.SUM);
logits.getOutput(0).name = 'logits';
network.markOutput(logits.getOutput(0));

const plan = await builder.buildSerializedNetwork(network, builder.createBuilderConfig());
fs.writeFileSync(path.join(here, 'cnn.engine'), plan.data);
console.log(`cnn: built ${network.numLayers} layers into a ${plan.nbytes}-byte engine (cnn.engine)`);
builder.dispose();
