// Edits `auth.keys` in app.yaml text, keeping every comment and the layout: a text splice at the node's position.
import { isMap, isScalar, type Node, parseDocument, type YAMLMap } from 'yaml';

export const CONSUMER_NAME = /^[A-Za-z0-9_.@:-]{1,128}$/;

export type KeyEdit =
  | { readonly ok: true; readonly text: string }
  | {
      readonly ok: false;
      readonly reason: 'exists' | 'invalid-yaml' | 'not-a-mapping' | 'bad-consumer';
    };

/**
 * Pure: writes `auth.keys.<consumer>: <hash>`, creating `auth`/`keys` when missing; `force` replaces a key.
 * Block-style files are edited by inserting or replacing one line, so nothing else moves; flow-style
 * sections (`auth: {…}`) are rewritten by the yaml Document API, which keeps comments but may reflow.
 */
export function setApiKeyHash(
  text: string,
  consumer: string,
  hash: string,
  options: { readonly force?: boolean } = {},
): KeyEdit {
  if (!CONSUMER_NAME.test(consumer)) return { ok: false, reason: 'bad-consumer' };
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { ok: false, reason: 'invalid-yaml' };
  const root = doc.contents;
  if (root !== null && !isMap(root)) return { ok: false, reason: 'not-a-mapping' };
  // `auth:` or `keys:` written with nothing after it: a null scalar that becomes the new map.
  for (const [path, value] of [
    [['auth'], { keys: { [consumer]: hash } }],
    [['auth', 'keys'], { [consumer]: hash }],
  ] as const) {
    const node = doc.getIn(path, true);
    if (isScalar(node) && node.value === null) {
      doc.setIn(path, doc.createNode(value));
      return { ok: true, text: doc.toString() };
    }
  }
  const auth = doc.getIn(['auth'], true);
  const keys = doc.getIn(['auth', 'keys'], true);
  for (const node of [auth, keys]) {
    if (node !== undefined && node !== null && !isMap(node)) {
      return { ok: false, reason: 'not-a-mapping' };
    }
  }
  const existing = doc.getIn(['auth', 'keys', consumer], true);
  if (existing !== undefined && options.force !== true) return { ok: false, reason: 'exists' };

  const spliced = splice(text, root, auth as YAMLMap | undefined, keys as YAMLMap | undefined, {
    consumer,
    hash,
    existing,
  });
  if (spliced !== undefined) return { ok: true, text: spliced };
  doc.setIn(['auth', 'keys', consumer], hash);
  return { ok: true, text: doc.toString() };
}

interface Entry {
  readonly consumer: string;
  readonly hash: string;
  readonly existing: unknown;
}

/** The edited text, or undefined when the layout is not plain block style (the caller falls back). */
function splice(
  text: string,
  root: unknown,
  auth: YAMLMap | undefined | null,
  keys: YAMLMap | undefined | null,
  entry: Entry,
): string | undefined {
  const line = `${entry.consumer}: ${entry.hash}`;
  if (entry.existing !== undefined) {
    if (!isScalar(entry.existing) || !entry.existing.range) return undefined;
    const [start, end] = entry.existing.range;
    return text.slice(0, start) + entry.hash + text.slice(end);
  }
  if (keys?.flow && keys.items.length === 0 && keys.range && auth) {
    // `keys: {}` becomes a block mapping holding the one entry.
    const pair = auth.items.find((item) => isScalar(item.key) && item.key.value === 'keys');
    if (!pair || !isNode(pair.key)) return undefined;
    const indent = ' '.repeat(indentOf(text, pair.key) + 2);
    return `${text.slice(0, keys.range[0]).trimEnd()}\n${indent}${line}${text.slice(keys.range[1])}`;
  }
  if (keys) return appendToMap(text, keys, (indent) => `${indent}${line}`);
  if (auth) {
    return appendToMap(text, auth, (indent) => `${indent}keys:\n${indent}  ${line}`);
  }
  if (root !== null && (!isMap(root) || root.flow || indentOf(text, root) !== 0)) return undefined;
  const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  const gap = body.trim() === '' ? '' : '\n';
  return `${body}${gap}auth:\n  keys:\n    ${line}\n`;
}

/** Inserts a line after the map's last entry, at the indentation of its first key. */
function appendToMap(
  text: string,
  map: YAMLMap,
  lineAt: (indent: string) => string,
): string | undefined {
  const first = map.items[0];
  const last = map.items.at(-1);
  if (map.flow || !first || !last || !isNode(first.key)) return undefined;
  const lastEnd = isNode(last.value) ? last.value.range?.[1] : undefined;
  if (lastEnd === undefined || !isScalar(last.value)) {
    if (!isMap(last.value)) return undefined;
  }
  const end = endOfNode(last.value) ?? lastEnd;
  if (end === undefined) return undefined;
  const indent = ' '.repeat(indentOf(text, first.key));
  const newline = text.indexOf('\n', Math.max(end - 1, 0));
  const at = newline < 0 ? text.length : newline;
  const prefix = newline < 0 ? `${text}\n` : `${text.slice(0, at)}\n`;
  const rest = newline < 0 ? '\n' : text.slice(at);
  return `${prefix}${lineAt(indent)}${rest}`;
}

function endOfNode(node: unknown): number | undefined {
  if (!isNode(node) || !node.range) return undefined;
  return isMap(node) ? endOfNode(node.items.at(-1)?.value) : node.range[1];
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

function indentOf(text: string, node: Node): number {
  const start = node.range?.[0] ?? 0;
  return start - (text.lastIndexOf('\n', start - 1) + 1);
}

/** Pure: the consumers that have a key, sorted; the hashes are never returned. */
export function listKeyConsumers(text: string): string[] | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return undefined;
  const keys = doc.getIn(['auth', 'keys'], true);
  if (keys === undefined || keys === null) return [];
  if (!isMap(keys)) return undefined;
  return keys.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key)).sort();
}
