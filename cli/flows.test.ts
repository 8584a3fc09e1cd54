// `airlock flows validate|test` as a user runs it: a real child process, its exit code and its output.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = 'test/fixtures/flows';
// The command must read only what each test names, never the caller's configuration.
const { AIRLOCK_CONFIG: _ignored, ...ENV } = process.env;

function airlock(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['cli/airlock.ts', ...args],
      { cwd: ROOT, env: ENV },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const configDir = mkdtempSync(join(tmpdir(), 'airlock-flows-cli-'));
cpSync(
  join(ROOT, FIXTURES, 'valid/slack-allowlist.yaml'),
  join(configDir, 'flows/slack-allowlist.yaml'),
);
afterAll(() => rmSync(configDir, { recursive: true, force: true }));

describe('airlock flows validate', () => {
  it('exits 0 on the valid fixtures and summarises them', async () => {
    const run = await airlock(
      'flows',
      'validate',
      ...['full-form', 'processors-keyed', 'slack-allowlist'].map(
        (n) => `${FIXTURES}/valid/${n}.yaml`,
      ),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      '3 file(s) valid: 3 flow(s) (ReportsReadOnly, GithubOnly, slack-allowlist), 7 url pattern(s), 0 warning(s)\n',
    );
  });

  it('exits 1 and prints file:line:column: field: message for each error', async () => {
    const file = `${FIXTURES}/invalid/unknown-condition.yaml`;
    const run = await airlock('flows', 'validate', file);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')).toEqual([
      `${file}:14:50: flow.request[2].from.processor.condition: condition must be one of hit, miss for Allow, got string "misses"`,
      '1 error(s) in 1 file(s)',
      '',
    ]);
  });

  it('prints warnings labelled as such next to errors', async () => {
    const run = await airlock('flows', 'validate', `${FIXTURES}/invalid/bad-regex.yaml`);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'bad-regex.yaml:6:9: Allow.parameters[0].value: warning: a header rule on https requests is only decidable with TLS interception',
    );
  });

  it('finds the flow files of the config directory when given none', async () => {
    const run = await airlock('flows', 'validate', '--config', configDir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 file(s) valid: 1 flow(s) (slack-allowlist)');
  });

  it('exits 1 for a file that cannot be read, and 2 for bad usage', async () => {
    expect((await airlock('flows', 'validate', 'no/such/file.yaml')).code).toBe(1);
    expect((await airlock('flows', 'validate', '--nope')).code).toBe(2);
    expect((await airlock('flows', 'frobnicate')).code).toBe(2);
  });
});

describe('airlock flows test', () => {
  it('prints the tunnel decision and the decision with interception for an https URL', async () => {
    const run = await airlock(
      'flows',
      'test',
      '--config',
      configDir,
      '--server',
      'slack',
      'POST',
      'https://api.badactor.com/steal_data',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'as a CONNECT tunnel (no TLS interception):',
        '  decision:  deny',
        '  flow:      slack-allowlist',
        '  processor: GenerateResponseForbidden',
        '  reason:    no url pattern of AllowFilter matches api.badactor.com:443',
        '  status:    403',
        'with TLS interception (path, method and headers visible):',
        '  decision:  deny',
        '  flow:      slack-allowlist',
        '  processor: GenerateResponseForbidden',
        '  reason:    no url pattern of AllowFilter matches api.badactor.com:443/steal_data',
        '  status:    403',
        '',
      ].join('\n'),
    );
  });

  it('normalises the host and decides a plain http URL once', async () => {
    const run = await airlock(
      'flows',
      'test',
      '--config',
      configDir,
      '--server',
      'slack',
      'get',
      'http://API.Slack.com./api/x?token=1',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'decision:  allow\nflow:      slack-allowlist\nprocessor: AllowFilter\nreason:    api.slack.com/* matched in AllowFilter\n',
    );
  });

  it('honours --mode report and --default allow', async () => {
    const report = await airlock(
      'flows',
      'test',
      '--config',
      configDir,
      '--server',
      's',
      '--mode',
      'report',
      'GET',
      'http://evil.io/',
    );
    expect(report.stdout).toContain('decision:  report\n');
    expect(report.stdout).toContain(
      'reason:    would deny: no url pattern of AllowFilter matches evil.io:80/\n',
    );
    const empty = mkdtempSync(join(tmpdir(), 'airlock-flows-empty-'));
    const fallback = await airlock(
      'flows',
      'test',
      '--config',
      empty,
      '--server',
      's',
      '--default',
      'allow',
      'GET',
      'http://evil.io/',
    );
    rmSync(empty, { recursive: true, force: true });
    expect(fallback.stdout).toContain('decision:  allow\nflow:      (none: egress default)\n');
  });

  it('exits 2 without --server or with a URL it cannot use', async () => {
    expect((await airlock('flows', 'test', 'GET', 'http://a.com/')).code).toBe(2);
    expect((await airlock('flows', 'test', '--server', 's', 'GET', 'ftp://a.com/')).code).toBe(2);
    expect((await airlock('flows', 'test', '--server', 's', 'GET', 'http://u:p@a.com/')).code).toBe(
      2,
    );
  });
});
