/** @internal Argument validation shared by every public method (one message grammar). */
import { invalidType, invalidValue } from './errors.js';

export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw invalidType('a string', name, value);
}

export function assertNonEmptyString(value: unknown, name: string): asserts value is string {
  assertString(value, name);
  if (value.length === 0) throw invalidValue('a non-empty string', name, value);
}

export function assertInteger(value: unknown, name: string, min = -Infinity, max = Infinity): asserts value is number {
  if (typeof value !== 'number') throw invalidType('an integer', name, value);
  if (!Number.isInteger(value)) throw invalidValue('an integer', name, value);
  if (value < min || value > max) {
    const range = max === Infinity ? `an integer >= ${min}` : min === -Infinity ? `an integer <= ${max}` : `an integer in [${min}, ${max}]`;
    throw invalidValue(range, name, value);
  }
}

export function assertNumber(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw invalidType('a number', name, value);
  if (Number.isNaN(value)) throw invalidValue('a number (not NaN)', name, value);
}

export function assertBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidType('a boolean', name, value);
}

/** Dims: up to 8 integers, each >= `min` (-1 allowed for dynamic dims by default). */
export function assertDims(value: unknown, name: string, min = -1): asserts value is number[] {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) throw invalidType('an array of integers (dimensions)', name, value);
  const arr = Array.from(value as ArrayLike<number>);
  if (arr.length > 8) throw invalidValue('at most 8 dimensions', name, value);
  for (let i = 0; i < arr.length; i += 1) {
    const d = arr[i];
    if (typeof d !== 'number' || !Number.isInteger(d)) throw invalidType('an array of integers (dimensions)', name, value);
    if (d < min) throw invalidValue(`dimensions >= ${min}`, `${name}[${i}]`, d);
  }
}

export function toDims(value: ArrayLike<number>): number[] {
  return Array.from(value, (x) => Number(x));
}

/** Values of an enum object (e.g. ActivationType). */
export function assertEnum<T extends number>(value: unknown, name: string, enumObject: Record<string, number | string>, enumName: string): asserts value is T {
  const valid = Object.values(enumObject).filter((v): v is number => typeof v === 'number');
  if (typeof value !== 'number' || !valid.includes(value)) {
    throw invalidValue(`a ${enumName} value`, name, value);
  }
}

export function assertObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw invalidType('an object', name, value);
}
