// Adversarial suite, end to end through the real egress on loopback: every bypass attempt is blocked and no origin sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYPASS_CASES, type CaseContext } from './support/bypass-cases.ts';
import { type BypassEnv, startBypassEnv } from './support/bypass-env.ts';
import { getThroughTlsTunnel, sendRaw } from './support/bypass-wire.ts';

let env: BypassEnv;
let ctx: CaseContext;

beforeAll(async () => {
  env = await startBypassEnv();
  ctx = {
    port: env.allowed.port,
    proxyPort: env.proxyPort,
    tlsPort: env.tlsAllowed.port,
    auth: env.auth,
  };
});

afterAll(async () => {
  await env?.close();
});

const origins = () => [env.allowed, env.denied, env.tlsAllowed, env.tlsDenied];
const hits = () => origins().reduce((sum, origin) => sum + origin.connections(), 0);

describe('egress bypass attempts', () => {
  it('has at least 60 cases', () => {
    expect(BYPASS_CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(BYPASS_CASES.map((bypass) => [bypass.name, bypass] as const))(
    '%s',
    async (_name, bypass) => {
      const before = hits();
      const response = await sendRaw(env.proxyPort, bypass.bytes(ctx));
      expect(response.status).toBe(bypass.status);
      const blockedBy = response.headers['x-airlock-blocked-by'];
      if (typeof bypass.blockedBy === 'string') expect(blockedBy).toBe(bypass.blockedBy);
      else expect(blockedBy).toMatch(bypass.blockedBy);
      if (bypass.status === 403 && bypass.blockedBy.toString().startsWith('allowlist/')) {
        expect(response.body).toBe('Forbidden Access');
        expect(response.headers['content-type']).toBe('text/plain');
      }
      expect(hits()).toBe(before);
    },
  );
});

describe('controls: the same origins are reachable when the request is honest', () => {
  const request = (target: string, host: string) =>
    `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${ctx.auth}\r\n`;

  it('forwards an allowed request to the allow-listed origin', async () => {
    const before = env.allowed.connections();
    const response = await sendRaw(
      env.proxyPort,
      request(`http://api.slack.com:${ctx.port}/ok`, `api.slack.com:${ctx.port}`),
    );
    expect(response.status).toBe(200);
    expect(response.body).toContain('origin 127.0.0.1 /ok');
    expect(env.allowed.connections()).toBe(before + 1);
  });

  it('normalises case and one trailing dot to the allowed host', async () => {
    const response = await sendRaw(
      env.proxyPort,
      request(`http://API.Slack.COM.:${ctx.port}/x`, `api.slack.com:${ctx.port}`),
    );
    expect(response.status).toBe(200);
    expect(response.body).toContain('origin 127.0.0.1 /x');
  });

  it('forwards an allowed path under a path-restricted rule', async () => {
    const response = await sendRaw(
      env.proxyPort,
      request(
        `http://files.example.com:${ctx.port}/public/a/../b`,
        `files.example.com:${ctx.port}`,
      ),
    );
    expect(response.status).toBe(200);
    expect(response.body).toContain('origin 127.0.0.1 /public/b');
  });

  it('reaches an allowed IDN host by its punycode name', async () => {
    const response = await sendRaw(
      env.proxyPort,
      request(`http://xn--bcher-kva.example:${ctx.port}/`, `xn--bcher-kva.example:${ctx.port}`),
    );
    expect(response.status).toBe(200);
  });

  it('opens an allowed CONNECT tunnel', async () => {
    const before = env.allowed.connections();
    const authority = `api.slack.com:${ctx.port}`;
    const response = await sendRaw(
      env.proxyPort,
      `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${ctx.auth}\r\n`,
    );
    expect(response.status).toBe(200);
    await expect.poll(() => env.allowed.connections()).toBe(before + 1);
  });

  it('dials only the allowed address when a name mixes allowed and denied answers', async () => {
    const deniedBefore = env.denied.connections();
    const response = await sendRaw(
      env.proxyPort,
      request(`http://mixed.example.com:${ctx.port}/m`, `mixed.example.com:${ctx.port}`),
    );
    expect(response.status).toBe(200);
    expect(response.body).toContain('origin 127.0.0.1 /m');
    expect(env.denied.connections()).toBe(deniedBefore);
  });

  it('speaks TLS to the allowed origin through a CONNECT tunnel', async () => {
    const answer = await getThroughTlsTunnel({
      proxyPort: env.proxyPort,
      authority: `secure.example.com:${ctx.tlsPort}`,
      auth: ctx.auth,
      ca: env.ca,
      servername: 'secure.example.com',
      path: '/tunnel',
    });
    expect(answer).toMatchObject({
      status: 200,
      body: expect.stringContaining('origin 127.0.0.1 /tunnel'),
    });
  });

  it('forwards absolute-form https to the allowed TLS origin', async () => {
    const authority = `secure.example.com:${ctx.tlsPort}`;
    const response = await sendRaw(env.proxyPort, request(`https://${authority}/abs`, authority));
    expect(response.status).toBe(200);
    expect(response.body).toContain('origin 127.0.0.1 /abs');
    expect(env.tlsAllowed.completed).toContain('GET /abs');
  });

  it('never let anything reach the origins outside allowAddresses', () => {
    expect(env.denied.connections()).toBe(0);
    expect(env.denied.requests).toEqual([]);
    expect(env.tlsDenied.connections()).toBe(0);
  });
});

describe('a body torn after the request was forwarded', () => {
  it.each([
    ['a bad chunk size', 'ZZZ\r\n'],
    ['a chunk longer than announced', '3\r\nabcXX\r\n0\r\n\r\n'],
    ['a bare LF after a chunk size', '3\nabc\n0\n\n'],
    ['a NUL in a chunk extension', '3;a\0\r\nabc\r\n0\r\n\r\n'],
  ])('never completes at the origin after %s', async (label, tail) => {
    const path = `/torn/${label.replaceAll(' ', '-')}`;
    const started = () => env.allowed.requests.includes(`POST ${path}`);
    const head =
      `POST http://api.slack.com:${ctx.port}${path} HTTP/1.1\r\nHost: api.slack.com:${ctx.port}\r\n` +
      `${ctx.auth}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`;
    await sendRaw(env.proxyPort, head, 2_000, { ready: started, bytes: tail });
    expect(started()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(env.allowed.completed).not.toContain(`POST ${path}`);
  });
});
