// The gateway metrics: exact series after known events, capped labels, and exposition text that Prometheus accepts.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { readExposition, type Sample } from '../../test/support/prometheus-exposition.ts';
import { findPromtool, promtoolCheck } from '../../test/support/promtool.ts';
import { createGatewayMetrics } from './gateway-metrics.ts';

const promtool = findPromtool();

async function scrape(registry: Registry): Promise<readonly Sample[]> {
  const exposition = readExposition(await registry.metrics());
  expect(exposition.problems).toEqual([]);
  return exposition.samples;
}

function valuesOf(samples: readonly Sample[], name: string): Record<string, number> {
  return Object.fromEntries(
    samples
      .filter((s) => s.name === name)
      .map((s) => [Object.values(s.labels).join('|'), s.value] as const),
  );
}

function busyMetrics() {
  const registry = new Registry();
  const metrics = createGatewayMetrics(registry);
  const call = { server: 'github', tool: 'create_issue', consumer: 'eng-agent' } as const;
  metrics.toolCall({ ...call, outcome: 'ok', durationMs: 3 });
  metrics.toolCall({ ...call, outcome: 'ok', durationMs: 40 });
  metrics.toolCall({ ...call, outcome: 'tool-error', durationMs: 2000 });
  metrics.toolCall({ ...call, tool: 'delete_repository', outcome: 'denied', durationMs: 0.1 });
  metrics.toolCall({
    server: 'slack',
    tool: 'post',
    consumer: 'cs-agent',
    outcome: 'cancelled',
    durationMs: 700,
  });
  metrics.sessionOpened();
  metrics.sessionOpened();
  metrics.sessionClosed();
  metrics.upstreamState('github', true);
  metrics.upstreamState('slack', false);
  metrics.upstreamRestart('slack');
  metrics.upstreamRestart('slack');
  metrics.configReloaded('success');
  metrics.configReloaded('failure');
  metrics.configReloaded('success');
  return registry;
}

describe('createGatewayMetrics', () => {
  it('counts tool calls by server, tool, consumer and outcome', async () => {
    const samples = await scrape(busyMetrics());
    expect(valuesOf(samples, 'airlock_tool_calls_total')).toEqual({
      'github|create_issue|eng-agent|ok': 2,
      'github|create_issue|eng-agent|tool-error': 1,
      'github|delete_repository|eng-agent|denied': 1,
      'slack|post|cs-agent|cancelled': 1,
    });
  });

  it('times calls that reached the upstream, in seconds, and not denied ones', async () => {
    const samples = await scrape(busyMetrics());
    expect(valuesOf(samples, 'airlock_tool_call_duration_seconds_count')).toEqual({
      'github|create_issue': 3,
      'slack|post': 1,
    });
    const sum = valuesOf(samples, 'airlock_tool_call_duration_seconds_sum');
    expect(sum['github|create_issue']).toBeCloseTo(2.043, 9);
    const buckets = valuesOf(samples, 'airlock_tool_call_duration_seconds_bucket');
    expect(buckets['0.0025|github|create_issue']).toBe(0);
    expect(buckets['0.005|github|create_issue']).toBe(1);
    expect(buckets['0.05|github|create_issue']).toBe(2);
    expect(buckets['2.5|github|create_issue']).toBe(3);
  });

  it('tracks sessions, upstream state, restarts and reloads', async () => {
    const samples = await scrape(busyMetrics());
    expect(valuesOf(samples, 'airlock_sessions_active')).toEqual({ '': 1 });
    expect(valuesOf(samples, 'airlock_upstream_up')).toEqual({ github: 1, slack: 0 });
    expect(valuesOf(samples, 'airlock_upstream_restarts_total')).toEqual({ github: 0, slack: 2 });
    expect(valuesOf(samples, 'airlock_config_reload_total')).toEqual({ success: 2, failure: 1 });
  });

  it('shows both reload results as 0 before any reload', async () => {
    const registry = new Registry();
    createGatewayMetrics(registry);
    const samples = await scrape(registry);
    expect(valuesOf(samples, 'airlock_config_reload_total')).toEqual({ success: 0, failure: 0 });
  });

  it('never counts sessions below zero', async () => {
    const registry = new Registry();
    const metrics = createGatewayMetrics(registry);
    metrics.sessionClosed();
    metrics.sessionOpened();
    expect(valuesOf(await scrape(registry), 'airlock_sessions_active')).toEqual({ '': 1 });
  });

  it('drops a removed server’s upstream series', async () => {
    const registry = new Registry();
    const metrics = createGatewayMetrics(registry);
    metrics.upstreamState('github', true);
    metrics.upstreamState('slack', true);
    metrics.upstreamRemoved('slack');
    const samples = await scrape(registry);
    expect(valuesOf(samples, 'airlock_upstream_up')).toEqual({ github: 1 });
    expect(valuesOf(samples, 'airlock_upstream_restarts_total')).toEqual({ github: 0 });
  });

  it('folds consumers and tools past the cap into "other", and empty ones into "unknown"', async () => {
    const registry = new Registry();
    const metrics = createGatewayMetrics(registry, { maxConsumers: 2, maxTools: 1 });
    for (const consumer of ['a', 'b', 'c', 'd', '']) {
      metrics.toolCall({
        server: 's',
        tool: consumer === 'a' ? 't1' : 't2',
        consumer,
        outcome: 'ok',
        durationMs: 1,
      });
    }
    expect(valuesOf(await scrape(registry), 'airlock_tool_calls_total')).toEqual({
      's|t1|a|ok': 1,
      's|other|b|ok': 1,
      's|other|other|ok': 3,
    });
  });

  it.skipIf(promtool === undefined)('writes exposition text promtool accepts', async () => {
    const result = await promtoolCheck(promtool!, await busyMetrics().metrics());
    expect(result).toEqual({ code: 0, output: '' });
  });
});
