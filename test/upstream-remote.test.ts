// Remote upstreams over streamable HTTP and SSE: headers, catalog, and recovery when the server forgets the session.
import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteServerSpec } from '../gateway/config/types.ts';
import type { Upstream } from '../gateway/upstream/upstream-types.ts';
import {
  context,
  type RunningServer,
  startEverything,
  startHttpFixture,
  startUpstream,
  textOf,
  waitFor,
} from './support/upstream-harness.ts';

const servers: RunningServer[] = [];
const upstreams: Upstream[] = [];

afterEach(async () => {
  await Promise.all(upstreams.splice(0).map((u) => u.stop()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function remoteSpec(
  name: string,
  transport: RemoteServerSpec['transport'],
  url: string,
): RemoteServerSpec {
  return { name, transport, url, headers: {}, disabled: false };
}

function track(server: RunningServer): RunningServer {
  servers.push(server);
  return server;
}

describe('remote upstreams', () => {
  it('connects to server-everything over streamable HTTP and survives its restart', async () => {
    const first = track(await startEverything('streamableHttp'));
    const { upstream, states } = startUpstream(
      remoteSpec('everything', 'streamable-http', `http://127.0.0.1:${first.port}/mcp`),
    );
    upstreams.push(upstream);
    await upstream.whenReady();
    expect(upstream.catalog.tools.map((t) => t.name)).toContain('echo');
    expect(textOf(await upstream.callTool('echo', { message: 'one' }, context('A')))).toContain(
      'one',
    );

    await first.stop();
    track(await startEverything('streamableHttp', first.port));
    // This server answers 400 "No valid session ID" for a session it forgot; the call still succeeds.
    expect(textOf(await upstream.callTool('echo', { message: 'two' }, context('A')))).toContain(
      'two',
    );
    expect(states.map((s) => s.phase)).toEqual(['ready']);
  });

  it('re-initialises transparently when the server answers 404 for its session', async () => {
    const first = track(await startHttpFixture());
    const { upstream, states } = startUpstream(
      remoteSpec('fixture', 'streamable-http', `http://127.0.0.1:${first.port}/mcp`),
    );
    upstreams.push(upstream);
    await upstream.whenReady();
    const before = Number(textOf(await upstream.callTool('pid', {}, context('A'))));

    await first.stop();
    track(await startHttpFixture(first.port));
    const after = Number(textOf(await upstream.callTool('pid', {}, context('A'))));

    expect(after).not.toBe(before);
    expect(states.map((s) => s.phase)).toEqual(['ready']);
    expect(upstream.state.restarts).toBe(0);
  });

  it('fails a call at once when the remote server dies mid-call', async () => {
    const server = track(await startHttpFixture());
    const { upstream } = startUpstream(
      remoteSpec('fragile', 'streamable-http', `http://127.0.0.1:${server.port}/mcp`),
    );
    upstreams.push(upstream);
    await upstream.whenReady();
    let started = false;
    const call = upstream
      .callTool(
        'slow',
        { steps: 100, delayMs: 100 },
        context('A', {
          onProgress: () => {
            started = true;
          },
        }),
      )
      .catch((e: Error) => e);
    await waitFor(() => started, 5_000, 'the call to start');
    const killedAt = Date.now();
    await server.stop();
    const error = await call;
    expect(Date.now() - killedAt).toBeLessThan(1_000);
    expect((error as Error).message).toBe(
      "upstream server 'fragile' closed the connection while handling tools/call",
    );
  });

  it('sends the resolved headers on every request', async () => {
    const server = track(await startHttpFixture());
    const seen: (string | null)[] = [];
    const recordingFetch = async (url: string | URL, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get('x-airlock-test'));
      return fetch(url, init);
    };
    const { upstream } = startUpstream(
      remoteSpec('headers', 'streamable-http', `http://127.0.0.1:${server.port}/mcp`),
      {
        resolveHeaders: async () => ({ 'x-airlock-test': 'resolved-value' }),
        fetch: recordingFetch,
      },
    );
    upstreams.push(upstream);
    await upstream.whenReady();
    await upstream.callTool('echo', { text: 'x' }, context('A'));
    expect(seen.length).toBeGreaterThan(2);
    expect(new Set(seen)).toEqual(new Set(['resolved-value']));
  });

  it('connects to server-everything over SSE and reconnects after the server restarts', async () => {
    const first = track(await startEverything('sse'));
    const { upstream, states } = startUpstream(
      remoteSpec('everything-sse', 'sse', `http://127.0.0.1:${first.port}/sse`),
    );
    upstreams.push(upstream);
    await upstream.whenReady();
    expect(upstream.catalog.tools.map((t) => t.name)).toContain('echo');
    expect(textOf(await upstream.callTool('echo', { message: 'one' }, context('A')))).toContain(
      'one',
    );

    await first.stop();
    await waitFor(() => states.some((s) => s.phase === 'crashed'), 10_000, 'the lost event stream');
    track(await startEverything('sse', first.port));
    await waitFor(() => upstream.state.phase === 'ready', 15_000, 'the reconnect');
    expect(textOf(await upstream.callTool('echo', { message: 'two' }, context('A')))).toContain(
      'two',
    );
    expect(upstream.state.restarts).toBeGreaterThanOrEqual(1);
  });
});
