// One downstream session's SDK Server: lists from the consumer's view, forwarded calls, and list_changed when the view changes.
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type LoggingLevel,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { withEgressFeedback } from './egress-feedback.ts';
import { registerListView } from './list-fast-path.ts';
import { type CallSite, callContext, forward, JsonRpcFailure } from './session-calls.ts';
import type { SessionCatalog, ViewFingerprints } from './session-catalog.ts';
import type { SessionEnv } from './session-env.ts';
import type { SessionState } from './session-state.ts';

export const GATEWAY_SERVER_INFO = { name: 'airlock', version: '0.1.0' } as const;

export interface GatewaySession {
  readonly state: SessionState;
  readonly server: Server;
  /** Tells the client a resource it subscribed to (by the URI it used) changed. */
  resourceUpdated(exposedUri: string): Promise<void>;
  /** Re-reads the consumer's view; sends list_changed for each list whose fingerprint moved. Returns what was sent. */
  refreshView(): Promise<Array<'tools' | 'prompts' | 'resources'>>;
}

export function toolNotAvailable(name: string): string {
  return `Tool ${name} is not available`;
}

export function createSessionServer(state: SessionState, env: SessionEnv): GatewaySession {
  const server = new Server(GATEWAY_SERVER_INFO, {
    capabilities: {
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true, subscribe: true },
      completions: {},
      logging: {},
    },
  });
  let logLevel: LoggingLevel | null = null;
  const site: CallSite = { state, env, logLevel: () => logLevel };
  const view = (): SessionCatalog => env.catalog(state.consumer);
  // What the client was last told exists; a refresh notifies only the lists that moved since.
  let seen: ViewFingerprints = view().fingerprints;

  registerListView(server, view);
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    return { tools: [...view().tools] };
  });
  server.setRequestHandler(ListPromptsRequestSchema, async () => {
    return { prompts: [...view().prompts] };
  });
  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    return { resources: [...view().resources] };
  });
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => {
    return { resourceTemplates: [...view().resourceTemplates] };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    return forward(site, extra, {
      kind: 'tools/call',
      exposedName: name,
      target: view().tool(name),
      rawArguments: args,
      refusal: toolNotAvailable(name),
      invoke: (upstream, target, ctx) =>
        upstream.callTool(target.upstreamName, target.applyArguments(args), ctx),
      outcomeOf: (result) => (result.isError === true ? 'tool-error' : 'ok'),
      withEgress: withEgressFeedback,
    });
  });
  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    return forward(site, extra, {
      kind: 'prompts/get',
      exposedName: name,
      target: view().prompt(name),
      rawArguments: args,
      refusal: `Prompt ${name} is not available`,
      invoke: (upstream, target, ctx) =>
        upstream.getPrompt(
          target.upstreamName,
          target.applyArguments(args) as Record<string, string>,
          ctx,
        ),
    });
  });
  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const { uri } = request.params;
    return forward(site, extra, {
      kind: 'resources/read',
      exposedName: uri,
      target: view().resource(uri),
      rawArguments: null,
      refusal: `Resource ${uri} is not available`,
      invoke: (upstream, target, ctx) => upstream.readResource(target.upstreamName, ctx),
    });
  });

  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    const target = view().resource(uri);
    if (!target.ok)
      throw new JsonRpcFailure(ErrorCode.InvalidParams, `Resource ${uri} is not available`);
    await env.subscriptions.subscribe(
      { sessionId: state.id, exposedUri: uri },
      target.server,
      target.upstreamName,
    );
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    await env.subscriptions.unsubscribe({ sessionId: state.id, exposedUri: request.params.uri });
    return {};
  });

  server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    const routed = view().completionRef(request.params.ref);
    const upstream = routed && env.upstream(routed.server);
    // Nothing to complete against: an empty answer, as a server without completions would give.
    if (!routed || !upstream) return { completion: { values: [], hasMore: false } };
    return upstream.complete(
      { ...request.params, ref: routed.ref },
      callContext(site, extra, randomUUID()).ctx,
    );
  });
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    logLevel = request.params.level;
    // Upstream connections are shared: the most recent level asked for wins there; this session filters its own.
    await Promise.allSettled(
      view().servers.map((name) => env.upstream(name)?.setLoggingLevel(request.params.level)),
    );
    return {};
  });

  async function refreshView(): Promise<Array<'tools' | 'prompts' | 'resources'>> {
    const now = view().fingerprints;
    const changed = (['tools', 'prompts', 'resources'] as const).filter(
      (kind) => now[kind] !== seen[kind],
    );
    seen = now;
    for (const kind of changed) {
      try {
        if (kind === 'tools') await server.sendToolListChanged();
        else if (kind === 'prompts') await server.sendPromptListChanged();
        else await server.sendResourceListChanged();
      } catch {
        // A session whose stream is gone learns of the change at its next list.
      }
    }
    return changed;
  }

  const resourceUpdated = (uri: string) =>
    server.sendResourceUpdated({ uri }).catch(() => undefined);

  return { state, server, refreshView, resourceUpdated };
}
