// The egress metrics: exact series and values in the exposition text for a known set of records.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { aDeny, aRecord } from '../test/fixtures/egress-records.ts';
import { createEgressMetrics, labelCap } from './egress-metrics.ts';

/** Parses Prometheus exposition text into `name{labels}` → value, labels in the order written. */
function parseExposition(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

async function scrape(registry: Registry): Promise<Map<string, number>> {
  return parseExposition(await registry.metrics());
}

function seriesOf(all: Map<string, number>, name: string): Record<string, number> {
  return Object.fromEntries([...all].filter(([key]) => key === name || key.startsWith(`${name}{`)));
}

describe('createEgressMetrics', () => {
  it('counts requests, bytes, durations and blocks per record', async () => {
    const registry = new Registry();
    const metrics = createEgressMetrics(registry);
    metrics.observe(aRecord({ durationMs: 4 }));
    metrics.observe(aRecord({ durationMs: 30, bytesUp: 50, bytesDown: 0 }));
    metrics.observe(aRecord({ server: 'b', decision: 'report', durationMs: 2000 }));
    metrics.observe(aDeny());
    metrics.observe(aDeny({ host: 'evil.badactor.com' }));
    const all = await scrape(registry);

    expect(seriesOf(all, 'airlock_egress_requests_total')).toEqual({
      'airlock_egress_requests_total{server="slack-bot",provider="slack.com",decision="allow"}': 2,
      'airlock_egress_requests_total{server="b",provider="slack.com",decision="report"}': 1,
      'airlock_egress_requests_total{server="slack-bot",provider="badactor.com",decision="deny"}': 2,
    });
    expect(seriesOf(all, 'airlock_egress_bytes_total')).toEqual({
      'airlock_egress_bytes_total{server="slack-bot",provider="slack.com",direction="up"}': 150,
      'airlock_egress_bytes_total{server="slack-bot",provider="slack.com",direction="down"}': 1000,
      'airlock_egress_bytes_total{server="b",provider="slack.com",direction="up"}': 100,
      'airlock_egress_bytes_total{server="b",provider="slack.com",direction="down"}': 1000,
      'airlock_egress_bytes_total{server="slack-bot",provider="badactor.com",direction="up"}': 0,
      'airlock_egress_bytes_total{server="slack-bot",provider="badactor.com",direction="down"}': 32,
    });
    expect(seriesOf(all, 'airlock_egress_blocked_total')).toEqual({
      'airlock_egress_blocked_total{server="slack-bot",host="api.badactor.com"}': 1,
      'airlock_egress_blocked_total{server="slack-bot",host="evil.badactor.com"}': 1,
    });
    const duration = 'airlock_egress_request_duration_seconds';
    const slack = 'server="slack-bot",provider="slack.com"';
    expect(all.get(`${duration}_count{${slack}}`)).toBe(2);
    expect(all.get(`${duration}_sum{${slack}}`)).toBeCloseTo(0.034, 9);
    expect(all.get(`${duration}_bucket{le="0.005",${slack}}`)).toBe(1);
    expect(all.get(`${duration}_bucket{le="0.025",${slack}}`)).toBe(1);
    expect(all.get(`${duration}_bucket{le="0.05",${slack}}`)).toBe(2);
    expect(all.get(`${duration}_bucket{le="300",server="b",provider="slack.com"}`)).toBe(1);
    expect(all.get(`${duration}_bucket{le="1",server="b",provider="slack.com"}`)).toBe(0);
    expect(
      all.get(`${duration}_count{server="slack-bot",provider="badactor.com"}`),
    ).toBeUndefined();
  });

  it('tracks open tunnels and flow reloads', async () => {
    const registry = new Registry();
    const metrics = createEgressMetrics(registry);
    metrics.tunnelOpened();
    metrics.tunnelOpened();
    metrics.tunnelOpened();
    metrics.tunnelClosed();
    metrics.flowsReloaded('success');
    metrics.flowsReloaded('success');
    metrics.flowsReloaded('failure');
    const all = await scrape(registry);
    expect(all.get('airlock_egress_active_tunnels')).toBe(2);
    expect(seriesOf(all, 'airlock_flows_reload_total')).toEqual({
      'airlock_flows_reload_total{result="success"}': 2,
      'airlock_flows_reload_total{result="failure"}': 1,
    });
  });

  it('caps distinct hosts and providers, counting the rest as other', async () => {
    const registry = new Registry();
    const metrics = createEgressMetrics(registry, { maxHosts: 2, maxProviders: 2 });
    for (const n of [1, 2, 3, 4])
      metrics.observe(aDeny({ host: `h${n}.x${n}.com`, provider: `x${n}.com` }));
    const all = await scrape(registry);
    expect(seriesOf(all, 'airlock_egress_blocked_total')).toEqual({
      'airlock_egress_blocked_total{server="slack-bot",host="h1.x1.com"}': 1,
      'airlock_egress_blocked_total{server="slack-bot",host="h2.x2.com"}': 1,
      'airlock_egress_blocked_total{server="slack-bot",host="other"}': 2,
    });
    expect(seriesOf(all, 'airlock_egress_requests_total')).toEqual({
      'airlock_egress_requests_total{server="slack-bot",provider="x1.com",decision="deny"}': 1,
      'airlock_egress_requests_total{server="slack-bot",provider="x2.com",decision="deny"}': 1,
      'airlock_egress_requests_total{server="slack-bot",provider="other",decision="deny"}': 2,
    });
  });
});

describe('labelCap', () => {
  it('keeps values seen before the cap and names an empty value', () => {
    const cap = labelCap(2);
    expect(['a', 'b', 'c', 'a', '', 'b'].map(cap)).toEqual(['a', 'b', 'other', 'a', 'other', 'b']);
    expect(labelCap(5)('')).toBe('unknown');
  });
});
