// A tunnel delivers every byte intact, in order, both ways, even when the client reads slowly (reused read buffers).
import { createHash } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EgressRecord } from './egress-record.ts';
import { Exchange } from './exchange.ts';
import { openTunnel } from './tunnel.ts';

const DOWNLOAD_BYTES = 8 * 1024 * 1024 + 123; // not a multiple of any buffer size
const established = 'HTTP/1.1 200 Connection established\r\n\r\n';

/** Deterministic, non-repeating-looking bytes: a shifted or reused chunk changes the digest. */
function payload(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let x = 2463534242;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

describe('openTunnel', () => {
  const download = payload(DOWNLOAD_BYTES);
  const upload = payload(3 * 1024 * 1024 + 7).reverse();
  const records: EgressRecord[] = [];
  let uploadDigest = '';
  let origin: Server;
  let proxy: Server;
  let proxyPort = 0;

  beforeAll(async () => {
    // The origin sends the download at once while it hashes the upload as it arrives.
    origin = createServer((socket) => {
      const hash = createHash('sha256');
      let received = 0;
      socket.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        received += chunk.length;
        if (received !== upload.length) return;
        uploadDigest = hash.digest('hex');
        // Ends only once the upload is in: a tunnel closes both ways when the origin ends.
        socket.end();
      });
      socket.write(download);
    });
    const originPort = await listen(origin);
    proxy = createServer((client: Socket) => {
      const exchange = new Exchange((record) => records.push(record), 'test', 'CONNECT');
      openTunnel(
        client,
        Buffer.alloc(0),
        '127.0.0.1',
        originPort,
        exchange,
        { connectTimeoutMs: 2_000, idleTimeoutMs: 10_000, track: () => {} },
        () => client.destroy(),
      );
    });
    proxyPort = await listen(proxy);
  });

  afterAll(() => {
    origin.close();
    proxy.close();
  });

  it('delivers a download intact to a client that reads slowly, and an upload intact to the origin', async () => {
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect({ host: '127.0.0.1', port: proxyPort });
      socket.write(upload);
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        // Stall now and then so the tunnel must hold its buffer while the client is behind.
        if (chunks.length % 8 === 0) {
          socket.pause();
          setTimeout(() => socket.resume(), 2);
        }
      });
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
    expect(received.subarray(0, established.length).toString('latin1')).toBe(established);
    const body = received.subarray(established.length);
    expect(body.length).toBe(DOWNLOAD_BYTES);
    expect(sha(body)).toBe(sha(download));
    await expect.poll(() => uploadDigest).toBe(sha(upload));
    await expect.poll(() => records.length).toBe(1);
    expect(records[0]).toMatchObject({ bytesDown: DOWNLOAD_BYTES, bytesUp: upload.length });
  });
});
