// `airlock report blocked`: prints the calls the egress denied (or would have, in report mode) from the telemetry store.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  formatReport,
  parseSince,
  queryBlocked,
  REPORT_FORMATS,
  type ReportFormat,
} from '../egress/blocked-report.ts';
import { TelemetryError } from '../egress/telemetry-error.ts';
import { openTelemetryStore, telemetryDbPath } from '../egress/telemetry-store.ts';

const USAGE = `usage: airlock report blocked [--since 24h] [--server S] [--format table|json|csv] [--data DIR] [--limit N]

  --since   how far back: 30m, 24h, 7d, or an ISO date (default 24h)
  --server  only this server
  --format  table (default), json or csv
  --data    the data directory (default: $AIRLOCK_DATA, else ./data)
  --limit   at most this many records, newest first (default 1000)
`;

export interface ReportIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
}

const processIo: ReportIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  now: () => Date.now(),
};

/** Exit codes: 0 done (also when nothing was blocked), 1 no readable store, 2 usage error. */
export async function run(args: string[], io: ReportIo = processIo): Promise<number> {
  const parsed = parseReportArgs(args, io.now());
  if ('help' in parsed) {
    io.stdout(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    io.stderr(`airlock report: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  const dataDir = resolve(parsed.data ?? io.env.AIRLOCK_DATA ?? './data');
  let store: ReturnType<typeof openTelemetryStore>;
  try {
    store = openTelemetryStore({ dataDir }, { readonly: true });
  } catch (error) {
    if (error instanceof TelemetryError && error.code === 'TELEMETRY_DB_MISSING') {
      io.stderr(
        `airlock report: no telemetry yet: ${telemetryDbPath(dataDir)} does not exist.\n` +
          'The egress creates it when it first runs; point --data (or AIRLOCK_DATA) at its data directory.\n',
      );
      return 1;
    }
    if (error instanceof TelemetryError) {
      io.stderr(`airlock report: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  try {
    const { since, server, limit, format } = parsed;
    const records = queryBlocked(store, {
      since,
      limit,
      ...(server === undefined ? {} : { server }),
    });
    if (format === 'table' && records.length === 0) {
      const scope = server === undefined ? '' : ` for server ${server}`;
      io.stdout(`no blocked calls${scope} since ${new Date(since).toISOString()}\n`);
    } else {
      io.stdout(formatReport(records, format));
    }
    if (format === 'table' && records.length === limit) {
      io.stderr(`(showing the newest ${limit}; use --limit for more)\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}

interface ReportArgs {
  readonly since: number;
  readonly server: string | undefined;
  readonly format: ReportFormat;
  readonly data: string | undefined;
  readonly limit: number;
}

/** Pure: arguments in, the report's query or a usage error out. */
export function parseReportArgs(
  args: string[],
  now: number,
): ReportArgs | { readonly error: string } | { readonly help: true } {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        since: { type: 'string' },
        server: { type: 'string' },
        format: { type: 'string' },
        data: { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (values.help) return { help: true };
  const [report, ...extra] = positionals;
  if (report !== 'blocked') {
    return {
      error: report === undefined ? 'which report? (blocked)' : `unknown report '${report}'`,
    };
  }
  if (extra.length > 0) return { error: `unexpected argument '${extra[0]}'` };

  const sinceText = typeof values.since === 'string' ? values.since : '24h';
  const since = parseSince(sinceText, now);
  if (since === null) return { error: `--since '${sinceText}': use 30m, 24h, 7d or an ISO date` };
  const format = typeof values.format === 'string' ? values.format : 'table';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    return { error: `--format '${format}': use table, json or csv` };
  }
  const limitText = typeof values.limit === 'string' ? values.limit : '1000';
  if (!/^[1-9]\d{0,6}$/.test(limitText))
    return { error: `--limit '${limitText}': a whole number from 1` };
  return {
    since,
    server: typeof values.server === 'string' ? values.server : undefined,
    format: format as ReportFormat,
    data: typeof values.data === 'string' ? values.data : undefined,
    limit: Number(limitText),
  };
}
