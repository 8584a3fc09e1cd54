// The egress admin socket and its gateway-side client, against a real egress: open, use, close, refuse.
import { statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAdminRequest, startEgressAdmin } from '../../egress/admin-server.ts';
import { startTestEgress, type TestEgress } from '../../test/support/egress-harness.ts';
import { type Origin, startHttpOrigin } from '../../test/support/origin.ts';
import { connectEgressAdmin, EgressAdminError } from './egress-admin-client.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function egressWithAdmin(): Promise<{
  egress: TestEgress;
  origin: Origin;
  adminPath: string;
}> {
  const origin = await startHttpOrigin();
  cleanups.push(() => origin.close());
  const egress = await startTestEgress({
    egress: {
      default: 'allow',
      hosts: { 'origin.test': '127.0.0.1' },
      allowAddresses: [`127.0.0.1/32:${origin.port}`],
    },
  });
  cleanups.push(() => egress.close());
  const adminPath = join(egress.dataDir, 'egress.sock');
  const admin = await startEgressAdmin(adminPath, egress.egress);
  cleanups.push(() => admin.close());
  return { egress, origin, adminPath };
}

/** A plain proxy request over a Unix socket, as the relay would forward it. */
function getVia(socketPath: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { host: new URL(url).host, connection: 'close' };
    const req = request({ socketPath, path: url, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('egress admin socket', () => {
  it('opens a server socket the gateway can use, attributed to that server, and closes it', async () => {
    const { egress, origin, adminPath } = await egressWithAdmin();
    const admin = await connectEgressAdmin(adminPath);
    const path = await admin.openServerSocket('memory');
    expect(path).toBe(join(egress.dataDir, 'sockets', 'memory.sock'));
    expect(await getVia(path, `http://origin.test:${origin.port}/hello`)).toBe(200);
    const [record] = await egress.waitForRecords(1);
    expect(record?.server).toBe('memory');
    expect(origin.seen).toHaveLength(1);
    await admin.closeServerSocket('memory');
    expect(() => statSync(path)).toThrow();
  });

  it('creates the admin socket readable and writable by its owner only', async () => {
    const { adminPath } = await egressWithAdmin();
    expect(statSync(adminPath).mode & 0o777).toBe(0o600);
  });

  it("refuses an invalid server name with the egress's own error code", async () => {
    const { adminPath } = await egressWithAdmin();
    const admin = await connectEgressAdmin(adminPath);
    const error = await admin.openServerSocket('../escape').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EgressAdminError);
    expect((error as EgressAdminError).code).toBe('EGRESS_LISTEN_FAILED');
  });

  it('reports an egress that is not running as unreachable', async () => {
    const { egress } = await egressWithAdmin();
    const error = await connectEgressAdmin(join(egress.dataDir, 'nobody.sock')).catch(
      (caught: unknown) => caught,
    );
    expect((error as EgressAdminError).code).toBe('ADMIN_UNREACHABLE');
  });

  it('refuses to take over the admin socket of a running egress', async () => {
    const { egress, adminPath } = await egressWithAdmin();
    await expect(startEgressAdmin(adminPath, egress.egress)).rejects.toThrow(/in use/);
  });
});

describe('parseAdminRequest', () => {
  it.each([
    ['{"op":"open","server":"memory"}', { op: 'open', server: 'memory' }],
    ['{"op":"close","server":"memory"}', { op: 'close', server: 'memory' }],
    ['{"op":"ping"}', { op: 'ping' }],
    ['not json', { ok: false, code: 'ADMIN_BAD_REQUEST', error: 'request is not JSON' }],
    ['null', { ok: false, code: 'ADMIN_BAD_REQUEST', error: 'request is not an object' }],
    ['{"op":"rm"}', { ok: false, code: 'ADMIN_BAD_REQUEST', error: 'unknown op "rm"' }],
    ['{"op":"open"}', { ok: false, code: 'ADMIN_BAD_REQUEST', error: 'open needs a server name' }],
  ])('%s → %j', (line, expected) => {
    expect(parseAdminRequest(line)).toEqual(expected);
  });
});
