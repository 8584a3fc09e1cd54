// The data the dashboard API reads, as narrow interfaces: the running gateway, the audit store, the egress telemetry.
import type { AuditQueries } from '../../audit/audit-queries.ts';
import type { AuditVerdict } from '../../audit/audit-store.ts';
import type { GatewayConfig } from '../../config/types.ts';
import type { SessionInfo } from '../../downstream/session-state.ts';
import type { UpstreamSummary } from '../../downstream/upstream-set.ts';
import type { TelemetrySource } from './telemetry-source.ts';

/** The parts of a running gateway the dashboard reads (a `Gateway` fits). */
export interface DashboardGateway {
  sessions(): SessionInfo[];
  upstreams(): UpstreamSummary[];
  readonly config: () => GatewayConfig;
}

/** Reading the audit log (an `AuditStore`, opened read-only, fits). */
export interface DashboardAudit extends Pick<AuditQueries, 'query' | 'get'> {
  verify(): AuditVerdict;
}

export interface ReloadInfo {
  readonly time: number;
  readonly result: 'success' | 'failure' | 'unchanged';
  readonly errors: readonly string[];
}

export interface ApiSources {
  readonly gateway: DashboardGateway;
  readonly audit: DashboardAudit;
  readonly telemetry: TelemetrySource;
  /** Where mcp.json, app.yaml and flows/ live, for the list of loaded files (omitted: none listed). */
  readonly configDir?: string;
  /** The last config reload the gateway reported, null before the first. */
  lastReload(): ReloadInfo | null;
  now(): number;
}

export interface ApiResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function json(status: number, value: unknown): ApiResponse {
  return {
    status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(value),
  };
}

export function apiError(status: number, code: string, message: string): ApiResponse {
  return json(status, { error: { code, message } });
}
