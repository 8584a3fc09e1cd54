// The printed report: ratios to direct and to Squid, and each target judged met or not.
import { describe, expect, it } from 'vitest';
import type { DecisionResult } from './decision-bench.ts';
import { renderReport, targetChecks } from './report.ts';
import type { BenchResults } from './results.ts';

function decisionFigure(overrides: Partial<DecisionResult>): DecisionResult {
  return {
    layout: 'one allowlist',
    patterns: 1000,
    evaluations: 1000,
    compileMs: 30,
    p50Us: 2,
    p99Us: 9,
    meanUs: 3,
    wrong: 0,
    ...overrides,
  };
}

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  const load = (rps: number) => ({
    ok: true as const,
    value: {
      requests: rps * 10,
      requestsPerSecond: rps,
      p50Ms: 1,
      p99Ms: 5,
      socketErrors: 0,
      badStatus: 0,
    },
  });
  const bulk = (mbs: number) => ({
    ok: true as const,
    value: { megabytesPerSecond: mbs, bytesPerRun: 256 * 1024 ** 2, runs: 5 },
  });
  const setups = (sps: number) => ({
    ok: true as const,
    value: { setupsPerSecond: sps, completed: sps * 5, errors: 0, p50Ms: 2 },
  });
  return {
    date: '2026-11-21T07:00:00.000Z',
    quick: false,
    machine: { loadAverage: 0.2, cpus: 2, node: '24.21.0', tools: { wrk: '4.1.0' } },
    settings: {
      load: { tool: 'wrk, 1 thread', connections: 50, seconds: 12, warmupSeconds: 3, rounds: 2 },
      bulk: { bytes: 256 * 1024 ** 2, repeats: 5 },
      setups: { concurrency: 16, maxCount: 6000, seconds: 5 },
    },
    load: { direct: load(20000), airlock: load(12000), squid: load(6000) },
    bulk: { direct: bulk(1000), airlock: bulk(950), squid: bulk(800) },
    setups: { direct: setups(3000), airlock: setups(1500), squid: setups(1000) },
    decision: {
      'one allowlist': { ok: true, value: decisionFigure({ p50Us: 2 }) },
      'one flow per pattern': {
        ok: true,
        value: decisionFigure({ layout: 'one flow per pattern', p50Us: 1 }),
      },
    },
    notes: [],
    ...overrides,
  };
}

describe('targetChecks', () => {
  it('judges each target against its threshold', () => {
    expect(targetChecks(results())).toEqual([
      { goal: 'keep-alive req/s ≥ 1.5× Squid', measured: '2.00× Squid', met: true },
      { goal: 'CONNECT bulk ≥ 90% of direct', measured: '95% of direct', met: true },
      {
        goal: 'flow decision ≤ 20 µs p50 (1,000 patterns)',
        measured: '2.00 µs p50 (one allowlist)',
        met: true,
      },
    ]);
  });

  it('fails the targets Airlock misses, and a decision bench with wrong decisions', () => {
    const slow = results({
      load: {
        direct: results().load.direct!,
        airlock: results().load.squid!,
        squid: results().load.squid!,
      },
      decision: {
        'one allowlist': { ok: true, value: decisionFigure({ p50Us: 1 }) },
        'one flow per pattern': {
          ok: true,
          value: decisionFigure({ layout: 'one flow per pattern', p50Us: 0.5, wrong: 3 }),
        },
      },
    });
    const checks = targetChecks(slow);
    expect(checks[0]).toMatchObject({ measured: '1.00× Squid', met: false });
    expect(checks[2]).toMatchObject({ measured: '1.00 µs p50 (one allowlist)', met: false });
  });

  it('says not measured when Squid is missing', () => {
    const noSquid = results({
      load: { direct: results().load.direct!, airlock: results().load.airlock! },
    });
    expect(targetChecks(noSquid)[0]).toMatchObject({ measured: 'not measured', met: null });
  });
});

describe('renderReport', () => {
  it('prints ratios to direct and to Squid in each row', () => {
    const text = renderReport(results());
    expect(text).toContain('| airlock | 12,000 | 1.00 | 5.00 | 0 | 0 | 0.60× | 2.00× |');
    expect(text).toContain('| airlock | 950 | 0.95× | 1.19× |');
    expect(text).toContain('| keep-alive req/s ≥ 1.5× Squid | 2.00× Squid | met |');
    expect(text).toContain('| one allowlist | 2.00 | 9.00 | 3.00 | 1,000 | 30.0 | 0 |');
  });

  it('shows a failed figure as the reason it failed', () => {
    const text = renderReport(
      results({
        bulk: { direct: { ok: false, error: 'connection refused' } },
        notes: ['squid skipped'],
      }),
    );
    expect(text).toContain('| direct | failed: connection refused |');
    expect(text).toContain('note: squid skipped');
  });
});
