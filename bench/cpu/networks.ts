/**
 * The benchmark networks, each defined twice from the same weight arrays: layer by layer with
 * tensorrt-node's network API, and as an ONNX graph for onnxruntime. Both take input 'x' with a
 * dynamic batch dimension and produce output 'y'.
 */
import * as trt from '../../lib/index.js';
import { OnnxDataType, floatTensor } from '../../test/helpers/onnx.js';
import type { OnnxAttributeValue, OnnxGraph, OnnxNode, OnnxTensorInit } from '../../test/helpers/onnx.js';
import { randomFloat32 } from '../../test/helpers/random.js';

export interface BenchNetwork {
  name: string;
  description: string;
  /** Input and output dims without the batch dimension. */
  inputDims: number[];
  outputDims: number[];
  /** Adds input 'x' ([-1, ...inputDims]) and output 'y' to `net`. */
  define(net: trt.NetworkDefinition): void;
  /** The same network as an ONNX graph with a symbolic batch dim 'N'. */
  onnx(): OnnxGraph;
}

// ---------------------------------------------------------------------------------------------
// Weights: a seeded PRNG per tensor so both definitions (and every run) see identical values.
// ---------------------------------------------------------------------------------------------

export class WeightSource {
  private seed: number;
  constructor(seed: number) {
    this.seed = seed;
  }
  /** He-uniform, so activations keep their scale through deep ReLU stacks. */
  he(n: number, fanIn: number): Float32Array {
    const a = Math.sqrt(6 / fanIn);
    return randomFloat32(n, this.seed++, -a, a);
  }
  uniform(n: number, lo: number, hi: number): Float32Array {
    return randomFloat32(n, this.seed++, lo, hi);
  }
}

export interface ConvWeights {
  k: number;
  c: number;
  kernel: Float32Array; // [K, C, 3, 3]
  bias?: Float32Array; // [K]
}

export interface BatchNorm {
  scale: Float32Array; // [K], gamma / sqrt(var + eps)
  shift: Float32Array; // [K], beta - mean * scale
}

export function conv3x3(w: WeightSource, c: number, k: number, withBias: boolean): ConvWeights {
  const conv: ConvWeights = { k, c, kernel: w.he(k * c * 9, c * 9) };
  if (withBias) conv.bias = w.uniform(k, -0.1, 0.1);
  return conv;
}

export function batchNorm(w: WeightSource, k: number): BatchNorm {
  return { scale: w.uniform(k, 0.5, 1.5), shift: w.uniform(k, -0.2, 0.2) };
}

// ---------------------------------------------------------------------------------------------
// Layer helpers for each side (also used by breakdown.ts).
// ---------------------------------------------------------------------------------------------

const { ActivationType, DataType, ElementWiseOperation, MatrixOperation, PoolingType, ReduceOperation, ScaleMode } = trt;

export function trtConv(net: trt.NetworkDefinition, x: trt.ITensor, w: ConvWeights): trt.ITensor {
  const conv = net.addConvolutionNd(x, w.k, [3, 3], w.kernel, w.bias);
  conv.paddingNd = [1, 1];
  return conv.getOutput(0);
}

export function trtRelu(net: trt.NetworkDefinition, x: trt.ITensor): trt.ITensor {
  return net.addActivation(x, ActivationType.RELU).getOutput(0);
}

/** x[B, in] @ W[in, out] + b: MatMul plus a [1, out] bias (equal ranks for broadcasting). */
export function trtDense(net: trt.NetworkDefinition, x: trt.ITensor, w: Float32Array, b: Float32Array, inF: number, outF: number): trt.ITensor {
  const mm = net.addMatrixMultiply(x, MatrixOperation.NONE, net.addConstant([inF, outF], w).getOutput(0), MatrixOperation.NONE);
  return net.addElementWise(mm.getOutput(0), net.addConstant([1, outF], b).getOutput(0), ElementWiseOperation.SUM).getOutput(0);
}

/** 2x2 max pool, stride 2 (TensorRT's default pooling stride is 1). */
export function trtMaxPool2x2(net: trt.NetworkDefinition, x: trt.ITensor): trt.ITensor {
  const pool = net.addPoolingNd(x, PoolingType.MAX, [2, 2]);
  pool.strideNd = [2, 2];
  return pool.getOutput(0);
}

export function trtOutput(net: trt.NetworkDefinition, y: trt.ITensor): void {
  y.name = 'y';
  net.markOutput(y);
}

/** Accumulates ONNX nodes and initializers; each op returns the name of its output. */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensorInit[] = [];
  private counter = 0;

  init(dims: number[], data: Float32Array): string {
    const name = `w${this.counter++}`;
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  op(opType: string, inputs: string[], attributes?: Record<string, OnnxAttributeValue>): string {
    const out = `t${this.counter++}`;
    this.nodes.push({ opType, inputs, outputs: [out], ...(attributes ? { attributes } : {}) });
    return out;
  }

  conv(x: string, w: ConvWeights): string {
    const inputs = [x, this.init([w.k, w.c, 3, 3], w.kernel)];
    if (w.bias) inputs.push(this.init([w.k], w.bias));
    return this.op('Conv', inputs, { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
  }

  /** BatchNorm decomposed into Mul and Add with [1, K, 1, 1] constants, as exporters often emit it. */
  batchNorm(x: string, bn: BatchNorm): string {
    const k = bn.scale.length;
    const mul = this.op('Mul', [x, this.init([1, k, 1, 1], bn.scale)]);
    return this.op('Add', [mul, this.init([1, k, 1, 1], bn.shift)]);
  }

  relu(x: string): string {
    return this.op('Relu', [x]);
  }

  dense(x: string, w: Float32Array, b: Float32Array, inF: number, outF: number): string {
    const mm = this.op('MatMul', [x, this.init([inF, outF], w)]);
    return this.op('Add', [mm, this.init([outF], b)]);
  }

  /** The finished graph; `output` (the last op's result) is renamed to 'y'. */
  graph(name: string, output: string, inputDims: number[], outputDims: number[]): OnnxGraph {
    const producer = this.nodes.find((n) => n.outputs[0] === output);
    if (!producer) throw new Error(`${name}: no node produces ${output}`);
    producer.outputs[0] = 'y';
    return {
      name,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: ['N', ...inputDims] }],
      outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: ['N', ...outputDims] }],
      producerName: 'tensorrt-node-bench',
    };
  }
}

// ---------------------------------------------------------------------------------------------
// 1. MLP 784 -> 512 -> 512 -> 10
// ---------------------------------------------------------------------------------------------

function mlp(): BenchNetwork {
  const w = new WeightSource(100);
  const sizes = [784, 512, 512, 10];
  const layers = sizes.slice(1).map((outF, i) => {
    const inF = sizes[i]!;
    return { inF, outF, w: w.he(inF * outF, inF), b: w.uniform(outF, -0.1, 0.1) };
  });
  return {
    name: 'mlp',
    description: 'MLP 784-512-512-10, ReLU',
    inputDims: [784],
    outputDims: [10],
    define(net) {
      let x = net.addInput('x', DataType.FLOAT, [-1, 784]);
      layers.forEach((l, i) => {
        x = trtDense(net, x, l.w, l.b, l.inF, l.outF);
        if (i < layers.length - 1) x = trtRelu(net, x);
      });
      trtOutput(net, x);
    },
    onnx() {
      const g = new OnnxGraphBuilder();
      let x = 'x';
      layers.forEach((l, i) => {
        x = g.dense(x, l.w, l.b, l.inF, l.outF);
        if (i < layers.length - 1) x = g.relu(x);
      });
      return g.graph('mlp', x, [784], [10]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 2. Small CNN on 3x32x32 (CIFAR-like)
// ---------------------------------------------------------------------------------------------

function smallCnn(): BenchNetwork {
  const w = new WeightSource(200);
  const stage1 = [conv3x3(w, 3, 32, true), conv3x3(w, 32, 32, true)];
  const stage2 = [conv3x3(w, 32, 64, true), conv3x3(w, 64, 64, true)];
  const fcW = w.he(64 * 10, 64);
  const fcB = w.uniform(10, -0.1, 0.1);
  return {
    name: 'cnn',
    description: 'CNN 3x32x32: 2x(conv3x3+ReLU) 32, maxpool, 2x(conv3x3+ReLU) 64, maxpool, GAP, FC 64-10',
    inputDims: [3, 32, 32],
    outputDims: [10],
    define(net) {
      let x = net.addInput('x', DataType.FLOAT, [-1, 3, 32, 32]);
      for (const stage of [stage1, stage2]) {
        for (const c of stage) x = trtRelu(net, trtConv(net, x, c));
        x = trtMaxPool2x2(net, x);
      }
      x = net.addReduce(x, ReduceOperation.AVG, (1 << 2) | (1 << 3), false).getOutput(0); // [B, 64]
      trtOutput(net, trtDense(net, x, fcW, fcB, 64, 10));
    },
    onnx() {
      const g = new OnnxGraphBuilder();
      let x = 'x';
      for (const stage of [stage1, stage2]) {
        for (const c of stage) x = g.relu(g.conv(x, c));
        x = g.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
      }
      x = g.op('ReduceMean', [x], { axes: [2, 3], keepdims: 0 }); // opset 17: axes is an attribute
      return g.graph('cnn', g.dense(x, fcW, fcB, 64, 10), [3, 32, 32], [10]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Two ResNet basic blocks on 64x56x56
// ---------------------------------------------------------------------------------------------

function resnetBlocks(): BenchNetwork {
  const w = new WeightSource(300);
  // Convolutions carry no bias: BatchNorm follows each one (as in ResNet).
  const blocks = [0, 1].map(() => ({
    conv1: conv3x3(w, 64, 64, false),
    bn1: batchNorm(w, 64),
    conv2: conv3x3(w, 64, 64, false),
    bn2: batchNorm(w, 64),
  }));
  return {
    name: 'resnet',
    description: 'ResNet basic blocks x2 on 64x56x56: conv3x3+BN+ReLU, conv3x3+BN, residual add, ReLU',
    inputDims: [64, 56, 56],
    outputDims: [64, 56, 56],
    define(net) {
      let x = net.addInput('x', DataType.FLOAT, [-1, 64, 56, 56]);
      const bn = (t: trt.ITensor, p: BatchNorm): trt.ITensor => net.addScale(t, ScaleMode.CHANNEL, p.shift, p.scale).getOutput(0);
      for (const b of blocks) {
        const h = trtRelu(net, bn(trtConv(net, x, b.conv1), b.bn1));
        const r = bn(trtConv(net, h, b.conv2), b.bn2);
        x = trtRelu(net, net.addElementWise(r, x, ElementWiseOperation.SUM).getOutput(0));
      }
      trtOutput(net, x);
    },
    onnx() {
      const g = new OnnxGraphBuilder();
      let x = 'x';
      for (const b of blocks) {
        const h = g.relu(g.batchNorm(g.conv(x, b.conv1), b.bn1));
        const r = g.batchNorm(g.conv(h, b.conv2), b.bn2);
        x = g.relu(g.op('Add', [r, x]));
      }
      return g.graph('resnet', x, [64, 56, 56], [64, 56, 56]);
    },
  };
}

/** All benchmark networks, in report order. */
export function benchNetworks(): BenchNetwork[] {
  return [mlp(), smallCnn(), resnetBlocks()];
}
