// Keep-alive rounds of one target folded into one figure.
import { describe, expect, it } from 'vitest';
import { combineRounds } from './keep-alive.ts';

describe('combineRounds', () => {
  it('rates requests over the summed time, takes the median p50 and the worst p99, adds errors', () => {
    const round = (requests: number, seconds: number, p50Ms: number, p99Ms: number) => ({
      requests,
      requestsPerSecond: requests / seconds,
      p50Ms,
      p99Ms,
      socketErrors: 1,
      badStatus: 0,
    });
    expect(combineRounds([round(6000, 6, 2, 10), round(3000, 6, 4, 30)])).toEqual({
      requests: 9000,
      requestsPerSecond: 750,
      p50Ms: 2,
      p99Ms: 30,
      socketErrors: 2,
      badStatus: 0,
    });
  });
});
