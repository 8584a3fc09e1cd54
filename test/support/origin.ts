// A local origin server (HTTP or HTTPS) on 127.0.0.1 that counts what reached it: the far side of every e2e test.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly bodyBytes: number;
}

export interface Origin {
  readonly port: number;
  /** Every request that reached the origin, in order. */
  readonly seen: SeenRequest[];
  /** TCP connections accepted so far (pooling shows as fewer connections than requests). */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Routes: `/echo` answers the request body back; `/bytes?n=N` streams N bytes in 64 KiB chunks;
 * `/sse?events=N&gapMs=M` sends N server-sent events M ms apart; anything else: `hello <path>`.
 */
function handle(seen: SeenRequest[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let bodyBytes = 0;
    const chunks: Buffer[] = [];
    const url = new URL(req.url ?? '/', 'http://origin');
    const echo = url.pathname === '/echo';
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (echo) chunks.push(chunk);
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes });
      if (echo) {
        const body = Buffer.concat(chunks);
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': body.length,
        });
        res.end(body);
      } else if (url.pathname === '/bytes') {
        streamBytes(res, Number(url.searchParams.get('n') ?? '0'));
      } else if (url.pathname === '/sse') {
        streamEvents(
          res,
          Number(url.searchParams.get('events') ?? '3'),
          Number(url.searchParams.get('gapMs') ?? '50'),
        );
      } else {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-origin': 'yes' });
        res.end(`hello ${url.pathname}`);
      }
    });
  };
}

function streamBytes(res: ServerResponse, total: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let left = total;
  const write = () => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) {
        res.once('drain', write);
        return;
      }
    }
    res.end();
  };
  write();
}

function streamEvents(res: ServerResponse, events: number, gapMs: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    res.write(`id: ${sent}\ndata: event ${sent} at ${Date.now()}\n\n`);
    sent += 1;
    if (sent >= events) {
      clearInterval(timer);
      res.end();
    }
  }, gapMs);
  res.on('close', () => clearInterval(timer));
}

async function listen(server: Server, seen: SeenRequest[]): Promise<Origin> {
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function startHttpOrigin(): Promise<Origin> {
  const seen: SeenRequest[] = [];
  return listen(createHttpServer(handle(seen)), seen);
}

export function startHttpsOrigin(tls: { cert: string; key: string }): Promise<Origin> {
  const seen: SeenRequest[] = [];
  return listen(createHttpsServer({ cert: tls.cert, key: tls.key }, handle(seen)), seen);
}
