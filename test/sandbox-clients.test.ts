// Ordinary clients inside a sandbox (Node fetch, https.get, curl, Python urllib) go through the relay and the egress's flows.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Origin, startHttpOrigin, startHttpsOrigin } from './support/origin.ts';
import { sandboxBackends } from './support/sandbox-backends.ts';
import { type SandboxStack, startSandboxStack } from './support/sandbox-stack.ts';
import { createTestCertificates } from './support/test-ca.ts';

const CLIENTS = resolve(import.meta.dirname, 'fixtures/malicious/server.ts');
const hasPython = spawnSync('python3', ['--version']).status === 0;
const clients = ['fetch', 'https.get', 'curl', ...(hasPython ? ['python'] : [])] as const;
/** Clients that send plain http:// through a CONNECT tunnel rather than an absolute-form request. */
const TUNNELS_PLAIN_HTTP = new Set<string>(['fetch']);
if (!hasPython) console.warn('SKIPPING PYTHON CLIENT CASES: python3 is not installed here');

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
}

const backends = await sandboxBackends();

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'clients inside a %s sandbox',
  (_name, backend) => {
    const certs = createTestCertificates(['api.allowed.test', 'api.denied.test']);
    let stack: SandboxStack;
    let https: Origin;
    let http: Origin;

    beforeAll(async () => {
      [https, http] = await Promise.all([startHttpsOrigin(certs), startHttpOrigin()]);
      const allowed = [`api.allowed.test:${https.port}/*`, `api.allowed.test:${http.port}/*`];
      stack = await startSandboxStack({
        backend,
        servers: {
          clients: {
            command: process.execPath,
            args: [CLIENTS],
            env: { NODE_EXTRA_CA_CERTS: certs.caFile },
            // The CA lives in the host's /tmp, which the sandbox replaces with its own.
            sandbox: { type: backend.name, allowRead: [dirname(certs.caFile)] },
          },
        },
        egress: {
          hosts: { 'api.allowed.test': '127.0.0.1', 'api.denied.test': '127.0.0.1' },
          allowAddresses: [`127.0.0.1/32:${https.port}`, `127.0.0.1/32:${http.port}`],
        },
        flows: {
          'allowlist.yaml': [
            'AllowFilter:',
            '  processor: Filter',
            '  parameters:',
            '    - key: urls',
            `      value: [${allowed.map((url) => `"${url}"`).join(', ')}]`,
            'GenerateResponseForbidden:',
            '  processor: GenerateResponse',
            '  parameters:',
            '    - key: status',
            '      value: 403',
            '    - key: body',
            '      value: "Forbidden Access"',
            '    - key: Content-Type',
            '      value: text/plain',
            '',
          ].join('\n'),
        },
        upstreamCa: certs.ca,
      });
    }, 60_000);

    afterAll(async () => {
      await stack?.close();
      await Promise.allSettled([https?.close(), http?.close()]);
    });

    const get = (client: string, url: string) =>
      stack.callJson<Outcome>('clients__client_get', { client, url, caFile: certs.caFile });

    it('runs with the relay as its only proxy', async () => {
      const inside = await stack.callJson<{ proxy: string; env: string[] }>('clients__environment');
      expect(inside.proxy).toBe('http://127.0.0.1:3128');
      expect(inside.env).toContain('NODE_USE_ENV_PROXY');
    });

    it.each(clients)('%s reaches an allowed HTTPS origin through CONNECT', async (client) => {
      const path = `/tls-${client}`;
      const outcome = await get(client, `https://api.allowed.test:${https.port}${path}`);
      expect(outcome).toMatchObject({ status: 200, body: `hello ${path}` });
      expect(https.seen.filter((seen) => seen.url === path)).toHaveLength(1);
      const record = await stack.waitForRecords(
        (r) => r.host === 'api.allowed.test' && r.port === https.port && r.decision === 'allow',
        `the tunnel record for ${client}`,
      );
      expect(record.server).toBe('clients');
    });

    it.each(clients)('%s reaches an allowed plain-HTTP origin', async (client) => {
      const path = `/plain-${client}`;
      const outcome = await get(client, `http://api.allowed.test:${http.port}${path}`);
      expect(outcome).toMatchObject({ status: 200, body: `hello ${path}` });
      expect(http.seen.filter((seen) => seen.url === path)).toHaveLength(1);
    });

    it.each(clients)("%s gets the egress's 403 for a denied plain-HTTP origin", async (client) => {
      const path = `/denied-${client}`;
      const before = stack.records.length;
      const outcome = await get(client, `http://api.denied.test:${http.port}${path}`);
      expect(http.seen.filter((seen) => seen.url === path)).toHaveLength(0);
      const record = await stack.waitForRecords(
        (r) => stack.records.indexOf(r) >= before && r.host === 'api.denied.test',
        'the deny record',
      );
      expect(record).toMatchObject({
        server: 'clients',
        decision: 'deny',
        processor: 'GenerateResponseForbidden',
      });
      if (TUNNELS_PLAIN_HTTP.has(client)) {
        // undici's proxy agent (Node's fetch) tunnels http:// too: the 403 answers its CONNECT.
        expect(outcome.error).toBeDefined();
        expect(record.method).toBe('CONNECT');
      } else {
        expect(outcome).toMatchObject({ status: 403, body: 'Forbidden Access' });
        expect(record.path).toBe(path);
      }
    });

    it.each(clients)('%s cannot tunnel to a denied HTTPS origin', async (client) => {
      const path = `/denied-tls-${client}`;
      const before = stack.records.length;
      const outcome = await get(client, `https://api.denied.test:${https.port}${path}`);
      // The CONNECT itself gets the 403; clients report a tunnel failure, not an HTTP status.
      expect(outcome.status === undefined || outcome.status === 403 || outcome.status === 0).toBe(
        true,
      );
      expect(https.seen.filter((seen) => seen.url === path)).toHaveLength(0);
      const record = await stack.waitForRecords(
        (r) => stack.records.indexOf(r) >= before && r.host === 'api.denied.test',
        'the CONNECT deny record',
      );
      expect(record).toMatchObject({ server: 'clients', decision: 'deny', method: 'CONNECT' });
    });
  },
);
