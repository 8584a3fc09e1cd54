// Arguments as the audit log keeps them (pure): secret-looking values replaced by "[redacted]", then size-capped JSON.
import { REDACTED, redactSecretsIn } from './secret-values.ts';

export { REDACTED } from './secret-values.ts';

/**
 * A key whose value is a secret whatever it holds, matched anywhere in the key, any case. Deliberately
 * broad (`author`, `max_tokens`, `sessionName` are caught too): a harmless value missing from the log
 * costs less than a credential kept in it.
 */
export const SECRET_KEY =
  /password|passwd|secret|token|api[-_]?key|authorization|auth|cookie|session|credential|private[-_]?key|access[-_]?key/i;

export const DEFAULT_MAX_ARGUMENT_BYTES = 8192;
/** Below this a cap could not hold even the marker. */
const MIN_MAX_BYTES = 64;
/** Nesting deeper than this is replaced by a marker (arguments come from agents; a stack is finite). */
const MAX_DEPTH = 64;

export interface RedactOptions {
  /** The UTF-8 size of the result at most (default 8,192; at least 64). */
  readonly maxBytes?: number;
}

/**
 * JSON of the arguments with secrets redacted, at most `maxBytes` long; null when there are no arguments.
 * Too long, the result is a JSON string holding the start of the JSON text and `…[truncated N bytes]`,
 * so it is still valid JSON and says how much is missing.
 */
export function redactArguments(args: unknown, options: RedactOptions = {}): string | null {
  if (args === undefined || args === null) return null;
  const maxBytes = Math.max(options.maxBytes ?? DEFAULT_MAX_ARGUMENT_BYTES, MIN_MAX_BYTES);
  const json = JSON.stringify(redactValue(args, 0, new WeakSet())) ?? 'null';
  return capJson(json, maxBytes);
}

/** The value with secret keys and secret-looking strings replaced; only JSON's types survive. */
export function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactSecretsIn(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      result[key] = SECRET_KEY.test(key) ? REDACTED : redactValue(item, depth + 1, seen);
    }
    return result;
  } finally {
    seen.delete(value);
  }
}

const encoder = new TextEncoder();

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

function truncated(prefix: string, droppedBytes: number): string {
  return JSON.stringify(`${prefix}…[truncated ${droppedBytes} bytes]`);
}

/** The JSON itself when it fits; else the longest prefix whose wrapped form fits (found by bisection). */
export function capJson(json: string, maxBytes: number): string {
  const total = byteLength(json);
  if (total <= maxBytes) return json;
  const fits = (length: number): boolean =>
    byteLength(truncated(json.slice(0, length), total - byteLength(json.slice(0, length)))) <=
    maxBytes;
  let low = 0;
  let high = json.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  // Never cut a surrogate pair in two.
  let length = low;
  while (length > 0 && !fits(length)) length -= 1;
  if (length > 0 && isHighSurrogate(json.charCodeAt(length - 1))) length -= 1;
  const prefix = json.slice(0, length);
  return truncated(prefix, total - byteLength(prefix));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
