// The bench origin, run as its own process: a small-body HTTP server and a TCP byte source on loopback.
// Prints {"http": port, "tcp": port} on one line once both listen.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';

const BODY = Buffer.from('hello from the airlock bench origin\n');
const CHUNK = Buffer.alloc(256 * 1024, 0x61);
const MAX_SOURCE_BYTES = 4 * 1024 ** 3;
const counts = { http: 0, tcp: 0 };

const http = createHttpServer((request, response) => {
  if (request.url === '/__stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(counts));
    return;
  }
  counts.http += 1;
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  response.end(BODY);
});
// Longer than any measured run, so pooled proxy connections are never closed under load.
http.keepAliveTimeout = 60_000;

/** Protocol: the client sends a decimal byte count and a newline; the origin sends that many bytes and ends. */
function serveSource(socket: Socket): void {
  counts.tcp += 1;
  socket.setNoDelay(true);
  let line = '';
  const onData = (chunk: Buffer) => {
    line += chunk.toString('latin1');
    const end = line.indexOf('\n');
    if (end < 0) {
      if (line.length > 32) socket.destroy();
      return;
    }
    socket.off('data', onData);
    const total = Number(line.slice(0, end));
    if (!Number.isSafeInteger(total) || total < 0 || total > MAX_SOURCE_BYTES) {
      socket.destroy();
      return;
    }
    sendBytes(socket, total);
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
}

function sendBytes(socket: Socket, total: number): void {
  let left = total;
  const pump = () => {
    while (left > 0) {
      const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= piece.length;
      if (!socket.write(piece)) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}

// A deep write buffer keeps the source ahead of the kernel, so the source itself is never the bottleneck.
const tcp = createTcpServer({ highWaterMark: 4 * 1024 * 1024 }, serveSource);

function listen(server: { listen(port: number, host: string, cb: () => void): unknown }) {
  return new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
}

await Promise.all([listen(http), listen(tcp)]);
const port = (server: typeof http | typeof tcp) => {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
};
process.stdout.write(`${JSON.stringify({ http: port(http), tcp: port(tcp) })}\n`);
// The bench kills this process; the parent's death closes stdin, which ends it too.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
