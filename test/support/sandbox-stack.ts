// Egress + gateway in one process wired like `airlock up`, with sandboxed stdio servers, for the attack tests.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import type { EgressRecord } from '../../egress/egress-record.ts';
import { type Egress, startEgress } from '../../egress/egress-service.ts';
import { type Gateway, startGateway } from '../../gateway/gateway-service.ts';
import { withEgressSockets } from '../../gateway/sandbox/egress-sockets.ts';
import type { Launcher } from '../../gateway/upstream/launcher.ts';
import { appYaml, waitUntil } from './egress-harness.ts';
import type { SandboxBackend } from './sandbox-backends.ts';

export interface SandboxStackInit {
  readonly backend: SandboxBackend;
  /** mcp.json servers (each gets `sandbox: {type: backend}` unless it has one). */
  readonly servers: Readonly<Record<string, Record<string, unknown>>>;
  /** The `egress:` section (listen defaults to 127.0.0.1:0). */
  readonly egress?: Record<string, unknown>;
  readonly flows?: Readonly<Record<string, string>>;
  readonly upstreamCa?: string;
  /** `memory`: records kept in `records` only; `store`: the SQLite telemetry store (`airlock report`). */
  readonly telemetry?: 'memory' | 'store';
}

export interface SandboxStack {
  readonly egress: Egress;
  readonly gateway: Gateway;
  readonly configDir: string;
  readonly dataDir: string;
  readonly records: EgressRecord[];
  /** One connected MCP client for the gateway (created on first use). */
  client(): Promise<Client>;
  /** Calls `server__tool` through the gateway and parses the tool's JSON text. */
  callJson<T = Record<string, unknown>>(tool: string, args?: Record<string, unknown>): Promise<T>;
  waitForRecords(match: (record: EgressRecord) => boolean, what: string): Promise<EgressRecord>;
  close(): Promise<void>;
}

export async function startSandboxStack(init: SandboxStackInit): Promise<SandboxStack> {
  const root = await mkdtemp(join(tmpdir(), 'airlock-sandbox-'));
  const configDir = join(root, 'config');
  const dataDir = join(root, 'data');
  await mkdir(join(configDir, 'flows'), { recursive: true });
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(configDir, 'app.yaml'), appYaml(init.egress ?? {}));
  for (const [name, text] of Object.entries(init.flows ?? {})) {
    await writeFile(join(configDir, 'flows', name), text);
  }
  const servers = Object.fromEntries(
    Object.entries(init.servers).map(([name, spec]) => [
      name,
      { sandbox: { type: init.backend.name }, ...spec },
    ]),
  );
  await writeFile(join(configDir, 'mcp.json'), JSON.stringify({ mcpServers: servers }, null, 2));

  const records: EgressRecord[] = [];
  const silent = pino({ level: 'silent' });
  const egress = await startEgress({
    configDir,
    dataDir,
    listen: '127.0.0.1:0',
    logger: silent,
    ...(init.telemetry === 'store' ? {} : { sink: (record) => records.push(record) }),
    // Never DNS: a name not in egress.hosts does not resolve, so nothing can leave the machine.
    lookup: async (host) => {
      throw Object.assign(new Error(`test lookup refused for ${host}`), { code: 'ENOTFOUND' });
    },
    ...(init.upstreamCa === undefined ? {} : { upstreamCa: init.upstreamCa }),
    watch: false,
  });
  let launcher: Launcher;
  let gateway: Gateway;
  try {
    launcher = withEgressSockets(await init.backend.create({ dataDir, logger: silent }), egress);
    gateway = await startGateway({
      configDir,
      dataDir,
      logger: silent,
      launcher,
      listen: { mcp: '127.0.0.1:0', metrics: null },
      watch: false,
    });
  } catch (error) {
    await egress.close();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  let connected: Client | undefined;
  const client = async () => {
    if (connected) return connected;
    const fresh = new Client({ name: 'attack-test', version: '1.0.0' });
    await fresh.connect(new StreamableHTTPClientTransport(new URL(gateway.url)));
    connected = fresh;
    return fresh;
  };
  return {
    egress,
    gateway,
    configDir,
    dataDir,
    records,
    client,
    async callJson<T>(tool: string, args: Record<string, unknown> = {}) {
      const result = await (await client()).callTool({ name: tool, arguments: args }, undefined, {
        timeout: 20_000,
      });
      const content = result.content as { type: string; text?: string }[];
      const text = content.find((part) => part.type === 'text')?.text ?? '';
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new Error(`${tool} returned no JSON: ${text}`);
      }
    },
    async waitForRecords(match, what) {
      await waitUntil(() => records.some(match), what, 8_000);
      return records.find(match) as EgressRecord;
    },
    async close() {
      await connected?.close().catch(() => {});
      await gateway.close();
      await egress.close();
      if (existsSync(root)) await rm(root, { recursive: true, force: true });
    },
  };
}
