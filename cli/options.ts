// Shared command-line options: where the config and data directories are (`--config`, `--data`, env, defaults).
import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';

export interface Directories {
  /** `--config`, else `$AIRLOCK_CONFIG`, else `./config`; absolute. */
  readonly configDir: string;
  /** `--data`, else `$AIRLOCK_DATA`, else `./data`; absolute. */
  readonly dataDir: string;
}

/** The parseArgs option specs every command that reads config or data accepts. */
export const directoryOptions = {
  config: { type: 'string' },
  data: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export function directoriesFrom(
  values: { config?: string | undefined; data?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Directories {
  return {
    configDir: resolve(values.config ?? env.AIRLOCK_CONFIG ?? './config'),
    dataDir: resolve(values.data ?? env.AIRLOCK_DATA ?? './data'),
  };
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

/** parseArgs that answers with a value instead of throwing on an unknown or malformed option. */
export function parseCommandLine<const O extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: O,
  allowPositionals: boolean,
): Parsed<ReturnType<typeof parseArgs<{ options: O; allowPositionals: boolean; strict: true }>>> {
  try {
    return {
      ok: true,
      value: parseArgs({ args: [...args], options, allowPositionals, strict: true }),
    };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
