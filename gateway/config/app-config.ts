// Parses the gateway sections of `<config>/app.yaml` (Lunar MCPX shape plus Airlock's fields) into GatewaySettings.
import type { GatewayConfigError } from '../errors.ts';
import { DEFAULT_API_KEY_HEADER, type ParsedSettings, settingsSchema } from './app-schema.ts';
import {
  type ConfigSource,
  configError,
  isPlainObject,
  issuesToErrors,
  parseYamlConfigSource,
} from './config-source.ts';
import { groupsOf, toPermissionRule, type WrittenRule } from './permission-rule.ts';
import type { GatewaySettings, PermissionRule, Permissions, ToolExtension } from './types.ts';

export { DEFAULT_API_KEY_HEADER };

export const APP_FILE = 'app.yaml';

/** Sections this parser reads; `egress` belongs to the egress and is skipped without a warning. */
const GATEWAY_SECTIONS = [
  'permissions',
  'toolGroups',
  'auth',
  'toolExtensions',
  'disabledTools',
  'naming',
  'allowedOrigins',
  'listen',
] as const;
const OTHER_SECTIONS = new Set(['egress']);

export type GatewaySettingsResult =
  | {
      readonly ok: true;
      readonly settings: GatewaySettings;
      readonly warnings: GatewayConfigError[];
    }
  | { readonly ok: false; readonly errors: GatewayConfigError[] };

const ALLOW_ALL: PermissionRule = { type: 'default-allow', block: [] };

/** What a missing app.yaml means: everyone may use every tool, no auth, loopback listeners. */
export function defaultGatewaySettings(): GatewaySettings {
  return toSettings(settingsSchema.parse({}), { default: ALLOW_ALL, consumers: {} });
}

/**
 * Pure: app.yaml text → the gateway's settings, or positioned errors. The `egress:` section is ignored.
 * With `knownServers` (from mcp.json), naming a server that does not exist is a warning: it may be added later.
 */
export function parseGatewaySettings(
  file: string,
  text: string,
  knownServers?: ReadonlySet<string>,
): GatewaySettingsResult {
  const parsed = parseYamlConfigSource(file, text);
  if (!parsed.ok) return parsed;
  const source = parsed.source;
  const document = source.value ?? {};
  if (!isPlainObject(document)) {
    const message = 'app.yaml must be a mapping of sections';
    return { ok: false, errors: [configError(source, [], 'not-a-mapping', message)] };
  }
  const warnings: GatewayConfigError[] = [];
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    if ((GATEWAY_SECTIONS as readonly string[]).includes(key)) picked[key] = value;
    else if (!OTHER_SECTIONS.has(key)) {
      const message = `unknown section ${JSON.stringify(key)}, ignored`;
      warnings.push(configError(source, [key], 'unknown-field', message, 'warning'));
    }
  }
  const result = settingsSchema.safeParse(picked, { reportInput: true });
  if (!result.success) {
    return { ok: false, errors: issuesToErrors(source, [], result.error.issues) };
  }
  const checked = checkMeaning(source, result.data);
  if (!checked.ok) return checked;
  const unknown = knownServers ? unknownServers(source, result.data, knownServers) : [];
  return {
    ok: true,
    settings: checked.settings,
    warnings: [...warnings, ...checked.warnings, ...unknown],
  };
}

function unknownServers(
  source: ConfigSource,
  parsed: ParsedSettings,
  known: ReadonlySet<string>,
): GatewayConfigError[] {
  const paths: (string | number)[][] = [
    ...parsed.toolGroups.flatMap((group, index) =>
      Object.keys(group.services).map((server) => ['toolGroups', index, 'services', server]),
    ),
    ...Object.keys(parsed.disabledTools).map((server) => ['disabledTools', server]),
    ...Object.keys(parsed.toolExtensions.services).map((server) => [
      'toolExtensions',
      'services',
      server,
    ]),
  ];
  return paths
    .filter((path) => !known.has(String(path.at(-1))))
    .map((path) =>
      configError(
        source,
        path,
        'unknown-server',
        `no server named ${JSON.stringify(path.at(-1))} in mcp.json`,
        'warning',
      ),
    );
}

/** Rules that span fields: permission rules, group references, duplicate names, auth and listeners. */
function checkMeaning(source: ConfigSource, parsed: ParsedSettings): GatewaySettingsResult {
  const errors: GatewayConfigError[] = [];
  const warnings: GatewayConfigError[] = [];
  const groupNames = new Set<string>();
  parsed.toolGroups.forEach((group, index) => {
    if (groupNames.has(group.name)) {
      const message = `tool group ${JSON.stringify(group.name)} is defined twice`;
      errors.push(configError(source, ['toolGroups', index, 'name'], 'contradiction', message));
    }
    groupNames.add(group.name);
  });

  const rule = (written: WrittenRule | undefined, path: (string | number)[]) => {
    if (written === undefined) return ALLOW_ALL;
    const meaning = toPermissionRule(written);
    if (!meaning.ok) {
      errors.push(
        configError(source, [...path, ...meaning.path], 'contradiction', meaning.message),
      );
      return ALLOW_ALL;
    }
    const list = meaning.rule.type === 'default-allow' ? 'block' : 'allow';
    const listPath = written.base === undefined ? [...path, list] : [...path, 'profiles', list];
    groupsOf(meaning.rule).forEach((group, index) => {
      if (groupNames.has(group)) return;
      const message = `no tool group named ${JSON.stringify(group)} in toolGroups`;
      errors.push(configError(source, [...listPath, index], 'unknown-group', message));
    });
    return meaning.rule;
  };
  const base = parsed.permissions?.base;
  if (base !== undefined && parsed.permissions?.default !== undefined) {
    const message = 'give "default" or the older "base", not both';
    errors.push(configError(source, ['permissions', 'base'], 'contradiction', message));
  }
  const permissions = {
    default:
      base === undefined
        ? rule(parsed.permissions?.default, ['permissions', 'default'])
        : rule({ base }, ['permissions']),
    consumers: Object.fromEntries(
      Object.entries(parsed.permissions?.consumers ?? {}).map(([consumer, written]) => [
        consumer,
        rule(written, ['permissions', 'consumers', consumer]),
      ]),
    ),
  };

  for (const [server, tools] of Object.entries(parsed.toolExtensions.services)) {
    const seen = new Set<string>();
    for (const [tool, extension] of Object.entries(tools)) {
      extension.childTools.forEach((child, index) => {
        const path = ['toolExtensions', 'services', server, tool, 'childTools', index, 'name'];
        if (seen.has(child.name) || (child.name !== tool && Object.hasOwn(tools, child.name))) {
          const message = `child tool ${JSON.stringify(child.name)} is defined twice or shadows a tool`;
          errors.push(configError(source, path, 'contradiction', message));
        }
        seen.add(child.name);
      });
      if (extension.hideParent && extension.childTools.length === 0) {
        const path = ['toolExtensions', 'services', server, tool, 'hideParent'];
        const message = 'hides the tool without child tools; use disabledTools to disable it';
        warnings.push(configError(source, path, 'ignored-value', message, 'warning'));
      }
    }
  }

  if (parsed.auth.enabled && Object.keys(parsed.auth.keys).length === 0) {
    const message =
      'auth is enabled but no keys exist: every request is refused (`airlock keys create CONSUMER`)';
    warnings.push(configError(source, ['auth', 'enabled'], 'missing-field', message, 'warning'));
  }
  if (!parsed.auth.enabled) {
    for (const which of ['mcp', 'dashboard'] as const) {
      if (isLoopbackListen(parsed.listen[which])) continue;
      const message = 'listening beyond loopback requires auth.enabled: true';
      errors.push(configError(source, ['listen', which], 'contradiction', message));
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, settings: toSettings(parsed, permissions), warnings };
}

/** MCPX nests extensions under `services`; the settings keep only server → tool → extension. */
function toSettings(parsed: ParsedSettings, permissions: Permissions): GatewaySettings {
  const { toolExtensions, permissions: _written, ...rest } = parsed;
  const extensions = Object.fromEntries(
    Object.entries(toolExtensions.services).map(([server, tools]) => [
      server,
      Object.fromEntries(
        Object.entries(tools).map(([tool, extension]): [string, ToolExtension] => [
          tool,
          {
            hideParent: extension.hideParent,
            childTools: extension.childTools.map((child) => ({
              name: child.name,
              ...(child.description === undefined ? {} : { description: child.description }),
              overrideParams: Object.fromEntries(
                Object.entries(child.overrideParams).map(([param, { value }]) => [
                  param,
                  { value },
                ]),
              ),
            })),
          },
        ]),
      ),
    ]),
  );
  return { ...rest, permissions, toolExtensions: extensions };
}

/** `127.x.x.x`, `[::1]` and `localhost` stay on this machine; anything else (incl. 0.0.0.0) does not. */
export function isLoopbackListen(hostPort: string): boolean {
  const host = hostPort.slice(0, hostPort.lastIndexOf(':')).toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
