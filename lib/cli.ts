#!/usr/bin/env node
/**
 * tensorrt-node command line, in the spirit of trtexec:
 *
 *   tensorrt-node build model.onnx --save model.engine [--shapes x:1x3x224x224]
 *                 [--min x:1x3x224x224 --opt x:8x3x224x224 --max x:32x3x224x224]
 *                 [--backend auto|cpu|cuda|tensorrt] [--opt-level 0-5] [--workspace MiB]
 *   tensorrt-node run model.engine [--iterations 100] [--warmup 10] [--shapes x:1x3x224x224]
 *                 [--backend ...] [--sync]
 *   tensorrt-node inspect model.engine
 *
 * @internal
 */
import * as fs from 'node:fs';
import { Builder } from './Builder.js';
import { HostBuffer } from './buffers.js';
import { HostOutputAllocator } from './HostOutputAllocator.js';
import type { CudaEngine } from './CudaEngine.js';
import { DataType, MemoryPoolType, OptProfileSelector, TensorIOMode, byteSizeOf, isPackedDataType, typedArrayFor } from './enums.js';
import { Logger, Severity } from './Logger.js';
import { OnnxParser } from './onnx/OnnxParser.js';
import { Runtime } from './Runtime.js';
import type { BackendChoice } from './backends.js';

const USAGE = `Usage:
  tensorrt-node build <model.onnx> --save <model.engine> [--shapes name:AxBxC,...]
                [--min name:dims,...] [--opt name:dims,...] [--max name:dims,...]
                [--backend auto|cpu|cuda|tensorrt] [--opt-level 0-5] [--workspace MiB] [--verbose]
  tensorrt-node run <model.engine> [--iterations N] [--warmup N] [--shapes name:dims,...]
                [--backend auto|cpu|cuda|tensorrt] [--sync]
  tensorrt-node inspect <model.engine> [--backend ...]`;

class UsageError extends Error {}

interface Args {
  command: string;
  file: string;
  options: Map<string, string>;
}

const FLAGS = new Set(['verbose', 'sync', 'help']);

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (a === '-h') {
      options.set('help', 'true');
      continue;
    }
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [key, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (FLAGS.has(key)) {
      options.set(key, 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${key} needs a value`);
    options.set(key, value);
  }
  if (options.has('help')) return { command: 'help', file: '', options };
  const [command, file] = positional;
  if (!command) throw new UsageError('missing command (build, run or inspect)');
  if (!file) throw new UsageError(`${command}: missing the model or engine file`);
  if (positional.length > 2) throw new UsageError(`unexpected argument ${positional[2]}`);
  return { command, file, options };
}

/** "x:1x3x224x224,mask:1x224" → { x: [1,3,224,224], mask: [1,224] }. */
export function parseShapes(text: string, flag: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const part of text.split(',')) {
    const at = part.lastIndexOf(':');
    if (at <= 0) throw new UsageError(`${flag}: expected name:dims (e.g. input:1x3x224x224) but received "${part}"`);
    const name = part.slice(0, at);
    const text = part.slice(at + 1);
    // Integers separated by x; negative values only make sense as shape tensor values (-1 in a reshape).
    if (!/^-?\d+(x-?\d+)*$/.test(text)) throw new UsageError(`${flag}: dims of ${name} must be integers separated by x, received "${text}"`);
    const dims = text.split('x').map((d) => Number(d));
    out.set(name, dims);
  }
  return out;
}

function intOption(options: Map<string, string>, key: string, fallback: number, min: number, max: number): number {
  const raw = options.get(key);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${key} expects an integer in [${min}, ${max}] but received "${raw}"`);
  return v;
}

function backendOption(options: Map<string, string>): BackendChoice {
  const b = options.get('backend') ?? 'auto';
  if (!['auto', 'cpu', 'cuda', 'tensorrt'].includes(b)) throw new UsageError(`--backend expects auto, cpu, cuda or tensorrt but received "${b}"`);
  return b as BackendChoice;
}

function progressBar(): (phase: string, step: number, total: number) => void {
  const tty = process.stderr.isTTY;
  let last = '';
  return (phase, step, total) => {
    const width = 30;
    const filled = total > 0 ? Math.round((width * step) / total) : width;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${phase} ${step}/${total}`;
    if (line === last) return;
    last = line;
    if (tty) process.stderr.write(`\r${line}\x1b[K${step === total ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
}

async function build(args: Args): Promise<void> {
  const { options } = args;
  const save = options.get('save');
  if (!save) throw new UsageError('build: --save <model.engine> is required');
  const logger = new Logger(options.has('verbose') ? Severity.VERBOSE : Severity.WARNING);
  const builder = new Builder(logger, { backend: backendOption(options) });
  try {
    const network = builder.createNetworkV2();
    const parser = new OnnxParser(network, logger);
    const started = performance.now();
    if (!parser.parseFromFile(args.file, options.has('verbose') ? Severity.VERBOSE : Severity.WARNING)) {
      const lines = Array.from({ length: parser.numErrors }, (_, i) => `  ${parser.getError(i)!.toString()}`);
      throw new Error(`could not parse ${args.file}:\n${lines.join('\n')}`);
    }
    console.log(`parsed ${args.file}: ${network.numLayers} layers, ${network.numInputs} inputs, ${network.numOutputs} outputs (${(performance.now() - started).toFixed(0)} ms)`);
    const config = builder.createBuilderConfig();
    config.builderOptimizationLevel = intOption(options, 'opt-level', config.builderOptimizationLevel, 0, 5);
    if (options.has('workspace')) config.setMemoryPoolLimit(MemoryPoolType.WORKSPACE, intOption(options, 'workspace', 0, 1, 1 << 20) * 1024 * 1024);
    const shapes = options.has('shapes') ? parseShapes(options.get('shapes')!, '--shapes') : new Map<string, number[]>();
    const min = options.has('min') ? parseShapes(options.get('min')!, '--min') : shapes;
    const opt = options.has('opt') ? parseShapes(options.get('opt')!, '--opt') : shapes;
    const max = options.has('max') ? parseShapes(options.get('max')!, '--max') : shapes;
    // As in trtexec, a shape tensor input's entry gives its values (e.g. --shapes k:5), others' their dims.
    const dynamicInputs: string[] = [];
    const shapeTensorInputs: string[] = [];
    for (let i = 0; i < network.numInputs; i += 1) {
      const input = network.getInput(i);
      if (input.isShapeTensor) shapeTensorInputs.push(input.name);
      else if (input.shape.some((d) => d < 0)) dynamicInputs.push(input.name);
    }
    if (dynamicInputs.length > 0 || shapeTensorInputs.length > 0) {
      const profile = builder.createOptimizationProfile();
      const triple = (name: string, what: string): [number[], number[], number[]] => {
        const o = opt.get(name) ?? min.get(name) ?? max.get(name);
        const lo = min.get(name) ?? o;
        const hi = max.get(name) ?? o;
        if (!o || !lo || !hi) throw new UsageError(`input "${name}" ${what}; give it with --shapes ${name}:<AxBxC> (or --min/--opt/--max)`);
        return [lo, o, hi];
      };
      for (const name of dynamicInputs) profile.setShape(name, ...triple(name, 'has dynamic dimensions'));
      for (const name of shapeTensorInputs) profile.setShapeInput(name, ...triple(name, 'is a shape tensor input: its values decide other dimensions'));
      config.addOptimizationProfile(profile);
    }
    for (const name of new Set([...shapes.keys(), ...min.keys(), ...opt.keys(), ...max.keys()])) {
      if (!Array.from({ length: network.numInputs }, (_, i) => network.getInput(i).name).includes(name)) throw new UsageError(`the model has no input named "${name}"`);
    }
    const buildStarted = performance.now();
    const plan = await builder.buildSerializedNetwork(network, config, { onProgress: progressBar() });
    fs.writeFileSync(save, plan.data);
    console.log(`built for backend ${builder.backend.name} in ${((performance.now() - buildStarted) / 1000).toFixed(2)} s; saved ${plan.nbytes} bytes to ${save}`);
    plan.dispose();
  } finally {
    builder.dispose();
  }
}

function loadEngine(args: Args): { runtime: Runtime; engine: CudaEngine } {
  const runtime = new Runtime(new Logger(Severity.WARNING), { backend: backendOption(args.options) });
  const engine = runtime.deserializeCudaEngine(fs.readFileSync(args.file));
  return { runtime, engine };
}

function describeEngine(engine: CudaEngine): string[] {
  const lines: string[] = [];
  for (let i = 0; i < engine.numIOTensors; i += 1) {
    const name = engine.getIOTensorName(i);
    const mode = engine.getTensorIOMode(name) === TensorIOMode.INPUT ? 'input ' : 'output';
    lines.push(`  ${mode} ${name}: ${DataType[engine.getTensorDataType(name)]} [${engine.getTensorShape(name).join(', ')}]`);
  }
  return lines;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function run(args: Args): Promise<void> {
  const { options } = args;
  const iterations = intOption(options, 'iterations', 100, 1, 10_000_000);
  const warmup = intOption(options, 'warmup', 10, 0, 1_000_000);
  const shapes = options.has('shapes') ? parseShapes(options.get('shapes')!, '--shapes') : new Map<string, number[]>();
  const { runtime, engine } = loadEngine(args);
  const context = engine.createExecutionContext();
  const buffers: HostBuffer[] = [];
  const outputAllocator = new HostOutputAllocator();
  try {
    const inputNames = Array.from({ length: engine.numIOTensors }, (_, i) => engine.getIOTensorName(i)).filter((n) => engine.getTensorIOMode(n) === TensorIOMode.INPUT);
    for (const name of shapes.keys()) if (!inputNames.includes(name)) throw new UsageError(`the engine has no input named "${name}" (inputs: ${inputNames.join(', ')})`);
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) !== TensorIOMode.INPUT) continue;
      let dims = engine.getTensorShape(name);
      const dtype = engine.getTensorDataType(name);
      if (engine.isShapeInferenceIO(name)) {
        // Shape tensor input: --shapes gives its values; by default the profile's OPT values.
        const values = shapes.get(name) ?? engine.getProfileTensorValuesV2(name, 0, OptProfileSelector.OPT);
        const buf = HostBuffer.from(dtype === DataType.INT64 ? BigInt64Array.from(values, (v) => BigInt(v)) : Int32Array.from(values));
        buffers.push(buf);
        context.setTensorAddress(name, buf);
        continue;
      }
      if (dims.some((d) => d < 0)) {
        const given = shapes.get(name);
        // Without --shapes, a dynamic input runs at its profile's OPT shape.
        dims = given ?? engine.getProfileShape(name, 0)[1];
      }
      context.setInputShape(name, dims);
      const count = dims.reduce((a, b) => a * b, 1);
      const data = randomData(dtype, count);
      const buf = HostBuffer.from(data);
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    }
    for (let i = 0; i < engine.numIOTensors; i += 1) {
      const name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) !== TensorIOMode.OUTPUT) continue;
      const dims = context.getTensorShape(name);
      if (dims.some((d) => d < 0)) {
        // Data-dependent dims (NonZero, NMS, ...): memory of the size each run finds.
        context.setOutputAllocator(name, outputAllocator);
        continue;
      }
      const bytes = Math.max(1, byteSizeOf(engine.getTensorDataType(name), dims.reduce((a, b) => a * b, 1)));
      const buf = new HostBuffer(bytes);
      buffers.push(buf);
      context.setTensorAddress(name, buf);
    }
    const once = options.has('sync') ? async () => context.executeV2() : () => context.enqueueV3();
    for (let i = 0; i < warmup; i += 1) await once();
    const times: number[] = [];
    const started = performance.now();
    for (let i = 0; i < iterations; i += 1) {
      const t0 = performance.now();
      await once();
      times.push(performance.now() - t0);
    }
    const total = (performance.now() - started) / 1000;
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(`engine ${args.file} (backend ${runtime.backend.name})`);
    for (const line of describeEngine(engine)) console.log(line);
    console.log(`${iterations} iterations${options.has('sync') ? ' (executeV2)' : ' (enqueueV3)'} after ${warmup} warm-up`);
    console.log(`latency ms: min ${times[0]!.toFixed(3)}  mean ${mean.toFixed(3)}  p50 ${percentile(times, 50).toFixed(3)}  p90 ${percentile(times, 90).toFixed(3)}  p99 ${percentile(times, 99).toFixed(3)}  max ${times[times.length - 1]!.toFixed(3)}`);
    console.log(`throughput: ${(iterations / total).toFixed(1)} inferences/s`);
  } finally {
    for (const b of buffers) b.dispose();
    outputAllocator.dispose();
    context.dispose();
    engine.dispose();
    runtime.dispose();
  }
}

function randomData(dtype: DataType, count: number) {
  const Ctor = typedArrayFor(dtype);
  // INT4 and FP4 fill whole packed bytes (small values in the low nibble).
  const length = isPackedDataType(dtype) ? byteSizeOf(dtype, count) : count;
  const data = new Ctor(new ArrayBuffer(Math.max(1, byteSizeOf(dtype, count))), 0, length);
  for (let i = 0; i < length; i += 1) {
    if (data instanceof BigInt64Array) data[i] = BigInt(i % 7);
    else if (dtype === DataType.FLOAT) data[i] = Math.sin(i) as never;
    else if (dtype === DataType.HALF || dtype === DataType.BF16) data[i] = 0x3c00 as never;
    else if (dtype === DataType.BOOL) data[i] = (i & 1) as never;
    else data[i] = (i % 7) as never;
  }
  return data;
}

function inspect(args: Args): void {
  const { runtime, engine } = loadEngine(args);
  try {
    console.log(`engine ${args.file} (backend ${runtime.backend.name}), ${engine.numOptimizationProfiles} profile(s), device memory ${engine.getDeviceMemorySizeV2()} bytes`);
    for (const line of describeEngine(engine)) console.log(line);
  } finally {
    engine.dispose();
    runtime.dispose();
  }
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  try {
    switch (args.command) {
      case 'help':
        console.log(USAGE);
        return 0;
      case 'build':
        await build(args);
        return 0;
      case 'run':
        await run(args);
        return 0;
      case 'inspect':
        inspect(args);
        return 0;
      default:
        throw new UsageError(`unknown command "${args.command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`error: ${(err as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
