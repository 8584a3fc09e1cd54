#!/usr/bin/env node
// The `airlock` command: picks the subcommand and hands it the remaining arguments.

type Command = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  up: { summary: 'run everything that exists in one process', load: () => import('./up.ts') },
  egress: { summary: 'run the egress proxy', load: () => import('./egress.ts') },
  gateway: { summary: 'run the MCP gateway', load: () => import('./gateway.ts') },
  flows: { summary: 'validate | test flow files', load: () => import('./flows.ts') },
  report: {
    summary: 'blocked [--since 24h] [--server S] [--format table|json|csv]',
    load: () => import('./report.ts'),
  },
  audit: {
    summary: 'verify | export [--since D] [--format jsonl|csv]: the audit log',
    load: () => import('./audit.ts'),
  },
  doctor: {
    summary: '[--config DIR] [--data DIR]: what works here (bwrap, Docker, ports, config)',
    load: () => import('./doctor.ts'),
  },
  keys: {
    summary: 'create CONSUMER [--force] | list: API keys (shown once, stored hashed)',
    load: () => import('./keys.ts'),
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(
    ([name, c]) => `  airlock ${name.padEnd(8)} ${c.summary}`,
  );
  return `usage: airlock <command> [options]\n\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`airlock: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}

const code = await main(process.argv.slice(2));
// Long-running commands (up, egress) resolve only when they stop.
process.exitCode = code;
