// The egress's listening sockets: one TCP listener, and one Unix socket per sandboxed server (its identity).
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { EgressListenError } from './errors.ts';

/** Where a connection arrived: the TCP listener (identity from Proxy-Authorization) or a server's own socket. */
export type ConnectionOrigin =
  | { readonly kind: 'tcp' }
  | { readonly kind: 'server'; readonly server: string };

/** Hands an accepted socket, tagged with where it arrived, to the proxy. */
export type Accept = (socket: Socket, origin: ConnectionOrigin) => void;

/** Server names become file names: keep them to a safe alphabet. */
const serverName = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const maxSocketPath = 107;

function listen(server: Server, options: { host: string; port: number } | { path: string }) {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Parses `HOST:PORT` (IPv6 in brackets); port 0 picks a free port. */
export function parseListen(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: (match[1] ?? match[2])!, port };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export async function listenTcp(
  hostPort: { host: string; port: number },
  accept: Accept,
): Promise<{ server: Server; address: { host: string; port: number } }> {
  const server = createServer({ noDelay: true }, (socket) => accept(socket, { kind: 'tcp' }));
  try {
    await listen(server, hostPort);
  } catch (error) {
    throw new EgressListenError(`${hostPort.host}:${hostPort.port}`, String(error), {
      cause: error,
    });
  }
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : hostPort.port;
  return { server, address: { host: hostPort.host, port } };
}

/** A socket file left by a process that is gone is replaced; one that still answers is someone's. */
export async function clearStaleSocket(path: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isSocket()) throw new EgressListenError(path, 'exists and is not a socket');
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new EgressListenError(path, 'is in use by another process');
  await unlink(path);
}

/** One Unix socket per sandboxed server under `<data>/sockets/`: mode 0600, directory 0700. */
export class ServerSockets {
  private readonly directory: string;
  private readonly accept: Accept;
  private readonly open = new Map<string, { server: Server; path: string }>();

  constructor(dataDir: string, accept: Accept) {
    this.directory = join(dataDir, 'sockets');
    this.accept = accept;
  }

  pathFor(server: string): string {
    return join(this.directory, `${server}.sock`);
  }

  /** Opens (or returns the already open) socket for `server`; resolves to its path. */
  async openServerSocket(server: string): Promise<string> {
    if (!serverName.test(server)) {
      throw new EgressListenError(
        server,
        'is not a valid server name ([A-Za-z0-9_.-], at most 64)',
      );
    }
    const known = this.open.get(server);
    if (known !== undefined) return known.path;
    const path = this.pathFor(server);
    if (Buffer.byteLength(path) > maxSocketPath) {
      throw new EgressListenError(
        path,
        `is longer than ${maxSocketPath} bytes (Unix socket limit)`,
      );
    }
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await chmod(this.directory, 0o700);
    await clearStaleSocket(path);
    const listener = createServer((socket) => this.accept(socket, { kind: 'server', server }));
    try {
      await listen(listener, { path });
      await chmod(path, 0o600);
    } catch (error) {
      listener.close();
      throw new EgressListenError(path, String(error), { cause: error });
    }
    this.open.set(server, { server: listener, path });
    return path;
  }

  async closeServerSocket(server: string): Promise<void> {
    const known = this.open.get(server);
    if (known === undefined) return;
    this.open.delete(server);
    await closeServer(known.server);
    await unlink(known.path).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((server) => this.closeServerSocket(server)));
  }
}

export { closeServer };
