// The article's scenario: a community Slack server with a hidden exfiltration feature, sandboxed behind the allowlist.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackExampleOnPorts } from './support/flow-texts.ts';
import { type Origin, startHttpsOrigin } from './support/origin.ts';
import { sandboxBackends } from './support/sandbox-backends.ts';
import { type SandboxStack, startSandboxStack } from './support/sandbox-stack.ts';
import { createTestCertificates } from './support/test-ca.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const SLACK_SERVER = resolve(import.meta.dirname, 'fixtures/slack-community/server.ts');
const MEMORY = resolve(ROOT, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');

interface Reply {
  status?: number;
  body?: string;
  error?: string;
}

interface StoredRecord {
  server: string;
  host: string;
  path: string | null;
  decision: string;
  flow: string | null;
  processor: string | null;
  status: number | null;
}

async function reportBlocked(dataDir: string): Promise<StoredRecord[]> {
  const { stdout } = await run(
    process.execPath,
    [join(ROOT, 'cli/airlock.ts'), 'report', 'blocked', '--data', dataDir, '--format', 'json'],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as StoredRecord[];
}

const backends = await sandboxBackends();

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  "the article's malicious Slack server in a %s sandbox",
  (_name, backend) => {
    const certs = createTestCertificates(['api.slack.com', 'api.badactor.com']);
    let stack: SandboxStack;
    let slack: Origin;
    let badactor: Origin;
    let memoryDir: string;

    beforeAll(async () => {
      [slack, badactor] = await Promise.all([startHttpsOrigin(certs), startHttpsOrigin(certs)]);
      memoryDir = await mkdtemp(join(tmpdir(), 'airlock-memory-'));
      await mkdir(memoryDir, { recursive: true });
      stack = await startSandboxStack({
        backend,
        telemetry: 'store',
        servers: {
          'slack-community': {
            command: process.execPath,
            args: [SLACK_SERVER],
            env: {
              NODE_EXTRA_CA_CERTS: certs.caFile,
              SLACK_FIXTURE_PORT: String(slack.port),
              BAD_FIXTURE_PORT: String(badactor.port),
            },
            sandbox: { type: backend.name, allowRead: [resolve(certs.caFile, '..')] },
          },
          memory: {
            command: process.execPath,
            args: [MEMORY],
            env: { MEMORY_FILE_PATH: join(memoryDir, 'memory.json') },
            sandbox: { type: backend.name, allowWrite: [memoryDir] },
          },
        },
        egress: {
          hosts: { 'api.slack.com': '127.0.0.1', 'api.badactor.com': '127.0.0.1' },
          // Both addresses may be dialed: only the allowlist stands between the thief and its origin.
          allowAddresses: [`127.0.0.1/32:${slack.port}`, `127.0.0.1/32:${badactor.port}`],
        },
        // The article's short form; test origins are not on 443, and a port must be written to be allowed.
        flows: { 'allowlist.yaml': slackExampleOnPorts([slack.port]) },
        upstreamCa: certs.ca,
      });
    }, 60_000);

    afterAll(async () => {
      await stack?.close();
      await Promise.allSettled([slack?.close(), badactor?.close()]);
      await rm(memoryDir, { recursive: true, force: true });
    });

    it('posts to Slack, while the hidden copy gets 403 "Forbidden Access" and never arrives', async () => {
      const result = await stack.callJson<{ slack: Reply; stolen: Reply }>(
        'slack-community__post_message',
        { channel: '#general', text: 'quarterly numbers: confidential' },
      );
      expect(result.slack.status).toBe(200);
      expect(slack.seen).toMatchObject([{ method: 'POST', url: '/api/chat.postMessage' }]);
      // Over CONNECT the 403 answers the tunnel; the client sees it as a failed request either way.
      if (result.stolen.status !== undefined) {
        expect(result.stolen).toMatchObject({ status: 403, body: 'Forbidden Access' });
      } else {
        // Node's fetch drops the CONNECT's 403 body and reports "Request was cancelled"; the store shows the 403.
        expect(result.stolen.error).toMatch(/cancelled|403|tunnel/i);
      }
      expect(badactor.seen).toHaveLength(0);
      expect(badactor.connections()).toBe(0);
    });

    it('shows the attempt under that server in `airlock report blocked`', async () => {
      let blocked: StoredRecord[] = [];
      const deadline = Date.now() + 8_000;
      while (Date.now() < deadline) {
        blocked = (await reportBlocked(stack.dataDir)).filter(
          (record) => record.host === 'api.badactor.com',
        );
        if (blocked.length > 0) break;
        await new Promise((done) => setTimeout(done, 200));
      }
      expect(blocked).toHaveLength(1);
      expect(blocked[0]).toMatchObject({
        server: 'slack-community',
        host: 'api.badactor.com',
        decision: 'deny',
        processor: 'GenerateResponseForbidden',
        status: 403,
      });
      expect(blocked[0]?.flow).toBeTruthy();
      const all = await reportBlocked(stack.dataDir);
      expect(all.filter((record) => record.host === 'api.slack.com')).toHaveLength(0);
    });

    it('runs the npm memory server in the same kind of sandbox, its tools working through the gateway', async () => {
      const client = await stack.client();
      const created = await client.callTool({
        name: 'memory__create_entities',
        arguments: {
          entities: [{ name: 'airlock', entityType: 'project', observations: ['sandboxed'] }],
        },
      });
      expect(created.isError).toBeFalsy();
      const graph = await client.callTool({
        name: 'memory__read_graph',
        arguments: {},
      });
      const text = (graph.content as { type: string; text?: string }[])[0]?.text ?? '';
      expect(text).toContain('airlock');
      expect(text).toContain('sandboxed');
    });
  },
);
