// `airlock gateway`: runs the MCP gateway apart from `airlock egress` (compose), sandboxing servers via the egress's admin socket.
import { join } from 'node:path';
import pino from 'pino';
import { loadEgressConfig } from '../egress/egress-config.ts';
import { identityToken, loadOrCreateEgressSecret } from '../egress/identity.ts';
import { parseListen } from '../egress/listeners.ts';
import type { Gateway, StartGatewayOptions } from '../gateway/gateway-service.ts';
import { startGateway } from '../gateway/gateway-service.ts';
import { connectEgressAdmin, EgressAdminError } from '../gateway/sandbox/egress-admin-client.ts';
import type { EgressSockets } from '../gateway/sandbox/egress-sockets.ts';
import { credentialedProxyUrl, proxyVariables } from '../gateway/sandbox/sandbox-env.ts';
import { createSelectingLauncher } from '../gateway/sandbox/select-launcher.ts';
import { type CommandIo, processIo, untilSignal } from './egress.ts';
import { directoriesFrom, directoryOptions, parseCommandLine } from './options.ts';
// A function-only cycle (up.ts imports this file too): nothing is used while either module loads.
import { sandboxLines } from './sandbox-lines.ts';

const USAGE = `usage: airlock gateway [--config DIR] [--data DIR] [--listen HOST:PORT] [--metrics-listen HOST:PORT]

  --config          configuration directory: mcp.json, app.yaml (default: $AIRLOCK_CONFIG, else ./config)
  --data            data directory shared with \`airlock egress --data DIR\`: audit log, egress sockets,
                    telemetry (default: $AIRLOCK_DATA, else ./data)
  --listen          MCP endpoint, overrides listen.mcp (default 127.0.0.1:9000; port 0 picks one)
  --metrics-listen  Prometheus endpoint, overrides listen.metrics (default 127.0.0.1:3000)

  Sandboxed stdio servers start only while \`airlock egress\` runs with the same data directory:
  the gateway asks it for each server's socket over <data>/egress.sock. Until then they are not
  started (retried with backoff); servers with sandbox.type none start anyway, unsandboxed.
`;

export const gatewayOptions = {
  listen: { type: 'string' },
  'metrics-listen': { type: 'string' },
} as const;

/** Starts the gateway; a config or listener that cannot start is reported in one clear block, undefined then. */
export async function startGatewayOrReport(
  options: StartGatewayOptions,
  io: CommandIo,
  command = 'airlock gateway',
): Promise<Gateway | undefined> {
  try {
    return await startGateway(options);
  } catch (error) {
    if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string') {
      io.stderr(`${command}: ${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}

/** How to connect an agent: the `claude mcp add` line, with the key header when auth is on. */
export function connectionLines(gateway: Gateway): string[] {
  const auth = gateway.config().settings.auth;
  const header = auth.enabled ? ` --header "${auth.header}: <your key>"` : '';
  const lines = [
    `MCP endpoint (Streamable HTTP): ${gateway.url}   legacy SSE: ${gateway.sseUrl}`,
    ...(gateway.metricsUrl === null ? [] : [`metrics: ${gateway.metricsUrl}`]),
    `connect Claude Code: claude mcp add --transport http airlock ${gateway.url}${header}`,
  ];
  if (auth.enabled)
    lines.push('mint a key with: airlock keys create CONSUMER (shown once, stored hashed)');
  return lines;
}

export function upstreamLines(gateway: Gateway): string[] {
  return gateway
    .upstreams()
    .map(
      (u) =>
        `upstream ${u.name}: ${u.phase}${u.phase === 'ready' ? ` (${u.tools} tools)` : ''}${u.lastError ? ` — ${u.lastError}` : ''}`,
    );
}

export function listenOverrides(values: {
  listen?: string | undefined;
  'metrics-listen'?: string | undefined;
}) {
  return {
    ...(values.listen === undefined ? {} : { mcp: values.listen }),
    ...(values['metrics-listen'] === undefined ? {} : { metrics: values['metrics-listen'] }),
  };
}

/**
 * The egress's per-server socket functions over its admin socket, connected anew for each request:
 * run apart, the egress may start after the gateway or restart under it. An egress that cannot be
 * reached fails the launch with what to run; it never lets a server start unsandboxed.
 */
export function egressAdminSockets(dataDir: string): EgressSockets {
  const adminPath = join(dataDir, 'egress.sock');
  const connected = async (server: string) => {
    try {
      return await connectEgressAdmin(adminPath);
    } catch (error) {
      if (!(error instanceof EgressAdminError) || error.code !== 'ADMIN_UNREACHABLE') throw error;
      throw new EgressAdminError(
        'ADMIN_UNREACHABLE',
        `server '${server}' was not started: start \`airlock egress --data ${dataDir}\` first: no admin socket at ${adminPath} (${error.message})`,
        { cause: error },
      );
    }
  };
  return {
    openServerSocket: async (server) => (await connected(server)).openServerSocket(server),
    async closeServerSocket(server) {
      try {
        await (await connected(server)).closeServerSocket(server);
      } catch (error) {
        // An egress that is gone took its sockets with it: nothing is left to close.
        if (error instanceof EgressAdminError && error.code === 'ADMIN_UNREACHABLE') return;
        throw error;
      }
    },
  };
}

/** Whether the egress answers on its admin socket now (for the startup lines only; launches ask again). */
async function adminLine(dataDir: string): Promise<string> {
  const adminPath = join(dataDir, 'egress.sock');
  try {
    await connectEgressAdmin(adminPath, { timeoutMs: 2_000 });
    return `egress admin socket ${adminPath} answers: sandboxed servers get their egress sockets there`;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return `WARNING: no egress at ${adminPath} (${why}): sandboxed servers will not start until \`airlock egress --data ${dataDir}\` runs`;
  }
}

/**
 * Proxy variables for `sandbox.type none` servers (advisory): the egress's TCP listener from app.yaml
 * with the server's credentials from the shared `<data>/egress.key`; none when the port is not known.
 */
async function advisoryProxyEnv(
  configDir: string,
  dataDir: string,
): Promise<(server: string) => Record<string, string>> {
  const config = await loadEgressConfig(configDir).catch(() => undefined);
  const listen = parseListen(config?.ok ? config.config.listen : '127.0.0.1:8080');
  if (listen === undefined || listen.port === 0) return () => ({});
  // A wildcard listener is reached on loopback from this machine.
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host;
  return (server): Record<string, string> => {
    let token: string;
    try {
      token = identityToken(loadOrCreateEgressSecret(dataDir), server);
    } catch {
      return {};
    }
    return proxyVariables(credentialedProxyUrl(host, listen.port, server, token));
  };
}

export async function run(args: string[], io: CommandIo = processIo): Promise<number> {
  const parsed = parseCommandLine(
    args,
    { ...directoryOptions, ...gatewayOptions, help: { type: 'boolean', short: 'h' } },
    false,
  );
  if (!parsed.ok) {
    io.stderr(`airlock gateway: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  const { values } = parsed.value;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const { configDir, dataDir } = directoriesFrom(values);
  const launcher = createSelectingLauncher({
    dataDir,
    configDir,
    sockets: egressAdminSockets(dataDir),
    advisoryProxyEnv: await advisoryProxyEnv(configDir, dataDir),
    // Warnings only (sandbox.type none at every start): the launcher never logs env values.
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  const gateway = await startGatewayOrReport(
    { configDir, dataDir, launcher, listen: listenOverrides(values) },
    io,
  );
  if (gateway === undefined) return 1;
  // Listen before announcing: whoever reads the announcement may signal at once.
  const stopped = untilSignal();
  const prefix = (line: string) => `airlock gateway: ${line}`;
  io.stdout(
    [
      ...connectionLines(gateway).map(prefix),
      ...upstreamLines(gateway).map(prefix),
      ...(await sandboxLines(gateway, launcher)).map(prefix),
      prefix(await adminLine(dataDir)),
      '',
    ].join('\n'),
  );
  const signal = await stopped;
  io.stdout(`airlock gateway: ${signal}, closing\n`);
  await gateway.close();
  return 0;
}
