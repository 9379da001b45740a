/**
 * tensorrt-node: TensorRT 11 for Node.js. Define networks layer by layer, build and serialize
 * engines, deserialize them at startup and run async inference, on TensorRT, CUDA or the built-in
 * CPU engine, behind one API.
 *
 * @packageDocumentation
 */
export * from './enums.js';
export { TrtError } from './errors.js';
export type { TrtErrorCode } from './errors.js';
export { Logger, Severity, getDefaultLogger } from './Logger.js';
export { Builder } from './Builder.js';
export type { BuildOptions, BackendOptions } from './Builder.js';
export { BuilderConfig } from './BuilderConfig.js';
export { OptimizationProfile } from './OptimizationProfile.js';
export { NetworkDefinition } from './NetworkDefinition.js';
export { ITensor } from './Tensor.js';
export * from './layers.js';
export { Weights } from './Weights.js';
export type { WeightsLike } from './Weights.js';
export { HostMemory } from './HostMemory.js';
export { HostBuffer } from './buffers.js';
export type { TensorBuffer, MemoryLocation, ArrayLikeData } from './buffers.js';
export { Stream } from './Stream.js';
export type { StreamOptions } from './Stream.js';
export { Runtime } from './Runtime.js';
export type { RuntimeOptions } from './Runtime.js';
export { CudaEngine } from './CudaEngine.js';
export { EngineInspector, LayerInformationFormat } from './EngineInspector.js';
export { Refitter } from './Refitter.js';
export { TimingCache } from './TimingCache.js';
export { ExecutionContext } from './ExecutionContext.js';
export type { IOutputAllocator } from './ExecutionContext.js';
export { HostOutputAllocator } from './HostOutputAllocator.js';
export { getBackends, resolveBackend } from './backends.js';
export * as cuda from './cuda/index.js';
export * as tensorrt from './tensorrt.js';
export type { BackendInfo, BackendName, BackendChoice, ResolvedBackend } from './backends.js';
export { ThreadPool } from './threadPool.js';
export type { ThreadPoolStats } from './threadPool.js';
export { ResourcePool, Lease } from './ResourcePool.js';
export type { AcquireOptions, ResourcePoolOptions, ResourcePoolStats } from './ResourcePool.js';
export { BufferPool } from './BufferPool.js';
export type { BufferPoolStats } from './BufferPool.js';
export { InferRunner, hostRunnerIo } from './InferRunner.js';
export { cudaRunnerIo } from './cudaRunnerIo.js';
export type { CudaRunnerIoOptions } from './cudaRunnerIo.js';
export type { InferInput, InferOptions, InferResult, InferRunnerMetrics, InferRunnerOptions, InferRunnerStats, OutputTarget, RunnerIo, RunnerStream } from './InferRunner.js';
export type { Disposable } from './Disposable.js';
export { OnnxParser } from './onnx/OnnxParser.js';
export type { OnnxParserImplementation, OnnxParserOptions, OperatorUse } from './onnx/OnnxParser.js';
export { ParserError, ParserErrorCode, OnnxParserFlag } from './onnx/ParserError.js';
