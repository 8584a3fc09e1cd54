// The Prometheus endpoint: `GET /metrics` from one registry (gateway and egress metrics alike), 404 elsewhere.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export const DEFAULT_METRICS_LISTEN = '127.0.0.1:3000';

export type MetricsServerErrorCode =
  /** The listen text is not `HOST:PORT` (`[IPv6]:PORT` for IPv6). */
  | 'METRICS_LISTEN_INVALID'
  /** A non-loopback address without `allowBeyondLoopback`. */
  | 'METRICS_LISTEN_BEYOND_LOOPBACK'
  /** The socket could not be bound (port taken, address not ours). */
  | 'METRICS_LISTEN_FAILED';

export class MetricsServerError extends Error {
  readonly code: MetricsServerErrorCode;

  constructor(code: MetricsServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsServerError';
    this.code = code;
  }
}

export interface MetricsServerOptions {
  /** Metrics name servers, tools and consumers: beyond loopback only when asked for (a compose scrape). */
  readonly allowBeyondLoopback?: boolean;
}

export interface MetricsServer {
  /** `http://host:port/metrics`, with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/** Pure: `HOST:PORT` or `[IPv6]:PORT` → parts, or undefined. */
export function parseMetricsListen(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[(?<v6>[0-9A-Fa-f:.]+)\]|(?<host>[^:[\]\s]+)):(?<port>\d{1,5})$/.exec(text);
  const host = match?.groups?.v6 ?? match?.groups?.host;
  const port = Number(match?.groups?.port);
  if (host === undefined || !(port >= 0 && port <= 65535)) return undefined;
  return { host, port };
}

export function isLoopbackListenHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

export async function startMetricsServer(
  listen: string,
  registry: Registry,
  options: MetricsServerOptions = {},
): Promise<MetricsServer> {
  const address = parseMetricsListen(listen);
  if (address === undefined) {
    throw new MetricsServerError(
      'METRICS_LISTEN_INVALID',
      `metrics listen '${listen}' is not HOST:PORT`,
    );
  }
  if (!isLoopbackListenHost(address.host) && options.allowBeyondLoopback !== true) {
    throw new MetricsServerError(
      'METRICS_LISTEN_BEYOND_LOOPBACK',
      `metrics listen '${listen}' is beyond loopback; the metrics name servers, tools and consumers`,
    );
  }
  const server = createServer((request, response) => {
    void answer(request, response, registry);
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (cause: Error): void =>
      reject(
        new MetricsServerError(
          'METRICS_LISTEN_FAILED',
          `metrics listen '${listen}': ${cause.message}`,
          { cause },
        ),
      );
    server.once('error', failed);
    server.listen(address.port, address.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${bound.port}/metrics`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  registry: Registry,
): Promise<void> {
  const path = (request.url ?? '').split('?', 1)[0];
  if (path !== '/metrics') {
    send(response, 404, 'text/plain; charset=utf-8', 'not found: the metrics are at /metrics\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  let body: string;
  try {
    body = await registry.metrics();
  } catch (error) {
    send(
      response,
      500,
      'text/plain; charset=utf-8',
      `collecting metrics failed: ${String(error)}\n`,
    );
    return;
  }
  send(
    response,
    200,
    registry.contentType,
    request.method === 'HEAD' ? '' : body,
    Buffer.byteLength(body),
  );
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  length = Buffer.byteLength(body),
): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': length });
  response.end(body);
}
