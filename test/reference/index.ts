/**
 * Independent numerical references for the layer tests (the oracle).
 * All tensors are `Ref` (row-major data as doubles, also for ints/bools); enum objects carry
 * TensorRT's numeric values; every layer function takes Ref inputs plus a params object named
 * like the attributes in docs/layers.md.
 */
export * from './ndarray';
export * from './enums';
export * from './math';
export * from './conv';
export * from './layers';
export * from './resize';
