// Turns the load generator's raw samples into figures: percentiles, mean and calls per second, merged over rounds.
import { percentile } from './stats.ts';

/** What one load-generator run hands back: per-call latencies (µs) measured client-side after warm-up. */
export interface LoadRun {
  readonly samplesUs: readonly number[];
  /** Length of the measured window (after warm-up), ms. */
  readonly measuredMs: number;
  readonly errors: number;
  readonly firstError?: string;
  /** Warm-up plus measured window, ms (what clientCpuMs covers). */
  readonly windowMs?: number;
  /** Calls answered in the whole run, warm-up included. */
  readonly totalCalls?: number;
  /** CPU the process the client talked to used during the whole run (from /proc), ms. */
  readonly serverCpuMs?: number;
  /** CPU the load generator itself used from warm-up to the end, ms: near one core means it limited the run. */
  readonly clientCpuMs?: number;
}

export interface LatencyFigures {
  readonly calls: number;
  readonly errors: number;
  readonly callsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** CPU of the process the client talked to, per call answered (NaN when not measured). */
  readonly serverCpuMsPerCall: number;
  /** Share of one core the load generator used while calling (≥ 0.9: it, not the target, set the pace). */
  readonly clientCoreShare: number;
  readonly firstError?: string;
}

/** Rounds of the same target and concurrency: calls and time add up, percentiles over all samples. */
export function summarizeRuns(runs: readonly LoadRun[]): LatencyFigures {
  const samples = runs.flatMap((run) => run.samplesUs);
  const measuredMs = runs.reduce((sum, run) => sum + run.measuredMs, 0);
  const errors = runs.reduce((sum, run) => sum + run.errors, 0);
  const firstError = runs.find((run) => run.firstError !== undefined)?.firstError;
  const total = samples.reduce((sum, us) => sum + us, 0);
  const withCpu = runs.filter((run) => run.serverCpuMs !== undefined && run.totalCalls);
  const cpuMs = withCpu.reduce((sum, run) => sum + (run.serverCpuMs ?? 0), 0);
  const cpuCalls = withCpu.reduce((sum, run) => sum + (run.totalCalls ?? 0), 0);
  const withClient = runs.filter((run) => run.clientCpuMs !== undefined && run.windowMs);
  const clientMs = withClient.reduce((sum, run) => sum + (run.clientCpuMs ?? 0), 0);
  const windowMs = withClient.reduce((sum, run) => sum + (run.windowMs ?? 0), 0);
  return {
    calls: samples.length,
    errors,
    callsPerSecond: measuredMs > 0 ? samples.length / (measuredMs / 1000) : Number.NaN,
    p50Ms: percentile(samples, 50) / 1000,
    p99Ms: percentile(samples, 99) / 1000,
    meanMs: samples.length > 0 ? total / samples.length / 1000 : Number.NaN,
    serverCpuMsPerCall: cpuCalls > 0 ? cpuMs / cpuCalls : Number.NaN,
    clientCoreShare: windowMs > 0 ? clientMs / windowMs : Number.NaN,
    ...(firstError === undefined ? {} : { firstError }),
  };
}
