// The Docker sandbox backend: each server runs in a container with no network, beside a relay container holding its socket.
import { randomBytes } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { StdioServerSpec } from '../config/types.ts';
import type { LaunchedProcess, Launcher, ProcessExit } from '../upstream/launcher.ts';
import { PipeTransport } from '../upstream/pipe-transport.ts';
import { createStderrRing } from '../upstream/stderr-ring.ts';
import { UpstreamError } from '../upstream/upstream-errors.ts';
import { DockerSandboxError } from './docker-errors.ts';
import {
  type ContainerLimits,
  containerSpec,
  DEFAULT_LIMITS,
  DEFAULT_RELAY_IMAGE,
  DEFAULT_SERVER_IMAGE,
  LABEL_LAUNCH,
  LABEL_ROLE,
  LABEL_SERVER,
  relayNetworkMode,
} from './docker-spec.ts';

export interface DockerLauncherOptions {
  /** Airlock's data dir: never bound into a sandbox; holds `sockets/<server>.sock`. */
  readonly dataDir: string;
  /** The server's egress socket, opened by whoever wraps this launcher (`withEgressSockets`). */
  readonly socketPathFor?: (server: string) => string;
  /**
   * The data dir as the Docker host sees it, when the gateway itself runs in a container (compose):
   * binds are resolved by the engine on the host. Default: $AIRLOCK_HOST_DATA_DIR, else `dataDir`.
   */
  readonly hostDataDir?: string;
  /** Host paths bound read-only at the same path in every server container (tests bind the project). */
  readonly readOnly?: readonly string[];
  /** Engine socket (default: DOCKER_HOST's unix path, else /var/run/docker.sock). */
  readonly socketPath?: string;
  /** Image for servers without `sandbox.image` (default airlock/sandbox-node:latest). */
  readonly serverImage?: string;
  readonly relayImage?: string;
  /** uid:gid of the relay; default the gateway's own, which owns the 0600 egress socket. */
  readonly relayUser?: string;
  /** Host dir bound read-only at /opt/airlock in both containers (tests); images carry their own otherwise. */
  readonly airlockDir?: string;
  /** Host paths no bind may expose (Airlock's data dir, …), on top of the Docker socket and homes. */
  readonly hidden?: readonly string[];
  readonly limits?: ContainerLimits;
  /** Seconds between SIGTERM and SIGKILL on stop (default 2). */
  readonly graceSeconds?: number;
  readonly logger?: Logger;
  readonly stderrLines?: number;
}

export interface DockerLauncher extends Launcher {
  /** Whether an engine answers here; the reason says what to install or start when not. */
  available(): Promise<{ ok: boolean; reason: string }>;
}

function engineSocket(options: DockerLauncherOptions): string {
  if (options.socketPath !== undefined) return options.socketPath;
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Removes a container, tolerating one that is already gone (or being removed). */
async function removeQuietly(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (error) {
    const status = statusOf(error);
    if (status !== 404 && status !== 409) throw error;
  }
}

/** Connects to the relay's port from inside its own namespace until it answers (bounded): run as one exec. */
const RELAY_PROBE = `const net=require('node:net');const end=Date.now()+10000;
(function t(){const s=net.connect(3128,'127.0.0.1');s.on('connect',()=>{s.destroy();process.exit(0)});
s.on('error',()=>{s.destroy();if(Date.now()>end)process.exit(1);setTimeout(t,25)})})()`;

/**
 * The server container starts first (the relay joins its namespace), so launch returns only once the
 * relay listens: a server's first request must not find port 3128 closed.
 */
async function waitForRelay(relay: Docker.Container, server: string): Promise<void> {
  const exec = await relay.exec({
    Cmd: ['node', '-e', RELAY_PROBE],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
    stream.resume();
  });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) {
    const logs = await relay.logs({ stdout: true, stderr: true, tail: 5 }).catch(() => '');
    throw new DockerSandboxError(
      'DOCKER_START_FAILED',
      server,
      `the relay of server '${server}' did not listen on 127.0.0.1:3128 (${String(logs).trim() || `probe exit ${ExitCode}`})`,
    );
  }
}

/**
 * Removes what an earlier launch of this server left behind when its gateway died mid-way (killed,
 * crashed): every launch group whose server container is no longer running. A server running under
 * another live gateway is left alone.
 */
async function sweepStale(docker: Docker, server: string): Promise<void> {
  const listed = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_SERVER}=${server}`] },
  });
  const running = new Set(
    listed
      .filter((info) => info.Labels[LABEL_ROLE] === 'server' && info.State === 'running')
      .map((info) => info.Labels[LABEL_LAUNCH]),
  );
  for (const info of listed) {
    if (running.has(info.Labels[LABEL_LAUNCH])) continue;
    await removeQuietly(docker.getContainer(info.Id)).catch(() => {});
  }
}

export function createDockerLauncher(options: DockerLauncherOptions): DockerLauncher {
  const socketPath = engineSocket(options);
  const docker = new Docker({ socketPath });
  const graceSeconds = options.graceSeconds ?? 2;
  const dataDir = resolve(options.dataDir);
  const socketPathFor =
    options.socketPathFor ?? ((server: string) => join(dataDir, 'sockets', `${server}.sock`));
  const hostDataDir = options.hostDataDir ?? process.env.AIRLOCK_HOST_DATA_DIR;
  // The engine resolves bind sources on its host: map a path under our data dir to the host's view of it.
  const hostPath = (path: string): string => {
    if (hostDataDir === undefined || hostDataDir === '') return resolve(path);
    const inside = relative(dataDir, resolve(path));
    return inside.startsWith('..') ? resolve(path) : join(hostDataDir, inside);
  };
  const images = {
    server: options.serverImage ?? DEFAULT_SERVER_IMAGE,
    relay: options.relayImage ?? DEFAULT_RELAY_IMAGE,
    relayUser: options.relayUser ?? `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`,
  };

  async function launch(
    spec: StdioServerSpec,
    env: Readonly<Record<string, string>>,
  ): Promise<LaunchedProcess> {
    const launchId = randomBytes(6).toString('hex');
    const created: Docker.Container[] = [];
    // One removal shared by stop() and the exit watcher: a second caller waits for the first to finish.
    let removing: Promise<void> | undefined;
    const cleanup = (): Promise<void> => {
      removing ??= (async () => {
        for (const container of [...created].reverse()) {
          await removeQuietly(container).catch(() => {});
        }
      })();
      return removing;
    };
    try {
      await sweepStale(docker, spec.name);
      const specs = containerSpec(
        spec,
        env,
        {
          egressSocket: hostPath(socketPathFor(spec.name)),
          launchId,
          hidden: [dataDir, ...(options.hidden ?? [])],
          readOnly: options.readOnly ?? [],
          ...(options.airlockDir === undefined ? {} : { airlockDir: options.airlockDir }),
        },
        images,
        options.limits ?? DEFAULT_LIMITS,
      );
      const server = await docker.createContainer(specs.server);
      created.push(server);
      // Attach before start, so not a byte of the server's first output is lost.
      const stream = (await server.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      })) as NodeJS.ReadWriteStream & NodeJS.WritableStream;
      const stdout = new PassThrough();
      const stderrStream = new PassThrough();
      docker.modem.demuxStream(stream, stdout, stderrStream);
      stream.on('end', () => {
        stdout.end();
        stderrStream.end();
      });
      // The wait request is opened before start: a server that dies at once is still seen exiting.
      const waited = server.wait({ condition: 'next-exit' });
      await server.start();
      const relay = await docker.createContainer({
        ...specs.relay,
        HostConfig: { ...specs.relay.HostConfig, NetworkMode: relayNetworkMode(server.id) },
      });
      created.push(relay);
      await relay.start();
      await waitForRelay(relay, spec.name);
      const pid = ((await server.inspect()).State.Pid as number | undefined) || undefined;

      const exited: Promise<ProcessExit> = waited.then(
        (result: { StatusCode?: number }) => ({ code: result.StatusCode ?? null, signal: null }),
        () => ({ code: null, signal: null }),
      );
      // A crashed server takes its relay with it: nothing is left for the supervisor to forget.
      void exited.then(() => cleanup());
      const stderr = createStderrRing(options.stderrLines, Object.values(env));
      stderrStream.setEncoding('utf8');
      stderrStream.on('data', (chunk: string) => {
        for (const line of stderr.push(chunk)) {
          options.logger?.debug({ server: spec.name, stream: 'stderr' }, line);
        }
      });
      stream.on('error', () => {});
      const transport = new PipeTransport(stdout, stream as unknown as Writable);

      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> => {
        stopping ??= (async () => {
          try {
            await server.stop({ t: graceSeconds });
          } catch (error) {
            // 304: already stopped; 404: already gone. Anything else: removal below forces it.
            options.logger?.debug({ server: spec.name, status: statusOf(error) }, 'container stop');
          }
          await cleanup();
          stdout.destroy();
          stderrStream.destroy();
          (stream as unknown as { destroy?: () => void }).destroy?.();
        })();
        return stopping;
      };
      options.logger?.info(
        { server: spec.name, launch: launchId, label: LABEL_LAUNCH },
        'docker sandbox started',
      );
      return { transport, pid, exited, stop, stderrTail: () => stderr.lines() };
    } catch (error) {
      await cleanup();
      const message =
        error instanceof DockerSandboxError
          ? error.message
          : `upstream server '${spec.name}' could not be started in Docker: ${(error as Error).message}`;
      throw new UpstreamError('UPSTREAM_START_FAILED', spec.name, message, { cause: error });
    }
  }

  async function available(): Promise<{ ok: boolean; reason: string }> {
    try {
      await docker.ping();
      return { ok: true, reason: `Docker engine answers on ${socketPath}` };
    } catch (error) {
      return {
        ok: false,
        reason:
          `no Docker engine answers on ${socketPath} (${(error as Error).message}): ` +
          'install Docker (Debian: apt-get install docker.io) and start it, or set DOCKER_HOST',
      };
    }
  }

  return { launch, available };
}
