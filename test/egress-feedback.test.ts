// Blocks fed back to the agent: egress and gateway wired as `airlock up` wires them, two sandboxed servers called at once.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEgressAnnotator } from '../cli/egress-annotator.ts';
import { type Egress, startEgress } from '../egress/egress-service.ts';
import type { StoredRecord } from '../egress/telemetry-queries.ts';
import { openTelemetryStore } from '../egress/telemetry-store.ts';
import { openAuditStore } from '../gateway/audit/audit-store.ts';
import { EGRESS_META_KEY } from '../gateway/downstream/egress-feedback.ts';
import { type Gateway, startGateway } from '../gateway/gateway-service.ts';
import { withEgressSockets } from '../gateway/sandbox/egress-sockets.ts';
import { appYaml, waitUntil } from './support/egress-harness.ts';
import { type Origin, startHttpOrigin } from './support/origin.ts';
import { sandboxBackends } from './support/sandbox-backends.ts';

const CALLER = resolve(import.meta.dirname, 'fixtures/egress-caller/server.ts');
const HOST = 'api.origin.test';

/** A flow for one server: `allowed` passes, anything else gets 403 from the `Deny` processor. */
function onlyFlow(name: string, server: string, allowed: string): string {
  return [
    `name: ${name}`,
    'filter:',
    `  servers: [${server}]`,
    'processors:',
    '  Allow:',
    '    processor: Filter',
    '    parameters:',
    '      - key: urls',
    `        value: ["${allowed}"]`,
    '  Deny:',
    '    processor: GenerateResponse',
    '    parameters:',
    '      - key: status',
    '        value: 403',
    '      - key: body',
    '        value: "Forbidden Access"',
    '',
  ].join('\n');
}

interface ToolResult {
  content: { type: string; text?: string }[];
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

const [bwrap] = await sandboxBackends();

describe('egress blocks fed back to the agent', () => {
  let root: string;
  let dataDir: string;
  let origin: Origin;
  let egress: Egress;
  let gateway: Gateway;
  let client: Client;

  beforeAll(async () => {
    if (bwrap === undefined) throw new Error('no sandbox backend');
    origin = await startHttpOrigin();
    root = await mkdtemp(join(tmpdir(), 'airlock-feedback-'));
    const configDir = join(root, 'config');
    dataDir = join(root, 'data');
    await mkdir(join(configDir, 'flows'), { recursive: true });
    await mkdir(dataDir, { recursive: true });
    const port = origin.port;
    await writeFile(
      join(configDir, 'app.yaml'),
      appYaml({ hosts: { [HOST]: '127.0.0.1' }, allowAddresses: [`127.0.0.1/32:${port}`] }),
    );
    await writeFile(
      join(configDir, 'flows', 'alpha-only.yaml'),
      onlyFlow('alpha-only', 'alpha', `${HOST}:${port}/public/*`),
    );
    await writeFile(
      join(configDir, 'flows', 'beta-only.yaml'),
      onlyFlow('beta-only', 'beta', `${HOST}:${port}/*`),
    );
    const server = { command: process.execPath, args: [CALLER], sandbox: { type: bwrap.name } };
    await writeFile(
      join(configDir, 'mcp.json'),
      JSON.stringify({ mcpServers: { alpha: server, beta: server } }),
    );
    const silent = pino({ level: 'silent' });
    const annotator = createEgressAnnotator();
    egress = await startEgress({
      configDir,
      dataDir,
      listen: '127.0.0.1:0',
      logger: silent,
      annotate: annotator.annotate,
      // Never DNS: only names in egress.hosts resolve.
      lookup: async (host) => {
        throw Object.assign(new Error(`test lookup refused for ${host}`), { code: 'ENOTFOUND' });
      },
      watch: false,
    });
    const launcher = withEgressSockets(await bwrap.create({ dataDir, logger: silent }), egress);
    gateway = await startGateway({
      configDir,
      dataDir,
      logger: silent,
      launcher,
      listen: { mcp: '127.0.0.1:0', metrics: null },
      watch: false,
    });
    annotator.connect(gateway);
    client = new Client({ name: 'feedback-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url)));
  }, 60_000);

  afterAll(async () => {
    await client?.close().catch(() => {});
    await gateway?.close();
    await egress?.close();
    await origin?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const url = (path: string) => `http://${HOST}:${origin.port}${path}`;
  const fetchVia = async (
    server: string,
    path: string,
    options: { holdMs?: number; failWhenRefused?: boolean } = {},
  ) =>
    (await client.callTool(
      { name: `${server}__fetch`, arguments: { url: url(path), ...options } },
      undefined,
      { timeout: 20_000 },
    )) as ToolResult;

  /** The stored telemetry record of `path` (the store writes in batches: wait for it). */
  const storedRecord = async (path: string): Promise<StoredRecord> => {
    let found: StoredRecord | undefined;
    await waitUntil(
      () => {
        const store = openTelemetryStore({ dataDir }, { readonly: true });
        try {
          found = store.records({}).find((record) => record.path === path);
        } finally {
          store.close();
        }
        return found !== undefined;
      },
      `the telemetry record of ${path}`,
      8_000,
    );
    return found as StoredRecord;
  };

  /** The audit row of the call that fetched `path`. */
  const auditRowOf = (path: string) => {
    const audit = openAuditStore({ dataDir }, { readonly: true });
    try {
      const rows = audit.query({ kind: 'tools/call' });
      return rows.find(
        (row) => (JSON.parse(row.arguments ?? '{}') as { url?: string }).url === url(path),
      );
    } finally {
      audit.close();
    }
  };

  const blocksOf = (result: ToolResult) =>
    (result._meta?.[EGRESS_META_KEY] as { blocked: Record<string, unknown>[] } | undefined)
      ?.blocked;

  it('attaches a block only to the call whose server was refused while calls to two servers overlap', async () => {
    const [alpha, beta] = await Promise.all([
      fetchVia('alpha', '/private/one', { holdMs: 300 }),
      fetchVia('beta', '/private/one-beta', { holdMs: 300 }),
    ]);
    expect(JSON.parse(alpha.content[0]?.text ?? '')).toEqual({ status: 403 });
    expect(JSON.parse(beta.content[0]?.text ?? '')).toEqual({ status: 200 });
    expect(blocksOf(alpha)).toEqual([
      {
        host: HOST,
        port: origin.port,
        method: 'GET',
        path: '/private/one',
        flow: 'alpha-only',
        processor: 'Deny',
        reason: expect.any(String),
        time: expect.any(Number),
        decision: 'deny',
      },
    ]);
    expect(beta._meta?.[EGRESS_META_KEY]).toBeUndefined();
    // The tool did not fail: the agent gets the block as data, not as extra text.
    expect(alpha.content).toHaveLength(1);
  }, 30_000);

  it('adds a text block naming method, host, flow and processor when the refused tool failed', async () => {
    const [alpha, beta] = await Promise.all([
      fetchVia('alpha', '/private/two', { holdMs: 300, failWhenRefused: true }),
      fetchVia('beta', '/private/two-beta', { holdMs: 300, failWhenRefused: true }),
    ]);
    expect(alpha.isError).toBe(true);
    expect(alpha.content).toHaveLength(2);
    expect(alpha.content[1]?.text).toMatch(
      /^Airlock egress blocked GET api\.origin\.test\/private\/two \(flow alpha-only\/Deny\): .+\. Retrying will not help; the destination is not allowed for server alpha\.$/,
    );
    expect(beta.isError).toBeUndefined();
    expect(beta.content).toHaveLength(1);
  }, 30_000);

  it("stores the refused record with its call's id as toolCall, the other server's with its own, and audits both as they were", async () => {
    await Promise.all([
      fetchVia('alpha', '/private/three', { holdMs: 200, failWhenRefused: true }),
      fetchVia('beta', '/private/three-beta', { holdMs: 200 }),
    ]);
    const denied = await storedRecord('/private/three');
    const allowed = await storedRecord('/private/three-beta');
    const alphaRow = auditRowOf('/private/three');
    const betaRow = auditRowOf('/private/three-beta');
    expect(denied).toMatchObject({ server: 'alpha', decision: 'deny', toolCall: alphaRow?.callId });
    expect(allowed).toMatchObject({ server: 'beta', decision: 'allow', toolCall: betaRow?.callId });
    expect(alphaRow?.callId).not.toBe(betaRow?.callId);
    // The audit row records what the upstream answered; the feedback is not part of it.
    expect(alphaRow).toMatchObject({ server: 'alpha', outcome: 'tool-error', detail: null });
    expect(betaRow).toMatchObject({ server: 'beta', outcome: 'ok' });
    const audit = openAuditStore({ dataDir }, { readonly: true });
    try {
      expect(audit.verify()).toMatchObject({ ok: true });
    } finally {
      audit.close();
    }
  }, 30_000);

  it('marks a block ambiguous on every overlapping call to the same server, adds no text, and stores no toolCall', async () => {
    const [refused, other] = await Promise.all([
      fetchVia('alpha', '/private/four', { holdMs: 400, failWhenRefused: true }),
      fetchVia('alpha', '/public/four', { holdMs: 400, failWhenRefused: true }),
    ]);
    expect(JSON.parse(other.content[0]?.text ?? '')).toEqual({ status: 200 });
    for (const result of [refused, other]) {
      expect(blocksOf(result)).toEqual([
        expect.objectContaining({ path: '/private/four', ambiguous: true, flow: 'alpha-only' }),
      ]);
      expect(result.content).toHaveLength(1);
    }
    expect(refused.isError).toBe(true);
    expect(await storedRecord('/private/four')).toMatchObject({ decision: 'deny', toolCall: null });
    expect(await storedRecord('/public/four')).toMatchObject({ decision: 'allow', toolCall: null });
  }, 30_000);

  it('attaches a block to no call once every call was answered', () => {
    expect(
      gateway.correlateEgress({
        time: Date.now(),
        server: 'alpha',
        method: 'GET',
        host: HOST,
        port: origin.port,
        path: '/late',
        decision: 'deny',
        flow: 'alpha-only',
        processor: 'Deny',
        reason: 'late',
      }),
    ).toEqual({ toolCall: null, attachedTo: [], ambiguous: false });
  });
});
