// tinyproxy as a second, lighter reference proxy (optional: skipped when it cannot be installed).

import { spawnSync } from 'node:child_process';
import { chownSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { captureOutput, spawnTracked, stopChild } from './children.ts';
import { freePort, LOOPBACK, waitForPort } from './net-util.ts';
import type { Target } from './target.ts';
import { benchTempDir } from './temp-dirs.ts';

export interface TinyproxyConfigInput {
  readonly dir: string;
  readonly port: number;
  readonly connectPorts: readonly number[];
  /** Set when running as root: tinyproxy refuses to keep root and switches to this user and group. */
  readonly user: { readonly user: string; readonly group: string } | null;
}

/** tinyproxy.conf: loopback only, no upstream, CONNECT only to the origin's ports, quiet logs. */
export function tinyproxyConfig(input: TinyproxyConfigInput): string {
  const lines = [
    `Port ${input.port}`,
    `Listen ${LOOPBACK}`,
    `Allow ${LOOPBACK}`,
    'Timeout 60',
    'MaxClients 512',
    'LogLevel Critical',
    `LogFile "${join(input.dir, 'tinyproxy.log')}"`,
    `PidFile "${join(input.dir, 'tinyproxy.pid')}"`,
    'DisableViaHeader Yes',
    ...input.connectPorts.map((port) => `ConnectPort ${port}`),
  ];
  if (input.user) lines.push(`User ${input.user.user}`, `Group ${input.user.group}`);
  return `${lines.join('\n')}\n`;
}

function nobody(): { user: string; group: string; uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout);
  const gid = Number(
    spawnSync('getent', ['group', 'nogroup'], { encoding: 'utf8' }).stdout.split(':')[2],
  );
  return { user: 'nobody', group: 'nogroup', uid: id('-u'), gid };
}

export async function startTinyproxy(
  binary: string,
  connectPorts: readonly number[],
): Promise<Target> {
  const dir = benchTempDir('tinyproxy');
  const port = await freePort();
  const user = nobody();
  const config = join(dir, 'tinyproxy.conf');
  writeFileSync(config, tinyproxyConfig({ dir, port, connectPorts, user }));
  if (user) chownSync(dir, user.uid, user.gid);
  const child = spawnTracked(binary, ['-d', '-c', config]);
  const output = captureOutput(child);
  try {
    await waitForPort(port, 10_000, () => child.exitCode === null);
  } catch (error) {
    await stopChild(child);
    throw new Error(`tinyproxy did not start: ${(error as Error).message}\n${output()}`);
  }
  return {
    name: 'tinyproxy',
    port,
    proxied: true,
    // tinyproxy resolves through the system resolver, which does not know the bench name.
    originHost: LOOPBACK,
    note: 'tinyproxy, origin by IP literal; closes client connections after each response',
    stop: () => stopChild(child),
  };
}
