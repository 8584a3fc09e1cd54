// The gateway bench's pure parts: flags, merging rounds into figures, comparisons with direct, targets and the table.
import { describe, expect, it } from 'vitest';
import { parseGatewayBenchArgs } from './gateway-options.ts';
import { parseProcStatCpuMs } from './gateway-proc-cpu.ts';
import { gatewayTargetChecks, renderGatewayReport, versusDirect } from './gateway-report.ts';
import type { GatewayBenchResults } from './gateway-results.ts';
import { type LatencyFigures, summarizeRuns } from './gateway-stats.ts';

function fig(callsPerSecond: number, p50Ms: number, p99Ms: number): LatencyFigures {
  return {
    calls: 1000,
    errors: 0,
    callsPerSecond,
    p50Ms,
    p99Ms,
    meanMs: p50Ms,
    serverCpuMsPerCall: 0.25,
    clientCoreShare: 0.5,
  };
}

const ok = (value: LatencyFigures) => ({ ok: true as const, value });

function results(over: Partial<GatewayBenchResults> = {}): GatewayBenchResults {
  return {
    date: '2026-11-21T08:00:00.000Z',
    quick: false,
    machine: {
      cpus: 2,
      node: '24.21.0',
      loadAverage: 0.1,
      loadAverageAfter: 0.2,
      supergateway: '4.0.0',
    },
    settings: {
      concurrency: [1, 8],
      warmupMs: 1000,
      durationMs: 5000,
      rounds: 2,
      listIterations: 300,
    },
    calls: {
      direct: { '1': ok(fig(1000, 1, 2)), '8': ok(fig(4000, 2, 4)) },
      'gateway-http': { '1': ok(fig(800, 1.5, 4)), '8': ok(fig(3000, 3, 8)) },
      'gateway-stdio': { '1': ok(fig(900, 2.5, 6)), '8': ok(fig(3400, 2.5, 7)) },
      supergateway: { '1': ok(fig(500, 2, 5)), '8': { ok: false, error: 'connection refused' } },
    },
    list: {
      ok: true,
      value: {
        servers: 26,
        tools: 1040,
        raw: fig(300, 3.2, 4.9),
        sdk: fig(100, 9, 12),
        startMs: 6000,
      },
    },
    notes: [],
    ...over,
  };
}

describe('summarizeRuns', () => {
  it('merges rounds: calls and time add up, percentiles over every sample', () => {
    const merged = summarizeRuns([
      {
        samplesUs: [1000, 2000, 3000],
        measuredMs: 1000,
        errors: 0,
        totalCalls: 5,
        serverCpuMs: 3,
        clientCpuMs: 900,
        windowMs: 1500,
      },
      {
        samplesUs: [4000],
        measuredMs: 1000,
        errors: 2,
        firstError: 'boom',
        totalCalls: 3,
        serverCpuMs: 1,
      },
    ]);
    expect(merged).toEqual({
      calls: 4,
      errors: 2,
      callsPerSecond: 2,
      p50Ms: 2,
      p99Ms: 4,
      meanMs: 2.5,
      serverCpuMsPerCall: 0.5,
      clientCoreShare: 0.6,
      firstError: 'boom',
    });
  });

  it('reports NaN figures, not zeros, for a run without samples', () => {
    const empty = summarizeRuns([{ samplesUs: [], measuredMs: 0, errors: 0 }]);
    expect(empty.calls).toBe(0);
    expect(empty.callsPerSecond).toBeNaN();
    expect(empty.p50Ms).toBeNaN();
    expect(empty.serverCpuMsPerCall).toBeNaN();
    expect(empty.clientCoreShare).toBeNaN();
  });
});

describe('versusDirect', () => {
  it('gives added latency in ms and throughput as a share of direct at the same concurrency', () => {
    expect(versusDirect(results(), 'gateway-http', 1)).toEqual({
      addedP50Ms: 0.5,
      addedP99Ms: 2,
      throughputShare: 0.8,
    });
  });

  it('has nothing to say when either side failed', () => {
    expect(versusDirect(results(), 'supergateway', 8)).toBeUndefined();
  });
});

describe('gatewayTargetChecks', () => {
  it('judges latency at one session and throughput at the highest concurrency, per gateway path', () => {
    const checks = gatewayTargetChecks(results());
    expect(checks.map((c) => [c.goal, c.measured, c.met])).toEqual([
      ['gateway-http: ≤ 1 ms p50 added (1 session)', '+0.50 ms', true],
      ['gateway-http: ≤ 3 ms p99 added (1 session)', '+2.00 ms', true],
      ['gateway-http: ≥ 80% of direct calls/s (8 sessions)', '75%', false],
      ['gateway-stdio: ≤ 1 ms p50 added (1 session)', '+1.50 ms', false],
      ['gateway-stdio: ≤ 3 ms p99 added (1 session)', '+4.00 ms', false],
      ['gateway-stdio: ≥ 80% of direct calls/s (8 sessions)', '85%', true],
      ['tools/list ≤ 5 ms p50 (26 servers, 1040 tools)', '3.20 ms p50, 4.90 ms p99', true],
    ]);
  });

  it('marks a target not measured, never met, when its figures are missing', () => {
    const checks = gatewayTargetChecks(
      results({ calls: {}, list: { ok: false, error: 'a server did not start' } }),
    );
    expect(checks.every((c) => c.met === null && c.measured === 'not measured')).toBe(true);
  });
});

describe('renderGatewayReport', () => {
  const text = renderGatewayReport(results({ notes: ['supergateway skipped: x'] }));

  it('prints one table row per target with added latency and ratios', () => {
    expect(text).toContain(
      '| gateway-http | 800 | 1.50 | 4.00 | 0 | 0.25 | 50% | +0.50 | +2.00 | 80% | 1.60× |',
    );
    expect(text).toContain(
      '| direct | 1,000 | 1.00 | 2.00 | 0 | 0.25 | 50% | – | – | 100% | 2.00× |',
    );
  });

  it('compares nothing with direct when direct failed', () => {
    const base = results();
    const failed = renderGatewayReport({
      ...base,
      calls: { ...base.calls, direct: { '1': { ok: false, error: 'bad JSON' } } },
    });
    expect(failed).toContain(
      '| gateway-http | 800 | 1.50 | 4.00 | 0 | 0.25 | 50% | – | – | – | 1.60× |',
    );
  });

  it('shows a failed target across its row and leaves its ratios out', () => {
    expect(text).toContain('| supergateway | failed: connection refused |');
    expect(text).toContain('| direct | 4,000 | 2.00 | 4.00 | 0 | 0.25 | 50% | – | – | 100% | – |');
  });

  it('ends with the targets, met or NOT met, and the notes', () => {
    expect(text).toContain(
      '| gateway-http: ≥ 80% of direct calls/s (8 sessions) | 75% | NOT met |',
    );
    expect(text).toContain('| raw HTTP POST | 26 → 1040 tools | 3.20 | 4.90 | 3.20 | 1000 |');
    expect(text.trimEnd().endsWith('note: supergateway skipped: x')).toBe(true);
  });
});

describe('parseProcStatCpuMs', () => {
  it('adds utime and stime (fields 14, 15) in ms, past a command name with spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0';
    expect(parseProcStatCpuMs(stat, 100)).toBe(3000);
  });

  it('gives undefined for a line it cannot read', () => {
    expect(parseProcStatCpuMs('garbage', 100)).toBeUndefined();
  });
});

describe('parseGatewayBenchArgs', () => {
  it('measures 1 and 8 sessions and 26 × 40 tools by default', () => {
    const options = parseGatewayBenchArgs([]);
    if ('error' in options) throw new Error(options.error);
    expect(options.calls.concurrency).toEqual([1, 8]);
    expect(options.list).toMatchObject({ servers: 26, toolsPerServer: 40 });
    expect(options.quick).toBe(false);
  });

  it('shortens the run with --quick and keeps the other flags', () => {
    const options = parseGatewayBenchArgs(['--quick', '--profile']);
    if ('error' in options) throw new Error(options.error);
    expect(options).toMatchObject({ quick: true, profile: true, json: false });
    expect(options.calls.durationMs).toBeLessThanOrEqual(2000);
  });

  it('refuses an unknown flag', () => {
    expect(parseGatewayBenchArgs(['--fast'])).toEqual({ error: "unknown argument '--fast'" });
  });
});
