// How an audit row is exported (pure): its columns and cells for CSV, its JSON line for JSONL.
import type { AuditRow } from './audit-record.ts';

export type AuditExportFormat = 'jsonl' | 'csv';
export const AUDIT_EXPORT_FORMATS: readonly AuditExportFormat[] = ['jsonl', 'csv'];

/** Every stored field, hashes included, so an export can be checked against the chain later. */
export const AUDIT_COLUMNS = [
  'id',
  'time',
  'consumer',
  'client_name',
  'session_id',
  'server',
  'kind',
  'target',
  'exposed_name',
  'outcome',
  'detail',
  'duration_ms',
  'arguments',
  'call_id',
  'prev_hash',
  'hash',
] as const;

/** One row of cells in AUDIT_COLUMNS order; time as ISO 8601, a missing value as an empty cell. */
export function auditCells(row: AuditRow): string[] {
  return [
    String(row.id),
    new Date(row.time).toISOString(),
    row.consumer,
    row.clientName ?? '',
    row.sessionId ?? '',
    row.server ?? '',
    row.kind,
    row.target,
    row.exposedName,
    row.outcome,
    row.detail ?? '',
    String(row.durationMs),
    row.arguments ?? '',
    row.callId,
    row.prevHash,
    row.hash,
  ];
}

/** The row as stored, one line of JSON (time stays ms since the epoch: the hash covers that number). */
export function auditJsonLine(row: AuditRow): string {
  return `${JSON.stringify({
    id: row.id,
    time: row.time,
    consumer: row.consumer,
    clientName: row.clientName,
    sessionId: row.sessionId,
    server: row.server,
    kind: row.kind,
    target: row.target,
    exposedName: row.exposedName,
    outcome: row.outcome,
    detail: row.detail,
    durationMs: row.durationMs,
    arguments: row.arguments,
    callId: row.callId,
    prevHash: row.prevHash,
    hash: row.hash,
  })}\n`;
}
