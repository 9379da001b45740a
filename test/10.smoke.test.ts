import { describe, expect, it } from 'vitest';
import * as trt from '../lib/index.js';
import { runNetwork } from './helpers/engine.js';
import { ref } from './reference/ndarray.js';

describe('smoke', () => {
  it('runs an MLP layer end to end', async () => {
    const [y] = await runNetwork(
      (net) => {
        const x = net.addInput('x', trt.DataType.FLOAT, [2, 2]);
        const w = net.addConstant([2, 2], new Float32Array([1, 2, 3, 4]));
        const mm = net.addMatrixMultiply(x, trt.MatrixOperation.NONE, w.getOutput(0), trt.MatrixOperation.NONE);
        net.markOutput(mm.getOutput(0));
      },
      { x: { ref: ref([2, 2], [1, 0, 0, 1]) } },
    );
    expect(Array.from(y!.data)).toEqual([1, 2, 3, 4]);
  });
});
