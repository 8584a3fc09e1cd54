// The telemetry store: records queued in memory and written to SQLite (WAL) in batches, plus the queries over it.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { EgressRecord } from './egress-record.ts';
import { foldBatch, type QueuedRecord } from './telemetry-batch.ts';
import { TelemetryError } from './telemetry-error.ts';
import { createTelemetryQueries, type TelemetryQueries } from './telemetry-queries.ts';
import { migrate, schemaVersion, TELEMETRY_SCHEMA_VERSION } from './telemetry-schema.ts';
import { createTelemetryWriter } from './telemetry-writer.ts';

export type {
  BlockedQuery,
  EndpointRow,
  EndpointsQuery,
  ProviderRow,
  RecordsQuery,
  RollupRow,
  RollupsQuery,
  StoredRecord,
} from './telemetry-queries.ts';

export const TELEMETRY_DB_FILE = 'telemetry.db';
const MAX_RETRY_DELAY_MS = 10_000;

/** Where the store of a data directory lives: `<data>/telemetry.db`. */
export function telemetryDbPath(dataDir: string): string {
  return join(dataDir, TELEMETRY_DB_FILE);
}

export interface TelemetryStoreOptions {
  /** Open an existing database to read it (reports, the dashboard); append then throws. */
  readonly readonly?: boolean;
  /** A batch is written at most this long after its first record (default 100 ms). */
  readonly flushIntervalMs?: number;
  /** A batch this large is written at once, on the next turn of the event loop (default 500). */
  readonly flushBatchSize?: number;
  /** Records arriving while this many wait (the disk is failing) are dropped and counted (default 100,000). */
  readonly maxPending?: number;
  /** A batch that could not be written; it stays queued and is retried by itself, waiting longer each time (to 10 s). */
  readonly onError?: (error: TelemetryError) => void;
}

export interface AppendResult {
  /** This server had never been seen talking to this provider before. */
  readonly newProvider: boolean;
}

export interface TelemetryStore extends TelemetryQueries {
  readonly path: string;
  /** Queues a record: O(1), no I/O. */
  append(record: EgressRecord): AppendResult;
  /** Writes everything queued, in one transaction. */
  flush(): void;
  /** Flushes, then closes the connection. Safe to call twice. */
  close(): void;
  /** Records queued and not yet written. */
  readonly pending: number;
  /** Records dropped because the queue was full. */
  readonly dropped: number;
}

/** Opens (creating when writable) `<dataDir>/telemetry.db`, or the database at `path`. */
export function openTelemetryStore(
  where: { readonly dataDir: string } | { readonly path: string },
  options: TelemetryStoreOptions = {},
): TelemetryStore {
  const path = 'path' in where ? where.path : telemetryDbPath(where.dataDir);
  const db = openDatabase(path, options.readonly === true);
  const queries = createTelemetryQueries(db);
  if (options.readonly) return readOnlyStore(path, db, queries);

  const writer = createTelemetryWriter(db);
  const flushIntervalMs = options.flushIntervalMs ?? 100;
  const flushBatchSize = options.flushBatchSize ?? 500;
  const maxPending = options.maxPending ?? 100_000;
  // Known (server, provider) pairs, so append can say "new" without touching the disk.
  const known = new Set(queries.providers().map((row) => `${row.server}\0${row.provider}`));
  let queue: QueuedRecord[] = [];
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let closed = false;
  // After a failed write, timer-driven retries wait longer each time (a failing disk must not eat the CPU).
  let retryDelayMs = 0;
  let retryAt = 0;

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
    if (queue.length === 0 || closed) return;
    const batch = queue;
    queue = [];
    try {
      writer.write(batch, foldBatch(batch));
      retryDelayMs = 0;
    } catch (cause) {
      queue = batch.concat(queue);
      trimQueue();
      retryDelayMs = Math.min(Math.max(retryDelayMs * 2, flushIntervalMs), MAX_RETRY_DELAY_MS);
      retryAt = Date.now() + retryDelayMs;
      timer = setTimeout(flushQuietly, retryDelayMs).unref();
      const error = new TelemetryError('TELEMETRY_WRITE_FAILED', `${path}: ${String(cause)}`, {
        cause,
      });
      if (options.onError) options.onError(error);
      else throw error;
    }
  };

  // After a failed write the retried batch goes first; what does not fit is dropped, newest first.
  const trimQueue = (): void => {
    const excess = queue.length - maxPending;
    if (excess <= 0) return;
    queue.length = maxPending;
    dropped += excess;
  };

  return {
    path,
    ...queries,
    append(record) {
      if (closed) throw new TelemetryError('TELEMETRY_CLOSED', `${path}: the store is closed`);
      const key = `${record.server}\0${record.provider}`;
      const newProvider = record.provider !== '' && !known.has(key);
      if (queue.length >= maxPending) {
        dropped += 1;
        return { newProvider };
      }
      if (newProvider) known.add(key);
      queue.push({ record, newProvider });
      if (queue.length >= flushBatchSize) {
        immediate ??= setImmediate(flushQuietly);
      } else {
        timer ??= setTimeout(flushQuietly, flushIntervalMs).unref();
      }
      return { newProvider };
    },
    flush,
    close() {
      if (closed) return;
      try {
        flush();
      } finally {
        closed = true;
        clearTimeout(timer);
        clearImmediate(immediate);
        db.close();
      }
    },
    get pending() {
      return queue.length;
    },
    get dropped() {
      return dropped;
    },
  };

  // Timer-driven flushes have nobody to throw to: the error goes to onError, or is kept for the next flush.
  function flushQuietly(): void {
    clearTimeout(timer);
    clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
    if (Date.now() < retryAt) {
      timer ??= setTimeout(flushQuietly, retryAt - Date.now()).unref();
      return;
    }
    try {
      flush();
    } catch {
      // Without onError the batch stays queued and the next explicit flush() reports the failure.
    }
  }
}

function openDatabase(path: string, readonly: boolean): Database.Database {
  if (readonly && !existsSync(path)) {
    throw new TelemetryError('TELEMETRY_DB_MISSING', `${path} does not exist yet`);
  }
  if (!readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (cause) {
    throw new TelemetryError('TELEMETRY_OPEN_FAILED', `${path}: ${String(cause)}`, { cause });
  }
  try {
    // A reader from another process must never wait on the writer, nor the writer on it for long.
    db.pragma('busy_timeout = 1000');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db);
    }
    const version = schemaVersion(db);
    if (version !== TELEMETRY_SCHEMA_VERSION) {
      throw new TelemetryError(
        'TELEMETRY_SCHEMA_UNSUPPORTED',
        `${path}: schema version ${version}, this Airlock reads version ${TELEMETRY_SCHEMA_VERSION}`,
      );
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function readOnlyStore(
  path: string,
  db: Database.Database,
  queries: TelemetryQueries,
): TelemetryStore {
  let closed = false;
  return {
    path,
    ...queries,
    append() {
      throw new TelemetryError('TELEMETRY_READONLY', `${path}: opened read-only`);
    },
    flush() {},
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
    pending: 0,
    dropped: 0,
  };
}
