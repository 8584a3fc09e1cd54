// End to end: `airlock egress`, `airlock egress token` and `airlock up` as a person runs them (child processes).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_ALLOWLIST_YAML } from '../cli/up.ts';
import { identityToken, loadOrCreateEgressSecret } from '../egress/identity.ts';
import { compileFlowSources } from '../flows/compile.ts';
import { type Origin, startHttpOrigin } from './support/origin.ts';
import { proxyRequest, runProcess } from './support/proxy-clients.ts';

const cli = fileURLToPath(new URL('../cli/airlock.ts', import.meta.url));

function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'airlock-cli-test-'));
}

/** Starts a long-running command and resolves with the proxy URL it prints. */
function startLongRunning(
  args: readonly string[],
  cwd: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stdout: () => string }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line; stdout: ${stdout}`)), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stdout: () => stdout });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening: ${stdout}`)));
  });
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

let origin: Origin;
beforeAll(async () => {
  origin = await startHttpOrigin();
});
afterAll(() => origin?.close());

describe('airlock egress', () => {
  it('serves until SIGTERM, then exits 0', async () => {
    const root = tempRoot();
    mkdirSync(join(root, 'config', 'flows'), { recursive: true });
    writeFileSync(
      join(root, 'config', 'app.yaml'),
      `egress:\n  anonymous: cli\n  hosts: {api.slack.com: 127.0.0.1}\n  allowAddresses: ["127.0.0.1:${origin.port}"]\n`,
    );
    writeFileSync(
      join(root, 'config', 'flows', 'allow.yaml'),
      EXAMPLE_ALLOWLIST_YAML.replace('api.slack.com/*', `api.slack.com:${origin.port}/*`),
    );
    const run = await startLongRunning(
      ['egress', '--config', 'config', '--data', 'data', '--listen', '127.0.0.1:0'],
      root,
    );
    const port = Number(new URL(run.url).port);
    const res = await proxyRequest({ port }, 'GET', `http://api.slack.com:${origin.port}/via-cli`);
    expect(res.status).toBe(200);
    expect(res.body).toBe('hello /via-cli');
    const exited = exitCode(run.child);
    run.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(root, 'data', 'telemetry.db'))).toBe(true);
  });

  it('exits 1 with file:line errors when the flows are invalid', async () => {
    const root = tempRoot();
    mkdirSync(join(root, 'config', 'flows'), { recursive: true });
    writeFileSync(
      join(root, 'config', 'flows', 'bad.yaml'),
      'A:\n  processor: Filter\n  parameters:\n    - key: urls\n      value: ["*x.com/*"]\n',
    );
    const result = await runProcess(process.execPath, [
      cli,
      'egress',
      '--config',
      join(root, 'config'),
      '--data',
      join(root, 'data'),
      '--listen',
      '127.0.0.1:0',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.yaml:5:\d+: /);
  });

  it('token SERVER prints the credentials the TCP listener accepts', async () => {
    const root = tempRoot();
    const result = await runProcess(process.execPath, [
      cli,
      'egress',
      'token',
      'github',
      '--data',
      join(root, 'data'),
      '--config',
      join(root, 'config'),
    ]);
    expect(result.code).toBe(0);
    const token = identityToken(loadOrCreateEgressSecret(join(root, 'data')), 'github');
    expect(result.stdout).toContain(`user:                github`);
    expect(result.stdout).toContain(`password:            ${token}`);
    expect(result.stdout).toContain(`proxy URL:           http://github:${token}@127.0.0.1:8080`);
  });

  it('rejects an unknown option with usage and exit 2', async () => {
    const result = await runProcess(process.execPath, [cli, 'egress', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: airlock egress');
  });
});

describe('airlock up', () => {
  it('writes a default config on first run, runs egress and gateway, and the example flow validates', async () => {
    const root = tempRoot();
    const run = await startLongRunning(
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
    expect(run.stdout()).toContain('wrote a default configuration');
    expect(run.stdout()).toMatch(
      /MCP endpoint \(Streamable HTTP\): http:\/\/127\.0\.0\.1:\d+\/mcp/,
    );
    expect(run.stdout()).toMatch(
      /claude mcp add --transport http airlock http:\/\/127\.0\.0\.1:\d+\/mcp/,
    );
    // The default server is sandboxed (auto) and says which backend it got, never silently unsandboxed.
    expect(run.stdout()).toMatch(/sandbox memory: (bwrap|docker|NOT started)/);
    expect(run.stdout()).not.toContain('UNSANDBOXED');
    const exited = exitCode(run.child);
    run.child.kill('SIGINT');
    expect(await exited).toBe(0);
    const app = readFileSync(join(root, 'config', 'app.yaml'), 'utf8');
    expect(app).toContain('default: deny');
    const mcp = JSON.parse(readFileSync(join(root, 'config', 'mcp.json'), 'utf8'));
    expect(mcp.mcpServers.memory.sandbox.type).toBe('auto');
    const example = readFileSync(join(root, 'config', 'flows', 'example-allowlist.yaml'), 'utf8');
    const compiled = compileFlowSources([{ file: 'example-allowlist.yaml', text: example }]);
    expect(compiled.ok).toBe(true);
  });
});
