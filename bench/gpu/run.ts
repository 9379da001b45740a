/**
 * GPU benchmark: the built-in engine's cuda backend against PyTorch on the same GPU, in one run.
 * Networks (as bench/gpu/torch_bench.py defines them): ResNet-18 and ResNet-50 on 3x224x224
 * (BatchNorm folded into the convolutions' bias, as an inference engine does), and an MLP
 * 1024-4096-4096-1000; FP32 and FP16 (strongly typed: the input, weights and every tensor in that
 * type); batch 1 and 32. Ours: the median wall time of `await context.enqueueV3(stream)` on
 * device buffers. PyTorch: eager and CUDA-graph replay, timed with CUDA events by
 * torch_bench.py, whose JSON this reads (--torch=path). Ratio = ours / PyTorch (lower is better).
 *
 * On the GPU machine (see bench/README.md for the exact command):
 *   node bench/.build/bench/gpu/run.js [--torch=bench/results/torch-h200.json] [--iterations=N] [--out=file.json]
 *     [--networks=resnet50,mlp] [--dtypes=fp16] [--batches=32]   (subsets, e.g. for a profiler)
 */
import * as fs from 'node:fs';
import * as trt from '../../lib/index.js';
import { mulberry32 } from '../../test/helpers/random.js';
import { toFloat16Bits } from '../../test/helpers/onnx.js';

const { cuda, DataType } = trt;
type Dtype = 'fp32' | 'fp16';

/** Deterministic weights in the network's type (He-style scale so activations stay finite). */
class Weights {
  private readonly rnd = mulberry32(1234);
  constructor(private readonly dtype: Dtype) {}
  take(count: number, scale: number): trt.Weights {
    const v = Float32Array.from({ length: count }, () => (this.rnd() * 2 - 1) * scale);
    return this.dtype === 'fp16' ? new trt.Weights(DataType.HALF, toFloat16Bits(v)) : new trt.Weights(v);
  }
}

function conv(net: trt.NetworkDefinition, w: Weights, x: trt.ITensor, cout: number, k: number, stride: number, relu: boolean): trt.ITensor {
  const cin = x.shape[1]!;
  const layer = net.addConvolutionNd(x, cout, [k, k], w.take(cout * cin * k * k, Math.sqrt(2 / (cin * k * k))), w.take(cout, 0.1));
  layer.strideNd = [stride, stride];
  layer.paddingNd = [(k - 1) >> 1, (k - 1) >> 1];
  const y = layer.getOutput(0);
  return relu ? net.addActivation(y, trt.ActivationType.RELU).getOutput(0) : y;
}

function residual(net: trt.NetworkDefinition, y: trt.ITensor, shortcut: trt.ITensor): trt.ITensor {
  const sum = net.addElementWise(y, shortcut, trt.ElementWiseOperation.SUM).getOutput(0);
  return net.addActivation(sum, trt.ActivationType.RELU).getOutput(0);
}

function resnet(net: trt.NetworkDefinition, dtype: Dtype, batch: number, bottleneck: boolean, layers: number[]): void {
  const w = new Weights(dtype);
  const type = dtype === 'fp16' ? DataType.HALF : DataType.FLOAT;
  let x = conv(net, w, net.addInput('x', type, [batch, 3, 224, 224]), 64, 7, 2, true);
  const pool = net.addPoolingNd(x, trt.PoolingType.MAX, [3, 3]);
  pool.strideNd = [2, 2];
  pool.paddingNd = [1, 1];
  x = pool.getOutput(0);
  const expansion = bottleneck ? 4 : 1;
  [64, 128, 256, 512].forEach((width, stage) => {
    for (let b = 0; b < layers[stage]!; b += 1) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const cout = width * expansion;
      const shortcut = stride !== 1 || x.shape[1] !== cout ? conv(net, w, x, cout, 1, stride, false) : x;
      let y: trt.ITensor;
      if (bottleneck) {
        y = conv(net, w, x, width, 1, 1, true);
        y = conv(net, w, y, width, 3, stride, true);
        y = conv(net, w, y, cout, 1, 1, false);
      } else {
        y = conv(net, w, x, width, 3, stride, true);
        y = conv(net, w, y, cout, 3, 1, false);
      }
      x = residual(net, y, shortcut);
    }
  });
  const gap = net.addReduce(x, trt.ReduceOperation.AVG, 0b1100, true).getOutput(0);
  const flat = net.addShuffle(gap);
  flat.reshapeDims = [batch, x.shape[1]!];
  const out = dense(net, w, flat.getOutput(0), 1000, false);
  out.name = 'y';
  net.markOutput(out);
}

function dense(net: trt.NetworkDefinition, w: Weights, x: trt.ITensor, out: number, relu: boolean): trt.ITensor {
  const inF = x.shape[1]!;
  const weights = net.addConstant([inF, out], w.take(inF * out, Math.sqrt(2 / inF))).getOutput(0);
  const mm = net.addMatrixMultiply(x, trt.MatrixOperation.NONE, weights, trt.MatrixOperation.NONE).getOutput(0);
  const bias = net.addConstant([1, out], w.take(out, 0.1)).getOutput(0);
  const y = net.addElementWise(mm, bias, trt.ElementWiseOperation.SUM).getOutput(0);
  return relu ? net.addActivation(y, trt.ActivationType.RELU).getOutput(0) : y;
}

function mlp(net: trt.NetworkDefinition, dtype: Dtype, batch: number): void {
  const w = new Weights(dtype);
  let x = net.addInput('x', dtype === 'fp16' ? DataType.HALF : DataType.FLOAT, [batch, 1024]);
  x = dense(net, w, x, 4096, true);
  x = dense(net, w, x, 4096, true);
  const y = dense(net, w, x, 1000, false);
  y.name = 'y';
  net.markOutput(y);
}

const NETWORKS: Record<string, (net: trt.NetworkDefinition, dtype: Dtype, batch: number) => void> = {
  resnet18: (net, d, b) => resnet(net, d, b, false, [2, 2, 2, 2]),
  resnet50: (net, d, b) => resnet(net, d, b, true, [3, 4, 6, 3]),
  mlp,
};

interface TorchCase {
  network: string;
  dtype: Dtype;
  batch: number;
  eager_ms: number;
  graph_ms: number;
}

function option(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

async function main(): Promise<void> {
  const iterations = Number(option('iterations', '50'));
  const torch = JSON.parse(fs.readFileSync(option('torch', 'bench/results/torch-h200.json'), 'utf8')) as { device: string; torch: string; cases: TorchCase[] };
  const logger = new trt.Logger(trt.Severity.WARNING);
  const rows: Array<Record<string, unknown>> = [];
  console.log(`device: ${cuda.Device.get(0).name}; torch ${torch.torch} on ${torch.device}`);
  console.log('network   dtype batch   ours ms  eager ms  graph ms  ours/eager  ours/graph');
  const pick = (name: string, all: string[]) => option(name, all.join(',')).split(',').filter((v) => all.includes(v));
  const networks = pick('networks', Object.keys(NETWORKS));
  const dtypes = pick('dtypes', ['fp32', 'fp16']) as Dtype[];
  const batches = pick('batches', ['1', '32']).map(Number);
  for (const [name, define] of Object.entries(NETWORKS).filter(([n]) => networks.includes(n))) {
    for (const dtype of dtypes) {
      for (const batch of batches) {
        const builder = new trt.Builder(logger, { backend: 'cuda' });
        const network = builder.createNetworkV2();
        define(network, dtype, batch);
        const plan = await builder.buildSerializedNetwork(network, builder.createBuilderConfig());
        builder.dispose();
        const runtime = new trt.Runtime(logger, { backend: 'cuda' });
        const engine = runtime.deserializeCudaEngine(plan);
        plan.dispose();
        const context = engine.createExecutionContext();
        const stream = new cuda.Stream();
        const bytes = (t: string) => trt.byteSizeOf(engine.getTensorDataType(t), context.getTensorShape(t).reduce((a, b) => a * b, 1));
        const input = new cuda.DeviceBuffer(bytes('x'));
        const output = new cuda.DeviceBuffer(bytes('y'));
        input.fill(0);
        context.setTensorAddress('x', input);
        context.setTensorAddress('y', output);
        for (let i = 0; i < 10; i += 1) await context.enqueueV3(stream);
        const times: number[] = [];
        for (let i = 0; i < iterations; i += 1) {
          const t0 = performance.now();
          await context.enqueueV3(stream);
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        const ours = times[times.length >> 1]!;
        const peer = torch.cases.find((c) => c.network === name && c.dtype === dtype && c.batch === batch);
        const row = { network: name, dtype, batch, ours_ms: ours, eager_ms: peer?.eager_ms, graph_ms: peer?.graph_ms, vs_eager: peer ? ours / peer.eager_ms : null, vs_graph: peer ? ours / peer.graph_ms : null };
        rows.push(row);
        const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '-' : v.toFixed(d)).padStart(9);
        console.log(`${name.padEnd(9)} ${dtype.padEnd(5)} ${String(batch).padStart(5)} ${f(ours)} ${f(peer?.eager_ms)} ${f(peer?.graph_ms)}   ${f(row.vs_eager, 2)}   ${f(row.vs_graph, 2)}`);
        input.dispose();
        output.dispose();
        context.dispose();
        stream.dispose();
        engine.dispose();
        runtime.dispose();
      }
    }
  }
  const out = option('out', '');
  if (out) fs.writeFileSync(out, JSON.stringify({ device: cuda.Device.get(0).name, torch: torch.torch, iterations, rows }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
