// The telemetry sink: one record reaches the store, the metrics and the log, and the sink never throws.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aDeny, aRecord } from '../test/fixtures/egress-records.ts';
import { captureLog } from '../test/fixtures/log-capture.ts';
import { createTelemetry } from './telemetry.ts';
import { openTelemetryStore } from './telemetry-store.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'airlock-telemetry-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('createTelemetry', () => {
  it('stores, counts and logs every record once', async () => {
    const registry = new Registry();
    const capture = captureLog();
    const telemetry = createTelemetry({ dataDir, registry, logger: capture.logger });
    telemetry.sink(aRecord());
    telemetry.sink(aRecord());
    telemetry.sink(aDeny());
    telemetry.metrics.tunnelOpened();
    telemetry.close();

    const reader = openTelemetryStore({ dataDir }, { readonly: true });
    expect(reader.records()).toHaveLength(3);
    expect(reader.rollups().map((r) => [r.provider, r.requests, r.blocked])).toEqual([
      ['badactor.com', 1, 1],
      ['slack.com', 2, 0],
    ]);
    reader.close();

    const text = await registry.metrics();
    expect(text).toContain(
      'airlock_egress_requests_total{server="slack-bot",provider="slack.com",decision="allow"} 2',
    );
    expect(text).toContain(
      'airlock_egress_blocked_total{server="slack-bot",host="api.badactor.com"} 1',
    );
    expect(text).toContain('airlock_egress_active_tunnels 1');

    const decisions = capture.lines.filter((line) => line.msg === 'egress decision');
    expect(decisions.map((line) => [line.provider, line.decision, line.new_provider])).toEqual([
      ['slack.com', 'allow', true],
      ['slack.com', 'allow', false],
      ['badactor.com', 'deny', true],
    ]);
  });

  it('still counts and logs when the store refuses, and does not throw', async () => {
    const registry = new Registry();
    const capture = captureLog();
    const telemetry = createTelemetry({ dataDir, registry, logger: capture.logger });
    telemetry.close();
    expect(() => telemetry.sink(aDeny())).not.toThrow();
    expect(await registry.metrics()).toContain(
      'airlock_egress_blocked_total{server="slack-bot",host="api.badactor.com"} 1',
    );
    expect(capture.lines.map((line) => line.msg)).toEqual([
      'telemetry store refused a record',
      'egress decision',
    ]);
  });
});
