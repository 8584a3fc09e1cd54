// The sandbox backends the attack tests run against: bwrap always; docker whenever an engine answers.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createBwrapLauncher } from '../../gateway/sandbox/bwrap-launcher.ts';
import { createDockerLauncher } from '../../gateway/sandbox/docker-launcher.ts';
import type { Launcher } from '../../gateway/upstream/launcher.ts';
import { dockerTestLauncherOptions, ensureTestImage } from './docker-image.ts';

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

/**
 * The docker backend when an engine answers (its test image is then built or reused; a failed build
 * fails the run rather than skipping); otherwise one loud line saying why not.
 */
async function dockerBackend(): Promise<SandboxBackend | undefined> {
  const status = await createDockerLauncher({ dataDir: '/nonexistent' })
    .available()
    .catch((error: unknown) => ({ ok: false, reason: String(error) }));
  if (!status.ok) {
    console.warn(`!!!!! SKIPPING DOCKER ATTACK TESTS: ${status.reason} !!!!!`);
    return undefined;
  }
  const options = dockerTestLauncherOptions(ensureTestImage());
  return {
    name: 'docker',
    create: async ({ dataDir, logger }) =>
      createDockerLauncher({
        ...options,
        dataDir,
        logger,
        socketPathFor: (server) => egressSocketPath(dataDir, server),
        hidden: [dataDir],
      }),
  };
}

/** bwrap always (a missing bwrap fails the run, loudly, rather than skipping); docker when an engine answers. */
export async function sandboxBackends(): Promise<SandboxBackend[]> {
  const docker = await dockerBackend();
  return docker ? [bwrap, docker] : [bwrap];
}
