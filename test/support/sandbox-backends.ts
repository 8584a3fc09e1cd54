// The sandbox backends the attack tests run against (bwrap always; docker when its launcher and an engine exist).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Egress } from '../../egress/egress-service.ts';
import { createBwrapLauncher } from '../../gateway/sandbox/bwrap-launcher.ts';
import type { Launcher } from '../../gateway/upstream/launcher.ts';

export interface SandboxBackend {
  readonly name: 'bwrap' | 'docker';
  create(options: { dataDir: string; logger: Logger }): Promise<Launcher>;
}

/** `<data>/sockets/<server>.sock`, where the egress opens each server's socket. */
export function egressSocketPath(dataDir: string, server: string): string {
  return join(dataDir, 'sockets', `${server}.sock`);
}

const bwrap: SandboxBackend = {
  name: 'bwrap',
  create: async ({ dataDir, logger }) =>
    createBwrapLauncher({
      dataDir,
      logger,
      graceMs: 1000,
      socketPathFor: (server) => egressSocketPath(dataDir, server),
    }),
};

/** Why bwrap cannot run here, or undefined when a loopback-only namespace works. */
export function bwrapProblem(): string | undefined {
  const probe = spawnSync(
    'bwrap',
    [
      '--ro-bind',
      '/',
      '/',
      '--unshare-net',
      '--unshare-pid',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      'true',
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.error) return `bwrap cannot start: ${probe.error.message}`;
  if (probe.status !== 0) return `bwrap probe failed: ${probe.stderr.trim()}`;
  return undefined;
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/** Asks the engine (over its Unix socket, no CLI needed) whether an image exists locally. */
function imageExists(image: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const request = http.get(
      { socketPath: '/var/run/docker.sock', path: `/images/${encodeURIComponent(image)}/json` },
      (response) => {
        response.resume();
        resolvePromise(response.statusCode === 200);
      },
    );
    request.on('error', () => resolvePromise(false));
  });
}

const DOCKER_LAUNCHER = new URL('../../gateway/sandbox/docker-launcher.ts', import.meta.url);

interface DockerModule {
  createDockerLauncher(options: Record<string, unknown>): Launcher & {
    available(): Promise<{ ok: boolean; reason: string }>;
  };
}

/** The docker backend when S2's launcher exists and the engine answers; otherwise one loud line why not. */
async function dockerBackend(): Promise<SandboxBackend | undefined> {
  if (!existsSync(DOCKER_LAUNCHER)) {
    console.warn(
      'SKIPPING DOCKER ATTACK TESTS: gateway/sandbox/docker-launcher.ts does not exist yet',
    );
    return undefined;
  }
  const image = process.env.AIRLOCK_TEST_DOCKER_IMAGE ?? 'airlock/sandbox-node:latest';
  const module = (await import(DOCKER_LAUNCHER.href)) as DockerModule;
  const probe = module.createDockerLauncher({ dataDir: '/nonexistent' });
  const available = await probe
    .available()
    .catch((error: Error) => ({ ok: false, reason: error.message }));
  if (!available.ok) {
    console.warn(`SKIPPING DOCKER ATTACK TESTS: no Docker engine (${available.reason})`);
    return undefined;
  }
  if (!(await imageExists(image))) {
    console.warn(
      `SKIPPING DOCKER ATTACK TESTS: image ${image} is not built (no registry here; build it with docker import)`,
    );
    return undefined;
  }
  return {
    name: 'docker',
    create: async ({ dataDir, logger }) =>
      module.createDockerLauncher({
        dataDir,
        logger,
        socketPathFor: (server: string) => egressSocketPath(dataDir, server),
        serverImage: image,
        // The fixtures, node_modules and this Node are bound read-only at their host paths.
        readOnly: [PROJECT_ROOT, dirname(dirname(process.execPath))],
        airlockDir: PROJECT_ROOT,
        hidden: [dataDir],
        graceSeconds: 1,
      }),
  };
}

/** bwrap always (a missing bwrap fails the run, loudly, rather than skipping); docker when available. */
export async function sandboxBackends(): Promise<SandboxBackend[]> {
  const docker = await dockerBackend();
  return docker ? [bwrap, docker] : [bwrap];
}

/**
 * Opens the server's egress socket before each launch and closes it when the process is gone, as
 * `airlock up` does; a restart waits for the previous close so the new socket is not removed under it.
 */
export function socketLauncher(inner: Launcher, egress: Egress): Launcher {
  const closing = new Map<string, Promise<void>>();
  return {
    async launch(spec, env) {
      await closing.get(spec.name);
      await egress.openServerSocket(spec.name);
      let launched: Awaited<ReturnType<Launcher['launch']>>;
      try {
        launched = await inner.launch(spec, env);
      } catch (error) {
        await egress.closeServerSocket(spec.name).catch(() => {});
        throw error;
      }
      closing.set(
        spec.name,
        launched.exited.then(() => egress.closeServerSocket(spec.name).catch(() => {})),
      );
      return launched;
    },
  };
}
