// The JSON each dashboard page reads, built from the sources (no sockets, no parsing of requests).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiSources } from './api-sources.ts';
import { sandboxType, serverSpecView } from './config-view.ts';
import { MINUTE_MS, minuteSeries } from './minute-series.ts';
import type { FlowSummary } from './telemetry-source.ts';

/** The window of the overview's per-minute series. */
export const OVERVIEW_MINUTES = 15;
const NEWEST_BLOCKS = 10;
/** Enough rows to count a busy quarter of an hour; the counts are a chart, not an audit. */
const SERIES_ROW_CAP = 10_000;

export function overviewView(sources: ApiSources): Record<string, unknown> {
  const now = sources.now();
  const since = now - OVERVIEW_MINUTES * MINUTE_MS;
  const upstreams = sources.gateway.upstreams();
  const calls = sources.audit.query({ since, kind: 'tools/call', limit: SERIES_ROW_CAP });
  const blocked = sources.telemetry.blocked({ since, limit: SERIES_ROW_CAP });
  return {
    servers: {
      up: upstreams.filter((upstream) => upstream.phase === 'ready').length,
      total: upstreams.length,
    },
    agents: sources.gateway.sessions().length,
    toolCallsPerMinute: minuteSeries(
      calls.map((row) => row.time),
      now,
      OVERVIEW_MINUTES,
    ),
    blockedPerMinute: minuteSeries(
      blocked.map((record) => record.time),
      now,
      OVERVIEW_MINUTES,
    ),
    newestBlocks: blocked.slice(0, NEWEST_BLOCKS),
  };
}

/** Flows whose filter names no servers apply to every server. */
export function flowsFor(server: string, flows: readonly FlowSummary[]): string[] {
  return flows
    .filter((flow) => flow.servers === null || flow.servers.includes(server))
    .map((flow) => flow.name);
}

export async function serversView(sources: ApiSources): Promise<Record<string, unknown>> {
  const specs = sources.gateway.config().servers;
  const flows = await sources.telemetry.flows();
  const servers = sources.gateway.upstreams().map((upstream) => ({
    name: upstream.name,
    state: upstream.phase,
    sandbox: sandboxType(specs[upstream.name]),
    restarts: upstream.restarts,
    tools: upstream.tools,
    egressFlows: flowsFor(upstream.name, flows),
    lastError: upstream.lastError,
  }));
  return { servers };
}

export function agentsView(sources: ApiSources): Record<string, unknown> {
  const agents = sources.gateway.sessions().map((session) => ({
    id: session.id,
    consumer: session.consumer,
    clientName: session.clientName,
    transport: session.transport,
    since: session.since,
    calls: session.calls,
    lastCall: session.lastCall,
    lastCallAt: session.lastCallAt,
  }));
  return { agents };
}

export function outboundView(sources: ApiSources, server: string | undefined) {
  const now = sources.now();
  const query = server === undefined ? {} : { server };
  const rollups = sources.telemetry.rollups(query);
  const since = now - OVERVIEW_MINUTES * MINUTE_MS;
  const recent = sources.telemetry.records({ ...query, since, limit: SERIES_ROW_CAP });
  // "new": the provider was first seen by this server within the window the page shows.
  const rows = rollups.map((row) => ({
    server: row.server,
    provider: row.provider,
    requests: row.requests,
    errors: row.errors,
    errorRate: row.requests === 0 ? 0 : row.errors / row.requests,
    blocked: row.blocked,
    reported: row.reported,
    p50Ms: row.p50Ms,
    p95Ms: row.p95Ms,
    bytesUp: row.bytesUp,
    bytesDown: row.bytesDown,
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    new: row.firstSeen >= since,
  }));
  const series = rows.map((row) => ({
    server: row.server,
    provider: row.provider,
    points: minuteSeries(
      recent
        .filter((record) => record.server === row.server && record.provider === row.provider)
        .map((record) => record.time),
      now,
      OVERVIEW_MINUTES,
    ),
  }));
  return { providers: rows, series };
}

export async function configView(sources: ApiSources): Promise<Record<string, unknown>> {
  const config = sources.gateway.config();
  const servers = Object.fromEntries(
    Object.entries(config.servers).map(([name, spec]) => [name, serverSpecView(spec)]),
  );
  const reload = sources.lastReload();
  return {
    files: sources.configDir === undefined ? [] : await configFiles(sources.configDir),
    lastReload: reload,
    validationErrors: reload?.result === 'failure' ? reload.errors : [],
    servers,
    listen: config.settings.listen,
    authEnabled: config.settings.auth.enabled,
  };
}

async function configFiles(configDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const name of ['mcp.json', 'app.yaml']) {
    const present = await readdir(configDir).then(
      (entries) => entries.includes(name),
      () => false,
    );
    if (present) files.push(name);
  }
  const flows = await readdir(join(configDir, 'flows')).catch(() => [] as string[]);
  for (const name of flows.sort()) {
    if (/\.ya?ml$/.test(name)) files.push(`flows/${name}`);
  }
  return files;
}
