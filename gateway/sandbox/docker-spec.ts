// Pure builders of the two Docker containers of a sandboxed server: the server (no network) and its relay.
import { isAbsolute, normalize, relative } from 'node:path';
import type { ContainerCreateOptions } from 'dockerode';
import type { StdioServerSpec } from '../config/types.ts';
import { DockerSandboxError } from './docker-errors.ts';
import { SANDBOX_EGRESS_SOCKET, sandboxEnv } from './sandbox-env.ts';

/** Label every Airlock container carries, so stop, cleanup and tests can find them. */
export const LABEL_SERVER = 'dev.airlock.server';
/** `server` or `relay`. */
export const LABEL_ROLE = 'dev.airlock.role';
/** One id per launch, shared by the server container and its relay. */
export const LABEL_LAUNCH = 'dev.airlock.launch';

/** Where images keep Airlock's own files (relay, bootstrap); tests bind the project's `sandbox-images/` here. */
export const IMAGE_AIRLOCK_DIR = '/opt/airlock';

export const DEFAULT_SERVER_IMAGE = 'airlock/sandbox-node:latest';
export const DEFAULT_RELAY_IMAGE = 'airlock/sandbox-relay:latest';

export interface ContainerPaths {
  /** The server's egress Unix socket on the Docker host; only the relay gets it. */
  readonly egressSocket: string;
  /** A launch id (unique per launch), used in names and labels. */
  readonly launchId: string;
  /** Host dir bound read-only at /opt/airlock instead of the image's copy (tests, development). */
  readonly airlockDir?: string;
  /** Paths no bind may expose: the Docker socket, Airlock's data dir, homes. */
  readonly hidden: readonly string[];
  /** Extra host paths bound read-only at the same path (the launcher's, not the server's config). */
  readonly readOnly?: readonly string[];
}

export interface ContainerLimits {
  /** Bytes of memory (and memory+swap) for the server container. */
  readonly memoryBytes: number;
  readonly pids: number;
  /** Size of the private /tmp (tmpfs). */
  readonly tmpBytes: number;
}

export interface ContainerImages {
  readonly server: string;
  readonly relay: string;
  /** uid:gid the relay runs as: must be able to connect to the 0600 socket, so the socket's owner. */
  readonly relayUser: string;
}

export const DEFAULT_LIMITS: ContainerLimits = {
  memoryBytes: 512 * 1024 * 1024,
  pids: 256,
  // npx and uvx unpack packages here; tmpfs pages count against the memory limit.
  tmpBytes: 256 * 1024 * 1024,
};

/** Paths a sandbox never sees, whatever its `allowRead`/`allowWrite` say: no bind inside or above them. */
export const ALWAYS_HIDDEN: readonly string[] = ['/var/run/docker.sock', '/run/docker.sock'];

/**
 * Homes: never bound whole (nor anything above them), but a narrow grant inside one
 * (`allowRead: [/root/project-docs]`) is the user's explicit choice, as with bwrap.
 */
export const HOMES: readonly string[] = ['/root', '/home'];

export interface ContainerSpecs {
  readonly server: ContainerCreateOptions;
  /** Without its NetworkMode: the server container's id is known only after create. */
  readonly relay: ContainerCreateOptions;
}

/** `container:<id>`: the relay joins the server's network namespace (loopback only). */
export function relayNetworkMode(serverContainerId: string): string {
  return `container:${serverContainerId}`;
}

/** Docker names allow [a-zA-Z0-9_.-]; server names already do, this keeps it so. */
function containerName(server: string, role: string, launchId: string): string {
  return `airlock-${server.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${role}-${launchId}`;
}

function covers(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Binds for allowWrite (rw) and allowRead (ro). Refused: a path equal to, inside or above a hidden one
 * (Docker socket, data dir), and a home or anything above one.
 */
export function sandboxBinds(
  server: string,
  allowWrite: readonly string[],
  allowRead: readonly string[],
  hidden: readonly string[],
): string[] {
  const binds: string[] = [];
  const add = (path: string, mode: 'rw' | 'ro') => {
    if (!isAbsolute(path)) {
      throw new DockerSandboxError(
        'DOCKER_BIND_NOT_ABSOLUTE',
        server,
        `sandbox path '${path}' of server '${server}' is not absolute`,
      );
    }
    const clean = normalize(path).replace(/(.)\/+$/, '$1');
    const exposed = [
      ...hidden.filter((secret) => covers(clean, secret) || covers(secret, clean)),
      ...HOMES.filter((home) => covers(clean, home)),
    ];
    const [secret] = exposed;
    if (secret !== undefined) {
      throw new DockerSandboxError(
        'DOCKER_BIND_REFUSED',
        server,
        `sandbox path '${clean}' of server '${server}' would expose '${secret}', which a sandbox never sees`,
      );
    }
    binds.push(`${clean}:${clean}:${mode}`);
  };
  for (const path of allowWrite) add(path, 'rw');
  for (const path of allowRead) add(path, 'ro');
  return binds;
}

const hardening = {
  CapDrop: ['ALL'],
  SecurityOpt: ['no-new-privileges'],
  ReadonlyRootfs: true,
  Privileged: false,
} as const;

/**
 * The server container: no network at all, capped memory and pids, no capabilities, read-only root,
 * a private tmpfs /tmp, its binds, and the sandbox env (proxy variables + its resolved env only).
 * stdio stays open for attach: the MCP stream is the container's stdin/stdout.
 */
export function containerSpec(
  spec: StdioServerSpec,
  env: Readonly<Record<string, string>>,
  paths: ContainerPaths,
  images: ContainerImages,
  limits: ContainerLimits = DEFAULT_LIMITS,
): ContainerSpecs {
  const sandbox = spec.sandbox;
  const hidden = [...ALWAYS_HIDDEN, ...paths.hidden];
  const binds = sandboxBinds(
    spec.name,
    sandbox?.allowWrite ?? [],
    [...(paths.readOnly ?? []), ...(sandbox?.allowRead ?? [])],
    hidden,
  );
  const airlockBind =
    paths.airlockDir === undefined ? [] : [`${paths.airlockDir}:${IMAGE_AIRLOCK_DIR}:ro`];
  const inside = sandboxEnv(env, {
    bootstrap: `${IMAGE_AIRLOCK_DIR}/bootstrap/proxy-bootstrap.mjs`,
    stateDir: '/tmp',
    path: '/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin',
  });
  const labels = (role: string) => ({
    [LABEL_SERVER]: spec.name,
    [LABEL_ROLE]: role,
    [LABEL_LAUNCH]: paths.launchId,
  });
  const server: ContainerCreateOptions = {
    name: containerName(spec.name, 'server', paths.launchId),
    Image: sandbox?.image ?? images.server,
    Cmd: [spec.command, ...spec.args],
    ...(spec.cwd === undefined ? {} : { WorkingDir: spec.cwd }),
    Env: Object.entries(inside).map(([key, value]) => `${key}=${value}`),
    Labels: labels('server'),
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: false,
    Tty: false,
    HostConfig: {
      ...hardening,
      NetworkMode: 'none',
      Memory: limits.memoryBytes,
      MemorySwap: limits.memoryBytes,
      PidsLimit: limits.pids,
      Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${limits.tmpBytes}` },
      Binds: [...airlockBind, ...binds],
      // A tiny init reaps zombies and forwards SIGTERM to the server (npx → node → …).
      Init: true,
    },
  };
  const relay: ContainerCreateOptions = {
    name: containerName(spec.name, 'relay', paths.launchId),
    Image: images.relay,
    User: images.relayUser,
    // Relay-only mode: no `--` command; it just pipes 127.0.0.1:3128 to the socket.
    Cmd: ['node', `${IMAGE_AIRLOCK_DIR}/relay/relay.ts`, '--socket', SANDBOX_EGRESS_SOCKET],
    Env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
    Labels: labels('relay'),
    HostConfig: {
      ...hardening,
      Memory: 64 * 1024 * 1024,
      MemorySwap: 64 * 1024 * 1024,
      PidsLimit: 32,
      // The only socket in either container, and only here: the server cannot reach it but through 3128.
      Binds: [...airlockBind, `${paths.egressSocket}:${SANDBOX_EGRESS_SOCKET}`],
      Init: true,
    },
  };
  return { server, relay };
}
