// The processes the gateway bench measures: the fixture upstream over HTTP, `airlock gateway`, and supergateway.
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { captureOutput, spawnTracked, stopChild } from './children.ts';
import { freePort, LOOPBACK, waitForPort } from './net-util.ts';
import { benchTempDir } from './temp-dirs.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const cli = here('../../cli/airlock.ts');
export const FIXTURE_HTTP = here('../fixtures/servers/http-server.ts');
export const FIXTURE_STDIO = here('../fixtures/servers/stdio-server.ts');
export const TOOLS_FIXTURE = here('./gateway-tools-fixture.ts');
const SUPERGATEWAY = here('../../node_modules/supergateway/dist/index.js');

/** Something the load generator can reach: an MCP streamable-HTTP URL, and how to stop it. */
export interface RunningTarget {
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** The fixture server over streamable HTTP (the bench's "direct" target and the gateway's remote upstream). */
export async function startHttpUpstream(): Promise<RunningTarget> {
  const child = spawnTracked(process.execPath, [FIXTURE_HTTP], {
    env: { ...process.env, PORT: '0', FIXTURE_LABEL: 'bench' },
  });
  const output = captureOutput(child);
  const deadline = Date.now() + 15_000;
  let port: number | undefined;
  while (port === undefined) {
    const match = /listening (\d+)/.exec(output());
    if (match) port = Number(match[1]);
    else if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`http fixture did not start: ${output()}`);
    } else await sleep(20);
  }
  return { url: `http://${LOOPBACK}:${port}/mcp`, pid: child.pid, stop: () => stopChild(child) };
}

export interface GatewayProcessOptions {
  /** The `mcpServers` object of mcp.json. */
  readonly servers: Record<string, unknown>;
  /** Directory for a V8 CPU profile (`node --cpu-prof`), or null. */
  readonly profileDir: string | null;
  readonly startTimeoutMs?: number;
}

/**
 * `airlock gateway` in its own process, from a throwaway config (defaults: prefix naming, auth off,
 * audit to SQLite in a temp data dir), its log to a file. Resolves once every upstream is ready.
 */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<RunningTarget> {
  const root = benchTempDir('gateway');
  const configDir = join(root, 'config');
  const dataDir = join(root, 'data');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(dataDir);
  writeFileSync(join(configDir, 'mcp.json'), JSON.stringify({ mcpServers: options.servers }));
  const [port, metricsPort] = [await freePort(), await freePort()];
  const logFile = join(root, 'gateway.log');
  const log = openSync(logFile, 'a');
  const nodeFlags = options.profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`]
    : [];
  const args = [
    ...nodeFlags,
    cli,
    'gateway',
    '--config',
    configDir,
    '--data',
    dataDir,
    '--listen',
    `${LOOPBACK}:${port}`,
    '--metrics-listen',
    `${LOOPBACK}:${metricsPort}`,
  ];
  const child = spawnTracked(process.execPath, args, { stdio: ['ignore', log, log] });
  const stop = () => stopWithSigint(child);
  const text = () => readFileSync(logFile, 'utf8');
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  // The egress-admin line is the last startup line: the upstream lines are above it by then.
  while (!/airlock gateway: (egress admin socket|WARNING: no egress at)/.test(text())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`airlock gateway did not start:\n${text().slice(-3000)}`);
    }
    await sleep(50);
  }
  const upstreams = text()
    .split('\n')
    .filter((line) => line.startsWith('airlock gateway: upstream '));
  const notReady = upstreams.filter((line) => !/: ready \(/.test(line));
  if (notReady.length > 0 || upstreams.length !== Object.keys(options.servers).length) {
    await stop();
    throw new Error(`gateway upstreams not all ready:\n${upstreams.join('\n')}`);
  }
  return { url: `http://${LOOPBACK}:${port}/mcp`, pid: child.pid, stop };
}

/** SIGINT lets the gateway close cleanly, which is also when `--cpu-prof` writes its profile. */
async function stopWithSigint(child: ReturnType<typeof spawnTracked>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * supergateway fronting the stdio fixture as stateful streamable HTTP. It starts one stdio child per
 * session (its design), so N sessions talk to N servers where the gateway shares one.
 */
export async function startSupergateway(): Promise<RunningTarget> {
  const port = await freePort();
  const stdio = `${JSON.stringify(process.execPath)} ${JSON.stringify(FIXTURE_STDIO)} bench`;
  const args = [
    SUPERGATEWAY,
    '--stdio',
    stdio,
    '--outputTransport',
    'streamableHttp',
    '--stateful',
    '--port',
    String(port),
    '--logLevel',
    'none',
  ];
  // stdin ignored: supergateway stops when a pipe on its stdin closes.
  const child = spawnTracked(process.execPath, args, { detached: true });
  const output = captureOutput(child);
  try {
    await waitForPort(port, 20_000, () => child.exitCode === null);
  } catch (error) {
    await stopGroup(child);
    throw new Error(`supergateway did not start: ${(error as Error).message}\n${output()}`);
  }
  return { url: `http://${LOOPBACK}:${port}/mcp`, pid: child.pid, stop: () => stopGroup(child) };
}

/** Stops supergateway and the stdio servers it started (its own process group). */
async function stopGroup(child: ReturnType<typeof spawnTracked>): Promise<void> {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 6000);
    await exited;
    clearTimeout(timer);
  }
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}
