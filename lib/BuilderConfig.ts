import { BuilderFlag, MemoryPoolType, ProfilingVerbosity } from './enums.js';
import { TrtError, invalidType, invalidValue } from './errors.js';
import { OptimizationProfile } from './OptimizationProfile.js';
import { TimingCache } from './TimingCache.js';
import { assertEnum, assertInteger } from './validate.js';

/**
 * Build settings (nvinfer1::IBuilderConfig). Precision is not a flag in TensorRT 11: it comes from
 * the network's tensor types.
 *
 * @example
 * const config = builder.createBuilderConfig();
 * config.setMemoryPoolLimit(MemoryPoolType.WORKSPACE, 1 << 30);
 * config.addOptimizationProfile(profile);
 */
export class BuilderConfig {
  private flags = 1 << BuilderFlag.TF32;
  private readonly poolLimits = new Map<MemoryPoolType, number>();
  private readonly profiles: OptimizationProfile[] = [];
  private optimizationLevel = 3;
  private timingIterations = 1;
  private verbosity = ProfilingVerbosity.LAYER_NAMES_ONLY;
  private timingCache: TimingCache | null = null;
  private ignoreTimingCacheMismatch = false;
  /** The backend of the builder that made this config ('cpu' for one made with `new BuilderConfig()`). */
  readonly backend: string;

  /** @internal Use builder.createBuilderConfig(). */
  constructor(backend = 'cpu') {
    this.backend = backend;
  }

  /**
   * A timing cache, empty or from the bytes of an earlier `cache.serialize()`
   * (IBuilderConfig::createTimingCache). On the tensorrt backend TensorRT reads the bytes; the
   * built-in backends keep them as an opaque container (see {@link TimingCache}).
   *
   * @throws TrtError TENSORRT_ERROR when TensorRT does not accept the bytes, TENSORRT_UNAVAILABLE
   * @example
   * const cache = config.createTimingCache();
   * config.setTimingCache(cache, false);
   */
  createTimingCache(bytes?: Uint8Array | ArrayBuffer | null): TimingCache {
    let data: Uint8Array;
    if (bytes === undefined || bytes === null) data = new Uint8Array(0);
    else if (bytes instanceof Uint8Array) data = bytes.slice();
    else if (bytes instanceof ArrayBuffer) data = new Uint8Array(bytes.slice(0));
    else throw invalidType('a Uint8Array, Buffer or ArrayBuffer', 'bytes', bytes);
    const cache = new TimingCache(this.backend, data);
    // TensorRT validates the bytes when it makes the cache; combining into an empty one does the same.
    if (this.backend === 'tensorrt' && data.length > 0) {
      const empty = new TimingCache('tensorrt', new Uint8Array(0));
      empty.combine(cache, true);
    }
    return cache;
  }

  /**
   * Builds with `cache` (IBuilderConfig::setTimingCache): TensorRT starts from its timings and
   * leaves the updated cache in it. `ignoreMismatch` accepts a cache made on another device.
   * The cache must stay undisposed until the build has finished.
   */
  setTimingCache(cache: TimingCache, ignoreMismatch: boolean): boolean {
    if (!(cache instanceof TimingCache)) throw invalidType('a TimingCache', 'cache', cache);
    if (typeof ignoreMismatch !== 'boolean') throw invalidType('a boolean', 'ignoreMismatch', ignoreMismatch);
    if (cache.disposed) throw new TrtError('setTimingCache: the cache has been disposed', 'DISPOSED');
    if (cache.backend !== this.backend) {
      throw invalidValue(`a TimingCache of the '${this.backend}' backend (made by this config's createTimingCache)`, 'cache', cache);
    }
    this.timingCache = cache;
    this.ignoreTimingCacheMismatch = ignoreMismatch;
    return true;
  }

  /** The cache set with {@link setTimingCache}, or null. */
  getTimingCache(): TimingCache | null {
    return this.timingCache;
  }

  /** 0 (fastest build) to 5 (most tuning). Level 0 turns the fusion passes off. */
  get builderOptimizationLevel(): number {
    return this.optimizationLevel;
  }

  set builderOptimizationLevel(level: number) {
    assertInteger(level, 'builderOptimizationLevel', 0, 5);
    this.optimizationLevel = level;
  }

  /** Timing runs averaged per candidate kernel during autotuning. */
  get avgTimingIterations(): number {
    return this.timingIterations;
  }

  set avgTimingIterations(n: number) {
    assertInteger(n, 'avgTimingIterations', 1, 1000);
    this.timingIterations = n;
  }

  get profilingVerbosity(): ProfilingVerbosity {
    return this.verbosity;
  }

  set profilingVerbosity(v: ProfilingVerbosity) {
    assertEnum(v, 'profilingVerbosity', ProfilingVerbosity, 'ProfilingVerbosity');
    this.verbosity = v;
  }

  setMemoryPoolLimit(pool: MemoryPoolType, bytes: number): void {
    assertEnum(pool, 'pool', MemoryPoolType, 'MemoryPoolType');
    assertInteger(bytes, 'bytes', 0, Number.MAX_SAFE_INTEGER);
    this.poolLimits.set(pool, bytes);
  }

  /** The limit set for `pool`, or the default (unlimited: Number.MAX_SAFE_INTEGER). */
  getMemoryPoolLimit(pool: MemoryPoolType): number {
    assertEnum(pool, 'pool', MemoryPoolType, 'MemoryPoolType');
    return this.poolLimits.get(pool) ?? Number.MAX_SAFE_INTEGER;
  }

  /** Adds a profile; returns its index. The profile's dimensions are copied now. */
  addOptimizationProfile(profile: OptimizationProfile): number {
    if (!(profile instanceof OptimizationProfile)) throw invalidValue('an OptimizationProfile', 'profile', profile);
    profile._toNative(); // validates, throwing a RangeError naming the input
    profile._shapeValuesToNative();
    const copy = new OptimizationProfile();
    for (const [name, dims] of Object.entries(profile._toNative())) copy.setShape(name, ...dims);
    for (const [name, values] of Object.entries(profile._shapeValuesToNative())) copy.setShapeInput(name, ...values);
    this.profiles.push(copy);
    return this.profiles.length - 1;
  }

  get numOptimizationProfiles(): number {
    return this.profiles.length;
  }

  setFlag(flag: BuilderFlag): void {
    assertEnum(flag, 'flag', BuilderFlag, 'BuilderFlag');
    this.flags |= 1 << flag;
  }

  clearFlag(flag: BuilderFlag): void {
    assertEnum(flag, 'flag', BuilderFlag, 'BuilderFlag');
    this.flags &= ~(1 << flag);
  }

  getFlag(flag: BuilderFlag): boolean {
    assertEnum(flag, 'flag', BuilderFlag, 'BuilderFlag');
    return (this.flags & (1 << flag)) !== 0;
  }

  /** Bitmask of BuilderFlag values. */
  getFlags(): number {
    return this.flags;
  }

  setFlags(flags: number): void {
    assertInteger(flags, 'flags', 0, 0x7fffffff);
    this.flags = flags;
  }

  /** @internal */
  _toNative(backend: number): {
    backend: number;
    optimizationLevel: number;
    avgTimingIterations: number;
    profilingVerbosity: number;
    workspaceLimit: number;
    flags: number;
    profiles: Array<Record<string, [number[], number[], number[]]>>;
    shapeValues: Array<Record<string, [number[], number[], number[]]>>;
    timingCache?: { bytes: Uint8Array | null; ignoreMismatch: boolean };
  } {
    // Only TensorRT consults a timing cache.
    const timingCache = this.timingCache && this.backend === 'tensorrt' ? { timingCache: this.timingCache._box(this.ignoreTimingCacheMismatch) } : {};
    return {
      ...timingCache,
      backend,
      optimizationLevel: this.optimizationLevel,
      avgTimingIterations: this.timingIterations,
      profilingVerbosity: this.verbosity,
      workspaceLimit: this.poolLimits.get(MemoryPoolType.WORKSPACE) ?? -1,
      flags: this.flags,
      profiles: this.profiles.map((p) => p._toNative()),
      shapeValues: this.profiles.map((p) => p._shapeValuesToNative()),
    };
  }

  /** @internal After a build: the timing cache the build left in the native config's box. */
  _afterBuild(nativeConfig: { timingCache?: { bytes: Uint8Array | null } }): void {
    if (nativeConfig.timingCache && this.timingCache) this.timingCache._update(nativeConfig.timingCache.bytes);
  }
}
