// The downstream MCP endpoint: one node:http server with `/mcp` (Streamable HTTP) and `/sse` + `/messages` (legacy SSE).
import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { DEFAULT_EVENTS_PER_SESSION } from './event-store.ts';
import { DEFAULT_MAX_BODY_BYTES, sendJsonRpcError } from './http-body.ts';
import {
  checkListenAllowed,
  GatewayListenError,
  httpUrl,
  type ListenAddress,
  parseListenAddress,
} from './listen-address.ts';
import { checkRequest } from './request-guard.ts';
import { type Identify, type SessionInfo, type SessionState, snapshot } from './session-state.ts';
import { type OpenSession, type OpenSessionServer, SessionTable } from './session-table.ts';
import { createSseRoutes } from './sse-route.ts';
import { createStreamableRoute } from './streamable-route.ts';

export interface HttpEndpointOptions {
  /** `HOST:PORT`; port 0 picks a free port. */
  readonly listen: string;
  /** Read at start (listen check) and per request (session continuity), so a reload applies. */
  readonly authEnabled: () => boolean;
  readonly allowedOrigins: readonly string[];
  readonly identify: Identify;
  /** Builds the SDK Server of a new session (handlers, capabilities); the endpoint connects it. */
  readonly openSession: OpenSessionServer;
  readonly onSessionClosed?: (state: SessionState) => void;
  readonly maxBodyBytes?: number;
  readonly eventsPerSession?: number;
  /** Streamable HTTP sessions without a request this long are closed (default 30 min). */
  readonly idleSessionMs?: number;
  readonly logger?: Logger;
}

export const DEFAULT_IDLE_SESSION_MS = 30 * 60_000;

export interface HttpEndpoint {
  readonly address: ListenAddress;
  /** `http://host:port/mcp`. */
  readonly url: string;
  /** `http://host:port/sse`. */
  readonly sseUrl: string;
  sessions(): SessionInfo[];
  session(id: string): OpenSession | undefined;
  openSessions(): IterableIterator<OpenSession>;
  close(): Promise<void>;
}

export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  const parsed = parseListenAddress(options.listen);
  if (!parsed.ok)
    throw new GatewayListenError('GATEWAY_LISTEN_INVALID', `listen.mcp: ${parsed.error}`);
  const refused = checkListenAllowed(parsed.value, options.authEnabled(), 'the MCP endpoint');
  if (refused) throw refused;

  const logger = options.logger;
  const onError = (error: unknown) =>
    logger?.warn(
      { event: 'downstream-error', err: error instanceof Error ? error.message : String(error) },
      'downstream transport error',
    );
  const sessions = new SessionTable((state) => options.onSessionClosed?.(state));
  const common = {
    sessions,
    identify: options.identify,
    authEnabled: options.authEnabled,
    openSession: options.openSession,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    onError,
  };
  const streamable = createStreamableRoute({
    ...common,
    eventsPerSession: options.eventsPerSession ?? DEFAULT_EVENTS_PER_SESSION,
  });
  const sse = createSseRoutes({ ...common, messagesPath: '/messages' });
  const guard = { listenHost: parsed.value.host, allowedOrigins: options.allowedOrigins };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://endpoint');
    const checked = checkRequest({ host: req.headers.host, origin: req.headers.origin }, guard);
    if (!checked.allow) {
      sendJsonRpcError(res, checked.status, -32000, `Forbidden: ${checked.reason}`);
      return;
    }
    if (url.pathname === '/mcp') {
      if (req.method === 'POST' || req.method === 'GET' || req.method === 'DELETE') {
        await streamable(req, res);
        return;
      }
      sendJsonRpcError(res, 405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
      return;
    }
    if (url.pathname === '/sse' && req.method === 'GET') {
      await sse.open(req, res);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      await sse.message(req, res, url);
      return;
    }
    sendJsonRpcError(
      res,
      404,
      -32000,
      'Not found: the MCP endpoint is /mcp (or /sse for legacy SSE)',
    );
  }

  const http: HttpServer = createServer((req, res) => {
    // Whatever a request does, it must never take the endpoint down with it.
    route(req, res).catch((error: unknown) => {
      onError(error);
      sendJsonRpcError(res, 500, -32603, 'Internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error) =>
      reject(
        new GatewayListenError(
          'GATEWAY_LISTEN_FAILED',
          `cannot listen on ${options.listen} for the MCP endpoint: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    http.listen(parsed.value.port, parsed.value.host, () => resolve());
  });
  const idleMs = options.idleSessionMs ?? DEFAULT_IDLE_SESSION_MS;
  const sweeper = setInterval(
    () => void sessions.closeIdle(idleMs).catch(onError),
    Math.max(10, Math.min(idleMs / 4, 60_000)),
  );
  sweeper.unref();
  const bound = http.address() as AddressInfo;
  const address = { host: parsed.value.host, port: bound.port };
  const base = httpUrl(address);

  return {
    address,
    url: `${base}/mcp`,
    sseUrl: `${base}/sse`,
    sessions: () => [...sessions.values()].map((session) => snapshot(session.state)),
    session: (id) => sessions.get(id),
    openSessions: () => sessions.values(),
    async close() {
      clearInterval(sweeper);
      await sessions.closeAll();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
