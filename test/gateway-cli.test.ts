// `airlock gateway` and the gateway half of `airlock up` as a person runs them (child processes, real clients).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { egressProxyEnv } from '../cli/up.ts';
import type { Egress } from '../egress/egress-service.ts';
import { fixtureServer } from './support/gateway-harness.ts';

const cli = fileURLToPath(new URL('../cli/airlock.ts', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function configRoot(servers: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'airlock-gw-cli-'));
  mkdirSync(join(root, 'config', 'flows'), { recursive: true });
  writeFileSync(join(root, 'config', 'mcp.json'), JSON.stringify({ mcpServers: servers }));
  writeFileSync(join(root, 'config', 'app.yaml'), 'egress:\n  default: deny\n');
  return root;
}

function start(
  args: string[],
  cwd: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stdout: () => string }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no endpoint line; stdout: ${stdout}`)),
      20_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = /MCP endpoint \(Streamable HTTP\): (http:\/\/\S+\/mcp)/.exec(stdout);
      // The enforcement notice (gateway) or the dashboard line (up) is the last line printed at startup.
      if (match && /not enforced|the dashboard/i.test(stdout)) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stdout: () => stdout });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stdout}${stderr}`)));
  });
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'cli-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

describe('airlock gateway', () => {
  it('serves its mcp.json servers until SIGINT, then exits 0', async () => {
    const root = configRoot({ fix: fixtureServer('cli') });
    const run = await start(
      ['gateway', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0'],
      root,
    );
    expect(run.stdout()).toContain('upstream fix: ready');
    const client = await connect(run.url);
    const reply = await client.callTool({ name: 'fix__echo', arguments: { text: 'from cli' } });
    expect(reply.content).toEqual([{ type: 'text', text: 'from cli' }]);
    await client.close();
    const code = exited(run.child);
    run.child.kill('SIGINT');
    expect(await code).toBe(0);
  });

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
