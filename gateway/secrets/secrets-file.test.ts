// The secrets file: its NAME=value syntax, and the refusal to read a file others can read.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretError } from '../errors.ts';
import { fileSecretProvider, parseSecretsFile } from './secrets-file.ts';

describe('parseSecretsFile', () => {
  it('reads names, values, comments, quotes and export', () => {
    const text = [
      '# GitHub',
      'GITHUB_TOKEN=ghp_abc',
      '',
      '  export SLACK_TOKEN = "xoxb-1 2"  # bot',
      "SINGLE='it has # inside'",
      'PASSWORD=p#ss # trailing comment',
      'MULTI="a\\nb"',
      'EMPTY=',
      'dotted.name-x=1',
    ].join('\r\n');
    const parsed = parseSecretsFile(text);
    expect(parsed.ok && Object.fromEntries(parsed.values)).toEqual({
      GITHUB_TOKEN: 'ghp_abc',
      SLACK_TOKEN: 'xoxb-1 2',
      SINGLE: 'it has # inside',
      PASSWORD: 'p#ss',
      MULTI: 'a\nb',
      EMPTY: '',
      'dotted.name-x': '1',
    });
  });

  it.each([
    { text: 'just-a-token-value', badLines: [1] },
    { text: 'OK=1\n="no name"\nA="unclosed', badLines: [2, 3] },
    { text: 'A="x" trailing', badLines: [1] },
  ])('names only the line numbers of $badLines', ({ text, badLines }) => {
    expect(parseSecretsFile(text)).toEqual({ ok: false, badLines });
  });
});

describe('fileSecretProvider', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-secrets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers from a file only its owner can read', async () => {
    const file = join(dir, 'secrets.env');
    await writeFile(file, 'TOKEN=s3cr3t\n', { mode: 0o600 });
    const provider = fileSecretProvider(file);
    expect(await provider.get('TOKEN')).toBe('s3cr3t');
    expect(await provider.get('OTHER')).toBeUndefined();
  });

  it('has no secrets when the file does not exist', async () => {
    expect(await fileSecretProvider(join(dir, 'secrets.env')).get('TOKEN')).toBeUndefined();
  });

  it.each([0o640, 0o604, 0o644])(
    'refuses mode %o, telling the chmod, never the value',
    async (mode) => {
      const file = join(dir, 'secrets.env');
      await writeFile(file, 'TOKEN=s3cr3t\n');
      await chmod(file, mode);
      const error = await fileSecretProvider(file)
        .get('TOKEN')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretError);
      expect(error).toMatchObject({ code: 'GATEWAY_SECRET_INSECURE', secret: file });
      expect((error as Error).message).toContain(`chmod 600 ${file}`);
      expect((error as Error).message).not.toContain('s3cr3t');
    },
  );

  it('reports a malformed line by number, never its text', async () => {
    const file = join(dir, 'secrets.env');
    await writeFile(file, 'A=1\ns3cr3t-pasted-alone\n', { mode: 0o600 });
    const error = await fileSecretProvider(file)
      .get('A')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GATEWAY_SECRET_PROVIDER_FAILED' });
    expect((error as Error).message).toBe(`${file}: line 2 is not NAME=value`);
  });
});
