// Pure Docker container specs: isolation settings, binds and what a sandbox may never see.
import { describe, expect, it } from 'vitest';
import type { StdioServerSpec } from '../config/types.ts';
import { DockerSandboxError } from './docker-errors.ts';
import {
  ALWAYS_HIDDEN,
  containerSpec,
  DEFAULT_LIMITS,
  LABEL_LAUNCH,
  LABEL_ROLE,
  LABEL_SERVER,
  relayNetworkMode,
  sandboxBinds,
} from './docker-spec.ts';

const images = {
  server: 'airlock/sandbox-node:latest',
  relay: 'airlock/sandbox-relay:latest',
  relayUser: '1000:1000',
};
const paths = { egressSocket: '/data/sockets/slack.sock', launchId: 'abc123', hidden: ['/data'] };

function spec(extra: Partial<StdioServerSpec> = {}): StdioServerSpec {
  return {
    name: 'slack',
    transport: 'stdio',
    command: 'npx',
    args: ['-y', '@example/slack-mcp'],
    env: {},
    disabled: false,
    sandbox: { type: 'docker', allowWrite: ['/srv/slack-cache'], allowRead: ['/srv/docs'] },
    ...extra,
  };
}

describe('containerSpec: the server container', () => {
  const { server } = containerSpec(spec(), { SLACK_TOKEN: 'xoxb-secret' }, paths, images);
  const host = server.HostConfig ?? {};

  it.each([
    ['has no network at all', host.NetworkMode, 'none'],
    ['drops every capability', host.CapDrop, ['ALL']],
    ['forbids gaining privileges', host.SecurityOpt, ['no-new-privileges']],
    ['has a read-only root', host.ReadonlyRootfs, true],
    ['is not privileged', host.Privileged, false],
    [
      'caps memory (no extra swap)',
      [host.Memory, host.MemorySwap],
      [DEFAULT_LIMITS.memoryBytes, DEFAULT_LIMITS.memoryBytes],
    ],
    ['caps pids', host.PidsLimit, DEFAULT_LIMITS.pids],
    ['gets a private tmpfs /tmp', Object.keys(host.Tmpfs ?? {}), ['/tmp']],
    [
      'binds allowWrite rw and allowRead ro, nothing else',
      host.Binds,
      ['/srv/slack-cache:/srv/slack-cache:rw', '/srv/docs:/srv/docs:ro'],
    ],
    ['runs the command with its args', server.Cmd, ['npx', '-y', '@example/slack-mcp']],
    ['uses the default Node image', server.Image, 'airlock/sandbox-node:latest'],
    [
      'keeps stdin open for the MCP stream, without a TTY',
      [server.OpenStdin, server.StdinOnce, server.Tty],
      [true, false, false],
    ],
    [
      'is labelled with server, role and launch',
      server.Labels,
      { [LABEL_SERVER]: 'slack', [LABEL_ROLE]: 'server', [LABEL_LAUNCH]: 'abc123' },
    ],
  ])('%s', (_behaviour, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('never binds the egress socket into the server container', () => {
    expect(JSON.stringify(server)).not.toContain('/data/sockets');
  });

  it('carries the proxy variables and the resolved env, nothing of the host', () => {
    const env = Object.fromEntries(
      (server.Env ?? []).map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    expect(env).toMatchObject({
      HTTP_PROXY: 'http://127.0.0.1:3128',
      HTTPS_PROXY: 'http://127.0.0.1:3128',
      http_proxy: 'http://127.0.0.1:3128',
      https_proxy: 'http://127.0.0.1:3128',
      NO_PROXY: '',
      NODE_USE_ENV_PROXY: '1',
      SLACK_TOKEN: 'xoxb-secret',
    });
    expect(env.NODE_OPTIONS).toMatch(/^--import \/opt\/airlock\/bootstrap\//);
    expect(Object.keys(env)).not.toContain('USER');
    expect(Object.keys(env)).not.toContain('SSH_AUTH_SOCK');
  });

  it("prefers the server's own sandbox.image", () => {
    const custom = spec({
      sandbox: { type: 'docker', image: 'ghcr.io/me/mcp:1', allowWrite: [], allowRead: [] },
    });
    expect(containerSpec(custom, {}, paths, images).server.Image).toBe('ghcr.io/me/mcp:1');
  });

  it('binds the Airlock files read-only when a dir is given (tests, development)', () => {
    const { server: bound, relay } = containerSpec(
      spec(),
      {},
      { ...paths, airlockDir: '/src/sandbox-images' },
      images,
    );
    expect(bound.HostConfig?.Binds?.[0]).toBe('/src/sandbox-images:/opt/airlock:ro');
    expect(relay.HostConfig?.Binds?.[0]).toBe('/src/sandbox-images:/opt/airlock:ro');
  });
});

describe('containerSpec: the relay container', () => {
  const { relay } = containerSpec(spec(), { SLACK_TOKEN: 'xoxb-secret' }, paths, images);
  const host = relay.HostConfig ?? {};

  it.each([
    [
      'alone has the egress socket, at the fixed path',
      host.Binds,
      ['/data/sockets/slack.sock:/run/airlock/egress.sock'],
    ],
    [
      'runs the relay in relay-only mode (no command after --)',
      relay.Cmd,
      ['node', '/opt/airlock/relay/relay.ts', '--socket', '/run/airlock/egress.sock'],
    ],
    ['runs as the owner of the 0600 socket', relay.User, '1000:1000'],
    ['drops every capability', host.CapDrop, ['ALL']],
    ['has a read-only root', host.ReadonlyRootfs, true],
    ['uses the relay image', relay.Image, 'airlock/sandbox-relay:latest'],
  ])('%s', (_behaviour, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it("never sees the server's secrets", () => {
    expect(JSON.stringify(relay)).not.toContain('xoxb-secret');
  });

  it("joins the server container's network namespace", () => {
    expect(relayNetworkMode('f00d')).toBe('container:f00d');
  });
});

describe('sandboxBinds', () => {
  it.each([
    ['/', 'DOCKER_BIND_REFUSED', "would expose '/var/run/docker.sock'"],
    ['/var/run', 'DOCKER_BIND_REFUSED', "would expose '/var/run/docker.sock'"],
    ['/var/run/docker.sock', 'DOCKER_BIND_REFUSED', "would expose '/var/run/docker.sock'"],
    ['/root', 'DOCKER_BIND_REFUSED', "would expose '/root'"],
    ['/home', 'DOCKER_BIND_REFUSED', "would expose '/home'"],
    ['/home/', 'DOCKER_BIND_REFUSED', "would expose '/home'"],
    ['/data', 'DOCKER_BIND_REFUSED', "would expose '/data'"],
    ['/data/sockets/', 'DOCKER_BIND_REFUSED', "would expose '/data'"],
    ['/srv/../root', 'DOCKER_BIND_REFUSED', "would expose '/root'"],
    ['relative/dir', 'DOCKER_BIND_NOT_ABSOLUTE', 'is not absolute'],
  ])('refuses %s (%s)', (path, code, reason) => {
    const attempt = () => sandboxBinds('slack', [path], [], [...ALWAYS_HIDDEN, '/data']);
    expect(attempt).toThrow(DockerSandboxError);
    expect(attempt).toThrow(reason);
    try {
      attempt();
    } catch (error) {
      expect((error as DockerSandboxError).code).toBe(code);
    }
  });

  it.each([
    [['/srv/cache'], [], ['/srv/cache:/srv/cache:rw']],
    [[], ['/usr/share/dict/'], ['/usr/share/dict:/usr/share/dict:ro']],
    [['/data2'], [], ['/data2:/data2:rw']],
    // A narrow grant inside a home is explicit, as with bwrap; the home itself stays refused.
    [[], ['/root/project-docs'], ['/root/project-docs:/root/project-docs:ro']],
  ])('binds write %j read %j as %j', (write, read, expected) => {
    expect(sandboxBinds('slack', write, read, [...ALWAYS_HIDDEN, '/data'])).toEqual(expected);
  });
});
