// `airlock up` only: the dashboard wired to both halves (telemetry store read-only, live records, flows, report format, admin token).

import { join, resolve } from 'node:path';
import pino from 'pino';
import { formatCsv, formatJson } from '../egress/blocked-report.ts';
import { loadConfiguration } from '../egress/config-reload.ts';
import type { EgressRecord } from '../egress/egress-record.ts';
import { openTelemetryStore, type TelemetryStore } from '../egress/telemetry-store.ts';
import { openAuditStore } from '../gateway/audit/audit-store.ts';
import { loadOrCreateAdminToken } from '../gateway/dashboard/server/admin-token.ts';
import { type Dashboard, startDashboard } from '../gateway/dashboard/server/dashboard-server.ts';
import type {
  FlowSummary,
  OutboundRecord,
  TelemetrySource,
} from '../gateway/dashboard/server/telemetry-source.ts';
import { isLoopbackName } from '../gateway/downstream/request-guard.ts';
import type { Gateway } from '../gateway/gateway-service.ts';
import type { CommandIo } from './egress.ts';

/** Records the egress finished, handed to whoever subscribed (the dashboard's feed); pass `publish` as `onRecord`. */
export interface RecordFanout {
  publish(record: EgressRecord): void;
  subscribe(listener: (record: OutboundRecord) => void): () => void;
}

export function createRecordFanout(): RecordFanout {
  const listeners = new Set<(record: OutboundRecord) => void>();
  return {
    publish(record) {
      for (const listener of listeners) listener(record);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The flows as the egress loads them from `configDir`; a config that does not load shows no flows. */
export async function loadFlowSummaries(configDir: string): Promise<FlowSummary[]> {
  const loaded = await loadConfiguration(configDir);
  if (!loaded.ok) return [];
  return loaded.configuration.flows.flows.map((flow) => ({
    name: flow.name,
    servers: flow.filter?.servers === undefined ? null : [...flow.filter.servers],
  }));
}

export interface DashboardTelemetry extends TelemetrySource {
  close(): void;
}

/** The telemetry store opened read-only (the egress keeps the only writer) plus the live records. */
export function createTelemetrySource(options: {
  readonly dataDir: string;
  readonly configDir: string;
  readonly fanout: RecordFanout;
}): DashboardTelemetry {
  const store: TelemetryStore = openTelemetryStore(
    { dataDir: options.dataDir },
    { readonly: true },
  );
  return {
    blocked: (query) => store.blocked(query),
    records: (query) => store.records(query),
    rollups: (query) => store.rollups(query),
    endpoints: (query) => store.endpoints(query),
    formatBlocked: (records, format) =>
      format === 'csv' ? formatCsv(records) : formatJson(records),
    flows: () => loadFlowSummaries(options.configDir),
    subscribe: (listener) => options.fanout.subscribe(listener),
    close: () => store.close(),
  };
}

/** The dashboard on `listen` over the running gateway, the audit log and the egress telemetry (read-only). */
export async function startDashboardOrReport(init: {
  readonly listen: string;
  readonly gateway: Gateway;
  readonly configDir: string;
  readonly dataDir: string;
  readonly records: ReturnType<typeof createRecordFanout>;
  readonly io: CommandIo;
}): Promise<{ dashboard: Dashboard; lines: string[]; close(): Promise<void> } | undefined> {
  const lines: string[] = [];
  const host = /^\[?([^\]]*?)\]?:\d+$/.exec(init.listen)?.[1] ?? init.listen;
  let adminToken: string | undefined;
  if (!isLoopbackName(host)) {
    const token = loadOrCreateAdminToken(init.dataDir);
    adminToken = token.token;
    // Printed this once, when it is created; afterwards it is only in the 0600 file.
    if (token.created) {
      lines.push(
        `dashboard admin token (shown once, kept in ${join(init.dataDir, 'admin.token')}): ${token.token}`,
      );
    }
  }
  const audit = openAuditStore({ dataDir: init.dataDir }, { readonly: true });
  const telemetry = createTelemetrySource({
    dataDir: init.dataDir,
    configDir: init.configDir,
    fanout: init.records,
  });
  try {
    const dashboard = await startDashboard({
      listen: init.listen,
      gateway: init.gateway,
      telemetry,
      audit,
      configDir: init.configDir,
      allowedOrigins: init.gateway.config().settings.allowedOrigins,
      assetsDir: resolve(import.meta.dirname, '../gateway/dashboard/assets'),
      logger: pino({ level: 'warn' }, pino.destination(2)),
      ...(adminToken === undefined ? {} : { adminToken }),
    });
    return {
      dashboard,
      lines,
      async close() {
        await dashboard.close();
        telemetry.close();
        audit.close();
      },
    };
  } catch (error) {
    telemetry.close();
    audit.close();
    init.io.stderr(`airlock up: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}
