// Legacy SSE (protocol 2024-11-05): GET `/sse` opens the stream, POST `/messages?sessionId=` carries requests.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { readJsonBody, sendJsonRpcError } from './http-body.ts';
import { checkContinuity, type Identify, newSessionState } from './session-state.ts';
import type { OpenSessionServer, SessionTable } from './session-table.ts';

export interface SseRouteOptions {
  readonly sessions: SessionTable;
  readonly identify: Identify;
  /** Read per request: a reload that turns auth on applies to open sessions too. */
  readonly authEnabled: () => boolean;
  readonly openSession: OpenSessionServer;
  readonly maxBodyBytes: number;
  /** Path the client is told to POST to. */
  readonly messagesPath: string;
  readonly onError: (error: unknown) => void;
}

export function createSseRoutes(options: SseRouteOptions) {
  const { sessions, identify } = options;

  /** GET /sse: key checks happen here (401/403 before a stream exists); the client name arrives later. */
  async function open(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const identity = identify(req.headers, null);
    if (!identity.ok) {
      sendJsonRpcError(res, identity.status, -32001, identity.message);
      return;
    }
    const transport = new SSEServerTransport(options.messagesPath, res);
    const state = newSessionState({
      id: transport.sessionId,
      transport: 'sse',
      identity,
      clientName: null,
      protocolVersion: null,
    });
    const server = options.openSession(state, req.headers);
    server.onclose = () => sessions.remove(state.id);
    server.onerror = options.onError;
    sessions.add({ state, server, transport });
    res.on('close', () => void server.close());
    await server.connect(transport);
  }

  /** POST /messages: the session's requests; `initialize` settles the consumer from the client name. */
  async function message(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const id = url.searchParams.get('sessionId');
    const session = id === null ? undefined : sessions.get(id);
    if (session === undefined || session.state.transport !== 'sse') {
      sendJsonRpcError(res, 404, -32001, 'Session not found');
      return;
    }
    const { state } = session;
    const continuity = checkContinuity(
      state,
      identify(req.headers, state.clientName),
      options.authEnabled(),
    );
    if (!continuity.allow) {
      sendJsonRpcError(res, continuity.status, -32001, continuity.reason);
      return;
    }
    const body = await readJsonBody(req, options.maxBodyBytes);
    if (!body.ok) {
      sendJsonRpcError(res, body.status, body.code, body.message);
      return;
    }
    if (isInitializeRequest(body.value) && state.protocolVersion === null) {
      state.clientName = body.value.params.clientInfo.name || null;
      state.protocolVersion = body.value.params.protocolVersion;
      const settled = identify(req.headers, state.clientName);
      if (settled.ok) {
        state.consumer = settled.consumer;
        state.identitySource = settled.source;
      }
    }
    await (session.transport as SSEServerTransport).handlePostMessage(req, res, body.value);
  }

  return { open, message };
}
