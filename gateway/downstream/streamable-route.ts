// `/mcp`: Streamable HTTP sessions (POST, GET stream, DELETE, resumability) on the SDK transport, identity fixed at initialize.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  isInitializeRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import { createMemoryEventStore } from './event-store.ts';
import { headerValue, readJsonBody, sendJsonRpcError } from './http-body.ts';
import { answerToolsList } from './list-fast-path.ts';
import { checkContinuity, type Identify, newSessionState } from './session-state.ts';
import type { OpenSessionServer, SessionTable } from './session-table.ts';

export interface StreamableRouteOptions {
  readonly sessions: SessionTable;
  readonly identify: Identify;
  /** Read per request: a reload that turns auth on applies to open sessions too. */
  readonly authEnabled: () => boolean;
  readonly openSession: OpenSessionServer;
  readonly maxBodyBytes: number;
  readonly eventsPerSession: number;
  readonly onError: (error: unknown) => void;
}

const SESSION_HEADER = 'mcp-session-id';

/** The versions this endpoint speaks; anything else in MCP-Protocol-Version is a 400 before any session work. */
export function unsupportedProtocolVersion(value: string | undefined): string | undefined {
  if (value === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(value)) return undefined;
  return `Bad Request: Unsupported protocol version: ${value} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`;
}

export function createStreamableRoute(options: StreamableRouteOptions) {
  const { sessions, identify } = options;

  async function initialize(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    if (!isInitializeRequest(body)) {
      sendJsonRpcError(res, 400, -32000, 'Bad Request: No valid session ID provided');
      return;
    }
    const clientName = body.params.clientInfo.name || null;
    const identity = identify(req.headers, clientName);
    if (!identity.ok) {
      sendJsonRpcError(res, identity.status, -32001, identity.message);
      return;
    }
    const id = randomUUID();
    const state = newSessionState({
      id,
      transport: 'streamable-http',
      identity,
      clientName,
      protocolVersion: body.params.protocolVersion,
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      eventStore: createMemoryEventStore(options.eventsPerSession),
      onsessionclosed: () => sessions.remove(id),
      // Body size is capped by readJsonBody before the transport sees anything.
    });
    const server = options.openSession(state, req.headers);
    server.onclose = () => sessions.remove(id);
    server.onerror = options.onError;
    sessions.add({ state, server, transport });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    // The SDK refused the initialize (no session id issued): nothing may stay behind.
    if (transport.sessionId === undefined) {
      sessions.remove(id);
      await server.close();
    }
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const badVersion = unsupportedProtocolVersion(headerValue(req.headers['mcp-protocol-version']));
    if (badVersion !== undefined) {
      sendJsonRpcError(res, 400, -32000, badVersion);
      return;
    }
    const sessionId = headerValue(req.headers[SESSION_HEADER]);
    if (sessionId === undefined) {
      if (req.method !== 'POST') {
        sendJsonRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
        return;
      }
      const body = await readJsonBody(req, options.maxBodyBytes);
      if (!body.ok) sendJsonRpcError(res, body.status, body.code, body.message);
      else await initialize(req, res, body.value);
      return;
    }
    const session = sessions.get(sessionId);
    if (session === undefined) {
      sendJsonRpcError(res, 404, -32001, 'Session not found');
      return;
    }
    const continuity = checkContinuity(
      session.state,
      identify(req.headers, session.state.clientName),
      options.authEnabled(),
    );
    if (!continuity.allow) {
      sendJsonRpcError(res, continuity.status, -32001, continuity.reason);
      return;
    }
    const transport = session.transport as StreamableHTTPServerTransport;
    if (req.method === 'POST') {
      const body = await readJsonBody(req, options.maxBodyBytes);
      if (!body.ok) sendJsonRpcError(res, body.status, body.code, body.message);
      else if (!answerToolsList(req, res, session.server, sessionId, body.value))
        await transport.handleRequest(req, res, body.value);
      return;
    }
    await transport.handleRequest(req, res);
  };
}
