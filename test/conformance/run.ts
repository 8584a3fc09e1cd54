// `npm run conformance`: the official MCP conformance suite against the fixture directly and through the gateway.
// Exits 1 when the gateway passes fewer scenarios than the fixture, or could not be tested at all.
import { parseArgs } from 'node:util';
import { runConformanceCheck } from './conformance-check.ts';

const usage = `usage: node test/conformance/run.ts [--suite all|active] [--scenario NAME]...
                                   [--upstream stdio|http] [--direct-only] [--verbose]`;

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'all' },
    scenario: { type: 'string', multiple: true },
    upstream: { type: 'string', default: 'stdio' },
    'direct-only': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (
  (values.suite !== 'all' && values.suite !== 'active') ||
  !['stdio', 'http'].includes(values.upstream)
) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

// Children (fixture, gateway upstreams) are stopped by the check's finally blocks; a hard stop
// here must not leave them behind either.
let timer: NodeJS.Timeout | undefined;
const overall = new Promise<never>((_, reject) => {
  timer = setTimeout(() => reject(new Error('conformance run exceeded 5 minutes')), 300_000);
});

try {
  const check = await Promise.race([
    runConformanceCheck({
      suite: values.suite,
      upstream: values.upstream as 'stdio' | 'http',
      skipGateway: values['direct-only'],
      ...(values.scenario ? { scenarios: values.scenario } : {}),
    }),
    overall,
  ]);
  if (values.verbose) {
    for (const run of [
      check.direct,
      ...(check.gateway.kind === 'ran' ? [check.gateway.run] : []),
    ]) {
      process.stdout.write(`\n${run.label} (${run.url}):\n`);
      for (const scenario of run.scenarios) {
        for (const problem of scenario.problems)
          process.stdout.write(`  ${scenario.scenario}: ${problem}\n`);
      }
    }
  }
  process.stdout.write(`${check.text}\n`);
  process.exitCode = check.comparison.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(`conformance: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  clearTimeout(timer);
}
// An in-process gateway may keep handles open after close(); the report is written, so leave.
process.exit(process.exitCode ?? 0);
