// Forwards one allowed absolute-form HTTP request to exactly the address the guard passed, streaming both ways.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';
import type { DenyResponse } from './deny-response.ts';
import { upstreamFailure } from './deny-response.ts';
import type { Exchange } from './exchange.ts';
import { forwardHeaders } from './forward-headers.ts';

export interface UpstreamOptions {
  readonly connectTimeoutMs: number;
  /** Longest silence between bytes (headers or body); there is no total timeout so SSE streams live. */
  readonly idleTimeoutMs: number;
  /** Extra CA certificates for https origins (tests, private providers); the system store otherwise. */
  readonly ca?: string | readonly string[];
}

const maxPools = 512;

/** Keep-alive connection pools, one per dialed address + TLS name, so a pool never reaches another address. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  private readonly options: UpstreamOptions;

  constructor(options: UpstreamOptions) {
    this.options = options;
  }

  poolFor(scheme: 'http' | 'https', ip: string, port: number, host: string): Pool {
    const address = isIP(ip) === 6 ? `[${ip}]` : ip;
    const origin = `${scheme}://${address}:${port}`;
    const key = `${origin} ${host}`;
    let pool = this.pools.get(key);
    if (pool !== undefined) {
      // Most recently used last, so the first entry is the one to retire when there are too many.
      this.pools.delete(key);
      this.pools.set(key, pool);
    } else {
      const ca = this.options.ca === undefined ? undefined : [this.options.ca].flat();
      pool = new Pool(origin, {
        connections: 64,
        connectTimeout: this.options.connectTimeoutMs,
        headersTimeout: this.options.idleTimeoutMs,
        bodyTimeout: this.options.idleTimeoutMs,
        connect:
          scheme === 'https'
            ? { servername: isIP(host) === 0 ? host : undefined, ...(ca ? { ca } : {}) }
            : undefined,
      });
      this.pools.set(key, pool);
      this.retireOldest();
    }
    return pool;
  }

  /** Bounds memory when servers reach many hosts: the least recently used pool finishes its requests and closes. */
  private retireOldest(): void {
    while (this.pools.size > maxPools) {
      const [key, pool] = this.pools.entries().next().value!;
      this.pools.delete(key);
      pool.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.destroy()));
  }
}

/** Counts the bytes that pass, for the record, without buffering them. */
function byteCounter(count: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      count(chunk.length);
      callback(null, chunk);
    },
  });
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Object headers (undici's response) → a raw list, so the same hop-by-hop filter serves both ways. */
function rawList(headers: Record<string, string | string[] | undefined>): string[] {
  const raw: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of [value].flat()) raw.push(name, one);
  }
  return raw;
}

/** The proxy sets Host itself; `Expect` was already answered by the proxy's HTTP server. */
const setHere = new Set(['host', 'expect']);

function withoutSetHere(raw: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (!setHere.has(name.toLowerCase())) kept.push(name, raw[i + 1]!);
  }
  return kept;
}

/** undici's error code → the status the client sees: timeouts are 504, everything else 502. */
function failureStatus(code: string): 502 | 504 {
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' ? 504 : 502;
}

/** Codes that mean the client went away (our abort, or the response stream closed under us). */
const abortCodes = new Set(['UND_ERR_ABORTED', 'ABORT_ERR', 'ERR_STREAM_PREMATURE_CLOSE']);

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (typeof cause?.code === 'string') return cause.code;
  }
  return 'UPSTREAM_ERROR';
}

export interface ForwardTarget {
  readonly url: URL;
  readonly ip: string;
}

/**
 * Sends the request on and streams the answer back. Resolves when the exchange is over (either way);
 * never rejects. A failure before the response started becomes a 502/504 the client sees.
 */
export async function forwardHttp(
  pools: UpstreamPools,
  req: IncomingMessage,
  res: ServerResponse,
  target: ForwardTarget,
  exchange: Exchange,
  writeRefusal: (response: DenyResponse) => number,
): Promise<void> {
  const record = exchange.record;
  const scheme = target.url.protocol === 'https:' ? 'https' : 'http';
  const port = Number(target.url.port) || (scheme === 'https' ? 443 : 80);
  const pool = pools.poolFor(scheme, target.ip, port, target.url.hostname);
  const abort = new AbortController();
  const onClientGone = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on('close', onClientGone);

  const headers = withoutSetHere(forwardHeaders(req.rawHeaders));
  headers.push('host', target.url.host);
  const body = hasBody(req) ? req.pipe(byteCounter((n) => (record.bytesUp += n))) : undefined;

  try {
    const answer = await pool.request({
      method: req.method ?? 'GET',
      path: `${target.url.pathname}${target.url.search}`,
      headers,
      body,
      signal: abort.signal,
    });
    record.status = answer.statusCode;
    res.writeHead(answer.statusCode, forwardHeaders(rawList(answer.headers)));
    res.flushHeaders();
    await pipeline(
      answer.body,
      byteCounter((n) => (record.bytesDown += n)),
      res,
    );
  } catch (error) {
    const code = errorCode(error);
    // When the origin fails mid-stream, the pipeline closes the client side too, which trips the
    // abort: the upstream's own code (a timeout, a reset) is what the record must keep.
    if (abortCodes.has(code) || (error as { name?: unknown }).name === 'AbortError') {
      record.error = record.error ?? 'CLIENT_ABORTED';
    } else {
      record.error = code;
      if (!res.headersSent) {
        const response = upstreamFailure(failureStatus(code), code);
        record.status = response.status;
        record.bytesDown = writeRefusal(response);
      } else {
        res.destroy();
      }
    }
  } finally {
    res.off('close', onClientGone);
    exchange.finish();
  }
}
