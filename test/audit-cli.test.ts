// `airlock audit verify|export` run as real processes over an audit log filled beforehand.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDbPath, openAuditStore } from '../gateway/audit/audit-store.ts';
import { anEntry } from './fixtures/audit-entries.ts';

const cli = resolve(import.meta.dirname, '../cli/airlock.ts');
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function airlock(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const now = Date.now();
const hoursAgo = (h: number) => now - h * 3_600_000;
let dataDir: string;
let tampered: string;
let empty: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'airlock-audit-cli-'));
  tampered = mkdtempSync(join(tmpdir(), 'airlock-audit-cli-tampered-'));
  empty = mkdtempSync(join(tmpdir(), 'airlock-audit-cli-empty-'));
  for (const dir of [dataDir, tampered]) {
    const store = openAuditStore({ dataDir: dir });
    store.append(anEntry({ time: hoursAgo(48), callId: 'old' }));
    store.append(anEntry({ time: hoursAgo(3), consumer: '=cmd|calc', callId: 'formula' }));
    store.append(
      anEntry({
        time: hoursAgo(2),
        outcome: 'denied',
        detail: 'Tool github__delete_repository is not available',
        callId: 'denied',
      }),
    );
    store.append(anEntry({ time: hoursAgo(1), clientName: null, callId: 'recent' }));
    store.close();
  }
  const db = new Database(auditDbPath(tampered));
  db.exec('DROP TRIGGER audit_log_no_update');
  db.prepare("UPDATE audit_log SET outcome = 'ok' WHERE id = 3").run();
  db.close();
});
afterAll(() => {
  for (const dir of [dataDir, tampered, empty]) rmSync(dir, { recursive: true, force: true });
});

describe('airlock audit verify', () => {
  it('exits 0 and gives the row count and head hash of an intact log', async () => {
    const out = await airlock(['audit', 'verify', '--data', dataDir]);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toMatch(/^4 rows, chain intact; head row 4, hash [0-9a-f]{64}\n$/);
  });

  it('finds the log through AIRLOCK_DATA', async () => {
    const out = await airlock(['audit', 'verify'], { AIRLOCK_DATA: dataDir });
    expect(out.code).toBe(0);
  });

  it('exits 1 naming the first bad row of a log changed behind the gateway', async () => {
    const out = await airlock(['audit', 'verify', '--data', tampered]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe(
      'audit log NOT intact (first bad row: 3): hash mismatch at row 3; 2 rows checked before it\n',
    );
  });

  it('exits 2 when there is no audit log', async () => {
    const out = await airlock(['audit', 'verify', '--data', empty]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`no audit log: ${join(empty, 'audit.db')} does not exist`);
  });

  it.each([
    [[], 'verify or export?'],
    [['check'], "unknown action 'check'"],
    [['verify', '--format', 'csv'], '--format is for export, not verify'],
    [['verify', 'extra'], "unexpected argument 'extra'"],
    [['export', '--since', 'yesterday'], "--since 'yesterday': use 30m, 24h, 7d or an ISO date"],
    [['export', '--format', 'xml'], "--format 'xml': use jsonl or csv"],
    [['export', '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 with a usage line for %j', async (args, message) => {
    const out = await airlock(['audit', ...args, '--data', dataDir]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(message);
    expect(out.stderr).toContain('usage: airlock audit verify');
  });
});

describe('airlock audit export', () => {
  it('writes every row as JSON lines in chain order, hashes included', async () => {
    const out = await airlock(['audit', 'export', '--data', dataDir]);
    expect(out.code).toBe(0);
    const rows = out.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => [row.id, row.callId])).toEqual([
      [1, 'old'],
      [2, 'formula'],
      [3, 'denied'],
      [4, 'recent'],
    ]);
    expect(rows[2]).toMatchObject({
      outcome: 'denied',
      detail: 'Tool github__delete_repository is not available',
      clientName: 'claude-code',
    });
    expect(rows[3]!.clientName).toBeNull();
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
  });

  it('limits the rows to --since and --until', async () => {
    const until = new Date(hoursAgo(1.5)).toISOString();
    const out = await airlock([
      'audit',
      'export',
      '--since',
      '24h',
      '--until',
      until,
      '--data',
      dataDir,
    ]);
    expect(out.code).toBe(0);
    expect(
      out.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).callId),
    ).toEqual(['formula', 'denied']);
  });

  it('writes RFC 4180 CSV with formulas neutralised', async () => {
    const out = await airlock([
      'audit',
      'export',
      '--format',
      'csv',
      '--since',
      '4h',
      '--data',
      dataDir,
    ]);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\r\n');
    expect(lines[0]).toBe(
      'id,time,consumer,client_name,session_id,server,kind,target,exposed_name,outcome,detail,duration_ms,arguments,call_id,prev_hash,hash',
    );
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
    expect(lines[1]).toContain(",'=cmd|calc,claude-code,");
    expect(lines[1]).toContain(',"{""title"":""Bug"",""body"":""It breaks""}",');
    expect(lines[3]).toContain(',recent,');
  });

  it('writes nothing but the header when no row is in range', async () => {
    const out = await airlock([
      'audit',
      'export',
      '--format',
      'csv',
      '--since',
      '30m',
      '--data',
      dataDir,
    ]);
    expect(out).toMatchObject({ code: 0, stdout: expect.stringMatching(/^id,time,[^\r\n]*\r\n$/) });
  });
});
