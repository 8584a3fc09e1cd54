// Answers a session's plain `tools/list` with one cached JSON body, skipping the SDK's per-request parse, SSE framing and re-serialisation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { SessionCatalog } from './session-catalog.ts';

/**
 * A tools/list of 1,000 tools is ≈360 KB of JSON: serialising it and framing it as SSE for every list was
 * most of a list's cost. The tools of one view are serialised once (views are shared by all sessions
 * of a consumer and replaced, never mutated, when they change), and the answer goes out as
 * `application/json`, which every Streamable HTTP client must accept. Only a lone, well-formed
 * `tools/list` takes this path; anything else (batches, other methods, odd headers) goes to the SDK.
 */
const toolsJsonByView = new WeakMap<SessionCatalog, Buffer>();
const viewOfServer = new WeakMap<Server, () => SessionCatalog>();

/** Called by the session server: where its consumer's current view comes from. */
export function registerListView(server: Server, view: () => SessionCatalog): void {
  viewOfServer.set(server, view);
}

/** The tools of `view` as UTF-8 JSON, serialised and encoded once per view (encoding was a third of a list). */
export function toolsJson(view: SessionCatalog): Buffer {
  let json = toolsJsonByView.get(view);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(view.tools));
    toolsJsonByView.set(view, json);
  }
  return json;
}

/** The id of a body that is exactly one `tools/list` request, else undefined. */
export function plainToolsListId(body: unknown): string | number | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const message = body as Record<string, unknown>;
  if (message.jsonrpc !== '2.0' || message.method !== 'tools/list') return undefined;
  const { params } = message;
  if (params !== undefined && (typeof params !== 'object' || params === null)) return undefined;
  const { id } = message;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id))) return id;
  return undefined;
}

/** Whether the headers are ones the SDK would accept for a POST (else it answers 406/415 itself). */
function acceptsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return (
    accept.includes('application/json') &&
    accept.includes('text/event-stream') &&
    type === 'application/json'
  );
}

/** Answers the request and returns true when it is a plain tools/list of a known session; else false. */
export function answerToolsList(
  req: IncomingMessage,
  res: ServerResponse,
  server: Server,
  sessionId: string,
  body: unknown,
): boolean {
  const id = plainToolsListId(body);
  if (id === undefined || !acceptsJson(req)) return false;
  const view = viewOfServer.get(server);
  if (view === undefined) return false;
  const head = Buffer.from('{"result":{"tools":');
  const tools = toolsJson(view());
  const tail = Buffer.from(`},"jsonrpc":"2.0","id":${JSON.stringify(id)}}`);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': head.length + tools.length + tail.length,
    'mcp-session-id': sessionId,
  });
  // Corked: the three parts leave in one writev, the cached tools without a copy.
  res.cork();
  res.write(head);
  res.write(tools);
  res.end(tail);
  res.uncork();
  return true;
}
