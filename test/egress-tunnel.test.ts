// End to end: CONNECT tunnels, the short-form example, and real clients (undici, curl, Node fetch via env proxy).
import { ProxyAgent, request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEgress, type TestEgress } from './support/egress-harness.ts';
import { SLACK_EXAMPLE } from './support/flow-texts.ts';
import type { Origin } from './support/origin.ts';
import { runProcess, tunnelRequest } from './support/proxy-clients.ts';
import { type Scene, SERVER, startScene } from './support/scene.ts';

let scene: Scene;
let certs: Scene['certs'];
let http: Origin;
let https: Origin;
let deadPort: number;
let t: TestEgress;
let auth: string;

beforeAll(async () => {
  scene = await startScene();
  ({ certs, http, https, deadPort, t, auth } = scene);
});

afterAll(() => scene?.close());

const tcp = () => ({ port: t.egress.address.port });

describe('CONNECT tunnels', () => {
  it('runs the short-form example: chat.postMessage through a TLS tunnel is allowed', async () => {
    const agent = new ProxyAgent({ uri: t.egress.url, token: auth, requestTls: { ca: certs.ca } });
    const count = t.records.length;
    const res = await undiciRequest(`https://api.slack.com:${https.port}/api/chat.postMessage`, {
      dispatcher: agent,
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('hello /api/chat.postMessage');
    await agent.close();
    await t.waitForRecords(count + 1);
    expect(t.records[count]).toMatchObject({
      method: 'CONNECT',
      scheme: 'https',
      host: 'api.slack.com',
      port: https.port,
      path: null,
      decision: 'allow',
      status: null,
      dialed: `127.0.0.1:${https.port}`,
    });
    expect(t.records[count]!.bytesUp).toBeGreaterThan(0);
    expect(t.records[count]!.bytesDown).toBeGreaterThan(0);
  });

  it('answers a denied CONNECT with the generated 403 "Forbidden Access" text/plain and closes', async () => {
    const before = https.seen.length;
    const result = await tunnelRequest(tcp(), `api.badactor.com:${https.port}`, {
      ca: certs.ca,
      servername: 'api.badactor.com',
      connectHeaders: { 'Proxy-Authorization': auth },
    });
    expect(result.connect.status).toBe(403);
    expect(result.connect.body).toBe('Forbidden Access');
    expect(result.connect.headers['content-type']).toBe('text/plain');
    expect(result.connect.headers['x-airlock-blocked-by']).toBe('slack/GenerateResponseForbidden');
    expect(result.response).toBeUndefined();
    expect(https.seen.length).toBe(before);
  });

  it('answers a CONNECT whose origin refuses with 502', async () => {
    const result = await tunnelRequest(tcp(), `api.slack.com:${deadPort}`, {
      ca: certs.ca,
      servername: 'api.slack.com',
      connectHeaders: { 'Proxy-Authorization': auth },
    });
    expect(result.connect.status).toBe(502);
    expect(result.connect.headers['x-airlock-error']).toBe('ECONNREFUSED');
  });

  it('refuses CONNECT to a port no flow allows', async () => {
    const result = await tunnelRequest(tcp(), 'api.slack.com:25', {
      ca: certs.ca,
      servername: 'api.slack.com',
      connectHeaders: { 'Proxy-Authorization': auth },
    });
    expect(result.connect.status).toBe(403);
    expect(result.connect.headers['x-airlock-blocked-by']).toBe('slack/GenerateResponseForbidden');
  });
});

describe('the issue example verbatim', () => {
  let verbatim: TestEgress;
  beforeAll(async () => {
    verbatim = await startTestEgress({
      // Tests never resolve real names: api.slack.com goes to a loopback address the guard refuses.
      egress: { anonymous: 'example', hosts: { 'api.slack.com': '127.0.0.3' } },
      flows: { 'example.yaml': SLACK_EXAMPLE },
    });
  });
  afterAll(() => verbatim?.close());

  it('denies https://api.badactor.com/steal_data with 403 "Forbidden Access" text/plain', async () => {
    const result = await tunnelRequest(
      { port: verbatim.egress.address.port },
      'api.badactor.com:443',
      {
        ca: certs.ca,
        servername: 'api.badactor.com',
      },
    );
    expect(result.connect).toMatchObject({ status: 403, body: 'Forbidden Access' });
    expect(result.connect.headers['content-type']).toBe('text/plain');
    expect(result.connect.headers['x-airlock-blocked-by']).toBe(
      'example/GenerateResponseForbidden',
    );
  });

  it('lets api.slack.com:443 pass the flow, so only the address guard stops it here', async () => {
    const result = await tunnelRequest(
      { port: verbatim.egress.address.port },
      'api.slack.com:443',
      {
        ca: certs.ca,
        servername: 'api.slack.com',
      },
    );
    expect(result.connect.status).toBe(403);
    expect(result.connect.headers['x-airlock-blocked-by']).toBe('address-guard/loopback');
    const record = (await verbatim.waitForRecords(2)).at(-1)!;
    expect(record).toMatchObject({
      host: 'api.slack.com',
      port: 443,
      decision: 'deny',
      dialed: null,
    });
  });
});

describe('other clients', () => {
  it('curl: absolute-form HTTP with --proxy-user, and HTTPS through CONNECT with --cacert', async () => {
    const [user, token] = [SERVER, t.egress.tokenFor(SERVER)];
    const plain = await runProcess('curl', [
      '-sS',
      '--proxy',
      t.egress.url,
      '--proxy-user',
      `${user}:${token}`,
      `http://api.slack.com:${http.port}/curl-plain`,
    ]);
    expect(plain.stdout).toBe('hello /curl-plain');
    const tls = await runProcess('curl', [
      '-sS',
      '--proxy',
      t.egress.url,
      '--proxy-user',
      `${user}:${token}`,
      '--cacert',
      certs.caFile,
      `https://api.slack.com:${https.port}/curl-tls`,
    ]);
    expect(tls.stdout).toBe('hello /curl-tls');
    const denied = await runProcess('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--proxy',
      t.egress.url,
      '--proxy-user',
      `${user}:${token}`,
      `http://api.badactor.com:${http.port}/steal_data`,
    ]);
    expect(denied.stdout).toBe('403');
  });

  it('Node fetch in a child process with NODE_USE_ENV_PROXY and proxy variables', async () => {
    const proxy = `http://${SERVER}:${t.egress.tokenFor(SERVER)}@127.0.0.1:${t.egress.address.port}`;
    const script = `const r = await fetch(process.argv[1]); process.stdout.write(r.status + ' ' + await r.text());`;
    const result = await runProcess(
      process.execPath,
      ['--input-type=module', '-e', script, `https://api.slack.com:${https.port}/from-fetch`],
      {
        NODE_USE_ENV_PROXY: '1',
        HTTPS_PROXY: proxy,
        HTTP_PROXY: proxy,
        NODE_EXTRA_CA_CERTS: certs.caFile,
      },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('200 hello /from-fetch');
  });
});
