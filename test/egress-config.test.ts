// End to end: configuration as it changes on disk (hot reload good/bad), report mode, startup refusal, one record per exchange.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEgress } from '../egress/egress-service.ts';
import { startTestEgress, type TestEgress } from './support/egress-harness.ts';
import { serverAllowlist } from './support/flow-texts.ts';
import { type Origin, startHttpOrigin } from './support/origin.ts';
import { proxyRequest, rawExchange } from './support/proxy-clients.ts';

let origin: Origin;
beforeAll(async () => {
  origin = await startHttpOrigin();
});
afterAll(() => origin?.close());

const url = (host: string, path = '/') => `http://${host}:${origin.port}${path}`;
const egressSection = () => ({
  hosts: { 'api.slack.com': '127.0.0.1', 'api.github.com': '127.0.0.1' },
  allowAddresses: [`127.0.0.1:${origin.port}`],
});

describe('hot reload', () => {
  let t: TestEgress;
  let socketPath: string;
  beforeAll(async () => {
    t = await startTestEgress({
      egress: egressSection(),
      flows: { 'main.yaml': serverAllowlist('main', ['svc'], [`api.slack.com:${origin.port}/*`]) },
    });
    socketPath = await t.egress.openServerSocket('svc');
  });
  afterAll(() => t?.close());

  it('applies a valid change: the new rule takes effect', async () => {
    expect((await proxyRequest({ socketPath }, 'GET', url('api.github.com'))).status).toBe(451);
    t.writeFlow(
      'main.yaml',
      serverAllowlist(
        'main',
        ['svc'],
        [`api.slack.com:${origin.port}/*`, `api.github.com:${origin.port}/*`],
      ),
    );
    await t.waitForReloads(1);
    expect(t.reloads[0]).toEqual({ result: 'success', errors: [] });
    expect((await proxyRequest({ socketPath }, 'GET', url('api.github.com'))).status).toBe(200);
  });

  it('refuses an invalid change, reports it with file:line, and keeps serving the last good flows', async () => {
    t.writeFlow('broken.yaml', 'Oops:\n  processor: NoSuchProcessor\n');
    await t.waitForReloads(2);
    const failure = t.reloads[1]!;
    expect(failure.result).toBe('failure');
    expect(failure.errors.join('\n')).toMatch(/broken\.yaml:\d+:\d+: .*NoSuchProcessor/);
    expect((await proxyRequest({ socketPath }, 'GET', url('api.github.com'))).status).toBe(200);
    expect((await proxyRequest({ socketPath }, 'GET', url('api.slack.com'))).status).toBe(200);
  });

  it('does not report the same bad file again at every poll', async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(t.reloads).toHaveLength(2);
  });

  it('reloads app.yaml too: switching to report mode lets a denied request through, recorded as report', async () => {
    t.writeFlow('broken.yaml', '# fixed\n');
    t.writeApp({
      ...egressSection(),
      mode: 'report',
      hosts: { ...egressSection().hosts, 'evil.example': '127.0.0.1' },
    });
    await t.waitForReloads(3);
    expect(t.reloads[2]!.result).toBe('success');
    const before = origin.seen.length;
    const res = await proxyRequest({ socketPath }, 'GET', url('evil.example', '/exfil'));
    expect(res.status).toBe(200);
    expect(origin.seen.length).toBe(before + 1);
    expect(t.records.at(-1)).toMatchObject({
      decision: 'report',
      flow: 'main',
      host: 'evil.example',
    });
  });
});

describe('records', () => {
  it('emits exactly one record per request and per tunnel, refused ones included', async () => {
    const t = await startTestEgress({
      egress: egressSection(),
      flows: { 'main.yaml': serverAllowlist('main', ['svc'], [`api.slack.com:${origin.port}/*`]) },
    });
    try {
      const socketPath = await t.egress.openServerSocket('svc');
      const sent = [
        proxyRequest({ socketPath }, 'GET', url('api.slack.com', '/a')),
        proxyRequest({ socketPath }, 'POST', url('api.slack.com', '/echo'), {
          body: 'x'.repeat(1000),
        }),
        proxyRequest({ socketPath }, 'GET', url('api.github.com', '/denied')),
        proxyRequest({ socketPath }, 'GET', 'http://api.slack.com:1/refused-by-flow'),
      ];
      // A tunnel whose first request rides in the same packet as the CONNECT (the `head` bytes).
      const tunnel = await rawExchange(
        { socketPath },
        `CONNECT api.slack.com:${origin.port} HTTP/1.1\r\nHost: api.slack.com:${origin.port}\r\n\r\n` +
          `GET /through-tunnel HTTP/1.1\r\nHost: api.slack.com\r\nConnection: close\r\n\r\n`,
      );
      expect(tunnel).toMatch(/^HTTP\/1\.1 200 Connection established\r\n\r\nHTTP\/1\.1 200 OK/);
      expect(tunnel).toContain('hello /through-tunnel');
      const statuses = (await Promise.all(sent)).map((res) => res.status).sort();
      expect(statuses).toEqual([200, 200, 451, 451]);
      await t.waitForRecords(5);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(t.records).toHaveLength(5);
      const byPath = Object.fromEntries(t.records.map((r) => [r.path ?? r.method, r]));
      expect(byPath.CONNECT).toMatchObject({ decision: 'allow', status: null, error: null });
      expect(byPath.CONNECT!.bytesDown).toBe(
        tunnel.length - 'HTTP/1.1 200 Connection established\r\n\r\n'.length,
      );
      expect(byPath['/echo']).toMatchObject({
        method: 'POST',
        bytesUp: 1000,
        bytesDown: 1000,
        decision: 'allow',
      });
      expect(byPath['/denied']).toMatchObject({
        decision: 'deny',
        status: 451,
        bytesDown: 'main says no'.length,
      });
      for (const record of t.records) {
        expect(record.server).toBe('svc');
        expect(record.durationMs).toBeGreaterThanOrEqual(0);
      }
    } finally {
      await t.close();
    }
  });
});

describe('startup', () => {
  function configWith(files: Record<string, string>): { configDir: string; dataDir: string } {
    const root = mkdtempSync(join(tmpdir(), 'airlock-egress-start-'));
    mkdirSync(join(root, 'config', 'flows'), { recursive: true });
    for (const [name, text] of Object.entries(files))
      writeFileSync(join(root, 'config', name), text);
    return { configDir: join(root, 'config'), dataDir: join(root, 'data') };
  }
  const quiet = {
    logger: pino({ level: 'silent' }),
    sink: () => {},
    watch: false,
    listen: '127.0.0.1:0',
  };

  it('refuses to start with invalid flows and names file:line of each error', async () => {
    const dirs = configWith({
      'flows/bad.yaml':
        'A:\n  processor: Filter\n  parameters:\n    - key: urls\n      value: ["*"]\n',
    });
    await expect(startEgress({ ...dirs, ...quiet })).rejects.toMatchObject({
      code: 'EGRESS_CONFIG_INVALID',
      problems: [expect.stringMatching(/bad\.yaml:5:\d+: /)],
    });
  });

  it('refuses to start with an invalid egress section and names app.yaml:line and the field', async () => {
    const dirs = configWith({
      'app.yaml': 'gateway: {anything: 1}\negress:\n  mode: enforce\n  defualt: deny\n',
    });
    await expect(startEgress({ ...dirs, ...quiet })).rejects.toMatchObject({
      problems: [expect.stringMatching(/app\.yaml:4:\d+: egress\.defualt: unknown field/)],
    });
  });

  it('starts with every default when there is no app.yaml and no flows', async () => {
    const egress = await startEgress({ ...configWith({}), ...quiet });
    expect(egress.address.host).toBe('127.0.0.1');
    expect(egress.address.port).toBeGreaterThan(0);
    await egress.close();
  });
});
