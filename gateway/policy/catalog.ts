// Everything the upstreams offer, named and customised once for all consumers; views filter it per consumer.
import type { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { GatewaySettings } from '../config/types.ts';
import { exposeNames, nameKey } from './naming.ts';
import {
  mapResourceUris,
  mapTemplateUris,
  REWRITE_PREFIX,
  templateMatcher,
  uriKey,
  uriScheme,
} from './resource-uris.ts';
import { extendTools } from './tool-extensions.ts';

/** What one upstream listed, as its client last saw it. */
export interface UpstreamListing {
  readonly server: string;
  readonly tools: readonly Tool[];
  readonly prompts: readonly Prompt[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
}

export interface CatalogTool {
  readonly server: string;
  /** The name agents use. */
  readonly exposedName: string;
  /** The name on the server's side of the gateway: a child tool's own name, else the upstream's. */
  readonly name: string;
  /** The tool the upstream runs (a child's parent). */
  readonly upstreamName: string;
  /** What tools/list returns: customised, with the exposed name. */
  readonly definition: Tool;
  /** Laid over the agent's arguments on every call (see applyFixedArguments). */
  readonly fixedArguments: Readonly<Record<string, unknown>>;
}

export interface CatalogPrompt {
  readonly server: string;
  readonly upstreamName: string;
  readonly exposedName: string;
  readonly definition: Prompt;
}

export interface CatalogResource {
  readonly server: string;
  readonly upstreamUri: string;
  readonly definition: Resource;
}

export interface CatalogResourceTemplate {
  readonly server: string;
  readonly upstreamUriTemplate: string;
  readonly definition: ResourceTemplate;
  /** Matches URIs expanded from the exposed template; undefined when it cannot be parsed. */
  readonly matcher: UriTemplate | undefined;
}

export interface Catalog {
  readonly servers: readonly string[];
  readonly tools: readonly CatalogTool[];
  readonly prompts: readonly CatalogPrompt[];
  readonly resources: readonly CatalogResource[];
  readonly resourceTemplates: readonly CatalogResourceTemplate[];
  /** server → URI schemes of its resources and templates that kept their URI. */
  readonly schemes: ReadonlyMap<string, ReadonlySet<string>>;
}

export type CatalogSettings = Pick<GatewaySettings, 'toolExtensions' | 'naming'>;

/**
 * Names are computed over every tool and prompt the upstreams list, hidden or disabled alike, so
 * a permission change never renames what another consumer sees and a name means one thing for
 * everyone (and in the audit log).
 */
export function compileCatalog(
  upstreams: readonly UpstreamListing[],
  settings: CatalogSettings,
): Catalog {
  const listings = [...upstreams].sort((a, b) =>
    a.server < b.server ? -1 : a.server > b.server ? 1 : 0,
  );
  const extended = listings.flatMap((listing) =>
    extendTools(listing.server, listing.tools, settings.toolExtensions[listing.server] ?? {}).map(
      (tool) => ({ server: listing.server, tool }),
    ),
  );
  const toolNames = exposeNames(
    extended.map(({ server, tool }) => ({ server, name: tool.name })),
    settings.naming,
  );
  const tools = extended.map(({ server, tool }): CatalogTool => {
    const exposedName = toolNames.exposed.get(nameKey(server, tool.name))!;
    return {
      server,
      exposedName,
      name: tool.name,
      upstreamName: tool.upstreamName,
      definition: { ...tool.definition, name: exposedName },
      fixedArguments: tool.fixedArguments,
    };
  });

  const promptEntries = listings.flatMap((l) =>
    l.prompts.map((prompt) => ({ server: l.server, prompt })),
  );
  const promptNames = exposeNames(
    promptEntries.map(({ server, prompt }) => ({ server, name: prompt.name })),
    settings.naming,
  );
  const prompts = promptEntries.map(({ server, prompt }): CatalogPrompt => {
    const exposedName = promptNames.exposed.get(nameKey(server, prompt.name))!;
    return {
      server,
      upstreamName: prompt.name,
      exposedName,
      definition: { ...prompt, name: exposedName },
    };
  });

  const resourceUris = listings.flatMap((l) =>
    l.resources.map((r) => ({ server: l.server, uri: r.uri })),
  );
  const templateUris = listings.flatMap((l) =>
    l.resourceTemplates.map((t) => ({ server: l.server, uri: t.uriTemplate })),
  );
  const resourceMap = mapResourceUris(resourceUris);
  const templateMap = mapTemplateUris(templateUris, resourceUris);
  const resources = listings.flatMap((l) =>
    l.resources.map((resource): CatalogResource => {
      const uri = resourceMap.get(uriKey(l.server, resource.uri))!;
      return { server: l.server, upstreamUri: resource.uri, definition: { ...resource, uri } };
    }),
  );
  const resourceTemplates = listings.flatMap((l) =>
    l.resourceTemplates.map((template): CatalogResourceTemplate => {
      const uriTemplate = templateMap.get(uriKey(l.server, template.uriTemplate))!;
      return {
        server: l.server,
        upstreamUriTemplate: template.uriTemplate,
        definition: { ...template, uriTemplate },
        matcher: templateMatcher(uriTemplate),
      };
    }),
  );
  return {
    servers: listings.map((l) => l.server),
    tools,
    prompts,
    resources,
    resourceTemplates,
    schemes: schemesByServer(resources, resourceTemplates),
  };
}

function schemesByServer(
  resources: readonly CatalogResource[],
  templates: readonly CatalogResourceTemplate[],
): Map<string, Set<string>> {
  const schemes = new Map<string, Set<string>>();
  const add = (server: string, uri: string) => {
    const scheme = uriScheme(uri);
    if (scheme === undefined || uri.startsWith(REWRITE_PREFIX)) return;
    const set = schemes.get(server) ?? new Set<string>();
    set.add(scheme);
    schemes.set(server, set);
  };
  for (const r of resources) add(r.server, r.definition.uri);
  for (const t of templates) add(t.server, t.definition.uriTemplate);
  return schemes;
}
