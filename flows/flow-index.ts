// Narrows the flows worth running for a request by server and host, so 1,000 scoped flows stay fast.
import type { CompiledFlow } from './compiled.ts';
import type { RequestFacts } from './types.ts';

export interface FlowIndex {
  /** Every flow whose filter could apply to `facts`, in evaluation order (a superset; runFlow decides). */
  candidates(facts: RequestFacts): readonly CompiledFlow[];
}

interface Entry {
  readonly order: number;
  readonly flow: CompiledFlow;
}

export function buildFlowIndex(flows: readonly CompiledFlow[]): FlowIndex {
  const entries = flows.map((flow, order) => ({ order, flow }));
  // Flows whose filter names no URL: every host; split by the servers they admit.
  const anyHost = entries.filter((e) => !e.flow.filter?.urls);
  const unscoped = anyHost.filter((e) => !e.flow.filter?.servers);
  const byServer = new Map<string, Entry[]>();
  for (const server of new Set(anyHost.flatMap((e) => [...(e.flow.filter?.servers ?? [])]))) {
    byServer.set(
      server,
      anyHost.filter((e) => !e.flow.filter?.servers || e.flow.filter.servers.has(server)),
    );
  }
  const unscopedFlows = unscoped.map((e) => e.flow);
  const byServerFlows = new Map([...byServer].map(([s, list]) => [s, list.map((e) => e.flow)]));
  // Flows whose filter names URLs: keyed by exact host and by wildcard base domain.
  const byHost = new Map<string, Entry[]>();
  const byBase = new Map<string, Entry[]>();
  for (const entry of entries) {
    const urls = entry.flow.filter?.urls;
    if (!urls) continue;
    for (const host of urls.exactHosts) push(byHost, host, entry);
    for (const base of urls.wildcardBases) push(byBase, base, entry);
  }
  return {
    candidates(facts) {
      const scoped = byServerFlows.get(facts.server) ?? unscopedFlows;
      let found: Entry[] | undefined = byHost.get(facts.host);
      if (byBase.size > 0) {
        const host = facts.host;
        for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
          const more = byBase.get(host.slice(dot + 1));
          if (more) found = found ? [...found, ...more] : more;
        }
      }
      if (!found) return scoped;
      const merged = new Map<number, CompiledFlow>();
      for (const e of byServer.get(facts.server) ?? unscoped) merged.set(e.order, e.flow);
      for (const e of found) merged.set(e.order, e.flow);
      return [...merged].sort((a, b) => a[0] - b[0]).map(([, flow]) => flow);
    },
  };
}

function push(map: Map<string, Entry[]>, key: string, entry: Entry): void {
  const list = map.get(key);
  if (!list) map.set(key, [entry]);
  else if (list[list.length - 1] !== entry) list.push(entry);
}
