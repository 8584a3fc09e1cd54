// Restart delays for a crashed upstream: pure, so the schedule is table-tested without clocks.

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A server that stayed ready this long has its attempt counter reset. */
  readonly stableMs: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 500, maxMs: 30_000, stableMs: 60_000 };

/** Delay before restart number `attempt` (0-based): initial, doubling, capped. No jitter: one process per server, no herd. */
export function nextDelay(attempt: number, policy: BackoffPolicy = defaultBackoff): number {
  if (attempt <= 0) return policy.initialMs;
  // 2 ** attempt overflows to Infinity long after the cap applies; min() keeps it finite.
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
}

/** The attempt counter after a crash: reset when the server had been ready for a stable period. */
export function attemptAfterCrash(
  attempt: number,
  readyForMs: number | null,
  policy: BackoffPolicy = defaultBackoff,
): number {
  if (readyForMs !== null && readyForMs >= policy.stableMs) return 0;
  return attempt;
}
