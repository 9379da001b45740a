/**
 * lib/enums.ts against TensorRT: every enum member the library exposes must have the value the
 * TensorRT 11 headers give it, since plans, the network translation and users' code written
 * against the TensorRT API rely on the numbers. The table comes from the addon's tensorrt
 * backend, which is compiled from the headers (its own static_asserts check the C++ side).
 */
import { describe, expect, it } from 'vitest';
import * as enums from '../lib/enums.js';
import { native } from '../lib/native.js';

type EnumObject = Record<string, string | number>;

const table = native().tensorrtEnumTable?.();

// Enums of lib/enums.ts (TypeScript numeric enums: objects with reverse mappings).
const libEnums: Record<string, EnumObject> = Object.fromEntries(
  Object.entries(enums).filter(([, value]) => typeof value === 'object' && value !== null),
) as Record<string, EnumObject>;

function members(e: EnumObject): Record<string, number> {
  return Object.fromEntries(Object.entries(e).filter(([key, value]) => Number.isNaN(Number(key)) && typeof value === 'number')) as Record<string, number>;
}

// Extensions of the built-in engine, which TensorRT does not have (docs/layers.md).
const libOnlyEnums = ['ScatterReduction'];
const libOnlyMembers: Record<string, string[]> = { CumulativeOperation: ['PROD'] };
// TensorRT members the library does not expose: plugin layers are not part of its network API.
const trtOnlyMembers: Record<string, string[]> = { LayerType: ['PLUGIN_V2', 'PLUGIN_V3'] };

describe.skipIf(table === undefined)('lib/enums.ts against the TensorRT 11 headers', () => {
  it('covers every enum of lib/enums.ts that TensorRT has', () => {
    // The table may hold more (runtime enums the library does not expose yet); those are not compared.
    const missing = Object.keys(libEnums).filter((name) => !libOnlyEnums.includes(name) && !(name in table!));
    expect(missing).toEqual([]);
    for (const name of libOnlyEnums) expect(table![name], `${name} is an extension TensorRT should not have`).toBeUndefined();
  });

  it('gives every member the value TensorRT gives it', () => {
    for (const [name, trtMembers] of Object.entries(table!)) {
      if (!libEnums[name]) continue;
      const lib = members(libEnums[name]);
      const libOnly = libOnlyMembers[name] ?? [];
      const trtOnly = trtOnlyMembers[name] ?? [];
      for (const [member, value] of Object.entries(lib)) {
        if (libOnly.includes(member)) {
          expect(trtMembers[member], `${name}.${member} is an extension TensorRT should not have`).toBeUndefined();
          continue;
        }
        expect(trtMembers[member], `${name}.${member}`).toBe(value);
      }
      for (const member of Object.keys(trtMembers)) {
        if (trtOnly.includes(member)) continue;
        expect(lib[member], `TensorRT's ${name}.${member} is missing from lib/enums.ts`).toBeDefined();
      }
    }
  });

  it('lists no value twice within an enum', () => {
    for (const [name, trtMembers] of Object.entries(table!)) {
      const values = Object.values(trtMembers);
      expect(new Set(values).size, name).toBe(values.length);
    }
  });
});

describe.skipIf(table === undefined)('Dims <-> nvinfer1::Dims64 (the backend\'s own conversion)', () => {
  const roundTrip = (dims: number[]): number[] => native().tensorrtDimsRoundTrip!(dims);
  it('keeps every rank from 0 to Dims64::MAX_DIMS (8), with -1 for dynamic dims and 64-bit extents', () => {
    for (let rank = 0; rank <= 8; rank += 1) {
      const dims = Array.from({ length: rank }, (_, i) => (i % 3 === 1 ? -1 : i + 1));
      expect(roundTrip(dims), `rank ${rank}`).toEqual(dims);
    }
    expect(roundTrip([2 ** 40, 3])).toEqual([2 ** 40, 3]);
  });
  it('refuses rank 9 with INVALID_ARGUMENT naming the limit', () => {
    expect(() => roundTrip([1, 2, 3, 4, 5, 6, 7, 8, 9])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/8/) }));
  });
});

describe.skipIf(table !== undefined)('lib/enums.ts against the TensorRT 11 headers (skipped: this build of the addon has no tensorrt backend, TensorRT 11 headers were not found at build time)', () => {
  it('has no enum table without the tensorrt backend', () => {
    expect(native().tensorrtEnumTable).toBeUndefined();
  });
});
