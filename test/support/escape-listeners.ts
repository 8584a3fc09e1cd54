// Host-side loopback listeners that count what reaches them: the targets of sandbox escape attempts (never off-machine).
import dgram from 'node:dgram';
import net from 'node:net';

/** A listener on the host's loopback; `count()` is connections (TCP) or datagrams (UDP) received. */
export interface CountingListener {
  readonly host: string;
  readonly port: number;
  count(): number;
  close(): Promise<void>;
}

export async function startTcpListener(host: '127.0.0.1' | '::1'): Promise<CountingListener> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nescaped');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    host,
    port,
    count: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `answer` turns each datagram into a reply (the DNS responder); without it datagrams are only counted. */
export async function startUdpListener(
  host: '127.0.0.1' | '::1',
  answer?: (query: Buffer) => Buffer | undefined,
): Promise<CountingListener> {
  let datagrams = 0;
  const socket = dgram.createSocket(host === '::1' ? 'udp6' : 'udp4');
  socket.on('message', (message, from) => {
    datagrams += 1;
    const reply = answer?.(message);
    if (reply) socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  const { port } = socket.address();
  return {
    host,
    port,
    count: () => datagrams,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/**
 * A minimal DNS reply: the query's id and question, one A record 127.0.0.1. A sandbox that lets the
 * query out would see an answer, and the count would show it.
 */
export function dnsAnswer(query: Buffer): Buffer | undefined {
  if (query.length < 12) return undefined;
  // The question ends at the zero-length root label, then QTYPE and QCLASS (4 bytes).
  let end = 12;
  while (end < query.length && query[end] !== 0) end += (query[end] ?? 0) + 1;
  const question = query.subarray(12, end + 5);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180, 2); // response, recursion desired + available, no error
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(1, 6);
  const record = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
  return Buffer.concat([header, question, record]);
}

export function startDnsResponder(): Promise<CountingListener> {
  return startUdpListener('127.0.0.1', dnsAnswer);
}

/** A counting HTTP-ish listener on a Unix socket path (a stand-in Docker socket when the host has none). */
export async function startUnixListener(
  path: string,
): Promise<Omit<CountingListener, 'host' | 'port'>> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.on('error', () => {});
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return {
    count: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
