// The admin token: from the environment first, else a 0600 file created once and then reused.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE, loadOrCreateAdminToken } from './admin-token.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('loadOrCreateAdminToken', () => {
  it('takes AIRLOCK_ADMIN_TOKEN and writes no file', () => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-admin-'));
    const token = loadOrCreateAdminToken(dir, { AIRLOCK_ADMIN_TOKEN: 'from-env' });
    expect(token).toEqual({ token: 'from-env', created: false, source: 'env' });
    expect(() => statSync(join(dir!, ADMIN_TOKEN_FILE))).toThrow();
  });

  it('creates the file 0600 once, then reads it back without saying created', () => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-admin-'));
    const first = loadOrCreateAdminToken(dir, {});
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, ADMIN_TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateAdminToken(dir, {})).toEqual({
      token: first.token,
      created: false,
      source: 'file',
    });
  });
});
