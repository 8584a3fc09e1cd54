// Picks each server's sandbox backend from `sandbox.type` (auto → bwrap, else docker, else refuse); never silently unsandboxed.
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { SandboxSpec, StdioServerSpec } from '../config/types.ts';
import type { LaunchedProcess, Launcher } from '../upstream/launcher.ts';
import { createProcessLauncher } from '../upstream/process-launcher.ts';
import { createBwrapLauncher } from './bwrap-launcher.ts';
import { type BackendStatus, probeBwrap } from './bwrap-probe.ts';
import { type EgressSockets, withEgressSockets } from './egress-sockets.ts';
import { INSTALL_ADVICE, SandboxError } from './sandbox-errors.ts';

export type Backend = 'bwrap' | 'docker' | 'none';

/** What S2's Docker backend provides (`gateway/sandbox/docker-launcher.ts`). */
export type DockerLauncher = Launcher & { available(): Promise<BackendStatus> };

export interface SelectingLauncherOptions {
  readonly dataDir: string;
  /** Airlock's config dir, hidden from sandboxed servers (it holds secrets.env). */
  readonly configDir?: string;
  readonly sockets: EgressSockets;
  /** Proxy variables for `none` (advisory): the egress TCP URL with the server's credentials. */
  readonly advisoryProxyEnv: (server: string) => Record<string, string>;
  readonly logger?: Logger;
  readonly bwrap?: string;
  readonly graceMs?: number;
  /** Probes, replaceable for tests of the selection itself. */
  readonly probeBwrap?: () => Promise<BackendStatus>;
  readonly docker?: () => Promise<DockerLauncher | undefined>;
}

export interface BackendChoice {
  readonly backend: Backend | undefined;
  /** Why this backend, or why none (with what to install). */
  readonly reason: string;
}

/** Pure: the backend for a written type, given what works here. */
export function chooseBackend(
  type: SandboxSpec['type'],
  bwrap: BackendStatus,
  docker: BackendStatus,
): BackendChoice {
  if (type === 'none')
    return { backend: 'none', reason: 'sandbox.type none: advisory only, NOT enforced' };
  if (type === 'bwrap') {
    return bwrap.ok
      ? { backend: 'bwrap', reason: bwrap.reason }
      : { backend: undefined, reason: bwrap.reason };
  }
  if (type === 'docker') {
    return docker.ok
      ? { backend: 'docker', reason: docker.reason }
      : { backend: undefined, reason: docker.reason };
  }
  if (bwrap.ok) return { backend: 'bwrap', reason: 'auto: bubblewrap works' };
  if (docker.ok)
    return { backend: 'docker', reason: `auto: ${bwrap.reason}; Docker engine answers` };
  return {
    backend: undefined,
    reason: `no sandbox backend works here (${bwrap.reason}; ${docker.reason}): ${INSTALL_ADVICE}`,
  };
}

/** S2's backend, loaded lazily so a machine without dockerode still runs bwrap sandboxes. */
async function loadDocker(options: SelectingLauncherOptions): Promise<DockerLauncher | undefined> {
  try {
    // A variable specifier: the file is S2's and may not exist yet in a given checkout.
    const specifier = './docker-launcher.ts';
    const module = (await import(specifier)) as {
      createDockerLauncher?: (options: Record<string, unknown>) => DockerLauncher;
    };
    return module.createDockerLauncher?.({
      dataDir: options.dataDir,
      socketPathFor: (server: string) =>
        join(resolve(options.dataDir), 'sockets', `${server}.sock`),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  } catch {
    return undefined;
  }
}

/** Whether the Docker backend works here (for `airlock doctor`), with the reason when it does not. */
export async function probeDocker(dataDir: string): Promise<BackendStatus> {
  const launcher = await loadDocker({ dataDir, sockets: noSockets, advisoryProxyEnv: () => ({}) });
  if (!launcher) return { ok: false, reason: 'the Docker backend is not available in this build' };
  return launcher.available().catch((error: unknown) => ({ ok: false, reason: String(error) }));
}

const noSockets: EgressSockets = {
  openServerSocket: async () => '',
  closeServerSocket: async () => {},
};

export interface SelectingLauncher extends Launcher {
  /** The backend a server would get now (for `airlock up`'s lines and `airlock doctor`). */
  choose(spec: StdioServerSpec): Promise<BackendChoice>;
}

export function createSelectingLauncher(options: SelectingLauncherOptions): SelectingLauncher {
  const socketPathFor = (server: string) =>
    join(resolve(options.dataDir), 'sockets', `${server}.sock`);
  const bwrap = withEgressSockets(
    createBwrapLauncher({
      dataDir: options.dataDir,
      ...(options.configDir === undefined ? {} : { configDir: options.configDir }),
      socketPathFor,
      ...(options.bwrap === undefined ? {} : { bwrap: options.bwrap }),
      ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    }),
    options.sockets,
  );
  const plain = createProcessLauncher({
    ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  let docker: Promise<DockerLauncher | undefined> | undefined;
  const dockerLauncher = () => {
    docker ??= (options.docker ?? (() => loadDocker(options)))();
    return docker;
  };
  const dockerStatus = async (): Promise<BackendStatus> => {
    const launcher = await dockerLauncher();
    if (!launcher)
      return { ok: false, reason: 'the Docker backend is not available in this build' };
    return launcher.available().catch((error: unknown) => ({ ok: false, reason: String(error) }));
  };
  const bwrapStatus = options.probeBwrap ?? (() => probeBwrap(options.bwrap));

  const choose = async (spec: StdioServerSpec): Promise<BackendChoice> => {
    const type = spec.sandbox?.type ?? 'auto';
    const bw = type === 'docker' ? { ok: false, reason: 'not asked for' } : await bwrapStatus();
    const needDocker = type === 'docker' || (type === 'auto' && !bw.ok);
    const dk = needDocker ? await dockerStatus() : { ok: false, reason: 'not asked for' };
    return chooseBackend(type, bw, dk);
  };

  return {
    choose,
    async launch(spec, env): Promise<LaunchedProcess> {
      const choice = await choose(spec);
      switch (choice.backend) {
        case 'bwrap':
          return bwrap.launch(spec, env);
        case 'docker': {
          const launcher = await dockerLauncher();
          if (!launcher) break;
          return withEgressSockets(launcher, options.sockets).launch(spec, env);
        }
        case 'none':
          options.logger?.warn(
            { server: spec.name },
            'WARNING: sandbox.type none: this server runs unsandboxed; its proxy variables are advisory, NOT enforced',
          );
          return plain.launch(spec, { ...env, ...options.advisoryProxyEnv(spec.name) });
      }
      throw new SandboxError(
        'SANDBOX_UNAVAILABLE',
        spec.name,
        `server '${spec.name}' was not started: ${choice.reason}`,
      );
    },
  };
}
