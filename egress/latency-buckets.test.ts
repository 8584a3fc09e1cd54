// Latency buckets: which bucket a duration lands in and which percentile the buckets answer.
import { describe, expect, it } from 'vitest';
import {
  bucketUpperMs,
  LAST_LATENCY_BUCKET,
  latencyBucket,
  percentileMs,
} from './latency-buckets.ts';

describe('latencyBucket', () => {
  it.each([
    [0, 0],
    [0.5, 0],
    [1, 0],
    [1.1, 1],
    [2, 4],
    [2.1, 5],
    [1000, 40],
    [Number.NaN, 0],
    [-5, 0],
    [1e12, LAST_LATENCY_BUCKET],
  ])('puts %s ms in bucket %s', (ms, bucket) => {
    expect(latencyBucket(ms)).toBe(bucket);
  });

  it('reports a bound no lower than the duration and within 19% of it', () => {
    for (const ms of [1.5, 3, 7.7, 12, 99, 250, 1234, 60_000]) {
      const upper = bucketUpperMs(latencyBucket(ms));
      expect(upper).toBeGreaterThanOrEqual(ms);
      expect(upper).toBeLessThanOrEqual(ms * 1.19 + 0.001);
    }
  });
});

describe('percentileMs', () => {
  it('answers nearest-rank percentiles from bucket counts', () => {
    const counts = new Map<number, number>();
    for (const ms of [1, 1, 1, 1, 1, 1, 1, 1, 1, 1000]) {
      const bucket = latencyBucket(ms);
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    }
    expect(percentileMs(counts, 0.5)).toBe(1);
    expect(percentileMs(counts, 0.9)).toBe(1);
    expect(percentileMs(counts, 0.95)).toBe(1024);
  });

  it('answers null when nothing was measured', () => {
    expect(percentileMs(new Map(), 0.5)).toBeNull();
  });
});
