// A fetch for the streamable-HTTP client that tags what arrives on a POST's SSE stream with the request it answers.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/**
 * Streamable HTTP delivers a call's progress, logs, sampling and elicitation requests on that call's
 * POST response stream, but the SDK client transport drops that association (`onmessage` gets no
 * extra). This fetch rewrites each SSE event of a POST stream: server requests and notifications get
 * `_meta[relatedRequestKey]` = the id of the request that opened the stream. Any such key the server
 * wrote itself is removed first, on every stream, so only the gateway can set it.
 */
export const relatedRequestKey = 'io.airlock/related-request-id';

/** `params` without the gateway's marker, as the agent must see them. */
export function withoutMarker(
  params: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const copy = { ...(params ?? {}) };
  const meta = copy._meta;
  if (typeof meta === 'object' && meta !== null && relatedRequestKey in meta) {
    const { [relatedRequestKey]: _marker, ...rest } = meta as Record<string, unknown>;
    if (Object.keys(rest).length === 0) delete copy._meta;
    else copy._meta = rest;
  }
  return copy;
}

/** The related request id the gateway put on a message, if any. */
export function markerOf(params: unknown): string | number | undefined {
  const meta = (params as { _meta?: Record<string, unknown> } | undefined)?._meta;
  const related = meta?.[relatedRequestKey];
  return typeof related === 'string' || typeof related === 'number' ? related : undefined;
}

export interface RelatedRequestHooks {
  /** The POST stream of request `id` failed, or ended without its response and without a resume point. */
  onStreamBroken?(id: string | number): void;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requestIdOf(body: unknown): string | number | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const message: unknown = JSON.parse(body);
    if (isObject(message) && typeof message.method === 'string') {
      const id = message.id;
      if (typeof id === 'string' || typeof id === 'number') return id;
    }
  } catch {
    // Not JSON: nothing to tag.
  }
  return undefined;
}

/** One SSE event's data rewritten: marker removed, then set to `related` for server requests/notifications. */
export function retagMessage(data: string, related: string | number | undefined): string {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return data;
  }
  return retagParsed(data, message, related);
}

/** retagMessage on a payload already parsed (each event is parsed once: the response check shares it). */
function retagParsed(data: string, message: unknown, related: string | number | undefined): string {
  if (!isObject(message) || typeof message.method !== 'string') return data;
  const params = isObject(message.params) ? { ...message.params } : {};
  const meta = isObject(params._meta) ? { ...params._meta } : {};
  const hadMarker = relatedRequestKey in meta;
  delete meta[relatedRequestKey];
  if (related !== undefined && message.method !== 'notifications/progress') {
    meta[relatedRequestKey] = related;
  } else if (!hadMarker) {
    return data;
  }
  params._meta = meta;
  if (Object.keys(meta).length === 0) delete params._meta;
  return JSON.stringify({ ...message, params });
}

interface StreamWatch {
  readonly related: string | number | undefined;
  sawResponse: boolean;
  sawEventId: boolean;
}

/** Rewrites one complete SSE event block (its lines without the blank terminator). */
function rewriteEvent(lines: string[], watch: StreamWatch): string {
  const data: string[] = [];
  const other: string[] = [];
  for (const line of lines) {
    if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    else other.push(line);
    if (line.startsWith('id:')) watch.sawEventId = true;
  }
  if (data.length === 0) return `${lines.join('\n')}\n\n`;
  const payload = data.join('\n');
  let message: unknown;
  try {
    message = JSON.parse(payload);
  } catch {
    return `${lines.join('\n')}\n\n`;
  }
  if (
    watch.related !== undefined &&
    isObject(message) &&
    message.method === undefined &&
    message.id === watch.related
  )
    watch.sawResponse = true;
  const rewritten = retagParsed(payload, message, watch.related);
  const dataLines = rewritten === payload ? data : [rewritten];
  return `${[...other, ...dataLines.map((d) => `data: ${d}`)].join('\n')}\n\n`;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * The body with each complete event rewritten, decoded in the pull itself (no TextDecoderStream stage);
 * a chunk is split only from the last incomplete line on, so a large event is not re-split per chunk.
 */
function rewriteStream(
  body: ReadableStream<Uint8Array>,
  watch: StreamWatch,
  onBroken: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffered = '';
  let pending: string[] = [];
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          if (!watch.sawResponse) onBroken();
          controller.error(error);
          return;
        }
        if (chunk.done) {
          if (!watch.sawResponse && !watch.sawEventId) onBroken();
          controller.close();
          return;
        }
        const text = decoder.decode(chunk.value, { stream: true });
        // A chunk without a line break only grows the current line (a lone \r may still pair with a \n).
        if (!text.includes('\n') && !text.includes('\r')) {
          buffered += text;
          continue;
        }
        buffered += text;
        const lines = buffered.split(LINE_BREAK);
        buffered = lines.pop() ?? '';
        let out = '';
        for (const line of lines) {
          if (line === '') {
            if (pending.length > 0) out += rewriteEvent(pending, watch);
            pending = [];
          } else {
            pending.push(line);
          }
        }
        if (out.length > 0) {
          controller.enqueue(encoder.encode(out));
          return;
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

export function createRelatedRequestFetch(
  hooks: RelatedRequestHooks = {},
  base: FetchLike = fetch,
): FetchLike {
  return async (url, init) => {
    const response = await base(url, init);
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.body || !contentType.toLowerCase().startsWith('text/event-stream'))
      return response;
    const related = init?.method === 'POST' ? requestIdOf(init.body) : undefined;
    const watch: StreamWatch = { related, sawResponse: false, sawEventId: false };
    const onBroken = (): void => {
      if (related !== undefined) hooks.onStreamBroken?.(related);
    };
    return new Response(rewriteStream(response.body, watch, onBroken), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
