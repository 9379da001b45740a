/**
 * @internal Models of default-domain opsets older than MIN_OPSET (6) import node by node: a node
 * imports only when its operator's definition at the model's opset is the one the importers
 * implement for opset 6. Importers then see the model's own opset; their opset branches all
 * distinguish versions from 7 on, so they take their opset-6 path.
 */

interface Since {
  /** Oldest opset whose definition of the operator the importer implements. */
  since: number;
  why: string;
}

const CONSUMED = 'opset 6 only dropped consumed_inputs (an in-place hint) and added element types';
const LEGACY_BROADCAST = 'one definition up to opset 6; its broadcast/axis attributes are imported';
const UNCHANGED = 'one definition up to opset 6';

/**
 * Per operator: the oldest opset from which its definition matches the importer's. Operators
 * missing here (and those whose `since` is newer than the model's opset) are refused.
 */
export const LEGACY_OPERATORS: ReadonlyMap<string, Since> = new Map<string, Since>([
  ...['Not', 'ArgMax', 'ArgMin', 'Constant', 'ConvTranspose', 'Conv', 'DepthToSpace', 'Flatten', 'Gather', 'GlobalAveragePool', 'GlobalMaxPool', 'Hardmax', 'Identity', 'If', 'Loop', 'LogSoftmax', 'LpNormalization', 'LRN', 'LSTM', 'MatMul', 'RNN', 'Shape', 'Size', 'Slice', 'Softmax', 'Softplus', 'Softsign', 'SpaceToDepth', 'Squeeze', 'TopK', 'Transpose', 'Unsqueeze', 'AveragePool', 'MaxPool', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare'].map((op): [string, Since] => [op, { since: 1, why: UNCHANGED }]),
  ...['And', 'Or', 'Xor', 'Equal', 'Greater', 'Less', 'Pow'].map((op): [string, Since] => [op, { since: 1, why: LEGACY_BROADCAST }]),
  ...['Add', 'Sub', 'Mul', 'Div'].map((op): [string, Since] => [op, { since: 1, why: `${CONSUMED}; broadcast/axis are imported` }]),
  ...['Abs', 'Ceil', 'Exp', 'Floor', 'Log', 'Neg', 'Reciprocal', 'Relu', 'Sigmoid', 'Sqrt', 'Tanh', 'Elu', 'HardSigmoid', 'LeakyRelu', 'Max', 'Min', 'Mean', 'Sum', 'BatchNormalization', 'InstanceNormalization', 'Dropout'].map((op): [string, Since] => [op, { since: 1, why: CONSUMED }]),
  ['PRelu', { since: 1, why: `${CONSUMED}; the per-channel 1-D slope is imported` }],
  ['Clip', { since: 1, why: `${CONSUMED}, and spelled out the ±FLT_MAX defaults of the optional min/max` }],
  ['Gemm', { since: 1, why: 'opset 6 only added element types' }],
  ['GlobalLpPool', { since: 2, why: 'opset 2 made p an INT attribute (opset 1: a FLOAT)' }],
  ['LpPool', { since: 2, why: 'opset 2 made p an INT attribute (opset 1: a FLOAT)' }],
  ['Pad', { since: 2, why: 'opset 2 renamed the paddings attribute to pads' }],
  ['Split', { since: 2, why: 'opset 2 replaced the optional split input by the split attribute' }],
  ['GRU', { since: 3, why: 'opset 3 added the linear_before_reset attribute' }],
  ['Concat', { since: 4, why: 'opset 4 made axis required (opset 1 defaulted it to 1)' }],
  ['Reshape', { since: 5, why: 'opset 5 moved shape from an attribute to an input' }],
  ['Cast', { since: 6, why: 'before opset 6 the target type "to" was a STRING' }],
  ['Tile', { since: 6, why: 'before opset 6 Tile took tiles and axis inputs, not repeats' }],
  ['Selu', { since: 6, why: 'before opset 6 alpha and gamma had other (rounded) defaults' }],
  ['Upsample', { since: 7, why: 'before opset 7 Upsample took height_scale/width_scale, not scales' }],
]);

/** Why `opType` cannot be imported from an opset-`opset` model (opset < 6), or undefined when it can. */
export function legacyRefusal(opType: string, opset: number): string | undefined {
  const entry = LEGACY_OPERATORS.get(opType);
  if (entry === undefined) return `the importer does not implement ${opType}'s definition before opset 6`;
  if (opset < entry.since) return `its definition changed at opset ${entry.since} (${entry.why}), and the importer implements that one`;
  return undefined;
}
