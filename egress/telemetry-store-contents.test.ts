// What one flush leaves in the store: records as appended, rollups, endpoints and first-seen providers, exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aDeny, aRecord, T0 } from '../test/fixtures/egress-records.ts';
import { openTelemetryStore, type TelemetryStore } from './telemetry-store.ts';

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

/** A store that only writes when told to, so each test decides when a batch lands. */
function open(): TelemetryStore {
  store = openTelemetryStore({ dataDir }, { flushIntervalMs: 60_000 });
  return store;
}

describe('what a flush stores', () => {
  const traffic = [
    aRecord({ server: 'a', time: T0 + 1, durationMs: 10, path: '/users/42', method: 'GET' }),
    aRecord({ server: 'a', time: T0 + 2, durationMs: 20, path: '/users/43', method: 'GET' }),
    aRecord({ server: 'a', time: T0 + 3, durationMs: 30, bytesUp: 5, bytesDown: 7 }),
    aRecord({ server: 'a', time: T0 + 4, status: null, error: 'ECONNRESET', durationMs: 3 }),
    aRecord({ server: 'a', time: T0 + 5, status: 502, durationMs: 1000 }),
    aDeny({ server: 'a', time: T0 + 6 }),
    aDeny({ server: 'a', time: T0 + 7, path: '/steal_data' }),
    aRecord({ server: 'b', time: T0 + 8, decision: 'report', reason: 'would deny' }),
    aRecord({
      server: 'b',
      time: T0 + 9,
      method: 'CONNECT',
      path: null,
      host: 'files.slack.com',
      status: null,
      bytesUp: 4000,
      bytesDown: 90000,
    }),
  ];

  it('keeps every record field as appended, newest first', () => {
    const writer = open();
    for (const record of traffic) writer.append(record);
    writer.flush();
    const stored = writer.records();
    expect(stored).toHaveLength(traffic.length);
    const { id, newProvider, ...fields } = stored.at(-1)!;
    expect(fields).toEqual(traffic[0]);
    expect(typeof id).toBe('number');
    expect(newProvider).toBe(true);
  });

  it('rolls up per server × provider exactly', () => {
    const writer = open();
    for (const record of traffic) writer.append(record);
    writer.flush();
    expect(writer.rollups()).toEqual([
      {
        server: 'a',
        provider: 'badactor.com',
        requests: 2,
        errors: 0,
        blocked: 2,
        reported: 0,
        bytesUp: 0,
        bytesDown: 32,
        firstSeen: T0 + 6,
        lastSeen: T0 + 7,
        p50Ms: null,
        p95Ms: null,
        p99Ms: null,
      },
      {
        server: 'a',
        provider: 'slack.com',
        requests: 5,
        errors: 2,
        blocked: 0,
        reported: 0,
        bytesUp: 405,
        bytesDown: 4007,
        firstSeen: T0 + 1,
        lastSeen: T0 + 5,
        // Durations 3, 10, 20, 30, 1000 ms: buckets topped at 3.364, 11.314, 22.627, 32, 1024.
        p50Ms: 22.627,
        p95Ms: 1024,
        p99Ms: 1024,
      },
      {
        server: 'b',
        provider: 'slack.com',
        requests: 2,
        errors: 0,
        blocked: 0,
        reported: 1,
        bytesUp: 4100,
        bytesDown: 91000,
        firstSeen: T0 + 8,
        lastSeen: T0 + 9,
        p50Ms: 13.454,
        p95Ms: 13.454,
        p99Ms: 13.454,
      },
    ]);
  });

  it('adds to rollups across flushes', () => {
    const writer = open();
    writer.append(aRecord({ time: T0 }));
    writer.flush();
    writer.append(aRecord({ time: T0 + 100 }));
    writer.append(aRecord({ time: T0 - 100 }));
    writer.flush();
    const [rollup] = writer.rollups();
    expect(rollup).toMatchObject({
      requests: 3,
      bytesUp: 300,
      firstSeen: T0 - 100,
      lastSeen: T0 + 100,
    });
  });

  it('collects endpoints with ids collapsed, tunnels apart', () => {
    const writer = open();
    for (const record of traffic) writer.append(record);
    writer.flush();
    const endpoints = writer.endpoints({ server: 'a' }).map((e) => ({
      method: e.method,
      host: e.host,
      template: e.template,
      count: e.count,
      blocked: e.blocked,
      firstSeen: e.firstSeen,
      lastSeen: e.lastSeen,
    }));
    expect(endpoints).toEqual([
      {
        method: 'POST',
        host: 'api.badactor.com',
        template: '/steal_data',
        count: 2,
        blocked: 2,
        firstSeen: T0 + 6,
        lastSeen: T0 + 7,
      },
      {
        method: 'POST',
        host: 'api.slack.com',
        template: '/api/chat.postMessage',
        count: 3,
        blocked: 0,
        firstSeen: T0 + 3,
        lastSeen: T0 + 5,
      },
      {
        method: 'GET',
        host: 'api.slack.com',
        template: '/users/{id}',
        count: 2,
        blocked: 0,
        firstSeen: T0 + 1,
        lastSeen: T0 + 2,
      },
    ]);
    expect(writer.endpoints({ server: 'b' }).map((e) => e.template)).toEqual([
      '/api/chat.postMessage',
    ]);
    expect(writer.endpoints({ provider: 'badactor.com' })).toHaveLength(1);
  });

  it('flags a provider new at a server’s first sight of it, and only then', () => {
    const writer = open();
    const flags = traffic.map((record) => writer.append(record).newProvider);
    expect(flags).toEqual([true, false, false, false, false, true, false, true, false]);
    writer.flush();
    expect(writer.providers()).toEqual([
      { server: 'a', provider: 'badactor.com', firstSeen: T0 + 6 },
      { server: 'a', provider: 'slack.com', firstSeen: T0 + 1 },
      { server: 'b', provider: 'slack.com', firstSeen: T0 + 8 },
    ]);
    const newOnes = writer.records().filter((r) => r.newProvider);
    expect(newOnes.map((r) => [r.server, r.provider, r.time])).toEqual([
      ['b', 'slack.com', T0 + 8],
      ['a', 'badactor.com', T0 + 6],
      ['a', 'slack.com', T0 + 1],
    ]);
  });

  it('remembers known providers across restarts', () => {
    const first = open();
    first.append(aRecord());
    first.close();
    const second = open();
    expect(second.append(aRecord()).newProvider).toBe(false);
    expect(second.append(aRecord({ server: 'other' })).newProvider).toBe(true);
  });

  it('never flags a request without a host as a new provider', () => {
    const writer = open();
    expect(writer.append(aDeny({ host: '', provider: '', path: null })).newProvider).toBe(false);
  });
});
