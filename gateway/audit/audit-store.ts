// The audit store: `<data>/audit.db` (SQLite, WAL), one hash-chained append-only table, written before the call is answered.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { createChainChecker, GENESIS_HASH, rowHash } from './audit-chain.ts';
import { AuditError } from './audit-error.ts';
import { type AuditQueries, createAuditQueries } from './audit-queries.ts';
import type { AuditEntry, AuditKind, AuditOutcome, AuditRow } from './audit-record.ts';
import {
  AUDIT_SCHEMA_VERSION,
  AUDIT_TABLE,
  highestIdEverWritten,
  highestIdStatement,
  migrate,
  missingTriggers,
  schemaVersion,
} from './audit-schema.ts';
import { startWalCheckpointer } from './wal-checkpointer.ts';

export type { AuditQuery, AuditRange } from './audit-queries.ts';

export const AUDIT_DB_FILE = 'audit.db';

/** Where the audit log of a data directory lives: `<data>/audit.db`. */
export function auditDbPath(dataDir: string): string {
  return join(dataDir, AUDIT_DB_FILE);
}

export type AuditVerdict =
  | {
      readonly ok: true;
      readonly rows: number;
      readonly headId: number | null;
      readonly headHash: string;
    }
  | {
      readonly ok: false;
      /** The first row that fails; null when the fault is not in one row (a dropped trigger, a damaged file). */
      readonly firstBadId: number | null;
      readonly reason: string;
      /** Rows found intact before the fault. */
      readonly rows: number;
    };

export interface AuditStore extends AuditQueries {
  readonly path: string;
  /**
   * Writes the entry in its own transaction and returns it with its id and hashes. When this returns the
   * row is in the WAL file: a `kill -9` of this process cannot lose it (see openDatabase on `synchronous`).
   */
  append(entry: AuditEntry): AuditRow;
  /** Recomputes the whole chain and checks the table is still append-only. Reads every row: O(rows). */
  verify(): AuditVerdict;
  /** Safe to call twice. */
  close(): void;
}

export interface AuditStoreOptions {
  /** Open an existing database to read and verify it (the CLI, the dashboard); append then throws. */
  readonly readonly?: boolean;
  /**
   * `normal` (default): a returned append survives the process being killed. `full`: it also survives a
   * power cut or kernel crash, for an fsync per append (see test/bench/audit-append-bench.ts for both costs).
   */
  readonly synchronous?: 'normal' | 'full';
}

interface ChainHead {
  readonly id: number;
  readonly hash: string;
  /** `PRAGMA data_version` when the head was read or written by this connection. */
  readonly version: number;
}

const KINDS: ReadonlySet<AuditKind> = new Set(['tools/call', 'prompts/get', 'resources/read']);
const OUTCOMES: ReadonlySet<AuditOutcome> = new Set([
  'ok',
  'tool-error',
  'error',
  'denied',
  'cancelled',
]);

/** Opens (creating when writable) `<dataDir>/audit.db`, or the database at `path`. */
export function openAuditStore(
  where: { readonly dataDir: string } | { readonly path: string },
  options: AuditStoreOptions = {},
): AuditStore {
  const path = 'path' in where ? where.path : auditDbPath(where.dataDir);
  const readonly = options.readonly === true;
  const db = openDatabase(path, readonly, options.synchronous ?? 'normal');
  const queries = createAuditQueries(db);
  const last = db.prepare(`SELECT id, hash FROM ${AUDIT_TABLE} ORDER BY id DESC LIMIT 1`);
  const highest = highestIdStatement(db);
  // Changes exactly when another connection commits: the cached head is stale only then.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const insert = readonly
    ? undefined
    : db.prepare(
        `INSERT INTO ${AUDIT_TABLE} (id, time, consumer, client_name, session_id, server, kind, target,
           exposed_name, outcome, detail, duration_ms, arguments, call_id, prev_hash, hash)
         VALUES (@id, @time, @consumer, @clientName, @sessionId, @server, @kind, @target,
           @exposedName, @outcome, @detail, @durationMs, @arguments, @callId, @prevHash, @hash)`,
      );
  /** The chain head as of `version`; kept after each append so the hot path skips two SELECTs. */
  let head: ChainHead | undefined;
  const readHead = (version: number): ChainHead => {
    const lastRow = last.get() as { id: number; hash: string } | undefined;
    // After the highest id ever written, not after the last row left: rows cut off the end leave a gap
    // that verify() keeps reporting.
    const id = Math.max(lastRow?.id ?? 0, (highest.get(AUDIT_TABLE) as number | undefined) ?? 0);
    return { id, hash: lastRow?.hash ?? GENESIS_HASH, version };
  };
  // IMMEDIATE: the head is checked and the row written under one write lock, so two writers cannot fork
  // the chain; another writer's commit moves data_version, and then the head is read again.
  const appendRow = db
    .transaction((entry: AuditEntry): { row: AuditRow; head: ChainHead } => {
      const version = dataVersion.get() as number;
      const current = head !== undefined && head.version === version ? head : readHead(version);
      const id = current.id + 1;
      const row: AuditRow = {
        ...entry,
        id,
        prevHash: current.hash,
        hash: rowHash(id, entry, current.hash),
      };
      insert!.run(row);
      return { row, head: { id, hash: row.hash, version } };
    })
    .immediate.bind(null);
  let closed = false;
  const checkpointer = readonly
    ? undefined
    : startWalCheckpointer(path, {
        onLost: () => {
          // Back to SQLite's own checkpoints (in the commit that crosses 1,000 pages) rather than none.
          if (!closed) db.pragma('wal_autocheckpoint = 1000');
        },
      });

  const open = (): void => {
    if (closed) throw new AuditError('AUDIT_CLOSED', `${path}: the audit store is closed`);
  };
  const whileOpen = <T>(read: () => T): T => {
    open();
    return read();
  };

  return {
    path,
    query: (query) => whileOpen(() => queries.query(query)),
    get: (id) => whileOpen(() => queries.get(id)),
    iterate: (range) => whileOpen(() => queries.iterate(range)),
    iterateAll: () => whileOpen(() => queries.iterateAll()),
    count: () => whileOpen(() => queries.count()),
    append(entry) {
      open();
      if (readonly) throw new AuditError('AUDIT_READONLY', `${path}: opened read-only`);
      const normal = normaliseEntry(entry);
      try {
        // The cached head moves only once the transaction has committed.
        const written = appendRow(normal);
        head = written.head;
        return written.row;
      } catch (cause) {
        head = undefined;
        throw new AuditError('AUDIT_WRITE_FAILED', `${path}: ${String(cause)}`, { cause });
      }
    },
    verify() {
      open();
      return verifyDatabase(db, queries);
    },
    close() {
      if (closed) return;
      closed = true;
      checkpointer?.stop();
      db.close();
    },
  };
}

function verifyDatabase(db: Database.Database, queries: AuditQueries): AuditVerdict {
  const checker = createChainChecker();
  try {
    for (const row of queries.iterateAll()) {
      const fault = checker.check(row);
      if (fault) return { ok: false, ...fault, rows: checker.rows };
    }
    const highest = highestIdEverWritten(db);
    const lastId = checker.headId ?? 0;
    if (highest > lastId) {
      const reason =
        checker.headId === null
          ? `rows missing: the log is empty but rows up to ${highest} were written`
          : `rows missing after row ${lastId}: rows up to ${highest} were written`;
      return { ok: false, firstBadId: lastId + 1, reason, rows: checker.rows };
    }
    const missing = missingTriggers(db);
    if (missing.length > 0) {
      const reason = `the append-only trigger${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} gone: the table can be changed`;
      return { ok: false, firstBadId: null, reason, rows: checker.rows };
    }
  } catch (cause) {
    // A file edited by hand can be damaged beyond reading: that is a failed verification, not a crash.
    return {
      ok: false,
      firstBadId: null,
      reason: `the database cannot be read: ${String(cause)}`,
      rows: checker.rows,
    };
  }
  return { ok: true, rows: checker.rows, headId: checker.headId, headHash: checker.headHash };
}

/**
 * What is hashed must be exactly what SQLite gives back: strings made well-formed (a lone surrogate would
 * come back as U+FFFD), and numbers finite (NaN would come back as NULL).
 */
function normaliseEntry(entry: AuditEntry): AuditEntry {
  if (!Number.isSafeInteger(entry.time)) invalid('time', 'is not a whole number of ms');
  if (!Number.isFinite(entry.durationMs) || entry.durationMs < 0)
    invalid('durationMs', 'is not a finite number ≥ 0');
  if (!KINDS.has(entry.kind)) invalid('kind', `'${String(entry.kind)}' is not an audited kind`);
  if (!OUTCOMES.has(entry.outcome))
    invalid('outcome', `'${String(entry.outcome)}' is not an outcome`);
  const text = (value: string): string => value.toWellFormed();
  const maybe = (value: string | null): string | null =>
    value === null ? null : value.toWellFormed();
  return {
    time: entry.time,
    consumer: text(entry.consumer),
    clientName: maybe(entry.clientName ?? null),
    sessionId: maybe(entry.sessionId ?? null),
    server: maybe(entry.server ?? null),
    kind: entry.kind,
    target: text(entry.target),
    exposedName: text(entry.exposedName),
    outcome: entry.outcome,
    detail: maybe(entry.detail ?? null),
    durationMs: entry.durationMs,
    arguments: maybe(entry.arguments ?? null),
    callId: text(entry.callId),
  };
}

function invalid(field: string, problem: string): never {
  throw new AuditError('AUDIT_INVALID_ENTRY', `audit entry: ${field} ${problem}`);
}

function openDatabase(
  path: string,
  readonly: boolean,
  synchronous: 'normal' | 'full',
): Database.Database {
  if (readonly && !existsSync(path)) {
    throw new AuditError('AUDIT_DB_MISSING', `${path} does not exist yet`);
  }
  if (!readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (cause) {
    throw new AuditError('AUDIT_OPEN_FAILED', `${path}: ${String(cause)}`, { cause });
  }
  try {
    db.pragma('busy_timeout = 1000');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit is a write() of the frames into the WAL file, which the kernel holds
      // from then on; killing the process (even kill -9) cannot lose it, only a power cut or kernel crash
      // before the next checkpoint's fsync can. FULL would fsync every commit, for power loss.
      db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      // Checkpoints (and their fsync) run on the checkpointer's worker, never inside an append's commit.
      db.pragma('wal_autocheckpoint = 0');
      migrate(db);
    }
    const version = schemaVersion(db);
    if (version !== AUDIT_SCHEMA_VERSION) {
      throw new AuditError(
        'AUDIT_SCHEMA_UNSUPPORTED',
        `${path}: schema version ${version}, this Airlock reads version ${AUDIT_SCHEMA_VERSION}`,
      );
    }
  } catch (error) {
    db.close();
    if (error instanceof AuditError) throw error;
    throw new AuditError('AUDIT_OPEN_FAILED', `${path}: ${String(error)}`, { cause: error });
  }
  return db;
}
