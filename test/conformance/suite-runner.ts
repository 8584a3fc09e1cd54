// Runs `conformance server` (the official suite's CLI) against one URL in a child process and reads its results.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  announcedScenarios,
  missingScenario,
  type ScenarioResult,
  type SuiteCheck,
  type SuiteRun,
  scenarioOfResultDirectory,
  summariseScenario,
} from './results.ts';

const packageDirectory = fileURLToPath(
  new URL('../../node_modules/@modelcontextprotocol/conformance/', import.meta.url),
);

export type SuiteName = 'active' | 'all';

export interface SuiteOptions {
  readonly label: string;
  readonly url: string;
  /** `all` adds the suite's pending scenarios (json-schema-2020-12, server-sse-polling). */
  readonly suite?: SuiteName;
  /** Only these scenarios, one CLI run each (for focused debugging). */
  readonly scenarios?: readonly string[];
  readonly timeoutMs?: number;
}

async function conformanceCli(): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(packageDirectory, 'package.json'), 'utf8'));
  const bin: unknown = manifest.bin?.conformance ?? manifest.bin;
  if (typeof bin !== 'string') throw new Error('@modelcontextprotocol/conformance has no CLI bin');
  return path.join(packageDirectory, bin);
}

interface CliOutcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

function runCli(args: readonly string[], timeoutMs: number): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // The CLI exits non-zero whenever a check fails: that is a result, not an error.
    child.once('close', () => {
      clearTimeout(timer);
      resolve({ stdout, stderr, timedOut });
    });
  });
}

async function readResults(outputDirectory: string): Promise<Map<string, ScenarioResult>> {
  const results = new Map<string, ScenarioResult>();
  for (const directory of await readdir(outputDirectory)) {
    const scenario = scenarioOfResultDirectory(directory);
    if (scenario === undefined) continue;
    const file = path.join(outputDirectory, directory, 'checks.json');
    const checks = JSON.parse(await readFile(file, 'utf8')) as SuiteCheck[];
    results.set(scenario, summariseScenario(scenario, checks));
  }
  return results;
}

/** Runs the suite and returns one result per scenario it announced; nothing is thrown for failing checks. */
export async function runConformanceSuite(options: SuiteOptions): Promise<SuiteRun> {
  const cli = await conformanceCli();
  const outputDirectory = await mkdtemp(path.join(tmpdir(), 'airlock-conformance-'));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const base = [cli, 'server', '--url', options.url, '-o', outputDirectory];
  try {
    const invocations = options.scenarios?.length
      ? options.scenarios.map((scenario) => [...base, '--scenario', scenario])
      : [[...base, '--suite', options.suite ?? 'all']];
    let announced: string[] = [];
    let cut = '';
    for (const args of invocations) {
      const outcome = await runCli(args, timeoutMs);
      const scenario = args[args.indexOf('--scenario') + 1];
      announced.push(...(args.includes('--scenario') && scenario ? [scenario] : []));
      announced.push(...announcedScenarios(outcome.stdout));
      if (outcome.timedOut) cut = `the suite was stopped after ${timeoutMs} ms`;
      else if (!outcome.stdout.includes('Total:') && !args.includes('--scenario')) {
        cut = `the suite ended early: ${outcome.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      }
    }
    announced = [...new Set(announced)];
    const results = await readResults(outputDirectory);
    const scenarios = announced.map(
      (scenario) =>
        results.get(scenario) ?? missingScenario(scenario, cut || 'the scenario left no checks'),
    );
    return { label: options.label, url: options.url, scenarios };
  } finally {
    await rm(outputDirectory, { recursive: true, force: true });
  }
}
