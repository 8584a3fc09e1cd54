// The blocked-call report: its time window, and its table, CSV and JSON renderings (pure apart from the query).
import type { StoredRecord, TelemetryStore } from './telemetry-store.ts';

export type ReportFormat = 'table' | 'json' | 'csv';
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'json', 'csv'];

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m`, `24h`, `7d` (before `now`), or an ISO date or date-time; null when it is neither. */
export function parseSince(text: string, now: number): number | null {
  const relative = /^(\d+)([mhd])$/.exec(text.trim());
  if (relative) {
    const unit = relative[2] as keyof typeof UNIT_MS;
    return now - Number(relative[1]) * UNIT_MS[unit];
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return null;
  const time = Date.parse(text.trim());
  return Number.isNaN(time) ? null : time;
}

export interface BlockedReportQuery {
  readonly since: number;
  readonly server?: string;
  readonly limit?: number;
}

/** Denied and would-deny (report mode) records, newest first. */
export function queryBlocked(store: TelemetryStore, query: BlockedReportQuery): StoredRecord[] {
  return store.blocked(query);
}

export const TABLE_COLUMNS = [
  'time',
  'server',
  'decision',
  'method',
  'host',
  'port',
  'path',
  'flow/processor',
  'reason',
] as const;

/** One row of cells per record, in TABLE_COLUMNS order (also the CSV columns). */
export function reportCells(record: StoredRecord): string[] {
  return [
    new Date(record.time).toISOString(),
    record.server,
    record.decision === 'report' ? 'would deny' : record.decision,
    record.method,
    record.host,
    String(record.port),
    record.path ?? '',
    record.flow === null ? '(none)' : `${record.flow}/${record.processor ?? ''}`,
    record.reason,
  ];
}

/** Cells wider than this are cut with `…` so one long path cannot push the rest off the screen. */
const MAX_CELL_WIDTH = 60;

/**
 * Aligned columns, the last one (reason) left unpadded. Control characters are shown as `\xNN`: hosts and
 * paths come from untrusted servers, and a raw escape sequence would drive the reader's terminal.
 */
export function formatTable(records: readonly StoredRecord[]): string {
  const last = TABLE_COLUMNS.length - 1;
  const rows = [
    [...TABLE_COLUMNS],
    ...records.map((record) =>
      reportCells(record).map((cell, column) =>
        column === last ? escapeControls(cell) : fitCell(escapeControls(cell)),
      ),
    ),
  ];
  const widths = TABLE_COLUMNS.map((_, column) =>
    column === last ? 0 : Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  const lines = rows.map((row) =>
    row
      .map((cell, column) => (column === last ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

/** RFC 4180 (CRLF, quotes doubled), with spreadsheet formulas neutralised in every cell. */
export function formatCsv(records: readonly StoredRecord[]): string {
  const rows = [[...TABLE_COLUMNS], ...records.map(reportCells)];
  return rows
    .map((row) => row.map(csvCell).join(','))
    .join('\r\n')
    .concat('\r\n');
}

/** The stored records as they are: one JSON array. */
export function formatJson(records: readonly StoredRecord[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}

export function formatReport(records: readonly StoredRecord[], format: ReportFormat): string {
  if (format === 'csv') return formatCsv(records);
  if (format === 'json') return formatJson(records);
  return formatTable(records);
}

/**
 * A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'`
 * (OWASP's advice), then the cell is quoted when it holds a comma, quote or line break.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** C0/C1 controls and the bidirectional overrides that can make text read differently from what it is. */
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeControls(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

function fitCell(text: string): string {
  return text.length > MAX_CELL_WIDTH ? `${text.slice(0, MAX_CELL_WIDTH - 1)}…` : text;
}
