// An upstream that dies mid-call: the call fails at once naming the server, other servers keep serving, the audit says error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditStore } from '../gateway/audit/audit-store.ts';
import { fixtureServer, startTestGateway, type TestGateway } from './support/gateway-harness.ts';

describe('an upstream crash seen from an agent', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      servers: { fragile: fixtureServer('fragile'), steady: fixtureServer('steady') },
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('fails the call in flight with an error naming the server; the other server is unaffected', async () => {
    const client = await gw.connect({ name: 'crash-check' });
    const started = Date.now();
    await expect(client.callTool({ name: 'fragile__crash', arguments: {} })).rejects.toThrow(
      /fragile/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    const reply = await client.callTool({
      name: 'steady__echo',
      arguments: { text: 'still here' },
    });
    expect(reply.content).toEqual([{ type: 'text', text: 'still here' }]);
    const store = openAuditStore({ dataDir: gw.dataDir }, { readonly: true });
    try {
      const rows = store.query({ consumer: 'crash-check', server: 'fragile' });
      expect(rows.map((row) => [row.target, row.outcome])).toEqual([['crash', 'error']]);
      expect(rows[0]?.detail).toContain('fragile');
    } finally {
      store.close();
    }
  });
});
