// `airlock gateway`: runs the MCP gateway (endpoint, upstreams, audit, metrics) until SIGINT/SIGTERM.
import type { Gateway, StartGatewayOptions } from '../gateway/gateway-service.ts';
import { startGateway } from '../gateway/gateway-service.ts';
import { type CommandIo, untilSignal } from './egress.ts';
import { directoriesFrom, directoryOptions, parseCommandLine } from './options.ts';

const USAGE = `usage: airlock gateway [--config DIR] [--data DIR] [--listen HOST:PORT] [--metrics-listen HOST:PORT]

  --config          configuration directory: mcp.json, app.yaml (default: $AIRLOCK_CONFIG, else ./config)
  --data            data directory: audit log (default: $AIRLOCK_DATA, else ./data)
  --listen          MCP endpoint, overrides listen.mcp (default 127.0.0.1:9000; port 0 picks one)
  --metrics-listen  Prometheus endpoint, overrides listen.metrics (default 127.0.0.1:3000)
`;

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

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
  const gateway = await startGatewayOrReport(
    { configDir, dataDir, listen: listenOverrides(values) },
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
      prefix('stdio servers run as plain child processes: sandboxes are not enforced yet.'),
      '',
    ].join('\n'),
  );
  const signal = await stopped;
  io.stdout(`airlock gateway: ${signal}, closing\n`);
  await gateway.close();
  return 0;
}
