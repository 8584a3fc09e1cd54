// One registry for both halves, as `airlock up` shares it: gateway and egress metrics on one /metrics, valid text.
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createEgressMetrics } from '../egress/egress-metrics.ts';
import { createGatewayMetrics } from '../gateway/metrics/gateway-metrics.ts';
import { startMetricsServer } from '../gateway/metrics/metrics-server.ts';
import { aDeny, aRecord } from './fixtures/egress-records.ts';
import { readExposition } from './support/prometheus-exposition.ts';
import { findPromtool, promtoolCheck } from './support/promtool.ts';

const promtool = findPromtool();
const registry = new Registry();
const gateway = createGatewayMetrics(registry);
const egress = createEgressMetrics(registry);
gateway.toolCall({
  server: 'github',
  tool: 'search',
  consumer: 'eng-agent',
  outcome: 'ok',
  durationMs: 8,
});
gateway.toolCall({
  server: 'github',
  tool: 'delete_repository',
  consumer: 'eng-agent',
  outcome: 'denied',
  durationMs: 0,
});
// A consumer tag is the agent's to choose: quotes, backslashes and line breaks must be escaped.
gateway.toolCall({
  server: 'slack',
  tool: 'post',
  consumer: 'x"\\\ny',
  outcome: 'error',
  durationMs: 30,
});
gateway.sessionOpened();
gateway.upstreamState('github', true);
gateway.upstreamRestart('github');
gateway.configReloaded('failure');
egress.observe(aRecord());
egress.observe(aDeny());
egress.flowsReloaded('success');
const server = await startMetricsServer('127.0.0.1:0', registry);
afterAll(() => server.close());

const body = await (await fetch(server.url)).text();

describe('the shared /metrics endpoint', () => {
  it('carries every gateway family and the egress families', () => {
    const { types } = readExposition(body);
    expect(Object.fromEntries(types)).toMatchObject({
      airlock_tool_calls_total: 'counter',
      airlock_tool_call_duration_seconds: 'histogram',
      airlock_sessions_active: 'gauge',
      airlock_upstream_up: 'gauge',
      airlock_upstream_restarts_total: 'counter',
      airlock_config_reload_total: 'counter',
      airlock_egress_requests_total: 'counter',
      airlock_egress_blocked_total: 'counter',
      airlock_flows_reload_total: 'counter',
    });
  });

  it('is valid exposition text to a strict reader, escapes included', () => {
    const { problems, samples } = readExposition(body);
    expect(problems).toEqual([]);
    expect(samples.find((s) => s.labels.consumer?.startsWith('x"'))?.labels.consumer).toBe(
      'x"\\\ny',
    );
  });

  it.skipIf(promtool === undefined)('passes promtool check metrics', async () => {
    expect(await promtoolCheck(promtool!, body)).toEqual({ code: 0, output: '' });
  });
});
