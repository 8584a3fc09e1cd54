// One consumer's view of the catalog: what it may list and call, how its names and URIs route back.
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { GatewaySettings } from '../config/types.ts';
import {
  type Catalog,
  type CatalogPrompt,
  type CatalogResource,
  type CatalogResourceTemplate,
  type CatalogTool,
  compileCatalog,
  type UpstreamListing,
} from './catalog.ts';
import { type CompiledPermissions, decidePermission, decideServerAccess } from './permissions.ts';
import { parseRewrittenUri, uriScheme } from './resource-uris.ts';
import { fingerprintOf } from './stable-hash.ts';

/** Something in the catalog this consumer may not use, and why (for the audit log, never the agent). */
export interface Unavailable {
  readonly server: string;
  readonly upstreamName: string;
  readonly reason: string;
  readonly rule: string;
}

export interface CatalogView {
  readonly consumer: string;
  /** exposed name → tool; `definition` carries the exposed name. */
  readonly tools: ReadonlyMap<string, CatalogTool>;
  readonly prompts: ReadonlyMap<string, CatalogPrompt>;
  /** exposed URI → resource. */
  readonly resources: ReadonlyMap<string, CatalogResource>;
  /** exposed URI template → template. */
  readonly resourceTemplates: ReadonlyMap<string, CatalogResourceTemplate>;
  /** Servers whose prompts and resources this consumer sees. */
  readonly servers: ReadonlySet<string>;
  readonly unavailableTools: ReadonlyMap<string, Unavailable>;
  readonly unavailablePrompts: ReadonlyMap<string, Unavailable>;
  readonly schemes: Catalog['schemes'];
}

export interface CatalogViewInput {
  readonly upstreams: readonly UpstreamListing[];
  readonly settings: Pick<GatewaySettings, 'toolExtensions' | 'naming'>;
  readonly consumer: string;
  readonly compiledPermissions: CompiledPermissions;
}

export interface ResourceRoute {
  readonly server: string;
  readonly upstreamUri: string;
}

export interface ViewFingerprint {
  readonly tools: string;
  readonly prompts: string;
  readonly resources: string;
}

/** Compiles the catalog and filters it; with many sessions, compile once and call `viewOfCatalog`. */
export function buildCatalogView(input: CatalogViewInput): CatalogView {
  return viewOfCatalog(
    compileCatalog(input.upstreams, input.settings),
    input.consumer,
    input.compiledPermissions,
  );
}

/** Tools by permission (a child also by its parent); prompts and resources by server access. */
export function viewOfCatalog(
  catalog: Catalog,
  consumer: string,
  compiled: CompiledPermissions,
): CatalogView {
  const servers = new Set(
    catalog.servers.filter((server) => decideServerAccess(compiled, consumer, server).allow),
  );
  const tools = new Map<string, CatalogTool>();
  const unavailableTools = new Map<string, Unavailable>();
  for (const tool of catalog.tools) {
    const parent = tool.upstreamName === tool.name ? undefined : tool.upstreamName;
    const decision = decidePermission(compiled, consumer, tool.server, tool.name, parent);
    if (decision.allow) tools.set(tool.exposedName, tool);
    else
      unavailableTools.set(tool.exposedName, unavailable(tool.server, tool.upstreamName, decision));
  }
  const prompts = new Map<string, CatalogPrompt>();
  const unavailablePrompts = new Map<string, Unavailable>();
  for (const prompt of catalog.prompts) {
    if (servers.has(prompt.server)) prompts.set(prompt.exposedName, prompt);
    else {
      const decision = decideServerAccess(compiled, consumer, prompt.server);
      unavailablePrompts.set(
        prompt.exposedName,
        unavailable(prompt.server, prompt.upstreamName, decision),
      );
    }
  }
  const resources = new Map<string, CatalogResource>();
  for (const resource of catalog.resources) {
    if (servers.has(resource.server)) resources.set(resource.definition.uri, resource);
  }
  const resourceTemplates = new Map<string, CatalogResourceTemplate>();
  for (const template of catalog.resourceTemplates) {
    if (servers.has(template.server))
      resourceTemplates.set(template.definition.uriTemplate, template);
  }
  return {
    consumer,
    tools,
    prompts,
    resources,
    resourceTemplates,
    servers,
    unavailableTools,
    unavailablePrompts,
    schemes: catalog.schemes,
  };
}

export function lookupTool(view: CatalogView, name: string): CatalogTool | undefined {
  return view.tools.get(name);
}

export function lookupPrompt(view: CatalogView, name: string): CatalogPrompt | undefined {
  return view.prompts.get(name);
}

/** For `completion/complete` with a `ref/resource`: the template as its upstream wrote it. */
export function lookupResourceTemplate(
  view: CatalogView,
  uriTemplate: string,
): { server: string; upstreamUriTemplate: string } | undefined {
  const template = view.resourceTemplates.get(uriTemplate);
  return template && { server: template.server, upstreamUriTemplate: template.upstreamUriTemplate };
}

/** The exact message an agent gets for a tool it may not use, or one that does not exist. */
export function toolNotAvailable(name: string): string {
  return `Tool ${name} is not available`;
}

/**
 * In order: a rewritten `airlock://<server>/…` URI; a listed resource; a template that only one
 * visible server's template matches; a scheme only one visible server uses. Otherwise undefined
 * (the runtime answers "resource not found"); servers the consumer cannot see are never chosen.
 */
export function routeResource(view: CatalogView, uri: string): ResourceRoute | undefined {
  const rewritten = parseRewrittenUri(uri);
  if (rewritten) return view.servers.has(rewritten.server) ? rewritten : undefined;
  const listed = view.resources.get(uri);
  if (listed) return { server: listed.server, upstreamUri: listed.upstreamUri };
  const byTemplate = new Set<string>();
  for (const template of view.resourceTemplates.values()) {
    if (template.matcher?.match(uri) != null) byTemplate.add(template.server);
  }
  const templateServer = onlyOne(byTemplate);
  if (templateServer !== undefined) return { server: templateServer, upstreamUri: uri };
  if (byTemplate.size > 1) return undefined;
  const scheme = uriScheme(uri);
  if (scheme === undefined) return undefined;
  const byScheme = new Set(
    [...view.servers].filter((server) => view.schemes.get(server)?.has(scheme)),
  );
  const schemeServer = onlyOne(byScheme);
  return schemeServer === undefined ? undefined : { server: schemeServer, upstreamUri: uri };
}

/** What tools/list, prompts/list and resources/list return for this view. */
export function listTools(view: CatalogView): Tool[] {
  return [...view.tools.values()].map((tool) => tool.definition);
}

export function listPrompts(view: CatalogView): Prompt[] {
  return [...view.prompts.values()].map((prompt) => prompt.definition);
}

export function listResources(view: CatalogView): Resource[] {
  return [...view.resources.values()].map((resource) => resource.definition);
}

export function listResourceTemplates(view: CatalogView): ResourceTemplate[] {
  return [...view.resourceTemplates.values()].map((template) => template.definition);
}

/**
 * Hashes of what the agent is shown, one per list-changed notification kind. Independent of
 * list order, and of anything the agent does not see (routing, fixed values, hidden tools).
 */
export function viewFingerprint(view: CatalogView): ViewFingerprint {
  return {
    tools: fingerprintOf([...view.tools].map(([name, tool]) => [name, tool.definition])),
    prompts: fingerprintOf([...view.prompts].map(([name, prompt]) => [name, prompt.definition])),
    resources: fingerprintOf([
      ...[...view.resources].map(([uri, r]): [string, unknown] => [
        `resource ${uri}`,
        r.definition,
      ]),
      ...[...view.resourceTemplates].map(([uri, t]): [string, unknown] => [
        `template ${uri}`,
        t.definition,
      ]),
    ]),
  };
}

function unavailable(
  server: string,
  upstreamName: string,
  decision: { reason: string; rule: string },
): Unavailable {
  return { server, upstreamName, reason: decision.reason, rule: decision.rule };
}

function onlyOne(values: ReadonlySet<string>): string | undefined {
  return values.size === 1 ? [...values][0] : undefined;
}
