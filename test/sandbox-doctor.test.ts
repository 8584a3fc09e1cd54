// `airlock doctor`: the pure report, and real checks against a temp config (a taken port, broken files, a working default).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doctorReport, run } from '../cli/doctor.ts';

function capture() {
  const chunks: string[] = [];
  const write = (text: string) => {
    chunks.push(text);
  };
  return { io: { stdout: write, stderr: write }, out: () => chunks.join('') };
}

function configRoot(
  app: string,
  mcp = '{"mcpServers": {}}',
  flows: Record<string, string> = {},
): { config: string; data: string } {
  const root = mkdtempSync(join(tmpdir(), 'airlock-doctor-'));
  mkdirSync(join(root, 'config', 'flows'), { recursive: true });
  writeFileSync(join(root, 'config', 'app.yaml'), app);
  writeFileSync(join(root, 'config', 'mcp.json'), mcp);
  for (const [name, text] of Object.entries(flows))
    writeFileSync(join(root, 'config', 'flows', name), text);
  return { config: join(root, 'config'), data: join(root, 'data') };
}

/** Listens on loopback port 0; the app.yaml below points every listener at free ports besides this one. */
async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function freePort(): Promise<number> {
  const { server, port } = await listening();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function appWith(mcpPort: number): Promise<string> {
  return `listen:\n  mcp: 127.0.0.1:${mcpPort}\n  dashboard: 127.0.0.1:${await freePort()}\n  metrics: 127.0.0.1:${await freePort()}\negress:\n  listen: 127.0.0.1:${await freePort()}\n`;
}

describe('doctorReport', () => {
  const cases = [
    {
      what: 'all required checks pass',
      checks: [{ name: 'a', ok: true, detail: 'fine', required: true }],
      code: 0,
      last: /everything needed works/,
    },
    {
      what: 'an optional check fails',
      checks: [{ name: 'docker', ok: false, detail: 'no engine', required: false }],
      code: 0,
      last: /everything needed works/,
    },
    {
      what: 'a required check fails',
      checks: [{ name: 'port', ok: false, detail: 'taken', required: true }],
      code: 1,
      last: /1 problem/,
    },
  ];
  for (const c of cases) {
    it(`exits ${c.code} when ${c.what}`, () => {
      const report = doctorReport(c.checks);
      expect(report.code).toBe(c.code);
      expect(report.lines.at(-1)).toMatch(c.last);
    });
  }
  it('marks failed optional checks "no" and failed required checks "FAIL"', () => {
    const report = doctorReport([
      { name: 'docker', ok: false, detail: 'no engine', required: false },
      { name: 'port', ok: false, detail: 'taken', required: true },
    ]);
    expect(report.lines.slice(0, 2)).toEqual(['no   docker: no engine', 'FAIL port: taken']);
  });
});

describe('airlock doctor', () => {
  it('passes on a valid config with free ports and a writable data dir', async () => {
    const dirs = configRoot(await appWith(await freePort()));
    const { io, out } = capture();
    const code = await run(['--config', dirs.config, '--data', dirs.data], io);
    expect(out()).toMatch(/ok {3}gateway config: 0 server\(s\)/);
    expect(out()).toMatch(/ok {3}data dir: .* is writable/);
    // The sandbox check decides the code: it is the only one that depends on the machine.
    expect(code).toBe(/ok {3}sandbox \(auto\)/.test(out()) ? 0 : 1);
  });

  it('fails naming a taken port', async () => {
    const taken = await listening();
    servers.push(taken.server);
    const dirs = configRoot(await appWith(taken.port));
    const { io, out } = capture();
    expect(await run(['--config', dirs.config, '--data', dirs.data], io)).toBe(1);
    expect(out()).toContain(
      `FAIL port 127.0.0.1:${taken.port}: 127.0.0.1:${taken.port} is taken (EADDRINUSE)`,
    );
  });

  it('fails naming file, line and field of a broken mcp.json and flow', async () => {
    const dirs = configRoot(
      await appWith(await freePort()),
      '{\n "mcpServers": {"bad": {"command": 42}}}\n',
      {
        'x.yaml': 'X:\n  processor: Nope\n',
      },
    );
    const { io, out } = capture();
    expect(await run(['--config', dirs.config, '--data', dirs.data], io)).toBe(1);
    expect(out()).toMatch(/FAIL gateway config: .*mcp\.json:2:\d+: mcpServers\.bad\.command/);
    expect(out()).toMatch(
      /FAIL egress config and flows: .*x\.yaml:2:\d+: X\.processor: unknown processor 'Nope'/,
    );
  });
});
