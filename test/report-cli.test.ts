// `airlock report blocked` run as a real process over a telemetry store filled beforehand.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredRecord } from '../egress/telemetry-store.ts';
import { openTelemetryStore } from '../egress/telemetry-store.ts';
import { aDeny, aRecord } from './fixtures/egress-records.ts';

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

let dataDir: string;
const now = Date.now();
const minutesAgo = (m: number) => now - m * 60_000;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'airlock-report-'));
  const store = openTelemetryStore({ dataDir });
  store.append(aDeny({ time: minutesAgo(5), path: '/steal_data' }));
  store.append(
    aDeny({ time: minutesAgo(10), server: 'github', path: '=HYPERLINK("http://x.test")' }),
  );
  store.append(aRecord({ time: minutesAgo(15), decision: 'report', reason: 'would deny: -1+1' }));
  store.append(aRecord({ time: minutesAgo(20) }));
  store.append(aDeny({ time: minutesAgo(60 * 30), path: '/old' }));
  store.close();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('airlock report blocked', () => {
  it('prints CSV rows for the last 24 hours, formulas neutralised', async () => {
    const out = await airlock(['report', 'blocked', '--data', dataDir, '--format', 'csv']);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\r\n');
    expect(lines[0]).toBe('time,server,decision,method,host,port,path,flow/processor,reason');
    expect(lines.slice(1, -1).map((line) => line.split(',').slice(1, 3))).toEqual([
      ['slack-bot', 'deny'],
      ['github', 'deny'],
      ['slack-bot', 'would deny'],
    ]);
    expect(lines[2]).toContain(`,"'=HYPERLINK(""http://x.test"")",`);
    expect(lines[3]!.endsWith(',would deny: -1+1')).toBe(true);
    expect(lines.at(-1)).toBe('');
  });

  it('prints the stored records as a JSON array', async () => {
    const out = await airlock(['report', 'blocked', '--data', dataDir, '--format', 'json']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const records = JSON.parse(out.stdout) as StoredRecord[];
    expect(records.map((r) => [r.server, r.decision, r.path, r.time])).toEqual([
      ['slack-bot', 'deny', '/steal_data', minutesAgo(5)],
      ['github', 'deny', '=HYPERLINK("http://x.test")', minutesAgo(10)],
      ['slack-bot', 'report', '/api/chat.postMessage', minutesAgo(15)],
    ]);
  });

  it('prints an aligned table by default', async () => {
    const out = await airlock(['report', 'blocked', '--data', dataDir]);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^time {2,}server {2,}decision {2,}method {2,}host {2,}port {2,}path {2,}flow\/processor {2,}reason$/,
    );
    const hostColumn = lines[0]!.indexOf('host');
    for (const line of lines.slice(1))
      expect(line.slice(hostColumn)).toMatch(/^api\.(badactor|slack)\.com /);
    expect(lines[1]).toContain('slack/GenerateResponseForbidden  no filter matched');
  });

  it('narrows to one server and a shorter window', async () => {
    const out = await airlock(
      ['report', 'blocked', '--server', 'slack-bot', '--since', '12m', '--format', 'json'],
      { AIRLOCK_DATA: dataDir },
    );
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as StoredRecord[]).map((r) => r.path)).toEqual(['/steal_data']);
  });

  it('reaches back as far as --since says', async () => {
    const out = await airlock([
      'report',
      'blocked',
      '--data',
      dataDir,
      '--since',
      '2d',
      '--format',
      'json',
    ]);
    expect((JSON.parse(out.stdout) as StoredRecord[]).map((r) => r.path).at(-1)).toBe('/old');
  });

  it('says so when nothing was blocked', async () => {
    const out = await airlock(['report', 'blocked', '--data', dataDir, '--server', 'quiet']);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toMatch(/^no blocked calls for server quiet since \d{4}-/);
  });

  it('explains a missing database instead of creating one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'airlock-report-empty-'));
    try {
      const out = await airlock(['report', 'blocked', '--data', empty]);
      expect(out.code).toBe(1);
      expect(out.stderr).toContain(
        `no telemetry yet: ${join(empty, 'telemetry.db')} does not exist`,
      );
      expect(out.stdout).toBe('');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it.each([
    [['report'], 'which report?'],
    [['report', 'allowed'], "unknown report 'allowed'"],
    [['report', 'blocked', '--format', 'xml'], "--format 'xml'"],
    [['report', 'blocked', '--since', 'yesterday'], "--since 'yesterday'"],
    [['report', 'blocked', '--limit', '0'], "--limit '0'"],
    [['report', 'blocked', '--bogus'], 'bogus'],
  ])('exits 2 with usage on %j', async (args, message) => {
    const out = await airlock([...args, '--data', dataDir]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(message);
    expect(out.stderr).toContain('usage: airlock report blocked');
  });
});
