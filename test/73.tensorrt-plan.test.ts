/**
 * TensorRT plans: our wrapper around a TensorRT engine (what built it, checked before TensorRT
 * sees the bytes), raw TensorRT plans, and how both are refused where the tensorrt backend cannot
 * run. The engine bytes here are stand-ins: only the wrapper is under test.
 */
import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { native } from '../lib/native.js';
import { buildEngine, quietLogger } from './helpers/engine.js';

const tools = native().tensorrtPlanTools;
const tensorrtBackend = trt.getBackends().find((b) => b.name === 'tensorrt')!;

// A stand-in TensorRT engine: TensorRT's magic, then bytes.
function fakeEngine(size: number): Uint8Array {
  const e = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 0xff);
  e.set([0x66, 0x74, 0x72, 0x74]); // "ftrt"
  return e;
}
const meta = { tensorrtVersion: 110100, computeMajor: 9, computeMinor: 0, deviceName: 'NVIDIA H100 80GB HBM3' };

// The plan checksum (docs/plan-format.md): FNV-1a-64 in 8 interleaved lanes.
function fnv1a64(data: Uint8Array): bigint {
  const mask = (1n << 64n) - 1n;
  const prime = 1099511628211n;
  let h = 1469598103934665603n;
  const lanes = new Array<bigint>(8).fill(h);
  let i = 0;
  for (; i + 8 <= data.length; i += 8) for (let k = 0; k < 8; k += 1) lanes[k] = ((lanes[k]! ^ BigInt(data[i + k]!)) * prime) & mask;
  for (let k = 0; k < 8; k += 1) h = ((h ^ lanes[k]!) * prime) & mask;
  for (; i < data.length; i += 1) h = ((h ^ BigInt(data[i]!)) * prime) & mask;
  return h;
}
// A copy of `plan` with `edit` applied to its payload and the checksum made to match again, so
// the wrapper's own checks (not the checksum) must catch the damage.
function rewritePayload(plan: Uint8Array, edit: (payload: DataView) => void): Uint8Array {
  const out = plan.slice();
  const payload = out.subarray(64);
  edit(new DataView(payload.buffer, payload.byteOffset, payload.byteLength));
  new DataView(out.buffer).setBigUint64(32, fnv1a64(payload), true);
  return out;
}

function caught(fn: () => unknown): trt.TrtError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(trt.TrtError);
    return err as trt.TrtError;
  }
  throw new Error('expected a TrtError');
}

describe('wrapped TensorRT plans', () => {
  it('wrap and view round-trip the build record and the engine bytes', () => {
    const engine = fakeEngine(1000);
    const plan = tools.wrap(engine, meta);
    expect(Buffer.from(plan.subarray(0, 8)).toString('latin1')).toBe('TRTNPLAN');
    expect(new DataView(plan.buffer, plan.byteOffset).getUint32(16, true)).toBe(2); // backend: tensorrt
    const view = tools.view(plan);
    expect(view).toEqual({ form: 'wrapped', ...meta, engineOffset: plan.length - 1000, engineSize: 1000 });
    expect(Buffer.from(plan.subarray(view.engineOffset!)).equals(Buffer.from(engine))).toBe(true);
    // The device name is optional.
    expect(tools.view(tools.wrap(engine, { tensorrtVersion: 110100, computeMajor: 8, computeMinor: 6 })).deviceName).toBe('');
  });

  it('raw TensorRT plans ("ftrt...") are recognised as such; our other plans and garbage are not TensorRT', async () => {
    const raw = fakeEngine(64);
    expect(tools.view(raw)).toEqual({ form: 'raw', engineOffset: 0, engineSize: 64 });
    expect(tools.view(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toEqual({ form: 'not-tensorrt' });
    expect(tools.view(new Uint8Array(0))).toEqual({ form: 'not-tensorrt' });
    const engine = await buildEngine((net) => {
      const x = net.addInput('x', trt.DataType.FLOAT, [2]);
      net.markOutput(net.addActivation(x, trt.ActivationType.RELU).getOutput(0));
    });
    const cpuPlan = engine.serialize().data.slice();
    engine.dispose();
    expect(tools.view(cpuPlan)).toEqual({ form: 'not-tensorrt' });
    expect(native().inspectPlan(cpuPlan)).toMatchObject({ kind: 'tensorrt-node', backend: 'cpu' });
    expect(native().inspectPlan(cpuPlan).tensorrtVersion).toBeUndefined();
  });

  it('inspectPlan reports the TensorRT version and GPU of a wrapped plan, and recognises a raw one', () => {
    const plan = tools.wrap(fakeEngine(300), meta);
    expect(native().inspectPlan(plan)).toEqual({
      kind: 'tensorrt-node',
      formatVersion: 3,
      backend: 'tensorrt',
      producerVersion: 100,
      payloadSize: plan.length - 64,
      tensorrtVersion: '11.1.0',
      computeCapability: '9.0',
      deviceName: meta.deviceName,
      engineSize: 300,
    });
    expect(native().inspectPlan(fakeEngine(40))).toEqual({ kind: 'tensorrt-raw', backend: 'tensorrt', engineSize: 40 });
    expect(native().inspectPlan(new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9, 9]))).toEqual({ kind: 'foreign' });
  });

  it('compatibility: the same TensorRT and compute capability pass; another version or GPU is PLAN_INCOMPATIBLE naming both sides', () => {
    const plan = tools.wrap(fakeEngine(100), meta);
    expect(() => tools.checkCompatible(plan, 110100, 9, 0)).not.toThrow();
    const version = caught(() => tools.checkCompatible(plan, 110200, 9, 0));
    expect(version.code).toBe('PLAN_INCOMPATIBLE');
    expect(version.message).toMatch(/^plan was built with TensorRT 11\.1\.0 but TensorRT 11\.2\.0 is loaded; rebuild the engine/);
    const gpu = caught(() => tools.checkCompatible(plan, 110100, 8, 0));
    expect(gpu.code).toBe('PLAN_INCOMPATIBLE');
    expect(gpu.message).toBe(
      'plan was built for a GPU of compute capability 9.0 (NVIDIA H100 80GB HBM3) but this GPU has compute capability 8.0; rebuild the engine on this GPU type',
    );
    expect(caught(() => tools.checkCompatible(plan, 110100, 9, 1)).code).toBe('PLAN_INCOMPATIBLE');
    // Raw plans carry no record; TensorRT itself refuses what it cannot run.
    expect(() => tools.checkCompatible(fakeEngine(100), 110200, 8, 0)).not.toThrow();
  });

  it('version- and hardware-compatible plans (recorded in the wrapper) are checked by their own rule', () => {
    const VERSION_COMPATIBLE = 1;
    const AMPERE_PLUS = 2;
    const SAME_COMPUTE_CAPABILITY = 4;
    const versionCompatible = tools.wrap(fakeEngine(100), { ...meta, compatibility: VERSION_COMPATIBLE });
    expect(tools.view(versionCompatible).compatibility).toBe(VERSION_COMPATIBLE);
    expect(tools.view(tools.wrap(fakeEngine(100), meta)).compatibility).toBeUndefined();
    // A newer TensorRT of the same major runs it; an older one or another major does not.
    expect(() => tools.checkCompatible(versionCompatible, 110100, 9, 0)).not.toThrow();
    expect(() => tools.checkCompatible(versionCompatible, 110305, 9, 0)).not.toThrow();
    expect(caught(() => tools.checkCompatible(versionCompatible, 110000, 9, 0))).toMatchObject({
      code: 'PLAN_INCOMPATIBLE',
      message: 'plan was built version-compatible with TensorRT 11.1.0, so it runs on that TensorRT or a newer 11.x, but TensorRT 11.0.0 is loaded',
    });
    expect(caught(() => tools.checkCompatible(versionCompatible, 120000, 9, 0)).code).toBe('PLAN_INCOMPATIBLE');
    // Still for one GPU type unless built hardware-compatible.
    expect(caught(() => tools.checkCompatible(versionCompatible, 110100, 8, 6)).code).toBe('PLAN_INCOMPATIBLE');
    const amperePlus = tools.wrap(fakeEngine(100), { ...meta, compatibility: AMPERE_PLUS });
    expect(() => tools.checkCompatible(amperePlus, 110100, 8, 0)).not.toThrow();
    expect(() => tools.checkCompatible(amperePlus, 110100, 12, 0)).not.toThrow();
    expect(caught(() => tools.checkCompatible(amperePlus, 110100, 7, 5))).toMatchObject({
      code: 'PLAN_INCOMPATIBLE',
      message: 'plan was built hardware-compatible for Ampere and newer GPUs (compute capability 8.0 or higher) but this GPU has compute capability 7.5',
    });
    expect(caught(() => tools.checkCompatible(amperePlus, 110200, 9, 0)).code).toBe('PLAN_INCOMPATIBLE');
    const sameCc = tools.wrap(fakeEngine(100), { ...meta, compatibility: SAME_COMPUTE_CAPABILITY });
    expect(() => tools.checkCompatible(sameCc, 110100, 9, 0)).not.toThrow();
    expect(caught(() => tools.checkCompatible(sameCc, 110100, 8, 9)).code).toBe('PLAN_INCOMPATIBLE');
    // Both: any newer 11.x on any Ampere or newer GPU.
    const both = tools.wrap(fakeEngine(100), { ...meta, compatibility: VERSION_COMPATIBLE | AMPERE_PLUS });
    expect(() => tools.checkCompatible(both, 110400, 8, 6)).not.toThrow();
    expect(caught(() => tools.wrap(fakeEngine(100), { ...meta, compatibility: 16 })).code).toBe('INVALID_ARGUMENT');
  });

  // EXPECTED FAILURE
  it('the payload is version 1 (no compatibility field) when no compatibility bit is set, version 2 otherwise; both read back', () => {
    const payloadVersion = (plan: Uint8Array) => new DataView(plan.buffer, plan.byteOffset + 64).getUint32(0, true);
    const plain = tools.wrap(fakeEngine(100), meta);
    const sameCc = tools.wrap(fakeEngine(100), { ...meta, compatibility: 4 });
    expect(payloadVersion(plain)).toBe(1);
    expect(payloadVersion(sameCc)).toBe(2);
    // Version 2 carries one u32 more, and nothing else differs.
    expect(sameCc.length - plain.length).toBe(4);
    expect(tools.view(plain)).toEqual({ form: 'wrapped', ...meta, engineOffset: plain.length - 100, engineSize: 100 });
    expect(tools.view(sameCc)).toEqual({ form: 'wrapped', ...meta, compatibility: 4, engineOffset: sameCc.length - 100, engineSize: 100 });
    // A version 1 payload has no compatibility field: the u32 at its place is the name length.
    expect(new DataView(plain.buffer, plain.byteOffset + 64).getUint32(16, true)).toBe(meta.deviceName.length);
  });

  it('a damaged wrapper is PLAN_CORRUPT, never misread: truncated, padded, flipped, or inconsistent inside', () => {
    // A version 2 payload (a compatibility bit set), whose field offsets the edits below use.
    const plan = tools.wrap(fakeEngine(200), { ...meta, compatibility: 4 });
    for (const len of [9, 20, 63, 64, 70, plan.length - 1]) {
      const err = caught(() => tools.view(plan.subarray(0, len)));
      expect(err.code, `length ${len}`).toBe('PLAN_CORRUPT');
    }
    const padded = new Uint8Array(plan.length + 4);
    padded.set(plan);
    expect(caught(() => tools.view(padded)).message).toMatch(/truncated or padded/);
    const flipped = plan.slice();
    flipped[plan.length - 5]! ^= 0x40;
    expect(caught(() => tools.view(flipped)).message).toMatch(/checksum/);
    // Checksum made valid again: the recorded sizes must still add up.
    const nameLength = meta.deviceName.length;
    const sizeAt = 24 + nameLength; // u32 version, 3 x i32, u32 compatibility, u32 name length, name
    const wrongSize = rewritePayload(plan, (p) => p.setBigUint64(sizeAt, 199n, true));
    expect(caught(() => tools.view(wrongSize))).toMatchObject({ code: 'PLAN_CORRUPT', message: expect.stringMatching(/records an engine of 199 bytes but holds 200/) });
    const longName = rewritePayload(plan, (p) => p.setUint32(20, 100_000, true));
    expect(caught(() => tools.view(longName))).toMatchObject({ code: 'PLAN_CORRUPT', message: expect.stringMatching(/device name of 100000 bytes/) });
    const badVersion = rewritePayload(plan, (p) => p.setInt32(4, 0, true));
    expect(caught(() => tools.view(badVersion))).toMatchObject({ code: 'PLAN_CORRUPT', message: expect.stringMatching(/TensorRT version 0/) });
    const newer = rewritePayload(plan, (p) => p.setUint32(0, 3, true));
    expect(caught(() => tools.view(newer))).toMatchObject({ code: 'PLAN_INCOMPATIBLE', message: expect.stringMatching(/wrapper version 3 is newer/) });
    const unknownBits = rewritePayload(plan, (p) => p.setUint32(16, 8, true));
    expect(caught(() => tools.view(unknownBits))).toMatchObject({ code: 'PLAN_CORRUPT', message: expect.stringMatching(/unknown compatibility bits 8/) });
    // inspectPlan refuses the same way.
    expect(caught(() => native().inspectPlan(wrongSize)).code).toBe('PLAN_CORRUPT');
  });

  // BAD CALL
  it('wrap refuses an empty engine', () => {
    expect(caught(() => tools.wrap(new Uint8Array(0), meta))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/engine/) });
  });
});

describe('deserializing TensorRT plans where the tensorrt backend cannot run', () => {
  const why = `tensorrt backend available here (${tensorrtBackend.reason}): stand-in engines would reach TensorRT`;
  const runtime = () => new trt.Runtime(quietLogger, { backend: 'cpu' });

  it.skipIf(tensorrtBackend.available)(`a wrapped plan is TENSORRT_UNAVAILABLE naming the reason${tensorrtBackend.available ? ` (skipped: ${why})` : ''}`, async () => {
    const plan = tools.wrap(fakeEngine(128), meta);
    const err = caught(() => runtime().deserializeCudaEngine(plan));
    expect(err.code).toBe('TENSORRT_UNAVAILABLE');
    expect(err.message).toContain(tensorrtBackend.reason);
    await expect(runtime().deserializeCudaEngineAsync(plan)).rejects.toMatchObject({ code: 'TENSORRT_UNAVAILABLE', message: expect.stringContaining(tensorrtBackend.reason) });
  });

  it.skipIf(tensorrtBackend.available)(`a raw TensorRT plan is TENSORRT_UNAVAILABLE naming the reason${tensorrtBackend.available ? ` (skipped: ${why})` : ''}`, () => {
    const err = caught(() => runtime().deserializeCudaEngine(fakeEngine(128)));
    expect(err.code).toBe('TENSORRT_UNAVAILABLE');
    expect(err.message).toMatch(/raw/);
    expect(err.message).toContain(tensorrtBackend.reason);
  });

  it('garbage and a damaged wrapper are PLAN_CORRUPT, whatever the backend', () => {
    expect(caught(() => runtime().deserializeCudaEngine(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).code).toBe('PLAN_CORRUPT');
    const plan = tools.wrap(fakeEngine(128), meta);
    expect(caught(() => runtime().deserializeCudaEngine(plan.subarray(0, plan.length - 3)))).toMatchObject({ code: 'PLAN_CORRUPT', message: expect.stringMatching(/truncated/) });
  });
});
