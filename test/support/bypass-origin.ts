// A counting origin for the bypass suite: listens on one loopback address and counts every TCP connection and request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';

export interface CountingOrigin {
  readonly host: string;
  readonly port: number;
  /** TCP connections accepted: a tunnel that never speaks HTTP still counts. */
  connections(): number;
  /** HTTP requests seen, as `METHOD url`. */
  readonly requests: string[];
  /** Requests whose body arrived complete (a torn body must never count here). */
  readonly completed: string[];
  close(): Promise<void>;
}

/**
 * Starts on `host:port` (port 0: any free port), HTTPS when `tls` is given; answers
 * `origin <host> <path>` to every request.
 */
export async function startCountingOrigin(
  host: string,
  port = 0,
  tls?: { cert: string; key: string },
): Promise<CountingOrigin> {
  let connections = 0;
  const requests: string[] = [];
  const completed: string[] = [];
  const sockets = new Set<Socket>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      completed.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`origin ${host} ${req.url}`);
    });
  };
  const server: Server = tls ? createTlsServer(tls, handle) : createServer(handle);
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    host,
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    requests,
    completed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
