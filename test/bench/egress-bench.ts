// `npm run bench:egress`: direct vs Airlock vs Squid (vs tinyproxy) against one loopback origin, in one run.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirlock } from './airlock.ts';
import { runAutocannon } from './autocannon-load.ts';
import { type BenchOptions, parseBenchArgs, USAGE } from './bench-options.ts';
import { runBulkRounds } from './bulk.ts';
import { killAllNow, startWatchdog, stopAll } from './children.ts';
import {
  type CpuProfile,
  type ProfileWindow,
  renderProfile,
  summarizeProfile,
} from './cpu-profile.ts';
import { runDecisionBench } from './decision-bench.ts';
import { type LoadTool, runKeepAlive } from './keep-alive.ts';
import { type Origin, startOrigin } from './origin.ts';
import { renderReport } from './report.ts';
import { type BenchResults, measure } from './results.ts';
import { checkTarget } from './sanity.ts';
import { runSetups } from './setups.ts';
import { startSquid } from './squid.ts';
import type { Target } from './target.ts';
import { startTinyproxy } from './tinyproxy.ts';
import { ensureTool } from './tools.ts';
import { runWrk, wrkVersion } from './wrk.ts';

/** Hard stop: the bench never outlives this, whatever hangs. */
const WATCHDOG_MS = 8 * 60_000;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** When Airlock was under each kind of load, in the monotonic clock its CPU profile uses (µs). */
type Windows = Map<string, ProfileWindow[]>;
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

const direct: Target = {
  name: 'direct',
  port: 0,
  proxied: false,
  originHost: '127.0.0.1',
  note: 'straight to the origin',
  stop: async () => {},
};

/** Starts every proxy that can run here; one that fails to start or to pass traffic becomes a note. */
async function startTargets(origin: Origin, notes: string[], profileDir: string | null) {
  const ports = [origin.httpPort, origin.tcpPort];
  const targets: Target[] = [direct];
  const tryStart = async (name: string, start: () => Promise<Target>) => {
    let target: Target | undefined;
    try {
      target = await start();
      await checkTarget(target, origin.httpPort, origin.tcpPort);
      targets.push(target);
      log(`${name} ready on 127.0.0.1:${target.port} (${target.note})`);
    } catch (error) {
      await target?.stop();
      const message = (error as Error).message;
      notes.push(`${name} skipped: ${message.split('\n').slice(0, 3).join(' / ')}`);
      log(`!!! ${name} skipped: ${message}`);
    }
  };
  await tryStart('airlock', () => startAirlock(ports, { profileDir }));
  const squid = ensureTool('squid', 'squid', log);
  if (squid) await tryStart('squid', () => startSquid(squid, ports));
  else notes.push('squid not available: no Squid column, no ratios to Squid');
  const tinyproxy = ensureTool('tinyproxy', 'tinyproxy', log);
  if (tinyproxy) await tryStart('tinyproxy', () => startTinyproxy(tinyproxy, ports));
  else notes.push('tinyproxy not available: skipped');
  return targets;
}

async function connectSetups(
  targets: readonly Target[],
  origin: Origin,
  options: BenchOptions,
  windows: Windows,
) {
  const setups: BenchResults['setups'] = {};
  for (const target of targets) {
    log(`CONNECT setups via ${target.name}`);
    const from = nowUs();
    setups[target.name] = await measure(() => runSetups(target, origin.tcpPort, options.setups));
    if (target.name === 'airlock') windows.set('CONNECT setups', [{ fromUs: from, toUs: nowUs() }]);
  }
  return setups;
}

async function measureAll(
  options: BenchOptions,
  notes: string[],
  profileDir: string | null,
  windows: Windows,
) {
  const tools: Record<string, string> = {};
  const wrk = ensureTool('wrk', 'wrk', log);
  let tool: LoadTool;
  if (wrk) {
    tools.wrk = wrkVersion(wrk);
    tool = {
      name: 'wrk, 1 thread',
      run: (target, port, settings) => runWrk(wrk, target, port, settings),
    };
  } else {
    notes.push('wrk not available: keep-alive load from autocannon, in the bench process');
    tool = { name: 'autocannon', run: runAutocannon };
  }

  const origin = await startOrigin();
  log(`origin on 127.0.0.1:${origin.httpPort} (http) and :${origin.tcpPort} (tcp source)`);
  const targets = await startTargets(origin, notes, profileDir);
  const loadWindows: ProfileWindow[] = [];
  windows.set('keep-alive GETs', loadWindows);
  const load = await runKeepAlive(tool, targets, origin, options.load, log, (target, window) => {
    if (target.name === 'airlock') loadWindows.push(window);
  });
  const bulkWindows: ProfileWindow[] = [];
  windows.set('CONNECT bulk', bulkWindows);
  const bulk = await runBulkRounds(
    targets,
    origin.tcpPort,
    options.bulk,
    log,
    (target, fromUs, toUs) => {
      if (target.name === 'airlock') bulkWindows.push({ fromUs, toUs });
    },
  );
  const setups = await connectSetups(targets, origin, options, windows);
  const decision: BenchResults['decision'] = {};
  for (const layout of ['one allowlist', 'one flow per pattern'] as const) {
    log(`flow decisions, 1,000 patterns as ${layout}, in process`);
    decision[layout] = await measure(() =>
      runDecisionBench(layout, options.decision.patterns, options.decision.evaluations),
    );
  }
  for (const target of targets) await target.stop();
  return { tools, loadTool: tool.name, load, bulk, setups, decision };
}

function profileReport(profileDir: string, windows: Windows): string {
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) return 'no CPU profile was written (did the egress exit cleanly on SIGINT?)\n';
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  const parts = [...windows].map(([what, stretches]) =>
    renderProfile(summarizeProfile(profile, 20, stretches), `during ${what}`),
  );
  return `${parts.join('\n')}(profile: ${join(profileDir, file)})\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchArgs(argv);
  if ('error' in options) {
    process.stderr.write(`${options.error}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  startWatchdog(WATCHDOG_MS, log);

  const notes: string[] = [];
  const windows: Windows = new Map();
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'airlock-bench-profile-')) : null;
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  const measured = await measureAll(options, notes, profileDir, windows);
  const results: BenchResults = {
    date: new Date().toISOString(),
    quick: options.quick,
    machine: {
      loadAverage: loadBefore,
      cpus: availableParallelism(),
      node: process.versions.node,
      tools: measured.tools,
    },
    settings: {
      load: { ...options.load, tool: measured.loadTool },
      bulk: options.bulk,
      setups: options.setups,
    },
    load: measured.load,
    bulk: measured.bulk,
    setups: measured.setups,
    decision: measured.decision,
    notes,
  };
  await stopAll();
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(renderReport(results));
  if (profileDir) process.stdout.write(`\n${profileReport(profileDir, windows)}`);
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
