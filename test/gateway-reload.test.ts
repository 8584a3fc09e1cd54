// Hot reload seen from the agents: a good change notifies exactly the sessions whose view changed; a bad one keeps the last good config.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureServer, startTestGateway, type TestGateway } from './support/gateway-harness.ts';

/** Counts tools/list_changed notifications a client receives. */
function watchListChanged(client: Client): { count: () => number; next: () => Promise<void> } {
  let count = 0;
  let waiters: Array<() => void> = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    count++;
    for (const wake of waiters) wake();
    waiters = [];
  });
  return {
    count: () => count,
    next: () => new Promise((resolve) => waiters.push(resolve)),
  };
}

const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name);

describe('gateway hot reload', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ servers: { fix: fixtureServer('one') } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('adds a server: the session is told tools/list_changed and sees its tools', async () => {
    const client = await gw.connect();
    const changes = watchListChanged(client);
    expect(await names(client)).not.toContain('second__echo');
    const told = changes.next();
    await gw.writeMcp({ fix: fixtureServer('one'), second: fixtureServer('two') });
    await told;
    expect(await names(client)).toContain('second__echo');
    expect(
      gw.gateway
        .upstreams()
        .map((u) => u.name)
        .sort(),
    ).toEqual(['fix', 'second']);
  });

  it('keeps the last good config when mcp.json turns invalid', async () => {
    const client = await gw.connect();
    const before = await names(client);
    await gw.writeMcp({ fix: { command: 42 } });
    const outcome = await gw.gateway.reload();
    expect(outcome.result).toBe('failure');
    expect(outcome.errors.join('\n')).toMatch(/mcp\.json:\d+:\d+: mcpServers\.fix/);
    expect(await names(client)).toEqual(before);
    expect(Object.keys(gw.gateway.config().servers).sort()).toEqual(['fix', 'second']);
  });

  it('notifies only the sessions whose view a permission change altered', async () => {
    await gw.writeMcp({ fix: fixtureServer('one'), second: fixtureServer('two') });
    const a = await gw.connect({ headers: { 'x-lunar-consumer-tag': 'team-a' } });
    const b = await gw.connect({ headers: { 'x-lunar-consumer-tag': 'team-b' } });
    const changesA = watchListChanged(a);
    const changesB = watchListChanged(b);
    expect(await names(b)).toContain('second__echo');
    await names(a);
    const toldB = changesB.next();
    await gw.writeApp(`
toolGroups:
  - name: second-only
    services:
      second: "*"
permissions:
  consumers:
    team-b:
      _type: default-allow
      block: [second-only]
`);
    await toldB;
    expect(await names(b)).not.toContain('second__echo');
    expect(await names(a)).toContain('second__echo');
    expect(changesA.count()).toBe(0);
    expect(changesB.count()).toBe(1);
  });
});
