// The plain-process launcher: process groups, exact environment, stop without orphans.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { StdioServerSpec } from '../gateway/config/types.ts';
import type { LaunchedProcess } from '../gateway/upstream/launcher.ts';
import { createProcessLauncher } from '../gateway/upstream/process-launcher.ts';
import { UpstreamError } from '../gateway/upstream/upstream-errors.ts';
import {
  fixturesDir,
  pidAlive,
  silentLogger,
  stdioSpec,
  textOf,
} from './support/upstream-harness.ts';

const launcher = createProcessLauncher({ logger: silentLogger, graceMs: 1_000 });
const launched: LaunchedProcess[] = [];

afterEach(async () => {
  await Promise.all(launched.splice(0).map((p) => p.stop()));
});

async function connect(spec: StdioServerSpec, env: Record<string, string> = {}) {
  const process = await launcher.launch(spec, env);
  launched.push(process);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(process.transport);
  return { process, client };
}

describe('process launcher', () => {
  it('leaves no process behind when a wrapper script started a grandchild', async () => {
    const spec: StdioServerSpec = {
      ...stdioSpec('wrapped'),
      command: `${fixturesDir}wrapper.sh`,
      args: [],
    };
    const { process: wrapper, client } = await connect(spec, { FIXTURE_NODE: process.execPath });
    const grandchild = Number(textOf(await client.callTool({ name: 'pid' })));
    expect(wrapper.pid).toBeTypeOf('number');
    expect(grandchild).not.toBe(wrapper.pid);
    expect(pidAlive(grandchild)).toBe(true);

    await wrapper.stop();

    expect(pidAlive(wrapper.pid!)).toBe(false);
    expect(pidAlive(grandchild)).toBe(false);
  });

  it('gives the child exactly its resolved env plus the basics, not the gateway environment', async () => {
    process.env.AIRLOCK_TEST_GATEWAY_ONLY = 'must-not-leak';
    try {
      const { client } = await connect(stdioSpec('env'), { API_TOKEN: 'for-the-server' });
      const keys = JSON.parse(textOf(await client.callTool({ name: 'env_keys' }))) as string[];
      expect(keys).toContain('API_TOKEN');
      expect(keys).toContain('PATH');
      expect(keys).not.toContain('AIRLOCK_TEST_GATEWAY_ONLY');
      expect(
        keys.every((k) =>
          [
            'API_TOKEN',
            'PATH',
            'HOME',
            'USER',
            'LOGNAME',
            'SHELL',
            'TERM',
            'LANG',
            'TMPDIR',
          ].includes(k),
        ),
      ).toBe(true);
    } finally {
      delete process.env.AIRLOCK_TEST_GATEWAY_ONLY;
    }
  });

  it('reports how the process ended', async () => {
    const { process: child, client } = await connect(stdioSpec('crashy'));
    await client.callTool({ name: 'crash' }).catch(() => {});
    expect(await child.exited).toEqual({ code: 1, signal: null });
  });

  it('keeps the last stderr lines with the secret values it was given redacted', async () => {
    const spec: StdioServerSpec = {
      ...stdioSpec('noisy'),
      args: [
        '-e',
        'console.error("token is " + process.env.TOKEN); console.error("bye"); process.exit(3)',
      ],
    };
    const child = await launcher.launch(spec, { TOKEN: 'super-secret-value' });
    launched.push(child);
    expect(await child.exited).toEqual({ code: 3, signal: null });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(child.stderrTail()).toEqual(['token is [redacted]', 'bye']);
  });

  it('fails with a start error naming the server when the command does not exist', async () => {
    const spec: StdioServerSpec = {
      ...stdioSpec('missing'),
      command: '/nonexistent/airlock-test-binary',
    };
    const error = await launcher.launch(spec, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe('UPSTREAM_START_FAILED');
    expect((error as UpstreamError).message).toContain(
      "upstream server 'missing' could not be started",
    );
  });
});
