// The upstream manager as the service drives it: secrets and metrics wired in, bounded wait for readiness, catalogs as listings.
import type { Logger } from 'pino';
import type { ServerSpec } from '../config/types.ts';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';
import type { UpstreamListing } from '../policy/catalog.ts';
import { createSecretResolver, resolveValues } from '../secrets/secret-resolver.ts';
import type { Launcher } from '../upstream/launcher.ts';
import type { UpstreamTuning } from '../upstream/upstream.ts';
import { type ApplySummary, createUpstreamManager } from '../upstream/upstream-manager.ts';
import type { Upstream } from '../upstream/upstream-types.ts';

export interface UpstreamSetOptions {
  readonly configDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly launcher: Launcher;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** Any upstream's catalog or readiness changed: views must be rebuilt. */
  readonly onCatalogChange: () => void;
  /** `notifications/resources/updated` from a server, with its own URI. */
  readonly onResourceUpdated: (server: string, upstreamUri: string) => void;
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
  apply(servers: Readonly<Record<string, ServerSpec>>): Promise<ApplySummary>;
  get(name: string): Upstream | undefined;
  listings(): UpstreamListing[];
  summaries(): UpstreamSummary[];
  stopAll(): Promise<void>;
}

export function startUpstreams(options: UpstreamSetOptions): UpstreamSet {
  const { metrics } = options;
  const resolver = createSecretResolver({ configDir: options.configDir, env: options.env });
  const restartsSeen = new Map<string, number>();
  const manager = createUpstreamManager({
    ...options.tuning,
    launcher: options.launcher,
    resolveEnv: (spec) => resolveValues(spec.env, resolver, { server: spec.name }),
    resolveHeaders: (spec) => resolveValues(spec.headers, resolver, { server: spec.name }),
    logger: options.logger,
    onStateChange: (name, state) => {
      metrics.upstreamState(name, state.phase === 'ready');
      if (state.restarts > (restartsSeen.get(name) ?? 0)) {
        restartsSeen.set(name, state.restarts);
        metrics.upstreamRestart(name);
      }
      options.onCatalogChange();
    },
    onCatalogChange: () => options.onCatalogChange(),
    onResourceUpdated: (name, params) => options.onResourceUpdated(name, params.uri),
  });

  return {
    async apply(servers) {
      const plan = await manager.apply(servers);
      for (const name of plan.stopped) {
        restartsSeen.delete(name);
        metrics.upstreamRemoved(name);
      }
      const starting = [...plan.started, ...plan.restarted]
        .map((name) => manager.get(name))
        .filter((upstream) => upstream !== undefined);
      // A server that fails to start is reported by its state; the others serve meanwhile.
      await Promise.allSettled(starting.map((u) => u.whenReady(options.readyWaitMs ?? 30_000)));
      options.onCatalogChange();
      return plan;
    },
    get: (name) => manager.get(name),
    listings: () =>
      manager.list().map((upstream) => ({
        server: upstream.name,
        tools: upstream.catalog.tools,
        prompts: upstream.catalog.prompts,
        resources: upstream.catalog.resources,
        resourceTemplates: upstream.catalog.resourceTemplates,
      })),
    summaries: () =>
      manager.list().map((upstream) => ({
        name: upstream.name,
        phase: upstream.state.phase,
        lastError: upstream.state.lastError,
        restarts: upstream.state.restarts,
        tools: upstream.catalog.tools.length,
      })),
    stopAll: () => manager.stopAll(),
  };
}
