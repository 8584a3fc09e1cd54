// Helpers for upstream tests: fixture servers on loopback, call contexts, waiting on state, pid checks.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { ServerSpec, StdioServerSpec } from '../../gateway/config/types.ts';
import { processAlive } from '../../gateway/upstream/process-group.ts';
import { createProcessLauncher } from '../../gateway/upstream/process-launcher.ts';
import { createUpstream, type UpstreamOptions } from '../../gateway/upstream/upstream.ts';
import type {
  CallContext,
  Upstream,
  UpstreamState,
} from '../../gateway/upstream/upstream-types.ts';

export const fixturesDir = fileURLToPath(new URL('../fixtures/servers/', import.meta.url));
export const everythingServer = fileURLToPath(
  new URL(
    '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js',
    import.meta.url,
  ),
);
export const silentLogger = pino({ level: 'silent' });

/** A stdio spec running one of the fixture servers (or any script) with this Node. */
export function stdioSpec(
  name: string,
  script = `${fixturesDir}stdio-server.ts`,
  args: string[] = [name],
): StdioServerSpec {
  return {
    name,
    transport: 'stdio',
    command: process.execPath,
    args: [script, ...args],
    env: {},
    disabled: false,
  };
}

export interface Recorded {
  readonly upstream: Upstream;
  readonly states: UpstreamState[];
}

/** An upstream with fast backoff and no pinging, recording every state it passes through. */
export function startUpstream(spec: ServerSpec, extra: Partial<UpstreamOptions> = {}): Recorded {
  const states: UpstreamState[] = [];
  const upstream = createUpstream({
    spec,
    launcher: createProcessLauncher({ logger: silentLogger, graceMs: 500 }),
    resolveEnv: async () => ({}),
    resolveHeaders: async () => ({}),
    logger: silentLogger,
    backoff: { initialMs: 50, maxMs: 400, stableMs: 60_000 },
    pingIntervalMs: 0,
    onStateChange: (_name, state) => states.push(state),
    ...extra,
  });
  return { upstream, states };
}

export function context(sessionId: string, extra: Partial<CallContext> = {}): CallContext {
  return { signal: new AbortController().signal, sessionId, ...extra };
}

/** The text of a tool result's first content block. */
export function textOf(result: unknown): string {
  const first = (result as { content?: { text?: string }[] }).content?.[0];
  return first?.text ?? '';
}

export async function waitFor(
  check: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether a process still runs; a zombie (exited, waiting for init to reap it) does not. */
export function pidAlive(pid: number): boolean {
  return processAlive(pid);
}

/** A port that was free a moment ago, for servers that cannot be told to pick one (server-everything). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  readonly child: ChildProcess;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts a server process and waits until `ready` matches its output (stdout or stderr). */
export function startServerProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  port: number,
): Promise<RunningServer> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = ready.exec(seen);
      if (match) resolve({ child, port: Number(match[1] ?? port), stop });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before ready: ${seen}`)),
    );
  });
}

/** The streamable-HTTP fixture on 127.0.0.1 (port 0 picks one). */
export function startHttpFixture(port = 0): Promise<RunningServer> {
  return startServerProcess(
    [`${fixturesDir}http-server.ts`],
    { PORT: String(port) },
    /listening (\d+)/,
    port,
  );
}

/** server-everything over `sse` or `streamableHttp` on a free port. */
export async function startEverything(
  mode: 'sse' | 'streamableHttp',
  port?: number,
): Promise<RunningServer> {
  const chosen = port ?? (await freePort());
  return startServerProcess(
    [everythingServer, mode],
    { PORT: String(chosen) },
    /(?:running|listening) on port (\d+)/,
    chosen,
  );
}
