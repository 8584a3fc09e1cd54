// Short stable hashes for names and order-independent fingerprints for catalog views.
import { createHash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Hex digits of sha256(`server\0name`): the same on every restart, whatever order upstreams answer in. */
export function nameHash(server: string, name: string, length: number): string {
  return sha256Hex(`${server}\0${name}`).slice(0, length);
}

/** JSON with object keys sorted, so two equal values always serialise the same way. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  }
  return sorted;
}

/**
 * Definitions are shared by every consumer's view of one catalog, so their canonical form is
 * remembered per object: fingerprinting many views costs one serialisation per definition.
 */
const canonicalCache = new WeakMap<object, string>();

function cachedCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return canonicalJson(value);
  let json = canonicalCache.get(value);
  if (json === undefined) {
    json = canonicalJson(value);
    canonicalCache.set(value, json);
  }
  return json;
}

/**
 * sha256 over entries keyed by a name; the order the entries come in does not matter. Values
 * must not be mutated after they are first fingerprinted (catalog definitions never are).
 */
export function fingerprintOf(entries: Iterable<readonly [key: string, value: unknown]>): string {
  const lines: string[] = [];
  for (const [key, value] of entries)
    lines.push(`${JSON.stringify(key)}:${cachedCanonicalJson(value)}`);
  lines.sort();
  return sha256Hex(lines.join('\n'));
}
