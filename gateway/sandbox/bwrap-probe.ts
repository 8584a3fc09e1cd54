// Whether bubblewrap can build a sandbox on this machine: one real `bwrap … /bin/true`, result cached per binary.
import { spawn } from 'node:child_process';

export interface BackendStatus {
  readonly ok: boolean;
  /** Why not, and what to do about it; "bubblewrap works" when ok. */
  readonly reason: string;
}

const cache = new Map<string, Promise<BackendStatus>>();

/** Turns a failed probe into advice: missing binary vs. namespaces refused by the kernel. */
export function explainBwrapFailure(spawnError: string | undefined, stderr: string): string {
  if (spawnError?.includes('ENOENT')) {
    return 'bwrap is not installed (apt-get install bubblewrap)';
  }
  if (/namespace|Operation not permitted|Permission denied/i.test(stderr)) {
    return `bwrap cannot create namespaces here (user namespaces blocked? check kernel.unprivileged_userns_clone / apparmor_restrict_unprivileged_userns): ${stderr.trim()}`;
  }
  return `bwrap failed: ${(spawnError ?? stderr).trim() || 'unknown error'}`;
}

function runProbe(bwrap: string): Promise<BackendStatus> {
  return new Promise((resolve) => {
    const args = [
      '--ro-bind',
      '/',
      '/',
      '--unshare-net',
      '--unshare-pid',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--die-with-parent',
      '--',
      '/bin/true',
    ];
    const child = spawn(bwrap, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', (error) =>
      resolve({ ok: false, reason: explainBwrapFailure(error.message, stderr) }),
    );
    child.once('close', (code) =>
      resolve(
        code === 0
          ? { ok: true, reason: 'bubblewrap works' }
          : { ok: false, reason: explainBwrapFailure(undefined, stderr) },
      ),
    );
  });
}

export function probeBwrap(bwrap = 'bwrap'): Promise<BackendStatus> {
  let probe = cache.get(bwrap);
  if (!probe) {
    probe = runProbe(bwrap);
    cache.set(bwrap, probe);
  }
  return probe;
}
