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
    VALUES (${new Array(20).fill('?').join(', ')})`);
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
      insertRecord.run(...recordParams(record, newProvider));
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

// The 20 values in the INSERT's column order: binding by position is the cheapest per row. SQLite has no booleans.
function recordParams(record: EgressRecord, newProvider: boolean): unknown[] {
  return [
    record.time,
    record.server,
    record.method,
    record.scheme,
    record.host,
    record.port,
    record.path,
    record.provider,
    record.decision,
    record.flow,
    record.processor,
    record.reason,
    record.status,
    record.durationMs,
    record.bytesUp,
    record.bytesDown,
    record.error,
    record.dialed,
    record.toolCall,
    newProvider ? 1 : 0,
  ];
}
