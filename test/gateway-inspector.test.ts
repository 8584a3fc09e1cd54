// The MCP Inspector CLI (`mcp-inspector --cli`) as a real third-party client of the gateway fronting server-everything.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateApiKey, hashApiKey } from '../gateway/config/api-keys.ts';
import { auditRows } from './fixtures/use-cases/team-harness.ts';
import { everythingServer, startTestGateway, type TestGateway } from './support/gateway-harness.ts';

const INSPECTOR_DIR = resolve(
  import.meta.dirname,
  '../node_modules/@modelcontextprotocol/inspector',
);

/** The file `npx mcp-inspector` runs (the package's `mcp-inspector` bin), run here without npx's npm start-up. */
async function inspectorBin(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(INSPECTOR_DIR, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  const bin = manifest.bin['mcp-inspector'];
  if (bin === undefined)
    throw new Error('@modelcontextprotocol/inspector has no mcp-inspector bin');
  return join(INSPECTOR_DIR, bin);
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const engKey = generateApiKey();

describe('MCP Inspector CLI against the gateway', () => {
  let gw: TestGateway;
  let home: string;
  let bin: string;

  /** `mcp-inspector --cli <gateway> --transport http …` with the key, in a throwaway HOME (it keeps a catalog there). */
  const inspect = (args: readonly string[], key: string | null = engKey): Promise<Run> =>
    new Promise((done) => {
      const header = key === null ? [] : ['--header', `x-lunar-api-key: ${key}`];
      execFile(
        process.execPath,
        [bin, '--cli', gw.gateway.url, '--transport', 'http', ...header, ...args],
        { env: { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' }, timeout: 15_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          done({ code, stdout, stderr });
        },
      );
    });

  beforeAll(async () => {
    // Fails loudly (no skip) when the devDependency is missing: `npm install -D @modelcontextprotocol/inspector`.
    bin = await inspectorBin();
    home = await mkdtemp(join(tmpdir(), 'airlock-inspector-home-'));
    gw = await startTestGateway({
      servers: { everything: everythingServer() },
      app: stringify({
        auth: { enabled: true, keys: { 'eng-agent': hashApiKey(engKey) } },
        disabledTools: { everything: ['get-env'] },
      }),
      options: { watch: false },
    });
  }, 20_000);
  afterAll(async () => {
    await gw?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('lists the aggregated tools under server__tool names, without the disabled one', async () => {
    const run = await inspect(['--method', 'tools/list']);
    expect(run.code, run.stderr).toBe(0);
    const names = (JSON.parse(run.stdout) as { tools: { name: string }[] }).tools.map(
      (t) => t.name,
    );
    expect(names).toEqual(expect.arrayContaining(['everything__echo', 'everything__get-sum']));
    expect(names.every((name) => name.startsWith('everything__'))).toBe(true);
    expect(names).not.toContain('everything__get-env');
  });

  it('calls a tool with typed arguments and prints its result', async () => {
    const run = await inspect([
      '--method',
      'tools/call',
      '--tool-name',
      'everything__get-sum',
      '--tool-arg',
      'a=2',
      'b=3',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      content: [{ type: 'text', text: 'The sum of 2 and 3 is 5.' }],
    });
    const row = auditRows(gw.dataDir).find((r) => r.exposedName === 'everything__get-sum');
    expect(row).toMatchObject({
      consumer: 'eng-agent',
      server: 'everything',
      target: 'get-sum',
      outcome: 'ok',
      arguments: JSON.stringify({ a: 2, b: 3 }),
    });
  });

  it('cannot find the disabled tool: the Inspector looks it up in tools/list first', async () => {
    const run = await inspect(['--method', 'tools/call', '--tool-name', 'everything__get-env']);
    expect(run.code).not.toBe(0);
    expect(JSON.parse(run.stdout || run.stderr)).toMatchObject({
      error: { code: 'tool_not_found' },
    });
    expect(auditRows(gw.dataDir).map((r) => r.exposedName)).not.toContain('everything__get-env');
  });

  it('is refused without a key (the Inspector reports that it needs auth)', async () => {
    const run = await inspect(['--method', 'tools/list', '--stored-auth-only'], null);
    expect(run.code).not.toBe(0);
    expect(JSON.parse(run.stdout || run.stderr)).toMatchObject({
      error: { code: 'auth_required' },
    });
  });

  it('is refused with 403 for a key the gateway does not know', async () => {
    const run = await inspect(['--method', 'tools/list'], 'alk_not-a-key-anyone-was-given');
    expect(run.code).not.toBe(0);
    expect(JSON.parse(run.stdout || run.stderr)).toMatchObject({
      error: { status: 403, message: expect.stringContaining('API key not recognised') },
    });
  });
});
