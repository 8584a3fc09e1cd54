// End to end: who is calling — a server's own Unix socket, or Proxy-Authorization on TCP (good, wrong, missing, anonymous).
import { statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEgress, type TestEgress } from './support/egress-harness.ts';
import { serverAllowlist } from './support/flow-texts.ts';
import { type Origin, startHttpOrigin } from './support/origin.ts';
import { parseHead, proxyRequest, rawExchange } from './support/proxy-clients.ts';

let origin: Origin;
let t: TestEgress;
let alphaSocket: string;
let betaSocket: string;
let gammaSocket: string;

beforeAll(async () => {
  origin = await startHttpOrigin();
  t = await startTestEgress({
    egress: {
      hosts: { 'api.slack.com': '127.0.0.1', 'www.googleapis.com': '127.0.0.1' },
      allowAddresses: [`127.0.0.1:${origin.port}`],
    },
    flows: {
      'alpha.yaml': serverAllowlist('alpha-flow', ['alpha'], [`api.slack.com:${origin.port}/*`]),
      'beta.yaml': serverAllowlist('beta-flow', ['beta'], [`www.googleapis.com:${origin.port}/*`]),
    },
  });
  alphaSocket = await t.egress.openServerSocket('alpha');
  betaSocket = await t.egress.openServerSocket('beta');
  gammaSocket = await t.egress.openServerSocket('gamma');
});

afterAll(async () => {
  await t?.close();
  await origin?.close();
});

const slack = () => `http://api.slack.com:${origin.port}/chat`;
const google = () => `http://www.googleapis.com:${origin.port}/drive`;

describe('identity by Unix socket', () => {
  it('opens one 0600 socket per server under <data>/sockets (0700)', () => {
    expect(alphaSocket).toBe(join(t.dataDir, 'sockets', 'alpha.sock'));
    expect(statSync(alphaSocket).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(alphaSocket)).mode & 0o777).toBe(0o700);
  });

  it.each([
    { server: 'alpha', url: slack, status: 200, blockedBy: undefined },
    { server: 'alpha', url: google, status: 451, blockedBy: 'alpha-flow/Deny' },
    { server: 'beta', url: google, status: 200, blockedBy: undefined },
    { server: 'beta', url: slack, status: 451, blockedBy: 'beta-flow/Deny' },
    { server: 'gamma', url: slack, status: 403, blockedBy: 'default/deny' },
  ])('$server reaching $url.name gets $status', async ({ server, url, status, blockedBy }) => {
    const socketPath = { alpha: alphaSocket, beta: betaSocket, gamma: gammaSocket }[server]!;
    const res = await proxyRequest({ socketPath }, 'GET', url());
    expect(res.status).toBe(status);
    expect(res.headers['x-airlock-blocked-by']).toBe(blockedBy);
    expect(t.records.at(-1)).toMatchObject({ server, status });
  });

  it('ignores and strips Proxy-Authorization claiming another server on a server socket', async () => {
    const before = origin.seen.length;
    const res = await proxyRequest({ socketPath: alphaSocket }, 'GET', slack(), {
      headers: { 'proxy-authorization': t.egress.proxyAuthorizationFor('beta') },
    });
    expect(res.status).toBe(200);
    expect(origin.seen[before]!.headers['proxy-authorization']).toBeUndefined();
    expect(t.records.at(-1)!.server).toBe('alpha');
  });

  it('stops serving a socket that was closed, and reopens it in place of the stale file', async () => {
    const path = await t.egress.openServerSocket('delta');
    await t.egress.closeServerSocket('delta');
    await expect(proxyRequest({ socketPath: path }, 'GET', slack())).rejects.toThrow();
    writeFileSync(join(t.dataDir, 'sockets', 'not-a-socket.sock'), '');
    await expect(t.egress.openServerSocket('not-a-socket')).rejects.toMatchObject({
      code: 'EGRESS_LISTEN_FAILED',
    });
    expect(await t.egress.openServerSocket('delta')).toBe(path);
  });

  it('answers oversized headers on a server socket with 431 and records it for that server', async () => {
    const count = t.records.length;
    const text = await rawExchange(
      { socketPath: betaSocket },
      `GET ${slack()} HTTP/1.1\r\nHost: api.slack.com\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      1_000,
    );
    expect(parseHead(text).status).toBe(431);
    await t.waitForRecords(count + 1);
    expect(t.records.at(-1)).toMatchObject({
      server: 'beta',
      decision: 'deny',
      status: 431,
      error: 'HPE_HEADER_OVERFLOW',
    });
  });

  it('refuses a server name that is not a safe file name', async () => {
    await expect(t.egress.openServerSocket('../escape')).rejects.toMatchObject({
      code: 'EGRESS_LISTEN_FAILED',
    });
  });
});

describe('identity by Proxy-Authorization on TCP', () => {
  const tcp = () => ({ port: t.egress.address.port });

  it('identifies a client by a good token', async () => {
    const res = await proxyRequest(tcp(), 'GET', slack(), {
      headers: { 'proxy-authorization': t.egress.proxyAuthorizationFor('alpha') },
    });
    expect(res.status).toBe(200);
    expect(t.records.at(-1)!.server).toBe('alpha');
  });

  it.each([
    { name: 'missing', header: undefined },
    {
      name: 'wrong token',
      header: `Basic ${Buffer.from('alpha:not-the-token').toString('base64')}`,
    },
    { name: 'not Basic', header: 'Bearer abc' },
  ])('answers 407 with Proxy-Authenticate when credentials are $name', async ({ header }) => {
    const before = origin.seen.length;
    const count = t.records.length;
    const res = await proxyRequest(
      tcp(),
      'GET',
      slack(),
      header ? { headers: { 'proxy-authorization': header } } : {},
    );
    expect(res.status).toBe(407);
    expect(res.headers['proxy-authenticate']).toBe('Basic realm="airlock"');
    expect(origin.seen.length).toBe(before);
    expect(t.records.length).toBe(count);
  });

  it('answers 407 to a CONNECT without credentials', async () => {
    const text = await rawExchange(
      tcp(),
      'CONNECT api.slack.com:443 HTTP/1.1\r\nHost: api.slack.com:443\r\n\r\n',
      1_000,
    );
    expect(parseHead(text).status).toBe(407);
  });

  it('never echoes the credentials it refused', async () => {
    const secretish = `Basic ${Buffer.from('alpha:SECRET-VALUE-123').toString('base64')}`;
    const res = await proxyRequest(tcp(), 'GET', slack(), {
      headers: { 'proxy-authorization': secretish },
    });
    expect(res.status).toBe(407);
    expect(res.body).not.toContain('SECRET-VALUE-123');
  });
});

describe('anonymous TCP identity', () => {
  let anon: TestEgress;
  beforeAll(async () => {
    anon = await startTestEgress({
      egress: {
        anonymous: 'alpha',
        hosts: { 'api.slack.com': '127.0.0.1' },
        allowAddresses: [`127.0.0.1:${origin.port}`],
      },
      flows: {
        'alpha.yaml': serverAllowlist('alpha-flow', ['alpha'], [`api.slack.com:${origin.port}/*`]),
      },
    });
  });
  afterAll(() => anon?.close());

  it('takes a client without credentials to be egress.anonymous', async () => {
    const res = await proxyRequest({ port: anon.egress.address.port }, 'GET', slack());
    expect(res.status).toBe(200);
    expect(anon.records.at(-1)!.server).toBe('alpha');
  });

  it('still refuses a wrong token rather than falling back to anonymous', async () => {
    const header = `Basic ${Buffer.from('beta:wrong').toString('base64')}`;
    const res = await proxyRequest({ port: anon.egress.address.port }, 'GET', slack(), {
      headers: { 'proxy-authorization': header },
    });
    expect(res.status).toBe(407);
  });
});
