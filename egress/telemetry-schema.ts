// The telemetry database's schema, versioned with `PRAGMA user_version` so later issues can migrate it.
import type Database from 'better-sqlite3';

export const TELEMETRY_SCHEMA_VERSION = 1;

/** The partial index's condition, written the same way in the queries so SQLite can use the index. */
export const BLOCKED_DECISIONS = "decision IN ('deny', 'report')";

const SCHEMA_V1 = `
CREATE TABLE records (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  server TEXT NOT NULL,
  method TEXT NOT NULL,
  scheme TEXT NOT NULL,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  path TEXT,
  provider TEXT NOT NULL,
  decision TEXT NOT NULL,
  flow TEXT,
  processor TEXT,
  reason TEXT NOT NULL,
  status INTEGER,
  duration_ms REAL NOT NULL,
  bytes_up INTEGER NOT NULL,
  bytes_down INTEGER NOT NULL,
  error TEXT,
  dialed TEXT,
  tool_call TEXT,
  new_provider INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX records_time ON records (time);
-- Partial: only blocked rows pay for it, and the blocked report reads nothing else.
CREATE INDEX records_blocked_time ON records (time) WHERE ${BLOCKED_DECISIONS};

CREATE TABLE rollups (
  server TEXT NOT NULL,
  provider TEXT NOT NULL,
  requests INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  blocked INTEGER NOT NULL,
  reported INTEGER NOT NULL,
  bytes_up INTEGER NOT NULL,
  bytes_down INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (server, provider)
) WITHOUT ROWID;

-- One row per non-empty latency bucket of a rollup (see latency-buckets.ts).
CREATE TABLE rollup_latency (
  server TEXT NOT NULL,
  provider TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (server, provider, bucket)
) WITHOUT ROWID;

CREATE TABLE providers (
  server TEXT NOT NULL,
  provider TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (server, provider)
) WITHOUT ROWID;

CREATE TABLE endpoints (
  server TEXT NOT NULL,
  method TEXT NOT NULL,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  template TEXT NOT NULL,
  provider TEXT NOT NULL,
  count INTEGER NOT NULL,
  blocked INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (server, method, host, port, template)
) WITHOUT ROWID;
`;

/** The schema version a database file says it has (0: empty, nothing created yet). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Creates or upgrades the schema in one transaction; returns the version found before. */
export function migrate(db: Database.Database): number {
  const found = schemaVersion(db);
  if (found === 0) {
    db.transaction(() => {
      db.exec(SCHEMA_V1);
      db.pragma(`user_version = ${TELEMETRY_SCHEMA_VERSION}`);
    })();
  }
  return found;
}
