import type { NativeTrtRefitter } from '../typings/native.js';
import { CudaEngine } from './CudaEngine.js';
import { Resource } from './Disposable.js';
import { TrtError, invalidType } from './errors.js';
import { Logger, getDefaultLogger } from './Logger.js';
import { assertString } from './validate.js';
import { Weights } from './Weights.js';
import type { WeightsLike } from './Weights.js';

/**
 * Replaces an engine's weights without rebuilding it (nvinfer1::IRefitter). Engines of the
 * tensorrt backend built with BuilderFlag.REFIT (or REFIT_IDENTICAL / REFIT_INDIVIDUAL) only: the
 * built-in backends bake weights into the plan, so `new Refitter()` refuses their engines with
 * UNSUPPORTED (rebuild the network with the new weights instead).
 *
 * @example
 * const refitter = new Refitter(engine, logger);
 * refitter.setNamedWeights('fc.weight', new Weights(newValues));
 * if (refitter.getMissingWeights().length === 0) refitter.refitCudaEngine();
 */
export class Refitter extends Resource {
  readonly engine: CudaEngine;
  readonly logger: Logger;
  private readonly handle: NativeTrtRefitter;

  /** @throws TrtError UNSUPPORTED (built-in engine or not refittable), DISPOSED */
  constructor(engine: CudaEngine, logger: Logger = getDefaultLogger()) {
    if (!(engine instanceof CudaEngine)) throw invalidType('a CudaEngine', 'engine', engine);
    if (!(logger instanceof Logger)) throw invalidType('a Logger', 'logger', logger);
    if (engine.disposed) throw new TrtError('Refitter: the engine has been disposed', 'DISPOSED');
    const trt = engine._tensorrt;
    if (!trt) {
      throw new TrtError(
        `Refitter: engines of the '${engine.backend}' backend cannot be refitted (their weights are part of the plan); rebuild the network with the new weights, or build it for the 'tensorrt' backend with BuilderFlag.REFIT`,
        'UNSUPPORTED',
      );
    }
    const handle = trt.createRefitter();
    super('Refitter', handle);
    this.handle = handle;
    this.engine = engine;
    this.logger = logger;
  }

  /**
   * Sets new values for the weights named `name` (the layer's weights name, as getAllWeights()
   * lists them). The values are copied now.
   */
  setNamedWeights(name: string, weights: WeightsLike): boolean {
    this.check();
    assertString(name, 'name');
    const w = Weights.from(weights, 'weights');
    this.handle.setNamedWeights(name, { type: w.type, values: w.values ?? new Uint8Array(0), count: w.count });
    return true;
  }

  /** Names of weights that must still be set before refitCudaEngine(). */
  getMissingWeights(): string[] {
    this.check();
    return this.handle.getMissingWeights();
  }

  /** Names of every refittable weights of the engine. */
  getAllWeights(): string[] {
    this.check();
    return this.handle.getAllWeights();
  }

  /**
   * Applies the weights set so far (synchronously). Contexts stay valid and see the new weights
   * in their next run; no run of the engine may be in flight.
   *
   * @throws TrtError INVALID_STATE (runs in flight, or weights missing), TENSORRT_ERROR
   */
  refitCudaEngine(): boolean {
    this.check();
    if (this.engine.disposed) throw new TrtError('refitCudaEngine: the engine has been disposed', 'DISPOSED');
    if (this.engine._hasRunsInFlight()) throw new TrtError('refitCudaEngine: a context of the engine is running; await its enqueueV3() first', 'INVALID_STATE');
    this.handle.refitCudaEngine();
    return true;
  }

  protected release(): void {
    this.handle.dispose();
  }
}
