// Table tests for reading suite results and for the direct-vs-gateway verdict.
import { describe, expect, it } from 'vitest';
import { compareRuns, formatComparison, type GatewayOutcome } from './compare.ts';
import {
  announcedScenarios,
  missingScenario,
  type ScenarioResult,
  type SuiteRun,
  scenarioOfResultDirectory,
  summariseScenario,
} from './results.ts';

const pass = (scenario: string): ScenarioResult =>
  summariseScenario(scenario, [{ id: scenario, status: 'SUCCESS' }]);
const fail = (scenario: string, message = 'boom'): ScenarioResult =>
  summariseScenario(scenario, [{ id: scenario, status: 'FAILURE', errorMessage: message }]);
const run = (label: string, scenarios: ScenarioResult[]): SuiteRun => ({
  label,
  url: 'http://127.0.0.1:1/mcp',
  scenarios,
});
const ran = (scenarios: ScenarioResult[]): GatewayOutcome => ({
  kind: 'ran',
  run: run('gateway', scenarios),
});

describe('reading the suite results', () => {
  it.each([
    ['server-ping-2026-11-21T07-29-05-173Z', 'ping'],
    ['server-tools-call-with-logging-2026-11-21T07-29-05-001Z', 'tools-call-with-logging'],
    ['server-dns-rebinding-protection-2026-01-02T00-00-00-000Z', 'dns-rebinding-protection'],
    ['ping-2026-11-21T07-29-05-173Z', undefined],
    ['server-ping', undefined],
  ])('maps result directory %s to scenario %s', (directory, scenario) => {
    expect(scenarioOfResultDirectory(directory)).toBe(scenario);
  });

  it('lists the scenarios the suite announced, in order', () => {
    const stdout =
      'Running all suite\n\n=== Running scenario: ping ===\nx\n=== Running scenario: tools-list ===\n';
    expect(announcedScenarios(stdout)).toEqual(['ping', 'tools-list']);
  });

  it('passes a scenario with warnings but no failure, as the suite does', () => {
    const result = summariseScenario('server-sse-polling', [
      { id: 'a', status: 'INFO' },
      { id: 'b', status: 'WARNING', errorMessage: 'no priming event' },
    ]);
    expect(result).toMatchObject({ passed: true, succeeded: 0, failed: 0, warnings: 1 });
    expect(result.problems).toEqual(['warning b: no priming event']);
  });

  it('fails a scenario with one failed check among successes', () => {
    const result = summariseScenario('json-schema-2020-12', [
      { id: 'found', status: 'SUCCESS' },
      { id: 'defs', status: 'FAILURE', errorMessage: '$defs field missing' },
    ]);
    expect(result).toMatchObject({ passed: false, succeeded: 1, failed: 1 });
    expect(result.problems).toEqual(['defs: $defs field missing']);
  });

  it('counts a scenario that left no checks as failed, with the reason', () => {
    expect(missingScenario('ping', 'the suite was stopped')).toMatchObject({
      passed: false,
      problems: ['no-result: the suite was stopped'],
    });
  });
});

describe('comparing the direct run with the gateway run', () => {
  const direct = run('direct', [
    pass('ping'),
    pass('tools-list'),
    fail('dns-rebinding-protection'),
  ]);

  it.each([
    {
      name: 'accepts a gateway that passes the same scenarios',
      gateway: ran([pass('ping'), pass('tools-list'), fail('dns-rebinding-protection')]),
      ok: true,
      reason: 'the gateway passes 2 scenarios, the fixture directly 2',
    },
    {
      name: 'accepts a gateway that passes more scenarios',
      gateway: ran([pass('ping'), pass('tools-list'), pass('dns-rebinding-protection')]),
      ok: true,
      reason: 'the gateway passes 3 scenarios, the fixture directly 2',
    },
    {
      name: 'refuses a gateway that passes fewer scenarios',
      gateway: ran([pass('ping'), fail('tools-list'), fail('dns-rebinding-protection')]),
      ok: false,
      reason: 'the gateway passes fewer scenarios (1) than the fixture directly (2)',
    },
    {
      name: 'refuses a gateway run that is missing a scenario',
      gateway: ran([pass('ping')]),
      ok: false,
      reason: 'the gateway passes fewer scenarios (1) than the fixture directly (2)',
    },
    {
      name: 'refuses when the gateway could not be tested',
      gateway: {
        kind: 'unavailable',
        reason: 'gateway/gateway-service.ts does not exist',
      } as const,
      ok: false,
      reason: 'gateway not available: gateway/gateway-service.ts does not exist',
    },
  ])('$name', ({ gateway, ok, reason }) => {
    const comparison = compareRuns(direct, gateway);
    expect(comparison.ok).toBe(ok);
    expect(comparison.reason).toBe(reason);
  });

  it('refuses when the fixture itself passed nothing, whatever the gateway did', () => {
    const comparison = compareRuns(run('direct', [fail('ping')]), ran([fail('ping')]));
    expect(comparison).toMatchObject({
      ok: false,
      reason: 'the fixture passed no scenario directly',
    });
  });

  it('names each regression with the failure messages seen through the gateway', () => {
    const gateway = ran([pass('ping'), fail('tools-list', 'Tool 0: missing description')]);
    const comparison = compareRuns(direct, gateway);
    const row = comparison.rows.find((r) => r.scenario === 'tools-list');
    expect(row).toMatchObject({ direct: 'pass', gateway: 'fail' });
    expect(row?.regression).toEqual(['tools-list: Tool 0: missing description']);
    expect(
      comparison.rows.find((r) => r.scenario === 'dns-rebinding-protection')?.regression,
    ).toBeUndefined();
    const text = formatComparison(comparison, ['direct', 'gateway']);
    expect(text).toContain(
      'passes directly, fails through the gateway:\n  tools-list\n    tools-list: Tool 0: missing description',
    );
    expect(text).toContain('direct: 2/3 scenarios passed\ngateway: 1/3 scenarios passed\nFAILED:');
  });

  it('reports "not run" rather than a count when the gateway was unavailable', () => {
    const comparison = compareRuns(direct, { kind: 'unavailable', reason: 'no module' });
    expect(formatComparison(comparison, ['direct', 'gateway'])).toContain(
      'gateway: not run\nFAILED: gateway not available: no module',
    );
  });
});
