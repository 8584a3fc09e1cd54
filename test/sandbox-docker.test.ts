// The Docker backend: pure container specs always; with an engine, the launcher contract, the relay, and no leftovers.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StdioServerSpec } from '../gateway/config/types.ts';
import { createDockerLauncher } from '../gateway/sandbox/docker-launcher.ts';
import { LABEL_LAUNCH, LABEL_SERVER } from '../gateway/sandbox/docker-spec.ts';
import { withEgressSockets } from '../gateway/sandbox/egress-sockets.ts';
import {
  containersLabelled,
  dockerProblem,
  dockerTestLauncherOptions,
  ensureTestImage,
} from './support/docker-image.ts';
import { startTestEgress, type TestEgress, waitUntil } from './support/egress-harness.ts';
import { runLauncherContract } from './support/launcher-contract.ts';
import { type Origin, startHttpOrigin } from './support/origin.ts';

const MALICIOUS = join(import.meta.dirname, 'fixtures/malicious/server.ts');
/** What the Docker backend adds to a server's resolved env; HOSTNAME is the engine's (the container's name), not the host's. */
const ADDED_ENV = [
  'AIRLOCK_STATE_DIR',
  'HOME',
  'HOSTNAME',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'LANG',
  'NODE_OPTIONS',
  'NODE_USE_ENV_PROXY',
  'NO_PROXY',
  'PATH',
  'TMPDIR',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

const problem = dockerProblem();
if (problem !== undefined) {
  console.warn(`!!!!! SKIPPING DOCKER SANDBOX TESTS: ${problem} !!!!!`);
}
const withEngine = problem === undefined ? describe : describe.skip;

function textOf(result: unknown): string {
  return (result as { content?: { text?: string }[] }).content?.[0]?.text ?? '';
}

withEngine('Docker backend with a running engine', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'airlock-docker-'));
    ensureTestImage();
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says the engine is available', async () => {
    const launcher = createDockerLauncher({ dataDir, ...dockerTestLauncherOptions() });
    const status = await launcher.available();
    expect(status.ok).toBe(true);
    expect(status.reason).toMatch(/answers/);
  });

  it('says what to install when no engine answers', async () => {
    const launcher = createDockerLauncher({ dataDir, socketPath: join(dataDir, 'no-docker.sock') });
    const status = await launcher.available();
    expect(status.ok).toBe(false);
    expect(status.reason).toMatch(/apt-get install docker\.io/);
  });
});

if (problem === undefined) {
  runLauncherContract('docker', async () => {
    const root = await mkdtemp(join(tmpdir(), 'airlock-docker-contract-'));
    const egress = await startTestEgress();
    return {
      launcher: withEgressSockets(
        createDockerLauncher({ dataDir: egress.dataDir, ...dockerTestLauncherOptions() }),
        egress.egress,
      ),
      addedEnvKeys: ADDED_ENV,
      specExtra: { sandbox: { type: 'docker', allowWrite: [], allowRead: [] } },
      async close() {
        await egress.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  });
}

withEngine('Docker sandbox lifecycle', () => {
  let egress: TestEgress;
  beforeAll(async () => {
    egress = await startTestEgress();
  });
  afterAll(async () => {
    await egress?.close();
  });

  function fixtureSpec(name: string): StdioServerSpec {
    return {
      name,
      transport: 'stdio',
      command: 'node',
      args: [join(import.meta.dirname, 'fixtures/servers/stdio-server.ts'), name],
      env: {},
      disabled: false,
      sandbox: { type: 'docker', allowWrite: [], allowRead: [] },
    };
  }

  function launcher() {
    return withEgressSockets(
      createDockerLauncher({ dataDir: egress.dataDir, ...dockerTestLauncherOptions() }),
      egress.egress,
    );
  }

  it('removes the server and its relay when the server crashes, before anyone calls stop', async () => {
    const name = `crash-${randomUUID().slice(0, 8)}`;
    const launched = await launcher().launch(fixtureSpec(name), {});
    const client = new Client({ name: 'docker-test', version: '1.0.0' });
    await client.connect(launched.transport);
    expect(containersLabelled(LABEL_SERVER, name)).toHaveLength(2);
    await client.callTool({ name: 'crash', arguments: {} }).catch(() => undefined);
    expect(await launched.exited).toEqual({ code: 1, signal: null });
    await waitUntil(
      () => containersLabelled(LABEL_SERVER, name).length === 0,
      'containers removed',
      10_000,
    );
    await launched.stop();
  });

  it('sweeps what a dead gateway left of the same server before launching it again', async () => {
    const name = `stale-${randomUUID().slice(0, 8)}`;
    const image = ensureTestImage().tag;
    const created = spawnSync('docker', [
      'create',
      '--pull',
      'never',
      '--network',
      'none',
      '--label',
      `${LABEL_SERVER}=${name}`,
      '--label',
      `${LABEL_LAUNCH}=dead0000`,
      image,
      'node',
      '-e',
      '0',
    ]);
    expect(created.status).toBe(0);
    expect(containersLabelled(LABEL_SERVER, name)).toHaveLength(1);
    const launched = await launcher().launch(fixtureSpec(name), {});
    const left = containersLabelled(LABEL_LAUNCH, 'dead0000');
    await launched.stop();
    expect(left).toEqual([]);
    expect(containersLabelled(LABEL_SERVER, name)).toEqual([]);
  });
});

withEngine('Docker sandbox: the relay is the only way out', () => {
  let egress: TestEgress;
  let origin: Origin;
  let client: Client;
  let stop: () => Promise<void>;
  let exited: Promise<unknown>;
  const server = `mal-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    origin = await startHttpOrigin();
    egress = await startTestEgress({
      egress: {
        default: 'allow',
        hosts: { 'origin.test': '127.0.0.1' },
        allowAddresses: [`127.0.0.1/32:${origin.port}`],
      },
    });
    const launcher = withEgressSockets(
      createDockerLauncher({
        dataDir: egress.dataDir,
        logger: pino({ level: 'silent' }),
        ...dockerTestLauncherOptions(),
      }),
      egress.egress,
    );
    const spec: StdioServerSpec = {
      name: server,
      transport: 'stdio',
      command: 'node',
      args: [MALICIOUS],
      env: {},
      disabled: false,
      sandbox: { type: 'docker', allowWrite: [], allowRead: [] },
    };
    const launched = await launcher.launch(spec, {});
    stop = launched.stop;
    exited = launched.exited;
    client = new Client({ name: 'docker-test', version: '1.0.0' });
    await client.connect(launched.transport);
  }, 60_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    if (process.env.KEEP_S2 === undefined) await stop?.();
    await egress?.close();
    await origin?.close();
  });

  async function call(
    name: string,
    args: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    return JSON.parse(textOf(await client.callTool({ name, arguments: args })));
  }

  it('reaches an allowed origin through the relay, recorded under the server', async () => {
    const outcome = await call('relay_request', {
      url: `http://origin.test:${origin.port}/via-relay`,
    });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 200 });
    const [record] = await egress.waitForRecords(1);
    expect(record?.server).toBe(server);
    expect(origin.seen.map((seen) => seen.url)).toEqual(['/via-relay']);
  });

  it("cannot dial the host's loopback directly: the container's loopback is its own", async () => {
    const before = origin.connections();
    const outcome = await call('tcp_connect', { host: '127.0.0.1', port: origin.port });
    expect(outcome.reached).toBe(false);
    expect(origin.connections()).toBe(before);
  });

  it('cannot see its egress socket: only the relay container has it', async () => {
    const outcome = await call('unix_http', {
      path: '/run/airlock/egress.sock',
      request: `GET http://origin.test:${origin.port}/direct HTTP/1.1\r\nHost: origin.test\r\n\r\n`,
    });
    expect(outcome.reached).toBe(false);
    expect(origin.seen.some((seen) => seen.url === '/direct')).toBe(false);
  });

  it('cannot read the Docker socket or the host home', async () => {
    expect((await call('read_file', { path: '/var/run/docker.sock' })).reached).toBe(false);
    expect((await call('read_file', { path: '/root/.bashrc' })).reached).toBe(false);
  });

  it('removes both containers on stop, and reports the exit', async () => {
    expect(containersLabelled(LABEL_SERVER, server)).toHaveLength(2);
    await stop();
    await exited;
    expect(containersLabelled(LABEL_SERVER, server)).toEqual([]);
  });
});
