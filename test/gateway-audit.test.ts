// The audit log through a running gateway: fail closed when a row cannot be written, redaction, tamper detection.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { auditDbPath } from '../gateway/audit/audit-store.ts';
import { auditUnavailable } from '../gateway/downstream/session-calls.ts';
import { captureLog } from './fixtures/log-capture.ts';
import {
  airlock,
  auditRows,
  callsReceived,
  teamServer,
} from './fixtures/use-cases/team-harness.ts';
import { DB_PASSWORD } from './fixtures/use-cases/team-tools.ts';
import { startTestGateway, type TestGateway } from './support/gateway-harness.ts';

/** A second connection to the gateway's audit database, as someone with the file would open it. */
function behindTheGatewaysBack(dataDir: string, sql: string): void {
  const db = new Database(auditDbPath(dataDir));
  try {
    db.pragma('busy_timeout = 2000');
    db.exec(sql);
  } finally {
    db.close();
  }
}

const BREAK_INSERTS = `CREATE TRIGGER audit_log_disk_gone BEFORE INSERT ON audit_log
  BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END;`;
const MEND_INSERTS = 'DROP TRIGGER audit_log_disk_gone;';

/** The tools/call counter's value for one outcome of a tool. */
async function toolCalls(gw: TestGateway, tool: string, outcome: string): Promise<number> {
  const metric = gw.gateway.registry.getSingleMetric('airlock_tool_calls_total');
  const values = (await metric?.get())?.values ?? [];
  return values
    .filter((v) => v.labels.tool === tool && v.labels.outcome === outcome)
    .reduce((sum, v) => sum + v.value, 0);
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'airlock-audit-gw-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('when the audit row cannot be written', () => {
  const log = captureLog();
  let gw: TestGateway;
  let calls: string;
  let agent: Client;

  beforeAll(async () => {
    calls = await mkdtemp(join(scratch, 'fail-closed-'));
    gw = await startTestGateway({
      servers: { postgres: teamServer('postgres', calls) },
      app: stringify({ disabledTools: { postgres: ['describe_table'] } }),
      options: { watch: false, logger: log.logger },
    });
    agent = await gw.connect({ name: 'analyst' });
  }, 20_000);
  afterEach(() => {
    try {
      behindTheGatewaysBack(gw.dataDir, MEND_INSERTS);
    } catch {
      // Not broken by this test.
    }
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers the agent with an error instead of the result, naming the server', async () => {
    await agent.callTool({ name: 'postgres__query', arguments: { sql: 'select 0' } });
    const rowsBefore = auditRows(gw.dataDir).length;
    const errorsBefore = await toolCalls(gw, 'query', 'error');
    behindTheGatewaysBack(gw.dataDir, BREAK_INSERTS);

    await expect(
      agent.callTool({ name: 'postgres__query', arguments: { sql: 'select 1' } }),
    ).rejects.toThrow(auditUnavailable('postgres'));

    // The row is written after the upstream answers: the call was made, and the error says so.
    expect(await callsReceived(calls, 'postgres')).toContainEqual({
      tool: 'query',
      arguments: { sql: 'select 1' },
    });
    expect(auditRows(gw.dataDir)).toHaveLength(rowsBefore);
    expect(await toolCalls(gw, 'query', 'error')).toBe(errorsBefore + 1);
    const failure = log.lines.find((line) => line.event === 'audit-append-failed');
    expect(failure).toMatchObject({
      code: 'AUDIT_WRITE_FAILED',
      server: 'postgres',
      kind: 'tools/call',
    });
    expect(log.text()).not.toContain('select 1');
  });

  it('withholds an upstream error as it withholds a result', async () => {
    behindTheGatewaysBack(gw.dataDir, BREAK_INSERTS);
    const failure = agent.callTool({ name: 'postgres__query', arguments: { sql: 'unreachable' } });
    await expect(failure).rejects.toThrow(auditUnavailable('postgres'));
    await expect(failure).rejects.not.toThrow(DB_PASSWORD);
  });

  it('still refuses a call that is not allowed, with the usual refusal', async () => {
    behindTheGatewaysBack(gw.dataDir, BREAK_INSERTS);
    await expect(
      agent.callTool({ name: 'postgres__describe_table', arguments: { table: 't' } }),
    ).rejects.toThrow('Tool postgres__describe_table is not available');
    expect((await callsReceived(calls, 'postgres')).map((call) => call.tool)).not.toContain(
      'describe_table',
    );
  });

  it('answers again once rows can be written, and the chain has no gap', async () => {
    behindTheGatewaysBack(gw.dataDir, `${BREAK_INSERTS}\n${MEND_INSERTS}`);
    const result = await agent.callTool({ name: 'postgres__list_schemas', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(auditRows(gw.dataDir).at(-1)).toMatchObject({
      exposedName: 'postgres__list_schemas',
      outcome: 'ok',
    });
    const verify = await airlock(['audit', 'verify', '--data', gw.dataDir]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('chain intact');
  });
});

describe('what the audit row keeps of a call', () => {
  let gw: TestGateway;
  let agent: Client;

  beforeAll(async () => {
    const calls = await mkdtemp(join(scratch, 'redact-'));
    gw = await startTestGateway({
      servers: { postgres: teamServer('postgres', calls) },
      options: { watch: false },
    });
    agent = await gw.connect({ name: 'analyst' });
  }, 20_000);
  afterAll(async () => {
    await gw?.close();
  });

  it('keeps a password quoted in an upstream error out of the row, and the rest of the message in', async () => {
    await expect(
      agent.callTool({ name: 'postgres__query', arguments: { sql: 'select unreachable' } }),
    ).rejects.toThrow('could not connect');
    const row = auditRows(gw.dataDir).find((r) => r.outcome === 'error');
    expect(row?.detail).toContain('could not connect to postgres://app:[redacted]@db.internal');
    expect(JSON.stringify(row)).not.toContain(DB_PASSWORD);
  });

  it('redacts a secret-named argument and a token-shaped value', async () => {
    await agent.callTool({
      name: 'postgres__query',
      arguments: {
        sql: 'select 2',
        api_key: 'plain-looking',
        note: 'sk-ant-api03-Zk8Qw2Lm9Rt4Vb7Xc1',
      },
    });
    const row = auditRows(gw.dataDir).at(-1);
    expect(JSON.parse(row?.arguments ?? 'null')).toEqual({
      sql: 'select 2',
      api_key: '[redacted]',
      note: '[redacted]',
    });
  });
});

describe('a row changed behind the gateway’s back', () => {
  let gw: TestGateway;
  let agent: Client;

  beforeAll(async () => {
    const calls = await mkdtemp(join(scratch, 'tamper-'));
    gw = await startTestGateway({
      servers: { postgres: teamServer('postgres', calls) },
      options: { watch: false },
    });
    agent = await gw.connect({ name: 'analyst' });
  }, 20_000);
  afterAll(async () => {
    await gw?.close();
  });

  it('is refused by the append-only trigger', async () => {
    await agent.callTool({ name: 'postgres__query', arguments: { sql: 'select 1' } });
    expect(() =>
      behindTheGatewaysBack(gw.dataDir, `UPDATE audit_log SET arguments = '{}' WHERE id = 1`),
    ).toThrow('append-only');
  });

  it('is named by `airlock audit verify` (exit 1) even with the trigger put back', async () => {
    for (const sql of ['select 2', 'select 3', 'select 4']) {
      await agent.callTool({ name: 'postgres__query', arguments: { sql } });
    }
    const target = auditRows(gw.dataDir).find((row) => row.arguments?.includes('select 3'));
    expect(target).toBeDefined();
    const before = await airlock(['audit', 'verify', '--data', gw.dataDir]);
    expect(before.code).toBe(0);

    behindTheGatewaysBack(
      gw.dataDir,
      `DROP TRIGGER audit_log_no_update;
       UPDATE audit_log SET arguments = '{"sql":"select 30"}' WHERE id = ${target?.id};
       CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END;`,
    );
    // The gateway keeps appending after the change; the chain still breaks at the changed row.
    await agent.callTool({ name: 'postgres__query', arguments: { sql: 'select 5' } });

    const after = await airlock(['audit', 'verify', '--data', gw.dataDir]);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain(`audit log NOT intact (first bad row: ${target?.id})`);
  });
});
