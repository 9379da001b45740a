/**
 * The tensorrt-node command line (lib/cli.ts): build an engine from ONNX with shapes, run it with
 * latency percentiles, inspect it, and usage errors with exit code 2.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main, parseShapes } from '../lib/cli.js';
import { OnnxDataType, encodeOnnxModel, floatTensor } from './helpers/onnx.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trtn-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

function writeModel(): string {
  const file = path.join(tmp, 'scale.onnx');
  const bytes = encodeOnnxModel({
    nodes: [
      { opType: 'Mul', inputs: ['x', 'two'], outputs: ['y'], name: 'double' },
      { opType: 'Relu', inputs: ['y'], outputs: ['z'], name: 'relu' },
    ],
    inputs: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: ['batch', 16] }],
    outputs: [{ name: 'z', dataType: OnnxDataType.FLOAT, dims: ['batch', 16] }],
    initializers: [floatTensor('two', [1, 1], [2])],
  });
  fs.writeFileSync(file, bytes);
  return file;
}

describe('tensorrt-node CLI', () => {
  it('parses shape lists and rejects malformed ones', () => {
    expect([...parseShapes('x:1x3x224x224,mask:1x224', '--shapes')]).toEqual([
      ['x', [1, 3, 224, 224]],
      ['mask', [1, 224]],
    ]);
    expect(() => parseShapes('x=1x3', '--shapes')).toThrow(/expected name:dims/);
    expect(() => parseShapes('x:1xax3', '--shapes')).toThrow(/integers separated by x/);
    expect(() => parseShapes('x:1x', '--shapes')).toThrow(/integers separated by x/);
    expect(() => parseShapes('x:', '--shapes')).toThrow(/integers separated by x/);
    expect([...parseShapes('shape:2x-1', '--shapes')]).toEqual([['shape', [2, -1]]]);
  });

  it('builds with --min/--opt/--max, runs with percentiles and throughput, and inspects', async () => {
    const model = writeModel();
    const engine = path.join(tmp, 'scale.engine');
    const built = await cli('build', model, '--save', engine, '--min', 'x:1x16', '--opt', 'x:4x16', '--max', 'x:8x16', '--backend', 'cpu');
    expect(built.code).toBe(0);
    expect(built.out).toMatch(/parsed .*scale\.onnx: \d+ layers, 1 inputs, 1 outputs/);
    expect(built.out).toMatch(/built for backend cpu .* saved \d+ bytes/);
    expect(built.err).toMatch(/\[#+\] /);
    expect(fs.statSync(engine).size).toBeGreaterThan(64);

    const ran = await cli('run', engine, '--iterations', '20', '--warmup', '2', '--shapes', 'x:3x16', '--backend', 'cpu');
    expect(ran.code).toBe(0);
    expect(ran.out).toMatch(/20 iterations \(enqueueV3\)/);
    expect(ran.out).toMatch(/latency ms: min [\d.]+ {2}mean [\d.]+ {2}p50 [\d.]+ {2}p90 [\d.]+ {2}p99 [\d.]+ {2}max [\d.]+/);
    expect(ran.out).toMatch(/throughput: [\d.]+ inferences\/s/);

    const inspected = await cli('inspect', engine, '--backend', 'cpu');
    expect(inspected.code).toBe(0);
    expect(inspected.out).toMatch(/input {2}x: FLOAT \[-1, 16\]/);
    expect(inspected.out).toMatch(/output z: FLOAT \[-1, 16\]/);
  });

  it('takes shape tensor input values from --min/--opt/--max and --shapes, as trtexec does', async () => {
    const model = path.join(tmp, 'reshape.onnx');
    fs.writeFileSync(
      model,
      encodeOnnxModel({
        nodes: [{ opType: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'], name: 'reshape' }],
        inputs: [
          { name: 'x', dataType: OnnxDataType.FLOAT, dims: [16] },
          { name: 'shape', dataType: OnnxDataType.INT64, dims: [2] },
        ],
        outputs: [{ name: 'y', dataType: OnnxDataType.FLOAT, dims: [-1, -1] }],
      }),
    );
    const engine = path.join(tmp, 'reshape.engine');
    const missing = await cli('build', model, '--save', engine, '--backend', 'cpu');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/input "shape" is a shape tensor input/);
    const built = await cli('build', model, '--save', engine, '--min', 'shape:1x1', '--opt', 'shape:2x8', '--max', 'shape:16x16', '--backend', 'cpu');
    expect(built.code).toBe(0);
    const ran = await cli('run', engine, '--iterations', '3', '--warmup', '0', '--shapes', 'shape:4x4', '--backend', 'cpu');
    expect(ran.code).toBe(0);
    expect(ran.out).toMatch(/3 iterations/);
    const unknown = await cli('run', engine, '--shapes', 'shap:4x4', '--backend', 'cpu');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no input named "shap" \(inputs: x, shape\)/);
  });

  it('runs a model with data-dependent output dims (NonZero) through an output allocator', async () => {
    const model = path.join(tmp, 'nonzero.onnx');
    fs.writeFileSync(
      model,
      encodeOnnxModel({
        nodes: [{ opType: 'NonZero', inputs: ['x'], outputs: ['i'], name: 'nz' }],
        inputs: [{ name: 'x', dataType: OnnxDataType.FLOAT, dims: [4, 6] }],
        outputs: [{ name: 'i', dataType: OnnxDataType.INT64, dims: [2, 'n'] }],
      }),
    );
    const engine = path.join(tmp, 'nonzero.engine');
    expect((await cli('build', model, '--save', engine, '--backend', 'cpu')).code).toBe(0);
    const inspected = await cli('inspect', engine, '--backend', 'cpu');
    expect(inspected.out).toMatch(/output i: INT64 \[2, -1\]/);
    const ran = await cli('run', engine, '--iterations', '3', '--warmup', '1', '--backend', 'cpu');
    expect(ran.code, ran.err).toBe(0);
    expect(ran.out).toMatch(/3 iterations \(enqueueV3\)/);
  });

  it('exits 2 with usage on bad arguments and 1 with the parser errors on a bad model', async () => {
    expect((await cli()).code).toBe(2);
    const noSave = await cli('build', writeModel());
    expect(noSave.code).toBe(2);
    expect(noSave.err).toMatch(/--save <model.engine> is required/);
    const dynamicNoShapes = await cli('build', writeModel(), '--save', path.join(tmp, 'x.engine'));
    expect(dynamicNoShapes.code).toBe(2);
    expect(dynamicNoShapes.err).toMatch(/input "x" has dynamic dimensions/);
    const wrongName = await cli('build', writeModel(), '--save', path.join(tmp, 'x.engine'), '--shapes', 'x:1x16,nope:1');
    expect(wrongName.code).toBe(2);
    expect(wrongName.err).toMatch(/no input named "nope"/);
    const garbage = path.join(tmp, 'garbage.onnx');
    fs.writeFileSync(garbage, 'not a model');
    const bad = await cli('build', garbage, '--save', path.join(tmp, 'g.engine'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/MODEL_DESERIALIZE_FAILED/);
    const corrupt = path.join(tmp, 'corrupt.engine');
    fs.writeFileSync(corrupt, new Uint8Array(100));
    const runBad = await cli('run', corrupt, '--backend', 'cpu');
    expect(runBad.code).toBe(1);
    expect(runBad.err).toMatch(/error: /);
    expect((await cli('frobnicate', 'x')).code).toBe(2);
    expect((await cli('run', 'x.engine', '--iterations', '0')).code).toBe(2);
  });
});
