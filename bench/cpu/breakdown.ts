/**
 * Per-layer analysis: times each stage of the CNN and ResNet benchmarks as a one-stage network
 * (same shapes, same definitions on both sides), plus a near-empty network that shows the fixed
 * per-call cost of each execution path. Prints a table; writes nothing.
 *
 * With --ort-levels, instead times ORT alone on the full benchmark networks at each graph
 * optimization level, to show what ORT's graph rewrites (e.g. the NCHWc layout at 'all') are worth.
 *
 *   npx tsc -p bench/tsconfig.json && node bench/.build/bench/cpu/breakdown.js [--only=cnn|resnet|overhead] [--batch=N]
 *   node bench/.build/bench/cpu/breakdown.js --ort-levels [--only=mlp|cnn|resnet]
 */
import * as os from 'node:os';
import * as trt from '../../lib/index.js';
import { encodeOnnxModel } from '../../test/helpers/onnx.js';
import { createOrtSession, toOrtFeeds } from '../../test/helpers/ort.js';
import { randomFloat32 } from '../../test/helpers/random.js';
import { CaseResult, benchCase, buildEngine, cell, createSession } from './harness.js';
import {
  BenchNetwork,
  ConvWeights,
  benchNetworks,
  OnnxGraphBuilder,
  WeightSource,
  batchNorm,
  conv3x3,
  trtConv,
  trtDense,
  trtMaxPool2x2,
  trtOutput,
  trtRelu,
} from './networks.js';
import { Method, measure, summarize } from './timing.js';

/** One stage: maps input 'x' to its output on each side. */
interface Stage {
  group: string;
  name: string;
  inputDims: number[];
  outputDims: number[];
  ours(net: trt.NetworkDefinition, x: trt.ITensor): trt.ITensor;
  onnx(g: OnnxGraphBuilder, x: string): string;
}

function toNetwork(s: Stage): BenchNetwork {
  return {
    name: `${s.group}.${s.name}`,
    description: s.name,
    inputDims: s.inputDims,
    outputDims: s.outputDims,
    define(net) {
      trtOutput(net, s.ours(net, net.addInput('x', trt.DataType.FLOAT, [-1, ...s.inputDims])));
    },
    onnx() {
      const g = new OnnxGraphBuilder();
      return g.graph(`${s.group}_${s.name}`, s.onnx(g, 'x'), s.inputDims, s.outputDims);
    },
  };
}

const w = new WeightSource(900);

function convRelu(group: string, name: string, c: number, k: number, hw: number, conv: ConvWeights = conv3x3(w, c, k, true)): Stage {
  return {
    group,
    name,
    inputDims: [c, hw, hw],
    outputDims: [k, hw, hw],
    ours: (net, x) => trtRelu(net, trtConv(net, x, conv)),
    onnx: (g, x) => g.relu(g.conv(x, conv)),
  };
}

function maxPool(group: string, name: string, c: number, hw: number): Stage {
  return {
    group,
    name,
    inputDims: [c, hw, hw],
    outputDims: [c, hw / 2, hw / 2],
    ours: (net, x) => trtMaxPool2x2(net, x),
    onnx: (g, x) => g.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }),
  };
}

function stages(): Stage[] {
  const fcW = w.he(640, 64);
  const fcB = w.uniform(10, -0.1, 0.1);
  const resConv = conv3x3(w, 64, 64, false);
  const resBn = batchNorm(w, 64);
  return [
    // Fixed cost of a call: one ReLU on 16 floats.
    {
      group: 'overhead',
      name: 'relu[16]',
      inputDims: [16],
      outputDims: [16],
      ours: (net, x) => trtRelu(net, x),
      onnx: (g, x) => g.relu(x),
    },
    convRelu('cnn', 'conv1 3->32 @32', 3, 32, 32),
    convRelu('cnn', 'conv2 32->32 @32', 32, 32, 32),
    maxPool('cnn', 'pool1 32 @32', 32, 32),
    convRelu('cnn', 'conv3 32->64 @16', 32, 64, 16),
    convRelu('cnn', 'conv4 64->64 @16', 64, 64, 16),
    maxPool('cnn', 'pool2 64 @16', 64, 16),
    {
      group: 'cnn',
      name: 'gap+fc 64 @8',
      inputDims: [64, 8, 8],
      outputDims: [10],
      ours: (net, x) => trtDense(net, net.addReduce(x, trt.ReduceOperation.AVG, (1 << 2) | (1 << 3), false).getOutput(0), fcW, fcB, 64, 10),
      onnx: (g, x) => g.dense(g.op('ReduceMean', [x], { axes: [2, 3], keepdims: 0 }), fcW, fcB, 64, 10),
    },
    {
      group: 'resnet',
      name: 'conv+bn+relu 64 @56',
      inputDims: [64, 56, 56],
      outputDims: [64, 56, 56],
      ours: (net, x) => trtRelu(net, net.addScale(trtConv(net, x, resConv), trt.ScaleMode.CHANNEL, resBn.shift, resBn.scale).getOutput(0)),
      onnx: (g, x) => g.relu(g.batchNorm(g.conv(x, resConv), resBn)),
    },
    {
      group: 'resnet',
      name: 'add+relu 64 @56',
      inputDims: [64, 56, 56],
      outputDims: [64, 56, 56],
      // x + relu(x) stands in for the residual add: two distinct operands, as in the block.
      ours: (net, x) => trtRelu(net, net.addElementWise(trtRelu(net, x), x, trt.ElementWiseOperation.SUM).getOutput(0)),
      onnx: (g, x) => g.relu(g.op('Add', [g.relu(x), x])),
    },
  ];
}

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const timing = { warmup: 10, targetMs: 900, minIterations: 15, rounds: 6 };

/** ORT alone on each full network at every graph optimization level, interleaved. */
async function ortLevels(only: string | undefined, batches: number[]): Promise<void> {
  const levels = ['disabled', 'basic', 'extended', 'all'] as const;
  for (const network of benchNetworks().filter((n) => !only || n.name === only)) {
    const model = encodeOnnxModel(network.onnx());
    const sessions = await Promise.all(
      levels.map((level) => createOrtSession(model, { graphOptimizationLevel: level, intraOpNumThreads: os.availableParallelism() })),
    );
    for (const batch of batches) {
      const dims = [batch, ...network.inputDims];
      const x = randomFloat32(dims.reduce((a, b) => a * b, 1), 7 + batch);
      const methods: Method[] = sessions.map((s) => {
        const feeds = toOrtFeeds(s, { x: { dims, data: x } });
        return { kind: 'async', run: () => s.run(feeds) };
      });
      const res = (await measure(methods, timing)).map(summarize);
      console.log(`${network.name} b${batch} ORT: ${levels.map((l, i) => `${l} ${cell(res[i]!)}`).join(' | ')}`);
    }
    await Promise.all(sessions.map((s) => s.release()));
  }
}

async function main(): Promise<void> {
  const only = arg('only');
  const batches = arg('batch') ? [Number(arg('batch'))] : [1, 16];
  if (process.argv.includes('--ort-levels')) return ortLevels(only, batches);
  const results: CaseResult[] = [];
  for (const stage of stages().filter((s) => !only || s.group === only || s.group === 'overhead')) {
    const network = toNetwork(stage);
    const session = await createSession(encodeOnnxModel(network.onnx()));
    const engine = await buildEngine(network);
    try {
      for (const batch of batches) {
        const r = await benchCase(network, engine, session, batch, timing);
        console.log(`${r.network} b${batch}: ours async ${cell(r.oursAsync)}, sync ${cell(r.oursSync)}, ORT ${cell(r.ort)}; ratio ${r.ratio.toFixed(2)}`);
        results.push(r);
      }
    } finally {
      engine.dispose();
      await session.release();
    }
  }
  // Share of each stage in its group's total, per batch, for ours (sync) and ORT.
  console.log('\nstage                              batch  ours sync  ORT     sync/ORT  share ours  share ORT');
  for (const r of results) {
    const peers = results.filter((p) => p.batch === r.batch && p.network.split('.')[0] === r.network.split('.')[0]);
    const oursTotal = peers.reduce((a, p) => a + p.oursSync.medianMs, 0);
    const ortTotal = peers.reduce((a, p) => a + p.ort.medianMs, 0);
    console.log(
      `${r.network.padEnd(34)} ${String(r.batch).padStart(5)}  ${r.oursSync.medianMs.toFixed(3).padStart(9)}  ${r.ort.medianMs.toFixed(3).padStart(6)}  ` +
        `${(r.oursSync.medianMs / r.ort.medianMs).toFixed(2).padStart(8)}  ${((100 * r.oursSync.medianMs) / oursTotal).toFixed(0).padStart(9)}%  ${((100 * r.ort.medianMs) / ortTotal).toFixed(0).padStart(8)}%`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
