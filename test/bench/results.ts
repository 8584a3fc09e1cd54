// The shape of one bench run's results: what the table and --json print.

import type { BulkResult } from './bulk.ts';
import type { DecisionResult } from './decision-bench.ts';
import type { SetupResult } from './setups.ts';
import type { LoadResult } from './wrk.ts';

/** A figure, or why it is missing. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

export interface BenchResults {
  readonly date: string;
  readonly quick: boolean;
  readonly machine: {
    /** 1-minute load average before the bench started anything: other work on the machine skews figures. */
    readonly loadAverage: number;
    readonly cpus: number;
    readonly node: string;
    readonly tools: Record<string, string>;
  };
  readonly settings: {
    readonly load: {
      tool: string;
      connections: number;
      seconds: number;
      warmupSeconds: number;
      rounds: number;
    };
    readonly bulk: { bytes: number; repeats: number };
    readonly setups: { concurrency: number; maxCount: number; seconds: number };
  };
  /** Target name → figure; the same target names in every section, in run order. */
  readonly load: Record<string, Outcome<LoadResult>>;
  readonly bulk: Record<string, Outcome<BulkResult>>;
  readonly setups: Record<string, Outcome<SetupResult>>;
  /** Layout (`one allowlist`, `one flow per pattern`) → figure. */
  readonly decision: Record<string, Outcome<DecisionResult>>;
  /** Lines explaining what was skipped and why. */
  readonly notes: readonly string[];
}

export async function measure<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0] ?? 'failed' };
  }
}
