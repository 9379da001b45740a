/**
 * The ONNX parser (nvonnxparser::IParser). The built-in implementation is built on this library's
 * network API: it works on every backend, and everything it imports is an ordinary layer of the
 * network. The 'nvonnxparser' implementation runs TensorRT's own parser (tensorrt backend only).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NativeTrtOnnxParser } from '../../typings/native.js';
import { getBackends } from '../backends.js';
import { Logger, Severity, getDefaultLogger } from '../Logger.js';
import { native } from '../native.js';
import { NetworkDefinition } from '../NetworkDefinition.js';
import { TrtError, invalidType, invalidValue } from '../errors.js';
import type { ITensor } from '../Tensor.js';
import { assertEnum, assertInteger, assertString } from '../validate.js';
import { ModelContext } from './ImportContext.js';
import { DEFAULT_DOMAINS, GraphImportFailure, GraphImporter, MAX_OPSET, MIN_OPSET, isOperatorSupported } from './GraphImporter.js';
import { legacyRefusal } from './legacyOpsets.js';
import { OnnxModel, decodeModel } from './model.js';
import { OnnxParserFlag, ParserError, ParserErrorCode } from './ParserError.js';

/** One operator a model uses, for {@link OnnxParser.getOperatorReport}. */
export interface OperatorUse {
  domain: string;
  opType: string;
  /** Nodes of this operator in the main graph. */
  count: number;
  /** Whether the parser has an importer for it (or the model defines it as a local function). */
  supported: boolean;
}

const ONNX_MAGIC_HINT = 'an ONNX ModelProto (protobuf bytes)';

/** Which parser {@link OnnxParser} runs. */
export type OnnxParserImplementation = 'builtin' | 'nvonnxparser';

/** Options of the {@link OnnxParser} constructor. */
export interface OnnxParserOptions {
  /**
   * 'builtin' (default): this library's importer, on every backend; what it imports are ordinary
   * layers of the network. 'nvonnxparser': TensorRT's own parser (libnvonnxparser.so.11), for a
   * network created by a Builder whose backend is tensorrt. It fills TensorRT's network directly:
   * afterwards the network shows TensorRT's inputs, outputs and layer count, refuses edits
   * (UNSUPPORTED), and builds as TensorRT's parser made it. Subgraph support checks, operator
   * reports and layer output lookups are built-in only.
   */
  implementation?: OnnxParserImplementation;
}

const IMPLEMENTATIONS: readonly OnnxParserImplementation[] = ['builtin', 'nvonnxparser'];

/**
 * Parses ONNX models into a {@link NetworkDefinition}. Mirrors TensorRT's `OnnxParser`: parse
 * failures return false and leave errors to read with {@link getError}; nothing throws for bad
 * model bytes. Network I/O tensors keep the ONNX names, except that a graph output that is also
 * a graph input is named `__<name>` (as TensorRT's parser does). DOUBLE inputs, constants and
 * casts become FLOAT (TensorRT has no FP64).
 *
 * @example
 * const network = builder.createNetworkV2();
 * const parser = new OnnxParser(network, logger);
 * if (!parser.parseFromFile('model.onnx', Severity.WARNING)) {
 *   for (let i = 0; i < parser.numErrors; i++) console.error(parser.getError(i)!.desc());
 * }
 *
 * @example
 * // TensorRT's own parser, on the tensorrt backend (as trt.OnnxParser in Python)
 * const builder = new Builder(logger, { backend: 'tensorrt' });
 * const network = builder.createNetworkV2();
 * const parser = new OnnxParser(network, logger, { implementation: 'nvonnxparser' });
 * if (!parser.parse(fs.readFileSync('model.onnx'), 'model.onnx')) throw new Error(parser.getError(0)!.desc());
 */
export class OnnxParser {
  /** Which parser runs (see {@link OnnxParserOptions}). */
  readonly implementation: OnnxParserImplementation;
  private readonly errors: ParserError[] = [];
  private flags = 0;
  private parsed = false;
  private report: OperatorUse[] = [];
  private layerOutputs = new Map<string, ITensor[]>();
  private subgraphs: Array<{ nodes: number[]; supported: boolean }> = [];
  /** TensorRT's parser, for implementation 'nvonnxparser'. */
  private readonly tensorrt: NativeTrtOnnxParser | null = null;

  /**
   * @throws TrtError UNSUPPORTED ('nvonnxparser' for a network whose builder's backend is not
   *   tensorrt), TENSORRT_UNAVAILABLE (libnvinfer or libnvonnxparser.so.11 cannot be loaded: the
   *   loader's reason), TENSORRT_ERROR, INVALID_STATE (the network is not empty)
   */
  constructor(
    readonly network: NetworkDefinition,
    readonly logger: Logger = getDefaultLogger(),
    options: OnnxParserOptions = {},
  ) {
    if (!(network instanceof NetworkDefinition)) throw invalidType('a NetworkDefinition', 'network', network);
    if (!(logger instanceof Logger)) throw invalidType('a Logger', 'logger', logger);
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const implementation = options.implementation ?? 'builtin';
    if (!IMPLEMENTATIONS.includes(implementation)) throw invalidValue("'builtin' or 'nvonnxparser'", 'options.implementation', implementation);
    this.implementation = implementation;
    if (implementation === 'nvonnxparser') this.tensorrt = createTensorRTParser(network, this.logger);
  }

  private readonly log = (severity: number, message: string): void => this.logger.log(severity, message);

  private builtinOnly(what: string): TrtError {
    return new TrtError(`${what} is not available with implementation 'nvonnxparser' (TensorRT's parser); use the built-in OnnxParser`, 'UNSUPPORTED');
  }

  /** Releases TensorRT's parser ('nvonnxparser'; a network it imported keeps what it needs). Idempotent. */
  dispose(): void {
    this.tensorrt?.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Parses serialized ONNX bytes into the network. `modelPath` is the model's file path, used to
   * find external weight files next to it. Returns false on failure (see {@link getError}).
   */
  parse(model: Uint8Array, modelPath?: string): boolean {
    if (!(model instanceof Uint8Array)) throw invalidType('a Uint8Array (ONNX model bytes)', 'model', model);
    if (modelPath !== undefined) assertString(modelPath, 'modelPath');
    if (this.tensorrt) {
      this.network._native(); // DISPOSED for a disposed network
      return this.tensorrt.parse(model, modelPath ?? null, this.log);
    }
    if (this.parsed) {
      this.record(new ParserError(ParserErrorCode.INVALID_GRAPH, 'this parser has already parsed a model; create a new parser (and network) for another model', -1, '', ''));
      return false;
    }
    this.parsed = true;
    return this.parseInto(this.network, model, modelPath, true);
  }

  /**
   * Reads and parses a model file. `verbosity` is a {@link Severity}: messages less severe than
   * it are not logged.
   */
  parseFromFile(onnxModelFile: string, verbosity: Severity = Severity.WARNING): boolean {
    assertString(onnxModelFile, 'onnxModelFile');
    assertEnum(verbosity, 'verbosity', Severity, 'Severity');
    // TensorRT's parser reads the file itself and logs at `verbosity` (ILogger::Severity values).
    if (this.tensorrt) {
      this.network._native(); // DISPOSED for a disposed network
      return this.tensorrt.parseFromFile(onnxModelFile, verbosity, this.log);
    }
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(onnxModelFile);
    } catch (err) {
      this.record(new ParserError(ParserErrorCode.MODEL_DESERIALIZE_FAILED, `cannot read ${onnxModelFile}: ${(err as Error).message}`, -1, '', '', [], onnxModelFile));
      return false;
    }
    const previous = this.logger.minSeverity;
    this.logger.minSeverity = Math.min(previous, verbosity);
    try {
      const ok = this.parse(bytes, onnxModelFile);
      if (ok) this.logger.log(Severity.INFO, `[onnx] parsed ${onnxModelFile}: ${this.network.numLayers} layers`);
      return ok;
    } finally {
      this.logger.minSeverity = previous;
    }
  }

  /**
   * Whether the whole model can be imported (parses it into a scratch network; this parser's
   * network is untouched). Afterwards {@link numSubgraphs}, {@link isSubgraphSupported} and
   * {@link getSubgraphNodes} describe which nodes are supported.
   */
  supportsModelV2(model: Uint8Array, modelPath?: string): boolean {
    if (!(model instanceof Uint8Array)) throw invalidType('a Uint8Array (ONNX model bytes)', 'model', model);
    if (this.tensorrt) throw this.builtinOnly('supportsModelV2');
    const scratch = new NetworkDefinition();
    try {
      return this.parseInto(scratch, model, modelPath, false);
    } finally {
      scratch.dispose();
    }
  }

  /** Subgraphs found by the last {@link supportsModelV2}. */
  get numSubgraphs(): number {
    if (this.tensorrt) throw this.builtinOnly('numSubgraphs');
    return this.subgraphs.length;
  }

  isSubgraphSupported(index: number): boolean {
    if (this.tensorrt) throw this.builtinOnly('isSubgraphSupported');
    assertInteger(index, 'index', 0, Math.max(0, this.subgraphs.length - 1));
    return this.subgraphs[index]?.supported ?? false;
  }

  /** Node indices (in graph order) of subgraph `index`. */
  getSubgraphNodes(index: number): number[] {
    if (this.tensorrt) throw this.builtinOnly('getSubgraphNodes');
    assertInteger(index, 'index', 0, Math.max(0, this.subgraphs.length - 1));
    return [...(this.subgraphs[index]?.nodes ?? [])];
  }

  /** Whether an operator of the default ONNX domain has an importer (in TensorRT's parser, for 'nvonnxparser'). */
  supportsOperator(opName: string): boolean {
    assertString(opName, 'opName');
    if (this.tensorrt) return this.tensorrt.supportsOperator(opName);
    return isOperatorSupported(opName);
  }

  /** The operators the last parsed (or checked) model uses, and which of them are supported. */
  getOperatorReport(): OperatorUse[] {
    if (this.tensorrt) throw this.builtinOnly('getOperatorReport');
    return this.report.map((r) => ({ ...r }));
  }

  get numErrors(): number {
    return this.tensorrt ? this.tensorrt.errors().length : this.errors.length;
  }

  /** C++ spelling of {@link numErrors}. */
  getNbErrors(): number {
    return this.numErrors;
  }

  getError(index: number): ParserError | null {
    assertInteger(index, 'index', 0);
    if (this.tensorrt) {
      const e = this.tensorrt.errors()[index];
      return e ? new ParserError(e.code as ParserErrorCode, e.desc, e.node, e.nodeName, e.nodeOperator, e.localFunctionStack, e.file, e.line, e.func) : null;
    }
    return this.errors[index] ?? null;
  }

  clearErrors(): void {
    if (this.tensorrt) this.tensorrt.clearErrors();
    this.errors.length = 0;
  }

  /** The network tensor of output `index` of the node named `name` (after a successful parse). */
  getLayerOutputTensor(name: string, index: number): ITensor | null {
    assertString(name, 'name');
    assertInteger(index, 'index', 0);
    if (this.tensorrt) throw this.builtinOnly('getLayerOutputTensor');
    return this.layerOutputs.get(name)?.[index] ?? null;
  }

  /** OnnxParserFlags: bit i is OnnxParserFlag i. With 'nvonnxparser' they are TensorRT's parser's (read them back: its defaults are its own). */
  setFlags(flags: number): void {
    assertInteger(flags, 'flags', 0, 0x1f);
    if (this.tensorrt) this.tensorrt.setFlags(flags);
    else this.flags = flags;
  }

  getFlags(): number {
    return this.tensorrt ? this.tensorrt.getFlags() : this.flags;
  }

  setFlag(flag: OnnxParserFlag): void {
    assertEnum(flag, 'flag', OnnxParserFlag, 'OnnxParserFlag');
    this.setFlags(this.getFlags() | (1 << flag));
  }

  clearFlag(flag: OnnxParserFlag): void {
    assertEnum(flag, 'flag', OnnxParserFlag, 'OnnxParserFlag');
    this.setFlags(this.getFlags() & ~(1 << flag));
  }

  getFlag(flag: OnnxParserFlag): boolean {
    assertEnum(flag, 'flag', OnnxParserFlag, 'OnnxParserFlag');
    return (this.getFlags() & (1 << flag)) !== 0;
  }

  private record(error: ParserError): void {
    this.errors.push(error);
    this.logger.log(Severity.ERROR, `[onnx] ${error.toString()}`);
  }

  private parseInto(network: NetworkDefinition, bytes: Uint8Array, modelPath: string | undefined, keepOutputs: boolean): boolean {
    const file = modelPath ?? '';
    let model: OnnxModel;
    try {
      if (bytes.byteLength === 0) throw new Error('the model is empty (0 bytes)');
      model = decodeModel(bytes);
    } catch (err) {
      this.report = [];
      this.subgraphs = [];
      this.record(new ParserError(ParserErrorCode.MODEL_DESERIALIZE_FAILED, `not ${ONNX_MAGIC_HINT}: ${(err as Error).message}`, -1, '', '', [], file));
      return false;
    }
    let opset = model.opsetImports.find((o) => DEFAULT_DOMAINS.has(o.domain))?.version;
    this.report = operatorReport(model, opset ?? MAX_OPSET);
    if (opset === undefined) {
      // A graph of other domains' operators only needs no default opset; its nodes report themselves.
      if (model.graph.nodes.some((n) => DEFAULT_DOMAINS.has(n.domain))) {
        this.record(new ParserError(ParserErrorCode.INVALID_GRAPH, 'the model imports no opset of the default ONNX domain but uses its operators', -1, '', '', [], file));
        return false;
      }
      opset = MAX_OPSET;
    }
    if (opset < 1) {
      this.record(new ParserError(ParserErrorCode.INVALID_GRAPH, `the model imports opset ${opset} of the default domain; opsets start at 1`, -1, '', '', [], file));
      return false;
    }
    if (opset < MIN_OPSET) this.logger.log(Severity.INFO, `[onnx] opset ${opset} is older than ${MIN_OPSET}; nodes import only where their operator's definition is the one of opset ${MIN_OPSET}`);
    if (opset > MAX_OPSET) this.logger.log(Severity.WARNING, `[onnx] opset ${opset} is newer than ${MAX_OPSET}; importing with the rules of opset ${MAX_OPSET}`);
    const context = new ModelContext(network, this.logger, Math.min(opset, MAX_OPSET), modelPath ? path.dirname(modelPath) : undefined);
    const importer = new GraphImporter(context, model, file);
    let reached = -1;
    const done = new Set<number>();
    importer.onNode = (index) => {
      done.add(index);
      reached = index;
    };
    try {
      importer.importMain();
    } catch (err) {
      const failure = err instanceof GraphImportFailure ? err.error : new ParserError(ParserErrorCode.INTERNAL_ERROR, String(err), reached, '', '', [], file);
      this.subgraphs = splitSubgraphs(model.graph.nodes.length, done, failure.node());
      this.record(failure);
      return false;
    }
    this.subgraphs = [{ nodes: model.graph.nodes.map((_, i) => i), supported: true }];
    if (keepOutputs) this.layerOutputs = importer.nodeOutputs;
    return true;
  }
}

/**
 * TensorRT's parser over `network`: only where TensorRT builds the network, i.e. for a network of
 * a Builder whose backend is tensorrt.
 */
function createTensorRTParser(network: NetworkDefinition, logger: Logger): NativeTrtOnnxParser {
  const backend = network._builderBackend;
  if (backend !== 'tensorrt') {
    const made = backend === null ? 'this network was not created by a Builder' : `this network's Builder uses the '${backend}' backend`;
    throw new TrtError(
      `implementation 'nvonnxparser' imports into TensorRT's own network, which only the tensorrt backend builds; ${made}. ` +
        "Create the network with new Builder(logger, { backend: 'tensorrt' }), or use the built-in parser (implementation 'builtin')",
      'UNSUPPORTED',
    );
  }
  const Ctor = native().NativeTrtOnnxParser;
  if (!Ctor) {
    const reason = getBackends().find((b) => b.name === 'tensorrt')?.reason ?? 'this build has no tensorrt backend';
    throw new TrtError(`implementation 'nvonnxparser' needs the tensorrt backend: ${reason}`, 'TENSORRT_UNAVAILABLE');
  }
  return new Ctor(network._native(), (severity, message) => logger.log(severity, message));
}

/** Supported nodes before the failure, the failing node, and the rest (not reached). */
function splitSubgraphs(count: number, done: Set<number>, failed: number): Array<{ nodes: number[]; supported: boolean }> {
  const ok: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < count; i += 1) {
    if (done.has(i)) ok.push(i);
    else if (i !== failed) rest.push(i);
  }
  const out: Array<{ nodes: number[]; supported: boolean }> = [];
  if (ok.length) out.push({ nodes: ok, supported: true });
  if (failed >= 0) out.push({ nodes: [failed], supported: false });
  if (rest.length) out.push({ nodes: rest, supported: false });
  return out;
}

function operatorReport(model: OnnxModel, opset: number): OperatorUse[] {
  const local = new Set(model.functions.map((f) => `${f.domain}::${f.name}`));
  const uses = new Map<string, OperatorUse>();
  for (const n of model.graph.nodes) {
    const key = `${n.domain}::${n.opType}`;
    let use = uses.get(key);
    if (!use) {
      use = { domain: n.domain, opType: n.opType, count: 0, supported: local.has(key) || (isOperatorSupported(n.opType, n.domain) && (opset >= MIN_OPSET || !DEFAULT_DOMAINS.has(n.domain) || legacyRefusal(n.opType, opset) === undefined)) };
      uses.set(key, use);
    }
    use.count += 1;
  }
  return [...uses.values()].sort((a, b) => a.opType.localeCompare(b.opType));
}
