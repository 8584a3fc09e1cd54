// Identity at the endpoint: API keys (401/403 before any session), consumer fixed for the session, loopback-only without auth.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../gateway/config/api-keys.ts';
import { startGateway } from '../gateway/gateway-service.ts';
import { fixtureServer, startTestGateway, type TestGateway } from './support/gateway-harness.ts';
import { initializeBody, openRawSession, rawRequest } from './support/mcp-raw.ts';

const engKey = generateApiKey();
const csKey = generateApiKey();

describe('gateway auth', () => {
  let gw: TestGateway;
  let url: string;
  beforeAll(async () => {
    gw = await startTestGateway({
      servers: { fix: fixtureServer('auth') },
      app: `auth:\n  enabled: true\n  keys:\n    eng: "${hashApiKey(engKey)}"\n    cs: "${hashApiKey(csKey)}"\n`,
    });
    url = gw.gateway.url;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it.each([
    ['no key', {}, 401],
    ['an unknown key', { 'x-lunar-api-key': 'alk_not-a-key' }, 403],
    ['a consumer tag without key', { 'x-lunar-consumer-tag': 'eng' }, 401],
  ])('refuses initialize with %s', async (_what, headers, status) => {
    const reply = await rawRequest(url, { body: initializeBody('2025-11-25'), headers });
    expect(reply.status).toBe(status);
    expect(reply.headers.get('mcp-session-id')).toBeNull();
  });

  it('takes the consumer from the key; a consumer tag does not override it', async () => {
    const client = await gw.connect({
      headers: { 'x-lunar-api-key': engKey, 'x-lunar-consumer-tag': 'cs' },
      name: 'tagged',
    });
    await client.listTools();
    const info = gw.gateway.sessions().find((s) => s.clientName === 'tagged');
    expect(info).toMatchObject({ consumer: 'eng', identitySource: 'api-key' });
  });

  it('accepts the key as Authorization: Bearer', async () => {
    const { sessionId } = await openRawSession(url, '2025-11-25', {
      authorization: `Bearer ${csKey}`,
    });
    expect(gw.gateway.sessions().find((s) => s.id === sessionId)?.consumer).toBe('cs');
  });

  it('refuses a later request of the session with another key or none', async () => {
    const { sessionId } = await openRawSession(url, '2025-11-25', { 'x-lunar-api-key': engKey });
    const call = (headers: Record<string, string>) =>
      rawRequest(url, {
        body: { jsonrpc: '2.0', id: 5, method: 'tools/list' },
        headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25', ...headers },
      });
    expect((await call({ 'x-lunar-api-key': csKey })).status).toBe(403);
    expect((await call({})).status).toBe(401);
    expect((await call({ 'x-lunar-api-key': engKey })).status).toBe(200);
  });

  it('refuses a legacy SSE stream without a key', async () => {
    const response = await fetch(gw.gateway.sseUrl, { headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(401);
    await response.body?.cancel();
  });

  it('opens a legacy SSE session with a key', async () => {
    const client = await gw.connect({
      transport: 'sse',
      headers: { 'x-lunar-api-key': csKey },
      name: 'sse-cs',
    });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect(gw.gateway.sessions().find((s) => s.clientName === 'sse-cs')?.consumer).toBe('cs');
  });
});

describe('listening beyond loopback', () => {
  it('refuses to start on 0.0.0.0 while auth.enabled is false, naming auth.enabled', async () => {
    const root = await mkdtemp(join(tmpdir(), 'airlock-gw-'));
    try {
      await writeFile(join(root, 'mcp.json'), '{"mcpServers": {}}');
      const started = startGateway({
        configDir: root,
        dataDir: root,
        logger: pino({ level: 'silent' }),
        listen: { mcp: '0.0.0.0:0', metrics: null },
        watch: false,
      });
      await expect(started).rejects.toMatchObject({
        code: 'GATEWAY_LISTEN_REFUSED',
        message: expect.stringContaining('auth.enabled'),
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
