// Command-line flags of `npm run bench:gateway` and the sizes each mode runs with.
export interface GatewayBenchOptions {
  readonly quick: boolean;
  readonly json: boolean;
  /** Write a V8 CPU profile of the gateway process under load and print its hot spots. */
  readonly profile: boolean;
  readonly help: boolean;
  /** tools/call load: each concurrency level runs `rounds` times per target, targets taken in turn. */
  readonly calls: {
    readonly concurrency: readonly number[];
    readonly warmupMs: number;
    readonly durationMs: number;
    readonly rounds: number;
  };
  /** tools/list through one gateway fronting `servers` × `toolsPerServer` stdio fixture tools. */
  readonly list: {
    readonly servers: number;
    readonly toolsPerServer: number;
    readonly warmup: number;
    readonly iterations: number;
  };
}

export const GATEWAY_USAGE = `usage: npm run bench:gateway -- [--quick] [--json] [--profile]

  --quick    short smoke run (seconds instead of minutes; figures are rough)
  --json     print the results as JSON instead of the table
  --profile  record a CPU profile of the gateway processes and print their hot spots
`;

const FLAGS = ['--quick', '--json', '--profile', '--help', '-h'];

export function parseGatewayBenchArgs(
  argv: readonly string[],
): GatewayBenchOptions | { error: string } {
  const flags = new Set(argv);
  for (const flag of flags) {
    if (!FLAGS.includes(flag)) return { error: `unknown argument '${flag}'` };
  }
  const quick = flags.has('--quick');
  return {
    quick,
    json: flags.has('--json'),
    profile: flags.has('--profile'),
    help: flags.has('--help') || flags.has('-h'),
    calls: quick
      ? { concurrency: [1, 8], warmupMs: 500, durationMs: 1500, rounds: 1 }
      : { concurrency: [1, 8], warmupMs: 1500, durationMs: 5000, rounds: 2 },
    list: quick
      ? { servers: 26, toolsPerServer: 40, warmup: 10, iterations: 50 }
      : { servers: 26, toolsPerServer: 40, warmup: 30, iterations: 300 },
  };
}
