// Prometheus metrics of the gateway: tool calls, sessions, upstream health and config reloads, labels capped.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AuditOutcome } from '../audit/audit-record.ts';
import { labelCap } from './label-cap.ts';

export const GATEWAY_METRIC_NAMES = {
  toolCalls: 'airlock_tool_calls_total',
  toolCallDuration: 'airlock_tool_call_duration_seconds',
  sessionsActive: 'airlock_sessions_active',
  upstreamUp: 'airlock_upstream_up',
  upstreamRestarts: 'airlock_upstream_restarts_total',
  configReload: 'airlock_config_reload_total',
} as const;

/** From a denied call (well under a millisecond) to a long tool run (minutes). */
const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

export type ToolCallOutcome = AuditOutcome;
export type ReloadResult = 'success' | 'failure';

export interface ToolCallObservation {
  readonly server: string;
  /** The tool as the upstream knows it. */
  readonly tool: string;
  readonly consumer: string;
  readonly outcome: ToolCallOutcome;
  readonly durationMs: number;
}

export interface GatewayMetricsOptions {
  /** Distinct `server` label values kept (servers come from config: a safety net; default 1,000). */
  readonly maxServers?: number;
  /** Distinct `tool` label values kept, over all servers (upstreams name them; default 5,000). */
  readonly maxTools?: number;
  /** Distinct `consumer` label values kept (a consumer tag or client name is chosen by the agent; default 200). */
  readonly maxConsumers?: number;
}

export interface GatewayMetrics {
  /** Counts one finished (or refused) tools/call; a denied call has no duration observation. */
  toolCall(observation: ToolCallObservation): void;
  sessionOpened(): void;
  sessionClosed(): void;
  /** The upstream's state now: up (ready) or not (starting, crashed, backing off, stopped). */
  upstreamState(server: string, up: boolean): void;
  /** One restart after a crash. */
  upstreamRestart(server: string): void;
  /** The server left the config: its series go away. */
  upstreamRemoved(server: string): void;
  configReloaded(result: ReloadResult): void;
}

export function createGatewayMetrics(
  registry: Registry,
  options: GatewayMetricsOptions = {},
): GatewayMetrics {
  const registers = [registry];
  const toolCalls = new Counter({
    name: GATEWAY_METRIC_NAMES.toolCalls,
    help: 'tools/call requests by server, tool, consumer and outcome (ok, tool-error, error, denied, cancelled).',
    labelNames: ['server', 'tool', 'consumer', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: GATEWAY_METRIC_NAMES.toolCallDuration,
    help: 'Duration of tools/call requests that reached the upstream, from arrival to answer, in seconds.',
    labelNames: ['server', 'tool'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const sessions = new Gauge({
    name: GATEWAY_METRIC_NAMES.sessionsActive,
    help: 'Downstream MCP sessions open right now (Streamable HTTP and SSE).',
    registers,
  });
  const upstreamUp = new Gauge({
    name: GATEWAY_METRIC_NAMES.upstreamUp,
    help: 'Whether the upstream server is ready (1) or not (0: starting, crashed, backing off, stopped).',
    labelNames: ['server'] as const,
    registers,
  });
  const restarts = new Counter({
    name: GATEWAY_METRIC_NAMES.upstreamRestarts,
    help: 'Restarts of an upstream server after it crashed or stopped answering.',
    labelNames: ['server'] as const,
    registers,
  });
  const reloads = new Counter({
    name: GATEWAY_METRIC_NAMES.configReload,
    help: 'Reloads of mcp.json and app.yaml, by result (a failure keeps the last good config serving).',
    labelNames: ['result'] as const,
    registers,
  });
  // Both results exist from the start, so rate() and alerts see a 0 rather than no series.
  reloads.inc({ result: 'success' }, 0);
  reloads.inc({ result: 'failure' }, 0);

  const servers = labelCap(options.maxServers ?? 1000);
  const tools = labelCap(options.maxTools ?? 5000);
  const consumers = labelCap(options.maxConsumers ?? 200);
  let open = 0;

  return {
    toolCall({ server, tool, consumer, outcome, durationMs }) {
      const serverLabel = servers(server);
      const toolLabel = tools(tool);
      toolCalls.inc({
        server: serverLabel,
        tool: toolLabel,
        consumer: consumers(consumer),
        outcome,
      });
      // A denied call never left the gateway: its time says nothing about the tool.
      if (outcome !== 'denied' && Number.isFinite(durationMs)) {
        duration.observe({ server: serverLabel, tool: toolLabel }, Math.max(durationMs, 0) / 1000);
      }
    },
    sessionOpened() {
      open += 1;
      sessions.set(open);
    },
    sessionClosed() {
      // A close reported twice must not drive the gauge below zero.
      open = Math.max(open - 1, 0);
      sessions.set(open);
    },
    upstreamState(server, up) {
      const label = servers(server);
      upstreamUp.set({ server: label }, up ? 1 : 0);
      // A known server shows 0 restarts rather than no series.
      restarts.inc({ server: label }, 0);
    },
    upstreamRestart: (server) => restarts.inc({ server: servers(server) }),
    upstreamRemoved(server) {
      const label = servers(server);
      upstreamUp.remove({ server: label });
      restarts.remove({ server: label });
    },
    configReloaded: (result) => reloads.inc({ result }),
  };
}
