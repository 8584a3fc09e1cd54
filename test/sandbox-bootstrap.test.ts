// The proxy bootstrap on an older Node inside a bwrap sandbox: http and https go through the relay and egress; Node 24 needs none of it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateDirFor } from '../gateway/sandbox/bwrap-launcher.ts';
import { createSelectingLauncher } from '../gateway/sandbox/select-launcher.ts';
import { startTestEgress, type TestEgress, waitUntil } from './support/egress-harness.ts';
import { type Origin, startHttpOrigin, startHttpsOrigin } from './support/origin.ts';
import { createTestCertificates } from './support/test-ca.ts';

const bwrapWorks =
  spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-net', '--dev', '/dev', '--', '/bin/true'])
    .status === 0;
/** A Node older than 24.5 (which ignores NODE_USE_ENV_PROXY for http/https), when the machine has one. */
const OLD_NODE = '/usr/bin/node';
const oldNodeVersion =
  spawnSync(OLD_NODE, ['-p', 'process.versions.node']).stdout?.toString().trim() ?? '';
const [major = 99, minor = 0] = oldNodeVersion.split('.').map(Number);
const haveOldNode =
  oldNodeVersion !== '' && (major < 24 || (major === 24 && minor < 5)) && major >= 20;

describe.runIf(bwrapWorks && haveOldNode)(`proxy bootstrap on Node ${oldNodeVersion}`, () => {
  let http: Origin;
  let https: Origin;
  let t: TestEgress;
  let ca: string;
  beforeAll(async () => {
    const certs = createTestCertificates(['api.slack.com']);
    ca = certs.ca;
    http = await startHttpOrigin();
    https = await startHttpsOrigin(certs);
    t = await startTestEgress({
      egress: {
        hosts: { 'api.slack.com': '127.0.0.1', 'api.badactor.com': '127.0.0.1' },
        allowAddresses: [`127.0.0.1/32:${http.port}`, `127.0.0.1/32:${https.port}`],
      },
      flows: {
        'allow.yaml': `AllowFilter:\n  processor: Filter\n  parameters:\n    - key: urls\n      value:\n        - "api.slack.com:${http.port}/*"\n        - "api.slack.com:${https.port}/*"\nGenerateResponseForbidden:\n  processor: GenerateResponse\n  parameters:\n    - key: status\n      value: 403\n    - key: body\n      value: "Forbidden Access"\n`,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await http?.close();
    await https?.close();
  });

  async function runOld(name: string, code: string): Promise<Record<string, unknown>> {
    const launcher = createSelectingLauncher({
      dataDir: t.dataDir,
      sockets: t.egress,
      advisoryProxyEnv: () => ({}),
      logger: pino({ level: 'silent' }),
      graceMs: 500,
    });
    const state = stateDirFor(t.dataDir, name);
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'ca.pem'), ca);
    const launched = await launcher.launch(
      {
        name,
        transport: 'stdio',
        command: OLD_NODE,
        args: ['--input-type=module', '-e', code],
        env: {},
        disabled: false,
        sandbox: { type: 'bwrap', allowWrite: [], allowRead: [] },
      },
      {
        HTTP_PORT: String(http.port),
        HTTPS_PORT: String(https.port),
        NODE_EXTRA_CA_CERTS: join(state, 'ca.pem'),
      },
    );
    const exit = await launched.exited;
    await launched.stop();
    expect(exit.code, launched.stderrTail().join('\n')).toBe(0);
    return JSON.parse(readFileSync(join(state, 'result.json'), 'utf8'));
  }

  const prelude = `const fs = await import('node:fs'); const out = (r) => fs.writeFileSync(process.env.AIRLOCK_STATE_DIR + '/result.json', JSON.stringify(r));
    const get = (mod, url) => new Promise((resolve) => mod.get(url, (res) => { let body = ''; res.on('data', (c) => { body += c; }); res.on('end', () => resolve(res.statusCode + ' ' + body)); }).on('error', (e) => resolve('error ' + e.message)));`;

  it('sends node:http through the proxy in absolute form: allowed reaches the origin, denied gets 403', async () => {
    const result = await runOld(
      'old-http',
      `${prelude}
      const http = await import('node:http');
      out({ ok: await get(http, 'http://api.slack.com:' + process.env.HTTP_PORT + '/ok'), bad: await get(http, 'http://api.badactor.com:' + process.env.HTTP_PORT + '/steal_data') });`,
    );
    expect(result).toEqual({ ok: '200 hello /ok', bad: '403 Forbidden Access' });
    expect(http.seen.map((r) => r.url)).toEqual(['/ok']);
  });

  it('tunnels node:https with CONNECT and verifies the origin certificate over the tunnel', async () => {
    const result = await runOld(
      'old-https',
      `${prelude}
      const https = await import('node:https');
      out({ ok: await get(https, 'https://api.slack.com:' + process.env.HTTPS_PORT + '/secure'), bad: await get(https, 'https://api.badactor.com:' + process.env.HTTPS_PORT + '/x') });`,
    );
    expect(result.ok).toBe('200 hello /secure');
    expect(String(result.bad)).toMatch(
      /^error proxy refused CONNECT api\.badactor\.com:\d+: HTTP\/1\.1 403/,
    );
    // A tunnel's record arrives when it closes.
    await waitUntil(
      () => t.records.filter((r) => r.server === 'old-https').length >= 2,
      'two tunnel records',
    );
    const records = t.records
      .filter((r) => r.server === 'old-https')
      .map((r) => [r.host, r.decision]);
    expect(records.sort()).toEqual([
      ['api.badactor.com', 'deny'],
      ['api.slack.com', 'allow'],
    ]);
  });
});
