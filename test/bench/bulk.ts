// CONNECT bulk throughput: ≥ 256 MiB origin → client through one tunnel, targets taken in turn each round.
import { measure, type Outcome } from './results.ts';
import { median } from './stats.ts';
import type { Target } from './target.ts';
import { drain, openTunnel } from './tunnel.ts';

export interface BulkResult {
  /** Decimal megabytes per second, median of the rounds. */
  readonly megabytesPerSecond: number;
  readonly bytesPerRun: number;
  readonly runs: number;
}

/** One timed transfer of `bytes` through a fresh tunnel; the tunnel setup is not timed. */
async function transfer(target: Target, originPort: number, bytes: number): Promise<number> {
  const socket = await openTunnel(target, originPort);
  const started = process.hrtime.bigint();
  const received = await drain(socket, bytes, 120_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  socket.destroy();
  if (received !== bytes) throw new Error(`received ${received} of ${bytes} bytes`);
  return bytes / 1e6 / seconds;
}

/**
 * Every target moves `bytes` once per round, in turn, so a noisy moment on a shared machine hits
 * all of them alike; one untimed transfer each first, so JIT warm-up lands in no figure.
 */
export async function runBulkRounds(
  targets: readonly Target[],
  originPort: number,
  settings: { bytes: number; repeats: number },
  log: (line: string) => void,
  /** Told when each timed transfer ran (monotonic µs), so a profile can be cut to those moments. */
  onTransfer: (target: Target, fromUs: number, toUs: number) => void = () => {},
): Promise<Record<string, Outcome<BulkResult>>> {
  const rates = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  const failed = new Map<string, string>();
  const warmBytes = Math.min(settings.bytes, 16 * 1024 ** 2);
  for (let round = -1; round < settings.repeats; round += 1) {
    for (const target of targets) {
      if (failed.has(target.name)) continue;
      if (round >= 0)
        log(`CONNECT bulk via ${target.name}, round ${round + 1}/${settings.repeats}`);
      const fromUs = Number(process.hrtime.bigint() / 1000n);
      const outcome = await measure(() =>
        transfer(target, originPort, round < 0 ? warmBytes : settings.bytes),
      );
      if (round >= 0) onTransfer(target, fromUs, Number(process.hrtime.bigint() / 1000n));
      if (!outcome.ok) failed.set(target.name, outcome.error);
      else if (round >= 0) rates.get(target.name)?.push(outcome.value);
    }
  }
  const results: Record<string, Outcome<BulkResult>> = {};
  for (const target of targets) {
    const error = failed.get(target.name);
    const values = rates.get(target.name) ?? [];
    results[target.name] = error
      ? { ok: false, error }
      : {
          ok: true,
          value: {
            megabytesPerSecond: median(values),
            bytesPerRun: settings.bytes,
            runs: values.length,
          },
        };
  }
  return results;
}
