// Keep-alive small GETs with autocannon: the fallback load tool when wrk cannot be installed.
import { createRequire } from 'node:module';
import { LOOPBACK } from './net-util.ts';
import type { Target } from './target.ts';
import type { LoadResult, LoadSettings } from './wrk.ts';

interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly requests: { readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

// autocannon ships no types; this is the slice of its API the bench uses.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Runs in this process (the proxy and origin have their own); absolute-form path when proxied. */
async function runOnce(target: Target, originPort: number, connections: number, seconds: number) {
  const authority = `${target.originHost}:${originPort}`;
  const port = target.proxied ? target.port : originPort;
  const result = await autocannon({
    url: `http://${LOOPBACK}:${port}`,
    connections,
    duration: seconds,
    headers: { host: authority },
    requests: [{ method: 'GET', path: target.proxied ? `http://${authority}/` : '/' }],
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    socketErrors: result.errors,
    badStatus: result.non2xx,
  } satisfies LoadResult;
}

export async function runAutocannon(
  target: Target,
  originPort: number,
  settings: LoadSettings,
): Promise<LoadResult> {
  if (settings.warmupSeconds > 0) {
    await runOnce(target, originPort, settings.connections, settings.warmupSeconds);
  }
  return runOnce(target, originPort, settings.connections, settings.seconds);
}
