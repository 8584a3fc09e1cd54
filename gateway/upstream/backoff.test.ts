import { describe, expect, it } from 'vitest';
import { attemptAfterCrash, defaultBackoff, nextDelay } from './backoff.ts';

describe('nextDelay', () => {
  it.each([
    [0, 500],
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [5, 16_000],
    [6, 30_000],
    [7, 30_000],
    [1_000, 30_000],
  ])('waits before restart %i: %i ms (0.5 s doubling, capped at 30 s)', (attempt, delay) => {
    expect(nextDelay(attempt)).toBe(delay);
  });

  it('treats a negative attempt as the first', () => {
    expect(nextDelay(-3)).toBe(defaultBackoff.initialMs);
  });

  it('follows a custom policy', () => {
    const policy = { initialMs: 50, maxMs: 300, stableMs: 1_000 };
    expect([0, 1, 2, 3].map((attempt) => nextDelay(attempt, policy))).toEqual([50, 100, 200, 300]);
  });
});

describe('attemptAfterCrash', () => {
  it.each([
    ['never became ready', 4, null, 4],
    ['ready only briefly', 4, 1_000, 4],
    ['ready for the stable period', 4, 60_000, 0],
    ['ready for longer', 7, 3_600_000, 0],
  ])('keeps or resets the counter when it %s', (_why, attempt, readyFor, expected) => {
    expect(attemptAfterCrash(attempt, readyFor)).toBe(expected);
  });
});
