// The audit database's schema: one append-only table, guarded by triggers, versioned with `PRAGMA user_version`.
import type Database from 'better-sqlite3';

export const AUDIT_SCHEMA_VERSION = 1;

export const AUDIT_TABLE = 'audit_log';

/** The triggers that make the table append-only; verify() reports one that has gone missing. */
export const APPEND_ONLY_TRIGGERS = ['audit_log_no_update', 'audit_log_no_delete'] as const;

const KINDS = "'tools/call', 'prompts/get', 'resources/read'";
const OUTCOMES = "'ok', 'tool-error', 'error', 'denied', 'cancelled'";

// AUTOINCREMENT: ids are never reused, and sqlite_sequence remembers the highest one ever written,
// which lets verify() notice rows cut off the end of the chain.
const SCHEMA_V1 = `
CREATE TABLE ${AUDIT_TABLE} (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  consumer TEXT NOT NULL,
  client_name TEXT,
  session_id TEXT,
  server TEXT,
  kind TEXT NOT NULL CHECK (kind IN (${KINDS})),
  target TEXT NOT NULL,
  exposed_name TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN (${OUTCOMES})),
  detail TEXT,
  duration_ms REAL NOT NULL,
  arguments TEXT,
  call_id TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX ${AUDIT_TABLE}_time ON ${AUDIT_TABLE} (time);

CREATE TRIGGER ${APPEND_ONLY_TRIGGERS[0]} BEFORE UPDATE ON ${AUDIT_TABLE}
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END;
CREATE TRIGGER ${APPEND_ONLY_TRIGGERS[1]} BEFORE DELETE ON ${AUDIT_TABLE}
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END;
`;

/** The schema version a database file says it has (0: empty, nothing created yet). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Creates the schema in one transaction when the file is new; returns the version found before. */
export function migrate(db: Database.Database): number {
  const found = schemaVersion(db);
  if (found === 0) {
    db.transaction(() => {
      db.exec(SCHEMA_V1);
      db.pragma(`user_version = ${AUDIT_SCHEMA_VERSION}`);
    })();
  }
  return found;
}

/** The append-only triggers that are gone from the file, or no longer refuse (someone dropped or replaced them). */
export function missingTriggers(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?")
    .all(AUDIT_TABLE) as { name: string; sql: string | null }[];
  const refusing = new Set(
    rows.filter((row) => row.sql?.includes('RAISE(ABORT') === true).map((row) => row.name),
  );
  return APPEND_ONLY_TRIGGERS.filter((name) => !refusing.has(name));
}

/** The highest id the table has ever handed out (sqlite_sequence), or 0. */
export function highestIdEverWritten(db: Database.Database): number {
  return (highestIdStatement(db).get(AUDIT_TABLE) as number | undefined) ?? 0;
}

/** The statement behind highestIdEverWritten, to prepare once where it runs per append (bind AUDIT_TABLE). */
export function highestIdStatement(db: Database.Database): Database.Statement {
  return db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck();
}
