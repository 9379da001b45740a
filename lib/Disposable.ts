/** @internal Shared lifetime behaviour: idempotent dispose(), Symbol.dispose, parents dispose children. */
import { disposedError } from './errors.js';

/** Anything with an explicit lifetime. */
export interface Disposable {
  dispose(): void;
  readonly disposed: boolean;
}

// GC safety net: native memory is freed when a forgotten object is collected.
const finalizer = new FinalizationRegistry<{ dispose(): void }>((native) => {
  try {
    native.dispose();
  } catch {
    // Nothing to report to: the owner is gone.
  }
});

export abstract class Resource implements Disposable {
  private isDisposed = false;
  private readonly children = new Set<Resource>();
  private parent: Resource | undefined;
  private readonly label: string;

  protected constructor(label: string, nativeHandle?: { dispose(): void }) {
    this.label = label;
    if (nativeHandle) finalizer.register(this, nativeHandle, this);
  }

  /** True once dispose() has run. */
  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Releases native resources, after disposing every child created from this object. Idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    for (const child of [...this.children]) child.dispose();
    this.isDisposed = true;
    finalizer.unregister(this);
    this.parent?.children.delete(this);
    this.parent = undefined;
    this.release();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Frees the native side; called once. */
  protected abstract release(): void;

  /** @internal Throws DISPOSED if this object was disposed. */
  protected check(): void {
    if (this.isDisposed) throw disposedError(this.label);
  }

  /** @internal Registers `child` to be disposed with this object. */
  protected adopt<T extends Resource>(child: T): T {
    this.children.add(child);
    child.parent = this;
    return child;
  }
}
