// Resolving env and header values: literal, fromEnv, fromSecret through file → vault → env; errors name, never reveal.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretError } from '../errors.ts';
import { createSecretResolver, resolveValues } from './secret-resolver.ts';

let dir: string;
let vault: Server;
let vaultAddr: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-resolver-'));
  await writeFile(join(dir, 'secrets.env'), 'IN_FILE=from-file\nEVERYWHERE=file-wins\n', {
    mode: 0o600,
  });
  vault = createServer((req, res) => {
    if (req.headers['x-vault-token'] !== 'root') {
      res.writeHead(403).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { data: { IN_VAULT: 'from-vault', EVERYWHERE: 'vault' } } }));
  });
  await new Promise<void>((resolve) => vault.listen(0, '127.0.0.1', resolve));
  vaultAddr = `http://127.0.0.1:${(vault.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => vault.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const baseEnv = () => ({
  HOME_VAR: 'from-env',
  IN_ENV: 'env-secret',
  EVERYWHERE: 'env',
  AIRLOCK_VAULT_ADDR: vaultAddr,
  AIRLOCK_VAULT_TOKEN: 'root',
});

describe('createSecretResolver', () => {
  it.each([
    { source: { kind: 'literal', value: 'plain' }, value: 'plain' },
    { source: { kind: 'env', name: 'HOME_VAR' }, value: 'from-env' },
    { source: { kind: 'secret', name: 'IN_FILE' }, value: 'from-file' },
    { source: { kind: 'secret', name: 'IN_VAULT' }, value: 'from-vault' },
    { source: { kind: 'secret', name: 'IN_ENV' }, value: 'env-secret' },
    { source: { kind: 'secret', name: 'EVERYWHERE' }, value: 'file-wins' },
  ] as const)('resolves $source.kind $source.name to $value', async ({ source, value }) => {
    const resolver = createSecretResolver({ configDir: dir, env: baseEnv() });
    expect(await resolver.resolve(source)).toBe(value);
  });

  it('asks the file, then Vault, then the environment', () => {
    const resolver = createSecretResolver({ configDir: dir, env: baseEnv() });
    expect(resolver.providers.map((p) => p.name)).toEqual([
      'secrets file',
      'vault secret/airlock',
      'environment',
    ]);
    const noVault = createSecretResolver({ configDir: dir, env: { X: '1' } });
    expect(noVault.providers.map((p) => p.name)).toEqual(['secrets file', 'environment']);
  });

  it.each([
    {
      source: { kind: 'secret', name: 'NOWHERE' },
      message:
        'secret NOWHERE not found (server github); looked in: secrets file, vault secret/airlock, environment',
    },
    {
      source: { kind: 'env', name: 'UNSET_VAR' },
      message: 'environment variable UNSET_VAR is not set (server github)',
    },
  ] as const)('names a missing $source.name and the server', async ({ source, message }) => {
    const resolver = createSecretResolver({ configDir: dir, env: baseEnv() });
    const error = await resolver.resolve(source, { server: 'github' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect(error).toMatchObject({
      code: 'GATEWAY_SECRET_MISSING',
      secret: source.name,
      server: 'github',
      message,
    });
  });

  it('names the server when a provider fails, and shows no token or value', async () => {
    const env = { ...baseEnv(), AIRLOCK_VAULT_TOKEN: 'wrong-token' };
    const resolver = createSecretResolver({ configDir: dir, env });
    const error = await resolver
      .resolve({ kind: 'secret', name: 'IN_VAULT' }, { server: 'slack' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GATEWAY_SECRET_PROVIDER_FAILED', server: 'slack' });
    const text = `${(error as Error).message} ${String((error as Error).cause)}`;
    for (const secret of ['wrong-token', 'from-vault', 'from-file', 'env-secret']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('resolveValues', () => {
  it('resolves a whole env record', async () => {
    const resolver = createSecretResolver({ configDir: dir, env: baseEnv() });
    const values = await resolveValues(
      {
        A: { kind: 'literal', value: '1' },
        B: { kind: 'secret', name: 'IN_VAULT' },
        C: { kind: 'env', name: 'HOME_VAR' },
      },
      resolver,
    );
    expect(values).toEqual({ A: '1', B: 'from-vault', C: 'from-env' });
  });

  it('rejects with the first missing secret, naming it and the server, no values', async () => {
    const resolver = createSecretResolver({ configDir: dir, env: baseEnv() });
    const error = await resolveValues(
      { OK: { kind: 'secret', name: 'IN_FILE' }, BAD: { kind: 'secret', name: 'MISSING_ONE' } },
      resolver,
      { server: 'postgres' },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ secret: 'MISSING_ONE', server: 'postgres' });
    expect((error as Error).message).not.toContain('from-file');
  });
});
