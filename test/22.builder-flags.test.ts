/**
 * BuilderConfig flags reach native code: the bitmask set with setFlag/clearFlag travels in the
 * native build config, and the addon's build-config parser (the one every build uses) reads it
 * back unchanged. The tensorrt backend applies it with IBuilderConfig::setFlags; the built-in
 * backends ignore it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as trt from '../lib/index.js';
import { native } from '../lib/native.js';
import type { NativeBuildConfig } from '../typings/native.js';
import { quietLogger } from './helpers/engine.js';

const allFlags = Object.values(trt.BuilderFlag).filter((v): v is number => typeof v === 'number');

function bit(flag: trt.BuilderFlag): number {
  return 2 ** flag;
}

function define(net: trt.NetworkDefinition): void {
  const x = net.addInput('x', trt.DataType.FLOAT, [2, 3]);
  const y = net.addActivation(x, trt.ActivationType.RELU).getOutput(0);
  y.name = 'y';
  net.markOutput(y);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('BuilderConfig flags in the native build config', () => {
  it('defaults to TF32 only, as TensorRT does', () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    const config = builder.createBuilderConfig();
    expect(native().readBuildConfig(config._toNative(0)).flags).toBe(bit(trt.BuilderFlag.TF32));
    builder.dispose();
  });

  it('carries every BuilderFlag as its own bit, and clearFlag removes it', () => {
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    for (const flag of allFlags) {
      const config = builder.createBuilderConfig();
      config.clearFlag(trt.BuilderFlag.TF32);
      config.setFlag(flag);
      expect(native().readBuildConfig(config._toNative(0)).flags, trt.BuilderFlag[flag]).toBe(bit(flag));
      config.clearFlag(flag);
      expect(native().readBuildConfig(config._toNative(0)).flags, trt.BuilderFlag[flag]).toBe(0);
    }
    const config = builder.createBuilderConfig();
    config.setFlag(trt.BuilderFlag.REFIT);
    config.setFlag(trt.BuilderFlag.WEIGHT_STREAMING);
    expect(native().readBuildConfig(config._toNative(0)).flags).toBe(
      bit(trt.BuilderFlag.TF32) + bit(trt.BuilderFlag.REFIT) + bit(trt.BuilderFlag.WEIGHT_STREAMING),
    );
    builder.dispose();
  });

  it('reads a config without flags as the default (TF32 only)', () => {
    const config: NativeBuildConfig = { backend: 0, optimizationLevel: 3, avgTimingIterations: 1, profilingVerbosity: 0, workspaceLimit: -1, profiles: [] };
    expect(native().readBuildConfig(config).flags).toBe(bit(trt.BuilderFlag.TF32));
  });

  it('passes the flags a build is given to the native build, which ignores them on the cpu backend', () => {
    const addon = native();
    const seen: number[] = [];
    const build = addon.buildSerializedNetworkSync.bind(addon);
    vi.spyOn(addon, 'buildSerializedNetworkSync').mockImplementation((network, nativeConfig, log, allocator) => {
      seen.push(addon.readBuildConfig(nativeConfig).flags);
      return build(network, nativeConfig, log, allocator);
    });
    const builder = new trt.Builder(quietLogger, { backend: 'cpu' });
    const network = builder.createNetworkV2();
    define(network);
    const config = builder.createBuilderConfig();
    config.setFlag(trt.BuilderFlag.REFIT);
    config.setFlag(trt.BuilderFlag.VERSION_COMPATIBLE);
    const plan = builder.buildSerializedNetworkSync(network, config);
    expect(plan.nbytes).toBeGreaterThan(0);
    expect(seen).toEqual([bit(trt.BuilderFlag.TF32) + bit(trt.BuilderFlag.REFIT) + bit(trt.BuilderFlag.VERSION_COMPATIBLE)]);
    plan.dispose();
    builder.dispose();
  });
});
