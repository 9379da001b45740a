/**
 * @internal The state of one parse: ONNX value names bound to network tensors or JS-side constants,
 * and the per-node view (inputs, attributes, outputs) that importers work with.
 */
import type { NetworkDefinition } from '../NetworkDefinition.js';
import type { Logger } from '../Logger.js';
import { Severity } from '../Logger.js';
import { DataType } from '../enums.js';
import { ITensor } from '../Tensor.js';
import { Weights } from '../Weights.js';
import { ConstTensor, engineType, missingTypeReason, onnxTypeName, onnxTypeOf } from './ConstTensor.js';
import { OnnxAttribute, OnnxAttributeType, OnnxGraph, OnnxNode, OnnxTensorProto, OnnxType, utf8 } from './model.js';
import { ImportError, ParserErrorCode } from './ParserError.js';
import { constFromProto } from './ConstTensor.js';

/** A value of the ONNX graph: a network tensor, or a constant kept on the JS side. */
export type Value = ITensor | ConstTensor;

export function isConst(v: Value | undefined): v is ConstTensor {
  return v instanceof ConstTensor;
}

/** Model-wide state shared by the main graph and subgraphs. */
export class ModelContext {
  /** Constant → Constant-layer output, so each constant becomes one layer. */
  private readonly materialized = new WeakMap<ConstTensor, ITensor>();
  private constantCount = 0;

  constructor(
    readonly network: NetworkDefinition,
    readonly logger: Logger,
    /** Opset of the default domain. */
    readonly opset: number,
    /** Folder of the model file, for external data. */
    readonly baseDir: string | undefined,
  ) {}

  warn(message: string): void {
    this.logger.log(Severity.WARNING, `[onnx] ${message}`);
  }

  /** The network tensor for a value; constants become Constant layers (once each). */
  tensor(v: Value): ITensor {
    if (!(v instanceof ConstTensor)) return v;
    const known = this.materialized.get(v);
    if (known) return known;
    let c = v;
    if (c.type === OnnxType.DOUBLE) {
      // TensorRT has no FP64: constants are narrowed to FLOAT, as TensorRT's parser does.
      c = ConstTensor.fromNumbers(OnnxType.FLOAT, c.dims, c.toNumbers());
    }
    const type = engineType(c.type);
    if (type === undefined) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `a constant of type ${onnxTypeName(c.type)} cannot be a network tensor: ${missingTypeReason(c.type)}`);
    }
    const layer = this.network.addConstant(c.dims, new Weights(type, c.engineData(), c.size));
    this.constantCount += 1;
    const out = layer.getOutput(0);
    this.materialized.set(v, out);
    return out;
  }

  /** Decodes an initializer or TENSOR attribute. */
  constant(proto: OnnxTensorProto, what: string): ConstTensor {
    return constFromProto(proto, this.baseDir, what);
  }
}

/** Values visible in one graph scope (subgraphs see their parents' values). */
export class Scope {
  private readonly values = new Map<string, Value>();

  constructor(readonly parent?: Scope) {}

  get(name: string): Value | undefined {
    return this.values.get(name) ?? this.parent?.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name) || (this.parent?.has(name) ?? false);
  }

  set(name: string, value: Value): void {
    this.values.set(name, value);
  }
}

/** Imports a subgraph in a child scope of `parent` after `bind` sets its inputs; returns its output values. */
export type SubgraphImporter = (g: OnnxGraph, parent: Scope, bind: (scope: Scope) => void) => Value[];

/** What an importer sees of the node it imports. */
export class NodeContext {
  private readonly attrs = new Map<string, OnnxAttribute>();
  /** Set by the graph importer so that control-flow importers can import their subgraphs. */
  subgraphs: SubgraphImporter | undefined;

  constructor(
    readonly model: ModelContext,
    readonly scope: Scope,
    readonly node: OnnxNode,
    /** Opset of the node's domain. */
    readonly opset: number,
    /** Attributes of the enclosing local function call, for ref_attr_name. */
    callerAttributes?: Map<string, OnnxAttribute>,
  ) {
    for (const a of node.attributes) {
      if (a.refAttrName !== undefined && a.refAttrName !== '') {
        const ref = callerAttributes?.get(a.refAttrName);
        if (ref) this.attrs.set(a.name, { ...ref, name: a.name });
      } else {
        this.attrs.set(a.name, a);
      }
    }
  }

  get network(): NetworkDefinition {
    return this.model.network;
  }

  get numInputs(): number {
    return this.node.inputs.length;
  }

  get numOutputs(): number {
    return this.node.outputs.length;
  }

  /** Whether optional input `i` is given (present and not the empty name). */
  hasInput(i: number): boolean {
    const name = this.node.inputs[i];
    return name !== undefined && name !== '';
  }

  /** Input `i`; an error naming the input when it is missing. */
  input(i: number): Value {
    const name = this.node.inputs[i];
    if (name === undefined || name === '') {
      throw new ImportError(ParserErrorCode.INVALID_NODE, `input ${i} is required but not given`);
    }
    const v = this.scope.get(name);
    if (v === undefined) throw new ImportError(ParserErrorCode.INVALID_GRAPH, `input ${i} ("${name}") is not produced by any node, graph input or initializer`);
    return v;
  }

  optionalInput(i: number): Value | undefined {
    return this.hasInput(i) ? this.input(i) : undefined;
  }

  /** Input `i` as a network tensor. */
  tensor(i: number): ITensor {
    return this.model.tensor(this.input(i));
  }

  /** Input `i` when it is a constant, else undefined. */
  constant(i: number): ConstTensor | undefined {
    if (!this.hasInput(i)) return undefined;
    const v = this.input(i);
    return v instanceof ConstTensor ? v : undefined;
  }

  /** Input `i` as numbers when constant; undefined when absent or computed at run time. */
  constNumbers(i: number): number[] | undefined {
    return this.constant(i)?.toNumbers();
  }

  /** Input `i` as numbers, which must be constant (`what` names it in the error). */
  requireConstNumbers(i: number, what: string): number[] {
    const v = this.constNumbers(i);
    if (v === undefined) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_INPUT, `${what} (input ${i}) must be a constant (an initializer or a value computable at parse time)`);
    }
    return v;
  }

  /** Imports subgraph `g` (If branch, Loop/Scan body) under this node's scope; `bind` sets its inputs. */
  importSubgraph(g: OnnxGraph, bind: (scope: Scope) => void): Value[] {
    if (!this.subgraphs) throw new ImportError(ParserErrorCode.INTERNAL_ERROR, 'subgraphs cannot be imported in this context');
    return this.subgraphs(g, this.scope, bind);
  }

  setOutput(i: number, value: Value): void {
    const name = this.node.outputs[i];
    if (name === undefined || name === '') return;
    this.scope.set(name, value);
  }

  // --- attributes ---------------------------------------------------------------------------

  hasAttr(name: string): boolean {
    return this.attrs.has(name);
  }

  private attr(name: string, types: OnnxAttributeType[]): OnnxAttribute | undefined {
    const a = this.attrs.get(name);
    if (!a) return undefined;
    if (!types.includes(a.type)) {
      throw new ImportError(ParserErrorCode.INVALID_NODE, `attribute ${name} has type ${OnnxAttributeType[a.type] ?? a.type}, expected ${types.map((t) => OnnxAttributeType[t]).join(' or ')}`);
    }
    return a;
  }

  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    return this.attr(name, [OnnxAttributeType.INT])?.i ?? fallback;
  }

  float(name: string, fallback: number): number;
  float(name: string): number | undefined;
  float(name: string, fallback?: number): number | undefined {
    return this.attr(name, [OnnxAttributeType.FLOAT])?.f ?? fallback;
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const a = this.attr(name, [OnnxAttributeType.STRING]);
    return a ? utf8(a.s) : fallback;
  }

  ints(name: string, fallback: number[]): number[];
  ints(name: string): number[] | undefined;
  ints(name: string, fallback?: number[]): number[] | undefined {
    return this.attr(name, [OnnxAttributeType.INTS])?.ints ?? fallback;
  }

  floats(name: string, fallback: number[]): number[];
  floats(name: string): number[] | undefined;
  floats(name: string, fallback?: number[]): number[] | undefined {
    return this.attr(name, [OnnxAttributeType.FLOATS])?.floats ?? fallback;
  }

  strings(name: string): string[] | undefined {
    return this.attr(name, [OnnxAttributeType.STRINGS])?.strings.map(utf8);
  }

  tensorAttr(name: string): ConstTensor | undefined {
    const a = this.attr(name, [OnnxAttributeType.TENSOR]);
    return a?.t ? this.model.constant(a.t, `attribute ${name}`) : undefined;
  }

  graph(name: string): OnnxGraph | undefined {
    return this.attr(name, [OnnxAttributeType.GRAPH])?.g;
  }

  /** Every attribute, e.g. to expand a local function with ref_attr_name. */
  attributeMap(): Map<string, OnnxAttribute> {
    return this.attrs;
  }

  /** An attribute-level error naming the attribute. */
  unsupportedAttr(name: string, value: unknown, why = ''): ImportError {
    return new ImportError(ParserErrorCode.UNSUPPORTED_NODE_ATTR, `attribute ${name}=${JSON.stringify(value)} is not supported${why ? `: ${why}` : ''}`);
  }
}

/** Type and shape of a value, whether tensor or constant. */
export function typeOf(v: Value): OnnxType {
  // DOUBLE constants become FLOAT tensors, so they combine with FLOAT ones.
  if (v instanceof ConstTensor) return v.type === OnnxType.DOUBLE ? OnnxType.FLOAT : v.type;
  return onnxTypeOf(v.dtype);
}

export function shapeOf(v: Value): number[] {
  return v instanceof ConstTensor ? v.dims : v.shape;
}

export function isFloatType(t: OnnxType): boolean {
  return t === OnnxType.FLOAT || t === OnnxType.FLOAT16 || t === OnnxType.BFLOAT16 || t === OnnxType.DOUBLE;
}

export function isFloatDataType(t: DataType): boolean {
  return t === DataType.FLOAT || t === DataType.HALF || t === DataType.BF16;
}
