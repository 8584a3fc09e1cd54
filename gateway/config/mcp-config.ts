// Parses `<config>/mcp.json` as Claude Desktop, Claude Code and Lunar MCPX write it into ServerSpecs.
import { z } from 'zod';
import type { YamlPath } from '../../flows/errors.ts';
import type { GatewayConfigError } from '../errors.ts';
import {
  type ConfigSource,
  configError,
  isPlainObject,
  issuesToErrors,
  parseJsonSource,
} from './config-source.ts';
import type { RemoteServerSpec, ServerSpec, StdioServerSpec, ValueSource } from './types.ts';
import { looksLikeExpansion, valueSourceSchema } from './value-source.ts';

export const MCP_FILE = 'mcp.json';

/** Server names become tool-name prefixes (`server__tool`), so they use the same alphabet. */
export const SERVER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export type McpConfigResult =
  | {
      readonly ok: true;
      readonly servers: Record<string, ServerSpec>;
      /** Unknown fields and other things worth a look; the config loads anyway. */
      readonly warnings: GatewayConfigError[];
    }
  | { readonly ok: false; readonly errors: GatewayConfigError[] };

/** Fields MCP clients write that mean nothing to a gateway: accepted silently so copied files load unchanged. */
const CLIENT_FIELDS = new Set([
  'autoApprove',
  'alwaysAllow',
  'timeout',
  'description',
  'transportType',
  'name',
  'icon',
]);
/** Top-level keys of claude_desktop_config.json besides mcpServers. */
const CLIENT_TOP_LEVEL = new Set(['$schema', 'globalShortcut', 'preferences']);

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const sandboxSchema = z.strictObject({
  type: z.enum(['auto', 'bwrap', 'docker', 'none']).default('auto'),
  image: z.string().min(1).optional(),
  allowWrite: z.array(z.string().min(1)).default([]),
  allowRead: z.array(z.string().min(1)).default([]),
});

const stdioSchema = z.strictObject({
  type: z.literal('stdio').optional(),
  command: z.string().min(1, 'must not be empty'),
  args: z.array(z.string(), { error: 'must be a list of strings' }).default([]),
  env: z
    .record(z.string().regex(/^[^=\0]+$/, 'must be a variable name without "="'), valueSourceSchema)
    .default({}),
  cwd: z.string().min(1).optional(),
  sandbox: sandboxSchema.optional(),
  disabled: z.boolean().default(false),
});

const remoteSchema = z.strictObject({
  type: z
    .enum(['sse', 'streamable-http', 'http'])
    .optional()
    .transform((type) => (type === 'sse' ? 'sse' : 'streamable-http')),
  url: z.string().refine(isHttpUrl, 'must be an http:// or https:// URL'),
  headers: z
    .record(z.string().regex(headerName, 'must be an HTTP header name'), valueSourceSchema)
    .default({}),
  disabled: z.boolean().default(false),
});

const stdioFields = new Set(Object.keys(stdioSchema.shape));
const remoteFields = new Set(Object.keys(remoteSchema.shape));

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const protocol = new URL(text).protocol;
  return protocol === 'http:' || protocol === 'https:';
}

/** Pure: mcp.json text → every server's spec (disabled ones included), or positioned errors. */
export function parseMcpConfig(file: string, text: string): McpConfigResult {
  const parsed = parseJsonSource(file, text);
  if (!parsed.ok) return parsed;
  const source = parsed.source;
  if (!isPlainObject(source.value)) {
    const message = 'must be a JSON object like {"mcpServers": {…}}';
    return { ok: false, errors: [configError(source, [], 'not-a-mapping', message)] };
  }
  const warnings: GatewayConfigError[] = [];
  const errors: GatewayConfigError[] = [];
  for (const key of Object.keys(source.value)) {
    if (key === 'mcpServers' || CLIENT_TOP_LEVEL.has(key)) continue;
    warnings.push(
      configError(
        source,
        [key],
        'unknown-field',
        `unknown field ${JSON.stringify(key)}, ignored`,
        'warning',
      ),
    );
  }
  const declared = source.value.mcpServers;
  if (declared === undefined) {
    const message = 'no "mcpServers": no servers are configured';
    return {
      ok: true,
      servers: {},
      warnings: [...warnings, configError(source, [], 'missing-field', message, 'warning')],
    };
  }
  if (!isPlainObject(declared)) {
    const message = 'must be a mapping of server name to server';
    return { ok: false, errors: [configError(source, ['mcpServers'], 'not-a-mapping', message)] };
  }
  const servers: Record<string, ServerSpec> = {};
  for (const [name, raw] of Object.entries(declared)) {
    const path = ['mcpServers', name];
    if (!SERVER_NAME.test(name)) {
      errors.push(
        configError(
          source,
          path,
          'bad-name',
          `server name ${JSON.stringify(name)} must be 1-64 characters of A-Z a-z 0-9 _ . -`,
        ),
      );
      continue;
    }
    const spec = parseServer(source, name, raw, warnings, errors);
    if (spec) servers[name] = spec;
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, servers, warnings };
}

function parseServer(
  source: ConfigSource,
  name: string,
  raw: unknown,
  warnings: GatewayConfigError[],
  errors: GatewayConfigError[],
): ServerSpec | undefined {
  const path: YamlPath = ['mcpServers', name];
  if (!isPlainObject(raw)) {
    errors.push(
      configError(source, path, 'not-a-mapping', 'must be an object with "command" or "url"'),
    );
    return undefined;
  }
  // Cline writes `transportType` where others write `type`.
  const type = raw.type ?? raw.transportType;
  const remote =
    raw.url !== undefined || type === 'sse' || type === 'streamable-http' || type === 'http';
  if (remote && raw.command !== undefined) {
    errors.push(
      configError(
        source,
        [...path, 'command'],
        'contradiction',
        'a server has either "command" (stdio) or "url" (remote), not both',
      ),
    );
    return undefined;
  }
  const known = remote ? remoteFields : stdioFields;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (known.has(key)) kept[key] = value;
    else if (key === 'transportType' && raw.type === undefined && typeof value === 'string')
      kept.type = value;
    else if (CLIENT_FIELDS.has(key)) continue;
    else if (key === 'disabledTools') {
      const message = 'not applied here: list these tools under disabledTools in app.yaml';
      warnings.push(configError(source, [...path, key], 'ignored-value', message, 'warning'));
    } else if (key === 'sandbox' && remote) {
      warnings.push(
        configError(
          source,
          [...path, key],
          'ignored-value',
          'sandbox applies to stdio servers only, ignored',
          'warning',
        ),
      );
    } else {
      warnings.push(
        configError(
          source,
          [...path, key],
          'unknown-field',
          `unknown field ${JSON.stringify(key)}, ignored`,
          'warning',
        ),
      );
    }
  }
  if (!remote && kept.command === undefined) {
    errors.push(
      configError(source, path, 'missing-field', 'needs "command" (stdio) or "url" (remote)'),
    );
    return undefined;
  }
  const spec = remote
    ? remoteSpec(source, name, kept, errors)
    : stdioSpec(source, name, kept, errors);
  if (spec) warnings.push(...expansionWarnings(source, spec));
  return spec;
}

function stdioSpec(
  source: ConfigSource,
  name: string,
  raw: Record<string, unknown>,
  errors: GatewayConfigError[],
): StdioServerSpec | undefined {
  const result = stdioSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    errors.push(...issuesToErrors(source, ['mcpServers', name], result.error.issues));
    return undefined;
  }
  const { type: _stdio, cwd, sandbox, ...rest } = result.data;
  return {
    name,
    transport: 'stdio',
    ...rest,
    ...(cwd === undefined ? {} : { cwd }),
    ...(sandbox === undefined ? {} : { sandbox }),
  };
}

function remoteSpec(
  source: ConfigSource,
  name: string,
  raw: Record<string, unknown>,
  errors: GatewayConfigError[],
): RemoteServerSpec | undefined {
  const result = remoteSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    errors.push(...issuesToErrors(source, ['mcpServers', name], result.error.issues));
    return undefined;
  }
  const { type, ...rest } = result.data;
  return { name, transport: type, ...rest };
}

function expansionWarnings(source: ConfigSource, spec: ServerSpec): GatewayConfigError[] {
  const field = spec.transport === 'stdio' ? 'env' : 'headers';
  const values: Readonly<Record<string, ValueSource>> =
    spec.transport === 'stdio' ? spec.env : spec.headers;
  return Object.entries(values)
    .filter(([, value]) => looksLikeExpansion(value))
    .map(([key]) =>
      configError(
        source,
        ['mcpServers', spec.name, field, key],
        'ignored-value',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the message names the syntax users write.
        '"${…}" is not expanded by Airlock; write {"fromEnv": "NAME"} or {"fromSecret": "NAME"}',
        'warning',
      ),
    );
}
