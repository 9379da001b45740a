/** ACTIVATION: every ActivationType x FLOAT/HALF/BF16 x several shapes, against the TS reference. */
import { describe, it } from 'vitest';
import * as trt from '../lib/index.js';
import { ActivationType, DataType } from '../lib/index.js';
import { checkLayer, floatTypes, randomRef } from './helpers/layers.js';
import * as R from './reference/index.js';

// alpha/beta chosen per type so each parameter matters.
const params: Record<ActivationType, [number, number]> = {
  [ActivationType.RELU]: [0, 0],
  [ActivationType.SIGMOID]: [0, 0],
  [ActivationType.TANH]: [0, 0],
  [ActivationType.LEAKY_RELU]: [0.1, 0],
  [ActivationType.ELU]: [0.7, 0],
  [ActivationType.SELU]: [1.6732632, 1.0507009],
  [ActivationType.SOFTSIGN]: [0, 0],
  [ActivationType.SOFTPLUS]: [1.5, 0.8],
  [ActivationType.CLIP]: [-0.5, 0.75],
  [ActivationType.HARD_SIGMOID]: [0.2, 0.5],
  [ActivationType.SCALED_TANH]: [1.7, 0.66],
  [ActivationType.THRESHOLDED_RELU]: [0.3, 0],
  [ActivationType.GELU_ERF]: [0, 0],
  [ActivationType.GELU_TANH]: [0, 0],
};

const shapes = [[7], [2, 3, 5], [1, 4, 8, 8]];

describe('ACTIVATION', () => {
  for (const type of Object.values(ActivationType).filter((v): v is ActivationType => typeof v === 'number')) {
    for (const dtype of floatTypes) {
      it(`${ActivationType[type]} ${DataType[dtype]}`, async () => {
        const [alpha, beta] = params[type];
        for (const [i, dims] of shapes.entries()) {
          await checkLayer({
            inputs: { x: { ref: randomRef(dims, 10 * type + i, -3, 3), dtype } },
            define: (net, { x }) => {
              const layer = net.addActivation(x!, type);
              layer.alpha = alpha;
              layer.beta = beta;
              return layer.getOutput(0);
            },
            reference: ({ x }) => R.activation(x!, { type, alpha, beta }),
          });
        }
      });
    }
  }

  it('a dynamic-shape input gives the same results as a static one', async () => {
    await checkLayer({
      inputs: { x: { ref: randomRef([3, 17], 5, -2, 2), dtype: DataType.FLOAT } },
      define: (net, { x }) => net.addActivation(x!, ActivationType.SIGMOID).getOutput(0),
      reference: ({ x }) => R.activation(x!, { type: ActivationType.SIGMOID }),
      dynamic: true,
    });
  });

  it('reads back its settings', async () => {
    const builder = new trt.Builder(undefined, { backend: 'cpu' });
    const net = builder.createNetworkV2();
    const layer = net.addActivation(net.addInput('x', DataType.FLOAT, [2]), ActivationType.CLIP);
    layer.alpha = -1;
    layer.beta = 2;
    const again = net.getLayer(0) as trt.IActivationLayer;
    if (!(again instanceof trt.IActivationLayer) || again.activationType !== ActivationType.CLIP || again.alpha !== -1 || again.beta !== 2) {
      throw new Error('activation settings did not round-trip');
    }
    builder.dispose();
  });
});
