// Resolves env and header values (literal, fromEnv, fromSecret) when a server starts; errors name, never reveal.
import { join } from 'node:path';
import type { ValueSource } from '../config/types.ts';
import { SecretError } from '../errors.ts';
import { envSecretProvider, type SecretProvider } from './secret-provider.ts';
import { fileSecretProvider, SECRETS_FILE } from './secrets-file.ts';
import { splitVaultPath, vaultSecretProvider } from './vault-provider.ts';

export interface ResolveContext {
  /** The server whose spec holds the value: named in errors. */
  readonly server?: string;
}

export interface SecretResolver {
  /** Providers asked for `fromSecret`, in order. */
  readonly providers: readonly SecretProvider[];
  resolve(source: ValueSource, context?: ResolveContext): Promise<string>;
}

export interface SecretResolverOptions {
  readonly configDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Replaces the default chain (file → vault when AIRLOCK_VAULT_ADDR is set → env). */
  readonly providers?: readonly SecretProvider[];
}

/** The default chain for `fromSecret`: secrets file, then Vault (when configured), then the environment. */
export function defaultSecretProviders(options: SecretResolverOptions): SecretProvider[] {
  const providers = [fileSecretProvider(join(options.configDir, SECRETS_FILE))];
  const addr = options.env.AIRLOCK_VAULT_ADDR;
  if (addr !== undefined && addr !== '') {
    const { mount, path } = splitVaultPath(options.env.AIRLOCK_VAULT_PATH ?? 'secret/airlock');
    providers.push(
      vaultSecretProvider({ addr, token: options.env.AIRLOCK_VAULT_TOKEN, mount, path }),
    );
  }
  providers.push(envSecretProvider(options.env));
  return providers;
}

export function createSecretResolver(options: SecretResolverOptions): SecretResolver {
  const providers = options.providers ?? defaultSecretProviders(options);
  const env = options.env;

  return {
    providers,
    async resolve(source, context = {}) {
      const server = context.server;
      const forServer = server === undefined ? '' : ` (server ${server})`;
      if (source.kind === 'literal') return source.value;
      if (source.kind === 'env') {
        const value = env[source.name];
        if (value !== undefined) return value;
        throw new SecretError(
          'GATEWAY_SECRET_MISSING',
          source.name,
          `environment variable ${source.name} is not set${forServer}`,
          server === undefined ? {} : { server },
        );
      }
      for (const provider of providers) {
        const value = await named(provider.get(source.name), server);
        if (value !== undefined) return value;
      }
      const tried = providers.map((p) => p.name).join(', ');
      throw new SecretError(
        'GATEWAY_SECRET_MISSING',
        source.name,
        `secret ${source.name} not found${forServer}; looked in: ${tried}`,
        server === undefined ? {} : { server },
      );
    },
  };
}

/** A provider's failure, re-raised naming the server too (the provider does not know it). */
async function named<T>(pending: Promise<T>, server: string | undefined): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    if (!(error instanceof SecretError) || server === undefined || error.server !== undefined) {
      throw error;
    }
    throw new SecretError(error.code, error.secret, `${error.message} (server ${server})`, {
      server,
      cause: error,
    });
  }
}

/** Every value of an env or headers record, resolved; the first missing one rejects with its SecretError. */
export async function resolveValues(
  record: Readonly<Record<string, ValueSource>>,
  resolver: Pick<SecretResolver, 'resolve'>,
  context: ResolveContext = {},
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(record).map(
      async ([key, source]) => [key, await resolver.resolve(source, context)] as const,
    ),
  );
  return Object.fromEntries(entries);
}
