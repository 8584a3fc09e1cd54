// Signals and liveness for a whole process group, so `npx`-style wrappers leave no orphans behind.
import { readdirSync, readFileSync } from 'node:fs';

const pollMs = 20;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The `state` and `pgrp` fields of /proc/<pid>/stat (Linux), or null when the process is gone. */
function procStat(pid: string): { state: string; pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces; fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

/** Whether a process is alive. A zombie counts as gone: it runs nothing and only waits to be reaped. */
export function processAlive(pid: number): boolean {
  if (process.platform === 'linux') {
    const stat = procStat(String(pid));
    return stat !== null && stat.state !== 'Z';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether any live (non-zombie) process remains in the group. */
export function groupAlive(pgid: number): boolean {
  if (process.platform === 'linux') {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = procStat(entry);
      if (stat && stat.pgrp === pgid && stat.state !== 'Z') return true;
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await delay(pollMs);
  }
  return true;
}

/** SIGTERM the group, SIGKILL what is left after `graceMs`; true when the group is gone. */
export async function terminateGroup(pgid: number, graceMs: number): Promise<boolean> {
  if (!groupAlive(pgid)) return true;
  signalGroup(pgid, 'SIGTERM');
  if (await waitGone(pgid, graceMs)) return true;
  signalGroup(pgid, 'SIGKILL');
  return waitGone(pgid, 2_000);
}
