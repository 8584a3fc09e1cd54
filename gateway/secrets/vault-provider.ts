// Secrets from a HashiCorp Vault KV v2 path: one GET per lookup window, value at data.data[NAME].
import { request } from 'undici';
import { SecretError } from '../errors.ts';
import type { SecretProvider } from './secret-provider.ts';

export interface VaultOptions {
  /** e.g. `https://vault.internal:8200` (AIRLOCK_VAULT_ADDR). */
  readonly addr: string;
  /** AIRLOCK_VAULT_TOKEN; sent as X-Vault-Token, never logged or put in an error. */
  readonly token: string | undefined;
  /** KV v2 mount, default `secret`. */
  readonly mount?: string;
  /** Path under the mount, default `airlock`. */
  readonly path?: string;
  /** How long one answer serves further lookups (a server start reads several secrets at once). */
  readonly cacheMs?: number;
  readonly timeoutMs?: number;
}

/** `AIRLOCK_VAULT_PATH` (`secret/airlock`) → mount `secret`, path `airlock`. */
export function splitVaultPath(text: string): { mount: string; path: string } {
  const trimmed = text.replace(/^\/+|\/+$/g, '');
  const slash = trimmed.indexOf('/');
  if (slash < 0) return { mount: trimmed, path: 'airlock' };
  return { mount: trimmed.slice(0, slash), path: trimmed.slice(slash + 1) };
}

export function vaultSecretProvider(options: VaultOptions): SecretProvider {
  const mount = options.mount ?? 'secret';
  const path = options.path ?? 'airlock';
  const where = `vault ${mount}/${path}`;
  const url = `${options.addr.replace(/\/+$/, '')}/v1/${encodePath(mount)}/data/${encodePath(path)}`;
  let cached: { at: number; data: Promise<Record<string, unknown> | undefined> } | undefined;

  const fail = (secret: string, message: string, cause?: unknown) =>
    new SecretError('GATEWAY_SECRET_PROVIDER_FAILED', secret, `${where}: ${message}`, { cause });

  async function fetchData(secret: string): Promise<Record<string, unknown> | undefined> {
    if (options.token === undefined || options.token === '') {
      throw fail(secret, 'AIRLOCK_VAULT_TOKEN is not set');
    }
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: 'GET',
        headers: { 'x-vault-token': options.token },
        headersTimeout: options.timeoutMs ?? 5_000,
        bodyTimeout: options.timeoutMs ?? 5_000,
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      throw fail(secret, `cannot reach ${options.addr} (${code})`);
    }
    const status = response.statusCode;
    if (status === 404) {
      await response.body.dump();
      return undefined;
    }
    if (status === 403 || status === 401) {
      await response.body.dump();
      throw fail(secret, `the token was refused (${status})`);
    }
    if (status !== 200) {
      await response.body.dump();
      throw fail(secret, `unexpected status ${status}`);
    }
    let body: unknown;
    try {
      body = await response.body.json();
    } catch {
      throw fail(secret, 'the reply is not JSON');
    }
    const data = (body as { data?: { data?: unknown } } | null)?.data?.data;
    if (typeof data !== 'object' || data === null) {
      throw fail(secret, 'the reply has no data.data (is this a KV v2 mount?)');
    }
    return data as Record<string, unknown>;
  }

  return {
    name: where,
    async get(name) {
      const now = Date.now();
      if (cached === undefined || now - cached.at > (options.cacheMs ?? 5_000)) {
        const entry = { at: now, data: fetchData(name) };
        cached = entry;
        // A failure is not cached: the next lookup asks again.
        entry.data.catch(() => {
          if (cached === entry) cached = undefined;
        });
      }
      const data = await cached.data;
      const value = data?.[name];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string') throw fail(name, `${name} is not a string`);
      return value;
    },
  };
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
