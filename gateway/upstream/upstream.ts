// One supervised upstream: connects, keeps its catalog, restarts it with backoff after a crash, pings it.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  CallToolResult,
  CompleteResult,
  GetPromptResult,
  ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { RemoteServerSpec, ServerSpec, StdioServerSpec } from '../config/types.ts';
import { attemptAfterCrash, type BackoffPolicy, defaultBackoff, nextDelay } from './backoff.ts';
import { type Connection, type Link, openConnection } from './connection.ts';
import type { Launcher } from './launcher.ts';
import { remoteLink, stdioLink } from './links.ts';
import { unavailable } from './upstream-errors.ts';
import {
  emptyCatalog,
  type Upstream,
  type UpstreamCatalog,
  type UpstreamPhase,
  type UpstreamState,
} from './upstream-types.ts';

export interface UpstreamTuning {
  readonly backoff?: BackoffPolicy;
  /** Liveness ping period (default 30 s; 0 turns it off). A failed ping counts as a crash. */
  readonly pingIntervalMs?: number;
  readonly pingTimeoutMs?: number;
  /** Per-call timeout, reset by every progress notification (default 10 min). */
  readonly callTimeoutMs?: number;
  /** Handshake and list timeout (default 30 s). */
  readonly listTimeoutMs?: number;
  /** fetch for remote servers (tests). */
  readonly fetch?: FetchLike;
}

export interface UpstreamOptions extends UpstreamTuning {
  readonly spec: ServerSpec;
  readonly launcher: Launcher;
  /** The server's env with secrets, resolved at each start; never logged. */
  readonly resolveEnv: (spec: StdioServerSpec) => Promise<Record<string, string>>;
  readonly resolveHeaders: (spec: RemoteServerSpec) => Promise<Record<string, string>>;
  readonly logger: Logger;
  readonly onStateChange?: (name: string, state: UpstreamState) => void;
  readonly onCatalogChange?: (name: string, catalog: UpstreamCatalog) => void;
  /** `notifications/resources/updated` from this server. */
  readonly onResourceUpdated?: (
    name: string,
    params: { uri: string } & Record<string, unknown>,
  ) => void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withStderr(what: string, tail: readonly string[]): string {
  const last = tail.at(-1);
  return last ? `${what}; stderr: ${last}` : what;
}

export function createUpstream(options: UpstreamOptions): Upstream {
  const { spec, logger } = options;
  const name = spec.name;
  const backoff = options.backoff ?? defaultBackoff;
  const pingIntervalMs = options.pingIntervalMs ?? 30_000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 10_000;
  let state: UpstreamState = { phase: 'starting', lastError: null, restarts: 0, since: Date.now() };
  let catalog: UpstreamCatalog = emptyCatalog;
  let connection: Connection | undefined;
  /** The newest link, also while a start is still handshaking: stop() must reach its process. */
  let lastLink: Link | undefined;
  let attempt = 0;
  let readyAt: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let pinger: NodeJS.Timeout | undefined;
  let stopped = false;
  const subscriptions = new Set<string>();
  const waiters = new Set<() => void>();

  const setState = (phase: UpstreamPhase, extra: Partial<UpstreamState> = {}): void => {
    state = {
      phase,
      lastError: extra.lastError !== undefined ? extra.lastError : state.lastError,
      restarts: extra.restarts ?? state.restarts,
      since: Date.now(),
      ...(extra.retryAt !== undefined ? { retryAt: extra.retryAt } : {}),
      ...(extra.pid !== undefined ? { pid: extra.pid } : {}),
    };
    logger.info({ server: name, phase, restarts: state.restarts }, 'upstream state');
    options.onStateChange?.(name, state);
    for (const wake of [...waiters]) wake();
  };

  const openLink = async (hooks: { onStreamBroken(id: string | number): void }): Promise<Link> => {
    const link =
      spec.transport === 'stdio'
        ? await stdioLink(spec, await options.resolveEnv(spec), options.launcher)
        : remoteLink(spec, await options.resolveHeaders(spec), { ...hooks, fetch: options.fetch });
    lastLink = link;
    return link;
  };

  const scheduleRestart = (): void => {
    if (stopped) return;
    attempt = attemptAfterCrash(attempt, readyAt === null ? null : Date.now() - readyAt, backoff);
    readyAt = null;
    const delay = nextDelay(attempt, backoff);
    attempt++;
    setState('backing-off', { retryAt: Date.now() + delay });
    timer = setTimeout(() => {
      timer = undefined;
      setState('starting', { restarts: state.restarts + 1 });
      void start();
    }, delay);
  };

  const crashed = (what: string, tail: readonly string[]): void => {
    if (pinger) clearInterval(pinger);
    pinger = undefined;
    const lastError = withStderr(`upstream server '${name}' ${what}`, tail);
    logger.warn({ server: name, lastError }, 'upstream crashed');
    setState('crashed', { lastError });
    scheduleRestart();
  };

  const onLost = (what: string): void => {
    const lost = connection;
    connection = undefined;
    const tail = lost?.stderrTail() ?? [];
    // Fails the calls in flight at once, and stops what is left of the group before a restart.
    void lost?.close(what).catch(() => {});
    if (!stopped) crashed(what, tail);
  };

  const checkNow = (pinged: Connection): void => {
    pinged.ping(pingTimeoutMs).catch((error: unknown) => {
      if (connection !== pinged || stopped) return;
      onLost(`did not answer a ping (${messageOf(error)})`);
    });
  };

  const startPinging = (): void => {
    if (pingIntervalMs <= 0) return;
    pinger = setInterval(() => {
      if (connection) checkNow(connection);
    }, pingIntervalMs);
    pinger.unref();
  };

  async function start(): Promise<void> {
    lastLink = undefined;
    let opened: Connection | undefined;
    try {
      opened = await openConnection({
        server: name,
        openLink,
        logger,
        callTimeoutMs: options.callTimeoutMs ?? 600_000,
        listTimeoutMs: options.listTimeoutMs ?? 30_000,
        onCatalogChanged: (next) => {
          catalog = next;
          options.onCatalogChange?.(name, next);
        },
        onLost: (what) => {
          if (connection !== undefined && connection === opened) onLost(what);
        },
        onResourceUpdated: (params) => options.onResourceUpdated?.(name, params),
        subscriptions: () => subscriptions,
        onSuspect: () => {
          if (connection !== undefined && connection === opened) checkNow(opened);
        },
      });
    } catch (error) {
      // Assigned inside openLink, which TypeScript's narrowing cannot see.
      const failed = lastLink as Link | undefined;
      if (!stopped) crashed(`failed to start: ${messageOf(error)}`, failed?.stderrTail() ?? []);
      await failed?.close().catch(() => {});
      return;
    }
    if (stopped) {
      await opened.close('was stopped');
      return;
    }
    connection = opened;
    catalog = opened.catalog;
    readyAt = Date.now();
    // A fresh process knows none of the subscriptions its predecessor had.
    for (const uri of subscriptions) {
      await opened.request('resources/subscribe', { uri }).catch(() => {});
    }
    setState('ready', { pid: opened.pid });
    options.onCatalogChange?.(name, catalog);
    startPinging();
  }

  const live = (): Connection => {
    if (connection && state.phase === 'ready') return connection;
    throw unavailable(name, state.lastError ? `${state.phase}: ${state.lastError}` : state.phase);
  };

  void start();

  return {
    name,
    spec,
    get state() {
      return state;
    },
    get catalog() {
      return catalog;
    },
    async callTool(tool, args, ctx) {
      const params = args === undefined ? { name: tool } : { name: tool, arguments: args };
      return (await live().request('tools/call', params, ctx)) as CallToolResult;
    },
    async getPrompt(prompt, args, ctx) {
      const params = args === undefined ? { name: prompt } : { name: prompt, arguments: args };
      return (await live().request('prompts/get', params, ctx)) as GetPromptResult;
    },
    async readResource(uri, ctx) {
      return (await live().request('resources/read', { uri }, ctx)) as ReadResourceResult;
    },
    async complete(params, ctx) {
      return (await live().request('completion/complete', params, ctx)) as CompleteResult;
    },
    async setLoggingLevel(level) {
      await live().request('logging/setLevel', { level });
    },
    async subscribeResource(uri) {
      await live().request('resources/subscribe', { uri });
      subscriptions.add(uri);
    },
    async unsubscribeResource(uri) {
      subscriptions.delete(uri);
      await live().request('resources/unsubscribe', { uri });
    },
    whenReady(timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const settled = (): boolean => {
          if (state.phase === 'ready') resolve();
          else if (state.phase === 'starting') return false;
          else reject(unavailable(name, state.lastError ?? state.phase));
          return true;
        };
        if (settled()) return;
        const wake = (): void => {
          if (!settled()) return;
          clearTimeout(deadline);
          waiters.delete(wake);
        };
        const deadline = setTimeout(() => {
          waiters.delete(wake);
          reject(unavailable(name, `still ${state.phase} after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      if (pinger) clearInterval(pinger);
      const last = connection;
      connection = undefined;
      await last?.close('was stopped');
      await lastLink?.close().catch(() => {});
      setState('stopped');
    },
  };
}
