// Collects errors and warnings while a document is read, and reads typed values with a located error.
import type { FlowConfigErrorCode, YamlPath } from './errors.ts';

export interface Diagnostics {
  error(code: FlowConfigErrorCode, path: YamlPath, message: string): void;
  warn(code: FlowConfigErrorCode, path: YamlPath, message: string): void;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short name of a value's YAML type, for "expected X, got Y" messages. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

export function readString(value: unknown, path: YamlPath, diag: Diagnostics): string | undefined {
  if (typeof value === 'string') return value;
  diag.error('wrong-type', path, `expected a string, got ${typeName(value)}`);
  return undefined;
}

/** A non-empty list of strings; with `single`, one plain string is accepted as a list of one. */
export function readStringList(
  value: unknown,
  path: YamlPath,
  diag: Diagnostics,
  single: boolean,
): string[] | undefined {
  if (single && typeof value === 'string') return [value];
  if (!Array.isArray(value)) {
    const expected = single ? 'a string or a list of strings' : 'a list of strings';
    diag.error('wrong-type', path, `expected ${expected}, got ${typeName(value)}`);
    return undefined;
  }
  if (value.length === 0) {
    diag.error('wrong-type', path, 'expected at least one value, got an empty list');
    return undefined;
  }
  const out: string[] = [];
  for (const [index, item] of value.entries()) {
    if (typeof item === 'string') out.push(item);
    else diag.error('wrong-type', [...path, index], `expected a string, got ${typeName(item)}`);
  }
  return out.length === value.length ? out : undefined;
}

/** Reports every key of `record` not in `known`. */
export function checkKnownKeys(
  record: Record<string, unknown>,
  known: readonly string[],
  path: YamlPath,
  diag: Diagnostics,
  what: string,
): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) {
      diag.error(
        'unknown-field',
        [...path, key],
        `unknown ${what} '${key}' (expected one of: ${known.join(', ')})`,
      );
    }
  }
}
