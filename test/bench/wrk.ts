// Keep-alive small GETs with wrk: through a forward proxy by asking for the absolute URL as the path.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureOutput, spawnTracked } from './children.ts';
import { LOOPBACK } from './net-util.ts';
import type { Target } from './target.ts';
import { benchTempDir } from './temp-dirs.ts';

export interface LoadSettings {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connect/read/write errors and timeouts (a proxy that closes after each response shows read errors). */
  readonly socketErrors: number;
  /** Answers other than 2xx/3xx: a run with any is not a fair figure. */
  readonly badStatus: number;
}

const MARK = 'WRK_RESULT ';

/** The Lua script: request line and Host for the target, and a machine-readable summary at the end. */
export function wrkScript(
  target: Pick<Target, 'proxied' | 'originHost'>,
  originPort: number,
): string {
  const authority = `${target.originHost}:${originPort}`;
  const path = target.proxied ? `http://${authority}/` : '/';
  return `wrk.method = "GET"
wrk.path = "${path}"
wrk.headers["Host"] = "${authority}"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"durationUs":%d,"socketErrors":%d,"badStatus":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
`;
}

/** Reads the summary line the script's done() printed; null when wrk did not get that far. */
export function parseWrkOutput(output: string): LoadResult | null {
  const line = output.split('\n').find((l) => l.startsWith(MARK));
  if (!line) return null;
  const raw = JSON.parse(line.slice(MARK.length)) as {
    requests: number;
    durationUs: number;
    socketErrors: number;
    badStatus: number;
    p50Us: number;
    p99Us: number;
  };
  if (raw.durationUs <= 0) return null;
  return {
    requests: raw.requests,
    requestsPerSecond: raw.requests / (raw.durationUs / 1e6),
    p50Ms: raw.p50Us / 1000,
    p99Ms: raw.p99Us / 1000,
    socketErrors: raw.socketErrors,
    badStatus: raw.badStatus,
  };
}

async function runOnce(
  binary: string,
  script: string,
  port: number,
  connections: number,
  seconds: number,
) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', script];
  const child = spawnTracked(binary, [...args, `http://${LOOPBACK}:${port}/`]);
  const output = captureOutput(child, 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const result = parseWrkOutput(output());
  if (!result) throw new Error(`wrk failed (exit ${code}): ${output().slice(-1000)}`);
  return result;
}

/** One warm-up run (discarded), then the measured run, both with the same connection count. */
export async function runWrk(
  binary: string,
  target: Target,
  originPort: number,
  settings: LoadSettings,
): Promise<LoadResult> {
  const dir = benchTempDir('wrk');
  const script = join(dir, `${target.name}.lua`);
  writeFileSync(script, wrkScript(target, originPort));
  const port = target.proxied ? target.port : originPort;
  if (settings.warmupSeconds > 0) {
    await runOnce(binary, script, port, settings.connections, settings.warmupSeconds);
  }
  return runOnce(binary, script, port, settings.connections, settings.seconds);
}

export function wrkVersion(binary: string): string {
  const out = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return /wrk (\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? '?';
}
