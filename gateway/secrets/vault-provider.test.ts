// Vault KV v2 against a small responder on loopback: token header, 403 on a wrong token, 404 on a missing path.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretError } from '../errors.ts';
import { splitVaultPath, vaultSecretProvider } from './vault-provider.ts';

const TOKEN = 'hvs.test-token-123';
const SECRET_VALUE = 'xoxb-very-secret';

/** What Vault's KV v2 engine answers for `GET /v1/<mount>/data/<path>`. */
function kvResponder(store: Record<string, Record<string, unknown>>) {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    if (req.headers['x-vault-token'] !== TOKEN) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: ['permission denied'] }));
      return;
    }
    const match = /^\/v1\/([^/]+)\/data\/(.+)$/.exec(req.url ?? '');
    const data = match ? store[`${match[1]}/${match[2]}`] : undefined;
    if (!data) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { data, metadata: { version: 1 } } }));
  });
  return { server, requests };
}

let responder: ReturnType<typeof kvResponder>;
let addr: string;

beforeAll(async () => {
  responder = kvResponder({
    'secret/airlock': { SLACK_TOKEN: SECRET_VALUE, PORT: 5432 },
    'kv/team/prod': { DB_PASSWORD: 'pw' },
  });
  await new Promise<void>((resolve) => responder.server.listen(0, '127.0.0.1', resolve));
  addr = `http://127.0.0.1:${(responder.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => (responder.server as Server).close(resolve));
});

describe('vaultSecretProvider', () => {
  it('reads data.data[NAME] with the X-Vault-Token header', async () => {
    const provider = vaultSecretProvider({ addr, token: TOKEN, cacheMs: 0 });
    expect(await provider.get('SLACK_TOKEN')).toBe(SECRET_VALUE);
    expect(responder.requests.at(-1)?.url).toBe('/v1/secret/data/airlock');
    expect(responder.requests.at(-1)?.headers['x-vault-token']).toBe(TOKEN);
  });

  it('reads a nested path under another mount', async () => {
    const provider = vaultSecretProvider({ addr, token: TOKEN, ...splitVaultPath('kv/team/prod') });
    expect(await provider.get('DB_PASSWORD')).toBe('pw');
  });

  it('answers several lookups from one request within the cache window', async () => {
    const provider = vaultSecretProvider({ addr, token: TOKEN, cacheMs: 60_000 });
    const before = responder.requests.length;
    await Promise.all([provider.get('SLACK_TOKEN'), provider.get('MISSING'), provider.get('X')]);
    expect(responder.requests.length - before).toBe(1);
  });

  it.each([
    { why: 'a name the path lacks', options: {}, name: 'NOPE', value: undefined },
    {
      why: 'a path that does not exist',
      options: { path: 'nothing' },
      name: 'SLACK_TOKEN',
      value: undefined,
    },
  ])('has no value for $why', async ({ options, name, value }) => {
    const provider = vaultSecretProvider({ addr, token: TOKEN, cacheMs: 0, ...options });
    expect(await provider.get(name)).toBe(value);
  });

  it.each([
    { why: 'a wrong token', token: 'hvs.wrong', message: 'the token was refused (403)' },
    { why: 'no token', token: undefined, message: 'AIRLOCK_VAULT_TOKEN is not set' },
  ])('fails on $why without showing any token', async ({ token, message }) => {
    const provider = vaultSecretProvider({ addr, token, cacheMs: 0 });
    const error = await provider.get('SLACK_TOKEN').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect(error).toMatchObject({ code: 'GATEWAY_SECRET_PROVIDER_FAILED', secret: 'SLACK_TOKEN' });
    expect((error as Error).message).toBe(`vault secret/airlock: ${message}`);
    expect((error as Error).message).not.toContain('hvs.');
  });

  it('refuses a value that is not a string, without showing it', async () => {
    const provider = vaultSecretProvider({ addr, token: TOKEN, cacheMs: 0 });
    const error = await provider.get('PORT').catch((e: unknown) => e);
    expect((error as Error).message).toBe('vault secret/airlock: PORT is not a string');
  });

  it('fails clearly when nothing listens at the address', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const provider = vaultSecretProvider({ addr: `http://127.0.0.1:${port}`, token: TOKEN });
    await expect(provider.get('SLACK_TOKEN')).rejects.toThrow(/cannot reach .* \(ECONNREFUSED\)/);
  });
});

describe('splitVaultPath', () => {
  it.each([
    { text: 'secret/airlock', mount: 'secret', path: 'airlock' },
    { text: '/kv/team/prod/', mount: 'kv', path: 'team/prod' },
    { text: 'secret', mount: 'secret', path: 'airlock' },
  ])('$text → $mount + $path', ({ text, mount, path }) => {
    expect(splitVaultPath(text)).toEqual({ mount, path });
  });
});
