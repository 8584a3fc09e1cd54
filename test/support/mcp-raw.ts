// Raw Streamable HTTP exchanges for the edges a client library hides: status codes, headers, SSE event ids.

export interface RawReply {
  readonly status: number;
  readonly headers: Headers;
  /** JSON-RPC messages from a JSON body or from the SSE `data:` lines. */
  readonly messages: unknown[];
  /** SSE event ids, in order (empty for a JSON reply). */
  readonly eventIds: string[];
}

export const ACCEPT = 'application/json, text/event-stream';

export function initializeBody(protocolVersion: string, name = 'raw-client', id = 1) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name, version: '1.0.0' } },
  };
}

export function parseSse(text: string): { messages: unknown[]; eventIds: string[] } {
  const messages: unknown[] = [];
  const eventIds: string[] = [];
  for (const block of text.split(/\n\n/)) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .join('\n');
    const id = block.split('\n').find((line) => line.startsWith('id:'));
    if (data === '') continue;
    if (id) eventIds.push(id.slice(3).trim());
    messages.push(JSON.parse(data));
  }
  return { messages, eventIds };
}

export async function rawRequest(
  url: string,
  init: { method?: string; body?: string | unknown; headers?: Record<string, string> },
): Promise<RawReply> {
  const body =
    init.body === undefined
      ? undefined
      : typeof init.body === 'string'
        ? init.body
        : JSON.stringify(init.body);
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...init.headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('text/event-stream')) {
    return { status: response.status, headers: response.headers, ...parseSse(text) };
  }
  const messages = text === '' ? [] : [JSON.parse(text)];
  return { status: response.status, headers: response.headers, messages, eventIds: [] };
}

/** initialize + notifications/initialized; returns the session id. */
export async function openRawSession(
  url: string,
  protocolVersion = '2025-11-25',
  headers: Record<string, string> = {},
): Promise<{ sessionId: string; reply: RawReply }> {
  const reply = await rawRequest(url, { body: initializeBody(protocolVersion), headers });
  const sessionId = reply.headers.get('mcp-session-id');
  if (reply.status !== 200 || sessionId === null)
    throw new Error(`initialize failed: ${reply.status}`);
  await rawRequest(url, {
    body: { jsonrpc: '2.0', method: 'notifications/initialized' },
    headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': protocolVersion, ...headers },
  });
  return { sessionId, reply };
}

/** A POST with a chosen Host header (fetch cannot set Host); resolves with the status code. */
export async function postWithHost(url: string, host: string, body: unknown): Promise<number> {
  const { request } = await import('node:http');
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { host, 'content-type': 'application/json', accept: ACCEPT },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
