// `npm run bench:egress`: direct vs Airlock vs Squid (vs tinyproxy) against one loopback origin, in one run.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { startAirlock } from './airlock.ts';
import { type BenchOptions, parseBenchArgs, USAGE } from './bench-options.ts';
import { killAllNow, stopAll } from './children.ts';
import { type CpuProfile, renderProfile, summarizeProfile } from './cpu-profile.ts';
import { runDecisionBench } from './decision-bench.ts';
import { type Origin, startOrigin } from './origin.ts';
import { renderReport } from './report.ts';
import { type BenchResults, measure, type Outcome } from './results.ts';
import { checkTarget } from './sanity.ts';
import { startSquid } from './squid.ts';
import type { Target } from './target.ts';
import { startTinyproxy } from './tinyproxy.ts';
import { ensureTool } from './tools.ts';
import { runBulk, runSetups } from './tunnel.ts';
import { runWrk, wrkVersion } from './wrk.ts';

/** Hard stop: the bench never outlives this, whatever hangs. */
const WATCHDOG_MS = 8 * 60_000;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

function directTarget(): Target {
  return {
    name: 'direct',
    port: 0,
    proxied: false,
    originHost: '127.0.0.1',
    note: 'straight to the origin',
    stop: async () => {},
  };
}

/** Starts every proxy that can run here; a proxy that fails to start becomes a note, not a crash. */
async function startTargets(
  origin: Origin,
  options: BenchOptions,
  notes: string[],
  profileDir: string | null,
) {
  const ports = [origin.httpPort, origin.tcpPort];
  const targets: Target[] = [directTarget()];
  const tryStart = async (name: string, start: () => Promise<Target>) => {
    try {
      const target = await start();
      await checkTarget(target, origin.httpPort, origin.tcpPort);
      targets.push(target);
      log(`${name} ready on 127.0.0.1:${target.port} (${target.note})`);
    } catch (error) {
      notes.push(
        `${name} skipped: ${(error as Error).message.split('\n').slice(0, 3).join(' / ')}`,
      );
      log(`!!! ${name} skipped: ${(error as Error).message}`);
    }
  };
  await tryStart('airlock', () => startAirlock(ports, { profileDir }));
  const squid = ensureTool('squid', 'squid', log);
  if (squid) await tryStart('squid', () => startSquid(squid, ports));
  else notes.push('squid not available: no Squid column, ratios to Squid missing');
  const tinyproxy = ensureTool('tinyproxy', 'tinyproxy', log);
  if (tinyproxy) await tryStart('tinyproxy', () => startTinyproxy(tinyproxy, ports));
  else notes.push('tinyproxy not available: skipped');
  void options;
  return targets;
}

async function measureAll(options: BenchOptions, notes: string[], profileDir: string | null) {
  const tools: Record<string, string> = {};
  const wrk = ensureTool('wrk', 'wrk', log);
  if (wrk) tools.wrk = wrkVersion(wrk);
  else notes.push('wrk not available: keep-alive figures skipped');

  const origin = await startOrigin();
  log(`origin on 127.0.0.1:${origin.httpPort} (http) and :${origin.tcpPort} (tcp source)`);
  const targets = await startTargets(origin, options, notes, profileDir);

  const load: Record<string, Outcome<Awaited<ReturnType<typeof runWrk>>>> = {};
  if (wrk) {
    for (const target of targets) {
      log(`keep-alive GETs via ${target.name}`);
      const before = await origin.stats();
      load[target.name] = await measure(async () => {
        const result = await runWrk(wrk, target, origin.httpPort, options.load);
        const after = await origin.stats();
        // A proxy answering from anywhere but the origin would inflate its figure.
        if (after.http - before.http < result.requests) {
          throw new Error(
            `origin saw ${after.http - before.http} requests, wrk counted ${result.requests}`,
          );
        }
        return result;
      });
    }
  }
  const bulk: BenchResults['bulk'] = {};
  for (const target of targets) {
    log(`CONNECT bulk via ${target.name}`);
    bulk[target.name] = await measure(() =>
      runBulk(target, origin.tcpPort, options.bulk.bytes, options.bulk.repeats),
    );
  }
  const setups: BenchResults['setups'] = {};
  for (const target of targets) {
    log(`CONNECT setups via ${target.name}`);
    setups[target.name] = await measure(() => runSetups(target, origin.tcpPort, options.setups));
  }
  log('flow decisions, 1,000 patterns, in process');
  const decision = await measure(() =>
    runDecisionBench(options.decision.patterns, options.decision.evaluations),
  );
  for (const target of targets) await target.stop();
  return { tools, load, bulk, setups, decision };
}

function profileReport(profileDir: string): string {
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) return 'no CPU profile was written (did the egress exit cleanly on SIGINT?)\n';
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  return `${renderProfile(summarizeProfile(profile))}(profile: ${join(profileDir, file)})\n`;
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
  const watchdog = setTimeout(() => {
    log(`!!! still running after ${WATCHDOG_MS / 60_000} minutes: stopping`);
    killAllNow();
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();

  const notes: string[] = [];
  const profileDir = options.profile ? mkdtempSync('/tmp/airlock-bench-profile-') : null;
  const started = Date.now();
  const measured = await measureAll(options, notes, profileDir);
  const results: BenchResults = {
    date: new Date().toISOString(),
    quick: options.quick,
    machine: { cpus: availableParallelism(), node: process.versions.node, tools: measured.tools },
    settings: { load: options.load, bulk: options.bulk, setups: options.setups },
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
  if (profileDir) process.stdout.write(`\n${profileReport(profileDir)}`);
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
