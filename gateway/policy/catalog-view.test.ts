// Per-consumer catalog views: what each consumer lists, how names and URIs route back, fingerprints.
import type { Prompt, Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { GatewaySettings } from '../config/types.ts';
import type { UpstreamListing } from './catalog.ts';
import { compileCatalog } from './catalog.ts';
import {
  buildCatalogView,
  listPrompts,
  listResources,
  listResourceTemplates,
  listTools,
  lookupPrompt,
  lookupResourceTemplate,
  lookupTool,
  routeResource,
  toolNotAvailable,
  viewFingerprint,
  viewOfCatalog,
} from './catalog-view.ts';
import { compilePermissions } from './permissions.ts';

const tool = (name: string, description = `${name} tool`): Tool => ({
  name,
  description,
  inputSchema: { type: 'object' },
});
const prompt = (name: string): Prompt => ({ name, description: `${name} prompt` });

const upstreams: UpstreamListing[] = [
  {
    server: 'postgres',
    tools: [tool('query'), tool('list_tables')],
    prompts: [prompt('explain')],
    resources: [
      { uri: 'postgres://db/tables', name: 'tables' },
      { uri: 'file:///README.md', name: 'readme' },
    ],
    resourceTemplates: [{ uriTemplate: 'postgres://db/tables/{table}', name: 'table' }],
  },
  {
    server: 'github',
    tools: [tool('create_issue'), tool('list_issues'), tool('delete_repository')],
    prompts: [prompt('explain'), prompt('triage')],
    resources: [{ uri: 'file:///README.md', name: 'readme' }],
    resourceTemplates: [{ uriTemplate: 'repo://{owner}/{name}', name: 'repo' }],
  },
  {
    server: 'slack',
    tools: [tool('post_message'), tool('list_channels')],
    prompts: [],
    resources: [{ uri: 'slack://channels', name: 'channels' }],
    resourceTemplates: [],
  },
];

const settings: GatewaySettings = {
  permissions: {
    default: { type: 'default-allow', block: [] },
    consumers: {
      'eng-agent': { type: 'default-block', allow: ['engineering'] },
      'cs-agent': { type: 'default-block', allow: ['customer-success'] },
    },
  },
  toolGroups: [
    { name: 'engineering', services: { postgres: '*', github: '*' } },
    { name: 'customer-success', services: { slack: '*' } },
  ],
  auth: { enabled: true, header: 'x-lunar-api-key', keys: {} },
  toolExtensions: {
    github: {
      list_issues: {
        hideParent: false,
        childTools: [{ name: 'list_acme_issues', overrideParams: { owner: { value: 'acme' } } }],
      },
    },
  },
  disabledTools: { github: ['delete_repository'] },
  naming: 'prefix',
  allowedOrigins: [],
  listen: { mcp: '127.0.0.1:9000', dashboard: '127.0.0.1:5173', metrics: '127.0.0.1:3000' },
};
const compiledPermissions = compilePermissions(settings);
const viewFor = (consumer: string, s: GatewaySettings = settings, u = upstreams) =>
  buildCatalogView({
    upstreams: u,
    settings: s,
    consumer,
    compiledPermissions: compilePermissions(s),
  });

describe('buildCatalogView', () => {
  it.each([
    [
      'eng-agent',
      [
        'github__create_issue',
        'github__list_issues',
        'github__list_acme_issues',
        'postgres__query',
        'postgres__list_tables',
      ],
    ],
    ['cs-agent', ['slack__post_message', 'slack__list_channels']],
    [
      'anyone-else',
      [
        'github__create_issue',
        'github__list_issues',
        'github__list_acme_issues',
        'postgres__query',
        'postgres__list_tables',
        'slack__post_message',
        'slack__list_channels',
      ],
    ],
  ])('lists exactly the tools %s may use, never a disabled one', (consumer, expected) => {
    expect(listTools(viewFor(consumer)).map((t) => t.name)).toEqual(expected);
  });

  it('routes an exposed tool name back to its server and upstream tool', () => {
    const view = viewFor('eng-agent');
    expect(lookupTool(view, 'github__list_acme_issues')).toMatchObject({
      server: 'github',
      name: 'list_acme_issues',
      upstreamName: 'list_issues',
      fixedArguments: { owner: 'acme' },
      definition: { name: 'github__list_acme_issues' },
    });
    expect(lookupTool(view, 'list_acme_issues')).toBeUndefined();
  });

  it('keeps why a tool is unavailable for the audit log, and gives the agent only the fixed message', () => {
    const cs = viewFor('cs-agent');
    expect(lookupTool(cs, 'github__create_issue')).toBeUndefined();
    expect(cs.unavailableTools.get('github__create_issue')).toEqual({
      server: 'github',
      upstreamName: 'create_issue',
      rule: 'permissions.consumers.cs-agent',
      reason:
        'consumer cs-agent: default-block, tool github/create_issue is in none of its allowed groups (customer-success)',
    });
    expect(viewFor('eng-agent').unavailableTools.get('github__delete_repository')).toMatchObject({
      rule: 'disabledTools.github',
      reason: 'tool github/delete_repository is disabled for everyone',
    });
    expect(toolNotAvailable('github__create_issue')).toBe(
      'Tool github__create_issue is not available',
    );
  });

  it('shows prompts and resources only of servers the consumer may use', () => {
    const cs = viewFor('cs-agent');
    expect(listPrompts(cs)).toEqual([]);
    expect(listResources(cs).map((r) => r.uri)).toEqual(['slack://channels']);
    expect(lookupPrompt(cs, 'github__triage')).toBeUndefined();
    expect(cs.unavailablePrompts.get('github__triage')).toMatchObject({
      server: 'github',
      upstreamName: 'triage',
    });
    const eng = viewFor('eng-agent');
    expect(listPrompts(eng).map((p) => p.name)).toEqual([
      'github__explain',
      'github__triage',
      'postgres__explain',
    ]);
    expect(lookupPrompt(eng, 'postgres__explain')).toMatchObject({
      server: 'postgres',
      upstreamName: 'explain',
    });
  });

  it('rewrites a URI two servers list and keeps the others', () => {
    const eng = viewFor('eng-agent');
    expect(listResources(eng).map((r) => r.uri)).toEqual([
      'airlock://github/file:///README.md',
      'postgres://db/tables',
      'airlock://postgres/file:///README.md',
    ]);
    expect(listResourceTemplates(eng).map((t) => t.uriTemplate)).toEqual([
      'repo://{owner}/{name}',
      'postgres://db/tables/{table}',
    ]);
  });

  it.each([
    [
      'a listed URI',
      'postgres://db/tables',
      { server: 'postgres', upstreamUri: 'postgres://db/tables' },
    ],
    [
      'a rewritten URI',
      'airlock://github/file:///README.md',
      { server: 'github', upstreamUri: 'file:///README.md' },
    ],
    [
      'a URI from a template',
      'repo://acme/web',
      { server: 'github', upstreamUri: 'repo://acme/web' },
    ],
    [
      'an unlisted URI of a scheme one server uses',
      'postgres://db/views',
      { server: 'postgres', upstreamUri: 'postgres://db/views' },
    ],
    ['an unlisted URI of a scheme two servers use', 'file:///other.md', undefined],
    ['a URI of an unknown scheme', 'gopher://x', undefined],
    ['a rewritten URI of an unknown server', 'airlock://nope/file:///README.md', undefined],
    ['a URI of a server the consumer cannot see', 'slack://channels', undefined],
    [
      'a rewritten URI of a server the consumer cannot see',
      'airlock://slack/slack://channels',
      undefined,
    ],
  ])('routes %s', (_label, uri, expected) => {
    expect(routeResource(viewFor('eng-agent'), uri)).toEqual(expected);
  });

  it('finds a resource template for completions by its exposed form', () => {
    const eng = viewFor('eng-agent');
    expect(lookupResourceTemplate(eng, 'repo://{owner}/{name}')).toEqual({
      server: 'github',
      upstreamUriTemplate: 'repo://{owner}/{name}',
    });
    expect(lookupResourceTemplate(viewFor('cs-agent'), 'repo://{owner}/{name}')).toBeUndefined();
  });

  it('names tools the same for every consumer and whatever order the upstreams came in', () => {
    const none = { ...settings, naming: 'none' as const };
    const a = viewFor('eng-agent', none);
    const b = viewFor('eng-agent', none, [...upstreams].reverse());
    expect(listTools(b)).toEqual(listTools(a));
    expect(listTools(a).map((t) => t.name)).toContain('create_issue');
    // `explain` is offered by two servers, so both get a suffix, also for a consumer that sees one.
    const explain = listPrompts(viewFor('anyone', none)).filter((p) =>
      p.name.startsWith('explain'),
    );
    expect(explain.map((p) => p.name)).toEqual([
      expect.stringMatching(/^explain_[0-9a-f]{6}$/),
      expect.stringMatching(/^explain_[0-9a-f]{6}$/),
    ]);
  });

  it('filters a compiled catalog the same way as a fresh build', () => {
    const catalog = compileCatalog(upstreams, settings);
    expect(viewOfCatalog(catalog, 'eng-agent', compiledPermissions)).toEqual(viewFor('eng-agent'));
  });
});

describe('viewFingerprint', () => {
  const before = {
    eng: viewFingerprint(viewFor('eng-agent')),
    cs: viewFingerprint(viewFor('cs-agent')),
  };
  const changed = (s: GatewaySettings, u = upstreams) => ({
    eng: viewFingerprint(viewFor('eng-agent', s, u)),
    cs: viewFingerprint(viewFor('cs-agent', s, u)),
  });

  it('is the same for the same view, whatever the upstream order', () => {
    expect(changed(settings, [...upstreams].reverse())).toEqual(before);
  });

  it('changes only for the consumer whose permissions changed', () => {
    const after = changed({
      ...settings,
      toolGroups: [
        ...settings.toolGroups.slice(0, 1),
        { name: 'customer-success', services: { slack: ['post_message'] } },
      ],
    });
    expect(after.eng).toEqual(before.eng);
    expect(after.cs.tools).not.toBe(before.cs.tools);
    expect(after.cs.prompts).toBe(before.cs.prompts);
    expect(after.cs.resources).toBe(before.cs.resources);
  });

  it('changes only the tools hash of consumers who see a rewritten description', () => {
    const rewritten = upstreams.map((u) =>
      u.server === 'github'
        ? { ...u, tools: [tool('create_issue', 'Open a ticket'), ...u.tools.slice(1)] }
        : u,
    );
    const after = changed(settings, rewritten);
    expect(after.cs).toEqual(before.cs);
    expect(after.eng.tools).not.toBe(before.eng.tools);
    expect(after.eng.prompts).toBe(before.eng.prompts);
  });

  it('does not change when a tool the consumer cannot see is added', () => {
    const more = upstreams.map((u) =>
      u.server === 'postgres' ? { ...u, tools: [...u.tools, tool('vacuum')] } : u,
    );
    const after = changed(settings, more);
    expect(after.cs).toEqual(before.cs);
    expect(after.eng.tools).not.toBe(before.eng.tools);
  });

  it('changes the resources hash when a visible server adds a resource', () => {
    const more = upstreams.map((u) =>
      u.server === 'slack'
        ? { ...u, resources: [...u.resources, { uri: 'slack://users', name: 'users' }] }
        : u,
    );
    const after = changed(settings, more);
    expect(after.cs.resources).not.toBe(before.cs.resources);
    expect(after.cs.tools).toBe(before.cs.tools);
    expect(after.eng).toEqual(before.eng);
  });
});
