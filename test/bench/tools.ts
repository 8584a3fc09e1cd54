// Finds the external tools the bench compares against, installing the Debian package when one is missing.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where Debian puts daemons, which a non-root PATH often leaves out. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export function findBinary(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...EXTRA_DIRS].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

let updated = false;

/** apt-get as root, or through `sudo -n` (never prompting) for another user. */
function aptGet(args: readonly string[]): boolean {
  const asRoot = process.getuid?.() === 0;
  const [command, prefix] = asRoot ? ['apt-get', []] : ['sudo', ['-n', 'apt-get']];
  const result = spawnSync(command, [...prefix, ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 180_000,
  });
  return result.status === 0;
}

/**
 * The path of `binary`, installing Debian package `pkg` with apt-get when it is missing.
 * Null (and a loud line) when it cannot be had: the bench then skips that column.
 */
export function ensureTool(
  binary: string,
  pkg: string,
  log: (line: string) => void,
): string | null {
  const found = findBinary(binary);
  if (found) return found;
  if (!findBinary('apt-get')) {
    log(`!!! ${binary} is missing and apt-get is not available: skipping ${binary}`);
    return null;
  }
  log(`${binary} is missing: apt-get install -y ${pkg}`);
  // Without root or password-less sudo this fails cleanly; the bench then skips the tool.
  let installed = aptGet(['install', '-y', '--no-install-recommends', pkg]);
  if (!installed && !updated) {
    updated = true;
    aptGet(['update']);
    installed = aptGet(['install', '-y', '--no-install-recommends', pkg]);
  }
  const path = findBinary(binary);
  if (!installed || !path) log(`!!! could not install ${pkg}: skipping ${binary}`);
  return path;
}
