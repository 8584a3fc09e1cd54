// What one run of the official conformance suite produced, read from its checks.json files: pure functions only.

/** One check as the suite writes it to `checks.json`. */
export interface SuiteCheck {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED' | string;
  readonly errorMessage?: string;
  readonly details?: unknown;
}

export interface ScenarioResult {
  readonly scenario: string;
  /** The suite's own rule: a scenario passes when none of its checks failed (warnings allowed). */
  readonly passed: boolean;
  readonly succeeded: number;
  readonly failed: number;
  readonly warnings: number;
  /** `id: message` of every FAILURE, and of every WARNING (prefixed "warning"), for the report. */
  readonly problems: readonly string[];
}

export interface SuiteRun {
  /** What was tested, e.g. "fixture (direct)". */
  readonly label: string;
  readonly url: string;
  readonly scenarios: readonly ScenarioResult[];
}

/** `server-<scenario>-<ISO timestamp with : and . as ->` is how the suite names a result directory. */
const resultDirectory = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

export function scenarioOfResultDirectory(directory: string): string | undefined {
  return resultDirectory.exec(directory)?.[1];
}

/** Scenario names in the order the suite announced them on stdout. */
export function announcedScenarios(stdout: string): string[] {
  return [...stdout.matchAll(/^=== Running scenario: (\S+) ===$/gm)].map((match) => match[1] ?? '');
}

export function summariseScenario(scenario: string, checks: readonly SuiteCheck[]): ScenarioResult {
  const failures = checks.filter((check) => check.status === 'FAILURE');
  const warnings = checks.filter((check) => check.status === 'WARNING');
  return {
    scenario,
    passed: failures.length === 0,
    succeeded: checks.filter((check) => check.status === 'SUCCESS').length,
    failed: failures.length,
    warnings: warnings.length,
    problems: [
      ...failures.map((check) => `${check.id}: ${check.errorMessage ?? check.description ?? ''}`),
      ...warnings.map(
        (check) => `warning ${check.id}: ${check.errorMessage ?? check.description ?? ''}`,
      ),
    ],
  };
}

/** A scenario the suite announced but left no checks for (it crashed, or the run was cut short). */
export function missingScenario(scenario: string, why: string): ScenarioResult {
  return {
    scenario,
    passed: false,
    succeeded: 0,
    failed: 1,
    warnings: 0,
    problems: [`no-result: ${why}`],
  };
}

export function passedCount(run: SuiteRun): number {
  return run.scenarios.filter((scenario) => scenario.passed).length;
}
