/** @internal The importer table: ONNX operator type → importer, one family per file. */
import { Importer } from './common.js';
import { compositeImporters } from './composite.js';
import { controlFlowImporters } from './controlflow.js';
import { deformImporters } from './deform.js';
import { activationImporters, elementwiseImporters } from './elementwise.js';
import { nnImporters } from './nn.js';
import { reduceImporters } from './reduce.js';
import { samplingImporters } from './sampling.js';
import { signalImporters } from './signal.js';
import { tensorImporters } from './tensor.js';

export const IMPORTERS: Readonly<Record<string, Importer>> = Object.freeze({
  ...elementwiseImporters,
  ...activationImporters,
  ...tensorImporters,
  ...nnImporters,
  ...reduceImporters,
  ...controlFlowImporters,
  ...compositeImporters,
  ...samplingImporters,
  ...signalImporters,
  ...deformImporters,
});
