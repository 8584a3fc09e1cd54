// Read queries over the telemetry database: blocked calls, records, rollups with percentiles, endpoints, providers.
import type Database from 'better-sqlite3';
import type { DecisionKind } from '../flows/types.ts';
import type { EgressRecord } from './egress-record.ts';
import { percentileMs } from './latency-buckets.ts';
import { BLOCKED_DECISIONS } from './telemetry-schema.ts';

/** A record as stored: its row id, and whether its provider was new to its server at that moment. */
export interface StoredRecord extends EgressRecord {
  readonly id: number;
  readonly newProvider: boolean;
}

export interface RollupRow {
  readonly server: string;
  readonly provider: string;
  readonly requests: number;
  /** Transport errors and origin 5xx. */
  readonly errors: number;
  /** Denied (enforced). */
  readonly blocked: number;
  /** Allowed in report mode, would have been denied. */
  readonly reported: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Duration percentiles of the requests and tunnels that were not denied (bucket upper bounds, ms). */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
}

export interface EndpointRow {
  readonly server: string;
  readonly method: string;
  readonly host: string;
  readonly port: number;
  readonly template: string;
  readonly provider: string;
  readonly count: number;
  readonly blocked: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface ProviderRow {
  readonly server: string;
  readonly provider: string;
  readonly firstSeen: number;
}

export interface BlockedQuery {
  /** ms since the epoch; records at or after it. */
  readonly since: number;
  readonly server?: string;
  /** Newest first; default 1,000. */
  readonly limit?: number;
  /** Include report-mode records ("would deny"); default true. */
  readonly includeReport?: boolean;
}

export interface RecordsQuery {
  readonly server?: string;
  readonly provider?: string;
  readonly host?: string;
  readonly decision?: DecisionKind;
  readonly since?: number;
  readonly until?: number;
  /** Newest first; default 1,000. */
  readonly limit?: number;
}

export interface RollupsQuery {
  readonly server?: string;
}

export interface EndpointsQuery {
  readonly server?: string;
  readonly provider?: string;
}

export interface TelemetryQueries {
  blocked(query: BlockedQuery): StoredRecord[];
  records(query?: RecordsQuery): StoredRecord[];
  rollups(query?: RollupsQuery): RollupRow[];
  endpoints(query?: EndpointsQuery): EndpointRow[];
  providers(query?: { readonly server?: string }): ProviderRow[];
}

const DEFAULT_LIMIT = 1000;

const RECORD_COLUMNS = `id, time, server, method, scheme, host, port, path, provider, decision, flow, processor,
  reason, status, duration_ms AS durationMs, bytes_up AS bytesUp, bytes_down AS bytesDown, error, dialed,
  tool_call AS toolCall, new_provider AS newProvider`;

type RecordRow = Omit<StoredRecord, 'newProvider'> & { newProvider: number };

export function createTelemetryQueries(db: Database.Database): TelemetryQueries {
  const toRecords = (rows: unknown[]): StoredRecord[] =>
    (rows as RecordRow[]).map((row) => ({ ...row, newProvider: row.newProvider === 1 }));

  const records = (query: RecordsQuery = {}): StoredRecord[] => {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: query.limit ?? DEFAULT_LIMIT };
    for (const column of ['server', 'provider', 'host', 'decision'] as const) {
      if (query[column] === undefined) continue;
      where.push(`${column} = @${column}`);
      params[column] = query[column];
    }
    if (query.since !== undefined) {
      where.push('time >= @since');
      params.since = query.since;
    }
    if (query.until !== undefined) {
      where.push('time < @until');
      params.until = query.until;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const sql = `SELECT ${RECORD_COLUMNS} FROM records ${clause} ORDER BY time DESC, id DESC LIMIT @limit`;
    return toRecords(db.prepare(sql).all(params));
  };

  const blocked = (query: BlockedQuery): StoredRecord[] => {
    const denyOnly = query.includeReport === false ? "AND decision = 'deny'" : '';
    const serverClause = query.server === undefined ? '' : 'AND server = @server';
    const sql = `SELECT ${RECORD_COLUMNS} FROM records
      WHERE ${BLOCKED_DECISIONS} ${denyOnly} AND time >= @since ${serverClause}
      ORDER BY time DESC, id DESC LIMIT @limit`;
    const params: Record<string, unknown> = {
      since: query.since,
      limit: query.limit ?? DEFAULT_LIMIT,
    };
    if (query.server !== undefined) params.server = query.server;
    return toRecords(db.prepare(sql).all(params));
  };

  const rollups = (query: RollupsQuery = {}): RollupRow[] => {
    const serverClause = query.server === undefined ? '' : 'WHERE server = @server';
    const params = query.server === undefined ? {} : { server: query.server };
    const rows = db
      .prepare(
        `SELECT server, provider, requests, errors, blocked, reported, bytes_up AS bytesUp,
          bytes_down AS bytesDown, first_seen AS firstSeen, last_seen AS lastSeen
        FROM rollups ${serverClause} ORDER BY server, provider`,
      )
      .all(params) as Omit<RollupRow, 'p50Ms' | 'p95Ms' | 'p99Ms'>[];
    const buckets = db
      .prepare(`SELECT server, provider, bucket, count FROM rollup_latency ${serverClause}`)
      .all(params) as { server: string; provider: string; bucket: number; count: number }[];
    const latency = new Map<string, Map<number, number>>();
    for (const { server, provider, bucket, count } of buckets) {
      const key = `${server}\0${provider}`;
      const counts = latency.get(key) ?? new Map<number, number>();
      counts.set(bucket, count);
      latency.set(key, counts);
    }
    return rows.map((row) => {
      const counts = latency.get(`${row.server}\0${row.provider}`) ?? new Map<number, number>();
      return {
        ...row,
        p50Ms: percentileMs(counts, 0.5),
        p95Ms: percentileMs(counts, 0.95),
        p99Ms: percentileMs(counts, 0.99),
      };
    });
  };

  const endpoints = (query: EndpointsQuery = {}): EndpointRow[] => {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.server !== undefined) {
      where.push('server = @server');
      params.server = query.server;
    }
    if (query.provider !== undefined) {
      where.push('provider = @provider');
      params.provider = query.provider;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return db
      .prepare(
        `SELECT server, method, host, port, template, provider, count, blocked,
          first_seen AS firstSeen, last_seen AS lastSeen
        FROM endpoints ${clause} ORDER BY server, host, port, template, method`,
      )
      .all(params) as EndpointRow[];
  };

  const providers = (query: { readonly server?: string } = {}): ProviderRow[] => {
    const clause = query.server === undefined ? '' : 'WHERE server = @server';
    const params = query.server === undefined ? {} : { server: query.server };
    return db
      .prepare(
        `SELECT server, provider, first_seen AS firstSeen FROM providers ${clause} ORDER BY server, provider`,
      )
      .all(params) as ProviderRow[];
  };

  return { blocked, records, rollups, endpoints, providers };
}
