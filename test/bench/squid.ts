// Squid as the reference proxy: a throwaway config on a loopback port admitting only the origin.

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { captureOutput, spawnTracked, stopChild } from './children.ts';
import { freePort, LOOPBACK, waitForPort } from './net-util.ts';
import { ORIGIN_NAME, type Target } from './target.ts';
import { benchTempDir } from './temp-dirs.ts';

export interface SquidConfigInput {
  readonly dir: string;
  readonly port: number;
  readonly originPorts: readonly number[];
  /** Set when running as root: Squid then drops to this user, which must own `dir`. */
  readonly effectiveUser: string | null;
}

/** squid.conf for the bench: no cache, no logs, no DNS off the machine, only the origin reachable. */
export function squidConfig(input: SquidConfigInput): string {
  const lines = [
    `http_port ${LOOPBACK}:${input.port}`,
    `acl bench_client src ${LOOPBACK}/32`,
    `acl bench_origin dst ${LOOPBACK}/32`,
    `acl bench_ports port ${input.originPorts.join(' ')}`,
    'acl CONNECT method CONNECT',
    'http_access allow bench_client bench_origin bench_ports',
    'http_access deny all',
    'cache deny all',
    'cache_mem 0 MB',
    'access_log none',
    'cache_store_log none',
    `cache_log ${join(input.dir, 'cache.log')}`,
    `pid_filename ${join(input.dir, 'squid.pid')}`,
    `coredump_dir ${input.dir}`,
    `hosts_file ${join(input.dir, 'hosts')}`,
    // Names outside hosts_file would go to this resolver; loopback keeps any query on the machine.
    'dns_nameservers 127.0.0.1',
    'pinger_enable off',
    'icp_port 0',
    'htcp_port 0',
    'shutdown_lifetime 0 seconds',
    'via off',
    'forwarded_for delete',
    'max_filedescriptors 8192',
  ];
  if (input.effectiveUser) lines.push(`cache_effective_user ${input.effectiveUser}`);
  return `${lines.join('\n')}\n`;
}

export function squidHostsFile(): string {
  return `${LOOPBACK} ${ORIGIN_NAME}\n`;
}

/** The user Squid must switch to when started as root (Debian's `proxy`), or null. */
function effectiveUser(): { name: string; uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'proxy'], { encoding: 'utf8' }).stdout);
  const uid = id('-u');
  const gid = id('-g');
  return Number.isInteger(uid) && uid > 0 ? { name: 'proxy', uid, gid } : null;
}

export async function startSquid(binary: string, originPorts: readonly number[]): Promise<Target> {
  const dir = benchTempDir('squid');
  const port = await freePort();
  const user = effectiveUser();
  const config = join(dir, 'squid.conf');
  writeFileSync(config, squidConfig({ dir, port, originPorts, effectiveUser: user?.name ?? null }));
  writeFileSync(join(dir, 'hosts'), squidHostsFile());
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o755);
  }
  const child = spawnTracked(binary, ['-N', '-f', config]);
  const output = captureOutput(child);
  try {
    await waitForPort(port, 20_000, () => child.exitCode === null);
  } catch (error) {
    await stopChild(child);
    throw new Error(`squid did not start: ${(error as Error).message}\n${output()}`);
  }
  return {
    name: 'squid',
    port,
    proxied: true,
    originHost: ORIGIN_NAME,
    note: `squid ${squidVersion(binary)}, 1 worker, no cache, no access log`,
    stop: () => stopChild(child),
  };
}

function squidVersion(binary: string): string {
  const out = spawnSync(binary, ['-v'], { encoding: 'utf8' }).stdout ?? '';
  return /Version (\S+)/.exec(out)?.[1] ?? '?';
}
