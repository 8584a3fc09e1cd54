// The downstream endpoint end to end: protocol versions, sessions, resumability, refusals, legacy SSE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureServer, startTestGateway, type TestGateway } from './support/gateway-harness.ts';
import {
  initializeBody,
  openRawSession,
  parseSse,
  postWithHost,
  rawRequest,
} from './support/mcp-raw.ts';

describe('gateway endpoint', () => {
  let gw: TestGateway;
  let url: string;
  beforeAll(async () => {
    gw = await startTestGateway({ servers: { fix: fixtureServer('one') } });
    url = gw.gateway.url;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('lists an upstream tool as server__tool and calls it through', async () => {
    const client = await gw.connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('fix__echo');
    const result = await client.callTool({ name: 'fix__echo', arguments: { text: 'hi' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
  });

  it.each(['2025-11-25', '2025-06-18'])('initializes with protocol %s', async (version) => {
    const reply = await rawRequest(url, { body: initializeBody(version) });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.messages[0]).toMatchObject({
      id: 1,
      result: { protocolVersion: version, serverInfo: { name: 'airlock' } },
    });
  });

  it('refuses an unsupported MCP-Protocol-Version with 400', async () => {
    const { sessionId } = await openRawSession(url);
    const reply = await rawRequest(url, {
      body: { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '1999-01-01' },
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.messages)).toContain('Unsupported protocol version');
  });

  it('answers an unknown session with 404', async () => {
    const reply = await rawRequest(url, {
      body: { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      headers: { 'mcp-session-id': 'no-such-session', 'mcp-protocol-version': '2025-11-25' },
    });
    expect(reply.status).toBe(404);
  });

  it('requires a session id for anything but initialize', async () => {
    const reply = await rawRequest(url, { body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } });
    expect(reply.status).toBe(400);
  });

  it('answers malformed JSON with -32700 and keeps serving', async () => {
    const reply = await rawRequest(url, { body: '{"jsonrpc": "2.0", "id": 1, "method": ' });
    expect(reply.status).toBe(400);
    expect(reply.messages[0]).toMatchObject({ error: { code: -32700 } });
    expect((await rawRequest(url, { body: initializeBody('2025-11-25') })).status).toBe(200);
  });

  it('refuses a body over the size cap with 413', async () => {
    const huge = JSON.stringify({
      ...initializeBody('2025-11-25'),
      pad: 'x'.repeat(5 * 1024 * 1024),
    });
    const reply = await rawRequest(url, { body: huge });
    expect(reply.status).toBe(413);
  });

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['a null Origin', { origin: 'null' }],
  ])('refuses %s with 403', async (_what, headers) => {
    const reply = await rawRequest(url, { body: initializeBody('2025-11-25'), headers });
    expect(reply.status).toBe(403);
  });

  it.each([
    ['refuses a rebinding Host', 'evil.example:80', 403],
    ['refuses a Host with userinfo', 'user@127.0.0.1', 403],
    ['accepts localhost', 'localhost:9000', 200],
    ['accepts [::1]', '[::1]:9000', 200],
  ])('%s', async (_what, host, status) => {
    expect(await postWithHost(url, host, initializeBody('2025-11-25'))).toBe(status);
  });

  it('accepts a loopback Origin', async () => {
    const reply = await rawRequest(url, {
      body: initializeBody('2025-11-25'),
      headers: { origin: 'http://localhost:6274' },
    });
    expect(reply.status).toBe(200);
  });

  it('ends a session on DELETE: later requests get 404', async () => {
    const { sessionId } = await openRawSession(url);
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    expect(gw.gateway.sessions().some((s) => s.id === sessionId)).toBe(true);
    const deleted = await rawRequest(url, { method: 'DELETE', headers });
    expect(deleted.status).toBe(200);
    const after = await rawRequest(url, {
      body: { jsonrpc: '2.0', id: 3, method: 'tools/list' },
      headers,
    });
    expect(after.status).toBe(404);
    expect(gw.gateway.sessions().some((s) => s.id === sessionId)).toBe(false);
  });

  it('opens a GET stream for server-initiated messages', async () => {
    const { sessionId } = await openRawSession(url);
    const controller = new AbortController();
    const response = await fetch(url, {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    controller.abort();
  });

  it('resumes a call stream after a disconnect with Last-Event-ID', async () => {
    const { sessionId } = await openRawSession(url);
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    const resume = (lastEventId: string) =>
      rawRequest(url, {
        method: 'GET',
        headers: { ...headers, accept: 'text/event-stream', 'last-event-id': lastEventId },
      });
    const controller = new AbortController();
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: {
          name: 'fix__slow',
          arguments: { steps: 3, delayMs: 60 },
          _meta: { progressToken: 'tok' },
        },
      }),
      signal: controller.signal,
    });
    // Read until the first progress event, then drop the connection mid-call.
    const reader = response.body!.getReader();
    let text = '';
    let lastId: string | undefined;
    while (lastId === undefined) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      const parsed = parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2));
      const index = parsed.messages.findIndex(
        (m) => (m as { method?: string }).method === 'notifications/progress',
      );
      if (index !== -1)
        lastId = parsed.eventIds[parsed.eventIds.length - parsed.messages.length + index];
    }
    controller.abort();
    // The server learns of the disconnect a moment later; until then the stream is busy (409).
    let resumed = await resume(lastId);
    for (let attempt = 0; resumed.status === 409 && attempt < 50; attempt++) {
      await new Promise((r) => setTimeout(r, 20));
      resumed = await resume(lastId);
    }
    expect(resumed.status).toBe(200);
    const final = resumed.messages.find((m) => (m as { id?: number }).id === 7);
    expect(final).toMatchObject({
      result: { content: [{ type: 'text', text: 'done after 3 steps' }] },
    });
    expect(resumed.eventIds).not.toContain(lastId);
  });

  it('serves legacy SSE clients at /sse', async () => {
    const client = await gw.connect({ transport: 'sse', name: 'sse-client' });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('fix__echo');
    const result = await client.callTool({ name: 'fix__echo', arguments: { text: 'over sse' } });
    expect(result.content).toEqual([{ type: 'text', text: 'over sse' }]);
    const info = gw.gateway
      .sessions()
      .find((s) => s.transport === 'sse' && s.clientName === 'sse-client');
    expect(info).toMatchObject({ consumer: 'sse-client', identitySource: 'client-name', calls: 1 });
  });
});

describe('idle sessions', () => {
  it('closes a Streamable HTTP session nobody used for idleSessionMs; the client then gets 404', async () => {
    const gw = await startTestGateway({
      servers: { fix: fixtureServer('idle') },
      options: { idleSessionMs: 100 },
    });
    try {
      const { sessionId } = await openRawSession(gw.gateway.url);
      expect(gw.gateway.sessions().map((s) => s.id)).toContain(sessionId);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(gw.gateway.sessions().map((s) => s.id)).not.toContain(sessionId);
      const reply = await rawRequest(gw.gateway.url, {
        body: { jsonrpc: '2.0', id: 9, method: 'tools/list' },
        headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      });
      expect(reply.status).toBe(404);
    } finally {
      await gw.close();
    }
  });
});
