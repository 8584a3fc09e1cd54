// One live MCP connection to an upstream: its SDK Client, the calls in flight, and where their side traffic goes.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
  ResourceUpdatedNotificationSchema,
  ResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { fetchCatalog, watchListChanges } from './catalog.ts';
import { createInFlightCalls, type TrackedCall } from './in-flight.ts';
import { withoutMarker } from './related-request-fetch.ts';
import { tapTransport } from './transport-taps.ts';
import { UpstreamError } from './upstream-errors.ts';
import type { CallContext, ServerRequest, UpstreamCatalog } from './upstream-types.ts';

/** What a connection runs over: a launched process or a remote link, behind one shape. */
export interface Link {
  readonly transport: Transport;
  readonly pid?: number;
  /** Settles with a description ("exited (code 1)") when the other end is gone for good. */
  readonly lost: Promise<string>;
  isSessionGone(error: unknown): boolean;
  isConnectionLost(error: Error): boolean;
  stderrTail(): readonly string[];
  close(): Promise<void>;
}

export interface ConnectionOptions {
  readonly server: string;
  /** Opens a fresh link: the first one, and a new one when a remote forgets its session. */
  readonly openLink: (hooks: { onStreamBroken(id: string | number): void }) => Promise<Link>;
  readonly logger: Logger;
  readonly callTimeoutMs: number;
  readonly listTimeoutMs: number;
  readonly onCatalogChanged: (catalog: UpstreamCatalog) => void;
  /** Called once, after the calls in flight have been failed. */
  readonly onLost: (what: string) => void;
  /** A sign the server may be gone (a call's stream broke): check it now rather than at the next ping. */
  readonly onSuspect?: () => void;
  /** `notifications/resources/updated` from the server (for a URI some session subscribed to). */
  readonly onResourceUpdated?: (params: { uri: string } & Record<string, unknown>) => void;
  /** URIs subscribed on this server: subscribed again on a fresh session after a re-initialisation. */
  readonly subscriptions?: () => Iterable<string>;
}

export interface Connection {
  readonly pid: number | undefined;
  readonly catalog: UpstreamCatalog;
  request(
    method: string,
    params: Record<string, unknown>,
    ctx?: CallContext,
  ): Promise<Record<string, unknown>>;
  ping(timeoutMs: number): Promise<void>;
  stderrTail(): readonly string[];
  /** Fails the calls in flight with "upstream server 'x' <what> while handling <method>", then closes. */
  close(what: string): Promise<void>;
}

/** How long a call that saw the connection close waits for the crash report. */
const closeReportMs = 500;

const clientInfo = { name: 'airlock-gateway', version: '0.1.0' };

/** Sampling, elicitation and roots are relayed to the calling agent, so the gateway offers them all. */
const clientCapabilities = { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} };

export async function openConnection(options: ConnectionOptions): Promise<Connection> {
  const { server, logger } = options;
  const inFlight = createInFlightCalls();
  let sending: TrackedCall | undefined;
  let closed = false;
  let catalog: UpstreamCatalog;

  const failAll = (what: string): void => inFlight.fail(server, what);
  const lose = (what: string): void => {
    if (closed) return;
    closed = true;
    failAll(what);
    options.onLost(what);
  };
  const hooks = {
    onStreamBroken(id: string | number) {
      inFlight.fail(server, 'closed the connection', id);
      options.onSuspect?.();
    },
  };

  const relay = async (request: ServerRequest): Promise<Record<string, unknown>> => {
    const target = inFlight.recipientOf(request.params);
    // Servers often ask for roots right after connecting, outside any call: no agent's roots then.
    if (typeof target === 'string' && request.method === 'roots/list') return { roots: [] };
    if (typeof target === 'string' || !target.ctx?.onServerRequest) {
      const why = typeof target === 'string' ? target : 'the caller cannot answer it';
      logger.debug({ server, method: request.method, why }, 'server request refused');
      throw new McpError(
        ErrorCode.InvalidRequest,
        `${request.method} refused by the gateway: ${why}`,
      );
    }
    return target.ctx.onServerRequest({
      method: request.method,
      params: withoutMarker(request.params),
    });
  };

  const newClient = async (link: Link): Promise<Client> => {
    const client = new Client(clientInfo, { capabilities: clientCapabilities });
    for (const schema of [
      CreateMessageRequestSchema,
      ElicitRequestSchema,
      ListRootsRequestSchema,
    ]) {
      client.setRequestHandler(schema, (request) => relay(request) as never);
    }
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      const target = inFlight.recipientOf(notification.params);
      const params = withoutMarker(notification.params) as typeof notification.params;
      if (typeof target === 'string' || !target.ctx?.onLog) {
        logger.debug({ server, level: params.level }, 'upstream log not routed to a session');
        return;
      }
      target.ctx.onLog(params);
    });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      options.onResourceUpdated?.(notification.params);
    });
    watchListChanges(client, options.listTimeoutMs, {
      onList(list, items) {
        catalog = { ...catalog, [list]: items };
        options.onCatalogChanged(catalog);
      },
      onError(list, error) {
        logger.warn({ server, list, err: String(error) }, 'refreshing the catalog failed');
      },
    });
    client.onerror = (error) => {
      logger.debug({ server, err: error.message }, 'upstream transport error');
      if (link.isConnectionLost(error)) lose('lost its event stream');
    };
    tapTransport(link.transport, {
      onRequestSent(id) {
        if (sending) sending.requestId = id;
        sending = undefined;
      },
      onProgress(token, progress) {
        for (const call of inFlight.withRequestId(token)) call.ctx?.onProgress?.(progress);
      },
    });
    await client.connect(link.transport, { timeout: options.listTimeoutMs });
    return client;
  };

  let current: { link: Link; client: Client } | undefined;
  const connect = async (): Promise<void> => {
    const link = await options.openLink(hooks);
    try {
      const client = await newClient(link);
      current = { link, client };
      link.lost.then((what) => {
        if (current?.link === link) lose(what);
      });
    } catch (error) {
      await link.close();
      throw error;
    }
  };
  await connect();
  try {
    catalog = await fetchCatalog(current!.client, options.listTimeoutMs);
  } catch (error) {
    closed = true;
    await current!.link.close();
    throw error;
  }

  /** A remote that forgot its session: one fresh session, shared by every call that saw it. */
  let reconnecting: Promise<void> | undefined;
  const reconnect = (): Promise<void> => {
    reconnecting ??= (async () => {
      const old = current!;
      current = undefined;
      logger.info({ server }, 'remote session gone; initialising a new one');
      await old.link.close().catch(() => {});
      try {
        await connect();
        for (const uri of options.subscriptions?.() ?? []) {
          await current!.client.subscribeResource({ uri }).catch(() => {});
        }
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        lose(`could not open a new session (${reason})`);
        throw error;
      }
    })().finally(() => {
      reconnecting = undefined;
    });
    return reconnecting;
  };

  const send = (method: string, params: Record<string, unknown>, ctx: CallContext | undefined) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (closed || !current) {
        reject(
          new UpstreamError(
            'UPSTREAM_UNAVAILABLE',
            server,
            `upstream server '${server}' is not connected`,
          ),
        );
        return;
      }
      const call = inFlight.add(method, ctx, reject);
      sending = call;
      current.client
        .request({ method, params }, ResultSchema, {
          signal: ctx?.signal,
          // Asks the upstream for progress (token = request id) and lets it reset the timeout;
          // the progress itself reaches the caller through the transport tap above.
          onprogress: ctx?.onProgress ? () => {} : undefined,
          timeout: options.callTimeoutMs,
          resetTimeoutOnProgress: true,
        })
        .then(
          (result) => {
            inFlight.remove(call);
            resolve(result);
          },
          (error: unknown) => {
            if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed && !closed) {
              // The SDK says only "Connection closed"; the link's report (naming the exit code)
              // follows within milliseconds and fails this call with a clear error instead.
              setTimeout(() => {
                inFlight.remove(call);
                reject(error);
              }, closeReportMs);
              return;
            }
            inFlight.remove(call);
            reject(error);
          },
        );
      sending = undefined;
    });

  return {
    get pid() {
      return current?.link.pid;
    },
    get catalog() {
      return catalog;
    },
    async request(method, params, ctx) {
      const link = current?.link;
      try {
        return await send(method, params, ctx);
      } catch (error) {
        if (!link?.isSessionGone(error) || ctx?.signal.aborted) throw error;
        if (current?.link === link) await reconnect();
        else await reconnecting;
        return send(method, params, ctx);
      }
    },
    async ping(timeoutMs) {
      const link = current?.link;
      try {
        await current?.client.ping({ timeout: timeoutMs });
      } catch (error) {
        if (!link?.isSessionGone(error)) throw error;
        await reconnect();
      }
    },
    stderrTail: () => current?.link.stderrTail() ?? [],
    async close(what) {
      closed = true;
      failAll(what);
      const last = current;
      current = undefined;
      await last?.client.close().catch(() => {});
      await last?.link.close();
    },
  };
}
