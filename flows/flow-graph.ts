// Reads `flow: {request, response}` connections and checks them: names, conditions, cycles, reachability.
import type { Target } from './compiled.ts';
import { checkKnownKeys, type Diagnostics, isRecord, typeName } from './diagnostics.ts';
import type { YamlPath } from './errors.ts';

type Endpoint =
  | { readonly kind: 'stream'; readonly at: 'start' | 'end' }
  | { readonly kind: 'processor'; readonly name: string; readonly condition: string | undefined };

interface Edge {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly path: YamlPath;
}

export interface FlowGraph {
  readonly start: Target;
  /** Processor name → condition (`''` when none) → target, for the request stream. */
  readonly next: ReadonlyMap<string, ReadonlyMap<string, Target>>;
}

/** Processor name → its output conditions (empty: terminal; null: unknown type, already reported). */
export type ProcessorOutputs = ReadonlyMap<string, readonly string[] | null>;

export function buildFlowGraph(
  flow: unknown,
  flowPath: YamlPath,
  processors: ProcessorOutputs,
  processorsPath: YamlPath,
  diag: Diagnostics,
): FlowGraph | undefined {
  if (!isRecord(flow)) {
    diag.error(
      'wrong-type',
      flowPath,
      `flow must be a mapping {request, response}, got ${typeName(flow)}`,
    );
    return undefined;
  }
  checkKnownKeys(flow, ['request', 'response'], flowPath, diag, 'flow field');
  const request = readConnections(flow.request, [...flowPath, 'request'], processors, diag);
  const response = readConnections(flow.response, [...flowPath, 'response'], processors, diag);
  if (!request || !response) return undefined;

  const next = new Map<string, Map<string, Target>>();
  const edgePaths = new Map<string, YamlPath>();
  let start: Target | undefined;
  let failed = false;
  for (const edge of request) {
    const to = toTarget(edge.to);
    if (edge.from.kind === 'stream') {
      if (start) {
        diag.error(
          'ambiguous-connection',
          edge.path,
          'the request stream already starts elsewhere',
        );
        failed = true;
      }
      start ??= to;
      continue;
    }
    const condition = edge.from.condition ?? '';
    const outs = next.get(edge.from.name) ?? new Map<string, Target>();
    next.set(edge.from.name, outs);
    if (outs.has(condition)) {
      const which = condition === '' ? '' : ` through '${condition}'`;
      diag.error(
        'ambiguous-connection',
        edge.path,
        `${edge.from.name}${which} already has a connection`,
      );
      failed = true;
      continue;
    }
    outs.set(condition, to);
    edgePaths.set(`${edge.from.name}\0${condition}`, edge.path);
  }
  if (!start) {
    diag.error(
      'missing-stream',
      [...flowPath, 'request'],
      'no connection leaves the start of the request stream',
    );
    return undefined;
  }

  const reachable = reach([start], next);
  for (const name of reachable) {
    for (const condition of processors.get(name) ?? []) {
      if (!next.get(name)?.has(condition)) {
        diag.error(
          'unconnected-output',
          [...processorsPath, name],
          `${name} has no connection for condition '${condition}'`,
        );
        failed = true;
      }
    }
  }
  if (findCycle(start, next, edgePaths, diag)) failed = true;

  // The response stream only needs valid names and no cycles; processors reached from it count as used.
  const responseNext = new Map<string, Map<string, Target>>();
  const responseStarts: Target[] = [];
  for (const edge of response) {
    const to = toTarget(edge.to);
    if (edge.from.kind === 'stream') responseStarts.push(to);
    else {
      const outs = responseNext.get(edge.from.name) ?? new Map<string, Target>();
      outs.set(edge.from.condition ?? '', to);
      responseNext.set(edge.from.name, outs);
    }
  }
  const used = new Set([...reachable, ...reach(responseStarts, responseNext)]);
  for (const name of processors.keys()) {
    if (!used.has(name)) {
      diag.error(
        'unreachable-processor',
        [...processorsPath, name],
        `processor ${name} is never reached from the start of a stream`,
      );
      failed = true;
    }
  }
  return failed ? undefined : { start, next };
}

function readConnections(
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

function toTarget(endpoint: Endpoint): Target {
  return endpoint.kind === 'stream' ? { kind: 'end' } : { kind: 'processor', name: endpoint.name };
}

function reach(
  starts: readonly Target[],
  next: ReadonlyMap<string, ReadonlyMap<string, Target>>,
): Set<string> {
  const seen = new Set<string>();
  const queue = [...starts];
  for (let target = queue.shift(); target; target = queue.shift()) {
    if (target.kind !== 'processor' || seen.has(target.name)) continue;
    seen.add(target.name);
    queue.push(...(next.get(target.name)?.values() ?? []));
  }
  return seen;
}

/** Depth-first walk of the request stream; reports the connection that closes a loop. */
function findCycle(
  start: Target,
  next: ReadonlyMap<string, ReadonlyMap<string, Target>>,
  edgePaths: ReadonlyMap<string, YamlPath>,
  diag: Diagnostics,
): boolean {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string): boolean => {
    state.set(name, 'open');
    for (const [condition, target] of next.get(name) ?? []) {
      if (target.kind !== 'processor') continue;
      const seen = state.get(target.name);
      if (seen === 'open') {
        const path = edgePaths.get(`${name}\0${condition}`) ?? [];
        diag.error(
          'cyclic-flow',
          path,
          `connection from ${name} back to ${target.name} makes a cycle`,
        );
        return true;
      }
      if (seen === undefined && visit(target.name)) return true;
    }
    state.set(name, 'done');
    return false;
  };
  return start.kind === 'processor' && visit(start.name);
}
