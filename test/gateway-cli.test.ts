// `airlock gateway` and the gateway half of `airlock up` as a person runs them (child processes, real clients).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { egressProxyEnv } from '../cli/up.ts';
import type { Egress } from '../egress/egress-service.ts';
import { appYaml } from './support/egress-harness.ts';
import { fixtureServer } from './support/gateway-harness.ts';
import { startHttpOrigin } from './support/origin.ts';

const cli = fileURLToPath(new URL('../cli/airlock.ts', import.meta.url));
const MALICIOUS = fileURLToPath(new URL('./fixtures/malicious/server.ts', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function configRoot(
  servers: Record<string, unknown>,
  appText = 'egress:\n  default: deny\n',
): string {
  const root = mkdtempSync(join(tmpdir(), 'airlock-gw-cli-'));
  mkdirSync(join(root, 'config', 'flows'), { recursive: true });
  writeFileSync(join(root, 'config', 'mcp.json'), JSON.stringify({ mcpServers: servers }));
  writeFileSync(join(root, 'config', 'app.yaml'), appText);
  return root;
}

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** Spawns `airlock ARGS` in `cwd` and resolves once its stdout matches `ready` (the last startup line). */
function spawnCli(args: string[], cwd: string, ready: RegExp): Promise<Running> {
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${ready} line; stdout: ${stdout}; stderr: ${stderr}`)),
      20_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (ready.test(stdout)) {
        clearTimeout(timer);
        resolve({ child, stdout: () => stdout, stderr: () => stderr });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stdout}${stderr}`)));
  });
}

/** Starts a command that serves MCP; resolves with its endpoint once its last startup line is out. */
async function start(
  args: string[],
  cwd: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stdout: () => string }> {
  // The egress line (gateway) or the dashboard line (up) is the last line printed at startup.
  const run = await spawnCli(
    args,
    cwd,
    /^airlock (gateway: (egress admin socket|WARNING: no egress at)|up: dashboard: http).*\n/m,
  );
  const match = /MCP endpoint \(Streamable HTTP\): (http:\/\/\S+\/mcp)/.exec(run.stdout());
  if (!match) throw new Error(`no endpoint line: ${run.stdout()}`);
  return { child: run.child, url: match[1]!, stdout: run.stdout };
}

/** `airlock egress` on an ephemeral port, serving its admin socket in `<root>/data`. */
function startEgressCli(root: string): Promise<Running> {
  return spawnCli(
    ['egress', '--data', join(root, 'data'), '--listen', '127.0.0.1:0'],
    root,
    /^airlock egress: .*admin socket .*\n/m,
  );
}

const gatewayArgs = (root: string) => [
  'gateway',
  '--data',
  join(root, 'data'),
  '--listen',
  '127.0.0.1:0',
  '--metrics-listen',
  '127.0.0.1:0',
];

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'cli-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

/** Retries `attempt` until it resolves or `timeoutMs` passes (then its last error). */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

interface StoredRecord {
  server: string;
  host: string;
  path: string | null;
  decision: string;
}

/** The egress's telemetry rows in `<data>/telemetry.db`, once at least `count` are written. */
function storedRecords(dataDir: string, count: number): Promise<StoredRecord[]> {
  return eventually(async () => {
    const db = new Database(join(dataDir, 'telemetry.db'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT server, host, path, decision FROM records ORDER BY id')
        .all() as StoredRecord[];
      if (rows.length < count) throw new Error(`${rows.length} of ${count} records stored`);
      return rows;
    } finally {
      db.close();
    }
  }, 8_000);
}

/** A short-form flow: only `allowed` passes; everything else gets 403 "Forbidden Access". */
function allowOnly(allowed: string): string {
  return [
    'AllowFilter:',
    '  processor: Filter',
    '  parameters:',
    '    - key: urls',
    `      value: ["${allowed}"]`,
    'GenerateResponseForbidden:',
    '  processor: GenerateResponse',
    '  parameters:',
    '    - key: status',
    '      value: 403',
    '    - key: body',
    '      value: "Forbidden Access"',
    '',
  ].join('\n');
}

describe('airlock gateway run apart from airlock egress (the compose topology on one machine)', () => {
  it('runs a sandboxed server whose outbound requests the egress attributes to it in the shared store', async () => {
    const origin = await startHttpOrigin();
    try {
      const root = configRoot(
        { fix: { command: process.execPath, args: [MALICIOUS], sandbox: { type: 'bwrap' } } },
        appYaml({
          default: 'deny',
          // Both names resolve here: this egress runs with real DNS, which no test may reach.
          hosts: { 'origin.test': '127.0.0.1', 'denied.test': '127.0.0.1' },
          allowAddresses: [`127.0.0.1/32:${origin.port}`],
        }),
      );
      writeFileSync(
        join(root, 'config', 'flows', 'allow-origin.yaml'),
        allowOnly(`origin.test:${origin.port}/*`),
      );
      const egress = await startEgressCli(root);
      const gateway = await start(gatewayArgs(root), root);
      expect(gateway.stdout()).toContain('upstream fix: ready');
      expect(gateway.stdout()).toMatch(/sandbox fix: bwrap /);
      expect(gateway.stdout()).toMatch(/egress admin socket \S+egress\.sock answers/);
      const client = await connect(gateway.url);
      const call = async (tool: string, args: Record<string, unknown>) =>
        JSON.parse(
          (
            (await client.callTool({ name: `fix__${tool}`, arguments: args })).content as {
              text: string;
            }[]
          )[0]!.text,
        ) as Record<string, unknown>;
      expect(await call('environment', {})).toMatchObject({ proxy: 'http://127.0.0.1:3128' });
      const allowed = await call('relay_request', {
        url: `http://origin.test:${origin.port}/apart`,
      });
      expect(allowed).toMatchObject({ status: 200 });
      expect(origin.seen.map((seen) => seen.url)).toEqual(['/apart']);
      const denied = await call('relay_request', { url: `http://denied.test:${origin.port}/nope` });
      expect(denied).toMatchObject({ status: 403 });
      expect(origin.seen.map((seen) => seen.url)).toEqual(['/apart']);
      await client.close();

      // The egress's own store, written by the other process: each request under the sandboxed server's name.
      const rows = await storedRecords(join(root, 'data'), 2);
      expect(rows).toEqual([
        { server: 'fix', host: 'origin.test', path: '/apart', decision: 'allow' },
        { server: 'fix', host: 'denied.test', path: '/nope', decision: 'deny' },
      ]);
      for (const run of [gateway, egress]) {
        const code = exited(run.child);
        run.child.kill('SIGINT');
        expect(await code).toBe(0);
      }
    } finally {
      await origin.close();
    }
  });

  it('without an egress, refuses sandboxed servers saying what to run, serves sandbox none ones, and recovers once the egress starts', async () => {
    const root = configRoot({
      boxed: { ...fixtureServer('boxed'), sandbox: { type: 'bwrap' } },
      open: { ...fixtureServer('open'), sandbox: { type: 'none' } },
    });
    const gateway = await start(gatewayArgs(root), root);
    const stdout = gateway.stdout();
    const dataDir = join(root, 'data');
    expect(stdout).toContain('upstream open: ready');
    expect(stdout).toContain(
      `server 'boxed' was not started: start \`airlock egress --data ${dataDir}\` first: no admin socket at ${join(dataDir, 'egress.sock')}`,
    );
    expect(stdout).toMatch(/upstream boxed: (crashed|backing-off)/);
    expect(stdout).toContain(`WARNING: no egress at ${join(dataDir, 'egress.sock')}`);
    expect(stdout).toMatch(/WARNING: open runs UNSANDBOXED/);
    const client = await connect(gateway.url);
    const open = await client.callTool({ name: 'open__echo', arguments: { text: 'plain' } });
    expect(open.content).toEqual([{ type: 'text', text: 'plain' }]);
    // Advisory only: pointed at the egress's TCP listener, nothing enforces it.
    const keys = await client.callTool({ name: 'open__env_keys', arguments: {} });
    expect(JSON.parse((keys.content as { text: string }[])[0]!.text)).toEqual(
      expect.arrayContaining(['HTTPS_PROXY', 'HTTP_PROXY', 'NODE_USE_ENV_PROXY']),
    );
    // Never started, so never listed: its tools do not exist for agents until it runs sandboxed.
    await expect(
      client.callTool({ name: 'boxed__echo', arguments: { text: 'x' } }),
    ).rejects.toThrow(/boxed__echo is not available/);

    // The supervisor retries with backoff; the egress appearing later is enough.
    const egress = await startEgressCli(root);
    const boxed = await eventually(async () => {
      const reply = await client.callTool({ name: 'boxed__echo', arguments: { text: 'boxed' } });
      if (reply.isError) throw new Error(JSON.stringify(reply.content));
      return reply;
    }, 15_000);
    expect(boxed.content).toEqual([{ type: 'text', text: 'boxed' }]);
    await client.close();
    for (const run of [gateway, egress]) {
      const code = exited(run.child);
      run.child.kill('SIGTERM');
      expect(await code).toBe(0);
    }
  }, 30_000);

  it('exits 1 naming file, line and field when mcp.json is invalid', async () => {
    const root = configRoot({});
    writeFileSync(
      join(root, 'config', 'mcp.json'),
      '{\n  "mcpServers": {\n    "bad": {"command": 42}\n  }\n}\n',
    );
    const child = spawn(process.execPath, [cli, 'gateway', '--listen', '127.0.0.1:0'], {
      cwd: root,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/mcp\.json:3:\d+: mcpServers\.bad/);
  });
});

describe('airlock up', () => {
  it('starts stdio servers sandboxed, with proxy variables pointing at the relay', async () => {
    const root = configRoot({ fix: fixtureServer('up') });
    const run = await start(
      [
        'up',
        '--listen',
        '127.0.0.1:0',
        '--mcp-listen',
        '127.0.0.1:0',
        '--metrics-listen',
        '127.0.0.1:0',
        '--dashboard-listen',
        '127.0.0.1:0',
      ],
      root,
    );
    const client = await connect(run.url);
    const reply = await client.callTool({ name: 'fix__env_keys', arguments: {} });
    const keys = JSON.parse((reply.content as Array<{ text: string }>)[0]!.text) as string[];
    expect(keys).toEqual(
      expect.arrayContaining(['HTTP_PROXY', 'HTTPS_PROXY', 'NODE_USE_ENV_PROXY', 'NO_PROXY']),
    );
    expect(run.stdout()).toMatch(/sandbox fix: (bwrap|docker) /);
    await client.close();
    const code = exited(run.child);
    run.child.kill('SIGTERM');
    expect(await code).toBe(0);
  });
});

describe('egressProxyEnv', () => {
  it("carries the server's own egress credentials as userinfo", () => {
    const egress = {
      address: { host: '127.0.0.1', port: 8080 },
      tokenFor: (server: string) => `tok/${server}`,
    } as unknown as Egress;
    const env = egressProxyEnv(egress, 'git hub');
    expect(env.HTTPS_PROXY).toBe('http://git%20hub:tok%2Fgit%20hub@127.0.0.1:8080');
    expect(env).toMatchObject({
      NODE_USE_ENV_PROXY: '1',
      NO_PROXY: '',
      http_proxy: env.HTTP_PROXY,
    });
  });
});
