// The running upstreams as the service drives them: apply a server map (start/stop only what changed), list catalogs, stop all.
import type { Logger } from 'pino';
import { diffServers } from '../config/config-diff.ts';
import type { ServerSpec } from '../config/types.ts';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';
import type { UpstreamListing } from '../policy/catalog.ts';
import { createSecretResolver, resolveValues } from '../secrets/secret-resolver.ts';
import type { Launcher } from '../upstream/launcher.ts';
import { createUpstream, type UpstreamTuning } from '../upstream/upstream.ts';
import type { Upstream } from '../upstream/upstream-types.ts';

export interface UpstreamSetOptions {
  readonly configDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly launcher: Launcher;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** Any upstream's catalog or readiness changed: views must be rebuilt. */
  readonly onCatalogChange: () => void;
  readonly tuning?: UpstreamTuning;
  /** How long `apply` waits for new servers to become ready (they keep starting after). */
  readonly readyWaitMs?: number;
}

export interface UpstreamSummary {
  readonly name: string;
  readonly phase: string;
  readonly lastError: string | null;
  readonly restarts: number;
  readonly tools: number;
}

export interface UpstreamSet {
  /** Starts added servers, restarts changed ones, stops removed or disabled ones; waits (bounded) for readiness. */
  apply(servers: Readonly<Record<string, ServerSpec>>): Promise<void>;
  get(name: string): Upstream | undefined;
  listings(): UpstreamListing[];
  summaries(): UpstreamSummary[];
  stopAll(): Promise<void>;
}

export async function startUpstreams(options: UpstreamSetOptions): Promise<UpstreamSet> {
  const { logger, metrics } = options;
  const resolver = createSecretResolver({ configDir: options.configDir, env: options.env });
  const running = new Map<string, Upstream>();
  let applied: Readonly<Record<string, ServerSpec>> = {};
  const restartsSeen = new Map<string, number>();

  function start(spec: ServerSpec): Upstream {
    const upstream = createUpstream({
      ...options.tuning,
      spec,
      launcher: options.launcher,
      resolveEnv: (s) => resolveValues(s.env, resolver, { server: s.name }),
      resolveHeaders: (s) => resolveValues(s.headers, resolver, { server: s.name }),
      logger,
      onStateChange: (name, state) => {
        metrics.upstreamState(name, state.phase === 'ready');
        if (state.restarts > (restartsSeen.get(name) ?? 0)) {
          restartsSeen.set(name, state.restarts);
          metrics.upstreamRestart(name);
        }
        options.onCatalogChange();
      },
      onCatalogChange: () => options.onCatalogChange(),
    });
    running.set(spec.name, upstream);
    return upstream;
  }

  async function stop(name: string): Promise<void> {
    const upstream = running.get(name);
    running.delete(name);
    restartsSeen.delete(name);
    metrics.upstreamRemoved(name);
    await upstream?.stop();
  }

  return {
    async apply(servers) {
      const diff = diffServers(applied, servers);
      applied = servers;
      await Promise.all([...diff.removed, ...diff.changed].map(stop));
      const started: Upstream[] = [];
      for (const name of [...diff.added, ...diff.changed]) {
        const spec = servers[name];
        if (spec !== undefined && !spec.disabled) started.push(start(spec));
      }
      const wait = options.readyWaitMs ?? 30_000;
      // A server that fails to start is reported by its state; the others serve meanwhile.
      await Promise.allSettled(started.map((upstream) => upstream.whenReady(wait)));
      if (diff.removed.length > 0 || diff.changed.length > 0 || started.length > 0)
        options.onCatalogChange();
    },
    get: (name) => running.get(name),
    listings: () =>
      [...running.values()].map((upstream) => ({
        server: upstream.name,
        tools: upstream.catalog.tools,
        prompts: upstream.catalog.prompts,
        resources: upstream.catalog.resources,
        resourceTemplates: upstream.catalog.resourceTemplates,
      })),
    summaries: () =>
      [...running.values()].map((upstream) => ({
        name: upstream.name,
        phase: upstream.state.phase,
        lastError: upstream.state.lastError,
        restarts: upstream.state.restarts,
        tools: upstream.catalog.tools.length,
      })),
    async stopAll() {
      await Promise.allSettled([...running.keys()].map(stop));
    },
  };
}
