// `npm run bench:gateway`: tools/call through the gateway vs direct vs supergateway, and tools/list over 26 servers, in one run.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllNow, spawnTracked, startWatchdog, stopAll } from './children.ts';
import {
  type CpuProfile,
  type ProfileWindow,
  renderProfile,
  summarizeProfile,
} from './cpu-profile.ts';
import type { ListRun, LoadJob } from './gateway-load.ts';
import {
  GATEWAY_USAGE,
  type GatewayBenchOptions,
  parseGatewayBenchArgs,
} from './gateway-options.ts';
import { processCpuMs } from './gateway-proc-cpu.ts';
import { renderGatewayReport } from './gateway-report.ts';
import type { CallTarget, GatewayBenchResults, ListFigures } from './gateway-results.ts';
import { type LoadRun, summarizeRuns } from './gateway-stats.ts';
import {
  FIXTURE_STDIO,
  type RunningTarget,
  startGatewayProcess,
  startHttpUpstream,
  startSupergateway,
  TOOLS_FIXTURE,
} from './gateway-targets.ts';
import { measure, type Outcome } from './results.ts';

/** Hard stop: the bench never outlives this, whatever hangs. */
const WATCHDOG_MS = 10 * 60_000;
const LOAD = fileURLToPath(new URL('./gateway-load.ts', import.meta.url));
const SUPERGATEWAY_PACKAGE = fileURLToPath(
  new URL('../../node_modules/supergateway/package.json', import.meta.url),
);

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Runs one load-generator process to its end and parses the JSON line it prints. */
async function runLoad<T>(job: LoadJob, timeoutMs: number): Promise<T> {
  const child = spawnTracked(process.execPath, [LOAD, JSON.stringify(job)]);
  const out: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString('utf8')).slice(-2000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // 'close', not 'exit': only then has all of its stdout been read.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`load generator failed (exit ${code}): ${err.trim()}`);
  return JSON.parse(Buffer.concat(out).toString('utf8')) as T;
}

interface CallEndpoint {
  readonly url: string;
  readonly tool: string;
  /** The process the client talks to, whose CPU per call is reported. */
  readonly pid: number | undefined;
}

/** One load-generator run against `endpoint`, with the CPU its server process used meanwhile. */
async function callRun(
  endpoint: CallEndpoint,
  sessions: number,
  warmupMs: number,
  durationMs: number,
): Promise<LoadRun> {
  const cpuBefore = processCpuMs(endpoint.pid);
  const run = await runLoad<LoadRun>(
    { mode: 'call', url: endpoint.url, tool: endpoint.tool, sessions, warmupMs, durationMs },
    warmupMs + durationMs + 60_000,
  );
  const cpuAfter = processCpuMs(endpoint.pid);
  if (cpuBefore === undefined || cpuAfter === undefined) return run;
  return { ...run, serverCpuMs: cpuAfter - cpuBefore };
}

async function measureCalls(
  endpoints: Partial<Record<CallTarget, CallEndpoint>>,
  options: GatewayBenchOptions,
  onGatewayWindow: (target: CallTarget, window: ProfileWindow) => void,
): Promise<GatewayBenchResults['calls']> {
  const { concurrency, rounds, warmupMs, durationMs } = options.calls;
  const runs = new Map<string, LoadRun[]>();
  const failures = new Map<string, string>();
  for (const sessions of concurrency) {
    for (let round = 1; round <= rounds; round++) {
      for (const [target, endpoint] of Object.entries(endpoints) as [CallTarget, CallEndpoint][]) {
        const key = `${target}/${sessions}`;
        if (failures.has(key)) continue;
        log(`tools/call via ${target}, ${sessions} session(s), round ${round}/${rounds}`);
        const from = nowUs();
        try {
          const run = await callRun(endpoint, sessions, warmupMs, durationMs);
          runs.set(key, [...(runs.get(key) ?? []), run]);
        } catch (error) {
          failures.set(key, (error as Error).message.split('\n')[0] ?? 'failed');
          log(`!!! ${key}: ${(error as Error).message}`);
        }
        if (target.startsWith('gateway')) onGatewayWindow(target, { fromUs: from, toUs: nowUs() });
      }
    }
  }
  const calls: GatewayBenchResults['calls'] = {};
  for (const target of Object.keys(endpoints) as CallTarget[]) {
    const byConcurrency: Record<string, Outcome<ReturnType<typeof summarizeRuns>>> = {};
    for (const sessions of concurrency) {
      const key = `${target}/${sessions}`;
      const error = failures.get(key);
      byConcurrency[String(sessions)] =
        error === undefined
          ? { ok: true, value: summarizeRuns(runs.get(key) ?? []) }
          : { ok: false, error };
    }
    calls[target] = byConcurrency;
  }
  return calls;
}

async function callPhase(options: GatewayBenchOptions, notes: string[], profileDir: string | null) {
  const stoppers: RunningTarget[] = [];
  const windows = new Map<string, ProfileWindow[]>();
  try {
    const upstream = await startHttpUpstream();
    stoppers.push(upstream);
    log(`fixture over streamable HTTP at ${upstream.url}`);
    const gateway = await startGatewayProcess({
      servers: {
        http: { type: 'streamable-http', url: upstream.url },
        stdio: {
          command: process.execPath,
          args: [FIXTURE_STDIO, 'bench'],
          sandbox: { type: 'none' },
        },
      },
      profileDir,
    });
    stoppers.push(gateway);
    log(`airlock gateway at ${gateway.url} (upstreams: http, stdio)`);
    const endpoints: Partial<Record<CallTarget, CallEndpoint>> = {
      direct: { url: upstream.url, tool: 'echo', pid: upstream.pid },
      'gateway-http': { url: gateway.url, tool: 'http__echo', pid: gateway.pid },
      'gateway-stdio': { url: gateway.url, tool: 'stdio__echo', pid: gateway.pid },
    };
    try {
      const supergateway = await startSupergateway();
      stoppers.push(supergateway);
      endpoints.supergateway = { url: supergateway.url, tool: 'echo', pid: supergateway.pid };
      log(`supergateway at ${supergateway.url}`);
    } catch (error) {
      notes.push(`supergateway skipped: ${(error as Error).message.split('\n')[0]}`);
    }
    const calls = await measureCalls(endpoints, options, (target, window) => {
      windows.set(target, [...(windows.get(target) ?? []), window]);
    });
    return { calls, windows };
  } finally {
    // Stopping the gateway (SIGINT) is what makes --cpu-prof write its profile.
    for (const target of stoppers.reverse()) await target.stop();
  }
}

async function listPhase(
  options: GatewayBenchOptions,
  profileDir: string | null,
  windows: ProfileWindow[],
): Promise<ListFigures> {
  const { servers, toolsPerServer, warmup, iterations } = options.list;
  const mcpServers: Record<string, unknown> = {};
  for (let i = 0; i < servers; i++) {
    const name = `srv${String(i).padStart(2, '0')}`;
    mcpServers[name] = {
      command: process.execPath,
      args: [TOOLS_FIXTURE, name, String(toolsPerServer)],
      // Gateway overhead is what is measured: stdio passes straight through a sandbox, so none is used.
      sandbox: { type: 'none' },
    };
  }
  log(`starting a gateway with ${servers} stdio servers × ${toolsPerServer} tools`);
  const started = Date.now();
  const gateway = await startGatewayProcess({
    servers: mcpServers,
    profileDir,
    startTimeoutMs: 120_000,
  });
  const startMs = Date.now() - started;
  try {
    log(`tools/list × ${iterations} via ${gateway.url}`);
    const from = nowUs();
    const run = await runLoad<ListRun>(
      { mode: 'list', url: gateway.url, warmup, iterations, minTools: servers * toolsPerServer },
      120_000,
    );
    windows.push({ fromUs: from, toUs: nowUs() });
    return {
      servers,
      tools: run.tools,
      raw: summarizeRuns([run.raw]),
      sdk: summarizeRuns([run.sdk]),
      startMs,
    };
  } finally {
    await gateway.stop();
  }
}

function profileReport(dir: string, windows: Map<string, ProfileWindow[]>, what: string): string {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) return `no CPU profile of the ${what} gateway was written\n`;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const parts = [...windows].map(([target, stretches]) =>
    renderProfile(summarizeProfile(profile, 15, stretches), `${what}, during ${target} load`),
  );
  return `${parts.join('\n')}(profile: ${join(dir, file)})\n`;
}

function supergatewayVersion(): string | null {
  try {
    return (JSON.parse(readFileSync(SUPERGATEWAY_PACKAGE, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseGatewayBenchArgs(argv);
  if ('error' in options) {
    process.stderr.write(`${options.error}\n${GATEWAY_USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(GATEWAY_USAGE);
    return 0;
  }
  startWatchdog(WATCHDOG_MS, log);

  const notes: string[] = [];
  const profileDir = (what: string) =>
    options.profile ? mkdtempSync(join(tmpdir(), `airlock-gw-bench-profile-${what}-`)) : null;
  const callProfile = profileDir('calls');
  const listProfile = profileDir('list');
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  const callOutcome = await measure(() => callPhase(options, notes, callProfile));
  if (!callOutcome.ok) notes.push(`tools/call phase failed: ${callOutcome.error}`);
  const listWindows: ProfileWindow[] = [];
  const list = await measure(() => listPhase(options, listProfile, listWindows));
  const results: GatewayBenchResults = {
    date: new Date().toISOString(),
    quick: options.quick,
    machine: {
      cpus: availableParallelism(),
      node: process.versions.node,
      loadAverage: loadBefore,
      loadAverageAfter: loadavg()[0] ?? 0,
      supergateway: supergatewayVersion(),
    },
    settings: {
      concurrency: options.calls.concurrency,
      warmupMs: options.calls.warmupMs,
      durationMs: options.calls.durationMs,
      rounds: options.calls.rounds,
      listIterations: options.list.iterations,
    },
    calls: callOutcome.ok ? callOutcome.value.calls : {},
    list,
    notes,
  };
  await stopAll();
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(renderGatewayReport(results));
  if (callProfile && callOutcome.ok)
    process.stdout.write(
      `\n${profileReport(callProfile, callOutcome.value.windows, 'tools/call')}`,
    );
  if (listProfile && list.ok) {
    const windows = new Map([['tools/list', listWindows]]);
    process.stdout.write(`\n${profileReport(listProfile, windows, '26-server')}`);
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  log(`failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  killAllNow();
}
// Nothing of ours should keep the loop alive now; exit even if a stray handle would.
process.exit(process.exitCode ?? 0);
