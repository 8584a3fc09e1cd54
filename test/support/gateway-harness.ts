// Starts a real gateway on loopback (port 0) from a temp config, and connects real SDK clients to it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import {
  type Gateway,
  type StartGatewayOptions,
  startGateway,
} from '../../gateway/gateway-service.ts';

export const FIXTURE_STDIO = resolve(import.meta.dirname, '../fixtures/servers/stdio-server.ts');
export const EVERYTHING = resolve(
  import.meta.dirname,
  '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js',
);

/** A stdio server spec for the test fixture, labelled (the label shows in its prompt and resource text). */
export function fixtureServer(label: string) {
  return { command: process.execPath, args: [FIXTURE_STDIO, label] };
}

export function everythingServer() {
  return { command: process.execPath, args: [EVERYTHING, 'stdio'] };
}

export interface TestGateway {
  readonly gateway: Gateway;
  readonly configDir: string;
  readonly dataDir: string;
  writeMcp(servers: Record<string, unknown>): Promise<void>;
  writeApp(yaml: string): Promise<void>;
  connect(options?: ConnectOptions): Promise<Client>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly transport?: 'streamable-http' | 'sse';
  readonly headers?: Record<string, string>;
  readonly name?: string;
  readonly clientOptions?: ClientOptions;
}

export async function startTestGateway(init: {
  servers: Record<string, unknown>;
  app?: string;
  options?: Partial<StartGatewayOptions>;
}): Promise<TestGateway> {
  const root = await mkdtemp(join(tmpdir(), 'airlock-gw-'));
  const configDir = join(root, 'config');
  const dataDir = join(root, 'data');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(configDir, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  const writeMcp = (servers: Record<string, unknown>) =>
    writeFile(join(configDir, 'mcp.json'), JSON.stringify({ mcpServers: servers }, null, 2));
  const writeApp = (yaml: string) => writeFile(join(configDir, 'app.yaml'), yaml);
  await writeMcp(init.servers);
  if (init.app !== undefined) await writeApp(init.app);
  const gateway = await startGateway({
    configDir,
    dataDir,
    logger: pino({ level: 'silent' }),
    listen: { mcp: '127.0.0.1:0', metrics: null },
    pollMs: 200,
    debounceMs: 20,
    ...init.options,
  });
  const clients: Client[] = [];
  return {
    gateway,
    configDir,
    dataDir,
    writeMcp,
    writeApp,
    async connect(options = {}) {
      const client = new Client(
        { name: options.name ?? 'test-client', version: '1.0.0' },
        options.clientOptions ?? {},
      );
      const requestInit = { headers: options.headers ?? {} };
      const transport =
        options.transport === 'sse'
          ? new SSEClientTransport(new URL(gateway.sseUrl), {
              requestInit,
              eventSourceInit: {
                fetch: (url, init) =>
                  fetch(url, {
                    ...init,
                    headers: {
                      ...(init?.headers as Record<string, string>),
                      ...requestInit.headers,
                    },
                  }),
              },
            })
          : new StreamableHTTPClientTransport(new URL(gateway.url), { requestInit });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.allSettled(clients.map((client) => client.close()));
      await gateway.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
