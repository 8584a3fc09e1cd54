// Writes one batch (records and their folded deltas) to the telemetry database in a single short transaction.
import type Database from 'better-sqlite3';
import type { EgressRecord } from './egress-record.ts';
import type { BatchDeltas, QueuedRecord } from './telemetry-batch.ts';

export interface TelemetryWriter {
  write(batch: readonly QueuedRecord[], deltas: BatchDeltas): void;
}

export function createTelemetryWriter(db: Database.Database): TelemetryWriter {
  const insertRecord = db.prepare(`
    INSERT INTO records (time, server, method, scheme, host, port, path, provider, decision, flow,
      processor, reason, status, duration_ms, bytes_up, bytes_down, error, dialed, tool_call, new_provider)
    VALUES (@time, @server, @method, @scheme, @host, @port, @path, @provider, @decision, @flow,
      @processor, @reason, @status, @durationMs, @bytesUp, @bytesDown, @error, @dialed, @toolCall, @newProvider)`);
  const upsertRollup = db.prepare(`
    INSERT INTO rollups (server, provider, requests, errors, blocked, reported, bytes_up, bytes_down,
      first_seen, last_seen)
    VALUES (@server, @provider, @requests, @errors, @blocked, @reported, @bytesUp, @bytesDown,
      @firstSeen, @lastSeen)
    ON CONFLICT (server, provider) DO UPDATE SET
      requests = requests + excluded.requests,
      errors = errors + excluded.errors,
      blocked = blocked + excluded.blocked,
      reported = reported + excluded.reported,
      bytes_up = bytes_up + excluded.bytes_up,
      bytes_down = bytes_down + excluded.bytes_down,
      first_seen = min(first_seen, excluded.first_seen),
      last_seen = max(last_seen, excluded.last_seen)`);
  const upsertLatency = db.prepare(`
    INSERT INTO rollup_latency (server, provider, bucket, count) VALUES (?, ?, ?, ?)
    ON CONFLICT (server, provider, bucket) DO UPDATE SET count = count + excluded.count`);
  const insertProvider = db.prepare(`
    INSERT INTO providers (server, provider, first_seen) VALUES (@server, @provider, @firstSeen)
    ON CONFLICT (server, provider) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen)`);
  const upsertEndpoint = db.prepare(`
    INSERT INTO endpoints (server, method, host, port, template, provider, count, blocked, first_seen, last_seen)
    VALUES (@server, @method, @host, @port, @template, @provider, @count, @blocked, @firstSeen, @lastSeen)
    ON CONFLICT (server, method, host, port, template) DO UPDATE SET
      count = count + excluded.count,
      blocked = blocked + excluded.blocked,
      first_seen = min(first_seen, excluded.first_seen),
      last_seen = max(last_seen, excluded.last_seen)`);

  const write = db.transaction((batch: readonly QueuedRecord[], deltas: BatchDeltas) => {
    for (const { record, newProvider } of batch)
      insertRecord.run(recordParams(record, newProvider));
    for (const rollup of deltas.rollups) {
      const { latency, ...counts } = rollup;
      upsertRollup.run(counts);
      for (const [bucket, count] of latency) {
        upsertLatency.run(rollup.server, rollup.provider, bucket, count);
      }
    }
    for (const sighting of deltas.providers) insertProvider.run(sighting);
    for (const endpoint of deltas.endpoints) upsertEndpoint.run(endpoint);
  });

  return { write: (batch, deltas) => write(batch, deltas) };
}

// SQLite has no booleans, and better-sqlite3 binds only the named parameters the statement uses.
function recordParams(record: EgressRecord, newProvider: boolean): Record<string, unknown> {
  return {
    time: record.time,
    server: record.server,
    method: record.method,
    scheme: record.scheme,
    host: record.host,
    port: record.port,
    path: record.path,
    provider: record.provider,
    decision: record.decision,
    flow: record.flow,
    processor: record.processor,
    reason: record.reason,
    status: record.status,
    durationMs: record.durationMs,
    bytesUp: record.bytesUp,
    bytesDown: record.bytesDown,
    error: record.error,
    dialed: record.dialed,
    toolCall: record.toolCall,
    newProvider: newProvider ? 1 : 0,
  };
}
