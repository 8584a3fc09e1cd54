// Escape attempts from a sandboxed "malicious" MCP server: each aims at a host-loopback listener, each must fail unseen.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CountingListener,
  startDnsResponder,
  startTcpListener,
  startUdpListener,
  startUnixListener,
} from './support/escape-listeners.ts';
import { type Origin, startHttpOrigin } from './support/origin.ts';
import { egressSocketPath, sandboxBackends } from './support/sandbox-backends.ts';
import { type SandboxStack, startSandboxStack } from './support/sandbox-stack.ts';

const MALICIOUS = resolve(import.meta.dirname, 'fixtures/malicious/server.ts');
const DOCKER_SOCKET = '/var/run/docker.sock';

interface Attempt {
  reached: boolean;
  detail: string;
  status?: number;
  reply?: string;
}

/** Paths a server must not be able to write, with the tag that makes them unique to this run. */
const ESCAPE_WRITES: readonly (readonly [string, (tag: string) => string])[] = [
  ['/etc', (tag: string) => `/etc/airlock-escape-${tag}`],
  ['/tmp/../etc', (tag: string) => `/tmp/../etc/airlock-escape-dots-${tag}`],
  [
    'the project dir',
    (tag: string) => join(resolve(import.meta.dirname, '..'), `airlock-escape-${tag}`),
  ],
  ['/var/tmp', (tag: string) => `/var/tmp/airlock-escape-${tag}`],
  ['/tmp (private to the sandbox)', (tag: string) => `/tmp/airlock-escape-${tag}`],
];

const backends = await sandboxBackends();

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'a sandboxed server (%s) cannot get out',
  (_name, backend) => {
    const tag = randomBytes(6).toString('hex');
    const marker = `/root/airlock-marker-${tag}`;
    const readable = `/root/airlock-allowread-${tag}`;
    let writable: string;
    let stack: SandboxStack;
    let tcp4: CountingListener;
    let tcp6: CountingListener;
    let udp: CountingListener;
    let dns: CountingListener;
    let origin: Origin;
    let fakeDocker: Awaited<ReturnType<typeof startUnixListener>> | undefined;

    beforeAll(async () => {
      [tcp4, tcp6, udp, dns, origin] = await Promise.all([
        startTcpListener('127.0.0.1'),
        startTcpListener('::1'),
        startUdpListener('127.0.0.1'),
        startDnsResponder(),
        startHttpOrigin(),
      ]);
      // A stand-in Docker API to aim at when the host has none: a leak would show in its count.
      if (!existsSync(DOCKER_SOCKET)) fakeDocker = await startUnixListener(DOCKER_SOCKET);
      await writeFile(marker, 'host secret\n');
      await mkdir(readable, { recursive: true });
      await writeFile(join(readable, 'ok.txt'), 'readable by design\n');
      writable = join(tmpdir(), `airlock-allowwrite-${tag}`);
      await mkdir(writable, { recursive: true });
      const port = origin.port;
      stack = await startSandboxStack({
        backend,
        servers: {
          malicious: {
            command: process.execPath,
            args: [MALICIOUS],
            sandbox: { type: backend.name, allowWrite: [writable], allowRead: [readable] },
          },
          victim: { command: process.execPath, args: [MALICIOUS] },
        },
        egress: {
          hosts: { 'api.victim.test': '127.0.0.1' },
          allowAddresses: [`127.0.0.1/32:${port}`],
        },
        flows: {
          'victim-only.yaml': [
            'name: victim-only',
            'filter:',
            '  servers: [victim]',
            'processors:',
            '  Allow:',
            '    processor: Filter',
            '    parameters:',
            '      - key: urls',
            `        value: ["api.victim.test:${port}/*"]`,
            '  Deny:',
            '    processor: GenerateResponse',
            '    parameters:',
            '      - key: status',
            '        value: 403',
            '      - key: body',
            '        value: "Forbidden Access"',
            '',
          ].join('\n'),
        },
      });
    }, 60_000);

    afterAll(async () => {
      await stack?.close();
      await Promise.allSettled([tcp4, tcp6, udp, dns, origin, fakeDocker].map((l) => l?.close()));
      await rm(marker, { force: true });
      // Only a broken sandbox leaves these behind; never leave its writes on the host.
      await Promise.all(ESCAPE_WRITES.map(([, pathFor]) => rm(pathFor(tag), { force: true })));
      await rm(readable, { recursive: true, force: true });
      await rm(writable, { recursive: true, force: true });
    });

    const call = (tool: string, args: Record<string, unknown>) =>
      stack.callJson<Attempt>(`malicious__${tool}`, args);

    it('has host-side listeners that do count what reaches them (from the host)', async () => {
      // The control: the same kinds of traffic from outside the sandbox are seen, so a zero below means something.
      await new Promise<void>((done) => {
        const socket = net.connect(tcp4.port, '127.0.0.1', () => {
          socket.destroy();
          done();
        });
      });
      await new Promise((done) => setTimeout(done, 50));
      expect(tcp4.count()).toBe(1);
      const fromHost = await fetch(`http://127.0.0.1:${origin.port}/control`);
      expect(fromHost.status).toBe(200);
      expect(origin.seen).toHaveLength(1);
    });

    it('cannot open TCP to a host-side origin on 127.0.0.1', async () => {
      const before = tcp4.count();
      const attempt = await call('tcp_connect', { host: '127.0.0.1', port: tcp4.port });
      expect(attempt.reached).toBe(false);
      expect(tcp4.count()).toBe(before);
    });

    it('cannot open TCP over IPv6 to [::1]', async () => {
      const attempt = await call('tcp_connect', { host: '::1', port: tcp6.port });
      expect(attempt.reached).toBe(false);
      expect(tcp6.count()).toBe(0);
    });

    it('cannot deliver UDP to a host-side listener', async () => {
      // UDP sends "succeed" locally without a handshake: the listener's count is the verdict.
      await call('udp_send', { host: '127.0.0.1', port: udp.port });
      await new Promise((done) => setTimeout(done, 200));
      expect(udp.count()).toBe(0);
    });

    it('cannot query a host-side DNS responder', async () => {
      const attempt = await call('dns_query', {
        host: '127.0.0.1',
        port: dns.port,
        name: 'secret.exfil.test',
      });
      expect(attempt.reached).toBe(false);
      expect(dns.count()).toBe(0);
    });

    it("cannot use the egress's TCP port without identity", async () => {
      const { port } = stack.egress.address;
      const attempt = await call('proxy_request', {
        host: '127.0.0.1',
        port,
        url: `http://api.victim.test:${origin.port}/via-egress-tcp`,
      });
      // Unreachable in a loopback-only namespace; if it ever were reachable, it must answer 407.
      if (attempt.reached) expect(attempt.status).toBe(407);
      expect(origin.seen.filter((seen) => seen.url === '/via-egress-tcp')).toHaveLength(0);
    });

    it("cannot connect to another server's egress socket", async () => {
      const attempt = await call('unix_http', {
        path: egressSocketPath(stack.dataDir, 'victim'),
        request: `GET http://api.victim.test:${origin.port}/via-victim-socket HTTP/1.1\r\nHost: api.victim.test:${origin.port}\r\nConnection: close\r\n\r\n`,
      });
      expect(attempt.reached).toBe(false);
      expect(origin.seen.filter((seen) => seen.url === '/via-victim-socket')).toHaveLength(0);
    });

    it("cannot read a marker file in the host's home, yet reads what allowRead grants", async () => {
      const hidden = await call('read_file', { path: marker });
      expect(hidden.reached).toBe(false);
      const granted = await call('read_file', { path: join(readable, 'ok.txt') });
      expect(granted).toMatchObject({ reached: true });
    });

    it.each(ESCAPE_WRITES)('cannot write outside allowWrite: %s', async (_where, pathFor) => {
      const path = pathFor(tag);
      await call('write_file', { path });
      // /tmp inside is a private tmpfs, so a write there may succeed but must never reach the host.
      expect(existsSync(path)).toBe(false);
    });

    it('writes inside allowWrite land on the host (the control for the writes above)', async () => {
      const path = join(writable, 'allowed.txt');
      const attempt = await call('write_file', { path });
      expect(attempt.reached).toBe(true);
      expect(existsSync(path)).toBe(true);
    });

    it('cannot reach the Docker socket', async () => {
      const attempt = await call('unix_http', {
        path: DOCKER_SOCKET,
        request: 'GET /version HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n',
      });
      expect(attempt.reached).toBe(false);
      if (fakeDocker) expect(fakeDocker.count()).toBe(0);
    });

    it('cannot pass as another server: a stolen Proxy-Authorization is ignored, its own flows apply', async () => {
      const url = `http://api.victim.test:${origin.port}/spoofed`;
      const attempt = await call('relay_request', {
        url,
        headers: { 'Proxy-Authorization': stack.egress.proxyAuthorizationFor('victim') },
      });
      expect(attempt.status).toBe(403);
      expect(origin.seen.filter((seen) => seen.url === '/spoofed')).toHaveLength(0);
      const record = await stack.waitForRecords(
        (r) => r.path === '/spoofed',
        'the egress record of the spoofed request',
      );
      expect(record).toMatchObject({ server: 'malicious', decision: 'deny' });
    });

    it('the same request as the real victim is allowed (the control for the spoof)', async () => {
      const attempt = await stack.callJson<Attempt>('victim__relay_request', {
        url: `http://api.victim.test:${origin.port}/as-victim`,
      });
      expect(attempt.status).toBe(200);
      expect(origin.seen.filter((seen) => seen.url === '/as-victim')).toHaveLength(1);
      const record = await stack.waitForRecords((r) => r.path === '/as-victim', 'victim record');
      expect(record).toMatchObject({ server: 'victim', decision: 'allow' });
    });
  },
);
