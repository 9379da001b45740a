/**
 * Layer classes (nvinfer1::I*Layer). Each is a view on one node of the network's graph; the
 * setters are TensorRT's, as properties in the style of the TensorRT Python API.
 */
import type { NativeAttrValue } from '../typings/native.js';
import type { NetworkDefinition } from './NetworkDefinition.js';
import { ITensor } from './Tensor.js';
import { Weights, WeightsLike } from './Weights.js';
import {
  ActivationType,
  BoundingBoxFormat,
  CumulativeOperation,
  DataType,
  ElementWiseOperation,
  FillOperation,
  GatherMode,
  InterpolationMode,
  LayerType,
  MatrixOperation,
  PaddingMode,
  PoolingType,
  ReduceOperation,
  ResizeCoordinateTransformation,
  ResizeRoundMode,
  ResizeSelector,
  SampleMode,
  ScaleMode,
  ScatterMode,
  ScatterReduction,
  TopKOperation,
  TripLimit,
  LoopOutput,
  UnaryOperation,
} from './enums.js';
import { TrtError, invalidType, invalidValue } from './errors.js';
import { assertBoolean, assertDims, assertEnum, assertInteger, assertNumber, assertString, toDims } from './validate.js';

/** Base of every layer (nvinfer1::ILayer). */
export class ILayer {
  /** @internal */
  constructor(
    readonly network: NetworkDefinition,
    /** @internal Layer id in the network's graph. */
    readonly id: number,
  ) {}

  private info() {
    return this.network._native().layerInfo(this.id);
  }

  get name(): string {
    return this.info().name;
  }

  set name(value: string) {
    assertString(value, 'name');
    this.network._native().setLayerName(this.id, value);
  }

  get type(): LayerType {
    return this.info().type;
  }

  get numInputs(): number {
    return this.info().inputs.length;
  }

  get numOutputs(): number {
    return this.info().outputs.length;
  }

  /** Input `index`, or null for an absent optional input. */
  getInput(index: number): ITensor | null {
    assertInteger(index, 'index', 0);
    const t = this.info().inputs[index];
    return t === undefined || t < 0 ? null : this.network._tensor(t);
  }

  getOutput(index: number): ITensor {
    assertInteger(index, 'index', 0);
    const outputs = this.info().outputs;
    const t = outputs[index];
    if (t === undefined) throw new RangeError(`Expected an output index below ${outputs.length} for index but received ${index} of type number`);
    return this.network._tensor(t);
  }

  /** Replaces input `index` (e.g. a shape tensor for a dynamic Shuffle, Slice, Fill or Resize). */
  setInput(index: number, tensor: ITensor): void {
    assertInteger(index, 'index', 0);
    this.network._own(tensor, 'tensor');
    this.network._native().setLayerInput(this.id, index, tensor.id);
  }

  /** The inferred type of output `index`. */
  getOutputType(index: number): DataType {
    return this.getOutput(index).dtype;
  }

  get metadata(): string {
    return this.info().metadata;
  }

  set metadata(value: string) {
    assertString(value, 'metadata');
    this.network._native().setLayerMetadata(this.id, value);
  }

  /** @internal */
  protected get_(key: string): unknown {
    return this.network._native().getLayerAttr(this.id, key);
  }

  /** @internal */
  protected set_(key: string, value: NativeAttrValue | undefined): void {
    this.network._native().setLayerAttr(this.id, key, value ?? null);
  }

  /** @internal */
  protected int_(key: string, fallback: number): number {
    const v = this.get_(key);
    return typeof v === 'number' ? v : fallback;
  }

  /** @internal */
  protected ints_(key: string, fallback: number[]): number[] {
    const v = this.get_(key);
    return Array.isArray(v) ? (v as number[]) : fallback;
  }

  /** @internal */
  protected weights_(key: string): Weights {
    const v = this.get_(key) as { type: number; values: ArrayBufferView | null; count?: number } | undefined;
    if (!v || !v.values) return Weights.empty();
    return new Weights(v.type, v.values as Float32Array, v.count);
  }

  /** @internal */
  protected setWeights_(key: string, w: WeightsLike): void {
    this.set_(key, Weights.from(w, key).toNative());
  }

  /** @internal */
  protected setDims_(key: string, dims: number[]): void {
    assertDims(dims, key, 0);
    this.set_(key, toDims(dims));
  }
}

/** Shared by convolution and deconvolution. */
abstract class IWindowedLayer extends ILayer {
  get strideNd(): number[] {
    return this.ints_('strideNd', this.defaultWindow().map(() => 1));
  }
  set strideNd(v: number[]) {
    this.setDims_('strideNd', v);
  }
  get prePadding(): number[] {
    return this.ints_('prePadding', this.defaultWindow().map(() => 0));
  }
  set prePadding(v: number[]) {
    this.setDims_('prePadding', v);
  }
  get postPadding(): number[] {
    return this.ints_('postPadding', this.defaultWindow().map(() => 0));
  }
  set postPadding(v: number[]) {
    this.setDims_('postPadding', v);
  }
  /** Sets pre- and post-padding together; reads the pre-padding. */
  get paddingNd(): number[] {
    return this.prePadding;
  }
  set paddingNd(v: number[]) {
    this.setDims_('prePadding', v);
    this.setDims_('postPadding', v);
  }
  get paddingMode(): PaddingMode {
    return this.int_('paddingMode', PaddingMode.EXPLICIT_ROUND_DOWN);
  }
  set paddingMode(v: PaddingMode) {
    assertEnum(v, 'paddingMode', PaddingMode, 'PaddingMode');
    this.set_('paddingMode', v);
  }
  /** @internal */
  protected abstract defaultWindow(): number[];
}

/** nvinfer1::IConvolutionLayer. */
export class IConvolutionLayer extends IWindowedLayer {
  get numOutputMaps(): number {
    return this.int_('numOutputMaps', 0);
  }
  set numOutputMaps(v: number) {
    assertInteger(v, 'numOutputMaps', 1);
    this.set_('numOutputMaps', v);
  }
  get kernelSizeNd(): number[] {
    return this.ints_('kernelSizeNd', []);
  }
  set kernelSizeNd(v: number[]) {
    this.setDims_('kernelSizeNd', v);
  }
  get dilationNd(): number[] {
    return this.ints_('dilationNd', this.kernelSizeNd.map(() => 1));
  }
  set dilationNd(v: number[]) {
    this.setDims_('dilationNd', v);
  }
  get numGroups(): number {
    return this.int_('numGroups', 1);
  }
  set numGroups(v: number) {
    assertInteger(v, 'numGroups', 1);
    this.set_('numGroups', v);
  }
  get kernel(): Weights {
    return this.weights_('kernel');
  }
  set kernel(w: WeightsLike) {
    this.setWeights_('kernel', w);
  }
  get bias(): Weights {
    return this.weights_('bias');
  }
  set bias(w: WeightsLike) {
    this.setWeights_('bias', w);
  }
  /** @internal */
  protected defaultWindow(): number[] {
    return this.kernelSizeNd;
  }
}

/** nvinfer1::IDeconvolutionLayer (transposed convolution). */
export class IDeconvolutionLayer extends IConvolutionLayer {}

/** nvinfer1::IPoolingLayer. */
export class IPoolingLayer extends IWindowedLayer {
  get poolingType(): PoolingType {
    return this.int_('type', PoolingType.MAX);
  }
  set poolingType(v: PoolingType) {
    assertEnum(v, 'poolingType', PoolingType, 'PoolingType');
    this.set_('type', v);
  }
  get windowSizeNd(): number[] {
    return this.ints_('windowSizeNd', []);
  }
  set windowSizeNd(v: number[]) {
    this.setDims_('windowSizeNd', v);
  }
  get blendFactor(): number {
    return Number(this.get_('blendFactor') ?? 0);
  }
  set blendFactor(v: number) {
    assertNumber(v, 'blendFactor');
    this.set_('blendFactor', v);
  }
  get averageCountExcludesPadding(): boolean {
    return this.int_('averageCountExcludesPadding', 1) !== 0;
  }
  set averageCountExcludesPadding(v: boolean) {
    this.set_('averageCountExcludesPadding', v ? 1 : 0);
  }
  /** @internal */
  protected defaultWindow(): number[] {
    return this.windowSizeNd;
  }
}

/** nvinfer1::IActivationLayer. */
export class IActivationLayer extends ILayer {
  get activationType(): ActivationType {
    return this.int_('type', ActivationType.RELU);
  }
  set activationType(v: ActivationType) {
    assertEnum(v, 'activationType', ActivationType, 'ActivationType');
    this.set_('type', v);
  }
  get alpha(): number {
    return Number(this.get_('alpha') ?? 0);
  }
  set alpha(v: number) {
    assertNumber(v, 'alpha');
    this.set_('alpha', v);
  }
  get beta(): number {
    return Number(this.get_('beta') ?? 0);
  }
  set beta(v: number) {
    assertNumber(v, 'beta');
    this.set_('beta', v);
  }
}

/** nvinfer1::IElementWiseLayer. */
export class IElementWiseLayer extends ILayer {
  get op(): ElementWiseOperation {
    return this.int_('op', ElementWiseOperation.SUM);
  }
  set op(v: ElementWiseOperation) {
    assertEnum(v, 'op', ElementWiseOperation, 'ElementWiseOperation');
    this.set_('op', v);
  }
}

/** nvinfer1::IUnaryLayer. */
export class IUnaryLayer extends ILayer {
  get op(): UnaryOperation {
    return this.int_('op', UnaryOperation.EXP);
  }
  set op(v: UnaryOperation) {
    assertEnum(v, 'op', UnaryOperation, 'UnaryOperation');
    this.set_('op', v);
  }
}

/** nvinfer1::IMatrixMultiplyLayer. */
export class IMatrixMultiplyLayer extends ILayer {
  get op0(): MatrixOperation {
    return this.int_('op0', MatrixOperation.NONE);
  }
  set op0(v: MatrixOperation) {
    assertEnum(v, 'op0', MatrixOperation, 'MatrixOperation');
    this.set_('op0', v);
  }
  get op1(): MatrixOperation {
    return this.int_('op1', MatrixOperation.NONE);
  }
  set op1(v: MatrixOperation) {
    assertEnum(v, 'op1', MatrixOperation, 'MatrixOperation');
    this.set_('op1', v);
  }
  /** C++ spelling: setOperation(0 | 1, op). */
  setOperation(index: 0 | 1, op: MatrixOperation): void {
    if (index === 0) this.op0 = op;
    else if (index === 1) this.op1 = op;
    else throw new RangeError(`Expected 0 or 1 for index but received ${String(index)}`);
  }
  getOperation(index: 0 | 1): MatrixOperation {
    return index === 0 ? this.op0 : this.op1;
  }
}

/** nvinfer1::IConstantLayer. */
export class IConstantLayer extends ILayer {
  get weights(): Weights {
    return this.weights_('weights');
  }
  set weights(w: WeightsLike) {
    const weights = Weights.from(w, 'weights');
    this.set_('weightsType', weights.type);
    this.set_('weights', weights.toNative());
  }
  get shape(): number[] {
    return this.ints_('shape', []);
  }
  set shape(v: number[]) {
    this.setDims_('shape', v);
  }
}

/** nvinfer1::IShuffleLayer. */
export class IShuffleLayer extends ILayer {
  get firstTranspose(): number[] {
    return this.ints_('firstTranspose', []);
  }
  set firstTranspose(perm: number[]) {
    this.setDims_('firstTranspose', perm);
  }
  /** Unset (null) means no reshape. 0 copies the input dimension (with zeroIsPlaceholder); one -1 is inferred. */
  get reshapeDims(): number[] | null {
    const v = this.get_('reshapeDims');
    return Array.isArray(v) ? (v as number[]) : null;
  }
  set reshapeDims(dims: number[] | null) {
    if (dims === null) {
      this.set_('reshapeDims', undefined);
      return;
    }
    assertDims(dims, 'reshapeDims', -1);
    this.set_('reshapeDims', toDims(dims));
  }
  get secondTranspose(): number[] {
    return this.ints_('secondTranspose', []);
  }
  set secondTranspose(perm: number[]) {
    this.setDims_('secondTranspose', perm);
  }
  get zeroIsPlaceholder(): boolean {
    return this.int_('zeroIsPlaceholder', 1) !== 0;
  }
  set zeroIsPlaceholder(v: boolean) {
    this.set_('zeroIsPlaceholder', v ? 1 : 0);
  }
}

/** nvinfer1::IConcatenationLayer. */
export class IConcatenationLayer extends ILayer {
  get axis(): number {
    return this.int_('axis', 0);
  }
  set axis(v: number) {
    assertInteger(v, 'axis', -8, 7);
    this.set_('axis', v);
  }
}

/** nvinfer1::ISoftMaxLayer. `axes` is a bitmask with exactly one bit set. */
export class ISoftMaxLayer extends ILayer {
  get axes(): number {
    return this.int_('axes', 1);
  }
  set axes(v: number) {
    assertInteger(v, 'axes', 1, 255);
    this.set_('axes', v);
  }
}

/**
 * nvinfer1::IReduceLayer. Extension of the built-in engine: `setInput(1, axes)` with a 1-D
 * INT32/INT64 shape tensor of axes (negative count from the end) replaces the `axes` mask.
 */
export class IReduceLayer extends ILayer {
  get op(): ReduceOperation {
    return this.int_('op', ReduceOperation.SUM);
  }
  set op(v: ReduceOperation) {
    assertEnum(v, 'op', ReduceOperation, 'ReduceOperation');
    this.set_('op', v);
  }
  get axes(): number {
    return this.int_('axes', 0);
  }
  set axes(v: number) {
    assertInteger(v, 'axes', 0, 255);
    this.set_('axes', v);
  }
  get keepDims(): boolean {
    return this.int_('keepDims', 0) !== 0;
  }
  set keepDims(v: boolean) {
    this.set_('keepDims', v ? 1 : 0);
  }
}

/** nvinfer1::IScaleLayer. */
export class IScaleLayer extends ILayer {
  get mode(): ScaleMode {
    return this.int_('mode', ScaleMode.UNIFORM);
  }
  set mode(v: ScaleMode) {
    assertEnum(v, 'mode', ScaleMode, 'ScaleMode');
    this.set_('mode', v);
  }
  get shift(): Weights {
    return this.weights_('shift');
  }
  set shift(w: WeightsLike) {
    this.setWeights_('shift', w);
  }
  get scale(): Weights {
    return this.weights_('scale');
  }
  set scale(w: WeightsLike) {
    this.setWeights_('scale', w);
  }
  get power(): Weights {
    return this.weights_('power');
  }
  set power(w: WeightsLike) {
    this.setWeights_('power', w);
  }
  get channelAxis(): number {
    return this.int_('channelAxis', 1);
  }
  set channelAxis(v: number) {
    assertInteger(v, 'channelAxis', 0, 7);
    this.set_('channelAxis', v);
  }
}

/** nvinfer1::ISliceLayer. Tensor inputs (setInput 1..5) override start, shape, stride, fill value and axes. */
export class ISliceLayer extends ILayer {
  get start(): number[] {
    return this.ints_('start', []);
  }
  set start(v: number[]) {
    assertDims(v, 'start', -Infinity);
    this.set_('start', toDims(v));
  }
  get shape(): number[] {
    return this.ints_('shape', []);
  }
  set shape(v: number[]) {
    this.setDims_('shape', v);
  }
  get stride(): number[] {
    return this.ints_('stride', []);
  }
  set stride(v: number[]) {
    assertDims(v, 'stride', -Infinity);
    this.set_('stride', toDims(v));
  }
  get mode(): SampleMode {
    return this.int_('mode', SampleMode.STRICT_BOUNDS);
  }
  set mode(v: SampleMode) {
    assertEnum(v, 'mode', SampleMode, 'SampleMode');
    this.set_('mode', v);
  }
  get axes(): number[] | null {
    const v = this.get_('axes');
    return Array.isArray(v) ? (v as number[]) : null;
  }
  set axes(v: number[] | null) {
    if (v === null) this.set_('axes', undefined);
    else {
      assertDims(v, 'axes', -8);
      this.set_('axes', toDims(v));
    }
  }
}

/** nvinfer1::IIdentityLayer. */
export class IIdentityLayer extends ILayer {}

/** nvinfer1::IShapeLayer: outputs the input's dimensions as an INT64 tensor. */
export class IShapeLayer extends ILayer {}

/** nvinfer1::ISelectLayer. */
export class ISelectLayer extends ILayer {}

/** nvinfer1::IParametricReLULayer. */
export class IParametricReLULayer extends ILayer {}

/** nvinfer1::ICastLayer. */
export class ICastLayer extends ILayer {
  get toType(): DataType {
    return this.int_('toType', DataType.FLOAT);
  }
  set toType(v: DataType) {
    assertEnum(v, 'toType', DataType, 'DataType');
    this.set_('toType', v);
  }
}

/** nvinfer1::IGatherLayer. */
export class IGatherLayer extends ILayer {
  get axis(): number {
    return this.int_('axis', 0);
  }
  set axis(v: number) {
    assertInteger(v, 'axis', -8, 7);
    this.set_('axis', v);
  }
  get mode(): GatherMode {
    return this.int_('mode', GatherMode.DEFAULT);
  }
  set mode(v: GatherMode) {
    assertEnum(v, 'mode', GatherMode, 'GatherMode');
    this.set_('mode', v);
  }
  get numElementWiseDims(): number {
    return this.int_('numElementWiseDims', 0);
  }
  set numElementWiseDims(v: number) {
    assertInteger(v, 'numElementWiseDims', 0, 1);
    this.set_('numElementWiseDims', v);
  }
}

/** nvinfer1::INormalizationLayer. */
export class INormalizationLayer extends ILayer {
  get epsilon(): number {
    return Number(this.get_('epsilon') ?? 1e-5);
  }
  set epsilon(v: number) {
    assertNumber(v, 'epsilon');
    this.set_('epsilon', v);
  }
  get axes(): number {
    return this.int_('axes', 0);
  }
  set axes(v: number) {
    assertInteger(v, 'axes', 1, 255);
    this.set_('axes', v);
  }
  get numGroups(): number {
    return this.int_('numGroups', 1);
  }
  set numGroups(v: number) {
    assertInteger(v, 'numGroups', 1);
    this.set_('numGroups', v);
  }
  /** True: created with addNormalizationV2 (always, in TensorRT 11). */
  get isV2(): boolean {
    return true;
  }
}

/** nvinfer1::IResizeLayer. */
export class IResizeLayer extends ILayer {
  /** Output dimensions; clears scales. */
  get shape(): number[] {
    return this.ints_('shape', []);
  }
  set shape(v: number[]) {
    this.setDims_('shape', v);
    this.set_('scales', undefined);
  }
  /** Per-dimension scales; clears shape. */
  get scales(): number[] {
    const v = this.get_('scales');
    return Array.isArray(v) ? (v as number[]) : [];
  }
  set scales(v: number[]) {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !(x > 0))) throw invalidType('an array of positive numbers', 'scales', v);
    // Stored as floats even when integral, so the engine reads them as scales.
    this.set_('scales', v.map(Number));
    this.set_('shape', undefined);
  }
  get resizeMode(): InterpolationMode {
    return this.int_('resizeMode', InterpolationMode.NEAREST);
  }
  set resizeMode(v: InterpolationMode) {
    assertEnum(v, 'resizeMode', InterpolationMode, 'InterpolationMode');
    this.set_('resizeMode', v);
  }
  get coordinateTransformation(): ResizeCoordinateTransformation {
    return this.int_('coordinateTransformation', ResizeCoordinateTransformation.ASYMMETRIC);
  }
  set coordinateTransformation(v: ResizeCoordinateTransformation) {
    assertEnum(v, 'coordinateTransformation', ResizeCoordinateTransformation, 'ResizeCoordinateTransformation');
    this.set_('coordinateTransformation', v);
  }
  get selectorForSinglePixel(): ResizeSelector {
    return this.int_('selectorForSinglePixel', ResizeSelector.FORMULA);
  }
  set selectorForSinglePixel(v: ResizeSelector) {
    assertEnum(v, 'selectorForSinglePixel', ResizeSelector, 'ResizeSelector');
    this.set_('selectorForSinglePixel', v);
  }
  get nearestRounding(): ResizeRoundMode {
    return this.int_('nearestRounding', ResizeRoundMode.FLOOR);
  }
  set nearestRounding(v: ResizeRoundMode) {
    assertEnum(v, 'nearestRounding', ResizeRoundMode, 'ResizeRoundMode');
    this.set_('nearestRounding', v);
  }
  get cubicCoeff(): number {
    return Number(this.get_('cubicCoeff') ?? -0.75);
  }
  set cubicCoeff(v: number) {
    assertNumber(v, 'cubicCoeff');
    this.set_('cubicCoeff', v);
  }
  get excludeOutside(): boolean {
    return this.int_('excludeOutside', 0) !== 0;
  }
  set excludeOutside(v: boolean) {
    this.set_('excludeOutside', v ? 1 : 0);
  }
}

/** nvinfer1::ITopKLayer: output 0 values, output 1 indices. */
export class ITopKLayer extends ILayer {
  get op(): TopKOperation {
    return this.int_('op', TopKOperation.MAX);
  }
  set op(v: TopKOperation) {
    assertEnum(v, 'op', TopKOperation, 'TopKOperation');
    this.set_('op', v);
  }
  get k(): number {
    return this.int_('k', 1);
  }
  set k(v: number) {
    assertInteger(v, 'k', 1);
    this.set_('k', v);
  }
  get axes(): number {
    return this.int_('axes', 1);
  }
  set axes(v: number) {
    assertInteger(v, 'axes', 1, 255);
    this.set_('axes', v);
  }
  get indicesType(): DataType {
    return this.int_('indicesType', DataType.INT32);
  }
  set indicesType(v: DataType) {
    if (v !== DataType.INT32 && v !== DataType.INT64) throw new RangeError(`Expected DataType.INT32 or DataType.INT64 for indicesType but received ${String(v)}`);
    this.set_('indicesType', v);
  }
}

/** nvinfer1::IPaddingLayer: zero padding of the innermost dimensions (negative crops). */
export class IPaddingLayer extends ILayer {
  get prePaddingNd(): number[] {
    return this.ints_('prePaddingNd', []);
  }
  set prePaddingNd(v: number[]) {
    assertDims(v, 'prePaddingNd', -Infinity);
    this.set_('prePaddingNd', toDims(v));
  }
  get postPaddingNd(): number[] {
    return this.ints_('postPaddingNd', []);
  }
  set postPaddingNd(v: number[]) {
    assertDims(v, 'postPaddingNd', -Infinity);
    this.set_('postPaddingNd', toDims(v));
  }
}

/** nvinfer1::IFillLayer. */
export class IFillLayer extends ILayer {
  get shape(): number[] {
    return this.ints_('shape', []);
  }
  set shape(v: number[]) {
    this.setDims_('shape', v);
  }
  get operation(): FillOperation {
    return this.int_('operation', FillOperation.LINSPACE);
  }
  set operation(v: FillOperation) {
    assertEnum(v, 'operation', FillOperation, 'FillOperation');
    this.set_('operation', v);
  }
  get alpha(): number {
    return Number(this.get_('alpha') ?? 0);
  }
  set alpha(v: number) {
    assertNumber(v, 'alpha');
    this.set_('alpha', v);
  }
  get beta(): number {
    return Number(this.get_('beta') ?? 1);
  }
  set beta(v: number) {
    assertNumber(v, 'beta');
    this.set_('beta', v);
  }
  get toType(): DataType {
    return this.int_('toType', DataType.FLOAT);
  }
  set toType(v: DataType) {
    assertEnum(v, 'toType', DataType, 'DataType');
    this.set_('toType', v);
  }
  /** Seed of the RANDOM_* operations (an extension: TensorRT's random fill is unseeded). */
  get seed(): number {
    return this.int_('seed', 0);
  }
  set seed(v: number) {
    assertInteger(v, 'seed', 0, Number.MAX_SAFE_INTEGER);
    this.set_('seed', v);
  }
}

/** nvinfer1::IQuantizeLayer. */
export class IQuantizeLayer extends ILayer {
  get axis(): number {
    return this.int_('axis', -1);
  }
  set axis(v: number) {
    assertInteger(v, 'axis', -8, 7);
    this.set_('axis', v);
  }
  get toType(): DataType {
    return this.int_('toType', DataType.INT8);
  }
  set toType(v: DataType) {
    assertEnum(v, 'toType', DataType, 'DataType');
    this.set_('toType', v);
  }
}

/** nvinfer1::IDequantizeLayer. */
export class IDequantizeLayer extends IQuantizeLayer {
  override get toType(): DataType {
    return this.int_('toType', DataType.FLOAT);
  }
  override set toType(v: DataType) {
    assertEnum(v, 'toType', DataType, 'DataType');
    this.set_('toType', v);
  }
}

/** nvinfer1::ILRNLayer. */
export class ILRNLayer extends ILayer {
  get windowSize(): number {
    return this.int_('windowSize', 1);
  }
  set windowSize(v: number) {
    assertInteger(v, 'windowSize', 1, 15);
    this.set_('windowSize', v);
  }
  get alpha(): number {
    return Number(this.get_('alpha') ?? 0);
  }
  set alpha(v: number) {
    assertNumber(v, 'alpha');
    this.set_('alpha', v);
  }
  get beta(): number {
    return Number(this.get_('beta') ?? 0);
  }
  set beta(v: number) {
    assertNumber(v, 'beta');
    this.set_('beta', v);
  }
  get k(): number {
    return Number(this.get_('k') ?? 0);
  }
  set k(v: number) {
    assertNumber(v, 'k');
    this.set_('k', v);
  }
}

/** @internal The class that views each layer type. */
/** nvinfer1::ICumulativeLayer: running sum (or product) along the axis of input 1. */
export class ICumulativeLayer extends ILayer {
  get operation(): CumulativeOperation {
    return this.int_('operation', CumulativeOperation.SUM);
  }
  set operation(v: CumulativeOperation) {
    assertEnum(v, 'operation', CumulativeOperation, 'CumulativeOperation');
    this.set_('operation', v);
  }
  get exclusive(): boolean {
    return this.int_('exclusive', 0) !== 0;
  }
  set exclusive(v: boolean) {
    this.set_('exclusive', v ? 1 : 0);
  }
  get reverse(): boolean {
    return this.int_('reverse', 0) !== 0;
  }
  set reverse(v: boolean) {
    this.set_('reverse', v ? 1 : 0);
  }
}

/** nvinfer1::IScatterLayer: `data` with elements (ELEMENT, along `axis`) or slices (ND) replaced. */
export class IScatterLayer extends ILayer {
  get mode(): ScatterMode {
    return this.int_('mode', ScatterMode.ELEMENT);
  }
  set mode(v: ScatterMode) {
    assertEnum(v, 'mode', ScatterMode, 'ScatterMode');
    this.set_('mode', v);
  }
  get axis(): number {
    return this.int_('axis', 0);
  }
  set axis(v: number) {
    assertInteger(v, 'axis', -8, 7);
    this.set_('axis', v);
  }
  /**
   * Extension of the built-in engine: combine each update with its target element instead of
   * overwriting it, in index order, so duplicate indices accumulate (ONNX `reduction`).
   */
  get reduction(): ScatterReduction {
    return this.int_('reduction', ScatterReduction.NONE);
  }
  set reduction(v: ScatterReduction) {
    assertEnum(v, 'reduction', ScatterReduction, 'ScatterReduction');
    this.set_('reduction', v);
  }
}

/** nvinfer1::INonZeroLayer: output [rank, count] of INT32/INT64 indices; `count` is data-dependent. */
export class INonZeroLayer extends ILayer {
  get indicesType(): DataType {
    return this.int_('indicesType', DataType.INT64);
  }
  set indicesType(v: DataType) {
    if (v !== DataType.INT32 && v !== DataType.INT64) throw invalidValue('DataType.INT32 or DataType.INT64', 'indicesType', v);
    this.set_('indicesType', v);
  }
}

/**
 * nvinfer1::INMSLayer: non-maximum suppression per batch item and class. Output 0 is
 * SelectedIndices [count, 3] (batch, class, box) with a data-dependent `count`; output 1 is
 * NumOutputBoxes (0-D INT32). Optional inputs 3 (IoUThreshold) and 4 (ScoreThreshold) are set
 * with setInput.
 */
export class INMSLayer extends ILayer {
  get boundingBoxFormat(): BoundingBoxFormat {
    return this.int_('boundingBoxFormat', BoundingBoxFormat.CORNER_PAIRS);
  }
  set boundingBoxFormat(v: BoundingBoxFormat) {
    assertEnum(v, 'boundingBoxFormat', BoundingBoxFormat, 'BoundingBoxFormat');
    this.set_('boundingBoxFormat', v);
  }
  /** Candidates considered per batch item, highest scores first (default and maximum 5000). */
  get topKBoxLimit(): number {
    return this.int_('topKBoxLimit', 5000);
  }
  set topKBoxLimit(v: number) {
    assertInteger(v, 'topKBoxLimit', 0, 5000);
    this.set_('topKBoxLimit', v);
  }
  get indicesType(): DataType {
    return this.int_('indicesType', DataType.INT32);
  }
  set indicesType(v: DataType) {
    if (v !== DataType.INT32 && v !== DataType.INT64) throw invalidValue('DataType.INT32 or DataType.INT64', 'indicesType', v);
    this.set_('indicesType', v);
  }
}

/** nvinfer1::IOneHotLayer. */
export class IOneHotLayer extends ILayer {
  get axis(): number {
    return this.int_('axis', -1);
  }
  set axis(v: number) {
    assertInteger(v, 'axis', -9, 8);
    this.set_('axis', v);
  }
}

/**
 * nvinfer1::IGridSampleLayer: samples `input` [N, C, H, W] at the normalised (-1..1) x, y
 * positions of `grid` [N, H_out, W_out, 2].
 */
export class IGridSampleLayer extends ILayer {
  get interpolationMode(): InterpolationMode {
    return this.int_('interpolationMode', InterpolationMode.LINEAR);
  }
  set interpolationMode(v: InterpolationMode) {
    assertEnum(v, 'interpolationMode', InterpolationMode, 'InterpolationMode');
    this.set_('interpolationMode', v);
  }
  get alignCorners(): boolean {
    return this.int_('alignCorners', 0) !== 0;
  }
  set alignCorners(v: boolean) {
    assertBoolean(v, 'alignCorners');
    this.set_('alignCorners', v ? 1 : 0);
  }
  /** CLAMP, FILL (zeros) or REFLECT; TensorRT's setSampleMode rejects the others, so does this setter (RangeError). */
  get sampleMode(): SampleMode {
    return this.int_('sampleMode', SampleMode.FILL);
  }
  set sampleMode(v: SampleMode) {
    assertEnum(v, 'sampleMode', SampleMode, 'SampleMode');
    if (v !== SampleMode.CLAMP && v !== SampleMode.FILL && v !== SampleMode.REFLECT) {
      throw invalidValue('SampleMode.CLAMP, FILL or REFLECT', 'sampleMode', v);
    }
    this.set_('sampleMode', v);
  }
}

/** nvinfer1::IReverseSequenceLayer. */
export class IReverseSequenceLayer extends ILayer {
  get batchAxis(): number {
    return this.int_('batchAxis', 1);
  }
  set batchAxis(v: number) {
    assertInteger(v, 'batchAxis', -8, 7);
    this.set_('batchAxis', v);
  }
  get sequenceAxis(): number {
    return this.int_('sequenceAxis', 0);
  }
  set sequenceAxis(v: number) {
    assertInteger(v, 'sequenceAxis', -8, 7);
    this.set_('sequenceAxis', v);
  }
}

/**
 * A loop (nvinfer1::ILoop), made by `network.addLoop()`. Its boundary layers define it: trip
 * limits (how many iterations), recurrences (values carried from one iteration to the next),
 * iterators (a slice of a tensor per iteration) and loop outputs. Every layer that reads a
 * recurrence or iterator output (directly or through other layers) is inside the loop and runs
 * once per iteration; tensors from outside can be read inside (loop-invariant). Values leave the
 * loop only through loop outputs.
 *
 * @example
 * // sum = 0; for (i = 0; i < n; i++) sum += x[i]
 * const loop = network.addLoop();
 * loop.addTripLimit(n, TripLimit.COUNT); // n: 0-D INT32 shape tensor
 * const xi = loop.addIterator(x).getOutput(0);
 * const sum = loop.addRecurrence(zero);
 * sum.setInput(1, network.addElementWise(sum.getOutput(0), xi, ElementWiseOperation.SUM).getOutput(0));
 * const result = loop.addLoopOutput(sum.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0);
 */
export class ILoop {
  /** @internal */
  readonly _layers: number[] = [];
  private loopName: string;

  /** @internal Use NetworkDefinition.addLoop(). */
  constructor(
    readonly network: NetworkDefinition,
    /** @internal */
    readonly id: number,
  ) {
    this.loopName = `(Unnamed Loop ${id})`;
  }

  get name(): string {
    return this.loopName;
  }

  set name(value: string) {
    assertString(value, 'name');
    this.loopName = value;
    for (const layer of this._layers) this.network._native().setLayerAttr(layer, 'loopName', value);
  }

  getName(): string {
    return this.name;
  }

  setName(name: string): void {
    this.name = name;
  }

  private add<T extends ILayer>(type: LayerType, inputs: ITensor[], attrs: Record<string, NativeAttrValue>): T {
    const layer = this.network._addLayer<T>(type, inputs, { ...attrs, loop: this.id, loopName: this.loopName });
    this._layers.push(layer.id);
    return layer;
  }

  private layersOf<T extends ILayer>(type: LayerType): T[] {
    return this._layers.map((id) => this.network.getLayer(id)).filter((l) => l.type === type) as T[];
  }

  /**
   * Limits the iterations: COUNT takes a 0-D INT32/INT64 shape tensor from outside the loop
   * (the number of iterations), WHILE a 0-D BOOL tensor computed inside the loop, checked before
   * each iteration. A loop takes at most one of each.
   *
   * @throws TrtError INVALID_ARGUMENT when the loop already has a trip limit of that kind or the
   * tensor has the wrong type or rank.
   */
  addTripLimit(tensor: ITensor, limit: TripLimit): ITripLimitLayer {
    this.network._own(tensor, 'tensor');
    assertEnum(limit, 'limit', TripLimit, 'TripLimit');
    if (this.layersOf<ITripLimitLayer>(LayerType.TRIP_LIMIT).some((l) => l.tripLimit === limit)) {
      throw new TrtError(`loop '${this.loopName}' already has a ${TripLimit[limit]} trip limit; a loop takes at most one of each kind`, 'INVALID_ARGUMENT');
    }
    return this.add(LayerType.TRIP_LIMIT, [tensor], { kind: limit });
  }

  /**
   * A value carried across iterations: output 0 is `initialValue` in the first iteration and
   * then the tensor set with `setInput(1, next)` in the previous one (same type and dims).
   */
  addRecurrence(initialValue: ITensor): IRecurrenceLayer {
    this.network._own(initialValue, 'initialValue');
    return this.add(LayerType.RECURRENCE, [initialValue], {});
  }

  /**
   * The slice of `tensor` along `axis` for the current iteration (that axis removed); with
   * `reverse`, from the end (index tripCount-1-i, or the axis length without a COUNT limit).
   */
  addIterator(tensor: ITensor, axis = 0, reverse = false): IIteratorLayer {
    this.network._own(tensor, 'tensor');
    assertInteger(axis, 'axis', -8, 7);
    assertBoolean(reverse, 'reverse');
    return this.add(LayerType.ITERATOR, [tensor], { axis, reverse: reverse ? 1 : 0 });
  }

  /**
   * An output of the loop: LAST_VALUE gives a recurrence's value after the last iteration;
   * CONCATENATE and REVERSE stack `tensor`'s value of every iteration along a new axis `axis` and
   * need its length: `setInput(1, length)` with a 0-D INT32/INT64 shape tensor from outside the
   * loop. Rows past the last iteration are zeros (TensorRT leaves them undefined); more
   * iterations than the length fail the run.
   */
  addLoopOutput(tensor: ITensor, outputKind: LoopOutput, axis = 0): ILoopOutputLayer {
    this.network._own(tensor, 'tensor');
    assertEnum(outputKind, 'outputKind', LoopOutput, 'LoopOutput');
    assertInteger(axis, 'axis', -9, 8);
    if (outputKind === LoopOutput.LAST_VALUE) {
      const p = this.network._native().tensorInfo(tensor.id).producer;
      const producer = p >= 0 ? this.network.getLayer(p) : null;
      if (!(producer instanceof IRecurrenceLayer) || producer.loop !== this) {
        throw new TrtError(`a LAST_VALUE output of loop '${this.loopName}' must read a recurrence of that loop (loop.addRecurrence().getOutput(0)); tensor '${tensor.name}' is not one`, 'INVALID_ARGUMENT');
      }
    }
    return this.add(LayerType.LOOP_OUTPUT, [tensor], { kind: outputKind, axis });
  }
}

/** Base of the layers that define a loop (nvinfer1::ILoopBoundaryLayer). */
export class ILoopBoundaryLayer extends ILayer {
  /** The loop this layer belongs to. */
  get loop(): ILoop {
    return this.network._loop(this.int_('loop', -1));
  }

  getLoop(): ILoop {
    return this.loop;
  }
}

/** nvinfer1::ITripLimitLayer. */
export class ITripLimitLayer extends ILoopBoundaryLayer {
  get tripLimit(): TripLimit {
    return this.int_('kind', TripLimit.COUNT);
  }

  getTripLimit(): TripLimit {
    return this.tripLimit;
  }
}

/** nvinfer1::IRecurrenceLayer: input 0 the initial value, input 1 the next value. */
export class IRecurrenceLayer extends ILoopBoundaryLayer {
  /**
   * Input 1 is the value for the next iteration (the loop's back edge); it must have the
   * initial value's type and dims.
   *
   * @throws TrtError INVALID_ARGUMENT when the type or dims differ.
   */
  override setInput(index: number, tensor: ITensor): void {
    assertInteger(index, 'index', 0, 1);
    this.network._own(tensor, 'tensor');
    const current = this.getOutput(0);
    if (tensor.dtype !== current.dtype) {
      throw new TrtError(`recurrence '${this.name}' holds ${DataType[current.dtype]} values but tensor '${tensor.name}' is ${DataType[tensor.dtype]}`, 'INVALID_ARGUMENT');
    }
    const a = tensor.shape;
    const b = current.shape;
    if (a.length !== b.length || a.some((d, i) => d >= 0 && b[i]! >= 0 && d !== b[i])) {
      throw new TrtError(`recurrence '${this.name}' has dims [${b.join(', ')}] but tensor '${tensor.name}' has [${a.join(', ')}]; a recurrence keeps its dims in every iteration`, 'INVALID_ARGUMENT');
    }
    super.setInput(index, tensor);
  }
}

/** nvinfer1::IIteratorLayer. */
export class IIteratorLayer extends ILoopBoundaryLayer {
  get axis(): number {
    return this.int_('axis', 0);
  }
  set axis(v: number) {
    assertInteger(v, 'axis', -8, 7);
    this.set_('axis', v);
  }
  get reverse(): boolean {
    return this.int_('reverse', 0) !== 0;
  }
  set reverse(v: boolean) {
    assertBoolean(v, 'reverse');
    this.set_('reverse', v ? 1 : 0);
  }
  getAxis(): number {
    return this.axis;
  }
  setAxis(axis: number): void {
    this.axis = axis;
  }
  getReverse(): boolean {
    return this.reverse;
  }
  setReverse(reverse: boolean): void {
    this.reverse = reverse;
  }
}

/** nvinfer1::ILoopOutputLayer. */
export class ILoopOutputLayer extends ILoopBoundaryLayer {
  get loopOutput(): LoopOutput {
    return this.int_('kind', LoopOutput.LAST_VALUE);
  }
  getLoopOutput(): LoopOutput {
    return this.loopOutput;
  }
  /** Where the stacking axis goes (CONCATENATE, REVERSE); ignored for LAST_VALUE. */
  get axis(): number {
    return this.int_('axis', 0);
  }
  set axis(v: number) {
    assertInteger(v, 'axis', -9, 8);
    this.set_('axis', v);
  }
  getAxis(): number {
    return this.axis;
  }
  setAxis(axis: number): void {
    this.axis = axis;
  }

  /**
   * Input 1 of a CONCATENATE or REVERSE output is its length: a 0-D INT32/INT64 shape tensor
   * from outside the loop.
   *
   * @throws TrtError INVALID_ARGUMENT for input 1 of a LAST_VALUE output or a length that is not
   * a 0-D INT32/INT64 tensor.
   */
  override setInput(index: number, tensor: ITensor): void {
    assertInteger(index, 'index', 0, 1);
    this.network._own(tensor, 'tensor');
    if (index === 1) {
      if (this.loopOutput === LoopOutput.LAST_VALUE) {
        throw new TrtError(`loop output '${this.name}' is LAST_VALUE, which takes no length (input 1)`, 'INVALID_ARGUMENT');
      }
      if (tensor.shape.length !== 0 || (tensor.dtype !== DataType.INT32 && tensor.dtype !== DataType.INT64)) {
        throw new TrtError(`the length of loop output '${this.name}' must be a 0-D INT32 or INT64 tensor, but '${tensor.name}' is ${DataType[tensor.dtype]} [${tensor.shape.join(', ')}]`, 'INVALID_ARGUMENT');
      }
    }
    super.setInput(index, tensor);
  }

  /**
   * @internal Extension for importers: the loop must run exactly `length` iterations, else the
   * run fails (a stacked output whose real length is only known while the loop runs).
   */
  _requireFullLength(): void {
    this.set_('strictLength', 1);
  }
}

export const layerClassFor: Partial<Record<LayerType, new (network: NetworkDefinition, id: number) => ILayer>> = {
  [LayerType.CONVOLUTION]: IConvolutionLayer,
  [LayerType.DECONVOLUTION]: IDeconvolutionLayer,
  [LayerType.POOLING]: IPoolingLayer,
  [LayerType.ACTIVATION]: IActivationLayer,
  [LayerType.ELEMENTWISE]: IElementWiseLayer,
  [LayerType.UNARY]: IUnaryLayer,
  [LayerType.MATRIX_MULTIPLY]: IMatrixMultiplyLayer,
  [LayerType.CONSTANT]: IConstantLayer,
  [LayerType.SHUFFLE]: IShuffleLayer,
  [LayerType.CONCATENATION]: IConcatenationLayer,
  [LayerType.SOFTMAX]: ISoftMaxLayer,
  [LayerType.REDUCE]: IReduceLayer,
  [LayerType.SCALE]: IScaleLayer,
  [LayerType.SLICE]: ISliceLayer,
  [LayerType.IDENTITY]: IIdentityLayer,
  [LayerType.SHAPE]: IShapeLayer,
  [LayerType.SELECT]: ISelectLayer,
  [LayerType.PARAMETRIC_RELU]: IParametricReLULayer,
  [LayerType.CAST]: ICastLayer,
  [LayerType.GATHER]: IGatherLayer,
  [LayerType.NORMALIZATION]: INormalizationLayer,
  [LayerType.RESIZE]: IResizeLayer,
  [LayerType.TOPK]: ITopKLayer,
  [LayerType.PADDING]: IPaddingLayer,
  [LayerType.FILL]: IFillLayer,
  [LayerType.QUANTIZE]: IQuantizeLayer,
  [LayerType.DEQUANTIZE]: IDequantizeLayer,
  [LayerType.LRN]: ILRNLayer,
  [LayerType.CUMULATIVE]: ICumulativeLayer,
  [LayerType.SCATTER]: IScatterLayer,
  [LayerType.ONE_HOT]: IOneHotLayer,
  [LayerType.NON_ZERO]: INonZeroLayer,
  [LayerType.NMS]: INMSLayer,
  [LayerType.REVERSE_SEQUENCE]: IReverseSequenceLayer,
  [LayerType.GRID_SAMPLE]: IGridSampleLayer,
  [LayerType.TRIP_LIMIT]: ITripLimitLayer,
  [LayerType.RECURRENCE]: IRecurrenceLayer,
  [LayerType.ITERATOR]: IIteratorLayer,
  [LayerType.LOOP_OUTPUT]: ILoopOutputLayer,
};
