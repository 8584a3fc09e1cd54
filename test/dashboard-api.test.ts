// End to end: a real egress and gateway in-process, traffic from two agents and one server, then every dashboard API answer.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRecordFanout, createTelemetrySource } from '../cli/dashboard-wiring.ts';
import { run as runReport } from '../cli/report.ts';
import { type Egress, startEgress } from '../egress/egress-service.ts';
import { openAuditStore } from '../gateway/audit/audit-store.ts';
import { type Dashboard, startDashboard } from '../gateway/dashboard/server/dashboard-server.ts';
import { type Gateway, startGateway } from '../gateway/gateway-service.ts';
import { appYaml } from './support/egress-harness.ts';
import { serverAllowlist, slackExampleOnPorts } from './support/flow-texts.ts';
import { fixtureServer } from './support/gateway-harness.ts';
import { type Origin, startHttpOrigin } from './support/origin.ts';
import { proxyRequest } from './support/proxy-clients.ts';

/** Must never appear in any API answer: a literal env value and a fromEnv value of server alpha. */
const LITERAL_SECRET = 'sk-live-literal-7f3a9c';
const ENV_SECRET = 'env-secret-b81d2e';
const ADMIN_TOKEN = 'admin-token-for-tests-4c1f';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** GET over node:http, so Host and Origin can be set as a browser or an attacker would. */
function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

let root: string;
let dataDir: string;
let origin: Origin;
let egress: Egress;
let gateway: Gateway;
let dashboard: Dashboard;
let closeSources: () => void;
const clients: Client[] = [];
const feed: { event: string; data: unknown }[] = [];
let feedAbort: AbortController;
let proxyAuth: string;
let feedOpen = false;

// biome-ignore lint/suspicious/noExplicitAny: API answers are read as plain JSON by the assertions.
async function api(path: string): Promise<any> {
  const reply = await get(`${dashboard.url}${path}`);
  expect(reply.status, `${path}: ${reply.body}`).toBe(200);
  return JSON.parse(reply.body);
}

async function connect(name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url)));
  clients.push(client);
  return client;
}

/** Reads the SSE stream into `feed` until aborted. */
async function readFeed(url: string, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, { signal });
  feedOpen = response.ok;
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) feed.push({ event, data: JSON.parse(data) });
        end = buffer.indexOf('\n\n');
      }
    }
  } catch {
    // aborted at the end of the suite
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'airlock-dashboard-api-'));
  dataDir = join(root, 'data');
  const configDir = join(root, 'config');
  const assetsDir = join(root, 'assets');
  mkdirSync(join(configDir, 'flows'), { recursive: true });
  mkdirSync(join(assetsDir, 'pages'), { recursive: true });
  writeFileSync(join(assetsDir, 'index.html'), '<!doctype html><title>Airlock</title>');
  writeFileSync(join(assetsDir, 'pages', 'app.js'), 'export const page = 1;\n');
  writeFileSync(join(root, 'outside.txt'), 'not an asset');
  origin = await startHttpOrigin();
  writeFileSync(
    join(configDir, 'app.yaml'),
    appYaml({
      hosts: { 'api.slack.com': '127.0.0.1', 'api.badactor.com': '127.0.0.1' },
      allowAddresses: [`127.0.0.1/32:${origin.port}`],
    }),
  );
  writeFileSync(join(configDir, 'flows', 'slack.yaml'), slackExampleOnPorts([origin.port]));
  writeFileSync(
    join(configDir, 'flows', 'beta.yaml'),
    serverAllowlist('beta-only', ['beta'], [`api.slack.com:${origin.port}/*`]),
  );
  const alpha = {
    ...fixtureServer('alpha'),
    env: { ALPHA_TOKEN: LITERAL_SECRET, ALPHA_FROM_ENV: { fromEnv: 'DASH_TEST_VALUE' } },
  };
  writeFileSync(
    join(configDir, 'mcp.json'),
    JSON.stringify({ mcpServers: { alpha, beta: fixtureServer('beta') } }),
  );

  const fanout = createRecordFanout();
  const registry = new Registry();
  egress = await startEgress({
    configDir,
    dataDir,
    registry,
    listen: '127.0.0.1:0',
    logger: pino({ level: 'silent' }),
    lookup: async (host) => {
      throw Object.assign(new Error(`test lookup refused for ${host}`), { code: 'ENOTFOUND' });
    },
    watch: false,
    onRecord: fanout.publish,
  });
  gateway = await startGateway({
    configDir,
    dataDir,
    registry,
    logger: pino({ level: 'silent' }),
    listen: { mcp: '127.0.0.1:0', metrics: null },
    watch: false,
    env: { DASH_TEST_VALUE: ENV_SECRET },
    onEvent: (event) => dashboard?.gatewayEvent(event),
  });
  const telemetry = createTelemetrySource({ dataDir, configDir, fanout });
  const audit = openAuditStore({ dataDir }, { readonly: true });
  closeSources = () => {
    telemetry.close();
    audit.close();
  };
  dashboard = await startDashboard({
    listen: '127.0.0.1:0',
    gateway,
    telemetry,
    audit,
    configDir,
    assetsDir,
    logger: pino({ level: 'silent' }),
  });
  feedAbort = new AbortController();
  void readFeed(`${dashboard.url}/api/events`, feedAbort.signal);
  await vi.waitFor(() => expect(feedOpen).toBe(true));

  const one = await connect('agent-one');
  const two = await connect('agent-two');
  // Concurrent calls from two agents to two servers.
  await Promise.all([
    one.callTool({ name: 'alpha__echo', arguments: { text: 'from one' } }),
    two.callTool({ name: 'beta__echo', arguments: { text: 'from two' } }),
  ]);

  proxyAuth = egress.proxyAuthorizationFor('alpha');
  const via = { port: egress.address.port };
  const headers = { 'proxy-authorization': proxyAuth };
  const base = (host: string) => `http://${host}:${origin.port}`;
  for (const path of ['/users/42', '/users/43']) {
    const allowed = await proxyRequest(via, 'GET', `${base('api.slack.com')}${path}`, { headers });
    expect(allowed.status).toBe(200);
  }
  const denied = await proxyRequest(via, 'GET', `${base('api.badactor.com')}/steal`, { headers });
  expect(denied.status).toBe(403);
  // The store writes in batches: wait until the dashboard reads all three records.
  await vi.waitFor(
    async () => expect((await api('/api/outbound/records?server=alpha')).records).toHaveLength(3),
    { timeout: 5000, interval: 50 },
  );
}, 30_000);

afterAll(async () => {
  feedAbort?.abort();
  await Promise.allSettled(clients.map((client) => client.close()));
  await dashboard?.close();
  closeSources?.();
  await gateway?.close();
  await egress?.close();
  await origin?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('dashboard API', () => {
  it('overview counts servers, agents, calls and blocks of the last 15 minutes', async () => {
    const overview = await api('/api/overview');
    expect(overview.servers).toEqual({ up: 2, total: 2 });
    expect(overview.agents).toBe(2);
    expect(overview.toolCallsPerMinute).toHaveLength(15);
    const sum = (points: { count: number }[]) => points.reduce((total, p) => total + p.count, 0);
    expect(sum(overview.toolCallsPerMinute)).toBe(2);
    expect(sum(overview.blockedPerMinute)).toBe(1);
    expect(overview.newestBlocks).toHaveLength(1);
    expect(overview.newestBlocks[0]).toMatchObject({ server: 'alpha', host: 'api.badactor.com' });
  });

  it('servers shows state, sandbox, tools and the flows that apply to each', async () => {
    const { servers } = await api('/api/servers');
    const byName = Object.fromEntries(servers.map((s: { name: string }) => [s.name, s]));
    expect(byName.alpha).toMatchObject({ state: 'ready', restarts: 0, lastError: null });
    expect(byName.alpha.tools).toBeGreaterThan(0);
    expect(byName.alpha.sandbox).toBe('auto');
    // beta-only names beta in its filter; the slack flow has no servers filter and applies to both.
    expect(byName.alpha.egressFlows).not.toContain('beta-only');
    expect(byName.beta.egressFlows).toContain('beta-only');
    expect(byName.beta.egressFlows).toHaveLength(byName.alpha.egressFlows.length + 1);
  });

  it('agents lists the live sessions with their calls', async () => {
    const { agents } = await api('/api/agents');
    const rows = agents
      .map((a: { consumer: string; calls: number; lastCall: string }) => [
        a.consumer,
        a.calls,
        a.lastCall,
      ])
      .sort();
    expect(rows).toEqual([
      ['agent-one', 1, 'alpha__echo'],
      ['agent-two', 1, 'beta__echo'],
    ]);
  });

  it('calls filters the audit log by agent, server and outcome', async () => {
    expect((await api('/api/calls')).calls).toHaveLength(2);
    const mine = (await api('/api/calls?agent=agent-one')).calls;
    expect(mine.map((c: { server: string }) => c.server)).toEqual(['alpha']);
    expect((await api('/api/calls?server=beta')).calls[0].consumer).toBe('agent-two');
    expect((await api('/api/calls?outcome=denied')).calls).toEqual([]);
    expect((await api('/api/calls?until=1000')).calls).toEqual([]);
    const bad = await get(`${dashboard.url}/api/calls?outcome=maybe`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('DASHBOARD_BAD_QUERY');
  });

  it('a call opens its full audit record, verified along the chain', async () => {
    const [newest] = (await api('/api/calls?limit=1')).calls;
    const detail = await api(`/api/calls/${newest.id}`);
    expect(detail.verified).toBe(true);
    expect(detail.call).toMatchObject({ id: newest.id, hash: newest.hash });
    expect(detail.call.prevHash).toMatch(/^[0-9a-f]+$/);
    expect(JSON.parse(detail.call.arguments)).toHaveProperty('text');
    expect((await get(`${dashboard.url}/api/calls/999999`)).status).toBe(404);
  });

  it('outbound rolls up per server and provider, flags a new provider, and drills down', async () => {
    const { providers, series } = await api('/api/outbound?server=alpha');
    const slack = providers.find((p: { provider: string }) => p.provider === 'slack.com');
    expect(slack).toMatchObject({
      server: 'alpha',
      requests: 2,
      errors: 0,
      errorRate: 0,
      new: true,
    });
    expect(slack.p50Ms).not.toBeNull();
    expect(slack.bytesDown).toBeGreaterThan(0);
    expect(series.length).toBe(providers.length);
    const { endpoints } = await api('/api/outbound/endpoints?server=alpha&provider=slack.com');
    expect(endpoints).toEqual([
      expect.objectContaining({
        method: 'GET',
        host: 'api.slack.com',
        template: '/users/{id}',
        count: 2,
      }),
    ]);
    const { records } = await api('/api/outbound/records?server=alpha&provider=slack.com&limit=1');
    expect(records).toHaveLength(1);
    expect(records[0].path).toBe('/users/43');
  });

  it('blocked gives the report rows, and its CSV is byte for byte `airlock report blocked`', async () => {
    const { blocked } = await api('/api/blocked?server=alpha');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({
      decision: 'deny',
      host: 'api.badactor.com',
      path: '/steal',
    });
    expect(blocked[0].flow).not.toBeNull();
    expect((await api('/api/blocked?server=beta')).blocked).toEqual([]);

    const csv = await get(`${dashboard.url}/api/blocked?format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    let cli = '';
    const code = await runReport(['blocked', '--format', 'csv', '--data', dataDir], {
      stdout: (text) => {
        cli += text;
      },
      stderr: () => undefined,
      env: {},
      now: () => Date.now(),
    });
    expect(code).toBe(0);
    expect(csv.body).toBe(cli);
    expect(csv.body).toContain('api.badactor.com');
    const download = await get(`${dashboard.url}/api/blocked?format=json&download=1`);
    expect(JSON.parse(download.body)).toEqual(blocked);
  });

  it('config lists the files and shows value sources, never values', async () => {
    const config = await api('/api/config');
    expect(config.files).toEqual(['mcp.json', 'app.yaml', 'flows/beta.yaml', 'flows/slack.yaml']);
    expect(config.servers.alpha.env).toEqual({
      ALPHA_TOKEN: '[literal]',
      ALPHA_FROM_ENV: { fromEnv: 'DASH_TEST_VALUE' },
    });
    expect(config.validationErrors).toEqual([]);
  });

  it('the live feed delivered the calls and the block as they happened', () => {
    const calls = feed.filter((item) => item.event === 'call');
    expect(calls.map((item) => (item.data as { server: string }).server).sort()).toEqual([
      'alpha',
      'beta',
    ]);
    const blocks = feed.filter((item) => item.event === 'block');
    expect(blocks.map((item) => (item.data as { host: string }).host)).toEqual([
      'api.badactor.com',
    ]);
    expect(feed.filter((item) => item.event === 'egress')).toHaveLength(3);
    expect(feed.filter((item) => item.event === 'session').length).toBeGreaterThanOrEqual(2);
  });

  it('no API answer carries a secret value', async () => {
    const [newest] = (await api('/api/calls?limit=1')).calls;
    const paths = [
      '/api/overview',
      '/api/servers',
      '/api/agents',
      '/api/calls',
      `/api/calls/${newest.id}`,
      '/api/outbound',
      '/api/outbound/endpoints',
      '/api/outbound/records',
      '/api/blocked',
      '/api/blocked?format=csv',
      '/api/config',
    ];
    const secrets = [LITERAL_SECRET, ENV_SECRET, proxyAuth, proxyAuth.split(' ')[1]!];
    for (const path of paths) {
      const reply = await get(`${dashboard.url}${path}`);
      expect(reply.status, path).toBe(200);
      for (const secret of secrets) expect(reply.body, path).not.toContain(secret);
    }
    const events = JSON.stringify(feed);
    for (const secret of secrets) expect(events).not.toContain(secret);
  });

  it('serves the pages and assets with their types, and nothing outside the assets folder', async () => {
    const index = await get(`${dashboard.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    const script = await get(`${dashboard.url}/assets/pages/app.js`);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    for (const path of [
      '/assets/../outside.txt',
      '/assets/..%2f..%2foutside.txt',
      '/outside.txt',
    ]) {
      const reply = await get(`${dashboard.url}${path}`);
      expect(reply.status, path).toBe(404);
      expect(reply.body).not.toContain('not an asset');
    }
    expect((await get(`${dashboard.url}/api/nothing`)).status).toBe(404);
  });

  it('refuses a foreign Host or Origin (no DNS rebinding)', async () => {
    const rebound = await get(`${dashboard.url}/api/overview`, { host: 'evil.example:5173' });
    expect(rebound.status).toBe(403);
    const foreign = await get(`${dashboard.url}/api/overview`, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const local = await get(`${dashboard.url}/api/overview`, { origin: 'http://localhost:5173' });
    expect(local.status).toBe(200);
  });
});

describe('dashboard beyond loopback', () => {
  const opened: { close(): void }[] = [];
  const sources = () => {
    const telemetry = createTelemetrySource({
      dataDir,
      configDir: join(root, 'config'),
      fanout: createRecordFanout(),
    });
    const audit = openAuditStore({ dataDir }, { readonly: true });
    opened.push(telemetry, audit);
    return { telemetry, audit };
  };
  afterAll(() => {
    for (const store of opened) store.close();
  });

  it('requires the admin token on every API request and the feed, not on the page that asks for it', async () => {
    // Bound to the wildcard but only ever dialed on 127.0.0.1.
    const open = await startDashboard({
      listen: '0.0.0.0:0',
      gateway,
      ...sources(),
      adminToken: ADMIN_TOKEN,
      assetsDir: join(root, 'assets'),
      logger: pino({ level: 'silent' }),
    });
    try {
      const base = `http://127.0.0.1:${open.address.port}`;
      const cases: [string, Record<string, string>, number][] = [
        ['/api/overview', {}, 401],
        ['/api/overview', { authorization: 'Bearer wrong' }, 401],
        ['/api/overview', { authorization: ADMIN_TOKEN }, 401],
        ['/', {}, 200],
        ['/api/events', {}, 401],
        ['/api/overview', { authorization: `Bearer ${ADMIN_TOKEN}` }, 200],
        ['/', { authorization: `Bearer ${ADMIN_TOKEN}` }, 200],
      ];
      for (const [path, headers, status] of cases) {
        const reply = await get(`${base}${path}`, headers);
        expect(reply.status, `${path} ${JSON.stringify(headers)}`).toBe(status);
        expect(reply.body).not.toContain(ADMIN_TOKEN);
      }
    } finally {
      await open.close();
    }
  });

  it('does not start beyond loopback without an admin token', async () => {
    await expect(
      startDashboard({
        listen: '0.0.0.0:0',
        gateway,
        ...sources(),
        assetsDir: join(root, 'assets'),
        logger: pino({ level: 'silent' }),
      }),
    ).rejects.toMatchObject({ code: 'GATEWAY_LISTEN_REFUSED' });
  });
});
