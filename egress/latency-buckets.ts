// Fixed log-scale latency buckets, so rollups can answer p50/p95/p99 without keeping every duration.

/** Four buckets per doubling: a percentile read from them is at most ~19% above the true value. */
const BUCKETS_PER_DOUBLING = 4;
/** The last bucket holds everything from ~9.3 hours up (2^25 ms); longer tunnels are rare and not latency. */
export const LAST_LATENCY_BUCKET = 25 * BUCKETS_PER_DOUBLING;

/** Bucket 0 holds durations up to 1 ms; bucket i holds (2^((i-1)/4), 2^(i/4)] ms. */
export function latencyBucket(durationMs: number): number {
  if (!(durationMs > 1)) return 0; // also catches NaN and negatives
  const bucket = Math.ceil(Math.log2(durationMs) * BUCKETS_PER_DOUBLING - 1e-9);
  return Math.min(bucket, LAST_LATENCY_BUCKET);
}

/** The largest duration a bucket holds, in ms: what a percentile falling in it reports. */
export function bucketUpperMs(bucket: number): number {
  return Math.round(2 ** (bucket / BUCKETS_PER_DOUBLING) * 1000) / 1000;
}

/**
 * Nearest-rank percentile (q in (0, 1]) over bucket counts, reported as the bucket's upper bound;
 * null when there is nothing to measure.
 */
export function percentileMs(counts: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0;
  for (const count of counts.values()) total += count;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket) ?? 0;
    if (seen >= rank) return bucketUpperMs(bucket);
  }
  return bucketUpperMs(LAST_LATENCY_BUCKET);
}
