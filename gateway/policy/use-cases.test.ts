// The article's access-control use cases, end to end through the pure policy: key → consumer → view → call.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../config/api-keys.ts';
import type { GatewaySettings, ToolExtension } from '../config/types.ts';
import type { UpstreamListing } from './catalog.ts';
import { buildCatalogView, listTools, lookupTool, toolNotAvailable } from './catalog-view.ts';
import { resolveIdentity } from './identity.ts';
import { compilePermissions, decidePermission } from './permissions.ts';
import { applyFixedArguments } from './tool-extensions.ts';

const tool = (name: string): Tool => ({
  name,
  description: `upstream text for ${name}`,
  inputSchema: { type: 'object' },
});
const listing = (server: string, tools: string[]): UpstreamListing => ({
  server,
  tools: tools.map(tool),
  prompts: [],
  resources: [],
  resourceTemplates: [],
});
const base: Omit<
  GatewaySettings,
  'permissions' | 'toolGroups' | 'toolExtensions' | 'disabledTools'
> = {
  auth: { enabled: true, header: 'x-lunar-api-key', keys: {} },
  naming: 'prefix',
  allowedOrigins: [],
  listen: { mcp: '127.0.0.1:9000', dashboard: '127.0.0.1:5173', metrics: '127.0.0.1:3000' },
};

describe('multi-team access control (one gateway, two teams, three servers)', () => {
  const ENG_KEY = 'alk_eng-agent-key';
  const CS_KEY = 'alk_cs-agent-key';
  const settings: GatewaySettings = {
    ...base,
    auth: {
      enabled: true,
      header: 'x-lunar-api-key',
      keys: { 'eng-agent': hashApiKey(ENG_KEY), 'cs-agent': hashApiKey(CS_KEY) },
    },
    toolGroups: [
      { name: 'Engineering', services: { postgres: '*', github: '*' } },
      { name: 'Customer Success', services: { slack: '*' } },
    ],
    permissions: {
      default: { type: 'default-block', allow: [] },
      consumers: {
        'eng-agent': { type: 'default-block', allow: ['Engineering'] },
        'cs-agent': { type: 'default-block', allow: ['Customer Success'] },
      },
    },
    toolExtensions: {},
    disabledTools: {},
  };
  const upstreams = [
    listing('postgres', ['query', 'list_schemas']),
    listing('github', ['list_issues', 'create_issue']),
    listing('slack', ['list_channels', 'post_message']),
  ];
  const compiled = compilePermissions(settings);
  const viewForKey = (key: string, tag: string) => {
    const identity = resolveIdentity({
      headers: { 'x-lunar-consumer-tag': tag, 'x-lunar-api-key': key },
      auth: settings.auth,
    });
    if (!identity.ok) throw new Error(identity.message);
    return buildCatalogView({
      upstreams,
      settings,
      consumer: identity.consumer,
      compiledPermissions: compiled,
    });
  };

  it('shows the engineering agent only Postgres and GitHub tools', () => {
    const view = viewForKey(ENG_KEY, 'Claude Code (eng)');
    expect(view.consumer).toBe('eng-agent');
    expect(listTools(view).map((t) => t.name)).toEqual([
      'github__list_issues',
      'github__create_issue',
      'postgres__query',
      'postgres__list_schemas',
    ]);
  });

  it('shows the customer success agent only Slack tools', () => {
    const view = viewForKey(CS_KEY, 'Claude Code (cs)');
    expect(view.consumer).toBe('cs-agent');
    expect(listTools(view).map((t) => t.name)).toEqual([
      'slack__list_channels',
      'slack__post_message',
    ]);
  });

  it.each([
    [
      ENG_KEY,
      'slack__post_message',
      'consumer eng-agent: default-block, tool slack/post_message is in none of its allowed groups (Engineering)',
    ],
    [
      CS_KEY,
      'postgres__query',
      'consumer cs-agent: default-block, tool postgres/query is in none of its allowed groups (Customer Success)',
    ],
    [
      CS_KEY,
      'github__create_issue',
      'consumer cs-agent: default-block, tool github/create_issue is in none of its allowed groups (Customer Success)',
    ],
  ])(
    'refuses a call to the other team’s tool before any upstream is chosen (%#)',
    (key, name, reason) => {
      const view = viewForKey(key, 'Claude Code (pretending)');
      expect(lookupTool(view, name)).toBeUndefined();
      expect(view.unavailableTools.get(name)?.reason).toBe(reason);
      expect(toolNotAvailable(name)).toBe(`Tool ${name} is not available`);
    },
  );

  it('refuses an agent without a key, and one with an unknown key', () => {
    expect(
      resolveIdentity({ headers: { 'x-lunar-consumer-tag': 'eng-agent' }, auth: settings.auth }),
    ).toMatchObject({ ok: false, status: 401 });
    expect(
      resolveIdentity({ headers: { 'x-lunar-api-key': 'alk_guess' }, auth: settings.auth }),
    ).toMatchObject({ ok: false, status: 403 });
  });
});

describe('tool-level restrictions (a GitHub server with about 40 tools)', () => {
  const DESTRUCTIVE = [
    'delete_repository',
    'update_branch_protection',
    'remove_collaborator',
    'delete_branch',
  ];
  const SAFE = [
    'get_me',
    'search_repositories',
    'get_repository',
    'create_repository',
    'fork_repository',
    'list_branches',
    'create_branch',
    'get_file_contents',
    'create_or_update_file',
    'push_files',
    'list_commits',
    'get_commit',
    'search_code',
    'list_issues',
    'get_issue',
    'create_issue',
    'update_issue',
    'add_issue_comment',
    'search_issues',
    'list_pull_requests',
    'get_pull_request',
    'create_pull_request',
    'update_pull_request',
    'merge_pull_request',
    'get_pull_request_files',
    'get_pull_request_diff',
    'create_pull_request_review',
    'get_pull_request_reviews',
    'list_tags',
    'get_tag',
    'list_releases',
    'get_latest_release',
    'list_workflows',
    'list_workflow_runs',
    'get_workflow_run',
    'list_notifications',
  ];
  const rewritten = (name: string) => `Clearer: what ${name} does and when to use it.`;
  const toolExtensions: Record<string, ToolExtension> = Object.fromEntries(
    SAFE.map((name) => [
      name,
      {
        hideParent: false,
        childTools: [
          { name, description: { action: 'rewrite', text: rewritten(name) }, overrideParams: {} },
        ],
      },
    ]),
  );
  const settings: GatewaySettings = {
    ...base,
    toolGroups: [{ name: 'Engineering', services: { github: '*' } }],
    permissions: { default: { type: 'default-block', allow: ['Engineering'] }, consumers: {} },
    toolExtensions: { github: toolExtensions },
    disabledTools: { github: DESTRUCTIVE },
  };
  const upstreams = [listing('github', [...SAFE.slice(0, 20), ...DESTRUCTIVE, ...SAFE.slice(20)])];
  const compiled = compilePermissions(settings);
  const view = buildCatalogView({
    upstreams,
    settings,
    consumer: 'eng-agent',
    compiledPermissions: compiled,
  });

  it('never shows the four destructive tools', () => {
    expect(SAFE.length + DESTRUCTIVE.length).toBe(40);
    const names = listTools(view).map((t) => t.name);
    expect(names).toEqual(SAFE.map((name) => `github__${name}`));
  });

  it('shows every remaining tool with its rewritten description, calling the same upstream tool', () => {
    for (const definition of listTools(view)) {
      const upstreamName = definition.name.replace(/^github__/, '');
      expect(definition.description).toBe(rewritten(upstreamName));
      expect(lookupTool(view, definition.name)).toMatchObject({
        server: 'github',
        upstreamName,
        fixedArguments: {},
      });
    }
    const issue = lookupTool(view, 'github__create_issue')!;
    expect(applyFixedArguments(issue, { title: 't' })).toEqual({ title: 't' });
  });

  it.each(DESTRUCTIVE)('refuses a call to %s at the gateway', (name) => {
    const exposed = `github__${name}`;
    expect(lookupTool(view, exposed)).toBeUndefined();
    expect(view.unavailableTools.get(exposed)).toEqual({
      server: 'github',
      upstreamName: name,
      rule: 'disabledTools.github',
      reason: `tool github/${name} is disabled for everyone`,
    });
    expect(decidePermission(compiled, 'any-consumer', 'github', name).allow).toBe(false);
  });
});
