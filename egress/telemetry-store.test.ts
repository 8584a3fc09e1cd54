// The telemetry store: batches written in one go, rollups/endpoints/first-seen equal to what was appended, WAL readers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { aDeny, aRecord, T0 } from '../test/fixtures/egress-records.ts';
import { TelemetryError } from './telemetry-error.ts';
import { openTelemetryStore, type TelemetryStore, telemetryDbPath } from './telemetry-store.ts';

let dataDir: string;
let store: TelemetryStore | undefined;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'airlock-telemetry-'));
});
afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

/** A second connection, as the dashboard or `airlock report` would hold. */
function countRecords(): number {
  const db = new Database(telemetryDbPath(dataDir), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function open(options = {}): TelemetryStore {
  store = openTelemetryStore({ dataDir }, { flushIntervalMs: 60_000, ...options });
  return store;
}

describe('openTelemetryStore', () => {
  it('creates <data>/telemetry.db in WAL mode at the current schema version', () => {
    open();
    const db = new Database(telemetryDbPath(dataDir), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a database written by another schema version', () => {
    open().close();
    const db = new Database(telemetryDbPath(dataDir));
    db.pragma('user_version = 99');
    db.close();
    expect(() => open()).toThrowError(
      expect.objectContaining({ code: 'TELEMETRY_SCHEMA_UNSUPPORTED' }) as Error,
    );
  });

  it('will not create a database when opened to read', () => {
    const error = catchError(() => openTelemetryStore({ dataDir }, { readonly: true }));
    expect(error).toBeInstanceOf(TelemetryError);
    expect((error as TelemetryError).code).toBe('TELEMETRY_DB_MISSING');
  });

  it('refuses to append through a read-only store', () => {
    open();
    const reader = openTelemetryStore({ dataDir }, { readonly: true });
    expect(() => reader.append(aRecord())).toThrowError(
      expect.objectContaining({ code: 'TELEMETRY_READONLY' }) as Error,
    );
    reader.close();
  });
});

describe('batching', () => {
  it('writes nothing on append, everything on flush', () => {
    const writer = open();
    for (let i = 0; i < 200; i++) writer.append(aRecord({ time: T0 + i }));
    expect(writer.pending).toBe(200);
    expect(countRecords()).toBe(0);
    writer.flush();
    expect(writer.pending).toBe(0);
    expect(countRecords()).toBe(200);
  });

  it('flushes by itself shortly after the first record', async () => {
    const writer = open({ flushIntervalMs: 20 });
    writer.append(aRecord());
    expect(countRecords()).toBe(0);
    await vi.waitFor(() => expect(countRecords()).toBe(1), { timeout: 2000, interval: 10 });
  });

  it('flushes a full batch on the next turn of the event loop', async () => {
    const writer = open({ flushBatchSize: 50 });
    for (let i = 0; i < 50; i++) writer.append(aRecord({ time: T0 + i }));
    expect(countRecords()).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(countRecords()).toBe(50);
  });

  it('writes what is queued when closed', () => {
    const writer = open();
    writer.append(aRecord());
    writer.append(aDeny());
    writer.close();
    expect(countRecords()).toBe(2);
  });

  it('drops and counts records past the queue limit', () => {
    const writer = open({ maxPending: 3 });
    for (let i = 0; i < 5; i++) writer.append(aRecord({ time: T0 + i }));
    expect(writer.pending).toBe(3);
    expect(writer.dropped).toBe(2);
    writer.flush();
    expect(writer.records().map((r) => r.time)).toEqual([T0 + 2, T0 + 1, T0]);
  });

  it('keeps a batch that failed to write and reports it once', () => {
    const errors: TelemetryError[] = [];
    const writer = open({ onError: (error: TelemetryError) => errors.push(error) });
    writer.append(aRecord());
    const saboteur = new Database(telemetryDbPath(dataDir));
    saboteur.exec('ALTER TABLE records RENAME TO records_gone');
    writer.flush();
    expect(errors.map((e) => e.code)).toEqual(['TELEMETRY_WRITE_FAILED']);
    expect(writer.pending).toBe(1);
    saboteur.exec('ALTER TABLE records_gone RENAME TO records');
    saboteur.close();
    writer.flush();
    expect(writer.pending).toBe(0);
    expect(countRecords()).toBe(1);
  });
  it('retries a failed batch by itself, waiting longer each time', async () => {
    const errors: TelemetryError[] = [];
    const writer = open({
      flushIntervalMs: 20,
      onError: (error: TelemetryError) => errors.push(error),
    });
    const saboteur = new Database(telemetryDbPath(dataDir));
    saboteur.exec('ALTER TABLE records RENAME TO records_gone');
    writer.append(aRecord());
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(2), {
      timeout: 2000,
      interval: 10,
    });
    saboteur.exec('ALTER TABLE records_gone RENAME TO records');
    saboteur.close();
    await vi.waitFor(() => expect(countRecords()).toBe(1), { timeout: 3000, interval: 20 });
    expect(writer.pending).toBe(0);
    // 20 ms, 40 ms, 80 ms …: a handful of attempts, not one per tick.
    expect(errors.length).toBeLessThan(8);
  });
});

describe('queries', () => {
  it('lists denied and would-deny records since a time, by server, newest first, limited', () => {
    const writer = open();
    writer.append(aDeny({ time: T0 - 10 }));
    writer.append(aDeny({ time: T0 + 1 }));
    writer.append(aDeny({ time: T0 + 2, server: 'other' }));
    writer.append(aRecord({ time: T0 + 3, decision: 'report' }));
    writer.append(aRecord({ time: T0 + 4 }));
    writer.flush();
    const times = (records: { time: number }[]) => records.map((r) => r.time - T0);
    expect(times(writer.blocked({ since: T0 }))).toEqual([3, 2, 1]);
    expect(times(writer.blocked({ since: T0, includeReport: false }))).toEqual([2, 1]);
    expect(times(writer.blocked({ since: T0, server: 'slack-bot' }))).toEqual([3, 1]);
    expect(times(writer.blocked({ since: T0 - 60_000, limit: 2 }))).toEqual([3, 2]);
  });

  it('filters records by server, provider, host, decision and time', () => {
    const writer = open();
    writer.append(aRecord({ time: T0 }));
    writer.append(aDeny({ time: T0 + 1 }));
    writer.append(aRecord({ time: T0 + 2, server: 'other' }));
    writer.flush();
    expect(writer.records({ decision: 'deny' }).map((r) => r.host)).toEqual(['api.badactor.com']);
    expect(writer.records({ provider: 'slack.com' })).toHaveLength(2);
    expect(writer.records({ server: 'other', host: 'api.slack.com' })).toHaveLength(1);
    expect(writer.records({ since: T0 + 1, until: T0 + 2 }).map((r) => r.time)).toEqual([T0 + 1]);
    expect(writer.records({ limit: 1 }).map((r) => r.time)).toEqual([T0 + 2]);
  });

  it('lets a second connection read while the writer keeps writing', () => {
    const writer = open();
    const reader = openTelemetryStore({ dataDir }, { readonly: true });
    try {
      writer.append(aDeny());
      expect(reader.blocked({ since: 0 })).toHaveLength(0);
      writer.flush();
      expect(reader.blocked({ since: 0 })).toHaveLength(1);
      writer.append(aDeny({ time: T0 + 1 }));
      writer.flush();
      expect(reader.rollups()[0]).toMatchObject({ requests: 2, blocked: 2 });
    } finally {
      reader.close();
    }
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
