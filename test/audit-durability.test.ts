// An acknowledged audit row survives `kill -9` of the process that wrote it: a child appends and acks, we kill it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openAuditStore } from '../gateway/audit/audit-store.ts';

const CHILD = join(import.meta.dirname, 'fixtures/audit-append-child.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'airlock-audit-kill-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the child until it has acked at least `atLeast` appends, kills it with SIGKILL, returns the last ack. */
async function ackThenKill(atLeast: number): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, [CHILD, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let killed = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (!killed && lastAck(output) >= atLeast) {
      killed = true;
      child.kill('SIGKILL');
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('close', (_code, closedBy) => resolve(closedBy)),
  );
  expect(signal).toBe('SIGKILL');
  return lastAck(output);
}

function lastAck(output: string): number {
  const acks = [...output.matchAll(/^acked (\d+)$/gm)];
  return acks.length === 0 ? 0 : Number(acks.at(-1)![1]);
}

describe('audit durability', () => {
  it('keeps every acknowledged row, chain intact, across three kill -9s', async () => {
    let rowsBefore = 0;
    for (let round = 0; round < 3; round += 1) {
      const acked = await ackThenKill(300);
      const store = openAuditStore({ dataDir }, { readonly: true });
      try {
        // One more row than acked is possible: committed, then killed before the ack was written.
        const rows = store.count();
        expect(rows).toBeGreaterThanOrEqual(rowsBefore + acked);
        expect(rows).toBeLessThanOrEqual(rowsBefore + acked + 1);
        expect(store.verify()).toMatchObject({ ok: true, rows });
        rowsBefore = rows;
      } finally {
        store.close();
      }
    }
  });
});
