// Prometheus metrics of the egress, fed one EgressRecord at a time, with label values capped to bound cardinality.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EgressRecord } from './egress-record.ts';

export const METRIC_NAMES = {
  requests: 'airlock_egress_requests_total',
  duration: 'airlock_egress_request_duration_seconds',
  bytes: 'airlock_egress_bytes_total',
  blocked: 'airlock_egress_blocked_total',
  activeTunnels: 'airlock_egress_active_tunnels',
  flowsReload: 'airlock_flows_reload_total',
} as const;

/** The label value that stands for every value past the cap. */
export const OTHER_LABEL = 'other';
/** The label value for a request whose host could not be parsed. */
export const UNKNOWN_LABEL = 'unknown';

/** Up to ~5 minutes: SSE streams and tunnels are long, and still worth a bucket. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface EgressMetricsOptions {
  /** Distinct `host` label values kept on the blocked counter before the rest become `other` (default 1,000). */
  readonly maxHosts?: number;
  /** Distinct `provider` label values kept before the rest become `other` (default 1,000). */
  readonly maxProviders?: number;
  /** Distinct `server` label values (servers come from config, so this is a safety net; default 1,000). */
  readonly maxServers?: number;
}

export interface EgressMetrics {
  /** Counts one finished request or tunnel. */
  observe(record: EgressRecord): void;
  tunnelOpened(): void;
  tunnelClosed(): void;
  flowsReloaded(result: 'success' | 'failure'): void;
}

export function createEgressMetrics(
  registry: Registry,
  options: EgressMetricsOptions = {},
): EgressMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: METRIC_NAMES.requests,
    help: 'Outbound requests and tunnels, by server, provider (registrable domain) and decision.',
    labelNames: ['server', 'provider', 'decision'] as const,
    registers,
  });
  const duration = new Histogram({
    name: METRIC_NAMES.duration,
    help: 'Duration of requests and tunnels that were not denied, from arrival to the last byte, in seconds.',
    labelNames: ['server', 'provider'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const bytes = new Counter({
    name: METRIC_NAMES.bytes,
    help: 'Bytes sent to origins (up) and back to sandboxed servers (down).',
    labelNames: ['server', 'provider', 'direction'] as const,
    registers,
  });
  const blocked = new Counter({
    name: METRIC_NAMES.blocked,
    help: 'Denied requests and tunnels, by server and host (hosts past the cap count as "other").',
    labelNames: ['server', 'host'] as const,
    registers,
  });
  const activeTunnels = new Gauge({
    name: METRIC_NAMES.activeTunnels,
    help: 'CONNECT tunnels open right now.',
    registers,
  });
  const flowsReload = new Counter({
    name: METRIC_NAMES.flowsReload,
    help: 'Flow directory reloads, by result (a failure keeps the last good flows serving).',
    labelNames: ['result'] as const,
    registers,
  });

  const servers = labelCap(options.maxServers ?? 1000);
  const providers = labelCap(options.maxProviders ?? 1000);
  const hosts = labelCap(options.maxHosts ?? 1000);

  return {
    observe(record) {
      const server = servers(record.server);
      const provider = providers(record.provider);
      requests.inc({ server, provider, decision: record.decision });
      // A deny never left the egress: its time says nothing about the provider (same rule as the rollups).
      if (record.decision !== 'deny')
        duration.observe({ server, provider }, record.durationMs / 1000);
      bytes.inc({ server, provider, direction: 'up' }, record.bytesUp);
      bytes.inc({ server, provider, direction: 'down' }, record.bytesDown);
      if (record.decision === 'deny') blocked.inc({ server, host: hosts(record.host) });
    },
    tunnelOpened: () => activeTunnels.inc(),
    tunnelClosed: () => activeTunnels.dec(),
    flowsReloaded: (result) => flowsReload.inc({ result }),
  };
}

/**
 * Keeps the first `max` distinct values as they are and maps every later one to `other`:
 * hosts and providers are chosen by untrusted servers, and each new value would be a new series.
 */
export function labelCap(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    const label = value === '' ? UNKNOWN_LABEL : value;
    if (seen.has(label)) return label;
    if (seen.size >= max) return OTHER_LABEL;
    seen.add(label);
    return label;
  };
}
