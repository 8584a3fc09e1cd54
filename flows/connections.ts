// Reads the `{from, to}` connections of a flow stream, checking each end names a stream or a known processor.
import { checkKnownKeys, type Diagnostics, isRecord, typeName } from './diagnostics.ts';
import type { YamlPath } from './errors.ts';

/** Processor name → its output conditions (empty: terminal; null: unknown type, already reported). */
export type ProcessorOutputs = ReadonlyMap<string, readonly string[] | null>;

export type Endpoint =
  | { readonly kind: 'stream'; readonly at: 'start' | 'end' }
  | { readonly kind: 'processor'; readonly name: string; readonly condition: string | undefined };

export interface Edge {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly path: YamlPath;
}

/** The connections of `flow.request` or `flow.response`; undefined when any is broken (reported). */
export function readConnections(
  raw: unknown,
  path: YamlPath,
  processors: ProcessorOutputs,
  diag: Diagnostics,
): Edge[] | undefined {
  const stream = path[path.length - 1];
  if (raw === undefined) {
    diag.error('missing-stream', path, `the flow has no '${String(stream)}' connections`);
    return undefined;
  }
  if (!Array.isArray(raw)) {
    diag.error(
      'wrong-type',
      path,
      `expected a list of {from, to} connections, got ${typeName(raw)}`,
    );
    return undefined;
  }
  const edges: Edge[] = [];
  let ok = true;
  for (const [index, item] of raw.entries()) {
    const at = [...path, index];
    if (!isRecord(item)) {
      diag.error('wrong-type', at, `expected a connection {from, to}, got ${typeName(item)}`);
      ok = false;
      continue;
    }
    checkKnownKeys(item, ['from', 'to'], at, diag, 'connection field');
    const from = readEndpoint(item.from, [...at, 'from'], 'from', processors, diag);
    const to = readEndpoint(item.to, [...at, 'to'], 'to', processors, diag);
    if (from && to) edges.push({ from, to, path: at });
    else ok = false;
  }
  return ok ? edges : undefined;
}

function readEndpoint(
  raw: unknown,
  path: YamlPath,
  side: 'from' | 'to',
  processors: ProcessorOutputs,
  diag: Diagnostics,
): Endpoint | undefined {
  if (!isRecord(raw) || 'stream' in raw === 'processor' in raw) {
    diag.error(
      'wrong-type',
      path,
      `'${side}' must be {stream: {name, at}} or {processor: {name, condition}}`,
    );
    return undefined;
  }
  if ('stream' in raw) {
    const stream = raw.stream;
    const at = isRecord(stream) ? stream.at : undefined;
    if (!isRecord(stream) || typeof stream.name !== 'string') {
      diag.error(
        'wrong-type',
        [...path, 'stream'],
        'a stream needs a name (globalStream) and at: start | end',
      );
      return undefined;
    }
    const expected = side === 'from' ? 'start' : 'end';
    if (at !== expected) {
      diag.error(
        'wrong-type',
        [...path, 'stream', 'at'],
        `a connection's '${side}' stream must be at: ${expected}, got ${typeName(at)}`,
      );
      return undefined;
    }
    return { kind: 'stream', at: expected };
  }
  const processor = raw.processor;
  if (!isRecord(processor) || typeof processor.name !== 'string') {
    diag.error('wrong-type', [...path, 'processor'], 'a processor endpoint needs a name');
    return undefined;
  }
  const name = processor.name;
  const outputs = processors.get(name);
  if (outputs === undefined) {
    diag.error(
      'dangling-connection',
      [...path, 'processor', 'name'],
      `no processor named '${name}' in this flow`,
    );
    return undefined;
  }
  if (side === 'to') return { kind: 'processor', name, condition: undefined };
  const condition = processor.condition;
  if (outputs === null) {
    return {
      kind: 'processor',
      name,
      condition: typeof condition === 'string' ? condition : undefined,
    };
  }
  const conditionPath = [...path, 'processor', 'condition'];
  if (outputs.length === 0) {
    if (condition !== undefined) {
      diag.error(
        'unknown-condition',
        conditionPath,
        `${name} has no conditions, got ${typeName(condition)}`,
      );
      return undefined;
    }
    return { kind: 'processor', name, condition: undefined };
  }
  if (typeof condition !== 'string' || !outputs.includes(condition)) {
    const got = condition === undefined ? 'none' : typeName(condition);
    diag.error(
      'unknown-condition',
      conditionPath,
      `condition must be one of ${outputs.join(', ')} for ${name}, got ${got}`,
    );
    return undefined;
  }
  return { kind: 'processor', name, condition };
}
