// Reads mcp.json and app.yaml from the config directory and builds one validated GatewayConfig (or every error).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayConfigError } from '../errors.ts';
import { APP_FILE, defaultGatewaySettings, parseGatewaySettings } from './app-config.ts';
import { MCP_FILE, parseMcpConfig } from './mcp-config.ts';
import type { GatewayConfig } from './types.ts';

export interface ConfigText {
  readonly file: string;
  readonly text: string;
}

export interface GatewayConfigFiles {
  /** undefined when the file does not exist (no servers / all defaults). */
  readonly mcp: ConfigText | undefined;
  readonly app: ConfigText | undefined;
  /** Equal fingerprints mean equal file contents: nothing to reload. */
  readonly fingerprint: string;
}

export type GatewayConfigResult =
  | {
      readonly ok: true;
      readonly config: GatewayConfig;
      readonly warnings: readonly GatewayConfigError[];
      readonly fingerprint: string;
    }
  | {
      readonly ok: false;
      readonly errors: readonly GatewayConfigError[];
      readonly fingerprint: string;
    };

/** Pure: both files as read → the config, or the errors of both files together. */
export function buildGatewayConfig(files: GatewayConfigFiles): GatewayConfigResult {
  const { fingerprint } = files;
  const mcp = files.mcp
    ? parseMcpConfig(files.mcp.file, files.mcp.text)
    : ({ ok: true, servers: {}, warnings: [] } as const);
  const servers = mcp.ok ? new Set(Object.keys(mcp.servers)) : undefined;
  const app = files.app
    ? parseGatewaySettings(files.app.file, files.app.text, servers)
    : ({ ok: true, settings: defaultGatewaySettings(), warnings: [] } as const);
  if (!mcp.ok || !app.ok) {
    const errors = [...(mcp.ok ? [] : mcp.errors), ...(app.ok ? [] : app.errors)];
    return { ok: false, errors, fingerprint };
  }
  return {
    ok: true,
    config: { servers: mcp.servers, settings: app.settings },
    warnings: [...mcp.warnings, ...app.warnings],
    fingerprint,
  };
}

type Read = { text: string } | { missing: true } | { error: GatewayConfigError };

async function readConfigText(file: string): Promise<Read> {
  try {
    return { text: await readFile(file, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { missing: true };
    const message = `cannot be read (${code ?? 'error'})`;
    const init = { file, line: 1, column: 1, field: '', problem: 'unreadable', message } as const;
    return { error: new GatewayConfigError(init) };
  }
}

/** Edge: reads both files; a file that cannot be read (other than missing) is reported as an error. */
export async function readGatewayConfigFiles(
  configDir: string,
): Promise<GatewayConfigFiles | { readonly errors: GatewayConfigError[] }> {
  const paths = { mcp: join(configDir, MCP_FILE), app: join(configDir, APP_FILE) };
  const [mcp, app] = await Promise.all([readConfigText(paths.mcp), readConfigText(paths.app)]);
  const errors = [mcp, app].flatMap((read) => ('error' in read ? [read.error] : []));
  if (errors.length > 0) return { errors };
  const hash = createHash('sha256');
  const text = (file: string, read: Read): ConfigText | undefined => {
    if (!('text' in read)) return undefined;
    hash.update(file).update('\0').update(read.text).update('\0');
    return { file, text: read.text };
  };
  const files = { mcp: text(paths.mcp, mcp), app: text(paths.app, app) };
  return { ...files, fingerprint: hash.digest('hex') };
}

/** Edge: `<config>/mcp.json` (missing → no servers) and `<config>/app.yaml` (missing → defaults). */
export async function loadGatewayConfig(configDir: string): Promise<GatewayConfigResult> {
  const files = await readGatewayConfigFiles(configDir);
  if ('errors' in files) return { ok: false, errors: files.errors, fingerprint: '' };
  return buildGatewayConfig(files);
}
