// Opens an allowed CONNECT tunnel to exactly the address the guard passed, pipes both ways, counts bytes at close.
import { connect, type Socket } from 'node:net';
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

const established = 'HTTP/1.1 200 Connection established\r\n\r\n';

function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'UPSTREAM_ERROR';
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
  const upstream = connect({ host: ip, port, noDelay: true });
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
    // Plain pipes both ways and no per-chunk JS: the byte counts come from the sockets when they close.
    client.pipe(upstream);
    upstream.pipe(client);
  });

  // Every byte of the tunnel passes the client socket, so its inactivity is the tunnel's.
  client.setTimeout(options.idleTimeoutMs, () => {
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
