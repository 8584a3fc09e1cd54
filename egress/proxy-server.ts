// The forward proxy: one HTTP server fed by every listener; per request identity → facts → decision → enact.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  type DenyResponse,
  hygieneResponse,
  proxyAuthRequired,
  serialiseResponse,
} from './deny-response.ts';
import type { EgressRecordSink } from './egress-record.ts';
import { decideAndGuard, Exchange, type ProxyRuntime } from './exchange.ts';
import { forwardHttp } from './forward-http.ts';
import { identifyProxyAuthorization } from './identity.ts';
import type { ConnectionOrigin } from './listeners.ts';
import { checkMessageFraming, targetFromConnect, targetFromHttpRequest } from './request-target.ts';
import { openTunnel } from './tunnel.ts';
import { UpstreamPools } from './upstream-pools.ts';

export interface ProxyServerOptions {
  /** The current runtime; read once per request, so a reload never splits one. */
  readonly runtime: () => ProxyRuntime;
  readonly secret: Uint8Array;
  readonly sink: EgressRecordSink;
  readonly logger: Logger;
  readonly maxHeaderBytes: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** Extra CA certificates for https origins reached by absolute-form requests. */
  readonly upstreamCa?: string | readonly string[];
  /** Tunnel gauge hooks (metrics); optional so the proxy stays ignorant of who counts. */
  readonly onTunnelOpen?: () => void;
  readonly onTunnelClose?: () => void;
}

export interface ProxyServer {
  /** Takes a socket a listener accepted; where it arrived is its identity. */
  accept(socket: Socket, origin: ConnectionOrigin): void;
  /** Stops serving: destroys client connections, open tunnels and upstream pools. */
  close(): Promise<void>;
}

type Identity = { ok: true; server: string } | { ok: false; reason: string };

function proxyAuthorization(rawHeaders: readonly string[]): string | undefined | null {
  let found: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'proxy-authorization') continue;
    if (found !== undefined) return null; // two credentials: refuse rather than pick one
    found = rawHeaders[i + 1]!;
  }
  return found;
}

/** Closed so a client error can be answered with one of these and no parsing. */
function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'HPE_REQUEST_TIMEOUT' || code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

export function createProxyServer(options: ProxyServerOptions): ProxyServer {
  const origins = new WeakMap<Socket, ConnectionOrigin>();
  const sockets = new Set<Socket>();
  const pools = new UpstreamPools({
    connectTimeoutMs: options.connectTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    ...(options.upstreamCa === undefined ? {} : { ca: options.upstreamCa }),
  });
  const log = options.logger;

  function identify(
    socket: Socket,
    rawHeaders: readonly string[],
    runtime: ProxyRuntime,
  ): Identity {
    const origin = origins.get(socket);
    // A server's own socket is its identity; credentials sent there are ignored (and stripped).
    if (origin?.kind === 'server') return { ok: true, server: origin.server };
    const header = proxyAuthorization(rawHeaders);
    if (header === null) return { ok: false, reason: 'several Proxy-Authorization headers' };
    if (header === undefined && runtime.anonymous !== undefined) {
      return { ok: true, server: runtime.anonymous };
    }
    return identifyProxyAuthorization(header, options.secret);
  }

  function writeHttp(res: ServerResponse, response: DenyResponse): number {
    const body = Buffer.from(response.body, 'utf8');
    if (res.headersSent) {
      res.destroy();
      return 0;
    }
    res.writeHead(response.status, { ...response.headers, 'Content-Length': body.length });
    res.end(body);
    return body.length;
  }

  function writeRaw(socket: Socket, response: DenyResponse): number {
    if (socket.writable) socket.end(serialiseResponse(response));
    // A refused tunnel must not linger half-open.
    socket.destroySoon?.();
    return Buffer.byteLength(response.body, 'utf8');
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const runtime = options.runtime();
    const identity = identify(req.socket, req.rawHeaders, runtime);
    if (!identity.ok) {
      log.info({ event: 'identity-refused', reason: identity.reason }, 'proxy identity refused');
      writeHttp(res, proxyAuthRequired(`Proxy authentication required: ${identity.reason}`));
      return;
    }
    const exchange = new Exchange(options.sink, identity.server, req.method ?? '');
    const framing = checkMessageFraming(req.rawHeaders);
    const target = framing.ok
      ? targetFromHttpRequest(identity.server, req.method ?? '', req.url ?? '', req.rawHeaders)
      : framing;
    if (!target.ok) {
      const response = hygieneResponse(target.status, 'invalid-request', target.reason);
      res.shouldKeepAlive = false;
      exchange.refuse(target.reason, response, writeHttp(res, response));
      exchange.finish();
      return;
    }
    exchange.setFacts(target.facts);
    const verdict = await decideAndGuard(runtime, target.facts, exchange);
    if (!verdict.ok) {
      exchange.refuse(exchange.record.reason, verdict.response, writeHttp(res, verdict.response));
      exchange.finish();
      return;
    }
    await forwardHttp(pools, req, res, { url: target.target, ip: verdict.ip }, exchange, (r) =>
      writeHttp(res, r),
    );
  }

  async function onConnect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const runtime = options.runtime();
    const identity = identify(socket, req.rawHeaders, runtime);
    if (!identity.ok) {
      log.info({ event: 'identity-refused', reason: identity.reason }, 'proxy identity refused');
      writeRaw(socket, proxyAuthRequired(`Proxy authentication required: ${identity.reason}`));
      return;
    }
    const exchange = new Exchange(options.sink, identity.server, 'CONNECT');
    const target = targetFromConnect(identity.server, req.url ?? '', req.rawHeaders);
    if (!target.ok) {
      const response = hygieneResponse(target.status, 'invalid-request', target.reason);
      exchange.refuse(target.reason, response, writeRaw(socket, response));
      exchange.finish();
      return;
    }
    exchange.setFacts(target.facts);
    exchange.record.method = 'CONNECT';
    const verdict = await decideAndGuard(runtime, target.facts, exchange);
    if (!verdict.ok) {
      exchange.refuse(exchange.record.reason, verdict.response, writeRaw(socket, verdict.response));
      exchange.finish();
      return;
    }
    openTunnel(
      socket,
      head,
      verdict.ip,
      target.facts.port,
      exchange,
      {
        connectTimeoutMs: options.connectTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        track: (upstream) => {
          sockets.add(upstream);
          upstream.once('close', () => sockets.delete(upstream));
        },
        ...(options.onTunnelOpen ? { onOpen: options.onTunnelOpen } : {}),
        ...(options.onTunnelClose ? { onClose: options.onTunnelClose } : {}),
      },
      (response) => {
        exchange.record.bytesDown = writeRaw(socket, response);
      },
    );
  }

  function onClientError(error: Error & { code?: string }, socket: Socket): void {
    const status = clientErrorStatus(error.code);
    if (error.code !== 'ECONNRESET' && socket.writable) {
      const response = hygieneResponse(
        status,
        'client-error',
        `Bad request (${error.code ?? 'parse error'})`,
      );
      const origin = origins.get(socket);
      // Only a server's own socket names who sent the bytes; on TCP the credentials were never parsed.
      if (origin?.kind === 'server') {
        const exchange = new Exchange(options.sink, origin.server, '');
        exchange.record.error = error.code ?? 'CLIENT_ERROR';
        exchange.refuse(
          `request refused by the HTTP parser (${error.code ?? 'parse error'})`,
          response,
          0,
        );
        exchange.finish();
      }
      socket.end(serialiseResponse(response));
    }
    socket.destroySoon?.();
  }

  // Requests arrive through accept(); the server itself never listens.
  const server: Server = createServer({
    maxHeaderSize: options.maxHeaderBytes,
    requestTimeout: 0, // no total timeout: uploads and SSE may take as long as they need
    keepAliveTimeout: 5_000,
    // Strictness is deliberate: a lenient parser is how smuggling gets through.
    insecureHTTPParser: false,
    joinDuplicateHeaders: false,
  });
  // A margin over the upstream idle timeout: when the origin goes quiet, undici's timeout fires first
  // and the record says so; this one only catches clients that go quiet themselves.
  server.timeout = options.idleTimeoutMs + 1_000;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    onRequest(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'request handler failed');
      if (!res.headersSent)
        writeHttp(res, hygieneResponse(500, 'internal', 'Internal proxy error'));
      else res.destroy();
    });
  });
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    onConnect(req, socket, head).catch((error: unknown) => {
      log.error({ err: error }, 'CONNECT handler failed');
      socket.destroy();
    });
  });
  server.on('clientError', (error: Error, socket: Socket) => {
    try {
      onClientError(error, socket);
    } catch {
      socket.destroy();
    }
  });

  return {
    accept(socket, origin) {
      origins.set(socket, origin);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy()); // a reset client is not an error of ours
      server.emit('connection', socket);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      server.close();
      await pools.close();
    },
  };
}
