// Aggregation through the gateway: two real upstreams, permissions, audit rows, progress, cancellation, routed elicitation.
import {
  CallToolResultSchema,
  ElicitRequestSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditStore } from '../gateway/audit/audit-store.ts';
import {
  everythingServer,
  fixtureServer,
  startTestGateway,
  type TestGateway,
} from './support/gateway-harness.ts';
import { type RunningServer, startHttpFixture } from './support/upstream-harness.ts';

const APP = `
toolGroups:
  - name: dangerous
    services:
      fix: [crash]
permissions:
  default:
    _type: default-allow
    block: [dangerous]
`;

function textOf(result: unknown): string {
  const content = (result as { content: Array<{ type: string; text?: string }> }).content;
  return content.map((part) => part.text ?? '').join('');
}

describe('gateway aggregation', () => {
  let gw: TestGateway;
  let remote: RunningServer;
  beforeAll(async () => {
    remote = await startHttpFixture();
    gw = await startTestGateway({
      servers: {
        fix: fixtureServer('one'),
        everything: everythingServer(),
        remote: { type: 'streamable-http', url: `http://127.0.0.1:${remote.port}/mcp` },
      },
      app: APP,
    });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    await remote?.stop();
  });

  it('lists the tools of both upstreams as server__tool', async () => {
    const client = await gw.connect();
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('fix__echo');
    expect(names).toContain('everything__echo');
    expect(names.every((name) => /^(fix|everything|remote)__[A-Za-z0-9_.-]+$/.test(name))).toBe(
      true,
    );
    const reply = await client.callTool({
      name: 'everything__echo',
      arguments: { message: 'both' },
    });
    expect(textOf(reply)).toContain('both');
  });

  it('gets a prompt and reads a resource through the mapped names and URIs', async () => {
    const client = await gw.connect();
    const prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
    expect(prompts).toContain('fix__greet');
    const prompt = await client.getPrompt({ name: 'fix__greet', arguments: { who: 'ada' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'hello ada from one' });
    const resources = (await client.listResources()).resources;
    const info = resources.find((resource) => resource.name === 'info');
    expect(info).toBeDefined();
    const read = await client.readResource({ uri: info!.uri });
    expect(read.contents[0]).toMatchObject({ text: 'fixture one' });
    const fromEverything = resources.find(
      (resource) => resource.uri.includes('demo') || resource.uri.includes('everything'),
    );
    expect(fromEverything).toBeDefined();
    const other = await client.readResource({ uri: fromEverything!.uri });
    expect(other.contents.length).toBeGreaterThan(0);
  });

  it('forwards completion/complete to the server owning the prompt, by its exposed name', async () => {
    const client = await gw.connect();
    const answer = await client.complete({
      ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
      argument: { name: 'department', value: 'Eng' },
    });
    expect(answer.completion.values).toContain('Engineering');
    const nowhere = await client.complete({
      ref: { type: 'ref/prompt', name: 'nobody__prompt' },
      argument: { name: 'x', value: '' },
    });
    expect(nowhere.completion.values).toEqual([]);
  });

  it('relays resources/updated only to the subscribed session, by the URI it used', async () => {
    const [watcher, bystander] = [await gw.connect(), await gw.connect()];
    const seen = { watcher: [] as string[], bystander: [] as string[] };
    watcher.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      seen.watcher.push(n.params.uri);
    });
    bystander.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      seen.bystander.push(n.params.uri);
    });
    const resource = (await watcher.listResources()).resources.find((r) =>
      r.uri.startsWith('demo://'),
    );
    await expect(watcher.subscribeResource({ uri: resource!.uri })).resolves.toEqual({});
    // server-everything sends one update per subscribed URI at once when its updates are toggled on.
    await watcher.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    for (let attempt = 0; attempt < 100 && seen.watcher.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await watcher.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    expect(seen.watcher[0]).toBe(resource!.uri);
    expect(seen.bystander).toEqual([]);
    await expect(watcher.unsubscribeResource({ uri: resource!.uri })).resolves.toEqual({});
    await expect(watcher.subscribeResource({ uri: 'nowhere://x' })).rejects.toThrow(
      'Resource nowhere://x is not available',
    );
  });

  it('hides a denied tool and refuses it before the upstream, with an audit row', async () => {
    const client = await gw.connect({ name: 'denied-check' });
    const pidBefore = textOf(await client.callTool({ name: 'fix__pid', arguments: {} }));
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).not.toContain('fix__crash');
    await expect(client.callTool({ name: 'fix__crash', arguments: {} })).rejects.toThrow(
      'Tool fix__crash is not available',
    );
    await expect(client.callTool({ name: 'nobody__nothing', arguments: {} })).rejects.toThrow(
      'Tool nobody__nothing is not available',
    );
    // Had the call reached the fixture it would have exited: same pid, no restart.
    expect(textOf(await client.callTool({ name: 'fix__pid', arguments: {} }))).toBe(pidBefore);
    expect(gw.gateway.upstreams().find((u) => u.name === 'fix')?.restarts).toBe(0);
    const store = openAuditStore({ dataDir: gw.dataDir }, { readonly: true });
    try {
      const rows = store.query({ consumer: 'denied-check' });
      const denied = rows.filter((row) => row.outcome === 'denied');
      expect(denied.map((row) => [row.exposedName, row.server, row.kind])).toEqual(
        expect.arrayContaining([
          ['fix__crash', 'fix', 'tools/call'],
          ['nobody__nothing', null, 'tools/call'],
        ]),
      );
      expect(rows.filter((row) => row.outcome === 'ok').map((row) => row.target)).toEqual([
        'pid',
        'pid',
      ]);
    } finally {
      store.close();
    }
    const metrics = await gw.gateway.registry.metrics();
    expect(metrics).toMatch(
      /airlock_tool_calls_total\{server="fix",tool="crash",consumer="denied-check",outcome="denied"\} 1/,
    );
  });

  it('relays progress with the downstream progress token', async () => {
    const client = await gw.connect();
    const seen: Array<{ progress: number; total?: number }> = [];
    const result = await client.callTool(
      { name: 'fix__slow', arguments: { steps: 3, delayMs: 10 } },
      undefined,
      { onprogress: (progress) => seen.push(progress) },
    );
    expect(textOf(result)).toBe('done after 3 steps');
    // The last step is answered at once, and an SDK client drops progress that arrives with its
    // response in one tick; the steps before it are spaced, so they must all arrive, with the total.
    expect(seen.slice(0, 2)).toEqual([
      { progress: 1, total: 3, message: 'step 1' },
      { progress: 2, total: 3, message: 'step 2' },
    ]);
  });

  it('cancels the upstream request when the agent cancels', async () => {
    const client = await gw.connect();
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'fix__slow', arguments: { steps: 50, delayMs: 100 } },
      undefined,
      {
        signal: controller.signal,
        onprogress: () => controller.abort(),
      },
    );
    await expect(call).rejects.toThrow();
    let cancelled = '[]';
    for (let attempt = 0; attempt < 50 && cancelled === '[]'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      cancelled = textOf(await client.callTool({ name: 'fix__cancelled', arguments: {} }));
    }
    expect(JSON.parse(cancelled)).toHaveLength(1);
  });

  // Over streamable HTTP the upstream ties each request to its call; over stdio two sessions at once are refused by design.
  it('routes an elicitation to the session whose call caused it', async () => {
    const answering = (name: string) =>
      gw
        .connect({ name, clientOptions: { capabilities: { elicitation: { form: {} } } } })
        .then((client) => {
          client.setRequestHandler(ElicitRequestSchema, async (request) => ({
            action: 'accept',
            content: { name: `${name} answered ${request.params.message}` },
          }));
          return client;
        });
    const [alice, bob] = await Promise.all([answering('alice'), answering('bob')]);
    const [a, b] = await Promise.all([
      alice.callTool({ name: 'remote__elicit', arguments: { caller: 'alice' } }),
      bob.callTool({ name: 'remote__elicit', arguments: { caller: 'bob' } }),
    ]);
    expect(JSON.parse(textOf(a))).toEqual({
      caller: 'alice',
      answer: 'alice answered question for alice',
    });
    expect(JSON.parse(textOf(b))).toEqual({
      caller: 'bob',
      answer: 'bob answered question for bob',
    });
  });

  it('passes a result through unchanged even when it violates its output schema', async () => {
    const client = await gw.connect();
    // client.request skips the client's own output-schema check; the gateway must not add one.
    const result = await client.request(
      { method: 'tools/call', params: { name: 'fix__bad_output', arguments: {} } },
      CallToolResultSchema,
    );
    expect(result.structuredContent).toEqual({ count: 'many' });
  });
});
