import { DataType } from './enums.js';
import { disposedError } from './errors.js';

/**
 * Bytes produced by the library (a serialized engine), as nvinfer1::IHostMemory.
 *
 * @example
 * const plan = await builder.buildSerializedNetwork(network, config);
 * fs.writeFileSync('model.engine', plan.data);
 */
export class HostMemory {
  private bytes: Uint8Array | undefined;

  /** @internal */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** The bytes, without copying. Throws DISPOSED after dispose(). */
  get data(): Uint8Array {
    if (!this.bytes) throw disposedError('HostMemory');
    return this.bytes;
  }

  /** Size in bytes (nbytes in the Python API). */
  get nbytes(): number {
    return this.data.byteLength;
  }

  /** Element type of the bytes: always UINT8 for plans. */
  get dtype(): DataType {
    return DataType.UINT8;
  }

  get disposed(): boolean {
    return this.bytes === undefined;
  }

  /** Drops the library's reference to the bytes. */
  dispose(): void {
    this.bytes = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
