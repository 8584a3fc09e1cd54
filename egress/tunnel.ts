// Opens an allowed CONNECT tunnel to exactly the address the guard passed, pipes both ways, counts bytes at close.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type DenyResponse, upstreamFailure } from './deny-response.ts';
import type { Exchange } from './exchange.ts';

export interface TunnelOptions {
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** Lets the owner destroy open tunnels on shutdown and count them. */
  readonly track: (upstream: Socket) => void;
  readonly onOpen?: () => void;
  readonly onClose?: () => void;
}

/** Encoded once: every tunnel sends the same bytes. */
const established = Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n', 'latin1');

/**
 * Each tunnel reads into its own buffer, small at first (most tunnels carry little) and grown once a
 * read fills it: 4× Node's default read size, so a fast download takes 4× fewer reads.
 */
const FIRST_READ_BYTES = 16 * 1024;
const READ_BUFFER_BYTES = 256 * 1024;

function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'UPSTREAM_ERROR';
}

/**
 * Calls `onIdle` once no byte has crossed `socket` (either way) for `idleMs`, to within a quarter of it.
 * Sampled by one timer rather than a socket timeout, which re-arms on every chunk: on a fast tunnel
 * that re-arming cost more than the copy itself. Returns the function that stops watching.
 */
function watchIdle(socket: Socket, idleMs: number, onIdle: () => void): () => void {
  // The HTTP server armed its own socket timeout; left on, it would still re-arm on every chunk.
  socket.setTimeout(0);
  const moved = () => socket.bytesRead + socket.bytesWritten;
  let last = moved();
  let quietSince = performance.now();
  const timer = setInterval(
    () => {
      const now = moved();
      if (now !== last) {
        last = now;
        quietSince = performance.now();
      } else if (performance.now() - quietSince >= idleMs) {
        clearInterval(timer);
        onIdle();
      }
    },
    Math.max(Math.ceil(idleMs / 4), 10),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Dials ip:port; on success answers 200 and splices client and origin until either side ends.
 * On failure answers 502 (or 504 on connect timeout) through `writeRefusal`. Never throws.
 */
export function openTunnel(
  client: Socket,
  head: Buffer,
  ip: string,
  port: number,
  exchange: Exchange,
  options: TunnelOptions,
  writeRefusal: (response: DenyResponse) => void,
): void {
  const record = exchange.record;
  let waiting = false;
  let readBuffer = Buffer.allocUnsafe(FIRST_READ_BYTES);
  // Called after each write: only when nothing is left queued is the read buffer free again.
  const resumeUpstream = () => {
    if (!waiting || client.writableLength > 0) return;
    waiting = false;
    upstream.resume();
  };
  const upstream: Socket = connect({
    host: ip,
    port,
    noDelay: true,
    // Origin → client, the direction downloads take, reads into a buffer reused for the whole tunnel:
    // larger reads, so fewer system calls, and no allocation per chunk.
    onread: {
      buffer: () => readBuffer,
      callback: (bytes, buffer) => {
        if (client.destroyed) return false;
        client.write(buffer.subarray(0, bytes), resumeUpstream);
        // A read that filled the buffer means a download: the next reads get the large buffer.
        if (bytes === buffer.length && buffer.length < READ_BUFFER_BYTES) {
          readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
        }
        // The next read reuses the buffer: hold it until the kernel has taken this chunk.
        if (client.writableLength > 0) {
          waiting = true;
          upstream.pause();
        }
        return true;
      },
    },
  });
  options.track(upstream);
  let opened = false;
  let upstreamClosed = false;
  let clientClosed = false;

  const connectTimer = setTimeout(() => {
    upstream.destroy(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' }));
  }, options.connectTimeoutMs);

  // The record is written once both sockets are gone, so bytes and errors are final.
  const settle = () => {
    if (!upstreamClosed || !clientClosed) return;
    clearTimeout(connectTimer);
    stopWatching();
    if (opened) {
      // What the origin was sent (the client's early bytes included) and what it sent back.
      record.bytesUp = upstream.bytesWritten;
      record.bytesDown = upstream.bytesRead;
    }
    if (opened) options.onClose?.();
    exchange.finish();
  };

  upstream.once('connect', () => {
    clearTimeout(connectTimer);
    opened = true;
    options.onOpen?.();
    client.write(established);
    if (head.length > 0) upstream.write(head);
    // No per-chunk bookkeeping either way: the byte counts come from the sockets when they close.
    client.pipe(upstream);
  });

  // Every byte of the tunnel passes the client socket, so its inactivity is the tunnel's.
  const stopWatching = watchIdle(client, options.idleTimeoutMs, () => {
    record.error = record.error ?? 'IDLE_TIMEOUT';
    upstream.destroy();
    client.destroy();
  });

  upstream.on('error', (error) => {
    const code = codeOf(error);
    record.error = record.error ?? code;
    if (!opened) {
      const status = code === 'CONNECT_TIMEOUT' ? 504 : 502;
      record.status = status;
      writeRefusal(upstreamFailure(status, code));
      return;
    }
    client.destroy();
  });
  client.on('error', (error) => {
    record.error = record.error ?? codeOf(error);
    upstream.destroy();
  });
  // The origin finished: let what is buffered reach the client, then the client side closes.
  upstream.on('close', () => {
    upstreamClosed = true;
    if (opened) client.end();
    settle();
  });
  // The client is gone: nothing more can be delivered.
  client.on('close', () => {
    clientClosed = true;
    if (!opened) record.error = record.error ?? 'CLIENT_CLOSED';
    upstream.destroy();
    settle();
  });
}
