// A running `airlock up` (child process) for the dashboard browser tests: two bwrap-sandboxed servers, loopback origins, two agents.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { stringify } from 'yaml';
import { serverAllowlist } from './flow-texts.ts';
import { fixtureServer } from './gateway-harness.ts';
import { type Origin, startHttpOrigin } from './origin.ts';

const CLI = fileURLToPath(new URL('../../cli/airlock.ts', import.meta.url));
const MALICIOUS = fileURLToPath(new URL('../fixtures/malicious/server.ts', import.meta.url));
const run = promisify(execFile);

/** The sandboxed server that makes outbound calls (the malicious fixture's `relay_request`). */
export const OUTBOUND_SERVER = 'relay';
/** A quiet second server (the plain fixture), so pages show more than one row. */
export const QUIET_SERVER = 'notes';
/** The only flow: it applies to OUTBOUND_SERVER, lets api.slack.com through and answers the rest 451. */
export const FLOW = 'slack-only';
export const DENY_PROCESSOR = 'Deny';
export const ALLOWED_HOST = 'api.slack.com';
export const BLOCKED_HOST = 'api.badactor.com';
export const AGENTS = ['agent-alpha', 'agent-beta'] as const;
export type AgentName = (typeof AGENTS)[number];

export interface DashboardScene {
  readonly dashboardUrl: string;
  readonly mcpUrl: string;
  readonly dataDir: string;
  readonly origin: Origin;
  /** The MCP client of one agent (its consumer tag is its name). */
  agent(name: AgentName): Client;
  /** `relay__relay_request` to the allowed provider; resolves with the origin's status. */
  allowedEgress(name: AgentName, path?: string): Promise<number>;
  /** `relay__relay_request` to the blocked provider; resolves with the generated response's status. */
  blockedEgress(name: AgentName, path?: string): Promise<number>;
  /** `notes__echo`: a tool call that makes no outbound request. */
  echo(name: AgentName, text: string): Promise<void>;
  /** `airlock report blocked --format F` against the scene's data dir (the CLI's exact output). */
  reportBlocked(format: 'csv' | 'json'): Promise<string>;
  stdout(): string;
  close(): Promise<void>;
}

function configFiles(originPort: number): Record<string, string> {
  const app = {
    listen: { dashboard: '127.0.0.1:0' },
    egress: {
      listen: '127.0.0.1:0',
      default: 'deny',
      // Both provider names lead to the loopback origin; only the flow tells them apart.
      hosts: { [ALLOWED_HOST]: '127.0.0.1', [BLOCKED_HOST]: '127.0.0.1' },
      allowAddresses: [`127.0.0.1/32:${originPort}`],
    },
  };
  const mcp = {
    mcpServers: {
      [OUTBOUND_SERVER]: {
        command: process.execPath,
        args: [MALICIOUS],
        sandbox: { type: 'bwrap' },
      },
      [QUIET_SERVER]: { ...fixtureServer('notes'), sandbox: { type: 'bwrap' } },
    },
  };
  return {
    'app.yaml': stringify(app),
    'mcp.json': JSON.stringify(mcp, null, 2),
    [`flows/${FLOW}.yaml`]: serverAllowlist(
      FLOW,
      [OUTBOUND_SERVER],
      [`${ALLOWED_HOST}:${originPort}/*`],
    ),
  };
}

/** Spawns `airlock up` and resolves once it prints the dashboard URL (its last startup line). */
function spawnUp(
  root: string,
): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string }> {
  const args = [
    CLI,
    'up',
    '--config',
    join(root, 'config'),
    '--data',
    join(root, 'data'),
    '--listen',
    '127.0.0.1:0',
    '--mcp-listen',
    '127.0.0.1:0',
    '--metrics-listen',
    '127.0.0.1:0',
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`airlock up printed no dashboard line:\n${output}`));
    }, 25_000);
    const take = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (
        /dashboard: http:\/\/\S+/.test(output) &&
        /MCP endpoint[^\n]*http:\/\/\S+\/mcp/.test(output)
      ) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`airlock up exited ${code}:\n${output}`));
    });
  });
}

async function connectAgent(mcpUrl: string, name: string): Promise<Client> {
  const client = new Client({ name: `${name}-client`, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: { headers: { 'x-lunar-consumer-tag': name } },
  });
  await client.connect(transport);
  return client;
}

/** The status a `relay_request` result reports (the fixture answers JSON with the relay's response). */
function statusOf(result: Awaited<ReturnType<Client['callTool']>>): number {
  const content = result.content as { type: string; text?: string }[];
  const text = content.find((part) => part.type === 'text')?.text ?? '';
  try {
    const status = (JSON.parse(text) as { status?: unknown }).status;
    return typeof status === 'number' ? status : 0;
  } catch {
    return 0;
  }
}

export async function startDashboardScene(): Promise<DashboardScene> {
  const root = await mkdtemp(join(tmpdir(), 'airlock-dashboard-'));
  const origin = await startHttpOrigin();
  const clients = new Map<AgentName, Client>();
  let child: ChildProcessWithoutNullStreams | undefined;
  const close = async () => {
    await Promise.all([...clients.values()].map((client) => client.close().catch(() => {})));
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await origin.close();
    await rm(root, { recursive: true, force: true });
  };
  try {
    await mkdir(join(root, 'config', 'flows'), { recursive: true });
    await mkdir(join(root, 'data'), { recursive: true });
    for (const [name, text] of Object.entries(configFiles(origin.port))) {
      await writeFile(join(root, 'config', name), text);
    }
    const up = await spawnUp(root);
    child = up.child;
    const dashboardUrl = /dashboard: (http:\/\/\S+?)\/?(\s|$)/.exec(up.output())?.[1] ?? '';
    const mcpUrl = /MCP endpoint[^\n]*?(http:\/\/\S+\/mcp)/.exec(up.output())?.[1] ?? '';
    for (const name of AGENTS) clients.set(name, await connectAgent(mcpUrl, name));
    const agent = (name: AgentName) => clients.get(name) as Client;
    const relay = async (name: AgentName, url: string) =>
      statusOf(
        await agent(name).callTool(
          { name: `${OUTBOUND_SERVER}__relay_request`, arguments: { url } },
          undefined,
          { timeout: 15_000 },
        ),
      );
    const output = up.output;
    return {
      dashboardUrl,
      mcpUrl,
      dataDir: join(root, 'data'),
      origin,
      agent,
      allowedEgress: (name, path = '/v1/chat') =>
        relay(name, `http://${ALLOWED_HOST}:${origin.port}${path}`),
      blockedEgress: (name, path = '/exfiltrate') =>
        relay(name, `http://${BLOCKED_HOST}:${origin.port}${path}`),
      async echo(name, text) {
        await agent(name).callTool({ name: `${QUIET_SERVER}__echo`, arguments: { text } });
      },
      async reportBlocked(format) {
        const args = [CLI, 'report', 'blocked', '--data', join(root, 'data'), '--format', format];
        return (await run(process.execPath, args, { cwd: root })).stdout;
      },
      stdout: output,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
