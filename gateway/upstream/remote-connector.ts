// Connects to remote MCP servers (SSE, streamable HTTP) with resolved headers; knows when a session is gone.
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RemoteServerSpec } from '../config/types.ts';
import { createRelatedRequestFetch, type RelatedRequestHooks } from './related-request-fetch.ts';

export interface RemoteLink {
  readonly transport: Transport;
  /** Whether an error from a request means the server forgot this session (re-initialise and retry once). */
  isSessionGone(error: unknown): boolean;
  /** Whether a transport error means the connection is lost for good (SSE stream broken). */
  isConnectionLost(error: Error): boolean;
}

export interface RemoteConnectOptions extends RelatedRequestHooks {
  readonly fetch?: FetchLike;
}

/**
 * A forgotten session is HTTP 404 per the spec. Many servers (the reference "everything" server
 * among them) answer 400 "No valid session ID" instead; that is treated the same: the request was
 * refused before it ran, so retrying it once on a fresh session cannot run it twice.
 */
export function sessionGone(error: unknown): boolean {
  if (!(error instanceof StreamableHTTPError)) return false;
  if (error.code === 404) return true;
  return error.code === 400 && /session/i.test(error.message);
}

export function connectRemote(
  spec: RemoteServerSpec,
  headers: Readonly<Record<string, string>>,
  options: RemoteConnectOptions = {},
): RemoteLink {
  const url = new URL(spec.url);
  const requestInit: RequestInit = { headers: { ...headers } };
  if (spec.transport === 'sse') {
    const transport = new SSEClientTransport(url, {
      requestInit,
      fetch: options.fetch,
      eventSourceInit: options.fetch ? { fetch: options.fetch } : undefined,
    });
    return {
      transport,
      isSessionGone: () => false,
      // The SSE stream is the session: once it breaks, a reconnect would land on a new,
      // uninitialised session, so the upstream reconnects from scratch instead.
      isConnectionLost: (error) => error instanceof SseError,
    };
  }
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit,
    fetch: createRelatedRequestFetch(
      { onStreamBroken: options.onStreamBroken },
      options.fetch ?? fetch,
    ),
    // The GET stream is optional; a dead server is found by ping, not by retrying the stream.
    reconnectionOptions: {
      initialReconnectionDelay: 1_000,
      maxReconnectionDelay: 5_000,
      reconnectionDelayGrowFactor: 2,
      maxRetries: 2,
    },
  });
  return { transport, isSessionGone: sessionGone, isConnectionLost: () => false };
}
