// `promtool check metrics` (Debian package `prometheus`) on exposition text; CI must have it, elsewhere it may be absent.
import { execFileSync, spawn } from 'node:child_process';

/** The promtool on PATH, or undefined; outside CI its absence is said once, loudly, and the check skipped. */
export function findPromtool(): string | undefined {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return 'promtool';
  } catch {
    if (process.env.CI) return 'promtool'; // in CI the test must run, and fail if promtool is missing
    console.warn(
      '!!! promtool not found: skipping `promtool check metrics` (install Debian package "prometheus"); the strict parser check still runs',
    );
    return undefined;
  }
}

/** Exit code and output of `promtool check metrics` with the text on its stdin. */
export function promtoolCheck(
  promtool: string,
  text: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
