// The tunnel client against the real bench origin process, direct (the proxied path is what the bench measures).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBulkRounds } from './bulk.ts';
import { killAllNow } from './children.ts';
import { type Origin, startOrigin } from './origin.ts';
import { runSetups } from './setups.ts';
import { percentile } from './stats.ts';
import type { Target } from './target.ts';

const direct: Target = {
  name: 'direct',
  port: 0,
  proxied: false,
  originHost: '127.0.0.1',
  note: '',
  stop: async () => {},
};
let origin: Origin;

beforeAll(async () => {
  origin = await startOrigin();
});
afterAll(() => killAllNow());

describe('bench clients against the origin', () => {
  it('moves exactly the requested bytes from the source', async () => {
    const before = await origin.stats();
    const results = await runBulkRounds(
      [direct],
      origin.tcpPort,
      { bytes: 4 * 1024 ** 2 + 7, repeats: 2 },
      () => {},
    );
    expect(results.direct).toMatchObject({
      ok: true,
      value: { runs: 2, bytesPerRun: 4 * 1024 ** 2 + 7 },
    });
    // One warm-up transfer and two timed ones, each through its own connection.
    expect((await origin.stats()).tcp - before.tcp).toBe(3);
  });

  it('stops setups at the count bound and counts each one at the origin', async () => {
    const before = await origin.stats();
    const result = await runSetups(direct, origin.tcpPort, {
      concurrency: 4,
      maxCount: 40,
      seconds: 5,
    });
    expect(result).toMatchObject({ completed: 40, errors: 0 });
    expect((await origin.stats()).tcp - before.tcp).toBe(40);
  });
});

it('reports a target whose transfer comes up short as failed', async () => {
  const closed: Target = { ...direct, name: 'closed', proxied: true, port: origin.httpPort };
  const results = await runBulkRounds(
    [closed],
    origin.tcpPort,
    { bytes: 1000, repeats: 1 },
    () => {},
  );
  expect(results.closed).toMatchObject({ ok: false });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });
});
