// `airlock audit verify|export`: checks the audit log's hash chain, or writes its rows out as JSONL or CSV.
import { csvCell, parseSince } from '../egress/blocked-report.ts';
import { AuditError } from '../gateway/audit/audit-error.ts';
import {
  AUDIT_COLUMNS,
  AUDIT_EXPORT_FORMATS,
  type AuditExportFormat,
  auditCells,
  auditJsonLine,
} from '../gateway/audit/audit-export.ts';
import { type AuditStore, auditDbPath, openAuditStore } from '../gateway/audit/audit-store.ts';
import { directoriesFrom, directoryOptions, parseCommandLine } from './options.ts';

// The CSV cell rule (formulas neutralised, RFC 4180 quoting) is the blocked report's: the command line may use
// egress code, the gateway may not, so the audit rows' cells are made in gateway/ and quoted here.

const USAGE = `usage: airlock audit verify [--data DIR]
       airlock audit export [--since D] [--until D] [--format jsonl|csv] [--data DIR]

  verify   recompute the hash chain; exit 0 when intact, 1 naming the first bad row
  export   every row (hashes included) in chain order, to stdout
  --since  from: 30m, 24h, 7d, or an ISO date (default: the first row)
  --until  up to, not including (same forms; default: now)
  --format jsonl (default) or csv
  --data   the data directory (default: $AIRLOCK_DATA, else ./data)
`;

export interface AuditIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
}

const processIo: AuditIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  now: () => Date.now(),
};

export type AuditCommand =
  | { readonly action: 'verify'; readonly dataDir: string }
  | {
      readonly action: 'export';
      readonly dataDir: string;
      readonly since: number | undefined;
      readonly until: number | undefined;
      readonly format: AuditExportFormat;
    };

/** Exit codes: 0 done (verify: chain intact), 1 the chain is broken or unreadable, 2 usage error or no database. */
export async function run(args: string[], io: AuditIo = processIo): Promise<number> {
  const parsed = parseAuditArgs(args, io.now(), io.env);
  if ('help' in parsed) {
    io.stdout(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    io.stderr(`airlock audit: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  let store: AuditStore;
  try {
    store = openAuditStore({ dataDir: parsed.dataDir }, { readonly: true });
  } catch (error) {
    if (!(error instanceof AuditError)) throw error;
    const hint =
      error.code === 'AUDIT_DB_MISSING'
        ? `no audit log: ${auditDbPath(parsed.dataDir)} does not exist.\n` +
          'The gateway creates it when it first runs; point --data (or AIRLOCK_DATA) at its data directory.\n'
        : `${error.message}\n`;
    io.stderr(`airlock audit: ${hint}`);
    return 2;
  }
  try {
    return parsed.action === 'verify' ? verify(store, io) : exportRows(store, parsed, io);
  } finally {
    store.close();
  }
}

function verify(store: AuditStore, io: AuditIo): number {
  const verdict = store.verify();
  if (verdict.ok) {
    // The head hash is worth writing down elsewhere: with it, even rows cut off the end are noticed.
    const head =
      verdict.headId === null ? '' : `; head row ${verdict.headId}, hash ${verdict.headHash}`;
    io.stdout(`${verdict.rows} rows, chain intact${head}\n`);
    return 0;
  }
  const where = verdict.firstBadId === null ? '' : ` (first bad row: ${verdict.firstBadId})`;
  io.stdout(
    `audit log NOT intact${where}: ${verdict.reason}; ${verdict.rows} rows checked before it\n`,
  );
  return 1;
}

/** Rows are written in chunks so an export of a large log never sits in memory whole. */
function exportRows(
  store: AuditStore,
  command: Extract<AuditCommand, { action: 'export' }>,
  io: AuditIo,
): number {
  const range = {
    ...(command.since === undefined ? {} : { since: command.since }),
    ...(command.until === undefined ? {} : { until: command.until }),
  };
  const line =
    command.format === 'csv'
      ? (row: Parameters<typeof auditCells>[0]) => `${auditCells(row).map(csvCell).join(',')}\r\n`
      : auditJsonLine;
  let chunk = command.format === 'csv' ? `${AUDIT_COLUMNS.map(csvCell).join(',')}\r\n` : '';
  for (const row of store.iterate(range)) {
    chunk += line(row);
    if (chunk.length >= 65_536) {
      io.stdout(chunk);
      chunk = '';
    }
  }
  if (chunk !== '') io.stdout(chunk);
  return 0;
}

/** Pure: arguments in, the command or a usage error out. */
export function parseAuditArgs(
  args: string[],
  now: number,
  env: NodeJS.ProcessEnv = {},
): AuditCommand | { readonly error: string } | { readonly help: true } {
  const parsed = parseCommandLine(
    args,
    {
      data: directoryOptions.data,
      since: { type: 'string' },
      until: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (!parsed.ok) return { error: parsed.error };
  const { values, positionals } = parsed.value;
  if (values.help) return { help: true };
  const [action, ...extra] = positionals;
  if (action !== 'verify' && action !== 'export') {
    return { error: action === undefined ? 'verify or export?' : `unknown action '${action}'` };
  }
  if (extra.length > 0) return { error: `unexpected argument '${extra[0]}'` };
  const { dataDir } = directoriesFrom({ data: values.data }, env);
  if (action === 'verify') {
    const extraOption = (['since', 'until', 'format'] as const).find(
      (o) => values[o] !== undefined,
    );
    if (extraOption) return { error: `--${extraOption} is for export, not verify` };
    return { action, dataDir };
  }
  const since = optionalTime('--since', values.since, now);
  if (typeof since === 'object') return since;
  const until = optionalTime('--until', values.until, now);
  if (typeof until === 'object') return until;
  const format = values.format ?? 'jsonl';
  if (!(AUDIT_EXPORT_FORMATS as readonly string[]).includes(format)) {
    return { error: `--format '${format}': use jsonl or csv` };
  }
  return { action, dataDir, since, until, format: format as AuditExportFormat };
}

function optionalTime(
  option: string,
  text: string | undefined,
  now: number,
): number | undefined | { error: string } {
  if (text === undefined) return undefined;
  const time = parseSince(text, now);
  return time === null ? { error: `${option} '${text}': use 30m, 24h, 7d or an ISO date` } : time;
}
