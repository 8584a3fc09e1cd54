// The gateway as one running service: config, upstreams, the MCP endpoint, audit, metrics and hot reload. `airlock gateway` and `airlock up` start it here.
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { AuditError } from './audit/audit-error.ts';
import { createAuditRecorder } from './audit/audit-recorder.ts';
import type { AuditStore } from './audit/audit-store.ts';
import { openAuditStore } from './audit/audit-store.ts';
import { diffServers } from './config/config-diff.ts';
import { type GatewayConfigResult, loadGatewayConfig } from './config/load-config.ts';
import type { GatewayConfig, GatewaySettings } from './config/types.ts';
import { watchGatewayConfig } from './config/watch-config.ts';
import { startHttpEndpoint } from './downstream/http-endpoint.ts';
import type { ListenAddress } from './downstream/listen-address.ts';
import { createResourceSubscriptions } from './downstream/resource-subscriptions.ts';
import type { SessionEnv, SessionRecord } from './downstream/session-env.ts';
import { createSessionServer, type GatewaySession } from './downstream/session-server.ts';
import type { SessionInfo } from './downstream/session-state.ts';
import {
  startUpstreams,
  type UpstreamSet,
  type UpstreamSummary,
} from './downstream/upstream-set.ts';
import { createViewCache } from './downstream/view-cache.ts';
import {
  type Correlation,
  createEgressCorrelation,
  type EgressEvent,
} from './egress-correlation.ts';
import type { GatewayEvent, GatewayEventListener } from './gateway-events.ts';
import { createGatewayMetrics, type GatewayMetrics } from './metrics/gateway-metrics.ts';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.ts';
import { resolveIdentity } from './policy/identity.ts';
import type { Launcher } from './upstream/launcher.ts';
import { createProcessLauncher } from './upstream/process-launcher.ts';
import type { UpstreamTuning } from './upstream/upstream.ts';

export interface StartGatewayOptions {
  readonly configDir: string;
  readonly dataDir: string;
  readonly logger?: Logger;
  /** Prometheus registry for the gateway metrics (shared with the egress in `airlock up`). */
  readonly registry?: Registry;
  /** How stdio servers are started (plain processes by default; sandboxes next). */
  readonly launcher?: Launcher;
  /** Override `listen.mcp` / `listen.metrics` (tests: `127.0.0.1:0`); `metrics: null` starts no metrics listener. */
  readonly listen?: { readonly mcp?: string; readonly metrics?: string | null };
  /** Watch the config directory (default true). */
  readonly watch?: boolean;
  readonly pollMs?: number;
  readonly debounceMs?: number;
  /** Streamable HTTP sessions without a request this long are closed (default 30 min). */
  readonly idleSessionMs?: number;
  /** Backoff, ping and timeouts of the upstreams (tests shorten them). */
  readonly upstreamTuning?: UpstreamTuning;
  /** How long start and reload wait for new upstreams to be ready (default 30 s; they keep starting after). */
  readonly readyWaitMs?: number;
  /** Environment for fromEnv/fromSecret (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Told about calls, sessions, server changes and reloads as they happen (the dashboard's feed). */
  readonly onEvent?: GatewayEventListener;
}

export interface ReloadOutcome {
  readonly result: 'success' | 'failure' | 'unchanged';
  readonly errors: readonly string[];
}

export interface Gateway {
  /** `http://host:port/mcp`. */
  readonly url: string;
  readonly sseUrl: string;
  readonly address: ListenAddress;
  /** `http://host:port/metrics`, or null when no metrics listener runs. */
  readonly metricsUrl: string | null;
  readonly registry: Registry;
  readonly config: () => GatewayConfig;
  sessions(): SessionInfo[];
  upstreams(): UpstreamSummary[];
  /**
   * An egress record of a server: attached to the tool call(s) in flight on it (their results carry it
   * as feedback); returns the call it happened during, when exactly one was in flight.
   */
  correlateEgress(event: EgressEvent): Correlation;
  /** Re-reads mcp.json and app.yaml now (the watcher does this on its own). */
  reload(): Promise<ReloadOutcome>;
  close(): Promise<void>;
}

/** Thrown when the config cannot start: every file:line:column error, one per line. */
export class GatewayStartError extends Error {
  readonly code = 'GATEWAY_CONFIG_INVALID';
  readonly errors: readonly string[];

  constructor(errors: readonly string[]) {
    super(`the gateway configuration is invalid:\n  ${errors.join('\n  ')}`);
    this.name = 'GatewayStartError';
    this.errors = errors;
  }
}

function effectiveSettings(
  settings: GatewaySettings,
  options: StartGatewayOptions,
): GatewaySettings {
  const mcp = options.listen?.mcp ?? settings.listen.mcp;
  const metrics = options.listen?.metrics ?? settings.listen.metrics;
  return { ...settings, listen: { ...settings.listen, mcp, metrics } };
}

export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  const logger = options.logger ?? pino({ name: 'airlock-gateway' });
  const loaded = await loadGatewayConfig(options.configDir);
  if (!loaded.ok) throw new GatewayStartError(loaded.errors.map((error) => error.message));
  for (const warning of loaded.warnings) logger.warn({ event: 'config-warning' }, warning.message);
  let config: GatewayConfig = {
    ...loaded.config,
    settings: effectiveSettings(loaded.config.settings, options),
  };
  const registry = options.registry ?? new Registry();
  const metrics: GatewayMetrics = createGatewayMetrics(registry);
  const audit: AuditStore = openAuditStore({ dataDir: options.dataDir });
  const sessions = new Map<string, GatewaySession>();
  // An observer must never break the gateway: its errors are logged and dropped.
  const emit = (event: GatewayEvent): void => {
    if (!options.onEvent) return;
    try {
      options.onEvent(event);
    } catch (error) {
      logger.warn({ event: 'observer-failed', err: error }, 'a gateway event listener threw');
    }
  };

  let upstreams: UpstreamSet | undefined;
  const subscriptions = createResourceSubscriptions((name) => upstreams?.get(name));
  const views = createViewCache(config.settings, () => upstreams?.listings() ?? []);
  // Views are dropped at once (the next list sees the change); the notification pass is coalesced,
  // so a burst (several upstreams announcing list_changed at start) costs one pass over the sessions.
  let refreshQueued = false;
  const refreshSessions = () => {
    views.invalidate();
    if (refreshQueued) return;
    refreshQueued = true;
    setImmediate(() => {
      refreshQueued = false;
      for (const session of sessions.values()) void session.refreshView();
    });
  };

  upstreams = startUpstreams({
    configDir: options.configDir,
    env: options.env ?? process.env,
    launcher: options.launcher ?? createProcessLauncher({ logger }),
    logger,
    metrics,
    onCatalogChange: () => {
      refreshSessions();
      emit({ type: 'server' });
    },
    ...(options.upstreamTuning === undefined ? {} : { tuning: options.upstreamTuning }),
    ...(options.readyWaitMs === undefined ? {} : { readyWaitMs: options.readyWaitMs }),
    onResourceUpdated: (server, upstreamUri) => {
      for (const { sessionId, exposedUri } of subscriptions.subscribersOf(server, upstreamUri)) {
        void sessions.get(sessionId)?.resourceUpdated(exposedUri);
      }
    },
  });
  const running = upstreams;
  await running.apply(config.servers);

  const recorder = createAuditRecorder(audit);
  // Fail closed: a call whose row could not be written is not acknowledged. The AuditError is thrown
  // to the session, which answers with an error instead of the result (see forward in session-calls.ts).
  const record = (event: SessionRecord) => {
    const { rawArguments, ...rest } = event;
    const row = recorder.record({ ...rest, args: rawArguments });
    const lost = row instanceof AuditError;
    if (!lost) emit({ type: 'call', row });
    if (lost) {
      // Never silently, and never with arguments or detail: those are what the recorder would have redacted.
      const { callId, consumer, server, kind, outcome } = event;
      const fields = { callId, consumer, server, kind, outcome, code: row.code, err: row.message };
      logger.error(
        { event: 'audit-append-failed', ...fields },
        'audit append failed; answered with an error',
      );
    }
    if (event.kind === 'tools/call') {
      metrics.toolCall({
        server: event.server ?? 'unknown',
        tool: event.target,
        consumer: event.consumer,
        // What the agent got: an answer withheld for want of an audit row is an error.
        outcome: lost && event.outcome !== 'denied' ? 'error' : event.outcome,
        durationMs: event.durationMs,
      });
    }
    if (lost) throw row;
  };
  const egressCalls = createEgressCorrelation();
  const env: SessionEnv = {
    catalog: (consumer) => views.catalog(consumer),
    upstream: (name) => running.get(name),
    record,
    subscriptions,
    egress: egressCalls,
  };

  let endpoint: Awaited<ReturnType<typeof startHttpEndpoint>>;
  let metricsServer: MetricsServer | undefined;
  try {
    endpoint = await startHttpEndpoint({
      listen: config.settings.listen.mcp,
      authEnabled: () => config.settings.auth.enabled,
      allowedOrigins: config.settings.allowedOrigins,
      // Reads the live settings, so a reload that adds or revokes a key applies to the next request.
      identify: (headers, clientName) =>
        resolveIdentity({
          headers,
          auth: config.settings.auth,
          ...(clientName === null ? {} : { clientName }),
        }),
      openSession: (state) => {
        const session = createSessionServer(state, env);
        sessions.set(state.id, session);
        metrics.sessionOpened();
        emit({ type: 'session', action: 'opened', id: state.id, consumer: state.consumer });
        return session.server;
      },
      onSessionClosed: (state) => {
        if (sessions.delete(state.id)) metrics.sessionClosed();
        emit({ type: 'session', action: 'closed', id: state.id, consumer: state.consumer });
        void subscriptions.release(state.id);
      },
      logger,
      ...(options.idleSessionMs === undefined ? {} : { idleSessionMs: options.idleSessionMs }),
    });
    const metricsListen =
      options.listen?.metrics === null ? undefined : config.settings.listen.metrics;
    if (metricsListen !== undefined)
      metricsServer = await startMetricsServer(metricsListen, registry);
  } catch (error) {
    await running.stopAll();
    audit.close();
    throw error;
  }

  async function applyResult(result: GatewayConfigResult): Promise<ReloadOutcome> {
    if (!result.ok) {
      const errors = result.errors.map((error) => error.message);
      logger.error(
        { event: 'config-reload', result: 'failure', errors },
        'invalid config change; keeping the last good config',
      );
      metrics.configReloaded('failure');
      return { result: 'failure', errors };
    }
    const next: GatewayConfig = {
      ...result.config,
      settings: effectiveSettings(result.config.settings, options),
    };
    try {
      views.setSettings(next.settings);
    } catch (error) {
      const errors = [error instanceof Error ? error.message : String(error)];
      metrics.configReloaded('failure');
      return { result: 'failure', errors };
    }
    const diff = diffServers(config.servers, next.servers);
    if (
      next.settings.listen.mcp !== config.settings.listen.mcp ||
      next.settings.listen.metrics !== config.settings.listen.metrics
    ) {
      logger.warn(
        { event: 'config-reload' },
        'listen addresses change at the next start; the listeners stay where they are',
      );
    }
    config = next;
    logger.info({ event: 'config-reload', result: 'success', ...diff }, 'config reloaded');
    metrics.configReloaded('success');
    await running.apply(next.servers);
    refreshSessions();
    return { result: 'success', errors: [] };
  }

  // One reload at a time: the watcher and reload() may fire together.
  let reloads: Promise<unknown> = Promise.resolve();
  const serialized = (result: () => Promise<GatewayConfigResult>): Promise<ReloadOutcome> => {
    const next = reloads.then(async () => {
      const outcome = await applyResult(await result());
      emit({ type: 'config', time: Date.now(), ...outcome });
      emit({ type: 'server' });
      return outcome;
    });
    reloads = next.catch(() => undefined);
    return next;
  };

  const watcher =
    options.watch === false
      ? undefined
      : watchGatewayConfig(options.configDir, (result) => void serialized(async () => result), {
          initialFingerprint: loaded.fingerprint,
          ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
          ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
        });

  logger.info({ event: 'gateway-started', url: endpoint.url }, 'gateway listening');
  return {
    url: endpoint.url,
    sseUrl: endpoint.sseUrl,
    address: endpoint.address,
    metricsUrl: metricsServer?.url ?? null,
    registry,
    config: () => config,
    sessions: () => endpoint.sessions(),
    upstreams: () => running.summaries(),
    correlateEgress: (event) => egressCalls.correlate(event),
    reload: () => serialized(() => loadGatewayConfig(options.configDir)),
    async close() {
      watcher?.close();
      await endpoint.close();
      await metricsServer?.close();
      await running.stopAll();
      audit.close();
    },
  };
}

export type { UpstreamSummary };
