/**
 * The `tensorrt` namespace: where this process looks for TensorRT 11 and what it found. Present in
 * every build; {@link libraryInfo} searches (and loads libnvinfer.so.11, once per process) even
 * where the tensorrt backend was not built, so an installation can be checked anywhere.
 * `getBackends()` says whether the backend can run; docs/backends.md describes the search.
 *
 * @example
 * import { tensorrt } from 'tensorrt-node';
 * const info = tensorrt.libraryInfo();
 * console.log(info.loaded ? `TensorRT ${info.version} at ${info.path}` : info.reason);
 */
import type { NativeTensorRTLibraryInfo } from '../typings/native.js';
import { native } from './native.js';

/** One place the search looked, in order. */
export interface LibrarySearchEntry {
  /** The file tried, or the bare soname for the dynamic loader's own search. */
  path: string;
  /** Why it was tried: "TENSORRT_LIB_DIR", "loader search path: ...", a standard directory, "pip wheel tensorrt_libs (VIRTUAL_ENV)". */
  origin: string;
  /** dlopen's message or why the library was refused; null for the one that loaded. */
  error: string | null;
}

/** An optional companion library of libnvinfer (the ONNX parser, the standard plugins). */
export interface CompanionLibraryInfo {
  loaded: boolean;
  path: string | null;
  /** Why it is not loaded; null when loaded. */
  reason: string | null;
}

/** What {@link libraryInfo} reports. */
export interface TensorRTLibraryInfo {
  /** TensorRT headers the addon was built against ("11.1.0"); null when the tensorrt backend is not built. */
  headersVersion: string | null;
  /** Whether a TensorRT 11 libnvinfer was loaded. */
  loaded: boolean;
  /** Its version ("11.1.0"); null when none loaded. */
  version: string | null;
  /** Its file; null when none loaded. */
  path: string | null;
  /** "TensorRT 11.x.y (path)", or why nothing loaded, listing every path tried. */
  reason: string;
  /** Every libnvinfer.so.11 candidate tried, in order, up to the one that loaded. */
  searched: LibrarySearchEntry[];
  /** libnvonnxparser.so.11, searched next to libnvinfer first. */
  onnxParser: CompanionLibraryInfo;
  /** libnvinfer_plugin.so.11, searched next to libnvinfer first. */
  plugins: CompanionLibraryInfo;
}

/**
 * Searches for TensorRT 11 (on the first call in a process; later calls report the same result):
 * TENSORRT_LIB_DIR, the dynamic loader's search path, the standard install locations, then pip
 * wheels' tensorrt_libs folders.
 *
 * @returns What was found, and every path tried.
 * @example
 * const { loaded, reason, searched } = tensorrt.libraryInfo();
 * if (!loaded) for (const s of searched) console.log(`${s.path} (${s.origin}): ${s.error}`);
 */
export function libraryInfo(): TensorRTLibraryInfo {
  const info: NativeTensorRTLibraryInfo = native().tensorrtLibraryInfo();
  return {
    ...info,
    searched: info.searched.map((s) => ({ ...s })),
    onnxParser: { ...info.onnxParser },
    plugins: { ...info.plugins },
  };
}
