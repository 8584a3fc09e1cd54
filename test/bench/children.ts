// Child processes of one bench run: spawned through here so every one is ended on exit, error or Ctrl-C.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

/** Spawns a child that is tracked until it exits; every tracked child is killed when the bench ends. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}) {
  hookExit();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** Asks a child to stop (SIGTERM), then kills it (SIGKILL) if it is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kills every child still running, at once (used on the way out). */
export function killAllNow(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child)));
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only thing that still works there.
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children\n`);
      killAllNow();
      process.exit(130);
    });
  }
}

/** Collects the last `limit` characters a child wrote, to explain why it failed. */
export function captureOutput(child: ChildProcess, limit = 4000): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-limit);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

/** Stops everything and exits if the bench is still running after `ms`: a bench must end by itself. */
export function startWatchdog(ms: number, log: (line: string) => void): void {
  const watchdog = setTimeout(() => {
    log(`!!! still running after ${ms / 60_000} minutes: stopping`);
    killAllNow();
    process.exit(1);
  }, ms);
  watchdog.unref();
}
