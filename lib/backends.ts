import type { NativeBackendInfo } from '../typings/native.js';
import { TrtError, invalidValue } from './errors.js';
import { native } from './native.js';

/** Backend names; `auto` picks the best available one. */
export type BackendName = 'cpu' | 'cuda' | 'tensorrt';
export type BackendChoice = BackendName | 'auto';

/** One backend and whether it can be used here. */
export interface BackendInfo {
  name: BackendName;
  available: boolean;
  /** Why it is (un)available, e.g. "no CUDA driver (cudaGetDeviceCount: cudaErrorInsufficientDriver)". */
  reason: string;
}

/** The backend a Builder or Runtime uses, and why it was chosen. */
export interface ResolvedBackend {
  name: BackendName;
  /** @internal Plan backend number. */
  id: number;
  reason: string;
}

const ids: Record<BackendName, number> = { cpu: 0, cuda: 1, tensorrt: 2 };

/** Every backend with its availability on this machine. */
export function getBackends(): BackendInfo[] {
  return native().getBackends().map((b: NativeBackendInfo) => ({ ...b }));
}

/**
 * Resolves a backend choice. `auto` prefers tensorrt, then cuda, then cpu, and the reason says
 * why each better one was passed over; the environment variable TRTN_BACKEND (tensorrt, cuda or
 * cpu), when set, replaces `auto` with that backend, so an application can be pinned to one
 * without code changes. Naming an unavailable backend throws UNSUPPORTED.
 */
export function resolveBackend(choice: BackendChoice = 'auto'): ResolvedBackend {
  if (choice !== 'auto' && !(choice in ids)) throw invalidValue("'auto', 'tensorrt', 'cuda' or 'cpu'", 'backend', choice);
  const forced = process.env['TRTN_BACKEND'];
  if (choice === 'auto' && forced) {
    if (!Object.hasOwn(ids, forced)) throw invalidValue("'tensorrt', 'cuda' or 'cpu'", 'TRTN_BACKEND', forced);
    const b = getBackends().find((x) => x.name === forced)!;
    if (!b.available) throw new TrtError(`backend '${forced}' (TRTN_BACKEND) is not available: ${b.reason}`, 'UNSUPPORTED');
    return { name: b.name, id: ids[b.name], reason: `TRTN_BACKEND=${forced}: ${b.reason}` };
  }
  const all = getBackends();
  if (choice !== 'auto') {
    const b = all.find((x) => x.name === choice)!;
    if (!b.available) throw new TrtError(`backend '${choice}' is not available: ${b.reason}`, 'UNSUPPORTED');
    return { name: b.name, id: ids[b.name], reason: `requested: ${b.reason}` };
  }
  const skipped: string[] = [];
  for (const name of ['tensorrt', 'cuda', 'cpu'] as const) {
    const b = all.find((x) => x.name === name)!;
    if (b.available) {
      const why = skipped.length ? `${skipped.join('; ')}; using ${name}: ${b.reason}` : `using ${name}: ${b.reason}`;
      return { name, id: ids[name], reason: why };
    }
    skipped.push(`${name} unavailable (${b.reason})`);
  }
  throw new TrtError(`no backend is available: ${skipped.join('; ')}`, 'UNSUPPORTED');
}

/** @internal */
export function backendById(id: number): BackendName {
  return (Object.keys(ids) as BackendName[]).find((k) => ids[k] === id) ?? 'cpu';
}
