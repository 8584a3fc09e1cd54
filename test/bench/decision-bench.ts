// Flow decision time, in process: compile N URL patterns once, then time evaluate() on hits and misses.
import {
  allowlistFlowYaml,
  benchPatterns,
  benchRequests,
  perFlowSources,
} from './decision-corpus.ts';
import { percentile } from './stats.ts';

/** How the patterns are laid out: one short-form allowlist, or one full-form flow per pattern. */
export type DecisionLayout = 'one allowlist' | 'one flow per pattern';

export interface DecisionResult {
  readonly layout: DecisionLayout;
  readonly patterns: number;
  readonly evaluations: number;
  readonly compileMs: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
  /** Evaluations whose allow/deny differed from what the corpus expects (must be 0). */
  readonly wrong: number;
}

export async function runDecisionBench(
  layout: DecisionLayout,
  patternCount: number,
  evaluations: number,
): Promise<DecisionResult> {
  // Imported here so the other figures still run while the flow engine is being rewritten.
  const { compileFlowSources } = await import('../../flows/compile.ts');
  const { evaluate } = await import('../../flows/evaluate.ts');
  const patterns = benchPatterns(patternCount);
  const sources =
    layout === 'one allowlist'
      ? [{ file: 'bench-allowlist.yaml', text: allowlistFlowYaml(patterns) }]
      : perFlowSources(patterns);
  const t0 = process.hrtime.bigint();
  const compiled = compileFlowSources(sources);
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!compiled.ok) {
    const first = compiled.errors.slice(0, 3).map((e) => e.message);
    throw new Error(`the bench flows (${layout}) did not compile: ${first.join('; ')}`);
  }
  const flows = compiled.flows;
  const options = { mode: 'enforce', default: 'deny' } as const;
  const requests = benchRequests(patternCount, 4096);

  // Warm-up: let the JIT settle before anything is timed.
  for (let n = 0; n < Math.min(20_000, evaluations); n += 1) {
    evaluate(flows, requests[n % requests.length]!.facts, options);
  }
  const samples = new Float64Array(evaluations);
  let wrong = 0;
  for (let n = 0; n < evaluations; n += 1) {
    const request = requests[n % requests.length]!;
    const start = process.hrtime.bigint();
    const decision = evaluate(flows, request.facts, options);
    samples[n] = Number(process.hrtime.bigint() - start) / 1000;
    if ((decision.decision === 'allow') !== request.expectHit) wrong += 1;
  }
  const all = Array.from(samples);
  return {
    layout,
    patterns: patternCount,
    evaluations,
    compileMs,
    p50Us: percentile(all, 50),
    p99Us: percentile(all, 99),
    meanUs: all.reduce((a, b) => a + b, 0) / all.length,
    wrong,
  };
}
