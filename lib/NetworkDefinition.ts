import type { NativeAttrValue, NativeNetwork } from '../typings/native.js';
import type { BackendName } from './backends.js';
import { Resource } from './Disposable.js';
import {
  ActivationType,
  CumulativeOperation,
  DataType,
  ElementWiseOperation,
  FillOperation,
  GatherMode,
  InterpolationMode,
  LayerType,
  MatrixOperation,
  PoolingType,
  ReduceOperation,
  SampleMode,
  ScaleMode,
  ScatterMode,
  TopKOperation,
  UnaryOperation,
} from './enums.js';
import { TrtError, invalidType, invalidValue } from './errors.js';
import {
  IActivationLayer,
  ICastLayer,
  IConcatenationLayer,
  IConstantLayer,
  IConvolutionLayer,
  ICumulativeLayer,
  IDeconvolutionLayer,
  IDequantizeLayer,
  IElementWiseLayer,
  IFillLayer,
  IGatherLayer,
  IGridSampleLayer,
  IIdentityLayer,
  ILayer,
  ILoop,
  ILRNLayer,
  IMatrixMultiplyLayer,
  INormalizationLayer,
  INMSLayer,
  INonZeroLayer,
  IOneHotLayer,
  IPaddingLayer,
  IParametricReLULayer,
  IPoolingLayer,
  IQuantizeLayer,
  IReduceLayer,
  IResizeLayer,
  IReverseSequenceLayer,
  IScaleLayer,
  IScatterLayer,
  ISelectLayer,
  IShapeLayer,
  IShuffleLayer,
  ISliceLayer,
  ISoftMaxLayer,
  ITopKLayer,
  IUnaryLayer,
  layerClassFor,
} from './layers.js';
import { native } from './native.js';
import { ITensor } from './Tensor.js';
import { Weights, WeightsLike } from './Weights.js';
import { assertDims, assertEnum, assertInteger, assertNonEmptyString, assertNumber, toDims } from './validate.js';

type Attrs = Record<string, NativeAttrValue | undefined>;

/**
 * A network definition (nvinfer1::INetworkDefinition), built layer by layer. Created by
 * `builder.createNetworkV2()`. Every network is strongly typed (TensorRT 11): tensor types come
 * from inputs, constants, casts and Q/DQ layers.
 *
 * @example
 * const network = builder.createNetworkV2();
 * const x = network.addInput('x', DataType.FLOAT, [1, 4]);
 * const fc = network.addMatrixMultiply(x, MatrixOperation.NONE, network.addConstant([4, 2], w).getOutput(0), MatrixOperation.NONE);
 * network.markOutput(fc.getOutput(0));
 */
export class NetworkDefinition extends Resource {
  private readonly handle: NativeNetwork;
  private readonly tensorViews = new Map<number, ITensor>();
  private readonly loops: ILoop[] = [];
  /** Creation flags (kept for TensorRT API parity; STRONGLY_TYPED is implied). */
  readonly flags: number;
  /** @internal The backend of the Builder that created it; null for one made directly. */
  readonly _builderBackend: BackendName | null;

  /** @internal Use Builder.createNetworkV2(). */
  constructor(flags = 0, builderBackend: BackendName | null = null) {
    const handle = new (native().NativeNetwork)();
    super('NetworkDefinition', handle);
    this.handle = handle;
    this.flags = flags;
    this._builderBackend = builderBackend;
  }

  /** @internal */
  _native(): NativeNetwork {
    this.check();
    return this.handle;
  }

  /** @internal */
  _tensor(id: number): ITensor {
    let t = this.tensorViews.get(id);
    if (!t) {
      t = new ITensor(this, id);
      this.tensorViews.set(id, t);
    }
    return t;
  }

  /** @internal Throws unless `tensor` is a tensor of this network. */
  _own(tensor: unknown, name: string): ITensor {
    if (!(tensor instanceof ITensor)) throw invalidType('an ITensor', name, tensor);
    if (tensor.network !== this) throw invalidValue('an ITensor of this network', name, tensor);
    return tensor;
  }

  private layer<T extends ILayer>(type: LayerType, inputs: Array<ITensor | null>, attrs: Attrs, name?: string): T {
    const ids = inputs.map((t) => (t === null ? -1 : t.id));
    const id = this._native().addLayer(type, name ?? null, ids, attrs);
    return this.getLayer(id) as T;
  }

  /** @internal Adds a layer for ILoop (its boundary layers). */
  _addLayer<T extends ILayer>(type: LayerType, inputs: ITensor[], attrs: Attrs): T {
    return this.layer<T>(type, inputs, attrs);
  }

  /** @internal The loop with id `id` (boundary layers store it). */
  _loop(id: number): ILoop {
    const loop = this.loops[id];
    if (!loop) throw new TrtError(`loop ${id} does not exist in this network`, 'INVALID_ARGUMENT');
    return loop;
  }

  get name(): string {
    return this._native().getName();
  }

  set name(value: string) {
    this._native().setName(String(value));
  }

  get numLayers(): number {
    return this._native().counts().layers;
  }

  get numInputs(): number {
    return this._native().counts().inputs;
  }

  get numOutputs(): number {
    return this._native().counts().outputs;
  }

  /** TensorRT 11 networks are always strongly typed. */
  get stronglyTyped(): boolean {
    return true;
  }

  getLayer(index: number): ILayer {
    assertInteger(index, 'index', 0, this.numLayers - 1);
    const info = this._native().layerInfo(index);
    const Ctor = layerClassFor[info.type as LayerType] ?? ILayer;
    return new Ctor(this, index);
  }

  getInput(index: number): ITensor {
    assertInteger(index, 'index', 0);
    const id = this._native().inputTensor(index);
    if (id === null) throw invalidValue(`an input index below ${this.numInputs}`, 'index', index);
    return this._tensor(id);
  }

  getOutput(index: number): ITensor {
    assertInteger(index, 'index', 0);
    const id = this._native().outputTensor(index);
    if (id === null) throw invalidValue(`an output index below ${this.numOutputs}`, 'index', index);
    return this._tensor(id);
  }

  /** Adds a network input; -1 marks a dynamic dimension (resolved by optimization profiles). */
  addInput(name: string, dtype: DataType, shape: number[]): ITensor {
    assertNonEmptyString(name, 'name');
    assertEnum(dtype, 'dtype', DataType, 'DataType');
    assertDims(shape, 'shape', -1);
    return this._tensor(this._native().addInput(name, dtype, toDims(shape)));
  }

  markOutput(tensor: ITensor): void {
    this._native().markOutput(this._own(tensor, 'tensor').id);
  }

  unmarkOutput(tensor: ITensor): void {
    this._native().unmarkOutput(this._own(tensor, 'tensor').id);
  }

  /** Convolution (1-D to 3-D). `kernel` is [numOutputMaps, C/groups, ...kernelShape]. */
  addConvolutionNd(input: ITensor, numOutputMaps: number, kernelShape: number[], kernel: WeightsLike, bias?: WeightsLike): IConvolutionLayer {
    this._own(input, 'input');
    assertInteger(numOutputMaps, 'numOutputMaps', 1);
    assertDims(kernelShape, 'kernelShape', 1);
    return this.layer(LayerType.CONVOLUTION, [input], {
      numOutputMaps,
      kernelSizeNd: toDims(kernelShape),
      kernel: Weights.from(kernel, 'kernel').toNative(),
      bias: Weights.from(bias, 'bias').toNative(),
    });
  }

  /** Transposed convolution. `kernel` is [C, numOutputMaps/groups, ...kernelShape]. */
  addDeconvolutionNd(input: ITensor, numOutputMaps: number, kernelShape: number[], kernel: WeightsLike, bias?: WeightsLike): IDeconvolutionLayer {
    this._own(input, 'input');
    assertInteger(numOutputMaps, 'numOutputMaps', 1);
    assertDims(kernelShape, 'kernelShape', 1);
    return this.layer(LayerType.DECONVOLUTION, [input], {
      numOutputMaps,
      kernelSizeNd: toDims(kernelShape),
      kernel: Weights.from(kernel, 'kernel').toNative(),
      bias: Weights.from(bias, 'bias').toNative(),
    });
  }

  addPoolingNd(input: ITensor, type: PoolingType, windowSize: number[]): IPoolingLayer {
    this._own(input, 'input');
    assertEnum(type, 'type', PoolingType, 'PoolingType');
    assertDims(windowSize, 'windowSize', 1);
    return this.layer(LayerType.POOLING, [input], { type, windowSizeNd: toDims(windowSize) });
  }

  addActivation(input: ITensor, type: ActivationType): IActivationLayer {
    this._own(input, 'input');
    assertEnum(type, 'type', ActivationType, 'ActivationType');
    return this.layer(LayerType.ACTIVATION, [input], { type });
  }

  addElementWise(input1: ITensor, input2: ITensor, op: ElementWiseOperation): IElementWiseLayer {
    this._own(input1, 'input1');
    this._own(input2, 'input2');
    assertEnum(op, 'op', ElementWiseOperation, 'ElementWiseOperation');
    return this.layer(LayerType.ELEMENTWISE, [input1, input2], { op });
  }

  addUnary(input: ITensor, op: UnaryOperation): IUnaryLayer {
    this._own(input, 'input');
    assertEnum(op, 'op', UnaryOperation, 'UnaryOperation');
    return this.layer(LayerType.UNARY, [input], { op });
  }

  addMatrixMultiply(input0: ITensor, op0: MatrixOperation, input1: ITensor, op1: MatrixOperation): IMatrixMultiplyLayer {
    this._own(input0, 'input0');
    this._own(input1, 'input1');
    assertEnum(op0, 'op0', MatrixOperation, 'MatrixOperation');
    assertEnum(op1, 'op1', MatrixOperation, 'MatrixOperation');
    return this.layer(LayerType.MATRIX_MULTIPLY, [input0, input1], { op0, op1 });
  }

  /** A constant tensor; its type is the weights' type. */
  addConstant(shape: number[], weights: WeightsLike): IConstantLayer {
    assertDims(shape, 'shape', 0);
    const w = Weights.from(weights, 'weights');
    const expected = toDims(shape).reduce((a, b) => a * b, 1);
    if (w.count !== expected) {
      throw invalidValue(`weights with ${expected} values (the volume of shape [${toDims(shape).join(',')}])`, 'weights', w.values);
    }
    return this.layer(LayerType.CONSTANT, [], { shape: toDims(shape), weights: w.toNative(), weightsType: w.type });
  }

  addShuffle(input: ITensor): IShuffleLayer {
    this._own(input, 'input');
    return this.layer(LayerType.SHUFFLE, [input], {});
  }

  /** Concatenation along `axis` (default: rank-3, or 0 when rank < 3, as TensorRT). */
  addConcatenation(inputs: ITensor[]): IConcatenationLayer {
    if (!Array.isArray(inputs) || inputs.length === 0) throw invalidType('a non-empty array of ITensor', 'inputs', inputs);
    inputs.forEach((t, i) => this._own(t, `inputs[${i}]`));
    const rank = inputs[0]!.shape.length;
    return this.layer(LayerType.CONCATENATION, inputs, { axis: rank >= 3 ? rank - 3 : 0 });
  }

  /** Softmax over one axis (default: rank-3, or 0 when rank < 3, as TensorRT). */
  addSoftMax(input: ITensor): ISoftMaxLayer {
    this._own(input, 'input');
    const rank = input.shape.length;
    return this.layer(LayerType.SOFTMAX, [input], { axes: 1 << (rank >= 3 ? rank - 3 : 0) });
  }

  /** Reduces the axes of the `axes` bitmask (or of a shape tensor set as input 1, see IReduceLayer). */
  addReduce(input: ITensor, op: ReduceOperation, axes: number, keepDims: boolean): IReduceLayer {
    this._own(input, 'input');
    assertEnum(op, 'op', ReduceOperation, 'ReduceOperation');
    assertInteger(axes, 'axes', 0, 255);
    return this.layer(LayerType.REDUCE, [input], { op, axes, keepDims: keepDims ? 1 : 0 });
  }

  /** `(input * scale + shift) ^ power`, per tensor, channel (axis 1) or element. */
  addScale(input: ITensor, mode: ScaleMode, shift?: WeightsLike, scale?: WeightsLike, power?: WeightsLike): IScaleLayer {
    return this.addScaleNd(input, mode, shift, scale, power, 1);
  }

  addScaleNd(input: ITensor, mode: ScaleMode, shift: WeightsLike, scale: WeightsLike, power: WeightsLike, channelAxis: number): IScaleLayer {
    this._own(input, 'input');
    assertEnum(mode, 'mode', ScaleMode, 'ScaleMode');
    assertInteger(channelAxis, 'channelAxis', 0, 7);
    return this.layer(LayerType.SCALE, [input], {
      mode,
      shift: Weights.from(shift, 'shift').toNative(),
      scale: Weights.from(scale, 'scale').toNative(),
      power: Weights.from(power, 'power').toNative(),
      channelAxis,
    });
  }

  addSlice(input: ITensor, start: number[], shape: number[], stride: number[]): ISliceLayer {
    this._own(input, 'input');
    assertDims(start, 'start', -Infinity);
    assertDims(shape, 'shape', 0);
    assertDims(stride, 'stride', -Infinity);
    return this.layer(LayerType.SLICE, [input], { start: toDims(start), shape: toDims(shape), stride: toDims(stride) });
  }

  addIdentity(input: ITensor): IIdentityLayer {
    this._own(input, 'input');
    return this.layer(LayerType.IDENTITY, [input], {});
  }

  addCast(input: ITensor, toType: DataType): ICastLayer {
    this._own(input, 'input');
    assertEnum(toType, 'toType', DataType, 'DataType');
    return this.layer(LayerType.CAST, [input], { toType });
  }

  addGather(data: ITensor, indices: ITensor, axis: number): IGatherLayer {
    this._own(data, 'data');
    this._own(indices, 'indices');
    assertInteger(axis, 'axis', -8, 7);
    return this.layer(LayerType.GATHER, [data, indices], { axis, mode: GatherMode.DEFAULT });
  }

  addGatherV2(data: ITensor, indices: ITensor, mode: GatherMode): IGatherLayer {
    this._own(data, 'data');
    this._own(indices, 'indices');
    assertEnum(mode, 'mode', GatherMode, 'GatherMode');
    return this.layer(LayerType.GATHER, [data, indices], { mode, axis: 0 });
  }

  /** `(x - mean) / sqrt(var + eps) * scale + bias` over the axes in `axesMask`. */
  addNormalizationV2(input: ITensor, scale: ITensor, bias: ITensor, axesMask: number): INormalizationLayer {
    this._own(input, 'input');
    this._own(scale, 'scale');
    this._own(bias, 'bias');
    assertInteger(axesMask, 'axesMask', 1, 255);
    return this.layer(LayerType.NORMALIZATION, [input, scale, bias], { axes: axesMask });
  }

  /** Deprecated TensorRT spelling of {@link addNormalizationV2}. */
  addNormalization(input: ITensor, scale: ITensor, bias: ITensor, axesMask: number): INormalizationLayer {
    return this.addNormalizationV2(input, scale, bias, axesMask);
  }

  addSelect(condition: ITensor, thenInput: ITensor, elseInput: ITensor): ISelectLayer {
    this._own(condition, 'condition');
    this._own(thenInput, 'thenInput');
    this._own(elseInput, 'elseInput');
    return this.layer(LayerType.SELECT, [condition, thenInput, elseInput], {});
  }

  addResize(input: ITensor): IResizeLayer {
    this._own(input, 'input');
    return this.layer(LayerType.RESIZE, [input], { shape: input.shape.map((d) => (d < 0 ? 0 : d)) });
  }

  addTopK(input: ITensor, op: TopKOperation, k: number, axes: number, indicesType: DataType = DataType.INT32): ITopKLayer {
    this._own(input, 'input');
    assertEnum(op, 'op', TopKOperation, 'TopKOperation');
    assertInteger(k, 'k', 1);
    assertInteger(axes, 'axes', 1, 255);
    if (indicesType !== DataType.INT32 && indicesType !== DataType.INT64) {
      throw invalidValue('DataType.INT32 or DataType.INT64', 'indicesType', indicesType);
    }
    return this.layer(LayerType.TOPK, [input], { op, k, axes, indicesType });
  }

  addShape(input: ITensor): IShapeLayer {
    this._own(input, 'input');
    return this.layer(LayerType.SHAPE, [input], {});
  }

  addPaddingNd(input: ITensor, prePadding: number[], postPadding: number[]): IPaddingLayer {
    this._own(input, 'input');
    assertDims(prePadding, 'prePadding', -Infinity);
    assertDims(postPadding, 'postPadding', -Infinity);
    if (prePadding.length !== postPadding.length) throw invalidValue(`${prePadding.length} values (as prePadding)`, 'postPadding', postPadding);
    return this.layer(LayerType.PADDING, [input], { prePaddingNd: toDims(prePadding), postPaddingNd: toDims(postPadding) });
  }

  addFill(shape: number[], op: FillOperation, outputType: DataType = DataType.FLOAT): IFillLayer {
    assertDims(shape, 'shape', 0);
    assertEnum(op, 'op', FillOperation, 'FillOperation');
    assertEnum(outputType, 'outputType', DataType, 'DataType');
    // TensorRT's defaults for every operation: alpha 0 (start, minimum or mean), beta 1.
    return this.layer(LayerType.FILL, [], { shape: toDims(shape), operation: op, toType: outputType, alpha: 0, beta: 1 });
  }

  /** `clamp(round(x / scale))` to INT8. */
  addQuantize(input: ITensor, scale: ITensor, outputType: DataType = DataType.INT8): IQuantizeLayer {
    this._own(input, 'input');
    this._own(scale, 'scale');
    assertEnum(outputType, 'outputType', DataType, 'DataType');
    return this.layer(LayerType.QUANTIZE, [input, scale], { toType: outputType, axis: scale.shape.length === 0 ? -1 : 0 });
  }

  /** `x * scale` from INT8. */
  addDequantize(input: ITensor, scale: ITensor, outputType: DataType = DataType.FLOAT): IDequantizeLayer {
    this._own(input, 'input');
    this._own(scale, 'scale');
    assertEnum(outputType, 'outputType', DataType, 'DataType');
    return this.layer(LayerType.DEQUANTIZE, [input, scale], { toType: outputType, axis: scale.shape.length === 0 ? -1 : 0 });
  }

  addParametricReLU(input: ITensor, slope: ITensor): IParametricReLULayer {
    this._own(input, 'input');
    this._own(slope, 'slope');
    return this.layer(LayerType.PARAMETRIC_RELU, [input, slope], {});
  }

  addLRN(input: ITensor, window: number, alpha: number, beta: number, k: number): ILRNLayer {
    this._own(input, 'input');
    assertInteger(window, 'window', 1, 15);
    assertNumber(alpha, 'alpha');
    assertNumber(beta, 'beta');
    assertNumber(k, 'k');
    return this.layer(LayerType.LRN, [input], { windowSize: window, alpha, beta, k });
  }

  /**
   * Running sum (or product) of `input` along the axis held by `axis` (a scalar INT32/INT64
   * tensor, normally a constant); `exclusive` leaves out the current element, `reverse` runs from
   * the end.
   *
   * @example
   * const axis = network.addConstant([], new Weights(DataType.INT32, new Int32Array([1]))).getOutput(0);
   * const cumsum = network.addCumulative(x, axis, CumulativeOperation.SUM, false, false);
   */
  addCumulative(input: ITensor, axis: ITensor, operation: CumulativeOperation, exclusive: boolean, reverse: boolean): ICumulativeLayer {
    this._own(input, 'input');
    this._own(axis, 'axis');
    assertEnum(operation, 'operation', CumulativeOperation, 'CumulativeOperation');
    if (typeof exclusive !== 'boolean') throw invalidType('a boolean', 'exclusive', exclusive);
    if (typeof reverse !== 'boolean') throw invalidType('a boolean', 'reverse', reverse);
    return this.layer(LayerType.CUMULATIVE, [input, axis], { operation, exclusive: exclusive ? 1 : 0, reverse: reverse ? 1 : 0 });
  }

  /**
   * `data` with `updates` written at `indices` (INT32/INT64): single elements along
   * `layer.axis` in ELEMENT mode, slices addressed by index tuples in ND mode.
   *
   * @example
   * const scatter = network.addScatter(data, indices, updates, ScatterMode.ELEMENT);
   * scatter.axis = 1;
   */
  addScatter(data: ITensor, indices: ITensor, updates: ITensor, mode: ScatterMode): IScatterLayer {
    this._own(data, 'data');
    this._own(indices, 'indices');
    this._own(updates, 'updates');
    assertEnum(mode, 'mode', ScatterMode, 'ScatterMode');
    return this.layer(LayerType.SCATTER, [data, indices, updates], { mode, axis: 0 });
  }

  /**
   * One-hot encoding of `indices` along a new dim of size `depth` (a scalar INT32/INT64 shape
   * tensor) at `axis`; `values` is [off, on] and sets the output type.
   *
   * @example
   * const oneHot = network.addOneHot(indices, offOn, depth, -1);
   */
  addOneHot(indices: ITensor, values: ITensor, depth: ITensor, axis: number): IOneHotLayer {
    this._own(indices, 'indices');
    this._own(values, 'values');
    this._own(depth, 'depth');
    assertInteger(axis, 'axis', -9, 8);
    return this.layer(LayerType.ONE_HOT, [indices, values, depth], { axis });
  }

  /**
   * The indices of the non-zero elements of `input` as [rank, count], one column per element in
   * row-major order. `count` depends on the data: the output's dims are known only when the
   * engine runs (bind a buffer of context.getMaxOutputSize() bytes or use
   * context.setOutputAllocator()).
   *
   * @example
   * const nz = network.addNonZero(mask, DataType.INT64);
   */
  addNonZero(input: ITensor, indicesType: DataType = DataType.INT64): INonZeroLayer {
    this._own(input, 'input');
    if (indicesType !== DataType.INT32 && indicesType !== DataType.INT64) {
      throw invalidValue('DataType.INT32 or DataType.INT64', 'indicesType', indicesType);
    }
    return this.layer(LayerType.NON_ZERO, [input], { indicesType });
  }

  /**
   * Non-maximum suppression. `boxes` is [batch, boxes, 4] (or [batch, boxes, classes, 4]),
   * `scores` [batch, boxes, classes], `maxOutputBoxesPerClass` a 0-D INT32/INT64 tensor. Output
   * 0 holds (batch, class, box) rows of the selected boxes, its row count data-dependent;
   * output 1 that count. Thresholds are inputs 3 (IoU) and 4 (score), set with setInput.
   *
   * @example
   * const nms = network.addNMS(boxes, scores, maxPerClass, DataType.INT32);
   * nms.setInput(3, iouThreshold);
   */
  addNMS(boxes: ITensor, scores: ITensor, maxOutputBoxesPerClass: ITensor, indicesType: DataType = DataType.INT32): INMSLayer {
    this._own(boxes, 'boxes');
    this._own(scores, 'scores');
    this._own(maxOutputBoxesPerClass, 'maxOutputBoxesPerClass');
    if (indicesType !== DataType.INT32 && indicesType !== DataType.INT64) {
      throw invalidValue('DataType.INT32 or DataType.INT64', 'indicesType', indicesType);
    }
    return this.layer(LayerType.NMS, [boxes, scores, maxOutputBoxesPerClass], { indicesType });
  }

  /**
   * Reverses the first `sequenceLens[b]` elements along `layer.sequenceAxis` (default 0) for each
   * entry b along `layer.batchAxis` (default 1).
   *
   * @example
   * const rev = network.addReverseSequence(x, lengths);
   * rev.batchAxis = 0;
   * rev.sequenceAxis = 1;
   */
  addReverseSequence(input: ITensor, sequenceLens: ITensor): IReverseSequenceLayer {
    this._own(input, 'input');
    this._own(sequenceLens, 'sequenceLens');
    return this.layer(LayerType.REVERSE_SEQUENCE, [input, sequenceLens], { batchAxis: 1, sequenceAxis: 0 });
  }

  /**
   * Samples `input` [N, C, H_in, W_in] at the positions of `grid` [N, H_out, W_out, 2] (x, y
   * normalised to [-1, 1]) into [N, C, H_out, W_out]; `layer.interpolationMode` (LINEAR),
   * `layer.alignCorners` (false) and `layer.sampleMode` (FILL: zeros outside) choose how.
   * The built-in engine also takes 5-D input and grid (NEAREST and LINEAR).
   *
   * @example
   * const gs = network.addGridSample(image, grid);
   * gs.interpolationMode = InterpolationMode.CUBIC;
   * gs.sampleMode = SampleMode.REFLECT;
   */
  addGridSample(input: ITensor, grid: ITensor): IGridSampleLayer {
    this._own(input, 'input');
    this._own(grid, 'grid');
    return this.layer(LayerType.GRID_SAMPLE, [input, grid], { interpolationMode: InterpolationMode.LINEAR, alignCorners: 0, sampleMode: SampleMode.FILL });
  }

  /**
   * A loop (nvinfer1::ILoop): add its trip limit, recurrences, iterators and outputs through it;
   * layers that read its recurrences' or iterators' outputs run once per iteration.
   *
   * @example
   * // y = x^n by repeated multiplication, n a 0-D INT32 shape tensor
   * const loop = network.addLoop();
   * loop.addTripLimit(n, TripLimit.COUNT);
   * const acc = loop.addRecurrence(one);
   * acc.setInput(1, network.addElementWise(acc.getOutput(0), x, ElementWiseOperation.PROD).getOutput(0));
   * const y = loop.addLoopOutput(acc.getOutput(0), LoopOutput.LAST_VALUE).getOutput(0);
   */
  addLoop(): ILoop {
    this._native();
    const loop = new ILoop(this, this.loops.length);
    this.loops.push(loop);
    return loop;
  }

  /**
   * Re-validates the whole network (shape and type inference); throws the first problem as a
   * TrtError naming the layer. The builder runs the same check.
   */
  validate(): void {
    const err = this._native().validate();
    if (err) throw err;
  }

  /** @internal */
  _assertBuildable(): void {
    if (this.numOutputs === 0) throw new TrtError('network has no outputs; call network.markOutput()', 'INVALID_ARGUMENT');
  }

  protected release(): void {
    this.handle.dispose();
    this.tensorViews.clear();
  }
}
