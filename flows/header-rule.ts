// One header condition of a Filter (`{key, value, operation}`): compiled once, then a pure check.
import { type Diagnostics, isRecord, readString, typeName } from './diagnostics.ts';
import type { YamlPath } from './errors.ts';

export const HEADER_OPERATIONS = ['eq', 'neq', 'exists', 'not_exists', 'regex'] as const;
export type HeaderOperation = (typeof HEADER_OPERATIONS)[number];

export interface HeaderRule {
  /** Lower case, as in RequestFacts.headers. */
  readonly name: string;
  readonly operation: HeaderOperation;
  readonly value: string | undefined;
  readonly regex: RegExp | undefined;
  /** Readable form for reasons: `header x-env eq "prod"`. */
  readonly description: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function compileHeaderRule(
  raw: unknown,
  path: YamlPath,
  diag: Diagnostics,
): HeaderRule | undefined {
  if (!isRecord(raw)) {
    diag.error(
      'wrong-type',
      path,
      `expected a mapping {key, value, operation}, got ${typeName(raw)}`,
    );
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (key !== 'key' && key !== 'value' && key !== 'operation') {
      diag.error(
        'unknown-field',
        [...path, key],
        `unknown header rule field '${key}' (expected key, value, operation)`,
      );
    }
  }
  const name = readString(raw.key, [...path, 'key'], diag);
  if (name !== undefined && !TOKEN.test(name)) {
    diag.error('wrong-type', [...path, 'key'], `'${name}' is not a valid header name`);
  }
  const operationValue = raw.operation ?? 'eq';
  const operation = HEADER_OPERATIONS.find((op) => op === operationValue);
  if (operation === undefined) {
    diag.error(
      'wrong-type',
      [...path, 'operation'],
      `unknown header operation ${typeName(operationValue)} (expected one of: ${HEADER_OPERATIONS.join(', ')})`,
    );
    return undefined;
  }
  const needsValue = operation !== 'exists' && operation !== 'not_exists';
  let value: string | undefined;
  if (needsValue) {
    if (
      typeof raw.value === 'string' ||
      typeof raw.value === 'number' ||
      typeof raw.value === 'boolean'
    ) {
      value = String(raw.value);
    } else {
      diag.error(
        'wrong-type',
        [...path, 'value'],
        `operation ${operation} needs a string value, got ${typeName(raw.value)}`,
      );
      return undefined;
    }
  }
  let regex: RegExp | undefined;
  if (operation === 'regex' && value !== undefined) {
    try {
      regex = new RegExp(value, 'u');
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      diag.error('bad-regex', [...path, 'value'], `invalid regular expression: ${why}`);
      return undefined;
    }
  }
  if (name === undefined || !TOKEN.test(name)) return undefined;
  const lower = name.toLowerCase();
  const description =
    value === undefined
      ? `header ${lower} ${operation}`
      : `header ${lower} ${operation} ${JSON.stringify(value)}`;
  return { name: lower, operation, value, regex, description };
}

/** `neq` holds when the header is absent or differs; `regex` searches (anchor with ^…$ to match whole). */
export function headerRuleHolds(
  rule: HeaderRule,
  headers: Readonly<Record<string, string>>,
): boolean {
  const actual = Object.hasOwn(headers, rule.name) ? headers[rule.name] : undefined;
  switch (rule.operation) {
    case 'exists':
      return actual !== undefined;
    case 'not_exists':
      return actual === undefined;
    case 'eq':
      return actual === rule.value;
    case 'neq':
      return actual !== rule.value;
    case 'regex':
      return actual !== undefined && rule.regex?.test(actual) === true;
  }
}
