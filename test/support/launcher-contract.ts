// One vitest suite every launcher backend must pass: tools work over its stdio, env is exactly what it promises, stop and crash behave.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StdioServerSpec } from '../../gateway/config/types.ts';
import type { LaunchedProcess, Launcher } from '../../gateway/upstream/launcher.ts';
import { FIXTURE_STDIO } from './gateway-harness.ts';

export interface LauncherUnderTest {
  readonly launcher: Launcher;
  /** The variables the backend adds to the server's resolved env (proxy variables, HOME, …). */
  readonly addedEnvKeys: readonly string[];
  /** Extra spec fields the backend needs (e.g. `sandbox`). */
  readonly specExtra?: Partial<StdioServerSpec>;
  close(): Promise<void>;
}

/** Pids whose command line contains `marker` (the fixture's label), so leftovers can be found. */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (cmdline.includes(marker) && state !== 'Z') found.push(Number(entry));
    } catch {
      // Gone between readdir and read.
    }
  }
  return found;
}

function textOf(result: unknown): string {
  return (result as { content?: { text?: string }[] }).content?.[0]?.text ?? '';
}

async function connected(launched: LaunchedProcess): Promise<Client> {
  const client = new Client({ name: 'launcher-contract', version: '1.0.0' });
  await client.connect(launched.transport);
  return client;
}

export function runLauncherContract(name: string, make: () => Promise<LauncherUnderTest>): void {
  describe(`Launcher contract: ${name}`, () => {
    let subject: LauncherUnderTest;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(async () => {
      await subject?.close();
    });

    function spec(label: string): StdioServerSpec {
      return {
        name: `contract-${label.slice(0, 8)}`,
        transport: 'stdio',
        command: process.execPath,
        args: [FIXTURE_STDIO, label],
        env: {},
        disabled: false,
        ...subject.specExtra,
      };
    }

    it('serves tools over the launched stdio', async () => {
      const label = randomUUID();
      const launched = await subject.launcher.launch(spec(label), {});
      const client = await connected(launched);
      const result = await client.callTool({
        name: 'echo',
        arguments: { text: 'through the launcher' },
      });
      expect(textOf(result)).toBe('through the launcher');
      await client.close();
      await launched.stop();
    });

    it('gives the server exactly its resolved env plus what the backend promises', async () => {
      const launched = await subject.launcher.launch(spec(randomUUID()), {
        FIXTURE_TOKEN: 'value-not-logged',
      });
      const client = await connected(launched);
      const keys = JSON.parse(textOf(await client.callTool({ name: 'env_keys', arguments: {} })));
      expect(keys).toEqual([...new Set(['FIXTURE_TOKEN', ...subject.addedEnvKeys])].sort());
      await client.close();
      await launched.stop();
    });

    it('leaves no process behind after stop', async () => {
      const label = randomUUID();
      const launched = await subject.launcher.launch(spec(label), {});
      const client = await connected(launched);
      await client.callTool({ name: 'echo', arguments: { text: 'alive' } });
      expect(processesWith(label).length).toBeGreaterThan(0);
      await launched.stop();
      await launched.exited;
      expect(processesWith(label)).toEqual([]);
      await client.close();
    });

    it('reports a crash as an exit with the server exit code', async () => {
      const label = randomUUID();
      const launched = await subject.launcher.launch(spec(label), {});
      const client = await connected(launched);
      await client.callTool({ name: 'crash', arguments: {} }).catch(() => undefined);
      const exit = await launched.exited;
      expect(exit).toEqual({ code: 1, signal: null });
      await launched.stop();
      expect(processesWith(label)).toEqual([]);
      await client.close().catch(() => undefined);
    });
  });
}
