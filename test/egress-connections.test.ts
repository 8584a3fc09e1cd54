// End to end: connection behaviour — keep-alive to clients, pooled upstream connections, idle timeout without a total timeout.
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEgress, type TestEgress } from './support/egress-harness.ts';
import { serverAllowlist } from './support/flow-texts.ts';
import { type Origin, startHttpOrigin } from './support/origin.ts';
import { rawExchange } from './support/proxy-clients.ts';

let origin: Origin;
let t: TestEgress;
let socketPath: string;

beforeAll(async () => {
  origin = await startHttpOrigin();
  t = await startTestEgress({
    egress: {
      hosts: { 'api.slack.com': '127.0.0.1' },
      allowAddresses: [`127.0.0.1:${origin.port}`],
      idleTimeoutSeconds: 0.4,
    },
    flows: { 'main.yaml': serverAllowlist('main', ['svc'], [`api.slack.com:${origin.port}/*`]) },
  });
  socketPath = await t.egress.openServerSocket('svc');
});

afterAll(async () => {
  await t?.close();
  await origin?.close();
});

/** GET through the server socket with a given agent; resolves with body, arrival times and socket reuse. */
function get(path: string, agent: Agent | false) {
  const started = Date.now();
  return new Promise<{ status: number; body: string; reused: boolean; arrivals: number[] }>(
    (resolve, reject) => {
      const req = httpRequest({
        socketPath,
        path: `http://api.slack.com:${origin.port}${path}`,
        headers: { host: `api.slack.com:${origin.port}` },
        agent,
      });
      req.on('response', (res) => {
        let body = '';
        const arrivals: number[] = [];
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
          arrivals.push(Date.now() - started);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket, arrivals }),
        );
        res.on('error', reject);
        res.on('aborted', () =>
          resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket, arrivals }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('connections', () => {
  it('keeps the client connection alive and reuses one pooled upstream connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const connectionsBefore = origin.connections();
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await get(`/seq-${i}`, agent));
    agent.destroy();
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.slice(1).every((r) => r.reused)).toBe(true);
    expect(origin.connections() - connectionsBefore).toBe(1);
  });

  it('keeps a stream alive past the idle timeout as long as bytes keep coming (no total timeout)', async () => {
    // 6 events 150 ms apart: 900 ms in all, more than twice the 400 ms idle timeout.
    const result = await get('/sse?events=6&gapMs=150', false);
    expect(result.status).toBe(200);
    expect(result.body.match(/^data: /gm)).toHaveLength(6);
  });

  it('cuts a stream that stays silent longer than the idle timeout and records why', async () => {
    const count = t.records.length;
    // undici's body timer ticks every ~0.5 s, so it fires between 0.4 and ~1.4 s: the gap is well past that.
    const result = await get('/sse?events=2&gapMs=2000', false).catch(() => ({
      body: '',
      status: 0,
    }));
    expect(result.body.match(/^data: /gm) ?? []).toHaveLength(0);
    await t.waitForRecords(count + 1);
    expect(t.records.at(-1)).toMatchObject({ path: '/sse', error: 'UND_ERR_BODY_TIMEOUT' });
  });

  it('closes a tunnel that stays silent longer than the idle timeout', async () => {
    const count = t.records.length;
    const started = Date.now();
    const text = await rawExchange(
      { socketPath },
      `CONNECT api.slack.com:${origin.port} HTTP/1.1\r\nHost: api.slack.com:${origin.port}\r\n\r\n`,
      5_000,
    );
    expect(text).toBe('HTTP/1.1 200 Connection established\r\n\r\n');
    expect(Date.now() - started).toBeLessThan(3_000);
    await t.waitForRecords(count + 1);
    expect(t.records.at(-1)).toMatchObject({ method: 'CONNECT', error: 'IDLE_TIMEOUT' });
  });
});
