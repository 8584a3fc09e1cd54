// Side traffic of upstream calls reaches the right session: progress, cancellation, logs, elicitation, sampling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteServerSpec } from '../gateway/config/types.ts';
import type { CallContext, ServerRequest, Upstream } from '../gateway/upstream/upstream-types.ts';
import {
  context,
  type RunningServer,
  startHttpFixture,
  startUpstream,
  stdioSpec,
  textOf,
  waitFor,
} from './support/upstream-harness.ts';

/** A session's context that answers server requests and collects logs, all naming the session. */
function sessionContext(
  sessionId: string,
  seen: { requests: ServerRequest[]; logs: unknown[] },
): CallContext {
  return context(sessionId, {
    onServerRequest: async (request) => {
      seen.requests.push(request);
      if (request.method === 'sampling/createMessage') {
        return {
          role: 'assistant',
          model: 'test',
          content: { type: 'text', text: `reply from ${sessionId}` },
        };
      }
      return { action: 'accept', content: { name: `answer from ${sessionId}` } };
    },
    onLog: (params) => seen.logs.push(params.data),
  });
}

function collector() {
  return { requests: [] as ServerRequest[], logs: [] as unknown[] };
}

let http: RunningServer;
let remote: Upstream;
let local: Upstream;
let catalogChanges = 0;

beforeAll(async () => {
  http = await startHttpFixture();
  const spec: RemoteServerSpec = {
    name: 'remote',
    transport: 'streamable-http',
    url: `http://127.0.0.1:${http.port}/mcp`,
    headers: {},
    disabled: false,
  };
  remote = startUpstream(spec).upstream;
  local = startUpstream(stdioSpec('local'), {
    onCatalogChange: () => {
      catalogChanges++;
    },
  }).upstream;
  await Promise.all([remote.whenReady(), local.whenReady()]);
});

afterAll(async () => {
  await Promise.all([remote?.stop(), local?.stop()]);
  await http?.stop();
});

describe.each([
  ['streamable HTTP', () => remote],
  ['stdio', () => local],
])('over %s', (_transport, upstreamOf) => {
  it('reports progress to the call that asked for it', async () => {
    const progress: number[] = [];
    const result = await upstreamOf().callTool(
      'slow',
      { steps: 3, delayMs: 10 },
      context('A', { onProgress: (p) => progress.push(p.progress) }),
    );
    expect(textOf(result)).toBe('done after 3 steps');
    expect(progress).toEqual([1, 2, 3]);
  });

  it('cancels the upstream request when the agent aborts, and the upstream sees it', async () => {
    const upstream = upstreamOf();
    const abort = new AbortController();
    let started = false;
    const call = upstream
      .callTool(
        'slow',
        { steps: 50, delayMs: 50 },
        context('A', {
          signal: abort.signal,
          onProgress: () => {
            started = true;
          },
        }),
      )
      .catch((e: Error) => e);
    await waitFor(() => started, 5_000, 'the slow call to start');
    abort.abort('agent cancelled');
    expect(await call).toBeInstanceOf(Error);
    // The notification and this query travel in order on one connection, but the fixture's abort
    // handler may run a moment later; ask until it has recorded the cancellation.
    let seen: string[] = [];
    for (let tries = 0; tries < 50 && seen.length === 0; tries++) {
      seen = JSON.parse(textOf(await upstream.callTool('cancelled', {}, context('A')))) as string[];
      if (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen.length).toBeGreaterThan(0);
  });

  it('passes a result through even when it violates the tool outputSchema', async () => {
    const upstream = upstreamOf();
    expect(upstream.catalog.tools.find((t) => t.name === 'bad_output')?.outputSchema).toBeDefined();
    const result = await upstream.callTool('bad_output', {}, context('A'));
    expect(result.structuredContent).toEqual({ count: 'many' });
    expect(result.isError).toBeUndefined();
  });

  it("sends one session's elicitation, sampling and logs to that session only", async () => {
    const a = collector();
    const result = await upstreamOf().callTool('elicit', { caller: 'A' }, sessionContext('A', a));
    expect(JSON.parse(textOf(result))).toEqual({ caller: 'A', answer: 'answer from A' });
    const sampled = await upstreamOf().callTool('sample', { caller: 'A' }, sessionContext('A', a));
    expect(JSON.parse(textOf(sampled))).toEqual({ caller: 'A', reply: 'reply from A' });
    await upstreamOf().callTool('log', { caller: 'A' }, sessionContext('A', a));
    expect(a.requests.map((r) => r.method)).toEqual([
      'elicitation/create',
      'sampling/createMessage',
    ]);
    expect(a.requests[0]?.params?.message).toBe('question for A');
    // The gateway's routing marker never reaches the agent.
    expect(JSON.stringify(a.requests)).not.toContain('io.airlock');
    expect(a.logs).toEqual(['log for A']);
  });
});

describe('with two sessions calling at once', () => {
  it('routes each elicitation and sampling request to the session whose call caused it (streamable HTTP)', async () => {
    const a = collector();
    const b = collector();
    const [ea, eb, sa, sb] = await Promise.all([
      remote.callTool('elicit', { caller: 'A' }, sessionContext('A', a)),
      remote.callTool('elicit', { caller: 'B' }, sessionContext('B', b)),
      remote.callTool('sample', { caller: 'A' }, sessionContext('A', a)),
      remote.callTool('sample', { caller: 'B' }, sessionContext('B', b)),
    ]);
    expect(JSON.parse(textOf(ea))).toEqual({ caller: 'A', answer: 'answer from A' });
    expect(JSON.parse(textOf(eb))).toEqual({ caller: 'B', answer: 'answer from B' });
    expect(JSON.parse(textOf(sa))).toEqual({ caller: 'A', reply: 'reply from A' });
    expect(JSON.parse(textOf(sb))).toEqual({ caller: 'B', reply: 'reply from B' });
    const promptsOf = (seen: ReturnType<typeof collector>) =>
      JSON.stringify(seen.requests.map((r) => r.params));
    expect(promptsOf(a)).toContain('for A');
    expect(promptsOf(a)).not.toContain('for B');
    expect(promptsOf(b)).toContain('for B');
    expect(promptsOf(b)).not.toContain('for A');
  });

  it('routes each log to the session whose call caused it (streamable HTTP)', async () => {
    const a = collector();
    const b = collector();
    await Promise.all([
      remote.callTool('log', { caller: 'A' }, sessionContext('A', a)),
      remote.callTool('log', { caller: 'B' }, sessionContext('B', b)),
    ]);
    expect(a.logs).toEqual(['log for A']);
    expect(b.logs).toEqual(['log for B']);
  });

  it('refuses an elicitation over stdio when calls from two sessions are in flight, asking nobody', async () => {
    const a = collector();
    const b = collector();
    let started = false;
    const busy = local.callTool(
      'slow',
      { steps: 20, delayMs: 50 },
      {
        ...sessionContext('B', b),
        onProgress: () => {
          started = true;
        },
      },
    );
    await waitFor(() => started, 5_000, 'the other session to have a call in flight');
    const refused = await local
      .callTool('elicit', { caller: 'A' }, sessionContext('A', a))
      .catch((e: Error) => e);
    const message = refused instanceof Error ? refused.message : textOf(refused);
    expect(message).toContain(
      'elicitation/create refused by the gateway: calls from several sessions are in flight',
    );
    expect(a.requests).toEqual([]);
    expect(b.requests).toEqual([]);
    await busy;
  });
});

describe('catalog refresh', () => {
  it('refetches the tools when the upstream announces tools/list_changed', async () => {
    const before = catalogChanges;
    expect(textOf(await local.callTool('add_tool', {}, context('A')))).toBe('extra_1');
    await waitFor(
      () => local.catalog.tools.some((t) => t.name === 'extra_1'),
      5_000,
      'the refreshed catalog',
    );
    expect(catalogChanges).toBeGreaterThan(before);
  });
});
