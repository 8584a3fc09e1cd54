// End to end: the official MCP conformance suite against the fixture directly and through the gateway (`naming: none`).
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConformanceCheck, runConformanceCheck } from './conformance-check.ts';
import { passedCount } from './results.ts';

describe('MCP conformance suite', () => {
  let check: ConformanceCheck;
  beforeAll(async () => {
    check = await runConformanceCheck({ suite: 'all', upstream: 'stdio', timeoutMs: 60_000 });
  }, 120_000);

  it('passes every server scenario against the fixture directly', () => {
    const failing = check.direct.scenarios.filter((scenario) => !scenario.passed);
    expect(failing.map((s) => `${s.scenario}: ${s.problems.join('; ')}`)).toEqual([]);
    // The suite's 0.1.x server list has 32 scenarios; far fewer means the run was cut short.
    expect(passedCount(check.direct)).toBeGreaterThanOrEqual(30);
  });

  it('passes at least as many scenarios through the gateway as directly', () => {
    expect(check.comparison.ok, `\n${check.text}`).toBe(true);
    expect(check.comparison.gatewayPassed).toBeGreaterThanOrEqual(check.comparison.directPassed);
  });
});
