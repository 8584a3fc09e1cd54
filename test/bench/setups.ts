// CONNECT setups per second: open a tunnel, exchange one byte, close; bounded by count and by time.
import { median } from './stats.ts';
import type { Target } from './target.ts';
import { drain, openTunnel } from './tunnel.ts';

export interface SetupResult {
  readonly setupsPerSecond: number;
  readonly completed: number;
  readonly errors: number;
  readonly p50Ms: number;
}

/** `concurrency` loops open, use and close tunnels until `maxCount` were started or `seconds` passed. */
export async function runSetups(
  target: Target,
  originPort: number,
  settings: { concurrency: number; maxCount: number; seconds: number },
): Promise<SetupResult> {
  const deadline = Date.now() + settings.seconds * 1000;
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  const began = process.hrtime.bigint();
  const loop = async () => {
    while (started < settings.maxCount && Date.now() < deadline) {
      started += 1;
      const t0 = process.hrtime.bigint();
      try {
        const socket = await openTunnel(target, originPort);
        const received = await drain(socket, 1, 5000);
        socket.destroy();
        if (received !== 1) throw new Error('short read');
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, loop));
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  return {
    setupsPerSecond: latencies.length / seconds,
    completed: latencies.length,
    errors,
    p50Ms: median(latencies),
  };
}
