/**
 * @internal Imports an ONNX graph into a network: graph inputs, initializers, nodes in
 * topological order (with model-local functions expanded inline), and graph outputs.
 */
import { TrtError } from '../errors.js';
import type { ITensor } from '../Tensor.js';
import { engineType, missingTypeReason, onnxTypeName } from './ConstTensor.js';
import { ModelContext, NodeContext, Scope, Value, isConst } from './ImportContext.js';
import { DataType } from '../enums.js';
import { OnnxAttribute, OnnxFunction, OnnxGraph, OnnxModel, OnnxNode, OnnxType } from './model.js';
import { ImportError, ParserError, ParserErrorCode } from './ParserError.js';
import { legacyRefusal } from './legacyOpsets.js';
import { tryFold } from './ops/fold.js';
import { IMPORTERS } from './ops/index.js';

export const DEFAULT_DOMAINS = new Set(['', 'ai.onnx']);
/**
 * Oldest and newest default-domain opsets the importers are written for. Older models import
 * node by node where the operator's definition is unchanged (legacyOpsets.ts).
 */
export const MIN_OPSET = 6;
export const MAX_OPSET = 25;

/** Where an error happened, for ParserError. */
interface NodeSite {
  index: number;
  node: OnnxNode;
  functionStack: string[];
}

export class GraphImportFailure extends Error {
  constructor(readonly error: ParserError) {
    super(error.desc());
  }
}

/**
 * Operators of other domains that have importers, listed one by one: a domain's other operators
 * stay unsupported. Their importers are registered as "<domain>.<opType>".
 */
export const DOMAIN_OPERATORS: ReadonlyMap<string, ReadonlySet<string>> = new Map([['ai.onnx.preview', new Set(['FlexAttention'])]]);

/** The importer-table key of `opType` in `domain`, or undefined when the domain is not imported. */
function importerKey(opType: string, domain: string): string | undefined {
  if (DEFAULT_DOMAINS.has(domain)) return opType;
  return DOMAIN_OPERATORS.get(domain)?.has(opType) ? `${domain}.${opType}` : undefined;
}

/** Whether the importers know `opType` in `domain` (local functions aside). */
export function isOperatorSupported(opType: string, domain = ''): boolean {
  const key = importerKey(opType, domain);
  return key !== undefined && Object.prototype.hasOwnProperty.call(IMPORTERS, key);
}

export class GraphImporter {
  private readonly functions = new Map<string, OnnxFunction>();
  /** Index of the node being imported in the main graph (errors name it). */
  private site: NodeSite | undefined;
  /** Called after each top-level node, e.g. for progress. */
  onNode: ((index: number) => void) | undefined;
  /** Output tensors of each named top-level node (constants that were folded have none). */
  readonly nodeOutputs = new Map<string, ITensor[]>();

  constructor(
    readonly model: ModelContext,
    private readonly onnx: OnnxModel,
    private readonly file: string,
  ) {
    for (const f of onnx.functions) this.functions.set(`${f.domain}::${f.name}`, f);
  }

  /** Imports the main graph; throws GraphImportFailure with the first error. */
  importMain(): void {
    const g = this.onnx.graph;
    const scope = new Scope();
    try {
      this.bindInitializers(g, scope);
      this.bindInputs(g, scope);
    } catch (err) {
      throw this.failure(err, -1, undefined, []);
    }
    const order = this.topologicalOrder(g, scope);
    for (const index of order) {
      const node = g.nodes[index]!;
      this.site = { index, node, functionStack: [] };
      try {
        this.importNode(node, scope, undefined);
      } catch (err) {
        throw this.failure(err, index, node, this.site.functionStack);
      }
      if (node.name) {
        const outs = node.outputs.map((o) => scope.get(o)).filter((v): v is ITensor => v !== undefined && !isConst(v));
        this.nodeOutputs.set(node.name, outs);
      }
      this.onNode?.(index);
    }
    this.site = undefined;
    try {
      this.markOutputs(g, scope);
    } catch (err) {
      throw this.failure(err, -1, undefined, []);
    }
  }

  /** Imports a subgraph (If branches, Loop bodies) in a child scope; returns its output values. */
  importSubgraph(g: OnnxGraph, parent: Scope, bind: (scope: Scope) => void): Value[] {
    const scope = new Scope(parent);
    this.bindInitializers(g, scope);
    bind(scope);
    for (const index of this.topologicalOrder(g, scope)) this.importNode(g.nodes[index]!, scope, undefined);
    return g.outputs.map((o) => {
      const v = scope.get(o.name);
      if (v === undefined) throw new ImportError(ParserErrorCode.INVALID_GRAPH, `subgraph ${g.name || '<unnamed>'} output "${o.name}" is never produced`);
      return v;
    });
  }

  private bindInitializers(g: OnnxGraph, scope: Scope): void {
    for (const init of g.initializers) {
      if (init.name === '') throw new ImportError(ParserErrorCode.INVALID_GRAPH, 'an initializer has no name');
      scope.set(init.name, this.model.constant(init, `initializer ${init.name}`));
    }
    if (g.sparseInitializers.length > 0) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_GRAPH, 'sparse initializers are not supported');
    }
  }

  private bindInputs(g: OnnxGraph, scope: Scope): void {
    const network = this.model.network;
    for (const input of g.inputs) {
      // Before IR 4, initializers were listed as inputs too; they stay constants.
      if (scope.has(input.name)) continue;
      if (input.kind !== 'tensor') {
        throw new ImportError(ParserErrorCode.UNSUPPORTED_GRAPH, `graph input "${input.name}" is a ${input.kind}; only tensors can be network inputs`);
      }
      let type = engineType(input.elemType);
      if (input.elemType === OnnxType.DOUBLE) {
        // As TensorRT's parser: FP64 inputs become FLOAT inputs.
        this.model.warn(`graph input "${input.name}" is DOUBLE; it becomes a FLOAT network input (TensorRT has no FP64)`);
        type = DataType.FLOAT;
      }
      if (type === undefined) {
        throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE_DATATYPE, `graph input "${input.name}" has type ${onnxTypeName(input.elemType)}, which is not supported: ${missingTypeReason(input.elemType)}`);
      }
      if (input.shape === undefined) {
        throw new ImportError(ParserErrorCode.UNSUPPORTED_GRAPH, `graph input "${input.name}" has no shape (its rank must be known)`);
      }
      const dims = input.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
      const tensor = network.addInput(input.name, type, dims);
      input.shape.forEach((d, i) => {
        if (typeof d === 'string') tensor.setDimensionName(i, d);
      });
      scope.set(input.name, tensor);
    }
  }

  private markOutputs(g: OnnxGraph, scope: Scope): void {
    const network = this.model.network;
    const inputNames = new Set(g.inputs.map((i) => i.name));
    for (const output of g.outputs) {
      const v = scope.get(output.name);
      if (v === undefined) throw new ImportError(ParserErrorCode.INVALID_GRAPH, `graph output "${output.name}" is not produced by any node`);
      let tensor: ITensor = this.model.tensor(v);
      // An output must be a layer's own output: constants and inputs pass through an Identity.
      if (isConst(v) || tensor.isNetworkInput || tensor.isNetworkOutput) tensor = network.addIdentity(tensor).getOutput(0);
      tensor.name = inputNames.has(output.name) ? `__${output.name}` : output.name;
      network.markOutput(tensor);
    }
  }

  /** Node indices in dependency order; errors name cycles and dangling inputs. */
  private topologicalOrder(g: OnnxGraph, scope: Scope): number[] {
    const producer = new Map<string, number>();
    g.nodes.forEach((n, i) => {
      for (const o of n.outputs) if (o !== '') producer.set(o, i);
    });
    const state = new Uint8Array(g.nodes.length); // 0 new, 1 visiting, 2 done
    const order: number[] = [];
    const visit = (start: number): void => {
      // Iterative DFS: real models have chains of thousands of nodes.
      const stack: Array<{ index: number; next: number }> = [{ index: start, next: 0 }];
      state[start] = 1;
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const node = g.nodes[top.index]!;
        const deps = nodeDependencies(node);
        if (top.next < deps.length) {
          const name = deps[top.next++]!;
          const p = producer.get(name);
          if (p === undefined) {
            if (!scope.has(name)) {
              throw this.failure(new ImportError(ParserErrorCode.INVALID_GRAPH, `input "${name}" is not produced by any node, graph input or initializer`), top.index, node, []);
            }
            continue;
          }
          if (state[p] === 1) {
            throw this.failure(new ImportError(ParserErrorCode.INVALID_GRAPH, `the graph has a cycle through value "${name}"`), top.index, node, []);
          }
          if (state[p] === 0) {
            state[p] = 1;
            stack.push({ index: p, next: 0 });
          }
        } else {
          state[top.index] = 2;
          order.push(top.index);
          stack.pop();
        }
      }
    };
    for (let i = 0; i < g.nodes.length; i += 1) if (state[i] === 0) visit(i);
    return order;
  }

  /** `opset`: of the default domain where the node lives (a local function may import its own). */
  private importNode(node: OnnxNode, scope: Scope, callerAttributes: Map<string, OnnxAttribute> | undefined, depth = 0, opset = this.model.opset): void {
    const fn = this.functions.get(`${node.domain}::${node.opType}`);
    if (fn) {
      this.expandFunction(fn, node, scope, callerAttributes, depth, opset);
      return;
    }
    const key = importerKey(node.opType, node.domain);
    if (key === undefined) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE, `operator ${node.opType} of domain "${node.domain}" is not supported (only the default ONNX domain, model-local functions and a few listed operators of other domains are)`);
    }
    const importer = IMPORTERS[key];
    if (!importer || !Object.prototype.hasOwnProperty.call(IMPORTERS, key)) {
      throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE, `operator ${node.opType} is not supported`);
    }
    if (opset < MIN_OPSET && DEFAULT_DOMAINS.has(node.domain)) {
      const why = legacyRefusal(node.opType, opset);
      if (why !== undefined) {
        throw new ImportError(ParserErrorCode.UNSUPPORTED_NODE, `node "${node.name || node.outputs[0] || node.opType}": operator ${node.opType} at opset ${opset} is not supported: ${why}`);
      }
    }
    const ctx = new NodeContext(this.model, scope, node, opset, callerAttributes);
    ctx.subgraphs = (g, parent, bind) => this.importSubgraph(g, parent, bind);
    if (tryFold(ctx)) return;
    const network = this.model.network;
    const firstLayer = network.numLayers;
    importer(ctx);
    this.nameLayers(node, firstLayer);
    for (let i = 0; i < node.outputs.length; i += 1) {
      const name = node.outputs[i]!;
      if (name === '') continue;
      const v = scope.get(name);
      if (v === undefined) throw new ImportError(ParserErrorCode.INTERNAL_ERROR, `the importer did not produce output ${i} ("${name}")`);
      if (!isConst(v) && !v.isNetworkInput && v.name !== name) {
        try {
          v.name = name;
        } catch {
          // A tensor bound to two ONNX names (Identity) keeps its first.
        }
      }
    }
  }

  private nameLayers(node: OnnxNode, firstLayer: number): void {
    const network = this.model.network;
    const base = node.name || `${node.opType}_${node.outputs[0] ?? ''}`;
    const count = network.numLayers - firstLayer;
    for (let i = firstLayer; i < network.numLayers; i += 1) {
      network.getLayer(i).name = count === 1 ? base : `${base}/${i - firstLayer}`;
    }
  }

  /** Inlines a model-local function: its values are renamed into a private namespace. */
  private expandFunction(fn: OnnxFunction, call: OnnxNode, scope: Scope, callerAttributes: Map<string, OnnxAttribute> | undefined, depth: number, callerOpset: number): void {
    if (depth > 32) throw new ImportError(ParserErrorCode.INVALID_GRAPH, `local function ${fn.name} recurses more than 32 levels`);
    const outer = new NodeContext(this.model, scope, call, callerOpset, callerAttributes);
    const ownOpset = fn.opsetImports.find((o) => DEFAULT_DOMAINS.has(o.domain))?.version;
    if (ownOpset !== undefined && ownOpset < 1) throw new ImportError(ParserErrorCode.INVALID_GRAPH, `local function ${fn.name} imports opset ${ownOpset}; opsets start at 1`);
    const opset = Math.min(ownOpset ?? callerOpset, MAX_OPSET);
    const attrs = new Map<string, OnnxAttribute>();
    for (const d of fn.attributeDefaults) attrs.set(d.name, d);
    for (const [k, v] of outer.attributeMap()) attrs.set(k, v);
    const inner = new Scope(undefined);
    fn.inputs.forEach((name, i) => {
      const actual = call.inputs[i];
      if (actual !== undefined && actual !== '') {
        const v = scope.get(actual);
        if (v === undefined) throw new ImportError(ParserErrorCode.INVALID_GRAPH, `input "${actual}" is not produced by any node, graph input or initializer`);
        inner.set(name, v);
      }
    });
    this.site?.functionStack.push(fn.name);
    const fakeGraph: OnnxGraph = { name: fn.name, nodes: fn.nodes, initializers: [], sparseInitializers: [], inputs: [], outputs: [], valueInfo: [] };
    for (const index of this.topologicalOrder(fakeGraph, inner)) this.importNode(fn.nodes[index]!, inner, attrs, depth + 1, opset);
    this.site?.functionStack.pop();
    fn.outputs.forEach((name, i) => {
      const actual = call.outputs[i];
      if (actual === undefined || actual === '') return;
      const v = inner.get(name);
      if (v === undefined) throw new ImportError(ParserErrorCode.INVALID_GRAPH, `local function ${fn.name} never produces its output "${name}"`);
      scope.set(actual, v);
    });
  }

  private failure(err: unknown, index: number, node: OnnxNode | undefined, functionStack: string[]): GraphImportFailure {
    if (err instanceof GraphImportFailure) return err;
    let code = ParserErrorCode.INTERNAL_ERROR;
    let message = String(err);
    let func = '';
    if (err instanceof ImportError) {
      code = err.code;
      message = err.message;
    } else if (err instanceof TrtError) {
      code = err.code === 'UNSUPPORTED' ? ParserErrorCode.UNSUPPORTED_NODE : ParserErrorCode.INVALID_NODE;
      message = err.message;
    } else if (err instanceof TypeError || err instanceof RangeError) {
      code = ParserErrorCode.INVALID_NODE;
      message = err.message;
    } else if (err instanceof Error) {
      message = err.message;
    }
    if (err instanceof Error && err.stack) {
      const frame = err.stack.split('\n').find((l) => l.includes('/onnx/ops/'));
      const m = frame?.match(/at (\S+)/);
      if (m) func = m[1]!;
    }
    return new GraphImportFailure(new ParserError(code, message, index, node?.name ?? '', node?.opType ?? '', [...functionStack], this.file, 0, func));
  }
}

/** Names a node reads, including outer-scope names used inside its subgraphs. */
function nodeDependencies(node: OnnxNode): string[] {
  const deps = node.inputs.filter((n) => n !== '');
  for (const a of node.attributes) {
    const graphs = a.g ? [a.g, ...a.graphs] : a.graphs;
    for (const g of graphs) deps.push(...outerNames(g));
  }
  return deps;
}

function outerNames(g: OnnxGraph): string[] {
  const local = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.map((i) => i.name)]);
  for (const n of g.nodes) for (const o of n.outputs) local.add(o);
  const out: string[] = [];
  for (const n of g.nodes) for (const d of nodeDependencies(n)) if (!local.has(d)) out.push(d);
  return out;
}

