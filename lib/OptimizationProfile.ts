import { OptProfileSelector } from './enums.js';
import { invalidValue } from './errors.js';
import { assertDims, assertEnum, assertNonEmptyString, toDims } from './validate.js';

/**
 * MIN/OPT/MAX dimensions for dynamic inputs (nvinfer1::IOptimizationProfile). Created by
 * `builder.createOptimizationProfile()` and added with `config.addOptimizationProfile()`.
 *
 * @example
 * const profile = builder.createOptimizationProfile();
 * profile.setShape('input', [1, 3, 224, 224], [8, 3, 224, 224], [32, 3, 224, 224]);
 */
export class OptimizationProfile {
  private readonly shapes = new Map<string, [number[] | undefined, number[] | undefined, number[] | undefined]>();

  /** Sets one of MIN, OPT or MAX for input `name` (C++ setDimensions). */
  setDimensions(name: string, select: OptProfileSelector, dims: number[]): boolean {
    assertNonEmptyString(name, 'name');
    assertEnum(select, 'select', OptProfileSelector, 'OptProfileSelector');
    assertDims(dims, 'dims', 0);
    const entry = this.shapes.get(name) ?? [undefined, undefined, undefined];
    entry[select] = toDims(dims);
    this.shapes.set(name, entry);
    return true;
  }

  /** The dims set for `select`, or an empty array when unset (C++ returns invalid dims). */
  getDimensions(name: string, select: OptProfileSelector): number[] {
    assertNonEmptyString(name, 'name');
    assertEnum(select, 'select', OptProfileSelector, 'OptProfileSelector');
    return [...(this.shapes.get(name)?.[select] ?? [])];
  }

  /** Python API spelling: MIN, OPT and MAX at once. */
  setShape(name: string, min: number[], opt: number[], max: number[]): void {
    this.setDimensions(name, OptProfileSelector.MIN, min);
    this.setDimensions(name, OptProfileSelector.OPT, opt);
    this.setDimensions(name, OptProfileSelector.MAX, max);
  }

  /** Python API spelling: [MIN, OPT, MAX]. */
  getShape(name: string): [number[], number[], number[]] {
    return [
      this.getDimensions(name, OptProfileSelector.MIN),
      this.getDimensions(name, OptProfileSelector.OPT),
      this.getDimensions(name, OptProfileSelector.MAX),
    ];
  }

  /** True when every named input has MIN <= OPT <= MAX of equal ranks. */
  get isValid(): boolean {
    try {
      this._toNative();
      return true;
    } catch {
      return false;
    }
  }

  /** @internal */
  _toNative(): Record<string, [number[], number[], number[]]> {
    const out: Record<string, [number[], number[], number[]]> = {};
    for (const [name, [min, opt, max]] of this.shapes) {
      if (!min || !opt || !max) {
        const missing = ['MIN', 'OPT', 'MAX'].filter((_, i) => ![min, opt, max][i]).join(', ');
        throw invalidValue(`MIN, OPT and MAX dimensions (missing ${missing})`, `profile input '${name}'`, undefined);
      }
      if (min.length !== opt.length || opt.length !== max.length) {
        throw invalidValue('MIN, OPT and MAX of one rank', `profile input '${name}'`, [min, opt, max]);
      }
      for (let i = 0; i < min.length; i += 1) {
        if (!(min[i]! <= opt[i]! && opt[i]! <= max[i]!)) {
          throw invalidValue(`MIN <= OPT <= MAX in dimension ${i}`, `profile input '${name}'`, [min, opt, max]);
        }
      }
      out[name] = [min, opt, max];
    }
    return out;
  }
}
