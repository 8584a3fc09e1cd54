// Builds the request graph of `flow: {request, response}` and checks it: one start, conditions, cycles, reachability.
import type { Target } from './compiled.ts';
import { type Endpoint, type ProcessorOutputs, readConnections } from './connections.ts';
import { checkKnownKeys, type Diagnostics, isRecord, typeName } from './diagnostics.ts';
import type { YamlPath } from './errors.ts';

export type { ProcessorOutputs } from './connections.ts';

export interface FlowGraph {
  readonly start: Target;
  /** Processor name → condition (`''` when none) → target, for the request stream. */
  readonly next: ReadonlyMap<string, ReadonlyMap<string, Target>>;
}

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
