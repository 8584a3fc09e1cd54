// The audit store on a real SQLite file: appends chain, triggers refuse changes, and tampering behind its back is found.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anEntry, someEntries } from '../../test/fixtures/audit-entries.ts';
import { GENESIS_HASH } from './audit-chain.ts';
import { AuditError } from './audit-error.ts';
import { type AuditStore, auditDbPath, openAuditStore } from './audit-store.ts';

let dataDir: string;
let store: AuditStore | undefined;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'airlock-audit-'));
});
afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

function filled(count: number): AuditStore {
  store = openAuditStore({ dataDir });
  for (const entry of someEntries(count)) store.append(entry);
  return store;
}

/** A second connection, as someone with the file would open it; the store's own stays open. */
function behindTheBack(change: (db: Database.Database) => void): void {
  const db = new Database(auditDbPath(dataDir));
  try {
    change(db);
  } finally {
    db.close();
  }
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof AuditError ? error.code : `not an AuditError: ${String(error)}`;
  }
  return undefined;
}

describe('append', () => {
  it('numbers rows from 1 and links each to the previous hash', () => {
    const audit = filled(3);
    const rows = audit.query({ limit: 10 }).reverse();
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect(rows[2]!.prevHash).toBe(rows[1]!.hash);
  });

  it('returns exactly the row it stored', () => {
    store = openAuditStore({ dataDir });
    const row = store.append(anEntry({ detail: 'Tool x is not available', outcome: 'denied' }));
    expect(store.get(row.id)).toEqual(row);
  });

  it('stores what it hashed for text SQLite would otherwise change (lone surrogate, NUL)', () => {
    store = openAuditStore({ dataDir });
    store.append(anEntry({ target: 'bad\ud800name', detail: 'nul\u0000inside' }));
    expect(store.get(1)!.target).toBe('bad\ufffdname');
    expect(store.get(1)!.detail).toBe('nul\u0000inside');
    expect(store.verify()).toMatchObject({ ok: true, rows: 1 });
  });

  it.each([
    ['a fractional time', { time: 1.5 }],
    ['a NaN duration', { durationMs: Number.NaN }],
    ['a negative duration', { durationMs: -1 }],
    ['an unknown outcome', { outcome: 'maybe' as never }],
    ['an unknown kind', { kind: 'tools/list' as never }],
  ])('refuses %s with AUDIT_INVALID_ENTRY and writes nothing', (_, change) => {
    store = openAuditStore({ dataDir });
    expect(codeOf(() => store!.append(anEntry(change)))).toBe('AUDIT_INVALID_ENTRY');
    expect(store.count()).toBe(0);
  });

  it('continues the chain after the store is closed and opened again', () => {
    filled(2).close();
    store = openAuditStore({ dataDir });
    expect(store.append(anEntry()).id).toBe(3);
    expect(store.verify()).toMatchObject({ ok: true, rows: 3 });
  });

  it('keeps one chain when two stores append to the same file', () => {
    store = openAuditStore({ dataDir });
    const other = openAuditStore({ dataDir });
    try {
      for (let i = 0; i < 10; i += 1) (i % 2 === 0 ? store : other).append(anEntry());
    } finally {
      other.close();
    }
    expect(store.verify()).toMatchObject({ ok: true, rows: 10 });
  });

  it('refuses appends on a read-only store and after close', () => {
    filled(1).close();
    store = openAuditStore({ dataDir }, { readonly: true });
    expect(codeOf(() => store!.append(anEntry()))).toBe('AUDIT_READONLY');
    store.close();
    expect(codeOf(() => store!.append(anEntry()))).toBe('AUDIT_CLOSED');
    expect(codeOf(() => store!.query())).toBe('AUDIT_CLOSED');
  });

  it('says AUDIT_DB_MISSING when a reader opens a data directory without a log', () => {
    expect(codeOf(() => openAuditStore({ dataDir }, { readonly: true }))).toBe('AUDIT_DB_MISSING');
  });
});

describe('query', () => {
  it('filters by time, consumer, server and outcome, newest first, in pages', () => {
    store = openAuditStore({ dataDir });
    const t = Date.UTC(2026, 0, 1);
    store.append(anEntry({ time: t, consumer: 'eng-agent', server: 'github' }));
    store.append(
      anEntry({ time: t + 1, consumer: 'cs-agent', server: 'slack', outcome: 'denied' }),
    );
    store.append(anEntry({ time: t + 2, consumer: 'eng-agent', server: 'postgres' }));
    store.append(
      anEntry({ time: t + 3, consumer: 'eng-agent', server: 'github', outcome: 'error' }),
    );
    const ids = (query: Parameters<AuditStore['query']>[0]) => store!.query(query).map((r) => r.id);
    expect(ids({})).toEqual([4, 3, 2, 1]);
    expect(ids({ since: t + 1, until: t + 3 })).toEqual([3, 2]);
    expect(ids({ consumer: 'eng-agent' })).toEqual([4, 3, 1]);
    expect(ids({ server: 'github' })).toEqual([4, 1]);
    expect(ids({ outcome: 'denied' })).toEqual([2]);
    expect(ids({ consumer: 'eng-agent', limit: 2 })).toEqual([4, 3]);
    expect(ids({ consumer: 'eng-agent', limit: 2, beforeId: 3 })).toEqual([1]);
    expect(ids({ limit: Number.NaN })).toEqual([4, 3, 2, 1]);
  });

  it('iterates a time range oldest first', () => {
    const audit = filled(5);
    const start = Date.UTC(2026, 10, 21, 7, 0, 0);
    expect(
      [...audit.iterate({ since: start + 1000, until: start + 4000 })].map((r) => r.id),
    ).toEqual([2, 3, 4]);
  });
});

describe('append-only triggers', () => {
  it('refuse UPDATE and DELETE from any connection', () => {
    filled(3);
    behindTheBack((db) => {
      expect(() => db.prepare("UPDATE audit_log SET outcome = 'ok' WHERE id = 2").run()).toThrow(
        /append-only: UPDATE refused/,
      );
      expect(() => db.prepare('DELETE FROM audit_log WHERE id = 2').run()).toThrow(
        /append-only: DELETE refused/,
      );
    });
    expect(store!.verify()).toMatchObject({ ok: true, rows: 3 });
  });
});

describe('verify finds tampering behind the store', () => {
  it('an UPDATE of one row’s arguments after dropping the trigger', () => {
    const audit = filled(20);
    behindTheBack((db) => {
      db.exec('DROP TRIGGER audit_log_no_update');
      db.prepare(`UPDATE audit_log SET arguments = '{"marker":"innocent"}' WHERE id = 17`).run();
    });
    expect(audit.verify()).toEqual({
      ok: false,
      firstBadId: 17,
      reason: 'hash mismatch at row 17',
      rows: 16,
    });
  });

  it('a row deleted from the middle', () => {
    const audit = filled(20);
    behindTheBack((db) => {
      db.exec('DROP TRIGGER audit_log_no_delete');
      db.prepare('DELETE FROM audit_log WHERE id = 17').run();
    });
    expect(audit.verify()).toEqual({
      ok: false,
      firstBadId: 18,
      reason: 'chain broken between 16 and 18',
      rows: 16,
    });
  });

  it('rows cut off the end, and keeps reporting the gap after new appends', () => {
    const audit = filled(20);
    behindTheBack((db) => {
      db.exec('DROP TRIGGER audit_log_no_delete');
      db.prepare('DELETE FROM audit_log WHERE id > 18').run();
    });
    expect(audit.verify()).toEqual({
      ok: false,
      firstBadId: 19,
      reason: 'rows missing after row 18: rows up to 20 were written',
      rows: 18,
    });
    audit.append(anEntry());
    expect(audit.verify()).toMatchObject({
      firstBadId: 21,
      reason: 'chain broken between 18 and 21',
    });
  });

  it('a dropped trigger even when every row is intact', () => {
    const audit = filled(3);
    behindTheBack((db) => db.exec('DROP TRIGGER audit_log_no_update'));
    expect(audit.verify()).toEqual({
      ok: false,
      firstBadId: null,
      reason: 'the append-only trigger audit_log_no_update is gone: the table can be changed',
      rows: 3,
    });
  });

  it('a trigger replaced by one that lets changes through', () => {
    const audit = filled(3);
    behindTheBack((db) => {
      db.exec('DROP TRIGGER audit_log_no_delete');
      db.exec('CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT 1; END');
    });
    expect(audit.verify()).toMatchObject({ ok: false, firstBadId: null });
  });

  it('bytes of the database file edited directly', () => {
    filled(20).close();
    store = undefined;
    const path = auditDbPath(dataDir);
    const bytes = readFileSync(path);
    const marker = Buffer.from('MARKER-0017-AAAA');
    const at = bytes.indexOf(marker);
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf(marker, at + 1)).toBe(-1);
    bytes[at + marker.length - 1] = 'B'.charCodeAt(0);
    writeFileSync(path, bytes);
    store = openAuditStore({ dataDir }, { readonly: true });
    expect(store.verify()).toEqual({
      ok: false,
      firstBadId: 17,
      reason: 'hash mismatch at row 17',
      rows: 16,
    });
    expect(store.get(17)!.arguments).toBe('{"marker":"MARKER-0017-AAAB"}');
  });

  it('reports an intact chain with its head', () => {
    const audit = filled(4);
    const head = audit.query({ limit: 1 })[0]!;
    expect(audit.verify()).toEqual({ ok: true, rows: 4, headId: 4, headHash: head.hash });
  });
});
