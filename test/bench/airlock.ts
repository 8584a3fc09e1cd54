// Airlock's egress as a bench target: a throwaway config dir, then `airlock egress` in its own process.
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTracked, stopChild } from './children.ts';
import { freePort, LOOPBACK, waitForPort } from './net-util.ts';
import { ORIGIN_NAME, type Target } from './target.ts';
import { benchTempDir } from './temp-dirs.ts';

const cli = fileURLToPath(new URL('../../cli/airlock.ts', import.meta.url));

/** app.yaml: one anonymous identity on TCP, the bench name mapped to loopback, loopback admitted. */
export function airlockAppYaml(): string {
  return [
    'egress:',
    '  anonymous: bench',
    `  allowAddresses: ["${LOOPBACK}/32"]`,
    '  hosts:',
    `    ${ORIGIN_NAME}: ${LOOPBACK}`,
    '',
  ].join('\n');
}

/** Short-form flow (as in the Lunar article) allowing only the origin's two ports. */
export function airlockBenchFlow(originPorts: readonly number[]): string {
  const urls = originPorts.map((port) => `          - "${ORIGIN_NAME}:${port}/*"`);
  return [
    'AllowBenchOrigin:',
    '  processor: Filter',
    '  parameters:',
    '    - key: urls',
    '      value:',
    ...urls,
    'DenyEverythingElse:',
    '  processor: GenerateResponse',
    '  parameters:',
    '    - key: status',
    '      value: 403',
    '    - key: body',
    '      value: "Forbidden Access"',
    '    - key: Content-Type',
    '      value: text/plain',
    '',
  ].join('\n');
}

export interface AirlockOptions {
  /** Directory for a V8 CPU profile of the proxy process (`node --cpu-prof`), or null. */
  readonly profileDir: string | null;
}

export async function startAirlock(
  originPorts: readonly number[],
  options: AirlockOptions,
): Promise<Target & { logFile: string }> {
  const root = benchTempDir('egress');
  const configDir = join(root, 'config');
  const dataDir = join(root, 'data');
  mkdirSync(join(configDir, 'flows'), { recursive: true });
  mkdirSync(dataDir);
  writeFileSync(join(configDir, 'app.yaml'), airlockAppYaml());
  writeFileSync(join(configDir, 'flows', 'bench.yaml'), airlockBenchFlow(originPorts));
  const port = await freePort();
  const logFile = join(root, 'egress.log');
  const log = openSync(logFile, 'a');
  const nodeFlags = options.profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`]
    : [];
  const args = [
    ...nodeFlags,
    cli,
    'egress',
    '--config',
    configDir,
    '--data',
    dataDir,
    '--listen',
    `${LOOPBACK}:${port}`,
  ];
  // Its decision log goes to a file, as it would in a deployment; the bench reads it only on failure.
  const child = spawnTracked(process.execPath, args, { stdio: ['ignore', log, log] });
  try {
    await waitForPort(port, 20_000, () => child.exitCode === null);
  } catch (error) {
    await stopChild(child);
    const tail = readFileSync(logFile, 'utf8').slice(-3000);
    throw new Error(`airlock egress did not start: ${(error as Error).message}\n${tail}`);
  }
  return {
    name: 'airlock',
    port,
    proxied: true,
    originHost: ORIGIN_NAME,
    note: `airlock egress, node ${process.versions.node}, decision log to a file`,
    logFile,
    // SIGINT lets the egress close cleanly, which is also when `--cpu-prof` writes its profile.
    stop: () => stopAirlock(child),
  };
}

async function stopAirlock(child: ReturnType<typeof spawnTracked>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}
