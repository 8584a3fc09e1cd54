// The article's gateway use cases end to end: real team servers, keys from `airlock keys`, SDK clients, the audit log.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DESTRUCTIVE_GITHUB_TOOLS, GITHUB_TOOLS } from './fixtures/use-cases/github-tools.ts';
import {
  airlock,
  answer,
  auditRows,
  callsReceived,
  createKey,
  teamServer,
} from './fixtures/use-cases/team-harness.ts';
import { startTestGateway, type TestGateway } from './support/gateway-harness.ts';

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name).sort();
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'airlock-use-cases-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('multi-team access control: Engineering gets postgres + github, Customer Success gets slack', () => {
  let gw: TestGateway;
  let calls: string;
  let engKey: string;
  let csKey: string;
  let eng: Client;
  let cs: Client;

  beforeAll(async () => {
    calls = await mkdtemp(join(scratch, 'teams-'));
    gw = await startTestGateway({
      servers: {
        postgres: teamServer('postgres', calls),
        github: teamServer('github', calls),
        slack: teamServer('slack', calls),
      },
      app: stringify({
        toolGroups: [
          { name: 'Engineering', services: { postgres: '*', github: '*' } },
          { name: 'Customer Success', services: { slack: '*' } },
        ],
        permissions: {
          default: { _type: 'default-block', allow: [] },
          consumers: {
            'eng-agent': { allow: ['Engineering'] },
            'cs-agent': { allow: ['Customer Success'] },
          },
        },
        auth: { enabled: true, keys: {} },
      }),
      options: { watch: false },
    });
    // Keys minted the way an operator does it, while the gateway runs; a reload picks them up.
    engKey = await createKey(gw.configDir, 'eng-agent');
    csKey = await createKey(gw.configDir, 'cs-agent');
    expect(await gw.gateway.reload()).toEqual({ result: 'success', errors: [] });
    eng = await gw.connect({
      name: 'claude-code',
      headers: { 'x-lunar-api-key': engKey, 'x-lunar-consumer-tag': 'Claude Code (eng)' },
    });
    cs = await gw.connect({
      name: 'claude-code',
      headers: { 'x-lunar-api-key': csKey, 'x-lunar-consumer-tag': 'Claude Code (cs)' },
    });
  }, 20_000);
  afterAll(async () => {
    await gw?.close();
  });

  it('keeps only the hashes of the minted keys in app.yaml', async () => {
    const app = await readFile(join(gw.configDir, 'app.yaml'), 'utf8');
    expect(app).not.toContain(engKey);
    expect(app).not.toContain(csKey);
    expect(app).toMatch(/eng-agent: sha256:[0-9a-f]{64}/);
  });

  it("lists each agent's own team's tools and nothing else", async () => {
    expect(await toolNames(eng)).toEqual(
      [
        ...['list_schemas', 'describe_table', 'query', 'secret_status'].map(
          (t) => `postgres__${t}`,
        ),
        ...[...GITHUB_TOOLS, 'secret_status'].map((t) => `github__${t}`),
      ].sort(),
    );
    expect(await toolNames(cs)).toEqual(
      ['list_channels', 'post_message', 'get_channel_history', 'secret_status']
        .map((t) => `slack__${t}`)
        .sort(),
    );
  });

  it('runs a tool of the agent’s own team', async () => {
    const result = await cs.callTool({ name: 'slack__list_channels', arguments: {} });
    expect(answer(result)).toEqual([
      { id: 'C001', name: 'general' },
      { id: 'C002', name: 'random' },
    ]);
    const rows = await eng.callTool({ name: 'postgres__query', arguments: { sql: 'select 1' } });
    expect(answer(rows)).toEqual({ rows: [{ count: 42 }] });
  });

  it.each([
    ['eng-agent', 'slack__post_message', 'slack', { channel_id: 'C001', text: 'from eng' }],
    ['cs-agent', 'postgres__query', 'postgres', { sql: 'select * from customers -- from cs' }],
    ['cs-agent', 'github__create_issue', 'github', { owner: 'acme', repo: 'from-cs' }],
  ] as const)(
    'refuses %s a tool of the other team (%s) before it reaches the server',
    async (consumer, name, server, args) => {
      const client = consumer === 'eng-agent' ? eng : cs;
      await expect(client.callTool({ name, arguments: args })).rejects.toThrow(
        `Tool ${name} is not available`,
      );
      // Only this attempt's arguments: the other agent may use the same tool legitimately.
      const received = await callsReceived(calls, server);
      expect(
        received.filter((call) => JSON.stringify(call.arguments) === JSON.stringify(args)),
      ).toEqual([]);
      const denied = auditRows(gw.dataDir).filter(
        (row) => row.exposedName === name && row.outcome === 'denied',
      );
      expect(denied).toHaveLength(1);
      expect(denied[0]).toMatchObject({ consumer, clientName: 'claude-code', kind: 'tools/call' });
    },
  );

  it('records the allowed calls under the key’s consumer, never the consumer tag, and the chain verifies', async () => {
    await eng.callTool({ name: 'github__list_issues', arguments: { owner: 'acme', repo: 'api' } });
    const rows = auditRows(gw.dataDir);
    const issues = rows.find((row) => row.exposedName === 'github__list_issues');
    expect(issues).toMatchObject({
      consumer: 'eng-agent',
      clientName: 'claude-code',
      server: 'github',
      target: 'list_issues',
      outcome: 'ok',
      arguments: JSON.stringify({ owner: 'acme', repo: 'api' }),
    });
    expect(rows.map((row) => row.consumer)).not.toContain('Claude Code (eng)');
    expect(rows.map((row) => row.consumer)).not.toContain('Claude Code (cs)');
    const verify = await airlock(['audit', 'verify', '--data', gw.dataDir]);
    expect(verify).toMatchObject({ code: 0, stderr: '' });
    expect(verify.stdout).toMatch(/^\d+ rows, chain intact/);
  });
});

describe('tool-level restrictions: a GitHub server without its four destructive tools', () => {
  let gw: TestGateway;
  let calls: string;
  let agent: Client;
  const rewritten = (tool: string) =>
    `Engineering's wording for ${tool}: use it on acme repos only.`;
  const kept = [...GITHUB_TOOLS, 'secret_status'].filter(
    (tool) => !(DESTRUCTIVE_GITHUB_TOOLS as readonly string[]).includes(tool),
  );

  beforeAll(async () => {
    calls = await mkdtemp(join(scratch, 'github-'));
    const services = Object.fromEntries(
      kept.map((tool) => [
        tool,
        { childTools: [{ name: tool, description: { action: 'rewrite', text: rewritten(tool) } }] },
      ]),
    );
    gw = await startTestGateway({
      servers: { github: teamServer('github', calls) },
      app: stringify({
        disabledTools: { github: [...DESTRUCTIVE_GITHUB_TOOLS] },
        toolExtensions: { services: { github: services } },
      }),
      options: { watch: false },
    });
    agent = await gw.connect({ headers: { 'x-lunar-consumer-tag': 'eng' } });
  }, 20_000);
  afterAll(async () => {
    await gw?.close();
  });

  it('never lists the four destructive tools, and lists every other with its rewritten description', async () => {
    const { tools } = await agent.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(kept.map((t) => `github__${t}`).sort());
    expect(kept.length).toBe(37);
    for (const tool of tools) {
      expect(tool.description).toBe(rewritten(tool.name.replace(/^github__/, '')));
    }
  });

  it.each(DESTRUCTIVE_GITHUB_TOOLS)(
    'refuses github__%s before it reaches the server',
    async (tool) => {
      await expect(
        agent.callTool({ name: `github__${tool}`, arguments: { owner: 'acme', repo: 'api' } }),
      ).rejects.toThrow(`Tool github__${tool} is not available`);
      expect((await callsReceived(calls, 'github')).map((call) => call.tool)).not.toContain(tool);
      const row = auditRows(gw.dataDir).find((r) => r.exposedName === `github__${tool}`);
      expect(row).toMatchObject({ outcome: 'denied', server: 'github', consumer: 'eng' });
    },
  );

  it('runs a tool with a rewritten description under its upstream name', async () => {
    const result = await agent.callTool({
      name: 'github__create_issue',
      arguments: { owner: 'acme', repo: 'api' },
    });
    expect(answer(result)).toEqual({ tool: 'create_issue', ok: true, owner: 'acme', repo: 'api' });
    expect(await callsReceived(calls, 'github')).toContainEqual({
      tool: 'create_issue',
      arguments: { owner: 'acme', repo: 'api' },
    });
  });
});

describe('tool customization: post_to_general, a Slack post_message with its channel fixed', () => {
  let gw: TestGateway;
  let calls: string;
  let agent: Client;

  beforeAll(async () => {
    calls = await mkdtemp(join(scratch, 'slack-'));
    gw = await startTestGateway({
      servers: { slack: teamServer('slack', calls) },
      app: stringify({
        toolExtensions: {
          services: {
            slack: {
              post_message: {
                hideParent: true,
                childTools: [
                  {
                    name: 'post_to_general',
                    description: { action: 'rewrite', text: 'Post a message to #general.' },
                    overrideParams: { channel_id: { value: 'C001' } },
                  },
                ],
              },
            },
          },
        },
      }),
      options: { watch: false },
    });
    agent = await gw.connect();
  }, 20_000);
  afterAll(async () => {
    await gw?.close();
  });

  it('offers post_to_general without a channel parameter, and hides post_message', async () => {
    const { tools } = await agent.listTools();
    expect(tools.map((tool) => tool.name)).not.toContain('slack__post_message');
    const child = tools.find((tool) => tool.name === 'slack__post_to_general');
    expect(child?.inputSchema).toEqual({
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
    });
    expect(child?.description).toBe(
      'Post a message to #general.\n\nFixed by the gateway (not settable): channel_id = "C001".',
    );
  });

  it('posts to the fixed channel even when the agent names another', async () => {
    const result = await agent.callTool({
      name: 'slack__post_to_general',
      arguments: { channel_id: 'C002', text: 'release is out' },
    });
    expect(answer(result)).toEqual({ posted: true, channel_id: 'C001', text: 'release is out' });
    expect(await callsReceived(calls, 'slack')).toEqual([
      { tool: 'post_message', arguments: { channel_id: 'C001', text: 'release is out' } },
    ]);
  });

  it('refuses the hidden parent', async () => {
    await expect(
      agent.callTool({ name: 'slack__post_message', arguments: { channel_id: 'C002', text: 'x' } }),
    ).rejects.toThrow('Tool slack__post_message is not available');
  });
});
