// The egress as one running service: config + flows, listeners, proxy, telemetry, hot reload. `airlock egress` and `airlock up` start it here.
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { compileAddressPolicy } from './address-policy.ts';
import {
  createConfigReloader,
  type LoadedConfiguration,
  loadConfiguration,
  type ReloadResult,
} from './config-reload.ts';
import type { EgressRecord, EgressRecordSink } from './egress-record.ts';
import { EgressListenError, EgressStartError } from './errors.ts';
import type { ProxyRuntime } from './exchange.ts';
import { watchConfigDirectory } from './flows-directory.ts';
import { identityToken, loadOrCreateEgressSecret, proxyAuthorizationFor } from './identity.ts';
import { closeServer, isLoopbackHost, listenTcp, parseListen, ServerSockets } from './listeners.ts';
import { createProxyServer } from './proxy-server.ts';
import { createResolver, type Lookup } from './resolve.ts';
import { createTelemetry, type Telemetry } from './telemetry.ts';

export interface StartEgressOptions {
  readonly configDir: string;
  readonly dataDir: string;
  /** `HOST:PORT` for the TCP listener; overrides `egress.listen`. Port 0 picks a free port. */
  readonly listen?: string;
  readonly logger?: Logger;
  /** Where records go instead of the telemetry store (tests); by default SQLite + metrics + decision log. */
  readonly sink?: EgressRecordSink;
  /** Called with every record before it is stored; returns it with fields filled (`airlock up`: `toolCall`). */
  readonly annotate?: (record: EgressRecord) => EgressRecord;
  /** Also told about every record after the sink took it (the dashboard's live feed in `airlock up`). */
  readonly onRecord?: (record: EgressRecord) => void;
  /** Prometheus registry for the egress metrics (a fresh one by default). */
  readonly registry?: Registry;
  /** Told about every reload that changed something (success or failure). */
  readonly onReload?: (event: { result: 'success' | 'failure'; errors: readonly string[] }) => void;
  /** Name lookup instead of the system resolver (after egress.hosts). */
  readonly lookup?: Lookup;
  /** Extra CA certificates for https origins reached by absolute-form requests. */
  readonly upstreamCa?: string | readonly string[];
  /** Watch the config directory (default true); `pollMs` is the slow fallback poll. */
  readonly watch?: boolean;
  readonly pollMs?: number;
  readonly debounceMs?: number;
}

export interface Egress {
  /** The bound TCP listener. */
  readonly address: { readonly host: string; readonly port: number };
  /** `http://host:port`, for HTTP(S)_PROXY. */
  readonly url: string;
  readonly registry: Registry;
  /** Opens `<data>/sockets/<server>.sock`; whatever connects there is `server`. */
  openServerSocket(server: string): Promise<string>;
  closeServerSocket(server: string): Promise<void>;
  /** The password half of the TCP credentials for `server` (user = server name). */
  tokenFor(server: string): string;
  /** The full `Proxy-Authorization` header value for `server`. */
  proxyAuthorizationFor(server: string): string;
  /** Re-reads app.yaml and flows/ now (the watcher does this on its own). */
  reload(): Promise<ReloadResult>;
  close(): Promise<void>;
}

/** Decision lines are ~500 bytes: about eight to a write under load. */
const LOG_BATCH_BYTES = 4096;
/** The longest a log line waits in memory when traffic is light. */
const LOG_FLUSH_MS = 250;

/** The restart-only fields: they size or bind sockets that already exist. */
const restartOnly = [
  'listen',
  'maxHeaderBytes',
  'connectTimeoutSeconds',
  'idleTimeoutSeconds',
] as const;

function ownIps(host: string): string[] {
  if (host === 'localhost') return ['127.0.0.1', '::1'];
  return [host.replace(/^\[|\]$/g, '')];
}

export async function startEgress(options: StartEgressOptions): Promise<Egress> {
  // The default log is written asynchronously and in batches: one write per decision line cost the proxy
  // more than the decision itself. A batch leaves when it reaches LOG_BATCH_BYTES or LOG_FLUSH_MS after
  // the last one; pino registers the destination to be flushed synchronously when the process exits.
  const ownLog = options.logger
    ? undefined
    : pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES });
  const logger = options.logger ?? pino({ name: 'airlock-egress' }, ownLog);
  const loaded = await loadConfiguration(options.configDir);
  if (!loaded.ok) throw new EgressStartError(loaded.errors);
  const initial = loaded.configuration;
  for (const warning of initial.warnings) logger.warn({ event: 'flows-warning' }, warning);
  if (initial.flows.flows.length === 0) {
    logger.warn(
      { event: 'no-flows', default: initial.egress.default },
      `no flow files in ${options.configDir}/flows: every request gets egress.default (${initial.egress.default})`,
    );
  }

  const listenText = options.listen ?? initial.egress.listen;
  const listen = parseListen(listenText);
  if (listen === undefined) throw new EgressListenError(listenText, 'is not HOST:PORT');
  if (!isLoopbackHost(listen.host)) {
    logger.warn(
      { event: 'listen-beyond-loopback', listen: listenText },
      'THE EGRESS TCP LISTENER IS REACHABLE BEYOND LOOPBACK: anyone who can reach it and holds a token can use it',
    );
  }

  const secret = loadOrCreateEgressSecret(options.dataDir);
  const registry = options.registry ?? new Registry();
  const telemetry: Telemetry | undefined = options.sink
    ? undefined
    : createTelemetry({ dataDir: options.dataDir, registry, logger });
  const baseSink: EgressRecordSink = options.sink ?? telemetry!.sink;
  const onRecord = options.onRecord;
  const observedSink: EgressRecordSink = onRecord
    ? (record) => {
        baseSink(record);
        try {
          onRecord(record);
        } catch (error) {
          logger.warn({ event: 'observer-failed', err: error }, 'an egress record listener threw');
        }
      }
    : baseSink;
  const annotate = options.annotate;
  // Outermost: a record is stored and observed once, already carrying what the other half knows (the tool call).
  const sink: EgressRecordSink = annotate
    ? (record) => {
        let annotated = record;
        try {
          annotated = annotate(record);
        } catch (error) {
          logger.warn({ event: 'annotate-failed', err: error }, 'an egress record annotator threw');
        }
        observedSink(annotated);
      }
    : observedSink;

  let ownAddresses: { ip: string; port: number }[] = [];
  const runtimeOf = (configuration: LoadedConfiguration): ProxyRuntime => ({
    flows: configuration.flows,
    evaluateOptions: { mode: configuration.egress.mode, default: configuration.egress.default },
    anonymous: configuration.egress.anonymous,
    resolve: createResolver({
      hosts: configuration.egress.hosts,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    }),
    policy: compileAddressPolicy({
      allowAddresses: configuration.egress.allowAddresses,
      ownAddresses: () => ownAddresses,
    }),
  });
  // Swapped as a whole: a request reads it once and sees one version of flows and addresses.
  let runtime = runtimeOf(initial);

  const egressConfig = initial.egress;
  const proxy = createProxyServer({
    runtime: () => runtime,
    secret,
    sink,
    logger,
    maxHeaderBytes: egressConfig.maxHeaderBytes,
    connectTimeoutMs: egressConfig.connectTimeoutSeconds * 1000,
    idleTimeoutMs: egressConfig.idleTimeoutSeconds * 1000,
    ...(options.upstreamCa === undefined ? {} : { upstreamCa: options.upstreamCa }),
    ...(telemetry
      ? {
          onTunnelOpen: () => telemetry.metrics.tunnelOpened(),
          onTunnelClose: () => telemetry.metrics.tunnelClosed(),
        }
      : {}),
  });

  const accept = proxy.accept;
  const tcp = await listenTcp(listen, accept).catch(async (error: unknown) => {
    await proxy.close();
    telemetry?.close();
    throw error;
  });
  ownAddresses = ownIps(tcp.address.host).map((ip) => ({ ip, port: tcp.address.port }));
  const sockets = new ServerSockets(options.dataDir, accept);

  const reloader = createConfigReloader({
    configDir: options.configDir,
    initial,
    apply(next, previous) {
      const nextRuntime = runtimeOf(next);
      runtime = nextRuntime;
      for (const field of restartOnly) {
        if (next.egress[field] !== previous.egress[field]) {
          logger.warn(
            { event: 'restart-needed', field: `egress.${field}` },
            `egress.${field} changed: it takes effect after a restart`,
          );
        }
      }
    },
    onResult(outcome) {
      if (outcome.result === 'success') {
        logger.info({ event: 'config-reloaded' }, 'configuration reloaded');
        for (const warning of outcome.configuration.warnings)
          logger.warn({ event: 'flows-warning' }, warning);
      } else {
        for (const error of outcome.errors) logger.error({ event: 'config-reload-failed' }, error);
        logger.error(
          { event: 'config-reload-failed' },
          'configuration change refused: the last good configuration keeps serving',
        );
      }
      telemetry?.metrics.flowsReloaded(outcome.result);
      options.onReload?.({
        result: outcome.result,
        errors: outcome.result === 'failure' ? outcome.errors : [],
      });
    },
  });

  const reloadQuietly = () => {
    reloader
      .reload()
      .catch((error: unknown) => logger.error({ err: error }, 'configuration reload failed'));
  };
  const watcher =
    options.watch === false
      ? undefined
      : watchConfigDirectory(options.configDir, reloadQuietly, {
          ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
          ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
        });

  const hostForUrl = tcp.address.host.includes(':') ? `[${tcp.address.host}]` : tcp.address.host;
  // Started only once nothing can throw: a failed start leaves no timer behind.
  const logFlush = ownLog ? setInterval(() => ownLog.flush(), LOG_FLUSH_MS).unref() : undefined;
  let closing: Promise<void> | undefined;
  return {
    address: tcp.address,
    url: `http://${hostForUrl}:${tcp.address.port}`,
    registry,
    openServerSocket: (server) => sockets.openServerSocket(server),
    closeServerSocket: (server) => sockets.closeServerSocket(server),
    tokenFor: (server) => identityToken(secret, server),
    proxyAuthorizationFor: (server) => proxyAuthorizationFor(secret, server),
    reload: () => reloader.reload(),
    close() {
      closing ??= (async () => {
        watcher?.close();
        clearInterval(logFlush);
        await Promise.all([closeServer(tcp.server), sockets.closeAll(), proxy.close()]);
        telemetry?.close();
        ownLog?.flush();
      })();
      return closing;
    },
  };
}
