// The control-plane server: node:http on 127.0.0.1:5173 with the pages, the JSON API and the live feed.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  GatewayListenError,
  httpUrl,
  type ListenAddress,
  parseListenAddress,
} from '../../downstream/listen-address.ts';
import type { GatewayEvent } from '../../gateway-events.ts';
import { checkAccess, tokenRequired } from './access.ts';
import { routeApi } from './api-routes.ts';
import type { ApiResponse, DashboardAudit, DashboardGateway, ReloadInfo } from './api-sources.ts';
import { apiError } from './api-sources.ts';
import { createEventFeed } from './event-feed.ts';
import { readAsset } from './static-assets.ts';
import type { TelemetrySource } from './telemetry-source.ts';

export interface StartDashboardOptions {
  /** `HOST:PORT`; port 0 picks a free port (tests). */
  readonly listen: string;
  readonly gateway: DashboardGateway;
  readonly telemetry: TelemetrySource;
  readonly audit: DashboardAudit;
  /** Required when `listen` is beyond loopback (the start fails without one). */
  readonly adminToken?: string;
  readonly assetsDir: string;
  readonly logger: Logger;
  /** For the list of loaded files on the Config page. */
  readonly configDir?: string;
  /** Browser origins allowed besides loopback ones (app.yaml `allowedOrigins`). */
  readonly allowedOrigins?: readonly string[];
  readonly heartbeatMs?: number;
}

export interface Dashboard {
  /** `http://host:port`. */
  readonly url: string;
  readonly address: ListenAddress;
  /** Feed a gateway event to the live feed (wire the gateway's `onEvent` here). */
  gatewayEvent(event: GatewayEvent): void;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
} as const;

function send(response: ServerResponse, reply: ApiResponse): void {
  response.writeHead(reply.status, {
    ...SECURITY_HEADERS,
    'content-type': reply.contentType,
    'cache-control': 'no-store',
    ...reply.headers,
  });
  response.end(reply.body);
}

export async function startDashboard(options: StartDashboardOptions): Promise<Dashboard> {
  const parsed = parseListenAddress(options.listen);
  if (!parsed.ok) throw new GatewayListenError('GATEWAY_LISTEN_INVALID', parsed.error);
  const listenHost = parsed.value.host;
  if (tokenRequired(listenHost) && !options.adminToken) {
    throw new GatewayListenError(
      'GATEWAY_LISTEN_REFUSED',
      `refusing to serve the dashboard on ${options.listen} without an admin token`,
    );
  }
  const feed = createEventFeed(
    options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs },
  );
  let lastReload: ReloadInfo | null = null;
  const sources = {
    gateway: options.gateway,
    audit: options.audit,
    telemetry: options.telemetry,
    ...(options.configDir === undefined ? {} : { configDir: options.configDir }),
    lastReload: () => lastReload,
    now: () => Date.now(),
  };
  const unsubscribe = options.telemetry.subscribe((record) => {
    feed.publish('egress', record);
    if (record.decision !== 'allow') feed.publish('block', record);
  });
  const access = {
    listenHost,
    allowedOrigins: options.allowedOrigins ?? [],
    adminToken: options.adminToken,
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    const decision = checkAccess(request.headers, access, url.pathname);
    if (!decision.allow) {
      const headers = decision.status === 401 ? { 'www-authenticate': 'Bearer' } : undefined;
      send(response, {
        ...apiError(decision.status, 'DASHBOARD_ACCESS_DENIED', decision.reason),
        ...(headers ? { headers } : {}),
      });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, {
        ...apiError(405, 'DASHBOARD_METHOD', 'only GET'),
        headers: { allow: 'GET, HEAD' },
      });
      return;
    }
    if (url.pathname === '/api/events') {
      feed.attach(response);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const reply = await routeApi(sources, url.pathname, url.searchParams);
      send(response, reply ?? apiError(404, 'DASHBOARD_NOT_FOUND', 'no such endpoint'));
      return;
    }
    const asset = await readAsset(options.assetsDir, url.pathname);
    if (!asset.found) {
      send(response, {
        status: 404,
        contentType: 'text/plain; charset=utf-8',
        body: 'not found\n',
      });
      return;
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': asset.contentType,
      'cache-control': 'no-cache',
    });
    response.end(request.method === 'HEAD' ? undefined : asset.body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.logger.error({ event: 'dashboard-error', err: error }, 'dashboard request failed');
      if (!response.headersSent) {
        send(response, apiError(500, 'DASHBOARD_INTERNAL', 'internal error'));
      } else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new GatewayListenError('GATEWAY_LISTEN_FAILED', `dashboard: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    server.listen(parsed.value.port, listenHost, () => resolve());
  });
  const bound = server.address();
  const address: ListenAddress =
    bound !== null && typeof bound === 'object'
      ? { host: listenHost, port: bound.port }
      : parsed.value;
  options.logger.info({ event: 'dashboard-started', url: httpUrl(address) }, 'dashboard listening');

  return {
    url: httpUrl(address),
    address,
    gatewayEvent(event) {
      if (event.type === 'call') feed.publish('call', event.row);
      else if (event.type === 'session') feed.publish('session', event);
      else if (event.type === 'server') feed.publish('server', options.gateway.upstreams());
      else {
        lastReload = { time: event.time, result: event.result, errors: event.errors };
        feed.publish('config', lastReload);
      }
    },
    async close() {
      unsubscribe();
      feed.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
