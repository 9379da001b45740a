/**
 * The cuda backend's runner I/O: device tensor memory (through a GPU allocator when given),
 * pinned staging buffers, and copies queued on the context's cuda.Stream in order with the run.
 */
import type { TensorBuffer } from './buffers.js';
import { allocate, GpuAllocator } from './cuda/allocators.js';
import { DeviceBuffer, HostBuffer as PinnedBuffer, memcpyAsync } from './cuda/buffers.js';
import { cudaNative } from './cuda/runtime.js';
import { Stream as CudaStream } from './cuda/Stream.js';
import { invalidType } from './errors.js';
import type { RunnerIo, RunnerStream } from './InferRunner.js';
import { assertInteger } from './validate.js';

/** Options of {@link cudaRunnerIo}. */
export interface CudaRunnerIoOptions {
  /** Where device tensor memory and shared activation slots come from (default: cudaMalloc). */
  allocator?: GpuAllocator | null;
  /** Priority of the contexts' streams (lower runs first; default 0). */
  priority?: number;
}

/**
 * Runner I/O for engines of the cuda backend (what {@link InferRunner.create} uses for them):
 * one non-blocking cuda.Stream per context; tensors in device memory; DeviceBuffers and
 * UnifiedBuffers bound as they are; everything else staged through pooled pinned buffers, with
 * uploads, the run and downloads queued on the context's stream without waiting in between.
 *
 * @throws TrtError CUDA_UNAVAILABLE (when called) without a usable device
 * @example
 * const runner = await InferRunner.create(plan, { io: cudaRunnerIo({ allocator: tracking, priority: -1 }) });
 */
export function cudaRunnerIo(options: CudaRunnerIoOptions = {}): RunnerIo {
  if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
  const allocator = options.allocator ?? null;
  if (allocator !== null && !(allocator instanceof GpuAllocator)) throw invalidType('a built-in GPU allocator or null', 'options.allocator', allocator);
  const priority = options.priority ?? 0;
  assertInteger(priority, 'options.priority', -1024, 1024);
  const mod = cudaNative('cudaRunnerIo');
  const cudaStream = (s: RunnerStream) => s as CudaStream;
  return {
    name: 'cuda',
    createStream: () => new CudaStream({ nonBlocking: true, priority }),
    // 256-byte alignment, as cudaMalloc gives and TensorRT expects of tensor addresses.
    allocateTensorMemory: (bytes) => (allocator ? allocate(allocator, bytes, { alignment: 256, tag: 'InferRunner' }) : new DeviceBuffer(bytes)),
    allocateStagingMemory: (bytes) => new PinnedBuffer(bytes),
    canBind: (buffer) => !buffer.disposed && (buffer.location === 'device' || buffer.location === 'unified'),
    // The runner's hot path: ranges are its own, so the native copy is called without the
    // public API's checks and stack capture.
    copyAsync: (dst: TensorBuffer, dstOffset, src: TensorBuffer, srcOffset, byteLength, stream) =>
      mod.memcpy(dst.nativeHandle, dstOffset, src.nativeHandle, srcOffset, byteLength, cudaStream(stream).nativeHandle),
    upload: (dst, dstOffset, src, stream) => memcpyAsync(dst, src, cudaStream(stream), { dstOffset }),
    download: (src, srcOffset, dst, stream) => memcpyAsync(dst, src, cudaStream(stream), { srcOffset, byteLength: dst.byteLength }),
  };
}
