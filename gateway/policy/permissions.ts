// MCPX permissions compiled once per config: which consumer may use which server's tools, and why.
import type { GatewaySettings, PermissionRule, ToolGroup } from '../config/types.ts';
import { PolicyConfigError } from './errors.ts';

export interface PermissionDecision {
  readonly allow: boolean;
  /** One sentence naming the consumer, the rule type, the tool and the groups that decided. */
  readonly reason: string;
  /** Where the deciding setting lives in app.yaml, e.g. `permissions.consumers.cs-agent`. */
  readonly rule: string;
}

/** Per server: groups granting every tool (`*`), and per tool the groups that list it. */
interface ServerGroups {
  readonly wildcard: readonly string[];
  readonly tools: ReadonlyMap<string, readonly string[]>;
}

interface CompiledRule {
  readonly type: PermissionRule['type'];
  /** The `allow` list of a default-block rule, the `block` list of a default-allow rule. */
  readonly groups: readonly string[];
  readonly field: string;
  readonly servers: ReadonlyMap<string, ServerGroups>;
}

export interface CompiledPermissions {
  readonly default: CompiledRule;
  readonly consumers: ReadonlyMap<string, CompiledRule>;
  /** server → `*` or the tools disabled for everyone. */
  readonly disabled: ReadonlyMap<string, '*' | ReadonlySet<string>>;
}

export type PermissionSettings = Pick<
  GatewaySettings,
  'permissions' | 'toolGroups' | 'disabledTools'
>;

/** Throws PolicyConfigError when a rule names a group that does not exist (a typo must not fail open). */
export function compilePermissions(settings: PermissionSettings): CompiledPermissions {
  const groups = indexGroups(settings.toolGroups);
  const consumers = new Map<string, CompiledRule>();
  for (const [consumer, rule] of Object.entries(settings.permissions.consumers)) {
    consumers.set(consumer, compileRule(rule, `permissions.consumers.${consumer}`, groups));
  }
  const disabled = new Map<string, '*' | ReadonlySet<string>>();
  for (const [server, tools] of Object.entries(settings.disabledTools)) {
    disabled.set(server, tools === '*' ? '*' : new Set(tools));
  }
  return {
    default: compileRule(settings.permissions.default, 'permissions.default', groups),
    consumers,
    disabled,
  };
}

/**
 * Disabled tools are denied for everyone first; then the consumer's own rule, else the default.
 * A child tool (`parentTool` given) stands for its parent too: it is disabled or blocked if
 * either name is, and allowed if either name is in an allowed group.
 */
export function decidePermission(
  compiled: CompiledPermissions,
  consumer: string,
  server: string,
  tool: string,
  parentTool?: string,
): PermissionDecision {
  const names = parentTool === undefined || parentTool === tool ? [tool] : [tool, parentTool];
  const subject =
    names.length === 1
      ? `tool ${server}/${tool}`
      : `tool ${server}/${tool} (child of ${parentTool})`;
  const disabled = compiled.disabled.get(server);
  if (disabled !== undefined) {
    const hit = disabled === '*' ? tool : names.find((name) => disabled.has(name));
    if (hit !== undefined) {
      const why =
        hit === tool ? 'is disabled for everyone' : `calls ${hit}, which is disabled for everyone`;
      return { allow: false, reason: `${subject} ${why}`, rule: `disabledTools.${server}` };
    }
  }
  const { rule, label } = ruleFor(compiled, consumer);
  const matched = matchingGroups(rule, server, names);
  const listed = `(${rule.groups.join(', ') || 'none'})`;
  if (rule.type === 'default-allow') {
    if (matched.length > 0) {
      return deny(
        rule,
        `${label}: default-allow, ${subject} is in its blocked groups (${matched.join(', ')})`,
      );
    }
    return allow(
      rule,
      `${label}: default-allow, ${subject} is in none of its blocked groups ${listed}`,
    );
  }
  if (matched.length > 0) {
    return allow(
      rule,
      `${label}: default-block, ${subject} is in its allowed groups (${matched.join(', ')})`,
    );
  }
  return deny(
    rule,
    `${label}: default-block, ${subject} is in none of its allowed groups ${listed}`,
  );
}

/**
 * Whether a consumer sees a server's prompts and resources at all (they have no per-item rules):
 * default-block needs an allowed group that names the server; default-allow hides the server only
 * when a blocked group takes it whole (`*`).
 */
export function decideServerAccess(
  compiled: CompiledPermissions,
  consumer: string,
  server: string,
): PermissionDecision {
  const { rule, label } = ruleFor(compiled, consumer);
  const groups = rule.servers.get(server);
  const listed = `(${rule.groups.join(', ') || 'none'})`;
  if (rule.type === 'default-allow') {
    if (groups && groups.wildcard.length > 0) {
      return deny(
        rule,
        `${label}: default-allow, server ${server} is blocked whole by (${groups.wildcard.join(', ')})`,
      );
    }
    return allow(
      rule,
      `${label}: default-allow, server ${server} is not blocked whole by any of ${listed}`,
    );
  }
  const naming = groups ? unique([...groups.wildcard, ...[...groups.tools.values()].flat()]) : [];
  if (naming.length > 0) {
    return allow(
      rule,
      `${label}: default-block, server ${server} is named by its allowed groups (${naming.join(', ')})`,
    );
  }
  return deny(
    rule,
    `${label}: default-block, server ${server} is in none of its allowed groups ${listed}`,
  );
}

function ruleFor(
  compiled: CompiledPermissions,
  consumer: string,
): { rule: CompiledRule; label: string } {
  const own = compiled.consumers.get(consumer);
  if (own) return { rule: own, label: `consumer ${consumer}` };
  return { rule: compiled.default, label: `consumer ${consumer} (default rule)` };
}

function matchingGroups(rule: CompiledRule, server: string, names: readonly string[]): string[] {
  const groups = rule.servers.get(server);
  if (!groups) return [];
  return unique([...groups.wildcard, ...names.flatMap((name) => groups.tools.get(name) ?? [])]);
}

function allow(rule: CompiledRule, reason: string): PermissionDecision {
  return { allow: true, reason, rule: rule.field };
}

function deny(rule: CompiledRule, reason: string): PermissionDecision {
  return { allow: false, reason, rule: rule.field };
}

/** Group name → server → `*` or tools; groups written twice merge by union. */
function indexGroups(
  toolGroups: readonly ToolGroup[],
): Map<string, Map<string, '*' | Set<string>>> {
  const index = new Map<string, Map<string, '*' | Set<string>>>();
  for (const group of toolGroups) {
    const services = index.get(group.name) ?? new Map<string, '*' | Set<string>>();
    index.set(group.name, services);
    for (const [server, tools] of Object.entries(group.services)) {
      const existing = services.get(server);
      if (existing === '*' || tools === '*') services.set(server, '*');
      else services.set(server, new Set([...(existing ?? []), ...tools]));
    }
  }
  return index;
}

function compileRule(
  rule: PermissionRule,
  field: string,
  groups: ReadonlyMap<string, ReadonlyMap<string, '*' | ReadonlySet<string>>>,
): CompiledRule {
  const names = rule.type === 'default-allow' ? rule.block : rule.allow;
  const listField = rule.type === 'default-allow' ? 'block' : 'allow';
  const wildcard = new Map<string, string[]>();
  const tools = new Map<string, Map<string, string[]>>();
  names.forEach((name, index) => {
    const services = groups.get(name);
    if (!services) {
      const at = `${field}.${listField}[${index}]`;
      throw new PolicyConfigError(
        'unknown-tool-group',
        at,
        `${at}: no tool group named ${JSON.stringify(name)}`,
      );
    }
    for (const [server, list] of services) {
      if (list === '*') {
        pushUnique(wildcard, server, name);
        continue;
      }
      const byTool = tools.get(server) ?? new Map<string, string[]>();
      tools.set(server, byTool);
      for (const tool of list) pushUnique(byTool, tool, name);
    }
  });
  const servers = new Map<string, ServerGroups>();
  for (const server of new Set([...wildcard.keys(), ...tools.keys()])) {
    servers.set(server, {
      wildcard: wildcard.get(server) ?? [],
      tools: tools.get(server) ?? new Map(),
    });
  }
  return { type: rule.type, groups: unique(names), field, servers };
}

function pushUnique(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
