// The two things the suite is run against: the fixture server on its own, and the gateway fronting it (`naming: none`).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';

export interface Target {
  /** The MCP endpoint to test, on loopback. */
  readonly url: string;
  close(): Promise<void>;
}

export type GatewayTarget =
  | ({ readonly kind: 'ready' } & Target)
  | { readonly kind: 'unavailable'; readonly reason: string };

/** How the gateway reaches the fixture: launched as its child over stdio, or as a remote streamable-HTTP server. */
export type UpstreamMode = 'stdio' | 'http';

export const fixtureEntry = fileURLToPath(
  new URL('../fixtures/conformance/server.ts', import.meta.url),
);
const gatewayServiceFile = fileURLToPath(
  new URL('../../gateway/gateway-service.ts', import.meta.url),
);

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts `server.ts http` on an ephemeral loopback port and waits for its `listening <url>` line. */
export function startFixtureProcess(timeoutMs = 10_000): Promise<Target> {
  // process.execPath, not "node": the machine's default node may be too old to run .ts files.
  const args = [fixtureEntry, 'http', '--port', '0', '--exit-with-stdin'];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      void stopChild(child);
      reject(new Error(`conformance fixture did not start: ${why}; stderr: ${stderr.trim()}`));
    };
    const timer = setTimeout(() => fail(`no "listening" line in ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const url = /^listening (\S+)$/m.exec(stdout)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url, close: () => stopChild(child) });
    });
  });
}

/** mcp.json for the gateway: the fixture as its only server, named "conformance". */
export function gatewayMcpJson(mode: UpstreamMode, fixtureUrl?: string): string {
  const spec =
    mode === 'stdio'
      ? {
          command: process.execPath,
          args: [fixtureEntry, 'stdio'],
          // The fixture is our own code: it needs no sandbox, and must not depend on bwrap or Docker.
          sandbox: { type: 'none' },
        }
      : { type: 'streamable-http', url: fixtureUrl };
  return `${JSON.stringify({ mcpServers: { conformance: spec } }, null, 2)}\n`;
}

/** app.yaml for the gateway: names unchanged (the suite calls fixed names), every listener on an ephemeral port. */
export const gatewayAppYaml = [
  'naming: none',
  'listen:',
  '  mcp: 127.0.0.1:0',
  '  dashboard: 127.0.0.1:0',
  '  metrics: 127.0.0.1:0',
  '',
].join('\n');

interface StartedGateway {
  readonly url: string;
  close(): Promise<void>;
}

function isStartedGateway(value: unknown): value is StartedGateway {
  const candidate = value as Partial<StartedGateway> | null;
  return typeof candidate?.url === 'string' && typeof candidate.close === 'function';
}

/**
 * Starts the gateway in this process from a temp config dir. When the gateway module is missing
 * or does not have the expected shape, says so instead of throwing, so the report can name it.
 */
export async function startGatewayTarget(
  mode: UpstreamMode,
  fixtureUrl?: string,
): Promise<GatewayTarget> {
  if (!existsSync(gatewayServiceFile)) {
    return {
      kind: 'unavailable',
      reason: `${path.relative(process.cwd(), gatewayServiceFile)} does not exist`,
    };
  }
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(gatewayServiceFile).href);
  } catch (error) {
    return {
      kind: 'unavailable',
      reason: `gateway/gateway-service.ts does not load: ${String(error)}`,
    };
  }
  const startGateway = module.startGateway;
  if (typeof startGateway !== 'function') {
    return { kind: 'unavailable', reason: 'gateway/gateway-service.ts exports no startGateway()' };
  }
  const root = await mkdtemp(path.join(tmpdir(), 'airlock-conformance-gateway-'));
  const configDir = path.join(root, 'config');
  const dataDir = path.join(root, 'data');
  await mkdir(configDir);
  await mkdir(dataDir);
  await writeFile(path.join(configDir, 'mcp.json'), gatewayMcpJson(mode, fixtureUrl));
  await writeFile(path.join(configDir, 'app.yaml'), gatewayAppYaml);
  const removeRoot = () => rm(root, { recursive: true, force: true });
  let started: unknown;
  try {
    started = await startGateway({
      configDir,
      dataDir,
      logger: pino({ level: 'silent' }),
      // app.yaml says the same; the option wins if the two ever disagree.
      listen: { mcp: '127.0.0.1:0', metrics: null },
      watch: false,
    });
  } catch (error) {
    await removeRoot();
    return { kind: 'unavailable', reason: `startGateway() failed: ${String(error)}` };
  }
  if (!isStartedGateway(started)) {
    await removeRoot();
    return { kind: 'unavailable', reason: 'startGateway() did not return {url, close()}' };
  }
  const gateway = started;
  return {
    kind: 'ready',
    url: gateway.url,
    close: async () => {
      await gateway.close();
      await removeRoot();
    },
  };
}

/**
 * Waits until `url` lists tool `name`: the gateway may answer before its upstream is ready, and a
 * suite run against an empty catalogue would measure start-up, not conformance.
 */
export async function waitForTool(url: string, name: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const client = new Client({ name: 'airlock-conformance-probe', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const { tools } = await client.listTools();
      if (tools.some((tool) => tool.name === name)) return;
      last = `tools/list has ${tools.length} tools, not ${name}`;
    } catch (error) {
      last = String(error);
    } finally {
      await client.close().catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not list tool ${name} within ${timeoutMs} ms (${last})`);
}
