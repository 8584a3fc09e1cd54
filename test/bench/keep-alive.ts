// Keep-alive small GETs for every target, in interleaved rounds so a noisy moment hits all targets alike.
import type { ProfileWindow } from './cpu-profile.ts';
import type { Origin } from './origin.ts';
import { measure, type Outcome } from './results.ts';
import { median } from './stats.ts';
import type { Target } from './target.ts';
import type { LoadResult, LoadSettings } from './wrk.ts';

/** The load generator: wrk when it is here, else autocannon (a devDependency). */
export interface LoadTool {
  readonly name: string;
  run(target: Target, originPort: number, settings: LoadSettings): Promise<LoadResult>;
}

/** Several rounds of one target as one figure: rates over the summed time, p50 the median round's, p99 the worst. */
export function combineRounds(rounds: readonly LoadResult[]): LoadResult {
  const requests = rounds.reduce((sum, r) => sum + r.requests, 0);
  const seconds = rounds.reduce((sum, r) => sum + r.requests / r.requestsPerSecond, 0);
  return {
    requests,
    requestsPerSecond: seconds > 0 ? requests / seconds : 0,
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
    socketErrors: rounds.reduce((sum, r) => sum + r.socketErrors, 0),
    badStatus: rounds.reduce((sum, r) => sum + r.badStatus, 0),
  };
}

export async function runKeepAlive(
  tool: LoadTool,
  targets: readonly Target[],
  origin: Origin,
  settings: LoadSettings & { rounds: number },
  log: (line: string) => void,
  /** Told when each measured stretch of a target ran (monotonic µs), for cutting a CPU profile. */
  onRound: (target: Target, window: ProfileWindow) => void,
): Promise<Record<string, Outcome<LoadResult>>> {
  const rounds = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  const failed = new Map<string, string>();
  const seconds = Math.max(1, Math.round(settings.seconds / settings.rounds));
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const target of targets) {
      if (failed.has(target.name)) continue;
      log(`keep-alive GETs via ${target.name}, round ${round + 1}/${settings.rounds}`);
      const fromUs = Number(process.hrtime.bigint() / 1000n);
      const before = await origin.stats();
      const warmupSeconds = round === 0 ? settings.warmupSeconds : 0;
      const outcome = await measure(async () => {
        const result = await tool.run(target, origin.httpPort, {
          ...settings,
          seconds,
          warmupSeconds,
        });
        const seen = (await origin.stats()).http - before.http;
        // A proxy answering from anywhere but the origin would inflate its figure.
        if (seen < result.requests) {
          throw new Error(`origin saw ${seen} requests, the load tool counted ${result.requests}`);
        }
        return result;
      });
      onRound(target, { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) });
      if (outcome.ok) rounds.get(target.name)?.push(outcome.value);
      else failed.set(target.name, outcome.error);
    }
  }
  const results: Record<string, Outcome<LoadResult>> = {};
  for (const target of targets) {
    const error = failed.get(target.name);
    results[target.name] = error
      ? { ok: false, error }
      : { ok: true, value: combineRounds(rounds.get(target.name) ?? []) };
  }
  return results;
}
