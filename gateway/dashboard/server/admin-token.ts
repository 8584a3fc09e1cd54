// The dashboard's admin token: AIRLOCK_ADMIN_TOKEN, else `<data>/admin.token` (created 0600 on first need).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_TOKEN_FILE = 'admin.token';

export interface AdminToken {
  readonly token: string;
  /** True when the file was created just now: the caller prints the token this once. */
  readonly created: boolean;
  readonly source: 'env' | 'file';
}

export function loadOrCreateAdminToken(
  dataDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): AdminToken {
  const fromEnv = env.AIRLOCK_ADMIN_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, created: false, source: 'env' };
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing) return { token: existing, created: false, source: 'file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  // wx: two processes racing cannot both believe they created it.
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, created: true, source: 'file' };
}
