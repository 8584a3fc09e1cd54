// `airlock up`: the egress and the gateway in one process, wired together; a default config is written on first run.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { type Egress, startEgress } from '../egress/egress-service.ts';
import type { Dashboard } from '../gateway/dashboard/server/dashboard-server.ts';
import type { GatewayEvent } from '../gateway/gateway-events.ts';
import { stateDirFor } from '../gateway/sandbox/bwrap-launcher.ts';
import { credentialedProxyUrl, proxyVariables } from '../gateway/sandbox/sandbox-env.ts';
import { createSelectingLauncher } from '../gateway/sandbox/select-launcher.ts';
import { createRecordFanout, startDashboardOrReport } from './dashboard-wiring.ts';
import { type CommandIo, processIo, startEgressOrReport, untilSignal } from './egress.ts';
import { createEgressAnnotator } from './egress-annotator.ts';
import {
  connectionLines,
  gatewayOptions,
  listenOverrides,
  startGatewayOrReport,
  upstreamLines,
} from './gateway.ts';
import { directoriesFrom, directoryOptions, parseCommandLine } from './options.ts';
import { sandboxLines } from './sandbox-lines.ts';

const USAGE = `usage: airlock up [--config DIR] [--data DIR] [--listen HOST:PORT]
                  [--mcp-listen HOST:PORT] [--metrics-listen HOST:PORT]
                  [--dashboard-listen HOST:PORT]

  Runs the egress proxy, the MCP gateway and the dashboard in one process.
  --listen          egress TCP listener, overrides egress.listen (default 127.0.0.1:8080)
  --mcp-listen      MCP endpoint, overrides listen.mcp (default 127.0.0.1:9000)
  --metrics-listen  Prometheus endpoint, overrides listen.metrics (default 127.0.0.1:3000)
  --dashboard-listen  dashboard + API, overrides listen.dashboard (default 127.0.0.1:5173);
                    beyond loopback it needs AIRLOCK_ADMIN_TOKEN or <data>/admin.token
  A default config (app.yaml, mcp.json, flows/example-allowlist.yaml) is written when DIR has none.
`;

export const DEFAULT_APP_YAML = `# Airlock configuration (Lunar MCPX app.yaml shape plus Airlock's egress section).
# Gateway: who may call which tools. With no permissions section, every agent may use every tool.
# permissions:
#   default: {_type: default-allow, block: []}
#   consumers:
#     support-agent: {_type: default-block, allow: [read-only]}
# toolGroups:
#   - name: read-only
#     services: {memory: [read_graph, search_nodes, open_nodes]}
# API keys: \`airlock keys create CONSUMER\` prints a key once and stores its hash here.
auth:
  enabled: false
# Tool names are server__tool; conditional drops the prefix when no two servers clash.
naming: prefix
egress:
  # enforce: deny what the flows deny. report: allow everything, record what would be denied.
  mode: enforce
  # What happens when no flow applies to a request. deny is the safe default for sandboxed servers.
  default: deny
  # TCP listener for clients outside a sandbox (they identify with Proxy-Authorization).
  listen: "127.0.0.1:8080"
  # The server a TCP client without credentials is taken to be (unset: such clients get 407).
  # anonymous: my-server
  # Private or loopback addresses the egress may dial anyway (CIDR, optional :port).
  allowAddresses: []
  # Names resolved here before DNS (private providers, tests): name: address or [addresses].
  hosts: {}
  # connectTimeoutSeconds: 10
  # idleTimeoutSeconds: 300
  # maxHeaderBytes: 16384
`;

export const EXAMPLE_ALLOWLIST_YAML = `# Short-form Lunar flow: the first Filter's hit lets a request through,
# its miss is answered by the GenerateResponse below (403 "Forbidden Access").
# Patterns are anchored: host and path are matched apart; *.x matches subdomains of x, not x.
AllowFilter:
  processor: Filter
  parameters:
    - key: urls
      value:
        - api.slack.com/*
        - "*.googleapis.com/*"
GenerateResponseForbidden:
  processor: GenerateResponse
  parameters:
    - key: status
      value: 403
    - key: body
      value: "Forbidden Access"
    - key: Content-Type
      value: text/plain
`;

/**
 * The first-run mcp.json: one server from npm (the reference memory server), run with this Node
 * from node_modules so nothing is downloaded, sandboxed (`auto`), keeping its graph in its state dir.
 */
export function defaultMcpJson(dataDir: string): string {
  const entry = createRequire(import.meta.url).resolve(
    '@modelcontextprotocol/server-memory/dist/index.js',
  );
  const config = {
    mcpServers: {
      memory: {
        command: process.execPath,
        args: [entry],
        env: { MEMORY_FILE_PATH: join(stateDirFor(dataDir, 'memory'), 'memory.json') },
        sandbox: { type: 'auto' },
      },
    },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes mcp.json when the directory has none; returns whether it did. */
export async function writeDefaultMcpJson(configDir: string, dataDir: string): Promise<boolean> {
  if (existsSync(join(configDir, 'mcp.json'))) return false;
  await mkdir(configDir, { recursive: true });
  await mkdir(stateDirFor(dataDir, 'memory'), { recursive: true });
  await writeFile(join(configDir, 'mcp.json'), defaultMcpJson(dataDir), { flag: 'wx' });
  return true;
}

/** The proxy variables a stdio server gets: the egress URL with its own credentials as userinfo. */
export function egressProxyEnv(egress: Egress, server: string): Record<string, string> {
  const { host, port } = egress.address;
  return proxyVariables(credentialedProxyUrl(host, port, server, egress.tokenFor(server)));
}

/** Writes the default config when the directory has neither app.yaml nor flows/; returns whether it did. */
export async function writeDefaultConfig(configDir: string): Promise<boolean> {
  if (existsSync(join(configDir, 'app.yaml')) || existsSync(join(configDir, 'flows'))) return false;
  await mkdir(join(configDir, 'flows'), { recursive: true });
  await writeFile(join(configDir, 'app.yaml'), DEFAULT_APP_YAML, { flag: 'wx' });
  await writeFile(join(configDir, 'flows', 'example-allowlist.yaml'), EXAMPLE_ALLOWLIST_YAML, {
    flag: 'wx',
  });
  return true;
}

export async function run(args: string[], io: CommandIo = processIo): Promise<number> {
  const parsed = parseCommandLine(
    args,
    {
      ...directoryOptions,
      listen: { type: 'string' },
      'mcp-listen': { type: 'string' },
      'metrics-listen': gatewayOptions['metrics-listen'],
      'dashboard-listen': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    false,
  );
  if (!parsed.ok) {
    io.stderr(`airlock up: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  const { values } = parsed.value;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const { configDir, dataDir } = directoriesFrom(values);
  if (await writeDefaultConfig(configDir)) {
    io.stdout(
      `airlock up: wrote a default configuration to ${configDir} (app.yaml, flows/example-allowlist.yaml)\n`,
    );
  }
  if (await writeDefaultMcpJson(configDir, dataDir)) {
    io.stdout(
      `airlock up: wrote ${join(configDir, 'mcp.json')} with one server (memory); add yours there (Claude Desktop's mcpServers format)\n`,
    );
  }
  // One registry: /metrics shows the gateway's and the egress's series together.
  const registry = new Registry();
  // Egress records meet the gateway's calls in flight before they are stored: block feedback, toolCall.
  const annotator = createEgressAnnotator();
  // The egress's finished records, fanned out to the dashboard's live feed.
  const records = createRecordFanout();
  const egress = await startEgressOrReport(
    () =>
      startEgress({
        configDir,
        dataDir,
        registry,
        annotate: annotator.annotate,
        onRecord: records.publish,
        ...(values.listen === undefined ? {} : { listen: values.listen }),
      }),
    io,
  );
  if (egress === undefined) return 1;
  const launcher = createSelectingLauncher({
    dataDir,
    configDir,
    sockets: egress,
    advisoryProxyEnv: (server) => egressProxyEnv(egress, server),
    // Warnings only (sandbox.type none at every start): the launcher never logs env values.
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  let dashboard: Dashboard | undefined;
  const gateway = await startGatewayOrReport(
    {
      configDir,
      dataDir,
      registry,
      launcher,
      // The dashboard starts after the gateway; events before it are already in the stores it reads.
      onEvent: (event: GatewayEvent) => dashboard?.gatewayEvent(event),
      listen: listenOverrides({
        listen: values['mcp-listen'],
        'metrics-listen': values['metrics-listen'],
      }),
    },
    io,
    'airlock up',
  );
  if (gateway === undefined) {
    await egress.close();
    return 1;
  }
  annotator.connect(gateway);
  const started = await startDashboardOrReport({
    listen: values['dashboard-listen'] ?? gateway.config().settings.listen.dashboard,
    gateway,
    configDir,
    dataDir,
    records,
    io,
  });
  if (started === undefined) {
    await gateway.close();
    await egress.close();
    return 1;
  }
  dashboard = started.dashboard;
  // Listen before announcing: whoever reads the announcement may signal at once.
  const stopped = untilSignal();
  const prefix = (line: string) => `airlock up: ${line}`;
  io.stdout(
    [
      prefix(`egress proxy listening on ${egress.url}`),
      ...connectionLines(gateway).map(prefix),
      ...upstreamLines(gateway).map(prefix),
      ...(await sandboxLines(gateway, launcher)).map(prefix),
      ...started.lines.map(prefix),
      prefix(`dashboard: ${started.dashboard.url}`),
      '',
    ].join('\n'),
  );
  const signal = await stopped;
  io.stdout(`airlock up: ${signal}, closing\n`);
  await started.close();
  await gateway.close();
  await egress.close();
  return 0;
}
