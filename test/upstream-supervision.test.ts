// Supervised upstreams over real processes: catalog, crashes mid-call, backoff, pings, stop, apply.
import { afterEach, describe, expect, it } from 'vitest';
import type { StdioServerSpec } from '../gateway/config/types.ts';
import { createProcessLauncher } from '../gateway/upstream/process-launcher.ts';
import { UpstreamError } from '../gateway/upstream/upstream-errors.ts';
import {
  createUpstreamManager,
  type UpstreamManager,
} from '../gateway/upstream/upstream-manager.ts';
import type { Upstream } from '../gateway/upstream/upstream-types.ts';
import {
  context,
  everythingServer,
  pidAlive,
  silentLogger,
  startUpstream,
  stdioSpec,
  textOf,
  waitFor,
} from './support/upstream-harness.ts';

const running: Upstream[] = [];
const managers: UpstreamManager[] = [];

afterEach(async () => {
  await Promise.all([
    ...running.splice(0).map((u) => u.stop()),
    ...managers.splice(0).map((m) => m.stopAll()),
  ]);
});

function start(spec: StdioServerSpec, extra = {}) {
  const recorded = startUpstream(spec, extra);
  running.push(recorded.upstream);
  return recorded;
}

describe('supervised stdio upstream', () => {
  it('connects to server-everything and keeps its tools, prompts, resources and templates', async () => {
    const spec: StdioServerSpec = { ...stdioSpec('everything'), args: [everythingServer, 'stdio'] };
    const { upstream, states } = start(spec);
    await upstream.whenReady();
    const { catalog } = upstream;
    expect(catalog.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    expect(catalog.prompts.length).toBeGreaterThan(0);
    expect(catalog.resources.length).toBeGreaterThan(0);
    expect(catalog.resourceTemplates.length).toBeGreaterThan(0);
    expect(catalog.serverInfo?.name).toBeTruthy();
    expect(states.map((s) => s.phase)).toEqual(['ready']);
    const result = await upstream.callTool('echo', { message: 'hi' }, context('s1'));
    expect(textOf(result)).toContain('hi');
  });

  it('fails a call in flight at once, naming the server, when its process is killed', async () => {
    const alpha = start(stdioSpec('alpha'));
    const beta = start(stdioSpec('beta'));
    await Promise.all([alpha.upstream.whenReady(), beta.upstream.whenReady()]);
    const pid = alpha.upstream.state.pid!;
    let progressed = false;
    const slow = alpha.upstream.callTool(
      'slow',
      { steps: 100, delayMs: 100 },
      context('s1', {
        onProgress: () => {
          progressed = true;
        },
      }),
    );
    const failure = slow.then(
      () => null,
      (e: unknown) => e as Error,
    );
    await waitFor(() => progressed, 10_000, 'the slow call to start');
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');

    const error = await failure;
    expect(Date.now() - killedAt).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error?.message).toBe(
      "upstream server 'alpha' was killed by SIGKILL while handling tools/call",
    );

    // Meanwhile the other upstream answers as usual.
    expect(
      textOf(await beta.upstream.callTool('echo', { text: 'still here' }, context('s2'))),
    ).toBe('still here');

    await alpha.upstream.whenReady(10_000).catch(() => {});
    await waitFor(() => alpha.upstream.state.phase === 'ready', 10_000, 'the restart');
    expect(alpha.states.map((s) => s.phase)).toEqual([
      'ready',
      'crashed',
      'backing-off',
      'starting',
      'ready',
    ]);
    expect(alpha.upstream.state.restarts).toBe(1);
    expect(alpha.upstream.state.lastError).toBe("upstream server 'alpha' was killed by SIGKILL");
    expect(alpha.upstream.state.pid).not.toBe(pid);
    expect(textOf(await alpha.upstream.callTool('echo', { text: 'back' }, context('s1')))).toBe(
      'back',
    );
  });

  it('names the exit code when the server exits by itself during a call', async () => {
    const { upstream } = start(stdioSpec('gamma'));
    await upstream.whenReady();
    const error = await upstream.callTool('crash', {}, context('s1')).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      "upstream server 'gamma' exited (code 1) while handling tools/call",
    );
  });

  it('backs off with growing delays while the server keeps failing to start, keeping its stderr', async () => {
    const spec: StdioServerSpec = {
      ...stdioSpec('broken'),
      args: ['-e', 'console.error("missing API key"); process.exit(2)'],
    };
    const { upstream, states } = start(spec);
    await waitFor(
      () => states.filter((s) => s.phase === 'backing-off').length >= 3,
      10_000,
      'three backoffs',
    );
    const delays = states
      .filter((s) => s.phase === 'backing-off')
      .slice(0, 3)
      .map((s) => s.retryAt! - s.since);
    expect(delays).toEqual([50, 100, 200]);
    expect(upstream.state.lastError).toMatch(
      /^upstream server 'broken' failed to start: .*; stderr: missing API key$/,
    );
    expect(upstream.state.restarts).toBeGreaterThanOrEqual(2);
    const error = await upstream.callTool('echo', {}, context('s1')).catch((e: UpstreamError) => e);
    expect((error as UpstreamError).code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('treats an unanswered ping as a crash and restarts the server', async () => {
    const { upstream, states } = start(stdioSpec('frozen'), {
      pingIntervalMs: 100,
      pingTimeoutMs: 200,
    });
    await upstream.whenReady();
    const pid = upstream.state.pid!;
    const frozen = upstream.callTool('freeze', { ms: 5_000 }, context('s1')).catch((e: Error) => e);
    await waitFor(() => states.some((s) => s.phase === 'crashed'), 5_000, 'the failed ping');
    expect(upstream.state.lastError).toMatch(/^upstream server 'frozen' did not answer a ping/);
    expect(((await frozen) as Error).message).toMatch(
      /^upstream server 'frozen' did not answer a ping .* while handling tools\/call$/,
    );
    await waitFor(() => !pidAlive(pid), 5_000, 'the frozen process to be killed');
    await waitFor(() => upstream.state.phase === 'ready', 10_000, 'the restart');
  });

  it('keeps resource subscriptions across a restart and drops them on unsubscribe', async () => {
    const updates: string[] = [];
    const { upstream } = start(stdioSpec('subscriber'), {
      onResourceUpdated: (_name: string, params: { uri: string }) => updates.push(params.uri),
    });
    await upstream.whenReady();
    await upstream.subscribeResource('fixture://info');
    await upstream.callTool('update_resource', { uri: 'fixture://info' }, context('A'));
    await waitFor(() => updates.length === 1, 5_000, 'the first update');

    process.kill(upstream.state.pid!, 'SIGKILL');
    await waitFor(
      () => upstream.state.restarts === 1 && upstream.state.phase === 'ready',
      10_000,
      'the restart',
    );
    const after = await upstream.callTool(
      'update_resource',
      { uri: 'fixture://info' },
      context('A'),
    );
    expect(JSON.parse(textOf(after))).toEqual(['fixture://info']);
    await waitFor(() => updates.length === 2, 5_000, 'the update after the restart');

    await upstream.unsubscribeResource('fixture://info');
    const none = await upstream.callTool(
      'update_resource',
      { uri: 'fixture://info' },
      context('A'),
    );
    expect(JSON.parse(textOf(none))).toEqual([]);
    expect(updates).toEqual(['fixture://info', 'fixture://info']);
  });

  it('stops the server and refuses calls afterwards', async () => {
    const { upstream, states } = start(stdioSpec('delta'));
    await upstream.whenReady();
    const pid = upstream.state.pid!;
    await upstream.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(states.at(-1)?.phase).toBe('stopped');
    const error = await upstream
      .callTool('echo', { text: 'x' }, context('s1'))
      .catch((e: UpstreamError) => e);
    expect((error as UpstreamError).code).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('upstream manager', () => {
  it('starts, restarts and stops only the servers that changed', async () => {
    const catalogs: string[] = [];
    const manager = createUpstreamManager({
      launcher: createProcessLauncher({ logger: silentLogger }),
      resolveEnv: async () => ({}),
      resolveHeaders: async () => ({}),
      logger: silentLogger,
      pingIntervalMs: 0,
      onCatalogChange: (name, catalog) => catalogs.push(`${name}:${catalog.tools.length}`),
    });
    managers.push(manager);
    const a = stdioSpec('a');
    const b = stdioSpec('b');
    const c = stdioSpec('c');
    expect(await manager.apply({ a, b, c })).toMatchObject({ started: ['a', 'b', 'c'] });
    await Promise.all(manager.list().map((u) => u.whenReady()));
    const pids = Object.fromEntries(manager.list().map((u) => [u.name, u.state.pid!]));

    const changedB: StdioServerSpec = { ...b, args: [...b.args, 'changed'] };
    const summary = await manager.apply({ a, b: changedB, d: stdioSpec('d') });
    expect(summary).toEqual({ started: ['d'], stopped: ['c'], restarted: ['b'], unchanged: ['a'] });
    await Promise.all(manager.list().map((u) => u.whenReady()));

    expect(manager.get('a')?.state.pid).toBe(pids.a);
    expect(manager.get('b')?.state.pid).not.toBe(pids.b);
    expect(manager.get('c')).toBeUndefined();
    expect(pidAlive(pids.b!)).toBe(false);
    expect(pidAlive(pids.c!)).toBe(false);
    expect(catalogs).toContain('c:0');

    const live = manager.list().map((u) => u.state.pid!);
    await manager.stopAll();
    expect(live.filter(pidAlive)).toEqual([]);
  });
});
