// Compares the suite run against the fixture directly with the run through the gateway, and prints the table.
import { passedCount, type ScenarioResult, type SuiteRun } from './results.ts';

/** The gateway run, or why there was none (which must fail the comparison, never pass it vacuously). */
export type GatewayOutcome =
  | { readonly kind: 'ran'; readonly run: SuiteRun }
  | { readonly kind: 'unavailable'; readonly reason: string };

export type ScenarioVerdict = 'pass' | 'fail' | 'absent';

export interface ScenarioRow {
  readonly scenario: string;
  readonly direct: ScenarioVerdict;
  readonly gateway: ScenarioVerdict;
  /** Checks passed / checks decided (SUCCESS + FAILURE) per side, as the suite counts them. */
  readonly directChecks: string;
  readonly gatewayChecks: string;
  /** Failure messages through the gateway for a scenario the fixture passes directly. */
  readonly regression?: readonly string[];
}

export interface Comparison {
  readonly ok: boolean;
  readonly reason: string;
  readonly directPassed: number;
  readonly gatewayPassed: number | undefined;
  readonly total: number;
  readonly rows: readonly ScenarioRow[];
}

function checkCount(result: ScenarioResult | undefined): string {
  return result ? `${result.succeeded}/${result.succeeded + result.failed}` : '';
}

function verdict(result: ScenarioResult | undefined): ScenarioVerdict {
  if (!result) return 'absent';
  return result.passed ? 'pass' : 'fail';
}

/**
 * Ok only when the gateway ran, the direct run passed something, and the gateway passes at least as
 * many scenarios as the fixture does directly.
 */
export function compareRuns(direct: SuiteRun, gateway: GatewayOutcome): Comparison {
  const directPassed = passedCount(direct);
  const gatewayRun = gateway.kind === 'ran' ? gateway.run : undefined;
  const byScenario = new Map(gatewayRun?.scenarios.map((result) => [result.scenario, result]));
  const names = [...direct.scenarios.map((result) => result.scenario)];
  for (const name of byScenario.keys()) if (!names.includes(name)) names.push(name);
  const directByScenario = new Map(direct.scenarios.map((result) => [result.scenario, result]));
  const rows = names.map((scenario): ScenarioRow => {
    const directResult = directByScenario.get(scenario);
    const directVerdict = verdict(directResult);
    const throughGateway = byScenario.get(scenario);
    const gatewayVerdict = gatewayRun ? verdict(throughGateway) : 'absent';
    const regressed = gatewayRun && directVerdict === 'pass' && gatewayVerdict !== 'pass';
    const row = {
      scenario,
      direct: directVerdict,
      gateway: gatewayVerdict,
      directChecks: checkCount(directResult),
      gatewayChecks: checkCount(throughGateway),
    };
    return regressed
      ? {
          ...row,
          regression: throughGateway?.problems.filter((p) => !p.startsWith('warning')) ?? [
            'no result through the gateway',
          ],
        }
      : row;
  });
  const base = { directPassed, total: names.length, rows };
  if (directPassed === 0) {
    return {
      ...base,
      ok: false,
      reason: 'the fixture passed no scenario directly',
      gatewayPassed: undefined,
    };
  }
  if (!gatewayRun) {
    return {
      ...base,
      ok: false,
      reason: `gateway not available: ${gateway.kind === 'unavailable' ? gateway.reason : ''}`,
      gatewayPassed: undefined,
    };
  }
  const gatewayPassed = passedCount(gatewayRun);
  const ok = gatewayPassed >= directPassed;
  const reason = ok
    ? `the gateway passes ${gatewayPassed} scenarios, the fixture directly ${directPassed}`
    : `the gateway passes fewer scenarios (${gatewayPassed}) than the fixture directly (${directPassed})`;
  return { ...base, ok, reason, gatewayPassed };
}

const mark: Readonly<Record<ScenarioVerdict, string>> = { pass: 'pass', fail: 'FAIL', absent: '-' };

/** A plain-text report: one line per scenario, the regressions with their messages, then the totals. */
export function formatComparison(
  comparison: Comparison,
  labels: readonly [string, string],
): string {
  const width = Math.max(8, ...comparison.rows.map((row) => row.scenario.length));
  const cell = (verdictOf: ScenarioVerdict, checks: string) =>
    `${mark[verdictOf]} ${checks}`.trim().padEnd(12);
  const lines = [
    `${'scenario'.padEnd(width)}  ${labels[0].padEnd(12)}  ${labels[1].padEnd(12)}  (checks passed/decided)`,
  ];
  for (const row of comparison.rows) {
    const direct = cell(row.direct, row.directChecks);
    lines.push(
      `${row.scenario.padEnd(width)}  ${direct}  ${cell(row.gateway, row.gatewayChecks)}`.trimEnd(),
    );
  }
  const regressions = comparison.rows.filter((row) => row.regression);
  if (regressions.length > 0) {
    lines.push('', 'passes directly, fails through the gateway:');
    for (const row of regressions) {
      lines.push(`  ${row.scenario}`);
      for (const problem of row.regression ?? []) lines.push(`    ${problem}`);
    }
  }
  const gateway =
    comparison.gatewayPassed === undefined
      ? 'not run'
      : `${comparison.gatewayPassed}/${comparison.total} scenarios passed`;
  lines.push(
    '',
    `${labels[0]}: ${comparison.directPassed}/${comparison.total} scenarios passed`,
    `${labels[1]}: ${gateway}`,
    `${comparison.ok ? 'OK' : 'FAILED'}: ${comparison.reason}`,
  );
  return lines.join('\n');
}
