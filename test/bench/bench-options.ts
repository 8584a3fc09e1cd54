// Command-line flags of `npm run bench:egress` and the sizes each mode runs with.
export interface BenchOptions {
  readonly quick: boolean;
  readonly json: boolean;
  /** Write a V8 CPU profile of the Airlock process under load and print its hot spots. */
  readonly profile: boolean;
  readonly help: boolean;
  /** `seconds` is split over `rounds`, taken in turn with the other targets. */
  readonly load: { connections: number; seconds: number; warmupSeconds: number; rounds: number };
  readonly bulk: { bytes: number; repeats: number };
  readonly setups: { concurrency: number; maxCount: number; seconds: number };
  readonly decision: { patterns: number; evaluations: number };
}

export const USAGE = `usage: npm run bench:egress -- [--quick] [--json] [--profile]

  --quick    short smoke run (seconds instead of minutes; figures are rough)
  --json     print the results as JSON instead of the table
  --profile  record a CPU profile of the Airlock process and print its hot spots
`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions | { error: string } {
  const flags = new Set(argv);
  for (const flag of flags) {
    if (!['--quick', '--json', '--profile', '--help', '-h'].includes(flag)) {
      return { error: `unknown argument '${flag}'` };
    }
  }
  const quick = flags.has('--quick');
  return {
    quick,
    json: flags.has('--json'),
    profile: flags.has('--profile'),
    help: flags.has('--help') || flags.has('-h'),
    load: quick
      ? { connections: 50, seconds: 2, warmupSeconds: 1, rounds: 1 }
      : { connections: 50, seconds: 12, warmupSeconds: 3, rounds: 2 },
    bulk: quick ? { bytes: 32 * 1024 ** 2, repeats: 1 } : { bytes: 256 * 1024 ** 2, repeats: 5 },
    setups: quick
      ? { concurrency: 8, maxCount: 500, seconds: 1 }
      : { concurrency: 16, maxCount: 6000, seconds: 5 },
    decision: { patterns: 1000, evaluations: quick ? 20_000 : 200_000 },
  };
}
