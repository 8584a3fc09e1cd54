// The bwrap launcher: runs each stdio server under bubblewrap with the relay in front, via the plain process launcher.
import { existsSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { StdioServerSpec } from '../config/types.ts';
import type { Launcher } from '../upstream/launcher.ts';
import { createProcessLauncher } from '../upstream/process-launcher.ts';
import { bwrapArgs, SANDBOX_BOOTSTRAP } from './bwrap-args.ts';
import { sandboxEnv } from './sandbox-env.ts';

/** The relay and bootstrap shipped with Airlock (host paths). */
export const RELAY_PATH = fileURLToPath(
  new URL('../../sandbox-images/relay/relay.ts', import.meta.url),
);
export const BOOTSTRAP_PATH = fileURLToPath(
  new URL('../../sandbox-images/bootstrap/proxy-bootstrap.mjs', import.meta.url),
);

export interface BwrapLauncherOptions {
  readonly dataDir: string;
  /** Airlock's config dir (secrets.env, key hashes): hidden from every server. */
  readonly configDir?: string;
  /** Host path of the server's egress socket (opened by whoever wraps this launcher). */
  readonly socketPathFor: (server: string) => string;
  readonly bwrap?: string;
  /** The Node that runs the relay and, usually, the server (default: this one). */
  readonly node?: string;
  /** PATH inside the sandbox (default: the gateway's). */
  readonly path?: string;
  readonly graceMs?: number;
  readonly logger?: Logger;
}

/** The nearest folder holding a package.json at or above `dir`, if any. */
function packageRootOf(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json'))) return at;
    if (dirname(at) === at) return undefined;
  }
}

/** `<data>/servers/<name>`: the one place a sandboxed server may write by default. */
export function stateDirFor(dataDir: string, server: string): string {
  return join(resolve(dataDir), 'servers', server);
}

/** The host's Docker socket when it lives outside /run (which the sandbox replaces wholesale). */
function dockerSocketsOutsideRun(): string[] {
  try {
    const real = realpathSync('/var/run/docker.sock');
    return real.startsWith('/run/') ? [] : [real];
  } catch {
    return [];
  }
}

/** Node 22.6–22.17 runs the TypeScript relay only with type stripping switched on. */
export function relayNodeFlags(version: string): string[] {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major === 22 && minor < 18 ? ['--experimental-strip-types'] : [];
}

export function createBwrapLauncher(options: BwrapLauncherOptions): Launcher {
  const node = options.node ?? process.execPath;
  const inner = createProcessLauncher({
    parentEnv: {},
    ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return {
    async launch(spec: StdioServerSpec, env) {
      const stateDir = stateDirFor(options.dataDir, spec.name);
      await mkdir(stateDir, { recursive: true });
      for (const dir of spec.sandbox?.allowWrite ?? []) await mkdir(dir, { recursive: true });
      const args = bwrapArgs(spec, {
        egressSocket: options.socketPathFor(spec.name),
        relay: RELAY_PATH,
        bootstrap: BOOTSTRAP_PATH,
        node,
        // Only this Node's version is known; a different `node` option is assumed to strip types.
        nodeFlags: options.node === undefined ? relayNodeFlags(process.versions.node) : [],
        dataDir: resolve(options.dataDir),
        ...(options.configDir === undefined ? {} : { secretDirs: [resolve(options.configDir)] }),
        packageRootOf,
        stateDir,
        hiddenDirs: ['/home', '/root'],
        hiddenFiles: dockerSocketsOutsideRun(),
      });
      const inside = sandboxEnv(env, {
        bootstrap: SANDBOX_BOOTSTRAP,
        stateDir,
        path: options.path ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      });
      // The process launcher owns the process group, pipes and stop; bwrap is just the command.
      const { cwd: _cwd, ...rest } = spec;
      return inner.launch({ ...rest, command: options.bwrap ?? 'bwrap', args }, inside);
    },
  };
}
