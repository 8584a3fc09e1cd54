// Fetches an upstream's tools, prompts, resources and resource templates, following pagination cursors.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type Prompt,
  PromptListChangedNotificationSchema,
  type Resource,
  ResourceListChangedNotificationSchema,
  type ResourceTemplate,
  type Tool,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod/v4';
import type { UpstreamCatalog } from './upstream-types.ts';

/**
 * Lenient on purpose: entries are kept as the server wrote them (only a name or URI is required), so
 * a server with a slightly off schema still shows its tools and nothing is stripped on the way through.
 */
function pageSchema<K extends string>(key: K, required: 'name' | 'uri' | 'uriTemplate') {
  return z.looseObject({
    [key]: z.array(z.looseObject({ [required]: z.string() })),
    nextCursor: z.string().optional(),
  } as Record<K, z.ZodArray<z.ZodObject>> & { nextCursor: z.ZodOptional<z.ZodString> });
}

export type CatalogList = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

const lists = {
  tools: { method: 'tools/list', schema: pageSchema('tools', 'name') },
  prompts: { method: 'prompts/list', schema: pageSchema('prompts', 'name') },
  resources: { method: 'resources/list', schema: pageSchema('resources', 'uri') },
  resourceTemplates: {
    method: 'resources/templates/list',
    schema: pageSchema('resourceTemplates', 'uriTemplate'),
  },
} as const;

/** A server that keeps returning cursors must not keep the gateway listing forever. */
const maxPages = 100;

export async function fetchList(
  client: Client,
  list: CatalogList,
  timeoutMs: number,
): Promise<unknown[]> {
  const { method, schema } = lists[list];
  const items: unknown[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const params = cursor === undefined ? {} : { cursor };
    const result = (await client.request({ method, params }, schema, {
      timeout: timeoutMs,
    })) as Record<string, unknown>;
    const entries = result[list];
    if (Array.isArray(entries)) items.push(...entries);
    cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
    if (cursor === undefined) break;
  }
  return items;
}

/** Which lists the server declared it has. */
export function declaredLists(client: Client): CatalogList[] {
  const caps = client.getServerCapabilities() ?? {};
  const declared: CatalogList[] = [];
  if (caps.tools) declared.push('tools');
  if (caps.prompts) declared.push('prompts');
  if (caps.resources) declared.push('resources', 'resourceTemplates');
  return declared;
}

export async function fetchCatalog(client: Client, timeoutMs: number): Promise<UpstreamCatalog> {
  const declared = new Set(declaredLists(client));
  const get = async (list: CatalogList): Promise<unknown[]> =>
    declared.has(list) ? fetchList(client, list, timeoutMs) : [];
  const [tools, prompts, resources, resourceTemplates] = await Promise.all([
    get('tools'),
    get('prompts'),
    get('resources'),
    // Templates are optional even for servers with resources: a method-not-found means none.
    get('resourceTemplates').catch(() => []),
  ]);
  return {
    tools: tools as Tool[],
    prompts: prompts as Prompt[],
    resources: resources as Resource[],
    resourceTemplates: resourceTemplates as ResourceTemplate[],
    capabilities: client.getServerCapabilities() ?? {},
    serverInfo: client.getServerVersion(),
    instructions: client.getInstructions(),
  };
}

/** Refetches a list when the server announces `notifications/<list>/list_changed`. */
export function watchListChanges(
  client: Client,
  timeoutMs: number,
  on: {
    onList(list: CatalogList, items: unknown[]): void;
    onError(list: CatalogList, error: unknown): void;
  },
): void {
  const refresh = async (list: CatalogList): Promise<void> => {
    try {
      on.onList(list, await fetchList(client, list, timeoutMs));
    } catch (error) {
      on.onError(list, error);
    }
  };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => refresh('tools'));
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => refresh('prompts'));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, async () => {
    await refresh('resources');
    await refresh('resourceTemplates');
  });
}
