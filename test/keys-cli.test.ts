// `airlock keys` as a user runs it: the key printed once, only its hash written, comments kept.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { matchApiKey } from '../gateway/config/api-keys.ts';
import { parseGatewaySettings } from '../gateway/config/app-config.ts';

const run = promisify(execFile);
const airlock = join(import.meta.dirname, '..', 'cli', 'airlock.ts');

async function keys(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [airlock, 'keys', ...args], {
      env: { ...process.env, AIRLOCK_CONFIG: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const appYaml = `# Our gateway
permissions:
  default:
    block: []   # everyone may use everything

auth:
  enabled: true   # keys required
  keys: {}
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('airlock keys', () => {
  it('creates a key: printed once, hash written, comments kept, and the key matches', async () => {
    await writeFile(
      join(dir, 'app.yaml'),
      appYaml.replace('  keys: {}\n', `  keys:\n    ops: sha256:${'0'.repeat(64)}\n`),
    );
    const result = await keys('create', 'eng-agent', '--config', dir);
    expect(result.code).toBe(0);
    const key = result.stdout.trim();
    expect(key).toMatch(/^alk_[A-Za-z0-9_-]{43}$/);
    expect(`${result.stdout}${result.stderr}`.split(key)).toHaveLength(2);
    expect(result.stderr).toContain('x-lunar-api-key: <key>');
    expect(result.stderr).toContain('Authorization: Bearer <key>');

    const written = await readFile(join(dir, 'app.yaml'), 'utf8');
    expect(written).not.toContain(key);
    expect(written).toContain('# Our gateway\n');
    expect(written).toContain('block: []   # everyone may use everything');
    expect(written).toContain('enabled: true   # keys required');
    const settings = parseGatewaySettings('app.yaml', written);
    expect(settings.ok).toBe(true);
    if (!settings.ok) return;
    expect(matchApiKey(settings.settings.auth.keys, key)).toBe('eng-agent');
    expect(Object.keys(settings.settings.auth.keys)).toEqual(['ops', 'eng-agent']);
  });

  it('creates app.yaml when the config directory has none', async () => {
    const config = join(dir, 'fresh');
    const result = await keys('create', 'cs-agent', '--config', config);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('auth.enabled is false');
    const written = await readFile(join(config, 'app.yaml'), 'utf8');
    const settings = parseGatewaySettings('app.yaml', written);
    expect(settings.ok && matchApiKey(settings.settings.auth.keys, result.stdout.trim())).toBe(
      'cs-agent',
    );
  });

  it('refuses to replace a key without --force, and replaces it with --force', async () => {
    await writeFile(join(dir, 'app.yaml'), appYaml);
    const first = await keys('create', 'eng-agent', '--config', dir);
    const before = await readFile(join(dir, 'app.yaml'), 'utf8');

    const again = await keys('create', 'eng-agent', '--config', dir);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('--force');
    expect(await readFile(join(dir, 'app.yaml'), 'utf8')).toBe(before);

    const forced = await keys('create', 'eng-agent', '--force', '--config', dir);
    expect(forced.code).toBe(0);
    const after = await readFile(join(dir, 'app.yaml'), 'utf8');
    const settings = parseGatewaySettings('app.yaml', after);
    if (!settings.ok) throw new Error('app.yaml became invalid');
    expect(matchApiKey(settings.settings.auth.keys, forced.stdout.trim())).toBe('eng-agent');
    expect(matchApiKey(settings.settings.auth.keys, first.stdout.trim())).toBeUndefined();
  });

  it('lists consumers without their hashes', async () => {
    await writeFile(join(dir, 'app.yaml'), appYaml);
    await keys('create', 'eng-agent', '--config', dir);
    await keys('create', 'cs-agent', '--config', dir);
    const listed = await keys('list', '--config', dir);
    expect(listed).toMatchObject({ code: 0, stdout: 'cs-agent\neng-agent\n' });
  });

  it.each([
    { args: [] as string[], code: 2 },
    { args: ['create'], code: 2 },
    { args: ['create', 'bad name'], code: 2 },
    { args: ['rotate', 'x'], code: 2 },
    { args: ['create', 'x', '--colour'], code: 2 },
  ])('exits $code for keys $args', async ({ args, code }) => {
    const result = await keys(...args, '--config', dir);
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
  });
});
