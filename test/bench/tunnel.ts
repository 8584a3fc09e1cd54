// The bench's tunnel client: a byte stream to the origin's source, straight or through a CONNECT.
import { connect, type Socket } from 'node:net';
import { LOOPBACK } from './net-util.ts';
import type { Target } from './target.ts';

const HEADER_LIMIT = 16 * 1024;

/**
 * Opens a byte stream to the origin's TCP source: straight for `direct`, else a CONNECT through the
 * proxy. The socket comes back paused, with any bytes that followed the proxy's answer put back.
 */
export function openTunnel(target: Target, originPort: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const port = target.proxied ? target.port : originPort;
    const socket = connect({ host: LOOPBACK, port, noDelay: true });
    let head = Buffer.alloc(0);
    const settle = (error: Error | null) => {
      socket.off('data', onData);
      socket.off('error', settle);
      socket.off('close', onClose);
      socket.setTimeout(0);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        socket.pause();
        resolve(socket);
      }
    };
    const onClose = () => settle(new Error('connection closed before the tunnel opened'));
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > HEADER_LIMIT) settle(new Error('CONNECT response header too large'));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.[01] 200\b/.test(statusLine)) {
        settle(new Error(`CONNECT refused: ${statusLine}`));
        return;
      }
      settle(null);
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
    };
    socket.once('error', settle);
    socket.once('close', onClose);
    socket.setTimeout(10_000, () => settle(new Error('tunnel not open after 10 s')));
    if (!target.proxied) {
      socket.once('connect', () => settle(null));
      return;
    }
    const authority = `${target.originHost}:${originPort}`;
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
    socket.on('data', onData);
  });
}

/** Asks the source for `bytes` and reads them all; resolves with the bytes actually received. */
export function drain(socket: Socket, bytes: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    // A proxy that never passes the origin's close on would otherwise hang the bench.
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of stream after ${timeoutMs} ms (${received} of ${bytes} bytes)`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.once('end', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(`${bytes}\n`);
    socket.resume();
  });
}
