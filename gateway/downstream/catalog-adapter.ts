// Turns a consumer's CatalogView (policy) into the SessionCatalog a session server reads; built once per view, shared by sessions.
import {
  type CatalogView,
  listPrompts,
  listResources,
  listResourceTemplates,
  listTools,
  lookupPrompt,
  lookupResourceTemplate,
  lookupTool,
  routeResource,
  type Unavailable,
  viewFingerprint,
} from '../policy/catalog-view.ts';
import { applyFixedArguments } from '../policy/tool-extensions.ts';
import type { SessionCatalog, Target } from './session-catalog.ts';

function refused(unavailable: Unavailable | undefined, otherwise: string): Target {
  if (unavailable === undefined) return { ok: false, reason: otherwise };
  return {
    ok: false,
    reason: unavailable.reason,
    server: unavailable.server,
    upstreamName: unavailable.upstreamName,
  };
}

const passArguments = (args: Readonly<Record<string, unknown>>) => ({ ...args });

export function sessionCatalogFromView(view: CatalogView): SessionCatalog {
  const tools = listTools(view);
  const prompts = listPrompts(view);
  const resources = listResources(view);
  const resourceTemplates = listResourceTemplates(view);
  return {
    tools,
    prompts,
    resources,
    resourceTemplates,
    fingerprints: viewFingerprint(view),
    servers: [...view.servers],
    tool(name): Target {
      const tool = lookupTool(view, name);
      if (tool === undefined) return refused(view.unavailableTools.get(name), 'no such tool');
      return {
        ok: true,
        server: tool.server,
        upstreamName: tool.upstreamName,
        applyArguments: (args) => applyFixedArguments(tool, args),
      };
    },
    prompt(name): Target {
      const prompt = lookupPrompt(view, name);
      if (prompt === undefined) return refused(view.unavailablePrompts.get(name), 'no such prompt');
      return {
        ok: true,
        server: prompt.server,
        upstreamName: prompt.upstreamName,
        applyArguments: passArguments,
      };
    },
    resource(uri): Target {
      const route = routeResource(view, uri);
      if (route === undefined)
        return { ok: false, reason: 'no visible server offers this resource' };
      return {
        ok: true,
        server: route.server,
        upstreamName: route.upstreamUri,
        applyArguments: passArguments,
      };
    },
    completionRef(ref) {
      if (ref.type === 'ref/prompt') {
        const prompt = lookupPrompt(view, ref.name);
        return prompt && { server: prompt.server, ref: { ...ref, name: prompt.upstreamName } };
      }
      const template = lookupResourceTemplate(view, ref.uri);
      if (template)
        return { server: template.server, ref: { ...ref, uri: template.upstreamUriTemplate } };
      const route = routeResource(view, ref.uri);
      return route && { server: route.server, ref: { ...ref, uri: route.upstreamUri } };
    },
  };
}
