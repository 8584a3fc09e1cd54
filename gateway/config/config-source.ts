// Turns config text into a value that can locate its fields, and zod issues into positioned GatewayConfigErrors.
import type { z } from 'zod';
import { formatField, type YamlPath } from '../../flows/errors.ts';
import { parseYamlSource } from '../../flows/yaml-source.ts';
import { type ConfigProblem, GatewayConfigError } from '../errors.ts';
import { findJsonSyntaxProblem } from './json-syntax.ts';

export interface ConfigSource {
  readonly file: string;
  /** The document as plain data. */
  readonly value: unknown;
  /** Line and column of the node at `path` (the nearest existing parent when it does not exist). */
  locate(path: YamlPath): { line: number; column: number };
}

export type ConfigSourceResult =
  | { readonly ok: true; readonly source: ConfigSource }
  | { readonly ok: false; readonly errors: GatewayConfigError[] };

export function configError(
  source: ConfigSource,
  path: YamlPath,
  problem: ConfigProblem,
  message: string,
  severity: 'error' | 'warning' = 'error',
): GatewayConfigError {
  const { line, column } = source.locate(path);
  return new GatewayConfigError({
    file: source.file,
    line,
    column,
    field: formatField(path),
    problem,
    message,
    severity,
  });
}

/**
 * JSON as Claude Desktop reads it: `JSON.parse` decides validity and the value; the YAML parser
 * (JSON is YAML 1.2) only supplies positions. A byte-order mark is tolerated.
 */
export function parseJsonSource(file: string, text: string): ConfigSourceResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const problem = findJsonSyntaxProblem(body) ?? { line: 1, column: 1, message: 'invalid JSON' };
    const error = new GatewayConfigError({
      file,
      line: problem.line,
      column: problem.column,
      field: '',
      problem: 'syntax',
      message: problem.message,
    });
    return { ok: false, errors: [error] };
  }
  const positions = parseYamlSource(file, body);
  // Valid JSON the YAML parser still refuses (e.g. a duplicate key) loads like Claude reads it, positions at 1:1.
  const locate = positions.ok ? positions.source.locate : () => ({ line: 1, column: 1 });
  return { ok: true, source: { file, value, locate } };
}

export function parseYamlConfigSource(file: string, text: string): ConfigSourceResult {
  const parsed = parseYamlSource(file, text);
  if (parsed.ok) return { ok: true, source: parsed.source };
  const errors = parsed.errors.map(
    (error) =>
      new GatewayConfigError({
        file,
        line: error.line,
        column: error.column,
        field: '',
        problem: 'syntax',
        message: error.detail,
      }),
  );
  return { ok: false, errors };
}

/**
 * One positioned error per zod issue; unknown keys become one error each at the key. Parse with
 * `{reportInput: true}` so a missing field is told from a wrong one; the input never reaches a message.
 */
export function issuesToErrors(
  source: ConfigSource,
  base: YamlPath,
  issues: readonly z.core.$ZodIssue[],
): GatewayConfigError[] {
  return issues.flatMap((issue) => {
    const path: YamlPath = [
      ...base,
      ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    ];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) =>
        configError(
          source,
          [...path, key],
          'unknown-field',
          `unknown field ${JSON.stringify(key)}`,
        ),
      );
    }
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    return [configError(source, path, missing ? 'missing-field' : 'wrong-type', messageOf(issue))];
  });
}

/** zod's messages, minus anything that could echo the offending input. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'invalid_type') return `must be ${article(issue.expected)}`;
  if (issue.code === 'invalid_value') {
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return issue.message;
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object' || expected === 'record') return 'a mapping';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
