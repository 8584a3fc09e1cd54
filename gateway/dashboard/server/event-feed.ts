// The live feed: server-sent events to every open /api/events stream, with a heartbeat comment so proxies keep it open.
import type { ServerResponse } from 'node:http';

export type FeedEventType = 'call' | 'egress' | 'block' | 'session' | 'server' | 'config';

export interface EventFeed {
  publish(type: FeedEventType, data: unknown): void;
  /** Takes over the response until the client goes away or the feed closes. */
  attach(response: ServerResponse): void;
  readonly clients: number;
  close(): void;
}

export const HEARTBEAT_MS = 15_000;

/** One SSE message; JSON never holds a raw newline, so `data:` is one line. */
export function sseMessage(id: number, type: FeedEventType, data: unknown): string {
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function createEventFeed(options: { readonly heartbeatMs?: number } = {}): EventFeed {
  const streams = new Set<ServerResponse>();
  let nextId = 1;
  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.write(': heartbeat\n\n');
  }, options.heartbeatMs ?? HEARTBEAT_MS).unref();

  return {
    publish(type, data) {
      if (streams.size === 0) return;
      const message = sseMessage(nextId++, type, data);
      for (const stream of streams) stream.write(message);
    },
    attach(response) {
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // The comment flushes the headers at once, so the browser's EventSource opens now.
      response.write(': connected\n\n');
      streams.add(response);
      response.on('close', () => streams.delete(response));
    },
    get clients() {
      return streams.size;
    },
    close() {
      clearInterval(heartbeat);
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}
