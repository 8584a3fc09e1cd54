// Runs inside a sandbox: relays 127.0.0.1:3128 (and [::1]:3128) to the server's egress Unix socket, then runs the server.
// Usage: node relay.ts [--socket PATH] [--port N] [-- COMMAND ARGS...]; no dependencies, the host's Node >= 22.
import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';

interface RelayArgs {
  readonly socket: string;
  readonly port: number;
  /** The MCP server command; empty in relay-only mode (Docker's relay container). */
  readonly command: readonly string[];
}

function parseArgs(argv: readonly string[]): RelayArgs {
  let socket = process.env.AIRLOCK_EGRESS_SOCKET ?? '/run/airlock/egress.sock';
  let port = 3128;
  const split = argv.indexOf('--');
  const options = split === -1 ? argv : argv.slice(0, split);
  for (let i = 0; i < options.length; i += 2) {
    const value = options[i + 1] ?? '';
    if (options[i] === '--socket') socket = value;
    else if (options[i] === '--port') port = Number(value);
  }
  return { socket, port, command: split === -1 ? [] : argv.slice(split + 1) };
}

function pipeToEgress(client: Socket, socketPath: string): void {
  const upstream = connect(socketPath);
  // Either side failing closes both: a half-open tunnel would hang the client.
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
}

function listen(host: string, port: number, socketPath: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer((client) => pipeToEgress(client, socketPath));
    server.once('error', () => resolve(undefined));
    server.listen({ host, port }, () => resolve(server));
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const v4 = await listen('127.0.0.1', args.port, args.socket);
  if (!v4) {
    process.stderr.write(`airlock relay: cannot listen on 127.0.0.1:${args.port}\n`);
    process.exit(70);
  }
  // IPv6 loopback is optional: some sandboxes have no ::1.
  await listen('::1', args.port, args.socket);
  const [command, ...rest] = args.command;
  if (command === undefined) return;
  const child = spawn(command, rest, { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => {
    process.stderr.write(`airlock relay: cannot start ${command}: ${error.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 128 + signalNumber(signal) : 1));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return numbers[signal] ?? 1;
}

await main();
