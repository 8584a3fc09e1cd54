// End to end: traffic through a real egress lands in the telemetry store, the metrics and `airlock report blocked` alike.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Egress, startEgress } from '../egress/egress-service.ts';
import { openTelemetryStore, type StoredRecord } from '../egress/telemetry-store.ts';
import { captureLog } from './fixtures/log-capture.ts';
import { appYaml } from './support/egress-harness.ts';
import { slackExampleOnPorts } from './support/flow-texts.ts';
import { type Origin, startHttpOrigin } from './support/origin.ts';
import { proxyRequest, rawExchange } from './support/proxy-clients.ts';

const SERVER = 'reporter';
const cli = resolve(import.meta.dirname, '../cli/airlock.ts');

let root: string;
let dataDir: string;
let origin: Origin;
let egress: Egress;
const registry = new Registry();
const log = captureLog();

/** The value of one series in the exposition text (0 when absent). */
async function metric(series: string): Promise<number> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function requestsCounted(): Promise<number> {
  const text = await registry.metrics();
  return text
    .split('\n')
    .filter((line) => line.startsWith('airlock_egress_requests_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'airlock-egress-telemetry-'));
  dataDir = join(root, 'data');
  const configDir = join(root, 'config');
  mkdirSync(join(configDir, 'flows'), { recursive: true });
  origin = await startHttpOrigin();
  writeFileSync(
    join(configDir, 'app.yaml'),
    appYaml({
      hosts: { 'api.slack.com': '127.0.0.1', 'api.badactor.com': '127.0.0.1' },
      allowAddresses: [`127.0.0.1/32:${origin.port}`],
    }),
  );
  writeFileSync(join(configDir, 'flows', 'slack.yaml'), slackExampleOnPorts([origin.port]));
  egress = await startEgress({
    configDir,
    dataDir,
    registry,
    logger: log.logger,
    lookup: async (host) => {
      throw Object.assign(new Error(`test lookup refused for ${host}`), { code: 'ENOTFOUND' });
    },
    watch: false,
  });

  const via = { port: egress.address.port };
  const headers = { 'proxy-authorization': egress.proxyAuthorizationFor(SERVER) };
  const base = (host: string) => `http://${host}:${origin.port}`;
  for (const path of ['/api/chat.postMessage', '/users/42', '/users/43']) {
    expect(
      (await proxyRequest(via, 'GET', `${base('api.slack.com')}${path}`, { headers })).status,
    ).toBe(200);
  }
  for (let i = 0; i < 2; i++) {
    const denied = await proxyRequest(via, 'GET', `${base('api.badactor.com')}/steal_data`, {
      headers,
    });
    expect(denied.status).toBe(403);
  }
  const connect = await rawExchange(
    via,
    `CONNECT api.badactor.com:${origin.port} HTTP/1.1\r\nHost: api.badactor.com:${origin.port}\r\nProxy-Authorization: ${headers['proxy-authorization']}\r\n\r\n`,
  );
  expect(connect.startsWith('HTTP/1.1 403')).toBe(true);

  // Records are emitted when each exchange ends; then closing the egress flushes the store.
  await vi.waitFor(async () => expect(await requestsCounted()).toBe(6), {
    timeout: 5000,
    interval: 20,
  });
  await egress.close();
});

afterAll(async () => {
  await origin?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('egress telemetry', () => {
  it('reaches the origin only for the allowed requests', () => {
    expect(origin.seen.map((seen) => seen.url)).toEqual([
      '/api/chat.postMessage',
      '/users/42',
      '/users/43',
    ]);
  });

  it('stores one record per request and tunnel, and rolls them up per provider', async () => {
    const bytesDown = (provider: string) =>
      metric(
        `airlock_egress_bytes_total{server="${SERVER}",provider="${provider}",direction="down"}`,
      );
    const store = openTelemetryStore({ dataDir }, { readonly: true });
    try {
      const records = store.records().reverse();
      expect(
        records.map((r) => [r.method, r.host, r.path, r.decision, r.status, r.newProvider]),
      ).toEqual([
        ['GET', 'api.slack.com', '/api/chat.postMessage', 'allow', 200, true],
        ['GET', 'api.slack.com', '/users/42', 'allow', 200, false],
        ['GET', 'api.slack.com', '/users/43', 'allow', 200, false],
        ['GET', 'api.badactor.com', '/steal_data', 'deny', 403, true],
        ['GET', 'api.badactor.com', '/steal_data', 'deny', 403, false],
        ['CONNECT', 'api.badactor.com', null, 'deny', 403, false],
      ]);
      expect(new Set(records.map((r) => r.server))).toEqual(new Set([SERVER]));

      const rollups = store.rollups({ server: SERVER });
      expect(rollups.map((r) => [r.provider, r.requests, r.blocked, r.errors])).toEqual([
        ['badactor.com', 3, 3, 0],
        ['slack.com', 3, 0, 0],
      ]);
      // The metrics counted the very same bytes the store rolled up.
      expect(rollups.map((r) => r.bytesDown)).toEqual([
        await bytesDown('badactor.com'),
        await bytesDown('slack.com'),
      ]);
      expect(rollups[1]!.bytesDown).toBeGreaterThan(0);

      expect(
        store.endpoints({ server: SERVER }).map((e) => [e.host, e.template, e.count, e.blocked]),
      ).toEqual([
        ['api.badactor.com', '/steal_data', 2, 2],
        ['api.slack.com', '/api/chat.postMessage', 1, 0],
        ['api.slack.com', '/users/{id}', 2, 0],
      ]);
    } finally {
      store.close();
    }
  });

  it('counts the same traffic in the metrics', async () => {
    expect(
      await metric(
        `airlock_egress_requests_total{server="${SERVER}",provider="slack.com",decision="allow"}`,
      ),
    ).toBe(3);
    expect(
      await metric(
        `airlock_egress_requests_total{server="${SERVER}",provider="badactor.com",decision="deny"}`,
      ),
    ).toBe(3);
    expect(
      await metric(`airlock_egress_blocked_total{server="${SERVER}",host="api.badactor.com"}`),
    ).toBe(3);
    expect(await metric('airlock_egress_active_tunnels')).toBe(0);
  });

  it('logs one decision line per request and tunnel, without the proxy credentials', () => {
    const decisions = log.lines.filter((line) => line.msg === 'egress decision');
    expect(decisions.map((line) => [line.server, line.method, line.decision])).toEqual([
      [SERVER, 'GET', 'allow'],
      [SERVER, 'GET', 'allow'],
      [SERVER, 'GET', 'allow'],
      [SERVER, 'GET', 'deny'],
      [SERVER, 'GET', 'deny'],
      [SERVER, 'CONNECT', 'deny'],
    ]);
    const token = egress.tokenFor(SERVER);
    expect(log.text()).not.toContain(token);
    expect(log.text()).not.toContain(egress.proxyAuthorizationFor(SERVER));
  });

  it('lists the blocked calls in `airlock report blocked`', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      cli,
      'report',
      'blocked',
      '--data',
      dataDir,
      '--format',
      'json',
    ]);
    const blocked = JSON.parse(stdout) as StoredRecord[];
    expect(blocked.map((r) => [r.method, r.host, r.flow, r.processor])).toEqual([
      ['CONNECT', 'api.badactor.com', 'slack', 'GenerateResponseForbidden'],
      ['GET', 'api.badactor.com', 'slack', 'GenerateResponseForbidden'],
      ['GET', 'api.badactor.com', 'slack', 'GenerateResponseForbidden'],
    ]);
  });
});
