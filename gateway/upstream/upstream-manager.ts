// All upstreams of one gateway: applies a new server set by starting, stopping or restarting only what changed.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { RemoteServerSpec, ServerSpec, StdioServerSpec } from '../config/types.ts';
import type { Launcher } from './launcher.ts';
import { createUpstream, type UpstreamTuning } from './upstream.ts';
import {
  emptyCatalog,
  type Upstream,
  type UpstreamCatalog,
  type UpstreamState,
} from './upstream-types.ts';

export interface UpstreamManagerOptions extends UpstreamTuning {
  readonly launcher: Launcher;
  readonly resolveEnv: (spec: StdioServerSpec) => Promise<Record<string, string>>;
  readonly resolveHeaders: (spec: RemoteServerSpec) => Promise<Record<string, string>>;
  readonly logger: Logger;
  readonly onStateChange?: (name: string, state: UpstreamState) => void;
  readonly onCatalogChange?: (name: string, catalog: UpstreamCatalog) => void;
  readonly onResourceUpdated?: (
    name: string,
    params: { uri: string } & Record<string, unknown>,
  ) => void;
}

/** What `apply` did, by server name. */
export interface ApplySummary {
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  readonly restarted: readonly string[];
  readonly unchanged: readonly string[];
}

export interface UpstreamManager {
  /** Makes the running set match `servers` (disabled specs count as absent). Returns once stops are done; starts go on in the background. */
  apply(servers: Readonly<Record<string, ServerSpec>>): Promise<ApplySummary>;
  get(name: string): Upstream | undefined;
  list(): Upstream[];
  stopAll(): Promise<void>;
}

/** A pure diff of two server sets: which names start, stop, restart (spec changed) or stay. */
export function planApply(
  running: Readonly<Record<string, ServerSpec>>,
  wanted: Readonly<Record<string, ServerSpec>>,
): ApplySummary {
  const enabled = Object.entries(wanted).filter(([, spec]) => !spec.disabled);
  const wantedNames = new Set(enabled.map(([name]) => name));
  const started: string[] = [];
  const restarted: string[] = [];
  const unchanged: string[] = [];
  for (const [name, spec] of enabled) {
    const current = running[name];
    if (current === undefined) started.push(name);
    else if (isDeepStrictEqual(current, spec)) unchanged.push(name);
    else restarted.push(name);
  }
  const stopped = Object.keys(running).filter((name) => !wantedNames.has(name));
  return { started, stopped, restarted, unchanged };
}

export function createUpstreamManager(options: UpstreamManagerOptions): UpstreamManager {
  const upstreams = new Map<string, Upstream>();
  const launch = (spec: ServerSpec): void => {
    upstreams.set(spec.name, createUpstream({ ...options, spec }));
  };
  return {
    async apply(servers) {
      const running = Object.fromEntries([...upstreams].map(([name, u]) => [name, u.spec]));
      const plan = planApply(running, servers);
      const leaving = [...plan.stopped, ...plan.restarted];
      await Promise.all(
        leaving.map(async (name) => {
          const upstream = upstreams.get(name);
          upstreams.delete(name);
          await upstream?.stop();
          // A stopped server offers nothing: tell the gateway its catalog is gone.
          if (plan.stopped.includes(name)) {
            options.onCatalogChange?.(name, emptyCatalog);
          }
        }),
      );
      for (const name of [...plan.started, ...plan.restarted]) {
        const spec = servers[name];
        if (spec) launch(spec);
      }
      return plan;
    },
    get: (name) => upstreams.get(name),
    list: () => [...upstreams.values()],
    async stopAll() {
      const all = [...upstreams.values()];
      upstreams.clear();
      await Promise.all(all.map((upstream) => upstream.stop()));
    },
  };
}
