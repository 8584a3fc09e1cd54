// The whole conformance check: suite against (a) the fixture directly and (b) the gateway fronting it, then compare.
import { type Comparison, compareRuns, formatComparison, type GatewayOutcome } from './compare.ts';
import type { SuiteRun } from './results.ts';
import { runConformanceSuite, type SuiteName } from './suite-runner.ts';
import {
  startFixtureProcess,
  startGatewayTarget,
  type Target,
  type UpstreamMode,
  waitForTool,
} from './targets.ts';

export interface ConformanceCheckOptions {
  readonly suite?: SuiteName;
  readonly scenarios?: readonly string[];
  /** How the gateway reaches the fixture; stdio is the default (see README "Conformance"). */
  readonly upstream?: UpstreamMode;
  /** Skip (b), e.g. while the gateway is being written; the check then fails as "gateway not available". */
  readonly skipGateway?: boolean;
  readonly timeoutMs?: number;
}

export interface ConformanceCheck {
  readonly direct: SuiteRun;
  readonly gateway: GatewayOutcome;
  readonly comparison: Comparison;
  /** The printable report. */
  readonly text: string;
}

export const directLabel = 'direct';
export const gatewayLabel = 'gateway';

async function withTarget<T>(start: () => Promise<Target>, use: (t: Target) => Promise<T>) {
  const target = await start();
  try {
    return await use(target);
  } finally {
    await target.close();
  }
}

async function runThroughGateway(
  options: ConformanceCheckOptions,
  suite: (label: string, url: string) => Promise<SuiteRun>,
): Promise<GatewayOutcome> {
  if (options.skipGateway) return { kind: 'unavailable', reason: 'skipped (--direct-only)' };
  const mode = options.upstream ?? 'stdio';
  const fixture = mode === 'http' ? await startFixtureProcess() : undefined;
  try {
    const gateway = await startGatewayTarget(mode, fixture?.url);
    if (gateway.kind === 'unavailable') return gateway;
    try {
      await waitForTool(gateway.url, 'test_simple_text');
      return { kind: 'ran', run: await suite(`${gatewayLabel} (${mode} upstream)`, gateway.url) };
    } catch (error) {
      return { kind: 'unavailable', reason: String(error) };
    } finally {
      await gateway.close();
    }
  } finally {
    await fixture?.close();
  }
}

export async function runConformanceCheck(
  options: ConformanceCheckOptions = {},
): Promise<ConformanceCheck> {
  const suite = (label: string, url: string) =>
    runConformanceSuite({
      label,
      url,
      ...(options.suite ? { suite: options.suite } : {}),
      ...(options.scenarios ? { scenarios: options.scenarios } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  const direct = await withTarget(startFixtureProcess, (fixture) =>
    suite(directLabel, fixture.url),
  );
  const gateway = await runThroughGateway(options, suite);
  const comparison = compareRuns(direct, gateway);
  return {
    direct,
    gateway,
    comparison,
    text: formatComparison(comparison, [directLabel, gatewayLabel]),
  };
}
