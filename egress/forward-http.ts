// Forwards one allowed absolute-form HTTP request to exactly the address the guard passed, streaming both ways.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { DenyResponse } from './deny-response.ts';
import { upstreamFailure } from './deny-response.ts';
import type { Exchange } from './exchange.ts';
import { forwardHeaders } from './forward-headers.ts';
import type { UpstreamPools } from './upstream-pools.ts';

/** Counts the bytes that pass, for the record, without buffering them (request bodies only). */
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

/** undici's raw response headers (Buffers, or strings) → the flat string list Node's writeHead takes. */
function rawStrings(raw: readonly (Buffer | string)[]): string[] {
  const list: string[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const item = raw[i]!;
    list[i] = typeof item === 'string' ? item : item.toString('latin1');
  }
  return list;
}

/** The parsed header object, when undici did not keep the raw list (never in practice for HTTP/1.1). */
function objectToRaw(headers: Record<string, string | string[] | undefined>): string[] {
  const raw: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') raw.push(name, value);
    else for (const one of value) raw.push(name, one);
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

/** SSE answers flush their headers at once: the client must see the stream open before the first event. */
function isEventStream(contentType: string | string[] | undefined): boolean {
  const value = typeof contentType === 'string' ? contentType : contentType?.[0];
  return value?.trimStart().toLowerCase().startsWith('text/event-stream') === true;
}

/**
 * Relays one exchange through undici's dispatcher API: headers, then each chunk written straight to the
 * client (pausing upstream while the client is slow), bytes counted on the way, no extra streams.
 */
class ForwardHandler implements Dispatcher.DispatchHandler {
  private readonly res: ServerResponse;
  private readonly exchange: Exchange;
  private readonly writeRefusal: (response: DenyResponse) => number;
  private readonly done: () => void;
  private controller: Dispatcher.DispatchController | undefined;
  private clientGone = false;
  private settled = false;
  private bodyStarted = false;

  constructor(
    res: ServerResponse,
    exchange: Exchange,
    writeRefusal: (response: DenyResponse) => number,
    done: () => void,
  ) {
    this.res = res;
    this.exchange = exchange;
    this.writeRefusal = writeRefusal;
    this.done = done;
    res.on('close', this.onClientClose);
  }

  private readonly onClientClose = (): void => {
    if (this.res.writableFinished || this.settled) return;
    this.clientGone = true;
    this.controller?.abort(clientAborted());
  };

  private readonly onDrain = (): void => this.controller?.resume();

  /** Headers of a non-SSE answer wait one turn for the first body bytes, so both leave in one write. */
  private readonly flushIfIdle = (): void => {
    if (!this.bodyStarted && !this.settled && !this.res.destroyed) this.res.flushHeaders();
  };

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(clientAborted());
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // 1xx: the final answer follows
    this.exchange.record.status = statusCode;
    const raw = Array.isArray(controller.rawHeaders)
      ? rawStrings(controller.rawHeaders)
      : objectToRaw(headers);
    try {
      this.res.writeHead(statusCode, forwardHeaders(raw));
    } catch (error) {
      controller.abort(error as Error);
      return;
    }
    if (isEventStream(headers['content-type'])) this.res.flushHeaders();
    else setImmediate(this.flushIfIdle);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bodyStarted = true;
    this.exchange.record.bytesDown += chunk.length;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', this.onDrain);
    }
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.res.end();
    this.settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.settled) return;
    const record = this.exchange.record;
    const code = errorCode(error);
    if (this.clientGone || abortCodes.has(code) || error.name === 'AbortError') {
      record.error = record.error ?? 'CLIENT_ABORTED';
    } else {
      record.error = code;
      if (!this.res.headersSent) {
        const response = upstreamFailure(failureStatus(code), code);
        record.status = response.status;
        record.bytesDown = this.writeRefusal(response);
      } else {
        this.res.destroy();
      }
    }
    this.settle();
  }

  private settle(): void {
    this.settled = true;
    this.res.off('close', this.onClientClose);
    this.res.off('drain', this.onDrain);
    this.exchange.finish();
    this.done();
  }
}

function clientAborted(): Error {
  return Object.assign(new Error('client went away'), { code: 'CLIENT_ABORTED' });
}

/**
 * Sends the request on and streams the answer back. Resolves when the exchange is over (either way);
 * never rejects. A failure before the response started becomes a 502/504 the client sees.
 */
export function forwardHttp(
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
  const headers = withoutSetHere(forwardHeaders(req.rawHeaders));
  headers.push('host', target.url.host);
  const body = hasBody(req) ? req.pipe(byteCounter((n) => (record.bytesUp += n))) : null;
  return new Promise((resolve) => {
    const handler = new ForwardHandler(res, exchange, writeRefusal, resolve);
    try {
      pool.dispatch(
        {
          method: req.method ?? 'GET',
          path: `${target.url.pathname}${target.url.search}`,
          headers,
          body,
        },
        handler,
      );
    } catch (error) {
      // dispatch throws only on arguments undici refuses; the client gets a 502 like any upstream failure.
      handler.onResponseError(undefined as never, error as Error);
    }
  });
}
