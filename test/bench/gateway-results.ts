// The shape of one gateway bench run: what the table and --json print.
import type { LatencyFigures } from './gateway-stats.ts';
import type { Outcome } from './results.ts';

/** The four ways of reaching the same echo tool, in the order the table shows them. */
export const CALL_TARGETS = ['direct', 'gateway-http', 'gateway-stdio', 'supergateway'] as const;
export type CallTarget = (typeof CALL_TARGETS)[number];

export const TARGET_NOTES: Record<CallTarget, string> = {
  direct: 'SDK client → fixture over streamable HTTP',
  'gateway-http': 'SDK client → airlock gateway → same fixture as a streamable-http upstream',
  'gateway-stdio': 'SDK client → airlock gateway → fixture as a stdio child (one, shared)',
  supergateway: 'SDK client → supergateway (stateful streamable HTTP) → fixture over stdio',
};

export interface ListFigures {
  readonly servers: number;
  readonly tools: number;
  /** Raw POST tools/list, body read to the end. */
  readonly raw: LatencyFigures;
  /** SDK `Client.listTools` (adds client-side zod validation of ~1,000 tools). */
  readonly sdk: LatencyFigures;
  /** From spawning the gateway until every upstream was ready. */
  readonly startMs: number;
}

export interface GatewayBenchResults {
  readonly date: string;
  readonly quick: boolean;
  readonly machine: {
    readonly cpus: number;
    readonly node: string;
    /** 1-minute load average before the run: well above 0 means other work skewed the figures. */
    readonly loadAverage: number;
    /** The same after the run: CPU contention from outside shows here too. */
    readonly loadAverageAfter: number;
    readonly supergateway: string | null;
  };
  readonly settings: {
    readonly concurrency: readonly number[];
    readonly warmupMs: number;
    readonly durationMs: number;
    readonly rounds: number;
    readonly listIterations: number;
  };
  /** target → sessions (as a string key) → figures. */
  readonly calls: Partial<Record<CallTarget, Record<string, Outcome<LatencyFigures>>>>;
  readonly list: Outcome<ListFigures>;
  readonly notes: readonly string[];
}
