import { HostBuffer } from './buffers.js';
import type { IOutputAllocator } from './ExecutionContext.js';

/**
 * An IOutputAllocator in host memory (CPU backend): one HostBuffer per output, grown when a run
 * needs more, and the dims of the last run. A buffer stays valid until a later run of the same
 * output outgrows it, or dispose().
 *
 * @example
 * using outputs = new HostOutputAllocator();
 * context.setOutputAllocator('indices', outputs);
 * await context.enqueueV3();
 * const dims = outputs.shape('indices'); // e.g. [2, 17]
 * const data = outputs.buffer('indices')!.view(DataType.INT64);
 */
export class HostOutputAllocator implements IOutputAllocator {
  private readonly buffers = new Map<string, HostBuffer>();
  private readonly shapes = new Map<string, number[]>();

  reallocateOutputAsync(tensorName: string, _current: unknown, size: number): HostBuffer {
    const held = this.buffers.get(tensorName);
    if (held && held.byteLength >= size) return held;
    held?.dispose();
    const grown = new HostBuffer(Math.max(size, 1));
    this.buffers.set(tensorName, grown);
    return grown;
  }

  notifyShape(tensorName: string, dims: number[]): void {
    this.shapes.set(tensorName, [...dims]);
  }

  /** The memory holding output `tensorName`'s values of the last run, if it had one. */
  buffer(tensorName: string): HostBuffer | undefined {
    return this.buffers.get(tensorName);
  }

  /** Output `tensorName`'s dims in the last run, if it had one. */
  shape(tensorName: string): number[] | undefined {
    return this.shapes.get(tensorName);
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
    this.shapes.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
