// Reading the audit table: rows mapped to AuditRow, filtered pages newest first, and the whole chain oldest first.
import type Database from 'better-sqlite3';
import type { AuditKind, AuditOutcome, AuditRow } from './audit-record.ts';
import { AUDIT_TABLE } from './audit-schema.ts';

export interface AuditQuery {
  /** ms since the epoch, inclusive. */
  readonly since?: number;
  /** ms since the epoch, exclusive. */
  readonly until?: number;
  readonly consumer?: string;
  readonly server?: string;
  readonly outcome?: AuditOutcome;
  readonly kind?: AuditKind;
  /** At most this many rows (default 100, at most 10,000). */
  readonly limit?: number;
  /** Only rows older than this id: the next page after a page ending at it. */
  readonly beforeId?: number;
}

export interface AuditRange {
  readonly since?: number;
  readonly until?: number;
}

export interface AuditQueries {
  /** Rows matching every given filter, newest first. */
  query(query?: AuditQuery): AuditRow[];
  get(id: number): AuditRow | undefined;
  /** Rows in chain order (oldest first), read lazily: for export. */
  iterate(range?: AuditRange): IterableIterator<AuditRow>;
  /** Every row in chain order, for verify. */
  iterateAll(): IterableIterator<AuditRow>;
  count(): number;
}

export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 10_000;

interface StoredAuditRow {
  id: number;
  time: number;
  consumer: string;
  client_name: string | null;
  session_id: string | null;
  server: string | null;
  kind: AuditKind;
  target: string;
  exposed_name: string;
  outcome: AuditOutcome;
  detail: string | null;
  duration_ms: number;
  arguments: string | null;
  call_id: string;
  prev_hash: string;
  hash: string;
}

export function rowFromStored(stored: StoredAuditRow): AuditRow {
  return {
    id: stored.id,
    time: stored.time,
    consumer: stored.consumer,
    clientName: stored.client_name,
    sessionId: stored.session_id,
    server: stored.server,
    kind: stored.kind,
    target: stored.target,
    exposedName: stored.exposed_name,
    outcome: stored.outcome,
    detail: stored.detail,
    durationMs: stored.duration_ms,
    arguments: stored.arguments,
    callId: stored.call_id,
    prevHash: stored.prev_hash,
    hash: stored.hash,
  };
}

export function createAuditQueries(db: Database.Database): AuditQueries {
  const byId = db.prepare(`SELECT * FROM ${AUDIT_TABLE} WHERE id = ?`);
  const all = db.prepare(`SELECT * FROM ${AUDIT_TABLE} ORDER BY id`);
  const inRange = db.prepare(
    `SELECT * FROM ${AUDIT_TABLE} WHERE time >= ? AND time < ? ORDER BY id`,
  );
  const countAll = db.prepare(`SELECT count(*) FROM ${AUDIT_TABLE}`).pluck();
  // One statement per combination of filters, prepared on first use (at most 2^7 of them).
  const filtered = new Map<string, Database.Statement>();

  return {
    query(query = {}) {
      const { sql, params } = filterSql(query);
      let statement = filtered.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        filtered.set(sql, statement);
      }
      return (statement.all(...params) as StoredAuditRow[]).map(rowFromStored);
    },
    get(id) {
      const stored = byId.get(id) as StoredAuditRow | undefined;
      return stored ? rowFromStored(stored) : undefined;
    },
    *iterate(range = {}) {
      const since = range.since ?? Number.MIN_SAFE_INTEGER;
      const until = range.until ?? Number.MAX_SAFE_INTEGER;
      for (const stored of inRange.iterate(since, until))
        yield rowFromStored(stored as StoredAuditRow);
    },
    *iterateAll() {
      for (const stored of all.iterate()) yield rowFromStored(stored as StoredAuditRow);
    },
    count: () => countAll.get() as number,
  };
}

/** Pure: the WHERE clause of a query, in a fixed order so equal filter sets share one statement. */
export function filterSql(query: AuditQuery): { sql: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    where.push(clause);
    params.push(value);
  };
  add('time >= ?', query.since);
  add('time < ?', query.until);
  add('consumer = ?', query.consumer);
  add('server = ?', query.server);
  add('outcome = ?', query.outcome);
  add('kind = ?', query.kind);
  add('id < ?', query.beforeId);
  const requested = Number.isFinite(query.limit)
    ? Math.trunc(query.limit ?? 0)
    : DEFAULT_QUERY_LIMIT;
  const limit = Math.min(Math.max(requested, 1), MAX_QUERY_LIMIT);
  params.push(limit);
  const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  return { sql: `SELECT * FROM ${AUDIT_TABLE}${clause} ORDER BY id DESC LIMIT ?`, params };
}
