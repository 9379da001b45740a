import type { CudaEngine } from './CudaEngine.js';
import { TrtError, invalidType } from './errors.js';
import { ExecutionContext } from './ExecutionContext.js';
import { assertEnum, assertInteger } from './validate.js';

/**
 * nvinfer1::LayerInformationFormat: how an {@link EngineInspector} formats what it reports. (Kept
 * here rather than in enums.ts: the native side asserts the numbering against the headers.)
 */
export enum LayerInformationFormat {
  /** One line per layer. */
  ONELINE = 0,
  /** JSON. */
  JSON = 1,
}

/**
 * Describes an engine's layers (nvinfer1::IEngineInspector), as one line per layer or as JSON.
 * Made by {@link CudaEngine.createEngineInspector}. For engines of the tensorrt backend the text is
 * TensorRT's (with a context set, for that context's shapes); for the built-in backends it is built
 * from the engine's layer list (name, type, chosen kernel, inputs, outputs).
 *
 * @example
 * const inspector = engine.createEngineInspector();
 * inspector.executionContext = context;
 * console.log(inspector.getLayerInformation(0, LayerInformationFormat.ONELINE));
 */
export class EngineInspector {
  readonly engine: CudaEngine;
  private context: ExecutionContext | null = null;

  /** @internal Use engine.createEngineInspector(). */
  constructor(engine: CudaEngine) {
    this.engine = engine;
  }

  /** The context whose shapes the tensorrt backend reports (null: the engine's own). */
  get executionContext(): ExecutionContext | null {
    return this.context;
  }

  set executionContext(context: ExecutionContext | null) {
    if (context !== null && !(context instanceof ExecutionContext)) throw invalidType('an ExecutionContext or null', 'executionContext', context);
    if (context && context.engine !== this.engine) throw new TrtError('executionContext: the context belongs to another engine', 'INVALID_ARGUMENT');
    this.context = context;
  }

  /** C++ spelling of the {@link executionContext} setter. */
  setExecutionContext(context: ExecutionContext | null): boolean {
    this.executionContext = context;
    return true;
  }

  /** One layer, by its index in execution order. */
  getLayerInformation(layerIndex: number, format: LayerInformationFormat): string {
    assertInteger(layerIndex, 'layerIndex', 0, Math.max(this.engine.numLayers - 1, 0));
    assertEnum(format, 'format', LayerInformationFormat, 'LayerInformationFormat');
    return this.describe(layerIndex, format);
  }

  /** Every layer (JSON: `{ "Layers": [...], "Bindings": [...] }` on the built-in backends). */
  getEngineInformation(format: LayerInformationFormat): string {
    assertEnum(format, 'format', LayerInformationFormat, 'LayerInformationFormat');
    return this.describe(-1, format);
  }

  private describe(layerIndex: number, format: LayerInformationFormat): string {
    if (this.engine.disposed) throw new TrtError('EngineInspector: the engine has been disposed', 'DISPOSED');
    const trt = this.engine._tensorrt;
    if (trt) {
      const context = this.context && !this.context.disposed ? this.context._nativeHandle : null;
      return trt.inspect(format, layerIndex, context);
    }
    const info = this.engine.inspect();
    const layers = info.layers.map((l) => ({ Name: l.name, LayerType: l.type, Implementation: l.implementation, Inputs: l.inputs, Outputs: l.outputs }));
    const oneLine = (l: (typeof layers)[number]) => `${l.Name} [${l.LayerType}, ${l.Implementation}] (${l.Inputs.join(', ')}) -> (${l.Outputs.join(', ')})`;
    if (layerIndex >= 0) {
      const l = layers[layerIndex]!;
      return format === LayerInformationFormat.JSON ? JSON.stringify(l) : oneLine(l);
    }
    if (format === LayerInformationFormat.JSON) return JSON.stringify({ Layers: layers, Bindings: info.io.map((t) => t.name) });
    return layers.map(oneLine).join('\n');
  }
}
